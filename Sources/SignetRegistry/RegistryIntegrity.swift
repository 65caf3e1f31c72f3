import Crypto
import Foundation
import SignetLog

// Every row the registry answers from is covered by a log leaf with the same content. Reads check each status row
// against the leaf its log index names (and the key row against its issuance leaf); `log verify` replays the whole
// log and requires the tables to be exactly what it describes: no row without its leaf, no leaf without its row,
// no leaf covering two rows of one kind.

extension LogEvent {
    /// The event a leaf holds, if the leaf is exactly its canonical JSON (a flat object of strings with a `kind`).
    public init?(canonical body: [UInt8]) {
        guard body.first == UInt8(ascii: "{"),
            var fields = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: String],
            let kind = fields.removeValue(forKey: "kind")
        else { return nil }
        self.init(kind: kind, fields: fields)
        guard canonicalJSON == body else { return nil }
    }

    /// The time the registry recorded the event (`time`; absent from leaves written before it was added).
    var time: Date? { fields["time"].flatMap(Timestamps.parse) }

    var issuesKey: Bool { kind == "key.issued" || kind == "key.rotated" }
}

/// The rules that tie rows to leaves, shared by the per-read check and `log verify`.
enum LogCoverage {
    /// Times are stored to the millisecond.
    static func same(_ a: Date, _ b: Date) -> Bool { abs(a.timeIntervalSince(b)) < 0.0005 }

    static func same(_ a: Date, _ text: String?) -> Bool { text.flatMap(Timestamps.parse).map { same(a, $0) } ?? false }

    /// Why status row `h` of `key` is not the one `event` records, or nil when it is.
    static func statusMismatch(_ h: KeyStatusEntry, of key: KeyRecord, event: LogEvent) -> String? {
        let f = event.fields
        var ok: Bool
        switch h.status {
        case .active:
            ok = event.issuesKey && f["key"] == key.id && h.reason == nil
        case .retired:
            ok = event.issuesKey && f["publisher"] == key.publisher && f["key"] != key.id && h.reason == nil
        case .revoked:
            ok = event.kind == "key.revoked" && f["key"] == key.id && f["serial"] == key.serialHex
                && f["cert_sha256"] == key.certificateSHA256 && h.reason != nil && f["reason"] == h.reason?.rawValue
                && same(h.effectiveAt, f["effective_at"])
        }
        if let time = event.time {
            ok = ok && same(h.recordedAt, time) && (h.status == .revoked || same(h.effectiveAt, time))
        }
        return ok ? nil : "key \(key.id)'s \(h.status.rawValue) status row does not match log entry \(h.logIndex) (\(event.kind))"
    }

    /// Why `key`'s row is not the one its issuance leaf records, or nil. The certificate is hashed afresh, so the
    /// row cannot carry another certificate under the recorded fingerprint.
    static func keyMismatch(_ key: KeyRecord, event: LogEvent, index: UInt64) -> String? {
        let f = event.fields
        let certSHA = Authority.sha256Hex(key.certificate)
        var ok = event.issuesKey && f["key"] == key.id && f["publisher"] == key.publisher && f["algorithm"] == key.algorithm
            && f["serial"] == key.serialHex && f["cert_sha256"] == key.certificateSHA256 && certSHA == key.certificateSHA256
            && f["spki_sha256"] == key.spkiSHA256 && same(key.notBefore, f["not_before"]) && same(key.notAfter, f["not_after"])
            && key.id == "k-" + certSHA.prefix(12) && key.keyFile == "\(key.id).key.pem"
        if let time = event.time { ok = ok && same(key.createdAt, time) }
        return ok ? nil : "key \(key.id)'s record does not match log entry \(index) (\(event.kind)) that issued it"
    }

    static func publisherMismatch(_ p: PublisherRecord, event: LogEvent, index: UInt64) -> String? {
        let f = event.fields
        var ok = event.kind == "publisher.added" && f["publisher"] == p.name && f["organization"] == p.organization && f["country"] == p.country
        if let time = event.time { ok = ok && same(p.createdAt, time) }
        return ok ? nil : "publisher \(p.name)'s record does not match log entry \(index) (\(event.kind))"
    }

