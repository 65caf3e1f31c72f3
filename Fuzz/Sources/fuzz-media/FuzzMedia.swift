import FuzzSupport
import SignetMedia

/// Every container (JPEG segments, PNG chunks, RIFF chunks, ID3v2 tags, ISO BMFF boxes): AssetContainer.scan (format
/// detected, and forced to one format of each container) over the input written to a scratch file, with and without
/// following the entropy-coded data; then the embedding plans that remove the store and insert one, checked for
/// pieces inside the file and an output of the size they add up to.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let path = Fuzz.writeScratch(bytes)
    guard let reader = try? FileReader(path: path) else { return 0 }
    for format in [nil, AssetFormat.jpeg, .png, .wav, .mp3, .mp4] as [AssetFormat?] {
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
            for storeSize in [nil, 0, 100, 70_001] as [Int?] {
                guard let plan = try? AssetContainer.plan(reader, scan: scan, storeSize: storeSize) else { continue }
                var total: Int64 = 0
                for piece in plan.pieces {
                    switch piece {
                    case .copy(let r):
                        precondition(r.lowerBound >= 0 && r.upperBound <= scan.fileSize, "plan copies \(r), outside the file")
                        total += Int64(r.count)
                    case .bytes(let b): total += Int64(b.count)
                    case .store: total += Int64(plan.encodedStoreSize)
                    }
                }
                precondition(total == plan.outputSize, "plan pieces add up to \(total), not \(plan.outputSize)")
                precondition(plan.storeRange.lowerBound <= plan.excludedRange.lowerBound && plan.excludedRange.upperBound <= plan.storeRange.upperBound)
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
