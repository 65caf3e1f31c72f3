import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import SignetPKI
import SignetTestPKI

@testable import SignetTrust

/// Chain-building outcomes, each measured against c2pa-rs 0.91.3 with equivalent certificates.
@Suite struct ChainTrustTests {
    let pki = TestPKI()

    func trust(_ chain: [[UInt8]], _ settings: TrustSettings) -> CredentialEvaluation.Trust {
        CredentialEvaluator.evaluateSync(chainDER: chain, settings: settings, validationTime: TestPKI.now).trust
    }

    @Test func leafWithoutItsIntermediateIsUntrusted() {
        let leaf = pki.leaf()
        #expect(trust([leaf.der], pki.anchorSettings).isUntrusted)
    }

    @Test func intermediateOnTheAnchorListIsEnough() throws {
        let leaf = pki.leaf()
        let settings = try TrustSettings(anchorsPEM: pki.intermediate.pem)
        #expect(trust(pki.chain(leaf), settings).isTrusted)
        #expect(trust([leaf.der], settings).isTrusted)
    }

    @Test func leafOnTheAnchorListIsNotEnough() throws {
        let leaf = pki.leaf()
        #expect(trust(pki.chain(leaf), try TrustSettings(anchorsPEM: leaf.pem)).isUntrusted)
    }

    @Test func rootIncludedInTheChainIsTrusted() {
        let leaf = pki.leaf()
        #expect(trust([leaf.der, pki.intermediate.der, pki.root.der], pki.anchorSettings).isTrusted)
    }

    @Test func outOfOrderOrUnrelatedExtraCertificatesMakeTheChainUntrusted() {
        let leaf = pki.leaf()
        let other = TestPKI(rootName: "Other")
        #expect(trust([leaf.der, pki.root.der, pki.intermediate.der], pki.anchorSettings).isUntrusted)
        #expect(trust([leaf.der, pki.intermediate.der, other.root.der], pki.anchorSettings).isUntrusted)
    }

    @Test func anchorBundleOrderDoesNotMatter() throws {
        let other = TestPKI(rootName: "Other")
        let settings = try TrustSettings(anchorsPEM: "Some text before\n" + other.root.pem + pki.root.pem + "and after\n")
        #expect(trust(pki.chain(pki.leaf()), settings).isTrusted)
    }

    @Test func expiredIntermediateMakesTheChainUntrusted() {
        let intermediate = TestPKI.issueCA(name: "Expired Intermediate", by: pki.root,
                                           validity: (TestPKI.now - 400 * TestPKI.day)...(TestPKI.now - 10 * TestPKI.day))
        let leaf = pki.leaf(issuedBy: intermediate)
        let result = CredentialEvaluator.evaluateSync(chainDER: [leaf.der, intermediate.der], settings: pki.anchorSettings, validationTime: TestPKI.now)
        #expect(result.profileFailures == [])
        #expect(result.trust.isUntrusted)
    }

    @Test func expiredRootAnchorIsStillAccepted() {
        let pki = TestPKI(rootName: "Old Root", rootValidity: (TestPKI.now - 800 * TestPKI.day)...(TestPKI.now - 400 * TestPKI.day))
        #expect(trust(pki.chain(pki.leaf()), pki.anchorSettings).isTrusted)
    }

    @Test func issuerThatIsNotACAOrCannotSignCertificatesBreaksTheChain() {
        let notCA = TestPKI.issueCA(name: "Not CA", by: pki.root, isCA: false, keyUsage: KeyUsage(digitalSignature: true, keyCertSign: true))
        let noCertSign = TestPKI.issueCA(name: "No certSign", by: pki.root, keyUsage: KeyUsage(digitalSignature: true, cRLSign: true))
        let noKeyUsage = TestPKI.issueCA(name: "No KU", by: pki.root, keyUsage: nil)
        for (intermediate, trusted) in [(notCA, false), (noCertSign, false), (noKeyUsage, true)] {
            let leaf = pki.leaf(issuedBy: intermediate)
            #expect(trust([leaf.der, intermediate.der], pki.anchorSettings).isTrusted == trusted, "\(intermediate.certificate.subject)")
        }
    }

    @Test func pathLengthConstraintIsEnforced() {
        let constrained = TestPKI.issueCA(name: "PathLen0", by: pki.root, pathLength: 0)
        let below = TestPKI.issueCA(name: "Below", by: constrained)
        let leaf = pki.leaf(issuedBy: below)
        #expect(trust([leaf.der, below.der, constrained.der], pki.anchorSettings).isUntrusted)
        let direct = pki.leaf(issuedBy: constrained)
        #expect(trust([direct.der, constrained.der], pki.anchorSettings).isTrusted)
    }

    @Test func forgedLeafSignatureIsUntrusted() {
        let impostor = TestPKI(rootName: "Test Root")  // same names, different keys
        let leaf = impostor.leaf()
        #expect(trust([leaf.der, pki.intermediate.der], pki.anchorSettings).isUntrusted)
    }

    @Test func allowedListTrustsByPEMByBase64HashAndByHexHash() throws {
        let leaf = pki.leaf()
        let digest = Array(SHA256.hash(data: leaf.der))
        let base64 = Base64.encode(digest)
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        for text in [leaf.pem, base64 + "\n", "// my signer\r\n" + base64 + "\r\n", hex + "\n", hex.uppercased()] {
            let settings = try TrustSettings(allowedListText: text)
            #expect(settings.allowedCertificateHashes == [digest])
            #expect(trust([leaf.der], settings).isTrusted, "\(text)")
        }
    }

    @Test func allowedListDoesNotExtendToOtherCertificatesOrIssuers() throws {
        let leaf = pki.leaf()
        #expect(trust(pki.chain(leaf), try TrustSettings(allowedListText: pki.intermediate.pem)).isUntrusted)
        #expect(trust(pki.chain(leaf), try TrustSettings(allowedListText: pki.leaf().pem)).isUntrusted)
    }

    @Test func allowedListTrustsEvenWhenTheProfileFails() throws {
        var options = TestPKI.LeafOptions()
        options.validity = (TestPKI.now - 400 * TestPKI.day)...(TestPKI.now - 10 * TestPKI.day)
        let leaf = pki.leaf(options)
        let result = CredentialEvaluator.evaluateSync(chainDER: [leaf.der], settings: try TrustSettings(allowedListText: leaf.pem), validationTime: TestPKI.now)
        #expect(codes(result) == ["signingCredential.expired"])
        #expect(result.trust.isTrusted)
        #expect(!result.isTrusted)
    }

    @Test func validationTimeDecidesValidity() {
        var options = TestPKI.LeafOptions()
        options.validity = (TestPKI.now - 400 * TestPKI.day)...(TestPKI.now - 10 * TestPKI.day)
        let leaf = pki.leaf(options)
        let signingTime = TestPKI.now - 100 * TestPKI.day
        let result = CredentialEvaluator.evaluateSync(chainDER: pki.chain(leaf), settings: pki.anchorSettings, validationTime: signingTime)
        #expect(result.profileFailures == [])
        #expect(result.trust.isTrusted)
    }

    @Test func noAnchorsButAnAllowedListLeavesOtherSignersUntrusted() throws {
        let settings = try TrustSettings(allowedListText: Base64.encode(Array(SHA256.hash(data: [1, 2, 3]))))
        #expect(trust(pki.chain(pki.leaf()), settings).isUntrusted)
    }
}
