import SignetCBOR

func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var chars = Array(s.filter { !$0.isWhitespace })
    if chars.count % 2 == 1 { chars.insert("0", at: 0) }
    var i = 0
    while i < chars.count {
        out.append(UInt8(String(chars[i...i + 1]), radix: 16)!)
        i += 2
    }
    return out
}

func hexString(_ b: [UInt8]) -> String {
    b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
}

/// Decodes and returns the error code, or nil if decoding succeeded.
func decodeErrorCode(_ bytes: [UInt8], limits: CBORDecoder.Limits = .default) -> CBORError.Code? {
    do {
        _ = try CBORDecoder(limits: limits).decode(bytes)
        return nil
    } catch {
        return error.code
    }
}
