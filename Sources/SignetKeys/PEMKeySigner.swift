import Crypto
import Foundation
import SignetCOSE
import SwiftASN1
import X509
import _CryptoExtras

/// A ``COSESigner`` over a private key file and a certificate chain file: the CLI's default signer.
///
/// The chain handed to COSE is the file's chain without a trailing self-signed certificate (the root belongs to
/// the verifier's trust anchors, not to `x5chain`).
public struct PEMKeySigner: COSESigner {
    /// The COSE algorithm every signature uses.
    public let algorithm: COSEAlgorithm
    /// DER certificates, leaf first, without a trailing self-signed root.
    public let certificateChain: [[UInt8]]
    let key: SoftwareKey

    /// Loads the key and the chain, then checks them as ``init(key:certificateChain:algorithm:)`` does.
    public init(keyPath: String, certificateChainPath: String, passphrase: String? = nil, algorithm: COSEAlgorithm? = nil) throws(KeyError) {
        let key = try KeyFile.load(path: keyPath, passphrase: passphrase)
        let chain = try CertificateChainFile.load(path: certificateChainPath)
        try self.init(key: key, certificateChain: chain, algorithm: algorithm)
    }

    /// Checks that the leaf certificate's public key is the key's public key (`certificateKeyMismatch`) and that
    /// `algorithm` (nil: the key's default) fits the key (`algorithmKeyMismatch`).
    public init(key: SoftwareKey, certificateChain: [Certificate], algorithm: COSEAlgorithm? = nil) throws(KeyError) {
        guard let leaf = certificateChain.first else { throw KeyError(.noCertificates, "the certificate chain is empty") }
        let chosen = algorithm ?? key.defaultAlgorithm
        guard key.supports(chosen) else {
            throw KeyError(.algorithmKeyMismatch, "COSE algorithm \(chosen.name) cannot be used with this key")
        }
        guard leaf.publicKey == key.x509PublicKey else {
            throw KeyError(.certificateKeyMismatch, "the leaf certificate does not certify this private key")
        }
        var chain = certificateChain
        if chain.count > 1, let last = chain.last, last.issuer == last.subject {
            chain.removeLast()
        }
        var ders: [[UInt8]] = []
        for certificate in chain {
            do {
                var coder = DER.Serializer()
                try coder.serialize(certificate)
                ders.append(coder.serializedBytes)
            } catch {
                throw KeyError(.internalFailure, "could not encode a certificate: \(error)")
            }
        }
        self.key = key
        self.algorithm = chosen
        self.certificateChain = ders
    }

    /// Signs `toBeSigned` with ``algorithm``; the signature is in COSE form (see ``COSESigner``).
    public func sign(_ toBeSigned: [UInt8]) async throws -> [UInt8] {
        try key.sign(toBeSigned, algorithm: algorithm)
    }
}

extension SoftwareKey {
    /// The key's public half as swift-certificates sees it.
    var x509PublicKey: Certificate.PublicKey {
        switch self {
        case .p256(let k): Certificate.PublicKey(k.publicKey)
        case .p384(let k): Certificate.PublicKey(k.publicKey)
        case .p521(let k): Certificate.PublicKey(k.publicKey)
        case .ed25519(let k): Certificate.PublicKey(k.publicKey)
        case .rsa(let k): Certificate.PublicKey(k.publicKey)
        }
    }

    /// The key as a certificate-signing key.
    var certificatePrivateKey: Certificate.PrivateKey {
        switch self {
        case .p256(let k): Certificate.PrivateKey(k)
        case .p384(let k): Certificate.PrivateKey(k)
        case .p521(let k): Certificate.PrivateKey(k)
        case .ed25519(let k): Certificate.PrivateKey(k)
        case .rsa(let k): Certificate.PrivateKey(k)
        }
    }
}
