import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTPTypes
import Signet
import SignetDetect
import SignetImaging
import SignetRegistry
import SignetReport

/// How `signet serve` behaves; every limit has a default a demanding deployment can tighten.
public struct ServiceConfiguration: Sendable {
    /// The most bytes a request body may carry (413 past it).
    public var maxBody: Int = 256 << 20
    /// Verify, inspect and detect requests worked on at once; past it 503 with Retry-After.
    public var concurrency: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Heavy requests that may wait for a slot once all are busy; past it 503 with Retry-After.
    public var queue: Int = 64
    /// Uploads being received at once (each costs disk, not memory); past it 503 with Retry-After.
    public var uploads: Int = 64
    /// How long a request body may take to arrive (408 past it).
    public var bodyTimeout: Duration = .seconds(120)
    /// A connection with no traffic for this long is closed.
    public var idleTimeout: Duration = .seconds(30)
    /// Parts of one multipart request.
    public var maxParts: Int = Multipart.maxParts
    /// Pictures the detector decodes: a few kilobytes of PNG can declare 64 megapixels (about 1 GB to analyse), so
    /// the service takes fewer than the CLI; larger pictures are answered 422.
    public var detectorMaxPixels: Int = 24_000_000
    /// A body slower than this on average after its first 10 seconds is cut off (408): a client trickling a byte
    /// at a time must not hold an upload slot for the whole body timeout.
    public var minimumBodyRate: Int = 8 * 1024
    /// How long a body may arrive slower than `minimumBodyRate` before the floor applies.
    public var minimumRateGrace: Duration = .seconds(10)
    /// Connections open at once, in total (well under the descriptor limit) and from one client address; a
    /// connection past either is closed on arrival.
    public var maxConnections: Int = ConnectionLimiter.defaultTotal
    public var maxConnectionsPerAddress: Int = 128
    /// Host names (without port) the Host header may carry; nil: any. ``ServiceConfiguration/loopbackHosts`` for
    /// a server on loopback, against DNS rebinding.
    public var allowedHosts: Set<String>? = nil

    /// The names a loopback server answers to.
    public static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]", "[::ffff:127.0.0.1]"]

    /// Whether `host` (a listen address) is a loopback one, in any spelling: `localhost`, 127.0.0.0/8, `::1`
    /// (also written out in full, or in brackets) and IPv4-mapped `::ffff:127.x.y.z`.
    public static func isLoopback(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, name, &v6) == 1 else { return false }
        let b = withUnsafeBytes(of: v6) { Array($0) }
        if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }
        return b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF && b[12] == 127
    }

    /// The host part of a Host header or an allowed-host name as the Host check compares it (lowercased, without
    /// its port).
    public static func hostName(_ authority: String) -> String { AccessMiddleware.hostName(authority) }

    public init() {}
}

/// The HTTP service: the same verifier, reports and detector as the CLI, over Hummingbird.
///
/// Routes (see `Spec/openapi.yaml`): `POST /v1/verify` (a file as the body, or several as multipart/form-data),
/// `POST /v1/inspect`, `POST /v1/inspect.html`, `POST /v1/detect` (`?heatmap=1` for the PNG), `GET /healthz`,
/// `GET /readyz`, `GET /metrics`, `GET /` (the upload page); with a registry, the registry online
/// (``RegistryRoutes``).
public struct SignetService: Sendable {
    public let verifier: Signet.Verifier
    public let configuration: ServiceConfiguration
    public let spool: BodySpool
    public let metrics: ServiceMetrics
    /// The registry served online, if any: its bundle, keys, log, OCSP responder and timestamp authority.
    public let registry: RegistryPublication?
    public let connections: ConnectionLimiter
    let heavy: HeavyGate
    let uploads: HeavyGate
    let logger: Logger

    public init(
        verifier: Signet.Verifier, configuration: ServiceConfiguration = .init(), spool: BodySpool, registry: RegistryPublication? = nil,
        logger: Logger? = nil
    ) {
        self.verifier = verifier
        self.configuration = configuration
        self.spool = spool
        self.registry = registry
        self.connections = ConnectionLimiter(total: configuration.maxConnections, perAddress: configuration.maxConnectionsPerAddress)
        self.metrics = ServiceMetrics()
        self.heavy = HeavyGate(limit: configuration.concurrency, queueLimit: configuration.queue)
        self.uploads = HeavyGate(limit: configuration.uploads)
        self.logger = logger ?? Logger(label: "signet.serve")
    }

