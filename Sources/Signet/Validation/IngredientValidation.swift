import Foundation
import SignetCBOR

/// Differences between an ingredient manifest's validation now and what was recorded in the ingredient
/// assertion when it was added (c2pa-rs's `ingredientDeltas`).
public struct IngredientDelta: Sendable {
    /// The JUMBF URI of the ingredient assertion (in the manifest that uses the ingredient).
    public var ingredientAssertionURI: String
    public var deltas: StatusLists
}

extension ManifestValidator {
    /// Limits that keep a hostile store (cycles, thousands of manifests, deep nesting) bounded.
    static let maxIngredientDepth = 100
    static let maxIngredientManifests = 2_000

    /// Walks the ingredients from `active` back through the store: for each ingredient assertion, checks the
    /// hashed URIs to the ingredient's manifest and claim signature, validates that manifest (no hard binding:
    /// its asset is not at hand), and reports what differs from the recorded validation results. Each manifest
    /// is visited once, so cycles end.
    public func validateIngredients(of active: Manifest, in store: ManifestStore) async -> [IngredientDelta] {
        await walkIngredients(of: active, in: store, memo: VerificationMemo()).deltas
    }

    /// The ingredient walk, also returning each ingredient manifest's own validation (for its signer's name).
    func walkIngredients(of active: Manifest, in store: ManifestStore, memo: VerificationMemo) async -> (deltas: [IngredientDelta], validations: [String: ManifestValidation]) {
        var validations: [String: ManifestValidation] = [:]
        var results: [IngredientDelta] = []
        var visited: Set<String> = [active.label]
        var queue: [(Manifest, Int)] = [(active, 0)]
        while !queue.isEmpty {
            let (manifest, depth) = queue.removeFirst()
            guard depth < Self.maxIngredientDepth else { continue }
            guard let claim = try? manifest.claim?.get() else { continue }
            let claimAlg = claim.alg ?? "sha256"
            // Only ingredients the (signed) claim references count: an assertion box merely present in the store is
            // covered by no signature.
            let referenced = Set(claim.assertionReferences.map(Self.referencedLabel))
            for assertion in manifest.assertions where assertion.baseLabel == "c2pa.ingredient" && referenced.contains(assertion.label) {
                let uri = JUMBFURI.absolute(manifest: manifest.label, path: "c2pa.assertions/\(assertion.label)")
                var d = StatusLists()
                guard let content = assertion.content, let ingredient = try? CBORDecoder().decode(content) else {
                    d.failure.append(.init("ingredient.malformed", url: uri, "ingredient assertion does not decode"))
                    results.append(IngredientDelta(ingredientAssertionURI: uri, deltas: d))
                    continue
                }
                let manifestRef = HashedURI(cbor: ingredient["activeManifest"] ?? .null) ?? HashedURI(cbor: ingredient["c2pa_manifest"] ?? .null)
                guard let manifestRef else {
                    d.informational.append(.init("ingredient.unknownProvenance", url: uri, "ingredient has no provenance"))
                    results.append(IngredientDelta(ingredientAssertionURI: uri, deltas: d))
                    continue
                }
                guard let targetLabel = JUMBFURI.parse(manifestRef.url)?.manifest, let target = store.manifest(labeled: targetLabel) else {
                    d.failure.append(.init("ingredient.manifest.missing", url: uri, "ingredient manifest not found: \(manifestRef.url)"))
                    results.append(IngredientDelta(ingredientAssertionURI: uri, deltas: d))
                    continue
                }
                let targetURL = JUMBFURI.absolute(manifest: target.label, path: "")
                switch Self.ingredientManifestMatches(manifestRef, target: target, in: store, memo: memo) {
                case .current:
                    d.success.append(.init("ingredient.manifest.validated", url: targetURL, "ingredient hash matched"))
                case .legacy:
                    break  // c2pa-rs accepts the pre-1.3 form (a hash of the claim) without a status
                case .mismatch:
                    // With assertions of the ingredient redacted, its manifest can no longer match: the claim
                    // signature's hash binds it instead (C2PA 2.2, 15.11; as c2pa-rs, only for 2.x claims).
                    // Redactions count only from claims on the validated path: the active one and those walked so far.
                    let redacted = Self.redactions(in: store, from: visited).contains { $0.contains("/\(target.label)/") }
                    let targetVersion = (try? target.claim?.get())?.version ?? 1
                    if redacted && targetVersion >= 2 {
                        if let sigRef = HashedURI(cbor: ingredient["claimSignature"] ?? .null) {
                            let sigAlg = HashAlgorithm(name: (try? target.claim?.get())?.alg ?? sigRef.alg ?? claimAlg) ?? .sha256
                            if let sigBox = target.signatureBox, memo.digest(sigAlg, of: sigBox.payloadRange, in: store.bytes) == sigRef.hash {
                                d.informational.append(.init("ingredient.claimSignature.validated", url: targetURL + "/c2pa.signature", "ingredient claim signature hash matched"))
                            } else {
                                d.failure.append(.init("ingredient.claimSignature.mismatch", url: targetURL + "/c2pa.signature", "ingredient claim signature hash incorrect"))
                            }
                        } else {
                            d.failure.append(.init("ingredient.claimSignature.missing", url: targetURL, "ingredient with redactions has no claimSignature"))
                        }
                    } else {
                        // Without redactions, or with redactions in a 1.x ingredient (which has no claimSignature
                        // to fall back on; c2pa-rs checks nothing then), the manifest does not match.
                        d.failure.append(.init("ingredient.manifest.mismatch", url: targetURL, "ingredient hash incorrect"))
                    }
                }
                let validation: ManifestValidation
                if let known = validations[target.label] {
                    validation = known
                } else {
                    validation = await validate(target, in: store, asset: nil, memo: memo)
                    validations[target.label] = validation
                }
                let now = validation.statuses
                let recorded = Self.recordedStatuses(ingredient)
                d.success += now.success.filter { !Self.isRecorded($0, in: recorded) }
                d.informational += now.informational.filter { !Self.isRecorded($0, in: recorded) }
                d.failure += now.failure.filter { !Self.isRecorded($0, in: recorded) }
                results.append(IngredientDelta(ingredientAssertionURI: uri, deltas: d))
                if visited.count < Self.maxIngredientManifests, visited.insert(target.label).inserted {
                    queue.append((target, depth + 1))
                }
            }
        }
        return (results, validations)
    }

