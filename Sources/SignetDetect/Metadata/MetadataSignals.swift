import SignetMedia

extension MetadataReader {
    /// The four metadata signals (c2pa_remnants, declared_source, generator_metadata, exif_consistency)
    /// for `facts`; see ``MetadataSignals``.
    public static func measurements(_ facts: MetadataFacts) -> [SignalMeasurement] {
        MetadataSignals.measurements(facts)
    }
}

/// The four metadata signals, computed from ``MetadataFacts`` alone.
public enum MetadataSignals {
    /// Signal names, as in the report and the calibration file.
    public static let c2paRemnantsName = "c2pa_remnants"
    public static let declaredSourceName = "declared_source"
    public static let generatorMetadataName = "generator_metadata"
    public static let exifConsistencyName = "exif_consistency"

    /// All four measurements, in the order c2pa_remnants, declared_source, generator_metadata, exif_consistency.
    public static func measurements(_ facts: MetadataFacts) -> [SignalMeasurement] {
        [c2paRemnants(facts), declaredSource(facts), generatorMetadata(facts), exifConsistency(facts)]
    }

    // MARK: - c2pa_remnants

    /// C2PA traces without a complete store: 1 when the file carries remnants of a manifest (stripped or
    /// broken: something rewrote it after signing), 0 when it has none, or when it carries a complete store
    /// (which the caller should verify instead).
    public static func c2paRemnants(_ facts: MetadataFacts) -> SignalMeasurement {
        guard facts.format != nil else { return .notApplicable(c2paRemnantsName, "format not recognised") }
        if facts.hasC2PAStore {
            return SignalMeasurement(
                name: c2paRemnantsName, value: 0,
                reason: "carries a C2PA manifest store (verify it): \(facts.c2paRemnants.prefix(2).joined(separator: "; "))")
        }
        guard !facts.c2paRemnants.isEmpty else {
            return SignalMeasurement(name: c2paRemnantsName, value: 0, reason: "no C2PA manifest or remnant")
        }
        let shown = facts.c2paRemnants.prefix(3).joined(separator: "; ")
        let more = facts.c2paRemnants.count > 3 ? " (and \(facts.c2paRemnants.count - 3) more)" : ""
        return SignalMeasurement(
            name: c2paRemnantsName, value: 1,
            reason: "C2PA manifest remnants without a valid store (the file was changed after signing): \(shown)\(more)")
    }

    // MARK: - declared_source

    /// The declared IPTC digital source type, or a known AI generator named in a software/tool field.
    ///
    /// trainedAlgorithmicMedia: 1, floor 0.97. compositeWithTrainedAlgorithmicMedia and algorithmicMedia: 1,
    /// floor 0.9. A generator named in a tool field: 1, floor 0.9. compositeSynthetic 0.8; edits, composites,
    /// digital creation, enhancement 0.6; minorHumanEdits 0.3; captures 0. Not applicable when nothing is declared.
    public static func declaredSource(_ facts: MetadataFacts) -> SignalMeasurement {
        struct Candidate {
            var value: Double
            var floor: Double?
            var reason: String
        }
        var candidates: [Candidate] = []
        for source in facts.declaredSources {
            guard let rating = MetaVocabulary.rateSource(source.code) else { continue }
            candidates.append(Candidate(
                value: rating.value, floor: rating.floor,
                reason: "declares digital source type \(source.code) (\(rating.meaning)) in \(source.location)"))
        }
        for marker in facts.generatorMarkers {
            candidates.append(Candidate(
                value: 1, floor: 0.9, reason: "\(marker.field) names \(marker.generator) (\"\(marker.value.prefix(80))\")"))
        }
        guard !candidates.isEmpty else {
            return .notApplicable(declaredSourceName, "no digital source type declared")
        }
        let ordered = candidates.sorted { ($0.value, $0.floor ?? 0) > ($1.value, $1.floor ?? 0) }
        let best = ordered[0]
        var reason = best.reason
        let others = ordered.dropFirst().prefix(2).map(\.reason)
        if !others.isEmpty { reason += "; also " + others.joined(separator: "; ") }
        return SignalMeasurement(name: declaredSourceName, value: best.value, reason: reason, floor: best.floor)
    }

    // MARK: - generator_metadata

