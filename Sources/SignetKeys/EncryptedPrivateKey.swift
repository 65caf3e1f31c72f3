import Crypto
import Foundation
import SwiftASN1
import _CryptoExtras

/// Encrypted PKCS#8 with PBES2 (RFC 8018), restricted to PBKDF2 + AES-CBC — what OpenSSL writes by default.
/// ```
/// EncryptedPrivateKeyInfo ::= SEQUENCE {
///     encryptionAlgorithm  AlgorithmIdentifier,      -- id-PBES2 (1.2.840.113549.1.5.13) with PBES2-params
///     encryptedData        OCTET STRING }
/// PBES2-params ::= SEQUENCE {
///     keyDerivationFunc    AlgorithmIdentifier,      -- id-PBKDF2 (1.2.840.113549.1.5.12) with PBKDF2-params
///     encryptionScheme     AlgorithmIdentifier }     -- aes{128,192,256}-CBC with the IV as OCTET STRING (16 bytes)
/// PBKDF2-params ::= SEQUENCE {
///     salt                 OCTET STRING,             -- the "specified" choice only
///     iterationCount       INTEGER (1..MAX),
///     keyLength            INTEGER OPTIONAL,
///     prf                  AlgorithmIdentifier DEFAULT hmacWithSHA1 }
/// ```
struct EncryptedPrivateKey {
    /// Iterations used when writing (OWASP 2023 guidance for PBKDF2-HMAC-SHA256).
    static let writeIterations = 600_000
    /// The most iterations accepted when reading, to bound the work an input file can demand.
    static let maximumIterations = 10_000_000

    var prf: KDF.Insecure.PBKDF2.HashFunction
    var prfOID: ASN1ObjectIdentifier
    var salt: [UInt8]
    var iterations: Int
    var cipherOID: ASN1ObjectIdentifier
    var keyByteCount: Int
    var iv: [UInt8]
    var ciphertext: [UInt8]

    init(prf: KDF.Insecure.PBKDF2.HashFunction, prfOID: ASN1ObjectIdentifier, salt: [UInt8], iterations: Int,
         cipherOID: ASN1ObjectIdentifier, keyByteCount: Int, iv: [UInt8], ciphertext: [UInt8]) {
        self.prf = prf
        self.prfOID = prfOID
        self.salt = salt
        self.iterations = iterations
        self.cipherOID = cipherOID
        self.keyByteCount = keyByteCount
        self.iv = iv
        self.ciphertext = ciphertext
    }

