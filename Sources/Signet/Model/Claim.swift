import Foundation
import SignetCBOR

/// A reference to a JUMBF box with the hash of its contents (C2PA `hashed-uri-map`):
///
///     hashed-uri-map = { "url": jumbf-uri-type, ? "alg": tstr, "hash": bstr }
public struct HashedURI: Hashable, Sendable {
    public var url: String
    public var alg: String?
    public var hash: [UInt8]

    public init(url: String, alg: String? = nil, hash: [UInt8]) {
        self.url = url
        self.alg = alg
        self.hash = hash
    }

    init?(cbor: CBOR) {
        guard let url = cbor["url"]?.stringValue, let hash = cbor["hash"]?.bytesValue else { return nil }
        self.url = url
        self.alg = cbor["alg"]?.stringValue
        self.hash = hash
    }

    var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [.init("url", .textString(url))]
        if let alg { entries.append(.init("alg", .textString(alg))) }
        entries.append(.init("hash", .byteString(hash)))
        return .map(entries)
    }

    /// The label path inside a manifest that `url` names ("c2pa.assertions/c2pa.hash.data"), and the manifest
    /// label if the URI is absolute ("self#jumbf=/c2pa/<manifest>/c2pa.assertions/...").
    public var jumbfPath: (manifest: String?, path: String)? {
        JUMBFURI.parse(url)
    }
}

/// JUMBF URIs as C2PA writes them (`self#jumbf=/c2pa/<manifest>/<path>` or relative `self#jumbf=<path>`).
public enum JUMBFURI {
    /// The scheme part every C2PA JUMBF URI starts with.
    public static let prefix = "self#jumbf="

    /// The manifest label (absolute URIs only) and the label path inside it; nil if `url` is not a JUMBF URI.
    public static func parse(_ url: String) -> (manifest: String?, path: String)? {
        guard url.hasPrefix(prefix) else { return nil }
        var rest = String(url.dropFirst(prefix.count))
        if rest.hasPrefix("/") {
            rest.removeFirst()
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, parts[0] == "c2pa" else { return nil }
            if parts.count == 2 { return (parts[1], "") }
            return (parts[1], parts[2...].joined(separator: "/"))
        }
        return (nil, rest)
    }

    /// The absolute URI of `path` inside the manifest labelled `manifest` (the manifest itself when `path` is empty).
    public static func absolute(manifest: String, path: String) -> String {
        path.isEmpty ? "\(prefix)/c2pa/\(manifest)" : "\(prefix)/c2pa/\(manifest)/\(path)"
    }
}

/// A C2PA claim, read from `c2pa.claim` (v1) or `c2pa.claim.v2` boxes, written as v2.
///
///     claim-map-v2 = {
///       "instanceID": tstr, "claim_generator_info": generator-info-map, ? "dc:title": tstr,
///       "signature": jumbf-uri-type, "created_assertions": [1* hashed-uri-map],
///       ? "gathered_assertions": [* hashed-uri-map], ? "redacted_assertions": [* jumbf-uri-type],
///       ? "alg": tstr, ? "alg_soft": tstr, ? "specVersion": tstr, ? "metadata": ... }
///     claim-map-v1 = { "claim_generator": tstr, ? "claim_generator_info": [...], "signature": jumbf-uri-type,
///       "assertions": [1* hashed-uri-map], "dc:format": tstr, "instanceID": tstr, ? "dc:title": tstr, ? "alg": tstr, ... }
public struct Claim: Sendable {
    public var version: Int
    public var instanceID: String?
    public var title: String?
    public var format: String?
    public var claimGenerator: String?
    public var claimGeneratorInfo: [CBOR]
    public var signature: String?
    public var createdAssertions: [HashedURI]
    public var gatheredAssertions: [HashedURI]
    public var redactedAssertions: [String]
    public var alg: String?
    /// Fields present in the claim that this version of Signet does not interpret.
    public var unknownFields: [String]
    /// The decoded claim map as found.
    public var raw: CBOR

    /// All assertion references in claim order (v1: `assertions`; v2: created then gathered).
    public var assertionReferences: [HashedURI] { createdAssertions + gatheredAssertions }

