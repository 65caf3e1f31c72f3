/// PDF's object syntax (ISO 32000-1, 7.2 and 7.3), as far as finding a C2PA manifest store needs it: a bounded
/// lexer over a window of the file, which never expands anything and gives up past a nesting depth.
///
/// ```
/// object   = null | true | false | number | (string) | <hex> | /Name | [ object* ] | << (/Name object)* >> | n g R
/// indirect = n g obj object [stream EOL data endstream] endobj
/// ```
/// Strings are skipped (their bytes are kept but escapes are not decoded: nothing here needs a string's value).

/// One PDF object.
indirect enum PDFObject: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case real(Double)
    case string([UInt8])
    case name(String)
    case array([PDFObject])
    case dict([String: PDFObject])
    case ref(Int, Int)

    var dict: [String: PDFObject]? { if case .dict(let d) = self { return d } else { return nil } }
    var array: [PDFObject]? { if case .array(let a) = self { return a } else { return nil } }
    var name: String? { if case .name(let n) = self { return n } else { return nil } }
    var int: Int64? { if case .int(let i) = self { return i } else { return nil } }
}

/// An indirect object: its value and, for a stream, where the stream's data starts in the file.
struct PDFIndirect: Sendable {
    var object: PDFObject
    var streamStart: Int64?
    /// For a dictionary, where its `/Contents` value lies in the file.
    var contentsValue: Range<Int64>? = nil
    /// Where the object's value ends (for a stream, where its data starts).
    var valueEnd: Int64 = 0
}

/// Why a parse stopped: the window ended before the object did (read more and retry), or the bytes are not PDF.
enum PDFSyntaxError: Error, Equatable {
    case needMore
    case corrupt(String)
}

struct PDFLexer {
    /// Arrays and dictionaries nested deeper than this are refused.
    static let maxDepth = 64

    let bytes: [UInt8]
    /// The file offset of `bytes[0]`.
    let base: Int64
    /// Whether the window ends where the file (or decoded stream) ends, so running out is corruption, not a
    /// reason to read more.
    let atEnd: Bool
    var pos = 0
    /// Where the value of the outermost dictionary's `/Contents` entry lies (a signature's hex string).
    var contentsValue: Range<Int64>?
    /// Array elements and dictionary entries parsed so far, at most ``maxElements`` (a bound on memory: an 8 MiB
    /// array of one-digit numbers would otherwise be four million values).
    var elements = 0
    static let maxElements = 1_000_000

    init(_ bytes: [UInt8], base: Int64, atEnd: Bool) {
        self.bytes = bytes
        self.base = base
        self.atEnd = atEnd
    }

    var absolute: Int64 { base + Int64(pos) }

    static func isWhite(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0x0C || b == 0x00 }
    static func isDelimiter(_ b: UInt8) -> Bool {
        b == 0x28 || b == 0x29 || b == 0x3C || b == 0x3E || b == 0x5B || b == 0x5D || b == 0x7B || b == 0x7D || b == 0x2F || b == 0x25
    }
    static func isRegular(_ b: UInt8) -> Bool { !isWhite(b) && !isDelimiter(b) }

    func ran(out what: String) -> PDFSyntaxError { atEnd ? .corrupt("the PDF ends inside \(what)") : .needMore }

    /// Skips white space and comments.
    mutating func skipWhite() throws(PDFSyntaxError) {
        while pos < bytes.count {
            let b = bytes[pos]
            if Self.isWhite(b) {
                pos += 1
            } else if b == 0x25 {
                while pos < bytes.count, bytes[pos] != 0x0A, bytes[pos] != 0x0D { pos += 1 }
            } else {
                return
            }
        }
    }

    /// The regular characters at the position (a keyword or a number), without consuming them.
    func peekToken() -> ArraySlice<UInt8> {
        var end = pos
        while end < bytes.count, Self.isRegular(bytes[end]) { end += 1 }
        return bytes[pos..<end]
    }

