import Crypto
import Foundation
import SignetHTTP
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Timestamps from an RFC 3161 TSA over HTTP (RFC 3161 section 3.4: POST application/timestamp-query).
///
/// Each request carries a fresh 8-byte nonce and asks for the TSA's certificate; the answer is read to at most
/// ``TimeStampResponse/maximumEncodedLength`` bytes (the exchange is cancelled past that, so a hostile server
/// cannot make the client buffer without bound), must be HTTP 200 and granted, and its token must be at most
/// ``maximumTokenSize`` bytes and answer this request (same nonce and message imprint).
///
/// Errors are ``TimestampError``s: ``TimestampError/Code/tsaUnreachable`` (no connection, or an HTTP status other
/// than 200), ``TimestampError/Code/responseTooLarge``, ``TimestampError/Code/requestRejected`` (the TSA refused),
/// ``TimestampError/Code/responseMismatch`` (another request's token), or the parsers' codes for a malformed
/// response. Messages name the URL without its user and password (``shown``).
public struct HTTPTimestamper: Sendable {
    /// The TSA's URL.
    public let url: URL

    public init(url: URL) { self.url = url }

    /// The URL without user or password, for messages.
    public var shown: String {
        guard var c = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "the TSA" }
        c.user = nil
        c.password = nil
        return c.string ?? "the TSA"
    }

    /// The largest token accepted (room reserved for it before signing).
    public var maximumTokenSize: Int { 16_384 }

    /// A DER TimeStampToken whose message imprint is SHA-256 of `data`.
    public func timestamp(_ data: [UInt8]) async throws(TimestampError) -> [UInt8] {
        let nonce = TimeStampInteger.random(byteCount: 8)
        let request = TimeStampRequest(
            messageImprint: try TimeStampMessageImprint(hashing: data, with: .sha256), nonce: nonce, certificateRequested: true)
        var http = URLRequest(url: url, timeoutInterval: 30)
        http.httpMethod = "POST"
        http.setValue("application/timestamp-query", forHTTPHeaderField: "Content-Type")
        http.httpBody = Data(request.derEncoded)
        let body: Data
        let response: URLResponse
        do {
            (body, response) = try await BoundedDownload.run(http, limit: TimeStampResponse.maximumEncodedLength)
        } catch is BoundedDownload.TooLarge {
            throw TimestampError(.responseTooLarge, "the TSA at \(shown) answered more than \(TimeStampResponse.maximumEncodedLength) bytes")
        } catch {
            throw TimestampError(.tsaUnreachable, "cannot reach the TSA at \(shown): \(BoundedDownload.reason(error))")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            throw TimestampError(.tsaUnreachable, "TSA \(shown) answered HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        guard body.count <= TimeStampResponse.maximumEncodedLength else { throw TimestampError(.responseTooLarge, "TSA \(shown) answered too much data") }
        let reply = try TimeStampResponse(derEncoded: Array(body))
        guard reply.isGranted, let token = reply.timeStampToken else {
            throw TimestampError(.requestRejected, "TSA \(shown) refused: \(reply.status) \(reply.failureInfo) \(reply.statusStrings.joined(separator: " "))")
        }
        guard token.count <= maximumTokenSize else {
            throw TimestampError(.responseTooLarge, "TSA \(shown) returned a token larger than \(maximumTokenSize) bytes")
        }
        let info = try TimeStampTokenInfo(derEncoded: try Self.tstInfo(of: token))
        guard info.nonce == nonce, info.messageImprint.hashedMessage == request.messageImprint.hashedMessage else {
            throw TimestampError(.responseMismatch, "TSA \(shown) answered for another request (nonce or imprint differs)")
        }
        return token
    }

    /// The TSTInfo DER inside a token, for the nonce and imprint checks.
    static func tstInfo(of token: [UInt8]) throws(TimestampError) -> [UInt8] {
        let parsed = try TimeStampToken(derEncoded: token)
        return parsed.encapsulatedContent
    }
}

/// Timestamps from a ``TimeStampAuthority`` in this process (the key registry's TSA).
public struct LocalTimestamper: Sendable {
    public let authority: TimeStampAuthority

    public init(authority: TimeStampAuthority) { self.authority = authority }

    /// The largest token this authority issues (room reserved for it before signing).
    public var maximumTokenSize: Int { 6144 }

    /// A DER TimeStampToken whose message imprint is SHA-256 of `data`, with a fresh 8-byte nonce.
    public func timestamp(_ data: [UInt8]) async throws(TimestampError) -> [UInt8] {
        try authority.token(imprint: Array(SHA256.hash(data: data)), hashAlgorithm: .sha256, nonce: .random(byteCount: 8))
    }
}
