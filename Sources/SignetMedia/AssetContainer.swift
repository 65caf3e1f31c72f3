/// Finding, encoding and replacing the C2PA manifest store embedded in an asset.
///
/// Layout choices follow the C2PA reference implementation (c2pa-rs) so output looks the way users expect:
/// - JPEG: APP11 packets with CI `JP`, En `0x0211`, Z = 1, 2, …, at most 64 000 store bytes per packet, the
///   superbox header (LBox, TBox) repeated at the start of every packet after the first; inserted where the old
///   store was, else after the last APP0 before the first SOS, else right after SOI.
/// - PNG: a single `caBX` chunk right after `IHDR`.
/// - GIF: a `C2PA_GIF` application extension after the global colour table (``GIFContainer``).
/// - TIFF, DNG: an IFD entry with tag `0xCD41`, appended after the input (``TIFFContainer``).
/// - JPEG XL: the store as a top-level `jumb` box after `ftyp`; a bare codestream is wrapped first (``JXLContainer``).
/// - SVG: base64 text of a `c2pa:manifest` element in the root's `metadata` (``SVGContainer``).
public enum AssetContainer {
    /// Scans the structure of the file behind `reader`.
    ///
    /// JPEG: marker segments are read one header at a time; APP11 segments are read in full to reassemble the
    /// store; entropy-coded data is scanned for the next marker with bounded window reads (or not at all after
    /// the first SOS when `includeImageData` is false). PNG: chunk headers are read and chunk data skipped,
    /// except `caBX`.
    ///
    /// - Parameters:
    ///   - format: the expected format, or `nil` to detect it from the magic bytes.
    ///   - maxStoreSize: the largest manifest store accepted.
    ///   - includeImageData: JPEG and GIF; when false, scanning stops after the first `SOS` header (no EOI check,
    ///     and a C2PA store placed after the image data would go unnoticed), or at a GIF's first image.
    /// - Throws: ``MediaError/Code/unsupportedFormat`` for unknown or mismatching magic bytes,
    ///   ``MediaError/Code/truncated`` or ``MediaError/Code/corrupt`` for malformed structure,
    ///   ``MediaError/Code/multipleStores`` when more than one C2PA store is embedded (c2pa-rs rejects such files
    ///   too), ``MediaError/Code/storeTooLarge`` over `maxStoreSize`.
    public static func scan(
        _ reader: FileReader, format: AssetFormat? = nil, maxStoreSize: Int = 256 << 20, includeImageData: Bool = true
    ) throws(MediaError) -> AssetScan {
        let prefix = try reader.readUpTo(at: 0, count: AssetFormat.detectionPrefixLength)
        let detected = AssetFormat.detect(prefix: prefix)
        let chosen: AssetFormat
        if let format {
            if let detected, detected.container != format.container {
                throw MediaError(.unsupportedFormat, "expected \(format.rawValue) but the file looks like \(detected.rawValue)")
            }
            chosen = format
        } else {
            guard let detected else {
                if prefix.count < 8 {
                    throw MediaError(.unsupportedFormat, "file too short (\(prefix.count) bytes) to identify its format")
                }
                throw MediaError(.unsupportedFormat, "unrecognised file format")
            }
            chosen = detected
        }
        let scan: AssetScan
        switch chosen.container {
        case .jpeg: scan = try JPEGContainer.scan(reader, maxStoreSize: maxStoreSize, includeImageData: includeImageData)
        case .png: scan = try PNGContainer.scan(reader, maxStoreSize: maxStoreSize)
        case .riff: scan = try RIFFContainer.scan(reader, maxStoreSize: maxStoreSize)
        case .id3: scan = try ID3Container.scan(reader, maxStoreSize: maxStoreSize)
        case .bmff: scan = try BMFFContainer.scan(reader, maxStoreSize: maxStoreSize)
        case .gif: scan = try GIFContainer.scan(reader, maxStoreSize: maxStoreSize, includeImageData: includeImageData)
        case .tiff: scan = try TIFFContainer.scan(reader, maxStoreSize: maxStoreSize)
        case .jxl: scan = try JXLContainer.scan(reader, maxStoreSize: maxStoreSize)
        case .svg: scan = try SVGContainer.scan(reader, maxStoreSize: maxStoreSize)
        case .pdf: scan = try PDFContainer.scan(reader, maxStoreSize: maxStoreSize)
        }
        // Detection from 16 bytes cannot see past an ID3 tag (FLAC), into BMFF compatible brands or into a TIFF's IFD
        // (DNG).
        if let format, scan.format != format, scan.format.container != format.container || ![.bmff, .tiff].contains(format.container) {
            throw MediaError(.unsupportedFormat, "expected \(format.rawValue) but the file looks like \(scan.format.rawValue)")
        }
        return scan
    }

