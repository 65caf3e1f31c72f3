/// A CBOR data item (RFC 8949).
///
/// The data model kept here is the one of the encoded form, so that a value decoded and
/// encoded again keeps its meaning:
///
/// ```
/// item       = unsignedInt   ; major type 0, value n
///            / negativeInt   ; major type 1, value -1 - n
///            / byteString    ; major type 2 (indefinite-length chunks are joined)
///            / textString    ; major type 3 (indefinite-length chunks are joined)
///            / array         ; major type 4
///            / map           ; major type 5 (entry order and duplicate keys are kept)
///            / tagged        ; major type 6
///            / simple / bool / null / undefined / float   ; major type 7
/// ```
///
/// Integers are split in two cases because CBOR integers span -2^64 ... 2^64-1, which no
/// Swift integer type covers. Use ``CBOR/int(_:)`` and ``CBOR/int64Value`` for the common case.
public indirect enum CBOR: Hashable, Sendable {
    /// Major type 0: a non-negative integer.
    case unsignedInt(UInt64)
    /// Major type 1: the integer `-1 - n`.
    case negativeInt(UInt64)
    /// Major type 2: a byte string.
    case byteString([UInt8])
    /// Major type 3: a UTF-8 text string.
    case textString(String)
    /// Major type 4: an array of data items.
    case array([CBOR])
    /// Major type 5: a map, with its entries in the order decoded or given.
    case map([CBOR.MapEntry])
    /// Major type 6: a tag number and the tagged item.
    case tagged(UInt64, CBOR)
    /// Major type 7: a simple value other than false, true, null and undefined
    /// (0...19 and 32...255; 24...31 are not well-formed and are rejected by the decoder).
    case simple(UInt8)
    /// Simple values 20 (false) and 21 (true).
    case bool(Bool)
    /// Simple value 22.
    case null
    /// Simple value 23.
    case undefined
    /// A half, single or double precision float (the encoder picks the shortest exact form).
    case float(Double)

    /// One key/value pair of a CBOR map.
    public struct MapEntry: Hashable, Sendable {
        /// The entry's key.
        public var key: CBOR
        /// The entry's value.
        public var value: CBOR

        /// Creates a map entry.
        public init(_ key: CBOR, _ value: CBOR) {
            self.key = key
            self.value = value
        }
    }
}

extension CBOR: ExpressibleByStringLiteral {
    /// Creates a text string.
    public init(stringLiteral value: String) {
        self = .textString(value)
    }
}

extension CBOR: ExpressibleByIntegerLiteral {
    /// Creates an integer, unsigned or negative as the sign requires.
    public init(integerLiteral value: Int64) {
        self = .int(value)
    }
}

extension CBOR: ExpressibleByArrayLiteral {
    /// Creates an array.
    public init(arrayLiteral elements: CBOR...) {
        self = .array(elements)
    }
}

extension CBOR: ExpressibleByDictionaryLiteral {
    /// Creates a map whose entries keep the literal's order.
    public init(dictionaryLiteral elements: (CBOR, CBOR)...) {
        self = .map(elements.map { MapEntry($0.0, $0.1) })
    }
}

extension CBOR: ExpressibleByBooleanLiteral {
    /// Creates `true` or `false`.
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension CBOR: ExpressibleByFloatLiteral {
    /// Creates a float.
    public init(floatLiteral value: Double) {
        self = .float(value)
    }
}

extension CBOR {
    /// An integer item: ``unsignedInt(_:)`` for `v >= 0`, else ``negativeInt(_:)``.
    public static func int(_ v: Int64) -> CBOR {
        if v >= 0 {
            return .unsignedInt(UInt64(v))
        }
        // -1 - n = v  =>  n = -1 - v, which is >= 0 and never overflows for v < 0.
        return .negativeInt(UInt64(-1 - v))
    }

    /// The integer value if this is an integer that fits in `Int64`, else `nil`.
    public var int64Value: Int64? {
        switch self {
        case .unsignedInt(let v):
            return Int64(exactly: v)
        case .negativeInt(let n):
            guard let n = Int64(exactly: n) else { return nil }
            return -1 - n
        default:
            return nil
        }
    }

    /// The value of an ``unsignedInt(_:)``, else `nil`.
    public var uint64Value: UInt64? {
        if case .unsignedInt(let v) = self { return v }
        return nil
    }

    /// The value of a ``textString(_:)``, else `nil`.
    public var stringValue: String? {
        if case .textString(let s) = self { return s }
        return nil
    }

    /// The value of a ``byteString(_:)``, else `nil`.
    public var bytesValue: [UInt8]? {
        if case .byteString(let b) = self { return b }
        return nil
    }

    /// The elements of an ``array(_:)``, else `nil`.
    public var arrayValue: [CBOR]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The entries of a ``map(_:)``, else `nil`.
    public var mapEntries: [CBOR.MapEntry]? {
        if case .map(let m) = self { return m }
        return nil
    }

    /// The value of a ``bool(_:)``, else `nil`.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value of a ``float(_:)`` or an integer (rounded to the nearest `Double`), else `nil`.
    public var doubleValue: Double? {
        switch self {
        case .float(let d): return d
        case .unsignedInt(let v): return Double(v)
        case .negativeInt(let n): return -1 - Double(n)
        default: return nil
        }
    }

    /// The value of the first map entry whose key is the text string `key`;
    /// `nil` if absent or if this is not a map.
    public subscript(key: String) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == .textString(key) }?.value
    }

    /// The value of the first map entry whose key is the integer `key`;
    /// `nil` if absent or if this is not a map.
    public subscript(intKey key: Int64) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        let k = CBOR.int(key)
        return entries.first { $0.key == k }?.value
    }
}

extension CBOR: CustomStringConvertible {
    /// The item in CBOR diagnostic notation (RFC 8949 section 8), for debugging.
    public var description: String {
        switch self {
        case .unsignedInt(let v): return String(v)
        case .negativeInt(let n):
            if n == UInt64.max { return "-18446744073709551616" }
            return "-" + String(n + 1)
        case .byteString(let b):
            return "h'" + b.map { byte in
                let s = String(byte, radix: 16)
                return s.count == 1 ? "0" + s : s
            }.joined() + "'"
        case .textString(let s): return CBOR.quoted(s)
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .map(let m):
            return "{" + m.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        case .tagged(let t, let v): return "\(t)(\(v.description))"
        case .simple(let v): return "simple(\(v))"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .undefined: return "undefined"
        case .float(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
            return String(d)
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
