import Foundation
import SignetCBOR
import SignetMedia

/// What a successful BMFF hash check covered.
public struct BMFFVerification: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        /// One hash over the whole file less its exclusions.
        case fileHash
        /// The file hash plus a Merkle tree over each `mdat` payload (non-fragmented, A.5.4.1.1).
        case fileHashAndMdatTrees
        /// A single flat fragmented file: `initHash` over everything before the first `moof`, one Merkle leaf per
        /// fragment (A.5.4.1.2), plus the file hash if present.
        case flatFragmented
        /// An initialization segment whose fragments are separate files: only `initHash` was checked here; see
        /// ``BMFFHasher/verifyFragments(init:fragments:assertion:alg:version:storeRanges:contiguousFromZero:)``.
        case initializationSegment
    }
    public var form: Form
    /// Merkle leaves checked.
    public var leaves: Int
}

/// One fragment file's result in a split (init segment + fragment files) verification.
public struct BMFFFragmentResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case match
        case mismatch(String)
        case malformed(String)
    }
    public var path: String
    /// The leaf the fragment's `merkle` box claims, when it could be read.
    public var location: Int?
    public var outcome: Outcome
}

/// The result of ``BMFFHasher/verifyFragments(init:fragments:assertion:alg:version:storeRanges:contiguousFromZero:)``.
public struct BMFFFragmentsVerification: Sendable, Equatable {
    /// The initialization segment against the Merkle maps' `initHash`.
    public var initSegment: BMFFFragmentResult.Outcome
    public var fragments: [BMFFFragmentResult]
    public var isValid: Bool { initSegment == .match && fragments.allSatisfy { $0.outcome == .match } }
}

extension BMFFHasher {
    /// Checks `assertion` against the file (C2PA 2.2, 15.12.2), throwing the first failure:
    ///
    /// 1. the assertion's own rules (``BMFFHashAssertion/structuralProblem``), `malformed`;
    /// 2. the exclusions evaluated, then ``checkExclusionSafety(_:storeRanges:coveredMdats:)``, `mismatch`;
    /// 3. the file `hash`, if present;
    /// 4. the Merkle trees, if present: per `mdat` (non-fragmented maps), per fragment with `initHash` (a flat
    ///    fragmented file), or only `initHash` (an initialization segment without `moof`).
    ///
    /// `alg` is the assertion's algorithm (its `alg`, else the claim's); a Merkle map's own `alg` overrides it.
    /// `storeRanges` are the C2PA `uuid` boxes holding the manifest store (empty for a sidecar store).
    public func verify(
        _ assertion: BMFFHashAssertion, version: Int = 3, alg: HashAlgorithm, storeRanges: [Range<Int64>]
    ) throws(BMFFHashError) -> BMFFVerification {
        if let problem = assertion.structuralProblem { throw .malformed(problem) }
        let ex = try exclusions(assertion, markers: version >= 2)
        let maps = assertion.merkle ?? []
        let fragmented = maps.contains { $0.initHash != nil }
        let covered: Set<Int> = fragmented ? [] : Set(maps.map { Int($0.localId) })
        try checkExclusionSafety(ex, storeRanges: storeRanges, coveredMdats: covered)
        if let hash = assertion.hash {
            guard try digest(ex, alg: alg) == hash else { throw .mismatch("BMFF file level hash mismatch") }
        }
        if maps.isEmpty { return BMFFVerification(form: .fileHash, leaves: 0) }
        if !fragmented {
            return BMFFVerification(form: .fileHashAndMdatTrees, leaves: try verifyMdatTrees(maps, defaultAlg: alg))
        }
        let moofs = topLevel.filter { nodes[$0].type == "moof" }
        guard let firstMoof = moofs.first else {
            // Fragments live in other files: only the initialization segment can be checked here. Maps whose
            // initHash differs may describe other representations' initialization segments.
            var matched = false
            for map in maps where try digest(ex, alg: mapAlg(map, alg)) == map.initHash { matched = true }
            guard matched else { throw .mismatch("BMFF inithash mismatch: no Merkle map's initHash matches this initialization segment") }
            return BMFFVerification(form: .initializationSegment, leaves: 0)
        }
        for map in maps {
            let initDigest = try digest(ex, extra: [nodes[firstMoof].range.lowerBound..<reader.size], alg: mapAlg(map, alg))
            guard initDigest == map.initHash else {
                throw .mismatch("BMFF inithash mismatch (Merkle map uniqueId \(map.uniqueId), localId \(map.localId))")
            }
        }
        return BMFFVerification(form: .flatFragmented, leaves: try verifyFlatFragments(maps, ex: ex, moofs: moofs, defaultAlg: alg))
    }

