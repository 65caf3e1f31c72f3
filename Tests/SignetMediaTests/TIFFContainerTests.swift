import Foundation
import Testing
@testable import SignetMedia

/// TIFFs built IFD by IFD, so each test controls byte order, the classic or BigTIFF shape, pages and entries.
struct TIFFBuilder {
    var little = true
    var big = false
    var bytes: [UInt8] = []

    init(little: Bool = true, big: Bool = false) {
        self.little = little
        self.big = big
        bytes = (little ? [0x49, 0x49] : [0x4D, 0x4D]) + int(big ? 43 : 42, 2)
        if big { bytes += int(8, 2) + int(0, 2) + int(0, 8) } else { bytes += int(0, 4) }
    }

    var word: Int { big ? 8 : 4 }

    func int(_ v: Int, _ width: Int) -> [UInt8] {
        (0..<width).map { k in UInt8(truncatingIfNeeded: v >> (8 * (little ? k : width - 1 - k))) }
    }

    /// Appends raw bytes (kept at an even offset) and returns where they start.
    mutating func data(_ d: [UInt8]) -> Int {
        if bytes.count % 2 == 1 { bytes.append(0) }
        let at = bytes.count
        bytes += d
        return at
    }

    /// Appends an IFD of (tag, type, count, value field) entries and returns its offset; the next pointer is 0.
    mutating func ifd(_ entries: [(tag: Int, type: Int, count: Int, value: Int)]) -> Int {
        let counted = big ? int(entries.count, 8) : int(entries.count, 2)
        var table = counted
        for e in entries { table += int(e.tag, 2) + int(e.type, 2) + int(e.count, word) + int(e.value, word) }
        table += int(0, word)
        return data(table)
    }

    /// Points the header (or the IFD at `from`, with `entries` entries) at `target`.
    mutating func link(from: Int? = nil, entries: Int = 0, to target: Int) {
        let at = from.map { $0 + (big ? 8 : 2) + entries * (big ? 20 : 12) } ?? (big ? 8 : 4)
        bytes.replaceSubrange(at..<(at + word), with: int(target, word))
    }

    /// A page: 8x4 gray pixels in one strip, and its IFD. Returns the IFD's offset and its entry count.
    mutating func page(seed: UInt8 = 1, extra: [(tag: Int, type: Int, count: Int, value: Int)] = []) -> (offset: Int, entries: Int) {
        let strip = data((0..<32).map { UInt8(truncatingIfNeeded: Int($0) * 7 + Int(seed)) })
        let entries = [(256, 3, 1, 8), (257, 3, 1, 4), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, strip), (277, 3, 1, 1),
                       (278, 3, 1, 4), (279, 4, 1, 32)].map { (tag: $0.0, type: $0.1, count: $0.2, value: $0.3) } + extra
        // A SHORT's value sits in the field's first two bytes.
        let fixed = entries.map { e in (tag: e.tag, type: e.type, count: e.count, value: e.type == 3 && !little ? e.value << (8 * (word - 2)) : e.value) }
        return (ifd(fixed), entries.count)
    }

    /// A file of `pages` pages, chained.
    static func file(pages: Int = 1, little: Bool = true, big: Bool = false) -> [UInt8] {
        var b = TIFFBuilder(little: little, big: big)
        var previous: (offset: Int, entries: Int)?
        for i in 0..<pages {
            let p = b.page(seed: UInt8(i + 1))
            if let previous { b.link(from: previous.offset, entries: previous.entries, to: p.offset) } else { b.link(to: p.offset) }
            previous = p
        }
        return b.bytes
    }
}