    /// The bytes that carry `store` in `format`: APP11 packets (split as needed) or one `caBX` chunk with CRC.
    ///
    /// - Throws: ``MediaError/Code/invalidArgument`` unless `store` is a whole JUMBF superbox (`jumb`, with an
    ///   LBox equal to its size), ``MediaError/Code/storeTooLarge`` if the format cannot carry it.
    public static func encodeStore(_ store: [UInt8], format: AssetFormat) throws(MediaError) -> [UInt8] {
        try checkStore(store)
        switch format.container {
        case .jpeg:
            guard let header = StoreHeader.parse(store[...]) else { throw MediaError(.invalidArgument, "not a JUMBF superbox") }
            return JPEGContainer.encode(store, header: header)
        case .png:
            guard store.count <= 0x7FFF_FFFF else {
                throw MediaError(.storeTooLarge, "a PNG chunk cannot hold \(store.count) bytes")
            }
            return PNGContainer.encode(store)
        case .riff: return try RIFFContainer.encode(store)
        case .id3: return try ID3Container.encode(store, layout: .init(tag: nil, audioStart: 0))
        case .bmff: return try BMFFContainer.encode(store)
        case .gif: return GIFContainer.encode(store)
        case .tiff, .jxl: return store
        case .svg: return SVGContainer.encode(store)
        case .pdf: throw MediaError(.unsupportedFormat, "PDF files are read and verified only: Signet does not write a manifest store into one")
        }
    }

    /// The size of ``encodeStore(_:format:)``'s result for a store of `storeSize` bytes.
    public static func encodedStoreSize(storeSize: Int, format: AssetFormat) -> Int {
        switch format.container {
        case .jpeg: return JPEGContainer.encodedSize(storeSize: storeSize)
        case .png: return max(storeSize, 0) > Int.max - 12 ? Int.max : max(storeSize, 0) + 12
        case .riff: return RIFFContainer.encodedSize(storeSize: storeSize)
        case .id3: return max(storeSize, 0) > Int.max - 64 ? Int.max : 10 + ID3Container.frameOverhead + max(storeSize, 0)
        case .bmff: return BMFFContainer.encodedSize(storeSize: storeSize)
        case .gif: return GIFContainer.encodedSize(storeSize: storeSize)
        case .tiff, .jxl: return max(storeSize, 0)
        case .svg: return SVGContainer.encodedSize(storeSize: storeSize)
        case .pdf: return max(storeSize, 0)
        }
    }

    /// Bytes removed by `scan.storeRanges` before `offset`.
    private static func removedBefore(_ offset: Int64, scan: AssetScan) -> Int64 {
        mergeAdjacent(scan.storeRanges).reduce(0) { total, r in
            let upper = min(r.upperBound, offset)
            return upper > r.lowerBound ? total + (upper - r.lowerBound) : total
        }
    }

    /// Where the inserted store lands in the output of ``write(from:scan:insertingEncodedStore:to:hashing:)``
    /// (relative to the output's start, assuming the output was empty), computable before writing.
    public static func insertionRangeInOutput(scan: AssetScan, encodedStoreSize: Int) -> Range<Int64> {
        let start = scan.insertionOffset - removedBefore(scan.insertionOffset, scan: scan)
        return start..<(start + Int64(encodedStoreSize))
    }

