import Testing

@testable import SignetJUMBF

@Suite("Box headers, type codes and byte layout")
struct JUMBFHeaderTests {
    let parser = JUMBFParser()

    @Test("An XLBox header (LBox 1) is read, and payloadRange starts after 16 bytes")
    func xlboxParsing() throws {
        let box = try parser.parseBox(Sample.xlBox(xlbox: 19, "cbor", [1, 2, 3]), baseOffset: 10)
        #expect(box.type == .cbor)
        #expect(box.data == [1, 2, 3])
        #expect(box.range == 10..<29)
        #expect(box.payloadRange == 26..<29)
        #expect(box.headerSize == 16)
    }

    @Test("A superbox and its jumd may both use XLBox headers")
    func xlboxSuperbox() throws {
        let jumdPayload = JUMBFWriter.descriptionPayload(JUMBFDescription(type: .cbor, label: "x"))
        let jumd = Sample.xlBox(xlbox: UInt64(16 + jumdPayload.count), "jumd", jumdPayload)
        let cbor = JUMBFWriter.dataBox(.cbor, [0xF5])
        let inner = jumd + cbor
        let bytes = Sample.xlBox(xlbox: UInt64(16 + inner.count), "jumb", inner)
        let box = try parser.parseBox(bytes)
        #expect(box.label == "x")
        #expect(box.payloadRange == 16..<bytes.count)
        #expect(box.children.first?.range == (16 + jumd.count)..<bytes.count)
        // Re-serialising normalises to 8-byte headers.
        #expect(JUMBFWriter.serialize(box) == JUMBFWriter.cborContentBox(label: "x", cbor: [0xF5]))
    }

    @Test("The writer switches to an XLBox header only past UInt32.max")
    func writerHeaderSizes() {
        #expect(JUMBFWriter.header(.cbor, payloadCount: 3) == [0, 0, 0, 11] + Array("cbor".utf8))
        let largestShort = Int(UInt32.max) - 8
        #expect(JUMBFWriter.headerSize(payloadCount: largestShort) == 8)
        #expect(JUMBFWriter.header(.bidb, payloadCount: largestShort) == [0xFF, 0xFF, 0xFF, 0xFF] + Array("bidb".utf8))
        let long = largestShort + 1
        #expect(JUMBFWriter.headerSize(payloadCount: long) == 16)
        let expected: [UInt8] = [0, 0, 0, 1] + Array("bidb".utf8) + JUMBFWriter.bigEndian(UInt64(long) + 16)
        #expect(JUMBFWriter.header(.bidb, payloadCount: long) == expected)
    }

    @Test("LBox 0 runs to the end of the input at top level")
    func lboxZeroTopLevel() throws {
        let bytes = Sample.rawBox(lbox: 0, "bidb", [1, 2, 3, 4])
        let box = try parser.parseBox(bytes, baseOffset: 3)
        #expect(box.range == 3..<15)
        #expect(box.data == [1, 2, 3, 4])
        let boxes = try parser.parseBoxes(JUMBFWriter.dataBox(.free, []) + bytes)
        #expect(boxes.count == 2)
        #expect(boxes[1].data == [1, 2, 3, 4])
    }

    @Test("LBox 0 inside a superbox runs to the end of the parent, not of the input")
    func lboxZeroNested() throws {
        let jumd = JUMBFWriter.descriptionBox(JUMBFDescription(type: .cbor, label: "z"))
        let open = Sample.rawBox(lbox: 0, "cbor", [9, 9])
        let parent = JUMBFWriter.dataBox(.jumb, jumd + open)
        let after = JUMBFWriter.dataBox(.bidb, [7])
        let boxes = try parser.parseBoxes(parent + after)
        #expect(boxes.count == 2)
        #expect(boxes[0].children.first?.data == [9, 9])
        #expect(boxes[0].children.first?.range.upperBound == parent.count)
        #expect(boxes[1].data == [7])
    }

    @Test("free and skip (padding) boxes may hold only zeros: text written into one makes the store unreadable")
    func paddingBoxesHoldZeros() throws {
        #expect(try parser.parseBoxes(JUMBFWriter.dataBox(.free, [0, 0, 0]) + JUMBFWriter.dataBox(.skip, [])).count == 2)
        for type in [FourCC.free, .skip] {
            #expect(throws: JUMBFError.self) { try parser.parseBoxes(JUMBFWriter.dataBox(type, [0, 0x42, 0])) }
        }
    }