    func mapAlg(_ map: BMFFHashAssertion.MerkleMap, _ fallback: HashAlgorithm) throws(BMFFHashError) -> HashAlgorithm {
        guard let name = map.alg else { return fallback }
        guard let alg = HashAlgorithm(name: name) else { throw .malformed("Merkle map names an unsupported algorithm \(name)") }
        return alg
    }

    // MARK: Exclusion safety

    /// Refuses exclusions that leave bytes unsigned where changing them could change what is presented, stricter
    /// than c2pa-rs 0.91.3 (which checks none of this). Every excluded byte belongs to whoever edits the file next:
    ///
    /// - each store box must be wholly excluded, and every exclusion entry that reaches into a store box must
    ///   match only whole top-level C2PA `uuid` boxes (so `/uuid` without the data condition, which would also
    ///   free XMP and other `uuid` boxes, is refused);
    /// - no excluded range may fall, at its deepest, inside a box a player reads to present the media
    ///   (``presentationTypes``: sample tables, track and movie headers, edit lists, fragment headers, HEIF item
    ///   boxes…); metadata boxes (`udta`, `uuid`, `pssh`, `emsg`, `free`…), like EXIF and XMP elsewhere, may be excluded;
    /// - `mdat` bytes may be excluded only from offset 16 on and only in an `mdat` a (non-fragmented) Merkle map
    ///   covers: there the tree's leaves sign them.
    func checkExclusionSafety(_ ex: Exclusions, storeRanges: [Range<Int64>], coveredMdats: Set<Int>) throws(BMFFHashError) {
        let merged = Self.merged(ex.ranges.map(\.range))
        for store in storeRanges where !store.isEmpty {
            guard merged.contains(where: { $0.lowerBound <= store.lowerBound && store.upperBound <= $0.upperBound }) else {
                throw .mismatch("the manifest store's box (\(store.lowerBound)+\(store.count)) is not wholly excluded from the BMFF hash")
            }
        }
        var storeEntries = Set<Int>()
        for r in ex.ranges where storeRanges.contains(where: { $0.overlaps(r.range) }) { storeEntries.insert(r.entry) }
        for r in ex.ranges where storeEntries.contains(r.entry) {
            let node = nodes[r.node]
            guard node.isTopLevel, node.isC2PAUUID else {
                throw .mismatch(
                    "the exclusion that removes the manifest store also removes the '\(node.type)' box at \(node.range.lowerBound), which is not a C2PA box")
            }
            guard r.wholeBox else {
                throw .mismatch("the exclusion that removes the manifest store must exclude whole C2PA boxes, not subsets of them")
            }
        }
        var mdatOrdinal: [Int: Int] = [:]
        for (i, index) in topLevel.filter({ nodes[$0].type == "mdat" }).enumerated() { mdatOrdinal[index] = i }
        for r in ex.ranges where !r.range.isEmpty {
            var deepest = r.node
            if !r.wholeBox {
                while let child = nodes[deepest].children.first(where: {
                    nodes[$0].range.lowerBound <= r.range.lowerBound && r.range.upperBound <= nodes[$0].range.upperBound
                }) {
                    deepest = child
                }
            }
            let node = nodes[deepest]
            if node.isC2PAUUID { continue }
            if node.type == "mdat", let ordinal = mdatOrdinal[deepest] {
                if coveredMdats.contains(ordinal) && r.range.lowerBound >= node.range.lowerBound + 16 { continue }
                throw .mismatch(
                    "an exclusion removes bytes \(r.range.lowerBound)..<\(r.range.upperBound) of the mdat at \(node.range.lowerBound), media data no Merkle tree signs")
            }
            if Self.presentationTypes.contains(node.type) {
                throw .mismatch(
                    "an exclusion removes bytes \(r.range.lowerBound)..<\(r.range.upperBound) of the '\(node.type)' box at \(node.range.lowerBound), which a player reads to present the media; unsigned bytes there could change what is shown")
            }
        }
    }

