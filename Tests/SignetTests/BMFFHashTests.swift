import Crypto
import Foundation
import SignetCBOR
import SignetJUMBF
import SignetTrust
import Testing

@testable import Signet
@testable import SignetMedia

/// Small ISO BMFF files assembled byte by byte, with where each top-level box lands.
enum BMFFBytes {
    static let c2paUUID: [UInt8] = [0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81]
    static let xmpUUID: [UInt8] = [0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC]

    static func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func be64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
    static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { be32(UInt32(8 + payload.count)) + Array(type.utf8) + payload }
    static func box(_ type: String, children: [[UInt8]]) -> [UInt8] { box(type, children.flatMap { $0 }) }
    static func full(_ type: String, version: UInt8 = 0, flags: UInt32 = 0, _ payload: [UInt8]) -> [UInt8] {
        box(type, [version] + be32(flags).suffix(3) + payload)
    }
    static func uuid(_ userType: [UInt8], _ payload: [UInt8]) -> [UInt8] { box("uuid", userType + payload) }
    /// A C2PA `uuid` box (FullBox version 0, flags 0) with a NUL-terminated purpose.
    static func c2pa(_ purpose: String, _ data: [UInt8]) -> [UInt8] { uuid(c2paUUID, [0, 0, 0, 0] + Array(purpose.utf8) + [0] + data) }
    /// A `manifest` box: the 8-byte merkle offset, then stand-in store bytes.
    static func manifest(_ store: [UInt8] = [UInt8](repeating: 0xAB, count: 64)) -> [UInt8] { c2pa("manifest", be64(0) + store) }
    /// A `merkle` box holding `map`'s CBOR, zero-padded to `cborSpace` bytes.
    static func merkle(_ map: CBOR, cborSpace: Int = 160) -> [UInt8] {
        var cbor = CBOREncoder().encode(map)
        precondition(cbor.count <= cborSpace)
        cbor += [UInt8](repeating: 0, count: cborSpace - cbor.count)
        return c2pa("merkle", cbor)
    }
    static func merkleMap(uniqueId: UInt64, localId: UInt64, location: UInt64, proof: [[UInt8]]) -> CBOR {
        .map([
            .init("uniqueId", .unsignedInt(uniqueId)), .init("localId", .unsignedInt(localId)), .init("location", .unsignedInt(location)),
            .init("hashes", .array(proof.map { .byteString($0) })),
        ])
    }
    static let ftyp = box("ftyp", Array("isom".utf8) + be32(0x200) + Array("isommp41".utf8))
    static func free(_ n: Int = 8, fill: UInt8 = 0) -> [UInt8] { box("free", [UInt8](repeating: fill, count: n)) }
    static func mdat(_ n: Int, seed: Int = 1) -> [UInt8] { box("mdat", (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ seed &* 7) }) }

    /// A `moov` whose tracks have one chunk at `chunkOffset` holding samples of `sampleSizes` (one size: the
    /// constant form of `stsz`); `extra` boxes go after the `trak`s.
    static func moov(chunkOffset: UInt32, sampleSizes: [UInt32] = [], tracks: Int = 1, extra: [[UInt8]] = []) -> [UInt8] {
        let stsc = sampleSizes.isEmpty ? be32(0) : be32(1) + be32(1) + be32(UInt32(sampleSizes.count)) + be32(1)
        let stsz = sampleSizes.count == 1 ? be32(sampleSizes[0]) + be32(1) : be32(0) + be32(UInt32(sampleSizes.count)) + sampleSizes.flatMap(be32)
        let stbl = box("stbl", children: [
            full("stsd", be32(0)), full("stts", be32(0)), full("stsc", stsc), full("stsz", stsz),
            full("stco", be32(1) + be32(chunkOffset)),
        ])
        let minf = box("minf", children: [full("vmhd", flags: 1, [UInt8](repeating: 0, count: 8)), stbl])
        let mdia = box("mdia", children: [
            full("mdhd", [UInt8](repeating: 1, count: 20)),
            full("hdlr", [0, 0, 0, 0] + Array("vide".utf8) + [UInt8](repeating: 0, count: 12) + Array("v\0".utf8)), minf,
        ])
        let traks = (0..<tracks).map { i in box("trak", children: [full("tkhd", flags: 3, [UInt8](repeating: UInt8(i + 1), count: 20)), mdia]) }
        return box("moov", children: [full("mvhd", [UInt8](repeating: 2, count: 20))] + traks + extra)
    }
}

/// Top-level boxes laid out one after another.
struct BMFFLayout {
    var boxes: [(name: String, bytes: [UInt8])] = []
    mutating func add(_ name: String, _ bytes: [UInt8]) { boxes.append((name, bytes)) }
    var bytes: [UInt8] { boxes.flatMap(\.bytes) }
    var size: Int { boxes.reduce(0) { $0 + $1.bytes.count } }
    func start(_ name: String) -> Int {
        var offset = 0
        for b in boxes {
            if b.name == name { return offset }
            offset += b.bytes.count
        }
        preconditionFailure("no box \(name)")
    }
    func range(_ name: String) -> Range<Int64> { Int64(start(name))..<Int64(start(name) + self[name].count) }
    subscript(name: String) -> [UInt8] { boxes.first { $0.name == name }!.bytes }
    /// The 8-byte offset then the bytes of the box: what a hashed top-level box contributes.
    func hashed(_ name: String) -> [UInt8] { BMFFBytes.be64(UInt64(start(name))) + self[name] }
}

private func digest256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

