import Crypto
import Foundation
import GRDB
import SignetLog
import SignetOCSP
import SignetTestSupport
import Testing
import X509

@testable import SignetRegistry

/// Someone with write access to `registry.sqlite` (the sqlite3 shell: foreign keys off, triggers dropped at will)
/// edits the records. Every row the registry answers from must be the one a log leaf records.
extension TestRegistry {
    var databasePath: String { (directory as NSString).appendingPathComponent("registry.sqlite") }

    /// Runs `body` as an attacker would: a plain connection, foreign keys not enforced.
    func tamper(_ body: (Database) throws -> Void) throws {
        var config = Configuration()
        config.foreignKeysEnabled = false
        let db = try DatabaseQueue(path: databasePath, configuration: config)
        try db.write { try body($0) }
    }

    /// A publisher with one key, revoked for key compromise; returns the key as issued.
    func revokedKey(publisher: String = "P") throws -> KeyRecord {
        _ = try registry.addPublisher(name: publisher, organization: "Org", country: "NZ")
        let k = try registry.issueKey(publisher: publisher, passphrase: passphrase)
        advance(60)
        _ = try registry.revokeKey(k.id, reason: .keyCompromise)
        advance(60)
        return k
    }
}

/// Rewrites every log entry's body with `transform` and rebuilds the Merkle tree from the new bodies (triggers
/// dropped, checkpoints removed): what someone with write access and no log key can do to the log itself.
func rewriteLog(_ db: Database, _ transform: (UInt64, LogEvent) -> LogEvent) throws -> [[UInt8]] {
    for trigger in ["log_entry_no_update", "log_node_no_delete", "checkpoint_no_delete"] {
        try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
    }
    var bodies: [[UInt8]] = []
    for row in try Row.fetchAll(db, sql: "SELECT idx, body FROM log_entry ORDER BY idx") {
        let index: Int64 = row["idx"]
        let old: Data = row["body"]
        let event = try #require(LogEvent(canonical: Array(old)))
        let body = transform(UInt64(index), event).canonicalJSON
        try db.execute(sql: "UPDATE log_entry SET body = ? WHERE idx = ?", arguments: [Data(body), index])
        bodies.append(body)
    }
    try db.execute(sql: "DELETE FROM log_node")
    try db.execute(sql: "DELETE FROM checkpoint")
    var tree = MerkleTree(store: SQLiteHashStore(db: db))
    _ = try tree.append(contentsOf: bodies)
    return bodies
}

