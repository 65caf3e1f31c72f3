import Foundation
import Signet
import Testing

/// A registry whose certificates name a responder on a loopback port, served by `signet serve --registry`.
struct OnlineRegistry {
    let directory: URL
    let registry: String
    let bundle: String
    let port: Int
    let passphrase = "online registry passphrase"
    var env: [String: String] { ["SIGNET_PASSPHRASE": passphrase, "SIGNET_REGISTRY": registry] }
    var base: String { "http://127.0.0.1:\(port)" }

    init(_ name: String) throws {
        directory = try Interop.makeTempDirectory(name)
        registry = directory.appendingPathComponent("registry").path
        bundle = directory.appendingPathComponent("bundle").path
        port = try ServerProcess.freePort()
        for args in [
            ["registry", "init", "--organization", "Quay Media", "--origin", "quay.example/registry", "--ocsp-url", "http://127.0.0.1:\(port)/ocsp"],
            ["registry", "publisher", "add", "Quay Post"],
            ["registry", "key", "issue", "--publisher", "Quay Post"],
            ["registry", "export", "--output", bundle],
        ] {
            let r = try Interop.signet(args, environment: ["SIGNET_PASSPHRASE": passphrase, "SIGNET_REGISTRY": registry])
            guard r.status == 0 else { throw InteropFailure(message: "\(args.joined(separator: " ")): \(r.stderr)") }
        }
    }

    func run(_ args: [String]) throws -> Interop.Run { try Interop.signet(args, environment: env) }
    func file(_ name: String) -> String { (bundle as NSString).appendingPathComponent(name) }
    func serve() throws -> ServerProcess { try ServerProcess(["--registry", registry], environment: env, port: port) }
}

/// curl: status and body bytes of one request.
func fetch(_ url: String, post file: String? = nil, contentType: String? = nil) throws -> (status: Int, body: Data) {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("fetch-\(UUID().uuidString.prefix(8))").path
    defer { try? FileManager.default.removeItem(atPath: out) }
    var args = ["-s", "-g", "--path-as-is", "-o", out, "-w", "%{http_code}"]
    if let contentType { args += ["-H", "Content-Type: \(contentType)"] }
    if let file { args += ["--data-binary", "@" + file] }
    let r = try Interop.run("/usr/bin/curl", args + [url])
    return (Int(r.stdout) ?? 0, FileManager.default.contents(atPath: out) ?? Data())
}

@Suite(.serialized, .enabled(if: interopAvailable()))
struct RegistryServeTests {
    @Test("c2pa-rs fetches OCSP live from the AIA URL of a registry-issued signer: notRevoked, then revoked once `key revoke` runs, with the server still up")
    func c2paFetchesOCSPLiveFromTheService() throws {
        guard Interop.which("curl") != nil else { print("note: curl not installed; skipped"); return }
        let world = try InteropWorld.get()
        let online = try OnlineRegistry("serve-ocsp")
        defer { try? FileManager.default.removeItem(at: online.directory) }
        let signed = online.directory.appendingPathComponent("live.jpg").path
        let sign = try online.run(["sign", world.jpeg, "-o", signed, "--publisher", "Quay Post", "--no-ocsp-staple"])
        #expect(sign.status == 0, "\(sign.stderr)")
        let server = try online.serve()
        let before = try fetch(server.base + "/v1/verify", post: signed)
        #expect(try JSONValue.parse(String(decoding: before.body, as: UTF8.self))["validation_state"]?.stringValue == "Trusted")

        // No staple and no fetching: c2pa-rs skips the check; with fetching, it asks the service.
        let offline = try Interop.oracleRead(signed, anchors: online.file("anchors.pem"))
        #expect(offline.informational.contains("signingCredential.ocsp.skipped"))
        let good = try Interop.oracleRead(signed, anchors: online.file("anchors.pem"), ocspFetch: true)
        #expect(good.state == "Trusted", "\(good.failure)")
        #expect(good.success?.contains("signingCredential.ocsp.notRevoked") == true, "\(good.success ?? [])")

        let keys = try JSONValue.parse(try online.run(["registry", "key", "list", "--json"]).stdout)
        let id = try #require(keys.arrayValue?.first?["id"]?.stringValue)
        #expect(try online.run(["registry", "key", "revoke", id, "--reason", "keyCompromise"]).status == 0)
        let revoked = try Interop.oracleRead(signed, anchors: online.file("anchors.pem"), ocspFetch: true)
        #expect(revoked.state == "Invalid")
        #expect(revoked.failure.contains("signingCredential.ocsp.revoked"), "\(revoked.failure)")
        // The server's own verifier sees the revocation made after it started.
        let after = try fetch(server.base + "/v1/verify", post: signed)
        let report = try JSONValue.parse(String(decoding: after.body, as: UTF8.self))
        #expect(report["validation_state"]?.stringValue == "Invalid", "\(report.serialized().prefix(300))")

        // The key's history over HTTP shows the revocation the responder answered with.
        let history = try fetch(online.base + "/registry/keys/" + id)
        #expect(history.status == 200)
        let key = try JSONValue.parse(String(decoding: history.body, as: UTF8.self))
        #expect(key["status"]?.stringValue == "revoked")
        #expect(key["history"]?.arrayValue?.last?["reason"]?.stringValue == "keyCompromise")
        #expect(server.stop() == 0)
    }

