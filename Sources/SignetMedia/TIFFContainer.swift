/// TIFF (classic and BigTIFF, either byte order) and DNG, and the C2PA IFD entry.
///
/// ```
/// file     = header *(anything referenced by offsets)
/// header   = ('II' | 'MM') 42:u16 ifd0:u32                      ; classic
///          | ('II' | 'MM') 43:u16 8:u16 0:u16 ifd0:u64          ; BigTIFF
/// ifd      = n:u16 n*entry next:u32                             ; classic, entry = 12 bytes
///          | n:u64 n*entry next:u64                             ; BigTIFF, entry = 20 bytes
/// entry    = tag:u16 type:u16 count:u32|u64 value-or-offset:4|8 bytes
/// pages    = the chain ifd0 -> next -> ... -> 0
/// C2PA     = entry tag 0xCD41 type 7 (UNDEFINED), the store's bytes at its offset
/// ```
///
/// Reading, as c2pa-rs: the C2PA entry is looked for in the last page's IFD, then in the first page's. A full
/// scan refuses a C2PA entry in any other page, a second one anywhere in the chain, a type other than UNDEFINED,
/// and a store that does not lie inside the file.
///
/// Writing, in c2pa-rs's shapes, appended after the input (which is never moved, so strips, tiles and a DNG's raw
/// data keep their bytes and offsets): the store, then (on an even offset) either a copy of the only page's IFD
/// with the C2PA entry added, which the header then points to (a single-page file), or an IFD holding only the
/// C2PA entry that the last page's IFD then points to (a multi-page file). A store Signet or c2pa-rs appended
/// this way (store and its IFD are the file's tail) is cut off when the file is signed again or the store is
/// removed; a store elsewhere is left as unreferenced bytes, and the page that named it is copied without its
/// entry. The data hash excludes only the store's bytes: the entry's count is known before hashing, so unlike
/// c2pa-rs (which also excludes the count field) nothing else is left unsigned.
///
/// Everything that decides how the pixels are read (the header, every page and SubIFD table, the strip and tile
/// offset and byte-count arrays) is reported as ``AssetScan/protectedRanges``: a data hash exclusion reaching into
/// it is refused by the verifier (C2PA 2.2, 15.12.1), except the C2PA entry's own count field, which c2pa-rs
/// excludes and which cannot change without the store's exclusion no longer matching.
enum TIFFContainer {
    static let c2paTag: UInt16 = 0xCD41
    static let undefinedType: UInt16 = 7
    static let subIFDsTag: UInt16 = 0x014A
    static let dngVersionTag: UInt16 = 0xC612
    /// Pages (IFDs in the chain) beyond this are refused, as c2pa-rs refuses more than 2,000.
    static let maxPages = 2000
    /// SubIFDs read (for protection only) beyond this are refused, as c2pa-rs refuses more than 1,000.
    static let maxSubIFDs = 1000
    /// Entries in one IFD (classic TIFF cannot have more; a BigTIFF declaring more is refused).
    static let maxEntriesPerIFD = 65_535
    /// Entries read in all IFDs together: a bound on the scan's time and memory (24 bytes each).
    static let maxTotalEntries = 1_000_000

    struct Entry: Sendable, Equatable {
        var tag: UInt16
        var type: UInt16
        var count: UInt64
        /// The value field as stored (4 or 8 bytes, file byte order), byte k in bits 8k..<8k+8.
        var packed: UInt64

        init(tag: UInt16, type: UInt16, count: UInt64, raw: some Collection<UInt8>) {
            self.tag = tag
            self.type = type
            self.count = count
            packed = raw.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }

