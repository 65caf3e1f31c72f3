import Foundation
import SignetCOSE
import SignetKeys
import SignetMedia
import SignetReport
import SignetTrust
import Testing

@testable import Signet

/// Small synthetic assets: the container code only needs well-formed structure, not decodable pixels.
enum SyntheticAsset {
    static func jpeg(scanBytes: Int = 2000) -> [UInt8] {
        var b: [UInt8] = [0xFF, 0xD8]
        b += [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        b += [0xFF, 0xDB, 0x00, 0x43, 0x00] + [UInt8](repeating: 1, count: 64)
        b += [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x08, 0x00, 0x08, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]
        b += [0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00]
        b += (0..<scanBytes).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) }
        b += [0xFF, 0xD9]
        return b
    }

    static func png() -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let t = Array(type.utf8)
            let n = UInt32(data.count)
            let crc = CRC32.checksum(t + data)
            return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + t + data
                + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        }
        let ihdr: [UInt8] = [0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", [UInt8](repeating: 7, count: 300)) + chunk("IEND", [])
    }
}

/// A signer that is not a key file: proves the `COSESigner` seam (HSM, Secure Enclave, KMS) and counts calls.
final class CountingSigner: COSESigner, @unchecked Sendable {
    let inner: PEMKeySigner
    private let lock = NSLock()
    private var _calls = 0
    var calls: Int { lock.withLock { _calls } }
    init(_ inner: PEMKeySigner) { self.inner = inner }
    var algorithm: COSEAlgorithm { inner.algorithm }
    var certificateChain: [[UInt8]] { inner.certificateChain }
    func sign(_ toBeSigned: [UInt8]) async throws -> [UInt8] {
        lock.withLock { _calls += 1 }
        return try await inner.sign(toBeSigned)
    }
}

final class EndToEndWorld: Sendable {
    let dir: URL
    let layout: DevelopmentCredentials.Layout
    let anchors: String
    static let shared: Result<EndToEndWorld, Error> = Result { try EndToEndWorld() }

    private init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("signet-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        layout = try DevelopmentCredentials.generate(in: dir.appendingPathComponent("creds").path)
        anchors = try String(contentsOfFile: layout.trustAnchors, encoding: .utf8)
    }

    func signer(_ alg: COSEAlgorithm = .es256) throws -> PEMKeySigner {
        try PEMKeySigner(keyPath: layout.keyPath(alg), certificateChainPath: layout.chainPath(alg), algorithm: alg)
    }

    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let p = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
}

@Suite(.serialized)
struct EndToEndTests {
    let world: EndToEndWorld
    init() throws { world = try EndToEndWorld.shared.get() }

    func codes(_ r: VerificationReport) -> [String] { r.activeManifest?.statuses.failure.map(\.code.rawValue) ?? [] }

    @Test("A signed JPEG and PNG verify Trusted with the anchor, Valid without, and the signer is called once")
    func signAndVerify() async throws {
        for (name, bytes) in [("a.jpg", SyntheticAsset.jpeg()), ("a.png", SyntheticAsset.png())] {
            let input = try world.write(bytes, name)
            let signer = CountingSigner(try world.signer())
            let out = world.path("signed-" + name)
            var options = SignOptions()
            options.overwrite = true
            let result = try await Builder(signer: signer).sign(input: input, output: out, options: options)
            #expect(signer.calls == 1)
            #expect(result.manifestLabel.hasPrefix("urn:c2pa:"))
            let trusted = try await Verifier(trust: TrustSettings(anchorsPEM: world.anchors)).verify(path: out)
            #expect(trusted.state == .trusted, "\(codes(trusted))")
            let valid = try await Verifier().verify(path: out)
            #expect(valid.state == .valid)
            #expect(codes(valid) == ["signingCredential.untrusted"])
        }
    }

    @Test("Changing a pixel byte, an assertion byte or a claim byte is caught with the matching code")
    func tamperingIsCaught() async throws {
        let input = try world.write(SyntheticAsset.jpeg(), "t.jpg")
        let out = world.path("t-signed.jpg")
        var options = SignOptions()
        options.overwrite = true
        _ = try await Builder(signer: try world.signer()).sign(input: input, output: out, options: options)
        let signed = try Array(Data(contentsOf: URL(fileURLWithPath: out)))
        let verifier = Verifier(trust: try TrustSettings(anchorsPEM: world.anchors))

        var pixel = signed
        pixel[pixel.count - 10] ^= 1
        let r1 = try await verifier.verify(path: try world.write(pixel, "t-pixel.jpg"))
        #expect(r1.state == .invalid)
        #expect(codes(r1) == ["assertion.dataHash.mismatch"])

        // Inside the actions assertion's CBOR: the text "c2pa.created".
        var assertion = signed
        let created = Array("c2pa.created".utf8)
        guard let at = firstIndex(of: created, in: assertion) else {
            Issue.record("actions text not found in the signed file")
            return
        }
        assertion[at + 5] ^= 0x20
        let r2 = try await verifier.verify(path: try world.write(assertion, "t-assertion.jpg"))
        #expect(codes(r2).contains("assertion.hashedURI.mismatch"))

        // Inside the claim: the title (the output's file name).
        var claim = signed
        let title = Array("t-signed.jpg".utf8)
        guard let tat = lastIndex(of: title, in: claim) else {
            Issue.record("title not found in the signed file")
            return
        }
        claim[tat] ^= 0x01
        let r3 = try await verifier.verify(path: try world.write(claim, "t-claim.jpg"))
        #expect(codes(r3).contains("claimSignature.mismatch"))
    }

