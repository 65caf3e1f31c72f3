/// RIFF parsing (WAV, WebP, AVI) and the C2PA `C2PA` chunk.
///
/// ```
/// file   = riff *riff-continuation *trailing
/// riff   = 'RIFF' Size:u32le Form:4cc *chunk           ; Size counts Form and the chunks; Form WAVE, WEBP, AVI
/// chunk  = Id:4cc Size:u32le Data:Size bytes [00]      ; a pad byte follows odd-sized data
/// list   = ('LIST' | 'RIFF') Size:u32le Type:4cc *chunk ; nested lists (depth at most 32)
/// C2PA   = 'C2PA' Size:u32le store [00]                ; a direct child of the first RIFF chunk, at most one
/// ```
/// As c2pa-rs: the store goes last in the first RIFF chunk, whose size is patched; a data hash excludes the
/// chunk's header and data but not its pad byte. Other chunks are never rewritten.
enum RIFFContainer {
    static let maxDepth = 32
    static let c2paID: [UInt8] = Array("C2PA".utf8)

    struct Layout: Sendable {
        /// Size field of the first RIFF chunk as read.
        var riffSize: UInt32
        /// End of the first RIFF chunk's children (8 + riffSize).
        var riffEnd: Int64
        /// Where the store goes: after the last whole child (before any slack of fewer than 8 bytes at the end).
        var insertion: Int64
        /// Whether the last child of the first RIFF chunk is odd-sized with its pad byte missing (the RIFF ends
        /// right after its data); a pad byte is then written before the store.
        var missingPad: Bool
        /// Whether further top-level RIFF chunks follow (OpenDML AVI `AVIX`): their absolute index offsets would
        /// move, so such files are not rewritten.
        var continuation: Bool
    }

