import Signet

/// One-line and multi-line summaries for people.
public enum HumanReport {
    /// `FILE: VERDICT, signed by WHO, ALG`, then one indented line per note and failure (the active manifest's
    /// and its ingredients'): what `signet verify` prints.
    public static func line(_ report: VerificationReport) -> String {
        switch report.outcome {
        case .noManifest(let reason): return "\(report.file): NO MANIFEST (\(reason))"
        case .unreadableManifest(let reason): return "\(report.file): UNREADABLE (\(reason))"
        case .validated(let state):
            var parts = ["\(report.file): \(state.rawValue.uppercased())"]
            if let info = report.activeManifest?.signatureInfo {
                var who = info.commonName ?? "unknown signer"
                if let o = info.organization { who += " (\(o))" }
                parts.append("signed by \(who)")
                if let alg = info.algorithm { parts.append(alg.name) }
            }
            if report.format == nil && report.storeSource == "sidecar" {
                parts.append("manifest store only: no asset given, so its hard binding was not checked")
            }
            var text = parts.joined(separator: ", ")
            if let note = report.formatMismatch { text += "\n  note: \(note)" }
            let failures = report.activeManifest?.statuses.failure ?? []
            for f in failures {
                text += "\n  \(f.code.rawValue): \(f.explanation ?? "")"
            }
            for delta in report.ingredientDeltas {
                for f in delta.deltas.failure {
                    text += "\n  ingredient \(delta.ingredientAssertionURI): \(f.code.rawValue): \(f.explanation ?? "")"
                }
            }
            return text
        }
    }
}
