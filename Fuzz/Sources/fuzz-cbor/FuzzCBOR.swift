import FuzzSupport
import SignetCBOR

/// CBORDecoder on arbitrary bytes: whole-input and prefix decoding, a slice that does not start at index 0, and a
/// re-encode and decode of whatever decoded.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let decoder = CBORDecoder()
    if let value = try? decoder.decode(bytes) {
        _ = try? decoder.decode(CBOREncoder().encode(value))
        _ = CBOREncoder(sortMapKeys: true).encode(value)
    }
    if let (_, consumed) = try? decoder.decodePrefix(bytes) {
        precondition(consumed > 0 && consumed <= bytes.count, "decodePrefix consumed \(consumed) of \(bytes.count)")
    }
    if bytes.count > 1 {
        _ = try? decoder.decode(bytes[1...])
        _ = try? decoder.decodePrefix(bytes[1...])
    }
    var tight = CBORDecoder.Limits()
    tight.maxDepth = 4
    tight.maxContainerCount = 16
    tight.maxStringLength = 64
    tight.maxTotalItems = 64
    _ = try? CBORDecoder(limits: tight).decode(bytes)
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_cbor_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
