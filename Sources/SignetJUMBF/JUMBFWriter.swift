/// Serialises JUMBF boxes.
///
/// The layout matches the C2PA reference implementation (c2pa-rs) byte for byte: an 8-byte header
/// (LBox, TBox) unless the box is longer than `UInt32.max`, then LBox = 1 and a 64-bit XLBox; the `jumd` payload
/// is the type UUID, the toggles byte, the label with its NUL terminator, then the optional ID, signature and
/// private box; C2PA content superboxes use toggles `0x03` (requestable, labelled), or `0x13` with a `c2sh` salt.
///
/// Labels, media types and file names are written as given; callers must pass text that satisfies
/// ``JUMBFDescription/isValidLabel(_:)`` (labels) and contains no NUL (media types, file names).
/// Breaking those rules is a programming error and stops the program.
public enum JUMBFWriter {
    /// The size of the header a box with `payloadCount` payload bytes gets: 8, or 16 when it needs an XLBox.
    public static func headerSize(payloadCount: Int) -> Int {
        payloadCount <= Int(UInt32.max) - 8 ? 8 : 16
    }

    /// The header of a box of type `type` with `payloadCount` payload bytes.
    public static func header(_ type: FourCC, payloadCount: Int) -> [UInt8] {
        precondition(payloadCount >= 0, "negative payload size")
        if headerSize(payloadCount: payloadCount) == 8 {
            return bigEndian(UInt32(payloadCount + 8)) + type.bytes
        }
        return bigEndian(UInt32(1)) + type.bytes + bigEndian(UInt64(payloadCount) + 16)
    }

    /// Serialises a content box: header and `payload`. Uses an XLBox when the box exceeds `UInt32.max` bytes.
    public static func dataBox(_ type: FourCC, _ payload: [UInt8]) -> [UInt8] {
        header(type, payloadCount: payload.count) + payload
    }

    /// Serialises a description box (`jumd`).
    ///
    /// - Precondition: a label, when present, is valid (``JUMBFDescription/isValidLabel(_:)``); a signature,
    ///   when present, has 32 bytes.
    public static func descriptionBox(_ d: JUMBFDescription) -> [UInt8] {
        dataBox(.jumd, descriptionPayload(d))
    }

    /// The payload of a description box.
    public static func descriptionPayload(_ d: JUMBFDescription) -> [UInt8] {
        var payload = d.type.uuid
        payload.append(d.toggles)
        if let label = d.label {
            precondition(JUMBFDescription.isValidLabel(label), "invalid JUMBF label \(label.debugDescription)")
            payload += Array(label.utf8)
            payload.append(0)
        }
        if let id = d.id {
            payload += bigEndian(id)
        }
        if let signature = d.signature {
            precondition(signature.count == 32, "a jumd signature has 32 bytes, got \(signature.count)")
            payload += signature
        }
        if let privateBox = d.privateBox {
            payload += serialize(privateBox)
        }
        return payload
    }

    /// Serialises a superbox: `jumb` ( `jumd`(description) + children ). `children` are already-serialised boxes.
    public static func superbox(_ description: JUMBFDescription, children: [[UInt8]]) -> [UInt8] {
        var payload = descriptionBox(description)
        for child in children { payload += child }
        return dataBox(.jumb, payload)
    }

    /// Serialises a box value (a parsed or built ``JUMBFBox``) from its type and content.
    ///
    /// Ranges are ignored and headers are written canonically (no LBox 0, XLBox only when needed), so a box parsed
    /// from non-canonical bytes does not re-serialise to the same bytes: hash the original bytes, not these.
    public static func serialize(_ box: JUMBFBox) -> [UInt8] {
        switch box.content {
        case .data(let payload):
            return dataBox(box.type, payload)
        case .superbox(let description, let children):
            var payload = descriptionBox(description)
            for child in children { payload += serialize(child) }
            return dataBox(box.type, payload)
        }
    }

    // MARK: C2PA content superboxes

    /// A labelled CBOR superbox: `jumb`( `jumd`(type cbor, requestable, `label`, `c2sh` salt if given), `cbor` ).
    /// This is the shape of a C2PA CBOR assertion, and (with another type) of the claim and signature boxes.
    public static func cborContentBox(label: String, cbor: [UInt8], salt: [UInt8]? = nil) -> [UInt8] {
        contentSuperbox(type: .cbor, label: label, salt: salt, children: [dataBox(.cbor, cbor)])
    }

    /// A labelled JSON superbox: `jumb`( `jumd`(type json, requestable, `label`, salt), `json` ).
    public static func jsonContentBox(label: String, json: [UInt8], salt: [UInt8]? = nil) -> [UInt8] {
        contentSuperbox(type: .json, label: label, salt: salt, children: [dataBox(.json, json)])
    }

    /// A labelled embedded-file superbox (type `40CB0C32-BB8A-489D-A70B-2AD6F47F4369`):
    /// `jumb`( `jumd`, `bfdb`(toggles, media type, file name), `bidb`(data) ), as C2PA thumbnails use.
    ///
    /// - Precondition: `mediaType` and `fileName` contain no NUL.
    public static func embeddedFileBox(
        label: String, mediaType: String, fileName: String?, data: [UInt8], salt: [UInt8]? = nil
    ) -> [UInt8] {
        let description = JUMBFEmbeddedFileDescription(mediaType: mediaType, fileName: fileName)
        return contentSuperbox(
            type: .embeddedFile, label: label, salt: salt,
            children: [dataBox(.bfdb, description.payload), dataBox(.bidb, data)])
    }

    /// A labelled UUID superbox: `jumb`( `jumd`(type uuid), `uuid`(16-byte `uuid` + `data`) ), the shape C2PA uses
    /// for custom binary assertions and for redacted assertions.
    ///
    /// - Precondition: `uuid.count == 16`.
    public static func uuidContentBox(label: String, uuid: [UInt8], data: [UInt8], salt: [UInt8]? = nil) -> [UInt8] {
        precondition(uuid.count == 16, "a UUID has 16 bytes, got \(uuid.count)")
        return contentSuperbox(type: .uuid, label: label, salt: salt, children: [dataBox(.uuid, uuid + data)])
    }

    /// A requestable, labelled superbox of `type` whose description carries `salt` (if any) in a `c2sh` private
    /// box, holding the already-serialised `children`. Use it for the manifest store, manifests, the assertion
    /// store, the claim and the claim signature.
    public static func contentSuperbox(
        type: JUMBFType, label: String, salt: [UInt8]? = nil, children: [[UInt8]]
    ) -> [UInt8] {
        let description = JUMBFDescription(
            type: type, requestable: true, label: label,
            privateBox: salt.map { JUMBFBox.dataBox(.c2sh, $0) })
        return superbox(description, children: children)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] {
        bigEndian(UInt32(truncatingIfNeeded: value >> 32)) + bigEndian(UInt32(truncatingIfNeeded: value))
    }
}
