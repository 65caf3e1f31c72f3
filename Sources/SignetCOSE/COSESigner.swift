import Crypto
import _CryptoExtras
import Foundation
import X509

/// Anything that can sign: a PEM key file, an HSM, a Secure Enclave key, a cloud KMS.
///
/// ``COSESign1/sign(detachedPayload:signer:unprotectedHeader:)`` builds the protected header
/// from ``algorithm`` and ``certificateChain``, then passes the Sig_structure to ``sign(_:)``.
public protocol COSESigner: Sendable {
    /// The algorithm the signer uses; written to the protected header.
    var algorithm: COSEAlgorithm { get }
    /// DER certificates: the signer's (leaf) certificate first, then intermediates; no root.
    /// Written to the protected header as x5chain (label 33); omitted when empty.
    var certificateChain: [[UInt8]] { get }
    /// Signs `toBeSigned` (the whole message; the signer hashes it) and returns the signature in COSE form:
    /// raw r‖s for ECDSA (each half left-padded to the curve size), the RSASSA-PSS signature
    /// (salt length = hash length, MGF1 with the same hash), or the 64-byte Ed25519 signature.
    func sign(_ toBeSigned: [UInt8]) async throws -> [UInt8]
}

/// A private key held in memory by swift-crypto, able to produce COSE-form signatures.
///
/// Used by tests and by key-file signers. See ``SoftwareSigner`` to pair it with a certificate chain.
public enum SoftwareKey: Sendable {
    /// ECDSA P-256 (ES256).
    case p256(P256.Signing.PrivateKey)
    /// ECDSA P-384 (ES384).
    case p384(P384.Signing.PrivateKey)
    /// ECDSA P-521 (ES512).
    case p521(P521.Signing.PrivateKey)
    /// Ed25519 (EdDSA).
    case ed25519(Curve25519.Signing.PrivateKey)
    /// RSA, 2048 bits or more (PS256, PS384, PS512).
    case rsa(_RSA.Signing.PrivateKey)

    /// The algorithm to use when none is specified: P-256 → ES256, P-384 → ES384, P-521 → ES512,
    /// Ed25519 → Ed25519, RSA → PS256.
    public var defaultAlgorithm: COSEAlgorithm {
        switch self {
        case .p256: return .es256
        case .p384: return .es384
        case .p521: return .es512
        case .ed25519: return .ed25519
        case .rsa: return .ps256
        }
    }

    /// Whether the key can sign with `alg`.
    public func supports(_ alg: COSEAlgorithm) -> Bool {
        switch self {
        case .p256: return alg == .es256
        case .p384: return alg == .es384
        case .p521: return alg == .es512
        case .ed25519: return alg == .ed25519
        case .rsa: return alg == .ps256 || alg == .ps384 || alg == .ps512
        }
    }

    /// The public key, in the form swift-certificates uses.
    public var certificatePublicKey: Certificate.PublicKey {
        get throws {
            switch self {
            case .p256(let k): return Certificate.PublicKey(k.publicKey)
            case .p384(let k): return Certificate.PublicKey(k.publicKey)
            case .p521(let k): return Certificate.PublicKey(k.publicKey)
            case .ed25519(let k): return Certificate.PublicKey(k.publicKey)
            case .rsa(let k): return Certificate.PublicKey(k.publicKey)
            }
        }
    }

    /// Signs `data` with `algorithm` and returns the signature in COSE form.
    ///
    /// - Throws: ``COSEError/Code/unsupportedAlgorithm`` if the key cannot use `algorithm`,
    ///   ``COSEError/Code/signingFailed`` if the crypto library fails.
    public func sign(_ data: [UInt8], algorithm: COSEAlgorithm) throws(COSEError) -> [UInt8] {
        guard supports(algorithm) else {
            throw COSEError(.unsupportedAlgorithm, "a \(keyTypeName) key cannot sign with \(algorithm.name)")
        }
        do {
            switch self {
            case .p256(let k): return Array(try k.signature(for: data).rawRepresentation)
            case .p384(let k): return Array(try k.signature(for: data).rawRepresentation)
            case .p521(let k): return Array(try k.signature(for: data).rawRepresentation)
            case .ed25519(let k): return Array(try k.signature(for: data))
            case .rsa(let k):
                let signature: _RSA.Signing.RSASignature
                switch algorithm {
                case .ps384: signature = try k.signature(for: SHA384.hash(data: data), padding: .PSS)
                case .ps512: signature = try k.signature(for: SHA512.hash(data: data), padding: .PSS)
                default: signature = try k.signature(for: SHA256.hash(data: data), padding: .PSS)
                }
                return Array(signature.rawRepresentation)
            }
        } catch {
            throw COSEError(.signingFailed, "\(algorithm.name) signing failed: \(error)")
        }
    }

    private var keyTypeName: String {
        switch self {
        case .p256: return "P-256"
        case .p384: return "P-384"
        case .p521: return "P-521"
        case .ed25519: return "Ed25519"
        case .rsa: return "RSA"
        }
    }
}

/// A ``COSESigner`` backed by a ``SoftwareKey`` and a certificate chain.
public struct SoftwareSigner: COSESigner {
    /// The private key.
    public let key: SoftwareKey
    public let algorithm: COSEAlgorithm
    public let certificateChain: [[UInt8]]

    /// Creates a signer; `algorithm` defaults to the key's ``SoftwareKey/defaultAlgorithm``.
    ///
    /// - Throws: ``COSEError/Code/unsupportedAlgorithm`` if the key cannot use `algorithm`.
    public init(key: SoftwareKey, algorithm: COSEAlgorithm? = nil, certificateChain: [[UInt8]] = []) throws(COSEError) {
        let alg = algorithm ?? key.defaultAlgorithm
        guard key.supports(alg) else {
            throw COSEError(.unsupportedAlgorithm, "the key cannot sign with \(alg.name)")
        }
        self.key = key
        self.algorithm = alg
        self.certificateChain = certificateChain
    }

    public func sign(_ toBeSigned: [UInt8]) async throws -> [UInt8] {
        try key.sign(toBeSigned, algorithm: algorithm)
    }
}
