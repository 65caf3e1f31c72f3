import Crypto
import Foundation
import SignetPKI
import SignetCOSE
import _CryptoExtras

/// Private key files: PEM in, PEM out.
///
/// Read: "PRIVATE KEY" (PKCS#8 for EC P-256/P-384/P-521, Ed25519, RSA and RSASSA-PSS-typed RSA), "EC PRIVATE KEY"
/// (SEC1), "RSA PRIVATE KEY" (PKCS#1) and "ENCRYPTED PRIVATE KEY" (PKCS#8 PBES2: scrypt, or PBKDF2 with
/// HMAC-SHA1/256/384/512, and AES-128/192/256-CBC; the work a file may demand is bounded, see
/// `EncryptedPrivateKey`). Other PEM blocks (EC PARAMETERS, CERTIFICATE...) are skipped; the first key block is
/// used. Legacy OpenSSL encryption ("Proc-Type: 4,ENCRYPTED" headers) is refused as `unsupportedKeyType`.
///
/// Written: PKCS#8 "PRIVATE KEY", or "ENCRYPTED PRIVATE KEY" when a passphrase is given: PBES2 with scrypt
/// (N = 2^14, r = 8, p = 1, random 16-byte salt) and AES-256-CBC (random IV) by default, which
/// `openssl pkey` reads; ``KeyEncryption/pbkdf2`` on request.
public enum KeyFile {
    /// The largest key file read (RSA 16384 PEM is about 13 KiB).
    static let maximumFileSize = 1 << 20

    static let keyLabels: Set<String> = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]

    /// Loads a PEM private key file.
    /// Errors: notFound, unreadable, notAKey, unsupportedKeyType, passphraseRequired, wrongPassphrase, corrupt.
    public static func load(path: String, passphrase: String? = nil) throws(KeyError) -> SoftwareKey {
        let bytes = try FileIO.read(path, limit: maximumFileSize, tooLarge: .notAKey)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw KeyError(.notAKey, "\(path) is not text (a PEM file was expected)")
        }
        return try load(pem: text, passphrase: passphrase)
    }

    /// Loads a private key from PEM text. A passphrase given for an unencrypted key is ignored.
    public static func load(pem: String, passphrase: String? = nil) throws(KeyError) -> SoftwareKey {
        let blocks = try pemBlocks(in: pem)
        guard let block = blocks.first(where: { keyLabels.contains($0.label) }) else {
            if blocks.contains(where: { $0.label.hasSuffix("PRIVATE KEY") }) {
                throw KeyError(.unsupportedKeyType, "unsupported private key PEM type")
            }
            throw KeyError(.notAKey, "no private key PEM block found")
        }
        if block.headers["Proc-Type"] != nil || block.headers["DEK-Info"] != nil {
            throw KeyError(.unsupportedKeyType, "legacy PEM encryption is not supported; convert with `openssl pkcs8 -topk8 -v2 aes-256-cbc`")
        }
        switch block.label {
        case "PRIVATE KEY":
            return try KeyCodec.decodePKCS8(block.der)
        case "EC PRIVATE KEY":
            return try KeyCodec.decodeSEC1(block.der, curve: nil)
        case "RSA PRIVATE KEY":
            return try KeyCodec.decodePKCS1(block.der)
        default:
            let encrypted = try EncryptedPrivateKey(derEncoded: block.der)
            guard let passphrase else { throw KeyError(.passphraseRequired, "the key is encrypted; a passphrase is required") }
            let plain = try encrypted.decrypt(passphrase: passphrase)
            do {
                return try KeyCodec.decodePKCS8(plain)
            } catch where error.code == .corrupt {
                // CBC padding matched by chance (about 1 in 256 wrong passphrases): the plaintext is noise.
                throw KeyError(.wrongPassphrase, "the passphrase does not decrypt the key")
            }
        }
    }

    /// The PEM blocks of a key or chain file (``PEMReader/keyFile``: RFC 1421 headers kept, at most 256 blocks);
    /// a broken block is `corrupt`.
    static func pemBlocks(in text: String) throws(KeyError) -> [PEMBlock] {
        do {
            return try PEMReader.keyFile.read(text).blocks
        } catch {
            throw KeyError(.corrupt, error.reason)
        }
    }

    /// The PEM text of `key`: PKCS#8, encrypted under `encryption` when `passphrase` is given (an empty passphrase
    /// is refused). `encryption` is ignored without a passphrase.
    public static func pem(_ key: SoftwareKey, passphrase: String? = nil, encryption: KeyEncryption = .scrypt) throws(KeyError) -> String {
        let der = try KeyCodec.encodePKCS8(key)
        guard let passphrase else { return PEMReader.encode(label: "PRIVATE KEY", der: der) }
        guard !passphrase.isEmpty else { throw KeyError(.passphraseRequired, "an empty passphrase cannot protect a key") }
        let encrypted = try EncryptedPrivateKey.encrypt(pkcs8: der, passphrase: passphrase, using: encryption)
        return PEMReader.encode(label: "ENCRYPTED PRIVATE KEY", der: encrypted)
    }

    /// Writes `key` as PEM (see ``pem(_:passphrase:encryption:)``) with mode 0600 whatever the umask, atomically
    /// (a temporary file created 0600, fsynced, then moved into place); refuses to replace an existing file unless
    /// `overwrite`.
    public static func write(
        _ key: SoftwareKey, to path: String, passphrase: String? = nil, encryption: KeyEncryption = .scrypt,
        overwrite: Bool = false
    ) throws(KeyError) {
        let text = try pem(key, passphrase: passphrase, encryption: encryption)
        try FileIO.writeAtomically(Array(text.utf8), to: path, mode: 0o600, overwrite: overwrite)
    }

    /// A new random key for `algorithm`. RSA sizes: 2048 bits for PS256, 3072 for PS384, 4096 for PS512.
    public static func generate(_ algorithm: COSEAlgorithm) throws -> SoftwareKey {
        do {
            switch algorithm {
            case .es256: return .p256(P256.Signing.PrivateKey())
            case .es384: return .p384(P384.Signing.PrivateKey())
            case .es512: return .p521(P521.Signing.PrivateKey())
            case .ed25519: return .ed25519(Curve25519.Signing.PrivateKey())
            case .ps256: return .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            case .ps384: return .rsa(try _RSA.Signing.PrivateKey(keySize: .bits3072))
            case .ps512: return .rsa(try _RSA.Signing.PrivateKey(keySize: .bits4096))
            default: throw KeyError(.unsupportedAlgorithm, "cannot generate a key for COSE algorithm \(algorithm.id)")
            }
        } catch let error as KeyError {
            throw error
        } catch {
            throw KeyError(.internalFailure, "key generation failed: \(error)")
        }
    }
}
