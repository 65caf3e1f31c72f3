import Crypto
import Foundation
import SignetCOSE
import SwiftASN1
import X509

/// The registry's certificate authority: makes the root, the intermediate, the OCSP responder and TSA
/// certificates, and issues publishers' signer certificates with the C2PA signer profile.
enum Authority {
    static let c2paClaimSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 62558, 2, 1]
    static let documentSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 36]

    /// C2PA 2.2 and RFC 5280: at most a year for a signer.
    static let maxSignerValidity: TimeInterval = 365 * 86400

    static func name(common: String, organization: String?, country: String?) throws -> DistinguishedName {
        try DistinguishedName {
            if let country { CountryName(country) }
            if let organization { OrganizationName(organization) }
            CommonName(common)
        }
    }

    /// A random positive 16-byte serial number.
    static func randomSerial() -> Certificate.SerialNumber {
        var rng = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[0] = UInt8.random(in: 1...0x7F, using: &rng)
        return Certificate.SerialNumber(bytes: bytes)
    }

    static func root(key: P256.Signing.PrivateKey, name: DistinguishedName, notBefore: Date, notAfter: Date) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        return try Certificate(
            version: .v3, serialNumber: randomSerial(), publicKey: publicKey, notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 1))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
    }

    static func intermediate(
        key: P256.Signing.PrivateKey, name: DistinguishedName, root: Certificate, rootKey: P256.Signing.PrivateKey,
        notBefore: Date, notAfter: Date
    ) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key.publicKey)
        return try Certificate(
            version: .v3, serialNumber: randomSerial(), publicKey: publicKey, notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: root.subject, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: publicKey)
                try authorityKeyIdentifier(of: root)
            },
            issuerPrivateKey: Certificate.PrivateKey(rootKey))
    }

    /// An end-entity certificate for one of the registry's services (OCSP responder, TSA): one EKU, critical for
    /// the TSA as RFC 3161 requires.
    static func service(
        publicKey: Certificate.PublicKey, name: DistinguishedName, eku: ExtendedKeyUsage.Usage, criticalEKU: Bool,
        issuer: Certificate, issuerKey: P256.Signing.PrivateKey, notBefore: Date, notAfter: Date
    ) throws -> Certificate {
        try Certificate(
            version: .v3, serialNumber: randomSerial(), publicKey: publicKey, notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: issuer.subject, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                if criticalEKU { Critical(try ExtendedKeyUsage([eku])) } else { try ExtendedKeyUsage([eku]) }
                SubjectKeyIdentifier(hash: publicKey)
                try authorityKeyIdentifier(of: issuer)
            },
            issuerPrivateKey: Certificate.PrivateKey(issuerKey))
    }

    /// A publisher's signer certificate with the C2PA signer profile: digitalSignature, the C2PA claim-signing
    /// EKU with emailProtection and documentSigning, not a CA, AKI/SKI, and an AIA naming the OCSP responder.
    static func signer(
        publicKey: Certificate.PublicKey, name: DistinguishedName, issuer: Certificate, issuerKey: P256.Signing.PrivateKey,
        notBefore: Date, notAfter: Date, ocspURL: String
    ) throws -> Certificate {
        try Certificate(
            version: .v3, serialNumber: randomSerial(), publicKey: publicKey, notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: issuer.subject, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([
                    ExtendedKeyUsage.Usage(oid: c2paClaimSigning), .emailProtection, ExtendedKeyUsage.Usage(oid: documentSigning),
                ])
                SubjectKeyIdentifier(hash: publicKey)
                try authorityKeyIdentifier(of: issuer)
                AuthorityInformationAccess([.init(method: .ocspServer, location: .uniformResourceIdentifier(ocspURL))])
            },
            issuerPrivateKey: Certificate.PrivateKey(issuerKey))
    }

    static func authorityKeyIdentifier(of issuer: Certificate) throws -> AuthorityKeyIdentifier {
        guard let ski = try issuer.extensions.subjectKeyIdentifier else {
            throw RegistryError(.crypto, "issuer certificate has no subject key identifier")
        }
        return AuthorityKeyIdentifier(keyIdentifier: ski.keyIdentifier)
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var s = DER.Serializer()
        try s.serialize(certificate)
        return s.serializedBytes
    }

    static func pem(_ certificates: [Certificate]) throws -> String {
        try certificates.map { try $0.serializeAsPEM().pemString }.joined(separator: "\n") + "\n"
    }

    /// The SubjectPublicKeyInfo's DER, taken from the certificate's DER (the seventh field of tbsCertificate, the
    /// sixth when the version is absent).
    static func spkiDER(certificateDER: [UInt8]) throws -> [UInt8] {
        let root = try DER.parse(certificateDER)
        guard case .constructed(let outer) = root.content, let tbs = outer.first(where: { _ in true }),
            case .constructed(let fields) = tbs.content
        else { throw RegistryError(.crypto, "certificate is not a DER SEQUENCE") }
        var items = Array(fields)
        if let first = items.first, first.identifier.tagClass == .contextSpecific { items.removeFirst() }
        guard items.count >= 6 else { throw RegistryError(.crypto, "tbsCertificate is too short") }
        return Array(items[5].encodedBytes)
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }
}
