import Foundation
import Signet
import SignetCOSE
import SignetKeys
import Testing

/// CAWG X.509 identity assertions (`cawg.identity`), both ways between Signet and c2pa-rs.
@Suite(.serialized, .enabled(if: interopAvailable()))
struct IdentityInterop {
    static let identityCodes = ["cawg.x509.credential.trusted", "cawg.x509.signature.validated", "cawg.identity.well-formed"]

    static func cawg(_ codes: [String]) -> [String] { codes.filter { $0.hasPrefix("cawg.") } }

    @Test("An identity assertion Signet writes is Trusted in c2pa-rs with the identity anchors, for EC, Ed25519 and RSA identities",
          arguments: ["es256", "ed25519", "ps256"])
    func signetIdentityIsTrustedByC2paRs(identityAlg: String) throws {
        let world = try InteropWorld.get()
        let out = world.directory.appendingPathComponent("identity-\(identityAlg).jpg").path
        let sign = try Interop.signet([
            "sign", world.jpeg, "-o", out, "--key", world.key("es256"), "--cert", world.chain("es256"),
            "--identity-key", world.key(identityAlg), "--identity-cert", world.chain(identityAlg),
            "--identity-role", "cawg.creator", "--force",
        ])
        #expect(sign.status == 0, "sign failed: \(sign.stderr)")

        let oracle = try Interop.oracleRead(out, anchors: world.anchors, cawgAnchors: world.anchors)
        #expect(oracle.state == "Trusted", "c2pa-rs: \(oracle.state ?? "-") \(oracle.failure)")
        #expect(oracle.failure.isEmpty)
        #expect(Self.cawg(oracle.success ?? []) == Self.identityCodes)

        let (status, report) = try Interop.signetVerify(out, anchors: world.anchors, identityAnchors: world.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted")
        #expect(Self.cawg(Interop.successCodes(report)) == Self.identityCodes)
    }

    @Test("Without identity anchors both report Valid with cawg.x509.credential.untrusted, never Invalid")
    func identityWithoutAnchorsIsValidNotInvalid() throws {
        let world = try InteropWorld.get()
        let out = world.directory.appendingPathComponent("identity-noanchors.jpg").path
        #expect(try Interop.signet([
            "sign", world.jpeg, "-o", out, "--key", world.key("es256"), "--cert", world.chain("es256"),
            "--identity-key", world.key("es384"), "--identity-cert", world.chain("es384"), "--force",
        ]).status == 0)
        let oracle = try Interop.oracleRead(out, anchors: world.anchors)
        #expect(oracle.state == "Valid")
        #expect(oracle.failure == ["cawg.x509.credential.untrusted"])
        let (status, report) = try Interop.signetVerify(out, anchors: world.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Valid")
        #expect(Interop.failureCodes(report) == oracle.failure)
    }

    @Test("c2pa-rs's identity assertions are Trusted in Signet with the same cawg codes")
    func c2paRsIdentityIsTrustedBySignet() throws {
        let world = try InteropWorld.get()
        let out = world.directory.appendingPathComponent("crs-identity.jpg").path
        try? FileManager.default.removeItem(atPath: out)
        try Interop.oracleSign(
            world.jpeg, out, alg: "es256", cert: world.chain("es256"), key: world.key("es256"),
            identity: ("ed25519", world.chain("ed25519"), world.key("ed25519")))
        let oracle = try Interop.oracleRead(out, anchors: world.anchors, cawgAnchors: world.anchors)
        #expect(oracle.state == "Trusted")
        let (status, report) = try Interop.signetVerify(out, anchors: world.anchors, identityAnchors: world.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted")
        #expect(Self.cawg(Interop.successCodes(report)) == Self.cawg(oracle.success ?? []))
        #expect(Self.cawg(Interop.successCodes(report)) == Self.identityCodes)
    }

    @Test("An identity signature over other bytes is cawg.x509.signature.mismatch in both; the file stays Valid")
    func forgedIdentitySignatureIsAMismatchInBoth() async throws {
        let world = try InteropWorld.get()
        let out = world.directory.appendingPathComponent("identity-forged.jpg").path
        let claimSigner = try PEMKeySigner(keyPath: world.key("es256"), certificateChainPath: world.chain("es256"))
        let honest = try PEMKeySigner(keyPath: world.key("es256"), certificateChainPath: world.chain("es256"))
        var options = SignOptions()
        options.overwrite = true
        options.thumbnail = false
        options.identity = IdentityOptions(signer: LyingSigner(inner: honest), roles: ["cawg.creator"])
        _ = try await Builder(signer: claimSigner).sign(input: world.jpeg, output: out, options: options)

        let oracle = try Interop.oracleRead(out, anchors: world.anchors, cawgAnchors: world.anchors)
        #expect(oracle.state == "Valid")
        #expect(oracle.failure == ["cawg.x509.signature.mismatch"])
        let (status, report) = try Interop.signetVerify(out, anchors: world.anchors, identityAnchors: world.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Valid")
        #expect(Interop.failureCodes(report) == oracle.failure)
    }

    @Test("Changing a byte of the identity assertion breaks the claim's hashed URI: Invalid in both")
    func tamperedIdentityAssertionIsInvalidInBoth() throws {
        let world = try InteropWorld.get()
        let signed = world.directory.appendingPathComponent("identity-tamper-src.jpg").path
        let tampered = world.directory.appendingPathComponent("identity-tampered.jpg").path
        #expect(try Interop.signet([
            "sign", world.jpeg, "-o", signed, "--key", world.key("es256"), "--cert", world.chain("es256"),
            "--identity-key", world.key("es256"), "--identity-cert", world.chain("es256"), "--identity-role", "cawg.creator", "--force",
        ]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: signed))
        // The role text is inside the identity assertion's signer payload: "cawg.creator" -> "cawg.creatos".
        let needle = Data("cawg.creator".utf8)
        let range = try #require(bytes.range(of: needle))
        bytes[range.upperBound - 1] = UInt8(ascii: "s")
        try bytes.write(to: URL(fileURLWithPath: tampered))

        let oracle = try Interop.oracleRead(tampered, anchors: world.anchors, cawgAnchors: world.anchors)
        #expect(oracle.state == "Invalid")
        #expect(oracle.failure.contains("assertion.hashedURI.mismatch"))
        let (status, report) = try Interop.signetVerify(tampered, anchors: world.anchors, identityAnchors: world.anchors)
        #expect(status == 1)
        #expect(report["validation_state"]?.stringValue == "Invalid")
        #expect(Interop.failureCodes(report).contains("assertion.hashedURI.mismatch"))
    }
}

/// A signer that signs something other than what it is given: a forged identity signature.
struct LyingSigner: COSESigner {
    let inner: PEMKeySigner
    var algorithm: COSEAlgorithm { inner.algorithm }
    var certificateChain: [[UInt8]] { inner.certificateChain }
    func sign(_ toBeSigned: [UInt8]) async throws -> [UInt8] { try await inner.sign(toBeSigned + [0]) }
}
