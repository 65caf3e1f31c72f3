import Foundation
import SignetJUMBF
import SignetMedia

/// Keyless forgeries of a signed JPEG or PNG: edits an attacker without the signing key can make, generated from
/// the file's structure. Every byte that no signature covers is edited (box headers, description boxes, the
/// claim signature box with its unprotected header, container headers), every length field is lied about, and
/// the structural attacks known to have worked are rebuilt from scratch.
public struct Forgery: CustomStringConvertible, Sendable {
    public var name: String
    public var bytes: [UInt8]
    /// A store written beside the asset (`.c2pa` sidecar), when the attack needs one.
    public var sidecar: [UInt8]?
    /// An edit of a field that carries no meaning (the JPEG-XT packet's box instance number En, which only groups
    /// the packets of one store): it must change nothing at all in the report, rather than be refused.
    public var inert = false
    public var description: String { name }

    public init(name: String, bytes: [UInt8], sidecar: [UInt8]? = nil) {
        self.name = name
        self.bytes = bytes
        self.sidecar = sidecar
    }
}

/// Where a signed file keeps its store, and the store's boxes.
public struct SignedLayout: Sendable {
    public let file: [UInt8]
    public let format: AssetFormat
    public let storeRange: Range<Int>
    /// Offset of the store's first byte in the file (after the APP11 / chunk header).
    public let storeOffset: Int
    public let store: [UInt8]
    public let root: JUMBFBox

    public init(_ file: [UInt8]) throws {
        self.file = file
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString).bin").path
        try Data(file).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scan = try AssetContainer.scan(try FileReader(path: path))
        guard let store = scan.manifestStore, scan.storeRanges.count == 1, scan.carrierRanges.count == 1 else { throw LayoutError.noStore }
        format = scan.format
        let carrier = Int(scan.carrierRanges[0].lowerBound)..<Int(scan.carrierRanges[0].upperBound)
        let excluded = Int(scan.storeRanges[0].lowerBound)..<Int(scan.storeRanges[0].upperBound)
        storeRange = carrier
        switch format.container {
        case .jpeg:
            // FF EB, Lp, CI "JP", En, Z (4); one packet for the small stores these tests sign.
            storeOffset = carrier.lowerBound + 12
            guard carrier.count == store.count + 12 else { throw LayoutError.multiPacket }
        case .png: storeOffset = carrier.lowerBound + 8
        case .riff: storeOffset = carrier.lowerBound + 8
        case .id3: storeOffset = excluded.lowerBound
        case .bmff: storeOffset = carrier.upperBound - store.count
        case .gif: storeOffset = carrier.lowerBound + 14
        case .tiff, .jxl, .svg, .pdf: storeOffset = carrier.lowerBound
        }
        self.store = store
        root = try JUMBFParser().parseBox(store)
    }

    public enum LayoutError: Error { case noStore, multiPacket, notFound }

    /// Where byte `i` of the store sits in the file: after `storeOffset`, except in a GIF, whose store is cut into
    /// sub-blocks of 255 bytes, each behind its length byte.
    public func fileOffset(ofStoreByte i: Int) -> Int {
        format.container == .gif ? storeOffset + (i / 255) * 256 + 1 + i % 255 : storeOffset + i
    }

    /// Every box of the store, depth first.
    public var boxes: [JUMBFBox] {
        var out: [JUMBFBox] = []
        func walk(_ b: JUMBFBox) {
            out.append(b)
            if case .superbox(_, let children) = b.content { children.forEach(walk) }
        }
        walk(root)
        return out
    }

    /// The active manifest box (the last manifest).
    public var activeManifest: JUMBFBox { root.children.last! }

    public func child(_ box: JUMBFBox, type: JUMBFType) -> JUMBFBox? { box.children.first { $0.description?.type == type } }

    /// Re-frames an edited store into the file with every length the container keeps fixed: the APP11 segment,
    /// the caBX chunk (and CRC), the C2PA RIFF chunk (and the RIFF size), the GEOB frame (and the ID3 tag size),
    /// the uuid box. `extra` goes right after the store's carrier.
    public func reframe(_ newStore: [UInt8], insertingAfterStore extra: [UInt8] = []) -> [UInt8] {
        var out = Array(file[..<storeRange.lowerBound])
        switch format.container {
        case .jpeg:
            let header = Array(file[storeRange.lowerBound..<storeOffset])
            let lp = newStore.count + 10
            out += [header[0], header[1], UInt8(lp >> 8), UInt8(lp & 0xFF)] + header[4...] + newStore
        case .png:
            out += PNGChunk.make("caBX", newStore)
        case .riff:
            out += Array("C2PA".utf8) + RIFFBytes.le32(UInt32(newStore.count)) + newStore + (newStore.count % 2 == 1 ? [0] : [])
        case .id3:
            let frameStart = storeRange.lowerBound
            let fields = Array(file[(frameStart + 10)..<storeOffset])
            let size = fields.count + newStore.count
            out += Array(file[frameStart..<(frameStart + 4)]) + ID3Bytes.size(size, syncsafe: file[3] == 4) + [0, 0] + fields + newStore
        case .bmff:
            let header = Array(file[(storeRange.lowerBound + 4)..<storeOffset])
            out += PNGChunk.be32(UInt32(header.count + 4 + newStore.count)) + header + newStore
        case .gif:
            out += GIFBytes.c2pa(newStore)
        case .tiff:
            return TIFFBytes.reframe(file, store: storeRange, newStore: newStore, extra: extra)
        case .jxl, .pdf:
            // PDF: the stream's /Length is left as it was, so a store of another size no longer parses.
            out += newStore
        case .svg:
            out += Array(Data(newStore).base64EncodedString().utf8)
        }
        out += extra
        out += file[storeRange.upperBound...]
        let delta = out.count - file.count
        switch format.container {
        case .riff:
            let size = Int(file[4]) | Int(file[5]) << 8 | Int(file[6]) << 16 | Int(file[7]) << 24
            out.replaceSubrange(4..<8, with: RIFFBytes.le32(UInt32(size + delta)))
        case .id3:
            let size = Int(file[6]) << 21 | Int(file[7]) << 14 | Int(file[8]) << 7 | Int(file[9])
            out.replaceSubrange(6..<10, with: ID3Bytes.size(size + delta, syncsafe: true))
        default: break
        }
        return out
    }
}

