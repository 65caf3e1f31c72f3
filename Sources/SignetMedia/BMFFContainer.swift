/// The C2PA store in ISO BMFF files (MP4, MOV, M4A, HEIF/HEIC, AVIF).
///
/// ```
/// c2pa-uuid = Size:u32 'uuid' UserType:D8FEC3D6-1B0E-483C-9297-5828877EC481 Version:u8 Flags:u24
///             Purpose:'manifest' 00 MerkleOffset:u64 store          ; a top-level box right after 'ftyp'
/// ```
/// As c2pa-rs: the box goes right after `ftyp` (an existing one is removed first), and every absolute file offset
/// that moves is rewritten in place: `stco` and `co64` chunk offsets, `iloc` item offsets (construction method 0),
/// `tfhd` base data offsets, `tfra` moof offsets and `saio` offsets in a sample table. Box sizes never change,
/// so nothing else moves. An offset that would no longer fit its field (a 32-bit `stco` entry past 4 GiB) is an
/// error, not a silent wrap.
public enum BMFFContainer {
    static let manifestPurpose = "manifest"
    /// Most bytes of offset tables rewritten in one file (tables are held while the file is written).
    static let maxPatchBytes = 32 << 20

    struct Layout: Sendable {
        /// Where the store box goes: the end of `ftyp`.
        var insertion: Int64
        /// The boxes holding absolute offsets, with their paths.
        var offsetBoxes: [OffsetBox]
    }

    struct OffsetBox: Sendable {
        var box: BMFFBox
        var inSampleTable: Bool
    }

    static func scan(_ reader: FileReader, maxStoreSize: Int) throws(MediaError) -> AssetScan {
        let tree = try BMFF.boxes(reader)
        guard let first = tree.first, first.type == "ftyp" else {
            throw MediaError(.unsupportedFormat, "not an ISO BMFF file (it does not start with an ftyp box)")
        }
        let brandBytes = try reader.read(at: first.payloadStart, count: Int(min(first.range.upperBound - first.payloadStart, 4096)))
        var brands: [String] = []
        if brandBytes.count >= 4 { brands.append(String(decoding: brandBytes[0..<4], as: UTF8.self)) }
        var i = 8
        while i + 4 <= brandBytes.count {
            brands.append(String(decoding: brandBytes[i..<(i + 4)], as: UTF8.self))
            i += 4
        }
        let format = AssetFormat.bmffFormat(brands: brands) ?? .mp4
        var store: [UInt8]?
        var storeRange: Range<Int64>?
        var segments: [AssetSegment] = []
        var offsetBoxes: [OffsetBox] = []
        for box in tree {
            var isC2PA = false
            if box.type == "uuid", box.userType == BMFF.c2paUserType {
                let payload = box.payloadStart..<box.range.upperBound
                let head = try reader.readUpTo(at: payload.lowerBound, count: Int(min(payload.count, 64)))
                guard head.count >= 4 + manifestPurpose.utf8.count + 1, let nul = head[4...].firstIndex(of: 0) else {
                    throw MediaError(.corrupt, "the C2PA uuid box at offset \(box.range.lowerBound) is too short")
                }
                let purpose = String(decoding: head[4..<nul], as: UTF8.self)
                if purpose == manifestPurpose {
                    guard store == nil else {
                        throw MediaError(.multipleStores, "a second C2PA manifest uuid box at offset \(box.range.lowerBound)")
                    }
                    guard head[0] == 0 else {
                        throw MediaError(.corrupt, "the C2PA uuid box at offset \(box.range.lowerBound) has version \(head[0])")
                    }
                    let storeStart = payload.lowerBound + Int64(nul + 1) + 8
                    guard storeStart < payload.upperBound else {
                        throw MediaError(.corrupt, "the C2PA uuid box at offset \(box.range.lowerBound) holds no store")
                    }
                    let length = payload.upperBound - storeStart
                    guard length <= Int64(maxStoreSize) else {
                        throw MediaError(.storeTooLarge, "C2PA store of \(length) bytes exceeds the \(maxStoreSize)-byte limit")
                    }
                    let bytes = try reader.read(at: storeStart, count: Int(length))
                    guard StoreHeader.isC2PAStore(bytes[...]) else {
                        throw MediaError(.corrupt, "the C2PA uuid box at offset \(box.range.lowerBound) does not hold a C2PA manifest store")
                    }
                    store = bytes
                    storeRange = box.range
                    isC2PA = true
                }
            }
            try box.walk { b, path throws(MediaError) in
                if b.type == "uuid", b.userType == BMFF.c2paUserType, path.count > 1 {
                    throw MediaError(.corrupt, "a C2PA uuid box at offset \(b.range.lowerBound) is nested in '\(path.dropLast().joined(separator: "/"))'")
                }
            }
            offsetBoxes += try Self.offsetBoxes(in: box)
            segments.append(AssetSegment(name: box.type, marker: nil, range: box.range, isC2PA: isC2PA))
        }
        return AssetScan(
            format: format, fileSize: reader.size, manifestStore: store, storeRanges: storeRange.map { [$0] } ?? [],
            carrierRanges: storeRange.map { [$0] } ?? [], insertionOffset: first.range.upperBound, segments: segments,
            segmentsComplete: true, layout: .bmff(Layout(insertion: first.range.upperBound, offsetBoxes: offsetBoxes)))
    }