    /// The routes, with JSON errors, metrics and an access log around every request.
    public func router() -> Router<ServiceContext> {
        let router = Router(context: ServiceContext.self)
        let registryRoutes = registry.map { RegistryRoutes(publication: $0, service: self) }
        router.add(
            middleware: AccessMiddleware(
                metrics: metrics, logger: logger, routes: Self.methods.merging(registryRoutes?.methods ?? [:]) { a, b in a + ", " + b },
                allowedHosts: configuration.allowedHosts))
        if let registryRoutes {
            router.add(middleware: OCSPGetMiddleware(routes: registryRoutes))
            registryRoutes.add(to: router)
        }
        router.readable("/healthz") { _, _ in Self.json(.object([("status", .string("ok"))])) }
        router.readable("/readyz") { _, _ in
            // Ready once the spool folder is writable: every heavy route needs it.
            guard access(spool.folder, W_OK) == 0 else {
                return ServiceError(.internalError, "the request body folder is not writable").response()
            }
            return Self.json(.object([("status", .string("ready"))]))
        }
        router.readable("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render(connections: connections.counts))))
        }
        router.readable("/") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] = UploadPage.contentSecurityPolicy
            headers[.xContentTypeOptions] = "nosniff"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: UploadPage.html)))
        }
        router.post("/v1/verify") { request, context in
            // One file as the body may be held in memory (small, of declared length); multipart bodies are parsed
            // from a file.
            let single: Bool
            do { single = try Multipart.boundary(contentType: request.headers[.contentType] ?? "") == nil } catch { single = false }
            return await heavyReceived(request, context, inMemory: single) { (body: ReceivedBody) async throws(ServiceError) -> Response in
                try await verify(request, body)
            }
        }
        router.post("/v1/inspect") { request, context in
            await heavy(request, context) { (file: SpooledFile) async throws(ServiceError) -> Response in try await inspect(request, file, html: false) }
        }
        router.post("/v1/inspect.html") { request, context in
            await heavy(request, context) { (file: SpooledFile) async throws(ServiceError) -> Response in try await inspect(request, file, html: true) }
        }
        router.post("/v1/detect") { request, context in
            await heavy(request, context) { (file: SpooledFile) async throws(ServiceError) -> Response in try await detect(request, file) }
        }
        return router
    }

    /// Builds the application listening on host:port.
    public func application(host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        Application(
            router: router(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [connections.handler()],
                    idleTimeout: .nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000))),
            configuration: .init(address: .hostname(host, port: port), serverName: "signet"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }

    // MARK: Handlers

    /// Takes an upload slot, stores the body in a file, takes a work slot, runs `work`, always cleaning up.
    func heavy(_ request: Request, _ context: ServiceContext, _ work: (SpooledFile) async throws(ServiceError) -> Response) async -> Response {
        await heavyReceived(request, context, inMemory: false) { (body: ReceivedBody) async throws(ServiceError) -> Response in
            guard case .file(let file) = body else { throw ServiceError(.internalError, "the body was not stored") }
            return try await work(file)
        }
    }

    /// As ``heavy(_:_:_:)``, with the body held in memory instead when `inMemory` and the spool's memory rules allow.
    func heavyReceived(
        _ request: Request, _ context: ServiceContext, inMemory: Bool, _ work: (ReceivedBody) async throws(ServiceError) -> Response
    ) async -> Response {
        guard uploads.tryEnter() else {
            metrics.refusedBusy()
            return ServiceError(.busy, "too many uploads in progress; retry shortly").response()
        }
        // (A connection seen open now and closed later is a client that left; in-process test channels are never open.)
        let connected = context.channel?.isActive ?? false
        let file: ReceivedBody
        do throws(ServiceError) {
            let declared = request.headers[.contentLength].flatMap { Int($0) }
            // A client that asks first (curl does for bodies over 1 MB) is told to go on; it would otherwise wait
            // a second before sending. A request refused on its declared length gets its 413 instead.
            if request.headers[.expect]?.lowercased() == "100-continue", declared.map({ $0 <= configuration.maxBody }) ?? true {
                context.channel?.writeAndFlush(HTTPResponsePart.head(HTTPResponse(status: .continue)), promise: nil)
            }
            // On timeout the connection's input side is closed: the body stops, and the 408 still goes out.
            let channel = context.channel
            if inMemory {
                file = try await spool.receive(
                    request.body, declaredLength: declared, limit: configuration.maxBody, timeout: configuration.bodyTimeout,
                    minimumRate: configuration.minimumBodyRate, grace: configuration.minimumRateGrace,
                    onTimeout: { channel?.close(mode: .input, promise: nil) })
            } else {
                file = .file(
                    try await spool.spool(
                        request.body, declaredLength: declared, limit: configuration.maxBody, timeout: configuration.bodyTimeout,
                        minimumRate: configuration.minimumBodyRate, grace: configuration.minimumRateGrace,
                        onTimeout: { channel?.close(mode: .input, promise: nil) }))
            }
        } catch {
            uploads.leave()
            // A body refused for its size is not read to its end (it may declare gigabytes): the input side is
            // closed, the answer still goes out, and the connection ends instead of idling until its timeout.
            if error.code == .bodyTooLarge { context.channel?.close(mode: .input, promise: nil) }
            return error.response()
        }
        uploads.leave()
        defer { file.discard() }
        metrics.received(file.size)
        guard await heavy.enter() else {
            metrics.refusedBusy()
            return ServiceError(.busy, "the server is at its limit of \(heavy.limit) requests at once and \(heavy.queueLimit) waiting; retry shortly").response()
        }
        // A client that hung up while its request waited gets no work done for it.
        if connected, let channel = context.channel, !channel.isActive {
            heavy.leave()
            return ServiceError(.badRequest, "the client closed the connection").response()
        }
        metrics.inFlight(1)
        defer {
            heavy.leave()
            metrics.inFlight(-1)
        }
        // Hashing and pixel work run on threads of their own, not Swift's cooperative pool (as many threads as
        // cores): a full pool would delay every timer and body read of the lighter requests.
        return await withTaskExecutorPreference(WorkExecutor.shared) {
            do throws(ServiceError) {
                return try await work(file)
            } catch {
                return error.response()
            }
        }
    }

    /// Takes an upload slot and reads a small body (an OCSP request, a timestamp query: at most
    /// ``RegistryPublication/maxRequestBytes``) of the one content type the route takes, through the same spool,
    /// limits and timeouts as a file, then answers with `work`.
    func smallBody(
        _ request: Request, _ context: ServiceContext, accepting type: String, what: String, _ work: @Sendable ([UInt8]) -> Response
    ) async -> Response {
        let given = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard given == type else {
            return ServiceError(.unsupportedMediaType, "send the \(what) as Content-Type: \(type)").response()
        }
        guard uploads.tryEnter() else {
            metrics.refusedBusy()
            return ServiceError(.busy, "too many uploads in progress; retry shortly").response()
        }
        defer { uploads.leave() }
        let body: ReceivedBody
        do throws(ServiceError) {
            let channel = context.channel
            body = try await spool.receive(
                request.body, declaredLength: request.headers[.contentLength].flatMap { Int($0) }, limit: RegistryPublication.maxRequestBytes,
                timeout: configuration.bodyTimeout, minimumRate: configuration.minimumBodyRate, grace: configuration.minimumRateGrace,
                onTimeout: { channel?.close(mode: .input, promise: nil) })
        } catch {
            if error.code == .bodyTooLarge { context.channel?.close(mode: .input, promise: nil) }
            return error.response()
        }
        defer { body.discard() }
        let bytes: [UInt8]
        switch body {
        case .memory(let held): bytes = held.bytes
        case .file(let file): bytes = FileManager.default.contents(atPath: file.path).map { Array($0) } ?? []
        }
        guard !bytes.isEmpty else { return ServiceError(.emptyBody, "the body holds no \(what)").response() }
        return await withTaskExecutorPreference(WorkExecutor.shared) { work(bytes) }
    }

    /// The name a client gave its file (query `name=`), or "upload"; never a server path.
    static func displayName(_ request: Request, fallback: String = "upload") -> String {
        shownName(request.uri.queryParameters.get("name"), fallback: fallback)
    }

    /// A client-given name fit to show: no control characters (C0, DEL, C1) or bidirectional overrides, at most 255
    /// characters.
    static func shownName(_ given: String?, fallback: String) -> String {
        let name = given ?? fallback
        let hidden: ClosedRange<UInt32> = 0x202A...0x202E
        let clean = String(
            name.unicodeScalars.filter { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) && !hidden.contains($0.value)
                && !(0x2066...0x2069).contains($0.value) }
            .prefix(255).map(Character.init))
        return clean.isEmpty ? fallback : clean
    }

    /// Verifies a stored file; the report names `display`, and no message carries the server's own path.
    /// The verifier for this request: with a registry online, with its revocations as they stand now (a key revoked
    /// since the server started, from the CLI or another server on the same database, is revoked here too).
    func currentVerifier() throws(ServiceError) -> Signet.Verifier {
        guard let registry else { return verifier }
        do { return try registry.verifier(base: verifier) } catch {
            logger.error("registry", metadata: ["code": .string(error.code.rawValue), "reason": .string(error.reason)])
            throw ServiceError(.internalError, "the registry's revocations could not be read; nothing is judged without them")
        }
    }

    func verified(_ file: SpooledFile, display: String, with current: Signet.Verifier) async -> Result<VerificationReport, VerifyError> {
        switch await current.result(path: file.path) {
        case .success(var report):
            report.file = display
            // Reasons from the parsers may name the file they read: the spooled file, a server path.
            switch report.outcome {
            case .noManifest(let reason):
                report.outcome = .noManifest(reason: reason.replacingOccurrences(of: file.path, with: display))
            case .unreadableManifest(let reason):
                report.outcome = .unreadableManifest(reason: reason.replacingOccurrences(of: file.path, with: display))
            case .validated: break
            }
            metrics.verdict(Self.verdict(report))
            metrics.verified(file.size)
            return .success(report)
        case .failure(var error):
            error.reason = error.reason.replacingOccurrences(of: file.path, with: display)
            metrics.verdict("error")
            return .failure(error)
        }
    }

    static func verdict(_ report: VerificationReport) -> String {
        switch report.outcome {
        case .validated(let state): state.rawValue
        case .noManifest: "no manifest"
        case .unreadableManifest: "unreadable"
        }
    }

    static func failureJSON(_ error: VerifyError, display: String) -> JSONValue {
        .object([("file", .string(display)), ("error", .object([("code", .string(error.code.rawValue)), ("message", .string(error.reason))]))])
    }

    func verify(_ request: Request, _ received: ReceivedBody) async throws(ServiceError) -> Response {
        let current = try currentVerifier()
        let body: SpooledFile
        switch received {
        case .file(let file): body = file
        case .memory(let held):
            // Read where it is: the report names the client's file, and no server path exists to leak.
            let display = Self.displayName(request)
            let report = await current.verify(bytes: held.bytes, name: display)
            metrics.verdict(Self.verdict(report))
            metrics.verified(held.size)
            return Self.json(ReportJSON.render(report))
        }
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        guard let boundary = try Multipart.boundary(contentType: contentType) else {
            let display = Self.displayName(request)
            switch await verified(body, display: display, with: current) {
            case .success(let report): return Self.json(ReportJSON.render(report), hiding: body, as: display)
            case .failure(let error): throw ServiceError(.unsupportedFile, error.reason)
            }
        }
        let parts = try Multipart.parts(of: body, boundary: boundary, spool: spool, maxParts: configuration.maxParts)
        defer { for p in parts { p.file.remove() } }
        let files = parts.filter { $0.file.size > 0 }
        guard !files.isEmpty else { throw ServiceError(.emptyBody, "the multipart body holds no file") }
        var results: [JSONValue] = []
        for (i, part) in files.enumerated() {
            let display = Self.shownName(part.filename ?? part.name, fallback: "part \(i + 1)")
            var one: JSONValue
            switch await verified(part.file, display: display, with: current) {
            case .success(let report): one = ReportJSON.render(report)
            case .failure(let error): one = Self.failureJSON(error, display: display)
            }
            // The same guard as for one file: no spooled path in any message.
            let text = one.serialized()
            if text.contains(part.file.path) {
                one = (try? JSONValue.parse(Self.hidingPath(text, of: part.file, as: display))) 
                    ?? .object([("file", .string(display)), ("error", ServiceError(.internalError, "the report could not be rendered").json["error"]!)])
            }
            results.append(one)
        }
        return Self.json(.object([("results", .array(results))]))
    }

    func inspect(_ request: Request, _ body: SpooledFile, html: Bool) async throws(ServiceError) -> Response {
        let display = Self.displayName(request)
        let current = try currentVerifier()
        let report: VerificationReport
        switch await verified(body, display: display, with: current) {
        case .success(let r): report = r
        case .failure(let error): throw ServiceError(.unsupportedFile, error.reason)
        }
        let detection = Inspection.detection(path: body.path, report: report, drawHeatmap: html, maxPixels: configuration.detectorMaxPixels).map { d -> DetectionReport in
            var d = d
            d.file = display
            return d
        }
        let document = Inspection.reportJSON(report, detection: detection)
        guard html else { return Self.json(document, hiding: body, as: display, pretty: true) }
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        // Opened on its own (not in the upload page's frame), the page still runs in an opaque origin.
        headers[.contentSecurityPolicy] = HTMLReport.contentSecurityPolicy + "; sandbox allow-scripts; frame-ancestors 'self'"
        headers[.xContentTypeOptions] = "nosniff"
        let page = Inspection.page(report, detection: detection)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    func detect(_ request: Request, _ body: SpooledFile) async throws(ServiceError) -> Response {
        let display = Self.displayName(request)
        let wantsHeatmap = request.uri.queryParameters.get("heatmap").map { ["1", "true", "yes"].contains($0.lowercased()) } ?? false
        let current = try currentVerifier()
        let manifest: ManifestStatus
        switch await verified(body, display: display, with: current) {
        case .success(let report): manifest = Inspection.manifestStatus(of: report)
        case .failure: manifest = .absent
        }
        var options = DetectOptions()
        options.maxPixels = configuration.detectorMaxPixels
        if wantsHeatmap { options.heatmapStyle = request.uri.queryParameters.get("style") == "raw" ? .raw : .overlay }
        switch Detector.analyze(path: body.path, manifest: manifest, options: options) {
        case .failure(let error):
            let reason = error.reason.replacingOccurrences(of: body.path, with: display)
            throw ServiceError(.unsupportedFile, reason)
        case .success(var report):
            report.file = display
            if wantsHeatmap {
                guard let image = report.heatmapImage else {
                    throw ServiceError(.unsupportedFile, "no heatmap: \(Self.noHeatmapReason(report))")
                }
                guard let png = try? ImageCodec.encodePNG(image) else {
                    throw ServiceError(.internalError, "the heatmap could not be encoded")
                }
                var headers = HTTPFields()
                headers[.contentType] = "image/png"
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png)))
            }
            report.heatmapImage = nil
            return Self.json(DetectionJSON.render(report, heatmap: nil), hiding: body, as: display)
        }
    }

    static func noHeatmapReason(_ report: DetectionReport) -> String {
        switch report.provenance {
        case .validManifest: "the file carries a valid manifest, so its pixels are not judged"
        default: "no local signal could be measured on this file"
        }
    }

    static func json(_ value: JSONValue, pretty: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.serialized(pretty: pretty) + "\n")))
    }

    /// JSON text with every mention of a spooled file's path replaced by the shown name (JSON-escaped).
    static func hidingPath(_ text: String, of file: SpooledFile, as display: String) -> String {
        guard text.contains(file.path) else { return text }
        let shown = JSONValue.string(display).serialized()
        return text.replacingOccurrences(of: file.path, with: String(shown.dropFirst().dropLast()))
    }

    /// A report's JSON with any mention of a spooled file's path (in any message the libraries wrote) replaced by
    /// the name the client gave; the last guard that no server path leaves in an answer.
    static func json(_ value: JSONValue, hiding file: SpooledFile, as display: String, pretty: Bool = false) -> Response {
        let text = hidingPath(value.serialized(pretty: pretty), of: file, as: display)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

/// Counts and logs every request, and turns the router's own errors (no such route, wrong method) into the
/// service's JSON error shape.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ServiceContext
    let metrics: ServiceMetrics
    let logger: Logger
    /// Routes labelled by their path in metrics and logs, with their methods (a known path asked with another
    /// method is answered 405 with Allow).
    let routes: [String: String]
    let allowedHosts: Set<String>?

    /// The host part of a Host header: `[::1]:8080` -> `[::1]`, `localhost:8080` -> `localhost`, lowercased.
    static func hostName(_ authority: String) -> String {
        let a = authority.lowercased()
        if a.hasPrefix("["), let end = a.firstIndex(of: "]") { return String(a[...end]) }
        if let colon = a.lastIndex(of: ":"), a[a.index(after: colon)...].allSatisfy(\.isNumber) { return String(a[..<colon]) }
        return a
    }

    /// Whether a request's Origin (sent by browsers) is the site it was sent to: `scheme://host[:port]` with the same
    /// host and port as the Host header. No Origin (curl, SDKs, other servers) passes; `null` (a sandboxed or
    /// privacy-sensitive context) does not.
    static func sameOrigin(_ origin: String, authority: String?) -> Bool {
        guard let authority, let separator = origin.range(of: "://") else { return false }
        let scheme = origin[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return false }
        var site = origin[separator.upperBound...].lowercased()
        if site.hasSuffix("/") { site.removeLast() }
        let host = authority.lowercased()
        if site == host { return true }
        // A default port may be spelled on one side only.
        let port = scheme == "https" ? ":443" : ":80"
        return site + port == host || site == host + port
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            if let allowedHosts, !allowedHosts.contains(Self.hostName(request.head.authority ?? "")) {
                throw ServiceError(.misdirected, "this server answers only for \(allowedHosts.sorted().joined(separator: ", "))")
            }
            // A browser tells where a request comes from; a page of another site gets no work done here (its
            // no-cors POST could otherwise make a visitor's browser feed this server files, unseen).
            if request.method != .get, request.method != .head, let origin = request.headers[.origin],
                !Self.sameOrigin(origin, authority: request.head.authority)
            {
                throw ServiceError(.forbiddenOrigin, "requests from another site's page are not taken")
            }
            response = try await next(request, context)
        } catch let error as ServiceError {
            response = error.response()
        } catch let error as HTTPError where (error.status == .notFound || error.status == .methodNotAllowed) && routes[request.uri.path] != nil {
            var answer = ServiceError(.methodNotAllowed, "\(request.uri.path) answers \(routes[request.uri.path]!), not \(request.method.rawValue)").response()
            answer.headers[.allow] = routes[request.uri.path]!
            response = answer
        } catch let error as HTTPError {
            let code: ServiceError.Code =
                switch error.status {
                case .notFound: .notFound
                case .methodNotAllowed: .methodNotAllowed
                case .contentTooLarge: .bodyTooLarge
                default: error.status.code >= 500 ? .internalError : .badRequest
                }
            response = ServiceError(code, error.body ?? error.status.reasonPhrase).response()
        } catch {
            response = ServiceError(.internalError, "the request failed").response()
        }
        // A HEAD route runs its GET handler (``Router/readable(_:use:)``); the body is dropped here, errors' too.
        if request.method == .head {
            // The GET's length, or none: RFC 9110, 8.6 (a HEAD answer's Content-Length must be the GET's).
            let length = response.body.contentLength
            response.body = .init()
            response.headers[.contentLength] = length.map(String.init)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // Known routes by name; anything else as one label, so a scan cannot grow the metrics without bound.
        let route = routes[request.uri.path] != nil ? request.uri.path : Self.family(of: request.uri.path)
        metrics.record(route: route, status: Int(response.status.code), seconds: seconds)
        logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "route": .string(route),
                "status": .stringConvertible(response.status.code), "ms": .stringConvertible(Int(seconds * 1000)),
            ])
        return response
    }
}