    // MARK: C2PA uuid boxes

    /// The purpose of a top-level C2PA `uuid` box (`manifest`, `merkle`…) and where its data starts; `nil` for any
    /// other box or one without a NUL-terminated purpose in its first 64 bytes.
    func c2paPurpose(_ index: Int) throws(BMFFHashError) -> (purpose: String, dataStart: Int64)? {
        let node = nodes[index]
        guard node.isC2PAUUID else { return nil }
        let available = node.range.upperBound - node.payloadStart
        guard available > 4 else { return nil }
        let head: [UInt8]
        do {
            head = try reader.read(at: node.payloadStart, count: Int(min(available, 68)))
        } catch {
            throw .mismatch("the asset could not be read: \(error)")
        }
        guard let nul = head[4...].firstIndex(of: 0) else { return nil }
        return (String(decoding: head[4..<nul], as: UTF8.self), node.payloadStart + Int64(nul) + 1)
    }

    /// The `bmff-merkle-map` of an auxiliary `merkle` box; `nil` if the box is not one.
    func merkleBoxMap(_ index: Int) throws(BMFFHashError) -> BMFFMerkleBoxMap? {
        guard let (purpose, start) = try c2paPurpose(index), purpose == "merkle" else { return nil }
        let node = nodes[index]
        let size = node.range.upperBound - start
        guard size <= Self.maxMerkleBoxSize else { throw .mismatch("the merkle box at \(node.range.lowerBound) is larger than \(Self.maxMerkleBoxSize) bytes") }
        let bytes: [UInt8]
        do {
            bytes = try reader.read(at: start, count: Int(size))
        } catch {
            throw .mismatch("the asset could not be read: \(error)")
        }
        do {
            let (cbor, used) = try CBORDecoder().decodePrefix(bytes)
            // Only zero padding may follow the map (A.5.4.1.3).
            guard bytes[used...].allSatisfy({ $0 == 0 }) else { throw ClaimDecodingError(reason: "bytes other than zero padding follow its CBOR") }
            return try BMFFMerkleBoxMap(cbor: cbor)
        } catch let error as ClaimDecodingError {
            // The assertion is fine; the asset's box is damaged.
            throw .mismatch("the merkle box at \(node.range.lowerBound) is damaged: \(error.reason)")
        } catch {
            throw .mismatch("the merkle box at \(node.range.lowerBound) is damaged: not valid CBOR: \(error)")
        }
    }

    struct LeafKey: Hashable {
        var uniqueId: UInt32
        var localId: UInt32
        var location: UInt32
    }

    /// The top-level auxiliary `merkle` boxes by (uniqueId, localId, location).
    func merkleBoxIndex() throws(BMFFHashError) -> [LeafKey: Int] {
        var index: [LeafKey: Int] = [:]
        for i in topLevel where nodes[i].isC2PAUUID {
            guard let map = try merkleBoxMap(i) else { continue }
            let key = LeafKey(uniqueId: map.uniqueId, localId: map.localId, location: map.location)
            guard index[key] == nil else {
                throw .mismatch("two merkle boxes claim leaf \(map.location) of tree (uniqueId \(map.uniqueId), localId \(map.localId))")
            }
            index[key] = i
        }
        return index
    }

    // MARK: Merkle trees over mdat payloads

