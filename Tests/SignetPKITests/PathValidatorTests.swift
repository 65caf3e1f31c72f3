import Crypto
import Foundation
import SignetPKI
import SignetTestPKI
import SwiftASN1
import Testing
import X509

/// The one path checker, role by role: what each policy accepts and the structural faults every role refuses.
@Suite struct PathValidatorTests {
    let pki = TestPKI()
    let now = TestPKI.now

    func leaf(_ ekus: [ExtendedKeyUsage.Usage]?, basicConstraints: BasicConstraints? = .notCertificateAuthority, by issuer: TestPKI.Issued? = nil) -> TestPKI.Issued {
        var options = TestPKI.LeafOptions()
        options.ekus = ekus
        options.basicConstraints = basicConstraints
        return pki.leaf(options, issuedBy: issuer)
    }

    func check(_ chain: [[UInt8]], anchors: [[UInt8]]? = nil, at time: Date? = nil, _ policy: PathValidator.Policy) -> PathValidator.Failure? {
        PathValidator.check(chainDER: chain, anchorsDER: anchors ?? [pki.root.der], at: time ?? now, policy: policy)
    }

    // MARK: Roles

    @Test func eachRoleAcceptsItsOwnCertificate() {
        #expect(check(pki.chain(leaf([.timeStamping])), .timeStamping) == nil)
        #expect(check(pki.chain(leaf([.ocspSigning])), .ocspSigning) == nil)
        #expect(check(pki.chain(leaf([.emailProtection])), .signer(ekus: [ASN1ObjectIdentifier.KeyPurpose.emailProtection])) == nil)
        #expect(PathValidator.validate(chainDER: pki.chain(leaf([.timeStamping])), anchorsDER: [pki.root.der], at: now, policy: .timeStamping) == nil)
    }

    @Test func anOCSPSigningCertificateIsRefusedAsATimeStampingAuthority() {
        let failure = check(pki.chain(leaf([.ocspSigning])), .timeStamping)
        #expect(failure?.code == .wrongUsage)
        #expect(failure?.reason == "the certificate is not a time-stamping certificate")
    }

    @Test func aTimeStampingCertificateIsRefusedAsAnOCSPResponder() {
        let failure = check(pki.chain(leaf([.timeStamping])), .ocspSigning)
        #expect(failure?.code == .wrongUsage)
        #expect(failure?.reason == "the certificate is not an OCSP-signing certificate")
    }

    @Test func neitherIsASignerUnlessTheConfigurationListsIt() {
        let configured = PathValidator.Policy.signer(ekus: [ASN1ObjectIdentifier.KeyPurpose.emailProtection])
        #expect(check(pki.chain(leaf([.timeStamping])), configured)?.code == .wrongUsage)
        #expect(check(pki.chain(leaf([.ocspSigning])), configured)?.code == .wrongUsage)
        #expect(check(pki.chain(leaf(nil)), configured)?.code == .wrongUsage)
    }

    @Test func aCAIsNeitherATimeStampingAuthorityNorAnOCSPResponder() {
        let ca = leaf([.timeStamping, .ocspSigning], basicConstraints: .isCertificateAuthority(maxPathLength: nil))
        #expect(check(pki.chain(ca), .timeStamping)?.code == .wrongUsage)
        #expect(check(pki.chain(ca), .ocspSigning)?.code == .wrongUsage)
    }

    // MARK: Structure, the same for every role

    static let roles: [PathValidator.Policy] = [
        .timeStamping, .ocspSigning, .signer(ekus: [ASN1ObjectIdentifier.KeyPurpose.timeStamping, ASN1ObjectIdentifier.KeyPurpose.ocspSigning]),
    ]

    /// A leaf any of ``roles`` accepts but for its CA-ness: time-stamping for TSA and signer, OCSP for the responder.
    func roleLeaf(_ policy: PathValidator.Policy, by issuer: TestPKI.Issued) -> TestPKI.Issued {
        if case .ocspSigning = policy { return leaf([.ocspSigning], by: issuer) }
        return leaf([.timeStamping], by: issuer)
    }

    @Test(arguments: roles) func pathLengthExceeded(_ policy: PathValidator.Policy) {
        // root -> CA pathLen 0 -> CA -> leaf: the first CA has a CA below it.
        let limited = TestPKI.issueCA(name: "Limited CA", by: pki.root, pathLength: 0)
        let below = TestPKI.issueCA(name: "CA below the limit", by: limited)
        let failure = check([roleLeaf(policy, by: below).der, below.der, limited.der], policy)
        #expect(failure?.code == .issuerNotAllowed)
        #expect(failure?.reason.contains("path length") == true)
        // The same CA may issue end entities directly.
        #expect(check([roleLeaf(policy, by: limited).der, limited.der], policy) == nil)
    }

    @Test(arguments: roles) func aNonCAIntermediateIsRefused(_ policy: PathValidator.Policy) {
        let notCA = TestPKI.issueCA(name: "Not a CA", by: pki.root, isCA: false)
        let failure = check([roleLeaf(policy, by: notCA).der, notCA.der], policy)
        #expect(failure?.code == .issuerNotAllowed)
        #expect(failure?.reason.contains("is not a CA certificate") == true)
        let noCertSign = TestPKI.issueCA(name: "No keyCertSign", by: pki.root, keyUsage: KeyUsage(digitalSignature: true))
        #expect(check([roleLeaf(policy, by: noCertSign).der, noCertSign.der], policy)?.code == .issuerNotAllowed)
    }

