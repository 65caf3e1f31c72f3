import FuzzSupport
import SignetMedia

/// JPEG segments and PNG chunks: AssetContainer.scan (format detected, and forced to each format) over the input
/// written to a scratch file, with and without following the entropy-coded data.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let path = Fuzz.writeScratch(bytes)
    guard let reader = try? FileReader(path: path) else { return 0 }
    for format in [nil, AssetFormat.jpeg, .png] as [AssetFormat?] {
        for includeImageData in [true, false] {
            guard let scan = try? AssetContainer.scan(reader, format: format, maxStoreSize: 1 << 20, includeImageData: includeImageData)
            else { continue }
            precondition(scan.fileSize == Int64(bytes.count))
            for range in scan.storeRanges {
                precondition(range.lowerBound >= 0 && range.upperBound <= scan.fileSize, "store range \(range) outside the file")
            }
            // Documented: consecutive entries are contiguous and lie in the file.
            var end: Int64? = nil
            for segment in scan.segments {
                precondition(segment.range.lowerBound >= 0 && segment.range.upperBound <= scan.fileSize, "segment \(segment) outside the file")
                if let end { precondition(segment.range.lowerBound == end, "segment \(segment) does not follow \(end)") }
                end = segment.range.upperBound
            }
            if scan.segmentsComplete, let end { precondition(end == scan.fileSize, "segments end at \(end) of \(scan.fileSize)") }
            precondition(scan.insertionOffset >= 0 && scan.insertionOffset <= scan.fileSize)
            if let store = scan.manifestStore {
                _ = try? AssetContainer.encodeStore(store, format: scan.format)
            }
        }
    }
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_media_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
