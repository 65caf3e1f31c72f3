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
}
