import Crypto
import Foundation
import SignetCOSE
import SwiftASN1
import Testing
import X509
import _CryptoExtras
@testable import SignetKeys

/// One generated credentials directory shared by the tests (generation makes three RSA keys, up to 4096 bits).
/// It lives under the system temporary directory.
enum SharedCredentials {
    static let result: Result<DevelopmentCredentials.Layout, any Error> = Result {
        let directory = try TemporaryDirectory()
        return try DevelopmentCredentials.generate(in: directory.file("creds"))
    }
    static var layout: DevelopmentCredentials.Layout { get throws { try result.get() } }
}

@Suite struct DevelopmentCredentialsTests {

    @Test("every file is written; keys are 0600; README says development only and how to regenerate")
    func files() throws {
        let layout = try SharedCredentials.layout
        for path in layout.allFiles { #expect(FileManager.default.fileExists(atPath: path), "\(path)") }
        for algorithm in DevelopmentCredentials.algorithms {
            #expect(try fileMode(layout.keyPath(algorithm)) == 0o600)
            #expect(layout.keyPath(algorithm).hasSuffix("/\(algorithm.name.lowercased()).key"))
        }
        #expect(try fileMode(layout.rootKey) == 0o600)
        #expect(try fileMode(layout.intermediateKey) == 0o600)
        #expect(layout.trustAnchors == layout.rootCertificate)
        let readme = try String(contentsOfFile: layout.readme, encoding: .utf8)
        #expect(readme.contains("development and test credentials only, not for production"))
        #expect(readme.contains("signet keys generate --output \(layout.directory) --force"))
    }

    @Test("each signer chain is leaf then intermediate, matches its key, and the signer signs verifiably")
    func chainsAndSigners() async throws {
        let layout = try SharedCredentials.layout
        let intermediate = try CertificateChainFile.load(path: layout.intermediateCertificate)
        for algorithm in DevelopmentCredentials.algorithms {
            let chain = try CertificateChainFile.load(path: layout.chainPath(algorithm))
            #expect(chain.count == 2)
            #expect(chain.last == intermediate.first)
            let signer = try PEMKeySigner(keyPath: layout.keyPath(algorithm), certificateChainPath: layout.chainPath(algorithm), algorithm: algorithm)
            #expect(signer.algorithm == algorithm)
            #expect(signer.certificateChain.count == 2)
            let message: [UInt8] = Array("to be signed".utf8)
            let signature = try await signer.sign(message)
            let leaf = chain[0]
            switch algorithm {
            case .es256:
                let key = try #require(P256.Signing.PublicKey(leaf.publicKey))
                #expect(key.isValidSignature(try P256.Signing.ECDSASignature(rawRepresentation: signature), for: message))
            case .es384:
                let key = try #require(P384.Signing.PublicKey(leaf.publicKey))
                #expect(key.isValidSignature(try P384.Signing.ECDSASignature(rawRepresentation: signature), for: message))
            case .es512:
                let key = try #require(P521.Signing.PublicKey(leaf.publicKey))
                #expect(key.isValidSignature(try P521.Signing.ECDSASignature(rawRepresentation: signature), for: message))
            case .ed25519:
                let key = try #require(Curve25519.Signing.PublicKey(leaf.publicKey))
                #expect(key.isValidSignature(signature, for: message))
            default:
                let key = try #require(_RSA.Signing.PublicKey(leaf.publicKey))
                let digest: any Digest = switch algorithm {
                case .ps384: SHA384.hash(data: message)
                case .ps512: SHA512.hash(data: message)
                default: SHA256.hash(data: message)
                }
                let valid = switch digest {
                case let d as SHA384.Digest: key.isValidSignature(.init(rawRepresentation: signature), for: d, padding: .PSS)
                case let d as SHA512.Digest: key.isValidSignature(.init(rawRepresentation: signature), for: d, padding: .PSS)
                case let d as SHA256.Digest: key.isValidSignature(.init(rawRepresentation: signature), for: d, padding: .PSS)
                default: false
                }
                #expect(valid, "\(algorithm.name)")
            }
        }
    }

    @Test("leaf certificates carry the C2PA profile extensions")
    func leafProfile() throws {
        let layout = try SharedCredentials.layout
        for algorithm in DevelopmentCredentials.algorithms {
            let leaf = try CertificateChainFile.load(path: layout.chainPath(algorithm))[0]
            #expect(leaf.version == .v3)
            #expect(leaf.signatureAlgorithm == .ecdsaWithSHA256)
            let basic = try #require(leaf.extensions[oid: .X509ExtensionID.basicConstraints])
            #expect(basic.critical)
            #expect(try BasicConstraints(basic) == .notCertificateAuthority)
            let usage = try #require(leaf.extensions[oid: .X509ExtensionID.keyUsage])
            #expect(usage.critical)
            let keyUsage = try KeyUsage(usage)
            #expect(keyUsage.digitalSignature && !keyUsage.keyCertSign)
            let eku = try #require(try leaf.extensions.extendedKeyUsage)
            #expect(eku.contains(ExtendedKeyUsage.Usage(oid: [1, 3, 6, 1, 4, 1, 62558, 2, 1])))
            #expect(eku.contains(.emailProtection))
            #expect(!eku.contains(.any))
            #expect(try leaf.extensions.subjectKeyIdentifier != nil)
            #expect(try leaf.extensions.authorityKeyIdentifier != nil)
            #expect(leaf.serialNumber.bytes.count == 16 && (leaf.serialNumber.bytes.first ?? 0x80) & 0x80 == 0)
            #expect(leaf.subject.description.contains("CN=Signet Dev Signer \(algorithm.name)"))
            #expect(leaf.subject.description.contains("OU=FOR DEVELOPMENT ONLY"))
            if case .rsa = try KeyFile.load(path: layout.keyPath(algorithm)) {
                #expect(_RSA.Signing.PublicKey(leaf.publicKey) != nil)
            }
        }
        let root = try CertificateChainFile.load(path: layout.rootCertificate)[0]
        let intermediate = try CertificateChainFile.load(path: layout.intermediateCertificate)[0]
        #expect(try root.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(try intermediate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        #expect(try intermediate.extensions.authorityKeyIdentifier?.keyIdentifier == root.extensions.subjectKeyIdentifier?.keyIdentifier)
        for ca in [root, intermediate] {
            #expect(try #require(ca.extensions[oid: .X509ExtensionID.basicConstraints]).critical)
            let usage = try #require(ca.extensions[oid: .X509ExtensionID.keyUsage])
            #expect(usage.critical)
            #expect(try KeyUsage(usage).keyCertSign && KeyUsage(usage).cRLSign)
        }
    }

    @Test("openssl verify (strict) accepts every signer chain up to the root", arguments: DevelopmentCredentials.algorithms)
    func opensslVerify(algorithm: COSEAlgorithm) throws {
        let layout = try SharedCredentials.layout
        guard OpenSSL.available else { return }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let leaf = try CertificateChainFile.load(path: layout.chainPath(algorithm))[0]
        try CertificateChainFile.pem([leaf]).write(toFile: dir.file("leaf.pem"), atomically: true, encoding: .utf8)
        for extra in [[String](), ["-x509_strict"]] {
            let result = try OpenSSL.run(["verify"] + extra + [
                "-CAfile", layout.rootCertificate, "-untrusted", layout.intermediateCertificate, "-purpose", "any",
                dir.file("leaf.pem"),
            ])
            #expect(result.status == 0, "\(algorithm.name) \(extra): \(String(decoding: result.output, as: UTF8.self)) \(result.errorText)")
        }
        // The signer key matches the certificate according to openssl too.
        let certKey = try OpenSSL.run(["x509", "-in", dir.file("leaf.pem"), "-pubkey", "-noout"])
        let fileKey = try OpenSSL.run(["pkey", "-in", layout.keyPath(algorithm), "-pubout"])
        #expect(certKey.output == fileKey.output)
    }

    @Test("generate refuses to overwrite unless asked; loadOrGenerate keeps a complete set and repairs a partial one")
    func overwriteAndLoadOrGenerate() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        // Pre-seed one file so generate must refuse without writing anything else.
        let target = dir.file("creds")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let layout = DevelopmentCredentials.Layout(directory: target)
        try "x".write(toFile: layout.readme, atomically: true, encoding: .utf8)
        #expect(keyErrorCode { try DevelopmentCredentials.generate(in: target) } == .alreadyExists)
        #expect(!FileManager.default.fileExists(atPath: layout.rootCertificate))
        // A partial set is regenerated.
        let generated = try DevelopmentCredentials.loadOrGenerate(in: target)
        #expect(FileManager.default.fileExists(atPath: generated.rootCertificate))
        let before = try Data(contentsOf: URL(fileURLWithPath: generated.chainPath(.es256)))
        // A complete set is returned as is.
        _ = try DevelopmentCredentials.loadOrGenerate(in: target)
        #expect(try Data(contentsOf: URL(fileURLWithPath: generated.chainPath(.es256))) == before)
    }

    @Test("validity: leaves start before now and last validityDays; the CAs outlast them")
    func validity() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        // Reuse the shared set for the default, check dates on a custom one made with a fixed clock.
        let layout = try DevelopmentCredentials.generate(in: dir.path, validityDays: 30, now: now)
        let leaf = try CertificateChainFile.load(path: layout.chainPath(.es256))[0]
        let root = try CertificateChainFile.load(path: layout.rootCertificate)[0]
        #expect(leaf.notValidBefore < now)
        #expect(abs(leaf.notValidAfter.timeIntervalSince(now) - 30 * 86400) < 2)
        #expect(root.notValidAfter > leaf.notValidAfter)
        #expect(keyErrorCode { try DevelopmentCredentials.generate(in: dir.file("x"), validityDays: 0) } != nil)
    }
}
