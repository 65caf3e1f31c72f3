import Crypto
import Foundation
import SignetCOSE
import SignetPKI
import SwiftASN1
import X509
import _CryptoExtras

/// Development and test credentials: a root CA, an intermediate CA and one signer certificate per COSE algorithm,
/// shaped to pass the C2PA signer certificate profile as the reference implementation (c2pa-rs) checks it.
/// NOT FOR PRODUCTION: the keys are unencrypted files and the CA is trusted by nobody but the developer.
///
/// Certificates issued:
/// - root: self-signed P-256 (ecdsa-with-SHA256); basicConstraints critical CA:TRUE; keyUsage critical
///   keyCertSign + cRLSign; subjectKeyIdentifier.
/// - intermediate: P-256 signed by the root; basicConstraints critical CA:TRUE pathLen 0; keyUsage critical
///   keyCertSign + cRLSign; subjectKeyIdentifier; authorityKeyIdentifier.
/// - signers (es256, es384, es512, ps256, ps384, ps512, ed25519): signed by the intermediate (ecdsa-with-SHA256);
///   basicConstraints critical CA:FALSE; keyUsage critical digitalSignature; extendedKeyUsage c2pa-kp-claimSigning
///   (1.3.6.1.4.1.62558.2.1) + id-kp-emailProtection; subjectKeyIdentifier; authorityKeyIdentifier; random positive
///   16-byte serials; RSA signers carry ordinary rsaEncryption keys (2048/3072/4096 bits).
public enum DevelopmentCredentials {
    /// The algorithms a signer certificate is issued for, in file order.
    public static let algorithms: [COSEAlgorithm] = [.es256, .es384, .es512, .ps256, .ps384, .ps512, .ed25519]

    /// Where the files of a credentials directory are.
    public struct Layout: Sendable, Hashable {
        public let directory: String

        public init(directory: String) { self.directory = directory }

        /// The root CA certificate (root-ca.pem).
        public var rootCertificate: String { path("root-ca.pem") }
        /// The root CA private key (root-ca.key).
        public var rootKey: String { path("root-ca.key") }
        /// The intermediate CA certificate (intermediate-ca.pem).
        public var intermediateCertificate: String { path("intermediate-ca.pem") }
        /// The intermediate CA private key (intermediate-ca.key).
        public var intermediateKey: String { path("intermediate-ca.key") }
        /// The PEM file to configure as trust anchors: the root certificate.
        public var trustAnchors: String { rootCertificate }
        /// README.txt.
        public var readme: String { path("README.txt") }
        /// The signer's private key, "<alg>.key" (e.g. es256.key).
        public func keyPath(_ algorithm: COSEAlgorithm) -> String { path("\(algorithm.name.lowercased()).key") }
        /// The signer's chain, "<alg>.pem": leaf then intermediate.
        public func chainPath(_ algorithm: COSEAlgorithm) -> String { path("\(algorithm.name.lowercased()).pem") }

        /// Every file the layout names.
        public var allFiles: [String] {
            [rootCertificate, rootKey, intermediateCertificate, intermediateKey, readme]
                + DevelopmentCredentials.algorithms.flatMap { [keyPath($0), chainPath($0)] }
        }

        private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    }

    /// Creates `directory` if needed and writes the root and intermediate CA (certificate and key), for every
    /// algorithm `<alg>.key` (0600) and `<alg>.pem` (leaf then intermediate), and README.txt.
    /// Refuses to replace existing files unless `overwrite` (checked for all files before anything is written).
    /// Signer certificates are valid for `validityDays` from one hour before `now`; the CAs for a year longer.
    @discardableResult
    public static func generate(in directory: String, overwrite: Bool = false, validityDays: Int = 3650, now: Date = Date()) throws -> Layout {
        guard validityDays > 0, validityDays <= 36500 else {
            throw KeyError(.internalFailure, "validityDays must be within 1...36500")
        }
        let layout = Layout(directory: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw KeyError(.writeFailed, "cannot create \(directory): \(error.localizedDescription)")
        }
        if !overwrite, let existing = layout.allFiles.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw KeyError(.alreadyExists, "\(existing) exists; pass overwrite (--force) to regenerate")
        }

        let notBefore = now.addingTimeInterval(-3600)
        let leafNotAfter = now.addingTimeInterval(Double(validityDays) * 86400)
        let caNotAfter = leafNotAfter.addingTimeInterval(365 * 86400)

