/// PNG chunk parsing and the C2PA `caBX` chunk.
///
/// ```
/// file   = signature IHDR *chunk IEND *trailing
/// signature = 89 50 4E 47 0D 0A 1A 0A
/// chunk  = Length:u32 (<= 2^31-1) Type:4 ASCII letters Data:Length bytes CRC:u32   ; CRC over Type and Data
/// caBX   = chunk whose Data is the C2PA manifest store (a JUMBF superbox)           ; at most one
/// ```
/// Chunk data is skipped by seeking; only `caBX` data is read (and its CRC checked).
enum PNGContainer {
    static let ihdrEnd: Int64 = 8 + 12 + 13

    static func scan(_ reader: FileReader, maxStoreSize: Int) throws(MediaError) -> AssetScan {
        let size = reader.size
        let signature = try reader.readUpTo(at: 0, count: 8)
        guard signature == AssetFormat.pngSignature else {
            if signature.count < 8, AssetFormat.pngSignature.starts(with: signature) {
                throw MediaError(.truncated, "file too short for a PNG signature")
            }
            throw MediaError(.unsupportedFormat, "not a PNG file (bad signature)")
        }
        var segments = [AssetSegment(name: "PNGh", marker: nil, range: 0..<8, isC2PA: false)]
        var store: [UInt8]?
        var storeRange: Range<Int64>?
        var position: Int64 = 8
        var index = 0
        while true {
            let header = try reader.read(at: position, count: 8)[...]
            guard let length32 = header.beU32(at: 0) else {
                throw MediaError(.truncated, "PNG chunk header truncated at \(position)")
            }
            guard length32 <= 0x7FFF_FFFF else {
                throw MediaError(.corrupt, "PNG chunk at offset \(position) has length \(length32) over 2^31-1")
            }
            let typeBytes = Array(header.dropFirst(4))
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw MediaError(.corrupt, "PNG chunk at offset \(position) has an invalid type")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            let length = Int64(length32)
            let end = position + 12 + length
            guard end <= size else {
                throw MediaError(.truncated, "PNG \(type) chunk at offset \(position) extends past the end of the file")
            }
            if index == 0 {
                guard type == "IHDR" else {
                    throw MediaError(.corrupt, "PNG must start with IHDR, found \(type)")
                }
                guard length == 13 else {
                    throw MediaError(.corrupt, "PNG IHDR has length \(length), expected 13")
                }
            } else if type == "IHDR" {
                throw MediaError(.corrupt, "second IHDR chunk at offset \(position)")
            }
            var isC2PA = false
            if type == "caBX" {
                if store != nil {
                    throw MediaError(.multipleStores, "a second caBX chunk at offset \(position)")
                }
                guard length <= Int64(maxStoreSize) else {
                    throw MediaError(.storeTooLarge, "caBX chunk of \(length) bytes exceeds the \(maxStoreSize)-byte limit")
                }
                let data = try reader.read(at: position + 8, count: Int(length))
                let stored = try reader.read(at: position + 8 + length, count: 4)[...]
                let crc = CRC32.update(CRC32.update(0, typeBytes), data)
                guard stored.beU32(at: 0) == crc else {
                    throw MediaError(.corrupt, "caBX chunk at offset \(position) has a bad CRC")
                }
                store = data
                storeRange = position..<end
                isC2PA = true
            }
            segments.append(AssetSegment(name: type, marker: nil, range: position..<end, isC2PA: isC2PA))
            index += 1
            position = end
            if type == "IEND" {
                if position < size {
                    segments.append(AssetSegment(name: "TRAILING", marker: nil, range: position..<size, isC2PA: false))
                }
                break
            }
        }
        return AssetScan(
            format: .png, fileSize: size, manifestStore: store, storeRanges: storeRange.map { [$0] } ?? [],
            insertionOffset: ihdrEnd, segments: segments, segmentsComplete: true)
    }

    static func encode(_ store: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(store.count + 12)
        out.appendBE(UInt32(store.count))
        let type = Array("caBX".utf8)
        out.append(contentsOf: type)
        out.append(contentsOf: store)
        out.appendBE(CRC32.update(CRC32.update(0, type), store))
        return out
    }
}
