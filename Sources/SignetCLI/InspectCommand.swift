import ArgumentParser
import Foundation
import Signet
import SignetDetect
import SignetImaging
import SignetMedia
import SignetReport

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a file's whole manifest store, for people (default, --tree) or programs (--json, --detailed)."
    )

    @Argument(help: "The file (JPEG, PNG, or a .c2pa manifest store).")
    var file: String

    @OptionGroup var trust: TrustOptions

    @Flag(name: .long, help: "The c2pa-rs-shaped JSON report, pretty-printed.")
    var json = false

    @Flag(name: .long, help: "JSON with every claim, assertion box, hash and certificate in full.")
    var detailed = false

    @Flag(name: .long, help: "The edit history as a tree: each step's actions, signer and verdict, and its ingredients' own histories.")
    var tree = false

    @Flag(name: .long, help: "The JUMBF box tree of the manifest store, with byte offsets.")
    var boxes = false

    @Option(name: .long, help: "Write the edit history as one self-contained HTML page (no network) to this file.")
    var html: String?

    @Flag(name: .long, help: "With --html: replace the page if it exists.")
    var force = false

    func validate() throws {
        if [json, detailed, tree, boxes, html != nil].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of --json, --detailed, --tree, --boxes, --html")
        }
    }

    func run() async throws {
        let report: VerificationReport
        let verifier = try trust.verifier()
        switch await verifier.result(path: file) {
        case .success(let r): report = r
        case .failure(let error): throw CLIError(.usage, error.reason)
        }
        // A file without a valid manifest also gets the fallback detector's second opinion.
        let detection = Inspection.detection(path: file, report: report, drawHeatmap: html != nil)
        let reportJSON = Inspection.reportJSON(report, detection: detection)
        if let html {
            let page = Inspection.page(report, detection: detection)
            do {
                let out = try OutputFile(destination: html, overwrite: force)
                try out.write(Array(page.utf8))
                try out.commit()
            } catch {
                throw CLIError(.output, error.code == .outputExists ? "\(html) already exists (use --force to replace it)" : "\(html): \(error.reason)")
            }
            print("wrote \(html)")
        } else if json {
            print(reportJSON.serialized(pretty: true))
        } else if detailed {
            print(DetailedReport.render(report).serialized(pretty: true))
        } else if tree {
            print(HistoryTree.render(report))
        } else if boxes {
            print(TreeReport.render(report))
        } else {
            print(TreeReport.summary(report))
        }
        if let detection, !json, html == nil, !detailed {
            print("")
            print(DetectionText.render(detection, explain: false, heatmap: nil))
        }
        switch report.outcome {
        case .validated(let state) where state != .invalid: return
        default: throw ExitCode(ExitStatus.verificationFailed.rawValue)
        }
    }
}

