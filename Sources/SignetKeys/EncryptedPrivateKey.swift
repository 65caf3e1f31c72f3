import Crypto
import Foundation
import SignetPKI
import SwiftASN1
import _CryptoExtras

/// Encrypted PKCS#8 with PBES2 (RFC 8018), with PBKDF2 or scrypt (RFC 7914 section 7) and AES-CBC: what OpenSSL
/// writes by default (PBKDF2) and with `-scrypt`.
/// ```
/// EncryptedPrivateKeyInfo ::= SEQUENCE {
///     encryptionAlgorithm  AlgorithmIdentifier,      -- id-PBES2 (1.2.840.113549.1.5.13) with PBES2-params
///     encryptedData        OCTET STRING }
/// PBES2-params ::= SEQUENCE {
///     keyDerivationFunc    AlgorithmIdentifier,      -- id-PBKDF2 (1.2.840.113549.1.5.12) with PBKDF2-params, or
///                                                    -- id-scrypt (1.3.6.1.4.1.11591.4.11) with scrypt-params
///     encryptionScheme     AlgorithmIdentifier }     -- aes{128,192,256}-CBC with the IV as OCTET STRING (16 bytes)
/// PBKDF2-params ::= SEQUENCE {
///     salt                 OCTET STRING,             -- the "specified" choice only
///     iterationCount       INTEGER (1..MAX),
///     keyLength            INTEGER OPTIONAL,
///     prf                  AlgorithmIdentifier DEFAULT hmacWithSHA1 }
/// scrypt-params ::= SEQUENCE {
///     salt                     OCTET STRING,
///     costParameter            INTEGER (1..MAX),     -- N, a power of two greater than 1
///     blockSize                INTEGER (1..MAX),     -- r
///     parallelizationParameter INTEGER (1..MAX),     -- p
///     keyLength                INTEGER (1..MAX) OPTIONAL }
/// ```
///
/// The work a file can demand is bounded before any derivation starts: PBKDF2 at ``maximumIterations``; scrypt at
/// ``maximumScryptCost``, ``maximumScryptBlockSize``, ``maximumScryptParallelization``, ``maximumScryptMemory``
/// and ``maximumScryptWork``. Parameters outside the grammar are `corrupt`; parameters inside it but beyond these
/// bounds are `unsupportedKeyType`.
struct EncryptedPrivateKey {
    /// The key derivation of a parsed or to-be-written key. The PRF OID is one of the four HMACs ``pbkdf2Hash(_:)``
    /// knows.
    enum Derivation: Hashable {
        case pbkdf2(prfOID: ASN1ObjectIdentifier, iterations: Int)
        case scrypt(cost: Int, blockSize: Int, parallelization: Int)
    }

    /// The most PBKDF2 iterations accepted when reading.
    static let maximumIterations = 10_000_000
    /// The largest scrypt N accepted when reading, checked first; the memory and work bounds below are tighter
    /// (N ≤ 2^17 at r = 8).
    static let maximumScryptCost = 1 << 20
    /// The largest scrypt r accepted when reading (8 is what everyone writes). Beyond 16 with p = 1, swift-crypto's
    /// memory allowance (128·N·r·p plus a page) falls short of what BoringSSL needs, 128·r·(N + p + 1).
    static let maximumScryptBlockSize = 16
    /// The largest scrypt p accepted when reading.
    static let maximumScryptParallelization = 16
    /// The largest scrypt table, 128·r·N bytes, accepted when reading: 128 MiB (N = 2^17 at r = 8). The other
    /// buffers add 128·r·(p + 1) bytes, at most 34 KiB within the bounds above.
    static let maximumScryptMemory = 1 << 27
    /// The most scrypt work, N·r·p, accepted when reading: 8 times the default 2^14·8·1 (about a second with
    /// OpenSSL's optimised scrypt on a 2-core machine, some seconds in a debug build).
    static let maximumScryptWork = 1 << 20

    var derivation: Derivation
    var salt: [UInt8]
    var cipherOID: ASN1ObjectIdentifier
    var keyByteCount: Int
    var iv: [UInt8]
    var ciphertext: [UInt8]

