import Crypto
import Foundation
import SignetOCSP
import SwiftASN1
import Testing
import X509

@Suite struct CRLTests {
    let pki = TestPKI()
    var now: Date { pki.now }

    func makeCRL(
        issuer: TestPKI.Issued? = nil, revoked: [CertificateRevocationList.Entry]? = nil,
        thisUpdate: Date? = nil, nextUpdate: Date? = nil
    ) throws -> CertificateRevocationList {
        let issuer = issuer ?? pki.ca
        return try CertificateRevocationList(
            issuer: issuer.certificate, signingKey: issuer.key, thisUpdate: thisUpdate ?? now,
            nextUpdate: nextUpdate ?? now + 7 * TestPKI.day, crlNumber: 42,
            revoked: revoked ?? [
                .init(
                    serialNumber: pki.leaf.certificate.serialNumber, revocationDate: now - TestPKI.day,
                    reason: .keyCompromise),
                .init(serialNumber: Certificate.SerialNumber(0x1234), revocationDate: now - 2 * TestPKI.day),
                .init(
                    serialNumber: Certificate.SerialNumber(0x80), revocationDate: now - 3 * TestPKI.day,
                    reason: .superseded, invalidityDate: now - 4 * TestPKI.day),
            ])
    }

    @Test func builtCRLParsesBackWithEntriesReasonsNumberAndAuthorityKeyIdentifier() throws {
        let crl = try makeCRL()
        let parsed = try CertificateRevocationList(derEncoded: crl.derEncoded)
        #expect(parsed == crl)
        #expect(parsed.version == 2)
        #expect(parsed.issuer == pki.ca.certificate.subject)
        #expect(parsed.thisUpdate == now.rounded)
        #expect(parsed.nextUpdate == now.rounded + 7 * TestPKI.day)
        #expect(parsed.crlNumber == [42])
        let ski = try #require(try pki.ca.certificate.extensions.subjectKeyIdentifier)
        #expect(parsed.authorityKeyIdentifier == Array(ski.keyIdentifier))
        #expect(parsed.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(parsed.revokedCertificates.count == 3)
        let leafEntry = try #require(parsed.entry(for: pki.leaf.certificate.serialNumber))
        #expect(leafEntry.reason == .keyCompromise)
        #expect(leafEntry.revocationDate == (now - TestPKI.day).rounded)
        #expect(parsed.entry(for: Certificate.SerialNumber(0x1234))?.reason == nil)
        #expect(parsed.entry(for: Certificate.SerialNumber(0x80))?.invalidityDate == (now - 4 * TestPKI.day).rounded)
        #expect(parsed.entry(for: Certificate.SerialNumber(0x99)) == nil)
        #expect(parsed.verify(issuer: pki.ca.certificate, at: now) == .verified)
    }

    @Test(arguments: [TestPKI.KeyKind.p384, .rsa2048, .ed25519])
    func crlsSignedWithOtherKeyKindsVerify(kind: TestPKI.KeyKind) throws {
        let pki = TestPKI(caKey: kind)
        let crl = try CertificateRevocationList(
            issuer: pki.ca.certificate, signingKey: pki.ca.key, thisUpdate: pki.now, nextUpdate: pki.now + 3600,
            crlNumber: 1, revoked: [])
        #expect(crl.revokedCertificates.isEmpty)
        #expect(crl.verify(issuer: pki.ca.certificate, at: pki.now) == .verified)
    }

    @Test func datesFrom2050OnAreWrittenAsGeneralizedTime() throws {
        let later = Date(timeIntervalSince1970: 2_600_000_000)  // 2052-05-22
        let crl = try makeCRL(thisUpdate: now, nextUpdate: later)
        #expect(crl.derEncoded.firstRange(of: [0x18, 0x0F] + Array("20520".utf8)) != nil)
        #expect(crl.nextUpdate == later)
    }

