import Foundation
import Testing

@testable import SignetImaging

@Suite("Encoding and sample pictures")
struct CodecTests {
    @Test func jpegRoundTripStaysCloseToTheOriginal() throws {
        let dir = ScratchDirectory()
        let image = SampleImage.generate(width: 64, height: 48, seed: 21)
        let jpeg = try ImageCodec.encodeJPEG(image, quality: 95)
        #expect(Array(jpeg.prefix(3)) == [0xFF, 0xD8, 0xFF])
        #expect(jpegFrameSize(jpeg)?.width == 64 && jpegFrameSize(jpeg)?.height == 48)
        let decoded = try ImageCodec.decode(path: dir.write("rt.jpg", jpeg))
        let difference = try #require(meanAbsoluteDifference(decoded, image))
        #expect(difference < 5, "mean absolute difference \(difference)")
        // Lower quality gives a smaller file.
        #expect(try ImageCodec.encodeJPEG(image, quality: 40).count < jpeg.count)
    }

    @Test func decodeLumaGivesAJPEGsOwnLuminanceAndRefusesWhatHasNone() throws {
        let dir = ScratchDirectory()
        let width = 320, height = 240
        let rgb = SampleImage.generate(width: width, height: height, seed: 5)
        let gray = stride(from: 0, to: rgb.pixels.count, by: 3).map { rgb.pixels[$0 + 1] }
        // A grayscale JPEG: its luminance is exactly what the RGB decode repeats in every channel.
        let grayPath = dir.write("gray.jpg", try ImageCodec.encodeJPEGVariant(gray, width: width, height: height, layout: .gray, progressive: false, quality: 90))
        let grayLuma = try ImageCodec.decodeLuma(path: grayPath)
        let grayRGB = try ImageCodec.decode(path: grayPath)
        #expect(grayLuma.width == width && grayLuma.height == height)
        #expect(grayLuma.samples == stride(from: 0, to: grayRGB.pixels.count, by: 3).map { grayRGB.pixels[$0] })
        // Colour, baseline and progressive: within rounding of the luma of the decoded RGB.
        for progressive in [false, true] {
            let path = dir.write("colour-\(progressive).jpg", try ImageCodec.encodeJPEGVariant(rgb.pixels, width: width, height: height, layout: .ycbcr, progressive: progressive, quality: 90))
            let luma = try ImageCodec.decodeLuma(path: path)
            let decoded = try ImageCodec.decode(path: path)
            #expect(luma.samples.count == width * height)
            var total = 0.0
            for i in 0..<width * height {
                let r = Double(decoded.pixels[3 * i]), g = Double(decoded.pixels[3 * i + 1]), b = Double(decoded.pixels[3 * i + 2])
                let y: Double = 0.299 * r + 0.587 * g + 0.114 * b
                total += abs(y - Double(luma.samples[i]))
            }
            #expect(total / Double(width * height) < 1.5, "progressive \(progressive): mean difference \(total / Double(width * height))")
        }
        // CMYK has no luminance of its own; a PNG has no JPEG decoder; a cut file is truncated.
        var cmyk: [UInt8] = []
        for i in stride(from: 0, to: rgb.pixels.count, by: 3) {
            cmyk += [rgb.pixels[i], rgb.pixels[i + 1], rgb.pixels[i + 2], 255]
        }
        let cmykPath = dir.write("cmyk.jpg", try ImageCodec.encodeJPEGVariant(cmyk, width: width, height: height, layout: .cmyk, progressive: false, quality: 90))
        #expect(errorCode { _ = try ImageCodec.decodeLuma(path: cmykPath) } == .unsupportedFormat)
        let pngPath = dir.write("p.png", try ImageCodec.encodePNG(rgb))
        #expect(errorCode { _ = try ImageCodec.decodeLuma(path: pngPath) } == .unsupportedFormat)
        let whole = try ImageCodec.encodeJPEG(rgb, quality: 90)
        let cutPath = dir.write("cut.jpg", Array(whole.prefix(whole.count / 2)))
        #expect(errorCode { _ = try ImageCodec.decodeLuma(path: cutPath) } == .truncated)
    }

    @Test func encodersRejectInconsistentImages() {
        let wrongCount = RGBImage(width: 4, height: 4, pixels: [UInt8](repeating: 0, count: 47))
        let empty = RGBImage(width: 0, height: 5, pixels: [])
        let negative = RGBImage(width: -2, height: -3, pixels: [UInt8](repeating: 0, count: 18))
        for image in [wrongCount, empty, negative] {
            #expect(errorCode { _ = try ImageCodec.encodeJPEG(image) } == .encodeFailed)
            #expect(errorCode { _ = try ImageCodec.encodePNG(image) } == .encodeFailed)
        }
        let tooWide = RGBImage(width: 70_000, height: 1, pixels: [UInt8](repeating: 9, count: 210_000))
        #expect(errorCode { _ = try ImageCodec.encodeJPEG(tooWide) } == .tooLarge)
    }

    @Test func writeJPEGStreamsA6000x4000Image() throws {
        let dir = ScratchDirectory()
        let path = dir.path("stream.jpg")
        var nextRow = 0
        var inOrder = true
        try ImageCodec.writeJPEG(path: path, width: 6000, height: 4000, quality: 85) { y, buffer in
            inOrder = inOrder && y == nextRow && buffer.count == 6000 * 3
            nextRow += 1
            SampleImage.fillRow(y: y, width: 6000, height: 4000, seed: 1, into: buffer)
        }
        #expect(nextRow == 4000 && inOrder)
        let size = dir.size(path)
        #expect(size > 300_000 && size < 20_000_000, "size \(size)")
        #expect(try ImageCodec.imageSize(path: path) == (6000, 4000))
        let head = Array(dir.read(path).prefix(4096))
        #expect(jpegFrameSize(head)?.width == 6000 && jpegFrameSize(head)?.height == 4000)
    }

