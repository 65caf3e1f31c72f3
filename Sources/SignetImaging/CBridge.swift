import CSignetImaging

// Internal wrappers around the C shims. The C side catches every libjpeg/libpng error itself and
// reports a csi_status, so nothing here can be unwound by a longjmp.

extension ImagingError {
    init(status: csi_status) {
        let code: Code
        switch status.code {
        case Int32(CSI_NOT_FOUND): code = .notFound
        case Int32(CSI_UNSUPPORTED): code = .unsupportedFormat
        case Int32(CSI_TRUNCATED): code = .truncated
        case Int32(CSI_TOO_LARGE): code = .tooLarge
        case Int32(CSI_ENCODE_FAILED): code = .encodeFailed
        default: code = .corrupt
        }
        let reason = withUnsafeBytes(of: status.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        self.init(code: code, reason: reason)
    }
}

/// Converts a dimension to the C side's UInt32, rejecting negative or oversized values.
func cDimension(_ value: Int) -> UInt32? {
    guard value > 0 else { return nil }
    return UInt32(exactly: value)
}

/// width * height * 3 without overflow, or nil.
func rgbByteCount(width: Int, height: Int) -> Int? {
    guard width > 0, height > 0 else { return nil }
    let (pixels, o1) = width.multipliedReportingOverflow(by: height)
    let (bytes, o2) = pixels.multipliedReportingOverflow(by: 3)
    return o1 || o2 ? nil : bytes
}

/// A streaming decoder over one file (owns the C reader).
final class ImageReader {
    private let handle: OpaquePointer
    private(set) var info: csi_reader_info

    /// - Parameter maxPixels: 0 opens the header only.
    init(path: String, maxPixels: UInt64, lenient: Bool) throws(ImagingError) {
        var status = csi_status()
        guard let handle = csi_reader_open(path, maxPixels, lenient ? 1 : 0, &status) else {
            throw ImagingError(status: status)
        }
        self.handle = handle
        var info = csi_reader_info()
        csi_reader_get_info(handle, &info)
        self.info = info
    }

    /// Over bytes in memory, which must stay valid for the reader's whole life.
    init(bytes: UnsafeBufferPointer<UInt8>, maxPixels: UInt64) throws(ImagingError) {
        var status = csi_status()
        guard let base = bytes.baseAddress,
            let handle = csi_reader_open_memory(base, bytes.count, maxPixels, 0, &status)
        else {
            if bytes.isEmpty { throw ImagingError(code: .unsupportedFormat, reason: "the image is empty") }
            throw ImagingError(status: status)
        }
        self.handle = handle
        var info = csi_reader_info()
        csi_reader_get_info(handle, &info)
        self.info = info
    }

    deinit {
        csi_reader_close(handle)
    }

    var sourceWidth: Int { Int(info.source_width) }
    var sourceHeight: Int { Int(info.source_height) }
    var outputWidth: Int { Int(info.output_width) }
    var outputHeight: Int { Int(info.output_height) }
    var fileSize: UInt64 { info.file_size }
    var truncated: Bool { info.truncated != 0 }

    func start(minWidth: Int = 0, minHeight: Int = 0) throws(ImagingError) {
        var status = csi_status()
        let w = UInt32(clamping: minWidth)
        let h = UInt32(clamping: minHeight)
        if csi_reader_start(handle, w, h, &status) != Int32(CSI_OK) {
            throw ImagingError(status: status)
        }
        refreshInfo()
    }

    /// Starts a JPEG at full size to its own luminance: rows of outputWidth bytes (``readRows(into:count:)``).
    func startLuma() throws(ImagingError) {
        var status = csi_status()
        if csi_reader_start_luma(handle, &status) != Int32(CSI_OK) {
            throw ImagingError(status: status)
        }
        refreshInfo()
    }

    /// Reads `count` rows of outputWidth * 3 bytes (outputWidth bytes after ``startLuma()``) into `buffer`, which must be large enough.
    func readRows(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(ImagingError) {
        var status = csi_status()
        if csi_reader_read_rows(handle, buffer, UInt32(clamping: count), &status) != Int32(CSI_OK) {
            throw ImagingError(status: status)
        }
        refreshInfo()
    }

    func finish() throws(ImagingError) {
        var status = csi_status()
        if csi_reader_finish(handle, &status) != Int32(CSI_OK) {
            throw ImagingError(status: status)
        }
        refreshInfo()
    }

    private func refreshInfo() {
        var info = csi_reader_info()
        csi_reader_get_info(handle, &info)
        self.info = info
    }
}

/// Area-average downsampler (owns the C resampler).
final class AreaResampler {
    private let handle: OpaquePointer
    let outputWidth: Int
    let outputHeight: Int

    init?(inWidth: Int, inHeight: Int, outWidth: Int, outHeight: Int) {
        guard let iw = cDimension(inWidth), let ih = cDimension(inHeight),
            let ow = cDimension(outWidth), let oh = cDimension(outHeight),
            let handle = csi_resampler_create(iw, ih, ow, oh)
        else { return nil }
        self.handle = handle
        self.outputWidth = outWidth
        self.outputHeight = outHeight
    }

    deinit {
        csi_resampler_destroy(handle)
    }

    /// Pushes one input row; returns true when `output` received a completed output row.
    func push(_ row: UnsafePointer<UInt8>, output: UnsafeMutablePointer<UInt8>) -> Bool {
        csi_resampler_push(handle, row, output) == 1
    }
}

/// A JPEG encoder writing to memory or a file (owns the C writer).
final class JPEGWriter {
    private let handle: OpaquePointer
    let width: Int
    let height: Int

    init(path: String?, width: Int, height: Int, quality: Int, optimize: Bool) throws(ImagingError) {
        guard let w = cDimension(width), let h = cDimension(height) else {
            throw ImagingError(code: .encodeFailed, reason: "invalid JPEG dimensions \(width)x\(height)")
        }
        var status = csi_status()
        let q = Int32(clamping: quality)
        let opened: OpaquePointer?
        if let path {
            opened = csi_jpeg_writer_open(path, w, h, q, optimize ? 1 : 0, &status)
        } else {
            opened = csi_jpeg_writer_open(nil, w, h, q, optimize ? 1 : 0, &status)
        }
        guard let opened else { throw ImagingError(status: status) }
        self.handle = opened
        self.width = width
        self.height = height
    }

    deinit {
        csi_jpeg_writer_close(handle)
    }

    func write(rows: UnsafePointer<UInt8>, count: Int) throws(ImagingError) {
        var status = csi_status()
        if csi_jpeg_writer_write_rows(handle, rows, UInt32(clamping: count), &status) != Int32(CSI_OK) {
            throw ImagingError(status: status)
        }
    }

    func finish() throws(ImagingError) {
        var status = csi_status()
        if csi_jpeg_writer_finish(handle, &status) != Int32(CSI_OK) {
            throw ImagingError(status: status)
        }
    }

    /// The encoded bytes of a finished memory writer.
    func bytes() -> [UInt8] {
        var length = 0
        guard let data = csi_jpeg_writer_data(handle, &length), length > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }
}
