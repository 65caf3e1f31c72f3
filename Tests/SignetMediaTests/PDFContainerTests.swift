import Foundation
import Testing
@testable import SignetMedia

/// PDFs written object by object: a classic cross-reference table or a cross-reference stream (uncompressed, or
/// Flate in stored blocks), objects optionally packed into an object stream, and incremental updates.
enum PDFBuilder {
    static func stream(_ dict: String, _ data: [UInt8]) -> [UInt8] {
        Array("<< \(dict) /Length \(data.count) >>\nstream\n".utf8) + data + Array("\nendstream".utf8)
    }

    /// zlib in stored (uncompressed) DEFLATE blocks: valid Flate that needs no compressor.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var at = 0
        repeat {
            let n = min(65_535, data.count - at)
            out += [at + n == data.count ? 1 : 0, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8 & 0xFF)]
            out += data[at..<(at + n)]
            at += n
        } while at < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        return out + be32(Int(b << 16 | a))
    }

    static let store = jumbfStore(totalSize: 300)

    /// Objects 1-5 of a one-page document whose file specification (4) names the store stream (5).
    static func objects(store: [UInt8] = store, af: String = "[4 0 R]", storeDict: String = "/Type /EmbeddedFile") -> [Int: [UInt8]] {
        [
            1: Array("<< /Type /Catalog /Pages 2 0 R /AF \(af) >>".utf8),
            2: Array("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8),
            3: Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>".utf8),
            4: Array("<< /Type /Filespec /F (m.c2pa) /AFRelationship /C2PA_Manifest /EF << /F 5 0 R >> >>".utf8),
            5: stream(storeDict, store),
        ]
    }

    enum XRef { case table, stream, flateStream }

    /// A document (or, with `base`, an incremental update appended to it) holding `objects`, with those in
    /// `packed` inside an object stream numbered `objStm`.
    static func file(
        _ objects: [Int: [UInt8]], packed: Set<Int> = [], objStm: Int = 90, xref: XRef = .table, base: [UInt8]? = nil,
        trailer: String = "", root: Int = 1
    ) -> [UInt8] {
        var out = base ?? Array("%PDF-1.7\n%\u{e2}\u{e3}\n".utf8)
        var entries: [Int: (type: Int, a: Int, b: Int)] = [:]
        for number in objects.keys.sorted() where !packed.contains(number) {
            entries[number] = (1, out.count, 0)
            out += Array("\(number) 0 obj\n".utf8) + objects[number]! + Array("\nendobj\n".utf8)
        }
        if !packed.isEmpty {
            var header = "", body: [UInt8] = []
            for (i, number) in packed.sorted().enumerated() {
                header += "\(number) \(body.count) "
                body += objects[number]! + [0x0A]
                entries[number] = (2, objStm, i)
            }
            let data = Array(header.utf8) + body
            entries[objStm] = (1, out.count, 0)
            out += Array("\(objStm) 0 obj\n".utf8)
                + stream("/Type /ObjStm /N \(packed.count) /First \(header.utf8.count)", data) + Array("\nendobj\n".utf8)
        }
        let prev = base.map { b -> String in
            let text = String(decoding: b.suffix(40), as: UTF8.self)
            let offset = text.components(separatedBy: "startxref")[1].split(whereSeparator: \.isWhitespace)[0]
            return " /Prev \(offset)"
        } ?? ""
        let size = (entries.keys.max() ?? 0) + 1 + (xref == .table ? 0 : 1)
        let at = out.count
        switch xref {
        case .table:
            out += Array("xref\n".utf8)
            if base == nil { out += Array("0 1\n0000000000 65535 f \n".utf8) }
            for number in entries.keys.sorted() {
                let e = entries[number]!
                precondition(e.type == 1, "a table cannot list compressed objects")
                out += Array("\(number) 1\n".utf8) + Array(String(format: "%010d 00000 n \n", e.a).utf8)
            }
            out += Array("trailer\n<< /Size \(size) /Root \(root) 0 R\(prev)\(trailer) >>\n".utf8)
        case .stream, .flateStream:
            let me = size - 1
            entries[me] = (1, at, 0)
            var rows: [UInt8] = []
            var index = ""
            for number in entries.keys.sorted() {
                let e = entries[number]!
                rows += [UInt8(e.type)] + be32(e.a) + [UInt8(e.b >> 8), UInt8(e.b & 0xFF)]
                index += "\(number) 1 "
            }
            let flate = xref == .flateStream
            let data = flate ? zlibStored(rows) : rows
            out += Array("\(me) 0 obj\n".utf8)
                + stream("/Type /XRef /W [1 4 2] /Index [\(index)] /Size \(size) /Root \(root) 0 R\(prev)\(trailer)\(flate ? " /Filter /FlateDecode" : "")", data)
                + Array("\nendobj\n".utf8)
        }
        out += Array("startxref\n\(at)\n%%EOF\n".utf8)
        return out
    }

    static func scan(_ bytes: [UInt8], _ dir: ScratchDirectory, name: String = "doc.pdf") throws -> AssetScan {
        try AssetContainer.scan(try FileReader(path: try dir.write(name, bytes)))
    }

    static func refusal(_ bytes: [UInt8], _ dir: ScratchDirectory) -> MediaError? {
        do {
            _ = try scan(bytes, dir, name: "bad.pdf")
            return nil
        } catch let e as MediaError {
            return e
        } catch {
            return MediaError(.unreadable, "\(error)")
        }
    }
}

