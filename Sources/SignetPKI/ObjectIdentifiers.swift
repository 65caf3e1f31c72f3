import SwiftASN1

/// The object identifiers Signet's PKI code reads and writes, one table for every module, grouped by what they
/// name. (swift-asn1 and swift-certificates hold the name attributes, ``ASN1ObjectIdentifier/NameAttributes``, and
/// a few others; these are the ones Signet compares against itself.)
extension ASN1ObjectIdentifier {
    /// Hash functions (NIST, RFC 5754; SHA-1 from OIW).
    public enum HashAlgorithm: Sendable {
        /// SHA-1: read where a protocol names it (OCSP CertIDs, legacy requests), never accepted in a signature.
        public static let sha1: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 26]
        public static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
        public static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
        public static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]
    }

    /// Signature algorithms (RFC 3279, RFC 4055, RFC 5758, RFC 8410).
    public enum SignatureAlgorithm: Sendable {
        /// sha1WithRSAEncryption: refused.
        public static let sha1WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 5]
        public static let sha256WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
        public static let sha384WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 12]
        public static let sha512WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 13]
        /// id-RSASSA-PSS, with RSASSA-PSS-params.
        public static let rsassaPSS: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 10]
        /// id-mgf1, the mask generation function inside RSASSA-PSS-params.
        public static let mgf1: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 8]
        /// ecdsa-with-SHA1: refused.
        public static let ecdsaWithSHA1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 1]
        public static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
        public static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
        public static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
        public static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    }

    /// SubjectPublicKeyInfo algorithms.
    public enum PublicKeyAlgorithm: Sendable {
        public static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
        public static let rsassaPSS: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 10]
        public static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
        public static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    }

    /// Named elliptic curves (RFC 5480).
    public enum Curve: Sendable {
        public static let prime256v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
        public static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
        public static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]
    }

    /// Certificate and CRL extensions (RFC 5280 section 4.2 and 5.2, plus the ones c2pa-rs understands).
    public enum CertificateExtension: Sendable {
        public static let subjectKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 14]
        public static let keyUsage: ASN1ObjectIdentifier = [2, 5, 29, 15]
        public static let subjectAltName: ASN1ObjectIdentifier = [2, 5, 29, 17]
        public static let basicConstraints: ASN1ObjectIdentifier = [2, 5, 29, 19]
        public static let crlNumber: ASN1ObjectIdentifier = [2, 5, 29, 20]
        public static let reasonCode: ASN1ObjectIdentifier = [2, 5, 29, 21]
        public static let invalidityDate: ASN1ObjectIdentifier = [2, 5, 29, 24]
        public static let nameConstraints: ASN1ObjectIdentifier = [2, 5, 29, 30]
        public static let crlDistributionPoints: ASN1ObjectIdentifier = [2, 5, 29, 31]
        public static let certificatePolicies: ASN1ObjectIdentifier = [2, 5, 29, 32]
        public static let policyMappings: ASN1ObjectIdentifier = [2, 5, 29, 33]
        public static let authorityKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 35]
        public static let policyConstraints: ASN1ObjectIdentifier = [2, 5, 29, 36]
        public static let extendedKeyUsage: ASN1ObjectIdentifier = [2, 5, 29, 37]
        public static let inhibitAnyPolicy: ASN1ObjectIdentifier = [2, 5, 29, 54]
        public static let authorityInfoAccess: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 1]
        public static let netscapeCertType: ASN1ObjectIdentifier = [2, 16, 840, 1, 113730, 1, 1]
    }

    /// Extended key usages (key purposes, RFC 5280 section 4.2.1.12, RFC 9336, C2PA).
    public enum KeyPurpose: Sendable {
        public static let any: ASN1ObjectIdentifier = [2, 5, 29, 37, 0]
        public static let serverAuth: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 1]
        public static let clientAuth: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 2]
        public static let codeSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 3]
        public static let emailProtection: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 4]
        public static let timeStamping: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 8]
        public static let ocspSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 9]
        public static let documentSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 36]
        /// c2pa-kp-claimSigning.
        public static let c2paClaimSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 62558, 2, 1]
    }

    /// Cryptographic Message Syntax content types and attributes (RFC 5652, RFC 3161).
    public enum CMS: Sendable {
        public static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
        /// id-ct-TSTInfo.
        public static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 1, 4]
        public static let contentType: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
        public static let messageDigest: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
        public static let signingTime: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 5]
    }

    /// OCSP (RFC 6960).
    public enum OCSP: Sendable {
        /// id-pkix-ocsp-basic.
        public static let basic: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 1]
        public static let nonce: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]
        public static let noCheck: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]
    }

    /// Password-based encryption of private keys (PKCS #5 v2.1, RFC 8018; scrypt, RFC 7914; AES-CBC).
    public enum PasswordBasedEncryption: Sendable {
        public static let pbes2: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 5, 13]
        public static let pbkdf2: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 5, 12]
        public static let scrypt: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 11591, 4, 11]
        public static let hmacWithSHA1: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 7]
        public static let hmacWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 9]
        public static let hmacWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 10]
        public static let hmacWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 113549, 2, 11]
        public static let aes128CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 2]
        public static let aes192CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 22]
        public static let aes256CBC: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 1, 42]
    }
}