@Suite struct TIFFContainerTests {
    @Test("A single-page TIFF gets the store and then a copy of its IFD with the C2PA entry, the header pointing at it; signing again replaces both; every kind of TIFF",
          arguments: [(true, false), (false, false), (true, true), (false, true)])
    func singlePageLayout(little: Bool, big: Bool) throws {
        let dir = ScratchDirectory()
        let input = TIFFBuilder.file(little: little, big: big)
        let store = jumbfStore(totalSize: 301)
        let planned = try embedViaPlan(store, into: input, dir: dir)
        let out = planned.output
        // The input is untouched but for the header's pointer; the store follows it, then (even) the IFD copy.
        let header = big ? 8..<16 : 4..<8
        #expect(Array(out[..<header.lowerBound]) == Array(input[..<header.lowerBound]))
        #expect(Array(out[header.upperBound..<input.count]) == Array(input[header.upperBound...]))
        #expect(Array(out[input.count..<(input.count + store.count)]) == store)
        #expect(planned.plan.excludedRange == Int64(input.count)..<Int64(input.count + store.count))
        let scan = try AssetContainer.scan(try FileReader(path: planned.path))
        #expect(scan.format == .tiff)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [Int64(input.count)..<Int64(input.count + store.count)])
        // Only the store is unsigned: the hashed bytes are the whole output but the store.
        #expect(planned.hashed == Array(out[..<input.count]) + Array(out[(input.count + store.count)...]))
        // Signed again: the tail is replaced, nothing accumulates.
        let other = jumbfStore(totalSize: 120, seed: 4)
        let again = try embedViaPlan(other, into: out, dir: dir, name: "again")
        #expect(again.output.count == input.count + other.count + (input.count + other.count) % 2 + (out.count - input.count - store.count - (input.count + store.count) % 2))
        #expect(try AssetContainer.scan(try FileReader(path: again.path)).manifestStore == other)
        // Removed: the pixels' IFD (a copy without the entry) is what the header names.
        let removed = try embedViaPlan(nil, into: again.output, dir: dir, name: "removed")
        let bare = try AssetContainer.scan(try FileReader(path: removed.path))
        #expect(bare.manifestStore == nil)
        #expect(Array(removed.output.prefix(input.count)).dropFirst(16) == input.dropFirst(16))
    }

    @Test("A multi-page TIFF gets an IFD holding only the C2PA entry after its last page, as c2pa-rs; removing it gives back the input byte for byte")
    func multiPageLayout() throws {
        let dir = ScratchDirectory()
        let input = TIFFBuilder.file(pages: 3)
        let store = jumbfStore(totalSize: 200)
        let planned = try embedViaPlan(store, into: input, dir: dir)
        let scan = try AssetContainer.scan(try FileReader(path: planned.path))
        #expect(scan.manifestStore == store)
        #expect(scan.segments.map(\.name).filter { $0.hasPrefix("IFD") } == ["IFD0", "IFD1", "IFD2", "IFD3"])
        #expect(scan.segments.last?.range.upperBound == Int64(planned.output.count))
        let removed = try embedViaPlan(nil, into: planned.output, dir: dir, name: "removed")
        #expect(removed.output == input)
        let other = jumbfStore(totalSize: 999, seed: 2)
        let replaced = try embedViaPlan(other, into: planned.output, dir: dir, name: "replaced")
        let rescan = try AssetContainer.scan(try FileReader(path: replaced.path))
        #expect(rescan.manifestStore == other)
        #expect(rescan.segments.map(\.name).filter { $0.hasPrefix("IFD") }.count == 4)
    }

    @Test("The structure that decides how pixels are read is protected, but for the C2PA entry's count field (c2pa-rs's second exclusion)")
    func protectedRangesCoverTheIFDsAndTheStripTables() throws {
        let dir = ScratchDirectory()
        let input = TIFFBuilder.file(pages: 2)
        let planned = try embedViaPlan(jumbfStore(totalSize: 200), into: input, dir: dir)
        let scan = try AssetContainer.scan(try FileReader(path: planned.path))
        func isProtected(_ r: Range<Int64>) -> Bool { scan.protectedRanges.contains { $0.overlaps(r) } }
        #expect(isProtected(0..<8))
        let store = try #require(scan.storeRanges.first)
        #expect(!isProtected(store))
        // The C2PA-only IFD: count (2), then the entry: tag, type, count (4), offset (4), then next (4).
        let ifd = store.upperBound + store.upperBound % 2
        #expect(isProtected((ifd + 2)..<(ifd + 6)))
        #expect(!isProtected((ifd + 6)..<(ifd + 10)))
        #expect(isProtected((ifd + 10)..<(ifd + 14)))
        #expect(isProtected(8..<9) == false)  // strip data is not structure
    }

    @Test("A DNG is told from a TIFF by its DNGVersion entry")
    func dngIsRecognised() throws {
        let dir = ScratchDirectory()
        var b = TIFFBuilder()
        let p = b.page(extra: [(tag: 0xC612, type: 1, count: 4, value: 0x0000_0401)])
        b.link(to: p.offset)
        let scan = try AssetContainer.scan(try FileReader(path: try dir.write("a.dng", b.bytes)))
        #expect(scan.format == .dng)
        #expect(scan.format.mimeType == "image/dng")
        #expect(try AssetContainer.scan(try FileReader(path: dir.file("a.dng")), format: .tiff).format == .dng)
    }

