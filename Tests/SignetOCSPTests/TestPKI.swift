import Crypto
import Foundation
import SignetOCSP
import SwiftASN1
import X509
import _CryptoExtras

/// A throw-away PKI made with swift-certificates: a root, an issuing CA under it, a delegated OCSP responder
/// (id-kp-OCSPSigning) and leaves issued by the CA.
struct TestPKI {
    /// A certificate with its key.
    struct Issued {
        var certificate: Certificate
        var key: Certificate.PrivateKey
        /// The key as PEM (PKCS#8 for EC and Ed25519, PKCS#1 for RSA), for the openssl CLI.
        var keyPEM: String

        var der: [UInt8] {
            var serializer = DER.Serializer()
            try! serializer.serialize(certificate)
            return serializer.serializedBytes
        }
        var pem: String { try! certificate.serializeAsPEM().pemString + "\n" }
    }

    /// Key kinds the tests use.
    enum KeyKind { case p256, p384, rsa2048, ed25519 }

    /// A fixed time well inside every validity period, for tests that do not involve the openssl CLI.
    static let fixedNow = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15T15:06:40Z
    static let day: TimeInterval = 86_400

    let now: Date
    let root: Issued
    let ca: Issued
    let responder: Issued
    let leaf: Issued

    /// - Parameters:
    ///   - now: The time the validity periods are centred on (real time for the openssl tests).
    ///   - caKey: The issuing CA's key kind; the responder's and leaf's keys follow `responderKey`.
    init(now: Date = TestPKI.fixedNow, caKey: KeyKind = .p256, responderKey: KeyKind = .p256) {
        self.now = now
        let rootKey = Self.makeKey(.p256)
        let rootDN = try! DistinguishedName {
            CommonName("Signet OCSP Test Root")
            OrganizationName("Signet Tests")
        }
        root = Issued(
            certificate: try! Certificate(
                version: .v3, serialNumber: .init(), publicKey: rootKey.0.publicKey,
                notValidBefore: now - 365 * Self.day, notValidAfter: now + 3650 * Self.day,
                issuer: rootDN, subject: rootDN, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: Self.caExtensions(key: rootKey.0.publicKey, issuerKey: rootKey.0.publicKey),
                issuerPrivateKey: rootKey.0),
            key: rootKey.0, keyPEM: rootKey.1)
        ca = Self.issue(
            name: "Signet OCSP Test Issuing CA", key: caKey, by: root, now: now,
            extensions: { Self.caExtensions(key: $0, issuerKey: $1) })
        responder = Self.issue(
            name: "Signet OCSP Test Responder", key: responderKey, by: ca, now: now,
            extensions: { Self.endEntityExtensions(key: $0, issuerKey: $1, ekus: [.ocspSigning]) })
        leaf = Self.issue(
            name: "Signet OCSP Test Leaf", key: .p256, by: ca, now: now,
            extensions: { Self.endEntityExtensions(key: $0, issuerKey: $1, ekus: [.emailProtection]) })
    }

    static func makeKey(_ kind: KeyKind) -> (Certificate.PrivateKey, String) {
        switch kind {
        case .p256:
            let k = P256.Signing.PrivateKey()
            return (Certificate.PrivateKey(k), k.pemRepresentation)
        case .p384:
            let k = P384.Signing.PrivateKey()
            return (Certificate.PrivateKey(k), k.pemRepresentation)
        case .rsa2048:
            let k = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
            return (Certificate.PrivateKey(k), k.pemRepresentation)
        case .ed25519:
            let k = Curve25519.Signing.PrivateKey()
            return (Certificate.PrivateKey(k), Self.ed25519PEM(k))
        }
    }

    /// PKCS#8 PEM of an Ed25519 key (RFC 8410): the 32-byte seed in an OCTET STRING inside an OCTET STRING.
    static func ed25519PEM(_ key: Curve25519.Signing.PrivateKey) -> String {
        let prefix: [UInt8] = [
            0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
        ]
        let der = prefix + Array(key.rawRepresentation)
        return PEMDocument(type: "PRIVATE KEY", derBytes: der).pemString
    }

