import Foundation
import SignetCBOR
import SignetCOSE
import SignetMedia
import SignetTimestamp
import SignetTrust
import X509

/// What a validated manifest's signer looks like, for reports.
public struct SignatureInfo: Sendable, Hashable {
    public var algorithm: COSEAlgorithm?
    public var commonName: String?
    public var organization: String?
    public var issuerCommonName: String?
    public var serialNumber: String?
    public var chainLength: Int
    /// The signing time attested by an RFC 3161 timestamp, if the signature carries one.
    public var time: Date?
}

/// The result of validating one manifest.
public struct ManifestValidation: Sendable {
    public var label: String
    public var statuses: StatusLists
    public var signatureInfo: SignatureInfo?
    /// CAWG identity assertions found in the manifest: who vouches for it, and whether that could be confirmed.
    public var identities: [IdentityInfo] = []
    public var state: ValidationState { ValidationState(failures: statuses.failure, successes: statuses.success) }
}

/// Validates manifests of a store against an asset, following C2PA 2.2's validation steps: claim, claim signature,
/// signing credential (profile and trust), assertion hashed URIs, and the hard binding to the asset's bytes.
public struct ManifestValidator: Sendable {
    public var trust: TrustSettings
    /// Trust for the X.509 credentials of CAWG identity assertions: a list of its own, as in c2pa-rs.
    public var identityTrust: TrustSettings
    public var validationTime: Date
    /// Revoked certificates from a trust bundle's CRL.
    public var revocations: RevocationList

    public init(trust: TrustSettings, identityTrust: TrustSettings = .none, validationTime: Date = Date(), revocations: RevocationList = .init()) {
        self.trust = trust
        self.identityTrust = identityTrust
        self.validationTime = validationTime
        self.revocations = revocations
    }

    /// Limits that keep a hostile store's work bounded (see `Spec/c2pa-support.md`, "Limits").
    static let maxAssertionReferences = 10_000
    static let maxCertificateChainLength = 10

    /// `asset` is the file the store is bound to, with where the store sits in it (nil when only a store is at
    /// hand: the hard binding is then not checked, and the caller must say so).
    public func validate(_ manifest: Manifest, in store: ManifestStore, asset: BoundAsset?) async -> ManifestValidation {
        await validate(manifest, in: store, asset: asset, memo: VerificationMemo())
    }

