import Foundation
import Signet
@testable import SignetReport
import Testing

private let sampleNames = ["c2pa-CA.json", "c2pa-XCA.json", "c2pa-cloud.json", "signet-single.json", "synthetic-chain.json"]

private let chainA = "urn:c2pa:11111111-aaaa-4aaa-8aaa-000000000001"
private let chainB = "urn:c2pa:22222222-bbbb-4bbb-8bbb-000000000002"
private let chainC = "urn:c2pa:33333333-cccc-4ccc-8ccc-000000000003"

/// Thumbnails for the synthetic chain, keyed by the identifiers in the sample.
private func chainThumbnails() -> [String: (mediaType: String, data: [UInt8])] {
    var t: [String: (mediaType: String, data: [UInt8])] = [:]
    for (i, label) in [chainA, chainB, chainC].enumerated() {
        t["self#jumbf=/c2pa/\(label)/c2pa.assertions/c2pa.thumbnail.claim"] = ("image/png", Support.thumbnail(hue: i * 37))
    }
    return t
}

/// A report with manifests m0 <- m1 <- ... (m0 active), each using the next as its parent.
private func chain(length: Int, closeCycle: Bool = false) -> JSONValue {
    var manifests: [(String, JSONValue)] = []
    for i in 0..<length {
        var ingredients: [JSONValue] = []
        let next = i + 1 < length ? "m\(i + 1)" : (closeCycle ? "m0" : nil)
        if let next {
            ingredients.append(.object([
                ("title", .string("\(next).jpg")), ("relationship", .string("parentOf")),
                ("active_manifest", .string(next)), ("label", .string("c2pa.ingredient.v3")),
            ]))
        }
        manifests.append(("m\(i)", .object([
            ("title", .string("m\(i).jpg")), ("ingredients", .array(ingredients)), ("label", .string("m\(i)")),
        ])))
    }
    return .object([("active_manifest", .string("m0")), ("manifests", .object(manifests))])
}

