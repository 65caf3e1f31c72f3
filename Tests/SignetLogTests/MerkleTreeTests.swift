import SignetLog
import Testing

/// The eight leaves of the RFC 6962 test tree that the transparency-dev vectors are built on.
let rfc6962Leaves: [[UInt8]] = [
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
].map(hexBytes)

@Test func emptyTreeRootIsSHA256OfNothing() throws {
    let tree = MerkleTree(store: InMemoryHashStore())
    #expect(try tree.size() == 0)
    #expect(try tree.rootHash().description == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
}

@Test func leafAndNodeHashesUseRFC9162DomainSeparation() {
    // SHA-256(0x00) and SHA-256(0x01 || h || h).
    #expect(MerkleHash.leaf([]).description == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    let leaf = MerkleHash.leaf([])
    #expect(MerkleHash.node(leaf, leaf) != MerkleHash.leaf(leaf.bytes + leaf.bytes))
}

@Test func rfc6962TestTreeHasTheKnownRootsAtEverySize() throws {
    let tree = try makeTree(rfc6962Leaves)
    // Known roots of the RFC 6962 test tree at sizes 1...8 (as published in the CT test suites).
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    for (offset, root) in roots.enumerated() {
        #expect(try tree.rootHash(treeSize: UInt64(offset + 1)).description == root)
    }
}

@Test func treeRejectsSizesAndIndicesBeyondItself() throws {
    let tree = try makeTree(sampleEntries(5))
    #expect(errorCode { try tree.rootHash(treeSize: 6) } == .invalidTreeSize)
    #expect(errorCode { try tree.inclusionProof(leafIndex: 5) } == .invalidTreeSize)
    #expect(errorCode { try tree.inclusionProof(leafIndex: 3, treeSize: 3) } == .invalidTreeSize)
    #expect(errorCode { try tree.inclusionProof(leafIndex: 0, treeSize: 6) } == .invalidTreeSize)
    #expect(errorCode { try tree.consistencyProof(from: 0) } == .invalidTreeSize)
    #expect(errorCode { try tree.consistencyProof(from: 4, to: 3) } == .invalidTreeSize)
    #expect(errorCode { try tree.consistencyProof(from: 2, to: 6) } == .invalidTreeSize)
    #expect(errorCode { try tree.leafHash(at: 5) } == .invalidTreeSize)
    #expect(try tree.leafHash(at: 4) == MerkleHash.leaf(bytes("entry 4")))
    #expect(try tree.consistencyProof(from: 5).hashes.isEmpty)
}

@Test func appendingOneByOneOrInBatchesGivesTheSameTree() throws {
    let entries = sampleEntries(77)
    var single = MerkleTree(store: InMemoryHashStore())
    for entry in entries { try single.append(entry) }
    var batched = MerkleTree(store: InMemoryHashStore())
    try batched.append(contentsOf: Array(entries[0..<10]))
    try batched.append(contentsOf: Array(entries[10..<11]))
    #expect(try batched.append(contentsOf: Array(entries[11...])) == 11)
    let reference = Reference(entries)
    for size in 1...UInt64(77) {
        #expect(try single.rootHash(treeSize: size) == batched.rootHash(treeSize: size))
        #expect(try single.rootHash(treeSize: size) == reference.mth(0..<Int(size)))
    }
}

@Test func appendingStoresAtMostTwoNodesPerLeaf() throws {
    var tree = MerkleTree(store: CountingStore())
    let counters = tree.store.counters
    for (count, entry) in sampleEntries(1000).enumerated() {
        try tree.append(entry)
        let n = count + 1
        // Leaves plus the complete subtrees above them: 2n - popcount(n) nodes in all.
        #expect(counters.written == 2 * n - n.nonzeroBitCount)
    }
    // Amortized O(1) reads: one left-sibling read per completed parent.
    #expect(counters.reads <= 1000)
}

@Test func proofsAndRootsReadOLogNStoredHashes() throws {
    var tree = MerkleTree(store: CountingStore())
    try tree.append(contentsOf: sampleEntries(1000))
    let counters = tree.store.counters
    for size in [1, 2, 3, 255, 256, 257, 511, 999, 1000] as [UInt64] {
        let bound = 2 * ceilLog2(size) + 2
        counters.reads = 0
        _ = try tree.rootHash(treeSize: size)
        #expect(counters.reads <= bound)
        for index in Set([0, size / 2, size - 1]) {
            counters.reads = 0
            _ = try tree.inclusionProof(leafIndex: index, treeSize: size)
            #expect(counters.reads <= bound, "inclusion \(index) in \(size): \(counters.reads) reads")
        }
        for old in Set([1, size / 3 + 1, size - 1].filter { $0 >= 1 && $0 <= size }) {
            counters.reads = 0
            _ = try tree.consistencyProof(from: old, to: size)
            #expect(counters.reads <= bound, "consistency \(old) to \(size): \(counters.reads) reads")
        }
    }
}

@Test func inMemoryStoreRefusesWritesThatAreNotAppendOnly() throws {
    var store = InMemoryHashStore()
    let h = MerkleHash.leaf([1])
    // A leaf at index 1 before index 0: a gap.
    #expect(errorCode { try store.append([MerkleNode(level: 0, index: 1, hash: h)], newTreeSize: 1) } == .notAppendOnly)
    // The size must cover exactly the nodes given.
    #expect(errorCode { try store.append([MerkleNode(level: 0, index: 0, hash: h)], newTreeSize: 2) } == .notAppendOnly)
    try store.append([MerkleNode(level: 0, index: 0, hash: h)], newTreeSize: 1)
    // Overwriting leaf 0.
    #expect(errorCode { try store.append([MerkleNode(level: 0, index: 0, hash: h)], newTreeSize: 1) } == .notAppendOnly)
    // Leaf 1 without the parent it completes.
    #expect(errorCode { try store.append([MerkleNode(level: 0, index: 1, hash: h)], newTreeSize: 2) } == .notAppendOnly)
    // Shrinking.
    #expect(errorCode { try store.append([], newTreeSize: 0) } == .notAppendOnly)
    #expect(store.treeSize() == 1)
    #expect(errorCode { try store.hash(level: 1, index: 0) } == .missingData)
}

@Test func merkleHashParsesOnlyThirtyTwoBytesOfCanonicalBase64() throws {
    let h = MerkleHash.leaf(bytes("x"))
    #expect(try MerkleHash(base64: h.base64) == h)
    #expect(try MerkleHash(bytes: h.bytes) == h)
    #expect(errorCode { try MerkleHash(bytes: [UInt8](repeating: 0, count: 31)) } == .invalidHash)
    #expect(errorCode { try MerkleHash(bytes: [UInt8](repeating: 0, count: 33)) } == .invalidHash)
    #expect(errorCode { try MerkleHash(base64: "ZG9uJ3QgY2FyZSAy") } == .invalidHash)  // 12 bytes
    #expect(errorCode { try MerkleHash(base64: String(h.base64.dropLast())) } == .invalidHash)
    #expect(errorCode { try MerkleHash(base64: h.base64 + "AAAA") } == .invalidHash)
    // Non-canonical: the bits under the padding must be zero (a canonical last symbol has value 4k; "B" is 1).
    var chars = Array(h.base64)
    chars[chars.count - 2] = "B"
    #expect(errorCode { try MerkleHash(base64: String(chars)) } == .invalidHash)
}
