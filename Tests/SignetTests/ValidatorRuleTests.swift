import Foundation
import SignetCBOR
import SignetCOSE
import SignetJUMBF
import SignetMedia
import SignetReport
import SignetTrust
import SignetTestSupport
import Testing

@testable import Signet

/// The validation rules of C2PA 2.2, section 15, that a well-behaved signer never breaks, checked on crafted,
/// genuinely signed stores: each test states the attack, then the rule that stops it.
@Suite(.serialized)
struct ValidatorRuleTests {
    let world: EndToEndWorld
    init() throws { world = try EndToEndWorld.shared.get() }

    var verifier: Verifier { get throws { Verifier(trust: try TrustSettings(anchorsPEM: world.anchors)) } }

    func failures(_ r: VerificationReport) -> [String] { r.activeManifest?.statuses.failure.map(\.code.rawValue) ?? [] }

    func signedJPEG(_ name: String) async throws -> [UInt8] {
        let input = try world.write(SyntheticAsset.jpeg(), "\(name)-in.jpg")
        let out = world.path("\(name).jpg")
        var options = SignOptions()
        options.overwrite = true
        _ = try await Builder(signer: try world.signer()).sign(input: input, output: out, options: options)
        return try Array(Data(contentsOf: URL(fileURLWithPath: out)))
    }

    /// A signed JPEG with an update manifest appended to its store, made from `assertions(parent)`.
    func withUpdateManifest(
        _ name: String, _ assertions: (_ parentBox: [UInt8], _ parentLabel: String) -> [(String, [UInt8])]
    ) async throws -> (original: [UInt8], updated: [UInt8]) {
        let original = try await signedJPEG(name)
        let layout = try SignedLayout(original)
        let parent = try StoreCrafter.manifests(of: layout.store)[0]
        let parentLabel = try #require(try ManifestStore(bytes: layout.store).activeManifest?.label)
        let update = try await StoreCrafter.manifest(type: .updateManifest, assertions: assertions(parent, parentLabel), signer: try world.signer())
        let updated = try StoreCrafter.reembed(original, store: StoreCrafter.store([parent, update.box]))
        return (original, updated)
    }

    // MARK: - Update manifests (C2PA 2.2, 15.10.1.3 and 15.12)

    @Test("An update manifest is bound to the asset through its parent's hard binding, with the store's new length")
    func updateManifestUsesItsParentsBinding() async throws {
        let (_, updated) = try await withUpdateManifest("upd-ok") { parent, label in
            let ingredient = StoreCrafter.ingredient("c2pa.ingredient.v3", relationship: "parentOf", manifest: parent, manifestLabel: label)
            return [ingredient, StoreCrafter.actions([StoreCrafter.action("c2pa.opened", ingredients: [StoreCrafter.reference(ingredient)])])]
        }
        let report = try await verifier.verify(path: try world.write(updated, "upd-ok.jpg"))
        #expect(report.state == .trusted, "\(failures(report))")
        #expect(report.activeManifest?.statuses.success.contains { $0.code == .assertionDataHashMatch } == true)

        var changed = updated
        changed[changed.count - 10] ^= 1
        let tampered = try await verifier.verify(path: try world.write(changed, "upd-pixel.jpg"))
        #expect(failures(tampered).contains("assertion.dataHash.mismatch"))
    }

    @Test("An update manifest may not carry a hard binding, may record only metadata actions, and needs a parent")
    func updateManifestRules() async throws {
        let (_, withBinding) = try await withUpdateManifest("upd-binding") { parent, label in
            let ingredient = StoreCrafter.ingredient("c2pa.ingredient.v3", relationship: "parentOf", manifest: parent, manifestLabel: label)
            return [StoreCrafter.cbor("c2pa.hash.data", DataHashAssertion(exclusions: [], hash: [UInt8](repeating: 0, count: 32)).cbor), ingredient]
        }
        #expect(failures(try await verifier.verify(path: try world.write(withBinding, "upd-binding.jpg"))).contains("manifest.update.invalid"))

        let (_, cropping) = try await withUpdateManifest("upd-crop") { parent, label in
            let ingredient = StoreCrafter.ingredient("c2pa.ingredient.v3", relationship: "parentOf", manifest: parent, manifestLabel: label)
            return [ingredient, StoreCrafter.actions([StoreCrafter.action("c2pa.cropped")])]
        }
        #expect(failures(try await verifier.verify(path: try world.write(cropping, "upd-crop.jpg"))).contains("manifest.update.invalid"))

        let (_, orphan) = try await withUpdateManifest("upd-orphan") { _, _ in
            [StoreCrafter.actions([StoreCrafter.action("c2pa.published")])]
        }
        let report = try await verifier.verify(path: try world.write(orphan, "upd-orphan.jpg"))
        #expect(failures(report).contains("claim.hardBindings.missing"))
        #expect(failures(report).contains("manifest.update.wrongParents"))
    }

