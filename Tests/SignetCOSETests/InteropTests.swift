import Crypto
import _CryptoExtras
import Foundation
import SignetCBOR
import SignetCOSE
import SwiftASN1
import Testing
import X509

private let claim: [UInt8] = Array("claim bytes for interop".utf8)

/// Signs `data` with openssl using the PEM private key at `keyPath`, as COSE `algorithm` requires;
/// returns openssl's output (DER for ECDSA).
private func opensslSign(_ data: [UInt8], keyPath: String, algorithm: COSEAlgorithm, in dir: URL) throws -> [UInt8] {
    let input = dir.appendingPathComponent("tbs-\(UUID().uuidString).bin")
    try Data(data).write(to: input)
    let output: Data
    switch algorithm {
    case .ed25519:
        output = try openssl(["pkeyutl", "-sign", "-rawin", "-inkey", keyPath, "-in", input.path])
    case .ps256, .ps384, .ps512:
        let digest = algorithm == .ps256 ? "-sha256" : algorithm == .ps384 ? "-sha384" : "-sha512"
        output = try openssl([
            "dgst", digest, "-sign", keyPath, "-sigopt", "rsa_padding_mode:pss",
            "-sigopt", "rsa_pss_saltlen:digest", "-sigopt", "rsa_mgf1_md:\(digest.dropFirst())", input.path,
        ])
    default:
        let digest = algorithm == .es256 ? "-sha256" : algorithm == .es384 ? "-sha384" : "-sha512"
        output = try openssl(["dgst", digest, "-sign", keyPath, input.path])
    }
    return Array(output)
}

/// A COSESigner that shells out to openssl (tolerated DER ECDSA output is converted by COSESign1.sign).
private struct OpenSSLSigner: COSESigner {
    var algorithm: COSEAlgorithm
    var certificateChain: [[UInt8]]
    var keyPath: String
    var directory: URL
    func sign(_ toBeSigned: [UInt8]) async throws -> [UInt8] {
        try opensslSign(toBeSigned, keyPath: keyPath, algorithm: algorithm, in: directory)
    }
}

@Test(arguments: COSEAlgorithm.all)
func opensslSignaturesVerifyInSwiftAndSwiftSignaturesVerifyInOpenSSL(algorithm: COSEAlgorithm) async throws {
    guard opensslPath != nil else {
        print("note: openssl not installed; skipping openssl cross-check for \(algorithm)")
        return
    }
    let dir = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let keyPath = dir.appendingPathComponent("key.pem").path
    let publicPath = dir.appendingPathComponent("pub.pem").path
    switch algorithm {
    case .es256: try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyPath])
    case .es384: try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", keyPath])
    case .es512: try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521", "-out", keyPath])
    case .ed25519: try openssl(["genpkey", "-algorithm", "ED25519", "-out", keyPath])
    default: try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyPath])
    }
    try openssl(["pkey", "-in", keyPath, "-pubout", "-out", publicPath])
    let spki = try pemBlocks(String(contentsOfFile: publicPath, encoding: .utf8))[0]

    // openssl signs, Swift verifies.
    let signer = OpenSSLSigner(algorithm: algorithm, certificateChain: [], keyPath: keyPath, directory: dir)
    let signed = try await COSESign1.sign(detachedPayload: claim, signer: signer)
    let decoded = try COSESign1(decoding: signed.encoded())
    #expect(decoded.verify(detachedPayload: claim, subjectPublicKeyInfoDER: spki) == .valid)
    #expect(decoded.verify(detachedPayload: claim + [0], subjectPublicKeyInfoDER: spki) == .invalidSignature)

    // Swift signs with the same key file, openssl verifies the Sig_structure.
    let pem = try String(contentsOfFile: keyPath, encoding: .utf8)
    let key: SoftwareKey
    switch algorithm {
    case .es256: key = .p256(try P256.Signing.PrivateKey(pemRepresentation: pem))
    case .es384: key = .p384(try P384.Signing.PrivateKey(pemRepresentation: pem))
    case .es512: key = .p521(try P521.Signing.PrivateKey(pemRepresentation: pem))
    case .ed25519: key = .ed25519(try Curve25519.Signing.PrivateKey(pemRepresentation: pem))
    default: key = .rsa(try _RSA.Signing.PrivateKey(pemRepresentation: pem))
    }
    let swiftSigned = try await COSESign1.sign(detachedPayload: claim, signer: SoftwareSigner(key: key, algorithm: algorithm))
    let tbs = COSESign1.sigStructure(protectedHeaderBytes: swiftSigned.protectedHeaderBytes, payload: claim)
    let tbsPath = dir.appendingPathComponent("tbs.bin")
    let sigPath = dir.appendingPathComponent("sig.bin")
    try Data(tbs).write(to: tbsPath)
    var opensslSignature = swiftSigned.signature
    switch algorithm {  // openssl wants DER ECDSA signatures
    case .es256: opensslSignature = Array(try P256.Signing.ECDSASignature(rawRepresentation: opensslSignature).derRepresentation)
    case .es384: opensslSignature = Array(try P384.Signing.ECDSASignature(rawRepresentation: opensslSignature).derRepresentation)
    case .es512: opensslSignature = Array(try P521.Signing.ECDSASignature(rawRepresentation: opensslSignature).derRepresentation)
    default: break
    }
    try Data(opensslSignature).write(to: sigPath)
    let verifyArguments: [String]
    switch algorithm {
    case .ed25519:
        verifyArguments = ["pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", publicPath, "-in", tbsPath.path, "-sigfile", sigPath.path]
    case .ps256, .ps384, .ps512:
        let digest = algorithm == .ps256 ? "-sha256" : algorithm == .ps384 ? "-sha384" : "-sha512"
        verifyArguments = [
            "dgst", digest, "-verify", publicPath, "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest",
            "-sigopt", "rsa_mgf1_md:\(digest.dropFirst())", "-signature", sigPath.path, tbsPath.path,
        ]
    default:
        let digest = algorithm == .es256 ? "-sha256" : algorithm == .es384 ? "-sha384" : "-sha512"
        verifyArguments = ["dgst", digest, "-verify", publicPath, "-signature", sigPath.path, tbsPath.path]
    }
    let output = String(decoding: try openssl(verifyArguments), as: UTF8.self)
    #expect(output.contains("Verified OK") || output.contains("Signature Verified Successfully"), "\(output)")
}

