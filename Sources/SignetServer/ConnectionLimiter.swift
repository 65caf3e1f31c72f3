import Foundation
import NIOCore
import Synchronization

/// Caps open connections, in total and per client address, so that one client opening sockets without end cannot
/// exhaust the process's file descriptors and starve everyone else. A connection past a cap is closed as soon as
/// it is accepted (before any byte is read) and counted in the metrics.
public final class ConnectionLimiter: Sendable {
    public let total: Int
    public let perAddress: Int

    struct State {
        var open = 0
        var byAddress: [String: Int] = [:]
        var refused = 0
    }

    private let state = Mutex(State())

    public init(total: Int, perAddress: Int) {
        self.total = total
        self.perAddress = perAddress
    }

    /// The default total: well under the process's descriptor limit (body files and the registry take some too).
    public static var defaultTotal: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let soft = Int(clamping: min(limit.rlim_cur, 65_536))
        return max(16, min(4096, soft / 2))
    }

    /// Takes a slot for `address`; false when a cap is reached (the caller closes the connection).
    func open(_ address: String) -> Bool {
        state.withLock { s in
            guard s.open < total, s.byAddress[address, default: 0] < perAddress else {
                s.refused += 1
                return false
            }
            s.open += 1
            s.byAddress[address, default: 0] += 1
            return true
        }
    }

    func close(_ address: String) {
        state.withLock { s in
            s.open -= 1
            let left = s.byAddress[address, default: 1] - 1
            s.byAddress[address] = left > 0 ? left : nil
        }
    }

    /// Open connections and connections refused so far.
    public var counts: (open: Int, refused: Int) { state.withLock { ($0.open, $0.refused) } }

    /// A handler for one connection's pipeline: takes a slot when the connection is active, gives it back when it
    /// closes, and closes a connection that finds no slot.
    func handler() -> ConnectionLimitHandler { ConnectionLimitHandler(limiter: self) }
}

/// Counts one connection against the ``ConnectionLimiter`` (the address is the peer's IP, without the port).
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    let limiter: ConnectionLimiter
    private var address: String?

    init(limiter: ConnectionLimiter) { self.limiter = limiter }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { take(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        take(context)
        context.fireChannelActive()
    }

    private func take(_ context: ChannelHandlerContext) {
        guard address == nil else { return }
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if limiter.open(peer) {
            address = peer
        } else {
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    private func release() {
        if let address {
            limiter.close(address)
            self.address = nil
        }
    }
}
