#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A crash-safe output file.
///
/// Bytes go to a new temporary file in the destination's directory (created with `O_EXCL` and `mode`, subject to
/// the process umask). ``commit()`` flushes it to disk (`fsync`), moves it onto the destination in one atomic
/// step, then syncs the directory. Until then the destination is untouched. If the object is discarded or
/// deallocated without a commit, the temporary file is removed.
///
/// Without `overwrite`, an existing destination is refused both at creation and at commit time (the commit
/// links the temporary file into place, which fails if something appeared there meanwhile).
/// Refusing to write over one of the inputs is the caller's job.
public final class OutputFile {
    private var fd: Int32
    private let overwrite: Bool
    private var committed = false
    private var discarded = false
    /// Where the file will appear on ``commit()``.
    public let destination: String
    /// The temporary file being written.
    public let temporaryPath: String
    /// Bytes written so far through ``write(_:)-(UnsafeRawBufferPointer)`` (the current end of the file).
    public private(set) var bytesWritten: Int64 = 0

    /// Creates the temporary file next to `destination`.
    ///
    /// - Throws: ``MediaError/Code/outputExists`` if `destination` exists and `overwrite` is false,
    ///   ``MediaError/Code/isDirectory`` if it is a directory, ``MediaError/Code/notFound`` if its directory
    ///   does not exist, ``MediaError/Code/writeFailed`` otherwise.
    public init(destination: String, overwrite: Bool, mode: mode_t = 0o644) throws(MediaError) {
        var st = stat()
        if lstat(destination, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw MediaError(.isDirectory, "\(destination) is a directory")
            }
            if !overwrite {
                throw MediaError(.outputExists, "\(destination) already exists")
            }
        }
        let directory: String
        let name: String
        if let slash = destination.lastIndex(of: "/") {
            let dir = String(destination[..<slash])
            directory = dir.isEmpty ? "/" : dir
            name = String(destination[destination.index(after: slash)...])
        } else {
            directory = "."
            name = destination
        }
        guard !name.isEmpty else {
            throw MediaError(.isDirectory, "\(destination) names a directory")
        }
        var lastError: Int32 = 0
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let candidate = (directory == "/" ? "" : directory) + "/." + name + "." + suffix + ".tmp"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 {
                self.fd = fd
                self.temporaryPath = candidate
                self.destination = destination
                self.overwrite = overwrite
                return
            }
            lastError = errno
            if lastError == EEXIST || lastError == EINTR { continue }
            break
        }
        switch lastError {
        case ENOENT, ENOTDIR: throw MediaError(.notFound, "\(directory): no such directory")
        default:
            throw MediaError(.writeFailed, "cannot create a temporary file in \(directory): \(errnoDescription(lastError))")
        }
    }

    deinit {
        discard()
    }

    private func ensureOpen() throws(MediaError) {
        guard !committed, !discarded, fd >= 0 else {
            throw MediaError(.writeFailed, "\(destination): output already committed or discarded")
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(MediaError) {
        try ensureOpen()
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = sysWrite(fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw MediaError(.writeFailed, "\(temporaryPath): write failed: \(errnoDescription())")
            }
            done += n
        }
        bytesWritten += Int64(bytes.count)
    }

    /// Appends `bytes`.
    public func write(_ bytes: [UInt8]) throws(MediaError) {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(MediaError) in try write(buffer) }
        }.get()
    }

    /// Overwrites already-written bytes at `offset` (for patching a placeholder); does not move the end.
    ///
    /// - Throws: ``MediaError/Code/invalidArgument`` if the span is not entirely within the bytes written so far.
    public func pwrite(_ bytes: [UInt8], at offset: Int64) throws(MediaError) {
        try ensureOpen()
        let (end, overflow) = offset.addingReportingOverflow(Int64(bytes.count))
        guard offset >= 0, !overflow, end <= bytesWritten else {
            throw MediaError(.invalidArgument, "patch of \(bytes.count) bytes at \(offset) is outside the \(bytesWritten) bytes written")
        }
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(MediaError) in try patch(buffer, at: offset) }
        }.get()
    }

    private func patch(_ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(MediaError) {
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let n = sysPwrite(fd, base + done, buffer.count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw MediaError(.writeFailed, "\(temporaryPath): write failed: \(errnoDescription())")
            }
            done += n
        }
    }

    /// Flushes the file to disk and atomically moves it to ``destination``.
    ///
    /// - Throws: ``MediaError/Code/outputExists`` if `overwrite` is false and the destination appeared since
    ///   creation (the temporary file is then removed), ``MediaError/Code/writeFailed`` on I/O failure.
    public func commit() throws(MediaError) {
        try ensureOpen()
        if fsync(fd) != 0 {
            let reason = errnoDescription()
            discard()
            throw MediaError(.writeFailed, "\(temporaryPath): fsync failed: \(reason)")
        }
        if close(fd) != 0 {
            let reason = errnoDescription()
            fd = -1
            discard()
            throw MediaError(.writeFailed, "\(temporaryPath): close failed: \(reason)")
        }
        fd = -1
        if overwrite {
            if rename(temporaryPath, destination) != 0 {
                let reason = errnoDescription()
                discard()
                throw MediaError(.writeFailed, "cannot rename onto \(destination): \(reason)")
            }
        } else {
            // link(2) refuses an existing target atomically.
            if link(temporaryPath, destination) == 0 {
                unlink(temporaryPath)
            } else {
                let err = errno
                if err == EEXIST {
                    discard()
                    throw MediaError(.outputExists, "\(destination) already exists")
                }
                // Hard links unsupported on this file system: check, then rename.
                var st = stat()
                if lstat(destination, &st) == 0 {
                    discard()
                    throw MediaError(.outputExists, "\(destination) already exists")
                }
                if rename(temporaryPath, destination) != 0 {
                    let reason = errnoDescription()
                    discard()
                    throw MediaError(.writeFailed, "cannot rename onto \(destination): \(reason)")
                }
            }
        }
        committed = true
        syncDirectory()
    }

    private func syncDirectory() {
        let directory: String
        if let slash = destination.lastIndex(of: "/") {
            let dir = String(destination[..<slash])
            directory = dir.isEmpty ? "/" : dir
        } else {
            directory = "."
        }
        let dfd = open(directory, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// Abandons the output: closes and removes the temporary file. Does nothing after ``commit()``; idempotent.
    public func discard() {
        guard !committed, !discarded else { return }
        discarded = true
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temporaryPath)
    }
}

