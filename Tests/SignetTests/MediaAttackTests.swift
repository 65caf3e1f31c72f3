import Foundation
import SignetMedia
import SignetTrust
import SignetTestSupport
import Testing

@testable import Signet

/// Keyless forgeries of signed audio and video: each test builds a file Signet signs, then edits only bytes that no
/// signature covers (the default BMFF exclusions `/free`, `/skip`, `/ftyp`, `/mfra` and the C2PA `uuid` box), so
/// that a player (FFmpeg 5.1) presents different media. Each forged file must not verify Valid or Trusted.
///
/// The media-reference attacks need the file prepared before it is signed (an honest signer signs a file the
/// attacker supplied): its sample tables look, to Signet's check of media references, as if every chunk were in
/// signed bytes, while FFmpeg reads the samples from a `free` box. The `mfra` attack works on any signed fragmented
/// MP4 and needs no preparation.
@Suite(.serialized)
struct MediaAttackTests {
    let world: EndToEndWorld
    init() throws { world = try EndToEndWorld.shared.get() }

    // MARK: Helpers

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { PNGChunk.be32(v) }
    static func be64(_ v: UInt64) -> [UInt8] { be32(UInt32(v >> 32)) + be32(UInt32(v & 0xFFFF_FFFF)) }
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { BMFFBytes.box(type, payload) }
    static func full(_ type: String, _ payload: [UInt8], version: UInt8 = 0, flags: UInt32 = 0) -> [UInt8] {
        box(type, [version, UInt8(flags >> 16 & 0xFF), UInt8(flags >> 8 & 0xFF), UInt8(flags & 0xFF)] + payload)
    }
    static func media(_ count: Int, seed: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ seed) % 251) } }

    /// A 32×24 RGB `raw ` video sample description (FFmpeg's own), so that FFmpeg decodes the synthetic tracks:
    /// each sample is one 2304-byte frame.
    static let rawVideoStsd: [UInt8] = box("stsd", hex(
        "0000000000000001000000707261772000000000000000010000000046464d500000000000000400002000180048000000480000000000000001"
        + "164c61766335392e33372e31303020726177766964656f0000000000000000000018ffff0000000a6669656c010000000010706173700000000100000001"))
    static let frame = 2304
    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }
    /// The sample description and decoding times of `count` frames.
    static func videoHead(_ count: Int) -> [UInt8] { rawVideoStsd + full("stts", be32(1) + be32(UInt32(count)) + be32(1024)) }

    static let ftyp = box("ftyp", Array("isom".utf8) + [0, 0, 2, 0] + Array("isomiso6iso2mp41".utf8))
    static let mvhd = full("mvhd", [UInt8](repeating: 0, count: 8) + be32(1000) + be32(0) + [0, 1, 0, 0, 1, 0] + [UInt8](repeating: 0, count: 74))
    static func tkhd(_ id: UInt32) -> [UInt8] { full("tkhd", [UInt8](repeating: 0, count: 8) + be32(id) + [UInt8](repeating: 0, count: 68), flags: 3) }
    static func hdlr(_ kind: String) -> [UInt8] { full("hdlr", be32(0) + Array(kind.utf8) + [UInt8](repeating: 0, count: 13)) }
    static let mdhd = full("mdhd", [UInt8](repeating: 0, count: 8) + be32(10240) + be32(0) + [0x55, 0xC4, 0, 0])

    /// `moov` with one track whose sample table is `stbl` (built last in every parent, so a zero-size box at the
    /// end of `stbl` is the last box of every container above it).
    static func moov(stbl: [UInt8], kind: String = "vide", mvex: Bool = false) -> [UInt8] {
        let trak = box("trak", tkhd(1) + box("mdia", mdhd + hdlr(kind) + box("minf", stbl)))
        let trex = full("trex", be32(1) + be32(1) + be32(1024) + be32(0) + be32(0))
        return box("moov", mvhd + (mvex ? box("mvex", trex) : []) + trak)
    }

    /// The top-level boxes of `bytes`: type and range.
    static func topLevel(_ bytes: [UInt8]) -> [(type: String, range: Range<Int>)] {
        var out: [(String, Range<Int>)] = []
        var p = 0
        while p + 8 <= bytes.count {
            var size = Int(bytes[p..<p + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            if size == 0 { size = bytes.count - p }
            guard size >= 8, p + size <= bytes.count else { break }
            out.append((String(decoding: bytes[p + 4..<p + 8], as: UTF8.self), p..<p + size))
            p += size
        }
        return out
    }

    /// Signs `bytes` (nil if Signet refuses to sign it: the attack is then stopped too).
    func sign(_ bytes: [UInt8], _ name: String) async throws -> [UInt8]? {
        let input = try world.write(bytes, "\(name)-in.mp4")
        let out = world.path("\(name)-signed.mp4")
        var options = SignOptions()
        options.overwrite = true
        do {
            _ = try await Builder(signer: try world.signer(.es256)).sign(input: input, output: out, options: options)
        } catch {
            return nil
        }
        return try Array(Data(contentsOf: URL(fileURLWithPath: out)))
    }

    func verify(_ bytes: [UInt8], _ name: String) async throws -> VerificationReport {
        let path = try world.write(bytes, "\(name).mp4")
        return try await Verifier(trust: try TrustSettings(anchorsPEM: world.anchors)).verify(path: path)
    }

    func describe(_ r: VerificationReport) -> String {
        let s = r.activeManifest?.statuses
        return "\(String(describing: r.state)): \(((s?.success ?? []) + (s?.failure ?? [])).map(\.code.rawValue))"
    }

    /// Overwrites the payload of the top-level `free` box of `signed` with other media, then requires the result not
    /// to verify Valid or Trusted.
    func swapFreeContentAndExpectRefusal(_ signed: [UInt8], _ name: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard let free = Self.topLevel(signed).first(where: { $0.type == "free" }) else {
            Issue.record("no free box in the signed file", sourceLocation: sourceLocation)
            return
        }
        var forged = signed
        let payload = (free.range.lowerBound + 8)..<free.range.upperBound
        forged.replaceSubrange(payload, with: Self.media(payload.count, seed: 99).map { $0 ^ 0x5A })
        #expect(forged != signed)
        let report = try await verify(forged, "\(name)-forged")
        #expect(report.state == .invalid || report.state == nil,
            "media FFmpeg reads from an excluded free box was replaced, yet the file verifies \(describe(report))", sourceLocation: sourceLocation)
    }

    /// ftyp, moov (tables from `tables(freeDataStart)`), a `free` box holding `freePayload`, then `mdat`.
    static func movie(freePayload: [UInt8], mdat: [UInt8], pad: Int = 0, tables: (UInt32) -> [UInt8]) -> [UInt8] {
        let moovSize = moov(stbl: tables(0)).count
        let freeData = UInt32(ftyp.count + moovSize + 8 + pad)
        return ftyp + moov(stbl: tables(freeData)) + box("free", [UInt8](repeating: 0, count: pad) + freePayload) + box("mdat", mdat)
    }

    // MARK: Sample tables that hide chunks in a free box

    @Test("A sample-to-chunk run of zero samples per chunk does not hide chunks in a free box (FFmpeg plays one sample per chunk)")
    func stscZeroSamplesPerChunk() async throws {
        let sample = Self.frame, count = 4
        let bytes = Self.movie(freePayload: Self.media(sample * count, seed: 1), mdat: Self.media(64, seed: 2)) { freeData in
            let stsc = Self.full("stsc", Self.be32(1) + Self.be32(1) + Self.be32(0) + Self.be32(1))
            let stsz = Self.full("stsz", Self.be32(UInt32(sample)) + Self.be32(UInt32(count)))
            let stco = Self.full("stco", Self.be32(UInt32(count)) + (0..<count).flatMap { Self.be32(freeData + UInt32($0 * sample)) })
            return Self.box("stbl", Self.videoHead(count) + stsc + stsz + stco)
        }
        guard let signed = try await sign(bytes, "stsc0") else { return }
        try await swapFreeContentAndExpectRefusal(signed, "stsc0")
    }

    @Test("An stz2 box with 32-bit sample sizes (FFmpeg accepts them) does not leave its track's chunks unchecked")
    func stz2ThirtyTwoBitSizes() async throws {
        let sample = Self.frame, count = 4
        let bytes = Self.movie(freePayload: Self.media(sample * count, seed: 3), mdat: Self.media(64, seed: 4)) { freeData in
            let stsc = Self.full("stsc", Self.be32(1) + Self.be32(1) + Self.be32(1) + Self.be32(1))
            let stz2 = Self.full("stz2", Self.be32(32) + Self.be32(UInt32(count)) + (0..<count).flatMap { _ in Self.be32(UInt32(sample)) })
            let stco = Self.full("stco", Self.be32(UInt32(count)) + (0..<count).flatMap { Self.be32(freeData + UInt32($0 * sample)) })
            return Self.box("stbl", Self.videoHead(count) + stsc + stz2 + stco)
        }
        guard let signed = try await sign(bytes, "stz2") else { return }
        try await swapFreeContentAndExpectRefusal(signed, "stz2")
    }

    @Test("A chunk offset box with size 0 (to the end of its parent, as FFmpeg reads it) is neither hidden from the media check nor left unpatched")
    func zeroSizeChunkOffsetBox() async throws {
        let sample = Self.frame, count = 4
        // Signing inserts the store before the free box without patching the hidden stco, so the offsets then point
        // a few KiB earlier: into the zero padding at the start of the free box.
        let bytes = Self.movie(freePayload: Self.media(sample * count, seed: 5), mdat: Self.media(64, seed: 6), pad: 64 << 10) { freeData in
            let stsc = Self.full("stsc", Self.be32(1) + Self.be32(1) + Self.be32(1) + Self.be32(1))
            let stsz = Self.full("stsz", Self.be32(UInt32(sample)) + Self.be32(UInt32(count)))
            var stco = Self.full("stco", Self.be32(UInt32(count)) + (0..<count).flatMap { Self.be32(freeData + UInt32($0 * sample)) })
            stco.replaceSubrange(0..<4, with: [0, 0, 0, 0])  // size 0: "runs to the end of the parent" for FFmpeg
            return Self.box("stbl", Self.videoHead(count) + stsc + stsz + stco)
        }
        guard let signed = try await sign(bytes, "zerosize") else { return }
        try await swapFreeContentAndExpectRefusal(signed, "zerosize")
    }

    @Test("Uncompressed audio whose stsz says 1 byte per sample is checked with the bytes per frame a player reads (stsd), so its chunk cannot run on into a free box")
    func pcmChunkRunsIntoFreeBox() async throws {
        let frames = 4000  // 16-bit stereo: FFmpeg reads 4 bytes per sample from the sample description, not stsz's 1
        let sowt = Self.box("sowt", [0, 0, 0, 0, 0, 0] + Self.be16(1) + Self.be16(0) + Self.be16(0) + Self.be32(0)
            + Self.be16(2) + Self.be16(16) + Self.be16(0) + Self.be16(0) + Self.be32(44100 << 16))
        let stbl = { (chunk: UInt32) -> [UInt8] in
            Self.box("stbl",
                Self.full("stsd", Self.be32(1) + sowt)
                + Self.full("stts", Self.be32(1) + Self.be32(UInt32(frames)) + Self.be32(1))
                + Self.full("stsc", Self.be32(1) + Self.be32(1) + Self.be32(UInt32(frames)) + Self.be32(1))
                + Self.full("stsz", Self.be32(1) + Self.be32(UInt32(frames)))
                + Self.full("stco", Self.be32(1) + Self.be32(chunk)))
        }
        let moovSize = Self.moov(stbl: stbl(0), kind: "soun").count
        let chunk = UInt32(Self.ftyp.count + moovSize + 8)
        let bytes = Self.ftyp + Self.moov(stbl: stbl(chunk), kind: "soun")
            + Self.box("mdat", Self.media(frames, seed: 7)) + Self.box("free", Self.media(3 * frames, seed: 8))
        guard let signed = try await sign(bytes, "pcm") else { return }
        try await swapFreeContentAndExpectRefusal(signed, "pcm")
    }

    // MARK: Movie fragments

    /// A fragment whose one sample FFmpeg reads from a `free` box after its `mdat` (trun data offset, relative to the
    /// moof: default-base-is-moof).
    static func fragmentIntoFree(sequence: UInt32, sample: Int, seed: Int) -> [UInt8] {
        func moof(_ dataOffset: UInt32) -> [UInt8] {
            let tfhd = full("tfhd", be32(1), flags: 0x02_0000)
            let tfdt = full("tfdt", be64(UInt64(sequence - 1) * 1024), version: 1)
            let trun = full("trun", be32(1) + be32(dataOffset) + be32(UInt32(sample)), flags: 0x00_0201)
            return box("moof", full("mfhd", be32(sequence)) + box("traf", tfhd + tfdt + trun))
        }
        let mdat = box("mdat", media(sample, seed: seed + 1))
        let dataOffset = UInt32(moof(0).count + mdat.count + 8)
        return moof(dataOffset) + mdat + box("free", media(sample, seed: seed))
    }

    static let emptyStbl = box("stbl",
        rawVideoStsd + full("stts", be32(0)) + full("stsc", be32(0)) + full("stsz", be32(0) + be32(0)) + full("stco", be32(0)))

    @Test("A track run of a flat fragmented MP4 may not read its samples from an excluded free box")
    func trunIntoFreeBox() async throws {
        let bytes = Self.ftyp + Self.moov(stbl: Self.emptyStbl, mvex: true) + Self.fragmentIntoFree(sequence: 1, sample: Self.frame, seed: 9)
        guard let signed = try await sign(bytes, "trun") else { return }
        try await swapFreeContentAndExpectRefusal(signed, "trun")
    }

    @Test("A DASH fragment file's track run may not read its samples from an excluded free box")
    func dashFragmentTrunIntoFreeBox() async throws {
        let initSegment = try world.write(Self.ftyp + Self.moov(stbl: Self.emptyStbl, mvex: true), "dash-attack-init.mp4")
        let inputs = try (1...2).map { i in
            try world.write(Self.fragmentIntoFree(sequence: UInt32(i), sample: Self.frame, seed: 10 * i), "dash-attack-seg-\(i).m4s")
        }
        let outDir = world.path("dash-attack-out")
        try? FileManager.default.removeItem(atPath: outDir)
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        let output = outDir + "/init.mp4"
        var options = SignOptions()
        options.overwrite = true
        do {
            _ = try await Builder(signer: try world.signer(.es256)).signFragmented(
                initSegment: initSegment, fragments: inputs, output: output, fragmentsDirectory: outDir, options: options)
        } catch {
            return  // refusing to sign such fragments stops the attack too
        }
        let fragments = (1...2).map { "\(outDir)/dash-attack-seg-\($0).m4s" }
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: fragments[0])))
        let free = try #require(Self.topLevel(bytes).first { $0.type == "free" })
        bytes.replaceSubrange((free.range.lowerBound + 8)..<free.range.upperBound, with: Self.media(free.range.count - 8, seed: 77))
        try Data(bytes).write(to: URL(fileURLWithPath: fragments[0]))
        let report = try await Verifier(trust: try TrustSettings(anchorsPEM: world.anchors)).verify(path: output, fragments: fragments)
        #expect(report.state == .invalid || report.state == nil,
            "the first fragment's samples, read from its free box, were replaced, yet the presentation verifies \(describe(report))")
    }

    @Test("Rewriting the unsigned mfra of a signed fragmented MP4 (and splitting ftyp to add FFmpeg's 'Anevia' free box, which makes it time fragments by tfra) does not verify")
    func mfraRetimesFragments() async throws {
        // Three fragments of one frame each, then the random access index FFmpeg's muxer writes.
        func fragment(_ n: UInt32) -> [UInt8] {
            let tfhd = Self.full("tfhd", Self.be32(1), flags: 0x02_0000)
            let tfdt = Self.full("tfdt", Self.be64(UInt64(n - 1) * 1024), version: 1)
            func moof(_ dataOffset: UInt32) -> [UInt8] {
                let trun = Self.full("trun", Self.be32(1) + Self.be32(dataOffset) + Self.be32(UInt32(Self.frame)), flags: 0x00_0201)
                return Self.box("moof", Self.full("mfhd", Self.be32(n)) + Self.box("traf", tfhd + tfdt + trun))
            }
            return moof(UInt32(moof(0).count + 8)) + Self.box("mdat", Self.media(Self.frame, seed: Int(n)))
        }
        let head = Self.ftyp + Self.moov(stbl: Self.emptyStbl, mvex: true)
        var body = head
        var moofOffsets: [UInt64] = []
        for n in UInt32(1)...3 {
            moofOffsets.append(UInt64(body.count))
            body += fragment(n)
        }
        func mfra(_ times: [UInt64], _ offsets: [UInt64]) -> [UInt8] {
            var entries: [UInt8] = []
            for (time, offset) in zip(times, offsets) { entries += Self.be64(time) + Self.be64(offset) + [1, 1, 1] }
            let tfra = Self.full("tfra", Self.be32(1) + Self.be32(0) + Self.be32(UInt32(times.count)) + entries, version: 1)
            let size = 8 + tfra.count + 16
            return Self.box("mfra", tfra + Self.full("mfro", Self.be32(UInt32(size))))
        }
        let bytes = body + mfra([0, 1024, 2048], moofOffsets)
        guard let signed = try await sign(bytes, "mfra") else { return }
        let boxes = Self.topLevel(signed)
        let moofs = boxes.filter { $0.type == "moof" }.map { UInt64($0.range.lowerBound) }
        let ftypBox = try #require(boxes.first)
        #expect(ftypBox.type == "ftyp" && ftypBox.range.count >= 32)
        var forged = signed
        // ftyp → a shorter ftyp and a free box starting "Anevia\x1A\x1A" (FFmpeg then sets use_mfra_for=pts).
        let n = ftypBox.range.count
        let shortFtyp = Self.box("ftyp", Array("isom".utf8) + [0, 0, 2, 0] + [UInt8](repeating: 0x20, count: n - 16 - 16))
        let anevia = Self.box("free", Array("Anevia".utf8) + [0x1A, 0x1A])
        forged.replaceSubrange(0..<n, with: shortFtyp + anevia)
        // The index now times the fragments in reverse: FFmpeg presents the last fragment first.
        let mfraBox = try #require(boxes.last)
        #expect(mfraBox.type == "mfra")
        forged.replaceSubrange(mfraBox.range, with: mfra([2048, 1024, 0], moofs))
        #expect(forged.count == signed.count)
        let report = try await verify(forged, "mfra-forged")
        #expect(report.state == .invalid || report.state == nil,
            "the fragments' presentation times were rewritten through the excluded mfra, yet the file verifies \(describe(report))")
    }
}
