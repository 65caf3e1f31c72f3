/// SVG (UTF-8 XML) and the `c2pa:manifest` element.
///
/// ```
/// document = [BOM] prolog root *misc
/// prolog   = *(xml-declaration | comment | processing-instruction | doctype-without-internal-subset | space)
/// root     = '<svg' attributes '>' content '</svg>'
/// C2PA     = root > metadata (the first) > '<c2pa:manifest>' BASE64 '</c2pa:manifest>'
/// ```
/// As c2pa-rs writes it: the store, base64 (standard alphabet, padded, no line breaks), is the text of a
/// `c2pa:manifest` element, the first child of the root's first `metadata` child; the root gets
/// `xmlns:c2pa="http://c2pa.org/manifest"` appended to its start tag; without a `metadata` child, one is inserted
/// right after the root's start tag. A data hash excludes only the base64 text. Everything else keeps its bytes,
/// and `remove` takes out what signing put in.
///
/// The parser is bounded and expands nothing: no entity is ever expanded (a DOCTYPE with an internal subset, where
/// entities are declared, is refused, so a billion-laughs file costs one pass), no external resource is read,
/// nesting is capped at ``maxDepth`` and names at ``maxName`` bytes; memory is the name stack. The manifest's text
/// must be base64 and nothing else (no markup, entity or CDATA inside), so the excluded bytes cannot carry XML. A
/// `c2pa:manifest` anywhere but where c2pa-rs looks is refused, a second one is ``MediaError/Code/multipleStores``.
/// Only the base64 text is outside ``AssetScan/protectedRanges``, with the rest of the `metadata` element's content.
enum SVGContainer {
    static let maxDepth = 256
    static let maxName = 256
    static let namespaceAttribute: [UInt8] = Array(" xmlns:c2pa=\"http://c2pa.org/manifest\"".utf8)
    static let openManifest: [UInt8] = Array("<c2pa:manifest>".utf8)
    static let closeManifest: [UInt8] = Array("</c2pa:manifest>".utf8)

    struct Layout: Sendable {
        /// Where the root start tag's closing `>` (or `/>`) sits, and whether it closes itself.
        var rootClose: Int64
        var rootSelfClosing: Bool
        /// The root's `xmlns:c2pa` attribute (with the space before it), if present.
        var namespaceRange: Range<Int64>?
        /// The first `metadata` child: the offset just after its start tag's `>`, or where `/>` starts when it
        /// closes itself; and its content's range.
        var metadataOpenEnd: Int64?
        var metadataSelfClosing: Bool
        var metadataElement: Range<Int64>?
        var metadataContent: Range<Int64>?
        /// The whole `<c2pa:manifest>…</c2pa:manifest>` element, when there is one.
        var manifestElement: Range<Int64>?
    }

    static func scan(_ reader: FileReader, maxStoreSize: Int) throws(MediaError) -> AssetScan {
        var p = Parser(input: WindowedReader(reader))
        try p.run(maxStoreSize: maxStoreSize)
        var store: [UInt8]?
        var storeRange: Range<Int64>?
        if let text = p.manifestText {
            guard let decoded = try base64Decode(reader, text, maxStoreSize: maxStoreSize) else {
                throw MediaError(.corrupt, "the c2pa:manifest element at offset \(text.lowerBound) does not hold padded base64")
            }
            store = decoded
            storeRange = text
        }
        let size = reader.size
        var open: [Range<Int64>] = []
        if let content = p.layout.metadataContent { open.append(content) }
        if let storeRange { open.append(storeRange) }
        var protected: [Range<Int64>] = []
        var cursor: Int64 = 0
        for r in mergeAdjacent(open) {
            if r.lowerBound > cursor { protected.append(cursor..<r.lowerBound) }
            cursor = max(cursor, r.upperBound)
        }
        if cursor < size { protected.append(cursor..<size) }
        var segments = [AssetSegment]()
        if p.layout.manifestElement != nil, let storeRange {
            segments = [
                AssetSegment(name: "XML", marker: nil, range: 0..<storeRange.lowerBound, isC2PA: false),
                AssetSegment(name: "C2PA", marker: nil, range: storeRange, isC2PA: true),
                AssetSegment(name: "XML", marker: nil, range: storeRange.upperBound..<size, isC2PA: false),
            ].filter { !$0.range.isEmpty }
        } else {
            segments = [AssetSegment(name: "XML", marker: nil, range: 0..<size, isC2PA: false)]
        }
        let ranges = storeRange.map { [$0] } ?? []
        var scan = AssetScan(
            format: .svg, fileSize: size, manifestStore: store, storeRanges: ranges, carrierRanges: ranges,
            insertionOffset: storeRange?.lowerBound ?? p.layout.rootClose, segments: segments, segmentsComplete: true,
            layout: .svg(p.layout))
        scan.protectedRanges = protected
        return scan
    }

