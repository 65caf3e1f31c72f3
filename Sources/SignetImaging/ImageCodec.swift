import CSignetImaging

/// JPEG and PNG decoding, encoding and thumbnailing over libjpeg-turbo and libpng.
///
/// Formats are recognised by magic bytes, never by file extension:
///
///     JPEG = FF D8 FF ...
///     PNG  = 89 50 4E 47 0D 0A 1A 0A ...
///
/// Decoded output is always 8-bit RGB:
/// - JPEG grayscale is expanded to RGB; CMYK and YCCK are converted to RGB (Adobe-inverted CMYK is
///   recognised by the Adobe APP14 marker); progressive and arithmetic-coded files are supported;
///   12-bit and lossless JPEG are `.unsupportedFormat`.
/// - PNG palette, grayscale (1–16 bit), 16-bit channels (scaled to 8) and tRNS are supported; alpha
///   is composited over white; gamma/colour-profile chunks are ignored; Adam7 interlaced files are
///   decoded whole in memory and limited to 2^25 pixels.
/// - EXIF orientation is ignored: pixels are returned as stored.
///
/// Limits: a header claiming more than 2^28 pixels (or more than the caller's `maxPixels`) is
/// refused with `.tooLarge` before any pixel memory is allocated; libjpeg's working memory is capped
/// at 1 GiB (very large progressive JPEGs fail with `.tooLarge`); progressive JPEGs with more than
/// 100 scans are `.corrupt` (encoders write about 10).
///
/// Truncation policy: ``decode(path:maxPixels:)`` is strict (a file that ends before the end of
/// the image data, including a missing JPEG EOI or PNG IEND, throws `.truncated`).
/// ``makeThumbnail(path:options:)`` is lenient about pixel data: a file cut short inside the image
/// data still yields a thumbnail, the missing area being mid-grey (as libjpeg pads it). A file cut
/// short inside its headers always throws `.truncated`; malformed headers throw `.corrupt`.
/// Corrupt JPEG entropy-coded data is tolerated the way libjpeg tolerates it (a warning, not an
/// error) in both modes.
public enum ImageCodec {
    /// The largest pixel count any decoder accepts (2^28).
    public static let absoluteMaxPixels = 1 << 28

    /// Makes a JPEG thumbnail from the image file at `path` (JPEG or PNG, detected by magic bytes)
    /// with streaming, scaled decoding.
    ///
    /// JPEG is decoded through libjpeg-turbo DCT scaling (the smallest n/8 scale whose output still
    /// covers the thumbnail size) and then area-averaged down to the thumbnail size; PNG is read row by
    /// row through an area-average accumulator, so neither holds the full-size image (interlaced PNGs
    /// excepted; they are limited to 2^25 pixels).
    ///
    /// The thumbnail's long edge is `options.maxLongEdge` (the short edge keeps the aspect ratio,
    /// rounded, at least 1). Images whose long edge is at most `maxLongEdge` keep their dimensions.
    ///
    /// The thumbnail is always smaller in bytes than the source file: if the JPEG at
    /// `options.quality` is not, qualities 60 and 40 (those below `options.quality`) are tried, then
    /// the dimensions are halved (up to three times) and the qualities tried again. Returns nil if no
    /// attempt is smaller than the file.
    ///
    /// EXIF orientation is ignored. See the type's documentation for the truncation policy.
    public static func makeThumbnail(path: String, options: ThumbnailOptions = .init()) throws(ImagingError)
        -> Thumbnail?
    {
        let maxLongEdge = min(max(options.maxLongEdge, 1), 65_500)
        let quality = min(max(options.quality, 1), 100)
        let reader = try ImageReader(path: path, maxPixels: UInt64(absoluteMaxPixels), lenient: true)
        let (targetWidth, targetHeight) = thumbnailSize(
            width: reader.sourceWidth, height: reader.sourceHeight, maxLongEdge: maxLongEdge)
        try reader.start(minWidth: targetWidth, minHeight: targetHeight)
        let image = try downsample(reader, toWidth: targetWidth, height: targetHeight)
        let fileSize = reader.fileSize

        let qualities = [quality] + [60, 40].filter { $0 < quality }
        var candidate = image
        for halving in 0...3 {
            if halving > 0 {
                let width = max(1, candidate.width / 2)
                let height = max(1, candidate.height / 2)
                if width == candidate.width && height == candidate.height { break }
                candidate = try resize(candidate, toWidth: width, height: height)
            }
            for q in qualities {
                // One pass with standard Huffman tables: a few percent larger, much faster than optimised tables.
                let jpeg = try encode(candidate, quality: q, optimize: false)
                if UInt64(jpeg.count) < fileSize {
                    return Thumbnail(jpeg: jpeg, width: candidate.width, height: candidate.height)
                }
            }
        }
        return nil
    }

