import Foundation
import SignetCBOR
import SignetJUMBF
import SignetMedia
import SignetTrust

/// How an ingredient relates to the asset being signed (C2PA 2.2, "Ingredient").
public enum IngredientRelationship: String, Sendable, CaseIterable {
    /// The asset this one was edited from (at most one).
    case parentOf
    /// An asset placed into this one.
    case componentOf
    /// An asset used as input to make this one (e.g. a prompt image for a generative model).
    case inputTo
}

/// A file to record as an ingredient of the asset being signed.
public struct IngredientInput: Sendable {
    public var path: String
    public var relationship: IngredientRelationship
    public var title: String?

    public init(path: String, relationship: IngredientRelationship, title: String? = nil) {
        self.path = path
        self.relationship = relationship
        self.title = title
    }
}

/// An action to record (`c2pa.cropped`, `c2pa.color_adjustments`, ...), with its parameters.
public struct ActionInput: Sendable {
    public var action: String
    public var parameters: [(String, JSONValue)]

    public init(action: String, parameters: [(String, JSONValue)] = []) {
        self.action = ActionInput.canonicalName(action)
        self.parameters = parameters
    }

    /// "cropped" -> "c2pa.cropped"; names with a dot are kept as they are.
    public static func canonicalName(_ name: String) -> String {
        name.contains(".") ? name : "c2pa.\(name)"
    }

    /// The C2PA 2.2 standard actions Signet knows by short name.
    public static let standard = [
        "created", "opened", "edited", "edited.metadata", "cropped", "resized", "color_adjustments", "filtered",
        "placed", "removed", "converted", "published", "transcoded", "drawing", "orientation", "repackaged",
        "redacted", "unknown",
    ]
}

/// An ingredient read, validated and ready to embed.
struct PreparedIngredient {
    var input: IngredientInput
    var format: String
    var instanceID: String
    /// Every manifest box of the ingredient's store, byte for byte, in store order.
    var manifests: [(label: String, box: ArraySlice<UInt8>)]
    var activeManifest: HashedURI?
    var claimSignature: HashedURI?
    var validation: StatusLists?
    var thumbnail: (data: [UInt8], mediaType: String)?

    /// `c2pa.ingredient.v3`, in the field order c2pa-rs writes.
    func assertion(thumbnailLabel: String?, thumbnailHash: [UInt8]?) -> CBOR {
        var m: [CBOR.MapEntry] = [
            .init("relationship", .textString(input.relationship.rawValue)),
            .init("dc:title", .textString(input.title ?? URL(fileURLWithPath: input.path).lastPathComponent)),
            .init("dc:format", .textString(format)),
        ]
        if let validation {
            m.append(.init("validationResults", .map([.init("activeManifest", Self.cbor(validation))])))
        }
        m.append(.init("instanceID", .textString(instanceID)))
        if let activeManifest { m.append(.init("activeManifest", activeManifest.cbor)) }
        if let claimSignature { m.append(.init("claimSignature", claimSignature.cbor)) }
        if let thumbnailLabel, let thumbnailHash {
            m.append(.init("thumbnail", HashedURI(url: "self#jumbf=c2pa.assertions/\(thumbnailLabel)", hash: thumbnailHash).cbor))
        }
        return .map(m)
    }

    static func cbor(_ s: StatusLists) -> CBOR {
        func list(_ items: [ValidationStatus]) -> CBOR {
            .array(
                items.map { status in
                    var e: [CBOR.MapEntry] = [.init("code", .textString(status.code.rawValue))]
                    if let url = status.url { e.append(.init("url", .textString(url))) }
                    if let x = status.explanation { e.append(.init("explanation", .textString(x))) }
                    return .map(e)
                })
        }
        return .map([.init("success", list(s.success)), .init("informational", list(s.informational)), .init("failure", list(s.failure))])
    }
}

extension Builder {
    /// Reads an ingredient: its format, its manifest store (embedded or sidecar) validated as it is now, and a
    /// thumbnail.
    func prepare(_ input: IngredientInput, trust: TrustSettings) async throws(SignError) -> PreparedIngredient {
        let reader: FileReader
        do {
            reader = try FileReader(path: input.path)
        } catch {
            throw SignError(code: error.code == .notFound ? .inputNotFound : .inputUnreadable, reason: "ingredient \(input.path): \(error.reason)")
        }
        let scan: AssetScan
        do {
            scan = try AssetContainer.scan(reader)
        } catch {
            throw SignError(
                code: error.code == .unsupportedFormat ? .unsupportedFormat : .corruptInput,
                reason: "ingredient \(input.path): \(error.reason)")
        }
        var storeBytes = scan.manifestStore
        var bound = BoundAsset(reader: reader, storeRanges: scan.storeRanges, protectedRanges: scan.protectedRanges)
        let sidecar = Sidecar.path(forAsset: input.path)
        if storeBytes == nil, FileManager.default.fileExists(atPath: sidecar) {
            storeBytes = try? Sidecar.read(path: sidecar)
            bound.storeRanges = []
        }
        var prepared = PreparedIngredient(
            input: input, format: scan.format.mimeType, instanceID: "xmp:iid:\(UUID().uuidString.lowercased())", manifests: [])
        if let storeBytes {
            let store: ManifestStore
            do {
                store = try ManifestStore(bytes: storeBytes)
            } catch {
                throw SignError(code: .corruptInput, reason: "ingredient \(input.path): \(error)")
            }
            if let active = store.activeManifest {
                prepared.manifests = store.manifests.map { ($0.label, store.bytes[$0.box.range]) }
                prepared.activeManifest = HashedURI(
                    url: JUMBFURI.absolute(manifest: active.label, path: ""), alg: "sha256",
                    hash: HashAlgorithm.sha256.hash(store.bytes[active.box.payloadRange]))
                if let sigBox = active.box.children.first(where: { $0.description?.type == .signature }) {
                    prepared.claimSignature = HashedURI(
                        url: JUMBFURI.absolute(manifest: active.label, path: "c2pa.signature"), alg: "sha256",
                        hash: HashAlgorithm.sha256.hash(store.bytes[sigBox.payloadRange]))
                }
                if case .success(let claim)? = active.claim, let id = claim.instanceID { prepared.instanceID = id }
                prepared.validation = await ManifestValidator(trust: trust).validate(active, in: store, asset: bound).statuses
            }
        }
        // The picture (or an audio file's cover art); none when it cannot be made: an ingredient's thumbnail is optional.
        prepared.thumbnail = try? Self.makeThumbnail(thumbnails, input: input.path, reader: reader, scan: scan).get()
        return prepared
    }
}