extension OutputFile {
    /// Overwrites `bytes.count` bytes at `offset` of an existing file that this process wrote and committed (a
    /// placeholder filled in once later files are known), then syncs it. The file's size never changes.
    ///
    /// - Throws: ``MediaError/Code/invalidArgument`` if the span is not inside the file, ``MediaError/Code/writeFailed``.
    public static func overwriteCommitted(_ path: String, at offset: Int64, with bytes: [UInt8]) throws(MediaError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MediaError(.writeFailed, "\(path): cannot open for writing: \(errnoDescription())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, offset >= 0, offset + Int64(bytes.count) <= Int64(st.st_size) else {
            throw MediaError(.invalidArgument, "\(path): a patch of \(bytes.count) bytes at \(offset) is outside the file")
        }
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }
            var done = 0
            while done < buffer.count {
                let n = sysPwrite(fd, base + done, buffer.count - done, off_t(offset + Int64(done)))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        if let failure { throw MediaError(.writeFailed, "\(path): write failed: \(errnoDescription(failure))") }
        guard fsync(fd) == 0 else { throw MediaError(.writeFailed, "\(path): fsync failed: \(errnoDescription())") }
    }
}

// `write`/`pwrite` are shadowed by the methods of the same name inside the class.
@inline(__always)
private func sysWrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buf, count)
}

@inline(__always)
private func sysPwrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ count: Int, _ offset: off_t) -> Int {
    pwrite(fd, buf, count, offset)
}
