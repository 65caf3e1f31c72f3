import Foundation
import SignetCBOR
import SignetCOSE
import SignetTrust

/// CAWG identity status codes (CAWG identity assertion 1.x, as c2pa-rs reports them).
extension StatusCode {
    public static let cawgIdentityWellFormed: StatusCode = "cawg.identity.well-formed"
    public static let cawgIdentityCBORInvalid: StatusCode = "cawg.identity.cbor.invalid"
    public static let cawgIdentityPadInvalid: StatusCode = "cawg.identity.pad.invalid"
    public static let cawgIdentityAssertionMismatch: StatusCode = "cawg.identity.assertion.mismatch"
    public static let cawgIdentityAssertionDuplicate: StatusCode = "cawg.identity.assertion.duplicate"
    public static let cawgIdentityHardBindingMissing: StatusCode = "cawg.identity.hard_binding_missing"
    public static let cawgIdentitySigTypeUnknown: StatusCode = "cawg.identity.sig_type.unknown"
    public static let cawgX509SignatureValidated: StatusCode = "cawg.x509.signature.validated"
    public static let cawgX509SignatureMismatch: StatusCode = "cawg.x509.signature.mismatch"
    public static let cawgX509SignatureOutsideValidity: StatusCode = "cawg.x509.signature.outside_validity"
    public static let cawgX509CredentialTrusted: StatusCode = "cawg.x509.credential.trusted"
    public static let cawgX509CredentialUntrusted: StatusCode = "cawg.x509.credential.untrusted"
    public static let cawgX509CredentialInvalid: StatusCode = "cawg.x509.credential.invalid"
    public static let cawgX509AlgorithmUnsupported: StatusCode = "cawg.x509.algorithm.unsupported"
    public static let cawgICADIDUnavailable: StatusCode = "cawg.ica.did_unavailable"

    /// Whether a failure with this code leaves the manifest's content valid: an untrusted claim signer, and every
    /// CAWG identity code (an identity that cannot be confirmed says nothing about the asset's integrity). Such
    /// failures keep a manifest from Trusted but do not make it Invalid, as in c2pa-rs.
    public var isTrustOnly: Bool { self == .signingCredentialUntrusted || rawValue.hasPrefix("cawg.") }
}

/// What an identity assertion says about who took part, for reports.
public struct IdentityInfo: Sendable, Hashable {
    public var label: String
    public var sigType: String
    public var roles: [String]
    /// Labels of the assertions the identity vouches for.
    public var referencedLabels: [String]
    public var algorithm: COSEAlgorithm?
    public var commonName: String?
    public var organization: String?
    public var issuerCommonName: String?
    public var serialNumber: String?
    /// The signature verified over the signer payload (not a statement about trust).
    public var signatureValid: Bool
    public var trusted: Bool
    /// For identity claims aggregation: the verifiable credential's JSON, as found (not verified).
    public var credentialJSON: String?
}

extension ManifestValidator {
    /// Validates every `cawg.identity` assertion the claim references. Statuses carry the assertion's absolute URI.
    func validateIdentities(
        of manifest: Manifest, claim: Claim, in store: ManifestStore
    ) async -> (StatusLists, [IdentityInfo]) {
        var s = StatusLists()
        var infos: [IdentityInfo] = []
        for reference in claim.assertionReferences {
            guard let path = JUMBFURI.parse(reference.url)?.path, path.hasPrefix("c2pa.assertions/") else { continue }
            let label = String(path.dropFirst("c2pa.assertions/".count))
            guard Self.isIdentityLabel(label), let box = manifest.resolveAssertion(reference.url, in: store) else { continue }
            let url = JUMBFURI.absolute(manifest: manifest.label, path: path)
            let (statuses, info) = await validateIdentity(box, label: label, url: url, claim: claim)
            s.success += statuses.success
            s.informational += statuses.informational
            s.failure += statuses.failure
            if let info { infos.append(info) }
        }
        return (s, infos)
    }

