/// An error from reading an RFC 3161 time-stamp token.
///
/// The validator never throws: it turns these into `timeStamp.*` status codes. They are thrown by
/// ``TimeStampToken/init(derEncoded:)`` for callers that want the parsed token itself.
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
