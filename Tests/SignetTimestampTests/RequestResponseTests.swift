import Crypto
import Foundation
import SignetTimestamp
import SwiftASN1
import Testing
import X509

/// The error code a throwing parse ends with, nil when it succeeds.
/// The code of the ``TimestampError`` a throwing call ends with; nil when it succeeds (or, recorded as an issue,
/// when it throws another error type).
func parseErrorCode(_ body: () throws -> Void) -> TimestampError.Code? {
    do {
        try body()
        return nil
    } catch let error as TimestampError {
        return error.code
    } catch {
        Issue.record("not a TimestampError: \(error)")
        return nil
    }
}

@Suite struct RequestTests {
    static let imprint = TimeStampMessageImprint(hashAlgorithm: .sha256, hashedMessage: Array(0..<32))

    /// A request with every optional field present.
    static let full = TimeStampRequest(
        messageImprint: TimeStampMessageImprint(
            hashAlgorithm: .sha512, hashedMessage: Array(repeating: 0xEE, count: 64), hasNullParameters: true),
        policy: [1, 3, 6, 1, 4, 1, 99_999, 3161, 1], nonce: TimeStampInteger(magnitude: [0x80, 0, 0, 0, 0, 0, 0, 1]),
        certificateRequested: true,
        extensions: [
            Certificate.Extension(oid: [1, 2, 3, 4], critical: true, value: [0x05, 0x00]),
            Certificate.Extension(oid: [1, 2, 3, 5], critical: false, value: [0x04, 0x01, 0x07]),
        ])

