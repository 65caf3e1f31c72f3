import Crypto
import Foundation
import SignetOCSP
import X509

/// Revocation in the standard forms verifiers already read: OCSP responses (RFC 6960) signed by the registry's
/// responder, and the intermediate CA's CRL (RFC 5280).
extension Registry {
    /// How long an OCSP answer or a CRL stays current.
    public static let ocspValidity: TimeInterval = 86_400
    public static let crlValidity: TimeInterval = 7 * 86_400

    /// The registry's OCSP responder, answering as of `time` (default: the moment of each answer): a key is revoked
    /// once its revocation is effective, else good; serials the registry did not issue are unknown.
    public func ocspResponder(passphrase: String, at time: Date? = nil) throws(RegistryError) -> OCSPResponder {
        let intermediate = try certificate(.intermediate)
        let ocspRecord = try coveredAuthority(.ocsp)
        let signerCertificate = try certificate(ocspRecord)
        let key = try loadP256(ocspRecord.keyFile, passphrase: passphrase)
        let when = time
        do {
            return try OCSPResponder(
                issuer: intermediate, signerCertificate: signerCertificate, signerKey: Certificate.PrivateKey(key),
                validity: Self.ocspValidity
            ) { serial in
                let hex = serial.bytes.map { String(format: "%02x", $0) }.joined()
                // Answers only from rows the log covers: a tampered key makes the lookup throw (internalError).
                guard let record = try self.coveredKey(serialHex: hex) else { return .unknown }
                let t = when ?? Date()
                if let r = record.revocation, r.effectiveAt <= t {
                    return .revoked(OCSPRevokedInfo(revocationTime: r.effectiveAt, reason: r.reason.map { CRLReason(rawValue: $0.code) }))
                }
                return .good
            } nextChange: { serial in
                // A revocation scheduled for later: "good" may not be held past it.
                let hex = serial.bytes.map { String(format: "%02x", $0) }.joined()
                guard let r = (try? self.coveredKey(serialHex: hex))??.revocation, r.effectiveAt > (when ?? Date()) else { return nil }
                return r.effectiveAt
            }
        } catch {
            throw RegistryError(.crypto, "cannot set up the OCSP responder: \(error)")
        }
    }

    /// Answers a DER OCSPRequest (what `ocsp respond` and an HTTP responder do).
    public func respondOCSP(request: [UInt8], passphrase: String) throws(RegistryError) -> [UInt8] {
        let now = clock()
        // The responder answers internalError for a key whose rows the log does not cover; the operator is told.
        if let parsed = try? OCSPRequest(derEncoded: request) {
            for id in parsed.certIDs { _ = try coveredKey(serialHex: Authority.hex(id.serialNumber.bytes)) }
        }
        return try ocspResponder(passphrase: passphrase, at: now).respond(toDER: request, at: now)
    }

    /// A fresh OCSP response about `key`, to staple in a claim signature (C2PA 2.2, 14.5.2).
    public func ocspStaple(for key: KeyRecord, passphrase: String) throws(RegistryError) -> [UInt8] {
        _ = try coveredKey(id: key.id)
        let now = clock()
        let responder = try ocspResponder(passphrase: passphrase, at: now)
        do {
            let leaf = try Certificate(derEncoded: key.certificate)
            let certID = try OCSPCertID(certificate: leaf, issuer: responder.issuer)
            return try responder.response(for: [certID], at: now).derEncoded
        } catch {
            throw RegistryError(.crypto, "cannot make an OCSP response for \(key.id): \(error)")
        }
    }

    /// The intermediate CA's CRL: every revoked key, with its effective time and reason. Its number is the log
    /// size, which only grows.
    public func crlDER(passphrase: String) throws(RegistryError) -> [UInt8] {
        try crl(signingKey: try loadP256(try coveredAuthority(.intermediate).keyFile, passphrase: passphrase)).der
    }

    /// The CRL signed with the intermediate's key, already unlocked, and the time it stops being current (the
    /// validity, cut short by a revocation scheduled before then).
    func crl(signingKey key: P256.Signing.PrivateKey) throws(RegistryError) -> (der: [UInt8], nextUpdate: Date) {
        let issuer = try certificate(try coveredAuthority(.intermediate))
        let now = clock()
        let all = try coveredKeys(publisher: nil)
        let pending = all.compactMap { $0.revocation?.effectiveAt }.filter { $0 > now }.min()
        let nextUpdate = min(now + Self.crlValidity, pending ?? .distantFuture)
        let revoked = all.compactMap { k -> CertificateRevocationList.Entry? in
            // A revocation scheduled for later is not on the CRL yet (nextUpdate is capped to its time below).
            guard let r = k.revocation, r.effectiveAt <= now, let cert = try? Certificate(derEncoded: k.certificate) else { return nil }
            return CertificateRevocationList.Entry(
                serialNumber: cert.serialNumber, revocationDate: r.effectiveAt, reason: r.reason.map { CRLReason(rawValue: $0.code) })
        }
        do {
            let der = try CertificateRevocationList(
                issuer: issuer, signingKey: Certificate.PrivateKey(key), thisUpdate: now, nextUpdate: nextUpdate,
                crlNumber: try store.logSize(), revoked: revoked
            ).derEncoded
            return (der, nextUpdate)
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError(.crypto, "cannot sign the CRL: \(error)")
        }
    }
}
