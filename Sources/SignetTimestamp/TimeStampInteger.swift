/// An ASN.1 INTEGER of any size, as RFC 3161 uses for nonces and serial numbers.
///
/// ```
/// nonce        INTEGER   -- a large random number, up to the client (RFC 3161 section 2.4.1)
/// serialNumber INTEGER   -- unique per TSA, positive, up to 160 bits (RFC 3161 section 2.4.2)
/// ```
///
/// Kept as the DER content octets: big-endian two's complement in the fewest octets (X.690 section 8.3). Every
/// value of this type is valid DER, whichever initializer made it.
public struct TimeStampInteger: Sendable, Hashable, CustomStringConvertible {
    /// The DER content octets: two's complement, big-endian, minimal, never empty.
    public let contentOctets: [UInt8]

    /// A non-negative integer from a machine integer.
    public init(_ value: UInt64) {
        var bytes: [UInt8] = []
        var v = value
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: v), at: 0)
            v >>= 8
        } while v > 0
        self.init(magnitude: bytes)
    }

    /// A non-negative integer from its unsigned big-endian magnitude (leading zero octets are ignored; no
    /// octets means zero).
    public init(magnitude bigEndian: [UInt8]) {
        var bytes = Array(bigEndian.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        contentOctets = bytes
    }

    /// An integer from DER content octets, checked: non-empty and minimal (no redundant leading 0x00 or 0xFF).
    public init(contentOctets: [UInt8]) throws(TimestampError) {
        guard let first = contentOctets.first else {
            throw TimestampError(.malformedDER, "INTEGER with no content octets")
        }
        if contentOctets.count > 1 {
            let second = contentOctets[1]
            if (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0) {
                throw TimestampError(.malformedDER, "INTEGER not in its minimal encoding")
            }
        }
        self.contentOctets = contentOctets
    }

    /// A random positive integer of `byteCount` octets of magnitude (top bit cleared, never zero): 16 octets give
    /// 127 random bits, so independently drawn serial numbers do not collide in practice.
    public static func random(byteCount: Int = 16) -> TimeStampInteger {
        var generator = SystemRandomNumberGenerator()
        let count = min(max(byteCount, 1), 20)
        while true {
            var bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            bytes[0] &= 0x7F
            let value = TimeStampInteger(magnitude: bytes)
            if value.isPositive { return value }
        }
    }

    /// True when the value is greater than zero.
    public var isPositive: Bool { !isNegative && contentOctets.contains { $0 != 0 } }

    /// True when the value is less than zero.
    public var isNegative: Bool { (contentOctets.first ?? 0) & 0x80 != 0 }

    /// The unsigned big-endian magnitude (absolute value), without leading zero octets; `[]` for zero.
    public var magnitude: [UInt8] {
        var bytes = contentOctets
        if isNegative {
            // Two's complement negation: invert, add one.
            bytes = bytes.map { ~$0 }
            var carry = true
            for i in bytes.indices.reversed() where carry {
                let (sum, overflow) = bytes[i].addingReportingOverflow(1)
                bytes[i] = sum
                carry = overflow
            }
        }
        return Array(bytes.drop { $0 == 0 })
    }

    /// The value when it is non-negative and fits in 64 bits.
    public var uint64Value: UInt64? {
        guard !isNegative else { return nil }
        let bytes = magnitude
        guard bytes.count <= 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// The value in hexadecimal as OpenSSL prints RFC 3161 integers: `0x` and upper-case digits (`-0x` when
    /// negative), each octet as two digits, `0x0` for zero.
    public var description: String {
        let bytes = magnitude
        guard !bytes.isEmpty else { return "0x0" }
        let hex = bytes.map { byte -> String in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        return (isNegative ? "-0x" : "0x") + hex
    }
}
