/// An error thrown while reading, parsing or writing an asset file.
///
/// Match on ``code``; ``reason`` is for humans and may change between releases.
public struct MediaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable category of failure. New categories may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notFound, isDirectory, unreadable, truncated, corrupt, unsupportedFormat
            case storeTooLarge, multipleStores, outputExists, writeFailed, invalidArgument
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file (or the directory that should contain it) does not exist.
        public static let notFound = Code(.notFound)
        /// The path names a directory where a file was expected.
        public static let isDirectory = Code(.isDirectory)
        /// The file exists but cannot be opened or read (permissions, not a regular file, I/O error).
        public static let unreadable = Code(.unreadable)
        /// The data ends before a structure that it announces is complete.
        public static let truncated = Code(.truncated)
        /// The data violates the container format (bad length, bad CRC, bad marker, out-of-order packets, ...).
        public static let corrupt = Code(.corrupt)
        /// The file is not one of the supported formats (see ``AssetFormat``).
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// A manifest store (embedded or sidecar) is larger than the configured limit or than the format allows.
        public static let storeTooLarge = Code(.storeTooLarge)
        /// The asset carries more than one C2PA manifest store.
        public static let multipleStores = Code(.multipleStores)
        /// The output destination already exists and overwriting was not requested.
        public static let outputExists = Code(.outputExists)
        /// Creating, writing, syncing or renaming the output failed.
        public static let writeFailed = Code(.writeFailed)
        /// An argument passed by the caller is invalid (for example a store that is not a JUMBF box,
        /// or a scan that does not match the file).
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String {
            switch base {
            case .notFound: return "notFound"
            case .isDirectory: return "isDirectory"
            case .unreadable: return "unreadable"
            case .truncated: return "truncated"
            case .corrupt: return "corrupt"
            case .unsupportedFormat: return "unsupportedFormat"
            case .storeTooLarge: return "storeTooLarge"
            case .multipleStores: return "multipleStores"
            case .outputExists: return "outputExists"
            case .writeFailed: return "writeFailed"
            case .invalidArgument: return "invalidArgument"
            }
        }
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

    public var description: String { "MediaError.\(code): \(reason)" }
}