    /// Writes the file behind `reader` without `scan.storeRanges`, with `encodedStore` inserted at
    /// `scan.insertionOffset`, appending to `output`.
    ///
    /// `hashing` receives, in order, every byte written except the inserted store bytes: exactly the bytes a
    /// `c2pa.hash.data` assertion with one exclusion (the returned range) covers. Nothing is loaded whole; the
    /// file is streamed in 1 MiB chunks.
    ///
    /// Passing an empty `encodedStore` removes the store without inserting anything.
    ///
    /// - Returns: the absolute range the inserted bytes occupy in `output`.
    /// - Throws: ``MediaError/Code/invalidArgument`` if the file's size differs from `scan.fileSize` or the
    ///   insertion offset is outside the file; I/O errors; whatever `hashing` throws.
    public static func write(
        from reader: FileReader, scan: AssetScan, insertingEncodedStore encodedStore: [UInt8], to output: OutputFile,
        hashing: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Range<Int64> {
        guard reader.size == scan.fileSize else {
            throw MediaError(.invalidArgument, "the file is \(reader.size) bytes but was \(scan.fileSize) when scanned")
        }
        guard case .simple = scan.layout else {
            throw MediaError(.invalidArgument, "\(scan.format.rawValue) files are written through an embedding plan")
        }
        let insertion = scan.insertionOffset
        guard insertion >= 0, insertion <= reader.size else {
            throw MediaError(.invalidArgument, "insertion offset \(insertion) is outside the file")
        }
        let kept = reader.keptRanges(excluding: scan.storeRanges)
        let before = kept.compactMap { r -> Range<Int64>? in
            r.lowerBound < insertion ? r.lowerBound..<min(r.upperBound, insertion) : nil
        }
        let after = kept.compactMap { r -> Range<Int64>? in
            r.upperBound > insertion ? max(r.lowerBound, insertion)..<r.upperBound : nil
        }
        let copy: (UnsafeRawBufferPointer) throws -> Void = { chunk in
            try output.write(chunk)
            try hashing(chunk)
        }
        try reader.stream(ranges: before, chunkSize: 1 << 20, copy)
        let start = output.bytesWritten
        try output.write(encodedStore)
        let end = output.bytesWritten
        try reader.stream(ranges: after, chunkSize: 1 << 20, copy)
        return start..<end
    }
}

/// Reading detached manifest stores (`.c2pa` sidecar files).
public enum Sidecar {
    /// Reads a sidecar file: the raw JUMBF manifest store.
    ///
    /// - Throws: ``MediaError/Code/storeTooLarge`` over `maxSize`; ``MediaError/Code/corrupt`` if it does not
    ///   start with a `jumb` box header whose length matches the file; file-opening errors from ``FileReader``.
    public static func read(path: String, maxSize: Int = 256 << 20) throws(MediaError) -> [UInt8] {
        let reader = try FileReader(path: path)
        guard reader.size <= Int64(maxSize) else {
            throw MediaError(.storeTooLarge, "\(path) is \(reader.size) bytes, over the \(maxSize)-byte limit")
        }
        let bytes = try reader.read(at: 0, count: Int(reader.size))
        guard let header = StoreHeader.parse(bytes[...]) else {
            throw MediaError(.corrupt, "\(path) does not start with a JUMBF superbox")
        }
        if let declared = header.declaredLength, declared != UInt64(bytes.count) {
            throw MediaError(.corrupt, "\(path): the JUMBF box declares \(declared) bytes but the file has \(bytes.count)")
        }
        return bytes
    }

    /// The sidecar path for an asset: the asset's extension replaced by `.c2pa` (`photo.jpg` → `photo.c2pa`),
    /// or `.c2pa` appended when the file name has no extension (`dir.d/photo` → `dir.d/photo.c2pa`).
    public static func path(forAsset asset: String) -> String {
        let nameStart = asset.lastIndex(of: "/").map { asset.index(after: $0) } ?? asset.startIndex
        let name = asset[nameStart...]
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return String(asset[..<dot]) + ".c2pa"
        }
        return asset + ".c2pa"
    }
}
