import ArgumentParser
import Foundation
import Signet
import SignetDetect
import SignetImaging
import SignetMedia
import SignetReport

struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Score unsigned images for manipulation or synthesis, and explain each signal.",
        discussion: """
            A second opinion for files without a valid C2PA manifest. Each file gets a score from 0 to 1 (higher \
            means more likely manipulated or synthetic), a band (low, inconclusive, moderate, strong), its \
            provenance (none, valid manifest, broken manifest, manifest remnants) and every signal with its own \
            score, its contribution and a one-line reason. A file whose manifest validates with a trusted signer \
            is reported as signed and its pixels are not judged; an untrusted signer's file is judged. The \
            signals, their calibration and their failure modes are described in Spec/detector.md.

            Exit status: 0 when every file was analysed; 2 for usage errors or a file that cannot be opened; \
            3 when a file is corrupt, truncated, too large or in a format Signet cannot read; 5 when a heatmap \
            exists (without --force) or cannot be written.
            """
    )

    @Argument(help: "Files to analyse.")
    var files: [String]

    @Flag(name: .long, help: "Print one JSON object per file and line.")
    var json = false

    @Flag(name: .long, help: "Print every signal's reason, not only the strongest.")
    var explain = false

    @Option(name: .long, help: "Write a heatmap PNG. With one file, PATH is the PNG; with several, a directory receiving <name>.heatmap.png for each.")
    var heatmap: String?

    @Flag(name: .long, help: "Draw the heatmap for tools: grey level = suspicion * 254, 255 = too flat or clipped to judge.")
    var heatmapRaw = false

    @Flag(name: .long, help: "Replace existing heatmap files.")
    var force = false

    @Option(name: .long, help: "Files analysed at once (default: the number of cores).")
    var jobs: Int?

    @OptionGroup var trust: TrustOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to analyse") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if heatmapRaw && heatmap == nil { throw ValidationError("--heatmap-raw goes with --heatmap PATH") }
    }

    func run() async throws {
        let verifier = try trust.verifier()
        var options = DetectOptions()
        if heatmap != nil { options.heatmapStyle = heatmapRaw ? .raw : .overlay }
        let settings = options
        let heatmapTargets = try heatmapPaths()
        let width = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let files = self.files
        var worst = ExitStatus.ok
        await withTaskGroup(of: (Int, HeatmapOutcome).self) { group in
            var next = 0
            var pending: [Int: HeatmapOutcome] = [:]
            var printed = 0
            func launch() {
                guard next < files.count else { return }
                let index = next
                next += 1
                let target = heatmapTargets?[index]
                let overwrite = force
                group.addTask {
                    let manifest = await Self.manifestStatus(files[index], verifier: verifier)
                    // The heatmap is written as soon as it exists and dropped, so reports waiting to be
                    // printed in order hold no pictures.
                    return (index, Self.writeHeatmap(Detector.analyze(path: files[index], manifest: manifest, options: settings), to: target, overwrite: overwrite))
                }
            }
            for _ in 0..<min(width, files.count) { launch() }
            while let (index, result) = await group.next() {
                pending[index] = result
                launch()
                while let ready = pending.removeValue(forKey: printed) {
                    let status = emit(ready, file: files[printed])
                    if status.rawValue > worst.rawValue { worst = status }
                    printed += 1
                }
            }
        }
        if worst != .ok { throw ExitCode(worst.rawValue) }
    }

    /// Where each file's heatmap goes (nil without --heatmap).
    func heatmapPaths() throws -> [String]? {
        guard let heatmap else { return nil }
        if files.count == 1 { return [heatmap] }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: heatmap, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CLIError(.usage, "\(heatmap) is a file: with several inputs --heatmap names a directory")
            }
        } else {
            do { try FileManager.default.createDirectory(atPath: heatmap, withIntermediateDirectories: true) } catch {
                throw CLIError(.output, "cannot create \(heatmap): \(error.localizedDescription)")
            }
        }
        // Names are made unique among themselves (two inputs called x.jpg, or x.jpg and x.jpg.1).
        var taken = Set<String>()
        return files.map { file in
            let base = (file as NSString).lastPathComponent
            var name = base
            var count = 0
            while taken.contains(name) {
                count += 1
                name = "\(base).\(count)"
            }
            taken.insert(name)
            return (heatmap as NSString).appendingPathComponent(name + ".heatmap.png")
        }
    }

    /// What the verifier finds: the detector does not second-guess a valid manifest.
    static func manifestStatus(_ path: String, verifier: Signet.Verifier) async -> ManifestStatus {
        guard case .success(let report) = await verifier.result(path: path) else { return .absent }
        return Inspection.manifestStatus(of: report)
    }

    /// A report with its heatmap already written (or the reason it could not be).
    struct HeatmapOutcome: Sendable {
        var result: Result<DetectionReport, DetectError>
        var heatmap: String?
        var heatmapError: String?
    }

    static func writeHeatmap(_ result: Result<DetectionReport, DetectError>, to path: String?, overwrite: Bool) -> HeatmapOutcome {
        guard case .success(var report) = result else { return HeatmapOutcome(result: result) }
        let image = report.heatmapImage
        report.heatmapImage = nil
        guard let path, let image else { return HeatmapOutcome(result: .success(report)) }
        guard let png = try? ImageCodec.encodePNG(image) else {
            return HeatmapOutcome(result: .success(report), heatmapError: "\(path): the heatmap could not be encoded")
        }
        do throws(MediaError) {
            let output = try OutputFile(destination: path, overwrite: overwrite)
            do throws(MediaError) {
                try output.write(png)
                try output.commit()
            } catch {
                output.discard()
                throw error
            }
            return HeatmapOutcome(result: .success(report), heatmap: path)
        } catch {
            let message = error.code == .outputExists ? "\(path) already exists (use --force to replace it)" : "\(path): \(error.reason)"
            return HeatmapOutcome(result: .success(report), heatmapError: message)
        }
    }

    func emit(_ outcome: HeatmapOutcome, file: String) -> ExitStatus {
        switch outcome.result {
        case .failure(let error):
            if json {
                print(JSONValue.object([("file", .string(file)), ("error", .object([("code", .string(error.code.rawValue)), ("message", .string(error.reason))]))]).serialized())
            }
            printError("\(DetectionText.printable(file)): \(error.reason)")
            return error.code == .notFound ? .usage : .badInput
        case .success(let report):
            if let problem = outcome.heatmapError {
                printError(DetectionText.printable(problem))
                return .output
            }
            if json {
                print(DetectionJSON.render(report, heatmap: outcome.heatmap).serialized())
            } else {
                print(DetectionText.render(report, explain: explain, heatmap: outcome.heatmap))
            }
            return .ok
        }
    }
}