    static func scan(_ reader: FileReader, maxStoreSize: Int) throws(MediaError) -> AssetScan {
        var input = WindowedReader(reader)
        let size = reader.size
        guard let header = try input.bytes(at: 0, count: 12) else {
            throw MediaError(.truncated, "file too short for a RIFF header")
        }
        guard header.matches(Array("RIFF".utf8), at: 0), let riffSize = header.leU32(at: 4) else {
            throw MediaError(.unsupportedFormat, "not a RIFF file")
        }
        let form = String(decoding: header[header.startIndex + 8..<header.startIndex + 12], as: UTF8.self)
        let format: AssetFormat
        switch form {
        case "WAVE": format = .wav
        case "WEBP": format = .webp
        case "AVI ": format = .avi
        default: throw MediaError(.unsupportedFormat, "RIFF form '\(printable(form))' is not WAVE, WEBP or AVI")
        }
        guard riffSize >= 4 else { throw MediaError(.corrupt, "RIFF size \(riffSize) is smaller than its form type") }
        let riffEnd = 8 + Int64(riffSize)
        guard riffEnd <= size else {
            throw MediaError(.truncated, "the RIFF chunk declares \(riffSize) bytes but the file has \(size - 8) after its header")
        }
        var segments = [AssetSegment(name: "RIFF", marker: nil, range: 0..<12, isC2PA: false)]
        var storeRange: Range<Int64>?
        var carrier: Range<Int64>?
        var store: [UInt8]?
        var missingPad = false
        var chunkCount = 0

        // Direct children of the first RIFF chunk are listed; lists are walked (bounded) to validate sizes.
        var position: Int64 = 12
        var slack: Int64?
        while position < riffEnd {
            if riffEnd - position < 8 {
                // Fewer than 8 bytes cannot be a chunk: slack some writers leave (c2pa-rs's riff crate drops it).
                slack = position
                segments.append(AssetSegment(name: "SLACK", marker: nil, range: position..<riffEnd, isC2PA: false))
                position = riffEnd
                break
            }
            guard let h = try input.bytes(at: position, count: 8) else {
                throw MediaError(.corrupt, "RIFF chunk header at offset \(position) runs past the end of its RIFF chunk")
            }
            let id = Array(h.prefix(4))
            let length = Int64(h.leU32(at: 4) ?? 0)
            let dataEnd = position + 8 + length
            guard dataEnd <= riffEnd else {
                throw MediaError(.corrupt, "RIFF chunk '\(printable(id))' at offset \(position) declares \(length) bytes, past the end of its RIFF chunk")
            }
            var end = dataEnd + (length & 1)
            if end > riffEnd {
                // The pad byte of the last chunk is missing; tolerated (common in WAV writers).
                end = riffEnd
                missingPad = true
            }
            chunkCount += 1
            try countChunk(&chunkCount)
            let isC2PA = id == c2paID
            if isC2PA {
                guard store == nil else {
                    throw MediaError(.multipleStores, "a second C2PA chunk at offset \(position)")
                }
                guard length <= Int64(maxStoreSize) else {
                    throw MediaError(.storeTooLarge, "C2PA chunk of \(length) bytes exceeds the \(maxStoreSize)-byte limit")
                }
                store = try reader.read(at: position + 8, count: Int(length))
                storeRange = position..<dataEnd
                carrier = position..<end
            } else if id == Array("LIST".utf8) {
                try walkList(&input, range: (position + 8)..<dataEnd, depth: 1, count: &chunkCount)
            }
            segments.append(AssetSegment(name: printable(id), marker: nil, range: position..<end, isC2PA: isC2PA))
            position = end
        }
        // Further top-level chunks (AVI `RIFF AVIX` continuations, `JUNK`) are validated and listed; a C2PA chunk
        // among them is not where c2pa-rs looks, so it is refused rather than ignored.
        var continuation = false
        while position < size {
            guard let h = try input.bytes(at: position, count: 8) else {
                segments.append(AssetSegment(name: "TRAILING", marker: nil, range: position..<size, isC2PA: false))
                break
            }
            let id = Array(h.prefix(4))
            let length = Int64(h.leU32(at: 4) ?? 0)
            let end = position + 8 + length + (length & 1)
            guard id.allSatisfy({ (0x20...0x7E).contains($0) }), position + 8 + length <= size else {
                segments.append(AssetSegment(name: "TRAILING", marker: nil, range: position..<size, isC2PA: false))
                break
            }
            if id == c2paID {
                throw MediaError(.corrupt, "a C2PA chunk at offset \(position) lies outside the first RIFF chunk")
            }
            if id == Array("RIFF".utf8) {
                continuation = true
                try walkList(&input, range: (position + 8)..<(position + 8 + length), depth: 1, count: &chunkCount)
            }
            chunkCount += 1
            try countChunk(&chunkCount)
            segments.append(AssetSegment(name: printable(id), marker: nil, range: position..<min(end, size), isC2PA: false))
            position = min(end, size)
        }
        if let store, !StoreHeader.isC2PAStore(store[...]) {
            throw MediaError(.corrupt, "the C2PA chunk does not hold a C2PA manifest store")
        }
        return AssetScan(
            format: format, fileSize: size, manifestStore: store, storeRanges: storeRange.map { [$0] } ?? [],
            carrierRanges: carrier.map { [$0] } ?? [], insertionOffset: slack ?? riffEnd, segments: segments,
            segmentsComplete: true,
            layout: .riff(Layout(
                riffSize: riffSize, riffEnd: riffEnd, insertion: slack ?? riffEnd, missingPad: missingPad, continuation: continuation)))
    }

    /// A bound on the chunks walked, so a file of a million tiny chunks costs bounded time.
    static let maxChunks = 1_000_000

    private static func countChunk(_ count: inout Int) throws(MediaError) {
        if count > maxChunks { throw MediaError(.corrupt, "more than \(maxChunks) RIFF chunks") }
    }

