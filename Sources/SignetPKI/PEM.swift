import Foundation

/// One PEM block (RFC 7468), with any RFC 1421 headers ("Proc-Type: ...") it carried.
public struct PEMBlock: Sendable, Hashable {
    /// The label of the BEGIN and END lines ("CERTIFICATE", "PRIVATE KEY", ...).
    public var label: String
    /// RFC 1421 header lines, when the reader allows them.
    public var headers: [String: String]
    /// The decoded body.
    public var der: [UInt8]
    /// 1-based line number of the BEGIN line.
    public var line: Int

    public init(label: String, headers: [String: String] = [:], der: [UInt8], line: Int = 1) {
        self.label = label
        self.headers = headers
        self.der = der
        self.line = line
    }
}

/// Why a PEM text was refused.
public struct PEMError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable classification.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        /// A block is broken: unterminated, mismatched labels, a header where none is allowed, bad base64.
        public static let malformed = Code("malformed")
        /// The text or its number of blocks exceeds the reader's limits.
        public static let limitExceeded = Code("limitExceeded")
        public var description: String { name }
    }

    public let code: Code
    /// What is wrong, naming the line ("line 3: ...") where there is one.
    public let reason: String

    public init(code: Code, reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "PEMError.\(code): \(reason)" }
}

/// Reads PEM texts: certificate bundles, trust configuration, key files.
///
/// Grammar accepted (RFC 7468 "lax" form, lines ending in LF or CRLF, whitespace around and inside the base64
/// ignored):
///
/// ```
/// text        = *( other-line / block )
/// block       = "-----BEGIN " label "-----" EOL [ *header-line [ empty-line ] ] *base64-line "-----END " label "-----" EOL
/// label       = 1*( ALPHA / DIGIT / SP / "-" )
/// header-line = name ":" value                     ; only when `allowsHeaders` (encrypted legacy keys)
/// other-line  = any line outside a block           ; returned to the caller, which may refuse it
/// ```
///
/// With `escapedLineBreaks`, a literal two-character `\n` counts as a line break, as c2pa-rs reads JSON-escaped
/// PEM strings in its settings.
public struct PEMReader: Sendable {
    /// The largest text accepted, in bytes.
    public var maxTextBytes: Int
    /// The most blocks one text may hold.
    public var maxBlocks: Int
    /// Whether RFC 1421 header lines may open a block.
    public var allowsHeaders: Bool
    /// Whether a literal `\n` counts as a line break.
    public var escapedLineBreaks: Bool

    public init(maxTextBytes: Int = 64 * 1024 * 1024, maxBlocks: Int, allowsHeaders: Bool, escapedLineBreaks: Bool) {
        self.maxTextBytes = maxTextBytes
        self.maxBlocks = maxBlocks
        self.allowsHeaders = allowsHeaders
        self.escapedLineBreaks = escapedLineBreaks
    }

    /// Trust configuration texts (anchors, allowed lists), read the way c2pa-rs reads its settings.
    public static let configuration = PEMReader(maxBlocks: 100_000, allowsHeaders: false, escapedLineBreaks: true)
    /// Key files and certificate chain files.
    public static let keyFile = PEMReader(maxTextBytes: 16 * 1024 * 1024, maxBlocks: 256, allowsHeaders: true, escapedLineBreaks: false)

    /// What a text holds: its blocks, and the lines outside any block with their 1-based numbers.
    public struct Contents: Sendable {
        public var blocks: [PEMBlock]
        public var otherLines: [(number: Int, text: Substring)]
    }

    /// Splits `text` into lines (LF, CRLF, and with `escapedLineBreaks` a literal `\n`), without the breaks.
    public func lines(_ text: String) -> [Substring] {
        let normalized = escapedLineBreaks && text.contains("\\n") ? text.replacingOccurrences(of: "\\n", with: "\n") : text
        // "\r\n" is a single Character in Swift, so it must be named as a separator of its own.
        return normalized.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
    }

