import Dispatch
import Foundation
import SignetImaging
import SignetMedia

/// Why a file could not be analysed at all.
public struct DetectError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case notFound = "not_found"
        case unsupported
        case corrupt
        case truncated
        case tooLarge = "too_large"
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}

/// Settings for ``Detector``.
public struct DetectOptions: Sendable {
    /// Pictures with more pixels are refused before any pixel memory is allocated.
    public var maxPixels = 64_000_000
    /// Whether to fuse the local signals into a heatmap (``DetectionReport/heatmap``).
    public var heatmap = true
    /// When set, the heatmap is also drawn as a picture of the file's own size
    /// (``DetectionReport/heatmapImage``).
    public var heatmapStyle: HeatmapStyle?
    public var calibration = Calibration.shipped

    public init() {}
}

/// The fallback detector: scores a file that carries no valid manifest for signs of manipulation
/// or synthesis, signal by signal, and fuses them.
public enum Detector {
    /// The pixel and DCT signals, each a separate unit.
    static let pixelSignals: [(String, @Sendable (Picture) -> SignalMeasurement)] = [
        (JPEGQuantization.name, JPEGQuantization.measure),
        (DoubleCompression.name, DoubleCompression.measure),
        (TableConflict.name, TableConflict.measure),
        (GridAlignment.name, GridAlignment.measure),
        (NonalignedJPEG.name, NonalignedJPEG.measure),
        (NoiseLevel.name, NoiseLevel.measure),
        (BlurLevel.name, BlurLevel.measure),
        (CopyMove.name, CopyMove.measure),
        (Resampling.name, Resampling.measure),
        (ErrorLevel.name, ErrorLevel.measure),
    ]

    /// Analyses the file at `path`. `manifest` is what the caller's verifier found: with a valid
    /// manifest the pixels are not judged and the report says so.
    public static func analyze(path: String, manifest: ManifestStatus, options: DetectOptions = .init())
        -> Result<DetectionReport, DetectError>
    {
        let clock = ContinuousClock()
        let start = clock.now
        let facts: MetadataFacts
        do {
            facts = try MetadataReader.read(path: path)
        } catch {
            return .failure(DetectError(.notFound, error.reason))
        }
        var report = DetectionReport(
            file: path, format: facts.format, width: facts.width, height: facts.height, score: nil, band: nil,
            provenance: .none, manifestVerdict: nil, signals: [], heatmap: nil, heatmapImage: nil, notes: facts.notes, milliseconds: 0)
        switch manifest {
        case .valid(let verdict):
            report.provenance = .validManifest
            report.manifestVerdict = verdict
            report.notes.insert("a valid C2PA manifest binds this file (\(verdict)): its provenance is the manifest's, so the pixels were not judged", at: 0)
            report.milliseconds = milliseconds(clock.now - start)
            return .success(report)
        case .untrusted(let verdict):
            report.provenance = .validManifest
            report.manifestVerdict = verdict
            report.notes.insert("the C2PA manifest validates but its signer is not on the trust list: anyone can make such a signature, so the pixels were judged as if it were unsigned", at: 0)
        case .broken(let verdict, let reasons):
            report.provenance = .brokenManifest
            report.manifestVerdict = verdict
            if !reasons.isEmpty {
                report.notes.insert("the C2PA manifest does not validate: " + reasons.joined(separator: "; "), at: 0)
            }
        case .unreadable(let reason):
            if facts.c2paRemnants.isEmpty && !facts.hasC2PAStore {
                report.provenance = .none
            } else {
                report.provenance = .brokenManifest
                report.manifestVerdict = "unreadable"
                report.notes.insert("the C2PA manifest cannot be read: " + reason, at: 0)
            }
        case .absent:
            report.provenance = facts.c2paRemnants.isEmpty && !facts.hasC2PAStore ? .none : .manifestRemnants
        }
        guard facts.format != nil else {
            return .failure(DetectError(.unsupported, "not a format Signet reads (neither an image nor a container it knows)"))
        }
        var measurements = MetadataReader.measurements(facts)
        var picture: Picture?
        if let format = facts.format, format == .jpeg || format == .png {
            switch decode(path: path, format: format, options: options) {
            case .success(let decoded): picture = decoded
            case .failure(let error): return .failure(error)
            }
        }
        if let picture {
            report.width = picture.width
            report.height = picture.height
            let results = runConcurrently(pixelSignals.map { signal in { signal.1(picture) } })
            measurements.append(contentsOf: results)
        } else {
            let what = facts.format.map { "a \($0.rawValue.uppercased()) file is not a still image Signet decodes" } ?? "not a format Signet decodes"
            for (name, _) in pixelSignals { measurements.append(.notApplicable(name, what)) }
        }
        let fused = Fusion.fuse(measurements, calibration: options.calibration)
        report.signals = fused.signals
        report.score = fused.score
        report.band = options.calibration.band(fused.score)
        if options.heatmap, let picture {
            report.heatmap = Fusion.heatmap(measurements, fused: fused, picture: picture, calibration: options.calibration)
            if let style = options.heatmapStyle {
                report.heatmapImage = HeatmapRenderer.render(report.heatmap, picture: picture, style: style)
            }
        }
        report.milliseconds = milliseconds(clock.now - start)
        return .success(report)
    }

