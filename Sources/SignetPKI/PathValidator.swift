import Foundation
import SwiftASN1

/// The one certificate-path check: signers, time-stamping authorities, OCSP responders and identity credentials
/// all go through it, each with the extended key usage its role needs.
///
/// A chain (leaf first, then the certificates offered with it) is accepted when:
/// 1. it holds at most ``maxChainLength`` certificates;
/// 2. the leaf carries the role's EKU (``Policy``), and a time-stamping or OCSP-signing leaf is not a CA;
/// 3. each certificate is signed by the next one, whose subject is its issuer, and every issuer is a CA (basic
///    constraints cA TRUE, keyCertSign when key usage is present) whose path length constraint counts the CAs
///    below it;
/// 4. every certificate of the chain is within its validity period at `time`;
/// 5. walking from the top of the chain down, the first certificate issued by a configured anchor (issuer name
///    equal to the anchor's subject, signature verified with the anchor's key) ends the path, and that anchor is
///    itself a CA whose path length allows the CAs below it. A leaf may not be an anchor.
///
/// Every signature on the path is checked by ``SignatureCheck``, so SHA-1 signed certificates never pass.
public enum PathValidator {
    /// Longest chain accepted (a hostile chain of thousands of certificates costs one signature check each).
    public static let maxChainLength = 10

    /// The extended key usage a certificate's role requires of the leaf.
    public enum Policy: Sendable {
        /// A C2PA claim signer: one of the given EKUs (the EKU configuration, else c2pa-rs's built-in list).
        case signer(ekus: [ASN1ObjectIdentifier])
        /// An RFC 3161 time-stamping authority: id-kp-timeStamping, not a CA.
        case timeStamping
        /// An OCSP responder: id-kp-OCSPSigning, not a CA.
        case ocspSigning
    }

    /// Why a chain was refused.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// A stable classification.
        public struct Code: Sendable, Hashable, CustomStringConvertible {
            public let name: String
            private init(_ name: String) { self.name = name }
            /// No certificate, or one that cannot be parsed.
            public static let malformedChain = Code("malformedChain")
            /// More than ``PathValidator/maxChainLength`` certificates.
            public static let chainTooLong = Code("chainTooLong")
            /// The leaf lacks the role's EKU, or is a CA where the role wants an end entity.
            public static let wrongUsage = Code("wrongUsage")
            /// A certificate is not signed by the next one (or its issuer is not the next one's subject).
            public static let brokenChain = Code("brokenChain")
            /// An issuer is not a CA, may not sign certificates, or its path length constraint is exceeded.
            public static let issuerNotAllowed = Code("issuerNotAllowed")
            /// A certificate of the chain is not valid at the validation time.
            public static let notValidAtTime = Code("notValidAtTime")
            /// No anchors were given, or the chain does not lead to one.
            public static let noTrustAnchor = Code("noTrustAnchor")
            public var description: String { name }
        }

        public let code: Code
        /// Why, naming the certificate.
        public let reason: String

        public init(code: Code, reason: String) {
            self.code = code
            self.reason = reason
        }

