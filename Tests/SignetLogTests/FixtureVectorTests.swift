import Foundation
import SignetLog
import Testing

/// The transparency-dev Merkle test vectors (inclusion/ and consistency/ under the fixtures folder): every
/// vector with `wantErr: false` must verify, every other one must fail. Hashes that are not 32 bytes cannot
/// be a `MerkleHash`, which counts as failing.
private struct InclusionVector: Decodable {
    var leafIdx: UInt64
    var treeSize: UInt64
    var root: String
    var leafHash: String
    var proof: [String]?
    var desc: String
    var wantErr: Bool
}

private struct ConsistencyVector: Decodable {
    var size1: UInt64
    var size2: UInt64
    var root1: String
    var root2: String
    var proof: [String]?
    var desc: String
    var wantErr: Bool
}

/// Vectors whose expectation this module deliberately does not meet, with the reason.
private let deliberateDeviations: [String: String] = [
    // Sizes 1 and 1, equal roots of 12 bytes ("don't care 2"), empty proof: transparency-dev accepts it because
    // it compares roots as raw bytes. A 12-byte value is not a SHA-256 tree head, so it cannot be a MerkleHash.
    "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json":
        "roots are 12 bytes, not SHA-256 hashes",
]

private func vectorFiles(_ folder: String) throws -> [(name: String, url: URL)] {
    guard let root = merkleFixtures else { return [] }
    let base = root.appendingPathComponent(folder)
    guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
    var files: [(String, URL)] = []
    for case let url as URL in enumerator where url.pathExtension == "json" {
        let relative = folder + "/" + url.path.dropFirst(base.path.count + 1)
        files.append((relative, url))
    }
    return files.sorted { $0.0 < $1.0 }
}

private func hash(_ base64: String) -> MerkleHash? {
    guard let data = Data(base64Encoded: base64) else { return nil }
    return try? MerkleHash(bytes: Array(data))
}

private func hashes(_ list: [String]?) -> [MerkleHash]? {
    var out: [MerkleHash] = []
    for item in list ?? [] {
        guard let h = hash(item) else { return nil }
        out.append(h)
    }
    return out
}

@Test(.enabled(if: merkleFixtures != nil, "Merkle test vectors not present"))
func everyInclusionVectorVerifiesOrFailsAsExpected() throws {
    let files = try vectorFiles("inclusion")
    #expect(files.count > 50)
    var happy = 0
    var failing = 0
    for (name, url) in files {
        let vector = try JSONDecoder().decode(InclusionVector.self, from: Data(contentsOf: url))
        var verdict: ProofVerificationResult?
        if let root = hash(vector.root), let leaf = hash(vector.leafHash), let proof = hashes(vector.proof) {
            verdict = InclusionProof(leafIndex: vector.leafIdx, treeSize: vector.treeSize, hashes: proof)
                .verify(leafHash: leaf, rootHash: root)
        }
        if vector.wantErr {
            failing += 1
            #expect(verdict != .valid, "\(name): \(vector.desc) must fail")
        } else {
            happy += 1
            #expect(verdict == .valid, "\(name): \(vector.desc) must verify")
        }
    }
    print("inclusion vectors: \(happy) verified, \(failing) rejected, of \(files.count)")
}

@Test(.enabled(if: merkleFixtures != nil, "Merkle test vectors not present"))
func everyConsistencyVectorVerifiesOrFailsAsExpected() throws {
    let files = try vectorFiles("consistency")
    #expect(files.count > 50)
    var happy = 0
    var failing = 0
    for (name, url) in files {
        let vector = try JSONDecoder().decode(ConsistencyVector.self, from: Data(contentsOf: url))
        var verdict: ProofVerificationResult?
        if let root1 = hash(vector.root1), let root2 = hash(vector.root2), let proof = hashes(vector.proof) {
            verdict = ConsistencyProof(oldSize: vector.size1, newSize: vector.size2, hashes: proof)
                .verify(oldRoot: root1, newRoot: root2)
        }
        if let reason = deliberateDeviations[name] {
            #expect(!vector.wantErr && verdict == nil, "\(name): deviation no longer applies")
            print("consistency vector \(name) deliberately rejected: \(reason)")
        } else if vector.wantErr {
            failing += 1
            #expect(verdict != .valid, "\(name): \(vector.desc) must fail")
        } else {
            happy += 1
            #expect(verdict == .valid, "\(name): \(vector.desc) must verify")
        }
    }
    print("consistency vectors: \(happy) verified, \(failing) rejected, of \(files.count)")
}

/// The vectors' trees are the RFC 6962 test tree; proofs generated from stored hashes must equal theirs.
@Test(.enabled(if: merkleFixtures != nil, "Merkle test vectors not present"))
func generatedProofsEqualTheHappyPathVectors() throws {
    let tree = try makeTree(rfc6962Leaves)
    var compared = 0
    for (name, url) in try vectorFiles("inclusion") where name.hasSuffix("/happy-path.json") {
        let vector = try JSONDecoder().decode(InclusionVector.self, from: Data(contentsOf: url))
        guard vector.treeSize <= 8, let root = hash(vector.root) else { continue }
        #expect(try tree.rootHash(treeSize: vector.treeSize) == root, "\(name)")
        #expect(try tree.leafHash(at: vector.leafIdx) == hash(vector.leafHash), "\(name)")
        let proof = try tree.inclusionProof(leafIndex: vector.leafIdx, treeSize: vector.treeSize)
        #expect(proof.hashes == hashes(vector.proof), "\(name)")
        compared += 1
    }
    for (name, url) in try vectorFiles("consistency") where name.hasSuffix("/happy-path.json") {
        let vector = try JSONDecoder().decode(ConsistencyVector.self, from: Data(contentsOf: url))
        guard vector.size2 <= 8 else { continue }
        #expect(try tree.rootHash(treeSize: vector.size1) == hash(vector.root1), "\(name)")
        #expect(try tree.rootHash(treeSize: vector.size2) == hash(vector.root2), "\(name)")
        let proof = try tree.consistencyProof(from: vector.size1, to: vector.size2)
        #expect(proof.hashes == hashes(vector.proof), "\(name)")
        compared += 1
    }
    #expect(compared >= 8)
}
