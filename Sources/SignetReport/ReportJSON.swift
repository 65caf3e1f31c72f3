import Foundation
import Signet
import SignetCBOR
import SignetCOSE

/// Renders reports in the shape of c2pa-rs's Reader JSON (`active_manifest`, `manifests`, `validation_results`,
/// `validation_state`) plus a `file` field, so tools written for c2patool's output read Signet's.
public enum ReportJSON {
    /// The report as c2pa-rs's Reader JSON plus `file` (what `signet verify --json` and `inspect --json` print).
    public static func render(_ report: VerificationReport) -> JSONValue {
        var members: [(String, JSONValue)] = [("file", .string(report.file))]
        if let note = report.formatMismatch { members.append(("format_mismatch", .string(note))) }
        if let url = report.remoteManifest { members.append(("remote_manifest", .string(url))) }
        if let fragments = report.fragments {
            members.append(("fragments", .array(fragments.map { f in
                var m: [(String, JSONValue)] = [("file", .string(f.path))]
                if let l = f.location { m.append(("location", .int(Int64(l)))) }
                switch f.outcome {
                case .match: m.append(("status", .string("match")))
                case .mismatch(let why): m += [("status", .string("mismatch")), ("explanation", .string(why))]
                case .malformed(let why): m += [("status", .string("malformed")), ("explanation", .string(why))]
                }
                return .object(m)
            })))
        }
        if let store = report.store {
            if let active = store.activeManifest { members.append(("active_manifest", .string(active.label))) }
            // Only manifests that were validated: the active one and those its ingredients reach. Any other manifest
            // in the store is vouched for by nothing on the validated path, and is not shown as provenance.
            let reached = store.manifests.filter { $0.label == report.activeManifest?.label || report.ingredientValidations[$0.label] != nil }
            members.append(("manifests", .object(reached.map { ($0.label, manifestJSON($0, store: store, report: report)) })))
        } else {
            members.append(("manifests", .object([])))
        }
        if let active = report.activeManifest {
            var results: [(String, JSONValue)] = [("activeManifest", statusListsJSON(active.statuses))]
            if !report.ingredientDeltas.isEmpty {
                results.append(
                    ("ingredientDeltas", .array(report.ingredientDeltas.map {
                        .object([("ingredientAssertionURI", .string($0.ingredientAssertionURI)), ("validationDeltas", statusListsJSON($0.deltas))])
                    })))
            }
            members.append(("validation_results", .object(results)))
        }
        switch report.outcome {
        case .validated(let state):
            members.append(("validation_state", .string(state.rawValue)))
        case .noManifest(let reason):
            members.append(("validation_state", .string(ValidationState.invalid.rawValue)))
            members.append(("error", .object([("code", .string("manifest.missing")), ("message", .string(reason))])))
        case .unreadableManifest(let reason):
            members.append(("validation_state", .string(ValidationState.invalid.rawValue)))
            members.append(("error", .object([("code", .string("manifest.unreadable")), ("message", .string(reason))])))
        }
        return .object(members)
    }

    static func statusListsJSON(_ s: StatusLists) -> JSONValue {
        func list(_ items: [ValidationStatus]) -> JSONValue {
            .array(
                items.map { status in
                    var m: [(String, JSONValue)] = [("code", .string(status.code.rawValue))]
                    if let url = status.url { m.append(("url", .string(url))) }
                    if let e = status.explanation { m.append(("explanation", .string(e))) }
                    return .object(m)
                })
        }
        return .object([("success", list(s.success)), ("informational", list(s.informational)), ("failure", list(s.failure))])
    }

    /// Labels shown elsewhere in the manifest JSON rather than in `assertions` (as c2pa-rs does).
    static func isStructural(_ a: AssertionBox) -> Bool {
        let base = a.baseLabel
        return base.hasPrefix("c2pa.hash.") || base.hasPrefix("c2pa.thumbnail.") || base == "c2pa.ingredient"
    }

    static func manifestJSON(_ manifest: Manifest, store: ManifestStore, report: VerificationReport) -> JSONValue {
        var m: [(String, JSONValue)] = []
        let claim = try? manifest.claim?.get()
        // Only what the claim names is the manifest's content; other boxes in its assertion store are covered by
        // no signature (the validator reports them as assertion.undeclared) and are not shown as if they were.
        let assertionsShown = manifest.claimedAssertions
        if let claim {
            if let generator = claim.claimGenerator { m.append(("claim_generator", .string(generator))) }
            if !claim.claimGeneratorInfo.isEmpty {
                m.append(("claim_generator_info", .array(claim.claimGeneratorInfo.map { CBORJSON.json(from: $0) })))
            }
            if let title = claim.title { m.append(("title", .string(title))) }
            if let format = claim.format {
                m.append(("format", .string(format)))
            } else if manifest.label == store.activeManifest?.label, let f = report.format {
                m.append(("format", .string(f.mimeType)))
            }
            if let instance = claim.instanceID { m.append(("instance_id", .string(instance))) }
        }
        if let thumb = assertionsShown.first(where: { $0.baseLabel.hasPrefix("c2pa.thumbnail.claim") }) {
            var format = "image/jpeg"
            if case .embeddedFile(let mt?) = thumb.kind { format = mt }
            m.append(
                ("thumbnail", .object([
                    ("format", .string(format)),
                    ("identifier", .string(JUMBFURI.absolute(manifest: manifest.label, path: "c2pa.assertions/\(thumb.label)"))),
                ])))
        }
        let ingredients = assertionsShown.filter { $0.baseLabel == "c2pa.ingredient" }
        if !ingredients.isEmpty {
            m.append(("ingredients", .array(ingredients.map { ingredientJSON($0, manifestLabel: manifest.label) })))
        }
        var assertions: [JSONValue] = []
        let identities = validation(of: manifest, in: report)?.identities ?? []
        for a in assertionsShown where !isStructural(a) {
            var entry: [(String, JSONValue)] = [("label", .string(a.label))]
            if let identity = identities.first(where: { $0.label == a.label }), identity.signatureValid,
                let data = identityJSON(a, identity)
            {
                entry.append(("data", data))
                assertions.append(.object(entry))
                continue
            }
            switch a.kind {
            case .cbor:
                if let c = a.content, let v = try? CBORDecoder().decode(c) { entry.append(("data", CBORJSON.json(from: v))) }
            case .json:
                if let c = a.content, let v = try? JSONValue.parse(c) { entry.append(("data", v)) }
                entry.append(("kind", .string("Json")))
            default: break
            }
            assertions.append(.object(entry))
        }
        m.append(("assertions", .array(assertions)))
        if let info = signatureInfo(for: manifest, report: report) { m.append(("signature_info", info)) }
        m.append(("label", .string(manifest.label)))
        if let claim { m.append(("claim_version", .int(Int64(claim.version)))) }
        return .object(m)
    }