    static func isIdentityLabel(_ label: String) -> Bool {
        if label == IdentityAssertion.baseLabel { return true }
        guard label.hasPrefix(IdentityAssertion.baseLabel + "__") else { return false }
        return Int(label.dropFirst(IdentityAssertion.baseLabel.count + 2)) != nil
    }

    private func validateIdentity(_ box: AssertionBox, label: String, url: String, claim: Claim) async -> (StatusLists, IdentityInfo?) {
        var s = StatusLists()
        let identity: IdentityAssertion
        do {
            guard let content = box.content else { throw IdentityAssertionError("identity assertion has no content") }
            let cbor: CBOR
            do { cbor = try CBORDecoder().decode(content) } catch { throw IdentityAssertionError("not valid CBOR: \(error)") }
            identity = try IdentityAssertion(cbor: cbor)
        } catch {
            s.failure.append(.init(.cawgIdentityCBORInvalid, url: url, "identity assertion is malformed: \(error)"))
            return (s, nil)
        }
        let payload = identity.signerPayload
        var info = IdentityInfo(
            label: label, sigType: payload.sigType, roles: payload.roles,
            referencedLabels: payload.referencedAssertions.compactMap { JUMBFURI.parse($0.url)?.path.split(separator: "/").last.map(String.init) },
            signatureValid: false, trusted: false)

        // 1. Padding is zeros only.
        if !identity.paddingIsZero {
            s.failure.append(.init(.cawgIdentityPadInvalid, url: url, "invalid value in pad fields"))
        }
        // 2. Every referenced assertion is in the claim with the same hash; no duplicates; a hard binding among them.
        var seen = Set<String>()
        var hasHardBinding = false
        var matched: [String] = []
        for ref in payload.referencedAssertions {
            let refLabel = JUMBFURI.parse(ref.url)?.path.split(separator: "/").last.map(String.init) ?? ""
            // The hard binding is looked for among the labels referenced, matched or not (as c2pa-rs does).
            if refLabel.hasPrefix("c2pa.hash.") { hasHardBinding = true }
            if !seen.insert(ref.url).inserted {
                s.failure.append(.init(.cawgIdentityAssertionDuplicate, url: url, "multiple references to the same assertion: \(ref.url)"))
                continue
            }
            guard let inClaim = claim.assertionReferences.first(where: { $0.url == ref.url }), refLabel != label else {
                s.failure.append(.init(.cawgIdentityAssertionMismatch, url: url, "referenced assertion not in claim: \(ref.url)"))
                continue
            }
            guard inClaim.hash == ref.hash else {
                s.failure.append(.init(.cawgIdentityAssertionMismatch, url: url, "referenced assertion hash mismatch: \(ref.url)"))
                continue
            }
            matched.append(refLabel)
        }
        // Reports say the identity vouches only for what it names with the claim's own hash.
        info.referencedLabels = matched
        if !hasHardBinding {
            s.failure.append(.init(.cawgIdentityHardBindingMissing, url: url, "no hard binding assertion among the referenced assertions"))
        }

        // 3. The credential, by signature type.
        switch payload.sigType {
        case IdentityAssertion.x509SigType:
            let (x509, verified) = await checkX509(identity, url: url, info: &info)
            s.success += x509.success
            s.failure += x509.failure
            if verified {
                s.success.append(.init(.cawgIdentityWellFormed, url: url, "CAWG X.509 identity signature valid"))
            }
        case IdentityAssertion.claimsAggregationSigType:
            // Read and shown, not verified: the issuer is named by a DID whose document would have to be fetched.
            info.credentialJSON = Self.claimsAggregationCredential(identity.signature)
            s.failure.append(
                .init(.cawgICADIDUnavailable, url: url,
                      "identity claims aggregation credential read and shown; its issuer's DID is not resolved (Signet does not fetch DID documents)"))
        default:
            s.failure.append(.init(.cawgIdentitySigTypeUnknown, url: url, "unsupported signature type \(payload.sigType)"))
        }
        return (s, info)
    }

