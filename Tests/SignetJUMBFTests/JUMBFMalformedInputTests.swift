import Testing

@testable import SignetJUMBF

@Suite("Malformed and hostile input")
struct JUMBFMalformedInputTests {
    let parser = JUMBFParser()

    @Test("Every strict prefix of a valid store throws, as a single box and as a sequence")
    func everyStrictPrefixThrows() {
        let bytes = Sample.store
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            #expect(throws: JUMBFError.self, "prefix \(length)") { try parser.parseBox(prefix) }
            if length > 0 {
                #expect(throws: JUMBFError.self, "prefix \(length)") { try parser.parseBoxes(prefix) }
            }
        }
    }

    @Test("Empty input is truncated for parseBox")
    func emptyInput() {
        expectJUMBFError(.truncated) { _ = try parser.parseBox([]) }
    }

    @Test("Bytes after the box are trailingBytes for parseBox and truncated for parseBoxes")
    func trailingBytes() {
        expectJUMBFError(.trailingBytes) { _ = try parser.parseBox(Sample.store + [0]) }
        expectJUMBFError(.trailingBytes) { _ = try parser.parseBox(Sample.store + JUMBFWriter.dataBox(.free, [])) }
        expectJUMBFError(.truncated) { _ = try parser.parseBoxes(Sample.store + [0, 0, 0]) }
    }

    @Test("An LBox smaller than the header is badLength")
    func lboxSmallerThanHeader() {
        for lbox: UInt32 in [2, 7] {
            expectJUMBFError(.badLength) { _ = try parser.parseBox(Sample.rawBox(lbox: lbox, "cbor", [])) }
        }
        expectJUMBFError(.badLength) { _ = try parser.parseBox(Sample.xlBox(xlbox: 15, "cbor", [])) }
        expectJUMBFError(.badLength) { _ = try parser.parseBox(Sample.xlBox(xlbox: 8, "cbor", [])) }
    }

    @Test("Oversized lengths are truncated, including XLBox values beyond Int.max")
    func oversizedLengths() {
        expectJUMBFError(.truncated) { _ = try parser.parseBox(Sample.rawBox(lbox: 100, "cbor", [1, 2])) }
        expectJUMBFError(.truncated) { _ = try parser.parseBox(Sample.rawBox(lbox: .max, "cbor", [])) }
        expectJUMBFError(.truncated) { _ = try parser.parseBox(Sample.xlBox(xlbox: .max, "cbor", [1])) }
        expectJUMBFError(.truncated) { _ = try parser.parseBox(Sample.xlBox(xlbox: 1 << 62, "cbor", [1])) }
        // LBox = 1 but the XLBox field itself is cut off.
        expectJUMBFError(.truncated) { _ = try parser.parseBox(Sample.rawBox(lbox: 1, "cbor", [0, 0, 0])) }
    }

    @Test("A child that extends past its parent is truncated even when the input continues")
    func childPastParent() {
        let jumd = JUMBFWriter.descriptionBox(JUMBFDescription(type: .cbor, label: "a"))
        let child = Sample.rawBox(lbox: 12, "cbor", [1, 2])  // claims 12, parent gives it 10
        let parent = JUMBFWriter.dataBox(.jumb, jumd + child)
        expectJUMBFError(.truncated) { _ = try parser.parseBoxes(parent + [3, 4, 5, 6]) }
    }

    @Test("A superbox without a leading jumd is missingDescription")
    func missingDescription() {
        expectJUMBFError(.missingDescription) { _ = try parser.parseBox(JUMBFWriter.dataBox(.jumb, [])) }
        let cborFirst = JUMBFWriter.dataBox(
            .jumb, JUMBFWriter.dataBox(.cbor, [1]) + JUMBFWriter.descriptionBox(JUMBFDescription(type: .cbor, label: "a")))
        expectJUMBFError(.missingDescription) { _ = try parser.parseBox(cborFirst) }
    }

    @Test("Malformed description boxes are badDescription")
    func badDescriptions() {
        let cases: [(String, [UInt8])] = [
            ("short payload", Sample.superbox(jumdPayload: Array(JUMBFType.cbor.uuid.prefix(10)))),
            ("no toggles", Sample.superbox(jumdPayload: JUMBFType.cbor.uuid)),
            ("reserved toggle bit", Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x83, Array("a".utf8) + [0]))),
            ("unterminated label", Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x03, Array("abc".utf8)))),
            ("short ID", Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x06, [0x61, 0, 1, 2]))),
            ("short signature", Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x0A, [0x61, 0] + [UInt8](repeating: 7, count: 31)))),
            ("missing private box", Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x13, [0x61, 0]))),
            ("leftover bytes", Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x03, [0x61, 0, 9]))),
            ("bytes after private box", Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x13, [0x61, 0] + JUMBFWriter.dataBox(.c2sh, [1]) + [9]))),
            ("second jumd", Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x03, [0x61, 0]), children: [JUMBFWriter.descriptionBox(JUMBFDescription(type: .cbor, label: "b"))])),
            ("top-level jumd", JUMBFWriter.descriptionBox(JUMBFDescription(type: .cbor, label: "b"))),
        ]
        for (name, bytes) in cases {
            do {
                _ = try parser.parseBoxes(bytes)
                Issue.record("\(name): expected badDescription")
            } catch {
                #expect(error.code == .badDescription, "\(name): \(error)")
            }
        }
    }

    @Test("The private box's own length is checked against the jumd box")
    func privateBoxPastDescription() {
        let payload = Sample.jumdPayload(toggles: 0x13, [0x61, 0] + Sample.rawBox(lbox: 40, "c2sh", [1, 2]))
        expectJUMBFError(.truncated) { _ = try parser.parseBox(Sample.superbox(jumdPayload: payload)) }
    }

    @Test("Labels that are not UTF-8, empty, or use characters C2PA forbids are badLabel")
    func badLabels() {
        let labels: [[UInt8]] = [
            [0xFF, 0x61],  // invalid UTF-8
            [0xC0, 0xAF],  // overlong '/'
            [0xED, 0xA0, 0x80],  // encoded surrogate
            [],  // empty
            Array("a/b".utf8), Array("a;b".utf8), Array("a?b".utf8), Array("a#b".utf8),
            [0x61, 0x09],  // tab (C0 control)
            [0x61, 0x7F],  // DEL
            [0xC2, 0x85],  // U+0085 (C1 control)
            [0xEF, 0xBB, 0xBF],  // U+FEFF
            [0xEF, 0xBF, 0xBF],  // U+FFFF
        ]
        for label in labels {
            let bytes = Sample.superbox(jumdPayload: Sample.jumdPayload(toggles: 0x03, label + [0]))
            expectJUMBFError(.badLabel) { _ = try parser.parseBox(bytes) }
        }
        #expect(JUMBFDescription.isValidLabel("urn:c2pa:1234-abcd"))
        #expect(JUMBFDescription.isValidLabel("c2pa.ingredient__1"))
        #expect(JUMBFDescription.isValidLabel("caf\u{E9}"))
        #expect(!JUMBFDescription.isValidLabel("a/b"))
    }

    @Test("Nesting 1000 superboxes deep is tooDeep, quickly")
    func deepNesting() {
        var bytes = JUMBFWriter.dataBox(.cbor, [])
        for _ in 0..<1000 {
            bytes = JUMBFWriter.superbox(JUMBFDescription(type: .cbor, label: "d"), children: [bytes])
        }
        expectJUMBFError(.tooDeep) { _ = try parser.parseBox(bytes) }
    }

    @Test("maxDepth allows exactly that many nested superboxes")
    func depthLimitIsExact() throws {
        var limits = JUMBFParser.Limits()
        limits.maxDepth = 4
        let strict = JUMBFParser(limits: limits)
        func nested(_ levels: Int) -> [UInt8] {
            var bytes = JUMBFWriter.dataBox(.cbor, [])
            for _ in 0..<levels {
                bytes = JUMBFWriter.superbox(JUMBFDescription(type: .cbor, label: "d"), children: [bytes])
            }
            return bytes
        }
        _ = try strict.parseBox(nested(4))
        expectJUMBFError(.tooDeep) { _ = try strict.parseBox(nested(5)) }
        // A superbox used as a private box counts as one more level.
        let privateSuperbox = JUMBFWriter.superbox(
            JUMBFDescription(type: .cbor, label: "p"), children: [])
        let payload = Sample.jumdPayload(toggles: 0x13, [0x61, 0] + privateSuperbox)
        var one = JUMBFParser.Limits()
        one.maxDepth = 1
        expectJUMBFError(.tooDeep) { _ = try JUMBFParser(limits: one).parseBox(Sample.superbox(jumdPayload: payload)) }
        var two = JUMBFParser.Limits()
        two.maxDepth = 2
        let parsed = try JUMBFParser(limits: two).parseBox(Sample.superbox(jumdPayload: payload))
        #expect(parsed.description?.privateBox?.label == "p")
    }

    @Test("200 000 tiny boxes are tooManyBoxes, quickly")
    func tooManyBoxes() {
        let tiny = JUMBFWriter.dataBox(.free, [])
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tiny.count * 200_000)
        for _ in 0..<200_000 { bytes += tiny }
        let start = ContinuousClock.now
        expectJUMBFError(.tooManyBoxes) { _ = try parser.parseBoxes(bytes) }
        // Quadratic work over 200 000 boxes would take hours; the bound only has to outlast a loaded machine's stalls.
        #expect(ContinuousClock.now - start < .seconds(120))
    }

    @Test("maxBoxes counts every box, description boxes included")
    func boxLimitIsExact() throws {
        var limits = JUMBFParser.Limits()
        limits.maxBoxes = 3  // jumb, jumd, cbor
        let bytes = JUMBFWriter.cborContentBox(label: "a", cbor: [1])
        _ = try JUMBFParser(limits: limits).parseBox(bytes)
        limits.maxBoxes = 2
        expectJUMBFError(.tooManyBoxes) { _ = try JUMBFParser(limits: limits).parseBox(bytes) }
    }

    @Test("A base offset that would overflow Int is badLength")
    func baseOffsetOverflow() {
        expectJUMBFError(.badLength) { _ = try parser.parseBox(JUMBFWriter.dataBox(.cbor, []), baseOffset: .max - 3) }
    }

    @Test("Errors report the absolute offset of the problem")
    func errorOffsets() {
        let bad = Sample.rawBox(lbox: 5, "cbor", [])
        do {
            _ = try parser.parseBoxes(JUMBFWriter.dataBox(.cbor, [1]) + bad, baseOffset: 100)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .badLength)
            #expect(error.offset == 109)
        }
    }
}
