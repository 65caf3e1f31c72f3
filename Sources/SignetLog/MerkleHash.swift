import Crypto

/// A SHA-256 Merkle Tree Hash as defined by RFC 9162, section 2.1.1: always 32 bytes.
///
/// ```
/// MTH({})        = SHA-256()
/// leaf hash      = SHA-256(0x00 || d)
/// node hash      = SHA-256(0x01 || MTH(left) || MTH(right))
/// ```
///
/// Stored inline (four machine words), so arrays of hashes do not allocate per element.
public struct MerkleHash: Hashable, Sendable, CustomStringConvertible {
    /// The number of bytes in a hash.
    public static let byteCount = 32

    // The 32 bytes in memory order (not a numeric value): words are copied to and from bytes as raw memory.
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a hash from exactly 32 bytes.
    public init(bytes: some Collection<UInt8>) throws(LogError) {
        guard bytes.count == MerkleHash.byteCount else {
            throw LogError(.invalidHash, "a Merkle hash is 32 bytes, not \(bytes.count)")
        }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            let copied = bytes.withContiguousStorageIfAvailable { source -> Bool in
                raw.copyMemory(from: UnsafeRawBufferPointer(source))
                return true
            }
            if copied != true {
                for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
            }
        }
        self.words = words
    }

    private init(rawBuffer: UnsafeRawBufferPointer) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: rawBuffer.prefix(32))) }
        self.words = words
    }

    init(digest: SHA256.Digest) {
        self = digest.withUnsafeBytes { MerkleHash(rawBuffer: $0) }
    }

    /// The 32 bytes of the hash.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the 32 bytes of the hash.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = words
        return try Swift.withUnsafeBytes(of: &copy) { try body($0) }
    }

    /// The hash in standard padded base64 (RFC 4648, section 4), as checkpoints and tlog tools print it.
    public var base64: String { Base64.encode(bytes) }

    /// Parses a hash from standard padded base64; the decoded value must be exactly 32 bytes.
    public init(base64: some StringProtocol) throws(LogError) {
        guard let decoded = Base64.decode(base64) else {
            throw LogError(.invalidHash, "a Merkle hash is not valid base64")
        }
        try self.init(bytes: decoded)
    }

    /// Lowercase hexadecimal.
    public var description: String { Hex.encode(bytes) }

    public static func == (lhs: MerkleHash, rhs: MerkleHash) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
            && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyTree = MerkleHash(digest: SHA256.hash(data: [UInt8]()))

    /// The RFC 9162 leaf hash of `data`: SHA-256(0x00 || data).
    public static func leaf(_ data: [UInt8]) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: data)
        return MerkleHash(digest: hasher.finalize())
    }

    /// The RFC 9162 interior node hash: SHA-256(0x01 || left || right).
    public static func node(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        left.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return MerkleHash(digest: hasher.finalize())
    }
}
