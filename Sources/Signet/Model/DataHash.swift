import Crypto
import Foundation
import SignetCBOR
import SignetMedia

/// The hash algorithms C2PA names (`alg` fields): SHA-256, SHA-384, SHA-512.
public struct HashAlgorithm: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public static let sha256 = HashAlgorithm(raw: "sha256")
    public static let sha384 = HashAlgorithm(raw: "sha384")
    public static let sha512 = HashAlgorithm(raw: "sha512")

    public init?(name: String) {
        switch name.lowercased() {
        case "sha256": self = .sha256
        case "sha384": self = .sha384
        case "sha512": self = .sha512
        default: return nil
        }
    }
    private init(raw: String) { self.name = raw }
    public var description: String { name }

    public func hash(_ bytes: some DataProtocol) -> [UInt8] {
        switch name {
        case "sha384": return Array(SHA384.hash(data: bytes))
        case "sha512": return Array(SHA512.hash(data: bytes))
        default: return Array(SHA256.hash(data: bytes))
        }
    }

    /// A streaming hasher for this algorithm.
    public func makeHasher() -> StreamingHasher { StreamingHasher(self) }
}

/// Incremental hashing over byte buffers, for streaming a file through.
public struct StreamingHasher {
    private enum State { case sha256(SHA256), sha384(SHA384), sha512(SHA512) }
    private var state: State

    init(_ algorithm: HashAlgorithm) {
        switch algorithm.name {
        case "sha384": state = .sha384(SHA384())
        case "sha512": state = .sha512(SHA512())
        default: state = .sha256(SHA256())
        }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var h): h.update(bufferPointer: buffer); state = .sha256(h)
        case .sha384(var h): h.update(bufferPointer: buffer); state = .sha384(h)
        case .sha512(var h): h.update(bufferPointer: buffer); state = .sha512(h)
        }
    }

    public func finalize() -> [UInt8] {
        switch state {
        case .sha256(let h): return Array(h.finalize())
        case .sha384(let h): return Array(h.finalize())
        case .sha512(let h): return Array(h.finalize())
        }
    }
}

/// `c2pa.hash.data`, the hard binding of a manifest to the asset's bytes:
///
///     data-hash-map = { ? "exclusions": [1* exclusion-range-map], ? "name": tstr, ? "alg": tstr,
///                       "hash": bstr, ? "pad": bstr, ? "pad2": bstr, ? "url": uri }
///     exclusion-range-map = { "start": int, "length": int }
public struct DataHashAssertion: Sendable, Equatable {
    public static let label = "c2pa.hash.data"

    public var exclusions: [Range<Int64>]
    public var name: String?
    public var alg: String?
    public var hash: [UInt8]
    /// A remote asset's location (`url`): Signet, like c2pa-rs, checks only local assets.
    public var url: String?

    public init(exclusions: [Range<Int64>], name: String? = "jumbf manifest", alg: String? = "sha256", hash: [UInt8]) {
        self.exclusions = exclusions
        self.name = name
        self.alg = alg
        self.hash = hash
    }

    /// Decodes the assertion; `nil` with a reason when a field has the wrong type or a range is impossible.
    public init(cbor: CBOR) throws(ClaimDecodingError) {
        guard cbor.mapEntries != nil else { throw ClaimDecodingError(reason: "data hash is not a map") }
        guard let hash = cbor["hash"]?.bytesValue else { throw ClaimDecodingError(reason: "data hash has no hash") }
        self.hash = hash
        self.name = cbor["name"]?.stringValue
        self.alg = cbor["alg"]?.stringValue
        self.url = cbor["url"]?.stringValue
        var ranges: [Range<Int64>] = []
        for item in cbor["exclusions"]?.arrayValue ?? [] {
            guard let start = item["start"]?.int64Value, let length = item["length"]?.int64Value,
                start >= 0, length >= 0, start <= Int64.max - length
            else { throw ClaimDecodingError(reason: "data hash exclusion is malformed") }
            ranges.append(start..<(start + length))
        }
        self.exclusions = ranges
    }

    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = []
        if !exclusions.isEmpty {
            entries.append(
                .init(
                    "exclusions",
                    .array(exclusions.map { .map([.init("start", .int($0.lowerBound)), .init("length", .int($0.upperBound - $0.lowerBound))]) })
                ))
        }
        if let name { entries.append(.init("name", .textString(name))) }
        if let alg { entries.append(.init("alg", .textString(alg))) }
        entries.append(.init("hash", .byteString(hash)))
        // Optional in the spec, but c2pa-rs refuses a data hash without it.
        entries.append(.init("pad", .byteString([])))
        return .map(entries)
    }
}

enum AssetHasher {
    /// Hashes a file, skipping the excluded ranges, streaming in 4 MiB reads.
    static func hash(_ reader: FileReader, excluding: [Range<Int64>], algorithm: HashAlgorithm) throws -> [UInt8] {
        var hasher = algorithm.makeHasher()
        try reader.stream(excluding: excluding, chunkSize: 256 << 10) { hasher.update($0) }
        return hasher.finalize()
    }
}
