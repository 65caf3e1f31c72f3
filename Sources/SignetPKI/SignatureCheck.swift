import Crypto
import _CryptoExtras
import SwiftASN1

/// Verifies the signature an issuer made over a certificate's TBSCertificate.
///
/// Supported certificate signature algorithms (the C2PA §14.5.1 list): ECDSA with SHA-256/384/512 on
/// P-256/P-384/P-521 issuer keys, sha256/384/512WithRSAEncryption, RSASSA-PSS (hash SHA-256/384/512, MGF1
/// with the same hash, salt length equal to the hash length), and Ed25519. swift-certificates does not
/// verify RSASSA-PSS, so this is done here with _CryptoExtras.
enum SignatureCheck {
    enum Outcome: Equatable {
        case valid
        case invalid
        case unsupported(String)
    }

    static func verify(_ subject: ParsedCertificate, issuedBy issuer: ParsedCertificate) -> Outcome {
        verify(tbs: subject.tbs, signature: subject.signature, algorithm: subject.signatureAlgorithm, issuer: issuer)
    }

    static func verify(
        tbs: ArraySlice<UInt8>,
        signature: ArraySlice<UInt8>,
        algorithm: AlgorithmID,
        issuer: ParsedCertificate
    ) -> Outcome {
        switch algorithm.oid {
        case OID.ecdsaSHA256: return ecdsa(tbs, signature, SHA256.self, issuer)
        case OID.ecdsaSHA384: return ecdsa(tbs, signature, SHA384.self, issuer)
        case OID.ecdsaSHA512: return ecdsa(tbs, signature, SHA512.self, issuer)
        case OID.sha256WithRSA: return rsa(tbs, signature, SHA256.self, .insecurePKCS1v1_5, issuer)
        case OID.sha384WithRSA: return rsa(tbs, signature, SHA384.self, .insecurePKCS1v1_5, issuer)
        case OID.sha512WithRSA: return rsa(tbs, signature, SHA512.self, .insecurePKCS1v1_5, issuer)
        case OID.rsassaPSS:
            switch PSSParameters.read(algorithm) {
            case .success(let parameters):
                guard parameters.saltLength == parameters.hashLength else {
                    return .unsupported("RSASSA-PSS salt length \(parameters.saltLength) differs from the hash length")
                }
                switch parameters.hash {
                case OID.sha256: return rsa(tbs, signature, SHA256.self, .PSS, issuer)
                case OID.sha384: return rsa(tbs, signature, SHA384.self, .PSS, issuer)
                default: return rsa(tbs, signature, SHA512.self, .PSS, issuer)
                }
            case .failure(let problem):
                return .unsupported(problem.explanation)
            }
        case OID.ed25519:
            guard issuer.publicKeyAlgorithm.oid == OID.ed25519,
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: issuer.publicKeyBits)
            else { return .unsupported("issuer key is not an Ed25519 key") }
            return key.isValidSignature(signature, for: tbs) ? .valid : .invalid
        default:
            return .unsupported("signature algorithm \(algorithm.oid) is not supported")
        }
    }

    private static func ecdsa<H: HashFunction>(
        _ tbs: ArraySlice<UInt8>, _ signature: ArraySlice<UInt8>, _ hash: H.Type, _ issuer: ParsedCertificate
    ) -> Outcome {
        guard issuer.publicKeyAlgorithm.oid == OID.ecPublicKey,
            let curveNode = issuer.publicKeyAlgorithm.parameters,
            let curve = try? ASN1ObjectIdentifier(derEncoded: curveNode)
        else { return .unsupported("issuer key is not a named-curve EC key") }
        let digest = H.hash(data: tbs)
        let point = issuer.publicKeyBits
        do {
            switch curve {
            case OID.prime256v1:
                let key = try P256.Signing.PublicKey(x963Representation: point)
                let sig = try P256.Signing.ECDSASignature(derRepresentation: signature)
                return key.isValidSignature(sig, for: digest) ? .valid : .invalid
            case OID.secp384r1:
                let key = try P384.Signing.PublicKey(x963Representation: point)
                let sig = try P384.Signing.ECDSASignature(derRepresentation: signature)
                return key.isValidSignature(sig, for: digest) ? .valid : .invalid
            case OID.secp521r1:
                let key = try P521.Signing.PublicKey(x963Representation: point)
                let sig = try P521.Signing.ECDSASignature(derRepresentation: signature)
                return key.isValidSignature(sig, for: digest) ? .valid : .invalid
            default:
                return .unsupported("issuer EC curve \(curve) is not supported")
            }
        } catch {
            return .invalid
        }
    }

    private static func rsa<H: HashFunction>(
        _ tbs: ArraySlice<UInt8>, _ signature: ArraySlice<UInt8>, _ hash: H.Type,
        _ padding: _RSA.Signing.Padding, _ issuer: ParsedCertificate
    ) -> Outcome {
        guard issuer.publicKeyAlgorithm.oid == OID.rsaEncryption || issuer.publicKeyAlgorithm.oid == OID.rsassaPSS else {
            return .unsupported("issuer key is not an RSA key")
        }
        guard let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: issuer.spkiDER) else {
            return .unsupported("issuer RSA key cannot be used (smaller than 1024 bits or malformed)")
        }
        let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
        return key.isValidSignature(sig, for: H.hash(data: tbs), padding: padding) ? .valid : .invalid
    }
}

