import Crypto
import Foundation
import SignetCOSE
import Testing
import X509
@testable import SignetKeys

@Suite struct SignerAndChainTests {

    @Test("a key that is not the leaf's is certificateKeyMismatch")
    func keyMismatch() throws {
        let layout = try SharedCredentials.layout
        let chain = try CertificateChainFile.load(path: layout.chainPath(.es256))
        let other = try KeyFile.generate(.es256)
        #expect(keyErrorCode { _ = try PEMKeySigner(key: other, certificateChain: chain) } == .certificateKeyMismatch)
        #expect(keyErrorCode {
            _ = try PEMKeySigner(keyPath: layout.keyPath(.es384), certificateChainPath: layout.chainPath(.es256))
        } == .certificateKeyMismatch)
    }

    @Test("an algorithm the key cannot use is algorithmKeyMismatch; RSA keys accept PS256/384/512")
    func algorithmMismatch() throws {
        let layout = try SharedCredentials.layout
        #expect(keyErrorCode {
            _ = try PEMKeySigner(keyPath: layout.keyPath(.es256), certificateChainPath: layout.chainPath(.es256), algorithm: .es384)
        } == .algorithmKeyMismatch)
        for algorithm in [COSEAlgorithm.ps256, .ps384, .ps512] {
            let signer = try PEMKeySigner(keyPath: layout.keyPath(.ps256), certificateChainPath: layout.chainPath(.ps256), algorithm: algorithm)
            #expect(signer.algorithm == algorithm)
        }
    }

    @Test("a trailing self-signed root is left out of the COSE chain")
    func rootDropped() throws {
        let layout = try SharedCredentials.layout
        let chain = try CertificateChainFile.load(path: layout.chainPath(.es256))
        let root = try CertificateChainFile.load(path: layout.rootCertificate)
        let key = try KeyFile.load(path: layout.keyPath(.es256))
        let signer = try PEMKeySigner(key: key, certificateChain: chain + root)
        #expect(signer.certificateChain.count == 2)
        #expect(keyErrorCode { _ = try PEMKeySigner(key: key, certificateChain: []) } == .noCertificates)
    }

    @Test("chain PEM round-trips; errors are notFound, noCertificates and corrupt")
    func chainFile() throws {
        let layout = try SharedCredentials.layout
        let chain = try CertificateChainFile.load(path: layout.chainPath(.ed25519))
        let text = try CertificateChainFile.pem(chain)
        #expect(try CertificateChainFile.parse(pem: text) == chain)
        #expect(keyErrorCode { _ = try CertificateChainFile.load(path: "/nonexistent/chain.pem") } == .notFound)
        #expect(keyErrorCode { _ = try CertificateChainFile.parse(pem: "") } == .noCertificates)
        #expect(keyErrorCode { _ = try CertificateChainFile.parse(pem: try KeyFile.pem(KeyFile.generate(.es256))) } == .noCertificates)
        #expect(keyErrorCode { _ = try CertificateChainFile.parse(pem: pemText("CERTIFICATE", [0x30, 0x03, 0x02, 0x01, 0x01])) } == .corrupt)
        // Every strict prefix of one certificate's DER is corrupt, as is trailing data.
        let der = try #require(try KeyFile.pemBlocks(in: text).first).der
        for count in 0..<der.count {
            let code = keyErrorCode { _ = try CertificateChainFile.parse(pem: pemText("CERTIFICATE", Array(der.prefix(count)))) }
            #expect(code == .corrupt, "prefix \(count)")
        }
        #expect(keyErrorCode { _ = try CertificateChainFile.parse(pem: pemText("CERTIFICATE", der + [0])) } == .corrupt)
        let truncated = String(text.dropLast(30))
        #expect(keyErrorCode { _ = try CertificateChainFile.parse(pem: truncated) } == .corrupt)
    }
}