    init(derivation: Derivation, salt: [UInt8], cipherOID: ASN1ObjectIdentifier, keyByteCount: Int, iv: [UInt8],
         ciphertext: [UInt8]) {
        self.derivation = derivation
        self.salt = salt
        self.cipherOID = cipherOID
        self.keyByteCount = keyByteCount
        self.iv = iv
        self.ciphertext = ciphertext
    }

    // MARK: Reading

    /// Parses the structure and checks every bound. Unsupported schemes and parameters beyond the bounds throw
    /// `unsupportedKeyType`, malformed ones `corrupt`.
    init(derEncoded der: [UInt8]) throws(KeyError) {
        let outer: (AlgorithmIdentifier, [UInt8])
        do {
            let root = try DER.parse(der)
            outer = try DER.sequence(root, identifier: .sequence) { nodes in
                let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
                let data = try ASN1OctetString(derEncoded: &nodes)
                return (algorithm, Array(data.bytes))
            }
        } catch {
            throw KeyError(.corrupt, "the encrypted PKCS#8 structure is malformed: \(error)")
        }
        guard outer.0.oid == ASN1ObjectIdentifier.PasswordBasedEncryption.pbes2 else {
            throw KeyError(.unsupportedKeyType, "key encryption scheme \(outer.0.oid) is not supported (PBES2 is; re-encrypt with `openssl pkcs8 -topk8 -scrypt`)")
        }
        guard let pbes2Parameters = outer.0.parameters else {
            throw KeyError(.corrupt, "PBES2 without parameters")
        }
        let kdf: AlgorithmIdentifier
        let scheme: AlgorithmIdentifier
        do {
            (kdf, scheme) = try DER.sequence(Self.node(of: pbes2Parameters), identifier: .sequence) { nodes in
                (try AlgorithmIdentifier(derEncoded: &nodes), try AlgorithmIdentifier(derEncoded: &nodes))
            }
        } catch {
            throw KeyError(.corrupt, "the PBES2 parameters are malformed")
        }
        let keyByteCount: Int
        switch scheme.oid {
        case ASN1ObjectIdentifier.PasswordBasedEncryption.aes128CBC: keyByteCount = 16
        case ASN1ObjectIdentifier.PasswordBasedEncryption.aes192CBC: keyByteCount = 24
        case ASN1ObjectIdentifier.PasswordBasedEncryption.aes256CBC: keyByteCount = 32
        default:
            throw KeyError(.unsupportedKeyType, "key cipher \(scheme.oid) is not supported (AES-128/192/256-CBC are)")
        }
        let iv: [UInt8]
        do {
            guard let ivAny = scheme.parameters else { throw ASN1Error.invalidASN1Object(reason: "no IV") }
            iv = Array(try ASN1OctetString(asn1Any: ivAny).bytes)
        } catch {
            throw KeyError(.corrupt, "the AES-CBC parameters are malformed")
        }
        guard iv.count == 16 else { throw KeyError(.corrupt, "AES-CBC IV of \(iv.count) bytes, expected 16") }

        let derivation: Derivation
        let salt: [UInt8]
        switch kdf.oid {
        case ASN1ObjectIdentifier.PasswordBasedEncryption.pbkdf2:
            (derivation, salt) = try Self.parsePBKDF2(kdf.parameters, keyByteCount: keyByteCount)
        case ASN1ObjectIdentifier.PasswordBasedEncryption.scrypt:
            (derivation, salt) = try Self.parseScrypt(kdf.parameters, keyByteCount: keyByteCount)
        default:
            throw KeyError(.unsupportedKeyType, "key derivation \(kdf.oid) is not supported (PBKDF2 and scrypt are)")
        }
        guard !outer.1.isEmpty, outer.1.count % 16 == 0 else {
            throw KeyError(.corrupt, "encrypted key data of \(outer.1.count) bytes is not whole AES blocks")
        }
        self.init(derivation: derivation, salt: salt, cipherOID: scheme.oid, keyByteCount: keyByteCount,
                  iv: iv, ciphertext: outer.1)
    }