    @Test func minimalRequestEncodesAsExpectedDER() {
        let request = TimeStampRequest(messageImprint: Self.imprint)
        #expect(
            request.derEncoded
                == TDER.seq(
                    TDER.int(1), TDER.seq(TDER.algorithm("2.16.840.1.101.3.4.2.1"), TDER.octets(Array(0..<32)))))
    }

    @Test func fullRequestEncodesFieldsInGrammarOrder() {
        let expected = TDER.seq(
            TDER.int(1),
            TDER.seq(
                TDER.seq(TDER.oid("2.16.840.1.101.3.4.2.3"), [0x05, 0x00]),
                TDER.octets(Array(repeating: 0xEE, count: 64))),
            TDER.oid("1.3.6.1.4.1.99999.3161.1"),
            TDER.tlv(0x02, [0x00, 0x80, 0, 0, 0, 0, 0, 0, 1]),
            [0x01, 0x01, 0xFF],
            TDER.tlv(
                0xA0,
                TDER.seq(TDER.oid("1.2.3.4"), [0x01, 0x01, 0xFF], TDER.octets([0x05, 0x00]))
                    + TDER.seq(TDER.oid("1.2.3.5"), TDER.octets([0x04, 0x01, 0x07]))))
        #expect(Self.full.derEncoded == expected)
    }

    @Test func requestsRoundTripThroughDER() throws {
        let requests = [
            TimeStampRequest(messageImprint: Self.imprint),
            TimeStampRequest(messageImprint: Self.imprint, nonce: TimeStampInteger(0)),
            TimeStampRequest(messageImprint: Self.imprint, certificateRequested: true),
            TimeStampRequest(messageImprint: Self.imprint, policy: [2, 999, 1]),
            TimeStampRequest(messageImprint: Self.imprint, nonce: try TimeStampInteger(contentOctets: [0xFF, 0x01])),
            TimeStampRequest(messageImprint: Self.imprint, version: 2),
            Self.full,
        ]
        for request in requests {
            let der = request.derEncoded
            let parsed = try TimeStampRequest(derEncoded: der)
            #expect(parsed == request)
            #expect(parsed.derEncoded == der)
        }
    }

    @Test func imprintByHashingMatchesCryptoDigests() throws {
        let data = Array("to be time-stamped".utf8)
        #expect(try TimeStampMessageImprint(hashing: data).hashedMessage == Array(SHA256.hash(data: data)))
        #expect(
            try TimeStampMessageImprint(hashing: data, with: .sha384).hashedMessage == Array(SHA384.hash(data: data)))
        #expect(
            parseErrorCode { _ = try TimeStampMessageImprint(hashing: data, with: .init(oid: [1, 2, 3])) }
                == .unsupportedAlgorithm)
    }

    @Test func everyStrictPrefixOfARequestThrowsATypedError() throws {
        for request in [TimeStampRequest(messageImprint: Self.imprint), Self.full] {
            let der = request.derEncoded
            for length in 0..<der.count {
                let code = parseErrorCode { _ = try TimeStampRequest(derEncoded: Array(der[..<length])) }
                #expect(
                    code == .malformedDER || code == .unexpectedStructure,
                    "prefix \(length): \(String(describing: code))")
            }
        }
    }

    @Test func trailingBytesAreRejected() {
        let der = Self.full.derEncoded
        #expect(parseErrorCode { _ = try TimeStampRequest(derEncoded: der + [0x00]) } == .malformedDER)
        #expect(parseErrorCode { _ = try TimeStampRequest(derEncoded: der + der) } == .malformedDER)
    }

    @Test func nonDERAndMisorderedRequestsAreRejectedWithTheirCodes() {
        let imprint = TDER.seq(TDER.algorithm("2.16.840.1.101.3.4.2.1"), TDER.octets(Array(repeating: 1, count: 32)))
        let cases: [(String, [UInt8], TimestampError.Code)] = [
            ("explicit certReq FALSE", TDER.seq(TDER.int(1), imprint, [0x01, 0x01, 0x00]), .malformedDER),
            ("BOOLEAN TRUE as 0x01", TDER.seq(TDER.int(1), imprint, [0x01, 0x01, 0x01]), .malformedDER),
            ("non-minimal nonce", TDER.seq(TDER.int(1), imprint, [0x02, 0x02, 0x00, 0x05]), .malformedDER),
            ("non-minimal version", TDER.seq([0x02, 0x02, 0x00, 0x01], imprint), .malformedDER),
            (
                "version of 9 octets", TDER.seq(TDER.tlv(0x02, [0x01] + Array(repeating: 0, count: 8)), imprint),
                .limitExceeded
            ),
            (
                "nonce before policy", TDER.seq(TDER.int(1), imprint, TDER.int(5), TDER.oid("1.2.3")),
                .unexpectedStructure
            ),
            (
                "certReq before nonce", TDER.seq(TDER.int(1), imprint, [0x01, 0x01, 0xFF], TDER.int(5)),
                .unexpectedStructure
            ),
            ("empty extensions", TDER.seq(TDER.int(1), imprint, [0xA0, 0x00]), .unexpectedStructure),
            (
                "extension with critical FALSE",
                TDER.seq(
                    TDER.int(1), imprint,
                    TDER.tlv(0xA0, TDER.seq(TDER.oid("1.2.3"), [0x01, 0x01, 0x00], TDER.octets([])))),
                .malformedDER
            ),
            ("missing imprint", TDER.seq(TDER.int(1)), .unexpectedStructure),
            ("imprint not a SEQUENCE", TDER.seq(TDER.int(1), TDER.octets([1])), .unexpectedStructure),
            (
                "hash parameters not NULL",
                TDER.seq(
                    TDER.int(1), TDER.seq(TDER.seq(TDER.oid("2.16.840.1.101.3.4.2.1"), TDER.int(0)), TDER.octets([1]))),
                .unexpectedStructure
            ),
            ("SET instead of SEQUENCE", TDER.set(TDER.int(1), imprint), .unexpectedStructure),
            ("indefinite length", [0x30, 0x80] + TDER.int(1) + imprint + [0x00, 0x00], .malformedDER),
            ("unknown trailing field", TDER.seq(TDER.int(1), imprint, TDER.octets([1])), .unexpectedStructure),
            (
                "nonce of 65 octets",
                TDER.seq(TDER.int(1), imprint, TDER.tlv(0x02, [0x01] + Array(repeating: 0, count: 64))), .limitExceeded
            ),
            (
                "hash of 129 octets",
                TDER.seq(
                    TDER.int(1),
                    TDER.seq(TDER.algorithm("2.16.840.1.101.3.4.2.1"), TDER.octets(Array(repeating: 1, count: 129)))),
                .limitExceeded
            ),
            (
                "over 64 KiB", TDER.seq(TDER.int(1), imprint, TDER.octets(Array(repeating: 0, count: 65_536))),
                .limitExceeded
            ),
            ("oversized length", [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], .malformedDER),
        ]
        for (name, bytes, expected) in cases {
            #expect(parseErrorCode { _ = try TimeStampRequest(derEncoded: bytes) } == expected, "\(name)")
        }
    }

    @Test func parsedRequestKeepsWhetherHashParametersWereNULL() throws {
        let withNull = TDER.seq(
            TDER.int(1),
            TDER.seq(
                TDER.seq(TDER.oid("2.16.840.1.101.3.4.2.1"), [0x05, 0x00]), TDER.octets(Array(repeating: 2, count: 32)))
        )
        let parsed = try TimeStampRequest(derEncoded: withNull)
        #expect(parsed.messageImprint.hasNullParameters)
        #expect(parsed.messageImprint.hashAlgorithm == .sha256)
        #expect(parsed.derEncoded == withNull)
    }
}

