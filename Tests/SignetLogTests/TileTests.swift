import Foundation
import SignetLog
import Testing

@Test func tileIndicesAreZeroPaddedThreeDigitGroupsWithXPrefixes() {
    #expect(TilePath.encodeIndex(0) == "000")
    #expect(TilePath.encodeIndex(7) == "007")
    #expect(TilePath.encodeIndex(999) == "999")
    #expect(TilePath.encodeIndex(1000) == "x001/000")
    #expect(TilePath.encodeIndex(1234) == "x001/234")
    #expect(TilePath.encodeIndex(1_234_067) == "x001/x234/067")
    #expect(TilePath.encodeIndex(UInt64.max) == "x018/x446/x744/x073/x709/x551/615")
    #expect(TilePath.tile(level: 0, index: 1_234_067) == "tile/0/x001/x234/067")
    #expect(TilePath.tile(level: 1, index: 1, width: 17) == "tile/1/001.p/17")
    #expect(TilePath.entryBundle(index: 1234) == "tile/entries/x001/234")
    #expect(TilePath.entryBundle(index: 5, width: 1) == "tile/entries/005.p/1")
}

@Test func tileWidthsFollowTheTreeSize() {
    // A tree of 70,000: 273 full level-0 tiles and one of 112, one full level-1 tile and one of 17, one level-2 tile of 1.
    #expect(TilePath.width(level: 0, index: 272, treeSize: 70_000) == 256)
    #expect(TilePath.width(level: 0, index: 273, treeSize: 70_000) == 112)
    #expect(TilePath.width(level: 0, index: 274, treeSize: 70_000) == nil)
    #expect(TilePath.width(level: 1, index: 0, treeSize: 70_000) == 256)
    #expect(TilePath.width(level: 1, index: 1, treeSize: 70_000) == 17)
    #expect(TilePath.width(level: 2, index: 0, treeSize: 70_000) == 1)
    #expect(TilePath.width(level: 3, index: 0, treeSize: 70_000) == nil)
    #expect(TilePath.width(level: 1, index: 0, treeSize: 256) == 1)
    #expect(TilePath.width(level: 0, index: 1, treeSize: 256) == nil)
    #expect(TilePath.width(level: 9, index: 0, treeSize: UInt64.max) == nil)
}

@Test func aTreeOf70000PublishesExactlyTheSpecsTiles() throws {
    let entries = sampleEntries(70_000)
    let tree = try makeTree(entries)
    let files = try TileWriter.files(hashes: tree.store, entries: entries, treeSize: 70_000)
    var expected = Set<String>()
    for index in 0..<273 as Range<UInt64> {
        expected.insert(TilePath.tile(level: 0, index: index))
        expected.insert(TilePath.entryBundle(index: index))
    }
    expected.formUnion([
        "tile/0/273.p/112", "tile/entries/273.p/112", "tile/1/000", "tile/1/001.p/17", "tile/2/000.p/1",
    ])
    #expect(Set(files.map(\.path)) == expected)
    #expect(files.count == expected.count)
    for file in files where file.path.hasPrefix("tile/0/") || file.path.hasPrefix("tile/1/") || file.path.hasPrefix("tile/2/") {
        let width = file.path.contains(".p/") ? Int(file.path.split(separator: "/").last!)! : 256
        #expect(file.contents.count == width * 32, "\(file.path)")
    }
    let reader = TileReader(source: InMemoryTileSource(files), treeSize: 70_000)
    #expect(try reader.rootHash() == tree.rootHash())
    for index in [0, 255, 256, 65_535, 65_536, 69_999] as [UInt64] {
        let proof = try reader.inclusionProof(leafIndex: index)
        #expect(proof == (try tree.inclusionProof(leafIndex: index)))
        #expect(try reader.entry(at: index) == entries[Int(index)])
    }
}

