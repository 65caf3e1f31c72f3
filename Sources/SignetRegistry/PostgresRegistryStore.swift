import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import SignetLog

/// The registry's records in a PostgreSQL database, so that several `signet serve` processes and CLI users on
/// several machines share one registry.
///
/// The same tables and rules as ``SQLiteRegistryStore``: history tables append-only (triggers refuse UPDATE, DELETE
/// and TRUNCATE), every mutating method one transaction that also appends the event's leaf. Writers take one
/// transaction-scoped advisory lock before reading the log's size, so concurrent appends from any number of
/// connections are strictly sequential and gap-free; readers see one snapshot (REPEATABLE READ) per call.
/// Migrations are numbered, recorded in `schema_migration`, applied under the same lock, and frozen once shipped.
///
/// The API is synchronous, like the protocol: each call waits on PostgresNIO's futures from its own event-loop
/// thread, so it must not be called on that thread (no caller here does). One connection per store, one call at a
/// time; a connection that has closed is opened again on the next call.
public final class PostgresRegistryStore: RegistryStore, @unchecked Sendable {
    /// Where the database is, without the password (safe to show).
    public let location: String
    let configuration: PostgresConnection.Configuration
    let group: MultiThreadedEventLoopGroup
    let logger: Logger
    private let lock = NSLock()
    private var connection: PostgresConnection?

    /// The advisory lock every writer holds for its transaction (a fixed 64-bit key: "signet" in ASCII).
    static let writerLock: Int64 = 0x7369_676E_6574
    /// How long a call waits for a lock (the writers' lock, a row) before it fails with a storage error.
    static let lockTimeoutSeconds = 10
    /// How long one statement may run.
    static let statementTimeoutSeconds = 30

