import Foundation
import Signet
import SignetImaging
import SignetTestSupport
import Testing

/// Runs processes and finds what the interop tests need: the built `signet` binary and the oracle's Python.
enum Interop {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The CLI under test: $SIGNET_BIN (set by scripts/test.sh), else the debug build.
    static var signetBinary: String? {
        if let p = ProcessInfo.processInfo.environment["SIGNET_BIN"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let p = repositoryRoot.appendingPathComponent(".build/debug/signet").path
        return FileManager.default.isExecutableFile(atPath: p) ? p : nil
    }

    /// Python with c2pa-python installed: $SIGNET_ORACLE_PYTHON (set by scripts/test.sh), else .venv/bin/python.
    static var oraclePython: String? {
        if let p = ProcessInfo.processInfo.environment["SIGNET_ORACLE_PYTHON"], FileManager.default.isExecutableFile(atPath: p) { return p }
        let p = repositoryRoot.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: p) ? p : nil
    }

    /// An executable on PATH, if any.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static var oracleScript: String { repositoryRoot.appendingPathComponent("Tests/Interop/oracle.py").path }

    /// ../shared/fixtures/c2pa-rs beside the repository, when present.
    static var fixtures: URL? {
        let u = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/c2pa-rs")
        return FileManager.default.fileExists(atPath: u.appendingPathComponent("README.md").path) ? u : nil
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let r = try ChildProcess.run(executable, arguments, environment: environment)
        return Run(status: r.status, stdout: r.stdout, stderr: r.stderr)
    }

    static func signet(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        guard let bin = signetBinary else { throw InteropSkip.missing("signet binary (run scripts/test.sh)") }
        return try run(bin, arguments, environment: environment)
    }

    struct OracleRead: Decodable {
        var state: String?
        var failure: [String]
        var informational: [String]
        var success: [String]?
        var manifests: Int
        var error: String?
        var active_manifest: String?
        var ingredient_delta_failures: [String]?
    }

    /// c2pa-rs's reading of `file`; with `ocspFetch`, c2pa-rs asks the OCSP responder its signer certificate names
    /// when no response is stapled.
    static func oracleRead(_ file: String, anchors: String?, cawgAnchors: String? = nil, ocspFetch: Bool = false) throws -> OracleRead {
        guard let py = oraclePython else { throw InteropSkip.missing("c2pa-python (run scripts/test.sh)") }
        var args = [oracleScript, "read", file]
        if ocspFetch { args.append("--ocsp-fetch") }
        if let anchors { args += ["--anchors", anchors] }
        if let cawgAnchors { args += ["--cawg-anchors", cawgAnchors] }
        let r = try run(py, args)
        guard r.status == 0, let line = r.stdout.split(separator: "\n").last else {
            throw InteropFailure(message: "oracle read failed: \(r.stderr)")
        }
        return try JSONDecoder().decode(OracleRead.self, from: Data(line.utf8))
    }

    static func oracleSign(
        _ input: String, _ output: String, alg: String, cert: String, key: String, identity: (alg: String, cert: String, key: String)? = nil,
        noThumbnail: Bool = false
    ) throws {
        guard let py = oraclePython else { throw InteropSkip.missing("c2pa-python (run scripts/test.sh)") }
        var args = [oracleScript, "sign", input, output, "--alg", alg, "--cert", cert, "--key", key]
        if noThumbnail { args.append("--no-thumbnail") }
        if let identity { args += ["--cawg-alg", identity.alg, "--cawg-cert", identity.cert, "--cawg-key", identity.key] }
        let r = try run(py, args)
        guard r.status == 0 else { throw InteropFailure(message: "oracle sign failed: \(r.stderr)") }
    }

    /// Signet's JSON report for one file.
    static func signetVerify(_ file: String, anchors: String?, identityAnchors: String? = nil) throws -> (status: Int32, report: JSONValue) {
        var args = ["verify", "--json", file]
        if let anchors { args += ["--trust-anchors", anchors] }
        if let identityAnchors { args += ["--identity-trust-anchors", identityAnchors] }
        let r = try signet(args)
        let line = r.stdout.split(separator: "\n").first.map(String.init) ?? "{}"
        return (r.status, try JSONValue.parse(line))
    }

    static func failureCodes(_ report: JSONValue) -> [String] {
        report["validation_results"]?["activeManifest"]?["failure"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
    }

    static func successCodes(_ report: JSONValue) -> [String] {
        report["validation_results"]?["activeManifest"]?["success"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
    }

    static func makeTempDirectory(_ name: String) throws -> URL {
        let u = FileManager.default.temporaryDirectory.appendingPathComponent("signet-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    /// Flips one bit of a byte near the end of the file (entropy-coded pixel data for JPEG, IDAT for PNG).
    static func tamper(_ source: String, _ destination: String) throws {
        var d = try Data(contentsOf: URL(fileURLWithPath: source))
        let isPNG = d.starts(with: [0x89, 0x50, 0x4E, 0x47])
        let index = d.count - (isPNG ? 40 : 100)
        d[index] ^= 0x01
        try d.write(to: URL(fileURLWithPath: destination))
    }
}

/// Shared material for the interop tests: development credentials and sample images, made once per run.
final class InteropWorld: Sendable {
    let directory: URL
    let credentials: URL
    let jpeg: String
    let png: String
    var anchors: String { credentials.appendingPathComponent("root-ca.pem").path }
    func key(_ alg: String) -> String { credentials.appendingPathComponent("\(alg).key").path }
    func chain(_ alg: String) -> String { credentials.appendingPathComponent("\(alg).pem").path }

    static let shared: Result<InteropWorld, Error> = Result { try InteropWorld() }

    private init() throws {
        directory = try Interop.makeTempDirectory("interop")
        credentials = directory.appendingPathComponent("credentials")
        let gen = try Interop.signet(["keys", "generate", "--output", credentials.path])
        guard gen.status == 0 else { throw InteropFailure(message: "keys generate failed: \(gen.stderr)") }
        let image = SampleImage.generate(width: 640, height: 427, seed: 7)
        jpeg = directory.appendingPathComponent("sample.jpg").path
        png = directory.appendingPathComponent("sample.png").path
        try Data(try ImageCodec.encodeJPEG(image, quality: 85)).write(to: URL(fileURLWithPath: jpeg))
        try Data(try ImageCodec.encodePNG(image)).write(to: URL(fileURLWithPath: png))
    }

    static func get() throws -> InteropWorld {
        guard Interop.signetBinary != nil else { throw InteropSkip.missing("signet binary") }
        return try shared.get()
    }
}

enum InteropSkip: Error { case missing(String) }
struct InteropFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// True when the oracle and the binary are available; prints why not otherwise (tests then pass as skipped).
func interopAvailable() -> Bool {
    if Interop.signetBinary == nil || Interop.oraclePython == nil {
        print("note: interop tests skipped: run scripts/test.sh to build the CLI and install c2pa-python")
        return false
    }
    return true
}
