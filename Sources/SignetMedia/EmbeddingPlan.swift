/// How an output asset is made from an input asset and a new manifest store: the output's bytes, in order, as
/// pieces copied from the input, literal bytes (patched headers and tables) and the encoded store.
///
/// A plan depends only on the input's structure and the encoded store's size, so the store's final position is
/// known before the store exists (a data hash must name it), and a placeholder and the real store of the same
/// size give the same output around them.
public struct EmbeddingPlan: Sendable, Equatable {
    public enum Piece: Sendable, Equatable {
        /// Input bytes copied unchanged.
        case copy(Range<Int64>)
        /// Bytes written as given: a length field or an offset table rewritten for the new layout.
        case bytes([UInt8])
        /// The encoded store (``AssetContainer/encodeStore(_:for:)``), ``encodedStoreSize`` bytes.
        case store
    }

    /// The output, in order. At most one ``Piece/store``.
    public let pieces: [Piece]
    /// Size of the encoded store (0 when the plan removes the store).
    public let encodedStoreSize: Int
    /// Where the encoded store lands in the output.
    public let storeRange: Range<Int64>
    /// The part of ``storeRange`` a `c2pa.hash.data` exclusion names (the whole store but the RIFF pad byte or
    /// the ID3 frame header, as c2pa-rs excludes them). Empty when the plan removes the store.
    public let excludedRange: Range<Int64>
    /// The output's total size.
    public let outputSize: Int64

    /// Whether the output rewrites any input bytes (a size field, an offset table) rather than only removing the
    /// old store and inserting the new one.
    public var rewritesInput: Bool {
        pieces.contains { if case .bytes = $0 { return true } else { return false } }
    }

    /// Builds a plan from its pieces; `excludedInStore` is relative to the start of the encoded store.
    init(pieces: [Piece], encodedStoreSize: Int, excludedInStore: Range<Int>) {
        var merged: [Piece] = []
        for piece in pieces {
            switch (merged.last, piece) {
            case (.copy(let a)?, .copy(let b)) where a.upperBound == b.lowerBound:
                merged[merged.count - 1] = .copy(a.lowerBound..<b.upperBound)
            case (_, .copy(let r)) where r.isEmpty: continue
            case (_, .bytes(let b)) where b.isEmpty: continue
            default: merged.append(piece)
            }
        }
        self.pieces = merged
        self.encodedStoreSize = encodedStoreSize
        var offset: Int64 = 0
        var store: Range<Int64> = 0..<0
        for piece in merged {
            switch piece {
            case .copy(let r): offset += Int64(r.count)
            case .bytes(let b): offset += Int64(b.count)
            case .store:
                store = offset..<(offset + Int64(encodedStoreSize))
                offset += Int64(encodedStoreSize)
            }
        }
        storeRange = store
        excludedRange = encodedStoreSize == 0
            ? store.lowerBound..<store.lowerBound
            : (store.lowerBound + Int64(excludedInStore.lowerBound))..<(store.lowerBound + Int64(excludedInStore.upperBound))
        outputSize = offset
    }

    /// The plan that removes `removed` from the input and puts the store at `insertion` (an input offset outside
    /// every removed range), with `patches` (input offset → same-length replacement) applied to the kept bytes.
    static func splice(
        fileSize: Int64, removing removed: [Range<Int64>], insertingAt insertion: Int64, patches: [(Int64, [UInt8])] = [],
        encodedStoreSize: Int, excludedInStore: Range<Int>
    ) -> EmbeddingPlan {
        var cuts = mergeAdjacent(removed.filter { !$0.isEmpty })
        var pieces: [Piece] = []
        var cursor: Int64 = 0
        var events: [(offset: Int64, piece: Piece?, skip: Int64)] = []
        for r in cuts { events.append((r.lowerBound, nil, Int64(r.count))) }
        for (offset, bytes) in patches { events.append((offset, .bytes(bytes), Int64(bytes.count))) }
        if encodedStoreSize > 0 { events.append((insertion, .store, 0)) }
        // A store inserted where a removed range starts goes where that range was.
        events.sort { a, b in
            if a.offset != b.offset { return a.offset < b.offset }
            return a.skip == 0 && b.skip != 0
        }
        for event in events {
            if event.offset > cursor { pieces.append(.copy(cursor..<event.offset)) }
            if let piece = event.piece { pieces.append(piece) }
            cursor = max(cursor, event.offset + event.skip)
        }
        if cursor < fileSize { pieces.append(.copy(cursor..<fileSize)) }
        cuts.removeAll()
        return EmbeddingPlan(pieces: pieces, encodedStoreSize: encodedStoreSize, excludedInStore: excludedInStore)
    }
}

