import Signet
import SignetDetect
import SignetImaging

/// What `inspect` shows for one file, shared by the CLI and the service: the verifier's report, and for a file
/// whose manifest is missing, unreadable, invalid or from an untrusted signer, the fallback detector's opinion.
public enum Inspection {
    /// What the verifier found, in the detector's terms: the detector does not second-guess a trusted manifest.
    public static func manifestStatus(of report: VerificationReport) -> ManifestStatus {
        switch report.outcome {
        case .noManifest: return .absent
        case .unreadableManifest(let reason): return .unreadable(reason: reason)
        case .validated(let state):
            if state == .invalid {
                let codes = report.activeManifest?.statuses.failure.map(\.code.rawValue) ?? []
                return .broken(verdict: state.rawValue, reasons: Array(Set(codes)).sorted())
            }
            return state == .trusted ? .valid(verdict: state.rawValue) : .untrusted(verdict: state.rawValue)
        }
    }

    /// The detector's report for the file at `path` when its manifest is not trusted (nil for a trusted one, or
    /// when the file cannot be analysed: inspect reports the manifest; the detector is a second opinion).
    public static func detection(path: String, report: VerificationReport, drawHeatmap: Bool, maxPixels: Int? = nil)
        -> DetectionReport?
    {
        let manifest = manifestStatus(of: report)
        if case .valid = manifest { return nil }
        var options = DetectOptions()
        if let maxPixels { options.maxPixels = maxPixels }
        if drawHeatmap { options.heatmapStyle = .overlay }
        return try? Detector.analyze(path: path, manifest: manifest, options: options).get()
    }

    /// The c2pa-rs-shaped report, with the detector's JSON under `detection` when there is one.
    public static func reportJSON(_ report: VerificationReport, detection: DetectionReport?) -> JSONValue {
        var json = ReportJSON.render(report)
        if let detection { json = json.setting("detection", DetectionJSON.render(detection, heatmap: nil)) }
        return json
    }

    /// The investigator page: the report, its thumbnails and, when the detector ran with a heatmap, its heatmap.
    public static func page(_ report: VerificationReport, detection: DetectionReport?) -> String {
        var thumbnails = HTMLReport.thumbnails(report)
        if let image = detection?.heatmapImage, let png = try? ImageCodec.encodePNG(image) {
            thumbnails[HTMLReport.heatmapKey] = ("image/png", png)
        }
        return HTMLReport.render(report: reportJSON(report, detection: detection), thumbnails: thumbnails)
    }
}
