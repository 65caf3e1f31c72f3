import Crypto
import Foundation
import Signet
import SignetLog
import SignetOCSP
import SignetTimestamp
import Synchronization
import X509

/// What a registry answers over the network: its trust bundle's files, a key's status history, the transparency
/// log (checkpoints, inclusion and consistency proofs, C2SP tiles), OCSP (RFC 6960) and timestamps (RFC 3161).
///
/// The keys it signs with (the OCSP responder's, the TSA's, the intermediate's for the CRL, the log's) are unlocked
/// once, when it is made; every answer reads the store as it is then, so a key revoked from another process is
/// answered revoked at once. Only rows the log covers are served: a tampered row makes the answer fail
/// (``RegistryError/Code/inconsistent``; for OCSP, the `internalError` response).
public final class RegistryPublication: Sendable {
    public let registry: Registry
    let responder: OCSPResponder
    let authority: TimeStampAuthority
    let intermediateKey: P256.Signing.PrivateKey
    let logSigner: Ed25519NoteSigner
    /// The path part of the OCSP URL written in signer certificates: where the responder must answer.
    public let ocspPath: String
    /// The CRL last signed, with the log size it was made at and the time it must be remade by.
    private let crlCache = Mutex<(size: UInt64, remakeBy: Date, der: [UInt8])?>(nil)
    /// The revocations last read, with the log size they were read at.
    private let revocationCache = Mutex<(size: UInt64, list: RevocationList)?>(nil)

    /// The largest OCSP request or timestamp query answered (what the CLI's `respond` commands take too).
    public static let maxRequestBytes = 64 << 10
    /// Certificates one OCSP request may ask about (RFC 5019 clients ask about one); each costs a lookup, so a
    /// request listing hundreds is refused (malformedRequest) rather than answered.
    public static let maxCertIDs = 8
    /// A served CRL is remade at least this often (and whenever the log grows).
    public static let crlRefresh: TimeInterval = 3600

    public init(registry: Registry, passphrase: String) throws(RegistryError) {
        self.registry = registry
        responder = try registry.ocspResponder(passphrase: passphrase)
        authority = try registry.timestampAuthority(passphrase: passphrase)
        intermediateKey = try registry.loadP256(try registry.coveredAuthority(.intermediate).keyFile, passphrase: passphrase)
        logSigner = try registry.logSigner(passphrase: passphrase)
        let path = URLComponents(string: try registry.ocspURL)?.path ?? ""
        ocspPath = path.isEmpty ? "/" : path
    }


    // MARK: OCSP and timestamps

    /// A DER OCSPResponse to a DER OCSPRequest: signed good, revoked or unknown for each certificate asked about,
    /// or an unsigned error response (malformedRequest, internalError) as RFC 6960 has it.
    public func ocsp(request: [UInt8]) -> [UInt8] {
        guard request.count <= Self.maxRequestBytes, let parsed = try? OCSPRequest(derEncoded: request), parsed.certIDs.count <= Self.maxCertIDs
        else { return OCSPResponder.errorResponse(.malformedRequest).derEncoded }
        return responder.respond(to: parsed, at: registry.clock()).derEncoded
    }

    /// A DER TimeStampResp to a DER TimeStampReq: a token, or a rejection with its failure info.
    public func timestamp(query: [UInt8]) -> [UInt8] {
        authority.respond(to: query, at: registry.clock()).derEncoded
    }

    // MARK: Bundle and keys

    /// One file of the trust bundle (``TrustBundle/allFiles``) as it stands now: the CRL is signed at most an hour
    /// ago and at the current log size, and the checkpoint covers the whole log. Unlike `exportBundle`, nothing is
    /// logged. Nil for a name that is not a bundle file.
    public func bundleFile(_ name: String) throws(RegistryError) -> [UInt8]? {
        guard TrustBundle.allFiles.contains(name) else { return nil }
        let keys = try registry.coveredKeys(publisher: nil)
        // Only the file asked for is signed afresh: a CRL or a checkpoint costs a signature and maybe a write.
        let crl = name == TrustBundle.crl ? try crl() : []
        let note = name == TrustBundle.checkpoint ? try checkpoint() : []
        return try registry.bundleFiles(keys: keys, checkpoint: note, crl: crl)[name]
    }

