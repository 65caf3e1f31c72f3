import Foundation
import Testing

@testable import SignetImaging

@Suite("Bad input")
struct BadInputTests {
    @Test func missingFileAndDirectoryAreNotFound() {
        let dir = ScratchDirectory()
        #expect(errorCode { _ = try ImageCodec.decode(path: dir.path("nope.jpg")) } == .notFound)
        #expect(errorCode { _ = try ImageCodec.makeThumbnail(path: dir.path("nope.jpg")) } == .notFound)
        #expect(errorCode { _ = try ImageCodec.imageSize(path: dir.url.path) } == .notFound)
    }

    @Test func emptyTextAndOtherFormatsAreUnsupported() {
        let dir = ScratchDirectory()
        let files: [[UInt8]] = [[], Array("hello, world\n".utf8), Array("GIF89a".utf8) + [1, 0, 1, 0], [0x89, 0x50, 0x4E, 0x48]]
        for (i, bytes) in files.enumerated() {
            let path = dir.write("f\(i)", bytes)
            #expect(errorCode { _ = try ImageCodec.decode(path: path) } == .unsupportedFormat)
            #expect(errorCode { _ = try ImageCodec.makeThumbnail(path: path) } == .unsupportedFormat)
            #expect(errorCode { _ = try ImageCodec.imageSize(path: path) } == .unsupportedFormat)
        }
    }

    @Test func partialSignaturesAreTruncated() {
        let dir = ScratchDirectory()
        for bytes: [UInt8] in [[0xFF], [0xFF, 0xD8], [0x89, 0x50, 0x4E]] {
            let path = dir.write("sig", bytes)
            #expect(errorCode { _ = try ImageCodec.imageSize(path: path) } == .truncated)
        }
    }

    @Test func everyStrictPrefixOfAJPEGFailsStrictDecode() throws {
        let dir = ScratchDirectory()
        let jpeg = try sampleJPEG(width: 40, height: 24, quality: 70)
        let path = dir.path("prefix.jpg")
        for length in 0..<jpeg.count {
            dir.write("prefix.jpg", Array(jpeg.prefix(length)))
            let code = errorCode { _ = try ImageCodec.decode(path: path) }
            #expect(code != nil, "prefix of \(length) bytes decoded")
            if length > 3 {
                #expect(code == .truncated, "prefix of \(length) bytes: \(String(describing: code))")
            }
        }
        dir.write("prefix.jpg", jpeg)
        #expect(try ImageCodec.decode(path: path).width == 40)
    }

    @Test func prefixesOfJPEGsAndPNGsNeverCrashThumbnailsOrSizes() throws {
        let dir = ScratchDirectory()
        let rgb = SampleImage.generate(width: 48, height: 40, seed: 8)
        let inputs: [(String, [UInt8])] = [
            ("baseline.jpg", try ImageCodec.encodeJPEG(rgb, quality: 80)),
            ("progressive.jpg", try ImageCodec.encodeJPEGVariant(rgb.pixels, width: 48, height: 40, layout: .ycbcr, progressive: true, quality: 80)),
            ("plain.png", try ImageCodec.encodePNG(rgb)),
            ("adam7.png", PNGBuilder.make(width: 48, height: 40, colorType: 2, bitDepth: 8, interlaced: true) { y in
                Array(rgb.pixels[(y * 144)..<((y + 1) * 144)])
            }),
        ]
        for (name, bytes) in inputs {
            let path = dir.path(name)
            for length in stride(from: 0, to: bytes.count, by: 7) {
                dir.write(name, Array(bytes.prefix(length)))
                // Any outcome but a crash is fine: a thumbnail (lenient about cut pixel data) or a typed error.
                if let thumbnail = try? ImageCodec.makeThumbnail(path: path) {
                    #expect(thumbnail.jpeg.count < length, "\(name) prefix \(length)")
                    // full size, or halved to get below the (shorter) file size
                    #expect([48, 24, 12, 6].contains(thumbnail.width) && thumbnail.width * 5 == thumbnail.height * 6)
                }
                _ = try? ImageCodec.imageSize(path: path)
                #expect(errorCode { _ = try ImageCodec.decode(path: path) } != nil, "\(name) prefix \(length)")
            }
        }
    }

