/// The single error type of SignetImaging.
///
/// Match on ``code`` (stable, open-ended); ``reason`` is a human-readable explanation that may
/// change between releases.
public struct ImagingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The category of an ``ImagingError``.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case notFound
            case unsupportedFormat
            case corrupt
            case truncated
            case tooLarge
            case encodeFailed
        }

        private var backing: Backing

        private init(_ backing: Backing) {
            self.backing = backing
        }

        /// The file does not exist, cannot be opened, or is not a regular file.
        public static let notFound = Code(.notFound)
        /// The file is neither JPEG nor PNG (by magic bytes), is empty, or uses a JPEG/PNG feature
        /// this module cannot decode (e.g. 12-bit or lossless JPEG).
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// The headers or data are malformed.
        public static let corrupt = Code(.corrupt)
        /// The file ends before the image is complete.
        public static let truncated = Code(.truncated)
        /// The image is larger than the pixel limit, or the decoder ran out of its memory budget.
        public static let tooLarge = Code(.tooLarge)
        /// Encoding failed: invalid image dimensions or buffer size, or the output could not be written.
        public static let encodeFailed = Code(.encodeFailed)

        public var description: String {
            switch backing {
            case .notFound: "notFound"
            case .unsupportedFormat: "unsupportedFormat"
            case .corrupt: "corrupt"
            case .truncated: "truncated"
            case .tooLarge: "tooLarge"
            case .encodeFailed: "encodeFailed"
            }
        }
    }

    /// The stable category of the error.
    public var code: Code
    /// A human-readable explanation.
    public var reason: String

    /// Creates an error with a code and an explanation.
    public init(code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String {
        "ImagingError.\(code): \(reason)"
    }
}
