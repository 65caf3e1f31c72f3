import Foundation
import Logging
import NIOPosix
import PostgresNIO
import SignetLog
import Testing

@testable import SignetRegistry

/// Where a test registry keeps its records.
enum TestStore: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when `SIGNET_TEST_POSTGRES_URL` names a server (`scripts/test.sh` starts one).
    static var available: [TestStore] {
        if TestPostgres.adminURL != nil { return [.sqlite, .postgres] }
        TestPostgres.noteSkipped()
        return [.sqlite]
    }
}

/// The test PostgreSQL server: a fresh database per registry, and plain SQL for attacks.
enum TestPostgres {
    static var adminURL: String? {
        ProcessInfo.processInfo.environment["SIGNET_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    private static let skipNote: Void = {
        print("note: SIGNET_TEST_POSTGRES_URL is not set; the PostgreSQL store's tests are skipped (scripts/test.sh starts a server)")
    }()
    static func noteSkipped() { _ = skipNote }

    /// Runs statements on the database `url` names, outside the store (as an operator, or an attacker, with psql).
    static func execute(_ statements: [String], on url: String) throws {
        let (configuration, _) = try PostgresRegistryStore.parse(url, environment: [:])
        let connection = try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 9, logger: Logger(label: "test")
        ).wait()
        defer { try? connection.close().wait() }
        for sql in statements { _ = try connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test")).wait() }
    }

    /// A new empty database on the test server; its URL.
    static func freshDatabase() throws -> String {
        guard let admin = adminURL, var components = URLComponents(string: admin) else {
            throw PostgresTestSkip()
        }
        let name = "signet_t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try execute(["CREATE DATABASE \(name)"], on: admin)
        components.path = "/" + name
        return components.string!
    }
}

struct PostgresTestSkip: Error {}

@Suite(.serialized, .enabled(if: TestPostgres.adminURL != nil))
struct PostgresStoreTests {
    @Test("History tables refuse UPDATE, DELETE and TRUNCATE in PostgreSQL too, from any connection")
    func appendOnlyTriggers() throws {
        let t = try TestRegistry(store: .postgres)
        _ = try t.registry.addPublisher(name: "P")
        _ = try t.registry.issueKey(publisher: "P", passphrase: t.passphrase)
        _ = try t.registry.checkpoint(passphrase: t.passphrase)
        let url = try #require(t.databaseURL)
        for sql in [
            "UPDATE log_entry SET body = '\\x00' WHERE idx = 0", "DELETE FROM log_entry", "DELETE FROM log_node", "TRUNCATE log_node CASCADE",
            "UPDATE key_status SET status = 'active'", "DELETE FROM key_status", "UPDATE signing_key SET algorithm = 'x'",
            "DELETE FROM publisher", "UPDATE authority SET key_file = 'x'", "UPDATE setting SET value = 'x'", "DELETE FROM checkpoint",
        ] {
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.execute([sql], on: url) }
        }
        #expect(try t.registry.verifyLog().size == 3)
        // Migrations are recorded; opening again applies nothing new.
        _ = try PostgresRegistryStore(url: url)
        #expect(try PostgresRegistryStore(url: url).isInitialized())
    }

    @Test("A rewritten entry (triggers dropped by someone with the database password) is caught by log verify")
    func rewrittenHistoryIsCaught() throws {
        let t = try TestRegistry(store: .postgres)
        _ = try t.registry.addPublisher(name: "P")
        let url = try #require(t.databaseURL)
        try TestPostgres.execute([
            "DROP TRIGGER log_entry_append_only ON log_entry",
            "UPDATE log_entry SET body = convert_to('{\"kind\":\"publisher.added\",\"publisher\":\"Mallory\"}', 'UTF8') WHERE idx = 1",
        ], on: url)
        let e = #expect(throws: RegistryError.self) { try t.registry.verifyLog() }
        #expect(e?.code == .inconsistent)
    }

