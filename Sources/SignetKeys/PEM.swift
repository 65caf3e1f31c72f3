import Foundation

/// One PEM block (RFC 7468), with any RFC 1421 style headers ("Proc-Type: ...") it carried.
///
/// Grammar accepted (lines may end in LF or CRLF, surrounding whitespace ignored):
/// ```
/// file   = *( other-line / block )
/// block  = "-----BEGIN " label "-----" EOL *( header-line ) [ empty-line ] *( base64-line ) "-----END " label "-----"
/// header-line = name ":" value
/// ```
struct PEMBlock: Sendable {
    var label: String
    var headers: [String: String]
    var der: [UInt8]
}

enum PEM {
    /// The most blocks one input may hold; a longer chain or bundle is refused as corrupt.
    static let maximumBlocks = 256

    /// Splits `text` into PEM blocks. Text outside blocks is ignored. A block that does not end, whose END label
    /// differs from its BEGIN label, or whose body is not base64 throws `corrupt`.
    static func blocks(in text: String) throws(KeyError) -> [PEMBlock] {
        var result: [PEMBlock] = []
        var current: (label: String, headers: [String: String], body: String, inHeaders: Bool)?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if var block = current {
                if line.hasPrefix("-----END ") {
                    guard let label = Self.label(of: line, prefix: "-----END "), label == block.label else {
                        throw KeyError(.corrupt, "PEM block \"\(block.label)\" ends with a different END line")
                    }
                    guard let der = Data(base64Encoded: block.body), !der.isEmpty else {
                        throw KeyError(.corrupt, "PEM block \"\(block.label)\" does not hold valid base64")
                    }
                    guard result.count < maximumBlocks else {
                        throw KeyError(.corrupt, "more than \(maximumBlocks) PEM blocks")
                    }
                    result.append(PEMBlock(label: block.label, headers: block.headers, der: Array(der)))
                    current = nil
                } else if line.hasPrefix("-----") {
                    throw KeyError(.corrupt, "PEM block \"\(block.label)\" is not terminated")
                } else if block.inHeaders, block.body.isEmpty, let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                    block.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                    current = block
                } else {
                    block.inHeaders = false
                    block.body += line
                    current = block
                }
            } else if line.hasPrefix("-----BEGIN ") {
                guard let label = Self.label(of: line, prefix: "-----BEGIN ") else {
                    throw KeyError(.corrupt, "malformed PEM BEGIN line")
                }
                current = (label, [:], "", true)
            }
        }
        if let block = current {
            throw KeyError(.corrupt, "PEM block \"\(block.label)\" is truncated (no END line)")
        }
        return result
    }

    private static func label(of line: String, prefix: String) -> String? {
        guard line.hasPrefix(prefix), line.hasSuffix("-----"), line.count >= prefix.count + 5 else { return nil }
        let label = String(line.dropFirst(prefix.count).dropLast(5))
        guard !label.isEmpty, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") }) else {
            return nil
        }
        return label
    }

    /// Encodes `der` as one PEM block with 64-character lines.
    static func encode(label: String, der: some Collection<UInt8>) -> String {
        let base64 = Data(der).base64EncodedString()
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
