import Foundation
import SignetCBOR
import SignetMedia

/// `c2pa.hash.bmff.v2` / `c2pa.hash.bmff.v3`, the hard binding of a manifest to an ISO BMFF asset (MP4, MOV, HEIF,
/// AVIF) by box exclusions rather than byte ranges (C2PA 2.2, 18.6):
///
///     bmff-hash-map = { "exclusions": [1* exclusions-map], ? "alg": tstr, ? "hash": bstr,
///                       ? "merkle": [1* merkle-map], ? "name": tstr, ? "url": uri }
///     exclusions-map = { "xpath": tstr, ? "length": uint, ? "data": [1* data-map], ? "subset": [1* subset-map],
///                        ? "version": int, ? "flags": bstr .size 3, ? "exact": bool }
///     data-map = { "offset": uint, "value": bstr }          subset-map = { "offset": uint, "length": uint }
///     merkle-map = { "uniqueId": int, "localId": int, "count": int, ? "alg": tstr, ? "initHash": bstr,
///                    "hashes": [1* bstr], ? "fixedBlockSize": uint, ? "variableBlockSizes": [1* int] }
///
/// Integers are decoded into the widths c2pa-rs uses (`length`, data `offset`, Merkle ids and `count`: 32 bits;
/// `version`: 8 bits; subset fields and block sizes: 64 bits); a negative or wider value is refused, as it is there.
/// ``cbor`` writes the keys in c2pa-rs's order and skips absent fields (`url` is never written).
public struct BMFFHashAssertion: Sendable, Equatable {
    /// The label C2PA 2.2 requires for new assertions.
    public static let label = "c2pa.hash.bmff.v3"

    /// The C2PA `uuid` box's extended type: D8FEC3D6-1B0E-483C-9297-5828877EC481.
    public static let c2paUUID: [UInt8] = BMFF.c2paUserType

    /// `data-map`: bytes the box must hold at `offset` (from the start of the box, header included).
    public struct DataMatch: Sendable, Equatable {
        public var offset: UInt32
        public var value: [UInt8]
        public init(offset: UInt32, value: [UInt8]) {
            self.offset = offset
            self.value = value
        }
    }

    /// `subset-map`: the part of a matching box to exclude, from the start of the box; `length` 0 means to its end.
    public struct Subset: Sendable, Equatable {
        public var offset: UInt64
        public var length: UInt64
        public init(offset: UInt64, length: UInt64) {
            self.offset = offset
            self.length = length
        }
    }

    /// `exclusions-map`: which boxes (or parts of boxes) the hash skips.
    public struct Exclusion: Sendable, Equatable {
        public var xpath: String
        public var length: UInt32?
        public var data: [DataMatch]?
        public var subset: [Subset]?
        public var version: UInt8?
        /// Exactly 3 bytes when present.
        public var flags: [UInt8]?
        public var exact: Bool?

        public init(
            xpath: String, length: UInt32? = nil, data: [DataMatch]? = nil, subset: [Subset]? = nil,
            version: UInt8? = nil, flags: [UInt8]? = nil, exact: Bool? = nil
        ) {
            self.xpath = xpath
            self.length = length
            self.data = data
            self.subset = subset
            self.version = version
            self.flags = flags
            self.exact = exact
        }
    }

    /// `merkle-map`: one stored row of a Merkle tree over the leaves of one `mdat` (non-fragmented) or of one track's
    /// fragments (fragmented, with `initHash`).
    public struct MerkleMap: Sendable, Equatable {
        public var uniqueId: UInt32
        public var localId: UInt32
        /// Number of leaves.
        public var count: UInt32
        public var alg: String?
        public var initHash: [UInt8]?
        /// One row of the tree: the leaves (`hashes.count == count`), the root (1), or a row between.
        public var hashes: [[UInt8]]
        public var fixedBlockSize: UInt64?
        public var variableBlockSizes: [UInt64]?

        public init(
            uniqueId: UInt32, localId: UInt32, count: UInt32, alg: String? = nil, initHash: [UInt8]? = nil,
            hashes: [[UInt8]], fixedBlockSize: UInt64? = nil, variableBlockSizes: [UInt64]? = nil
        ) {
            self.uniqueId = uniqueId
            self.localId = localId
            self.count = count
            self.alg = alg
            self.initHash = initHash
            self.hashes = hashes
            self.fixedBlockSize = fixedBlockSize
            self.variableBlockSizes = variableBlockSizes
        }
    }

    public var exclusions: [Exclusion]
    public var alg: String?
    public var hash: [UInt8]?
    public var merkle: [MerkleMap]?
    public var name: String?
    /// Deprecated and ignored by validators (18.6.1); decoded, never written.
    public var url: String?

    public init(
        exclusions: [Exclusion], alg: String? = "sha256", hash: [UInt8]? = nil, merkle: [MerkleMap]? = nil,
        name: String? = "jumbf manifest"
    ) {
        self.exclusions = exclusions
        self.alg = alg
        self.hash = hash
        self.merkle = merkle
        self.name = name
    }

    /// The assertion c2pa-rs writes for an MP4, MOV or HEIF asset (hash still to be filled in): the mandatory
    /// exclusions `/uuid` (only C2PA boxes: the extended type at offset 8), `/ftyp` and `/mfra`, then `/free` and
    /// `/skip`, named "jumbf manifest".
    public static func c2paDefault(alg: String = "sha256", hash: [UInt8]? = nil) -> BMFFHashAssertion {
        BMFFHashAssertion(
            exclusions: [
                Exclusion(xpath: "/uuid", data: [DataMatch(offset: 8, value: c2paUUID)]),
                Exclusion(xpath: "/ftyp"), Exclusion(xpath: "/mfra"), Exclusion(xpath: "/free"), Exclusion(xpath: "/skip"),
            ],
            alg: alg, hash: hash, name: "jumbf manifest")
    }