    @Test("openssl ts -query against POST /tsa verifies with openssl ts -verify; openssl ocsp against POST /ocsp says good; sign --tsa-url to the service is Trusted in c2pa-rs")
    func opensslAndSignUseTheServiceTSAAndResponder() throws {
        guard let openssl = Interop.which("openssl"), Interop.which("curl") != nil else { print("note: openssl or curl missing; skipped"); return }
        let world = try InteropWorld.get()
        let online = try OnlineRegistry("serve-tsa")
        defer { try? FileManager.default.removeItem(at: online.directory) }
        let server = try online.serve()
        let dir = online.directory.path

        let data = dir + "/data.txt", query = dir + "/query.tsq", reply = dir + "/reply.tsr"
        try Data("what the timestamp covers\n".utf8).write(to: URL(fileURLWithPath: data))
        #expect(try Interop.run(openssl, ["ts", "-query", "-data", data, "-sha256", "-cert", "-out", query]).status == 0)
        let answer = try fetch(server.base + "/tsa", post: query, contentType: "application/timestamp-query")
        #expect(answer.status == 200)
        try answer.body.write(to: URL(fileURLWithPath: reply))
        let verify = try Interop.run(openssl, [
            "ts", "-verify", "-data", data, "-in", reply, "-CAfile", online.file("tsa-anchors.pem"), "-untrusted", online.file("intermediates.pem"),
        ])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")

        // The responder at the URL the certificates name, over POST, as openssl asks.
        let leaf = dir + "/leaf.pem"
        try Data(contentsOf: URL(fileURLWithPath: online.file("allowed.pem"))).write(to: URL(fileURLWithPath: leaf))
        let ocsp = try Interop.run(openssl, [
            "ocsp", "-issuer", online.file("intermediates.pem"), "-cert", leaf, "-url", server.base + "/ocsp", "-CAfile", online.file("anchors.pem"),
            "-no_nonce",
        ])
        #expect(ocsp.status == 0, "\(ocsp.stderr)")
        #expect(ocsp.stdout.contains(": good"), "\(ocsp.stdout)")

        // Signing with the service as the TSA: c2pa-rs validates the sigTst2 token.
        let signed = dir + "/stamped.jpg"
        let sign = try online.run(["sign", world.jpeg, "-o", signed, "--publisher", "Quay Post", "--timestamp", "--tsa-url", server.base + "/tsa"])
        #expect(sign.status == 0, "\(sign.stderr)")
        let read = try Interop.oracleRead(signed, anchors: online.file("anchors.pem"))
        #expect(read.state == "Trusted", "\(read.failure)")
        #expect(read.success?.contains("timeStamp.trusted") == true, "\(read.success ?? [])")
        #expect(server.stop() == 0)
    }