    // MARK: - The data hash's exclusions (C2PA 2.2, 15.12.1)

    /// Checks a crafted `c2pa.hash.data` against a 1,000-byte asset whose store (as the container found it) is
    /// bytes 100..<200; the hash is computed honestly over the asset less `exclusions`.
    func checkExclusions(_ exclusions: [Range<Int64>], storeRanges: [Range<Int64>] = [100..<200]) throws -> StatusLists {
        let asset = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = try world.write(asset, "exclusions.bin")
        let reader = try FileReader(path: path)
        var kept: [UInt8] = []
        for (i, b) in asset.enumerated() where !exclusions.contains(where: { $0.contains(Int64(i)) }) { kept.append(b) }
        let cbor = DataHashAssertion(exclusions: exclusions, hash: HashAlgorithm.sha256.hash(kept)).cbor
        let boxBytes = JUMBFWriter.cborContentBox(label: "c2pa.hash.data", cbor: CBOREncoder().encode(cbor))
        let binding = try #require(AssertionBox(box: try JUMBFParser().parseBox(boxBytes), storeBytes: boxBytes))
        var s = StatusLists()
        ManifestValidator(trust: .none).checkDataHash(
            binding, url: "u", claimAlg: "sha256", asset: BoundAsset(reader: reader, storeRanges: storeRanges), updated: false, into: &s)
        return s
    }

    @Test("Exclusions: exactly the store matches; overlapping, unsorted, past the end, wider than the store, or any with a sidecar store are refused")
    func exclusionRules() throws {
        #expect(try checkExclusions([100..<200]).success.map(\.code) == [.assertionDataHashMatch])
        #expect(try checkExclusions([100..<200, 150..<160]).failure.map(\.code) == [.assertionDataHashMalformed])
        #expect(try checkExclusions([300..<310, 100..<200]).failure.map(\.code) == [.assertionDataHashMalformed])
        #expect(try checkExclusions([100..<200, 990..<1010]).failure.map(\.code) == [.assertionDataHashMismatch])
        #expect(try checkExclusions([90..<200]).failure.map(\.code) == [.assertionDataHashMismatch], "a segment before the store, inside the exclusion")
        #expect(try checkExclusions([100..<210]).failure.map(\.code) == [.assertionDataHashMismatch], "a segment after the store, inside the exclusion")
        #expect(try checkExclusions([]).failure.map(\.code) == [.assertionDataHashMismatch], "the store not excluded at all")
        #expect(try checkExclusions([100..<200], storeRanges: []).failure.map(\.code) == [.assertionDataHashMismatch], "sidecar")
        let extra = try checkExclusions([100..<200, 500..<510])
        #expect(extra.success.map(\.code) == [.assertionDataHashMatch])
        #expect(extra.informational.map(\.code.rawValue) == ["assertion.dataHash.additionalExclusionsPresent"])
    }

    @Test("A manifest store checked without its asset is never Valid or Trusted")
    func bareStoreIsNeverValid() async throws {
        let input = try world.write(SyntheticAsset.png(), "bare.png")
        var options = SignOptions()
        options.overwrite = true
        options.sidecar = true
        let sidecar = Sidecar.path(forAsset: input)
        _ = try await Builder(signer: try world.signer()).sign(input: input, output: sidecar, options: options)
        let alone = try await verifier.verify(path: sidecar)
        #expect(alone.state == .invalid)
        #expect(failures(alone) == ["signet.hardBinding.notChecked"])
        // With its asset, the same store is Trusted.
        #expect(try await verifier.verify(path: input).state == .trusted)
    }

    // MARK: - Bounded work

