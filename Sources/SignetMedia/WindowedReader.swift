#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Byte-level sequential access over a ``FileReader`` through one reusable window, so that marker-by-marker
/// parsing and entropy-data scanning never issue one system call per byte and never hold more than the window.
struct WindowedReader {
    let reader: FileReader
    /// The reusable buffer; only its first `windowCount` bytes are valid.
    private var window: [UInt8]
    private var windowCount = 0
    private var windowStart: Int64 = 0

    init(_ reader: FileReader, windowSize: Int = 128 << 10) {
        self.reader = reader
        self.window = [UInt8](repeating: 0, count: max(windowSize, 16))
    }

    var size: Int64 { reader.size }

    private mutating func load(_ offset: Int64) throws(MediaError) {
        windowCount = try reader.fill(&window, at: offset)
        windowStart = offset
    }

    /// The byte at `offset`, or `nil` at or past the end of the file.
    mutating func byte(at offset: Int64) throws(MediaError) -> UInt8? {
        guard offset >= 0, offset < size else { return nil }
        if offset < windowStart || offset >= windowStart + Int64(windowCount) {
            try load(offset)
        }
        let index = Int(offset - windowStart)
        return index < windowCount ? window[index] : nil
    }

    /// The `count` bytes at `offset`, or `nil` if the file ends first. Reads through the window when they fit.
    mutating func bytes(at offset: Int64, count: Int) throws(MediaError) -> ArraySlice<UInt8>? {
        guard offset >= 0, count >= 0 else { return nil }
        let (end, overflow) = offset.addingReportingOverflow(Int64(count))
        guard !overflow, end <= size else { return nil }
        guard count <= window.count else { return try reader.read(at: offset, count: count)[...] }
        if offset < windowStart || end > windowStart + Int64(windowCount) {
            try load(offset)
        }
        let start = Int(offset - windowStart)
        guard start + count <= windowCount else { return nil }
        return window[start..<(start + count)]
    }

    /// The offset of the first `0xFF` at or after `offset`, or `nil` if there is none before the end of the file.
    mutating func firstFF(from offset: Int64) throws(MediaError) -> Int64? {
        var position = offset
        while position < size {
            if position < windowStart || position >= windowStart + Int64(windowCount) {
                try load(position)
                if windowCount == 0 { return nil }
            }
            let startIndex = Int(position - windowStart)
            let found: Int? = window.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return nil }
                let remaining = windowCount - startIndex
                guard let hit = memchr(base + startIndex, 0xFF, remaining) else { return nil }
                return base.distance(to: UnsafeRawPointer(hit))
            }
            if let found { return windowStart + Int64(found) }
            position = windowStart + Int64(windowCount)
        }
        return nil
    }
}