    @Test("The log over HTTP: the checkpoint verifies with the bundle's log key, the tiles rebuild its root in an independent checker, proofs equal the CLI's")
    func logOverHTTPVerifiesIndependently() throws {
        guard let py = Interop.oraclePython, Interop.which("curl") != nil else { throw InteropSkip.missing("python or curl") }
        let online = try OnlineRegistry("serve-log")
        defer { try? FileManager.default.removeItem(at: online.directory) }
        // Enough entries for a full tile and a partial one after it.
        for i in 0..<130 { _ = try online.run(["registry", "publisher", "add", "Desk \(i)"]) }
        let server = try online.serve()
        let script = Interop.repositoryRoot.appendingPathComponent("Tests/Interop/note_verify.py").path
        let checked = try Interop.run(py, [script, online.file("log.vkey"), "--tiles", server.base + "/registry/log"])
        #expect(checked.status == 0, "\(checked.stdout) \(checked.stderr)")
        guard case .int(let count)? = try JSONValue.parse(checked.stdout)["size"] else {
            Issue.record("no size in \(checked.stdout)")
            return
        }
        let size = Int(count)
        #expect(size >= 134)

        let http = try fetch(server.base + "/registry/log/proof/inclusion?index=7&size=\(size)")
        let cli = try online.run(["registry", "log", "proof", "--index", "7", "--size", String(size), "--json"])
        #expect(http.status == 200)
        #expect(try JSONValue.parse(String(decoding: http.body, as: UTF8.self)) == JSONValue.parse(cli.stdout))
        let consistency = try fetch(server.base + "/registry/log/proof/consistency?old=5&new=\(size)")
        let cliConsistency = try online.run(["registry", "log", "consistency", "--old", "5", "--new", String(size), "--json"])
        #expect(try JSONValue.parse(String(decoding: consistency.body, as: UTF8.self)) == JSONValue.parse(cliConsistency.stdout))

        // Every served bundle file but the freshly signed ones equals the exported file.
        for name in ["anchors.pem", "intermediates.pem", "store.cfg", "log.vkey", "tsa-anchors.pem"] {
            let served = try fetch(server.base + "/registry/bundle/" + name)
            #expect(served.status == 200)
            #expect(served.body == FileManager.default.contents(atPath: online.file(name)), "\(name)")
        }
        // The served CRL is signed by the intermediate the bundle names.
        if let openssl = Interop.which("openssl") {
            let crl = online.directory.appendingPathComponent("served.crl").path
            try fetch(server.base + "/registry/bundle/crl.der").body.write(to: URL(fileURLWithPath: crl))
            let v = try Interop.run(openssl, ["crl", "-inform", "DER", "-in", crl, "-CAfile", online.file("intermediates.pem"), "-noout"])
            #expect(v.status == 0, "\(v.stderr)")
        }
        #expect(server.stop() == 0)
    }

