import Foundation
import SignetCBOR
import SignetCOSE
import SignetOCSP
import X509

/// What the OCSP responses stapled in a claim signature say about its signer (C2PA 2.2, 15.9.1).
enum StapledRevocation: Equatable {
    /// No stapled response applies: nothing is known (the validator reports `signingCredential.ocsp.skipped`).
    case none
    case notRevoked(String)
    case revoked(String)
    case unknown(String)
}

extension ManifestValidator {
    /// Limits on what a hostile file can make Signet parse.
    static let maxStapledResponses = 8
    static let maxStapledResponseSize = 64 << 10

    /// The DER responses in the unprotected header's `rVals: {ocspVals: [bstr...]}`.
    static func stapledOCSPResponses(_ header: [CBOR.MapEntry]) -> [[UInt8]] {
        guard let rVals = header.first(where: { $0.key == .textString("rVals") })?.value,
            let values = rVals["ocspVals"]?.arrayValue
        else { return [] }
        return values.prefix(maxStapledResponses).compactMap(\.bytesValue).filter { $0.count <= maxStapledResponseSize }
    }

    /// Checks the stapled responses for the signer certificate, issued by the next certificate of the chain (or
    /// by a trust anchor of that name). A response counts when it is authentic (signed by the issuer or by a
    /// responder the issuer authorised with id-kp-OCSPSigning) and names the signer; then, at the trusted
    /// timestamp's time (else now): good, or revoked with removeFromCRL, is not revoked when the time falls in
    /// (thisUpdate, nextUpdate) or precedes thisUpdate; revoked after the timestamp's time is not revoked; other
    /// revocations are revoked; unknown is unknown.
    static func checkStapledOCSP(
        sign1: COSESign1, chain: [[UInt8]], anchors: [[UInt8]], attestedTime: Date?, now: Date
    ) -> StapledRevocation {
        let staples = stapledOCSPResponses(sign1.unprotectedHeader)
        guard !staples.isEmpty, let leafDER = chain.first, let leaf = try? Certificate(derEncoded: leafDER) else { return .none }
        let candidates = (chain.dropFirst() + anchors).compactMap { try? Certificate(derEncoded: $0) }
        guard let issuer = candidates.first(where: { $0.subject == leaf.issuer && $0.publicKey.isValidSignature(leaf.signature, for: leaf) }) else {
            return .none
        }
        let time = attestedTime ?? now
        let verifier = OCSPVerifier(issuer: issuer)
        var outcome = StapledRevocation.none
        for der in staples {
            guard let verification = try? verifier.verify(derEncoded: der, for: leaf, at: nil), let report = verification.report else { continue }
            guard report.thisUpdate.addingTimeInterval(-OCSPVerifier.defaultTolerance) <= now else { continue }
            // Without nextUpdate the window ends at producedAt + 24 hours (C2PA 2.2, 15.9.1).
            let windowEnd = report.nextUpdate ?? report.producedAt.addingTimeInterval(86_400)
            let inWindow = time < report.thisUpdate || (time >= report.thisUpdate && time <= windowEnd.addingTimeInterval(OCSPVerifier.defaultTolerance))
            switch report.status {
            case .good where inWindow:
                return .notRevoked("stapled OCSP response: certificate good at \(time)")
            case .revoked(let info) where info.reason == .removeFromCRL && inWindow:
                return .notRevoked("stapled OCSP response: certificate removed from the CRL")
            case .revoked(let info):
                if let attestedTime, info.revocationTime > attestedTime, inWindow {
                    return .notRevoked("stapled OCSP response: revoked at \(info.revocationTime), after the timestamp \(attestedTime)")
                }
                outcome = .revoked("stapled OCSP response: certificate revoked at \(info.revocationTime)\(info.reason.map { " (\($0))" } ?? "")")
            case .unknown:
                if outcome == .none { outcome = .unknown("stapled OCSP response: certificate status unknown") }
            default:
                continue
            }
        }
        return outcome
    }
}
