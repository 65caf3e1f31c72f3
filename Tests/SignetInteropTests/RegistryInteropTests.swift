import Foundation
import Signet
import SignetKeys
import SignetRegistry
import Testing

/// A registry made through the CLI, shared by the registry interop tests.
final class RegistryWorld: Sendable {
    let directory: URL
    let registry: String
    let bundle: String
    let passphrase = "registry test passphrase"
    var env: [String: String] { ["SIGNET_PASSPHRASE": passphrase, "SIGNET_REGISTRY": registry] }

    static let shared: Result<RegistryWorld, Error> = Result { try RegistryWorld() }

    private init() throws {
        directory = try Interop.makeTempDirectory("registry")
        registry = directory.appendingPathComponent("registry").path
        bundle = directory.appendingPathComponent("bundle").path
        let env = ["SIGNET_PASSPHRASE": passphrase, "SIGNET_REGISTRY": registry]
        for args in [
            ["registry", "init", "--organization", "Harbour Media", "--origin", "harbour.example/registry"],
            ["registry", "publisher", "add", "Harbour Times", "--org", "Harbour Media", "--country", "NZ"],
            ["registry", "key", "issue", "--publisher", "Harbour Times"],
            ["registry", "export", "--output", bundle],
        ] {
            let r = try Interop.signet(args, environment: env)
            guard r.status == 0 else { throw InteropFailure(message: "\(args.joined(separator: " ")): \(r.stderr)") }
        }
    }

    static func get() throws -> RegistryWorld {
        guard Interop.signetBinary != nil else { throw InteropSkip.missing("signet binary") }
        return try shared.get()
    }

    func file(_ name: String) -> String { (bundle as NSString).appendingPathComponent(name) }

    func run(_ args: [String]) throws -> Interop.Run { try Interop.signet(args, environment: env) }

    /// A publisher of its own, with a fresh key, so tests that revoke or rotate do not disturb each other.
    func newPublisher(_ name: String, alg: String = "es256") throws -> JSONValue {
        _ = try run(["registry", "publisher", "add", name])
        let r = try run(["registry", "key", "issue", "--publisher", name, "--alg", alg, "--json"])
        guard r.status == 0 else { throw InteropFailure(message: "key issue: \(r.stderr)") }
        return try JSONValue.parse(r.stdout)
    }
}

@Suite(.serialized, .enabled(if: interopAvailable()))
struct RegistryInterop {
    @Test("c2pa-rs reads a registry-signed file as Trusted with only the exported anchors.pem, the stapled OCSP response as not revoked; Signet agrees with --bundle")
    func registrySignedFileIsTrustedWithTheBundle() throws {
        let world = try RegistryWorld.get()
        let interop = try InteropWorld.get()
        let out = world.directory.appendingPathComponent("published.jpg").path
        let sign = try world.run(["sign", interop.jpeg, "-o", out, "--publisher", "Harbour Times", "--force"])
        #expect(sign.status == 0, "\(sign.stderr)")

        let oracle = try Interop.oracleRead(out, anchors: world.file("anchors.pem"))
        #expect(oracle.state == "Trusted", "\(oracle.failure)")
        #expect(oracle.success?.contains("signingCredential.ocsp.notRevoked") == true)
        #expect(!oracle.informational.contains("signingCredential.ocsp.skipped"))

        let verify = try world.run(["verify", "--json", out, "--bundle", world.bundle])
        #expect(verify.status == 0, "\(verify.stderr)")
        let report = try JSONValue.parse(verify.stdout)
        #expect(report["validation_state"]?.stringValue == "Trusted")
        #expect(Interop.successCodes(report).first == "signingCredential.ocsp.notRevoked")
    }

