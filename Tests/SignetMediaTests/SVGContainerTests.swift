import Foundation
import Testing
@testable import SignetMedia

@Suite struct SVGContainerTests {
    static let plain = Array("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\"><rect title=\"a > b\" width=\"2\"/></svg>\n".utf8)

    @Test("Without metadata: the namespace on the root, then metadata and the manifest right after the root's start tag, as c2pa-rs; only the base64 is excluded; replaced in place; removed to give back the input")
    func layoutWithoutMetadata() throws {
        let dir = ScratchDirectory()
        let input = Self.plain
        let store = jumbfStore(totalSize: 301)
        let planned = try embedViaPlan(store, into: input, dir: dir)
        let base64 = Array(Data(store).base64EncodedString().utf8)
        let text = String(decoding: planned.output, as: UTF8.self)
        #expect(text == "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" xmlns:c2pa=\"http://c2pa.org/manifest\"><metadata><c2pa:manifest>"
            + String(decoding: base64, as: UTF8.self) + "</c2pa:manifest></metadata><rect title=\"a > b\" width=\"2\"/></svg>\n")
        let scan = try AssetContainer.scan(try FileReader(path: planned.path))
        #expect(scan.format == .svg && scan.manifestStore == store)
        let range = try #require(scan.storeRanges.first)
        #expect(Array(planned.output[Int(range.lowerBound)..<Int(range.upperBound)]) == base64)
        #expect(planned.plan.excludedRange == range)
        // Everything but the metadata element's content is protected.
        #expect(scan.protectedRanges.allSatisfy { !$0.overlaps(range) })
        #expect(scan.protectedRanges.contains { $0.contains(0) })
        let other = jumbfStore(totalSize: 100, seed: 2)
        let replaced = try embedViaPlan(other, into: planned.output, dir: dir, name: "replaced")
        #expect(try AssetContainer.scan(try FileReader(path: replaced.path)).manifestStore == other)
        #expect(try embedViaPlan(nil, into: planned.output, dir: dir, name: "removed").output == input)
    }

    @Test("With a metadata child the manifest goes first inside it; a self-closing metadata or root is opened")
    func layoutWithMetadata() throws {
        let dir = ScratchDirectory()
        let store = jumbfStore(totalSize: 60)
        let b64 = Data(store).base64EncodedString()
        let cases: [(String, String)] = [
            ("<svg><metadata><x/></metadata></svg>", "<svg xmlns:c2pa=\"http://c2pa.org/manifest\"><metadata><c2pa:manifest>\(b64)</c2pa:manifest><x/></metadata></svg>"),
            ("<svg><metadata/><g/></svg>", "<svg xmlns:c2pa=\"http://c2pa.org/manifest\"><metadata><c2pa:manifest>\(b64)</c2pa:manifest></metadata><g/></svg>"),
            ("<svg a='1'/>", "<svg a='1' xmlns:c2pa=\"http://c2pa.org/manifest\"><metadata><c2pa:manifest>\(b64)</c2pa:manifest></metadata></svg>"),
            ("<svg xmlns:c2pa=\"http://c2pa.org/manifest\"></svg>", "<svg xmlns:c2pa=\"http://c2pa.org/manifest\"><metadata><c2pa:manifest>\(b64)</c2pa:manifest></metadata></svg>"),
        ]
        for (i, (input, expected)) in cases.enumerated() {
            let planned = try embedViaPlan(store, into: Array(input.utf8), dir: dir, name: "case\(i)")
            #expect(String(decoding: planned.output, as: UTF8.self) == expected)
            #expect(try AssetContainer.scan(try FileReader(path: planned.path)).manifestStore == store)
        }
    }

    @Test("Crafted SVGs are refused in bounded time: billion laughs, deep nesting, markup or bad base64 in the manifest, a manifest where c2pa-rs does not look, two manifests, another root, UTF-16, truncation")
    func craftedDocumentsAreRefused() throws {
        let dir = ScratchDirectory()
        func code(_ text: String, _ name: String) -> MediaError.Code? {
            mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write(name, Array(text.utf8)))) }
        }
        let b64 = Data(jumbfStore(totalSize: 60)).base64EncodedString()
        let manifest = "<c2pa:manifest>\(b64)</c2pa:manifest>"
        var laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [\n<!ENTITY lol \"lol\">\n"
        for i in 1...9 { laughs += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i == 1 ? "" : String(i - 1));", count: 10) + "\">\n" }
        laughs += "]>\n<svg><text>&lol9;</text></svg>"
        let seconds = secondsTaken { #expect(code(laughs, "laughs.svg") == .unsupportedFormat) }
        #expect(seconds < 5)
        #expect(code(String(repeating: "<g>", count: 300).replacingOccurrences(of: "^<g>", with: "<svg>", options: .regularExpression) + String(repeating: "</g>", count: 299) + "</svg>", "deep.svg") == .corrupt)
        #expect(code("<svg><metadata><c2pa:manifest>\(b64.prefix(8))<x/>\(b64.dropFirst(8))</c2pa:manifest></metadata></svg>", "markup.svg") == .corrupt)
        #expect(code("<svg><metadata><c2pa:manifest>\(b64.dropLast(1))!</c2pa:manifest></metadata></svg>", "b64.svg") == .corrupt)
        #expect(code("<svg><metadata><c2pa:manifest>&amp;\(b64)</c2pa:manifest></metadata></svg>", "entity.svg") == .corrupt)
        #expect(code("<svg><g>\(manifest)</g></svg>", "outside.svg") == .corrupt)
        #expect(code("<svg><metadata><g>\(manifest)</g></metadata></svg>", "nested.svg") == .corrupt)
        #expect(code("<svg><metadata>\(manifest)\(manifest)</metadata></svg>", "two.svg") == .multipleStores)
        #expect(code("<html><body/></html>", "html.svg") == .unsupportedFormat)
        #expect(code("<svg><metadata>\(manifest)</metadata>", "open.svg") == .truncated)
        #expect(code("<svg></svg><svg></svg>", "roots.svg") == .corrupt)
        #expect(code("<svg><g></svg>", "mismatch.svg") == .corrupt)
        #expect(code("<svg " + String(repeating: "a", count: 300) + "='1'/>", "name.svg") == .corrupt)
        #expect(mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write("utf16.svg", [0xFE, 0xFF, 0, 0x3C, 0, 0x73, 0, 0x76, 0, 0x67, 0, 0x2F, 0, 0x3E]))) } == .unsupportedFormat)
        // What is not refused: an external DOCTYPE, comments and CDATA holding markup-like text, '>' in attributes.
        let fine = "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<!-- <c2pa:manifest> --><svg a=\"x>y\"><style><![CDATA[ a > b { } ]]></style><metadata>\(manifest)</metadata></svg>"
        #expect(try AssetContainer.scan(try FileReader(path: try dir.write("fine.svg", Array(fine.utf8)))).manifestStore == jumbfStore(totalSize: 60))
    }

    @Test("Attacker review: a CDATA section ending ']]]>' and a comment ending '--->' end where XML says, so the metadata after them is found (signing used to refuse these files or miss their metadata)")
    func endMarkersThatRepeatTheirFirstByteAreFound() throws {
        let dir = ScratchDirectory()
        let b64 = Data(jumbfStore(totalSize: 60)).base64EncodedString()
        let text = "<svg><style><![CDATA[x]]]></style><!-- a --->\n<metadata><c2pa:manifest>\(b64)</c2pa:manifest></metadata><style><![CDATA[]]></style></svg>"
        #expect(try AssetContainer.scan(try FileReader(path: try dir.write("cdata.svg", Array(text.utf8)))).manifestStore == jumbfStore(totalSize: 60))
        let unsigned = "<svg><style><![CDATA[x]]]></style><metadata><x/></metadata></svg>"
        let planned = try embedViaPlan(jumbfStore(totalSize: 60), into: Array(unsigned.utf8), dir: dir)
        #expect(String(decoding: planned.output, as: UTF8.self).contains("<metadata><c2pa:manifest>\(b64)</c2pa:manifest><x/></metadata>"))
    }
}
