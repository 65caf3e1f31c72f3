import SignetCBOR

/// The rules actions assertions must follow (C2PA 2.2, 15.10.1 and 18.14), as c2pa-rs applies them. The signer
/// runs the same rules on what it is about to sign, so Signet never writes an action list a validator refuses.
enum ActionRules {
    /// The only actions an update manifest may record (C2PA 2.2, "Update manifests").
    static let updateActions: Set<String> = ["c2pa.edited.metadata", "c2pa.opened", "c2pa.published", "c2pa.redacted"]

    /// One actions assertion: its URI and its decoded `actions` array (nil when it has none).
    struct ActionsAssertion {
        var url: String
        var actions: [CBOR]?
    }

    /// The failures the actions assertions of `claim` give.
    static func check(
        manifest: Manifest, claim: Claim, ingredients: [ManifestValidator.IngredientRef], isUpdate: Bool, in store: ManifestStore
    ) -> [ValidationStatus] {
        var list: [ActionsAssertion] = []
        var seen = Set<String>()
        for reference in claim.createdAssertions + claim.gatheredAssertions {
            let label = ManifestValidator.referencedLabel(reference)
            guard AssertionBox.baseLabel(of: label) == "c2pa.actions", seen.insert(label).inserted,
                let box = manifest.resolveAssertion(reference.url, in: store), let content = box.content,
                let cbor = try? CBORDecoder().decode(content)
            else { continue }
            list.append(ActionsAssertion(
                url: JUMBFURI.absolute(manifest: manifest.label, path: "c2pa.assertions/\(label)"), actions: cbor["actions"]?.arrayValue))
        }
        let relationships = Dictionary(ingredients.map { ($0.label, $0.relationship ?? "") }, uniquingKeysWith: { first, _ in first })
        return check(list, claimVersion: claim.version, isUpdate: isUpdate, relationships: relationships)
    }

    /// The rules over decoded actions assertions (in claim order: created, then gathered) and the claim's
    /// ingredient assertions (label -> relationship).
    static func check(_ list: [ActionsAssertion], claimVersion: Int, isUpdate: Bool, relationships: [String: String]) -> [ValidationStatus] {
        var failures: [ValidationStatus] = []
        func fail(_ code: StatusCode, _ url: String, _ why: String) { failures.append(.init(code, url: url, why)) }

        if isUpdate {
            for a in list {
                for action in a.actions ?? [] {
                    let name = action["action"]?.stringValue ?? ""
                    if !updateActions.contains(name) {
                        fail("manifest.update.invalid", a.url, "an update manifest may not record the action \(name.isEmpty ? "(none)" : name)")
                    }
                }
            }
        }
        if claimVersion == 1 {
            if list.count > 1 { fail(.assertionActionMalformed, list[1].url, "a 1.x claim may have only one actions assertion") }
            return failures
        }
        guard !list.isEmpty else { return failures }
        for a in list where (a.actions ?? []).isEmpty {
            fail(.assertionActionMalformed, a.url, "actions assertion has no actions")
        }
        let opening: Set<String> = ["c2pa.created", "c2pa.opened"]
        let first = list.firstIndex { opening.contains($0.actions?.first?["action"]?.stringValue ?? "") }
        if first == nil && !isUpdate {
            fail(.assertionActionMalformed, list[0].url, "the first action must be c2pa.created or c2pa.opened")
        }
        for (index, a) in list.enumerated() {
            for action in a.actions ?? [] {
                guard let name = action["action"]?.stringValue, !name.isEmpty else {
                    fail(.assertionActionMalformed, a.url, "an action has no name")
                    continue
                }
                if opening.contains(name) && index != first {
                    fail(.assertionActionMalformed, a.url, "only the first actions assertion may hold c2pa.created or c2pa.opened")
                }
                if name == "c2pa.created" && action["digitalSourceType"] == nil {
                    fail(.assertionActionMalformed, a.url, "c2pa.created action must have a digitalSourceType")
                }
                let referenced = referencedIngredients(action)
                switch name {
                case "c2pa.opened", "c2pa.placed", "c2pa.removed":
                    let needed = name == "c2pa.opened" ? "parentOf" : "componentOf"
                    guard let referenced, !referenced.isEmpty else {
                        fail("assertion.action.ingredientMismatch", a.url, "\(name) must name its ingredient")
                        continue
                    }
                    if !referenced.contains(where: { relationships[$0] == needed }) {
                        fail("assertion.action.ingredientMismatch", a.url, "\(name) must name a \(needed) ingredient of this claim")
                    }
                case "c2pa.transcoded", "c2pa.repackaged":
                    if let referenced, !referenced.contains(where: { relationships[$0] == "parentOf" }) {
                        fail("assertion.action.ingredientMismatch", a.url, "\(name) names no parentOf ingredient of this claim")
                    }
                default: break
                }
            }
        }
        return failures
    }

    /// The ingredient assertion labels an action names: `parameters.ingredient` (1.x, one hashed URI), else
    /// `parameters.ingredients` (2.x, an array). Nil when it names none.
    static func referencedIngredients(_ action: CBOR) -> [String]? {
        guard let parameters = action["parameters"] else { return nil }
        let uris: [CBOR]
        if let single = parameters["ingredient"] {
            uris = [single]
        } else if let many = parameters["ingredients"]?.arrayValue {
            uris = many
        } else {
            return nil
        }
        return uris.compactMap { HashedURI(cbor: $0).map(ManifestValidator.referencedLabel) }
    }
}
