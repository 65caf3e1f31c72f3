import Foundation
import Signet
import SignetTestSupport
import Testing

/// PDFs c2pa-rs signed (Tests/Interop/pdf_samples.py writes the PDF, c2pa-rs signs a data hash over it): Signet
/// must read each as c2pa-rs does, and refuse what C2PA forbids even where c2pa-rs does not.
enum PDFSamples {
    struct Made: Decodable {
        var file: String
        var store: [Int]
        var excluded: [Int]?
    }

    static var script: String { Interop.repositoryRoot.appendingPathComponent("Tests/Interop/pdf_samples.py").path }

    static func make(_ kind: String, _ w: InteropWorld, name: String? = nil) throws -> Made {
        guard let py = Interop.oraclePython else { throw InteropSkip.missing("c2pa-python") }
        let out = w.directory.appendingPathComponent("pdf-\(name ?? kind).pdf").path
        let r = try Interop.run(py, [script, kind, out, "--alg", "es256", "--cert", w.chain("es256"), "--key", w.key("es256")])
        guard r.status == 0, let line = r.stdout.split(separator: "\n").last else {
            throw InteropFailure(message: "pdf_samples \(kind) failed: \(r.stderr)")
        }
        return try JSONDecoder().decode(Made.self, from: Data(line.utf8))
    }

    /// The file with `old` (which must occur once) replaced by `new` of the same length.
    static func edit(_ path: String, _ old: String, _ new: String, to destination: String) throws {
        precondition(old.utf8.count == new.utf8.count)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let needle = Array(old.utf8)
        let hits = bytes.indices.filter { bytes[$0] == needle[0] && bytes[$0...].starts(with: needle) }
        precondition(hits.count == 1, "\(old) occurs \(hits.count) times")
        bytes.replaceSubrange(hits[0]..<(hits[0] + needle.count), with: Array(new.utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: destination))
    }

    static func qpdfCheck(_ path: String) throws -> Bool? {
        guard let qpdf = Interop.which("qpdf") else { return nil }
        return try Interop.run(qpdf, ["--check", path]).status == 0
    }
}

