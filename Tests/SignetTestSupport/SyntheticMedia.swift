import Foundation

/// Small, structurally valid media files built byte by byte, for tests that need a container but no decoder.
public enum SyntheticMedia {
    /// A 16-bit mono PCM WAV with `samples` samples (an odd data size when `oddData`, to exercise pad bytes).
    public static func wav(samples: Int = 2000, oddData: Bool = false) -> [UInt8] {
        var fmt: [UInt8] = []
        fmt += le16(1) + le16(1) + le32(8000) + le32(16000) + le16(2) + le16(16)
        let data = (0..<(samples * 2 + (oddData ? 1 : 0))).map { UInt8(truncatingIfNeeded: $0 &* 31 % 253) }
        let body = Array("WAVE".utf8) + RIFFBytes.chunk("fmt ", fmt) + RIFFBytes.chunk("data", data)
        return Array("RIFF".utf8) + le32(UInt32(body.count)) + body
    }

    /// A lossy WebP container: RIFF `WEBP` with one `VP8 ` chunk (its payload is not a real bitstream).
    public static func webp() -> [UInt8] {
        let vp8 = [0x30, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x08, 0x00, 0x08, 0x00] + [UInt8](repeating: 0x11, count: 190)
        let body = Array("WEBP".utf8) + RIFFBytes.chunk("VP8 ", vp8)
        return Array("RIFF".utf8) + le32(UInt32(body.count)) + body
    }

    /// MPEG-1 Layer III frames (headers valid, payload arbitrary), after an optional ID3v2 tag with a title frame
    /// and `padding` zero bytes.
    public static func mp3(tag: UInt8? = nil, padding: Int = 0, frames: Int = 8) -> [UInt8] {
        var audio: [UInt8] = []
        for i in 0..<frames {
            // 128 kbit/s, 44.1 kHz: 417-byte frames.
            audio += [0xFF, 0xFB, 0x90, 0x00] + (0..<413).map { UInt8(truncatingIfNeeded: ($0 + i) &* 13 % 251) }
        }
        guard let major = tag else { return audio }
        return id3Tag(major: major, frames: [textFrame("TIT2", "a title", major: major)], padding: padding) + audio
    }

    /// A FLAC stream: `fLaC`, a STREAMINFO block, then arbitrary frame bytes.
    public static func flac() -> [UInt8] {
        var streaminfo = [UInt8](repeating: 0, count: 34)
        streaminfo[0] = 0x10
        streaminfo[2] = 0x10
        return Array("fLaC".utf8) + [0x80, 0, 0, 34] + streaminfo + [0xFF, 0xF8] + [UInt8](repeating: 0x22, count: 600)
    }

    /// An ID3v2 tag (2.3 or 2.4) holding `frames` and `padding` zero bytes.
    public static func id3Tag(major: UInt8, frames: [[UInt8]], padding: Int = 0) -> [UInt8] {
        let body = frames.flatMap { $0 } + [UInt8](repeating: 0, count: padding)
        return Array("ID3".utf8) + [major, 0, 0] + ID3Bytes.size(body.count, syncsafe: true) + body
    }

    /// A text frame (UTF-8 in 2.4, Latin-1 in 2.3).
    public static func textFrame(_ id: String, _ text: String, major: UInt8) -> [UInt8] {
        let body: [UInt8] = [major == 4 ? 3 : 0] + Array(text.utf8)
        return Array(id.utf8) + ID3Bytes.size(body.count, syncsafe: major == 4) + [0, 0] + body
    }