    /// The assertion Signet writes: only the exclusions C2PA 2.2 makes mandatory (A.5.6): the C2PA `uuid` boxes,
    /// `ftyp` and `mfra`. Unlike c2pa-rs's default, `free` and `skip` boxes are hashed: an excluded `free` box is
    /// bytes an attacker may fill after signing, and players can be made to read media or timing from them.
    public static func signetDefault(alg: String = "sha256", hash: [UInt8]? = nil) -> BMFFHashAssertion {
        var assertion = c2paDefault(alg: alg, hash: hash)
        assertion.exclusions.removeAll { $0.xpath == "/free" || $0.xpath == "/skip" }
        return assertion
    }

    /// The BMFF hash version an assertion label names: 1 for `c2pa.hash.bmff`, 2 or 3 for `.v2` / `.v3` (an
    /// instance suffix `__n` is ignored); `nil` for any other label.
    public static func version(ofLabel label: String) -> Int? {
        var l = Substring(label)
        if let r = l.range(of: "__", options: .backwards), Int(l[r.upperBound...]) != nil { l = l[..<r.lowerBound] }
        if l == "c2pa.hash.bmff" { return 1 }
        guard l.hasPrefix("c2pa.hash.bmff.v"), let v = Int(l.dropFirst("c2pa.hash.bmff.v".count)), v >= 1 else { return nil }
        return v
    }

    // MARK: CBOR

    /// Decodes the assertion, refusing any field of the wrong CBOR type, a negative integer, or one wider than
    /// c2pa-rs's field. A CBOR `null` stands for an absent optional field. Unknown keys are ignored.
    public init(cbor: CBOR) throws(ClaimDecodingError) {
        guard cbor.mapEntries != nil else { throw ClaimDecodingError(reason: "BMFF hash is not a map") }
        guard let exclusionItems = try CBORField.array(cbor["exclusions"], "exclusions") else {
            throw ClaimDecodingError(reason: "BMFF hash has no exclusions")
        }
        exclusions = try exclusionItems.enumerated().map { (i, item) throws(ClaimDecodingError) in
            try Self.exclusion(item, "exclusions[\(i)]")
        }
        alg = try CBORField.text(cbor["alg"], "alg")
        hash = try CBORField.bytes(cbor["hash"], "hash")
        if let items = try CBORField.array(cbor["merkle"], "merkle") {
            merkle = try items.enumerated().map { (i, item) throws(ClaimDecodingError) in try Self.merkleMap(item, "merkle[\(i)]") }
        }
        name = try CBORField.text(cbor["name"], "name")
        url = try CBORField.text(cbor["url"], "url")
    }

    private static func exclusion(_ item: CBOR, _ what: String) throws(ClaimDecodingError) -> Exclusion {
        guard item.mapEntries != nil else { throw ClaimDecodingError(reason: "BMFF hash \(what) is not a map") }
        guard let xpath = try CBORField.text(item["xpath"], "\(what).xpath") else {
            throw ClaimDecodingError(reason: "BMFF hash \(what) has no xpath")
        }
        var e = Exclusion(xpath: xpath)
        e.length = try CBORField.uint(item["length"], "\(what).length", max: UInt64(UInt32.max)).map { UInt32($0) }
        if let items = try CBORField.array(item["data"], "\(what).data") {
            e.data = try items.enumerated().map { (j, d) throws(ClaimDecodingError) in
                let w = "\(what).data[\(j)]"
                guard d.mapEntries != nil else { throw ClaimDecodingError(reason: "BMFF hash \(w) is not a map") }
                guard let offset = try CBORField.uint(d["offset"], "\(w).offset", max: UInt64(UInt32.max)),
                    let value = try CBORField.bytes(d["value"], "\(w).value")
                else { throw ClaimDecodingError(reason: "BMFF hash \(w) needs offset and value") }
                return DataMatch(offset: UInt32(offset), value: value)
            }
        }
        if let items = try CBORField.array(item["subset"], "\(what).subset") {
            e.subset = try items.enumerated().map { (j, s) throws(ClaimDecodingError) in
                let w = "\(what).subset[\(j)]"
                guard s.mapEntries != nil else { throw ClaimDecodingError(reason: "BMFF hash \(w) is not a map") }
                guard let offset = try CBORField.uint(s["offset"], "\(w).offset", max: UInt64.max),
                    let length = try CBORField.uint(s["length"], "\(w).length", max: UInt64.max)
                else { throw ClaimDecodingError(reason: "BMFF hash \(w) needs offset and length") }
                return Subset(offset: offset, length: length)
            }
        }
        e.version = try CBORField.uint(item["version"], "\(what).version", max: UInt64(UInt8.max)).map { UInt8($0) }
        if let flags = try CBORField.bytes(item["flags"], "\(what).flags") {
            // 18.6.3: "byte string of exactly 3 bytes" (c2pa-rs reads any length, treating < 3 bytes as 0).
            guard flags.count == 3 else { throw ClaimDecodingError(reason: "BMFF hash \(what).flags is not exactly 3 bytes") }
            e.flags = flags
        }
        e.exact = try CBORField.bool(item["exact"], "\(what).exact")
        return e
    }

