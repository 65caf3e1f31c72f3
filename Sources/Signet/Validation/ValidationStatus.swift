/// A C2PA validation status code (C2PA 2.2, section "Validation"), e.g. `claimSignature.validated`.
///
/// An open set: codes Signet does not define are still representable, so reports from newer validators round-trip.
public struct StatusCode: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    // Claim and signature
    public static let claimMissing: StatusCode = "claim.missing"
    public static let claimMalformed: StatusCode = "claim.malformed"
    public static let claimMultiple: StatusCode = "claim.multiple"
    public static let claimHardBindingsMissing: StatusCode = "claim.hardBindings.missing"
    public static let claimSignatureValidated: StatusCode = "claimSignature.validated"
    public static let claimSignatureMismatch: StatusCode = "claimSignature.mismatch"
    public static let claimSignatureMissing: StatusCode = "claimSignature.missing"
    public static let claimSignatureInsideValidity: StatusCode = "claimSignature.insideValidity"
    public static let claimSignatureOutsideValidity: StatusCode = "claimSignature.outsideValidity"
    public static let algorithmUnsupported: StatusCode = "algorithm.unsupported"
    /// Signet's own: a manifest store checked without its asset (a bare `.c2pa` file). C2PA has no code for it.
    public static let hardBindingNotChecked: StatusCode = "signet.hardBinding.notChecked"

    // Credentials
    public static let signingCredentialTrusted: StatusCode = "signingCredential.trusted"
    public static let signingCredentialUntrusted: StatusCode = "signingCredential.untrusted"
    public static let signingCredentialInvalid: StatusCode = "signingCredential.invalid"
    public static let signingCredentialExpired: StatusCode = "signingCredential.expired"
    public static let signingCredentialRevoked: StatusCode = "signingCredential.revoked"
    public static let signingCredentialOCSPSkipped: StatusCode = "signingCredential.ocsp.skipped"
    public static let signingCredentialOCSPNotRevoked: StatusCode = "signingCredential.ocsp.notRevoked"
    public static let signingCredentialOCSPRevoked: StatusCode = "signingCredential.ocsp.revoked"
    public static let signingCredentialOCSPUnknown: StatusCode = "signingCredential.ocsp.unknown"

    // Assertions
    public static let assertionHashedURIMatch: StatusCode = "assertion.hashedURI.match"
    public static let assertionHashedURIMismatch: StatusCode = "assertion.hashedURI.mismatch"
    public static let assertionMissing: StatusCode = "assertion.missing"
    public static let assertionMultipleHardBindings: StatusCode = "assertion.multipleHardBindings"
    public static let assertionUndeclared: StatusCode = "assertion.undeclared"
    public static let assertionDataHashMatch: StatusCode = "assertion.dataHash.match"
    public static let assertionDataHashMismatch: StatusCode = "assertion.dataHash.mismatch"
    public static let assertionDataHashMalformed: StatusCode = "assertion.dataHash.malformed"
    public static let assertionBMFFHashMatch: StatusCode = "assertion.bmffHash.match"
    public static let assertionBMFFHashMismatch: StatusCode = "assertion.bmffHash.mismatch"
    public static let assertionBMFFHashMalformed: StatusCode = "assertion.bmffHash.malformed"
    /// Informational, as c2pa-rs reports it (not in C2PA 2.2): an exclusion other than the mandatory ones.
    public static let assertionBMFFHashAdditionalExclusionsPresent: StatusCode = "assertion.bmffHash.additionalExclusionsPresent"
    public static let assertionBoxesHashMismatch: StatusCode = "assertion.boxesHash.mismatch"
    public static let assertionBoxesHashUnknownBox: StatusCode = "assertion.boxesHash.unknownBox"
    public static let assertionCBORInvalid: StatusCode = "assertion.cbor.invalid"
    public static let assertionJSONInvalid: StatusCode = "assertion.json.invalid"
    public static let assertionActionMalformed: StatusCode = "assertion.action.malformed"

    // Manifests
    public static let manifestMissing: StatusCode = "manifest.missing"
    public static let manifestMultipleParents: StatusCode = "manifest.multipleParents"
    public static let generalError: StatusCode = "general.error"
}

/// One status entry of a report: a code, the JUMBF URI of the thing it is about, and a human explanation.
public struct ValidationStatus: Hashable, Sendable {
    public var code: StatusCode
    public var url: String?
    public var explanation: String?

    public init(_ code: StatusCode, url: String?, _ explanation: String?) {
        self.code = code
        self.url = url
        self.explanation = explanation
    }
}

/// The three lists c2pa-rs reports per manifest.
public struct StatusLists: Hashable, Sendable {
    public var success: [ValidationStatus] = []
    public var informational: [ValidationStatus] = []
    public var failure: [ValidationStatus] = []
    public init() {}

    public func contains(_ code: StatusCode) -> Bool {
        (success + informational + failure).contains { $0.code == code }
    }
}

/// Invalid / Valid / Trusted, with c2pa-rs's meaning:
/// - Invalid: at least one failure code other than `signingCredential.untrusted` and the CAWG identity codes;
/// - Valid: no such failure, but the signing credential is not trusted (or no trust anchors were given);
/// - Trusted: no failure and `signingCredential.trusted`.
public enum ValidationState: String, Sendable, Hashable {
    case invalid = "Invalid"
    case valid = "Valid"
    case trusted = "Trusted"

    public init(failures: [ValidationStatus], successes: [ValidationStatus]) {
        if failures.contains(where: { !$0.code.isTrustOnly }) {
            self = .invalid
        } else if failures.isEmpty, successes.contains(where: { $0.code == .signingCredentialTrusted }) {
            self = .trusted
        } else {
            self = .valid
        }
    }
}
