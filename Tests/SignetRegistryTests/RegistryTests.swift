import Foundation
import GRDB
import SignetCOSE
import SignetKeys
import SignetLog
import SignetOCSP
import SignetTrust
import Testing
import X509

@testable import SignetRegistry

/// A fresh registry in a temporary folder, with a clock the test moves.
final class TestRegistry: @unchecked Sendable {
    let directory: String
    let registry: Registry
    let passphrase = "correct horse battery staple"
    private let lock = NSLock()
    private var now = Date()

    /// The PostgreSQL database holding the records (nil: SQLite in the folder).
    let databaseURL: String?

    init(_ name: String = "reg", store: TestStore = .sqlite) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("signet-\(name)-\(UUID().uuidString.prefix(8))").path
        databaseURL = store == .postgres ? try TestPostgres.freshDatabase() : nil
        nonisolated(unsafe) var box: TestRegistry?
        let clock: @Sendable () -> Date = { box?.time ?? Date() }
        registry = try Registry.initialize(
            at: directory, passphrase: passphrase, options: .init(organization: "Test Org", origin: "test.example/registry"),
            databaseURL: databaseURL, clock: clock)
        box = self
    }

    var time: Date { lock.withLock { now } }
    func advance(_ seconds: TimeInterval) { lock.withLock { now = now.addingTimeInterval(seconds) } }
}

