import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing small files with the guarantees key files need.
enum FileIO {
    /// Reads a whole file of at most `limit` bytes. Errors: notFound, unreadable, `tooLarge` (the code given).
    static func read(_ path: String, limit: Int, tooLarge: KeyError.Code) throws(KeyError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw KeyError(.notFound, "no file at \(path)")
        }
        guard !isDirectory.boolValue else { throw KeyError(.unreadable, "\(path) is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw KeyError(.unreadable, "cannot open \(path) for reading")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw KeyError(.unreadable, "cannot read \(path): \(error.localizedDescription)")
        }
        guard data.count <= limit else { throw KeyError(tooLarge, "\(path) is larger than \(limit) bytes") }
        return Array(data)
    }

    /// Writes `bytes` to `path` through a temporary file in the same directory that is created with `mode` from
    /// the start (O_CREAT|O_EXCL, then fchmod so the umask cannot widen or narrow it), fsynced, then moved into
    /// place. Without `overwrite` the final step is `link(2)`, which fails atomically if `path` exists.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t, overwrite: Bool) throws(KeyError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        if !overwrite, FileManager.default.fileExists(atPath: path) {
            throw KeyError(.alreadyExists, "\(path) exists; pass overwrite to replace it")
        }
        var random = SystemRandomNumberGenerator()
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + String(random.next() as UInt64, radix: 36)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw KeyError(.writeFailed, "cannot create \(temporary): \(errnoText())") }
        var closed = false
        defer {
            if !closed { close(fd) }
            unlink(temporary)
        }
        guard fchmod(fd, mode) == 0 else { throw KeyError(.writeFailed, "cannot set the mode of \(temporary): \(errnoText())") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw KeyError(.writeFailed, "cannot write \(temporary): \(errnoText())")
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw KeyError(.writeFailed, "cannot sync \(temporary): \(errnoText())") }
        closed = true
        guard close(fd) == 0 else { throw KeyError(.writeFailed, "cannot close \(temporary): \(errnoText())") }
        if overwrite {
            guard rename(temporary, path) == 0 else {
                throw KeyError(.writeFailed, "cannot move \(temporary) to \(path): \(errnoText())")
            }
        } else {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST { throw KeyError(.alreadyExists, "\(path) exists; pass overwrite to replace it") }
                throw KeyError(.writeFailed, "cannot link \(temporary) to \(path): \(errnoText())")
            }
        }
        let dirFD = open(directory, O_RDONLY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
