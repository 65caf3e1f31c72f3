import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The one place Signet talks to the network: an HTTP exchange whose response body is cut off (and the request
/// cancelled) past `limit` bytes, so a hostile server cannot make Signet buffer without bound, and whose
/// redirects are followed only to `https` URLs when the caller asks for https only.
public final class BoundedDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// Thrown when the body passed the limit.
    public struct TooLarge: Error, Sendable {
        public let limit: Int
    }

    /// Thrown when a redirect would leave https.
    public struct InsecureRedirect: Error, Sendable {
        public let location: String
    }

    private let limit: Int
    private let httpsOnly: Bool
    private let lock = NSLock()
    private var body = Data()
    private var response: URLResponse?
    private var exceeded = false
    private var refusedRedirect: String?
    private var continuation: CheckedContinuation<(Data, URLResponse), Error>?

    init(limit: Int, httpsOnly: Bool) {
        self.limit = limit
        self.httpsOnly = httpsOnly
    }

    /// Runs `request` and returns the body (at most `limit` bytes) and the response.
    ///
    /// - Throws: ``TooLarge``, ``InsecureRedirect``, or the `URLError` of a failed exchange (a timeout, no
    ///   connection, a certificate the system does not trust).
    public static func run(_ request: URLRequest, limit: Int, httpsOnly: Bool = false) async throws -> (Data, URLResponse) {
        let download = BoundedDownload(limit: limit, httpsOnly: httpsOnly)
        let session = URLSession(configuration: .ephemeral, delegate: download, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        do {
            // Cancelling the calling task cancels the exchange (a caller's overall deadline).
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    download.lock.withLock { download.continuation = continuation }
                    task.resume()
                }
            } onCancel: {
                task.cancel()
            }
        } catch where download.lock.withLock({ download.exceeded }) {
            throw TooLarge(limit: limit)
        } catch where download.lock.withLock({ download.refusedRedirect != nil }) {
            throw InsecureRedirect(location: download.lock.withLock { download.refusedRedirect ?? "" })
        }
    }

    /// A short reason for a failed exchange, for one-line messages.
    public static func reason(_ error: Error) -> String {
        if let e = error as? TooLarge { return "the answer is larger than \(e.limit) bytes" }
        if let e = error as? InsecureRedirect { return "it redirects to \(e.location), which is not https" }
        if let e = error as? URLError {
            if e.code == .timedOut { return "timed out" }
            return (e.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? "\(e.code)"
        }
        return "\(error)"
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                           newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        if httpsOnly, request.url?.scheme?.lowercased() != "https" {
            lock.withLock { refusedRedirect = request.url?.absoluteString ?? "?" }
            completionHandler(nil)
            task.cancel()
            return
        }
        completionHandler(request)
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                           completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.withLock { self.response = response }
        completionHandler(.allow)
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = lock.withLock { () -> Bool in
            body.append(data)
            if body.count > limit { exceeded = true }
            return exceeded
        }
        if over { dataTask.cancel() }
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let (continuation, body, response, exceeded, refused) = lock.withLock {
            () -> (CheckedContinuation<(Data, URLResponse), Error>?, Data, URLResponse?, Bool, Bool) in
            defer { self.continuation = nil }
            return (self.continuation, self.body, self.response, self.exceeded, self.refusedRedirect != nil)
        }
        if exceeded { continuation?.resume(throwing: URLError(.dataLengthExceedsMaximum)) }
        else if refused { continuation?.resume(throwing: URLError(.cancelled)) }
        else if let error { continuation?.resume(throwing: error) }
        else if let response { continuation?.resume(returning: (body, response)) }
        else { continuation?.resume(throwing: URLError(.badServerResponse)) }
    }
}
