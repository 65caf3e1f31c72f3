import Crypto
import Foundation
import SignetTimestamp
import SwiftASN1
import X509
import _CryptoExtras

/// A throw-away PKI for a TSA, made with swift-certificates: a P-256 root CA, a P-256 intermediate CA, and a TSA
/// certificate (critical EKU id-kp-timeStamping, critical KU digitalSignature, not a CA) for a key of `kind`.
struct TSAPKI {
    enum KeyKind: String, CaseIterable {
        case p256, p384, p521, rsa, ed25519
    }

    static let validFrom = Date(timeIntervalSince1970: 1_600_000_000)  // 2020-09-13
    static let validTo = Date(timeIntervalSince1970: 2_000_000_000)  // 2033-05-18
    static let policy: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 99_999, 3161, 1]

    let rootKey: P256.Signing.PrivateKey
    let intermediateKey: P256.Signing.PrivateKey
    let tsaKey: Certificate.PrivateKey
    let root: Certificate
    let intermediate: Certificate
    let tsa: Certificate

    var rootDER: [UInt8] { Self.der(root) }
    var intermediateDER: [UInt8] { Self.der(intermediate) }
    var tsaDER: [UInt8] { Self.der(tsa) }

    init(
        _ kind: KeyKind = .p256, tsaValidFrom: Date = TSAPKI.validFrom, tsaValidTo: Date = TSAPKI.validTo,
        tsaExtensions: Certificate.Extensions? = nil, tsaName: String = "Signet Test TSA"
    ) throws {
        let rootKey = P256.Signing.PrivateKey()
        let intermediateKey = P256.Signing.PrivateKey()
        self.rootKey = rootKey
        self.intermediateKey = intermediateKey
        switch kind {
        case .p256: tsaKey = .init(P256.Signing.PrivateKey())
        case .p384: tsaKey = .init(P384.Signing.PrivateKey())
        case .p521: tsaKey = .init(P521.Signing.PrivateKey())
        case .rsa: tsaKey = .init(try _RSA.Signing.PrivateKey(keySize: .bits2048))
        case .ed25519: tsaKey = .init(Curve25519.Signing.PrivateKey())
        }
        let rootName = try DistinguishedName {
            OrganizationName("Signet Tests")
            CommonName("Signet Test TSA Root")
        }
        let intermediateName = try DistinguishedName {
            OrganizationName("Signet Tests")
            CommonName("Signet Test TSA Intermediate")
        }
        root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey), notValidBefore: Self.validFrom,
            notValidAfter: Self.validTo, issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(rootKey.publicKey))
            }, issuerPrivateKey: .init(rootKey))
        intermediate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(intermediateKey.publicKey),
            notValidBefore: Self.validFrom, notValidAfter: Self.validTo, issuer: rootName, subject: intermediateName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(intermediateKey.publicKey))
                AuthorityKeyIdentifier(
                    keyIdentifier: SubjectKeyIdentifier(hash: Certificate.PublicKey(rootKey.publicKey)).keyIdentifier)
            }, issuerPrivateKey: .init(rootKey))
        let defaultExtensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            Critical(try ExtendedKeyUsage([.timeStamping]))
            AuthorityKeyIdentifier(
                keyIdentifier: SubjectKeyIdentifier(hash: Certificate.PublicKey(intermediateKey.publicKey))
                    .keyIdentifier)
        }
        tsa = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: tsaKey.publicKey, notValidBefore: tsaValidFrom,
            notValidAfter: tsaValidTo, issuer: intermediateName,
            subject: try DistinguishedName {
                OrganizationName("Signet Tests")
                CommonName(tsaName)
            }, signatureAlgorithm: .ecdsaWithSHA256, extensions: tsaExtensions ?? defaultExtensions,
            issuerPrivateKey: .init(intermediateKey))
    }

    /// An authority over this PKI: TSA certificate then intermediate.
    func authority(
        policy: ASN1ObjectIdentifier = TSAPKI.policy, serialNumbers: TimeStampSerialNumberSource = .random
    ) throws -> TimeStampAuthority {
        try TimeStampAuthority(
            privateKey: tsaKey, certificateChain: [tsa, intermediate], policy: policy, serialNumbers: serialNumbers)
    }

    static func der(_ certificate: Certificate) -> [UInt8] {
        var serializer = DER.Serializer()
        do { try serializer.serialize(certificate) } catch { fatalError("test certificate does not encode: \(error)") }
        return serializer.serializedBytes
    }

    static func pem(_ certificates: [Certificate]) throws -> String {
        try certificates.map { try $0.serializeAsPEM().pemString + "\n" }.joined()
    }
}

/// A fixed time inside every test certificate's validity: 2025-06-15T15:06:40Z.
let issueTime = Date(timeIntervalSince1970: 1_750_000_000)
