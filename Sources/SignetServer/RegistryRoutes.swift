import Foundation
import Hummingbird
import Logging
import NIOCore
import Signet
import SignetOCSP
import SignetRegistry

/// The registry online (`signet serve --registry DIR`): the trust bundle's files, key status histories, the
/// transparency log (checkpoint, proofs, C2SP tiles), the OCSP responder at the path its signer certificates name,
/// and the RFC 3161 timestamp authority.
///
/// ```
/// GET  /registry/bundle/<file>                  a file of the trust bundle, as it stands now
/// GET  /registry/keys                           keys.json
/// GET  /registry/keys/<id>                      one key and its status history
/// GET  /registry/log/checkpoint                 a signed checkpoint of the whole log
/// GET  /registry/log/tile/<L>/<N>[.p/<W>]       a hash tile (c2sp.org/tlog-tiles)
/// GET  /registry/log/tile/entries/<N>[.p/<W>]   an entry bundle
/// GET  /registry/log/proof/inclusion?index=I[&size=N]
/// GET  /registry/log/proof/consistency?old=M[&new=N]
/// POST <OCSP path>                              application/ocsp-request  -> application/ocsp-response
/// GET  <OCSP path>/<base64 request>             RFC 6960 appendix A.1
/// POST /tsa                                     application/timestamp-query -> application/timestamp-reply
/// ```
///
/// Every path piece and query value comes from the client: tile paths are parsed into numbers (no file is ever
/// opened by name), bundle names are looked up in a fixed list, numbers are checked before use.
struct RegistryRoutes: Sendable {
    let publication: RegistryPublication
    let service: SignetService
    let ocspPath: String

    static let tsaPath = "/tsa"
    static let prefix = "/registry"

    init(publication: RegistryPublication, service: SignetService) {
        self.publication = publication
        self.service = service
        // The responder answers at the path of the URL the certificates name, trailing slash or not.
        var path = publication.ocspPath
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        ocspPath = path
    }

    /// The routes as `Spec/openapi.yaml` writes them (with the default OCSP path).
    static let documentedPaths: Set<String> = [
        "/registry/bundle/{file}", "/registry/keys", "/registry/keys/{id}", "/registry/log/checkpoint", "/registry/log/tile/{path}",
        "/registry/log/proof/inclusion", "/registry/log/proof/consistency", "/ocsp", "/ocsp/{request}", "/tsa",
    ]

    /// Every fixed route with its methods (metrics label them by name; another method gets 405).
    var methods: [String: String] {
        [
            Self.prefix + "/keys": "GET, HEAD", Self.prefix + "/log/checkpoint": "GET, HEAD", Self.prefix + "/log/proof/inclusion": "GET, HEAD",
            Self.prefix + "/log/proof/consistency": "GET, HEAD", ocspPath: "POST", Self.tsaPath: "POST",
        ]
    }

