/// ID3v2 parsing (MP3, and FLAC as c2pa-rs writes it) and the C2PA `GEOB` frame.
///
/// ```
/// file    = [tag] audio                                  ; audio: MPEG frames (MP3) or 'fLaC' ... (FLAC)
/// tag     = 'ID3' Major:u8 Rev:u8 Flags:u8 Size:syncsafe32 [ext-header] *frame *padding [footer]
///                                                        ; Size counts what follows the header (not the footer)
/// frame   = Id:4 Size:u32 (v2.3) | syncsafe32 (v2.4) Flags:u16 Data:Size bytes
/// GEOB    = Encoding:u8 Mime:latin1 00 Filename:text Description:text Object   ; text NUL-terminated in Encoding
/// C2PA    = GEOB with Mime 'application/c2pa' (or the older 'application/x-c2pa-manifest-store'), Object = store
/// ```
/// As c2pa-rs: a data hash excludes the frame's object bytes only; a file without a tag gets a v2.4 tag at its
/// start holding just the C2PA frame. Unlike c2pa-rs, an existing tag is not re-encoded: its other frames and its
/// padding stay byte for byte, the C2PA frame goes where the old one was (else after the last frame) and only the
/// tag's size field changes, so removing the store gives back the original file.
enum ID3Container {
    static let mime = "application/c2pa"
    static let legacyMime = "application/x-c2pa-manifest-store"
    static let filename = "c2pa"
    static let description = "c2pa manifest store"
    static let maxFrames = 1_000_000
    static let maxTagSize = (1 << 28) - 1

    struct Layout: Sendable {
        /// The tag at the start of the file, if any.
        var tag: Tag?
        /// Where the audio starts (the end of the tag, or 0).
        var audioStart: Int64
    }

    struct Tag: Sendable {
        var major: UInt8
        var flags: UInt8
        /// The size field: bytes after the 10-byte header, footer excluded.
        var size: Int
        /// Where the frames end and padding (or the footer, or the audio) begins.
        var framesEnd: Int64
        /// The number of frames.
        var frameCount: Int
        /// The extended header's bytes, if the tag has one.
        var extendedHeader: Range<Int64>? = nil
        var hasFooter: Bool { major == 4 && flags & 0x10 != 0 }
        var end: Int64 { 10 + Int64(size) + (hasFooter ? 10 : 0) }
    }

