import Crypto
import Foundation
import SignetCOSE
import SignetPKI
import SwiftASN1
import Testing
import _CryptoExtras
@testable import SignetKeys

@Suite struct KeyFileTests {
    static let fastAlgorithms: [COSEAlgorithm] = [.es256, .es384, .es512, .ed25519, .ps256]

    @Test("an unencrypted PKCS#8 PEM round-trips for every key type", arguments: fastAlgorithms)
    func unencryptedRoundTrip(algorithm: COSEAlgorithm) throws {
        let key = try KeyFile.generate(algorithm)
        let text = try KeyFile.pem(key)
        #expect(text.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let loaded = try KeyFile.load(pem: text)
        #expect(loaded.spkiDER == key.spkiDER)
        #expect(loaded.defaultAlgorithm == key.defaultAlgorithm)
    }

    @Test("an encrypted PKCS#8 PEM round-trips with the right passphrase")
    func encryptedRoundTrip() throws {
        for algorithm in [COSEAlgorithm.es256, .ed25519] {
            let key = try KeyFile.generate(algorithm)
            let text = try KeyFile.pem(key, passphrase: "correct horse")
            #expect(text.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
            #expect(try KeyFile.load(pem: text, passphrase: "correct horse").spkiDER == key.spkiDER)
        }
    }

    @Test("the encrypted form uses PBES2, scrypt N=2^14 r=8 p=1, a 16-byte salt, AES-256-CBC")
    func encryptedParameters() throws {
        let text = try KeyFile.pem(try KeyFile.generate(.es256), passphrase: "p")
        let block = try #require(try KeyFile.pemBlocks(in: text).first)
        let parsed = try EncryptedPrivateKey(derEncoded: block.der)
        #expect(parsed.derivation == .scrypt(cost: 1 << 14, blockSize: 8, parallelization: 1))
        #expect(parsed.salt.count == 16)
        #expect(parsed.cipherOID == ASN1ObjectIdentifier.PasswordBasedEncryption.aes256CBC)
        let other = try EncryptedPrivateKey(derEncoded: try #require(try KeyFile.pemBlocks(in: KeyFile.pem(try KeyFile.generate(.es256), passphrase: "p")).first).der)
        #expect(other.salt != parsed.salt)
        #expect(other.iv != parsed.iv)
    }

    @Test("a wrong passphrase is wrongPassphrase and a missing one passphraseRequired")
    func passphraseErrors() throws {
        let text = try KeyFile.pem(try KeyFile.generate(.es256), passphrase: "right")
        #expect(keyErrorCode { _ = try KeyFile.load(pem: text, passphrase: "wrong") } == .wrongPassphrase)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: text) } == .passphraseRequired)
        #expect(keyErrorCode { _ = try KeyFile.pem(try KeyFile.generate(.es256), passphrase: "") } == .passphraseRequired)
    }

    @Test("written key files have mode 0600 and are not overwritten unless asked")
    func writeModeAndOverwrite() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.file("k.key")
        let first = try KeyFile.generate(.es256)
        try KeyFile.write(first, to: path)
        #expect(try fileMode(path) == 0o600)
        let second = try KeyFile.generate(.es256)
        #expect(keyErrorCode { try KeyFile.write(second, to: path) } == .alreadyExists)
        #expect(try KeyFile.load(path: path).spkiDER == first.spkiDER)
        try KeyFile.write(second, to: path, overwrite: true)
        #expect(try fileMode(path) == 0o600)
        #expect(try KeyFile.load(path: path).spkiDER == second.spkiDER)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["k.key"])
    }

