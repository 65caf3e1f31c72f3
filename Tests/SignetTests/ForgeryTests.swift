import Foundation
import SignetCOSE
import SignetMedia
import SignetTrust
import SignetTestSupport
import Testing

@testable import Signet

/// The attacker controls every byte no signature covers. These tests generate every keyless edit of signed files
/// (see ``ForgeryGenerator``) and require that none verifies Valid or Trusted, and that each is refused with a
/// reason: a failure status code, or a store that cannot be read at all.
@Suite(.serialized)
struct ForgeryTests {
    let world: EndToEndWorld
    init() throws { world = try EndToEndWorld.shared.get() }

    /// Signs a synthetic asset; with `parent`, as an edit of it.
    func signed(_ format: AssetFormat, _ alg: COSEAlgorithm, parent: String? = nil, name: String) async throws -> String {
        let input = try world.write(Self.sample(format), "\(name)-in.\(format.fileExtension)")
        let out = world.path("\(name).\(format.fileExtension)")
        var options = SignOptions()
        options.overwrite = true
        if let parent {
            options.ingredients = [IngredientInput(path: parent, relationship: .parentOf)]
            options.actions = [ActionInput(action: "cropped")]
        }
        _ = try await Builder(signer: try world.signer(alg)).sign(input: input, output: out, options: options)
        return out
    }

    static func sample(_ format: AssetFormat) -> [UInt8] {
        switch format {
        case .jpeg: return SyntheticAsset.jpeg()
        case .png: return SyntheticAsset.png()
        case .wav: return SyntheticMedia.wav(oddData: true)
        case .webp: return SyntheticMedia.webp()
        case .mp3: return SyntheticMedia.mp3(tag: 3, padding: 64)
        case .flac: return SyntheticMedia.flac()
        case .gif: return SyntheticMedia.gif(comment: true)
        case .tiff: return SyntheticMedia.tiff()
        case .jxl: return SyntheticMedia.jxl()
        case .svg: return Array("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"><rect width=\"4\" height=\"4\" fill=\"#123456\"/></svg>\n".utf8)
        default: return SyntheticMedia.mp4()
        }
    }

    func codes(_ r: VerificationReport) -> [String] {
        let s = r.activeManifest?.statuses
        return ((s?.success ?? []) + (s?.informational ?? []) + (s?.failure ?? [])).map(\.code.rawValue)
    }

    /// Verifies every forgery; returns those that came out Valid or Trusted, and those refused without a reason.
    func attack(_ path: String, masks: [UInt8] = [0x01, 0x80]) async throws -> (accepted: [String], silent: [String], count: Int) {
        let original = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let verifier = Verifier(trust: try TrustSettings(anchorsPEM: world.anchors))
        let baseline = try await verifier.verify(path: path)
        #expect(baseline.state == .trusted, "the unforged file must be Trusted")
        var accepted: [String] = []
        var silent: [String] = []
        let forgeries = try ForgeryGenerator.all(original, masks: masks)
        let dir = world.path("forgery-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, forgery) in forgeries.enumerated() {
            let file = "\(dir)/f\(i).\(URL(fileURLWithPath: path).pathExtension)"
            try Data(forgery.bytes).write(to: URL(fileURLWithPath: file))
            if let sidecar = forgery.sidecar { try Data(sidecar).write(to: URL(fileURLWithPath: "\(dir)/f\(i).c2pa")) }
            let report = try await verifier.verify(path: file)
            if forgery.inert {
                let same = report.state == baseline.state && codes(report) == codes(baseline)
                if !same { accepted.append("\(forgery.name) (inert field) changed the report: \(codes(report))") }
                continue
            }
            switch report.outcome {
            case .validated(let state):
                if state != .invalid { accepted.append("\(forgery.name): \(state)") }
                let failures = (report.activeManifest?.statuses.failure ?? []) + report.ingredientDeltas.flatMap { $0.deltas.failure }
                if state == .invalid && failures.isEmpty { silent.append(forgery.name) }
            case .noManifest(let reason), .unreadableManifest(let reason):
                if reason.isEmpty { silent.append(forgery.name) }
            }
            try? FileManager.default.removeItem(atPath: file)
            try? FileManager.default.removeItem(atPath: "\(dir)/f\(i).c2pa")
        }
        return (accepted, silent, forgeries.count)
    }