    /// Checks a `cawg.x509.cose` signature: the COSE_Sign1 over the canonical signer payload, the certificate
    /// profile and the chain against the identity trust settings (not the claim signer's).
    private func checkX509(_ identity: IdentityAssertion, url: String, info: inout IdentityInfo) async -> (StatusLists, Bool) {
        var s = StatusLists()
        guard identity.signature.first == 0xD2, let sign1 = try? COSESign1(decoding: identity.signature) else {
            s.failure.append(.init(.cawgX509SignatureMismatch, url: url, "could not parse signature: not a tagged COSE_Sign1"))
            return (s, false)
        }
        guard let algorithm = sign1.algorithm, COSEAlgorithm.all.contains(algorithm) else {
            s.failure.append(.init(.cawgX509AlgorithmUnsupported, url: url, "unsupported or missing signature algorithm"))
            return (s, false)
        }
        info.algorithm = algorithm
        guard case .found(let chain) = Self.certificateChain(of: sign1, claimVersion: 2) else {
            s.failure.append(.init(.cawgX509CredentialInvalid, url: url, "identity signature's certificate chain is not in its protected header"))
            return (s, false)
        }
        guard let leafDER = chain.first else {
            s.failure.append(.init(.cawgX509CredentialInvalid, url: url, "identity signature carries no certificate chain"))
            return (s, false)
        }
        if let leaf = CertificateSummary(der: leafDER) {
            info.commonName = CertificateSummary.attribute(leaf.subject, .RDNAttributeType.commonName)
            info.organization = CertificateSummary.attribute(leaf.subject, .RDNAttributeType.organizationName)
            info.issuerCommonName = CertificateSummary.attribute(leaf.issuer, .RDNAttributeType.commonName)
            info.serialNumber = DecimalString.fromBigEndian(leaf.serialNumber)
        }
        let evaluation = await CredentialEvaluator.evaluate(chainDER: chain, settings: identityTrust, validationTime: validationTime)
        for f in evaluation.profileFailures {
            let code: StatusCode = f.code == StatusCode.signingCredentialExpired.rawValue ? .cawgX509SignatureOutsideValidity : .cawgX509CredentialInvalid
            s.failure.append(.init(code, url: url, f.explanation))
        }
        switch evaluation.trust {
        case .trusted(let explanation) where evaluation.profileFailures.isEmpty:
            s.success.append(.init(.cawgX509CredentialTrusted, url: url, explanation))
            info.trusted = true
        case .trusted, .untrusted:
            s.failure.append(.init(.cawgX509CredentialUntrusted, url: url, "identity certificate untrusted"))
        case .notChecked:
            s.failure.append(.init(.cawgX509CredentialUntrusted, url: url, "identity certificate untrusted: no identity trust anchors configured"))
        }
        // The signature covers the payload in its canonical form; a payload with fields outside the schema has none.
        let result: COSEVerificationResult =
            identity.signerPayload.unknownFields.isEmpty
            ? sign1.verify(detachedPayload: identity.signerPayload.canonicalBytes, certificateDER: leafDER) : .invalidSignature
        switch result {
        case .valid:
            s.success.append(.init(.cawgX509SignatureValidated, url: url, "X.509 identity assertion signature validated"))
            info.signatureValid = true
            return (s, true)
        case .keyAlgorithmMismatch, .unsupportedAlgorithm:
            s.failure.append(.init(.cawgX509CredentialInvalid, url: url, "identity key does not fit algorithm \(algorithm.name)"))
        default:
            s.failure.append(.init(.cawgX509SignatureMismatch, url: url, "identity signature does not match the signer payload"))
        }
        return (s, false)
    }

    /// The verifiable credential inside an identity claims aggregation signature (a COSE_Sign1 with a JSON
    /// payload), as text, when it can be read.
    static func claimsAggregationCredential(_ signature: [UInt8]) -> String? {
        guard let sign1 = try? COSESign1(decoding: signature), let payload = sign1.payload,
            let text = String(validating: payload, as: UTF8.self), (try? JSONValue.parse(payload)) != nil
        else { return nil }
        return text
    }
}
