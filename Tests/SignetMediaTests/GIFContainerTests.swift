import Foundation
import Testing
@testable import SignetMedia

/// GIFs built block by block, so each test controls the version, tables, extensions and sub-blocks.
enum GIFBuilder {
    static func header(_ version: String = "89a", globalTable bits: Int? = 1) -> [UInt8] {
        var b = Array("GIF\(version)".utf8) + [4, 0, 3, 0]
        b.append(bits.map { 0x80 | UInt8($0) } ?? 0)
        b += [0, 0]
        if let bits { b += [UInt8](repeating: 0x55, count: 3 << (bits + 1)) }
        return b
    }

    /// Data split into sub-blocks of at most `size` bytes, with the terminator.
    static func subBlocks(_ data: [UInt8], size: Int = 255) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            let n = min(size, data.count - i)
            out.append(UInt8(n))
            out += data[i..<(i + n)]
            i += n
        }
        return out + [0]
    }

    static func application(_ id: String, _ auth: [UInt8], _ data: [UInt8]) -> [UInt8] {
        [0x21, 0xFF, 0x0B] + Array(id.utf8) + auth + subBlocks(data)
    }

    static func c2pa(_ store: [UInt8]) -> [UInt8] { application("C2PA_GIF", [1, 0, 0], store) }

    static let graphicControl: [UInt8] = [0x21, 0xF9, 4, 0, 10, 0, 0, 0]

    /// A 4x3 image with LZW data (the bytes are not decoded here) and an optional local table.
    static func image(localTable bits: Int? = nil, data: [UInt8] = [0x84, 0x1D, 0x81, 0x7A, 0x50]) -> [UInt8] {
        var b: [UInt8] = [0x2C, 0, 0, 0, 0, 4, 0, 3, 0, bits.map { 0x80 | UInt8($0) } ?? 0]
        if let bits { b += [UInt8](repeating: 0x22, count: 3 << (bits + 1)) }
        return b + [2] + subBlocks(data)
    }

    static func file(_ version: String = "89a", blocks: [[UInt8]]) -> [UInt8] {
        header(version) + blocks.flatMap { $0 } + [0x3B]
    }
}

