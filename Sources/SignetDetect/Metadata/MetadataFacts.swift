import SignetMedia

/// What a file declares about itself outside its pixels: C2PA remnants, XMP/IPTC source
/// declarations, generator text, EXIF camera and software fields, and the JPEG/PNG header facts
/// the header forensics need. Read by ``MetadataReader`` without decoding pixels.
///
/// Malformed metadata is not an error: what could not be read is recorded in ``notes``.
public struct MetadataFacts: Sendable, Hashable {
    /// The container format, from the first bytes (``AssetFormat/detect(prefix:)``, refined to FLAC when an
    /// ID3 tag precedes `fLaC`). nil when Signet does not know the format.
    public var format: AssetFormat?
    /// The file size in bytes.
    public var fileSize: Int64 = 0
    /// Picture width in pixels from the JPEG SOF or PNG IHDR; nil for other formats or when absent.
    public var width: Int?
    /// Picture height in pixels from the JPEG SOF or PNG IHDR; nil for other formats or when absent.
    public var height: Int?

    /// Every C2PA trace found, one human description each (a complete store included, so the list is
    /// never empty when ``hasC2PAStore`` is true).
    public var c2paRemnants: [String] = []
    /// True when a structurally complete C2PA manifest store (a JUMBF superbox labelled `c2pa` whose declared
    /// length fits its container) sits where the format carries one: the caller should verify it rather
    /// than treat it as a remnant.
    public var hasC2PAStore = false
    /// URLs of remote manifests named by XMP `dcterms:provenance` (at most 4, each at most 2,048 bytes), in file
    /// order.
    public var remoteManifests: [String] = []

    /// IPTC digital source types declared in XMP (`Iptc4xmpExt:DigitalSourceType`), in file order.
    public var declaredSources: [DeclaredSource] = []
    /// AI generator names found in software/tool fields (EXIF Software, XMP CreatorTool, IPTC
    /// OriginatingProgram, PNG `Software`, photoshop:Credit, ...).
    public var generatorMarkers: [GeneratorMarker] = []
    /// Textual metadata entries (PNG tEXt/iTXt/zTXt, JPEG COM, EXIF ImageDescription/UserComment), values capped
    /// at ``MetadataReader/maxTextValueBytes``.
    public var textEntries: [TextEntry] = []
    /// How many XMP packets were found.
    public var xmpPacketCount = 0

    /// The EXIF block, when the file has one (JPEG APP1 `Exif`, PNG `eXIf`, WebP `EXIF`).
    public var exif: EXIFFacts?
    /// JPEG header facts (nil for other formats).
    public var jpeg: JPEGHeaderFacts?
    /// PNG header facts (nil for other formats).
    public var png: PNGHeaderFacts?

    /// What was malformed, skipped or capped while reading, one line each (not errors: facts about the file).
    public var notes: [String] = []

    public init() {}
}

/// One declared IPTC digital source type.
public struct DeclaredSource: Sendable, Hashable {
    /// The code, the last path component of `http://cv.iptc.org/newscodes/digitalsourcetype/<code>`
    /// (for example `trainedAlgorithmicMedia`), as written.
    public var code: String
    /// Where it was declared (for example "XMP in JPEG APP1").
    public var location: String

    public init(code: String, location: String) {
        self.code = code
        self.location = location
    }
}

/// A known AI generator named in a metadata field.
public struct GeneratorMarker: Sendable, Hashable {
    /// The generator's name as Signet spells it (for example "Midjourney").
    public var generator: String
    /// The field that named it (for example "EXIF Software" or "XMP xmp:CreatorTool").
    public var field: String
    /// The field's value (capped at 200 characters).
    public var value: String

    public init(generator: String, field: String, value: String) {
        self.generator = generator
        self.field = field
        self.value = value
    }
}

/// A key/value text entry from the file's metadata.
public struct TextEntry: Sendable, Hashable {
    /// The keyword (PNG), or the field name ("COM", "ImageDescription", "UserComment").
    public var key: String
    /// The decoded text, capped at ``MetadataReader/maxTextValueBytes`` bytes of UTF-8.
    public var value: String
    /// Where it was found (for example "PNG tEXt", "JPEG COM", "EXIF").
    public var location: String

    public init(key: String, value: String, location: String) {
        self.key = key
        self.value = value
        self.location = location
    }
}

/// The EXIF fields the detector uses.
public struct EXIFFacts: Sendable, Hashable {
    /// IFD0 Make (0x010F).
    public var make: String?
    /// IFD0 Model (0x0110).
    public var model: String?
    /// IFD0 Software (0x0131).
    public var software: String?
    /// IFD0 DateTime (0x0132): when the file was last changed.
    public var dateTime: String?
    /// Exif IFD DateTimeOriginal (0x9003): when the picture was taken.
    public var dateTimeOriginal: String?
    /// Exif IFD DateTimeDigitized (0x9004).
    public var dateTimeDigitized: String?
    /// IFD0 ImageDescription (0x010E).
    public var imageDescription: String?
    /// Exif IFD UserComment (0x9286), decoded (ASCII, UTF-16 or UTF-8 after the 8-byte charset prefix).
    public var userComment: String?
    /// Exif IFD PixelXDimension (0xA002).
    public var pixelWidth: Int?
    /// Exif IFD PixelYDimension (0xA003).
    public var pixelHeight: Int?
    /// IFD0 Orientation (0x0112).
    public var orientation: Int?
    /// Whether the Exif IFD carries a MakerNote (0x927C), which cameras write and most editors keep.
    public var hasMakerNote = false
    /// The IFD1 thumbnail, when declared.
    public var thumbnail: EXIFThumbnail?

