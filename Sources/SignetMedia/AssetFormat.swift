/// The container formats that can carry an embedded C2PA manifest store.
public enum AssetFormat: String, Sendable, CaseIterable {
    /// JPEG (ISO/IEC 10918-1 / JFIF / Exif); the store travels in APP11 marker segments.
    case jpeg
    /// PNG; the store travels in one `caBX` chunk.
    case png

    /// The 8-byte PNG signature.
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Identifies a format from the first bytes of a file (8 bytes suffice), or `nil`.
    ///
    /// JPEG: `FF D8 FF`. PNG: the full 8-byte signature.
    public static func detect(prefix: [UInt8]) -> AssetFormat? {
        if prefix.count >= 3, prefix[0] == 0xFF, prefix[1] == 0xD8, prefix[2] == 0xFF {
            return .jpeg
        }
        if prefix.count >= 8, Array(prefix[0..<8]) == pngSignature {
            return .png
        }
        return nil
    }

    /// Maps a MIME type or a file extension (case-insensitive, with or without a leading dot) to a format.
    ///
    /// Accepted: `image/jpeg`, `image/jpg`, `jpg`, `jpeg`, `jpe`, `jfif`, `image/png`, `png`.
    public static func from(mimeOrExtension: String) -> AssetFormat? {
        var key = mimeOrExtension.lowercased()
        if key.hasPrefix(".") { key.removeFirst() }
        switch key {
        case "image/jpeg", "image/jpg", "jpg", "jpeg", "jpe", "jfif": return .jpeg
        case "image/png", "png": return .png
        default: return nil
        }
    }

    /// The IANA media type (`image/jpeg`, `image/png`), as used in a claim's `dc:format`.
    public var mimeType: String {
        switch self {
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        }
    }
}