@Suite struct GIFContainerTests {
    @Test func scanFindsTheStoreBeforeTheFirstImageAndNamesEveryBlock() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 700)
        let bytes = GIFBuilder.file(blocks: [GIFBuilder.c2pa(store), GIFBuilder.graphicControl, GIFBuilder.image(localTable: 0), GIFBuilder.image()])
        let scan = try AssetContainer.scan(try FileReader(path: try dir.write("a.gif", bytes)))
        #expect(scan.format == .gif)
        #expect(scan.manifestStore == store)
        let start = Int64(GIFBuilder.header().count)
        #expect(scan.storeRanges == [start..<(start + Int64(GIFBuilder.c2pa(store).count))])
        #expect(scan.insertionOffset == start)
        #expect(scan.segments.map(\.name) == ["GIF89a", "LSD", "GCT", "C2PA", "21F9", "2C", "LCT", "TBID", "2C", "TBID", "3B"])
        #expect(scan.segments.last?.range.upperBound == Int64(bytes.count))
        // The quick scan stops at the first image, with the same store.
        let quick = try AssetContainer.scan(try FileReader(path: dir.file("a.gif")), includeImageData: false)
        #expect(quick.manifestStore == store && !quick.segmentsComplete)
    }

    @Test(arguments: [1, 254, 255, 256, 510, 70_000])
    func embeddingPutsOneBlockAfterTheColourTableInSubBlocksOf255AsC2paRsDoes(storeSize: Int) throws {
        let dir = ScratchDirectory()
        let input = GIFBuilder.file(blocks: [GIFBuilder.application("NETSCAPE", Array("2.0".utf8), [1, 0, 0]), GIFBuilder.image()])
        let store = jumbfStore(totalSize: max(storeSize, 46))
        let planned = try embedViaPlan(store, into: input, dir: dir)
        let preamble = GIFBuilder.header().count
        let block = GIFBuilder.c2pa(store)
        #expect(planned.output == Array(input[..<preamble]) + block + Array(input[preamble...]))
        #expect(planned.plan.excludedRange == Int64(preamble)..<Int64(preamble + block.count))
        #expect(planned.hashed == input)
        let again = try AssetContainer.scan(try FileReader(path: planned.path))
        #expect(again.manifestStore == store)
        // Replaced where it is, and removed to give back the input.
        let other = jumbfStore(totalSize: 300, seed: 9)
        let replaced = try embedViaPlan(other, into: planned.output, dir: dir, name: "replaced")
        #expect(replaced.output == Array(input[..<preamble]) + GIFBuilder.c2pa(other) + Array(input[preamble...]))
        let removed = try embedViaPlan(nil, into: planned.output, dir: dir, name: "removed")
        #expect(removed.output == input)
    }

    @Test func aGIF87aBecomes89aWhenItCarriesAStore() throws {
        let dir = ScratchDirectory()
        let input = GIFBuilder.file("87a", blocks: [GIFBuilder.image()])
        let store = jumbfStore(totalSize: 100)
        let planned = try embedViaPlan(store, into: input, dir: dir)
        #expect(Array(planned.output.prefix(6)) == Array("GIF89a".utf8))
        // The patched byte is hashed as written.
        #expect(Array(planned.hashed.prefix(6)) == Array("GIF89a".utf8))
        #expect(Array(planned.output.dropFirst(6)) == Array(input[6..<13]) + [UInt8](repeating: 0x55, count: 12) + GIFBuilder.c2pa(store) + Array(input[25...]))
    }

    @Test func aStoreAfterTheFirstImageOrTwoStoresAreRefused() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 100)
        let late = GIFBuilder.file(blocks: [GIFBuilder.image(), GIFBuilder.c2pa(store)])
        #expect(mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write("late.gif", late))) } == .corrupt)
        let two = GIFBuilder.file(blocks: [GIFBuilder.c2pa(store), GIFBuilder.c2pa(store), GIFBuilder.image()])
        #expect(mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write("two.gif", two))) } == .multipleStores)
        // An application block of another kind, or with another authentication code, is not a store.
        let other = GIFBuilder.file(blocks: [GIFBuilder.application("C2PA_GIF", [2, 0, 0], store), GIFBuilder.image()])
        #expect(try AssetContainer.scan(try FileReader(path: try dir.write("other.gif", other))).manifestStore == nil)
    }

    @Test func craftedGIFsAreRefusedWithTheRightCode() throws {
        let dir = ScratchDirectory()
        let good = GIFBuilder.file(blocks: [GIFBuilder.c2pa(jumbfStore(totalSize: 600)), GIFBuilder.image()])
        var cases: [(String, [UInt8], MediaError.Code)] = [
            ("short header", Array(good.prefix(10)), .truncated),
            ("bad version", Array("GIF88a".utf8) + Array(good.dropFirst(6)), .unsupportedFormat),
            ("table past the end", Array(GIFBuilder.header(globalTable: 7).prefix(100)), .truncated),
            ("unknown block", GIFBuilder.header() + [0x99, 0, 0], .corrupt),
            ("application size not 11", GIFBuilder.header() + [0x21, 0xFF, 0x0A] + Array("C2PA_GIF".utf8) + [1, 0, 0, 0, 0x3B], .corrupt),
            ("no terminator", Array(good.dropLast(1 + GIFBuilder.image().count + 1)), .truncated),
        ]
        // A sub-block that claims more bytes than the file has.
        var long = GIFBuilder.header() + [0x21, 0xFE, 200] + [UInt8](repeating: 65, count: 50)
        cases.append(("sub-block past the end", long, .truncated))
        long = GIFBuilder.header() + GIFBuilder.image().dropLast(2)
        cases.append(("image data cut", long, .truncated))
        for (name, bytes, code) in cases {
            let found = mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write("\(name).gif", bytes))) }
            #expect(found == code, "\(name): \(String(describing: found))")
        }
        // A store over the limit is refused while it is read, not after.
        #expect(mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write("big.gif", good)), maxStoreSize: 500) } == .storeTooLarge)
    }

    @Test func aMissingTrailerAndBytesAfterItAreTolerated() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 100)
        let noTrailer = Array(GIFBuilder.file(blocks: [GIFBuilder.c2pa(store), GIFBuilder.image()]).dropLast())
        #expect(try AssetContainer.scan(try FileReader(path: try dir.write("a.gif", noTrailer))).manifestStore == store)
        let trailing = GIFBuilder.file(blocks: [GIFBuilder.image()]) + [1, 2, 3]
        let scan = try AssetContainer.scan(try FileReader(path: try dir.write("b.gif", trailing)))
        #expect(scan.segments.last?.name == "TRAILING" && scan.segments.last?.range.count == 3)
    }

    @Test func millionsOfTinyBlocksAreRefusedInBoundedTime() throws {
        let dir = ScratchDirectory()
        // 600,000 empty comment extensions (3 bytes each): more blocks than the scan lists.
        let bytes = GIFBuilder.header() + [UInt8](repeating: 0, count: 0) + Array([[UInt8]](repeating: [0x21, 0xFE, 0], count: 600_000).joined()) + [0x3B]
        let path = try dir.write("many.gif", bytes)
        var code: MediaError.Code?
        let seconds = secondsTaken { code = mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: path)) } }
        #expect(code == .corrupt)
        #expect(seconds < 20)
    }
}
