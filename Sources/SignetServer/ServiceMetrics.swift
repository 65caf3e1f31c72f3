import Foundation
import Synchronization

/// Counters the service exports at `/metrics` in Prometheus' text format (version 0.0.4). Kept here rather
/// than through swift-metrics and a Prometheus backend: a handful of counters and one histogram do not
/// justify two more packages, and the output is tested line by line.
public final class ServiceMetrics: Sendable {
    /// Upper bounds (seconds) of the request-duration histogram's buckets.
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    struct Histogram {
        var counts: [Int] = Array(repeating: 0, count: ServiceMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    struct State {
        var requests: [String: Int] = [:]  // "route\u{0}status"
        var durations: [String: Histogram] = [:]
        var verdicts: [String: Int] = [:]
        var bytesReceived = 0
        var bytesVerified = 0
        var inFlight = 0
        var refused = 0
    }

    private let state = Mutex(State())

    public init() {}

    func record(route: String, status: Int, seconds: Double) {
        state.withLock { s in
            s.requests["\(route)\u{0}\(status)", default: 0] += 1
            var h = s.durations[route] ?? Histogram()
            for (i, bound) in Self.buckets.enumerated() where seconds <= bound { h.counts[i] += 1 }
            h.sum += seconds
            h.count += 1
            s.durations[route] = h
        }
    }

    func verdict(_ name: String) { state.withLock { $0.verdicts[name, default: 0] += 1 } }
    func received(_ bytes: Int) { state.withLock { $0.bytesReceived += bytes } }
    func verified(_ bytes: Int) { state.withLock { $0.bytesVerified += bytes } }
    func inFlight(_ delta: Int) { state.withLock { $0.inFlight += delta } }
    func refusedBusy() { state.withLock { $0.refused += 1 } }

    /// The Prometheus text exposition.
    public func render() -> String {
        let s = state.withLock { $0 }
        var out = ""
        func label(_ v: String) -> String {
            v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        out += "# HELP signet_http_requests_total HTTP requests answered, by route and status.\n"
        out += "# TYPE signet_http_requests_total counter\n"
        for key in s.requests.keys.sorted() {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            out += "signet_http_requests_total{route=\"\(label(String(parts[0])))\",status=\"\(parts[1])\"} \(s.requests[key]!)\n"
        }
        out += "# HELP signet_http_request_duration_seconds Time from request to response, by route.\n"
        out += "# TYPE signet_http_request_duration_seconds histogram\n"
        for route in s.durations.keys.sorted() {
            let h = s.durations[route]!
            let r = label(route)
            for (i, bound) in Self.buckets.enumerated() {
                out += "signet_http_request_duration_seconds_bucket{route=\"\(r)\",le=\"\(bound)\"} \(h.counts[i])\n"
            }
            out += "signet_http_request_duration_seconds_bucket{route=\"\(r)\",le=\"+Inf\"} \(h.count)\n"
            out += "signet_http_request_duration_seconds_sum{route=\"\(r)\"} \(h.sum)\n"
            out += "signet_http_request_duration_seconds_count{route=\"\(r)\"} \(h.count)\n"
        }
        out += "# HELP signet_verdicts_total Files judged, by verdict (Trusted, Valid, Invalid, no manifest, unreadable).\n"
        out += "# TYPE signet_verdicts_total counter\n"
        for v in s.verdicts.keys.sorted() { out += "signet_verdicts_total{verdict=\"\(label(v))\"} \(s.verdicts[v]!)\n" }
        out += "# HELP signet_request_body_bytes_total Request body bytes stored.\n"
        out += "# TYPE signet_request_body_bytes_total counter\n"
        out += "signet_request_body_bytes_total \(s.bytesReceived)\n"
        out += "# HELP signet_verified_bytes_total Bytes of the files verified (each read and hashed once).\n"
        out += "# TYPE signet_verified_bytes_total counter\n"
        out += "signet_verified_bytes_total \(s.bytesVerified)\n"
        out += "# HELP signet_heavy_requests_in_flight Verify, inspect and detect requests being worked on.\n"
        out += "# TYPE signet_heavy_requests_in_flight gauge\n"
        out += "signet_heavy_requests_in_flight \(s.inFlight)\n"
        out += "# HELP signet_busy_refusals_total Heavy requests refused with 503 because the bound was reached.\n"
        out += "# TYPE signet_busy_refusals_total counter\n"
        out += "signet_busy_refusals_total \(s.refused)\n"
        return out
    }
}

/// A bound on concurrent heavy requests: past it a request is refused at once (503 and Retry-After), rather than
/// queued, so a burst costs the client a retry instead of the server its memory.
public final class HeavyGate: Sendable {
    public let limit: Int
    private let count = Mutex(0)

    public init(limit: Int) { self.limit = max(1, limit) }

    /// True if a slot was taken (give it back with `leave()`).
    public func tryEnter() -> Bool {
        count.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    public func leave() { count.withLock { $0 -= 1 } }
}
