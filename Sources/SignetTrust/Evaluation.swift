import Foundation
import SignetPKI

/// One validation status, as C2PA reports them (`code` from C2PA §15 such as `signingCredential.invalid`,
/// plus a human explanation).
public struct StatusEntry: Sendable, Hashable, CustomStringConvertible {
    /// The C2PA validation status code.
    public var code: String
    /// Why; for profile failures this is the explanation c2pa-rs gives for the same case.
    public var explanation: String

    /// Creates a status entry.
    public init(code: String, explanation: String) {
        self.code = code
        self.explanation = explanation
    }

    public var description: String { "\(code): \(explanation)" }

    /// `signingCredential.trusted` (success).
    public static let signingCredentialTrusted = "signingCredential.trusted"
    /// `signingCredential.untrusted` (c2pa-rs lists it as a failure, but the manifest state stays Valid).
    public static let signingCredentialUntrusted = "signingCredential.untrusted"
    /// `signingCredential.invalid` (failure: the certificate breaks the C2PA certificate profile).
    public static let signingCredentialInvalid = "signingCredential.invalid"
    /// `signingCredential.expired` (failure: not valid at the validation time).
    public static let signingCredentialExpired = "signingCredential.expired"
}

/// The verdict on a signer's certificate chain.
public struct CredentialEvaluation: Sendable {
    /// Profile violations of the signing (end-entity) certificate: `signingCredential.invalid` or
    /// `signingCredential.expired`. Like c2pa-rs, checking stops at the first violation, except that a CA
    /// certificate used as signer is reported after an otherwise passing profile check.
    public var profileFailures: [StatusEntry]

    /// Whether the credential is trusted.
    public var trust: Trust

    /// Success statuses (`signingCredential.trusted`).
    public var successes: [StatusEntry]

    /// The trust outcome.
    public enum Trust: Sendable, Equatable {
        /// Chains to a trust anchor with an accepted EKU, or is on the allowed list.
        case trusted(explanation: String)
        /// Trust sources were configured but none vouches for this credential (`signingCredential.untrusted`).
        case untrusted(explanation: String)
        /// No trust sources were configured (``TrustSettings/none``): the credential can be valid, never trusted.
        case notChecked
    }

    /// Creates an evaluation from its parts.
    public init(profileFailures: [StatusEntry], trust: Trust, successes: [StatusEntry]) {
        self.profileFailures = profileFailures
        self.trust = trust
        self.successes = successes
    }

    /// The `signingCredential.untrusted` entry c2pa-rs would report, if the credential is untrusted.
    public var untrustedEntry: StatusEntry? {
        if case .untrusted(let explanation) = trust {
            return StatusEntry(code: StatusEntry.signingCredentialUntrusted, explanation: explanation)
        }
        return nil
    }

    /// True when the profile holds and the credential is trusted.
    public var isTrusted: Bool {
        if case .trusted = trust { return profileFailures.isEmpty }
        return false
    }
}

/// Decides, as c2pa-rs does, whether a C2PA signer's certificate chain meets the C2PA certificate profile
/// (C2PA §14.5.1) and whether it is trusted (§14.4).
public enum CredentialEvaluator {
    /// Evaluates a signer chain.
    ///
    /// - Parameters:
    ///   - chainDER: leaf first, then intermediates, exactly as found in the COSE `x5chain` (DER bytes).
    ///     Certificates are read with SwiftASN1, so RSASSA-PSS keyed ones work too; unreadable bytes give a
    ///     `signingCredential.invalid` entry, never a crash.
    ///   - settings: trust anchors, allowed list and EKU configuration.
    ///   - validationTime: the signing time from a trusted timestamp if the caller has one, else now.
    public static func evaluate(chainDER: [[UInt8]], settings: TrustSettings, validationTime: Date) async -> CredentialEvaluation {
        evaluateSync(chainDER: chainDER, settings: settings, validationTime: validationTime)
    }

    /// Synchronous form of ``evaluate(chainDER:settings:validationTime:)``.
    public static func evaluateSync(chainDER: [[UInt8]], settings: TrustSettings, validationTime: Date) -> CredentialEvaluation {
        guard let leafDER = chainDER.first else {
            let failure = StatusEntry(code: StatusEntry.signingCredentialInvalid, explanation: "no signing certificate in the certificate chain")
            let trust: CredentialEvaluation.Trust =
                settings.hasTrustSources ? .untrusted(explanation: "signing certificate untrusted: no signing certificate") : .notChecked
            return CredentialEvaluation(profileFailures: [failure], trust: trust, successes: [])
        }
        let leaf = try? ParsedCertificate(der: leafDER)
        let profileFailures = CertificateProfile.check(leaf, settings: settings, at: validationTime)
        let trust: CredentialEvaluation.Trust
        if settings.hasTrustSources {
            trust = ChainTrust.evaluate(leafDER: leafDER, leaf: leaf, intermediatesDER: Array(chainDER.dropFirst()), settings: settings, at: validationTime)
        } else {
            trust = .notChecked
        }
        var successes: [StatusEntry] = []
        if case .trusted(let explanation) = trust {
            successes.append(StatusEntry(code: StatusEntry.signingCredentialTrusted, explanation: explanation))
        }
        return CredentialEvaluation(profileFailures: profileFailures, trust: trust, successes: successes)
    }
}