    /// PBKDF2-params (see the type's grammar).
    private static func parsePBKDF2(_ parameters: ASN1Any?, keyByteCount: Int) throws(KeyError) -> (Derivation, [UInt8]) {
        let parsed: (salt: [UInt8], iterations: Int, keyLength: Int?, prf: AlgorithmIdentifier?)
        do {
            guard let parameters else { throw ASN1Error.invalidASN1Object(reason: "no PBKDF2 parameters") }
            parsed = try DER.sequence(Self.node(of: parameters), identifier: .sequence) { nodes in
                let salt = try ASN1OctetString(derEncoded: &nodes)
                let iterations = try Self.saturatingInteger(&nodes)
                var keyLength: Int?
                var prf: AlgorithmIdentifier?
                if let next = nodes.next() {
                    if next.identifier == .integer {
                        keyLength = try Int(derEncoded: next)
                        if let last = nodes.next() { prf = try AlgorithmIdentifier(derEncoded: last) }
                    } else {
                        prf = try AlgorithmIdentifier(derEncoded: next)
                    }
                }
                return (Array(salt.bytes), iterations, keyLength, prf)
            }
        } catch {
            throw KeyError(.corrupt, "the PBKDF2 parameters are malformed")
        }
        try checkSalt(parsed.salt)
        if let keyLength = parsed.keyLength, keyLength != keyByteCount {
            throw KeyError(.corrupt, "PBKDF2 key length \(keyLength) does not fit the cipher")
        }
        let prfOID = parsed.prf?.oid ?? ASN1ObjectIdentifier.PasswordBasedEncryption.hmacWithSHA1
        if let prf = parsed.prf, !prf.parametersAbsentOrNull {
            throw KeyError(.corrupt, "PBKDF2 PRF with unexpected parameters")
        }
        guard pbkdf2Hash(prfOID) != nil else { throw KeyError(.unsupportedKeyType, "PBKDF2 PRF \(prfOID) is not supported") }
        let derivation = Derivation.pbkdf2(prfOID: prfOID, iterations: parsed.iterations)
        try checkBounds(derivation)
        return (derivation, parsed.salt)
    }

    /// scrypt-params (see the type's grammar).
    private static func parseScrypt(_ parameters: ASN1Any?, keyByteCount: Int) throws(KeyError) -> (Derivation, [UInt8]) {
        let parsed: (salt: [UInt8], cost: Int, blockSize: Int, parallelization: Int, keyLength: Int?)
        do {
            guard let parameters else { throw ASN1Error.invalidASN1Object(reason: "no scrypt parameters") }
            parsed = try DER.sequence(Self.node(of: parameters), identifier: .sequence) { nodes in
                let salt = try ASN1OctetString(derEncoded: &nodes)
                let cost = try Self.saturatingInteger(&nodes)
                let blockSize = try Self.saturatingInteger(&nodes)
                let parallelization = try Self.saturatingInteger(&nodes)
                let keyLength = try nodes.next().map { try Self.saturatingInteger($0) }
                return (Array(salt.bytes), cost, blockSize, parallelization, keyLength)
            }
        } catch {
            throw KeyError(.corrupt, "the scrypt parameters are malformed")
        }
        try checkSalt(parsed.salt)
        if let keyLength = parsed.keyLength, keyLength != keyByteCount {
            throw KeyError(.corrupt, "scrypt key length \(keyLength) does not fit the cipher")
        }
        let derivation = Derivation.scrypt(
            cost: parsed.cost, blockSize: parsed.blockSize, parallelization: parsed.parallelization)
        try checkBounds(derivation)
        return (derivation, parsed.salt)
    }

