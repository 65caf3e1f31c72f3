import Foundation
import FuzzSupport
import SignetLog

private let verifier = try! Ed25519NoteVerifier(name: Fuzz.logName, publicKey: Fuzz.logKey.publicKey)

/// The transparency log as a client reads it (c2sp.org signed notes, checkpoints, tlog-tiles, RFC 9162 proofs).
/// Input parts (Fuzz.split): a signed checkpoint note; a proof (8-byte leaf index or old size, 8-byte tree size,
/// 32-byte hashes); a verifier key string; then tile files, each `path` LF `contents`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let parts = Fuzz.split(Fuzz.bytes(data, size), maxParts: 12)
    guard let note = parts.first else { return 0 }

    var root = MerkleHash.emptyTree
    if let signed = try? SignedNote(parsing: note) {
        _ = signed.verify(using: [verifier])
        _ = signed.encoded
        if let checkpoint = try? Checkpoint(text: signed.text) {
            root = checkpoint.rootHash
            _ = checkpoint.text
        }
    }
    _ = try? Checkpoint.open(note, verifiers: [verifier], origin: Fuzz.logName)

    if parts.count > 1 {
        let proof = parts[1]
        if proof.count >= 16 {
            let first = proof[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let second = proof[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            var hashes: [MerkleHash] = []
            var i = 16
            while i + MerkleHash.byteCount <= proof.count, hashes.count < 70 {
                if let h = try? MerkleHash(bytes: proof[i..<(i + MerkleHash.byteCount)]) { hashes.append(h) }
                i += MerkleHash.byteCount
            }
            let leaf = MerkleHash.leaf(Array(proof.prefix(4)))
            _ = InclusionProof(leafIndex: first, treeSize: second, hashes: hashes).verify(leafHash: leaf, rootHash: root)
            _ = ConsistencyProof(oldSize: first, newSize: second, hashes: hashes).verify(oldRoot: leaf, newRoot: root)
        }
    }
    if parts.count > 2, let text = String(validating: parts[2], as: UTF8.self) {
        _ = try? Ed25519NoteVerifier(verifierKey: text)
        _ = try? Ed25519NoteSigner(signerKey: text)
        _ = try? MerkleHash(base64: text)
    }

    var files = [TileFile(path: TilePath.checkpoint, contents: note)]
    for part in parts.dropFirst(3) {
        guard let lf = part.firstIndex(of: 0x0A), let path = String(validating: part[..<lf], as: UTF8.self) else { continue }
        files.append(TileFile(path: path, contents: Array(part[(lf + 1)...])))
        _ = try? EntryBundle.decode(Array(part[(lf + 1)...]), count: Int(part.first ?? 0))
    }
    let source = InMemoryTileSource(files)
    if let (reader, checkpoint) = try? TileReader.open(source: source, verifiers: [verifier], origin: Fuzz.logName) {
        let n = min(checkpoint.size, 600)
        for index in stride(from: UInt64(0), to: n, by: 97) {
            _ = try? reader.inclusionProof(leafIndex: index)
            _ = try? reader.consistencyProof(from: index)
            _ = try? reader.entry(at: index)
        }
        _ = try? reader.entries(bundle: 0)
    }
    // Unverified: the tile arithmetic on whatever size the note claims.
    if let signed = try? SignedNote(parsing: note), let checkpoint = try? Checkpoint(text: signed.text) {
        let reader = TileReader(source: source, treeSize: checkpoint.size)
        _ = try? reader.rootHash()
        _ = try? reader.tile(level: 0, index: 0)
        _ = try? reader.hash(level: 3, index: 1)
        _ = try? reader.inclusionProof(leafIndex: checkpoint.size / 2)
    }
    return 0
}

/// SwiftPM points `main` here; libFuzzer takes over.
@_cdecl("fuzz_log_main")
public func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    Fuzz.driver(argc, argv) { data, size in
        guard let data else { return 0 }
        return fuzz(data, size)
    }
}
