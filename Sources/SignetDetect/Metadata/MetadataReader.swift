import SignetMedia

/// Why ``MetadataReader`` could not read a file at all (missing, a directory, an I/O error).
///
/// A malformed metadata segment is not an error: it is recorded in ``MetadataFacts/notes``.
public struct DetectMetadataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One line a person understands.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// Reads what a file declares about itself (C2PA remnants, XMP/IPTC, EXIF, generator text, JPEG/PNG
/// header tables) without decoding pixels.
///
/// Work and memory are bounded on hostile input: at most ``maxMetadataBytes`` bytes of metadata are read,
/// at most ``maxStructures`` segments, chunks, boxes or frames are walked, every declared length and offset
/// is checked against its container and the file size, and large media payloads (JPEG scans, PNG IDAT,
/// BMFF `mdat`) are skipped, not read — except that JPEG entropy-coded data is scanned for markers, up to
/// ``maxJPEGScanBytes``, to find the tables of later progressive scans and the end of the image.
public enum MetadataReader {
    /// Total bytes of metadata read from one file.
    public static let maxMetadataBytes = 16 << 20
    /// Segments, chunks, boxes or frames walked in one file.
    public static let maxStructures = 8192
    /// Bytes of JPEG entropy-coded data scanned for markers.
    public static let maxJPEGScanBytes: Int64 = 256 << 20
    /// The cap on one text value kept in ``MetadataFacts/textEntries`` (UTF-8 bytes).
    public static let maxTextValueBytes = 64 << 10
    /// The cap on inflated (zlib) text: a compressed chunk that would inflate beyond this is cut here.
    public static let maxInflatedBytes = 1 << 20
    /// The cap on inflated text over the whole file.
    public static let maxTotalInflatedBytes = 8 << 20

    /// Reads the metadata of the file at `path`.
    ///
    /// - Throws: ``DetectMetadataError`` when the file cannot be opened or read. An unknown format is not an
    ///   error: the facts have a nil ``MetadataFacts/format``.
    public static func read(path: String) throws(DetectMetadataError) -> MetadataFacts {
        let reader: FileReader
        do {
            reader = try FileReader(path: path)
        } catch {
            throw DetectMetadataError(reason: error.reason)
        }
        return try MetaScan(MetaInput(file: reader)).run()
    }

    /// Reads the metadata behind an open reader (a file or bytes in memory; same rules as ``read(path:)``).
    /// A read error (the file shrank) ends the scan with what was found and a note.
    public static func read(_ reader: FileReader) -> MetadataFacts {
        do {
            return try MetaScan(MetaInput(file: reader)).run()
        } catch {
            var facts = MetadataFacts()
            facts.notes.append(error.reason)
            return facts
        }
    }

    /// The remote manifest references (XMP `dcterms:provenance`) of the asset behind `reader`: what
    /// the verifier's `remoteReferences` hook asks for.
    public static func remoteManifests(_ reader: FileReader) -> [String] { read(reader).remoteManifests }

    /// Reads the metadata of a file held in memory (same rules as ``read(path:)``).
    public static func read(bytes: [UInt8]) -> MetadataFacts { read(FileReader(bytes: bytes, name: "(memory)")) }
}

/// Bounded random access to the file being read, charging every read against the metadata budget.
final class MetaInput {
    private let file: FileReader
    let size: Int64
    private(set) var budget = MetadataReader.maxMetadataBytes
    private(set) var structures = MetadataReader.maxStructures
    private(set) var exhausted = false

    init(file: FileReader) {
        self.file = file
        self.size = file.size
    }

    /// Up to `count` bytes at `offset` (fewer at the end of the file), charged to the budget; nil once the
    /// budget is spent.
    func read(at offset: Int64, count: Int) throws(DetectMetadataError) -> [UInt8]? {
        guard offset >= 0, count >= 0, offset <= size else { return [] }
        let wanted = Int(min(Int64(count), size - offset))
        guard wanted <= budget else {
            exhausted = true
            return nil
        }
        budget -= wanted
        return try readFree(at: offset, count: wanted)
    }

