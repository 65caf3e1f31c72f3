import FuzzSupport
import SignetJUMBF

/// JUMBFParser on arbitrary bytes: one box and a box sequence, with the default limits and with the C2PA store
/// limits (no LBox 0), at a non-zero base offset; then the walk helpers over whatever parsed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    var store = JUMBFParser.Limits()
    store.allowsLengthToEnd = false
    for parser in [JUMBFParser(), JUMBFParser(limits: store)] {
        if let box = try? parser.parseBox(bytes, baseOffset: 17) {
            walk(box, bytes: bytes, depth: 0)
        }
        if let boxes = try? parser.parseBoxes(bytes) {
            for box in boxes { walk(box, bytes: bytes, depth: 0) }
        }
    }
    return 0
}

private func walk(_ box: JUMBFBox, bytes: [UInt8], depth: Int) {
    precondition(box.payloadRange.lowerBound >= box.range.lowerBound && box.payloadRange.upperBound <= box.range.upperBound)
    _ = box.label
    _ = box.jumbfType
    _ = box.data
    _ = box.descendant(path: "c2pa.assertions/c2pa.hash.data")
    if let label = box.label { _ = box.child(labeled: label) }
    for child in box.children where depth < 64 { walk(child, bytes: bytes, depth: depth + 1) }
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_jumbf_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