    @Test(arguments: roles) func anAnchorWithPathLengthZeroAboveAnIntermediateIsRefused(_ policy: PathValidator.Policy) {
        let limited = TestPKI(rootName: "Limited Root", rootPathLength: 0)
        let chain = [roleLeaf(policy, by: limited.intermediate).der, limited.intermediate.der]
        let failure = check(chain, anchors: [limited.root.der], policy)
        #expect(failure?.code == .issuerNotAllowed)
        #expect(failure?.reason.hasPrefix("trust anchor") == true)
        // Sent along in the chain, the anchor is still the anchor, and still too limited.
        #expect(check(chain + [limited.root.der], anchors: [limited.root.der], policy)?.code == .issuerNotAllowed)
        // Issuing the end entity directly is within pathLen 0.
        #expect(check([roleLeaf(policy, by: limited.root).der], anchors: [limited.root.der], policy) == nil)
    }

    @Test(arguments: roles) func anExpiredIntermediateIsRefused(_ policy: PathValidator.Policy) {
        let expired = TestPKI.issueCA(name: "Expired CA", by: pki.root, validity: (now - 400 * TestPKI.day)...(now - 40 * TestPKI.day))
        let chain = [roleLeaf(policy, by: expired).der, expired.der]
        let failure = check(chain, policy)
        #expect(failure?.code == .notValidAtTime)
        #expect(failure?.reason.contains("Expired CA") == true)
        // No time when the intermediate was valid is one when the leaf was; with no time asked, the rest holds.
        #expect(check(chain, at: now - 60 * TestPKI.day, policy)?.code == .notValidAtTime)
        #expect(PathValidator.check(chainDER: chain, anchorsDER: [pki.root.der], at: nil, policy: policy) == nil)
    }

    @Test(arguments: roles) func aChainOverTheLengthLimitIsRefused(_ policy: PathValidator.Policy) {
        var cas = [pki.root]
        for index in 1...PathValidator.maxChainLength {
            cas.append(TestPKI.issueCA(name: "CA \(index)", by: cas[cas.count - 1]))
        }
        func chain(intermediates: Int) -> [[UInt8]] {
            let issuers = Array(cas[1...intermediates])
            return [roleLeaf(policy, by: issuers[issuers.count - 1]).der] + issuers.reversed().map(\.der)
        }
        #expect(check(chain(intermediates: PathValidator.maxChainLength - 1), policy) == nil)
        let failure = check(chain(intermediates: PathValidator.maxChainLength), policy)
        #expect(failure?.code == .chainTooLong)
    }

    @Test(arguments: roles) func aSHA1SignedCertificateIsRefused(_ policy: PathValidator.Policy) throws {
        let good = roleLeaf(policy, by: pki.intermediate)
        let key = try #require(pki.intermediate.p256Key)
        let sha1 = try resignedWithSHA1(good.der, key: key)
        let parsed = try ParsedCertificate(der: sha1)
        let issuer = try ParsedCertificate(der: pki.intermediate.der)
        #expect(parsed.signatureAlgorithm.oid == ASN1ObjectIdentifier.SignatureAlgorithm.ecdsaWithSHA1)
        guard case .unsupported(let why) = SignatureCheck.verify(parsed, issuedBy: issuer) else {
            Issue.record("a SHA-1 signature was not refused")
            return
        }
        #expect(why.contains("SHA-1"))
        #expect(check([sha1, pki.intermediate.der], policy)?.code == .brokenChain)
        #expect(check([good.der, pki.intermediate.der], policy) == nil)
    }

    // MARK: Anchors

    @Test func noAnchorsOrAForeignAnchorIsNoTrustAnchor() {
        let chain = pki.chain(leaf([.timeStamping]))
        #expect(check(chain, anchors: [], .timeStamping)?.code == .noTrustAnchor)
        #expect(check(chain, anchors: [TestPKI(rootName: "Other Root").root.der], .timeStamping)?.code == .noTrustAnchor)
        #expect(check([], .timeStamping)?.code == .malformedChain)
        #expect(check([[0x30, 0x00]], .timeStamping)?.code == .malformedChain)
    }

    /// The certificate `der` with its signature algorithm (inner and outer) changed to ecdsa-with-SHA1 and signed
    /// again by `key` over a SHA-1 digest: a certificate an issuer really signed, with SHA-1.
    func resignedWithSHA1(_ der: [UInt8], key: P256.Signing.PrivateKey) throws -> [UInt8] {
        let sha1 = AlgorithmIdentifier(oid: ASN1ObjectIdentifier.SignatureAlgorithm.ecdsaWithSHA1)
        let certificate = try DER.parse(der)
        guard case .constructed(let top) = certificate.content, let tbsNode = Array(top).first,
            case .constructed(let fields) = tbsNode.content
        else { throw DERNodes.Problem("not a certificate") }
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { coder in
            for (index, field) in fields.enumerated() {
                // Field 0 is the [0] version, field 2 the signature AlgorithmIdentifier.
                if index == 2 { try coder.serialize(sha1) } else { try coder.serialize(ASN1Any(derEncoded: field)) }
            }
        }
        let signature = try key.signature(for: Insecure.SHA1.hash(data: tbs.serializedBytes)).derRepresentation
        var out = DER.Serializer()
        try out.appendConstructedNode(identifier: .sequence) { coder in
            coder.serializeRawBytes(tbs.serializedBytes)
            try coder.serialize(sha1)
            try coder.serialize(ASN1BitString(bytes: Array(signature)[...]))
        }
        return out.serializedBytes
    }
}
