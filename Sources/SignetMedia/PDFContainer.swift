/// PDF, read only: the document-level C2PA manifest stores (C2PA 2.2, A.4) and where they lie.
///
/// ```
/// file       = header body xref-section [update body xref-section]*     ; each update appended (incremental)
/// section    = 'xref' table 'trailer' dict | an xref stream (/Type /XRef), chained newest to oldest by /Prev
/// catalog    = trailer /Root -> << /AF [filespec ...] ... >>
/// filespec   = << /AFRelationship /C2PA_Manifest /EF << /F stream >> ... >>   ; the stream's data is the store
/// ```
///
/// Reading follows the cross-reference sections from `startxref` through `/Prev` (and a hybrid file's `/XRefStm`),
/// resolving objects in place or in object streams; nothing is rebuilt from a damaged file, and every count,
/// length, offset and nesting depth is checked (see the limits below). For every revision (the file as of each
/// section), the catalog's `/AF` array is searched for C2PA file specifications, as c2pa-rs does for the newest
/// one; each embedded stream belongs to the update section whose cross-reference entry defines it.
///
/// As C2PA 2.2 A.4.2.1 and 15.5.2.2 ask: the store of the newest section holding one is active; the stores of
/// earlier sections are read as part of one store with it (their manifests first, the active store's last
/// manifest last); two stores in one section are refused (``MediaError/Code/multipleStores``), where the spec
/// would drop that section's stores, so such a file never verifies. The data hash may exclude only the active
/// store's stream data: everything else in the file is reported as ``AssetScan/protectedRanges``.
///
/// Not read: encrypted PDFs, streams whose filters are not `FlateDecode`, object-level manifests (an `/AF` on
/// a page, image or font), and a header not at offset 0. Writing is not supported.
enum PDFContainer {
    /// Cross-reference sections (updates, counting a hybrid file's streams) followed before refusing.
    static let maxSections = 1000
    /// Cross-reference entries read in all sections together (about 50 bytes of memory each).
    static let maxEntries = 1_000_000
    /// Bytes inflated from cross-reference and object streams in one scan, and from any one of them.
    static let maxDecodedTotal = 256 << 20
    static let maxDecodedStream = 64 << 20
    /// How far `startxref` is looked for from the end of the file.
    static let trailerWindow = 2048
    /// An object must fit in this many bytes from its offset.
    static let maxObjectBytes = 8 << 20
    /// References followed from one value before refusing (a chain or a loop).
    static let maxIndirections = 32

    static let header: [UInt8] = Array("%PDF-".utf8)

    enum Location: Equatable {
        case free
        case offset(Int64)
        case compressed(stream: Int, index: Int)
    }

    struct Section {
        var offset: Int64
        var entries: [Int: Location]
        var trailer: [String: PDFObject]
        /// Where a cross-reference table's trailer dictionary ends (nil for a cross-reference stream, an object).
        var tableEnd: Int64? = nil
        /// A hybrid file's `/XRefStm` cross-reference stream, read as part of this section.
        var xrefStream: Int64? = nil
    }

    struct Store {
        var section: Int
        var data: Range<Int64>
        var bytes: [UInt8]
    }

    static func scan(_ reader: FileReader, maxStoreSize: Int) throws(MediaError) -> AssetScan {
        let file = PDFFile(reader: reader)
        let head = try reader.readUpTo(at: 0, count: header.count)
        guard head == header else { throw MediaError(.unsupportedFormat, "not a PDF: it does not start with %PDF-") }
        try file.readSections()
        if file.sections[0].trailer["Encrypt"] != nil {
            throw MediaError(.unsupportedFormat, "the PDF is encrypted; Signet does not read encrypted PDFs")
        }
        let stores = try file.c2paStores(maxStoreSize: maxStoreSize)
        let size = reader.size
        guard let active = stores.first else {
            return AssetScan(
                format: .pdf, fileSize: size, manifestStore: nil, storeRanges: [], carrierRanges: [], insertionOffset: 0,
                segments: [AssetSegment(name: "PDF", marker: nil, range: 0..<size, isC2PA: false)], segmentsComplete: true,
                layout: .readOnly)
        }
        var bySection: [Int: Int] = [:]
        for store in stores { bySection[store.section, default: 0] += 1 }
        if let (section, _) = bySection.first(where: { $0.value > 1 }) {
            let where_ = section == 0 ? "the newest update" : "update \(file.sections.count - 1 - section) of \(file.sections.count - 1)"
            throw MediaError(.multipleStores, "two C2PA manifest stores were added in one PDF update section (\(where_))")
        }
        let merged = try mergeStores(stores.reversed().map(\.bytes))
        let signatures = try file.signatureContents()
        let range = active.data
        let segments = [
            AssetSegment(name: "PDF", marker: nil, range: 0..<range.lowerBound, isC2PA: false),
            AssetSegment(name: "C2PA", marker: nil, range: range, isC2PA: true),
            AssetSegment(name: "PDF", marker: nil, range: range.upperBound..<size, isC2PA: false),
        ].filter { !$0.range.isEmpty }
        var scan = AssetScan(
            format: .pdf, fileSize: size, manifestStore: merged, storeRanges: [range], carrierRanges: [range],
            insertionOffset: 0, segments: segments, segmentsComplete: true, layout: .readOnly)
        // Everything but the store and the PDF signatures' /Contents hex strings.
        var protected: [Range<Int64>] = []
        var at: Int64 = 0
        for hole in mergeAdjacent([range] + signatures) {
            if hole.lowerBound > at { protected.append(at..<hole.lowerBound) }
            at = max(at, hole.upperBound)
        }
        if at < size { protected.append(at..<size) }
        scan.protectedRanges = protected
        return scan
    }

