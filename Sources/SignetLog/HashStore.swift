/// One stored node of a Merkle tree: the hash of the complete subtree of `2^level` leaves that starts at
/// leaf `index << level`.
public struct MerkleNode: Hashable, Sendable {
    /// The height of the subtree: 0 for a leaf hash.
    public var level: Int
    /// The position of the subtree among the subtrees of its level, counted from the left.
    public var index: UInt64
    /// The subtree's Merkle Tree Hash.
    public var hash: MerkleHash

    /// Creates a node.
    public init(level: Int, index: UInt64, hash: MerkleHash) {
        self.level = level
        self.index = index
        self.hash = hash
    }
}

/// Read access to the hashes of complete subtrees of a Merkle tree.
///
/// `hash(level: l, index: i)` is `MTH(D[i * 2^l : (i + 1) * 2^l])`, defined once the tree holds
/// `(i + 1) * 2^l` leaves and never changing afterwards. Proofs and roots are computed from these
/// alone (see ``rootHash(treeSize:)``, ``inclusionProof(leafIndex:treeSize:)``,
/// ``consistencyProof(from:to:)``), with O(log n) reads and no leaf rehashing.
public protocol MerkleHashReader {
    /// The hash of a complete subtree. Throws ``LogError/Code/missingData`` if the reader does not have
    /// it (for example, because the subtree is not complete yet).
    func hash(level: Int, index: UInt64) throws(LogError) -> MerkleHash

    /// The hashes of consecutive complete subtrees at one level (a tile's worth), in order. A store that can read
    /// them in one query (a database) implements it; the default reads them one by one.
    func hashes(level: Int, indices: Range<UInt64>) throws(LogError) -> [MerkleHash]
}

extension MerkleHashReader {
    public func hashes(level: Int, indices: Range<UInt64>) throws(LogError) -> [MerkleHash] {
        var out: [MerkleHash] = []
        out.reserveCapacity(indices.count)
        for index in indices { out.append(try hash(level: level, index: index)) }
        return out
    }
}

/// Append-only storage of every complete-subtree hash of a Merkle tree, the back end of ``MerkleTree``.
///
/// A persistent implementation (for example over SQLite) keeps one row per node keyed by
/// `(level, index)` and the tree size in the same transaction as the nodes, so a crash never leaves
/// nodes without the size that covers them, or the reverse.
public protocol HashStore: MerkleHashReader {
    /// The number of leaves stored.
    func treeSize() throws(LogError) -> UInt64

    /// Adds `nodes` and sets the tree size to `newTreeSize`, atomically.
    ///
    /// `nodes` holds, in any order, exactly the complete subtrees that become complete between the
    /// current size and `newTreeSize`. Implementations reject a write that would overwrite or skip a
    /// node, or shrink the tree, with ``LogError/Code/notAppendOnly``.
    mutating func append(_ nodes: [MerkleNode], newTreeSize: UInt64) throws(LogError)
}

/// A ``HashStore`` in memory: one array of hashes per level.
public struct InMemoryHashStore: HashStore, Sendable {
    private var levels: [[MerkleHash]] = []

    /// Creates an empty store.
    public init() {}

    public func treeSize() -> UInt64 { UInt64(levels.first?.count ?? 0) }

    public func hash(level: Int, index: UInt64) throws(LogError) -> MerkleHash {
        guard level >= 0, level < levels.count, index < UInt64(levels[level].count) else {
            throw LogError(.missingData, "no stored hash at level \(level), index \(index)")
        }
        return levels[level][Int(index)]
    }

    public mutating func append(_ nodes: [MerkleNode], newTreeSize: UInt64) throws(LogError) {
        let oldSize = treeSize()
        guard newTreeSize >= oldSize else {
            throw LogError(.notAppendOnly, "the tree cannot shrink from \(oldSize) to \(newTreeSize)")
        }
        // Exactly the nodes that become complete: at level l, indices oldSize >> l ..< newTreeSize >> l.
        var byLevel: [[MerkleNode]] = []
        for node in nodes {
            guard node.level >= 0, node.level < UInt64.bitWidth else {
                throw LogError(.notAppendOnly, "a node has level \(node.level)")
            }
            while byLevel.count <= node.level { byLevel.append([]) }
            byLevel[node.level].append(node)
        }
        for level in 0..<UInt64.bitWidth {
            let first = oldSize >> UInt64(level)
            let end = newTreeSize >> UInt64(level)
            var added = level < byLevel.count ? byLevel[level] : []
            if !added.isEmpty, !zip(added, added.dropFirst()).allSatisfy({ $0.index < $1.index }) {
                added.sort { $0.index < $1.index }
                byLevel[level] = added
            }
            guard UInt64(added.count) == end - first,
                added.enumerated().allSatisfy({ $0.element.index == first + UInt64($0.offset) })
            else {
                throw LogError(
                    .notAppendOnly,
                    "the level-\(level) nodes given are not exactly those completed between sizes \(oldSize) and \(newTreeSize)")
            }
        }
        for (level, added) in byLevel.enumerated() where !added.isEmpty {
            while levels.count <= level { levels.append([]) }
            levels[level].append(contentsOf: added.map(\.hash))
        }
    }
}