    public init() {}
}

/// The EXIF IFD1 thumbnail.
public struct EXIFThumbnail: Sendable, Hashable {
    /// JPEGInterchangeFormat (0x0201): offset from the start of the TIFF header.
    public var offset: Int
    /// JPEGInterchangeFormatLength (0x0202).
    public var length: Int
    /// Whether offset + length lies inside the EXIF block.
    public var inBounds: Bool
    /// The thumbnail's dimensions from its own SOF, when it is a readable JPEG.
    public var width: Int?
    public var height: Int?

    public init(offset: Int, length: Int, inBounds: Bool, width: Int? = nil, height: Int? = nil) {
        self.offset = offset
        self.length = length
        self.inBounds = inBounds
        self.width = width
        self.height = height
    }
}

/// JPEG header facts, read from the marker segments before and between scans.
public struct JPEGHeaderFacts: Sendable, Hashable {
    /// The start-of-frame marker's second byte (0xC0 baseline, 0xC1 extended, 0xC2 progressive, ...).
    public var frameMarker: UInt8?
    /// Whether the frame is progressive (SOF2, SOF6, SOF10, SOF14).
    public var isProgressive = false
    /// Whether the entropy coding is arithmetic (SOF9-SOF11, SOF13-SOF15) rather than Huffman.
    public var isArithmeticCoded = false
    /// Whether the frame is lossless (SOF3, SOF7, SOF11, SOF15).
    public var isLossless = false
    /// Sample precision in bits (usually 8).
    public var precision: Int?
    /// The frame's components with their sampling factors and quantization table selectors.
    public var components: [JPEGComponent] = []
    /// Quantization tables by slot (0...3), the last definition of each slot before the first scan.
    public var quantizationTables: [JPEGQuantizationTable] = []
    /// Every Huffman table definition (before and between scans), in file order.
    public var huffmanTables: [JPEGHuffmanTable] = []
    /// True when every Huffman table is one of the four ITU-T T.81 Annex K example tables ("standard"
    /// tables), false when at least one is not (typically optimised tables), nil when the file defines none
    /// (or is arithmetic-coded).
    public var usesStandardHuffmanTables: Bool?
    /// How many scans (SOS markers) were seen.
    public var scanCount = 0
    /// Restart interval (DRI), when defined.
    public var restartInterval: Int?
    /// Whether a JFIF APP0 segment is present.
    public var hasJFIF = false
    /// Whether an Adobe APP14 segment is present.
    public var hasAdobe = false
    /// Whether the EOI marker was found.
    public var hasEOI = false
    /// Bytes after EOI (appended data), when EOI was found.
    public var trailingBytes: Int64 = 0
    /// The APPn markers seen, in order (0xE0...0xEF), and COM as 0xFE.
    public var applicationMarkers: [UInt8] = []

    public init() {}
}

/// One frame component of a JPEG.
public struct JPEGComponent: Sendable, Hashable {
    /// Component identifier (1, 2, 3 for Y, Cb, Cr in JFIF).
    public var id: Int
    /// Horizontal sampling factor (1...4).
    public var horizontalSampling: Int
    /// Vertical sampling factor (1...4).
    public var verticalSampling: Int
    /// The quantization table slot it uses (0...3).
    public var quantizationTable: Int

    public init(id: Int, horizontalSampling: Int, verticalSampling: Int, quantizationTable: Int) {
        self.id = id
        self.horizontalSampling = horizontalSampling
        self.verticalSampling = verticalSampling
        self.quantizationTable = quantizationTable
    }
}

/// One JPEG quantization table.
public struct JPEGQuantizationTable: Sendable, Hashable {
    /// The slot (Tq, 0...3).
    public var slot: Int
    /// Element precision in bits: 8 or 16.
    public var precision: Int
    /// The 64 quantizer values in natural (row-major) order: index 0 is DC, index 1 the first horizontal AC.
    /// (The file stores them in zigzag order; they are reordered here.)
    public var values: [Int]

    public init(slot: Int, precision: Int, values: [Int]) {
        self.slot = slot
        self.precision = precision
        self.values = values
    }
}

/// One JPEG Huffman table definition.
public struct JPEGHuffmanTable: Sendable, Hashable {
    /// 0 = DC, 1 = AC.
    public var tableClass: Int
    /// The destination slot (Th, 0...3).
    public var slot: Int
    /// Number of codes of each length 1...16.
    public var counts: [Int]
    /// The symbols in code order.
    public var symbols: [UInt8]
    /// Whether this table equals one of the T.81 Annex K example tables of its class.
    public var isStandard: Bool

    public init(tableClass: Int, slot: Int, counts: [Int], symbols: [UInt8], isStandard: Bool) {
        self.tableClass = tableClass
        self.slot = slot
        self.counts = counts
        self.symbols = symbols
        self.isStandard = isStandard
    }
}

/// PNG header facts.
public struct PNGHeaderFacts: Sendable, Hashable {
    /// IHDR bit depth (1, 2, 4, 8, 16).
    public var bitDepth: Int?
    /// IHDR colour type (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA).
    public var colorType: Int?
    /// IHDR interlace method (0 none, 1 Adam7).
    public var interlaced = false
    /// Whether a PLTE chunk is present.
    public var hasPalette = false
    /// The chunk types in file order (IDAT runs collapsed to one entry), at most 256 entries.
    public var chunkTypes: [String] = []

    public init() {}
}