@Test func smallTreesPublishTheSpecsTiles() throws {
    #expect(try TileWriter.files(hashes: InMemoryHashStore(), entries: [[UInt8]](), treeSize: 0).isEmpty)
    let entries = sampleEntries(256)
    let tree = try makeTree(entries)
    // A tree of 256: one full level-0 tile, one full entry bundle, a level-1 tile of width 1.
    let files = try TileWriter.files(hashes: tree.store, entries: entries, treeSize: 256)
    #expect(files.map(\.path).sorted() == ["tile/0/000", "tile/1/000.p/1", "tile/entries/000"])
    let one = try TileWriter.files(hashes: tree.store, entries: entries, treeSize: 1)
    #expect(one.map(\.path).sorted() == ["tile/0/000.p/1", "tile/entries/000.p/1"])
    let bundle = try #require(one.first { $0.path.hasPrefix("tile/entries") })
    #expect(bundle.contents == [0, 7] + bytes("entry 0"))
}

@Test(arguments: [1, 2, 3, 7, 8, 255, 256, 257, 511, 512, 513, 1000, 65_536, 65_537] as [UInt64])
func tilesRebuildTheTreesRootAndProofs(size: UInt64) throws {
    var generator = SplitMix64(seed: size)
    let entries = sampleEntries(Int(size))
    let tree = try makeTree(entries)
    let reader = TileReader(
        source: InMemoryTileSource(try TileWriter.files(hashes: tree.store, entries: entries, treeSize: size)),
        treeSize: size)
    let root = try tree.rootHash()
    #expect(try reader.rootHash() == root)
    for _ in 0..<20 {
        let index = UInt64.random(in: 0..<size, using: &generator)
        let proof = try reader.inclusionProof(leafIndex: index)
        #expect(proof == (try tree.inclusionProof(leafIndex: index)))
        #expect(proof.verify(leafHash: MerkleHash.leaf(entries[Int(index)]), rootHash: root) == .valid)
        let old = UInt64.random(in: 1...size, using: &generator)
        let consistency = try reader.consistencyProof(from: old)
        #expect(consistency == (try tree.consistencyProof(from: old)))
        #expect(consistency.verify(oldRoot: try tree.rootHash(treeSize: old), newRoot: root) == .valid)
    }
    // Every complete subtree hash the tiles can give equals the stored one.
    for level in 0..<min(17, UInt64.bitWidth - size.leadingZeroBitCount) {
        let count = size >> UInt64(level)
        for index in Set([0, count / 2, count - 1]) where count > 0 {
            #expect(try reader.hash(level: level, index: index) == tree.store.hash(level: level, index: index))
        }
    }
    #expect(errorCode { try reader.hash(level: 0, index: size) } == .missingData)
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("signetlog-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Test func publishedDirectoryVerifiesAgainstItsSignedCheckpoint() throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    var entries = sampleEntries(300)
    var tree = try makeTree(entries)
    let first = try TileWriter.publish(
        tree: tree, entries: entries, origin: "example.com/log", signers: [log], to: directory)
    let firstCheckpoint = try Checkpoint(text: first.text)
    #expect(firstCheckpoint.size == 300)

    // Grow the log and publish only what is new since 300.
    let more = sampleEntries(400, salt: "b")
    try tree.append(contentsOf: more)
    entries += more
    let newFiles = try TileWriter.files(hashes: tree.store, entries: entries, treeSize: 700, previousSize: 300)
    #expect(!newFiles.map(\.path).contains("tile/0/000"))  // full at 300: not rewritten
    #expect(newFiles.map(\.path).contains("tile/0/001"))  // partial at 300, full now
    try TileWriter.publish(
        tree: tree, entries: entries, origin: "example.com/log", signers: [log], to: directory, previousSize: 300)

    let source = DirectoryTileSource(directory: directory)
    let (reader, checkpoint) = try TileReader.open(source: source, verifiers: [log.verifier], origin: "example.com/log")
    #expect(checkpoint.size == 700)
    #expect(checkpoint.rootHash == (try tree.rootHash()))
    let proof = try reader.inclusionProof(leafIndex: 650)
    #expect(proof.verify(leafHash: MerkleHash.leaf(try reader.entry(at: 650)), rootHash: checkpoint.rootHash) == .valid)
    #expect(try reader.entry(at: 650) == entries[650])
    let consistency = try reader.consistencyProof(from: 300)
    #expect(consistency.verify(oldRoot: firstCheckpoint.rootHash, newRoot: checkpoint.rootHash) == .valid)
    // The partial tiles of the older checkpoint are still there, so its size can still be read.
    #expect(try TileReader(source: source, treeSize: 300).rootHash() == firstCheckpoint.rootHash)
    // A checkpoint signed by another key is refused.
    let stranger = try Ed25519NoteSigner.generate(name: "example.com/log")
    #expect(errorCode { try TileReader.open(source: source, verifiers: [stranger.verifier]) } == .unverifiedCheckpoint)
}

@Test func tamperedTilesAndBundlesAreDetected() throws {
    let entries = sampleEntries(700)
    let tree = try makeTree(entries)
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    let checkpoint = try Checkpoint(origin: "example.com/log", size: 700, rootHash: tree.rootHash())
    let files = try TileWriter.files(hashes: tree.store, entries: entries, treeSize: 700)
        + [TileFile(path: TilePath.checkpoint, contents: try checkpoint.sign(signers: [log]).encoded)]
    let clean = InMemoryTileSource(files)
    #expect(throws: Never.self) { try TileReader.open(source: clean, verifiers: [log.verifier]) }

    // 700 = 512 + 128 + 32 + 16 + 8 + 4: the root reads the level-1 tile and the level-0 tile 2.
    var source = clean
    source.files["tile/1/000.p/2"]![0] ^= 1
    #expect(errorCode { try TileReader.open(source: source, verifiers: [log.verifier]) } == .inconsistentData)

    // A changed leaf hash in tile 0 is not on the root's path, but breaks proofs and its entry.
    source = clean
    source.files["tile/0/000"]![5 * 32] ^= 1
    let (reader, opened) = try TileReader.open(source: source, verifiers: [log.verifier])
    let proof = try reader.inclusionProof(leafIndex: 4)
    #expect(proof.verify(leafHash: MerkleHash.leaf(entries[4]), rootHash: opened.rootHash) == .rootMismatch)
    #expect(errorCode { try reader.entry(at: 5) } == .inconsistentData)

    // A changed entry no longer matches its leaf hash.
    source = clean
    source.files["tile/entries/001"]![2] ^= 1
    #expect(errorCode { try TileReader(source: source, treeSize: 700).entries(bundle: 1) } == .inconsistentData)

    // Truncated, overlong and missing tiles.
    source = clean
    source.files["tile/0/002.p/188"]!.removeLast()
    #expect(errorCode { try TileReader(source: source, treeSize: 700).rootHash() } == .malformedTile)
    source = clean
    source.files["tile/0/002.p/188"]! += [0]
    #expect(errorCode { try TileReader(source: source, treeSize: 700).rootHash() } == .malformedTile)
    source = clean
    source.files["tile/0/002.p/188"] = nil
    #expect(errorCode { try TileReader(source: source, treeSize: 700).rootHash() } == .missingData)
    #expect(errorCode { try TileReader(source: clean, treeSize: 700).entry(at: 700) } == .invalidTreeSize)
    #expect(errorCode { try TileReader(source: clean, treeSize: 700).tile(level: 0, index: 3) } == .invalidTreeSize)
}

@Test func entryBundlesAreStrictlyLengthPrefixed() throws {
    let entries: [[UInt8]] = [[], [1], [UInt8](repeating: 7, count: 300), [UInt8](repeating: 9, count: 65_535)]
    let bundle = try EntryBundle.encode(entries)
    #expect(Array(bundle.prefix(5)) == [0, 0, 0, 1, 1])
    #expect(try EntryBundle.decode(bundle, count: 4) == entries)
    for length in 0..<bundle.count where length != 0 {
        // A strict prefix either ends mid-entry or holds too few entries.
        #expect(errorCode { try EntryBundle.decode(Array(bundle.prefix(length)), count: 4) } == .malformedEntryBundle)
    }
    #expect(errorCode { try EntryBundle.decode(bundle + [0], count: 4) } == .malformedEntryBundle)
    #expect(errorCode { try EntryBundle.decode(bundle + [0, 0], count: 4) } == .malformedEntryBundle)
    #expect(errorCode { try EntryBundle.decode(bundle, count: 3) } == .malformedEntryBundle)
    #expect(errorCode { try EntryBundle.decode(bundle, count: 5) } == .malformedEntryBundle)
    #expect(errorCode { try EntryBundle.decode([0xff, 0xff, 1], count: 1) } == .malformedEntryBundle)
    #expect(errorCode { try EntryBundle.encode([[UInt8](repeating: 0, count: 65_536)]) } == .limitExceeded)
}

@Test func theWriterRefusesEntriesThatDoNotMatchTheTree() throws {
    let entries = sampleEntries(10)
    let tree = try makeTree(entries)
    var wrong = entries
    wrong[3] = bytes("not entry 3")
    #expect(errorCode { try TileWriter.files(hashes: tree.store, entries: wrong, treeSize: 10) } == .inconsistentData)
    #expect(errorCode { try TileWriter.files(hashes: tree.store, entries: Array(entries.prefix(5)), treeSize: 10) } == .missingData)
    #expect(errorCode { try TileWriter.files(hashes: tree.store, entries: entries, treeSize: 11) } == .missingData)
    #expect(errorCode { try TileWriter.files(hashes: tree.store, entries: entries, treeSize: 5, previousSize: 6) } == .invalidTreeSize)
}

@Test func tilePathsParseBackOnlyInTheirOneCanonicalSpelling() {
    for (level, index, width) in [(0, 0, 256), (0, 1_234_067, 256), (3, 999, 17), (7, UInt64.max, 255), (1, 1000, 1)] as [(Int, UInt64, Int)] {
        let path = TilePath.tile(level: level, index: index, width: width)
        #expect(TilePath.parse(path) == .tile(level: level, index: index, width: width), "\(path)")
        let entries = TilePath.entryBundle(index: index, width: width)
        #expect(TilePath.parse(entries) == .entries(index: index, width: width), "\(entries)")
    }
    for bad in [
        "", "tile", "tile/0", "tile/0/", "tile/0/1", "tile/0/0001", "tile/0/001/", "tile/0/x000/000", "tile/0/x001/x234", "tile/00/000",
        "tile/64/000", "tile/-1/000", "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/007", "tile/0/000.p/", "tile/0/000.p",
        "tile/entries/../000", "tile/0/../000", "tile/0/x018/x446/x744/x073/x709/x551/616", "tile/0/x1/000", "tile/0/+12", "tile/0/٠٠٠",
        "tile/entries/000.p/1/2", "tiles/0/000", "/tile/0/000", "tile//0/000",
    ] {
        #expect(TilePath.parse(bad) == nil, "\(bad)")
    }
}

@Test func aSingleTileFromTheStoreEqualsThePublishedOneAndTilesNotYetThereAreNil() throws {
    let entries = sampleEntries(300)
    let tree = try makeTree(entries)
    let published = try TileWriter.files(hashes: tree.store, entries: entries, treeSize: 300)
    for file in published {
        let address = try #require(TilePath.parse(file.path))
        #expect(try TileWriter.file(at: address, hashes: tree.store, entries: entries, treeSize: 300) == file)
    }
    // A partial tile stays available after the tile fills up: its first W hashes.
    let early = try #require(try TileWriter.file(at: .tile(level: 0, index: 0, width: 5), hashes: tree.store, entries: entries, treeSize: 300))
    #expect(early.contents == Array(published.first { $0.path == "tile/0/000" }!.contents.prefix(5 * 32)))
    #expect(try TileWriter.file(at: .tile(level: 0, index: 1, width: 45), hashes: tree.store, entries: entries, treeSize: 300) == nil)
    #expect(try TileWriter.file(at: .tile(level: 1, index: 0, width: 2), hashes: tree.store, entries: entries, treeSize: 300) == nil)
    #expect(try TileWriter.file(at: .entries(index: 2, width: 1), hashes: tree.store, entries: entries, treeSize: 300) == nil)
    #expect(try TileWriter.file(at: .tile(level: 7, index: UInt64.max, width: 255), hashes: tree.store, entries: entries, treeSize: 300) == nil)
    // An entry that does not hash to its leaf is refused.
    var forged = entries
    forged[3] = bytes("forged")
    #expect(errorCode { try TileWriter.file(at: .entries(index: 0, width: 10), hashes: tree.store, entries: forged, treeSize: 300) } == .inconsistentData)
}
