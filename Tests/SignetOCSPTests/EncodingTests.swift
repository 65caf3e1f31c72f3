import Crypto
import Foundation
import SignetOCSP
import SwiftASN1
import Testing
import X509

@Suite struct EncodingTests {
    let pki = TestPKI()

    func signed(_ responses: [OCSPSingleResponse]) throws -> OCSPResponse {
        let data = OCSPResponseData(
            responderID: .of(pki.responder.certificate, byKey: true), producedAt: pki.now, responses: responses)
        return OCSPResponse(
            basicResponse: try BasicOCSPResponse(
                signing: data, with: pki.responder.key, certificates: [pki.responder.certificate]))
    }

    @Test(arguments: [
        (Date(timeIntervalSince1970: 0), "19700101000000Z"),
        (Date(timeIntervalSince1970: -1), "19691231235959Z"),
        (Date(timeIntervalSince1970: 951_827_696), "20000229123456Z"),
        (Date(timeIntervalSince1970: 4_107_542_400), "21000301000000Z"),
        (Date(timeIntervalSince1970: 253_402_300_799), "99991231235959Z"),
        (Date(timeIntervalSince1970: 1_750_000_000.75), "20250615150640Z"),
    ])
    func revocationTimesRoundTripAsWholeSecondGeneralizedTime(date: Date, text: String) throws {
        let id = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let status = OCSPCertStatus.revoked(OCSPRevokedInfo(revocationTime: date, reason: .certificateHold))
        let response = try signed([OCSPSingleResponse(certID: id, status: status, thisUpdate: pki.now)])
        #expect(response.derEncoded.firstRange(of: [0x18, 0x0F] + Array(text.utf8)) != nil)
        let parsed = try OCSPResponse(derEncoded: response.derEncoded)
        let single = try #require(parsed.basicResponse?.responseData.responses.first)
        #expect(single.status == .revoked(OCSPRevokedInfo(revocationTime: date.rounded, reason: .certificateHold)))
    }