    /// Checks each non-fragmented Merkle map against its `mdat` (`localId` = the zero-based index among top-level
    /// `mdat` boxes). As in c2pa-rs 0.91.3 the leaves cover the box from offset 16 to its end (the first 16 bytes are
    /// under the file hash), cut by `fixedBlockSize`, by `variableBlockSizes`, or whole. Leaves are hashed as the
    /// file streams by, and checked one by one against the stored row, or through the leaf's `merkle` box proof.
    func verifyMdatTrees(_ maps: [BMFFHashAssertion.MerkleMap], defaultAlg: HashAlgorithm) throws(BMFFHashError) -> Int {
        let mdats = topLevel.filter { nodes[$0].type == "mdat" }
        guard !mdats.isEmpty else { throw .malformed("the BMFF hash has Merkle maps but the asset has no mdat box") }
        var auxIndex: [LeafKey: Int]?
        var total = 0
        for map in maps {
            guard Int(map.localId) < mdats.count else {
                throw .malformed("Merkle map localId \(map.localId) names no mdat (the asset has \(mdats.count))")
            }
            let alg = try mapAlg(map, defaultAlg)
            let mdat = nodes[mdats[Int(map.localId)]]
            let start = min(mdat.range.lowerBound + 16, mdat.range.upperBound)
            let region = start..<mdat.range.upperBound
            let regionLength = UInt64(region.count)
            let count = Int(map.count)
            let leafSize: (Int) -> UInt64
            if let fixed = map.fixedBlockSize {
                let leaves = regionLength == 0 ? 0 : (regionLength - 1) / fixed + 1
                guard leaves == UInt64(count) else {
                    throw .mismatch("the mdat at \(mdat.range.lowerBound) has \(leaves) blocks of \(fixed) bytes, the Merkle map counts \(count)")
                }
                leafSize = { i in min(fixed, regionLength - UInt64(i) * fixed) }
            } else if let sizes = map.variableBlockSizes {
                var sum: UInt64 = 0
                for s in sizes {
                    let (next, overflow) = sum.addingReportingOverflow(s)
                    guard !overflow else { throw .malformed("Merkle map variableBlockSizes overflow") }
                    sum = next
                }
                guard sum == regionLength else {
                    throw .malformed("Merkle map variableBlockSizes add up to \(sum), the mdat at \(mdat.range.lowerBound) has \(regionLength) bytes from offset 16")
                }
                leafSize = { i in sizes[i] }
            } else {
                guard count == 1 else { throw .mismatch("the Merkle map for the mdat at \(mdat.range.lowerBound) counts \(count) leaves for one whole payload") }
                leafSize = { _ in regionLength }
            }
            let useProofs = map.hashes.count < count
            if useProofs, auxIndex == nil { auxIndex = try merkleBoxIndex() }
            let aux = auxIndex ?? [:]
            let check = { (i: Int, leaf: [UInt8]) throws(BMFFHashError) -> Void in
                let what = "leaf \(i) of the mdat at \(mdat.range.lowerBound)"
                guard useProofs else {
                    guard leaf == map.hashes[i] else { throw .mismatch("chunk hash did not match (\(what))") }
                    return
                }
                guard let box = aux[LeafKey(uniqueId: map.uniqueId, localId: map.localId, location: UInt32(i))],
                    let boxMap = try self.merkleBoxMap(box)
                else { throw .malformed("no merkle box holds the proof for \(what)") }
                guard BMFFMerkleTree.verify(leaf: leaf, location: i, proof: boxMap.hashes ?? [], count: count, stored: map.hashes, alg: alg) else {
                    throw .mismatch("chunk hash did not match (\(what), through its merkle box proof)")
                }
            }
            try streamLeaves(region: region, count: count, leafSize: leafSize, alg: alg, check: check)
            total += count
        }
        return total
    }