    @Test("No keyless edit of a signed JPEG or PNG verifies Valid or Trusted, for ES256, Ed25519 and PS256", arguments: [AssetFormat.jpeg, .png], [COSEAlgorithm.es256, .ed25519, .ps256])
    func singleManifests(format: AssetFormat, alg: COSEAlgorithm) async throws {
        let file = try await signed(format, alg, name: "forge-\(format.rawValue)-\(alg.name)")
        let result = try await attack(file)
        #expect(result.count > 300, "the generator should produce hundreds of edits, made \(result.count)")
        #expect(result.accepted == [], "accepted forgeries of \(result.count)")
        #expect(result.silent == [])
    }

    @Test("No keyless edit of a signed WAV, WebP, MP3 (in an existing ID3v2.3 tag), FLAC (in a new ID3v2.4 tag) GIF (87a made 89a) TIFF (an IFD copy after the store), JPEG XL or SVG (base64) verifies Valid or Trusted", arguments: [AssetFormat.wav, .webp, .mp3, .flac, .gif, .tiff, .jxl, .svg])
    func audioAndRIFF(format: AssetFormat) async throws {
        let file = try await signed(format, .es256, name: "forge-\(format.rawValue)")
        let result = try await attack(file, masks: [0x01])
        #expect(result.count > 300, "the generator should produce hundreds of edits, made \(result.count)")
        #expect(result.accepted == [], "accepted forgeries of \(result.count)")
        #expect(result.silent == [])
    }

    @Test("No keyless edit of a signed MP4 (moov first, so offsets were patched, or moov last) verifies Valid or Trusted", arguments: [true, false])
    func mp4(moovFirst: Bool) async throws {
        let input = try world.write(SyntheticMedia.mp4(moovFirst: moovFirst), "forge-mp4-\(moovFirst)-in.mp4")
        let out = world.path("forge-mp4-\(moovFirst).mp4")
        var options = SignOptions()
        options.overwrite = true
        _ = try await Builder(signer: try world.signer(.es256)).sign(input: input, output: out, options: options)
        let result = try await attack(out, masks: [0x01])
        #expect(result.count > 300, "the generator should produce hundreds of edits, made \(result.count)")
        #expect(result.accepted == [], "accepted forgeries of \(result.count)")
        #expect(result.silent == [])
    }

    @Test("No keyless edit of an edit chain (a signed parent and its signed child) verifies Valid or Trusted", arguments: [AssetFormat.jpeg, .png])
    func chains(format: AssetFormat) async throws {
        let parent = try await signed(format, .es256, name: "forge-parent-\(format.rawValue)")
        let child = try await signed(format, .es384, parent: parent, name: "forge-child-\(format.rawValue)")
        let result = try await attack(child)
        #expect(result.accepted == [], "accepted forgeries of \(result.count)")
        #expect(result.silent == [])
    }

    @Test("The structural attacks that once worked are refused with the codes the spec names")
    func structuralAttacksGetTheirCodes() async throws {
        for format in [AssetFormat.jpeg, .png, .wav, .mp3, .flac, .gif, .tiff, .jxl] {
            let file = try await signed(format, .es256, name: "forge-codes-\(format.rawValue)")
            let layout = try SignedLayout(try Array(Data(contentsOf: URL(fileURLWithPath: file))))
            let verifier = Verifier(trust: try TrustSettings(anchorsPEM: world.anchors))
            let expected: [String: String] = [
                "c2ma relabelled c2um": "manifest.update.invalid",
                "c2ma relabelled c2um, pixel changed": "manifest.update.invalid",
                "store moved to a sidecar, its place filled": "assertion.dataHash.mismatch",
                "text written into the COSE pad": "claimSignature.mismatch",
                "an assertion the claim does not name added, paid for by the pad": "assertion.undeclared",
            ]
            for forgery in ForgeryGenerator.structural(layout) {
                let path = try world.write(forgery.bytes, "codes-\(format.rawValue).\(format.fileExtension)")
                if let sidecar = forgery.sidecar { _ = try world.write(sidecar, "codes-\(format.rawValue).c2pa") }
                defer { try? FileManager.default.removeItem(atPath: world.path("codes-\(format.rawValue).c2pa")) }
                let report = try await verifier.verify(path: path)
                let codes = (report.activeManifest?.statuses.failure ?? []).map(\.code.rawValue)
                if forgery.name.hasPrefix("pad shrunk") {
                    #expect(codes.contains("assertion.dataHash.mismatch"), "\(forgery.name): \(codes)")
                } else if let code = expected[forgery.name] {
                    #expect(codes.contains(code), "\(forgery.name): \(codes)")
                }
                #expect(report.state != .trusted && report.state != .valid, "\(forgery.name): \(report.summary)")
            }
        }
    }
}
