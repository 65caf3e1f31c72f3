/// GIF parsing (87a and 89a) and the C2PA application extension.
///
/// ```
/// file        = header lsd [gct] *block [trailer] *trailing
/// header      = 'GIF87a' | 'GIF89a'
/// lsd         = width:u16le height:u16le packed:u8 background:u8 aspect:u8   ; packed bit 7: a GCT follows
/// gct         = 3 * 2^((packed & 7) + 1) bytes
/// block       = extension | image
/// extension   = 0x21 label:u8 *sub-block 0x00                              ; 0xFF application, 0xF9, 0xFE, 0x01
/// application = 0x21 0xFF 0x0B identifier:8 auth:3 *sub-block 0x00
/// image       = 0x2C left:u16 top:u16 width:u16 height:u16 packed:u8 [lct] lzw-size:u8 *sub-block 0x00
/// sub-block   = size:u8 (1..255) data:size bytes
/// trailer     = 0x3B
/// C2PA        = application with identifier 'C2PA_GIF' and auth 01 00 00, the store split into sub-blocks
/// ```
/// As c2pa-rs: the C2PA block goes right after the header, the screen descriptor and the global colour table (or
/// where the old one was), in sub-blocks of 255 bytes; a GIF87a gets its version byte patched to 89a (87a has no
/// extensions); a data hash excludes the whole block. c2pa-rs only looks for the block before the first image: a
/// full scan refuses a C2PA block after it (rather than ignoring it) and a second one anywhere
/// (``MediaError/Code/multipleStores``). Verification scans only up to the first image when it finds a store
/// there, as c2pa-rs does; a block after the image is then ordinary hashed content, which nobody can add to a
/// signed file without breaking its data hash.
enum GIFContainer {
    static let identifier: [UInt8] = Array("C2PA_GIF".utf8)
    static let authentication: [UInt8] = [0x01, 0x00, 0x00]
    /// More blocks than this (each is a segment in the scan) is refused as corrupt: a bound on the scan's memory.
    static let maxBlocks = 500_000

    struct Layout: Sendable {
        /// Whether the header says 87a: an output that carries a store is patched to 89a.
        var version87a: Bool
    }

    /// With `includeImageData` false the scan stops at the first image (the store, if any, comes before it; a
    /// block added after signing is caught by the data hash, which covers every byte but the store's).
    static func scan(_ reader: FileReader, maxStoreSize: Int, includeImageData: Bool = true) throws(MediaError) -> AssetScan {
        var input = WindowedReader(reader)
        let size = reader.size
        guard let header = try input.bytes(at: 0, count: 13) else {
            throw MediaError(.truncated, "file too short for a GIF header and screen descriptor")
        }
        let version = Array(header.prefix(6))
        guard version == Array("GIF87a".utf8) || version == Array("GIF89a".utf8) else {
            throw MediaError(.unsupportedFormat, "not a GIF87a or GIF89a file")
        }
        let packed = header[header.startIndex + 10]
        var segments = [
            AssetSegment(name: "GIF89a", marker: nil, range: 0..<6, isC2PA: false),
            AssetSegment(name: "LSD", marker: nil, range: 6..<13, isC2PA: false),
        ]
        var position: Int64 = 13
        if packed & 0x80 != 0 {
            let table = Int64(3) << (Int64(packed & 7) + 1)
            guard position + table <= size else { throw MediaError(.truncated, "the global colour table runs past the end of the file") }
            segments.append(AssetSegment(name: "GCT", marker: nil, range: position..<(position + table), isC2PA: false))
            position += table
        }
        let preambleEnd = position
        var store: [UInt8]?
        var storeRange: Range<Int64>?
        var seenImage = false
        var trailer = false
        var complete = true
        while position < size {
            guard segments.count <= maxBlocks else { throw MediaError(.corrupt, "more than \(maxBlocks) GIF blocks") }
            let start = position
            guard let introducer = try input.byte(at: position) else { break }
            switch introducer {
            case 0x21:
                guard let label = try input.byte(at: position + 1) else {
                    throw MediaError(.truncated, "the file ends inside the extension at offset \(start)")
                }
                position += 2
                var name = String(format2: 0x21, label)
                var isC2PA = false
                var walked = false
                if label == 0xFF {
                    guard let fixed = try input.bytes(at: position, count: 12) else {
                        throw MediaError(.truncated, "the file ends inside the application extension at offset \(start)")
                    }
                    guard fixed.first == 0x0B else {
                        throw MediaError(.corrupt, "application extension at offset \(start) has a block size of \(fixed.first ?? 0), not 11")
                    }
                    let id = Array(fixed[(fixed.startIndex + 1)..<(fixed.startIndex + 9)])
                    let auth = Array(fixed[(fixed.startIndex + 9)..<(fixed.startIndex + 12)])
                    position += 12
                    if id == identifier && auth == authentication {
                        guard store == nil else { throw MediaError(.multipleStores, "a second C2PA block at offset \(start)") }
                        guard !seenImage else {
                            throw MediaError(.corrupt, "a C2PA block at offset \(start) comes after the first image, where c2pa-rs does not look")
                        }
                        var data: [UInt8] = []
                        position = try subBlocks(&input, from: position, at: start) { chunk throws(MediaError) in
                            guard data.count + chunk.count <= maxStoreSize else {
                                throw MediaError(.storeTooLarge, "the C2PA block at offset \(start) holds more than \(maxStoreSize) bytes")
                            }
                            data.append(contentsOf: chunk)
                        }
                        store = data
                        storeRange = start..<position
                        isC2PA = true
                        walked = true
                        name = "C2PA"
                    }
                }
                if !walked { position = try subBlocks(&input, from: position, at: start, nil) }
                segments.append(AssetSegment(name: name, marker: nil, range: start..<position, isC2PA: isC2PA))
            case 0x2C:
                if !includeImageData {
                    complete = false
                    break
                }
                guard let descriptor = try input.bytes(at: position, count: 10) else {
                    throw MediaError(.truncated, "the file ends inside the image descriptor at offset \(start)")
                }
                seenImage = true
                position += 10
                segments.append(AssetSegment(name: "2C", marker: nil, range: start..<position, isC2PA: false))
                let imagePacked = descriptor[descriptor.startIndex + 9]
                if imagePacked & 0x80 != 0 {
                    let table = Int64(3) << (Int64(imagePacked & 7) + 1)
                    guard position + table <= size else {
                        throw MediaError(.truncated, "the local colour table at offset \(position) runs past the end of the file")
                    }
                    segments.append(AssetSegment(name: "LCT", marker: nil, range: position..<(position + table), isC2PA: false))
                    position += table
                }
                let dataStart = position
                guard try input.byte(at: position) != nil else {
                    throw MediaError(.truncated, "the file ends before the image data at offset \(position)")
                }
                position = try subBlocks(&input, from: position + 1, at: dataStart, nil)
                segments.append(AssetSegment(name: "TBID", marker: nil, range: dataStart..<position, isC2PA: false))
            case 0x3B:
                position += 1
                segments.append(AssetSegment(name: "3B", marker: nil, range: start..<position, isC2PA: false))
                trailer = true
            default:
                throw MediaError(.corrupt, "unknown GIF block 0x\(String(introducer, radix: 16)) at offset \(start)")
            }
            if trailer || !complete { break }
        }
        if complete, position < size {
            segments.append(AssetSegment(name: "TRAILING", marker: nil, range: position..<size, isC2PA: false))
        }
        let ranges = storeRange.map { [$0] } ?? []
        return AssetScan(
            format: .gif, fileSize: size, manifestStore: store, storeRanges: ranges, carrierRanges: ranges,
            insertionOffset: storeRange?.lowerBound ?? preambleEnd, segments: segments, segmentsComplete: complete,
            layout: .gif(Layout(version87a: version == Array("GIF87a".utf8))))
    }

