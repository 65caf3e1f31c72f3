import Foundation
import Signet
import Testing

@Suite(.serialized, .enabled(if: interopAvailable()))
struct EditChainInterop {
    struct OracleChainRead: Decodable {
        var state: String?
        var failure: [String]
        var manifests: Int
        var active_manifest: String?
        var ingredient_delta_failures: [String]?
        var manifest_labels: [String]?
        var ingredient_deltas_by_uri: [String: [String]]?
    }

    /// Signet's failing ingredient deltas, by ingredient assertion URI, codes sorted.
    func signetDeltaFailures(_ report: JSONValue) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for d in report["validation_results"]?["ingredientDeltas"]?.arrayValue ?? [] {
            let codes = (d["validationDeltas"]?["failure"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue }.sorted()
            if !codes.isEmpty, let uri = d["ingredientAssertionURI"]?.stringValue { out[uri] = codes }
        }
        return out
    }

    func oracleRead(_ file: String, anchors: String) throws -> OracleChainRead {
        let r = try Interop.run(Interop.oraclePython!, [Interop.oracleScript, "read", file, "--anchors", anchors])
        return try JSONDecoder().decode(OracleChainRead.self, from: Data((r.stdout.split(separator: "\n").last ?? "").utf8))
    }

    @Test("A three-step chain signed by Signet (created, then two edits with the previous file as parentOf) is Trusted in c2pa-rs with no failures and no failing ingredient deltas", arguments: formats)
    func signetChainIsTrustedByC2paRs(format: String) throws {
        let w = try InteropWorld.get()
        let input = format == "jpg" ? w.jpeg : w.png
        let creds = ["--key", w.key("es256"), "--cert", w.chain("es256"), "--force"]
        let s1 = w.directory.appendingPathComponent("chain1.\(format)").path
        let s2 = w.directory.appendingPathComponent("chain2.\(format)").path
        let s3 = w.directory.appendingPathComponent("chain3.\(format)").path
        #expect(try Interop.signet(["sign", input, "-o", s1] + creds).status == 0)
        #expect(try Interop.signet(["sign", s1, "-o", s2, "--parent", s1, "--action", "cropped", "--action-param", "name=crop"] + creds).status == 0)
        let r3 = try Interop.signet(["sign", s2, "-o", s3, "--parent", s2, "--action", "color_adjustments"] + creds)
        #expect(r3.status == 0, "\(r3.stderr)")

        let oracle = try oracleRead(s3, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "\(oracle.failure)")
        #expect(oracle.failure.isEmpty)
        #expect(oracle.manifests == 3)
        #expect(oracle.ingredient_delta_failures == [])

        let (status, report) = try Interop.signetVerify(s3, anchors: w.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted")
        #expect(report["manifests"]?.objectValue?.count == 3)
        #expect(report["active_manifest"]?.stringValue == oracle.active_manifest)
        let active = report["manifests"]?[oracle.active_manifest ?? ""]
        let parent = active?["ingredients"]?.arrayValue?.first
        #expect(parent?["relationship"]?.stringValue == "parentOf")
        #expect(parent?["active_manifest"]?.stringValue != nil)
        #expect(report["manifests"]?[parent?["active_manifest"]?.stringValue ?? ""] != nil)

        // The investigator's views of the same chain.
        let tree = try Interop.signet(["inspect", "--tree", "--trust-anchors", w.anchors, s3]).stdout
        #expect(tree.components(separatedBy: "parentOf:").count - 1 == 2)
        #expect(tree.contains("cropped") && tree.contains("color_adjustments") && !tree.contains("chain breaks here"))
        let page = w.directory.appendingPathComponent("chain-\(format).html").path
        #expect(try Interop.signet(["inspect", "--html", page, "--force", s3]).status == 0)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.components(separatedBy: "class=\"step").count - 1 == 3)
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
    }

    @Test("A three-step chain built by c2pa-rs is verified by Signet with the same state and the same manifests")
    func c2paRsChainIsReadBySignet() throws {
        let w = try InteropWorld.get()
        let c1 = w.directory.appendingPathComponent("rs-chain1.jpg").path
        let c2 = w.directory.appendingPathComponent("rs-chain2.jpg").path
        let c3 = w.directory.appendingPathComponent("rs-chain3.jpg").path
        for p in [c1, c2, c3] { try? FileManager.default.removeItem(atPath: p) }
        let py = Interop.oraclePython!
        let base = ["--alg", "es256", "--cert", w.chain("es256"), "--key", w.key("es256")]
        #expect(try Interop.run(py, [Interop.oracleScript, "sign", w.jpeg, c1] + base).status == 0)
        #expect(try Interop.run(py, [Interop.oracleScript, "sign", w.jpeg, c2, "--parent", c1] + base).status == 0)
        let r = try Interop.run(py, [Interop.oracleScript, "sign", w.jpeg, c3, "--parent", c2] + base)
        #expect(r.status == 0, "\(r.stderr)")
        let oracle = try oracleRead(c3, anchors: w.anchors)
        let (status, report) = try Interop.signetVerify(c3, anchors: w.anchors)
        #expect(report["validation_state"]?.stringValue == oracle.state)
        #expect(status == (oracle.state == "Invalid" ? 1 : 0))
        #expect(report["manifests"]?.objectValue?.map(\.0).sorted() == oracle.manifest_labels)
        #expect(report["active_manifest"]?.stringValue == oracle.active_manifest)
    }

    @Test("A chain with a component (a second image placed into the first) is Trusted in c2pa-rs and records c2pa.placed")
    func componentChainIsTrustedByC2paRs() throws {
        let w = try InteropWorld.get()
        let creds = ["--key", w.key("ed25519"), "--cert", w.chain("ed25519"), "--force"]
        let base = w.directory.appendingPathComponent("comp-base.jpg").path
        let piece = w.directory.appendingPathComponent("comp-piece.png").path
        let out = w.directory.appendingPathComponent("comp-out.jpg").path
        #expect(try Interop.signet(["sign", w.jpeg, "-o", base] + creds).status == 0)
        #expect(try Interop.signet(["sign", w.png, "-o", piece] + creds).status == 0)
        let r = try Interop.signet(["sign", base, "-o", out, "--parent", base, "--ingredient", piece, "--action", "edited"] + creds)
        #expect(r.status == 0, "\(r.stderr)")
        let oracle = try oracleRead(out, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "\(oracle.failure)")
        #expect(oracle.manifests == 3)
        #expect(oracle.ingredient_delta_failures == [])
        let inspect = try JSONValue.parse(try Interop.signet(["inspect", "--json", out]).stdout)
        let active = inspect["manifests"]?[inspect["active_manifest"]?.stringValue ?? ""]
        let actions = active?["assertions"]?.arrayValue?.first { $0["label"]?.stringValue == "c2pa.actions.v2" }?["data"]?["actions"]?.arrayValue?.compactMap { $0["action"]?.stringValue }
        #expect(actions == ["c2pa.opened", "c2pa.placed", "c2pa.edited"])
        #expect(active?["ingredients"]?.arrayValue?.map { $0["relationship"]?.stringValue ?? "" } == ["parentOf", "componentOf"])
    }

    @Test("Tampering with a parent's claim, an ingredient thumbnail or the asset's pixels is reported at the same node with the same codes as c2pa-rs")
    func tamperingInTheChainMatchesC2paRs() throws {
        let w = try InteropWorld.get()
        let creds = ["--key", w.key("es256"), "--cert", w.chain("es256"), "--force"]
        let s1 = w.directory.appendingPathComponent("t-chain1.jpg").path
        let s2 = w.directory.appendingPathComponent("t-chain2.jpg").path
        let s3 = w.directory.appendingPathComponent("t-chain3.jpg").path
        #expect(try Interop.signet(["sign", w.jpeg, "-o", s1, "--title", "FIRSTSTEP"] + creds).status == 0)
        #expect(try Interop.signet(["sign", s1, "-o", s2, "--parent", s1, "--action", "cropped"] + creds).status == 0)
        #expect(try Interop.signet(["sign", s2, "-o", s3, "--parent", s2, "--action", "resized"] + creds).status == 0)
        let original = try Data(contentsOf: URL(fileURLWithPath: s3))

        func tampered(_ name: String, _ change: (inout Data) -> Bool) throws -> String? {
            var d = original
            guard change(&d) else { return nil }
            let p = w.directory.appendingPathComponent(name).path
            try d.write(to: URL(fileURLWithPath: p))
            return p
        }
        // 1. The first step's claim (its title), two steps back.
        let claim = try tampered("t-claim.jpg") { d in
            guard let r = d.range(of: Data("FIRSTSTEP".utf8)) else { return false }
            d[r.lowerBound] ^= 0x01
            return true
        }
        // 2. An ingredient thumbnail of the active manifest (its JPEG bytes, after the box's label).
        let thumb = try tampered("t-thumb.jpg") { d in
            // The description box label ends with NUL; the claim's URI strings do not.
            guard let r = d.range(of: Data("c2pa.thumbnail.ingredient".utf8) + Data([0]), options: .backwards) else { return false }
            d[r.upperBound + 400] ^= 0x01
            return true
        }
        // 3. The asset's pixels.
        let pixels = try tampered("t-pixels.jpg") { d in
            d[d.count - 100] ^= 0x01
            return true
        }
        for path in [claim, thumb, pixels] {
            guard let path else {
                Issue.record("could not place a tamper")
                continue
            }
            let oracle = try oracleRead(path, anchors: w.anchors)
            let (status, report) = try Interop.signetVerify(path, anchors: w.anchors)
            #expect(oracle.state == "Invalid")
            #expect(report["validation_state"]?.stringValue == oracle.state, "\(path)")
            #expect(status == 1)
            #expect(Interop.failureCodes(report).sorted() == oracle.failure.filter { $0 != "signingCredential.untrusted" }.sorted(), "\(path)")
            #expect(signetDeltaFailures(report) == (oracle.ingredient_deltas_by_uri ?? [:]), "\(path)")
        }
    }
}
