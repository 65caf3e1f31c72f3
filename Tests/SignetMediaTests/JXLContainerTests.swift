import Foundation
import Testing
@testable import SignetMedia

/// JPEG XL containers built box by box (the codestream bytes are not decoded here).
enum JXLBuilder {
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { be32(payload.count + 8) + Array(type.utf8) + payload }
    static let codestream: [UInt8] = [0xFF, 0x0A] + (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 11) }
    static let head: [UInt8] = JXLContainer.signature + JXLContainer.ftyp

    static func file(_ boxes: [[UInt8]] = []) -> [UInt8] { head + boxes.flatMap { $0 } + box("jxlc", codestream) }
}

@Suite struct JXLContainerTests {
    @Test("The store goes right after ftyp as one jumb box, excluded whole; signing again replaces it and removing gives back the input")
    func containerLayout() throws {
        let dir = ScratchDirectory()
        let input = JXLBuilder.file([JXLBuilder.box("jxll", [5]), JXLBuilder.box("Exif", [0, 0, 0, 0] + [UInt8](repeating: 7, count: 20))])
        let store = jumbfStore(totalSize: 400)
        let planned = try embedViaPlan(store, into: input, dir: dir)
        let at = JXLBuilder.head.count
        #expect(planned.output == Array(input[..<at]) + store + Array(input[at...]))
        #expect(planned.plan.excludedRange == Int64(at)..<Int64(at + store.count))
        #expect(planned.hashed == input)
        let scan = try AssetContainer.scan(try FileReader(path: planned.path))
        #expect(scan.format == .jxl && scan.manifestStore == store)
        #expect(scan.segments.map(\.name) == ["JXL ", "ftyp", "jumb", "jxll", "Exif", "jxlc"])
        // The picture's boxes are protected; the Exif box's payload and the store are not.
        func isProtected(_ r: Range<Int64>) -> Bool { scan.protectedRanges.contains { $0.overlaps(r) } }
        #expect(!isProtected(scan.storeRanges[0]))
        let exif = try #require(scan.segments.first { $0.name == "Exif" }).range
        #expect(isProtected(exif.lowerBound..<(exif.lowerBound + 8)) && !isProtected((exif.lowerBound + 8)..<exif.upperBound))
        #expect(isProtected(try #require(scan.segments.last).range))
        let other = jumbfStore(totalSize: 90, seed: 3)
        let replaced = try embedViaPlan(other, into: planned.output, dir: dir, name: "replaced")
        #expect(replaced.output == Array(input[..<at]) + other + Array(input[at...]))
        #expect(try embedViaPlan(nil, into: planned.output, dir: dir, name: "removed").output == input)
    }

    @Test("A bare codestream is wrapped: signature, ftyp, the store, and a jxlc box holding the codestream unchanged")
    func bareCodestreamIsWrapped() throws {
        let dir = ScratchDirectory()
        let bare = JXLBuilder.codestream
        let store = jumbfStore(totalSize: 200)
        let planned = try embedViaPlan(store, into: bare, dir: dir)
        #expect(planned.output == JXLBuilder.head + store + JXLBuilder.box("jxlc", bare))
        let scan = try AssetContainer.scan(try FileReader(path: planned.path))
        #expect(scan.manifestStore == store)
        #expect(try AssetContainer.scan(try FileReader(path: dir.write("bare.jxl", bare))).manifestStore == nil)
    }

    @Test("Other JUMBF boxes are not the store; a second store, a wrong first box or brand, and a truncated box are refused")
    func craftedContainers() throws {
        let dir = ScratchDirectory()
        func code(_ b: [UInt8], _ name: String) -> MediaError.Code? {
            mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write(name, b))) }
        }
        let store = jumbfStore(totalSize: 120)
        let notC2PA = jumbfStore(payloadSize: 30, label: "other")
        #expect(try AssetContainer.scan(try FileReader(path: try dir.write("other.jxl", JXLBuilder.file([notC2PA])))).manifestStore == nil)
        #expect(code(JXLBuilder.file([store, store]), "two.jxl") == .multipleStores)
        var brand = JXLBuilder.file()
        brand[JXLBuilder.head.count - 12] = 0x41
        #expect(code(brand, "brand.jxl") == .corrupt)
        let noFtyp = JXLContainer.signature + JXLBuilder.box("jxlc", JXLBuilder.codestream)
        #expect(code(noFtyp, "noftyp.jxl") == .corrupt)
        var truncated = JXLBuilder.file()
        truncated.removeLast(10)
        #expect(code(truncated, "short.jxl") == .truncated)
        #expect(mediaErrorCode { _ = try AssetContainer.scan(try FileReader(path: try dir.write("big.jxl", JXLBuilder.file([store]))), maxStoreSize: 50) } == .storeTooLarge)
    }
}
