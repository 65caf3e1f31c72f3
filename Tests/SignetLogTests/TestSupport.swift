import Foundation
import SignetLog
import Testing

/// A seeded SplitMix64 generator, so a randomised test can be replayed from the seed it prints.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A generator seeded from `SIGNETLOG_TEST_SEED` when set, otherwise from the clock; the seed is printed.
    static func forTest(_ name: String) -> SplitMix64 {
        let seed =
            ProcessInfo.processInfo.environment["SIGNETLOG_TEST_SEED"].flatMap { UInt64($0) }
            ?? UInt64(Date().timeIntervalSince1970 * 1_000_000)
        print("\(name): seed \(seed) (replay with SIGNETLOG_TEST_SEED=\(seed))")
        return SplitMix64(seed: seed)
    }
}

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The transparency-dev Merkle test vectors, if present: `../shared/fixtures/merkle` next to the package,
/// or `/work/shared/fixtures/merkle`.
let merkleFixtures: URL? = {
    let candidates = [
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/merkle"),
        URL(fileURLWithPath: "/work/shared/fixtures/merkle"),
    ]
    for candidate in candidates {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return candidate
        }
    }
    print("note: Merkle test vectors not found (looked in \(candidates.map(\.path))); their tests are skipped")
    return nil
}()

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func hexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var iterator = hex.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        out.append(UInt8(String([high, low]), radix: 16)!)
    }
    return out
}

/// The code of the ``LogError`` `body` throws, or nil if it returns. Any other error type is a test failure.
func errorCode<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation) -> LogError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as LogError {
        return error.code
    } catch {
        Issue.record("expected a LogError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Builds an in-memory tree over `entries`.
func makeTree(_ entries: [[UInt8]]) throws -> MerkleTree<InMemoryHashStore> {
    var tree = MerkleTree(store: InMemoryHashStore())
    try tree.append(contentsOf: entries)
    return tree
}

func sampleEntries(_ count: Int, salt: String = "") -> [[UInt8]] {
    (0..<count).map { bytes("entry \($0)\(salt)") }
}

/// ceil(log2(n)) for n >= 1.
func ceilLog2(_ n: UInt64) -> Int {
    n <= 1 ? 0 : UInt64.bitWidth - (n - 1).leadingZeroBitCount
}

/// A store that counts reads and written nodes, over an in-memory store.
struct CountingStore: HashStore {
    final class Counters: @unchecked Sendable {
        var reads = 0
        var written = 0
    }

    var inner = InMemoryHashStore()
    let counters = Counters()

    func treeSize() throws(LogError) -> UInt64 { inner.treeSize() }

    func hash(level: Int, index: UInt64) throws(LogError) -> MerkleHash {
        counters.reads += 1
        return try inner.hash(level: level, index: index)
    }

    mutating func append(_ nodes: [MerkleNode], newTreeSize: UInt64) throws(LogError) {
        counters.written += nodes.count
        try inner.append(nodes, newTreeSize: newTreeSize)
    }
}

/// A naive RFC 9162 reference, straight from the recursive definitions of section 2.1: MTH (2.1.1),
/// PATH (2.1.3.1) and PROOF/SUBPROOF (2.1.4.1), over the leaf data. MTH results are memoized by range so
/// exhaustive checks of trees of a few hundred leaves stay fast; nothing else is shared with the module.
final class Reference {
    private let leaves: [[UInt8]]
    private var cache: [Range<Int>: MerkleHash] = [:]

    init(_ leaves: [[UInt8]]) { self.leaves = leaves }

    static func largestPowerOfTwoBelow(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// MTH(D[range]).
    func mth(_ d: Range<Int>) -> MerkleHash {
        if let known = cache[d] { return known }
        let result: MerkleHash
        switch d.count {
        case 0: result = MerkleHash.emptyTree
        case 1: result = MerkleHash.leaf(leaves[d.lowerBound])
        default:
            let k = Reference.largestPowerOfTwoBelow(d.count)
            result = MerkleHash.node(mth(d.lowerBound..<(d.lowerBound + k)), mth((d.lowerBound + k)..<d.upperBound))
        }
        cache[d] = result
        return result
    }

    /// PATH(m, D[range]).
    func path(_ m: Int, _ d: Range<Int>) -> [MerkleHash] {
        guard d.count > 1 else { return [] }
        let k = Reference.largestPowerOfTwoBelow(d.count)
        let left = d.lowerBound..<(d.lowerBound + k)
        let right = (d.lowerBound + k)..<d.upperBound
        if m < k {
            return path(m, left) + [mth(right)]
        }
        return path(m - k, right) + [mth(left)]
    }

    /// PROOF(m, D[range]).
    func proof(_ m: Int, _ d: Range<Int>) -> [MerkleHash] {
        subproof(m, d, true)
    }

    private func subproof(_ m: Int, _ d: Range<Int>, _ b: Bool) -> [MerkleHash] {
        if m == d.count { return b ? [] : [mth(d)] }
        let k = Reference.largestPowerOfTwoBelow(d.count)
        let left = d.lowerBound..<(d.lowerBound + k)
        let right = (d.lowerBound + k)..<d.upperBound
        if m <= k {
            return subproof(m, left, b) + [mth(right)]
        }
        return subproof(m - k, right, false) + [mth(left)]
    }
}
