import Crypto
import Foundation
import SignetOCSP
import SwiftASN1
import Testing
import X509

@Suite struct ResponseTests {
    let pki = TestPKI()
    var now: Date { pki.now }
    var revokedAt: Date { pki.now - 3 * TestPKI.day }

    func responder(
        signer: TestPKI.Issued? = nil, id: OCSPResponder.ResponderIDKind = .byKey,
        statuses: [Certificate.SerialNumber: OCSPCertStatus]? = nil
    ) throws -> OCSPResponder {
        let table = StatusTable(entries: statuses ?? [pki.leaf.certificate.serialNumber: .good])
        let signer = signer ?? pki.responder
        return try OCSPResponder(
            issuer: pki.ca.certificate, signerCertificate: signer.certificate, signerKey: signer.key,
            responderID: id, status: table.lookup)
    }

    func verifier() -> OCSPVerifier { OCSPVerifier(issuer: pki.ca.certificate) }

    @Test func delegatedResponderGoodAnswerVerifiesWithTimesAndEchoedNonce() throws {
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let der = try responder().respond(toDER: request.derEncoded, at: now)
        let result = try verifier().verify(
            derEncoded: der, for: pki.leaf.certificate, at: now + 60, nonce: request.nonce)
        let report = try #require(result.report, "\(result)")
        #expect(report.status == .good)
        #expect(report.producedAt == now.rounded)
        #expect(report.thisUpdate == now.rounded)
        #expect(report.nextUpdate == now.rounded + TestPKI.day)
        #expect(report.responder == pki.responder.certificate)
        #expect(!report.responderIsIssuer)
        #expect(report.nonce == request.nonce)
        #expect(report.isCurrent(at: now + TestPKI.day))
        #expect(!report.isCurrent(at: now + 2 * TestPKI.day))
        #expect(!report.isCurrent(at: now - 3600))
    }