    /// Streams `region` once, cutting it into `count` leaves of `leafSize(i)` bytes and passing each leaf's hash to `check`.
    func streamLeaves(
        region: Range<Int64>, count: Int, leafSize: (Int) -> UInt64, alg: HashAlgorithm,
        check: (Int, [UInt8]) throws(BMFFHashError) -> Void
    ) throws(BMFFHashError) {
        var index = 0
        var remaining = count > 0 ? leafSize(0) : 0
        var hasher = alg.makeHasher()
        func finishLeaves() throws(BMFFHashError) {
            while remaining == 0 && index < count {
                try check(index, hasher.finalize())
                index += 1
                hasher = alg.makeHasher()
                remaining = index < count ? leafSize(index) : 0
            }
        }
        try finishLeaves()
        do {
            try reader.stream(range: region, chunkSize: 1 << 20) { buffer in
                var offset = 0
                while offset < buffer.count {
                    let take = Int(min(remaining, UInt64(buffer.count - offset)))
                    guard take > 0 else { throw BMFFHashError.mismatch("the mdat holds more bytes than its Merkle leaves") }
                    hasher.update(UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + take)]))
                    offset += take
                    remaining -= UInt64(take)
                    try finishLeaves()
                }
            }
        } catch let error as BMFFHashError {
            throw error
        } catch {
            throw .mismatch("the asset could not be read: \(error)")
        }
        guard index == count else { throw .mismatch("the mdat ended before its Merkle leaves") }
    }

    // MARK: Flat fragmented files

    /// Checks each fragment of a flat fragmented file (A.5.4.1.2): a fragment runs from its `moof` to the next `moof`
    /// (or the end of the file); its leaf is the hash of that stretch less the exclusions, offset markers included;
    /// the `merkle` box immediately before the `moof` names the tree and leaf and carries the proof. Leaves of each
    /// tree must come in order from 0 (15.12.2), and each tree must have exactly `count` fragments.
    func verifyFlatFragments(
        _ maps: [BMFFHashAssertion.MerkleMap], ex: Exclusions, moofs: [Int], defaultAlg: HashAlgorithm
    ) throws(BMFFHashError) -> Int {
        var next: [[UInt32]: Int] = [:]
        var position: [Int: Int] = [:]
        for (i, index) in topLevel.enumerated() { position[index] = i }
        for (k, moof) in moofs.enumerated() {
            let start = nodes[moof].range.lowerBound
            let end = k + 1 < moofs.count ? nodes[moofs[k + 1]].range.lowerBound : reader.size
            guard let p = position[moof], p > 0, let box = try merkleBoxMap(topLevel[p - 1]) else {
                throw .malformed("no merkle box immediately precedes the moof at \(start)")
            }
            guard let map = maps.first(where: { $0.uniqueId == box.uniqueId && $0.localId == box.localId }) else {
                throw .mismatch("the merkle box before the moof at \(start) names no Merkle map (uniqueId \(box.uniqueId), localId \(box.localId))")
            }
            let key = [map.uniqueId, map.localId]
            let expected = next[key] ?? 0
            guard Int(box.location) == expected else {
                throw .mismatch("the fragment at \(start) is out of sequence: it is leaf \(box.location), leaf \(expected) was expected")
            }
            next[key] = expected + 1
            guard Int(box.location) < Int(map.count) else {
                throw .mismatch("the fragment at \(start) is leaf \(box.location) of a tree with \(map.count) leaves")
            }
            let alg = try mapAlg(map, defaultAlg)
            let leaf = try digest(ex, extra: [0..<start, end..<reader.size], alg: alg)
            guard BMFFMerkleTree.verify(leaf: leaf, location: Int(box.location), proof: box.hashes ?? [], count: Int(map.count), stored: map.hashes, alg: alg) else {
                throw .mismatch("chunk hash did not match (the fragment at \(start))")
            }
        }
        for map in maps where (next[[map.uniqueId, map.localId]] ?? 0) != Int(map.count) {
            throw .mismatch(
                "the Merkle map (uniqueId \(map.uniqueId), localId \(map.localId)) counts \(map.count) fragments, the file has \(next[[map.uniqueId, map.localId]] ?? 0)")
        }
        return moofs.count
    }

    // MARK: Split initialization segment + fragment files

    /// Checks fragment files against the initialization segment's BMFF hash (C2PA 2.2, 15.12.2.2, 18.6.6,
    /// A.5.4.1.2), each fragment on its own: its one `merkle` box (immediately before its one `moof`) names the tree
    /// and leaf; the tree's `initHash` must match `initSegment`; the leaf is the hash of the whole fragment file less
    /// the exclusions (offset markers relative to that file) and must reach the stored row through the box's proof.
    ///
    /// The assertion must have no `hash` and a Merkle map with `initHash` for every tree. With `contiguousFromZero`,
    /// each tree's leaves must appear in the order given starting at 0 and increasing by one (15.12.2: a gap, repeat
    /// or reordering is reported on the fragment where it appears). `storeRanges`: the manifest store's box in the
    /// init segment; by default every top-level C2PA `uuid` box whose purpose is `manifest`, `original` or `update`.
    /// The init segment's own manifest (signature, claim) is the caller's to validate.
    public static func verifyFragments(
        init initSegment: FileReader, fragments: [FileReader], assertion: BMFFHashAssertion, alg: HashAlgorithm,
        version: Int = 3, storeRanges: [Range<Int64>]? = nil, contiguousFromZero: Bool = true
    ) -> BMFFFragmentsVerification {
        func failAll(_ outcome: BMFFFragmentResult.Outcome) -> BMFFFragmentsVerification {
            BMFFFragmentsVerification(initSegment: outcome, fragments: fragments.map { BMFFFragmentResult(path: $0.path, location: nil, outcome: outcome) })
        }
        func outcome(_ e: BMFFHashError) -> BMFFFragmentResult.Outcome { e.kind == .malformed ? .malformed(e.reason) : .mismatch(e.reason) }
        if let problem = assertion.structuralProblem { return failAll(.malformed(problem)) }
        guard assertion.hash == nil else { return failAll(.malformed("a BMFF hash for fragment files must not have a hash")) }
        let maps = assertion.merkle ?? []
        guard !maps.isEmpty, maps.allSatisfy({ $0.initHash != nil }) else {
            return failAll(.malformed("a BMFF hash for fragment files needs Merkle maps, each with an initHash"))
        }
        // The initialization segment.
        var initMatches: [[UInt32]: Bool] = [:]
        do throws(BMFFHashError) {
            let hasher = try BMFFHasher(reader: initSegment)
            if let moof = hasher.topLevel.first(where: { hasher.nodes[$0].type == "moof" }) {
                throw .mismatch("the initialization segment holds a moof at \(hasher.nodes[moof].range.lowerBound)")
            }
            let ex = try hasher.exclusions(assertion, markers: version >= 2)
            var stores = storeRanges ?? []
            if storeRanges == nil {
                for i in hasher.topLevel {
                    if let (purpose, _) = try hasher.c2paPurpose(i), ["manifest", "original", "update"].contains(purpose) {
                        stores.append(hasher.nodes[i].range)
                    }
                }
            }
            try hasher.checkExclusionSafety(ex, storeRanges: stores, coveredMdats: [])
            var digests: [String: [UInt8]] = [:]
            for map in maps {
                let a = try hasher.mapAlg(map, alg)
                let d: [UInt8]
                if let known = digests[a.name] { d = known } else {
                    d = try hasher.digest(ex, alg: a)
                    digests[a.name] = d
                }
                initMatches[[map.uniqueId, map.localId]] = d == map.initHash
            }
        } catch {
            return failAll(outcome(error))
        }
        let initOutcome: BMFFFragmentResult.Outcome =
            initMatches.values.contains(true) ? .match : .mismatch("BMFF inithash mismatch: no Merkle map's initHash matches the initialization segment")
        var next: [[UInt32]: Int] = [:]
        var results: [BMFFFragmentResult] = []
        for fragment in fragments {
            var location: Int?
            do throws(BMFFHashError) {
                let hasher = try BMFFHasher(reader: fragment)
                let moofs = hasher.topLevel.filter { hasher.nodes[$0].type == "moof" }
                let mdats = hasher.topLevel.filter { hasher.nodes[$0].type == "mdat" }
                guard moofs.count == 1, mdats.count <= 1 else {
                    throw .mismatch("the fragment has \(moofs.count) moof and \(mdats.count) mdat boxes; C2PA supports one of each per fragment file")
                }
                var boxes: [(Int, BMFFMerkleBoxMap)] = []
                for i in hasher.topLevel {
                    if let map = try hasher.merkleBoxMap(i) { boxes.append((i, map)) }
                }
                guard boxes.count == 1, let (boxIndex, box) = boxes.first else {
                    throw .malformed("the fragment has \(boxes.count) merkle boxes; exactly one must precede its moof")
                }
                location = Int(box.location)
                guard let p = hasher.topLevel.firstIndex(of: moofs[0]), p > 0, hasher.topLevel[p - 1] == boxIndex else {
                    throw .malformed("the fragment's merkle box does not immediately precede its moof")
                }
                let key = [box.uniqueId, box.localId]
                if contiguousFromZero {
                    let expected = next[key] ?? 0
                    next[key] = Int(box.location) + 1
                    guard Int(box.location) == expected else {
                        throw .mismatch("out of sequence: the fragment is leaf \(box.location) of tree (uniqueId \(box.uniqueId), localId \(box.localId)), leaf \(expected) was expected")
                    }
                }
                guard let map = maps.first(where: { $0.uniqueId == box.uniqueId && $0.localId == box.localId }) else {
                    throw .mismatch("the fragment's merkle box names no Merkle map (uniqueId \(box.uniqueId), localId \(box.localId))")
                }
                guard initMatches[key] == true else {
                    throw .mismatch("the initialization segment does not match the initHash of the fragment's Merkle map")
                }
                guard Int(box.location) < Int(map.count) else {
                    throw .mismatch("the fragment is leaf \(box.location) of a tree with \(map.count) leaves")
                }
                let ex = try hasher.exclusions(assertion, markers: version >= 2)
                try hasher.checkExclusionSafety(ex, storeRanges: [], coveredMdats: [])
                let a = try hasher.mapAlg(map, alg)
                let leaf = try hasher.digest(ex, alg: a)
                guard BMFFMerkleTree.verify(leaf: leaf, location: Int(box.location), proof: box.hashes ?? [], count: Int(map.count), stored: map.hashes, alg: a) else {
                    throw .mismatch("chunk hash did not match")
                }
                results.append(BMFFFragmentResult(path: fragment.path, location: location, outcome: .match))
            } catch {
                results.append(BMFFFragmentResult(path: fragment.path, location: location, outcome: outcome(error)))
            }
        }
        return BMFFFragmentsVerification(initSegment: initOutcome, fragments: results)
    }
}

