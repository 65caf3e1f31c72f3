import Foundation
import SignetCBOR
import SignetMedia

/// The asset a manifest store is checked against, and where the store sits in it.
///
/// Which bytes carry the store comes from parsing the asset (the container layer), never from the store: a
/// data hash's exclusions are checked against these ranges (C2PA 2.2, 15.12.1).
public struct BoundAsset: Sendable {
    public var reader: FileReader
    /// The asset's ranges that carry the store, format headers included (JPEG: every APP11 segment of the store
    /// from its `FF EB` marker; PNG: the whole `caBX` chunk), in file order. Empty when the store came from
    /// somewhere else (a sidecar): then no byte of the asset may be excluded from the hash.
    public var storeRanges: [Range<Int64>]
    /// The asset's ranges that decide how its content is read (``AssetScan/protectedRanges``): no exclusion but the
    /// store's may reach into them.
    public var protectedRanges: [Range<Int64>]

    public init(reader: FileReader, storeRanges: [Range<Int64>], protectedRanges: [Range<Int64>] = []) {
        self.reader = reader
        self.storeRanges = storeRanges
        self.protectedRanges = protectedRanges
    }
}

/// Digests computed during one verification, so that each (byte range, algorithm) of the store is hashed at most
/// once however many references a hostile store makes to it, and a tally that bounds the rest of the work.
final class VerificationMemo {
    private struct Key: Hashable {
        var lower: Int
        var upper: Int
        var alg: String
    }
    private var digests: [Key: [UInt8]] = [:]
    private var decodes: [Range<Int>: Bool] = [:]
    /// Bytes of the store hashed so far (the work a hostile store can force is bounded by its size per algorithm).
    private(set) var hashedByteCount = 0

    /// The digest of `store.bytes[range]`, computed once.
    func digest(_ alg: HashAlgorithm, of range: Range<Int>, in bytes: [UInt8]) -> [UInt8] {
        let key = Key(lower: range.lowerBound, upper: range.upperBound, alg: alg.name)
        if let known = digests[key] { return known }
        let value = alg.hash(bytes[range])
        hashedByteCount += range.count
        digests[key] = value
        return value
    }

    /// Whether the content at `range` decodes (CBOR or JSON), decided once.
    func decodes(_ range: Range<Int>, _ check: () -> Bool) -> Bool {
        if let known = decodes[range] { return known }
        let value = check()
        decodes[range] = value
        return value
    }
}

/// The hard binding labels C2PA 2.2 defines (15.10.1.2).
enum HardBindingLabels {
    static let all: Set<String> = ["c2pa.hash.data", "c2pa.hash.boxes", "c2pa.hash.collection.data", "c2pa.hash.bmff"]

    /// Whether an assertion label (as the claim's hashed URI names it) is a hard binding: `c2pa.hash.bmff.v2`,
    /// `c2pa.hash.data__1` and so on count.
    static func isHardBinding(_ label: String) -> Bool { all.contains(AssertionBox.baseLabel(of: label)) }
}