    /// One store from several (oldest first): the active (last) store's description box, every manifest of the
    /// earlier stores not repeated byte for byte, then the active store's manifests, its last one last.
    static func mergeStores(_ stores: [[UInt8]]) throws(MediaError) -> [UInt8] {
        guard stores.count > 1, let active = stores.last else { return stores.first ?? [] }
        var manifests: [[UInt8]] = []
        var seen: Set<[UInt8]> = []
        var description: [UInt8] = []
        for (i, store) in stores.enumerated() {
            let children = try superboxChildren(store)
            guard let first = children.first else { throw MediaError(.corrupt, "a C2PA manifest store in the PDF is empty") }
            if i == stores.count - 1 { description = first }
            for child in children.dropFirst() where seen.insert(child).inserted { manifests.append(child) }
        }
        let last = try superboxChildren(active).dropFirst().last
        if let last, let at = manifests.lastIndex(of: last) {
            manifests.remove(at: at)
            manifests.append(last)
        }
        let body = description + manifests.joined()
        let total = 8 + body.count
        guard total <= Int(UInt32.max) else { throw MediaError(.storeTooLarge, "the PDF's manifest stores together exceed 4 GiB") }
        return withUnsafeBytes(of: UInt32(total).bigEndian, Array.init) + StoreHeader.jumb + body
    }

    /// The boxes inside a JUMBF superbox (the description first).
    static func superboxChildren(_ bytes: [UInt8]) throws(MediaError) -> [[UInt8]] {
        let all = bytes[...]
        guard let header = StoreHeader.parse(all) else { throw MediaError(.corrupt, "a C2PA store in the PDF is not a JUMBF superbox") }
        let end = header.declaredLength.map { Int(clamping: $0) } ?? bytes.count
        guard end <= bytes.count else { throw MediaError(.corrupt, "a C2PA store in the PDF is shorter than its box says") }
        var children: [[UInt8]] = []
        var at = header.headerLength
        while at < end {
            guard let lbox = all.beU32(at: at) else { throw MediaError(.corrupt, "a C2PA store in the PDF ends inside a box header") }
            var length = Int(lbox)
            if lbox == 1 {
                guard let xl = all.beU64(at: at + 8), xl >= 16, xl <= UInt64(end - at) else { throw MediaError(.corrupt, "a box in a C2PA store in the PDF has a bad length") }
                length = Int(xl)
            } else if lbox == 0 {
                length = end - at
            }
            guard length >= 8, length <= end - at else { throw MediaError(.corrupt, "a box in a C2PA store in the PDF has a bad length") }
            children.append(Array(bytes[at..<(at + length)]))
            at += length
        }
        return children
    }
}

/// The parsed cross-reference sections of one PDF and the objects read through them.
final class PDFFile {
    /// Objects parsed from the file (not counting those served from the cache) before refusing, and the bytes
    /// read to parse them: bounds on the work a hostile file (a thousand revisions each naming a thousand
    /// specifications) can ask for.
    static let maxObjectParses = 100_000
    static let maxParseBytes: Int64 = 2 << 30

    let reader: FileReader
    /// Newest first.
    var sections: [PDFContainer.Section] = []
    var entryCount = 0
    var decodedTotal = 0
    var objectStreams: [Int64: (header: [(number: Int, offset: Int)], first: Int, data: [UInt8])] = [:]
    var parsed: [Int64: (object: PDFIndirect, number: Int)] = [:]
    var parses = 0
    var parseBytes: Int64 = 0
    /// Cross-reference sections consulted by lookups, at most ``maxLookupSteps`` (a lookup walks from a revision
    /// back to the section defining the object).
    var lookupSteps = 0
    static let maxLookupSteps = 20_000_000
    var sortedStarts: [Int64]?
    var extents: [Int64: Int64] = [:]
    var extentParses = 0
    static let maxExtentParses = 1_100_000

    init(reader: FileReader) { self.reader = reader }

    func corrupt(_ why: String) -> MediaError { MediaError(.corrupt, why) }

    // MARK: Cross-reference sections

