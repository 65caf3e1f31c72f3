import Foundation
import SignetCBOR
import Testing

@testable import Signet

struct JSONValueTests {
    let sample = #"{"a": [1, -2, 3.5, true, false, null, "x\"y\u00e9\ud83d\ude00"], "b": {"c": {}}, "d": []}"#

    @Test("JSON round-trips through the parser and the writer, keeping member order")
    func roundTrip() throws {
        let v = try JSONValue.parse(sample)
        #expect(v.objectValue?.map(\.0) == ["a", "b", "d"])
        #expect(try JSONValue.parse(v.serialized()) == v)
        #expect(try JSONValue.parse(v.serialized(pretty: true)) == v)
        #expect(v["a"]?.arrayValue?[6].stringValue == "x\"y\u{e9}\u{1F600}")
    }

    @Test("Every strict prefix of a JSON document is rejected with a parse error")
    func everyPrefixFails() {
        let bytes = Array(sample.utf8)
        for n in 0..<bytes.count {
            #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(bytes[0..<n])) }
        }
    }

    @Test("Nesting deeper than the limit, trailing characters and lone surrogates are rejected")
    func hostileInput() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("{} x") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(#""\ud800""#) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("[1,]") }
        #expect(throws: JSONParseError.self) { try JSONValue.parse("01x") }
    }

    @Test("CBOR converts to JSON with byte strings as base64 and back for definitions")
    func cborBridge() {
        let c: CBOR = .map([.init("h", .byteString([1, 2, 3])), .init("n", .int(-5)), .init("t", .tagged(0, "2026"))])
        let j = CBORJSON.json(from: c)
        #expect(j["h"]?.stringValue == "AQID")
        #expect(j["n"] == .int(-5))
        #expect(j["t"]?.stringValue == "2026")
        #expect(CBORJSON.cbor(from: .object([("k", .int(7))])) == .map([.init("k", .unsignedInt(7))]))
    }
}

struct ModelTests {
    @Test("Validation state follows c2pa-rs: untrusted alone is Valid, any other failure is Invalid, trusted with no failure is Trusted")
    func stateSemantics() {
        let untrusted = ValidationStatus(.signingCredentialUntrusted, url: nil, nil)
        let trusted = ValidationStatus(.signingCredentialTrusted, url: nil, nil)
        let mismatch = ValidationStatus(.assertionDataHashMismatch, url: nil, nil)
        #expect(ValidationState(failures: [untrusted], successes: []) == .valid)
        #expect(ValidationState(failures: [], successes: []) == .valid)
        #expect(ValidationState(failures: [], successes: [trusted]) == .trusted)
        #expect(ValidationState(failures: [untrusted, mismatch], successes: [trusted]) == .invalid)
        #expect(ValidationState(failures: [mismatch], successes: [trusted]) == .invalid)
    }

    @Test("Certificate serial numbers print in decimal as c2pa-rs prints them")
    func decimalSerials() {
        #expect(DecimalString.fromBigEndian([]) == "0")
        #expect(DecimalString.fromBigEndian([0x01, 0x00]) == "256")
        #expect(DecimalString.fromBigEndian([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) == "18446744073709551615")
        // 2^80
        #expect(DecimalString.fromBigEndian([1] + [UInt8](repeating: 0, count: 10)) == "1208925819614629174706176")
    }

    @Test("JUMBF URIs resolve relative and absolute forms")
    func jumbfURIs() {
        #expect(JUMBFURI.parse("self#jumbf=c2pa.assertions/c2pa.hash.data")! == (nil, "c2pa.assertions/c2pa.hash.data"))
        let abs = JUMBFURI.parse("self#jumbf=/c2pa/urn:c2pa:1234/c2pa.signature")!
        #expect(abs.manifest == "urn:c2pa:1234" && abs.path == "c2pa.signature")
        #expect(JUMBFURI.parse("http://example.com") == nil)
        #expect(JUMBFURI.parse("self#jumbf=/other/x") == nil)
    }

