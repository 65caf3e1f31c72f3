import Crypto
import Signet
import Foundation
import SignetKeys
import SignetLog
import X509

/// The files of a trust bundle, the registry's public face: what verifiers load.
public enum TrustBundle {
    public static let anchors = "anchors.pem"
    public static let allowed = "allowed.pem"
    public static let allowedHashes = "allowed.sha256.txt"
    public static let ekuConfig = "store.cfg"
    public static let tsaAnchors = "tsa-anchors.pem"
    public static let keys = "keys.json"
    public static let crl = "crl.der"
    public static let checkpoint = "checkpoint"
    public static let logKey = "log.vkey"
    public static let intermediates = "intermediates.pem"

    public static let allFiles = [anchors, allowed, allowedHashes, ekuConfig, tsaAnchors, keys, crl, checkpoint, logKey, intermediates]
}

/// What a verifier needs from a registry, read without the passphrase and without writing anything.
public struct VerificationMaterial: Sendable {
    /// The root CA, PEM.
    public var anchorsPEM: String
    /// The intermediate CA, DER.
    public var intermediate: [UInt8]
    /// Accepted signer EKUs (c2pa-rs trust_config text).
    public var ekuConfig: String
    /// Revoked signer certificates: serial, effective time, reason.
    public var revoked: [(serial: [UInt8], effectiveAt: Date, reason: String?)]

    /// The revocations as a verifier checks them (issued by the intermediate); nil when the intermediate does not
    /// parse.
    public var revocationList: RevocationList? {
        guard let issuer = try? Certificate(derEncoded: intermediate) else { return nil }
        return RevocationList(entries: revoked.map {
            RevocationList.Entry(issuer: issuer.subject, serial: $0.serial, revokedAt: $0.effectiveAt, reason: $0.reason)
        })
    }
}

extension Registry {
    /// The registry's anchors, EKU configuration and revocations, for `verify --registry`.
    public func verificationMaterial() throws(RegistryError) -> VerificationMaterial {
        let root = try certificate(.root)
        let intermediate = try coveredAuthority(.intermediate).certificate ?? []
        let revoked = try coveredKeys(publisher: nil).compactMap { k -> (serial: [UInt8], effectiveAt: Date, reason: String?)? in
            guard let r = k.revocation, let cert = try? Certificate(derEncoded: k.certificate) else { return nil }
            return (Array(cert.serialNumber.bytes), r.effectiveAt, r.reason?.rawValue)
        }
        do {
            return VerificationMaterial(anchorsPEM: try Authority.pem([root]), intermediate: intermediate, ekuConfig: Self.ekuConfig, revoked: revoked)
        } catch {
            throw RegistryError(.crypto, "cannot write the root certificate: \(error)")
        }
    }

    static let ekuConfig = """
        // EKUs accepted for signers of this registry (c2pa-rs trust_config format)
        // c2pa-kp-claimSigning
        1.3.6.1.4.1.62558.2.1
        // id-kp-emailProtection
        1.3.6.1.5.5.7.3.4
        // id-kp-documentSigning
        1.3.6.1.5.5.7.3.36

        """

    /// Writes the trust bundle to `directory`: anchors (the root), the intermediate, the allowed list of signer
    /// certificates not revoked (PEM, and their SHA-256 in base64 as c2pa-rs reads them), the EKU configuration,
    /// the TSA anchors, every key with its fingerprints and status history (`keys.json`), the intermediate's CRL,
    /// and a fresh signed checkpoint of the log with its verifier key. The export itself is logged first, so the
    /// checkpoint covers it.
    ///
    /// Files are written to a temporary folder beside `directory`, which then replaces it (`overwrite` needed when
    /// it exists), so a reader never sees half a bundle.
    public func exportBundle(to directory: String, passphrase: String, overwrite: Bool = false) throws(RegistryError) -> [String] {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory) {
            guard overwrite else { throw RegistryError(.alreadyExists, "\(directory) exists (use --force to replace it)") }
            // --force replaces a bundle, never some other folder.
            let contents = (try? fm.contentsOfDirectory(atPath: directory)) ?? ["?"]
            guard contents.allSatisfy({ TrustBundle.allFiles.contains($0) }) else {
                throw RegistryError(.invalidRequest, "\(directory) holds files that are not part of a trust bundle; refusing to replace it")
            }
        }
        let keys = try coveredKeys(publisher: nil)
        let now = clock()
        // Check the passphrase before logging anything.
        _ = try logSigner(passphrase: passphrase)
        _ = try store.appendEvents([
            LogEvent(kind: "bundle.exported", fields: [
                "keys": String(keys.count), "revoked": String(keys.filter { $0.revocation != nil }.count),
                "time": Timestamps.format(now),
            ])
        ], at: now)
        let note = try checkpoint(passphrase: passphrase)
        let crl = try crlDER(passphrase: passphrase)

