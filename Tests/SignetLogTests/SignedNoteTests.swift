import Crypto
import Foundation
import SignetLog
import Testing

// The example key pair and note of the Go reference implementation (golang.org/x/mod/sumdb/note),
// used as interoperability test data.
private let goVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
private let goSignerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
private let goText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
private let goNote = goText
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

private func goVerifier() throws -> Ed25519NoteVerifier { try Ed25519NoteVerifier(verifierKey: goVerifierKey) }

/// Parses and verifies; the note is accepted only when both succeed.
private func accepted(_ note: [UInt8], by verifiers: [any NoteVerifier]) -> Bool {
    guard let parsed = try? SignedNote(parsing: note) else { return false }
    return parsed.verify(using: verifiers).isVerified
}

@Test func goReferenceKeysParseAndReencodeIdentically() throws {
    let verifier = try goVerifier()
    #expect(verifier.name == "PeterNeumann")
    #expect(verifier.keyID == 0xc74f_20a3)
    #expect(verifier.verifierKey == goVerifierKey)
    let signer = try Ed25519NoteSigner(signerKey: goSignerKey)
    #expect(signer.keyID == 0xc74f_20a3)
    #expect(signer.signerKey == goSignerKey)
    #expect(signer.verifier == verifier)
}

@Test func goReferenceNoteParsesVerifiesAndReencodesByteForByte() throws {
    let note = try SignedNote(parsing: bytes(goNote))
    #expect(note.text == bytes(goText))
    #expect(note.signatures.count == 1)
    #expect(note.signatures[0].name == "PeterNeumann")
    #expect(note.signatures[0].keyID == 0xc74f_20a3)
    #expect(note.encoded == bytes(goNote))
    let verification = note.verify(using: [try goVerifier()])
    #expect(verification.isVerified)
    #expect(verification.verified == note.signatures)
}

#if !canImport(Darwin)
// BoringSSL's Ed25519 is deterministic (RFC 8032), so signing reproduces the reference signature. (CryptoKit
// on Apple platforms randomizes Ed25519 signatures, so there only verification is compared.)
@Test func signingWithTheGoReferenceKeyReproducesTheReferenceNote() throws {
    let signer = try Ed25519NoteSigner(signerKey: goSignerKey)
    #expect(try SignedNote.sign(text: bytes(goText), signers: [signer]).encoded == bytes(goNote))
}
#endif

@Test func signedNotesRoundTripWithSeveralSigners() throws {
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    let witness = try Ed25519NoteSigner.generate(name: "witness.example/w1")
    let note = try SignedNote.sign(text: bytes("hello\n\nworld\n"), signers: [log]).adding(signers: [witness])
    let parsed = try SignedNote(parsing: note.encoded)
    #expect(parsed == note)
    #expect(parsed.text == bytes("hello\n\nworld\n"))  // text keeps its own blank line
    let both = parsed.verify(using: [log.verifier, witness.verifier])
    #expect(both.isVerified && both.verified.count == 2)
    // Unknown signatures are ignored: the log's key alone verifies the note.
    let logOnly = parsed.verify(using: [log.verifier])
    #expect(logOnly.isVerified && logOnly.unknown.map(\.name) == ["witness.example/w1"])
    // With no known key the note is not verified.
    #expect(!parsed.verify(using: [try goVerifier()]).isVerified)
    #expect(!parsed.verify(using: []).isVerified)
    // Keys round-trip through their strings.
    #expect(try Ed25519NoteVerifier(verifierKey: log.verifier.verifierKey) == log.verifier)
    #expect(try Ed25519NoteSigner(signerKey: log.signerKey).verifier == log.verifier)
}

@Test func aBadSignatureByAKnownKeyRejectsTheWholeNote() throws {
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    let other = try Ed25519NoteSigner.generate(name: "example.com/other")
    let note = try SignedNote.sign(text: bytes("text\n"), signers: [log, other])
    // Replace the other key's signature with one over different text.
    let forged = try NoteSignature(name: other.name, keyID: other.keyID, signature: other.sign(bytes("different\n")))
    let tampered = try SignedNote(text: note.text, signatures: [note.signatures[0], forged])
    let verification = try SignedNote(parsing: tampered.encoded).verify(using: [log.verifier, other.verifier])
    #expect(verification.verified.map(\.name) == [log.name])
    #expect(verification.rejected.map(\.name) == [other.name])
    #expect(!verification.isVerified)
}