    /// The event at `index`, checked to be the leaf the tree stores there.
    static func event(at index: UInt64, in leaves: [UInt64: StoredLeaf], for what: String) throws(RegistryError) -> LogEvent {
        guard let leaf = leaves[index] else {
            throw RegistryError(.inconsistent, "\(what) names log entry \(index == .max ? "-1" : String(index)), which is not in the log")
        }
        guard leaf.storedHash == MerkleHash.leaf(leaf.entry.body) else {
            throw RegistryError(.inconsistent, "log entry \(index) does not hash to the leaf the tree stores for it")
        }
        guard let event = LogEvent(canonical: leaf.entry.body) else {
            throw RegistryError(.inconsistent, "log entry \(index) is not a registry event")
        }
        return event
    }

    /// Checks one key from the leaves its rows name, without reading the rest of the log: the first status row is
    /// the key's issuance, each later row names a later leaf (so no two rows share one), nothing follows a
    /// revocation, a retirement follows an active row, every row matches its leaf, and the key row matches its
    /// issuance leaf. A row someone inserted fails here; a row someone deleted is found by `log verify`.
    static func check(_ key: KeyRecord, leaves: [UInt64: StoredLeaf]) throws(RegistryError) {
        guard !key.history.isEmpty else {
            throw RegistryError(.inconsistent, "key \(key.id) has no status history: its record is not the one the log issued")
        }
        var previous: KeyStatusEntry?
        for (i, h) in key.history.enumerated() {
            let event = try event(at: h.logIndex, in: leaves, for: "key \(key.id)'s \(h.status.rawValue) status row")
            if let p = previous {
                guard h.logIndex > p.logIndex else {
                    throw RegistryError(
                        .inconsistent,
                        "key \(key.id) has status rows for log entries \(p.logIndex) and \(h.logIndex) out of order or twice: a log entry covers one row of a key")
                }
                guard p.status != .revoked, h.status != .active, h.status != .retired || p.status == .active else {
                    throw RegistryError(.inconsistent, "key \(key.id)'s \(h.status.rawValue) status row (log entry \(h.logIndex)) cannot follow its \(p.status.rawValue) row")
                }
            } else if h.status != .active {
                throw RegistryError(.inconsistent, "key \(key.id)'s first status row (log entry \(h.logIndex)) is not its issuance")
            }
            if let problem = statusMismatch(h, of: key, event: event) { throw RegistryError(.inconsistent, problem) }
            if i == 0, let problem = keyMismatch(key, event: event, index: h.logIndex) { throw RegistryError(.inconsistent, problem) }
            previous = h
        }
    }
}

extension Registry {
    /// `keys` after checking each against the leaves its rows name (``LogCoverage/check(_:leaves:)``).
    func covered(_ keys: [KeyRecord]) throws(RegistryError) -> [KeyRecord] {
        guard !keys.isEmpty else { return keys }
        let leaves = try store.logLeaves(at: keys.flatMap { $0.history.map(\.logIndex) })
        for key in keys { try LogCoverage.check(key, leaves: leaves) }
        return keys
    }

    func coveredKeys(publisher: String?) throws(RegistryError) -> [KeyRecord] { try covered(try store.keys(publisher: publisher)) }

    func coveredKey(id: String) throws(RegistryError) -> KeyRecord? { try store.key(id: id).map { k throws(RegistryError) in try covered([k])[0] } }

    func coveredKey(serialHex: String) throws(RegistryError) -> KeyRecord? {
        try store.key(serialHex: serialHex).map { k throws(RegistryError) in try covered([k])[0] }
    }

    /// A credential of the registry, checked against the initialization leaf (which names each certificate's
    /// SHA-256 in registries made since the leaf carries them, and the root's SPKI in all).
    func coveredAuthority(_ role: AuthorityRole) throws(RegistryError) -> AuthorityRecord {
        let record = try store.authority(role)
        let event = try LogCoverage.event(at: 0, in: try store.logLeaves(at: [0]), for: "the registry's initialization")
        if let problem = Self.authorityMismatch(record, initialization: event) { throw RegistryError(.inconsistent, problem) }
        return record
    }

