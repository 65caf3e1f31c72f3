/// A four-character box type code (the `TBox` field of an ISO BMFF / JUMBF box), stored as its big-endian
/// 32-bit value.
public struct FourCC: Hashable, Sendable, CustomStringConvertible {
    /// The big-endian value of the four type bytes, e.g. `0x6A75_6D62` for `jumb`.
    public let rawValue: UInt32

    /// Creates a type code from its 32-bit value.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Creates a type code from exactly four bytes of text, e.g. `FourCC("jumb")`.
    ///
    /// - Precondition: `string` encodes to exactly four UTF-8 bytes. This initialiser is meant for constants
    ///   written in code; use ``init(validating:)`` for text that comes from input.
    public init(_ string: String) {
        guard let value = FourCC(validating: string) else {
            preconditionFailure("FourCC needs exactly four bytes, got \"\(string)\"")
        }
        self = value
    }

    /// Creates a type code from text, or returns `nil` unless it encodes to exactly four UTF-8 bytes.
    public init?(validating string: String) {
        let bytes = Array(string.utf8)
        guard bytes.count == 4 else { return nil }
        self.init(bytes: bytes[...])
    }

    /// Creates a type code from four bytes.
    init(bytes: ArraySlice<UInt8>) {
        var value: UInt32 = 0
        for byte in bytes.prefix(4) {
            value = (value << 8) | UInt32(byte)
        }
        self.rawValue = value
    }

    /// The four type bytes, big-endian.
    public var bytes: [UInt8] {
        [UInt8(truncatingIfNeeded: rawValue >> 24), UInt8(truncatingIfNeeded: rawValue >> 16),
         UInt8(truncatingIfNeeded: rawValue >> 8), UInt8(truncatingIfNeeded: rawValue)]
    }

    /// The four characters when they are printable ASCII (e.g. `jumb`), otherwise `0x` and eight hex digits.
    public var description: String {
        let bytes = self.bytes
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        let hex = String(rawValue, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// `jumb`: a JUMBF superbox.
    public static let jumb = FourCC(rawValue: 0x6A75_6D62)
    /// `jumd`: a JUMBF description box.
    public static let jumd = FourCC(rawValue: 0x6A75_6D64)
    /// `cbor`: CBOR content box.
    public static let cbor = FourCC(rawValue: 0x6362_6F72)
    /// `json`: JSON content box.
    public static let json = FourCC(rawValue: 0x6A73_6F6E)
    /// `bfdb`: embedded file description box (toggles, media type, optional file name).
    public static let bfdb = FourCC(rawValue: 0x6266_6462)
    /// `bidb`: embedded file data box.
    public static let bidb = FourCC(rawValue: 0x6269_6462)
    /// `uuid`: UUID content box (a 16-byte UUID followed by data).
    public static let uuid = FourCC(rawValue: 0x7575_6964)
    /// `c2sh`: the C2PA salt box, used as a description box's private box.
    public static let c2sh = FourCC(rawValue: 0x6332_7368)
    /// `jp2c`: JPEG 2000 codestream content box.
    public static let jp2c = FourCC(rawValue: 0x6A70_3263)
    /// `free`: padding box.
    public static let free = FourCC(rawValue: 0x6672_6565)
    /// `skip`: padding, like `free`.
    public static let skip = FourCC(rawValue: 0x736B_6970)
    /// `brob`: Brotli-compressed content box (C2PA compressed manifests).
    public static let brob = FourCC(rawValue: 0x6272_6F62)
}