    private static func merkleMap(_ item: CBOR, _ what: String) throws(ClaimDecodingError) -> MerkleMap {
        guard item.mapEntries != nil else { throw ClaimDecodingError(reason: "BMFF hash \(what) is not a map") }
        let u32 = UInt64(UInt32.max)
        guard let uniqueId = try CBORField.uint(item["uniqueId"], "\(what).uniqueId", max: u32),
            let localId = try CBORField.uint(item["localId"], "\(what).localId", max: u32),
            let count = try CBORField.uint(item["count"], "\(what).count", max: u32)
        else { throw ClaimDecodingError(reason: "BMFF hash \(what) needs uniqueId, localId and count") }
        guard let hashItems = try CBORField.array(item["hashes"], "\(what).hashes") else {
            throw ClaimDecodingError(reason: "BMFF hash \(what) has no hashes")
        }
        var map = MerkleMap(
            uniqueId: UInt32(uniqueId), localId: UInt32(localId), count: UInt32(count),
            hashes: try hashItems.enumerated().map { (j, h) throws(ClaimDecodingError) in
                guard let b = try CBORField.bytes(h, "\(what).hashes[\(j)]") else {
                    throw ClaimDecodingError(reason: "BMFF hash \(what).hashes[\(j)] is null")
                }
                return b
            })
        map.alg = try CBORField.text(item["alg"], "\(what).alg")
        map.initHash = try CBORField.bytes(item["initHash"], "\(what).initHash")
        map.fixedBlockSize = try CBORField.uint(item["fixedBlockSize"], "\(what).fixedBlockSize", max: UInt64.max)
        if let sizes = try CBORField.array(item["variableBlockSizes"], "\(what).variableBlockSizes") {
            map.variableBlockSizes = try sizes.enumerated().map { (j, s) throws(ClaimDecodingError) in
                guard let v = try CBORField.uint(s, "\(what).variableBlockSizes[\(j)]", max: UInt64.max) else {
                    throw ClaimDecodingError(reason: "BMFF hash \(what).variableBlockSizes[\(j)] is null")
                }
                return v
            }
        }
        return map
    }

    /// The assertion's CBOR, keys in c2pa-rs's order: `exclusions, alg, hash, merkle, name`; in an exclusion
    /// `xpath, length, data, subset, version, flags, exact`; in a Merkle map `uniqueId, localId, count, alg,
    /// initHash, hashes, fixedBlockSize, variableBlockSizes`.
    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [.init("exclusions", .array(exclusions.map(\.cbor)))]
        if let alg { entries.append(.init("alg", .textString(alg))) }
        if let hash { entries.append(.init("hash", .byteString(hash))) }
        if let merkle { entries.append(.init("merkle", .array(merkle.map(\.cbor)))) }
        if let name { entries.append(.init("name", .textString(name))) }
        return .map(entries)
    }
}

extension BMFFHashAssertion.Exclusion {
    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [.init("xpath", .textString(xpath))]
        if let length { entries.append(.init("length", .unsignedInt(UInt64(length)))) }
        if let data {
            entries.append(.init("data", .array(data.map {
                .map([.init("offset", .unsignedInt(UInt64($0.offset))), .init("value", .byteString($0.value))])
            })))
        }
        if let subset {
            entries.append(.init("subset", .array(subset.map {
                .map([.init("offset", .unsignedInt($0.offset)), .init("length", .unsignedInt($0.length))])
            })))
        }
        if let version { entries.append(.init("version", .unsignedInt(UInt64(version)))) }
        if let flags { entries.append(.init("flags", .byteString(flags))) }
        if let exact { entries.append(.init("exact", .bool(exact))) }
        return .map(entries)
    }
}

extension BMFFHashAssertion.MerkleMap {
    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [
            .init("uniqueId", .unsignedInt(UInt64(uniqueId))), .init("localId", .unsignedInt(UInt64(localId))),
            .init("count", .unsignedInt(UInt64(count))),
        ]
        if let alg { entries.append(.init("alg", .textString(alg))) }
        if let initHash { entries.append(.init("initHash", .byteString(initHash))) }
        entries.append(.init("hashes", .array(hashes.map { .byteString($0) })))
        if let fixedBlockSize { entries.append(.init("fixedBlockSize", .unsignedInt(fixedBlockSize))) }
        if let variableBlockSizes { entries.append(.init("variableBlockSizes", .array(variableBlockSizes.map { .unsignedInt($0) }))) }
        return .map(entries)
    }
}

/// `bmff-merkle-map`, the CBOR in an auxiliary C2PA `uuid` box of purpose `merkle` (A.5.4.2): which tree and leaf
/// the box stands for, and the proof from that leaf up to the row the manifest stores.
public struct BMFFMerkleBoxMap: Sendable, Equatable {
    public var uniqueId: UInt32
    public var localId: UInt32
    public var location: UInt32
    /// Sibling hashes from the leaf's row upward (absent when the manifest stores the leaves).
    public var hashes: [[UInt8]]?

    public init(uniqueId: UInt32, localId: UInt32, location: UInt32, hashes: [[UInt8]]?) {
        self.uniqueId = uniqueId
        self.localId = localId
        self.location = location
        self.hashes = hashes
    }

    public init(cbor: CBOR) throws(ClaimDecodingError) {
        guard cbor.mapEntries != nil else { throw ClaimDecodingError(reason: "merkle box map is not a map") }
        let u32 = UInt64(UInt32.max)
        guard let uniqueId = try CBORField.uint(cbor["uniqueId"], "uniqueId", max: u32),
            let localId = try CBORField.uint(cbor["localId"], "localId", max: u32),
            let location = try CBORField.uint(cbor["location"], "location", max: u32)
        else { throw ClaimDecodingError(reason: "merkle box map needs uniqueId, localId and location") }
        self.uniqueId = UInt32(uniqueId)
        self.localId = UInt32(localId)
        self.location = UInt32(location)
        if let items = try CBORField.array(cbor["hashes"], "hashes") {
            hashes = try items.enumerated().map { (j, h) throws(ClaimDecodingError) in
                guard let b = try CBORField.bytes(h, "hashes[\(j)]") else { throw ClaimDecodingError(reason: "merkle box hashes[\(j)] is null") }
                return b
            }
        }
    }

    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [
            .init("uniqueId", .unsignedInt(UInt64(uniqueId))), .init("localId", .unsignedInt(UInt64(localId))),
            .init("location", .unsignedInt(UInt64(location))),
        ]
        if let hashes { entries.append(.init("hashes", .array(hashes.map { .byteString($0) }))) }
        return .map(entries)
    }
}

