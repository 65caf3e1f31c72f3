import Foundation
import SignetCBOR
import SignetCOSE
import SignetKeys
import SignetTrust
import Testing

@testable import Signet

struct IdentityAssertionModelTests {
    static func payload(roles: [String] = ["cawg.creator"]) -> IdentityAssertion.SignerPayload {
        IdentityAssertion.SignerPayload(
            referencedAssertions: [
                HashedURI(url: "self#jumbf=c2pa.assertions/c2pa.hash.data", hash: [UInt8](repeating: 0xAB, count: 32)),
                HashedURI(url: "self#jumbf=c2pa.assertions/c2pa.actions.v2", hash: [UInt8](repeating: 0xCD, count: 32)),
            ], sigType: IdentityAssertion.x509SigType, roles: roles)
    }

    @Test("Zero padding reaches every target size from the bare size up, across CBOR length-header boundaries")
    func paddingHitsEverySize() throws {
        let a = IdentityAssertion(signerPayload: Self.payload(), signature: [UInt8](repeating: 1, count: 300))
        var bare = a
        bare.pad1 = []
        let base = CBOREncoder().encode(bare.cbor).count
        for size in Array(base..<(base + 400)) + [base + 65_530, base + 65_540, base + 70_000] {
            let bytes = try #require(a.encoded(size: size), "no encoding at \(size)")
            #expect(bytes.count == size)
            let back = try IdentityAssertion(cbor: try CBORDecoder().decode(bytes))
            #expect(back.paddingIsZero)
            #expect(back.signerPayload == a.signerPayload)
            #expect(back.signature == a.signature)
        }
        #expect(a.encoded(size: base - 1) == nil)
    }

    @Test("The canonical signer payload lists referenced_assertions, sig_type, then role, and leaves out an empty role")
    func canonicalForm() throws {
        let bytes = Self.payload().canonicalBytes
        let keys = try CBORDecoder().decode(bytes).mapEntries?.compactMap(\.key.stringValue)
        #expect(keys == ["referenced_assertions", "sig_type", "role"])
        let noRole = try CBORDecoder().decode(Self.payload(roles: []).canonicalBytes).mapEntries?.compactMap(\.key.stringValue)
        #expect(noRole == ["referenced_assertions", "sig_type"])
        // A hashed URI is url, (alg), hash.
        let first = try CBORDecoder().decode(bytes)["referenced_assertions"]?.arrayValue?.first?.mapEntries?.compactMap(\.key.stringValue)
        #expect(first == ["url", "hash"])
    }

    @Test("Malformed identity assertions throw a typed error: wrong types, missing fields, unknown fields kept aside")
    func malformed() throws {
        let good = IdentityAssertion(signerPayload: Self.payload(), signature: [1, 2, 3]).cbor
        #expect(throws: IdentityAssertionError.self) { try IdentityAssertion(cbor: .array([])) }
        #expect(throws: IdentityAssertionError.self) { try IdentityAssertion(cbor: .map([.init("signature", .byteString([]))])) }
        for (key, bad) in [("signature", CBOR.textString("x")), ("pad1", .int(0)), ("pad2", .array([]))] {
            let entries = (good.mapEntries ?? []).filter { $0.key.stringValue != key } + [.init(.textString(key), bad)]
            #expect(throws: IdentityAssertionError.self) { try IdentityAssertion(cbor: .map(entries)) }
        }
        for (key, bad) in [("referenced_assertions", CBOR.int(1)), ("sig_type", .int(1)), ("role", .textString("x"))] {
            var payload = (Self.payload().cbor.mapEntries ?? []).filter { $0.key.stringValue != key }
            payload.append(.init(.textString(key), bad))
            #expect(throws: IdentityAssertionError.self) {
                try IdentityAssertion(cbor: .map([.init("signer_payload", .map(payload)), .init("signature", .byteString([]))]))
            }
        }
        var extra = Self.payload().cbor.mapEntries ?? []
        extra.append(.init("surprise", .int(1)))
        let parsed = try IdentityAssertion.SignerPayload(cbor: .map(extra))
        #expect(parsed.unknownFields == ["surprise"])
        // Every strict prefix of an encoded assertion is rejected by the decoder before the model sees it.
        let bytes = CBOREncoder().encode(good)
        for n in 0..<bytes.count {
            #expect(throws: (any Error).self) { try IdentityAssertion(cbor: try CBORDecoder().decode(Array(bytes[0..<n]))) }
        }
    }
}

@Suite(.serialized)
struct IdentityValidationTests {
    let world: EndToEndWorld
    init() throws { world = try EndToEndWorld.shared.get() }

    func sign(_ name: String, identity: IdentityOptions?) async throws -> String {
        let input = try world.write(SyntheticAsset.jpeg(), name + ".jpg")
        let out = world.path(name + "-signed.jpg")
        var options = SignOptions()
        options.overwrite = true
        options.identity = identity
        _ = try await Builder(signer: try world.signer()).sign(input: input, output: out, options: options)
        return out
    }

    func cawgCodes(_ s: [ValidationStatus]) -> [String] { s.map(\.code.rawValue).filter { $0.hasPrefix("cawg.") } }

    @Test("An identity signed in-process is Trusted with identity anchors, untrusted (state Valid) without, and named in the report")
    func identityTrust() async throws {
        let out = try await sign("id", identity: IdentityOptions(signer: try world.signer(.ed25519), roles: ["cawg.editor"]))
        let anchors = try TrustSettings(anchorsPEM: world.anchors)
        let trusted = try await Verifier(trust: anchors, identityTrust: anchors).verify(path: out)
        #expect(trusted.state == .trusted)
        #expect(cawgCodes(trusted.activeManifest?.statuses.success ?? []) == [
            "cawg.x509.credential.trusted", "cawg.x509.signature.validated", "cawg.identity.well-formed",
        ])
        let identity = try #require(trusted.activeManifest?.identities.first)
        #expect(identity.roles == ["cawg.editor"])
        #expect(identity.commonName?.contains("Ed25519") == true)
        #expect(identity.referencedLabels.first == "c2pa.hash.data")
        #expect(identity.trusted && identity.signatureValid)

        let untrusted = try await Verifier(trust: anchors).verify(path: out)
        #expect(untrusted.state == .valid)
        #expect(cawgCodes(untrusted.activeManifest?.statuses.failure ?? []) == ["cawg.x509.credential.untrusted"])
    }

    @Test("A forged identity signature is cawg.x509.signature.mismatch, and the claim still validates")
    func forged() async throws {
        let out = try await sign("forged", identity: IdentityOptions(signer: Forger(inner: try world.signer())))
        let anchors = try TrustSettings(anchorsPEM: world.anchors)
        let r = try await Verifier(trust: anchors, identityTrust: anchors).verify(path: out)
        #expect(r.state == .valid)
        #expect(cawgCodes(r.activeManifest?.statuses.failure ?? []) == ["cawg.x509.signature.mismatch"])
        #expect(r.activeManifest?.statuses.success.contains { $0.code == .claimSignatureValidated } == true)
    }
}

/// Signs other bytes than asked: a forged signature.
struct Forger: COSESigner {
    let inner: PEMKeySigner
    var algorithm: COSEAlgorithm { inner.algorithm }
    var certificateChain: [[UInt8]] { inner.certificateChain }
    func sign(_ toBeSigned: [UInt8]) async throws -> [UInt8] { try await inner.sign(Array(toBeSigned.reversed())) }
}
