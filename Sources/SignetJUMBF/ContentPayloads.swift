/// The payload of an embedded file description box (`bfdb`, ISO 19566-5 B.6).
///
/// ```
/// TOGGLES    1 byte   bit0 file name present, bit1 the bidb box holds a URL to the file (external reference)
/// MEDIATYPE  UTF-8 text + 0x00
/// FILENAME   UTF-8 text + 0x00   if bit0
/// ```
///
/// Compatibility: the reference implementation (c2pa-rs) sets bit0 when given a file name but does not write the
/// name; such a payload decodes with `fileName == nil`.
public struct JUMBFEmbeddedFileDescription: Hashable, Sendable {
    /// The media type, e.g. `image/jpeg`.
    public var mediaType: String
    /// The file name, if recorded.
    public var fileName: String?
    /// Whether the companion `bidb` box holds a reference (URL) instead of the file's bytes.
    public var isExternalReference: Bool

    /// Creates a description.
    public init(mediaType: String, fileName: String? = nil, isExternalReference: Bool = false) {
        self.mediaType = mediaType
        self.fileName = fileName
        self.isExternalReference = isExternalReference
    }

    /// Decodes a `bfdb` payload.
    public init(payload: [UInt8]) throws(JUMBFError) {
        guard let toggles = payload.first else {
            throw JUMBFError(.badContent, "bfdb payload is empty")
        }
        guard toggles & 0xFC == 0 else {
            throw JUMBFError(.badContent, "bfdb toggles \(toggles) set reserved bits")
        }
        var cursor = 1
        func readString(_ what: String) throws(JUMBFError) -> String {
            guard let terminator = payload[cursor...].firstIndex(of: 0) else {
                throw JUMBFError(.badContent, "bfdb \(what) has no NUL terminator")
            }
            let raw = payload[cursor..<terminator]
            let text = String(decoding: raw, as: UTF8.self)
            guard text.utf8.elementsEqual(raw) else {
                throw JUMBFError(.badContent, "bfdb \(what) is not valid UTF-8")
            }
            cursor = terminator + 1
            return text
        }
        self.mediaType = try readString("media type")
        self.fileName = nil
        if toggles & 0x01 != 0, cursor < payload.count {
            self.fileName = try readString("file name")
        }
        guard cursor == payload.count else {
            throw JUMBFError(.badContent, "\(payload.count - cursor) unexpected bytes at the end of bfdb")
        }
        self.isExternalReference = toggles & 0x02 != 0
    }

    /// The encoded `bfdb` payload.
    ///
    /// - Precondition: the media type and file name contain no NUL.
    public var payload: [UInt8] {
        precondition(!mediaType.utf8.contains(0), "media type contains NUL")
        var toggles: UInt8 = isExternalReference ? 0x02 : 0
        if fileName != nil { toggles |= 0x01 }
        var bytes: [UInt8] = [toggles]
        bytes += Array(mediaType.utf8)
        bytes.append(0)
        if let fileName {
            precondition(!fileName.utf8.contains(0), "file name contains NUL")
            bytes += Array(fileName.utf8)
            bytes.append(0)
        }
        return bytes
    }
}

/// The payload of a UUID content box (`uuid`, ISO 19566-5 B.5): a 16-byte UUID followed by data.
public struct JUMBFUUIDContent: Hashable, Sendable {
    /// The sixteen UUID bytes (e.g. the C2PA redaction UUID `CAA98EEE-9D4D-F80E-86AD-4DFFCA263973`).
    public var uuid: [UInt8]
    /// The bytes after the UUID.
    public var data: [UInt8]

    /// The C2PA redaction UUID, which marks an assertion whose content was redacted (C2PA 2.2, 6.8).
    public static let redactionUUID: [UInt8] = [
        0xCA, 0xA9, 0x8E, 0xEE, 0x9D, 0x4D, 0xF8, 0x0E, 0x86, 0xAD, 0x4D, 0xFF, 0xCA, 0x26, 0x39, 0x73,
    ]

    /// Creates a value.
    public init(uuid: [UInt8], data: [UInt8]) {
        self.uuid = uuid
        self.data = data
    }

    /// Splits a `uuid` box payload.
    public init(payload: [UInt8]) throws(JUMBFError) {
        guard payload.count >= 16 else {
            throw JUMBFError(.badContent, "uuid box payload needs 16 bytes, has \(payload.count)")
        }
        self.uuid = Array(payload[..<16])
        self.data = Array(payload[16...])
    }
}