/// Strict typed reads of optional CBOR map fields: `nil` when absent (or CBOR null), an error for a wrong type.
enum CBORField {
    static func present(_ v: CBOR?) -> CBOR? {
        guard let v, v != .null else { return nil }
        return v
    }

    static func uint(_ v: CBOR?, _ what: String, max: UInt64) throws(ClaimDecodingError) -> UInt64? {
        guard let v = present(v) else { return nil }
        guard case .unsignedInt(let n) = v else { throw ClaimDecodingError(reason: "BMFF hash \(what) is not an unsigned integer") }
        guard n <= max else { throw ClaimDecodingError(reason: "BMFF hash \(what) (\(n)) is out of range") }
        return n
    }

    static func text(_ v: CBOR?, _ what: String) throws(ClaimDecodingError) -> String? {
        guard let v = present(v) else { return nil }
        guard case .textString(let s) = v else { throw ClaimDecodingError(reason: "BMFF hash \(what) is not a text string") }
        return s
    }

    static func bytes(_ v: CBOR?, _ what: String) throws(ClaimDecodingError) -> [UInt8]? {
        guard let v = present(v) else { return nil }
        guard case .byteString(let b) = v else { throw ClaimDecodingError(reason: "BMFF hash \(what) is not a byte string") }
        return b
    }

    static func bool(_ v: CBOR?, _ what: String) throws(ClaimDecodingError) -> Bool? {
        guard let v = present(v) else { return nil }
        guard case .bool(let b) = v else { throw ClaimDecodingError(reason: "BMFF hash \(what) is not a boolean") }
        return b
    }

    static func array(_ v: CBOR?, _ what: String) throws(ClaimDecodingError) -> [CBOR]? {
        guard let v = present(v) else { return nil }
        guard case .array(let a) = v else { throw ClaimDecodingError(reason: "BMFF hash \(what) is not an array") }
        return a
    }
}

/// An xpath of a BMFF hash exclusion, in the strict subset C2PA 2.2 allows (18.6.2): `/` then `/`-separated steps,
/// each a four-character box type, optionally `[n]` (1-based, no leading zeros) to pick the n-th sibling of that type.
public struct BMFFXPath: Sendable, Equatable, CustomStringConvertible {
    public struct Step: Sendable, Equatable {
        /// The box type as its four bytes, big-endian (each character's scalar value is one byte: Latin-1).
        public var typeCode: UInt32
        public var index: Int?
    }
    public var steps: [Step]
    public let description: String

    /// The big-endian type code of a four-character type (`"moov"`).
    static func typeCode(_ type: String) -> UInt32 { type.unicodeScalars.reduce(0) { $0 << 8 | ($1.value & 0xFF) } }

    /// Parses `text`; `nil` if it is not in the allowed syntax.
    public init?(_ text: String) {
        guard text.hasPrefix("/") else { return nil }
        var steps: [Step] = []
        for part in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var typePart = Substring(part)
            var index: Int?
            if part.hasSuffix("]") {
                guard let open = part.firstIndex(of: "[") else { return nil }
                let digits = part[part.index(after: open)..<part.index(before: part.endIndex)]
                guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.first != "0",
                    let n = Int(digits)
                else { return nil }
                index = n
                typePart = part[..<open]
            }
            let scalars = Array(typePart.unicodeScalars)
            guard scalars.count == 4 else { return nil }
            var code: UInt32 = 0
            for s in scalars {
                // Printable ASCII other than the syntax characters, or Latin-1 (QuickTime's `©nam`).
                guard (0x20...0x7E).contains(s.value) || (0xA0...0xFF).contains(s.value), !"/[]".unicodeScalars.contains(s) else { return nil }
                code = code << 8 | s.value
            }
            steps.append(Step(typeCode: code, index: index))
        }
        guard !steps.isEmpty else { return nil }
        self.steps = steps
        self.description = text
    }
}

/// The Merkle tree C2PA uses for BMFF (A.5.4): each row pairs neighbours, `H(left || right)`; an odd last node is
/// carried up unchanged.
public enum BMFFMerkleTree {
    /// The sizes of the rows from the leaves (`count`) up to the root (1).
    public static func layout(_ count: Int) -> [Int] {
        guard count > 0 else { return [] }
        var sizes = [count]
        while let last = sizes.last, last > 1 { sizes.append((last + 1) / 2) }
        return sizes
    }

    /// Every row of the tree over `leaves`, leaves first, root last.
    public static func rows(leaves: [[UInt8]], alg: HashAlgorithm) -> [[[UInt8]]] {
        guard !leaves.isEmpty else { return [] }
        var rows = [leaves]
        while let row = rows.last, row.count > 1 {
            var next: [[UInt8]] = []
            var i = 0
            while i < row.count {
                next.append(i + 1 < row.count ? alg.hash(row[i] + row[i + 1]) : row[i])
                i += 2
            }
            rows.append(next)
        }
        return rows
    }

    /// The proof for leaf `index` up to (not including) row `storedRow` of `rows`: the sibling at each row, none where
    /// the node is carried up alone.
    public static func proof(index: Int, rows: [[[UInt8]]], storedRow: Int) -> [[UInt8]] {
        var proof: [[UInt8]] = []
        var i = index
        for row in rows.prefix(storedRow) {
            if i % 2 == 1 {
                proof.append(row[i - 1])
            } else if i + 1 < row.count {
                proof.append(row[i + 1])
            }
            i /= 2
        }
        return proof
    }

