import Testing

@testable import SignetJUMBF

@Suite("Round trips and lookups")
struct JUMBFRoundTripTests {
    let parser = JUMBFParser()

    @Test("A written C2PA-shaped store parses to the expected tree and re-serialises to the same bytes")
    func storeRoundTrip() throws {
        let bytes = Sample.store
        let store = try parser.parseBox(bytes)
        #expect(store.type == .jumb)
        #expect(store.label == "c2pa")
        #expect(store.jumbfType == .manifestStore)
        #expect(store.range == 0..<bytes.count)
        #expect(store.payloadRange == 8..<bytes.count)

        let manifest = try #require(store.children.first)
        #expect(store.children.count == 1)
        #expect(manifest.jumbfType == .manifest)
        #expect(manifest.label == Sample.manifestLabel)
        #expect(manifest.children.map(\.label) == ["c2pa.assertions", "c2pa.claim.v2", "c2pa.signature"])
        #expect(manifest.children.map(\.jumbfType) == [.assertionStore, .claim, .signature])

        let assertions = try #require(manifest.child(labeled: "c2pa.assertions"))
        #expect(assertions.children.map(\.label) == ["c2pa.hash.data", "c2pa.actions.v2", "c2pa.thumbnail.claim.jpeg"])
        #expect(manifest.child(labeled: "c2pa.claim.v2")?.firstData(ofType: .cbor) == Sample.claimCBOR)
        #expect(manifest.child(labeled: "c2pa.signature")?.firstData(ofType: .cbor) == Sample.signatureCBOR)

        #expect(JUMBFWriter.serialize(store) == bytes)
    }

    @Test("Parsing, serialising and parsing again gives an equal value")
    func parseSerializeParse() throws {
        let first = try parser.parseBox(Sample.store, baseOffset: 77)
        let second = try parser.parseBox(JUMBFWriter.serialize(first), baseOffset: 77)
        #expect(first == second)
    }

    @Test("descendant(path:) finds assertions and reports absolute offsets that include baseOffset")
    func descendantOffsets() throws {
        let base = 1_000
        let bytes = Sample.store
        let store = try parser.parseBox(bytes, baseOffset: base)
        #expect(store.range == base..<(base + bytes.count))

        let path = "\(Sample.manifestLabel)/c2pa.assertions/c2pa.hash.data"
        let hashData = try #require(store.descendant(path: path))
        let expected = Sample.hashDataBox
        let local = (hashData.range.lowerBound - base)..<(hashData.range.upperBound - base)
        #expect(Array(bytes[local]) == expected)
        #expect(hashData.headerSize == 8)
        #expect(hashData.payloadRange == (hashData.range.lowerBound + 8)..<hashData.range.upperBound)
        // What a C2PA hashed URI covers: the superbox without its own header.
        let payload = (hashData.payloadRange.lowerBound - base)..<(hashData.payloadRange.upperBound - base)
        #expect(Array(bytes[payload]) == Array(expected.dropFirst(8)))

        let cbor = try #require(hashData.children.first)
        #expect(cbor.type == .cbor)
        #expect(cbor.data == Sample.hashDataCBOR)
        let cborLocal = (cbor.payloadRange.lowerBound - base)..<(cbor.payloadRange.upperBound - base)
        #expect(Array(bytes[cborLocal]) == Sample.hashDataCBOR)
    }

    @Test("Absolute paths start at the box's own label; empty path is the box itself")
    func absoluteAndEmptyPaths() throws {
        let store = try parser.parseBox(Sample.store)
        let claim = store.descendant(path: "/c2pa/\(Sample.manifestLabel)/c2pa.claim.v2")
        #expect(claim?.jumbfType == .claim)
        #expect(store.descendant(path: "") == store)
        #expect(store.descendant(path: "/other/\(Sample.manifestLabel)") == nil)
        #expect(store.descendant(path: "\(Sample.manifestLabel)//c2pa.claim.v2") == nil)
        #expect(store.descendant(path: "\(Sample.manifestLabel)/c2pa.nothing") == nil)
        let manifest = try #require(store.children.first)
        #expect(manifest.descendant(path: "c2pa.assertions/c2pa.actions.v2")?.label == "c2pa.actions.v2")
    }

    @Test("A label shared by two siblings is ambiguous and does not resolve")
    func ambiguousLabel() throws {
        let child = JUMBFWriter.cborContentBox(label: "dup", cbor: [0xF6])
        let other = JUMBFWriter.cborContentBox(label: "unique", cbor: [0xF6])
        let bytes = JUMBFWriter.contentSuperbox(type: .assertionStore, label: "s", children: [child, child, other])
        let box = try parser.parseBox(bytes)
        #expect(box.child(labeled: "dup") == nil)
        #expect(box.descendant(path: "dup") == nil)
        #expect(box.child(labeled: "unique") != nil)
    }

    @Test("A salted assertion carries its c2sh private box with toggles 0x13")
    func saltedDescription() throws {
        let box = try parser.parseBox(Sample.actionsBox)
        let description = try #require(box.description)
        #expect(description.salt == Sample.salt)
        #expect(description.toggles == 0x13)
        #expect(description.requestable)
        #expect(description.privateBox?.type == .c2sh)
        // jumd header (8) + uuid (16) + toggles (1) + "c2pa.actions.v2\0" (16) -> salt box starts at 8 + 41.
        #expect(description.privateBox?.range == 49..<(49 + 8 + 16))
        #expect(box.children.map(\.type) == [.cbor])
    }

