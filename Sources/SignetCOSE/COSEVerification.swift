import Crypto
import _CryptoExtras
import Foundation
import SwiftASN1
import X509

/// The outcome of verifying a ``COSESign1``. A bad signature is a result, not an error.
public enum COSEVerificationResult: Sendable, Equatable {
    /// The signature is valid for the payload and key.
    case valid
    /// The signature does not verify (including a signature of the wrong length or encoding).
    case invalidSignature
    /// The protected header has no algorithm, or one this module does not implement.
    case unsupportedAlgorithm
    /// The key's type does not match the algorithm (e.g. a P-384 key for ES256, an RSA key under
    /// 2048 bits), or the key could not be parsed.
    case keyAlgorithmMismatch
}

extension COSESign1 {
    /// Verifies the signature over `detachedPayload` with `publicKey`, using ``protectedHeaderBytes``
    /// exactly as received and an empty external_aad.
    ///
    /// ES256/ES384/ES512 require a P-256/P-384/P-521 key and a raw r‖s signature of 64/96/132 bytes;
    /// PS256/PS384/PS512 require an RSA key of at least 2048 bits (RSASSA-PSS, MGF1 with the same hash,
    /// salt length = hash length); Ed25519 requires an Ed25519 key and a 64-byte signature.
    public func verify(detachedPayload: [UInt8], publicKey: Certificate.PublicKey) -> COSEVerificationResult {
        guard let algorithm, algorithm.isSupported else { return .unsupportedAlgorithm }
        let toBeSigned = COSESign1.sigStructure(protectedHeaderBytes: protectedHeaderBytes, payload: detachedPayload)
        let signature = self.signature
        switch algorithm {
        case .es256:
            guard let key = P256.Signing.PublicKey(publicKey) else { return .keyAlgorithmMismatch }
            guard signature.count == 64, let s = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else {
                return .invalidSignature
            }
            return key.isValidSignature(s, for: toBeSigned) ? .valid : .invalidSignature
        case .es384:
            guard let key = P384.Signing.PublicKey(publicKey) else { return .keyAlgorithmMismatch }
            guard signature.count == 96, let s = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else {
                return .invalidSignature
            }
            return key.isValidSignature(s, for: toBeSigned) ? .valid : .invalidSignature
        case .es512:
            guard let key = P521.Signing.PublicKey(publicKey) else { return .keyAlgorithmMismatch }
            guard signature.count == 132, let s = try? P521.Signing.ECDSASignature(rawRepresentation: signature) else {
                return .invalidSignature
            }
            return key.isValidSignature(s, for: toBeSigned) ? .valid : .invalidSignature
        case .ed25519:
            guard let key = Curve25519.Signing.PublicKey(publicKey) else { return .keyAlgorithmMismatch }
            guard signature.count == 64 else { return .invalidSignature }
            return key.isValidSignature(signature, for: toBeSigned) ? .valid : .invalidSignature
        case .ps256, .ps384, .ps512:
            guard let key = _RSA.Signing.PublicKey(publicKey), key.keySizeInBits >= 2048 else {
                return .keyAlgorithmMismatch
            }
            guard signature.count == (key.keySizeInBits + 7) / 8 else { return .invalidSignature }
            let s = _RSA.Signing.RSASignature(rawRepresentation: signature)
            let valid: Bool
            switch algorithm {
            case .ps384: valid = key.isValidSignature(s, for: SHA384.hash(data: toBeSigned), padding: .PSS)
            case .ps512: valid = key.isValidSignature(s, for: SHA512.hash(data: toBeSigned), padding: .PSS)
            default: valid = key.isValidSignature(s, for: SHA256.hash(data: toBeSigned), padding: .PSS)
            }
            return valid ? .valid : .invalidSignature
        default:
            return .unsupportedAlgorithm
        }
    }

    /// Verifies with a public key given as a DER SubjectPublicKeyInfo, accepting RSA keys whose SPKI
    /// uses id-RSASSA-PSS (which `Certificate.PublicKey` rejects). An unparseable key gives
    /// ``COSEVerificationResult/keyAlgorithmMismatch``.
    public func verify(detachedPayload: [UInt8], subjectPublicKeyInfoDER: [UInt8]) -> COSEVerificationResult {
        guard let key = try? COSESign1.publicKey(fromSPKIDER: subjectPublicKeyInfoDER) else {
            return algorithm?.isSupported == true ? .keyAlgorithmMismatch : .unsupportedAlgorithm
        }
        return verify(detachedPayload: detachedPayload, publicKey: key)
    }

    /// Verifies with the public key of a DER certificate (typically the first x5chain entry). Works for
    /// certificates whose key is id-RSASSA-PSS, which `Certificate(derEncoded:)` cannot parse.
    /// An unparseable certificate gives ``COSEVerificationResult/keyAlgorithmMismatch``.
    public func verify(detachedPayload: [UInt8], certificateDER: [UInt8]) -> COSEVerificationResult {
        guard let spki = try? COSESign1.subjectPublicKeyInfoDER(fromCertificateDER: certificateDER) else {
            return algorithm?.isSupported == true ? .keyAlgorithmMismatch : .unsupportedAlgorithm
        }
        return verify(detachedPayload: detachedPayload, subjectPublicKeyInfoDER: spki)
    }
}

