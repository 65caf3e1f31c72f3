import Foundation
import Signet
import SignetReport
import Testing

@Suite("Investigator page: the fallback detector's section")
struct DetectionSectionTests {
    func report(reason: String) -> JSONValue {
        .object([
            ("file", .string("photo.jpg")),
            ("detection", .object([
                ("file", .string("photo.jpg")),
                ("score", .double(0.91)),
                ("band", .string("strong")),
                ("provenance", .string("none")),
                ("signals", .array([
                    .object([("name", .string("copy_move")), ("applicable", .bool(true)), ("value", .double(2.1)),
                             ("score", .double(0.97)), ("contribution", .double(1.8)), ("reason", .string(reason))]),
                    .object([("name", .string("exif_consistency")), ("applicable", .bool(false)), ("value", .null),
                             ("score", .null), ("contribution", .double(0)), ("reason", .string("no EXIF"))]),
                ])),
                ("notes", .array([.string("note <b>from the file</b>")])),
            ])),
        ])
    }

    @Test("An unsigned file's page shows the band, each signal with its contribution, and the heatmap")
    func sectionShowsTheOpinion() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let page = HTMLReport.render(report: report(reason: "a region appears twice"), thumbnails: [HTMLReport.heatmapKey: ("image/png", png)])
        #expect(page.contains("Fallback detector"))
        #expect(page.contains("<strong>Strong</strong>"))
        #expect(page.contains("score 0.91"))
        #expect(page.contains("+1.80"))
        #expect(page.contains("<td>n/a</td>"))
        #expect(page.contains("data:image/png;base64,"))
    }

    @Test("Text from the file in the detector's section is escaped")
    func sectionEscapesFileText() {
        let page = HTMLReport.render(report: report(reason: "<script>alert(1)</script>"))
        #expect(!page.contains("<script>alert(1)</script>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<b>from the file</b>"))
    }

    @Test("A page without a detection has no detector section")
    func noSectionWithoutDetection() {
        let page = HTMLReport.render(report: .object([("file", .string("a.jpg"))]))
        #expect(!page.contains("Fallback detector"))
    }
}
