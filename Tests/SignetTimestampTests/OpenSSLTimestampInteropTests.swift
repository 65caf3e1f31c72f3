import Crypto
import Foundation
import SignetTimestamp
import SwiftASN1
import Testing
import X509

/// The `openssl` command line tool, when installed.
enum OpenSSLTool {
    static let path: String? = {
        var candidates = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"]
        if let searchPath = ProcessInfo.processInfo.environment["PATH"] {
            candidates += searchPath.split(separator: ":").map { "\($0)/openssl" }
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The path, or nil after printing why the calling test is skipped.
    static func available(_ test: String) -> String? {
        if path == nil { print("note: openssl not found; skipping \(test)") }
        return path
    }

    /// Runs openssl in `directory`; returns the exit status and stdout and stderr together.
    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let outputURL = directory.appendingPathComponent("openssl-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: outputURL)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output)
    }
}

/// A scratch directory holding the test PKI as PEM files, removed by `cleanUp()`.
struct InteropWorkspace {
    let directory: URL
    let pki: TSAPKI

    init(_ pki: TSAPKI) throws {
        self.pki = pki
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("signet-tsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try write("root.pem", Array(try TSAPKI.pem([pki.root]).utf8))
        try write("tsa-chain.pem", Array(try TSAPKI.pem([pki.tsa, pki.intermediate]).utf8))
    }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    func openssl(_ arguments: String...) throws -> (status: Int32, output: String) {
        try OpenSSLTool.run(arguments, in: directory)
    }

    func verify(response: String, data: String, extra: [String] = []) throws -> (status: Int32, output: String) {
        try OpenSSLTool.run(
            ["ts", "-verify", "-in", response, "-data", data, "-CAfile", "root.pem", "-untrusted", "tsa-chain.pem"]
                + extra, in: directory)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }
}

/// Real-component interop: OpenSSL's `ts` command as the client, Signet's ``TimeStampAuthority`` as the TSA.
@Suite struct OpenSSLTimestampInteropTests {
    static let data = Array("Signet time-stamp interop payload\n".utf8)

    @Test func opensslQueryWithNonceIsParsedAnsweredAndVerifiesOK() throws {
        guard OpenSSLTool.available("opensslQueryWithNonceIsParsedAnsweredAndVerifiesOK") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI())
        defer { workspace.cleanUp() }
        try workspace.write("data.bin", Self.data)
        let query = try workspace.openssl("ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "req.tsq")
        #expect(query.status == 0, "\(query.output)")

        let requestDER = try workspace.read("req.tsq")
        let request = try TimeStampRequest(derEncoded: requestDER)
        #expect(request.version == 1)
        #expect(request.messageImprint.hashAlgorithm == .sha256)
        #expect(request.messageImprint.hashedMessage == Array(SHA256.hash(data: Self.data)))
        #expect(request.certificateRequested)
        #expect(request.nonce != nil)
        #expect(request.policy == nil)
        #expect(request.derEncoded == requestDER)  // re-encodes to OpenSSL's exact bytes

        let authority = try workspace.pki.authority()
        let response = authority.respond(to: requestDER)
        #expect(response.status == .granted, "\(response.statusStrings)")
        try workspace.write("resp.tsr", response.derEncoded)
        let info = try tokenInfo(try #require(response.timeStampToken))
        #expect(info.nonce == request.nonce)

        let verified = try workspace.verify(response: "resp.tsr", data: "data.bin")
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("Verification: OK"), "\(verified.output)")
        // Against the query itself: OpenSSL also checks the nonce, imprint and certReq.
        let byQuery = try workspace.openssl(
            "ts", "-verify", "-in", "resp.tsr", "-queryfile", "req.tsq", "-CAfile", "root.pem", "-untrusted",
            "tsa-chain.pem")
        #expect(byQuery.output.contains("Verification: OK"), "\(byQuery.output)")
    }

    @Test func opensslQueryWithoutNonceVerifiesOK() throws {
        guard OpenSSLTool.available("opensslQueryWithoutNonceVerifiesOK") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI())
        defer { workspace.cleanUp() }
        try workspace.write("data.bin", Self.data)
        let query = try workspace.openssl(
            "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-no_nonce", "-out", "req.tsq")
        #expect(query.status == 0, "\(query.output)")
        let request = try TimeStampRequest(derEncoded: try workspace.read("req.tsq"))
        #expect(request.nonce == nil)
        let response = try workspace.pki.authority().issue(request: request)
        try workspace.write("resp.tsr", response.derEncoded)
        #expect(try tokenInfo(try #require(response.timeStampToken)).nonce == nil)
        let verified = try workspace.verify(response: "resp.tsr", data: "data.bin")
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("Verification: OK"), "\(verified.output)")
    }

    @Test func opensslQueryWithoutCertReqGetsTokenWithoutCertificatesThatVerifiesWithUntrustedChain() throws {
        guard OpenSSLTool.available("opensslQueryWithoutCertReq...") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI())
        defer { workspace.cleanUp() }
        try workspace.write("data.bin", Self.data)
        _ = try workspace.openssl("ts", "-query", "-data", "data.bin", "-sha384", "-out", "req.tsq")
        let request = try TimeStampRequest(derEncoded: try workspace.read("req.tsq"))
        #expect(!request.certificateRequested)
        let response = try workspace.pki.authority().issue(request: request)
        #expect(try TimeStampToken(derEncoded: try #require(response.timeStampToken)).certificates == nil)
        try workspace.write("resp.tsr", response.derEncoded)
        let verified = try workspace.verify(response: "resp.tsr", data: "data.bin")
        #expect(verified.output.contains("Verification: OK"), "\(verified.output)")
    }

