import Foundation
import Testing
@testable import SignetMedia

@Suite struct JPEGTests {
    @Test(arguments: [56, 70_000, 300_000])
    func insertedStoreScansBackIdenticalWithExactRangesAndHashedBytes(storeSize: Int) throws {
        let dir = ScratchDirectory()
        let input = makeJPEG()
        let store = jumbfStore(totalSize: storeSize)
        let w = try insert(store, into: input, dir: dir, name: "out.jpg")

        let encodedSize = AssetContainer.encodedStoreSize(storeSize: store.count, format: .jpeg)
        #expect(w.range.count == encodedSize)
        // Inserted right after SOI + APP0, as c2pa-rs does.
        let expectedStart = Int64(2 + jfifAPP0.count)
        #expect(w.range == expectedStart..<(expectedStart + Int64(encodedSize)))
        #expect(w.output.count == input.count + encodedSize)
        #expect(w.hashed == w.output.removing(w.range))
        #expect(w.hashed == input)

        let scan = try AssetContainer.scan(FileReader(path: w.path))
        #expect(scan.format == .jpeg)
        #expect(scan.manifestStore == store)
        #expect(scan.storeRanges == [w.range])
        #expect(scan.insertionOffset == w.range.lowerBound)
        let packets = scan.segments.filter(\.isC2PA)
        #expect(packets.count == (storeSize + 63_999) / 64_000)
        #expect(packets.allSatisfy { $0.name == "APP11" && $0.marker == 0xEB })
        #expect(packets.first?.range.lowerBound == w.range.lowerBound)
        #expect(packets.last?.range.upperBound == w.range.upperBound)
        // c2pa-rs packet layout: CI 'JP', En 0x0211, Z from 1.
        let first = Int(w.range.lowerBound)
        #expect(Array(w.output[first..<(first + 12)]) == [0xFF, 0xEB] + be16(min(storeSize, 64_000) + 10) + [0x4A, 0x50, 0x02, 0x11, 0, 0, 0, 1])
        #expect(AssetContainer.insertionRangeInOutput(scan: try AssetContainer.scan(FileReader(path: dir.file("out.jpg.in"))), encodedStoreSize: encodedSize) == w.range)
    }

    @Test func encodedSizesMatchTheEncodingAtPacketBoundaries() throws {
        for size in [46, 63_999, 64_000, 64_001, 128_000, 128_001] {
            let encoded = try AssetContainer.encodeStore(jumbfStore(totalSize: size), format: .jpeg)
            #expect(encoded.count == AssetContainer.encodedStoreSize(storeSize: size, format: .jpeg))
        }
        #expect(AssetContainer.encodedStoreSize(storeSize: Int.max, format: .jpeg) == Int.max)
        #expect(AssetContainer.encodedStoreSize(storeSize: Int.max, format: .png) == Int.max)
    }

    @Test func continuationPacketsRepeatTheBoxHeaderAndAreNumberedSequentially() throws {
        let store = jumbfStore(totalSize: 130_000)
        let encoded = try AssetContainer.encodeStore(store, format: .jpeg)
        #expect(encoded.count == AssetContainer.encodedStoreSize(storeSize: store.count, format: .jpeg))
        // Packet 2 starts after packet 1 (2 + Lp bytes).
        let lp1 = Int(encoded[2]) << 8 | Int(encoded[3])
        let p2 = 2 + lp1
        #expect(Array(encoded[p2..<(p2 + 20)]) == [0xFF, 0xEB] + be16(64_000 + 18) + [0x4A, 0x50, 0x02, 0x11, 0, 0, 0, 2] + Array(store[0..<8]))
        #expect(Array(encoded[(p2 + 20)..<(p2 + 30)]) == Array(store[64_000..<64_010]))
    }

