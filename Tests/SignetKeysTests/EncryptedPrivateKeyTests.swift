import Crypto
import Foundation
import SignetCOSE
import SignetPKI
import SwiftASN1
import Testing
import _CryptoExtras
@testable import SignetKeys

/// PBES2 with scrypt (RFC 8018 + RFC 7914 section 7): the default for keys written with a passphrase.
@Suite struct EncryptedPrivateKeyTests {
    static let algorithms: [COSEAlgorithm] = [.es256, .es384, .es512, .ed25519, .ps256]

    /// The parsed structure of the first PEM block of `text`.
    func parsed(_ text: String) throws -> EncryptedPrivateKey {
        try EncryptedPrivateKey(derEncoded: try #require(try KeyFile.pemBlocks(in: text).first).der)
    }

    // MARK: Writing and reading back

    @Test("a key written with a passphrase uses scrypt by default and round-trips for every key type", arguments: algorithms)
    func scryptRoundTrip(algorithm: COSEAlgorithm) throws {
        let key = try KeyFile.generate(algorithm)
        let text = try KeyFile.pem(key, passphrase: "correct horse")
        #expect(text.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
        let structure = try parsed(text)
        #expect(structure.derivation == .scrypt(cost: 1 << 14, blockSize: 8, parallelization: 1))
        #expect(structure.cipherOID == ASN1ObjectIdentifier.PasswordBasedEncryption.aes256CBC)
        #expect(structure.salt.count == 16)
        let loaded = try KeyFile.load(pem: text, passphrase: "correct horse")
        #expect(loaded.spkiDER == key.spkiDER)
        #expect(loaded.defaultAlgorithm == key.defaultAlgorithm)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: text, passphrase: "wrong horse") } == .wrongPassphrase)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: text) } == .passphraseRequired)
    }

    @Test("the default scrypt parameters are what OpenSSL writes and fit OpenSSL's default 32 MiB limit")
    func defaultParametersFitOpenSSL() throws {
        guard case .scrypt(let n, let r, let p) = KeyEncryption.scrypt.derivation else {
            Issue.record("the default is not scrypt")
            return
        }
        #expect((n, r, p) == (16384, 8, 1))
        // OpenSSL's scrypt needs 128·r·(N + 2) + 128·r·p bytes and refuses more than 32 MiB without -maxmem.
        #expect(128 * r * (n + 2) + 128 * r * p <= 32 << 20)
        // And the reading bounds accept what is written.
        try EncryptedPrivateKey.checkBounds(.scrypt(cost: n, blockSize: r, parallelization: p))
    }

    @Test("choosing KeyEncryption.pbkdf2 still writes PBKDF2-HMAC-SHA256 with 600 000 iterations, which reads back")
    func pbkdf2StillWritten() throws {
        let key = try KeyFile.generate(.es256)
        let text = try KeyFile.pem(key, passphrase: "p", encryption: .pbkdf2)
        let structure = try parsed(text)
        #expect(structure.derivation == .pbkdf2(prfOID: ASN1ObjectIdentifier.PasswordBasedEncryption.hmacWithSHA256, iterations: 600_000))
        #expect(structure.cipherOID == ASN1ObjectIdentifier.PasswordBasedEncryption.aes256CBC)
        #expect(try KeyFile.load(pem: text, passphrase: "p").spkiDER == key.spkiDER)
    }

    @Test("salt and IV are fresh for every key written")
    func freshSaltAndIV() throws {
        let key = try KeyFile.generate(.es256)
        let first = try parsed(try KeyFile.pem(key, passphrase: "p"))
        let second = try parsed(try KeyFile.pem(key, passphrase: "p"))
        #expect(first.salt != second.salt)
        #expect(first.iv != second.iv)
        #expect(first.ciphertext != second.ciphertext)
    }

    @Test("scrypt derivation matches the RFC 7914 section 12 test vector (N=1024, r=8, p=16)")
    func rfc7914Vector() throws {
        let key = try EncryptedPrivateKey.deriveKey(
            .scrypt(cost: 1024, blockSize: 8, parallelization: 16), passphrase: "password", salt: Array("NaCl".utf8),
            byteCount: 64)
        let expected = "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        #expect(key.withUnsafeBytes { hex(Array($0)) } == expected)
    }

    @Test("an empty passphrase against a scrypt key is wrongPassphrase, not a crash")
    func emptyPassphrase() throws {
        let text = try KeyFile.pem(try KeyFile.generate(.es256), passphrase: "not empty")
        #expect(keyErrorCode { _ = try KeyFile.load(pem: text, passphrase: "") } == .wrongPassphrase)
    }

    @Test("encrypting and decrypting one scrypt key are timed and stay bounded (seconds, even in debug builds under load)")
    func timing() throws {
        let key = try KeyFile.generate(.es256)
        let clock = ContinuousClock()
        var text = ""
        let encrypt = try clock.measure { text = try KeyFile.pem(key, passphrase: "timing") }
        let decrypt = try clock.measure { _ = try KeyFile.load(pem: text, passphrase: "timing") }
        print("note: scrypt N=2^14 r=8 p=1: encrypt \(encrypt), decrypt \(decrypt)")
        // Generous: debug builds run BoringSSL unoptimised and tests run in parallel; the figures are printed above.
        #expect(encrypt < .seconds(60))
        #expect(decrypt < .seconds(60))
    }

    // MARK: Vectors OpenSSL wrote

    /// `openssl pkcs8 -topk8 -scrypt -passout 'pass:vector passphrase'` of an Ed25519 key (N=16384, r=8, p=1,
    /// AES-256-CBC), and with `-scrypt_N 1024 -scrypt_r 8 -scrypt_p 16 -v2 aes-128-cbc`; OpenSSL 3.0.19.
    static let opensslScrypt = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGTME8GCSqGSIb3DQEFDTBCMCEGCSsGAQQB2kcECzAUBAhxnCIcH0+SZgICQAAC
        AQgCAQEwHQYJYIZIAWUDBAEqBBBlIV7w2vQ+2iQlPXULnafHBEDsvE831UCOKMl0
        p0ydLJ+/s9PAhzfBvc5WcgDxABj/dHwaMeVhFCpdBhN0TlD++oLo/Ez8QOAnalx8
        N4pd7AH+
        -----END ENCRYPTED PRIVATE KEY-----

        """
    static let opensslScryptP16AES128 = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIGTME8GCSqGSIb3DQEFDTBCMCEGCSsGAQQB2kcECzAUBAhEE5E4QBYCrQICBAAC
        AQgCARAwHQYJYIZIAWUDBAECBBB3iQIrTvqLYos/uN8Mc0PoBEA2rb4aA7wDI7KI
        PsWo/kR97wSDl9O2g48cGgUkrJ0voJaVHsbpx5Fi/MHXDbwlzDTDpbahk93bQRKY
        qhxDptEG
        -----END ENCRYPTED PRIVATE KEY-----

        """
    /// `openssl pkey -pubout -outform DER` of that key.
    static let opensslScryptSPKI = "302a300506032b657003210059bcb298b4782f0744b30883b28d5a4a4c84688a17b6d925542cb8a19993b9c0"

    @Test("scrypt keys OpenSSL wrote (saved vectors, 8-byte salt, AES-256 and AES-128, p=1 and p=16) load")
    func opensslVectorsLoad() throws {
        for text in [Self.opensslScrypt, Self.opensslScryptP16AES128] {
            let key = try KeyFile.load(pem: text, passphrase: "vector passphrase")
            #expect(hex(key.spkiDER) == Self.opensslScryptSPKI)
            #expect(keyErrorCode { _ = try KeyFile.load(pem: text, passphrase: "vector passphrasE") } == .wrongPassphrase)
            #expect(keyErrorCode { _ = try KeyFile.load(pem: text) } == .passphraseRequired)
        }
        #expect(try parsed(Self.opensslScrypt).derivation == .scrypt(cost: 16384, blockSize: 8, parallelization: 1))
        #expect(try parsed(Self.opensslScryptP16AES128).derivation == .scrypt(cost: 1024, blockSize: 8, parallelization: 16))
        #expect(try parsed(Self.opensslScryptP16AES128).keyByteCount == 16)
    }

    // MARK: Malformed and hostile input

    @Test("every strict prefix of a scrypt-encrypted key DER, and trailing junk, throws a typed error", arguments: [
        COSEAlgorithm.es384, .ps256,
    ])
    func scryptPrefixes(algorithm: COSEAlgorithm) throws {
        let der = try #require(try KeyFile.pemBlocks(in: KeyFile.pem(try KeyFile.generate(algorithm), passphrase: "x")).first).der
        for count in 0..<der.count {
            let code = keyErrorCode {
                _ = try KeyFile.load(pem: pemText("ENCRYPTED PRIVATE KEY", Array(der.prefix(count))), passphrase: "x")
            }
            #expect(code == .corrupt || code == .notAKey, "prefix \(count)")
            // Structure errors are found by the parse, which holds no passphrase: before any derivation can run.
            let parsed = keyErrorCode { _ = try EncryptedPrivateKey(derEncoded: Array(der.prefix(count))) }
            #expect(parsed == .corrupt, "prefix \(count)")
        }
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText("ENCRYPTED PRIVATE KEY", der + [0x05, 0x00]), passphrase: "x") } == .corrupt)
    }

    /// An encrypted key DER with scrypt-params whose fields are the given INTEGER contents (raw bytes, so values
    /// beyond Int and negative ones can be written), around a real ciphertext.
    func scryptDER(salt: [UInt8] = Array(repeating: 7, count: 16), integers: [[UInt8]]) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(ASN1ObjectIdentifier.PasswordBasedEncryption.pbes2)
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(ASN1ObjectIdentifier.PasswordBasedEncryption.scrypt)
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(ASN1OctetString(contentBytes: salt[...]))
                            for integer in integers {
                                coder.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: integer) }
                            }
                        }
                    }
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(ASN1ObjectIdentifier.PasswordBasedEncryption.aes256CBC)
                        try coder.serialize(ASN1OctetString(contentBytes: Array(repeating: 1, count: 16)[...]))
                    }
                }
            }
            try coder.serialize(ASN1OctetString(contentBytes: Array(repeating: 9, count: 48)[...]))
        }
        return coder.serializedBytes
    }

    /// Minimal big-endian INTEGER content of a non-negative value.
    func integer(_ value: Int) -> [UInt8] {
        var bytes = withUnsafeBytes(of: value.bigEndian) { Array($0) }
        while bytes.count > 1, bytes[0] == 0, bytes[1] & 0x80 == 0 { bytes.removeFirst() }
        return bytes
    }

    /// scrypt-params INTEGERs (N, r, p[, keyLength, extra]) and the code they must be refused with.
    static let hostileParameters: [(String, [Int], KeyError.Code)] = [
        ("N = 2^40", [1 << 40, 8, 1], .unsupportedKeyType),
        ("N = 2^62", [1 << 62, 8, 1], .unsupportedKeyType),
        ("N = 2^21, above the bound", [1 << 21, 8, 1], .unsupportedKeyType),
        ("r = 2^40", [1 << 14, 1 << 40, 1], .unsupportedKeyType),
        ("r = 2^62", [1 << 14, 1 << 62, 1], .unsupportedKeyType),
        ("r = 17, above the bound", [1 << 14, 17, 1], .unsupportedKeyType),
        ("p = 2^40", [1 << 14, 8, 1 << 40], .unsupportedKeyType),
        ("p = 2^30 - 1, BoringSSL's own p·r limit", [1 << 14, 1, (1 << 30) - 1], .unsupportedKeyType),
        ("128·r·N = 256 MiB", [1 << 17, 16, 1], .unsupportedKeyType),
        ("N·r·p = 2^24 at 128 MiB", [1 << 16, 16, 16], .unsupportedKeyType),
        ("N·r·p = 2^22 at 128 MiB", [1 << 17, 8, 4], .unsupportedKeyType),
        ("N·r·p = 2^21 at 16 MiB", [1 << 14, 8, 16], .unsupportedKeyType),
        ("N = 1000, not a power of two", [1000, 8, 1], .corrupt),
        ("N = 2^14 + 1, not a power of two", [(1 << 14) + 1, 8, 1], .corrupt),
        ("N = 1", [1, 8, 1], .corrupt),
        ("N = 0", [0, 8, 1], .corrupt),
        ("r = 0", [1 << 14, 0, 1], .corrupt),
        ("p = 0", [1 << 14, 8, 0], .corrupt),
        ("N = 2^16 with r = 1 (N must be below 2^(16·r))", [1 << 16, 1, 1], .corrupt),
        ("keyLength 16 for AES-256", [1 << 14, 8, 1, 16], .corrupt),
        ("keyLength 2^62", [1 << 14, 8, 1, 1 << 62], .corrupt),
        ("p missing", [1 << 14, 8], .corrupt),
        ("a field after keyLength", [1 << 14, 8, 1, 32, 1], .corrupt),
    ]

    @Test("hostile or invalid scrypt parameters are refused fast with a typed error, before any derivation",
          arguments: hostileParameters)
    func hostileScryptParameters(name: String, values: [Int], expected: KeyError.Code) throws {
        let der = try scryptDER(integers: values.map(integer))
        try expectFastRefusal(der, expected, name)
    }

    @Test("scrypt INTEGERs beyond 64 bits, negative, non-minimal, and an empty or missing salt are refused")
    func malformedScryptFields() throws {
        let huge: [UInt8] = [0x01] + Array(repeating: 0, count: 12)  // 2^96
        let n = integer(1 << 14), r = integer(8), p = integer(1)
        try expectFastRefusal(try scryptDER(integers: [huge, r, p]), .unsupportedKeyType, "N = 2^96")
        try expectFastRefusal(try scryptDER(integers: [n, huge, p]), .unsupportedKeyType, "r = 2^96")
        try expectFastRefusal(try scryptDER(integers: [n, r, huge]), .unsupportedKeyType, "p = 2^96")
        try expectFastRefusal(try scryptDER(integers: [[0xC0, 0x00], r, p]), .corrupt, "negative N")
        try expectFastRefusal(try scryptDER(integers: [n, [0xFF], p]), .corrupt, "r = -1")
        try expectFastRefusal(try scryptDER(integers: [[0x00, 0x40, 0x00], r, p]), .corrupt, "non-minimal N")
        try expectFastRefusal(try scryptDER(integers: [[], r, p]), .corrupt, "empty INTEGER")
        try expectFastRefusal(try scryptDER(salt: [], integers: [n, r, p]), .corrupt, "empty salt")
        try expectFastRefusal(try scryptDER(salt: Array(repeating: 1, count: 1025), integers: [n, r, p]), .corrupt, "1025-byte salt")
    }

    @Test("the reading bounds accept up to 128 MiB and 8 times the default work, and nothing beyond")
    func boundEdges() throws {
        for (n, r, p) in [(1 << 17, 8, 1), (1 << 16, 16, 1), (1 << 14, 8, 8), (1 << 15, 2, 16), (1 << 15, 1, 1)] {
            #expect(throws: Never.self, "N=\(n) r=\(r) p=\(p)") {
                try EncryptedPrivateKey.checkBounds(.scrypt(cost: n, blockSize: r, parallelization: p))
            }
        }
        for (n, r, p) in [(1 << 18, 8, 1), (1 << 17, 16, 1), (1 << 14, 8, 9), (1 << 10, 8, 17), (1 << 10, 17, 1)] {
            let code = keyErrorCode { try EncryptedPrivateKey.checkBounds(.scrypt(cost: n, blockSize: r, parallelization: p)) }
            #expect(code == .unsupportedKeyType, "N=\(n) r=\(r) p=\(p)")
        }
    }

    @Test("the bounds are checked again at derivation time, not only when parsing")
    func boundsAtDerivation() throws {
        let clock = ContinuousClock()
        for derivation in [
            EncryptedPrivateKey.Derivation.scrypt(cost: 1 << 40, blockSize: 8, parallelization: 1),
            .scrypt(cost: 1 << 14, blockSize: 1 << 40, parallelization: 1),
            .scrypt(cost: 1 << 14, blockSize: 8, parallelization: 1 << 40),
            .scrypt(cost: 3, blockSize: 8, parallelization: 1),
            .pbkdf2(prfOID: ASN1ObjectIdentifier.PasswordBasedEncryption.hmacWithSHA256, iterations: 1 << 40),
        ] {
            let key = EncryptedPrivateKey(
                derivation: derivation, salt: Array(repeating: 1, count: 16), cipherOID: ASN1ObjectIdentifier.PasswordBasedEncryption.aes256CBC,
                keyByteCount: 32, iv: Array(repeating: 2, count: 16), ciphertext: Array(repeating: 3, count: 32))
            let start = clock.now
            let code = keyErrorCode { _ = try key.decrypt(passphrase: "x") }
            #expect(code == .unsupportedKeyType || code == .corrupt, "\(derivation)")
            // Running any of these would never finish or would exhaust memory; 60 s outlasts a loaded machine's stalls.
            #expect(clock.now - start < .seconds(60), "\(derivation)")
        }
    }

    @Test("an unknown key derivation OID inside PBES2 is unsupportedKeyType")
    func unknownDerivation() throws {
        var der = try scryptDER(integers: [integer(1 << 14), integer(8), integer(1)])
        // Change the last arc of id-scrypt (…4.11) to …4.12.
        let oid: [UInt8] = [0x2B, 0x06, 0x01, 0x04, 0x01, 0xDA, 0x47, 0x04, 0x0B]
        let at = try #require(firstRange(of: oid, in: der))
        der[at + oid.count - 1] = 0x0C
        try expectFastRefusal(der, .unsupportedKeyType, "unknown KDF")
    }

    func expectFastRefusal(_ der: [UInt8], _ expected: KeyError.Code, _ name: String,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
        let code = keyErrorCode { _ = try KeyFile.load(pem: pemText("ENCRYPTED PRIVATE KEY", der), passphrase: "x") }
        #expect(code == expected, "\(name)", sourceLocation: sourceLocation)
        // The parse alone, which holds no passphrase, refuses it: no derivation of these parameters ever starts.
        let parsed = keyErrorCode { _ = try EncryptedPrivateKey(derEncoded: der) }
        #expect(parsed == expected, "\(name)", sourceLocation: sourceLocation)
    }

    // MARK: Files

    @Test("an encrypted key file is written 0600, also when it replaces a world-readable file")
    func encryptedFileMode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("signer.key")
        _ = FileManager.default.createFile(atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        #expect(try fileMode(path) == 0o644)
        let key = try KeyFile.generate(.es256)
        #expect(keyErrorCode { try KeyFile.write(key, to: path, passphrase: "p") } == .alreadyExists)
        try KeyFile.write(key, to: path, passphrase: "p", overwrite: true)
        #expect(try fileMode(path) == 0o600)
        #expect(try KeyFile.load(path: path, passphrase: "p").spkiDER == key.spkiDER)
        let fresh = dir.file("fresh.key")
        try KeyFile.write(key, to: fresh, passphrase: "p", encryption: .pbkdf2)
        #expect(try fileMode(fresh) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["fresh.key", "signer.key"])
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
    guard needle.count <= haystack.count else { return nil }
    return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
}
