/// An error thrown while decoding CBOR.
///
/// Match on ``code``; ``reason`` is for humans and may change.
public struct CBORError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable category of decoding failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case truncated, trailingBytes, tooDeep, tooLarge, invalidUTF8
            case reservedAdditionalInformation, unexpectedBreak, invalidIndefiniteLength, invalidSimpleValue
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input ends in the middle of a data item.
        public static let truncated = Code(.truncated)
        /// Bytes remain after the single data item that was expected.
        public static let trailingBytes = Code(.trailingBytes)
        /// Containers or tags are nested deeper than ``CBORDecoder/Limits/maxDepth``.
        public static let tooDeep = Code(.tooDeep)
        /// A length or count exceeds a decoder limit or the remaining input, or does not fit in `Int`.
        public static let tooLarge = Code(.tooLarge)
        /// A text string is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// An initial byte uses additional information 28, 29 or 30.
        public static let reservedAdditionalInformation = Code(.reservedAdditionalInformation)
        /// A "break" stop code appears outside an indefinite-length item.
        public static let unexpectedBreak = Code(.unexpectedBreak)
        /// An indefinite length is used where it is not allowed (integers, tags, nested or mistyped string chunks).
        public static let invalidIndefiniteLength = Code(.invalidIndefiniteLength)
        /// A two-byte simple value below 32.
        public static let invalidSimpleValue = Code(.invalidSimpleValue)

        public var description: String {
            switch base {
            case .truncated: return "truncated"
            case .trailingBytes: return "trailingBytes"
            case .tooDeep: return "tooDeep"
            case .tooLarge: return "tooLarge"
            case .invalidUTF8: return "invalidUTF8"
            case .reservedAdditionalInformation: return "reservedAdditionalInformation"
            case .unexpectedBreak: return "unexpectedBreak"
            case .invalidIndefiniteLength: return "invalidIndefiniteLength"
            case .invalidSimpleValue: return "invalidSimpleValue"
            }
        }
    }

    /// The category of failure.
    public let code: Code
    /// The byte offset in the input where the offending item (or the missing data) starts.
    public let offset: Int
    /// A human-readable explanation.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, offset: Int, reason: String) {
        self.code = code
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        "CBORError.\(code) at offset \(offset): \(reason)"
    }
}
