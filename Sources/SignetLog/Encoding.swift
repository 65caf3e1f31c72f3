/// Strict standard base64 (RFC 4648, section 4): padded, canonical, nothing outside the alphabet.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(value) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? alphabet[Int((b1 & 0x0f) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(b2 & 0x3f)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes canonical padded base64; returns nil for anything else (wrong length, a character outside
    /// the alphabet, misplaced padding, non-zero bits in the padding positions).
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: Array(text.utf8))
    }

    static func decode(utf8 input: some Collection<UInt8>) -> [UInt8]? {
        let symbols = Array(input)
        guard symbols.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count / 4 * 3)
        var index = 0
        while index < symbols.count {
            let isLast = index + 4 == symbols.count
            let padding = isLast ? (symbols[index + 3] == UInt8(ascii: "=") ? (symbols[index + 2] == UInt8(ascii: "=") ? 2 : 1) : 0) : 0
            var values: [UInt8] = [0, 0, 0, 0]
            for offset in 0..<(4 - padding) {
                let value = reverse[Int(symbols[index + offset])]
                guard value != 0xff else { return nil }
                values[offset] = value
            }
            out.append(values[0] << 2 | values[1] >> 4)
            switch padding {
            case 0:
                out.append((values[1] & 0x0f) << 4 | values[2] >> 2)
                out.append((values[2] & 0x03) << 6 | values[3])
            case 1:
                guard values[2] & 0x03 == 0 else { return nil }
                out.append((values[1] & 0x0f) << 4 | values[2] >> 2)
            default:
                guard values[1] & 0x0f == 0 else { return nil }
            }
            index += 4
        }
        return out
    }
}

/// Lowercase hexadecimal.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Eight hex digits (either case) as a big-endian UInt32; nil for anything else.
    static func decodeUInt32(_ text: some StringProtocol) -> UInt32? {
        let symbols = Array(text.utf8)
        guard symbols.count == 8 else { return nil }
        var value: UInt32 = 0
        for symbol in symbols {
            let digit: UInt8
            switch symbol {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = symbol - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = symbol - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = symbol - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// A UInt32 as eight lowercase hex digits.
    static func encode(_ value: UInt32) -> String {
        encode([UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
                UInt8(truncatingIfNeeded: value)])
    }
}
