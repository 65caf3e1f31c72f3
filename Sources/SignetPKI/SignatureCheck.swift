import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// A subject public key as a certificate carries it:
/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`.
public struct PublicKeyInfo: Sendable {
    /// The key's algorithm (and, for EC keys, its named curve).
    public var algorithm: AlgorithmIdentifier
    /// The subjectPublicKey bits: an X9.63 point, a PKCS #1 RSAPublicKey, or the raw Ed25519 key.
    public var keyBits: ArraySlice<UInt8>
    /// The whole SubjectPublicKeyInfo DER.
    public var der: ArraySlice<UInt8>

    public init(algorithm: AlgorithmIdentifier, keyBits: ArraySlice<UInt8>, der: ArraySlice<UInt8>) {
        self.algorithm = algorithm
        self.keyBits = keyBits
        self.der = der
    }

    /// Reads a DER SubjectPublicKeyInfo.
    public init(der: [UInt8]) throws {
        let node = try DER.parse(der)
        let (algorithm, bits) = try DER.sequence(node, identifier: .sequence) { nodes in
            (try AlgorithmIdentifier(derEncoded: &nodes), try ASN1BitString(derEncoded: &nodes))
        }
        guard bits.paddingBits == 0 else { throw DERNodes.Problem("subjectPublicKey has padding bits") }
        self.init(algorithm: algorithm, keyBits: bits.bytes, der: der[...])
    }
}

/// Checks signatures: an issuer's over a certificate's TBSCertificate, or any key's over bytes, named by an
/// AlgorithmIdentifier.
///
/// Supported (the C2PA section 14.5.1 list): ECDSA with SHA-256/384/512 on P-256/P-384/P-521 keys (DER
/// `Ecdsa-Sig-Value`), sha256/384/512WithRSAEncryption, RSASSA-PSS (hash SHA-256/384/512, MGF1 with the same
/// hash, salt length equal to the hash length), and Ed25519. Algorithms built on SHA-1 are refused, whatever
/// the key. swift-certificates does not verify RSASSA-PSS, so this is done here with _CryptoExtras.
public enum SignatureCheck {
    public enum Outcome: Sendable, Equatable {
        case valid
        case invalid
        case unsupported(String)
    }

    /// Whether `issuer`'s key made `subject`'s signature (the names are the caller's to compare).
    public static func verify(_ subject: ParsedCertificate, issuedBy issuer: ParsedCertificate) -> Outcome {
        verify(signature: subject.signature, over: subject.tbs, algorithm: subject.signatureAlgorithm, key: issuer.publicKeyInfo)
    }

    /// Whether `key` made `signature` over `bytes`, exactly as received, with `algorithm`.
    public static func verify(
        signature: some Collection<UInt8>, over bytes: some Collection<UInt8>, algorithm: AlgorithmIdentifier, key: PublicKeyInfo
    ) -> Outcome {
        typealias Sig = ASN1ObjectIdentifier.SignatureAlgorithm
        typealias Hash = ASN1ObjectIdentifier.HashAlgorithm
        let signature = Array(signature)
        let bytes = Array(bytes)
        if algorithm.isSHA1Based { return .unsupported("SHA-1 based signature algorithm \(algorithm.oid) is refused") }
        switch algorithm.oid {
        case Sig.ecdsaWithSHA256: return ecdsa(bytes, signature, SHA256.self, key)
        case Sig.ecdsaWithSHA384: return ecdsa(bytes, signature, SHA384.self, key)
        case Sig.ecdsaWithSHA512: return ecdsa(bytes, signature, SHA512.self, key)
        case Sig.sha256WithRSA: return rsa(bytes, signature, SHA256.self, .insecurePKCS1v1_5, key)
        case Sig.sha384WithRSA: return rsa(bytes, signature, SHA384.self, .insecurePKCS1v1_5, key)
        case Sig.sha512WithRSA: return rsa(bytes, signature, SHA512.self, .insecurePKCS1v1_5, key)
        case Sig.rsassaPSS:
            switch PSSParameters.read(algorithm) {
            case .success(let parameters):
                guard parameters.saltLength == parameters.hashLength else {
                    return .unsupported("RSASSA-PSS salt length \(parameters.saltLength) differs from the hash length")
                }
                switch parameters.hash {
                case Hash.sha256: return rsa(bytes, signature, SHA256.self, .PSS, key)
                case Hash.sha384: return rsa(bytes, signature, SHA384.self, .PSS, key)
                default: return rsa(bytes, signature, SHA512.self, .PSS, key)
                }
            case .failure(let problem):
                return .unsupported(problem.explanation)
            }
        case Sig.ed25519:
            guard key.algorithm.oid == ASN1ObjectIdentifier.PublicKeyAlgorithm.ed25519,
                let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key.keyBits)
            else { return .unsupported("the key is not an Ed25519 key") }
            return publicKey.isValidSignature(signature, for: bytes) ? .valid : .invalid
        default:
            return .unsupported("signature algorithm \(algorithm.oid) is not supported")
        }
    }

    private static func ecdsa<H: HashFunction>(
        _ bytes: [UInt8], _ signature: [UInt8], _ hash: H.Type, _ key: PublicKeyInfo
    ) -> Outcome {
        guard key.algorithm.oid == ASN1ObjectIdentifier.PublicKeyAlgorithm.ecPublicKey, let curve = key.algorithm.namedCurve else {
            return .unsupported("the key is not a named-curve EC key")
        }
        let digest = H.hash(data: bytes)
        let point = key.keyBits
        do {
            switch curve {
            case ASN1ObjectIdentifier.Curve.prime256v1:
                let publicKey = try P256.Signing.PublicKey(x963Representation: point)
                let sig = try P256.Signing.ECDSASignature(derRepresentation: signature)
                return publicKey.isValidSignature(sig, for: digest) ? .valid : .invalid
            case ASN1ObjectIdentifier.Curve.secp384r1:
                let publicKey = try P384.Signing.PublicKey(x963Representation: point)
                let sig = try P384.Signing.ECDSASignature(derRepresentation: signature)
                return publicKey.isValidSignature(sig, for: digest) ? .valid : .invalid
            case ASN1ObjectIdentifier.Curve.secp521r1:
                let publicKey = try P521.Signing.PublicKey(x963Representation: point)
                let sig = try P521.Signing.ECDSASignature(derRepresentation: signature)
                return publicKey.isValidSignature(sig, for: digest) ? .valid : .invalid
            default:
                return .unsupported("EC curve \(curve) is not supported")
            }
        } catch {
            return .invalid
        }
    }

    private static func rsa<H: HashFunction>(
        _ bytes: [UInt8], _ signature: [UInt8], _ hash: H.Type, _ padding: _RSA.Signing.Padding, _ key: PublicKeyInfo
    ) -> Outcome {
        guard key.algorithm.oid == ASN1ObjectIdentifier.PublicKeyAlgorithm.rsaEncryption
            || key.algorithm.oid == ASN1ObjectIdentifier.PublicKeyAlgorithm.rsassaPSS
        else { return .unsupported("the key is not an RSA key") }
        guard let publicKey = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: key.der) else {
            return .unsupported("the RSA key cannot be used (smaller than 1024 bits or malformed)")
        }
        let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
        return publicKey.isValidSignature(sig, for: H.hash(data: bytes), padding: padding) ? .valid : .invalid
    }
}

/// Hashes Signet accepts where it checks what was signed (imprints, CMS message digests): SHA-256/384/512.
public enum SignedDigest {
    /// The digest of `bytes` under `algorithm`; nil for SHA-1 (C2PA 2.2, 13.1: a collision could move a genuine
    /// signature onto other bytes) and for anything else unknown.
    public static func digest(_ algorithm: ASN1ObjectIdentifier, _ bytes: some DataProtocol) -> [UInt8]? {
        switch algorithm {
        case ASN1ObjectIdentifier.HashAlgorithm.sha256: return Array(SHA256.hash(data: bytes))
        case ASN1ObjectIdentifier.HashAlgorithm.sha384: return Array(SHA384.hash(data: bytes))
        case ASN1ObjectIdentifier.HashAlgorithm.sha512: return Array(SHA512.hash(data: bytes))
        default: return nil
        }
    }
}