    func add(to router: Router<ServiceContext>) {
        router.readable("\(Self.prefix)/bundle/:file") { _, context in
            let name = context.parameters.get("file") ?? ""
            return await answer { () throws(ServiceError) in
                guard let bytes = try call({ () throws(RegistryError) in try publication.bundleFile(name) }) else {
                    throw ServiceError(.notFound, "no bundle file of that name; the bundle holds \(TrustBundle.allFiles.joined(separator: ", "))")
                }
                return Self.bytes(bytes, type: Self.contentType(ofBundleFile: name), cache: "no-cache")
            }
        }
        router.readable("\(Self.prefix)/keys") { _, _ in
            await answer { () throws(ServiceError) in
                let bytes = try call { () throws(RegistryError) in try publication.bundleFile(TrustBundle.keys) } ?? []
                return Self.bytes(bytes, type: "application/json", cache: "no-cache")
            }
        }
        router.readable("\(Self.prefix)/keys/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return await answer { () throws(ServiceError) in
                guard let text = try call({ () throws(RegistryError) in try publication.keyJSON(id: id) }) else {
                    throw ServiceError(.notFound, "the registry has no key with that id")
                }
                return Self.bytes(Array(text.utf8), type: "application/json", cache: "no-cache")
            }
        }
        router.readable("\(Self.prefix)/log/checkpoint") { _, _ in
            await answer { () throws(ServiceError) in
                let note = try call { () throws(RegistryError) in try publication.checkpoint() }
                return Self.bytes(note, type: "text/plain; charset=utf-8", cache: "no-cache")
            }
        }
        router.readable("\(Self.prefix)/log/tile/**") { request, _ in
            let path = String(request.uri.path.dropFirst("\(Self.prefix)/log/".count))
            return await answer { () throws(ServiceError) in
                guard let bytes = try call({ () throws(RegistryError) in try publication.tile(path) }) else {
                    throw ServiceError(.notFound, "no such tile: a tile path is tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>], for a tile the log has")
                }
                // A full tile never changes; a partial one is replaced by a wider one as the log grows.
                let immutable = !path.contains(".p/")
                return Self.bytes(bytes, type: "application/octet-stream", cache: immutable ? "public, max-age=31536000, immutable" : "no-cache")
            }
        }
        router.readable("\(Self.prefix)/log/proof/inclusion") { request, _ in
            await answer { () throws(ServiceError) in
                let index = try Self.number(request, "index", required: true)!
                let size = try Self.number(request, "size", required: false)
                let json = try call { () throws(RegistryError) in try publication.inclusionProof(index: index, size: size) }
                return SignetService.json(json)
            }
        }
        router.readable("\(Self.prefix)/log/proof/consistency") { request, _ in
            await answer { () throws(ServiceError) in
                let old = try Self.number(request, "old", required: true)!
                let new = try Self.number(request, "new", required: false)
                let json = try call { () throws(RegistryError) in try publication.consistencyProof(old: old, new: new) }
                return SignetService.json(json)
            }
        }
        router.post(RouterPath(ocspPath)) { request, context in
            await service.smallBody(request, context, accepting: "application/ocsp-request", what: "OCSP request") { body in
                Self.bytes(publication.ocsp(request: body), type: "application/ocsp-response", cache: "no-cache")
            }
        }
        router.post(RouterPath(Self.tsaPath)) { request, context in
            await service.smallBody(request, context, accepting: "application/timestamp-query", what: "timestamp query") { body in
                Self.bytes(publication.timestamp(query: body), type: "application/timestamp-reply", cache: "no-store")
            }
        }
    }

    /// The OCSP GET form (RFC 6960, A.1): the request, base64 and URL-encoded, after the responder's path. Clients
    /// differ on where it goes: appended as a path segment (`/ocsp/MEIw...`), or resolved against the URL as a
    /// relative reference, which puts it beside the last segment (c2pa-rs: `/MEIw...` for `.../ocsp`). Both are
    /// answered; the base64 may hold `/` and `+`, percent-encoded or not, or be base64url.
    func ocspGetRequest(path: String) -> [UInt8]? {
        let directory = ocspPath.hasSuffix("/") ? ocspPath : String(ocspPath[...(ocspPath.lastIndex(of: "/") ?? ocspPath.startIndex)])
        var rest: Substring
        if path.hasPrefix(ocspPath + "/") {
            rest = path.dropFirst(ocspPath.count + 1)
        } else if path.hasPrefix(directory) {
            rest = path.dropFirst(directory.count)
        } else {
            return nil
        }
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        // base64 of at most 64 KiB.
        guard !rest.isEmpty, rest.utf8.count <= 3 * RegistryPublication.maxRequestBytes / 2 + 64 else { return nil }
        guard var text = String(rest).removingPercentEncoding else { return nil }
        text = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.utf8.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), data.first == 0x30, data.count <= RegistryPublication.maxRequestBytes,
            (try? OCSPRequest(derEncoded: Array(data))) != nil
        else { return nil }
        return Array(data)
    }

    // MARK: Helpers

    /// Runs a registry call; a failure becomes a service error with no server path in its message.
    func call<T>(_ body: () throws(RegistryError) -> T) throws(ServiceError) -> T {
        do {
            return try body()
        } catch {
            switch error.code {
            case .notFound: throw ServiceError(.notFound, error.reason)
            case .invalidRequest: throw ServiceError(.badRequest, error.reason)
            default:
                // Storage and integrity failures may name the registry's files: logged here, not sent.
                service.logger.error("registry", metadata: ["code": .string(error.code.rawValue), "reason": .string(error.reason)])
                throw ServiceError(.internalError, error.code == .inconsistent
                    ? "the registry's records fail their integrity check; the operator has been told"
                    : "the registry could not be read")
            }
        }
    }

    /// Runs a registry answer on the work threads, not Swift's cooperative pool: a store call waits on the
    /// database (a PostgreSQL lock, a SQLite writer), and must not hold a thread `/healthz` needs.
    func answer(_ body: @escaping @Sendable () throws(ServiceError) -> Response) async -> Response {
        await withTaskExecutorPreference(WorkExecutor.shared) {
            do throws(ServiceError) { return try body() } catch { return error.response() }
        }
    }

    /// A non-negative decimal query value (at most 20 digits), or nil when absent and not required.
    static func number(_ request: Request, _ name: String, required: Bool) throws(ServiceError) -> UInt64? {
        guard let text = request.uri.queryParameters.get(name) else {
            if required { throw ServiceError(.badRequest, "the query needs \(name)=<number>") }
            return nil
        }
        guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt64(text) else {
            throw ServiceError(.badRequest, "\(name) must be a whole number from 0 to \(UInt64.max)")
        }
        return n
    }

    static func bytes(_ bytes: [UInt8], type: String, cache: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = cache
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func contentType(ofBundleFile name: String) -> String {
        if name.hasSuffix(".pem") { return "application/x-pem-file" }
        if name.hasSuffix(".json") { return "application/json" }
        if name == TrustBundle.crl { return "application/pkix-crl" }
        return "text/plain; charset=utf-8"
    }
}

/// Answers OCSP GET requests the router does not know (the request sits in the path), and nothing else.
struct OCSPGetMiddleware: RouterMiddleware {
    typealias Context = ServiceContext
    let routes: RegistryRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && request.method == .get {
            guard let der = routes.ocspGetRequest(path: request.uri.path) else { throw error }
            let publication = routes.publication
            return await withTaskExecutorPreference(WorkExecutor.shared) {
                RegistryRoutes.bytes(publication.ocsp(request: der), type: "application/ocsp-response", cache: "no-cache")
            }
        }
    }
}
