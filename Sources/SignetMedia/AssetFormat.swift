/// The media formats that can carry an embedded C2PA manifest store, each with the container that carries it.
public enum AssetFormat: String, Sendable, CaseIterable {
    /// JPEG (ISO/IEC 10918-1 / JFIF / Exif); the store travels in APP11 marker segments.
    case jpeg
    /// PNG; the store travels in one `caBX` chunk.
    case png
    /// WAV (RIFF `WAVE`); a `C2PA` chunk.
    case wav
    /// WebP (RIFF `WEBP`); a `C2PA` chunk.
    case webp
    /// AVI (RIFF `AVI `); a `C2PA` chunk in the first RIFF list.
    case avi
    /// MP3; an ID3v2 `GEOB` frame.
    case mp3
    /// FLAC; an ID3v2 `GEOB` frame in a tag before `fLaC`, as c2pa-rs writes it.
    case flac
    /// MP4 (ISO BMFF); a C2PA `uuid` box.
    case mp4
    /// QuickTime movie (ISO BMFF brand `qt  `).
    case mov
    /// MPEG-4 audio (ISO BMFF brands `M4A `, `M4B `, `M4P `, `F4A `).
    case m4a
    /// HEIF image (ISO BMFF brands `mif1`, `msf1`, …).
    case heif
    /// HEIC image (ISO BMFF HEVC brands `heic`, `heix`, …).
    case heic
    /// AVIF image (ISO BMFF brands `avif`, `avis`).
    case avif
    /// GIF (87a, 89a); a `C2PA_GIF` application extension.
    case gif
    /// TIFF (classic or BigTIFF); an IFD entry with tag `0xCD41`.
    case tiff
    /// DNG (a TIFF whose first IFD has a `DNGVersion` entry); carried as in TIFF.
    case dng
    /// JPEG XL (the box container, or a bare codestream that signing wraps in one); a top-level `jumb` box.
    case jxl
    /// SVG (UTF-8 XML with an `svg` root); a `c2pa:manifest` element holding the store in base64.
    case svg
    /// PDF, read only: a document-level C2PA store in an embedded file stream the catalog's `/AF` names.
    case pdf

    /// The kind of container, which decides how the store is found and embedded.
    public enum Container: String, Sendable {
        case jpeg, png, riff, id3, bmff, gif, tiff, jxl, svg, pdf
    }

    public var container: Container {
        switch self {
        case .jpeg: return .jpeg
        case .png: return .png
        case .wav, .webp, .avi: return .riff
        case .mp3, .flac: return .id3
        case .mp4, .mov, .m4a, .heif, .heic, .avif: return .bmff
        case .gif: return .gif
        case .tiff, .dng: return .tiff
        case .jxl: return .jxl
        case .svg: return .svg
        case .pdf: return .pdf
        }
    }

    /// The 8-byte PNG signature.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// How many leading bytes ``detect(prefix:)`` looks at.
    public static let detectionPrefixLength = 16

    /// Identifies a format from the first bytes of a file (16 bytes suffice), or `nil`.
    ///
    /// JPEG: `FF D8 FF`. PNG: the 8-byte signature. GIF: `GIF87a` or `GIF89a`. TIFF: `II*\0`, `MM\0*` (BigTIFF `+` for `*`); DNG is told from TIFF by the scan. JPEG XL: the container signature box, or `FF 0A` (a bare codestream). PDF: `%PDF-` at offset 0. SVG: XML markup first (`<?xml`, `<svg`, `<!--`, `<!DOCTYPE`, after a UTF-8 BOM and spaces); the scan then requires an `svg` root. RIFF: `RIFF` size and the form type `WAVE`, `WEBP` or `AVI `.
    /// ID3v2 (`ID3`) or an MPEG audio frame sync: MP3 (an ID3 tag followed by `fLaC` is FLAC, which only
    /// parsing the tag can tell: the container scan refines it). `fLaC`: FLAC. ISO BMFF: an `ftyp` box first,
    /// the major brand (then the compatible brands) naming the kind.
    public static func detect(prefix: [UInt8]) -> AssetFormat? {
        let p = prefix[...]
        if p.count >= 3, p[0] == 0xFF, p[1] == 0xD8, p[2] == 0xFF { return .jpeg }
        if p.count >= 8, Array(p[0..<8]) == pngSignature { return .png }
        if p.matches(Array("GIF87a".utf8), at: 0) || p.matches(Array("GIF89a".utf8), at: 0) { return .gif }
        if p.count >= 12, Array(p[0..<12]) == JXLContainer.signature { return .jxl }
        if p.matches(PDFContainer.header, at: 0) { return .pdf }
        if looksLikeXML(p) { return .svg }
        if p.count >= 2, p[0] == 0xFF, p[1] == 0x0A { return .jxl }
        if p.count >= 4, p[0] == 0x49, p[1] == 0x49, p[2] == 42 || p[2] == 43, p[3] == 0 { return .tiff }
        if p.count >= 4, p[0] == 0x4D, p[1] == 0x4D, p[2] == 0, p[3] == 42 || p[3] == 43 { return .tiff }
        if p.matches(Array("RIFF".utf8), at: 0) {
            if p.matches(Array("WAVE".utf8), at: 8) { return .wav }
            if p.matches(Array("WEBP".utf8), at: 8) { return .webp }
            if p.matches(Array("AVI ".utf8), at: 8) { return .avi }
            return nil
        }
        if p.matches(Array("ID3".utf8), at: 0) { return .mp3 }
        if p.matches(Array("fLaC".utf8), at: 0) { return .flac }
        if p.matches(Array("ftyp".utf8), at: 4), p.count >= 12 {
            return bmffFormat(brands: [String(decoding: p[8..<12], as: UTF8.self)]) ?? .mp4
        }
        if p.count >= 2, p[0] == 0xFF, p[1] & 0xE0 == 0xE0, p[1] & 0x06 != 0 { return .mp3 }
        return nil
    }

