import Foundation
import SignetMedia
import SignetTestSupport
import Testing

@testable import SignetDetect
@testable import SignetImaging

/// Pictures with a known answer, written to a private temporary folder.
struct DetectFixture {
    let folder: String

    init() throws {
        folder = NSTemporaryDirectory() + "signet-detect-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// A textured picture: the sample generator's shapes plus deterministic grain.
    static func texturedPicture(width: Int = 320, height: Int = 320, seed: UInt64 = 7) -> RGBImage {
        var image = SampleImage.generate(width: width, height: height, seed: seed)
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        for i in 0..<image.pixels.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let grain = Int((state >> 33) % 25) - 12
            image.pixels[i] = UInt8(clamping: Int(image.pixels[i]) + grain)
        }
        return image
    }

    /// Decodes JPEG bytes through a file.
    func decodeJPEG(_ bytes: [UInt8]) throws -> RGBImage {
        let path = try write("decode-\(UUID().uuidString).jpg", bytes)
        return try ImageCodec.decode(path: path)
    }

    /// Copies a rectangle of `source` into `target` at (x, y).
    static func paste(_ source: RGBImage, from: (x: Int, y: Int), size: (w: Int, h: Int), into target: inout RGBImage, at: (x: Int, y: Int)) {
        for row in 0..<size.h {
            for column in 0..<size.w {
                for c in 0..<3 {
                    target.pixels[((at.y + row) * target.width + at.x + column) * 3 + c] =
                        source.pixels[((from.y + row) * source.width + from.x + column) * 3 + c]
                }
            }
        }
    }
}

func analyze(_ path: String, manifest: ManifestStatus = .absent) throws -> DetectionReport {
    try Detector.analyze(path: path, manifest: manifest).get()
}

func signal(_ report: DetectionReport, _ name: String) throws -> SignalResult {
    try #require(report.signals.first { $0.name == name })
}

/// Mean of a local map over the cells whose centres fall inside a pixel rectangle, and outside it.
func inside(_ map: LocalMap, x: Int, y: Int, w: Int, h: Int) -> (inside: Float, outside: Float) {
    var a: [Float] = [], b: [Float] = []
    for row in 0..<map.rows {
        for column in 0..<map.columns {
            let v = map[column, row]
            guard v.isFinite else { continue }
            let cx = column * map.cell + map.cell / 2, cy = row * map.cell + map.cell / 2
            if cx >= x && cx < x + w && cy >= y && cy < y + h { a.append(v) } else { b.append(v) }
        }
    }
    func mean(_ v: [Float]) -> Float { v.isEmpty ? .nan : v.reduce(0, +) / Float(v.count) }
    return (mean(a), mean(b))
}

