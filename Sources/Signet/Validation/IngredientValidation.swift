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
        await walkIngredients(of: active, in: store).deltas
    }

    /// The ingredient walk, also returning each ingredient manifest's own validation (for its signer's name).
    func walkIngredients(of active: Manifest, in store: ManifestStore) async -> (deltas: [IngredientDelta], validations: [String: ManifestValidation]) {
        var validations: [String: ManifestValidation] = [:]
        var results: [IngredientDelta] = []
        var visited: Set<String> = [active.label]
        var queue: [(Manifest, Int)] = [(active, 0)]
        while !queue.isEmpty {
            let (manifest, depth) = queue.removeFirst()
            guard depth < Self.maxIngredientDepth else { continue }
            let claimAlg = (try? manifest.claim?.get())?.alg ?? "sha256"
            for assertion in manifest.assertions where assertion.baseLabel == "c2pa.ingredient" {
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
                let alg = HashAlgorithm(name: manifestRef.alg ?? claimAlg) ?? .sha256
                if alg.hash(store.bytes[target.box.payloadRange]) == manifestRef.hash {
                    d.success.append(.init("ingredient.manifest.validated", url: targetURL, "ingredient hash matched"))
                } else {
                    d.failure.append(.init("ingredient.manifest.mismatch", url: targetURL, "ingredient hash incorrect"))
                }
                if let sigRef = HashedURI(cbor: ingredient["claimSignature"] ?? .null) {
                    let sigBox = target.box.children.first { $0.description?.type == .signature }
                    let sigAlg = HashAlgorithm(name: sigRef.alg ?? claimAlg) ?? .sha256
                    if sigBox.map({ sigAlg.hash(store.bytes[$0.payloadRange]) }) != sigRef.hash {
                        d.failure.append(.init("ingredient.claimSignature.mismatch", url: targetURL + "/c2pa.signature", "ingredient claim signature hash incorrect"))
                    }
                }
                let validation: ManifestValidation
                if let known = validations[target.label] {
                    validation = known
                } else {
                    validation = await validate(target, in: store, asset: nil)
                    validations[target.label] = validation
                }
                let now = validation.statuses
                let recorded = Self.recordedCodes(ingredient)
                d.success += now.success.filter { !recorded.contains($0.code.rawValue) }
                d.informational += now.informational.filter { !recorded.contains($0.code.rawValue) }
                d.failure += now.failure.filter { !recorded.contains($0.code.rawValue) }
                results.append(IngredientDelta(ingredientAssertionURI: uri, deltas: d))
                if visited.count < Self.maxIngredientManifests, visited.insert(target.label).inserted {
                    queue.append((target, depth + 1))
                }
            }
        }
        return (results, validations)
    }

    /// The status codes recorded in an ingredient assertion: v3 `validationResults.activeManifest.*`, v1/v2
    /// `validationStatus`.
    static func recordedCodes(_ ingredient: CBOR) -> Set<String> {
        var codes = Set<String>()
        func collect(_ list: CBOR?) {
            for item in list?.arrayValue ?? [] {
                if let c = item["code"]?.stringValue { codes.insert(c) }
            }
        }
        if let active = ingredient["validationResults"]?["activeManifest"] {
            collect(active["success"])
            collect(active["informational"])
            collect(active["failure"])
        }
        collect(ingredient["validationStatus"])
        return codes
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
