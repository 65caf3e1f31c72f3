import Crypto
import Foundation
import SignetCBOR
import SignetTimestamp
import SwiftASN1
import Testing
import X509

/// The TSTInfo inside a DER token.
func tokenInfo(_ token: [UInt8]) throws -> TimeStampTokenInfo {
    try TimeStampTokenInfo(derEncoded: try TimeStampToken(derEncoded: token).encapsulatedContent)
}

@Suite struct AuthorityTests {
    let pki: TSAPKI
    let cose = FakeSignature()

    init() throws { pki = try TSAPKI() }

    // MARK: - Tokens verify with the module's own validator

    @Test func sigTst2TokenFromAuthorityIsValidatedAndTrustedThroughIntermediate() throws {
        let authority = try pki.authority()
        let imprint = Array(SHA256.hash(data: cose.imprinted(.v2)))
        let token = try authority.token(imprint: imprint, at: issueTime)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([pki.rootDER])))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.validated", explanation: "timestamp message digest matched: Signet Test TSA",
                    list: .success),
                TimestampStatus(
                    code: "timeStamp.trusted",
                    explanation: "timestamp cert trusted: Signet Test TSA, trust list: system_anchors", list: .success),
            ])
        #expect(result.genTime == issueTime)
        #expect(result.attestedTime == issueTime)
        #expect(result.tsaChainDER == [pki.tsaDER, pki.intermediateDER])
    }

    @Test(arguments: TSAPKI.KeyKind.allCases)
    func everyKeyTypeIssuesTokensTheValidatorAccepts(kind: TSAPKI.KeyKind) throws {
        let pki = try TSAPKI(kind)
        let authority = try pki.authority()
        let token = try authority.token(imprint: Array(SHA256.hash(data: cose.imprinted(.v2))), at: issueTime)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([pki.rootDER])))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.trusted"], "\(kind)")
        let signer = try #require(try TimeStampToken(derEncoded: token).signers.first)
        let expected: [TSAPKI.KeyKind: (String, String)] = [
            .p256: ("2.16.840.1.101.3.4.2.1", "1.2.840.10045.4.3.2"),
            .p384: ("2.16.840.1.101.3.4.2.2", "1.2.840.10045.4.3.3"),
            .p521: ("2.16.840.1.101.3.4.2.3", "1.2.840.10045.4.3.4"),
            .rsa: ("2.16.840.1.101.3.4.2.1", "1.2.840.113549.1.1.11"),
            .ed25519: ("2.16.840.1.101.3.4.2.3", "1.3.101.112"),
        ]
        #expect(signer.digestAlgorithm == expected[kind]?.0)
        #expect(signer.signatureAlgorithm == expected[kind]?.1)
        #expect(authority.signatureDigestAlgorithm.oid.description == expected[kind]?.0)
    }

    @Test func sigTstResponseFromIssueValidatesUnderV1Header() throws {
        let authority = try pki.authority()
        let request = TimeStampRequest(
            messageImprint: try TimeStampMessageImprint(hashing: cose.imprinted(.v1)), certificateRequested: true)
        let response = authority.issue(request: request, at: issueTime)
        #expect(response.status == .granted)
        let result = try #require(
            cose.validate(header("sigTst", [response.derEncoded]), trust: .anchors([pki.rootDER])))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.trusted"])
        #expect(result.version == .v1)
    }

    @Test func tokenOverOtherBytesIsMismatchInValidator() throws {
        let token = try pki.authority().token(imprint: Array(SHA256.hash(data: [1, 2, 3])), at: issueTime)
        let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([pki.rootDER])))
        #expect(result.statuses.map(\.code) == ["timeStamp.mismatch"])
    }

    @Test func sha384AndSha512ImprintsAreIssuedAndValidate() throws {
        let authority = try pki.authority()
        for algorithm in [TimeStampHashAlgorithm.sha384, .sha512] {
            let imprint = try #require(algorithm.digest(cose.imprinted(.v2)))
            let token = try authority.token(imprint: imprint, hashAlgorithm: algorithm, at: issueTime)
            let result = try #require(cose.validate(header("sigTst2", [token]), trust: .anchors([pki.rootDER])))
            #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.trusted"], "\(algorithm)")
            #expect(try tokenInfo(token).messageImprint.hashAlgorithm == algorithm)
        }
    }

    // MARK: - What the token says

    @Test func tstInfoCarriesPolicyImprintSerialGenTimeAndEchoedNonce() throws {
        let authority = try pki.authority(serialNumbers: .sequential(startingAt: 41))
        let nonce = TimeStampInteger(magnitude: [0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0x01])
        let imprint = TimeStampMessageImprint(
            hashAlgorithm: .sha256, hashedMessage: Array(repeating: 0xAB, count: 32), hasNullParameters: true)
        let response = authority.issue(
            request: TimeStampRequest(
                messageImprint: imprint, policy: TSAPKI.policy, nonce: nonce, certificateRequested: true),
            at: issueTime)
        let token = try #require(response.timeStampToken)
        let info = try tokenInfo(token)
        #expect(info.version == 1)
        #expect(info.policy == TSAPKI.policy)
        #expect(info.messageImprint == imprint)  // copied as requested, NULL parameters included
        #expect(info.serialNumber == TimeStampInteger(41))
        #expect(info.genTime == issueTime)
        #expect(info.nonce == nonce)
        #expect(info.ordering == false)
        #expect(info.accuracy == nil)
        #expect(info.tsaName == nil)
        #expect(info.extensions.isEmpty)
        let parsed = try TimeStampToken(derEncoded: token)
        #expect(parsed.serialNumber == [41])
        #expect(parsed.certificates?.compactMap { $0 } == [pki.tsaDER, pki.intermediateDER])
    }

    @Test func signedAttributesHaveContentTypeMessageDigestSigningTimeAndSigningCertificateV2() throws {
        let token = try pki.authority().token(imprint: Array(repeating: 7, count: 32), at: issueTime)
        let parsed = try TimeStampToken(derEncoded: token)
        let signer = try #require(parsed.signers.first)
        #expect(parsed.signers.count == 1)
        // DER SET OF order compares whole encodings, so the length octet ranks signingTime (30 1C) before
        // messageDigest (30 2F); OpenSSL re-encodes the set to verify, so any other order would fail there.
        #expect(
            signer.signedAttributes.map(\.type) == [
                "1.2.840.113549.1.9.3", "1.2.840.113549.1.9.5", "1.2.840.113549.1.9.4", "1.2.840.113549.1.9.16.2.47",
            ])
        #expect(signer.attributeValues("1.2.840.113549.1.9.3") == [DERBytes.oid("1.2.840.113549.1.9.16.1.4")])
        #expect(
            signer.attributeValues("1.2.840.113549.1.9.4")
                == [[0x04, 0x20] + Array(SHA256.hash(data: parsed.encapsulatedContent))])
        #expect(signer.attributeValues("1.2.840.113549.1.9.5") == [Array("\u{17}\u{0D}250615150640Z".utf8)])
        // SigningCertificateV2 { certs { ESSCertIDv2 { certHash, issuerSerial { { [4] issuer }, serial } } } }
        let value = try #require(signer.attributeValues("1.2.840.113549.1.9.16.2.47")?.first)
        let signingCertificate = try DER.parse(value)
        guard case .constructed(let certs) = signingCertificate.content, let certsNode = Array(certs).first,
            case .constructed(let ids) = certsNode.content, let id = Array(ids).first,
            case .constructed(let idFields) = id.content
        else {
            Issue.record("SigningCertificateV2 shape")
            return
        }
        #expect(Array(certs).count == 1)  // no policies
        #expect(Array(ids).count == 1)  // the TSA certificate only
        let fields = Array(idFields)
        #expect(fields.count == 2)  // hashAlgorithm omitted: the DEFAULT sha256
        #expect(fields[0].identifier == .octetString)
        #expect(Array(fields[0].encodedBytes.dropFirst(2)) == Array(SHA256.hash(data: pki.tsaDER)))
        // Certificate.SerialNumber.bytes is the magnitude; the INTEGER needs a 0x00 when its top bit is set.
        let serialContent = TimeStampInteger(magnitude: Array(pki.tsa.serialNumber.bytes)).contentOctets
        let expectedIssuerSerial = TDER.seq(
            TDER.seq(TDER.encode(GeneralName.directoryName(pki.tsa.issuer))),
            TDER.tlv(0x02, serialContent))
        #expect(Array(fields[1].encodedBytes) == expectedIssuerSerial)
        guard case .issuerAndSerialNumber(let issuerDER, let serial) = signer.identifier else {
            Issue.record("sid is not issuerAndSerialNumber")
            return
        }
        #expect(issuerDER == TDER.encode(pki.tsa.issuer))
        #expect(serial == serialContent)
    }

    @Test func signedDataIsVersion3WithOneDigestAlgorithm() throws {
        let token = try pki.authority().token(imprint: Array(repeating: 7, count: 32), at: issueTime)
        let contentInfo = try DER.parse(token)
        guard case .constructed(let ci) = contentInfo.content, let explicit = Array(ci).last,
            case .constructed(let wrapped) = explicit.content, let signedData = Array(wrapped).first,
            case .constructed(let fields) = signedData.content
        else {
            Issue.record("ContentInfo shape")
            return
        }
        let sd = Array(fields)
        #expect(try Int(derEncoded: sd[0]) == 3)
        #expect(Array(sd[1].encodedBytes) == TDER.set(TDER.algorithm("2.16.840.1.101.3.4.2.1")))
        #expect(sd.count == 5)  // version, digestAlgorithms, encapContentInfo, certificates, signerInfos
    }

    @Test func certificatesAreLeftOutUnlessRequested() throws {
        let authority = try pki.authority()
        let imprint = TimeStampMessageImprint(hashAlgorithm: .sha256, hashedMessage: Array(repeating: 1, count: 32))
        let without = authority.issue(request: TimeStampRequest(messageImprint: imprint), at: issueTime)
        let with = authority.issue(
            request: TimeStampRequest(messageImprint: imprint, certificateRequested: true), at: issueTime)
        #expect(try TimeStampToken(derEncoded: #require(without.timeStampToken)).certificates == nil)
        #expect(try TimeStampToken(derEncoded: #require(with.timeStampToken)).certificates?.count == 2)
        // Without certificates the validator cannot find the signer: untrusted, as for any such token.
        let token = try #require(without.timeStampToken)
        let result = TimestampValidator.validate(
            unprotectedHeader: header("sigTst2", [token]), protectedHeaderBytes: [], payload: [], signature: [],
            trust: .skip)
        #expect(result?.statuses.map(\.code) == ["timeStamp.untrusted"])
    }

    @Test func serialNumbersAreUniqueAndPositive() throws {
        let random = try pki.authority()
        let sequential = try pki.authority(serialNumbers: .sequential(startingAt: 1))
        var seen: Set<TimeStampInteger> = []
        for _ in 0..<20 {
            let info = try tokenInfo(try random.token(imprint: Array(repeating: 3, count: 32), at: issueTime))
            #expect(info.serialNumber.isPositive)
            #expect(info.serialNumber.magnitude.count <= 20)
            seen.insert(info.serialNumber)
        }
        #expect(seen.count == 20)
        let serials = try (0..<5).map { _ in
            try tokenInfo(try sequential.token(imprint: Array(repeating: 3, count: 32), at: issueTime)).serialNumber
        }
        #expect(serials == (1...5).map { TimeStampInteger(UInt64($0)) })
    }

    @Test func fractionalGenTimeAccuracyAndTSANameAreWrittenWhenConfigured() throws {
        var authority = try pki.authority()
        authority.timePrecision = .milliseconds
        authority.accuracy = try TimeStampAccuracy(seconds: 1, millis: 500)
        authority.includesTSAName = true
        let time = Date(timeIntervalSince1970: 1_750_000_000.25)
        let token = try authority.token(imprint: Array(repeating: 9, count: 32), at: time)
        let info = try tokenInfo(token)
        #expect(info.genTime == time)
        #expect(info.accuracy == (try TimeStampAccuracy(seconds: 1, millis: 500)))
        #expect(info.tsaName == .directoryName(pki.tsa.subject))
        // "20250615150640.25Z": trailing zeros dropped.
        let encapsulated = try TimeStampToken(derEncoded: token).encapsulatedContent
        #expect(encapsulated.firstRange(of: Array("20250615150640.25Z".utf8)) != nil)
        // The signingTime attribute stays in whole seconds, and the validator attests it.
        let result = try #require(
            cose.validate(
                header(
                    "sigTst2", [try authority.token(imprint: Array(SHA256.hash(data: cose.imprinted(.v2))), at: time)]),
                trust: .anchors([pki.rootDER])))
        #expect(result.attestedTime == issueTime)
        #expect(result.genTime == time)
    }

    @Test func wholeSecondGenTimeTruncatesAndHasNoFraction() throws {
        let token = try pki.authority().token(
            imprint: Array(repeating: 9, count: 32), at: Date(timeIntervalSince1970: 1_750_000_000.999))
        #expect(try tokenInfo(token).genTime == issueTime)
        let encapsulated = try TimeStampToken(derEncoded: token).encapsulatedContent
        #expect(encapsulated.firstRange(of: Array("20250615150640Z".utf8)) != nil)
    }

    @Test func microsecondGenTimeKeepsSixDigits() throws {
        var authority = try pki.authority()
        authority.timePrecision = .microseconds
        let token = try authority.token(
            imprint: Array(repeating: 9, count: 32), at: Date(timeIntervalSince1970: 1_750_000_000.123456))
        let encapsulated = try TimeStampToken(derEncoded: token).encapsulatedContent
        #expect(encapsulated.firstRange(of: Array("20250615150640.123456Z".utf8)) != nil)
    }

    @Test func signingTimeOutsideUTCTimeYearsIsGeneralizedTime() throws {
        let late = try TSAPKI(tsaValidTo: Date(timeIntervalSince1970: 4_200_000_000))
        // The validator's chain check is not involved: only the TSA certificate's own validity matters to issue.
        let time = Date(timeIntervalSince1970: 2_600_000_000)  // 2052-05-24T...
        let token = try late.authority().token(imprint: Array(repeating: 9, count: 32), at: time)
        let signer = try #require(try TimeStampToken(derEncoded: token).signers.first)
        let value = try #require(signer.attributeValues("1.2.840.113549.1.9.5")?.first)
        #expect(value.first == 0x18)  // GeneralizedTime
        #expect(try tokenInfo(token).genTime == time)
    }

    // MARK: - Refusals

    @Test func unsupportedHashAlgorithmIsRejectedWithBadAlg() throws {
        let authority = try pki.authority()
        for algorithm in [TimeStampHashAlgorithm.sha1, TimeStampHashAlgorithm(oid: [1, 2, 3, 4])] {
            let request = TimeStampRequest(
                messageImprint: TimeStampMessageImprint(
                    hashAlgorithm: algorithm, hashedMessage: Array(repeating: 0, count: 20)))
            let response = authority.issue(request: request, at: issueTime)
            #expect(response.status == .rejection)
            #expect(response.failureInfo == .badAlg)
            #expect(response.timeStampToken == nil)
            #expect(response.statusStrings.count == 1)
        }
        var withSHA1 = authority
        withSHA1.acceptedHashAlgorithms.insert(.sha1)
        let sha1 = TimeStampRequest(messageImprint: try TimeStampMessageImprint(hashing: [1], with: .sha1))
        #expect(withSHA1.issue(request: sha1, at: issueTime).status == .granted)
    }

    @Test func wrongImprintLengthIsRejectedWithBadDataFormat() throws {
        let request = TimeStampRequest(
            messageImprint: TimeStampMessageImprint(
                hashAlgorithm: .sha256, hashedMessage: Array(repeating: 0, count: 31)))
        let response = try pki.authority().issue(request: request, at: issueTime)
        #expect(response.status == .rejection)
        #expect(response.failureInfo == .badDataFormat)
    }

    @Test func badVersionIsRejectedWithBadDataFormat() throws {
        let request = TimeStampRequest(
            messageImprint: TimeStampMessageImprint(
                hashAlgorithm: .sha256, hashedMessage: Array(repeating: 0, count: 32)),
            version: 2)
        let response = try pki.authority().issue(request: request, at: issueTime)
        #expect(response.status == .rejection)
        #expect(response.failureInfo == .badDataFormat)
        #expect(response.statusStrings == ["unsupported request version 2"])
    }

    @Test func otherPolicyIsRejectedWithUnacceptedPolicyAndSamePolicyIsGranted() throws {
        let authority = try pki.authority()
        let imprint = TimeStampMessageImprint(hashAlgorithm: .sha256, hashedMessage: Array(repeating: 0, count: 32))
        let other = authority.issue(
            request: TimeStampRequest(messageImprint: imprint, policy: [1, 2, 3]), at: issueTime)
        #expect(other.failureInfo == .unacceptedPolicy)
        let same = authority.issue(
            request: TimeStampRequest(messageImprint: imprint, policy: TSAPKI.policy), at: issueTime)
        #expect(same.status == .granted)
    }

    @Test func anyExtensionIsRejectedWithUnacceptedExtension() throws {
        let request = TimeStampRequest(
            messageImprint: TimeStampMessageImprint(
                hashAlgorithm: .sha256, hashedMessage: Array(repeating: 0, count: 32)),
            extensions: [Certificate.Extension(oid: [1, 2, 3, 9], critical: false, value: [0x05, 0x00])])
        let response = try pki.authority().issue(request: request, at: issueTime)
        #expect(response.failureInfo == .unacceptedExtension)
    }

    @Test func malformedRequestBytesGetBadDataFormatResponse() throws {
        let authority = try pki.authority()
        for bytes: [UInt8] in [[], [0x30, 0x00], [0x02, 0x01, 0x01], [0xFF]] {
            let response = authority.respond(to: bytes, at: issueTime)
            #expect(response.status == .rejection)
            #expect(response.failureInfo == .badDataFormat)
            // The rejection itself is well-formed DER that parses back.
            #expect(try TimeStampResponse(derEncoded: response.derEncoded) == response)
        }
    }

    @Test func rejectionIsMalformedForTheValidatorAndThrowsStatusNotGranted() throws {
        let response = try pki.authority().issue(
            request: TimeStampRequest(
                messageImprint: TimeStampMessageImprint(hashAlgorithm: .sha256, hashedMessage: [1])),
            at: issueTime)
        #expect(throws: TimestampError.self) { try TimeStampToken(derEncoded: response.derEncoded) }
        do {
            _ = try TimeStampToken(derEncoded: response.derEncoded)
        } catch {
            #expect(error.code == .statusNotGranted)
        }
        let result = cose.validate(header("sigTst", [response.derEncoded]), trust: .skip)
        #expect(result?.statuses.map(\.code) == ["timeStamp.malformed"])
    }

    @Test func convenienceTokenThrowsRequestRejectedForRefusedImprint() throws {
        let authority = try pki.authority()
        let error = #expect(throws: TimestampError.self) {
            try authority.token(imprint: [1, 2, 3], at: issueTime)
        }
        #expect(error?.code == .requestRejected)
        #expect(error?.reason.hasPrefix("badDataFormat:") == true)
    }

    @Test func timeOutsideTSACertificateValidityIsSystemFailure() throws {
        let authority = try pki.authority()
        let imprint = TimeStampMessageImprint(hashAlgorithm: .sha256, hashedMessage: Array(repeating: 0, count: 32))
        let response = authority.issue(
            request: TimeStampRequest(messageImprint: imprint), at: Date(timeIntervalSince1970: 2_100_000_000))
        #expect(response.status == .rejection)
        #expect(response.failureInfo == .systemFailure)
        let early = authority.issue(
            request: TimeStampRequest(messageImprint: imprint), at: Date(timeIntervalSince1970: 0))
        #expect(early.failureInfo == .systemFailure)
    }

    @Test func timeOutsideRepresentableYearsIsTimeNotAvailable() throws {
        let authority = try pki.authority()
        let imprint = TimeStampMessageImprint(hashAlgorithm: .sha256, hashedMessage: Array(repeating: 0, count: 32))
        for time in [
            Date(timeIntervalSince1970: 1e12), Date(timeIntervalSince1970: -70_000_000_000),
            Date(timeIntervalSince1970: .nan),
        ] {
            let response = authority.issue(request: TimeStampRequest(messageImprint: imprint), at: time)
            #expect(response.failureInfo == .timeNotAvailable, "\(time)")
        }
    }

    @Test func failingOrInvalidSerialSourceIsSystemFailure() throws {
        struct Broken: Error {}
        let imprint = TimeStampMessageImprint(hashAlgorithm: .sha256, hashedMessage: Array(repeating: 0, count: 32))
        let sources: [TimeStampSerialNumberSource] = [
            TimeStampSerialNumberSource { throw Broken() },
            TimeStampSerialNumberSource { TimeStampInteger(0) },
            TimeStampSerialNumberSource { try TimeStampInteger(contentOctets: [0xFF]) },
            TimeStampSerialNumberSource { TimeStampInteger(magnitude: Array(repeating: 0x11, count: 21)) },
            .sequential(startingAt: .max),
        ]
        for (index, source) in sources.enumerated() {
            let authority = try pki.authority(serialNumbers: source)
            var response = authority.issue(request: TimeStampRequest(messageImprint: imprint), at: issueTime)
            if index == sources.count - 1 {
                #expect(response.status == .granted)  // UInt64.max itself, then exhausted
                response = authority.issue(request: TimeStampRequest(messageImprint: imprint), at: issueTime)
            }
            #expect(response.failureInfo == .systemFailure, "source \(index)")
        }
    }

    // MARK: - Setting up an authority

    @Test func authorityRefusesEmptyChainMismatchedKeyAndCertificateWithoutCriticalTimeStampingEKU() throws {
        let code = parseErrorCode
        #expect(
            code { _ = try TimeStampAuthority(privateKey: pki.tsaKey, certificateChain: [], policy: TSAPKI.policy) }
                == .invalidArgument)
        #expect(
            code {
                _ = try TimeStampAuthority(
                    privateKey: .init(P256.Signing.PrivateKey()), certificateChain: [pki.tsa], policy: TSAPKI.policy)
            } == .keyMismatch)
        let extensionSets: [Certificate.Extensions] = [
            try Certificate.Extensions { Critical(KeyUsage(digitalSignature: true)) },
            try Certificate.Extensions { try ExtendedKeyUsage([.timeStamping]) },  // not critical
            try Certificate.Extensions { Critical(try ExtendedKeyUsage([.timeStamping, .codeSigning])) },
            try Certificate.Extensions { Critical(try ExtendedKeyUsage([.codeSigning])) },
        ]
        for extensions in extensionSets {
            let bad = try TSAPKI(tsaExtensions: extensions)
            #expect(
                code {
                    _ = try TimeStampAuthority(
                        privateKey: bad.tsaKey, certificateChain: [bad.tsa], policy: TSAPKI.policy)
                } == .invalidCertificate)
        }
    }

    @Test func authorityCopiesShareTheSerialSource() throws {
        let authority = try pki.authority(serialNumbers: .sequential(startingAt: 10))
        let copy = authority
        _ = try authority.token(imprint: Array(repeating: 0, count: 32), at: issueTime)
        let info = try tokenInfo(try copy.token(imprint: Array(repeating: 0, count: 32), at: issueTime))
        #expect(info.serialNumber == TimeStampInteger(11))
    }

    @Test func concurrentIssuanceFromSequentialSourceGivesDistinctSerials() async throws {
        let authority = try pki.authority(serialNumbers: .sequential(startingAt: 1))
        let serials = try await withThrowingTaskGroup(of: TimeStampInteger.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    try tokenInfo(try authority.token(imprint: Array(repeating: 0, count: 32), at: issueTime))
                        .serialNumber
                }
            }
            var all: [TimeStampInteger] = []
            for try await serial in group { all.append(serial) }
            return all
        }
        #expect(Set(serials) == Set((1...32).map { TimeStampInteger(UInt64($0)) }))
    }
}

/// DER helpers for expectations.
enum DERBytes {
    static func oid(_ dotted: String) -> [UInt8] { TDER.oid(dotted) }
}