    func readSections() throws(MediaError) {
        let size = reader.size
        let tailStart = max(0, size - Int64(PDFContainer.trailerWindow))
        let tail = try reader.readUpTo(at: tailStart, count: Int(size - tailStart))
        let keyword = Array("startxref".utf8)
        guard let at = tail.indices.reversed().first(where: { tail[$0...].starts(with: keyword) }) else {
            throw corrupt("no 'startxref' in the last \(PDFContainer.trailerWindow) bytes of the PDF")
        }
        var lexer = PDFLexer(Array(tail[(at + keyword.count)...]), base: tailStart + Int64(at + keyword.count), atEnd: true)
        guard let first = try? lexer.unsignedInt() else { throw corrupt("'startxref' is not followed by an offset") }
        var pending: [Int64] = [first]
        var seen: Set<Int64> = []
        while let offset = pending.popLast() {
            guard offset >= 0, offset < size else { throw corrupt("a cross-reference offset (\(offset)) lies outside the \(size)-byte file") }
            guard seen.insert(offset).inserted else { throw corrupt("the cross-reference sections loop back to offset \(offset)") }
            guard sections.count < PDFContainer.maxSections else {
                throw corrupt("more than \(PDFContainer.maxSections) cross-reference sections")
            }
            var section = try readSection(at: offset)
            // A hybrid file's /XRefStm adds the entries its table leaves out, in the same section.
            if let stm = section.trailer["XRefStm"]?.int {
                guard stm >= 0, stm < size, seen.insert(stm).inserted else { throw corrupt("/XRefStm (\(stm)) is outside the file or repeats a section") }
                let extra = try readSection(at: stm)
                section.xrefStream = stm
                for (number, location) in extra.entries where section.entries[number] == nil || section.entries[number] == .free {
                    section.entries[number] = location
                }
            }
            sections.append(section)
            if let prev = section.trailer["Prev"] {
                guard let p = prev.int else { throw corrupt("/Prev is not an integer") }
                pending.append(p)
            }
        }
    }

    func readSection(at offset: Int64) throws(MediaError) -> PDFContainer.Section {
        let probe = try reader.readUpTo(at: offset, count: 64)
        var lexer = PDFLexer(probe, base: offset, atEnd: true)
        if (try? lexer.take("xref")) == true {
            return try readTable(at: offset)
        }
        return try readXRefStream(at: offset)
    }

    func readTable(at offset: Int64) throws(MediaError) -> PDFContainer.Section {
        var entries: [Int: PDFContainer.Location] = [:]
        var at = offset + 4
        while true {
            let (window, lexer) = try lexerAt(at, count: 128)
            var l = lexer
            _ = window
            do {
                if try l.take("trailer") {
                    let (object, _) = try parse(at: l.absolute, number: nil, bare: true)
                    guard let trailer = object.object.dict else { throw corrupt("the trailer at offset \(l.absolute) is not a dictionary") }
                    return PDFContainer.Section(offset: offset, entries: entries, trailer: trailer, tableEnd: object.valueEnd)
                }
                guard let start = try l.unsignedInt(), let count = try l.unsignedInt() else {
                    throw corrupt("a cross-reference subsection header at offset \(l.absolute) is not 'start count'")
                }
                try l.skipWhite()
                at = l.absolute
                guard count <= Int64(PDFContainer.maxEntries - entryCount), start <= Int64(Int32.max) else {
                    throw corrupt("the cross-reference tables list more than \(PDFContainer.maxEntries) entries")
                }
                guard at + count * 20 <= reader.size else { throw corrupt("a cross-reference table runs past the end of the file") }
                entryCount += Int(count)
                var done: Int64 = 0
                while done < count {
                    let n = min(count - done, 50_000)
                    let rows = try reader.read(at: at + done * 20, count: Int(n * 20))
                    for r in 0..<Int(n) {
                        let row = rows[(r * 20)..<(r * 20 + 20)]
                        guard let location = Self.tableEntry(row) else {
                            throw corrupt("a cross-reference entry at offset \(at + (done + Int64(r)) * 20) is not 'nnnnnnnnnn ggggg n|f'")
                        }
                        let number = Int(start + done) + r
                        if entries[number] == nil { entries[number] = location }
                    }
                    done += n
                }
                at += count * 20
            } catch {
                throw Self.media(any: error)
            }
        }
    }

    static func tableEntry(_ row: ArraySlice<UInt8>) -> PDFContainer.Location? {
        let b = Array(row)
        guard b[10] == 0x20, b[16] == 0x20, b[0..<10].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            b[11..<16].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            PDFLexer.isWhite(b[18]), PDFLexer.isWhite(b[19])
        else { return nil }
        let offset = b[0..<10].reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
        switch b[17] {
        case 0x6E: return .offset(offset)
        case 0x66: return .free
        default: return nil
        }
    }