    @Test("Every algorithm signs and verifies in-process")
    func everyAlgorithm() async throws {
        let input = try world.write(SyntheticAsset.png(), "alg.png")
        for alg in COSEAlgorithm.all {
            let out = world.path("alg-\(alg.name).png")
            var options = SignOptions()
            options.overwrite = true
            _ = try await Builder(signer: try world.signer(alg)).sign(input: input, output: out, options: options)
            let r = try await Verifier(trust: try TrustSettings(anchorsPEM: world.anchors)).verify(path: out)
            #expect(r.state == .trusted, "\(alg): \(codes(r))")
            #expect(r.activeManifest?.signatureInfo?.algorithm == alg)
        }
    }

    @Test("The output is refused when it exists without overwrite, or when it is the input; the input is untouched")
    func outputSafety() async throws {
        let input = try world.write(SyntheticAsset.jpeg(), "safe.jpg")
        let existing = try world.write([1, 2, 3], "exists.jpg")
        await #expect(throws: SignError.self) { _ = try await Builder(signer: try world.signer()).sign(input: input, output: existing) }
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: existing))) == [1, 2, 3])
        var options = SignOptions()
        options.overwrite = true
        do {
            _ = try await Builder(signer: try world.signer()).sign(input: input, output: input, options: options)
            Issue.record("signing onto the input must fail")
        } catch let error as SignError {
            #expect(error.code == .outputIsInput)
        }
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: input))) == SyntheticAsset.jpeg())
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: world.dir.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("Manifest definition assertions are embedded and reported; the first action is c2pa.created")
    func definitionAssertions() async throws {
        let input = try world.write(SyntheticAsset.jpeg(), "def.jpg")
        let out = world.path("def-signed.jpg")
        let def = try ManifestDefinition(json: #"{"title":"Harbour","claim_generator_info":[{"name":"app","version":"2"}],"assertions":[{"label":"stds.schema-org.CreativeWork","data":{"@type":"CreativeWork","author":[{"name":"A"}]}},{"label":"com.example.note","data":{"n":[1,2]}}]}"#)
        var options = SignOptions()
        options.overwrite = true
        options.digitalSourceType = DigitalSourceType.url(for: "trainedAlgorithmicMedia")!
        _ = try await Builder(definition: def, signer: try world.signer()).sign(input: input, output: out, options: options)
        let r = try await Verifier(trust: try TrustSettings(anchorsPEM: world.anchors)).verify(path: out)
        #expect(r.state == .trusted)
        let json = ReportJSON.render(r)
        let manifest = try #require(json["manifests"]?.objectValue?.first?.1)
        #expect(manifest["title"]?.stringValue == "Harbour")
        let labels = manifest["assertions"]?.arrayValue?.compactMap { $0["label"]?.stringValue } ?? []
        #expect(labels == ["c2pa.actions.v2", "stds.schema-org.CreativeWork", "com.example.note"])
        let actions = manifest["assertions"]?.arrayValue?.first?["data"]?["actions"]?.arrayValue
        #expect(actions?.first?["action"]?.stringValue == "c2pa.created")
        #expect(actions?.first?["digitalSourceType"]?.stringValue?.hasSuffix("trainedAlgorithmicMedia") == true)
        #expect(manifest["claim_generator_info"]?.arrayValue?.first?["name"]?.stringValue == "app")
    }

    @Test("Every sampled prefix of a signed file gives a report or a typed error, never a crash")
    func prefixesNeverCrash() async throws {
        let input = try world.write(SyntheticAsset.jpeg(), "p.jpg")
        let out = world.path("p-signed.jpg")
        var options = SignOptions()
        options.overwrite = true
        _ = try await Builder(signer: try world.signer(.ed25519)).sign(input: input, output: out, options: options)
        let signed = try Array(Data(contentsOf: URL(fileURLWithPath: out)))
        let verifier = Verifier()
        for n in stride(from: 0, to: signed.count, by: 97) {
            let p = try world.write(Array(signed[0..<n]), "prefix.jpg")
            let r = try await verifier.verify(path: p, sidecar: world.path("none.c2pa"))
            #expect(r.state != .trusted && r.state != .valid)
        }
    }

    func firstIndex(of needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard needle.count <= hay.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<i + needle.count]) == needle { return i }
        return nil
    }

    func lastIndex(of needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard needle.count <= hay.count else { return nil }
        for i in stride(from: hay.count - needle.count, through: 0, by: -1) where hay[i] == needle[0] && Array(hay[i..<i + needle.count]) == needle { return i }
        return nil
    }
}