    @Test("Hostile registry requests get a 4xx and the server keeps serving: traversal in tile and bundle paths, malformed proof queries, wrong content types, oversized and garbage OCSP and TSA bodies")
    func hostileRegistryRequests() throws {
        guard Interop.which("curl") != nil else { print("note: curl not installed; skipped"); return }
        let online = try OnlineRegistry("serve-hostile")
        defer { try? FileManager.default.removeItem(at: online.directory) }
        let server = try online.serve()
        let b = server.base
        for path in [
            "/registry/log/tile/../../registry.sqlite", "/registry/log/tile/0/../../../etc/passwd", "/registry/log/tile/0/001",
            "/registry/log/tile/0/1", "/registry/log/tile/0/x000/000", "/registry/log/tile/01/000", "/registry/log/tile/0/000.p/0",
            "/registry/log/tile/0/000.p/256", "/registry/log/tile/0/000.p/007", "/registry/log/tile/64/000", "/registry/log/tile/entries/000.p/200",
            "/registry/log/tile/0/x999/x999/x999/x999/x999/x999/x999/999", "/registry/bundle/..%2Fregistry.sqlite", "/registry/bundle/../registry.sqlite",
            "/registry/bundle/keys", "/registry/keys/k-0000", "/registry/keys/..%2F..%2Fetc",
        ] {
            let r = try fetch(b + path)
            #expect((400..<500).contains(r.status), "\(path): \(r.status)")
            #expect(!String(decoding: r.body, as: UTF8.self).contains(online.registry), "\(path) names a server path")
        }
        for query in [
            "inclusion", "inclusion?index=", "inclusion?index=-1", "inclusion?index=1e3", "inclusion?index=99999999999999999999999",
            "inclusion?index=0&size=999999", "inclusion?index=5&size=3", "consistency?old=0", "consistency?old=9&new=2", "consistency?old=abc",
        ] {
            let r = try fetch(b + "/registry/log/proof/" + query)
            #expect(r.status == 400, "\(query): \(r.status)")
        }
        let dir = online.directory.path
        let garbage = dir + "/garbage.bin", big = dir + "/big.bin"
        try Data("not DER at all".utf8).write(to: URL(fileURLWithPath: garbage))
        try Data(count: 70_000).write(to: URL(fileURLWithPath: big))
        #expect(try fetch(b + "/ocsp", post: garbage, contentType: "text/plain").status == 415)
        #expect(try fetch(b + "/tsa", post: garbage, contentType: "application/json").status == 415)
        #expect(try fetch(b + "/ocsp", post: big, contentType: "application/ocsp-request").status == 413)
        #expect(try fetch(b + "/tsa", post: big, contentType: "application/timestamp-query").status == 413)
        // Garbage of the right type gets the protocol's own refusal (a 200 carrying an error status), not a crash.
        let ocsp = try fetch(b + "/ocsp", post: garbage, contentType: "application/ocsp-request")
        #expect(ocsp.status == 200)
        #expect(Array(ocsp.body) == [0x30, 0x03, 0x0A, 0x01, 0x01], "malformedRequest")
        let tsa = try fetch(b + "/tsa", post: garbage, contentType: "application/timestamp-query")
        #expect(tsa.status == 200)
        #expect(tsa.body.count > 5 && tsa.body.count < 400)
        // Top-level paths that only look like base64 are not OCSP requests; a bare GET of the responder is 405.
        for path in ["/MAAA", "/MANIFEST", "/MA%2F%2F"] { #expect(try fetch(b + path).status == 404, "\(path)") }
        #expect(try fetch(b + "/ocsp").status == 405)
        // A request about many certificates at once is refused, not looked up certificate by certificate.
        if let openssl = Interop.which("openssl") {
            let leaf = dir + "/leaf.pem", many = dir + "/many.der"
            try Data(contentsOf: URL(fileURLWithPath: online.file("allowed.pem"))).write(to: URL(fileURLWithPath: leaf))
            let make = try Interop.run(openssl, ["ocsp", "-issuer", online.file("intermediates.pem"), "-no_nonce", "-reqout", many] + Array(repeating: ["-cert", leaf], count: 9).flatMap { $0 })
            #expect(make.status == 0, "\(make.stderr)")
            let answer = try fetch(b + "/ocsp", post: many, contentType: "application/ocsp-request")
            #expect(Array(answer.body) == [0x30, 0x03, 0x0A, 0x01, 0x01], "malformedRequest")
        }
        #expect(try fetch(b + "/healthz").status == 200)
        #expect(try fetch(b + "/registry/log/checkpoint").status == 200)
        #expect(server.stop() == 0)

        // A database password on the command line is refused before anything runs (other users can read it).
        let refused = try online.run(["registry", "key", "list", "--registry-url", "postgres://alice:s3cret@127.0.0.1:1/db"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("PGPASSWORD"), "\(refused.stderr)")
    }
}

@Suite(.serialized, .enabled(if: Interop.signetBinary != nil))
struct SharedPostgresRegistryTests {
    @Test("Two signet serve processes on one PostgreSQL registry: two CLI writers append at once, log verify passes, both servers answer from the same log and see a revocation at once")
    func twoServersShareOnePostgresRegistry() throws {
        guard let admin = ProcessInfo.processInfo.environment["SIGNET_TEST_POSTGRES_URL"], !admin.isEmpty,
            let psql = Interop.which("psql"), let bin = Interop.signetBinary, Interop.which("curl") != nil
        else {
            print("note: no test PostgreSQL server (SIGNET_TEST_POSTGRES_URL), psql or curl; the shared-registry test is skipped")
            return
        }
        let name = "signet_i_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let create = try Interop.run(psql, [admin, "-qc", "CREATE DATABASE \(name)"])
        #expect(create.status == 0, "\(create.stderr)")
        var components = try #require(URLComponents(string: admin))
        components.path = "/" + name
        let url = try #require(components.string)

        let dir = try Interop.makeTempDirectory("shared-pg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = dir.appendingPathComponent("registry").path
        let port = try ServerProcess.freePort()
        let env = ["SIGNET_PASSPHRASE": "shared passphrase", "SIGNET_REGISTRY": registry, "SIGNET_REGISTRY_URL": url]
        for args in [
            ["registry", "init", "--origin", "shared.example/registry", "--ocsp-url", "http://127.0.0.1:\(port)/ocsp"],
            ["registry", "publisher", "add", "Desk"], ["registry", "key", "issue", "--publisher", "Desk"],
        ] {
            let r = try Interop.signet(args, environment: env)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        let first = try ServerProcess(["--registry", registry], environment: env, port: port)
        let second = try ServerProcess(["--registry", registry], environment: env)

        // Two writers at once, each a loop of CLI processes.
        let each = 12
        let writers = (0..<2).map { w -> Process in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "i=0; while [ $i -lt \(each) ]; do \"$0\" registry publisher add \"writer \(w) desk $i\" >/dev/null || exit 1; i=$((i+1)); done", bin]
            p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
            return p
        }
        for w in writers { try w.run() }
        for w in writers { w.waitUntilExit() }
        #expect(writers.allSatisfy { $0.terminationStatus == 0 })

        let verify = try Interop.signet(["registry", "log", "verify", "--json"], environment: env)
        #expect(verify.status == 0, "\(verify.stderr)")
        let expected = 3 + 2 * each
        #expect(try JSONValue.parse(verify.stdout)["size"] == .int(Int64(expected)), "\(verify.stdout)")

        // Both servers serve the same log: their checkpoints cover every entry.
        for server in [first, second] {
            let note = try fetch(server.base + "/registry/log/checkpoint")
            #expect(note.status == 200)
            #expect(String(decoding: note.body, as: UTF8.self).split(separator: "\n").dropFirst().first == Substring(String(expected)))
        }

        // A revocation through the CLI is what the other server's responder answers next.
        let keys = try JSONValue.parse(try Interop.signet(["registry", "key", "list", "--json"], environment: env).stdout)
        let id = try #require(keys.arrayValue?.first?["id"]?.stringValue)
        #expect(try Interop.signet(["registry", "key", "revoke", id, "--reason", "keyCompromise"], environment: env).status == 0)
        let history = try fetch(second.base + "/registry/keys/" + id)
        #expect(try JSONValue.parse(String(decoding: history.body, as: UTF8.self))["status"]?.stringValue == "revoked")
        if let openssl = Interop.which("openssl") {
            let bundle = dir.appendingPathComponent("bundle").path
            try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
            for file in ["intermediates.pem", "anchors.pem"] {
                try fetch(second.base + "/registry/bundle/" + file).body.write(to: URL(fileURLWithPath: bundle + "/" + file))
            }
            let leaf = bundle + "/leaf.pem"
            let shown = try Interop.signet(["registry", "key", "show", id, "--json"], environment: env)
            let pem = try #require(try JSONValue.parse(shown.stdout)["certificate_pem"]?.stringValue)
            try Data(pem.utf8).write(to: URL(fileURLWithPath: leaf))
            let ocsp = try Interop.run(openssl, [
                "ocsp", "-issuer", bundle + "/intermediates.pem", "-cert", leaf, "-url", second.base + "/ocsp", "-CAfile", bundle + "/anchors.pem", "-no_nonce",
            ])
            #expect(ocsp.stdout.contains(": revoked"), "\(ocsp.stdout) \(ocsp.stderr)")
        }
        #expect(first.stop() == 0)
        #expect(second.stop() == 0)
    }
}
