import Foundation
import SignetTimestamp
import Testing
import X509

/// SplitMix64: a small seeded generator, so a failing run can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed from `SIGNET_SEED`, or a fresh one; printed either way.
func mutationSeed(_ test: String) -> UInt64 {
    let seed =
        ProcessInfo.processInfo.environment["SIGNET_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0 ... .max)
    print("\(test): seed \(seed) (replay with SIGNET_SEED=\(seed))")
    return seed
}

/// `bytes` with one to three random octets replaced.
func mutate(_ bytes: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
    var copy = bytes
    for _ in 0..<Int.random(in: 1...3, using: &generator) {
        let index = Int.random(in: 0..<copy.count, using: &generator)
        copy[index] = UInt8.random(in: 0...255, using: &generator)
    }
    return copy
}

@Suite struct MutationTests {
    /// A strict DER parser accepts only canonical encodings, so whatever still parses after random changes must
    /// re-encode to exactly the same bytes; everything else must throw a ``TimestampError``.
    @Test func randomlyChangedRequestsThrowTypedErrorsOrReencodeIdentically() throws {
        var generator = SplitMix64(state: mutationSeed("randomlyChangedRequests"))
        let authority = try TSAPKI().authority()
        let original = RequestTests.full.derEncoded
        var parsed = 0
        for _ in 0..<500 {
            let bytes = mutate(original, &generator)
            do {
                let request = try TimeStampRequest(derEncoded: bytes)
                #expect(request.derEncoded == bytes, "\(bytes)")
                parsed += 1
            } catch {
                _ = error.code  // typed: TimestampError
            }
            // The authority answers every input, and its answer is well-formed.
            let response = authority.respond(to: bytes, at: issueTime)
            #expect(try TimeStampResponse(derEncoded: response.derEncoded) == response)
        }
        print("randomlyChangedRequests: \(parsed) of 500 still parsed")
    }

    @Test func randomlyChangedResponsesAndTSTInfoThrowTypedErrorsOrParse() throws {
        var generator = SplitMix64(state: mutationSeed("randomlyChangedResponses"))
        var authority = try TSAPKI().authority()
        authority.accuracy = try TimeStampAccuracy(seconds: 1, millis: 2, micros: 3)
        authority.includesTSAName = true
        let request = TimeStampRequest(
            messageImprint: TimeStampMessageImprint(
                hashAlgorithm: .sha256, hashedMessage: Array(repeating: 5, count: 32)),
            nonce: TimeStampInteger(99), certificateRequested: true)
        let response = authority.issue(request: request, at: issueTime)
        let token = try #require(response.timeStampToken)
        let tstInfo = try TimeStampToken(derEncoded: token).encapsulatedContent
        let rejection = TimeStampResponse.rejection([.badAlg, .systemFailure], reason: "mutate me").derEncoded
        for _ in 0..<300 {
            for original in [response.derEncoded, rejection] {
                let bytes = mutate(original, &generator)
                if let parsed = try? TimeStampResponse(derEncoded: bytes) {
                    #expect(parsed.derEncoded == bytes, "\(bytes)")
                }
            }
            let changed = mutate(tstInfo, &generator)
            do { _ = try TimeStampTokenInfo(derEncoded: changed) } catch { _ = error.code }
        }
    }
}