    /// A read not charged to the metadata budget (scanning entropy-coded data for markers, which has its
    /// own cap).
    func readFree(at offset: Int64, count: Int) throws(DetectMetadataError) -> [UInt8] {
        guard offset >= 0, count > 0, offset < size else { return [] }
        do {
            return try file.readUpTo(at: offset, count: count)
        } catch {
            throw DetectMetadataError(reason: error.reason)
        }
    }

    /// A PDF's catalog XMP (charged to the budget) and whether the catalog names a C2PA store; nil, with a
    /// note, when the PDF's structure cannot be read.
    func pdfCatalogMetadata(note: (String) -> Void) -> (xmp: [UInt8]?, namesStore: Bool)? {
        do {
            let found = try AssetContainer.pdfCatalogMetadata(file, limit: min(budget, 4 << 20))
            budget -= found.xmp?.count ?? 0
            return (found.xmp, found.namesC2PAStore)
        } catch {
            note("PDF structure not readable: \(error.reason)")
            return nil
        }
    }

    /// Counts one more structure walked; false once the cap is reached.
    func step() -> Bool {
        guard structures > 0 else {
            exhausted = true
            return false
        }
        structures -= 1
        return true
    }
}

/// Reads one file's metadata into ``MetadataFacts``.
final class MetaScan {
    let input: MetaInput
    var facts = MetadataFacts()
    /// Complete C2PA stores found (the reader reports more than one as a remnant-worthy oddity).
    var storeCount = 0
    /// Inflated bytes still allowed in this file.
    var inflateAllowance = MetadataReader.maxTotalInflatedBytes

    init(_ input: MetaInput) {
        self.input = input
    }

    func note(_ line: String) {
        guard facts.notes.count < 64, !facts.notes.contains(line) else { return }
        facts.notes.append(line)
    }

    func run() throws(DetectMetadataError) -> MetadataFacts {
        facts.fileSize = input.size
        let prefix = try input.read(at: 0, count: AssetFormat.detectionPrefixLength) ?? []
        facts.format = AssetFormat.detect(prefix: prefix)
        switch facts.format?.container {
        case .jpeg?: try scanJPEG()
        case .png?: try scanPNG()
        case .riff?: try scanRIFF()
        case .id3?: try scanID3()
        case .bmff?: try scanBMFF()
        case .gif?: try scanGIF()
        case .tiff?: try scanTIFF()
        case .jxl?: try scanBMFF()
        case .svg?:
            // An SVG's RDF metadata is XML in the document itself: its first 4 MiB are searched like a packet.
            if let d = try input.read(at: 0, count: Int(min(input.size, 4 << 20))) { scanXMP(d, location: "SVG metadata") }
        case .pdf?:
            if let (xmp, namesStore) = input.pdfCatalogMetadata(note: note) {
                if let xmp { scanXMP(xmp, location: "PDF catalog metadata") }
                if namesStore {
                    storeCount += 1
                    addRemnant("PDF catalog /AF: a C2PA_Manifest embedded file")
                }
            }
        case nil: note("format not recognised: no metadata read")
        }
        if input.exhausted {
            note("metadata read limits reached: the rest of the file's metadata was not read")
        }
        facts.hasC2PAStore = storeCount > 0
        return facts
    }

    // MARK: - Shared recording

    /// Records a text entry (capped), then looks in it for generator markers when the key is a tool field.
    func addText(key: String, value: String, location: String) {
        guard facts.textEntries.count < 256 else { return }
        let capped = MetaBytes.capUTF8(value, MetadataReader.maxTextValueBytes)
        facts.textEntries.append(TextEntry(key: key, value: capped, location: location))
        let lowered = key.lowercased()
        if ["software", "creatortool", "source", "originatingprogram", "credit", "generator", "tool"].contains(lowered) {
            checkGeneratorField(value: capped, field: "\(location) \(key)")
        }
    }

