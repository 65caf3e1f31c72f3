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
    /// The parser limits for C2PA stores: the defaults, without LBox 0.
    public static var storeLimits: JUMBFParser.Limits {
        var limits = JUMBFParser.Limits.default
        limits.allowsLengthToEnd = false
        return limits
    }

    public init(bytes: [UInt8], limits: JUMBFParser.Limits = ManifestStore.storeLimits) throws(ManifestStoreError) {
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
        try Self.checkStructure(root)
        self.manifests = root.children.compactMap { box in
            guard let d = box.description, d.type == .manifest || d.type == .updateManifest || d.type == .legacyManifest else { return nil }
            return Manifest(box: box, storeBytes: bytes)
        }
    }

    /// C2PA 2.2, 11.1.4: every C2PA superbox is labelled and requestable, and the fixed parts of a manifest carry
    /// their fixed labels. These bytes are covered by no signature, so a store that bends them is refused
    /// rather than read leniently: a validator that ignored them would accept edits nothing vouches for.
    static func checkStructure(_ root: JUMBFBox) throws(ManifestStoreError) {
        func refuse(_ why: String) -> ManifestStoreError { ManifestStoreError(code: .malformedStructure, reason: why) }
        func labelledRequestable(_ box: JUMBFBox, _ what: String) throws(ManifestStoreError) {
            guard let d = box.description, d.requestable, d.label != nil else {
                throw refuse("\(what) is not labelled and requestable (C2PA 2.2, 11.1.4.1.2)")
            }
        }
        try labelledRequestable(root, "the manifest store")
        guard root.label == "c2pa" else { throw refuse("the manifest store is labelled \(root.label ?? "") instead of c2pa") }
        let fixed: [JUMBFType: Set<String>] = [
            .assertionStore: ["c2pa.assertions"], .claim: ["c2pa.claim", "c2pa.claim.v2"], .signature: ["c2pa.signature"],
        ]
        var manifestLabels = Set<String>()
        for manifest in root.children {
            guard let type = manifest.description?.type, [.manifest, .updateManifest, .legacyManifest].contains(type) else { continue }
            try labelledRequestable(manifest, "a manifest")
            let label = manifest.label ?? ""
            // A label names one manifest: ingredients and reports find manifests by label.
            guard manifestLabels.insert(label).inserted else { throw refuse("two manifests are labelled \(label)") }
            // Every manifest is a whole one: an assertion store, a claim and its signature.
            for part in [JUMBFType.assertionStore, .claim, .signature] where !manifest.children.contains(where: { $0.description?.type == part }) {
                throw refuse("\(label) has no \(part) box")
            }
            for part in manifest.children {
                guard let d = part.description else { continue }
                if let labels = fixed[d.type] {
                    try labelledRequestable(part, "\(label): a \(d.type) box")
                    guard let l = d.label, labels.contains(l) else {
                        throw refuse("\(label): a \(d.type) box is labelled \(d.label ?? "(none)")")
                    }
                }
                if d.type == .assertionStore {
                    var assertionLabels = Set<String>()
                    for assertion in part.children {
                        try labelledRequestable(assertion, "\(label): an assertion")
                        // A hashed URI names an assertion by label: two boxes with one label let the report show
                        // the one no hash covers.
                        guard assertionLabels.insert(assertion.label ?? "").inserted else {
                            throw refuse("\(label): two assertions are labelled \(assertion.label ?? "")")
                        }
                    }
                }
            }
        }
    }


}