/// Expects an integrity failure (`inconsistent`, exit status 8 in the CLI) from `body`.
@discardableResult
func expectIntegrityFailure<T>(
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) -> RegistryError? {
    do {
        _ = try body()
        Issue.record("\(what): no integrity failure", sourceLocation: sourceLocation)
        return nil
    } catch let error as RegistryError {
        #expect(error.code == .inconsistent, "\(what): \(error.code) \(error.reason)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("\(what): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite struct RegistryIntegrityTests {
    @Test("An inserted active row pointing at the key's own issuance leaf does not re-activate a revoked key: every read refuses and log verify fails")
    func reactivatingRowIsRefused() throws {
        let t = try TestRegistry()
        let k = try t.revokedKey()
        let issuance = try #require(k.history.first?.logIndex)
        #expect(try t.registry.verifyLog().size == 4)
        try t.tamper { db in
            try db.execute(
                sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES (?, 'active', NULL, ?, ?, ?)",
                arguments: [k.id, Timestamps.format(t.time), Timestamps.format(t.time), Int64(issuance)])
        }
        let e = expectIntegrityFailure("key") { try t.registry.key(k.id) }
        #expect(e?.reason.contains(k.id) == true)
        expectIntegrityFailure("key by prefix") { try t.registry.key(String(k.id.prefix(10))) }
        expectIntegrityFailure("keys") { try t.registry.keys() }
        expectIntegrityFailure("keys of the publisher") { try t.registry.keys(publisher: "P") }
        expectIntegrityFailure("active key") { try t.registry.activeKey(publisher: "P") }
        expectIntegrityFailure("CRL") { try t.registry.crlDER(passphrase: t.passphrase) }
        expectIntegrityFailure("OCSP staple") { try t.registry.ocspStaple(for: k, passphrase: t.passphrase) }
        let request = try OCSPRequest(certificate: Certificate(derEncoded: k.certificate), issuer: t.registry.certificate(.intermediate))
        expectIntegrityFailure("OCSP respond") { try t.registry.respondOCSP(request: request.derEncoded, passphrase: t.passphrase) }
        // The responder itself answers internalError rather than from the rogue row.
        let answer = try t.registry.ocspResponder(passphrase: t.passphrase).respond(toDER: request.derEncoded)
        #expect(try OCSPResponse(derEncoded: answer).status == .internalError)
        expectIntegrityFailure("verification material") { try t.registry.verificationMaterial() }
        expectIntegrityFailure("rotation") { try t.registry.rotateKey(publisher: "P", passphrase: t.passphrase) }
        expectIntegrityFailure("issuing over it") { try t.registry.issueKey(publisher: "P", passphrase: t.passphrase) }
        expectIntegrityFailure("export") { try t.registry.exportBundle(to: t.directory + "-bundle", passphrase: t.passphrase) }
        let v = expectIntegrityFailure("log verify") { try t.registry.verifyLog() }
        #expect(v?.reason.contains("log entry \(issuance)") == true, "\(v?.reason ?? "")")
    }

    @Test("A status row whose log index lies beyond the log is refused: a forged activation and a forged revocation")
    func statusRowBeyondTheLogIsRefused() throws {
        let t = try TestRegistry()
        let revoked = try t.revokedKey(publisher: "P")
        _ = try t.registry.addPublisher(name: "Q")
        let good = try t.registry.issueKey(publisher: "Q", passphrase: t.passphrase)
        let size = try t.registry.logSize()
        try t.tamper { db in
            try db.execute(
                sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES (?, 'active', NULL, ?, ?, ?)",
                arguments: [revoked.id, Timestamps.format(t.time), Timestamps.format(t.time), Int64(size + 7)])
        }
        expectIntegrityFailure("forged activation") { try t.registry.key(revoked.id) }
        expectIntegrityFailure("log verify") { try t.registry.verifyLog() }
        // The untouched publisher still answers.
        #expect(try t.registry.activeKey(publisher: "Q").id == good.id)

        let u = try TestRegistry("denial")
        _ = try u.registry.addPublisher(name: "Q")
        let victim = try u.registry.issueKey(publisher: "Q", passphrase: u.passphrase)
        let end = try u.registry.logSize()
        for index in [Int64(end), Int64(end + 1000), -1] {
            let v = try TestRegistry("denial")
            _ = try v.registry.addPublisher(name: "Q")
            let key = try v.registry.issueKey(publisher: "Q", passphrase: v.passphrase)
            try v.tamper { db in
                try db.execute(
                    sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES (?, 'revoked', 'keyCompromise', ?, ?, ?)",
                    arguments: [key.id, Timestamps.format(v.time), Timestamps.format(v.time), index])
            }
            expectIntegrityFailure("forged revocation at \(index)") { try v.registry.key(key.id) }
            expectIntegrityFailure("CRL with a forged revocation at \(index)") { try v.registry.crlDER(passphrase: v.passphrase) }
            expectIntegrityFailure("log verify, forged revocation at \(index)") { try v.registry.verifyLog() }
        }
        #expect(try u.registry.key(victim.id).status == .active)
    }

    @Test("A status row pointing at another event's leaf, or copying a real revocation onto another key, is refused")
    func statusRowAtTheWrongLeafIsRefused() throws {
        let t = try TestRegistry()
        let revoked = try t.revokedKey(publisher: "P")
        _ = try t.registry.addPublisher(name: "Q")
        let other = try t.registry.issueKey(publisher: "Q", passphrase: t.passphrase)
        let revocation = try #require(try t.registry.key(revoked.id).revocation)
        try t.tamper { db in
            // Q's key "revoked" by P's revocation leaf.
            try db.execute(
                sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES (?, 'revoked', 'keyCompromise', ?, ?, ?)",
                arguments: [other.id, Timestamps.format(revocation.effectiveAt), Timestamps.format(revocation.recordedAt), Int64(revocation.logIndex)])
        }
        expectIntegrityFailure("revocation borrowed from another key") { try t.registry.key(other.id) }
        expectIntegrityFailure("log verify") { try t.registry.verifyLog() }

        let u = try TestRegistry()
        let k = try u.revokedKey(publisher: "P")
        try u.tamper { db in
            // "Active" at the publisher.added leaf.
            try db.execute(
                sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES (?, 'active', NULL, ?, ?, 1)",
                arguments: [k.id, Timestamps.format(u.time), Timestamps.format(u.time)])
        }
        expectIntegrityFailure("active at a publisher leaf") { try u.registry.key(k.id) }
        expectIntegrityFailure("log verify") { try u.registry.verifyLog() }
    }

    @Test("A revocation re-inserted with a later effective time or another reason no longer matches its leaf")
    func editedRevocationIsRefused() throws {
        let t = try TestRegistry()
        let k = try t.revokedKey()
        let original = try #require(try t.registry.key(k.id).revocation)
        try t.tamper { db in
            try db.execute(sql: "DROP TRIGGER key_status_no_delete")
            try db.execute(sql: "DELETE FROM key_status WHERE status = 'revoked'")
            try db.execute(
                sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES (?, 'revoked', 'superseded', ?, ?, ?)",
                arguments: [
                    k.id, Timestamps.format(original.effectiveAt.addingTimeInterval(86400 * 365)), Timestamps.format(original.recordedAt),
                    Int64(original.logIndex),
                ])
        }
        expectIntegrityFailure("key") { try t.registry.key(k.id) }
        expectIntegrityFailure("log verify") { try t.registry.verifyLog() }
    }

    @Test("Deleting a retirement (triggers dropped) is caught by log verify: the rotation leaf describes a row that is missing")
    func deletedRetirementIsCaught() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "P")
        let first = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        t.advance(60)
        _ = try t.registry.rotateKey(publisher: "P", passphrase: t.passphrase)
        #expect(try t.registry.verifyLog().size == 4)
        try t.tamper { db in
            try db.execute(sql: "DROP TRIGGER key_status_no_delete")
            try db.execute(sql: "DELETE FROM key_status WHERE status = 'retired'")
        }
        let e = expectIntegrityFailure("log verify") { try t.registry.verifyLog() }
        #expect(e?.reason.contains(first.id) == true, "\(e?.reason ?? "")")
    }

    @Test("A publisher row deleted and re-inserted with other content, a publisher row without a leaf, and a leaf without its row are caught")
    func publisherRowsAreCovered() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "Harbour Times", organization: "Harbour Media", country: "NZ")
        try t.tamper { db in
            try db.execute(sql: "DROP TRIGGER publisher_no_delete")
            let id = try Int64.fetchOne(db, sql: "SELECT id FROM publisher WHERE name = 'Harbour Times'")
            try db.execute(sql: "DELETE FROM publisher WHERE name = 'Harbour Times'")
            try db.execute(
                sql: "INSERT INTO publisher (id, name, organization, country, created_at) VALUES (?, 'Harbour Times', 'Mallory Media', 'NZ', ?)",
                arguments: [id, Timestamps.format(t.time)])
        }
        let e = expectIntegrityFailure("re-inserted publisher") { try t.registry.verifyLog() }
        #expect(e?.reason.contains("Harbour Times") == true, "\(e?.reason ?? "")")

        let u = try TestRegistry()
        _ = try u.registry.addPublisher(name: "P")
        try u.tamper { db in
            try db.execute(sql: "INSERT INTO publisher (name, organization, country, created_at) VALUES ('Mallory', NULL, NULL, ?)", arguments: [Timestamps.format(u.time)])
        }
        let f = expectIntegrityFailure("publisher without a leaf") { try u.registry.verifyLog() }
        #expect(f?.reason.contains("Mallory") == true, "\(f?.reason ?? "")")

        let v = try TestRegistry()
        _ = try v.registry.addPublisher(name: "P")
        _ = try v.registry.addPublisher(name: "Gone")
        try v.tamper { db in
            try db.execute(sql: "DROP TRIGGER publisher_no_delete")
            try db.execute(sql: "DELETE FROM publisher WHERE name = 'Gone'")
        }
        let g = expectIntegrityFailure("leaf without its publisher") { try v.registry.verifyLog() }
        #expect(g?.reason.contains("Gone") == true, "\(g?.reason ?? "")")
    }

    @Test("A key row re-inserted with another certificate, or a key row copied under a new id, is refused on read and by log verify")
    func keyRowsAreCovered() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "P")
        let victim = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        _ = try t.registry.addPublisher(name: "M")
        let mallory = try t.registry.issueKey(publisher: "M", passphrase: t.passphrase)
        try t.tamper { db in
            // The victim's row now carries Mallory's certificate (and its fingerprints): OCSP and CRL would speak for it.
            try db.execute(sql: "DROP TRIGGER signing_key_no_update")
            try db.execute(
                sql: "UPDATE signing_key SET certificate = ?, cert_sha256 = ?, spki_sha256 = ? WHERE id = ?",
                arguments: [Data(mallory.certificate), mallory.certificateSHA256, mallory.spkiSHA256, victim.id])
        }
        expectIntegrityFailure("key") { try t.registry.key(victim.id) }
        expectIntegrityFailure("active key") { try t.registry.activeKey(publisher: "P") }
        expectIntegrityFailure("log verify") { try t.registry.verifyLog() }

        let u = try TestRegistry()
        _ = try u.registry.addPublisher(name: "P")
        let k = try u.registry.issueKey(publisher: "P", passphrase: u.passphrase)
        let issuance = try #require(k.history.first?.logIndex)
        try u.tamper { db in
            try db.execute(
                sql: """
                    INSERT INTO signing_key (id, publisher_id, algorithm, serial_hex, certificate, key_file, cert_sha256, spki_sha256,
                        not_before, not_after, created_at)
                    SELECT 'k-0123456789ab', publisher_id, algorithm, 'abcdef', certificate, key_file, cert_sha256, spki_sha256,
                        not_before, not_after, created_at FROM signing_key WHERE id = ?
                    """, arguments: [k.id])
            try db.execute(
                sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES ('k-0123456789ab', 'active', NULL, ?, ?, ?)",
                arguments: [Timestamps.format(u.time), Timestamps.format(u.time), Int64(issuance)])
        }
        expectIntegrityFailure("copied key") { try u.registry.key("k-0123456789ab") }
        expectIntegrityFailure("log verify") { try u.registry.verifyLog() }
        // A key row with no status history at all would read as active at every time: refused too.
        let w = try TestRegistry()
        _ = try w.registry.addPublisher(name: "P")
        let j = try w.registry.issueKey(publisher: "P", passphrase: w.passphrase)
        try w.tamper { db in
            try db.execute(
                sql: """
                    INSERT INTO signing_key (id, publisher_id, algorithm, serial_hex, certificate, key_file, cert_sha256, spki_sha256,
                        not_before, not_after, created_at)
                    SELECT 'k-ba9876543210', publisher_id, algorithm, 'fedcba', certificate, key_file, cert_sha256, spki_sha256,
                        not_before, not_after, created_at FROM signing_key WHERE id = ?
                    """, arguments: [j.id])
        }
        expectIntegrityFailure("key without history") { try w.registry.key("k-ba9876543210") }
        expectIntegrityFailure("log verify") { try w.registry.verifyLog() }
    }

    @Test("Rows nothing reads (a status row of a missing key, a key of a missing publisher) still fail log verify")
    func orphanRowsAreCaught() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "P")
        _ = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        try t.tamper { db in
            try db.execute(
                sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES ('k-nonexistent0', 'active', NULL, ?, ?, 2)",
                arguments: [Timestamps.format(t.time), Timestamps.format(t.time)])
        }
        expectIntegrityFailure("orphan status row") { try t.registry.verifyLog() }
    }

    @Test("The registry's own credentials and settings are covered by the initialization leaf")
    func authoritiesAndSettingsAreCovered() throws {
        let t = try TestRegistry()
        let ocsp = try #require(try t.registry.store.authority(.ocsp).certificate)
        try t.tamper { db in
            try db.execute(sql: "DROP TRIGGER authority_no_update")
            try db.execute(sql: "UPDATE authority SET certificate = ? WHERE role = 'intermediate'", arguments: [Data(ocsp)])
        }
        expectIntegrityFailure("swapped intermediate") { try t.registry.verifyLog() }
        expectIntegrityFailure("reading the swapped intermediate") { try t.registry.certificate(.intermediate) }

        let u = try TestRegistry()
        try u.tamper { db in
            try db.execute(sql: "DROP TRIGGER setting_no_update")
            try db.execute(sql: "UPDATE setting SET value = 'http://mallory.example/ocsp' WHERE key = 'ocsp_url'")
        }
        expectIntegrityFailure("changed OCSP URL") { try u.registry.verifyLog() }
    }

    @Test("A log key replaced by the attacker's, with leaf 0 rewritten, the tree rebuilt and a checkpoint re-signed, passes the stored key but not the pinned log.vkey")
    func replacedLogKeyIsCaughtByThePinnedKey() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "P")
        let k = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        let bundle = t.directory + "-bundle"
        _ = try t.registry.exportBundle(to: bundle, passphrase: t.passphrase)
        let pinned = try String(contentsOfFile: (bundle as NSString).appendingPathComponent("log.vkey"), encoding: .utf8)
        #expect(try t.registry.verifyLog(pinnedKey: pinned).keyPinned)

        // The attacker revokes nothing; they want a history of their own, signed by their own key.
        let origin = try t.registry.origin
        let attacker = Curve25519.Signing.PrivateKey()
        let signer = try Ed25519NoteSigner(name: origin, privateKey: attacker)
        let attackerKey = signer.verifier.verifierKey
        try t.tamper { db in
            try db.execute(sql: "DROP TRIGGER setting_no_update")
            try db.execute(sql: "UPDATE setting SET value = ? WHERE key = 'log_vkey'", arguments: [attackerKey])
            let bodies = try rewriteLog(db) { index, event in
                var e = event
                if index == 0 { e.fields["log_key"] = attackerKey }
                return e
            }
            let root = try MerkleTree(store: SQLiteHashStore(db: db)).rootHash()
            let note = try Checkpoint(origin: origin, size: UInt64(bodies.count), rootHash: root).sign(signers: [signer])
            try db.execute(
                sql: "INSERT INTO checkpoint (size, note, created_at) VALUES (?, ?, ?)",
                arguments: [bodies.count, Data(note.encoded), Timestamps.format(t.time)])
        }
        // Everything inside the database agrees with itself...
        let unpinned = try t.registry.verifyLog()
        #expect(!unpinned.keyPinned && unpinned.checkpointSize == unpinned.size)
        // ...but not with the key the verifier kept.
        let e = expectIntegrityFailure("pinned log key") { try t.registry.verifyLog(pinnedKey: pinned) }
        #expect(e?.reason.contains("pinned") == true, "\(e?.reason ?? "")")
        #expect(try t.registry.key(k.id).status == .active)

        // A key that does not parse, or names another origin, is a refused request.
        let bad = #expect(throws: RegistryError.self) { try t.registry.verifyLog(pinnedKey: "not a key") }
        #expect(bad?.code == .invalidRequest)
        let other = try Ed25519NoteSigner(name: "other.example/log", privateKey: Curve25519.Signing.PrivateKey()).verifier.verifierKey
        expectIntegrityFailure("key for another origin") { try t.registry.verifyLog(pinnedKey: other) }
    }

    @Test("Only the stored key changed, checkpoint re-signed: caught without a pin (the initialization leaf names the real key) and with one")
    func swappedStoredKeyIsCaught() throws {
        let t = try TestRegistry()
        _ = try t.registry.addPublisher(name: "P")
        let pinned = try t.registry.logVerifierKey
        _ = try t.registry.checkpoint(passphrase: t.passphrase)
        let origin = try t.registry.origin
        let signer = try Ed25519NoteSigner(name: origin, privateKey: Curve25519.Signing.PrivateKey())
        let (size, root) = try t.registry.store.withLogHashes { (size, hashes) throws(LogError) in (size, try hashes.rootHash(treeSize: size)) }
        let note = try Checkpoint(origin: origin, size: size, rootHash: root).sign(signers: [signer])
        try t.tamper { db in
            try db.execute(sql: "DROP TRIGGER setting_no_update")
            try db.execute(sql: "DROP TRIGGER checkpoint_no_delete")
            try db.execute(sql: "UPDATE setting SET value = ? WHERE key = 'log_vkey'", arguments: [signer.verifier.verifierKey])
            try db.execute(sql: "DELETE FROM checkpoint")
            try db.execute(sql: "INSERT INTO checkpoint (size, note, created_at) VALUES (?, ?, ?)", arguments: [Int64(size), Data(note.encoded), "x"])
        }
        expectIntegrityFailure("stored key swapped") { try t.registry.verifyLog() }
        expectIntegrityFailure("stored key swapped, pinned") { try t.registry.verifyLog(pinnedKey: pinned) }
    }

    @Test("A registry whose leaves predate the time and certificate fields still verifies and answers; its rows are still checked on everything the leaves hold")
    func legacyLeavesStillVerify() throws {
        let t = try TestRegistry()
        let k = try t.revokedKey()
        _ = try t.registry.rotateKey(publisher: "P", passphrase: t.passphrase)
        try t.tamper { db in
            _ = try rewriteLog(db) { _, event in
                var e = event
                for field in ["time", "ocsp_url", "root_cert_sha256", "intermediate_cert_sha256", "ocsp_cert_sha256", "tsa_cert_sha256"] {
                    e.fields[field] = nil
                }
                return e
            }
        }
        #expect(try t.registry.verifyLog(pinnedKey: try t.registry.logVerifierKey).size == 5)
        #expect(try t.registry.key(k.id).status == .revoked)
        #expect(try t.registry.activeKey(publisher: "P").id != k.id)
        try t.tamper { db in
            try db.execute(
                sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES (?, 'active', NULL, ?, ?, 2)",
                arguments: [k.id, Timestamps.format(t.time), Timestamps.format(t.time)])
        }
        expectIntegrityFailure("legacy key") { try t.registry.key(k.id) }
        expectIntegrityFailure("legacy log verify") { try t.registry.verifyLog() }
    }

    @Test("An honest registry's whole life (issue, rotate, several retirements, scheduled and past revocations, exports) verifies with the pinned key")
    func honestHistoryVerifies() throws {
        let t = try TestRegistry()
        for name in ["A", "B"] { _ = try t.registry.addPublisher(name: name, organization: "Org \(name)", country: "NZ") }
        let a1 = try t.registry.issueKey(publisher: "A", passphrase: t.passphrase)
        t.advance(10)
        _ = try t.registry.issueKey(publisher: "B", algorithm: .ed25519, passphrase: t.passphrase)
        t.advance(10)
        let a2 = try t.registry.rotateKey(publisher: "A", passphrase: t.passphrase)
        t.advance(10)
        _ = try t.registry.revokeKey(a1.id, reason: .superseded, effective: t.time.addingTimeInterval(-5))
        _ = try t.registry.revokeKey(a2.id, reason: .keyCompromise, effective: t.time.addingTimeInterval(3600))
        t.advance(10)
        let a3 = try t.registry.issueKey(publisher: "A", algorithm: .es384, passphrase: t.passphrase)
        _ = try t.registry.exportBundle(to: t.directory + "-bundle", passphrase: t.passphrase)
        let pinned = try String(contentsOfFile: t.directory + "-bundle/log.vkey", encoding: .utf8)
        let result = try t.registry.verifyLog(pinnedKey: pinned)
        #expect(result.keyPinned && result.size == 10 && result.checkpointSize == 10)
        #expect(result.recordsChecked > 0)
        #expect(try t.registry.activeKey(publisher: "A").id == a3.id)
        #expect(try t.registry.key(a1.id).history.map(\.status) == [.active, .retired, .revoked])
        #expect(try t.registry.key(a2.id).history.map(\.status) == [.active, .revoked])
        #expect(try t.registry.keys().count == 4)
    }
}

