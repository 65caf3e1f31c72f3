import Dispatch
#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Random-access reads of a regular file through a POSIX file descriptor and `pread`, or of bytes already in
/// memory (a service's small request bodies) through the same interface.
///
/// Nothing is read unless asked: parsers read headers at explicit offsets, and ``stream(excluding:chunkSize:_:)``
/// walks large spans with one reusable buffer. The descriptor is opened once (read-only, close-on-exec) and closed
/// when the reader is deallocated; since `pread` does not move a shared file offset, concurrent reads are safe.
/// ``size`` is the size at open time; reads past it behave as if the file ended there.
public final class FileReader: Sendable {
    /// -1 for a reader over ``memory``.
    private let fd: Int32
    /// The whole content, for a reader made with ``init(bytes:name:)``; streaming hands out slices of it directly.
    private let memory: [UInt8]?
    /// The path the reader was opened with (the name given, for bytes in memory).
    public let path: String
    /// The file size in bytes, taken when the file was opened.
    public let size: Int64

    /// Opens `path` for reading.
    ///
    /// - Throws: ``MediaError/Code/notFound`` if nothing exists there, ``MediaError/Code/isDirectory`` for a
    ///   directory, ``MediaError/Code/unreadable`` when it cannot be opened or is not a regular file.
    public init(path: String) throws(MediaError) {
        var fd: Int32
        repeat {
            // Non-blocking, so a FIFO or a device cannot make the open wait; cleared below for a regular file.
            fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        } while fd < 0 && errno == EINTR
        if fd < 0 {
            let err = errno
            switch err {
            case ENOENT, ENOTDIR: throw MediaError(.notFound, "\(path): no such file")
            case EISDIR: throw MediaError(.isDirectory, "\(path) is a directory")
            default: throw MediaError(.unreadable, "\(path): cannot open: \(errnoDescription(err))")
            }
        }
        var st = stat()
        if fstat(fd, &st) != 0 {
            let err = errno
            close(fd)
            throw MediaError(.unreadable, "\(path): cannot stat: \(errnoDescription(err))")
        }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFDIR {
            close(fd)
            throw MediaError(.isDirectory, "\(path) is a directory")
        }
        if kind != S_IFREG {
            close(fd)
            throw MediaError(.unreadable, "\(path) is not a regular file")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1 {
            let err = errno
            close(fd)
            throw MediaError(.unreadable, "\(path): cannot open: \(errnoDescription(err))")
        }
        self.fd = fd
        self.memory = nil
        self.path = path
        self.size = Int64(st.st_size)
    }

    /// A reader over `bytes`, which it keeps; `name` stands for the path in messages.
    public init(bytes: [UInt8], name: String) {
        self.fd = -1
        self.memory = bytes
        self.path = name
        self.size = Int64(bytes.count)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Reads up to `count` bytes at `offset` into `buffer`, stopping early only at end of file.
    private func preadFully(_ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(MediaError) -> Int {
        if let memory {
            guard offset >= 0, offset < Int64(memory.count), let base = buffer.baseAddress else { return 0 }
            let n = Int(min(Int64(buffer.count), Int64(memory.count) - offset))
            memory.withUnsafeBytes { source in
                base.copyMemory(from: source.baseAddress! + Int(offset), byteCount: n)
            }
            return n
        }
        var done = 0
        while done < buffer.count {
            guard let base = buffer.baseAddress else { return 0 }
            let (position, overflow) = offset.addingReportingOverflow(Int64(done))
            if overflow { break }
            let n = pread(fd, base + done, buffer.count - done, off_t(position))
            if n < 0 {
                if errno == EINTR { continue }
                throw MediaError(.unreadable, "\(path): read failed at \(position): \(errnoDescription())")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads at most `count` bytes at `offset`, fewer only if the file (as of ``size``) ends first.
    ///
    /// - Throws: ``MediaError/Code/invalidArgument`` for a negative offset or count.
    public func readUpTo(at offset: Int64, count: Int) throws(MediaError) -> [UInt8] {
        guard offset >= 0, count >= 0 else {
            throw MediaError(.invalidArgument, "negative read offset or count")
        }
        guard offset < size, count > 0 else { return [] }
        let available = size - offset
        let wanted = Int64(count) < available ? count : Int(available)
        var result = [UInt8](repeating: 0, count: wanted)
        let got = try result.withUnsafeMutableBytes { buffer in
            Result { () throws(MediaError) -> Int in try preadFully(buffer, at: offset) }
        }.get()
        if got < wanted { result.removeSubrange(got...) }
        return result
    }

    /// Fills `buffer` (its whole current count) from `offset`, returning how many bytes were read: fewer only at
    /// the end of the file. Lets a caller reuse one buffer for many reads.
    func fill(_ buffer: inout [UInt8], at offset: Int64) throws(MediaError) -> Int {
        guard offset >= 0 else { throw MediaError(.invalidArgument, "negative read offset") }
        guard offset < size else { return 0 }
        let limit = Int(min(Int64(buffer.count), size - offset))
        return try buffer.withUnsafeMutableBytes { whole in
            Result { () throws(MediaError) -> Int in
                try preadFully(UnsafeMutableRawBufferPointer(rebasing: whole[0..<limit]), at: offset)
            }
        }.get()
    }

    /// Reads exactly `count` bytes at `offset`.
    ///
    /// - Throws: ``MediaError/Code/truncated`` if the file ends first.
    public func read(at offset: Int64, count: Int) throws(MediaError) -> [UInt8] {
        let bytes = try readUpTo(at: offset, count: count)
        guard bytes.count == count else {
            throw MediaError(.truncated, "\(path): wanted \(count) bytes at offset \(offset), file ends after \(bytes.count)")
        }
        return bytes
    }

    /// The complement of `excluding` within `[0, size)`: sorted, disjoint, non-empty ranges.
    func keptRanges(excluding: [Range<Int64>]) -> [Range<Int64>] {
        let clipped = excluding.compactMap { r -> Range<Int64>? in
            let lower = max(r.lowerBound, 0)
            let upper = min(r.upperBound, size)
            return lower < upper ? lower..<upper : nil
        }.sorted { $0.lowerBound < $1.lowerBound }
        var kept: [Range<Int64>] = []
        var cursor: Int64 = 0
        for r in clipped {
            if r.lowerBound > cursor { kept.append(cursor..<r.lowerBound) }
            cursor = max(cursor, r.upperBound)
        }
        if cursor < size { kept.append(cursor..<size) }
        return kept
    }

    /// Streams the bytes of `[0, size)` that are outside every range in `excluding`, in file order.
    ///
    /// Exclusions may be unsorted, overlapping, empty or partly outside the file; they are clipped and merged.
    /// `body` receives consecutive chunks of at most `chunkSize` bytes; the pointer is only valid during the call.
    /// At most two buffers of `chunkSize` bytes are used: for long streams a second thread reads the next chunk
    /// while `body` consumes the current one.
    ///
    /// - Throws: ``MediaError/Code/truncated`` if the file shrank, ``MediaError/Code/unreadable`` on I/O error,
    ///   ``MediaError/Code/invalidArgument`` for a non-positive chunk size, or whatever `body` throws.
    public func stream(
        excluding: [Range<Int64>], chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try stream(ranges: keptRanges(excluding: excluding), chunkSize: chunkSize, body)
    }

    /// Streams the bytes of `range` (which must lie within the file) in chunks of at most `chunkSize` bytes.
    ///
    /// - Throws: ``MediaError/Code/truncated`` if the range extends past the end of the file, or see
    ///   ``stream(excluding:chunkSize:_:)``.
    public func stream(
        range: Range<Int64>, chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard range.lowerBound >= 0 else { throw MediaError(.invalidArgument, "negative offset") }
        guard range.upperBound <= size else {
            throw MediaError(.truncated, "\(path): range \(range) extends past the end of the file (\(size) bytes)")
        }
        try stream(ranges: range.isEmpty ? [] : [range], chunkSize: chunkSize, body)
    }

    func stream(
        ranges: [Range<Int64>], chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard chunkSize > 0 else { throw MediaError(.invalidArgument, "chunk size must be positive") }
        guard !ranges.isEmpty else { return }
        if let memory {
            // Already in memory: the caller gets slices of it, nothing is copied.
            try memory.withUnsafeBytes { whole in
                for range in ranges {
                    guard range.lowerBound >= 0, range.upperBound <= Int64(whole.count) else {
                        throw MediaError(.truncated, "\(path): range \(range) extends past the end (\(whole.count) bytes)")
                    }
                    var offset = Int(range.lowerBound)
                    while offset < Int(range.upperBound) {
                        let n = min(chunkSize, Int(range.upperBound) - offset)
                        try body(UnsafeRawBufferPointer(rebasing: whole[offset..<offset + n]))
                        offset += n
                    }
                }
            }
            return
        }
        let total = ranges.reduce(Int64(0)) { $0 + Int64($1.count) }
        let bufferSize = Int(min(Int64(chunkSize), total))
        #if canImport(Glibc) || canImport(Musl)
        if let first = ranges.first, let last = ranges.last {
            _ = posix_fadvise(fd, off_t(first.lowerBound), off_t(last.upperBound - first.lowerBound), POSIX_FADV_SEQUENTIAL)
        }
        #endif
        // Large streams overlap reading with the caller's work (hashing): a second thread fills one buffer while
        // the caller consumes the other, so the copy out of the page cache costs no time on the hashing thread.
        if total >= Int64(bufferSize) * 3 {
            try streamOverlapped(ranges: ranges, bufferSize: bufferSize, body)
            return
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        for range in ranges {
            var offset = range.lowerBound
            while offset < range.upperBound {
                let n = Int(min(Int64(bufferSize), range.upperBound - offset))
                let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
                let got = try preadFully(slice, at: offset)
                guard got == n else {
                    throw MediaError(.truncated, "\(path): file ended at \(offset + Int64(got)) while streaming")
                }
                try body(UnsafeRawBufferPointer(slice))
                offset += Int64(n)
            }
        }
    }

    /// Double-buffered streaming: a reader task and the caller hand two buffers back and forth through semaphores.
    private func streamOverlapped(
        ranges: [Range<Int64>], bufferSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var chunks: [(offset: Int64, count: Int)] = []
        for range in ranges {
            var offset = range.lowerBound
            while offset < range.upperBound {
                let n = Int(min(Int64(bufferSize), range.upperBound - offset))
                chunks.append((offset, n))
                offset += Int64(n)
            }
        }
        let shared = OverlapState(bufferSize: bufferSize, chunkCount: chunks.count)
        defer { shared.deallocate() }
        let done = DispatchGroup()
        let immutableChunks = chunks
        done.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            defer { done.leave() }
            for (i, chunk) in immutableChunks.enumerated() {
                shared.free.wait()
                if shared.cancelled { return }
                let slice = UnsafeMutableRawBufferPointer(rebasing: shared.buffers[i % 2][0..<chunk.count])
                do throws(MediaError) {
                    shared.got[i] = try preadFully(slice, at: chunk.offset)
                } catch {
                    shared.readError = error
                    shared.got[i] = -1
                }
                shared.full.signal()
                if shared.got[i] != chunk.count { return }
            }
        }
        defer {
            // Stop the reader (if the body threw) and wait for it before the buffers go away.
            shared.cancelled = true
            shared.free.signal()
            shared.free.signal()
            done.wait()
        }
        for (i, chunk) in chunks.enumerated() {
            shared.full.wait()
            if shared.got[i] < 0 {
                throw shared.readError ?? MediaError(.unreadable, "\(path): read failed")
            }
            guard shared.got[i] == chunk.count else {
                throw MediaError(.truncated, "\(path): file ended at \(chunk.offset + Int64(shared.got[i])) while streaming")
            }
            try body(UnsafeRawBufferPointer(rebasing: shared.buffers[i % 2][0..<chunk.count]))
            shared.free.signal()
        }
    }
}

/// State shared by the reader task and the consuming thread of an overlapped stream. Access is ordered by the two
/// semaphores: a buffer is written only between `free.wait()` and `full.signal()`, read only between `full.wait()`
/// and `free.signal()`.
private final class OverlapState: @unchecked Sendable {
    let buffers: [UnsafeMutableRawBufferPointer]
    var got: [Int]
    var readError: MediaError?
    var cancelled = false
    let free = DispatchSemaphore(value: 2)
    let full = DispatchSemaphore(value: 0)

    init(bufferSize: Int, chunkCount: Int) {
        buffers = [
            .allocate(byteCount: bufferSize, alignment: 64),
            .allocate(byteCount: bufferSize, alignment: 64),
        ]
        got = [Int](repeating: 0, count: chunkCount)
    }

    func deallocate() { buffers.forEach { $0.deallocate() } }
}
