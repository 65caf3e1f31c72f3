/// The one error type of SignetOCSP: why bytes could not be read, or why a response or CRL was rejected.
///
/// Parsers (``OCSPRequest/init(derEncoded:)``, ``OCSPResponse/init(derEncoded:)``,
/// ``CertificateRevocationList/init(derEncoded:)``) throw it for malformed input; verifiers return it inside
/// ``OCSPVerification/rejected(_:)`` and ``CRLVerification/rejected(_:)`` rather than throwing. Match on
/// ``code``, never on ``reason``.
public struct RevocationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, open-ended error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let name: String

        private init(_ name: String) { self.name = name }

        // MARK: Reading

        /// The bytes are not well-formed DER (truncated, bad length, trailing bytes, nested too deep).
        public static let malformedDER = Code("malformedDER")
        /// Well-formed DER, but not the ASN.1 structure expected at this place.
        public static let unexpectedStructure = Code("unexpectedStructure")
        /// A version number this module does not read (OCSP v1 and CRL v1/v2 are read).
        public static let unsupportedVersion = Code("unsupportedVersion")
        /// The input, or a list inside it, is larger than the limits this module accepts.
        public static let inputTooLarge = Code("inputTooLarge")
        /// A date that is malformed or outside the range this module represents.
        public static let invalidTime = Code("invalidTime")

        // MARK: Building

        /// A signature or hash algorithm this module does not produce or accept (SHA-1 signatures, RSASSA-PSS, ...).
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The private key does not belong to the certificate it is meant to sign for.
        public static let keyMismatch = Code("keyMismatch")
        /// The private key failed to produce a signature.
        public static let signingFailed = Code("signingFailed")
        /// The responder's status lookup threw.
        public static let statusLookupFailed = Code("statusLookupFailed")
        /// A value the caller supplied cannot be encoded (an empty request list, a nonce of the wrong size, ...).
        public static let invalidArgument = Code("invalidArgument")

        // MARK: Verifying

        /// The OCSPResponse status is not `successful` (it carries no certificate status).
        public static let responseNotSuccessful = Code("responseNotSuccessful")
        /// The responseBytes are not of type id-pkix-ocsp-basic.
        public static let unsupportedResponseType = Code("unsupportedResponseType")
        /// The certificate given as issuer did not issue the certificate being checked.
        public static let issuerMismatch = Code("issuerMismatch")
        /// No certificate (issuer, `certs`, or configured responders) matches the responderID.
        public static let responderNotFound = Code("responderNotFound")
        /// The signer is neither the issuing CA, nor a certificate it issued with id-kp-OCSPSigning, nor trusted
        /// locally.
        public static let unauthorizedResponder = Code("unauthorizedResponder")
        /// The signature does not verify with the signer's key.
        public static let badSignature = Code("badSignature")
        /// The response holds no SingleResponse for the certificate being checked.
        public static let certificateNotInResponse = Code("certificateNotInResponse")
        /// The response does not echo the nonce that the request carried.
        public static let nonceMismatch = Code("nonceMismatch")
        /// The validation time is outside thisUpdate...nextUpdate (with the tolerance).
        public static let notCurrent = Code("notCurrent")
        /// The delegated responder's certificate is not valid at the validation time.
        public static let responderCertificateExpired = Code("responderCertificateExpired")
        /// The CRL issuer's key usage does not include cRLSign.
        public static let unauthorizedSigner = Code("unauthorizedSigner")
        /// A CRL with a critical extension this module does not process (RFC 5280 section 5.2): it must not be used.
        public static let unsupportedCriticalExtension = Code("unsupportedCriticalExtension")

        /// The code's name.
        public var description: String { name }
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// A human-readable explanation; not stable.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Errors are equal when their codes are; the reason is not compared.
    public static func == (lhs: RevocationError, rhs: RevocationError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// `RevocationError.<code>: <reason>`.
    public var description: String { "RevocationError.\(code): \(reason)" }
}
