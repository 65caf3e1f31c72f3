import Foundation
import Hummingbird
import Synchronization

/// A request body written to a private temporary file: a 100 MB upload costs its disk space and a read buffer,
/// not 100 MB of RAM.
public struct SpooledFile: Sendable {
    public let path: String
    public let size: Int
    /// The budget its bytes are counted against, given back by ``remove()``.
    let budget: ByteBudget?

    init(path: String, size: Int, budget: ByteBudget? = nil) {
        self.path = path
        self.size = size
        self.budget = budget
    }

    /// Deletes the file (the handler that made it calls this when the response is built) and gives its bytes
    /// back to the budget.
    public func remove() {
        if unlink(path) == 0 { budget?.release(size) }
    }
}

/// A small request body held in memory (see ``BodySpool/receive(_:declaredLength:limit:timeout:minimumRate:grace:onTimeout:)``):
/// its bytes count against the spool's memory budget until ``release()``.
public struct HeldBody: Sendable {
    public let bytes: [UInt8]
    let budget: ByteBudget
    /// The bytes reserved for it (its declared length).
    let reserved: Int

    public var size: Int { bytes.count }

    /// Gives its bytes back to the budget (the handler that received it calls this when the response is built).
    public func release() { budget.release(reserved) }
}

/// A request body as received: in memory when small and declared (verification reads it there, with no file
/// written and read back), else in a spooled file.
public enum ReceivedBody: Sendable {
    case memory(HeldBody)
    case file(SpooledFile)

    public var size: Int {
        switch self {
        case .memory(let held): held.size
        case .file(let file): file.size
        }
    }

    /// Deletes the file or gives the memory back.
    public func discard() {
        switch self {
        case .memory(let held): held.release()
        case .file(let file): file.remove()
        }
    }
}

/// A bound on the bytes all stored bodies (and multipart parts) take at once, on disk or in memory: past it a new
/// body is refused with 503 and Retry-After (disk), or goes to disk instead (memory), so that queued and uploading
/// requests together cannot fill the disk or the memory.
public final class ByteBudget: Sendable {
    public let limit: Int
    private let used = Mutex(0)

    public init(limit: Int) { self.limit = limit }

    /// Takes `bytes`; false (taking nothing) when that would pass the limit.
    func take(_ bytes: Int) -> Bool {
        used.withLock { u in
            guard bytes <= limit - u else { return false }
            u += bytes
            return true
        }
    }

    func release(_ bytes: Int) { used.withLock { $0 = max(0, $0 - bytes) } }

    public var inUse: Int { used.withLock { $0 } }

    static func diskRefusal(_ limit: Int) -> ServiceError {
        ServiceError(.busy, "the server's disk space for request bodies (\(limit) bytes) is in use; retry shortly")
    }
}

/// Where request bodies go: a folder of the server's own (0700), files in it created exclusively (0600); or, for
/// small bodies of declared length, memory within a fixed budget.
public struct BodySpool: Sendable {
    public let folder: String
    /// What every stored body counts against.
    public let budget: ByteBudget
    /// What bodies held in memory count against (at most ``memoryBodyLimit`` bytes each).
    public let memoryBudget: ByteBudget
    /// The largest body ``receive(_:declaredLength:limit:timeout:minimumRate:grace:onTimeout:)`` keeps in memory.
    public let memoryBodyLimit: Int

    /// Bodies up to 4 MiB (a photo) are held in memory, 64 MiB of them at most at once.
    public static let defaultMemoryBodyLimit = 4 << 20
    public static let defaultMemoryBudget = 64 << 20

    /// The default budget: a quarter of the free space where the folder is, at most 64 GiB, at least 1 GiB.
    static func defaultBudget(at folder: String) -> Int {
        var stats = statvfs()
        guard statvfs(folder, &stats) == 0 else { return 1 << 30 }
        let free = Int(clamping: UInt64(stats.f_bavail) &* UInt64(stats.f_frsize))
        return min(64 << 30, max(1 << 30, free / 4))
    }

