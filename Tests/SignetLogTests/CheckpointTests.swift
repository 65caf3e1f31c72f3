import SignetLog
import Testing

/// The example checkpoint body of c2sp.org/tlog-checkpoint.
private let specText = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

@Test func theSpecExampleCheckpointParsesAndReencodes() throws {
    let checkpoint = try Checkpoint(text: bytes(specText))
    #expect(checkpoint.origin == "example.com/behind-the-sofa")
    #expect(checkpoint.size == 20_852_163)
    #expect(checkpoint.rootHash.base64 == "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    #expect(checkpoint.extensions.isEmpty)
    #expect(checkpoint.text == bytes(specText))
}

@Test func checkpointsWithExtensionLinesRoundTrip() throws {
    let checkpoint = try Checkpoint(
        origin: "example.com/log", size: 0, rootHash: MerkleHash.emptyTree, extensions: ["ext one", "— two"])
    #expect(try Checkpoint(text: checkpoint.text) == checkpoint)
    #expect(String(decoding: checkpoint.text, as: UTF8.self).hasPrefix("example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"))
    let max = try Checkpoint(text: bytes("o\n18446744073709551615\n" + MerkleHash.emptyTree.base64 + "\n"))
    #expect(max.size == UInt64.max)
}

@Test(arguments: [
    ("leading zero", "o\n020852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("double zero", "o\n00\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("plus sign", "o\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("negative", "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("space in size", "o\n5 \nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("hex size", "o\n0x10\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("size over 64 bits", "o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("size of 21 digits", "o\n100000000000000000000\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("empty origin", "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"),
    ("two lines", "o\n5\n"),
    ("root of 31 bytes", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxqw==\n"),
    ("root of 33 bytes", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2IA\n"),
    ("root not base64", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I!\n"),
    ("root unpadded", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n"),
    ("empty extension line", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\next\n"),
    ("no final newline", "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="),
    ("CRLF", "o\r\n5\r\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\r\n"),
    ("empty", ""),
])
func malformedCheckpointBodiesAreRejected(name: String, text: String) {
    #expect(errorCode { try Checkpoint(text: bytes(text)) } == .malformedCheckpoint, "\(name)")
}

@Test func oversizedCheckpointsAreRejected() {
    let long = "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n" + String(repeating: "e", count: 20_000) + "\n"
    #expect(errorCode { try Checkpoint(text: bytes(long)) } == .limitExceeded)
    let tight = SignedNote.Limits(maxNoteBytes: 10, maxLineBytes: 100, maxSignatures: 1)
    #expect(errorCode { try Checkpoint(text: bytes(specText), limits: tight) } == .limitExceeded)
}

@Test func everyStrictPrefixOfACheckpointBodyIsRejected() {
    let text = bytes(specText)
    for length in 0..<text.count {
        #expect(errorCode { try Checkpoint(text: Array(text.prefix(length))) } == .malformedCheckpoint)
    }
}

@Test func openReturnsOnlyCheckpointsSignedByATrustedKeyForTheExpectedOrigin() throws {
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    let stranger = try Ed25519NoteSigner.generate(name: "example.com/log")  // same name, other key
    let checkpoint = try Checkpoint(origin: "example.com/log", size: 3, rootHash: MerkleHash.leaf([1]))
    let note = try checkpoint.sign(signers: [log]).encoded
    #expect(try Checkpoint.open(note, verifiers: [log.verifier], origin: "example.com/log") == checkpoint)
    #expect(errorCode { try Checkpoint.open(note, verifiers: [stranger.verifier]) } == .unverifiedCheckpoint)
    #expect(errorCode { try Checkpoint.open(note, verifiers: [log.verifier], origin: "example.com/other") } == .unverifiedCheckpoint)
    #expect(errorCode { try Checkpoint.open(Array(note.dropLast()), verifiers: [log.verifier]) } == .malformedNote)
    // A validly signed note whose text is not a checkpoint.
    let notACheckpoint = try SignedNote.sign(text: bytes("hello\n"), signers: [log]).encoded
    #expect(errorCode { try Checkpoint.open(notACheckpoint, verifiers: [log.verifier]) } == .malformedCheckpoint)
}

@Test func checkpointLinesMustNotHoldControlCharacters() {
    #expect(errorCode { try Checkpoint(origin: "a\nb", size: 1, rootHash: MerkleHash.emptyTree) } == .malformedCheckpoint)
    #expect(errorCode { try Checkpoint(origin: "", size: 1, rootHash: MerkleHash.emptyTree) } == .malformedCheckpoint)
    #expect(errorCode { try Checkpoint(origin: "o", size: 1, rootHash: MerkleHash.emptyTree, extensions: [""]) } == .malformedCheckpoint)
}