@Test func aSignatureUnderAKnownNameButAnotherKeyIDIsIgnored() throws {
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    let note = try SignedNote.sign(text: bytes("text\n"), signers: [log])
    let signature = note.signatures[0]
    let wrongID = try NoteSignature(name: signature.name, keyID: signature.keyID ^ 1, signature: signature.signature)
    let parsed = try SignedNote(parsing: SignedNote(text: note.text, signatures: [wrongID]).encoded)
    let verification = parsed.verify(using: [log.verifier])
    #expect(verification.unknown == [wrongID])
    #expect(!verification.isVerified)
    // The same key ID under another name is ignored too.
    let wrongName = try NoteSignature(name: "example.com/log2", keyID: signature.keyID, signature: signature.signature)
    #expect(try !SignedNote(text: note.text, signatures: [wrongName]).verify(using: [log.verifier]).isVerified)
}

@Test func everyStrictPrefixOfANoteIsRejected() throws {
    let note = bytes(goNote)
    for length in 0..<note.count {
        let code = errorCode { try SignedNote(parsing: Array(note.prefix(length))) }
        #expect(code == .malformedNote, "prefix of \(length) bytes")
    }
    // With two signatures, a prefix may parse only as the note with fewer signatures.
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    let second = try Ed25519NoteSigner.generate(name: "example.com/second")
    let two = try SignedNote.sign(text: bytes("text\n"), signers: [log, second]).encoded
    for length in 0..<two.count {
        guard let parsed = try? SignedNote(parsing: Array(two.prefix(length))) else { continue }
        #expect(parsed.signatures.count == 1 && !parsed.verify(using: [second.verifier]).isVerified)
    }
}

private let sigLine = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

private func replacing(_ old: String, _ new: String) -> String {
    goNote.replacingOccurrences(of: old, with: new)
}

private let malformedNotes: [(String, String)] = [
    ("no blank line", goText + sigLine),
    ("no signature", goText + "\n"),
    ("trailing junk", goNote + "junk"),
    ("trailing blank line", goNote + "\n"),
    ("hyphen for em dash", replacing("— ", "- ")),
    ("en dash for em dash", replacing("— ", "– ")),
    ("no space after dash", replacing("— ", "—")),
    ("two spaces", replacing("Neumann x08", "Neumann  x08")),
    ("no signature after name", goText + "\n— PeterNeumann\n"),
    ("empty signature", goText + "\n— PeterNeumann \n"),
    ("empty key name", replacing("— PeterNeumann ", "—  ")),
    ("plus in key name", replacing("PeterNeumann", "Peter+Neumann")),
    ("no-break space in key name", replacing("PeterNeumann", "Peter\u{a0}Neumann")),
    ("ideographic space in key name", replacing("PeterNeumann", "Peter\u{3000}Neumann")),
    ("base64 outside the alphabet", replacing("x08go/", "x08go_")),
    ("base64 without padding", replacing("nAM=", "nAM")),
    ("base64 padding in the middle", replacing("x08go", "x0=go")),
    ("base64 non-canonical padding bits", replacing("nAM=", "nAN=")),
    ("signature shorter than a key ID", goText + "\n— PeterNeumann AAAA\n"),
    ("carriage return", replacing("problem,\n", "problem,\r\n")),
    ("tab", replacing("If you", "If\tyou")),
    ("NUL", replacing("If you", "If\u{0}you")),
]

@Test(arguments: malformedNotes)
func malformedNotesAreRejected(name: String, note: String) throws {
    #expect(errorCode { try SignedNote(parsing: bytes(note)) } == .malformedNote, "\(name)")
}

@Test func theLastBlankLineSeparatesTextFromSignatures() throws {
    // After another blank line, the reference signature line becomes part of the text, signed by "Other" only.
    let note = try SignedNote(parsing: bytes(goNote + "\n— Other AAAAAAA=\n"))
    #expect(note.text == bytes(goNote))
    #expect(note.signatures.map(\.name) == ["Other"])
    let verification = note.verify(using: [try goVerifier()])
    #expect(!verification.isVerified && verification.unknown.count == 1)
}

@Test func invalidUTF8IsRejected() throws {
    var note = bytes(goNote)
    note[3] = 0xff
    #expect(errorCode { try SignedNote(parsing: note) } == .malformedNote)
    var overlong = bytes(goNote)
    overlong.replaceSubrange(0..<1, with: [0xc1, 0x89])  // an overlong "I"
    #expect(errorCode { try SignedNote(parsing: overlong) } == .malformedNote)
}

@Test func duplicateSignaturesAreRejected() throws {
    let signatureLine = goNote.dropFirst(goText.count + 1)
    #expect(errorCode { try SignedNote(parsing: bytes(goNote + signatureLine)) } == .malformedNote)
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    #expect(errorCode { try SignedNote.sign(text: bytes("x\n"), signers: [log, log]) } == .malformedNote)
}