public struct ManifestStoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        public let rawValue: String
        public static let malformedJUMBF = Code(rawValue: "malformedJUMBF")
        public static let notAManifestStore = Code(rawValue: "notAManifestStore")
        public static let malformedStructure = Code(rawValue: "malformedStructure")
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
    /// Where ``claimBytes`` sit in the store.
    public let claimBox: Range<Int>?
    public let claim: Result<Claim, ClaimDecodingError>?
    public let signatureBytes: [UInt8]?
    /// The `c2pa.signature` box, whose payload an ingredient's `claimSignature` hashes.
    public let signatureBox: JUMBFBox?
    public let assertions: [AssertionBox]
    /// How many claim boxes the manifest holds (C2PA allows exactly one: more is `claim.multiple`).
    public let claimBoxCount: Int
    /// Whether the manifest holds more than one signature box or assertion store.
    public let duplicateParts: Bool
    private let assertionIndex: [String: Int]

    init?(box: JUMBFBox, storeBytes: [UInt8]) {
        guard let label = box.label else { return nil }
        self.label = label
        self.box = box
        self.isUpdateManifest = box.description?.type == .updateManifest

        // The claim box is found by its type; its label (unsigned) only says which claim version the writer meant,
        // and the version is taken from the claim's own (signed) fields, as c2pa-rs does.
        let claimBoxes = box.children.filter { $0.description?.type == .claim }
        let claimBox = claimBoxes.first
        self.claimBoxCount = claimBoxes.count
        self.claimLabel = claimBox?.label
        let claimData = claimBox?.children.first { $0.type == .cbor }?.data
        self.claimBytes = claimData
        self.claimBox = claimBox?.children.first { $0.type == .cbor }?.payloadRange
        if let claimData, let claimBox {
            if let label = claimBox.label, !Manifest.isKnownClaimLabel(label) {
                self.claim = .failure(ClaimDecodingError(reason: "unsupported claim version \(label)"))
            } else {
                do {
                    let cbor = try CBORDecoder().decode(claimData)
                    self.claim = Result { () throws(ClaimDecodingError) in
                        try Claim(cbor: cbor, version: try Claim.version(of: cbor))
                    }
                } catch {
                    self.claim = .failure(ClaimDecodingError(reason: "claim CBOR is invalid: \(error)"))
                }
            }
        } else if claimBox != nil {
            self.claim = .failure(ClaimDecodingError(reason: "claim box has no CBOR content"))
        } else {
            self.claim = nil
        }

        let signatureBoxes = box.children.filter { $0.description?.type == .signature }
        self.signatureBox = signatureBoxes.first
        self.signatureBytes = signatureBoxes.first?.children.first { $0.type == .cbor }?.data
        let assertionStores = box.children.filter { $0.description?.type == .assertionStore }
        self.duplicateParts = signatureBoxes.count > 1 || assertionStores.count > 1

        self.assertions = (assertionStores.first?.children ?? []).compactMap { AssertionBox(box: $0, storeBytes: storeBytes) }
        var index: [String: Int] = [:]
        for (i, a) in assertions.enumerated() where index[a.label] == nil { index[a.label] = i }
        self.assertionIndex = index
    }

    /// The assertions the claim names (a hashed URI per label), in store order: the manifest's content. Other
    /// boxes in the assertion store are covered by no signature and are never shown as the manifest's.
    public var claimedAssertions: [AssertionBox] {
        guard case .success(let claim)? = claim else { return [] }
        let named = Set(claim.assertionReferences.map(ManifestValidator.referencedLabel))
        return assertions.filter { named.contains($0.label) }
    }

    /// `c2pa.claim` (1.x) and `c2pa.claim.v2`: the labels a claim box may carry.
    static func isKnownClaimLabel(_ label: String) -> Bool { label == "c2pa.claim" || label == "c2pa.claim.v2" }

    /// The assertion labelled `label` in this manifest's assertion store (the first, if a hostile store repeats it).
    public func assertion(labeled label: String) -> AssertionBox? { assertionIndex[label].map { assertions[$0] } }

    /// Resolves a JUMBF URI (relative to this manifest, or absolute into the store) to an assertion box.
    public func resolveAssertion(_ url: String, in store: ManifestStore) -> AssertionBox? {
        guard let (manifestLabel, path) = JUMBFURI.parse(url) else { return nil }
        let target = manifestLabel.flatMap { store.manifest(labeled: $0) } ?? (manifestLabel == nil ? self : nil)
        guard let target else { return nil }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 2, parts[0] == "c2pa.assertions" else { return nil }
        return target.assertion(labeled: parts[1])
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
    /// Where ``content`` sits in the store's bytes.
    public let contentRange: Range<Int>?

    init?(box: JUMBFBox, storeBytes: [UInt8]) {
        guard let description = box.description, let label = description.label else { return nil }
        self.label = label
        self.box = box
        guard box.payloadRange.lowerBound >= 0, box.payloadRange.upperBound <= storeBytes.count else { return nil }
        self.hashedBytes = storeBytes[box.payloadRange]
        let contents = box.children
        let chosen: JUMBFBox?
        if let c = contents.first(where: { $0.type == .cbor }) {
            kind = .cbor
            chosen = c
        } else if let j = contents.first(where: { $0.type == .json }) {
            kind = .json
            chosen = j
        } else if let file = contents.first(where: { $0.type == .bidb }) {
            let descriptionBox = contents.first { $0.type == .bfdb }?.data
            kind = .embeddedFile(mediaType: descriptionBox.flatMap(AssertionBox.mediaType(fromFileDescription:)))
            chosen = file
        } else {
            kind = .other(contents.first.map { $0.type.description } ?? "empty")
            chosen = contents.first
        }
        content = chosen?.data
        contentRange = chosen?.payloadRange
    }

    /// The assertion's base label: `c2pa.actions.v2` -> `c2pa.actions`, `c2pa.ingredient__1` -> `c2pa.ingredient`.
    public var baseLabel: String { Self.baseLabel(of: label) }

    /// The base of any assertion label (see ``baseLabel``).
    public static func baseLabel(of label: String) -> String {
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
