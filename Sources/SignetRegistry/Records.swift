import Foundation

/// A publisher: an organisation or person that signs media with keys the registry issued.
public struct PublisherRecord: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var organization: String?
    public var country: String?
    public var createdAt: Date
}

/// The registry's own credentials, by role.
public enum AuthorityRole: String, Sendable, CaseIterable {
    /// The root CA: issues only intermediates; its key is encrypted and otherwise unused.
    case root
    /// The intermediate CA: issues signer, OCSP responder and TSA certificates, signs CRLs.
    case intermediate
    /// The OCSP responder (id-kp-OCSPSigning), issued by the intermediate.
    case ocsp
    /// The timestamp authority (id-kp-timeStamping, critical), issued by the intermediate.
    case tsa
    /// The transparency log's Ed25519 note key (no certificate).
    case log
}

public struct AuthorityRecord: Sendable, Hashable {
    public var role: AuthorityRole
    /// DER certificate (nil for the log key).
    public var certificate: [UInt8]?
    /// The key file's name inside the registry's `keys/` folder.
    public var keyFile: String
}

/// A key's status over time. Entries are only ever appended.
public enum KeyStatus: String, Sendable, Hashable, CaseIterable {
    /// The publisher's current signing key.
    case active
    /// Replaced by a newer key: no longer used to sign, still valid for what it signed.
    case retired
    /// Revoked from `effectiveAt` on: signatures made before that (per a trusted timestamp) stay valid.
    case revoked
}

/// Reasons for revocation (RFC 5280 CRLReason), by their names.
public enum RevocationReason: String, Sendable, Hashable, CaseIterable {
    case unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, cessationOfOperation,
        certificateHold, removeFromCRL, privilegeWithdrawn, aACompromise

    /// The CRLReason code.
    public var code: Int {
        switch self {
        case .unspecified: return 0
        case .keyCompromise: return 1
        case .cACompromise: return 2
        case .affiliationChanged: return 3
        case .superseded: return 4
        case .cessationOfOperation: return 5
        case .certificateHold: return 6
        case .removeFromCRL: return 8
        case .privilegeWithdrawn: return 9
        case .aACompromise: return 10
        }
    }

    /// Accepts the RFC 5280 names and the usual kebab/snake spellings (`key-compromise`, `key_compromise`).
    public init?(name: String) {
        let folded = name.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "").lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == folded }) else { return nil }
        self = match
    }
}

public struct KeyStatusEntry: Sendable, Hashable {
    public var status: KeyStatus
    public var reason: RevocationReason?
    /// When the status takes effect (for a revocation, possibly before or after it was recorded).
    public var effectiveAt: Date
    /// When the registry recorded it.
    public var recordedAt: Date
    /// The transparency log entry that records it.
    public var logIndex: UInt64
}

/// A signing key the registry issued to a publisher.
public struct KeyRecord: Sendable, Hashable {
    public var id: String
    public var publisher: String
    public var algorithm: String
    /// The certificate's serial number, lowercase hex.
    public var serialHex: String
    /// DER signer certificate.
    public var certificate: [UInt8]
    public var keyFile: String
    /// SHA-256 of the certificate's DER, lowercase hex.
    public var certificateSHA256: String
    /// SHA-256 of the certificate's SubjectPublicKeyInfo DER, lowercase hex.
    public var spkiSHA256: String
    public var notBefore: Date
    public var notAfter: Date
    public var createdAt: Date
    /// Status entries, oldest first.
    public var history: [KeyStatusEntry]

    /// The latest entry's status.
    public var status: KeyStatus { history.last?.status ?? .retired }

    /// The revocation, if any (the latest revoked entry).
    public var revocation: KeyStatusEntry? { history.last { $0.status == .revoked } }

    /// The key's status at `time`: revoked when a revocation effective at or before `time` exists, else the
    /// latest status recorded for that time, else `active` while inside the certificate's validity.
    public func status(at time: Date) -> KeyStatus {
        if let r = revocation, r.effectiveAt <= time { return .revoked }
        return history.last { $0.status != .revoked && $0.effectiveAt <= time }?.status ?? .active
    }
}

/// One registry event, as recorded in the transparency log: a kind and text fields, serialized as canonical JSON
/// (keys sorted, no spaces) so that anyone can recompute the leaf hash from the entry.
public struct LogEvent: Sendable, Hashable {
    public var kind: String
    public var fields: [String: String]

    public init(kind: String, fields: [String: String]) {
        self.kind = kind
        self.fields = fields
    }

    /// `{"field":"value",...,"kind":"..."}` with keys in byte order, JSON string escaping, UTF-8.
    public var canonicalJSON: [UInt8] {
        var all = fields
        all["kind"] = kind
        let members = all.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map { key in
            "\(Self.quote(key)):\(Self.quote(all[key] ?? ""))"
        }
        return Array("{\(members.joined(separator: ","))}".utf8)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A stored log entry.
public struct LogEntry: Sendable, Hashable {
    public var index: UInt64
    public var kind: String
    public var body: [UInt8]
    public var recordedAt: Date
}

/// RFC 3339 times as the registry writes and reads them.
public enum Timestamps {
    /// `2026-12-01T10:00:00.000Z`.
    public static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// RFC 3339 with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }

    /// `2026-12-01`.
    public static func day(_ date: Date) -> String { String(format(date).prefix(10)) }
}