    @Test func opensslReplyTextShowsPolicySerialNonceAndTSAName() throws {
        guard OpenSSLTool.available("opensslReplyTextShowsPolicySerialNonceAndTSAName") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI())
        defer { workspace.cleanUp() }
        try workspace.write("data.bin", Self.data)
        _ = try workspace.openssl(
            "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-tspolicy", TSAPKI.policy.description, "-out",
            "req.tsq")
        let request = try TimeStampRequest(derEncoded: try workspace.read("req.tsq"))
        #expect(request.policy == TSAPKI.policy)
        let nonce = try #require(request.nonce)
        var authority = try workspace.pki.authority(serialNumbers: .sequential(startingAt: 0x1234_5678_9A))
        authority.accuracy = try TimeStampAccuracy(seconds: 1, millis: 500)
        authority.includesTSAName = true
        authority.timePrecision = .milliseconds
        let response = authority.issue(request: request, at: Date(timeIntervalSince1970: 1_750_000_000.125))
        try workspace.write("resp.tsr", response.derEncoded)

        let text = try workspace.openssl("ts", "-reply", "-in", "resp.tsr", "-text")
        #expect(text.status == 0, "\(text.output)")
        let lines = text.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains("Status: Granted."), "\(text.output)")
        #expect(lines.contains("Policy OID: \(TSAPKI.policy)"), "\(text.output)")
        #expect(lines.contains("Serial number: 0x123456789A"), "\(text.output)")
        #expect(lines.contains("Nonce: \(nonce)"), "\(text.output)")
        #expect(lines.contains("Time stamp: Jun 15 15:06:40.125 2025 GMT"), "\(text.output)")
        #expect(lines.contains("Accuracy: 0x01 seconds, 0x01F4 millis, unspecified micros"), "\(text.output)")
        #expect(lines.contains("Ordering: no"), "\(text.output)")
        #expect(lines.contains { $0.hasPrefix("TSA: DirName:") && $0.contains("Signet Test TSA") }, "\(text.output)")
        #expect(lines.contains("Hash Algorithm: sha256"), "\(text.output)")

        // The same response still verifies, fractional genTime, accuracy and TSA name included.
        let verified = try workspace.verify(response: "resp.tsr", data: "data.bin")
        #expect(verified.output.contains("Verification: OK"), "\(verified.output)")
    }

    @Test func tamperedDataFileFailsOpenSSLVerification() throws {
        guard OpenSSLTool.available("tamperedDataFileFailsOpenSSLVerification") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI())
        defer { workspace.cleanUp() }
        try workspace.write("data.bin", Self.data)
        _ = try workspace.openssl("ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "req.tsq")
        let response = try workspace.pki.authority().respond(to: try workspace.read("req.tsq"))
        try workspace.write("resp.tsr", response.derEncoded)
        var tampered = Self.data
        tampered[0] ^= 0x01
        try workspace.write("tampered.bin", tampered)
        let verified = try workspace.verify(response: "resp.tsr", data: "tampered.bin")
        #expect(verified.status != 0, "\(verified.output)")
        #expect(!verified.output.contains("Verification: OK"), "\(verified.output)")
        #expect(verified.output.contains("Verification: FAILED"), "\(verified.output)")
        // The untampered file still verifies.
        #expect(try workspace.verify(response: "resp.tsr", data: "data.bin").output.contains("Verification: OK"))
    }

    @Test func untrustedRootFailsOpenSSLVerification() throws {
        guard OpenSSLTool.available("untrustedRootFailsOpenSSLVerification") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI())
        defer { workspace.cleanUp() }
        try workspace.write("data.bin", Self.data)
        try workspace.write("other-root.pem", Array(try TSAPKI.pem([try TSAPKI().root]).utf8))
        _ = try workspace.openssl("ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-out", "req.tsq")
        try workspace.write(
            "resp.tsr", try workspace.pki.authority().respond(to: try workspace.read("req.tsq")).derEncoded)
        let verified = try workspace.openssl(
            "ts", "-verify", "-in", "resp.tsr", "-data", "data.bin", "-CAfile", "other-root.pem", "-untrusted",
            "tsa-chain.pem")
        #expect(verified.status != 0)
        #expect(!verified.output.contains("Verification: OK"), "\(verified.output)")
    }

    /// Ed25519 is left out here and below: OpenSSL 3.0's `ts -verify` (PKCS #7 code: "operation not supported for
    /// this keytype") and `cms -verify` (no md-less signatures with signed attributes, openssl/openssl#11915) cannot
    /// verify Ed25519 SignedData. The module's own validator checks Ed25519 tokens (AuthorityTests).
    @Test(arguments: [TSAPKI.KeyKind.p384, .p521, .rsa])
    func otherTSAKeyTypesVerifyInOpenSSL(kind: TSAPKI.KeyKind) throws {
        guard OpenSSLTool.available("otherTSAKeyTypesVerifyInOpenSSL(\(kind))") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI(kind))
        defer { workspace.cleanUp() }
        try workspace.write("data.bin", Self.data)
        _ = try workspace.openssl("ts", "-query", "-data", "data.bin", "-sha512", "-cert", "-out", "req.tsq")
        let response = try workspace.pki.authority().respond(to: try workspace.read("req.tsq"))
        #expect(response.status == .granted)
        try workspace.write("resp.tsr", response.derEncoded)
        let verified = try workspace.verify(response: "resp.tsr", data: "data.bin")
        #expect(verified.output.contains("Verification: OK"), "\(kind): \(verified.output)")
    }

    @Test(arguments: [TSAPKI.KeyKind.p256, .p384, .p521, .rsa])
    func opensslCMSVerifiesTheSignedDataAndExtractsTheSameTSTInfo(kind: TSAPKI.KeyKind) throws {
        guard OpenSSLTool.available("opensslCMSVerifiesTheSignedData(\(kind))") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI(kind))
        defer { workspace.cleanUp() }
        let token = try workspace.pki.authority().token(imprint: Array(SHA256.hash(data: Self.data)))
        try workspace.write("token.der", token)
        // -purpose any: the TSA certificate's only EKU is id-kp-timeStamping, not S/MIME.
        let verified = try workspace.openssl(
            "cms", "-verify", "-inform", "DER", "-in", "token.der", "-CAfile", "root.pem", "-purpose", "any",
            "-binary", "-out", "tstinfo.der")
        #expect(verified.status == 0, "\(kind): \(verified.output)")
        #expect(verified.output.contains("Verification successful"), "\(kind): \(verified.output)")
        #expect(try workspace.read("tstinfo.der") == (try TimeStampToken(derEncoded: token).encapsulatedContent))
    }

    @Test func convenienceTokenVerifiesInOpenSSLAsBareToken() throws {
        guard OpenSSLTool.available("convenienceTokenVerifiesInOpenSSLAsBareToken") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI())
        defer { workspace.cleanUp() }
        let digest = Array(SHA256.hash(data: Self.data))
        let token = try workspace.pki.authority().token(imprint: digest, nonce: TimeStampInteger(42))
        try workspace.write("token.der", token)
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        let verified = try workspace.openssl(
            "ts", "-verify", "-in", "token.der", "-token_in", "-digest", hex, "-CAfile", "root.pem", "-untrusted",
            "tsa-chain.pem")
        #expect(verified.output.contains("Verification: OK"), "\(verified.output)")
        let text = try workspace.openssl("ts", "-reply", "-in", "token.der", "-token_in", "-text")
        #expect(text.output.contains("Nonce: 0x2A"), "\(text.output)")
    }

    @Test func opensslPrintsSignetRejections() throws {
        guard OpenSSLTool.available("opensslPrintsSignetRejections") != nil else { return }
        let workspace = try InteropWorkspace(try TSAPKI())
        defer { workspace.cleanUp() }
        try workspace.write("data.bin", Self.data)
        _ = try workspace.openssl(
            "ts", "-query", "-data", "data.bin", "-sha256", "-cert", "-tspolicy", "1.2.3.4.5", "-out", "req.tsq")
        let response = try workspace.pki.authority().respond(to: try workspace.read("req.tsq"))
        #expect(response.status == .rejection)
        #expect(response.failureInfo == .unacceptedPolicy)
        try workspace.write("resp.tsr", response.derEncoded)
        let text = try workspace.openssl("ts", "-reply", "-in", "resp.tsr", "-text")
        #expect(text.output.contains("Status: Rejected."), "\(text.output)")
        #expect(text.output.contains("Status description: policy 1.2.3.4.5 is not supported"), "\(text.output)")
        #expect(
            text.output.contains("Failure info: the requested TSA policy is not supported by the TSA"),
            "\(text.output)")
        #expect(text.output.contains("TST info:\nNot included."), "\(text.output)")

        // SHA-1 is not accepted by default: badAlg.
        _ = try workspace.openssl("ts", "-query", "-data", "data.bin", "-sha1", "-out", "sha1.tsq")
        let sha1 = try workspace.pki.authority().respond(to: try workspace.read("sha1.tsq"))
        #expect(sha1.failureInfo == .badAlg)
        try workspace.write("sha1.tsr", sha1.derEncoded)
        let sha1Text = try workspace.openssl("ts", "-reply", "-in", "sha1.tsr", "-text")
        #expect(
            sha1Text.output.contains("Failure info: unrecognized or unsupported algorithm identifier"),
            "\(sha1Text.output)")
    }
}
