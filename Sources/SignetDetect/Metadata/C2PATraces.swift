/// Recognising C2PA manifest stores (JUMBF superboxes labelled `c2pa`) from their first bytes.
enum MetaJUMBF {
    /// The C2PA manifest store's JUMBF description type: `c2pa` followed by the ISO JUMBF UUID suffix.
    static let storeType: [UInt8] = [
        0x63, 0x32, 0x70, 0x61, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
    ]
    /// The BMFF `uuid` box type C2PA uses (d8fec3d6-1b0e-483c-9297-5828877ec481).
    static let bmffUUID: [UInt8] = [
        0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81,
    ]
    /// The BMFF `uuid` box type of an XMP packet (be7acfcb-97a9-42e8-9c71-999491e3afac).
    static let xmpUUID: [UInt8] = [
        0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
    ]

    /// The head of a JUMBF superbox.
    struct Head {
        /// The superbox's declared total length (header included).
        var declaredLength: Int
        /// The header length (8, or 16 with an extended length).
        var headerLength: Int
        /// The description box's label, when it has one.
        var label: String?
        /// Whether the description type is the C2PA manifest store type.
        var isStoreType: Bool

        /// Whether this looks like a C2PA manifest store (label `c2pa` or the store type).
        var isC2PA: Bool { label == "c2pa" || isStoreType }
    }

    /// Parses the head of a JUMBF superbox at the start of `b` (which may be only its first bytes), or nil
    /// when `b` does not start with `jumb`.
    static func head(_ b: [UInt8]) -> Head? {
        guard let lbox = MetaBytes.be32(b, 0), MetaBytes.matches(b, "jumb", at: 4) else { return nil }
        var length = lbox
        var header = 8
        if lbox == 1 {
            guard let x = MetaBytes.be64(b, 8), x <= UInt64(Int.max) else { return nil }
            length = Int(x)
            header = 16
        }
        guard length == 0 || length >= header else { return nil }
        var result = Head(declaredLength: length, headerLength: header, label: nil, isStoreType: false)
        // The description box: LBox, 'jumd', 16-byte type, toggles, optional NUL-terminated label.
        let d = header
        guard MetaBytes.matches(b, "jumd", at: d + 4), b.count >= d + 8 + 17 else { return result }
        result.isStoreType = Array(b[(d + 8)..<(d + 24)]) == storeType
        let toggles = b[d + 24]
        if toggles & 0x02 != 0, let end = MetaBytes.nul(b, from: d + 25), end - (d + 25) <= 256 {
            result.label = MetaBytes.ascii(b[(d + 25)..<end])
        }
        return result
    }

    /// The MIME types of an ID3 GEOB frame carrying a C2PA store.
    static let id3MimeTypes: Set<String> = ["application/c2pa", "application/x-c2pa-manifest-store"]
}

extension MetaScan {
    /// Records a JUMBF store candidate found in a container slot: a complete store when the head parses, is
    /// C2PA and its declared length equals `available` (the bytes the container gives it); a remnant otherwise.
    func recordStoreCandidate(head bytes: [UInt8], available: Int, place: String) {
        guard let head = MetaJUMBF.head(bytes) else {
            addRemnant("\(place): C2PA slot without a JUMBF manifest store (\(available) bytes)")
            return
        }
        guard head.isC2PA else {
            addRemnant("\(place): JUMBF box labelled \(head.label.map { "'\($0)'" } ?? "without a label") where a C2PA store belongs")
            return
        }
        let complete = head.declaredLength == available || (head.declaredLength == 0 && available >= head.headerLength)
        if complete {
            storeCount += 1
            addRemnant("\(place): C2PA manifest store (\(available) bytes)")
        } else {
            addRemnant("\(place): broken C2PA manifest store (declares \(head.declaredLength) bytes, \(available) present)")
        }
    }
}
