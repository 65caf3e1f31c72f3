import Foundation
import SignetLog

/// A new key to record, with the event that issues it.
public struct NewKey: Sendable {
    public var id: String
    public var publisher: String
    public var algorithm: String
    public var serialHex: String
    public var certificate: [UInt8]
    public var keyFile: String
    public var certificateSHA256: String
    public var spkiSHA256: String
    public var notBefore: Date
    public var notAfter: Date
}

/// Where a registry keeps its records. One method per intent; each mutating method is one transaction that also
/// appends the event's leaf to the transparency log, so an event is never recorded without its leaf, nor the
/// reverse. History tables (key status, log entries and nodes, checkpoints) are append-only.
///
/// ``SQLiteRegistryStore`` (GRDB) is the default; a server database can implement the same protocol when several
/// machines share one registry.
public protocol RegistryStore: Sendable {
    func isInitialized() throws(RegistryError) -> Bool
    /// Records the registry's settings and credentials, and logs the event, at once.
    func initialize(settings: [String: String], authorities: [AuthorityRecord], event: LogEvent, at: Date) throws(RegistryError)
    func setting(_ key: String) throws(RegistryError) -> String?
    func authority(_ role: AuthorityRole) throws(RegistryError) -> AuthorityRecord

    func addPublisher(name: String, organization: String?, country: String?, event: LogEvent, at: Date) throws(RegistryError) -> PublisherRecord
    func publishers() throws(RegistryError) -> [PublisherRecord]
    func publisher(named name: String) throws(RegistryError) -> PublisherRecord?

    /// Records `key` as its publisher's active key; every other active key of that publisher becomes retired.
    func addKey(_ key: NewKey, event: LogEvent, at: Date) throws(RegistryError) -> KeyRecord
    /// Appends a status entry (retirement or revocation) to a key's history.
    func appendStatus(
        keyID: String, status: KeyStatus, reason: RevocationReason?, effectiveAt: Date, event: LogEvent, at: Date
    ) throws(RegistryError) -> KeyRecord
    func keys(publisher: String?) throws(RegistryError) -> [KeyRecord]
    func key(id: String) throws(RegistryError) -> KeyRecord?
    func key(serialHex: String) throws(RegistryError) -> KeyRecord?

    /// Appends events that have no other record (bundle exported, ...) and returns the first index.
    func appendEvents(_ events: [LogEvent], at: Date) throws(RegistryError) -> UInt64
    func logSize() throws(RegistryError) -> UInt64
    func logEntries(from: UInt64, count: Int) throws(RegistryError) -> [LogEntry]
    /// Runs `body` with read access to the log's Merkle hashes, consistent with `logSize()` read in the same view.
    func withLogHashes<T>(_ body: (UInt64, any MerkleHashReader) throws(LogError) -> T) throws(RegistryError) -> T
    /// Runs `body` with the log's hashes and entries in one consistent view (for publishing tiles).
    func withLog<T>(_ body: (UInt64, any MerkleHashReader, any LogEntrySource) throws(LogError) -> T) throws(RegistryError) -> T
    func saveCheckpoint(size: UInt64, note: [UInt8], at: Date) throws(RegistryError)
    func latestCheckpoint() throws(RegistryError) -> (size: UInt64, note: [UInt8])?

    /// The log entries at `indices` that exist, each with the leaf hash the tree stores for its index, read in one
    /// view: what checking a row against the leaf its log index names needs, without reading the whole log.
    func logLeaves(at indices: [UInt64]) throws(RegistryError) -> [UInt64: StoredLeaf]
    /// Every record, with the number of rows each table holds (rows no query reaches included), and `body` run on
    /// the log, all in one view: so that `log verify` compares records and leaves as of one moment.
    func withRecordsAndLog<T>(
        _ body: (UInt64, any MerkleHashReader, any LogEntrySource) throws(LogError) -> T
    ) throws(RegistryError) -> (RegistryRecords, T)
}

/// A log entry with the leaf hash stored for its index (nil when the tree has none).
public struct StoredLeaf: Sendable, Hashable {
    public var entry: LogEntry
    public var storedHash: MerkleHash?

    public init(entry: LogEntry, storedHash: MerkleHash?) {
        self.entry = entry
        self.storedHash = storedHash
    }
}

/// Everything the registry's tables hold, as read for `log verify`.
public struct RegistryRecords: Sendable {
    public var settings: [String: String]
    /// Authority rows of the roles the registry knows.
    public var authorities: [AuthorityRecord]
    public var publishers: [PublisherRecord]
    /// Keys joined with their publishers, each with its status history.
    public var keys: [KeyRecord]
    /// Rows in `authority`, `publisher`, `signing_key` and `key_status`, counted without joins.
    public var authorityRows: Int
    public var publisherRows: Int
    public var keyRows: Int
    public var statusRows: Int
    /// The latest stored checkpoint's note, read in the same view.
    public var latestCheckpoint: [UInt8]?

    public init(
        settings: [String: String], authorities: [AuthorityRecord], publishers: [PublisherRecord], keys: [KeyRecord],
        authorityRows: Int, publisherRows: Int, keyRows: Int, statusRows: Int, latestCheckpoint: [UInt8]?
    ) {
        self.settings = settings
        self.authorities = authorities
        self.publishers = publishers
        self.keys = keys
        self.authorityRows = authorityRows
        self.publisherRows = publisherRows
        self.keyRows = keyRows
        self.statusRows = statusRows
        self.latestCheckpoint = latestCheckpoint
    }
}
