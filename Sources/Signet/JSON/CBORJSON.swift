import Foundation
import SignetCBOR

/// CBOR to JSON for display: byte strings become base64 text, tags are dropped (their content is shown), map keys
/// that are not text become their JSON text.
public enum CBORJSON {
    public static func json(from cbor: CBOR, depth: Int = 0) -> JSONValue {
        guard depth < 64 else { return .null }
        switch cbor {
        case .unsignedInt(let u): return u <= UInt64(Int64.max) ? .int(Int64(u)) : .double(Double(u))
        case .negativeInt(let n): return n < UInt64(Int64.max) ? .int(-1 - Int64(n)) : .double(-1 - Double(n))
        case .byteString(let b): return .string(Data(b).base64EncodedString())
        case .textString(let s): return .string(s)
        case .array(let items): return .array(items.map { json(from: $0, depth: depth + 1) })
        case .map(let entries):
            return .object(
                entries.map { e in
                    let key = e.key.stringValue ?? json(from: e.key, depth: depth + 1).serialized()
                    return (key, json(from: e.value, depth: depth + 1))
                })
        case .tagged(_, let inner): return json(from: inner, depth: depth + 1)
        case .simple(let v): return .int(Int64(v))
        case .bool(let b): return .bool(b)
        case .null, .undefined: return .null
        case .float(let d): return .double(d)
        }
    }

    /// JSON to CBOR for assertion data given in manifest definitions.
    public static func cbor(from json: JSONValue) -> CBOR {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .float(d)
        case .string(let s): return .textString(s)
        case .array(let items): return .array(items.map(cbor(from:)))
        case .object(let members): return .map(members.map { CBOR.MapEntry(.textString($0.0), cbor(from: $0.1)) })
        }
    }
}
