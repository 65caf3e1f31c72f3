import ArgumentParser
import Foundation
import Signet
import SignetDetect
import SignetRegistry
import SignetReport

struct TrustOptions: ParsableArguments {
    @Option(name: .long, help: "PEM bundle of trust anchors (root or intermediate CA certificates).")
    var trustAnchors: String?

    @Option(name: .long, help: "Allowed list: PEM certificates and/or SHA-256 certificate hashes (base64 or hex), one per line.")
    var allowedList: String?

    @Option(name: .long, help: "EKU configuration (store.cfg): one extended key usage OID per line.")
    var trustConfig: String?

    @Option(name: .long, help: "PEM bundle of trust anchors for CAWG identity assertions' X.509 credentials (a list of its own, as in c2pa-rs).")
    var identityTrustAnchors: String?

    @Option(name: .long, help: "A trust bundle folder (`signet registry export`): its anchors, EKU configuration and CRL.")
    var bundle: String?

    @Option(name: .long, help: "A registry folder: verify against its anchors, EKU configuration and revocations (read-only, no passphrase).")
    var registry: String?

    @Option(name: .long, help: "With --registry: the PostgreSQL database holding its records (postgres://USER@HOST:PORT/DB, else $SIGNET_REGISTRY_URL).")
    var registryURL: String?

    /// The PostgreSQL database of --registry, if any.
    var registryDatabase: String? {
        guard registry != nil else { return nil }
        if let registryURL { return registryURL }
        if let env = ProcessInfo.processInfo.environment["SIGNET_REGISTRY_URL"], !env.isEmpty { return env }
        return nil
    }

    func validate() throws {
        if bundle != nil && registry != nil { throw ValidationError("give --bundle or --registry, not both") }
        try refusePasswordInArguments(registryURL)
        if registryURL != nil && registry == nil { throw ValidationError("--registry-url goes with --registry (the folder holding the registry's keys)") }
        if (bundle != nil || registry != nil) && (trustAnchors != nil || trustConfig != nil) {
            throw ValidationError("--bundle/--registry bring their own anchors and EKU configuration: leave out --trust-anchors and --trust-config")
        }
    }

    /// What the flags name, for the library to load.
    var configuration: VerifierConfiguration {
        let source: TrustSource
        if let bundle {
            source = .bundle(directory: bundle)
        } else if let registry {
            source = .registry(directory: registry)
        } else {
            source = .files(anchors: trustAnchors, ekuConfig: trustConfig)
        }
        return VerifierConfiguration(source: source, allowedList: allowedList, identityAnchors: identityTrustAnchors, registryDatabase: registryDatabase)
    }

    func verifier() throws -> Signet.Verifier {
        let configuration = self.configuration
        var verifier = try registryCall { () throws(RegistryError) in try configuration.verifier() }
        // An asset without a store may name a remote one in its XMP: reported, never fetched.
        verifier.remoteReferences = { MetadataReader.remoteManifests($0) }
        return verifier
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify the C2PA manifests of one or more files (in parallel; reports in input order).",
        discussion: """
            Each file is reported as Trusted, Valid or Invalid, as c2pa-rs defines them. A file whose store is
            not embedded is looked for in a sidecar beside it (photo.jpg -> photo.c2pa). A manifest store given on
            its own (a .c2pa file) is never Valid or Trusted: without its asset, nothing is bound. A file whose XMP
            names a remote manifest (dcterms:provenance) is reported with that URL; it is fetched only with --remote.
            Exit status: 0 when every file is Valid or Trusted (Trusted with --require-trusted); 1 when any is
            Invalid, has no manifest or uses an unsupported algorithm; 2 for usage errors or unreadable files.
            """
    )

    @Argument(help: "Files to verify: every format sign takes, and PDF (read only; incremental updates read as one store).")
    var files: [String]

    @OptionGroup var trust: TrustOptions

    @Flag(name: .long, help: "Print one JSON report per line (c2pa-rs Reader shape plus \"file\").")
    var json = false

    @Flag(name: .long, help: "Fail (exit 1) unless every file is Trusted.")
    var requireTrusted = false

    @Option(name: .long, help: "Files verified at once (default: the number of cores).")
    var jobs: Int?

    @Option(name: .long, help: "Fragment files of the fragmented MP4 (DASH/CMAF) whose initialization segment is the one FILE, in play order; a quoted pattern such as 'seg-*.m4s' is expanded with numbers in order. Repeatable. A swapped, dropped, reordered or edited fragment is named.")
    var fragments: [String] = []

    @Flag(name: .long, help: "Fetch a remote manifest that a file's XMP names (dcterms:provenance) when it embeds none: https only, at most 32 MiB, 20 s; validated against the file as if embedded. Off by default.")
    var remote = false

    @Option(name: .long, help: ArgumentHelp("Seconds a --remote fetch may take (default 20).", visibility: .hidden))
    var remoteTimeout: Double = RemoteManifest.defaultTimeout

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to verify") }
        if !(remoteTimeout > 0 && remoteTimeout <= 600) { throw ValidationError("--remote-timeout must be between 0 and 600 seconds") }
        if !fragments.isEmpty && files.count != 1 { throw ValidationError("--fragments goes with exactly one initialization segment") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        var configured = try trust.verifier()
        if remote { configured.fetchRemote = RemoteManifest.fetcher(timeout: remoteTimeout) }
        let verifier = configured
        if !fragments.isEmpty {
            let parts = try FragmentFiles.expand(fragments)
            let result = await verifier.result(path: files[0], fragments: parts)
            let status = Self.emit(result, file: files[0], json: json, requireTrusted: requireTrusted)
            if status != .ok { throw ExitCode(status.rawValue) }
            return
        }
        let width = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        var worst = ExitStatus.ok
        let json = self.json
        let requireTrusted = self.requireTrusted
        let files = self.files

        await withTaskGroup(of: (Int, Result<VerificationReport, VerifyError>).self) { group in
            var next = 0
            var pending: [Int: Result<VerificationReport, VerifyError>] = [:]
            var printed = 0
            func launch() {
                guard next < files.count else { return }
                let index = next
                let path = files[index]
                next += 1
                group.addTask {
                    let result = await verifier.result(path: path)
                    return (index, result)
                }
            }
            for _ in 0..<min(width, files.count) { launch() }
            while let (index, result) = await group.next() {
                pending[index] = result
                launch()
                while let ready = pending.removeValue(forKey: printed) {
                    let status = Self.emit(ready, file: files[printed], json: json, requireTrusted: requireTrusted)
                    if status.rawValue > worst.rawValue { worst = status }
                    printed += 1
                }
            }
        }
        if worst != .ok { throw ExitCode(worst.rawValue) }
    }

    static func emit(_ result: Result<VerificationReport, VerifyError>, file: String, json: Bool, requireTrusted: Bool) -> ExitStatus {
        switch result {
        case .failure(let error):
            if json {
                print(JSONValue.object([("file", .string(file)), ("error", .object([("code", .string(error.code.rawValue)), ("message", .string(error.reason))]))]).serialized())
            }
            printError(error.reason)
            return .usage
        case .success(let report):
            if json {
                print(ReportJSON.render(report).serialized())
            } else {
                print(HumanReport.line(report))
            }
            switch report.outcome {
            case .validated(let state):
                if state == .invalid || (requireTrusted && state != .trusted) { return .verificationFailed }
                return .ok
            case .noManifest, .unreadableManifest:
                return .verificationFailed
            }
        }
    }
}