    @Test("Claims decode v1 and v2, list unknown fields, and refuse a claim without a signature reference")
    func claims() throws {
        let uri: CBOR = .map([.init("url", "self#jumbf=c2pa.assertions/a"), .init("hash", .byteString([1]))])
        let v2: CBOR = .map([
            .init("instanceID", "xmp:iid:1"), .init("claim_generator_info", .map([.init("name", "x")])),
            .init("signature", "self#jumbf=c2pa.signature"), .init("created_assertions", .array([uri])),
            .init("future_field", 1),
        ])
        let c = try Claim(cbor: v2, version: 2)
        #expect(c.assertionReferences.count == 1)
        #expect(c.unknownFields == ["future_field"])
        #expect(c.claimGeneratorInfo.count == 1)
        let v1: CBOR = .map([.init("claim_generator", "old"), .init("signature", "self#jumbf=c2pa.signature"), .init("assertions", .array([uri, uri]))])
        #expect(try Claim(cbor: v1, version: 1).assertionReferences.count == 2)
        #expect(throws: ClaimDecodingError.self) { try Claim(cbor: .map([.init("instanceID", "x")]), version: 2) }
        #expect(throws: ClaimDecodingError.self) { try Claim(cbor: .array([]), version: 2) }
        #expect(throws: ClaimDecodingError.self) {
            try Claim(cbor: .map([.init("signature", "s"), .init("instanceID", "i"), .init("created_assertions", .array([1]))]), version: 2)
        }
    }

    @Test("Data hash assertions with negative or overflowing exclusions are malformed")
    func dataHashBounds() throws {
        let good: CBOR = .map([.init("exclusions", .array([.map([.init("start", 20), .init("length", 100)])])), .init("hash", .byteString([0]))])
        #expect(try DataHashAssertion(cbor: good).exclusions == [20..<120])
        let negative: CBOR = .map([.init("exclusions", .array([.map([.init("start", .int(-1)), .init("length", 1)])])), .init("hash", .byteString([0]))])
        #expect(throws: ClaimDecodingError.self) { try DataHashAssertion(cbor: negative) }
        let overflow: CBOR = .map([.init("exclusions", .array([.map([.init("start", .int(Int64.max)), .init("length", 2)])])), .init("hash", .byteString([0]))])
        #expect(throws: ClaimDecodingError.self) { try DataHashAssertion(cbor: overflow) }
    }

    @Test("Manifest definitions in c2patool's shape parse, and bad ones give one clear reason")
    func definitions() throws {
        let d = try ManifestDefinition(json: #"{"claim_generator_info":[{"name":"app","version":"1"}],"title":"T","assertions":[{"label":"stds.schema-org.CreativeWork","data":{"@type":"CreativeWork"}},{"label":"com.example.note","data":{"n":1}}]}"#)
        #expect(d.title == "T")
        #expect(d.assertions.map(\.asJSON) == [true, false])
        #expect(throws: DefinitionError.self) { try ManifestDefinition(json: "[]") }
        #expect(throws: DefinitionError.self) { try ManifestDefinition(json: #"{"assertions":[{"label":"a/b","data":{}}]}"#) }
        #expect(throws: DefinitionError.self) { try ManifestDefinition(json: #"{"assertions":[{"label":"c2pa.hash.data","data":{}}]}"#) }
        #expect(throws: DefinitionError.self) { try ManifestDefinition(json: #"{"claim_generator_info":[{"version":"1"}]}"#) }
    }

    @Test("Digital source types accept IPTC short names and URLs")
    func sourceTypes() {
        #expect(DigitalSourceType.url(for: "trainedAlgorithmicMedia") == "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
        #expect(DigitalSourceType.url(for: "DIGITALCAPTURE") == "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture")
        #expect(DigitalSourceType.url(for: "nonsense") == nil)
    }

    @Test("A manifest store that is not JUMBF, or not a C2PA store, is refused with a typed error")
    func storeErrors() {
        #expect(throws: ManifestStoreError.self) { try ManifestStore(bytes: []) }
        #expect(throws: ManifestStoreError.self) { try ManifestStore(bytes: [0, 0, 0, 8] + Array("jumb".utf8)) }
    }
}