    @Test("Writers on separate connections, from many threads at once, append strictly in sequence with no gap; log verify passes")
    func concurrentWritersAppendWithoutGaps() async throws {
        let t = try TestRegistry(store: .postgres)
        let url = try #require(t.databaseURL)
        let writers = 4, each = 15
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    // Each writer its own store and connection, on a thread of its own (the store's calls block).
                    try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                        Thread.detachNewThread {
                            do {
                                let registry = try Registry(opening: t.directory, databaseURL: url)
                                for i in 0..<each { _ = try registry.addPublisher(name: "writer \(w) publisher \(i)") }
                                done.resume()
                            } catch {
                                done.resume(throwing: error)
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let size = try t.registry.logSize()
        #expect(size == UInt64(1 + writers * each))
        let entries = try t.registry.logEntries(from: 0, count: 1000)
        #expect(entries.map(\.index) == Array(0..<size))
        #expect(try t.registry.verifyLog().recordsChecked > writers * each)
    }

    @Test("A checkpoint is saved while another session holds the writers' lock: a GET of the checkpoint never waits for a writer")
    func checkpointsDoNotWaitForWriters() async throws {
        let t = try TestRegistry(store: .postgres)
        _ = try t.registry.addPublisher(name: "P")
        let url = try #require(t.databaseURL)
        let publication = try RegistryPublication(registry: t.registry, passphrase: t.passphrase)
        let holding = Task.detached {
            try TestPostgres.execute(["BEGIN", "SELECT pg_advisory_xact_lock(\(PostgresRegistryStore.writerLock))", "SELECT pg_sleep(90)", "COMMIT"], on: url)
        }
        try await Task.sleep(for: .seconds(2))
        let start = ContinuousClock.now
        let note = try publication.checkpoint()
        // Waiting for the writer would take the rest of its 90 s (or the 10 s lock timeout, then throw). The bound
        // is far from both: a loaded machine has stalled every task here for 26 s.
        #expect(ContinuousClock.now - start < .seconds(60), "the checkpoint waited for the writer")
        #expect(String(decoding: note, as: UTF8.self).contains("\n2\n"))
        try await holding.value
    }

    @Test("Tiles served from PostgreSQL (one query per tile) equal the tiles written from the same log")
    func tilesFromTheDatabase() throws {
        let t = try TestRegistry(store: .postgres)
        for i in 0..<260 { _ = try t.registry.addPublisher(name: "publisher \(i)") }
        let publication = try RegistryPublication(registry: t.registry, passphrase: t.passphrase)
        let written = try t.registry.store.withLog { (size, hashes, entries) throws(LogError) in
            try TileWriter.files(hashes: hashes, entries: entries, treeSize: size)
        }
        #expect(written.count == 5)
        for file in written { #expect(try publication.tile(file.path) == file.contents, "\(file.path)") }
        #expect(try publication.tile("tile/0/001.p/6") == nil)
    }

    @Test("URLs: a Unix socket folder, a port, unknown parameters and TLS modes refused; no error shows the password")
    func urls() throws {
        let parsed = try PostgresRegistryStore.parse("postgres://alice:s3cret@db.example:6543/reg", environment: [:])
        #expect(parsed.location == "alice@db.example:6543/reg")
        #expect(!parsed.location.contains("s3cret"))
        let socket = try PostgresRegistryStore.parse("postgres://bob@/reg?host=/run/pg&port=5439", environment: [:])
        #expect(socket.location == "bob@/run/pg/.s.PGSQL.5439/reg")
        // Off this machine, TLS with the certificate and name verified, unless sslmode says otherwise.
        #expect(try PostgresRegistryStore.parse("postgres://alice@db.example/reg", environment: [:]).configuration.tls.isEnforced)
        #expect(try !PostgresRegistryStore.parse("postgres://alice@127.0.0.1/reg", environment: [:]).configuration.tls.isEnforced)
        #expect(try !PostgresRegistryStore.parse("postgres://alice@db.example/reg?sslmode=disable", environment: [:]).configuration.tls.isAllowed)
        for bad in ["mysql://x@h/db", "postgres://x@h/", "postgres://x@h/db?sslmode=sometimes", "postgres://x@h/db?options=-c", "postgres://x@h/db?port=0"] {
            #expect(throws: RegistryError.self, "\(bad)") { try PostgresRegistryStore.parse(bad, environment: [:]) }
        }
        // A server that is not there: a storage error naming the place, not the password.
        let e = #expect(throws: RegistryError.self) { try PostgresRegistryStore(url: "postgres://alice:s3cret@/reg?host=/nonexistent&port=1") }
        #expect(e?.code == .storage)
        #expect(e.map { !$0.reason.contains("s3cret") } == true)
    }
}
