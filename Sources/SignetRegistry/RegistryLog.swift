import Crypto
import Foundation
import SignetKeys
import SignetLog

/// What `log verify` found.
public struct LogVerification: Sendable {
    public var size: UInt64
    public var rootHash: MerkleHash
    /// The latest stored checkpoint's size, when there is one, and whether its signature and root check out.
    public var checkpointSize: UInt64?
    /// The remembered checkpoint the log was checked against (`--since`), when given.
    public var sinceSize: UInt64?
    /// Whether the log key was pinned from outside the database (`--key`).
    public var keyPinned: Bool = false
    /// Rows of the settings, credentials, publishers, keys and key statuses checked against their leaves.
    public var recordsChecked: Int = 0
}

extension Registry {
    /// The log's note verifier key, `name+hex8+base64(0x01||key)` (C2SP signed-note).
    public var logVerifierKey: String {
        get throws(RegistryError) {
            guard let v = try store.setting("log_vkey") else { throw RegistryError(.inconsistent, "the registry has no log key") }
            return v
        }
    }

    public func logVerifier() throws(RegistryError) -> Ed25519NoteVerifier {
        let text = try logVerifierKey
        do { return try Ed25519NoteVerifier(verifierKey: text) } catch {
            throw RegistryError(.inconsistent, "the stored log key is malformed: \(error.reason)")
        }
    }

    func logSigner(passphrase: String) throws(RegistryError) -> Ed25519NoteSigner {
        guard case .ed25519(let key) = try loadKey(try coveredAuthority(.log).keyFile, passphrase: passphrase) else {
            throw RegistryError(.inconsistent, "the log key is not an Ed25519 key")
        }
        let name = try origin
        do { return try Ed25519NoteSigner(name: name, privateKey: key) } catch {
            throw RegistryError(.inconsistent, "log key: \(error.reason)")
        }
    }

    public func logSize() throws(RegistryError) -> UInt64 { try store.logSize() }

    public func logEntries(from: UInt64, count: Int) throws(RegistryError) -> [LogEntry] { try store.logEntries(from: from, count: count) }

    /// Signs a checkpoint of the log at its current size (C2SP tlog-checkpoint as a signed note) and keeps it.
    public func checkpoint(passphrase: String) throws(RegistryError) -> SignedNote {
        try checkpoint(signer: try logSigner(passphrase: passphrase))
    }

    /// Signs and keeps a checkpoint with the log key, already unlocked.
    func checkpoint(signer: Ed25519NoteSigner) throws(RegistryError) -> SignedNote {
        let origin = try origin
        let (size, root) = try store.withLogHashes { (size, hashes) throws(LogError) in (size, try hashes.rootHash(treeSize: size)) }
        let note: SignedNote
        do {
            note = try Checkpoint(origin: origin, size: size, rootHash: root).sign(signers: [signer])
        } catch {
            throw RegistryError(.crypto, "cannot sign the checkpoint: \(error.reason)")
        }
        try store.saveCheckpoint(size: size, note: note.encoded, at: clock())
        return note
    }

    /// The latest checkpoint signed so far, if any.
    public func latestCheckpoint() throws(RegistryError) -> [UInt8]? { try store.latestCheckpoint()?.note }

    /// An inclusion proof for entry `index` in the tree of `size` entries (default: the whole log), with the leaf
    /// hash and the root it leads to.
    public func inclusionProof(index: UInt64, size: UInt64? = nil) throws(RegistryError) -> (proof: InclusionProof, leafHash: MerkleHash, root: MerkleHash) {
        try store.withLogHashes { (current, hashes) throws(LogError) in
            let n = size ?? current
            guard n <= current else { throw LogError(.invalidTreeSize, "the log has \(current) entries, not \(n)") }
            return (try hashes.inclusionProof(leafIndex: index, treeSize: n), try hashes.hash(level: 0, index: index), try hashes.rootHash(treeSize: n))
        }
    }

    /// A consistency proof from the tree of `old` entries to the tree of `new` (default: the whole log).
    public func consistencyProof(old: UInt64, new: UInt64? = nil) throws(RegistryError) -> (proof: ConsistencyProof, oldRoot: MerkleHash, newRoot: MerkleHash) {
        try store.withLogHashes { (current, hashes) throws(LogError) in
            let n = new ?? current
            guard n <= current, old <= n else { throw LogError(.invalidTreeSize, "sizes must satisfy old <= new <= \(current)") }
            return (try hashes.consistencyProof(from: old, to: n), try hashes.rootHash(treeSize: old), try hashes.rootHash(treeSize: n))
        }
    }

