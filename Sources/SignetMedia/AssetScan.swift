/// One top-level structural element of an asset, in file order.
///
/// JPEG: one entry per marker segment, named after its marker (`SOI`, `APP0`…`APP15`, `DQT`, `SOF0`, `DHT`,
/// `DRI`, `SOS`, `RST0`…`RST7`, `COM`, `EOI`, …); the entropy-coded data after each `SOS` header (restart
/// markers and stuffed bytes included) is a separate entry named `ECS` with `marker == nil`. Fill bytes
/// (`FF FF …`) before a marker belong to the following segment's range. Bytes after `EOI` form an entry named
/// `TRAILING` (`marker == nil`).
///
/// PNG: an entry `PNGh` for the 8-byte signature (the name C2PA box hashing uses for it), then one entry per
/// chunk named by its 4-character type (length, type, data and CRC included), then `TRAILING` for bytes after
/// `IEND`, if any.
///
/// Consecutive entries are contiguous and together cover the part of the file that was scanned.
public struct AssetSegment: Sendable, Hashable {
    /// Marker name (JPEG) or chunk type (PNG), or one of the pseudo-names `ECS`, `PNGh`, `TRAILING`.
    public var name: String
    /// The JPEG marker byte (the byte after `FF`), or `nil` for PNG and for pseudo-entries.
    public var marker: UInt8?
    /// Absolute byte range in the file.
    public var range: Range<Int64>
    /// Whether this segment or chunk carries (part of) the C2PA manifest store.
    public var isC2PA: Bool

    public init(name: String, marker: UInt8?, range: Range<Int64>, isC2PA: Bool) {
        self.name = name
        self.marker = marker
        self.range = range
        self.isC2PA = isC2PA
    }
}

/// The result of scanning an asset's structure with ``AssetContainer/scan(_:format:maxStoreSize:includeImageData:)``.
public struct AssetScan: Sendable {
    /// The container format.
    public var format: AssetFormat
    /// The file size at scan time; ``AssetContainer/write(from:scan:insertingEncodedStore:to:hashing:)`` refuses
    /// a file whose size changed.
    public var fileSize: Int64
    /// The reassembled C2PA manifest store (a JUMBF superbox labelled `c2pa`), if the asset embeds one.
    public var manifestStore: [UInt8]?
    /// Absolute ranges of the whole segments or chunks carrying the store (JPEG: from the `FF EB` marker to the
    /// end of each APP11 packet; PNG: length, type, data and CRC of the `caBX` chunk). Adjacent ranges are merged,
    /// so a store written by this module yields exactly one range. Empty when there is no store.
    public var storeRanges: [Range<Int64>]
    /// Where a new store goes, in this file's coordinates.
    ///
    /// JPEG (as c2pa-rs): where the existing store began; otherwise right after the last `APP0` segment before the
    /// first `SOS`; otherwise right after `SOI` (offset 2). PNG (as c2pa-rs): right after `IHDR` (offset 33), even
    /// when an existing `caBX` sits elsewhere.
    public var insertionOffset: Int64
    /// Every top-level segment or chunk, in order (see ``AssetSegment``). For JPEG scanned with
    /// `includeImageData: false`, the list stops after the first `SOS` header.
    public var segments: [AssetSegment]
    /// Whether ``segments`` covers the whole file (false only for a JPEG scanned with `includeImageData: false`).
    public var segmentsComplete: Bool
    /// The ranges a new store replaces: ``storeRanges`` plus any framing a data hash does not exclude (the RIFF
    /// pad byte; the ID3 `GEOB` frame header). Equal to ``storeRanges`` for JPEG and PNG.
    public var carrierRanges: [Range<Int64>]
    /// Ranges that decide how the asset's content is read, which no data hash exclusion may reach into besides the
    /// store's own (C2PA 2.2, 15.12.1: other exclusions may hold only metadata). TIFF: the header, every page and
    /// SubIFD table and the strip and tile offset and byte-count arrays. Empty for formats that do not list them.
    public var protectedRanges: [Range<Int64>] = []
    /// What the container needs to embed a store (tag and box headers to patch, offsets to move).
    var layout: ContainerLayout

    public init(
        format: AssetFormat, fileSize: Int64, manifestStore: [UInt8]?, storeRanges: [Range<Int64>],
        insertionOffset: Int64, segments: [AssetSegment], segmentsComplete: Bool = true
    ) {
        self.init(
            format: format, fileSize: fileSize, manifestStore: manifestStore, storeRanges: storeRanges,
            carrierRanges: storeRanges, insertionOffset: insertionOffset, segments: segments,
            segmentsComplete: segmentsComplete, layout: .simple)
    }

    init(
        format: AssetFormat, fileSize: Int64, manifestStore: [UInt8]?, storeRanges: [Range<Int64>],
        carrierRanges: [Range<Int64>], insertionOffset: Int64, segments: [AssetSegment], segmentsComplete: Bool,
        layout: ContainerLayout
    ) {
        self.carrierRanges = carrierRanges
        self.layout = layout
        self.format = format
        self.fileSize = fileSize
        self.manifestStore = manifestStore
        self.storeRanges = storeRanges
        self.insertionOffset = insertionOffset
        self.segments = segments
        self.segmentsComplete = segmentsComplete
    }
}

/// Merges adjacent or overlapping ranges of an already sorted list.
func mergeAdjacent(_ ranges: [Range<Int64>]) -> [Range<Int64>] {
    var merged: [Range<Int64>] = []
    for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
        if let last = merged.last, r.lowerBound <= last.upperBound {
            merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
        } else {
            merged.append(r)
        }
    }
    return merged
}