    @Test func everyStrictPrefixOfAPNGFailsStrictDecode() throws {
        let dir = ScratchDirectory()
        let png = try ImageCodec.encodePNG(SampleImage.generate(width: 12, height: 9, seed: 4))
        let path = dir.path("prefix.png")
        for length in 0..<png.count {
            dir.write("prefix.png", Array(png.prefix(length)))
            let code = errorCode { _ = try ImageCodec.decode(path: path) }
            if length == 0 {
                #expect(code == .unsupportedFormat)
            } else {
                #expect(code == .truncated, "prefix of \(length) bytes: \(String(describing: code))")
            }
        }
    }

    @Test func trailingBytesAfterTheImageAreIgnored() throws {
        let dir = ScratchDirectory()
        let image = SampleImage.generate(width: 20, height: 10, seed: 1)
        let junk = [UInt8](repeating: 0xAB, count: 100)
        let jpeg = try ImageCodec.encodeJPEG(image) + junk
        let png = try ImageCodec.encodePNG(image) + junk
        #expect(try ImageCodec.decode(path: dir.write("a.jpg", jpeg)).height == 10)
        #expect(try ImageCodec.decode(path: dir.write("a.png", png)) == image)
    }

    @Test func malformedJPEGHeadersAreCorruptOrUnsupported() throws {
        let dir = ScratchDirectory()
        let jpeg = try sampleJPEG(width: 32, height: 32)
        let sof = try #require(markerOffset(jpeg, 0xC0))
        let dht = try #require(markerOffset(jpeg, 0xC4))

        var precision12 = jpeg
        precision12[sof + 4] = 12
        var lossless = jpeg
        lossless[sof + 1] = 0xC3
        var zeroWidth = jpeg
        zeroWidth[sof + 7] = 0
        zeroWidth[sof + 8] = 0
        var badHuffman = jpeg
        for i in 0..<16 { badHuffman[dht + 5 + i] = 0xFF }
        var garbage: [UInt8] = [0xFF, 0xD8, 0xFF]
        var state: UInt64 = 42
        for _ in 0..<500 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            garbage.append(UInt8(truncatingIfNeeded: state >> 33))
        }