    /// Walks sub-blocks from `position` to their terminator (a zero size byte), handing each one's data to `body`
    /// when given; returns the offset after the terminator.
    private static func subBlocks(
        _ input: inout WindowedReader, from position: Int64, at blockStart: Int64, _ body: ((ArraySlice<UInt8>) throws(MediaError) -> Void)?
    ) throws(MediaError) -> Int64 {
        var position = position
        while true {
            guard let count = try input.byte(at: position) else {
                throw MediaError(.truncated, "the file ends inside the sub-blocks of the block at offset \(blockStart)")
            }
            position += 1
            if count == 0 { return position }
            if let body {
                guard let data = try input.bytes(at: position, count: Int(count)) else {
                    throw MediaError(.truncated, "the file ends inside a sub-block of the block at offset \(blockStart)")
                }
                try body(data)
            } else if position + Int64(count) > input.size {
                throw MediaError(.truncated, "the file ends inside a sub-block of the block at offset \(blockStart)")
            }
            position += Int64(count)
        }
    }

    static func encodedSize(storeSize: Int) -> Int {
        let size = max(storeSize, 0)
        let (blocks, remainder) = size.quotientAndRemainder(dividingBy: 255)
        let headers = blocks + (remainder > 0 ? 1 : 0)
        return size > Int.max / 2 ? Int.max : 14 + size + headers + 1
    }

    static func encode(_ store: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x21, 0xFF, 0x0B]
        out.reserveCapacity(encodedSize(storeSize: store.count))
        out.append(contentsOf: identifier)
        out.append(contentsOf: authentication)
        var offset = 0
        while offset < store.count {
            let n = min(255, store.count - offset)
            out.append(UInt8(n))
            out.append(contentsOf: store[offset..<(offset + n)])
            offset += n
        }
        out.append(0)
        return out
    }

    /// Removes the old C2PA block and puts the new one where it was (else after the preamble), patching a
    /// GIF87a's version to 89a when the output carries a store. The data hash excludes the whole block.
    static func plan(scan: AssetScan, layout: Layout, storeSize: Int?) -> EmbeddingPlan {
        let encoded = storeSize.map(encodedSize(storeSize:)) ?? 0
        let patches: [(Int64, [UInt8])] = storeSize != nil && layout.version87a ? [(4, [0x39])] : []
        return EmbeddingPlan.splice(
            fileSize: scan.fileSize, removing: scan.carrierRanges, insertingAt: scan.insertionOffset, patches: patches,
            encodedStoreSize: encoded, excludedInStore: 0..<encoded)
    }
}

private extension String {
    /// "21FF" for an extension introducer and its label, as c2pa-rs names GIF blocks.
    init(format2 introducer: UInt8, _ label: UInt8) {
        let hex = { (b: UInt8) in (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }
        self = hex(introducer) + hex(label)
    }
}