    @Test func revokedAnswerCarriesRevocationTimeAndReason() throws {
        let info = OCSPRevokedInfo(revocationTime: revokedAt, reason: .keyCompromise)
        let r = try responder(statuses: [pki.leaf.certificate.serialNumber: .revoked(info)])
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate, nonce: nil)
        let response = r.respond(to: request, at: now)
        let report = try #require(verifier().verify(response, for: pki.leaf.certificate, at: now).report)
        #expect(report.status == .revoked(OCSPRevokedInfo(revocationTime: revokedAt.rounded, reason: .keyCompromise)))
        #expect("\(report.status)" == "revoked (keyCompromise)")
    }

    @Test func revokedWithoutReasonAndUnknownSerialsAreReported() throws {
        let other = pki.anotherLeaf()
        let third = pki.anotherLeaf(name: "Third")
        let r = try responder(statuses: [
            pki.leaf.certificate.serialNumber: .revoked(OCSPRevokedInfo(revocationTime: revokedAt)),
            other.certificate.serialNumber: .good,
        ])
        let ids = try [pki.leaf, other, third].map {
            try OCSPCertID(certificate: $0.certificate, issuer: pki.ca.certificate)
        }
        let response = try r.response(for: ids, at: now)
        let basic = try #require(response.basicResponse)
        #expect(
            basic.responseData.responses.map(\.status) == [
                .revoked(OCSPRevokedInfo(revocationTime: revokedAt.rounded)), .good, .unknown,
            ])
        #expect(verifier().verify(response, for: third.certificate, at: now).report?.status == .unknown)
        #expect(verifier().verify(response, for: other.certificate, at: now).report?.status == .good)
    }

    @Test func certIDOfAnotherIssuerIsAnsweredUnknown() throws {
        let foreign = try OCSPCertID(serialNumber: pki.leaf.certificate.serialNumber, issuer: pki.root.certificate)
        let response = try responder().response(for: [foreign], at: now)
        #expect(response.basicResponse?.responseData.responses.first?.status == .unknown)
    }

    @Test func caSigningItsOwnResponsesByNameVerifiesAsIssuer() throws {
        let r = try responder(signer: pki.ca, id: .byName)
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let response = r.respond(to: request, at: now)
        guard case .byName(let name) = response.basicResponse?.responseData.responderID else {
            Issue.record("expected byName")
            return
        }
        #expect(name == pki.ca.certificate.subject)
        let report = try #require(verifier().verify(response, for: pki.leaf.certificate, at: now).report)
        #expect(report.responderIsIssuer)
        #expect(report.status == .good)
    }

    @Test(arguments: [TestPKI.KeyKind.p256, .p384, .rsa2048, .ed25519])
    func responsesSignedWithEachKeyKindVerify(kind: TestPKI.KeyKind) throws {
        let pki = TestPKI(caKey: kind, responderKey: kind)
        let table = StatusTable(entries: [pki.leaf.certificate.serialNumber: .good])
        let r = try OCSPResponder(
            issuer: pki.ca.certificate, signerCertificate: pki.responder.certificate, signerKey: pki.responder.key,
            status: table.lookup)
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let response = try OCSPResponse(derEncoded: r.respond(toDER: request.derEncoded, at: pki.now))
        let expected: Certificate.SignatureAlgorithm =
            switch kind {
            case .p256: .ecdsaWithSHA256
            case .p384: .ecdsaWithSHA384
            case .rsa2048: .sha256WithRSAEncryption
            case .ed25519: .ed25519
            }
        #expect(response.basicResponse?.signatureAlgorithm == expected)
        let result = OCSPVerifier(issuer: pki.ca.certificate).verify(
            response, for: pki.leaf.certificate, at: pki.now, nonce: request.nonce)
        #expect(result.report?.status == .good, "\(result)")
    }

    @Test func sha256CertIDRequestIsAnsweredWithTheSameCertID() throws {
        let request = try OCSPRequest(
            certificate: pki.leaf.certificate, issuer: pki.ca.certificate, hashAlgorithm: .sha256)
        let response = responderOrFail().respond(to: request, at: now)
        let single = try #require(response.basicResponse?.responseData.responses.first)
        #expect(single.certID == request.certIDs[0])
        #expect(verifier().verify(response, for: pki.leaf.certificate).report?.status == .good)
    }

    func responderOrFail() -> OCSPResponder { try! responder() }

    @Test func parsedResponseRoundTripsItsBytes() throws {
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let built = responderOrFail().respond(to: request, at: now)
        let parsed = try OCSPResponse(derEncoded: built.derEncoded)
        #expect(parsed == built)
        #expect(parsed.basicResponse?.certificates == [pki.responder.certificate])
        let basic = try BasicOCSPResponse(derEncoded: try #require(parsed.basicResponse).derEncoded)
        #expect(basic == parsed.basicResponse)
    }

    @Test func errorResponsesEncodeOnlyTheirStatus() throws {
        #expect(OCSPResponder.errorResponse(.malformedRequest).derEncoded == [0x30, 0x03, 0x0A, 0x01, 0x01])
        #expect(OCSPResponder.errorResponse(.unauthorized).derEncoded == [0x30, 0x03, 0x0A, 0x01, 0x06])
        #expect(responderOrFail().respond(toDER: [0x30, 0x00], at: now) == [0x30, 0x03, 0x0A, 0x01, 0x01])
        for status in [OCSPResponseStatus.internalError, .tryLater, .sigRequired] {
            let parsed = try OCSPResponse(derEncoded: OCSPResponder.errorResponse(status).derEncoded)
            #expect(parsed.status == status && parsed.basicResponse == nil)
            #expect(
                verifier().verify(parsed, for: pki.leaf.certificate).failure?.code == .responseNotSuccessful)
        }
        #expect(code { try OCSPResponse(status: .successful) } == .invalidArgument)
    }

    @Test func throwingLookupGivesInternalErrorAndOverlongNonceGivesMalformedRequest() throws {
        struct DatabaseDown: Error {}
        let r = try OCSPResponder(
            issuer: pki.ca.certificate, signerCertificate: pki.responder.certificate, signerKey: pki.responder.key
        ) { _ in throw DatabaseDown() }
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        #expect(r.respond(to: request, at: now).status == .internalError)
        let id = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let longNonce = OCSPNonce(extensionValue: [0x04, 0x21] + Array(repeating: 9, count: 33))
        let overlong = try OCSPRequest(certIDs: [id], nonce: longNonce)
        #expect(responderOrFail().respond(to: overlong, at: now).status == .malformedRequest)
    }

    @Test func responderSetupRefusesForeignKeysAndSignersWithoutOCSPSigning() throws {
        let table = StatusTable(entries: [:])
        #expect(
            code {
                try OCSPResponder(
                    issuer: pki.ca.certificate, signerCertificate: pki.responder.certificate, signerKey: pki.leaf.key,
                    status: table.lookup)
            } == .keyMismatch)
        #expect(
            code {
                try OCSPResponder(
                    issuer: pki.ca.certificate, signerCertificate: pki.leaf.certificate, signerKey: pki.leaf.key,
                    status: table.lookup)
            } == .unauthorizedResponder)
        #expect(
            code {
                try OCSPResponder(
                    issuer: pki.ca.certificate, signerCertificate: pki.responder.certificate,
                    signerKey: pki.responder.key, signatureAlgorithm: .sha256WithRSAEncryption, status: table.lookup)
            } == .unsupportedAlgorithm)
    }

    // MARK: Rejections

    /// Signs `data` as `signer` and wraps it, bypassing the responder's own checks.
    func forged(
        signer: TestPKI.Issued, status: OCSPCertStatus = .good, thisUpdate: Date? = nil, nextUpdate: Date? = nil,
        nonce: OCSPNonce? = nil, certs: [Certificate]? = nil
    ) throws -> OCSPResponse {
        let id = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let extensions = try nonce.map { try Certificate.Extensions([$0.certificateExtension]) }
        let data = OCSPResponseData(
            responderID: .of(signer.certificate, byKey: true), producedAt: now,
            responses: [
                OCSPSingleResponse(
                    certID: id, status: status, thisUpdate: thisUpdate ?? now,
                    nextUpdate: nextUpdate ?? now + TestPKI.day)
            ], extensions: extensions)
        let basic = try BasicOCSPResponse(
            signing: data, with: signer.key, certificates: certs ?? [signer.certificate])
        return OCSPResponse(basicResponse: basic)
    }

    @Test func signerWithoutOCSPSigningEKUIsUnauthorized() throws {
        let impostor = pki.anotherLeaf(name: "No EKU")
        let result = verifier().verify(try forged(signer: impostor), for: pki.leaf.certificate, at: now)
        #expect(result.failure?.code == .unauthorizedResponder)
    }

    @Test func responderIssuedByAnotherCAIsUnauthorizedEvenWithOCSPSigning() throws {
        let outsider = pki.anotherLeaf(name: "Root's responder", ekus: [.ocspSigning], by: pki.root)
        let result = verifier().verify(try forged(signer: outsider), for: pki.leaf.certificate, at: now)
        #expect(result.failure?.code == .unauthorizedResponder)
    }

    @Test func locallyTrustedResponderIsAcceptedWithoutEKU() throws {
        let local = pki.anotherLeaf(name: "Local responder", by: pki.root)
        let verifier = OCSPVerifier(issuer: pki.ca.certificate, trustedResponders: [local.certificate])
        let result = verifier.verify(try forged(signer: local, certs: []), for: pki.leaf.certificate, at: now)
        #expect(result.report?.status == .good, "\(result)")
    }

    @Test func missingResponderCertificateIsResponderNotFound() throws {
        let result = verifier().verify(
            try forged(signer: pki.responder, certs: []), for: pki.leaf.certificate, at: now)
        #expect(result.failure?.code == .responderNotFound)
    }

    @Test func tamperedResponseDataFailsTheSignature() throws {
        let response = try forged(signer: pki.responder)
        var der = response.derEncoded
        // Flip a bit inside the tbsResponseData's producedAt digits ("2025..." -> "3025...").
        let producedAt = Array("20250615".utf8)
        let index = try #require(der.firstRange(of: producedAt)?.lowerBound)
        der[index] ^= 0x01
        let result = try verifier().verify(derEncoded: der, for: pki.leaf.certificate)
        #expect(result.failure?.code == .badSignature)
    }

    @Test func wrongIssuerAndMissingCertificateAreReported() throws {
        let response = try forged(signer: pki.responder)
        let other = pki.anotherLeaf(name: "Not asked about")
        #expect(verifier().verify(response, for: other.certificate).failure?.code == .certificateNotInResponse)
        let rootVerifier = OCSPVerifier(issuer: pki.root.certificate)
        #expect(rootVerifier.verify(response, for: pki.leaf.certificate).failure?.code == .issuerMismatch)
    }

    @Test func nonceMustBeEchoedByteForByte() throws {
        let sent = try OCSPNonce(Array(repeating: 1, count: 16))
        let echoed = try forged(signer: pki.responder, nonce: sent)
        #expect(verifier().verify(echoed, for: pki.leaf.certificate, nonce: sent).report != nil)
        let other = try OCSPNonce(Array(repeating: 2, count: 16))
        #expect(verifier().verify(echoed, for: pki.leaf.certificate, nonce: other).failure?.code == .nonceMismatch)
        let none = try forged(signer: pki.responder)
        #expect(verifier().verify(none, for: pki.leaf.certificate, nonce: sent).failure?.code == .nonceMismatch)
    }

    @Test func staleAndFutureAnswersAreNotCurrentWithinTolerance() throws {
        let response = try forged(signer: pki.responder, thisUpdate: now, nextUpdate: now + 3600)
        let v = verifier()
        #expect(v.verify(response, for: pki.leaf.certificate, at: now + 3600 + 299).report != nil)
        #expect(v.verify(response, for: pki.leaf.certificate, at: now + 3600 + 301).failure?.code == .notCurrent)
        #expect(v.verify(response, for: pki.leaf.certificate, at: now - 299).report != nil)
        #expect(v.verify(response, for: pki.leaf.certificate, at: now - 301).failure?.code == .notCurrent)
        // Without a time, no time check.
        #expect(v.verify(response, for: pki.leaf.certificate).report != nil)
    }

    @Test func answerWithoutNextUpdateHonoursMaximumAge() throws {
        let id = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let data = OCSPResponseData(
            responderID: .of(pki.responder.certificate, byKey: false), producedAt: now,
            responses: [OCSPSingleResponse(certID: id, status: .good, thisUpdate: now)])
        let response = OCSPResponse(
            basicResponse: try BasicOCSPResponse(
                signing: data, with: pki.responder.key, certificates: [pki.responder.certificate]))
        #expect(verifier().verify(response, for: pki.leaf.certificate, at: now + 30 * TestPKI.day).report != nil)
        let strict = OCSPVerifier(issuer: pki.ca.certificate, maximumAge: 3600)
        #expect(
            strict.verify(response, for: pki.leaf.certificate, at: now + 2 * 3600).failure?.code == .notCurrent)
    }

    @Test func expiredDelegatedResponderCertificateIsRefusedAtTheValidationTime() throws {
        let expired = TestPKI.issue(
            name: "Expired responder", key: .p256, by: pki.ca, now: now,
            validity: (now - 100 * TestPKI.day)...(now - 10 * TestPKI.day),
            extensions: { TestPKI.endEntityExtensions(key: $0, issuerKey: $1, ekus: [.ocspSigning]) })
        let then = now - 50 * TestPKI.day
        let response = try forged(signer: expired, thisUpdate: then, nextUpdate: then + TestPKI.day)
        #expect(
            verifier().verify(response, for: pki.leaf.certificate, at: now).failure?.code
                == .responderCertificateExpired)
        #expect(verifier().verify(response, for: pki.leaf.certificate, at: then).report != nil)
    }

    // MARK: Malformed input

    @Test func everyStrictPrefixOfAResponseThrowsMalformedDER() throws {
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let der = responderOrFail().respond(to: request, at: now).derEncoded
        for prefix in strictPrefixes(der) {
            #expect(code { try OCSPResponse(derEncoded: prefix) } == .malformedDER, "prefix of \(prefix.count)")
        }
        let basic = try #require(try OCSPResponse(derEncoded: der).basicResponse).derEncoded
        for prefix in strictPrefixes(basic) {
            #expect(code { try BasicOCSPResponse(derEncoded: prefix) } == .malformedDER)
        }
    }

    @Test func malformedInnerBasicResponseAndInconsistentStatusAreTypedErrors() throws {
        // successful, responseBytes { id-pkix-ocsp-basic, OCTET STRING { 30 05 } } : inner DER truncated.
        let basicOID: [UInt8] = [0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01]
        let inner: [UInt8] = [0x30, 0x10] + basicOID + [0x04, 0x03, 0x30, 0x05, 0x00]
        let response: [UInt8] = [0x30, 0x17, 0x0A, 0x01, 0x00, 0xA0, 0x12] + inner
        #expect(code { try OCSPResponse(derEncoded: response) } == .malformedDER)
        // successful without responseBytes.
        #expect(code { try OCSPResponse(derEncoded: [0x30, 0x03, 0x0A, 0x01, 0x00]) } == .unexpectedStructure)
        // status as INTEGER instead of ENUMERATED.
        #expect(code { try OCSPResponse(derEncoded: [0x30, 0x03, 0x02, 0x01, 0x01]) } == .unexpectedStructure)
        #expect(code { try OCSPResponse(derEncoded: [0x30, 0x03, 0x0A, 0x01, 0x01, 0x00]) } == .malformedDER)
        #expect(code { try OCSPResponse(derEncoded: Array(repeating: 0, count: 2_000_000)) } == .inputTooLarge)
    }

    @Test func unknownResponseTypeParsesButDoesNotVerify() throws {
        let otherOID: [UInt8] = [0x06, 0x03, 0x2A, 0x03, 0x04]
        let inner: [UInt8] = [0x30, 0x09] + otherOID + [0x04, 0x02, 0x05, 0x00]
        let der: [UInt8] = [0x30, 0x10, 0x0A, 0x01, 0x00, 0xA0, 0x0B] + inner
        let response = try OCSPResponse(derEncoded: der)
        #expect(response.basicResponse == nil)
        #expect(response.responseType == [1, 2, 3, 4])
        #expect(verifier().verify(response, for: pki.leaf.certificate).failure?.code == .unsupportedResponseType)
    }

    @Test func randomByteFlipsOfAResponseNeverCrash() throws {
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let der = responderOrFail().respond(to: request, at: now).derEncoded
        var rng = SplitMix64(seed: 0x0c5b_0002)
        print("ResponseTests byte-flip seed 0x0c5b0002")
        var verifiedTampered = 0
        for _ in 0..<1500 {
            var mutated = der
            let index = Int(rng.next() % UInt64(mutated.count))
            mutated[index] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            if let result = try? verifier().verify(derEncoded: mutated, for: pki.leaf.certificate),
                result.report != nil
            {
                // Only bytes outside the signed data (certs, or the signature's own DER framing) may change.
                let parsed = try OCSPResponse(derEncoded: mutated)
                #expect(
                    parsed.basicResponse?.tbsResponseDataDER
                        == (try OCSPResponse(derEncoded: der)).basicResponse?.tbsResponseDataDER)
                verifiedTampered += 1
            }
        }
        print("byte flips that still verified (outside the signed bytes): \(verifiedTampered)")
    }
}

extension Date {
    /// This date truncated to whole seconds, as DER times carry it.
    var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
