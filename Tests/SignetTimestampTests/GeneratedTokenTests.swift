import Crypto
import Foundation
import SignetCBOR
import SignetTimestamp
import Testing

/// A fake COSE_Sign1 the tests time-stamp.
struct FakeSignature {
    var protectedHeader: [UInt8] = [0xA1, 0x01, 0x26]  // {1: -7}
    var claim: [UInt8] = Array("claim bytes".utf8)
    var signature: [UInt8] = Array(repeating: 0x5A, count: 64)

    func imprinted(_ version: TimestampVersion) -> [UInt8] {
        TimestampValidator.imprintedBytes(
            version: version, protectedHeaderBytes: protectedHeader, payload: claim, signature: signature)
    }

    func validate(_ header: [CBOR.MapEntry], trust: TSATrust) -> TimestampResult? {
        TimestampValidator.validate(
            unprotectedHeader: header, protectedHeaderBytes: protectedHeader, payload: claim, signature: signature,
            trust: trust)
    }
}

@Suite struct GeneratedTokenTests {
    let tsa = TestTSA()
    let cose = FakeSignature()

    @Test func imprintCoversCounterSignatureStructureWithDoubleWrappedSignatureForV2() {
        let p: [UInt8] = [0xA1, 0x01, 0x26]
        let v2 = TimestampValidator.imprintedBytes(
            version: .v2, protectedHeaderBytes: p, payload: [9], signature: [1, 2])
        let context: [UInt8] = [0x70] + Array("CounterSignature".utf8)
        // ["CounterSignature", h'A10126', h'', h'420102'] : the payload is the CBOR bstr h'0102' as a bstr.
        #expect(v2 == [0x84] + context + [0x43, 0xA1, 0x01, 0x26, 0x40, 0x43, 0x42, 0x01, 0x02])
        let v1 = TimestampValidator.imprintedBytes(
            version: .v1, protectedHeaderBytes: p, payload: [9], signature: [1, 2])
        #expect(v1 == [0x84] + context + [0x43, 0xA1, 0x01, 0x26, 0x40, 0x41, 0x09])
    }