@Suite("HTML report structure")
struct HTMLReportStructureTests {
    @Test("Every sample renders one step card per manifest reachable from the active manifest", arguments: sampleNames)
    func stepCountMatchesReachableManifests(name: String) throws {
        let report = try Support.sample(name)
        let html = HTMLReport.render(report: report)
        let reachable = Support.reachableManifests(report)
        #expect(!reachable.isEmpty)
        #expect(Support.count("class=\"step", in: html) == reachable.count)
        for label in reachable {
            #expect(html.contains("data-step=\"\(HTMLReport.escape(label))\""))
        }
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.hasSuffix("</html>\n"))
    }

    @Test("Known samples have the expected number of steps and no-provenance ingredients")
    func knownShapes() throws {
        let expected: [String: (steps: Int, noProvenance: Int)] = [
            "c2pa-CA.json": (1, 1), "c2pa-XCA.json": (1, 1), "c2pa-cloud.json": (2, 2),
            "signet-single.json": (1, 0), "synthetic-chain.json": (3, 2),
        ]
        for (name, shape) in expected {
            let html = HTMLReport.render(report: try Support.sample(name))
            #expect(Support.count("class=\"step", in: html) == shape.steps, "\(name)")
            #expect(Support.count("class=\"ingredient-node noprov", in: html) == shape.noProvenance, "\(name)")
        }
    }

    @Test("The step whose ingredient delta failed is the one marked broken, with the label and failure code")
    func brokenStepInSyntheticChain() throws {
        let html = HTMLReport.render(report: try Support.sample("synthetic-chain.json"))
        #expect(Support.count("class=\"step broken", in: html) == 1)
        #expect(html.contains("class=\"step broken\" id=\"n1\" data-step=\"\(chainB)\""))
        #expect(html.contains("Chain breaks here"))
        #expect(html.contains("claimSignature.mismatch"))
        #expect(html.contains("data-verdict=\"invalid\""))
        // The oldest step validated and is trusted; the edge out of the broken step is marked broken.
        #expect(html.contains("data-step=\"\(chainA)\" data-verdict=\"trusted\""))
        #expect(html.contains("data-from=\"n1\" data-to=\"n0\" data-rel=\"parentOf\" data-broken=\"1\""))
        // Readable action names and AI disclosure.
        #expect(html.contains(">Cropped<"))
        #expect(html.contains(">Color adjustments<"))
        #expect(html.contains("Composite that includes AI-generated content"))
        #expect(html.contains("uses: harbour-crop.jpg"))
    }

    @Test("Overall verdicts follow validation_state; an untrusted signer alone does not break the chain")
    func verdicts() throws {
        let ca = HTMLReport.render(report: try Support.sample("c2pa-CA.json"))
        #expect(ca.contains("class=\"summary v-valid\""))
        #expect(!ca.contains("class=\"step broken"))
        #expect(ca.contains("signingCredential.untrusted"))

        let xca = HTMLReport.render(report: try Support.sample("c2pa-XCA.json"))
        #expect(xca.contains("class=\"summary v-invalid\""))
        #expect(Support.count("class=\"step broken", in: xca) == 1)
        #expect(xca.contains("assertion.dataHash.mismatch"))

        let cloud = HTMLReport.render(report: try Support.sample("c2pa-cloud.json"))
        #expect(cloud.contains("class=\"summary v-invalid\""))
        // The data hash mismatch is the active manifest's; the ingredient manifest is only untrusted.
        #expect(cloud.contains("class=\"step broken active\" id=\"n0\""))
        #expect(cloud.contains("data-step=\"adobe:urn:uuid:5f37e182-3687-462e-a7fb-573462780391\" data-verdict=\"valid\""))
        #expect(cloud.contains("data-rel=\"componentOf\""))
    }

    @Test("A title holding a script tag is rendered inert")
    func scriptInTitleIsEscaped() throws {
        let html = HTMLReport.render(report: try Support.sample("synthetic-chain.json"))
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("harbour-photo-final.jpg &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(Support.count("<script", in: html) == 1)  // only the page's own drawing script
    }

    @Test("Attribute and element injection through labels, codes, agents and file names is escaped")
    func injectionEverywhereIsEscaped() throws {
        let evil = "\"><img src=x onerror=alert(1)>'<b>"
        let report: JSONValue = .object([
            ("file", .string("/tmp/\(evil).jpg")),
            ("active_manifest", .string(evil)),
            ("manifests", .object([(evil, .object([
                ("title", .string(evil)),
                ("format", .string(evil)),
                ("claim_generator_info", .array([.object([("name", .string(evil))])])),
                ("thumbnail", .object([("format", .string(evil)), ("identifier", .string(evil))])),
                ("ingredients", .array([.object([("title", .string(evil)), ("relationship", .string(evil)), ("active_manifest", .string(evil + "x"))])])),
                ("assertions", .array([.object([("label", .string("c2pa.actions.v2")), ("data", .object([("actions", .array([.object([
                    ("action", .string(evil)), ("when", .string(evil)), ("softwareAgent", .string(evil)),
                    ("digitalSourceType", .string(evil)), ("parameters", .object([(evil, .string(evil))])),
                ])]))]))]), .object([("label", .string(evil))])])),
                ("signature_info", .object([("common_name", .string(evil)), ("issuer", .string(evil)), ("time", .string(evil)), ("alg", .string(evil))])),
            ]))])),
            ("validation_results", .object([("activeManifest", .object([("failure", .array([.object([
                ("code", .string(evil)), ("url", .string(evil)), ("explanation", .string(evil)),
            ])]))]))])),
            ("validation_state", .string(evil)),
        ])
        let html = HTMLReport.render(report: report)
        #expect(!html.contains("<img src=x"))
        #expect(!html.contains("<b>"))
        #expect(!html.contains("\"><img"))
        #expect(Support.count("<script", in: html) == 1)
        #expect(Support.count("class=\"step", in: html) == 1)
        #expect(html.contains("class=\"ingredient-node missing broken\""))
        for ref in Support.resourceReferences(in: html) {
            #expect(ref.hasPrefix("data:") || ref.hasPrefix("#"), "\(ref)")
        }
    }

    @Test("Direction overrides and control characters cannot disguise text")
    func bidiControlsAreVisible() {
        #expect(HTMLReport.escape("photo\u{202E}gpj.exe") == "photo[U+202E]gpj.exe")
        #expect(HTMLReport.escape("a\u{0}b") == "a\u{FFFD}b")
        #expect(HTMLReport.escape("<&>\"'") == "&lt;&amp;&gt;&quot;&#39;")
        let long = String(repeating: "x", count: 5000)
        #expect(HTMLReport.escape(long).count == 2001)
    }

    @Test("Pages load nothing from outside: every src/href is a data: URI or a fragment, and a CSP forbids the network", arguments: sampleNames)
    func noExternalResources(name: String) throws {
        let html = HTMLReport.render(report: try Support.sample(name), thumbnails: chainThumbnails())
        for ref in Support.resourceReferences(in: html) {
            #expect(ref.hasPrefix("data:") || ref.hasPrefix("#"), "\(ref)")
        }
        #expect(!html.lowercased().contains("url(http"))
        #expect(!html.lowercased().contains("@import"))
        #expect(html.contains("content=\"default-src 'none'; img-src data:;"))
    }

    @Test("Thumbnails are embedded as data: URIs by identifier; non-raster types are refused")
    func thumbnailsEmbedded() throws {
        let html = HTMLReport.render(report: try Support.sample("synthetic-chain.json"), thumbnails: chainThumbnails())
        #expect(Support.count("src=\"data:image/png;base64,iVBORw0KGgo", in: html) == 3)

        var svg = chainThumbnails()
        svg["self#jumbf=/c2pa/\(chainC)/c2pa.assertions/c2pa.thumbnail.claim"] = ("image/svg+xml", Array("<svg onload=alert(1)/>".utf8))
        let refused = HTMLReport.render(report: try Support.sample("synthetic-chain.json"), thumbnails: svg)
        #expect(Support.count("src=\"data:image/png", in: refused) == 2)
        #expect(!refused.contains("svg+xml;base64"))
        #expect(refused.contains("no preview (image/svg+xml)"))
    }

    @Test("Relative thumbnail identifiers resolve against their manifest")
    func relativeThumbnailIdentifier() {
        let report: JSONValue = .object([
            ("active_manifest", .string("m")),
            ("manifests", .object([("m", .object([
                ("thumbnail", .object([("format", .string("image/png")), ("identifier", .string("self#jumbf=c2pa.assertions/c2pa.thumbnail.claim.png"))])),
            ]))])),
        ])
        let html = HTMLReport.render(report: report, thumbnails: [
            "self#jumbf=/c2pa/m/c2pa.assertions/c2pa.thumbnail.claim.png": ("image/png", Support.thumbnail(hue: 1)),
        ])
        #expect(html.contains("src=\"data:image/png;base64,"))
    }

    @Test("A cycle of ingredient links ends: each manifest once, the back link marked as a cycle")
    func cyclesTerminate() {
        let html = HTMLReport.render(report: chain(length: 3, closeCycle: true))
        #expect(Support.count("class=\"step", in: html) == 3)
        #expect(Support.count("data-cycle=\"1\"", in: html) == 1)
        let selfLoop = HTMLReport.render(report: chain(length: 1, closeCycle: true))
        #expect(Support.count("class=\"step", in: selfLoop) == 1)
        #expect(Support.count("data-cycle=\"1\"", in: selfLoop) == 1)
    }

    @Test("Long histories stop at the depth limit with a 'history continues' node")
    func depthLimit() {
        let html = HTMLReport.render(report: chain(length: 150))
        #expect(Support.count("class=\"step", in: html) == HTMLReport.maxHistoryDepth + 1)
        #expect(Support.count("class=\"ingredient-node truncated", in: html) == 1)
        let short = HTMLReport.render(report: chain(length: 40))
        #expect(Support.count("class=\"step", in: short) == 40)
        #expect(short.contains("Step 1 of 40"))
        // Step 1 is the oldest: the last manifest in the chain.
        #expect(short.contains("data-step=\"m39\" data-verdict=\"unknown\""))
    }

    @Test("A shared ingredient manifest appears once, above both users")
    func sharedIngredient() {
        func ing(_ t: String, _ rel: String) -> JSONValue {
            .object([("title", .string(t)), ("relationship", .string(rel)), ("active_manifest", .string(t))])
        }
        let report: JSONValue = .object([
            ("active_manifest", .string("top")),
            ("manifests", .object([
                ("top", .object([("ingredients", .array([ing("left", "parentOf"), ing("right", "componentOf")]))])),
                ("left", .object([("ingredients", .array([ing("base", "parentOf")]))])),
                ("right", .object([("ingredients", .array([ing("base", "inputTo")]))])),
                ("base", .object([])),
                ("stray", .object([("title", .string("unlinked.jpg"))])),
            ])),
        ])
        let html = HTMLReport.render(report: report)
        #expect(Support.count("class=\"step", in: html) == 4)
        #expect(Support.count("<tr class=\"link", in: html) == 4)
        #expect(html.contains("data-step=\"base\" data-verdict=\"unknown\""))
        #expect(html.contains("Step 1 of 4"))
        #expect(html.contains("class=\"orphan\""))
        #expect(html.contains("unlinked.jpg"))
    }

    @Test("Reports without manifests or with odd shapes still render a page")
    func degenerateReports() {
        for report: JSONValue in [.null, .object([]), .array([]), .object([("manifests", .string("x"))]),
                                  .object([("active_manifest", .string("missing")), ("manifests", .object([]))])] {
            let html = HTMLReport.render(report: report)
            #expect(html.contains("</html>"))
            #expect(Support.count("class=\"step", in: html) == 0)
        }
        #expect(HTMLReport.render(report: .object([])).contains("no Content Credentials"))
    }

    @Test("Action names are made readable")
    func actionNames() {
        #expect(HTMLReport.readableActionName("c2pa.cropped") == "Cropped")
        #expect(HTMLReport.readableActionName("c2pa.color_adjustments") == "Color adjustments")
        #expect(HTMLReport.readableActionName("c2pa.watermarked.bound") == "Watermarked bound")
        #expect(HTMLReport.readableActionName("com.example.sharpenMore") == "Sharpen more (com.example)")
        #expect(HTMLReport.readableActionName("") == "Unnamed action")
    }
}

