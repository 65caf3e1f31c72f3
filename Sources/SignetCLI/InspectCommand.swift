import ArgumentParser
import Foundation
import Signet
import SignetDetect
import SignetImaging
import SignetCBOR
import SignetJUMBF
import SignetMedia

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
        let detection = Self.detect(file, report: report, drawHeatmap: html != nil)
        var reportJSON = ReportJSON.render(report)
        if let detection { reportJSON = reportJSON.setting("detection", DetectionJSON.render(detection, heatmap: nil)) }
        if let html {
            var thumbnails = Self.thumbnails(report)
            if let image = detection?.heatmapImage, let png = try? ImageCodec.encodePNG(image) {
                thumbnails[HTMLReport.heatmapKey] = ("image/png", png)
            }
            let page = HTMLReport.render(report: reportJSON, thumbnails: thumbnails)
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

extension InspectCommand {
    /// The detector's report for a file whose manifest is missing, unreadable or invalid (nil otherwise, or when
    /// the file cannot be analysed: inspect reports the manifest, the detector is a second opinion).
    static func detect(_ file: String, report: VerificationReport, drawHeatmap: Bool) -> DetectionReport? {
        let manifest = DetectCommand.manifestStatus(of: report)
        if case .valid = manifest { return nil }
        // A Valid (untrusted) manifest's page already shows its history; the detector adds its opinion below.
        var options = DetectOptions()
        if drawHeatmap { options.heatmapStyle = .overlay }
        return try? Detector.analyze(path: file, manifest: manifest, options: options).get()
    }

    /// Every embedded-file assertion (claim and ingredient thumbnails), by its absolute JUMBF URI.
    static func thumbnails(_ report: VerificationReport) -> [String: (mediaType: String, data: [UInt8])] {
        var out: [String: (mediaType: String, data: [UInt8])] = [:]
        for m in report.store?.manifests ?? [] {
            for a in m.assertions {
                guard case .embeddedFile(let mediaType) = a.kind, let data = a.content else { continue }
                out["self#jumbf=/c2pa/\(m.label)/c2pa.assertions/\(a.label)"] = (mediaType ?? "image/jpeg", data)
            }
        }
        return out
    }
}

/// The full store as JSON: each manifest's claim as decoded, every assertion with its box offsets, sizes and
/// hashes, and the validation statuses.
enum DetailedReport {
    static func render(_ report: VerificationReport) -> JSONValue {
        var base = ReportJSON.render(report)
        guard let store = report.store else { return base }
        let manifests: [(String, JSONValue)] = store.manifests.map { m in
            var members: [(String, JSONValue)] = [("label", .string(m.label)), ("update_manifest", .bool(m.isUpdateManifest))]
            if let claimLabel = m.claimLabel { members.append(("claim_label", .string(claimLabel))) }
            if case .success(let claim)? = m.claim {
                members.append(("claim", CBORJSON.json(from: claim.raw)))
                if !claim.unknownFields.isEmpty {
                    members.append(("claim_unknown_fields", .array(claim.unknownFields.map { .string($0) })))
                }
            } else if case .failure(let e)? = m.claim {
                members.append(("claim_error", .string(e.reason)))
            }
            if let sig = m.signatureBytes { members.append(("signature_size", .int(Int64(sig.count)))) }
            members.append(
                ("assertion_store", .array(m.assertions.map { a in
                    var entry: [(String, JSONValue)] = [
                        ("label", .string(a.label)),
                        ("offset", .int(Int64(a.box.range.lowerBound))),
                        ("size", .int(Int64(a.box.range.count))),
                        ("sha256", .string(Data(HashAlgorithm.sha256.hash(a.hashedBytes)).base64EncodedString())),
                    ]
                    switch a.kind {
                    case .cbor:
                        entry.append(("kind", .string("cbor")))
                        if let c = a.content, let v = try? CBORDecoder().decode(c) { entry.append(("data", CBORJSON.json(from: v))) }
                    case .json:
                        entry.append(("kind", .string("json")))
                        if let c = a.content, let v = try? JSONValue.parse(c) { entry.append(("data", v)) }
                    case .embeddedFile(let mt):
                        entry.append(("kind", .string("embedded_file")))
                        if let mt { entry.append(("media_type", .string(mt))) }
                        entry.append(("data_size", .int(Int64(a.content?.count ?? 0))))
                    case .other(let t):
                        entry.append(("kind", .string(t)))
                    }
                    return .object(entry)
                })))
            return (m.label, .object(members))
        }
        base = base.setting("store", .object([("size", .int(Int64(store.bytes.count))), ("source", .string(report.storeSource ?? "embedded")), ("manifests", .object(manifests))]))
        return base
    }
}

/// Text views for terminals.
enum TreeReport {
    static func summary(_ report: VerificationReport) -> String {
        var lines = [HumanReport.line(report)]
        guard let store = report.store else { return lines.joined(separator: "\n") }
        lines.append("manifest store: \(store.bytes.count) bytes, \(store.manifests.count) manifest(s), from \(report.storeSource ?? "asset")")
        for (i, m) in store.manifests.enumerated() {
            let active = m.label == store.activeManifest?.label ? " (active)" : ""
            lines.append("\(i + 1). \(m.label)\(active)")
            if case .success(let claim)? = m.claim {
                if let t = claim.title { lines.append("   title: \(t)") }
                let generator = claim.claimGeneratorInfo.first?["name"]?.stringValue ?? claim.claimGenerator ?? "unknown"
                lines.append("   claim: v\(claim.version), generator \(generator)")
            }
            for a in m.assertions {
                lines.append("   - \(a.label)\(actionSummary(a))")
            }
            if active != "", let v = report.activeManifest {
                if let info = v.signatureInfo {
                    lines.append("   signer: \(info.commonName ?? "?")\(info.organization.map { " (\($0))" } ?? ""), \(info.algorithm?.name ?? "?"), issued by \(info.issuerCommonName ?? "?")")
                }
                lines.append("   checks: \(v.statuses.success.count) passed, \(v.statuses.failure.count) failed")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func actionSummary(_ a: AssertionBox) -> String {
        guard a.baseLabel == "c2pa.actions", let c = a.content, let v = try? CBORDecoder().decode(c),
            let actions = v["actions"]?.arrayValue
        else { return "" }
        return ": " + actions.compactMap { $0["action"]?.stringValue }.joined(separator: ", ")
    }

    static func render(_ report: VerificationReport) -> String {
        var lines = [HumanReport.line(report)]
        guard let store = report.store else { return lines.joined(separator: "\n") }
        func walk(_ box: JUMBFBox, _ prefix: String, _ last: Bool) {
            let branch = prefix + (last ? "└─ " : "├─ ")
            var text = "\(box.type)"
            if let d = box.description {
                text = "\(d.type.fourCC ?? "jumb") \"\(d.label ?? "")\""
            } else if let data = box.data {
                text += " (\(data.count) bytes)"
            }
            lines.append("\(branch)\(text)  [\(box.range.lowerBound)..<\(box.range.upperBound)]")
            let kids = box.children
            for (i, k) in kids.enumerated() { walk(k, prefix + (last ? "   " : "│  "), i == kids.count - 1) }
        }
        walk(store.root, "", true)
        return lines.joined(separator: "\n")
    }
}

/// The edit history for a terminal: from the active manifest back through each ingredient's own manifests.
enum HistoryTree {
    static let maxDepth = 100

    static func render(_ report: VerificationReport) -> String {
        var lines = [HumanReport.line(report).split(separator: "\n").first.map(String.init) ?? report.file]
        guard let store = report.store, let active = store.activeManifest else { return lines.joined(separator: "\n") }
        var visited = Set<String>()
        let brokenAt = Dictionary(
            report.ingredientDeltas.filter { !$0.deltas.failure.isEmpty }.map { ($0.ingredientAssertionURI, $0.deltas.failure) },
            uniquingKeysWith: { a, _ in a })

        func verdict(_ label: String) -> String {
            if label == active.label, let state = report.state { return mark(state) + " " + state.rawValue }
            guard let v = report.ingredientValidations[label] else { return "? not validated" }
            return mark(v.state) + " " + v.state.rawValue
        }

        func manifestNode(_ m: Manifest, prefix: String, depth: Int) {
            let claim = try? m.claim?.get()
            let title = claim?.title ?? "(untitled)"
            lines.append("\(prefix)\(title)  [\(verdict(m.label))]  \(m.label)")
            guard visited.insert(m.label).inserted else {
                lines.append("\(prefix)   (already shown above)")
                return
            }
            guard depth < maxDepth else {
                lines.append("\(prefix)   (history continues: depth limit reached)")
                return
            }
            let info = m.label == active.label ? report.activeManifest?.signatureInfo : report.ingredientValidations[m.label]?.signatureInfo
            if let info {
                var who = info.commonName ?? "unknown signer"
                if let o = info.organization { who += " (\(o))" }
                var line = "\(prefix)   signed by \(who)"
                if let alg = info.algorithm { line += ", \(alg.name)" }
                if let t = info.time { line += ", timestamped \(t)" }
                lines.append(line)
            }
            let validation = m.label == active.label ? report.activeManifest : report.ingredientValidations[m.label]
            for identity in validation?.identities ?? [] {
                var who = identity.commonName ?? (identity.sigType == IdentityAssertion.x509SigType ? "unknown identity" : "identity claims aggregation")
                if let o = identity.organization { who += " (\(o))" }
                let roles = identity.roles.isEmpty ? "" : " as \(identity.roles.joined(separator: ", "))"
                let state = identity.trusted ? "trusted" : identity.signatureValid ? "signature valid, not trusted" : "not verified"
                lines.append("\(prefix)   identity: \(who)\(roles) [\(state)], vouches for \(identity.referencedLabels.joined(separator: ", "))")
            }
            let generator = claim?.claimGeneratorInfo.first.map { info -> String in
                [info["name"]?.stringValue, info["version"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            } ?? claim?.claimGenerator
            if let generator { lines.append("\(prefix)   made with \(generator)") }
            for action in actions(of: m) { lines.append("\(prefix)   - \(action)") }
            let failures = m.label == active.label ? (report.activeManifest?.statuses.failure ?? []) : (report.ingredientValidations[m.label]?.statuses.failure ?? [])
            for f in failures where f.code != .signingCredentialUntrusted && f.code != .cawgX509CredentialUntrusted {
                lines.append("\(prefix)   ✘ \(f.code.rawValue): \(f.explanation ?? "")")
            }
            let ingredients = m.claimedAssertions.filter { $0.baseLabel == "c2pa.ingredient" }
            for (i, a) in ingredients.enumerated() {
                let last = i == ingredients.count - 1
                let branch = prefix + (last ? "   └─ " : "   ├─ ")
                let childPrefix = prefix + (last ? "      " : "   │  ")
                guard let content = a.content, let v = try? CBORDecoder().decode(content) else {
                    lines.append("\(branch)ingredient \(a.label): malformed")
                    continue
                }
                let relationship = v["relationship"]?.stringValue ?? "ingredient"
                let name = v["dc:title"]?.stringValue ?? "(untitled)"
                lines.append("\(branch)\(relationship): \(name)")
                let uri = JUMBFURIText.absolute(m.label, a.label)
                if let broken = brokenAt[uri] {
                    lines.append("\(childPrefix)✘ chain breaks here: " + broken.map { $0.code.rawValue }.joined(separator: ", "))
                }
                let ref = (v["activeManifest"] ?? v["c2pa_manifest"])?["url"]?.stringValue
                if let ref, let label = ref.split(separator: "/").dropFirst(2).first.map(String.init), let target = store.manifest(labeled: label) {
                    manifestNode(target, prefix: childPrefix, depth: depth + 1)
                } else if ref != nil {
                    lines.append("\(childPrefix)(its manifest is missing from the store)")
                } else {
                    lines.append("\(childPrefix)(no provenance)")
                }
            }
        }
        manifestNode(active, prefix: "", depth: 0)
        return lines.joined(separator: "\n")
    }

    static func mark(_ state: ValidationState) -> String {
        switch state {
        case .trusted: return "✔"
        case .valid: return "~"
        case .invalid: return "✘"
        }
    }

    /// "cropped (Signet 0.1.0, 2026-11-25T...)" for each action of the manifest's actions assertion.
    static func actions(of m: Manifest) -> [String] {
        guard let a = m.claimedAssertions.first(where: { $0.baseLabel == "c2pa.actions" }), let c = a.content,
            let v = try? CBORDecoder().decode(c), let list = v["actions"]?.arrayValue
        else { return [] }
        return list.prefix(50).map { action in
            var name = action["action"]?.stringValue ?? "?"
            if name.hasPrefix("c2pa.") { name.removeFirst(5) }
            var details: [String] = []
            if let agent = action["softwareAgent"] {
                details.append(agent.stringValue ?? [agent["name"]?.stringValue, agent["version"]?.stringValue].compactMap { $0 }.joined(separator: " "))
            }
            if let when = action["when"]?.stringValue { details.append(when) }
            if let source = action["digitalSourceType"]?.stringValue { details.append(String(source.split(separator: "/").last ?? "")) }
            return details.isEmpty ? name : "\(name) (\(details.joined(separator: ", ")))"
        }
    }
}

enum JUMBFURIText {
    static func absolute(_ manifest: String, _ assertion: String) -> String {
        "self#jumbf=/c2pa/\(manifest)/c2pa.assertions/\(assertion)"
    }
}
