import SignetMedia

extension MetaScan {
    /// Walks the PNG chunks: IHDR, PLTE, text chunks, eXIf, caBX; skips IDAT without reading it.
    func scanPNG() throws(DetectMetadataError) {
        var header = PNGHeaderFacts()
        defer { facts.png = header }
        var pos: Int64 = 8
        let size = input.size
        /// Text and XMP chunks larger than this are read only up to it.
        let textChunkCap = 8 << 20
        while pos < size {
            guard input.step() else { break }
            guard let h = try input.read(at: pos, count: 8), h.count == 8, let length = MetaBytes.be32(h, 0) else {
                note("PNG: truncated chunk header at offset \(pos)")
                break
            }
            let type = MetaBytes.ascii(h[4..<8])
            if header.chunkTypes.count < 256, !(type == "IDAT" && header.chunkTypes.last == "IDAT") {
                header.chunkTypes.append(type)
            }
            let dataOffset = pos + 8
            let present = Int(max(0, min(Int64(length), size - dataOffset)))
            guard length <= 0x7FFF_FFFF else {
                note("PNG: chunk '\(type)' at offset \(pos) declares an invalid length")
                if type == "caBX" { addRemnant("PNG caBX chunk with an invalid length") }
                break
            }
            if present < length {
                note("PNG: chunk '\(type)' at offset \(pos) declares \(length) bytes past the end of the file")
            }
            switch type {
            case "IHDR":
                if let d = try input.read(at: dataOffset, count: min(present, 13)), d.count == 13 {
                    facts.width = MetaBytes.be32(d, 0)
                    facts.height = MetaBytes.be32(d, 4)
                    header.bitDepth = Int(d[8])
                    header.colorType = Int(d[9])
                    header.interlaced = d[12] == 1
                } else {
                    note("PNG: truncated IHDR")
                }
            case "PLTE":
                header.hasPalette = true
            case "tEXt", "zTXt", "iTXt":
                if let d = try input.read(at: dataOffset, count: min(present, textChunkCap)) {
                    if present > textChunkCap { note("PNG: \(type) chunk longer than \(textChunkCap) bytes read in part") }
                    readPNGText(type, d)
                }
            case "eXIf":
                if let d = try input.read(at: dataOffset, count: min(present, 1 << 20)) {
                    if facts.exif == nil { readEXIF(d, location: "EXIF in PNG eXIf") }
                }
            case "caBX":
                if let d = try input.read(at: dataOffset, count: min(present, 4096)) {
                    recordStoreCandidate(head: d, available: present, place: "PNG caBX chunk")
                }
            case "IEND":
                let end = dataOffset + Int64(present) + 4
                if end < size { note("PNG: \(size - end) bytes after IEND") }
                return
            default: break
            }
            if present < length { break }
            pos = dataOffset + Int64(length) + 4
        }
    }

    /// Decodes a tEXt (Latin-1), zTXt (zlib, Latin-1) or iTXt (UTF-8, optionally zlib) chunk.
    private func readPNGText(_ type: String, _ d: [UInt8]) {
        guard let keyEnd = MetaBytes.nul(d, from: 0), keyEnd > 0, keyEnd <= 79 else {
            note("PNG: \(type) chunk without a valid keyword")
            return
        }
        let key = MetaBytes.latin1(d[0..<keyEnd])
        let location = "PNG \(type)"
        var text: String
        switch type {
        case "tEXt":
            text = MetaBytes.latin1(d[(keyEnd + 1)...])
        case "zTXt":
            guard keyEnd + 2 <= d.count, d[keyEnd + 1] == 0 else {
                note("PNG: zTXt '\(key)' with an unknown compression method")
                return
            }
            guard let inflated = inflateText(Array(d[(keyEnd + 2)...]), key: key, type: type) else { return }
            text = MetaBytes.latin1(inflated[...])
        default:
            // iTXt: keyword, compression flag, method, language tag, translated keyword, text.
            guard keyEnd + 3 <= d.count else {
                note("PNG: truncated iTXt '\(key)'")
                return
            }
            let compressed = d[keyEnd + 1] == 1
            guard let langEnd = MetaBytes.nul(d, from: keyEnd + 3), let transEnd = MetaBytes.nul(d, from: langEnd + 1) else {
                note("PNG: truncated iTXt '\(key)'")
                return
            }
            var body = Array(d[(transEnd + 1)...])
            if compressed {
                guard d[keyEnd + 2] == 0, let inflated = inflateText(body, key: key, type: type) else { return }
                body = inflated
            }
            if key == "XML:com.adobe.xmp" {
                scanXMP(body, location: "XMP in PNG iTXt")
                return
            }
            text = String(decoding: body, as: UTF8.self)
        }
        addText(key: key, value: text, location: location)
    }

    private func inflateText(_ data: [UInt8], key: String, type: String) -> [UInt8]? {
        let allowance = min(MetadataReader.maxInflatedBytes, inflateAllowance)
        guard allowance > 0 else {
            note("PNG: compressed text beyond \(MetadataReader.maxTotalInflatedBytes) inflated bytes was not read")
            return nil
        }
        let result = Inflate.zlib(data, limit: allowance)
        switch result {
        case .complete(let bytes), .truncated(let bytes): inflateAllowance -= bytes.count
        case .failed: break
        }
        switch result {
        case .complete(let bytes):
            return bytes
        case .truncated(let bytes):
            note("PNG: \(type) '\(key)' inflated past \(allowance) bytes or ended early: read in part")
            return bytes
        case .failed(let why):
            note("PNG: \(type) '\(key)' could not be inflated (\(why))")
            return nil
        }
    }
}
