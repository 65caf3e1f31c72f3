import Crypto
import Foundation

/// Trust decision for a signer chain, matching what c2pa-rs 0.91.3 decides (measured against it, see the
/// project's trust findings):
///
/// 1. The leaf's SHA-256 is on the allowed list: trusted, whatever else holds.
/// 2. Otherwise, with no anchors: untrusted.
/// 3. The leaf must carry an accepted EKU (see ``TrustSettings``).
/// 4. The x5chain must be in order: each certificate signed by the next one, each issuer a CA (basic
///    constraints cA TRUE, keyCertSign when key usage is present, path length respected).
/// 5. Every certificate of the x5chain must be within its validity period at the validation time
///    (anchors themselves are not time-checked, as in c2pa-rs).
/// 6. Walking from the end of the chain towards the leaf, the first certificate whose issuer name equals an
///    anchor's subject and whose signature verifies with that anchor's key makes the chain trusted; so an
///    intermediate may itself be an anchor, but the leaf may not.
enum ChainTrust {
    static func evaluate(
        leafDER: [UInt8],
        leaf: ParsedCertificate?,
        intermediatesDER: [[UInt8]],
        settings: TrustSettings,
        at time: Date
    ) -> CredentialEvaluation.Trust {
        if settings.allowedCertificateHashes.contains(Array(SHA256.hash(data: leafDER))) {
            return .trusted(explanation: "signing certificate trusted, found in the allowed list")
        }
        func untrusted(_ why: String) -> CredentialEvaluation.Trust { .untrusted(explanation: "signing certificate untrusted: \(why)") }
        guard !settings.anchorDERs.isEmpty else { return untrusted("no trust anchors configured and not on the allowed list") }
        guard let leaf else { return untrusted("the signing certificate could not be parsed") }
        guard let eku = leaf.extendedKeyUsage else { return untrusted("the signing certificate has no extended key usage") }
        guard CertificateProfile.hasAcceptedEKU(eku, settings: settings) else {
            return untrusted("the signing certificate has no accepted extended key usage")
        }

        var chain = [leaf]
        for (index, der) in intermediatesDER.enumerated() {
            if index == 0, der == leafDER { continue }
            guard let parsed = try? ParsedCertificate(der: der) else {
                return untrusted("certificate \(index + 2) of the chain could not be parsed")
            }
            chain.append(parsed)
        }

        for index in chain.indices.dropLast() {
            let subject = chain[index]
            let issuer = chain[index + 1]
            guard subject.issuer == issuer.subject,
                SignatureCheck.verify(subject, issuedBy: issuer) == .valid
            else {
                return untrusted("\"\(subject.subjectDescription)\" is not signed by the next certificate of the chain, \"\(issuer.subjectDescription)\"")
            }
            if let problem = caProblem(issuer, issuingBelow: index) {
                return untrusted("\"\(issuer.subjectDescription)\" \(problem)")
            }
        }
        for certificate in chain where !(certificate.notBefore <= time && time <= certificate.notAfter) {
            return untrusted("\"\(certificate.subjectDescription)\" is not valid at the validation time")
        }

        let anchors = settings.anchorDERs.compactMap { try? ParsedCertificate(der: $0) }
        for certificate in chain.reversed() {
            for anchor in anchors where anchor.subject == certificate.issuer {
                if SignatureCheck.verify(certificate, issuedBy: anchor) == .valid {
                    return .trusted(explanation: "signing certificate trusted, chains to trust anchor \"\(anchor.subjectDescription)\"")
                }
            }
        }
        return untrusted("the chain does not lead to a configured trust anchor")
    }

    /// Why `issuer` (at chain position `position + 1`) may not issue the certificate below it, if it may not.
    /// `position` counts the certificates below it that are not the leaf, i.e. the intermediate CAs it vouches for.
    private static func caProblem(_ issuer: ParsedCertificate, issuingBelow position: Int) -> String? {
        guard let constraints = issuer.basicConstraints, constraints.isCA else { return "is not a CA certificate" }
        if let keyUsage = issuer.keyUsage, !keyUsage.keyCertSign { return "may not sign certificates (no keyCertSign)" }
        if issuer.hasExtension(OID.keyUsage), issuer.keyUsage == nil { return "has an unreadable key usage" }
        if let limit = constraints.pathLength, position > limit { return "exceeds its path length constraint" }
        return nil
    }
}
