/// Resource paths of a tiled transparency log (c2sp.org/tlog-tiles), relative to the log's prefix.
///
/// ```
/// checkpoint
/// tile/<L>/<N>[.p/<W>]          ; L: tile level, 0-63; W: partial width, 1-255
/// tile/entries/<N>[.p/<W>]
/// <N>: zero-padded 3-digit groups, all but the last prefixed "x": 1234067 -> x001/x234/067
/// ```
public enum TilePath {
    /// Hashes in a full tile, and entries in a full entry bundle.
    public static let fullWidth = 256
    /// Merkle tree levels spanned by one tile level: tile level L holds hashes of tree level 8L.
    public static let treeLevelsPerTile = 8
    /// The path of the checkpoint.
    public static let checkpoint = "checkpoint"

    /// A tile index as path elements, e.g. `x001/x234/067` for 1234067, `000` for 0.
    public static func encodeIndex(_ index: UInt64) -> String {
        var groups: [UInt64] = []
        var rest = index
        repeat {
            groups.append(rest % 1000)
            rest /= 1000
        } while rest > 0
        let padded = groups.reversed().map { group -> String in
            let digits = String(group)
            return String(repeating: "0", count: 3 - digits.count) + digits
        }
        return (padded.dropLast().map { "x" + $0 } + [padded[padded.count - 1]]).joined(separator: "/")
    }

    /// The path of the hash tile at `level`, `index`, of `width` hashes (256 for a full tile).
    public static func tile(level: Int, index: UInt64, width: Int = fullWidth) -> String {
        "tile/\(level)/\(encodeIndex(index))\(suffix(width))"
    }

    /// The path of entry bundle `index` holding `width` entries (256 for a full bundle).
    public static func entryBundle(index: UInt64, width: Int = fullWidth) -> String {
        "tile/entries/\(encodeIndex(index))\(suffix(width))"
    }

    /// A tile or entry bundle named by a path.
    public enum Address: Hashable, Sendable {
        /// The hash tile at tile level `level`.
        case tile(level: Int, index: UInt64, width: Int)
        /// The entry bundle.
        case entries(index: UInt64, width: Int)
    }

    /// Parses a tile or entry-bundle path in the exact form ``tile(level:index:width:)`` and
    /// ``entryBundle(index:width:)`` write (three-digit groups, `x` on all but the last, `.p/W` with W in 1...255,
    /// no leading zeros in L or W); anything else, such as `..`, empty elements or an index past 2^64, is nil.
    public static func parse(_ path: String) -> Address? {
        var elements = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard elements.count >= 3, elements.count <= 12, elements[0] == "tile" else { return nil }
        var width = fullWidth
        if elements.count >= 2, let p = elements.last, elements[elements.count - 2].hasSuffix(".p") {
            guard let w = canonicalNumber(p, limit: 255), w >= 1 else { return nil }
            width = Int(w)
            elements.removeLast()
            elements[elements.count - 1].removeLast(2)
        }
        let isEntries = elements[1] == "entries"
        var level = 0
        if !isEntries {
            guard let l = canonicalNumber(elements[1], limit: 63) else { return nil }
            level = Int(l)
        }
        let groups = elements.dropFirst(2)
        guard !groups.isEmpty, groups.count <= 7 else { return nil }
        var index: UInt64 = 0
        for (i, group) in groups.enumerated() {
            let last = i == groups.count - 1
            let digits = last ? Substring(group) : (group.hasPrefix("x") ? group.dropFirst() : "")
            guard digits.count == 3, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }), let value = UInt64(digits) else { return nil }
            let (times, o1) = index.multipliedReportingOverflow(by: 1000)
            let (sum, o2) = times.addingReportingOverflow(value)
            guard !o1, !o2 else { return nil }
            index = sum
        }
        // One spelling per tile: the canonical path must be the path given.
        guard encodeIndex(index).split(separator: "/").count == groups.count else { return nil }
        return isEntries ? .entries(index: index, width: width) : .tile(level: level, index: index, width: width)
    }

    /// A decimal number without leading zeros, at most `limit`.
    private static func canonicalNumber(_ text: String, limit: UInt64) -> UInt64? {
        guard !text.isEmpty, text.count <= 3, text.allSatisfy({ $0 >= "0" && $0 <= "9" }), text == "0" || !text.hasPrefix("0"),
            let n = UInt64(text), n <= limit
        else { return nil }
        return n
    }

    private static func suffix(_ width: Int) -> String {
        width == fullWidth ? "" : ".p/\(width)"
    }

    /// The width of tile `index` at tile level `level` in a tree of `treeSize` leaves: 256 for a full
    /// tile, 1-255 for the partial tile at the right edge, nil if the tree has no such tile.
    public static func width(level: Int, index: UInt64, treeSize: UInt64) -> Int? {
        guard level >= 0, level * treeLevelsPerTile < UInt64.bitWidth else { return nil }
        let hashes = treeSize >> UInt64(level * treeLevelsPerTile)
        let fullTiles = hashes / UInt64(fullWidth)
        if index < fullTiles { return fullWidth }
        let partial = Int(hashes % UInt64(fullWidth))
        return index == fullTiles && partial > 0 ? partial : nil
    }
}

/// Entry bundles: log entries, each prefixed by its length as a big-endian uint16 (c2sp.org/tlog-tiles).
public enum EntryBundle {
    /// The largest entry a bundle can hold.
    public static let maxEntryBytes = Int(UInt16.max)

    /// Encodes entries; an entry over 65,535 bytes throws ``LogError/Code/limitExceeded``.
    public static func encode(_ entries: [[UInt8]]) throws(LogError) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            guard entry.count <= maxEntryBytes else {
                throw LogError(.limitExceeded, "an entry of \(entry.count) bytes does not fit a uint16 length")
            }
            out.append(UInt8(entry.count >> 8))
            out.append(UInt8(entry.count & 0xff))
            out.append(contentsOf: entry)
        }
        return out
    }

    /// Decodes a bundle that must hold exactly `count` entries and nothing after them.
    public static func decode(_ bundle: [UInt8], count: Int) throws(LogError) -> [[UInt8]] {
        var entries: [[UInt8]] = []
        var offset = 0
        while offset < bundle.count {
            guard entries.count < count else {
                throw LogError(.malformedEntryBundle, "an entry bundle holds more than \(count) entries")
            }
            guard bundle.count - offset >= 2 else {
                throw LogError(.malformedEntryBundle, "an entry bundle ends inside a length prefix")
            }
            let length = Int(bundle[offset]) << 8 | Int(bundle[offset + 1])
            offset += 2
            guard bundle.count - offset >= length else {
                throw LogError(.malformedEntryBundle, "an entry bundle ends inside an entry")
            }
            entries.append(Array(bundle[offset..<(offset + length)]))
            offset += length
        }
        guard entries.count == count else {
            throw LogError(.malformedEntryBundle, "an entry bundle holds \(entries.count) entries, not \(count)")
        }
        return entries
    }
}
