import Foundation
import Signet
import SignetCBOR
import SignetJUMBF

/// The full store as JSON: each manifest's claim as decoded, every assertion with its box offsets, sizes and
/// hashes, and the validation statuses.
public enum DetailedReport {
    /// The store in full: ``ReportJSON`` plus a `store` member (size, source, each manifest's claim and boxes).
    public static func render(_ report: VerificationReport) -> JSONValue {
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
public enum TreeReport {
    /// The verdict line, then each manifest of the store: title, claim generator, assertions (with their
    /// actions), and the active manifest's signer and check counts (`signet inspect`).
    public static func summary(_ report: VerificationReport) -> String {
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

    /// ": cropped, resized" for a `c2pa.actions` assertion, "" for any other.
    public static func actionSummary(_ a: AssertionBox) -> String {
        guard a.baseLabel == "c2pa.actions", let c = a.content, let v = try? CBORDecoder().decode(c),
            let actions = v["actions"]?.arrayValue
        else { return "" }
        return ": " + actions.compactMap { $0["action"]?.stringValue }.joined(separator: ", ")
    }

    /// The verdict line, then the JUMBF box tree of the store with byte ranges (`signet inspect --boxes`).
    public static func render(_ report: VerificationReport) -> String {
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
public enum HistoryTree {
    /// How many ingredient links are followed before the tree is cut short.
    public static let maxDepth = 100

    /// The history as an indented tree (`signet inspect --tree`).
    public static func render(_ report: VerificationReport) -> String {
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

    /// ✔ trusted, ~ valid, ✘ invalid.
    public static func mark(_ state: ValidationState) -> String {
        switch state {
        case .trusted: return "✔"
        case .valid: return "~"
        case .invalid: return "✘"
        }
    }

    /// "cropped (Signet 0.1.0, 2026-11-25T...)" for each action of the manifest's actions assertion.
    public static func actions(of m: Manifest) -> [String] {
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

/// JUMBF URIs as the reports show them.
public enum JUMBFURIText {
    /// `self#jumbf=/c2pa/<manifest>/c2pa.assertions/<assertion>`.
    public static func absolute(_ manifest: String, _ assertion: String) -> String {
        JUMBFURI.absolute(manifest: manifest, path: "c2pa.assertions/\(assertion)")
    }
}
