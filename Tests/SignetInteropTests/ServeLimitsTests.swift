import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Testing

/// A plain TCP connection to the server on loopback, for requests no well-behaved client would send.
final class RawConnection: @unchecked Sendable {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 90, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Ends both directions now (the descriptor itself is closed with the object).
    func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// What one read returns (within 90 s), on a thread of its own.
    func readSome() async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
                continuation.resume(returning: n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "")
            }
        }
    }

    /// Everything the server sends until it closes the connection or 90 s pass, read on a thread of its own (a
    /// blocking read must not hold one of the cooperative threads the server under test needs).
    func readAll() async -> String { await readToEnd().text }

    /// As ``readAll()``, and whether the server closed the connection (rather than the 90 s running out).
    func readToEnd() async -> (text: String, closedByServer: Bool) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.readBlocking()) }
        }
    }

    func readBlocking() -> (text: String, closedByServer: Bool) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            // The server closes with a FIN (0) or, with bytes left unread, a reset; the 90 s running out is EAGAIN.
            if n <= 0 { return (String(decoding: out, as: UTF8.self), n == 0 || errno == ECONNRESET) }
            out += buffer[0..<n]
        }
    }
}

/// An HTTP/1.1 request on a connection of its own, answered in full (Connection: close).
func exchange(port: Int, _ head: String, body: [UInt8] = []) async throws -> String {
    let c = try RawConnection(port: port)
    c.send(head)
    if !body.isEmpty { c.send(body) }
    return await c.readAll()
}

/// The service's limits, against `signet serve` in a process of its own (so that the test process's own busy
/// threads cannot delay its answers), on a loopback port.
@Suite(.serialized, .enabled(if: Interop.signetBinary != nil))
struct ServeLimitsTests {
    /// A server whose temporary folder (where its body folder goes) is `dir`.
    func server(_ dir: URL, _ arguments: [String]) throws -> ServerProcess {
        try ServerProcess(arguments, environment: ["TMPDIR": dir.path])
    }

    /// Files left in the server's body folders.
    func leftovers(_ dir: URL) -> [String] {
        let fm = FileManager.default
        let folders = ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("signet-serve-") }
        return folders.flatMap { (try? fm.contentsOfDirectory(atPath: dir.appendingPathComponent($0).path)) ?? [] }
    }

    @Test("A body that stops arriving gets 408 after the body timeout, while other clients are served")
    func slowBodyTimesOut() async throws {
        let world = try InteropWorld.get()
        let dir = try Interop.makeTempDirectory("serve-slow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try server(dir, ["--body-timeout", "1"])
        let slow = try RawConnection(port: server.port)
        slow.send("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n0123456789")
        // A client that only ever sends half its headers (slowloris) holds nothing the others need.
        let loris = try RawConnection(port: server.port)
        loris.send("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
        let jpeg = Array(try Data(contentsOf: URL(fileURLWithPath: world.jpeg)))
        let other = try await exchange(port: server.port, "POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(jpeg.count)\r\n\r\n", body: jpeg)
        #expect(other.hasPrefix("HTTP/1.1 200"), "\(other.prefix(200))")
        let start = ContinuousClock.now
        let answer = await slow.readAll()
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
        #expect(answer.contains("body_timeout"))
        // Generous: the whole suite shares two cores (a loaded run took 51 s here). The 408 itself shows the body
        // timeout acted; the connection closing at the 30 s idle timeout would carry no answer.
        #expect(ContinuousClock.now - start < .seconds(90))
        let health = try await exchange(port: server.port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(health.hasPrefix("HTTP/1.1 200"))
        #expect(leftovers(dir).isEmpty)
        #expect(server.stop() == 0)
    }

    @Test("A body trickled below the minimum rate is cut off with 408 after the grace period, not the whole timeout")
    func trickleIsCutOff() async throws {
        let dir = try Interop.makeTempDirectory("serve-trickle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try server(dir, ["--body-timeout", "120", "--min-body-rate", "100000"])
        let slow = try RawConnection(port: server.port)
        slow.send("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n0123456789")
        let start = ContinuousClock.now
        let answer = await slow.readAll()
        #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
        // Cut by the rate floor after its 10 s grace, before the 120 s body timeout (generous: the whole suite shares
        // two cores).
        #expect(ContinuousClock.now - start < .seconds(100))
        #expect(leftovers(dir).isEmpty)
        #expect(server.stop() == 0)
    }

    @Test("A client that sends Expect: 100-continue is told to go on at once, and then gets its report")
    func expectContinue() async throws {
        let world = try InteropWorld.get()
        let dir = try Interop.makeTempDirectory("serve-continue")
        defer { try? FileManager.default.removeItem(at: dir) }
        // No rate floor: this test's own process may be descheduled between the 100 and the body on a loaded machine
        // (the floor has tests of its own).
        let server = try server(dir, ["--min-body-rate", "0"])
        let jpeg = Array(try Data(contentsOf: URL(fileURLWithPath: world.jpeg)))
        let c = try RawConnection(port: server.port)
        c.send("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: \(jpeg.count)\r\n\r\n")
        let interim = await c.readSome()
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue"), "\(interim.prefix(100))")
        c.send(jpeg)
        let answer = await c.readAll()
        #expect(answer.contains("HTTP/1.1 200"), "\(answer.prefix(200))")
        #expect(answer.contains("\"manifests\""))
        #expect(server.stop() == 0)
    }

    @Test("A declared length over the cap is refused before the body is read")
    func declaredLengthOverCap() async throws {
        let dir = try Interop.makeTempDirectory("serve-cap")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Idle connections are kept far longer than the client waits, so only the server's own close ends the read.
        let server = try server(dir, ["--max-body", "1000", "--idle-timeout", "600"])
        let c = try RawConnection(port: server.port)
        c.send("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000000\r\n\r\nxx")
        let (answer, closed) = await c.readToEnd()
        #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
        #expect(answer.contains("body_too_large"))
        // The connection ends with the answer; it does not idle until the idle timeout.
        #expect(closed, "the server left the connection open after refusing the body")
        let health = try await exchange(port: server.port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(health.hasPrefix("HTTP/1.1 200"))
        #expect(server.stop() == 0)
    }

    @Test("Connections past the per-address cap are closed on arrival; the others are served, and a freed slot is taken again")
    func connectionCap() async throws {
        let dir = try Interop.makeTempDirectory("serve-conns")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try server(dir, ["--max-connections-per-address", "4"])
        // Four idle connections hold every slot 127.0.0.1 has.
        let held = try (0..<4).map { _ in try RawConnection(port: server.port) }
        try await Task.sleep(for: .milliseconds(300))
        let refused = try RawConnection(port: server.port)
        refused.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        let (text, closed) = await refused.readToEnd()
        #expect(text == "" && closed, "a fifth connection is closed without an answer")
        // The held ones still work.
        held[0].send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(await held[0].readAll().hasPrefix("HTTP/1.1 200"))
        // Once held[0] hangs up, its slot is free again (the server only half-closes after Connection: close); on a
        // loaded machine the server may take a moment to see it, so ask a few times.
        held[0].hangUp()
        var metrics = ""
        for _ in 0..<50 where metrics.isEmpty {
            try await Task.sleep(for: .milliseconds(300))
            metrics = try await exchange(port: server.port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        }
        #expect(metrics.hasPrefix("HTTP/1.1 200"), "\(metrics.prefix(200))")
        #expect(metrics.contains("signet_connections_refused_total"), "\(metrics.suffix(400))")
        #expect(!metrics.contains("signet_connections_refused_total 0"), "\(metrics.suffix(400))")
        #expect(server.stop() == 0)
    }
}
