import Foundation
import Testing
import X509
import SignetPKI
import SignetTestPKI

@testable import SignetTrust

/// The c2pa-rs test chains (leaf + intermediate, including RSASSA-PSS keyed and signed ones) against the
/// c2pa-rs test root bundle. c2pa-rs 0.91.3 reports all of them Trusted with that bundle.
@Suite struct FixtureTrustTests {
    static let when = TestPKI.now

    @Test(arguments: Fixtures.algorithms)
    func fixtureChainIsProfileValidAndTrustedWithTheTestRootBundle(algorithm: String) async throws {
        guard let chain = Fixtures.chain("\(algorithm).pub"), let bundle = Fixtures.text("test_cert_root_bundle.pem") else { return }
        #expect(chain.count == 2)
        let settings = try TrustSettings(anchorsPEM: bundle)
        let result = await CredentialEvaluator.evaluate(chainDER: chain, settings: settings, validationTime: Self.when)
        #expect(result.profileFailures == [])
        #expect(result.trust.isTrusted, "\(result.trust)")
        #expect(result.successes.map(\.code) == ["signingCredential.trusted"])
        #expect(result.isTrusted)
    }

    @Test(arguments: Fixtures.algorithms)
    func fixtureChainIsUntrustedWithAnUnrelatedAnchor(algorithm: String) async throws {
        guard let chain = Fixtures.chain("\(algorithm).pub") else { return }
        let unrelated = TestPKI(rootName: "Unrelated Root")
        let result = await CredentialEvaluator.evaluate(chainDER: chain, settings: unrelated.anchorSettings, validationTime: Self.when)
        #expect(result.profileFailures == [])
        #expect(result.trust.isUntrusted)
        #expect(result.untrustedEntry?.code == "signingCredential.untrusted")
        #expect(result.successes.isEmpty)
    }

    @Test(arguments: Fixtures.algorithms)
    func fixtureChainIsNotCheckedWithoutTrustSettings(algorithm: String) async throws {
        guard let chain = Fixtures.chain("\(algorithm).pub") else { return }
        let result = await CredentialEvaluator.evaluate(chainDER: chain, settings: .none, validationTime: Self.when)
        #expect(result.profileFailures == [])
        #expect(result.trust == .notChecked)
        #expect(!TrustSettings.none.hasTrustSources)
    }

    @Test func fixtureLeafOnTheAllowedListByPEMIsTrustedWithoutAnchors() async throws {
        guard let chain = Fixtures.chain("ps256.pub"), let text = Fixtures.text("ps256.pub") else { return }
        // The .pub file holds leaf and intermediate; keep only the leaf block.
        let leafPEM = String(text[..<text.range(of: "-----END CERTIFICATE-----")!.upperBound]) + "\n"
        let settings = try TrustSettings(allowedListText: leafPEM)
        #expect(settings.hasTrustSources)
        let result = await CredentialEvaluator.evaluate(chainDER: chain, settings: settings, validationTime: Self.when)
        #expect(result.trust.isTrusted)
        #expect(result.profileFailures == [])
    }

    @Test func fixtureRootBundleParsesIntoAnchorsEvenForRSASSAPSSRoots() throws {
        guard let bundle = Fixtures.text("test_cert_root_bundle.pem") else { return }
        let settings = try TrustSettings(anchorsPEM: bundle)
        #expect(settings.anchorDERs.count == 8)
        #expect(settings.anchors.count <= settings.anchorDERs.count)
    }

    @Test func fixtureChainIsExpiredAfterItsValidityPeriod() async throws {
        guard let chain = Fixtures.chain("es256.pub"), let bundle = Fixtures.text("test_cert_root_bundle.pem") else { return }
        let later = Date(timeIntervalSince1970: 1_950_000_000)  // 2031, after the 2030 expiry
        let result = await CredentialEvaluator.evaluate(chainDER: chain, settings: try TrustSettings(anchorsPEM: bundle), validationTime: later)
        #expect(codes(result) == ["signingCredential.expired"])
        #expect(result.profileFailures.first?.explanation == "certificate expired")
        #expect(result.trust.isUntrusted)
    }

    @Test func fixtureIntermediateAloneAsAnchorTrustsTheLeaf() async throws {
        guard let chain = Fixtures.chain("es384.pub") else { return }
        let settings = TrustSettings(anchorDERs: [chain[1]], allowedCertificateHashes: [], allowedEKUs: [])
        let result = await CredentialEvaluator.evaluate(chainDER: [chain[0]], settings: settings, validationTime: Self.when)
        #expect(result.trust.isTrusted)
    }
}
