import Foundation
import Hummingbird
import Signet

/// An error the service answers with: an HTTP status, a stable machine-readable code and a one-line message.
/// Every failure leaves the server as a JSON body `{"error": {"code": ..., "message": ...}}`; messages never
/// carry file contents, paths of the server's own files or secrets.
public struct ServiceError: Error, Sendable, Equatable {
    public enum Code: String, Sendable, CaseIterable {
        /// The body is larger than the configured cap (413).
        case bodyTooLarge = "body_too_large"
        /// The request has no body where one is needed (400).
        case emptyBody = "empty_body"
        /// The body did not arrive in time (408).
        case bodyTimeout = "body_timeout"
        /// The body ended before its declared length (400).
        case truncatedBody = "truncated_body"
        /// The Content-Type is not one this route takes (415).
        case unsupportedMediaType = "unsupported_media_type"
        /// A multipart body that cannot be parsed (400).
        case badMultipart = "bad_multipart"
        /// A query parameter or path that is not valid (400).
        case badRequest = "bad_request"
        /// The file is in no format Signet reads, or is corrupt (422).
        case unsupportedFile = "unsupported_file"
        /// Too many heavy requests are in flight (503, with Retry-After).
        case busy = "busy"
        /// No such route (404).
        case notFound = "not_found"
        /// The route exists but not with this method (405).
        case methodNotAllowed = "method_not_allowed"
        /// The Host header names a host this server does not answer for (421): a server on loopback answers only
        /// loopback names, so a page whose DNS name was rebound to 127.0.0.1 cannot use it.
        case misdirected = "misdirected_request"
        /// A browser's cross-site request (its Origin is another site than the Host it was sent to) to a route that
        /// does work (403): another web page must not make a visitor's browser use this server.
        case forbiddenOrigin = "forbidden_origin"
        /// Something failed on the server's side (500).
        case internalError = "internal_error"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var status: HTTPResponse.Status {
        switch code {
        case .bodyTooLarge: .contentTooLarge
        case .emptyBody, .truncatedBody, .badMultipart, .badRequest: .badRequest
        case .bodyTimeout: .requestTimeout
        case .unsupportedMediaType: .unsupportedMediaType
        case .unsupportedFile: .unprocessableContent
        case .busy: .serviceUnavailable
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .misdirected: .misdirectedRequest
        case .forbiddenOrigin: .forbidden
        case .internalError: .internalServerError
        }
    }

    /// The JSON body of the error.
    public var json: JSONValue {
        .object([("error", .object([("code", .string(code.rawValue)), ("message", .string(message))]))])
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if code == .busy { headers[.retryAfter] = "1" }
        if code == .bodyTooLarge || code == .bodyTimeout || code == .truncatedBody { headers[.connection] = "close" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json.serialized() + "\n")))
    }
}
