import Foundation

/// One part of a `multipart/form-data` body (RFC 7578), its content spooled to a file of its own.
public struct FormPart: Sendable {
    /// The form field's name (`Content-Disposition: form-data; name=...`).
    public var name: String?
    /// The file name the client gave, if any: shown back to it, never used as a path.
    public var filename: String?
    public var contentType: String?
    public var file: SpooledFile
}

/// A streaming `multipart/form-data` reader over a spooled body: parts are copied to their own files as
/// the delimiter search passes them, so memory stays at one read buffer whatever the part sizes.
public enum Multipart {
    public static let maxParts = 100
    public static let maxHeaderBytes = 8 * 1024
    /// Spaces and tabs allowed between a boundary and its line end (RFC 2046's transport padding).
    public static let maxPadding = 256

    /// The boundary of a `multipart/form-data` Content-Type, or nil if it is not one.
    public static func boundary(contentType: String) throws(ServiceError) -> String? {
        let fields = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let kind = fields.first, kind.lowercased() == "multipart/form-data" else { return nil }
        for field in fields.dropFirst() {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046: 1 to 70 characters.
            guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                throw ServiceError(.badMultipart, "the multipart boundary must be 1 to 70 printable characters")
            }
            return value
        }
        throw ServiceError(.badMultipart, "a multipart/form-data body needs a boundary parameter")
    }

    /// Splits the spooled body into its parts (each in a new file of `spool`). On error, no part file is left.
    public static func parts(of body: SpooledFile, boundary: String, spool: BodySpool, maxParts: Int = maxParts)
        throws(ServiceError) -> [FormPart]
    {
        guard let input = FileHandle(forReadingAtPath: body.path) else {
            throw ServiceError(.internalError, "cannot read the stored body")
        }
        defer { try? input.close() }
        var reader = Reader(handle: input)
        // A virtual CRLF in front makes the first delimiter look like every other one.
        reader.buffer = [0x0D, 0x0A]
        let delimiter = Array("\r\n--\(boundary)".utf8)
        var parts: [FormPart] = []
        var done = false
        defer {
            if !done { for p in parts { p.file.remove() } }
        }
        // Skip the preamble.
        guard try reader.skip(past: delimiter, sink: nil) else {
            throw ServiceError(.badMultipart, "the body has no multipart boundary line")
        }
        while true {
            guard let marker = try reader.take(2) else { throw ServiceError(.badMultipart, "the body ends inside a boundary line") }
            if marker == [0x2D, 0x2D] { break }  // "--": the close delimiter
            // Transport padding (spaces, tabs) may precede the line's CRLF.
            var lineEnd = marker
            var padding = 0
            while lineEnd.first == 0x20 || lineEnd.first == 0x09 {
                padding += 1
                guard padding <= maxPadding else {
                    throw ServiceError(.badMultipart, "more than \(maxPadding) bytes of padding after a boundary")
                }
                guard let next = try reader.take(1) else { throw ServiceError(.badMultipart, "the body ends inside a boundary line") }
                lineEnd = [lineEnd[1], next[0]]
            }
            guard lineEnd == [0x0D, 0x0A] else { throw ServiceError(.badMultipart, "a boundary line is followed by other text") }
            guard parts.count < maxParts else {
                throw ServiceError(.badMultipart, "more than \(maxParts) parts in one request")
            }
            let headers = try reader.headers(limit: maxHeaderBytes)
            let (path, fd) = try spool.create()
            var size = 0
            let found: Bool
            do {
                defer { close(fd) }
                found = try reader.skip(past: delimiter) { chunk throws(ServiceError) in
                    // A part is a second copy of its bytes on disk: it counts against the budget too.
                    guard spool.budget.take(chunk.count) else { throw ByteBudget.diskRefusal(spool.budget.limit) }
                    size += chunk.count
                    guard writeAll(fd, chunk) else { throw ServiceError(.internalError, "cannot store a multipart part") }
                }
            } catch {
                unlink(path)
                spool.budget.release(size)
                throw error
            }
            parts.append(
                FormPart(
                    name: headers.name, filename: headers.filename, contentType: headers.contentType,
                    file: SpooledFile(path: path, size: size, budget: spool.budget)))
            guard found else { throw ServiceError(.badMultipart, "the body ends inside a part (no closing boundary)") }
        }
        done = true
        return parts
    }

    struct PartHeaders {
        var name: String?
        var filename: String?
        var contentType: String?
    }

    /// Sequential reads of a file through a bounded buffer.
    struct Reader {
        let handle: FileHandle
        var buffer: [UInt8] = []
        var position = 0
        var atEnd = false
        static let chunk = 256 * 1024

        init(handle: FileHandle) { self.handle = handle }

        var available: Int { buffer.count - position }

        mutating func fill() throws(ServiceError) -> Bool {
            guard !atEnd else { return false }
            let data: Data?
            do { data = try handle.read(upToCount: Self.chunk) } catch {
                throw ServiceError(.internalError, "cannot read the stored body")
            }
            guard let data, !data.isEmpty else {
                atEnd = true
                return false
            }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            buffer.append(contentsOf: data)
            return true
        }

        mutating func take(_ n: Int) throws(ServiceError) -> [UInt8]? {
            while available < n { if try !fill() { return nil } }
            defer { position += n }
            return Array(buffer[position..<position + n])
        }

        /// Passes everything before the next `pattern` to `sink` (in chunks) and consumes the pattern; false if
        /// the input ends first (then everything was passed on).
        mutating func skip(past pattern: [UInt8], sink: ((ArraySlice<UInt8>) throws(ServiceError) -> Void)?)
            throws(ServiceError) -> Bool
        {
            while true {
                if let hit = find(pattern) {
                    try sink?(buffer[position..<hit])
                    position = hit + pattern.count
                    return true
                }
                // Everything but a possible partial match at the end can go.
                let keep = min(available, pattern.count - 1)
                let flushEnd = buffer.count - keep
                if flushEnd > position {
                    try sink?(buffer[position..<flushEnd])
                    position = flushEnd
                }
                if try !fill() {
                    try sink?(buffer[position..<buffer.count])
                    position = buffer.count
                    return false
                }
            }
        }

        func find(_ pattern: [UInt8]) -> Int? {
            guard let first = pattern.first, available >= pattern.count else { return nil }
            var i = position
            let last = buffer.count - pattern.count
            while i <= last {
                if buffer[i] == first {
                    var j = 1
                    while j < pattern.count && buffer[i + j] == pattern[j] { j += 1 }
                    if j == pattern.count { return i }
                }
                i += 1
            }
            return nil
        }

        /// Part headers up to the blank line, at most `limit` bytes.
        mutating func headers(limit: Int) throws(ServiceError) -> PartHeaders {
            let end: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
            var text: [UInt8] = []
            // A part with no headers starts with the blank line at once.
            if let two = try take(2) {
                if two == [0x0D, 0x0A] { return PartHeaders() }
                text = two
            } else {
                throw ServiceError(.badMultipart, "the body ends inside a part's headers")
            }
            var tooLong = false
            let found = try skip(past: end) { chunk throws(ServiceError) in
                if text.count + chunk.count > limit { tooLong = true; return }
                text.append(contentsOf: chunk)
            }
            if tooLong { throw ServiceError(.badMultipart, "a part's headers are longer than \(limit) bytes") }
            guard found else { throw ServiceError(.badMultipart, "the body ends inside a part's headers") }
            var out = PartHeaders()
            for line in String(decoding: text, as: UTF8.self).components(separatedBy: "\r\n") {
                let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                switch pair[0].lowercased() {
                case "content-disposition":
                    for field in pair[1].split(separator: ";").dropFirst() {
                        let kv = field.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                        guard kv.count == 2 else { continue }
                        var value = kv[1]
                        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                        switch kv[0].lowercased() {
                        case "name": out.name = value
                        case "filename": out.filename = value
                        default: break
                        }
                    }
                case "content-type": out.contentType = pair[1]
                default: break
                }
            }
            return out
        }
    }
}

/// Writes all of `bytes` to `fd`; false on a write error.
func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
}

/// Writes all of `raw` to `fd`, retrying short writes and EINTR; false on a write error.
func writeAll(_ fd: Int32, _ raw: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < raw.count {
        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += n
    }
    return true
}