    /// Whether `leaf` at `location`, combined with `proof`, reaches the stored row entry (c2pa-rs's walk; proof
    /// entries beyond those needed are ignored). The caller has checked that `stored.count` is one of the row sizes of
    /// ``layout(_:)`` for `count` and that `location < count`.
    public static func verify(leaf: [UInt8], location: Int, proof: [[UInt8]], count: Int, stored: [[UInt8]], alg: HashAlgorithm) -> Bool {
        var index = location
        var hash = leaf
        var p = 0
        for size in layout(count) {
            if size == stored.count { break }
            if index % 2 == 1 {
                guard p < proof.count else { return false }
                hash = alg.hash(proof[p] + hash)
                p += 1
            } else if index + 1 < size {
                guard p < proof.count else { return false }
                hash = alg.hash(hash + proof[p])
                p += 1
            }
            index /= 2
        }
        return index < stored.count && stored[index] == hash
    }
}

/// Why a BMFF hash could not be confirmed: `malformed` (the assertion itself is wrong or incomplete) or `mismatch`
/// (the asset does not match it, cannot be read, or leaves bytes that matter unsigned).
public struct BMFFHashError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable { case malformed, mismatch }
    public var kind: Kind
    public var reason: String
    public init(_ kind: Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }
    public var description: String { "\(kind): \(reason)" }
    static func malformed(_ r: String) -> BMFFHashError { BMFFHashError(.malformed, r) }
    static func mismatch(_ r: String) -> BMFFHashError { BMFFHashError(.mismatch, r) }
}

extension BMFFHashAssertion {
    /// The first rule of C2PA 2.2 (15.12.2, 18.6.3, A.5.4) the assertion breaks on its own, before any asset is read;
    /// `nil` if none. Each is `assertion.bmffHash.malformed`.
    ///
    /// Stricter than c2pa-rs 0.91.3, which checks none of these: no `exclusions` (or an empty array); an xpath
    /// outside the allowed syntax; a subset list that is empty, out of order, overlapping (a 0-length "to the end"
    /// entry other than the last overlaps what follows); an empty `data` list; **neither `hash` nor `merkle`** (c2pa-rs
    /// then reports a match without hashing anything); an empty `merkle` list, a Merkle map with both block-size
    /// fields, a zero `fixedBlockSize`, no `hashes`, `count` 0, more stored hashes than leaves, or a stored row whose
    /// length is not a row of a tree with `count` leaves.
    public var structuralProblem: String? {
        if exclusions.isEmpty { return "the BMFF hash has no exclusions" }
        for (i, e) in exclusions.enumerated() {
            let what = "exclusion \(i) (\(e.xpath))"
            if BMFFXPath(e.xpath) == nil { return "\(what): the xpath is not in the syntax C2PA allows" }
            if let data = e.data, data.isEmpty { return "\(what): empty data list" }
            if let subset = e.subset {
                if subset.isEmpty { return "\(what): empty subset list" }
                for (a, b) in zip(subset, subset.dropFirst()) {
                    let (end, overflow) = a.offset.addingReportingOverflow(a.length)
                    if a.length == 0 || overflow || end > b.offset {
                        return "\(what): subsets out of order or overlapping (\(a.offset)+\(a.length) then \(b.offset))"
                    }
                }
            }
        }
        if hash == nil && merkle == nil { return "the BMFF hash has neither a hash nor Merkle trees, so it binds nothing" }
        if let merkle {
            if merkle.isEmpty { return "the BMFF hash has an empty merkle list" }
            for (i, m) in merkle.enumerated() {
                let what = "Merkle map \(i) (uniqueId \(m.uniqueId), localId \(m.localId))"
                if m.fixedBlockSize != nil && m.variableBlockSizes != nil { return "\(what) has both fixedBlockSize and variableBlockSizes" }
                if m.fixedBlockSize == 0 { return "\(what) has a fixedBlockSize of 0" }
                if m.count == 0 { return "\(what) has a count of 0" }
                if m.hashes.isEmpty { return "\(what) stores no hashes" }
                if m.hashes.count > Int(m.count) { return "\(what) stores \(m.hashes.count) hashes for \(m.count) leaves" }
                if !BMFFMerkleTree.layout(Int(m.count)).contains(m.hashes.count) {
                    return "\(what) stores \(m.hashes.count) hashes, which is no row of a tree with \(m.count) leaves"
                }
                if let sizes = m.variableBlockSizes, sizes.count != Int(m.count) {
                    return "\(what) has \(sizes.count) variableBlockSizes for \(m.count) leaves"
                }
                if m.initHash != nil && (m.fixedBlockSize != nil || m.variableBlockSizes != nil) {
                    return "\(what) has an initHash (fragmented) and block sizes (non-fragmented)"
                }
            }
            let fragmented = merkle.filter { $0.initHash != nil }.count
            if fragmented != 0 && fragmented != merkle.count { return "the BMFF hash mixes fragmented (initHash) and non-fragmented Merkle maps" }
            if hash == nil && fragmented == 0 {
                return "non-fragmented Merkle trees without a hash leave every byte outside the mdat payloads unsigned"
            }
        }
        return nil
    }

    /// Whether `e` is one of the exclusions C2PA 2.2 requires (A.5.6): `/uuid` with the C2PA extended type at
    /// offset 8, `/ftyp`, `/mfra`, and with Merkle trees and a hash, `/mdat` from offset 16 on.
    func isMandatory(_ e: Exclusion) -> Bool {
        let bare = e.length == nil && e.version == nil && e.flags == nil && e.exact == nil
        switch e.xpath {
        case "/uuid": return bare && e.subset == nil && e.data == [DataMatch(offset: 8, value: Self.c2paUUID)]
        case "/ftyp", "/mfra": return bare && e.subset == nil && e.data == nil
        case "/mdat": return bare && e.data == nil && merkle != nil && hash != nil && e.subset == [Subset(offset: 16, length: 0)]
        default: return false
        }
    }
}