    func readXRefStream(at offset: Int64) throws(MediaError) -> PDFContainer.Section {
        let (indirect, _) = try parse(at: offset, number: nil, bare: false)
        guard let dict = indirect.object.dict, dict["Type"]?.name == "XRef", indirect.streamStart != nil else {
            throw corrupt("offset \(offset) holds neither a cross-reference table nor a cross-reference stream")
        }
        guard let w = dict["W"]?.array?.compactMap(\.int), w.count == 3, w.allSatisfy({ $0 >= 0 && $0 <= 8 }), w[1] > 0 else {
            throw corrupt("the cross-reference stream at offset \(offset) has a bad /W")
        }
        guard let size = dict["Size"]?.int, size >= 0, size <= Int64(Int32.max) else {
            throw corrupt("the cross-reference stream at offset \(offset) has a bad /Size")
        }
        var ranges: [(Int64, Int64)] = []
        if let index = dict["Index"] {
            guard let values = index.array?.compactMap(\.int), values.count % 2 == 0, values.count == index.array?.count else {
                throw corrupt("the cross-reference stream at offset \(offset) has a bad /Index")
            }
            for i in stride(from: 0, to: values.count, by: 2) { ranges.append((values[i], values[i + 1])) }
        } else {
            ranges = [(0, size)]
        }
        var rows: Int64 = 0
        for (start, count) in ranges {
            guard start >= 0, count >= 0, start <= Int64(Int32.max) else {
                throw corrupt("the cross-reference stream at offset \(offset) has a bad /Index")
            }
            rows += min(count, Int64(PDFContainer.maxEntries) + 1)
        }
        guard rows <= Int64(PDFContainer.maxEntries - entryCount) else {
            throw corrupt("the cross-reference sections list more than \(PDFContainer.maxEntries) entries")
        }
        entryCount += Int(rows)
        let width = Int(w[0] + w[1] + w[2])
        let data = try streamData(indirect, dict: dict, at: offset, limit: Int(rows) * width + Int(rows))
        guard data.count >= Int(rows) * width else {
            throw corrupt("the cross-reference stream at offset \(offset) holds \(data.count) bytes, less than its \(rows) entries need")
        }
        var entries: [Int: PDFContainer.Location] = [:]
        var row = 0
        for (start, count) in ranges {
            for k in 0..<Int(count) {
                let base = row * width
                func field(_ from: Int, _ length: Int) -> Int64 {
                    var v: Int64 = 0
                    for i in 0..<length { v = v << 8 | Int64(data[base + from + i]) }
                    return v
                }
                let type = w[0] == 0 ? 1 : field(0, Int(w[0]))
                let a = field(Int(w[0]), Int(w[1]))
                let b = field(Int(w[0] + w[1]), Int(w[2]))
                let number = Int(start) + k
                row += 1
                let location: PDFContainer.Location
                switch type {
                case 0: location = .free
                case 1: location = .offset(a)
                case 2:
                    guard a <= Int64(Int32.max), b <= Int64(Int32.max) else { throw corrupt("a compressed object's location is out of range") }
                    location = .compressed(stream: Int(a), index: Int(b))
                default: continue  // ISO 32000-1 7.5.8.3: unknown types are references to the null object.
                }
                if entries[number] == nil { entries[number] = location }
            }
        }
        return PDFContainer.Section(offset: offset, entries: entries, trailer: dict)
    }

    // MARK: Objects

    /// A parse step that mixes the lexer's and the file's errors, as one ``MediaError``.
    static func media(any error: any Error) -> MediaError {
        switch error {
        case let e as PDFSyntaxError: return media(e)
        case let e as MediaError: return e
        default: return MediaError(.corrupt, "\(error)")
        }
    }

    static func media(_ e: PDFSyntaxError) -> MediaError {
        switch e {
        case .needMore: return MediaError(.corrupt, "a PDF object is larger than \(PDFContainer.maxObjectBytes) bytes")
        case .corrupt(let why): return MediaError(.corrupt, why)
        }
    }

    func lexerAt(_ offset: Int64, count: Int) throws(MediaError) -> ([UInt8], PDFLexer) {
        let window = try reader.readUpTo(at: offset, count: count)
        return (window, PDFLexer(window, base: offset, atEnd: offset + Int64(window.count) >= reader.size))
    }

    /// Parses the indirect object at `offset` (or, `bare`, a direct object there), reading a larger window when
    /// the first does not hold it. Indirect objects are parsed once per offset.
    func parse(at offset: Int64, number: Int?, bare: Bool) throws(MediaError) -> (object: PDFIndirect, number: Int) {
        guard offset >= 0, offset < reader.size else { throw corrupt("an object offset (\(offset)) lies outside the \(reader.size)-byte file") }
        if !bare, let cached = parsed[offset] {
            if let number, cached.number != number {
                throw corrupt("the cross-reference table says object \(number) is at offset \(offset) but object \(cached.number) is there")
            }
            return cached
        }
        parses += 1
        guard parses <= Self.maxObjectParses else { throw corrupt("more than \(Self.maxObjectParses) PDF objects would have to be read") }
        for count in [1 << 12, 1 << 18, PDFContainer.maxObjectBytes] {
            let (window, lexer) = try lexerAt(offset, count: count)
            parseBytes += Int64(window.count)
            guard parseBytes <= Self.maxParseBytes else { throw corrupt("more than \(Self.maxParseBytes) bytes would have to be read to find the PDF's store") }
            var l = lexer
            do {
                if bare {
                    let value = try l.object()
                    return (PDFIndirect(object: value, streamStart: nil, valueEnd: l.absolute), 0)
                }
                let (n, object) = try l.indirect(number: number)
                // Only objects that fit the first window are kept: a cache of large ones would hold their values
                // many times over when their headers are nested in one another's bytes.
                if count == 1 << 12, parsed.count < 100_000 { parsed[offset] = (object, n) }
                return (object, n)
            } catch .needMore {
                if window.count < count { throw Self.media(.corrupt("the PDF ends inside an object at offset \(offset)")) }
                continue
            } catch {
                throw Self.media(error)
            }
        }
        throw Self.media(.needMore)
    }

    /// Where object `number` is defined as of revision `revision` (0 the newest), and in which section.
    func locate(_ number: Int, revision: Int) throws(MediaError) -> (PDFContainer.Location, section: Int)? {
        guard lookupSteps <= Self.maxLookupSteps else {
            throw corrupt("more than \(Self.maxLookupSteps) cross-reference lookups would be needed to find the PDF's stores")
        }
        for s in revision..<sections.count {
            lookupSteps += 1
            if let location = sections[s].entries[number] { return location == .free ? nil : (location, s) }
        }
        return nil
    }