public enum RIFFBytes {
    public static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }

    /// A chunk with its pad byte.
    public static func chunk(_ id: String, _ data: [UInt8]) -> [UInt8] {
        Array(id.utf8) + le32(UInt32(data.count)) + data + (data.count % 2 == 1 ? [0] : [])
    }
}

/// Edits of a little-endian classic TIFF as Signet writes it (the store, then the IFD the header points to).
public enum TIFFBytes {
    static func u32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }
    static func put32(_ b: inout [UInt8], _ i: Int, _ v: Int) {
        for k in 0..<4 { b[i + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
    }

    /// The offset of the C2PA entry (tag 0xCD41) in the IFD the header points to.
    public static func c2paEntry(_ file: [UInt8]) -> Int? {
        let ifd = u32(file, 4)
        guard ifd + 2 <= file.count else { return nil }
        let n = Int(file[ifd]) | Int(file[ifd + 1]) << 8
        for i in 0..<n where ifd + 2 + i * 12 + 12 <= file.count {
            let e = ifd + 2 + i * 12
            if file[e] == 0x41, file[e + 1] == 0xCD { return e }
        }
        return nil
    }

    /// The C2PA entry's count set to `count`.
    public static func settingC2PACount(_ file: [UInt8], to count: UInt32) -> [UInt8] {
        var out = file
        if let e = c2paEntry(file) { put32(&out, e + 4, Int(count)) }
        return out
    }

    /// `newStore` (then `extra`) in place of the store at `store`, the IFD after it moved and the header and the
    /// C2PA entry's count made to match.
    public static func reframe(_ file: [UInt8], store: Range<Int>, newStore: [UInt8], extra: [UInt8]) -> [UInt8] {
        let ifd = u32(file, 4)
        precondition(ifd >= store.upperBound, "Signet's layout puts the IFD after the store")
        var out = Array(file[..<store.lowerBound]) + newStore + extra
        if out.count % 2 == 1 { out.append(0) }
        let newIFD = out.count
        out += file[ifd...]
        put32(&out, 4, newIFD)
        if let e = c2paEntry(out) { put32(&out, e + 4, newStore.count) }
        return out
    }
}

public enum GIFBytes {
    /// `data` in sub-blocks of at most 255 bytes, with the terminator.
    public static func subBlocks(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            let n = min(255, data.count - i)
            out.append(UInt8(n))
            out += data[i..<(i + n)]
            i += n
        }
        return out + [0]
    }

    /// The C2PA application extension carrying `store`, as c2pa-rs writes it.
    public static func c2pa(_ store: [UInt8]) -> [UInt8] {
        [0x21, 0xFF, 0x0B] + Array("C2PA_GIF".utf8) + [1, 0, 0] + subBlocks(store)
    }

    /// A comment extension of exactly `total` bytes (at least 5): introducer, label, sub-blocks of 'A', terminator.
    public static func comment(total: Int) -> [UInt8] {
        let inner = total - 3
        let blocks = max(1, (inner + 255) / 256)
        let data = inner - blocks
        var out: [UInt8] = [0x21, 0xFE]
        for b in 0..<blocks {
            let n = data / blocks + (b < data % blocks ? 1 : 0)
            out.append(UInt8(n))
            out += [UInt8](repeating: 0x41, count: n)
        }
        return out + [0]
    }
}