@Suite struct RegistryLifecycleTests {
    @Test("init writes encrypted keys with mode 0600 in a 0700 folder, and refuses a second init", arguments: TestStore.available)
    func initLayout(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        let keys = (t.directory as NSString).appendingPathComponent("keys")
        let attributes = try FileManager.default.attributesOfItem(atPath: keys)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        for file in ["root.key.pem", "intermediate.key.pem", "ocsp.key.pem", "tsa.key.pem", "log.key.pem"] {
            let path = (keys as NSString).appendingPathComponent(file)
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600, "\(file)")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("ENCRYPTED PRIVATE KEY"), "\(file) is not encrypted")
            #expect(throws: KeyError.self) { try KeyFile.load(path: path) }
            #expect(throws: KeyError.self) { try KeyFile.load(path: path, passphrase: "wrong") }
            _ = try KeyFile.load(path: path, passphrase: t.passphrase)
        }
        #expect(throws: RegistryError.self) { try Registry.initialize(at: t.directory, passphrase: "x") }
        #expect(throws: RegistryError.self) { try Registry(opening: t.directory + "-missing") }
    }

    @Test("The CA hierarchy: root, intermediate, OCSP responder (id-kp-OCSPSigning), TSA (critical id-kp-timeStamping)", arguments: TestStore.available)
    func authorities(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        let root = try t.registry.certificate(.root)
        let intermediate = try t.registry.certificate(.intermediate)
        let ocsp = try t.registry.certificate(.ocsp)
        let tsa = try t.registry.certificate(.tsa)
        #expect(root.issuer == root.subject)
        #expect(intermediate.issuer == root.subject)
        #expect(ocsp.issuer == intermediate.subject && tsa.issuer == intermediate.subject)
        #expect(try ocsp.extensions.extendedKeyUsage?.contains(.ocspSigning) == true)
        let tsaEKU = try #require(tsa.extensions[oid: .X509ExtensionID.extendedKeyUsage])
        #expect(tsaEKU.critical)
        #expect(try tsa.extensions.extendedKeyUsage?.contains(.timeStamping) == true)
        #expect(root.publicKey.isValidSignature(intermediate.signature, for: intermediate))
        #expect(intermediate.publicKey.isValidSignature(ocsp.signature, for: ocsp))
    }

    @Test("Issued signer certificates pass the C2PA profile and chain to the registry root; a wrong passphrase issues nothing", arguments: TestStore.available)
    func issueKeys(store: TestStore) async throws {
        let t = try TestRegistry(store: store)
        _ = try t.registry.addPublisher(name: "Harbour Times", organization: "Harbour Media", country: "nz")
        let anchors = try TrustSettings(anchorsPEM: try t.registry.certificate(.root).serializeAsPEM().pemString)
        for alg in Registry.algorithms {
            let key = try t.registry.issueKey(publisher: "Harbour Times", algorithm: alg, passphrase: t.passphrase)
            #expect(key.status == .active)
            #expect(key.notAfter.timeIntervalSince(key.notBefore) <= 365 * 86400 + 600)
            let signer = try t.registry.signer(for: key, passphrase: t.passphrase)
            #expect(signer.algorithm == alg)
            let evaluation = await CredentialEvaluator.evaluate(chainDER: signer.certificateChain, settings: anchors, validationTime: Date())
            #expect(evaluation.profileFailures.isEmpty, "\(alg.name): \(evaluation.profileFailures)")
            #expect(evaluation.isTrusted, "\(alg.name)")
            let cert = try Certificate(derEncoded: key.certificate)
            #expect(try cert.extensions.authorityInformationAccess != nil)
            #expect(try cert.extensions.basicConstraints == .notCertificateAuthority)
            let keyFile = (t.directory as NSString).appendingPathComponent("keys/\(key.keyFile)")
            #expect((try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int) == 0o600)
        }
        let before = try t.registry.keys().count
        #expect(throws: RegistryError.self) { try t.registry.issueKey(publisher: "Harbour Times", passphrase: "wrong") }
        #expect(throws: RegistryError.self) { try t.registry.issueKey(publisher: "Nobody", passphrase: t.passphrase) }
        #expect(try t.registry.keys().count == before)
        // Only the last issued key is active; the others retired.
        #expect(try t.registry.keys(publisher: "Harbour Times").filter { $0.status == .active }.count == 1)
    }

    @Test("Rotation retires the old key; revocation has an effective time separate from when it was recorded", arguments: TestStore.available)
    func rotationAndRevocation(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        _ = try t.registry.addPublisher(name: "Desk")
        let first = try t.registry.issueKey(publisher: "Desk", passphrase: t.passphrase)
        t.advance(3600)
        let second = try t.registry.rotateKey(publisher: "Desk", passphrase: t.passphrase)
        let firstNow = try t.registry.key(first.id)
        #expect(firstNow.status == .retired && second.status == .active)
        #expect(try t.registry.activeKey(publisher: "Desk").id == second.id)

        t.advance(3600)
        let effective = t.time.addingTimeInterval(-1800)  // back-dated: compromise discovered late
        let revoked = try t.registry.revokeKey(second.id, reason: .keyCompromise, effective: effective)
        let entry = try #require(revoked.revocation)
        #expect(entry.reason == .keyCompromise)
        // Times are stored to the millisecond.
        #expect(abs(entry.effectiveAt.timeIntervalSince(effective)) < 0.001)
        #expect(abs(entry.recordedAt.timeIntervalSince(t.time)) < 0.001)
        #expect(revoked.status(at: effective.addingTimeInterval(-1)) == .active)
        #expect(revoked.status(at: effective.addingTimeInterval(0.001)) == .revoked)
        #expect(throws: RegistryError.self) { try t.registry.revokeKey(second.id, reason: .superseded) }
        #expect(throws: RegistryError.self) { try t.registry.activeKey(publisher: "Desk") }
        // A unique prefix names a key.
        #expect(try t.registry.key(String(first.id.prefix(8))).id == first.id)
    }

    @Test("Publisher names, countries and duplicates are checked", arguments: TestStore.available)
    func publisherRules(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        _ = try t.registry.addPublisher(name: "A")
        #expect(throws: RegistryError.self) { try t.registry.addPublisher(name: "A") }
        #expect(throws: RegistryError.self) { try t.registry.addPublisher(name: "") }
        #expect(throws: RegistryError.self) { try t.registry.addPublisher(name: " padded") }
        #expect(throws: RegistryError.self) { try t.registry.addPublisher(name: "B", country: "NZL") }
        #expect(try t.registry.publishers().map(\.name) == ["A"])
    }
}

