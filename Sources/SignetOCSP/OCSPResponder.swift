import Foundation
import SignetPKI
import SwiftASN1
import X509

/// The issuing side: answers OCSP requests about the certificates of one CA from a status lookup (the registry's
/// database), signing as the CA itself or as a delegated responder (RFC 6960 sections 2.6 and 4.2.2.2).
///
/// ```swift
/// let responder = try OCSPResponder(
///     issuer: issuingCA, signerCertificate: responderCert, signerKey: responderKey
/// ) { serial in try database.status(of: serial) }
/// let responseDER = responder.respond(toDER: requestBody)     // never throws: errors become error responses
/// ```
///
/// Each requested CertID gets one SingleResponse: `unknown` when it does not name this CA (or uses a hash this
/// module cannot compute), otherwise what the lookup says, with thisUpdate = producedAt = the response time and
/// nextUpdate = thisUpdate + ``validity``. A nonce in the request is echoed; a nonce of 0 or more than 32 octets
/// gets `malformedRequest` (RFC 8954); a lookup that throws gets `internalError`.
public struct OCSPResponder: Sendable {
    /// How the responder names itself in ResponseData. The ResponderID CHOICE has exactly these two.
    public enum ResponderIDKind: Hashable, Sendable {
        /// SHA-1 of the signer's public key bits (what RFC 6960 recommends and CA/B Forum profiles use).
        case byKey
        /// The signer certificate's subject (OpenSSL's default).
        case byName
    }

    /// The registry's answer for one serial number of this CA.
    public typealias StatusLookup = @Sendable (Certificate.SerialNumber) throws -> OCSPCertStatus

    /// The CA whose certificates this responder answers for.
    public let issuer: Certificate
    /// The certificate of the signing key: the CA itself, or a delegated responder it issued.
    public let signerCertificate: Certificate
    /// The signature algorithm used.
    public let signatureAlgorithm: Certificate.SignatureAlgorithm
    /// How the responder names itself.
    public let responderIDKind: ResponderIDKind
    /// nextUpdate minus thisUpdate; nil writes no nextUpdate.
    public let validity: TimeInterval?
    /// Whether `certs` carries ``signerCertificate``.
    public let includeSignerCertificate: Bool

    private let signerKey: Certificate.PrivateKey
    private let lookup: StatusLookup
    private let nextChange: (@Sendable (Certificate.SerialNumber) -> Date?)?

    /// Creates a responder.
    ///
    /// - Parameters:
    ///   - issuer: The issuing CA.
    ///   - signerCertificate: The CA itself, or a certificate the CA issued with id-kp-OCSPSigning.
    ///   - signerKey: The private key of `signerCertificate`.
    ///   - signatureAlgorithm: Defaults to the key's usual algorithm (ecdsa-with-SHA256 for P-256, ...,
    ///     sha256WithRSAEncryption for RSA, Ed25519).
    ///   - responderID: byKey (default) or byName.
    ///   - validity: How long each answer stays current (nextUpdate - thisUpdate); one day by default.
    ///   - includeSignerCertificate: Put the signer's certificate in `certs` (default true; verifiers need it for
    ///     a delegated responder).
    ///   - status: The lookup: serial number to status.
    ///   - nextChange: When the status of a serial number is known to change (a revocation scheduled for later):
    ///     that answer's nextUpdate is no later than it, so no one holds "good" past the revocation.
    /// - Throws: `keyMismatch` when the key is not the certificate's, `unauthorizedResponder` when the signer is
    ///   neither the issuer nor a certificate the issuer signed with id-kp-OCSPSigning, `unsupportedAlgorithm`.
    public init(
        issuer: Certificate, signerCertificate: Certificate, signerKey: Certificate.PrivateKey,
        signatureAlgorithm: Certificate.SignatureAlgorithm? = nil, responderID: ResponderIDKind = .byKey,
        validity: TimeInterval? = 86_400, includeSignerCertificate: Bool = true,
        status: @escaping StatusLookup, nextChange: (@Sendable (Certificate.SerialNumber) -> Date?)? = nil
    ) throws(RevocationError) {
        guard signerKey.publicKey == signerCertificate.publicKey else {
            throw RevocationError(.keyMismatch, "the signing key does not belong to the signer certificate")
        }
        let isIssuer = signerCertificate.publicKey == issuer.publicKey && signerCertificate.subject == issuer.subject
        guard
            isIssuer
                || CertificateFacts.delegationFailure(of: signerCertificate, for: issuer, at: nil, tolerance: 0) == nil
        else {
            throw RevocationError(
                .unauthorizedResponder,
                "the signer must be the issuer or a certificate it issued with id-kp-OCSPSigning")
        }
        guard let algorithm = signatureAlgorithm ?? Signatures.defaultAlgorithm(for: signerKey.publicKey) else {
            throw RevocationError(.unsupportedAlgorithm, "no signature algorithm for this key")
        }
        _ = try Signatures.identifier(algorithm)
        guard Signatures.matches(algorithm, signerKey.publicKey) else {
            throw RevocationError(.unsupportedAlgorithm, "\(algorithm) does not suit the signing key")
        }
        if let validity, !(validity >= 0 && validity.isFinite) {
            throw RevocationError(.invalidArgument, "validity must be a finite, non-negative interval")
        }
        self.issuer = issuer
        self.signerCertificate = signerCertificate
        self.signerKey = signerKey
        self.signatureAlgorithm = algorithm
        self.responderIDKind = responderID
        self.validity = validity
        self.includeSignerCertificate = includeSignerCertificate
        self.lookup = status
        self.nextChange = nextChange
    }

