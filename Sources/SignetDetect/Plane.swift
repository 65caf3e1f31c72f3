import Foundation
import SignetImaging

/// A single-channel picture of Float samples (0...255 for luminance), row-major.
struct Plane: Sendable {
    var width: Int
    var height: Int
    var samples: [Float]

    init(width: Int, height: Int, samples: [Float]) {
        precondition(samples.count == width * height)
        self.width = width
        self.height = height
        self.samples = samples
    }

    init(width: Int, height: Int, fill: Float = 0) {
        self.init(width: width, height: height, samples: [Float](repeating: fill, count: width * height))
    }

    /// BT.601 luminance of an RGB image (what JPEG's Y channel holds).
    init(luminanceOf image: RGBImage) {
        let count = image.width * image.height
        var out = [Float](repeating: 0, count: count)
        image.pixels.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { y in
                for i in 0..<count {
                    let r = Float(px[3 * i]), g = Float(px[3 * i + 1]), b = Float(px[3 * i + 2])
                    y[i] = 0.299 * r + 0.587 * g + 0.114 * b
                }
            }
        }
        self.init(width: image.width, height: image.height, samples: out)
    }

    subscript(x: Int, y: Int) -> Float {
        get { samples[y * width + x] }
        set { samples[y * width + x] = newValue }
    }

    /// Summed-area table with one row and column of zeros in front ((w+1) x (h+1), Double).
    func integral(squared: Bool = false) -> [Double] {
        let w1 = width + 1
        var table = [Double](repeating: 0, count: w1 * (height + 1))
        samples.withUnsafeBufferPointer { s in
            table.withUnsafeMutableBufferPointer { t in
                for y in 0..<height {
                    var run = 0.0
                    for x in 0..<width {
                        let v = Double(s[y * width + x])
                        run += squared ? v * v : v
                        t[(y + 1) * w1 + x + 1] = t[y * w1 + x + 1] + run
                    }
                }
            }
        }
        return table
    }

    /// The mean over k x k squares, downscaled by k (area average); the ragged edge is dropped.
    func shrunk(by k: Int) -> Plane {
        guard k > 1 else { return self }
        let w = width / k, h = height / k
        var out = [Float](repeating: 0, count: w * h)
        let scale = 1 / Float(k * k)
        samples.withUnsafeBufferPointer { s in
            for y in 0..<h {
                for x in 0..<w {
                    var sum: Float = 0
                    for dy in 0..<k {
                        let row = (y * k + dy) * width + x * k
                        for dx in 0..<k { sum += s[row + dx] }
                    }
                    out[y * w + x] = sum * scale
                }
            }
        }
        return Plane(width: w, height: h, samples: out)
    }
}

/// Per-cell statistics on a grid of square cells.
struct CellGrid {
    var cell: Int
    var columns: Int
    var rows: Int

    init(width: Int, height: Int, cell: Int) {
        self.cell = cell
        self.columns = max(0, width / cell)
        self.rows = max(0, height / cell)
    }

    var count: Int { columns * rows }
}

/// Robust location and scale of finite values: median and 1.4826 * MAD.
func robustStats(_ values: [Float]) -> (median: Float, scale: Float)? {
    let finite = values.filter { $0.isFinite }
    guard finite.count >= 4 else { return nil }
    let median = quantile(finite, 0.5)
    let deviations = finite.map { abs($0 - median) }
    return (median, max(1.4826 * quantile(deviations, 0.5), 1e-6))
}

/// The q-quantile (0...1) of values (nearest rank on a sorted copy); 0 for an empty array.
func quantile(_ values: [Float], _ q: Double) -> Float {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let index = min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * q).rounded())))
    return sorted[index]
}

/// Box-filters a map on its grid over a (2r+1)^2 window, ignoring NaN cells; cells whose window
/// holds fewer than `minKnown` known cells stay NaN.
func smoothMap(_ values: [Float], columns: Int, rows: Int, radius r: Int, minKnown: Int = 1) -> [Float] {
    var out = [Float](repeating: .nan, count: values.count)
    for y in 0..<rows {
        for x in 0..<columns {
            var sum: Float = 0
            var n = 0
            for yy in max(0, y - r)...min(rows - 1, y + r) {
                for xx in max(0, x - r)...min(columns - 1, x + r) {
                    let v = values[yy * columns + xx]
                    if v.isFinite {
                        sum += v
                        n += 1
                    }
                }
            }
            if n >= minKnown { out[y * columns + x] = sum / Float(n) }
        }
    }
    return out
}

/// A logistic squashing of z-scores to 0...1 (0.5 at `center`).
@inline(__always)
func squash(_ z: Float, center: Float, width: Float) -> Float {
    1 / (1 + expf(-(z - center) / width))
}
