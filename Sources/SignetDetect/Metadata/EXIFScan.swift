extension MetaScan {
    /// Parses an EXIF TIFF block (starting at its byte-order mark) into ``MetadataFacts/exif``.
    func readEXIF(_ tiff: [UInt8], location: String) {
        var parser = MetaTIFF(tiff)
        guard let exif = parser.parse() else {
            note("\(location): not a TIFF structure (\(parser.problems.first ?? "bad header"))")
            return
        }
        for problem in parser.problems { note("\(location): \(problem)") }
        facts.exif = exif
        if let software = exif.software { addText(key: "Software", value: software, location: "EXIF") }
        if let text = exif.imageDescription, !text.isEmpty { addText(key: "ImageDescription", value: text, location: "EXIF") }
        if let text = exif.userComment, !text.isEmpty { addText(key: "UserComment", value: text, location: "EXIF") }
        if let make = exif.make { checkGeneratorField(value: make, field: "EXIF Make") }
        if let model = exif.model { checkGeneratorField(value: model, field: "EXIF Model") }
    }
}

/// A bounded TIFF/EXIF IFD reader: IFD0, the Exif IFD and IFD1 only; every offset and count is checked
/// against the block, IFDs are visited at most once (no cycles), and entry counts are capped.
struct MetaTIFF {
    let b: [UInt8]
    var little = false
    var problems: [String] = []
    private var visited: Set<Int> = []

    static let maxEntries = 1024

    init(_ bytes: [UInt8]) {
        b = bytes
    }

    func u16(_ i: Int) -> Int? { little ? MetaBytes.le16(b, i) : MetaBytes.be16(b, i) }
    func u32(_ i: Int) -> Int? { little ? MetaBytes.le32(b, i) : MetaBytes.be32(b, i) }

    struct Entry {
        var tag: Int
        var type: Int
        var count: Int
        /// Where the value's bytes start, already checked to lie within the block with `byteCount` bytes.
        var valueOffset: Int
        var byteCount: Int
    }

    static func typeSize(_ type: Int) -> Int? {
        switch type {
        case 1, 2, 6, 7: return 1
        case 3, 8: return 2
        case 4, 9, 11, 13: return 4
        case 5, 10, 12: return 8
        default: return nil
        }
    }

    mutating func problem(_ s: String) {
        if problems.count < 16, !problems.contains(s) { problems.append(s) }
    }

    /// The entries of the IFD at `offset` and the next-IFD offset; nil if the IFD is outside the block or was
    /// already visited.
    mutating func ifd(at offset: Int, name: String) -> (entries: [Entry], next: Int)? {
        guard offset >= 8, offset < b.count else {
            problem("\(name) offset \(offset) outside the EXIF block")
            return nil
        }
        guard visited.count < 8, visited.insert(offset).inserted else {
            problem("\(name) at offset \(offset) loops back to an IFD already read")
            return nil
        }
        guard let count = u16(offset) else {
            problem("\(name) truncated")
            return nil
        }
        var available = (b.count - offset - 2) / 12
        if count > available { problem("\(name) declares \(count) entries, only \(available) fit") }
        available = min(available, count, MetaTIFF.maxEntries)
        var entries: [Entry] = []
        for k in 0..<available {
            let e = offset + 2 + 12 * k
            guard let tag = u16(e), let type = u16(e + 2), let count = u32(e + 4) else { break }
            guard let size = MetaTIFF.typeSize(type) else { continue }
            let (total, overflow) = size.multipliedReportingOverflow(by: count)
            guard !overflow else { continue }
            var at = e + 8
            if total > 4 {
                guard let pointer = u32(e + 8) else { continue }
                at = pointer
            }
            guard at >= 0, total <= b.count, at <= b.count - total else {
                problem("tag 0x\(String(tag, radix: 16)) value (\(total) bytes at \(at)) outside the EXIF block")
                continue
            }
            entries.append(Entry(tag: tag, type: type, count: count, valueOffset: at, byteCount: total))
        }
        let nextAt = offset + 2 + 12 * count
        let next = u32(nextAt) ?? 0
        return (entries, next)
    }

    func string(_ e: Entry) -> String? {
        guard e.type == 2 || e.type == 1 || e.type == 7 else { return nil }
        let raw = b[e.valueOffset..<(e.valueOffset + min(e.byteCount, MetadataReader.maxTextValueBytes))]
        let s = MetaBytes.cString(raw)
        return s.isEmpty ? nil : s
    }

    func integer(_ e: Entry) -> Int? {
        switch e.type {
        case 3: return u16(e.valueOffset)
        case 4: return u32(e.valueOffset)
        default: return nil
        }
    }