public enum ID3Bytes {
    public static func size(_ v: Int, syncsafe: Bool) -> [UInt8] {
        syncsafe
            ? [UInt8(v >> 21 & 0x7F), UInt8(v >> 14 & 0x7F), UInt8(v >> 7 & 0x7F), UInt8(v & 0x7F)]
            : PNGChunk.be32(UInt32(v))
    }

    /// A TXXX frame (UTF-8, description "comment") of exactly `total` bytes, header included.
    public static func txxx(total: Int, syncsafe: Bool) -> [UInt8] {
        let body: [UInt8] = [3] + Array("comment\0".utf8) + [UInt8](repeating: 0x41, count: total - 10 - 9)
        return Array("TXXX".utf8) + size(body.count, syncsafe: syncsafe) + [0, 0] + body
    }
}

/// ISO BMFF boxes for the attacks.
public enum BMFFBytes {
    public static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        PNGChunk.be32(UInt32(8 + payload.count)) + Array(type.utf8) + payload
    }
}

public enum PNGChunk {
    public static func make(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let t = Array(type.utf8)
        let crc = CRC32.checksum(t + data)
        return be32(UInt32(data.count)) + t + data + be32(crc)
    }
    public static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}

public enum ForgeryGenerator {
    /// Every keyless edit of `file` (signed by Signet or c2pa-rs), in a stable order.
    /// `masks`: the bit flips applied to each unsigned byte (two by default; one halves the count).
    public static func all(_ file: [UInt8], masks: [UInt8] = [0x01, 0x80]) throws -> [Forgery] {
        let layout = try SignedLayout(file)
        return unsignedByteEdits(layout, masks: masks) + lengthLies(layout) + structural(layout)
    }

    /// Byte ranges of the store that no signature or hash covers: every box header and description box, and
    /// the claim signature box's content (its protected header and signature are covered by the signature
    /// check itself, its unprotected header by nothing).
    static func unsignedRanges(_ layout: SignedLayout) -> [(String, Range<Int>)] {
        var out: [(String, Range<Int>)] = []
        let manifest = layout.activeManifest
        // Boxes whose payload a hash covers: the claim's CBOR (signature), and each assertion box (hashed URI).
        var covered: [Range<Int>] = []
        if let claim = layout.child(manifest, type: .claim), let cbor = claim.children.first(where: { $0.type == .cbor }) {
            covered.append(cbor.payloadRange)
        }
        if let assertions = layout.child(manifest, type: .assertionStore) {
            for a in assertions.children { covered.append(a.payloadRange) }
        }
        for box in layout.boxes {
            let inside = covered.contains { $0.contains(box.range.lowerBound) }
            if inside { continue }
            out.append(("\(box.label ?? box.type.description) header", box.range.lowerBound..<box.payloadRange.lowerBound))
            if box.description != nil {
                let start = box.payloadRange.lowerBound
                let length = Int(layout.store[start]) << 24 | Int(layout.store[start + 1]) << 16 | Int(layout.store[start + 2]) << 8 | Int(layout.store[start + 3])
                out.append(("\(box.label ?? "?") description box", start..<min(start + length, box.payloadRange.upperBound)))
            }
        }
        if let signature = layout.child(manifest, type: .signature), let cbor = signature.children.first(where: { $0.type == .cbor }) {
            out.append(("claim signature content", cbor.payloadRange))
        }
        return out
    }