    static let knownKeys: Set<String> = [
        "instanceID", "claim_generator", "claim_generator_info", "signature", "assertions", "created_assertions",
        "gathered_assertions", "redacted_assertions", "dc:title", "dc:format", "alg", "alg_soft", "specVersion",
        "metadata", "claim_generator_hints",
    ]

    /// The claim version its own fields declare, as c2pa-rs reads it: `assertions` without `created_assertions`
    /// is a 1.x claim, the reverse a 2.x claim; both or neither is not a claim Signet can read.
    public static func version(of cbor: CBOR) throws(ClaimDecodingError) -> Int {
        guard cbor.mapEntries != nil else { throw ClaimDecodingError(reason: "claim is not a CBOR map") }
        switch (cbor["assertions"] != nil, cbor["created_assertions"] != nil) {
        case (true, false): return 1
        case (false, true): return 2
        case (true, true): throw ClaimDecodingError(reason: "unsupported claim version: both assertions and created_assertions")
        case (false, false): throw ClaimDecodingError(reason: "unsupported claim version: neither assertions nor created_assertions")
        }
    }

    /// Decodes a claim map; returns a reason when the map lacks what a claim needs.
    public init(cbor: CBOR, version: Int) throws(ClaimDecodingError) {
        guard let entries = cbor.mapEntries else { throw ClaimDecodingError(reason: "claim is not a CBOR map") }
        self.version = version
        self.raw = cbor
        self.instanceID = cbor["instanceID"]?.stringValue
        self.title = cbor["dc:title"]?.stringValue
        self.format = cbor["dc:format"]?.stringValue
        self.claimGenerator = cbor["claim_generator"]?.stringValue
        switch cbor["claim_generator_info"] {
        case .array(let items)?: self.claimGeneratorInfo = items
        case let value?: self.claimGeneratorInfo = [value]
        case nil: self.claimGeneratorInfo = []
        }
        self.signature = cbor["signature"]?.stringValue
        self.alg = cbor["alg"]?.stringValue
        func uris(_ key: String) throws(ClaimDecodingError) -> [HashedURI] {
            guard let value = cbor[key] else { return [] }
            guard let items = value.arrayValue else { throw ClaimDecodingError(reason: "\(key) is not an array") }
            var out: [HashedURI] = []
            for item in items {
                guard let uri = HashedURI(cbor: item) else {
                    throw ClaimDecodingError(reason: "\(key) holds an entry that is not a hashed URI")
                }
                out.append(uri)
            }
            return out
        }
        if version == 1 {
            self.createdAssertions = try uris("assertions")
            self.gatheredAssertions = []
        } else {
            self.createdAssertions = try uris("created_assertions")
            self.gatheredAssertions = try uris("gathered_assertions")
        }
        self.redactedAssertions = (cbor["redacted_assertions"]?.arrayValue ?? []).compactMap { $0.stringValue }
        self.unknownFields = entries.compactMap { $0.key.stringValue }.filter { !Claim.knownKeys.contains($0) }
        guard signature != nil else { throw ClaimDecodingError(reason: "claim has no signature reference") }
        if version >= 2 && instanceID == nil { throw ClaimDecodingError(reason: "claim has no instanceID") }
    }

    /// Builds a v2 claim map in the field order the reference implementation writes.
    static func v2(
        instanceID: String, generatorInfo: CBOR, signature: String, created: [HashedURI], gathered: [HashedURI],
        title: String?, alg: String
    ) -> CBOR {
        var entries: [CBOR.MapEntry] = [
            .init("instanceID", .textString(instanceID)),
            .init("claim_generator_info", generatorInfo),
            .init("signature", .textString(signature)),
            .init("created_assertions", .array(created.map(\.cbor))),
        ]
        if !gathered.isEmpty { entries.append(.init("gathered_assertions", .array(gathered.map(\.cbor)))) }
        if let title { entries.append(.init("dc:title", .textString(title))) }
        entries.append(.init("alg", .textString(alg)))
        return .map(entries)
    }
}

public struct ClaimDecodingError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