    /// Whether the prefix starts (after a UTF-8 BOM and white space) with the markup an SVG document opens with.
    static func looksLikeXML(_ p: ArraySlice<UInt8>) -> Bool {
        var i = p.startIndex
        if p.count >= 3, p[i] == 0xEF, p[i + 1] == 0xBB, p[i + 2] == 0xBF { i += 3 }
        while i < p.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(p[i]) { i += 1 }
        let rest = Array(p[i...])
        return ["<?xml", "<svg", "<!--", "<!DOCTYPE"].contains { rest.starts(with: Array($0.utf8)) }
    }

    /// The BMFF kind named by the first brand (major, then compatible ones) that identifies one, or `nil`.
    static func bmffFormat(brands: [String]) -> AssetFormat? {
        for brand in brands {
            switch brand {
            case "qt  ": return .mov
            case "M4A ", "M4B ", "M4P ", "F4A ", "F4B ": return .m4a
            case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs": return .heic
            case "avif", "avis": return .avif
            case "mif1", "msf1", "mif2": return .heif
            case "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9", "mp41", "mp42", "mp71", "avc1",
                "dash", "msdh", "msix", "M4V ", "f4v ", "3gp4", "3gp5", "3gp6", "3g2a", "cmfc", "cmf2":
                return .mp4
            default: continue
            }
        }
        return nil
    }

    /// Maps a MIME type or a file extension (case-insensitive, with or without a leading dot) to a format.
    public static func from(mimeOrExtension: String) -> AssetFormat? {
        var key = mimeOrExtension.lowercased()
        if key.hasPrefix(".") { key.removeFirst() }
        switch key {
        case "image/jpeg", "image/jpg", "jpg", "jpeg", "jpe", "jfif": return .jpeg
        case "image/png", "png": return .png
        case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "wav", "wave": return .wav
        case "image/webp", "webp": return .webp
        case "video/avi", "video/msvideo", "video/x-msvideo", "avi": return .avi
        case "audio/mpeg", "audio/mp3", "mp3": return .mp3
        case "audio/flac", "audio/x-flac", "flac": return .flac
        case "video/mp4", "application/mp4", "mp4", "m4v", "m4s", "cmfv": return .mp4
        case "video/quicktime", "mov", "qt": return .mov
        case "audio/mp4", "audio/x-m4a", "m4a", "m4b": return .m4a
        case "image/heif", "heif", "hif": return .heif
        case "image/heic", "heic": return .heic
        case "image/avif", "avif": return .avif
        case "image/gif", "gif": return .gif
        case "image/tiff", "image/tif", "tif", "tiff": return .tiff
        case "image/dng", "image/x-adobe-dng", "dng": return .dng
        case "image/jxl", "jxl": return .jxl
        case "image/svg+xml", "svg": return .svg
        case "application/pdf", "pdf": return .pdf
        default: return nil
        }
    }

    /// The IANA media type, as used in a claim's `dc:format` (the types c2pa-rs writes).
    public var mimeType: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        case .wav: return "audio/wav"
        case .webp: return "image/webp"
        case .avi: return "video/avi"
        case .mp3: return "audio/mpeg"
        case .flac: return "audio/flac"
        case .mp4: return "video/mp4"
        case .mov: return "video/quicktime"
        case .m4a: return "audio/mp4"
        case .heif: return "image/heif"
        case .heic: return "image/heic"
        case .avif: return "image/avif"
        case .gif: return "image/gif"
        case .tiff: return "image/tiff"
        case .dng: return "image/dng"
        case .jxl: return "image/jxl"
        case .svg: return "image/svg+xml"
        case .pdf: return "application/pdf"
        }
    }

    /// The usual file extension, without the dot.
    public var fileExtension: String {
        switch self {
        case .jpeg: return "jpg"
        default: return rawValue
        }
    }
}