extension AssetContainer {
    /// The plan that embeds a store of `storeSize` bytes in the asset behind `reader` (replacing any store it
    /// carries), or removes the store when `storeSize` is `nil`.
    ///
    /// - Throws: ``MediaError/Code/storeTooLarge`` if the format cannot carry the store,
    ///   ``MediaError/Code/corrupt`` or ``MediaError/Code/unsupportedFormat`` when the container cannot be
    ///   rewritten safely (for example an ID3 tag with unsynchronisation, or a BMFF offset that would overflow).
    public static func plan(_ reader: FileReader, scan: AssetScan, storeSize: Int?) throws(MediaError) -> EmbeddingPlan {
        guard reader.size == scan.fileSize else {
            throw MediaError(.invalidArgument, "the file is \(reader.size) bytes but was \(scan.fileSize) when scanned")
        }
        switch scan.layout {
        case .simple:
            let encodedSize = storeSize.map { encodedStoreSize(storeSize: $0, format: scan.format) } ?? 0
            if scan.format == .png, let storeSize, storeSize > 0x7FFF_FFFF {
                throw MediaError(.storeTooLarge, "a PNG chunk cannot hold \(storeSize) bytes")
            }
            let insertion = scan.insertionOffset
            guard insertion >= 0, insertion <= reader.size else {
                throw MediaError(.invalidArgument, "insertion offset \(insertion) is outside the file")
            }
            return .splice(
                fileSize: scan.fileSize, removing: scan.carrierRanges, insertingAt: insertion,
                encodedStoreSize: encodedSize, excludedInStore: 0..<encodedSize)
        case .riff(let layout):
            return try RIFFContainer.plan(scan: scan, layout: layout, storeSize: storeSize)
        case .id3(let layout):
            return try ID3Container.plan(scan: scan, layout: layout, storeSize: storeSize)
        case .bmff(let layout):
            return try BMFFContainer.plan(reader, scan: scan, layout: layout, storeSize: storeSize)
        case .gif(let layout):
            return GIFContainer.plan(scan: scan, layout: layout, storeSize: storeSize)
        case .tiff(let layout):
            return try TIFFContainer.plan(scan: scan, layout: layout, storeSize: storeSize)
        case .jxl(let layout):
            return JXLContainer.plan(layout: layout, storeSize: storeSize)
        case .svg(let layout):
            return SVGContainer.plan(scan: scan, layout: layout, storeSize: storeSize)
        case .readOnly:
            throw MediaError(.unsupportedFormat, "\(scan.format.rawValue) files are read and verified only: Signet does not write a manifest store into one or remove it")
        }
    }

    /// The size of ``encodeStore(_:for:)``'s result for a store of `storeSize` bytes.
    public static func encodedStoreSize(storeSize: Int, for scan: AssetScan) throws(MediaError) -> Int {
        switch scan.layout {
        case .id3(let layout): return try ID3Container.encodedSize(storeSize: storeSize, layout: layout)
        default: return encodedStoreSize(storeSize: storeSize, format: scan.format)
        }
    }

    /// The bytes that carry `store` in the asset `scan` describes.
    ///
    /// - Throws: ``MediaError/Code/invalidArgument`` unless `store` is a whole JUMBF superbox,
    ///   ``MediaError/Code/storeTooLarge`` if the format cannot carry it.
    public static func encodeStore(_ store: [UInt8], for scan: AssetScan) throws(MediaError) -> [UInt8] {
        switch scan.layout {
        case .id3(let layout):
            try checkStore(store)
            return try ID3Container.encode(store, layout: layout)
        default: return try encodeStore(store, format: scan.format)
        }
    }

