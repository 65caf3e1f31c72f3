import Foundation
import Signet
import SignetTestSupport
import Testing

/// A DASH presentation made by ffmpeg (an initialization segment and numbered `.m4s` fragments), signed by the
/// CLI as one asset and checked by Signet (`verify --fragments`) and by c2pa-rs (`Reader.with_fragment`).
@Suite(.serialized, .enabled(if: interopAvailable() && Interop.which("ffmpeg") != nil))
struct FragmentInteropTests {
    struct Presentation {
        var directory: URL
        var signedInit: String
        var fragments: [String]
    }

    /// Makes and signs a 4-second, 4-fragment presentation; skips without ffmpeg or the CLI.
    func signedPresentation(_ name: String, pattern: String = "testsrc") throws -> Presentation {
        guard let ffmpeg = Interop.which("ffmpeg") else { throw InteropSkip.missing("ffmpeg") }
        let world = try InteropWorld.shared.get()
        let dir = try Interop.makeTempDirectory("dash-\(name)")
        let source = dir.appendingPathComponent("source")
        let signed = dir.appendingPathComponent("signed")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: signed, withIntermediateDirectories: true)
        let made = try Interop.run(ffmpeg, [
            "-loglevel", "error", "-y", "-f", "lavfi", "-i", "\(pattern)=size=96x64:rate=10:duration=4", "-c:v", "libx264", "-g", "10",
            "-f", "dash", "-seg_duration", "1", "-init_seg_name", "init.mp4", "-media_seg_name", "seg-$Number$.m4s",
            source.appendingPathComponent("man.mpd").path,
        ])
        try #require(made.status == 0, "ffmpeg: \(made.stderr)")
        let r = try Interop.signet([
            "sign", source.appendingPathComponent("init.mp4").path, "-o", signed.appendingPathComponent("init.mp4").path,
            "--fragments", source.appendingPathComponent("seg-*.m4s").path, "--fragments-dir", signed.path,
            "--key", world.key("es256"), "--cert", world.chain("es256"),
        ])
        try #require(r.status == 0, "sign --fragments: \(r.stderr)")
        let fragments = (1...4).map { signed.appendingPathComponent("seg-\($0).m4s").path }
        for f in fragments { try #require(FileManager.default.fileExists(atPath: f)) }
        return Presentation(directory: dir, signedInit: signed.appendingPathComponent("init.mp4").path, fragments: fragments)
    }

    func verify(_ p: Presentation, _ fragments: [String]) throws -> (status: Int32, report: JSONValue) {
        let world = try InteropWorld.shared.get()
        let r = try Interop.signet(["verify", "--json", p.signedInit, "--trust-anchors", world.anchors] + fragments.flatMap { ["--fragments", $0] })
        return (r.status, try JSONValue.parse(r.stdout.split(separator: "\n").first.map(String.init) ?? "{}"))
    }

    func failureText(_ report: JSONValue) -> [String] {
        report["validation_results"]?["activeManifest"]?["failure"]?.arrayValue?.compactMap { $0["explanation"]?.stringValue } ?? []
    }

    @Test("A signed DASH presentation is Trusted in Signet and each fragment is Trusted in c2pa-rs's fragment reader")
    func signedPresentationVerifiesInBoth() throws {
        let p = try signedPresentation("ok")
        let (status, report) = try verify(p, p.fragments)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted")
        #expect(report["fragments"]?.arrayValue?.count == 4)
        #expect(Interop.successCodes(report).contains("assertion.bmffHash.match"))

        guard let py = Interop.oraclePython else { throw InteropSkip.missing("c2pa-python") }
        let world = try InteropWorld.shared.get()
        let oracle = try Interop.run(py, [Interop.oracleScript, "read-fragments", p.signedInit] + p.fragments + ["--anchors", world.anchors])
        let lines = oracle.stdout.split(separator: "\n").map { try? JSONValue.parse(String($0)) }
        #expect(lines.count == 4)
        for line in lines {
            #expect(line?["state"]?.stringValue == "Trusted", "c2pa-rs: \(String(describing: line))")
        }
    }