    /// Checks scrypt parameters against RFC 7914 (`corrupt`) and then against the reading bounds
    /// (`unsupportedKeyType`). Runs before every derivation, not only after parsing. PBKDF2 is checked the same way.
    static func checkBounds(_ derivation: Derivation) throws(KeyError) {
        switch derivation {
        case .pbkdf2(_, let iterations):
            guard iterations >= 1 else { throw KeyError(.corrupt, "PBKDF2 iteration count \(iterations)") }
            guard iterations <= maximumIterations else {
                throw KeyError(.unsupportedKeyType, "PBKDF2 iteration count \(iterations) is above \(maximumIterations)")
            }
        case .scrypt(let n, let r, let p):
            guard n >= 1, r >= 1, p >= 1 else {
                throw KeyError(.corrupt, "scrypt parameters N=\(n), r=\(r), p=\(p): each must be at least 1")
            }
            guard n <= maximumScryptCost else {
                throw KeyError(.unsupportedKeyType, "scrypt cost N=\(n) is above \(maximumScryptCost)")
            }
            guard r <= maximumScryptBlockSize else {
                throw KeyError(.unsupportedKeyType, "scrypt block size r=\(r) is above \(maximumScryptBlockSize)")
            }
            guard p <= maximumScryptParallelization else {
                throw KeyError(.unsupportedKeyType, "scrypt parallelization p=\(p) is above \(maximumScryptParallelization)")
            }
            // RFC 7914 section 2: N is a power of two greater than 1 and less than 2^(128·r/8).
            guard n >= 2, n & (n - 1) == 0 else {
                throw KeyError(.corrupt, "scrypt cost N=\(n) is not a power of two greater than 1")
            }
            guard 16 * r >= Int.bitWidth - 1 || n < 1 << (16 * r) else {
                throw KeyError(.corrupt, "scrypt cost N=\(n) is not below 2^(16·r) for r=\(r)")
            }
            // Within the bounds above none of these products overflow: 128·N·r ≤ 2^31, N·r·p ≤ 2^28.
            guard 128 * r * n <= maximumScryptMemory else {
                throw KeyError(.unsupportedKeyType, "scrypt N=\(n), r=\(r) needs \(128 * r * n >> 20) MiB, above \(maximumScryptMemory >> 20) MiB")
            }
            guard n * r * p <= maximumScryptWork else {
                throw KeyError(.unsupportedKeyType, "scrypt N=\(n), r=\(r), p=\(p) is more work than \(maximumScryptWork) (N·r·p)")
            }
        }
    }

    private static func checkSalt(_ salt: [UInt8]) throws(KeyError) {
        // An empty salt is also refused because the derivation functions need a non-empty buffer.
        guard (1...1024).contains(salt.count) else { throw KeyError(.corrupt, "salt of \(salt.count) bytes") }
    }

    /// A non-negative INTEGER, saturated at `Int.max`: a hostile 2^100 reads as too large, not as malformed.
    /// Negative and non-minimal encodings throw.
    private static func saturatingInteger(_ node: ASN1Node) throws -> Int {
        let magnitude = try ArraySlice<UInt8>(derEncoded: node)  // unsigned: the sign byte is stripped, negatives throw
        guard magnitude.count <= 8 else { return .max }
        let value = magnitude.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(exactly: value) ?? .max
    }

