import Signet
import SignetTimestamp

/// The HTTP client's own refusals (no connection, an HTTP error, too much data, a refusal, a token for another
/// request) printed as one plain line, as the CLI always has: "timestamping failed: cannot reach the TSA at ...".
/// A response that does not parse keeps its error code in the message.
struct CLITimestamper: TimestampProvider {
    let client: HTTPTimestamper
    var maximumTokenSize: Int { client.maximumTokenSize }

    static let exchangeCodes: Set<TimestampError.Code> = [.tsaUnreachable, .responseTooLarge, .requestRejected, .responseMismatch]

    func timestamp(_ data: [UInt8]) async throws -> [UInt8] {
        do { return try await client.timestamp(data) } catch where Self.exchangeCodes.contains(error.code) {
            throw CLIError(.signing, error.reason)
        }
    }
}
