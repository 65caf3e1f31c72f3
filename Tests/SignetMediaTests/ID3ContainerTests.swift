import Foundation
import Testing
@testable import SignetMedia

func syncsafe32(_ v: Int) -> [UInt8] { [UInt8(v >> 21 & 0x7F), UInt8(v >> 14 & 0x7F), UInt8(v >> 7 & 0x7F), UInt8(v & 0x7F)] }

/// An ID3v2.3 frame: 32-bit big-endian size.
func id3v23Frame(_ id: String, _ data: [UInt8], flags: [UInt8] = [0, 0]) -> [UInt8] { Array(id.utf8) + be32(data.count) + flags + data }

/// An ID3v2.4 frame: syncsafe size.
func id3v24Frame(_ id: String, _ data: [UInt8], flags: [UInt8] = [0, 0]) -> [UInt8] { Array(id.utf8) + syncsafe32(data.count) + flags + data }

/// A tag: header (size = everything after it but a footer) then `body`; with `footer`, the v2.4 `3DI` footer.
func id3Tag(major: UInt8, flags: UInt8 = 0, _ body: [UInt8], footer: Bool = false) -> [UInt8] {
    let header = Array("ID3".utf8) + [major, 0, flags | (footer ? 0x10 : 0)] + syncsafe32(body.count)
    return header + body + (footer ? Array("3DI".utf8) + [major, 0, flags | 0x10] + syncsafe32(body.count) : [])
}

/// A GEOB body: encoding, mime (Latin-1), filename and description (in `encoding`), object.
func geobBody(mime: String = "application/c2pa", filename: [UInt8] = Array("c2pa".utf8) + [0],
              description: [UInt8] = Array("c2pa manifest store".utf8) + [0], encoding: UInt8 = 3, object: [UInt8]) -> [UInt8] {
    [encoding] + Array(mime.utf8) + [0] + filename + description + object
}

/// Two MPEG-1 layer III frame headers' worth of audio-looking bytes (sync FF FB).
let mpegAudio: [UInt8] = [0xFF, 0xFB, 0x90, 0x64] + (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 13) } + [0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0x55, count: 60)

/// A FLAC stream: `fLaC`, a last-block STREAMINFO, a few frame bytes.
let flacStream: [UInt8] = Array("fLaC".utf8) + [0x80, 0, 0, 34] + [UInt8](repeating: 0x12, count: 34) + [0xFF, 0xF8, 0x69, 0x08, 0, 0x11]

/// The tag c2pa-rs writes in front of a file without one: v2.4, no padding, the GEOB frame alone.
func c2paRsTag(_ store: [UInt8]) -> [UInt8] {
    id3Tag(major: 4, id3v24Frame("GEOB", geobBody(object: store)))
}

let tit2v23 = id3v23Frame("TIT2", [0] + Array("Hello".utf8) + [0])
let tpe1v23 = id3v23Frame("TPE1", [0] + Array("Me".utf8))
let tit2v24 = id3v24Frame("TIT2", [3] + Array("Hello".utf8))
let privv24 = id3v24Frame("PRIV", Array("owner".utf8) + [0, 1, 2, 3])

