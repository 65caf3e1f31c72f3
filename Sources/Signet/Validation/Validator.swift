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

    /// `asset` is the file the store is bound to (nil when only a store is at hand: the hard binding is then
    /// reported as not checked).
    public func validate(_ manifest: Manifest, in store: ManifestStore, asset: FileReader?) async -> ManifestValidation {
        var s = StatusLists()
        var info: SignatureInfo?
        let label = manifest.label
        let signatureURL = JUMBFURI.absolute(manifest: label, path: "c2pa.signature")
        let claimURL = JUMBFURI.absolute(manifest: label, path: manifest.claimLabel ?? "c2pa.claim")

        // 1. The claim.
        guard let claimResult = manifest.claim, let claimBytes = manifest.claimBytes else {
            s.failure.append(.init(.claimMissing, url: claimURL, "manifest has no claim"))
            return ManifestValidation(label: label, statuses: s, signatureInfo: nil)
        }
        let claim: Claim
        switch claimResult {
        case .success(let c): claim = c
        case .failure(let error):
            s.failure.append(.init(.claimMalformed, url: claimURL, error.reason))
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
        var hardBindings: [(HashedURI, AssertionBox)] = []
        for reference in claim.assertionReferences {
            let path = JUMBFURI.parse(reference.url)?.path ?? reference.url
            let assertionURL = JUMBFURI.absolute(manifest: label, path: path)
            guard let assertion = manifest.resolveAssertion(reference.url, in: store) else {
                s.failure.append(.init(.assertionMissing, url: assertionURL, "assertion not found: \(reference.url)"))
                continue
            }
            guard let alg = Self.hashAlgorithm(reference.alg, claimAlg: claimAlg, what: "hashed URI", url: assertionURL, into: &s) else {
                continue
            }
            if alg.hash(assertion.hashedBytes) == reference.hash {
                s.success.append(.init(.assertionHashedURIMatch, url: assertionURL, "hashed uri matched: \(reference.url)"))
            } else {
                s.failure.append(.init(.assertionHashedURIMismatch, url: assertionURL, "hash does not match: \(reference.url)"))
                continue
            }
            switch assertion.kind {
            case .cbor:
                if let content = assertion.content, (try? CBORDecoder().decode(content)) == nil {
                    s.failure.append(.init(.assertionCBORInvalid, url: assertionURL, "assertion CBOR is invalid"))
                }
            case .json:
                if let content = assertion.content, (try? JSONValue.parse(content)) == nil {
                    s.failure.append(.init(.assertionJSONInvalid, url: assertionURL, "assertion JSON is invalid"))
                }
            default: break
            }
            if ["c2pa.hash.data", "c2pa.hash.boxes", "c2pa.hash.bmff", "c2pa.hash.collection.data"].contains(assertion.baseLabel) {
                hardBindings.append((reference, assertion))
            }
        }

        // 4. The hard binding.
        if !manifest.isUpdateManifest {
            if hardBindings.isEmpty {
                s.failure.append(.init(.claimHardBindingsMissing, url: claimURL, "claim has no hard binding assertion"))
            } else if hardBindings.count > 1 {
                s.failure.append(.init(.assertionMultipleHardBindings, url: claimURL, "claim has more than one hard binding"))
            } else if let (_, binding) = hardBindings.first {
                checkHardBinding(binding, manifestLabel: label, claimAlg: claimAlg, asset: asset, into: &s)
            }
        }

        // 5. CAWG identity assertions: who vouches for this manifest's content.
        let (identityStatuses, identities) = await validateIdentities(of: manifest, claim: claim, in: store)
        s.success += identityStatuses.success
        s.informational += identityStatuses.informational
        s.failure += identityStatuses.failure
        return ManifestValidation(label: label, statuses: s, signatureInfo: info, identities: identities)
    }

    private func checkHardBinding(_ binding: AssertionBox, manifestLabel: String, claimAlg: String?, asset: FileReader?, into s: inout StatusLists) {
        let url = JUMBFURI.absolute(manifest: manifestLabel, path: "c2pa.assertions/\(binding.label)")
        guard binding.baseLabel == "c2pa.hash.data" else {
            s.failure.append(.init(.algorithmUnsupported, url: url, "hard binding \(binding.label) is not supported by this version of Signet"))
            return
        }
        guard let content = binding.content, let cbor = try? CBORDecoder().decode(content),
            let dataHash = try? DataHashAssertion(cbor: cbor)
        else {
            s.failure.append(.init(.assertionDataHashMalformed, url: url, "data hash assertion is malformed"))
            return
        }
        guard let alg = Self.hashAlgorithm(dataHash.alg, claimAlg: claimAlg, what: "data hash", url: url, into: &s) else { return }
        guard let asset else { return }
        do {
            let digest = try AssetHasher.hash(asset, excluding: dataHash.exclusions, algorithm: alg)
            if digest == dataHash.hash {
                s.success.append(.init(.assertionDataHashMatch, url: url, "data hash valid"))
            } else {
                s.failure.append(.init(.assertionDataHashMismatch, url: url, "asset hash does not match the data hash assertion"))
            }
        } catch {
            s.failure.append(.init(.assertionDataHashMismatch, url: url, "asset could not be read to the end: \(error)"))
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
        let chain = Self.certificateChain(of: sign1)
        guard let leafDER = chain.first else {
            s.failure.append(.init(.signingCredentialInvalid, url: url, "claim signature carries no certificate chain"))
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

        // An RFC 3161 timestamp (sigTst / sigTst2), when trusted, fixes the time the certificate is judged at.
        // As c2pa-rs does, v1 claims' timestamps are not checked against a TSA trust list ("legacy").
        let timestamp = TimestampValidator.validate(
            unprotectedHeader: sign1.unprotectedHeader, protectedHeaderBytes: sign1.protectedHeaderBytes, payload: claimBytes,
            signature: sign1.signature, trust: claimVersion == 1 ? .skip : .anchors(trust.anchorDERs))
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
        // Only a timestamp whose TSA was checked against the anchors may move the time revocation is judged at
        // (v1 claims' "legacy" timestamps are not checked, so a forged one must not rescue a revoked key).
        let revocationTime = claimVersion == 1 ? nil : timestamp?.attestedTime
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

    /// The x5chain: label 33 in the protected header (C2PA 2.x), else in the unprotected header, where older
    /// writers also used the text label "x5chain".
    static func certificateChain(of sign1: COSESign1) -> [[UInt8]] {
        if let chain = sign1.x5chain?.certificates, !chain.isEmpty { return chain }
        if let value = sign1.unprotectedHeader.first(where: { $0.key == .textString("x5chain") })?.value {
            if let single = value.bytesValue { return [single] }
            return (value.arrayValue ?? []).compactMap(\.bytesValue)
        }
        return []
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
