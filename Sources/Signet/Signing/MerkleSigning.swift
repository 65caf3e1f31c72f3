import Foundation
import SignetMedia

/// Merkle trees over the media data of a (non-fragmented) ISO BMFF file, so a player can check each block as it
/// arrives instead of the whole file at the end (C2PA 2.2, A.5.4.1.1).
///
/// As c2pa-rs writes them: one tree per top-level `mdat` (`uniqueId` 0, `localId` the `mdat`'s index), leaves of
/// `fixedBlockSize` bytes from the `mdat`'s start + 16 (the last one shorter), and an exclusion of `/mdat` from
/// offset 16 so the file hash leaves the payload to the trees. Signet stores each tree's leaves in the manifest
/// (the row a player needs to check blocks as they stream), so no `merkle` boxes are added to the file.
enum MdatMerkle {
    /// The smallest block accepted (1 KiB): smaller blocks would make the manifest larger than the data they check.
    static let minimumBlockSize = 1024

    /// The top-level `mdat` boxes of a file, in order.
    static func mdats(_ reader: FileReader) throws -> [BMFFBox] {
        try BMFF.boxes(reader).filter { $0.type == "mdat" }
    }

    static func leafCount(_ mdat: BMFFBox, blockSize: Int) -> Int {
        let payload = mdat.range.count - 16
        return payload <= 0 ? 0 : (payload + blockSize - 1) / blockSize
    }

    /// The assertion for `mdats` with `leaves` (one row per `mdat`; zero-filled placeholders of the right size
    /// when `nil`) and `hash` (the file hash).
    static func assertion(mdats: [BMFFBox], blockSize: Int, leaves: [[[UInt8]]]?, hash: [UInt8]?) -> BMFFHashAssertion {
        var assertion = BMFFHashAssertion.signetDefault(alg: "sha256", hash: hash)
        assertion.exclusions.append(.init(xpath: "/mdat", subset: [.init(offset: 16, length: 0)]))
        assertion.merkle = mdats.enumerated().map { i, mdat in
            let count = leafCount(mdat, blockSize: blockSize)
            return BMFFHashAssertion.MerkleMap(
                uniqueId: 0, localId: UInt32(i), count: UInt32(count),
                hashes: leaves?[i] ?? [[UInt8]](repeating: [UInt8](repeating: 0, count: 32), count: count),
                fixedBlockSize: UInt64(blockSize))
        }
        return assertion
    }

    /// SHA-256 of each `blockSize` block of each `mdat`'s payload from offset 16, streamed.
    static func leaves(_ reader: FileReader, mdats: [BMFFBox], blockSize: Int) throws -> [[[UInt8]]] {
        try mdats.map { mdat in
            var rows: [[UInt8]] = []
            let payload = (mdat.range.lowerBound + 16)..<mdat.range.upperBound
            guard !payload.isEmpty else { return rows }
            var hasher = HashAlgorithm.sha256.makeHasher()
            var filled = 0
            try reader.stream(range: payload, chunkSize: 1 << 20) { chunk in
                var offset = 0
                while offset < chunk.count {
                    let n = min(blockSize - filled, chunk.count - offset)
                    hasher.update(UnsafeRawBufferPointer(rebasing: chunk[offset..<(offset + n)]))
                    filled += n
                    offset += n
                    if filled == blockSize {
                        rows.append(hasher.finalize())
                        hasher = HashAlgorithm.sha256.makeHasher()
                        filled = 0
                    }
                }
            }
            if filled > 0 { rows.append(hasher.finalize()) }
            return rows
        }
    }
}
