import Foundation
import Testing
@testable import SignetMedia

func bmffBox(_ type: String, _ payload: [UInt8]) -> [UInt8] { be32(8 + payload.count) + Array(type.utf8) + payload }

func bmffFullBox(_ type: String, version: UInt8 = 0, flags: Int = 0, _ payload: [UInt8]) -> [UInt8] {
    bmffBox(type, [version, UInt8(flags >> 16 & 0xFF), UInt8(flags >> 8 & 0xFF), UInt8(flags & 0xFF)] + payload)
}

let bmffC2PAUUID: [UInt8] = [0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81]

/// The C2PA uuid box as c2pa-rs writes it: FullBox 0/0, purpose 'manifest', an 8-byte zero merkle offset, the store.
func c2paUUIDBox(_ store: [UInt8], purpose: String = "manifest") -> [UInt8] {
    bmffBox("uuid", bmffC2PAUUID + [0, 0, 0, 0] + Array(purpose.utf8) + [0] + be64(0) + store)
}

func ftyp(_ major: String = "isom", _ compatible: [String] = ["isom", "mp41"]) -> [UInt8] {
    bmffBox("ftyp", Array(major.utf8) + be32(0x200) + compatible.flatMap { Array($0.utf8) })
}

/// A movie with every kind of absolute offset Signet moves: `stco` and `co64` chunk offsets, `saio` in a sample
/// table (v0, and v1 with aux_info_type), `tfhd` base data offsets (one with base-data-offset-present, one
/// default-base-is-moof), a `saio` in a track fragment (relative, never moved) and a `tfra` moof offset.
///
/// Every absolute offset is its target's position in this file plus `shift`: the file after inserting `shift`
/// bytes right after `ftyp` is `ftyp + inserted + movie(shift: shift).dropFirst(ftyp.count)`.
func bmffMovie(moovFirst: Bool, shift: Int = 0, stcoValue: Int? = nil) -> [UInt8] {
    func build(mdatPayload d: Int, moofAt: Int) -> (bytes: [UInt8], mdatPayload: Int, moofAt: Int) {
        let s = d + shift
        let stco = bmffFullBox("stco", be32(2) + be32(stcoValue ?? s) + be32(s + 100))
        let saio0 = bmffFullBox("saio", be32(1) + be32(s + 150))
        let co64 = bmffFullBox("co64", be32(1) + be64(UInt64(s + 200)))
        let saio1 = bmffFullBox("saio", version: 1, flags: 1, Array("cenc".utf8) + be32(0) + be32(1) + be64(UInt64(s + 250)))
        func trak(_ stbl: [UInt8]) -> [UInt8] { bmffBox("trak", bmffBox("mdia", bmffBox("minf", bmffBox("stbl", stbl)))) }
        let moov = bmffBox("moov", bmffFullBox("mvhd", [UInt8](repeating: 0, count: 96)) + trak(stco + saio0) + trak(co64 + saio1))
        let tfhdBase = bmffFullBox("tfhd", flags: 0x000001, be32(1) + be64(UInt64(s + 300)))
        let tfhdMoof = bmffFullBox("tfhd", flags: 0x020000, be32(2))
        let saioTraf = bmffFullBox("saio", be32(1) + be32(16))
        let moof = bmffBox("moof", bmffFullBox("mfhd", be32(1)) + bmffBox("traf", tfhdBase + saioTraf) + bmffBox("traf", tfhdMoof))
        let mdat = bmffBox("mdat", (0..<400).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let tfra = bmffFullBox("tfra", version: 1, be32(1) + be32(0) + be32(1) + be64(0) + be64(UInt64(moofAt + shift)) + [1, 1, 1])
        let mfraBody = tfra + bmffFullBox("mfro", be32(8 + tfra.count + 16))
        let mfra = bmffBox("mfra", mfraBody)
        let head = ftyp()
        let ordered: [[UInt8]] = moovFirst ? [head, moov, moof, mdat, mfra] : [head, bmffBox("free", []), mdat, moov, moof, mfra]
        var bytes: [UInt8] = []
        var mdatPayload = 0, moofStart = 0
        for part in ordered {
            if part == mdat { mdatPayload = bytes.count + 8 }
            if part == moof { moofStart = bytes.count }
            bytes += part
        }
        return (bytes, mdatPayload, moofStart)
    }
    let probe = build(mdatPayload: 0, moofAt: 0)
    return build(mdatPayload: probe.mdatPayload, moofAt: probe.moofAt).bytes
}

/// A HEIF image whose top-level `meta` has an `iloc` of `version`: items with construction method 0 (file offsets,
/// moved), 1 (idat offsets, kept) and, with a base offset field, an item whose base is 0 and extent absolute.
///
/// `baseZeroMovedInExtent`: for the base-0 item, whether the shift lands in its extent offset (as c2pa-rs) or in its
/// base offset (both name the same bytes).
func heifImage(ilocVersion version: UInt8, shift: Int = 0, baseZeroMovedInExtent: Bool = true) -> [UInt8] {
    func build(mdatPayload d: Int) -> (bytes: [UInt8], mdatPayload: Int) {
        let s = d + shift
        var payload: [UInt8] = []
        switch version {
        case 0:
            // offset 4, length 4, base 0; item_count u16; item: id u16, data_ref u16, extent_count, (offset, length)*
            payload += [0x44, 0x00] + be16(2)
            payload += be16(1) + be16(0) + be16(2) + be32(s) + be32(10) + be32(s + 10) + be32(10)
            payload += be16(2) + be16(0) + be16(1) + be32(s + 40) + be32(5)
        case 1:
            // offset 4, length 4, base 4, index 0; items with construction_method.
            payload += [0x44, 0x40] + be16(3)
            payload += be16(1) + be16(0) + be16(0) + be32(s) + be16(2) + be32(0) + be32(10) + be32(10) + be32(10)
            let (base, extent) = baseZeroMovedInExtent ? (0, s + 20) : (shift, d + 20)
            payload += be16(2) + be16(0) + be16(0) + be32(base) + be16(1) + be32(extent) + be32(10)
            payload += be16(3) + be16(1) + be16(0) + be32(0) + be16(1) + be32(0) + be32(4)
        default:
            // version 2: offset 8, length 4, base 8, index 4; item_count and item_ID u32.
            payload += [0x84, 0x84] + be32(2)
            payload += be32(1) + be16(0) + be16(0) + be64(UInt64(s)) + be16(2)
            payload += be32(0) + be64(0) + be32(10) + be32(1) + be64(10) + be32(10)
            payload += be32(7) + be16(2) + be16(0) + be64(0) + be16(1) + be32(0) + be64(3) + be32(3)
        }
        let iloc = bmffFullBox("iloc", version: version, payload)
        let hdlr = bmffFullBox("hdlr", be32(0) + Array("pict".utf8) + [UInt8](repeating: 0, count: 13))
        let meta = bmffFullBox("meta", hdlr + bmffFullBox("pitm", be16(1)) + iloc + bmffBox("idat", [9, 9, 9, 9]))
        let head = ftyp("heic", ["mif1", "heic"])
        let mdat = bmffBox("mdat", [UInt8](repeating: 0xA5, count: 64))
        return (head + meta + mdat, head.count + meta.count + 8)
    }
    return build(mdatPayload: build(mdatPayload: 0).mdatPayload).bytes
}

/// The boxes at a path of types, depth first (`["moov", "trak", "mdia", "minf", "stbl", "stco"]`).
func bmffBoxes(_ bytes: [UInt8], path: [String], dir: ScratchDirectory) throws -> [BMFFBox] {
    let reader = try FileReader(path: try dir.write("tree", bytes))
    var found: [BMFFBox] = []
    func visit(_ box: BMFFBox, _ depth: Int) {
        guard depth < path.count, box.type == path[depth] else { return }
        if depth == path.count - 1 { found.append(box) } else { box.children.forEach { visit($0, depth + 1) } }
    }
    try BMFF.boxes(reader).forEach { visit($0, 0) }
    return found
}

@Suite struct BMFFContainerTests {
    @Test func theStoreRangeIsTheWholeC2PAUUIDBox() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 333)
        let box = c2paUUIDBox(store)
        let head = ftyp()
        let file = head + box + bmffBox("free", []) + bmffBox("mdat", [1, 2, 3]) + bmffBox("moov", [])
        let scan = try scanBytes(file, dir: dir)
        #expect(scan.format == .mp4)
        #expect(scan.manifestStore == store)
        let start = Int64(head.count)
        #expect(scan.storeRanges == [start..<(start + Int64(box.count))])
        #expect(scan.carrierRanges == scan.storeRanges)
        #expect(scan.segments.map(\.name) == ["ftyp", "uuid", "free", "mdat", "moov"])
        #expect(scan.segments.filter(\.isC2PA).map(\.range) == scan.storeRanges)
        #expect(scan.insertionOffset == start)
    }

    @Test func theEncodedBoxIsTheOneC2paRsWrites() throws {
        let store = jumbfStore(totalSize: 100)
        let encoded = try AssetContainer.encodeStore(store, format: .mp4)
        #expect(encoded == c2paUUIDBox(store))
        #expect(encoded.count == AssetContainer.encodedStoreSize(storeSize: 100, format: .mp4))
        #expect(Array(encoded.prefix(4)) == be32(45 + 100))
    }

    @Test(arguments: [true, false])
    func embeddingGoesRightAfterFtypAndMovesEveryAbsoluteOffset(moovFirst: Bool) throws {
        let dir = ScratchDirectory()
        let input = bmffMovie(moovFirst: moovFirst)
        let store = jumbfStore(totalSize: 250, seed: 2)
        let box = c2paUUIDBox(store)
        let p = try embedViaPlan(store, into: input, dir: dir)
        let head = ftyp()
        let expected = head + box + Array(bmffMovie(moovFirst: moovFirst, shift: box.count).dropFirst(head.count))
        #expect(p.output == expected)
        if p.output != expected, let i = (0..<min(p.output.count, expected.count)).first(where: { p.output[$0] != expected[$0] }) {
            Issue.record("first difference at output offset \(i)")
        }
        let boxRange = Int64(head.count)..<Int64(head.count + box.count)
        #expect(p.plan.storeRange == boxRange)
        #expect(p.plan.excludedRange == boxRange)
        #expect(p.hashed == p.output.removing(boxRange))
        let scan = try scanBytes(p.output, dir: dir)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [boxRange])
        // The relative saio in the track fragment, and the moof-based tfhd, are untouched.
        let saio = try bmffBoxes(p.output, path: ["moof", "traf", "saio"], dir: dir)
        #expect(saio.count == 1)
        #expect(saio.first.map { Array(p.output[Int($0.range.upperBound - 4)...].prefix(4)) } == be32(16))
        // Removal moves everything back: the original bytes.
        let removed = try embedViaPlan(nil, into: p.output, dir: dir, name: "r")
        #expect(removed.output == input)
        #expect(removed.hashed == input)
    }

    @Test(arguments: [true, false])
    func reEmbeddingReplacesTheBoxAndMovesOffsetsByTheSizeDifference(moovFirst: Bool) throws {
        let dir = ScratchDirectory()
        let input = bmffMovie(moovFirst: moovFirst)
        let first = try embedViaPlan(jumbfStore(totalSize: 900, seed: 1), into: input, dir: dir, name: "a")
        for (i, size) in [100, 900, 2000].enumerated() {
            let store = jumbfStore(totalSize: size, seed: UInt8(10 + i))
            let again = try embedViaPlan(store, into: first.output, dir: dir, name: "b\(i)")
            let fresh = try embedViaPlan(store, into: input, dir: dir, name: "c\(i)")
            #expect(again.output == fresh.output, "store of \(size) bytes")
            let scan = try scanBytes(again.output, dir: dir)
            #expect(scan.manifestStore == store)
            #expect(scan.segments.filter(\.isC2PA).count == 1)
        }
    }

    @Test func aStoreBoxElsewhereAtTopLevelIsRemovedAndTheNewOneGoesAfterFtyp() throws {
        let dir = ScratchDirectory()
        let plain = bmffMovie(moovFirst: false)
        let old = c2paUUIDBox(jumbfStore(totalSize: 120))
        // The old box at the very end: no offset points past it.
        let input = plain + old
        let store = jumbfStore(totalSize: 80)
        let p = try embedViaPlan(store, into: input, dir: dir)
        let fresh = try embedViaPlan(store, into: plain, dir: dir, name: "f")
        #expect(p.output == fresh.output)
        #expect(try embedViaPlan(nil, into: input, dir: dir, name: "r").output == plain)
    }

    @Test(arguments: [UInt8(0), 1, 2])
    func ilocItemOffsetsMoveForFileDataButNotForIdat(version: UInt8) throws {
        let dir = ScratchDirectory()
        let input = heifImage(ilocVersion: version)
        #expect(try scanBytes(input, dir: dir).format == .heic)
        let store = jumbfStore(totalSize: 150)
        let box = c2paUUIDBox(store)
        let p = try embedViaPlan(store, into: input, dir: dir)
        let head = ftyp("heic", ["mif1", "heic"])
        let asC2paRs = head + box + Array(heifImage(ilocVersion: version, shift: box.count).dropFirst(head.count))
        let inBase = head + box + Array(heifImage(ilocVersion: version, shift: box.count, baseZeroMovedInExtent: false).dropFirst(head.count))
        #expect(p.output == asC2paRs || p.output == inBase)
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    @Test func aFileWhoseLastBoxRunsToTheEndWithSizeZeroStillEmbeds() throws {
        let dir = ScratchDirectory()
        let head = ftyp()
        let input = head + bmffBox("moov", bmffBox("trak", [])) + be32(0) + Array("mdat".utf8) + [1, 2, 3, 4, 5]
        let store = jumbfStore(totalSize: 64)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == head + c2paUUIDBox(store) + Array(input.dropFirst(head.count)))
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    @Test func aThirtyTwoBitChunkOffsetThatWouldOverflowIsRefusedWithAClearError() throws {
        let dir = ScratchDirectory()
        let input = bmffMovie(moovFirst: true, stcoValue: 0xFFFF_FF00)
        let error = mediaError { _ = try embedViaPlan(jumbfStore(totalSize: 300), into: input, dir: dir) }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.reason.contains("stco") == true && error?.reason.contains("overflow") == true, "\(String(describing: error))")
        // Just below the limit still fits.
        let fits = bmffMovie(moovFirst: true, stcoValue: 0xFFFF_FFFF - 345)
        _ = try embedViaPlan(jumbfStore(totalSize: 300), into: fits, dir: dir, name: "fits")
    }

    @Test func anOffsetPointingIntoTheOldStoreIsRefusedWhenRemovingIt() throws {
        let dir = ScratchDirectory()
        let head = ftyp()
        let box = c2paUUIDBox(jumbfStore(totalSize: 60))
        let stco = bmffFullBox("stco", be32(1) + be32(head.count + 50))
        let input = head + box + bmffBox("moov", bmffBox("trak", bmffBox("mdia", bmffBox("minf", bmffBox("stbl", stco))))) + bmffBox("mdat", [1])
        #expect(mediaErrorCode { _ = try embedViaPlan(nil, into: input, dir: dir) } == .corrupt)
    }

    @Test func aStoreTooLargeForA32BitBoxSizeIsRefusedWhenPlanning() throws {
        let dir = ScratchDirectory()
        // No offset tables, so nothing but the box itself can fail.
        let reader = try FileReader(path: try dir.write("m.mp4", ftyp() + bmffBox("mdat", [1, 2, 3])))
        let scan = try AssetContainer.scan(reader)
        #expect(mediaErrorCode { _ = try AssetContainer.plan(reader, scan: scan, storeSize: Int(UInt32.max)) } == .storeTooLarge)
        #expect(mediaErrorCode { _ = try AssetContainer.plan(reader, scan: scan, storeSize: 1 << 20) } == nil)
    }

    @Test func quickTimeUdtaTerminatorsAndPlainMetaBoxesSurviveEmbeddingAndRemoval() throws {
        let dir = ScratchDirectory()
        // QuickTime: udta ends with a 32-bit zero; its meta is a plain container (no version and flags).
        let ilst = bmffBox("ilst", bmffBox("\u{A9}nam", bmffBox("data", be32(1) + be32(0) + Array("title".utf8))))
        let qtMeta = bmffBox("meta", bmffFullBox("hdlr", be32(0) + Array("mdir".utf8) + [UInt8](repeating: 0, count: 13)) + ilst)
        let udta = bmffBox("udta", qtMeta + [0, 0, 0, 0])
        let head = ftyp("qt  ", ["qt  "])
        let mdat = bmffBox("mdat", [UInt8](repeating: 0x33, count: 40))
        func movie(_ chunk: Int) -> [UInt8] {
            let stco = bmffFullBox("stco", be32(1) + be32(chunk))
            return head + bmffBox("wide", []) + mdat + bmffBox("moov", bmffBox("trak", bmffBox("mdia", bmffBox("minf", bmffBox("stbl", stco)))) + udta)
        }
        let chunk = head.count + 8 + 8
        let input = movie(chunk)
        let scan = try scanBytes(input, dir: dir)
        #expect(scan.format == .mov)
        let store = jumbfStore(totalSize: 90)
        let box = c2paUUIDBox(store)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == head + box + Array(movie(chunk + box.count).dropFirst(head.count)))
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    // MARK: Hostile input

    @Test func aBoxSmallerThanItsHeaderOrRunningPastTheEndIsRefused() throws {
        let dir = ScratchDirectory()
        let head = ftyp()
        #expect(mediaErrorCode { _ = try scanBytes(head + be32(4) + Array("free".utf8) + [0, 0, 0, 0], dir: dir) } == .corrupt)
        #expect(mediaErrorCode { _ = try scanBytes(head + be32(7) + Array("free".utf8), dir: dir) } == .corrupt)
        #expect(mediaErrorCode { _ = try scanBytes(head + be32(100) + Array("mdat".utf8) + [1, 2, 3], dir: dir) } == .truncated)
        #expect(mediaErrorCode { _ = try scanBytes(head + [0, 0, 0], dir: dir) } == .truncated)
        // A child running past its parent.
        let moov = be32(16) + Array("moov".utf8) + be32(40) + Array("trak".utf8)
        #expect(mediaErrorCode { _ = try scanBytes(head + moov + bmffBox("mdat", []), dir: dir) } == .corrupt)
        // A uuid box too short for its user type; a C2PA uuid box too short for its purpose.
        #expect(mediaErrorCode { _ = try scanBytes(head + bmffBox("uuid", [1, 2, 3]), dir: dir) } != nil)
        #expect(mediaErrorCode { _ = try scanBytes(head + bmffBox("uuid", bmffC2PAUUID + [0, 0, 0, 0, 0x6D]), dir: dir) } == .corrupt)
    }

    @Test func anAbsurdLargeSizeIsRefused() throws {
        let dir = ScratchDirectory()
        let head = ftyp()
        for large: UInt64 in [0xFFFF_FFFF_FFFF_FF00, UInt64(Int64.max), 1 << 40, 8, 15, 0] {
            let file = head + be32(1) + Array("mdat".utf8) + be64(large) + [UInt8](repeating: 0, count: 32)
            #expect(mediaErrorCode { _ = try scanBytes(file, dir: dir) } != nil, "largesize \(large)")
        }
        // A truncated largesize field.
        #expect(mediaErrorCode { _ = try scanBytes(head + be32(1) + Array("mdat".utf8) + [0, 0, 1], dir: dir) } == .truncated)
        // A valid largesize is read.
        let ok = head + be32(1) + Array("mdat".utf8) + be64(20) + [1, 2, 3, 4]
        #expect(try scanBytes(ok, dir: dir).segments.last?.range == Int64(head.count)..<Int64(ok.count))
    }

    @Test func boxesNestedFortyDeepAreRefused() throws {
        let dir = ScratchDirectory()
        var deep = bmffBox("free", [])
        for _ in 0..<40 { deep = bmffBox("moov", deep) }
        #expect(mediaErrorCode { _ = try scanBytes(ftyp() + deep, dir: dir) } == .corrupt)
        var ok = bmffBox("free", [])
        for _ in 0..<30 { ok = bmffBox("moov", ok) }
        #expect(try scanBytes(ftyp() + ok, dir: dir).format == .mp4)
    }

    @Test func aMillionTinyBoxesAreRefusedQuickly() throws {
        let dir = ScratchDirectory()
        let free = bmffBox("free", [])
        var body = ftyp()
        body.reserveCapacity(body.count + 1_000_000 * 8)
        for _ in 0..<1_000_000 { body += free }
        let path = try dir.write("many.mp4", body)
        var code: MediaError.Code?
        let seconds = secondsTaken { code = mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path)) } }
        #expect(code == .corrupt)
        #expect(seconds < 10, "took \(seconds) s")
    }

    @Test func anOffsetTableCountLargerThanItsBoxIsRefused() throws {
        let dir = ScratchDirectory()
        let head = ftyp()
        func movie(_ table: [UInt8]) -> [UInt8] {
            head + bmffBox("moov", bmffBox("trak", bmffBox("mdia", bmffBox("minf", bmffBox("stbl", table))))) + bmffBox("mdat", [1, 2])
        }
        let tables = [
            bmffFullBox("stco", be32(1_000_000) + be32(100)),
            bmffFullBox("co64", be32(0xFFFF_FFFF) + be64(100)),
            bmffFullBox("saio", be32(3) + be32(100)),
            bmffFullBox("stco", [0, 0]),
        ]
        for (i, table) in tables.enumerated() {
            let error = mediaError { _ = try embedViaPlan(jumbfStore(totalSize: 50), into: movie(table), dir: dir, name: "t\(i)") }
            #expect(error?.code == .corrupt, "table \(i): \(String(describing: error))")
        }
        let iloc = bmffFullBox("meta", bmffFullBox("iloc", [0x44, 0x00] + be16(5) + be16(1) + be16(0) + be16(1) + be32(50)))
        let error = mediaError { _ = try embedViaPlan(jumbfStore(totalSize: 50), into: head + iloc + bmffBox("mdat", [1]), dir: dir, name: "iloc") }
        #expect(error?.code == .corrupt, "\(String(describing: error))")
        let badSizes = bmffFullBox("meta", bmffFullBox("iloc", [0x33, 0x00] + be16(0)))
        #expect(mediaErrorCode { _ = try embedViaPlan(jumbfStore(totalSize: 50), into: head + badSizes, dir: dir, name: "sizes") } == .corrupt)
    }

    @Test func aC2PABoxNestedInAnotherBoxIsRefused() throws {
        let dir = ScratchDirectory()
        let nested = ftyp() + bmffBox("moov", c2paUUIDBox(jumbfStore(totalSize: 60))) + bmffBox("mdat", [])
        #expect(mediaErrorCode { _ = try scanBytes(nested, dir: dir) } == .corrupt)
        let deeper = ftyp() + bmffBox("moov", bmffBox("udta", c2paUUIDBox(jumbfStore(totalSize: 60))))
        #expect(mediaErrorCode { _ = try scanBytes(deeper, dir: dir) } == .corrupt)
    }

    @Test func twoManifestBoxesOrOneWithoutAStoreAreRefused() throws {
        let dir = ScratchDirectory()
        let two = ftyp() + c2paUUIDBox(jumbfStore(totalSize: 60, seed: 1)) + bmffBox("mdat", []) + c2paUUIDBox(jumbfStore(totalSize: 61, seed: 2))
        #expect(mediaErrorCode { _ = try scanBytes(two, dir: dir) } == .multipleStores)
        let empty = ftyp() + bmffBox("uuid", bmffC2PAUUID + [0, 0, 0, 0] + Array("manifest".utf8) + [0] + be64(0))
        #expect(mediaErrorCode { _ = try scanBytes(empty, dir: dir) } == .corrupt)
        let junk = ftyp() + bmffBox("uuid", bmffC2PAUUID + [0, 0, 0, 0] + Array("manifest".utf8) + [0] + be64(0) + Array("not jumbf at all".utf8))
        #expect(mediaErrorCode { _ = try scanBytes(junk, dir: dir) } == .corrupt)
        // A merkle box next to the manifest box is not a second store.
        let cbor: [UInt8] = [0xA3, 0x68] + Array("uniqueId".utf8) + [0, 0x67] + Array("localId".utf8) + [0, 0x68] + Array("location".utf8) + [0]
        let merkle = bmffBox("uuid", bmffC2PAUUID + [0, 0, 0, 0] + Array("merkle".utf8) + [0] + cbor + [0, 0, 0, 0])
        let withMerkle = ftyp() + c2paUUIDBox(jumbfStore(totalSize: 60)) + bmffBox("mdat", [1]) + merkle
        #expect(try scanBytes(withMerkle, dir: dir).manifestStore == jumbfStore(totalSize: 60))
    }

    @Test func aFileNotStartingWithFtypIsNotBMFF() throws {
        let dir = ScratchDirectory()
        let path = try dir.write("x.mp4", bmffBox("moov", []) + ftyp())
        #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path), format: .mp4) } == .unsupportedFormat)
        #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path)) } == .unsupportedFormat)
    }

    // MARK: Detection

    @Test func theBrandNamesTheKindWhateverTheExtension() throws {
        let dir = ScratchDirectory()
        let cases: [([UInt8], AssetFormat)] = [
            (ftyp(), .mp4), (ftyp("qt  ", ["qt  "]), .mov), (ftyp("M4A ", ["M4A ", "isom"]), .m4a),
            (ftyp("mif1", ["mif1", "heic"]), .heif), (ftyp("heic", ["mif1", "heic"]), .heic), (ftyp("avif", ["avif", "mif1"]), .avif),
            (ftyp("abcd", ["mp42"]), .mp4),
        ]
        for (head, format) in cases {
            for name in ["file.wav", "file"] {
                let scan = try scanBytes(head + bmffBox("mdat", [1, 2]), dir: dir, name: name)
                #expect(scan.format == format, "\(String(decoding: head[8..<12], as: UTF8.self)) named \(name)")
            }
        }
    }

    @Test func scanningWithAnotherBMFFKindGivesTheFilesKindButAnotherContainerIsAMismatch() throws {
        let dir = ScratchDirectory()
        let path = try dir.write("a.m4a", ftyp("M4A ", ["M4A ", "isom"]) + bmffBox("mdat", [1, 2]))
        #expect(try AssetContainer.scan(FileReader(path: path), format: .mp4).format == .m4a)
        let error = mediaError { _ = try AssetContainer.scan(FileReader(path: path), format: .mp3) }
        #expect(error?.code == .unsupportedFormat)
        let wav = try dir.write("a.wav", makeWAV())
        #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: wav), format: .mp4) } == .unsupportedFormat)
    }
}
