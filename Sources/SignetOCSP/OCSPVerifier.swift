import Foundation
import SignetPKI
import SwiftASN1
import X509

/// What a verified OCSP response says about one certificate.
public struct OCSPStatusReport: Hashable, Sendable {
    /// good, revoked (time, reason) or unknown.
    public let status: OCSPCertStatus
    /// The CertID of the SingleResponse that matched.
    public let certID: OCSPCertID
    /// When the status was known to be correct.
    public let thisUpdate: Date
    /// When newer information will be available, if the responder says.
    public let nextUpdate: Date?
    /// When the response was signed.
    public let producedAt: Date
    /// The certificate whose key signed the response.
    public let responder: Certificate
    /// True when the CA signed itself; false for a delegated or locally trusted responder.
    public let responderIsIssuer: Bool
    /// The nonce the response carries, if any.
    public let nonce: OCSPNonce?

    /// Whether the answer is current at `time`: `thisUpdate - tolerance <= time <= nextUpdate + tolerance`.
    ///
    /// Without nextUpdate the responder has newer information at any time (RFC 6960 section 4.2.2.1); such an
    /// answer is current up to `thisUpdate + maximumAge + tolerance`, or indefinitely when `maximumAge` is nil
    /// (what OpenSSL and c2pa-rs do by default).
    public func isCurrent(
        at time: Date, tolerance: TimeInterval = OCSPVerifier.defaultTolerance, maximumAge: TimeInterval? = nil
    ) -> Bool {
        guard thisUpdate.addingTimeInterval(-tolerance) <= time else { return false }
        if let nextUpdate { return time <= nextUpdate.addingTimeInterval(tolerance) }
        if let maximumAge { return time <= thisUpdate.addingTimeInterval(maximumAge + tolerance) }
        return true
    }
}

/// The outcome of checking an OCSP response. Verification never throws for a response that parses but cannot be
/// trusted: it says why here.
public enum OCSPVerification: Hashable, Sendable {
    /// The response is authentic and answers for the certificate.
    case verified(OCSPStatusReport)
    /// The response was not accepted; the error's code says why.
    case rejected(RevocationError)

    /// The report, when verified.
    public var report: OCSPStatusReport? {
        if case .verified(let report) = self { return report }
        return nil
    }

    /// The reason, when rejected.
    public var failure: RevocationError? {
        if case .rejected(let error) = self { return error }
        return nil
    }
}

/// The checking side: verifies an OCSP response (for example one stapled in a C2PA COSE header) for a certificate
/// and its issuer.
///
/// Checks, in order (the first failure is reported):
/// 1. the response status is `successful` (`responseNotSuccessful`) and of type id-pkix-ocsp-basic
///    (`unsupportedResponseType`);
/// 2. `issuer` issued the certificate: its subject is the certificate's issuer and its key verifies the
///    certificate's signature (`issuerMismatch`);
/// 3. the responderID names the issuer, a certificate in `certs`, or one of ``trustedResponders``
///    (`responderNotFound`);
/// 4. the signature verifies over tbsResponseData as received (`badSignature`) with the key of a signer that is
///    authorized (RFC 6960 section 4.2.2.2): the issuer itself, a certificate the issuer signed that carries
///    id-kp-OCSPSigning, or a locally trusted responder (`unauthorizedResponder`);
/// 5. with a validation time, a delegated responder's certificate is valid then (`responderCertificateExpired`);
/// 6. with an expected nonce, the response echoes it byte for byte (`nonceMismatch`);
/// 7. a SingleResponse's CertID (its own hash algorithm recomputed) identifies the certificate
///    (`certificateNotInResponse`);
/// 8. with a validation time, that answer is current (`notCurrent`; see
///    ``OCSPStatusReport/isCurrent(at:tolerance:maximumAge:)``).
public struct OCSPVerifier: Sendable {
    /// Five minutes: the default clock tolerance, as OpenSSL's `-validity_period`.
    public static let defaultTolerance: TimeInterval = 300

    /// The CA that issued the certificates being checked.
    public var issuer: Certificate
    /// Responders trusted for this CA by local configuration (RFC 6960 section 4.2.2.2, first criterion).
    public var trustedResponders: [Certificate]
    /// Clock tolerance for every time comparison.
    public var tolerance: TimeInterval
    /// How long after thisUpdate an answer without nextUpdate stays current; nil for indefinitely.
    public var maximumAge: TimeInterval?

    /// Creates a verifier for certificates issued by `issuer`.
    public init(
        issuer: Certificate, trustedResponders: [Certificate] = [], tolerance: TimeInterval = defaultTolerance,
        maximumAge: TimeInterval? = nil
    ) {
        self.issuer = issuer
        self.trustedResponders = trustedResponders
        self.tolerance = tolerance
        self.maximumAge = maximumAge
    }

    /// Parses and verifies DER OCSPResponse bytes.
    ///
    /// - Throws: only for bytes that do not parse (see ``OCSPResponse/init(derEncoded:)``).
    public func verify(
        derEncoded bytes: [UInt8], for certificate: Certificate, at time: Date? = nil, nonce: OCSPNonce? = nil
    ) throws(RevocationError) -> OCSPVerification {
        verify(try OCSPResponse(derEncoded: bytes), for: certificate, at: time, nonce: nonce)
    }

