import Crypto
import Foundation

/// Signs note text under a key name and key ID. ``Ed25519NoteSigner`` is the software implementation;
/// conform another type to sign with an HSM or KMS.
public protocol NoteSigner: Sendable {
    /// The key name written in the signature line.
    var name: String { get }
    /// The 32-bit key ID that prefixes the signature bytes.
    var keyID: UInt32 { get }
    /// Signs `text` (the note text, final newline included) and returns the signature bytes, without the key ID.
    func sign(_ text: [UInt8]) throws(LogError) -> [UInt8]
}

/// Checks note signatures for one key, identified by name and key ID.
public protocol NoteVerifier: Sendable {
    /// The key name that signature lines must carry.
    var name: String { get }
    /// The key ID that signatures must carry.
    var keyID: UInt32 { get }
    /// Whether `signature` (without the key ID) is a valid signature of `text` by this key.
    func isValidSignature(_ signature: [UInt8], for text: [UInt8]) -> Bool
}

/// The C2SP signed-note signature type byte for Ed25519.
let ed25519SignatureType: UInt8 = 0x01

/// Key names are non-empty, hold no Unicode space and no plus sign (signed-note, "Format"), and no control
/// character (the note as a whole may hold none); bounded here to 1024 UTF-8 bytes.
func validateKeyName(_ name: String) throws(LogError) {
    guard !name.isEmpty else { throw LogError(.invalidKey, "a key name is empty") }
    guard name.utf8.count <= 1024 else { throw LogError(.invalidKey, "a key name is longer than 1024 bytes") }
    for scalar in name.unicodeScalars {
        guard scalar != "+", !scalar.properties.isWhitespace, scalar.value >= 0x20 else {
            throw LogError(.invalidKey, "a key name holds a space, a plus sign or a control character")
        }
    }
}

/// The recommended key ID: the first four bytes, big-endian, of SHA-256(name || 0x0A || type || key).
func noteKeyID(name: String, type: UInt8, publicKey: [UInt8]) -> UInt32 {
    var hasher = SHA256()
    hasher.update(data: Array(name.utf8) + [0x0a, type] + publicKey)
    let digest = Array(hasher.finalize())
    return UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
}

/// Splits `name+hex8+base64` (the base64 may itself hold `+`), checking the name and the hex key ID.
private func splitKeyString(_ text: Substring) throws(LogError) -> (name: String, keyID: UInt32, key: [UInt8]) {
    let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3 else { throw LogError(.invalidKey, "a key string is not name+id+key") }
    let name = String(parts[0])
    try validateKeyName(name)
    guard let keyID = Hex.decodeUInt32(parts[1]) else {
        throw LogError(.invalidKey, "a key ID is not eight hex digits")
    }
    guard let key = Base64.decode(parts[2]) else { throw LogError(.invalidKey, "a key is not valid base64") }
    return (name, keyID, key)
}

/// An Ed25519 note verifier, usually built from a verifier key string such as
/// `PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`:
///
/// ```
/// verifier key = name "+" hex8(key ID) "+" base64(0x01 || 32-byte public key)
/// key ID       = SHA-256(name || 0x0A || 0x01 || public key)[:4]
/// ```
public struct Ed25519NoteVerifier: NoteVerifier, Hashable {
    public let name: String
    public let keyID: UInt32
    /// The 32-byte Ed25519 public key (RFC 8032 encoding).
    public let publicKey: [UInt8]

    /// Creates a verifier for `publicKey` under `name`, computing the key ID.
    public init(name: String, publicKey: Curve25519.Signing.PublicKey) throws(LogError) {
        try validateKeyName(name)
        self.init(validatedName: name, publicKey: publicKey)
    }

    init(validatedName name: String, publicKey: Curve25519.Signing.PublicKey) {
        self.name = name
        self.publicKey = Array(publicKey.rawRepresentation)
        self.keyID = noteKeyID(name: name, type: ed25519SignatureType, publicKey: self.publicKey)
    }

