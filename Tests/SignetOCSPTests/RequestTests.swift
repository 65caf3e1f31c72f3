import Crypto
import Foundation
import SignetOCSP
import SwiftASN1
import Testing
import X509

@Suite struct RequestTests {
    let pki = TestPKI()

    @Test func certIDHashesIssuerSubjectDERAndPublicKeyBitsAndCarriesLeafSerial() throws {
        let id = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        var nameDER = DER.Serializer()
        try nameDER.serialize(pki.ca.certificate.subject)
        // P-256 SubjectPublicKeyInfo: the BIT STRING value is the uncompressed point (65 octets, 0x04 ...).
        let point = try #require(P256.Signing.PublicKey(pki.ca.certificate.publicKey)).x963Representation
        #expect(id.hashAlgorithm == .sha1)
        #expect(id.issuerNameHash == Array(Insecure.SHA1.hash(data: nameDER.serializedBytes)))
        #expect(id.issuerKeyHash == Array(Insecure.SHA1.hash(data: point)))
        #expect(id.serialNumber == pki.leaf.certificate.serialNumber)

        let sha256 = try OCSPCertID(
            certificate: pki.leaf.certificate, issuer: pki.ca.certificate, hashAlgorithm: .sha256)
        #expect(sha256.issuerNameHash == Array(SHA256.hash(data: nameDER.serializedBytes)))
        #expect(sha256.issuerKeyHash == Array(SHA256.hash(data: point)))
        #expect(sha256.identifies(pki.leaf.certificate, issuedBy: pki.ca.certificate))
        #expect(!sha256.identifies(pki.leaf.certificate, issuedBy: pki.root.certificate))
        #expect(sha256.matches(sha256) && !sha256.matches(id))
    }

    @Test func certIDForCertificateOfAnotherIssuerThrowsIssuerMismatch() {
        #expect(throws: RevocationError.self) {
            try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.root.certificate)
        }
        do {
            _ = try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.root.certificate)
        } catch {
            #expect(error.code == .issuerMismatch)
        }
    }

    @Test func requestWithNonceRoundTripsThroughDER() throws {
        let nonce = try OCSPNonce(Array(repeating: 7, count: 16))
        let request = try OCSPRequest(
            certificate: pki.leaf.certificate, issuer: pki.ca.certificate, hashAlgorithm: .sha256, nonce: nonce)
        let parsed = try OCSPRequest(derEncoded: request.derEncoded)
        #expect(parsed == request)
        #expect(parsed.nonce == nonce)
        #expect(parsed.nonce?.value == Array(repeating: 7, count: 16))
        #expect(parsed.nonce?.extensionValue == [0x04, 0x10] + Array(repeating: 7, count: 16))
        #expect(parsed.certIDs.count == 1)
        #expect(parsed.certIDs[0].identifies(pki.leaf.certificate, issuedBy: pki.ca.certificate))
        #expect(parsed.signature == nil && parsed.requestorName == nil)
    }

    @Test func requestWithoutNonceAndSeveralCertIDsRoundTrips() throws {
        let other = pki.anotherLeaf()
        let ids = [
            try OCSPCertID(certificate: pki.leaf.certificate, issuer: pki.ca.certificate),
            try OCSPCertID(certificate: other.certificate, issuer: pki.ca.certificate, hashAlgorithm: .sha256),
        ]
        let request = try OCSPRequest(certIDs: ids, nonce: nil, requestorName: .dnsName("client.example"))
        let parsed = try OCSPRequest(derEncoded: request.derEncoded)
        #expect(parsed.certIDs == ids)
        #expect(parsed.nonce == nil)
        #expect(parsed.requestorName == .dnsName("client.example"))
    }

    @Test func defaultRequestHasRandomThirtyTwoOctetNonce() throws {
        let a = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        let b = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        #expect(a.nonce?.value.count == 32)
        #expect(a.nonce != b.nonce)
    }

    @Test func emptyRequestListAndBadNoncesAreRefused() {
        #expect(throws: RevocationError.self) { try OCSPRequest(certIDs: []) }
        #expect(throws: RevocationError.self) { try OCSPNonce([]) }
        #expect(throws: RevocationError.self) { try OCSPNonce(Array(repeating: 1, count: 33)) }
    }

    @Test func everyStrictPrefixOfARequestThrowsMalformedDER() throws {
        let request = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate)
        for prefix in strictPrefixes(request.derEncoded) {
            #expect(throws: RevocationError.self) { try OCSPRequest(derEncoded: prefix) }
            do {
                _ = try OCSPRequest(derEncoded: prefix)
            } catch {
                #expect(error.code == .malformedDER, "prefix of \(prefix.count) bytes")
            }
        }
    }

    @Test func trailingBytesOversizeAndWrongTagsAreRefusedWithCodes() throws {
        let der = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate).derEncoded
        #expect(code { try OCSPRequest(derEncoded: der + [0]) } == .malformedDER)
        #expect(code { try OCSPRequest(derEncoded: Array(repeating: 0, count: 70_000)) } == .inputTooLarge)
        var wrongTag = der
        wrongTag[0] = 0x31  // SET instead of SEQUENCE
        #expect(code { try OCSPRequest(derEncoded: wrongTag) } == .unexpectedStructure)
        // A well-formed but empty requestList: SEQUENCE { SEQUENCE { SEQUENCE {} } }.
        #expect(code { try OCSPRequest(derEncoded: [0x30, 0x04, 0x30, 0x02, 0x30, 0x00]) } == .unexpectedStructure)
        // Version v2 (1), explicitly tagged [0].
        let v2: [UInt8] = [0x30, 0x09, 0x30, 0x07, 0xA0, 0x03, 0x02, 0x01, 0x01, 0x30, 0x00]
        #expect(code { try OCSPRequest(derEncoded: v2) } == .unsupportedVersion)
        // Deep nesting: 60 nested SEQUENCEs exceed SwiftASN1's depth limit.
        var deep: [UInt8] = []
        for _ in 0..<60 { deep = [0x30, UInt8(deep.count)] + deep }
        #expect(code { try OCSPRequest(derEncoded: deep) } == .malformedDER)
    }

    @Test func randomByteFlipsNeverCrashAndThrowOnlyRevocationErrors() throws {
        let der = try OCSPRequest(certificate: pki.leaf.certificate, issuer: pki.ca.certificate).derEncoded
        var rng = SplitMix64(seed: 0x5eed_0c5b)
        print("RequestTests byte-flip seed 0x5eed0c5b")
        for _ in 0..<2000 {
            var mutated = der
            let index = Int(rng.next() % UInt64(mutated.count))
            mutated[index] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            _ = try? OCSPRequest(derEncoded: mutated)
        }
    }
}

/// The error code a throwing expression throws, nil when it does not throw; any other error type is an issue.
func code<T>(_ body: () throws -> T) -> RevocationError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as RevocationError {
        return error.code
    } catch {
        Issue.record("threw \(type(of: error)), not RevocationError: \(error)")
        return nil
    }
}

/// A small deterministic generator for replayable randomised tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