@Suite(.enabled(if: interopAvailable()))
struct PDFInterop {
    @Test("c2pa-rs-signed PDFs (a cross-reference table; a FileAttachment annotation; qpdf's object and cross-reference streams; an incremental update adding a second store; a PDF signature after the C2PA one) are Trusted in both with the same codes and manifests, and qpdf checks each",
          arguments: ["table", "annotation", "objstm", "incremental", "pdf-signature"])
    func c2paRsSignedPDFsAreTrustedInBoth(kind: String) throws {
        let w = try InteropWorld.get()
        let made = try PDFSamples.make(kind, w)
        if let ok = try PDFSamples.qpdfCheck(made.file) { #expect(ok, "qpdf --check refuses the \(kind) sample") }
        let oracle = try Interop.oracleRead(made.file, anchors: w.anchors)
        #expect(oracle.state == "Trusted", "c2pa-rs: \(oracle.failure) \(oracle.error ?? "")")
        let (status, report) = try Interop.signetVerify(made.file, anchors: w.anchors)
        #expect(status == 0)
        #expect(report["validation_state"]?.stringValue == "Trusted", "Signet: \(Interop.failureCodes(report))")
        #expect(Interop.successCodes(report).sorted() == (oracle.success ?? []).sorted())
        #expect(Set(Media.informationalCodes(report)) == Set(oracle.informational))
        #expect(report["manifests"]?.objectValue?.count == oracle.manifests)
        #expect(report["active_manifest"]?.stringValue == oracle.active_manifest)
    }

    @Test("One changed byte of the page's content is assertion.dataHash.mismatch in both, through a table or qpdf's streams", arguments: ["table", "objstm"])
    func changedContentIsAMismatchInBoth(kind: String) throws {
        let w = try InteropWorld.get()
        let made = try PDFSamples.make(kind, w, name: "\(kind)-tamper")
        let tampered = w.directory.appendingPathComponent("pdf-\(kind)-tampered.pdf").path
        try PDFSamples.edit(made.file, "Signed by", "Signed bY", to: tampered)
        let oracle = try Interop.oracleRead(tampered, anchors: w.anchors)
        #expect(oracle.failure.contains("assertion.dataHash.mismatch"), "c2pa-rs: \(oracle.failure)")
        let (status, report) = try Interop.signetVerify(tampered, anchors: w.anchors)
        #expect(status == 1)
        #expect(Interop.failureCodes(report).contains("assertion.dataHash.mismatch"))
    }

    @Test("An incremental update after signing (the page's content replaced, no new store) is Invalid in both with assertion.dataHash.mismatch")
    func updateAfterSigningIsAMismatch() throws {
        let w = try InteropWorld.get()
        let made = try PDFSamples.make("edited", w)
        if let ok = try PDFSamples.qpdfCheck(made.file) { #expect(ok) }
        let oracle = try Interop.oracleRead(made.file, anchors: w.anchors)
        #expect(oracle.state == "Invalid" && oracle.failure.contains("assertion.dataHash.mismatch"), "c2pa-rs: \(oracle.failure)")
        let (_, report) = try Interop.signetVerify(made.file, anchors: w.anchors)
        #expect(report["validation_state"]?.stringValue == "Invalid")
        #expect(Interop.failureCodes(report).contains("assertion.dataHash.mismatch"))
    }

    @Test("A data hash that also excludes the page's content stream: c2pa-rs says Trusted even after that text is rewritten; Signet says assertion.dataHash.mismatch (C2PA 15.12.1)")
    func excludedContentIsRefused() throws {
        let w = try InteropWorld.get()
        let made = try PDFSamples.make("excluded-content", w)
        let forged = w.directory.appendingPathComponent("pdf-excluded-forged.pdf").path
        try PDFSamples.edit(made.file, "Signed by", "Forged by", to: forged)
        for file in [made.file, forged] {
            #expect(try Interop.oracleRead(file, anchors: w.anchors).state == "Trusted", "c2pa-rs changed its mind on \(file)")
            let (status, report) = try Interop.signetVerify(file, anchors: w.anchors)
            #expect(status == 1)
            #expect(Interop.failureCodes(report).contains("assertion.dataHash.mismatch"))
        }
    }

    @Test("Only hex digits may change in a PDF signature's excluded /Contents: another signature's digits stay Trusted in both; a '>' that would end the string early makes Signet refuse the file, while c2pa-rs still says Trusted")
    func pdfSignatureContentsMayOnlyHoldHex() throws {
        let w = try InteropWorld.get()
        let made = try PDFSamples.make("pdf-signature", w, name: "pdf-signature-edits")
        let excluded = try #require(made.excluded)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: made.file)))
        var digits = bytes, injected = bytes
        digits[excluded[0] + 20] = digits[excluded[0] + 20] == 0x41 ? 0x42 : 0x41
        injected.replaceSubrange((excluded[0] + 20)..<(excluded[0] + 23), with: Array(">>(".utf8))
        let digitsPath = w.directory.appendingPathComponent("pdf-sig-digits.pdf").path
        let injectedPath = w.directory.appendingPathComponent("pdf-sig-injected.pdf").path
        try Data(digits).write(to: URL(fileURLWithPath: digitsPath))
        try Data(injected).write(to: URL(fileURLWithPath: injectedPath))
        #expect(try Interop.oracleRead(digitsPath, anchors: w.anchors).state == "Trusted")
        #expect(try Interop.signetVerify(digitsPath, anchors: w.anchors).report["validation_state"]?.stringValue == "Trusted")
        #expect(try Interop.oracleRead(injectedPath, anchors: w.anchors).state == "Trusted")
        let (status, report) = try Interop.signetVerify(injectedPath, anchors: w.anchors)
        #expect(status != 0)
        #expect(report["validation_state"]?.stringValue != "Trusted" && report["validation_state"]?.stringValue != "Valid")
    }

    @Test("signet sign and remove refuse a PDF with one line and exit 3, writing nothing; sign --sidecar writes a store and leaves the PDF untouched")
    func pdfIsReadOnly() throws {
        let w = try InteropWorld.get()
        let made = try PDFSamples.make("table", w, name: "read-only")
        let before = try Data(contentsOf: URL(fileURLWithPath: made.file))
        let out = w.directory.appendingPathComponent("pdf-signed-again.pdf").path
        let creds = ["--key", w.key("es256"), "--cert", w.chain("es256")]
        let sign = try Interop.signet(["sign", made.file, "-o", out] + creds)
        #expect(sign.status == 3)
        #expect(sign.stderr.contains("read and verified only") && sign.stderr.split(separator: "\n").count == 1, "\(sign.stderr)")
        let remove = try Interop.signet(["remove", made.file, "-o", out])
        #expect(remove.status == 3, "\(remove.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let sidecar = w.directory.appendingPathComponent("pdf-read-only.c2pa").path
        let side = try Interop.signet(["sign", made.file, "-o", sidecar, "--sidecar", "--force"] + creds)
        #expect(side.status == 0, "\(side.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: made.file)) == before)
    }
}