        /// The value field's bytes as stored.
        func raw(_ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: packed >> (8 * UInt64($0))) } }
    }

    struct IFD: Sendable {
        var offset: Int64
        var entries: [Entry]
        /// The next-IFD pointer's value (0 for the last page).
        var next: UInt64
        /// The range of the whole table: count, entries, next pointer.
        var range: Range<Int64>
    }

    struct Layout: Sendable {
        var littleEndian: Bool
        var big: Bool
        /// The page IFDs in chain order.
        var pages: [IFD]
        /// Which page holds the C2PA entry, and its index there.
        var carrier: (page: Int, entry: Int)?
        /// Where the store and the IFD naming it are the file's last bytes (with at most one zero pad byte
        /// between them), the offset where that tail starts; `nil` when they are not, or there is no store.
        var tailStart: Int64?
    }

    // MARK: - Reading

    static func scan(_ reader: FileReader, maxStoreSize: Int) throws(MediaError) -> AssetScan {
        let size = reader.size
        var input = WindowedReader(reader)
        guard let head = try input.bytes(at: 0, count: 8) else { throw MediaError(.truncated, "file too short for a TIFF header") }
        let order = Array(head.prefix(2))
        let little: Bool
        switch order {
        case [0x49, 0x49]: little = true
        case [0x4D, 0x4D]: little = false
        default: throw MediaError(.unsupportedFormat, "not a TIFF file (byte order mark is neither II nor MM)")
        }
        let codec = ByteCodec(little: little)
        let magic = codec.u16(head, 2)
        let big: Bool
        let firstOffset: UInt64
        let headerSize: Int64
        switch magic {
        case 42:
            big = false
            firstOffset = UInt64(codec.u32(head, 4))
            headerSize = 8
        case 43:
            guard let bigHead = try input.bytes(at: 0, count: 16) else {
                throw MediaError(.truncated, "file too short for a BigTIFF header")
            }
            guard codec.u16(bigHead, 4) == 8, codec.u16(bigHead, 6) == 0 else {
                throw MediaError(.corrupt, "BigTIFF header with an offset size other than 8")
            }
            big = true
            firstOffset = codec.u64(bigHead, 8)
            headerSize = 16
        default:
            throw MediaError(.unsupportedFormat, "not a TIFF file (magic \(magic), neither 42 nor 43)")
        }
        let shape = Shape(big: big)
        var totalEntries = 0
        var pages: [IFD] = []
        var visited = Set<UInt64>()
        var next = firstOffset
        guard next != 0 else { throw MediaError(.corrupt, "the TIFF header names no first IFD") }
        while next != 0 {
            guard visited.insert(next).inserted else {
                throw MediaError(.corrupt, "the TIFF IFD chain loops back to offset \(next)")
            }
            guard pages.count < maxPages else { throw MediaError(.corrupt, "more than \(maxPages) TIFF pages") }
            let ifd = try readIFD(&input, at: next, headerSize: headerSize, codec: codec, shape: shape, total: &totalEntries)
            pages.append(ifd)
            next = ifd.next
        }
        // IFDs sharing bytes are malformed (and would multiply the entries read): refused.
        let sortedTables = pages.map(\.range).sorted { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(sortedTables, sortedTables.dropFirst()) where a.overlaps(b) {
            throw MediaError(.corrupt, "the TIFF IFDs at offsets \(a.lowerBound) and \(b.lowerBound) overlap")
        }

        // Everything that decides how pixels are read.
        var protected: [Range<Int64>] = [0..<headerSize]
        // SubIFD tables and strip and tile arrays: what the file points at besides its pages.
        var pointedAt: [Range<Int64>] = []
        var subIFDCount = 0
        for page in pages {
            protected.append(page.range)
            for entry in page.entries {
                switch entry.tag {
                case 0x0111, 0x0117, 0x0144, 0x0145:  // StripOffsets, StripByteCounts, TileOffsets, TileByteCounts
                    if let r = try outOfLine(entry, codec: codec, shape: shape, size: size, what: "tag \(entry.tag)") { protected.append(r); pointedAt.append(r) }
                case subIFDsTag:
                    let offsets = try values(of: entry, &input, codec: codec, shape: shape, limit: maxSubIFDs - subIFDCount)
                    if let r = try outOfLine(entry, codec: codec, shape: shape, size: size, what: "SubIFDs") { protected.append(r); pointedAt.append(r) }
                    for offset in offsets where offset != 0 {
                        subIFDCount += 1
                        guard subIFDCount <= maxSubIFDs else { throw MediaError(.corrupt, "more than \(maxSubIFDs) TIFF SubIFDs") }
                        let sub = try readIFD(&input, at: offset, headerSize: headerSize, codec: codec, shape: shape, total: &totalEntries)
                        protected.append(sub.range)
                        pointedAt.append(sub.range)
                        for e in sub.entries where [0x0111, 0x0117, 0x0144, 0x0145].contains(e.tag) {
                            if let r = try outOfLine(e, codec: codec, shape: shape, size: size, what: "tag \(e.tag)") { protected.append(r); pointedAt.append(r) }
                        }
                    }
                default: break
                }
            }
        }

        // The C2PA entry: where c2pa-rs looks (last page, then first), and nowhere else.
        var carriers: [(page: Int, entry: Int)] = []
        for (p, page) in pages.enumerated() {
            for (i, e) in page.entries.enumerated() where e.tag == c2paTag { carriers.append((p, i)) }
        }
        guard carriers.count <= 1 else {
            throw MediaError(.multipleStores, "\(carriers.count) C2PA entries (tag 0xCD41) in the TIFF's IFDs")
        }
        var store: [UInt8]?
        var storeRange: Range<Int64>?
        var countField: Range<Int64>?
        var tailStart: Int64?
        let carrier = carriers.first
        if let carrier {
            guard carrier.page == pages.count - 1 || carrier.page == 0 else {
                throw MediaError(.corrupt, "a C2PA entry in TIFF page \(carrier.page + 1) of \(pages.count), where c2pa-rs does not look (only the last and the first page)")
            }
            let page = pages[carrier.page]
            let entry = page.entries[carrier.entry]
            guard entry.type == undefinedType else {
                throw MediaError(.corrupt, "the C2PA entry has TIFF type \(entry.type), not UNDEFINED (7)")
            }
            guard entry.count <= UInt64(maxStoreSize) else {
                throw MediaError(.storeTooLarge, "the C2PA entry names \(entry.count) bytes, more than \(maxStoreSize)")
            }
            guard entry.count > UInt64(shape.valueSize) else {
                throw MediaError(.corrupt, "the C2PA entry holds \(entry.count) bytes, too few for a manifest store")
            }
            let offset = codec.offset(entry.raw(shape.valueSize), big: big)
            guard offset <= UInt64(size), entry.count <= UInt64(size) - offset else {
                throw MediaError(.truncated, "the C2PA entry's \(entry.count) bytes at offset \(offset) run past the end of the \(size)-byte file")
            }
            let range = Int64(offset)..<(Int64(offset) + Int64(entry.count))
            for p in protected where p.overlaps(range) {
                throw MediaError(.corrupt, "the C2PA store at offset \(offset) overlaps the TIFF structure at \(p.lowerBound)")
            }
            store = try reader.read(at: range.lowerBound, count: range.count)
            storeRange = range
            let entryStart = page.offset + Int64(shape.countSize) + Int64(carrier.entry * shape.entrySize)
            countField = (entryStart + 4)..<(entryStart + 4 + Int64(shape.valueSize))
            // Everything else the file points at: it must lie before the tail for the tail to be cut off.
            var referenced = pointedAt
            for (p, other) in pages.enumerated() {
                if p != carrier.page { referenced.append(other.range) }
                for (i, e) in other.entries.enumerated() where !(p == carrier.page && i == carrier.entry) {
                    if let r = try? outOfLine(e, codec: codec, shape: shape, size: size, what: "tag \(e.tag)") { referenced.append(r) }
                }
            }
            tailStart = removableTail(page: page, store: range, size: size, referenced: referenced, input: &input)
        }
        // The C2PA entry's count field is c2pa-rs's second exclusion: carve it out of the protected structure.
        if let countField {
            protected = protected.flatMap { r -> [Range<Int64>] in
                guard r.overlaps(countField) else { return [r] }
                return [r.lowerBound..<countField.lowerBound, countField.upperBound..<r.upperBound].filter { !$0.isEmpty }
            }
        }
        let isDNG = pages.first?.entries.contains { $0.tag == dngVersionTag } ?? false
        let segments = makeSegments(pages: pages, headerSize: headerSize, store: storeRange, size: size)
        let ranges = storeRange.map { [$0] } ?? []
        var scan = AssetScan(
            format: isDNG ? .dng : .tiff, fileSize: size, manifestStore: store, storeRanges: ranges, carrierRanges: ranges,
            insertionOffset: size, segments: segments, segmentsComplete: true,
            layout: .tiff(Layout(littleEndian: little, big: big, pages: pages, carrier: carrier, tailStart: tailStart)))
        scan.protectedRanges = mergeAdjacent(protected)
        return scan
    }

    /// Sizes of the two TIFF variants' fields.
    struct Shape {
        var big: Bool
        var countSize: Int { big ? 8 : 2 }
        var entrySize: Int { big ? 20 : 12 }
        var valueSize: Int { big ? 8 : 4 }
        var nextSize: Int { big ? 8 : 4 }
        func tableSize(entries: Int) -> Int { countSize + entries * entrySize + nextSize }
    }

    private static func readIFD(
        _ input: inout WindowedReader, at offset: UInt64, headerSize: Int64, codec: ByteCodec, shape: Shape, total: inout Int
    ) throws(MediaError) -> IFD {
        let size = input.size
        guard offset >= UInt64(headerSize), offset < UInt64(size) else {
            throw MediaError(.corrupt, "a TIFF IFD offset (\(offset)) points outside the \(size)-byte file")
        }
        let start = Int64(offset)
        guard let countBytes = try input.bytes(at: start, count: shape.countSize) else {
            throw MediaError(.truncated, "the file ends inside the TIFF IFD at offset \(start)")
        }
        let declared = shape.big ? codec.u64(countBytes, 0) : UInt64(codec.u16(countBytes, 0))
        guard declared <= UInt64(maxEntriesPerIFD) else {
            throw MediaError(.corrupt, "the TIFF IFD at offset \(start) declares \(declared) entries, more than \(maxEntriesPerIFD)")
        }
        let n = Int(declared)
        total += n
        guard total <= maxTotalEntries else { throw MediaError(.corrupt, "more than \(maxTotalEntries) TIFF IFD entries") }
        let tableSize = shape.tableSize(entries: n)
        guard Int64(tableSize) <= size - start, let table = try input.bytes(at: start, count: tableSize) else {
            throw MediaError(.truncated, "the TIFF IFD at offset \(start) with \(n) entries runs past the end of the file")
        }
        let base = table.startIndex
        var entries: [Entry] = []
        entries.reserveCapacity(n)
        for i in 0..<n {
            let e = shape.countSize + i * shape.entrySize
            let tag = codec.u16(table, e)
            let type = codec.u16(table, e + 2)
            let count = shape.big ? codec.u64(table, e + 4) : UInt64(codec.u32(table, e + 4))
            let valueAt = base + e + 4 + shape.valueSize
            entries.append(Entry(tag: tag, type: type, count: count, raw: table[valueAt..<(valueAt + shape.valueSize)]))
        }
        let nextAt = shape.countSize + n * shape.entrySize
        let next = shape.big ? codec.u64(table, nextAt) : UInt64(codec.u32(table, nextAt))
        return IFD(offset: start, entries: entries, next: next, range: start..<(start + Int64(tableSize)))
    }

    /// Bytes per value of a TIFF field type, or `nil` for an unknown type.
    static func typeSize(_ type: UInt16) -> Int? {
        switch type {
        case 1, 2, 6, 7: return 1
        case 3, 8: return 2
        case 4, 9, 11, 13: return 4
        case 5, 10, 12, 16, 17, 18: return 8
        default: return nil
        }
    }

    /// The range of an entry's value when it does not fit in the entry, checked against the file; `nil` when it
    /// is stored inline.
    static func outOfLine(_ entry: Entry, codec: ByteCodec, shape: Shape, size: Int64, what: String) throws(MediaError) -> Range<Int64>? {
        guard let unit = typeSize(entry.type) else {
            throw MediaError(.corrupt, "TIFF \(what) has unknown type \(entry.type)")
        }
        let (bytes, overflow) = entry.count.multipliedReportingOverflow(by: UInt64(unit))
        guard !overflow, bytes <= UInt64(size) else {
            throw MediaError(.corrupt, "TIFF \(what) declares \(entry.count) values, more than the file holds")
        }
        guard bytes > UInt64(shape.valueSize) else { return nil }
        let offset = codec.offset(entry.raw(shape.valueSize), big: shape.big)
        guard offset <= UInt64(size), bytes <= UInt64(size) - offset else {
            throw MediaError(.truncated, "TIFF \(what)'s values at offset \(offset) run past the end of the file")
        }
        return Int64(offset)..<(Int64(offset) + Int64(bytes))
    }

    /// The unsigned integer values of an offset-list entry (SubIFDs), at most `limit`.
    private static func values(
        of entry: Entry, _ input: inout WindowedReader, codec: ByteCodec, shape: Shape, limit: Int
    ) throws(MediaError) -> [UInt64] {
        guard [4, 13, 16, 18].contains(entry.type), let unit = typeSize(entry.type) else {
            throw MediaError(.corrupt, "TIFF SubIFDs entry has type \(entry.type), not an offset type")
        }
        guard entry.count <= UInt64(max(limit, 0)) else { throw MediaError(.corrupt, "more than \(maxSubIFDs) TIFF SubIFDs") }
        let n = Int(entry.count)
        let bytes: ArraySlice<UInt8>
        if n * unit <= shape.valueSize {
            bytes = entry.raw(shape.valueSize)[...]
        } else {
            let offset = codec.offset(entry.raw(shape.valueSize), big: shape.big)
            guard offset < UInt64(input.size), let read = try input.bytes(at: Int64(offset), count: n * unit) else {
                throw MediaError(.truncated, "TIFF SubIFDs values at offset \(offset) run past the end of the file")
            }
            bytes = read
        }
        return (0..<n).map { unit == 4 ? UInt64(codec.u32(bytes, $0 * 4)) : codec.u64(bytes, $0 * 8) }
    }

    /// Where the store and the IFD that names it make up the file's tail, so that signing again or removing the
    /// store can cut them off; `nil` otherwise, and when anything else the file points at (another IFD, a SubIFD,
    /// a strip table, any entry's out-of-line value) reaches into that tail.
    private static func removableTail(
        page: IFD, store: Range<Int64>, size: Int64, referenced: [Range<Int64>], input: inout WindowedReader
    ) -> Int64? {
        let (first, second) = page.range.lowerBound < store.lowerBound ? (page.range, store) : (store, page.range)
        guard second.upperBound == size else { return nil }
        let gap = second.lowerBound - first.upperBound
        guard gap == 0 || (gap == 1 && (try? input.byte(at: first.upperBound)) == 0) else { return nil }
        let tail = first.lowerBound
        guard !referenced.contains(where: { $0.upperBound > tail }) else { return nil }
        return tail
    }

    private static func makeSegments(pages: [IFD], headerSize: Int64, store: Range<Int64>?, size: Int64) -> [AssetSegment] {
        var known: [AssetSegment] = [AssetSegment(name: "TIFFh", marker: nil, range: 0..<headerSize, isC2PA: false)]
        for (i, page) in pages.enumerated() {
            known.append(AssetSegment(name: "IFD\(i)", marker: nil, range: page.range, isC2PA: false))
        }
        if let store { known.append(AssetSegment(name: "C2PA", marker: nil, range: store, isC2PA: true)) }
        known.sort { $0.range.lowerBound < $1.range.lowerBound }
        var segments: [AssetSegment] = []
        var cursor: Int64 = 0
        for s in known where s.range.lowerBound >= cursor {
            if s.range.lowerBound > cursor { segments.append(AssetSegment(name: "DATA", marker: nil, range: cursor..<s.range.lowerBound, isC2PA: false)) }
            segments.append(s)
            cursor = s.range.upperBound
        }
        if cursor < size { segments.append(AssetSegment(name: "DATA", marker: nil, range: cursor..<size, isC2PA: false)) }
        return segments
    }

    // MARK: - Writing

    /// The output: the input (up to the removable tail, if any) with one pointer patched, then the store, a zero
    /// byte if needed to put the IFD on an even offset, and the IFD(s) described in the type's documentation.
    static func plan(scan: AssetScan, layout: Layout, storeSize: Int?) throws(MediaError) -> EmbeddingPlan {
        let codec = ByteCodec(little: layout.littleEndian)
        let shape = Shape(big: layout.big)
        var pages = layout.pages
        let kept = layout.tailStart ?? scan.fileSize
        // The pointer to each page: the header's, then each page's next field.
        func pointerLocation(toPage i: Int) -> Int64 {
            i == 0 ? 4 + (layout.big ? 4 : 0)
                : pages[i - 1].offset + Int64(shape.countSize + pages[i - 1].entries.count * shape.entrySize)
        }
        var patches: [(Int64, UInt64)] = []
        // IFDs to append: (entries, next, which pointer names it).
        var appended: [(entries: [Entry], next: UInt64, pointer: Int64)] = []
        var copyOf: Int?  // the page whose copy is appended (without any C2PA entry), if any
        if let carrier = layout.carrier {
            let page = pages[carrier.page]
            if page.entries.count == 1, carrier.page == pages.count - 1, pages.count > 1 {
                // An IFD holding only the C2PA entry: drop it from the chain.
                patches.append((pointerLocation(toPage: carrier.page), 0))
                pages.removeLast()
            } else {
                copyOf = carrier.page
            }
        }
        if storeSize != nil, copyOf == nil, pages.count == 1 { copyOf = 0 }
        if let c = copyOf {
            let others = pages[c].entries.filter { $0.tag != c2paTag }
            // The last page's copy ends the chain (its next pointer may have named a dropped C2PA-only IFD).
            appended.append((others, c == pages.count - 1 ? 0 : pages[c].next, pointerLocation(toPage: c)))
        }
        if storeSize != nil, copyOf == nil {
            appended.append(([], 0, pointerLocation(toPage: pages.count)))
        }
        // Offsets in the output.
        let storeStart = kept
        let storeBytes = Int64(storeSize ?? 0)
        let pad: Int64 = (storeStart + storeBytes) % 2
        var cursor = storeStart + storeBytes + pad
        var tables: [[UInt8]] = []
        let c2paIndex = storeSize == nil ? nil : appended.count - 1
        for (k, ifd) in appended.enumerated() {
            var entries = ifd.entries
            if k == c2paIndex, let storeSize {
                var raw = [UInt8](repeating: 0, count: shape.valueSize)
                codec.put(UInt64(storeStart), into: &raw, at: 0, width: shape.valueSize)
                let entry = Entry(tag: c2paTag, type: undefinedType, count: UInt64(storeSize), raw: raw)
                let at = entries.firstIndex { $0.tag > c2paTag } ?? entries.count
                entries.insert(entry, at: at)
            }
            guard entries.count <= maxEntriesPerIFD else { throw MediaError(.corrupt, "an IFD with \(entries.count) entries") }
            var table = [UInt8](repeating: 0, count: shape.tableSize(entries: entries.count))
            codec.put(UInt64(entries.count), into: &table, at: 0, width: shape.countSize)
            for (i, e) in entries.enumerated() {
                let at = shape.countSize + i * shape.entrySize
                codec.put(UInt64(e.tag), into: &table, at: at, width: 2)
                codec.put(UInt64(e.type), into: &table, at: at + 2, width: 2)
                codec.put(e.count, into: &table, at: at + 4, width: shape.valueSize)
                table.replaceSubrange((at + 4 + shape.valueSize)..<(at + shape.entrySize), with: e.raw(shape.valueSize))
            }
            codec.put(ifd.next, into: &table, at: table.count - shape.nextSize, width: shape.nextSize)
            patches.append((ifd.pointer, UInt64(cursor)))
            tables.append(table)
            cursor += Int64(table.count)
        }
        if !layout.big, cursor > Int64(UInt32.max) {
            throw MediaError(.storeTooLarge, "a classic TIFF cannot grow past 4 GiB (the output would be \(cursor) bytes); convert it to BigTIFF")
        }
        // Later patches of the same pointer win (the dropped C2PA-only IFD's pointer is then pointed at the new one).
        var byLocation: [Int64: UInt64] = [:]
        for (location, value) in patches { byLocation[location] = value }
        var pieces: [EmbeddingPlan.Piece] = []
        var position: Int64 = 0
        for location in byLocation.keys.sorted() {
            guard location >= position, location + Int64(shape.nextSize) <= kept else {
                throw MediaError(.corrupt, "a TIFF pointer at offset \(location) lies in the part being replaced")
            }
            var bytes = [UInt8](repeating: 0, count: shape.nextSize)
            codec.put(byLocation[location]!, into: &bytes, at: 0, width: shape.nextSize)
            pieces.append(.copy(position..<location))
            pieces.append(.bytes(bytes))
            position = location + Int64(shape.nextSize)
        }
        pieces.append(.copy(position..<kept))
        if storeSize != nil { pieces.append(.store) }
        if pad > 0 { pieces.append(.bytes([0])) }
        for table in tables { pieces.append(.bytes(table)) }
        let size = storeSize ?? 0
        return EmbeddingPlan(pieces: pieces, encodedStoreSize: size, excludedInStore: 0..<size)
    }
}

/// Reads and writes unsigned integers in one byte order.
struct ByteCodec {
    var little: Bool

    func u16(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt16 { UInt16(truncatingIfNeeded: read(b, i, 2)) }
    func u32(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: read(b, i, 4)) }
    func u64(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt64 { read(b, i, 8) }
    func u16(_ b: [UInt8], _ i: Int) -> UInt16 { u16(b[...], i) }

    /// An entry's value field read as an offset (4 bytes classic, 8 BigTIFF).
    func offset(_ raw: [UInt8], big: Bool) -> UInt64 { read(raw[...], 0, big ? 8 : 4) }

    private func read(_ b: ArraySlice<UInt8>, _ i: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        let base = b.startIndex + i
        for k in 0..<width {
            let byte = UInt64(b[base + (little ? width - 1 - k : k)])
            v = v << 8 | byte
        }
        return v
    }

    func put(_ value: UInt64, into b: inout [UInt8], at i: Int, width: Int) {
        for k in 0..<width {
            let shift = UInt64(8 * (little ? k : width - 1 - k))
            b[i + k] = UInt8(truncatingIfNeeded: value >> shift)
        }
    }
}
