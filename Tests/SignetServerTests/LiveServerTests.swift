import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import SignetServer

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
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// What one read returns (within 30 s), on a thread of its own.
    func readSome() async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { recv(self.fd, $0.baseAddress, $0.count, 0) }
                continuation.resume(returning: n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : "")
            }
        }
    }

    /// Everything the server sends until it closes the connection or 30 s pass, read on a thread of its own (a
    /// blocking read must not hold one of the cooperative threads the server under test needs).
    func readAll() async -> String {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.readBlocking()) }
        }
    }

    func readBlocking() -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

@Suite("The HTTP service on a loopback port")
struct LiveServerTests {
    let world: ServiceWorld
    init() async throws { world = try await ServiceWorld.shared() }

    @Test("A body that stops arriving gets 408 after the body timeout, while other clients are served")
    func slowBodyTimesOut() async throws {
        let service = try world.service { $0.bodyTimeout = .seconds(1) }
        defer { service.spool.removeAll() }
        try await service.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let port = try #require(client.port)
            let slow = try RawConnection(port: port)
            slow.send("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789")
            // A client that only ever sends half its headers (slowloris) holds nothing the others need.
            let loris = try RawConnection(port: port)
            loris.send("POST /v1/verify HTTP/1.1\r\nHost: x\r\nX-a: ")
            try await client.execute(uri: "/v1/verify", method: .post, body: ByteBuffer(bytes: world.signed)) { r in
                #expect(r.status == .ok)
            }
            let start = ContinuousClock.now
            let answer = await slow.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
            #expect(answer.contains("body_timeout"))
            // Well before the 30 s read timeout and the 30 s idle timeout (the suite may share two busy cores).
            #expect(ContinuousClock.now - start < .seconds(20))
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: service.spool.folder).isEmpty)
    }

    @Test("A body trickled below the minimum rate is cut off with 408 after the grace period, not the whole timeout")
    func trickleIsCutOff() async throws {
        let service = try world.service {
            $0.bodyTimeout = .seconds(60)
            $0.minimumBodyRate = 100_000
            $0.minimumRateGrace = .seconds(1)
        }
        defer { service.spool.removeAll() }
        try await service.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let port = try #require(client.port)
            let slow = try RawConnection(port: port)
            slow.send("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789")
            let start = ContinuousClock.now
            let answer = await slow.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(200))")
            // Cut by the rate floor, long before the 60 s body timeout (bounds loose: the suite shares two cores).
            #expect(ContinuousClock.now - start < .seconds(20))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: service.spool.folder).isEmpty)
    }

    @Test("A client that sends Expect: 100-continue is told to go on at once, and then gets its report")
    func expectContinue() async throws {
        let service = try world.service()
        defer { service.spool.removeAll() }
        try await service.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let port = try #require(client.port)
            let c = try RawConnection(port: port)
            c.send("POST /v1/verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: \(world.signed.count)\r\n\r\n")
            let interim = await c.readSome()
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue"), "\(interim.prefix(100))")
            c.send(world.signed)
            let answer = await c.readAll()
            #expect(answer.contains("HTTP/1.1 200"), "\(answer.prefix(200))")
            #expect(answer.contains("\"validation_state\":\"Trusted\""))
        }
    }

    @Test("A declared length over the cap is refused before the body is read")
    func declaredLengthOverCap() async throws {
        let service = try world.service { $0.maxBody = 1000 }
        defer { service.spool.removeAll() }
        try await service.application(host: "127.0.0.1", port: 0).test(.live) { client in
            let port = try #require(client.port)
            let big = try RawConnection(port: port)
            big.send("POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000000\r\n\r\nxx")
            let answer = await big.readAll()
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
            #expect(answer.contains("body_too_large"))
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(r.status == .ok) }
        }
    }
}