    /// Parses the structure. Unsupported schemes throw `unsupportedKeyType`, malformed ones `corrupt`.
    init(derEncoded der: [UInt8]) throws(KeyError) {
        let outer: (AlgorithmIdentifierValue, [UInt8])
        do {
            let root = try DER.parse(der)
            outer = try DER.sequence(root, identifier: .sequence) { nodes in
                let algorithm = try AlgorithmIdentifierValue(derEncoded: &nodes)
                let data = try ASN1OctetString(derEncoded: &nodes)
                return (algorithm, Array(data.bytes))
            }
        } catch {
            throw KeyError(.corrupt, "the encrypted PKCS#8 structure is malformed: \(error)")
        }
        guard outer.0.algorithm == KeyOID.pbes2 else {
            throw KeyError(.unsupportedKeyType, "key encryption scheme \(outer.0.algorithm) is not supported (PBES2 is; re-encrypt with `openssl pkcs8 -topk8 -v2 aes-256-cbc`)")
        }
        guard let pbes2Parameters = outer.0.parameters else {
            throw KeyError(.corrupt, "PBES2 without parameters")
        }
        let kdf: AlgorithmIdentifierValue
        let scheme: AlgorithmIdentifierValue
        do {
            (kdf, scheme) = try DER.sequence(Self.node(of: pbes2Parameters), identifier: .sequence) { nodes in
                (try AlgorithmIdentifierValue(derEncoded: &nodes), try AlgorithmIdentifierValue(derEncoded: &nodes))
            }
        } catch {
            throw KeyError(.corrupt, "the PBES2 parameters are malformed")
        }
        guard kdf.algorithm == KeyOID.pbkdf2, let kdfParameters = kdf.parameters else {
            throw KeyError(.unsupportedKeyType, "key derivation \(kdf.algorithm) is not supported (PBKDF2 is)")
        }
        let keyByteCount: Int
        switch scheme.algorithm {
        case KeyOID.aes128CBC: keyByteCount = 16
        case KeyOID.aes192CBC: keyByteCount = 24
        case KeyOID.aes256CBC: keyByteCount = 32
        default:
            throw KeyError(.unsupportedKeyType, "key cipher \(scheme.algorithm) is not supported (AES-128/192/256-CBC are)")
        }
        let iv: [UInt8]
        do {
            guard let ivAny = scheme.parameters else { throw ASN1Error.invalidASN1Object(reason: "no IV") }
            iv = Array(try ASN1OctetString(asn1Any: ivAny).bytes)
        } catch {
            throw KeyError(.corrupt, "the AES-CBC parameters are malformed")
        }
        guard iv.count == 16 else { throw KeyError(.corrupt, "AES-CBC IV of \(iv.count) bytes, expected 16") }

        let pbkdf2: (salt: [UInt8], iterations: Int, keyLength: Int?, prf: AlgorithmIdentifierValue?)
        do {
            let node = try Self.node(of: kdfParameters)
            pbkdf2 = try DER.sequence(node, identifier: .sequence) { nodes in
                let salt = try ASN1OctetString(derEncoded: &nodes)
                let iterations = try Int(derEncoded: &nodes)
                var keyLength: Int?
                var prf: AlgorithmIdentifierValue?
                if let next = nodes.next() {
                    if next.identifier == .integer {
                        keyLength = try Int(derEncoded: next)
                        if let last = nodes.next() { prf = try AlgorithmIdentifierValue(derEncoded: last) }
                    } else {
                        prf = try AlgorithmIdentifierValue(derEncoded: next)
                    }
                }
                return (Array(salt.bytes), iterations, keyLength, prf)
            }
        } catch {
            throw KeyError(.corrupt, "the PBKDF2 parameters are malformed")
        }
        guard (1...Self.maximumIterations).contains(pbkdf2.iterations) else {
            throw KeyError(.unsupportedKeyType, "PBKDF2 iteration count \(pbkdf2.iterations) is outside 1...\(Self.maximumIterations)")
        }
        guard (1...1024).contains(pbkdf2.salt.count) else {
            throw KeyError(.corrupt, "PBKDF2 salt of \(pbkdf2.salt.count) bytes")
        }
        if let keyLength = pbkdf2.keyLength, keyLength != keyByteCount {
            throw KeyError(.corrupt, "PBKDF2 key length \(keyLength) does not fit the cipher")
        }
        let prfOID = pbkdf2.prf?.algorithm ?? KeyOID.hmacWithSHA1
        if let prf = pbkdf2.prf, !prf.parametersAbsentOrNull {
            throw KeyError(.corrupt, "PBKDF2 PRF with unexpected parameters")
        }
        let prf: KDF.Insecure.PBKDF2.HashFunction
        switch prfOID {
        case KeyOID.hmacWithSHA1: prf = .insecureSHA1
        case KeyOID.hmacWithSHA256: prf = .sha256
        case KeyOID.hmacWithSHA384: prf = .sha384
        case KeyOID.hmacWithSHA512: prf = .sha512
        default: throw KeyError(.unsupportedKeyType, "PBKDF2 PRF \(prfOID) is not supported")
        }
        guard !outer.1.isEmpty, outer.1.count % 16 == 0 else {
            throw KeyError(.corrupt, "encrypted key data of \(outer.1.count) bytes is not whole AES blocks")
        }
        self.init(prf: prf, prfOID: prfOID, salt: pbkdf2.salt, iterations: pbkdf2.iterations,
                  cipherOID: scheme.algorithm, keyByteCount: keyByteCount, iv: iv, ciphertext: outer.1)
    }

    /// Re-parses an `ASN1Any` as a node, to walk a structure held inside parameters.
    private static func node(of value: ASN1Any) throws -> ASN1Node {
        var coder = DER.Serializer()
        try coder.serialize(value)
        return try DER.parse(coder.serializedBytes)
    }

    /// Decrypts to the inner PKCS#8 DER. A padding failure means the passphrase is wrong.
    func decrypt(passphrase: String) throws(KeyError) -> [UInt8] {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(passphrase.utf8), salt: salt, using: prf, outputByteCount: keyByteCount,
                unsafeUncheckedRounds: iterations)
            let plain = try AES._CBC.decrypt(ciphertext, using: key, iv: AES._CBC.IV(ivBytes: iv))
            return Array(plain)
        } catch {
            throw KeyError(.wrongPassphrase, "the passphrase does not decrypt the key")
        }
    }

    /// Encrypts PKCS#8 DER with PBKDF2-HMAC-SHA256 (random 16-byte salt), AES-256-CBC (random IV).
    static func encrypt(pkcs8 plain: [UInt8], passphrase: String, iterations: Int = writeIterations) throws(KeyError) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let iv = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(passphrase.utf8), salt: salt, using: .sha256, outputByteCount: 32,
                unsafeUncheckedRounds: iterations)
            let ciphertext = Array(try AES._CBC.encrypt(plain, using: key, iv: AES._CBC.IV(ivBytes: iv)))

            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(KeyOID.pbes2)
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(KeyOID.pbkdf2)
                            try coder.appendConstructedNode(identifier: .sequence) { coder in
                                try coder.serialize(ASN1OctetString(contentBytes: salt[...]))
                                try coder.serialize(iterations)
                                try coder.serialize(AlgorithmIdentifierValue(
                                    algorithm: KeyOID.hmacWithSHA256, parameters: try ASN1Any(erasing: ASN1Null())))
                            }
                        }
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(KeyOID.aes256CBC)
                            try coder.serialize(ASN1OctetString(contentBytes: iv[...]))
                        }
                    }
                }
                try coder.serialize(ASN1OctetString(contentBytes: ciphertext[...]))
            }
            return coder.serializedBytes
        } catch {
            throw KeyError(.internalFailure, "could not encrypt the key: \(error)")
        }
    }
}
