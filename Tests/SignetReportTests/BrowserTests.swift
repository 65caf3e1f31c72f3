import Foundation
import Signet
import SignetReport
import Testing

/// Renders the synthetic three-step chain and opens it in headless Chromium: once for a screenshot (kept under
/// <repo>/test-artifacts/, which git ignores) and once with --dump-dom to read the DOM after the script drew
/// the edges. Skipped, with a note, when Chromium is not installed.
@Suite("HTML report in a real browser", .serialized)
struct BrowserTests {
    static let artifacts = Support.repositoryRoot.appendingPathComponent("test-artifacts")

    @Test("Headless Chromium shows every step card and draws every edge", arguments: ["synthetic-chain.json", "c2pa-cloud.json"])
    func chromiumRendersThePage(sample: String) async throws {
        guard let chromium = Support.chromiumPath() else {
            print("note: Chromium not found (/usr/bin/chromium); skipping the browser test for \(sample)")
            return
        }
        let report = try Support.sample(sample)
        var thumbnails: [String: (mediaType: String, data: [UInt8])] = [:]
        for (i, (label, _)) in (report["manifests"]?.objectValue ?? []).enumerated() {
            for suffix in ["c2pa.thumbnail.claim", "c2pa.thumbnail.claim.jpeg"] {
                thumbnails["self#jumbf=/c2pa/\(label)/c2pa.assertions/\(suffix)"] = ("image/png", Support.thumbnail(hue: i * 37))
            }
        }
        let html = HTMLReport.render(report: report, thumbnails: thumbnails)
        let steps = Support.reachableManifests(report).count
        let links = Support.count("<tr class=\"link", in: html)

        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let base = "html-report-" + sample.replacingOccurrences(of: ".json", with: "")
        let page = Self.artifacts.appendingPathComponent(base + ".html")
        let shot = Self.artifacts.appendingPathComponent(base + ".png")
        try Data(html.utf8).write(to: page)
        try? FileManager.default.removeItem(at: shot)

        let started = Date()
        let screenshot = try await Support.runChromium(chromium, [
            "--screenshot=\(shot.path)", "--window-size=1280,2000", page.absoluteString,
        ])
        #expect(!screenshot.timedOut)
        let png = try [UInt8](Data(contentsOf: shot))
        #expect(png.count > 10_000, "screenshot too small to hold the page: \(png.count) bytes")
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(png.count >= 24 && Array(png[12..<16]) == Array("IHDR".utf8))
        if png.count >= 24 {
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
            #expect(width == 1280)
        }

        let dump = try await Support.runChromium(chromium, ["--dump-dom", page.absoluteString])
        #expect(!dump.timedOut)
        let dom = String(decoding: dump.stdout, as: UTF8.self)
        #expect(Support.count("data-step=", in: dom) == steps)
        #expect(dom.contains("data-edges-drawn=\"\(links)\""))
        #expect(Support.count("class=\"edge rel-", in: dom) == links)
        #expect(Support.count("class=\"edge-label", in: dom) == links)
        #expect(!dom.contains("<script>alert(1)</script>"))
        print("note: Chromium rendered \(sample) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; screenshot \(shot.path)")
    }
}