/// RSASSA-PSS-params (RFC 4055):
///
/// ```
/// RSASSA-PSS-params ::= SEQUENCE {
///     hashAlgorithm     [0] EXPLICIT HashAlgorithm    DEFAULT sha1,
///     maskGenAlgorithm  [1] EXPLICIT MaskGenAlgorithm DEFAULT mgf1SHA1,
///     saltLength        [2] EXPLICIT INTEGER          DEFAULT 20,
///     trailerField      [3] EXPLICIT INTEGER          DEFAULT 1 }
/// ```
///
/// c2pa-rs requires the first two to be present, MGF1's hash to equal the hash, and the hash to be
/// SHA-256/384/512; the explanations below are c2pa-rs's.
struct PSSParameters {
    var hash: ASN1ObjectIdentifier
    var hashLength: Int
    var saltLength: Int

    struct Problem: Error { var explanation: String }

    static func read(_ algorithm: AlgorithmID) -> Result<PSSParameters, Problem> {
        guard let parameters = algorithm.parameters else {
            return .failure(Problem(explanation: "certificate missing algorithm parameters"))
        }
        do {
            let items = try ParsedCertificate.children(of: parameters, "RSASSA-PSS-params")
            guard items.count >= 2,
                items[0].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                items[1].identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
            else { return .failure(Problem(explanation: "certificate algorithm parameters could not be parsed")) }
            let hashWrapper = try ParsedCertificate.children(of: items[0], "hashAlgorithm")
            let mgfWrapper = try ParsedCertificate.children(of: items[1], "maskGenAlgorithm")
            guard hashWrapper.count == 1, mgfWrapper.count == 1 else {
                return .failure(Problem(explanation: "certificate algorithm parameters could not be parsed"))
            }
            let hash = try ParsedCertificate.algorithm(hashWrapper[0]).oid
            let mgf = try ParsedCertificate.algorithm(mgfWrapper[0])
            guard let mgfParameters = mgf.parameters else {
                return .failure(Problem(explanation: "certificate algorithm parameters could not be parsed"))
            }
            let mgfHash = try ParsedCertificate.algorithm(mgfParameters).oid
            guard mgfHash == hash else { return .failure(Problem(explanation: "certificate algorithm error")) }
            let hashLength: Int
            switch hash {
            case OID.sha256: hashLength = 32
            case OID.sha384: hashLength = 48
            case OID.sha512: hashLength = 64
            default: return .failure(Problem(explanation: "certificate hash algorithm not supported"))
            }
            var saltLength = 20
            for item in items.dropFirst(2) where item.identifier == ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific) {
                let inner = try ParsedCertificate.children(of: item, "saltLength")
                guard inner.count == 1 else { return .failure(Problem(explanation: "certificate algorithm parameters could not be parsed")) }
                saltLength = try Int(derEncoded: inner[0])
            }
            return .success(PSSParameters(hash: hash, hashLength: hashLength, saltLength: saltLength))
        } catch {
            return .failure(Problem(explanation: "certificate algorithm parameters could not be parsed"))
        }
    }
}