@Suite("Detector signals")
struct DetectorSignalTests {
    @Test("A region pasted after the first save lacks the double-quantisation trace, and the map finds it")
    func doubleCompressionFindsTheRegion() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let original = try fixture.decodeJPEG(try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 60))
        var edited = original
        let fresh = DetectFixture.texturedPicture(seed: 99)
        DetectFixture.paste(fresh, from: (64, 64), size: (96, 96), into: &edited, at: (160, 160))
        let tampered = try fixture.write("tampered.jpg", try ImageCodec.encodeJPEG(edited, quality: 90))
        let control = try fixture.write("control.jpg", try ImageCodec.encodeJPEG(original, quality: 90))

        let t = try analyze(tampered)
        let c = try analyze(control)
        let dt = try signal(t, "double_compression"), dc = try signal(c, "double_compression")
        #expect(dt.applicable && dc.applicable)
        let tamperedValue = try #require(dt.value), controlValue = try #require(dc.value)
        #expect(tamperedValue > controlValue + 0.2)
        #expect(dt.reason.contains("missing"))
        let map = try #require(DoubleCompression.measure(try picture(tampered)).map)
        let split = inside(map, x: 160, y: 160, w: 96, h: 96)
        #expect(split.inside > split.outside + 0.3)
    }

    @Test("A region pasted from another JPEG off the 8x8 grid shows its earlier save on a shifted grid; the same picture without it does not")
    func nonalignedJPEGFindsAShiftedPaste() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let background = DetectFixture.texturedPicture()
        // The donor was a JPEG at quality 60; its pixels land 3 right and 5 down of the final grid.
        let donor = try fixture.decodeJPEG(try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(seed: 42), quality: 60))
        var edited = background
        DetectFixture.paste(donor, from: (64, 64), size: (128, 128), into: &edited, at: (83, 61))
        let tampered = try fixture.write("shifted-paste.jpg", try ImageCodec.encodeJPEG(edited, quality: 90))
        let control = try fixture.write("control.jpg", try ImageCodec.encodeJPEG(background, quality: 90))
        let t = try signal(try analyze(tampered), "nonaligned_jpeg")
        let c = try signal(try analyze(control), "nonaligned_jpeg")
        let tv = try #require(t.value), cv = try #require(c.value)
        #expect(tv > 6, "\(t.reason)")
        #expect(cv < 6, "\(c.reason)")
        #expect(t.reason.contains("shifted by (3, 5)"), "\(t.reason)")
        // Not a JPEG: nothing to set shifted grids against.
        let png = try fixture.write("plain.png", try ImageCodec.encodePNG(background))
        #expect(try !signal(try analyze(png), "nonaligned_jpeg").applicable)
    }

    @Test("A region compressed on its own between the saves prefers its own first-save table; the picture re-saved as a whole has no such region")
    func tableConflictFindsALocallyRecompressedRegion() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let original = try fixture.decodeJPEG(try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 88))
        // The 128x128 square at (96, 96) (on the 16-pixel grid) went through a quality-60 save of its own.
        let coarse = try fixture.decodeJPEG(try ImageCodec.encodeJPEG(original, quality: 60))
        var edited = original
        DetectFixture.paste(coarse, from: (96, 96), size: (128, 128), into: &edited, at: (96, 96))
        let tampered = try fixture.write("recompressed-region.jpg", try ImageCodec.encodeJPEG(edited, quality: 95))
        let control = try fixture.write("resaved.jpg", try ImageCodec.encodeJPEG(original, quality: 95))
        let t = try signal(try analyze(tampered), TableConflict.name)
        let c = try signal(try analyze(control), TableConflict.name)
        let tv = try #require(t.value), cv = try #require(c.value)
        #expect(tv > 10, "\(t.reason)")
        #expect(cv < 10, "\(c.reason)")
        #expect(tv > cv + 20, "\(t.reason) / \(c.reason)")
        #expect(t.reason.contains("about quality 60"), "\(t.reason)")
        #expect(c.reason.contains("quality 88"), "\(c.reason)")
        // Not a JPEG: no coefficients.
        let png = try fixture.write("plain.png", try ImageCodec.encodePNG(original))
        #expect(try !signal(try analyze(png), TableConflict.name).applicable)
    }

    @Test("A picture saved once, or re-saved as a whole, has no region flagged by double quantisation")
    func wholePicturesAreNotFlagged() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let once = try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 85)
        let twice = try ImageCodec.encodeJPEG(try fixture.decodeJPEG(try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 60)), quality: 90)
        for (name, bytes) in [("once.jpg", once), ("twice.jpg", twice)] {
            let result = try signal(try analyze(try fixture.write(name, bytes)), "double_compression")
            let value = try #require(result.value)
            #expect(value < 0.5, "\(name): \(result.reason)")
            #expect(!result.reason.contains("missing"), "\(name): \(result.reason)")
        }
    }

    @Test("A block copied elsewhere in the same picture is found with its shift")
    func copyMoveFindsTheShift() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let original = DetectFixture.texturedPicture(seed: 11)
        var edited = original
        DetectFixture.paste(original, from: (20, 30), size: (80, 80), into: &edited, at: (200, 180))
        let tampered = try fixture.write("cm.jpg", try ImageCodec.encodeJPEG(edited, quality: 92))
        let control = try fixture.write("plain.jpg", try ImageCodec.encodeJPEG(original, quality: 92))
        let t = try signal(try analyze(tampered), "copy_move")
        let c = try signal(try analyze(control), "copy_move")
        #expect(t.reason.contains("(180, 150)"))
        let tamperedValue = try #require(t.value), controlValue = try #require(c.value)
        #expect(tamperedValue > controlValue + 0.5)
        #expect(!c.reason.contains("appears twice"))
    }

    @Test("A blurred region stands out in the sharpness and noise maps")
    func blurredRegionStandsOut() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let original = DetectFixture.texturedPicture(seed: 5)
        var edited = original
        // 5x5 box blur of a 96x96 square.
        for y in 128..<224 {
            for x in 96..<192 {
                for c in 0..<3 {
                    var sum = 0
                    for dy in -2...2 { for dx in -2...2 { sum += Int(original.pixels[((y + dy) * original.width + x + dx) * 3 + c]) } }
                    edited.pixels[(y * edited.width + x) * 3 + c] = UInt8(sum / 25)
                }
            }
        }
        let tampered = try fixture.write("blur.png", try ImageCodec.encodePNG(edited))
        let control = try fixture.write("plain.png", try ImageCodec.encodePNG(original))
        for name in ["blur_inconsistency", "noise_inconsistency"] {
            let t = try signal(try analyze(tampered), name)
            let c = try signal(try analyze(control), name)
            let tamperedValue = try #require(t.value), controlValue = try #require(c.value)
            #expect(tamperedValue > controlValue + 1, "\(name)")
            #expect(t.reason.contains("lower"), "\(name): \(t.reason)")
        }
    }

    @Test("Quantisation tables: libjpeg's standard tables are recognised with their quality")
    func standardTablesAreRecognised() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = try fixture.write("q77.jpg", try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 77))
        let result = try signal(try analyze(path), "jpeg_quantization")
        #expect(result.value == 1)
        #expect(result.reason.contains("quality 77"))
    }

    @Test("JPEG-only signals say why they do not apply to a PNG without JPEG history")
    func jpegSignalsDoNotApplyToAPlainPNG() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = try fixture.write("plain.png", try ImageCodec.encodePNG(DetectFixture.texturedPicture()))
        let report = try analyze(path)
        for name in ["jpeg_quantization", "double_compression", "grid_alignment", "nonaligned_jpeg"] {
            let result = try signal(report, name)
            #expect(!result.applicable, "\(name)")
            #expect(result.contribution == 0)
            #expect(!result.reason.isEmpty)
        }
        #expect(try signal(report, "copy_move").applicable)
    }

    func picture(_ path: String) throws -> Picture {
        try Detector.decode(path: path, format: .jpeg, options: .init()).get()
    }
}