    func validate(_ manifest: Manifest, in store: ManifestStore, asset: BoundAsset?, memo: VerificationMemo) async -> ManifestValidation {
        var s = StatusLists()
        var info: SignatureInfo?
        let label = manifest.label
        let signatureURL = JUMBFURI.absolute(manifest: label, path: "c2pa.signature")
        let claimURL = JUMBFURI.absolute(manifest: label, path: manifest.claimLabel ?? "c2pa.claim")

        // 1. The claim: exactly one claim box, one signature box, one assertion store.
        guard let claimResult = manifest.claim, let claimBytes = manifest.claimBytes else {
            s.failure.append(.init(.claimMissing, url: claimURL, "manifest has no claim"))
            return ManifestValidation(label: label, statuses: s, signatureInfo: nil)
        }
        if manifest.claimBoxCount > 1 || manifest.duplicateParts {
            s.failure.append(.init(.claimMultiple, url: claimURL, "manifest holds more than one claim, signature or assertion store"))
            return ManifestValidation(label: label, statuses: s, signatureInfo: nil)
        }
        let claim: Claim
        switch claimResult {
        case .success(let c): claim = c
        case .failure(let error):
            s.failure.append(.init(.claimMalformed, url: claimURL, error.reason))
            return ManifestValidation(label: label, statuses: s, signatureInfo: nil)
        }

        // A 2.x claim's manifest is labelled urn:c2pa:... (C2PA 2.2, 11.1.4.1.1; as c2pa-rs checks it).
        if claim.version >= 2 && !label.hasPrefix("urn:c2pa:") {
            s.failure.append(.init(.claimMalformed, url: claimURL, "a 2.x claim's manifest label must start with urn:c2pa:"))
            return ManifestValidation(label: label, statuses: s, signatureInfo: nil)
        }
        // The claim names its signature box; an absolute reference names the manifest too, which binds the
        // manifest's label (in no signature otherwise) to the signed claim, as c2pa-rs checks it.
        if let reference = claim.signature, let (target, path) = JUMBFURI.parse(reference) {
            if path != "c2pa.signature" || (target != nil && target != label) {
                s.failure.append(.init(.claimSignatureMissing, url: signatureURL, "the claim's signature reference \(reference) does not name this manifest's signature"))
                return ManifestValidation(label: label, statuses: s, signatureInfo: nil)
            }
        } else {
            s.failure.append(.init(.claimSignatureMissing, url: signatureURL, "the claim's signature reference is not a JUMBF URI"))
            return ManifestValidation(label: label, statuses: s, signatureInfo: nil)
        }

        // 2. The claim signature.
        var signatureSuccesses: [ValidationStatus] = []
        if let signatureBytes = manifest.signatureBytes {
            let (sigStatuses, sigInfo) = await validateSignature(
                signatureBytes, claimBytes: claimBytes, claimVersion: claim.version, url: signatureURL)
            info = sigInfo
            s.failure += sigStatuses.failure
            s.informational += sigStatuses.informational
            signatureSuccesses = sigStatuses.success
        } else {
            s.failure.append(.init(.claimSignatureMissing, url: signatureURL, "claim signature box is missing"))
        }
        s.success += signatureSuccesses

        // 3. Assertions referenced by the claim.
        // C2PA 2.2, 8.4.2.3: a hashed URI's algorithm comes from the URI, else the claim; with neither there is no
        // default and the claim is rejected with algorithm.unsupported. v1 writers relied on SHA-256.
        let claimAlg = claim.alg ?? (claim.version == 1 ? "sha256" : nil)
        let references = claim.assertionReferences
        if references.count > Self.maxAssertionReferences {
            s.failure.append(.init(.claimMalformed, url: claimURL,
                "claim references \(references.count) assertions, over Signet's limit of \(Self.maxAssertionReferences)"))
            return ManifestValidation(label: label, statuses: s, signatureInfo: info)
        }
        var hardBindings: [String: AssertionBox] = [:]
        var seen = Set<String>()
        for reference in references {
            let path = JUMBFURI.parse(reference.url)?.path ?? reference.url
            let assertionURL = JUMBFURI.absolute(manifest: label, path: path)
            guard let assertion = manifest.resolveAssertion(reference.url, in: store) else {
                s.failure.append(.init(.assertionMissing, url: assertionURL, "assertion not found: \(reference.url)"))
                continue
            }
            guard let alg = Self.hashAlgorithm(reference.alg, claimAlg: claimAlg, what: "hashed URI", url: assertionURL, into: &s) else {
                continue
            }
            if memo.digest(alg, of: assertion.box.payloadRange, in: store.bytes) == reference.hash {
                s.success.append(.init(.assertionHashedURIMatch, url: assertionURL, "hashed uri matched: \(reference.url)"))
            } else {
                s.failure.append(.init(.assertionHashedURIMismatch, url: assertionURL, "hash does not match: \(reference.url)"))
                continue
            }
            // The same assertion referenced twice is checked (and decoded) once.
            guard seen.insert(assertionURL).inserted else { continue }
            if let content = assertion.content, let contentBox = assertion.contentRange {
                switch assertion.kind {
                case .cbor:
                    if !memo.decodes(contentBox, { (try? CBORDecoder().decode(content)) != nil }) {
                        s.failure.append(.init(.assertionCBORInvalid, url: assertionURL, "assertion CBOR is invalid"))
                    }
                case .json:
                    if !memo.decodes(contentBox, { (try? JSONValue.parse(content)) != nil }) {
                        s.failure.append(.init(.assertionJSONInvalid, url: assertionURL, "assertion JSON is invalid"))
                    }
                default: break
                }
            }
            if HardBindingLabels.isHardBinding(assertion.label) {
                hardBindings[assertionURL] = assertion
            }
        }

        // Every assertion in the store must be one the claim names (C2PA 2.2, 15.10: assertion.undeclared): the
        // assertion store is covered by no signature, and an assertion nothing vouches for must not be read as
        // part of the manifest (a report would show it beside the verdict).
        let referencedLabels = Set(references.map(Self.referencedLabel))
        for assertion in manifest.assertions where !referencedLabels.contains(assertion.label) {
            s.failure.append(.init(.assertionUndeclared, url: JUMBFURI.absolute(manifest: label, path: "c2pa.assertions/\(assertion.label)"),
                "the assertion \(assertion.label) is in the store but the claim does not name it"))
        }

        // 4. What the kind of manifest demands (C2PA 2.2, 15.10.1). The kind is written in the manifest box's
        // description, which no signature covers; the signed claim must agree with it, so flipping it changes
        // nothing an attacker wants: an update manifest may not carry a hard binding, a standard one must.
        let ingredients = Self.ingredients(of: manifest, claim: claim, in: store)
        let parents = ingredients.filter { $0.relationship == "parentOf" }
        if manifest.isUpdateManifest {
            if !hardBindings.isEmpty {
                s.failure.append(.init("manifest.update.invalid", url: claimURL, "an update manifest may not have a hard binding"))
            }
            let thumbnails = references.filter { Self.referencedLabel($0).hasPrefix("c2pa.thumbnail.claim") }
            if thumbnails.count > 1 {
                s.failure.append(.init("manifest.update.invalid", url: claimURL, "an update manifest may have at most one claim thumbnail"))
            }
            if parents.isEmpty {
                s.failure.append(.init("manifest.update.wrongParents", url: claimURL, "an update manifest needs exactly one parentOf ingredient"))
            } else if parents.count > 1 {
                s.failure.append(.init("manifest.update.invalid", url: claimURL, "an update manifest has more than one parentOf ingredient"))
            }
        } else {
            if hardBindings.isEmpty {
                s.failure.append(.init(.claimHardBindingsMissing, url: claimURL, "claim has no hard binding assertion"))
            } else if hardBindings.count > 1 {
                s.failure.append(.init(.assertionMultipleHardBindings, url: claimURL, "claim has more than one hard binding"))
            }
            if parents.count > 1 {
                s.failure.append(.init(.manifestMultipleParents, url: claimURL, "manifest has more than one parentOf ingredient"))
            }
        }
        s.failure += ActionRules.check(manifest: manifest, claim: claim, ingredients: ingredients, isUpdate: manifest.isUpdateManifest, in: store)

        // 5. The hard binding, against the asset: this manifest's own, or for an update manifest the first
        // standard manifest up its chain of parents (C2PA 2.2, 15.12).
        if let asset {
            if !manifest.isUpdateManifest {
                if hardBindings.count == 1, let (url, binding) = hardBindings.first {
                    checkHardBinding(binding, url: url, claimAlg: claimAlg, asset: asset, updated: false, into: &s)
                }
            } else if hardBindings.isEmpty {
                switch Self.bindingManifest(above: manifest, in: store) {
                case .found(let targetClaim, let url, let binding):
                    let alg = targetClaim.alg ?? (targetClaim.version == 1 ? "sha256" : nil)
                    checkHardBinding(binding, url: url, claimAlg: alg, asset: asset, updated: true, into: &s)
                case .missing(let why):
                    s.failure.append(.init(.claimHardBindingsMissing, url: claimURL, why))
                }
            }
        }

        // 6. CAWG identity assertions: who vouches for this manifest's content.
        let (identityStatuses, identities) = await validateIdentities(of: manifest, claim: claim, in: store)
        s.success += identityStatuses.success
        s.informational += identityStatuses.informational
        s.failure += identityStatuses.failure
        return ManifestValidation(label: label, statuses: s, signatureInfo: info, identities: identities)
    }

