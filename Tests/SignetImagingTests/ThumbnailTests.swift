import Foundation
import Testing

@testable import SignetImaging

/// The code of the ImagingError `body` throws, or nil if it returns normally (any other error is
/// recorded as a test failure).
func errorCode(_ body: () throws -> Void) -> ImagingError.Code? {
    do {
        try body()
        return nil
    } catch let error as ImagingError {
        return error.code
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

@Suite("Thumbnails")
struct ThumbnailTests {
    @Test func thumbnailOfA4000x3000JPEGIs1024x768AndDecodes() throws {
        let dir = ScratchDirectory()
        let path = dir.path("big.jpg")
        try ImageCodec.writeJPEG(path: path, width: 4000, height: 3000, quality: 90) { y, buffer in
            SampleImage.fillRow(y: y, width: 4000, height: 3000, seed: 3, into: buffer)
        }
        let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path))
        #expect(thumbnail.width == 1024)
        #expect(thumbnail.height == 768)
        #expect(thumbnail.jpeg.count < dir.size(path))
        #expect(jpegFrameSize(thumbnail.jpeg)?.width == 1024)
        #expect(jpegFrameSize(thumbnail.jpeg)?.height == 768)

        let thumbPath = dir.write("thumb.jpg", thumbnail.jpeg)
        let decoded = try ImageCodec.decode(path: thumbPath)
        #expect(decoded.width == 1024 && decoded.height == 768)
        // The picture is resolution independent, so the thumbnail resembles the picture rendered
        // directly at 1024x768 (the area average must not shift, flip or darken it).
        let reference = SampleImage.generate(width: 1024, height: 768, seed: 3)
        let difference = try #require(meanAbsoluteDifference(decoded, reference))
        #expect(difference < 6, "mean absolute difference \(difference)")
    }

    @Test func smallJPEGKeepsItsDimensionsInsteadOfBeingUpscaled() throws {
        let dir = ScratchDirectory()
        let path = dir.write("small.jpg", try sampleJPEG(width: 300, height: 200, quality: 95))
        let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path))
        #expect(thumbnail.width == 300 && thumbnail.height == 200)
        #expect(jpegFrameSize(thumbnail.jpeg)?.width == 300)
        #expect(thumbnail.jpeg.count < dir.size(path))
    }

    @Test func tinyJPEGThumbnailIsSmallerThanTheFileOrNil() throws {
        let dir = ScratchDirectory()
        let path = dir.write("tiny.jpg", try sampleJPEG(width: 16, height: 16, quality: 90))
        if let thumbnail = try ImageCodec.makeThumbnail(path: path) {
            #expect(thumbnail.jpeg.count < dir.size(path))
            #expect(thumbnail.width <= 16 && thumbnail.height <= 16)
        }
    }

    @Test func thumbnailNeverExceedsAStronglyCompressedSource() throws {
        let dir = ScratchDirectory()
        let path = dir.write("low.jpg", try sampleJPEG(width: 640, height: 480, quality: 5))
        var options = ThumbnailOptions()
        options.quality = 100
        options.maxLongEdge = 4000
        if let thumbnail = try ImageCodec.makeThumbnail(path: path, options: options) {
            #expect(thumbnail.jpeg.count < dir.size(path))
            let decoded = try ImageCodec.decode(path: dir.write("t.jpg", thumbnail.jpeg))
            #expect(decoded.width == thumbnail.width && decoded.height == thumbnail.height)
        }
    }

    @Test func portraitImageScalesItsLongEdgeToTheLimit() throws {
        let dir = ScratchDirectory()
        let path = dir.write("portrait.jpg", try sampleJPEG(width: 1000, height: 3000))
        let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path))
        #expect(thumbnail.width == 341 && thumbnail.height == 1024)
    }

    @Test func customLongEdgeAndAspectRounding() throws {
        let dir = ScratchDirectory()
        let path = dir.write("wide.jpg", try sampleJPEG(width: 1999, height: 601))
        var options = ThumbnailOptions()
        options.maxLongEdge = 200
        let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path, options: options))
        #expect(thumbnail.width == 200 && thumbnail.height == 60)
        #expect(ImageCodec.thumbnailSize(width: 5000, height: 1, maxLongEdge: 1024) == (1024, 1))
        #expect(ImageCodec.thumbnailSize(width: 3, height: 3, maxLongEdge: 1024) == (3, 3))
    }

    @Test func uniformImageStaysUniformThroughScaledDecodeAndAreaAverage() throws {
        let dir = ScratchDirectory()
        let path = dir.path("flat.jpg")
        try ImageCodec.writeJPEG(path: path, width: 2500, height: 1700, quality: 90) { _, buffer in
            for i in stride(from: 0, to: buffer.count, by: 3) {
                buffer[i] = 200
                buffer[i + 1] = 100
                buffer[i + 2] = 50
            }
        }
        let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path))
        #expect(thumbnail.width == 1024 && thumbnail.height == 696)
        let decoded = try ImageCodec.decode(path: dir.write("t.jpg", thumbnail.jpeg))
        let expected = [200, 100, 50]
        var maxDeviation = 0
        for (index, value) in decoded.pixels.enumerated() {
            maxDeviation = max(maxDeviation, abs(Int(value) - expected[index % 3]))
        }
        #expect(maxDeviation <= 4)
    }

    @Test func progressiveGrayscaleCMYKAndYCCKJPEGsMakeThumbnails() throws {
        let dir = ScratchDirectory()
        let width = 1500, height = 1000
        let rgb = SampleImage.generate(width: width, height: height, seed: 9)
        let gray = stride(from: 0, to: rgb.pixels.count, by: 3).map { rgb.pixels[$0 + 1] }
        var cmyk: [UInt8] = []
        cmyk.reserveCapacity(width * height * 4)
        for i in stride(from: 0, to: rgb.pixels.count, by: 3) {
            cmyk += [rgb.pixels[i], rgb.pixels[i + 1], rgb.pixels[i + 2], 255]
        }
        let inputs: [(String, [UInt8])] = [
            ("progressive", try ImageCodec.encodeJPEGVariant(rgb.pixels, width: width, height: height, layout: .ycbcr, progressive: true, quality: 92)),
            ("gray", try ImageCodec.encodeJPEGVariant(gray, width: width, height: height, layout: .gray, progressive: false, quality: 92)),
            ("cmyk", try ImageCodec.encodeJPEGVariant(cmyk, width: width, height: height, layout: .cmyk, progressive: false, quality: 92)),
            ("ycck", try ImageCodec.encodeJPEGVariant(cmyk, width: width, height: height, layout: .ycck, progressive: true, quality: 92)),
        ]
        let reference = SampleImage.generate(width: 1024, height: 683, seed: 9)
        for (name, bytes) in inputs {
            let path = dir.write("\(name).jpg", bytes)
            let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path), "\(name)")
            #expect(thumbnail.width == 1024 && thumbnail.height == 683, "\(name)")
            if name != "gray" {
                let decoded = try ImageCodec.decode(path: dir.write("\(name)-t.jpg", thumbnail.jpeg))
                let difference = try #require(meanAbsoluteDifference(decoded, reference))
                #expect(difference < 8, "\(name): mean absolute difference \(difference)")
            }
        }
    }

    @Test func truncatedJPEGStillGivesAThumbnailButStrictDecodeRefusesIt() throws {
        let dir = ScratchDirectory()
        let bytes = try sampleJPEG(width: 1600, height: 1200)
        let path = dir.write("cut.jpg", Array(bytes.prefix(bytes.count * 6 / 10)))
        let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path))
        #expect(thumbnail.width == 1024 && thumbnail.height == 768)
        #expect(errorCode { _ = try ImageCodec.decode(path: path) } == .truncated)
    }

    @Test func truncatedPNGsStillGiveThumbnailsPaddedInGreyButStrictDecodeRefusesThem() throws {
        let dir = ScratchDirectory()
        let source = SampleImage.generate(width: 1200, height: 300, seed: 12)
        for interlaced in [false, true] {
            let png = PNGBuilder.make(width: 1200, height: 300, colorType: 2, bitDepth: 8, interlaced: interlaced) { y in
                Array(source.pixels[(y * 3600)..<((y + 1) * 3600)])
            }
            let path = dir.write("cut-\(interlaced).png", Array(png.prefix(png.count * 7 / 10)))
            let thumbnail = try #require(try ImageCodec.makeThumbnail(path: path), "interlaced \(interlaced)")
            #expect(thumbnail.width == 1024 && thumbnail.height == 256)
            #expect(errorCode { _ = try ImageCodec.decode(path: path) } == .truncated)
            if !interlaced {
                // Rows that never arrived are mid grey; the first rows are the picture.
                let decoded = try ImageCodec.decode(path: dir.write("t.jpg", thumbnail.jpeg))
                let last = rgb(decoded, 500, 255)
                #expect(last.allSatisfy { abs(Int($0) - 128) <= 3 }, "\(last)")
                let reference = ImageCodecTestsReference.top(of: SampleImage.generate(width: 1024, height: 256, seed: 12), rows: 100)
                let difference = try #require(meanAbsoluteDifference(ImageCodecTestsReference.top(of: decoded, rows: 100), reference))
                #expect(difference < 8, "mean absolute difference \(difference)")
            }
        }
    }

    @Test func pillowOpensThumbnailsAndAgreesOnTheSize() throws {
        guard pillowAvailable else { return }  // Pillow is optional on the build machine
        let dir = ScratchDirectory()
        let source = dir.write("src.jpg", try sampleJPEG(width: 2000, height: 1500))
        let thumbnail = try #require(try ImageCodec.makeThumbnail(path: source))
        let path = dir.write("thumb.jpg", thumbnail.jpeg)
        let output = runPython(
            "import sys; from PIL import Image; im = Image.open(sys.argv[1]); im.load(); print(im.format, im.size[0], im.size[1])",
            [path])
        #expect(output?.trimmingCharacters(in: .whitespacesAndNewlines) == "JPEG 1024 768")
    }
}

enum ImageCodecTestsReference {
    /// The first `rows` rows of an image.
    static func top(of image: RGBImage, rows: Int) -> RGBImage {
        RGBImage(width: image.width, height: rows, pixels: Array(image.pixels.prefix(image.width * rows * 3)))
    }
}