@Suite("Detector reports")
struct DetectorReportTests {
    @Test("A valid manifest is reported as such and the pixels are not judged")
    func validManifestIsNotSecondGuessed() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = try fixture.write("signed.jpg", try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 90))
        let report = try analyze(path, manifest: .valid(verdict: "Trusted"))
        #expect(report.provenance == .validManifest)
        #expect(report.score == nil && report.band == nil)
        #expect(report.signals.isEmpty)
        #expect(report.notes.first?.contains("not judged") == true)
    }

    @Test("A broken manifest is named and the pixels are judged")
    func brokenManifestIsJudged() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = try fixture.write("broken.jpg", try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 90))
        let report = try analyze(path, manifest: .broken(verdict: "Invalid", reasons: ["assertion.dataHash.mismatch"]))
        #expect(report.provenance == .brokenManifest)
        #expect(report.score != nil)
        #expect(report.notes.contains { $0.contains("assertion.dataHash.mismatch") })
    }

    @Test("Every score, contribution and band is consistent with the shipped calibration")
    func fusionIsConsistent() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = try fixture.write("p.jpg", try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 80))
        let report = try analyze(path)
        let calibration = Calibration.shipped
        var logit = calibration.intercept
        for s in report.signals {
            if !s.applicable { #expect(s.contribution == 0 && s.value == nil) }
            logit += s.contribution
        }
        let score = try #require(report.score)
        #expect(abs(score - max(1 / (1 + exp(-logit)), 0)) < 1e-9)
        #expect(report.band == calibration.band(score))
        #expect((0...1).contains(score))
        #expect(report.heatmap != nil)
    }

    @Test("An audio file gets its metadata signals and no pixel signal")
    func audioHasNoPixelSignals() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = try fixture.write("a.wav", SyntheticMedia.wav())
        let report = try analyze(path)
        #expect(report.format == .wav)
        #expect(try !signal(report, "copy_move").applicable)
        #expect(try signal(report, "copy_move").reason.contains("not a still image"))
        #expect(report.heatmap == nil)
    }

    @Test("Grayscale, CMYK and progressive JPEGs and palette, grey and 16-bit PNGs are analysed")
    func colourLayoutsAreHandled() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let rgb = DetectFixture.texturedPicture(width: 192, height: 160)
        let grey = stride(from: 0, to: rgb.pixels.count, by: 3).map { rgb.pixels[$0] }
        var cmyk: [UInt8] = []
        for i in stride(from: 0, to: rgb.pixels.count, by: 3) {
            cmyk += [rgb.pixels[i], rgb.pixels[i + 1], rgb.pixels[i + 2], 255]
        }
        var files: [String] = []
        files.append(try fixture.write("grey.jpg", try ImageCodec.encodeJPEGVariant(grey, width: 192, height: 160, layout: .gray, progressive: false, quality: 85)))
        files.append(try fixture.write("cmyk.jpg", try ImageCodec.encodeJPEGVariant(cmyk, width: 192, height: 160, layout: .cmyk, progressive: false, quality: 85)))
        files.append(try fixture.write("prog.jpg", try ImageCodec.encodeJPEGVariant(rgb.pixels, width: 192, height: 160, layout: .ycbcr, progressive: true, quality: 85)))
        files.append(try fixture.write("grey16.png", PNGFiles.make(width: 64, height: 48, colourType: 0, bitDepth: 16)))
        files.append(try fixture.write("palette.png", PNGFiles.make(width: 64, height: 48, colourType: 3, bitDepth: 8)))
        files.append(try fixture.write("rgba.png", PNGFiles.make(width: 64, height: 48, colourType: 6, bitDepth: 8)))
        for path in files {
            let report = try analyze(path)
            #expect(report.score != nil, "\(path)")
            #expect(report.width != nil, "\(path)")
        }
    }
}

