import Foundation
import SignetCBOR
import SignetJUMBF
import Testing

@testable import Signet

/// Stores built by hand (unsigned: validation fails, but it must end, bounded) to attack the ingredient walk.
enum HostileStore {
    static func manifest(label: String, ingredientTargets: [String]) -> [UInt8] {
        var assertions: [[UInt8]] = []
        var refs: [CBOR] = []
        for (i, target) in ingredientTargets.enumerated() {
            let name = i == 0 ? "c2pa.ingredient.v3" : "c2pa.ingredient.v3__\(i)"
            let ingredient: CBOR = .map([
                .init("relationship", "parentOf"), .init("dc:title", .textString(target)),
                .init("activeManifest", .map([.init("url", .textString("self#jumbf=/c2pa/\(target)")), .init("hash", .byteString([UInt8](repeating: 1, count: 32)))])),
            ])
            let box = JUMBFWriter.cborContentBox(label: name, cbor: CBOREncoder().encode(ingredient))
            assertions.append(box)
            refs.append(.map([.init("url", .textString("self#jumbf=c2pa.assertions/\(name)")), .init("hash", .byteString(HashAlgorithm.sha256.hash(box[8...])))]))
        }
        let claim: CBOR = .map([
            .init("instanceID", "xmp:iid:x"), .init("claim_generator_info", .map([.init("name", "hostile")])),
            .init("signature", .textString("self#jumbf=/c2pa/\(label)/c2pa.signature")), .init("created_assertions", .array(refs)),
            .init("alg", "sha256"),
        ])
        return JUMBFWriter.superbox(
            JUMBFDescription(type: .manifest, requestable: true, label: label),
            children: [
                JUMBFWriter.superbox(JUMBFDescription(type: .assertionStore, requestable: true, label: "c2pa.assertions"), children: assertions),
                JUMBFWriter.superbox(JUMBFDescription(type: .claim, requestable: true, label: "c2pa.claim.v2"), children: [JUMBFWriter.dataBox(.cbor, CBOREncoder().encode(claim))]),
                // A signature box that holds no valid COSE: the manifest is whole, its signature fails.
                JUMBFWriter.superbox(JUMBFDescription(type: .signature, requestable: true, label: "c2pa.signature"), children: [JUMBFWriter.dataBox(.cbor, [0xF6])]),
            ])
    }

    static func store(_ manifests: [[UInt8]]) throws -> ManifestStore {
        try ManifestStore(bytes: JUMBFWriter.superbox(JUMBFDescription(type: .manifestStore, requestable: true, label: "c2pa"), children: manifests))
    }
}

struct HostileChainTests {
    @Test("Two manifests naming each other as ingredients (a cycle) are walked once each and reported as mismatches")
    func cycleEnds() async throws {
        let store = try HostileStore.store([
            HostileStore.manifest(label: "urn:c2pa:a", ingredientTargets: ["urn:c2pa:b"]),
            HostileStore.manifest(label: "urn:c2pa:b", ingredientTargets: ["urn:c2pa:a"]),
        ])
        let active = try #require(store.activeManifest)
        let deltas = await ManifestValidator(trust: .none).validateIngredients(of: active, in: store)
        #expect(deltas.count == 2)
        #expect(deltas.allSatisfy { $0.deltas.failure.contains { $0.code.rawValue == "ingredient.manifest.mismatch" } })
    }

    @Test("A chain of 3000 manifests stops at the depth limit instead of walking them all")
    func longChainIsBounded() async throws {
        var manifests: [[UInt8]] = [HostileStore.manifest(label: "urn:c2pa:0", ingredientTargets: [])]
        for i in 1..<3000 { manifests.append(HostileStore.manifest(label: "urn:c2pa:\(i)", ingredientTargets: ["urn:c2pa:\(i - 1)"])) }
        let store = try HostileStore.store(manifests)
        #expect(store.manifests.count == 3000)
        let deltas = await ManifestValidator(trust: .none).validateIngredients(of: try #require(store.activeManifest), in: store)
        #expect(deltas.count == ManifestValidator.maxIngredientDepth)
    }

    @Test("An ingredient naming a manifest that is not in the store is ingredient.manifest.missing, and one without a manifest has unknown provenance")
    func danglingAndUnknown() async throws {
        let store = try HostileStore.store([HostileStore.manifest(label: "urn:c2pa:only", ingredientTargets: ["urn:c2pa:gone"])])
        let deltas = await ManifestValidator(trust: .none).validateIngredients(of: try #require(store.activeManifest), in: store)
        #expect(deltas.first?.deltas.failure.map(\.code.rawValue) == ["ingredient.manifest.missing"])
        let state = ValidationState(active: ManifestValidation(label: "x", statuses: StatusLists(), signatureInfo: nil), deltas: deltas)
        #expect(state == .invalid)
    }
}
