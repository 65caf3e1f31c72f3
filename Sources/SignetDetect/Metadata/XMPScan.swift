extension MetaScan {
    /// Scans an XMP packet's text for the properties the detector uses. No XML parser runs (no entity
    /// expansion, no DTD): property values are found by their attribute and element forms.
    func scanXMP(_ packet: [UInt8], location: String) {
        facts.xmpPacketCount += 1
        let x = Array(packet.prefix(4 << 20))
        if packet.count > x.count { note("\(location): XMP packet longer than 4 MiB read in part") }
        let xmp = MetaXMP(x)
        var codes: [String] = []
        for value in xmp.values("DigitalSourceType") + xmp.values("digitalSourceType") {
            if let code = MetaXMP.sourceCode(value), !codes.contains(code) { codes.append(code) }
        }
        for code in xmp.digitalSourceURICodes() where !codes.contains(code) { codes.append(code) }
        for code in codes.prefix(16) {
            facts.declaredSources.append(DeclaredSource(code: code, location: location))
        }
        for key in ["CreatorTool", "Software", "Credit", "softwareAgent"] {
            for value in xmp.values(key).prefix(32) { addText(key: key, value: value, location: "XMP") }
        }
        for value in xmp.values("description").prefix(4) { addText(key: "description", value: value, location: "XMP") }
        for value in xmp.values("provenance").prefix(4) {
            let url = String(decoding: Array(value.utf8).drop { MetaXMP.isSpace($0) }.reversed().drop { MetaXMP.isSpace($0) }.reversed(), as: UTF8.self)
            if url.utf8.count <= 2048, !url.isEmpty, facts.remoteManifests.count < 4, !facts.remoteManifests.contains(url) {
                facts.remoteManifests.append(url)
            }
            addRemnant("\(location): dcterms:provenance points to a manifest (\(value.prefix(120)))")
        }
        if xmp.containsJUMBFReference, xmp.values("provenance").isEmpty {
            addRemnant("\(location): references a C2PA manifest (jumbf=/c2pa)")
        }
    }
}

/// Property lookup in XMP text by local name, in the three RDF forms: an attribute
/// (`ns:Name="value"`), an element with text (`<ns:Name>value</ns:Name>`, possibly wrapping
/// `rdf:Alt`/`rdf:Seq`/`rdf:Bag` lists) and a resource element (`<ns:Name rdf:resource="value"/>`).
struct MetaXMP {
    let x: [UInt8]
    /// `x` with ASCII letters lowercased, for case-insensitive search.
    let lower: [UInt8]

    init(_ bytes: [UInt8]) {
        x = bytes
        lower = bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }

    /// How far ahead a value's end is looked for.
    static let window = 1 << 16

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D || c == 0x2E
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// The values of every property named `localName` (exact case), whatever its namespace prefix.
    func values(_ localName: String) -> [String] {
        let needle = Array(":\(localName)".utf8)
        var results: [String] = []
        var from = 0
        var examined = 0
        // At most 256 occurrences are examined, and each looks at most 64 KiB ahead: linear work in the packet.
        while results.count < 64, examined < 256, let i = MetaBytes.find(needle, in: x, from: from) {
            examined += 1
            from = i + needle.count
            let j = i + needle.count
            if j < x.count, MetaXMP.isNameByte(x[j]) { continue }
            var k = i
            while k > 0, MetaXMP.isNameByte(x[k - 1]) { k -= 1 }
            guard k > 0, k < i else { continue }
            let before = x[k - 1]
            if before == 0x3C {  // '<': element
                guard let value = elementValue(qualifiedName: Array(x[k..<j]), tagEnd: j) else { continue }
                results.append(value)
            } else if MetaXMP.isSpace(before) {  // attribute
                var p = j
                while p < x.count, MetaXMP.isSpace(x[p]) { p += 1 }
                guard p < x.count, x[p] == 0x3D else { continue }
                p += 1
                while p < x.count, MetaXMP.isSpace(x[p]) { p += 1 }
                if let value = quoted(at: p) { results.append(value) }
            }
        }
        return results
    }