    /// Two flips of every unsigned byte of the store (low bit, high bit), and of every container header byte.
    static func unsignedByteEdits(_ layout: SignedLayout, masks: [UInt8]) -> [Forgery] {
        var out: [Forgery] = []
        var done = Set<Int>()
        for (what, range) in unsignedRanges(layout) {
            for i in range where done.insert(i).inserted {
                for mask in masks {
                    if layout.format == .svg {
                        // Base64 text: the flipped store is encoded again.
                        var store = layout.store
                        store[i] ^= mask
                        out.append(Forgery(name: "\(what): byte \(i) ^ \(mask)", bytes: layout.reframe(store)))
                        continue
                    }
                    var bytes = layout.file
                    bytes[layout.fileOffset(ofStoreByte: i)] ^= mask
                    if layout.format == .png { fixPNGCRC(&bytes, layout) }
                    out.append(Forgery(name: "\(what): byte \(i) ^ \(mask)", bytes: bytes))
                }
            }
        }
        // The container's own header bytes: APP11 marker, length, CI, En, Z / caBX length and type.
        for i in layout.storeRange.lowerBound..<layout.storeOffset {
            var bytes = layout.file
            bytes[i] ^= 0x01
            let offset = i - layout.storeRange.lowerBound
            var forgery = Forgery(name: "container header byte \(offset) ^ 1", bytes: bytes)
            // Fields that carry no meaning: the JPEG-XT box instance (En), and in the BMFF uuid box the flags and
            // the merkle-offset field (c2pa-rs writes 0 and neither reads it).
            forgery.inert = (layout.format == .jpeg && (offset == 6 || offset == 7))
                || (layout.format.container == .bmff && ((25...27).contains(offset) || (37...44).contains(offset)))
            out.append(forgery)
        }
        return out
    }

    static func fixPNGCRC(_ bytes: inout [UInt8], _ layout: SignedLayout) {
        let typeStart = layout.storeRange.lowerBound + 4
        let dataEnd = layout.storeRange.upperBound - 4
        let crc = CRC32.checksum(Array(bytes[typeStart..<dataEnd]))
        bytes.replaceSubrange(dataEnd..<layout.storeRange.upperBound, with: PNGChunk.be32(crc))
    }

    /// Each box's LBox told a lie (+-1, +-8, 0, 1, huge), with the container framing kept consistent.
    static func lengthLies(_ layout: SignedLayout) -> [Forgery] {
        var out: [Forgery] = []
        for box in layout.boxes {
            let at = box.range.lowerBound
            let real = box.range.count
            for lie in [real + 1, real - 1, real + 8, real - 8, 0, 1, 0xFFFF_FFFF] where lie >= 0 && lie != real {
                var store = layout.store
                store.replaceSubrange(at..<(at + 4), with: PNGChunk.be32(UInt32(truncatingIfNeeded: lie)))
                out.append(Forgery(name: "\(box.label ?? box.type.description) LBox \(real) -> \(lie)", bytes: layout.reframe(store)))
            }
        }
        // The container's own length field.
        for delta in [-1, 1, 4] {
            var bytes = layout.file
            let at = layout.storeRange.lowerBound + (layout.format == .jpeg ? 2 : layout.format.container == .riff || layout.format.container == .id3 ? 4 : 0)
            if layout.format.container == .riff {
                bytes.replaceSubrange(at..<(at + 4), with: RIFFBytes.le32(UInt32(layout.store.count + delta)))
            } else if layout.format.container == .id3 {
                let size = layout.storeOffset - layout.storeRange.lowerBound - 10 + layout.store.count + delta
                bytes.replaceSubrange(at..<(at + 4), with: ID3Bytes.size(size, syncsafe: layout.file[3] == 4))
            } else if layout.format.container == .bmff {
                bytes.replaceSubrange(at..<(at + 4), with: PNGChunk.be32(UInt32(layout.storeRange.count + delta)))
            } else if layout.format == .svg {
                continue  // no length field: the element's end tag ends the text
            } else if layout.format.container == .tiff {
                bytes = TIFFBytes.settingC2PACount(bytes, to: UInt32(layout.store.count + delta))
            } else if layout.format.container == .gif {
                // The first sub-block's length byte.
                let first = layout.storeOffset
                bytes[first] = UInt8(truncatingIfNeeded: Int(bytes[first]) + delta)
            } else if layout.format == .jpeg {
                let v = (Int(bytes[at]) << 8 | Int(bytes[at + 1])) + delta
                bytes[at] = UInt8(v >> 8 & 0xFF)
                bytes[at + 1] = UInt8(v & 0xFF)
            } else {
                let v = UInt32(layout.store.count + delta)
                bytes.replaceSubrange(at..<(at + 4), with: PNGChunk.be32(v))
            }
            out.append(Forgery(name: "container length \(delta > 0 ? "+" : "")\(delta)", bytes: bytes))
        }
        return out
    }

