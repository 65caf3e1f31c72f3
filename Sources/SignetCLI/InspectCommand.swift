import ArgumentParser
import Foundation
import Signet
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

    @Flag(name: .long, help: "The JUMBF box tree of the manifest store.")
    var tree = false

    @Option(name: .long, help: "Write the edit history as one self-contained HTML page (no network) to this file.")
    var html: String?

    @Flag(name: .long, help: "With --html: replace the page if it exists.")
    var force = false

    func validate() throws {
        if [json, detailed, tree].filter({ $0 }).count > 1 { throw ValidationError("choose one of --json, --detailed, --tree") }
    }

    func run() async throws {
        let report: VerificationReport
        let verifier = Verifier(trust: try trust.settings())
        do throws(VerifyError) {
            report = try await verifier.verify(path: file)
        } catch {
            throw CLIError(.usage, error.reason)
        }
        if let html {
            let page = HTMLReport.render(report: ReportJSON.render(report), thumbnails: Self.thumbnails(report))
            do {
                let out = try OutputFile(destination: html, overwrite: force)
                try out.write(Array(page.utf8))
                try out.commit()
            } catch {
                throw CLIError(.output, error.code == .outputExists ? "\(html) already exists (use --force to replace it)" : "\(html): \(error.reason)")
            }
            print("wrote \(html)")
        } else if json {
            print(ReportJSON.render(report).serialized(pretty: true))
        } else if detailed {
            print(DetailedReport.render(report).serialized(pretty: true))
        } else if tree {
            print(TreeReport.render(report))
        } else {
            print(TreeReport.summary(report))
        }
        switch report.outcome {
        case .validated(let state) where state != .invalid: return
        default: throw ExitCode(ExitStatus.verificationFailed.rawValue)
        }
    }
}

extension InspectCommand {
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