    @Test("A reordered, dropped, edited or foreign fragment makes the presentation Invalid and is named; c2pa-rs agrees on the edit")
    func attacksOnFragmentsAreCaught() throws {
        let p = try signedPresentation("attacks")
        let f = p.fragments
        // Reordered.
        var (status, report) = try verify(p, [f[1], f[0], f[2], f[3]])
        #expect(status == 1)
        #expect(failureText(report).contains { $0.contains(f[1]) && $0.contains("out of sequence") })
        // A middle fragment dropped, and the last one dropped.
        (status, report) = try verify(p, [f[0], f[2], f[3]])
        #expect(status == 1)
        #expect(failureText(report).contains { $0.contains(f[2]) })
        (status, report) = try verify(p, Array(f.prefix(3)))
        #expect(status == 1)
        #expect(failureText(report).contains { $0.contains("fragments are missing") })
        // One byte of a fragment's media data changed.
        let edited = p.directory.appendingPathComponent("edited-seg-3.m4s").path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: f[2]))
        bytes[bytes.count - 50] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: edited))
        (status, report) = try verify(p, [f[0], f[1], edited, f[3]])
        #expect(status == 1)
        #expect(failureText(report).contains { $0.contains(edited) })
        // A fragment from another signed presentation in its place (same position, valid proof of another tree).
        let other = try signedPresentation("other", pattern: "smptebars")
        (status, report) = try verify(p, [f[0], other.fragments[1], f[2], f[3]])
        #expect(status == 1)
        #expect(failureText(report).contains { $0.contains(other.fragments[1]) })

        guard let py = Interop.oraclePython else { throw InteropSkip.missing("c2pa-python") }
        let world = try InteropWorld.shared.get()
        let oracle = try Interop.run(py, [Interop.oracleScript, "read-fragments", p.signedInit, edited, other.fragments[1], "--anchors", world.anchors])
        for line in oracle.stdout.split(separator: "\n") {
            let r = try JSONValue.parse(String(line))
            #expect(r["state"]?.stringValue != "Trusted" && r["state"]?.stringValue != "Valid", "c2pa-rs accepted \(line)")
        }
    }

    @Test("The signed fragments still decode with the signed initialization segment")
    func signedFragmentsStillPlay() throws {
        let p = try signedPresentation("play")
        guard let ffmpeg = Interop.which("ffmpeg") else { throw InteropSkip.missing("ffmpeg") }
        // Concatenate init + fragments (what a DASH player feeds its decoder) and decode every frame.
        var joined = try Data(contentsOf: URL(fileURLWithPath: p.signedInit))
        for f in p.fragments { joined += try Data(contentsOf: URL(fileURLWithPath: f)) }
        let path = p.directory.appendingPathComponent("joined.mp4").path
        try joined.write(to: URL(fileURLWithPath: path))
        let r = try Interop.run(ffmpeg, ["-v", "error", "-i", path, "-f", "null", "-"])
        #expect(r.status == 0 && r.stderr.isEmpty, "ffmpeg: \(r.stderr)")
    }

    @Test("An MP4 signed with Merkle trees over its media (--merkle-block) is Trusted in both; a changed block is a mismatch in both, named by Signet")
    func merkleTreesOverMdat() throws {
        guard let ffmpeg = Interop.which("ffmpeg") else { throw InteropSkip.missing("ffmpeg") }
        let world = try InteropWorld.shared.get()
        let dir = try Interop.makeTempDirectory("merkle")
        let source = dir.appendingPathComponent("clip.mp4").path
        let signed = dir.appendingPathComponent("signed.mp4").path
        let made = try Interop.run(ffmpeg, [
            "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=96x64:rate=10:duration=2", "-c:v", "libx264",
            "-movflags", "+faststart", source,
        ])
        try #require(made.status == 0, "ffmpeg: \(made.stderr)")
        let r = try Interop.signet(["sign", source, "-o", signed, "--merkle-block", "1", "--key", world.key("es256"), "--cert", world.chain("es256")])
        try #require(r.status == 0, "sign --merkle-block: \(r.stderr)")
        let (status, report) = try Interop.signetVerify(signed, anchors: world.anchors)
        #expect(status == 0 && report["validation_state"]?.stringValue == "Trusted")
        let oracle = try Interop.oracleRead(signed, anchors: world.anchors)
        #expect(oracle.state == "Trusted", "c2pa-rs: \(oracle.failure)")

        // One byte in the middle of the mdat payload: only a Merkle leaf covers it.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: signed))
        var offset = 0
        var mdat: (start: Int, size: Int)?
        while offset + 8 <= bytes.count {
            let size = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            if bytes[(offset + 4)..<(offset + 8)].elementsEqual(Array("mdat".utf8)) { mdat = (offset, size); break }
            guard size >= 8 else { break }
            offset += size
        }
        let found = try #require(mdat)
        bytes[found.start + found.size / 2] ^= 0x01
        let tampered = dir.appendingPathComponent("tampered.mp4").path
        try bytes.write(to: URL(fileURLWithPath: tampered))
        let (tStatus, tReport) = try Interop.signetVerify(tampered, anchors: world.anchors)
        #expect(tStatus == 1)
        #expect(failureText(tReport).contains { $0.contains("leaf") }, "\(failureText(tReport))")
        #expect(try Interop.oracleRead(tampered, anchors: world.anchors).failure.contains("assertion.bmffHash.mismatch"))
    }
}
