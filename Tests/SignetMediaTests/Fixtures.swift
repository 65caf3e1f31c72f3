import Foundation
import SignetMedia

/// A scratch directory removed when the value is deallocated.
final class ScratchDirectory {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path + "/signet-media-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func contents() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}

func readAll(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

let c2paUUID: [UInt8] = [0x63, 0x32, 0x70, 0x61, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]

/// A JUMBF superbox: `jumb` { `jumd`(uuid, label) , `bidb`(payload) }. Total size 46 + payloadSize (label "c2pa").
func jumbfStore(payloadSize: Int, label: String = "c2pa", uuid: [UInt8] = c2paUUID, seed: UInt8 = 1) -> [UInt8] {
    let labelBytes = Array(label.utf8) + [0]
    let jumd = be32(8 + 16 + 1 + labelBytes.count) + Array("jumd".utf8) + uuid + [0x03] + labelBytes
    var payload = [UInt8](repeating: 0, count: payloadSize)
    var x: UInt32 = UInt32(seed) &* 2_654_435_761 | 1
    for i in 0..<payloadSize {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5
        payload[i] = UInt8(truncatingIfNeeded: x)
    }
    let content = be32(8 + payloadSize) + Array("bidb".utf8) + payload
    let body = jumd + content
    return be32(8 + body.count) + Array("jumb".utf8) + body
}

/// A JUMBF store of exactly `totalSize` bytes (>= 46).
func jumbfStore(totalSize: Int, seed: UInt8 = 1) -> [UInt8] { jumbfStore(payloadSize: totalSize - 46, seed: seed) }

func segment(_ marker: UInt8, _ contents: [UInt8]) -> [UInt8] {
    [0xFF, marker] + be16(contents.count + 2) + contents
}

let jfifAPP0 = segment(0xE0, Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0])
let exifAPP1 = segment(0xE1, Array("Exif".utf8) + [0, 0] + Array("MM".utf8) + [0, 42, 0, 0, 0, 8])
let dqt = segment(0xDB, [0x00] + [UInt8](repeating: 1, count: 64))
let sof0 = segment(0xC0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0])
let dht = segment(0xC4, [0x00] + [0, 1] + [UInt8](repeating: 0, count: 14) + [0])
let sos = segment(0xDA, [1, 1, 0x00, 0, 63, 0])
/// Entropy-coded bytes with a stuffed FF00 and restart markers.
let ecs: [UInt8] = [0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78, 0x9A, 0xFF, 0xD1, 0xBC, 0xFF, 0x00]
let eoi: [UInt8] = [0xFF, 0xD9]

/// A synthetic baseline JPEG: SOI APP0 [extra] DQT SOF0 DHT SOS ECS EOI.
func makeJPEG(app0: Bool = true, extra: [UInt8] = []) -> [UInt8] {
    [0xFF, 0xD8] + (app0 ? jfifAPP0 : []) + extra + dqt + sof0 + dht + sos + ecs + eoi
}

func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let t = Array(type.utf8)
    return be32(data.count) + t + data + be32(Int(CRC32.checksum(t + data)))
}

let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
let ihdr = pngChunk("IHDR", be32(1) + be32(1) + [8, 0, 0, 0, 0])

/// A synthetic PNG: signature IHDR [extra] IDAT IEND.
func makePNG(extra: [UInt8] = [], afterIDAT: [UInt8] = []) -> [UInt8] {
    pngSignature + ihdr + extra + pngChunk("IDAT", [0x78, 0x9C, 0x63, 0x60, 0, 0, 0, 2, 0, 1]) + afterIDAT
        + pngChunk("IEND", [])
}

/// The result of writing a store into an asset.
struct Written {
    var output: [UInt8]
    var hashed: [UInt8]
    var range: Range<Int64>
    var path: String
}

/// Scans `input`, inserts `store`, commits to `name` in `dir`, and returns what was written and hashed.
func insert(_ store: [UInt8], into input: [UInt8], dir: ScratchDirectory, name: String) throws -> Written {
    let inPath = try dir.write(name + ".in", input)
    let reader = try FileReader(path: inPath)
    let scan = try AssetContainer.scan(reader)
    let encoded = try AssetContainer.encodeStore(store, format: scan.format)
    let outPath = dir.file(name)
    let out = try OutputFile(destination: outPath, overwrite: false)
    var hashed: [UInt8] = []
    let range = try AssetContainer.write(from: reader, scan: scan, insertingEncodedStore: encoded, to: out) {
        hashed.append(contentsOf: $0)
    }
    try out.commit()
    return Written(output: try readAll(outPath), hashed: hashed, range: range, path: outPath)
}

func scanBytes(_ bytes: [UInt8], dir: ScratchDirectory, name: String = "probe", maxStoreSize: Int = 256 << 20,
               includeImageData: Bool = true) throws -> AssetScan {
    let path = try dir.write(name, bytes)
    return try AssetContainer.scan(FileReader(path: path), maxStoreSize: maxStoreSize, includeImageData: includeImageData)
}

/// The MediaError code thrown by `body`, or nil if it did not throw a MediaError.
func mediaErrorCode(_ body: () throws -> Void) -> MediaError.Code? {
    do {
        try body()
        return nil
    } catch let error as MediaError {
        return error.code
    } catch {
        return nil
    }
}

extension Array where Element == UInt8 {
    func removing(_ range: Range<Int64>) -> [UInt8] {
        Array(self[0..<Int(range.lowerBound)] + self[Int(range.upperBound)...])
    }
}
