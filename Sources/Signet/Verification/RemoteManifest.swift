import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SignetHTTP

/// Fetching a remote manifest store (the URL an asset's XMP `dcterms:provenance` names), only when asked.
///
/// The rules (issue 12; C2PA 2.2, 11.3): https only, redirects too; a body of at most `maxBytes`; an overall
/// timeout; HTTP 200; nothing cached. The store is then validated against the asset as if embedded (``Verifier``).
public enum RemoteManifest {
    public struct Failure: Error, Sendable, Equatable {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    /// The default cap on a fetched store: 32 MiB.
    public static let defaultMaxBytes = 32 << 20
    /// The default time for the whole exchange: 20 seconds.
    public static let defaultTimeout: TimeInterval = 20

    /// A fetcher for ``Verifier/fetchRemote``.
    public static func fetcher(maxBytes: Int = defaultMaxBytes, timeout: TimeInterval = defaultTimeout)
        -> @Sendable (String) async -> Result<[UInt8], Failure>
    {
        { url in await fetch(url, maxBytes: maxBytes, timeout: timeout) }
    }

    /// Fetches `url` under the rules above.
    public static func fetch(_ url: String, maxBytes: Int, timeout: TimeInterval) async -> Result<[UInt8], Failure> {
        guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "https", let host = parsed.host, !host.isEmpty else {
            return .failure(Failure("only https URLs are fetched"))
        }
        var http = URLRequest(url: parsed, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        http.setValue("application/c2pa", forHTTPHeaderField: "Accept")
        let request = http
        do {
            let (body, response) = try await withTimeout(timeout) {
                try await BoundedDownload.run(request, limit: maxBytes, httpsOnly: true)
            }
            guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
                return .failure(Failure("the server answered HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)"))
            }
            return .success(Array(body))
        } catch {
            return .failure(Failure(BoundedDownload.reason(error)))
        }
    }

    /// Runs `body`, giving up after `seconds` (URLSession's own timeout is per idle interval, not for the whole
    /// exchange: a server trickling a byte at a time would otherwise hold the verifier).
    static func withTimeout<T: Sendable>(_ seconds: TimeInterval, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(max(seconds, 0) * 1e9))
                throw URLError(.timedOut)
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw URLError(.timedOut) }
            return first
        }
    }
}
