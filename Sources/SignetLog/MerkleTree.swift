/// An append-only RFC 9162 Merkle tree over a ``HashStore``.
///
/// Appending stores the leaf hash and every subtree it completes, so a leaf costs one leaf hash plus,
/// amortized, one node hash. The root at any size up to ``size()`` and inclusion and consistency proofs
/// are computed from stored complete-subtree hashes with O(log n) reads.
///
/// ```swift
/// var tree = MerkleTree(store: InMemoryHashStore())
/// try tree.append(Array("first entry".utf8))
/// let root = try tree.rootHash()
/// let proof = try tree.inclusionProof(leafIndex: 0)
/// ```
public struct MerkleTree<Store: HashStore> {
    /// The store holding the tree's hashes.
    public private(set) var store: Store

    /// Opens the tree held by `store` (empty or not).
    public init(store: Store) {
        self.store = store
    }

    /// The number of leaves.
    public func size() throws(LogError) -> UInt64 { try store.treeSize() }

    /// Appends one entry and returns its leaf index.
    @discardableResult
    public mutating func append(_ entry: [UInt8]) throws(LogError) -> UInt64 {
        try append(leafHashes: [MerkleHash.leaf(entry)])
    }

    /// Appends entries in one store write and returns the index of the first.
    @discardableResult
    public mutating func append(contentsOf entries: [[UInt8]]) throws(LogError) -> UInt64 {
        try append(leafHashes: entries.map { MerkleHash.leaf($0) })
    }

    /// Appends precomputed leaf hashes (`SHA-256(0x00 || entry)`) in one store write and returns the
    /// index of the first.
    @discardableResult
    public mutating func append(leafHashes: [MerkleHash]) throws(LogError) -> UInt64 {
        let first = try store.treeSize()
        guard first <= UInt64.max - UInt64(leafHashes.count) else {
            throw LogError(.invalidTreeSize, "the tree cannot grow past 2^64 - 1 leaves")
        }
        // frontier[l] is the latest even-indexed level-l node made by this call. It is the left sibling of
        // the next odd level-l node, unless that sibling completed before this call (then it is read).
        var frontier = [MerkleHash](repeating: MerkleHash.emptyTree, count: UInt64.bitWidth)
        var nodes: [MerkleNode] = []
        nodes.reserveCapacity(leafHashes.count * 2)
        var size = first
        for leaf in leafHashes {
            var hash = leaf
            var index = size
            var level = 0
            while true {
                nodes.append(MerkleNode(level: level, index: index, hash: hash))
                guard index & 1 == 1 else {
                    frontier[level] = hash
                    break
                }
                // An odd index completes its parent with its left sibling, complete since size index << level.
                let siblingIsNew = index << UInt64(level) > first
                let sibling = siblingIsNew ? frontier[level] : try store.hash(level: level, index: index - 1)
                hash = MerkleHash.node(sibling, hash)
                index >>= 1
                level += 1
            }
            size += 1
        }
        try store.append(nodes, newTreeSize: size)
        return first
    }

    /// The leaf hash at `index`.
    public func leafHash(at index: UInt64) throws(LogError) -> MerkleHash {
        let current = try size()
        guard index < current else {
            throw LogError(.invalidTreeSize, "leaf \(index) is not in a tree of \(current) leaves")
        }
        return try store.hash(level: 0, index: index)
    }

    /// The root hash at the current size.
    public func rootHash() throws(LogError) -> MerkleHash {
        try store.rootHash(treeSize: size())
    }

    /// The root hash the tree had when it held `treeSize` leaves.
    public func rootHash(treeSize: UInt64) throws(LogError) -> MerkleHash {
        try checkSize(treeSize)
        return try store.rootHash(treeSize: treeSize)
    }

    /// The inclusion proof of leaf `leafIndex` in the tree of `treeSize` leaves (default: the current size).
    public func inclusionProof(leafIndex: UInt64, treeSize: UInt64? = nil) throws(LogError) -> InclusionProof {
        let treeSize = try resolve(treeSize)
        return try store.inclusionProof(leafIndex: leafIndex, treeSize: treeSize)
    }

    /// The consistency proof from the tree of `oldSize` leaves to the tree of `newSize` leaves
    /// (default: the current size).
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64? = nil) throws(LogError)
        -> ConsistencyProof
    {
        let newSize = try resolve(newSize)
        return try store.consistencyProof(from: oldSize, to: newSize)
    }

    /// The size asked for, or the current size; throws if it is beyond the current size.
    private func resolve(_ treeSize: UInt64?) throws(LogError) -> UInt64 {
        guard let treeSize else { return try size() }
        try checkSize(treeSize)
        return treeSize
    }

    private func checkSize(_ treeSize: UInt64) throws(LogError) {
        let current = try size()
        guard treeSize <= current else {
            throw LogError(.invalidTreeSize, "size \(treeSize) is beyond the tree's \(current) leaves")
        }
    }
}

extension MerkleTree: Sendable where Store: Sendable {}