    @Test func verificationReportsWrongIssuerBadSignatureAndStaleness() throws {
        let crl = try makeCRL()
        #expect(crl.verify(issuer: pki.root.certificate).failure?.code == .issuerMismatch)
        #expect(crl.verify(issuer: pki.ca.certificate, at: now + 8 * TestPKI.day).failure?.code == .notCurrent)
        #expect(crl.verify(issuer: pki.ca.certificate, at: now - 3600).failure?.code == .notCurrent)
        // Same name, different key: an impostor CA.
        let impostorKey = P256.Signing.PrivateKey()
        let impostor = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(impostorKey.publicKey),
            notValidBefore: now - TestPKI.day, notValidAfter: now + TestPKI.day, issuer: pki.ca.certificate.subject,
            subject: pki.ca.certificate.subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: TestPKI.caExtensions(
                key: .init(impostorKey.publicKey), issuerKey: .init(impostorKey.publicKey)),
            issuerPrivateKey: .init(impostorKey))
        #expect(crl.verify(issuer: impostor).failure?.code == .issuerMismatch)  // AKI differs
        var tampered = crl.derEncoded
        let index = try #require(tampered.firstRange(of: pki.leaf.certificate.serialNumber.bytes)?.lowerBound)
        tampered[index + 3] ^= 0x01
        let parsed = try CertificateRevocationList(derEncoded: tampered)
        #expect(parsed.verify(issuer: pki.ca.certificate).failure?.code == .badSignature)
    }

    @Test func caWithoutCRLSignIsNotAuthorized() throws {
        let noCRLSign = TestPKI.issue(
            name: "Signet OCSP Test Issuing CA", key: .p256, by: pki.root, now: now,
            extensions: { key, issuerKey in
                var e = Certificate.Extensions()
                try! e.append(
                    Certificate.Extension(BasicConstraints.isCertificateAuthority(maxPathLength: nil), critical: true))
                try! e.append(Certificate.Extension(KeyUsage(keyCertSign: true), critical: true))
                return e
            })
        let crl = try makeCRL(issuer: noCRLSign)
        #expect(crl.verify(issuer: noCRLSign.certificate).failure?.code == .unauthorizedSigner)
    }

    @Test func keyOfAnotherCertificateIsRefusedWhenBuilding() {
        #expect(
            code {
                try CertificateRevocationList(
                    issuer: pki.ca.certificate, signingKey: pki.leaf.key, thisUpdate: now, nextUpdate: nil,
                    crlNumber: 1, revoked: [])
            } == .keyMismatch)
    }

    @Test func everyStrictPrefixOfACRLThrowsMalformedDER() throws {
        let der = try makeCRL().derEncoded
        for prefix in strictPrefixes(der) {
            #expect(code { try CertificateRevocationList(derEncoded: prefix) } == .malformedDER)
        }
        #expect(code { try CertificateRevocationList(derEncoded: der + [0x00, 0x00]) } == .malformedDER)
    }

    @Test func randomByteFlipsOfACRLNeverCrash() throws {
        let der = try makeCRL().derEncoded
        var rng = SplitMix64(seed: 0xC51_0003)
        print("CRLTests byte-flip seed 0xc510003")
        for _ in 0..<1500 {
            var mutated = der
            let index = Int(rng.next() % UInt64(mutated.count))
            mutated[index] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            if let crl = try? CertificateRevocationList(derEncoded: mutated) {
                _ = crl.verify(issuer: pki.ca.certificate, at: now)
            }
        }
    }

    /// A hand-made v1 CRL (no version, no extensions), signed with the CA key.
    @Test func versionOneCRLIsReadAndCriticalUnknownExtensionIsRefused() throws {
        let crl = try makeCRL()
        // Build a v2 CRL with a critical issuingDistributionPoint-like extension by re-signing tbs by hand.
        var tbs = DER.Serializer()
        let algorithm: [UInt8] = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
        try tbs.appendConstructedNode(identifier: .sequence) { c in
            try c.serialize(1)
            c.serializeRawBytes(algorithm)
            try c.serialize(pki.ca.certificate.subject)
            try c.serialize(try UTCTime(year: 2025, month: 6, day: 15, hours: 0, minutes: 0, seconds: 0))
            try c.appendConstructedNode(identifier: .init(tagWithNumber: 0, tagClass: .contextSpecific)) { c in
                try c.appendConstructedNode(identifier: .sequence) { c in
                    try c.serialize(Certificate.Extension(oid: [2, 5, 29, 28], critical: true, value: [0x30, 0x00]))
                }
            }
        }
        let signed = try signCRL(tbs.serializedBytes, algorithm: algorithm)
        let parsed = try CertificateRevocationList(derEncoded: signed)
        #expect(parsed.verify(issuer: pki.ca.certificate).failure?.code == .unsupportedCriticalExtension)

        var v1 = DER.Serializer()
        try v1.appendConstructedNode(identifier: .sequence) { c in
            c.serializeRawBytes(algorithm)
            try c.serialize(pki.ca.certificate.subject)
            try c.serialize(try UTCTime(year: 2025, month: 6, day: 15, hours: 0, minutes: 0, seconds: 0))
            try c.serialize(try UTCTime(year: 2025, month: 6, day: 22, hours: 0, minutes: 0, seconds: 0))
            try c.appendConstructedNode(identifier: .sequence) { c in
                try c.appendConstructedNode(identifier: .sequence) { c in
                    try c.serialize(ArraySlice<UInt8>([0x05]))
                    try c.serialize(try UTCTime(year: 2025, month: 6, day: 1, hours: 0, minutes: 0, seconds: 0))
                }
            }
        }
        let v1CRL = try CertificateRevocationList(derEncoded: try signCRL(v1.serializedBytes, algorithm: algorithm))
        #expect(v1CRL.version == 1)
        #expect(v1CRL.revokedCertificates.map(\.serialNumber) == [Certificate.SerialNumber(5)])
        #expect(v1CRL.verify(issuer: pki.ca.certificate) == .verified)
        #expect(crl.version == 2)
    }

    func signCRL(_ tbs: [UInt8], algorithm: [UInt8]) throws -> [UInt8] {
        let signature = try pki.ca.key.sign(bytes: tbs, signatureAlgorithm: .ecdsaWithSHA256).rawRepresentation
        var out = DER.Serializer()
        try out.appendConstructedNode(identifier: .sequence) { c in
            c.serializeRawBytes(tbs)
            c.serializeRawBytes(algorithm)
            try c.serialize(ASN1BitString(bytes: signature[...]))
        }
        return out.serializedBytes
    }
}
