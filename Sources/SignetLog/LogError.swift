/// The one error type of SignetLog: a stable ``code`` to branch on and a human ``reason``.
///
/// Compare errors by ``code``; the reason text may change between releases. A proof or a note that
/// does not verify is not an error: ``InclusionProof/verify(leafHash:rootHash:)``,
/// ``ConsistencyProof/verify(oldRoot:newRoot:)`` and ``SignedNote/verify(using:)`` return results.
public struct LogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. An open set: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A hash is not 32 bytes, or its encoding (base64, hex) is malformed.
        public static let invalidHash = Code("invalidHash")
        /// A tree size or leaf index is out of range for the operation (beyond the tree, zero where a
        /// non-empty tree is needed, an old size larger than the new one).
        public static let invalidTreeSize = Code("invalidTreeSize")
        /// A hash store or tile source lacks a node or file that the tree size says must exist.
        public static let missingData = Code("missingData")
        /// A write would not extend the store append-only (a gap, an overwrite, a size that disagrees).
        public static let notAppendOnly = Code("notAppendOnly")
        /// Stored or published data contradicts itself (an entry that does not hash to its leaf,
        /// tiles that do not rebuild the checkpoint's root).
        public static let inconsistentData = Code("inconsistentData")
        /// A storage back end failed (I/O, a database error).
        public static let storageFailure = Code("storageFailure")
        /// A signed note is not well formed (encoding, control characters, layout, signature lines,
        /// duplicate signatures).
        public static let malformedNote = Code("malformedNote")
        /// An input exceeds a configured bound (note size, line length, signature count, entry size).
        public static let limitExceeded = Code("limitExceeded")
        /// A key name, verifier key or signer key string is malformed, or its key ID does not match.
        public static let invalidKey = Code("invalidKey")
        /// Signing failed.
        public static let signingFailed = Code("signingFailed")
        /// A checkpoint body is not well formed.
        public static let malformedCheckpoint = Code("malformedCheckpoint")
        /// A checkpoint's note carries no valid signature from a trusted key, or a bad one from a trusted key.
        public static let unverifiedCheckpoint = Code("unverifiedCheckpoint")
        /// A tile's length does not match its width.
        public static let malformedTile = Code("malformedTile")
        /// An entry bundle's length prefixes do not add up, or it holds the wrong number of entries.
        public static let malformedEntryBundle = Code("malformedEntryBundle")
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Errors are equal when their codes are; the reason is for humans.
    public static func == (lhs: LogError, rhs: LogError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String { "LogError.\(code): \(reason)" }
}
