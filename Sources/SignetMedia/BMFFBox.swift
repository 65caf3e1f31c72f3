/// One box of an ISO base media file (ISO/IEC 14496-12): MP4, MOV, M4A, HEIF/HEIC, AVIF.
///
/// ```
/// box      = Size:u32 Type:4cc [LargeSize:u64 if Size == 1] [UserType:16 if Type == 'uuid'] payload
///                                                   ; Size 0: the box runs to the end of the file (top level only)
/// fullbox  = box whose payload starts with Version:u8 Flags:u24
/// ```
public struct BMFFBox: Sendable, Hashable {
    /// The four-character type (`moov`, `uuid`, …), bytes outside printable ASCII shown as `?`.
    public var type: String
    /// The raw type bytes.
    public var typeCode: UInt32
    /// The whole box, header included.
    public var range: Range<Int64>
    /// Bytes of the header: 8, 16 with a large size, 16 more for a `uuid` box's user type.
    public var headerSize: Int
    /// A `uuid` box's 16-byte user type.
    public var userType: [UInt8]?
    /// The child boxes, for the container types listed in ``BMFF/containerTypes`` (empty otherwise).
    public var children: [BMFFBox]

    /// Where the payload (after the header) starts.
    public var payloadStart: Int64 { range.lowerBound + Int64(headerSize) }
}

/// Parsing ISO BMFF box trees, bounded in depth and count.
public enum BMFF {
    /// Deepest nesting walked (c2pa-rs uses the same bound).
    public static let maxDepth = 32
    /// Most boxes in one file: a bound on the tree's memory (a fragmented two-hour video has tens of thousands).
    public static let maxBoxes = 250_000

    /// Boxes whose payload is a sequence of boxes: c2pa-rs's set, so that box paths (BMFF hash xpaths) match its
    /// own; the payload of any other box is not parsed (a malformed HEIF property or protection box is then no
    /// reason to refuse a file c2pa-rs reads).
    public static let containerTypes: Set<String> = [
        "moov", "trak", "mdia", "minf", "stbl", "moof", "traf", "edts", "udta", "dinf", "tref", "treg", "mvex", "mfra", "schi",
    ]
    /// Containers that are full boxes: version and flags precede the children.
    public static let fullBoxContainerTypes: Set<String> = ["meta"]

    /// The C2PA `uuid` box's user type: D8FEC3D6-1B0E-483C-9297-5828877EC481.
    public static let c2paUserType: [UInt8] = [
        0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81,
    ]

    /// Parses the whole box tree of the file behind `reader`: top-level boxes in order, each container's children.
    ///
    /// - Throws: ``MediaError/Code/corrupt`` for a box smaller than its header, a child running past its parent,
    ///   nesting deeper than ``maxDepth`` or more than ``maxBoxes`` boxes; ``MediaError/Code/truncated`` for a box
    ///   running past the end of the file.
    public static func boxes(_ reader: FileReader) throws(MediaError) -> [BMFFBox] {
        var input = WindowedReader(reader, windowSize: 64 << 10)
        var count = 0
        return try children(&input, in: 0..<reader.size, depth: 0, topLevel: true, count: &count)
    }

