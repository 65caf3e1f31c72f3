/// JPEG marker-segment parsing and C2PA APP11 packet handling.
///
/// ```
/// file        = SOI *( fill marker-seg ) [ EOI ] *trailing
/// fill        = *0xFF                                  ; extra 0xFF before any marker
/// marker-seg  = 0xFF m                                  ; m in D0–D7 (RSTn) or 01 (TEM): no length
///             | 0xFF m Lp:u16 (Lp-2 bytes)              ; every other marker, Lp >= 2
/// SOS         = 0xFF DA Lp header  ECS                  ; ECS runs to the next 0xFF that is not followed by
///                                                       ; 00 (stuffing) or D0–D7 (restart): the next marker
/// APP11 JUMBF = 0xFF EB Lp CI:'JP' En:u16 Z:u32 payload ; ISO/IEC 19566-5 (JPEG XT box packets)
/// payload     = box bytes                               ; Z = 1: the box from its start
///             | LBox TBox [XLBox] box bytes             ; Z > 1: header repeated, then continuation bytes
/// ```
/// The C2PA store is the APP11 box whose first packet holds a `jumb` superbox with a `jumd` of type
/// `63327061-0011-0010-8000-00AA00389B71` labelled `c2pa`; its packets share one En and have Z = 1, 2, 3…
enum JPEGContainer {
    /// Store bytes per APP11 packet, as c2pa-rs writes them (keeps each Lp well under 65535).
    static let payloadPerPacket = 64_000
    /// Box instance number c2pa-rs gives the C2PA store (chosen to avoid conflicts with other JUMBF boxes).
    static let boxInstance: UInt16 = 0x0211

    static func markerName(_ m: UInt8) -> String {
        switch m {
        case 0x01: return "TEM"
        case 0xC4: return "DHT"
        case 0xC8: return "JPG"
        case 0xCC: return "DAC"
        case 0xC0...0xCF: return "SOF\(m - 0xC0)"
        case 0xD0...0xD7: return "RST\(m - 0xD0)"
        case 0xD8: return "SOI"
        case 0xD9: return "EOI"
        case 0xDA: return "SOS"
        case 0xDB: return "DQT"
        case 0xDC: return "DNL"
        case 0xDD: return "DRI"
        case 0xDE: return "DHP"
        case 0xDF: return "EXP"
        case 0xE0...0xEF: return "APP\(m - 0xE0)"
        case 0xF0...0xFD: return "JPG\(m - 0xF0)"
        case 0xFE: return "COM"
        default: return "RES"
        }
    }

    /// A C2PA store being reassembled from APP11 packets.
    private struct PendingStore {
        var instance: UInt16
        var header: [UInt8]
        var declaredLength: UInt64?
        var bytes: [UInt8]
        var nextSequence: UInt32
        var ranges: [Range<Int64>]
    }

