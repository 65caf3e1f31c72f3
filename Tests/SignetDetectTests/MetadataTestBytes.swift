import SignetImaging
import SignetTestSupport

/// Small files for the metadata tests, built in code.
enum MetaTestBytes {
    /// A smooth RGB test picture.
    static func picture(width: Int, height: Int) -> RGBImage {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8(x * 255 / max(1, width - 1)), UInt8(y * 255 / max(1, height - 1)), UInt8((x + y) % 256)]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func jpeg(width: Int = 48, height: Int = 32, quality: Int = 90) throws -> [UInt8] {
        try ImageCodec.encodeJPEG(picture(width: width, height: height), quality: quality)
    }

    static func png(width: Int = 48, height: Int = 32) throws -> [UInt8] {
        try ImageCodec.encodePNG(picture(width: width, height: height))
    }

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// A JPEG marker segment.
    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0xFF, marker] + be16(payload.count + 2) + payload
    }

    /// `jpeg` with `segments` inserted right after SOI.
    static func insertingAfterSOI(_ jpeg: [UInt8], _ segments: [UInt8]) -> [UInt8] {
        Array(jpeg[0..<2]) + segments + Array(jpeg[2...])
    }

    /// `png` with `chunks` inserted right after IHDR.
    static func insertingAfterIHDR(_ png: [UInt8], _ chunks: [UInt8]) -> [UInt8] {
        Array(png[0..<33]) + chunks + Array(png[33...])
    }

    static func xmpSegment(_ xmp: String) -> [UInt8] {
        segment(0xE1, Array("http://ns.adobe.com/xap/1.0/\0".utf8) + Array(xmp.utf8))
    }

    static func exifSegment(_ tiff: [UInt8]) -> [UInt8] {
        segment(0xE1, Array("Exif\0\0".utf8) + tiff)
    }

    static func tEXt(_ key: String, _ text: String) -> [UInt8] {
        PNGChunk.make("tEXt", Array(key.utf8) + [0] + Array(text.utf8))
    }

    static func iTXt(_ key: String, _ text: [UInt8], compressed: Bool = false) -> [UInt8] {
        PNGChunk.make("iTXt", Array(key.utf8) + [0, compressed ? 1 : 0, 0] + [0] + [0] + text)
    }

    /// An XMP packet declaring `code` as the IPTC digital source type, in attribute form.
    static func xmpDeclaring(_ code: String, extra: String = "") -> String {
        """
        <?xpacket begin="\u{FEFF}" id="W5M0MpCehiHzreSzNTczkc9d"?>
        <x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
          Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/\(code)" \(extra)/>
        </rdf:RDF></x:xmpmeta>
        <?xpacket end="w"?>
        """
    }

    /// A JUMBF superbox with the C2PA store description (label `c2pa`) and `payload` bytes of content.
    static func c2paStore(payload: Int = 40) -> [UInt8] {
        let type: [UInt8] = [0x63, 0x32, 0x70, 0x61, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        let jumdBody = type + [0x03] + Array("c2pa\0".utf8)
        let jumd = be32(8 + jumdBody.count) + Array("jumd".utf8) + jumdBody
        let content = be32(8 + payload) + Array("free".utf8) + [UInt8](repeating: 0x5A, count: payload)
        let body = jumd + content
        return be32(8 + body.count) + Array("jumb".utf8) + body
    }

    /// APP11 packets carrying `store` (one packet, or split into packets of `chunk` bytes of content).
    static func app11(_ store: [UInt8], instance: Int = 1, chunk: Int = 60000) -> [UInt8] {
        let header = Array(store[0..<8])
        var out: [UInt8] = []
        var sequence = 1
        var offset = 0
        while offset < store.count {
            let end = min(store.count, offset + chunk)
            let body = sequence == 1 ? Array(store[offset..<end]) : header + Array(store[offset..<end])
            out += segment(0xEB, Array("JP".utf8) + be16(instance) + be32(sequence) + body)
            sequence += 1
            offset = end
        }
        return out
    }

    /// A minimal baseline JPEG header for thumbnails: SOI, SOF0 with the given size, EOI.
    static func tinyJPEG(width: Int, height: Int) -> [UInt8] {
        [0xFF, 0xD8] + segment(0xC0, [8] + be16(height) + be16(width) + [1, 1, 0x11, 0]) + [0xFF, 0xD9]
    }
}

/// A big-endian TIFF (EXIF) block built from IFD0, Exif IFD and IFD1 entries.
struct MetaTIFFBuilder {
    enum Value {
        case ascii(String)
        case short(Int)
        case long(Int)
        case undefined([UInt8])

