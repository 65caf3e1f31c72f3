/// An error from reading or issuing RFC 3161 time-stamp structures.
///
/// The validator never throws: it turns these into `timeStamp.*` status codes. They are thrown by
/// ``TimeStampToken/init(derEncoded:)`` for callers that want the parsed token itself, by the parsers of
/// ``TimeStampRequest``, ``TimeStampResponse`` and ``TimeStampTokenInfo``, by ``TimeStampAuthority`` when it
/// cannot be set up or cannot issue a token, and by the TSA clients (``HTTPTimestamper``, ``LocalTimestamper``).
public struct TimestampError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, open-ended error code; tests and callers match on this, never on ``reason``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// The bytes are not well-formed DER (truncated, bad length, trailing bytes, too deep).
        public static let malformedDER = Code("malformedDER")
        /// Well-formed DER, but not the ASN.1 structure expected at this place.
        public static let unexpectedStructure = Code("unexpectedStructure")
        /// A TimeStampResp whose PKIStatus is neither granted (0) nor grantedWithMods (1).
        public static let statusNotGranted = Code("statusNotGranted")
        /// A TimeStampResp without a timeStampToken.
        public static let missingToken = Code("missingToken")
        /// The ContentInfo is not id-signedData.
        public static let notSignedData = Code("notSignedData")
        /// The encapsulated content is not an id-ct-TSTInfo, or it is absent.
        public static let missingTSTInfo = Code("missingTSTInfo")
        /// A date outside the range this module represents.
        public static let invalidTime = Code("invalidTime")
        /// The input is larger than a documented bound (whole message, nonce, hash value).
        public static let limitExceeded = Code("limitExceeded")
        /// A value given by the caller cannot be used (an empty certificate chain, a non-positive serial number).
        public static let invalidArgument = Code("invalidArgument")
        /// The TSA certificate does not meet RFC 3161 section 2.3 (exactly one extended key usage,
        /// id-kp-timeStamping, marked critical), or is not valid at the time of issue.
        public static let invalidCertificate = Code("invalidCertificate")
        /// The signing key does not belong to the TSA certificate.
        public static let keyMismatch = Code("keyMismatch")
        /// A signing key or hash algorithm this module does not support.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The signing key or the serial-number source failed.
        public static let signingFailed = Code("signingFailed")
        /// The time-stamp authority refused the request; the reason names the PKIFailureInfo.
        public static let requestRejected = Code("requestRejected")
        /// ``HTTPTimestamper``: the TSA could not be reached, or answered with an HTTP status other than 200.
        public static let tsaUnreachable = Code("tsaUnreachable")
        /// ``HTTPTimestamper``: the TSA's answer, or the token in it, is larger than the client accepts.
        public static let responseTooLarge = Code("responseTooLarge")
        /// ``HTTPTimestamper``: the TSA's token answers another request (its nonce or message imprint differs).
        public static let responseMismatch = Code("responseMismatch")

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

    /// `TimestampError.<code>: <reason>`.
    public var description: String { "TimestampError.\(code): \(reason)" }
}