    /// An ingredient as c2pa-rs shows it: title, format, ids, relationship, the manifest it points at, the
    /// validation results recorded when it was added, and its thumbnail.
    static func ingredientJSON(_ a: AssertionBox, manifestLabel: String) -> JSONValue {
        guard let c = a.content, let v = try? CBORDecoder().decode(c) else { return .object([("label", .string(a.label))]) }
        var m: [(String, JSONValue)] = []
        if let t = v["dc:title"]?.stringValue { m.append(("title", .string(t))) }
        if let f = v["dc:format"]?.stringValue { m.append(("format", .string(f))) }
        if let d = v["documentID"]?.stringValue { m.append(("document_id", .string(d))) }
        if let i = v["instanceID"]?.stringValue { m.append(("instance_id", .string(i))) }
        if let thumb = v["thumbnail"]?["url"]?.stringValue, let path = JUMBFURI.parse(thumb) {
            m.append(("thumbnail", .object([
                ("format", .string("image/jpeg")),
                ("identifier", .string(JUMBFURI.absolute(manifest: path.manifest ?? manifestLabel, path: path.path))),
            ])))
        }
        if let r = v["relationship"]?.stringValue { m.append(("relationship", .string(r))) }
        let manifestURL = v["activeManifest"]?["url"]?.stringValue ?? v["c2pa_manifest"]?["url"]?.stringValue
        if let url = manifestURL, let target = JUMBFURI.parse(url)?.manifest {
            m.append(("active_manifest", .string(target)))
        }
        if let results = v["validationResults"] { m.append(("validation_results", CBORJSON.json(from: results))) }
        m.append(("label", .string(a.label)))
        return .object(m)
    }

    static func validation(of manifest: Manifest, in report: VerificationReport) -> ManifestValidation? {
        if let active = report.activeManifest, active.label == manifest.label { return active }
        return report.ingredientValidations[manifest.label]
    }

    /// A verified identity assertion as c2pa-rs shows it: the signer payload and who signed it (the signature and
    /// padding are left out). An identity that did not verify is shown as found.
    static func identityJSON(_ a: AssertionBox, _ identity: IdentityInfo) -> JSONValue? {
        guard let c = a.content, let v = try? CBORDecoder().decode(c), let payload = v["signer_payload"] else { return nil }
        var info: [(String, JSONValue)] = []
        if let alg = identity.algorithm { info.append(("alg", .string(c2paRSAlgorithmName(alg)))) }
        if let o = identity.organization { info.append(("issuer", .string(o))) }
        if let cn = identity.commonName { info.append(("common_name", .string(cn))) }
        if let serial = identity.serialNumber { info.append(("cert_serial_number", .string(serial))) }
        return .object([("signer_payload", CBORJSON.json(from: payload)), ("signature_info", .object(info))])
    }

    static func signatureInfo(for manifest: Manifest, report: VerificationReport) -> JSONValue? {
        guard let info = validation(of: manifest, in: report)?.signatureInfo else { return nil }
        var m: [(String, JSONValue)] = []
        if let alg = info.algorithm { m.append(("alg", .string(c2paRSAlgorithmName(alg)))) }
        if let o = info.organization { m.append(("issuer", .string(o))) }
        if let cn = info.commonName { m.append(("common_name", .string(cn))) }
        if let serial = info.serialNumber { m.append(("cert_serial_number", .string(serial))) }
        if let time = info.time {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            m.append(("time", .string(f.string(from: time).replacingOccurrences(of: "Z", with: "+00:00"))))
        }
        return .object(m)
    }

    /// c2pa-rs spells algorithms "Es256", "Ps256", "Ed25519" in JSON.
    static func c2paRSAlgorithmName(_ alg: COSEAlgorithm) -> String {
        let n = alg.name
        guard n.count == 5, n.hasPrefix("ES") || n.hasPrefix("PS") else { return n }
        return n.prefix(1) + n.dropFirst().lowercased()
    }
}