    /// Makes a fresh private folder under `parent` (the system's temporary folder by default); its bodies together
    /// take at most `budget` bytes (default: a quarter of the free space there, within 1 to 64 GiB).
    public init(
        parent: String? = nil, budget: Int? = nil, memoryBodyLimit: Int = BodySpool.defaultMemoryBodyLimit,
        memoryBudget: Int = BodySpool.defaultMemoryBudget
    ) throws {
        self.memoryBodyLimit = max(0, memoryBodyLimit)
        self.memoryBudget = ByteBudget(limit: max(0, memoryBudget))
        let base = parent ?? NSTemporaryDirectory()
        // Folders left by servers that were killed (SIGKILL, a crash) go first.
        Self.sweepStale(in: base)
        var template = Array(((base as NSString).appendingPathComponent(Self.folderPrefix + "XXXXXX")).utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ServiceError(.internalError, "cannot create a private folder for request bodies: \(String(cString: strerror(errno)))")
        }
        folder = String(cString: made)
        // The folder itself is locked (flock on its descriptor) for as long as this spool, any copy of it, exists:
        // a sweep by another server skips a locked folder, and the lock goes with the process however it ends.
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0, flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            if fd >= 0 { close(fd) }
            try? FileManager.default.removeItem(atPath: folder)
            throw ServiceError(.internalError, "cannot lock the private folder for request bodies")
        }
        lock = FolderLock(fd: fd)
        self.budget = ByteBudget(limit: budget ?? Self.defaultBudget(at: folder))
    }

    /// Held open (and locked) while the spool is in use.
    let lock: FolderLock

    static let folderPrefix = "signet-serve-"

    /// Removes body folders under `parent` whose server is gone: a folder of this user, mode 0700, named
    /// `signet-serve-*`, that no process holds locked (a live server keeps its lock until it exits, however it
    /// exits) and that has not changed for `age` seconds (a server from before the lock holds none, but its folder
    /// changes with every request). Returns how many were removed. Nothing else is ever removed: not a symbolic
    /// link, not another user's folder.
    @discardableResult
    static func sweepStale(in parent: String, olderThan age: TimeInterval = 600) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(folderPrefix) {
            let path = (parent as NSString).appendingPathComponent(name)
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR, st.st_uid == getuid(), st.st_mode & 0o777 == 0o700,
                Date().timeIntervalSince1970 - Double(st.st_mtim.tv_sec) >= age
            else { continue }
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            let unlocked = flock(fd, LOCK_EX | LOCK_NB) == 0
            if unlocked, (try? FileManager.default.removeItem(atPath: path)) != nil { removed += 1 }
            close(fd)
        }
        return removed
    }

    /// Removes the folder and whatever is left in it.
    public func removeAll() { try? FileManager.default.removeItem(atPath: folder) }

    /// A new empty file in the folder, open for writing.
    func create(suffix: String = "") throws(ServiceError) -> (path: String, fd: Int32) {
        let path = (folder as NSString).appendingPathComponent(UUID().uuidString + suffix)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServiceError(.internalError, "cannot store the request body") }
        return (path, fd)
    }

    /// Receives `body` into memory when it declares a length of at most ``memoryBodyLimit`` and the memory budget
    /// has room for it; otherwise into a file, as ``spool(_:declaredLength:limit:timeout:minimumRate:grace:onTimeout:)``.
    /// The same limits, deadline and rate floor apply either way.
    public func receive(
        _ body: RequestBody, declaredLength: Int?, limit: Int, timeout: Duration, minimumRate: Int = 0, grace: Duration = .seconds(10),
        onTimeout: @escaping @Sendable () -> Void = {}
    ) async throws(ServiceError) -> ReceivedBody {
        guard let declaredLength, declaredLength > 0, declaredLength <= memoryBodyLimit, declaredLength <= limit,
            memoryBudget.take(declaredLength)
        else {
            return .file(try await spool(body, declaredLength: declaredLength, limit: limit, timeout: timeout, minimumRate: minimumRate,
                                         grace: grace, onTimeout: onTimeout))
        }
        let sink = MemorySink(capacity: declaredLength)
        do throws(ServiceError) {
            let total = try await collect(body, limit: limit, timeout: timeout, minimumRate: minimumRate, grace: grace, onTimeout: onTimeout) {
                buffer throws(ServiceError) in
                guard buffer.readableBytes <= declaredLength - sink.bytes.count else {
                    throw ServiceError(.badRequest, "the body is longer than its declared \(declaredLength) bytes")
                }
                buffer.withUnsafeReadableBytes { sink.bytes.append(contentsOf: $0) }
            }
            guard total == declaredLength else {
                throw ServiceError(.truncatedBody, "the body ended after \(total) of its \(declaredLength) bytes")
            }
        } catch {
            memoryBudget.release(declaredLength)
            throw error
        }
        return .memory(HeldBody(bytes: sink.bytes, budget: memoryBudget, reserved: declaredLength))
    }

    /// Streams `body` into a new file, refusing more than `limit` bytes and a body that takes longer than
    /// `timeout` to arrive (a slow client holds a connection, never a heavy slot or unbounded disk).
    /// `onTimeout` runs when the deadline passes, before the reader is awaited: it must end the body (closing the
    /// connection's input does), since a body iterator does not stop for task cancellation alone.
    public func spool(
        _ body: RequestBody, declaredLength: Int?, limit: Int, timeout: Duration, minimumRate: Int = 0, grace: Duration = .seconds(10),
        onTimeout: @escaping @Sendable () -> Void = {}
    ) async throws(ServiceError) -> SpooledFile {
        if let declaredLength, declaredLength > limit {
            throw ServiceError(.bodyTooLarge, "the body is \(declaredLength) bytes; this server takes at most \(limit)")
        }
        if let declaredLength, declaredLength > budget.limit - budget.inUse {
            throw ByteBudget.diskRefusal(budget.limit)
        }
        let (path, fd) = try create()
        let taken = Progress()
        var keep = false
        defer {
            close(fd)
            if !keep {
                unlink(path)
                budget.release(taken.bytes)
            }
        }
        let budget = self.budget
        let written = try await collect(body, limit: limit, timeout: timeout, minimumRate: minimumRate, grace: grace, onTimeout: onTimeout) {
            buffer throws(ServiceError) in
            guard budget.take(buffer.readableBytes) else { throw ByteBudget.diskRefusal(budget.limit) }
            taken.add(buffer.readableBytes)
            guard buffer.withUnsafeReadableBytes({ writeAll(fd, $0) }) else {
                throw ServiceError(.internalError, "cannot store the request body")
            }
        }
        if let declaredLength, written != declaredLength {
            throw ServiceError(.truncatedBody, "the body ended after \(written) of its \(declaredLength) bytes")
        }
        guard written > 0 else { throw ServiceError(.emptyBody, "send the file as the request body") }
        keep = true
        return SpooledFile(path: path, size: written, budget: budget)
    }

    /// Reads `body` to its end, handing each buffer to `sink`, refusing more than `limit` bytes in all and a body
    /// that misses the deadline or, after `grace`, the rate floor; returns how many bytes arrived.
    private func collect(
        _ body: RequestBody, limit: Int, timeout: Duration, minimumRate: Int, grace: Duration, onTimeout: @escaping @Sendable () -> Void,
        sink: @escaping @Sendable (ByteBuffer) throws(ServiceError) -> Void
    ) async throws(ServiceError) -> Int {
        let progress = Progress()
        do {
            return try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask {
                    var total = 0
                    for try await buffer in body {
                        total += buffer.readableBytes
                        progress.add(buffer.readableBytes)
                        if total > limit {
                            throw ServiceError(.bodyTooLarge, "the body is over \(limit) bytes, the most this server takes")
                        }
                        try sink(buffer)
                    }
                    return total
                }
                group.addTask {
                    // The deadline, and after a grace period a floor on the average rate, checked every second.
                    let start = ContinuousClock.now
                    var floor = RateFloor(minimumRate: minimumRate, grace: grace, start: start)
                    while ContinuousClock.now - start < timeout {
                        try await Task.sleep(for: min(.seconds(1), timeout))
                        if floor.isBelow(bytes: progress.bytes, at: ContinuousClock.now) { return nil }
                    }
                    return nil
                }
                let first: Int??
                do {
                    first = try await group.next()
                } catch {
                    group.cancelAll()
                    throw error
                }
                guard let first else { throw ServiceError(.internalError, "no body reader") }
                if first == nil { onTimeout() }
                group.cancelAll()
                guard let total = first else {
                    throw ServiceError(.bodyTimeout, "the body did not arrive in time (within \(timeout), at least \(minimumRate) bytes a second)")
                }
                return total
            }
        } catch let error as ServiceError {
            throw error
        } catch {
            throw ServiceError(.truncatedBody, "the body could not be read to its end")
        }
    }
}

