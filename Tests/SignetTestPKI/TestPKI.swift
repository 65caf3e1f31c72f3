import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras


/// Test certificates generated on the fly with swift-certificates: a root, an intermediate and leaves with
/// chosen defects. Shared by the PKI and trust tests.
public struct TestPKI {
    public struct Issued {
        public var certificate: Certificate
        public var key: Certificate.PrivateKey
        public var signing: Certificate.SignatureAlgorithm = .ecdsaWithSHA256
        /// The P-256 key behind ``key``, when it is one (for tests that sign by hand).
        public var p256Key: P256.Signing.PrivateKey?
        public var der: [UInt8] {
            var serializer = DER.Serializer()
            try! serializer.serialize(certificate)
            return serializer.serializedBytes
        }
        public var pem: String { try! certificate.serializeAsPEM().pemString + "\n" }
    }

    /// A fixed validation time well inside every generated validity period.
    public static let now = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15
    public static let day: TimeInterval = 86_400

    public let root: Issued
    public let intermediate: Issued

    /// - Parameters:
    ///   - rootPathLength: the root's basic constraints pathLenConstraint (none by default).
    public init(rootName: String = "Test Root", rootValidity: ClosedRange<Date>? = nil, rootPathLength: Int? = nil) {
        let rootKey = Certificate.PrivateKey(P384.Signing.PrivateKey())
        let rootDN = try! DistinguishedName { CommonName(rootName); OrganizationName("Signet Trust Tests") }
        let range = rootValidity ?? (Self.now - 365 * Self.day)...(Self.now + 3650 * Self.day)
        root = Issued(
            certificate: try! Certificate(
                version: .v3, serialNumber: .init(), publicKey: rootKey.publicKey,
                notValidBefore: range.lowerBound, notValidAfter: range.upperBound,
                issuer: rootDN, subject: rootDN, signatureAlgorithm: .ecdsaWithSHA384,
                extensions: Self.caExtensions(key: rootKey.publicKey, issuerKey: rootKey.publicKey, pathLength: rootPathLength),
                issuerPrivateKey: rootKey),
            key: rootKey, signing: .ecdsaWithSHA384)
        intermediate = Self.issueCA(name: rootName + " Intermediate", by: root)
    }

    public static func caExtensions(
        key: Certificate.PublicKey, issuerKey: Certificate.PublicKey,
        isCA: Bool = true, pathLength: Int? = nil, keyUsage: KeyUsage? = KeyUsage(keyCertSign: true, cRLSign: true)
    ) -> Certificate.Extensions {
        var extensions = Certificate.Extensions()
        try! extensions.append(Certificate.Extension(
            isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: pathLength) : .notCertificateAuthority, critical: true))
        if let keyUsage { try! extensions.append(Certificate.Extension(keyUsage, critical: true)) }
        try! extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: key), critical: false))
        try! extensions.append(Certificate.Extension(
            AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuerKey).keyIdentifier), critical: false))
        return extensions
    }

    public static func issueCA(
        name: String, by issuer: Issued, validity: ClosedRange<Date>? = nil,
        isCA: Bool = true, pathLength: Int? = nil, keyUsage: KeyUsage? = KeyUsage(keyCertSign: true, cRLSign: true)
    ) -> Issued {
        let p256Key = P256.Signing.PrivateKey()
        let key = Certificate.PrivateKey(p256Key)
        let range = validity ?? (now - 100 * day)...(now + 1000 * day)
        let certificate = try! Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: range.lowerBound, notValidAfter: range.upperBound,
            issuer: issuer.certificate.subject,
            subject: try! DistinguishedName { CommonName(name); OrganizationName("Signet Trust Tests") },
            signatureAlgorithm: issuer.signing,
            extensions: caExtensions(key: key.publicKey, issuerKey: issuer.key.publicKey, isCA: isCA, pathLength: pathLength, keyUsage: keyUsage),
            issuerPrivateKey: issuer.key)
        return Issued(certificate: certificate, key: key, p256Key: p256Key)
    }

    /// What to put in a leaf; defaults give a profile-valid C2PA signer certificate.
    public struct LeafOptions {
        public var key: Certificate.PrivateKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        public var basicConstraints: BasicConstraints? = .notCertificateAuthority
        public var keyUsage: KeyUsage? = KeyUsage(digitalSignature: true)
        public var ekus: [ExtendedKeyUsage.Usage]? = [.emailProtection]
        public var authorityKeyIdentifier = true
        public var validity: ClosedRange<Date> = (TestPKI.now - 30 * TestPKI.day)...(TestPKI.now + 300 * TestPKI.day)
        public var extra: [Certificate.Extension] = []
        public var name = "Test Signer"

        public init() {}
    }

    public func leaf(_ options: LeafOptions = LeafOptions(), issuedBy issuer: Issued? = nil) -> Issued {
        let issuer = issuer ?? intermediate
        var extensions = Certificate.Extensions()
        if let bc = options.basicConstraints { try! extensions.append(Certificate.Extension(bc, critical: true)) }
        if let ku = options.keyUsage { try! extensions.append(Certificate.Extension(ku, critical: true)) }
        if let ekus = options.ekus { try! extensions.append(Certificate.Extension(try! ExtendedKeyUsage(ekus), critical: false)) }
        try! extensions.append(Certificate.Extension(SubjectKeyIdentifier(hash: options.key.publicKey), critical: false))
        if options.authorityKeyIdentifier {
            try! extensions.append(Certificate.Extension(
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuer.key.publicKey).keyIdentifier), critical: false))
        }
        for e in options.extra { try! extensions.append(e) }
        let certificate = try! Certificate(
            version: .v3, serialNumber: .init(), publicKey: options.key.publicKey,
            notValidBefore: options.validity.lowerBound, notValidAfter: options.validity.upperBound,
            issuer: issuer.certificate.subject,
            subject: try! DistinguishedName { CommonName(options.name); OrganizationName("Signet Trust Tests") },
            signatureAlgorithm: issuer.signing,
            extensions: extensions, issuerPrivateKey: issuer.key)
        return Issued(certificate: certificate, key: options.key)
    }

    /// The leaf and the intermediate, as an x5chain carries them.
    public func chain(_ leaf: Issued) -> [[UInt8]] { [leaf.der, intermediate.der] }
}
