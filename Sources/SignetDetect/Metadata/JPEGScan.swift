extension MetaScan {
    /// Walks the JPEG marker segments: frame, tables, APPn metadata, COM; scans entropy-coded data only to
    /// find the next marker.
    func scanJPEG() throws(DetectMetadataError) {
        var header = JPEGHeaderFacts()
        defer {
            if !header.huffmanTables.isEmpty {
                header.usesStandardHuffmanTables = header.huffmanTables.allSatisfy(\.isStandard)
            }
            facts.jpeg = header
        }
        // APP11 packets by box instance: (declared length, header length, bytes so far, label head).
        var app11: [Int: (head: MetaJUMBF.Head?, first: [UInt8], total: Int)] = [:]
        var app11Order: [Int] = []
        var quantBySlot: [Int: JPEGQuantizationTable] = [:]
        var entropyScanned: Int64 = 0
        var pos: Int64 = 2
        let size = input.size
        walk: while pos < size {
            guard input.step() else { break }
            guard let b = try input.read(at: pos, count: 4), b.count >= 2 else { break }
            guard b[0] == 0xFF else {
                note("JPEG: no marker at offset \(pos)")
                break
            }
            let marker = b[1]
            switch marker {
            case 0xFF:
                pos += 1
                continue walk
            case 0x01, 0xD0...0xD8:
                pos += 2
                continue walk
            case 0xD9:
                header.hasEOI = true
                header.trailingBytes = max(0, size - (pos + 2))
                break walk
            default: break
            }
            guard let length = MetaBytes.be16(b, 2), length >= 2 else {
                note("JPEG: segment 0x\(hex(marker)) at offset \(pos) is truncated or has a bad length")
                break
            }
            let payloadOffset = pos + 4
            let payloadLength = length - 2
            if payloadOffset + Int64(payloadLength) > size {
                note("JPEG: segment 0x\(hex(marker)) at offset \(pos) declares \(length) bytes past the end of the file")
            }
            func payload() throws(DetectMetadataError) -> [UInt8]? {
                try input.read(at: payloadOffset, count: payloadLength)
            }
            switch marker {
            case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                if header.frameMarker == nil, let p = try payload() { readFrame(marker, p, into: &header) }
            case 0xC4:
                if let p = try payload() { readHuffmanTables(p, into: &header) }
            case 0xDB:
                if let p = try payload() {
                    if header.scanCount == 0 {
                        for table in readQuantizationTables(p) { quantBySlot[table.slot] = table }
                    } else {
                        note("JPEG: quantization tables redefined between scans (only the first definitions are kept)")
                    }
                }
            case 0xDD:
                if let p = try payload() { header.restartInterval = MetaBytes.be16(p, 0) }
            case 0xE0...0xEF, 0xFE:
                if header.applicationMarkers.count < 64 { header.applicationMarkers.append(marker) }
                try readApplicationSegment(marker, at: pos, payloadOffset: payloadOffset, length: payloadLength, header: &header,
                                           app11: &app11, app11Order: &app11Order)
            case 0xDA:
                header.scanCount += 1
                // Skip the scan header, then look for the next marker in the entropy-coded data.
                var cursor = payloadOffset + Int64(payloadLength)
                var found: Int64?
                while cursor < size, entropyScanned < MetadataReader.maxJPEGScanBytes {
                    let chunk = try input.readFree(at: cursor, count: 1 << 16)
                    if chunk.isEmpty { break }
                    var i = 0
                    while let ff = chunk[i...].firstIndex(of: 0xFF) {
                        guard ff + 1 < chunk.count else { break }
                        let next = chunk[ff + 1]
                        if next == 0x00 || next == 0xFF || (0xD0...0xD7).contains(next) {
                            i = ff + 1
                            continue
                        }
                        found = cursor + Int64(ff)
                        break
                    }
                    if found != nil { break }
                    // Keep a trailing 0xFF for the next chunk.
                    let advance = chunk.last == 0xFF && chunk.count > 1 ? chunk.count - 1 : chunk.count
                    cursor += Int64(advance)
                    entropyScanned += Int64(advance)
                }
                guard let next = found else {
                    if entropyScanned >= MetadataReader.maxJPEGScanBytes {
                        note("JPEG: entropy-coded data longer than \(MetadataReader.maxJPEGScanBytes) bytes: the rest was not scanned")
                    } else {
                        note("JPEG: no end-of-image marker")
                    }
                    break walk
                }
                pos = next
                continue walk
            default: break
            }
            pos = payloadOffset + Int64(payloadLength)
        }
        header.quantizationTables = quantBySlot.keys.sorted().compactMap { quantBySlot[$0] }
        for instance in app11Order {
            guard let packet = app11[instance] else { continue }
            recordStoreCandidate(head: packet.first, available: packet.total, place: "JPEG APP11 JUMBF (box instance \(instance))")
        }
    }

    private func hex(_ v: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(v >> 4)], digits[Int(v & 0x0F)]])
    }

    private func readFrame(_ marker: UInt8, _ p: [UInt8], into header: inout JPEGHeaderFacts) {
        header.frameMarker = marker
        header.isProgressive = [0xC2, 0xC6, 0xCA, 0xCE].contains(marker)
        header.isArithmeticCoded = marker >= 0xC9
        header.isLossless = [0xC3, 0xC7, 0xCB, 0xCF].contains(marker)
        guard p.count >= 6, let height = MetaBytes.be16(p, 1), let width = MetaBytes.be16(p, 3) else {
            note("JPEG: frame header truncated")
            return
        }
        header.precision = Int(p[0])
        facts.width = width > 0 ? width : nil
        facts.height = height > 0 ? height : nil
        if height == 0 { note("JPEG: frame height 0 (defined later by DNL): height unknown") }
        let count = Int(p[5])
        guard p.count >= 6 + 3 * count else {
            note("JPEG: frame header lists \(count) components but is truncated")
            return
        }
        for k in 0..<count {
            let base = 6 + 3 * k
            header.components.append(JPEGComponent(
                id: Int(p[base]), horizontalSampling: Int(p[base + 1] >> 4), verticalSampling: Int(p[base + 1] & 0x0F),
                quantizationTable: Int(p[base + 2] & 0x0F)))
        }
    }

    func readQuantizationTables(_ p: [UInt8]) -> [JPEGQuantizationTable] {
        var tables: [JPEGQuantizationTable] = []
        var i = 0
        while i < p.count, tables.count < 16 {
            let precision = p[i] >> 4 == 0 ? 8 : 16
            let slot = Int(p[i] & 0x0F)
            let width = precision == 8 ? 1 : 2
            guard slot <= 3, p[i] >> 4 <= 1, i + 1 + 64 * width <= p.count else {
                note("JPEG: malformed quantization table")
                break
            }
            var natural = [Int](repeating: 0, count: 64)
            for k in 0..<64 {
                let at = i + 1 + k * width
                let value = width == 1 ? Int(p[at]) : Int(p[at]) << 8 | Int(p[at + 1])
                natural[MetaVocabulary.zigzag[k]] = value
            }
            tables.append(JPEGQuantizationTable(slot: slot, precision: precision, values: natural))
            i += 1 + 64 * width
        }
        return tables
    }

    private func readHuffmanTables(_ p: [UInt8], into header: inout JPEGHeaderFacts) {
        var i = 0
        while i + 17 <= p.count {
            guard header.huffmanTables.count < 64 else { return }
            let tableClass = Int(p[i] >> 4)
            let slot = Int(p[i] & 0x0F)
            let counts = p[(i + 1)..<(i + 17)].map { Int($0) }
            let total = counts.reduce(0, +)
            guard tableClass <= 1, slot <= 3, total <= 256, i + 17 + total <= p.count else {
                note("JPEG: malformed Huffman table")
                return
            }
            let symbols = Array(p[(i + 17)..<(i + 17 + total)])
            let standard = MetaVocabulary.isStandardHuffman(tableClass: tableClass, counts: counts, symbols: symbols)
            header.huffmanTables.append(JPEGHuffmanTable(
                tableClass: tableClass, slot: slot, counts: counts, symbols: symbols, isStandard: standard))
            i += 17 + total
        }
        if i != p.count { note("JPEG: Huffman table segment has trailing bytes") }
    }

    private func readApplicationSegment(
        _ marker: UInt8, at pos: Int64, payloadOffset: Int64, length: Int, header: inout JPEGHeaderFacts,
        app11: inout [Int: (head: MetaJUMBF.Head?, first: [UInt8], total: Int)], app11Order: inout [Int]
    ) throws(DetectMetadataError) {
        switch marker {
        case 0xE0:
            guard let p = try input.read(at: payloadOffset, count: min(length, 5)) else { return }
            if MetaBytes.matches(p, "JFIF\0", at: 0) { header.hasJFIF = true }
        case 0xE1:
            guard let p = try input.read(at: payloadOffset, count: length) else { return }
            if MetaBytes.matches(p, "Exif\0", at: 0) {
                if facts.exif == nil {
                    readEXIF(Array(p.dropFirst(6)), location: "EXIF in JPEG APP1")
                } else {
                    note("JPEG: a second EXIF segment was ignored")
                }
            } else if MetaBytes.matches(p, "http://ns.adobe.com/xap/1.0/\0", at: 0) {
                scanXMP(Array(p.dropFirst(29)), location: "XMP in JPEG APP1")
            } else if MetaBytes.matches(p, "http://ns.adobe.com/xmp/extension/\0", at: 0) {
                note("JPEG: extended XMP present (not read)")
            }
        case 0xEB:
            // JPEG XT / JUMBF: 'JP', box instance (2), packet sequence (4), then the JUMBF box (its header
            // repeated in every packet).
            guard let p = try input.read(at: payloadOffset, count: length) else { return }
            guard MetaBytes.matches(p, "JP", at: 0), let instance = MetaBytes.be16(p, 2), p.count >= 16 else {
                if p.count > 0 { addRemnant("JPEG APP11 segment at offset \(pos) that is not a JUMBF packet") }
                return
            }
            let box = Array(p[8...])
            if var packet = app11[instance] {
                let headerLength = packet.head?.headerLength ?? 8
                packet.total += max(0, box.count - headerLength)
                app11[instance] = packet
            } else {
                guard app11.count < 32 else { return }
                app11[instance] = (MetaJUMBF.head(box), Array(box.prefix(512)), box.count)
                app11Order.append(instance)
            }
        case 0xED:
            guard let p = try input.read(at: payloadOffset, count: length) else { return }
            if MetaBytes.matches(p, "Photoshop 3.0\0", at: 0) { readPhotoshopResources(Array(p.dropFirst(14))) }
        case 0xEE:
            guard let p = try input.read(at: payloadOffset, count: min(length, 5)) else { return }
            if MetaBytes.matches(p, "Adobe", at: 0) { header.hasAdobe = true }
        case 0xFE:
            guard let p = try input.read(at: payloadOffset, count: min(length, MetadataReader.maxTextValueBytes)) else { return }
            addText(key: "COM", value: MetaText.decodeUnknown(p[...]), location: "JPEG")
        default: break
        }
    }

    /// Photoshop image resources (APP13): the IPTC-IIM record (0x0404) and an XMP resource (0x0424).
    func readPhotoshopResources(_ p: [UInt8]) {
        var i = 0
        var count = 0
        while i + 12 <= p.count, count < 256 {
            count += 1
            guard MetaBytes.matches(p, "8BIM", at: i), let id = MetaBytes.be16(p, i + 4) else { return }
            let nameLength = Int(p[i + 6])
            var j = i + 7 + nameLength
            if (1 + nameLength) % 2 == 1 { j += 1 }
            guard let size = MetaBytes.be32(p, j), j + 4 + size <= p.count else {
                note("JPEG: truncated Photoshop resource")
                return
            }
            let data = Array(p[(j + 4)..<(j + 4 + size)])
            if id == 0x0404 { readIIM(data) }
            if id == 0x0424 { scanXMP(data, location: "XMP in Photoshop resources") }
            i = j + 4 + size + (size % 2)
        }
    }

    /// IPTC-IIM datasets: the application record's program, credit and source fields can name a generator.
    func readIIM(_ p: [UInt8]) {
        var i = 0
        var count = 0
        while i + 5 <= p.count, p[i] == 0x1C, count < 1024 {
            count += 1
            let record = p[i + 1]
            let dataset = p[i + 2]
            guard let size = MetaBytes.be16(p, i + 3), size & 0x8000 == 0, i + 5 + size <= p.count else {
                note("IPTC-IIM: extended or truncated dataset")
                return
            }
            let value = MetaBytes.trim(MetaText.decodeUnknown(p[(i + 5)..<(i + 5 + size)]))
            if record == 2 {
                switch dataset {
                case 65: addText(key: "OriginatingProgram", value: value, location: "IPTC")
                case 110: addText(key: "Credit", value: value, location: "IPTC")
                case 115: addText(key: "Source", value: value, location: "IPTC")
                case 120: addText(key: "Caption", value: value, location: "IPTC")
                default: break
                }
            }
            i += 5 + size
        }
    }
}

/// Lightweight SOF reading for an embedded JPEG (the EXIF thumbnail).
enum MetaJPEGProbe {
    /// The frame dimensions of the JPEG in `b`, walking at most 64 segments.
    static func dimensions(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        var steps = 0
        while i + 4 <= b.count, steps < 64 {
            steps += 1
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }
            if marker == 0xD9 || marker == 0xDA { return nil }
            guard let length = MetaBytes.be16(b, i + 2), length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard let h = MetaBytes.be16(b, i + 5), let w = MetaBytes.be16(b, i + 7), w > 0, h > 0 else { return nil }
                return (w, h)
            }
            i += 2 + length
        }
        return nil
    }
}
