/// One signature line of a signed note: `— <key name> base64(key ID || signature)`.
public struct NoteSignature: Hashable, Sendable {
    /// The key name.
    public let name: String
    /// The key ID (the first four bytes of the base64 payload, big-endian).
    public let keyID: UInt32
    /// The signature bytes, without the key ID.
    public let signature: [UInt8]

    /// Creates a signature line's contents; the name must be a valid key name and the signature non-empty.
    public init(name: String, keyID: UInt32, signature: [UInt8]) throws(LogError) {
        try validateKeyName(name)
        guard !signature.isEmpty else { throw LogError(.malformedNote, "a signature is empty") }
        self.name = name
        self.keyID = keyID
        self.signature = signature
    }

    /// The line, newline included.
    var line: [UInt8] {
        let payload = [UInt8(keyID >> 24), UInt8(truncatingIfNeeded: keyID >> 16),
                       UInt8(truncatingIfNeeded: keyID >> 8), UInt8(truncatingIfNeeded: keyID)] + signature
        return Array("\u{2014} \(name) \(Base64.encode(payload))\n".utf8)
    }
}

/// What ``SignedNote/verify(using:)`` found, signature by signature.
public struct NoteVerification: Hashable, Sendable {
    /// Signatures by a known key that verify.
    public let verified: [NoteSignature]
    /// Signatures whose name and key ID match a known key but that do not verify.
    public let rejected: [NoteSignature]
    /// Signatures from keys not given (ignored, as the spec requires).
    public let unknown: [NoteSignature]

    /// True when at least one signature by a known key verifies and none by a known key fails.
    public var isVerified: Bool { !verified.isEmpty && rejected.isEmpty }
}

/// A C2SP signed note (c2sp.org/signed-note): text signed by one or more keys.
///
/// ```
/// note      = text blank-line 1*signature
/// text      = 1*(*char LF)               ; ends with a newline; may hold empty lines
/// blank-line = LF                        ; the last empty line of the note
/// signature = U+2014 SP key-name SP base64(key-id(4 bytes, big-endian) || signature) LF
/// key-name  = 1*(char except Unicode spaces and "+")
/// ```
///
/// The whole note is UTF-8 with no control character but LF. Parsing is strict: every line is checked,
/// sizes are bounded by ``Limits``, base64 must be canonical, a (name, key ID) pair may sign only once,
/// and anything else throws ``LogError/Code/malformedNote`` or ``LogError/Code/limitExceeded``.
/// ``text`` keeps the bytes exactly as received; signatures are verified over them.
public struct SignedNote: Hashable, Sendable {
    /// Bounds applied when parsing.
    public struct Limits: Hashable, Sendable {
        /// The largest note accepted, in bytes.
        public var maxNoteBytes: Int
        /// The longest line accepted (text or signature), in bytes, newline excluded.
        public var maxLineBytes: Int
        /// The most signature lines accepted (the spec requires at least 16).
        public var maxSignatures: Int

        /// Creates limits.
        public init(maxNoteBytes: Int, maxLineBytes: Int, maxSignatures: Int) {
            self.maxNoteBytes = maxNoteBytes
            self.maxLineBytes = maxLineBytes
            self.maxSignatures = maxSignatures
        }

        /// 1 MiB notes, 16 KiB lines (room for post-quantum signatures), 100 signatures.
        public static let `default` = Limits(maxNoteBytes: 1 << 20, maxLineBytes: 16 << 10, maxSignatures: 100)
    }

    /// The note text, final newline included, exactly as received or given.
    public let text: [UInt8]
    /// The signatures, in order.
    public let signatures: [NoteSignature]

    /// Creates a note from text and signatures. The text must be valid note text (UTF-8, no control
    /// character but newline, non-empty, ending with a newline); at most one signature per (name, key ID).
    public init(text: [UInt8], signatures: [NoteSignature]) throws(LogError) {
        try validateNoteBytes(text, limits: nil)
        guard text.last == 0x0a else { throw LogError(.malformedNote, "the note text does not end with a newline") }
        guard !signatures.isEmpty else { throw LogError(.malformedNote, "a signed note has no signature") }
        try rejectDuplicates(signatures)
        self.text = text
        self.signatures = signatures
    }

    /// Signs `text` with each signer.
    public static func sign(text: [UInt8], signers: [any NoteSigner]) throws(LogError) -> SignedNote {
        try validateNoteBytes(text, limits: nil)
        guard text.last == 0x0a else { throw LogError(.malformedNote, "the note text does not end with a newline") }
        var signatures: [NoteSignature] = []
        for signer in signers {
            signatures.append(try NoteSignature(name: signer.name, keyID: signer.keyID, signature: signer.sign(text)))
        }
        return try SignedNote(text: text, signatures: signatures)
    }

    /// This note with more signatures over the same text (a witness cosigning, a second log key).
    public func adding(signers: [any NoteSigner]) throws(LogError) -> SignedNote {
        var all = signatures
        for signer in signers {
            all.append(try NoteSignature(name: signer.name, keyID: signer.keyID, signature: signer.sign(text)))
        }
        return try SignedNote(text: text, signatures: all)
    }

