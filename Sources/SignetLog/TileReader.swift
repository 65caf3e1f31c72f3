import Foundation

/// Where a tile reader gets files, by path relative to the log's prefix.
public protocol TileSource {
    /// The file at `path`; throws ``LogError/Code/missingData`` when there is none.
    func read(_ path: String) throws(LogError) -> [UInt8]
}

/// Tiles in a local directory, as ``TileWriter/publish(tree:entries:origin:signers:to:previousSize:)`` writes them.
public struct DirectoryTileSource: TileSource, Sendable {
    /// The directory holding `checkpoint` and `tile/`.
    public let directory: URL

    /// Reads tiles from `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    public func read(_ path: String) throws(LogError) -> [UInt8] {
        let url = directory.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw LogError(.missingData, "no file \(path)")
        }
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw LogError(.storageFailure, "cannot read \(path): \(error)")
        }
    }
}

/// Tiles held in memory, for tests and caches.
public struct InMemoryTileSource: TileSource, Sendable {
    /// The files by path.
    public var files: [String: [UInt8]]

    /// Holds `files`; a later file with the same path replaces an earlier one.
    public init(_ files: [TileFile]) {
        self.files = [:]
        for file in files { self.files[file.path] = file.contents }
    }

    public func read(_ path: String) throws(LogError) -> [UInt8] {
        guard let contents = files[path] else { throw LogError(.missingData, "no file \(path)") }
        return contents
    }
}

/// Reads a c2sp.org/tlog-tiles log of a given size: subtree hashes, root hash, proofs and entries,
/// all computed from tiles.
///
/// A hash at tree level `8L + r` is rebuilt from `2^r` hashes of the level-`L` tile that holds them.
/// Tiles are trusted only as far as the checkpoint checks them: ``open(source:verifiers:origin:)`` rebuilds
/// the root from tiles and compares it with the signed one, proofs verify against the checkpoint's root,
/// and ``entries(bundle:)`` checks every entry against its leaf hash.
public struct TileReader<Source: TileSource>: MerkleHashReader {
    /// Where tiles come from.
    public let source: Source
    /// The tree size the reader serves (which partial tiles it reads).
    public let treeSize: UInt64

    /// A reader for the tree of `treeSize` leaves. Nothing is checked against a signed root.
    public init(source: Source, treeSize: UInt64) {
        self.source = source
        self.treeSize = treeSize
    }

    /// Reads and verifies the log's `checkpoint` with `verifiers` (see
    /// ``Checkpoint/open(_:verifiers:origin:limits:)``), then rebuilds the root hash from the tiles.
    /// Throws ``LogError/Code/inconsistentData`` if the tiles do not rebuild the checkpoint's root.
    public static func open(
        source: Source, verifiers: [any NoteVerifier], origin: String? = nil
    ) throws(LogError) -> (reader: TileReader, checkpoint: Checkpoint) {
        let checkpoint = try Checkpoint.open(source.read(TilePath.checkpoint), verifiers: verifiers, origin: origin)
        let reader = TileReader(source: source, treeSize: checkpoint.size)
        try reader.checkRoot(checkpoint.rootHash)
        return (reader, checkpoint)
    }

    /// Throws ``LogError/Code/inconsistentData`` unless the tiles rebuild `expected` as the root hash.
    public func checkRoot(_ expected: MerkleHash) throws(LogError) {
        let root = try rootHash()
        guard root == expected else {
            throw LogError(.inconsistentData, "the tiles rebuild root \(root), not \(expected)")
        }
    }

    /// The root hash at ``treeSize``, from tiles.
    public func rootHash() throws(LogError) -> MerkleHash {
        try rootHash(treeSize: treeSize)
    }

    /// The inclusion proof of `leafIndex` at ``treeSize``, from tiles.
    public func inclusionProof(leafIndex: UInt64) throws(LogError) -> InclusionProof {
        try inclusionProof(leafIndex: leafIndex, treeSize: treeSize)
    }