    @Test("Embedded file boxes hold bfdb (media type) then bidb (data)")
    func embeddedFile() throws {
        let box = try parser.parseBox(Sample.thumbnailBox)
        #expect(box.jumbfType == .embeddedFile)
        #expect(box.children.map(\.type) == [.bfdb, .bidb])
        let bfdb = try #require(box.firstData(ofType: .bfdb))
        #expect(bfdb == [0x00] + Array("image/jpeg".utf8) + [0])
        let description = try JUMBFEmbeddedFileDescription(payload: bfdb)
        #expect(description == JUMBFEmbeddedFileDescription(mediaType: "image/jpeg"))
        #expect(box.firstData(ofType: .bidb) == Sample.thumbnail)

        let named = try parser.parseBox(
            JUMBFWriter.embeddedFileBox(label: "f", mediaType: "text/plain", fileName: "a.txt", data: [1]))
        let namedDescription = try JUMBFEmbeddedFileDescription(payload: try #require(named.firstData(ofType: .bfdb)))
        #expect(namedDescription.fileName == "a.txt")
        #expect(namedDescription.mediaType == "text/plain")
    }

    @Test("bfdb payloads: toggle 1 without a name (c2pa-rs) decodes; malformed ones throw badContent")
    func embeddedFileDescriptionEdgeCases() throws {
        let lenient = try JUMBFEmbeddedFileDescription(payload: [0x01] + Array("image/png".utf8) + [0])
        #expect(lenient.fileName == nil)
        #expect(lenient.mediaType == "image/png")
        let external = try JUMBFEmbeddedFileDescription(payload: [0x02, 0x61, 0])
        #expect(external.isExternalReference)
        expectJUMBFError(.badContent) { _ = try JUMBFEmbeddedFileDescription(payload: []) }
        expectJUMBFError(.badContent) { _ = try JUMBFEmbeddedFileDescription(payload: [0x00, 0x61]) }
        expectJUMBFError(.badContent) { _ = try JUMBFEmbeddedFileDescription(payload: [0x80, 0x61, 0]) }
        expectJUMBFError(.badContent) { _ = try JUMBFEmbeddedFileDescription(payload: [0x00, 0x61, 0, 0x62]) }
        expectJUMBFError(.badContent) { _ = try JUMBFEmbeddedFileDescription(payload: [0x00, 0xFF, 0]) }
    }

    @Test("UUID content boxes split into the UUID and the data")
    func uuidContent() throws {
        let bytes = JUMBFWriter.uuidContentBox(label: "c2pa.x", uuid: JUMBFUUIDContent.redactionUUID, data: [0, 0])
        let box = try parser.parseBox(bytes)
        #expect(box.jumbfType == .uuid)
        let content = try JUMBFUUIDContent(payload: try #require(box.firstData(ofType: .uuid)))
        #expect(content == JUMBFUUIDContent(uuid: JUMBFUUIDContent.redactionUUID, data: [0, 0]))
        expectJUMBFError(.badContent) { _ = try JUMBFUUIDContent(payload: Array(repeating: 0, count: 15)) }
    }

    @Test("JSON content boxes and descriptions with ID and signature round-trip")
    func jsonIDAndSignature() throws {
        let json = JUMBFWriter.jsonContentBox(label: "stds.schema-org.CreativeWork", json: Array("{}".utf8))
        let signature = [UInt8](repeating: 0xAB, count: 32)
        let description = JUMBFDescription(
            type: .json, requestable: false, label: "x", id: 0xDEAD_BEEF, signature: signature,
            privateBox: .dataBox(.c2sh, Sample.salt))
        let bytes = JUMBFWriter.superbox(description, children: [json])
        let box = try parser.parseBox(bytes)
        let parsed = try #require(box.description)
        #expect(parsed.toggles == 0x1E)
        #expect(parsed.requestable == false)
        #expect(parsed.id == 0xDEAD_BEEF)
        #expect(parsed.signature == signature)
        #expect(parsed.salt == Sample.salt)
        #expect(box.children.first?.firstData(ofType: .json) == Array("{}".utf8))
        #expect(JUMBFWriter.serialize(box) == bytes)
    }

    @Test("Unknown box types inside superboxes are kept as opaque data")
    func unknownBoxesAreOpaque() throws {
        let odd = JUMBFWriter.dataBox(FourCC("zzzz"), [1, 2, 3])
        let free = JUMBFWriter.dataBox(.free, [0, 0])
        let bytes = JUMBFWriter.contentSuperbox(type: JUMBFType(c2pa: "abcd"), label: "x", children: [odd, free])
        let box = try parser.parseBox(bytes)
        #expect(box.children.map(\.type) == [FourCC("zzzz"), .free])
        #expect(box.children.first?.data == [1, 2, 3])
        #expect(box.jumbfType?.fourCC == "abcd")
    }

    @Test("parseBoxes reads a sequence and an empty input gives no boxes")
    func sequences() throws {
        let a = JUMBFWriter.dataBox(.cbor, [1])
        let b = Sample.hashDataBox
        let boxes = try parser.parseBoxes(a + b, baseOffset: 5)
        #expect(boxes.count == 2)
        #expect(boxes[0].range == 5..<14)
        #expect(boxes[1].range == 14..<(14 + b.count))
        #expect(try parser.parseBoxes([]) == [])
    }
}