@Suite("Detector on hostile files")
struct DetectorHostileTests {
    @Test("A truncated JPEG is refused with a clear reason")
    func truncatedJPEGIsRefused() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let bytes = try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(), quality: 85)
        let path = try fixture.write("cut.jpg", Array(bytes.prefix(bytes.count / 2)))
        guard case .failure(let error) = Detector.analyze(path: path, manifest: .absent) else {
            Issue.record("a truncated JPEG was analysed")
            return
        }
        #expect(error.code == .truncated)
        #expect(!error.reason.contains("\n"))
    }

    @Test("Garbage after a JPEG signature is refused as corrupt or truncated, not crashed on")
    func corruptJPEGIsRefused() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = try fixture.write("junk.jpg", [0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43] + [UInt8](repeating: 0x11, count: 300))
        guard case .failure(let error) = Detector.analyze(path: path, manifest: .absent) else {
            Issue.record("a corrupt JPEG was analysed")
            return
        }
        #expect([.corrupt, .truncated].contains(error.code))
    }

    @Test("A header declaring 60000x60000 pixels is refused before any pixel memory is allocated")
    func decompressionBombIsRefused() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        var bytes = try ImageCodec.encodeJPEG(DetectFixture.texturedPicture(width: 64, height: 64), quality: 85)
        // Patch the SOF0 dimensions.
        let sof = try #require((0..<bytes.count - 9).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = 0xEA; bytes[sof + 6] = 0x60; bytes[sof + 7] = 0xEA; bytes[sof + 8] = 0x60
        let path = try fixture.write("bomb.jpg", bytes)
        let clock = ContinuousClock()
        let started = clock.now
        guard case .failure(let error) = Detector.analyze(path: path, manifest: .absent) else {
            Issue.record("a decompression bomb was analysed")
            return
        }
        #expect(error.code == .tooLarge)
        // Decoding 3.6 gigapixels would take minutes and gigabytes; the bound outlasts a loaded machine's stalls.
        #expect(clock.now - started < .seconds(60))
    }

    @Test("A PNG whose IHDR declares huge dimensions is refused as too large")
    func pngBombIsRefused() throws {
        let fixture = try DetectFixture()
        defer { fixture.remove() }
        let path = try fixture.write("bomb.png", PNGFiles.make(width: 64, height: 48, colourType: 2, bitDepth: 8, declaredWidth: 100_000, declaredHeight: 100_000))
        guard case .failure(let error) = Detector.analyze(path: path, manifest: .absent) else {
            Issue.record("a PNG bomb was analysed")
            return
        }
        #expect(error.code == .tooLarge)
    }
}