    @Test("A file signed after revocation, its staple saying revoked, is Invalid with signingCredential.ocsp.revoked in c2pa-rs and Signet")
    func revokedStapleIsRevokedInBoth() async throws {
        let world = try RegistryWorld.get()
        let interop = try InteropWorld.get()
        let key = try world.newPublisher("Revoked Desk")
        let id = try #require(key["id"]?.stringValue)
        #expect(try world.run(["registry", "key", "revoke", id, "--reason", "keyCompromise"]).status == 0)

        // Someone signs with the revoked key, and staples what the responder now says about it.
        let registry = try Registry(opening: world.registry)
        let record = try registry.key(id)
        var options = SignOptions()
        options.overwrite = true
        options.thumbnail = false
        options.ocspResponses = [try registry.ocspStaple(for: record, passphrase: world.passphrase)]
        let out = world.directory.appendingPathComponent("after-revocation.jpg").path
        _ = try await Builder(signer: try registry.signer(for: record, passphrase: world.passphrase)).sign(input: interop.jpeg, output: out, options: options)

        let oracle = try Interop.oracleRead(out, anchors: world.file("anchors.pem"))
        #expect(oracle.state == "Invalid")
        #expect(oracle.failure.contains("signingCredential.ocsp.revoked"))
        let (status, report) = try Interop.signetVerify(out, anchors: world.file("anchors.pem"))
        #expect(status == 1)
        #expect(report["validation_state"]?.stringValue == "Invalid")
        #expect(Interop.failureCodes(report).contains("signingCredential.ocsp.revoked"))
    }

    @Test("Rotation and revocation: a timestamped signature before the revocation's effective time stays valid, an untimestamped one does not")
    func rotationRevocationAndTimestamps() throws {
        let world = try RegistryWorld.get()
        let interop = try InteropWorld.get()
        _ = try world.newPublisher("Rotating Desk")
        let stamped = world.directory.appendingPathComponent("rot-stamped.jpg").path
        let plain = world.directory.appendingPathComponent("rot-plain.jpg").path
        #expect(try world.run(["sign", interop.jpeg, "-o", stamped, "--publisher", "Rotating Desk", "--timestamp", "--force"]).status == 0)
        #expect(try world.run(["sign", interop.jpeg, "-o", plain, "--publisher", "Rotating Desk", "--force"]).status == 0)
        let before = try world.run(["registry", "key", "list", "--publisher", "Rotating Desk", "--json"])
        let old = try #require(try JSONValue.parse(before.stdout).arrayValue?.last?["id"]?.stringValue)

        // Rotation alone leaves both Trusted: a retired key stays valid for what it signed.
        #expect(try world.run(["registry", "key", "rotate", "--publisher", "Rotating Desk"]).status == 0)
        let bundle = world.directory.appendingPathComponent("bundle-rotated").path
        #expect(try world.run(["registry", "export", "-o", bundle, "--force"]).status == 0)
        for file in [stamped, plain] {
            let r = try world.run(["verify", "--json", file, "--bundle", bundle])
            #expect(try JSONValue.parse(r.stdout)["validation_state"]?.stringValue == "Trusted", "\(file)")
        }

        // Revoked from now on: the timestamp proves the first file was signed before; the other is judged now.
        // A CRL's revocation time has one-second precision, and a revocation in the same second as the signature
        // counts as before it (the safe reading): on a fast machine everything above fits in one second.
        Thread.sleep(forTimeInterval: 1.1)
        #expect(try world.run(["registry", "key", "revoke", old, "--reason", "keyCompromise"]).status == 0)
        #expect(try world.run(["registry", "export", "-o", bundle, "--force"]).status == 0)
        let s = try world.run(["verify", "--json", stamped, "--bundle", bundle])
        let sReport = try JSONValue.parse(s.stdout)
        #expect(sReport["validation_state"]?.stringValue == "Trusted", "\(Interop.failureCodes(sReport))")
        #expect(Interop.successCodes(sReport).contains("timeStamp.trusted"))
        let p = try world.run(["verify", "--json", plain, "--bundle", bundle])
        #expect(p.status == 1)
        #expect(Interop.failureCodes(try JSONValue.parse(p.stdout)).contains("signingCredential.revoked"))

        // c2pa-rs accepts the registry TSA's sigTst2 token.
        let oracle = try Interop.oracleRead(stamped, anchors: world.file("anchors.pem"))
        #expect(oracle.state == "Trusted", "\(oracle.failure)")
        #expect(oracle.success?.contains("timeStamp.validated") == true)
    }