    /// Parses a verifier key string. The key must be of type 0x01 (Ed25519), 32 bytes, and its stated key
    /// ID must be the one computed from the name and key.
    public init(verifierKey: String) throws(LogError) {
        guard verifierKey.utf8.count <= 2048 else { throw LogError(.invalidKey, "a verifier key is too long") }
        let (name, keyID, key) = try splitKeyString(verifierKey[...])
        guard key.count == 33, key[0] == ed25519SignatureType else {
            throw LogError(.invalidKey, "a verifier key is not 0x01 followed by a 32-byte Ed25519 key")
        }
        let publicKey = Array(key.dropFirst())
        guard noteKeyID(name: name, type: ed25519SignatureType, publicKey: publicKey) == keyID else {
            throw LogError(.invalidKey, "a verifier key's ID does not match its name and key")
        }
        self.name = name
        self.keyID = keyID
        self.publicKey = publicKey
    }

    /// The verifier key string: `name+hex8(keyID)+base64(0x01 || public key)`.
    public var verifierKey: String {
        "\(name)+\(Hex.encode(keyID))+\(Base64.encode([ed25519SignatureType] + publicKey))"
    }

    public func isValidSignature(_ signature: [UInt8], for text: [UInt8]) -> Bool {
        guard signature.count == 64, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            return false
        }
        return key.isValidSignature(signature, for: text)
    }
}

/// An Ed25519 note signer. Its signer key string,
/// `PRIVATE+KEY+name+hex8(key ID)+base64(0x01 || 32-byte seed)`, is a secret.
public struct Ed25519NoteSigner: NoteSigner {
    public let name: String
    public let keyID: UInt32
    private let privateKey: Curve25519.Signing.PrivateKey

    /// Creates a signer for `privateKey` under `name`, computing the key ID.
    public init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws(LogError) {
        try validateKeyName(name)
        self.name = name
        self.privateKey = privateKey
        self.keyID = noteKeyID(
            name: name, type: ed25519SignatureType, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// Creates a signer with a new random key.
    public static func generate(name: String) throws(LogError) -> Ed25519NoteSigner {
        try Ed25519NoteSigner(name: name, privateKey: Curve25519.Signing.PrivateKey())
    }

    /// Parses a signer key string. The key must be of type 0x01 followed by a 32-byte seed, and its stated
    /// key ID must match the public key derived from the seed.
    public init(signerKey: String) throws(LogError) {
        guard signerKey.utf8.count <= 2048 else { throw LogError(.invalidKey, "a signer key is too long") }
        let prefix = "PRIVATE+KEY+"
        guard signerKey.hasPrefix(prefix) else { throw LogError(.invalidKey, "a signer key does not start with PRIVATE+KEY+") }
        let (name, keyID, key) = try splitKeyString(signerKey.dropFirst(prefix.count))
        guard key.count == 33, key[0] == ed25519SignatureType,
            let privateKey = try? Curve25519.Signing.PrivateKey(rawRepresentation: key.dropFirst())
        else {
            throw LogError(.invalidKey, "a signer key is not 0x01 followed by a 32-byte Ed25519 seed")
        }
        try self.init(name: name, privateKey: privateKey)
        guard self.keyID == keyID else {
            throw LogError(.invalidKey, "a signer key's ID does not match its name and key")
        }
    }

    /// The signer key string. Keep it secret.
    public var signerKey: String {
        "PRIVATE+KEY+\(name)+\(Hex.encode(keyID))+\(Base64.encode([ed25519SignatureType] + Array(privateKey.rawRepresentation)))"
    }

    /// The verifier for this signer's public key.
    public var verifier: Ed25519NoteVerifier {
        Ed25519NoteVerifier(validatedName: name, publicKey: privateKey.publicKey)
    }

    public func sign(_ text: [UInt8]) throws(LogError) -> [UInt8] {
        do {
            return Array(try privateKey.signature(for: text))
        } catch {
            throw LogError(.signingFailed, "Ed25519 signing failed: \(error)")
        }
    }
}
