/// The 16-byte type UUID carried by a JUMBF description box, saying what kind of content a superbox holds.
///
/// ISO 19566-5 and C2PA build most type UUIDs from a four-character code followed by the fixed suffix
/// `0011-0010-8000-00AA00389B71` (for example `63327061-0011-0010-8000-00AA00389B71` is `c2pa`, the C2PA
/// Manifest Store). A few types (the embedded-file and codestream types) are ordinary random UUIDs.
public struct JUMBFType: Hashable, Sendable, CustomStringConvertible {
    /// The twelve bytes that follow the four-character code in ISO/C2PA type UUIDs.
    public static let c2paSuffix: [UInt8] = [0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]

    /// The sixteen UUID bytes, in the order they are stored in the description box.
    public let uuid: [UInt8]

    /// Creates a type from its sixteen UUID bytes.
    ///
    /// - Precondition: `uuid.count == 16`.
    public init(uuid: [UInt8]) {
        precondition(uuid.count == 16, "a JUMBF type UUID has 16 bytes, got \(uuid.count)")
        self.uuid = uuid
    }

    /// Creates a type from a four-character code and the fixed ISO/C2PA suffix, e.g. `JUMBFType(c2pa: "c2ma")`.
    ///
    /// - Precondition: `fourCC` encodes to exactly four UTF-8 bytes.
    public init(c2pa fourCC: String) {
        let code = Array(fourCC.utf8)
        precondition(code.count == 4, "a JUMBF type code has four bytes, got \"\(fourCC)\"")
        self.uuid = code + JUMBFType.c2paSuffix
    }

    /// Parses the canonical text form `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` (either case); `nil` if malformed.
    public init?(uuidString: String) {
        var bytes: [UInt8] = []
        var pending: UInt8? = nil
        var position = 0
        for character in uuidString.utf8 {
            defer { position += 1 }
            if [8, 13, 18, 23].contains(position) {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = JUMBFType.hexValue(character) else { return nil }
            if let high = pending {
                bytes.append(high << 4 | nibble)
                pending = nil
            } else {
                pending = nibble
            }
        }
        guard position == 36, bytes.count == 16 else { return nil }
        self.uuid = bytes
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The four-character code when the UUID ends with the ISO/C2PA suffix and the code is printable ASCII.
    public var fourCC: String? {
        guard uuid.count == 16, Array(uuid[4...]) == JUMBFType.c2paSuffix,
            uuid[..<4].allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        else { return nil }
        return String(decoding: uuid[..<4], as: UTF8.self)
    }

    /// The canonical upper-case text form, e.g. `63327061-0011-0010-8000-00AA00389B71`.
    public var description: String {
        let digits = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        for (index, byte) in uuid.enumerated() {
            if [4, 6, 8, 10].contains(index) { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    // MARK: C2PA superbox types (C2PA 2.2 section 11.1.4)

    /// `c2pa`: the C2PA Manifest Store (label `c2pa`).
    public static let manifestStore = JUMBFType(c2pa: "c2pa")
    /// `c2ma`: a standard C2PA Manifest (label `urn:c2pa:...`).
    public static let manifest = JUMBFType(c2pa: "c2ma")
    /// `c2um`: an update manifest.
    public static let updateManifest = JUMBFType(c2pa: "c2um")
    /// `c2cm`: a compressed manifest (holds a `brob` box).
    public static let compressedManifest = JUMBFType(c2pa: "c2cm")
    /// `c2tm`: a time-stamp manifest.
    public static let timeStampManifest = JUMBFType(c2pa: "c2tm")
    /// `c2md`: a standard manifest type consumers must accept but generators must not write.
    public static let legacyManifest = JUMBFType(c2pa: "c2md")
    /// `c2as`: the assertion store (label `c2pa.assertions`).
    public static let assertionStore = JUMBFType(c2pa: "c2as")
    /// `c2cl`: the claim (label `c2pa.claim.v2`, or `c2pa.claim` for v1 claims).
    public static let claim = JUMBFType(c2pa: "c2cl")
    /// `c2cs`: the claim signature (label `c2pa.signature`).
    public static let signature = JUMBFType(c2pa: "c2cs")
    /// `c2vc`: the (deprecated) verifiable credential store (label `c2pa.credentials`).
    public static let credentialStore = JUMBFType(c2pa: "c2vc")
    /// `c2db`: the (deprecated) data box store (label `c2pa.databoxes`).
    public static let databoxStore = JUMBFType(c2pa: "c2db")

    // MARK: ISO 19566-5 content types (Annex B)

    /// `cbor`: a superbox holding CBOR content boxes.
    public static let cbor = JUMBFType(c2pa: "cbor")
    /// `json`: a superbox holding JSON content boxes.
    public static let json = JUMBFType(c2pa: "json")
    /// `uuid`: a superbox holding UUID content boxes.
    public static let uuid = JUMBFType(c2pa: "uuid")
    /// Embedded file (`40CB0C32-BB8A-489D-A70B-2AD6F47F4369`): a superbox holding `bfdb` then `bidb`.
    public static let embeddedFile = JUMBFType(uuid: [
        0x40, 0xCB, 0x0C, 0x32, 0xBB, 0x8A, 0x48, 0x9D, 0xA7, 0x0B, 0x2A, 0xD6, 0xF4, 0x7F, 0x43, 0x69,
    ])
    /// Codestream (`6579D6FB-DBA2-446B-B2AC-1B82FEEB89D1`): a superbox holding a `jp2c` box.
    public static let codestream = JUMBFType(uuid: [
        0x65, 0x79, 0xD6, 0xFB, 0xDB, 0xA2, 0x44, 0x6B, 0xB2, 0xAC, 0x1B, 0x82, 0xFE, 0xEB, 0x89, 0xD1,
    ])
}
