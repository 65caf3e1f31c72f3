import Foundation
import Testing

@testable import SignetImaging

@Suite("PNG input")
struct PNGTests {
    @Test func rgbaIsCompositedOverWhite() throws {
        let dir = ScratchDirectory()
        let pixels: [[UInt8]] = [
            [255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128, 10, 20, 30, 255],
            [0, 255, 0, 255, 0, 0, 255, 64, 200, 200, 200, 0, 255, 255, 255, 255],
        ]
        let png = PNGBuilder.make(width: 4, height: 2, colorType: 6, bitDepth: 8) { pixels[$0] }
        let image = try ImageCodec.decode(path: dir.write("rgba.png", png))
        #expect(image.width == 4 && image.height == 2)
        #expect(rgb(image, 0, 0) == [255, 0, 0])
        #expect(rgb(image, 1, 0) == [255, 255, 255])
        #expect(rgb(image, 2, 0) == [127, 127, 127])
        #expect(rgb(image, 3, 0) == [10, 20, 30])
        #expect(rgb(image, 1, 1) == [191, 191, 255])
        #expect(rgb(image, 2, 1) == [255, 255, 255])
    }

    @Test func palettedPNGWithTransparencyAndTwoBitIndices() throws {
        let dir = ScratchDirectory()
        let palette: [UInt8] = [255, 0, 0, 0, 0, 255, 0, 128, 0]
        // indices per row: 0 1 2 1 (2 bits each, most significant first)
        let row: UInt8 = 0b00_01_10_01
        let png = PNGBuilder.make(
            width: 4, height: 3, colorType: 3, bitDepth: 2, palette: palette, transparency: [255, 0]
        ) { _ in [row] }
        let image = try ImageCodec.decode(path: dir.write("palette.png", png))
        #expect(image.width == 4 && image.height == 3)
        #expect(rgb(image, 0, 2) == [255, 0, 0])
        #expect(rgb(image, 1, 2) == [255, 255, 255])  // index 1 is fully transparent
        #expect(rgb(image, 2, 2) == [0, 128, 0])
    }

    @Test func sixteenBitGrayIsScaledToEightBits() throws {
        let dir = ScratchDirectory()
        let png = PNGBuilder.make(width: 3, height: 1, colorType: 0, bitDepth: 16) { _ in
            [0x00, 0x00, 0x80, 0x80, 0xFF, 0xFF]
        }
        let image = try ImageCodec.decode(path: dir.write("gray16.png", png))
        #expect(image.pixels == [0, 0, 0, 128, 128, 128, 255, 255, 255])
    }

    @Test func oneBitGrayAndGrayAlphaExpandToRGB() throws {
        let dir = ScratchDirectory()
        let bilevel = PNGBuilder.make(width: 8, height: 1, colorType: 0, bitDepth: 1) { _ in [0b1010_0000] }
        let image = try ImageCodec.decode(path: dir.write("bw.png", bilevel))
        #expect(Array(image.pixels.prefix(9)) == [255, 255, 255, 0, 0, 0, 255, 255, 255])
        #expect(rgb(image, 7, 0) == [0, 0, 0])

        let grayAlpha = PNGBuilder.make(width: 2, height: 1, colorType: 4, bitDepth: 8) { _ in [100, 0, 100, 255] }
        let image2 = try ImageCodec.decode(path: dir.write("ga.png", grayAlpha))
        #expect(image2.pixels == [255, 255, 255, 100, 100, 100])
    }

    @Test func interlacedPNGDecodesLikeTheNonInterlacedOne() throws {
        let dir = ScratchDirectory()
        let source = SampleImage.generate(width: 37, height: 23, seed: 5)
        let row = { (y: Int) in Array(source.pixels[(y * 37 * 3)..<((y + 1) * 37 * 3)]) }
        let plain = PNGBuilder.make(width: 37, height: 23, colorType: 2, bitDepth: 8, row: row)
        let interlaced = PNGBuilder.make(width: 37, height: 23, colorType: 2, bitDepth: 8, interlaced: true, row: row)
        let a = try ImageCodec.decode(path: dir.write("plain.png", plain))
        let b = try ImageCodec.decode(path: dir.write("adam7.png", interlaced))
        #expect(a == source)
        #expect(b == source)
    }

    @Test func thumbnailsOfRGBAPaletteGray16AndInterlacedPNGs() throws {
        let dir = ScratchDirectory()
        let width = 2100, height = 40
        let source = SampleImage.generate(width: width, height: height, seed: 2)
        let rgba16 = PNGBuilder.make(width: width, height: height, colorType: 6, bitDepth: 16, interlaced: true) { y in
            var out: [UInt8] = []
            out.reserveCapacity(width * 8)
            for x in 0..<width {
                let p = (y * width + x) * 3
                out += [source.pixels[p], 0, source.pixels[p + 1], 0, source.pixels[p + 2], 0, 255, 255]
            }
            return out
        }
        let gray16 = PNGBuilder.make(width: width, height: height, colorType: 0, bitDepth: 16) { y in
            (0..<width).flatMap { x in [UInt8(truncatingIfNeeded: x), UInt8(truncatingIfNeeded: y)] }
        }
        let palette = PNGBuilder.make(
            width: width, height: height, colorType: 3, bitDepth: 8,
            palette: [0, 0, 0, 255, 255, 255, 255, 0, 0], transparency: [255, 255, 0]
        ) { y in (0..<width).map { UInt8(($0 / 7 + y) % 3) } }
        let rgb = try ImageCodec.encodePNG(SampleImage.generate(width: 2048, height: 1536, seed: 4))

        for (name, bytes, w, h) in [
            ("rgba16-adam7", rgba16, 1024, 20), ("gray16", gray16, 1024, 20), ("palette", palette, 1024, 20),
            ("rgb", rgb, 1024, 768),
        ] {
            let path = dir.write("\(name).png", bytes)
            let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path), "\(name)")
            #expect(thumbnail.width == w && thumbnail.height == h, "\(name)")
            #expect(thumbnail.jpeg.count < bytes.count, "\(name)")
            let decoded = try ImageCodec.decode(path: dir.write("\(name)-thumb.jpg", thumbnail.jpeg))
            #expect(decoded.width == w && decoded.height == h, "\(name)")
        }
        let rgbThumb = try ImageCodec.decode(path: dir.path("rgb-thumb.jpg"))
        let difference = try #require(
            meanAbsoluteDifference(rgbThumb, SampleImage.generate(width: 1024, height: 768, seed: 4)))
        #expect(difference < 6, "mean absolute difference \(difference)")
    }

    @Test func pngRoundTripIsExact() throws {
        let dir = ScratchDirectory()
        let image = SampleImage.generate(width: 70, height: 45, seed: 11)
        let bytes = try ImageCodec.encodePNG(image)
        #expect(Array(bytes.prefix(8)) == PNGBuilder.signature)
        let path = dir.write("round.png", bytes)
        #expect(try ImageCodec.decode(path: path) == image)
        #expect(try ImageCodec.imageSize(path: path) == (70, 45))
    }
}