    /// Parses a signed note strictly (see the type's grammar).
    public init(parsing bytes: [UInt8], limits: Limits = .default) throws(LogError) {
        guard bytes.count <= limits.maxNoteBytes else {
            throw LogError(.limitExceeded, "the note is \(bytes.count) bytes, over the limit of \(limits.maxNoteBytes)")
        }
        try validateNoteBytes(bytes, limits: limits)
        guard bytes.last == 0x0a else { throw LogError(.malformedNote, "the note does not end with a newline") }
        // The text ends at the last empty line: the last "\n\n".
        guard let split = lastBlankLine(bytes) else {
            throw LogError(.malformedNote, "the note has no blank line before its signatures")
        }
        let text = Array(bytes[...split])
        let block = bytes[(split + 2)...]
        guard !block.isEmpty else { throw LogError(.malformedNote, "the note has no signature") }
        let lines = block.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false)
        guard lines.count <= limits.maxSignatures else {
            throw LogError(.limitExceeded, "the note has \(lines.count) signatures, over the limit of \(limits.maxSignatures)")
        }
        var signatures: [NoteSignature] = []
        for line in lines {
            signatures.append(try parseSignatureLine(line))
        }
        try self.init(text: text, signatures: signatures)
    }

    /// The encoded note: text, a blank line, then one line per signature.
    public var encoded: [UInt8] {
        text + [0x0a] + signatures.flatMap(\.line)
    }

    /// Checks the signatures against `verifiers`, matching each signature to verifiers by name and key ID.
    /// Signatures from unknown keys are ignored; see ``NoteVerification/isVerified``.
    public func verify(using verifiers: [any NoteVerifier]) -> NoteVerification {
        var verified: [NoteSignature] = []
        var rejected: [NoteSignature] = []
        var unknown: [NoteSignature] = []
        for signature in signatures {
            let candidates = verifiers.filter { $0.name == signature.name && $0.keyID == signature.keyID }
            if candidates.isEmpty {
                unknown.append(signature)
            } else if candidates.contains(where: { $0.isValidSignature(signature.signature, for: text) }) {
                verified.append(signature)
            } else {
                rejected.append(signature)
            }
        }
        return NoteVerification(verified: verified, rejected: rejected, unknown: unknown)
    }
}

/// Checks UTF-8 validity, control characters, and (with limits) every line's length.
func validateNoteBytes(_ bytes: [UInt8], limits: SignedNote.Limits?) throws(LogError) {
    guard !bytes.isEmpty else { throw LogError(.malformedNote, "the note text is empty") }
    var lineLength = 0
    for byte in bytes {
        if byte == 0x0a {
            lineLength = 0
            continue
        }
        guard byte >= 0x20 else { throw LogError(.malformedNote, "the note holds a control character") }
        lineLength += 1
        if let limits, lineLength > limits.maxLineBytes {
            throw LogError(.limitExceeded, "a note line is longer than \(limits.maxLineBytes) bytes")
        }
    }
    guard isValidUTF8(bytes) else { throw LogError(.malformedNote, "the note is not valid UTF-8") }
}

func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}

private func lastBlankLine(_ bytes: [UInt8]) -> Int? {
    var index = bytes.count - 2
    while index >= 0 {
        if bytes[index] == 0x0a && bytes[index + 1] == 0x0a { return index }
        index -= 1
    }
    return nil
}

private let emDashSpace: [UInt8] = [0xe2, 0x80, 0x94, 0x20]

private func parseSignatureLine(_ line: ArraySlice<UInt8>) throws(LogError) -> NoteSignature {
    guard line.starts(with: emDashSpace) else {
        throw LogError(.malformedNote, "a signature line does not start with an em dash and a space")
    }
    let rest = line.dropFirst(emDashSpace.count)
    guard let space = rest.firstIndex(of: 0x20) else {
        throw LogError(.malformedNote, "a signature line has no space between key name and signature")
    }
    let name = String(decoding: rest[..<space], as: UTF8.self)
    do {
        try validateKeyName(name)
    } catch {
        throw LogError(.malformedNote, "a signature line's key name is invalid: \(error.reason)")
    }
    guard let payload = Base64.decode(utf8: rest[(space + 1)...]), payload.count > 4 else {
        throw LogError(.malformedNote, "a signature is not canonical base64 of a key ID and a signature")
    }
    let keyID = UInt32(payload[0]) << 24 | UInt32(payload[1]) << 16 | UInt32(payload[2]) << 8 | UInt32(payload[3])
    return try NoteSignature(name: name, keyID: keyID, signature: Array(payload.dropFirst(4)))
}

private func rejectDuplicates(_ signatures: [NoteSignature]) throws(LogError) {
    var seen: Set<String> = []
    for signature in signatures {
        guard seen.insert("\(signature.keyID) \(signature.name)").inserted else {
            throw LogError(.malformedNote, "key \(signature.name) signs the note twice")
        }
    }
}
