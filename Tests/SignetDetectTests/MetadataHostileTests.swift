import Foundation
import SignetMedia
import SignetTestSupport
import Testing

@testable import SignetDetect

@Suite("Metadata reader on hostile input")
struct MetadataHostileTests {
    /// Reads `bytes` and checks the four measurements are well-formed (values in 0...1, floors in 0...1).
    @discardableResult
    func readChecked(_ bytes: [UInt8]) -> MetadataFacts {
        let facts = MetadataReader.read(bytes: bytes)
        for m in MetadataReader.measurements(facts) {
            if let v = m.value { #expect((0...1).contains(v), "\(m.name) = \(v)") }
            if let f = m.floor { #expect((0...1).contains(f)) }
            #expect(m.applicable == (m.value != nil))
        }
        return facts
    }

    @Test("Every truncation of a JPEG carrying EXIF, XMP, APP11 and COM reads without crashing")
    func truncatedJPEG() throws {
        var tiff = MetaTIFFBuilder()
        tiff.ifd0 = [(0x010F, .ascii("Canon")), (0x0131, .ascii("Adobe Photoshop"))]
        tiff.exif = [(0xA002, .long(100)), (0xA003, .long(50))]
        tiff.thumbnail = MetaTestBytes.tinyJPEG(width: 16, height: 8)
        let segments = MetaTestBytes.exifSegment(tiff.build())
            + MetaTestBytes.xmpSegment(MetaTestBytes.xmpDeclaring("trainedAlgorithmicMedia"))
            + MetaTestBytes.app11(MetaTestBytes.c2paStore(payload: 64))
            + MetaTestBytes.segment(0xFE, Array("Steps: 20, Sampler: Euler".utf8))
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(width: 16, height: 16), segments)
        for cut in 0...file.count { readChecked(Array(file.prefix(cut))) }
        let whole = readChecked(file)
        #expect(whole.hasC2PAStore)
        let cutStore = readChecked(Array(file.prefix(segments.count - 40)))
        #expect(!cutStore.hasC2PAStore)
    }

    @Test("Every truncation of a PNG with text, eXIf and caBX chunks reads without crashing")
    func truncatedPNG() throws {
        var tiff = MetaTIFFBuilder()
        tiff.ifd0 = [(0x0131, .ascii("GIMP"))]
        let chunks = MetaTestBytes.tEXt("parameters", "Steps: 1, Seed: 2") + PNGChunk.make("eXIf", tiff.build())
            + PNGChunk.make("caBX", MetaTestBytes.c2paStore()) + MetaTestBytes.iTXt("prompt", MetaDeflateWriter.zeroBomb(pairs: 2), compressed: true)
        let file = MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(width: 8, height: 8), chunks)
        for cut in 0...file.count { readChecked(Array(file.prefix(cut))) }
    }