    @Test func writeJPEGReportsBadTargetsAndRemovesNothingElse() {
        let dir = ScratchDirectory()
        let noop: (Int, UnsafeMutableBufferPointer<UInt8>) -> Void = { _, _ in }
        #expect(errorCode { try ImageCodec.writeJPEG(path: dir.path("missing/dir/x.jpg"), width: 8, height: 8, quality: 90, row: noop) } == .notFound)
        #expect(errorCode { try ImageCodec.writeJPEG(path: dir.path("zero.jpg"), width: 0, height: 8, quality: 90, row: noop) } == .encodeFailed)
        #expect(errorCode { try ImageCodec.writeJPEG(path: dir.path("wide.jpg"), width: 80_000, height: 8, quality: 90, row: noop) } == .tooLarge)
        #expect(!FileManager.default.fileExists(atPath: dir.path("wide.jpg")))
    }

    @Test func areaAverageUsesExactFractionalCoverage() throws {
        // 3 -> 2 pixels: output 0 covers input 0 and half of input 1; output 1 the other half and input 2.
        let row = RGBImage(width: 3, height: 1, pixels: [0, 0, 0, 90, 90, 90, 180, 180, 180])
        let resized = try ImageCodec.resize(row, toWidth: 2, height: 1)
        #expect(resized.pixels == [30, 30, 30, 150, 150, 150])
        // 2x2 -> 1x1 is the plain mean.
        let square = RGBImage(width: 2, height: 2, pixels: [0, 10, 20, 100, 110, 120, 200, 210, 220, 40, 50, 60])
        #expect(try ImageCodec.resize(square, toWidth: 1, height: 1).pixels == [85, 95, 105])
        #expect(errorCode { _ = try ImageCodec.resize(square, toWidth: 3, height: 1) } == .encodeFailed)
    }

    @Test func samplePicturesAreDeterministicSeededAndRowConsistent() {
        let a = SampleImage.generate(width: 97, height: 61, seed: 5)
        let b = SampleImage.generate(width: 97, height: 61, seed: 5)
        let c = SampleImage.generate(width: 97, height: 61, seed: 6)
        #expect(a == b)
        #expect(a != c)
        #expect(a.pixels.count == 97 * 61 * 3)

        var row = [UInt8](repeating: 0, count: 97 * 3)
        row.withUnsafeMutableBufferPointer { SampleImage.fillRow(y: 30, width: 97, height: 61, seed: 5, into: $0) }
        #expect(row == Array(a.pixels[(30 * 97 * 3)..<(31 * 97 * 3)]))

        // Not flat: a natural-looking picture has a wide spread of values.
        let values = Set(a.pixels)
        #expect(values.count > 100)
    }

    @Test func noisyRowsAreHighEntropyAndDeterministic() throws {
        var first = [UInt8](repeating: 0, count: 300 * 3)
        var second = first
        var plain = first
        first.withUnsafeMutableBufferPointer { SampleImage.fillNoisyRow(y: 5, width: 300, height: 200, seed: 2, into: $0) }
        second.withUnsafeMutableBufferPointer { SampleImage.fillNoisyRow(y: 5, width: 300, height: 200, seed: 2, into: $0) }
        plain.withUnsafeMutableBufferPointer { SampleImage.fillRow(y: 5, width: 300, height: 200, seed: 2, into: $0) }
        #expect(first == second)
        let deviation = zip(first, plain).map { abs(Int($0) - Int($1)) }.reduce(0, +) / first.count
        #expect(deviation > 20)

        // The smallest benchmark size gives a JPEG of about 1 MB at quality 95.
        let dir = ScratchDirectory()
        let path = dir.path("noisy.jpg")
        let (_, width, height) = SampleImage.noisyBenchmarkSizes[0]
        try ImageCodec.writeJPEG(path: path, width: width, height: height, quality: 95) { y, buffer in
            SampleImage.fillNoisyRow(y: y, width: width, height: height, seed: 1, into: buffer)
        }
        let size = dir.size(path)
        #expect(size > 900_000 && size < 1_200_000, "\(size) bytes")
    }

    @Test func sampleGeneratorToleratesBadArguments() {
        #expect(SampleImage.generate(width: 0, height: 10).pixels.isEmpty)
        #expect(SampleImage.generate(width: -1, height: 10).width == 0)
        #expect(SampleImage.generate(width: Int.max, height: Int.max).pixels.isEmpty)
        var short = [UInt8](repeating: 7, count: 10)
        short.withUnsafeMutableBufferPointer { SampleImage.fillRow(y: 0, width: 8, height: 8, seed: 1, into: $0) }
        let full = SampleImage.generate(width: 8, height: 8, seed: 1)
        #expect(Array(short.prefix(9)) == Array(full.pixels.prefix(9)))
        #expect(short[9] == 7)
        var untouched = [UInt8](repeating: 7, count: 24)
        untouched.withUnsafeMutableBufferPointer { SampleImage.fillRow(y: 8, width: 8, height: 8, seed: 1, into: $0) }
        #expect(untouched == [UInt8](repeating: 7, count: 24))
    }
}