    /// The structural attacks: each rebuilt so that every length and checksum is consistent.
    public static func structural(_ layout: SignedLayout) -> [Forgery] {
        var out: [Forgery] = []
        let manifest = layout.activeManifest
        // A TIFF's last bytes are its IFD; its strip follows the header.
        let pixel = layout.format == .png ? layout.storeRange.upperBound + 20 : layout.format.container == .tiff ? 20 : layout.file.count - 10

        // 1. Standard manifest relabelled as an update manifest (jumd type "c2ma" -> "c2um"), with a pixel changed.
        let typeAt = manifest.payloadRange.lowerBound + 8
        var relabel = layout.store
        relabel.replaceSubrange(typeAt..<(typeAt + 4), with: Array("c2um".utf8))
        var relabelled = layout.reframe(relabel)
        out.append(Forgery(name: "c2ma relabelled c2um", bytes: relabelled))
        relabelled[pixel + (relabelled.count - layout.file.count)] ^= 0x01
        out.append(Forgery(name: "c2ma relabelled c2um, pixel changed", bytes: relabelled))

        // 2. The COSE pad shrunk by 64 bytes, every enclosing length fixed, and the freed bytes given to a new
        //    segment (APP1 Exif, Orientation 6) or chunk (gAMA) right after the store, inside the old exclusion.
        if let (shrunk, removed) = shrinkPad(layout, by: 64) {
            let extra: [UInt8]
            let what: String
            switch layout.format.container {
            case .jpeg:
                // APP1 "Exif\0\0" + a little-endian TIFF with one IFD entry: Orientation (0x0112) = 6.
                var exif: [UInt8] = Array("Exif".utf8) + [0, 0] + [0x49, 0x49, 0x2A, 0x00, 0x08, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
                exif += [UInt8](repeating: 0, count: removed - 4 - exif.count)
                extra = [0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)] + exif
                what = "an APP1 Exif segment"
            case .png:
                extra = PNGChunk.make("gAMA", [0, 0, 0xB1, 0x8F]) + PNGChunk.make("tEXt", Array("Comment\0".utf8) + [UInt8](repeating: 0x41, count: removed - 16 - 12 - 8))
                what = "a gAMA chunk"
            case .riff:
                // LIST INFO with a title (INAM): metadata a player shows.
                let title = [UInt8](repeating: 0x41, count: removed - 8 - 4 - 8)
                extra = RIFFBytes.chunk("LIST", Array("INFO".utf8) + RIFFBytes.chunk("INAM", title))
                what = "a LIST INFO title chunk"
            case .id3:
                extra = ID3Bytes.txxx(total: removed, syncsafe: layout.file[3] == 4)
                what = "a TXXX frame"
            case .bmff:
                extra = BMFFBytes.box("meta", [0, 0, 0, 0] + BMFFBytes.box("xml ", [0, 0, 0, 0] + [UInt8](repeating: 0x41, count: removed - 8 - 4 - 8 - 4)))
                what = "a top-level meta box"
            case .gif:
                extra = GIFBytes.comment(total: removed)
                what = "a comment extension"
            case .tiff:
                extra = [UInt8](repeating: 0x41, count: removed)
                what = "unreferenced bytes"
            case .jxl:
                extra = BMFFBytes.box("xml ", [UInt8](repeating: 0x41, count: removed - 8))
                what = "an xml box"
            case .svg:
                extra = Array("<!--".utf8) + [UInt8](repeating: 0x41, count: removed - 7) + Array("-->".utf8)
                what = "an XML comment"
            case .pdf:
                extra = [UInt8](repeating: 0x20, count: removed)
                what = "white space inside the stream"
            }
            out.append(Forgery(name: "pad shrunk by \(removed), \(what) in the freed exclusion bytes", bytes: layout.reframe(shrunk, insertingAfterStore: extra)))
        }

        // 3. The store twice (a second copy right after the first).
        var twice = layout.file
        twice.insert(contentsOf: layout.file[layout.storeRange], at: layout.storeRange.upperBound)
        out.append(Forgery(name: "store duplicated", bytes: twice))

        // 4. The store moved to the end of the file (JPEG: after EOI; PNG: before IEND; others: the last bytes).
        var moved = layout.file
        let storeBytes = Array(moved[layout.storeRange])
        moved.removeSubrange(layout.storeRange)
        if layout.format == .png {
            moved.insert(contentsOf: storeBytes, at: moved.count - 12)
        } else {
            moved += storeBytes
        }
        if moved != layout.file {  // a RIFF store is already the last chunk: moving it is no edit
            out.append(Forgery(name: "store moved to the end", bytes: moved))
        }

        // 5. The store taken out into a sidecar, and the bytes it occupied filled with the attacker's own
        //    (same length, so every hashed byte stays where it was).
        var filled = layout.file
        let hole = layout.storeRange
        switch layout.format.container {
        case .jpeg:
            let n = hole.count - 4
            filled.replaceSubrange(hole, with: [0xFF, 0xE1, UInt8((n + 2) >> 8), UInt8((n + 2) & 0xFF)] + [UInt8](repeating: 0x41, count: n))
        case .png:
            filled.replaceSubrange(hole, with: PNGChunk.make("tEXt", Array("Comment\0".utf8) + [UInt8](repeating: 0x41, count: hole.count - 12 - 8)))
        case .riff:
            filled.replaceSubrange(hole, with: RIFFBytes.chunk("LIST", Array("INFO".utf8) + RIFFBytes.chunk("INAM", [UInt8](repeating: 0x41, count: hole.count - 20))))
        case .id3:
            filled.replaceSubrange(hole, with: ID3Bytes.txxx(total: hole.count, syncsafe: layout.file[3] == 4))
        case .bmff:
            filled.replaceSubrange(hole, with: BMFFBytes.box("meta", [0, 0, 0, 0] + BMFFBytes.box("xml ", [0, 0, 0, 0] + [UInt8](repeating: 0x41, count: hole.count - 24))))
        case .gif:
            filled.replaceSubrange(hole, with: GIFBytes.comment(total: hole.count))
        case .tiff:
            // The entry renamed to a private tag, so the file carries no store and its bytes are the attacker's.
            filled.replaceSubrange(hole, with: [UInt8](repeating: 0x41, count: hole.count))
            if let e = TIFFBytes.c2paEntry(filled) { filled[e] = 0x42 }
        case .jxl:
            filled.replaceSubrange(hole, with: BMFFBytes.box("xml ", [UInt8](repeating: 0x41, count: hole.count - 8)))
        case .svg, .pdf:
            filled.replaceSubrange(hole, with: [UInt8](repeating: 0x41, count: hole.count))
        }
        out.append(Forgery(name: "store moved to a sidecar, its place filled", bytes: filled, sidecar: layout.store))

        // 6. The claim box relabelled c2pa.claim.v2 -> c2pa.claim (the 1.x rules), and the reverse direction.
        if let claim = layout.child(manifest, type: .claim), let label = claim.label {
            let labelAt = claim.payloadRange.lowerBound + 8 + 16 + 1
            var store = layout.store
            let target = label == "c2pa.claim.v2" ? "c2pa.claim\0\0\0" : "c2pa.claim.v"
            store.replaceSubrange(labelAt..<(labelAt + target.utf8.count), with: Array(target.utf8))
            out.append(Forgery(name: "claim box label \(label) rewritten", bytes: layout.reframe(store)))
        }

        // 7. An assertion the claim does not name (an author, say) added to the active manifest's assertion store,
        //    paid for by shrinking the pad, so the store keeps its size and the exclusion still fits it.
        if let (shrunk, removed) = shrinkPad(layout, by: 96), let assertionStore = layout.child(manifest, type: .assertionStore) {
            var extra: [UInt8] = []
            for n in 0..<removed {
                let box = JUMBFWriter.cborContentBox(label: "stds.schema-org.CreativeWork", cbor: [0x59, UInt8(n >> 8), UInt8(n & 0xFF)] + [UInt8](repeating: 0x41, count: n))
                if box.count == removed { extra = box; break }
            }
            if !extra.isEmpty {
                var store = shrunk
                store.insert(contentsOf: extra, at: assertionStore.range.upperBound)
                for box in [layout.root, manifest, assertionStore] {
                    let at = box.range.lowerBound
                    let current = Int(store[at]) << 24 | Int(store[at + 1]) << 16 | Int(store[at + 2]) << 8 | Int(store[at + 3])
                    store.replaceSubrange(at..<(at + 4), with: PNGChunk.be32(UInt32(current + removed)))
                }
                out.append(Forgery(name: "an assertion the claim does not name added, paid for by the pad", bytes: layout.reframe(store)))
            }
        }

        // 8. Zero bytes of padding turned into a message (the pad's content, not its length).
        if let padded = writeIntoPad(layout) {
            out.append(Forgery(name: "text written into the COSE pad", bytes: layout.reframe(padded)))
        }
        return out
    }