    @Test("Thousands of references to one large assertion hash it once; more than 10,000 references are refused")
    func repeatedReferencesAreHashedOnce() async throws {
        let big = StoreCrafter.cbor("org.example.big", .byteString([UInt8](repeating: 0x5A, count: 1 << 20)))
        let binding = StoreCrafter.cbor("c2pa.hash.data", DataHashAssertion(exclusions: [], hash: [UInt8](repeating: 0, count: 32)).cbor)
        let refs = [StoreCrafter.reference(binding)] + [HashedURI](repeating: StoreCrafter.reference(big), count: 5_000)
        let m = try await StoreCrafter.manifest(assertions: [binding, big], references: refs, signer: try world.signer())
        let store = try ManifestStore(bytes: StoreCrafter.store([m.box]))
        let memo = VerificationMemo()
        let result = await ManifestValidator(trust: .none).validate(try #require(store.activeManifest), in: store, asset: nil, memo: memo)
        #expect(result.statuses.success.filter { $0.code == .assertionHashedURIMatch }.count == 5_001)
        #expect(memo.hashedByteCount < 2 << 20, "hashed \(memo.hashedByteCount) bytes for a 1 MiB assertion")

        let tooMany = [HashedURI](repeating: StoreCrafter.reference(binding), count: 10_001)
        let m2 = try await StoreCrafter.manifest(assertions: [binding], references: tooMany, signer: try world.signer())
        let store2 = try ManifestStore(bytes: StoreCrafter.store([m2.box]))
        let refused = await ManifestValidator(trust: .none).validate(try #require(store2.activeManifest), in: store2, asset: nil)
        #expect(refused.statuses.failure.map(\.code).contains(.claimMalformed))
        #expect(refused.statuses.success.filter { $0.code == .assertionHashedURIMatch }.isEmpty, "no reference is hashed past the cap")
    }

    // MARK: - The claim signature's unsigned header

    func validateCrafted(unprotected: [CBOR.MapEntry]) async throws -> [String] {
        let binding = StoreCrafter.cbor("c2pa.hash.data", DataHashAssertion(exclusions: [], hash: [UInt8](repeating: 0, count: 32)).cbor)
        let m = try await StoreCrafter.manifest(assertions: [binding, StoreCrafter.actions([StoreCrafter.created])], signer: try world.signer(), unprotected: unprotected)
        let store = try ManifestStore(bytes: StoreCrafter.store([m.box]))
        let result = await ManifestValidator(trust: .none).validate(try #require(store.activeManifest), in: store, asset: nil)
        return result.statuses.failure.map(\.code.rawValue)
    }

    @Test("The unprotected header may hold only C2PA's labels, zero padding, and no second certificate chain")
    func unprotectedHeaderRules() async throws {
        #expect(try await validateCrafted(unprotected: [.init("pad", .byteString([0, 0, 0]))]) == ["signingCredential.untrusted"])
        #expect(try await validateCrafted(unprotected: [.init("pad", .byteString([0, 1, 0]))]).contains("claimSignature.mismatch"))
        #expect(try await validateCrafted(unprotected: [.init("note", "hello")]).contains("claimSignature.mismatch"))
        let chain = try world.signer().certificateChain
        let twoChains = try await validateCrafted(unprotected: [.init("x5chain", .array(chain.map { .byteString($0) }))])
        #expect(twoChains.contains("signingCredential.invalid"))
    }

    @Test("A certificate chain only in the unprotected header is read for 1.x claims and refused for 2.x claims")
    func x5chainPlacement() throws {
        let chain = try world.signer().certificateChain
        let unprotected = COSESign1(
            protectedHeader: [.init(.int(1), .int(-7))], unprotectedHeader: [.init("x5chain", .array(chain.map { .byteString($0) }))],
            payload: nil, signature: [])
        #expect(ManifestValidator.certificateChain(of: unprotected, claimVersion: 1) == .found(chain))
        guard case .refused = ManifestValidator.certificateChain(of: unprotected, claimVersion: 2) else {
            Issue.record("a 2.x claim's chain in the unprotected header was accepted")
            return
        }
        let label33 = COSESign1(
            protectedHeader: [.init(.int(1), .int(-7))], unprotectedHeader: [.init(.int(33), .array(chain.map { .byteString($0) }))],
            payload: nil, signature: [])
        #expect(ManifestValidator.certificateChain(of: label33, claimVersion: 1) == .found([]), "label 33 in the unprotected header is never read")
    }

    // MARK: - Actions (C2PA 2.2, 15.10.1.2 and 18)

    func actionFailures(_ list: [CBOR], ingredients: [(String, [UInt8])] = []) async throws -> [String] {
        let binding = StoreCrafter.cbor("c2pa.hash.data", DataHashAssertion(exclusions: [], hash: [UInt8](repeating: 0, count: 32)).cbor)
        let m = try await StoreCrafter.manifest(assertions: [binding] + ingredients + [StoreCrafter.actions(list)], signer: try world.signer())
        let store = try ManifestStore(bytes: StoreCrafter.store([m.box]))
        let result = await ManifestValidator(trust: .none).validate(try #require(store.activeManifest), in: store, asset: nil)
        return result.statuses.failure.map(\.code.rawValue).filter { $0 != "signingCredential.untrusted" }
    }

    @Test("Actions: opened, placed and removed must name ingredients of the right relationship; the list opens with created or opened")
    func actionRules() async throws {
        let component = StoreCrafter.cbor("c2pa.ingredient.v3", .map([.init("relationship", "componentOf"), .init("dc:title", "c.jpg")]))
        let parent = StoreCrafter.cbor("c2pa.ingredient.v3__1", .map([.init("relationship", "parentOf"), .init("dc:title", "p.jpg")]))
        #expect(try await actionFailures([StoreCrafter.created]) == [])
        #expect(try await actionFailures([StoreCrafter.created, StoreCrafter.action("c2pa.placed")]) == ["assertion.action.ingredientMismatch"])
        #expect(try await actionFailures([StoreCrafter.created, StoreCrafter.action("c2pa.placed", ingredients: [StoreCrafter.reference(component)])], ingredients: [component]) == [])
        #expect(try await actionFailures([StoreCrafter.action("c2pa.opened", ingredients: [StoreCrafter.reference(component)])], ingredients: [component]) == ["assertion.action.ingredientMismatch"])
        #expect(try await actionFailures([StoreCrafter.action("c2pa.opened", ingredients: [StoreCrafter.reference(parent)])], ingredients: [parent]) == [])
        #expect(try await actionFailures([StoreCrafter.action("c2pa.cropped")]) == ["assertion.action.malformed"])
        #expect(try await actionFailures([StoreCrafter.action("c2pa.created")]) == ["assertion.action.malformed"], "created without a digitalSourceType")
        let parent2 = StoreCrafter.cbor("c2pa.ingredient.v3__2", .map([.init("relationship", "parentOf"), .init("dc:title", "q.jpg")]))
        #expect(try await actionFailures([StoreCrafter.action("c2pa.opened", ingredients: [StoreCrafter.reference(parent)])], ingredients: [parent, parent2]) == ["manifest.multipleParents"])
    }

    @Test("The signer fills in and merges the ingredients of requested opened/placed actions, and refuses what would not validate")
    func signerWritesOnlyValidActionLists() async throws {
        let parent = world.path("sv-parent.jpg")
        try Data(try await signedJPEG("sv-parent")).write(to: URL(fileURLWithPath: parent))
        let component = try world.write(SyntheticAsset.png(), "sv-component.png")
        let input = try world.write(SyntheticAsset.jpeg(), "sv-in.jpg")
        var options = SignOptions()
        options.overwrite = true
        options.ingredients = [IngredientInput(path: parent, relationship: .parentOf), IngredientInput(path: component, relationship: .componentOf)]
        options.actions = [ActionInput(action: "placed")]
        let out = world.path("sv-out.jpg")
        _ = try await Builder(signer: try world.signer()).sign(input: input, output: out, options: options)
        let report = try await verifier.verify(path: out)
        #expect(report.state == .trusted, "\(failures(report))")
        let store = try #require(report.store)
        let actions = try #require(store.activeManifest?.assertions.first { $0.baseLabel == "c2pa.actions" }?.content)
        let names = try CBORDecoder().decode(actions)["actions"]?.arrayValue?.compactMap { $0["action"]?.stringValue }
        #expect(names == ["c2pa.opened", "c2pa.placed"])

        var lonely = SignOptions()
        lonely.overwrite = true
        lonely.actions = [ActionInput(action: "placed")]
        await #expect(throws: SignError.self) {
            _ = try await Builder(signer: try world.signer()).sign(input: input, output: world.path("sv-lonely.jpg"), options: lonely)
        }
    }

    @Test("A failure recorded for one part of an ingredient does not hide the same failure about another part")
    func recordedStatusesMatchByCodeAndURI() {
        let recorded: Set<ManifestValidator.RecordedStatus> = [.init(code: "assertion.hashedURI.mismatch", url: "self#jumbf=/c2pa/p/c2pa.assertions/x")]
        let elsewhere = ValidationStatus("assertion.hashedURI.mismatch", url: "self#jumbf=/c2pa/p/c2pa.assertions/c2pa.actions.v2", nil)
        let same = ValidationStatus("assertion.hashedURI.mismatch", url: "self#jumbf=/c2pa/p/c2pa.assertions/x", nil)
        #expect(!ManifestValidator.isRecorded(elsewhere, in: recorded))
        #expect(ManifestValidator.isRecorded(same, in: recorded))
        #expect(ManifestValidator.isRecorded(elsewhere, in: [.init(code: "assertion.hashedURI.mismatch", url: nil)]), "a code recorded without a URI (1.x/2.x validationStatus)")
    }

    @Test("A manifest nothing on the validated path reaches is not shown in the report")
    func unreachedManifestsAreNotReported() async throws {
        let binding = StoreCrafter.cbor("c2pa.hash.data", DataHashAssertion(exclusions: [], hash: [UInt8](repeating: 0, count: 32)).cbor)
        let stray = try await StoreCrafter.manifest(
            assertions: [binding, StoreCrafter.actions([StoreCrafter.action("c2pa.created", extra: [.init("digitalSourceType", "forged"), .init("softwareAgent", "Canon EOS R5")])])],
            signer: try world.signer())
        let active = try await StoreCrafter.manifest(assertions: [binding, StoreCrafter.actions([StoreCrafter.created])], signer: try world.signer())
        let path = try world.write(StoreCrafter.store([stray.box, active.box]), "stray.c2pa")
        let report = try await verifier.verify(path: path)
        let shown = ReportJSON.render(report)["manifests"]?.objectValue?.map(\.0) ?? []
        #expect(shown == [active.label])
    }

    @Test("The claim version comes from the claim's fields, not its box label")
    func claimVersionFromContent() throws {
        let v2: CBOR = .map([.init("instanceID", "x"), .init("claim_generator_info", .map([])), .init("signature", "self#jumbf=c2pa.signature"), .init("created_assertions", .array([]))])
        #expect(try Claim.version(of: v2) == 2)
        let v1: CBOR = .map([.init("claim_generator", "x"), .init("signature", "self#jumbf=c2pa.signature"), .init("assertions", .array([]))])
        #expect(try Claim.version(of: v1) == 1)
        let both: CBOR = .map([.init("assertions", .array([])), .init("created_assertions", .array([]))])
        #expect(throws: ClaimDecodingError.self) { try Claim.version(of: both) }
    }
}

/// Time-stamps sit in the unprotected header: only a trusted one may move the time a certificate is judged at.
@Suite struct TimestampTimeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/c2pa-rs")

    @Test("A 1.x claim's time-stamp whose TSA is not among the anchors does not rescue an expired certificate (c2pa-rs calls it legacy-trusted)")
    func untrustedTimestampDoesNotMoveTheTime() async throws {
        let file = Self.fixtures.appendingPathComponent("C.jpg").path
        let anchors = Self.fixtures.appendingPathComponent("certs/test_cert_root_bundle.pem").path
        guard FileManager.default.fileExists(atPath: file) else { return }  // fixtures absent: skipped
        let trust = try TrustSettings(anchorsPEM: try String(contentsOfFile: anchors, encoding: .utf8))
        let now = try await Verifier(trust: trust).verify(path: file)
        #expect(now.state == .trusted)
        #expect(now.activeManifest?.statuses.informational.map(\.code.rawValue).contains("timeStamp.untrusted") == true)
        // In 2100 the signer's certificate has expired; the signing time the token claims would fall inside its
        // validity, but nothing vouches for the token's authority, so the certificate is judged in 2100.
        let later = try await Verifier(trust: trust, validationTime: Date(timeIntervalSince1970: 4_102_444_800)).verify(path: file)
        #expect(later.state == .invalid)
        #expect(later.activeManifest?.statuses.failure.map(\.code.rawValue).contains("signingCredential.expired") == true)
    }
}

@Suite struct ProtectedRangeTests {
    @Test("The protected-range lookup is a binary search that finds exactly the overlapping range (attacker review: a linear scan of millions of ranges per exclusion cost minutes)")
    func firstOverlapIsExact() {
        let ranges: [Range<Int64>] = (0..<100_000).map { Int64($0 * 10)..<Int64($0 * 10 + 8) }
        #expect(ManifestValidator.firstOverlap(of: 8..<10, in: ranges) == nil)
        #expect(ManifestValidator.firstOverlap(of: 7..<9, in: ranges) == 0..<8)
        #expect(ManifestValidator.firstOverlap(of: 9..<25, in: ranges) == 10..<18)
        #expect(ManifestValidator.firstOverlap(of: 999_998..<1_000_100, in: ranges) == nil)
        #expect(ManifestValidator.firstOverlap(of: 999_985..<999_991, in: ranges) == 999_980..<999_988)
        #expect(ManifestValidator.firstOverlap(of: 0..<5, in: []) == nil)
        // Against the obvious linear scan, for many probes.
        for start in stride(from: Int64(0), to: 2_000, by: 7) {
            let probe = start..<(start + 3)
            #expect(ManifestValidator.firstOverlap(of: probe, in: ranges) == ranges.first { $0.overlaps(probe) })
        }
    }
}