@Suite struct ID3ContainerTests {
    @Test func aFileWithoutATagGetsTheV24TagC2paRsWritesWithTheStoreAt63() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 301)
        let p = try embedViaPlan(store, into: mpegAudio, dir: dir)
        // ID3 04 00 00 size(10 + 43 + n) | GEOB size(43 + n) 00 00 | 03 'application/c2pa' 00 'c2pa' 00 'c2pa manifest store' 00 | store
        var expected = Array("ID3".utf8) + [4, 0, 0] + syncsafe32(10 + 43 + 301)
        expected += Array("GEOB".utf8) + syncsafe32(43 + 301) + [0, 0, 3] + Array("application/c2pa".utf8) + [0]
        expected += Array("c2pa".utf8) + [0] + Array("c2pa manifest store".utf8) + [0] + store
        #expect(p.output == expected + mpegAudio)
        #expect(p.output == c2paRsTag(store) + mpegAudio)
        // Only the GEOB object is excluded from the data hash; the tag header, frame header and strings are hashed.
        #expect(p.plan.excludedRange == 63..<(63 + 301))
        #expect(p.plan.storeRange == 0..<Int64(expected.count))
        #expect(p.hashed == p.output.removing(p.plan.excludedRange))
        let scan = try scanBytes(p.output, dir: dir)
        #expect(scan.format == .mp3)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [63..<(63 + 301)])
        #expect(scan.carrierRanges == [10..<Int64(expected.count)])
        // The tag held only the store: removing it gives back the bare audio.
        let removed = try embedViaPlan(nil, into: p.output, dir: dir, name: "r")
        #expect(removed.output == mpegAudio)
    }

    @Test func scanFindsAC2paRsWrittenStoreAndReportsTheObjectBytesOnly() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 3410)
        // c2pa-rs's own output for a tagged input: TIT2/TPE1/TSSE re-encoded, GEOB last, store at 116.
        let frames = id3v24Frame("TIT2", [3] + Array("Hello".utf8)) + id3v24Frame("TPE1", [3] + Array("Me".utf8))
            + id3v24Frame("TSSE", [3] + Array("Lavf59.27.100".utf8))
        let file = id3Tag(major: 4, frames + id3v24Frame("GEOB", geobBody(object: store))) + mpegAudio
        let scan = try scanBytes(file, dir: dir)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [116..<(116 + 3410)])
        #expect(scan.segments.map(\.name) == ["ID3", "TIT2", "TPE1", "TSSE", "GEOB", "AUDIO"])
        #expect(scan.segments.filter(\.isC2PA).map(\.name) == ["GEOB"])
    }

    @Test func embeddingInAV23TagKeepsItsFramesAndPaddingByteForByteAndPatchesTheTagSize() throws {
        let dir = ScratchDirectory()
        let padding = [UInt8](repeating: 0, count: 10)
        let input = id3Tag(major: 3, tit2v23 + tpe1v23 + padding) + mpegAudio
        let store = jumbfStore(totalSize: 200, seed: 4)
        let p = try embedViaPlan(store, into: input, dir: dir)
        // The v2.3 GEOB has a plain 32-bit size and goes after the last frame, before the padding.
        let geob = id3v23Frame("GEOB", geobBody(object: store))
        #expect(p.output == id3Tag(major: 3, tit2v23 + tpe1v23 + geob + padding) + mpegAudio)
        let objectStart = Int64(10 + tit2v23.count + tpe1v23.count + 10 + 43)
        #expect(p.plan.excludedRange == objectStart..<(objectStart + 200))
        #expect(p.hashed == p.output.removing(p.plan.excludedRange))
        let scan = try scanBytes(p.output, dir: dir)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [p.plan.excludedRange])
        #expect(scan.segments.map(\.name) == ["ID3", "TIT2", "TPE1", "GEOB", "PADDING", "AUDIO"])
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    @Test func embeddingInAV24TagWithFooterPatchesBothSizesAndKeepsEverythingElse() throws {
        let dir = ScratchDirectory()
        let padding = [UInt8](repeating: 0, count: 7)
        let input = id3Tag(major: 4, tit2v24 + privv24 + padding, footer: true) + flacStream
        #expect(try scanBytes(input, dir: dir).format == .flac)
        let store = jumbfStore(totalSize: 129)
        let p = try embedViaPlan(store, into: input, dir: dir)
        let geob = id3v24Frame("GEOB", geobBody(object: store))
        #expect(p.output == id3Tag(major: 4, tit2v24 + privv24 + geob + padding, footer: true) + flacStream)
        let scan = try scanBytes(p.output, dir: dir)
        #expect(scan.format == .flac)
        #expect(scan.manifestStore == store)
        #expect(scan.segments.last?.name == "fLaC")
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    @Test func aFLACWithoutATagGetsTheSameV24TagInFrontOfFLaC() throws {
        let dir = ScratchDirectory()
        #expect(try scanBytes(flacStream, dir: dir).format == .flac)
        let store = jumbfStore(totalSize: 64)
        let p = try embedViaPlan(store, into: flacStream, dir: dir)
        #expect(p.output == c2paRsTag(store) + flacStream)
        #expect(p.plan.excludedRange == 63..<(63 + 64))
        let scan = try scanBytes(p.output, dir: dir)
        #expect(scan.format == .flac)
        #expect(scan.manifestStore == store)
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == flacStream)
    }

    @Test(arguments: [false, true])
    func reEmbeddingReplacesTheStoreInPlaceSoTheTagHoldsOneStore(tagged: Bool) throws {
        let dir = ScratchDirectory()
        let input = tagged ? id3Tag(major: 3, tit2v23 + tpe1v23 + [0, 0, 0, 0]) + mpegAudio : mpegAudio
        let first = try embedViaPlan(jumbfStore(totalSize: 500, seed: 1), into: input, dir: dir, name: "a")
        let newStore = jumbfStore(totalSize: 90, seed: 2)
        let second = try embedViaPlan(newStore, into: first.output, dir: dir, name: "b")
        let fresh = try embedViaPlan(newStore, into: input, dir: dir, name: "c")
        #expect(second.output == fresh.output)
        #expect(second.plan.excludedRange == fresh.plan.excludedRange)
        let scan = try scanBytes(second.output, dir: dir)
        #expect(scan.manifestStore == newStore)
        #expect(scan.segments.filter { $0.name == "GEOB" }.count == 1)
    }

    @Test func anOldC2PAFrameBetweenOtherFramesIsReplacedWhereItWas() throws {
        let dir = ScratchDirectory()
        let old = id3v23Frame("GEOB", geobBody(mime: "application/x-c2pa-manifest-store", object: jumbfStore(totalSize: 80)))
        let input = id3Tag(major: 3, tit2v23 + old + tpe1v23) + mpegAudio
        #expect(try scanBytes(input, dir: dir).manifestStore == jumbfStore(totalSize: 80))
        let store = jumbfStore(totalSize: 95, seed: 8)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == id3Tag(major: 3, tit2v23 + id3v23Frame("GEOB", geobBody(object: store)) + tpe1v23) + mpegAudio)
        #expect(try embedViaPlan(nil, into: input, dir: dir, name: "r").output == id3Tag(major: 3, tit2v23 + tpe1v23) + mpegAudio)
    }

    @Test func otherGEOBFramesAreNotStoresAndAreKept() throws {
        let dir = ScratchDirectory()
        let other = id3v24Frame("GEOB", geobBody(mime: "application/octet-stream", object: jumbfStore(totalSize: 60)))
        // The spec's 'application/jumbf' is not what c2pa-rs reads either.
        let jumbf = id3v24Frame("GEOB", geobBody(mime: "application/jumbf", filename: [0], description: Array("c2pa".utf8) + [0],
                                                 object: jumbfStore(totalSize: 61)))
        let upper = id3v24Frame("GEOB", geobBody(mime: "APPLICATION/C2PA", object: jumbfStore(totalSize: 62)))
        let input = id3Tag(major: 4, other + jumbf + upper) + mpegAudio
        let scan = try scanBytes(input, dir: dir)
        #expect(scan.manifestStore == nil)
        #expect(scan.storeRanges.isEmpty)
        let store = jumbfStore(totalSize: 70)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == id3Tag(major: 4, other + jumbf + upper + id3v24Frame("GEOB", geobBody(object: store))) + mpegAudio)
    }

    @Test func aGEOBWithUTF16NamesIsFoundWithTheObjectAfterTheTwoByteTerminators() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 88)
        // Encoding 1: UTF-16 with BOM; 'c2pa' then 00 00; an empty description is just 00 00 (FF FE then 00 00).
        let name: [UInt8] = [0xFF, 0xFE, 0x63, 0, 0x32, 0, 0x70, 0, 0x61, 0, 0, 0]
        let body = geobBody(filename: name, description: [0xFF, 0xFE, 0, 0], encoding: 1, object: store)
        let file = id3Tag(major: 3, id3v23Frame("GEOB", body)) + mpegAudio
        let scan = try scanBytes(file, dir: dir)
        #expect(scan.manifestStore == store)
        let start = Int64(file.count - mpegAudio.count - store.count)
        #expect(scan.storeRanges == [start..<(start + 88)])
    }

    @Test(arguments: [false, true])
    func aStoreTooLargeForAnID3TagIsRefusedWhenPlanning(tagged: Bool) throws {
        let dir = ScratchDirectory()
        let input = tagged ? id3Tag(major: 4, tit2v24) + mpegAudio : mpegAudio
        let reader = try FileReader(path: try dir.write("a.mp3", input))
        let scan = try AssetContainer.scan(reader)
        // A tag's size is a 28-bit syncsafe integer: at most 256 MiB.
        #expect(mediaErrorCode { _ = try AssetContainer.plan(reader, scan: scan, storeSize: 1 << 28) } == .storeTooLarge)
        #expect(mediaErrorCode { _ = try AssetContainer.plan(reader, scan: scan, storeSize: 1 << 20) } == nil)
    }

    /// The extended header is dropped when the frame goes in: its CRC (if any) would no longer hold, and c2pa-rs
    /// 0.91.3 finds no store in a v2.3 tag that keeps one. Removing the store then leaves the tag without it.
    @Test(arguments: [UInt8(3), 4])
    func anExtendedHeaderIsDroppedAndTheFrameGoesAfterTheLastFrame(major: UInt8) throws {
        let dir = ScratchDirectory()
        // v2.3: size (excluding itself) 6, flags, padding size; v2.4: syncsafe size 6 (including itself), 1 flag byte, 0 flags.
        let ext: [UInt8] = major == 3 ? be32(6) + [0, 0] + be32(4) : syncsafe32(6) + [1, 0]
        let frame = major == 3 ? tit2v23 : tit2v24
        let input = id3Tag(major: major, flags: 0x40, ext + frame + [0, 0, 0, 0]) + mpegAudio
        let before = try scanBytes(input, dir: dir)
        #expect(before.segments.map(\.name) == ["ID3", "ID3ext", "TIT2", "PADDING", "AUDIO"])
        let store = jumbfStore(totalSize: 75)
        let geob = major == 3 ? id3v23Frame("GEOB", geobBody(object: store)) : id3v24Frame("GEOB", geobBody(object: store))
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == id3Tag(major: major, flags: 0, frame + geob + [0, 0, 0, 0]) + mpegAudio)
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == id3Tag(major: major, flags: 0, frame + [0, 0, 0, 0]) + mpegAudio)
    }

    // MARK: Hostile input

    @Test func aTagSizeThatIsNotSyncsafeOrRunsPastTheFileIsRefused() throws {
        let dir = ScratchDirectory()
        var notSyncsafe = id3Tag(major: 4, tit2v24) + mpegAudio
        notSyncsafe[8] = 0x80
        #expect(mediaErrorCode { _ = try scanBytes(notSyncsafe, dir: dir) } == .corrupt)
        var past = id3Tag(major: 4, tit2v24) + mpegAudio
        past.replaceSubrange(6..<10, with: syncsafe32(100_000))
        #expect(mediaErrorCode { _ = try scanBytes(past, dir: dir) } == .truncated)
        let badVersion = Array("ID3".utf8) + [5, 0, 0] + syncsafe32(tit2v24.count) + tit2v24 + mpegAudio
        #expect(mediaErrorCode { _ = try scanBytes(badVersion, dir: dir) } == .corrupt)
    }

    @Test func frameSizesThatOverflowTheTagOrAreNotSyncsafeAreRefused() throws {
        let dir = ScratchDirectory()
        // v2.3: a 32-bit size of 0xFFFFFFFF, and one just 1 byte too large for the tag.
        let huge = Array("TIT2".utf8) + [0xFF, 0xFF, 0xFF, 0xFF, 0, 0] + [0, 0x41]
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 3, huge) + mpegAudio, dir: dir) } == .corrupt)
        let oneOver = Array("TIT2".utf8) + be32(3) + [0, 0] + [0, 0x41]
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 3, tpe1v23 + oneOver) + mpegAudio, dir: dir) } == .corrupt)
        // v2.4: a frame size with the high bit set in a byte is not syncsafe.
        let unsafe = Array("TIT2".utf8) + [0, 0, 0, 0x86] + [0, 0] + [3, 0x41, 0x42, 0x43, 0x44, 0x45]
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, unsafe) + mpegAudio, dir: dir) } == .corrupt)
        // A C2PA GEOB whose size stops inside its strings (underflow): refused, not read past the frame.
        let cut = id3v24Frame("GEOB", [3] + Array("application/c2pa".utf8) + [0] + Array("c2pa".utf8) + [0] + Array("c2pa man".utf8))
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, cut + tit2v24) + mpegAudio, dir: dir) } == .corrupt)
    }

    @Test func zeroSizeFramesAndInvalidFrameIDsAreRefused() throws {
        let dir = ScratchDirectory()
        let zero = Array("TIT2".utf8) + [0, 0, 0, 0, 0, 0]
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, zero + tit2v24) + mpegAudio, dir: dir) } == .corrupt)
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 3, tit2v23 + zero) + mpegAudio, dir: dir) } == .corrupt)
        let lower = id3v24Frame("tit2", [3, 0x41])
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, lower) + mpegAudio, dir: dir) } == .corrupt)
    }

    @Test func aC2PAGEOBWithUnterminatedStringsOrWithoutAStoreIsRefused() throws {
        let dir = ScratchDirectory()
        // The description never ends: no NUL before the end of the frame.
        let noNul = id3v24Frame("GEOB", [3] + Array("application/c2pa".utf8) + [0] + Array("c2pa".utf8) + [0]
            + [UInt8](repeating: 0x41, count: 300))
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, noNul) + mpegAudio, dir: dir) } == .corrupt)
        // UTF-16 names with only single NUL bytes.
        let oddNul = id3v24Frame("GEOB", [1] + Array("application/c2pa".utf8) + [0] + [0xFF, 0xFE, 0x63, 0, 0x32] + [0])
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, oddNul) + mpegAudio, dir: dir) } == .corrupt)
        // An unknown text encoding.
        let badEncoding = id3v24Frame("GEOB", geobBody(encoding: 9, object: jumbfStore(totalSize: 50)))
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, badEncoding) + mpegAudio, dir: dir) } == .corrupt)
        // The strings end but no object follows, or the object is not a C2PA store.
        let empty = id3v24Frame("GEOB", geobBody(object: []))
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, empty) + mpegAudio, dir: dir) } == .corrupt)
        let junk = id3v24Frame("GEOB", geobBody(object: Array("junk that is not JUMBF".utf8)))
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, junk) + mpegAudio, dir: dir) } == .corrupt)
    }

    @Test func twoC2PAGEOBFramesAreRefused() throws {
        let dir = ScratchDirectory()
        let a = id3v24Frame("GEOB", geobBody(object: jumbfStore(totalSize: 50, seed: 1)))
        let b = id3v24Frame("GEOB", geobBody(mime: "application/x-c2pa-manifest-store", description: Array("other".utf8) + [0],
                                             object: jumbfStore(totalSize: 50, seed: 2)))
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, a + b) + mpegAudio, dir: dir) } == .multipleStores)
        #expect(mediaErrorCode { _ = try scanBytes(id3Tag(major: 4, a + tit2v24 + a) + mpegAudio, dir: dir) } == .multipleStores)
    }

    @Test func tagsThatCannotCarryAFrameAreRefusedForWriting() throws {
        let dir = ScratchDirectory()
        // ID3v2.2 (3-letter IDs, 24-bit sizes): scans, cannot take a GEOB.
        let v22 = id3Tag(major: 2, Array("TT2".utf8) + [0, 0, 3, 0, 0x48, 0x69]) + mpegAudio
        #expect(try scanBytes(v22, dir: dir).format == .mp3)
        #expect(mediaErrorCode { _ = try embedViaPlan(jumbfStore(totalSize: 50), into: v22, dir: dir) } == .unsupportedFormat)
        // Tag-level unsynchronisation.
        let unsync = id3Tag(major: 3, flags: 0x80, tit2v23) + mpegAudio
        #expect(mediaErrorCode { _ = try embedViaPlan(jumbfStore(totalSize: 50), into: unsync, dir: dir, name: "u") } == .unsupportedFormat)
        // Neither ID3 nor an MPEG frame nor fLaC.
        #expect(mediaErrorCode { _ = try scanBytes(Array("hello, world! this is text".utf8), dir: dir) } == .unsupportedFormat)
    }

    @Test func aTagOfManyTinyFramesIsScannedInBoundedTime() throws {
        let dir = ScratchDirectory()
        let frame = id3v24Frame("TXXX", [0])
        var body: [UInt8] = []
        body.reserveCapacity(frame.count * 200_000)
        for _ in 0..<200_000 { body += frame }
        let path = try dir.write("many.mp3", id3Tag(major: 4, body) + mpegAudio)
        var scan: AssetScan?
        let seconds = try secondsTaken { scan = try AssetContainer.scan(FileReader(path: path)) }
        #expect(scan?.segments.count == 200_002)
        #expect(seconds < 10, "took \(seconds) s")
    }

    // MARK: Detection

    @Test func anMP3WithAWrongOrMissingExtensionStillScansAndMP3IsNotFLAC() throws {
        let dir = ScratchDirectory()
        let file = c2paRsTag(jumbfStore(totalSize: 48)) + mpegAudio
        for name in ["song.wav", "song.flac", "song"] {
            let scan = try scanBytes(file, dir: dir, name: name)
            #expect(scan.format == .mp3, "\(name)")
            #expect(scan.manifestStore != nil)
        }
        let mp3 = try dir.write("a.mp3", file)
        #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: mp3), format: .flac) } == .unsupportedFormat)
        #expect(try AssetContainer.scan(FileReader(path: mp3), format: .mp3).format == .mp3)
        let flac = try dir.write("a.flac", c2paRsTag(jumbfStore(totalSize: 48)) + flacStream)
        #expect(try AssetContainer.scan(FileReader(path: flac), format: .flac).format == .flac)
        #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: flac), format: .mp3) } == .unsupportedFormat)
        #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: flac), format: .wav) } == .unsupportedFormat)
    }
}