    // MARK: - Writing

    /// The store replaced in place; else the namespace attribute, the `metadata` element (if needed) and the
    /// manifest element inserted; removal takes out the manifest element, a `metadata` element left holding
    /// nothing else, and the namespace attribute.
    static func plan(scan: AssetScan, layout: Layout, storeSize: Int?) -> EmbeddingPlan {
        let size = scan.fileSize
        let encoded = storeSize.map(encodedSize(storeSize:)) ?? 0
        if storeSize != nil, let text = scan.storeRanges.first {
            return EmbeddingPlan(pieces: [.copy(0..<text.lowerBound), .store, .copy(text.upperBound..<size)], encodedStoreSize: encoded, excludedInStore: 0..<encoded)
        }
        var edits: [(at: Int64, skip: Int64, bytes: [UInt8], store: Bool)] = []
        if storeSize != nil {
            if layout.namespaceRange == nil { edits.append((layout.rootClose, 0, namespaceAttribute, false)) }
            if layout.rootSelfClosing {
                // `<svg .../>` becomes `<svg ...><metadata>…</metadata></svg>`.
                edits.append((layout.rootClose, 2, Array("><metadata>".utf8) + openManifest, false))
                edits.append((layout.rootClose + 2, 0, [], true))
                edits.append((layout.rootClose + 2, 0, closeManifest + Array("</metadata></svg>".utf8), false))
            } else if let metadataEnd = layout.metadataOpenEnd {
                if layout.metadataSelfClosing {
                    edits.append((metadataEnd, 2, Array(">".utf8) + openManifest, false))
                    edits.append((metadataEnd + 2, 0, [], true))
                    edits.append((metadataEnd + 2, 0, closeManifest + Array("</metadata>".utf8), false))
                } else {
                    edits.append((metadataEnd, 0, openManifest, false))
                    edits.append((metadataEnd, 0, [], true))
                    edits.append((metadataEnd, 0, closeManifest, false))
                }
            } else {
                edits.append((layout.rootClose + 1, 0, Array("<metadata>".utf8) + openManifest, false))
                edits.append((layout.rootClose + 1, 0, [], true))
                edits.append((layout.rootClose + 1, 0, closeManifest + Array("</metadata>".utf8), false))
            }
        } else if let element = layout.manifestElement {
            if let content = layout.metadataContent, content == element, let whole = layout.metadataElement {
                edits.append((whole.lowerBound, Int64(whole.count), [], false))
            } else {
                edits.append((element.lowerBound, Int64(element.count), [], false))
            }
            if let ns = layout.namespaceRange { edits.append((ns.lowerBound, Int64(ns.count), [], false)) }
        }
        // In order of position, edits at one position in the order they were listed.
        let ordered = edits.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        var pieces: [EmbeddingPlan.Piece] = []
        var cursor: Int64 = 0
        for e in ordered {
            if e.at > cursor { pieces.append(.copy(cursor..<e.at)) }
            if e.store { pieces.append(.store) } else if !e.bytes.isEmpty { pieces.append(.bytes(e.bytes)) }
            cursor = max(cursor, e.at + e.skip)
        }
        if cursor < size { pieces.append(.copy(cursor..<size)) }
        return EmbeddingPlan(pieces: pieces, encodedStoreSize: encoded, excludedInStore: 0..<encoded)
    }