        public var description: String { reason }
    }

    /// Nil when the chain is valid and leads to an anchor; otherwise why not.
    public static func validate(chainDER: [[UInt8]], anchorsDER: [[UInt8]], at time: Date, policy: Policy) -> String? {
        check(chainDER: chainDER, anchorsDER: anchorsDER, at: time, policy: policy)?.reason
    }

    /// Nil when the chain is valid and leads to an anchor; otherwise the failure with its code.
    ///
    /// - Parameters:
    ///   - time: the validation time; nil only where a caller checks no time at all (an OCSP verifier asked
    ///     without one, a responder being configured), and then step 4 is left out.
    ///   - tolerance: clock tolerance on every validity bound (OCSP's), 0 elsewhere.
    public static func check(
        chainDER: [[UInt8]], anchorsDER: [[UInt8]], at time: Date?, tolerance: TimeInterval = 0, policy: Policy
    ) -> Failure? {
        guard let leafDER = chainDER.first else { return Failure(code: .malformedChain, reason: "no certificate") }
        guard let leaf = try? ParsedCertificate(der: leafDER) else {
            return Failure(code: .malformedChain, reason: "the certificate could not be parsed")
        }
        if let problem = usageProblem(leaf, policy: policy) { return Failure(code: .wrongUsage, reason: problem) }
        return validatePath(
            leafDER: leafDER, leaf: leaf, intermediatesDER: Array(chainDER.dropFirst()), anchorsDER: anchorsDER, at: time,
            tolerance: tolerance
        ).failure
    }

    /// Why `leaf` may not act in the role `policy` names, if it may not (step 2).
    package static func usageProblem(_ leaf: ParsedCertificate, policy: Policy) -> String? {
        guard let eku = leaf.extendedKeyUsage else { return "the certificate has no extended key usage" }
        switch policy {
        case .signer(let accepted):
            guard eku.contains(where: { accepted.contains($0) }) else { return "the certificate has no accepted extended key usage" }
        case .timeStamping:
            guard eku.contains(ASN1ObjectIdentifier.KeyPurpose.timeStamping) else { return "the certificate is not a time-stamping certificate" }
            if leaf.isCA { return "the time-stamping certificate is a CA certificate" }
        case .ocspSigning:
            guard eku.contains(ASN1ObjectIdentifier.KeyPurpose.ocspSigning) else { return "the certificate is not an OCSP-signing certificate" }
            if leaf.isCA { return "the OCSP-signing certificate is a CA certificate" }
        }
        return nil
    }

    package struct PathResult {
        package var failure: Failure?
        package var anchorDescription: String?
    }

    /// Steps 1 and 3 to 5 (the usage is the caller's).
    package static func validatePath(
        leafDER: [UInt8], leaf: ParsedCertificate, intermediatesDER: [[UInt8]], anchorsDER: [[UInt8]], at time: Date?,
        tolerance: TimeInterval = 0
    ) -> PathResult {
        func refused(_ code: Failure.Code, _ why: String) -> PathResult { PathResult(failure: Failure(code: code, reason: why)) }
        guard intermediatesDER.count < maxChainLength else {
            return refused(.chainTooLong, "the chain has \(intermediatesDER.count + 1) certificates, over the limit of \(maxChainLength)")
        }
        guard !anchorsDER.isEmpty else { return refused(.noTrustAnchor, "no trust anchors configured") }
        var chain = [leaf]
        for (index, der) in intermediatesDER.enumerated() {
            if index == 0, der == leafDER { continue }
            guard let parsed = try? ParsedCertificate(der: der) else {
                return refused(.malformedChain, "certificate \(index + 2) of the chain could not be parsed")
            }
            chain.append(parsed)
        }
        for index in chain.indices.dropLast() {
            let subject = chain[index]
            let issuer = chain[index + 1]
            guard subject.issuer == issuer.subject, SignatureCheck.verify(subject, issuedBy: issuer) == .valid else {
                return refused(
                    .brokenChain,
                    "\"\(subject.subjectDescription)\" is not signed by the next certificate of the chain, \"\(issuer.subjectDescription)\"")
            }
            if let problem = caProblem(issuer, issuingBelow: index) {
                return refused(.issuerNotAllowed, "\"\(issuer.subjectDescription)\" \(problem)")
            }
        }
        if let time {
            for certificate in chain
            where !(certificate.notBefore.addingTimeInterval(-tolerance) <= time && time <= certificate.notAfter.addingTimeInterval(tolerance)) {
                return refused(.notValidAtTime, "\"\(certificate.subjectDescription)\" is not valid at the validation time")
            }
        }
        let anchors = anchorsDER.compactMap { try? ParsedCertificate(der: $0) }
        for (position, certificate) in chain.enumerated().reversed() {
            for anchor in anchors where anchor.subject == certificate.issuer {
                guard SignatureCheck.verify(certificate, issuedBy: anchor) == .valid else { continue }
                // A self-signed anchor sent along in the chain is the anchor itself, not a CA below it.
                let below = certificate.der == anchor.der ? position - 1 : position
                if let problem = caProblem(anchor, issuingBelow: max(below, 0)) {
                    return refused(.issuerNotAllowed, "trust anchor \"\(anchor.subjectDescription)\" \(problem)")
                }
                return PathResult(failure: nil, anchorDescription: anchor.subjectDescription)
            }
        }
        return refused(.noTrustAnchor, "the chain does not lead to a configured trust anchor")
    }

    /// Why `issuer` may not issue the certificate below it, if it may not. `position` counts the CA certificates
    /// below it that are not the leaf (RFC 5280, 4.2.1.9).
    static func caProblem(_ issuer: ParsedCertificate, issuingBelow position: Int) -> String? {
        guard let constraints = issuer.basicConstraints, constraints.isCA else { return "is not a CA certificate" }
        if let keyUsage = issuer.keyUsage, !keyUsage.keyCertSign { return "may not sign certificates (no keyCertSign)" }
        if issuer.hasExtension(ASN1ObjectIdentifier.CertificateExtension.keyUsage), issuer.keyUsage == nil { return "has an unreadable key usage" }
        if let limit = constraints.pathLength, position > limit { return "exceeds its path length constraint" }
        return nil
    }
}