    /// Generation text left by AI tools (Automatic1111 `parameters`, ComfyUI `prompt`/`workflow`, InvokeAI,
    /// NovelAI, prompt/parameter text in EXIF or COM): 1 with floor 0.95 when a generator is identified,
    /// 0 when the format carries text and none is found; not applicable to formats without such text.
    public static func generatorMetadata(_ facts: MetadataFacts) -> SignalMeasurement {
        let textFormats: Set<AssetFormat> = [.jpeg, .png, .webp]
        guard let format = facts.format, textFormats.contains(format) || !facts.textEntries.isEmpty else {
            let what = facts.format.map { "\($0.rawValue.uppercased()) carries no generator text Signet reads" } ?? "format not recognised"
            return .notApplicable(generatorMetadataName, what)
        }
        let findings = generatorFindings(facts.textEntries)
        guard let first = findings.first else {
            return SignalMeasurement(name: generatorMetadataName, value: 0, reason: "no generator text found")
        }
        var reason = first
        if findings.count > 1 { reason += "; also " + findings.dropFirst().prefix(2).joined(separator: "; ") }
        return SignalMeasurement(name: generatorMetadataName, value: 1, reason: reason, floor: 0.95)
    }

    /// One line per text entry that identifies a generator.
    static func generatorFindings(_ entries: [TextEntry]) -> [String] {
        let novelAI = entries.contains {
            ["software", "source"].contains($0.key.lowercased()) && MetaVocabulary.generatorNamed(in: $0.value) == "NovelAI"
        }
        var findings: [String] = []
        for entry in entries {
            let key = entry.key.lowercased()
            let value = entry.value
            let place = "\(entry.location) '\(entry.key)'"
            var generator: String?
            switch key {
            case "parameters":
                if value.contains("fooocus") || value.contains("Fooocus") {
                    generator = "Fooocus parameters"
                } else {
                    generator = looksLikeA1111(value) ? "AUTOMATIC1111-style generation parameters" : "Stable Diffusion web UI parameters"
                }
            case "prompt":
                generator = looksLikeComfyGraph(value) ? "ComfyUI prompt graph" : "a generation prompt"
            case "workflow":
                if looksLikeComfyGraph(value) || value.contains("\"nodes\"") { generator = "ComfyUI workflow" }
            case "dream":
                generator = "InvokeAI (legacy Dream) prompt"
            case "invokeai_metadata", "invokeai_graph":
                generator = "InvokeAI metadata"
            case "sd-metadata":
                generator = "InvokeAI/Stable Diffusion sd-metadata"
            case "fooocus_scheme":
                generator = "Fooocus metadata"
            case "generation_data":
                generator = "generation data"
            case "comment":
                if looksLikeGenerationJSON(value) {
                    generator = novelAI ? "NovelAI generation settings" : "diffusion generation settings (JSON)"
                } else if looksLikeA1111(value) {
                    generator = "AUTOMATIC1111-style generation parameters"
                }
            case "description":
                if novelAI, entry.location.hasPrefix("PNG") {
                    generator = "NovelAI prompt"
                } else if looksLikeA1111(value) {
                    generator = "AUTOMATIC1111-style generation parameters"
                }
            case "software", "source", "creatortool":
                if let name = MetaVocabulary.generatorNamed(in: value) { generator = "\(name) named as the software" }
            default:
                if looksLikeA1111(value) {
                    generator = "AUTOMATIC1111-style generation parameters"
                } else if looksLikeComfyGraph(value) {
                    generator = "ComfyUI prompt graph"
                }
            }
            if let generator {
                let line = "\(generator) in \(place)"
                if !findings.contains(line) { findings.append(line) }
            }
        }
        return findings
    }

    /// "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: ..." (Automatic1111 and its forks).
    static func looksLikeA1111(_ s: String) -> Bool {
        s.contains("Steps: ") && (s.contains("Sampler: ") || s.contains("CFG scale: ") || s.contains("Seed: "))
    }

    /// A ComfyUI API graph or workflow: JSON with `class_type` nodes.
    static func looksLikeComfyGraph(_ s: String) -> Bool {
        s.hasPrefix("{") && s.contains("\"class_type\"")
    }

    /// JSON with sampler settings (NovelAI's Comment, and similar).
    static func looksLikeGenerationJSON(_ s: String) -> Bool {
        let t = MetaBytes.trim(s)
        guard t.hasPrefix("{") else { return false }
        let settings = ["\"steps\"", "\"sampler\"", "\"seed\"", "\"scale\"", "\"cfg"].filter { t.contains($0) }.count
        return settings >= 2
    }

    // MARK: - exif_consistency