    static func encodedSize(storeSize: Int) -> Int {
        let n = max(storeSize, 0)
        return n > Int.max / 2 ? Int.max : (n + 2) / 3 * 4
    }

    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ store: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedSize(storeSize: store.count))
        var i = 0
        while i + 3 <= store.count {
            let v = UInt32(store[i]) << 16 | UInt32(store[i + 1]) << 8 | UInt32(store[i + 2])
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = store.count - i
        if rest > 0 {
            let v = UInt32(store[i]) << 16 | (rest == 2 ? UInt32(store[i + 1]) << 8 : 0)
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], rest == 2 ? alphabet[Int(v >> 6 & 63)] : 0x3D, 0x3D]
        }
        return out
    }

    /// Decodes padded standard base64 from `range`, or `nil` if it is anything else.
    static func base64Decode(_ reader: FileReader, _ range: Range<Int64>, maxStoreSize: Int) throws(MediaError) -> [UInt8]? {
        guard !range.isEmpty, range.count % 4 == 0, range.count / 4 * 3 <= maxStoreSize + 2 else {
            if range.count / 4 * 3 > maxStoreSize + 2 {
                throw MediaError(.storeTooLarge, "the c2pa:manifest element holds more than \(maxStoreSize) bytes")
            }
            return nil
        }
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        var out: [UInt8] = []
        out.reserveCapacity(Int(range.count) / 4 * 3)
        var offset = range.lowerBound
        let chunk: Int64 = 1 << 20
        while offset < range.upperBound {
            let n = Int(min(chunk, range.upperBound - offset))
            let text = try reader.read(at: offset, count: n)
            let last = offset + Int64(n) == range.upperBound
            var i = 0
            while i < text.count {
                let a = table[Int(text[i])], b = table[Int(text[i + 1])]
                let cc = text[i + 2], dc = text[i + 3]
                let c = table[Int(cc)], d = table[Int(dc)]
                guard a != 0xFF, b != 0xFF else { return nil }
                let final = last && i + 4 == text.count
                if cc == 0x3D || dc == 0x3D {
                    guard final, dc == 0x3D, cc == 0x3D || c != 0xFF else { return nil }
                    out.append(a << 2 | b >> 4)
                    if cc != 0x3D { out.append(b << 4 | c >> 2) }
                } else {
                    guard c != 0xFF, d != 0xFF else { return nil }
                    out += [a << 2 | b >> 4, b << 4 | c >> 2, c << 6 | d]
                }
                i += 4
            }
            offset += Int64(n)
        }
        return out
    }

    // MARK: - Parsing

    struct Parser {
        var input: WindowedReader
        var layout = Layout(rootClose: 0, rootSelfClosing: false, namespaceRange: nil, metadataOpenEnd: nil, metadataSelfClosing: false, metadataElement: nil, metadataContent: nil, manifestElement: nil)
        var manifestText: Range<Int64>?
        var stack: [[UInt8]] = []
        var rootDone = false
        var sawRoot = false
        /// Depth at which the first `metadata` child is open (1), or nil.
        var inMetadata = false
        var metadataStart: Int64 = 0

        mutating func byte(_ at: Int64) throws(MediaError) -> UInt8 {
            guard let b = try input.byte(at: at) else { throw MediaError(.truncated, "the SVG ends inside markup at offset \(at)") }
            return b
        }

        /// The offset just past the first `pattern` at or after `from`: the last bytes read are compared with it,
        /// so an end marker that repeats its own first bytes (`]]]>` ends a CDATA section, `--->` a comment) is
        /// found where XML finds it.
        mutating func skip(past pattern: [UInt8], from: Int64) throws(MediaError) -> Int64 {
            var at = from
            var last: [UInt8] = []
            while true {
                last.append(try byte(at))
                at += 1
                if last.count > pattern.count { last.removeFirst() }
                if last == pattern { return at }
            }
        }

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        static func isNameByte(_ b: UInt8) -> Bool { !isSpace(b) && b != 0x3E && b != 0x2F && b != 0x3D && b != 0x3C && b != 0x22 && b != 0x27 }

        mutating func name(at start: Int64) throws(MediaError) -> (name: [UInt8], end: Int64) {
            var at = start
            var out: [UInt8] = []
            while true {
                let b = try byte(at)
                guard Self.isNameByte(b) else { break }
                out.append(b)
                guard out.count <= maxName else { throw MediaError(.corrupt, "an XML name longer than \(maxName) bytes at offset \(start)") }
                at += 1
            }
            guard !out.isEmpty else { throw MediaError(.corrupt, "markup without a name at offset \(start)") }
            return (out, at)
        }

        mutating func run(maxStoreSize: Int) throws(MediaError) {
            let size = input.size
            var at: Int64 = 0
            if let b = try input.bytes(at: 0, count: 3), Array(b) == [0xEF, 0xBB, 0xBF] { at = 3 }
            if let b = try input.bytes(at: 0, count: 2), Array(b) == [0xFE, 0xFF] || Array(b) == [0xFF, 0xFE] {
                throw MediaError(.unsupportedFormat, "a UTF-16 SVG (only UTF-8 is read)")
            }
            var textStart = at
            while at < size {
                let b = try byte(at)
                guard b == 0x3C else {
                    if !Self.isSpace(b), stack.isEmpty {
                        throw MediaError(.corrupt, "text outside the root element at offset \(at)")
                    }
                    at += 1
                    continue
                }
                // Text before this markup: the manifest's, when inside it.
                let textEnd = at
                let markup = at
                let next = try byte(at + 1)
                if next == 0x21 {  // <!
                    if let m = try input.bytes(at: at, count: 4), Array(m) == Array("<!--".utf8) {
                        guard !inManifest else { throw MediaError(.corrupt, "markup inside the c2pa:manifest element at offset \(at)") }
                        at = try skip(past: Array("-->".utf8), from: at + 4)
                    } else if let m = try input.bytes(at: at, count: 9), Array(m) == Array("<![CDATA[".utf8) {
                        guard !stack.isEmpty, !inManifest else { throw MediaError(.corrupt, "a CDATA section where it may not be, at offset \(at)") }
                        at = try skip(past: Array("]]>".utf8), from: at + 9)
                    } else if let m = try input.bytes(at: at, count: 9), Array(m) == Array("<!DOCTYPE".utf8) {
                        guard !sawRoot else { throw MediaError(.corrupt, "a DOCTYPE after the root element, at offset \(at)") }
                        at = try doctype(at + 9)
                    } else {
                        throw MediaError(.corrupt, "unknown markup '<!' at offset \(at)")
                    }
                } else if next == 0x3F {  // <?
                    guard !inManifest else { throw MediaError(.corrupt, "markup inside the c2pa:manifest element at offset \(at)") }
                    at = try skip(past: Array("?>".utf8), from: at + 2)
                } else if next == 0x2F {  // </name>
                    let (n, end) = try name(at: at + 2)
                    var close = end
                    while Self.isSpace(try byte(close)) { close += 1 }
                    guard try byte(close) == 0x3E else { throw MediaError(.corrupt, "a malformed end tag at offset \(at)") }
                    guard let open = stack.last, open == n else {
                        throw MediaError(.corrupt, "the end tag </\(String(decoding: n, as: UTF8.self))> at offset \(at) does not match its start tag")
                    }
                    if inManifest {
                        manifestText = textStart..<textEnd
                        layout.manifestElement = manifestElementStart..<(close + 1)
                        inManifest = false
                    }
                    stack.removeLast()
                    if stack.count == 1, inMetadata, n == Array("metadata".utf8) {
                        layout.metadataContent = metadataContentStart..<markup
                        layout.metadataElement = metadataStart..<(close + 1)
                        inMetadata = false
                    }
                    if stack.isEmpty { rootDone = true }
                    at = close + 1
                } else {
                    guard !rootDone else { throw MediaError(.corrupt, "a second root element at offset \(at)") }
                    guard !inManifest else { throw MediaError(.corrupt, "markup inside the c2pa:manifest element at offset \(at)") }
                    let (n, end) = try name(at: at + 1)
                    let depth = stack.count
                    let (close, selfClosing, ns) = try attributes(from: end, root: depth == 0)
                    if depth == 0 {
                        guard n == Array("svg".utf8) else {
                            throw MediaError(.unsupportedFormat, "an XML document whose root is <\(String(decoding: n, as: UTF8.self))>, not <svg>")
                        }
                        sawRoot = true
                        layout.rootClose = selfClosing ? close - 1 : close
                        layout.rootSelfClosing = selfClosing
                        layout.namespaceRange = ns
                    } else if depth == 1, n == Array("metadata".utf8), layout.metadataOpenEnd == nil {
                        layout.metadataOpenEnd = selfClosing ? close - 1 : close + 1
                        layout.metadataSelfClosing = selfClosing
                        metadataStart = markup
                        if selfClosing {
                            layout.metadataElement = markup..<(close + 1)
                        } else {
                            inMetadata = true
                            metadataContentStart = close + 1
                        }
                    } else if n == Array("c2pa:manifest".utf8) {
                        guard manifestText == nil, !inManifest else {
                            throw MediaError(.multipleStores, "a second c2pa:manifest element at offset \(markup)")
                        }
                        guard depth == 2, inMetadata else {
                            throw MediaError(.corrupt, "a c2pa:manifest element at offset \(markup) outside the root's first metadata element, where c2pa-rs does not look")
                        }
                        guard !selfClosing, close == end else {
                            throw MediaError(.corrupt, "the c2pa:manifest element at offset \(markup) has attributes or no content")
                        }
                        inManifest = true
                        manifestElementStart = markup
                    }
                    if !selfClosing {
                        stack.append(n)
                        guard stack.count <= maxDepth else { throw MediaError(.corrupt, "SVG elements nested deeper than \(maxDepth)") }
                    } else if depth == 0 {
                        rootDone = true
                    }
                    at = close + 1
                }
                textStart = at
            }
            guard sawRoot else { throw MediaError(.unsupportedFormat, "no <svg> root element") }
            guard rootDone else { throw MediaError(.truncated, "the SVG ends before its root element closes") }
        }

        var inManifest = false
        var manifestElementStart: Int64 = 0
        var metadataContentStart: Int64 = 0

        /// Walks a start tag's attributes from `at` to its `>`; returns the `>` offset, whether it was `/>`, and
        /// (for the root) the `xmlns:c2pa` attribute's range with the space before it.
        mutating func attributes(from start: Int64, root: Bool) throws(MediaError) -> (Int64, Bool, Range<Int64>?) {
            var at = start
            var ns: Range<Int64>?
            while true {
                let spaceStart = at
                while Self.isSpace(try byte(at)) { at += 1 }
                let b = try byte(at)
                if b == 0x3E { return (at, false, ns) }
                if b == 0x2F {
                    guard try byte(at + 1) == 0x3E else { throw MediaError(.corrupt, "a malformed start tag near offset \(at)") }
                    return (at + 1, true, ns)
                }
                guard at > spaceStart else { throw MediaError(.corrupt, "attributes without space between them at offset \(at)") }
                let (attribute, end) = try name(at: at)
                var eq = end
                while Self.isSpace(try byte(eq)) { eq += 1 }
                guard try byte(eq) == 0x3D else { throw MediaError(.corrupt, "an attribute without a value at offset \(at)") }
                var q = eq + 1
                while Self.isSpace(try byte(q)) { q += 1 }
                let quote = try byte(q)
                guard quote == 0x22 || quote == 0x27 else { throw MediaError(.corrupt, "an unquoted attribute value at offset \(q)") }
                var v = q + 1
                while true {
                    let c = try byte(v)
                    if c == quote { break }
                    guard c != 0x3C else { throw MediaError(.corrupt, "'<' in an attribute value at offset \(v)") }
                    v += 1
                }
                if root, attribute == Array("xmlns:c2pa".utf8) { ns = spaceStart..<(v + 1) }
                at = v + 1
            }
        }

        /// Skips a DOCTYPE (after `<!DOCTYPE`); one with an internal subset (`[`, where entities are declared)
        /// is refused.
        mutating func doctype(_ start: Int64) throws(MediaError) -> Int64 {
            var at = start
            var quote: UInt8 = 0
            while true {
                let b = try byte(at)
                at += 1
                if quote != 0 {
                    if b == quote { quote = 0 }
                } else if b == 0x22 || b == 0x27 {
                    quote = b
                } else if b == 0x5B {
                    throw MediaError(.unsupportedFormat, "an SVG whose DOCTYPE declares entities or other markup (an internal subset): refused, never expanded")
                } else if b == 0x3E {
                    return at
                }
            }
        }
    }
}