@Test("The resource scanner used above finds real src/href attributes and ignores escaped text")
func resourceScannerSelfCheck() {
    let refs = Support.resourceReferences(in: #"<p title="a src=http://x">&lt;img src=http://y&gt;</p><img alt=x src="http://z"><a href='#top'>"#)
    #expect(refs == ["http://z", "#top"])
}

@Test("Failures an ingredient recorded when it was used break the chain at that ingredient")
func recordedIngredientFailures() {
    let failure: JSONValue = .object([("code", .string("assertion.dataHash.mismatch")), ("explanation", .string("hash differs"))])
    let report: JSONValue = .object([
        ("active_manifest", .string("top")),
        ("manifests", .object([
            ("top", .object([("ingredients", .array([
                .object([("title", .string("old.jpg")), ("relationship", .string("parentOf")), ("active_manifest", .string("old")),
                         ("validation_results", .object([("activeManifest", .object([("failure", .array([failure]))]))]))]),
                .object([("title", .string("plain.jpg")), ("relationship", .string("componentOf")),
                         ("validation_status", .array([failure]))]),
            ]))])),
            ("old", .object([("title", .string("old.jpg"))])),
        ])),
    ])
    let html = HTMLReport.render(report: report)
    #expect(html.contains("class=\"step broken\" id=\"n1\" data-step=\"old\""))
    #expect(html.contains("class=\"ingredient-node noprov broken\""))
    #expect(!html.contains("class=\"step broken active"))
    #expect(Support.count("data-broken=\"1\"", in: html) == 2)
}
