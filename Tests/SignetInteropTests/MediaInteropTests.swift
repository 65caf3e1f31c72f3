import Foundation
import Signet
import Testing

/// The samples Tests/Interop/media_samples.py makes (each under 200 KB and 1 s).
let mediaSamples = [
    "wav", "webp", "avi", "mp3", "mp3-id3", "flac", "mp4-faststart", "mp4-moovlast", "mp4-av", "mp4-frag", "m4a", "mov", "avif", "gif87a",
    "gif89a", "tiff", "tiff-multi", "bigtiff", "tiff-be", "dng", "jxl", "svg", "svg-metadata",
]

/// Samples ffprobe can count the frames of (all but the BigTIFF and the SVGs, which ffmpeg does not read).
let decodableMediaSamples = mediaSamples.filter { $0 != "bigtiff" && !$0.hasPrefix("svg") }

/// Samples whose c2pa-rs-signed file Signet reads as Trusted: all but the BigTIFF, where c2pa-rs's second exclusion
/// lands on another IFD entry (see `c2paRsBigTIFFExclusionLeavesAnEntryUnsigned`).
let c2paRsTrustedSamples = mediaSamples.filter { $0 != "bigtiff" }

/// Samples whose removal gives back the input byte for byte. A single-page TIFF gets a copy of its IFD with the C2PA
/// entry (as c2pa-rs does), so removing the store leaves a copy without it: the pixels are the same, the bytes not.
let exactRemovalSamples = mediaSamples.filter { !["tiff", "bigtiff", "tiff-be", "dng"].contains($0) }

/// Tiny audio, image and video samples made once per run, plus the repository's development credentials; each
/// sample signed once by Signet and once by c2pa-rs, shared by the tests (which never modify them).
final class MediaWorld: @unchecked Sendable {
    private let lock = NSLock()
    private var signed: [String: String] = [:]
    let directory: URL
    /// Sample name → path; a sample whose tool is missing is absent.
    let samples: [String: String]
    let missing: [String: String]
    let keys: URL
    var key: String { keys.appendingPathComponent("es256.key").path }
    var cert: String { keys.appendingPathComponent("es256.pem").path }
    var anchors: String { keys.appendingPathComponent("root-ca.pem").path }
    var credentials: [String] { ["--key", key, "--cert", cert, "--force"] }

    static let shared: Result<MediaWorld, Error> = Result { try MediaWorld() }

    private init() throws {
        guard let py = Interop.oraclePython else { throw InteropSkip.missing("c2pa-python") }
        directory = try Interop.makeTempDirectory("media")
        keys = Interop.repositoryRoot.appendingPathComponent("Keys")
        let script = Interop.repositoryRoot.appendingPathComponent("Tests/Interop/media_samples.py").path
        let r = try Interop.run(py, [script, directory.appendingPathComponent("samples").path])
        guard r.status == 0, let line = r.stdout.split(separator: "\n").last,
            let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: [String: String]]
        else { throw InteropFailure(message: "media_samples.py failed: \(r.stderr)") }
        samples = json["samples"] ?? [:]
        missing = json["missing"] ?? [:]
    }

    static func get() throws -> MediaWorld {
        guard Interop.signetBinary != nil else { throw InteropSkip.missing("signet binary") }
        return try shared.get()
    }

    /// The sample's path, or nil (with a note) when its tool is not installed.
    func sample(_ name: String) -> String? {
        if let p = samples[name] { return p }
        print("note: \(name) sample skipped: \(missing[name] ?? "not made")")
        return nil
    }

    /// A fresh path in the run's directory with the sample's extension.
    func path(_ stem: String, like sample: String) -> String {
        let ext = URL(fileURLWithPath: sample).pathExtension
        let p = directory.appendingPathComponent("\(stem).\(ext)").path
        try? FileManager.default.removeItem(atPath: p)
        return p
    }

    /// Signs `input` with Signet into a fresh file named after `stem`.
    func signetSign(_ input: String, _ stem: String, extra: [String] = []) throws -> String {
        let out = path(stem, like: input)
        let r = try Interop.signet(["sign", input, "-o", out] + credentials + extra)
        guard r.status == 0 else { throw InteropFailure(message: "signet sign \(input) failed: \(r.stderr)") }
        return out
    }

    private func cached(_ key: String, _ make: () throws -> String) throws -> String {
        if let p = lock.withLock({ signed[key] }) { return p }
        let p = try make()
        return lock.withLock {
            if let earlier = signed[key] { return earlier }
            signed[key] = p
            return p
        }
    }

    /// The sample signed by Signet (made once; do not modify).
    func signedBySignet(_ sample: String, _ input: String) throws -> String {
        try cached("signet-\(sample)") { try signetSign(input, "signet-\(sample)-\(UUID().uuidString.prefix(6))") }
    }

    /// The sample signed by c2pa-rs (made once; do not modify).
    func signedByC2paRs(_ sample: String, _ input: String) throws -> String {
        try cached("c2pars-\(sample)") { try oracleSign(input, "c2pars-\(sample)-\(UUID().uuidString.prefix(6))") }
    }

    /// Signs `input` with c2pa-rs into a fresh file named after `stem`.
    func oracleSign(_ input: String, _ stem: String) throws -> String {
        let out = path(stem, like: input)
        try Interop.oracleSign(input, out, alg: "es256", cert: cert, key: key)
        return out
    }
}

