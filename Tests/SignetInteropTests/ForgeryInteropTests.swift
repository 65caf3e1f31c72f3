import Foundation
import Signet
import SignetTestSupport
import Testing

/// Keyless forgeries of files signed by c2pa-rs and by Signet, judged by both: Signet may never accept what
/// c2pa-rs refuses, nor accept any forgery at all. Where Signet refuses and c2pa-rs accepts, the case must be
/// one `Spec/c2pa-support.md` lists ("Where Signet is stricter than c2pa-rs").
@Suite(.serialized, .enabled(if: interopAvailable()))
struct ForgeryInteropTests {
    struct OracleLine: Decodable {
        var file: String
        var state: String?
        var failure: [String]
        var error: String?
    }

    /// Writes every forgery of `signed` to a folder, verifies them all with Signet (one call) and c2pa-rs (one
    /// process), and returns the forgeries each accepted.
    func judge(_ signed: String, anchors: String, tag: String) throws -> (signetAccepts: [String], oracleOnlyAccepts: [String: Int], total: Int) {
        let original = try Array(Data(contentsOf: URL(fileURLWithPath: signed)))
        let forgeries = try ForgeryGenerator.all(original, masks: [0x01]).filter { !$0.inert }
        let dir = try Interop.makeTempDirectory("forgery-\(tag)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ext = URL(fileURLWithPath: signed).pathExtension
        var paths: [String] = []
        for (i, f) in forgeries.enumerated() {
            let path = dir.appendingPathComponent("f\(i).\(ext)").path
            try Data(f.bytes).write(to: URL(fileURLWithPath: path))
            if let sidecar = f.sidecar { try Data(sidecar).write(to: dir.appendingPathComponent("f\(i).c2pa")) }
            paths.append(path)
        }
        let signet = try Interop.signet(["verify", "--json", "--jobs", "2", "--trust-anchors", anchors] + paths)
        let signetLines = signet.stdout.split(separator: "\n").map(String.init)
        #expect(signetLines.count == paths.count, "signet printed \(signetLines.count) reports for \(paths.count) files: \(signet.stderr.prefix(300))")
        let oracle = try Interop.run(Interop.oraclePython!, [Interop.oracleScript, "read-many", "--anchors", anchors] + paths)
        let oracleLines = try oracle.stdout.split(separator: "\n").map { try JSONDecoder().decode(OracleLine.self, from: Data($0.utf8)) }
        #expect(oracleLines.count == paths.count)

        var signetAccepts: [String] = []
        var oracleOnly: [String: Int] = [:]
        for (i, forgery) in forgeries.enumerated() where i < signetLines.count && i < oracleLines.count {
            let state = try JSONValue.parse(signetLines[i])["validation_state"]?.stringValue ?? "?"
            let signetAccepted = state == "Valid" || state == "Trusted"
            let oracleAccepted = oracleLines[i].state == "Valid" || oracleLines[i].state == "Trusted"
            if signetAccepted { signetAccepts.append("\(forgery.name): Signet \(state), c2pa-rs \(oracleLines[i].state ?? "?")") }
            if oracleAccepted && !signetAccepted {
                // Group by the kind of edit (the name up to the byte number).
                let kind = forgery.name.components(separatedBy: ": byte").first ?? forgery.name
                oracleOnly[kind, default: 0] += 1
            }
        }
        return (signetAccepts, oracleOnly, forgeries.count)
    }

    @Test("No keyless edit of a file c2pa-rs signed verifies in Signet, whatever c2pa-rs says of it", arguments: ["jpg", "png"])
    func c2paRsSignedFiles(format: String) throws {
        let w = try InteropWorld.get()
        let signed = w.directory.appendingPathComponent("oracle-forge.\(format)").path
        try Interop.oracleSign(format == "jpg" ? w.jpeg : w.png, signed, alg: "es256", cert: w.chain("es256"), key: w.key("es256"), noThumbnail: true)
        let result = try judge(signed, anchors: w.anchors, tag: "oracle-\(format)")
        #expect(result.total > 300)
        #expect(result.signetAccepts == [])
        print("forgeries of a c2pa-rs-signed \(format): \(result.total); accepted only by c2pa-rs, by kind: \(result.oracleOnlyAccepts.sorted { $0.key < $1.key })")
    }

    @Test("No keyless edit of a PDF c2pa-rs signed (a cross-reference table, or qpdf's object streams) verifies in Signet", arguments: ["table", "objstm"])
    func c2paRsSignedPDFs(kind: String) throws {
        let w = try InteropWorld.get()
        let made = try PDFSamples.make(kind, w, name: "forge-\(kind)")
        let result = try judge(made.file, anchors: w.anchors, tag: "oracle-pdf-\(kind)")
        #expect(result.total > 100)
        #expect(result.signetAccepts == [])
        print("forgeries of a c2pa-rs-signed PDF (\(kind)): \(result.total); accepted only by c2pa-rs, by kind: \(result.oracleOnlyAccepts.sorted { $0.key < $1.key })")
    }

    @Test("No keyless edit of a file Signet signed verifies in Signet, and c2pa-rs's refusals are Signet's too", arguments: ["jpg", "png"])
    func signetSignedFiles(format: String) throws {
        let w = try InteropWorld.get()
        let signed = w.directory.appendingPathComponent("signet-forge.\(format)").path
        let r = try Interop.signet(["sign", format == "jpg" ? w.jpeg : w.png, "-o", signed, "--key", w.key("ps256"), "--cert", w.chain("ps256"), "--no-thumbnail", "--force"])
        #expect(r.status == 0, "\(r.stderr)")
        let result = try judge(signed, anchors: w.anchors, tag: "signet-\(format)")
        #expect(result.signetAccepts == [])
        print("forgeries of a Signet-signed \(format): \(result.total); accepted only by c2pa-rs, by kind: \(result.oracleOnlyAccepts.sorted { $0.key < $1.key })")
    }

    @Test("An edit with a parent, a placed component and a requested c2pa.placed action is Trusted in c2pa-rs and Signet")
    func placedWithParentAndComponent() throws {
        let w = try InteropWorld.get()
        let creds = ["--key", w.key("es256"), "--cert", w.chain("es256"), "--force"]
        let parent = w.directory.appendingPathComponent("placed-parent.jpg").path
        let out = w.directory.appendingPathComponent("placed-out.png").path
        #expect(try Interop.signet(["sign", w.jpeg, "-o", parent] + creds).status == 0)
        let r = try Interop.signet(["sign", w.png, "-o", out, "--parent", parent, "--ingredient", w.jpeg, "--action", "c2pa.placed"] + creds)
        #expect(r.status == 0, "\(r.stderr)")
        let oracle = try Interop.oracleRead(out, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "\(oracle.failure)")
        let (status, report) = try Interop.signetVerify(out, anchors: w.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted", "\(Interop.failureCodes(report))")

        // Asked for an action that needs an ingredient it was not given, the signer refuses with a clear line.
        let lonely = try Interop.signet(["sign", w.png, "-o", w.directory.appendingPathComponent("lonely.png").path, "--action", "c2pa.placed"] + creds)
        #expect(lonely.status != 0)
        #expect(lonely.stderr.contains("c2pa.placed needs a component ingredient"))
    }
}
