import ArgumentParser
import Foundation
import Logging
import SignetRegistry
import SignetServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve verification, inspection and the detector over HTTP (and a page to drop files on).",
        discussion: """
            Routes: POST /v1/verify (a file as the body, or several as multipart/form-data), POST /v1/inspect, \
            POST /v1/inspect.html, POST /v1/detect (?heatmap=1 for the PNG), GET /healthz, GET /readyz, \
            GET /metrics (Prometheus text), GET / (a page to check a file). Add ?name=FILE to name the upload \
            in reports. Errors are JSON: {"error": {"code", "message"}}. The API: Spec/openapi.yaml.

            With --registry, the registry is served online too, unlocked with its passphrase \
            (--passphrase-file, else $SIGNET_PASSPHRASE, else a prompt): GET /registry/bundle/FILE (the trust \
            bundle as it stands), GET /registry/keys and /registry/keys/ID (status histories), GET \
            /registry/log/checkpoint, /registry/log/tile/... (C2SP tlog-tiles), /registry/log/proof/inclusion?index=I \
            and /registry/log/proof/consistency?old=M; the OCSP responder (RFC 6960, POST and GET) at the path of \
            the URL its signer certificates name (`registry init --ocsp-url`); the timestamp authority (RFC 3161) \
            at POST /tsa.

            Bodies are stored in a private temporary folder and deleted with the response; a single file of at \
            most 4 MiB with a declared length is verified in memory instead, within --memory-bodies. SIGTERM or SIGINT stops accepting connections and finishes the requests in flight.

            Exit status: 2 for usage errors; 9 when the address cannot be listened on.
            """
    )

    @Option(name: .long, help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0: any free port, printed at start).")
    var port = 8080

    @OptionGroup var trust: TrustOptions

    @Option(name: .long, help: "With --registry: a file whose first line is the registry passphrase (else $SIGNET_PASSPHRASE, else a prompt).")
    var passphraseFile: String?

    @Option(name: .long, help: "Largest request body in bytes (413 past it).")
    var maxBody = 256 << 20

    @Option(name: .long, help: "Verify, inspect and detect requests worked on at once; past it 503 with Retry-After (default: the number of cores).")
    var concurrency: Int?

    @Option(name: .long, help: "Heavy requests that may wait for a slot when all are busy; past it 503 with Retry-After.")
    var queue = 64

    @Option(name: .long, help: "Seconds a request body may take to arrive (408 past it).")
    var bodyTimeout = 120

    @Option(name: .long, help: "Seconds a connection may sit with no request before it is closed.")
    var idleTimeout = 30

    @Option(name: .long, help: "Bytes a second a body must average after its first 10 seconds (408 below it; 0: no floor).")
    var minBodyRate = 8192

    @Option(name: .long, help: "Bytes all stored request bodies may take on disk at once; past it 503 with Retry-After (default: a quarter of the free space, 1 to 64 GiB).")
    var maxSpool: Int?

    @Option(name: .long, help: "A host name the Host header may carry (repeatable; a port is ignored); others get 421. Default: the loopback names when listening on loopback, any otherwise.")
    var allowedHost: [String] = []

    @Option(name: .long, help: "Bytes of request bodies held in memory at once: a single file of declared length up to 4 MiB is verified there, without a disk round trip; others, and any past this budget, go to disk (0: all to disk).")
    var memoryBodies: Int = BodySpool.defaultMemoryBudget

    @Option(name: .long, help: "Connections open at once; more are closed on arrival (default: half the descriptor limit, at most 4096).")
    var maxConnections: Int?

    @Option(name: .long, help: "Connections open at once from one client address; more are closed on arrival.")
    var maxConnectionsPerAddress = 128

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be 0...65535") }
        if maxBody < 1 { throw ValidationError("--max-body must be at least 1") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if queue < 0 { throw ValidationError("--queue must be at least 0") }
        if bodyTimeout < 1 { throw ValidationError("--body-timeout must be at least 1 second") }
        if idleTimeout < 1 { throw ValidationError("--idle-timeout must be at least 1 second") }
        if let maxSpool, maxSpool < 1 { throw ValidationError("--max-spool must be at least 1") }
        if memoryBodies < 0 { throw ValidationError("--memory-bodies must be at least 0") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be at least 1") }
        if maxConnectionsPerAddress < 1 { throw ValidationError("--max-connections-per-address must be at least 1") }
        if passphraseFile != nil && trust.registry == nil { throw ValidationError("--passphrase-file goes with --registry") }
    }

    func run() async throws {
        let verifier = try trust.verifier()
        var publication: RegistryPublication?
        if let directory = trust.registry {
            let options = try RegistryOptions.parse(
                ["--registry", directory] + (passphraseFile.map { ["--passphrase-file", $0] } ?? [])
                    + (trust.registryDatabase.map { ["--registry-url", $0] } ?? []))
            let registry = try options.open()
            let passphrase = try options.passphrase()
            publication = try registryCall { () throws(RegistryError) in try RegistryPublication(registry: registry, passphrase: passphrase) }
        }
        var configuration = ServiceConfiguration()
        configuration.maxBody = maxBody
        if let concurrency { configuration.concurrency = concurrency }
        configuration.bodyTimeout = .seconds(bodyTimeout)
        configuration.queue = queue
        configuration.idleTimeout = .seconds(idleTimeout)
        configuration.minimumBodyRate = max(0, minBodyRate)
        if let maxConnections { configuration.maxConnections = maxConnections }
        configuration.maxConnectionsPerAddress = maxConnectionsPerAddress
        // On loopback, only loopback names: a web page whose DNS name was rebound to 127.0.0.1 gets 421.
        if !allowedHost.isEmpty {
            configuration.allowedHosts = Set(allowedHost.map { ServiceConfiguration.hostName($0) })
        } else if ServiceConfiguration.isLoopback(host) {
            configuration.allowedHosts = ServiceConfiguration.loopbackHosts
        }
        let spool: BodySpool
        do {
            spool = try BodySpool(budget: maxSpool, memoryBodyLimit: min(BodySpool.defaultMemoryBodyLimit, memoryBodies), memoryBudget: memoryBodies)
        } catch { throw CLIError(.output, "\(error)") }
        defer { spool.removeAll() }
        var logger = Logger(label: "signet.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["SIGNET_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .info
        let service = SignetService(verifier: verifier, configuration: configuration, spool: spool, registry: publication, logger: logger)
        let host = self.host
        let ocspPath = publication?.ocspPath
        let app = service.application(host: host, port: port) { bound in
            let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            FileHandle.standardOutput.write(Data("signet serve: listening on http://\(shown):\(bound)\n".utf8))
            if let ocspPath {
                FileHandle.standardOutput.write(Data("signet serve: registry online: OCSP at \(ocspPath), timestamps at /tsa, log and bundle under /registry\n".utf8))
            }
        }
        do {
            try await app.runService()
        } catch {
            throw CLIError(.listen, "cannot serve on \(host):\(port): \(error)")
        }
    }
}