    /// EXIF UserComment: an 8-byte character-code prefix, then the text.
    func userComment(_ e: Entry) -> String? {
        guard e.byteCount >= 8 else { return nil }
        let end = e.valueOffset + min(e.byteCount, MetadataReader.maxTextValueBytes * 2)
        let prefix = b[e.valueOffset..<(e.valueOffset + 8)]
        let body = b[(e.valueOffset + 8)..<end]
        let text: String
        if prefix.elementsEqual(Array("UNICODE\0".utf8)) {
            text = MetaText.utf16(body, littleEndianHint: little)
        } else if prefix.elementsEqual(Array("JIS\0\0\0\0\0".utf8)) {
            return nil
        } else {
            text = MetaText.decodeUnknown(body)
        }
        let trimmed = MetaBytes.trim(text)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Parses the block; nil when it is not TIFF.
    mutating func parse() -> EXIFFacts? {
        if MetaBytes.matches(b, "II", at: 0) {
            little = true
        } else if !MetaBytes.matches(b, "MM", at: 0) {
            problem("no TIFF byte-order mark")
            return nil
        }
        guard u16(2) == 42, let first = u32(4) else {
            problem("bad TIFF header")
            return nil
        }
        var exif = EXIFFacts()
        guard let ifd0 = ifd(at: first, name: "IFD0") else { return exif }
        var exifPointer: Int?
        for e in ifd0.entries {
            switch e.tag {
            case 0x010F: exif.make = string(e)
            case 0x0110: exif.model = string(e)
            case 0x0131: exif.software = string(e)
            case 0x0132: exif.dateTime = string(e)
            case 0x010E: exif.imageDescription = string(e)
            case 0x0112: exif.orientation = integer(e)
            case 0x8769: exifPointer = integer(e)
            case 0x9286: if exif.userComment == nil { exif.userComment = userComment(e) }
            default: break
            }
        }
        if let pointer = exifPointer, let sub = ifd(at: pointer, name: "Exif IFD") {
            for e in sub.entries {
                switch e.tag {
                case 0x9003: exif.dateTimeOriginal = string(e)
                case 0x9004: exif.dateTimeDigitized = string(e)
                case 0xA002: exif.pixelWidth = integer(e)
                case 0xA003: exif.pixelHeight = integer(e)
                case 0x9286: exif.userComment = userComment(e)
                case 0x927C: exif.hasMakerNote = true
                default: break
                }
            }
        }
        if ifd0.next != 0, let ifd1 = ifd(at: ifd0.next, name: "IFD1") {
            var offset: Int?
            var length: Int?
            for e in ifd1.entries {
                if e.tag == 0x0201 { offset = integer(e) }
                if e.tag == 0x0202 { length = integer(e) }
            }
            if let offset, let length {
                let inBounds = offset >= 0 && length > 0 && offset <= b.count && length <= b.count - offset
                var thumbnail = EXIFThumbnail(offset: offset, length: length, inBounds: inBounds)
                if inBounds {
                    let jpeg = Array(b[offset..<(offset + length)])
                    if let size = MetaJPEGProbe.dimensions(jpeg) {
                        thumbnail.width = size.width
                        thumbnail.height = size.height
                    }
                } else {
                    problem("thumbnail (\(length) bytes at \(offset)) outside the EXIF block")
                }
                exif.thumbnail = thumbnail
            }
        }
        return exif
    }
}

/// Text decoding helpers.
enum MetaText {
    /// UTF-8 when the bytes are valid UTF-8, Latin-1 otherwise.
    static func decodeUnknown(_ b: ArraySlice<UInt8>) -> String {
        if let s = String(validating: b, as: UTF8.self) { return s }
        return MetaBytes.latin1(b)
    }

    /// UTF-16 with a BOM, or the byte order guessed from where the zero bytes fall (ASCII-heavy text), or
    /// `littleEndianHint`.
    static func utf16(_ b: ArraySlice<UInt8>, littleEndianHint: Bool) -> String {
        var bytes = Array(b)
        var little = littleEndianHint
        if bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xFE {
            little = true
            bytes.removeFirst(2)
        } else if bytes.count >= 2, bytes[0] == 0xFE, bytes[1] == 0xFF {
            little = false
            bytes.removeFirst(2)
        } else {
            var evenZeros = 0
            var oddZeros = 0
            for (i, v) in bytes.prefix(512).enumerated() where v == 0 {
                if i % 2 == 0 { evenZeros += 1 } else { oddZeros += 1 }
            }
            if evenZeros > oddZeros { little = false } else if oddZeros > evenZeros { little = true }
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = 0
        while i + 1 < bytes.count {
            units.append(little ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}