extension ManifestValidator {
    /// Checks a `c2pa.hash.bmff.v2` / `.v3` assertion against the asset (C2PA 2.2, 15.12.2) with
    /// ``BMFFHasher/verify(_:version:alg:storeRanges:)``: `assertion.bmffHash.match`, `.mismatch` or `.malformed`;
    /// `algorithm.unsupported` for an unknown algorithm (15.4). Like c2pa-rs it adds the informational
    /// `assertion.bmffHash.additionalExclusionsPresent` when an exclusion other than the mandatory ones (A.5.6) is
    /// present. A `url` field is ignored (18.6.1).
    func checkBMFFHash(_ binding: AssertionBox, url: String, claimAlg: String?, asset: BoundAsset, into s: inout StatusLists) {
        guard let version = BMFFHashAssertion.version(ofLabel: binding.label), version >= 2 else {
            s.failure.append(.init(.algorithmUnsupported, url: url, "hard binding \(binding.label) is not supported by this version of Signet"))
            return
        }
        guard let content = binding.content, let cbor = try? CBORDecoder().decode(content) else {
            s.failure.append(.init(.assertionBMFFHashMalformed, url: url, "BMFF hash assertion is not valid CBOR"))
            return
        }
        let assertion: BMFFHashAssertion
        do {
            assertion = try BMFFHashAssertion(cbor: cbor)
        } catch {
            s.failure.append(.init(.assertionBMFFHashMalformed, url: url, "BMFF hash assertion is malformed: \(error.reason)"))
            return
        }
        if let problem = assertion.structuralProblem {
            s.failure.append(.init(.assertionBMFFHashMalformed, url: url, "BMFF hash assertion is malformed: \(problem)"))
            return
        }
        guard let alg = Self.hashAlgorithm(assertion.alg, claimAlg: claimAlg, what: "BMFF hash", url: url, into: &s) else { return }
        for map in assertion.merkle ?? [] {
            if let name = map.alg, HashAlgorithm(name: name) == nil {
                s.failure.append(.init(.algorithmUnsupported, url: url, "unsupported hash algorithm \(name) in a BMFF Merkle map"))
                return
            }
        }
        if assertion.exclusions.contains(where: { !assertion.isMandatory($0) }) {
            s.informational.append(.init(.assertionBMFFHashAdditionalExclusionsPresent, url: url, "extra BMFF hash exclusion(s) found"))
        }
        do {
            let hasher = try BMFFHasher(reader: asset.reader)
            let result = try hasher.verify(assertion, version: version, alg: alg, storeRanges: asset.storeRanges)
            let what: String
            switch result.form {
            case .fileHash: what = "BMFF hash valid"
            case .fileHashAndMdatTrees: what = "BMFF hash valid, with \(result.leaves) Merkle leaves"
            case .flatFragmented: what = "BMFF hash valid, with \(result.leaves) fragments"
            case .initializationSegment: what = "BMFF hash valid for the initialization segment; its fragment files are checked separately"
            }
            s.success.append(.init(.assertionBMFFHashMatch, url: url, what))
        } catch {
            let code: StatusCode = error.kind == .malformed ? .assertionBMFFHashMalformed : .assertionBMFFHashMismatch
            s.failure.append(.init(code, url: url, error.reason))
        }
    }
}