    static func caExtensions(key: Certificate.PublicKey, issuerKey: Certificate.PublicKey) -> Certificate.Extensions {
        var extensions = Certificate.Extensions()
        try! extensions.append(
            Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true))
        try! extensions.append(Certificate.Extension(KeyUsage(keyCertSign: true, cRLSign: true), critical: true))
        try! extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: key), critical: false))
        try! extensions.append(
            Certificate.Extension(
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuerKey).keyIdentifier),
                critical: false))
        return extensions
    }

    static func endEntityExtensions(
        key: Certificate.PublicKey, issuerKey: Certificate.PublicKey, ekus: [ExtendedKeyUsage.Usage]
    ) -> Certificate.Extensions {
        var extensions = Certificate.Extensions()
        try! extensions.append(Certificate.Extension(BasicConstraints.notCertificateAuthority, critical: true))
        try! extensions.append(Certificate.Extension(KeyUsage(digitalSignature: true), critical: true))
        if !ekus.isEmpty {
            try! extensions.append(Certificate.Extension(try! ExtendedKeyUsage(ekus), critical: false))
        }
        try! extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: key), critical: false))
        try! extensions.append(
            Certificate.Extension(
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuerKey).keyIdentifier),
                critical: false))
        return extensions
    }

    /// Issues a certificate named `name` with a fresh `key` by `issuer`.
    static func issue(
        name: String, key kind: KeyKind, by issuer: Issued, now: Date,
        validity: ClosedRange<Date>? = nil,
        extensions: (Certificate.PublicKey, Certificate.PublicKey) -> Certificate.Extensions
    ) -> Issued {
        let (key, pem) = makeKey(kind)
        let range = validity ?? (now - 30 * day)...(now + 365 * day)
        let certificate = try! Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: range.lowerBound, notValidAfter: range.upperBound,
            issuer: issuer.certificate.subject,
            subject: try! DistinguishedName {
                CommonName(name)
                OrganizationName("Signet Tests")
            },
            signatureAlgorithm: signingAlgorithm(for: issuer.key),
            extensions: extensions(key.publicKey, issuer.key.publicKey), issuerPrivateKey: issuer.key)
        return Issued(certificate: certificate, key: key, keyPEM: pem)
    }

    static func signingAlgorithm(for key: Certificate.PrivateKey) -> Certificate.SignatureAlgorithm {
        if P384.Signing.PublicKey(key.publicKey) != nil { return .ecdsaWithSHA384 }
        if _RSA.Signing.PublicKey(key.publicKey) != nil { return .sha256WithRSAEncryption }
        if Curve25519.Signing.PublicKey(key.publicKey) != nil { return .ed25519 }
        return .ecdsaWithSHA256
    }

    /// Another leaf of the CA, with options.
    func anotherLeaf(
        name: String = "Another Leaf", ekus: [ExtendedKeyUsage.Usage] = [.emailProtection],
        validity: ClosedRange<Date>? = nil, by issuer: Issued? = nil
    ) -> Issued {
        Self.issue(
            name: name, key: .p256, by: issuer ?? ca, now: now, validity: validity,
            extensions: { Self.endEntityExtensions(key: $0, issuerKey: $1, ekus: ekus) })
    }
}

/// Status tables the responders in the tests look up.
struct StatusTable: Sendable {
    var entries: [Certificate.SerialNumber: OCSPCertStatus]

    var lookup: OCSPResponder.StatusLookup {
        let entries = self.entries
        return { serial in entries[serial] ?? .unknown }
    }
}

/// Every strict prefix of `bytes` (lengths 0 ..< count).
func strictPrefixes(_ bytes: [UInt8]) -> [[UInt8]] {
    (0..<bytes.count).map { Array(bytes.prefix($0)) }
}
