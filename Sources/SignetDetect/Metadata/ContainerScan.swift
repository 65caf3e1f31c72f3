extension MetaScan {
    // MARK: - RIFF (WAV, WebP, AVI)

    /// Walks the chunks of the first RIFF form: `C2PA`, `XMP `, `EXIF`. Payloads of other chunks are not read.
    func scanRIFF() throws(DetectMetadataError) {
        guard let h = try input.read(at: 0, count: 12), let declared = MetaBytes.le32(h, 4) else { return }
        var end = Int64(8) + Int64(declared)
        if end > input.size {
            note("RIFF: declares \(end) bytes, the file has \(input.size)")
            end = input.size
        }
        var pos: Int64 = 12
        while pos + 8 <= end {
            guard input.step() else { break }
            guard let c = try input.read(at: pos, count: 8), c.count == 8, let length = MetaBytes.le32(c, 4) else { break }
            let id = MetaBytes.ascii(c[0..<4])
            let dataOffset = pos + 8
            let present = Int(max(0, min(Int64(length), end - dataOffset)))
            if present < length { note("RIFF: chunk '\(id)' at offset \(pos) declares \(length) bytes past the end") }
            switch id {
            case "C2PA":
                if let d = try input.read(at: dataOffset, count: min(present, 4096)) {
                    recordStoreCandidate(head: d, available: present, place: "RIFF C2PA chunk")
                }
            case "XMP ":
                if let d = try input.read(at: dataOffset, count: min(present, 4 << 20)) { scanXMP(d, location: "XMP in RIFF chunk") }
            case "EXIF":
                if let d = try input.read(at: dataOffset, count: min(present, 1 << 20)), facts.exif == nil {
                    readEXIF(MetaBytes.matches(d, "Exif\0", at: 0) ? Array(d.dropFirst(6)) : d, location: "EXIF in RIFF chunk")
                }
            default: break
            }
            if present < length { break }
            pos = dataOffset + Int64(length) + Int64(length % 2)
        }
    }

    // MARK: - GIF

    /// Walks the blocks before the first image (where C2PA puts its `C2PA_GIF` application extension): the
    /// C2PA block and an `XMP Data` block. Image data is not walked.
    func scanGIF() throws(DetectMetadataError) {
        guard let h = try input.read(at: 0, count: 13), h.count == 13 else { return }
        var pos: Int64 = 13
        if h[10] & 0x80 != 0 { pos += Int64(3) << (Int64(h[10] & 7) + 1) }
        while pos < input.size {
            guard input.step() else { break }
            guard let introducer = try input.readFree(at: pos, count: 2).first else { break }
            if introducer != 0x21 {
                if introducer != 0x2C && introducer != 0x3B { note("GIF: unknown block 0x\(String(introducer, radix: 16)) at offset \(pos)") }
                break
            }
            let label = try input.readFree(at: pos + 1, count: 1).first ?? 0
            var at = pos + 2
            var application = ""
            if label == 0xFF, let fixed = try input.read(at: at, count: 12), fixed.count == 12, fixed[0] == 0x0B {
                application = MetaBytes.ascii(fixed[1..<12])
                at += 12
            }
            let wanted = application == "C2PA_GIF\u{1}\0\0" || application == "XMP DataXMP"
            var data: [UInt8] = []
            var ended = false
            while at < input.size, input.step() {
                guard let count = try input.readFree(at: at, count: 1).first else { break }
                at += 1
                if count == 0 {
                    ended = true
                    break
                }
                if wanted, data.count < 4 << 20, let chunk = try input.read(at: at, count: Int(count)) { data += chunk }
                at += Int64(count)
            }
            if application.hasPrefix("C2PA_GIF") {
                if ended {
                    recordStoreCandidate(head: Array(data.prefix(4096)), available: data.count, place: "GIF C2PA_GIF block")
                } else {
                    addRemnant("GIF C2PA_GIF block cut off by the end of the file (\(data.count) bytes)")
                }
            } else if application == "XMP DataXMP" {
                // The XMP packet is followed by a 258-byte "magic trailer" that makes it readable as sub-blocks.
                scanXMP(Array(data.dropLast(min(258, data.count))), location: "XMP in GIF application extension")
            }
            guard ended else { break }
            pos = at
        }
    }

    // MARK: - ISO BMFF (MP4, MOV, HEIF, AVIF)

    /// Walks the top-level boxes: the C2PA `uuid` box and the XMP `uuid` box. `mdat` and every other payload
    /// are skipped by their declared sizes.
    func scanBMFF() throws(DetectMetadataError) {
        var pos: Int64 = 0
        let size = input.size
        var sawMeta = false
        while pos + 8 <= size {
            guard input.step() else { break }
            guard let h = try input.read(at: pos, count: 32), h.count >= 8, let size32 = MetaBytes.be32(h, 0) else { break }
            let type = MetaBytes.ascii(h[4..<8])
            var header = 8
            var boxSize = Int64(size32)
            if size32 == 1 {
                guard let large = MetaBytes.be64(h, 8), large <= UInt64(Int64.max) else {
                    note("BMFF: box '\(type)' at offset \(pos) has a truncated large size")
                    break
                }
                boxSize = Int64(large)
                header = 16
            } else if size32 == 0 {
                boxSize = size - pos
            }
            guard boxSize >= Int64(header) else {
                note("BMFF: box '\(type)' at offset \(pos) declares an impossible size \(boxSize)")
                break
            }
            let truncated = boxSize > size - pos
            if truncated { note("BMFF: box '\(type)' at offset \(pos) declares \(boxSize) bytes past the end of the file") }
            let available = truncated ? size - pos : boxSize
            if type == "meta" { sawMeta = true }
            if type == "uuid", h.count >= header + 16, available >= Int64(header) + 16 {
                let uuid = Array(h[header..<(header + 16)])
                let body = pos + Int64(header) + 16
                let bodyLength = Int(min(available - Int64(header) - 16, Int64(Int.max)))
                if uuid == MetaJUMBF.bmffUUID {
                    try readBMFFC2PA(at: body, length: bodyLength, boxOffset: pos)
                } else if uuid == MetaJUMBF.xmpUUID {
                    if let d = try input.read(at: body, count: min(bodyLength, 4 << 20)) { scanXMP(d, location: "XMP in BMFF uuid box") }
                }
            }
            if type == "jumb", let d = try input.read(at: pos, count: Int(min(available, 4096))) {
                recordStoreCandidate(head: d, available: Int(min(available, Int64(Int.max))), place: "top-level jumb box")
            } else if type == "xml ", let d = try input.read(at: pos + Int64(header), count: Int(min(available - Int64(header), 4 << 20))) {
                scanXMP(d, location: "XMP in a JPEG XL xml box")
            }
            if truncated { break }
            pos += boxSize
        }
        if sawMeta { note("BMFF: item metadata in 'meta' (HEIF/AVIF EXIF and XMP items) is not read") }
    }

    /// The C2PA `uuid` box body: FullBox version/flags, a NUL-terminated purpose, then for `manifest` an
    /// 8-byte offset and the store.
    private func readBMFFC2PA(at body: Int64, length: Int, boxOffset: Int64) throws(DetectMetadataError) {
        guard length > 5, let d = try input.read(at: body, count: min(length, 4096)) else {
            addRemnant("BMFF C2PA uuid box at offset \(boxOffset) without content")
            return
        }
        guard let end = MetaBytes.nul(d, from: 4) else {
            addRemnant("BMFF C2PA uuid box at offset \(boxOffset) with a malformed header")
            return
        }
        let purpose = MetaBytes.ascii(d[4..<end])
        guard purpose == "manifest" else {
            addRemnant("BMFF C2PA uuid box (purpose '\(purpose.prefix(32))')")
            return
        }
        let storeStart = end + 1 + 8
        guard storeStart < d.count else {
            addRemnant("BMFF C2PA uuid box at offset \(boxOffset) truncated before its store")
            return
        }
        recordStoreCandidate(head: Array(d[storeStart...]), available: length - storeStart, place: "BMFF C2PA uuid box")
    }

    // MARK: - ID3 (MP3, FLAC)

    /// Walks the frames of a leading ID3v2.3/2.4 tag: GEOB frames carrying a C2PA store, PRIV frames carrying
    /// XMP, software-naming text frames. Refines the format to FLAC when `fLaC` follows the tag.
    func scanID3() throws(DetectMetadataError) {
        guard let h = try input.read(at: 0, count: 10), h.count == 10, MetaBytes.matches(h, "ID3", at: 0) else { return }
        let major = h[3]
        let flags = h[5]
        let tagSize = Int(h[6] & 0x7F) << 21 | Int(h[7] & 0x7F) << 14 | Int(h[8] & 0x7F) << 7 | Int(h[9] & 0x7F)
        let tagEnd = min(Int64(10 + tagSize), input.size)
        if Int64(10 + tagSize) > input.size { note("ID3: tag declares \(tagSize) bytes past the end of the file") }
        let after = Int64(10 + tagSize) + (flags & 0x10 != 0 ? 10 : 0)
        if let tail = try input.read(at: after, count: 4), MetaBytes.matches(tail, "fLaC", at: 0) { facts.format = .flac }
        guard major == 3 || major == 4 else {
            note("ID3: version 2.\(major) tag not read")
            return
        }
        if flags & 0x80 != 0 { note("ID3: unsynchronised tag: frames read as stored") }
        var pos: Int64 = 10
        if flags & 0x40 != 0, let e = try input.read(at: 10, count: 4), e.count == 4 {
            let extended = major == 4
                ? Int(e[0] & 0x7F) << 21 | Int(e[1] & 0x7F) << 14 | Int(e[2] & 0x7F) << 7 | Int(e[3] & 0x7F)
                : (MetaBytes.be32(e, 0) ?? 0) + 4
            pos += Int64(extended)
        }
        while pos + 10 <= tagEnd {
            guard input.step() else { break }
            guard let f = try input.read(at: pos, count: 10), f.count == 10 else { break }
            if f[0] == 0 { break }  // padding
            let id = MetaBytes.ascii(f[0..<4])
            let size = major == 4
                ? Int(f[4] & 0x7F) << 21 | Int(f[5] & 0x7F) << 14 | Int(f[6] & 0x7F) << 7 | Int(f[7] & 0x7F)
                : MetaBytes.be32(f, 4) ?? 0
            let dataOffset = pos + 10
            let present = Int(max(0, min(Int64(size), tagEnd - dataOffset)))
            if present < size { note("ID3: frame '\(id)' declares \(size) bytes past the end of the tag") }
            switch id {
            case "GEOB":
                if let d = try input.read(at: dataOffset, count: min(present, 4096)) { readGEOB(d, present: present) }
            case "PRIV":
                if let d = try input.read(at: dataOffset, count: min(present, 4 << 20)),
                    let end = MetaBytes.nul(d, from: 0), MetaBytes.ascii(d[0..<end]) == "XMP"
                {
                    scanXMP(Array(d[(end + 1)...]), location: "XMP in ID3 PRIV frame")
                }
            case "TSSE", "TENC":
                if let d = try input.read(at: dataOffset, count: min(present, 1024)), let value = id3Text(d) {
                    addText(key: "Software", value: value, location: "ID3 \(id)")
                }
            default: break
            }
            if present < size { break }
            pos = dataOffset + Int64(size)
        }
    }

    /// A GEOB frame: encoding, MIME type (Latin-1), file name and description (in the encoding), then the object.
    private func readGEOB(_ d: [UInt8], present: Int) {
        guard d.count > 2, let mimeEnd = MetaBytes.nul(d, from: 1) else { return }
        let mime = MetaBytes.ascii(d[1..<mimeEnd]).lowercased()
        guard MetaJUMBF.id3MimeTypes.contains(mime) else { return }
        let wide = d[0] == 1 || d[0] == 2
        func skipString(from: Int) -> Int? {
            if !wide { return MetaBytes.nul(d, from: from).map { $0 + 1 } }
            var i = from
            while i + 1 < d.count {
                if d[i] == 0 && d[i + 1] == 0 { return i + 2 }
                i += 2
            }
            return nil
        }
        guard let afterName = skipString(from: mimeEnd + 1), let dataStart = skipString(from: afterName) else {
            addRemnant("ID3 GEOB frame of type \(mime) with a malformed header")
            return
        }
        recordStoreCandidate(head: Array(d[dataStart...]), available: present - dataStart, place: "ID3 GEOB \(mime) frame")
    }

    /// The text of an ID3 text frame (encoding byte, then text).
    private func id3Text(_ d: [UInt8]) -> String? {
        guard let encoding = d.first else { return nil }
        let body = d[1...]
        let text: String
        switch encoding {
        case 1, 2: text = MetaText.utf16(body, littleEndianHint: false)
        case 3: text = String(decoding: body, as: UTF8.self)
        default: text = MetaBytes.latin1(body)
        }
        let trimmed = MetaBytes.trim(text)
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension MetaScan {
    // MARK: - TIFF, DNG

    /// Walks the page IFDs (classic or BigTIFF, at most 64): a C2PA entry (tag `0xCD41`), XMP (tag 700) and the
    /// text fields that name a tool or camera. Image data is not read.
    func scanTIFF() throws(DetectMetadataError) {
        guard let h = try input.read(at: 0, count: 16), h.count >= 8 else { return }
        let little = h[0] == 0x49
        func uint(_ b: [UInt8], _ i: Int, _ width: Int) -> UInt64? {
            guard i >= 0, i + width <= b.count else { return nil }
            var v: UInt64 = 0
            for k in 0..<width { v = v << 8 | UInt64(b[i + (little ? width - 1 - k : k)]) }
            return v
        }
        let big = uint(h, 2, 2) == 43
        let width = big ? 8 : 4
        let entrySize = big ? 20 : 12
        guard var next = uint(h, big ? 8 : 4, width) else { return }
        var seen = Set<UInt64>()
        let texts: [UInt64: String] = [11: "ProcessingSoftware", 271: "Make", 272: "Model", 305: "Software", 315: "Artist"]
        while next != 0, seen.count < 64, seen.insert(next).inserted, input.step() {
            let at = Int64(clamping: next)
            guard let c = try input.read(at: at, count: big ? 8 : 2), let n = uint(c, 0, big ? 8 : 2), n <= 4096 else {
                note("TIFF: IFD at offset \(next) could not be read")
                return
            }
            let tableAt = at + Int64(big ? 8 : 2)
            guard let table = try input.read(at: tableAt, count: Int(n) * entrySize + width), table.count == Int(n) * entrySize + width else {
                note("TIFF: IFD at offset \(next) runs past the end of the file")
                return
            }
            for i in 0..<Int(n) {
                let e = i * entrySize
                guard let tag = uint(table, e, 2), let type = uint(table, e + 2, 2), let count = uint(table, e + 4, width) else { break }
                let inline = count <= UInt64(width) && [1, 2, 6, 7].contains(type)
                let valueOffset = inline ? tableAt + Int64(e + 4 + width) : Int64(clamping: uint(table, e + 4 + width, width) ?? 0)
                let available = Int(min(count, UInt64(max(0, input.size - valueOffset))))
                switch tag {
                case 0xCD41:
                    if let d = try input.read(at: valueOffset, count: min(available, 4096)) {
                        recordStoreCandidate(head: d, available: available, place: "TIFF C2PA entry (tag 0xCD41)")
                    }
                case 700:
                    if let d = try input.read(at: valueOffset, count: min(available, 4 << 20)) { scanXMP(d, location: "XMP in TIFF tag 700") }
                default:
                    if let key = texts[tag], type == 2, let d = try input.read(at: valueOffset, count: min(available, 1024)) {
                        addText(key: key, value: MetaBytes.ascii(d.prefix { $0 != 0 }[...]), location: "TIFF IFD")
                    }
                }
            }
            next = uint(table, Int(n) * entrySize, width) ?? 0
        }
    }
}