// MARK: - Keys from DER

extension COSESign1 {
    private static let rsaEncryptionOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    private static let rsassaPSSOID: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 10]

    /// Parses a DER SubjectPublicKeyInfo into a `Certificate.PublicKey`: whatever swift-certificates
    /// accepts (P-256, P-384, P-521, Ed25519, rsaEncryption), plus id-RSASSA-PSS RSA keys.
    ///
    /// - Throws: ``COSEError/Code/invalidKey``.
    public static func publicKey(fromSPKIDER der: [UInt8]) throws(COSEError) -> Certificate.PublicKey {
        if let key = try? Certificate.PublicKey(derEncoded: der) {
            return key
        }
        return Certificate.PublicKey(try rsaPublicKey(fromSPKIDER: der))
    }

    /// Parses an RSA SubjectPublicKeyInfo whose algorithm is rsaEncryption (1.2.840.113549.1.1.1) or
    /// id-RSASSA-PSS (1.2.840.113549.1.1.10). PSS parameters, if any, are not enforced. Keys under
    /// 2048 bits are rejected.
    ///
    /// ```
    /// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
    /// AlgorithmIdentifier  ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
    /// RSAPublicKey         ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }   -- in the BIT STRING
    /// ```
    ///
    /// - Throws: ``COSEError/Code/invalidKey``.
    public static func rsaPublicKey(fromSPKIDER der: [UInt8]) throws(COSEError) -> _RSA.Signing.PublicKey {
        let parsed: (algorithm: ASN1ObjectIdentifier, key: ASN1BitString)
        do {
            parsed = try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
                guard let algorithmNode = nodes.next() else {
                    throw ASN1Error.invalidASN1Object(reason: "missing AlgorithmIdentifier")
                }
                let algorithm = try DER.sequence(algorithmNode, identifier: .sequence) { fields in
                    let oid = try ASN1ObjectIdentifier(derEncoded: &fields)
                    _ = fields.next()  // parameters: NULL for rsaEncryption, RSASSA-PSS-params or absent for PSS
                    return oid
                }
                let key = try ASN1BitString(derEncoded: &nodes)
                return (algorithm, key)
            }
        } catch {
            throw COSEError(.invalidKey, "not a DER SubjectPublicKeyInfo: \(error)")
        }
        guard parsed.algorithm == rsaEncryptionOID || parsed.algorithm == rsassaPSSOID else {
            throw COSEError(.invalidKey, "SubjectPublicKeyInfo algorithm \(parsed.algorithm) is not RSA")
        }
        guard parsed.key.paddingBits == 0 else {
            throw COSEError(.invalidKey, "RSA public key BIT STRING has padding bits")
        }
        do {
            // The BIT STRING holds a PKCS#1 RSAPublicKey, which swift-crypto accepts directly.
            let key = try _RSA.Signing.PublicKey(derRepresentation: Array(parsed.key.bytes))
            guard key.keySizeInBits >= 2048 else {
                throw COSEError(.invalidKey, "RSA key of \(key.keySizeInBits) bits; at least 2048 required")
            }
            return key
        } catch let error as COSEError {
            throw error
        } catch {
            throw COSEError(.invalidKey, "invalid or too small RSA public key (2048 bits minimum): \(error)")
        }
    }

    /// Extracts the DER SubjectPublicKeyInfo from a DER X.509 certificate without interpreting the key,
    /// so that certificates swift-certificates cannot parse (id-RSASSA-PSS keys) can still be used.
    ///
    /// ```
    /// Certificate    ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm, signatureValue }
    /// TBSCertificate ::= SEQUENCE { version [0] EXPLICIT OPTIONAL, serialNumber, signature, issuer,
    ///                               validity, subject, subjectPublicKeyInfo, ... }
    /// ```
    ///
    /// - Throws: ``COSEError/Code/badX5Chain``.
    public static func subjectPublicKeyInfoDER(fromCertificateDER der: [UInt8]) throws(COSEError) -> [UInt8] {
        do {
            return try DER.sequence(try DER.parse(der), identifier: .sequence) { nodes in
                guard let tbs = nodes.next() else {
                    throw ASN1Error.invalidASN1Object(reason: "missing tbsCertificate")
                }
                while nodes.next() != nil {}
                return try DER.sequence(tbs, identifier: .sequence) { fields in
                    var next = fields.next()
                    if next?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                        next = fields.next()
                    }
                    // next is serialNumber; skip signature, issuer, validity, subject.
                    for _ in 0..<4 { next = fields.next() }
                    guard next != nil, let spki = fields.next(), spki.identifier == .sequence else {
                        throw ASN1Error.invalidASN1Object(reason: "missing subjectPublicKeyInfo")
                    }
                    while fields.next() != nil {}
                    return Array(spki.encodedBytes)
                }
            }
        } catch {
            throw COSEError(.badX5Chain, "not a DER X.509 certificate: \(error)")
        }
    }
}
