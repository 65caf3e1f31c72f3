/// Embedded cover art of audio files, the picture a claim thumbnail is made from.
///
/// ```
/// ID3 APIC  = Encoding:u8 Mime:latin1 00 PictureType:u8 Description:text Picture         ; ID3v2.3 / 2.4
/// FLAC      = 'fLaC' *( Last:1 Type:7 Length:u24 Data )    ; Type 6 (PICTURE):
///             PictureType:u32 MimeLength:u32 Mime DescLength:u32 Desc W:u32 H:u32 Depth:u32 Colors:u32 Length:u32 Picture
/// M4A covr  = moov/udta/meta/ilst/covr/data: TypeIndicator:u32 (13 JPEG, 14 PNG) Locale:u32 Picture
/// ```
/// Only JPEG and PNG pictures are returned; the front cover (picture type 3) is preferred over other pictures.
public enum CoverArt {
    /// The largest picture considered.
    public static let maxSize = 16 << 20

    /// Where the cover picture is in the file, and its media type, or `nil` when there is none.
    public static func find(_ reader: FileReader, scan: AssetScan) throws(MediaError) -> (range: Range<Int64>, mediaType: String)? {
        var found: [(range: Range<Int64>, mediaType: String, front: Bool)] = []
        switch scan.format.container {
        case .id3:
            for segment in scan.segments where segment.name == "APIC" {
                if let p = try apic(reader, frame: segment.range) { found.append(p) }
            }
            if scan.format == .flac, let audio = scan.segments.last(where: { $0.name == "fLaC" }) {
                found += try flacPictures(reader, from: audio.range.lowerBound)
            }
        case .bmff:
            found += try covr(reader)
        default:
            return nil
        }
        guard let best = found.first(where: { $0.front }) ?? found.first else { return nil }
        return (best.range, best.mediaType)
    }

    private static func mediaType(sniffing bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        return nil
    }

    private static func apic(_ reader: FileReader, frame: Range<Int64>) throws(MediaError) -> (Range<Int64>, String, Bool)? {
        let data = (frame.lowerBound + 10)..<frame.upperBound
        let head = try reader.readUpTo(at: data.lowerBound, count: min(data.count, 1024))
        guard let encoding = head.first, encoding <= 3, let mimeEnd = head[1...].firstIndex(of: 0), mimeEnd + 1 < head.count else { return nil }
        let pictureType = head[mimeEnd + 1]
        var i = mimeEnd + 2
        let wide = encoding == 1 || encoding == 2
        while true {
            if wide {
                guard i + 1 < head.count else { return nil }
                if head[i] == 0 && head[i + 1] == 0 { i += 2; break }
                i += 2
            } else {
                guard i < head.count else { return nil }
                if head[i] == 0 { i += 1; break }
                i += 1
            }
        }
        let picture = (data.lowerBound + Int64(i))..<data.upperBound
        return try candidate(reader, picture, front: pictureType == 3)
    }

    private static func candidate(_ reader: FileReader, _ picture: Range<Int64>, front: Bool) throws(MediaError) -> (Range<Int64>, String, Bool)? {
        guard !picture.isEmpty, picture.count <= maxSize else { return nil }
        guard let type = mediaType(sniffing: try reader.readUpTo(at: picture.lowerBound, count: 8)) else { return nil }
        return (picture, type, front)
    }

    private static func flacPictures(_ reader: FileReader, from start: Int64) throws(MediaError) -> [(Range<Int64>, String, Bool)] {
        var out: [(Range<Int64>, String, Bool)] = []
        var position = start + 4
        for _ in 0..<1024 {
            let h = try reader.readUpTo(at: position, count: 4)
            guard h.count == 4 else { break }
            let last = h[0] & 0x80 != 0
            let type = h[0] & 0x7F
            let length = Int64(h[1]) << 16 | Int64(h[2]) << 8 | Int64(h[3])
            let body = (position + 4)..<(position + 4 + length)
            guard body.upperBound <= reader.size else { break }
            if type == 6, length >= 32 {
                let fields = try reader.read(at: body.lowerBound, count: Int(min(length, 4096)))[...]
                if let pictureType = fields.beU32(at: 0), let mimeLength = fields.beU32(at: 4),
                    let descLength = fields.beU32(at: 8 + Int(min(mimeLength, 4096))) {
                    let lengthAt = 12 + Int(min(mimeLength, 4096)) + Int(min(descLength, 4096)) + 16
                    if let pictureLength = fields.beU32(at: lengthAt) {
                        let picStart = body.lowerBound + Int64(lengthAt) + 4
                        let picture = picStart..<(picStart + Int64(pictureLength))
                        if picture.upperBound <= body.upperBound, let c = try candidate(reader, picture, front: pictureType == 3) {
                            out.append(c)
                        }
                    }
                }
            }
            position = body.upperBound
            if last { break }
        }
        return out
    }

    private static func covr(_ reader: FileReader) throws(MediaError) -> [(Range<Int64>, String, Bool)] {
        // covr sits in moov/udta/meta/ilst; ilst's items are boxes whose children are 'data' boxes.
        let tree = try BMFF.boxes(reader)
        var out: [(Range<Int64>, String, Bool)] = []
        for moov in tree where moov.type == "moov" {
            for udta in moov.children where udta.type == "udta" {
                for meta in udta.children where meta.type == "meta" {
                    for ilst in meta.children where ilst.type == "ilst" {
                        guard ilst.range.count <= Int64(maxSize) * 4 else { continue }
                        var items: [BMFFBox] = []
                        var input = WindowedReader(reader)
                        var count = 0
                        items = (try? BMFF.children(&input, in: ilst.payloadStart..<ilst.range.upperBound, depth: 1, topLevel: false, count: &count)) ?? []
                        for item in items where item.type == "covr" {
                            var n = 0
                            let datas = (try? BMFF.children(&input, in: item.payloadStart..<item.range.upperBound, depth: 2, topLevel: false, count: &n)) ?? []
                            for data in datas where data.type == "data" && data.range.count > 16 {
                                let picture = (data.payloadStart + 8)..<data.range.upperBound
                                if let c = try candidate(reader, picture, front: true) { out.append(c) }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