/// Computes and checks BMFF hashes (`c2pa.hash.bmff.v2` / `.v3`) over a file, streaming it.
///
/// The digest is c2pa-rs 0.91.3's: every box whose index-free path, length, version, flags and data match an
/// exclusion is removed (wholly, or the subset ranges); then each top-level box not wholly excluded contributes its
/// absolute offset as 8 big-endian bytes followed by its remaining bytes, in file order. Paths are built only through
/// the containers c2pa-rs descends into. Memory grows with the number of boxes and exclusions, never with the size of
/// the file.
public struct BMFFHasher: Sendable {
    public let reader: FileReader
    /// The containers c2pa-rs descends into when it builds paths (bmff_io.rs, `build_bmff_tree`).
    static let containers: Set<String> = [
        "moov", "trak", "mdia", "minf", "stbl", "moof", "traf", "edts", "udta", "dinf", "tref", "treg", "mvex", "mfra", "meta", "schi",
    ]
    /// The ISO/IEC 14496-12 FullBox types c2pa-rs reads version and flags of (plus the C2PA `uuid` box).
    static let fullBoxTypes: Set<String> = [
        "pdin", "mvhd", "tkhd", "mdhd", "hdlr", "nmhd", "elng", "stsd", "stdp", "stts", "ctts", "cslg", "stss", "stsh", "elst", "dref",
        "stsz", "stz2", "stsc", "stco", "co64", "padb", "subs", "saiz", "saio", "mehd", "trex", "mfhd", "tfhd", "trun", "tfra", "mfro",
        "tfdt", "leva", "trep", "assp", "sbgp", "sgpd", "csgp", "cprt", "tsel", "kind", "meta", "xml ", "bxml", "iloc", "pitm", "ipro",
        "infe", "iinf", "iref", "ipma", "schm", "fiin", "fpar", "fecr", "gitn", "fire", "stri", "stsg", "stvi", "csch", "sidx", "ssix",
        "prft", "srpp", "vmhd", "smhd", "srat", "chnl", "dmix", "txtC", "mime", "uri ", "uriI", "hmhd", "sthd", "vvhd", "medc",
    ]
    /// Boxes a player reads to find, order, time, decode or lay out what it presents. Excluding any byte of one (other
    /// than inside an excluded child of another type) would let unsigned bytes change what is shown, so the validator
    /// refuses it. `mdat` is allowed only where a Merkle tree covers it.
    static let presentationTypes: Set<String> = [
        "moov", "mvhd", "trak", "tkhd", "tref", "edts", "elst", "mdia", "mdhd", "hdlr", "elng", "minf", "vmhd", "smhd", "hmhd", "nmhd",
        "sthd", "dinf", "dref", "url ", "urn ", "stbl", "stsd", "stts", "ctts", "cslg", "stss", "stsh", "sdtp", "stsc", "stsz", "stz2",
        "stco", "co64", "padb", "subs", "sbgp", "sgpd", "csgp", "saiz", "saio", "stdp", "mvex", "mehd", "trex", "trep", "leva", "moof",
        "mfhd", "traf", "tfhd", "trun", "tfdt", "sidx", "ssix", "mdat", "idat", "meta", "iloc", "iinf", "infe", "pitm", "iref", "iprp",
        "ipco", "ipma", "grpl", "ipro", "sinf", "frma", "schm", "schi", "tenc", "avcC", "hvcC", "av1C", "vpcC", "colr", "pasp", "clap",
        "irot", "imir", "ispe", "pixi", "auxC",
    ]
    /// Bounds on the work a hostile assertion can ask for.
    static let maxExclusions = 10_000
    static let maxMatchedRanges = 2_000_000
    static let maxDataConditionBytes: Int64 = 256 << 20
    /// The largest auxiliary `merkle` box read.
    static let maxMerkleBoxSize: Int64 = 1 << 20

    struct Node: Sendable {
        var type: String
        var range: Range<Int64>
        var payloadStart: Int64
        var userType: [UInt8]?
        var parent: Int?
        /// 1-based position among the parent's children of the same type (xpath `[n]`).
        var typeIndex: Int
        var children: [Int] = []
        var isTopLevel: Bool { parent == nil }
        var isC2PAUUID: Bool { type == "uuid" && userType == BMFF.c2paUserType }
    }

    let nodes: [Node]
    /// Indices of the top-level boxes, in file order.
    let topLevel: [Int]
    /// Index-free path (type codes from the top) to the boxes with that path, in file order.
    let paths: [[UInt32]: [Int]]

    /// Indexes `boxes` (from ``BMFF/boxes(_:)`` over `reader`).
    ///
    /// - Throws: `mismatch` for boxes nested deeper than ``BMFF/maxDepth`` (c2pa-rs refuses them too).
    public init(reader: FileReader, boxes: [BMFFBox]) throws(BMFFHashError) {
        self.reader = reader
        var nodes: [Node] = []
        var topLevel: [Int] = []
        var paths: [[UInt32]: [Int]] = [:]
        func add(_ list: [BMFFBox], parent: Int?, path: [UInt32], depth: Int) throws(BMFFHashError) {
            guard depth < BMFF.maxDepth else { throw .mismatch("ISO BMFF boxes nested deeper than \(BMFF.maxDepth)") }
            var seen: [UInt32: Int] = [:]
            for box in list {
                let n = (seen[box.typeCode] ?? 0) + 1
                seen[box.typeCode] = n
                let index = nodes.count
                nodes.append(Node(type: box.type, range: box.range, payloadStart: box.payloadStart, userType: box.userType, parent: parent, typeIndex: n))
                if let parent { nodes[parent].children.append(index) } else { topLevel.append(index) }
                let here = path + [box.typeCode]
                paths[here, default: []].append(index)
                if Self.containers.contains(box.type) {
                    try add(box.children, parent: index, path: here, depth: depth + 1)
                }
            }
        }
        try add(boxes, parent: nil, path: [], depth: 0)
        self.nodes = nodes
        self.topLevel = topLevel
        self.paths = paths
    }