@Suite struct ResponseTests {
    @Test func rejectionEncodesStatusStringAndNamedBitFailInfo() {
        let response = TimeStampResponse.rejection(.badAlg, reason: "no")
        #expect(
            response.derEncoded
                == TDER.seq(
                    TDER.seq(TDER.int(2), TDER.seq(TDER.tlv(0x0C, Array("no".utf8))), [0x03, 0x02, 0x07, 0x80])))
        // badDataFormat is bit 5: 6 bits used, 2 unused.
        #expect(
            TimeStampResponse.rejection(.badDataFormat, reason: "x").derEncoded.suffix(4) == [0x03, 0x02, 0x02, 0x04])
        // unacceptedPolicy is bit 15, systemFailure bit 25.
        #expect(
            TimeStampResponse.rejection(.unacceptedPolicy, reason: "x").derEncoded.suffix(5) == [
                0x03, 0x03, 0x00, 0x00, 0x01,
            ])
        #expect(
            TimeStampResponse.rejection(.systemFailure, reason: "x").derEncoded.suffix(7)
                == [0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40])
    }

    @Test func responsesRoundTripThroughDER() throws {
        let pki = try TSAPKI()
        let token = try pki.authority().token(imprint: Array(repeating: 1, count: 32), at: issueTime)
        let responses: [TimeStampResponse] = [
            .granted(token: token),
            TimeStampResponse(status: .grantedWithMods, statusStrings: ["a", "b"], timeStampToken: token),
            .rejection([.badAlg, .badDataFormat, .unacceptedExtension], reason: "several"),
            TimeStampResponse(status: .waiting, timeStampToken: nil),
            TimeStampResponse(
                status: .rejection, statusStrings: ["ünïcode ✓"], failureInfo: .addInfoNotAvailable, timeStampToken: nil
            ),
        ]
        for response in responses {
            let parsed = try TimeStampResponse(derEncoded: response.derEncoded)
            #expect(parsed == response)
            #expect(parsed.derEncoded == response.derEncoded)
        }
        #expect(try TimeStampResponse(derEncoded: TimeStampResponse.granted(token: token).derEncoded).isGranted)
    }

    @Test func everyStrictPrefixOfAResponseThrowsATypedError() throws {
        let pki = try TSAPKI()
        let token = try pki.authority().token(imprint: Array(repeating: 1, count: 32), at: issueTime)
        for response in [TimeStampResponse.granted(token: token), .rejection(.systemFailure, reason: "down")] {
            let der = response.derEncoded
            for length in 0..<der.count {
                let code = parseErrorCode { _ = try TimeStampResponse(derEncoded: Array(der[..<length])) }
                #expect(code == .malformedDER || code == .unexpectedStructure, "prefix \(length)")
            }
            #expect(parseErrorCode { _ = try TimeStampResponse(derEncoded: der + [0]) } == .malformedDER)
        }
    }

    @Test func tokenPresenceMustMatchStatus() throws {
        let pki = try TSAPKI()
        let token = try pki.authority().token(imprint: Array(repeating: 1, count: 32), at: issueTime)
        #expect(
            parseErrorCode { _ = try TimeStampResponse(derEncoded: TDER.seq(TDER.seq(TDER.int(0)))) } == .missingToken)
        #expect(
            parseErrorCode { _ = try TimeStampResponse(derEncoded: TDER.seq(TDER.seq(TDER.int(2)), token)) }
                == .unexpectedStructure)
        #expect(
            parseErrorCode {
                _ = try TimeStampResponse(derEncoded: TDER.seq(TDER.seq(TDER.int(0)), TDER.seq(TDER.int(1))))
            }
                == .unexpectedStructure)
    }

    @Test func nonDERFailInfoIsRejected() {
        let cases: [[UInt8]] = [
            [0x03, 0x02, 0x06, 0x80],  // 6 unused bits declared, so the last used bit (1) is a trailing zero
            [0x03, 0x02, 0x00, 0x80],  // trailing zero bits not removed
            [0x03, 0x02, 0x08, 0x80],  // unused count over 7
            [0x03, 0x01, 0x01],  // unused bits in an empty string
        ]
        for failInfo in cases {
            let bytes = TDER.seq(TDER.seq(TDER.int(2), failInfo))
            #expect(parseErrorCode { _ = try TimeStampResponse(derEncoded: bytes) } == .malformedDER, "\(failInfo)")
        }
    }

    @Test func failureInfoAndStatusDescribeThemselvesWithRFCNames() {
        #expect(TimeStampResponse.FailureInfo([.badAlg, .systemFailure]).description == "badAlg, systemFailure")
        #expect(TimeStampResponse.Status.rejection.description == "rejection")
        #expect(TimeStampResponse.Status(rawValue: 9).description == "status(9)")
    }
}