@Test func oversizedNotesLinesAndSignatureCountsAreRejected() throws {
    let limits = SignedNote.Limits.default
    let longLine = String(repeating: "a", count: limits.maxLineBytes + 1) + "\n"
    #expect(errorCode { try SignedNote(parsing: bytes(longLine + goNote)) } == .limitExceeded)
    let longSignature = goText + "\n— PeterNeumann " + String(repeating: "AAAA", count: limits.maxLineBytes / 4) + "\n"
    #expect(errorCode { try SignedNote(parsing: bytes(longSignature)) } == .limitExceeded)
    let many = (0..<limits.maxNoteBytes / 64 + 1).map { _ in String(repeating: "b", count: 63) + "\n" }.joined()
    #expect(errorCode { try SignedNote(parsing: bytes(many + goNote)) } == .limitExceeded)
    // 101 signatures (the default allows 100; the spec requires at least 16 be accepted).
    let keys = try (0...limits.maxSignatures).map { try Ed25519NoteSigner.generate(name: "k\($0)") }
    let text = bytes("text\n")
    let signatures = try keys.map { try NoteSignature(name: $0.name, keyID: $0.keyID, signature: $0.sign(text)) }
    let tooMany = try SignedNote(text: text, signatures: signatures).encoded
    #expect(errorCode { try SignedNote(parsing: tooMany) } == .limitExceeded)
    let sixteen = try SignedNote(text: text, signatures: Array(signatures.prefix(16))).encoded
    #expect(try SignedNote(parsing: sixteen).verify(using: keys.map(\.verifier)).verified.count == 16)
    let tight = SignedNote.Limits(maxNoteBytes: 100, maxLineBytes: 100, maxSignatures: 1)
    #expect(errorCode { try SignedNote(parsing: bytes(goNote), limits: tight) } == .limitExceeded)
}

@Test func randomMutationsNeverCrashAndNeverVerify() throws {
    var generator = SplitMix64.forTest("note mutations")
    let original = bytes(goNote)
    let verifier = try goVerifier()
    for _ in 0..<3000 {
        var note = original
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            let position = Int.random(in: 0..<note.count, using: &generator)
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: note[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            case 1: note[position] = UInt8.random(in: 0...255, using: &generator)
            case 2: note.insert(UInt8.random(in: 0...255, using: &generator), at: position)
            default: if note.count > 1 { note.remove(at: position) }
            }
        }
        if accepted(note, by: [verifier]) {
            #expect(note == original, "a mutated note verified: \(note)")
        }
    }
}

@Test func verifierKeyManglingsAreRejected() throws {
    let key = Array(goVerifierKey.utf8)
    // Every strict substring.
    for start in 0..<key.count {
        for end in (start + 1)...key.count where !(start == 0 && end == key.count) {
            let text = String(decoding: key[start..<end], as: UTF8.self)
            #expect(errorCode { try Ed25519NoteVerifier(verifierKey: text) } == .invalidKey, "\(text)")
        }
    }
    // Every single-byte change.
    for index in 0..<key.count {
        var changed = key
        changed[index] &+= 1
        let text = String(decoding: changed, as: UTF8.self)
        #expect(errorCode { try Ed25519NoteVerifier(verifierKey: text) } == .invalidKey, "\(text)")
    }
    // A wrong key ID, a wrong type byte, a wrong name.
    let cases = [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumanN+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==",
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "",
    ]
    for text in cases {
        #expect(errorCode { try Ed25519NoteVerifier(verifierKey: text) } == .invalidKey, "\(text)")
    }
}

@Test func signerKeyManglingsAreRejected() throws {
    let cases = [
        "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // wrong key ID
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",  // wrong type byte
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF",  // bad base64
        "PUBLIC+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        "PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        goVerifierKey,
    ]
    for text in cases {
        #expect(errorCode { try Ed25519NoteSigner(signerKey: text) } == .invalidKey, "\(text)")
    }
    #expect(errorCode { try Ed25519NoteSigner.generate(name: "bad name") } == .invalidKey)
    #expect(errorCode { try Ed25519NoteSigner.generate(name: "bad+name") } == .invalidKey)
    #expect(errorCode { try Ed25519NoteSigner.generate(name: "") } == .invalidKey)
}

@Test func noteTextMustBeWellFormedToSign() throws {
    let log = try Ed25519NoteSigner.generate(name: "example.com/log")
    #expect(errorCode { try SignedNote.sign(text: bytes("no newline"), signers: [log]) } == .malformedNote)
    #expect(errorCode { try SignedNote.sign(text: [], signers: [log]) } == .malformedNote)
    #expect(errorCode { try SignedNote.sign(text: bytes("a\rb\n"), signers: [log]) } == .malformedNote)
    #expect(errorCode { try SignedNote.sign(text: bytes("x\n"), signers: []) } == .malformedNote)
}
