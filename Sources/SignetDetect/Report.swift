import SignetImaging
import SignetMedia

/// What the file's own provenance says before any pixel is judged.
public enum Provenance: String, Sendable, Hashable {
    /// No manifest and no trace of one.
    case none
    /// A C2PA manifest that validates binds this file; the detector does not second-guess it.
    case validManifest = "valid manifest"
    /// A C2PA manifest is present but fails validation.
    case brokenManifest = "broken manifest"
    /// No usable manifest, but traces of one (a stripped or damaged store, a provenance reference).
    case manifestRemnants = "manifest remnants"
}

/// What the caller's verifier found in the file (the detector itself does not validate manifests).
public enum ManifestStatus: Sendable, Hashable {
    /// No manifest store was found.
    case absent
    /// A store validates and its signer is trusted; `verdict` is the verifier's word for it ("Trusted").
    case valid(verdict: String)
    /// A store validates but its signer is not on the trust list ("Valid"): anyone can make such a
    /// signature, so the pixels are judged as if the file were unsigned.
    case untrusted(verdict: String)
    /// A store is present but does not validate, for the reasons given.
    case broken(verdict: String, reasons: [String])
    /// The verifier could not read the file or its store. It is a broken manifest when the file holds
    /// C2PA traces, and nothing at all when it does not (a damaged container with no C2PA in it).
    case unreadable(reason: String)
}

/// One signal's verdict in a report.
public struct SignalResult: Sendable, Hashable {
    public var name: String
    public var applicable: Bool
    /// The raw statistic (larger = more suspicious); nil when not applicable.
    public var value: Double?
    /// The signal's own calibrated probability; nil when not applicable or not calibrated.
    public var score: Double?
    /// Its contribution to the fused log odds (0 when not applicable).
    public var contribution: Double
    public var reason: String
}

/// The detector's report on one file.
public struct DetectionReport: Sendable {
    public var file: String
    public var format: AssetFormat?
    public var width: Int?
    public var height: Int?
    /// 0...1, higher = more likely manipulated or synthetic; nil when not assessed (a valid manifest).
    public var score: Double?
    public var band: Band?
    public var provenance: Provenance
    /// The verifier's verdict on the manifest, when there is one.
    public var manifestVerdict: String?
    public var signals: [SignalResult]
    /// Fused local evidence on 8-pixel cells; nil when no local signal applied.
    public var heatmap: LocalMap?
    /// The heatmap drawn at the picture's size, when ``DetectOptions/heatmapStyle`` asked for it.
    public var heatmapImage: RGBImage?
    /// One-line notes (why the pixels were not judged, what could not be read).
    public var notes: [String]
    /// Wall time of the analysis.
    public var milliseconds: Double
}