    private static func saturatingInteger(_ nodes: inout ASN1NodeCollection.Iterator) throws -> Int {
        guard let node = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "missing INTEGER") }
        return try saturatingInteger(node)
    }

    /// Re-parses an `ASN1Any` as a node, to walk a structure held inside parameters.
    private static func node(of value: ASN1Any) throws -> ASN1Node {
        var coder = DER.Serializer()
        try coder.serialize(value)
        return try DER.parse(coder.serializedBytes)
    }

    // MARK: Decrypting and encrypting

    /// Decrypts to the inner PKCS#8 DER. A padding failure means the passphrase is wrong.
    func decrypt(passphrase: String) throws(KeyError) -> [UInt8] {
        let key = try Self.deriveKey(derivation, passphrase: passphrase, salt: salt, byteCount: keyByteCount)
        do {
            return Array(try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv)))
        } catch {
            throw KeyError(.wrongPassphrase, "the passphrase does not decrypt the key")
        }
    }

    /// The AES key for `passphrase` (its UTF-8 bytes, as OpenSSL uses them), after checking the bounds again.
    static func deriveKey(_ derivation: Derivation, passphrase: String, salt: [UInt8], byteCount: Int) throws(KeyError) -> SymmetricKey {
        try checkBounds(derivation)
        try checkSalt(salt)
        let password = Array(passphrase.utf8)
        do {
            switch derivation {
            case .pbkdf2(let prfOID, let iterations):
                guard let hash = pbkdf2Hash(prfOID) else {
                    throw KeyError(.unsupportedKeyType, "PBKDF2 PRF \(prfOID) is not supported")
                }
                return try KDF.Insecure.PBKDF2.deriveKey(
                    from: password, salt: salt, using: hash, outputByteCount: byteCount, unsafeUncheckedRounds: iterations)
            case .scrypt(let n, let r, let p):
                // swift-crypto's default memory allowance, 128·N·r·p plus a page, covers BoringSSL's 128·r·(N+p+1)
                // for every r up to 16; the bounds above keep it from overflowing.
                return try KDF.Scrypt.deriveKey(
                    from: password, salt: salt, outputByteCount: byteCount, rounds: n, blockSize: r, parallelism: p)
            }
        } catch let error as KeyError {
            throw error
        } catch {
            throw KeyError(.internalFailure, "key derivation failed: \(error)")
        }
    }

    /// Encrypts PKCS#8 DER under `encryption` with a random 16-byte salt and AES-256-CBC with a random IV.
    static func encrypt(pkcs8 plain: [UInt8], passphrase: String, using encryption: KeyEncryption = .scrypt) throws(KeyError) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let iv = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let derivation: Derivation
        switch encryption.derivation {
        case .scrypt(let n, let r, let p): derivation = .scrypt(cost: n, blockSize: r, parallelization: p)
        case .pbkdf2SHA256(let iterations): derivation = .pbkdf2(prfOID: ASN1ObjectIdentifier.PasswordBasedEncryption.hmacWithSHA256, iterations: iterations)
        }
        let key = try deriveKey(derivation, passphrase: passphrase, salt: salt, byteCount: 32)
        let ciphertext: [UInt8]
        do {
            ciphertext = Array(try AES._CBC.encrypt(plain, using: key, iv: AES._CBC.IV(ivBytes: iv)))
        } catch {
            throw KeyError(.internalFailure, "could not encrypt the key: \(error)")
        }
        return try EncryptedPrivateKey(
            derivation: derivation, salt: salt, cipherOID: ASN1ObjectIdentifier.PasswordBasedEncryption.aes256CBC, keyByteCount: 32, iv: iv,
            ciphertext: ciphertext
        ).derEncoded()
    }

    /// The DER of this structure. scrypt-params and PBKDF2-params are written without the optional key length, as
    /// OpenSSL writes them; the PBKDF2 PRF is always written.
    func derEncoded() throws(KeyError) -> [UInt8] {
        do {
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(ASN1ObjectIdentifier.PasswordBasedEncryption.pbes2)
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            switch derivation {
                            case .pbkdf2(let prfOID, let iterations):
                                try coder.serialize(ASN1ObjectIdentifier.PasswordBasedEncryption.pbkdf2)
                                try coder.appendConstructedNode(identifier: .sequence) { coder in
                                    try coder.serialize(ASN1OctetString(contentBytes: salt[...]))
                                    try coder.serialize(iterations)
                                    try coder.serialize(AlgorithmIdentifier(
                                        oid: prfOID, parameters: AlgorithmIdentifier.nullParameters))
                                }
                            case .scrypt(let n, let r, let p):
                                try coder.serialize(ASN1ObjectIdentifier.PasswordBasedEncryption.scrypt)
                                try coder.appendConstructedNode(identifier: .sequence) { coder in
                                    try coder.serialize(ASN1OctetString(contentBytes: salt[...]))
                                    try coder.serialize(n)
                                    try coder.serialize(r)
                                    try coder.serialize(p)
                                }
                            }
                        }
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(cipherOID)
                            try coder.serialize(ASN1OctetString(contentBytes: iv[...]))
                        }
                    }
                }
                try coder.serialize(ASN1OctetString(contentBytes: ciphertext[...]))
            }
            return coder.serializedBytes
        } catch {
            throw KeyError(.internalFailure, "could not encode the encrypted key: \(error)")
        }
    }

    /// The HMAC for a PBKDF2 PRF OID, or nil when it is not supported.
    static func pbkdf2Hash(_ oid: ASN1ObjectIdentifier) -> KDF.Insecure.PBKDF2.HashFunction? {
        switch oid {
        case ASN1ObjectIdentifier.PasswordBasedEncryption.hmacWithSHA1: .insecureSHA1
        case ASN1ObjectIdentifier.PasswordBasedEncryption.hmacWithSHA256: .sha256
        case ASN1ObjectIdentifier.PasswordBasedEncryption.hmacWithSHA384: .sha384
        case ASN1ObjectIdentifier.PasswordBasedEncryption.hmacWithSHA512: .sha512
        default: nil
        }
    }
}