    static func decode(path: String, format: AssetFormat, options: DetectOptions) -> Result<Picture, DetectError> {
        // Pixels and DCT coefficients are read on two cores at once (the header check inside each refuses
        // oversized pictures before either allocates).
        // A JPEG's own luminance (before colour conversion) is read too, for the shifted-grid signal.
        let pixels = DecodeSlot<RGBImage>(), coefficients = DecodeSlot<DCTImage>(), luminance = DecodeSlot<LumaImage>()
        DispatchQueue.concurrentPerform(iterations: format == .jpeg ? 3 : 1) { job in
            switch job {
            case 0:
                pixels.set(Result { () throws(ImagingError) in try ImageCodec.decode(path: path, maxPixels: options.maxPixels) })
            case 1:
                coefficients.set(Result { () throws(ImagingError) in
                    try ImageCodec.readCoefficients(path: path, maxBlocks: options.maxPixels / 64 * 3 + 64, components: 1)
                })
            default:
                luminance.set(Result { () throws(ImagingError) in try ImageCodec.decodeLuma(path: path, maxPixels: options.maxPixels) })
            }
        }
        do throws(ImagingError) {
            guard let rgb = try pixels.get() else { return .failure(DetectError(.corrupt, "the picture could not be decoded")) }
            let dct = try coefficients.get()
            // CMYK and YCCK JPEGs have no luminance of their own: the signal then uses the luma of the RGB.
            let luma: LumaImage?
            do throws(ImagingError) { luma = try luminance.get() } catch let error where error.code == .unsupportedFormat { luma = nil }
            return .success(Picture(format: format, rgb: rgb, dct: dct, decoderLuma: luma))
        } catch {
            let code: DetectError.Code
            switch error.code {
            case .notFound: code = .notFound
            case .unsupportedFormat: code = .unsupported
            case .truncated: code = .truncated
            case .tooLarge: code = .tooLarge
            default: code = .corrupt
            }
            return .failure(DetectError(code, error.reason))
        }
    }

    static func runConcurrently(_ jobs: [@Sendable () -> SignalMeasurement]) -> [SignalMeasurement] {
        let box = ResultBox(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            box.set(index, jobs[index]())
        }
        return box.values
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

/// One decode's outcome, written by a concurrent job.
private final class DecodeSlot<Value: Sendable>: @unchecked Sendable {
    private var result: Result<Value, ImagingError>?
    private let lock = NSLock()

    func set(_ value: Result<Value, ImagingError>) { lock.withLock { result = value } }

    /// The value, nil when the job did not run; rethrows the job's error.
    func get() throws(ImagingError) -> Value? {
        let stored = lock.withLock { result }
        switch stored {
        case .none: return nil
        case .success(let value): return value
        case .failure(let error): throw error
        }
    }
}

/// Results written by concurrent jobs, each to its own slot.
private final class ResultBox: @unchecked Sendable {
    private var slots: [SignalMeasurement?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: SignalMeasurement) {
        lock.withLock { slots[index] = value }
    }

    var values: [SignalMeasurement] { lock.withLock { slots.compactMap { $0 } } }
}
