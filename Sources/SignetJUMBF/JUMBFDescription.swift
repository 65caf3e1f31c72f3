/// The contents of a JUMBF description box (`jumd`, ISO 19566-5 A.3), which starts every superbox.
///
/// Grammar of the `jumd` payload, in order:
///
/// ```
/// TYPE      16 bytes   type UUID (JUMBFType)
/// TOGGLES    1 byte    bit0 requestable, bit1 label present, bit2 ID present,
///                      bit3 signature present, bit4 private box present; bits 5-7 reserved (0)
/// LABEL      UTF-8 text + 0x00      if bit1
/// ID         u32 big-endian         if bit2
/// SIGNATURE  32 bytes (SHA-256)     if bit3
/// PRIVATE    one box (e.g. c2sh)    if bit4, filling the rest of the payload
/// ```
///
/// C2PA (2.2, 11.1.4.1.2) requires every description box to carry a label with the requestable toggle set
/// (toggles `0x03`), and the private toggle (`0x13`) when a `c2sh` salt box is present.
public struct JUMBFDescription: Hashable, Sendable {
    /// The superbox's type.
    public var type: JUMBFType
    /// The requestable toggle (bit 0): the box can be addressed with a JUMBF URI.
    public var requestable: Bool
    /// The label (toggle bit 1), without its NUL terminator.
    public var label: String?
    /// The ID (toggle bit 2).
    public var id: UInt32?
    /// The 32-byte SHA-256 signature of the superbox's content (toggle bit 3).
    public var signature: [UInt8]?
    /// The private box (toggle bit 4); in C2PA a `c2sh` salt box.
    public var privateBox: JUMBFBox?

    /// Creates a description. The defaults give what C2PA expects when a label is supplied: requestable, labelled.
    public init(
        type: JUMBFType,
        requestable: Bool = true,
        label: String? = nil,
        id: UInt32? = nil,
        signature: [UInt8]? = nil,
        privateBox: JUMBFBox? = nil
    ) {
        self.type = type
        self.requestable = requestable
        self.label = label
        self.id = id
        self.signature = signature
        self.privateBox = privateBox
    }

    /// The toggles byte these fields serialise to.
    public var toggles: UInt8 {
        var value: UInt8 = 0
        if requestable { value |= Toggle.requestable }
        if label != nil { value |= Toggle.label }
        if id != nil { value |= Toggle.id }
        if signature != nil { value |= Toggle.signature }
        if privateBox != nil { value |= Toggle.privateBox }
        return value
    }

    /// The salt bytes when the private box is a C2PA `c2sh` salt box.
    public var salt: [UInt8]? {
        guard let privateBox, privateBox.type == .c2sh else { return nil }
        return privateBox.data
    }

    enum Toggle {
        static let requestable: UInt8 = 0x01
        static let label: UInt8 = 0x02
        static let id: UInt8 = 0x04
        static let signature: UInt8 = 0x08
        static let privateBox: UInt8 = 0x10
        static let reserved: UInt8 = 0xE0
    }

    /// Whether `label` may be used as a C2PA JUMBF label (C2PA 2.2, 11.1.4.1.1): non-empty, and free of
    /// U+0000-U+001F, U+007F-U+009F, `/`, `;`, `?`, `#`, U+FEFF and U+FFFF. (Surrogates cannot occur in a
    /// Swift `String`.)
    public static func isValidLabel(_ label: String) -> Bool {
        guard !label.isEmpty else { return false }
        for scalar in label.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F, 0x7F...0x9F, 0xFEFF, 0xFFFF, 0xD800...0xDFFF:
                return false
            case UInt32(UInt8(ascii: "/")), UInt32(UInt8(ascii: ";")), UInt32(UInt8(ascii: "?")),
                UInt32(UInt8(ascii: "#")):
                return false
            default:
                continue
            }
        }
        return true
    }
}