    /// The width and height stated by the file's header (JPEG up to SOS, PNG up to the first IDAT);
    /// no pixel data is read and no pixel limit applies.
    public static func imageSize(path: String) throws(ImagingError) -> (width: Int, height: Int) {
        let reader = try ImageReader(path: path, maxPixels: 0, lenient: false)
        return (reader.sourceWidth, reader.sourceHeight)
    }

    /// Decodes the whole image at `path` to RGB (strict: truncated files throw `.truncated`).
    ///
    /// - Parameter maxPixels: images whose header states more pixels throw `.tooLarge` before any
    ///   pixel memory is allocated (further capped at ``absoluteMaxPixels``).
    public static func decode(path: String, maxPixels: Int = 100_000_000) throws(ImagingError) -> RGBImage {
        guard maxPixels > 0 else {
            throw ImagingError(code: .tooLarge, reason: "maxPixels must be positive (\(maxPixels))")
        }
        let reader = try ImageReader(path: path, maxPixels: UInt64(maxPixels), lenient: false)
        return try decodeAll(reader)
    }

    /// Decodes a JPEG's luminance as its decoder makes it (Y before any colour conversion, one byte per pixel).
    ///
    /// Throws `.unsupportedFormat` for a PNG or a CMYK or YCCK JPEG, and as ``decode(path:maxPixels:)`` otherwise.
    public static func decodeLuma(path: String, maxPixels: Int = 100_000_000) throws(ImagingError) -> LumaImage {
        guard maxPixels > 0 else {
            throw ImagingError(code: .tooLarge, reason: "maxPixels must be positive (\(maxPixels))")
        }
        let reader = try ImageReader(path: path, maxPixels: UInt64(maxPixels), lenient: false)
        try reader.startLuma()
        let width = reader.outputWidth, height = reader.outputHeight
        let (count, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, count > 0 else {
            throw ImagingError(code: .tooLarge, reason: "image of \(width)x\(height) pixels")
        }
        return LumaImage(width: width, height: height, samples: try readAllRows(reader, bytes: count))
    }

    /// Encodes at `quality` and decodes the result again, in memory (error level analysis).
    public static func roundTripJPEG(_ image: RGBImage, quality: Int) throws(ImagingError) -> RGBImage {
        let encoded = try encode(image, quality: quality, optimize: false)
        return try encoded.withUnsafeBufferPointer { bytes throws(ImagingError) in
            let reader = try ImageReader(bytes: bytes, maxPixels: UInt64(max(1, image.width * image.height)))
            return try decodeAll(reader)
        }
    }

    /// Decodes every row of an opened reader at full size (strict).
    private static func decodeAll(_ reader: ImageReader) throws(ImagingError) -> RGBImage {
        try reader.start()
        let width = reader.outputWidth
        let height = reader.outputHeight
        guard let count = rgbByteCount(width: width, height: height) else {
            throw ImagingError(code: .tooLarge, reason: "image of \(width)x\(height) pixels")
        }
        return RGBImage(width: width, height: height, pixels: try readAllRows(reader, bytes: count))
    }

    /// Every row of a started reader, `bytes` in all, then the check that the data ends where it should.
    private static func readAllRows(_ reader: ImageReader, bytes count: Int) throws(ImagingError) -> [UInt8] {
        var rows = [UInt8](repeating: 0, count: count)
        var failure: ImagingError?
        rows.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            do throws(ImagingError) {
                try reader.readRows(into: base, count: reader.outputHeight)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        try reader.finish()
        return rows
    }

    /// Encodes an image as a baseline JPEG (YCbCr 4:2:0, optimised Huffman tables).
    ///
    /// - Parameter quality: libjpeg quality, clamped to 1...100.
    /// - Throws: `.encodeFailed` if the dimensions are not positive or `pixels.count` is not
    ///   `width * height * 3`; `.tooLarge` beyond 65500 pixels per side.
    public static func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws(ImagingError) -> [UInt8] {
        try encode(image, quality: quality, optimize: true)
    }

    /// Encodes an image as an 8-bit RGB, non-interlaced PNG.
    ///
    /// - Throws: `.encodeFailed` if the dimensions are not positive or `pixels.count` is not
    ///   `width * height * 3`.
    public static func encodePNG(_ image: RGBImage) throws(ImagingError) -> [UInt8] {
        try validate(image)
        guard let width = cDimension(image.width), let height = cDimension(image.height) else {
            throw ImagingError(code: .encodeFailed, reason: "invalid PNG dimensions \(image.width)x\(image.height)")
        }
        var status = csi_status()
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let result = image.pixels.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return Int32(CSI_ENCODE_FAILED) }
            return csi_png_encode(base, width, height, &output, &length, &status)
        }
        defer { csi_free(output) }
        guard result == Int32(CSI_OK), let output else {
            throw ImagingError(status: status)
        }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// Streams a large JPEG to a file without holding it in memory: rows come from `row(y, buffer)`
    /// filling `width * 3` bytes (RGB), called once for each y from 0 to height - 1 in order.
    ///
    /// Huffman tables are the standard ones (optimised tables would make libjpeg buffer the
    /// image). On failure the partially written file is removed.
    ///
    /// - Throws: `.encodeFailed` (bad dimensions, write errors), `.notFound` (missing directory),
    ///   `.tooLarge` beyond 65500 pixels per side.
    public static func writeJPEG(
        path: String, width: Int, height: Int, quality: Int,
        row: (Int, UnsafeMutableBufferPointer<UInt8>) -> Void
    ) throws(ImagingError) {
        guard let rowBytes = rgbByteCount(width: width, height: 1), height > 0 else {
            throw ImagingError(code: .encodeFailed, reason: "invalid JPEG dimensions \(width)x\(height)")
        }
        let writer = try JPEGWriter(path: path, width: width, height: height, quality: quality, optimize: false)
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: rowBytes)
        defer { base.deallocate() }
        base.initialize(repeating: 0, count: rowBytes)
        let buffer = UnsafeMutableBufferPointer(start: base, count: rowBytes)
        for y in 0..<height {
            row(y, buffer)
            try writer.write(rows: base, count: 1)
        }
        try writer.finish()
    }

