import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Signet
import SignetTimestamp

/// Timestamps from a TimeStampAuthority in this process (the key registry's TSA).
struct LocalTimestamper: TimestampProvider {
    let authority: TimeStampAuthority
    var maximumTokenSize: Int { 6144 }
    func timestamp(_ data: [UInt8]) async throws -> [UInt8] {
        try authority.token(imprint: Array(SHA256.hash(data: data)), hashAlgorithm: .sha256, nonce: .random(byteCount: 8))
    }
}

/// Timestamps from an RFC 3161 TSA over HTTP (RFC 3161 section 3.4: POST application/timestamp-query).
struct HTTPTimestamper: TimestampProvider {
    let url: URL
    var maximumTokenSize: Int { 16_384 }

    func timestamp(_ data: [UInt8]) async throws -> [UInt8] {
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
            (body, response) = try await URLSession.shared.data(for: http)
        } catch {
            let reason = (error as? URLError).map { ($0.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? "\($0.code)" }
            throw CLIError(.signing, "cannot reach the TSA at \(url): \(reason ?? "\(error)")")
        }
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            throw CLIError(.signing, "TSA \(url) answered HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        guard body.count <= TimeStampResponse.maximumEncodedLength else { throw CLIError(.signing, "TSA \(url) answered too much data") }
        let reply = try TimeStampResponse(derEncoded: Array(body))
        guard reply.isGranted, let token = reply.timeStampToken else {
            throw CLIError(.signing, "TSA \(url) refused: \(reply.status) \(reply.failureInfo) \(reply.statusStrings.joined(separator: " "))")
        }
        guard token.count <= maximumTokenSize else { throw CLIError(.signing, "TSA \(url) returned a token larger than \(maximumTokenSize) bytes") }
        let info = try TimeStampTokenInfo(derEncoded: try Self.tstInfo(of: token))
        guard info.nonce == nonce, info.messageImprint.hashedMessage == request.messageImprint.hashedMessage else {
            throw CLIError(.signing, "TSA \(url) answered for another request (nonce or imprint differs)")
        }
        return token
    }

    /// The TSTInfo DER inside a token, for the nonce and imprint checks.
    static func tstInfo(of token: [UInt8]) throws -> [UInt8] {
        let parsed = try TimeStampToken(derEncoded: token)
        return parsed.encapsulatedContent
    }
}