    @Test func v2TokenChainedToAnchorIsValidatedAndTrusted() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([tsa.rootDER])))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.validated", explanation: "timestamp message digest matched: Test TSA",
                    list: .success),
                TimestampStatus(
                    code: "timeStamp.trusted",
                    explanation: "timestamp cert trusted: Test TSA, trust list: system_anchors",
                    list: .success),
            ])
        #expect(result.version == .v2)
        #expect(result.genTime == Date(timeIntervalSince1970: 1_750_000_000))
        #expect(result.attestedTime == Date(timeIntervalSince1970: 1_750_000_000))
        #expect(result.isTrustedAndValidated)
        #expect(result.tsaChainDER == [tsa.tsaDER, tsa.rootDER])
    }

    @Test func convenienceOverloadUsesAnchorsOrLegacySkip() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        let trusted = try #require(
            TimestampValidator.validate(
                unprotectedHeader: header("sigTst2", [token]), protectedHeaderBytes: cose.protectedHeader,
                payload: cose.claim, signature: cose.signature, tsaAnchorsDER: [tsa.rootDER]))
        #expect(trusted.statuses.last?.explanation == "timestamp cert trusted: Test TSA, trust list: system_anchors")
        let legacy = try #require(
            TimestampValidator.validate(
                unprotectedHeader: header("sigTst2", [token]), protectedHeaderBytes: cose.protectedHeader,
                payload: cose.claim, signature: cose.signature, tsaAnchorsDER: [], verifyTrust: false))
        #expect(legacy.statuses.last?.explanation == "legacy timestamp cert trusted: Test TSA")
    }

    @Test func v2TokenWithoutAnchorsIsValidatedButUntrusted() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([])))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.untrusted"])
        #expect(result.statuses.map(\.list) == [.success, .informational])
        #expect(result.statuses[1].explanation == "timestamp cert untrusted: Test TSA")
        #expect(result.attestedTime == nil)
        #expect(result.genTime != nil)
    }

    @Test func v1ResponseOverClaimValidates() throws {
        var options = TestTSA.Options()
        options.responseStatus = 0
        let token = tsa.token(over: cose.imprinted(.v1), options)
        let result = try #require(cose.validate(header("sigTst", [token]), trust: .skip))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.trusted"])
        #expect(result.version == .v1)
    }

    @Test func v2ImprintUnderSigTstHeaderIsMismatch() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        let result = try #require(cose.validate(header("sigTst", [token]), trust: .skip))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.mismatch", explanation: "timestamp message digest did not match: Test TSA",
                    list: .informational)
            ])
    }

    @Test func changedCOSESignatureIsMismatch() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        var other = cose
        other.signature[0] ^= 0xFF
        let result = try #require(other.validate(header("sigTst2", [token]), trust: .anchors([tsa.rootDER])))
        #expect(result.statuses.map(\.code) == ["timeStamp.mismatch"])
        #expect(result.attestedTime == nil)
    }

    @Test func sha384ImprintIsAccepted() throws {
        var options = TestTSA.Options()
        options.hashOID = "2.16.840.1.101.3.4.2.2"
        let token = tsa.token(over: cose.imprinted(.v2), options)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .skip))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.trusted"])
    }

    @Test func unknownImprintAlgorithmIsUntrusted() throws {
        var options = TestTSA.Options()
        options.hashOID = "1.2.3.4.99"
        let token = tsa.token(over: cose.imprinted(.v2), options)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .skip))
        #expect(result.statuses.map(\.explanation) == ["timestamp unknown message digest algorithm"])
        #expect(result.statuses.map(\.code) == ["timeStamp.untrusted"])
    }

    @Test func badCMSSignatureIsUntrustedLikeC2paRs() throws {
        var options = TestTSA.Options()
        options.corruptSignature = true
        let token = tsa.token(over: cose.imprinted(.v2), options)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .skip))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.untrusted", explanation: "timestamp signed data did not match signature",
                    list: .informational)
            ])
    }

    @Test func badSignedMessageDigestIsMismatch() throws {
        var options = TestTSA.Options()
        options.corruptMessageDigest = true
        let token = tsa.token(over: cose.imprinted(.v2), options)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .skip))
        #expect(result.statuses.map(\.code) == ["timeStamp.mismatch"])
        #expect(result.statuses.map(\.explanation) == ["timestamp bad message digest"])
    }

    @Test func genTimeOutsideTSACertificateValidityIsOutsideValidity() throws {
        var options = TestTSA.Options()
        options.genTime = Date(timeIntervalSince1970: 1_950_000_000)  // after the TSA leaf expires
        let token = tsa.token(over: cose.imprinted(.v2), options)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([tsa.rootDER])))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.outsideValidity", explanation: "timestamp signer outside of certificate validity",
                    list: .informational)
            ])
        #expect(result.genTime == Date(timeIntervalSince1970: 1_950_000_000))
        #expect(result.attestedTime == nil)
    }

    @Test func tsaLeafWithoutTimeStampingEKUIsUntrusted() throws {
        let codeSigner = TestTSA(timeStampingEKU: false)
        let token = codeSigner.token(over: cose.imprinted(.v2))
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([codeSigner.rootDER])))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.untrusted"])
    }

    @Test func anchorOfAnotherTSAIsUntrusted() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([TestTSA().rootDER])))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.untrusted"])
    }

    @Test func customEvaluatorReceivesLeafFirstChainAndAttestedTime() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        let expectedChain = [tsa.tsaDER, tsa.rootDER]
        let result = try #require(
            cose.validate(
                header("sigTst2", [token]),
                trust: .custom { chain, time in
                    let ok = chain == expectedChain && time == Date(timeIntervalSince1970: 1_750_000_000)
                    return TSATrustOutcome(
                        trusted: ok, trustListName: "tsa_list",
                        extraStatuses: [
                            TimestampStatus(code: "signingCredential.invalid", explanation: "x", list: .failure)
                        ])
                }))
        #expect(
            result.statuses.map(\.code) == ["timeStamp.validated", "signingCredential.invalid", "timeStamp.trusted"])
        #expect(result.statuses[1].isFailure)
        #expect(result.statuses[2].explanation == "timestamp cert trusted: Test TSA, trust list: tsa_list")
    }

    @Test func rejectedResponseStatusIsMalformed() throws {
        var options = TestTSA.Options()
        options.responseStatus = 2
        let token = tsa.token(over: cose.imprinted(.v1), options)
        let result = try #require(cose.validate(header("sigTst", [token]), trust: .skip))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.malformed", explanation: "could not parse timestamp data", list: .informational)
            ])
        #expect(throws: TimestampError.self) { try TimeStampToken(derEncoded: token) }
        do {
            _ = try TimeStampToken(derEncoded: token)
        } catch {
            #expect(error.code == .statusNotGranted)
        }
    }

    @Test func tokenWithoutCertificatesIsUntrusted() throws {
        var options = TestTSA.Options()
        options.includeCertificates = false
        let token = tsa.token(over: cose.imprinted(.v2), options)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .skip))
        #expect(result.statuses.map(\.code) == ["timeStamp.untrusted"])
        #expect(result.statuses.map(\.explanation) == ["could not parse timestamp data"])
    }

    @Test func twoTokensAreMalformed() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        let result = try #require(cose.validate(header("sigTst2", [token, token]), trust: .skip))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.malformed",
                    explanation: "only a single timestamp response is allowed in a manifest",
                    list: .informational)
            ])
    }

    @Test func noTimestampHeaderGivesNil() {
        #expect(cose.validate([.init(.textString("pad"), .byteString([0]))], trust: .skip) == nil)
        #expect(cose.validate([], trust: .skip) == nil)
    }

    @Test func firstTimestampHeaderInOrderIsUsed() throws {
        let v2 = tsa.token(over: cose.imprinted(.v2))
        let result = try #require(
            cose.validate(
                header("sigTst2", [v2], pad: false) + header("sigTst", [[0x30, 0x00]], pad: false), trust: .skip))
        #expect(result.version == .v2)
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.trusted"])
    }

    @Test func malformedContainersAreMalformed() throws {
        let bad: [CBOR] = [
            .byteString([1]),
            .map([]),
            .map([.init(.textString("tstTokens"), .map([]))]),
            .map([.init(.textString("tstTokens"), .array([]))]),
            .map([.init(.textString("tstTokens"), .array([.map([.init(.textString("val"), .textString("x"))])]))]),
        ]
        for value in bad {
            let result = try #require(cose.validate([.init(.textString("sigTst2"), value)], trust: .skip))
            #expect(result.statuses.map(\.code) == ["timeStamp.malformed"], "\(value)")
        }
    }

    @Test func everyStrictPrefixAndTrailingBytesAreMalformed() throws {
        let token = tsa.token(over: cose.imprinted(.v2))
        for length in 0..<token.count {
            let result = cose.validate(header("sigTst2", [Array(token[..<length])]), trust: .skip)
            #expect(result?.statuses.map(\.code) == ["timeStamp.malformed"], "prefix \(length)")
            #expect(throws: TimestampError.self) { try TimeStampToken(derEncoded: Array(token[..<length])) }
        }
        let trailing = cose.validate(header("sigTst2", [token + [0]]), trust: .skip)
        #expect(trailing?.statuses.map(\.code) == ["timeStamp.malformed"])
    }

    @Test func oversizedLengthsAndDeepNestingAreMalformed() throws {
        var deep: [UInt8] = [0x05, 0x00]
        for _ in 0..<200 { deep = TDER.seq(deep) }
        let inputs: [[UInt8]] = [
            [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x30, 0x88, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00],
            [0x30, 0x80, 0x00, 0x00],  // BER indefinite length
            deep,
        ]
        for input in inputs {
            let result = cose.validate(header("sigTst2", [input]), trust: .skip)
            #expect(result?.statuses.map(\.code) == ["timeStamp.malformed"])
            do {
                _ = try TimeStampToken(derEncoded: input)
                Issue.record("parsed \(input.prefix(8))")
            } catch {
                #expect(error.code == .malformedDER || error.code == .unexpectedStructure)
            }
        }
    }

    @Test func parsedTokenExposesImprintAndGenTime() throws {
        let imprinted = cose.imprinted(.v2)
        let token = try TimeStampToken(derEncoded: tsa.token(over: imprinted))
        #expect(token.responseStatus == nil)
        #expect(token.imprintAlgorithm == "2.16.840.1.101.3.4.2.1")
        #expect(token.imprintDigest == Array(SHA256.hash(data: imprinted)))
        #expect(token.genTime == Date(timeIntervalSince1970: 1_750_000_000))
        #expect(token.signers.count == 1)
        #expect(token.certificates?.count == 2)
        #expect(token.serialNumber == [7])
    }
}