    /// Reads every block of `text`.
    public func read(_ text: String) throws(PEMError) -> Contents {
        guard text.utf8.count <= maxTextBytes else {
            throw PEMError(code: .limitExceeded, reason: "text larger than \(maxTextBytes) bytes")
        }
        func malformed(_ reason: String) -> PEMError { PEMError(code: .malformed, reason: reason) }
        var contents = Contents(blocks: [], otherLines: [])
        var current: (label: String, line: Int, headers: [String: String], base64: String, inHeaders: Bool)?
        for (index, rawLine) in lines(text).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard var open = current else {
                if line.hasPrefix("-----BEGIN ") {
                    guard let label = Self.label(of: line, prefix: "-----BEGIN ") else {
                        throw malformed("line \(number): malformed BEGIN line")
                    }
                    current = (label, number, [:], "", allowsHeaders)
                } else if line.hasPrefix("-----END ") {
                    throw malformed("line \(number): END without BEGIN")
                } else {
                    contents.otherLines.append((number, rawLine))
                }
                continue
            }
            if line.hasPrefix("-----END ") {
                guard let label = Self.label(of: line, prefix: "-----END ") else { throw malformed("line \(number): malformed END line") }
                guard label == open.label else {
                    throw malformed("line \(number): END label \"\(label)\" does not match BEGIN label \"\(open.label)\" of line \(open.line)")
                }
                guard let der = Base64.decode(open.base64), !der.isEmpty else {
                    throw malformed("block \"\(open.label)\" starting at line \(open.line) has invalid base64")
                }
                guard contents.blocks.count < maxBlocks else { throw PEMError(code: .limitExceeded, reason: "more than \(maxBlocks) PEM blocks") }
                contents.blocks.append(PEMBlock(label: open.label, headers: open.headers, der: der, line: open.line))
                current = nil
            } else if line.hasPrefix("-----") {
                throw malformed("line \(number): block \"\(open.label)\" opened at line \(open.line) is not terminated")
            } else if let colon = line.firstIndex(of: ":") {
                guard open.inHeaders else { throw malformed("line \(number): unexpected header line inside a PEM block") }
                let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                open.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                current = open
            } else {
                if !line.isEmpty || !open.headers.isEmpty { open.inHeaders = false }
                open.base64 += line.filter { !$0.isWhitespace }
                current = open
            }
        }
        if let open = current {
            throw malformed("line \(open.line): block \"\(open.label)\" is not terminated")
        }
        return contents
    }

    private static func label(of line: String, prefix: String) -> String? {
        guard line.hasPrefix(prefix), line.hasSuffix("-----"), line.count >= prefix.count + 5 else { return nil }
        let label = String(line.dropFirst(prefix.count).dropLast(5))
        guard !label.isEmpty, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") }) else {
            return nil
        }
        return label
    }

    /// `der` as one PEM block with 64-character lines.
    public static func encode(label: String, der: some Collection<UInt8>) -> String {
        let base64 = Base64.encode(Array(der))
        var text = "-----BEGIN \(label)-----\n"
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 64, limitedBy: base64.endIndex) ?? base64.endIndex
            text += base64[index..<end] + "\n"
            index = end
        }
        return text + "-----END \(label)-----\n"
    }
}

/// Strict standard base64 (RFC 4648 section 4) with `=` padding at the end only.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let table: [UInt8: UInt8] = {
        var t: [UInt8: UInt8] = [:]
        for (i, c) in alphabet.enumerated() { t[c] = UInt8(i) }
        return t
    }()

    /// Decodes `text`; `nil` unless it is canonical base64 (length a multiple of 4, padding only at the end).
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return nil }
        var padding = 0
        if bytes.last == UInt8(ascii: "=") { padding += 1 }
        if bytes.count >= 2, bytes[bytes.count - 2] == UInt8(ascii: "=") { padding += 1 }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count / 4 * 3)
        var index = 0
        while index < bytes.count {
            var quad: [UInt8] = [0, 0, 0, 0]
            let isLastQuad = index + 4 == bytes.count
            for j in 0..<4 {
                let c = bytes[index + j]
                if c == UInt8(ascii: "=") {
                    guard isLastQuad, j >= 4 - padding else { return nil }
                } else {
                    guard let v = table[c] else { return nil }
                    quad[j] = v
                }
            }
            let triple = [quad[0] << 2 | quad[1] >> 4, quad[1] << 4 | quad[2] >> 2, quad[2] << 6 | quad[3]]
            out.append(contentsOf: triple.prefix(isLastQuad ? 3 - padding : 3))
            index += 4
        }
        return out
    }

    /// Standard base64 with padding.
    package static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2: UInt8 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
