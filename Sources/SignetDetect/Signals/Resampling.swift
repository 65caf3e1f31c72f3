import Foundation

/// Resampling traces: the periodic correlations interpolation leaves in a scaled or rotated region.
///
/// Interpolated pixels are linear combinations of their neighbours in a pattern that repeats with
/// the resampling period. Following Kirchner's fixed-predictor method, every pixel is predicted from
/// its eight neighbours with fixed weights; the residual is mapped to a probability-like value
/// p = exp(-e^2 / 2), high where the pixel is well predicted. In a resampled region p is periodic:
/// the 2-D spectrum of p over a 64x64 window shows sharp peaks. Peaks on the 8-pixel lattice (the
/// JPEG grid's own) and near the origin (content) are ignored; the rest are compared with the
/// spectrum's median, and windows far above the picture's typical peak level are flagged.
enum Resampling {
    static let name = "resampling"
    static let window = 64

    static func measure(_ picture: Picture) -> SignalMeasurement {
        let luma = picture.luma
        let w = luma.width, h = luma.height
        guard w >= 2 * window, h >= 2 * window else {
            return .notApplicable(name, "too small to look for resampling (\(w)x\(h))")
        }
        // Windows overlap by half on pictures up to a megapixel, tile them up to 4, and sample every
        // other one in both directions above (bounded work; a resampled region large enough to matter
        // at that size still covers several windows).
        let pixels = w * h
        let stride = pixels <= 1_000_000 ? window / 2 : pixels <= 4_000_000 ? window : 2 * window
        let columns = (w - window) / stride + 1, rows = (h - window) / stride + 1
        var level = [Float](repeating: .nan, count: columns * rows)
        var fft = FFT64()
        let n = window
        // Residual map p, computed once.
        var p = [Float](repeating: 0, count: w * h)
        luma.samples.withUnsafeBufferPointer { s in
            for y in 1..<(h - 1) {
                for x in 1..<(w - 1) {
                    let i = y * w + x
                    let cross = s[i - 1] + s[i + 1] + s[i - w] + s[i + w]
                    let diagonal = s[i - w - 1] + s[i - w + 1] + s[i + w - 1] + s[i + w + 1]
                    let e = s[i] - (0.5 * cross - 0.25 * diagonal)
                    p[i] = expf(-e * e / 2)
                }
            }
        }
        var re = [Float](repeating: 0, count: n * n), im = [Float](repeating: 0, count: n * n)
        var magnitudes: [Float] = []
        magnitudes.reserveCapacity(n * n)
        for row in 0..<rows {
            for column in 0..<columns {
                let x0 = column * stride, y0 = row * stride
                let cellX = (x0 + n / 2) / Picture.flatnessCell, cellY = (y0 + n / 2) / Picture.flatnessCell
                if picture.isUnjudgeable(column: x0 / n, row: y0 / n, cell: n) && cellX >= 0 && cellY >= 0 { continue }
                var mean: Float = 0
                for y in 0..<n {
                    for x in 0..<n { mean += p[(y0 + y) * w + x0 + x] }
                }
                mean /= Float(n * n)
                for y in 0..<n {
                    for x in 0..<n {
                        re[y * n + x] = p[(y0 + y) * w + x0 + x] - mean
                        im[y * n + x] = 0
                    }
                }
                fft.transform2D(&re, &im)
                magnitudes.removeAll(keepingCapacity: true)
                var peak: Float = 0
                for ky in 0..<n {
                    for kx in 0...(n / 2) {
                        let fx = min(kx, n - kx), fy = min(ky, n - ky)
                        if fx * fx + fy * fy < 16 { continue }  // content near the origin
                        if nearLattice(fx) && nearLattice(fy) { continue }  // the 8x8 grid's harmonics
                        let m = (re[ky * n + kx] * re[ky * n + kx] + im[ky * n + kx] * im[ky * n + kx]).squareRoot()
                        magnitudes.append(m)
                        peak = max(peak, m)
                    }
                }
                guard magnitudes.count > 16 else { continue }
                let median = quickMedian(&magnitudes)
                level[row * columns + column] = logf(max(peak, 1e-6) / max(median, 1e-6))
            }
        }
        guard let stats = robustStats(level) else {
            return .notApplicable(name, "too few textured areas to look for resampling")
        }
        var z = [Float](repeating: .nan, count: level.count)
        var values: [Float] = []
        for i in 0..<level.count where level[i].isFinite {
            z[i] = (level[i] - stats.median) / stats.scale
            values.append(z[i])
        }
        let top = values.sorted(by: >).prefix(max(1, values.count / 20))
        let value = Double(top.reduce(0, +) / Float(top.count))
        // Map on cells of `stride` pixels: each window's score lands on the cells it covers.
        let cell = stride
        let mapColumns = w / cell, mapRows = h / cell
        var sum = [Float](repeating: 0, count: mapColumns * mapRows), count = [Float](repeating: 0, count: mapColumns * mapRows)
        for row in 0..<rows {
            for column in 0..<columns where z[row * columns + column].isFinite {
                let v = squash(z[row * columns + column], center: 3, width: 0.6)
                for cy in (row * stride) / cell..<min(mapRows, (row * stride + n) / cell) {
                    for cx in (column * stride) / cell..<min(mapColumns, (column * stride + n) / cell) {
                        sum[cy * mapColumns + cx] += v
                        count[cy * mapColumns + cx] += 1
                    }
                }
            }
        }
        let map = zip(sum, count).map { $1 > 0 ? $0 / $1 : Float.nan }
        let flagged = values.filter { $0 > 3 }.count
        let share = Double(flagged) / Double(max(1, values.count))
        let reason =
            share >= 0.03
            ? "periodic interpolation traces in \(percent(share)) of the picture (a scaled or rotated region)"
            : "no localised resampling traces"
        return SignalMeasurement(
            name: name, value: value, reason: reason,
            map: LocalMap(cell: cell, columns: mapColumns, rows: mapRows, values: map))
    }