    @Test("openssl ocsp verifies the registry's OCSP answers (good, then revoked with its reason); openssl crl verifies its CRL")
    func opensslVerifiesOCSPAndCRL() throws {
        guard let openssl = Interop.which("openssl") else { print("note: openssl not installed; skipped"); return }
        let world = try RegistryWorld.get()
        let key = try world.newPublisher("OCSP Desk")
        let leaf = world.directory.appendingPathComponent("ocsp-leaf.pem").path
        try Data((key["certificate_pem"]?.stringValue ?? "").utf8).write(to: URL(fileURLWithPath: leaf))
        let request = world.directory.appendingPathComponent("ocsp.req").path
        let response = world.directory.appendingPathComponent("ocsp.resp").path
        let query = try Interop.run(openssl, ["ocsp", "-issuer", world.file("intermediates.pem"), "-cert", leaf, "-reqout", request, "-no_nonce"])
        #expect(query.status == 0, "\(query.stderr)")

        func check(_ expected: String) throws {
            let r = try world.run(["registry", "ocsp", "respond", request, "-o", response, "--force"])
            #expect(r.status == 0, "\(r.stderr)")
            let v = try Interop.run(openssl, [
                "ocsp", "-respin", response, "-issuer", world.file("intermediates.pem"), "-CAfile", world.file("anchors.pem"),
                "-cert", leaf, "-no_nonce",
            ])
            #expect(v.stdout.contains(expected), "\(v.stdout) \(v.stderr)")
            #expect((v.stdout + v.stderr).contains("Response verify OK"))
        }
        try check(": good")
        #expect(try world.run(["registry", "key", "revoke", key["id"]?.stringValue ?? "", "--reason", "superseded"]).status == 0)
        try check(": revoked")

        let crl = world.directory.appendingPathComponent("registry.crl").path
        #expect(try world.run(["registry", "crl", "-o", crl, "--force"]).status == 0)
        let chain = world.directory.appendingPathComponent("chain.pem").path
        try Data(try Data(contentsOf: URL(fileURLWithPath: world.file("anchors.pem"))) + Data(contentsOf: URL(fileURLWithPath: world.file("intermediates.pem"))))
            .write(to: URL(fileURLWithPath: chain))
        let v = try Interop.run(openssl, ["crl", "-in", crl, "-inform", "DER", "-CAfile", chain, "-noout", "-verify"])
        #expect((v.stdout + v.stderr).contains("verify OK"), "\(v.stderr)")
        let text = try Interop.run(openssl, ["crl", "-in", crl, "-inform", "DER", "-noout", "-text"])
        #expect(text.stdout.uppercased().contains((key["serial"]?.stringValue ?? "?").uppercased()))
    }

    @Test("openssl ts -verify accepts the registry TSA's responses; openssl pkey opens a registry key with the passphrase only")
    func opensslVerifiesTimestampsAndOpensKeys() throws {
        guard let openssl = Interop.which("openssl") else { print("note: openssl not installed; skipped"); return }
        let world = try RegistryWorld.get()
        let data = world.directory.appendingPathComponent("ts-data.bin").path
        try Data("what the timestamp covers".utf8).write(to: URL(fileURLWithPath: data))
        let query = world.directory.appendingPathComponent("ts.tsq").path
        let reply = world.directory.appendingPathComponent("ts.tsr").path
        #expect(try Interop.run(openssl, ["ts", "-query", "-data", data, "-sha256", "-cert", "-out", query]).status == 0)
        let r = try world.run(["registry", "tsa", "respond", query, "-o", reply, "--force"])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try Interop.run(openssl, ["ts", "-verify", "-in", reply, "-queryfile", query, "-CAfile", world.file("anchors.pem"), "-untrusted", world.file("intermediates.pem")])
        #expect(v.stdout.contains("Verification: OK"), "\(v.stdout) \(v.stderr)")

        let keyFile = (world.registry as NSString).appendingPathComponent("keys/tsa.key.pem")
        let good = try Interop.run(openssl, ["pkey", "-in", keyFile, "-passin", "pass:\(world.passphrase)", "-noout"])
        #expect(good.status == 0, "\(good.stderr)")
        let bad = try Interop.run(openssl, ["pkey", "-in", keyFile, "-passin", "pass:wrong", "-noout"])
        #expect(bad.status != 0)
    }