/// The BMFF hash (`c2pa.hash.bmff.v2` / `.v3`): the digest c2pa-rs computes, the Merkle forms, and the exclusions
/// an attacker would like a validator to accept. Expected digests are assembled by hand from the boxes' bytes.
final class BMFFHashTests {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("signet-bmff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: dir) }

    func write(_ bytes: [UInt8], _ name: String = "asset-\(UUID().uuidString).mp4") throws -> FileReader {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return try FileReader(path: url.path)
    }

    /// ftyp, C2PA manifest box, free, mdat, moov (its stco pointing into the mdat).
    func plainMP4(mdatSize: Int = 300, moovExtra: [[UInt8]] = [], afterFtyp: [(String, [UInt8])] = []) -> BMFFLayout {
        var l = BMFFLayout()
        l.add("ftyp", BMFFBytes.ftyp)
        l.add("c2pa", BMFFBytes.manifest())
        for (n, b) in afterFtyp { l.add(n, b) }
        l.add("free", BMFFBytes.free())
        l.add("mdat", BMFFBytes.mdat(mdatSize))
        l.add("moov", BMFFBytes.moov(chunkOffset: UInt32(l.start("mdat") + 8), sampleSizes: [UInt32(mdatSize)], extra: moovExtra))
        return l
    }

    func hasher(_ l: BMFFLayout) throws -> BMFFHasher { try BMFFHasher(reader: try write(l.bytes)) }

    /// Runs the validator's check on `assertion` (as CBOR) against `bytes`, with the store at `store`.
    func check(_ bytes: [UInt8], _ cbor: CBOR, store: [Range<Int64>], label: String = "c2pa.hash.bmff.v3") throws -> StatusLists {
        let reader = try write(bytes)
        let boxBytes = JUMBFWriter.cborContentBox(label: label, cbor: CBOREncoder().encode(cbor))
        let binding = try #require(AssertionBox(box: try JUMBFParser().parseBox(boxBytes), storeBytes: boxBytes))
        var s = StatusLists()
        ManifestValidator(trust: .none).checkBMFFHash(
            binding, url: "self#jumbf=c2pa.assertions/\(label)", claimAlg: "sha256", asset: BoundAsset(reader: reader, storeRanges: store), into: &s)
        return s
    }

    func failures(_ s: StatusLists) -> [StatusCode] { s.failure.map(\.code) }

    /// The default assertion with its hash set to `digest`.
    func signed(_ digest: [UInt8]) -> BMFFHashAssertion { BMFFHashAssertion.c2paDefault(hash: digest) }

    // MARK: - The assertion

    @Test("The default assertion's CBOR is byte for byte what c2pa-rs 0.91.3 writes")
    func defaultCBOR() throws {
        let hex = """
            a46a6578636c7573696f6e7385\
            a2657870617468652f757569646464617461 81a2666f66667365740865 76616c756550d8fec3d61b0e483c92975828877ec481\
            a1657870617468652f66747970 a1657870617468652f6d667261 a1657870617468652f66726565 a1657870617468652f736b6970\
            63616c676673686132353664686173685820dd0a40dd0ec86225b2969109fad1c78d783906cf579741db50e03e0b304efccf\
            646e616d656e6a756d6266206d616e6966657374
            """.filter { !$0.isWhitespace }
        var expected: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            expected.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        let digest = Array(expected.suffix(52).prefix(32))
        #expect(CBOREncoder().encode(BMFFHashAssertion.c2paDefault(alg: "sha256", hash: digest).cbor) == expected)
        let decoded = try BMFFHashAssertion(cbor: try CBORDecoder().decode(expected))
        #expect(decoded == BMFFHashAssertion.c2paDefault(hash: digest))
        #expect(decoded.exclusions.count == 5 && decoded.name == "jumbf manifest")
    }

    @Test("Decoding refuses wrong types, negative and out-of-range integers, and flags that are not 3 bytes")
    func strictDecoding() throws {
        func decode(_ exclusion: CBOR, extra: [CBOR.MapEntry] = []) throws -> BMFFHashAssertion {
            try BMFFHashAssertion(cbor: .map([.init("exclusions", .array([exclusion])), .init("hash", .byteString([1]))] + extra))
        }
        #expect(try decode(["xpath": "/moov", "length": 12, "version": 255, "flags": .byteString([0, 0, 1]), "exact": false]).exclusions[0]
            == .init(xpath: "/moov", length: 12, version: 255, flags: [0, 0, 1], exact: false))
        let bad: [CBOR] = [
            ["xpath": 5], ["length": 1], ["xpath": "/moov", "length": -1], ["xpath": "/moov", "length": .unsignedInt(1 << 32)],
            ["xpath": "/moov", "version": 256], ["xpath": "/moov", "version": -1], ["xpath": "/moov", "flags": .byteString([0, 1])],
            ["xpath": "/moov", "flags": "abc"], ["xpath": "/moov", "exact": 1], ["xpath": "/moov", "data": [["offset": -8, "value": .byteString([1])]]],
            ["xpath": "/moov", "data": [["offset": 8]]], ["xpath": "/moov", "subset": [["offset": 1, "length": -1]]],
            ["xpath": "/moov", "subset": [["offset": 1.5, "length": 1]]], ["xpath": "/moov", "subset": ["offset"]],
        ]
        for b in bad { #expect(throws: ClaimDecodingError.self, "\(b)") { try decode(b) } }
        #expect(throws: ClaimDecodingError.self) { try BMFFHashAssertion(cbor: ["hash": .byteString([1])]) }
        #expect(throws: ClaimDecodingError.self) { try BMFFHashAssertion(cbor: ["exclusions": [["xpath": "/a"]], "hash": "text"]) }
        #expect(throws: ClaimDecodingError.self) {
            try decode(["xpath": "/ftyp"], extra: [.init("merkle", [["uniqueId": 1, "localId": -2, "count": 1, "hashes": [.byteString([1])]]])])
        }
        #expect(throws: ClaimDecodingError.self) {
            try decode(["xpath": "/ftyp"], extra: [.init("merkle", [["uniqueId": 1, "localId": 0, "count": .unsignedInt(1 << 33), "hashes": []]])])
        }
        // `url` is read (and ignored), never written.
        let withURL = try decode(["xpath": "/ftyp"], extra: [.init("url", "https://example.com")])
        #expect(withURL.url == "https://example.com" && withURL.cbor["url"] == nil)
    }

    @Test("Merkle maps and merkle-box maps round-trip with keys in c2pa-rs's order")
    func merkleCBOR() throws {
        let map = BMFFHashAssertion.MerkleMap(uniqueId: 1, localId: 2, count: 6, alg: "sha256", initHash: [9], hashes: [[1], [2]], fixedBlockSize: 1024)
        let keys = map.cbor.mapEntries!.map { $0.key.stringValue! }
        #expect(keys == ["uniqueId", "localId", "count", "alg", "initHash", "hashes", "fixedBlockSize"])
        var a = BMFFHashAssertion.c2paDefault(hash: [1])
        a.merkle = [map]
        #expect(try BMFFHashAssertion(cbor: a.cbor) == a)
        #expect(a.cbor.mapEntries!.map { $0.key.stringValue! } == ["exclusions", "alg", "hash", "merkle", "name"])
        let box = BMFFMerkleBoxMap(uniqueId: 1, localId: 2, location: 3, hashes: [[7]])
        #expect(try BMFFMerkleBoxMap(cbor: box.cbor) == box)
        #expect(throws: ClaimDecodingError.self) { try BMFFMerkleBoxMap(cbor: ["uniqueId": 1, "localId": 2, "location": -3]) }
    }

    @Test("Label versions: .v2 and .v3 are BMFF hashes; plain c2pa.hash.bmff (v1) is not checked")
    func labels() throws {
        #expect(BMFFHashAssertion.version(ofLabel: "c2pa.hash.bmff.v3") == 3)
        #expect(BMFFHashAssertion.version(ofLabel: "c2pa.hash.bmff.v2__1") == 2)
        #expect(BMFFHashAssertion.version(ofLabel: "c2pa.hash.bmff") == 1)
        #expect(BMFFHashAssertion.version(ofLabel: "c2pa.hash.data") == nil)
        let l = plainMP4()
        let s = try check(l.bytes, signed(digest256(l.hashed("mdat") + l.hashed("moov"))).cbor, store: [l.range("c2pa")], label: "c2pa.hash.bmff")
        #expect(failures(s) == [.algorithmUnsupported])
    }

    @Test("The xpath syntax is the strict subset C2PA allows")
    func xpathSyntax() {
        for good in ["/moov", "/moov/trak[2]/mdia", "/url ", "/\u{A9}nam", "/moov[10]/pssh"] { #expect(BMFFXPath(good) != nil, "\(good)") }
        for bad in ["moov", "/", "//moov", "/moov/", "/moo", "/moovv", "/moov[0]", "/moov[01]", "/moov[x]", "/mo[v", "/moov[1", "/trak[-1]"] {
            #expect(BMFFXPath(bad) == nil, "\(bad)")
        }
    }

    // MARK: - The digest

    @Test("Each top-level box not wholly excluded contributes its 8-byte offset then its bytes; excluded ones contribute nothing")
    func offsetMarkers() throws {
        let l = plainMP4()
        let h = try hasher(l)
        let expected = digest256(l.hashed("mdat") + l.hashed("moov"))
        #expect(try h.digest(.c2paDefault(), alg: .sha256) == expected)
        #expect(try h.digest(.c2paDefault(), version: 2, alg: .sha256) == expected)
        #expect(try h.digest(.c2paDefault(), version: 1, alg: .sha256) == digest256(l["mdat"] + l["moov"]), "v1: no markers")
        #expect(try h.digest(.c2paDefault(), alg: .sha384) == Array(SHA384.hash(data: l.hashed("mdat") + l.hashed("moov"))))
        #expect(try h.verify(signed(expected), alg: .sha256, storeRanges: [l.range("c2pa")]) == BMFFVerification(form: .fileHash, leaves: 0))
        // Signet signs with the mandatory exclusions only: its free box is hashed like any other.
        #expect(try BMFFHasher.signingHash(of: try write(l.bytes), alg: .sha256)
            == .signetDefault(alg: "sha256", hash: digest256(l.hashed("free") + l.hashed("mdat") + l.hashed("moov"))))
    }

    @Test("/free is excluded by c2pa-rs's default: an excluded free box must hold zeros (data there is refused); without the exclusion the free box and its offset are hashed")
    func freeExcluded() throws {
        var l = plainMP4()
        let digest = digest256(l.hashed("mdat") + l.hashed("moov"))
        #expect(try check(l.bytes, signed(digest).cbor, store: [l.range("c2pa")]).success.map(\.code) == [.assertionBMFFHashMatch])
        l.boxes[2].bytes = BMFFBytes.free(8, fill: 0x5A)
        let filled = try check(l.bytes, signed(digest).cbor, store: [l.range("c2pa")])
        #expect(failures(filled) == [.assertionBMFFHashMismatch])
        #expect(filled.failure.first?.explanation?.contains("holds data") == true)
        let mandatoryOnly = BMFFHashAssertion.signetDefault()
        let h = try hasher(l)
        #expect(try h.digest(mandatoryOnly, alg: .sha256) == digest256(l.hashed("free") + l.hashed("mdat") + l.hashed("moov")))
    }

    @Test("A subset excludes part of a box; a marker whose box starts in an excluded stretch is kept only between hashed bytes")
    func subsets() throws {
        // An XMP uuid box (metadata) with its payload excluded from offset 24.
        let xmp = BMFFBytes.uuid(BMFFBytes.xmpUUID, Array("<x:xmpmeta/>".utf8))
        let l = plainMP4(afterFtyp: [("xmp", xmp)])
        let h = try hasher(l)
        var a = BMFFHashAssertion.c2paDefault()
        a.exclusions.append(.init(xpath: "/uuid", data: [.init(offset: 8, value: BMFFBytes.xmpUUID)], subset: [.init(offset: 24, length: 0)]))
        #expect(try h.digest(a, alg: .sha256) == digest256(l.hashed("xmp").prefix(8 + 24) + l.hashed("mdat") + l.hashed("moov")))
        // A hashed box's first bytes excluded: its offset still precedes its remaining bytes...
        var b = BMFFHashAssertion.c2paDefault()
        b.exclusions.append(.init(xpath: "/mdat", subset: [.init(offset: 0, length: 4)]))
        #expect(try h.digest(b, alg: .sha256) == digest256(l.hashed("xmp") + BMFFBytes.be64(UInt64(l.start("mdat"))) + l["mdat"][4...] + l.hashed("moov")))
        // ...except, as in c2pa-rs, for the first hashed box: nothing is hashed before it, so its offset is dropped.
        var c = BMFFHashAssertion.c2paDefault()
        c.exclusions.append(.init(xpath: "/uuid", data: [.init(offset: 8, value: BMFFBytes.xmpUUID)], subset: [.init(offset: 0, length: 4)]))
        #expect(try h.digest(c, alg: .sha256) == digest256(Array(xmp[4...]) + l.hashed("mdat") + l.hashed("moov")))
        // Subset lengths are clipped to the box; offsets past it are skipped.
        c.exclusions[5].subset = [.init(offset: 24, length: 1 << 40), .init(offset: UInt64.max, length: 1)]
        #expect(try h.digest(c, alg: .sha256) == digest256(l.hashed("xmp").prefix(8 + 24) + l.hashed("mdat") + l.hashed("moov")))
    }

    @Test("Conditions: the data condition tells the C2PA uuid from other uuid boxes; length, version and flags as the spec defines them")
    func conditions() throws {
        let xmp = BMFFBytes.uuid(BMFFBytes.xmpUUID, Array("<x:xmpmeta/>".utf8))
        let l = plainMP4(moovExtra: [BMFFBytes.box("udta", children: [BMFFBytes.box("titl", Array("hello".utf8))])], afterFtyp: [("xmp", xmp)])
        let h = try hasher(l)
        #expect(try h.digest(.c2paDefault(), alg: .sha256) == digest256(l.hashed("xmp") + l.hashed("mdat") + l.hashed("moov")))
        let moov = l["moov"]
        let udtaAt = moov.count - 21
        let withoutUdta = Array(moov[..<udtaAt])
        func digest(_ e: BMFFHashAssertion.Exclusion) throws -> [UInt8] {
            var a = BMFFHashAssertion.c2paDefault()
            a.exclusions.append(e)
            return try h.digest(a, alg: .sha256)
        }
        let all = digest256(l.hashed("xmp") + l.hashed("mdat") + l.hashed("moov"))
        let noUdta = digest256(l.hashed("xmp") + l.hashed("mdat") + BMFFBytes.be64(UInt64(l.start("moov"))) + withoutUdta)
        #expect(try digest(.init(xpath: "/moov/udta")) == noUdta)
        #expect(try digest(.init(xpath: "/moov/udta", length: 21)) == noUdta)
        #expect(try digest(.init(xpath: "/moov/udta", length: 20)) == all)
        #expect(try digest(.init(xpath: "/moov/udta", data: [.init(offset: 16, value: Array("hello".utf8))])) == noUdta)
        #expect(try digest(.init(xpath: "/moov/udta", data: [.init(offset: 16, value: Array("world".utf8))])) == all)
        // Version and flags: only FullBoxes match (udta is not one, so c2pa-rs would match it here; the spec does not).
        #expect(try digest(.init(xpath: "/moov/udta", version: 0)) == all)
        // tkhd: version 0, flags 3.
        let tkhdStart = l.start("moov") + 8 + 32 + 8
        let tkhd = tkhdStart..<(tkhdStart + 32)
        let noTkhd = digest256(l.hashed("xmp") + l.hashed("mdat") + BMFFBytes.be64(UInt64(l.start("moov"))) + Array(l.bytes[l.start("moov")..<tkhd.lowerBound]) + Array(l.bytes[tkhd.upperBound..<l.size]))
        #expect(try digest(.init(xpath: "/moov/trak/tkhd", version: 0)) == noTkhd)
        #expect(try digest(.init(xpath: "/moov/trak/tkhd", version: 1)) == all)
        #expect(try digest(.init(xpath: "/moov/trak/tkhd", flags: [0, 0, 3])) == noTkhd)
        #expect(try digest(.init(xpath: "/moov/trak/tkhd", flags: [0, 0, 1])) == all, "exact by default")
        #expect(try digest(.init(xpath: "/moov/trak/tkhd", flags: [0, 0, 1], exact: false)) == noTkhd, "at least those bits")
        #expect(try digest(.init(xpath: "/moov/trak/tkhd", flags: [0, 0, 4], exact: false)) == all)
    }

    @Test("An indexed xpath picks the n-th box of its type among its siblings; an index-free one every box of that path")
    func indexedXPath() throws {
        var l = BMFFLayout()
        l.add("ftyp", BMFFBytes.ftyp)
        l.add("mdat", BMFFBytes.mdat(10))
        l.add("moov", BMFFBytes.moov(chunkOffset: 40, tracks: 3))
        let h = try hasher(l)
        let tkhds = h.boxes(matching: BMFFXPath("/moov/trak/tkhd")!)
        #expect(tkhds.count == 3)
        #expect(h.boxes(matching: BMFFXPath("/moov/trak[2]/tkhd")!) == [tkhds[1]])
        #expect(h.boxes(matching: BMFFXPath("/moov[1]/trak[3]/tkhd[1]")!) == [tkhds[2]])
        #expect(h.boxes(matching: BMFFXPath("/moov[2]/trak/tkhd")!).isEmpty)
        #expect(h.boxes(matching: BMFFXPath("/moov/trak[4]/tkhd")!).isEmpty)
    }

    @Test("Tampering: a changed mdat byte is a mismatch; the excluded ftyp and the store box may change")
    func tampering() throws {
        let l = plainMP4()
        let a = signed(digest256(l.hashed("mdat") + l.hashed("moov"))).cbor
        let store = [l.range("c2pa")]
        #expect(try check(l.bytes, a, store: store).success.map(\.code) == [.assertionBMFFHashMatch])
        var mdat = l.bytes
        mdat[l.start("mdat") + 100] ^= 1
        let s = try check(mdat, a, store: store)
        #expect(failures(s) == [.assertionBMFFHashMismatch] && s.success.isEmpty)
        var ftyp = l.bytes
        ftyp[11] ^= 1
        #expect(try check(ftyp, a, store: store).success.map(\.code) == [.assertionBMFFHashMatch])
        var storeBytes = l.bytes
        storeBytes[l.start("c2pa") + 60] ^= 1
        #expect(try check(storeBytes, a, store: store).success.map(\.code) == [.assertionBMFFHashMatch])
        // The default's /free and /skip are beyond the mandatory exclusions: informational, as c2pa-rs reports.
        #expect(try check(l.bytes, a, store: store).informational.map(\.code) == [.assertionBMFFHashAdditionalExclusionsPresent])
        var mandatory = signed(digest256(l.hashed("free") + l.hashed("mdat") + l.hashed("moov")))
        mandatory.exclusions.removeLast(2)
        let m = try check(l.bytes, mandatory.cbor, store: store)
        #expect(m.success.map(\.code) == [.assertionBMFFHashMatch] && m.informational.isEmpty)
    }

    @Test("Moving a box changes the offsets hashed: the same bytes in another place are a mismatch")
    func movedBox() throws {
        let l = plainMP4()
        let a = signed(digest256(l.hashed("mdat") + l.hashed("moov")))
        // free moved from before the mdat to the end: mdat and moov keep their bytes but move up 16 bytes.
        var moved = BMFFLayout()
        for name in ["ftyp", "c2pa", "mdat", "moov", "free"] { moved.add(name, l[name]) }
        let h = try hasher(moved)
        #expect(try h.digest(a, version: 1, alg: .sha256) == hasher(l).digest(a, version: 1, alg: .sha256), "without markers the move would go unnoticed")
        #expect(try h.digest(a, alg: .sha256) != a.hash)
        #expect(failures(try check(moved.bytes, a.cbor, store: [moved.range("c2pa")])) == [.assertionBMFFHashMismatch])
    }

    @Test("An exclusion whose data condition reads past the end of the file is a mismatch, not a crash")
    func pastEOF() throws {
        let l = plainMP4()
        var a = signed(digest256(l.hashed("mdat") + l.hashed("moov")))
        a.exclusions.append(.init(xpath: "/moov", data: [.init(offset: UInt32.max, value: [1, 2])]))
        let s = try check(l.bytes, a.cbor, store: [l.range("c2pa")])
        #expect(failures(s) == [.assertionBMFFHashMismatch])
        #expect(s.failure.first?.explanation?.contains("past the end") == true)
        a.exclusions[5] = .init(xpath: "/moov", data: [.init(offset: UInt32(l["moov"].count) - 1, value: [0, 0])])
        #expect(failures(try check(l.bytes, a.cbor, store: [l.range("c2pa")])) == [.assertionBMFFHashMismatch])
        // Reading past the box but inside the file is allowed, as in c2pa-rs (the mdat's data read runs into moov).
        a.exclusions[5] = .init(xpath: "/free", data: [.init(offset: 24, value: Array(l["mdat"][8..<12]))])
        #expect(try check(l.bytes, a.cbor, store: [l.range("c2pa")]).success.map(\.code) == [.assertionBMFFHashMatch])
    }

    @Test("Boxes nested 40 deep are refused")
    func deepNesting() throws {
        var nested = BMFFBytes.box("moov", [])
        for _ in 0..<40 { nested = BMFFBytes.box("moov", nested) }
        let bytes = BMFFBytes.ftyp + BMFFBytes.manifest() + nested
        let reader = try write(bytes)
        #expect(throws: BMFFHashError.self) { try BMFFHasher(reader: reader) }
        #expect(failures(try check(bytes, signed([UInt8](repeating: 0, count: 32)).cbor, store: [Int64(BMFFBytes.ftyp.count)..<Int64(BMFFBytes.ftyp.count + BMFFBytes.manifest().count)]))
            == [.assertionBMFFHashMismatch])
        // A hand-built tree deeper than the parser allows is refused too.
        var box = BMFFBox(type: "moov", typeCode: 0x6D6F_6F76, range: 0..<8, headerSize: 8, userType: nil, children: [])
        for _ in 0..<40 { box = BMFFBox(type: "moov", typeCode: 0x6D6F_6F76, range: 0..<8, headerSize: 8, userType: nil, children: [box]) }
        #expect(throws: BMFFHashError.self) { try BMFFHasher(reader: reader, boxes: [box]) }
    }

    // MARK: - Malformed assertions (15.12.2), stricter than c2pa-rs

    @Test("No hash and no Merkle tree is malformed (c2pa-rs reports a match and hashes nothing)")
    func noHash() throws {
        let l = plainMP4()
        let s = try check(l.bytes, BMFFHashAssertion.c2paDefault().cbor, store: [l.range("c2pa")])
        #expect(failures(s) == [.assertionBMFFHashMalformed] && s.success.isEmpty)
    }

    @Test("Missing or empty exclusions, disordered or overlapping subsets, and bad xpaths are malformed")
    func malformedExclusions() throws {
        let l = plainMP4()
        let store = [l.range("c2pa")]
        let digest = digest256(l.hashed("mdat") + l.hashed("moov"))
        #expect(failures(try check(l.bytes, ["hash": .byteString(digest), "alg": "sha256"], store: store)) == [.assertionBMFFHashMalformed])
        #expect(failures(try check(l.bytes, ["exclusions": [], "hash": .byteString(digest)], store: store)) == [.assertionBMFFHashMalformed])
        let subsets: [[BMFFHashAssertion.Subset]] = [
            [.init(offset: 10, length: 4), .init(offset: 2, length: 4)], [.init(offset: 2, length: 10), .init(offset: 8, length: 4)],
            [.init(offset: 2, length: 0), .init(offset: 8, length: 4)], [],
        ]
        for subset in subsets {
            var a = signed(digest)
            a.exclusions.append(.init(xpath: "/moov/udta", subset: subset))
            #expect(failures(try check(l.bytes, a.cbor, store: store)) == [.assertionBMFFHashMalformed], "\(subset)")
        }
        var adjacent = signed(digest)
        adjacent.exclusions.append(.init(xpath: "/moov/udta", subset: [.init(offset: 2, length: 6), .init(offset: 8, length: 0)]))
        #expect(try check(l.bytes, adjacent.cbor, store: store).success.map(\.code) == [.assertionBMFFHashMatch], "touching is not overlapping")
        var xpath = signed(digest)
        xpath.exclusions.append(.init(xpath: "//moov"))
        #expect(failures(try check(l.bytes, xpath.cbor, store: store)) == [.assertionBMFFHashMalformed])
        var alg = signed(digest)
        alg.alg = "md5"
        #expect(failures(try check(l.bytes, alg.cbor, store: store)) == [.algorithmUnsupported])
    }

    // MARK: - Attacks on the exclusions: every byte not hashed belongs to the attacker

    @Test("Attack: /uuid without the data condition frees the XMP box along with the store")
    func bareUUID() throws {
        let xmp = BMFFBytes.uuid(BMFFBytes.xmpUUID, Array("<x:xmpmeta/>".utf8))
        let l = plainMP4(afterFtyp: [("xmp", xmp)])
        var a = signed(digest256(l.hashed("mdat") + l.hashed("moov")))
        a.exclusions[0] = .init(xpath: "/uuid")
        let s = try check(l.bytes, a.cbor, store: [l.range("c2pa")])
        #expect(failures(s) == [.assertionBMFFHashMismatch])
        #expect(s.failure.first?.explanation?.contains("not a C2PA box") == true)
    }

    @Test("Attack: the store box not excluded, or excluded only in part, is a mismatch")
    func storeNotExcluded() throws {
        let l = plainMP4()
        let store = [l.range("c2pa")]
        var none = signed(digest256(l.hashed("c2pa") + l.hashed("mdat") + l.hashed("moov")))
        none.exclusions.removeFirst()
        #expect(failures(try check(l.bytes, none.cbor, store: store)) == [.assertionBMFFHashMismatch])
        var part = BMFFHashAssertion.c2paDefault()
        part.exclusions[0].subset = [.init(offset: 0, length: 40)]
        part.hash = try hasher(l).digest(part, alg: .sha256)
        #expect(failures(try check(l.bytes, part.cbor, store: store)) == [.assertionBMFFHashMismatch])
        // The store covered by a subset of the whole box: still refused (the exclusion must be the whole C2PA box).
        var subsetWhole = BMFFHashAssertion.c2paDefault()
        subsetWhole.exclusions[0].subset = [.init(offset: 0, length: 0)]
        subsetWhole.hash = try hasher(l).digest(subsetWhole, alg: .sha256)
        #expect(failures(try check(l.bytes, subsetWhole.cbor, store: store)) == [.assertionBMFFHashMismatch])
    }

    @Test("Attack: excluding sample tables, the movie, or media data without a Merkle tree is a mismatch")
    func presentationExclusions() throws {
        let l = plainMP4(moovExtra: [BMFFBytes.box("udta", children: [BMFFBytes.box("titl", Array("hello".utf8))])])
        let store = [l.range("c2pa")]
        let h = try hasher(l)
        func verdict(_ e: BMFFHashAssertion.Exclusion) throws -> StatusLists {
            var a = BMFFHashAssertion.c2paDefault()
            a.exclusions.append(e)
            a.hash = try h.digest(a, alg: .sha256)  // honestly computed: only the exclusion itself is at issue
            return try check(l.bytes, a.cbor, store: store)
        }
        for e: BMFFHashAssertion.Exclusion in [
            .init(xpath: "/moov/trak/mdia/minf/stbl/stco"), .init(xpath: "/moov"), .init(xpath: "/moov/trak"),
            .init(xpath: "/mdat", subset: [.init(offset: 16, length: 0)]), .init(xpath: "/mdat"),
            .init(xpath: "/moov/trak/mdia/minf/stbl", subset: [.init(offset: 8, length: 4)]), .init(xpath: "/moov/trak/tkhd", subset: [.init(offset: 12, length: 4)]),
        ] {
            #expect(failures(try verdict(e)) == [.assertionBMFFHashMismatch], "\(e.xpath)")
        }
        // Metadata may be excluded, as EXIF and XMP may elsewhere.
        let udta = try verdict(.init(xpath: "/moov/udta"))
        #expect(udta.success.map(\.code) == [.assertionBMFFHashMatch])
        #expect(udta.informational.map(\.code) == [.assertionBMFFHashAdditionalExclusionsPresent])
    }

    @Test("Attack: samples placed in a free box before signing could be swapped afterwards; the chunk tables are checked")
    func samplesInFreeBox() throws {
        // The crafted file: a tiny mdat, then a free box (excluded by default) that the track's chunk points into.
        func crafted(chunkAt: (BMFFLayout) -> Int, sizes: [UInt32]) -> BMFFLayout {
            var l = BMFFLayout()
            l.add("ftyp", BMFFBytes.ftyp)
            l.add("c2pa", BMFFBytes.manifest())
            l.add("mdat", BMFFBytes.mdat(40))
            l.add("free", BMFFBytes.box("free", [UInt8](repeating: 0, count: 200)))
            l.add("moov", BMFFBytes.moov(chunkOffset: 0, sampleSizes: sizes))
            l.boxes[4].bytes = BMFFBytes.moov(chunkOffset: UInt32(chunkAt(l)), sampleSizes: sizes)
            return l
        }
        for l in [crafted(chunkAt: { $0.start("free") + 8 }, sizes: [200]), crafted(chunkAt: { $0.start("mdat") + 8 }, sizes: [30, 10, 5])] {
            let a = signed(digest256(l.hashed("mdat") + l.hashed("moov")))
            #expect(try hasher(l).digest(a, alg: .sha256) == a.hash, "the hash itself matches")
            let s = try check(l.bytes, a.cbor, store: [l.range("c2pa")])
            #expect(failures(s) == [.assertionBMFFHashMismatch])
            #expect(s.failure.first?.explanation?.contains("chunk 1 of track 1") == true)
        }
        // The same chunk wholly inside the mdat is fine.
        let fine = crafted(chunkAt: { $0.start("mdat") + 8 }, sizes: [30, 10])
        #expect(try check(fine.bytes, signed(digest256(fine.hashed("mdat") + fine.hashed("moov"))).cbor, store: [fine.range("c2pa")]).failure.isEmpty)
    }

    @Test("Attack: a HEIF item located in a free box is refused; one in the mdat is fine")
    func itemInFreeBox() throws {
        func heif(itemAt: (BMFFLayout) -> Int) -> BMFFLayout {
            func meta(_ offset: Int) -> [UInt8] {
                let iloc = BMFFBytes.full("iloc", [0x44, 0x00] + [0, 1] + [0, 1] + [0, 0] + [0, 1] + BMFFBytes.be32(UInt32(offset)) + BMFFBytes.be32(50))
                return BMFFBytes.full("meta", BMFFBytes.full("hdlr", [0, 0, 0, 0] + Array("pict".utf8) + [UInt8](repeating: 0, count: 13)) + iloc)
            }
            var l = BMFFLayout()
            l.add("ftyp", BMFFBytes.ftyp)
            l.add("c2pa", BMFFBytes.manifest())
            l.add("meta", meta(0))
            l.add("free", BMFFBytes.box("free", [UInt8](repeating: 0, count: 100)))
            l.add("mdat", BMFFBytes.mdat(60))
            l.boxes[2].bytes = meta(itemAt(l))
            return l
        }
        let bad = heif { $0.start("free") + 8 }
        let s = try check(bad.bytes, signed(digest256(bad.hashed("meta") + bad.hashed("mdat"))).cbor, store: [bad.range("c2pa")])
        #expect(failures(s) == [.assertionBMFFHashMismatch] && s.failure.first?.explanation?.contains("item 1") == true)
        let good = heif { $0.start("mdat") + 8 }
        #expect(try check(good.bytes, signed(digest256(good.hashed("meta") + good.hashed("mdat"))).cbor, store: [good.range("c2pa")])
            .success.map(\.code) == [.assertionBMFFHashMatch])
    }

    // MARK: - Merkle trees over an mdat (non-fragmented)

    /// ftyp, store, free, mdat (16 + 2500 bytes), 3 merkle boxes, moov; leaves of 1024 bytes from mdat+16.
    func merkleMP4(storedRoot: Bool = true, tamperProof: Bool = false, dropBox: Int? = nil) throws -> (BMFFLayout, BMFFHashAssertion) {
        var l = BMFFLayout()
        l.add("ftyp", BMFFBytes.ftyp)
        l.add("c2pa", BMFFBytes.manifest())
        l.add("free", BMFFBytes.free())
        l.add("mdat", BMFFBytes.mdat(2508))
        let payload = Array(l["mdat"][16...])
        let leaves = [digest256(Array(payload[0..<1024])), digest256(Array(payload[1024..<2048])), digest256(Array(payload[2048...]))]
        let h01 = digest256(leaves[0] + leaves[1])
        let root = digest256(h01 + leaves[2])
        var proofs = [[leaves[1], leaves[2]], [leaves[0], leaves[2]], [h01]]
        if tamperProof { proofs[1][0][0] ^= 1 }
        for i in 0..<3 {
            var box = BMFFBytes.merkle(BMFFBytes.merkleMap(uniqueId: 0, localId: 0, location: UInt64(i), proof: proofs[i]))
            if dropBox == i { box = BMFFBytes.free(box.count - 8) }
            l.add("aux\(i)", box)
        }
        l.add("moov", BMFFBytes.moov(chunkOffset: UInt32(l.start("mdat") + 8), sampleSizes: [1000, 1508]))
        var a = BMFFHashAssertion.c2paDefault()
        a.exclusions.append(.init(xpath: "/mdat", subset: [.init(offset: 16, length: 0)]))
        a.hash = digest256(BMFFBytes.be64(UInt64(l.start("mdat"))) + l["mdat"][0..<16] + l.hashed("moov"))
        a.merkle = [.init(uniqueId: 0, localId: 0, count: 3, alg: "sha256", hashes: storedRoot ? [root] : leaves, fixedBlockSize: 1024)]
        return (l, a)
    }

    @Test("Merkle: leaves from mdat+16 in fixed blocks verify through the merkle boxes' proofs to the stored root")
    func merkleOK() throws {
        let (l, a) = try merkleMP4()
        #expect(try hasher(l).verify(a, alg: .sha256, storeRanges: [l.range("c2pa")]) == BMFFVerification(form: .fileHashAndMdatTrees, leaves: 3))
        let s = try check(l.bytes, a.cbor, store: [l.range("c2pa")])
        #expect(s.success.map(\.code) == [.assertionBMFFHashMatch] && s.failure.isEmpty)
        // The leaf row in the manifest needs no proofs.
        let (l2, leafRow) = try merkleMP4(storedRoot: false)
        #expect(try check(l2.bytes, leafRow.cbor, store: [l2.range("c2pa")]).success.map(\.code) == [.assertionBMFFHashMatch])
    }

    @Test("Merkle: a wrong proof, a changed block, or a missing merkle box fails")
    func merkleBad() throws {
        let (bad, a) = try merkleMP4(tamperProof: true)
        #expect(failures(try check(bad.bytes, a.cbor, store: [bad.range("c2pa")])) == [.assertionBMFFHashMismatch])
        let (l, good) = try merkleMP4()
        var block = l.bytes
        block[l.start("mdat") + 16 + 2000] ^= 1
        let s = try check(block, good.cbor, store: [l.range("c2pa")])
        #expect(failures(s) == [.assertionBMFFHashMismatch])
        #expect(s.failure.first?.explanation?.contains("leaf 1") == true)
        var head = l.bytes
        head[l.start("mdat") + 10] ^= 1
        #expect(failures(try check(head, good.cbor, store: [l.range("c2pa")])) == [.assertionBMFFHashMismatch], "mdat+10 is under the file hash")
        let (missing, a3) = try merkleMP4(dropBox: 2)
        #expect(failures(try check(missing.bytes, a3.cbor, store: [missing.range("c2pa")])) == [.assertionBMFFHashMalformed])
        // Merkle trees without the file hash leave the moov unsigned.
        var noHash = good
        noHash.hash = nil
        #expect(failures(try check(l.bytes, noHash.cbor, store: [l.range("c2pa")])) == [.assertionBMFFHashMalformed])
        // An /mdat exclusion from offset 8: bytes 8..<16 no leaf covers.
        var wide = good
        wide.exclusions[5].subset = [.init(offset: 8, length: 0)]
        wide.hash = try hasher(l).digest(wide, alg: .sha256)
        #expect(failures(try check(l.bytes, wide.cbor, store: [l.range("c2pa")])) == [.assertionBMFFHashMismatch])
        // A stored row that is no row of the tree, and a count that disagrees with the blocks.
        var row = good
        row.merkle![0].hashes = [[1], [2], [3], [4]]
        row.merkle![0].count = 5
        #expect(failures(try check(l.bytes, row.cbor, store: [l.range("c2pa")])) == [.assertionBMFFHashMalformed])
        var count = good
        count.merkle![0].count = 5
        #expect(failures(try check(l.bytes, count.cbor, store: [l.range("c2pa")])) == [.assertionBMFFHashMismatch])
    }

    @Test("Merkle proofs: each leaf of a 5-leaf tree reaches every stored row; a wrong sibling or location does not")
    func merkleProofs() {
        let alg = HashAlgorithm.sha256
        let leaves = (0..<5).map { digest256([UInt8($0)]) }
        let rows = BMFFMerkleTree.rows(leaves: leaves, alg: alg)
        #expect(BMFFMerkleTree.layout(5) == [5, 3, 2, 1] && rows.map(\.count) == [5, 3, 2, 1])
        // By hand: layer 1 = H(0|1), H(2|3), 4 carried up; layer 2 = H(..|..), 4; root.
        let a = digest256(leaves[0] + leaves[1]), b = digest256(leaves[2] + leaves[3])
        let c = digest256(a + b)
        #expect(rows[3] == [digest256(c + leaves[4])])
        #expect(BMFFMerkleTree.proof(index: 4, rows: rows, storedRow: 3) == [c])
        for stored in 0..<4 {
            for i in 0..<5 {
                let proof = BMFFMerkleTree.proof(index: i, rows: rows, storedRow: stored)
                #expect(BMFFMerkleTree.verify(leaf: leaves[i], location: i, proof: proof, count: 5, stored: rows[stored], alg: alg))
                #expect(!BMFFMerkleTree.verify(leaf: leaves[i], location: (i + 1) % 5, proof: proof, count: 5, stored: rows[stored], alg: alg))
                if !proof.isEmpty {
                    var wrong = proof
                    wrong[0][0] ^= 1
                    #expect(!BMFFMerkleTree.verify(leaf: leaves[i], location: i, proof: wrong, count: 5, stored: rows[stored], alg: alg))
                }
            }
        }
        #expect(!BMFFMerkleTree.verify(leaf: leaves[0], location: 0, proof: [], count: 5, stored: rows[3], alg: alg), "missing proof")
    }

    // MARK: - Fragmented

    /// A moof for fragment `k`, and its mdat.
    func fragment(_ k: Int) -> (moof: [UInt8], mdat: [UInt8]) {
        let moof = BMFFBytes.box("moof", children: [
            BMFFBytes.full("mfhd", BMFFBytes.be32(UInt32(k + 1))),
            BMFFBytes.box("traf", children: [BMFFBytes.full("tfhd", flags: 0x20000, BMFFBytes.be32(1)), BMFFBytes.full("trun", BMFFBytes.be32(0))]),
        ])
        return (moof, BMFFBytes.mdat(100 + 10 * k, seed: k + 3))
    }

    var initMoov: [UInt8] {
        BMFFBytes.moov(chunkOffset: 0, extra: [BMFFBytes.box("mvex", children: [BMFFBytes.full("trex", BMFFBytes.be32(1) + [UInt8](repeating: 0, count: 16))])])
    }

    /// A flat fragmented file: ftyp, store, moov, then per fragment a merkle box, moof, mdat.
    func flatFragmented(order: [Int] = [0, 1, 2]) -> (BMFFLayout, BMFFHashAssertion) {
        func build(_ proofs: [[[UInt8]]]) -> BMFFLayout {
            var l = BMFFLayout()
            l.add("ftyp", BMFFBytes.ftyp)
            l.add("c2pa", BMFFBytes.manifest())
            l.add("moov", initMoov)
            for k in order {
                let f = fragment(k)
                l.add("aux\(k)", BMFFBytes.merkle(BMFFBytes.merkleMap(uniqueId: 1, localId: 1, location: UInt64(k), proof: proofs[k])))
                l.add("moof\(k)", f.moof)
                l.add("mdat\(k)", f.mdat)
            }
            return l
        }
        let sized = build([[], [], []])  // merkle boxes are zero-padded to one size, so offsets do not depend on proofs
        let leaves = (0..<3).map { digest256(sized.hashed("moof\($0)") + sized.hashed("mdat\($0)")) }
        let h01 = digest256(leaves[0] + leaves[1])
        let l = build([[leaves[1], leaves[2]], [leaves[0], leaves[2]], [h01]])
        var a = BMFFHashAssertion.c2paDefault()
        a.merkle = [.init(uniqueId: 1, localId: 1, count: 3, alg: "sha256", initHash: digest256(l.hashed("moov")), hashes: [digest256(h01 + leaves[2])])]
        return (l, a)
    }

    @Test("Flat fragmented: initHash covers what precedes the first moof, each moof-to-moof stretch is a leaf")
    func flatFragments() throws {
        let (l, a) = flatFragmented()
        #expect(try hasher(l).verify(a, alg: .sha256, storeRanges: [l.range("c2pa")]) == BMFFVerification(form: .flatFragmented, leaves: 3))
        #expect(try check(l.bytes, a.cbor, store: [l.range("c2pa")]).success.map(\.code) == [.assertionBMFFHashMatch])
        var tampered = l.bytes
        tampered[l.start("mdat1") + 50] ^= 1
        #expect(failures(try check(tampered, a.cbor, store: [l.range("c2pa")])) == [.assertionBMFFHashMismatch])
        var moov = l.bytes
        moov[l.start("moov") + 20] ^= 1
        let s = try check(moov, a.cbor, store: [l.range("c2pa")])
        #expect(failures(s) == [.assertionBMFFHashMismatch] && s.failure[0].explanation?.contains("inithash") == true)
    }

    @Test("Flat fragmented: fragments swapped, or a merkle box missing, fail")
    func flatFragmentsBad() throws {
        let (l, a) = flatFragmented()
        var swapped = BMFFLayout()
        for name in ["ftyp", "c2pa", "moov", "aux0", "moof0", "mdat0", "aux2", "moof2", "mdat2", "aux1", "moof1", "mdat1"] { swapped.add(name, l[name]) }
        let s = try check(swapped.bytes, a.cbor, store: [swapped.range("c2pa")])
        #expect(failures(s) == [.assertionBMFFHashMismatch] && s.failure[0].explanation?.contains("out of sequence") == true)
        var missing = l
        missing.boxes[6].bytes = BMFFBytes.free(l["aux1"].count - 8)
        #expect(failures(try check(missing.bytes, a.cbor, store: [l.range("c2pa")])) == [.assertionBMFFHashMalformed])
    }

    /// An init segment (ftyp, store, moov) and three fragment files (merkle box, moof, mdat), with the assertion.
    func splitFragments() throws -> (initSegment: [UInt8], fragments: [[UInt8]], BMFFHashAssertion) {
        let initSegment = BMFFBytes.ftyp + BMFFBytes.manifest() + initMoov
        let moovAt = BMFFBytes.ftyp.count + BMFFBytes.manifest().count
        let auxSize = BMFFBytes.merkle(BMFFBytes.merkleMap(uniqueId: 7, localId: 1, location: 0, proof: [])).count
        let leaves = (0..<3).map { k in
            let f = fragment(k)
            return digest256(BMFFBytes.be64(UInt64(auxSize)) + f.moof + BMFFBytes.be64(UInt64(auxSize + f.moof.count)) + f.mdat)
        }
        let h01 = digest256(leaves[0] + leaves[1])
        let proofs = [[leaves[1], leaves[2]], [leaves[0], leaves[2]], [h01]]
        let files = (0..<3).map { k in
            BMFFBytes.merkle(BMFFBytes.merkleMap(uniqueId: 7, localId: 1, location: UInt64(k), proof: proofs[k])) + fragment(k).moof + fragment(k).mdat
        }
        var a = BMFFHashAssertion.c2paDefault()
        a.merkle = [.init(uniqueId: 7, localId: 1, count: 3, initHash: digest256(BMFFBytes.be64(UInt64(moovAt)) + initMoov), hashes: [digest256(h01 + leaves[2])])]
        return (initSegment, files, a)
    }

    @Test("Split fragments: each fragment file verifies against the init segment; a bad one is named")
    func splitFragmentsOK() throws {
        let (initBytes, files, a) = try splitFragments()
        let initSegment = try write(initBytes, "init.mp4")
        let readers = try files.enumerated().map { try write($1, "seg-\($0).m4s") }
        let ok = BMFFHasher.verifyFragments(init: initSegment, fragments: readers, assertion: a, alg: .sha256)
        #expect(ok.isValid && ok.initSegment == .match && ok.fragments.map(\.location) == [0, 1, 2])
        // The init segment alone, through the validator: only initHash is checked.
        let s = try check(initBytes, a.cbor, store: [Int64(BMFFBytes.ftyp.count)..<Int64(BMFFBytes.ftyp.count + BMFFBytes.manifest().count)])
        #expect(s.success.map(\.code) == [.assertionBMFFHashMatch])

        var bad = files[1]
        bad[bad.count - 5] ^= 1
        let r = BMFFHasher.verifyFragments(init: initSegment, fragments: [readers[0], try write(bad, "seg-bad.m4s"), readers[2]], assertion: a, alg: .sha256)
        #expect(!r.isValid && r.initSegment == .match)
        #expect(r.fragments.map { $0.outcome == .match } == [true, false, true])
        #expect(r.fragments[1].path.hasSuffix("seg-bad.m4s"))
    }

    @Test("Split fragments: out of order, a changed init segment, or a file hash in the assertion fail")
    func splitFragmentsBad() throws {
        let (initBytes, files, a) = try splitFragments()
        let initSegment = try write(initBytes, "init.mp4")
        let readers = try files.enumerated().map { try write($1, "seg-\($0).m4s") }
        let reordered = BMFFHasher.verifyFragments(init: initSegment, fragments: [readers[0], readers[2], readers[1]], assertion: a, alg: .sha256)
        #expect(reordered.fragments.map { $0.outcome == .match } == [true, false, false])
        if case .mismatch(let why) = reordered.fragments[1].outcome { #expect(why.contains("out of sequence")) } else { Issue.record("expected a mismatch") }
        let anyOrder = BMFFHasher.verifyFragments(init: initSegment, fragments: [readers[2]], assertion: a, alg: .sha256, contiguousFromZero: false)
        #expect(anyOrder.isValid)
        var changed = initBytes
        changed[changed.count - 3] ^= 1
        let r = BMFFHasher.verifyFragments(init: try write(changed, "init-bad.mp4"), fragments: readers, assertion: a, alg: .sha256)
        #expect(r.initSegment != .match && r.fragments.allSatisfy { $0.outcome != .match })
        var withHash = a
        withHash.hash = [UInt8](repeating: 0, count: 32)
        let h = BMFFHasher.verifyFragments(init: initSegment, fragments: readers, assertion: withHash, alg: .sha256)
        guard case .malformed = h.initSegment else { Issue.record("a hash must be refused"); return }
        // A fragment whose mdat payload is excluded: nothing signs its media.
        var excluded = a
        excluded.exclusions.append(.init(xpath: "/mdat", subset: [.init(offset: 8, length: 0)]))
        let e = BMFFHasher.verifyFragments(init: initSegment, fragments: readers, assertion: excluded, alg: .sha256)
        #expect(e.fragments.allSatisfy { $0.outcome != .match })
    }
}
