import Foundation
import SignetCBOR

/// What a publisher asks to put in a manifest, in the shape of c2patool's manifest definition JSON:
///
///     { "claim_generator_info": [{"name": "...", "version": "..."}], "title": "...",
///       "assertions": [{"label": "...", "data": {...}, "kind": "Json"?}] }
public struct ManifestDefinition: Sendable {
    public struct Assertion: Sendable {
        public var label: String
        public var data: JSONValue
        /// Stored as a JSON content box instead of CBOR (c2patool's `"kind": "Json"`; schema.org assertions).
        public var asJSON: Bool
        public init(label: String, data: JSONValue, asJSON: Bool = false) {
            self.label = label
            self.data = data
            self.asJSON = asJSON
        }
    }

    public var claimGeneratorInfo: [JSONValue] = []
    public var title: String?
    public var assertions: [Assertion] = []

    public init(claimGeneratorInfo: [JSONValue] = [], title: String? = nil, assertions: [Assertion] = []) {
        self.claimGeneratorInfo = claimGeneratorInfo
        self.title = title
        self.assertions = assertions
    }

    /// Parses a definition; unknown top-level fields are ignored (the c2patool format has many).
    public init(json text: String) throws(DefinitionError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw DefinitionError(reason: "manifest definition: \(error)")
        }
        guard value.objectValue != nil else { throw DefinitionError(reason: "manifest definition must be a JSON object") }
        switch value["claim_generator_info"] {
        case .array(let items)?: claimGeneratorInfo = items
        case .object(let o)?: claimGeneratorInfo = [.object(o)]
        case nil: break
        default: throw DefinitionError(reason: "manifest definition: claim_generator_info must be an array of objects")
        }
        for info in claimGeneratorInfo where info["name"]?.stringValue == nil {
            throw DefinitionError(reason: "manifest definition: each claim_generator_info entry needs a \"name\"")
        }
        if let t = value["title"] {
            guard let s = t.stringValue else { throw DefinitionError(reason: "manifest definition: title must be a string") }
            title = s
        }
        if let a = value["assertions"] {
            guard let items = a.arrayValue else { throw DefinitionError(reason: "manifest definition: assertions must be an array") }
            for (i, item) in items.enumerated() {
                guard let label = item["label"]?.stringValue, !label.isEmpty else {
                    throw DefinitionError(reason: "manifest definition: assertions[\(i)] needs a \"label\"")
                }
                guard Self.isValidLabel(label) else {
                    throw DefinitionError(reason: "manifest definition: assertion label \"\(label)\" has characters C2PA forbids")
                }
                guard let data = item["data"] else {
                    throw DefinitionError(reason: "manifest definition: assertions[\(i)] (\(label)) needs \"data\"")
                }
                let kind = item["kind"]?.stringValue?.lowercased()
                assertions.append(Assertion(label: label, data: data, asJSON: kind == "json" || label.hasPrefix("stds.schema-org.")))
            }
        }
    }

    /// Labels are dotted names; '/' would break JUMBF URIs and NUL would end the label early.
    static func isValidLabel(_ label: String) -> Bool {
        !label.contains("/") && !label.contains("\0") && label.utf8.count <= 256
            && !label.hasPrefix("c2pa.hash.") && !label.hasPrefix("c2pa.thumbnail.")
    }
}

public struct DefinitionError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// IPTC / C2PA digital source types, with the short names the CLI accepts.
public enum DigitalSourceType {
    static let iptc = "http://cv.iptc.org/newscodes/digitalsourcetype/"
    public static let shortNames = [
        "digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print", "humanEdits",
        "compositeCapture", "algorithmicallyEnhanced", "digitalCreation", "dataDrivenMedia", "trainedAlgorithmicMedia",
        "compositeWithTrainedAlgorithmicMedia", "algorithmicMedia", "screenCapture", "virtualRecording", "composite",
        "compositeSynthetic",
    ]

    /// Accepts a short name (`trainedAlgorithmicMedia`) or a full URL.
    public static func url(for value: String) -> String? {
        if value.hasPrefix("http://") || value.hasPrefix("https://") { return value }
        if value == "empty" { return "http://c2pa.org/digitalsourcetype/empty" }
        if value == "trainedAlgorithmicData" { return "http://c2pa.org/digitalsourcetype/trainedAlgorithmicData" }
        guard let name = shortNames.first(where: { $0.lowercased() == value.lowercased() }) else { return nil }
        return iptc + name
    }
}
