import Foundation
import Testing
@testable import SignetMedia

@Suite struct PNGTests {
    @Test(arguments: [56, 70_000, 300_000])
    func insertedStoreScansBackIdenticalWithExactRangesAndHashedBytes(storeSize: Int) throws {
        let dir = ScratchDirectory()
        let input = makePNG()
        let store = jumbfStore(totalSize: storeSize)
        let w = try insert(store, into: input, dir: dir, name: "out.png")
        #expect(w.range == 33..<Int64(33 + storeSize + 12))
        #expect(w.hashed == w.output.removing(w.range))
        #expect(w.hashed == input)
        #expect(Array(w.output[37..<41]) == Array("caBX".utf8))
        let scan = try AssetContainer.scan(FileReader(path: w.path))
        #expect(scan.format == .png)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [w.range])
        #expect(scan.segments.map(\.name) == ["PNGh", "IHDR", "caBX", "IDAT", "IEND"])
        #expect(scan.segments.filter(\.isC2PA).map(\.range) == [w.range])
    }

    @Test func rewritingReplacesTheStoreAndMovesItRightAfterIHDR() throws {
        let dir = ScratchDirectory()
        let old = pngChunk("caBX", jumbfStore(totalSize: 90))
        let input = makePNG(afterIDAT: old)  // store after the image data
        let scanBefore = try scanBytes(input, dir: dir)
        #expect(scanBefore.insertionOffset == 33)
        let encodedSize = AssetContainer.encodedStoreSize(storeSize: 200, format: .png)
        #expect(AssetContainer.insertionRangeInOutput(scan: scanBefore, encodedStoreSize: encodedSize) == 33..<Int64(33 + encodedSize))
        let store = jumbfStore(totalSize: 200, seed: 4)
        let w = try insert(store, into: input, dir: dir, name: "r.png")
        #expect(w.range == 33..<Int64(33 + encodedSize))
        #expect(w.hashed == makePNG())
        let scan = try AssetContainer.scan(FileReader(path: w.path))
        #expect(scan.manifestStore == store)
        #expect(scan.segments.filter { $0.name == "caBX" }.count == 1)
    }

    @Test func everyStrictPrefixOfAPNGWithAStoreThrowsAMediaError() throws {
        let dir = ScratchDirectory()
        let w = try insert(jumbfStore(totalSize: 120), into: makePNG(), dir: dir, name: "p.png")
        let path = dir.file("prefix")
        for n in 0..<w.output.count {
            try Data(w.output[0..<n]).write(to: URL(fileURLWithPath: path))
            let code = mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path)) }
            #expect(code != nil, "prefix of \(n) bytes")
        }
    }

    @Test func malformedChunksAreRejected() throws {
        let dir = ScratchDirectory()
        let hugeLength = pngSignature + ihdr + [0x80, 0, 0, 0] + Array("IDAT".utf8) + pngChunk("IEND", [])
        #expect(mediaErrorCode { _ = try scanBytes(hugeLength, dir: dir) } == .corrupt)
        let pastEnd = pngSignature + ihdr + be32(1000) + Array("IDAT".utf8) + [1, 2, 3]
        #expect(mediaErrorCode { _ = try scanBytes(pastEnd, dir: dir) } == .truncated)
        let noIHDR = pngSignature + pngChunk("IDAT", [1]) + pngChunk("IEND", [])
        #expect(mediaErrorCode { _ = try scanBytes(noIHDR, dir: dir) } == .corrupt)
        let badType = pngSignature + ihdr + pngChunk("ID@T", [1]) + pngChunk("IEND", [])
        #expect(mediaErrorCode { _ = try scanBytes(badType, dir: dir) } == .corrupt)
        let noIEND = pngSignature + ihdr + pngChunk("IDAT", [1])
        #expect(mediaErrorCode { _ = try scanBytes(noIEND, dir: dir) } == .truncated)
        var badCRC = pngChunk("caBX", jumbfStore(totalSize: 60))
        badCRC[badCRC.count - 1] ^= 0xFF
        #expect(mediaErrorCode { _ = try scanBytes(makePNG(extra: badCRC), dir: dir) } == .corrupt)
        let two = pngChunk("caBX", jumbfStore(totalSize: 60))
        #expect(mediaErrorCode { _ = try scanBytes(makePNG(extra: two + two), dir: dir) } == .multipleStores)
        #expect(mediaErrorCode { _ = try scanBytes(makePNG(extra: two), dir: dir, maxStoreSize: 59) } == .storeTooLarge)
    }

    @Test func trailingBytesAfterIENDAreReportedAndKept() throws {
        let dir = ScratchDirectory()
        let input = makePNG() + [1, 2, 3]
        let scan = try scanBytes(input, dir: dir)
        #expect(scan.segments.last == AssetSegment(name: "TRAILING", marker: nil, range: Int64(input.count - 3)..<Int64(input.count), isC2PA: false))
        let w = try insert(jumbfStore(totalSize: 50), into: input, dir: dir, name: "t.png")
        #expect(w.hashed == input)
    }

    @Test func crc32MatchesKnownVectors() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(CRC32.update(CRC32.update(0, Array("1234".utf8)), Array("56789".utf8)) == 0xCBF4_3926)
    }
}
