import Crypto
import Foundation
import SignetPKI

/// Trust decision for a signer chain, matching what c2pa-rs 0.91.3 decides (measured against it, see the
/// project's trust findings):
///
/// 1. The leaf's SHA-256 is on the allowed list: trusted, whatever else holds.
/// 2. Otherwise, with no anchors: untrusted.
/// 3. The leaf must carry an EKU of ``TrustSettings/trustedSignerEKUs`` (the EKU configuration and nothing else).
/// 4. The path is checked by ``PathValidator``, the one path checker every role shares.
enum ChainTrust {
    static func evaluate(
        leafDER: [UInt8],
        leaf: ParsedCertificate?,
        intermediatesDER: [[UInt8]],
        settings: TrustSettings,
        at time: Date
    ) -> CredentialEvaluation.Trust {
        if settings.allowedCertificateHashes.contains(Array(SHA256.hash(data: leafDER))) {
            return .trusted(explanation: "signing certificate trusted, found in the allowed list")
        }
        func untrusted(_ why: String) -> CredentialEvaluation.Trust { .untrusted(explanation: "signing certificate untrusted: \(why)") }
        guard !settings.anchorDERs.isEmpty else { return untrusted("no trust anchors configured and not on the allowed list") }
        guard let leaf else { return untrusted("the signing certificate could not be parsed") }
        let policy = PathValidator.Policy.signer(ekus: settings.trustedSignerEKUs)
        if let problem = PathValidator.usageProblem(leaf, policy: policy) { return untrusted(problem.replacingOccurrences(of: "the certificate", with: "the signing certificate")) }
        let result = PathValidator.validatePath(
            leafDER: leafDER, leaf: leaf, intermediatesDER: intermediatesDER, anchorsDER: settings.anchorDERs, at: time)
        if let failure = result.failure { return untrusted(failure.reason) }
        return .trusted(explanation: "signing certificate trusted, chains to trust anchor \"\(result.anchorDescription ?? "")\"")
    }
}
