/// A transparency log checkpoint (c2sp.org/tlog-checkpoint): the body of a signed note naming a log's
/// tree head.
///
/// ```
/// checkpoint = origin LF tree-size LF root-hash LF *(extension LF)
/// origin     = 1*char                    ; non-empty, e.g. "example.com/log42"
/// tree-size  = "0" / (%x31-39 *DIGIT)    ; decimal, no leading zeroes, fits in 64 bits
/// root-hash  = base64(32-byte RFC 9162 root hash)
/// extension  = 1*char                    ; opaque, non-empty
/// ```
public struct Checkpoint: Hashable, Sendable {
    /// The log's identity, usually its URL prefix without scheme.
    public let origin: String
    /// The number of leaves in the tree.
    public let size: UInt64
    /// The RFC 9162 root hash of the tree at ``size``.
    public let rootHash: MerkleHash
    /// Extension lines, opaque and rarely used.
    public let extensions: [String]

    /// Creates a checkpoint. The origin and extension lines must be non-empty and hold no control character.
    public init(origin: String, size: UInt64, rootHash: MerkleHash, extensions: [String] = []) throws(LogError) {
        for line in [origin] + extensions {
            guard !line.isEmpty, line.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) else {
                throw LogError(.malformedCheckpoint, "a checkpoint line is empty or holds a control character")
            }
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    /// Parses a checkpoint from note text (for example ``SignedNote/text``), strictly, within the size and
    /// line-length bounds of `limits` (``LogError/Code/limitExceeded`` beyond them).
    ///
    /// This does not check any signature: use ``open(_:verifiers:origin:limits:)`` for a checkpoint
    /// received from elsewhere.
    public init(text: [UInt8], limits: SignedNote.Limits = .default) throws(LogError) {
        guard text.count <= limits.maxNoteBytes else {
            throw LogError(.limitExceeded, "the checkpoint is \(text.count) bytes, over \(limits.maxNoteBytes)")
        }
        do {
            try validateNoteBytes(text, limits: limits)
        } catch where error.code == .limitExceeded {
            throw error
        } catch {
            throw LogError(.malformedCheckpoint, "checkpoint text: \(error.reason)")
        }
        guard text.last == 0x0a else { throw LogError(.malformedCheckpoint, "the checkpoint does not end with a newline") }
        let lines = text.dropLast().split(separator: 0x0a, omittingEmptySubsequences: false)
        guard lines.count >= 3 else { throw LogError(.malformedCheckpoint, "a checkpoint has fewer than three lines") }
        guard lines.allSatisfy({ !$0.isEmpty }) else { throw LogError(.malformedCheckpoint, "a checkpoint has an empty line") }
        guard let size = parseDecimal(lines[1]) else {
            throw LogError(.malformedCheckpoint, "the tree size is not a decimal number without leading zeroes")
        }
        guard let rootBytes = Base64.decode(utf8: lines[2]), let rootHash = try? MerkleHash(bytes: rootBytes) else {
            throw LogError(.malformedCheckpoint, "the root hash is not base64 of 32 bytes")
        }
        try self.init(
            origin: String(decoding: lines[0], as: UTF8.self), size: size, rootHash: rootHash,
            extensions: lines.dropFirst(3).map { String(decoding: $0, as: UTF8.self) })
    }

    /// The note text: origin, size, root hash and extension lines, each followed by a newline.
    public var text: [UInt8] {
        Array(([origin, String(size), rootHash.base64] + extensions).map { $0 + "\n" }.joined().utf8)
    }

    /// Signs the checkpoint as a note.
    public func sign(signers: [any NoteSigner]) throws(LogError) -> SignedNote {
        try SignedNote.sign(text: text, signers: signers)
    }

    /// Parses a signed checkpoint, verifies its note with `verifiers`, and returns the checkpoint.
    ///
    /// Throws ``LogError/Code/malformedNote`` or ``LogError/Code/malformedCheckpoint`` for malformed input,
    /// and ``LogError/Code/unverifiedCheckpoint`` when no trusted key's signature verifies, a trusted key's
    /// signature fails, or the origin is not `origin` (when given): the spec says such text must be ignored,
    /// so no checkpoint is returned.
    public static func open(
        _ note: [UInt8], verifiers: [any NoteVerifier], origin: String? = nil, limits: SignedNote.Limits = .default
    ) throws(LogError) -> Checkpoint {
        let signed = try SignedNote(parsing: note, limits: limits)
        let verification = signed.verify(using: verifiers)
        guard verification.isVerified else {
            throw LogError(
                .unverifiedCheckpoint,
                "\(verification.verified.count) valid and \(verification.rejected.count) invalid signatures by trusted keys")
        }
        let checkpoint = try Checkpoint(text: signed.text, limits: limits)
        if let origin, checkpoint.origin != origin {
            throw LogError(.unverifiedCheckpoint, "the checkpoint is for \(checkpoint.origin), not \(origin)")
        }
        return checkpoint
    }
}

/// A decimal UInt64 with no sign, no leading zero (except "0"), nothing else.
private func parseDecimal(_ digits: ArraySlice<UInt8>) -> UInt64? {
    guard let first = digits.first, digits.count <= 20 else { return nil }
    guard first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
    var value: UInt64 = 0
    for digit in digits {
        guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
        let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
        guard !overflow1, !overflow2 else { return nil }
        value = sum
    }
    return value
}
