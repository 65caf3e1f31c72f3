import Foundation
import SignetImaging
import SignetMedia
import SignetTestSupport
import Testing

@testable import SignetDetect

@Suite("Metadata signals")
struct MetadataSignalTests {
    func measurement(_ name: String, _ facts: MetadataFacts) throws -> SignalMeasurement {
        try #require(MetadataReader.measurements(facts).first { $0.name == name })
    }

    // MARK: - generator_metadata

    @Test("An Automatic1111 'parameters' tEXt chunk in a PNG identifies a generator with floor 0.95")
    func automatic1111Parameters() throws {
        let text = "a castle on a hill\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 512x512"
        let file = MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(), MetaTestBytes.tEXt("parameters", text))
        let m = try measurement("generator_metadata", MetadataReader.read(bytes: file))
        #expect(m.value == 1)
        #expect(m.floor == 0.95)
        #expect(m.reason.contains("AUTOMATIC1111"))
        #expect(m.reason.contains("parameters"))
    }

    @Test("A ComfyUI prompt graph in a PNG tEXt chunk is identified as ComfyUI")
    func comfyPrompt() throws {
        let graph = #"{"3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 20}}}"#
        let file = MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(), MetaTestBytes.tEXt("prompt", graph))
        let m = try measurement("generator_metadata", MetadataReader.read(bytes: file))
        #expect(m.value == 1)
        #expect(m.reason.contains("ComfyUI"))
    }

    @Test("A compressed iTXt ComfyUI workflow (dynamic Huffman zlib) is inflated and identified")
    func compressedWorkflow() throws {
        // zlib level 9 of a 277-byte ComfyUI graph: one dynamic-Huffman block.
        let hex = "78da6d8d3d0b83301086ff4ac82ca2b653d7d2a1d4a160f77035d71a8c49c89d6011ff7ba3a3b8ddfb71cf3bcb525ec42c5b0b448a7f0193948f06866031ca4c48e3c2c8b4950851a7e35c259b18c3ea56c5b224591d50ae1db67df0c671ed41636ccc0add315383958361fb20ad26abde40a8cabcc8093ec8e8c84792dbcae968a5be3f5f38f1cdb55eefe99c82b504c29a6fc79d1f0905b0d023f5993872d3d0f2074c225b5c"
        let compressed = try #require(metaHexBytes(hex))
        let inflated = Inflate.zlib(compressed, limit: 1 << 20)
        guard case .complete(let text) = inflated else {
            Issue.record("not inflated: \(inflated)")
            return
        }
        #expect(text.count == 277)
        #expect(String(decoding: text, as: UTF8.self).contains("sd_xl_base_1.0.safetensors"))
        let file = MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(), MetaTestBytes.iTXt("workflow", compressed, compressed: true))
        let m = try measurement("generator_metadata", MetadataReader.read(bytes: file))
        #expect(m.value == 1)
        #expect(m.reason.contains("ComfyUI workflow"))
    }

    @Test("Stored and fixed-Huffman zlib streams inflate to their text")
    func inflateStoredAndFixed() throws {
        let stored = try #require(metaHexBytes("7801011d00e2ff68656c6c6f2068656c6c6f2068656c6c6f2068656c6c6f20776f726c64a38a0af9"))
        let fixed = try #require(metaHexBytes("7801cb48cdc9c957c8c020cbf38b725200a38a0af9"))
        let expected = Array("hello hello hello hello world".utf8)
        #expect(Inflate.zlib(stored, limit: 1000) == .complete(expected))
        #expect(Inflate.zlib(fixed, limit: 1000) == .complete(expected))
        #expect(Inflate.zlib([0x78, 0x01, 0xFF, 0xFF], limit: 1000) != .complete([]))
    }

    @Test("A zlib bomb stops at the output cap instead of inflating 3 MB")
    func inflateBomb() {
        let bomb = MetaDeflateWriter.zeroBomb(pairs: 12_000)
        #expect(bomb.count < 20_000)
        guard case .truncated(let out) = Inflate.zlib(bomb, limit: 1 << 20) else {
            Issue.record("bomb not capped")
            return
        }
        #expect(out.count == 1 << 20)
        #expect(out.allSatisfy { $0 == 0 })
        guard case .complete(let small) = Inflate.zlib(MetaDeflateWriter.zeroBomb(pairs: 3), limit: 1 << 20) else {
            Issue.record("small stream not inflated")
            return
        }
        #expect(small.count == 1 + 3 * 258)
    }

    @Test("Steps/Sampler parameters in EXIF UserComment of a JPEG identify a generator")
    func userCommentParameters() throws {
        var tiff = MetaTIFFBuilder()
        tiff.exif = [(0x9286, .undefined(Array("ASCII\0\0\0".utf8) + Array("a cat\nSteps: 30, Sampler: DPM++ 2M, CFG scale: 5".utf8)))]
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), MetaTestBytes.exifSegment(tiff.build()))
        let facts = MetadataReader.read(bytes: file)
        #expect(facts.exif?.userComment?.hasPrefix("a cat") == true)
        let m = try measurement("generator_metadata", facts)
        #expect(m.value == 1)
        #expect(m.reason.contains("UserComment"))
    }

    @Test("A plain camera JPEG has no generator text (0) and an audio file is not applicable")
    func noGeneratorText() throws {
        let m = try measurement("generator_metadata", MetadataReader.read(bytes: try MetaTestBytes.jpeg()))
        #expect(m.value == 0)
        #expect(m.reason == "no generator text found")
        let wav = try measurement("generator_metadata", MetadataReader.read(bytes: SyntheticMedia.wav()))
        #expect(!wav.applicable)
    }

    // MARK: - declared_source

    @Test("An XMP trainedAlgorithmicMedia declaration in JPEG APP1 gives declared_source 1 with floor 0.97")
    func xmpTrainedInJPEG() throws {
        let file = MetaTestBytes.insertingAfterSOI(
            try MetaTestBytes.jpeg(), MetaTestBytes.xmpSegment(MetaTestBytes.xmpDeclaring("trainedAlgorithmicMedia")))
        let facts = MetadataReader.read(bytes: file)
        #expect(facts.declaredSources.map(\.code) == ["trainedAlgorithmicMedia"])
        let m = try measurement("declared_source", facts)
        #expect(m.value == 1)
        #expect(m.floor == 0.97)
        #expect(m.reason.contains("trainedAlgorithmicMedia"))
    }

    @Test("An XMP declaration in PNG iTXt, element form with rdf:resource, is read (composite with AI: floor 0.9)")
    func xmpCompositeInPNG() throws {
        let xmp = """
            <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
            <rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
            <Iptc4xmpExt:DigitalSourceType rdf:resource="http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"/>
            </rdf:Description></rdf:RDF></x:xmpmeta>
            """
        let file = MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(), MetaTestBytes.iTXt("XML:com.adobe.xmp", Array(xmp.utf8)))
        let facts = MetadataReader.read(bytes: file)
        #expect(facts.xmpPacketCount == 1)
        let m = try measurement("declared_source", facts)
        #expect(m.value == 1)
        #expect(m.floor == 0.9)
        #expect(m.reason.contains("compositeWithTrainedAlgorithmicMedia"))
        #expect(m.reason.contains("PNG iTXt"))
    }

    @Test("An element-form digitalCapture declaration scores 0, and no declaration is not applicable")
    func captureAndNone() throws {
        let xmp = """
            <rdf:Description><Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture</Iptc4xmpExt:DigitalSourceType></rdf:Description>
            """
        let jpeg = try MetaTestBytes.jpeg()
        let captured = try measurement("declared_source", MetadataReader.read(bytes: MetaTestBytes.insertingAfterSOI(jpeg, MetaTestBytes.xmpSegment(xmp))))
        #expect(captured.value == 0)
        #expect(captured.reason.contains("digitalCapture"))
        let none = try measurement("declared_source", MetadataReader.read(bytes: jpeg))
        #expect(!none.applicable)
        #expect(none.reason == "no digital source type declared")
    }

    @Test("A humanEdits declaration scores 0.6 with no floor")
    func humanEdits() throws {
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), MetaTestBytes.xmpSegment(MetaTestBytes.xmpDeclaring("humanEdits")))
        let m = try measurement("declared_source", MetadataReader.read(bytes: file))
        #expect(m.value == 0.6)
        #expect(m.floor == nil)
    }

    @Test("EXIF Software naming Midjourney and XMP CreatorTool naming Firefly are declared generators (floor 0.9)")
    func generatorSoftware() throws {
        var tiff = MetaTIFFBuilder()
        tiff.ifd0 = [(0x0131, .ascii("Midjourney v6"))]
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), MetaTestBytes.exifSegment(tiff.build()))
        let m = try measurement("declared_source", MetadataReader.read(bytes: file))
        #expect(m.value == 1)
        #expect(m.floor == 0.9)
        #expect(m.reason.contains("EXIF Software names Midjourney"))

        let xmp = #"<rdf:Description xmp:CreatorTool="Adobe Firefly" />"#
        let png = MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(), MetaTestBytes.iTXt("XML:com.adobe.xmp", Array(xmp.utf8)))
        let firefly = try measurement("declared_source", MetadataReader.read(bytes: png))
        #expect(firefly.reason.contains("Adobe Firefly"))
        #expect(firefly.reason.contains("CreatorTool"))
    }

    @Test("Generator names match on word boundaries: Imagenomic is not Imagen")
    func wordBoundaries() {
        #expect(MetaVocabulary.generatorNamed(in: "Imagenomic Portraiture") == nil)
        #expect(MetaVocabulary.generatorNamed(in: "Google Imagen 3") == "Google Imagen")
        #expect(MetaVocabulary.generatorNamed(in: "DALL·E 3") == "DALL·E")
        #expect(MetaVocabulary.editorNamed(in: "Canvas 7") == nil)
    }

    // MARK: - c2pa_remnants

    @Test("An APP11 JUMBF packet whose store is cut short is a remnant (value 1), not a store")
    func app11Remnant() throws {
        let store = MetaTestBytes.c2paStore(payload: 200)
        let broken = MetaTestBytes.segment(0xEB, Array("JP".utf8) + [0, 1] + [0, 0, 0, 1] + Array(store.prefix(100)))
        let facts = MetadataReader.read(bytes: MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), broken))
        #expect(!facts.hasC2PAStore)
        #expect(facts.c2paRemnants.count == 1)
        let m = try measurement("c2pa_remnants", facts)
        #expect(m.value == 1)
        #expect(m.reason.contains("APP11"))
    }

    @Test("A complete C2PA store split over APP11 packets is a store, which the signal leaves to verification")
    func app11Store() throws {
        let store = MetaTestBytes.c2paStore(payload: 300)
        let facts = MetadataReader.read(bytes: MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), MetaTestBytes.app11(store, chunk: 120)))
        #expect(facts.hasC2PAStore)
        #expect(facts.c2paRemnants.first?.contains("manifest store") == true)
        let m = try measurement("c2pa_remnants", facts)
        #expect(m.value == 0)
        #expect(m.reason.contains("verify"))
    }

    @Test("A PNG caBX chunk holding a C2PA store is found; a truncated one is a remnant")
    func caBX() throws {
        let png = try MetaTestBytes.png()
        let whole = MetadataReader.read(bytes: MetaTestBytes.insertingAfterIHDR(png, PNGChunk.make("caBX", MetaTestBytes.c2paStore())))
        #expect(whole.hasC2PAStore)
        #expect(whole.c2paRemnants.first?.contains("caBX") == true)
        let stripped = PNGChunk.make("caBX", Array(MetaTestBytes.c2paStore().prefix(30)))
        let broken = MetadataReader.read(bytes: MetaTestBytes.insertingAfterIHDR(png, stripped))
        #expect(!broken.hasC2PAStore)
        #expect(try measurement("c2pa_remnants", broken).value == 1)
    }

    @Test("XMP dcterms:provenance pointing at a manifest that is gone is a remnant")
    func provenanceReference() throws {
        let xmp = #"<rdf:Description xmlns:dcterms="http://purl.org/dc/terms/" dcterms:provenance="self#jumbf=/c2pa/urn:uuid:1234"/>"#
        let facts = MetadataReader.read(bytes: MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), MetaTestBytes.xmpSegment(xmp)))
        #expect(facts.c2paRemnants.count == 1)
        #expect(facts.c2paRemnants.first?.contains("self#jumbf=/c2pa") == true)
        #expect(try measurement("c2pa_remnants", facts).value == 1)
    }

    @Test("C2PA stores are found in a RIFF C2PA chunk, a BMFF uuid box and an ID3 GEOB frame")
    func otherContainers() throws {
        let store = MetaTestBytes.c2paStore()
        // WebP with a C2PA chunk (RIFF size fixed up).
        var webp = SyntheticMedia.webp() + RIFFBytes.chunk("C2PA", store)
        webp.replaceSubrange(4..<8, with: RIFFBytes.le32(UInt32(webp.count - 8)))
        let riff = MetadataReader.read(bytes: webp)
        #expect(riff.format == .webp)
        #expect(riff.hasC2PAStore)

        let uuid: [UInt8] = [0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81]
        let c2paBox = BMFFBytes.box("uuid", uuid + [0, 0, 0, 0] + Array("manifest\0".utf8) + [UInt8](repeating: 0, count: 8) + store)
        let mp4 = SyntheticMedia.mp4()
        let bmff = MetadataReader.read(bytes: mp4 + c2paBox)
        #expect(bmff.hasC2PAStore)
        let cut = MetadataReader.read(bytes: mp4 + Array(c2paBox.dropLast(10)))
        #expect(!cut.hasC2PAStore)
        #expect(!cut.c2paRemnants.isEmpty)

        let geobBody: [UInt8] = [0] + Array("application/c2pa\0".utf8) + Array("c2pa\0".utf8) + Array("manifest\0".utf8) + store
        let geob = Array("GEOB".utf8) + ID3Bytes.size(geobBody.count, syncsafe: true) + [0, 0] + geobBody
        let mp3 = SyntheticMedia.id3Tag(major: 4, frames: [geob]) + SyntheticMedia.mp3()
        let id3 = MetadataReader.read(bytes: mp3)
        #expect(id3.format == .mp3)
        #expect(id3.hasC2PAStore)
        #expect(try measurement("generator_metadata", id3).applicable == false)
    }

    @Test("A file with no C2PA trace scores 0 with the plain reason")
    func noRemnant() throws {
        let m = try measurement("c2pa_remnants", MetadataReader.read(bytes: try MetaTestBytes.png()))
        #expect(m.value == 0)
        #expect(m.reason == "no C2PA manifest or remnant")
    }

    // MARK: - exif_consistency

    @Test("EXIF naming Photoshop and declaring 6000x4000 for a 48x32 picture is inconsistent, and says so")
    func photoshopAndDimensions() throws {
        var tiff = MetaTIFFBuilder()
        tiff.ifd0 = [
            (0x010F, .ascii("Canon")), (0x0110, .ascii("Canon EOS 5D")), (0x0131, .ascii("Adobe Photoshop 25.0 (Windows)")),
            (0x0132, .ascii("2024:05:02 10:00:00")),
        ]
        tiff.exif = [(0x9003, .ascii("2024:05:01 09:00:00")), (0xA002, .long(6000)), (0xA003, .long(3000))]
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(width: 48, height: 32), MetaTestBytes.exifSegment(tiff.build()))
        let facts = MetadataReader.read(bytes: file)
        #expect(facts.exif?.make == "Canon")
        #expect(facts.exif?.pixelWidth == 6000)
        let m = try measurement("exif_consistency", facts)
        #expect((m.value ?? 0) >= 0.85)
        #expect(m.reason.contains("Canon EOS 5D"))
        #expect(m.reason.contains("Adobe Photoshop 25.0"))
        #expect(m.reason.contains("EXIF says 6000x3000 but the image is 48x32"))
        #expect(m.reason.contains("modified"))
    }

    @Test("A camera-like EXIF block that matches the picture, with a matching thumbnail, scores 0")
    func cleanCamera() throws {
        var tiff = MetaTIFFBuilder()
        tiff.ifd0 = [
            (0x010F, .ascii("NIKON CORPORATION")), (0x0110, .ascii("NIKON Z 6")), (0x0131, .ascii("Ver.01.00")),
            (0x0132, .ascii("2024:05:01 09:00:00")),
        ]
        tiff.exif = [
            (0x9003, .ascii("2024:05:01 09:00:00")), (0xA002, .long(48)), (0xA003, .long(32)),
            (0x927C, .undefined([UInt8](repeating: 7, count: 16))),
        ]
        tiff.thumbnail = MetaTestBytes.tinyJPEG(width: 24, height: 16)
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(width: 48, height: 32), MetaTestBytes.exifSegment(tiff.build()))
        let facts = MetadataReader.read(bytes: file)
        #expect(facts.exif?.hasMakerNote == true)
        #expect(facts.exif?.thumbnail?.width == 24)
        let m = try measurement("exif_consistency", facts)
        #expect(m.value == 0)
        #expect(m.reason.hasPrefix("consistent camera EXIF"))
        #expect(m.reason.contains("NIKON"))
    }

    @Test("A thumbnail whose aspect ratio differs from the picture's by more than 3% reads as a crop after capture")
    func thumbnailCrop() throws {
        var tiff = MetaTIFFBuilder()
        tiff.ifd0 = [(0x010F, .ascii("Canon")), (0x0110, .ascii("Canon EOS R5"))]
        tiff.thumbnail = MetaTestBytes.tinyJPEG(width: 40, height: 40)
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(width: 48, height: 32), MetaTestBytes.exifSegment(tiff.build()))
        let m = try measurement("exif_consistency", MetadataReader.read(bytes: file))
        #expect(m.value == 0.7)
        #expect(m.reason.contains("thumbnail is 40x40"))
    }

    @Test("A PNG eXIf chunk is read, and a file without EXIF is not applicable")
    func pngEXIfAndNone() throws {
        var tiff = MetaTIFFBuilder()
        tiff.ifd0 = [(0x0131, .ascii("GIMP 2.10"))]
        let png = try MetaTestBytes.png()
        let facts = MetadataReader.read(bytes: MetaTestBytes.insertingAfterIHDR(png, PNGChunk.make("eXIf", tiff.build())))
        let m = try measurement("exif_consistency", facts)
        #expect(m.value == 0.4 + 0.15)
        #expect(m.reason.contains("GIMP"))
        let none = try measurement("exif_consistency", MetadataReader.read(bytes: png))
        #expect(!none.applicable)
        #expect(none.reason == "no EXIF")
    }

    // MARK: - Header facts

    @Test("JPEG header facts: natural-order quantization tables, 4:2:0 sampling, optimised versus standard Huffman tables")
    func jpegHeaderFacts() throws {
        let facts = MetadataReader.read(bytes: try MetaTestBytes.jpeg(width: 48, height: 32, quality: 50))
        #expect(facts.format == .jpeg)
        #expect(facts.width == 48 && facts.height == 32)
        let jpeg = try #require(facts.jpeg)
        #expect(!jpeg.isProgressive && !jpeg.isArithmeticCoded)
        #expect(jpeg.frameMarker == 0xC0)
        #expect(jpeg.components.map(\.horizontalSampling) == [2, 1, 1])
        #expect(jpeg.components.map(\.verticalSampling) == [2, 1, 1])
        // Quality 50 is the Annex K luminance table itself: first two rows in natural order.
        let luma = try #require(jpeg.quantizationTables.first { $0.slot == 0 })
        #expect(Array(luma.values[0..<8]) == [16, 11, 10, 16, 24, 40, 51, 61])
        #expect(Array(luma.values[8..<16]) == [12, 12, 14, 19, 26, 58, 60, 55])
        #expect(luma.values[63] == 99)
        #expect(jpeg.quantizationTables.count == 2)
        #expect(jpeg.usesStandardHuffmanTables == false)
        #expect(jpeg.hasEOI && jpeg.scanCount == 1 && jpeg.trailingBytes == 0)
        #expect(jpeg.hasJFIF)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("signet-meta-\(UUID().uuidString).jpg").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ImageCodec.writeJPEG(path: path, width: 40, height: 24, quality: 80) { y, row in
            for x in 0..<row.count { row[x] = UInt8((x + y) % 256) }
        }
        let standard = try MetadataReader.read(path: path)
        #expect(standard.jpeg?.usesStandardHuffmanTables == true)
        #expect(standard.jpeg?.huffmanTables.count == 4)
        #expect(standard.width == 40)
    }

    @Test("PNG header facts: size, bit depth, colour type, palette")
    func pngHeaderFacts() throws {
        let facts = MetadataReader.read(bytes: try MetaTestBytes.png(width: 20, height: 10))
        #expect(facts.format == .png)
        #expect(facts.width == 20 && facts.height == 10)
        #expect(facts.png?.bitDepth == 8)
        #expect(facts.png?.colorType == 2)
        #expect(facts.png?.hasPalette == false)
        #expect(facts.png?.chunkTypes.first == "IHDR")
        #expect(facts.png?.chunkTypes.last == "IEND")
    }

    @Test("A missing file is an error with a reason; a file of unknown format is not")
    func errors() throws {
        #expect(throws: DetectMetadataError.self) { try MetadataReader.read(path: "/nonexistent/signet/meta.jpg") }
        let unknown = MetadataReader.read(bytes: Array("just some text, not an image".utf8))
        #expect(unknown.format == nil)
        let all = MetadataReader.measurements(unknown)
        #expect(all.count == 4)
        #expect(all.allSatisfy { !$0.applicable })
    }
}

func metaHexBytes(_ s: String) -> [UInt8]? {
    var out: [UInt8] = []
    var chars = Array(s.utf8)[...]
    while chars.count >= 2 {
        guard let v = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) else { return nil }
        out.append(v)
        chars = chars.dropFirst(2)
    }
    return chars.isEmpty ? out : nil
}
