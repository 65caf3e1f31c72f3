/// An 8-bit RGB raster.
///
/// Layout: `pixels` holds `height` rows from top to bottom; each row holds `width` pixels from
/// left to right; each pixel is three bytes, red, green, blue. A well-formed image has
/// `pixels.count == width * height * 3`; the encoders check this and throw `.encodeFailed`
/// otherwise.
public struct RGBImage: Sendable, Hashable {
    public var width: Int
    public var height: Int
    /// RGB, 3 bytes per pixel, row-major.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The pixel at (x, y) as (r, g, b), or nil outside the image or for a malformed buffer.
    public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8)? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let (row, o1) = y.multipliedReportingOverflow(by: width)
        let (index, o2) = row.addingReportingOverflow(x)
        let (offset, o3) = index.multipliedReportingOverflow(by: 3)
        guard !o1, !o2, !o3, offset <= pixels.count - 3 else { return nil }
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }
}

/// An 8-bit single-channel raster: `height` rows of `width` samples, top to bottom, left to right.
public struct LumaImage: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var samples: [UInt8]

    public init(width: Int, height: Int, samples: [UInt8]) {
        self.width = width
        self.height = height
        self.samples = samples
    }
}

/// A JPEG thumbnail and its dimensions.
public struct Thumbnail: Sendable, Hashable {
    /// The encoded JPEG (baseline, YCbCr 4:2:0, JFIF, no EXIF).
    public var jpeg: [UInt8]
    public var width: Int
    public var height: Int

    public init(jpeg: [UInt8], width: Int, height: Int) {
        self.jpeg = jpeg
        self.width = width
        self.height = height
    }
}

/// Settings for ``ImageCodec/makeThumbnail(path:options:)``.
public struct ThumbnailOptions: Sendable, Hashable {
    /// The longest edge of the thumbnail in pixels (clamped to 1...65500). Images whose long edge
    /// is already at most this size keep their dimensions (never upscaled).
    public var maxLongEdge = 1024
    /// The first JPEG quality tried (clamped to 1...100).
    public var quality = 80

    public init() {}
}