    /// Validates the chunks of a list body (`Type` then chunks): sizes inside the list, depth bounded, no C2PA
    /// chunk (a store nested in a list is not one c2pa-rs reads).
    private static func walkList(_ input: inout WindowedReader, range: Range<Int64>, depth: Int, count: inout Int) throws(MediaError) {
        guard depth <= maxDepth else { throw MediaError(.corrupt, "RIFF lists nested deeper than \(maxDepth)") }
        guard range.count >= 4 else {
            if range.isEmpty { return }
            throw MediaError(.corrupt, "RIFF list at offset \(range.lowerBound - 8) is too short for its type")
        }
        var position = range.lowerBound + 4
        while position + 8 <= range.upperBound {
            guard let h = try input.bytes(at: position, count: 8) else { throw MediaError(.truncated, "RIFF chunk header truncated at \(position)") }
            let id = Array(h.prefix(4))
            let length = Int64(h.leU32(at: 4) ?? 0)
            let dataEnd = position + 8 + length
            guard dataEnd <= range.upperBound else {
                throw MediaError(.corrupt, "RIFF chunk '\(printable(id))' at offset \(position) declares \(length) bytes, past the end of its list")
            }
            count += 1
            try countChunk(&count)
            if id == c2paID {
                throw MediaError(.corrupt, "a C2PA chunk at offset \(position) is nested in a list")
            }
            if id == Array("LIST".utf8) {
                try walkList(&input, range: (position + 8)..<dataEnd, depth: depth + 1, count: &count)
            }
            position = min(dataEnd + (length & 1), range.upperBound)
        }
    }

    static func encodedSize(storeSize: Int) -> Int {
        let size = max(storeSize, 0)
        return size > Int.max - 9 ? Int.max : 8 + size + (size & 1)
    }

    static func encode(_ store: [UInt8]) throws(MediaError) -> [UInt8] {
        guard store.count <= Int(UInt32.max) - 8 else {
            throw MediaError(.storeTooLarge, "a RIFF chunk cannot hold \(store.count) bytes")
        }
        var out: [UInt8] = []
        out.reserveCapacity(encodedSize(storeSize: store.count))
        out.append(contentsOf: c2paID)
        out.appendLE(UInt32(store.count))
        out.append(contentsOf: store)
        if store.count & 1 == 1 { out.append(0) }
        return out
    }

    /// Removes the old `C2PA` chunk (pad byte included), appends the new one at the end of the first RIFF chunk
    /// and patches that chunk's size. The data hash exclusion is the new chunk's header and data, not its pad.
    static func plan(scan: AssetScan, layout: Layout, storeSize: Int?) throws(MediaError) -> EmbeddingPlan {
        if layout.continuation {
            throw MediaError(.unsupportedFormat,
                "this AVI continues in further RIFF chunks (OpenDML) whose absolute index offsets would move; it cannot be rewritten")
        }
        let encoded = storeSize.map(encodedSize(storeSize:)) ?? 0
        let removed = scan.carrierRanges.reduce(Int64(0)) { $0 + Int64($1.count) }
        // An odd last chunk without its pad byte gets one before the store, so the store chunk starts aligned.
        let pad = storeSize != nil && layout.missingPad && !scan.carrierRanges.contains(where: { $0.upperBound == layout.riffEnd })
        let newSize = Int64(layout.riffSize) - removed + (pad ? 1 : 0) + Int64(encoded)
        guard newSize <= Int64(UInt32.max) else {
            throw MediaError(.storeTooLarge, "the RIFF chunk would exceed 4 GiB with the manifest store")
        }
        var sizeField: [UInt8] = []
        sizeField.appendLE(UInt32(newSize))
        let spliced = EmbeddingPlan.splice(
            fileSize: scan.fileSize, removing: scan.carrierRanges, insertingAt: layout.insertion, patches: [(4, sizeField)],
            encodedStoreSize: encoded, excludedInStore: 0..<0)
        var pieces = spliced.pieces
        if pad, let i = pieces.firstIndex(of: .store) { pieces.insert(.bytes([0]), at: i) }
        return EmbeddingPlan(pieces: pieces, encodedStoreSize: encoded, excludedInStore: 0..<(storeSize.map { 8 + $0 } ?? 0))
    }

    static func printable(_ bytes: [UInt8]) -> String {
        String(bytes.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "?" })
    }

    static func printable(_ s: String) -> String { printable(Array(s.utf8)) }
}

extension ArraySlice where Element == UInt8 {
    func leU32(at offset: Int) -> UInt32? {
        guard offset >= 0, count - offset >= 4 else { return nil }
        var v: UInt32 = 0
        for i in (0..<4).reversed() { v = v << 8 | UInt32(self[startIndex + offset + i]) }
        return v
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}