    /// The consistency proof from `oldSize` to ``treeSize``, from tiles.
    public func consistencyProof(from oldSize: UInt64) throws(LogError) -> ConsistencyProof {
        try consistencyProof(from: oldSize, to: treeSize)
    }

    /// The hashes of tile `index` at tile level `level`, with the width the tree size gives it.
    public func tile(level: Int, index: UInt64) throws(LogError) -> [MerkleHash] {
        let bytes = try tileBytes(level: level, index: index)
        return try hashes(in: bytes, from: 0, count: bytes.count / MerkleHash.byteCount)
    }

    public func hash(level: Int, index: UInt64) throws(LogError) -> MerkleHash {
        guard level >= 0, level < UInt64.bitWidth, index < treeSize >> UInt64(level) else {
            throw LogError(.missingData, "no complete subtree at level \(level), index \(index) in \(treeSize) leaves")
        }
        // Tree level 8L + r: 2^r consecutive hashes of a level-L tile, hashed up r levels.
        let tileLevel = level / TilePath.treeLevelsPerTile
        let height = level % TilePath.treeLevelsPerTile
        let first = index << UInt64(height)
        let width = UInt64(TilePath.fullWidth)
        let bytes = try tileBytes(level: tileLevel, index: first / width)
        var layer = try hashes(in: bytes, from: Int(first % width), count: 1 << height)
        while layer.count > 1 {
            layer = stride(from: 0, to: layer.count, by: 2).map { MerkleHash.node(layer[$0], layer[$0 + 1]) }
        }
        return layer[0]
    }

    /// The bytes of a tile, checked to be exactly its width in hashes.
    private func tileBytes(level: Int, index: UInt64) throws(LogError) -> [UInt8] {
        guard let width = TilePath.width(level: level, index: index, treeSize: treeSize) else {
            throw LogError(.invalidTreeSize, "a tree of \(treeSize) leaves has no tile \(level)/\(index)")
        }
        let bytes = try source.read(TilePath.tile(level: level, index: index, width: width))
        guard bytes.count == width * MerkleHash.byteCount else {
            throw LogError(.malformedTile, "tile \(level)/\(index) is \(bytes.count) bytes, not \(width) hashes")
        }
        return bytes
    }

    private func hashes(in bytes: [UInt8], from start: Int, count: Int) throws(LogError) -> [MerkleHash] {
        var hashes: [MerkleHash] = []
        hashes.reserveCapacity(count)
        for position in start..<(start + count) {
            let offset = position * MerkleHash.byteCount
            hashes.append(try MerkleHash(bytes: bytes[offset..<(offset + MerkleHash.byteCount)]))
        }
        return hashes
    }

    /// The entries of bundle `bundle`, each checked against its leaf hash in the level-0 tile.
    public func entries(bundle: UInt64) throws(LogError) -> [[UInt8]] {
        guard let width = TilePath.width(level: 0, index: bundle, treeSize: treeSize) else {
            throw LogError(.invalidTreeSize, "a tree of \(treeSize) leaves has no entry bundle \(bundle)")
        }
        let entries = try EntryBundle.decode(
            source.read(TilePath.entryBundle(index: bundle, width: width)), count: width)
        let leafHashes = try tile(level: 0, index: bundle)
        for (offset, entry) in entries.enumerated() where MerkleHash.leaf(entry) != leafHashes[offset] {
            throw LogError(.inconsistentData, "entry \(bundle * UInt64(TilePath.fullWidth) + UInt64(offset)) does not match its leaf hash")
        }
        return entries
    }

    /// The entry at leaf `index`, checked against its leaf hash.
    public func entry(at index: UInt64) throws(LogError) -> [UInt8] {
        guard index < treeSize else {
            throw LogError(.invalidTreeSize, "entry \(index) is not in a tree of \(treeSize) leaves")
        }
        let width = UInt64(TilePath.fullWidth)
        return try entries(bundle: index / width)[Int(index % width)]
    }
}

extension TileReader: Sendable where Source: Sendable {}
