import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Signet
import SignetImaging
import SignetTestSupport
import Testing

/// `signet detect` as users run it: JSON lines in input order, heatmaps written safely, distinct exit statuses.
@Suite(.enabled(if: Interop.signetBinary != nil))
struct DetectCLITests {
    func picture(_ dir: URL, _ name: String, quality: Int = 85) throws -> String {
        let path = dir.appendingPathComponent(name).path
        let image = SampleImage.generate(width: 200, height: 160, seed: UInt64(name.count))
        try Data(try ImageCodec.encodeJPEG(image, quality: quality)).write(to: URL(fileURLWithPath: path))
        return path
    }

    func objects(_ stdout: String) throws -> [JSONValue] {
        try stdout.split(separator: "\n").map { try JSONValue.parse(String($0)) }
    }

    @Test("JSON gives one object per file, in input order, with every field and signal the issue names")
    func jsonLinesInOrder() throws {
        let dir = try Interop.makeTempDirectory("detect-json")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try ["one.jpg", "two.jpg", "three.jpg"].map { try picture(dir, $0) }
        let run = try Interop.signet(["detect", "--json", "--jobs", "2"] + files)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try objects(run.stdout)
        #expect(lines.count == 3)
        for (line, file) in zip(lines, files) {
            #expect(line["file"]?.stringValue == file)
            #expect(["low", "inconclusive", "moderate", "strong"].contains(line["band"]?.stringValue ?? ""))
            #expect(line["provenance"]?.stringValue == "none")
            let signals = line["signals"]?.arrayValue ?? []
            let names = Set(signals.compactMap { $0["name"]?.stringValue })
            for name in ["c2pa_remnants", "declared_source", "generator_metadata", "exif_consistency", "jpeg_quantization",
                         "double_compression", "grid_alignment", "noise_inconsistency", "copy_move", "resampling", "error_level"] {
                #expect(names.contains(name), "\(name)")
            }
            for s in signals {
                #expect(s["reason"]?.stringValue?.isEmpty == false)
                #expect(s["contribution"] != nil && s["applicable"] != nil && s["score"] != nil)
            }
        }
    }

    @Test("Heatmaps go to a directory for several files, never overwrite without --force, and leave the inputs unchanged")
    func heatmapsAreWrittenSafely() throws {
        let dir = try Interop.makeTempDirectory("detect-heatmap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try picture(dir, "a.jpg"), b = try picture(dir, "b.jpg", quality: 70)
        let before = try [a, b].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let maps = dir.appendingPathComponent("maps").path
        let first = try Interop.signet(["detect", "--heatmap", maps, "--heatmap-raw", a, b])
        #expect(first.status == 0, "\(first.stderr)")
        for name in ["a.jpg.heatmap.png", "b.jpg.heatmap.png"] {
            let path = maps + "/" + name
            let image = try ImageCodec.decode(path: path)
            #expect(image.width == 200 && image.height == 160)
            // Raw maps are grey: R = G = B.
            var grey = true
            for i in stride(from: 0, to: image.pixels.count, by: 3) where image.pixels[i] != image.pixels[i + 1] || image.pixels[i] != image.pixels[i + 2] {
                grey = false
            }
            #expect(grey)
        }
        let again = try Interop.signet(["detect", "--heatmap", maps, a, b])
        #expect(again.status == 5)
        #expect(again.stderr.contains("already exists"))
        let forced = try Interop.signet(["detect", "--heatmap", maps, "--force", a, b])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try [a, b].map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
    }

    @Test("A truncated file exits 3 and a missing one exits 2, each with a one-line error")
    func badInputHasDistinctStatuses() throws {
        let dir = try Interop.makeTempDirectory("detect-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try picture(dir, "good.jpg")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let cut = dir.appendingPathComponent("cut.jpg").path
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let truncated = try Interop.signet(["detect", cut])
        #expect(truncated.status == 3)
        #expect(truncated.stderr.split(separator: "\n").count == 1)
        let missing = try Interop.signet(["detect", dir.appendingPathComponent("nope.jpg").path])
        #expect(missing.status == 2)
        let json = try Interop.signet(["detect", "--json", cut])
        #expect(try objects(json.stdout).first?["error"]?["code"]?.stringValue == "truncated")
    }

    @Test("A FIFO, a directory and a file that is no picture are refused at once with their own statuses")
    func nonFilesAndNonPicturesAreRefused() throws {
        let dir = try Interop.makeTempDirectory("detect-fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe.jpg").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let clock = ContinuousClock()
        let started = clock.now
        let piped = try Interop.signet(["detect", fifo])
        // Blocked in open(2) it would never return; the bound only has to outlast a loaded machine's stalls.
        #expect(clock.now - started < .seconds(120))
        #expect(piped.status == 2 || piped.status == 3, "\(piped.stderr)")
        let noise = dir.appendingPathComponent("noise.jpg").path
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }).write(to: URL(fileURLWithPath: noise))
        let random = try Interop.signet(["detect", noise])
        #expect(random.status == 3, "\(random.stdout) \(random.stderr)")
        let folder = try Interop.signet(["detect", dir.path])
        #expect(folder.status == 2 || folder.status == 3)
    }

    @Test("Heatmaps of inputs with the same name get distinct files, and a newline in a name cannot forge a line")
    func namesAreDistinctAndPrintable() throws {
        let dir = try Interop.makeTempDirectory("detect-names")
        defer { try? FileManager.default.removeItem(at: dir) }
        for sub in ["d1", "d2"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let a = try picture(dir.appendingPathComponent("d1"), "x.jpg"), b = try picture(dir.appendingPathComponent("d2"), "x.jpg")
        let c = try picture(dir, "x.jpg.1")
        let maps = dir.appendingPathComponent("maps").path
        let run = try Interop.signet(["detect", "--json", "--heatmap", maps, a, b, c])
        #expect(run.status == 0, "\(run.stderr)")
        let written = try objects(run.stdout).compactMap { $0["heatmap"]?.stringValue }
        #expect(written.count == 3 && Set(written).count == 3, "\(written)")
        let evil = try picture(dir, "evil\nfake: strong (score 0.99).jpg")
        let text = try Interop.signet(["detect", evil])
        #expect(text.status == 0)
        #expect(!text.stdout.split(separator: "\n").contains { $0.hasPrefix("fake: strong") })
    }
}
