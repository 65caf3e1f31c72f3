import SignetLog
import Testing

/// Sizes to check exhaustively: all small trees, the edges around powers of two, and random sizes up to 300.
private let propertySizes: [Int] = {
    var generator = SplitMix64.forTest("proof properties")
    let fixed = Array(1...17) + [31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257]
    return fixed + (0..<8).map { _ in Int.random(in: 18...300, using: &generator) }
}()

@Test(arguments: propertySizes)
func everyInclusionProofMatchesTheReferenceVerifiesAndIsShort(size: Int) throws {
    let entries = sampleEntries(size)
    let tree = try makeTree(entries)
    let reference = Reference(entries)
    let n = UInt64(size)
    let root = try tree.rootHash()
    #expect(root == reference.mth(0..<size))
    for index in 0..<size {
        let proof = try tree.inclusionProof(leafIndex: UInt64(index))
        #expect(proof.hashes == reference.path(index, 0..<size), "PATH(\(index), D[\(size)])")
        #expect(proof.hashes.count <= ceilLog2(n))
        #expect(proof.verify(leafHash: MerkleHash.leaf(entries[index]), rootHash: root) == .valid)
        // The same proof must not verify for another leaf or another root.
        #expect(proof.verify(leafHash: MerkleHash.leaf(bytes("other")), rootHash: root) != .valid)
        if size > 1 {
            #expect(proof.verify(leafHash: MerkleHash.leaf(entries[index]), rootHash: MerkleHash.emptyTree) == .rootMismatch)
        }
    }
}

@Test(arguments: propertySizes)
func inclusionProofsAtEarlierSizesComeFromStoredHashes(size: Int) throws {
    var generator = SplitMix64(seed: UInt64(size))
    let entries = sampleEntries(size)
    let tree = try makeTree(entries)
    let reference = Reference(entries)
    for _ in 0..<40 {
        let earlier = Int.random(in: 1...size, using: &generator)
        let index = Int.random(in: 0..<earlier, using: &generator)
        let proof = try tree.inclusionProof(leafIndex: UInt64(index), treeSize: UInt64(earlier))
        #expect(proof.hashes == reference.path(index, 0..<earlier))
        #expect(proof.hashes.count <= ceilLog2(UInt64(earlier)))
        let root = try tree.rootHash(treeSize: UInt64(earlier))
        #expect(proof.verify(leafHash: MerkleHash.leaf(entries[index]), rootHash: root) == .valid)
    }
}

@Test(arguments: propertySizes)
func everyConsistencyProofMatchesTheReferenceVerifiesAndIsShort(size: Int) throws {
    let entries = sampleEntries(size)
    let tree = try makeTree(entries)
    let reference = Reference(entries)
    let n = UInt64(size)
    let newRoot = try tree.rootHash()
    for old in 1...size {
        let proof = try tree.consistencyProof(from: UInt64(old))
        #expect(proof.hashes == reference.proof(old, 0..<size), "PROOF(\(old), D[\(size)])")
        #expect(proof.hashes.count <= ceilLog2(n) + 1)
        let oldRoot = try tree.rootHash(treeSize: UInt64(old))
        #expect(proof.verify(oldRoot: oldRoot, newRoot: newRoot) == .valid)
        if old < size {
            #expect(proof.verify(oldRoot: newRoot, newRoot: oldRoot) != .valid)
            #expect(proof.verify(oldRoot: MerkleHash.leaf(bytes("x")), newRoot: newRoot) != .valid)
        }
    }
}

@Test func tamperedProofsFailVerification() throws {
    var generator = SplitMix64.forTest("tampered proofs")
    let entries = sampleEntries(300)
    let tree = try makeTree(entries)
    for _ in 0..<300 {
        let size = UInt64.random(in: 2...300, using: &generator)
        let index = UInt64.random(in: 0..<size, using: &generator)
        let root = try tree.rootHash(treeSize: size)
        let leaf = MerkleHash.leaf(entries[Int(index)])
        let proof = try tree.inclusionProof(leafIndex: index, treeSize: size)
        var wrongIndex = proof
        wrongIndex.leafIndex ^= 1
        #expect(wrongIndex.verify(leafHash: leaf, rootHash: root) != .valid)
        var wrongSize = proof
        wrongSize.treeSize = size * 2
        #expect(wrongSize.verify(leafHash: leaf, rootHash: root) != .valid)
        var extra = proof
        extra.hashes.append(leaf)
        #expect(extra.verify(leafHash: leaf, rootHash: root) != .valid)
        if !proof.hashes.isEmpty {
            var flipped = proof
            let position = Int.random(in: 0..<proof.hashes.count, using: &generator)
            var raw = flipped.hashes[position].bytes
            raw[Int.random(in: 0..<32, using: &generator)] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            flipped.hashes[position] = try MerkleHash(bytes: raw)
            #expect(flipped.verify(leafHash: leaf, rootHash: root) == .rootMismatch)
            var short = proof
            short.hashes.removeLast()
            #expect(short.verify(leafHash: leaf, rootHash: root) == .wrongProofLength)
        }
        let old = UInt64.random(in: 1..<size, using: &generator)
        let consistency = try tree.consistencyProof(from: old, to: size)
        let oldRoot = try tree.rootHash(treeSize: old)
        var truncated = consistency
        truncated.hashes.removeLast()
        #expect(truncated.verify(oldRoot: oldRoot, newRoot: root) != .valid)
        var wrongOld = consistency
        wrongOld.oldSize = old + 1 == size ? old - 1 : old + 1
        if wrongOld.oldSize > 0 {
            #expect(wrongOld.verify(oldRoot: oldRoot, newRoot: root) != .valid)
        }
    }
}