/// The bytes of a body being received into memory; only its reader task appends, and only after that task has
/// finished are they read.
private final class MemorySink: @unchecked Sendable {
    var bytes: [UInt8]
    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }
}

/// The open, locked lock file of a body folder; closing it (when the last spool copy goes) releases the lock.
final class FolderLock: Sendable {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

/// The floor on a body's average rate. Only time the server was awake to read counts against the client: a tick
/// that comes late (the process was descheduled, as on a loaded machine) charges at most ``maxTick``, so that a
/// server stall cannot cut off a client whose bytes sat unread in the socket meanwhile.
struct RateFloor {
    let minimumRate: Int
    let grace: Duration
    /// The most one check charges, however long since the last.
    static let maxTick: Duration = .seconds(2)
    private var last: ContinuousClock.Instant
    /// The time charged to the client so far.
    private(set) var charged: Duration = .zero

    init(minimumRate: Int, grace: Duration, start: ContinuousClock.Instant) {
        self.minimumRate = minimumRate
        self.grace = grace
        last = start
    }

    /// Whether `bytes` received by `now` fall below the floor (never within the grace period, never with no floor).
    mutating func isBelow(bytes: Int, at now: ContinuousClock.Instant) -> Bool {
        charged += min(max(now - last, .zero), Self.maxTick)
        last = now
        guard minimumRate > 0, charged >= grace else { return false }
        let seconds = Double(charged.components.seconds) + Double(charged.components.attoseconds) / 1e18
        return Double(bytes) < Double(minimumRate) * seconds
    }
}

/// Bytes received so far, shared by the body reader and its watchdog.
final class Progress: Sendable {
    private let count = Mutex(0)
    func add(_ n: Int) { count.withLock { $0 += n } }
    var bytes: Int { count.withLock { $0 } }
}
