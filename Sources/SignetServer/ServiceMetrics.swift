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

    /// The Prometheus text exposition; `connections`: open connections and connections refused at a cap.
    public func render(connections: (open: Int, refused: Int) = (0, 0)) -> String {
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
        let singles: [(name: String, type: String, help: String, value: Int)] = [
            ("signet_request_body_bytes_total", "counter", "Request body bytes stored.", s.bytesReceived),
            ("signet_verified_bytes_total", "counter", "Bytes of the files verified (each read and hashed once).", s.bytesVerified),
            ("signet_heavy_requests_in_flight", "gauge", "Verify, inspect and detect requests being worked on.", s.inFlight),
            ("signet_busy_refusals_total", "counter", "Heavy requests refused with 503 because the bound was reached.", s.refused),
            ("signet_connections_open", "gauge", "Client connections open.", connections.open),
            ("signet_connections_refused_total", "counter", "Connections closed on arrival: the total or per-address cap was reached.", connections.refused),
        ]
        for m in singles {
            out += "# HELP \(m.name) \(m.help)\n# TYPE \(m.name) \(m.type)\n\(m.name) \(m.value)\n"
        }
        return out
    }
}

/// A bound on concurrent heavy requests, with a bounded queue in front: up to `limit` run at once, up to
/// `queueLimit` more wait their turn in arrival order, and past that a request is refused at once (503 and
/// Retry-After) rather than queued without end, so a burst costs the client a retry instead of the server its
/// memory.
public final class HeavyGate: Sendable {
    public let limit: Int
    public let queueLimit: Int

    struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init(limit: Int, queueLimit: Int = 0) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
    }

    /// True if a slot was taken at once (give it back with `leave()`).
    public func tryEnter() -> Bool {
        state.withLock { s in
            guard s.running < limit else { return false }
            s.running += 1
            return true
        }
    }

    /// Takes a slot, waiting in the queue if need be; false (at once) if the queue is full.
    public func enter() async -> Bool {
        enum Decision { case run, wait, refuse }
        let early: Decision = state.withLock { s in
            if s.running < limit {
                s.running += 1
                return .run
            }
            return s.waiting.count < queueLimit ? .wait : .refuse
        }
        switch early {
        case .run: return true
        case .refuse: return false
        case .wait: break
        }
        var admitted = true
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now: Decision = state.withLock { s in
                // The state may have changed since the first look.
                if s.running < limit {
                    s.running += 1
                    return .run
                }
                guard s.waiting.count < queueLimit else { return .refuse }
                s.waiting.append(c)
                return .wait
            }
            switch now {
            case .run: c.resume()
            case .refuse:
                admitted = false
                c.resume()
            case .wait: break
            }
        }
        return admitted
    }

    /// Gives a slot back: to the longest waiting request if there is one.
    public func leave() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { s in
            if !s.waiting.isEmpty { return s.waiting.removeFirst() }  // the slot passes on; running is unchanged
            s.running -= 1
            return nil
        }
        next?.resume()
    }

    /// Requests running and waiting.
    public var load: (running: Int, waiting: Int) { state.withLock { ($0.running, $0.waiting.count) } }
}
