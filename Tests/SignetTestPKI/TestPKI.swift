import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

@testable import SignetTrust

/// Test certificates generated on the fly with swift-certificates: a root, an intermediate and leaves with
/// chosen defects.
struct TestPKI {
    struct Issued {
        var certificate: Certificate
        var key: Certificate.PrivateKey
        var signing: Certificate.SignatureAlgorithm = .ecdsaWithSHA256
        var der: [UInt8] {
            var serializer = DER.Serializer()
            try! serializer.serialize(certificate)
            return serializer.serializedBytes
        }
        var pem: String { try! certificate.serializeAsPEM().pemString + "\n" }
    }

    /// A fixed validation time well inside every generated validity period.
    static let now = Date(timeIntervalSince1970: 1_750_000_000)  // 2025-06-15
    static let day: TimeInterval = 86_400

    let root: Issued
    let intermediate: Issued

    init(rootName: String = "Test Root", rootValidity: ClosedRange<Date>? = nil) {
        let rootKey = Certificate.PrivateKey(P384.Signing.PrivateKey())
        let rootDN = try! DistinguishedName { CommonName(rootName); OrganizationName("Signet Trust Tests") }
        let range = rootValidity ?? (Self.now - 365 * Self.day)...(Self.now + 3650 * Self.day)
        root = Issued(
            certificate: try! Certificate(
                version: .v3, serialNumber: .init(), publicKey: rootKey.publicKey,
                notValidBefore: range.lowerBound, notValidAfter: range.upperBound,
                issuer: rootDN, subject: rootDN, signatureAlgorithm: .ecdsaWithSHA384,
                extensions: Self.caExtensions(key: rootKey.publicKey, issuerKey: rootKey.publicKey),
                issuerPrivateKey: rootKey),
            key: rootKey, signing: .ecdsaWithSHA384)
        intermediate = Self.issueCA(name: rootName + " Intermediate", by: root)
    }

    static func caExtensions(
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

    static func issueCA(
        name: String, by issuer: Issued, validity: ClosedRange<Date>? = nil,
        isCA: Bool = true, pathLength: Int? = nil, keyUsage: KeyUsage? = KeyUsage(keyCertSign: true, cRLSign: true)
    ) -> Issued {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let range = validity ?? (now - 100 * day)...(now + 1000 * day)
        let certificate = try! Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey,
            notValidBefore: range.lowerBound, notValidAfter: range.upperBound,
            issuer: issuer.certificate.subject,
            subject: try! DistinguishedName { CommonName(name); OrganizationName("Signet Trust Tests") },
            signatureAlgorithm: issuer.signing,
            extensions: caExtensions(key: key.publicKey, issuerKey: issuer.key.publicKey, isCA: isCA, pathLength: pathLength, keyUsage: keyUsage),
            issuerPrivateKey: issuer.key)
        return Issued(certificate: certificate, key: key)
    }


    /// What to put in a leaf; defaults give a profile-valid C2PA signer certificate.
    struct LeafOptions {
        var key: Certificate.PrivateKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        var basicConstraints: BasicConstraints? = .notCertificateAuthority
        var keyUsage: KeyUsage? = KeyUsage(digitalSignature: true)
        var ekus: [ExtendedKeyUsage.Usage]? = [.emailProtection]
        var authorityKeyIdentifier = true
        var validity: ClosedRange<Date> = (TestPKI.now - 30 * TestPKI.day)...(TestPKI.now + 300 * TestPKI.day)
        var extra: [Certificate.Extension] = []
        var name = "Test Signer"
    }

    func leaf(_ options: LeafOptions = LeafOptions(), issuedBy issuer: Issued? = nil) -> Issued {
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

    var anchorSettings: TrustSettings { try! TrustSettings(anchorsPEM: root.pem) }

    func chain(_ leaf: Issued) -> [[UInt8]] { [leaf.der, intermediate.der] }
}

/// The c2pa-rs fixtures in ../shared (skipped, with a note, when absent).
enum Fixtures {
    static let directory: URL? = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<8 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("shared/fixtures/c2pa-rs/certs")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        let fallback = URL(fileURLWithPath: "/work/shared/fixtures/c2pa-rs/certs")
        return FileManager.default.fileExists(atPath: fallback.path) ? fallback : nil
    }()

    static func text(_ name: String) -> String? {
        guard let directory else {
            print("note: c2pa-rs fixtures not found (../shared/fixtures/c2pa-rs); skipping fixture check")
            return nil
        }
        return try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    static func chain(_ name: String) -> [[UInt8]]? {
        guard let text = text(name) else { return nil }
        return try? PEMReader.blocks(in: text, source: name).map(\.der)
    }

    static let algorithms = ["es256", "es384", "es512", "ps256", "ed25519"]
}

func codes(_ evaluation: CredentialEvaluation) -> [String] { evaluation.profileFailures.map(\.code) }

extension CredentialEvaluation.Trust {
    var isTrusted: Bool { if case .trusted = self { return true } else { return false } }
    var isUntrusted: Bool { if case .untrusted = self { return true } else { return false } }
}
