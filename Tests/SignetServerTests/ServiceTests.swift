import Foundation
import Hummingbird
import HummingbirdTesting
import Signet
import SignetImaging
import SignetReport
import SignetKeys
import SignetTrust
import Synchronization
import Testing

@testable import SignetServer

/// Development credentials, a signed JPEG, a tampered copy and an unsigned picture, made once.
final class ServiceWorld: Sendable {
    let dir: String
    let anchors: String
    let signed: [UInt8]
    let tampered: [UInt8]
    let unsigned: [UInt8]
    /// Made once, on first use (signing is async: no thread is blocked waiting for it).
    static func shared() async throws -> ServiceWorld { try await Cache.instance.world() }

    actor Cache {
        static let instance = Cache()
        var task: Task<ServiceWorld, any Error>?
        func world() async throws -> ServiceWorld {
            if let task { return try await task.value }
            let made = Task { try await ServiceWorld() }
            task = made
            return try await made.value
        }
    }

    private init() async throws {
        dir = NSTemporaryDirectory() + "signet-serve-tests-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let layout = try DevelopmentCredentials.generate(in: dir + "/creds")
        anchors = try String(contentsOfFile: layout.trustAnchors, encoding: .utf8)
        unsigned = try ImageCodec.encodeJPEG(SampleImage.generate(width: 96, height: 64, seed: 3), quality: 90)
        let input = dir + "/in.jpg", output = dir + "/signed.jpg"
        try Data(unsigned).write(to: URL(fileURLWithPath: input))
        let signer = try PEMKeySigner(keyPath: layout.keyPath(.es256), certificateChainPath: layout.chainPath(.es256), algorithm: .es256)
        _ = try await Builder(signer: signer).sign(input: input, output: output, options: SignOptions())
        signed = Array(try Data(contentsOf: URL(fileURLWithPath: output)))
        var t = signed
        t[t.count - 10] ^= 1
        tampered = t
    }

    func service(
        spoolBudget: Int? = nil, memoryBodies: Int = BodySpool.defaultMemoryBudget, _ configure: (inout ServiceConfiguration) -> Void = { _ in }
    ) throws -> SignetService {
        var configuration = ServiceConfiguration()
        configure(&configuration)
        let verifier = Signet.Verifier(trust: try TrustSettings(anchorsPEM: anchors))
        let spool = try BodySpool(
            budget: spoolBudget, memoryBodyLimit: min(BodySpool.defaultMemoryBodyLimit, memoryBodies), memoryBudget: memoryBodies)
        return SignetService(verifier: verifier, configuration: configuration, spool: spool)
    }
}

func json(_ buffer: ByteBuffer) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(buffer: buffer))
    return try #require(object as? [String: Any])
}

/// The order in which waiting tasks got through.
final class Arrivals: Sendable {
    private let items = Mutex<[Int]>([])
    func add(_ i: Int) { items.withLock { $0.append(i) } }
    var list: [Int] { items.withLock { $0 } }
}

/// Expects a JSON error body with this code.
func expectCode(_ r: TestResponse, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let found = try errorCode(r.body)
    #expect(found == code, sourceLocation: sourceLocation)
}

func errorCode(_ buffer: ByteBuffer) throws -> String? {
    (try json(buffer)["error"] as? [String: Any])?["code"] as? String
}

@Suite("The HTTP service, in process")
struct ServiceTests {
    let world: ServiceWorld
    init() async throws { world = try await ServiceWorld.shared() }

    func app(_ service: SignetService) -> some ApplicationProtocol { service.application(host: "127.0.0.1", port: 0) }