    @Test("The manifest store jumd is written exactly as the reference implementation writes it")
    func storeDescriptionLayout() {
        let expected: [UInt8] =
            [0x00, 0x00, 0x00, 0x1E] + Array("jumd".utf8)
            + [0x63, 0x32, 0x70, 0x61, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
            + [0x03] + Array("c2pa".utf8) + [0x00]
        #expect(JUMBFWriter.descriptionBox(JUMBFDescription(type: .manifestStore, label: "c2pa")) == expected)
    }

    @Test("A salted CBOR assertion is laid out as jumb(jumd(uuid, 0x13, label, NUL, c2sh), cbor)")
    func saltedLayout() {
        let salt: [UInt8] = Array(repeating: 0x5A, count: 16)
        let bytes = JUMBFWriter.cborContentBox(label: "a", cbor: [0xF6], salt: salt)
        let jumdPayload = JUMBFType.cbor.uuid + [0x13, 0x61, 0x00] + [0, 0, 0, 24] + Array("c2sh".utf8) + salt
        let jumd = [0, 0, 0, UInt8(8 + jumdPayload.count)] + Array("jumd".utf8) + jumdPayload
        let cbor: [UInt8] = [0, 0, 0, 9] + Array("cbor".utf8) + [0xF6]
        let expected = [0, 0, 0, UInt8(8 + jumd.count + cbor.count)] + Array("jumb".utf8) + jumd + cbor
        #expect(bytes == expected)
    }

    @Test("FourCC converts between text and its big-endian value")
    func fourCC() {
        #expect(FourCC("jumb").rawValue == 0x6A75_6D62)
        #expect(FourCC("jumb") == .jumb)
        #expect(FourCC.c2sh.description == "c2sh")
        #expect(FourCC(rawValue: 0x0001_0203).description == "0x00010203")
        #expect(FourCC(validating: "abc") == nil)
        #expect(FourCC(validating: "abcde") == nil)
        #expect(FourCC(validating: "\u{E9}ab") == FourCC(rawValue: 0xC3A9_6162))
        #expect(FourCC.bidb.bytes == Array("bidb".utf8))
    }

    @Test("JUMBF types expose their four-character code and canonical UUID text")
    func jumbfTypes() {
        #expect(JUMBFType.manifestStore.description == "63327061-0011-0010-8000-00AA00389B71")
        #expect(JUMBFType.manifestStore.fourCC == "c2pa")
        #expect(JUMBFType.embeddedFile.description == "40CB0C32-BB8A-489D-A70B-2AD6F47F4369")
        #expect(JUMBFType.embeddedFile.fourCC == nil)
        #expect(JUMBFType(uuidString: "40cb0c32-bb8a-489d-a70b-2ad6f47f4369") == .embeddedFile)
        #expect(JUMBFType(uuidString: "6332636C-0011-0010-8000-00AA00389B71") == .claim)
        #expect(JUMBFType(uuidString: "6332636C-0011-0010-8000-00AA00389B7") == nil)
        #expect(JUMBFType(uuidString: "6332636C00011-0010-8000-00AA00389B71") == nil)
        #expect(JUMBFType(uuidString: "6332636C-0011-0010-8000-00AA00389B7G") == nil)
        let codes: [(JUMBFType, String)] = [
            (.manifest, "c2ma"), (.updateManifest, "c2um"), (.assertionStore, "c2as"), (.claim, "c2cl"),
            (.signature, "c2cs"), (.credentialStore, "c2vc"), (.databoxStore, "c2db"), (.cbor, "cbor"),
            (.json, "json"), (.uuid, "uuid"), (.compressedManifest, "c2cm"), (.timeStampManifest, "c2tm"),
            (.legacyManifest, "c2md"),
        ]
        for (type, code) in codes {
            #expect(type.fourCC == code)
            #expect(type.uuid == Array(code.utf8) + JUMBFType.c2paSuffix)
        }
    }

    @Test("Error codes compare by code and describe themselves")
    func errors() {
        let error = JUMBFError(.truncated, "x", offset: 4)
        #expect(error.code == .truncated)
        #expect(error.code != .badLength)
        #expect(error.description == "JUMBFError.truncated at offset 4: x")
        #expect(JUMBFError(.badLabel, "y").description == "JUMBFError.badLabel: y")
    }
}