@Suite struct TimeStampIntegerTests {
    @Test func magnitudesBecomeMinimalTwosComplement() throws {
        #expect(TimeStampInteger(0).contentOctets == [0])
        #expect(TimeStampInteger(127).contentOctets == [0x7F])
        #expect(TimeStampInteger(128).contentOctets == [0x00, 0x80])
        #expect(TimeStampInteger(magnitude: [0, 0, 1, 2]).contentOctets == [1, 2])
        #expect(TimeStampInteger(UInt64.max).contentOctets == [0] + Array(repeating: 0xFF, count: 8))
        #expect(TimeStampInteger(UInt64.max).uint64Value == .max)
        #expect(try TimeStampInteger(contentOctets: [0xFF, 0x01]).isNegative)
        #expect(try TimeStampInteger(contentOctets: [0xFF, 0x01]).magnitude == [0xFF])
        #expect(try TimeStampInteger(contentOctets: [0x80]).description == "-0x80")
    }

    @Test func nonMinimalOrEmptyContentIsRejected() {
        for octets: [UInt8] in [[], [0x00, 0x01], [0xFF, 0x80]] {
            #expect(parseErrorCode { _ = try TimeStampInteger(contentOctets: octets) } == .malformedDER)
        }
    }

    @Test func descriptionIsOpenSSLStyleHex() {
        #expect(TimeStampInteger(0).description == "0x0")
        #expect(TimeStampInteger(0x0A0B).description == "0x0A0B")
        #expect(TimeStampInteger(255).description == "0xFF")
    }

    @Test func randomValuesArePositiveAndBounded() {
        for _ in 0..<100 {
            let value = TimeStampInteger.random()
            #expect(value.isPositive)
            #expect(value.contentOctets.count <= 16)
        }
    }
}

@Suite struct TokenInfoTests {
    @Test func everyStrictPrefixOfAnIssuedTSTInfoThrowsATypedError() throws {
        var authority = try TSAPKI().authority()
        authority.accuracy = try TimeStampAccuracy(seconds: 2, millis: 1, micros: 999)
        authority.includesTSAName = true
        authority.timePrecision = .milliseconds
        let token = try authority.token(
            imprint: Array(repeating: 4, count: 32), nonce: TimeStampInteger(77), at: issueTime.addingTimeInterval(0.5))
        let tst = try TimeStampToken(derEncoded: token).encapsulatedContent
        let info = try TimeStampTokenInfo(derEncoded: tst)
        #expect(info.accuracy == (try TimeStampAccuracy(seconds: 2, millis: 1, micros: 999)))
        #expect(info.nonce == TimeStampInteger(77))
        for length in 0..<tst.count {
            let code = parseErrorCode { _ = try TimeStampTokenInfo(derEncoded: Array(tst[..<length])) }
            #expect(code == .malformedDER || code == .unexpectedStructure, "prefix \(length)")
        }
    }

    @Test func accuracyOutOfRangeIsInvalidArgument() {
        #expect(parseErrorCode { _ = try TimeStampAccuracy(millis: 0) } == .invalidArgument)
        #expect(parseErrorCode { _ = try TimeStampAccuracy(micros: 1000) } == .invalidArgument)
        #expect(parseErrorCode { _ = try TimeStampAccuracy(seconds: -1) } == .invalidArgument)
    }
}