    @Test("The exported checkpoint verifies with an independent signed-note checker, and published tiles rebuild its root")
    func checkpointAndTilesVerifyIndependently() throws {
        let world = try RegistryWorld.get()
        guard let py = Interop.oraclePython else { throw InteropSkip.missing("python") }
        let script = Interop.repositoryRoot.appendingPathComponent("Tests/Interop/note_verify.py").path
        let r = try Interop.run(py, [script, world.file("log.vkey"), world.file("checkpoint")])
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(try JSONValue.parse(r.stdout)["origin"]?.stringValue == "harbour.example/registry")

        let tiles = world.directory.appendingPathComponent("tiles").path
        #expect(try world.run(["registry", "log", "tiles", "-o", tiles]).status == 0)
        let t = try Interop.run(py, [script, world.file("log.vkey"), "--tiles", tiles])
        #expect(t.status == 0, "\(t.stdout) \(t.stderr)")

        // A tampered checkpoint does not verify.
        var note = try Data(contentsOf: URL(fileURLWithPath: world.file("checkpoint")))
        note[note.startIndex + 30] ^= 1
        let bad = world.directory.appendingPathComponent("bad-checkpoint").path
        try note.write(to: URL(fileURLWithPath: bad))
        #expect(try Interop.run(py, [script, world.file("log.vkey"), bad]).status == 1)
    }

    @Test("A registry killed mid-command reopens consistent: every recorded key has its key file, the log verifies")
    func interruptedCommandsLeaveTheRegistryConsistent() throws {
        let world = try RegistryWorld.get()
        guard let bin = Interop.signetBinary else { throw InteropSkip.missing("signet") }
        _ = try world.run(["registry", "publisher", "add", "Crash Desk"])
        var rng = SystemRandomNumberGenerator()
        for round in 0..<12 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = round % 3 == 0
                ? ["registry", "key", "rotate", "--publisher", "Crash Desk"] : ["registry", "key", "issue", "--publisher", "Crash Desk", "--alg", "ed25519"]
            var env = ProcessInfo.processInfo.environment
            for (k, v) in world.env { env[k] = v }
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: 5_000...400_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let verify = try world.run(["registry", "log", "verify", "--json"])
        #expect(verify.status == 0, "\(verify.stderr)")
        let keys = try JSONValue.parse(try world.run(["registry", "key", "list", "--publisher", "Crash Desk", "--json"]).stdout).arrayValue ?? []
        let registry = try Registry(opening: world.registry)
        for key in keys {
            let record = try registry.key(key["id"]?.stringValue ?? "")
            _ = try registry.signer(for: record, passphrase: world.passphrase)  // the key file exists and opens
        }
        #expect(keys.filter { $0["status"]?.stringValue == "active" }.count <= 1)
        // Every key.issued/key.rotated log entry names a recorded key, and every key has its entry.
        let logged = try registry.logEntries(from: 0, count: 100_000).filter { $0.kind == "key.issued" || $0.kind == "key.rotated" }
        let loggedIDs = Set(logged.compactMap { entry in (try? JSONValue.parse(entry.body))?["key"]?.stringValue })
        let recorded = Set(try registry.keys().map(\.id))
        #expect(loggedIDs == recorded)
    }
}