    /// The COSE pad's byte string: where its content starts (after the bstr head) and how long it is.
    static func padLocation(_ layout: SignedLayout) -> (head: Int, content: Range<Int>)? {
        guard let signature = layout.child(layout.activeManifest, type: .signature),
            let cbor = signature.children.first(where: { $0.type == .cbor })
        else { return nil }
        let key = Array("pad".utf8)
        let bytes = layout.store
        var i = cbor.payloadRange.lowerBound
        // "pad" as a CBOR text string: 0x63 'p' 'a' 'd', then a bstr head.
        while i + 5 < cbor.payloadRange.upperBound {
            if bytes[i] == 0x63, Array(bytes[(i + 1)..<(i + 4)]) == key {
                let h = i + 4
                let major = bytes[h] & 0xE0, info = Int(bytes[h] & 0x1F)
                guard major == 0x40 else { return nil }
                switch info {
                case 0..<24: return (h, (h + 1)..<(h + 1 + info))
                case 24: return (h, (h + 2)..<(h + 2 + Int(bytes[h + 1])))
                case 25: return (h, (h + 3)..<(h + 3 + (Int(bytes[h + 1]) << 8 | Int(bytes[h + 2]))))
                default: return nil
                }
            }
            i += 1
        }
        return nil
    }

    /// The store with the COSE pad shortened by `n` bytes and every enclosing length fixed.
    static func shrinkPad(_ layout: SignedLayout, by n: Int) -> ([UInt8], Int)? {
        guard let (head, content) = padLocation(layout), content.count > n + 30 else { return nil }
        var store = layout.store
        let newLength = content.count - n
        let newHead: [UInt8] = newLength < 256 ? [0x58, UInt8(newLength)] : [0x59, UInt8(newLength >> 8), UInt8(newLength & 0xFF)]
        let removed = (content.lowerBound - head) - newHead.count + n
        store.replaceSubrange(head..<content.upperBound, with: newHead + [UInt8](repeating: 0, count: newLength))
        // Every box that encloses the pad shrinks by `removed`.
        for box in layout.boxes where box.range.contains(head) {
            let at = box.range.lowerBound
            store.replaceSubrange(at..<(at + 4), with: PNGChunk.be32(UInt32(box.range.count - removed)))
        }
        return (store, removed)
    }

    static func writeIntoPad(_ layout: SignedLayout) -> [UInt8]? {
        guard let (_, content) = padLocation(layout), content.count >= 16 else { return nil }
        var store = layout.store
        store.replaceSubrange(content.lowerBound..<(content.lowerBound + 16), with: Array("attacker's text!".utf8))
        return store
    }
}