@Suite struct PDFContainerTests {
    func range(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int64>? {
        guard needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle {
            return Int64(i)..<Int64(i + needle.count)
        }
        return nil
    }

    @Test("The store is the data of the stream /Catalog/AF's C2PA_Manifest file specification names, through a table, a cross-reference stream or an object stream; everything else is protected")
    func storeFoundInEveryLayout() throws {
        let dir = ScratchDirectory()
        let layouts: [(String, [UInt8])] = [
            ("table", PDFBuilder.file(PDFBuilder.objects())),
            ("xref stream", PDFBuilder.file(PDFBuilder.objects(), xref: .stream)),
            ("flate xref stream, catalog and file spec in an object stream", PDFBuilder.file(PDFBuilder.objects(), packed: [1, 2, 4], xref: .flateStream)),
            ("an uncompressed object stream", PDFBuilder.file(PDFBuilder.objects(), packed: [1, 2, 3, 4], xref: .stream)),
        ]
        for (name, bytes) in layouts {
            let scan = try PDFBuilder.scan(bytes, dir)
            let data = try #require(range(of: PDFBuilder.store, in: bytes))
            #expect(scan.format == .pdf, "\(name)")
            #expect(scan.manifestStore == PDFBuilder.store, "\(name)")
            #expect(scan.storeRanges == [data], "\(name)")
            #expect(scan.protectedRanges == [0..<data.lowerBound, data.upperBound..<Int64(bytes.count)], "\(name)")
        }
    }

    @Test("A filtered (compressed) store is refused, since bytes after its compressed data or another encoding of it would be unsigned room in its exclusion; a PDF without /AF has no store")
    func filteredStoreAndNoStore() throws {
        let dir = ScratchDirectory()
        let compressed = PDFBuilder.zlibStored(PDFBuilder.store)
        let flate = PDFBuilder.file(PDFBuilder.objects(store: compressed + Array("BT (slack) Tj ET".utf8), storeDict: "/Filter /FlateDecode"))
        #expect(PDFBuilder.refusal(flate, dir)?.code == .unsupportedFormat)
        var plain = PDFBuilder.objects()
        plain[1] = Array("<< /Type /Catalog /Pages 2 0 R >>".utf8)
        let none = try PDFBuilder.scan(PDFBuilder.file(plain), dir)
        #expect(none.manifestStore == nil && none.storeRanges.isEmpty)
        // Cross-reference and object streams may still be Flate (qpdf's are; PDFInterop reads them).
        let packed = try PDFBuilder.scan(PDFBuilder.file(PDFBuilder.objects(), packed: [1, 2, 4], xref: .flateStream), dir)
        #expect(packed.manifestStore == PDFBuilder.store)
    }

    @Test("The store's stream must be only an embedded file: one that is also an image (or a form, a font) is refused")
    func storeStreamIsOnlyAnEmbeddedFile() throws {
        let dir = ScratchDirectory()
        let image = PDFBuilder.file(PDFBuilder.objects(storeDict: "/Type /EmbeddedFile /Subtype /Image /Width 10 /Height 30 /BitsPerComponent 8 /ColorSpace /DeviceGray"))
        #expect(PDFBuilder.refusal(image, dir)?.reason.contains("not only an embedded file") == true)
        let mime = PDFBuilder.file(PDFBuilder.objects(storeDict: "/Type /EmbeddedFile /Subtype /application#2Fc2pa /Params << /ModDate (D:20261207) >>"))
        #expect(try PDFBuilder.scan(mime, dir).manifestStore == PDFBuilder.store)
    }

    @Test("A store padded with zeros inside its stream is read without the padding (the exclusion is the whole stream); any other trailing byte is refused")
    func zeroPaddingAfterTheStore() throws {
        let dir = ScratchDirectory()
        let padded = PDFBuilder.file(PDFBuilder.objects(store: PDFBuilder.store + [UInt8](repeating: 0, count: 100)))
        let scan = try PDFBuilder.scan(padded, dir)
        #expect(scan.manifestStore == PDFBuilder.store)
        #expect(scan.storeRanges[0].count == Int64(PDFBuilder.store.count + 100))
        let trailing = PDFBuilder.file(PDFBuilder.objects(store: PDFBuilder.store + [0, 0, 0x3C, 0]))
        #expect(PDFBuilder.refusal(trailing, dir)?.reason.contains("not zero padding") == true)
    }

    @Test("An incremental update's store is active and the earlier store's manifests are read with it; the earlier store's bytes are hashed like any other")
    func incrementalUpdatesJoinTheirStores() throws {
        let dir = ScratchDirectory()
        let first = jumbfStore(totalSize: 200, seed: 1)
        let second = jumbfStore(totalSize: 260, seed: 2)
        let base = PDFBuilder.file(PDFBuilder.objects(store: first))
        let update = PDFBuilder.file([
            1: Array("<< /Type /Catalog /Pages 2 0 R /AF [6 0 R] >>".utf8),
            6: Array("<< /Type /Filespec /AFRelationship /C2PA_Manifest /EF << /F 7 0 R >> >>".utf8),
            7: PDFBuilder.stream("/Type /EmbeddedFile", second),
        ], base: base)
        let scan = try PDFBuilder.scan(update, dir)
        let active = try #require(range(of: second, in: update))
        #expect(scan.storeRanges == [active])
        #expect(scan.protectedRanges.contains { $0.contains(try! #require(range(of: first, in: update)).lowerBound) })
        let merged = try #require(scan.manifestStore)
        let children = try PDFContainer.superboxChildren(merged)
        let firstChildren = try PDFContainer.superboxChildren(first), secondChildren = try PDFContainer.superboxChildren(second)
        #expect(children == [secondChildren[0], firstChildren[1], secondChildren[1]])
        // The same store named again by the update is one store, not two.
        let again = PDFBuilder.file([1: Array("<< /Type /Catalog /Pages 2 0 R /AF [4 0 R] /Lang (en) >>".utf8)], base: base)
        #expect(try PDFBuilder.scan(again, dir).manifestStore == first)
    }

    @Test("Two C2PA stores added in one update section are refused as multiple stores (the spec drops them; Signet never validates such a file)")
    func twoStoresInOneSectionAreRefused() throws {
        let dir = ScratchDirectory()
        var objects = PDFBuilder.objects(af: "[4 0 R 6 0 R]")
        objects[6] = Array("<< /Type /Filespec /AFRelationship /C2PA_Manifest /EF << /F 7 0 R >> >>".utf8)
        objects[7] = PDFBuilder.stream("/Type /EmbeddedFile", jumbfStore(totalSize: 120, seed: 5))
        #expect(PDFBuilder.refusal(PDFBuilder.file(objects), dir)?.code == .multipleStores)
    }

    @Test("Crafted structure is refused in bounded time: startxref or an xref entry outside the file, a /Prev loop, a wrong object number, a /Length that misses endstream, deep nesting, absurd counts, encryption")
    func craftedStructureIsRefused() throws {
        let dir = ScratchDirectory()
        let good = PDFBuilder.file(PDFBuilder.objects())
        func replacing(_ a: String, _ b: String, in bytes: [UInt8] = good) -> [UInt8] {
            let needle = Array(a.utf8)
            let at = bytes.indices.first { bytes[$0...].starts(with: needle) }!
            return Array(bytes[..<at]) + Array(b.utf8) + Array(bytes[(at + needle.count)...])
        }
        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes.filter { $0 < 0x80 }, as: UTF8.self) }
        let xrefAt = text(good).components(separatedBy: "startxref\n")[1].split(separator: "\n")[0]
        let entry5 = text(good).components(separatedBy: "5 1\n")[1].prefix(10)
        // Same-length edits keep every offset right, so each case is refused for the reason it tests.
        var cases: [(String, [UInt8], MediaError.Code, String)] = [
            ("startxref past the end", replacing("startxref\n\(xrefAt)", "startxref\n99999999"), .corrupt, "outside"),
            ("no startxref", replacing("startxref", "startxrez"), .corrupt, "no 'startxref'"),
            ("an xref entry outside the file", replacing("5 1\n\(entry5)", "5 1\n9999999999"), .corrupt, "outside"),
            ("a /Prev loop", replacing("/Root 1 0 R", "/Root 1 0 R /Prev \(xrefAt)"), .corrupt, "loop"),
            ("a wrong object number", replacing("5 0 obj", "6 0 obj"), .corrupt, "object 6 is there"),
            ("a /Length that misses endstream", replacing("/Length 300", "/Length 290"), .corrupt, "endstream"),
            ("encryption", replacing("/Root 1 0 R", "/Root 1 0 R /Encrypt << /Filter /Standard >>"), .unsupportedFormat, "encrypted"),
            ("a filter on the store", replacing("/Type /EmbeddedFile", "/Filter /LZWDecode "), .unsupportedFormat, "filtered"),
        ]
        // Nesting 100,000 arrays deep in the catalog.
        var deep = PDFBuilder.objects()
        deep[1] = Array("<< /Type /Catalog /AF \(String(repeating: "[", count: 100_000)) >>".utf8)
        cases.append(("deep nesting", PDFBuilder.file(deep), .corrupt, "nested"))
        // A cross-reference stream declaring a billion entries, or fields wider than 8 bytes.
        let xs = PDFBuilder.file(PDFBuilder.objects(), xref: .stream)
        let index = text(xs).components(separatedBy: "/Index [")[1].components(separatedBy: "]")[0]
        let billion = "0 1000000000"
        cases.append(("an xref stream of a billion entries",
                      replacing("/Index [\(index)]", "/Index [\(billion + String(repeating: " ", count: max(0, index.count - billion.count)))]", in: xs), .corrupt, "entries"))
        cases.append(("an xref stream with 9-byte fields", replacing("/W [1 4 2]", "/W [1 9 2]", in: xs), .corrupt, "/W"))
        // An object stream whose header claims more objects than it holds.
        let packed = PDFBuilder.file(PDFBuilder.objects(), packed: [1, 2, 4], xref: .stream)
        cases.append(("an object stream claiming 999 objects", replacing("/Type /ObjStm /N 3", "/Type/ObjStm/N 999", in: packed), .corrupt, "pairs"))
        for (name, bytes, code, reason) in cases {
            let start = ContinuousClock.now
            let error = PDFBuilder.refusal(bytes, dir)
            #expect(error?.code == code && error?.reason.contains(reason) == true, "\(name): \(error?.reason ?? "accepted")")
            #expect(ContinuousClock.now - start < .seconds(60), "\(name)")  // a hang, not a slow machine
        }
    }

