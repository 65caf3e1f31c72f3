import Foundation
import SignetCBOR
import SignetMedia

extension Builder {
    /// Signs a fragmented presentation (DASH or CMAF): an initialization segment and its fragment files, as one
    /// asset (C2PA 2.2, A.5.4.1.2 and 15.12.2.2).
    ///
    /// Each fragment gets a C2PA `merkle` box right before its `moof` (all of one size, so the layout is fixed before
    /// any hash is known) and is written to `fragmentsDirectory` under its own file name; its leaf is the BMFF hash
    /// of the written fragment, whose default exclusions leave out the `merkle` box. The leaves, in the order given,
    /// form one Merkle tree; the manifest in the initialization segment (written to `output`) stores its root with
    /// the initialization segment's own hash (`initHash`), and each `merkle` box the proof from its leaf to the root.
    /// A fragment that is swapped, dropped, reordered or edited then fails on its own, by name.
    ///
    /// Fragments are written first (each through a temporary file and a rename, then its proof written in place),
    /// the initialization segment last: until it exists the outputs carry no manifest.
    public func signFragmented(
        initSegment: String, fragments: [String], output: String, fragmentsDirectory: String, options: SignOptions = .init()
    ) async throws(SignError) -> SignResult {
        guard !fragments.isEmpty else { throw SignError(code: .invalidOptions, reason: "no fragment files given") }
        guard fragments.count <= Int(UInt32.max) else { throw SignError(code: .invalidOptions, reason: "too many fragments") }
        guard !options.sidecar else {
            throw SignError(code: .invalidOptions, reason: "fragmented presentations are signed with embedded manifests only")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: fragmentsDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SignError(code: .outputFailed, reason: "\(fragmentsDirectory) is not a directory")
        }
        let destinations = fragments.map { fragmentsDirectory + "/" + URL(fileURLWithPath: $0).lastPathComponent }
        guard Set(destinations).count == destinations.count else {
            throw SignError(code: .invalidOptions, reason: "two fragment files have the same name")
        }
        for (source, destination) in zip(fragments, destinations) where Self.samePath(source, destination) || Self.samePath(initSegment, destination) {
            throw SignError(code: .outputIsInput, reason: "the signed fragment would overwrite the input \(source); choose another directory")
        }
        let initReader: FileReader
        do {
            initReader = try FileReader(path: initSegment)
            let scan = try AssetContainer.scan(initReader)
            guard scan.format.container == .bmff else {
                throw SignError(code: .unsupportedFormat, reason: "\(initSegment): an initialization segment must be ISO BMFF (MP4)")
            }
        } catch let error as SignError {
            throw error
        } catch {
            throw SignError(code: .corruptInput, reason: "\(initSegment): \(error)")
        }
        let alg = HashAlgorithm.sha256
        let ids = (uniqueId: UInt32(1), localId: Self.firstTrackID(initReader) ?? 1)
        let rowsCount = BMFFMerkleTree.layout(fragments.count).count
        // Every box the same size: room for the longest proof (one sibling per row below the root).
        let longest = BMFFMerkleBoxMap(
            uniqueId: UInt32.max, localId: UInt32.max, location: UInt32.max,
            hashes: [[UInt8]](repeating: [UInt8](repeating: 0, count: 64), count: max(rowsCount - 1, 0)))
        let boxSize = BMFFContainer.merkleBoxHeaderSize + CBOREncoder().encode(longest.cbor).count
        let template = BMFFHashAssertion.signetDefault(alg: alg.name)

        // 1. Each fragment with a placeholder box, written and hashed.
        var leaves: [[UInt8]] = []
        var boxOffsets: [Int64] = []
        for (i, (source, destination)) in zip(fragments, destinations).enumerated() {
            do {
                let reader = try FileReader(path: source)
                let plan = try BMFFContainer.fragmentPlan(reader, boxSize: boxSize)
                let placeholder = try BMFFContainer.merkleBox(
                    cbor: CBOREncoder().encode(BMFFMerkleBoxMap(uniqueId: ids.uniqueId, localId: ids.localId, location: UInt32(i), hashes: []).cbor),
                    size: boxSize)
                let out = try OutputFile(destination: destination, overwrite: options.overwrite)
                do {
                    try AssetContainer.write(from: reader, plan: plan, encodedStore: placeholder, to: out) { _ in }
                    try out.commit()
                } catch {
                    out.discard()
                    throw error
                }
                leaves.append(try BMFFHasher(reader: FileReader(path: destination)).digest(template, version: 3, alg: alg))
                boxOffsets.append(plan.storeRange.lowerBound)
            } catch let error as MediaError where error.code == .outputExists {
                throw SignError(code: .outputExists, reason: "\(error.reason) (use --force to replace it)")
            } catch let error as MediaError where error.code == .unsupportedFormat || error.code == .corrupt || error.code == .truncated {
                throw SignError(code: .corruptInput, reason: "\(source): \(error.reason)")
            } catch {
                throw SignError(code: .outputFailed, reason: "\(destination): \(error)")
            }
        }

        // 2. The tree; each fragment's proof written over its placeholder.
        let rows = BMFFMerkleTree.rows(leaves: leaves, alg: alg)
        let stored = rows.count - 1
        for (i, destination) in destinations.enumerated() {
            let map = BMFFMerkleBoxMap(
                uniqueId: ids.uniqueId, localId: ids.localId, location: UInt32(i),
                hashes: BMFFMerkleTree.proof(index: i, rows: rows, storedRow: stored))
            do {
                let box = try BMFFContainer.merkleBox(cbor: CBOREncoder().encode(map.cbor), size: boxSize)
                try OutputFile.overwriteCommitted(destination, at: boxOffsets[i], with: box)
            } catch {
                throw SignError(code: .outputFailed, reason: "\(destination): \(error)")
            }
        }

        // 3. The initialization segment, its manifest storing the root and its own hash.
        var initOptions = options
        initOptions.bmffMerkle = [
            BMFFHashAssertion.MerkleMap(uniqueId: ids.uniqueId, localId: ids.localId, count: UInt32(fragments.count), hashes: rows[stored])
        ]
        return try await sign(input: initSegment, output: output, options: initOptions)
    }

    /// The `track_ID` of the first `moov/trak/tkhd`, the Merkle map's `localId` (A.5.4.1.2: one tree per track).
    static func firstTrackID(_ reader: FileReader) -> UInt32? {
        guard let tree = try? BMFF.boxes(reader),
            let trak = tree.first(where: { $0.type == "moov" })?.children.first(where: { $0.type == "trak" }),
            let tkhd = trak.children.first(where: { $0.type == "tkhd" }),
            let head = try? reader.read(at: tkhd.payloadStart, count: 24)
        else { return nil }
        let at = head[0] == 1 ? 20 : 12
        guard head.count >= at + 4 else { return nil }
        return head[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