/// The CLI, run as a user would: `$SIGNET_BIN`, else the debug build beside the sources.
enum RegistryCLI {
    static var binary: String? {
        if let p = ProcessInfo.processInfo.environment["SIGNET_BIN"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let p = root.appendingPathComponent(".build/debug/signet").path
        return FileManager.default.isExecutableFile(atPath: p) ? p : nil
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let r = try ChildProcess.run(try #require(binary), arguments, environment: environment)
        return (r.status, r.stdout, r.stderr)
    }
}

@Suite(.enabled(if: RegistryCLI.binary != nil, "needs the built signet binary"))
struct RegistryIntegrityCLITests {
    @Test("signet registry: an inserted re-activating row makes key show, status and log verify fail with exit status 8; log verify --key passes on the genuine registry and fails on a foreign one")
    func cliRefusesTamperedRows() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("signet-cli-integrity-\(UUID().uuidString.prefix(8))").path
        let registry = base + "/registry", bundle = base + "/bundle"
        let env = ["SIGNET_PASSPHRASE": "cli integrity passphrase", "SIGNET_REGISTRY": registry]
        func signet(_ args: String...) throws -> (status: Int32, stdout: String, stderr: String) { try RegistryCLI.run(Array(args), environment: env) }
        #expect(try signet("registry", "init", "--origin", "cli.example/registry").status == 0)
        #expect(try signet("registry", "publisher", "add", "P").status == 0)
        let issued = try signet("registry", "key", "issue", "--publisher", "P", "--json")
        #expect(issued.status == 0, "\(issued.stderr)")
        let id = try #require(issued.stdout.firstMatch(of: /"id":"(k-[0-9a-f]{12})"/).map { String($0.1) })
        #expect(try signet("registry", "key", "revoke", id, "--reason", "keyCompromise").status == 0)
        #expect(try signet("registry", "export", "--output", bundle).status == 0)
        let vkey = bundle + "/log.vkey"
        let pinned = try signet("registry", "log", "verify", "--key", vkey, "--json")
        #expect(pinned.status == 0, "\(pinned.stderr)")
        #expect(pinned.stdout.contains("\"key_pinned\":true"), "\(pinned.stdout)")

        // Another registry with the same origin: its own log verifies, not under this registry's key.
        let foreign = ["SIGNET_PASSPHRASE": "x", "SIGNET_REGISTRY": base + "/foreign"]
        #expect(try RegistryCLI.run(["registry", "init", "--origin", "cli.example/registry"], environment: foreign).status == 0)
        #expect(try RegistryCLI.run(["registry", "log", "checkpoint"], environment: foreign).status == 0)
        #expect(try RegistryCLI.run(["registry", "log", "verify"], environment: foreign).status == 0)
        let wrongKey = try RegistryCLI.run(["registry", "log", "verify", "--key", vkey], environment: foreign)
        #expect(wrongKey.status == 8, "\(wrongKey.stderr)")
        #expect(try RegistryCLI.run(["registry", "log", "verify", "--key", base + "/missing.vkey"], environment: foreign).status == 2)

        var config = Configuration()
        config.foreignKeysEnabled = false
        let db = try DatabaseQueue(path: registry + "/registry.sqlite", configuration: config)
        try db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index)
                    SELECT key_id, 'active', NULL, effective_at, recorded_at, log_index FROM key_status WHERE key_id = ? AND status = 'active'
                    """, arguments: [id])
        }
        for args in [["registry", "key", "show", id], ["registry", "status", id], ["registry", "log", "verify"], ["registry", "crl", "-o", base + "/crl.der"]] {
            let r = try RegistryCLI.run(args, environment: env)
            #expect(r.status == 8, "\(args.joined(separator: " ")): \(r.status) \(r.stdout) \(r.stderr)")
            #expect(r.stderr.contains("integrity"), "\(r.stderr)")
            #expect(!r.stdout.contains("active"))
        }
        try? FileManager.default.removeItem(atPath: base)
    }
}
