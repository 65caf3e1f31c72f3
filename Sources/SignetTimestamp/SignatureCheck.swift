import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Verifies a CMS SignerInfo signature with the TSA certificate's key.
///
/// As in c2pa-rs, the hash is the SignerInfo `digestAlgorithm` (SHA-256/384/512; SHA-1 is refused) and the
/// scheme follows the key: RSA PKCS#1 v1.5 (RSASSA-PSS when `signatureAlgorithm` is id-RSASSA-PSS), ECDSA
/// (DER signature) on P-256/384/521, or Ed25519 (over the bytes themselves).
enum SignatureCheck {
    static func verify(signer: TimeStampToken.Signer, certificate: Certificate, signedBytes: [UInt8]) -> Bool {
        let key = certificate.publicKey
        if let ed = Curve25519.Signing.PublicKey(key) {
            return ed.isValidSignature(signer.signature, for: signedBytes)
        }
        if _RSA.Signing.PublicKey(key) != nil {
            if signer.signatureAlgorithm == OIDs.rsassaPSS {
                return verifyPSS(signer: signer, spki: Array(key.subjectPublicKeyInfoBytes), signedBytes: signedBytes)
            }
            let algorithm: Certificate.SignatureAlgorithm
            switch signer.digestAlgorithm {
            case OIDs.sha256: algorithm = .sha256WithRSAEncryption
            case OIDs.sha384: algorithm = .sha384WithRSAEncryption
            case OIDs.sha512: algorithm = .sha512WithRSAEncryption
            default: return false
            }
            return key.isValidSignature(signer.signature, for: signedBytes, signatureAlgorithm: algorithm)
        }
        let algorithm: Certificate.SignatureAlgorithm
        switch signer.digestAlgorithm {
        case OIDs.sha256: algorithm = .ecdsaWithSHA256
        case OIDs.sha384: algorithm = .ecdsaWithSHA384
        case OIDs.sha512: algorithm = .ecdsaWithSHA512
        default: return false
        }
        return key.isValidSignature(signer.signature, for: signedBytes, signatureAlgorithm: algorithm)
    }

    private static func verifyPSS(signer: TimeStampToken.Signer, spki: [UInt8], signedBytes: [UInt8]) -> Bool {
        guard let key = try? _RSA.Signing.PublicKey(derRepresentation: spki) else { return false }
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signer.signature)
        switch signer.digestAlgorithm {
        case OIDs.sha256: return key.isValidSignature(signature, for: SHA256.hash(data: signedBytes), padding: .PSS)
        case OIDs.sha384: return key.isValidSignature(signature, for: SHA384.hash(data: signedBytes), padding: .PSS)
        case OIDs.sha512: return key.isValidSignature(signature, for: SHA512.hash(data: signedBytes), padding: .PSS)
        default: return false
        }
    }
}

/// The built-in TSA chain check (see ``TSATrust/anchors(_:trustListName:)``).
enum ChainTrust {
    static func isTrusted(chain: [Certificate], anchorsDER: [[UInt8]], at time: Date) -> Bool {
        let anchors = anchorsDER.compactMap { try? Certificate(derEncoded: $0) }
        guard let leaf = chain.first, !anchors.isEmpty else { return false }
        // End-entity profile for a TSA: not a CA, and id-kp-timeStamping in the EKU.
        if let bc = try? leaf.extensions.basicConstraints, case .isCertificateAuthority = bc { return false }
        guard let eku = try? leaf.extensions.extendedKeyUsage, eku.contains(.timeStamping) else { return false }
        for cert in chain where !(cert.notValidBefore...cert.notValidAfter).contains(time) {
            return false
        }
        for (index, cert) in chain.enumerated() {
            for anchor in anchors where anchor.subject == cert.issuer && anchor != leaf {
                if anchor.publicKey.isValidSignature(cert.signature, for: cert) { return true }
            }
            guard index + 1 < chain.count else { return false }
            let issuer = chain[index + 1]
            guard issuer.subject == cert.issuer, isCA(issuer),
                issuer.publicKey.isValidSignature(cert.signature, for: cert)
            else { return false }
        }
        return false
    }

    private static func isCA(_ cert: Certificate) -> Bool {
        guard let bc = try? cert.extensions.basicConstraints, case .isCertificateAuthority = bc else { return false }
        if let ku = try? cert.extensions.keyUsage, !ku.keyCertSign { return false }
        return true
    }
}
