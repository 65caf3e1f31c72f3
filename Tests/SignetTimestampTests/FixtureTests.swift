import Foundation
import SignetCBOR
import SignetJUMBF
import SignetMedia
import SignetTimestamp
import Testing

/// The pieces of a manifest's claim signature that time-stamp validation needs.
struct SignatureParts {
    var protectedHeader: [UInt8]
    var unprotected: [CBOR.MapEntry]
    var signature: [UInt8]
    var claim: [UInt8]
}

enum Fixtures {
    static let directory = "/work/shared/fixtures/c2pa-rs"

    /// The last (active) manifest's COSE_Sign1 and claim, or nil (with a printed note) when the fixture is missing.
    static func load(_ name: String) throws -> SignatureParts? {
        try loadPath(directory + "/" + name)
    }

    static func loadPath(_ path: String) throws -> SignatureParts? {
        guard FileManager.default.fileExists(atPath: path) else {
            print("note: \(path) not found; skipping fixture test")
            return nil
        }
        let scan = try AssetContainer.scan(try FileReader(path: path))
        let store = try #require(scan.manifestStore)
        let root = try JUMBFParser().parseBox(store)
        let manifest = try #require(root.children.last)
        let claimBox = try #require(manifest.child(labeled: "c2pa.claim.v2") ?? manifest.child(labeled: "c2pa.claim"))
        let claim = try #require(claimBox.firstData(ofType: .cbor))
        let cose = try #require(manifest.child(labeled: "c2pa.signature")?.firstData(ofType: .cbor))
        guard case .tagged(18, .array(let parts)) = try CBORDecoder().decode(cose), parts.count == 4,
            case .byteString(let protected) = parts[0], case .map(let unprotected) = parts[1],
            case .byteString(let signature) = parts[3]
        else { throw FixtureError.notCOSE }
        return SignatureParts(protectedHeader: protected, unprotected: unprotected, signature: signature, claim: claim)
    }

    static func validate(_ p: SignatureParts, trust: TSATrust) -> TimestampResult? {
        TimestampValidator.validate(
            unprotectedHeader: p.unprotected, protectedHeaderBytes: p.protectedHeader, payload: p.claim,
            signature: p.signature, trust: trust)
    }

    static func token(_ p: SignatureParts) -> [UInt8]? {
        p.unprotected.first { $0.key == .textString("sigTst") || $0.key == .textString("sigTst2") }?
            .value["tstTokens"]?.arrayValue?.first?["val"]?.bytesValue
    }
}

enum FixtureError: Error { case notCOSE }

/// 2024-08-06T21:53:37Z, the DigiCert genTime in CA.jpg and C.jpg (openssl ts -reply -text).
let digiCertGenTime = Date(timeIntervalSince1970: 1_722_981_217)

@Suite struct FixtureTests {
    @Test func caJPGv1TimestampValidatesAndIsLegacyTrustedLikeC2paRs() throws {
        guard let parts = try Fixtures.load("CA.jpg") else { return }
        let result = try #require(Fixtures.validate(parts, trust: .skip))
        #expect(result.version == .v1)
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.validated",
                    explanation: "timestamp message digest matched: DigiCert Timestamp 2023",
                    list: .success),
                TimestampStatus(
                    code: "timeStamp.trusted", explanation: "legacy timestamp cert trusted: DigiCert Timestamp 2023",
                    list: .success),
            ])
        #expect(result.genTime == digiCertGenTime)
        #expect(result.attestedTime == digiCertGenTime)
        #expect(result.tsaCommonName == "DigiCert Timestamp 2023")
        #expect(result.tsaChainDER.count >= 2)
    }

    @Test func cJPGv1TimestampValidates() throws {
        guard let parts = try Fixtures.load("C.jpg") else { return }
        let result = try #require(Fixtures.validate(parts, trust: .skip))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.trusted"])
        #expect(result.genTime == digiCertGenTime)
    }

    @Test func alteredClaimInESigCAGivesInformationalMismatch() throws {
        guard let parts = try Fixtures.load("E-sig-CA.jpg") else { return }
        let result = try #require(Fixtures.validate(parts, trust: .skip))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.mismatch",
                    explanation: "timestamp message digest did not match: DigiCert Timestamp 2023", list: .informational
                )
            ])
        #expect(result.attestedTime == nil)
        #expect(result.genTime == digiCertGenTime)
    }

    @Test func digiCertWithoutTSAAnchorsIsValidatedButUntrusted() throws {
        guard let parts = try Fixtures.load("CA.jpg") else { return }
        let result = try #require(Fixtures.validate(parts, trust: .anchors([])))
        #expect(
            result.statuses == [
                TimestampStatus(
                    code: "timeStamp.validated",
                    explanation: "timestamp message digest matched: DigiCert Timestamp 2023",
                    list: .success),
                TimestampStatus(
                    code: "timeStamp.untrusted", explanation: "timestamp cert untrusted: DigiCert Timestamp 2023",
                    list: .informational),
            ])
        #expect(result.attestedTime == nil)
    }

    @Test func digiCertChainTrustedWhenItsRootIsAnAnchor() throws {
        guard let parts = try Fixtures.load("CA.jpg") else { return }
        let chain = try #require(Fixtures.validate(parts, trust: .skip)?.tsaChainDER)
        // The token carries the DigiCert chain up to its root; anchoring the topmost makes the TSA trusted.
        let top = try #require(chain.last)
        let result = try #require(Fixtures.validate(parts, trust: .anchors([top])))
        #expect(result.statuses.map(\.code) == ["timeStamp.validated", "timeStamp.trusted"])
        #expect(
            result.statuses.last?.explanation
                == "timestamp cert trusted: DigiCert Timestamp 2023, trust list: system_anchors")
        #expect(result.attestedTime == digiCertGenTime)
    }

    @Test func everyStrictPrefixOfTheDigiCertTokenIsMalformed() throws {
        guard let parts = try Fixtures.load("CA.jpg") else { return }
        let token = try #require(Fixtures.token(parts))
        for length in 0..<token.count {
            let result = TimestampValidator.validate(
                unprotectedHeader: header("sigTst", [Array(token[..<length])]),
                protectedHeaderBytes: parts.protectedHeader,
                payload: parts.claim, signature: parts.signature, trust: .skip)
            #expect(result?.statuses.map(\.code) == ["timeStamp.malformed"], "prefix \(length)")
        }
    }

    @Test func genTimeAgreesWithOpenSSL() throws {
        guard let parts = try Fixtures.load("CA.jpg") else { return }
        let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let openssl else {
            print("note: openssl not found; skipping the cross-check")
            return
        }
        let token = try #require(Fixtures.token(parts))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("signet-tst-\(UUID().uuidString).der")
        try Data(token).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = ["ts", "-reply", "-in", file.path, "-text"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = Pipe()
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("Time stamp: ") })
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy 'GMT'"
        let text = line.dropFirst("Time stamp: ".count).split(separator: " ", omittingEmptySubsequences: true)
            .joined(separator: " ")
        let expected = try #require(formatter.date(from: text))
        let parsed = try TimeStampToken(derEncoded: token)
        #expect(parsed.genTime == expected)
        #expect(parsed.responseStatus == 0)
    }
}