    /// How well the EXIF block agrees with a straight-from-camera file: editor software (0.4), EXIF
    /// dimensions disagreeing with the picture (0.7; 0.5 when only scaled), a thumbnail whose aspect ratio
    /// differs from the picture's by more than 3% (0.7: cropped after capture), no camera make/model (0.2),
    /// a modification date different from the capture date (0.3). The strongest finding plus 0.15 for each
    /// other one, capped at 1. Not applicable without EXIF.
    public static func exifConsistency(_ facts: MetadataFacts) -> SignalMeasurement {
        guard let exif = facts.exif else { return .notApplicable(exifConsistencyName, "no EXIF") }
        var findings: [(value: Double, text: String)] = []
        var described: [String] = []

        let camera = [exif.make, exif.model].compactMap { $0 }.joined(separator: " ")
        if camera.isEmpty {
            findings.append((0.2, "no camera make or model"))
        } else {
            described.append(cameraName(make: exif.make, model: exif.model))
        }
        if let software = exif.software {
            if let editor = MetaVocabulary.editorNamed(in: software) {
                findings.append((0.4, "edited in \(software)\(software.lowercased().contains(editor.lowercased()) ? "" : " (\(editor))")"))
            } else {
                described.append("software \(software)")
            }
        }
        if let changed = exif.dateTime, let taken = exif.dateTimeOriginal, changed != taken {
            findings.append((0.3, "modified \(changed), taken \(taken)"))
        }
        if let w = facts.width, let h = facts.height, w > 0, h > 0 {
            if let ew = exif.pixelWidth, let eh = exif.pixelHeight, ew > 0, eh > 0 {
                if (ew, eh) == (w, h) {
                    described.append("EXIF dimensions match")
                } else if (ew, eh) == (h, w) {
                    described.append("EXIF dimensions match rotated")
                } else if aspectDiffers(ew, eh, w, h, tolerance: 0.01) {
                    findings.append((0.7, "EXIF says \(ew)x\(eh) but the image is \(w)x\(h) (different aspect: cropped)"))
                } else {
                    findings.append((0.5, "EXIF says \(ew)x\(eh) but the image is \(w)x\(h) (resized)"))
                }
            }
            if let thumb = exif.thumbnail, let tw = thumb.width, let th = thumb.height, tw > 0, th > 0 {
                if aspectDiffers(tw, th, w, h, tolerance: 0.03) {
                    if isPaddedStandardThumbnail(tw, th, w, h) {
                        described.append("\(tw)x\(th) thumbnail (letterboxed)")
                    } else {
                        findings.append((0.7, "thumbnail is \(tw)x\(th) but the image is \(w)x\(h) (aspect differs: cropped after capture)"))
                    }
                } else {
                    described.append("thumbnail aspect matches")
                }
            }
        }
        if let thumb = exif.thumbnail, !thumb.inBounds {
            findings.append((0.3, "thumbnail pointer outside the EXIF block"))
        }

        let ordered = findings.sorted { $0.value > $1.value }
        let value = ordered.first.map { min(1, $0.value + 0.15 * Double(ordered.count - 1)) } ?? 0
        var parts = described.prefix(1).map { $0 }
        parts += ordered.map(\.text)
        if ordered.isEmpty { parts += described.dropFirst() }
        let summary = parts.isEmpty ? "EXIF without camera or software fields" : parts.joined(separator: "; ")
        let reason = ordered.isEmpty ? "consistent camera EXIF: \(summary)" : summary
        return SignalMeasurement(name: exifConsistencyName, value: value, reason: reason)
    }

    static func cameraName(make: String?, model: String?) -> String {
        guard let model else { return make ?? "" }
        guard let make else { return model }
        // Many cameras repeat the make in the model ("Canon" + "Canon EOS 5D").
        return model.lowercased().hasPrefix(make.lowercased().split(separator: " ").first.map(String.init) ?? make.lowercased())
            ? model : "\(make) \(model)"
    }

    /// Whether a/b and c/d differ by more than `tolerance` (relative), comparing the long-to-short ratio when
    /// one is rotated relative to the other.
    static func aspectDiffers(_ a: Int, _ b: Int, _ c: Int, _ d: Int, tolerance: Double) -> Bool {
        let r1 = Double(a) / Double(b)
        let r2 = Double(c) / Double(d)
        let direct = abs(r1 / r2 - 1)
        let rotated = abs(r1 * r2 - 1)
        return min(direct, rotated) > tolerance
    }

    /// Cameras often write a 160x120 (4:3) thumbnail for wider pictures, letterboxed: not a crop.
    static func isPaddedStandardThumbnail(_ tw: Int, _ th: Int, _ w: Int, _ h: Int) -> Bool {
        let standard = (tw == 160 && th == 120) || (tw == 120 && th == 160)
        let imageRatio = Double(max(w, h)) / Double(min(w, h))
        return standard && imageRatio > 4.0 / 3.0 + 0.01
    }
}