    /// Consumes `keyword` if it is the next token.
    mutating func take(_ keyword: String) throws(PDFSyntaxError) -> Bool {
        try skipWhite()
        let token = peekToken()
        if pos + token.count == bytes.count, !atEnd { throw .needMore }
        guard token.elementsEqual(keyword.utf8) else { return false }
        pos += token.count
        return true
    }

    /// A non-negative integer with no sign or fraction, or `nil` (the position unchanged).
    mutating func unsignedInt() throws(PDFSyntaxError) -> Int64? {
        try skipWhite()
        let token = peekToken()
        if pos + token.count == bytes.count, !atEnd { throw .needMore }
        guard !token.isEmpty, token.count <= 18, token.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        pos += token.count
        return token.reduce(0) { $0 * 10 + Int64($1 - 0x30) }
    }

    mutating func object(depth: Int = 0) throws(PDFSyntaxError) -> PDFObject {
        guard depth <= Self.maxDepth else { throw .corrupt("objects nested more than \(Self.maxDepth) deep") }
        try skipWhite()
        guard pos < bytes.count else { throw ran(out: "an object") }
        switch bytes[pos] {
        case 0x2F: return .name(try name())
        case 0x28: return .string(try literalString())
        case 0x5B:
            pos += 1
            var items: [PDFObject] = []
            while true {
                try skipWhite()
                guard pos < bytes.count else { throw ran(out: "an array") }
                if bytes[pos] == 0x5D { pos += 1; return .array(items) }
                try count()
                items.append(try object(depth: depth + 1))
            }
        case 0x3C:
            guard pos + 1 < bytes.count else { throw ran(out: "a dictionary or hex string") }
            if bytes[pos + 1] != 0x3C { return .string(try hexString()) }
            pos += 2
            var entries: [String: PDFObject] = [:]
            while true {
                try skipWhite()
                guard pos + 1 < bytes.count else { throw ran(out: "a dictionary") }
                if bytes[pos] == 0x3E {
                    guard bytes[pos + 1] == 0x3E else { throw .corrupt("a dictionary ends with a lone '>' at offset \(absolute)") }
                    pos += 2
                    return .dict(entries)
                }
                guard bytes[pos] == 0x2F else { throw .corrupt("a dictionary key at offset \(absolute) is not a name") }
                try count()
                let key = try name()
                try skipWhite()
                let valueStart = absolute
                let value = try object(depth: depth + 1)
                if depth == 0, key == "Contents" { contentsValue = valueStart..<absolute }
                // ISO 32000 7.3.7: a null value is the same as no entry.
                if value != .null { entries[key] = value }
            }
        default:
            return try numberOrKeyword()
        }
    }

    mutating func count() throws(PDFSyntaxError) {
        elements += 1
        guard elements <= Self.maxElements else { throw .corrupt("an object at offset \(base) holds more than \(Self.maxElements) values") }
    }