    @Test func rewritingReplacesTheExistingStoreInPlace() throws {
        let dir = ScratchDirectory()
        let input = makeJPEG(app0: false, extra: exifAPP1)
        let first = try insert(jumbfStore(totalSize: 70_000, seed: 1), into: input, dir: dir, name: "a.jpg")
        #expect(first.range.lowerBound == 2)  // no APP0: right after SOI
        let newStore = jumbfStore(totalSize: 500, seed: 9)
        let second = try insert(newStore, into: first.output, dir: dir, name: "b.jpg")
        #expect(second.range.lowerBound == 2)
        #expect(second.hashed == input)
        let scan = try AssetContainer.scan(FileReader(path: second.path))
        #expect(scan.manifestStore == newStore)
        #expect(scan.storeRanges == [second.range])
        #expect(scan.segments.filter(\.isC2PA).count == 1)
        #expect(second.output.count == input.count + AssetContainer.encodedStoreSize(storeSize: 500, format: .jpeg))

        // An empty encoded store removes the store: the original file comes back.
        let reader = try FileReader(path: second.path)
        let out = try OutputFile(destination: dir.file("stripped.jpg"), overwrite: false)
        let range = try AssetContainer.write(from: reader, scan: try AssetContainer.scan(reader), insertingEncodedStore: [], to: out) { _ in }
        try out.commit()
        #expect(range == 2..<2)
        #expect(try readAll(dir.file("stripped.jpg")) == input)
    }

    @Test func nonC2PAAPP11SegmentsAreKeptUntouched() throws {
        let dir = ScratchDirectory()
        // A JUMBF box of another standard (different UUID and label), a c2pa-labelled box with the wrong UUID,
        // and an APP11 that is not a JPEG XT packet at all.
        let otherStore = jumbfStore(payloadSize: 20, label: "jp360", uuid: [UInt8](repeating: 7, count: 16))
        let other = segment(0xEB, [0x4A, 0x50, 0x00, 0x01, 0, 0, 0, 1] + otherStore)
        let fakeLabel = segment(0xEB, [0x4A, 0x50, 0x00, 0x02, 0, 0, 0, 1] + jumbfStore(payloadSize: 4, uuid: [UInt8](repeating: 1, count: 16)))
        let notXT = segment(0xEB, Array("hello".utf8))
        let input = makeJPEG(extra: other + fakeLabel + notXT)
        let store = jumbfStore(totalSize: 100)
        let w = try insert(store, into: input, dir: dir, name: "o.jpg")
        #expect(w.hashed == input)
        let scan = try AssetContainer.scan(FileReader(path: w.path))
        #expect(scan.manifestStore == store)
        let app11 = scan.segments.filter { $0.name == "APP11" }
        #expect(app11.count == 4)
        #expect(app11.filter(\.isC2PA).count == 1)
        // The scan of the input finds no store and keeps all three.
        let before = try scanBytes(input, dir: dir)
        #expect(before.manifestStore == nil)
        #expect(before.storeRanges.isEmpty)
        #expect(before.segments.filter { $0.name == "APP11" && !$0.isC2PA }.count == 3)
    }

