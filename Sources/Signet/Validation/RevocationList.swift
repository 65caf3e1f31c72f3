import Foundation
import SignetOCSP
import X509

/// Revoked signer certificates a verifier was given (a trust bundle's CRL), checked against their issuer when
/// loaded. A signature made at or after a certificate's revocation time (per a trusted timestamp, else now) fails
/// with `signingCredential.revoked`; one made before stays valid.
public struct RevocationList: Sendable {
    public struct Entry: Sendable, Hashable {
        public var issuer: DistinguishedName
        public var serial: [UInt8]
        public var revokedAt: Date
        public var reason: String?

        public init(issuer: DistinguishedName, serial: [UInt8], revokedAt: Date, reason: String?) {
            self.issuer = issuer
            self.serial = serial
            self.revokedAt = revokedAt
            self.reason = reason
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    /// Reads DER CRLs, keeping only those whose signature verifies with one of `issuers`.
    /// - Throws: a reason when a CRL does not parse or no issuer verifies it.
    public init(crls: [[UInt8]], issuers: [[UInt8]], at time: Date = Date()) throws(VerifyError) {
        let cas = issuers.compactMap { try? Certificate(derEncoded: $0) }
        var entries: [Entry] = []
        for der in crls {
            let crl: CertificateRevocationList
            do { crl = try CertificateRevocationList(derEncoded: der) } catch {
                throw VerifyError(code: .unreadable, reason: "the CRL does not parse: \(error)")
            }
            guard let ca = cas.first(where: { crl.verify(issuer: $0).failure == nil }) else {
                throw VerifyError(code: .unreadable, reason: "the CRL is not signed by any of the bundle's CA certificates")
            }
            // A CRL past its nextUpdate no longer says what is revoked now: refuse it rather than trust it.
            if let failure = crl.verify(issuer: ca, at: time).failure {
                throw VerifyError(code: .unreadable, reason: "the CRL is not current (\(failure)); export a fresh bundle")
            }
            for e in crl.revokedCertificates {
                entries.append(Entry(issuer: ca.subject, serial: Array(e.serialNumber.bytes), revokedAt: e.revocationDate, reason: e.reason?.description))
            }
        }
        self.entries = entries
    }

    /// The entry for the certificate `der`, if it is listed.
    func entry(forCertificate der: [UInt8]) -> Entry? {
        guard !entries.isEmpty, let cert = try? Certificate(derEncoded: der) else { return nil }
        return entries.first { $0.issuer == cert.issuer && $0.serial == Array(cert.serialNumber.bytes) }
    }
}
