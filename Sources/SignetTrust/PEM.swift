import Foundation
import SwiftASN1

/// A PEM block as found in trust configuration texts.
///
/// Grammar accepted (RFC 7468, "lax" form, the way c2pa-rs reads its settings):
///
/// ```
/// text      = *( other-line / block )
/// block     = "-----BEGIN " label "-----" EOL *( base64-line ) "-----END " label "-----" EOL
/// base64-line = *WSP 1*base64char *WSP EOL      ; whitespace is ignored inside a block
/// other-line  = any line outside a block         ; ignored by this reader, or handed to a line callback
/// ```
///
/// Lines may end in LF or CRLF. A literal two-character `\n` sequence is treated as a line break, as
/// c2pa-rs does for JSON-escaped PEM strings.
struct PEMBlock: Sendable {
    var label: String
    var der: [UInt8]
    /// 1-based line number of the BEGIN line.
    var line: Int
}

enum PEMReader {
    /// Upper bound on a configuration text, to keep memory bounded on hostile input.
    static let maxTextBytes = 64 * 1024 * 1024
    /// Upper bound on the number of PEM blocks in one text.
    static let maxBlocks = 100_000

    /// Splits `text` into lines (LF, CRLF, or a literal `\n`).
    static func lines(_ text: String) -> [Substring] {
        let normalized = text.contains("\\n") ? text.replacingOccurrences(of: "\\n", with: "\n") : text
        // "\r\n" is a single Character in Swift, so it must be named as a separator of its own.
        return normalized.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { line in
            line.hasSuffix("\r") ? line.dropLast() : line
        }
    }

    /// Reads every PEM block of `text`, calling `otherLine` for each line outside a block.
    ///
    /// - Throws: ``TrustError`` `.malformedPEM` naming the source and line for an unterminated block,
    ///   mismatched END label or bad base64; `.limitExceeded` for oversized input.
    static func blocks(
        in text: String,
        source: String,
        otherLine: (Substring, Int) throws(TrustError) -> Void = { _, _ in }
    ) throws(TrustError) -> [PEMBlock] {
        guard text.utf8.count <= maxTextBytes else {
            throw TrustError(code: .limitExceeded, reason: "\(source): text larger than \(maxTextBytes) bytes")
        }
        var result: [PEMBlock] = []
        var current: (label: String, line: Int, base64: String)?
        for (index, rawLine) in lines(text).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if let open = current {
                if line.hasPrefix("-----END ") {
                    guard line.hasSuffix("-----"), line.count >= 14 else {
                        throw TrustError(code: .malformedPEM, reason: "\(source): line \(lineNumber): malformed END line")
                    }
                    let label = String(line.dropFirst(9).dropLast(5))
                    guard label == open.label else {
                        throw TrustError(
                            code: .malformedPEM,
                            reason: "\(source): line \(lineNumber): END label \"\(label)\" does not match BEGIN label \"\(open.label)\" of line \(open.line)"
                        )
                    }
                    guard let der = Base64.decode(open.base64) else {
                        throw TrustError(
                            code: .malformedPEM,
                            reason: "\(source): block \"\(open.label)\" starting at line \(open.line) has invalid base64"
                        )
                    }
                    result.append(PEMBlock(label: open.label, der: der, line: open.line))
                    guard result.count <= maxBlocks else {
                        throw TrustError(code: .limitExceeded, reason: "\(source): more than \(maxBlocks) PEM blocks")
                    }
                    current = nil
                } else if line.hasPrefix("-----BEGIN ") {
                    throw TrustError(
                        code: .malformedPEM,
                        reason: "\(source): line \(lineNumber): BEGIN inside the block opened at line \(open.line)"
                    )
                } else if line.contains(":") {
                    // RFC 1421 headers (e.g. "Proc-Type: ...") are not valid in certificate blocks.
                    throw TrustError(code: .malformedPEM, reason: "\(source): line \(lineNumber): unexpected header line inside a PEM block")
                } else {
                    current?.base64 += line.filter { !$0.isWhitespace }
                }
            } else if line.hasPrefix("-----BEGIN ") {
                guard line.hasSuffix("-----"), line.count >= 16 else {
                    throw TrustError(code: .malformedPEM, reason: "\(source): line \(lineNumber): malformed BEGIN line")
                }
                current = (String(line.dropFirst(11).dropLast(5)), lineNumber, "")
            } else if line.hasPrefix("-----END ") {
                throw TrustError(code: .malformedPEM, reason: "\(source): line \(lineNumber): END without BEGIN")
            } else {
                try otherLine(rawLine, lineNumber)
            }
        }
        if let open = current {
            throw TrustError(code: .malformedPEM, reason: "\(source): block \"\(open.label)\" starting at line \(open.line) is not terminated")
        }
        return result
    }
}

/// Strict standard base64 (RFC 4648 §4) with optional `=` padding at the end only.
enum Base64 {
    private static let table: [UInt8: UInt8] = {
        var t: [UInt8: UInt8] = [:]
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[c] = UInt8(i)
        }
        return t
    }()

    /// Decodes `text`; `nil` unless it is canonical base64 (length a multiple of 4, padding only at the end).
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
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
                    quad[j] = 0
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
    static func encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i]
            let b1: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2: UInt8 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : "=")
            out.append(i + 2 < bytes.count ? alphabet[Int(b2 & 0x3F)] : "=")
            i += 3
        }
        return out
    }
}