        #expect(errorCode { _ = try ImageCodec.decode(path: dir.write("p12.jpg", precision12)) } == .unsupportedFormat)
        #expect(errorCode { _ = try ImageCodec.decode(path: dir.write("sof3.jpg", lossless)) } == .unsupportedFormat)
        #expect(errorCode { _ = try ImageCodec.decode(path: dir.write("w0.jpg", zeroWidth)) } == .corrupt)
        #expect(errorCode { _ = try ImageCodec.makeThumbnail(path: dir.path("w0.jpg")) } == .corrupt)
        #expect(errorCode { _ = try ImageCodec.decode(path: dir.write("dht.jpg", badHuffman)) } == .corrupt)
        let garbageCode = errorCode { _ = try ImageCodec.decode(path: dir.write("junk.jpg", garbage)) }
        #expect(garbageCode == .corrupt || garbageCode == .truncated)
    }

    @Test func malformedPNGChunksAreCorrupt() throws {
        let dir = ScratchDirectory()
        let png = try ImageCodec.encodePNG(SampleImage.generate(width: 8, height: 8, seed: 1))
        var badCRC = png
        badCRC[29] ^= 0xFF  // last byte of the IHDR CRC
        let badDepth = PNGBuilder.signature
            + PNGBuilder.chunk("IHDR", PNGBuilder.be32(8) + PNGBuilder.be32(8) + [3, 2, 0, 0, 0])
            + PNGBuilder.chunk("IEND", [])
        let badZlib = PNGBuilder.signature
            + PNGBuilder.chunk("IHDR", PNGBuilder.be32(8) + PNGBuilder.be32(8) + [8, 2, 0, 0, 0])
            + PNGBuilder.chunk("IDAT", [0x78, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
            + PNGBuilder.chunk("IEND", [])
        for (name, bytes) in [("crc", badCRC), ("depth", badDepth), ("zlib", badZlib)] {
            let path = dir.write("\(name).png", bytes)
            #expect(errorCode { _ = try ImageCodec.decode(path: path) } == .corrupt, "\(name)")
            #expect(errorCode { _ = try ImageCodec.makeThumbnail(path: path) } == .corrupt, "\(name)")
        }
    }

    @Test func oversizedHeadersAreRefusedBeforeAllocatingButSizeIsReadable() throws {
        let dir = ScratchDirectory()
        var jpeg = try sampleJPEG(width: 32, height: 32)
        let sof = try #require(markerOffset(jpeg, 0xC0))
        for i in [5, 7] {  // height, width = 60000
            jpeg[sof + i] = 0xEA
            jpeg[sof + i + 1] = 0x60
        }
        let bigJPEG = dir.write("big.jpg", jpeg)
        #expect(try ImageCodec.imageSize(path: bigJPEG) == (60000, 60000))
        #expect(errorCode { _ = try ImageCodec.decode(path: bigJPEG) } == .tooLarge)
        #expect(errorCode { _ = try ImageCodec.makeThumbnail(path: bigJPEG) } == .tooLarge)

        let ihdr = PNGBuilder.be32(100_000) + PNGBuilder.be32(100_000) + [8, 2, 0, 0, 0]
        let bigPNG = dir.write("big.png", PNGBuilder.signature + PNGBuilder.chunk("IHDR", ihdr)
            + PNGBuilder.chunk("IDAT", [0x78, 0x01]) + PNGBuilder.chunk("IEND", []))
        #expect(try ImageCodec.imageSize(path: bigPNG) == (100_000, 100_000))
        #expect(errorCode { _ = try ImageCodec.decode(path: bigPNG) } == .tooLarge)
        #expect(errorCode { _ = try ImageCodec.makeThumbnail(path: bigPNG) } == .tooLarge)

        let small = dir.write("small.png", try ImageCodec.encodePNG(SampleImage.generate(width: 10, height: 10)))
        #expect(errorCode { _ = try ImageCodec.decode(path: small, maxPixels: 99) } == .tooLarge)
        #expect(errorCode { _ = try ImageCodec.decode(path: small, maxPixels: 0) } == .tooLarge)
        #expect(try ImageCodec.decode(path: small, maxPixels: 100).width == 10)
    }

    @Test func interlacedPNGAboveItsInMemoryLimitIsTooLarge() throws {
        let dir = ScratchDirectory()
        let ihdr = PNGBuilder.be32(8192) + PNGBuilder.be32(8192) + [8, 2, 0, 0, 1]
        let path = dir.write("adam7.png", PNGBuilder.signature + PNGBuilder.chunk("IHDR", ihdr)
            + PNGBuilder.chunk("IDAT", [0x78, 0x01]) + PNGBuilder.chunk("IEND", []))
        #expect(errorCode { _ = try ImageCodec.makeThumbnail(path: path) } == .tooLarge)
    }

    @Test func randomByteCorruptionNeverCrashes() throws {
        let dir = ScratchDirectory()
        let rgb = SampleImage.generate(width: 40, height: 30, seed: 6)
        let originals = [
            ("x.jpg", try ImageCodec.encodeJPEG(rgb, quality: 75)),
            ("y.jpg", try ImageCodec.encodeJPEGVariant(rgb.pixels, width: 40, height: 30, layout: .ycbcr, progressive: true, quality: 75)),
            ("z.png", try ImageCodec.encodePNG(rgb)),
        ]
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for (name, original) in originals {
            for _ in 0..<150 {
                var bytes = original
                for _ in 0..<(1 + next() % 4) {
                    bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next())
                }
                let path = dir.write(name, bytes)
                _ = try? ImageCodec.decode(path: path)
                _ = try? ImageCodec.makeThumbnail(path: path)
                _ = try? ImageCodec.imageSize(path: path)
            }
        }
    }

    @Test func imageSizeReadsOnlyTheHeaders() throws {
        let dir = ScratchDirectory()
        let jpeg = try sampleJPEG(width: 123, height: 45)
        let sos = try #require(markerOffset(jpeg, 0xDA))
        let sosLength = Int(jpeg[sos + 2]) << 8 | Int(jpeg[sos + 3])
        let headersOnly = dir.write("headers.jpg", Array(jpeg.prefix(sos + 2 + sosLength)))
        #expect(try ImageCodec.imageSize(path: headersOnly) == (123, 45))
        #expect(errorCode { _ = try ImageCodec.decode(path: headersOnly) } == .truncated)

        let png = try ImageCodec.encodePNG(SampleImage.generate(width: 67, height: 89))
        let idat = try #require((0..<(png.count - 4)).first { Array(png[$0..<($0 + 4)]) == Array("IDAT".utf8) })
        let pngHeaders = dir.write("headers.png", Array(png.prefix(idat + 4)))
        #expect(try ImageCodec.imageSize(path: pngHeaders) == (67, 89))
        #expect(errorCode { _ = try ImageCodec.decode(path: pngHeaders) } == .truncated)
    }
}