    @Test("An EXIF IFD that points back to itself is read once and noted")
    func ifdLoop() throws {
        // IFD0 at 8 with one Make entry and a next-IFD pointer back to 8; an Exif pointer also to 8.
        var tiff: [UInt8] = Array("MM".utf8) + [0, 42] + MetaTestBytes.be32(8)
        tiff += MetaTestBytes.be16(2)
        tiff += MetaTestBytes.be16(0x010F) + MetaTestBytes.be16(2) + MetaTestBytes.be32(4) + Array("Sony".utf8)
        tiff += MetaTestBytes.be16(0x8769) + MetaTestBytes.be16(4) + MetaTestBytes.be32(1) + MetaTestBytes.be32(8)
        tiff += MetaTestBytes.be32(8)
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), MetaTestBytes.exifSegment(tiff))
        let facts = readChecked(file)
        #expect(facts.exif?.make == "Sony")
        #expect(facts.notes.contains { $0.contains("loops back") })
    }

    @Test("EXIF entry counts and value offsets past the end of the block are skipped, not trusted")
    func exifCountsPastEnd() throws {
        var tiff: [UInt8] = Array("II".utf8) + [42, 0, 8, 0, 0, 0]
        tiff += [0xFF, 0xFF]  // 65535 entries declared
        // Model: ASCII with a count of 0xFFFFFFF0 at an offset far away.
        tiff += [0x10, 0x01, 2, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x10]
        // Software: 12 bytes at offset 0x7FFFFFFF.
        tiff += [0x31, 0x01, 2, 0, 12, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F]
        // Make: inline "Fuji" is fine.
        tiff += [0x0F, 0x01, 2, 0, 4, 0, 0, 0] + Array("Fuji".utf8)
        let file = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), MetaTestBytes.exifSegment(tiff))
        let facts = readChecked(file)
        #expect(facts.exif?.make == "Fuji")
        #expect(facts.exif?.model == nil)
        #expect(facts.exif?.software == nil)
        #expect(facts.notes.contains { $0.contains("entries") })
    }

    @Test("Huge declared lengths (PNG chunk, BMFF box, RIFF chunk, ID3 tag, JPEG segment) are bounded by the file")
    func hugeLengths() throws {
        let png = try MetaTestBytes.png(width: 4, height: 4)
        let hugeChunk = MetaTestBytes.be32(0x7FFF_FFF0) + Array("tEXt".utf8) + Array("parameters\0Steps: 1".utf8)
        let p = readChecked(MetaTestBytes.insertingAfterIHDR(png, hugeChunk))
        #expect(p.notes.contains { $0.contains("past the end") })
        let invalid = MetaTestBytes.be32(0xFFFF_FFF0) + Array("caBX".utf8)
        #expect(readChecked(MetaTestBytes.insertingAfterIHDR(png, invalid)).c2paRemnants.count == 1)

        let bigBox: [UInt8] = [0, 0, 0, 1] + Array("mdat".utf8) + [0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0] + [1, 2, 3]
        readChecked(SyntheticMedia.mp4() + bigBox)
        readChecked(SyntheticMedia.mp4() + [0, 0, 0, 4] + Array("free".utf8))

        var webp = SyntheticMedia.webp() + Array("XMP ".utf8) + [0xF0, 0xFF, 0xFF, 0xFF] + Array("<x/>".utf8)
        webp.replaceSubrange(4..<8, with: [0xFF, 0xFF, 0xFF, 0xFF])
        readChecked(webp)

        let tag = Array("ID3".utf8) + [4, 0, 0x40, 0x7F, 0x7F, 0x7F, 0x7F] + Array("GEOB".utf8) + [0x7F, 0x7F, 0x7F, 0x7F, 0, 0]
        readChecked(tag + [0, 1, 2])

        let jpeg = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF] + Array("Exif\0\0MM".utf8)
        readChecked(jpeg)
    }

    @Test("Deterministic random mutations of small files in every container read in bounded time without crashing")
    func mutations() throws {
        var tiff = MetaTIFFBuilder()
        tiff.ifd0 = [(0x010F, .ascii("Canon")), (0x0110, .ascii("EOS"))]
        tiff.exif = [(0xA002, .long(16)), (0xA003, .long(16)), (0x9286, .undefined(Array("UNICODE\0".utf8) + [0, 0x41, 0, 0x42]))]
        tiff.thumbnail = MetaTestBytes.tinyJPEG(width: 8, height: 8)
        let jpeg = MetaTestBytes.insertingAfterSOI(
            try MetaTestBytes.jpeg(width: 16, height: 16),
            MetaTestBytes.exifSegment(tiff.build()) + MetaTestBytes.xmpSegment(MetaTestBytes.xmpDeclaring("digitalCapture"))
                + MetaTestBytes.app11(MetaTestBytes.c2paStore()))
        let png = MetaTestBytes.insertingAfterIHDR(
            try MetaTestBytes.png(width: 8, height: 8),
            MetaTestBytes.tEXt("prompt", #"{"1":{"class_type":"X"}}"#) + PNGChunk.make("caBX", MetaTestBytes.c2paStore())
                + MetaTestBytes.iTXt("workflow", MetaDeflateWriter.zeroBomb(pairs: 4), compressed: true))
        let geobBody: [UInt8] = [0] + Array("application/c2pa\0a\0b\0".utf8) + MetaTestBytes.c2paStore()
        let mp3 = SyntheticMedia.id3Tag(major: 3, frames: [Array("GEOB".utf8) + ID3Bytes.size(geobBody.count, syncsafe: false) + [0, 0] + geobBody])
            + SyntheticMedia.mp3(frames: 2)
        let seeds = [jpeg, png, SyntheticMedia.webp(), SyntheticMedia.mp4(), mp3, SyntheticMedia.wav(samples: 50)]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        let start = Date()
        for seed in seeds {
            for _ in 0..<300 {
                var bytes = seed
                for _ in 0..<(1 + next() % 8) {
                    let at = next() % bytes.count
                    switch next() % 3 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: next())
                    case 1: bytes[at] = 0xFF
                    default: bytes[at] = bytes[at] &+ 1
                    }
                }
                readChecked(bytes)
            }
        }
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test("An XMP packet full of unterminated elements and attributes is scanned in bounded time")
    func hostileXMP() throws {
        let unit = Array("<a:CreatorTool><b:DigitalSourceType x:provenance=\"".utf8)
        var packet: [UInt8] = []
        while packet.count < 3 << 20 { packet += unit }
        let start = Date()
        let file = MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(width: 4, height: 4), MetaTestBytes.iTXt("XML:com.adobe.xmp", packet))
        let facts = readChecked(file)
        #expect(facts.xmpPacketCount == 1)
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test("Many compressed text chunks inflate at most the file-wide cap in total")
    func manyBombs() throws {
        let bomb = MetaTestBytes.iTXt("prompt", MetaDeflateWriter.zeroBomb(pairs: 5000), compressed: true)
        let chunks = (0..<20).flatMap { _ in bomb }
        let facts = readChecked(MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(width: 4, height: 4), chunks))
        let inflated = facts.textEntries.filter { $0.key == "prompt" }.count
        #expect(inflated == 8)
        #expect(facts.notes.contains { $0.contains("was not read") })
    }
}