@Suite(.serialized, .enabled(if: interopAvailable()))
struct RegistryBadInput {
    static func oneLine(_ r: Interop.Run) -> Bool {
        let lines = r.stderr.split(separator: "\n")
        return lines.count == 1 && lines[0].hasPrefix("signet: ")
    }

    @Test("Truncated, corrupt and hostile inputs to registry commands get one line on stderr and a documented exit status")
    func hostileInputs() throws {
        let world = try RegistryWorld.get()
        let dir = world.directory.appendingPathComponent("bad-input")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let p = dir.appendingPathComponent(name).path
            try Data(bytes).write(to: URL(fileURLWithPath: p))
            return p
        }
        // No registry there.
        let none = try Interop.signet(["registry", "key", "list", "--registry", dir.appendingPathComponent("nothing").path], environment: world.env)
        #expect(none.status == 7 && Self.oneLine(none), "\(none.stderr)")
        // Wrong passphrase, and none at all (no terminal).
        var wrong = world.env
        wrong["SIGNET_PASSPHRASE"] = "not the passphrase"
        let w = try Interop.signet(["registry", "log", "checkpoint"], environment: wrong)
        #expect(w.status == 4 && Self.oneLine(w), "\(w.stderr)")
        wrong["SIGNET_PASSPHRASE"] = ""
        let n = try Interop.signet(["registry", "log", "checkpoint"], environment: wrong)
        #expect(n.status == 4 && Self.oneLine(n), "\(n.stderr)")
        // Unknown publisher, key, reason, algorithm, time.
        for (args, status) in [
            (["registry", "key", "issue", "--publisher", "Nobody"], Int32(7)),
            (["registry", "key", "show", "k-000000000000"], 7),
            (["registry", "key", "revoke", "k-000000000000", "--reason", "boredom"], 2),
            (["registry", "key", "issue", "--publisher", "Harbour Times", "--alg", "rsa1024"], 2),
            (["registry", "status", "k-000000000000", "--at", "yesterday"], 2),
            (["registry", "log", "proof", "--index", "1000000"], 7),
            (["registry", "publisher", "add", "Harbour Times"], 7),
        ] {
            let r = try world.run(args)
            #expect(r.status == status, "\(args): \(r.status) \(r.stderr)")
            #expect(!r.stderr.isEmpty)
        }
        // A corrupt OCSP request gets an OCSP malformedRequest response (the protocol's answer), not a crash.
        let ocspOut = dir.appendingPathComponent("bad.resp").path
        let garbage = try file("garbage.der", [0x30, 0x82, 0xFF, 0xFF, 0x01])
        let o = try world.run(["registry", "ocsp", "respond", garbage, "-o", ocspOut, "--force"])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: ocspOut)) == Data([0x30, 0x03, 0x0A, 0x01, 0x01]))
        // The same for a timestamp request: a rejection response.
        let t = try world.run(["registry", "tsa", "respond", garbage, "-o", dir.appendingPathComponent("bad.tsr").path, "--force"])
        #expect(t.status == 0, "\(t.stderr)")
        // An oversized request file is refused before it is read.
        let big = try file("big.der", [UInt8](repeating: 0x30, count: 70_000))
        let b = try world.run(["registry", "ocsp", "respond", big, "-o", ocspOut, "--force"])
        #expect(b.status == 2 && Self.oneLine(b), "\(b.stderr)")
        // An existing output needs --force.
        let e = try world.run(["registry", "ocsp", "respond", garbage, "-o", ocspOut])
        #expect(e.status == 5 && Self.oneLine(e), "\(e.stderr)")
        // A remembered checkpoint that is garbage, truncated, or signed by someone else: exit 8.
        let note = try Data(contentsOf: URL(fileURLWithPath: world.file("checkpoint")))
        for bad in [Array(note.prefix(note.count / 2)), [UInt8](repeating: 0x41, count: 300), Array("other.example/log\n3\nAAAA\n\n".utf8)] {
            let v = try world.run(["registry", "log", "verify", "--since", try file("bad-checkpoint", bad)])
            #expect(v.status == 8 && Self.oneLine(v), "\(v.stderr)")
        }
        // A bundle whose CRL is corrupt or missing is refused, not used without revocation.
        let bundle = dir.appendingPathComponent("bundle").path
        #expect(try world.run(["registry", "export", "-o", bundle, "--force"]).status == 0)
        let interop = try InteropWorld.get()
        let crl = (bundle as NSString).appendingPathComponent("crl.der")
        var crlBytes = try Data(contentsOf: URL(fileURLWithPath: crl))
        crlBytes[crlBytes.count - 5] ^= 0xFF
        try crlBytes.write(to: URL(fileURLWithPath: crl))
        let c = try world.run(["verify", interop.jpeg, "--bundle", bundle])
        #expect(c.status == 2 && Self.oneLine(c), "\(c.stderr)")
        try FileManager.default.removeItem(atPath: crl)
        let m = try world.run(["verify", interop.jpeg, "--bundle", bundle])
        #expect(m.status == 2 && Self.oneLine(m), "\(m.stderr)")
        // export --force never replaces a folder that is not a bundle.
        let x = try world.run(["registry", "export", "-o", dir.path, "--force"])
        #expect(x.status == 7 && Self.oneLine(x), "\(x.stderr)")
        #expect(FileManager.default.fileExists(atPath: garbage))
    }
}