    static func scan(_ reader: FileReader, maxStoreSize: Int, includeImageData: Bool) throws(MediaError) -> AssetScan {
        var input = WindowedReader(reader)
        let size = reader.size
        guard try input.byte(at: 0) == 0xFF, try input.byte(at: 1) == 0xD8 else {
            if size < 2 { throw MediaError(.truncated, "file too short for a JPEG SOI marker") }
            throw MediaError(.unsupportedFormat, "not a JPEG file (no SOI marker)")
        }
        var segments = [AssetSegment(name: "SOI", marker: 0xD8, range: 0..<2, isC2PA: false)]
        var store: PendingStore?
        var lastAPP0End: Int64?
        var seenSOS = false
        var complete = true
        var position: Int64 = 2

        func need(_ offset: Int64, _ what: String) throws(MediaError) -> UInt8 {
            guard let b = try input.byte(at: offset) else {
                throw MediaError(.truncated, "JPEG ends at \(offset) in \(what)")
            }
            return b
        }

        scanLoop: while true {
            let segmentStart = position
            let first = try need(position, "a marker (no EOI)")
            guard first == 0xFF else {
                throw MediaError(.corrupt, "expected a marker at offset \(position), found 0x\(String(first, radix: 16))")
            }
            var markerOffset = position
            var marker = try need(position + 1, "a marker")
            while marker == 0xFF {  // fill bytes
                markerOffset += 1
                marker = try need(markerOffset + 1, "a marker")
            }
            let afterMarker = markerOffset + 2
            let name = markerName(marker)
            switch marker {
            case 0x00:
                throw MediaError(.corrupt, "stuffed 0xFF00 outside entropy-coded data at offset \(markerOffset)")
            case 0xD8:
                throw MediaError(.corrupt, "unexpected second SOI at offset \(markerOffset)")
            case 0xD9:
                segments.append(AssetSegment(name: name, marker: marker, range: segmentStart..<afterMarker, isC2PA: false))
                if afterMarker < size {
                    segments.append(AssetSegment(name: "TRAILING", marker: nil, range: afterMarker..<size, isC2PA: false))
                }
                break scanLoop
            case 0x01, 0xD0...0xD7:
                segments.append(AssetSegment(name: name, marker: marker, range: segmentStart..<afterMarker, isC2PA: false))
                position = afterMarker
                continue scanLoop
            default:
                break
            }

            let hi = try need(afterMarker, "the length of \(name)")
            let lo = try need(afterMarker + 1, "the length of \(name)")
            let length = Int64(hi) << 8 | Int64(lo)
            guard length >= 2 else {
                throw MediaError(.corrupt, "\(name) at offset \(markerOffset) has invalid length \(length)")
            }
            let end = afterMarker + length
            guard end <= size else {
                throw MediaError(.truncated, "\(name) at offset \(markerOffset) (length \(length)) extends past the end of the file")
            }
            var isC2PA = false
            if marker == 0xEB {
                let contents = try reader.read(at: afterMarker + 2, count: Int(length - 2))
                isC2PA = try absorbAPP11(contents[...], range: markerOffset..<end, into: &store, maxStoreSize: maxStoreSize)
            } else if marker == 0xE0, !seenSOS {
                lastAPP0End = end
            }
            segments.append(AssetSegment(name: name, marker: marker, range: segmentStart..<end, isC2PA: isC2PA))
            position = end

            if marker == 0xDA {
                if !seenSOS, !includeImageData {
                    seenSOS = true
                    complete = false
                    break scanLoop
                }
                seenSOS = true
                // Entropy-coded data: find the next real marker.
                var cursor = end
                while true {
                    guard let ff = try input.firstFF(from: cursor) else {
                        throw MediaError(.truncated, "entropy-coded data after SOS at \(markerOffset) runs to the end of the file (no EOI)")
                    }
                    let next = try need(ff + 1, "entropy-coded data")
                    if next == 0x00 || (0xD0...0xD7).contains(next) {
                        cursor = ff + 2
                        continue
                    }
                    if ff > end {
                        segments.append(AssetSegment(name: "ECS", marker: nil, range: end..<ff, isC2PA: false))
                    }
                    position = ff
                    break
                }
            }
        }

        var manifestStore: [UInt8]?
        var storeRanges: [Range<Int64>] = []
        if let pending = store {
            if let declared = pending.declaredLength, UInt64(pending.bytes.count) != declared {
                throw MediaError(.corrupt, "C2PA store declares \(declared) bytes but its APP11 packets carry \(pending.bytes.count) (missing packets)")
            }
            manifestStore = pending.bytes
            storeRanges = mergeAdjacent(pending.ranges)
        }
        let insertion = storeRanges.first?.lowerBound ?? lastAPP0End ?? 2
        return AssetScan(
            format: .jpeg, fileSize: size, manifestStore: manifestStore, storeRanges: storeRanges,
            insertionOffset: insertion, segments: segments, segmentsComplete: complete)
    }

