import Foundation
import Testing

@testable import SignetServer

@Suite("Multipart bodies")
struct MultipartTests {
    let spool: BodySpool
    init() throws { spool = try BodySpool() }

    func stored(_ bytes: [UInt8]) throws -> SpooledFile {
        let (path, fd) = try spool.create()
        close(fd)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return SpooledFile(path: path, size: bytes.count)
    }

    func leftovers() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: spool.folder)) ?? [] }

    static func body(_ parts: [(name: String, filename: String?, content: [UInt8])], boundary: String, preamble: String = "") -> [UInt8] {
        var out = Array(preamble.utf8)
        for p in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(p.name)\""
            if let f = p.filename { head += "; filename=\"\(f)\"" }
            head += "\r\nContent-Type: application/octet-stream\r\n\r\n"
            out += Array(head.utf8) + p.content + Array("\r\n".utf8)
        }
        out += Array("--\(boundary)--\r\n".utf8)
        return out
    }

    @Test("Parts come back byte for byte with their names, after a preamble, whatever the read chunking")
    func partsRoundTrip() throws {
        defer { spool.removeAll() }
        // The second part is larger than the reader's chunk and holds text close to the delimiter.
        var big = [UInt8](repeating: 0x41, count: 700_000)
        let near = Array("\r\n--boundaryQ".utf8)  // a near miss of "\r\n--boundaryX"
        big.replaceSubrange(262_140..<262_140 + near.count, with: near)
        let first: [UInt8] = [0xFF, 0xD8, 0x0D, 0x0A, 0x2D, 0x2D, 0xFF, 0xD9]
        let body = Self.body([("a", "one.jpg", first), ("b", "two.bin", big), ("c", nil, [])], boundary: "boundaryX", preamble: "ignored\r\n")
        let parts = try Multipart.parts(of: try stored(body), boundary: "boundaryX", spool: spool)  // read in 256 KiB chunks
        #expect(parts.count == 3)
        #expect(parts.map(\.filename) == ["one.jpg", "two.bin", nil])
        #expect(parts.map(\.name) == ["a", "b", "c"])
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: parts[0].file.path))) == first)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: parts[1].file.path))) == big)
        #expect(parts[2].file.size == 0)
    }

    @Test("The boundary is read from the Content-Type, quoted or not, and a bad one is refused")
    func boundaries() throws {
        defer { spool.removeAll() }
        #expect(try Multipart.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(try Multipart.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(try Multipart.boundary(contentType: "image/jpeg") == nil)
        #expect(throws: ServiceError.self) { try Multipart.boundary(contentType: "multipart/form-data") }
        #expect(throws: ServiceError.self) { try Multipart.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "x", count: 71)) }
    }

    @Test("A body cut inside a part, headers past the cap and too many parts are refused, leaving no part files")
    func hostileBodies() throws {
        defer { spool.removeAll() }
        let whole = Self.body([("a", "x", [1, 2, 3])], boundary: "B")
        let cut = try stored(Array(whole.prefix(whole.count - 8)))
        #expect(throws: ServiceError.self) { try Multipart.parts(of: cut, boundary: "B", spool: spool) }
        let longHeader = Array("--B\r\nX-Pad: \(String(repeating: "p", count: 9000))\r\n\r\nabc\r\n--B--".utf8)
        #expect(throws: ServiceError.self) { try Multipart.parts(of: try stored(longHeader), boundary: "B", spool: spool) }
        let many = Self.body((0..<5).map { (name: "f\($0)", filename: nil, content: [UInt8]([1])) }, boundary: "B")
        #expect(throws: ServiceError.self) { try Multipart.parts(of: try stored(many), boundary: "B", spool: spool, maxParts: 4) }
        let padded = Array("--B".utf8) + [UInt8](repeating: 0x20, count: 10_000) + Array("\r\n\r\nabc\r\n--B--".utf8)
        #expect(throws: ServiceError.self) { try Multipart.parts(of: try stored(padded), boundary: "B", spool: spool) }
        let noBoundary = try stored(Array("just some bytes".utf8))
        #expect(throws: ServiceError.self) { try Multipart.parts(of: noBoundary, boundary: "B", spool: spool) }
        // Only the five stored inputs remain: every part file made on the way was removed.
        #expect(leftovers().count == 5)
    }
}