    /// Parses the box tree of `reader` and indexes it.
    ///
    /// - Throws: `mismatch` when the file is not a well-formed ISO BMFF box sequence.
    public init(reader: FileReader) throws(BMFFHashError) {
        let boxes: [BMFFBox]
        do {
            boxes = try BMFF.boxes(reader)
        } catch {
            throw .mismatch("the asset is not a well-formed ISO BMFF file: \(error)")
        }
        try self.init(reader: reader, boxes: boxes)
    }

    // MARK: Exclusions

    /// One byte range an exclusion removes, from the box `node` it matched.
    struct ExcludedRange: Sendable {
        var range: Range<Int64>
        var node: Int
        var entry: Int
        var wholeBox: Bool
    }

    struct Exclusions: Sendable {
        var ranges: [ExcludedRange]
        /// Offsets of the top-level boxes not wholly excluded, ascending (empty for a v1 hash).
        var markers: [Int64]
    }

    /// The boxes `xpath` selects: the exact index-free path, then each `[n]` step checked against the box's position
    /// among same-type siblings (C2PA 2.2, 18.6.2; c2pa-rs looks `[n]` paths up verbatim and matches nothing).
    func boxes(matching xpath: BMFFXPath) -> [Int] {
        let candidates = paths[xpath.steps.map(\.typeCode)] ?? []
        guard xpath.steps.contains(where: { $0.index != nil }) else { return candidates }
        return candidates.filter { index in
            var node: Int? = index
            for step in xpath.steps.reversed() {
                guard let n = node else { return false }
                if let wanted = step.index, nodes[n].typeIndex != wanted { return false }
                node = nodes[n].parent
            }
            return true
        }
    }