    /// An MP4 with one track whose `stco` points at its two chunks in `mdat`; `moovFirst` is the faststart layout.
    public static func mp4(moovFirst: Bool = true, mdatBytes: Int = 1200) -> [UInt8] {
        let ftyp = BMFFBytes.box("ftyp", Array("isom".utf8) + [0, 0, 2, 0] + Array("isomiso2mp41".utf8))
        let media = (0..<mdatBytes).map { UInt8(truncatingIfNeeded: $0 &* 17 % 251) }
        func moov(chunkOffsets: [UInt32]) -> [UInt8] {
            let stco = BMFFBytes.box("stco", [0, 0, 0, 0] + be32(UInt32(chunkOffsets.count)) + chunkOffsets.flatMap(be32))
            let stsz = BMFFBytes.box("stsz", [0, 0, 0, 0] + be32(0) + be32(2) + be32(UInt32(mdatBytes / 2)) + be32(UInt32(mdatBytes - mdatBytes / 2)))
            let stsc = BMFFBytes.box("stsc", [0, 0, 0, 0] + be32(1) + be32(1) + be32(1) + be32(1))
            let stbl = BMFFBytes.box("stbl", stsc + stsz + stco)
            let minf = BMFFBytes.box("minf", stbl)
            let mdia = BMFFBytes.box("mdia", minf)
            let tkhd = BMFFBytes.box("tkhd", [0, 0, 0, 3] + [UInt8](repeating: 0, count: 80))
            let trak = BMFFBytes.box("trak", tkhd + mdia)
            let mvhd = BMFFBytes.box("mvhd", [0, 0, 0, 0] + [UInt8](repeating: 0, count: 96))
            return BMFFBytes.box("moov", mvhd + trak)
        }
        let placeholder = moov(chunkOffsets: [0, 0])
        if moovFirst {
            let mdatStart = UInt32(ftyp.count + placeholder.count + 8)
            return ftyp + moov(chunkOffsets: [mdatStart, mdatStart + UInt32(mdatBytes / 2)]) + BMFFBytes.box("mdat", media)
        }
        let mdatStart = UInt32(ftyp.count + 8)
        return ftyp + BMFFBytes.box("mdat", media) + moov(chunkOffsets: [mdatStart, mdatStart + UInt32(mdatBytes / 2)])
    }

    /// A 16x12 GIF87a with a 4-colour global table and one image (its LZW data is arbitrary: only its framing is
    /// read), after a comment extension when `comment`.
    public static func gif(comment: Bool = false) -> [UInt8] {
        var out = Array("GIF87a".utf8) + le16(16) + le16(12) + [0x81, 0, 0] + (0..<12).map { UInt8($0 &* 21) }
        if comment { out += GIFBytes.comment(total: 40) }
        let lzw = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 % 251) }
        out += [0x2C] + le16(0) + le16(0) + le16(16) + le16(12) + [0, 2] + GIFBytes.subBlocks(lzw) + [0x3B]
        return out
    }

    /// A little-endian classic TIFF: 16x12 8-bit gray in one strip right after the header, then IFD0.
    public static func tiff() -> [UInt8] {
        let pixels = (0..<192).map { UInt8(truncatingIfNeeded: $0 &* 13 % 251) }
        var out: [UInt8] = [0x49, 0x49, 42, 0] + le32(UInt32(8 + pixels.count)) + pixels
        let entries: [(UInt16, UInt16, UInt32)] = [(256, 3, 16), (257, 3, 12), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 8), (277, 3, 1), (278, 3, 12), (279, 4, 192)]
        out += le16(UInt16(entries.count))
        for (tag, type, value) in entries { out += le16(tag) + le16(type) + le32(1) + le32(value) }
        return out + le32(0)
    }

    /// A JPEG XL container (signature, ftyp, jxlc) around codestream-like bytes (signing does not decode them).
    public static func jxl() -> [UInt8] {
        let codestream: [UInt8] = [0xFF, 0x0A] + (0..<400).map { UInt8(truncatingIfNeeded: $0 &* 17 % 253) }
        return [0, 0, 0, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A, 0, 0, 0, 0x14] + Array("ftypjxl ".utf8) + [0, 0, 0, 0]
            + Array("jxl ".utf8) + be32(UInt32(codestream.count + 8)) + Array("jxlc".utf8) + codestream
    }

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { RIFFBytes.le32(v) }
    static func be32(_ v: UInt32) -> [UInt8] { PNGChunk.be32(v) }
}