        let files = try bundleFiles(keys: keys, checkpoint: note.encoded, crl: crl)

        let parent = (directory as NSString).deletingLastPathComponent
        let temporary = ((parent.isEmpty ? "." : parent) as NSString).appendingPathComponent(".\((directory as NSString).lastPathComponent).tmp-\(UUID().uuidString.prefix(8))")
        do {
            try fm.createDirectory(atPath: temporary, withIntermediateDirectories: true)
            for (name, bytes) in files {
                try Data(bytes).write(to: URL(fileURLWithPath: (temporary as NSString).appendingPathComponent(name)), options: .atomic)
            }
            if fm.fileExists(atPath: directory) {
                let old = temporary + ".old"
                try fm.moveItem(atPath: directory, toPath: old)
                try fm.moveItem(atPath: temporary, toPath: directory)
                try? fm.removeItem(atPath: old)
            } else {
                try fm.moveItem(atPath: temporary, toPath: directory)
            }
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw RegistryError(.storage, "cannot write the bundle to \(directory): \(error.localizedDescription)")
        }
        return files.keys.sorted()
    }

    /// The files of a trust bundle (``TrustBundle``), by name: what `exportBundle` writes and what the service
    /// serves, made one way.
    func bundleFiles(keys: [KeyRecord], checkpoint: [UInt8], crl: [UInt8]) throws(RegistryError) -> [String: [UInt8]] {
        let root = try certificate(.root)
        let intermediate = try certificate(.intermediate)
        var files: [String: [UInt8]] = [:]
        do {
            files[TrustBundle.anchors] = Array(try Authority.pem([root]).utf8)
            files[TrustBundle.intermediates] = Array(try Authority.pem([intermediate]).utf8)
            files[TrustBundle.tsaAnchors] = Array(try Authority.pem([root]).utf8)
            let allowed = try keys.filter { $0.revocation == nil }.map { try Certificate(derEncoded: $0.certificate) }
            files[TrustBundle.allowed] = Array((allowed.isEmpty ? "" : try Authority.pem(allowed)).utf8)
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError(.crypto, "cannot write certificates: \(error)")
        }
        let hashLines = keys.filter { $0.revocation == nil }.map { key in
            "// \(key.id) \(key.publisher)\n" + Data(Authority.sha256(key.certificate)).base64EncodedString()
        }
        files[TrustBundle.allowedHashes] = Array((hashLines.joined(separator: "\n") + "\n").utf8)
        files[TrustBundle.ekuConfig] = Array(Self.ekuConfig.utf8)
        files[TrustBundle.keys] = Array(Self.keysJSON(keys, origin: try origin).utf8)
        files[TrustBundle.crl] = crl
        files[TrustBundle.checkpoint] = checkpoint
        files[TrustBundle.logKey] = Array((try logVerifierKey + "\n").utf8)
        return files
    }

    /// `keys.json`: every key with its fingerprints and status history.
    static func keysJSON(_ keys: [KeyRecord], origin: String) -> String {
        "{\"origin\": \(LogEvent.quote(origin)),\n \"keys\": [\n\(keys.map { keyJSON($0) }.joined(separator: ",\n"))\n ]}\n"
    }

    /// One key of `keys.json`: its fingerprints, validity, status and status history.
    static func keyJSON(_ k: KeyRecord) -> String {
        func q(_ s: String) -> String { LogEvent.quote(s) }
        let history = k.history.map { h -> String in
            var members = ["\"status\": \(q(h.status.rawValue))"]
            if let r = h.reason { members.append("\"reason\": \(q(r.rawValue))") }
            members.append("\"effective_at\": \(q(Timestamps.format(h.effectiveAt)))")
            members.append("\"recorded_at\": \(q(Timestamps.format(h.recordedAt)))")
            members.append("\"log_index\": \(h.logIndex)")
            return "{" + members.joined(separator: ", ") + "}"
        }
        return """
                {"id": \(q(k.id)), "publisher": \(q(k.publisher)), "algorithm": \(q(k.algorithm)), "serial": \(q(k.serialHex)),
                 "cert_sha256": \(q(k.certificateSHA256)), "spki_sha256": \(q(k.spkiSHA256)),
                 "not_before": \(q(Timestamps.format(k.notBefore))), "not_after": \(q(Timestamps.format(k.notAfter))),
                 "status": \(q(k.status.rawValue)), "history": [\(history.joined(separator: ", "))]}
            """
    }
}

extension Authority {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
}