    /// Examines one APP11 segment's contents; returns whether it belongs to the C2PA store.
    private static func absorbAPP11(
        _ contents: ArraySlice<UInt8>, range: Range<Int64>, into store: inout PendingStore?, maxStoreSize: Int
    ) throws(MediaError) -> Bool {
        // Not a JPEG XT box packet ('JP', En, Z): some other APP11 use; leave it alone.
        guard contents.count >= 8, contents.byte(at: 0) == 0x4A, contents.byte(at: 1) == 0x50,
            let instance = contents.beU16(at: 2), let sequence = contents.beU32(at: 4)
        else { return false }
        let payload = contents.dropFirst(8)

        if var pending = store, pending.instance == instance, sequence != 1 {
            guard sequence == pending.nextSequence else {
                throw MediaError(.corrupt, "C2PA APP11 packet at offset \(range.lowerBound) has sequence number \(sequence), expected \(pending.nextSequence)")
            }
            guard payload.count >= pending.header.count,
                payload.prefix(pending.header.count).elementsEqual(pending.header)
            else {
                throw MediaError(.corrupt, "C2PA APP11 packet at offset \(range.lowerBound) does not repeat the box header")
            }
            let data = payload.dropFirst(pending.header.count)
            let total = pending.bytes.count + data.count
            if let declared = pending.declaredLength, UInt64(total) > declared {
                throw MediaError(.corrupt, "C2PA APP11 packets carry more than the \(declared) bytes the store declares")
            }
            guard total <= maxStoreSize else {
                throw MediaError(.storeTooLarge, "C2PA store exceeds the \(maxStoreSize)-byte limit")
            }
            pending.bytes.append(contentsOf: data)
            pending.nextSequence = sequence &+ 1
            pending.ranges.append(range)
            store = pending
            return true
        }

        guard StoreHeader.isC2PAStore(payload), let header = StoreHeader.parse(payload) else {
            return false
        }
        if store != nil {
            throw MediaError(.multipleStores, "a second C2PA manifest store starts at offset \(range.lowerBound)")
        }
        guard sequence == 1 else {
            throw MediaError(.corrupt, "C2PA APP11 packet at offset \(range.lowerBound) has sequence number \(sequence), expected 1")
        }
        if let declared = header.declaredLength {
            guard declared <= UInt64(maxStoreSize) else {
                throw MediaError(.storeTooLarge, "C2PA store declares \(declared) bytes, over the \(maxStoreSize)-byte limit")
            }
            guard UInt64(payload.count) <= declared else {
                throw MediaError(.corrupt, "C2PA APP11 packet carries more than the \(declared) bytes the store declares")
            }
        }
        guard payload.count <= maxStoreSize else {
            throw MediaError(.storeTooLarge, "C2PA store exceeds the \(maxStoreSize)-byte limit")
        }
        var bytes: [UInt8] = []
        if let declared = header.declaredLength { bytes.reserveCapacity(Int(declared)) }
        bytes.append(contentsOf: payload)
        store = PendingStore(
            instance: instance, header: Array(payload.prefix(header.headerLength)),
            declaredLength: header.declaredLength, bytes: bytes, nextSequence: 2, ranges: [range])
        return true
    }

    /// Encoded size for a store of `storeSize` bytes; saturates at `Int.max` for absurd sizes.
    static func encodedSize(storeSize: Int) -> Int {
        let size = max(storeSize, 0)
        let packets = max(1, size / payloadPerPacket + (size % payloadPerPacket == 0 ? 0 : 1))
        let repeatedHeader = size > Int(UInt32.max) ? 16 : 8
        // size + 12 per packet (marker, Lp, CI, En, Z) + the repeated box header in every packet but the first.
        let (overhead, o1) = packets.multipliedReportingOverflow(by: 12 + repeatedHeader)
        let (total, o2) = size.addingReportingOverflow(overhead - repeatedHeader)
        return o1 || o2 ? Int.max : total
    }

    static func encode(_ store: [UInt8], header: StoreHeader) -> [UInt8] {
        let repeated = store.prefix(header.headerLength)
        var out: [UInt8] = []
        out.reserveCapacity(encodedSize(storeSize: store.count))
        var sequence: UInt32 = 1
        var offset = 0
        repeat {
            let end = min(offset + payloadPerPacket, store.count)
            let extra = sequence == 1 ? 0 : repeated.count
            let lp = 2 + 8 + extra + (end - offset)
            out.append(0xFF)
            out.append(0xEB)
            out.appendBE(UInt16(lp))
            out.append(0x4A)
            out.append(0x50)
            out.appendBE(boxInstance)
            out.appendBE(sequence)
            if sequence != 1 { out.append(contentsOf: repeated) }
            out.append(contentsOf: store[offset..<end])
            offset = end
            sequence += 1
        } while offset < store.count
        return out
    }
}