    /// Writes the output `plan` describes, appending to `output`, with `encodedStore` (exactly
    /// `plan.encodedStoreSize` bytes; a placeholder is fine) in its place.
    ///
    /// `hashing` receives, in order, every byte written except `plan.excludedRange`: exactly the bytes a
    /// `c2pa.hash.data` assertion with that one exclusion covers. Input bytes are streamed in 1 MiB chunks.
    ///
    /// - Throws: ``MediaError/Code/invalidArgument`` if the store's size is not the plan's or the file's size
    ///   changed; I/O errors; whatever `hashing` throws.
    public static func write(
        from reader: FileReader, plan: EmbeddingPlan, encodedStore: [UInt8], to output: OutputFile,
        hashing: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard encodedStore.count == plan.encodedStoreSize else {
            throw MediaError(.invalidArgument, "the encoded store is \(encodedStore.count) bytes, the plan reserves \(plan.encodedStoreSize)")
        }
        let base = output.bytesWritten
        try withoutActuallyEscaping(hashing) { hashing in
            let copy: (UnsafeRawBufferPointer) throws -> Void = { chunk in
                try output.write(chunk)
                try hashing(chunk)
            }
            var pending: [Range<Int64>] = []
            func flush() throws {
                if !pending.isEmpty { try reader.stream(ranges: pending, chunkSize: 1 << 20, copy) }
                pending.removeAll()
            }
            for piece in plan.pieces {
                switch piece {
                case .copy(let r):
                    guard r.lowerBound >= 0, r.upperBound <= reader.size else {
                        throw MediaError(.invalidArgument, "the plan copies \(r), outside the \(reader.size)-byte file")
                    }
                    pending.append(r)
                case .bytes(let b):
                    try flush()
                    try b.withUnsafeBytes { try copy($0) }
                case .store:
                    try flush()
                    try output.write(encodedStore)
                    let lower = Int(plan.excludedRange.lowerBound - plan.storeRange.lowerBound)
                    let upper = Int(plan.excludedRange.upperBound - plan.storeRange.lowerBound)
                    try encodedStore.withUnsafeBytes { all in
                        try hashing(UnsafeRawBufferPointer(rebasing: all[0..<lower]))
                        try hashing(UnsafeRawBufferPointer(rebasing: all[upper...]))
                    }
                }
            }
            try flush()
        }
        guard output.bytesWritten - base == plan.outputSize else {
            throw MediaError(.invalidArgument, "wrote \(output.bytesWritten - base) bytes, the plan says \(plan.outputSize)")
        }
    }

    static func checkStore(_ store: [UInt8]) throws(MediaError) {
        guard let header = StoreHeader.parse(store[...]) else {
            throw MediaError(.invalidArgument, "the manifest store is not a JUMBF superbox")
        }
        guard header.declaredLength == UInt64(store.count) else {
            throw MediaError(.invalidArgument, "the manifest store's box length does not match its \(store.count) bytes")
        }
    }
}

/// What a container needs, beyond the common scan fields, to embed a store.
enum ContainerLayout: Sendable {
    /// JPEG, PNG: remove the carrier ranges, insert at the insertion offset; nothing else changes.
    case simple
    case riff(RIFFContainer.Layout)
    case id3(ID3Container.Layout)
    case bmff(BMFFContainer.Layout)
    case gif(GIFContainer.Layout)
    case tiff(TIFFContainer.Layout)
    case jxl(JXLContainer.Layout)
    case svg(SVGContainer.Layout)
    /// PDF: read only.
    case readOnly
}

extension AssetContainer {
    /// Writes `input` without its embedded manifest store to `output` (through a temporary file and a rename).
    /// For files Signet signed, and for JPEG, PNG, RIFF and BMFF files c2pa-rs signed, this gives back the
    /// unsigned file byte for byte (BMFF offsets moved back, RIFF and ID3 sizes restored).
    ///
    /// - Returns: `false`, writing nothing, when the input carries no store.
    /// - Throws: scanning errors for the input; ``MediaError/Code/outputExists`` without `overwrite`; I/O errors.
    public static func removeStore(from input: String, to output: String, overwrite: Bool) throws(MediaError) -> Bool {
        let reader = try FileReader(path: input)
        let scan = try scan(reader)
        guard scan.manifestStore != nil else { return false }
        let plan = try plan(reader, scan: scan, storeSize: nil)
        let out = try OutputFile(destination: output, overwrite: overwrite)
        do {
            try write(from: reader, plan: plan, encodedStore: [], to: out) { _ in }
            try out.commit()
        } catch let error as MediaError {
            out.discard()
            throw error
        } catch {
            out.discard()
            throw MediaError(.writeFailed, "\(output): \(error)")
        }
        return true
    }
}
