import Foundation
import SignetMedia
import SignetTestSupport
import Testing

@testable import SignetDetect

@Suite("Remote manifest references")
struct RemoteReferenceTests {
    static let url = "https://example.com/manifests/abc.c2pa"
    static let attributeForm = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" xmlns:dcterms=\"http://purl.org/dc/terms/\" dcterms:provenance=\" \(url) \"/></rdf:RDF></x:xmpmeta>"
    static let elementForm = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description rdf:about=\"\" xmlns:dcterms=\"http://purl.org/dc/terms/\"><dcterms:provenance>\(url)</dcterms:provenance></rdf:Description></rdf:RDF></x:xmpmeta>"

    /// A one-object-and-stream PDF: the catalog names its XMP stream as /Metadata.
    static func pdf(xmp: String) -> [UInt8] {
        var out = Array("%PDF-1.7\n".utf8)
        let catalog = out.count
        out += Array("1 0 obj\n<< /Type /Catalog /Metadata 2 0 R >>\nendobj\n".utf8)
        let metadata = out.count
        out += Array("2 0 obj\n<< /Type /Metadata /Subtype /XML /Length \(xmp.utf8.count) >>\nstream\n\(xmp)\nendstream\nendobj\n".utf8)
        let xref = out.count
        out += Array("xref\n0 3\n0000000000 65535 f \n".utf8)
        out += Array(String(format: "%010d 00000 n \n%010d 00000 n \n", catalog, metadata).utf8)
        out += Array("trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    @Test("XMP dcterms:provenance is read, trimmed, in the attribute and element forms, from JPEG, PNG, TIFF, JPEG XL, SVG and a PDF catalog's /Metadata")
    func provenanceIsReadInEveryFormat() throws {
        let jpeg = MetaTestBytes.insertingAfterSOI(try MetaTestBytes.jpeg(), MetaTestBytes.xmpSegment(Self.attributeForm))
        let png = MetaTestBytes.insertingAfterIHDR(try MetaTestBytes.png(), MetaTestBytes.iTXt("XML:com.adobe.xmp", Array(Self.elementForm.utf8)))
        // A little-endian TIFF: the header, then IFD0 with XMP (tag 700, BYTE) and its value after it.
        let xmp = Array(Self.elementForm.utf8)
        var tiff: [UInt8] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, 1, 0, 0xBC, 0x02, 1, 0]
        tiff += [UInt8(xmp.count & 0xFF), UInt8(xmp.count >> 8), 0, 0, 26, 0, 0, 0, 0, 0, 0, 0] + xmp
        let xml = Array(Self.attributeForm.utf8)
        let jxl: [UInt8] = [0, 0, 0, 0x0C, 0x4A, 0x58, 0x4C, 0x20, 0x0D, 0x0A, 0x87, 0x0A, 0, 0, 0, 0x14] + Array("ftypjxl ".utf8) + [0, 0, 0, 0] + Array("jxl ".utf8)
            + MetaTestBytes.be32(xml.count + 8) + Array("xml ".utf8) + xml + MetaTestBytes.be32(12) + Array("jxlc".utf8) + [0xFF, 0x0A, 0, 0]
        let svg = Array("<svg xmlns=\"http://www.w3.org/2000/svg\"><metadata>\(Self.elementForm)</metadata></svg>".utf8)
        let pdf = Self.pdf(xmp: Self.attributeForm)
        for (name, bytes) in [("jpeg", jpeg), ("png", png), ("tiff", tiff), ("jxl", jxl), ("svg", svg), ("pdf", pdf)] {
            #expect(MetadataReader.read(bytes: bytes).remoteManifests == [Self.url], "\(name)")
            #expect(MetadataReader.remoteManifests(FileReader(bytes: bytes, name: name)) == [Self.url], "\(name)")
        }
        #expect(MetadataReader.read(bytes: try MetaTestBytes.jpeg()).remoteManifests.isEmpty)
    }

    @Test("A hostile reference list stays bounded: at most 4 URLs of at most 2,048 bytes")
    func referencesAreBounded() {
        let many = (0..<20).map { "<dcterms:provenance>https://e.com/\($0)</dcterms:provenance>" }.joined()
        let long = "<dcterms:provenance>https://e.com/" + String(repeating: "a", count: 5000) + "</dcterms:provenance>"
        let jpeg = MetaTestBytes.insertingAfterSOI(MetaTestBytes.tinyJPEG(width: 8, height: 8), MetaTestBytes.xmpSegment("<x:xmpmeta>\(long)\(many)</x:xmpmeta>"))
        let found = MetadataReader.read(bytes: jpeg).remoteManifests
        #expect(found.count <= 4)
        #expect(found.allSatisfy { $0.utf8.count <= 2048 })
    }
}
