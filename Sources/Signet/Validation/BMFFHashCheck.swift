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
        try checkMediaReferences(ex, coveredMdats: covered)
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
            // Free space left out of the hash (c2pa-rs's default excludes every free and skip box) must be free
            // space: zeros. Players can be made to read media from it (sample tables or track runs pointing there,
            // PCM chunks running on into it) or to change how they read the file (FFmpeg times fragments by the
            // unsigned mfra when a free box says "Anevia"). Stricter than c2pa-rs.
            if node.type == "free" || node.type == "skip" {
                let payload = max(r.range.lowerBound, node.payloadStart)..<r.range.upperBound
                if !payload.isEmpty, try !isAllZeros(payload) {
                    throw .mismatch(
                        "the '\(node.type)' box at \(node.range.lowerBound) is left out of the BMFF hash but holds data, not zeros: nothing signs what a player might read from it")
                }
            }
        }
        try checkExcludedBoxPlacement(ex)
    }

    /// Whether every byte of `range` is zero (streamed).
    func isAllZeros(_ range: Range<Int64>) throws(BMFFHashError) -> Bool {
        var zero = true
        do {
            try reader.stream(range: range, chunkSize: 1 << 20) { chunk in
                if zero, chunk.contains(where: { $0 != 0 }) { zero = false }
            }
        } catch {
            throw .mismatch("an excluded box could not be read: \(error)")
        }
        return zero
    }

    /// The mandatory exclusions leave `ftyp` and `mfra` unsigned, so where they sit is checked instead: one `ftyp`,
    /// the first box; `mfra` only as the last box, holding only `tfra` and `mfro` boxes, its `mfro` giving its size,
    /// and each `tfra` entry naming a top-level `moof` (c2pa-rs checks none of this).
    func checkExcludedBoxPlacement(_ ex: Exclusions) throws(BMFFHashError) {
        let ftyps = topLevel.filter { nodes[$0].type == "ftyp" }
        if !ftyps.isEmpty, ftyps.count > 1 || topLevel.first != ftyps[0] {
            throw .mismatch("the file has \(ftyps.count) ftyp boxes or one that is not first: the unsigned ftyp must be one, at the start")
        }
        let mfras = topLevel.filter { nodes[$0].type == "mfra" }
        guard let mfra = mfras.first else { return }
        guard mfras.count == 1, topLevel.last == mfra else {
            throw .mismatch("an mfra box that is not the last box of the file: the unsigned mfra must be one, at the end")
        }
        let box = nodes[mfra]
        let children = box.children.map { nodes[$0] }
        guard let last = children.last, last.type == "mfro", children.dropLast().allSatisfy({ $0.type == "tfra" }),
            children.last(where: { $0.type != "tfra" }).map({ $0.range == last.range }) ?? false,
            children.reduce(box.payloadStart, { $0 == $1.range.lowerBound ? $1.range.upperBound : -1 }) == box.range.upperBound
        else {
            throw .mismatch("the unsigned mfra box at \(box.range.lowerBound) holds more than tfra boxes and a final mfro")
        }
        let mfro: [UInt8]
        do { mfro = try reader.read(at: last.payloadStart, count: 8) } catch { throw .mismatch("the mfro box is truncated") }
        guard last.range.count == 16, mfro[0...3] == [0, 0, 0, 0],
            Int64(mfro[4]) << 24 | Int64(mfro[5]) << 16 | Int64(mfro[6]) << 8 | Int64(mfro[7]) == box.range.count
        else {
            throw .mismatch("the unsigned mfro box does not give its mfra's size")
        }
        let moofOffsets = Set(topLevel.filter { nodes[$0].type == "moof" }.map { nodes[$0].range.lowerBound })
        for tfra in children.dropLast() {
            let bytes: [UInt8]
            do { bytes = try reader.read(at: tfra.payloadStart, count: Int(min(tfra.range.upperBound - tfra.payloadStart, 16 << 20))) } catch {
                throw .mismatch("a tfra box is truncated")
            }
            guard bytes.count >= 16 else { throw .mismatch("a tfra box is truncated") }
            let version = bytes[0]
            let sizes = Int(bytes[11]) & 0x3F
            let count = Int(bytes[12]) << 24 | Int(bytes[13]) << 16 | Int(bytes[14]) << 8 | Int(bytes[15])
            let timeWidth = version == 1 ? 8 : 4
            let entry = 2 * timeWidth + (sizes >> 4 & 3) + (sizes >> 2 & 3) + (sizes & 3) + 3
            guard version <= 1, bytes[1...3] == [0, 0, 0], 16 + count * entry == bytes.count else {
                throw .mismatch("the unsigned tfra box at \(tfra.range.lowerBound) does not hold exactly its entries")
            }
            for i in 0..<count {
                let at = 16 + i * entry + timeWidth
                let offset = bytes[at..<(at + timeWidth)].reduce(Int64(0)) { $0 << 8 | Int64($1) }
                guard moofOffsets.contains(offset) else {
                    throw .mismatch("an entry of the unsigned tfra box names offset \(offset), where no moof box starts")
                }
            }
        }
    }

    // MARK: Media outside the hash

    /// Refuses a file whose sample tables or item locations point at excluded bytes (stricter than c2pa-rs, which
    /// does not look). The default exclusions free `/free` and `/skip` boxes; a file crafted before signing with
    /// `stco` chunks (or HEIF `iloc` extents) inside a `free` box would otherwise let anyone swap the pictures
    /// afterwards under a valid signature. Checked: every chunk of every `/moov/trak` (`stco`/`co64` offsets, sizes from
    /// `stsc` with `stsz`/`stz2`) and every construction-method-0 `iloc` extent in this file, against the excluded
    /// bytes no Merkle leaf covers. Not checked: movie fragment runs (`trun`).
    func checkMediaReferences(_ ex: Exclusions, coveredMdats: Set<Int>) throws(BMFFHashError) {
        var signedByLeaves: [Range<Int64>] = []
        for (i, index) in topLevel.filter({ nodes[$0].type == "mdat" }).enumerated() where coveredMdats.contains(i) {
            let r = nodes[index].range
            signedByLeaves.append(min(r.lowerBound + 16, r.upperBound)..<r.upperBound)
        }
        var unsigned: [Range<Int64>] = []
        for r in Self.merged(ex.ranges.map(\.range)) {
            var pieces = [r]
            for covered in signedByLeaves {
                pieces = pieces.flatMap { p -> [Range<Int64>] in
                    guard p.overlaps(covered) else { return [p] }
                    return [p.lowerBound..<max(p.lowerBound, covered.lowerBound), min(p.upperBound, covered.upperBound)..<p.upperBound].filter { !$0.isEmpty }
                }
            }
            unsigned += pieces
        }
        guard !unsigned.isEmpty else { return }
        func check(_ start: Int64, _ length: UInt64, _ what: @autoclosure () -> String) throws(BMFFHashError) {
            guard length > 0, start >= 0 else { return }
            let end = length >= UInt64(Int64.max - start) ? Int64.max : start + Int64(length)
            var lo = 0, hi = unsigned.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if unsigned[mid].upperBound <= start { lo = mid + 1 } else { hi = mid }
            }
            if lo < unsigned.count, unsigned[lo].lowerBound < end {
                throw .mismatch("\(what()) lies in bytes \(unsigned[lo].lowerBound)..<\(unsigned[lo].upperBound), which the BMFF hash excludes: whoever edits the file could change it")
            }
        }
        let trakPath = ["moov", "trak"].map { BMFFXPath.typeCode($0) }
        for (t, trak) in (paths[trakPath] ?? []).enumerated() {
            guard let stbl = child(trak, "mdia").flatMap({ child($0, "minf") }).flatMap({ child($0, "stbl") }) else { continue }
            try checkChunks(stbl) { (offset, length, chunk) throws(BMFFHashError) in
                try check(offset, length, "chunk \(chunk) of track \(t + 1)")
            }
        }
        for (index, node) in nodes.enumerated() where node.type == "iloc" {
            try checkItemLocations(index) { (offset, length, item) throws(BMFFHashError) in
                try check(offset, length == 0 ? UInt64(reader.size - min(offset, reader.size)) : length, "item \(item)'s data")
            }
        }
    }

    func child(_ index: Int, _ type: String) -> Int? { nodes[index].children.first { nodes[$0].type == type } }

    /// Big-endian reads through a box's payload, 64 KiB at a time; `nil` past the box.
    struct PayloadCursor {
        let reader: FileReader
        let end: Int64
        var position: Int64
        var window: [UInt8] = []
        var windowStart: Int64 = 0

        init(_ reader: FileReader, _ range: Range<Int64>) {
            self.reader = reader
            self.end = range.upperBound
            self.position = range.lowerBound
        }

        mutating func uint(_ width: Int) throws(BMFFHashError) -> UInt64? {
            guard width >= 0, width <= 8, end - position >= Int64(width) else { return nil }
            if position < windowStart || position + Int64(width) > windowStart + Int64(window.count) {
                do {
                    window = try reader.read(at: position, count: Int(min(Int64(64 << 10), end - position)))
                } catch {
                    throw .mismatch("the asset could not be read: \(error)")
                }
                windowStart = position
            }
            var v: UInt64 = 0
            let at = Int(position - windowStart)
            for i in 0..<width { v = v << 8 | UInt64(window[at + i]) }
            position += Int64(width)
            return v
        }
    }

    /// Each chunk of a sample table: its file offset and byte length (0 when the tables stop short).
    func checkChunks(_ stbl: Int, _ body: (Int64, UInt64, Int) throws(BMFFHashError) -> Void) throws(BMFFHashError) {
        guard let offsets = child(stbl, "stco") ?? child(stbl, "co64") else { return }
        let offsetWidth = nodes[offsets].type == "stco" ? 4 : 8
        var chunkCursor = PayloadCursor(reader, (nodes[offsets].payloadStart + 4)..<nodes[offsets].range.upperBound)
        guard let chunkCount = try chunkCursor.uint(4) else { return }
        // stsc: runs of (first chunk, samples per chunk), read as the chunks advance.
        var stscCursor: PayloadCursor?
        var stscLeft: UInt64 = 0
        if let stsc = child(stbl, "stsc") {
            var c = PayloadCursor(reader, (nodes[stsc].payloadStart + 4)..<nodes[stsc].range.upperBound)
            stscLeft = try c.uint(4) ?? 0
            stscCursor = c
        }
        func nextRun() throws(BMFFHashError) -> (first: UInt64, perChunk: UInt64)? {
            guard stscLeft > 0, let first = try stscCursor?.uint(4), let per = try stscCursor?.uint(4), try stscCursor?.uint(4) != nil else { return nil }
            stscLeft -= 1
            return (first, per)
        }
        var current: (first: UInt64, perChunk: UInt64)?
        var upcoming = try nextRun()
        // Sample sizes: stsz (constant or a table) or stz2 (4, 8 or 16 bits each).
        var constant: UInt64?
        var sizeBits = 32
        var remainingSamples: UInt64 = 0
        var sizes: PayloadCursor?
        var nibble: UInt64?
        if let stsz = child(stbl, "stsz") {
            var c = PayloadCursor(reader, (nodes[stsz].payloadStart + 4)..<nodes[stsz].range.upperBound)
            guard let size = try c.uint(4), let count = try c.uint(4) else { return }
            remainingSamples = count
            if size != 0 { constant = size } else { sizes = c }
        } else if let stz2 = child(stbl, "stz2") {
            var c = PayloadCursor(reader, (nodes[stz2].payloadStart + 4)..<nodes[stz2].range.upperBound)
            guard let packed = try c.uint(4), let count = try c.uint(4) else { return }
            sizeBits = Int(packed & 0xFF)
            remainingSamples = count
            // Only 4, 8 and 16 are defined (14496-12, 8.7.3.3); for any other width only the chunk starts are checked.
            if [4, 8, 16].contains(sizeBits) { sizes = c }
        }
        var chunk: UInt64 = 0
        while chunk < chunkCount {
            chunk += 1
            guard let offset = try chunkCursor.uint(offsetWidth) else { return }
            while let next = upcoming, next.first <= chunk {
                current = next
                upcoming = try nextRun()
            }
            let perChunk = current.map { min($0.perChunk, remainingSamples) } ?? 0
            remainingSamples -= perChunk
            var length: UInt64 = 0
            if let constant {
                length = perChunk.multipliedReportingOverflow(by: constant).overflow ? UInt64.max : perChunk * constant
            } else if sizes != nil {
                for _ in 0..<perChunk {
                    let size: UInt64?
                    if sizeBits == 4 {
                        if let low = nibble {
                            size = low
                            nibble = nil
                        } else if let byte = try sizes!.uint(1) {
                            size = byte >> 4
                            nibble = byte & 0xF
                        } else {
                            size = nil
                        }
                    } else {
                        size = try sizes!.uint(sizeBits / 8)
                    }
                    guard let size else { break }
                    length = length.addingReportingOverflow(size).overflow ? UInt64.max : length + size
                }
            }
            guard offset <= UInt64(Int64.max) else { continue }
            // A chunk the tables give no length although the track has samples left (a run of zero samples per
            // chunk, which FFmpeg reads as one; sizes of a width Signet does not read) still starts where a player
            // reads: at least its first byte must be signed.
            if length == 0, remainingSamples > 0 || (current?.perChunk ?? 0) > 0 { length = 1 }
            try body(Int64(offset), length, Int(chunk))
        }
    }

    /// Each construction-method-0 extent of an `iloc` box that points into this file: offset, length (0 = to the
    /// end of the file), item ID. A box that does not parse is left alone (it is hashed, and a player fails on it too).
    func checkItemLocations(_ iloc: Int, _ body: (Int64, UInt64, UInt64) throws(BMFFHashError) -> Void) throws(BMFFHashError) {
        var c = PayloadCursor(reader, nodes[iloc].payloadStart..<nodes[iloc].range.upperBound)
        guard let versionFlags = try c.uint(4), let sizes1 = try c.uint(1), let sizes2 = try c.uint(1) else { return }
        let version = versionFlags >> 24
        guard version <= 2 else { return }
        let offsetSize = Int(sizes1 >> 4), lengthSize = Int(sizes1 & 0xF), baseSize = Int(sizes2 >> 4)
        let indexSize = version >= 1 ? Int(sizes2 & 0xF) : 0
        guard [offsetSize, lengthSize, baseSize, indexSize].allSatisfy({ [0, 4, 8].contains($0) }) else { return }
        guard let itemCount = try c.uint(version < 2 ? 2 : 4) else { return }
        for _ in 0..<itemCount {
            guard let item = try c.uint(version < 2 ? 2 : 4) else { return }
            var method: UInt64 = 0
            if version >= 1 {
                guard let m = try c.uint(2) else { return }
                method = m & 0xF
            }
            guard let dataReference = try c.uint(2), let base = try c.uint(baseSize), let extents = try c.uint(2) else { return }
            for _ in 0..<extents {
                if indexSize > 0 { guard try c.uint(indexSize) != nil else { return } }
                guard let offset = try c.uint(offsetSize), let length = try c.uint(lengthSize) else { return }
                guard method == 0, dataReference == 0 else { continue }
                let (start, overflow) = base.addingReportingOverflow(offset)
                guard !overflow, start <= UInt64(Int64.max) else { continue }
                try body(Int64(start), length, item)
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
            try hasher.checkMediaReferences(ex, coveredMdats: [])
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
                try hasher.checkMediaReferences(ex, coveredMdats: [])
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
