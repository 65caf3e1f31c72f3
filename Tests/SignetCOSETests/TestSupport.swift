import Crypto
import _CryptoExtras
import Foundation
import SignetCBOR
import SignetCOSE
import SwiftASN1
import X509

func hex(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    let chars = Array(s.filter { !$0.isWhitespace })
    var i = 0
    while i + 1 < chars.count {
        out.append(UInt8(String(chars[i...i + 1]), radix: 16)!)
        i += 2
    }
    return out
}

/// One RSA key for all RSA tests: generation is slow.
let sharedRSAKey: _RSA.Signing.PrivateKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

/// A fresh key for each algorithm (RSA shared).
func makeKey(for algorithm: COSEAlgorithm) -> SoftwareKey {
    switch algorithm {
    case .es256: return .p256(P256.Signing.PrivateKey())
    case .es384: return .p384(P384.Signing.PrivateKey())
    case .es512: return .p521(P521.Signing.PrivateKey())
    case .ed25519: return .ed25519(Curve25519.Signing.PrivateKey())
    default: return .rsa(sharedRSAKey)
    }
}

/// A self-signed DER certificate for `key`.
func makeCertificate(for key: SoftwareKey, commonName: String = "Signet COSE Test") throws -> [UInt8] {
    let privateKey: Certificate.PrivateKey
    let signatureAlgorithm: Certificate.SignatureAlgorithm
    switch key {
    case .p256(let k): privateKey = .init(k); signatureAlgorithm = .ecdsaWithSHA256
    case .p384(let k): privateKey = .init(k); signatureAlgorithm = .ecdsaWithSHA384
    case .p521(let k): privateKey = .init(k); signatureAlgorithm = .ecdsaWithSHA512
    case .ed25519(let k): privateKey = .init(k); signatureAlgorithm = .ed25519
    case .rsa(let k): privateKey = .init(k); signatureAlgorithm = .sha256WithRSAEncryption
    }
    let name = try DistinguishedName { CommonName(commonName) }
    let now = Date()
    let certificate = try Certificate(
        version: .v3, serialNumber: .init(), publicKey: privateKey.publicKey,
        notValidBefore: now - 3600, notValidAfter: now + 3600,
        issuer: name, subject: name, signatureAlgorithm: signatureAlgorithm,
        extensions: Certificate.Extensions {}, issuerPrivateKey: privateKey)
    var serializer = DER.Serializer()
    try serializer.serialize(certificate)
    return serializer.serializedBytes
}

/// A signer that returns whatever signature it was given, for testing signature normalization.
struct FixedSigner: COSESigner {
    var algorithm: COSEAlgorithm
    var certificateChain: [[UInt8]] = []
    var produce: @Sendable ([UInt8]) throws -> [UInt8]
    func sign(_ toBeSigned: [UInt8]) async throws -> [UInt8] { try produce(toBeSigned) }
}

/// The reference implementation's test certificates and keys, if present.
let fixtureDirectory = URL(fileURLWithPath: "/work/shared/fixtures/c2pa-rs/certs")

func fixtureText(_ name: String) -> String? {
    try? String(contentsOf: fixtureDirectory.appendingPathComponent(name), encoding: .utf8)
}

func pemBlocks(_ text: String) throws -> [[UInt8]] {
    try PEMDocument.parseMultiple(pemString: text).map(\.derBytes)
}

/// Path of the openssl executable, if installed.
let opensslPath: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

struct ProcessFailure: Error, CustomStringConvertible {
    var description: String
}

/// Runs openssl with `arguments`, returning stdout.
@discardableResult
func openssl(_ arguments: [String]) throws -> Data {
    guard let opensslPath else { throw ProcessFailure(description: "no openssl") }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: opensslPath)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw ProcessFailure(
            description: "openssl \(arguments.joined(separator: " ")) failed: \(String(decoding: errData, as: UTF8.self))")
    }
    return data
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("signet-cose-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