    /// The object `number` as of `revision`, with the section defining it; `nil` for a missing or free object
    /// (which PDF reads as null).
    func object(_ number: Int, revision: Int) throws(MediaError) -> (PDFIndirect, section: Int)? {
        guard let (location, section) = try locate(number, revision: revision) else { return nil }
        switch location {
        case .free: return nil
        case .offset(let offset):
            return (try parse(at: offset, number: number, bare: false).object, section)
        case .compressed(let stream, let index):
            return (try compressedObject(number, stream: stream, index: index, revision: revision), section)
        }
    }

    func compressedObject(_ number: Int, stream: Int, index: Int, revision: Int) throws(MediaError) -> PDFIndirect {
        guard let (location, _) = try locate(stream, revision: revision), case .offset(let offset) = location else {
            throw corrupt("object \(number) is said to be in object stream \(stream), which is not a plain object")
        }
        if objectStreams[offset] == nil {
            let (indirect, _) = try parse(at: offset, number: stream, bare: false)
            guard let dict = indirect.object.dict, dict["Type"]?.name == "ObjStm", let n = dict["N"]?.int, let first = dict["First"]?.int,
                n >= 0, n <= 1_000_000, first >= 0
            else { throw corrupt("object \(stream) is not an object stream") }
            let data = try streamData(indirect, dict: dict, at: offset, limit: PDFContainer.maxDecodedStream)
            guard first <= Int64(data.count) else { throw corrupt("object stream \(stream)'s /First lies past its data") }
            var lexer = PDFLexer(Array(data[0..<Int(first)]), base: 0, atEnd: true)
            var header: [(number: Int, offset: Int)] = []
            do {
                for _ in 0..<n {
                    guard let num = try lexer.unsignedInt(), let off = try lexer.unsignedInt(), off < Int64(data.count) - first, num <= Int64(Int32.max) else {
                        throw corrupt("object stream \(stream)'s header is not \(n) pairs of numbers and offsets")
                    }
                    header.append((Int(num), Int(off)))
                }
            } catch {
                throw Self.media(any: error)
            }
            objectStreams[offset] = (header, Int(first), data)
        }
        guard let cached = objectStreams[offset], index >= 0, index < cached.header.count, cached.header[index].number == number else {
            throw corrupt("object \(number) is not at index \(index) of object stream \(stream)")
        }
        var lexer = PDFLexer(cached.data, base: 0, atEnd: true)
        lexer.pos = cached.first + cached.header[index].offset
        do {
            return PDFIndirect(object: try lexer.object(), streamStart: nil)
        } catch {
            throw Self.media(error)
        }
    }

    /// Follows references from `value` as of `revision` to a direct value (a stream's dictionary for a stream).
    func resolve(_ value: PDFObject?, revision: Int) throws(MediaError) -> PDFObject? {
        var current = value
        for _ in 0..<PDFContainer.maxIndirections {
            guard case .ref(let number, _) = current else { return current }
            current = try object(number, revision: revision)?.0.object
        }
        throw corrupt("more than \(PDFContainer.maxIndirections) references in a row")
    }

    /// The data range of the stream `indirect` (checked against its `endstream`).
    func streamRange(_ indirect: PDFIndirect, dict: [String: PDFObject], at offset: Int64, revision: Int = 0) throws(MediaError) -> Range<Int64> {
        guard let start = indirect.streamStart else { throw corrupt("object at offset \(offset) is not a stream") }
        guard let length = try resolve(dict["Length"], revision: revision)?.int, length >= 0, length <= reader.size - start else {
            throw corrupt("the stream at offset \(offset) has a missing or impossible /Length")
        }
        let end = start + length
        let after = try reader.readUpTo(at: end, count: 32)
        var i = 0
        while i < after.count, PDFLexer.isWhite(after[i]) { i += 1 }
        guard after[i...].starts(with: Array("endstream".utf8)) else {
            throw corrupt("the stream at offset \(offset) does not end with 'endstream' where its /Length says")
        }
        return start..<end
    }

    /// The decoded data of a stream: no filter, or `FlateDecode` (with a PNG predictor), at most `limit` bytes.
    func streamData(_ indirect: PDFIndirect, dict: [String: PDFObject], at offset: Int64, limit: Int, revision: Int = 0) throws(MediaError) -> [UInt8] {
        let range = try streamRange(indirect, dict: dict, at: offset, revision: revision)
        let filters: [PDFObject]
        switch try resolve(dict["Filter"], revision: revision) {
        case nil: filters = []
        case .name(let n)?: filters = [.name(n)]
        case .array(let a)?: filters = a
        default: throw corrupt("the stream at offset \(offset) has a bad /Filter")
        }
        guard filters.count <= 1 else { throw MediaError(.unsupportedFormat, "the stream at offset \(offset) has more than one filter") }
        if filters.isEmpty {
            guard range.count <= Int64(limit) else { throw MediaError(.storeTooLarge, "the stream at offset \(offset) holds \(range.count) bytes, more than \(limit)") }
            return try reader.read(at: range.lowerBound, count: Int(range.count))
        }
        guard let name = filters[0].name, name == "FlateDecode" || name == "Fl" else {
            throw MediaError(.unsupportedFormat, "the stream at offset \(offset) uses the filter \(filters[0].name ?? "?"), which Signet does not decode")
        }
        guard range.count <= Int64(PDFContainer.maxDecodedStream) else {
            throw MediaError(.storeTooLarge, "the compressed stream at offset \(offset) holds \(range.count) bytes, more than \(PDFContainer.maxDecodedStream)")
        }
        let allowance = min(limit, PDFContainer.maxDecodedStream, PDFContainer.maxDecodedTotal - decodedTotal)
        let raw = try reader.read(at: range.lowerBound, count: Int(range.count))
        var decoded: [UInt8]
        switch Inflate.zlib(raw, limit: allowance + 1) {
        case .complete(let out): decoded = out
        case .truncated(let out) where out.count > allowance:
            throw MediaError(.storeTooLarge, "the stream at offset \(offset) inflates to more than \(allowance) bytes")
        case .truncated: throw corrupt("the compressed stream at offset \(offset) ends early")
        case .failed(let why): throw corrupt("the compressed stream at offset \(offset) does not inflate: \(why)")
        }
        decodedTotal += decoded.count
        let parms: [String: PDFObject]?
        switch try resolve(dict["DecodeParms"], revision: revision) {
        case .dict(let d)?: parms = d
        case .array(let a)? where a.count == 1: parms = try resolve(a[0], revision: revision)?.dict
        default: parms = nil
        }
        if let parms, let predictor = parms["Predictor"]?.int, predictor > 1 {
            decoded = try Self.unpredict(decoded, predictor: predictor, parms: parms, at: offset)
        }
        return decoded
    }