        let rootKey = P256.Signing.PrivateKey()
        let rootName = try name(common: "Signet Development Root CA")
        let rootPublic = Certificate.PublicKey(rootKey.publicKey)
        let rootSKI = SubjectKeyIdentifier(hash: rootPublic)
        let root = try Certificate(
            version: .v3, serialNumber: randomSerial(), publicKey: rootPublic,
            notValidBefore: notBefore, notValidAfter: caNotAfter, issuer: rootName, subject: rootName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                rootSKI
            },
            issuerPrivateKey: Certificate.PrivateKey(rootKey))

        let intermediateKey = P256.Signing.PrivateKey()
        let intermediateName = try name(common: "Signet Development Intermediate CA")
        let intermediatePublic = Certificate.PublicKey(intermediateKey.publicKey)
        let intermediateSKI = SubjectKeyIdentifier(hash: intermediatePublic)
        let intermediate = try Certificate(
            version: .v3, serialNumber: randomSerial(), publicKey: intermediatePublic,
            notValidBefore: notBefore, notValidAfter: caNotAfter, issuer: rootName, subject: intermediateName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                intermediateSKI
                AuthorityKeyIdentifier(keyIdentifier: rootSKI.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(rootKey))

        var files: [(path: String, text: String, mode: mode_t)] = [
            (layout.rootCertificate, try CertificateChainFile.pem([root]), 0o644),
            (layout.rootKey, try KeyFile.pem(.p256(rootKey)), 0o600),
            (layout.intermediateCertificate, try CertificateChainFile.pem([intermediate]), 0o644),
            (layout.intermediateKey, try KeyFile.pem(.p256(intermediateKey)), 0o600),
        ]
        for algorithm in algorithms {
            let key = try KeyFile.generate(algorithm)
            let leaf = try issueSigner(
                key: key, commonName: "Signet Dev Signer \(algorithm.name)", issuerName: intermediateName,
                issuerKeyIdentifier: intermediateSKI.keyIdentifier, issuerKey: intermediateKey,
                notBefore: notBefore, notAfter: leafNotAfter)
            files.append((layout.keyPath(algorithm), try KeyFile.pem(key), 0o600))
            files.append((layout.chainPath(algorithm), try CertificateChainFile.pem([leaf, intermediate]), 0o644))
        }
        files.append((layout.readme, readme(for: layout), 0o644))
        for file in files {
            try FileIO.writeAtomically(Array(file.text.utf8), to: file.path, mode: file.mode, overwrite: overwrite)
        }
        return layout
    }

    /// The layout of `directory` if every file exists; otherwise generates a fresh set there, replacing any
    /// partial one (what `signet demo` uses).
    public static func loadOrGenerate(in directory: String) throws -> Layout {
        let layout = Layout(directory: directory)
        if layout.allFiles.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
            return layout
        }
        return try generate(in: directory, overwrite: true)
    }

    // MARK: - Helpers

    static func issueSigner(
        key: SoftwareKey, commonName: String, issuerName: DistinguishedName, issuerKeyIdentifier: ArraySlice<UInt8>,
        issuerKey: P256.Signing.PrivateKey, notBefore: Date, notAfter: Date
    ) throws -> Certificate {
        let publicKey = key.x509PublicKey
        return try Certificate(
            version: .v3, serialNumber: randomSerial(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuerName,
            subject: try name(common: commonName), signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([ExtendedKeyUsage.Usage(oid: ASN1ObjectIdentifier.KeyPurpose.c2paClaimSigning), .emailProtection])
                SubjectKeyIdentifier(hash: publicKey)
                AuthorityKeyIdentifier(keyIdentifier: issuerKeyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(issuerKey))
    }

    static func name(common: String) throws -> DistinguishedName {
        try DistinguishedName {
            CountryName("US")
            OrganizationName("Signet Development")
            OrganizationalUnitName("FOR DEVELOPMENT ONLY")
            CommonName(common)
        }
    }

    /// A random positive 16-byte serial number (first byte 0x01...0x7F, so no sign or padding byte is needed).
    static func randomSerial() -> Certificate.SerialNumber {
        var rng = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[0] = UInt8.random(in: 1...0x7F, using: &rng)
        return Certificate.SerialNumber(bytes: bytes)
    }

    static func readme(for layout: Layout) -> String {
        """
        Signet development and test credentials only, not for production.

        These keys are stored unencrypted and the root CA below is trusted by nobody but you. Content signed
        with them shows as untrusted anywhere the root is not configured as a trust anchor.

        root-ca.pem / root-ca.key                  self-signed root CA (P-256); use root-ca.pem as trust anchor
        intermediate-ca.pem / intermediate-ca.key  intermediate CA (P-256), issued by the root
        <alg>.key / <alg>.pem                      signer key (0600) and chain (signer, then intermediate)
                                                   for es256, es384, es512, ps256, ps384, ps512, ed25519

        Regenerate (replaces every file here):

            signet keys generate --output \(layout.directory) --force

        """
    }
}
