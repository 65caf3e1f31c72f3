import Foundation
import GRDB
import SignetLog

/// The registry's records in one SQLite file (GRDB): WAL journal, foreign keys on, and the history tables made
/// append-only by triggers, so that no code path, ours or a careless script's, can rewrite what was recorded.
public final class SQLiteRegistryStore: RegistryStore {
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws(RegistryError) {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw RegistryError(.storage, "cannot open the registry database \(path): \(error)")
        }
    }

    /// Migrations are frozen once shipped: a change is a new migration.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE setting (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL);
                CREATE TABLE authority (
                    role TEXT PRIMARY KEY NOT NULL CHECK (role IN ('root', 'intermediate', 'ocsp', 'tsa', 'log')),
                    certificate BLOB,
                    key_file TEXT NOT NULL);
                CREATE TABLE publisher (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    organization TEXT,
                    country TEXT,
                    created_at TEXT NOT NULL);
                CREATE TABLE log_entry (
                    idx INTEGER PRIMARY KEY NOT NULL CHECK (idx >= 0),
                    kind TEXT NOT NULL,
                    body BLOB NOT NULL,
                    recorded_at TEXT NOT NULL);
                CREATE TABLE log_node (
                    level INTEGER NOT NULL CHECK (level >= 0 AND level < 64),
                    idx INTEGER NOT NULL CHECK (idx >= 0),
                    hash BLOB NOT NULL CHECK (length(hash) = 32),
                    PRIMARY KEY (level, idx)) WITHOUT ROWID;
                CREATE TABLE signing_key (
                    id TEXT PRIMARY KEY NOT NULL,
                    publisher_id INTEGER NOT NULL REFERENCES publisher(id),
                    algorithm TEXT NOT NULL,
                    serial_hex TEXT NOT NULL UNIQUE,
                    certificate BLOB NOT NULL,
                    key_file TEXT NOT NULL,
                    cert_sha256 TEXT NOT NULL,
                    spki_sha256 TEXT NOT NULL,
                    not_before TEXT NOT NULL,
                    not_after TEXT NOT NULL,
                    created_at TEXT NOT NULL);
                CREATE TABLE key_status (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    key_id TEXT NOT NULL REFERENCES signing_key(id),
                    status TEXT NOT NULL CHECK (status IN ('active', 'retired', 'revoked')),
                    reason TEXT,
                    effective_at TEXT NOT NULL,
                    recorded_at TEXT NOT NULL,
                    log_index INTEGER NOT NULL REFERENCES log_entry(idx));
                CREATE INDEX key_status_by_key ON key_status(key_id, seq);
                CREATE TABLE checkpoint (
                    size INTEGER PRIMARY KEY NOT NULL,
                    note BLOB NOT NULL,
                    created_at TEXT NOT NULL);
                """)
            // History is append-only: no update, no delete. Publishers and keys are never edited or removed
            // either (a key leaves service by a status entry).
            for table in ["log_entry", "log_node", "key_status", "checkpoint", "signing_key", "publisher", "authority"] {
                try db.execute(sql: """
                    CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                    CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END;
                    """)
            }
        }
        m.registerMigration("v2") { db in
            try db.execute(sql: """
                CREATE TRIGGER setting_no_update BEFORE UPDATE ON setting
                BEGIN SELECT RAISE(ABORT, 'setting is append-only'); END;
                CREATE TRIGGER setting_no_delete BEFORE DELETE ON setting
                BEGIN SELECT RAISE(ABORT, 'setting is append-only'); END;
                """)
        }
        return m
    }

    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(RegistryError) -> T {
        do {
            return try pool.write { db in try body(db) }
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError(.storage, "\(what): \(error)")
        }
    }

    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(RegistryError) -> T {
        do {
            return try pool.read { db in try body(db) }
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError(.storage, "\(what): \(error)")
        }
    }

    // MARK: - Settings and authorities

    public func isInitialized() throws(RegistryError) -> Bool {
        try read("reading settings") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM authority") ?? 0 > 0 }
    }

    public func initialize(settings: [String: String], authorities: [AuthorityRecord], event: LogEvent, at: Date) throws(RegistryError) {
        try write("initializing") { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM authority") == 0 else {
                throw RegistryError(.alreadyInitialized, "the registry is already initialized")
            }
            for (k, v) in settings.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: "INSERT INTO setting (key, value) VALUES (?, ?)", arguments: [k, v])
            }
            for a in authorities {
                try db.execute(
                    sql: "INSERT INTO authority (role, certificate, key_file) VALUES (?, ?, ?)",
                    arguments: [a.role.rawValue, a.certificate.map { Data($0) }, a.keyFile])
            }
            _ = try Self.appendLog(db, [event], at: at)
        }
    }

    public func setting(_ key: String) throws(RegistryError) -> String? {
        try read("reading settings") { db in try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key]) }
    }

    public func authority(_ role: AuthorityRole) throws(RegistryError) -> AuthorityRecord {
        let row = try read("reading authorities") { db in
            try Row.fetchOne(db, sql: "SELECT certificate, key_file FROM authority WHERE role = ?", arguments: [role.rawValue])
        }
        guard let row else { throw RegistryError(.notInitialized, "the registry has no \(role.rawValue) credential (run `signet registry init`)") }
        let cert: Data? = row["certificate"]
        return AuthorityRecord(role: role, certificate: cert.map { Array($0) }, keyFile: row["key_file"])
    }

    // MARK: - Publishers

    public func addPublisher(name: String, organization: String?, country: String?, event: LogEvent, at: Date) throws(RegistryError) -> PublisherRecord {
        try write("adding a publisher") { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM publisher WHERE name = ?", arguments: [name]) ?? 0 > 0 {
                throw RegistryError(.alreadyExists, "publisher \(name) already exists")
            }
            try db.execute(
                sql: "INSERT INTO publisher (name, organization, country, created_at) VALUES (?, ?, ?, ?)",
                arguments: [name, organization, country, Timestamps.format(at)])
            let id = db.lastInsertedRowID
            _ = try Self.appendLog(db, [event], at: at)
            return PublisherRecord(id: id, name: name, organization: organization, country: country, createdAt: at)
        }
    }

    public func publishers() throws(RegistryError) -> [PublisherRecord] {
        try read("reading publishers") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM publisher ORDER BY name").map(Self.publisher)
        }
    }

    public func publisher(named name: String) throws(RegistryError) -> PublisherRecord? {
        try read("reading publishers") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM publisher WHERE name = ?", arguments: [name]).map(Self.publisher)
        }
    }

    static func publisher(_ row: Row) -> PublisherRecord {
        PublisherRecord(
            id: row["id"], name: row["name"], organization: row["organization"], country: row["country"],
            createdAt: Timestamps.parse(row["created_at"]) ?? .distantPast)
    }

    // MARK: - Keys

    public func addKey(_ key: NewKey, event: LogEvent, at: Date) throws(RegistryError) -> KeyRecord {
        try write("recording a key") { db in
            guard let publisherID = try Int64.fetchOne(db, sql: "SELECT id FROM publisher WHERE name = ?", arguments: [key.publisher]) else {
                throw RegistryError(.notFound, "no publisher named \(key.publisher)")
            }
            try db.execute(
                sql: """
                    INSERT INTO signing_key (id, publisher_id, algorithm, serial_hex, certificate, key_file, cert_sha256,
                        spki_sha256, not_before, not_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id, publisherID, key.algorithm, key.serialHex, Data(key.certificate), key.keyFile, key.certificateSHA256,
                    key.spkiSHA256, Timestamps.format(key.notBefore), Timestamps.format(key.notAfter), Timestamps.format(at),
                ])
            let index = try Self.appendLog(db, [event], at: at)
            // The publisher's previously active keys retire (they stay valid for what they signed).
            let previous = try Self.keyRows(db, publisherID: publisherID).filter { $0.id != key.id && $0.status == .active }
            for p in previous {
                try Self.insertStatus(db, keyID: p.id, status: .retired, reason: nil, effectiveAt: at, recordedAt: at, logIndex: index)
            }
            try Self.insertStatus(db, keyID: key.id, status: .active, reason: nil, effectiveAt: at, recordedAt: at, logIndex: index)
            guard let record = try Self.keyRows(db, where: "k.id = ?", [key.id]).first else {
                throw RegistryError(.inconsistent, "key \(key.id) vanished after being recorded")
            }
            return record
        }
    }

    public func appendStatus(
        keyID: String, status: KeyStatus, reason: RevocationReason?, effectiveAt: Date, event: LogEvent, at: Date
    ) throws(RegistryError) -> KeyRecord {
        try write("recording a key status") { db in
            guard let current = try Self.keyRows(db, where: "k.id = ?", [keyID]).first else {
                throw RegistryError(.notFound, "no key \(keyID)")
            }
            if status == .revoked, current.revocation != nil {
                throw RegistryError(.invalidRequest, "key \(keyID) is already revoked")
            }
            let index = try Self.appendLog(db, [event], at: at)
            try Self.insertStatus(db, keyID: keyID, status: status, reason: reason, effectiveAt: effectiveAt, recordedAt: at, logIndex: index)
            guard let record = try Self.keyRows(db, where: "k.id = ?", [keyID]).first else {
                throw RegistryError(.inconsistent, "key \(keyID) vanished")
            }
            return record
        }
    }

    public func keys(publisher: String?) throws(RegistryError) -> [KeyRecord] {
        try read("reading keys") { db in
            if let publisher { return try Self.keyRows(db, where: "p.name = ?", [publisher]) }
            return try Self.keyRows(db, where: "1", [])
        }
    }

    public func key(id: String) throws(RegistryError) -> KeyRecord? {
        try read("reading keys") { db in try Self.keyRows(db, where: "k.id = ?", [id]).first }
    }

    public func key(serialHex: String) throws(RegistryError) -> KeyRecord? {
        try read("reading keys") { db in try Self.keyRows(db, where: "k.serial_hex = ?", [serialHex.lowercased()]).first }
    }

    static func insertStatus(
        _ db: Database, keyID: String, status: KeyStatus, reason: RevocationReason?, effectiveAt: Date, recordedAt: Date, logIndex: UInt64
    ) throws {
        try db.execute(
            sql: "INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [keyID, status.rawValue, reason?.rawValue, Timestamps.format(effectiveAt), Timestamps.format(recordedAt), Int64(logIndex)])
    }

    static func keyRows(_ db: Database, publisherID: Int64) throws -> [KeyRecord] {
        try keyRows(db, where: "k.publisher_id = ?", [publisherID])
    }

    static func keyRows(_ db: Database, where condition: String, _ arguments: StatementArguments) throws -> [KeyRecord] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT k.*, p.name AS publisher_name FROM signing_key k JOIN publisher p ON p.id = k.publisher_id
                WHERE \(condition) ORDER BY k.created_at, k.id
                """, arguments: arguments)
        return try rows.map { row in
            let id: String = row["id"]
            let history = try Row.fetchAll(
                db, sql: "SELECT * FROM key_status WHERE key_id = ? ORDER BY seq", arguments: [id]
            ).map { s in
                let reason: String? = s["reason"]
                let logIndex: Int64 = s["log_index"]
                return KeyStatusEntry(
                    status: KeyStatus(rawValue: s["status"]) ?? .retired, reason: reason.flatMap(RevocationReason.init(rawValue:)),
                    effectiveAt: Timestamps.parse(s["effective_at"]) ?? .distantPast,
                    // A negative index (only a hand-made row has one) names no entry.
                    recordedAt: Timestamps.parse(s["recorded_at"]) ?? .distantPast, logIndex: logIndex < 0 ? .max : UInt64(logIndex))
            }
            let cert: Data = row["certificate"]
            return KeyRecord(
                id: id, publisher: row["publisher_name"], algorithm: row["algorithm"], serialHex: row["serial_hex"],
                certificate: Array(cert), keyFile: row["key_file"], certificateSHA256: row["cert_sha256"],
                spkiSHA256: row["spki_sha256"], notBefore: Timestamps.parse(row["not_before"]) ?? .distantPast,
                notAfter: Timestamps.parse(row["not_after"]) ?? .distantPast,
                createdAt: Timestamps.parse(row["created_at"]) ?? .distantPast, history: history)
        }
    }

    // MARK: - The log

    public func appendEvents(_ events: [LogEvent], at: Date) throws(RegistryError) -> UInt64 {
        try write("appending to the log") { db in try Self.appendLog(db, events, at: at) }
    }

    /// Appends entries and their Merkle nodes inside the caller's transaction; returns the first index.
    static func appendLog(_ db: Database, _ events: [LogEvent], at: Date) throws -> UInt64 {
        var tree = MerkleTree(store: SQLiteHashStore(db: db))
        let bodies = events.map(\.canonicalJSON)
        let first = try tree.size()
        let insert = try db.cachedStatement(sql: "INSERT INTO log_entry (idx, kind, body, recorded_at) VALUES (?, ?, ?, ?)")
        let when = Timestamps.format(at)
        for (i, (event, body)) in zip(events, bodies).enumerated() {
            try insert.execute(arguments: [Int64(first) + Int64(i), event.kind, Data(body), when])
        }
        let appended = try tree.append(contentsOf: bodies)
        guard appended == first else { throw RegistryError(.inconsistent, "log entries and Merkle tree disagree on the size") }
        return first
    }

    public func logSize() throws(RegistryError) -> UInt64 {
        try read("reading the log") { db in try SQLiteHashStore(db: db).treeSize() }
    }

    public func logEntries(from: UInt64, count: Int) throws(RegistryError) -> [LogEntry] {
        try read("reading the log") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM log_entry WHERE idx >= ? ORDER BY idx LIMIT ?", arguments: [Int64(from), count]
            ).map(Self.logEntry)
        }
    }

    static func logEntry(_ row: Row) -> LogEntry {
        let idx: Int64 = row["idx"]
        let body: Data = row["body"]
        return LogEntry(index: UInt64(max(idx, 0)), kind: row["kind"], body: Array(body), recordedAt: Timestamps.parse(row["recorded_at"]) ?? .distantPast)
    }

    public func withLogHashes<T>(_ body: (UInt64, any MerkleHashReader) throws(LogError) -> T) throws(RegistryError) -> T {
        do {
            return try pool.read { db in
                let store = SQLiteHashStore(db: db)
                return try body(try store.treeSize(), store)
            }
        } catch let e as LogError {
            throw Self.registryError(e)
        } catch {
            throw RegistryError(.storage, "reading the log: \(error)")
        }
    }

    /// A proof asked for sizes or indices the log does not have is a refused request; anything else is the log's fault.
    static func registryError(_ e: LogError) -> RegistryError {
        e.code == .invalidTreeSize ? RegistryError(.invalidRequest, e.reason) : RegistryError(.inconsistent, "the log: \(e.reason)")
    }

    public func withLog<T>(_ body: (UInt64, any MerkleHashReader, any LogEntrySource) throws(LogError) -> T) throws(RegistryError) -> T {
        do {
            return try pool.read { db in
                let store = SQLiteHashStore(db: db)
                return try body(try store.treeSize(), store, SQLiteEntries(db: db))
            }
        } catch let e as LogError {
            throw Self.registryError(e)
        } catch {
            throw RegistryError(.storage, "reading the log: \(error)")
        }
    }

    public func saveCheckpoint(size: UInt64, note: [UInt8], at: Date) throws(RegistryError) {
        try write("saving a checkpoint") { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO checkpoint (size, note, created_at) VALUES (?, ?, ?)",
                arguments: [Int64(size), Data(note), Timestamps.format(at)])
        }
    }

    public func logLeaves(at indices: [UInt64]) throws(RegistryError) -> [UInt64: StoredLeaf] {
        try read("reading the log") { db in
            var leaves: [UInt64: StoredLeaf] = [:]
            let entry = try db.cachedStatement(sql: "SELECT * FROM log_entry WHERE idx = ?")
            let node = try db.cachedStatement(sql: "SELECT hash FROM log_node WHERE level = 0 AND idx = ?")
            for index in Set(indices) where index <= UInt64(Int64.max) {
                guard let row = try Row.fetchOne(entry, arguments: [Int64(index)]) else { continue }
                let hash = try Data.fetchOne(node, arguments: [Int64(index)]).flatMap { try? MerkleHash(bytes: Array($0)) }
                leaves[index] = StoredLeaf(entry: Self.logEntry(row), storedHash: hash)
            }
            return leaves
        }
    }

    public func withRecordsAndLog<T>(
        _ body: (UInt64, any MerkleHashReader, any LogEntrySource) throws(LogError) -> T
    ) throws(RegistryError) -> (RegistryRecords, T) {
        do {
            return try pool.read { db in
                var settings: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT key, value FROM setting") { settings[row["key"]] = row["value"] }
                let authorities = try Row.fetchAll(db, sql: "SELECT * FROM authority ORDER BY role").compactMap { row -> AuthorityRecord? in
                    guard let role = AuthorityRole(rawValue: row["role"]) else { return nil }
                    let cert: Data? = row["certificate"]
                    return AuthorityRecord(role: role, certificate: cert.map { Array($0) }, keyFile: row["key_file"])
                }
                func count(_ table: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
                let records = RegistryRecords(
                    settings: settings, authorities: authorities,
                    publishers: try Row.fetchAll(db, sql: "SELECT * FROM publisher ORDER BY name").map(Self.publisher),
                    keys: try Self.keyRows(db, where: "1", []), authorityRows: try count("authority"),
                    publisherRows: try count("publisher"), keyRows: try count("signing_key"), statusRows: try count("key_status"),
                    latestCheckpoint: try Data.fetchOne(db, sql: "SELECT note FROM checkpoint ORDER BY size DESC LIMIT 1").map { Array($0) })
                let store = SQLiteHashStore(db: db)
                return (records, try body(try store.treeSize(), store, SQLiteEntries(db: db)))
            }
        } catch let e as LogError {
            throw Self.registryError(e)
        } catch let e as RegistryError {
            throw e
        } catch {
            throw RegistryError(.storage, "reading the registry: \(error)")
        }
    }

    public func latestCheckpoint() throws(RegistryError) -> (size: UInt64, note: [UInt8])? {
        try read("reading checkpoints") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT size, note FROM checkpoint ORDER BY size DESC LIMIT 1") else { return nil }
            let size: Int64 = row["size"]
            let note: Data = row["note"]
            return (UInt64(size), Array(note))
        }
    }
}

/// The log's Merkle nodes as a ``HashStore`` over an open database connection (inside a transaction when writing).
struct SQLiteHashStore: HashStore {
    let db: Database

    func treeSize() throws(LogError) -> UInt64 {
        do {
            let n = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM log_node WHERE level = 0") ?? 0
            return UInt64(n)
        } catch {
            throw LogError(.storageFailure, "\(error)")
        }
    }

    func hash(level: Int, index: UInt64) throws(LogError) -> MerkleHash {
        let data: Data?
        do {
            data = try Data.fetchOne(
                db.cachedStatement(sql: "SELECT hash FROM log_node WHERE level = ? AND idx = ?"), arguments: [level, Int64(index)])
        } catch {
            throw LogError(.storageFailure, "\(error)")
        }
        guard let data else { throw LogError(.missingData, "no stored hash at level \(level), index \(index)") }
        return try MerkleHash(bytes: Array(data))
    }

    mutating func append(_ nodes: [MerkleNode], newTreeSize: UInt64) throws(LogError) {
        do {
            let old = try treeSize()
            guard newTreeSize >= old else { throw LogError(.notAppendOnly, "the log cannot shrink") }
            let insert = try db.cachedStatement(sql: "INSERT INTO log_node (level, idx, hash) VALUES (?, ?, ?)")
            for node in nodes {
                try insert.execute(arguments: [node.level, Int64(node.index), Data(node.hash.bytes)])
            }
            guard try treeSize() == newTreeSize else {
                throw LogError(.notAppendOnly, "the nodes given do not make a tree of \(newTreeSize) leaves")
            }
        } catch let e as LogError {
            throw e
        } catch {
            throw LogError(.notAppendOnly, "\(error)")
        }
    }
}

/// Log entries read through an open connection, a page at a time (for the tile writer).
final class SQLiteEntries: LogEntrySource {
    let db: Database
    private var first: UInt64 = 0
    private var page: [[UInt8]] = []
    init(db: Database) { self.db = db }

    func entry(at index: UInt64) throws(LogError) -> [UInt8] {
        if index >= first, index < first + UInt64(page.count) { return page[Int(index - first)] }
        do {
            page = try Data.fetchAll(db, sql: "SELECT body FROM log_entry WHERE idx >= ? ORDER BY idx LIMIT 1024", arguments: [Int64(index)]).map { Array($0) }
        } catch {
            throw LogError(.storageFailure, "\(error)")
        }
        first = index
        guard let e = page.first else { throw LogError(.missingData, "no log entry \(index)") }
        return e
    }
}
