import Foundation
import Testing
@testable import SignetMedia

@Suite struct FormatTests {
    @Test func formatsAreDetectedFromMagicBytesMimeTypesAndExtensions() {
        #expect(AssetFormat.detect(prefix: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(AssetFormat.detect(prefix: pngSignature) == .png)
        #expect(AssetFormat.detect(prefix: Array(pngSignature.prefix(7))) == nil)
        #expect(AssetFormat.detect(prefix: [0xFF, 0xD8]) == nil)
        #expect(AssetFormat.detect(prefix: []) == nil)
        for s in ["image/jpeg", "JPG", "jpeg", ".jpg"] { #expect(AssetFormat.from(mimeOrExtension: s) == .jpeg) }
        for s in ["image/png", "png", ".PNG"] { #expect(AssetFormat.from(mimeOrExtension: s) == .png) }
        for s in ["image/gif", "GIF", ".gif"] { #expect(AssetFormat.from(mimeOrExtension: s) == .gif) }
        #expect(AssetFormat.detect(prefix: Array("GIF87a".utf8) + [1, 0]) == .gif)
        #expect(AssetFormat.detect(prefix: Array("GIF88a".utf8)) == nil)
        for s in ["image/tiff", "TIF", ".tiff"] { #expect(AssetFormat.from(mimeOrExtension: s) == .tiff) }
        for s in ["image/dng", "image/x-adobe-dng", ".DNG"] { #expect(AssetFormat.from(mimeOrExtension: s) == .dng) }
        for prefix: [UInt8] in [[0x49, 0x49, 42, 0], [0x4D, 0x4D, 0, 42], [0x49, 0x49, 43, 0], [0x4D, 0x4D, 0, 43]] {
            #expect(AssetFormat.detect(prefix: prefix + [8, 0, 0, 0]) == .tiff)
        }
        #expect(AssetFormat.detect(prefix: [0x49, 0x4D, 42, 0, 8, 0, 0, 0]) == nil)
        #expect(AssetFormat.from(mimeOrExtension: "image/svg+xml") == .svg && AssetFormat.from(mimeOrExtension: "application/pdf") == .pdf)
        #expect(AssetFormat.detect(prefix: Array("%PDF-1.7\n%".utf8)) == .pdf && AssetFormat.detect(prefix: Array(" %PDF-1.7".utf8)) == nil)
        #expect(AssetFormat.from(mimeOrExtension: "xcf") == nil && AssetFormat.pdf.mimeType == "application/pdf")
        #expect(AssetFormat.detect(prefix: Array("\u{FEFF}  <?xml v".utf8)) == .svg && AssetFormat.detect(prefix: Array("<svg x".utf8)) == .svg)
        #expect(AssetFormat.tiff.mimeType == "image/tiff" && AssetFormat.dng.mimeType == "image/dng")
        #expect(AssetFormat.jpeg.mimeType == "image/jpeg")
        #expect(AssetFormat.png.mimeType == "image/png")
    }

    @Test func encodeStoreRejectsBytesThatAreNotAWholeJUMBFSuperbox() {
        #expect(mediaErrorCode { _ = try AssetContainer.encodeStore([], format: .jpeg) } == .invalidArgument)
        #expect(mediaErrorCode { _ = try AssetContainer.encodeStore(Array(repeating: 0, count: 20), format: .png) } == .invalidArgument)
        var store = jumbfStore(totalSize: 60)
        store.append(0)
        #expect(mediaErrorCode { _ = try AssetContainer.encodeStore(store, format: .jpeg) } == .invalidArgument)
    }

    @Test func sidecarsAreReadAndNamedNextToTheAsset() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 80)
        let p = try dir.write("a.c2pa", store)
        #expect(try Sidecar.read(path: p) == store)
        #expect(mediaErrorCode { _ = try Sidecar.read(path: p, maxSize: 79) } == .storeTooLarge)
        let bad = try dir.write("b.c2pa", Array("not jumbf at all".utf8))
        #expect(mediaErrorCode { _ = try Sidecar.read(path: bad) } == .corrupt)
        let short = try dir.write("c.c2pa", Array(store.dropLast()))
        #expect(mediaErrorCode { _ = try Sidecar.read(path: short) } == .corrupt)
        #expect(mediaErrorCode { _ = try Sidecar.read(path: dir.file("missing.c2pa")) } == .notFound)
        #expect(Sidecar.path(forAsset: "photo.jpg") == "photo.c2pa")
        #expect(Sidecar.path(forAsset: "/x/y.d/photo.final.png") == "/x/y.d/photo.final.c2pa")
        #expect(Sidecar.path(forAsset: "dir.d/photo") == "dir.d/photo.c2pa")
        #expect(Sidecar.path(forAsset: ".hidden") == ".hidden.c2pa")
    }
}

@Suite struct FileReaderTests {
    @Test func openingDistinguishesMissingFilesDirectoriesAndReadsExactly() throws {
        let dir = ScratchDirectory()
        #expect(mediaErrorCode { _ = try FileReader(path: dir.file("nope")) } == .notFound)
        #expect(mediaErrorCode { _ = try FileReader(path: dir.path) } == .isDirectory)
        let p = try dir.write("f", Array(0..<100))
        // A reader over the same bytes in memory answers every read as the file reader does.
        for r in [try FileReader(path: p), FileReader(bytes: Array(0..<100), name: "in memory")] {
            #expect(r.size == 100)
            #expect(try r.read(at: 98, count: 2) == [98, 99])
            #expect(mediaErrorCode { _ = try r.read(at: 98, count: 3) } == .truncated)
            #expect(try r.readUpTo(at: 98, count: 10) == [98, 99])
            #expect(try r.readUpTo(at: 500, count: 10) == [])
            #expect(try r.readUpTo(at: 0, count: 0) == [])
            #expect(mediaErrorCode { _ = try r.read(at: -1, count: 1) } == .invalidArgument)
            var buffer = [UInt8](repeating: 0, count: 8)
            let filled = try r.fill(&buffer, at: 96)
            #expect(filled == 4 && Array(buffer.prefix(4)) == [96, 97, 98, 99])
        }
        let empty = FileReader(bytes: [], name: "empty")
        let nothing = try empty.readUpTo(at: 0, count: 5)
        #expect(empty.size == 0 && nothing.isEmpty)
    }

    @Test func streamExcludingHandlesUnsortedOverlappingAndOutOfRangeExclusions() throws {
        let dir = ScratchDirectory()
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        for r in [try FileReader(path: try dir.write("s", bytes)), FileReader(bytes: bytes, name: "in memory")] {
            try streamExcluding(r, bytes)
        }
    }

    func streamExcluding(_ r: FileReader, _ bytes: [UInt8]) throws {
        let exclusions: [Range<Int64>] = [500..<600, 10..<20, 15..<30, -50..<5, 990..<5000, 2000..<3000, 700..<700]
        var got: [UInt8] = []
        var chunks = 0
        try r.stream(excluding: exclusions, chunkSize: 64) { chunk in
            #expect(chunk.count <= 64)
            got.append(contentsOf: chunk)
            chunks += 1
        }
        let expected = (0..<1000).filter { i in !(i < 5 || (10..<30).contains(i) || (500..<600).contains(i) || i >= 990) }.map { bytes[$0] }
        #expect(got == expected)
        #expect(chunks >= expected.count / 64)
        var all: [UInt8] = []
        try r.stream(excluding: []) { all.append(contentsOf: $0) }
        #expect(all == bytes)
        var none = 0
        try r.stream(excluding: [Int64.min..<Int64.max]) { _ in none += 1 }
        #expect(none == 0)
        var part: [UInt8] = []
        try r.stream(range: 100..<250, chunkSize: 100) { part.append(contentsOf: $0) }
        #expect(part == Array(bytes[100..<250]))
        #expect(mediaErrorCode { try r.stream(range: 900..<1001) { _ in } } == .truncated)
    }

    @Test func streamingAFiftyMegabyteFileUsesBoundedChunksFromAtMostTwoBuffers() throws {
        let dir = ScratchDirectory()
        let path = dir.file("big")
        let size = 50 << 20
        // A sparse file: instant to create, reads back as zeros.
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
        let r = try FileReader(path: path)
        #expect(r.size == Int64(size))
        var calls = 0
        var total = 0
        var bases = Set<UnsafeRawPointer>()
        try r.stream(excluding: [0..<(1 << 20)]) { chunk in
            calls += 1
            total += chunk.count
            #expect(chunk.count <= 1 << 20)
            if let b = chunk.baseAddress { bases.insert(b) }
        }
        #expect(calls == 49)
        #expect(total == size - (1 << 20))
        // Two buffers alternate (one being read while the other is consumed); never one per chunk.
        #expect(bases.count <= 2)
    }
}

@Suite struct OutputFileTests {
    @Test func anExistingDestinationIsRefusedUnlessOverwriting() throws {
        let dir = ScratchDirectory()
        let dest = try dir.write("d", [1, 2, 3])
        #expect(mediaErrorCode { _ = try OutputFile(destination: dest, overwrite: false) } == .outputExists)
        #expect(mediaErrorCode { _ = try OutputFile(destination: dir.path, overwrite: true) } == .isDirectory)
        #expect(mediaErrorCode { _ = try OutputFile(destination: dir.file("no/such/dir"), overwrite: false) } == .notFound)
        let out = try OutputFile(destination: dest, overwrite: true)
        try out.write([9, 9])
        #expect(try readAll(dest) == [1, 2, 3])  // unchanged until commit
        try out.commit()
        #expect(try readAll(dest) == [9, 9])
        #expect(dir.contents() == ["d"])
    }

    @Test func destinationAppearingBeforeCommitIsNotClobbered() throws {
        let dir = ScratchDirectory()
        let out = try OutputFile(destination: dir.file("late"), overwrite: false)
        try out.write([1])
        try dir.write("late", [7])
        #expect(mediaErrorCode { try out.commit() } == .outputExists)
        #expect(try readAll(dir.file("late")) == [7])
        #expect(dir.contents() == ["late"])
    }

    @Test func discardAndDeinitLeaveNoTemporaryFileBehind() throws {
        let dir = ScratchDirectory()
        let out = try OutputFile(destination: dir.file("x"), overwrite: false)
        try out.write([1, 2, 3])
        #expect(dir.contents().count == 1)
        out.discard()
        #expect(dir.contents().isEmpty)
        #expect(mediaErrorCode { try out.write([1]) } == .writeFailed)
        do {
            let dropped = try OutputFile(destination: dir.file("y"), overwrite: false)
            try dropped.write([4])
            #expect(dir.contents().count == 1)
        }
        #expect(dir.contents().isEmpty)
    }

    @Test func pwritePatchesWrittenBytesOnly() throws {
        let dir = ScratchDirectory()
        let out = try OutputFile(destination: dir.file("p"), overwrite: false, mode: 0o600)
        try out.write([0, 0, 0, 0, 0])
        try out.pwrite([7, 8], at: 3)
        #expect(out.bytesWritten == 5)
        #expect(mediaErrorCode { try out.pwrite([1, 2], at: 4) } == .invalidArgument)
        #expect(mediaErrorCode { try out.pwrite([1], at: -1) } == .invalidArgument)
        try out.commit()
        #expect(try readAll(dir.file("p")) == [0, 0, 0, 7, 8])
        #expect(mediaErrorCode { try out.commit() } == .writeFailed)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.file("p"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func writeRefusesAFileThatChangedSinceTheScan() throws {
        let dir = ScratchDirectory()
        let p = try dir.write("in.jpg", makeJPEG())
        let scan = try AssetContainer.scan(FileReader(path: p))
        try dir.write("in.jpg", makeJPEG() + [0])
        let out = try OutputFile(destination: dir.file("o.jpg"), overwrite: false)
        let enc = try AssetContainer.encodeStore(jumbfStore(totalSize: 50), format: .jpeg)
        #expect(mediaErrorCode { _ = try AssetContainer.write(from: FileReader(path: p), scan: scan, insertingEncodedStore: enc, to: out) { _ in } } == .invalidArgument)
    }
}
