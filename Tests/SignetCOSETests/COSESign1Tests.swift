import Crypto
import _CryptoExtras
import Foundation
import SignetCBOR
import SignetCOSE
import Testing
import X509

private let payload: [UInt8] = Array("a C2PA claim, detached".utf8)

@Test(arguments: COSEAlgorithm.all)
func signThenVerifyRoundTripsForEveryAlgorithm(algorithm: COSEAlgorithm) async throws {
    let key = makeKey(for: algorithm)
    let certificate = try makeCertificate(for: key)
    let signer = try SoftwareSigner(key: key, algorithm: algorithm, certificateChain: [certificate])
    let signed = try await COSESign1.sign(detachedPayload: payload, signer: signer)
    #expect(signed.payload == nil)
    #expect(signed.algorithm == algorithm)

    let decoded = try COSESign1(decoding: signed.encoded())
    #expect(decoded.protectedHeaderBytes == signed.protectedHeaderBytes)
    #expect(decoded.algorithm == algorithm)
    #expect(try decoded.requireAlgorithm() == algorithm)
    #expect(decoded.x5chain?.certificates == [certificate])
    #expect(decoded.x5chain?.inProtectedHeader == true)
    #expect(decoded.verify(detachedPayload: payload, publicKey: try key.certificatePublicKey) == .valid)
    #expect(decoded.verify(detachedPayload: payload, certificateDER: certificate) == .valid)
    let leaf = try Certificate(derEncoded: certificate)
    #expect(decoded.verify(detachedPayload: payload, publicKey: leaf.publicKey) == .valid)
}

@Test(arguments: COSEAlgorithm.all)
func tamperedPayloadSignatureOrProtectedHeaderIsInvalid(algorithm: COSEAlgorithm) async throws {
    let key = makeKey(for: algorithm)
    let publicKey = try key.certificatePublicKey
    let signed = try await COSESign1.sign(detachedPayload: payload, signer: SoftwareSigner(key: key, algorithm: algorithm))

    var changedPayload = payload
    changedPayload[0] ^= 1
    #expect(signed.verify(detachedPayload: changedPayload, publicKey: publicKey) == .invalidSignature)
    #expect(signed.verify(detachedPayload: [], publicKey: publicKey) == .invalidSignature)

    var badSignature = signed
    badSignature.signature[badSignature.signature.count / 2] ^= 0x40
    #expect(badSignature.verify(detachedPayload: payload, publicKey: publicKey) == .invalidSignature)

    // Same algorithm, one more protected header entry: the protected bytes differ from those signed.
    var badHeader = signed
    badHeader.protectedHeader.append(CBOR.MapEntry(3, "application/c2pa"))
    badHeader.protectedHeaderBytes = CBOREncoder().encode(.map(badHeader.protectedHeader))
    #expect(badHeader.algorithm == algorithm)
    #expect(badHeader.verify(detachedPayload: payload, publicKey: publicKey) == .invalidSignature)

    // Verification uses the protected bytes as received, not a re-encoding of the decoded header:
    // a non-shortest but equivalent encoding of the same header does not verify.
    var reencoded = signed
    reencoded.protectedHeaderBytes = [0xb8, 0x01] + signed.protectedHeaderBytes.dropFirst()
    #expect(reencoded.verify(detachedPayload: payload, publicKey: publicKey) == .invalidSignature)
}

@Test func verifyingWithAKeyOfTheWrongTypeIsAKeyAlgorithmMismatch() async throws {
    let p256 = makeKey(for: .es256)
    let es256 = try await COSESign1.sign(detachedPayload: payload, signer: SoftwareSigner(key: p256))
    for other in [COSEAlgorithm.es384, .es512, .ed25519, .ps256] {
        let key = try makeKey(for: other).certificatePublicKey
        #expect(es256.verify(detachedPayload: payload, publicKey: key) == .keyAlgorithmMismatch)
    }
    let ps256 = try await COSESign1.sign(detachedPayload: payload, signer: SoftwareSigner(key: .rsa(sharedRSAKey)))
    #expect(ps256.verify(detachedPayload: payload, publicKey: try p256.certificatePublicKey) == .keyAlgorithmMismatch)
    let ed = try await COSESign1.sign(detachedPayload: payload, signer: SoftwareSigner(key: makeKey(for: .ed25519)))
    #expect(ed.verify(detachedPayload: payload, publicKey: try p256.certificatePublicKey) == .keyAlgorithmMismatch)
    // A valid key for another algorithm of the same family is still a mismatch: ES384 needs P-384.
    let p384Signed = try await COSESign1.sign(detachedPayload: payload, signer: SoftwareSigner(key: makeKey(for: .es384)))
    #expect(p384Signed.verify(detachedPayload: payload, publicKey: try p256.certificatePublicKey) == .keyAlgorithmMismatch)
    // An unparseable SPKI is reported the same way.
    #expect(es256.verify(detachedPayload: payload, subjectPublicKeyInfoDER: [0x30, 0x00]) == .keyAlgorithmMismatch)
}