    enum IngredientMatch { case current, legacy, mismatch }

    /// Whether an ingredient's hashed URI matches its manifest, in the forms c2pa-rs accepts: the manifest box's
    /// payload (description and children, without the box header) with the URI's algorithm or the ingredient
    /// claim's own; else the pre-1.3 form, a hash of the ingredient's claim bytes.
    static func ingredientManifestMatches(_ ref: HashedURI, target: Manifest, in store: ManifestStore, memo: VerificationMemo) -> IngredientMatch {
        let targetClaim = try? target.claim?.get()
        var algorithms: [HashAlgorithm] = []
        for name in [ref.alg, targetClaim?.alg, "sha256"] {
            if let name, let alg = HashAlgorithm(name: name), !algorithms.contains(alg) { algorithms.append(alg) }
        }
        for alg in algorithms where memo.digest(alg, of: target.box.payloadRange, in: store.bytes) == ref.hash {
            return .current
        }
        if let claimBox = target.claimBox {
            for alg in algorithms where memo.digest(alg, of: claimBox, in: store.bytes) == ref.hash {
                return .legacy
            }
        }
        return .mismatch
    }

    /// The `redacted_assertions` URIs of the claims of the manifests labelled `labels` (those the walk has
    /// reached through signed references, never a manifest merely present in the store).
    static func redactions(in store: ManifestStore, from labels: Set<String>) -> [String] {
        labels.compactMap { store.manifest(labeled: $0) }.flatMap { (try? $0.claim?.get())?.redactedAssertions ?? [] }
    }

    /// One status recorded in an ingredient assertion: its code and, when recorded, the URI it is about.
    struct RecordedStatus: Hashable {
        var code: String
        var url: String?
    }

    /// The statuses recorded in an ingredient assertion (v3 `validationResults.activeManifest.*`, v1/v2
    /// `validationStatus`), with their URIs.
    static func recordedStatuses(_ ingredient: CBOR) -> Set<RecordedStatus> {
        var out = Set<RecordedStatus>()
        func collect(_ list: CBOR?) {
            for item in list?.arrayValue ?? [] {
                if let c = item["code"]?.stringValue { out.insert(RecordedStatus(code: c, url: item["url"]?.stringValue)) }
            }
        }
        if let active = ingredient["validationResults"]?["activeManifest"] {
            collect(active["success"])
            collect(active["informational"])
            collect(active["failure"])
        }
        collect(ingredient["validationStatus"])
        return out
    }

    /// Whether `status` was recorded when the ingredient was added: the same code about the same URI (as c2pa-rs
    /// matches them), or the same code recorded without a URI. A failure recorded about one part must not hide
    /// the same failure about another.
    static func isRecorded(_ status: ValidationStatus, in recorded: Set<RecordedStatus>) -> Bool {
        recorded.contains(RecordedStatus(code: status.code.rawValue, url: status.url))
            || recorded.contains(RecordedStatus(code: status.code.rawValue, url: nil))
    }

}

extension ValidationState {
    /// The state of a file: its active manifest's, made Invalid by any failing ingredient delta other than an
    /// untrusted signer (as c2pa-rs decides).
    init(active: ManifestValidation, deltas: [IngredientDelta]) {
        let deltaFailures = deltas.flatMap { $0.deltas.failure }.filter { !$0.code.isTrustOnly }
        self = deltaFailures.isEmpty ? active.state : .invalid
    }
}