    static func children(
        _ input: inout WindowedReader, in range: Range<Int64>, depth: Int, topLevel: Bool, count: inout Int
    ) throws(MediaError) -> [BMFFBox] {
        guard depth < maxDepth else { throw MediaError(.corrupt, "ISO BMFF boxes nested deeper than \(maxDepth)") }
        var result: [BMFFBox] = []
        var position = range.lowerBound
        while position < range.upperBound {
            guard range.upperBound - position >= 8, let h = try input.bytes(at: position, count: 8) else {
                // QuickTime ends some containers (udta) with a 32-bit zero terminator: fewer than 8 bytes left.
                if !topLevel, range.upperBound - position < 8 { break }
                if topLevel {
                    throw MediaError(.truncated, "ISO BMFF box header truncated at offset \(position)")
                }
                throw MediaError(.corrupt, "ISO BMFF box header at offset \(position) runs past the end of its parent")
            }
            let size32 = h.beU32(at: 0) ?? 0
            let typeCode = h.beU32(at: 4) ?? 0
            let typeBytes = Array(h[(h.startIndex + 4)..<(h.startIndex + 8)])
            let type = String(typeBytes.map { (0x20...0x7E).contains($0) ? Character(UnicodeScalar($0)) : "?" })
            var headerSize = 8
            let size: Int64
            switch size32 {
            case 0:
                // Size 0 ("to the end of the file") is allowed for the last top-level box only (ISO/IEC 14496-12,
                // 4.2); inside a container players read it as "to the end of the parent", which would hide the box
                // from the signer's offset patching and the verifier's checks. c2pa-rs refuses it too. (QuickTime's
                // 4-byte zero terminator is shorter than a header and is skipped above.)
                guard topLevel else {
                    throw MediaError(.corrupt, "ISO BMFF box '\(type)' at offset \(position) has size 0 inside a parent")
                }
                size = range.upperBound - position
            case 1:
                guard let large = try input.bytes(at: position + 8, count: 8), let l = large.beU64(at: 0) else {
                    throw MediaError(.truncated, "ISO BMFF large size truncated at offset \(position)")
                }
                guard l <= UInt64(Int64.max) else { throw MediaError(.corrupt, "ISO BMFF box '\(type)' at offset \(position) has size \(l)") }
                headerSize = 16
                size = Int64(l)
            default:
                size = Int64(size32)
            }
            var userType: [UInt8]?
            if type == "uuid" {
                guard let u = try input.bytes(at: position + Int64(headerSize), count: 16) else {
                    throw MediaError(.truncated, "ISO BMFF uuid box at offset \(position) is truncated")
                }
                userType = Array(u)
                headerSize += 16
            }
            guard size >= Int64(headerSize) else {
                throw MediaError(.corrupt, "ISO BMFF box '\(type)' at offset \(position) declares \(size) bytes, less than its \(headerSize)-byte header")
            }
            let (end, overflow) = position.addingReportingOverflow(size)
            guard !overflow, end <= range.upperBound else {
                if topLevel {
                    throw MediaError(.truncated, "ISO BMFF box '\(type)' at offset \(position) declares \(size) bytes, past the end of the file")
                }
                throw MediaError(.corrupt, "ISO BMFF box '\(type)' at offset \(position) declares \(size) bytes, past the end of its parent")
            }
            count += 1
            guard count <= maxBoxes else { throw MediaError(.corrupt, "more than \(maxBoxes) ISO BMFF boxes") }
            var box = BMFFBox(type: type, typeCode: typeCode, range: position..<end, headerSize: headerSize, userType: userType, children: [])
            if containerTypes.contains(type) {
                box.children = try children(&input, in: box.payloadStart..<end, depth: depth + 1, topLevel: false, count: &count)
            } else if fullBoxContainerTypes.contains(type), end - box.payloadStart >= 4 {
                // ISO 'meta' is a full box (version and flags first); QuickTime's is a plain container. Tell them
                // apart by whether the first 8 payload bytes read as a plausible child box header.
                var skip: Int64 = 4
                if end - box.payloadStart >= 8, let peek = try input.bytes(at: box.payloadStart, count: 8),
                    let childSize = peek.beU32(at: 0), childSize >= 8, Int64(childSize) <= end - box.payloadStart,
                    peek.dropFirst(4).allSatisfy({ (0x20...0x7E).contains($0) }) {
                    skip = 0
                }
                box.children = try children(&input, in: (box.payloadStart + skip)..<end, depth: depth + 1, topLevel: false, count: &count)
            }
            result.append(box)
            position = end
        }
        return result
    }
}

extension BMFFBox {
    /// Every box of the tree rooted here, depth first, with its path of types from the top (`["moov", "trak"]`).
    func walk(_ path: [String] = [], _ body: (BMFFBox, [String]) throws(MediaError) -> Void) throws(MediaError) {
        let here = path + [type]
        try body(self, here)
        for child in children { try child.walk(here, body) }
    }
}
