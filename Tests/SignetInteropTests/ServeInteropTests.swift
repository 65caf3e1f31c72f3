import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Signet
import Testing

/// `signet serve` as a separate process on a loopback port.
final class ServerProcess {
    let process = Process()
    let port: Int
    let output = Pipe()

    init(_ arguments: [String], environment: [String: String] = [:], port requested: Int = 0) throws {
        guard let bin = Interop.signetBinary else { throw InteropSkip.missing("signet binary") }
        process.executableURL = URL(fileURLWithPath: bin)
        process.arguments = ["serve", "--port", String(requested)] + arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens.
        var line: [UInt8] = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let b = byte.first else { break }
            if b == 0x0A { break }
            line.append(b)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "http://127.0.0.1:"), let p = Int(text[range.upperBound...]) else {
            process.terminate()
            throw InteropFailure(message: "signet serve did not say where it listens: \(text)")
        }
        port = p
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// A loopback port free now (the kernel's pick for a socket bound to port 0, then closed): for a server whose
    /// URL must be known before it starts, such as the OCSP URL a registry writes in its certificates.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw InteropFailure(message: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw InteropFailure(message: "bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// SIGTERM, then the exit status (nil if it did not stop within 10 s).
    func stop() -> Int32? {
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.interrupt()
            return nil
        }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

@Suite(.serialized, .enabled(if: Interop.signetBinary != nil))
struct ServeInteropTests {
    /// Signed (a two-step chain), tampered and unsigned JPEGs, and the anchors that make the signer trusted.
    func samples(_ dir: URL) throws -> (world: InteropWorld, chain: String, tampered: String, unsigned: String) {
        let world = try InteropWorld.get()
        let first = dir.appendingPathComponent("first.jpg").path
        let chain = dir.appendingPathComponent("edited.jpg").path
        let tampered = dir.appendingPathComponent("tampered.jpg").path
        let unsigned = dir.appendingPathComponent("unsigned.jpg").path
        for (input, output, parent) in [(world.jpeg, first, nil), (world.jpeg, chain, first)] as [(String, String, String?)] {
            var args = ["sign", input, "-o", output, "--key", world.key("es256"), "--cert", world.chain("es256")]
            if let parent { args += ["--parent", parent] }
            let run = try Interop.signet(args)
            guard run.status == 0 else { throw InteropFailure(message: "sign failed: \(run.stderr)") }
        }
        try Interop.tamper(chain, tampered)
        try FileManager.default.copyItem(atPath: world.jpeg, toPath: unsigned)
        return (world, chain, tampered, unsigned)
    }

    func post(_ url: String, _ file: String) throws -> (status: Int, body: String) {
        let run = try Interop.run("/usr/bin/curl", ["-s", "-o", "-", "-w", "\n%{http_code}", "--data-binary", "@" + file, url])
        let lines = run.stdout.components(separatedBy: "\n")
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test("The upload page in headless Chromium shows the verdict, the signer, what failed, and the history")
    func uploadPageInABrowser() throws {
        guard let python = Interop.oraclePython else {
            print("note: no Python with the test requirements (run scripts/test.sh); the browser test is skipped")
            return
        }
        let dir = try Interop.makeTempDirectory("serve-browser")
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try samples(dir)
        let server = try ServerProcess(["--trust-anchors", s.world.anchors])
        let shots = Interop.repositoryRoot.appendingPathComponent("test-artifacts").path
        let script = Interop.repositoryRoot.appendingPathComponent("Tests/Interop/upload_page.py").path
        let run = try Interop.run(python, [script, server.base, shots, s.chain, s.tampered, s.unsigned])
        if run.status == 2 {
            print("note: the browser test of the upload page is skipped: \(run.stderr.prefix(300))")
            _ = server.stop()
            return
        }
        #expect(run.status == 0, "\(run.stderr)")
        let results = try run.stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(results.count == 3)
        guard results.count == 3 else { return }
        #expect(results[0]["verdict_class"]?.stringValue == "Trusted")
        #expect(results[0]["verdict"]?.stringValue?.contains("signed by") == true)
        #expect(results[0]["frame_shown"] == .bool(true))
        #expect(results[0]["frame_text"]?.stringValue?.contains("Trusted") == true)
        #expect(results[1]["verdict_class"]?.stringValue == "Invalid")
        let failures = results[1]["failures"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(failures.contains { $0.contains("assertion.dataHash.mismatch") }, "\(failures)")
        #expect(results[2]["verdict_class"]?.stringValue == "none")
        #expect(results[2]["verdict"]?.stringValue?.contains("no C2PA manifest") == true)
        #expect(results[2]["frame_text"]?.stringValue?.contains("detector") == true)
        #expect(server.stop() == 0)
    }

    @Test("The running service answers verify like the CLI and stops cleanly on SIGTERM")
    func verifyOverHTTPMatchesTheCLI() throws {
        guard Interop.which("curl") != nil else {
            print("note: curl not found; the service's verify test is skipped")
            return
        }
        let dir = try Interop.makeTempDirectory("serve-verify")
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try samples(dir)
        let server = try ServerProcess(["--trust-anchors", s.world.anchors])
        for file in [s.chain, s.tampered, s.unsigned] {
            let name = URL(fileURLWithPath: file).lastPathComponent
            let answer = try post(server.base + "/v1/verify?name=" + file, file)
            #expect(answer.status == 200)
            let cli = try Interop.signet(["verify", "--json", "--trust-anchors", s.world.anchors, file])
            #expect(answer.body.trimmingCharacters(in: .whitespacesAndNewlines) == cli.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "\(name)")
        }
        #expect(server.stop() == 0)
    }
}