/// Small PNGs built by hand (stored deflate blocks), for layouts the encoder does not write.
enum PNGFiles {
    static func make(width: Int, height: Int, colourType: UInt8, bitDepth: UInt8, declaredWidth: Int? = nil, declaredHeight: Int? = nil) -> [UInt8] {
        let channels: Int = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colourType)] ?? 3
        let bytesPerSample = bitDepth == 16 ? 2 : 1
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                for c in 0..<channels * bytesPerSample {
                    raw.append(UInt8(truncatingIfNeeded: (x * 7 + y * 13 + c * 29) ^ (x * y)))
                }
            }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n >= raw.count ? 1 : 0
            zlib += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<offset + n]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        zlib += PNGChunk.be32(b << 16 | a)
        var ihdr = PNGChunk.be32(UInt32(declaredWidth ?? width)) + PNGChunk.be32(UInt32(declaredHeight ?? height))
        ihdr += [bitDepth, colourType, 0, 0, 0]
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += PNGChunk.make("IHDR", ihdr)
        if colourType == 3 {
            var palette: [UInt8] = []
            for i in 0..<256 {
                palette += [UInt8(i), UInt8(255 - i), UInt8((i * 3) & 0xFF)]
            }
            file += PNGChunk.make("PLTE", palette)
        }
        file += PNGChunk.make("IDAT", zlib)
        file += PNGChunk.make("IEND", [])
        return file
    }
}

@Suite("Detector calibration")
struct CalibrationFileTests {
    @Test("The compiled-in calibration is exactly Calibration.json, the file fit.py writes")
    func compiledTableMatchesTheDataFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/SignetDetect/Calibration.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let shipped = Calibration.shipped
        #expect(abs((json["intercept"] as? Double ?? .nan) - shipped.intercept) < 1e-9)
        let signals = try #require(json["signals"] as? [String: [String: Double]])
        #expect(Set(signals.keys) == Set(shipped.signals.keys))
        for (name, entry) in signals {
            let compiled = try #require(shipped.signals[name])
            #expect(entry["a"] == compiled.a && entry["b"] == compiled.b && entry["prior"] == compiled.prior && entry["weight"] == compiled.weight, "\(name)")
        }
        let bands = try #require(json["bands"] as? [String: Double])
        #expect(bands["inconclusive"] == shipped.inconclusive && bands["moderate"] == shipped.moderate && bands["strong"] == shipped.strong)
        #expect(shipped.inconclusive <= shipped.moderate && shipped.moderate <= shipped.strong)
    }

    @Test("Declarations an attacker can write only ever raise the score: their signals never contribute below zero")
    func declarationsCannotLowerTheScore() throws {
        for name in ["c2pa_remnants", "declared_source", "generator_metadata", "exif_consistency", "jpeg_quantization"] {
            let s = try #require(Calibration.shipped.signals[name], "\(name)")
            // contribution = weight * (a * value + b - prior) with value in 0...1
            for value in [0.0, 0.3, 0.6, 1.0] {
                #expect(s.weight * (s.a * value + s.b - s.prior) >= 0, "\(name) at \(value)")
            }
        }
    }
}