    /// Records a generator marker when `value` names a known AI generator.
    func checkGeneratorField(value: String, field: String) {
        guard let name = MetaVocabulary.generatorNamed(in: value) else { return }
        let marker = GeneratorMarker(generator: name, field: field, value: String(value.prefix(200)))
        if !facts.generatorMarkers.contains(marker), facts.generatorMarkers.count < 64 {
            facts.generatorMarkers.append(marker)
        }
    }

    func addRemnant(_ line: String) {
        guard facts.c2paRemnants.count < 64, !facts.c2paRemnants.contains(line) else { return }
        facts.c2paRemnants.append(line)
    }
}

/// Byte-level helpers; every accessor is bounds-checked and returns nil outside the array.
enum MetaBytes {
    static func be16(_ b: [UInt8], _ i: Int) -> Int? {
        guard i >= 0, i + 2 <= b.count else { return nil }
        return Int(b[i]) << 8 | Int(b[i + 1])
    }

    static func be32(_ b: [UInt8], _ i: Int) -> Int? {
        guard i >= 0, i + 4 <= b.count else { return nil }
        return Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }

    static func be64(_ b: [UInt8], _ i: Int) -> UInt64? {
        guard i >= 0, i + 8 <= b.count else { return nil }
        var v: UInt64 = 0
        for k in 0..<8 { v = v << 8 | UInt64(b[i + k]) }
        return v
    }

    static func le16(_ b: [UInt8], _ i: Int) -> Int? {
        guard i >= 0, i + 2 <= b.count else { return nil }
        return Int(b[i]) | Int(b[i + 1]) << 8
    }

    static func le32(_ b: [UInt8], _ i: Int) -> Int? {
        guard i >= 0, i + 4 <= b.count else { return nil }
        return Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24
    }

    static func matches(_ b: [UInt8], _ pattern: String, at i: Int) -> Bool {
        let p = Array(pattern.utf8)
        guard i >= 0, i + p.count <= b.count else { return false }
        for k in 0..<p.count where b[i + k] != p[k] { return false }
        return true
    }

    static func ascii(_ b: ArraySlice<UInt8>) -> String {
        String(decoding: b, as: UTF8.self)
    }

    /// Latin-1 decoding (PNG tEXt/zTXt).
    static func latin1(_ b: ArraySlice<UInt8>) -> String {
        String(String.UnicodeScalarView(b.map { Unicode.Scalar($0) }))
    }

    /// Index of the first zero byte at or after `from`, or nil.
    static func nul(_ b: [UInt8], from: Int) -> Int? {
        guard from >= 0, from <= b.count else { return nil }
        return b[from...].firstIndex(of: 0)
    }

    /// Text up to the first NUL, trimmed of spaces.
    static func cString(_ b: ArraySlice<UInt8>) -> String {
        let end = b.firstIndex(of: 0) ?? b.endIndex
        return trim(String(decoding: b[b.startIndex..<end], as: UTF8.self))
    }

    static func trim(_ s: String) -> String {
        var scalars = Substring(s)
        while let c = scalars.first, c.isWhitespace || c == "\0" { scalars.removeFirst() }
        while let c = scalars.last, c.isWhitespace || c == "\0" { scalars.removeLast() }
        return String(scalars)
    }

    static func capUTF8(_ s: String, _ limit: Int) -> String {
        guard s.utf8.count > limit else { return s }
        var out = ""
        var used = 0
        for ch in s {
            let n = ch.utf8.count
            if used + n > limit { break }
            out.append(ch)
            used += n
        }
        return out
    }

    /// Finds `needle` in `haystack` starting at `from`, ending before `end` (the whole rest when nil).
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0, end: Int? = nil) -> Int? {
        let stop = min(end ?? haystack.count, haystack.count)
        guard let first = needle.first, needle.count <= stop, from >= 0 else { return nil }
        var i = from
        let last = stop - needle.count
        while i <= last {
            guard let hit = haystack[i...last].firstIndex(of: first) else { return nil }
            var k = 1
            while k < needle.count, haystack[hit + k] == needle[k] { k += 1 }
            if k == needle.count { return hit }
            i = hit + 1
        }
        return nil
    }
}