    mutating func name() throws(PDFSyntaxError) -> String {
        pos += 1
        var out: [UInt8] = []
        while pos < bytes.count, Self.isRegular(bytes[pos]) {
            if bytes[pos] == 0x23 {
                guard pos + 2 < bytes.count, let hi = Self.hexValue(bytes[pos + 1]), let lo = Self.hexValue(bytes[pos + 2]) else {
                    if pos + 2 >= bytes.count, !atEnd { throw .needMore }
                    throw .corrupt("a name at offset \(absolute) has a bad #xx escape")
                }
                out.append(hi << 4 | lo)
                pos += 3
            } else {
                out.append(bytes[pos])
                pos += 1
            }
            guard out.count <= 127 else { throw .corrupt("a name longer than 127 bytes at offset \(absolute)") }
        }
        if pos == bytes.count, !atEnd { throw .needMore }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    mutating func literalString() throws(PDFSyntaxError) -> [UInt8] {
        let start = pos
        pos += 1
        var depth = 1
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x5C: pos += 2
            case 0x28: depth += 1; pos += 1
            case 0x29:
                depth -= 1
                pos += 1
                if depth == 0 { return Array(bytes[(start + 1)..<(pos - 1)]) }
            default: pos += 1
            }
        }
        throw ran(out: "a string")
    }

    mutating func hexString() throws(PDFSyntaxError) -> [UInt8] {
        pos += 1
        var out: [UInt8] = []
        var high: UInt8?
        while pos < bytes.count {
            let b = bytes[pos]
            pos += 1
            if b == 0x3E {
                if let high { out.append(high << 4) }
                return out
            }
            if Self.isWhite(b) { continue }
            guard let v = Self.hexValue(b) else { throw .corrupt("a hex string at offset \(absolute - 1) holds a non-hex byte") }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        throw ran(out: "a hex string")
    }

    mutating func numberOrKeyword() throws(PDFSyntaxError) -> PDFObject {
        let token = peekToken()
        if pos + token.count == bytes.count, !atEnd { throw .needMore }
        guard !token.isEmpty else { throw .corrupt("unexpected byte 0x\(String(bytes[pos], radix: 16)) at offset \(absolute)") }
        let text = String(decoding: token, as: UTF8.self)
        switch text {
        case "true": pos += token.count; return .bool(true)
        case "false": pos += token.count; return .bool(false)
        case "null": pos += token.count; return .null
        default: break
        }
        let isInt = token.count <= 18 && token.enumerated().allSatisfy { i, b in (b >= 0x30 && b <= 0x39) || (i == 0 && (b == 0x2B || b == 0x2D) && token.count > 1) }
        if isInt, let value = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text) {
            pos += token.count
            // "n g R" is a reference: look ahead for the generation and the R.
            if value >= 0, token.first != 0x2B {
                let saved = pos
                if let gen = try unsignedInt(), gen <= 65_535 {
                    try skipWhite()
                    if pos < bytes.count, bytes[pos] == 0x52, pos + 1 == bytes.count ? atEnd : !Self.isRegular(bytes[pos + 1]) {
                        pos += 1
                        guard value <= Int64(Int32.max) else { throw .corrupt("object number \(value) is out of range") }
                        return .ref(Int(value), Int(gen))
                    }
                    if pos + 1 >= bytes.count, !atEnd { throw .needMore }
                }
                pos = saved
            }
            return .int(value)
        }
        if token.count <= 40, let value = Double(text), value.isFinite, token.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D }) {
            pos += token.count
            return .real(value)
        }
        throw .corrupt("unexpected token '\(text.prefix(20))' at offset \(absolute)")
    }

    /// `n g obj object [stream]`: the object, checking its number, and where stream data starts if it is one.
    mutating func indirect(number: Int?) throws(PDFSyntaxError) -> (number: Int, PDFIndirect) {
        contentsValue = nil
        guard let n = try unsignedInt(), let g = try unsignedInt(), g <= 65_535, try take("obj") else {
            throw .corrupt("no 'n g obj' header at offset \(absolute)")
        }
        if let number, Int(n) != number {
            throw .corrupt("the cross-reference table says object \(number) is at offset \(base) but object \(n) is there")
        }
        let object = try self.object()
        var streamStart: Int64?
        if case .dict = object, try take("stream") {
            // The keyword is followed by CR LF or LF (ISO 32000-1, 7.3.8.1).
            guard pos < bytes.count else { throw ran(out: "a stream header") }
            if bytes[pos] == 0x0D {
                guard pos + 1 < bytes.count else { throw ran(out: "a stream header") }
                guard bytes[pos + 1] == 0x0A else { throw .corrupt("'stream' at offset \(absolute) is followed by CR without LF") }
                pos += 2
            } else if bytes[pos] == 0x0A {
                pos += 1
            } else {
                throw .corrupt("'stream' at offset \(absolute) is not followed by an end of line")
            }
            streamStart = absolute
        }
        return (Int(n), PDFIndirect(object: object, streamStart: streamStart, contentsValue: contentsValue, valueEnd: absolute))
    }
}