    /// The quoted string starting at `p` (`"` or `'`), entity-decoded.
    func quoted(at p: Int) -> String? {
        guard p < x.count, x[p] == 0x22 || x[p] == 0x27 else { return nil }
        let quote = x[p]
        guard let end = x[(p + 1)..<min(x.count, p + 1 + MetaXMP.window)].firstIndex(of: quote) else { return nil }
        return MetaXMP.decodeEntities(String(decoding: x[(p + 1)..<end], as: UTF8.self))
    }

    /// The value of the element whose name ends at `tagEnd`: its `rdf:resource`, or its text content (list
    /// items joined by ", ").
    func elementValue(qualifiedName: [UInt8], tagEnd: Int) -> String? {
        guard let gt = x[tagEnd..<min(x.count, tagEnd + 4096)].firstIndex(of: 0x3E) else { return nil }
        let tag = Array(x[tagEnd..<gt])
        if let r = MetaBytes.find(Array("resource".utf8), in: tag) {
            var p = tagEnd + r + 8
            while p < gt, MetaXMP.isSpace(x[p]) || x[p] == 0x3D { p += 1 }
            if let value = quoted(at: p) { return value }
        }
        if gt > tagEnd, x[gt - 1] == 0x2F { return nil }  // empty element
        let close = Array("</".utf8) + qualifiedName
        guard let end = MetaBytes.find(close, in: x, from: gt + 1, end: gt + 1 + MetaXMP.window) else { return nil }
        var pieces: [String] = []
        var current: [UInt8] = []
        var inTag = false
        for c in x[(gt + 1)..<end] {
            if c == 0x3C {
                inTag = true
                let piece = MetaBytes.trim(String(decoding: current, as: UTF8.self))
                if !piece.isEmpty { pieces.append(piece) }
                current = []
            } else if c == 0x3E {
                inTag = false
            } else if !inTag {
                current.append(c)
            }
        }
        let piece = MetaBytes.trim(String(decoding: current, as: UTF8.self))
        if !piece.isEmpty { pieces.append(piece) }
        guard !pieces.isEmpty else { return nil }
        return MetaXMP.decodeEntities(pieces.joined(separator: ", "))
    }

    /// Codes of every `.../newscodes/digitalsourcetype/<code>` URI in the packet.
    func digitalSourceURICodes() -> [String] {
        let needle = Array("newscodes/digitalsourcetype/".utf8)
        var codes: [String] = []
        var from = 0
        while codes.count < 16, let i = MetaBytes.find(needle, in: lower, from: from) {
            var j = i + needle.count
            from = j
            let start = j
            while j < x.count, j - start < 64, (MetaXMP.isNameByte(x[j]) && x[j] != 0x2E) { j += 1 }
            if j > start { codes.append(String(decoding: x[start..<j], as: UTF8.self)) }
        }
        return codes
    }

    /// Whether the packet references a JUMBF manifest (`jumbf=/c2pa` or `jumbf=c2pa`).
    var containsJUMBFReference: Bool {
        MetaBytes.find(Array("jumbf=/c2pa".utf8), in: lower) != nil || MetaBytes.find(Array("jumbf=c2pa".utf8), in: lower) != nil
    }

    /// The code in a DigitalSourceType value: a URI's last path component, a QCode's local part, or the bare code.
    static func sourceCode(_ value: String) -> String? {
        let trimmed = MetaBytes.trim(value)
        var code = Substring(trimmed)
        if let slash = code.lastIndex(of: "/") { code = code[code.index(after: slash)...] }
        if let colon = code.lastIndex(of: ":") { code = code[code.index(after: colon)...] }
        let result = String(code.prefix(64))
        guard !result.isEmpty, result.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return result
    }

    /// Decodes the five predefined XML entities and numeric character references; anything else stays as is.
    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semi = after.prefix(12).firstIndex(of: ";") else {
                out += "&"
                rest = after
                continue
            }
            let name = after[..<semi]
            var replacement: String?
            switch name {
            case "amp": replacement = "&"
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if name.hasPrefix("#x") || name.hasPrefix("#X"), let v = UInt32(name.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) {
                    replacement = String(Character(u))
                } else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let u = Unicode.Scalar(v) {
                    replacement = String(Character(u))
                }
            }
            if let replacement {
                out += replacement
                rest = after[after.index(after: semi)...]
            } else {
                out += "&"
                rest = after
            }
        }
        out += rest
        return out
    }
}