    /// Undoes a PNG predictor (ISO 32000-1, 7.4.4.4) on rows of `/Columns` bytes (one colour, 8 bits).
    static func unpredict(_ data: [UInt8], predictor: Int64, parms: [String: PDFObject], at offset: Int64) throws(MediaError) -> [UInt8] {
        guard predictor >= 10, predictor <= 15, (parms["Colors"]?.int ?? 1) == 1, (parms["BitsPerComponent"]?.int ?? 8) == 8 else {
            throw MediaError(.unsupportedFormat, "the stream at offset \(offset) uses predictor \(predictor), which Signet does not undo")
        }
        let columns = parms["Columns"]?.int ?? 1
        guard columns >= 1, columns <= 1 << 16 else {
            throw MediaError(.corrupt, "the stream at offset \(offset) has a bad /Columns")
        }
        let width = Int(columns)
        let stride = width + 1
        var out: [UInt8] = []
        out.reserveCapacity(data.count / stride * width)
        var previous = [UInt8](repeating: 0, count: width)
        var row = [UInt8](repeating: 0, count: width)
        var at = 0
        while at + stride <= data.count {
            let type = data[at]
            for i in 0..<width {
                let x = data[at + 1 + i]
                let left = i > 0 ? row[i - 1] : 0
                let up = previous[i]
                let upLeft = i > 0 ? previous[i - 1] : 0
                switch type {
                case 0: row[i] = x
                case 1: row[i] = x &+ left
                case 2: row[i] = x &+ up
                case 3: row[i] = x &+ UInt8((Int(left) + Int(up)) / 2)
                case 4:
                    let p = Int(left) + Int(up) - Int(upLeft)
                    let pa = abs(p - Int(left)), pb = abs(p - Int(up)), pc = abs(p - Int(upLeft))
                    row[i] = x &+ (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft)
                default: throw MediaError(.corrupt, "the stream at offset \(offset) has PNG row filter \(type)")
                }
            }
            out += row
            swap(&previous, &row)
            at += stride
        }
        return out
    }

    // MARK: PDF signatures

    /// The keys a signature dictionary may have (ISO 32000-1 table 252, ISO 32000-2 table 255).
    static let signatureKeys: Set<String> = [
        "Type", "Filter", "SubFilter", "Contents", "Cert", "ByteRange", "Reference", "Changes", "Name", "M", "Location",
        "Reason", "ContactInfo", "R", "V", "Prop_Build", "Prop_AuthTime", "Prop_AuthType",
    ]

    /// The keys the C2PA store's embedded file stream may have (ISO 32000-1 tables 5 and 45; c2pa-rs's own PDF
    /// writer adds `/F`): nothing that would also make it an image, a form or a font.
    static let embeddedFileKeys: Set<String> = ["Type", "Subtype", "Length", "Params", "DL", "F", "FFilter", "FDecodeParms", "DecodeParms"]