    @Test("file errors: missing file, a directory")
    func fileErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        #expect(keyErrorCode { _ = try KeyFile.load(path: dir.file("absent.key")) } == .notFound)
        #expect(keyErrorCode { _ = try KeyFile.load(path: dir.path) } == .unreadable)
        _ = FileManager.default.createFile(atPath: dir.file("empty.key"), contents: Data())
        #expect(keyErrorCode { _ = try KeyFile.load(path: dir.file("empty.key")) } == .notAKey)
        _ = FileManager.default.createFile(atPath: dir.file("binary.key"), contents: Data([0xFF, 0xFE, 0x00, 0x80]))
        #expect(keyErrorCode { _ = try KeyFile.load(path: dir.file("binary.key")) } == .notAKey)
    }

    @Test("garbage, empty text, certificates only and public keys only are notAKey")
    func notAKey() throws {
        #expect(keyErrorCode { _ = try KeyFile.load(pem: "") } == .notAKey)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: "hello, world\nthis is not a key\n") } == .notAKey)
        let key = try KeyFile.generate(.es256)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText("PUBLIC KEY", key.spkiDER)) } == .notAKey)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText("CERTIFICATE", [0x30, 0x00])) } == .notAKey)
    }

    @Test("a truncated PEM, bad base64 and mismatched END lines are corrupt")
    func corruptPEM() throws {
        let text = try KeyFile.pem(try KeyFile.generate(.es256))
        let lines = text.split(separator: "\n")
        let truncated = lines.dropLast().joined(separator: "\n")
        #expect(keyErrorCode { _ = try KeyFile.load(pem: truncated) } == .corrupt)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n") } == .corrupt)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: text.replacingOccurrences(of: "END PRIVATE KEY", with: "END EC PRIVATE KEY")) } == .corrupt)
        // Every strict prefix of the PEM text (short of the final newline, which is optional) throws.
        for count in 0..<(text.count - 1) {
            #expect(keyErrorCode { _ = try KeyFile.load(pem: String(text.prefix(count))) } != nil)
        }
    }

    @Test("every strict prefix of each key DER throws a typed error", arguments: [
        ("PRIVATE KEY", COSEAlgorithm.es256), ("PRIVATE KEY", .ed25519), ("PRIVATE KEY", .ps256),
        ("PRIVATE KEY", .es512),
    ])
    func derPrefixes(label: String, algorithm: COSEAlgorithm) throws {
        let der = try KeyCodec.encodePKCS8(try KeyFile.generate(algorithm))
        for count in 0..<der.count {
            let code = keyErrorCode { _ = try KeyFile.load(pem: pemText(label, Array(der.prefix(count)))) }
            #expect(code == .corrupt || code == .notAKey, "prefix \(count)")
        }
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText(label, der + [0x00])) } == .corrupt)
    }

    @Test("every strict prefix of SEC1, PKCS#1 and encrypted PKCS#8 throws a typed error")
    func otherFormatPrefixes() throws {
        let p256 = P256.Signing.PrivateKey()
        let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let encrypted = try #require(try KeyFile.pemBlocks(in: KeyFile.pem(.p256(p256), passphrase: "x")).first).der
        let inputs: [(String, [UInt8])] = [
            ("EC PRIVATE KEY", try sec1(p256)), ("RSA PRIVATE KEY", Array(rsa.derRepresentation)),
            ("ENCRYPTED PRIVATE KEY", encrypted),
        ]
        for (label, der) in inputs {
            #expect(try KeyFile.load(pem: pemText(label, der), passphrase: "x").spkiDER.isEmpty == false)
            for count in 0..<der.count {
                let code = keyErrorCode { _ = try KeyFile.load(pem: pemText(label, Array(der.prefix(count))), passphrase: "x") }
                #expect(code == .corrupt || code == .notAKey, "\(label) prefix \(count)")
            }
            #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText(label, der + [0x05, 0x00]), passphrase: "x") } == .corrupt)
        }
    }

    @Test("oversized lengths and deep nesting are corrupt")
    func hostileDER() throws {
        var der = try KeyCodec.encodePKCS8(try KeyFile.generate(.es256))
        der[1] = 0x84  // long form claiming 4 length bytes that hold a huge length
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText("PRIVATE KEY", der)) } == .corrupt)
        var huge: [UInt8] = [0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF]
        huge += [UInt8](repeating: 0, count: 10)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText("PRIVATE KEY", huge)) } == .corrupt)
        var nested: [UInt8] = [0x05, 0x00]
        for _ in 0..<200 { nested = [0x30, 0x82, UInt8(nested.count >> 8), UInt8(nested.count & 0xFF)] + nested }
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText("PRIVATE KEY", nested)) } == .corrupt)
    }

    @Test("unsupported key types are reported as such")
    func unsupportedTypes() throws {
        // X25519 (1.3.101.110) PKCS#8.
        let x25519 = Curve25519.KeyAgreement.PrivateKey()
        var inner = DER.Serializer()
        try inner.serialize(ASN1OctetString(contentBytes: ArraySlice(x25519.rawRepresentation)))
        let info = PrivateKeyInfo(algorithm: .init(oid: [1, 3, 101, 110]), privateKey: inner.serializedBytes)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText("PRIVATE KEY", try info.serialized())) } == .unsupportedKeyType)
        // A legacy-encrypted traditional key.
        let legacy = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END EC PRIVATE KEY-----\n"
        #expect(keyErrorCode { _ = try KeyFile.load(pem: legacy) } == .unsupportedKeyType)
        #expect(keyErrorCode { _ = try KeyFile.load(pem: pemText("DSA PRIVATE KEY", [0x30, 0x00])) } == .unsupportedKeyType)
    }

    @Test("a generated key signs with the algorithm sizes the brief asks for")
    func rsaSizes() throws {
        for (algorithm, bits) in [(COSEAlgorithm.ps256, 2048), (.ps384, 3072), (.ps512, 4096)] {
            guard case .rsa(let key) = try KeyFile.generate(algorithm) else { Issue.record("not RSA"); continue }
            #expect(key.keySizeInBits == bits)
        }
        #expect(keyErrorCode { _ = try KeyFile.generate(COSEAlgorithm(id: -999)) } == .unsupportedAlgorithm)
    }

    /// SEC1 DER of a P-256 key (built here so the test does not depend on the code under test).
    func sec1(_ key: P256.Signing.PrivateKey) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(key.rawRepresentation)))
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                try coder.serialize(ASN1ObjectIdentifier.Curve.prime256v1)
            }
            try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                try coder.serialize(ASN1BitString(bytes: ArraySlice(key.publicKey.x963Representation)))
            }
        }
        return coder.serializedBytes
    }
}