    @Test("Crafted TIFFs are refused with a clear code: IFD loops, offsets past the end, absurd counts, a wrong C2PA type, two stores, a store where c2pa-rs does not look")
    func craftedFilesAreRefused() throws {
        let dir = ScratchDirectory()
        func code(_ bytes: [UInt8], _ name: String) -> MediaError.Code? {
            mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write(name, bytes))) }
        }
        let store = jumbfStore(totalSize: 64)
        // A loop: the last page points back at the first.
        var loop = TIFFBuilder()
        let a = loop.page(), c = loop.page(seed: 2)
        loop.link(to: a.offset)
        loop.link(from: a.offset, entries: a.entries, to: c.offset)
        loop.link(from: c.offset, entries: c.entries, to: a.offset)
        #expect(code(loop.bytes, "loop.tif") == .corrupt)
        // A self-loop.
        var selfLoop = TIFFBuilder()
        let s = selfLoop.page()
        selfLoop.link(to: s.offset)
        selfLoop.link(from: s.offset, entries: s.entries, to: s.offset)
        #expect(code(selfLoop.bytes, "self.tif") == .corrupt)
        // The first IFD past the end, or inside the header.
        var past = TIFFBuilder.file()
        past.replaceSubrange(4..<8, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(code(past, "past.tif") == .corrupt)
        var zero = TIFFBuilder.file()
        zero.replaceSubrange(4..<8, with: [2, 0, 0, 0])
        #expect(code(zero, "header.tif") == .corrupt)
        // An IFD declaring more entries than the file holds.
        var many = TIFFBuilder.file()
        let first = Int(many[4]) | Int(many[5]) << 8
        many.replaceSubrange(first..<(first + 2), with: [0xFF, 0xFF])
        #expect(code(many, "many.tif") == .truncated)
        // A BigTIFF declaring 2^40 entries.
        var bigMany = TIFFBuilder.file(big: true)
        let bigFirst = Int(bigMany[8]) | Int(bigMany[9]) << 8
        bigMany.replaceSubrange(bigFirst..<(bigFirst + 8), with: [0, 0, 0, 0, 0, 1, 0, 0])
        #expect(code(bigMany, "bigmany.tif") == .corrupt)
        // StripOffsets with 2^30 values.
        var strips = TIFFBuilder()
        let sp = strips.page(extra: [(tag: 0x0144, type: 4, count: 1 << 30, value: 8)])
        strips.link(to: sp.offset)
        #expect(code(strips.bytes, "strips.tif") == .corrupt)
        // C2PA entries: wrong type, past the end, two, and in a middle page.
        func withC2PA(type: Int = 7, count: Int? = nil, offset: Int? = nil, pages: Int = 1, on page: Int = 0, twice: Bool = false) -> [UInt8] {
            var b = TIFFBuilder()
            let at = b.data(store)
            var previous: (offset: Int, entries: Int)?
            for i in 0..<pages {
                let c2pa = (tag: 0xCD41, type: type, count: count ?? store.count, value: offset ?? at)
                let extra = i == page || (twice && i == pages - 1) ? [c2pa] : []
                let p = b.page(seed: UInt8(i + 1), extra: extra)
                if let previous { b.link(from: previous.offset, entries: previous.entries, to: p.offset) } else { b.link(to: p.offset) }
                previous = p
            }
            return b.bytes
        }
        #expect(try AssetContainer.scan(try FileReader(path: try dir.write("ok.tif", withC2PA()))).manifestStore == store)
        #expect(try AssetContainer.scan(try FileReader(path: try dir.write("first.tif", withC2PA(pages: 3, on: 0)))).manifestStore == store)
        #expect(code(withC2PA(type: 1), "type.tif") == .corrupt)
        #expect(code(withC2PA(count: 1 << 20), "count.tif") == .truncated)
        #expect(code(withC2PA(offset: 1 << 30), "offset.tif") == .truncated)
        #expect(code(withC2PA(count: 3), "inline.tif") == .corrupt)
        #expect(code(withC2PA(pages: 3, on: 1), "middle.tif") == .corrupt)
        #expect(code(withC2PA(pages: 3, on: 0, twice: true), "two.tif") == .multipleStores)
        #expect(mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: dir.file("ok.tif")), maxStoreSize: 10) } == .storeTooLarge)
        // Not a TIFF.
        #expect(code([0x49, 0x49, 44, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "magic.tif") == .unsupportedFormat)
        #expect(code([0x49, 0x49, 42, 0], "short.tif") == .truncated || code([0x49, 0x49, 42, 0], "short.tif") == .unsupportedFormat)
    }

    @Test("2,001 pages are refused in bounded time")
    func tooManyPagesAreRefused() throws {
        let dir = ScratchDirectory()
        var b = TIFFBuilder()
        var previous: Int?
        for _ in 0..<2001 {
            let p = b.ifd([(tag: 256, type: 3, count: 1, value: 1)])
            if let previous { b.link(from: previous, entries: 1, to: p) } else { b.link(to: p) }
            previous = p
        }
        let path = try dir.write("pages.tif", b.bytes)
        var found: MediaError.Code?
        let seconds = secondsTaken { found = mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: path)) } }
        #expect(found == .corrupt)
        #expect(seconds < 20)
    }

    @Test("A store that is not the file's tail (another writer's layout) is left as unreferenced bytes when signing again, and the page that named it loses its entry")
    func aStoreInTheMiddleIsOrphanedNotDuplicated() throws {
        let dir = ScratchDirectory()
        var b = TIFFBuilder()
        let old = jumbfStore(totalSize: 80, seed: 3)
        let at = b.data(old)
        let p = b.page(extra: [(tag: 0xCD41, type: 7, count: old.count, value: at)])
        b.link(to: p.offset)
        let input = b.bytes
        let new = jumbfStore(totalSize: 90, seed: 5)
        let planned = try embedViaPlan(new, into: input, dir: dir)
        let scan = try AssetContainer.scan(try FileReader(path: planned.path))
        #expect(scan.manifestStore == new)
        #expect(Array(planned.output[at..<(at + old.count)]) == old)
        let removed = try embedViaPlan(nil, into: input, dir: dir, name: "removed")
        #expect(try AssetContainer.scan(try FileReader(path: removed.path)).manifestStore == nil)
    }

    @Test("Attacker review: IFDs that share bytes are refused (61 overlapping tables of 65,535 entries once cost 476 MB)")
    func overlappingIFDsAreRefused() throws {
        let dir = ScratchDirectory()
        var b = TIFFBuilder()
        let first = b.page()
        b.link(to: first.offset)
        // A second page whose table starts inside the first's.
        b.link(from: first.offset, entries: first.entries, to: first.offset + 12)
        #expect(mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write("overlap.tif", b.bytes))) } == .corrupt)
    }

    @Test("Attacker review: a one-page file whose store sits in a C2PA-only second IFD is signed again into a readable file")
    func onePageWithAC2PAOnlyIFDSignsAgain() throws {
        let dir = ScratchDirectory()
        var b = TIFFBuilder()
        let page = b.page()
        b.link(to: page.offset)
        let old = jumbfStore(totalSize: 80, seed: 3)
        let at = b.data(old)
        let carrier = b.ifd([(tag: 0xCD41, type: 7, count: old.count, value: at)])
        b.link(from: page.offset, entries: page.entries, to: carrier)
        let new = jumbfStore(totalSize: 500, seed: 6)
        let planned = try embedViaPlan(new, into: b.bytes, dir: dir)
        let scan = try AssetContainer.scan(try FileReader(path: planned.path))
        #expect(scan.manifestStore == new)
        #expect(scan.segments.filter { $0.name.hasPrefix("IFD") }.count == 1)
        let removed = try embedViaPlan(nil, into: b.bytes, dir: dir, name: "removed")
        #expect(try AssetContainer.scan(try FileReader(path: removed.path)).manifestStore == nil)
    }

    @Test("Attacker review: a tail that a SubIFD still points into is not cut off when signing again or removing")
    func aTailSomethingPointsIntoIsKept() throws {
        let dir = ScratchDirectory()
        var b = TIFFBuilder()
        let p0 = b.page()
        b.link(to: p0.offset)
        let p1 = b.page(seed: 2)
        b.link(from: p0.offset, entries: p0.entries, to: p1.offset)
        let old = jumbfStore(totalSize: 80, seed: 3)
        let at = b.data(old)
        let carrier = b.ifd([(tag: 0xCD41, type: 7, count: old.count, value: at)])
        b.link(from: p1.offset, entries: p1.entries, to: carrier)
        // Page 0 gets a SubIFDs entry naming the C2PA-only IFD, in the tail: rebuild page 0 with it.
        let c = TIFFBuilder()
        var bytes = b.bytes
        let n = Int(bytes[p0.offset]) | Int(bytes[p0.offset + 1]) << 8
        // Turn page 0's RowsPerStrip entry (index 7) into SubIFDs (330, LONG, 1, carrier).
        let e = p0.offset + 2 + 7 * 12
        bytes.replaceSubrange(e..<(e + 12), with: c.int(330, 2) + c.int(4, 2) + c.int(1, 4) + c.int(carrier, 4))
        #expect(n == p0.entries)
        let new = jumbfStore(totalSize: 300, seed: 8)
        for store in [new, nil] as [[UInt8]?] {
            let planned = try embedViaPlan(store, into: bytes, dir: dir, name: store == nil ? "removed" : "signed")
            #expect(planned.output.count > bytes.count - old.count - 20)
            #expect(try AssetContainer.scan(try FileReader(path: planned.path)).manifestStore == store)
        }
    }
}
