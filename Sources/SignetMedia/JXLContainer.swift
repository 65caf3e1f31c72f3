/// JPEG XL (ISO/IEC 18181-2): the box container, and the bare codestream it can wrap.
///
/// ```
/// container  = signature ftyp *box                         ; ISO BMFF-style boxes, none nested
/// signature  = 00 00 00 0C 'JXL ' 0D 0A 87 0A
/// ftyp       = box 'ftyp' with major brand 'jxl '
/// box        = 'jxll' | 'jxlc' | 'jxlp' | 'jxli' | 'jbrd' | 'Exif' | 'xml ' | 'jumb' | 'brob' | ...
/// codestream = FF 0A ...                                   ; a bare codestream has no boxes at all
/// C2PA       = a top-level 'jumb' box that is the manifest store itself (label 'c2pa')
/// ```
/// As c2pa-rs: the store goes right after `ftyp` (or where the old one was), and a data hash excludes the whole
/// box. c2pa-rs 0.91.3 refuses a bare codestream; Signet wraps it first (signature, `ftyp`, the store, then a
/// `jxlc` box holding the codestream unchanged), so the output is a container c2pa-rs reads. Every other
/// top-level box header and the boxes that make the picture (`JXL `, `ftyp`, `jxll`, `jxlc`, `jxlp`, `jxli`,
/// `jbrd`) are ``AssetScan/protectedRanges``; `Exif`, `xml ` and other JUMBF boxes are metadata a signer may
/// exclude. A second C2PA `jumb` box is ``MediaError/Code/multipleStores``.
enum JXLContainer {
    static let signature: [UInt8] = [0, 0, 0, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A]
    static let codestreamMarker: [UInt8] = [0xFF, 0x0A]
    /// The `ftyp` Signet writes when it wraps a bare codestream: brand `jxl `, version 0, compatible `jxl `.
    static let ftyp: [UInt8] = [0, 0, 0, 0x14] + Array("ftypjxl ".utf8) + [0, 0, 0, 0] + Array("jxl ".utf8)
    /// Boxes whose bytes decide the picture.
    static let imageBoxes: Set<String> = ["JXL ", "ftyp", "jxll", "jxlc", "jxlp", "jxli", "jbrd"]

    struct Layout: Sendable {
        /// The input is a bare codestream of this many bytes, to be wrapped in a container.
        var bareCodestream: Int64
    }

    static func scan(_ reader: FileReader, maxStoreSize: Int) throws(MediaError) -> AssetScan {
        let size = reader.size
        let head = try reader.readUpTo(at: 0, count: signature.count)
        if head.starts(with: codestreamMarker) {
            return AssetScan(
                format: .jxl, fileSize: size, manifestStore: nil, storeRanges: [], carrierRanges: [], insertionOffset: 0,
                segments: [AssetSegment(name: "codestream", marker: nil, range: 0..<size, isC2PA: false)], segmentsComplete: true,
                layout: .jxl(Layout(bareCodestream: size)))
        }
        guard head == signature else { throw MediaError(.unsupportedFormat, "not a JPEG XL container or codestream") }
        let boxes = try BMFF.boxes(reader)
        guard boxes.count >= 2, boxes[0].type == "JXL ", boxes[0].range == 0..<12, boxes[1].type == "ftyp" else {
            throw MediaError(.corrupt, "a JPEG XL container must start with its signature box and then ftyp")
        }
        let brand = try reader.readUpTo(at: boxes[1].payloadStart, count: 4)
        guard brand == Array("jxl ".utf8) else { throw MediaError(.corrupt, "the JPEG XL ftyp's major brand is not 'jxl '") }
        var store: [UInt8]?
        var storeRange: Range<Int64>?
        var protected: [Range<Int64>] = []
        var segments: [AssetSegment] = []
        for box in boxes {
            var isC2PA = false
            if box.type == "jumb" {
                let start = try reader.readUpTo(at: box.range.lowerBound, count: 256)
                if StoreHeader.isC2PAStore(start[...]) {
                    guard storeRange == nil else {
                        throw MediaError(.multipleStores, "a second C2PA manifest store box at offset \(box.range.lowerBound)")
                    }
                    guard box.range.count <= Int64(maxStoreSize) else {
                        throw MediaError(.storeTooLarge, "the C2PA box at offset \(box.range.lowerBound) holds \(box.range.count) bytes, more than \(maxStoreSize)")
                    }
                    store = try reader.read(at: box.range.lowerBound, count: Int(box.range.count))
                    storeRange = box.range
                    isC2PA = true
                }
            }
            if !isC2PA { protected.append(imageBoxes.contains(box.type) ? box.range : box.range.lowerBound..<box.payloadStart) }
            segments.append(AssetSegment(name: box.type, marker: nil, range: box.range, isC2PA: isC2PA))
        }
        let ranges = storeRange.map { [$0] } ?? []
        var scan = AssetScan(
            format: .jxl, fileSize: size, manifestStore: store, storeRanges: ranges, carrierRanges: ranges,
            insertionOffset: storeRange?.lowerBound ?? boxes[1].range.upperBound, segments: segments, segmentsComplete: true,
            layout: .simple)
        scan.protectedRanges = mergeAdjacent(protected)
        return scan
    }

    /// A bare codestream wrapped: signature, `ftyp`, the store, then `jxlc` holding the codestream.
    static func plan(layout: Layout, storeSize: Int?) -> EmbeddingPlan {
        let size = layout.bareCodestream
        var jxlc: [UInt8]
        if size + 8 <= Int64(UInt32.max) {
            jxlc = []
            jxlc.appendBE(UInt32(size + 8))
            jxlc += Array("jxlc".utf8)
        } else {
            jxlc = [0, 0, 0, 1] + Array("jxlc".utf8)
            jxlc.appendBE(UInt64(size + 16))
        }
        let stored = storeSize ?? 0
        var pieces: [EmbeddingPlan.Piece] = [.bytes(signature + ftyp)]
        if storeSize != nil { pieces.append(.store) }
        pieces += [.bytes(jxlc), .copy(0..<size)]
        return EmbeddingPlan(pieces: pieces, encodedStoreSize: stored, excludedInStore: 0..<stored)
    }
}
