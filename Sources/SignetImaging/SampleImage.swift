import CSignetImaging

/// Deterministic synthetic pictures for tests, demos and benchmarks.
///
/// The picture (identical for a given width, height and seed, row by row or whole): a sky
/// gradient with a soft sun, a wavy horizon, value-noise textured ground, seven seeded shapes
/// (soft-edged ellipses and rectangles with shading) and ±4 grain per channel. Generation is
/// integer hashing plus basic floating-point arithmetic in C, so rows are cheap enough to stream
/// images of tens of megapixels.
///
/// Noisy variant (``fillNoisyRow(y:width:height:seed:into:)``): the same picture with independent
/// per-channel noise of about ±84, which leaves JPEG little to compress (about one byte per pixel).
/// Baseline JPEG sizes written with ``ImageCodec/writeJPEG(path:width:height:quality:row:)`` at
/// quality 95, seed 1 (listed in ``noisyBenchmarkSizes``):
///
/// | dimensions  | pixels | JPEG size       |
/// |-------------|--------|-----------------|
/// | 1184 x 888  | 1.05 M | 1,041,711 bytes |
/// | 3280 x 2460 | 8.07 M | 7,973,549 bytes |
/// | 8000 x 6000 | 48.0 M | 47,331,071 bytes |
public enum SampleImage {
    /// 4:3 dimensions whose noisy JPEGs at quality 95 (seed 1) are about 1, 8 and 48 MB.
    public static let noisyBenchmarkSizes: [(label: String, width: Int, height: Int)] = [
        ("1MB", 1184, 888),
        ("8MB", 3280, 2460),
        ("48MB", 8000, 6000),
    ]

    /// A deterministic, natural-looking test picture (smooth gradients, a few shapes, mild
    /// texture/noise), seeded. Non-positive or overflowing dimensions give an empty 0x0 image.
    public static func generate(width: Int, height: Int, seed: UInt64 = 1) -> RGBImage {
        guard let count = rgbByteCount(width: width, height: height),
            cDimension(width) != nil, cDimension(height) != nil
        else {
            return RGBImage(width: 0, height: 0, pixels: [])
        }
        var pixels = [UInt8](repeating: 0, count: count)
        let rowBytes = width * 3
        pixels.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for y in 0..<height {
                fillRow(
                    y: y, width: width, height: height, seed: seed,
                    into: UnsafeMutableBufferPointer(start: base + y * rowBytes, count: rowBytes))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Fills one row (`width * 3` bytes of RGB) of the picture ``generate(width:height:seed:)``
    /// makes, for streaming huge images. If `into` is shorter, only the pixels that fit are
    /// written; invalid coordinates write nothing.
    public static func fillRow(y: Int, width: Int, height: Int, seed: UInt64, into: UnsafeMutableBufferPointer<UInt8>) {
        fill(y: y, width: width, height: height, seed: seed, into: into, noisy: false)
    }

    /// Fills one row of the high-entropy (heavy noise) variant of the picture, so that JPEGs of a
    /// target byte size can be generated; see the table in the type's documentation for the
    /// dimensions that give about 1, 8 and 48 MB at quality 95.
    public static func fillNoisyRow(y: Int, width: Int, height: Int, seed: UInt64, into: UnsafeMutableBufferPointer<UInt8>) {
        fill(y: y, width: width, height: height, seed: seed, into: into, noisy: true)
    }

    private static func fill(
        y: Int, width: Int, height: Int, seed: UInt64, into: UnsafeMutableBufferPointer<UInt8>, noisy: Bool
    ) {
        guard let w = cDimension(width), let h = cDimension(height), y >= 0, y < height,
            let rowBytes = rgbByteCount(width: width, height: 1), let base = into.baseAddress
        else { return }
        let row = UInt32(truncatingIfNeeded: y)
        if into.count >= rowBytes {
            if noisy {
                csi_sample_fill_noisy_row(row, w, h, seed, base)
            } else {
                csi_sample_fill_row(row, w, h, seed, base)
            }
            return
        }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: rowBytes)
        defer { scratch.deallocate() }
        if noisy {
            csi_sample_fill_noisy_row(row, w, h, seed, scratch)
        } else {
            csi_sample_fill_row(row, w, h, seed, scratch)
        }
        let usable = into.count - into.count % 3
        base.update(from: scratch, count: usable)
    }
}
