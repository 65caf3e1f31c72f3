/// Encodes ``CBOR`` values (RFC 8949).
///
/// Every head uses the shortest form, every string and container a definite length.
/// Floats use the shortest of half, single and double precision that represents the value
/// exactly; every NaN is written as the half-precision quiet NaN `f9 7e 00`.
/// With ``sortMapKeys`` the output follows the core deterministic encoding requirements of
/// RFC 8949 section 4.2.1 (map keys in bytewise lexicographic order of their encodings).
///
/// ``CBOR/simple(_:)`` values 24...31 are not well-formed CBOR; the encoder writes them in the
/// two-byte form anyway, and ``CBORDecoder`` rejects the result. Do not construct them.
public struct CBOREncoder: Sendable {
    /// Sort the entries of every map by the bytewise lexicographic order of their encoded keys.
    public var sortMapKeys: Bool = false

    /// Creates an encoder.
    public init(sortMapKeys: Bool = false) {
        self.sortMapKeys = sortMapKeys
    }

    /// Returns the encoding of `value`.
    public func encode(_ value: CBOR) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    private func append(_ value: CBOR, to out: inout [UInt8]) {
        switch value {
        case .unsignedInt(let v):
            CBOREncoder.appendHead(major: 0, argument: v, to: &out)
        case .negativeInt(let n):
            CBOREncoder.appendHead(major: 1, argument: n, to: &out)
        case .byteString(let b):
            CBOREncoder.appendHead(major: 2, argument: UInt64(b.count), to: &out)
            out.append(contentsOf: b)
        case .textString(let s):
            let utf8 = Array(s.utf8)
            CBOREncoder.appendHead(major: 3, argument: UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        case .array(let items):
            CBOREncoder.appendHead(major: 4, argument: UInt64(items.count), to: &out)
            for item in items { append(item, to: &out) }
        case .map(let entries):
            CBOREncoder.appendHead(major: 5, argument: UInt64(entries.count), to: &out)
            if sortMapKeys {
                let encoded = entries.map { (key: encode($0.key), value: encode($0.value)) }
                let sorted = encoded.enumerated().sorted { a, b in
                    // Stable: equal keys keep their relative order.
                    if a.element.key == b.element.key { return a.offset < b.offset }
                    return a.element.key.lexicographicallyPrecedes(b.element.key)
                }
                for entry in sorted {
                    out.append(contentsOf: entry.element.key)
                    out.append(contentsOf: entry.element.value)
                }
            } else {
                for entry in entries {
                    append(entry.key, to: &out)
                    append(entry.value, to: &out)
                }
            }
        case .tagged(let tag, let item):
            CBOREncoder.appendHead(major: 6, argument: tag, to: &out)
            append(item, to: &out)
        case .simple(let v):
            if v < 24 {
                out.append(0xe0 | v)
            } else {
                out.append(0xf8)
                out.append(v)
            }
        case .bool(let b):
            out.append(b ? 0xf5 : 0xf4)
        case .null:
            out.append(0xf6)
        case .undefined:
            out.append(0xf7)
        case .float(let d):
            CBOREncoder.appendFloat(d, to: &out)
        }
    }

    /// Appends an initial byte and argument in the shortest form.
    static func appendHead(major: UInt8, argument: UInt64, to out: inout [UInt8]) {
        let mt = major << 5
        switch argument {
        case 0..<24:
            out.append(mt | UInt8(argument))
        case 24...0xff:
            out.append(mt | 24)
            out.append(UInt8(argument))
        case 0x100...0xffff:
            out.append(mt | 25)
            appendBigEndian(argument, byteCount: 2, to: &out)
        case 0x1_0000...0xffff_ffff:
            out.append(mt | 26)
            appendBigEndian(argument, byteCount: 4, to: &out)
        default:
            out.append(mt | 27)
            appendBigEndian(argument, byteCount: 8, to: &out)
        }
    }

    private static func appendBigEndian(_ v: UInt64, byteCount: Int, to out: inout [UInt8]) {
        for i in stride(from: byteCount - 1, through: 0, by: -1) {
            out.append(UInt8(truncatingIfNeeded: v >> (UInt64(i) * 8)))
        }
    }

    private static func appendFloat(_ d: Double, to out: inout [UInt8]) {
        if d.isNaN {
            out.append(contentsOf: [0xf9, 0x7e, 0x00])
            return
        }
        if let half = HalfFloat.bits(exactly: d) {
            out.append(0xf9)
            appendBigEndian(UInt64(half), byteCount: 2, to: &out)
            return
        }
        let single = Float(d)
        if Double(single) == d {
            out.append(0xfa)
            appendBigEndian(UInt64(single.bitPattern), byteCount: 4, to: &out)
            return
        }
        out.append(0xfb)
        appendBigEndian(d.bitPattern, byteCount: 8, to: &out)
    }
}

/// IEEE 754 binary16 conversions, written out so they work where `Float16` is unavailable.
enum HalfFloat {
    /// The binary16 bit pattern of `d` if `d` (not NaN) is exactly representable, else `nil`.
    static func bits(exactly d: Double) -> UInt16? {
        let sign: UInt16 = d.sign == .minus ? 0x8000 : 0
        let magnitude = d.magnitude
        if magnitude.isInfinite { return sign | 0x7c00 }
        if magnitude == 0 { return sign }
        if magnitude > 65504 { return nil }
        let minNormal = 0x1p-14
        if magnitude < minNormal {
            // Subnormal: magnitude = m * 2^-24 with m in 1...1023.
            let m = magnitude * 0x1p24
            guard m == m.rounded(.towardZero), m >= 1, m < 1024 else { return nil }
            return sign | UInt16(m)
        }
        let e = Int(magnitude.exponent)  // -14 ... 15 here
        // magnitude = (1 + f / 1024) * 2^e  =>  f = magnitude * 2^(10 - e) - 1024
        let scaled = magnitude * Double(sign: .plus, exponent: 10 - e, significand: 1)
        guard scaled == scaled.rounded(.towardZero) else { return nil }
        let f = scaled - 1024
        guard f >= 0, f < 1024 else { return nil }
        return sign | UInt16(e + 15) << 10 | UInt16(f)
    }

    /// The `Double` value of a binary16 bit pattern.
    static func value(_ bits: UInt16) -> Double {
        let negative = bits & 0x8000 != 0
        let exponent = Int((bits >> 10) & 0x1f)
        let fraction = Double(bits & 0x3ff)
        let magnitude: Double
        switch exponent {
        case 0:
            magnitude = fraction * 0x1p-24
        case 31:
            magnitude = fraction == 0 ? .infinity : .nan
        default:
            magnitude = (1024 + fraction) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
        }
        return negative ? -magnitude : magnitude
    }
}
