import Foundation
import Testing
@testable import SignetMedia

// MARK: - Helpers shared by the RIFF, ID3 and BMFF container tests

func littleEndian32(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)] }

func be64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * (7 - $0))) } }

/// What an embedding plan produced: the output, the bytes a one-exclusion data hash covers, and the plan.
struct Planned {
    var output: [UInt8]
    var hashed: [UInt8]
    var plan: EmbeddingPlan
    var path: String
}

/// Scans `input`, plans a store of `store`'s size (or the store's removal when `store` is nil), writes the output
/// through ``AssetContainer/write(from:plan:encodedStore:to:hashing:)`` and reads it back.
func embedViaPlan(_ store: [UInt8]?, into input: [UInt8], dir: ScratchDirectory, name: String = "out") throws -> Planned {
    let inPath = try dir.write(name + ".in", input)
    let reader = try FileReader(path: inPath)
    let scan = try AssetContainer.scan(reader)
    let plan = try AssetContainer.plan(reader, scan: scan, storeSize: store?.count)
    var encoded: [UInt8] = []
    if let store { encoded = try AssetContainer.encodeStore(store, for: scan) }
    #expect(encoded.count == plan.encodedStoreSize)
    if let store { #expect(try AssetContainer.encodedStoreSize(storeSize: store.count, for: scan) == encoded.count) }
    let outPath = dir.file(name)
    try? FileManager.default.removeItem(atPath: outPath)
    let out = try OutputFile(destination: outPath, overwrite: false)
    var hashed: [UInt8] = []
    try AssetContainer.write(from: reader, plan: plan, encodedStore: encoded, to: out) { hashed.append(contentsOf: $0) }
    try out.commit()
    let output = try readAll(outPath)
    #expect(Int64(output.count) == plan.outputSize)
    return Planned(output: output, hashed: hashed, plan: plan, path: outPath)
}

/// The MediaError thrown by `body`, or nil if it threw nothing or something else.
func mediaError(_ body: () throws -> Void) -> MediaError? {
    do {
        try body()
        return nil
    } catch let error as MediaError {
        return error
    } catch {
        return nil
    }
}

/// Runs `body` and returns how long it took, in seconds.
func secondsTaken(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

// MARK: - RIFF builders

func riffChunk(_ id: String, _ data: [UInt8], pad: Bool = true) -> [UInt8] {
    Array(id.utf8) + littleEndian32(data.count) + data + (pad && data.count & 1 == 1 ? [0] : [])
}

func riffList(_ type: String, _ chunks: [UInt8]) -> [UInt8] { riffChunk("LIST", Array(type.utf8) + chunks) }

/// A RIFF file whose size field counts the form type and `body`.
func riffFile(form: String = "WAVE", _ body: [UInt8]) -> [UInt8] {
    Array("RIFF".utf8) + littleEndian32(4 + body.count) + Array(form.utf8) + body
}

let wavFmt = riffChunk("fmt ", [1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0])

/// 16-bit mono samples.
func wavData(samples: Int = 101) -> [UInt8] {
    riffChunk("data", (0..<(samples * 2)).map { UInt8(truncatingIfNeeded: $0 &* 37) })
}

/// fmt, an odd-sized LIST/INFO (so a pad byte sits inside the file), data.
func makeWAV() -> [UInt8] {
    riffFile(wavFmt + riffList("INFO", riffChunk("ISFT", Array("Lavf5".utf8))) + wavData())
}

/// The bytes c2pa-rs appends to the first RIFF chunk for a store.
func c2paChunk(_ store: [UInt8]) -> [UInt8] { riffChunk("C2PA", store) }

/// `bytes` with the RIFF size field set to `size`.
func withRIFFSize(_ bytes: [UInt8], _ size: Int) -> [UInt8] {
    var b = bytes
    b.replaceSubrange(4..<8, with: littleEndian32(size))
    return b
}

@Suite struct RIFFContainerTests {
    @Test(arguments: [100, 101])
    func scanReportsTheC2PAChunkHeaderAndDataAsTheStoreRangeButNotItsPadByte(storeSize: Int) throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: storeSize)
        let body = wavFmt + wavData()
        let start = Int64(12 + body.count)
        let file = riffFile(body + c2paChunk(store))
        let scan = try scanBytes(file, dir: dir)
        #expect(scan.format == .wav)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [start..<(start + 8 + Int64(storeSize))])
        #expect(scan.carrierRanges == [start..<(start + 8 + Int64(storeSize + storeSize % 2))])
        #expect(scan.segments.map(\.name) == ["RIFF", "fmt ", "data", "C2PA"])
        #expect(scan.segments.filter(\.isC2PA).map(\.range) == scan.carrierRanges)
        #expect(scan.insertionOffset == Int64(file.count))
    }

    @Test(arguments: [100, 101])
    func embeddingAppendsTheChunkLastInTheFirstRIFFAndPatchesItsSizeAsC2paRsDoes(storeSize: Int) throws {
        let dir = ScratchDirectory()
        let input = makeWAV()
        let store = jumbfStore(totalSize: storeSize, seed: 3)
        let p = try embedViaPlan(store, into: input, dir: dir)
        // c2pa-rs: the chunk is the last child, the size field counts it and its pad byte.
        let expected = withRIFFSize(input, input.count - 8 + c2paChunk(store).count) + c2paChunk(store)
        #expect(p.output == expected)
        #expect(Int(p.output[4]) | Int(p.output[5]) << 8 | Int(p.output[6]) << 16 | Int(p.output[7]) << 24 == p.output.count - 8)
        // The exclusion is the chunk header and the store; the pad byte (if any) is hashed.
        let start = Int64(input.count)
        #expect(p.plan.excludedRange == start..<(start + 8 + Int64(storeSize)))
        #expect(p.plan.storeRange == start..<Int64(p.output.count))
        #expect(p.hashed == p.output.removing(p.plan.excludedRange))
        let scan = try scanBytes(p.output, dir: dir)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [p.plan.excludedRange])
        // Removing the store gives back the original bytes.
        let removed = try embedViaPlan(nil, into: p.output, dir: dir, name: "removed")
        #expect(removed.output == input)
        #expect(removed.plan.encodedStoreSize == 0)
        #expect(removed.plan.excludedRange.isEmpty)
        #expect(removed.hashed == input)
    }

    @Test func reEmbeddingReplacesTheStoreSoTheFileHoldsOneStore() throws {
        let dir = ScratchDirectory()
        let input = makeWAV()
        let first = try embedViaPlan(jumbfStore(totalSize: 301, seed: 1), into: input, dir: dir, name: "a")
        let newStore = jumbfStore(totalSize: 120, seed: 2)
        let second = try embedViaPlan(newStore, into: first.output, dir: dir, name: "b")
        let fresh = try embedViaPlan(newStore, into: input, dir: dir, name: "c")
        #expect(second.output == fresh.output)
        let scan = try scanBytes(second.output, dir: dir)
        #expect(scan.manifestStore == newStore)
        #expect(scan.segments.filter { $0.name == "C2PA" }.count == 1)
    }

    @Test func anOldC2PAChunkBeforeTheAudioIsRemovedAndTheNewOneAppendedAtTheEnd() throws {
        let dir = ScratchDirectory()
        let old = jumbfStore(totalSize: 77, seed: 5)
        let input = riffFile(wavFmt + c2paChunk(old) + wavData())
        #expect(try scanBytes(input, dir: dir).manifestStore == old)
        let store = jumbfStore(totalSize: 90, seed: 6)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == riffFile(wavFmt + wavData() + c2paChunk(store)))
        // Removal takes the chunk out wherever it is.
        #expect(try embedViaPlan(nil, into: input, dir: dir, name: "r").output == riffFile(wavFmt + wavData()))
    }

    @Test func aLastChunkMissingItsPadByteGetsOneBeforeTheStoreChunk() throws {
        let dir = ScratchDirectory()
        // 'data' of 5 bytes ends the file with no pad byte; the RIFF size counts no pad either.
        let input = riffFile(wavFmt + riffChunk("data", [1, 2, 3, 4, 5], pad: false))
        #expect(try scanBytes(input, dir: dir).format == .wav)
        let store = jumbfStore(totalSize: 60)
        let p = try embedViaPlan(store, into: input, dir: dir)
        let body = wavFmt + riffChunk("data", [1, 2, 3, 4, 5]) + c2paChunk(store)
        #expect(p.output == riffFile(body))
        #expect(p.plan.excludedRange.lowerBound == Int64(input.count + 1))
        #expect(try scanBytes(p.output, dir: dir).storeRanges == [p.plan.excludedRange])
    }

    @Test func bytesAfterTheRIFFChunkAreKeptAfterTheStore() throws {
        let dir = ScratchDirectory()
        let riff = makeWAV()
        let trailer = riffChunk("id3 ", Array("ID3 tag here".utf8))
        let input = riff + trailer
        let store = jumbfStore(totalSize: 80)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == withRIFFSize(riff, riff.count - 8 + 88) + c2paChunk(store) + trailer)
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    @Test func webPChunksAreKeptExactlyAndNoVP8XIsCreated() throws {
        let dir = ScratchDirectory()
        // A 17-byte VP8L (odd, with its pad byte) as in the c2pa-rs research sample.
        let input = riffFile(form: "WEBP", riffChunk("VP8L", [0x2F] + [UInt8](repeating: 0x11, count: 16)))
        let scan = try scanBytes(input, dir: dir)
        #expect(scan.format == .webp)
        let store = jumbfStore(totalSize: 64)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == withRIFFSize(input, input.count - 8 + 72) + c2paChunk(store))
        #expect(p.plan.excludedRange.lowerBound == 38)  // as c2pa-rs: C2PA at 38
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    @Test func aviStoresGoAfterIdx1InTheFirstRIFFChunk() throws {
        let dir = ScratchDirectory()
        let hdrl = riffList("hdrl", riffChunk("avih", [UInt8](repeating: 0, count: 56)))
        let movi = riffList("movi", riffChunk("00dc", [1, 2, 3]))
        let idx1 = riffChunk("idx1", [UInt8](repeating: 0, count: 16))
        let input = riffFile(form: "AVI ", hdrl + movi + idx1)
        #expect(try scanBytes(input, dir: dir).format == .avi)
        let store = jumbfStore(totalSize: 71)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(p.output == riffFile(form: "AVI ", hdrl + movi + idx1 + c2paChunk(store)))
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    @Test func anOpenDMLAVIWithAnAVIXContinuationScansButIsRefusedForWriting() throws {
        let dir = ScratchDirectory()
        let hdrl = riffList("hdrl", riffChunk("avih", [UInt8](repeating: 0, count: 56)))
        let movi = riffList("movi", riffChunk("00dc", [1, 2, 3]))
        let input = riffFile(form: "AVI ", hdrl + movi + riffChunk("idx1", [UInt8](repeating: 0, count: 16)))
        let store = jumbfStore(totalSize: 71)
        // The first RIFF is followed by RIFF 'AVIX' (a LIST 'movi' inside). Scanning works; rewriting is refused,
        // since the OpenDML super index holds absolute offsets into the continuation.
        let avix = Array("RIFF".utf8) + littleEndian32(4 + movi.count) + Array("AVIX".utf8) + movi
        let opendml = input + avix
        let scan = try scanBytes(opendml, dir: dir)
        #expect(scan.format == .avi)
        #expect(scan.segments.last?.range.upperBound == Int64(opendml.count))
        let error = mediaError { _ = try embedViaPlan(store, into: opendml, dir: dir, name: "o") }
        #expect(error?.code == .unsupportedFormat)
    }

    @Test func encodedSizesMatchTheEncoding() throws {
        for size in [46, 47, 100, 101] {
            let encoded = try AssetContainer.encodeStore(jumbfStore(totalSize: size), format: .wav)
            #expect(encoded.count == AssetContainer.encodedStoreSize(storeSize: size, format: .wav))
            #expect(Array(encoded.prefix(8)) == Array("C2PA".utf8) + littleEndian32(size))
        }
    }

    @Test func aStoreTooLargeForTheRIFFSizeFieldIsRefusedWhenPlanning() throws {
        let dir = ScratchDirectory()
        let reader = try FileReader(path: try dir.write("a.wav", makeWAV()))
        let scan = try AssetContainer.scan(reader)
        #expect(mediaErrorCode { _ = try AssetContainer.plan(reader, scan: scan, storeSize: Int(UInt32.max) - 100) } == .storeTooLarge)
        #expect(mediaErrorCode { _ = try AssetContainer.plan(reader, scan: scan, storeSize: 1 << 20) } == nil)
    }

    @Test func strayBytesAtTheEndOfTheRIFFChunkDoNotStopSigning() throws {
        let dir = ScratchDirectory()
        // c2pa-rs signs such a file (its riff crate drops the slack); fewer than 8 bytes cannot be a chunk.
        let input = riffFile(wavFmt + wavData() + [0, 0])
        let scan = try scanBytes(input, dir: dir)
        #expect(scan.format == .wav)
        let store = jumbfStore(totalSize: 64)
        let p = try embedViaPlan(store, into: input, dir: dir)
        #expect(try scanBytes(p.output, dir: dir).manifestStore == store)
        #expect(try embedViaPlan(nil, into: p.output, dir: dir, name: "r").output == input)
    }

    // MARK: Hostile input

    @Test func aRIFFSizeLargerThanTheFileIsRefused() throws {
        let dir = ScratchDirectory()
        let wav = makeWAV()
        #expect(mediaErrorCode { _ = try scanBytes(withRIFFSize(wav, wav.count), dir: dir) } == .truncated)
        #expect(mediaErrorCode { _ = try scanBytes(withRIFFSize(wav, 0xFFFF_FFFF), dir: dir) } == .truncated)
        #expect(mediaErrorCode { _ = try scanBytes(withRIFFSize(wav, 2), dir: dir) } == .corrupt)
    }

    @Test func everyStrictPrefixOfAStoreCarryingWAVIsRefused() throws {
        let dir = ScratchDirectory()
        let file = riffFile(wavFmt + wavData(samples: 8) + c2paChunk(jumbfStore(totalSize: 61)))
        let path = dir.file("prefix")
        for n in 0..<file.count {
            try Data(file[0..<n]).write(to: URL(fileURLWithPath: path))
            #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path)) } != nil, "prefix of \(n) bytes")
        }
    }

    @Test func aChildChunkRunningPastItsParentIsRefused() throws {
        let dir = ScratchDirectory()
        // A top-level child claiming more than the RIFF chunk holds.
        var pastRIFF = makeWAV()
        let dataAt = pastRIFF.count - wavData().count
        pastRIFF.replaceSubrange((dataAt + 4)..<(dataAt + 8), with: littleEndian32(10_000))
        #expect(mediaErrorCode { _ = try scanBytes(pastRIFF, dir: dir) } == .corrupt)
        // A chunk in a LIST claiming more than the LIST holds.
        let list = riffChunk("LIST", Array("INFO".utf8) + Array("ISFT".utf8) + littleEndian32(50) + [1, 2, 3, 4])
        #expect(mediaErrorCode { _ = try scanBytes(riffFile(wavFmt + list + wavData()), dir: dir) } == .corrupt)
    }

    @Test func listsNestedFortyDeepAreRefused() throws {
        let dir = ScratchDirectory()
        var inner = riffChunk("ISFT", [1, 2])
        for _ in 0..<40 { inner = riffList("INFO", inner) }
        #expect(mediaErrorCode { _ = try scanBytes(riffFile(wavFmt + inner + wavData()), dir: dir) } == .corrupt)
        // 30 deep is fine.
        var ok = riffChunk("ISFT", [1, 2])
        for _ in 0..<30 { ok = riffList("INFO", ok) }
        #expect(try scanBytes(riffFile(wavFmt + ok + wavData()), dir: dir).format == .wav)
    }

    @Test func aMillionTinyChunksAreRefusedQuickly() throws {
        let dir = ScratchDirectory()
        let count = RIFFContainer.maxChunks + 10
        var body = [UInt8]()
        body.reserveCapacity(count * 8)
        let junk = Array("JUNK".utf8) + [0, 0, 0, 0]
        for _ in 0..<count { body += junk }
        let path = try dir.write("many.wav", riffFile(body))
        var code: MediaError.Code?
        let seconds = secondsTaken { code = mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path)) } }
        #expect(code == .corrupt)
        #expect(seconds < 10, "took \(seconds) s")
    }

    @Test func aC2PAChunkNestedInAListOrOutsideTheFirstRIFFIsRefused() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 50)
        let nested = riffFile(wavFmt + riffList("INFO", c2paChunk(store)) + wavData())
        #expect(mediaErrorCode { _ = try scanBytes(nested, dir: dir) } == .corrupt)
        let after = makeWAV() + c2paChunk(store)
        #expect(mediaErrorCode { _ = try scanBytes(after, dir: dir) } == .corrupt)
        let inAVIX = makeWAV() + Array("RIFF".utf8) + littleEndian32(4 + 58) + Array("AVIX".utf8) + c2paChunk(store)
        #expect(mediaErrorCode { _ = try scanBytes(inAVIX, dir: dir) } == .corrupt)
    }

    @Test func twoC2PAChunksOrOneWithoutAStoreAreRefused() throws {
        let dir = ScratchDirectory()
        let two = riffFile(wavFmt + wavData() + c2paChunk(jumbfStore(totalSize: 50)) + c2paChunk(jumbfStore(totalSize: 52)))
        #expect(mediaErrorCode { _ = try scanBytes(two, dir: dir) } == .multipleStores)
        let garbage = riffFile(wavFmt + wavData() + riffChunk("C2PA", Array("not a jumbf box".utf8)))
        #expect(mediaErrorCode { _ = try scanBytes(garbage, dir: dir) } == .corrupt)
        let tooBig = riffFile(wavFmt + wavData() + c2paChunk(jumbfStore(totalSize: 500)))
        #expect(mediaErrorCode { _ = try scanBytes(tooBig, dir: dir, maxStoreSize: 400) } == .storeTooLarge)
    }

    @Test func otherRIFFFormsAreNotSupported() throws {
        let dir = ScratchDirectory()
        #expect(mediaErrorCode { _ = try scanBytes(riffFile(form: "CDXA", wavFmt), dir: dir) } == .unsupportedFormat)
        let path = try dir.write("x.wav", riffFile(form: "CDXA", wavFmt))
        #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path), format: .wav) } == .unsupportedFormat)
    }

    // MARK: Detection

    @Test func aWAVWithAWrongOrMissingExtensionStillScansAsWAV() throws {
        let dir = ScratchDirectory()
        let file = riffFile(wavFmt + wavData() + c2paChunk(jumbfStore(totalSize: 48)))
        for name in ["audio.mp3", "audio.jpg", "audio"] {
            let scan = try scanBytes(file, dir: dir, name: name)
            #expect(scan.format == .wav, "\(name)")
            #expect(scan.manifestStore != nil)
        }
        #expect(AssetFormat.detect(prefix: Array(file.prefix(16))) == .wav)
    }

    @Test func scanningAWAVAsMP3ReportsTheMismatch() throws {
        let dir = ScratchDirectory()
        let path = try dir.write("a.wav", makeWAV())
        let error = mediaError { _ = try AssetContainer.scan(FileReader(path: path), format: .mp3) }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.reason.contains("mp3") == true && error?.reason.contains("wav") == true, "\(String(describing: error))")
        // Another RIFF kind is a mismatch too.
        let webp = mediaError { _ = try AssetContainer.scan(FileReader(path: path), format: .webp) }
        #expect(webp?.code == .unsupportedFormat, "\(String(describing: webp))")
    }
}

/// Found by the libFuzzer media target (2026-12-07): a RIFF size that ends inside the first child's header.
@Test("A RIFF chunk that ends a few bytes into its first child lists its slack once, and the rest of the file after it")
func riffSlackBeforeTheFirstChildIsListedOnce() throws {
    let dir = ScratchDirectory()
    var file = Array("RIFF".utf8) + [5, 0, 0, 0] + Array("WAVEfmt ".utf8) + [16, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
    file += [UInt8](repeating: 0x41, count: 40)
    let scan = try scanBytes(file, dir: dir)
    var end: Int64 = 0
    for segment in scan.segments {
        #expect(segment.range.lowerBound == end, "\(scan.segments.map { ($0.name, $0.range) })")
        end = segment.range.upperBound
    }
    #expect(end == Int64(file.count))
}