    static func authorityMismatch(_ a: AuthorityRecord, initialization event: LogEvent) -> String? {
        let f = event.fields
        var ok = event.kind == "registry.initialized" && a.keyFile == "\(a.role.rawValue).key.pem"
        switch a.role {
        case .log: ok = ok && a.certificate == nil
        case .root:
            let spki = a.certificate.flatMap { try? Authority.spkiDER(certificateDER: $0) }
            ok = ok && spki.map { Authority.sha256Hex($0) } == f["root_spki_sha256"]
        default: ok = ok && a.certificate != nil
        }
        if let recorded = f["\(a.role.rawValue)_cert_sha256"] { ok = ok && a.certificate.map { Authority.sha256Hex($0) } == recorded }
        return ok ? nil : "the \(a.role.rawValue) credential does not match log entry 0 (registry.initialized)"
    }

    /// What `log verify` adds to the Merkle checks: the tables are exactly what the log describes. The log is
    /// replayed from `events` (every leaf of a kind that makes records) into the rows it implies, which are compared
    /// with the rows stored: settings and credentials with the initialization leaf; each publisher and key with the
    /// one leaf that added it; each key's status history, row by row and in order, with the issuances, rotations
    /// (which retire the publisher's active keys) and revocations that concern it. Returns the number of rows checked.
    func checkRecords(_ records: RegistryRecords, events: [UInt64: LogEvent], size: UInt64) throws(RegistryError) -> Int {
        func fail(_ reason: String) -> RegistryError { RegistryError(.inconsistent, reason) }
        guard let initialization = events[0], initialization.kind == "registry.initialized" else {
            throw fail("log entry 0 is not the registry's initialization")
        }
        let f = initialization.fields
        let settings = records.settings
        var settingsOK = settings["origin"] == f["origin"] && settings["organization"] == f["organization"] && settings["log_vkey"] == f["log_key"]
            && settings["origin"] != nil && settings["log_vkey"] != nil
            && Set(settings.keys).isSubset(of: ["origin", "ocsp_url", "organization", "log_vkey", "created_at"])
        if let url = f["ocsp_url"] { settingsOK = settingsOK && settings["ocsp_url"] == url }
        if let time = initialization.time { settingsOK = settingsOK && LogCoverage.same(time, settings["created_at"]) }
        guard settingsOK else { throw fail("the registry's settings (origin, organization, log key, OCSP URL) do not match log entry 0 (registry.initialized)") }
        guard records.authorityRows == AuthorityRole.allCases.count, Set(records.authorities.map(\.role)) == Set(AuthorityRole.allCases) else {
            throw fail("the authority table holds \(records.authorityRows) rows, not one per role")
        }
        for a in records.authorities {
            if let problem = Self.authorityMismatch(a, initialization: initialization) { throw fail(problem) }
        }

        // Replay.
        var publishers: [String: (event: LogEvent, index: UInt64)] = [:]
        var issuance: [String: (event: LogEvent, index: UInt64)] = [:]
        var keysOf: [String: [String]] = [:]  // publisher → key ids, in issue order
        var expected: [String: [(status: KeyStatus, event: LogEvent, index: UInt64)]] = [:]
        for index in events.keys.sorted() {
            guard let event = events[index] else { continue }
            let f = event.fields
            switch event.kind {
            case "registry.initialized":
                guard index == 0 else { throw fail("log entry \(index) initializes the registry again") }
            case "publisher.added":
                guard let name = f["publisher"] else { throw fail("log entry \(index) adds a publisher without a name") }
                if let earlier = publishers[name] { throw fail("log entries \(earlier.index) and \(index) both add publisher \(name)") }
                publishers[name] = (event, index)
            case "key.issued", "key.rotated":
                guard let id = f["key"], let publisher = f["publisher"] else { throw fail("log entry \(index) issues a key without an id or publisher") }
                guard publishers[publisher] != nil else { throw fail("log entry \(index) issues key \(id) to publisher \(publisher), whom the log never added") }
                if let earlier = issuance[id] { throw fail("log entries \(earlier.index) and \(index) both issue key \(id)") }
                for other in keysOf[publisher, default: []] where expected[other]?.last?.status == .active {
                    expected[other, default: []].append((.retired, event, index))
                }
                issuance[id] = (event, index)
                keysOf[publisher, default: []].append(id)
                expected[id] = [(.active, event, index)]
            case "key.revoked":
                guard let id = f["key"], expected[id] != nil else { throw fail("log entry \(index) revokes a key the log never issued") }
                guard expected[id]?.last?.status != .revoked else { throw fail("log entries revoke key \(id) twice (again at \(index))") }
                expected[id, default: []].append((.revoked, event, index))
            default:
                continue
            }
        }

        // Publishers: one row per leaf, one leaf per row, same content.
        guard records.publisherRows == records.publishers.count else { throw fail("the publisher table holds rows the registry cannot read") }
        var seen = Set<String>()
        for p in records.publishers {
            guard let leaf = publishers[p.name] else { throw fail("publisher \(p.name) has no publisher.added entry in the log: the row was inserted") }
            if let problem = LogCoverage.publisherMismatch(p, event: leaf.event, index: leaf.index) { throw fail(problem) }
            seen.insert(p.name)
        }
        for (name, leaf) in publishers.sorted(by: { $0.value.index < $1.value.index }) where !seen.contains(name) {
            throw fail("log entry \(leaf.index) adds publisher \(name), whom the publisher table does not hold: the row was deleted")
        }

        // Keys and their status rows.
        let statusCount = records.keys.reduce(0) { $0 + $1.history.count }
        guard records.keyRows == records.keys.count else {
            throw fail("the signing_key table holds \(records.keyRows) rows, of which only \(records.keys.count) belong to a publisher")
        }
        guard records.statusRows == statusCount else {
            throw fail("the key_status table holds \(records.statusRows) rows, of which only \(statusCount) belong to a key")
        }
        var seenKeys = Set<String>()
        for key in records.keys {
            guard let leaf = issuance[key.id] else { throw fail("key \(key.id) has no key.issued or key.rotated entry in the log: the row was inserted") }
            if let problem = LogCoverage.keyMismatch(key, event: leaf.event, index: leaf.index) { throw fail(problem) }
            let want = expected[key.id] ?? []
            for (i, h) in key.history.enumerated() {
                guard h.logIndex < size else {
                    throw fail("key \(key.id)'s \(h.status.rawValue) status row names log entry \(h.logIndex == .max ? "-1" : String(h.logIndex)), which is not in the log")
                }
                guard i < want.count else {
                    throw fail("key \(key.id) has a \(h.status.rawValue) status row (log entry \(h.logIndex)) that the log does not record")
                }
                let w = want[i]
                guard h.status == w.status, h.logIndex == w.index else {
                    throw fail("key \(key.id)'s status row #\(i + 1) (\(h.status.rawValue), log entry \(h.logIndex)) is not what the log records (\(w.status.rawValue), log entry \(w.index) \(w.event.kind))")
                }
                if let problem = LogCoverage.statusMismatch(h, of: key, event: w.event) { throw fail(problem) }
            }
            if key.history.count < want.count {
                let w = want[key.history.count]
                throw fail("log entry \(w.index) (\(w.event.kind)) records a \(w.status.rawValue) status of key \(key.id) that the key tables do not have: the row was deleted")
            }
            seenKeys.insert(key.id)
        }
        for (id, leaf) in issuance.sorted(by: { $0.value.index < $1.value.index }) where !seenKeys.contains(id) {
            throw fail("log entry \(leaf.index) issues key \(id), which the key tables do not hold: the row was deleted")
        }
        return records.settings.count + records.authorityRows + records.publisherRows + records.keyRows + records.statusRows
    }
}