    /// Checks the log from its entries up and the records against the log, all read in one snapshot: every entry
    /// hashes to its stored leaf, the tree rebuilt from the entries has the stored root, every row of the settings,
    /// credentials, publishers, keys and key statuses is the one a leaf records (no row without its leaf, no leaf
    /// without its row, no leaf covering two rows of one kind: ``checkRecords(_:events:size:)``), the latest stored
    /// checkpoint is signed by the log key and matches, and, given a checkpoint a verifier remembered (`since`), the
    /// log still extends it. A rewritten history fails with ``RegistryError/Code/inconsistent``.
    ///
    /// `pinnedKey` is the log's verifier key as the verifier keeps it outside the database (the bundle's
    /// `log.vkey`): the stored key, the key the initialization leaf names and the key that signs the checkpoints
    /// must all be it, so an attacker who replaces the stored key, rewrites the log and re-signs a checkpoint with
    /// a key of their own is caught. Without it, the stored key is trusted.
    public func verifyLog(since remembered: [UInt8]? = nil, pinnedKey: String? = nil) throws(RegistryError) -> LogVerification {
        var pinned: Ed25519NoteVerifier?
        if let pinnedKey {
            do { pinned = try Ed25519NoteVerifier(verifierKey: pinnedKey.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
                throw RegistryError(.invalidRequest, "the pinned log key is not a note verifier key: \(error.reason)")
            }
        }
        // One snapshot: the records, the entries, the stored tree and its size are read together, so a concurrent
        // append is neither missed nor mistaken for tampering.
        let (records, (size, rebuilt, storedRoot, bodies)) = try store.withRecordsAndLog {
            (size, hashes, entries) throws(LogError) -> (UInt64, MerkleTree<InMemoryHashStore>, MerkleHash, [UInt64: [UInt8]]) in
            var tree = MerkleTree(store: InMemoryHashStore())
            var bodies: [UInt64: [UInt8]] = [:]  // events that make records, for the cross-check
            for index in 0..<size {
                let body = try entries.entry(at: index)
                try tree.append(body)
                if Self.recordMarkers.contains(where: { Self.contains(body, $0) }) { bodies[index] = body }
            }
            return (size, tree, try hashes.rootHash(treeSize: size), bodies)
        }
        // The key and origin as stored in the same snapshot (the checks below tie them to entry 0).
        guard let origin = records.settings["origin"], let storedKey = records.settings["log_vkey"] else {
            throw RegistryError(.inconsistent, "the registry has no origin or log key")
        }
        var verifier: Ed25519NoteVerifier
        do { verifier = try Ed25519NoteVerifier(verifierKey: storedKey) } catch {
            throw RegistryError(.inconsistent, "the stored log key is malformed: \(error.reason)")
        }
        if let pinned {
            guard pinned == verifier else {
                throw RegistryError(
                    .inconsistent,
                    "the registry's log key is not the pinned key \(pinned.name)+\(String(format: "%08x", pinned.keyID)): the log key was replaced or this is another registry")
            }
            verifier = pinned
        }
        let root: MerkleHash
        do { root = try rebuilt.rootHash() } catch { throw RegistryError(.inconsistent, "\(error.reason)") }
        guard storedRoot == root else { throw RegistryError(.inconsistent, "the stored Merkle tree does not match the log's entries") }
        var events: [UInt64: LogEvent] = [:]
        for (index, body) in bodies {
            guard let event = LogEvent(canonical: body) else { throw RegistryError(.inconsistent, "log entry \(index) is not a registry event") }
            events[index] = event
        }
        let checked = try checkRecords(records, events: events, size: size)

        var result = LogVerification(size: size, rootHash: root, keyPinned: pinnedKey != nil, recordsChecked: checked)
        func check(_ note: [UInt8], what: String) throws(RegistryError) -> Checkpoint {
            let checkpoint: Checkpoint
            do { checkpoint = try Checkpoint.open(note, verifiers: [verifier], origin: origin) } catch {
                throw RegistryError(.inconsistent, "\(what) does not verify with the \(pinnedKey == nil ? "" : "pinned ")log key: \(error.reason)")
            }
            guard checkpoint.size <= size else {
                throw RegistryError(.inconsistent, "\(what) covers \(checkpoint.size) entries but the log has only \(size): entries were removed")
            }
            let then: MerkleHash
            do { then = try rebuilt.rootHash(treeSize: checkpoint.size) } catch { throw RegistryError(.inconsistent, "\(error.reason)") }
            guard then == checkpoint.rootHash else {
                throw RegistryError(.inconsistent, "the log's first \(checkpoint.size) entries no longer hash to \(what)'s root: history was rewritten")
            }
            return checkpoint
        }
        if let latest = records.latestCheckpoint {
            result.checkpointSize = try check(latest, what: "the latest stored checkpoint").size
        }
        if let remembered {
            result.sinceSize = try check(remembered, what: "the remembered checkpoint").size
        }
        return result
    }

    /// Leaves of these kinds make records (`"kind":"…` cannot occur inside a JSON string value, whose quotes are
    /// escaped).
    static let recordMarkers = ["registry.initialized\"", "publisher.added\"", "key."].map { Array("\"kind\":\"\($0)".utf8) }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// Writes the whole log as static C2SP tlog-tiles files (tiles, entry bundles, then a fresh signed checkpoint)
    /// under `directory`. Returns the checkpoint.
    public func writeTiles(to directory: String, passphrase: String) throws(RegistryError) -> SignedNote {
        let note = try checkpoint(passphrase: passphrase)
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint(text: note.text) } catch { throw RegistryError(.inconsistent, "\(error.reason)") }
        let url = URL(fileURLWithPath: directory)
        try store.withLog { (_, hashes, entries) throws(LogError) in
            try TileWriter.forEachFile(hashes: hashes, entries: entries, treeSize: checkpoint.size) { (file: TileFile) throws(LogError) in
                try TileWriter.write(file, to: url)
            }
            try TileWriter.write(TileFile(path: "checkpoint", contents: note.encoded), to: url)
        }
        return note
    }
}

