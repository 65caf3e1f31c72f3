import Testing

@testable import SignetJUMBF

/// Checks against manifest stores written by the C2PA reference implementation (c2pa-rs), read from the shared
/// fixtures folder when present.
@Suite("c2pa-rs fixtures")
struct JUMBFReferenceFixtureTests {
    let parser = JUMBFParser()

    @Test("manifest_data.c2pa parses to store > manifest > (assertions, claim, signature)")
    func manifestDataStructure() throws {
        guard let bytes = c2paRSFixture("manifest_data.c2pa") else { return }
        let store = try parser.parseBox(bytes)
        #expect(store.label == "c2pa")
        #expect(store.jumbfType == .manifestStore)
        #expect(store.description?.toggles == 0x03)
        let manifest = try #require(store.children.last)
        #expect(manifest.jumbfType == .manifest)
        let manifestLabel = try #require(manifest.label)
        #expect(manifestLabel.contains("urn:uuid:"))
        #expect(manifest.children.map(\.label) == ["c2pa.assertions", "c2pa.claim", "c2pa.signature"])

        let assertions = try #require(manifest.child(labeled: "c2pa.assertions"))
        #expect(
            assertions.children.map(\.label) == [
                "c2pa.thumbnail.claim.jpeg", "stds.schema-org.CreativeWork", "c2pa.actions", "c2pa.hash.data",
            ])
        let thumbnail = try #require(assertions.child(labeled: "c2pa.thumbnail.claim.jpeg"))
        #expect(thumbnail.jumbfType == .embeddedFile)
        let bfdb = try JUMBFEmbeddedFileDescription(payload: try #require(thumbnail.firstData(ofType: .bfdb)))
        #expect(bfdb.mediaType == "image/jpeg")
        #expect(thumbnail.firstData(ofType: .bidb)?.prefix(2) == [0xFF, 0xD8])

        let creativeWork = try #require(manifest.descendant(path: "c2pa.assertions/stds.schema-org.CreativeWork"))
        #expect(creativeWork.jumbfType == .json)
        #expect(creativeWork.description?.salt?.count == 16)

        let hashData = try #require(store.descendant(path: "/c2pa/\(manifestLabel)/c2pa.assertions/c2pa.hash.data"))
        #expect(hashData.jumbfType == .cbor)
        #expect(manifest.child(labeled: "c2pa.signature")?.jumbfType == .signature)
        #expect(manifest.child(labeled: "c2pa.claim")?.jumbfType == .claim)
    }

    @Test("Our writer reproduces the reference bytes: whole store and individual assertions")
    func writerMatchesReference() throws {
        guard let bytes = c2paRSFixture("manifest_data.c2pa") else { return }
        let base = 4_096
        let store = try parser.parseBox(bytes, baseOffset: base)
        #expect(JUMBFWriter.serialize(store) == bytes)

        func original(_ box: JUMBFBox) -> [UInt8] {
            Array(bytes[(box.range.lowerBound - base)..<(box.range.upperBound - base)])
        }
        let assertions = try #require(store.children.last?.child(labeled: "c2pa.assertions"))

        let actions = try #require(assertions.child(labeled: "c2pa.actions"))
        let rebuiltActions = JUMBFWriter.cborContentBox(
            label: "c2pa.actions", cbor: try #require(actions.firstData(ofType: .cbor)))
        #expect(rebuiltActions == original(actions))

        let creativeWork = try #require(assertions.child(labeled: "stds.schema-org.CreativeWork"))
        let rebuiltCreativeWork = JUMBFWriter.jsonContentBox(
            label: "stds.schema-org.CreativeWork", json: try #require(creativeWork.firstData(ofType: .json)),
            salt: creativeWork.description?.salt)
        #expect(rebuiltCreativeWork == original(creativeWork))

        let thumbnail = try #require(assertions.child(labeled: "c2pa.thumbnail.claim.jpeg"))
        let rebuiltThumbnail = JUMBFWriter.embeddedFileBox(
            label: "c2pa.thumbnail.claim.jpeg", mediaType: "image/jpeg", fileName: nil,
            data: try #require(thumbnail.firstData(ofType: .bidb)))
        #expect(rebuiltThumbnail == original(thumbnail))
    }

    @Test("The claim's hashed URIs are SHA-256 over each assertion superbox without its header (payloadRange)")
    func hashedURIsCoverPayloadRange() throws {
        guard let bytes = c2paRSFixture("manifest_data.c2pa") else { return }
        let base = 12
        let store = try parser.parseBox(bytes, baseOffset: base)
        let manifest = try #require(store.children.last)
        let claimCBOR = try #require(manifest.child(labeled: "c2pa.claim")?.firstData(ofType: .cbor))
        let assertions = try #require(manifest.child(labeled: "c2pa.assertions"))
        #expect(assertions.children.count == 4)
        for assertion in assertions.children {
            let payload = Array(bytes[(assertion.payloadRange.lowerBound - base)..<(assertion.payloadRange.upperBound - base)])
            let whole = Array(bytes[(assertion.range.lowerBound - base)..<(assertion.range.upperBound - base)])
            #expect(claimCBOR.containsSequence(sha256(payload)), "\(assertion.label ?? "?")")
            #expect(!claimCBOR.containsSequence(sha256(whole)), "\(assertion.label ?? "?")")
        }
    }

    @Test("cloud_manifest.c2pa (two manifests, ingredients) parses and re-serialises byte for byte")
    func cloudManifest() throws {
        guard let bytes = c2paRSFixture("cloud_manifest.c2pa") else { return }
        let store = try parser.parseBox(bytes)
        #expect(store.children.count == 2)
        #expect(store.children.allSatisfy { $0.jumbfType == .manifest })
        let active = try #require(store.children.last)
        #expect(active.descendant(path: "c2pa.assertions/my.assertion")?.description?.salt?.count == 16)
        #expect(JUMBFWriter.serialize(store) == bytes)
    }

    @Test("The SHA-256 used by these tests matches the FIPS 180-4 test vector")
    func sha256SelfCheck() {
        let digest = sha256(Array("abc".utf8))
        #expect(
            digest == [
                0xBA, 0x78, 0x16, 0xBF, 0x8F, 0x01, 0xCF, 0xEA, 0x41, 0x41, 0x40, 0xDE, 0x5D, 0xAE, 0x22, 0x23,
                0xB0, 0x03, 0x61, 0xA3, 0x96, 0x17, 0x7A, 0x9C, 0xB4, 0x10, 0xFF, 0x61, 0xF2, 0x00, 0x15, 0xAD,
            ])
    }
}