    private func checkHardBinding(_ binding: AssertionBox, url: String, claimAlg: String?, asset: BoundAsset, updated: Bool, into s: inout StatusLists) {
        if binding.baseLabel == "c2pa.hash.bmff", [2, 3].contains(BMFFHashAssertion.version(ofLabel: binding.label)) {
            return checkBMFFHash(binding, url: url, claimAlg: claimAlg, asset: asset, into: &s)
        }
        guard binding.baseLabel == "c2pa.hash.data" else {
            s.failure.append(.init(.algorithmUnsupported, url: url, "hard binding \(binding.label) is not supported by this version of Signet"))
            return
        }
        checkDataHash(binding, url: url, claimAlg: claimAlg, asset: asset, updated: updated, into: &s)
    }

    /// The assertion label a hashed URI names (`self#jumbf=c2pa.assertions/c2pa.hash.data` -> `c2pa.hash.data`).
    static func referencedLabel(_ reference: HashedURI) -> String {
        let path = JUMBFURI.parse(reference.url)?.path ?? reference.url
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    /// One ingredient assertion the claim references, decoded as far as the rules need it.
    struct IngredientRef {
        var label: String
        var relationship: String?
        var manifestLabel: String?
        var cbor: CBOR
    }

    /// The ingredient assertions the claim references (signed), in claim order, each once.
    static func ingredients(of manifest: Manifest, claim: Claim, in store: ManifestStore) -> [IngredientRef] {
        var out: [IngredientRef] = []
        var seen = Set<String>()
        for reference in claim.assertionReferences {
            let label = referencedLabel(reference)
            guard AssertionBox.baseLabel(of: label) == "c2pa.ingredient", seen.insert(label).inserted,
                let box = manifest.resolveAssertion(reference.url, in: store), let content = box.content,
                let cbor = try? CBORDecoder().decode(content)
            else { continue }
            let target = HashedURI(cbor: cbor["activeManifest"] ?? .null) ?? HashedURI(cbor: cbor["c2pa_manifest"] ?? .null)
            out.append(IngredientRef(
                label: label, relationship: cbor["relationship"]?.stringValue,
                manifestLabel: target.flatMap { JUMBFURI.parse($0.url)?.manifest }, cbor: cbor))
        }
        return out
    }

    enum BindingSearch {
        /// The standard manifest's claim, its binding's URI and the binding assertion.
        case found(Claim, url: String, binding: AssertionBox)
        case missing(String)
    }

    /// From an update manifest, follows parentOf ingredients to the first standard manifest and returns its one
    /// hard binding (C2PA 2.2, 15.12). Each manifest is visited once, so a cycle ends as "missing".
    static func bindingManifest(above manifest: Manifest, in store: ManifestStore) -> BindingSearch {
        var current = manifest
        var visited: Set<String> = [manifest.label]
        while true {
            guard case .success(let claim)? = current.claim else { return .missing("a manifest on the update chain has no readable claim") }
            let parents = ingredients(of: current, claim: claim, in: store).filter { $0.relationship == "parentOf" }
            guard parents.count == 1, let parentLabel = parents[0].manifestLabel else {
                return .missing("could not find the manifest with the hard binding: an update manifest needs exactly one parentOf ingredient with a manifest")
            }
            guard visited.insert(parentLabel).inserted, visited.count <= maxIngredientManifests else {
                return .missing("the chain of update manifests loops")
            }
            guard let parent = store.manifest(labeled: parentLabel), case .success(let parentClaim)? = parent.claim else {
                return .missing("the parent manifest \(parentLabel) is missing or unreadable")
            }
            if parent.isUpdateManifest {
                current = parent
                continue
            }
            var bindings: [(String, AssertionBox)] = []
            for reference in parentClaim.assertionReferences where HardBindingLabels.isHardBinding(referencedLabel(reference)) {
                if let box = parent.resolveAssertion(reference.url, in: store) {
                    let path = JUMBFURI.parse(reference.url)?.path ?? reference.url
                    bindings.append((JUMBFURI.absolute(manifest: parent.label, path: path), box))
                }
            }
            guard bindings.count == 1 else {
                return .missing("the standard manifest \(parentLabel) up the update chain has \(bindings.count) hard bindings, not one")
            }
            return .found(parentClaim, url: bindings[0].0, binding: bindings[0].1)
        }
    }

    /// The hash algorithm of a structure: its own `alg`, else the claim's (C2PA 2.2, 8.4.2.3). With neither, or an
    /// unknown one, records `algorithm.unsupported` and returns nil.
    static func hashAlgorithm(_ own: String?, claimAlg: String?, what: String, url: String, into s: inout StatusLists) -> HashAlgorithm? {
        guard let name = own ?? claimAlg else {
            s.failure.append(.init(.algorithmUnsupported, url: url, "unknown algorithm: neither the \(what) nor the claim names a hash algorithm"))
            return nil
        }
        guard let alg = HashAlgorithm(name: name) else {
            s.failure.append(.init(.algorithmUnsupported, url: url, "unsupported hash algorithm \(name)"))
            return nil
        }
        return alg
    }

    private func validateSignature(_ bytes: [UInt8], claimBytes: [UInt8], claimVersion: Int, url: String) async -> (StatusLists, SignatureInfo?) {
        var s = StatusLists()
        let sign1: COSESign1
        do {
            sign1 = try COSESign1(decoding: bytes)
        } catch {
            s.failure.append(.init(.claimSignatureMismatch, url: url, "claim signature is not a valid COSE_Sign1: \(error)"))
            return (s, nil)
        }
        guard let algorithm = sign1.algorithm, COSEAlgorithm.all.contains(algorithm) else {
            let name = sign1.algorithm.map { "\($0.id)" } ?? "none"
            s.failure.append(.init(.algorithmUnsupported, url: url, "unsupported or missing signature algorithm (\(name))"))
            return (s, nil)
        }
        if let problem = Self.unprotectedHeaderProblem(sign1) {
            s.failure.append(.init(.claimSignatureMismatch, url: url, problem))
            return (s, nil)
        }
        let chain: [[UInt8]]
        switch Self.certificateChain(of: sign1, claimVersion: claimVersion) {
        case .found(let certificates): chain = certificates
        case .refused(let why):
            s.failure.append(.init(.signingCredentialInvalid, url: url, why))
            return (s, nil)
        }
        guard let leafDER = chain.first else {
            s.failure.append(.init(.signingCredentialInvalid, url: url, "claim signature carries no certificate chain"))
            return (s, nil)
        }
        guard chain.count <= Self.maxCertificateChainLength else {
            s.failure.append(.init(.signingCredentialInvalid, url: url,
                "the certificate chain has \(chain.count) certificates, over Signet's limit of \(Self.maxCertificateChainLength)"))
            return (s, nil)
        }
        var info = SignatureInfo(algorithm: algorithm, chainLength: chain.count)
        if let leaf = CertificateSummary(der: leafDER) {
            info.commonName = CertificateSummary.attribute(leaf.subject, .RDNAttributeType.commonName)
            info.organization = CertificateSummary.attribute(leaf.subject, .RDNAttributeType.organizationName)
            info.issuerCommonName = CertificateSummary.attribute(leaf.issuer, .RDNAttributeType.commonName)
            info.serialNumber = DecimalString.fromBigEndian(leaf.serialNumber)
        }

        let result = sign1.verify(detachedPayload: claimBytes, certificateDER: leafDER)
        switch result {
        case .valid:
            s.success.append(.init(.claimSignatureValidated, url: url, "claim signature valid"))
        case .unsupportedAlgorithm:
            s.failure.append(.init(.algorithmUnsupported, url: url, "signature algorithm \(algorithm) is not supported"))
            return (s, info)
        case .keyAlgorithmMismatch:
            s.failure.append(.init(.claimSignatureMismatch, url: url, "signing key does not fit algorithm \(algorithm)"))
        default:
            s.failure.append(.init(.claimSignatureMismatch, url: url, "claim signature does not match the claim"))
        }

        // An RFC 3161 timestamp (sigTst / sigTst2) sits in the unprotected header, which no signature covers:
        // only one whose TSA chains to the anchors (under the same path rules as signers, with the
        // time-stamping EKU) may fix the time the certificate is judged at. c2pa-rs skips the TSA trust check
        // for 1.x claims; Signet does not (see Spec/c2pa-support.md).
        let anchors = trust.anchorDERs
        let timestamp = TimestampValidator.validate(
            unprotectedHeader: sign1.unprotectedHeader, protectedHeaderBytes: sign1.protectedHeaderBytes, payload: claimBytes,
            signature: sign1.signature,
            trust: .custom { chainDER, time in
                let verdict = PathValidator.validate(chainDER: chainDER, anchorsDER: anchors, at: time, policy: .timeStamping)
                return TSATrustOutcome(trusted: verdict == nil)
            })
        info.time = timestamp?.genTime
        var timestampSuccesses: [ValidationStatus] = []
        for t in timestamp?.statuses ?? [] {
            let status = ValidationStatus(StatusCode(t.code), url: url, t.explanation)
            switch t.list {
            case .success: timestampSuccesses.append(status)
            case .informational: s.informational.append(status)
            case .failure: s.failure.append(status)
            }
        }
        let evaluation = await CredentialEvaluator.evaluate(
            chainDER: chain, settings: trust, validationTime: timestamp?.attestedTime ?? validationTime)
        for f in evaluation.profileFailures { s.failure.append(.init(StatusCode(f.code), url: url, f.explanation)) }
        switch evaluation.trust {
        case .trusted(let explanation):
            s.success.insert(.init(.signingCredentialTrusted, url: url, explanation), at: 0)
        case .untrusted(let explanation):
            s.failure.append(.init(.signingCredentialUntrusted, url: url, explanation))
        case .notChecked:
            s.failure.append(.init(.signingCredentialUntrusted, url: url, "signing certificate untrusted: no trust anchors configured"))
        }
        if result == .valid && !evaluation.profileFailures.contains(where: { $0.code == StatusCode.signingCredentialExpired.rawValue }) {
            let at = s.success.firstIndex { $0.code == .claimSignatureValidated } ?? s.success.count
            s.success.insert(.init(.claimSignatureInsideValidity, url: url, "claim signature valid"), at: at)
        }
        // Only a timestamp whose TSA was checked against the anchors may move the time revocation is judged at.
        let revocationTime = timestamp?.attestedTime
        if let listed = revocations.entry(forCertificate: leafDER) {
            let signedAt = revocationTime ?? validationTime
            if listed.revokedAt <= signedAt {
                s.failure.append(.init(.signingCredentialRevoked, url: url,
                    "the signing certificate was revoked at \(listed.revokedAt)\(listed.reason.map { " (\($0))" } ?? ""), before the signature's time \(signedAt)"))
            }
        }
        let revocation = Self.checkStapledOCSP(sign1: sign1, chain: chain, anchors: trust.anchorDERs, attestedTime: revocationTime, now: validationTime)
        switch revocation {
        case .none:
            s.informational.append(.init(.signingCredentialOCSPSkipped, url: url, "OCSP fetching skipped"))
        case .notRevoked(let why):
            s.success.insert(.init(.signingCredentialOCSPNotRevoked, url: url, why), at: 0)
        case .revoked(let why):
            s.failure.append(.init(.signingCredentialOCSPRevoked, url: url, why))
        case .unknown(let why):
            s.failure.append(.init(.signingCredentialOCSPUnknown, url: url, why))
        }
        s.success.insert(contentsOf: timestampSuccesses, at: 0)
        return (s, info)
    }

    /// The labels C2PA gives the claim signature's unprotected header: time-stamps, revocation values, padding,
    /// and the 1.x place of the certificate chain. (Integer label 33 there is tolerated and never read, as c2pa-rs.)
    static let unprotectedLabels: Set<CBOR> = [
        .textString("sigTst"), .textString("sigTst2"), .textString("rVals"), .textString("pad"), .textString("pad2"),
        .textString("x5chain"), .int(COSESign1.x5chainLabel),
    ]

    /// The unprotected header is covered by no signature: it may hold only the labels C2PA defines, each once,
    /// and its padding only zero bytes (C2PA 2.2, 15.12.1.1: an exclusion holds the store and zeroed padding,
    /// nothing else).
    static func unprotectedHeaderProblem(_ sign1: COSESign1) -> String? {
        var seen = Set<CBOR>()
        for entry in sign1.unprotectedHeader {
            guard unprotectedLabels.contains(entry.key) else {
                return "the claim signature's unprotected header holds a label C2PA does not define (\(entry.key)); nothing signs it"
            }
            guard seen.insert(entry.key).inserted else { return "the claim signature's unprotected header repeats a label" }
            if entry.key == .textString("pad") || entry.key == .textString("pad2") {
                guard let pad = entry.value.bytesValue, pad.allSatisfy({ $0 == 0 }) else {
                    return "the claim signature's padding holds something other than zero bytes"
                }
            }
        }
        return nil
    }

    enum ChainSearch: Equatable {
        case found([[UInt8]])
        case refused(String)
    }

    /// The x5chain, as C2PA 2.2 (14.6) and c2pa-rs read it: label 33, else the text label "x5chain", in the
    /// protected header. The unprotected header is covered by no signature, so a chain there is accepted only
    /// from 1.x claims (older writers put it there, under the text label); integer label 33 there is never read
    /// (as c2pa-rs), and a chain in both headers is refused.
    static func certificateChain(of sign1: COSESign1, claimVersion: Int) -> ChainSearch {
        func certificates(_ value: CBOR) -> [[UInt8]] {
            if let single = value.bytesValue { return [single] }
            return (value.arrayValue ?? []).compactMap(\.bytesValue)
        }
        let text = CBOR.textString("x5chain")
        let protected = sign1.protectedHeader.first { $0.key == .int(COSESign1.x5chainLabel) }?.value
            ?? sign1.protectedHeader.first { $0.key == text }?.value
        let unprotected = sign1.unprotectedHeader.first { $0.key == text }?.value
        switch (protected, unprotected) {
        case (.some, .some):
            return .refused("the claim signature carries certificate chains in both its protected and unprotected headers")
        case (.some(let value), nil):
            return .found(certificates(value))
        case (nil, .some(let value)):
            guard claimVersion == 1 else {
                return .refused("the certificate chain is in the unprotected header, which no signature covers (C2PA 2.x requires the protected header)")
            }
            return .found(certificates(value))
        case (nil, nil):
            return .found([])
        }
    }
}

enum DecimalString {
    /// Converts an unsigned big-endian integer to decimal (certificate serial numbers, up to 20 bytes).
    static func fromBigEndian(_ bytes: some Collection<UInt8>) -> String {
        var digits: [UInt8] = [0]  // little-endian base-10
        for byte in bytes {
            var carry = Int(byte)
            for i in digits.indices {
                let v = Int(digits[i]) * 256 + carry
                digits[i] = UInt8(v % 10)
                carry = v / 10
            }
            while carry > 0 {
                digits.append(UInt8(carry % 10))
                carry /= 10
            }
        }
        while digits.count > 1, digits.last == 0 { digits.removeLast() }
        return String(digits.reversed().map { Character(String($0)) })
    }
}
