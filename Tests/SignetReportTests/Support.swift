import Foundation
import Signet

/// Helpers shared by the HTML report tests: sample loading, small generated images, HTML counting, Chromium.
enum Support {
    /// <repo>/Tests/SignetReportTests/Support.swift -> <repo>
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Samples")

    static func sample(_ name: String) throws -> JSONValue {
        let data = try Data(contentsOf: samples.appendingPathComponent(name))
        return try JSONValue.parse([UInt8](data))
    }

    static func count(_ needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }

    /// Manifests reachable from the active manifest through ingredients' `active_manifest` (independent of the renderer).
    static func reachableManifests(_ report: JSONValue, maxDepth: Int = 100) -> Set<String> {
        guard let active = report["active_manifest"]?.stringValue, report["manifests"]?[active] != nil else { return [] }
        var seen: Set<String> = [active]
        var frontier = [active]
        var depth = 0
        while !frontier.isEmpty, depth < maxDepth {
            var next: [String] = []
            for label in frontier {
                for ing in report["manifests"]?[label]?["ingredients"]?.arrayValue ?? [] {
                    if let t = ing["active_manifest"]?.stringValue, report["manifests"]?[t] != nil, seen.insert(t).inserted {
                        next.append(t)
                    }
                }
            }
            frontier = next
            depth += 1
        }
        return seen
    }

    /// Values of every src=, href= and xlink:href= attribute of every tag in the page. Tags are found by `<` +
    /// letter (escaped text holds no raw `<`), then attributes are read one after another, so text inside a
    /// quoted attribute value is never mistaken for an attribute.
    static func resourceReferences(in html: String) -> [String] {
        var out: [String] = []
        let tag = try! NSRegularExpression(pattern: #"<[A-Za-z][A-Za-z0-9-]*([^>]*)>"#)
        let attribute = try! NSRegularExpression(pattern: #"([A-Za-z_:][A-Za-z0-9_:.-]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"#)
        let ns = html as NSString
        for t in tag.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            let inner = ns.substring(with: t.range(at: 1))
            let ins = inner as NSString
            for a in attribute.matches(in: inner, range: NSRange(location: 0, length: ins.length)) {
                let name = ins.substring(with: a.range(at: 1)).lowercased()
                guard name == "src" || name == "href" || name == "xlink:href" || name == "srcset" || name == "action" else { continue }
                for g in 2...4 where a.range(at: g).location != NSNotFound {
                    out.append(ins.substring(with: a.range(at: g)))
                }
            }
        }
        return out
    }

    // MARK: PNG (stored deflate; enough for test thumbnails)

    static func png(width: Int, height: Int, pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                raw += [r, g, b]
            }
        }
        var z: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            z += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += raw[offset..<offset + n]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        z += be32((b << 16) | a)
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        out += chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, 2, 0, 0, 0])
        out += chunk("IDAT", z)
        out += chunk("IEND", [])
        return out
    }

    private static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return be32(UInt32(data.count)) + body + be32(~crc)
    }

    /// A small picture per step: sky, sea and a sun whose colour depends on `hue`.
    static func thumbnail(hue: Int) -> [UInt8] {
        png(width: 96, height: 72) { x, y in
            let dx = x - 64, dy = y - 22
            if dx * dx + dy * dy < 100 { return (255, UInt8(150 + hue % 100), 40) }
            if y < 40 { return (UInt8(90 + y), UInt8(150 + y), 235) }
            let wave = (x + y * 3 + hue) % 17 < 3 ? 30 : 0
            return (20, UInt8(70 + wave), UInt8(130 + hue % 60 + wave))
        }
    }

    // MARK: Chromium

    static func chromiumPath() -> String? {
        for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"]
        where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        return nil
    }

    struct RunResult {
        var status: Int32
        var timedOut: Bool
        var stdout: Data
    }

    /// Runs Chromium headless with `arguments`, killing it after `timeout` seconds.
    static func runChromium(_ chromium: String, _ arguments: [String], timeout: TimeInterval = 60) async throws -> RunResult {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("signet-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let outURL = tmp.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-extensions", "--hide-scrollbars", "--user-data-dir=\(tmp.appendingPathComponent("profile").path)",
        ] + arguments
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            process.terminate()
            try await Task.sleep(for: .seconds(2))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try out.close()
        return RunResult(status: process.terminationStatus, timedOut: timedOut, stdout: try Data(contentsOf: outURL))
    }
}