    /// The `/Contents` hex strings of the PDF signatures the newest catalog's form names (fields with `/FT /Sig`
    /// and a signature dictionary `/V` whose `/ByteRange` leaves out exactly that string): C2PA 2.2 A.4.2.2 lets
    /// a data hash exclude them, since a PDF signature is written after the C2PA one. The string must be hex, so
    /// whatever fills it later cannot be read as anything but hex digits.
    func signatureContents() throws(MediaError) -> [Range<Int64>] {
        guard let catalog = try catalog(revision: 0),
            let form = try resolve(catalog["AcroForm"], revision: 0)?.dict,
            let fields = try resolve(form["Fields"], revision: 0)?.array
        else { return [] }
        var found: [Range<Int64>] = []
        var checked: Set<Int> = []
        var pending: [(PDFObject, depth: Int)] = fields.map { ($0, 0) }
        var visited = 0
        while let (item, depth) = pending.popLast() {
            visited += 1
            guard visited <= 10_000, depth <= 32 else { throw corrupt("the PDF's form has more than 10,000 fields or nests them deeper than 32") }
            guard let field = try resolve(item, revision: 0)?.dict else { continue }
            if let kids = try resolve(field["Kids"], revision: 0)?.array {
                guard depth < 32, visited + pending.count + kids.count <= 10_000 else {
                    throw corrupt("the PDF's form has more than 10,000 fields or nests them deeper than 32")
                }
                pending += kids.map { ($0, depth + 1) }
            }
            guard try resolve(field["FT"], revision: 0)?.name == "Sig", case .ref(let number, _)? = field["V"],
                checked.insert(number).inserted, case .offset(let offset)? = try locate(number, revision: 0)?.0
            else { continue }
            let (signature, _) = try parse(at: offset, number: number, bare: false)
            // Only a signature dictionary's keys (ISO 32000-1, table 252): one that is also an annotation, a
            // font or an action (a /Subtype, /Rect, /S ...) would show its excluded /Contents as something else.
            guard let dict = signature.object.dict, dict.keys.allSatisfy(Self.signatureKeys.contains),
                dict["Type"] == nil || dict["Type"]?.name == "Sig" || dict["Type"]?.name == "DocTimeStamp",
                let contents = signature.contentsValue, case .string? = dict["Contents"],
                let byteRange = dict["ByteRange"]?.array?.compactMap(\.int), byteRange.count == 4,
                byteRange[0] + byteRange[1] == contents.lowerBound, byteRange[2] == contents.upperBound
            else { continue }
            let first = try reader.readUpTo(at: contents.lowerBound, count: 1)
            guard first == [0x3C], try isolated(contents, within: offset) else { continue }
            found.append(contents)
        }
        return found
    }

    /// Whether `range`, inside the object at `owner`, lies in no other object or cross-reference section of any
    /// revision: what is excluded there may change, so nothing else may read it (an image whose data was laid
    /// over a signature's hex string would change with it). Every object that starts before the range is parsed
    /// for its extent; past the parse budget the answer is no, so the range stays protected.
    func isolated(_ range: Range<Int64>, within owner: Int64) throws(MediaError) -> Bool {
        for section in sections {
            if let end = section.tableEnd, section.offset < range.upperBound && end > range.lowerBound { return false }
        }
        let starts = objectStarts()
        // Every object that starts before the range's end (all of them, in order, up to it).
        var i = 0
        while i < starts.count, starts[i] < range.upperBound {
            let start = starts[i]
            i += 1
            if start == owner { continue }
            if start >= range.lowerBound { return false }
            guard let end = try? extent(at: start), end <= range.lowerBound else { return false }
        }
        // The owner itself must hold the range.
        return (try? extent(at: owner)).map { $0 >= range.upperBound } ?? false
    }

    /// The sorted offsets of every object any revision lists, of every cross-reference stream and of every
    /// hybrid file's `/XRefStm` stream (computed once).
    func objectStarts() -> [Int64] {
        if let sortedStarts { return sortedStarts }
        var starts: Set<Int64> = []
        for section in sections {
            if section.tableEnd == nil { starts.insert(section.offset) }
            if let stm = section.xrefStream { starts.insert(stm) }
            for case .offset(let o) in section.entries.values { starts.insert(o) }
        }
        let sorted = starts.sorted()
        sortedStarts = sorted
        return sorted
    }

    /// Where the object at `offset` ends: after `endstream` for a stream, else after its value. Computed once
    /// per offset, each with a small first window (most objects are short), within the parse budget.
    func extent(at offset: Int64) throws(MediaError) -> Int64 {
        if let known = extents[offset] { return known }
        extentParses += 1
        guard extentParses <= Self.maxExtentParses else { throw corrupt("more than \(Self.maxExtentParses) objects would have to be measured") }
        var found: PDFIndirect?
        for count in [1 << 9, 1 << 13, 1 << 18, PDFContainer.maxObjectBytes] {
            let (window, lexer) = try lexerAt(offset, count: count)
            parseBytes += Int64(window.count)
            guard parseBytes <= Self.maxParseBytes else { throw corrupt("more than \(Self.maxParseBytes) bytes would have to be read to check the PDF's exclusions") }
            var l = lexer
            do {
                found = try l.indirect(number: nil).1
                break
            } catch .needMore {
                continue
            } catch {
                throw Self.media(error)
            }
        }
        guard let indirect = found else { throw Self.media(.needMore) }
        var end = indirect.valueEnd
        if indirect.streamStart != nil, let dict = indirect.object.dict {
            let data = try streamRange(indirect, dict: dict, at: offset)
            let after = try reader.readUpTo(at: data.upperBound, count: 32)
            var i = 0
            while i < after.count, PDFLexer.isWhite(after[i]) { i += 1 }
            end = data.upperBound + Int64(i) + 9
        }
        extents[offset] = end
        return end
    }

    // MARK: C2PA stores

    /// The catalog as of `revision`: the `/Root` of the newest trailer at or before it that names one; `nil`
    /// when that is not a dictionary.
    func catalog(revision: Int) throws(MediaError) -> [String: PDFObject]? {
        guard let root = sections[revision...].lazy.compactMap({ $0.trailer["Root"] }).first else {
            throw corrupt("no trailer names the PDF's catalog (/Root)")
        }
        return try resolve(root, revision: revision)?.dict
    }