    @Test func segmentsCoverFillBytesRestartMarkersProgressiveScansAndTrailingData() throws {
        let dir = ScratchDirectory()
        let scan2 = segment(0xDA, [1, 1, 0x00, 1, 5, 0])
        var bytes: [UInt8] = [0xFF, 0xD8] + jfifAPP0 + [0xFF, 0xFF] + dqt + sof0 + dht + sos + ecs
        bytes += [0xFF, 0xFF] + dht + scan2 + [0x01, 0x02] + [0xFF, 0x01] + [0xFF, 0xFE] + be16(4) + [0x41, 0x42]
        bytes += [0xFF, 0xD5] + [0xFF, 0xFF, 0xFF] + eoi + Array("trailer".utf8)
        let scan = try scanBytes(bytes, dir: dir)
        let names = scan.segments.map(\.name)
        #expect(names == ["SOI", "APP0", "DQT", "SOF0", "DHT", "SOS", "ECS", "DHT", "SOS", "ECS", "TEM", "COM", "RST5", "EOI", "TRAILING"])
        // Contiguous and complete.
        #expect(scan.segments.first?.range.lowerBound == 0)
        #expect(scan.segments.last?.range.upperBound == Int64(bytes.count))
        for (a, b) in zip(scan.segments, scan.segments.dropFirst()) { #expect(a.range.upperBound == b.range.lowerBound) }
        // The ECS of the first scan spans the stuffed bytes and restart markers.
        let firstECS = try #require(scan.segments.first { $0.name == "ECS" })
        #expect(firstECS.range.count == ecs.count)
        // Fill bytes belong to the following segment.
        let dqtSeg = try #require(scan.segments.first { $0.name == "DQT" })
        #expect(dqtSeg.range.count == dqt.count + 2)
        #expect(scan.segmentsComplete)
        #expect(scan.insertionOffset == Int64(2 + jfifAPP0.count))
    }

    @Test func headerOnlyScanStopsAfterTheFirstSOS() throws {
        let dir = ScratchDirectory()
        let bytes = makeJPEG()
        let scan = try scanBytes(bytes, dir: dir, includeImageData: false)
        #expect(scan.segments.last?.name == "SOS")
        #expect(!scan.segmentsComplete)
        // Even a file cut inside the entropy data scans in header-only mode.
        let cut = Array(bytes.dropLast(4))
        #expect(try scanBytes(cut, dir: dir, includeImageData: false).segments.count == scan.segments.count)
        #expect(mediaErrorCode { _ = try scanBytes(cut, dir: dir) } == .truncated)
    }

    @Test func everyStrictPrefixOfAJPEGWithAStoreThrowsAMediaError() throws {
        let dir = ScratchDirectory()
        let w = try insert(jumbfStore(totalSize: 200), into: makeJPEG(), dir: dir, name: "p.jpg")
        let path = dir.file("prefix")
        for n in 0..<w.output.count {
            try Data(w.output[0..<n]).write(to: URL(fileURLWithPath: path))
            let code = mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path)) }
            #expect(code != nil, "prefix of \(n) bytes")
        }
    }

    @Test func prefixesOfAMultiPacketJPEGThrowAMediaError() throws {
        let dir = ScratchDirectory()
        let w = try insert(jumbfStore(totalSize: 140_000), into: makeJPEG(), dir: dir, name: "m.jpg")
        let scan = try AssetContainer.scan(FileReader(path: w.path))
        var cuts = Set(stride(from: 0, to: w.output.count, by: 4_999))
        for seg in scan.segments {
            for d in -3...3 { cuts.insert(Int(seg.range.lowerBound) + d); cuts.insert(Int(seg.range.upperBound) + d) }
        }
        let path = dir.file("prefix")
        for n in cuts.sorted() where n >= 0 && n < w.output.count {
            try Data(w.output[0..<n]).write(to: URL(fileURLWithPath: path))
            let code = mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path)) }
            #expect(code != nil, "prefix of \(n) bytes")
        }
    }

    @Test func bogusSegmentLengthsAreRejected() throws {
        let dir = ScratchDirectory()
        let tooShort = [0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01] + dqt + eoi
        #expect(mediaErrorCode { _ = try scanBytes(tooShort, dir: dir) } == .corrupt)
        let pastEnd = [0xFF, 0xD8, 0xFF, 0xFE, 0xFF, 0xF0, 0x41] + eoi
        #expect(mediaErrorCode { _ = try scanBytes(pastEnd, dir: dir) } == .truncated)
        let garbage = [0xFF, 0xD8] + jfifAPP0 + [0x12, 0x34] + eoi
        #expect(mediaErrorCode { _ = try scanBytes(garbage, dir: dir) } == .corrupt)
        let stuffedAtTopLevel = [0xFF, 0xD8, 0xFF, 0x00] + eoi
        #expect(mediaErrorCode { _ = try scanBytes(stuffedAtTopLevel, dir: dir) } == .corrupt)
        let secondSOI = [0xFF, 0xD8, 0xFF, 0xD8] + eoi
        #expect(mediaErrorCode { _ = try scanBytes(secondSOI, dir: dir) } == .corrupt)
        #expect(mediaErrorCode { _ = try scanBytes(Array("not an image".utf8), dir: dir) } == .unsupportedFormat)
        #expect(mediaErrorCode { _ = try scanBytes(makePNG(), dir: dir, name: "x").format == .png } == nil)
        let path = try dir.write("png", makePNG())
        #expect(mediaErrorCode { _ = try AssetContainer.scan(FileReader(path: path), format: .jpeg) } == .unsupportedFormat)
    }

    /// Splits an encoded multi-packet store into its APP11 packets.
    private func packets(_ encoded: [UInt8]) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var i = 0
        while i < encoded.count {
            let lp = Int(encoded[i + 2]) << 8 | Int(encoded[i + 3])
            result.append(Array(encoded[i..<(i + 2 + lp)]))
            i += 2 + lp
        }
        return result
    }

    @Test func outOfOrderOrMissingPacketsAreCorrupt() throws {
        let dir = ScratchDirectory()
        let p = packets(try AssetContainer.encodeStore(jumbfStore(totalSize: 150_000), format: .jpeg))
        #expect(p.count == 3)
        let ok = makeJPEG(extra: p[0] + p[1] + p[2])
        #expect(try scanBytes(ok, dir: dir).manifestStore == jumbfStore(totalSize: 150_000))
        #expect(mediaErrorCode { _ = try scanBytes(makeJPEG(extra: p[0] + p[2] + p[1]), dir: dir) } == .corrupt)
        #expect(mediaErrorCode { _ = try scanBytes(makeJPEG(extra: p[0] + p[2]), dir: dir) } == .corrupt)
        #expect(mediaErrorCode { _ = try scanBytes(makeJPEG(extra: p[0] + p[1]), dir: dir) } == .corrupt)
        #expect(mediaErrorCode { _ = try scanBytes(makeJPEG(extra: p[1] + p[0] + p[2]), dir: dir) } == .corrupt)
        // A continuation whose repeated header differs from the first packet's.
        var bad = p[1]
        bad[12] ^= 0x01
        #expect(mediaErrorCode { _ = try scanBytes(makeJPEG(extra: p[0] + bad + p[2]), dir: dir) } == .corrupt)
    }

    @Test func twoC2PAStoresAreRejectedLikeC2paRs() throws {
        let dir = ScratchDirectory()
        let a = try AssetContainer.encodeStore(jumbfStore(totalSize: 100), format: .jpeg)
        var b = try AssetContainer.encodeStore(jumbfStore(totalSize: 120), format: .jpeg)
        b[7] = 0x12  // different En
        #expect(mediaErrorCode { _ = try scanBytes(makeJPEG(extra: a + b), dir: dir) } == .multipleStores)
        #expect(mediaErrorCode { _ = try scanBytes(makeJPEG(extra: a + a), dir: dir) } == .multipleStores)
    }

    @Test func storesOverTheLimitAreRejected() throws {
        let dir = ScratchDirectory()
        let enc = try AssetContainer.encodeStore(jumbfStore(totalSize: 70_000), format: .jpeg)
        #expect(mediaErrorCode { _ = try scanBytes(makeJPEG(extra: enc), dir: dir, maxStoreSize: 10_000) } == .storeTooLarge)
        #expect(try scanBytes(makeJPEG(extra: enc), dir: dir, maxStoreSize: 70_000).manifestStore?.count == 70_000)
    }

    @Test func storeAfterTheImageDataIsFoundAndReplacedWhereItWas() throws {
        let dir = ScratchDirectory()
        let enc = try AssetContainer.encodeStore(jumbfStore(totalSize: 300), format: .jpeg)
        let base = makeJPEG()
        let bytes = Array(base.dropLast(2)) + enc + eoi
        let scan = try scanBytes(bytes, dir: dir)
        #expect(scan.storeRanges == [Int64(base.count - 2)..<Int64(base.count - 2 + enc.count)])
        #expect(scan.insertionOffset == Int64(base.count - 2))
        let w = try insert(jumbfStore(totalSize: 400), into: bytes, dir: dir, name: "late.jpg")
        #expect(w.hashed == base)
    }
}

