import Foundation
import SignetCBOR
import SignetJUMBF

/// A C2PA manifest store (`c2pa` JUMBF superbox) as read from a file: the raw bytes are kept so that every hash
/// is computed over exactly the bytes received.
///
///     store    = jumb(jumd c2pa "c2pa", manifest+)
///     manifest = jumb(jumd c2ma|c2um label, assertion-store, claim, signature, ? credential-store, ? databoxes)
public struct ManifestStore: Sendable {
    public let bytes: [UInt8]
    public let root: JUMBFBox
    public let manifests: [Manifest]

    /// The active manifest is the last one in the store (C2PA 2.2, "Manifest store").
    public var activeManifest: Manifest? { manifests.last }

    public func manifest(labeled label: String) -> Manifest? { manifests.first { $0.label == label } }

    /// Parses a store. Throws only when the bytes are not a C2PA manifest store at all; problems inside a manifest
    /// are kept on the manifest and become status codes during validation.
    public init(bytes: [UInt8], limits: JUMBFParser.Limits = .default) throws(ManifestStoreError) {
        self.bytes = bytes
        let root: JUMBFBox
        do {
            root = try JUMBFParser(limits: limits).parseBox(bytes)
        } catch {
            throw ManifestStoreError(code: .malformedJUMBF, reason: "manifest store is not valid JUMBF: \(error)")
        }
        guard let description = root.description, description.type == .manifestStore else {
            throw ManifestStoreError(code: .notAManifestStore, reason: "JUMBF box is not a C2PA manifest store")
        }
        self.root = root
        self.manifests = root.children.compactMap { box in
            guard let d = box.description, d.type == .manifest || d.type == .updateManifest else { return nil }
            return Manifest(box: box, storeBytes: bytes)
        }
    }
}

public struct ManifestStoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let rawValue: String
        public static let malformedJUMBF = Code(rawValue: "malformedJUMBF")
        public static let notAManifestStore = Code(rawValue: "notAManifestStore")
    }
    public var code: Code
    public var reason: String
    public var description: String { reason }
}

/// One manifest: its assertion store, claim and claim signature, located but not yet validated.
public struct Manifest: Sendable {
    public let label: String
    public let isUpdateManifest: Bool
    public let box: JUMBFBox
    /// The claim box's label (`c2pa.claim` or `c2pa.claim.v2`), if present.
    public let claimLabel: String?
    /// The claim's CBOR bytes exactly as stored: the COSE payload.
    public let claimBytes: [UInt8]?
    public let claim: Result<Claim, ClaimDecodingError>?
    public let signatureBytes: [UInt8]?
    public let assertions: [AssertionBox]

    init?(box: JUMBFBox, storeBytes: [UInt8]) {
        guard let label = box.label else { return nil }
        self.label = label
        self.box = box
        self.isUpdateManifest = box.description?.type == .updateManifest

        let claimBox = box.children.first { ($0.label ?? "").hasPrefix("c2pa.claim") && $0.description?.type == .claim }
        self.claimLabel = claimBox?.label
        let claimData = claimBox?.children.first { $0.type == .cbor }?.data
        self.claimBytes = claimData
        if let claimData, let claimLabel {
            let version: Int
            switch claimLabel {
            case "c2pa.claim": version = 1
            case "c2pa.claim.v2": version = 2
            default: version = 0
            }
            if version == 0 {
                self.claim = .failure(ClaimDecodingError(reason: "unsupported claim version \(claimLabel)"))
            } else {
                do {
                    let cbor = try CBORDecoder().decode(claimData)
                    self.claim = Result { () throws(ClaimDecodingError) in try Claim(cbor: cbor, version: version) }
                } catch {
                    self.claim = .failure(ClaimDecodingError(reason: "claim CBOR is invalid: \(error)"))
                }
            }
        } else if claimBox != nil {
            self.claim = .failure(ClaimDecodingError(reason: "claim box has no CBOR content"))
        } else {
            self.claim = nil
        }

        let signatureBox = box.children.first { $0.description?.type == .signature }
        self.signatureBytes = signatureBox?.children.first { $0.type == .cbor }?.data

        let assertionStore = box.children.first { $0.description?.type == .assertionStore }
        self.assertions = (assertionStore?.children ?? []).compactMap { AssertionBox(box: $0, storeBytes: storeBytes) }
    }

    /// Resolves a JUMBF URI (relative to this manifest, or absolute into the store) to an assertion box.
    public func resolveAssertion(_ url: String, in store: ManifestStore) -> AssertionBox? {
        guard let (manifestLabel, path) = JUMBFURI.parse(url) else { return nil }
        let target = manifestLabel.flatMap { store.manifest(labeled: $0) } ?? (manifestLabel == nil ? self : nil)
        guard let target else { return nil }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 2, parts[0] == "c2pa.assertions" else { return nil }
        return target.assertions.first { $0.label == parts[1] }
    }
}

/// An assertion superbox in the assertion store.
public struct AssertionBox: Sendable {
    public enum Kind: Sendable, Equatable { case cbor, json, embeddedFile(mediaType: String?), other(String) }

    public let label: String
    public let kind: Kind
    public let box: JUMBFBox
    /// The bytes a hashed URI covers: the superbox's payload (description box and content boxes, not the header).
    public let hashedBytes: ArraySlice<UInt8>
    /// The content box's payload (CBOR / JSON bytes, or the embedded file's data).
    public let content: [UInt8]?

    init?(box: JUMBFBox, storeBytes: [UInt8]) {
        guard let description = box.description, let label = description.label else { return nil }
        self.label = label
        self.box = box
        guard box.payloadRange.lowerBound >= 0, box.payloadRange.upperBound <= storeBytes.count else { return nil }
        self.hashedBytes = storeBytes[box.payloadRange]
        let contents = box.children
        if let c = contents.first(where: { $0.type == .cbor }) {
            kind = .cbor
            content = c.data
        } else if let j = contents.first(where: { $0.type == .json }) {
            kind = .json
            content = j.data
        } else if let file = contents.first(where: { $0.type == .bidb }) {
            let descriptionBox = contents.first { $0.type == .bfdb }?.data
            kind = .embeddedFile(mediaType: descriptionBox.flatMap(AssertionBox.mediaType(fromFileDescription:)))
            content = file.data
        } else {
            kind = .other(contents.first.map { $0.type.description } ?? "empty")
            content = contents.first?.data
        }
    }

    /// The assertion's base label: `c2pa.actions.v2` -> `c2pa.actions`, `c2pa.ingredient__1` -> `c2pa.ingredient`.
    public var baseLabel: String {
        var l = label
        if let r = l.range(of: "__", options: .backwards), Int(l[r.upperBound...]) != nil { l = String(l[..<r.lowerBound]) }
        if let r = l.range(of: ".v", options: .backwards), Int(l[r.upperBound...]) != nil { l = String(l[..<r.lowerBound]) }
        return l
    }

    /// bfdb payload: toggles byte, NUL-terminated media type, optional NUL-terminated file name.
    static func mediaType(fromFileDescription bytes: [UInt8]) -> String? {
        guard bytes.count >= 2, let end = bytes[1...].firstIndex(of: 0) else { return nil }
        return String(validating: bytes[1..<end], as: UTF8.self)
    }
}
