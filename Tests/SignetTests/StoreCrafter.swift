import Foundation
import SignetCBOR
import SignetCOSE
import SignetJUMBF
import SignetMedia
import SignetTestSupport

@testable import Signet

/// Builds signed manifests from arbitrary parts, for the rules a well-behaved signer never breaks: update
/// manifests, repeated references, action lists, hostile shapes. The signature is real (the test signer's), so
/// only the rule under test can fail.
enum StoreCrafter {
    static func cbor(_ label: String, _ value: CBOR) -> (String, [UInt8]) {
        (label, JUMBFWriter.cborContentBox(label: label, cbor: CBOREncoder().encode(value), salt: [UInt8](repeating: 7, count: 16)))
    }

    static func reference(_ item: (String, [UInt8])) -> HashedURI {
        HashedURI(url: "self#jumbf=c2pa.assertions/\(item.0)", hash: HashAlgorithm.sha256.hash(Builder.payload(ofBox: item.1)))
    }

    static func actions(_ list: [CBOR]) -> (String, [UInt8]) { cbor("c2pa.actions.v2", .map([.init("actions", .array(list))])) }

    static func action(_ name: String, ingredients: [HashedURI]? = nil, extra: [CBOR.MapEntry] = []) -> CBOR {
        var entries: [CBOR.MapEntry] = [.init("action", .textString(name))] + extra
        if let ingredients { entries.append(.init("parameters", .map([.init("ingredients", .array(ingredients.map(\.cbor)))]))) }
        return .map(entries)
    }

    static let created = action("c2pa.created", extra: [.init("digitalSourceType", "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture")])

    /// An ingredient assertion pointing at another manifest of the store (its payload's SHA-256).
    static func ingredient(_ label: String, relationship: String, manifest: [UInt8], manifestLabel: String) -> (String, [UInt8]) {
        let ref = HashedURI(url: JUMBFURI.absolute(manifest: manifestLabel, path: ""), alg: "sha256", hash: HashAlgorithm.sha256.hash(Builder.payload(ofBox: manifest)))
        return cbor(label, .map([
            .init("dc:title", "parent.jpg"), .init("relationship", .textString(relationship)),
            .init("activeManifest", ref.cbor),
            .init("validationResults", .map([.init("activeManifest", .map([.init("success", .array([])), .init("informational", .array([])), .init("failure", .array([]))]))])),
        ]))
    }

    /// A signed manifest box. `references` lists which assertions the claim names (default: each once).
    static func manifest(
        label: String = "urn:c2pa:\(UUID().uuidString.lowercased())", type: JUMBFType = .manifest,
        assertions: [(String, [UInt8])], references: [HashedURI]? = nil, signer: any COSESigner,
        unprotected: [CBOR.MapEntry] = []
    ) async throws -> (label: String, box: [UInt8]) {
        let refs = references ?? assertions.map(reference)
        let claim = Claim.v2(
            instanceID: "xmp:iid:\(UUID().uuidString.lowercased())", generatorInfo: .map([.init("name", "crafter")]),
            signature: JUMBFURI.absolute(manifest: label, path: "c2pa.signature"), created: refs, gathered: [], title: "crafted", alg: "sha256")
        let claimBytes = CBOREncoder().encode(claim)
        let sign1 = try await COSESign1.sign(detachedPayload: claimBytes, signer: signer, unprotectedHeader: unprotected)
        let box = JUMBFWriter.superbox(
            JUMBFDescription(type: type, requestable: true, label: label),
            children: [
                JUMBFWriter.superbox(JUMBFDescription(type: .assertionStore, requestable: true, label: "c2pa.assertions"), children: assertions.map(\.1)),
                JUMBFWriter.superbox(JUMBFDescription(type: .claim, requestable: true, label: "c2pa.claim.v2"), children: [JUMBFWriter.dataBox(.cbor, claimBytes)]),
                JUMBFWriter.superbox(JUMBFDescription(type: .signature, requestable: true, label: "c2pa.signature"), children: [JUMBFWriter.dataBox(.cbor, sign1.encoded())]),
            ])
        return (label, box)
    }

    static func store(_ manifests: [[UInt8]]) -> [UInt8] {
        JUMBFWriter.superbox(JUMBFDescription(type: .manifestStore, requestable: true, label: "c2pa"), children: manifests)
    }

    /// The manifest boxes of a store, as bytes.
    static func manifests(of store: [UInt8]) throws -> [[UInt8]] {
        let parsed = try ManifestStore(bytes: store)
        return parsed.manifests.map { Array(store[$0.box.range]) }
    }

    /// `file` with its embedded store replaced by `store` (same place).
    static func reembed(_ file: [UInt8], store: [UInt8]) throws -> [UInt8] {
        let layout = try SignedLayout(file)
        let encoded = try AssetContainer.encodeStore(store, format: layout.format)
        return Array(file[..<layout.storeRange.lowerBound]) + encoded + Array(file[layout.storeRange.upperBound...])
    }
}