    @Test func yearTenThousandCannotBeEncoded() throws {
        let id = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let far = Date(timeIntervalSince1970: 253_402_300_800)  // 10000-01-01
        #expect(
            code { try signed([OCSPSingleResponse(certID: id, status: .good, thisUpdate: far)]) } == .invalidTime)
    }

    @Test func crlTimesSwitchFromUTCTimeToGeneralizedTimeAt2050() throws {
        let last2049 = Date(timeIntervalSince1970: 2_524_607_999)  // 2049-12-31T23:59:59Z
        let first1950 = Date(timeIntervalSince1970: -631_152_000)  // 1950-01-01T00:00:00Z
        let before1950 = first1950 - 1
        let crl = try CertificateRevocationList(
            issuer: pki.ca.certificate, signingKey: pki.ca.key, thisUpdate: first1950, nextUpdate: last2049,
            crlNumber: 1, revoked: [.init(serialNumber: Certificate.SerialNumber(9), revocationDate: before1950)])
        #expect(crl.derEncoded.firstRange(of: [0x17, 0x0D] + Array("500101000000Z".utf8)) != nil)
        #expect(crl.derEncoded.firstRange(of: [0x17, 0x0D] + Array("491231235959Z".utf8)) != nil)
        #expect(crl.derEncoded.firstRange(of: [0x18, 0x0F] + Array("19491231235959Z".utf8)) != nil)
        #expect(crl.thisUpdate == first1950 && crl.nextUpdate == last2049)
        #expect(crl.revokedCertificates.first?.revocationDate == before1950)
    }

    @Test func unsupportedCertIDHashIsAnsweredUnknown() throws {
        let md5 = OCSPHashAlgorithm(oid: [1, 2, 840, 113549, 2, 5], parameters: nil)
        #expect(!md5.isSupported && OCSPHashAlgorithm.sha1.isSupported && OCSPHashAlgorithm.sha512.isSupported)
        let id = OCSPCertID(
            hashAlgorithm: md5, issuerNameHash: Array(repeating: 1, count: 16),
            issuerKeyHash: Array(repeating: 2, count: 16), serialNumber: pki.leaf.certificate.serialNumber)
        #expect(
            code { try OCSPCertID(serialNumber: id.serialNumber, issuer: pki.ca.certificate, hashAlgorithm: md5) }
                == .unsupportedAlgorithm)
        let table = StatusTable(entries: [pki.leaf.certificate.serialNumber: .good])
        let responder = try OCSPResponder(
            issuer: pki.ca.certificate, signerCertificate: pki.responder.certificate, signerKey: pki.responder.key,
            status: table.lookup)
        let request = try OCSPRequest(certIDs: [id])
        let parsed = try OCSPRequest(derEncoded: request.derEncoded)
        #expect(parsed.certIDs == [id])
        let response = responder.respond(to: parsed, at: pki.now)
        #expect(response.basicResponse?.responseData.responses.first?.status == .unknown)
    }

    @Test func unsupportedResponseSignatureAlgorithmIsReported() throws {
        let id = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let response = try signed([OCSPSingleResponse(certID: id, status: .good, thisUpdate: pki.now)])
        var der = response.derEncoded
        let basic = try #require(response.basicResponse)
        let ecdsaSHA256: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02]
        let tbsEnd = try #require(der.firstRange(of: basic.tbsResponseDataDER)).upperBound
        let at = try #require(der[tbsEnd...].firstRange(of: ecdsaSHA256)).upperBound - 1
        der[at] = 0x01  // ecdsa-with-SHA224
        let tampered = try OCSPResponse(derEncoded: der)
        #expect(tampered.basicResponse?.signatureAlgorithm == nil)
        #expect(tampered.basicResponse?.signatureAlgorithmOID == [1, 2, 840, 10045, 4, 3, 1])
        let result = OCSPVerifier(issuer: pki.ca.certificate).verify(tampered, for: pki.leaf.certificate)
        #expect(result.failure?.code == .unsupportedAlgorithm)
    }

    @Test func moreThanThirtyTwoExtensionsAreRefusedAsTooLarge() throws {
        let id = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let single = try OCSPRequest(certIDs: [id]).derEncoded
        // Reuse the Request element of a built request, then add 33 request extensions by hand.
        let root = try DER.parse(single)
        guard case .constructed(let top) = root.content, let tbs = Array(top).first,
            case .constructed(let tbsFields) = tbs.content, let list = Array(tbsFields).first
        else {
            Issue.record("unexpected shape")
            return
        }
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { c in
            try c.appendConstructedNode(identifier: .sequence) { c in
                c.serializeRawBytes(list.encodedBytes)
                try c.appendConstructedNode(identifier: .init(tagWithNumber: 2, tagClass: .contextSpecific)) { c in
                    try c.appendConstructedNode(identifier: .sequence) { c in
                        for i in 0..<33 {
                            try c.serialize(
                                Certificate.Extension(oid: [1, 2, 3, UInt(i)], critical: false, value: [5, 0]))
                        }
                    }
                }
            }
        }
        #expect(code { try OCSPRequest(derEncoded: coder.serializedBytes) } == .inputTooLarge)
    }

    @Test func errorsCompareByCodeOnly() {
        #expect(RevocationError(.badSignature, "one") == RevocationError(.badSignature, "two"))
        #expect(RevocationError(.badSignature, "one") != RevocationError(.notCurrent, "one"))
        #expect("\(RevocationError(.nonceMismatch, "x"))" == "RevocationError.nonceMismatch: x")
        #expect("\(CRLReason(rawValue: 7))" == "reason(7)" && "\(CRLReason.aaCompromise)" == "aACompromise")
        #expect("\(OCSPResponseStatus(rawValue: 4))" == "status(4)")
    }
}
