import Foundation

@testable import SignetImaging

/// A scratch directory removed when the value is released.
final class ScratchDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("signet-imaging-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = path(name)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func read(_ path: String) -> [UInt8] {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
    }

    func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }
}

/// Builds PNG files byte by byte (stored deflate blocks), so tests control colour type, bit
/// depth, palette, transparency and interlacing independently of the encoder under test.
enum PNGBuilder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// - Parameter row: the packed bytes of image row y (without the filter byte).
    /// - Parameter bitsPerPixel: needed for interlacing, which requires whole-byte pixels.
    static func make(
        width: Int, height: Int, colorType: UInt8, bitDepth: UInt8, interlaced: Bool = false,
        palette: [UInt8]? = nil, transparency: [UInt8]? = nil, row: (Int) -> [UInt8]
    ) -> [UInt8] {
        var out = signature
        var ihdr: [UInt8] = []
        ihdr += be32(UInt32(width)) + be32(UInt32(height))
        ihdr += [bitDepth, colorType, 0, 0, interlaced ? 1 : 0]
        out += chunk("IHDR", ihdr)
        if let palette { out += chunk("PLTE", palette) }
        if let transparency { out += chunk("tRNS", transparency) }
        var raw: [UInt8] = []
        if interlaced {
            let rows = (0..<height).map(row)
            let bytesPerPixel = rows.first.map { $0.count / width } ?? 1
            let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            for (x0, y0, dx, dy) in passes {
                guard x0 < width, y0 < height else { continue }
                for y in stride(from: y0, to: height, by: dy) {
                    raw.append(0)
                    for x in stride(from: x0, to: width, by: dx) {
                        raw += rows[y][(x * bytesPerPixel)..<((x + 1) * bytesPerPixel)]
                    }
                }
            }
        } else {
            for y in 0..<height {
                raw.append(0)
                raw += row(y)
            }
        }
        out += chunk("IDAT", zlibStored(raw))
        out += chunk("IEND", [])
        return out
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(UInt32(data.count)) + typeBytes + data + be32(crc32(typeBytes + data))
    }

    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, data.count - offset)
            let final: UInt8 = offset + n == data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return out + be32((b << 16) | a)
    }
}

/// Mean absolute difference of two equally sized images (nil when the sizes differ).
func meanAbsoluteDifference(_ a: RGBImage, _ b: RGBImage) -> Double? {
    guard a.width == b.width, a.height == b.height, a.pixels.count == b.pixels.count, !a.pixels.isEmpty else {
        return nil
    }
    var total = 0
    for i in 0..<a.pixels.count {
        total += abs(Int(a.pixels[i]) - Int(b.pixels[i]))
    }
    return Double(total) / Double(a.pixels.count)
}

/// Width and height from a JPEG's first SOFn segment, parsed independently of libjpeg.
func jpegFrameSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
    var i = 2
    while i + 9 < bytes.count {
        guard bytes[i] == 0xFF else { return nil }
        let marker = bytes[i + 1]
        let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
        if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
            let height = Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
            let width = Int(bytes[i + 7]) << 8 | Int(bytes[i + 8])
            return (width, height)
        }
        i += 2 + length
    }
    return nil
}

/// Offset of the first occurrence of a two-byte JPEG marker.
func markerOffset(_ bytes: [UInt8], _ marker: UInt8) -> Int? {
    guard bytes.count > 1 else { return nil }
    for i in 0..<(bytes.count - 1) where bytes[i] == 0xFF && bytes[i + 1] == marker {
        return i
    }
    return nil
}

/// Creates a JPEG of the sample picture in memory.
func sampleJPEG(width: Int, height: Int, quality: Int = 90, seed: UInt64 = 1) throws(ImagingError) -> [UInt8] {
    try ImageCodec.encodeJPEG(SampleImage.generate(width: width, height: height, seed: seed), quality: quality)
}

/// Whether `python3 -c 'import PIL'` succeeds.
let pillowAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import PIL"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    } catch {
        return false
    }
}()

/// Runs python3 with a script and returns its standard output.
func runPython(_ script: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    } catch {
        return nil
    }
}

/// The pixel at (x, y) as [r, g, b], or [] outside the image.
func rgb(_ image: RGBImage, _ x: Int, _ y: Int) -> [UInt8] {
    image.pixel(x: x, y: y).map { [$0.r, $0.g, $0.b] } ?? []
}