    /// Answers a DER OCSPRequest with DER OCSPResponse bytes: `malformedRequest` for a request that does not parse,
    /// `internalError` when the lookup throws.
    public func respond(toDER request: [UInt8], at time: Date = Date()) -> [UInt8] {
        guard let parsed = try? OCSPRequest(derEncoded: request) else {
            return Self.errorResponse(.malformedRequest).derEncoded
        }
        return respond(to: parsed, at: time).derEncoded
    }

    /// Answers a parsed request; error statuses as in ``respond(toDER:at:)``.
    public func respond(to request: OCSPRequest, at time: Date = Date()) -> OCSPResponse {
        let nonce = request.nonce
        if let nonce, !(1...32).contains(nonce.value.count) {
            return Self.errorResponse(.malformedRequest)
        }
        do {
            return try response(for: request.certIDs, nonce: nonce, at: time)
        } catch {
            return Self.errorResponse(error.code == .invalidArgument ? .malformedRequest : .internalError)
        }
    }

    /// A signed response about `certIDs` without a request: what a registry pre-produces, or what a signer staples.
    ///
    /// - Throws: `invalidArgument` for an empty or over-long list, `statusLookupFailed` when the lookup throws,
    ///   `signingFailed` when the key fails.
    public func response(
        for certIDs: [OCSPCertID], nonce: OCSPNonce? = nil, at time: Date = Date()
    ) throws(RevocationError) -> OCSPResponse {
        guard !certIDs.isEmpty, certIDs.count <= Limits.certIDs else {
            throw RevocationError(.invalidArgument, "a response answers 1 to \(Limits.certIDs) certificates")
        }
        let nextUpdate = validity.map { time + $0 }
        var answers: [OCSPSingleResponse] = []
        for certID in certIDs {
            let status: OCSPCertStatus
            if certID.isIssued(by: issuer) {
                do { status = try lookup(certID.serialNumber) } catch {
                    throw RevocationError(.statusLookupFailed, "\(error)")
                }
            } else {
                status = .unknown
            }
            var until = nextUpdate
            if certID.isIssued(by: issuer), let change = nextChange?(certID.serialNumber), change > time {
                until = min(until ?? change, change)
            }
            answers.append(
                OCSPSingleResponse(certID: certID, status: status, thisUpdate: time, nextUpdate: until))
        }
        let extensions = try nonce.map { nonce throws(RevocationError) in
            try DERInput.decode("nonce") { try Certificate.Extensions([nonce.certificateExtension]) }
        }
        let data = OCSPResponseData(
            responderID: .of(signerCertificate, byKey: responderIDKind == .byKey), producedAt: time,
            responses: answers, extensions: extensions)
        let basic = try BasicOCSPResponse(
            signing: data, with: signerKey, signatureAlgorithm: signatureAlgorithm,
            certificates: includeSignerCertificate ? [signerCertificate] : [])
        return OCSPResponse(basicResponse: basic)
    }

    /// An unsigned error response (`malformedRequest`, `internalError`, `tryLater`, `sigRequired`,
    /// `unauthorized`).
    public static func errorResponse(_ status: OCSPResponseStatus) -> OCSPResponse {
        // Only `successful` is refused, and it never reaches here from this module.
        (try? OCSPResponse(status: status == .successful ? .internalError : status))
            ?? (try! OCSPResponse(status: .internalError))
    }
}
