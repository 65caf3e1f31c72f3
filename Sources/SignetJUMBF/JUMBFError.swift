/// The one error type thrown by `SignetJUMBF`.
///
/// Compare errors by ``code``; the ``reason`` is for people and may change between releases.
public struct JUMBFError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, open-ended identifier for the kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The identifier's text, e.g. `"truncated"`.
        public let name: String

        private init(_ name: String) { self.name = name }

        /// The input ended before a box header or box payload was complete, or a box claims to extend past its
        /// parent (or past the end of the input).
        public static let truncated = Code("truncated")
        /// A box length (LBox / XLBox) is smaller than the box header it belongs to, or offsets would overflow.
        public static let badLength = Code("badLength")
        /// Bytes remain after the box (or boxes) that should have filled the input.
        public static let trailingBytes = Code("trailingBytes")
        /// Superboxes (or description-box private boxes) are nested deeper than ``JUMBFParser/Limits/maxDepth``.
        public static let tooDeep = Code("tooDeep")
        /// The input holds more boxes than ``JUMBFParser/Limits/maxBoxes``.
        public static let tooManyBoxes = Code("tooManyBoxes")
        /// A superbox (`jumb`) does not start with a description box (`jumd`).
        public static let missingDescription = Code("missingDescription")
        /// A description box (`jumd`) is malformed: too short for its toggles, reserved toggle bits set,
        /// an unterminated label, leftover bytes, or a `jumd` outside its place as a superbox's first child.
        public static let badDescription = Code("badDescription")
        /// A label is empty, not valid UTF-8, or contains a character C2PA forbids in labels.
        public static let badLabel = Code("badLabel")
        /// An embedded file description box (`bfdb`) or another typed content payload is malformed.
        public static let badContent = Code("badContent")

        public var description: String { name }
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// A human-readable explanation.
    public let reason: String
    /// The absolute offset (including the parser's base offset) where the problem was found, when known.
    public let offset: Int?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, offset: Int? = nil) {
        self.code = code
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        if let offset {
            return "JUMBFError.\(code) at offset \(offset): \(reason)"
        }
        return "JUMBFError.\(code): \(reason)"
    }
}