    /// The intermediate's current CRL (cached until the log grows, an hour passes, or a scheduled revocation
    /// takes effect).
    public func crl() throws(RegistryError) -> [UInt8] {
        let size = try registry.logSize()
        let now = registry.clock()
        if let cached = crlCache.withLock({ $0 }), cached.size == size, now < cached.remakeBy { return cached.der }
        let made = try registry.crl(signingKey: intermediateKey)
        crlCache.withLock { $0 = (size, min(made.nextUpdate, now + Self.crlRefresh), made.der) }
        return made.der
    }

    /// `base` with the registry's revocations as they stand now (read again whenever the log has grown: a key
    /// revoked by another process, or by the CLI, counts at the next verification). Scheduled revocations are in
    /// the list with their effective times, so their taking effect needs no new read.
    public func verifier(base: Signet.Verifier) throws(RegistryError) -> Signet.Verifier {
        let size = try registry.logSize()
        var verifier = base
        if let cached = revocationCache.withLock({ $0 }), cached.size == size {
            verifier.revocations = cached.list
            return verifier
        }
        guard let list = try registry.verificationMaterial().revocationList else {
            throw RegistryError(.inconsistent, "the intermediate certificate does not parse")
        }
        revocationCache.withLock { $0 = (size, list) }
        verifier.revocations = list
        return verifier
    }

    /// A key's record and status history, as one item of `keys.json`; nil when the registry has no such key.
    public func keyJSON(id: String) throws(RegistryError) -> String? {
        try registry.coveredKey(id: id).map { key in
            let item = Registry.keyJSON(key)
            return ((try? JSONValue.parse(item))?.serialized(pretty: true) ?? item) + "\n"
        }
    }

    // MARK: The log

    /// A signed checkpoint of the whole log: the latest stored one when it covers every entry, else a new one,
    /// signed and kept.
    public func checkpoint() throws(RegistryError) -> [UInt8] {
        let size = try registry.logSize()
        if let latest = try registry.store.latestCheckpoint(), latest.size == size { return latest.note }
        return try registry.checkpoint(signer: logSigner).encoded
    }

    /// The tile or entry bundle at `path` (`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`, c2sp.org/tlog-tiles),
    /// read from the store; nil for a malformed path or one the log does not have yet.
    public func tile(_ path: String) throws(RegistryError) -> [UInt8]? {
        guard let address = TilePath.parse(path) else { return nil }
        return try registry.store.withLog { (size, hashes, entries) throws(LogError) in
            try TileWriter.file(at: address, hashes: hashes, entries: entries, treeSize: size)?.contents
        }
    }

    /// An inclusion proof as JSON (``Registry/inclusionProofJSON(index:size:)``).
    public func inclusionProof(index: UInt64, size: UInt64?) throws(RegistryError) -> JSONValue {
        try registry.inclusionProofJSON(index: index, size: size)
    }

    /// A consistency proof as JSON (``Registry/consistencyProofJSON(old:new:)``).
    public func consistencyProof(old: UInt64, new: UInt64?) throws(RegistryError) -> JSONValue {
        try registry.consistencyProofJSON(old: old, new: new)
    }
}

extension Registry {
    /// An inclusion proof as the CLI and the service print it: `index`, `size`, `leaf_hash`, `hashes`, `root`
    /// (hashes in base64).
    public func inclusionProofJSON(index: UInt64, size: UInt64?) throws(RegistryError) -> JSONValue {
        let (proof, leaf, root) = try inclusionProof(index: index, size: size)
        return .object([
            ("index", .int(Int64(proof.leafIndex))), ("size", .int(Int64(proof.treeSize))), ("leaf_hash", .string(leaf.base64)),
            ("hashes", .array(proof.hashes.map { .string($0.base64) })), ("root", .string(root.base64)),
        ])
    }

    /// A consistency proof as the CLI and the service print it: `old`, `new`, `old_root`, `new_root`, `hashes`.
    public func consistencyProofJSON(old: UInt64, new: UInt64?) throws(RegistryError) -> JSONValue {
        let (proof, oldRoot, newRoot) = try consistencyProof(old: old, new: new)
        return .object([
            ("old", .int(Int64(proof.oldSize))), ("new", .int(Int64(proof.newSize))), ("old_root", .string(oldRoot.base64)),
            ("new_root", .string(newRoot.base64)), ("hashes", .array(proof.hashes.map { .string($0.base64) })),
        ])
    }
}
