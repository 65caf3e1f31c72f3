import Foundation

/// Resampling traces: the periodic correlations interpolation leaves in a scaled or rotated region.
///
/// Per 32x32 cell (analysed over a 64-pixel window around it) the absolute second derivative is
/// averaged along rows and along columns, and the spectrum of each profile is searched for a peak
/// away from the 8x8 JPEG grid's own harmonics. Cells whose periodicity stands far above the
/// picture's typical level are flagged.
enum Resampling {
    static let name = "resampling"
    static let cell = 32
    static let window = 64

    static func measure(_ picture: Picture) -> SignalMeasurement {
        let luma = picture.luma
        let grid = CellGrid(width: luma.width, height: luma.height, cell: cell)
        guard grid.columns >= 3, grid.rows >= 3, luma.width >= window, luma.height >= window else {
            return .notApplicable(name, "too small to look for resampling (\(luma.width)x\(luma.height))")
        }
        let w = luma.width, h = luma.height
        let n = window
        // Spectral bins examined: away from DC and from multiples of n/8 (the JPEG grid).
        let bins = (3...(n / 2)).filter { $0 % (n / 8) != 0 && ($0 + 1) % (n / 8) != 0 && ($0 - 1) % (n / 8) != 0 }
        let cosines = (0..<(n / 2 + 1)).map { k in (0..<n).map { cos(2 * Float.pi * Float(k * $0) / Float(n)) } }
        let sines = (0..<(n / 2 + 1)).map { k in (0..<n).map { sin(2 * Float.pi * Float(k * $0) / Float(n)) } }
        func peakiness(_ profile: [Float]) -> Float {
            let mean = profile.reduce(0, +) / Float(profile.count)
            var magnitudes: [Float] = []
            for k in bins {
                var re: Float = 0, im: Float = 0
                for t in 0..<n {
                    let v = profile[t] - mean
                    re += v * cosines[k][t]
                    im += v * sines[k][t]
                }
                magnitudes.append(sqrtf(re * re + im * im))
            }
            let sorted = magnitudes.sorted()
            let median = sorted[sorted.count / 2]
            return (sorted.last ?? 0) / max(median, 1e-3)
        }
        var level = [Float](repeating: .nan, count: grid.count)
        luma.samples.withUnsafeBufferPointer { s in
            var rows = [Float](repeating: 0, count: n)
            var columns = [Float](repeating: 0, count: n)
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    if picture.isUnjudgeable(column: column, row: row, cell: cell) { continue }
                    let x0 = min(max(1, column * cell + cell / 2 - n / 2), w - n - 1)
                    let y0 = min(max(1, row * cell + cell / 2 - n / 2), h - n - 1)
                    guard x0 >= 1, y0 >= 1 else { continue }
                    for t in 0..<n {
                        rows[t] = 0
                        columns[t] = 0
                    }
                    for y in y0..<y0 + n {
                        let base = y * w
                        for x in x0..<x0 + n {
                            let i = base + x
                            rows[x - x0] += abs(s[i - 1] - 2 * s[i] + s[i + 1])
                            columns[y - y0] += abs(s[i - w] - 2 * s[i] + s[i + w])
                        }
                    }
                    level[row * grid.columns + column] = logf(max(peakiness(rows), peakiness(columns)))
                }
            }
        }
        guard let stats = robustStats(level) else {
            return .notApplicable(name, "too few textured areas to look for resampling")
        }
        var map = [Float](repeating: .nan, count: grid.count)
        var z: [Float] = []
        for i in 0..<grid.count where level[i].isFinite {
            let score = (level[i] - stats.median) / stats.scale
            z.append(score)
            map[i] = score
        }
        let pooled = smoothMap(map, columns: grid.columns, rows: grid.rows, radius: 1, minKnown: 3)
        var out = [Float](repeating: .nan, count: grid.count)
        var pooledValues: [Float] = []
        for i in 0..<grid.count where pooled[i].isFinite {
            pooledValues.append(pooled[i])
            out[i] = squash(pooled[i], center: 1.8, width: 0.4)
        }
        let top = pooledValues.sorted(by: >).prefix(max(1, pooledValues.count / 20))
        let value = Double(top.reduce(0, +) / Float(max(1, top.count)))
        let flagged = out.filter { $0.isFinite && $0 > 0.5 }.count
        let share = Double(flagged) / Double(max(1, pooledValues.count))
        let reason =
            share >= 0.02
            ? "periodic interpolation traces in \(percent(share)) of the picture (a scaled or rotated region)"
            : "no localised resampling traces"
        return SignalMeasurement(
            name: name, value: value, reason: reason,
            map: LocalMap(cell: cell, columns: grid.columns, rows: grid.rows, values: out))
    }
}