    @inline(__always)
    static func nearLattice(_ f: Int) -> Bool {
        let r = f % 8
        return r <= 1 || r >= 7
    }

    /// The median of `values` (reorders them).
    static func quickMedian(_ values: inout [Float]) -> Float {
        let k = values.count / 2
        var lo = 0, hi = values.count - 1
        while lo < hi {
            let pivot = values[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { break }
        }
        return values[k]
    }
}

/// A 64-point radix-2 FFT, applied to rows then columns for a 64x64 2-D transform.
struct FFT64 {
    static let n = 64
    private let cosines: [Float]
    private let sines: [Float]
    private let reversed: [Int]
    private var rowRe = [Float](repeating: 0, count: 64)
    private var rowIm = [Float](repeating: 0, count: 64)

    init() {
        let n = FFT64.n
        cosines = (0..<n / 2).map { cos(2 * Float.pi * Float($0) / Float(n)) }
        sines = (0..<n / 2).map { -sin(2 * Float.pi * Float($0) / Float(n)) }
        reversed = (0..<n).map { i in
            var r = 0
            var v = i
            for _ in 0..<6 {
                r = (r << 1) | (v & 1)
                v >>= 1
            }
            return r
        }
    }

    func transform(_ re: inout [Float], _ im: inout [Float]) {
        let n = FFT64.n
        for i in 0..<n where i < reversed[i] {
            re.swapAt(i, reversed[i])
            im.swapAt(i, reversed[i])
        }
        var size = 2
        while size <= n {
            let half = size / 2, stepSize = n / size
            for start in Swift.stride(from: 0, to: n, by: size) {
                for k in 0..<half {
                    let c = cosines[k * stepSize], s = sines[k * stepSize]
                    let a = start + k, b = a + half
                    let tr = re[b] * c - im[b] * s
                    let ti = re[b] * s + im[b] * c
                    re[b] = re[a] - tr
                    im[b] = im[a] - ti
                    re[a] += tr
                    im[a] += ti
                }
            }
            size *= 2
        }
    }

    mutating func transform2D(_ re: inout [Float], _ im: inout [Float]) {
        let n = FFT64.n
        var rowRe = self.rowRe, rowIm = self.rowIm
        for y in 0..<n {
            for x in 0..<n {
                rowRe[x] = re[y * n + x]
                rowIm[x] = im[y * n + x]
            }
            transform(&rowRe, &rowIm)
            for x in 0..<n {
                re[y * n + x] = rowRe[x]
                im[y * n + x] = rowIm[x]
            }
        }
        for x in 0..<n {
            for y in 0..<n {
                rowRe[y] = re[y * n + x]
                rowIm[y] = im[y * n + x]
            }
            transform(&rowRe, &rowIm)
            for y in 0..<n {
                re[y * n + x] = rowRe[y]
                im[y * n + x] = rowIm[y]
            }
        }
        self.rowRe = rowRe
        self.rowIm = rowIm
    }
}