enum Media {
    enum Kind { case riff, id3, bmff, gif, tiff, jxl, svg }

    static func kind(_ sample: String) -> Kind {
        if ["wav", "webp", "avi"].contains(sample) { return .riff }
        if sample.contains("tiff") || sample == "dng" { return .tiff }
        if sample.hasPrefix("jxl") { return .jxl }
        if sample.hasPrefix("svg") { return .svg }
        if sample.hasPrefix("gif") { return .gif }
        if sample.hasPrefix("mp3") || sample == "flac" { return .id3 }
        return .bmff
    }

    /// The hard-binding status code prefix c2pa-rs uses for the format.
    static func hashCode(_ sample: String) -> String { kind(sample) == .bmff ? "assertion.bmffHash" : "assertion.dataHash" }

    static func informationalCodes(_ report: JSONValue) -> [String] {
        report["validation_results"]?["activeManifest"]?["informational"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
    }

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func le32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }
    static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }

    /// An offset inside the media data (audio samples, image data, mdat payload) of a signed file, away from the
    /// manifest store: the middle of the first `data`/`VP8 `/`VP8L`/`movi` chunk (RIFF), near the end of the audio
    /// (ID3: the store sits in the tag at the front), the middle of the first `mdat` payload (BMFF).
    static func mediaOffset(_ b: [UInt8], kind: Kind) -> Int? {
        switch kind {
        case .riff:
            var i = 12
            while i + 8 <= b.count {
                let id = String(decoding: b[i..<(i + 4)], as: UTF8.self)
                let size = le32(b, i + 4)
                let isMovi = id == "LIST" && String(decoding: b[(i + 8)..<(i + 12)], as: UTF8.self) == "movi"
                if ["data", "VP8 ", "VP8L"].contains(id) || isMovi { return i + 8 + size / 2 }
                i += 8 + size + (size & 1)
            }
            return nil
        case .id3:
            return b.count > 200 ? b.count - 20 : nil
        case .gif:
            // The first image's LZW data: past the header, the screen descriptor and colour table, and the
            // extensions (the store among them), its first sub-block's middle.
            guard b.count > 13 else { return nil }
            var i = 13 + (b[10] & 0x80 != 0 ? 3 << (Int(b[10] & 7) + 1) : 0)
            func skipSubBlocks(_ j: Int) -> Int? {
                var j = j
                while j < b.count {
                    if b[j] == 0 { return j + 1 }
                    j += 1 + Int(b[j])
                }
                return nil
            }
            while i < b.count {
                switch b[i] {
                case 0x21: guard let next = skipSubBlocks(i + 2) else { return nil }; i = next
                case 0x2C:
                    guard i + 10 < b.count else { return nil }
                    let table = b[i + 9] & 0x80 != 0 ? 3 << (Int(b[i + 9] & 7) + 1) : 0
                    let data = i + 10 + table + 1
                    guard data < b.count, b[data] >= 4 else { return nil }
                    return data + 1 + Int(b[data]) / 2
                default: return nil
                }
            }
            return nil
        case .svg:
            // A drawing attribute: the first `width="` value's first digit (XOR 0x5A makes it a letter, not markup).
            let needle = Array("width=\"".utf8)
            guard b.count > needle.count else { return nil }
            return (0...(b.count - needle.count)).first { Array(b[$0..<($0 + needle.count)]) == needle }.map { $0 + needle.count }
        case .tiff:
            // The middle of the first page's first strip (its StripOffsets and StripByteCounts entries, one strip).
            guard let t = TIFFPeek(b), let ifd = t.firstIFD, let entries = t.entries(at: ifd),
                let offset = entries[273], let count = entries[279] else { return nil }
            return offset + count / 2
        case .jxl, .bmff:
            let payloadBox = kind == .jxl ? "jxlc" : "mdat"
            var i = 0
            while i + 8 <= b.count {
                var size = be32(b, i)
                let type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
                if size == 1 { size = Int(be32(b, i + 12)) }  // largesize under 4 GiB
                if size == 0 { size = b.count - i }
                if type == payloadBox, size > 16 { return i + 8 + (size - 8) / 2 }
                guard size >= 8 else { return nil }
                i += size
            }
            return nil
        }
    }

    /// Copies `source` with one byte of its media data changed.
    static func tamperMedia(_ source: String, _ destination: String, kind: Kind) throws {
        var b = try bytes(source)
        let at = try #require(mediaOffset(b, kind: kind), "no media data found in \(source)")
        b[at] ^= 0x5A
        try? FileManager.default.removeItem(atPath: destination)
        try Data(b).write(to: URL(fileURLWithPath: destination))
    }

    /// How many C2PA manifest stores the file holds: occurrences of a `jumd` box with the store's UUID
    /// (63327061-0011-0010-8000-00AA00389B71) and label `c2pa`; in an SVG, `c2pa:manifest` elements.
    static func storeCount(_ path: String) throws -> Int {
        let b = try bytes(path)
        if path.hasSuffix(".svg") {
            let tag = Array("<c2pa:manifest>".utf8)
            return b.count < tag.count ? 0 : (0...(b.count - tag.count)).filter { b[$0] == 0x3C && Array(b[$0..<($0 + tag.count)]) == tag }.count
        }
        let needle: [UInt8] = Array("jumd".utf8) + [0x63, 0x32, 0x70, 0x61, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        var count = 0
        var i = 0
        while i + needle.count <= b.count {
            if b[i] == needle[0], Array(b[i..<(i + needle.count)]) == needle {
                count += 1
                i += needle.count
            } else {
                i += 1
            }
        }
        return count
    }

    /// ffprobe's per-stream type and decoded frame count, and whatever it wrote to stderr with `-v error`.
    static func probe(_ file: String) throws -> (streams: String, errors: String)? {
        guard let ffprobe = Interop.which("ffprobe") else { return nil }
        let r = try Interop.run(ffprobe, ["-v", "error", "-count_frames", "-show_entries", "stream=codec_type,codec_name,nb_read_frames", "-of", "csv=p=0", file])
        return (r.stdout, r.stderr + (r.status == 0 ? "" : "exit \(r.status)"))
    }

    /// A hash of every decoded stream (ffmpeg's streamhash muxer), and ffmpeg's errors.
    static func decodedHash(_ file: String) throws -> (hash: String, errors: String)? {
        guard let ffmpeg = Interop.which("ffmpeg") else { return nil }
        let r = try Interop.run(ffmpeg, ["-v", "error", "-nostdin", "-i", file, "-map", "0", "-f", "streamhash", "-hash", "md5", "-"])
        return (r.stdout, r.stderr + (r.status == 0 ? "" : "exit \(r.status)"))
    }
}