@Test func ecdsaSignaturesOfTheWrongLengthOrInDERFormAreRejected() async throws {
    let key = P256.Signing.PrivateKey()
    let publicKey = Certificate.PublicKey(key.publicKey)
    let signed = try await COSESign1.sign(detachedPayload: payload, signer: SoftwareSigner(key: .p256(key)))
    #expect(signed.signature.count == 64)
    var longer = signed
    longer.signature.append(0)
    #expect(longer.verify(detachedPayload: payload, publicKey: publicKey) == .invalidSignature)
    var shorter = signed
    shorter.signature.removeLast()
    #expect(shorter.verify(detachedPayload: payload, publicKey: publicKey) == .invalidSignature)
    var der = signed
    der.signature = Array(try P256.Signing.ECDSASignature(rawRepresentation: signed.signature).derRepresentation)
    #expect(der.verify(detachedPayload: payload, publicKey: publicKey) == .invalidSignature)
    var empty = signed
    empty.signature = []
    #expect(empty.verify(detachedPayload: payload, publicKey: publicKey) == .invalidSignature)
}

@Test func missingOrUnknownAlgorithmsAreUnsupported() throws {
    let key = try makeKey(for: .es256).certificatePublicKey
    let unknown = COSESign1(protectedHeader: [.init(1, -999)], payload: nil, signature: [1])
    #expect(unknown.verify(detachedPayload: payload, publicKey: key) == .unsupportedAlgorithm)
    #expect(throws: COSEError.self) { try unknown.requireAlgorithm() }
    do { _ = try unknown.requireAlgorithm() } catch { #expect(error.code == .unsupportedAlgorithm) }

    let missing = COSESign1(protectedHeader: [], payload: nil, signature: [1])
    #expect(missing.protectedHeaderBytes == [])
    #expect(missing.algorithm == nil)
    #expect(missing.verify(detachedPayload: payload, publicKey: key) == .unsupportedAlgorithm)
    do { _ = try missing.requireAlgorithm() } catch { #expect(error.code == .missingAlgorithm) }

    let textAlg = COSESign1(protectedHeader: [.init(1, "ES256")], payload: nil, signature: [1])
    #expect(textAlg.algorithm == nil)
    #expect(textAlg.verify(detachedPayload: payload, publicKey: key) == .unsupportedAlgorithm)
}

@Test func sigStructureHasTheRFC9052Layout() {
    let bytes = COSESign1.sigStructure(protectedHeaderBytes: hex("a10126"), payload: [1, 2, 3, 4])
    #expect(bytes == hex("84 6a5369676e617475726531 43a10126 40 4401020304"))
    let withAAD = COSESign1.sigStructure(protectedHeaderBytes: [], externalAAD: [9], payload: [])
    #expect(withAAD == hex("84 6a5369676e617475726531 40 4109 40"))
}

@Test func signedProtectedHeaderHasAlgThenX5ChainAsBstrOrArray() async throws {
    let key = makeKey(for: .es256)
    let one = try await COSESign1.sign(
        detachedPayload: payload, signer: SoftwareSigner(key: key, certificateChain: [[0xaa, 0xbb]]))
    #expect(one.protectedHeaderBytes == hex("a2 0126 1821 42aabb"))
    let two = try await COSESign1.sign(
        detachedPayload: payload, signer: SoftwareSigner(key: key, certificateChain: [[0xaa], [0xbb]]))
    #expect(two.protectedHeaderBytes == hex("a2 0126 1821 82 41aa 41bb"))
    #expect(two.x5chain?.certificates == [[0xaa], [0xbb]])
    let none = try await COSESign1.sign(detachedPayload: payload, signer: SoftwareSigner(key: key))
    #expect(none.protectedHeaderBytes == hex("a1 0126"))
    #expect(none.x5chain == nil)
    let withUnprotected = try await COSESign1.sign(
        detachedPayload: payload, signer: SoftwareSigner(key: key), unprotectedHeader: [.init("sigTst", [1])])
    let decoded = try COSESign1(decoding: withUnprotected.encoded())
    #expect(decoded.unprotectedHeader == [.init("sigTst", [1])])
}

@Test func x5chainInTheUnprotectedHeaderIsReportedAsSuch() throws {
    let message = COSESign1(
        protectedHeader: [.init(1, -7)], unprotectedHeader: [.init(33, .byteString([1, 2]))],
        payload: nil, signature: [0])
    let decoded = try COSESign1(decoding: message.encoded())
    #expect(decoded.x5chain?.certificates == [[1, 2]])
    #expect(decoded.x5chain?.inProtectedHeader == false)
}

@Test func signersReturningDERECDSAAreConvertedAndBadSignaturesRejected() async throws {
    let key = P384.Signing.PrivateKey()
    let derSigner = FixedSigner(algorithm: .es384) { tbs in
        Array(try key.signature(for: tbs).derRepresentation)
    }
    let signed = try await COSESign1.sign(detachedPayload: payload, signer: derSigner)
    #expect(signed.signature.count == 96)
    #expect(signed.verify(detachedPayload: payload, publicKey: Certificate.PublicKey(key.publicKey)) == .valid)

    let garbage = FixedSigner(algorithm: .es256) { _ in [1, 2, 3] }
    await #expect { try await COSESign1.sign(detachedPayload: payload, signer: garbage) } throws: { error in
        (error as? COSEError)?.code == .signingFailed
    }
    let shortEd = FixedSigner(algorithm: .ed25519) { _ in [UInt8](repeating: 0, count: 63) }
    await #expect { try await COSESign1.sign(detachedPayload: payload, signer: shortEd) } throws: { error in
        (error as? COSEError)?.code == .signingFailed
    }
    let unknown = FixedSigner(algorithm: COSEAlgorithm(id: -257)) { _ in [1] }
    await #expect { try await COSESign1.sign(detachedPayload: payload, signer: unknown) } throws: { error in
        (error as? COSEError)?.code == .unsupportedAlgorithm
    }
}

