/// The one error type of SignetTrust.
///
/// Thrown only while reading trust configuration (``TrustSettings``); evaluating a credential never
/// throws, it reports. `code` is stable and meant for programs and tests; `reason` is for people and
/// names the offending line where there is one.
public struct TrustError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, open-ended classification of the failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The raw name of the code, e.g. `"malformedPEM"`.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// A PEM block is broken: unterminated, bad base64, or an unexpected label.
        public static let malformedPEM = Code("malformedPEM")
        /// A PEM `CERTIFICATE` block does not hold a DER X.509 certificate.
        public static let malformedCertificate = Code("malformedCertificate")
        /// A line of the allowed list is neither part of a PEM block, a SHA-256 hash, a comment nor blank.
        public static let malformedAllowedListLine = Code("malformedAllowedListLine")
        /// A line of the EKU configuration is neither an OID, a comment nor blank.
        public static let malformedEKULine = Code("malformedEKULine")
        /// A configuration text holds something that cannot be used at all (e.g. no certificate in an anchors text).
        public static let emptyConfiguration = Code("emptyConfiguration")
        /// A configuration text exceeds the size or count limits.
        public static let limitExceeded = Code("limitExceeded")

        public var description: String { name }
    }

    /// What went wrong, stable across releases.
    public let code: Code
    /// A human explanation, naming the source ("trust anchors", "allowed list", ...) and line where known.
    public let reason: String

    /// Creates an error with a code and a human reason.
    public init(code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "TrustError.\(code): \(reason)" }
}