    /// Verifies a parsed response for `certificate`.
    ///
    /// - Parameters:
    ///   - response: The response.
    ///   - certificate: The certificate whose status is wanted, issued by ``issuer``.
    ///   - time: The validation time (now, or the time a trusted timestamp gives); nil skips the time checks.
    ///   - nonce: The nonce sent in the request, when the response must echo it.
    public func verify(
        _ response: OCSPResponse, for certificate: Certificate, at time: Date? = nil, nonce: OCSPNonce? = nil
    ) -> OCSPVerification {
        guard response.status == .successful else {
            return .rejected(RevocationError(.responseNotSuccessful, "response status \(response.status)"))
        }
        guard let basic = response.basicResponse else {
            return .rejected(
                RevocationError(
                    .unsupportedResponseType,
                    "response type \(response.responseType?.description ?? "none") is not id-pkix-ocsp-basic"))
        }
        guard CertificateFacts.issued(issuer, certificate) else {
            return .rejected(RevocationError(.issuerMismatch, "the given issuer did not issue the certificate"))
        }
        let signer: (certificate: Certificate, isIssuer: Bool, validAtTime: Bool)
        switch findSigner(basic, at: time) {
        case .success(let found): signer = found
        case .failure(let error): return .rejected(error)
        }
        if let time, !signer.validAtTime {
            return .rejected(
                RevocationError(.responderCertificateExpired, "responder certificate not valid at \(time)"))
        }
        let data = basic.responseData
        if let nonce, data.nonce?.extensionValue != nonce.extensionValue {
            return .rejected(
                RevocationError(.nonceMismatch, data.nonce == nil ? "no nonce in response" : "nonce differs"))
        }
        guard let single = data.responses.first(where: { $0.certID.identifies(certificate, issuedBy: issuer) }) else {
            return .rejected(
                RevocationError(.certificateNotInResponse, "no SingleResponse names the certificate"))
        }
        let report = OCSPStatusReport(
            status: single.status, certID: single.certID, thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate,
            producedAt: data.producedAt, responder: signer.certificate, responderIsIssuer: signer.isIssuer,
            nonce: data.nonce)
        if let time, !report.isCurrent(at: time, tolerance: tolerance, maximumAge: maximumAge) {
            return .rejected(
                RevocationError(
                    .notCurrent,
                    "\(time) is outside thisUpdate \(single.thisUpdate) ... nextUpdate "
                        + (single.nextUpdate.map { "\($0)" } ?? "none")
                ))
        }
        return .verified(report)
    }

    /// Finds the certificate that signed `basic` and checks that it may (RFC 6960 section 4.2.2.2): the issuer
    /// itself, a locally trusted responder, or a delegated responder that the one path checker accepts with the
    /// issuer as its only anchor and the `ocspSigning` policy (issued by the issuer, which is a CA allowed to sign
    /// certificates; id-kp-OCSPSigning; not a CA). Whether the signer is valid at `time` is returned beside it.
    private func findSigner(_ basic: BasicOCSPResponse, at time: Date?) -> Result<
        (certificate: Certificate, isIssuer: Bool, validAtTime: Bool), RevocationError
    > {
        let id = basic.responseData.responderID
        var candidates: [(certificate: Certificate, authorized: Bool, isIssuer: Bool, validAtTime: Bool)] = []
        if id.names(issuer) { candidates.append((issuer, true, true, true)) }
        for trusted in trustedResponders where id.names(trusted) {
            candidates.append((trusted, true, false, time.map { isValid(trusted, at: $0) } ?? true))
        }
        for cert in basic.certificates where id.names(cert) {
            let isIssuer = cert.publicKey == issuer.publicKey && cert.subject == issuer.subject
            if isIssuer || trustedResponders.contains(cert) {
                candidates.append((cert, true, isIssuer, isIssuer || time.map { isValid(cert, at: $0) } ?? true))
                continue
            }
            let delegated = CertificateFacts.delegationFailure(of: cert, for: issuer, at: nil, tolerance: tolerance) == nil
            let valid = delegated && time.map {
                CertificateFacts.delegationFailure(of: cert, for: issuer, at: $0, tolerance: tolerance) == nil
            } ?? true
            candidates.append((cert, delegated, false, valid))
        }
        guard !candidates.isEmpty else {
            return .failure(RevocationError(.responderNotFound, "no certificate matches the responderID"))
        }
        guard basic.signatureAlgorithm != nil else {
            return .failure(
                RevocationError(.unsupportedAlgorithm, "signature algorithm \(basic.signatureAlgorithmOID)"))
        }
        let signing = candidates.filter { basic.isSignatureValid(signer: $0.certificate) }
        if let good = signing.first(where: \.authorized) { return .success((good.certificate, good.isIssuer, good.validAtTime)) }
        if !signing.isEmpty {
            return .failure(
                RevocationError(
                    .unauthorizedResponder,
                    "the signer is neither the issuer nor a certificate it issued with id-kp-OCSPSigning"))
        }
        return .failure(RevocationError(.badSignature, "the response signature does not verify"))
    }

    /// Whether a locally trusted responder's certificate is valid at `time`, within ``tolerance``.
    private func isValid(_ certificate: Certificate, at time: Date) -> Bool {
        certificate.notValidBefore.addingTimeInterval(-tolerance) <= time
            && time <= certificate.notValidAfter.addingTimeInterval(tolerance)
    }
}
