import Foundation
import SwiftASN1

/// The one certificate-path check: signers, time-stamping authorities, OCSP responders and identity credentials
/// all go through it, each with the extended key usage its role needs.
///
/// A chain (leaf first, then the certificates offered with it) is accepted when:
/// 1. it holds at most ``maxChainLength`` certificates;
/// 2. the leaf carries the role's EKU (``Policy``);
/// 3. each certificate is signed by the next one, whose subject is its issuer, and every issuer is a CA (basic
///    constraints cA TRUE, keyCertSign when key usage is present) whose path length constraint counts the CAs
///    below it;
/// 4. every certificate of the chain is within its validity period at `time`;
/// 5. walking from the top of the chain down, the first certificate issued by a configured anchor (issuer name
///    equal to the anchor's subject, signature verified with the anchor's key) ends the path, and that anchor is
///    itself a CA whose path length allows the CAs below it. A leaf may not be an anchor.
public enum PathValidator {
    /// Longest chain accepted (a hostile chain of thousands of certificates costs one signature check each).
    public static let maxChainLength = 10

    /// The extended key usage a certificate's role requires of the leaf.
    public enum Policy: Sendable {
        /// A C2PA claim signer: one of the given EKUs (the EKU configuration, else c2pa-rs's built-in list).
        case signer(ekus: [ASN1ObjectIdentifier])
        /// An RFC 3161 time-stamping authority: id-kp-timeStamping.
        case timeStamping
        /// An OCSP responder: id-kp-OCSPSigning.
        case ocspSigning
    }

    /// Nil when the chain is valid and leads to an anchor; otherwise why not.
    public static func validate(chainDER: [[UInt8]], anchorsDER: [[UInt8]], at time: Date, policy: Policy) -> String? {
        guard let leafDER = chainDER.first else { return "no certificate" }
        guard let leaf = try? ParsedCertificate(der: leafDER) else { return "the certificate could not be parsed" }
        if let problem = ekuProblem(leaf, policy: policy) { return problem }
        return validatePath(leafDER: leafDER, leaf: leaf, intermediatesDER: Array(chainDER.dropFirst()), anchorsDER: anchorsDER, at: time).problem
    }

    static func ekuProblem(_ leaf: ParsedCertificate, policy: Policy) -> String? {
        guard let eku = leaf.extendedKeyUsage else { return "the certificate has no extended key usage" }
        switch policy {
        case .signer(let accepted):
            guard eku.contains(where: { accepted.contains($0) }) else { return "the certificate has no accepted extended key usage" }
        case .timeStamping:
            guard eku.contains(OID.timeStamping) else { return "the certificate is not a time-stamping certificate" }
        case .ocspSigning:
            guard eku.contains(OID.ocspSigning) else { return "the certificate is not an OCSP-signing certificate" }
        }
        return nil
    }

    struct PathResult {
        var problem: String?
        var anchorDescription: String?
    }

    /// Steps 1 and 3 to 5 (the EKU is the caller's).
    static func validatePath(
        leafDER: [UInt8], leaf: ParsedCertificate, intermediatesDER: [[UInt8]], anchorsDER: [[UInt8]], at time: Date
    ) -> PathResult {
        func refused(_ why: String) -> PathResult { PathResult(problem: why) }
        guard intermediatesDER.count < maxChainLength else {
            return refused("the chain has \(intermediatesDER.count + 1) certificates, over the limit of \(maxChainLength)")
        }
        guard !anchorsDER.isEmpty else { return refused("no trust anchors configured") }
        var chain = [leaf]
        for (index, der) in intermediatesDER.enumerated() {
            if index == 0, der == leafDER { continue }
            guard let parsed = try? ParsedCertificate(der: der) else {
                return refused("certificate \(index + 2) of the chain could not be parsed")
            }
            chain.append(parsed)
        }
        for index in chain.indices.dropLast() {
            let subject = chain[index]
            let issuer = chain[index + 1]
            guard subject.issuer == issuer.subject, SignatureCheck.verify(subject, issuedBy: issuer) == .valid else {
                return refused("\"\(subject.subjectDescription)\" is not signed by the next certificate of the chain, \"\(issuer.subjectDescription)\"")
            }
            if let problem = caProblem(issuer, issuingBelow: index) {
                return refused("\"\(issuer.subjectDescription)\" \(problem)")
            }
        }
        for certificate in chain where !(certificate.notBefore <= time && time <= certificate.notAfter) {
            return refused("\"\(certificate.subjectDescription)\" is not valid at the validation time")
        }
        let anchors = anchorsDER.compactMap { try? ParsedCertificate(der: $0) }
        for (position, certificate) in chain.enumerated().reversed() {
            for anchor in anchors where anchor.subject == certificate.issuer {
                guard SignatureCheck.verify(certificate, issuedBy: anchor) == .valid else { continue }
                // A self-signed anchor sent along in the chain is the anchor itself, not a CA below it.
                let below = certificate.der == anchor.der ? position - 1 : position
                if let problem = caProblem(anchor, issuingBelow: max(below, 0)) {
                    return refused("trust anchor \"\(anchor.subjectDescription)\" \(problem)")
                }
                return PathResult(problem: nil, anchorDescription: anchor.subjectDescription)
            }
        }
        return refused("the chain does not lead to a configured trust anchor")
    }

    /// Why `issuer` may not issue the certificate below it, if it may not. `position` counts the CA certificates
    /// below it that are not the leaf (RFC 5280, 4.2.1.9).
    static func caProblem(_ issuer: ParsedCertificate, issuingBelow position: Int) -> String? {
        guard let constraints = issuer.basicConstraints, constraints.isCA else { return "is not a CA certificate" }
        if let keyUsage = issuer.keyUsage, !keyUsage.keyCertSign { return "may not sign certificates (no keyCertSign)" }
        if issuer.hasExtension(OID.keyUsage), issuer.keyUsage == nil { return "has an unreadable key usage" }
        if let limit = constraints.pathLength, position > limit { return "exceeds its path length constraint" }
        return nil
    }
}