        var type: Int {
            switch self {
            case .ascii: return 2
            case .short: return 3
            case .long: return 4
            case .undefined: return 7
            }
        }

        var bytes: [UInt8] {
            switch self {
            case .ascii(let s): return Array(s.utf8) + [0]
            case .short(let v): return MetaTestBytes.be16(v)
            case .long(let v): return MetaTestBytes.be32(v)
            case .undefined(let b): return b
            }
        }

        var count: Int {
            switch self {
            case .short, .long: return 1
            default: return bytes.count
            }
        }
    }

    var ifd0: [(Int, Value)] = []
    var exif: [(Int, Value)] = []
    var thumbnail: [UInt8]?

    static func ifdSize(_ entries: [(Int, Value)]) -> Int {
        2 + 12 * entries.count + 4 + entries.reduce(0) { $0 + ($1.1.bytes.count > 4 ? ($1.1.bytes.count + 1) / 2 * 2 : 0) }
    }

    /// An IFD at `offset` followed by its out-of-line values.
    static func ifd(_ entries: [(Int, Value)], at offset: Int, next: Int) -> [UInt8] {
        var out = MetaTestBytes.be16(entries.count)
        var data: [UInt8] = []
        let dataStart = offset + 2 + 12 * entries.count + 4
        for (tag, value) in entries {
            out += MetaTestBytes.be16(tag) + MetaTestBytes.be16(value.type) + MetaTestBytes.be32(value.count)
            let bytes = value.bytes
            if bytes.count <= 4 {
                out += bytes + [UInt8](repeating: 0, count: 4 - bytes.count)
            } else {
                out += MetaTestBytes.be32(dataStart + data.count)
                data += bytes
                if data.count % 2 == 1 { data.append(0) }
            }
        }
        return out + MetaTestBytes.be32(next) + data
    }

    func build() -> [UInt8] {
        var zeroth = ifd0
        if !exif.isEmpty { zeroth.append((0x8769, .long(0))) }
        let ifd0Size = MetaTIFFBuilder.ifdSize(zeroth)
        let exifOffset = 8 + ifd0Size
        let exifSize = exif.isEmpty ? 0 : MetaTIFFBuilder.ifdSize(exif)
        let ifd1Offset = exifOffset + exifSize
        var ifd1: [(Int, Value)] = []
        if let thumbnail {
            ifd1 = [(0x0103, .short(6)), (0x0201, .long(0)), (0x0202, .long(thumbnail.count))]
            let thumbOffset = ifd1Offset + MetaTIFFBuilder.ifdSize(ifd1)
            ifd1[1] = (0x0201, .long(thumbOffset))
        }
        if !exif.isEmpty { zeroth[zeroth.count - 1] = (0x8769, .long(exifOffset)) }
        var out = Array("MM".utf8) + [0, 42] + MetaTestBytes.be32(8)
        out += MetaTIFFBuilder.ifd(zeroth, at: 8, next: thumbnail == nil ? 0 : ifd1Offset)
        if !exif.isEmpty { out += MetaTIFFBuilder.ifd(exif, at: exifOffset, next: 0) }
        if let thumbnail {
            out += MetaTIFFBuilder.ifd(ifd1, at: ifd1Offset, next: 0)
            out += thumbnail
        }
        return out
    }
}

/// A raw DEFLATE bit writer for fixed-Huffman test streams.
struct MetaDeflateWriter {
    var bytes: [UInt8] = []
    var bitCount = 0

    mutating func bits(_ value: Int, _ n: Int) {
        for k in 0..<n { bit(value >> k & 1) }
    }

    /// A Huffman code, most significant bit first.
    mutating func code(_ value: Int, _ n: Int) {
        for k in stride(from: n - 1, through: 0, by: -1) { bit(value >> k & 1) }
    }

    mutating func bit(_ b: Int) {
        if bitCount % 8 == 0 { bytes.append(0) }
        bytes[bytes.count - 1] |= UInt8(b) << UInt8(bitCount % 8)
        bitCount += 1
    }

    /// A zlib stream of one fixed-Huffman block: a zero byte, then `pairs` copies of 258 bytes at distance 1
    /// (1 + 258 * pairs bytes of zeros from a few bytes of input).
    static func zeroBomb(pairs: Int) -> [UInt8] {
        var w = MetaDeflateWriter()
        w.bits(1, 1)  // final
        w.bits(1, 2)  // fixed codes
        w.code(0x30, 8)  // literal 0
        for _ in 0..<pairs {
            w.code(0xC5, 8)  // length symbol 285 = 258
            w.code(0, 5)  // distance symbol 0 = 1
        }
        w.code(0, 7)  // end of block (256)
        return [0x78, 0x01] + w.bytes
    }
}