    // MARK: - Internals

    /// Thumbnail dimensions: long edge = maxLongEdge (unless the image is already smaller),
    /// short edge rounded to keep the aspect ratio, at least 1.
    static func thumbnailSize(width: Int, height: Int, maxLongEdge: Int) -> (Int, Int) {
        let long = max(width, height)
        guard long > maxLongEdge else { return (width, height) }
        let short = min(width, height)
        // width, height <= 2^31 and maxLongEdge <= 65500: the product cannot overflow 64 bits.
        let scaledShort = max(1, (short * maxLongEdge + long / 2) / long)
        return width >= height ? (maxLongEdge, scaledShort) : (scaledShort, maxLongEdge)
    }

    /// Reads all rows of a started reader, area-averaging them to width x height.
    private static func downsample(_ reader: ImageReader, toWidth width: Int, height: Int) throws(ImagingError)
        -> RGBImage
    {
        let inWidth = reader.outputWidth
        let inHeight = reader.outputHeight
        guard let outCount = rgbByteCount(width: width, height: height),
            let inRowBytes = rgbByteCount(width: inWidth, height: 1)
        else {
            throw ImagingError(code: .corrupt, reason: "invalid dimensions")
        }
        var pixels = [UInt8](repeating: 0, count: outCount)
        var failure: ImagingError?
        if inWidth == width && inHeight == height {
            pixels.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                do throws(ImagingError) {
                    try reader.readRows(into: base, count: height)
                } catch {
                    failure = error
                }
            }
        } else {
            guard let resampler = AreaResampler(inWidth: inWidth, inHeight: inHeight, outWidth: width, outHeight: height)
            else {
                throw ImagingError(code: .corrupt, reason: "cannot resample \(inWidth)x\(inHeight) to \(width)x\(height)")
            }
            let batch = max(1, min(inHeight, (1 << 20) / max(inRowBytes, 1)))
            let rows = UnsafeMutablePointer<UInt8>.allocate(capacity: batch * inRowBytes)
            defer { rows.deallocate() }
            rows.initialize(repeating: 0, count: batch * inRowBytes)
            let outRowBytes = width * 3
            pixels.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                var outRow = 0
                var y = 0
                do throws(ImagingError) {
                    while y < inHeight {
                        let count = min(batch, inHeight - y)
                        try reader.readRows(into: rows, count: count)
                        for i in 0..<count where outRow < height {
                            if resampler.push(rows + i * inRowBytes, output: base + outRow * outRowBytes) {
                                outRow += 1
                            }
                        }
                        y += count
                    }
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Area-average resize of an in-memory image (downscaling only).
    static func resize(_ image: RGBImage, toWidth width: Int, height: Int) throws(ImagingError) -> RGBImage {
        try validate(image)
        guard let resampler = AreaResampler(inWidth: image.width, inHeight: image.height, outWidth: width, outHeight: height),
            let outCount = rgbByteCount(width: width, height: height)
        else {
            throw ImagingError(code: .encodeFailed, reason: "cannot resize \(image.width)x\(image.height) to \(width)x\(height)")
        }
        var pixels = [UInt8](repeating: 0, count: outCount)
        let inRowBytes = image.width * 3
        let outRowBytes = width * 3
        image.pixels.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { output in
                guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return }
                var outRow = 0
                for y in 0..<image.height where outRow < height {
                    if resampler.push(inBase + y * inRowBytes, output: outBase + outRow * outRowBytes) {
                        outRow += 1
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private static func validate(_ image: RGBImage) throws(ImagingError) {
        guard let count = rgbByteCount(width: image.width, height: image.height) else {
            throw ImagingError(code: .encodeFailed, reason: "invalid image dimensions \(image.width)x\(image.height)")
        }
        guard image.pixels.count == count else {
            throw ImagingError(
                code: .encodeFailed,
                reason: "pixel buffer has \(image.pixels.count) bytes, expected \(count) for \(image.width)x\(image.height)")
        }
    }

    private static func encode(_ image: RGBImage, quality: Int, optimize: Bool) throws(ImagingError) -> [UInt8] {
        try validate(image)
        let writer = try JPEGWriter(path: nil, width: image.width, height: image.height, quality: quality, optimize: optimize)
        var failure: ImagingError?
        image.pixels.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            do throws(ImagingError) {
                try writer.write(rows: base, count: image.height)
                try writer.finish()
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return writer.bytes()
    }
}

extension ImageCodec {
    /// Colour layouts for ``encodeJPEGVariant(_:width:height:layout:progressive:quality:)``.
    enum JPEGLayout: Int32 {
        case gray = 0, ycbcr = 1, cmyk = 2, ycck = 3

        var channels: Int {
            switch self {
            case .gray: 1
            case .ycbcr: 3
            case .cmyk, .ycck: 4
            }
        }
    }

    /// Encodes raw samples (1 channel gray, 3 RGB or 4 CMYK, as stored with an Adobe marker, i.e.
    /// inverted: 255 = no ink) with a chosen JPEG colour layout; used to build test inputs.
    static func encodeJPEGVariant(
        _ samples: [UInt8], width: Int, height: Int, layout: JPEGLayout, progressive: Bool, quality: Int
    ) throws(ImagingError) -> [UInt8] {
        guard let w = cDimension(width), let h = cDimension(height),
            let pixels = rgbByteCount(width: width, height: height).map({ $0 / 3 }),
            samples.count == pixels * layout.channels
        else {
            throw ImagingError(code: .encodeFailed, reason: "sample buffer does not match \(width)x\(height)")
        }
        var status = csi_status()
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        let result = samples.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return Int32(CSI_ENCODE_FAILED) }
            return csi_jpeg_encode_variant(
                base, w, h, layout.rawValue, progressive ? 1 : 0, Int32(clamping: quality), &output, &length, &status)
        }
        defer { csi_free(output) }
        guard result == Int32(CSI_OK), let output else { throw ImagingError(status: status) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }
}