    static let headerSize = 8 + 16 + 4 + 9 + 8

    static func encodedSize(storeSize: Int) -> Int {
        max(storeSize, 0) > Int.max - headerSize ? Int.max : headerSize + max(storeSize, 0)
    }

    static func encode(_ store: [UInt8]) throws(MediaError) -> [UInt8] {
        guard store.count <= Int(UInt32.max) - headerSize else {
            throw MediaError(.storeTooLarge, "a uuid box cannot hold \(store.count) bytes")
        }
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + store.count)
        out.appendBE(UInt32(headerSize + store.count))
        out += Array("uuid".utf8) + BMFF.c2paUserType + [0, 0, 0, 0] + Array(manifestPurpose.utf8) + [0]
        out.appendBE(UInt64(0))
        out += store
        return out
    }

    static func plan(_ reader: FileReader, scan: AssetScan, layout: Layout, storeSize: Int?) throws(MediaError) -> EmbeddingPlan {
        let encoded = storeSize.map(encodedSize(storeSize:)) ?? 0
        guard encoded <= Int(UInt32.max) else {
            throw MediaError(.storeTooLarge, "a uuid box cannot hold a \(storeSize ?? 0)-byte manifest store")
        }
        return try splice(
            reader, removing: scan.carrierRanges, insertingAt: layout.insertion, offsetBoxes: layout.offsetBoxes,
            encodedSize: encoded)
    }

    /// Removes `removing`, inserts `encodedSize` bytes at `insertion`, and rewrites every absolute offset in
    /// `offsetBoxes` that moves.
    static func splice(
        _ reader: FileReader, removing: [Range<Int64>], insertingAt insertion: Int64, offsetBoxes: [OffsetBox], encodedSize encoded: Int
    ) throws(MediaError) -> EmbeddingPlan {
        let removed = mergeAdjacent(removing)
        let move = OffsetMap(removed: removed, insertion: insertion, inserted: Int64(encoded))
        var patches: [(Int64, [UInt8])] = []
        var patchBytes = 0
        for site in offsetBoxes where !removed.contains(where: { $0.overlaps(site.box.range) }) {
            let box = site.box
            guard box.range.count <= Int64(maxPatchBytes - patchBytes) else {
                throw MediaError(.unsupportedFormat, "the file's offset tables exceed \(maxPatchBytes >> 20) MiB")
            }
            var bytes = try reader.read(at: box.range.lowerBound, count: Int(box.range.count))
            let changed = try rewrite(&bytes, box: box, inSampleTable: site.inSampleTable, move: move)
            if changed {
                patches.append((box.range.lowerBound, bytes))
                patchBytes += bytes.count
            }
        }
        return .splice(
            fileSize: reader.size, removing: removed, insertingAt: insertion, patches: patches,
            encodedStoreSize: encoded, excludedInStore: 0..<encoded)
    }

    /// The boxes of `box`'s tree that hold absolute file offsets.
    static func offsetBoxes(in box: BMFFBox) throws(MediaError) -> [OffsetBox] {
        var found: [OffsetBox] = []
        try box.walk { b, path throws(MediaError) in
            switch b.type {
            case "stco", "co64", "iloc", "tfhd", "tfra":
                found.append(OffsetBox(box: b, inSampleTable: false))
            case "saio":
                found.append(OffsetBox(box: b, inSampleTable: path.dropLast().last == "stbl"))
            default: break
            }
        }
        return found
    }

    // MARK: - Fragment files (DASH segments)

    static let merklePurpose = "merkle"
    /// Bytes of a `merkle` box before its CBOR: size, type, user type, version and flags, "merkle\0".
    public static let merkleBoxHeaderSize = 8 + 16 + 4 + 7

    /// A C2PA `uuid` box of purpose `merkle` (C2PA 2.2, A.5.4.2): the CBOR of a bmff-merkle-map, zero-padded to
    /// `size` bytes so every fragment's box has the same size.
    public static func merkleBox(cbor: [UInt8], size: Int) throws(MediaError) -> [UInt8] {
        guard merkleBoxHeaderSize + cbor.count <= size, size <= Int(UInt32.max) else {
            throw MediaError(.invalidArgument, "a merkle box of \(size) bytes cannot hold \(cbor.count) bytes of CBOR")
        }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        out.appendBE(UInt32(size))
        out += Array("uuid".utf8) + BMFF.c2paUserType + [0, 0, 0, 0] + Array(merklePurpose.utf8) + [0] + cbor
        out += [UInt8](repeating: 0, count: size - out.count)
        return out
    }

    /// The plan that puts a box of `boxSize` bytes right before the only `moof` of a fragment file (an `.m4s`
    /// segment: `styp`/`sidx`/`prft` boxes, one `moof`, one `mdat`), removing any C2PA `merkle` box it has, with
    /// the fragment's absolute offsets (`tfhd` base data offsets) rewritten.
    ///
    /// - Throws: ``MediaError/Code/unsupportedFormat`` unless the file has exactly one `moof` and at most one
    ///   `mdat`; box tree errors.
    public static func fragmentPlan(_ reader: FileReader, boxSize: Int) throws(MediaError) -> EmbeddingPlan {
        let tree = try BMFF.boxes(reader)
        let moofs = tree.filter { $0.type == "moof" }
        guard moofs.count == 1, tree.filter({ $0.type == "mdat" }).count <= 1 else {
            throw MediaError(.unsupportedFormat, "\(reader.path): a fragment file must hold one moof and at most one mdat (it has \(moofs.count) moof boxes)")
        }
        var removed: [Range<Int64>] = []
        var sites: [OffsetBox] = []
        for box in tree {
            if box.type == "uuid", box.userType == BMFF.c2paUserType {
                let head = try reader.readUpTo(at: box.payloadStart, count: 4 + merklePurpose.utf8.count + 1)
                if head.count == 4 + merklePurpose.utf8.count + 1, Array(head[4...]) == Array(merklePurpose.utf8) + [0] {
                    removed.append(box.range)
                    continue
                }
                throw MediaError(.unsupportedFormat, "\(reader.path): a fragment file holds a C2PA manifest box")
            }
            sites += try offsetBoxes(in: box)
        }
        return try splice(reader, removing: removed, insertingAt: moofs[0].range.lowerBound, offsetBoxes: sites, encodedSize: boxSize)
    }

    /// Where an input offset lands in the output.
    struct OffsetMap {
        var removed: [Range<Int64>]
        var insertion: Int64
        var inserted: Int64

        var isIdentity: Bool { removed.isEmpty && inserted == 0 }

        func map(_ x: Int64, what: String) throws(MediaError) -> Int64 {
            var shift: Int64 = 0
            for r in removed {
                if r.contains(x) { throw MediaError(.corrupt, "\(what) \(x) points into the old manifest store") }
                if r.upperBound <= x { shift -= Int64(r.count) }
            }
            if x >= insertion { shift += inserted }
            return x + shift
        }
    }

    /// Rewrites the absolute offsets in one box's bytes; returns whether anything changed.
    static func rewrite(_ b: inout [UInt8], box: BMFFBox, inSampleTable: Bool, move: OffsetMap) throws(MediaError) -> Bool {
        if move.isIdentity { return false }
        var cursor = Cursor(bytes: b, position: box.headerSize, what: box.type, at: box.range.lowerBound)
        let version = try cursor.u8()
        let flags = try cursor.uint(3)
        var changed = false
        func patch(_ offset: Int, width: Int, base: Int64 = 0) throws(MediaError) {
            guard width > 0 else { return }
            let old = try Cursor.read(b, at: offset, width: width, what: box.type)
            guard old <= UInt64(Int64.max) - UInt64(max(base, 0)) else { throw MediaError(.corrupt, "\(box.type) offset out of range") }
            let new = try move.map(Int64(old) + base, what: "a \(box.type) offset") - base
            guard new >= 0, width == 8 || new < Int64(1) << (8 * width) else {
                throw MediaError(.unsupportedFormat, "a \(width * 8)-bit \(box.type) offset would overflow after inserting the manifest store")
            }
            if UInt64(new) != old {
                for i in 0..<width { b[offset + i] = UInt8(truncatingIfNeeded: UInt64(new) >> (8 * (width - 1 - i))) }
                changed = true
            }
        }
        switch box.type {
        case "stco", "co64":
            let width = box.type == "stco" ? 4 : 8
            let count = Int(try cursor.uint(4))
            guard count <= (b.count - cursor.position) / width else { throw cursor.corrupt("entry count \(count) exceeds the box") }
            for i in 0..<count { try patch(cursor.position + i * width, width: width) }
        case "tfhd":
            _ = try cursor.uint(4)  // track_ID
            if flags & 0x01 != 0 { try patch(cursor.position, width: 8) }
        case "tfra":
            _ = try cursor.uint(4)
            let sizes = try cursor.uint(4)
            let count = Int(try cursor.uint(4))
            let timeWidth = version == 1 ? 8 : 4
            let entry = 2 * timeWidth + Int(sizes >> 4 & 3) + Int(sizes >> 2 & 3) + Int(sizes & 3) + 3
            guard count <= (b.count - cursor.position) / entry else { throw cursor.corrupt("entry count \(count) exceeds the box") }
            for i in 0..<count { try patch(cursor.position + i * entry + timeWidth, width: timeWidth) }
        case "saio":
            // In a track fragment, offsets are relative to the fragment's base; only a sample table's are absolute.
            guard inSampleTable else { return false }
            if flags & 0x01 != 0 { _ = try cursor.uint(8) }
            let count = Int(try cursor.uint(4))
            let width = version == 0 ? 4 : 8
            guard count <= (b.count - cursor.position) / width else { throw cursor.corrupt("entry count \(count) exceeds the box") }
            for i in 0..<count { try patch(cursor.position + i * width, width: width) }
        case "iloc":
            guard version <= 2 else { throw cursor.corrupt("version \(version)") }
            let sizes = try cursor.uint(2)
            let offsetSize = Int(sizes >> 12 & 0xF), lengthSize = Int(sizes >> 8 & 0xF)
            let baseOffsetSize = Int(sizes >> 4 & 0xF), indexSize = version >= 1 ? Int(sizes & 0xF) : 0
            for s in [offsetSize, lengthSize, baseOffsetSize, indexSize] where ![0, 4, 8].contains(s) {
                throw cursor.corrupt("field size \(s)")
            }
            let items = Int(try cursor.uint(version < 2 ? 2 : 4))
            for _ in 0..<items {
                _ = try cursor.uint(version < 2 ? 2 : 4)  // item_ID
                var method: UInt64 = 0
                if version >= 1 { method = try cursor.uint(2) & 0xF }
                _ = try cursor.uint(2)  // data_reference_index
                let baseAt = cursor.position
                let base = try cursor.uint(baseOffsetSize)
                let extents = Int(try cursor.uint(2))
                var first = true
                for _ in 0..<extents {
                    _ = try cursor.uint(indexSize)
                    let extentAt = cursor.position
                    let extentOffset = try cursor.uint(offsetSize)
                    _ = try cursor.uint(lengthSize)
                    guard method == 0 else { continue }
                    if baseOffsetSize == 0 {
                        try patch(extentAt, width: offsetSize)
                    } else if first {
                        // The base moves with the item's first extent; later extents keep their relative offsets.
                        guard extentOffset <= UInt64(Int64.max) else { throw cursor.corrupt("extent offset") }
                        try patch(baseAt, width: baseOffsetSize, base: Int64(extentOffset))
                    }
                    first = false
                }
                if extents == 0, method == 0, baseOffsetSize > 0, base > 0 { try patch(baseAt, width: baseOffsetSize) }
            }
        default:
            return false
        }
        return changed
    }

    /// Big-endian reads within one box, every read bounds-checked.
    struct Cursor {
        let bytes: [UInt8]
        var position: Int
        let what: String
        let at: Int64

        func corrupt(_ detail: String) -> MediaError {
            MediaError(.corrupt, "ISO BMFF \(what) box at offset \(at): \(detail)")
        }

        mutating func u8() throws(MediaError) -> UInt8 { UInt8(try uint(1)) }

        mutating func uint(_ width: Int) throws(MediaError) -> UInt64 {
            let v = try Cursor.read(bytes, at: position, width: width, what: what)
            position += width
            return v
        }

        static func read(_ bytes: [UInt8], at offset: Int, width: Int, what: String) throws(MediaError) -> UInt64 {
            guard width >= 0, width <= 8, offset >= 0, offset <= bytes.count - width else {
                throw MediaError(.corrupt, "ISO BMFF \(what) box is shorter than its fields")
            }
            var v: UInt64 = 0
            for i in 0..<width { v = v << 8 | UInt64(bytes[offset + i]) }
            return v
        }
    }
}
