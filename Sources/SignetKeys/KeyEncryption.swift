/// How a passphrase protects a private key that ``KeyFile`` writes: always encrypted PKCS#8 with PBES2 (RFC 8018)
/// and AES-256-CBC; this chooses the key derivation function that turns the passphrase into the AES key.
///
/// An open set: more choices may be added. Reading accepts every choice (and what OpenSSL writes) regardless.
public struct KeyEncryption: Hashable, Sendable, CustomStringConvertible {
    enum Derivation: Hashable, Sendable {
        /// scrypt (RFC 7914): cost N (a power of two), block size r, parallelization p.
        case scrypt(cost: Int, blockSize: Int, parallelization: Int)
        /// PBKDF2 with HMAC-SHA256.
        case pbkdf2SHA256(iterations: Int)
    }

    let derivation: Derivation

    init(_ derivation: Derivation) {
        self.derivation = derivation
    }

    /// scrypt with N = 2^14, r = 8, p = 1 (16 MiB, memory-hard), a random 16-byte salt. The default.
    ///
    /// These are the parameters `openssl pkcs8 -topk8 -scrypt` writes. OpenSSL refuses to derive with more than
    /// 32 MiB unless told otherwise and needs 128·r·(N + 2) bytes, so N = 2^15 with r = 8 is already beyond what
    /// `openssl pkey` opens without extra flags.
    public static let scrypt = KeyEncryption(.scrypt(cost: 1 << 14, blockSize: 8, parallelization: 1))

    /// PBKDF2-HMAC-SHA256 with 600 000 iterations (OWASP 2023), a random 16-byte salt: for readers without scrypt
    /// (OpenSSL before 1.1.0, some key stores).
    public static let pbkdf2 = KeyEncryption(.pbkdf2SHA256(iterations: 600_000))

    public var description: String {
        switch derivation {
        case .scrypt(let n, let r, let p): "PBES2 scrypt (N=\(n), r=\(r), p=\(p)) AES-256-CBC"
        case .pbkdf2SHA256(let iterations): "PBES2 PBKDF2-HMAC-SHA256 (\(iterations) iterations) AES-256-CBC"
        }
    }
}