@Suite struct RegistryLogTests {
    @Test("Every change is a log entry; each entry's inclusion proof and every consistency proof verify", arguments: TestStore.available)
    func everyEventIsLogged(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        _ = try t.registry.addPublisher(name: "P")
        let k = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        _ = try t.registry.rotateKey(publisher: "P", passphrase: t.passphrase)
        _ = try t.registry.revokeKey(k.id, reason: .superseded)
        let entries = try t.registry.logEntries(from: 0, count: 100)
        #expect(entries.map(\.kind) == ["registry.initialized", "publisher.added", "key.issued", "key.rotated", "key.revoked"])
        let size = try t.registry.logSize()
        #expect(size == 5)
        for entry in entries {
            let (proof, leaf, root) = try t.registry.inclusionProof(index: entry.index)
            #expect(leaf == MerkleHash.leaf(entry.body))
            #expect(proof.verify(leafHash: leaf, rootHash: root) == .valid)
        }
        for old in 1...size {
            let (proof, oldRoot, newRoot) = try t.registry.consistencyProof(old: old)
            #expect(proof.verify(oldRoot: oldRoot, newRoot: newRoot) == .valid)
        }
        // The status history points at the log entries that record it.
        let revoked = try t.registry.key(k.id)
        #expect(revoked.history.map(\.logIndex) == [2, 3, 4])
    }

    @Test("Checkpoints are signed notes that verify with the exported verifier key; the log verifies from its entries", arguments: TestStore.available)
    func checkpoints(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        _ = try t.registry.addPublisher(name: "P")
        let note = try t.registry.checkpoint(passphrase: t.passphrase)
        let verifier = try Ed25519NoteVerifier(verifierKey: try t.registry.logVerifierKey)
        let checkpoint = try Checkpoint.open(note.encoded, verifiers: [verifier], origin: "test.example/registry")
        #expect(checkpoint.size == 2)
        let result = try t.registry.verifyLog(since: note.encoded)
        #expect(result.size == 2 && result.sinceSize == 2)
        #expect(throws: RegistryError.self) { try t.registry.checkpoint(passphrase: "wrong") }
    }