@Suite(.serialized, .enabled(if: interopAvailable()))
struct TimestampOverHTTP {
    @Test("sign --tsa-url gets a sigTst2 token from an RFC 3161 TSA over HTTP; Signet and c2pa-rs validate it")
    func signWithAnHTTPTimestampAuthority() throws {
        let world = try RegistryWorld.get()
        let interop = try InteropWorld.get()
        guard let py = Interop.oraclePython, let bin = Interop.signetBinary else { throw InteropSkip.missing("python") }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: py)
        server.arguments = [Interop.repositoryRoot.appendingPathComponent("Tests/Interop/tsa_server.py").path, bin]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in world.env { env[k] = v }
        server.environment = env
        let out = Pipe(), input = Pipe()
        server.standardOutput = out
        server.standardInput = input
        try server.run()
        defer {
            try? input.fileHandleForWriting.close()
            server.terminate()
            server.waitUntilExit()
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))

        let signed = world.directory.appendingPathComponent("tsa-url.jpg").path
        let sign = try Interop.signet([
            "sign", interop.jpeg, "-o", signed, "--key", interop.key("es256"), "--cert", interop.chain("es256"),
            "--tsa-url", "http://127.0.0.1:\(port)/", "--force",
        ])
        #expect(sign.status == 0, "\(sign.stderr)")
        // The claim signer chains to the development root, the TSA to the registry's root: trust both.
        let anchors = world.directory.appendingPathComponent("both-roots.pem").path
        try (try Data(contentsOf: URL(fileURLWithPath: interop.anchors)) + Data(contentsOf: URL(fileURLWithPath: world.file("anchors.pem"))))
            .write(to: URL(fileURLWithPath: anchors))
        let (status, report) = try Interop.signetVerify(signed, anchors: anchors)
        #expect(status == 0)
        #expect(Interop.successCodes(report).prefix(2) == ["timeStamp.validated", "timeStamp.trusted"])
        let oracle = try Interop.oracleRead(signed, anchors: anchors)
        #expect(oracle.state == "Trusted")
        #expect(oracle.success?.contains("timeStamp.trusted") == true)

        // A TSA that is not there: a clear error, exit status 6, no output file.
        let missing = world.directory.appendingPathComponent("tsa-missing.jpg").path
        let bad = try Interop.signet([
            "sign", interop.jpeg, "-o", missing, "--key", interop.key("es256"), "--cert", interop.chain("es256"), "--tsa-url", "http://127.0.0.1:9/",
        ])
        #expect(bad.status == 6, "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
