import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import SignetPKI
import SignetTestPKI

@testable import SignetTrust

@Suite struct SettingsTests {
    let pki = TestPKI()

    func error(_ body: () throws -> TrustSettings) -> TrustError? {
        do {
            _ = try body()
            return nil
        } catch let error as TrustError {
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test func malformedPEMInAnchorsThrowsNamingTheLine() {
        let unterminated = error { try TrustSettings(anchorsPEM: "-----BEGIN CERTIFICATE-----\nMIIB\n") }
        #expect(unterminated?.code == .malformedPEM)
        #expect(unterminated?.reason.contains("line 1") == true)
        let badBase64 = error { try TrustSettings(anchorsPEM: "x\n-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n") }
        #expect(badBase64?.code == .malformedPEM)
        #expect(badBase64?.reason.contains("line 2") == true)
        let mismatch = error { try TrustSettings(anchorsPEM: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n") }
        #expect(mismatch?.code == .malformedPEM)
        let strayEnd = error { try TrustSettings(anchorsPEM: "-----END CERTIFICATE-----\n") }
        #expect(strayEnd?.code == .malformedPEM)
    }

    @Test func nonCertificateBlocksAndUnreadableCertificatesAreRejected() {
        #expect(error { try TrustSettings(anchorsPEM: pki.root.pem + "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") }?.code == .malformedPEM)
        #expect(error { try TrustSettings(anchorsPEM: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") }?.code == .malformedCertificate)
        #expect(error { try TrustSettings(anchorsPEM: "just some text\n") }?.code == .emptyConfiguration)
    }

    @Test func emptyAnchorsTextMeansNoAnchors() throws {
        let settings = try TrustSettings(anchorsPEM: "\n \n")
        #expect(settings.anchorDERs.isEmpty)
        #expect(!settings.hasTrustSources)
    }

    @Test func allowedListRejectsUnrecognisedLines() {
        let bad = error { try TrustSettings(allowedListText: "// fine\nnot a hash\n") }
        #expect(bad?.code == .malformedAllowedListLine)
        #expect(bad?.reason.contains("line 2") == true)
        let base64url = Base64.encode(Array(repeating: 0xFB, count: 32)).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(error { try TrustSettings(allowedListText: base64url) }?.code == .malformedAllowedListLine)
        #expect(error { try TrustSettings(allowedListText: String(repeating: "ab", count: 31)) }?.code == .malformedAllowedListLine)
    }

    @Test func ekuConfigurationReadsStoreCfgFormat() throws {
        let settings = try TrustSettings(ekuConfigText: TrustSettings.c2paRecommendedEKUConfig + "\n# hash comment\n\n   1.2.3.4   \r\n1.2.3.4\n")
        #expect(settings.allowedEKUs.map(\.description) == [
            "1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.36", "1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9",
            "1.3.6.1.4.1.311.76.59.1.9", "1.3.6.1.4.1.62558.2.1", "1.2.3.4",
        ])
    }

    @Test func ekuConfigurationRejectsBadLinesNamingThem() {
        for (text, line) in [("1.2.3\nhello\n", 2), ("1.3.6.1.5.5.7.3.36 // docsign\n", 1), ("1..2\n", 1), ("7.1\n", 1), ("1.2.x\n", 1)] {
            let e = error { try TrustSettings(ekuConfigText: text) }
            #expect(e?.code == .malformedEKULine, "\(text)")
            #expect(e?.reason.contains("line \(line)") == true, "\(text)")
        }
    }

    @Test func anchorsRoundTripThroughSwiftCertificates() throws {
        var settings = try TrustSettings(anchorsPEM: pki.root.pem + pki.intermediate.pem)
        #expect(settings.anchors.count == 2)
        settings.anchors = [pki.root.certificate]
        #expect(settings.anchorDERs == [pki.root.der])
    }

    @Test func jsonEscapedNewlinesAreAccepted() throws {
        let escaped = pki.root.pem.replacingOccurrences(of: "\n", with: "\\n")
        #expect(try TrustSettings(anchorsPEM: escaped).anchorDERs == [pki.root.der])
    }

    @Test func everyPrefixOfAnAnchorsTextThrowsOrParsesWithoutCrashing() {
        let text = pki.root.pem
        for length in 0..<text.utf8.count {
            let prefix = String(decoding: Array(text.utf8.prefix(length)), as: UTF8.self)
            if let settings = try? TrustSettings(anchorsPEM: prefix) {
                // Only an empty prefix or one holding the whole block can be read.
                #expect(settings.anchorDERs.isEmpty ? prefix.isEmpty : prefix.contains("-----END CERTIFICATE-----"), "prefix \(length)")
            }
        }
    }
}

@Suite struct RobustnessTests {
    let pki = TestPKI()

    @Test func garbageDERInTheChainIsAFailureEntryNotACrash() {
        let result = CredentialEvaluator.evaluateSync(chainDER: [[0x30, 0x03, 0x02, 0x01]], settings: pki.anchorSettings, validationTime: TestPKI.now)
        #expect(result.profileFailures == [StatusEntry(code: "signingCredential.invalid", explanation: "certificate could not be parsed")])
        #expect(result.trust.isUntrusted)
        let none = CredentialEvaluator.evaluateSync(chainDER: [[0xFF]], settings: .none, validationTime: TestPKI.now)
        #expect(codes(none) == ["signingCredential.invalid"])
        #expect(none.trust == .notChecked)
    }

    @Test func garbageIntermediateMakesTheChainUntrusted() {
        let leaf = pki.leaf()
        let result = CredentialEvaluator.evaluateSync(chainDER: [leaf.der, [0x30, 0x00]], settings: pki.anchorSettings, validationTime: TestPKI.now)
        #expect(result.profileFailures == [])
        #expect(result.trust.isUntrusted)
    }

    @Test func emptyChainIsAFailureEntry() {
        let result = CredentialEvaluator.evaluateSync(chainDER: [], settings: pki.anchorSettings, validationTime: TestPKI.now)
        #expect(codes(result) == ["signingCredential.invalid"])
        #expect(result.trust.isUntrusted)
    }

    @Test func everyStrictPrefixOfACertificateIsReportedUnparseable() {
        let der = pki.leaf().der
        for length in 0..<der.count {
            let result = CredentialEvaluator.evaluateSync(chainDER: [Array(der.prefix(length))], settings: pki.anchorSettings, validationTime: TestPKI.now)
            #expect(result.profileFailures.first?.explanation == "certificate could not be parsed", "prefix \(length)")
            #expect(result.trust.isUntrusted)
        }
    }

    @Test func trailingBytesAfterTheCertificateAreRejected() {
        let der = pki.leaf().der + [0x00]
        #expect(throws: (any Error).self) { try ParsedCertificate(der: der) }
    }

    @Test func oversizedLengthsAndDeepNestingAreRejected() {
        // A SEQUENCE claiming 2^32 bytes.
        #expect(throws: (any Error).self) { try ParsedCertificate(der: [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]) }
        // 10,000 nested SEQUENCEs.
        var nested: [UInt8] = []
        for _ in 0..<10_000 { nested = [0x30, 0x80] + nested }
        #expect(throws: (any Error).self) { try ParsedCertificate(der: nested) }
        var deep: [UInt8] = [0x05, 0x00]
        for _ in 0..<200 { deep = [0x30, UInt8(truncatingIfNeeded: min(deep.count, 0x7F))] + deep }
        let result = CredentialEvaluator.evaluateSync(chainDER: [deep], settings: pki.anchorSettings, validationTime: TestPKI.now)
        #expect(codes(result) == ["signingCredential.invalid"])
    }

    @Test func corruptedBytesNeverCrashTheEvaluator() {
        let chain = pki.chain(pki.leaf())
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var leaf = chain[0]
            let index = Int.random(in: 0..<leaf.count, using: &generator)
            leaf[index] ^= UInt8.random(in: 1...255, using: &generator)
            _ = CredentialEvaluator.evaluateSync(chainDER: [leaf, chain[1]], settings: pki.anchorSettings, validationTime: TestPKI.now)
        }
    }

    @Test func base64DecoderIsStrict() {
        #expect(Base64.decode("AAAA") == [0, 0, 0])
        #expect(Base64.decode("AA==") == [0])
        #expect(Base64.decode("AAA=") == [0, 0])
        #expect(Base64.decode("A===") == nil)
        #expect(Base64.decode("AA=A") == nil)
        #expect(Base64.decode("AAA") == nil)
        #expect(Base64.decode("AA-_") == nil)
        let bytes: [UInt8] = Array(0...255)
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }
}