extension ManifestValidator {
    /// The first of `sorted` (ascending, disjoint: ``AssetScan/protectedRanges``) that overlaps `r`, found by
    /// binary search, so that many exclusions against many ranges stay cheap.
    static func firstOverlap(of r: Range<Int64>, in sorted: [Range<Int64>]) -> Range<Int64>? {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid].upperBound <= r.lowerBound { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low].overlaps(r) ? sorted[low] : nil
    }

    /// Checks a `c2pa.hash.data` assertion against the asset (C2PA 2.2, 15.12.1):
    ///
    /// - exclusions in order, not overlapping, not negative (else `assertion.dataHash.malformed`);
    /// - none past the end of the asset (else `assertion.dataHash.mismatch`);
    /// - the store's carrier ranges each excluded exactly, and no exclusion reaching into them while covering
    ///   anything else (else `assertion.dataHash.mismatch`); with the store outside the asset (a sidecar), no
    ///   exclusion at all, since nothing would cover the excluded bytes;
    /// - no other exclusion reaching into the structure that decides how the asset is read (a TIFF's IFDs and strip
    ///   tables; ``BoundAsset/protectedRanges``), else `assertion.dataHash.mismatch`: other exclusions may hold
    ///   only metadata (15.12.1), and c2pa-rs's own BigTIFF count-field exclusion lands on another entry;
    /// - more than one exclusion: `assertion.dataHash.additionalExclusionsPresent` (informational), as c2pa-rs;
    /// - then the hash over every other byte.
    ///
    /// `updated`: the binding belongs to a standard manifest reached through update manifests, so the exclusion
    /// that starts where the store starts stands for the store's current length (15.12.1.1).
    func checkDataHash(
        _ binding: AssertionBox, url: String, claimAlg: String?, asset: BoundAsset, updated: Bool, into s: inout StatusLists
    ) {
        guard let content = binding.content, let cbor = try? CBORDecoder().decode(content) else {
            s.failure.append(.init(.assertionDataHashMalformed, url: url, "data hash assertion is malformed"))
            return
        }
        let dataHash: DataHashAssertion
        do {
            dataHash = try DataHashAssertion(cbor: cbor)
        } catch {
            s.failure.append(.init(.assertionDataHashMalformed, url: url, "data hash assertion is malformed: \(error.reason)"))
            return
        }
        var exclusions = dataHash.exclusions
        for (a, b) in zip(exclusions, exclusions.dropFirst()) where a.upperBound > b.lowerBound {
            s.failure.append(.init(.assertionDataHashMalformed, url: url,
                "data hash exclusions overlap or are out of order (\(a.lowerBound)+\(a.upperBound - a.lowerBound) then \(b.lowerBound))"))
            return
        }
        guard let alg = Self.hashAlgorithm(dataHash.alg, claimAlg: claimAlg, what: "data hash", url: url, into: &s) else { return }
        if dataHash.url != nil {
            s.failure.append(.init(.assertionDataHashMismatch, url: url, "data hash names a remote asset; only local assets are checked"))
            return
        }
        let size = asset.reader.size
        if updated, let storeStart = asset.storeRanges.first, let i = exclusions.firstIndex(where: { $0.lowerBound == storeStart.lowerBound }) {
            let delta = Int64(storeStart.count - exclusions[i].count)
            exclusions[i] = storeStart
            for j in exclusions.indices where j > i {
                exclusions[j] = (exclusions[j].lowerBound + delta)..<(exclusions[j].upperBound + delta)
            }
        }
        if let past = exclusions.first(where: { $0.upperBound > size }) {
            s.failure.append(.init(.assertionDataHashMismatch, url: url,
                "a data hash exclusion (\(past.lowerBound)+\(past.count)) runs past the end of the \(size)-byte asset"))
            return
        }
        let nonEmpty = exclusions.filter { !$0.isEmpty }
        if asset.storeRanges.isEmpty {
            if let first = nonEmpty.first {
                s.failure.append(.init(.assertionDataHashMismatch, url: url,
                    "the data hash excludes \(first.lowerBound)+\(first.count) but the manifest store is not embedded in the asset, so no signature covers those bytes"))
                return
            }
        } else {
            for store in asset.storeRanges where !nonEmpty.contains(store) {
                s.failure.append(.init(.assertionDataHashMismatch, url: url,
                    "no data hash exclusion is exactly the manifest store's bytes (\(store.lowerBound)+\(store.count))"))
                return
            }
            for e in nonEmpty where !asset.storeRanges.contains(e) && asset.storeRanges.contains(where: { $0.overlaps(e) }) {
                s.failure.append(.init(.assertionDataHashMismatch, url: url,
                    "the data hash exclusion \(e.lowerBound)+\(e.count) holds more than the manifest store"))
                return
            }
        }
        for e in nonEmpty where !asset.storeRanges.contains(e) {
            if let p = Self.firstOverlap(of: e, in: asset.protectedRanges) {
                let start = max(p.lowerBound, e.lowerBound)
                s.failure.append(.init(.assertionDataHashMismatch, url: url,
                    "the data hash exclusion \(e.lowerBound)+\(e.count) leaves unsigned the asset's structure at offset \(start) (how its content is read), not only metadata"))
                return
            }
        }
        if exclusions.count > 1 {
            s.informational.append(.init("assertion.dataHash.additionalExclusionsPresent", url: url,
                "the data hash has \(exclusions.count) exclusions: bytes other than the manifest store are not covered"))
        }
        do {
            let digest = try AssetHasher.hash(asset.reader, excluding: exclusions, algorithm: alg)
            if digest == dataHash.hash {
                s.success.append(.init(.assertionDataHashMatch, url: url, "data hash valid"))
            } else {
                s.failure.append(.init(.assertionDataHashMismatch, url: url, "asset hash does not match the data hash assertion"))
            }
        } catch {
            s.failure.append(.init(.assertionDataHashMismatch, url: url, "asset could not be read to the end: \(error)"))
        }
    }
}