    static func scan(_ reader: FileReader, maxStoreSize: Int) throws(MediaError) -> AssetScan {
        var input = WindowedReader(reader)
        let size = reader.size
        var segments: [AssetSegment] = []
        var tag: Tag?
        var store: [UInt8]?
        var storeRange: Range<Int64>?
        var carrier: Range<Int64>?
        var audioStart: Int64 = 0
        if let h = try input.bytes(at: 0, count: 10), h.matches(Array("ID3".utf8), at: 0) {
            let major = h[h.startIndex + 3]
            let revision = h[h.startIndex + 4]
            let flags = h[h.startIndex + 5]
            guard (2...4).contains(major), revision != 0xFF else {
                throw MediaError(.corrupt, "ID3v2 tag with unknown version 2.\(major).\(revision)")
            }
            guard let tagSize = syncsafe(h.dropFirst(6)) else {
                throw MediaError(.corrupt, "ID3v2 tag size is not a syncsafe integer")
            }
            var t = Tag(major: major, flags: flags, size: tagSize, framesEnd: 10, frameCount: 0)
            guard t.end <= size else {
                throw MediaError(.truncated, "the ID3v2 tag declares \(tagSize) bytes, past the end of the file")
            }
            segments.append(AssetSegment(name: "ID3", marker: nil, range: 0..<10, isC2PA: false))
            let bodyEnd = 10 + Int64(tagSize)
            var position: Int64 = 10
            if flags & 0x40 != 0, major >= 3 {
                guard let e = try input.bytes(at: 10, count: 4) else { throw MediaError(.truncated, "ID3v2 extended header truncated") }
                let extSize: Int64
                if major == 4 {
                    guard let s = syncsafe(e) else { throw MediaError(.corrupt, "ID3v2 extended header size is not syncsafe") }
                    extSize = Int64(s)
                } else {
                    extSize = Int64(e.beU32(at: 0) ?? 0) + 4
                }
                guard extSize >= 4, 10 + extSize <= bodyEnd else {
                    throw MediaError(.corrupt, "ID3v2 extended header size \(extSize) does not fit the tag")
                }
                segments.append(AssetSegment(name: "ID3ext", marker: nil, range: 10..<(10 + extSize), isC2PA: false))
                t.extendedHeader = 10..<(10 + extSize)
                position = 10 + extSize
            }
            let headerSize: Int64 = major == 2 ? 6 : 10
            while position + headerSize <= bodyEnd {
                guard let fh = try input.bytes(at: position, count: Int(headerSize)) else {
                    throw MediaError(.truncated, "ID3v2 frame header truncated at \(position)")
                }
                if fh.first == 0 { break }  // padding
                let idLength = major == 2 ? 3 : 4
                let id = Array(fh.prefix(idLength))
                guard id.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }) else {
                    throw MediaError(.corrupt, "ID3v2 frame at offset \(position) has an invalid identifier")
                }
                let frameSize: Int64
                switch major {
                case 2: frameSize = Int64(fh[fh.startIndex + 3]) << 16 | Int64(fh[fh.startIndex + 4]) << 8 | Int64(fh[fh.startIndex + 5])
                case 3: frameSize = Int64(fh.beU32(at: 4) ?? 0)
                default:
                    guard let s = syncsafe(fh.dropFirst(4)) else {
                        throw MediaError(.corrupt, "ID3v2.4 frame at offset \(position) has a size that is not syncsafe")
                    }
                    frameSize = Int64(s)
                }
                let frameEnd = position + headerSize + frameSize
                guard frameSize > 0, frameEnd <= bodyEnd else {
                    throw MediaError(.corrupt, "ID3v2 frame '\(RIFFContainer.printable(id))' at offset \(position) declares \(frameSize) bytes, which do not fit the tag")
                }
                t.frameCount += 1
                guard t.frameCount <= maxFrames else { throw MediaError(.corrupt, "more than \(maxFrames) ID3v2 frames") }
                var isC2PA = false
                if major >= 3, id == Array("GEOB".utf8) {
                    let frameFlags = fh.beU16(at: 8) ?? 0
                    if let object = try c2paObject(&input, data: (position + headerSize)..<frameEnd) {
                        // Compressed, encrypted or unsynchronised frames do not hold the store's bytes as they are.
                        let transformed = major == 4 ? frameFlags & 0x000F != 0 : frameFlags & 0x00C0 != 0
                        if transformed || flags & 0x80 != 0 {
                            throw MediaError(.unsupportedFormat, "the C2PA frame at offset \(position) is compressed, encrypted or unsynchronised")
                        }
                        guard store == nil else {
                            throw MediaError(.multipleStores, "a second C2PA GEOB frame at offset \(position)")
                        }
                        guard object.count <= maxStoreSize else {
                            throw MediaError(.storeTooLarge, "C2PA GEOB object of \(object.count) bytes exceeds the \(maxStoreSize)-byte limit")
                        }
                        let bytes = try reader.read(at: object.lowerBound, count: Int(object.count))
                        guard StoreHeader.isC2PAStore(bytes[...]) else {
                            throw MediaError(.corrupt, "the C2PA GEOB frame at offset \(position) does not hold a C2PA manifest store")
                        }
                        store = bytes
                        storeRange = object
                        carrier = position..<frameEnd
                        isC2PA = true
                    }
                }
                segments.append(AssetSegment(name: RIFFContainer.printable(id), marker: nil, range: position..<frameEnd, isC2PA: isC2PA))
                position = frameEnd
            }
            t.framesEnd = position
            if position < bodyEnd {
                segments.append(AssetSegment(name: "PADDING", marker: nil, range: position..<bodyEnd, isC2PA: false))
            }
            if t.hasFooter {
                segments.append(AssetSegment(name: "ID3footer", marker: nil, range: bodyEnd..<t.end, isC2PA: false))
            }
            tag = t
            audioStart = t.end
        }
        let audio = try input.bytes(at: audioStart, count: 4)
        let format: AssetFormat
        if let audio, audio.elementsEqual(Array("fLaC".utf8)) {
            format = .flac
        } else if let audio, audio.count >= 2, audio.first == 0xFF, audio[audio.startIndex + 1] & 0xE0 == 0xE0 {
            format = .mp3
        } else if tag != nil {
            // MP3 files sometimes carry junk between the tag and the first frame; what follows is hashed as it is.
            format = .mp3
        } else {
            throw MediaError(.unsupportedFormat, "not an MP3 or FLAC file")
        }
        if audioStart < size {
            segments.append(AssetSegment(name: format == .flac ? "fLaC" : "AUDIO", marker: nil, range: audioStart..<size, isC2PA: false))
        }
        return AssetScan(
            format: format, fileSize: size, manifestStore: store, storeRanges: storeRange.map { [$0] } ?? [],
            carrierRanges: carrier.map { [$0] } ?? [], insertionOffset: carrier?.lowerBound ?? tag?.framesEnd ?? 0,
            segments: segments, segmentsComplete: true, layout: .id3(Layout(tag: tag, audioStart: audioStart)))
    }

    /// The object bytes of a GEOB frame whose mime type names a C2PA store, or `nil` for any other GEOB.
    private static func c2paObject(_ input: inout WindowedReader, data: Range<Int64>) throws(MediaError) -> Range<Int64>? {
        // Encoding, then the mime type (Latin-1, NUL-terminated): only the first bytes are needed to decide.
        let probeLength = min(1 + legacyMime.utf8.count + 1, data.count)
        guard let probe = try input.bytes(at: data.lowerBound, count: probeLength), let encoding = probe.first else { return nil }
        let mimeBytes = probe.dropFirst().prefix { $0 != 0 }
        let found = String(decoding: mimeBytes, as: UTF8.self)
        guard found == mime || found == legacyMime, mimeBytes.count < probe.count - 1 else { return nil }
        var position = data.lowerBound + 1 + Int64(mimeBytes.count) + 1
        // Filename and description, in the frame's text encoding.
        for _ in 0..<2 {
            position = try skipText(&input, from: position, end: data.upperBound, encoding: encoding)
        }
        return position..<data.upperBound
    }

    /// The offset after a NUL-terminated string in `encoding` (0, 3: one NUL byte; 1, 2: a two-byte NUL aligned
    /// to the string's start).
    private static func skipText(_ input: inout WindowedReader, from start: Int64, end: Int64, encoding: UInt8) throws(MediaError) -> Int64 {
        let wide = encoding == 1 || encoding == 2
        guard encoding <= 3 else { throw MediaError(.corrupt, "ID3v2 GEOB frame with text encoding \(encoding)") }
        var position = start
        let limit = min(end, start + 4096)
        while position < limit {
            if wide {
                guard let pair = try input.bytes(at: position, count: 2) else { break }
                if pair.allSatisfy({ $0 == 0 }) { return position + 2 }
                position += 2
            } else {
                guard let b = try input.bytes(at: position, count: 1) else { break }
                if b.first == 0 { return position + 1 }
                position += 1
            }
        }
        throw MediaError(.corrupt, "ID3v2 GEOB frame text at offset \(start) is not terminated")
    }

    static func syncsafe(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var v = 0
        for b in bytes.prefix(4) {
            guard b < 0x80 else { return nil }
            v = v << 7 | Int(b)
        }
        return v
    }

    static func syncsafeBytes(_ value: Int) -> [UInt8] {
        [UInt8(value >> 21 & 0x7F), UInt8(value >> 14 & 0x7F), UInt8(value >> 7 & 0x7F), UInt8(value & 0x7F)]
    }

    /// The GEOB frame's bytes before the object: header, encoding, mime, filename, description.
    static func frameHeader(objectSize: Int, major: UInt8) -> [UInt8] {
        var body: [UInt8] = [3]  // UTF-8, as c2pa-rs
        body += Array(mime.utf8) + [0] + Array(filename.utf8) + [0] + Array(description.utf8) + [0]
        let size = body.count + objectSize
        var out = Array("GEOB".utf8)
        if major == 4 {
            out += syncsafeBytes(size)
        } else {
            out.appendBE(UInt32(size))
        }
        out += [0, 0]
        return out + body
    }

    static var frameOverhead: Int { frameHeader(objectSize: 0, major: 4).count }

    static func encodedSize(storeSize: Int, layout: Layout) throws(MediaError) -> Int {
        let frame = frameOverhead + max(storeSize, 0)
        return layout.tag == nil ? frame + 10 : frame
    }

    static func encode(_ store: [UInt8], layout: Layout) throws(MediaError) -> [UInt8] {
        let major = layout.tag?.major ?? 4
        let frame = frameHeader(objectSize: store.count, major: major) + store
        guard let tag = layout.tag else {
            guard frame.count <= maxTagSize else { throw MediaError(.storeTooLarge, "an ID3v2 tag cannot hold \(store.count) bytes") }
            return Array("ID3".utf8) + [4, 0, 0] + syncsafeBytes(frame.count) + frame
        }
        guard tag.major >= 3 else { throw MediaError(.unsupportedFormat, "cannot add a frame to an ID3v2.2 tag") }
        return frame
    }

    static func plan(scan: AssetScan, layout: Layout, storeSize: Int?) throws(MediaError) -> EmbeddingPlan {
        let objectStart = frameOverhead + (layout.tag == nil ? 10 : 0)
        guard let tag = layout.tag else {
            // No tag: a new one at the start, holding only the C2PA frame.
            let encoded = try storeSize.map { s throws(MediaError) in try encodedSize(storeSize: s, layout: layout) } ?? 0
            guard encoded - 10 <= maxTagSize else {
                throw MediaError(.storeTooLarge, "an ID3v2 tag cannot hold a \(storeSize ?? 0)-byte manifest store")
            }
            return .splice(
                fileSize: scan.fileSize, removing: [], insertingAt: 0, encodedStoreSize: encoded,
                excludedInStore: objectStart..<(objectStart + (storeSize ?? 0)))
        }
        guard tag.major >= 3 else {
            throw MediaError(.unsupportedFormat, "the file's ID3v2.2 tag cannot carry a C2PA frame; convert it to ID3v2.3 or 2.4 first")
        }
        guard tag.flags & 0x80 == 0 else {
            throw MediaError(.unsupportedFormat, "the file's ID3v2 tag is unsynchronised; a C2PA frame cannot be added to it")
        }
        let encoded = storeSize.map { frameOverhead + $0 } ?? 0
        // An extended header goes when a frame is added: its CRC (if any) would no longer hold, and c2pa-rs 0.91.3
        // does not find a store in a v2.3 tag that has one.
        let dropped: [Range<Int64>] = storeSize != nil ? (tag.extendedHeader.map { [$0] } ?? []) : []
        let removedRanges = scan.carrierRanges + dropped
        let removed = removedRanges.reduce(0) { $0 + $1.count }
        let newSize = tag.size - Int(removed) + encoded
        guard newSize <= maxTagSize else {
            throw MediaError(.storeTooLarge, "the ID3v2 tag would exceed 256 MiB with the manifest store")
        }
        if storeSize == nil, newSize == 0, !tag.hasFooter {
            // The tag held only the C2PA frame (as when Signet or c2pa-rs created it): remove it whole.
            return .splice(fileSize: scan.fileSize, removing: [0..<tag.end], insertingAt: 0, encodedStoreSize: 0, excludedInStore: 0..<0)
        }
        var patches: [(Int64, [UInt8])] = [(6, syncsafeBytes(newSize))]
        if !dropped.isEmpty { patches.append((5, [tag.flags & ~0x40])) }
        if tag.hasFooter {
            patches.append((tag.end - 4, syncsafeBytes(newSize)))
            if !dropped.isEmpty { patches.append((tag.end - 5, [tag.flags & ~0x40])) }
        }
        let insertion = scan.carrierRanges.first?.lowerBound ?? tag.framesEnd
        return .splice(
            fileSize: scan.fileSize, removing: removedRanges, insertingAt: insertion, patches: patches,
            encodedStoreSize: encoded, excludedInStore: frameOverhead..<(frameOverhead + (storeSize ?? 0)))
    }
}
