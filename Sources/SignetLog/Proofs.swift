/// The outcome of checking an inclusion or consistency proof. A proof that does not verify is a
/// result, not an error.
public enum ProofVerificationResult: Sendable, Hashable {
    /// The proof is valid for the hashes and sizes given.
    case valid
    /// The sizes or index cannot have a proof: a leaf index not below the tree size, an old size of zero
    /// or above the new size.
    case invalidTreeSize
    /// The proof has too few or too many hashes for the sizes.
    case wrongProofLength
    /// The proof has the right shape but does not lead to the expected root hash(es).
    case rootMismatch
}

/// An RFC 9162 inclusion proof (section 2.1.3): the audit path of leaf ``leafIndex`` in the tree of
/// ``treeSize`` leaves, nearest sibling first.
public struct InclusionProof: Hashable, Sendable {
    /// The index of the leaf the proof is for.
    public var leafIndex: UInt64
    /// The size of the tree the proof leads to.
    public var treeSize: UInt64
    /// The audit path, from the leaf's sibling up to the root's child.
    public var hashes: [MerkleHash]

    /// Creates a proof from its parts (for example, received from a log).
    public init(leafIndex: UInt64, treeSize: UInt64, hashes: [MerkleHash]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.hashes = hashes
    }

    /// Checks that `leafHash` is leaf ``leafIndex`` of the tree of ``treeSize`` leaves whose root is
    /// `rootHash`, by the algorithm of RFC 9162, section 2.1.3.2.
    public func verify(leafHash: MerkleHash, rootHash: MerkleHash) -> ProofVerificationResult {
        guard leafIndex < treeSize else { return .invalidTreeSize }
        var fn = leafIndex
        var sn = treeSize - 1
        var r = leafHash
        for p in hashes {
            guard sn != 0 else { return .wrongProofLength }
            if fn & 1 == 1 || fn == sn {
                r = MerkleHash.node(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = MerkleHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return .wrongProofLength }
        return r == rootHash ? .valid : .rootMismatch
    }
}

/// An RFC 9162 consistency proof (section 2.1.4) that the tree of ``oldSize`` leaves is a prefix of the
/// tree of ``newSize`` leaves.
public struct ConsistencyProof: Hashable, Sendable {
    /// The size of the earlier tree.
    public var oldSize: UInt64
    /// The size of the later tree.
    public var newSize: UInt64
    /// The proof's hashes, in the order of RFC 9162's `PROOF(m, D[n])`.
    public var hashes: [MerkleHash]

    /// Creates a proof from its parts (for example, received from a log).
    public init(oldSize: UInt64, newSize: UInt64, hashes: [MerkleHash]) {
        self.oldSize = oldSize
        self.newSize = newSize
        self.hashes = hashes
    }

    /// Checks that the tree with root `oldRoot` and ``oldSize`` leaves is a prefix of the tree with root
    /// `newRoot` and ``newSize`` leaves, by the algorithm of RFC 9162, section 2.1.4.2.
    ///
    /// Equal sizes need an empty proof and equal roots. An old size of zero is refused
    /// (``ProofVerificationResult/invalidTreeSize``): every tree extends the empty one, so such a proof
    /// would prove nothing.
    public func verify(oldRoot: MerkleHash, newRoot: MerkleHash) -> ProofVerificationResult {
        guard oldSize > 0, oldSize <= newSize else { return .invalidTreeSize }
        if oldSize == newSize {
            guard hashes.isEmpty else { return .wrongProofLength }
            return oldRoot == newRoot ? .valid : .rootMismatch
        }
        guard !hashes.isEmpty else { return .wrongProofLength }
        let path = oldSize & (oldSize - 1) == 0 ? [oldRoot] + hashes : hashes
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return .wrongProofLength }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { return .wrongProofLength }
        return fr == oldRoot && sr == newRoot ? .valid : .rootMismatch
    }
}

extension MerkleHashReader {
    /// The root hash of the tree of `treeSize` leaves: the hashes of the complete subtrees that make up
    /// the tree (one per set bit of `treeSize`) folded right to left. At most log2(n) + 1 reads.
    public func rootHash(treeSize: UInt64) throws(LogError) -> MerkleHash {
        guard treeSize > 0 else { return MerkleHash.emptyTree }
        return try rangeHash(start: 0, end: treeSize)
    }

    /// The RFC 9162 `PATH(m, D[n])` for leaf `leafIndex` in the tree of `treeSize` leaves, read from
    /// stored subtree hashes by walking down from the root.
    public func inclusionProof(leafIndex: UInt64, treeSize: UInt64) throws(LogError) -> InclusionProof {
        guard leafIndex < treeSize else {
            throw LogError(.invalidTreeSize, "leaf \(leafIndex) is not in a tree of \(treeSize) leaves")
        }
        var start: UInt64 = 0
        var end = treeSize
        var path: [MerkleHash] = []
        while end - start > 1 {
            let level = splitLevel(end - start)
            let middle = start + (1 << UInt64(level))
            if leafIndex < middle {
                path.append(try rangeHash(start: middle, end: end))
                end = middle
            } else {
                path.append(try hash(level: level, index: start >> UInt64(level)))
                start = middle
            }
        }
        return InclusionProof(leafIndex: leafIndex, treeSize: treeSize, hashes: path.reversed())
    }

    /// The RFC 9162 `PROOF(m, D[n])` from the tree of `oldSize` leaves to the tree of `newSize` leaves,
    /// read from stored subtree hashes. Requires `0 < oldSize <= newSize`; equal sizes give an empty proof.
    public func consistencyProof(from oldSize: UInt64, to newSize: UInt64) throws(LogError) -> ConsistencyProof {
        guard oldSize > 0, oldSize <= newSize else {
            throw LogError(.invalidTreeSize, "no consistency proof from size \(oldSize) to size \(newSize)")
        }
        var start: UInt64 = 0
        var end = newSize
        var startsAtRoot = true  // RFC 9162's flag b: the subtree is the old tree's whole root
        var path: [MerkleHash] = []
        while end != oldSize {
            let level = splitLevel(end - start)
            let middle = start + (1 << UInt64(level))
            if oldSize <= middle {
                path.append(try rangeHash(start: middle, end: end))
                end = middle
            } else {
                path.append(try hash(level: level, index: start >> UInt64(level)))
                start = middle
                startsAtRoot = false
            }
        }
        if !startsAtRoot {
            path.append(try rangeHash(start: start, end: end))
        }
        return ConsistencyProof(oldSize: oldSize, newSize: newSize, hashes: path.reversed())
    }

    /// `MTH(D[start:end])` for a range of the RFC 9162 recursion, where `start` is a multiple of the
    /// largest power of two not above `end - start`: the range splits into aligned complete subtrees of
    /// decreasing size, one read each, folded right to left.
    func rangeHash(start: UInt64, end: UInt64) throws(LogError) -> MerkleHash {
        var position = start
        var parts: [MerkleHash] = []
        while position < end {
            let level = UInt64.bitWidth - 1 - (end - position).leadingZeroBitCount
            parts.append(try hash(level: level, index: position >> UInt64(level)))
            position += 1 << UInt64(level)
        }
        guard var result = parts.popLast() else { return MerkleHash.emptyTree }
        while let left = parts.popLast() {
            result = MerkleHash.node(left, result)
        }
        return result
    }
}

/// The level `l` of RFC 9162's split point: `2^l` is the largest power of two smaller than `count` (≥ 2).
private func splitLevel(_ count: UInt64) -> Int {
    UInt64.bitWidth - 1 - (count - 1).leadingZeroBitCount
}
