import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
import _CryptoExtras
import SignetPKI
import SignetTestPKI

@testable import SignetTrust

/// Each case was measured against c2pa-rs 0.91.3 (c2pa-python 0.38.1) with an equivalent certificate;
/// the expected codes, explanations and trust outcome are what it reported.
@Suite struct ProfileTests {
    let pki = TestPKI()

    func evaluate(_ options: TestPKI.LeafOptions, settings: TrustSettings? = nil) -> CredentialEvaluation {
        let leaf = pki.leaf(options)
        return CredentialEvaluator.evaluateSync(chainDER: pki.chain(leaf), settings: settings ?? pki.anchorSettings, validationTime: TestPKI.now)
    }

    func expectInvalid(_ result: CredentialEvaluation, _ explanation: String, trusted: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.profileFailures == [StatusEntry(code: "signingCredential.invalid", explanation: explanation)], sourceLocation: sourceLocation)
        #expect(result.trust.isTrusted == trusted, "\(result.trust)", sourceLocation: sourceLocation)
    }

    @Test func goodLeafIsProfileValidAndTrusted() {
        let result = evaluate(.init())
        #expect(result.profileFailures == [])
        #expect(result.trust.isTrusted)
        #expect(result.isTrusted)
    }

    @Test func caLeafIsInvalidAsNotEndEntityButStillTrusted() {
        var options = TestPKI.LeafOptions()
        options.basicConstraints = .isCertificateAuthority(maxPathLength: nil)
        options.keyUsage = KeyUsage(digitalSignature: true, keyCertSign: true)
        expectInvalid(evaluate(options), "expected end-entity certificate", trusted: true)
    }

    @Test func leafWithoutEKUIsInvalidAndUntrusted() {
        var options = TestPKI.LeafOptions()
        options.ekus = nil
        let result = evaluate(options)
        #expect(codes(result) == ["signingCredential.invalid"])
        #expect(result.profileFailures[0].explanation.hasPrefix("certificate params incorrect"))
        #expect(result.trust.isUntrusted)
    }

    @Test func leafWithAnyEKUIsInvalidAndUntrusted() {
        var options = TestPKI.LeafOptions()
        options.ekus = [.any]
        expectInvalid(evaluate(options), "certificate 'any' EKU not allowed", trusted: false)
    }

    @Test func anyEKUNextToEmailProtectionIsInvalidButTrusted() {
        var options = TestPKI.LeafOptions()
        options.ekus = [.emailProtection, .any]
        expectInvalid(evaluate(options), "certificate 'any' EKU not allowed", trusted: true)
    }

    @Test func serverAuthOnlyIsMissingRequiredEKUEvenWhenConfigured() throws {
        var options = TestPKI.LeafOptions()
        options.ekus = [.serverAuth]
        expectInvalid(evaluate(options), "certificate missing required EKU", trusted: false)
        let configured = try TrustSettings(anchorsPEM: pki.root.pem, ekuConfigText: "1.3.6.1.5.5.7.3.1\n")
        expectInvalid(evaluate(options, settings: configured), "certificate missing required EKU", trusted: false)
    }

    @Test func timeStampingTogetherWithEmailIsAnInvalidSetOfEKUs() {
        var options = TestPKI.LeafOptions()
        options.ekus = [.timeStamping, .emailProtection]
        expectInvalid(evaluate(options), "certificate invalid set of EKUs", trusted: true)
        options.ekus = [.timeStamping, .ocspSigning]
        expectInvalid(evaluate(options), "certificate invalid set of EKUs", trusted: true)
    }

    @Test func timeStampingAloneIsAcceptedAsInCa2paRs() {
        var options = TestPKI.LeafOptions()
        options.ekus = [.timeStamping]
        let result = evaluate(options)
        #expect(result.profileFailures == [])
        #expect(result.trust.isTrusted)
    }

    @Test func expiredLeafIsExpiredAndUntrusted() {
        var options = TestPKI.LeafOptions()
        options.validity = (TestPKI.now - 400 * TestPKI.day)...(TestPKI.now - 10 * TestPKI.day)
        let result = evaluate(options)
        #expect(result.profileFailures == [StatusEntry(code: "signingCredential.expired", explanation: "certificate expired")])
        #expect(result.trust.isUntrusted)
    }

    @Test func notYetValidLeafIsReportedExpiredAndUntrusted() {
        var options = TestPKI.LeafOptions()
        options.validity = (TestPKI.now + 10 * TestPKI.day)...(TestPKI.now + 400 * TestPKI.day)
        let result = evaluate(options)
        #expect(codes(result) == ["signingCredential.expired"])
        #expect(result.trust.isUntrusted)
    }

    @Test func validityBoundsAreInclusive() {
        var options = TestPKI.LeafOptions()
        options.validity = TestPKI.now...(TestPKI.now + 10)
        #expect(evaluate(options).profileFailures == [])
        options.validity = (TestPKI.now - 10)...TestPKI.now
        #expect(evaluate(options).profileFailures == [])
    }

    @Test func keyEnciphermentOnlyIsParamsIncorrectButTrusted() {
        var options = TestPKI.LeafOptions()
        options.keyUsage = KeyUsage(keyEncipherment: true)
        let result = evaluate(options)
        #expect(codes(result) == ["signingCredential.invalid"])
        #expect(result.profileFailures[0].explanation.hasPrefix("certificate params incorrect"))
        #expect(result.trust.isTrusted)
    }

    @Test func nonRepudiationAloneIsAccepted() {
        var options = TestPKI.LeafOptions()
        options.keyUsage = KeyUsage(nonRepudiation: true)
        #expect(evaluate(options).profileFailures == [])
    }

    @Test func digitalSignatureWithKeyCertSignOnANonCAIsInvalid() {
        var options = TestPKI.LeafOptions()
        options.keyUsage = KeyUsage(digitalSignature: true, keyCertSign: true)
        expectInvalid(evaluate(options), "certificate missing digitalSignature EKU", trusted: true)
    }

    @Test func missingKeyUsageOrAuthorityKeyIdentifierIsParamsIncorrect() {
        var options = TestPKI.LeafOptions()
        options.keyUsage = nil
        #expect(evaluate(options).profileFailures.first?.explanation.hasPrefix("certificate params incorrect") == true)
        options = TestPKI.LeafOptions()
        options.authorityKeyIdentifier = false
        let result = evaluate(options)
        #expect(result.profileFailures.first?.explanation == "certificate params incorrect (no authority key identifier)")
        #expect(result.trust.isTrusted)
    }

    @Test func missingBasicConstraintsIsAcceptedOnALeaf() {
        var options = TestPKI.LeafOptions()
        options.basicConstraints = nil
        #expect(evaluate(options).profileFailures == [])
    }

    @Test func unknownCriticalExtensionIsParamsIncorrectButUnknownNonCriticalIsFine() {
        var options = TestPKI.LeafOptions()
        options.extra = [Certificate.Extension(oid: [1, 2, 3, 4, 99], critical: true, value: [0x05, 0x00])]
        let result = evaluate(options)
        #expect(result.profileFailures.first?.explanation == "certificate params incorrect (unsupported critical extension 1.2.3.4.99)")
        #expect(result.trust.isTrusted)
        options.extra = [Certificate.Extension(oid: [1, 2, 3, 4, 99], critical: false, value: [0x05, 0x00])]
        #expect(evaluate(options).profileFailures == [])
    }

    @Test func rsa1024LeafKeyIsTooShortButTrusted() throws {
        var options = TestPKI.LeafOptions()
        options.key = Certificate.PrivateKey(try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024)))
        expectInvalid(evaluate(options), "certificate key length too short", trusted: true)
    }

    @Test func rsa2048AndEd25519AndP384AndP521LeavesAreAccepted() throws {
        let keys: [Certificate.PrivateKey] = [
            Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048)),
            Certificate.PrivateKey(Curve25519.Signing.PrivateKey()),
            Certificate.PrivateKey(P384.Signing.PrivateKey()),
            Certificate.PrivateKey(P521.Signing.PrivateKey()),
        ]
        for key in keys {
            var options = TestPKI.LeafOptions()
            options.key = key
            let result = evaluate(options)
            #expect(result.profileFailures == [], "\(key)")
            #expect(result.trust.isTrusted)
        }
    }

    @Test func documentSigningLeafNeedsTheEKUConfiguration() throws {
        var options = TestPKI.LeafOptions()
        options.ekus = [ExtendedKeyUsage.Usage(oid: [1, 3, 6, 1, 5, 5, 7, 3, 36])]
        // c2pa-rs with no trust_config: missing required EKU, and untrusted.
        expectInvalid(evaluate(options), "certificate missing required EKU", trusted: false)
        let configured = try TrustSettings(anchorsPEM: pki.root.pem, ekuConfigText: TrustSettings.c2paRecommendedEKUConfig)
        let result = evaluate(options, settings: configured)
        #expect(result.profileFailures == [])
        #expect(result.trust.isTrusted)
    }

    @Test func ekuConfigurationThatExcludesTheLeafsEKUMakesItUntrusted() throws {
        var options = TestPKI.LeafOptions()
        options.ekus = [ExtendedKeyUsage.Usage(oid: [1, 2, 3, 4, 5, 6])]
        let excluding = try TrustSettings(anchorsPEM: pki.root.pem, ekuConfigText: "// only documentSigning\n1.3.6.1.5.5.7.3.36\n")
        expectInvalid(evaluate(options, settings: excluding), "certificate missing required EKU", trusted: false)
        let including = try TrustSettings(anchorsPEM: pki.root.pem, ekuConfigText: "1.2.3.4.5.6\n")
        #expect(evaluate(options, settings: including).isTrusted)
    }

    @Test func anEKUConfigurationIsTheOnlySourceOfTrustedSignerEKUsButNeverMakesAProfileInvalid() throws {
        // c2pa-rs adds a trust_config to emailProtection/timeStamping/OCSPSigning; Signet keeps that rule for the
        // profile (Invalid or not) but trusts only the configured EKUs, so an OCSP responder's or a TSA's
        // certificate issued by a trusted CA never passes for a content signer.
        let settings = try TrustSettings(anchorsPEM: pki.root.pem, ekuConfigText: "1.3.6.1.5.5.7.3.36\n")
        for ekus: [ExtendedKeyUsage.Usage] in [[.emailProtection], [.timeStamping], [.ocspSigning]] {
            var options = TestPKI.LeafOptions()
            options.ekus = ekus
            let result = evaluate(options, settings: settings)
            #expect(result.profileFailures == [])
            #expect(!result.trust.isTrusted)
        }
        var documentSigner = TestPKI.LeafOptions()
        documentSigner.ekus = [ExtendedKeyUsage.Usage(oid: [1, 3, 6, 1, 5, 5, 7, 3, 36])]
        #expect(evaluate(documentSigner, settings: settings).isTrusted)
        // Without a configuration, c2pa-rs's built-in list decides.
        var ocspOnly = TestPKI.LeafOptions()
        ocspOnly.ekus = [.ocspSigning]
        #expect(evaluate(ocspOnly, settings: try TrustSettings(anchorsPEM: pki.root.pem)).trust.isTrusted)
    }

    @Test func profileIsCheckedEvenWithoutTrustSettings() {
        var options = TestPKI.LeafOptions()
        options.ekus = [.any]
        let result = evaluate(options, settings: TrustSettings.none)
        #expect(codes(result) == ["signingCredential.invalid"])
        #expect(result.trust == .notChecked)
    }
}