extension Router {
    /// A route answered for GET and for HEAD (the same handler; the access middleware drops HEAD's body).
    @discardableResult
    func readable(_ path: RouterPath, use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator) -> Self {
        on(path, method: .head, use: handler)
        return on(path, method: .get, use: handler)
    }
}

extension AccessMiddleware {
    /// The label of a path with a variable part: its fixed prefix, or "other".
    static func family(of path: String) -> String {
        for prefix in ["/registry/bundle/", "/registry/keys/", "/registry/log/tile/entries/", "/registry/log/tile/"] where path.hasPrefix(prefix) {
            return prefix + "*"
        }
        return "other"
    }
}

extension SignetService {
    /// Every route the service answers (metrics label them by name).
    public static var routes: Set<String> { Set(methods.keys) }

    /// Each fixed route with the methods it answers (the Allow header of a 405).
    static let methods: [String: String] = [
        "/": "GET, HEAD", "/healthz": "GET, HEAD", "/readyz": "GET, HEAD", "/metrics": "GET, HEAD", "/v1/verify": "POST",
        "/v1/inspect": "POST", "/v1/inspect.html": "POST", "/v1/detect": "POST",
    ]
}

/// The request context: Hummingbird's core storage, and the connection, so that a body that stops arriving
/// can be cut off (its input side closed) while the error response still goes out.
public struct ServiceContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: (any Channel)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