@Test func softwareKeysReportTheirAlgorithms() throws {
    #expect(SoftwareKey.p256(P256.Signing.PrivateKey()).defaultAlgorithm == .es256)
    #expect(SoftwareKey.p384(P384.Signing.PrivateKey()).defaultAlgorithm == .es384)
    #expect(SoftwareKey.p521(P521.Signing.PrivateKey()).defaultAlgorithm == .es512)
    #expect(SoftwareKey.ed25519(Curve25519.Signing.PrivateKey()).defaultAlgorithm == .ed25519)
    let rsa = SoftwareKey.rsa(sharedRSAKey)
    #expect(rsa.defaultAlgorithm == .ps256)
    #expect(rsa.supports(.ps384) && rsa.supports(.ps512) && !rsa.supports(.es256))
    #expect(!SoftwareKey.p256(P256.Signing.PrivateKey()).supports(.es384))
    do {
        _ = try SoftwareKey.p256(P256.Signing.PrivateKey()).sign([1], algorithm: .ps256)
        Issue.record("expected an error")
    } catch {
        #expect(error.code == .unsupportedAlgorithm)
    }
    #expect(throws: COSEError.self) { try SoftwareSigner(key: rsa, algorithm: .ed25519) }
    // PS384 and PS512 use the matching hash: a PS384 signature does not verify as PS512.
    let signature = try rsa.sign([1, 2, 3], algorithm: .ps384)
    let publicKey = sharedRSAKey.publicKey
    let s = _RSA.Signing.RSASignature(rawRepresentation: signature)
    #expect(publicKey.isValidSignature(s, for: SHA384.hash(data: [1, 2, 3]), padding: .PSS))
    #expect(!publicKey.isValidSignature(s, for: SHA512.hash(data: [1, 2, 3]), padding: .PSS))
}

@Test func algorithmNamesAndIdentifiers() {
    #expect(COSEAlgorithm.all.map(\.id) == [-7, -35, -36, -37, -38, -39, -8])
    #expect(COSEAlgorithm.all.map(\.name) == ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "Ed25519"])
    for algorithm in COSEAlgorithm.all {
        #expect(COSEAlgorithm(name: algorithm.name.lowercased()) == algorithm)
        #expect(COSEAlgorithm(name: algorithm.name.uppercased()) == algorithm)
    }
    #expect(COSEAlgorithm(name: "EdDSA") == .ed25519)
    #expect(COSEAlgorithm(name: "RS256") == nil)
    #expect(COSEAlgorithm(id: -7) == .es256)
    #expect(COSEAlgorithm(id: 99).name == "COSE(99)")
    #expect("\(COSEAlgorithm.ps512)" == "PS512")
}