    @Test("History tables refuse UPDATE and DELETE at the schema level")
    func appendOnlyTriggers() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "P")
        _ = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        let db = try DatabaseQueue(path: (t.directory as NSString).appendingPathComponent("registry.sqlite"))
        for sql in [
            "UPDATE log_entry SET body = x'00' WHERE idx = 0", "DELETE FROM log_entry", "DELETE FROM log_node",
            "UPDATE key_status SET status = 'active'", "DELETE FROM key_status", "UPDATE signing_key SET algorithm = 'x'",
            "DELETE FROM publisher", "UPDATE authority SET key_file = 'x'",
        ] {
            #expect(throws: (any Error).self, "\(sql)") { try db.write { try $0.execute(sql: sql) } }
        }
        #expect(try t.registry.verifyLog().size == 3)
    }

    @Test("A rewritten history is caught: against the entries, the stored checkpoint, and a remembered checkpoint")
    func rewrittenHistoryIsCaught() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "P")
        let remembered = try t.registry.checkpoint(passphrase: t.passphrase).encoded
        _ = try t.registry.addPublisher(name: "Q")

        // Someone with write access drops the triggers and edits an old entry's body.
        let path = (t.directory as NSString).appendingPathComponent("registry.sqlite")
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: "DROP TRIGGER log_entry_no_update")
            try db.execute(sql: "UPDATE log_entry SET body = CAST('{\"kind\":\"publisher.added\",\"publisher\":\"Mallory\"}' AS BLOB) WHERE idx = 1")
        }
        let e1 = #expect(throws: RegistryError.self) { try t.registry.verifyLog() }
        #expect(e1?.code == .inconsistent)

        // A cleverer forger rebuilds the whole tree from rewritten entries: the remembered checkpoint catches it.
        let forged = try TestRegistry("forged")
        _ = try forged.registry.addPublisher(name: "Mallory")
        _ = try forged.registry.addPublisher(name: "Q")
        let e2 = #expect(throws: RegistryError.self) { try forged.registry.verifyLog(since: remembered) }
        #expect(e2?.code == .inconsistent)
    }

    @Test("Deleting a revocation from the key tables (triggers dropped) is caught: the log recorded it")
    func deletedRevocationIsCaught() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "P")
        let k = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        _ = try t.registry.revokeKey(k.id, reason: .keyCompromise)
        #expect(try t.registry.verifyLog().size == 4)
        let db = try DatabaseQueue(path: (t.directory as NSString).appendingPathComponent("registry.sqlite"))
        try db.write { db in
            try db.execute(sql: "DROP TRIGGER key_status_no_delete")
            try db.execute(sql: "DELETE FROM key_status WHERE status = 'revoked'")
        }
        #expect(try t.registry.key(k.id).revocation == nil)
        let e = #expect(throws: RegistryError.self) { try t.registry.verifyLog() }
        #expect(e?.code == .inconsistent)
    }

    @Test("Proofs for sizes or indices the log does not have are refused requests, not integrity failures", arguments: TestStore.available)
    func outOfRangeProofs(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        let e = #expect(throws: RegistryError.self) { try t.registry.inclusionProof(index: 5) }
        #expect(e?.code == .invalidRequest)
    }

    @Test("Published tiles rebuild the checkpoint's root and give the same proofs as the database", arguments: TestStore.available)
    func tilesRebuildTheRoot(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        for i in 0..<300 { _ = try t.registry.addPublisher(name: "publisher \(i)") }
        let out = t.directory + "-tiles"
        let note = try t.registry.writeTiles(to: out, passphrase: t.passphrase)
        let verifier = try Ed25519NoteVerifier(verifierKey: try t.registry.logVerifierKey)
        let (reader, checkpoint) = try TileReader.open(
            source: DirectoryTileSource(directory: URL(fileURLWithPath: out)), verifiers: [verifier], origin: "test.example/registry")
        #expect(checkpoint.size == 301)
        #expect(try Checkpoint(text: note.text) == checkpoint)
        for index: UInt64 in [0, 1, 255, 256, 300] {
            #expect(try reader.inclusionProof(leafIndex: index) == (try t.registry.inclusionProof(index: index)).proof)
        }
    }

    @Test("An OCSP answer about a key whose revocation is scheduled is current only until the revocation takes effect", arguments: TestStore.available)
    func ocspNextUpdateStopsAtAScheduledRevocation(store: TestStore) throws {
        let t = try TestRegistry(store: store)
        _ = try t.registry.addPublisher(name: "P")
        let key = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        let effective = t.time.addingTimeInterval(600)
        _ = try t.registry.revokeKey(key.id, reason: .keyCompromise, effective: effective)
        let response = try OCSPResponse(derEncoded: try t.registry.ocspStaple(for: try t.registry.key(key.id), passphrase: t.passphrase))
        let single = try #require(response.basicResponse?.responseData.responses.first)
        #expect(single.status == .good)
        let next = try #require(single.nextUpdate)
        #expect(next <= effective.addingTimeInterval(0.001), "good until \(next), revoked from \(effective)")
        // Without a scheduled change, a day.
        let other = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        let plain = try OCSPResponse(derEncoded: try t.registry.ocspStaple(for: other, passphrase: t.passphrase))
        let day = try #require(plain.basicResponse?.responseData.responses.first?.nextUpdate)
        #expect(day.timeIntervalSince(t.time) > 86_000)
    }
}
