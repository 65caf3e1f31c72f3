import Foundation
import Signet
import SignetDetect

/// The detector's JSON: one object per file.
public enum DetectionJSON {
    /// The report as one JSON object (`signet detect --json`); `heatmap` is the path its heatmap was written to.
    public static func render(_ report: DetectionReport, heatmap: String?) -> JSONValue {
        func number(_ value: Double?) -> JSONValue {
            guard let value, value.isFinite else { return .null }
            return .double((value * 1_000_000).rounded() / 1_000_000)
        }
        var members: [(String, JSONValue)] = [
            ("file", .string(report.file)),
            ("score", number(report.score)),
            ("band", report.band.map { .string($0.rawValue) } ?? .null),
            ("provenance", .string(report.provenance.rawValue)),
        ]
        if let verdict = report.manifestVerdict { members.append(("manifest", .string(verdict))) }
        members.append(("format", report.format.map { .string($0.rawValue) } ?? .null))
        if let width = report.width, let height = report.height {
            members.append(("width", .int(Int64(width))))
            members.append(("height", .int(Int64(height))))
        }
        members.append(
            ("signals", .array(report.signals.map { signal in
                .object([
                    ("name", .string(signal.name)),
                    ("applicable", .bool(signal.applicable)),
                    ("value", number(signal.value)),
                    ("score", number(signal.score)),
                    ("contribution", number(signal.contribution)),
                    ("reason", .string(signal.reason)),
                ])
            })))
        if let heatmap { members.append(("heatmap", .string(heatmap))) }
        if !report.notes.isEmpty { members.append(("notes", .array(report.notes.map { .string($0) }))) }
        members.append(("milliseconds", .double((report.milliseconds * 10).rounded() / 10)))
        return .object(members)
    }
}

/// The detector's text: one headline per file, then the signals that moved the score.
public enum DetectionText {
    /// A path or message on one line: control characters (a newline in a file name could forge a result
    /// line) are shown escaped.
    public static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The headline, notes, and the signals that moved the score (every signal with `explain`); `heatmap` is the
    /// path its heatmap was written to.
    public static func render(_ report: DetectionReport, explain: Bool, heatmap: String?) -> String {
        var report = report
        report.file = printable(report.file)
        var lines: [String] = []
        if let score = report.score, let band = report.band {
            lines.append("\(report.file): \(band.rawValue) (score \(String(format: "%.2f", score))), provenance: \(report.provenance.rawValue)")
        } else {
            lines.append("\(report.file): signed, provenance: \(report.provenance.rawValue)\(report.manifestVerdict.map { " (\($0))" } ?? "")")
        }
        for note in report.notes { lines.append("  note: \(note)") }
        let shown = report.signals
            .filter { explain || ($0.applicable && abs($0.contribution) >= 0.3) }
            .sorted { abs($0.contribution) > abs($1.contribution) }
        for signal in shown {
            let sign = signal.contribution >= 0 ? "+" : "-"
            let amount = signal.applicable ? "\(sign)\(String(format: "%.2f", abs(signal.contribution)))" : "  n/a"
            lines.append("  \(amount)  \(signal.name): \(signal.reason)")
        }
        if let heatmap { lines.append("  heatmap: \(heatmap)") }
        return lines.joined(separator: "\n")
    }
}