    /// A FullBox's version and 24-bit flags; `nil` for a box that is not one (or too short to hold them).
    func versionAndFlags(_ index: Int) throws(BMFFHashError) -> (UInt8, UInt32)? {
        let node = nodes[index]
        guard Self.fullBoxTypes.contains(node.type) || node.isC2PAUUID, node.range.upperBound - node.payloadStart >= 4 else { return nil }
        let b: [UInt8]
        do {
            b = try reader.read(at: node.payloadStart, count: 4)
        } catch {
            throw .mismatch("the asset could not be read: \(error)")
        }
        return (b[0], UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3]))
    }

    /// Evaluates the exclusions against the boxes (C2PA 2.2, 18.6.2):
    ///
    /// - `length`: the box's size, header included;
    /// - `version`, `flags`/`exact`: the box must be a FullBox and match, per the spec. (c2pa-rs ignores both for
    ///   other boxes, and compares `flags` shifted into the wrong byte so that non-zero flags never match exactly and
    ///   the inexact test is inverted; no c2pa-rs version writes these fields.)
    /// - `data`: the bytes at the box's start + `offset`. As in c2pa-rs the read is not bounded by the box; one past
    ///   the end of the file is a mismatch.
    /// - `subset`: ranges from the box's start, clipped to the box; an offset past the box is skipped.
    ///
    /// A wholly excluded top-level box loses its offset marker.
    func exclusions(_ assertion: BMFFHashAssertion, markers: Bool) throws(BMFFHashError) -> Exclusions {
        guard assertion.exclusions.count <= Self.maxExclusions else {
            throw .malformed("the BMFF hash has \(assertion.exclusions.count) exclusions, more than \(Self.maxExclusions)")
        }
        var ranges: [ExcludedRange] = []
        var removed = Set<Int64>()
        var dataBytes: Int64 = 0
        var versionCache: [Int: (UInt8, UInt32)?] = [:]
        for (entry, e) in assertion.exclusions.enumerated() {
            guard let xpath = BMFFXPath(e.xpath) else { throw .malformed("exclusion \(entry): xpath \(e.xpath) is not in the syntax C2PA allows") }
            candidates: for index in boxes(matching: xpath) {
                let node = nodes[index]
                let size = node.range.upperBound - node.range.lowerBound
                if let length = e.length, Int64(length) != size { continue }
                if e.version != nil || e.flags != nil {
                    let vf: (UInt8, UInt32)?
                    if let cached = versionCache[index] { vf = cached } else {
                        vf = try versionAndFlags(index)
                        versionCache[index] = vf
                    }
                    guard let (version, flags) = vf else { continue }
                    if let v = e.version, v != version { continue }
                    if let f = e.flags {
                        let wanted = UInt32(f[0]) << 16 | UInt32(f[1]) << 8 | UInt32(f[2])
                        if e.exact ?? true {
                            if flags != wanted { continue }
                        } else if flags & wanted != wanted {
                            continue
                        }
                    }
                }
                for d in e.data ?? [] {
                    let start = node.range.lowerBound + Int64(d.offset)
                    let (end, overflow) = start.addingReportingOverflow(Int64(d.value.count))
                    guard !overflow, end <= reader.size else {
                        throw .mismatch("exclusion \(entry) (\(e.xpath)) compares \(d.value.count) bytes at \(start), past the end of the \(reader.size)-byte asset")
                    }
                    dataBytes += Int64(d.value.count)
                    guard dataBytes <= Self.maxDataConditionBytes else { throw .malformed("the BMFF hash's data conditions compare too many bytes") }
                    let bytes: [UInt8]
                    do {
                        bytes = try reader.read(at: start, count: d.value.count)
                    } catch {
                        throw .mismatch("the asset could not be read: \(error)")
                    }
                    if bytes != d.value { continue candidates }
                }
                if let subset = e.subset {
                    for s in subset where s.offset <= UInt64(size) {
                        let rest = UInt64(size) - s.offset
                        let length = s.length == 0 ? rest : min(s.length, rest)
                        let start = node.range.lowerBound + Int64(s.offset)
                        ranges.append(ExcludedRange(range: start..<(start + Int64(length)), node: index, entry: entry, wholeBox: false))
                    }
                } else {
                    ranges.append(ExcludedRange(range: node.range, node: index, entry: entry, wholeBox: true))
                    if node.isTopLevel { removed.insert(node.range.lowerBound) }
                }
                guard ranges.count <= Self.maxMatchedRanges else { throw .malformed("the BMFF hash's exclusions match more than \(Self.maxMatchedRanges) ranges") }
            }
        }
        let markerList = markers ? topLevel.map { nodes[$0].range.lowerBound }.filter { !removed.contains($0) } : []
        return Exclusions(ranges: ranges, markers: markerList)
    }

    // MARK: Hashing

    enum PlanItem: Sendable, Equatable {
        /// 8 bytes: the big-endian absolute offset of a top-level box.
        case marker(Int64)
        case data(Range<Int64>)
    }

    /// Sorted, merged, non-empty ranges.
    static func merged(_ ranges: [Range<Int64>]) -> [Range<Int64>] {
        var out: [Range<Int64>] = []
        for r in ranges.filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, r.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }

    /// What is hashed, in order (c2pa-rs's `build_hash_ranges`): the included runs, each split at the top-level box
    /// offsets it contains with a marker there; a marker whose box starts in an excluded stretch is kept only if it
    /// lies strictly between the first and last included byte.
    ///
    /// One deliberate difference: c2pa-rs hashes an included run of exactly one byte that starts at a top-level box as
    /// that box's offset again instead of the byte, leaving the byte unsigned; here the byte is hashed.
    func plan(excluding excluded: [Range<Int64>], markers: [Int64]) throws(BMFFHashError) -> [PlanItem] {
        let size = reader.size
        if let past = excluded.first(where: { $0.lowerBound < 0 || $0.upperBound > size }) {
            throw .mismatch("an exclusion (\(past.lowerBound)..<\(past.upperBound)) runs past the end of the \(size)-byte asset")
        }
        var runs: [Range<Int64>] = []
        var cursor: Int64 = 0
        for r in Self.merged(excluded) {
            if r.lowerBound > cursor { runs.append(cursor..<r.lowerBound) }
            cursor = max(cursor, r.upperBound)
        }
        if cursor < size { runs.append(cursor..<size) }
        let marks = Array(Set(markers)).sorted()
        let first = runs.first?.lowerBound ?? 0
        let last = runs.last.map { $0.upperBound - 1 } ?? size - 1
        var out: [PlanItem] = []
        var m = 0
        for run in runs {
            while m < marks.count, marks[m] < run.lowerBound {
                if first < marks[m] && marks[m] < last { out.append(.marker(marks[m])) }
                m += 1
            }
            var start = run.lowerBound
            while m < marks.count, marks[m] < run.upperBound {
                if marks[m] > start {
                    out.append(.data(start..<marks[m]))
                    start = marks[m]
                }
                out.append(.marker(marks[m]))
                m += 1
            }
            out.append(.data(start..<run.upperBound))
        }
        while m < marks.count {
            if first < marks[m] && marks[m] < last { out.append(.marker(marks[m])) }
            m += 1
        }
        return out
    }

    /// Hashes a plan, streaming the data ranges.
    func digest(_ plan: [PlanItem], alg: HashAlgorithm) throws(BMFFHashError) -> [UInt8] {
        var hasher = alg.makeHasher()
        do {
            for item in plan {
                switch item {
                case .marker(let offset):
                    withUnsafeBytes(of: UInt64(offset).bigEndian) { hasher.update($0) }
                case .data(let range):
                    try reader.stream(range: range, chunkSize: 1 << 20) { hasher.update($0) }
                }
            }
        } catch {
            throw .mismatch("the asset could not be read: \(error)")
        }
        return hasher.finalize()
    }

    /// The BMFF hash of the file under `assertion`'s exclusions: with offset markers for version 2 and 3 (they hash
    /// identically), without for version 1. `extraExclusions` are removed as raw byte ranges (fragment windows).
    public func digest(_ assertion: BMFFHashAssertion, version: Int = 3, alg: HashAlgorithm) throws(BMFFHashError) -> [UInt8] {
        let ex = try exclusions(assertion, markers: version >= 2)
        return try digest(plan(excluding: ex.ranges.map(\.range), markers: ex.markers), alg: alg)
    }

    func digest(_ ex: Exclusions, extra: [Range<Int64>] = [], alg: HashAlgorithm) throws(BMFFHashError) -> [UInt8] {
        try digest(plan(excluding: ex.ranges.map(\.range) + extra, markers: ex.markers), alg: alg)
    }

    /// For signing: Signet's assertion (``BMFFHashAssertion/signetDefault(alg:hash:)``) with its hash computed over
    /// the file at `reader`. The caller writes the asset with a placeholder store of the final size, calls this on the
    /// written file, signs, then writes the final store of the same size in place.
    public static func signingHash(of reader: FileReader, alg: HashAlgorithm = .sha256) throws(BMFFHashError) -> BMFFHashAssertion {
        let hasher = try BMFFHasher(reader: reader)
        var assertion = BMFFHashAssertion.signetDefault(alg: alg.name)
        assertion.hash = try hasher.digest(assertion, version: 3, alg: alg)
        return assertion
    }
}