/// Unwraps the PKCS#1 RSAPrivateKey from a PKCS#8 PrivateKeyInfo whatever its algorithm identifier
/// (swift-crypto refuses id-RSASSA-PSS PKCS#8), for the fixture key only.
///
/// PrivateKeyInfo ::= SEQUENCE { version INTEGER, privateKeyAlgorithm AlgorithmIdentifier,
///                               privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL }
private func rsaPrivateKeyFromPSSPKCS8(_ der: [UInt8]) throws -> _RSA.Signing.PrivateKey {
    let pkcs1: [UInt8] = try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
        _ = try Int(derEncoded: &nodes)
        _ = nodes.next()
        let octets = try ASN1OctetString(derEncoded: &nodes)
        while nodes.next() != nil {}
        return Array(octets.bytes)
    }
    return try _RSA.Signing.PrivateKey(derRepresentation: pkcs1)
}

private let fixtures: [(name: String, algorithm: COSEAlgorithm)] = [
    ("es256", .es256), ("es384", .es384), ("es512", .es512), ("ps256", .ps256), ("ed25519", .ed25519),
]

/// Documents what swift-certificates can and cannot parse in the reference fixtures, and that every
/// leaf key is reachable through this module.
@Test func referenceFixtureChainsParseAndExposeTheirLeafKeys() throws {
    guard FileManager.default.fileExists(atPath: fixtureDirectory.path) else {
        print("note: \(fixtureDirectory.path) missing; skipping fixture chain checks")
        return
    }
    for (name, algorithm) in fixtures {
        guard let text = fixtureText("\(name).pub") else {
            Issue.record("missing \(name).pub")
            continue
        }
        let chain = try pemBlocks(text)
        #expect(chain.count == 2, "\(name) chain length")
        let leafSPKI = try COSESign1.subjectPublicKeyInfoDER(fromCertificateDER: chain[0])
        let key = try COSESign1.publicKey(fromSPKIDER: leafSPKI)
        let parsedCertificate = try? Certificate(derEncoded: chain[0])
        let parsedKey = try? Certificate.PublicKey(derEncoded: leafSPKI)
        if algorithm == .ps256 {
            // id-RSASSA-PSS SubjectPublicKeyInfo: swift-certificates rejects the key, and therefore the
            // whole certificate; this module's SPKI path accepts it.
            #expect(parsedCertificate == nil, "swift-certificates now parses the PSS certificate")
            #expect(parsedKey == nil)
            let rsa = try COSESign1.rsaPublicKey(fromSPKIDER: leafSPKI)
            #expect(rsa.keySizeInBits >= 2048)
            #expect(_RSA.Signing.PublicKey(key) != nil)
        } else {
            #expect(parsedCertificate?.publicKey == key, "\(name)")
            #expect(parsedKey == key)
        }
        print("fixture \(name): Certificate(derEncoded:) \(parsedCertificate == nil ? "FAILS" : "ok"); leaf key via COSESign1.publicKey(fromSPKIDER:) ok")
    }
}