@Suite struct LargeJPEGTests {
    @Test func entropyDataOfManyMegabytesIsScannedInBoundedWindows() throws {
        let dir = ScratchDirectory()
        // 16 MiB of entropy-coded data: pseudo-random bytes with every 0xFF stuffed, and restart markers.
        let size = 16 << 20
        var data = [UInt8]()
        data.reserveCapacity(size + size / 128)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        var restart: UInt8 = 0
        while data.count < size {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let b = UInt8(truncatingIfNeeded: x)
            data.append(b)
            if b == 0xFF { data.append(0x00) }
            if data.count % 100_000 == 0 { data += [0xFF, 0xD0 + restart]; restart = (restart + 1) & 7 }
        }
        let head = [0xFF, 0xD8] + jfifAPP0 + dqt + sof0 + dht + sos
        let bytes = head + data + eoi
        let start = ContinuousClock.now
        let scan = try scanBytes(bytes, dir: dir)
        let elapsed = ContinuousClock.now - start
        let ecsSegment = try #require(scan.segments.first { $0.name == "ECS" })
        #expect(ecsSegment.range == Int64(head.count)..<Int64(head.count + data.count))
        #expect(scan.segments.last?.name == "EOI")
        #expect(elapsed < .seconds(120))
        print("scanned \(bytes.count) bytes of JPEG in \(elapsed)")
    }
}