@Suite(.enabled(if: interopAvailable()))
struct MediaInterop {
    @Test("Signet signs every audio and video format and c2pa-rs reads the file as Trusted with no failure, bound by c2pa.hash.data (RIFF, ID3) or c2pa.hash.bmff.v3 (BMFF)", arguments: mediaSamples)
    func signetSignedMediaIsTrustedByC2paRs(sample: String) throws {
        let w = try MediaWorld.get()
        guard let input = w.sample(sample) else { return }
        let signed = try w.signedBySignet(sample, input)
        let oracle = try Interop.oracleRead(signed, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "c2pa-rs: \(oracle.state ?? "-") \(oracle.failure) \(oracle.error ?? "")")
        #expect(oracle.failure.isEmpty)
        #expect(oracle.manifests == 1)
        #expect((oracle.success ?? []).contains(Media.hashCode(sample) + ".match"), "c2pa-rs success: \(oracle.success ?? [])")
        let (status, report) = try Interop.signetVerify(signed, anchors: w.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted", "\(Interop.failureCodes(report))")
        #expect(Interop.successCodes(report).contains(Media.hashCode(sample) + ".match"), "Signet success: \(Interop.successCodes(report))")
        // Both tools judge Signet's file with the same success codes.
        let theirs = Set(oracle.success ?? []), ours = Set(Interop.successCodes(report))
        #expect(ours == theirs, "only c2pa-rs: \(theirs.subtracting(ours).sorted()); only Signet: \(ours.subtracting(theirs).sorted())")
    }

    @Test("c2pa-rs signs every audio and video format and Signet says Trusted with the same success codes", arguments: c2paRsTrustedSamples)
    func c2paRsSignedMediaIsTrustedBySignet(sample: String) throws {
        let w = try MediaWorld.get()
        guard let input = w.sample(sample) else { return }
        let signed = try w.signedByC2paRs(sample, input)
        let oracle = try Interop.oracleRead(signed, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "c2pa-rs on its own file: \(oracle.failure) \(oracle.error ?? "")")
        let (status, report) = try Interop.signetVerify(signed, anchors: w.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted", "Signet failures: \(Interop.failureCodes(report))")
        #expect(Interop.failureCodes(report).isEmpty)
        let theirs = Set(oracle.success ?? [])
        let ours = Set(Interop.successCodes(report))
        #expect(ours == theirs, "only c2pa-rs: \(theirs.subtracting(ours).sorted()); only Signet: \(ours.subtracting(theirs).sorted())")
        #expect(theirs.contains(Media.hashCode(sample) + ".match"))
        // The same codes as often (one assertion.hashedURI.match per assertion), and the same informational codes
        // (for BMFF: assertion.bmffHash.additionalExclusionsPresent, for c2pa-rs's /free and /skip exclusions).
        #expect(Interop.successCodes(report).sorted() == (oracle.success ?? []).sorted())
        #expect(Set(Media.informationalCodes(report)) == Set(oracle.informational))
    }

    @Test("One changed byte of media data gives the hash mismatch in c2pa-rs and in Signet, for files either signed", arguments: mediaSamples)
    func changedMediaByteIsAMismatchInBoth(sample: String) throws {
        let w = try MediaWorld.get()
        guard let input = w.sample(sample) else { return }
        let kind = Media.kind(sample)
        let mismatch = Media.hashCode(sample) + ".mismatch"
        for (signer, signed) in [("signet", try w.signedBySignet(sample, input)), ("c2pa-rs", try w.signedByC2paRs(sample, input))] {
            let tampered = w.path("tampered-\(signer)-\(sample)", like: input)
            try Media.tamperMedia(signed, tampered, kind: kind)
            let oracle = try Interop.oracleRead(tampered, anchors: w.anchors)
            #expect(oracle.state == "Invalid", "\(signer)-signed, c2pa-rs: \(oracle.state ?? "-") \(oracle.error ?? "")")
            let (status, report) = try Interop.signetVerify(tampered, anchors: w.anchors)
            #expect(status == 1, "\(signer)-signed")
            #expect(report["validation_state"]?.stringValue == "Invalid", "\(signer)-signed")
            #expect(Interop.failureCodes(report).contains(mismatch), "\(signer)-signed, Signet: \(Interop.failureCodes(report))")
            #expect(oracle.failure.contains(mismatch), "\(signer)-signed, c2pa-rs: \(oracle.failure)")
        }
    }

    @Test("Re-signing a signed file replaces its store: one manifest without --parent, the old one as parentOf with it", arguments: mediaSamples)
    func reSigningReplacesTheStore(sample: String) throws {
        let w = try MediaWorld.get()
        guard let input = w.sample(sample) else { return }
        let once = try w.signedBySignet(sample, input)
        let twice = try w.signetSign(once, "twice-\(sample)")
        #expect(try Media.storeCount(twice) == 1)
        let plain = try Interop.oracleRead(twice, anchors: w.anchors)
        #expect(plain.state == "Trusted", "\(plain.failure) \(plain.error ?? "")")
        #expect(plain.manifests == 1)

        let edited = try w.signetSign(once, "edited-\(sample)", extra: ["--parent", once, "--action", "edited"])
        #expect(try Media.storeCount(edited) == 1)
        let oracle = try Interop.oracleRead(edited, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "\(oracle.failure) \(oracle.error ?? "")")
        #expect(oracle.manifests == 2)
        #expect(oracle.ingredient_delta_failures ?? [] == [])
        let (status, report) = try Interop.signetVerify(edited, anchors: w.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted", "\(Interop.failureCodes(report))")
        #expect(report["manifests"]?.objectValue?.count == 2)
        let active = report["manifests"]?[report["active_manifest"]?.stringValue ?? ""]
        #expect(active?["ingredients"]?.arrayValue?.first?["relationship"]?.stringValue == "parentOf")

        // A c2pa-rs-signed file re-signed by Signet holds one store too.
        let theirs = try w.signedByC2paRs(sample, input)
        let ours = try w.signetSign(theirs, "resign-signet-\(sample)")
        #expect(try Media.storeCount(ours) == 1)
        #expect(try Interop.oracleRead(ours, anchors: w.anchors).manifests == 1)
    }

    @Test("signet remove gives back the unsigned file byte for byte (a single-page TIFF: the same pixels)", arguments: mediaSamples)
    func removeRestoresTheOriginalBytes(sample: String) throws {
        let w = try MediaWorld.get()
        guard let input = w.sample(sample) else { return }
        let signed = try w.signedBySignet(sample, input)
        let removed = w.path("removed-\(sample)", like: input)
        let r = try Interop.signet(["remove", signed, "-o", removed])
        #expect(r.status == 0, "\(r.stderr)")
        var original = try Media.bytes(input)
        // A GIF87a carrying a store was made a GIF89a (87a has no extensions); nothing says it was 87a before.
        if sample == "gif87a" { original[4] = UInt8(ascii: "9") }
        if exactRemovalSamples.contains(sample) {
            #expect(try Media.bytes(removed) == original)
        } else {
            #expect(try Media.storeCount(removed) == 0)
            if let a = try Media.decodedHash(input), let b = try Media.decodedHash(removed), decodableMediaSamples.contains(sample) {
                #expect(b.errors.isEmpty, "\(b.errors)")
                #expect(a.hash == b.hash)
            }
            // Nothing but the appended copy of the IFD: the input is a prefix of the result.
            #expect(Array(try Media.bytes(removed).prefix(original.count)).dropFirst(16) == original.dropFirst(16))
        }
        // Nothing left to remove: exit status 1, nothing written.
        let again = w.path("removed-again-\(sample)", like: input)
        #expect(try Interop.signet(["remove", removed, "-o", again]).status == 1)
        #expect(!FileManager.default.fileExists(atPath: again))

        // From a c2pa-rs-signed file the store goes too, and the result decodes like the original.
        let theirs = try w.signedByC2paRs(sample, input)
        let stripped = w.path("stripped-c2pars-\(sample)", like: input)
        #expect(try Interop.signet(["remove", theirs, "-o", stripped]).status == 0)
        #expect(try Media.storeCount(stripped) == 0)
        if let a = try Media.decodedHash(input), let b = try Media.decodedHash(stripped), decodableMediaSamples.contains(sample) {
            #expect(b.errors.isEmpty, "\(b.errors)")
            #expect(a.hash == b.hash)
        }
    }

    @Test("A Signet-signed file still decodes: ffprobe reports no error and the original's frame counts, ffmpeg the same decoded samples", arguments: decodableMediaSamples)
    func signedMediaStillDecodes(sample: String) throws {
        let w = try MediaWorld.get()
        guard let input = w.sample(sample) else { return }
        guard let original = try Media.probe(input), let originalHash = try Media.decodedHash(input) else {
            print("note: ffprobe/ffmpeg not installed; decoding not checked")
            return
        }
        let signed = try w.signedBySignet(sample, input)
        let probe = try #require(try Media.probe(signed))
        #expect(probe.errors.isEmpty, "ffprobe: \(probe.errors)")
        #expect(probe.streams == original.streams)
        #expect(!probe.streams.isEmpty)
        let decoded = try #require(try Media.decodedHash(signed))
        #expect(decoded.errors.isEmpty, "ffmpeg: \(decoded.errors)")
        #expect(decoded.hash == originalHash.hash)
    }

    @Test("A signed file read under a wrong or missing extension is still verified from its content by both tools", arguments: ["wav", "mp3", "mp4-faststart"])
    func contentNotExtensionDecidesTheFormat(sample: String) throws {
        let w = try MediaWorld.get()
        guard let input = w.sample(sample) else { return }
        let signed = try w.signedBySignet(sample, input)
        for name in ["ext-\(sample)-renamed.jpg", "ext-\(sample)-noext"] {
            let renamed = w.directory.appendingPathComponent(name).path
            try? FileManager.default.removeItem(atPath: renamed)
            try FileManager.default.copyItem(atPath: signed, toPath: renamed)
            let oracle = try Interop.oracleRead(renamed, anchors: w.anchors)
            #expect(oracle.state == "Trusted", "c2pa-rs on \(name): \(oracle.failure) \(oracle.error ?? "")")
            let (_, report) = try Interop.signetVerify(renamed, anchors: w.anchors)
            #expect(report["validation_state"]?.stringValue == "Trusted", "Signet on \(name): \(Interop.failureCodes(report))")
        }
    }

    @Test("A Signet-signed MP3 whose ID3v2.3 tag has an extended header is read by c2pa-rs", arguments: [UInt8(3), 4])
    func signetSignedMP3WithAnExtendedHeaderIsReadByC2paRs(major: UInt8) throws {
        let w = try MediaWorld.get()
        guard let mp3 = w.sample("mp3") else { return }
        func syncsafe(_ v: Int) -> [UInt8] { [UInt8(v >> 21 & 0x7F), UInt8(v >> 14 & 0x7F), UInt8(v >> 7 & 0x7F), UInt8(v & 0x7F)] }
        // v2.3: size 6 (excluding itself), flags 00 00, padding size 0. v2.4: syncsafe size 6 (including itself), 1 flag byte, 00.
        let ext: [UInt8] = major == 3 ? [0, 0, 0, 6, 0, 0, 0, 0, 0, 0] : syncsafe(6) + [1, 0]
        let text: [UInt8] = major == 3 ? [0] + Array("Hello".utf8) + [0] : [3] + Array("Hello".utf8)
        let frame = Array("TIT2".utf8) + (major == 3 ? [0, 0, 0, UInt8(text.count)] : syncsafe(text.count)) + [0, 0] + text
        let body = ext + frame
        let input = w.directory.appendingPathComponent("ext-v2\(major).mp3").path
        try Data(Array("ID3".utf8) + [major, 0, 0x40] + syncsafe(body.count) + body + Media.bytes(mp3)).write(to: URL(fileURLWithPath: input))
        let signed = try w.signetSign(input, "ext-v2\(major)-signed")
        let (_, report) = try Interop.signetVerify(signed, anchors: w.anchors)
        #expect(report["validation_state"]?.stringValue == "Trusted")
        let oracle = try Interop.oracleRead(signed, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "c2pa-rs: \(oracle.state ?? "-") \(oracle.failure) \(oracle.error ?? "")")
    }
}

/// Just enough TIFF reading for the tests: the first IFD and its single-valued LONG/SHORT entries.
struct TIFFPeek {
    let b: [UInt8]
    let little: Bool
    let big: Bool

    init?(_ b: [UInt8]) {
        guard b.count >= 16, b[0] == b[1], b[0] == 0x49 || b[0] == 0x4D else { return nil }
        self.b = b
        little = b[0] == 0x49
        big = (little ? b[2] : b[3]) == 43
    }

    func uint(_ i: Int, _ width: Int) -> Int? {
        guard i >= 0, i + width <= b.count else { return nil }
        var v = 0
        for k in 0..<width { v = v << 8 | Int(b[i + (little ? width - 1 - k : k)]) }
        return v
    }

    var firstIFD: Int? { big ? uint(8, 8) : uint(4, 4) }

    /// Tag -> value of the entries at `ifd` whose single value is inline.
    func entries(at ifd: Int) -> [Int: Int]? {
        guard let n = uint(ifd, big ? 8 : 2), n < 4096 else { return nil }
        var out: [Int: Int] = [:]
        for i in 0..<n {
            let e = ifd + (big ? 8 : 2) + i * (big ? 20 : 12)
            guard let tag = uint(e, 2), let type = uint(e + 2, 2), let count = uint(e + 4, big ? 8 : 4) else { return nil }
            let valueAt = e + 4 + (big ? 8 : 4)
            if count == 1, type == 3 { out[tag] = uint(valueAt, 2) }
            if count == 1, type == 4 || type == 16 { out[tag] = uint(valueAt, type == 16 ? 8 : 4) }
        }
        return out
    }
}

@Suite(.enabled(if: interopAvailable()))
struct TIFFInterop {
    @Test("c2pa-rs's BigTIFF count-field exclusion lands on another IFD entry: an edit there keeps c2pa-rs at Trusted, and Signet says dataHash.mismatch on the file as signed")
    func c2paRsBigTIFFExclusionLeavesAnEntryUnsigned() throws {
        let w = try MediaWorld.get()
        guard let input = w.sample("bigtiff") else { return }
        let signed = try w.signedByC2paRs("bigtiff", input)
        let (_, report) = try Interop.signetVerify(signed, anchors: w.anchors)
        #expect(report["validation_state"]?.stringValue == "Invalid")
        #expect(Interop.failureCodes(report) == ["assertion.dataHash.mismatch"], "\(Interop.failureCodes(report))")
        // The attack: find the 8-byte exclusion that is not the store and change a byte in it.
        var b = try Media.bytes(signed)
        let t = try #require(TIFFPeek(b))
        let ifd = try #require(t.firstIFD)
        let n = try #require(t.uint(ifd, 8))
        // c2pa-rs counts 16 bytes per entry where BigTIFF has 20: its "count field" sits 4 * n bytes early.
        let c2paEntry = try #require((0..<n).map { ifd + 8 + $0 * 20 }.first { t.uint($0, 2) == 0xCD41 })
        let excluded = ifd + 8 + 16 * (c2paEntry - ifd - 8) / 20 + 4
        #expect(excluded != c2paEntry + 4)
        b[excluded] ^= 0x02
        let attacked = w.path("bigtiff-attacked", like: input)
        try Data(b).write(to: URL(fileURLWithPath: attacked))
        let oracle = try Interop.oracleRead(attacked, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "c2pa-rs no longer misses it: \(oracle.failure); revisit Spec/c2pa-support.md")
        let (_, ours) = try Interop.signetVerify(attacked, anchors: w.anchors)
        #expect(ours["validation_state"]?.stringValue == "Invalid")
    }

    @Test("A signed DNG keeps its raw data: the SubIFD's CFA strip has the same bytes at the same offset, and both tools say Trusted")
    func signedDNGKeepsItsRawData() throws {
        let w = try MediaWorld.get()
        guard let input = w.sample("dng") else { return }
        let original = try Media.bytes(input)
        let t = try #require(TIFFPeek(original))
        let first = try #require(t.firstIFD)
        let ifd0 = try #require(t.entries(at: first))
        let sub = try #require(ifd0[330])
        let raw = try #require(t.entries(at: sub))
        let stripStart = try #require(raw[273])
        let stripCount = try #require(raw[279])
        let strip = stripStart..<(stripStart + stripCount)
        #expect(raw[262] == 32803)
        for signed in [try w.signedBySignet("dng", input), try w.signedByC2paRs("dng", input)] {
            let b = try Media.bytes(signed)
            #expect(Array(b[strip]) == Array(original[strip]))
            let s = try #require(TIFFPeek(b))
            let firstAfter = try #require(s.firstIFD)
            let subAfter = try #require(s.entries(at: firstAfter)?[330])
            #expect(s.entries(at: subAfter)?[273] == strip.lowerBound)
            let (_, report) = try Interop.signetVerify(signed, anchors: w.anchors)
            #expect(report["validation_state"]?.stringValue == "Trusted", "\(Interop.failureCodes(report))")
            #expect(try Interop.oracleRead(signed, anchors: w.anchors).state == "Trusted")
        }
        // Signet names the format from the content, and says image/dng in the claim.
        let (_, report) = try Interop.signetVerify(try w.signedBySignet("dng", input), anchors: w.anchors)
        #expect("\(report)".contains("image/dng"))
    }
}

@Suite(.enabled(if: interopAvailable()))
struct JXLInterop {
    @Test("A bare JPEG XL codestream (which c2pa-rs 0.91.3 refuses to sign) is wrapped in a container: c2pa-rs and Signet say Trusted, djxl decodes the same pixels, a changed codestream byte is a mismatch in both")
    func bareCodestreamIsWrapped() throws {
        let w = try MediaWorld.get()
        guard let input = w.sample("jxl-bare") else { return }
        let signed = try w.signedBySignet("jxl-bare", input)
        let b = try Media.bytes(signed)
        #expect(Array(b.prefix(12)) == [0, 0, 0, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A])
        let original = try Media.bytes(input)
        #expect(Array(b.suffix(original.count)) == original)
        let oracle = try Interop.oracleRead(signed, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "c2pa-rs: \(oracle.failure) \(oracle.error ?? "")")
        let (_, report) = try Interop.signetVerify(signed, anchors: w.anchors)
        #expect(report["validation_state"]?.stringValue == "Trusted", "\(Interop.failureCodes(report))")
        if let djxl = Interop.which("djxl") {
            let a = w.path("bare-dec-a", like: "x.png"), c = w.path("bare-dec-b", like: "x.png")
            #expect(try Interop.run(djxl, [input, a]).status == 0)
            #expect(try Interop.run(djxl, [signed, c]).status == 0)
            #expect(try Media.bytes(a) == Media.bytes(c))
        }
        let tampered = w.path("bare-tampered", like: input)
        try Media.tamperMedia(signed, tampered, kind: .jxl)
        #expect(try Interop.oracleRead(tampered, anchors: w.anchors).failure.contains("assertion.dataHash.mismatch"))
        #expect(Interop.failureCodes(try Interop.signetVerify(tampered, anchors: w.anchors).1).contains("assertion.dataHash.mismatch"))
    }
}

@Suite(.enabled(if: interopAvailable()))
struct RemoteManifestInterop {
    @Test("A JPEG naming a remote manifest in XMP dcterms:provenance: c2pa-rs says it must fetch that URL, Signet reports the same URL as remote_manifest, fetches nothing and exits 1")
    func remoteReferenceIsReportedNotFetched() throws {
        let w = try InteropWorld.get()
        let url = "https://manifests.example.invalid/abc.c2pa"
        let xmp = Array("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" xmlns:dcterms=\"http://purl.org/dc/terms/\" dcterms:provenance=\"\(url)\"/></rdf:RDF></x:xmpmeta>".utf8)
        let payload = Array("http://ns.adobe.com/xap/1.0/".utf8) + [0] + xmp
        let jpeg = try Media.bytes(w.jpeg)
        let file = w.directory.appendingPathComponent("remote-ref.jpg").path
        try Data(Array(jpeg[0..<2]) + [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload + Array(jpeg[2...]))
            .write(to: URL(fileURLWithPath: file))
        let oracle = try Interop.oracleRead(file, anchors: w.chain("es256"))
        #expect((oracle.error ?? "").contains(url), "c2pa-rs: \(oracle.error ?? "-")")
        let (status, report) = try Interop.signetVerify(file, anchors: w.chain("es256"))
        #expect(status == 1)
        #expect(report["remote_manifest"]?.stringValue == url)
    }
}