@Test(arguments: fixtures.map(\.algorithm))
func referenceFixtureKeysSignAndVerifyAgainstTheirCertificates(algorithm: COSEAlgorithm) async throws {
    let name = fixtures.first { $0.algorithm == algorithm }!.name
    guard let keyText = fixtureText("\(name).pem"), let chainText = fixtureText("\(name).pub") else {
        print("note: fixtures missing; skipping \(name)")
        return
    }
    let chain = try pemBlocks(chainText)
    // Swift signs with the fixture key (parsed by swift-crypto where it can), verifies against the leaf.
    var key: SoftwareKey?
    switch algorithm {
    case .es256: key = .p256(try P256.Signing.PrivateKey(pemRepresentation: keyText))
    case .es384: key = .p384(try P384.Signing.PrivateKey(pemRepresentation: keyText))
    case .es512: key = .p521(try P521.Signing.PrivateKey(pemRepresentation: keyText))
    case .ed25519: key = .ed25519(try Curve25519.Signing.PrivateKey(pemRepresentation: keyText))
    default:
        // The fixture's PKCS#8 uses id-RSASSA-PSS as its algorithm.
        if let rsa = try? _RSA.Signing.PrivateKey(pemRepresentation: keyText) {
            key = .rsa(rsa)
            print("fixture ps256.pem: _RSA.Signing.PrivateKey(pemRepresentation:) ok")
        } else {
            print("fixture ps256.pem: _RSA.Signing.PrivateKey(pemRepresentation:) FAILS; using the PKCS#1 key inside the PKCS#8")
            key = .rsa(try rsaPrivateKeyFromPSSPKCS8(pemBlocks(keyText)[0]))
        }
    }
    if let key {
        let signer = try SoftwareSigner(key: key, algorithm: algorithm, certificateChain: chain)
        let signed = try await COSESign1.sign(detachedPayload: claim, signer: signer)
        let decoded = try COSESign1(decoding: signed.encoded())
        guard let leaf = decoded.x5chain?.certificates.first else {
            Issue.record("no x5chain")
            return
        }
        #expect(decoded.verify(detachedPayload: claim, certificateDER: leaf) == .valid)
    }
    // openssl signs with the fixture key file, Swift verifies against the fixture leaf certificate.
    if opensslPath != nil {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let signer = OpenSSLSigner(
            algorithm: algorithm, certificateChain: chain,
            keyPath: fixtureDirectory.appendingPathComponent("\(name).pem").path, directory: dir)
        let signed = try await COSESign1.sign(detachedPayload: claim, signer: signer)
        let decoded = try COSESign1(decoding: signed.encoded())
        #expect(decoded.verify(detachedPayload: claim, certificateDER: chain[0]) == .valid)
        #expect(decoded.verify(detachedPayload: claim, certificateDER: chain[1]) == .invalidSignature)
    }
}

@Test func rsaPublicKeyFromSPKIAcceptsBothRSAIdentifiersAndRejectsOthers() throws {
    let rsaSPKI = Array(sharedRSAKey.publicKey.derRepresentation)
    #expect(try COSESign1.rsaPublicKey(fromSPKIDER: rsaSPKI).derRepresentation == sharedRSAKey.publicKey.derRepresentation)
    // Rewrite the algorithm identifier to id-RSASSA-PSS with absent parameters:
    // 30 0d 06 09 2a864886f70d010101 05 00  ->  30 0b 06 09 2a864886f70d01010a
    let rsaAlgorithm = hex("300d06092a864886f70d0101010500")
    let pssAlgorithm = hex("300b06092a864886f70d01010a")
    // A 2048-bit key's SPKI starts with a 4-byte SEQUENCE header (30 82 xx xx).
    #expect(Array(rsaSPKI.prefix(2)) == [0x30, 0x82])
    var inner = Array(rsaSPKI.dropFirst(4))
    guard let range = inner.firstRange(of: rsaAlgorithm) else {
        Issue.record("unexpected SPKI layout")
        return
    }
    inner.replaceSubrange(range, with: pssAlgorithm)
    var serializer = DER.Serializer()
    serializer.appendConstructedNode(identifier: .sequence) { $0.serializeRawBytes(inner) }
    let pssSPKI = serializer.serializedBytes
    let parsed = try COSESign1.rsaPublicKey(fromSPKIDER: pssSPKI)
    #expect(parsed.derRepresentation == sharedRSAKey.publicKey.derRepresentation)
    #expect((try? Certificate.PublicKey(derEncoded: pssSPKI)) == nil)

    let ecSPKI = Array(P256.Signing.PrivateKey().publicKey.derRepresentation)
    do {
        _ = try COSESign1.rsaPublicKey(fromSPKIDER: ecSPKI)
        Issue.record("EC key accepted as RSA")
    } catch {
        #expect(error.code == .invalidKey)
    }
    for length in 0..<pssSPKI.count {
        #expect(throws: COSEError.self) { try COSESign1.rsaPublicKey(fromSPKIDER: Array(pssSPKI[..<length])) }
    }
    let small = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
    #expect(throws: COSEError.self) { try COSESign1.rsaPublicKey(fromSPKIDER: Array(small.publicKey.derRepresentation)) }
}

@Test func certificateSPKIExtractionMatchesSwiftCertificatesAndRejectsPrefixes() throws {
    let key = makeKey(for: .es384)
    let der = try makeCertificate(for: key)
    let spki = try COSESign1.subjectPublicKeyInfoDER(fromCertificateDER: der)
    #expect(try Certificate.PublicKey(derEncoded: spki) == key.certificatePublicKey)
    for length in stride(from: 0, to: der.count, by: 7) {
        #expect(throws: COSEError.self) { try COSESign1.subjectPublicKeyInfoDER(fromCertificateDER: Array(der[..<length])) }
    }
}