    /// Opens the database named by a `postgres://user[:password]@host[:port]/database` URL (a Unix socket folder
    /// as `?host=/path`; the password may also come from `PGPASSWORD`) and brings its schema up to date. Errors
    /// never show the password.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(RegistryError) {
        let parsed = try Self.parse(url, environment: environment)
        configuration = parsed.configuration
        location = parsed.location
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var logger = Logger(label: "signet.registry.postgres")
        logger.logLevel = .critical
        self.logger = logger
        try migrate()
    }

    deinit {
        try? connection?.close().wait()
        try? group.syncShutdownGracefully()
    }

    // MARK: - Connection and URL

    static func parse(_ url: String, environment: [String: String]) throws(RegistryError) -> (configuration: PostgresConnection.Configuration, location: String) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? "") else {
            throw RegistryError(.invalidInput, "the registry database must be a postgres:// URL")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw RegistryError(.invalidInput, "the postgres:// URL names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        let user = components.user?.removingPercentEncoding ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let password = components.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        for key in query.keys where !["host", "port", "sslmode"].contains(key) {
            throw RegistryError(.invalidInput, "the postgres:// URL has an unknown parameter \(key) (known: host, port, sslmode)")
        }
        var port = components.port ?? 5432
        if let given = query["port"] {
            guard let p = Int(given), (1...65535).contains(p) else { throw RegistryError(.invalidInput, "the postgres:// URL's port must be 1...65535") }
            port = p
        }
        let mode = query["sslmode"]
        guard mode == nil || ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(mode!) else {
            throw RegistryError(.invalidInput, "sslmode must be disable, prefer, require, verify-ca or verify-full")
        }
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            let path = (socketFolder as NSString).appendingPathComponent(".s.PGSQL.\(port)")
            return (.init(unixSocketPath: path, username: user, password: password, database: database), "\(user)@\(path)/\(database)")
        }
        let host = query["host"] ?? components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let tls = try tls(mode: mode, host: host)
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        if tls.isAllowed, !isLoopback(host) { configuration.options.tlsServerName = host }
        return (configuration, "\(user)@\(host):\(port)/\(database)")
    }

    static func isLoopback(_ host: String) -> Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }

    /// TLS over TCP. Unless `sslmode` says otherwise, a server off this machine is reached only over TLS with its
    /// certificate verified against the system's roots and its name (`verify-full`): the password never crosses a
    /// network in clear, and a server that cannot prove its name never sees it. On loopback the default is
    /// `prefer` (TLS when the server offers it). `require` encrypts without verifying, as in libpq.
    static func tls(mode: String?, host: String) throws(RegistryError) -> PostgresConnection.Configuration.TLS {
        let chosen = mode ?? (isLoopback(host) ? "prefer" : "verify-full")
        if chosen == "disable" { return .disable }
        do {
            var client = TLSConfiguration.makeClientConfiguration()
            switch chosen {
            case "allow", "prefer", "require": client.certificateVerification = .none
            case "verify-ca": client.certificateVerification = .noHostnameVerification
            default: client.certificateVerification = .fullVerification
            }
            let context = try NIOSSLContext(configuration: client)
            return chosen == "allow" || chosen == "prefer" ? .prefer(context) : .require(context)
        } catch {
            throw RegistryError(.storage, "cannot set up TLS to the registry database: \(error)")
        }
    }

    /// The open connection, opened if needed. Call with the lock held.
    private func connected() throws(RegistryError) -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        do {
            let made = try PostgresConnection.connect(on: group.next(), configuration: configuration, id: 1, logger: logger).wait()
            do {
                // No call waits without end: not for a lock another process holds (a writer stopped
                // mid-transaction), not for a statement.
                for setting in ["SET lock_timeout = '\(Self.lockTimeoutSeconds)s'", "SET statement_timeout = '\(Self.statementTimeoutSeconds)s'"] {
                    _ = try made.query(PostgresQuery(unsafeSQL: setting), logger: logger).wait()
                }
            } catch {
                try? made.close().wait()
                throw error
            }
            connection = made
            return made
        } catch {
            throw RegistryError(.storage, "cannot connect to the registry database \(location): \(Self.describe(error))")
        }
    }

    /// A database error in one line, without the query's bound values.
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            return "\(e.code)"
        }
        return "\(error)"
    }

    /// Runs `body` in one transaction (`writer`: holding the writers' lock; else a REPEATABLE READ snapshot),
    /// committing on success and rolling back on any error.
    /// `writer`: takes the writers' lock (log appends and the records that go with them); `readOnly`: a snapshot.
    /// Neither: a plain read-committed transaction (a checkpoint, which appends to no log).
    func transaction<T>(_ what: String, writer: Bool, readOnly: Bool = false, _ body: (Session) throws -> T) throws(RegistryError) -> T {
        lock.lock()
        defer { lock.unlock() }
        let connection = try connected()
        let session = Session(connection: connection, logger: logger)
        do {
            try session.run(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN ISOLATION LEVEL READ COMMITTED")
            if writer { try session.run("SELECT pg_advisory_xact_lock(\(Self.writerLock))") }
            let result = try body(session)
            try session.run("COMMIT")
            return result
        } catch {
            _ = try? session.run("ROLLBACK")
            if let e = error as? RegistryError { throw e }
            if let e = error as? LogError { throw SQLiteRegistryStore.registryError(e) }
            throw RegistryError(.storage, "\(what): \(Self.describe(error))")
        }
    }

    func write<T>(_ what: String, _ body: (Session) throws -> T) throws(RegistryError) -> T { try transaction(what, writer: true, body) }
    func read<T>(_ what: String, _ body: (Session) throws -> T) throws(RegistryError) -> T { try transaction(what, writer: false, readOnly: true, body) }

    // MARK: - Schema

    /// Migrations, in order; each runs once, in a transaction, recorded with its number.
    static let migrations: [[String]] = [
        [
            "CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            """
            CREATE TABLE authority (role TEXT PRIMARY KEY CHECK (role IN ('root', 'intermediate', 'ocsp', 'tsa', 'log')),
                certificate BYTEA, key_file TEXT NOT NULL)
            """,
            "CREATE TABLE publisher (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, organization TEXT, country TEXT, created_at TEXT NOT NULL)",
            "CREATE TABLE log_entry (idx BIGINT PRIMARY KEY CHECK (idx >= 0), kind TEXT NOT NULL, body BYTEA NOT NULL, recorded_at TEXT NOT NULL)",
            """
            CREATE TABLE log_node (level INTEGER NOT NULL CHECK (level >= 0 AND level < 64), idx BIGINT NOT NULL CHECK (idx >= 0),
                hash BYTEA NOT NULL CHECK (length(hash) = 32), PRIMARY KEY (level, idx))
            """,
            """
            CREATE TABLE signing_key (id TEXT PRIMARY KEY, publisher_id BIGINT NOT NULL REFERENCES publisher(id),
                algorithm TEXT NOT NULL, serial_hex TEXT NOT NULL UNIQUE, certificate BYTEA NOT NULL, key_file TEXT NOT NULL,
                cert_sha256 TEXT NOT NULL, spki_sha256 TEXT NOT NULL, not_before TEXT NOT NULL, not_after TEXT NOT NULL,
                created_at TEXT NOT NULL)
            """,
            """
            CREATE TABLE key_status (seq BIGSERIAL PRIMARY KEY, key_id TEXT NOT NULL REFERENCES signing_key(id),
                status TEXT NOT NULL CHECK (status IN ('active', 'retired', 'revoked')), reason TEXT, effective_at TEXT NOT NULL,
                recorded_at TEXT NOT NULL, log_index BIGINT NOT NULL REFERENCES log_entry(idx))
            """,
            "CREATE INDEX key_status_by_key ON key_status(key_id, seq)",
            "CREATE TABLE checkpoint (size BIGINT PRIMARY KEY, note BYTEA NOT NULL, created_at TEXT NOT NULL)",
            """
            CREATE FUNCTION signet_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$
            """,
        ]
            + ["setting", "authority", "publisher", "log_entry", "log_node", "signing_key", "key_status", "checkpoint"].flatMap { table in
                [
                    "CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION signet_append_only()",
                    "CREATE TRIGGER \(table)_no_truncate BEFORE TRUNCATE ON \(table) FOR EACH STATEMENT EXECUTE FUNCTION signet_append_only()",
                ]
            }
    ]

    /// The schema version this build writes.
    public static var schemaVersion: Int { migrations.count }

    func migrate() throws(RegistryError) {
        // Up to date already: nothing is locked or created, so a role that may only read and insert can open it.
        let current = try read("reading the schema version") { s -> Int in
            guard try s.rows("SELECT to_regclass('schema_migration') IS NOT NULL").first?.decode(Bool.self) == true else { return 0 }
            return try s.rows("SELECT COALESCE(MAX(version), 0) FROM schema_migration").first?.decode(Int.self) ?? 0
        }
        if current == Self.migrations.count { return }
        try write("migrating the registry database") { s in
            try s.run("CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            let applied = try s.rows("SELECT version FROM schema_migration").map { try $0.decode(Int.self) }
            let current = applied.max() ?? 0
            guard current <= Self.migrations.count else {
                throw RegistryError(.storage, "the registry database has schema version \(current); this signet knows up to \(Self.migrations.count)")
            }
            for (i, statements) in Self.migrations.enumerated() where i + 1 > current {
                for sql in statements { try s.run(PostgresQuery(unsafeSQL: sql)) }
                try s.run("INSERT INTO schema_migration (version, applied_at) VALUES (\(i + 1), \(Timestamps.format(Date())))")
            }
        }
    }

    // MARK: - Settings and authorities

    public func isInitialized() throws(RegistryError) -> Bool {
        try read("reading settings") { s in try s.count("SELECT COUNT(*) FROM authority") > 0 }
    }

    public func initialize(settings: [String: String], authorities: [AuthorityRecord], event: LogEvent, at: Date) throws(RegistryError) {
        try write("initializing") { s in
            guard try s.count("SELECT COUNT(*) FROM authority") == 0 else {
                throw RegistryError(.alreadyInitialized, "the registry is already initialized")
            }
            for (k, v) in settings.sorted(by: { $0.key < $1.key }) {
                try s.run("INSERT INTO setting (key, value) VALUES (\(k), \(v))")
            }
            for a in authorities {
                try s.run("INSERT INTO authority (role, certificate, key_file) VALUES (\(a.role.rawValue), \(a.certificate.map { Data($0) }), \(a.keyFile))")
            }
            _ = try Self.appendLog(s, [event], at: at)
        }
    }

    public func setting(_ key: String) throws(RegistryError) -> String? {
        try read("reading settings") { s in try s.rows("SELECT value FROM setting WHERE key = \(key)").first?.decode(String.self) }
    }

    public func authority(_ role: AuthorityRole) throws(RegistryError) -> AuthorityRecord {
        let row = try read("reading authorities") { s in
            try s.rows("SELECT certificate, key_file FROM authority WHERE role = \(role.rawValue)").first?.decode((Data?, String).self)
        }
        guard let row else { throw RegistryError(.notInitialized, "the registry has no \(role.rawValue) credential (run `signet registry init`)") }
        return AuthorityRecord(role: role, certificate: row.0.map { Array($0) }, keyFile: row.1)
    }

    // MARK: - Publishers

    public func addPublisher(name: String, organization: String?, country: String?, event: LogEvent, at: Date) throws(RegistryError) -> PublisherRecord {
        try write("adding a publisher") { s in
            if try s.count("SELECT COUNT(*) FROM publisher WHERE name = \(name)") > 0 {
                throw RegistryError(.alreadyExists, "publisher \(name) already exists")
            }
            let id = try s.rows(
                "INSERT INTO publisher (name, organization, country, created_at) VALUES (\(name), \(organization), \(country), \(Timestamps.format(at))) RETURNING id"
            ).first?.decode(Int64.self) ?? 0
            _ = try Self.appendLog(s, [event], at: at)
            return PublisherRecord(id: id, name: name, organization: organization, country: country, createdAt: at)
        }
    }

    public func publishers() throws(RegistryError) -> [PublisherRecord] {
        try read("reading publishers") { s in try s.rows("SELECT id, name, organization, country, created_at FROM publisher ORDER BY name").map(Self.publisher) }
    }

    public func publisher(named name: String) throws(RegistryError) -> PublisherRecord? {
        try read("reading publishers") { s in
            try s.rows("SELECT id, name, organization, country, created_at FROM publisher WHERE name = \(name)").first.map(Self.publisher)
        }
    }

    static func publisher(_ row: PostgresRow) throws -> PublisherRecord {
        let (id, name, organization, country, created) = try row.decode((Int64, String, String?, String?, String).self)
        return PublisherRecord(id: id, name: name, organization: organization, country: country, createdAt: Timestamps.parse(created) ?? .distantPast)
    }

    // MARK: - Keys

    public func addKey(_ key: NewKey, event: LogEvent, at: Date) throws(RegistryError) -> KeyRecord {
        try write("recording a key") { s in
            guard let publisherID = try s.rows("SELECT id FROM publisher WHERE name = \(key.publisher)").first?.decode(Int64.self) else {
                throw RegistryError(.notFound, "no publisher named \(key.publisher)")
            }
            try s.run("""
                INSERT INTO signing_key (id, publisher_id, algorithm, serial_hex, certificate, key_file, cert_sha256, spki_sha256,
                    not_before, not_after, created_at)
                VALUES (\(key.id), \(publisherID), \(key.algorithm), \(key.serialHex), \(Data(key.certificate)), \(key.keyFile),
                    \(key.certificateSHA256), \(key.spkiSHA256), \(Timestamps.format(key.notBefore)), \(Timestamps.format(key.notAfter)),
                    \(Timestamps.format(at)))
                """)
            let index = try Self.appendLog(s, [event], at: at)
            let previous = try Self.keyRows(s, publisherID: publisherID).filter { $0.id != key.id && $0.status == .active }
            for p in previous {
                try Self.insertStatus(s, keyID: p.id, status: .retired, reason: nil, effectiveAt: at, recordedAt: at, logIndex: index)
            }
            try Self.insertStatus(s, keyID: key.id, status: .active, reason: nil, effectiveAt: at, recordedAt: at, logIndex: index)
            guard let record = try Self.keyRows(s, id: key.id).first else {
                throw RegistryError(.inconsistent, "key \(key.id) vanished after being recorded")
            }
            return record
        }
    }

    public func appendStatus(
        keyID: String, status: KeyStatus, reason: RevocationReason?, effectiveAt: Date, event: LogEvent, at: Date
    ) throws(RegistryError) -> KeyRecord {
        try write("recording a key status") { s in
            guard let current = try Self.keyRows(s, id: keyID).first else { throw RegistryError(.notFound, "no key \(keyID)") }
            if status == .revoked, current.revocation != nil { throw RegistryError(.invalidRequest, "key \(keyID) is already revoked") }
            let index = try Self.appendLog(s, [event], at: at)
            try Self.insertStatus(s, keyID: keyID, status: status, reason: reason, effectiveAt: effectiveAt, recordedAt: at, logIndex: index)
            guard let record = try Self.keyRows(s, id: keyID).first else { throw RegistryError(.inconsistent, "key \(keyID) vanished") }
            return record
        }
    }

    public func keys(publisher: String?) throws(RegistryError) -> [KeyRecord] {
        try read("reading keys") { s in
            guard let publisher else { return try Self.keyRows(s, "TRUE") }
            return try Self.keyRows(s, PostgresQuery(stringLiteral: "p.name = $1"), bind: publisher)
        }
    }

    public func key(id: String) throws(RegistryError) -> KeyRecord? {
        try read("reading keys") { s in try Self.keyRows(s, id: id).first }
    }

    public func key(serialHex: String) throws(RegistryError) -> KeyRecord? {
        try read("reading keys") { s in try Self.keyRows(s, PostgresQuery(stringLiteral: "k.serial_hex = $1"), bind: serialHex.lowercased()).first }
    }

    static func insertStatus(
        _ s: Session, keyID: String, status: KeyStatus, reason: RevocationReason?, effectiveAt: Date, recordedAt: Date, logIndex: UInt64
    ) throws {
        try s.run("""
            INSERT INTO key_status (key_id, status, reason, effective_at, recorded_at, log_index)
            VALUES (\(keyID), \(status.rawValue), \(reason?.rawValue), \(Timestamps.format(effectiveAt)), \(Timestamps.format(recordedAt)), \(Int64(logIndex)))
            """)
    }

    static func keyRows(_ s: Session, id: String) throws -> [KeyRecord] { try keyRows(s, "k.id = $1", bind: id) }
    static func keyRows(_ s: Session, publisherID: Int64) throws -> [KeyRecord] { try keyRows(s, "k.publisher_id = $1", bind: publisherID) }

    /// Keys matching `condition` (a fixed SQL fragment with at most one parameter, `$1`), with their histories.
    static func keyRows(_ s: Session, _ condition: PostgresQuery, bind: (any PostgresEncodable & Sendable)? = nil) throws -> [KeyRecord] {
        var binds = PostgresBindings()
        if let bind { try binds.append(bind, context: .default) }
        let rows = try s.rows(PostgresQuery(unsafeSQL: """
            SELECT k.id, p.name, k.algorithm, k.serial_hex, k.certificate, k.key_file, k.cert_sha256, k.spki_sha256,
                k.not_before, k.not_after, k.created_at
            FROM signing_key k JOIN publisher p ON p.id = k.publisher_id WHERE \(condition.sql) ORDER BY k.created_at, k.id
            """, binds: binds))
        return try rows.map { row in
            let (id, publisher, algorithm, serial, certificate, keyFile, certSHA, spkiSHA, notBefore, notAfter, created) =
                try row.decode((String, String, String, String, Data, String, String, String, String, String, String).self)
            let history = try s.rows(
                "SELECT status, reason, effective_at, recorded_at, log_index FROM key_status WHERE key_id = \(id) ORDER BY seq"
            ).map { r in
                let (status, reason, effective, recorded, logIndex) = try r.decode((String, String?, String, String, Int64).self)
                return KeyStatusEntry(
                    status: KeyStatus(rawValue: status) ?? .retired, reason: reason.flatMap(RevocationReason.init(rawValue:)),
                    effectiveAt: Timestamps.parse(effective) ?? .distantPast, recordedAt: Timestamps.parse(recorded) ?? .distantPast,
                    logIndex: logIndex < 0 ? .max : UInt64(logIndex))
            }
            return KeyRecord(
                id: id, publisher: publisher, algorithm: algorithm, serialHex: serial, certificate: Array(certificate), keyFile: keyFile,
                certificateSHA256: certSHA, spkiSHA256: spkiSHA, notBefore: Timestamps.parse(notBefore) ?? .distantPast,
                notAfter: Timestamps.parse(notAfter) ?? .distantPast, createdAt: Timestamps.parse(created) ?? .distantPast, history: history)
        }
    }

    // MARK: - The log

    public func appendEvents(_ events: [LogEvent], at: Date) throws(RegistryError) -> UInt64 {
        try write("appending to the log") { s in try Self.appendLog(s, events, at: at) }
    }

    /// Appends entries and their Merkle nodes inside the caller's transaction (which holds the writers' lock, so
    /// the size read here is the size the entries extend); returns the first index.
    static func appendLog(_ s: Session, _ events: [LogEvent], at: Date) throws -> UInt64 {
        var tree = MerkleTree(store: PostgresHashStore(session: s))
        let bodies = events.map(\.canonicalJSON)
        let first = try tree.size()
        let when = Timestamps.format(at)
        for (i, (event, body)) in zip(events, bodies).enumerated() {
            try s.run("INSERT INTO log_entry (idx, kind, body, recorded_at) VALUES (\(Int64(first) + Int64(i)), \(event.kind), \(Data(body)), \(when))")
        }
        let appended = try tree.append(contentsOf: bodies)
        guard appended == first else { throw RegistryError(.inconsistent, "log entries and Merkle tree disagree on the size") }
        return first
    }

    public func logSize() throws(RegistryError) -> UInt64 {
        try read("reading the log") { s in try PostgresHashStore(session: s).treeSize() }
    }

    public func logEntries(from: UInt64, count: Int) throws(RegistryError) -> [LogEntry] {
        guard from <= UInt64(Int64.max) else { return [] }
        return try read("reading the log") { s in
            try s.rows("SELECT idx, kind, body, recorded_at FROM log_entry WHERE idx >= \(Int64(from)) ORDER BY idx LIMIT \(max(0, count))").map(Self.logEntry)
        }
    }

    static func logEntry(_ row: PostgresRow) throws -> LogEntry {
        let (idx, kind, body, recorded) = try row.decode((Int64, String, Data, String).self)
        return LogEntry(index: UInt64(max(idx, 0)), kind: kind, body: Array(body), recordedAt: Timestamps.parse(recorded) ?? .distantPast)
    }

    public func withLogHashes<T>(_ body: (UInt64, any MerkleHashReader) throws(LogError) -> T) throws(RegistryError) -> T {
        try read("reading the log") { s in
            let store = PostgresHashStore(session: s)
            return try body(try store.treeSize(), store)
        }
    }

    public func withLog<T>(_ body: (UInt64, any MerkleHashReader, any LogEntrySource) throws(LogError) -> T) throws(RegistryError) -> T {
        try read("reading the log") { s in
            let store = PostgresHashStore(session: s)
            return try body(try store.treeSize(), store, PostgresEntries(session: s))
        }
    }

    public func saveCheckpoint(size: UInt64, note: [UInt8], at: Date) throws(RegistryError) {
        // Not under the writers' lock: a checkpoint extends no log, and a GET of the latest checkpoint must not wait
        // for a writer (the row for a size is written once; a second signer's row is ignored).
        try transaction("saving a checkpoint", writer: false) { s in
            try s.run("INSERT INTO checkpoint (size, note, created_at) VALUES (\(Int64(size)), \(Data(note)), \(Timestamps.format(at))) ON CONFLICT (size) DO NOTHING")
        }
    }

    public func latestCheckpoint() throws(RegistryError) -> (size: UInt64, note: [UInt8])? {
        try read("reading checkpoints") { s in
            guard let (size, note) = try s.rows("SELECT size, note FROM checkpoint ORDER BY size DESC LIMIT 1").first?.decode((Int64, Data).self) else { return nil }
            return (UInt64(size), Array(note))
        }
    }

    public func logLeaves(at indices: [UInt64]) throws(RegistryError) -> [UInt64: StoredLeaf] {
        try read("reading the log") { s in
            var leaves: [UInt64: StoredLeaf] = [:]
            for index in Set(indices) where index <= UInt64(Int64.max) {
                guard let row = try s.rows("SELECT idx, kind, body, recorded_at FROM log_entry WHERE idx = \(Int64(index))").first else { continue }
                let hash = try s.rows("SELECT hash FROM log_node WHERE level = 0 AND idx = \(Int64(index))").first
                    .flatMap { try? MerkleHash(bytes: Array(try $0.decode(Data.self))) }
                leaves[index] = StoredLeaf(entry: try Self.logEntry(row), storedHash: hash)
            }
            return leaves
        }
    }

    public func withRecordsAndLog<T>(
        _ body: (UInt64, any MerkleHashReader, any LogEntrySource) throws(LogError) -> T
    ) throws(RegistryError) -> (RegistryRecords, T) {
        try read("reading the registry") { s in
            var settings: [String: String] = [:]
            for row in try s.rows("SELECT key, value FROM setting") {
                let (k, v) = try row.decode((String, String).self)
                settings[k] = v
            }
            let authorities = try s.rows("SELECT role, certificate, key_file FROM authority ORDER BY role").compactMap { row -> AuthorityRecord? in
                let (role, cert, file) = try row.decode((String, Data?, String).self)
                guard let r = AuthorityRole(rawValue: role) else { return nil }
                return AuthorityRecord(role: r, certificate: cert.map { Array($0) }, keyFile: file)
            }
            func count(_ table: String) throws -> Int { try s.count(PostgresQuery(unsafeSQL: "SELECT COUNT(*) FROM \(table)")) }
            let records = RegistryRecords(
                settings: settings, authorities: authorities,
                publishers: try s.rows("SELECT id, name, organization, country, created_at FROM publisher ORDER BY name").map(Self.publisher),
                keys: try Self.keyRows(s, "TRUE"), authorityRows: try count("authority"), publisherRows: try count("publisher"),
                keyRows: try count("signing_key"), statusRows: try count("key_status"),
                latestCheckpoint: try s.rows("SELECT note FROM checkpoint ORDER BY size DESC LIMIT 1").first.map { Array(try $0.decode(Data.self)) })
            let store = PostgresHashStore(session: s)
            return (records, try body(try store.treeSize(), store, PostgresEntries(session: s)))
        }
    }
}

/// One connection inside one transaction: queries run synchronously.
struct Session {
    let connection: PostgresConnection
    let logger: Logger

    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        Array(try connection.query(query, logger: logger).wait())
    }

    func run(_ query: PostgresQuery) throws { _ = try connection.query(query, logger: logger).wait() }

    func count(_ query: PostgresQuery) throws -> Int { try rows(query).first.map { Int(try $0.decode(Int64.self)) } ?? 0 }
}

/// The log's Merkle nodes as a ``HashStore`` inside a transaction.
struct PostgresHashStore: HashStore {
    let session: Session

    func treeSize() throws(LogError) -> UInt64 {
        do {
            let n = try session.rows("SELECT COALESCE(MAX(idx) + 1, 0) FROM log_node WHERE level = 0").first?.decode(Int64.self) ?? 0
            return UInt64(max(n, 0))
        } catch {
            throw LogError(.storageFailure, PostgresRegistryStore.describe(error))
        }
    }

    func hash(level: Int, index: UInt64) throws(LogError) -> MerkleHash {
        guard index <= UInt64(Int64.max) else { throw LogError(.missingData, "no stored hash at level \(level), index \(index)") }
        let data: Data?
        do {
            data = try session.rows("SELECT hash FROM log_node WHERE level = \(level) AND idx = \(Int64(index))").first?.decode(Data.self)
        } catch {
            throw LogError(.storageFailure, PostgresRegistryStore.describe(error))
        }
        guard let data else { throw LogError(.missingData, "no stored hash at level \(level), index \(index)") }
        return try MerkleHash(bytes: Array(data))
    }

    /// A tile's worth of hashes in one query (a full tile is 256 hashes: 256 round trips otherwise).
    func hashes(level: Int, indices: Range<UInt64>) throws(LogError) -> [MerkleHash] {
        guard !indices.isEmpty else { return [] }
        guard indices.upperBound <= UInt64(Int64.max) else { throw LogError(.missingData, "no stored hashes at level \(level) from \(indices.lowerBound)") }
        let rows: [(Int64, Data)]
        do {
            rows = try session.rows(
                "SELECT idx, hash FROM log_node WHERE level = \(level) AND idx >= \(Int64(indices.lowerBound)) AND idx < \(Int64(indices.upperBound)) ORDER BY idx"
            ).map { try $0.decode((Int64, Data).self) }
        } catch {
            throw LogError(.storageFailure, PostgresRegistryStore.describe(error))
        }
        guard rows.count == indices.count, rows.enumerated().allSatisfy({ UInt64($0.element.0) == indices.lowerBound + UInt64($0.offset) }) else {
            throw LogError(.missingData, "missing stored hashes at level \(level) in \(indices.lowerBound)..<\(indices.upperBound)")
        }
        var out: [MerkleHash] = []
        for (_, data) in rows { out.append(try MerkleHash(bytes: Array(data))) }
        return out
    }

    mutating func append(_ nodes: [MerkleNode], newTreeSize: UInt64) throws(LogError) {
        do {
            let old = try treeSize()
            guard newTreeSize >= old else { throw LogError(.notAppendOnly, "the log cannot shrink") }
            for node in nodes {
                try session.run("INSERT INTO log_node (level, idx, hash) VALUES (\(node.level), \(Int64(node.index)), \(Data(node.hash.bytes)))")
            }
            guard try treeSize() == newTreeSize else {
                throw LogError(.notAppendOnly, "the nodes given do not make a tree of \(newTreeSize) leaves")
            }
        } catch let e as LogError {
            throw e
        } catch {
            throw LogError(.notAppendOnly, PostgresRegistryStore.describe(error))
        }
    }
}

/// Log entries read a page at a time inside a transaction.
final class PostgresEntries: LogEntrySource {
    let session: Session
    private var first: UInt64 = 0
    private var page: [[UInt8]] = []
    init(session: Session) { self.session = session }

    func entry(at index: UInt64) throws(LogError) -> [UInt8] {
        if index >= first, index < first + UInt64(page.count) { return page[Int(index - first)] }
        guard index <= UInt64(Int64.max) else { throw LogError(.missingData, "no log entry \(index)") }
        do {
            page = try session.rows("SELECT body FROM log_entry WHERE idx >= \(Int64(index)) ORDER BY idx LIMIT 1024").map { Array(try $0.decode(Data.self)) }
        } catch {
            throw LogError(.storageFailure, PostgresRegistryStore.describe(error))
        }
        first = index
        guard let e = page.first else { throw LogError(.missingData, "no log entry \(index)") }
        return e
    }
}