    /// Every document-level C2PA store named by any revision's catalog, newest section first (within a section,
    /// in the newest catalog's `/AF` order), each with the section whose cross-reference entry defines its stream.
    func c2paStores(maxStoreSize: Int) throws(MediaError) -> [PDFContainer.Store] {
        var stores: [PDFContainer.Store] = []
        var seen: Set<Int64> = []
        for revision in 0..<sections.count {
            guard let catalog = try catalog(revision: revision) else {
                if revision == 0 { throw corrupt("the PDF's /Root is not a dictionary") }
                continue
            }
            guard let af = try resolve(catalog["AF"], revision: revision)?.array else { continue }
            for item in af.prefix(1000) {
                guard case .ref = item, let spec = try resolve(item, revision: revision)?.dict,
                    try resolve(spec["AFRelationship"], revision: revision)?.name == "C2PA_Manifest"
                else { continue }
                guard let ef = try resolve(spec["EF"], revision: revision)?.dict, case .ref(let number, _)? = ef["F"] ?? ef["UF"],
                    let (stream, section) = try object(number, revision: revision), let dict = stream.object.dict
                else { throw corrupt("a C2PA file specification in the PDF has no embedded file stream (/EF /F)") }
                guard case .offset(let offset)? = try locate(number, revision: revision)?.0 else {
                    throw corrupt("the C2PA embedded file stream is not a plain object")
                }
                let range = try streamRange(stream, dict: dict, at: offset, revision: revision)
                guard seen.insert(range.lowerBound).inserted else { continue }
                guard range.count <= Int64(maxStoreSize) else {
                    throw MediaError(.storeTooLarge, "the PDF's C2PA stream at offset \(offset) holds \(range.count) bytes, more than \(maxStoreSize)")
                }
                // The store is embedded as it is (A.4; c2pa-rs reads the raw bytes): a compressed store would leave
                // bytes in its exclusion that the store does not account for (after the compressed data, or in
                // another encoding of the same store), which another object could be laid over.
                if try resolve(dict["Filter"], revision: revision) != nil {
                    throw MediaError(.unsupportedFormat, "the PDF's C2PA stream at offset \(offset) is filtered (compressed); C2PA stores are embedded unfiltered")
                }
                // The stream is an embedded file and nothing else (no image or form keys), and no other object or
                // section overlaps its data: the store's bytes are read as the store only.
                let subtype = dict["Subtype"]?.name
                guard dict.keys.allSatisfy(Self.embeddedFileKeys.contains), dict["Type"] == nil || dict["Type"]?.name == "EmbeddedFile",
                    subtype == nil || subtype?.contains("/") == true  // a media type, never an XObject's Image or Form
                else {
                    throw corrupt("the PDF's C2PA stream at offset \(offset) is not only an embedded file (its dictionary has \(dict.keys.sorted().joined(separator: ", ")))")
                }
                guard try isolated(range, within: offset) else {
                    throw corrupt("the PDF's C2PA stream data at offset \(range.lowerBound) is also part of another object or cross-reference section")
                }
                var bytes = try streamData(stream, dict: dict, at: offset, limit: maxStoreSize, revision: revision)
                guard StoreHeader.isC2PAStore(bytes[...]), let header = StoreHeader.parse(bytes[...]) else {
                    throw corrupt("the PDF's C2PA embedded file at offset \(range.lowerBound) is not a C2PA manifest store")
                }
                // A writer that reserved room for the store may pad it with zeros (C2PA 2.2, 15.12.1); nothing else
                // may follow it.
                if let declared = header.declaredLength, declared < UInt64(bytes.count) {
                    guard bytes[Int(declared)...].allSatisfy({ $0 == 0 }) else {
                        throw corrupt("the PDF's C2PA embedded file at offset \(range.lowerBound) holds bytes after the store that are not zero padding")
                    }
                    bytes.removeSubrange(Int(declared)...)
                }
                stores.append(PDFContainer.Store(section: section, data: range, bytes: bytes))
            }
        }
        return stores.sorted { $0.section < $1.section }
    }
}

extension AssetContainer {
    /// A PDF's document XMP (the newest catalog's `/Metadata` stream, at most `limit` bytes once decoded) and
    /// whether its catalog names a C2PA manifest store, for metadata readers that do not validate.
    ///
    /// - Throws: ``MediaError`` when the cross-reference sections or the catalog cannot be read.
    public static func pdfCatalogMetadata(_ reader: FileReader, limit: Int) throws(MediaError) -> (xmp: [UInt8]?, namesC2PAStore: Bool) {
        let file = PDFFile(reader: reader)
        try file.readSections()
        guard let catalog = try file.catalog(revision: 0) else { throw MediaError(.corrupt, "the PDF's catalog (/Root) cannot be read") }
        var namesStore = false
        if let af = try file.resolve(catalog["AF"], revision: 0)?.array {
            for item in af.prefix(1000) {
                if try file.resolve(try file.resolve(item, revision: 0)?.dict?["AFRelationship"], revision: 0)?.name == "C2PA_Manifest" {
                    namesStore = true
                }
            }
        }
        guard case .ref(let number, _)? = catalog["Metadata"], let (stream, _) = try file.object(number, revision: 0),
            let dict = stream.object.dict, stream.streamStart != nil, case .offset(let offset)? = try file.locate(number, revision: 0)?.0
        else { return (nil, namesStore) }
        let xmp = try? file.streamData(stream, dict: dict, at: offset, limit: limit)
        return (xmp, namesStore)
    }
}
