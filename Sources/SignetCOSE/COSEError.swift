/// An error from the COSE module: decoding, encoding, padding or signing.
///
/// Match on ``code``; ``reason`` is for humans and may change.
/// A bad signature is not an error: ``COSESign1/verify(detachedPayload:publicKey:)`` returns a result.
public struct COSEError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable category of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The bytes are not a well-formed COSE_Sign1 (CBOR errors, wrong shape, duplicate labels).
        public static let malformed = Code("malformed")
        /// The algorithm is not one this module implements, or the key cannot use it.
        public static let unsupportedAlgorithm = Code("unsupportedAlgorithm")
        /// The protected header has no algorithm (label 1).
        public static let missingAlgorithm = Code("missingAlgorithm")
        /// The x5chain header (label 33) is not a bstr or a non-empty array of bstr,
        /// or a certificate or public key in it cannot be parsed.
        public static let badX5Chain = Code("badX5Chain")
        /// The structure cannot be padded to the requested size (it is already larger).
        public static let cannotPad = Code("cannotPad")
        /// The signer failed, or returned a signature that is not in COSE form for the algorithm.
        public static let signingFailed = Code("signingFailed")
        /// A key could not be parsed or used.
        public static let invalidKey = Code("invalidKey")

        public var description: String { name }
    }

    /// The category of failure.
    public let code: Code
    /// A human-readable explanation.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "COSEError.\(code): \(reason)" }
}
