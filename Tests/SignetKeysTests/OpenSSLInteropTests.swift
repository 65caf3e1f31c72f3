import Foundation
import SignetCOSE
import Testing
@testable import SignetKeys

/// Keys written by OpenSSL load here, and keys written here load in OpenSSL, with the same public key.
@Suite struct OpenSSLInteropTests {
    /// The SubjectPublicKeyInfo DER openssl reports for a key file.
    func opensslSPKI(_ path: String, passphrase: String? = nil) throws -> [UInt8] {
        var arguments = ["pkey", "-in", path, "-pubout", "-outform", "DER"]
        arguments += ["-passin", "pass:\(passphrase ?? "unused")"]
        let result = try OpenSSL.run(arguments)
        #expect(result.status == 0, "openssl pkey failed: \(result.errorText)")
        return Array(result.output)
    }

    @Test("keys OpenSSL generates in every supported format load with the same public key")
    func opensslKeysLoad() throws {
        guard OpenSSL.available else { return }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let commands: [(String, [String])] = [
            ("p256-pkcs8", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
            ("p384-pkcs8", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]),
            ("p521-pkcs8", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"]),
            ("ed25519", ["genpkey", "-algorithm", "ED25519"]),
            ("rsa-pkcs8", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
            ("rsa-pss", ["genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"]),
            ("p384-sec1", ["ecparam", "-genkey", "-name", "secp384r1"]),
            ("rsa-pkcs1", ["genrsa", "-traditional"]),
        ]
        for (name, arguments) in commands {
            let path = dir.file(name + ".key")
            let result = try OpenSSL.run(arguments + ["-out", path] + (name == "rsa-pkcs1" ? ["2048"] : []))
            try #require(result.status == 0, "\(name): \(result.errorText)")
            let key = try KeyFile.load(path: path)
            #expect(key.spkiDER == (name == "rsa-pss" ? try rsaEncryptionSPKI(path) : try opensslSPKI(path)), "\(name)")
        }
    }

    @Test("keys OpenSSL encrypts (genpkey -aes256, pkcs8 -topk8 -v2 with SHA-1 and SHA-256 PRFs, AES-128/256) load")
    func opensslEncryptedKeysLoad() throws {
        guard OpenSSL.available else { return }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let plain = dir.file("plain.key")
        try #require(try OpenSSL.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", plain]).status == 0)
        let expected = try opensslSPKI(plain)
        let variants: [(String, [String])] = [
            ("genpkey-aes256", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:x"]),
            ("pkcs8-aes256", ["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain, "-passout", "pass:x"]),
            ("pkcs8-aes128-sha1", ["pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1", "-in", plain, "-passout", "pass:x"]),
            ("pkcs8-aes192", ["pkcs8", "-topk8", "-v2", "aes-192-cbc", "-in", plain, "-passout", "pass:x"]),
        ]
        for (name, arguments) in variants {
            let path = dir.file(name + ".key")
            let result = try OpenSSL.run(arguments + ["-out", path])
            try #require(result.status == 0, "\(name): \(result.errorText)")
            let key = try KeyFile.load(path: path, passphrase: "x")
            if name != "genpkey-aes256" { #expect(key.spkiDER == expected, "\(name)") }
            #expect(key.spkiDER == (try opensslSPKI(path, passphrase: "x")), "\(name)")
            #expect(keyErrorCode { _ = try KeyFile.load(path: path, passphrase: "y") } == .wrongPassphrase, "\(name)")
            #expect(keyErrorCode { _ = try KeyFile.load(path: path) } == .passphraseRequired, "\(name)")
        }
        // PBES1 (legacy) is refused as unsupported, not misread.
        let pbes1 = dir.file("pbes1.key")
        if try OpenSSL.run(["pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", plain, "-passout", "pass:x", "-out", pbes1]).status == 0 {
            #expect(keyErrorCode { _ = try KeyFile.load(path: pbes1, passphrase: "x") } == .unsupportedKeyType)
        }
    }

    @Test("keys written here, plain and encrypted, are read by openssl pkey", arguments: [COSEAlgorithm.es256, .es384, .es512, .ed25519, .ps256])
    func ourKeysLoadInOpenSSL(algorithm: COSEAlgorithm) throws {
        guard OpenSSL.available else { return }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = try KeyFile.generate(algorithm)
        try KeyFile.write(key, to: dir.file("plain.key"))
        try KeyFile.write(key, to: dir.file("enc.key"), passphrase: "s3cret pass")
        #expect(try opensslSPKI(dir.file("plain.key")) == key.spkiDER)
        #expect(try opensslSPKI(dir.file("enc.key"), passphrase: "s3cret pass") == key.spkiDER)
        #expect(try OpenSSL.run(["pkey", "-in", dir.file("enc.key"), "-passin", "pass:wrong", "-noout"]).status != 0)
    }

    @Test("openssl pkey opens a scrypt key written here and prints the same public key, DER and PEM", arguments: [
        COSEAlgorithm.es256, .es384, .es512, .ed25519, .ps256,
    ])
    func ourScryptKeysOpenInOpenSSL(algorithm: COSEAlgorithm) throws {
        guard OpenSSL.available else { return }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = try KeyFile.generate(algorithm)
        let path = dir.file("scrypt.key")
        try KeyFile.write(key, to: path, passphrase: "pass phrase ü")
        let written = try String(contentsOfFile: path, encoding: .utf8)
        let structure = try EncryptedPrivateKey(derEncoded: try #require(try KeyFile.pemBlocks(in: written).first).der)
        #expect(structure.derivation == .scrypt(cost: 1 << 14, blockSize: 8, parallelization: 1))
        // openssl names the scheme it found.
        let parse = try OpenSSL.run(["asn1parse", "-in", path])
        #expect(String(decoding: parse.output, as: UTF8.self).contains(":scrypt"))

        #expect(try opensslSPKI(path, passphrase: "pass phrase ü") == key.spkiDER)
        let pem = try OpenSSL.run(["pkey", "-in", path, "-passin", "pass:pass phrase ü", "-pubout"])
        #expect(pem.status == 0, "\(pem.errorText)")
        #expect(String(decoding: pem.output, as: UTF8.self) == pemText("PUBLIC KEY", key.spkiDER))

        // Refused with a wrong passphrase, an empty one, and none at all (nothing on stdin).
        for passin in ["pass:pass phrase u", "pass:", "stdin"] {
            let result = try OpenSSL.run(["pkey", "-in", path, "-passin", passin, "-noout"], input: Data())
            #expect(result.status != 0, "openssl accepted -passin \(passin)")
        }
    }

    @Test("openssl pkey also opens a key written here with KeyEncryption.pbkdf2")
    func ourPBKDF2KeysOpenInOpenSSL() throws {
        guard OpenSSL.available else { return }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = try KeyFile.generate(.es256)
        let path = dir.file("pbkdf2.key")
        try KeyFile.write(key, to: path, passphrase: "p", encryption: .pbkdf2)
        #expect(try opensslSPKI(path, passphrase: "p") == key.spkiDER)
        #expect(try OpenSSL.run(["pkey", "-in", path, "-passin", "pass:q", "-noout"]).status != 0)
    }

    @Test("keys `openssl pkcs8 -topk8 -scrypt` writes load here with the same public key", arguments: [
        COSEAlgorithm.es256, .es384, .es512, .ed25519, .ps256,
    ])
    func opensslScryptKeysLoad(algorithm: COSEAlgorithm) throws {
        guard OpenSSL.available else { return }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let key = try KeyFile.generate(algorithm)
        let plain = dir.file("plain.key")
        try KeyFile.write(key, to: plain)
        let variants: [(String, [String])] = [
            ("default", ["-scrypt"]),
            ("N=1024 r=8 p=16 aes-128", ["-scrypt", "-scrypt_N", "1024", "-scrypt_r", "8", "-scrypt_p", "16", "-v2", "aes-128-cbc"]),
            ("N=2048 r=4 p=2 aes-192", ["-scrypt", "-scrypt_N", "2048", "-scrypt_r", "4", "-scrypt_p", "2", "-v2", "aes-192-cbc"]),
        ]
        for (index, (name, options)) in variants.enumerated() {
            let path = dir.file("openssl-\(index).key")
            let result = try OpenSSL.run(["pkcs8", "-topk8", "-in", plain, "-passout", "pass:from openssl", "-out", path] + options)
            try #require(result.status == 0, "\(name): \(result.errorText)")
            let loaded = try KeyFile.load(path: path, passphrase: "from openssl")
            #expect(loaded.spkiDER == key.spkiDER, "\(name)")
            #expect(loaded.spkiDER == (try opensslSPKI(path, passphrase: "from openssl")), "\(name)")
            #expect(keyErrorCode { _ = try KeyFile.load(path: path, passphrase: "from OpenSSL") } == .wrongPassphrase, "\(name)")
            #expect(keyErrorCode { _ = try KeyFile.load(path: path) } == .passphraseRequired, "\(name)")
        }
    }

    /// For an RSASSA-PSS-typed key openssl reports an id-RSASSA-PSS SPKI; ours is the same modulus as rsaEncryption.
    func rsaEncryptionSPKI(_ path: String) throws -> [UInt8] {
        let reencoded = try OpenSSL.run(["rsa", "-in", path, "-RSAPublicKey_out", "-outform", "DER"])
        #expect(reencoded.status == 0, "\(reencoded.errorText)")
        // Build rsaEncryption SPKI from the PKCS#1 public key: SEQ { SEQ { rsaEncryption, NULL }, BIT STRING pkcs1 }.
        let pkcs1 = Array(reencoded.output)
        let bitString: [UInt8] = [0x03] + derLength(pkcs1.count + 1) + [0x00] + pkcs1
        let algorithm: [UInt8] = [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00]
        let body = algorithm + bitString
        return [0x30] + derLength(body.count) + body
    }

    func derLength(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        if count < 0x100 { return [0x81, UInt8(count)] }
        return [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
    }
}
