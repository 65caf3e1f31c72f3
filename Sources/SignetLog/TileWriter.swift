import Foundation

/// Where the tile writer gets entries, by leaf index.
public protocol LogEntrySource {
    /// The entry at leaf `index`.
    func entry(at index: UInt64) throws(LogError) -> [UInt8]
}

extension Array: LogEntrySource where Element == [UInt8] {
    public func entry(at index: UInt64) throws(LogError) -> [UInt8] {
        guard index < UInt64(count) else { throw LogError(.missingData, "no entry at index \(index)") }
        return self[Int(index)]
    }
}

/// One static file of a tiled log: a path relative to the log's prefix and its bytes.
public struct TileFile: Hashable, Sendable {
    /// The path, such as `tile/0/x001/234` or `checkpoint`.
    public var path: String
    /// The file's contents.
    public var contents: [UInt8]

    /// Creates a file.
    public init(path: String, contents: [UInt8]) {
        self.path = path
        self.contents = contents
    }
}

/// Produces the static files of a c2sp.org/tlog-tiles log from a Merkle tree's hashes and its entries.
public enum TileWriter {
    /// Calls `body` with every tile and entry bundle of the tree of `treeSize` leaves that is new since
    /// `previousSize`: full tiles and bundles completed after `previousSize`, and the partial ones at
    /// `treeSize`. With `previousSize` 0, every file.
    ///
    /// Each entry is checked against its leaf hash; a mismatch throws ``LogError/Code/inconsistentData``.
    public static func forEachFile(
        hashes: some MerkleHashReader, entries: some LogEntrySource, treeSize: UInt64, previousSize: UInt64 = 0,
        _ body: (TileFile) throws(LogError) -> Void
    ) throws(LogError) {
        guard previousSize <= treeSize else {
            throw LogError(.invalidTreeSize, "the previous size \(previousSize) is above the tree size \(treeSize)")
        }
        let width = UInt64(TilePath.fullWidth)
        var level = 0
        while level * TilePath.treeLevelsPerTile < UInt64.bitWidth {
            let shift = UInt64(level * TilePath.treeLevelsPerTile)
            let count = treeSize >> shift
            guard count > 0 else { break }
            var tile = (previousSize >> shift) / width
            while tile <= count / width {
                let tileWidth = tile < count / width ? Int(width) : Int(count % width)
                if tileWidth == 0 { break }
                var bytes: [UInt8] = []
                bytes.reserveCapacity(tileWidth * MerkleHash.byteCount)
                var leafHashes: [MerkleHash] = []
                for offset in 0..<UInt64(tileWidth) {
                    let hash = try hashes.hash(level: Int(shift), index: tile * width + offset)
                    hash.withUnsafeBytes { bytes.append(contentsOf: $0) }
                    if level == 0 { leafHashes.append(hash) }
                }
                try body(TileFile(path: TilePath.tile(level: level, index: tile, width: tileWidth), contents: bytes))
                if level == 0 {
                    var bundle: [[UInt8]] = []
                    for (offset, leafHash) in leafHashes.enumerated() {
                        let index = tile * width + UInt64(offset)
                        let entry = try entries.entry(at: index)
                        guard MerkleHash.leaf(entry) == leafHash else {
                            throw LogError(.inconsistentData, "entry \(index) does not hash to its leaf hash")
                        }
                        bundle.append(entry)
                    }
                    try body(
                        TileFile(
                            path: TilePath.entryBundle(index: tile, width: tileWidth),
                            contents: EntryBundle.encode(bundle)))
                }
                tile += 1
            }
            level += 1
        }
    }

    /// The one tile or entry bundle `address` names, from a tree of `treeSize` leaves, or nil when that tree does
    /// not have it yet. A tile is immutable once it exists: a partial tile of width W is the first W hashes of the
    /// full tile it grows into, so it can be served at any later size. Entries are checked against their leaf hashes.
    public static func file(
        at address: TilePath.Address, hashes: some MerkleHashReader, entries: some LogEntrySource, treeSize: UInt64
    ) throws(LogError) -> TileFile? {
        let width = UInt64(TilePath.fullWidth)
        switch address {
        case .tile(let level, let index, let tileWidth):
            let shift = UInt64(level * TilePath.treeLevelsPerTile)
            guard shift < UInt64(UInt64.bitWidth), index <= (UInt64.max - UInt64(tileWidth)) / width else { return nil }
            guard index * width + UInt64(tileWidth) <= treeSize >> shift else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(tileWidth * MerkleHash.byteCount)
            for hash in try hashes.hashes(level: Int(shift), indices: (index * width)..<(index * width + UInt64(tileWidth))) {
                hash.withUnsafeBytes { bytes.append(contentsOf: $0) }
            }
            return TileFile(path: TilePath.tile(level: level, index: index, width: tileWidth), contents: bytes)
        case .entries(let index, let bundleWidth):
            guard index <= (UInt64.max - UInt64(bundleWidth)) / width, index * width + UInt64(bundleWidth) <= treeSize else { return nil }
            var bundle: [[UInt8]] = []
            let leaves = try hashes.hashes(level: 0, indices: (index * width)..<(index * width + UInt64(bundleWidth)))
            for offset in 0..<UInt64(bundleWidth) {
                let i = index * width + offset
                let entry = try entries.entry(at: i)
                guard MerkleHash.leaf(entry) == leaves[Int(offset)] else {
                    throw LogError(.inconsistentData, "entry \(i) does not hash to its leaf hash")
                }
                bundle.append(entry)
            }
            return TileFile(path: TilePath.entryBundle(index: index, width: bundleWidth), contents: try EntryBundle.encode(bundle))
        }
    }

    /// The files ``forEachFile(hashes:entries:treeSize:previousSize:_:)`` produces, collected.
    public static func files(
        hashes: some MerkleHashReader, entries: some LogEntrySource, treeSize: UInt64, previousSize: UInt64 = 0
    ) throws(LogError) -> [TileFile] {
        var files: [TileFile] = []
        try forEachFile(hashes: hashes, entries: entries, treeSize: treeSize, previousSize: previousSize) {
            files.append($0)
        }
        return files
    }

    /// Publishes the tree at its current size into `directory`: writes the tiles and entry bundles new
    /// since `previousSize`, then signs and writes `checkpoint` last, so a reader never sees a checkpoint
    /// whose tiles are missing. Returns the signed checkpoint.
    @discardableResult
    public static func publish<Store: HashStore>(
        tree: MerkleTree<Store>, entries: some LogEntrySource, origin: String, signers: [any NoteSigner],
        to directory: URL, previousSize: UInt64 = 0
    ) throws(LogError) -> SignedNote {
        let size = try tree.size()
        let checkpoint = try Checkpoint(origin: origin, size: size, rootHash: tree.rootHash(treeSize: size))
        let note = try checkpoint.sign(signers: signers)
        try forEachFile(hashes: tree.store, entries: entries, treeSize: size, previousSize: previousSize) {
            (file: TileFile) throws(LogError) in try write(file, to: directory)
        }
        try write(TileFile(path: TilePath.checkpoint, contents: note.encoded), to: directory)
        return note
    }

    /// Writes one file under `directory`, creating folders, replacing any file atomically.
    public static func write(_ file: TileFile, to directory: URL) throws(LogError) {
        let url = directory.appendingPathComponent(file.path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.contents).write(to: url, options: .atomic)
        } catch {
            throw LogError(.storageFailure, "cannot write \(file.path): \(error)")
        }
    }
}