    @Test("A chain of 2,000 updates is refused past 1,000 sections; a PDF cannot be signed or have its store removed, with a reason")
    func sectionCapAndReadOnly() throws {
        let dir = ScratchDirectory()
        var bytes = PDFBuilder.file(PDFBuilder.objects())
        for i in 0..<1_100 { bytes = PDFBuilder.file([3: Array("<< /Type /Page /Parent 2 0 R /Rotate \(i % 4 * 90) >>".utf8)], base: bytes) }
        #expect(PDFBuilder.refusal(bytes, dir)?.reason.contains("1000 cross-reference sections") == true)
        let signed = try dir.write("signed.pdf", PDFBuilder.file(PDFBuilder.objects()))
        let reader = try FileReader(path: signed)
        let scan = try AssetContainer.scan(reader)
        #expect(throws: MediaError.self) { try AssetContainer.plan(reader, scan: scan, storeSize: 500) }
        #expect(throws: MediaError.self) { try AssetContainer.removeStore(from: signed, to: dir.file("out.pdf"), overwrite: false) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("out.pdf")))
    }

    @Test("A PDF signature's /Contents hex string is left unprotected when its /ByteRange leaves out exactly that string; a /ByteRange that does not, or a literal string, keeps it protected")
    func pdfSignatureContentsMayBeExcluded() throws {
        let dir = ScratchDirectory()
        func document(byteRangeShift: Int64 = 0, literal: Bool = false, extraKeys: String = "") throws -> (bytes: [UInt8], contents: Range<Int64>) {
            var objects = PDFBuilder.objects()
            objects[1] = Array("<< /Type /Catalog /Pages 2 0 R /AF [4 0 R] /AcroForm << /Fields [6 0 R] >> >>".utf8)
            objects[6] = Array("<< /FT /Sig /T (S) /V 7 0 R >>".utf8)
            let value = literal ? "(" + String(repeating: "0", count: 64) + ")" : "<" + String(repeating: "0", count: 64) + ">"
            objects[7] = Array("<< /Type /Sig\(extraKeys) /ByteRange [0000000000 0000000000 0000000000 0000000000] /Contents \(value) >>".utf8)
            var bytes = PDFBuilder.file(objects)
            let lo = try #require(range(of: Array("/Contents \(value.prefix(1))".utf8), in: bytes)).lowerBound + 10
            let hi = lo + 66
            let placeholder = Array("[0000000000 0000000000 0000000000 0000000000]".utf8)
            let at = Int(try #require(range(of: placeholder, in: bytes)).lowerBound)
            let filled = String(format: "[%010lld %010lld %010lld %010lld]", 0, lo + byteRangeShift, hi, Int64(bytes.count) - hi)
            bytes.replaceSubrange(at..<(at + placeholder.count), with: Array(filled.utf8))
            return (bytes, lo..<hi)
        }
        func isProtected(_ scan: AssetScan, _ r: Range<Int64>) -> Bool { scan.protectedRanges.contains { $0.overlaps(r) } }
        let signed = try document()
        let scan = try PDFBuilder.scan(signed.bytes, dir)
        #expect(!isProtected(scan, signed.contents))
        #expect(isProtected(scan, (signed.contents.lowerBound - 1)..<signed.contents.lowerBound))
        #expect(isProtected(scan, signed.contents.upperBound..<(signed.contents.upperBound + 1)))
        let shifted = try document(byteRangeShift: 1)
        #expect(isProtected(try PDFBuilder.scan(shifted.bytes, dir), shifted.contents))
        let literal = try document(literal: true)
        #expect(isProtected(try PDFBuilder.scan(literal.bytes, dir), literal.contents))
        // A signature dictionary that is also an annotation (a viewer would draw its /Contents as text).
        let annotation = try document(extraKeys: " /Subtype /FreeText /Rect [0 0 100 20] /DA (/Helv 12 Tf)")
        #expect(isProtected(try PDFBuilder.scan(annotation.bytes, dir), annotation.contents))
        // The same signature dictionary laid inside another object's stream data (an image, whose pixels would
        // then be the hex digits): the string stays protected.
        var inside = PDFBuilder.objects()
        inside[1] = Array("<< /Type /Catalog /Pages 2 0 R /AF [4 0 R] /AcroForm << /Fields [6 0 R] >> >>".utf8)
        inside[6] = Array("<< /FT /Sig /T (S) /V 7 0 R >>".utf8)
        let sig = "7 0 obj\n<< /Type /Sig /ByteRange [0000000000 0000000000 0000000000 0000000000] /Contents <\(String(repeating: "0", count: 64))> >>\nendobj\n"
        inside[8] = PDFBuilder.stream("/Type /XObject /Subtype /Image /Width 1 /Height 1", Array(("  " + sig + "  ").utf8))
        inside[7] = Array("null".utf8)  // a placeholder whose entry is then pointed into object 8's data
        var bytes = PDFBuilder.file(inside)
        let sigAt = try #require(range(of: Array("7 0 obj\n<< /Type /Sig".utf8), in: bytes)).lowerBound
        let before = bytes
        // Point object 7's cross-reference entry (the table lists objects in order, one per subsection) at it.
        let entry = try #require(range(of: Array("7 1\n".utf8), in: bytes)).upperBound
        bytes.replaceSubrange(Int(entry)..<Int(entry + 10), with: Array(String(format: "%010lld", sigAt).utf8))
        let lo = try #require(range(of: Array("/Contents <".utf8), in: bytes)).lowerBound + 10
        let placeholder = Array("[0000000000 0000000000 0000000000 0000000000]".utf8)
        let at = Int(try #require(range(of: placeholder, in: bytes)).lowerBound)
        bytes.replaceSubrange(at..<(at + placeholder.count), with: Array(String(format: "[%010lld %010lld %010lld %010lld]", 0, lo, lo + 66, Int64(bytes.count) - lo - 66).utf8))
        #expect(bytes.count == before.count)
        let laid = try PDFBuilder.scan(bytes, dir)
        #expect(isProtected(laid, lo..<(lo + 66)))
        // What protects it is that another object holds it: the file's own signature dictionary is well formed.
        let file = PDFFile(reader: try FileReader(path: try dir.write("laid.pdf", bytes)))
        try file.readSections()
        #expect(try file.signatureContents().isEmpty)
        #expect(try file.extent(at: sigAt) > lo + 66)
    }

    @Test("Work amplification is bounded: 1,000 updates whose catalogs each name 1,000 file specifications are refused (or read) in seconds, not the billion lookups they ask for")
    func amplificationIsBounded() throws {
        let dir = ScratchDirectory()
        var bytes = Array("%PDF-1.7\n".utf8)
        var offsets: [Int: Int] = [:]
        let af = "[" + (100..<1100).map { "\($0) 0 R" }.joined(separator: " ") + "]"
        func object(_ n: Int, _ body: String) {
            offsets[n] = bytes.count
            bytes += Array("\(n) 0 obj\n\(body)\nendobj\n".utf8)
        }
        object(1, "<< /Type /Catalog /AF \(af) >>")
        for n in 100..<1100 { object(n, "<< /Type /Filespec /AFRelationship /Data >>") }
        var xref = bytes.count
        bytes += Array("xref\n0 1\n0000000000 65535 f \n1 1\n".utf8) + Array(String(format: "%010d 00000 n \n", offsets[1]!).utf8)
        bytes += Array("100 1000\n".utf8)
        for n in 100..<1100 { bytes += Array(String(format: "%010d 00000 n \n", offsets[n]!).utf8) }
        bytes += Array("trailer\n<< /Size 1100 /Root 1 0 R >>\n".utf8)
        for i in 0..<999 {
            object(1, "<< /Type /Catalog /AF \(af) /Lang (\(i)) >>")
            let at = bytes.count
            bytes += Array("xref\n1 1\n".utf8) + Array(String(format: "%010d 00000 n \n", offsets[1]!).utf8)
            bytes += Array("trailer\n<< /Size 1100 /Root 1 0 R /Prev \(xref) >>\n".utf8)
            xref = at
        }
        bytes += Array("startxref\n\(xref)\n%%EOF\n".utf8)
        let start = ContinuousClock.now
        let error = PDFBuilder.refusal(bytes, dir)
        #expect(ContinuousClock.now - start < .seconds(60))  // unbounded, it took minutes (attacker review)
        #expect(error?.reason.contains("lookups") == true, "\(error?.reason ?? "read")")
    }

    @Test("The lexer reads names with #xx escapes, nested strings, hex strings, references and comments, and refuses a truncated object")
    func lexer() throws {
        var l = PDFLexer(Array("<< /A#20B (x (y) \\) z) /H <41 42 4> /R 12 0 R /N [1 -2 3.5 % comment\n null] >>".utf8), base: 0, atEnd: true)
        let object = try l.object()
        #expect(object.dict?["A B"] == .string(Array("x (y) \\) z".utf8)))
        #expect(object.dict?["H"] == .string([0x41, 0x42, 0x40]))
        #expect(object.dict?["R"] == .ref(12, 0))
        #expect(object.dict?["N"] == .array([.int(1), .int(-2), .real(3.5), .null]))
        var cut = PDFLexer(Array("<< /A [1 2".utf8), base: 0, atEnd: false)
        #expect(throws: PDFSyntaxError.needMore) { try cut.object() }
        var cutAtEnd = PDFLexer(Array("<< /A [1 2".utf8), base: 0, atEnd: true)
        #expect(throws: PDFSyntaxError.self) { try cutAtEnd.object() }
    }
}