    @Test("Bodies past the disk budget get 503 with Retry-After; every stored byte is given back, multipart parts included")
    func diskBudget() async throws {
        let budget = world.signed.count * 3 / 2
        let service = try world.service(spoolBudget: budget, memoryBodies: 0)
        defer { service.spool.removeAll() }
        try await app(service).test(.router) { client in
            // One file fits; as multipart it is stored twice (the body, then the part): past the budget.
            try await client.execute(uri: "/v1/verify", method: .post, body: ByteBuffer(bytes: world.signed)) { r in #expect(r.status == .ok) }
            let boundary = "b0undary"
            let body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.jpg\"\r\n\r\n".utf8) + world.signed
                + Array("\r\n--\(boundary)--\r\n".utf8)
            try await client.execute(
                uri: "/v1/verify", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(bytes: body)
            ) { r in
                #expect(r.status == .serviceUnavailable)
                #expect(r.headers[.retryAfter] == "1")
                try expectCode(r, "busy")
            }
            let big = [UInt8](repeating: 7, count: budget + 1)
            try await client.execute(uri: "/v1/verify", method: .post, headers: [.contentLength: String(big.count)], body: ByteBuffer(bytes: big)) { r in
                #expect(r.status == .serviceUnavailable)
            }
            try await client.execute(uri: "/v1/verify", method: .post, body: ByteBuffer(bytes: world.signed)) { r in #expect(r.status == .ok) }
        }
        #expect(service.spool.budget.inUse == 0)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: service.spool.folder)) ?? ["?"]).isEmpty)
    }

    @Test("A signed JPEG posted as the body gets the same JSON report as the CLI, naming the client's file")
    func verifyOneFile() async throws {
        let service = try world.service()
        defer { service.spool.removeAll() }
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/verify?name=photo.jpg", method: .post, headers: [.contentType: "image/jpeg"], body: ByteBuffer(bytes: world.signed)) { r in
                #expect(r.status == .ok)
                let body = try json(r.body)
                #expect(body["validation_state"] as? String == "Trusted")
                #expect(body["file"] as? String == "photo.jpg")
                #expect(!String(buffer: r.body).contains(service.spool.folder))
            }
            try await client.execute(uri: "/v1/verify", method: .post, body: ByteBuffer(bytes: world.tampered)) { r in
                let body = try json(r.body)
                #expect(body["validation_state"] as? String == "Invalid")
                #expect(String(buffer: r.body).contains("assertion.dataHash.mismatch"))
            }
        }
        // The library's own rendering of the same bytes, with the same name, is what the service sent.
        let path = world.dir + "/photo.jpg"
        try Data(world.signed).write(to: URL(fileURLWithPath: path))
        let direct = try await service.verifier.verify(path: path)
        let expected = ReportJSON.render(direct).serialized()
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/verify?name=\(path)", method: .post, body: ByteBuffer(bytes: world.signed)) { r in
                #expect(String(buffer: r.body) == expected + "\n")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: service.spool.folder).isEmpty)
    }

    @Test("Several files in one multipart request each get their report, in order")
    func verifyMultipart() async throws {
        let service = try world.service()
        defer { service.spool.removeAll() }
        let boundary = "----signet-test-boundary"
        var parts: [UInt8] = []
        for (name, bytes) in [("a.jpg", world.signed), ("b.jpg", world.unsigned), ("c.jpg", world.tampered)] {
            parts += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
            parts += bytes + Array("\r\n".utf8)
        }
        parts += Array("--\(boundary)--\r\n".utf8)
        let body = parts
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/verify", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(bytes: body)) { r in
                #expect(r.status == .ok)
                let results = try #require(try json(r.body)["results"] as? [[String: Any]])
                #expect(results.map { $0["file"] as? String } == ["a.jpg", "b.jpg", "c.jpg"])
                #expect(results[0]["validation_state"] as? String == "Trusted")
                #expect((results[1]["manifests"] as? [String: Any])?.isEmpty != false)

                #expect(results[2]["validation_state"] as? String == "Invalid")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: service.spool.folder).isEmpty)
    }

    @Test("Hostile requests get a JSON 4xx with a stable code and the service keeps answering")
    func hostileRequests() async throws {
        let service = try world.service { $0.maxBody = 4096 }
        defer { service.spool.removeAll() }
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/verify", method: .post, body: ByteBuffer(bytes: [UInt8](repeating: 1, count: 5000))) { r in
                #expect(r.status == .contentTooLarge)
                try expectCode(r, "body_too_large")
            }
            try await client.execute(uri: "/v1/verify", method: .post) { r in
                #expect(r.status == .badRequest)
                try expectCode(r, "empty_body")
            }
            try await client.execute(uri: "/v1/verify", method: .post, headers: [.contentType: "multipart/form-data; boundary=x"], body: ByteBuffer(string: "--x\r\n\r\nunterminated")) { r in
                #expect(r.status == .badRequest)
                try expectCode(r, "bad_multipart")
            }
            try await client.execute(uri: "/v1/verify", method: .post, headers: [.contentType: "multipart/form-data"], body: ByteBuffer(string: "x")) { r in
                try expectCode(r, "bad_multipart")
            }
            try await client.execute(uri: "/v1/detect", method: .post, body: ByteBuffer(string: "not a picture at all")) { r in
                #expect(r.status == .unprocessableContent)
                try expectCode(r, "unsupported_file")
            }
            for uri in ["/nope", "/v1/../etc/passwd", "/v1/verify/../../x", "/%2e%2e/%2e%2e/etc/passwd"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .notFound, "\(uri)")
                    try expectCode(r, "not_found")
                }
            }
            try await client.execute(uri: "/v1/verify", method: .get) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.headers[.allow] == "POST")
                try expectCode(r, "method_not_allowed")
            }
            try await client.execute(uri: "/healthz", method: .delete) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.headers[.allow] == "GET, HEAD")
            }
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: service.spool.folder).isEmpty)
    }

    @Test("HEAD answers a GET route without its body; another method gets 405 with an empty body too")
    func headIsGetWithoutTheBody() async throws {
        let service = try world.service()
        defer { service.spool.removeAll() }
        try await app(service).test(.router) { client in
            for uri in ["/healthz", "/"] {
                let full = try await client.execute(uri: uri, method: .get) { r in r.body.readableBytes }
                try await client.execute(uri: uri, method: .head) { r in
                    #expect(r.status == .ok, "\(uri)")
                    #expect(r.body.readableBytes == 0, "\(uri)")
                    #expect(r.headers[.contentType] != nil, "\(uri)")
                    // RFC 9110, 8.6: the length the GET would have, never 0.
                    #expect(r.headers[.contentLength] == String(full), "\(uri)")
                }
            }
            try await client.execute(uri: "/v1/verify", method: .head) { r in
                #expect(r.status == .methodNotAllowed)
                #expect(r.headers[.allow] == "POST")
                #expect(r.body.readableBytes == 0)
            }
        }
    }

    @Test("Every spelling of a loopback listen address turns the Host check on; other addresses do not")
    func loopbackInAnySpelling() {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "[::ffff:127.9.9.9]"] {
            #expect(ServiceConfiguration.isLoopback(host), "\(host)")
        }
        for host in ["0.0.0.0", "::", "10.0.0.1", "::2", "::ffff:10.0.0.1", "127.0.0.1.example", "example.com", "", "[::1"] {
            #expect(!ServiceConfiguration.isLoopback(host), "\(host)")
        }
        #expect(ServiceConfiguration.hostName("Signet.Example:8443") == "signet.example")
        #expect(ServiceConfiguration.hostName("[::1]:80") == "[::1]")
    }

    @Test("A page of another site gets 403 for work it asks of the server; same-site pages and clients that send no Origin are served")
    func crossSiteRequestsAreRefused() async throws {
        let service = try world.service()
        defer { service.spool.removeAll() }
        try await app(service).test(.router) { client in
            for origin in ["http://evil.example", "null", "http://127.0.0.1.evil.example"] {
                try await client.execute(uri: "/v1/verify", method: .post, headers: [.origin: origin], body: ByteBuffer(bytes: world.signed)) { r in
                    #expect(r.status == .forbidden, "\(origin)")
                    try expectCode(r, "forbidden_origin")
                }
            }
            try await client.execute(uri: "/v1/verify", method: .post, body: ByteBuffer(bytes: world.signed)) { r in #expect(r.status == .ok) }
            // Reading is not work: a GET with a foreign Origin is answered (CORS keeps the page from reading it).
            try await client.execute(uri: "/healthz", method: .get, headers: [.origin: "http://evil.example"]) { r in #expect(r.status == .ok) }
        }
        let same: [(String, String?)] = [
            ("http://127.0.0.1:8080", "127.0.0.1:8080"), ("http://127.0.0.1:8080/", "127.0.0.1:8080"), ("https://signet.example", "signet.example:443"),
            ("http://signet.example", "signet.example"), ("HTTP://LOCALHOST:9", "localhost:9"),
        ]
        for (origin, host) in same { #expect(AccessMiddleware.sameOrigin(origin, authority: host), "\(origin) \(host ?? "-")") }
        let other: [(String, String?)] = [
            ("http://evil.example", "127.0.0.1:8080"), ("null", "127.0.0.1:8080"), ("http://127.0.0.1:8081", "127.0.0.1:8080"),
            ("ftp://127.0.0.1:8080", "127.0.0.1:8080"), ("http://127.0.0.1:8080", nil), ("https://signet.example", "signet.example:80"),
            ("http://127.0.0.1:8080.evil", "127.0.0.1:8080"),
        ]
        for (origin, host) in other { #expect(!AccessMiddleware.sameOrigin(origin, authority: host), "\(origin) \(host ?? "-")") }
    }

    @Test("No answer names the server's own files, even when a parser's message does")
    func noServerPathsInAnswers() async throws {
        let service = try world.service()
        defer { service.spool.removeAll() }
        let png = try ImageCodec.encodePNG(SampleImage.generate(width: 64, height: 64, seed: 1))
        // Cut inside the first chunk: the PNG reader's message names the file it read.
        let cut = Array(png.prefix(33))
        let boundary = "b0undary"
        let multipart = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\u{202E}gpj.exe\u{1B}[2J\"\r\n\r\n".utf8)
            + cut + Array("\r\n--\(boundary)--\r\n".utf8)
        try await app(service).test(.router) { client in
            for uri in ["/v1/verify?name=cut.png", "/v1/inspect?name=cut.png", "/v1/detect?name=cut.png"] {
                try await client.execute(uri: uri, method: .post, body: ByteBuffer(bytes: cut)) { r in
                    let text = String(buffer: r.body)
                    #expect(!text.contains(service.spool.folder), "\(uri): \(text.prefix(300))")
                }
            }
            try await client.execute(uri: "/v1/verify", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: ByteBuffer(bytes: multipart)) { r in
                let text = String(buffer: r.body)
                #expect(!text.contains(service.spool.folder))
                let results = try #require(try json(r.body)["results"] as? [[String: Any]])
                // Control characters and the right-to-left override are dropped from the shown name.
                #expect(results.first?["file"] as? String == "agpj.exe[2J")
            }
        }
    }

    @Test("The detector refuses pictures over the service's pixel cap with 422, before decoding them")
    func detectorPixelCap() async throws {
        let service = try world.service { $0.detectorMaxPixels = 1000 }
        defer { service.spool.removeAll() }
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/detect", method: .post, body: ByteBuffer(bytes: world.unsigned)) { r in
                #expect(r.status == .unprocessableContent)
                try expectCode(r, "unsupported_file")
            }
        }
    }

    @Test("Past the bound on heavy requests the service answers 503 with Retry-After")
    func busyIsRefused() async throws {
        let service = try world.service {
            $0.concurrency = 1
            $0.queue = 0
        }
        defer { service.spool.removeAll() }
        #expect(service.heavy.tryEnter())
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/verify", method: .post, body: ByteBuffer(bytes: world.signed)) { r in
                #expect(r.status == .serviceUnavailable)
                #expect(r.headers[.retryAfter] == "1")
                try expectCode(r, "busy")
            }
            service.heavy.leave()
            try await client.execute(uri: "/v1/verify", method: .post, body: ByteBuffer(bytes: world.signed)) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/metrics", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(text.contains("signet_busy_refusals_total 1"))
                #expect(text.contains("signet_http_requests_total{route=\"/v1/verify\",status=\"503\"} 1"))
                #expect(text.contains("signet_http_requests_total{route=\"/v1/verify\",status=\"200\"} 1"))
                #expect(text.contains("signet_verdicts_total{verdict=\"Trusted\"} 1"))
                #expect(text.contains("signet_verified_bytes_total \(world.signed.count)"))
            }
        }
    }

    @Test("The heavy-work gate runs at most its limit at once, queues up to its queue limit in order, and refuses past it")
    func gateQueuesThenRefuses() async throws {
        let gate = HeavyGate(limit: 1, queueLimit: 2)
        #expect(await gate.enter())
        let order = Arrivals()
        let first = Task { () -> Bool in
            let ok = await gate.enter()
            order.add(1)
            return ok
        }
        while gate.load.waiting < 1 { await Task.yield() }
        let second = Task { () -> Bool in
            let ok = await gate.enter()
            order.add(2)
            return ok
        }
        while gate.load.waiting < 2 { await Task.yield() }
        #expect(await gate.enter() == false)  // the queue is full
        gate.leave()
        #expect(await first.value)
        gate.leave()
        #expect(await second.value)
        #expect(order.list == [1, 2])
        gate.leave()
        #expect(gate.load.running == 0 && gate.load.waiting == 0)
    }

    @Test("Inspect gives the report with the detector's opinion for an unsigned file, and the investigator page")
    func inspectAndPage() async throws {
        let service = try world.service()
        defer { service.spool.removeAll() }
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/inspect?name=u.jpg", method: .post, body: ByteBuffer(bytes: world.unsigned)) { r in
                #expect(r.status == .ok)
                let body = try json(r.body)
                let detection = try #require(body["detection"] as? [String: Any])
                #expect(detection["band"] is String)
                #expect(detection["file"] as? String == "u.jpg")
            }
            try await client.execute(uri: "/v1/inspect.html?name=s.jpg", method: .post, body: ByteBuffer(bytes: world.signed)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(r.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                let page = String(buffer: r.body)
                #expect(page.contains("<html"))
                #expect(page.contains("Trusted"))
            }
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .ok)
                let page = String(buffer: r.body)
                #expect(page.contains("/v1/inspect.html"))
                #expect(!page.contains("http://") && !page.contains("https://"))
            }
        }
    }

    @Test("Detect gives the detector's JSON, or with heatmap=1 a PNG of the picture's size")
    func detect() async throws {
        let service = try world.service()
        defer { service.spool.removeAll() }
        try await app(service).test(.router) { client in
            try await client.execute(uri: "/v1/detect?name=u.jpg", method: .post, body: ByteBuffer(bytes: world.unsigned)) { r in
                #expect(r.status == .ok)
                let body = try json(r.body)
                #expect(body["score"] is Double)
                #expect(body["provenance"] as? String == "none")
                #expect((body["signals"] as? [Any])?.isEmpty == false)
            }
            try await client.execute(uri: "/v1/detect?heatmap=1", method: .post, body: ByteBuffer(bytes: world.unsigned)) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "image/png")
                #expect(Array(r.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            }
            try await client.execute(uri: "/v1/detect", method: .post, body: ByteBuffer(bytes: world.signed)) { r in
                let provenance = try json(r.body)["provenance"] as? String
                #expect(provenance == "valid manifest")
            }
        }
    }
}
