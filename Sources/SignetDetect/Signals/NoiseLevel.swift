import Foundation

/// Local noise-level inconsistency.
///
/// Sensor noise is roughly even across a photograph; a pasted, blurred or sharpened region
/// usually has another noise level. Per 32x32 cell the noise is estimated from the residual of a
/// second-derivative filter that cancels smooth content (robustly: the median absolute residual,
/// so edges count little), and cells far from the picture's typical level, in either direction,
/// are flagged.
enum NoiseLevel {
    static let name = "noise_inconsistency"

    static func measure(_ picture: Picture) -> SignalMeasurement {
        let cell = levelCell(picture)
        let luma = picture.luma
        let grid = CellGrid(width: luma.width, height: luma.height, cell: cell)
        guard grid.columns >= 3, grid.rows >= 3 else {
            return .notApplicable(name, "too small to compare noise levels (\(luma.width)x\(luma.height))")
        }
        let w = luma.width
        var level = [Float](repeating: .nan, count: grid.count)
        luma.samples.withUnsafeBufferPointer { s in
            var histogram = [Int](repeating: 0, count: 512)
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    if picture.isUnjudgeable(column: column, row: row, cell: cell) { continue }
                    for i in 0..<histogram.count { histogram[i] = 0 }
                    var n = 0
                    let y0 = max(1, row * cell), y1 = min(luma.height - 1, (row + 1) * cell)
                    let x0 = max(1, column * cell), x1 = min(w - 1, (column + 1) * cell)
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let i = y * w + x
                            // [1 -2 1; -2 4 -2; 1 -2 1]
                            let r =
                                s[i - w - 1] - 2 * s[i - w] + s[i - w + 1]
                                - 2 * s[i - 1] + 4 * s[i] - 2 * s[i + 1]
                                + s[i + w - 1] - 2 * s[i + w] + s[i + w + 1]
                            histogram[min(511, Int(abs(r) * 2))] += 1
                            n += 1
                        }
                    }
                    guard n > 0 else { continue }
                    var seen = 0
                    var median = 0
                    for (bin, count) in histogram.enumerated() {
                        seen += count
                        if seen * 2 >= n {
                            median = bin
                            break
                        }
                    }
                    // median |N(0, 36 s^2)| = 0.6745 * 6 s; bins are half levels.
                    let sigma = (Float(median) + 0.5) / 2 / 4.047
                    level[row * grid.columns + column] = logf(max(sigma, 0.05))
                }
            }
        }
        return inconsistency(name: name, values: level, grid: grid, cell: cell, what: "noise level")
    }
}

/// Local sharpness inconsistency (a blurred, or upscaled, region).
///
/// Per cell, how much of the picture's detail sits in the finest band: the energy of the picture
/// minus its 3x3 mean against the energy of the 3x3 mean minus the 7x7 mean. Natural detail keeps
/// a fairly steady ratio between the two bands, sharp or not, whatever its contrast; a blur (or an
/// upscale) empties the finest band first, so the ratio of an edited region drops far below the
/// picture's own. Only cells with enough mid-band detail are judged (flat areas say nothing), and
/// only the low side counts: raised ratios are mostly noise and JPEG ringing.
enum BlurLevel {
    static let name = "blur_inconsistency"
    /// Mid-band energy (mean squared grey levels) below which a cell is too flat to judge.
    static let minimumDetail: Float = 2

    static func measure(_ picture: Picture) -> SignalMeasurement {
        let cell = levelCell(picture)
        let luma = picture.luma
        let grid = CellGrid(width: luma.width, height: luma.height, cell: cell)
        guard grid.columns >= 3, grid.rows >= 3 else {
            return .notApplicable(name, "too small to compare sharpness (\(luma.width)x\(luma.height))")
        }
        let w = luma.width, h = luma.height
        var level = [Float](repeating: .nan, count: grid.count)
        // Box sums over a cell plus a 3-pixel margin, from a summed-area table of that tile only.
        let margin = 3
        let tileSide = cell + 2 * margin + 1
        var table = [Float](repeating: 0, count: tileSide * tileSide)
        luma.samples.withUnsafeBufferPointer { s in
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    if picture.isUnjudgeable(column: column, row: row, cell: cell) { continue }
                    let x0 = max(margin, column * cell), x1 = min(w - margin, (column + 1) * cell)
                    let y0 = max(margin, row * cell), y1 = min(h - margin, (row + 1) * cell)
                    guard x1 > x0, y1 > y0 else { continue }
                    let tx = x0 - margin, ty = y0 - margin
                    let tw = x1 - x0 + 2 * margin, th = y1 - y0 + 2 * margin
                    let stride = tw + 1
                    for x in 0...tw { table[x] = 0 }
                    for y in 0..<th {
                        table[(y + 1) * stride] = 0
                        var run: Float = 0
                        for x in 0..<tw {
                            run += s[(ty + y) * w + tx + x]
                            table[(y + 1) * stride + x + 1] = table[y * stride + x + 1] + run
                        }
                    }
                    // Sum of the (2r+1)^2 square centred on tile pixel (x, y).
                    func box(_ x: Int, _ y: Int, _ r: Int) -> Float {
                        let a = (y - r) * stride + (x - r), b = (y + r + 1) * stride + (x + r + 1)
                        return table[b] - table[(y - r) * stride + x + r + 1] - table[(y + r + 1) * stride + x - r] + table[a]
                    }
                    var fine: Float = 0, middle: Float = 0
                    for y in margin..<(th - margin) {
                        for x in margin..<(tw - margin) {
                            let v = s[(ty + y) * w + tx + x]
                            let m3 = box(x, y, 1) / 9, m7 = box(x, y, 3) / 49
                            fine += (v - m3) * (v - m3)
                            middle += (m3 - m7) * (m3 - m7)
                        }
                    }
                    let n = Float((x1 - x0) * (y1 - y0))
                    fine /= n
                    middle /= n
                    guard middle > minimumDetail else { continue }
                    level[row * grid.columns + column] = logf(fine + 0.001) - logf(middle)
                }
            }
        }
        return inconsistency(name: name, values: level, grid: grid, cell: cell, what: "sharpness", lowSideOnly: true)
    }
}

/// Cells of 16 pixels on pictures under a megapixel, 32 above: enough cells to outline a region either way.
func levelCell(_ picture: Picture) -> Int {
    picture.width * picture.height < 1_000_000 ? 16 : 32
}

/// Shared by the per-cell level signals: robust z-scores against the picture's own typical level,
/// pooled over 3x3 cells; the value is the mean |z| of the most deviant 5% of cells. With
/// `lowSideOnly`, only cells below the typical level count (z above it counts as 0).
func inconsistency(
    name: String, values: [Float], grid: CellGrid, cell: Int, what: String, lowSideOnly: Bool = false
) -> SignalMeasurement {
    guard let stats = robustStats(values) else {
        return .notApplicable(name, "too few textured areas to compare the \(what)")
    }
    var z = [Float](repeating: .nan, count: values.count)
    for i in 0..<values.count where values[i].isFinite {
        z[i] = (values[i] - stats.median) / stats.scale
    }
    let pooled = smoothMap(z, columns: grid.columns, rows: grid.rows, radius: 1, minKnown: 3)
    var magnitudes = [Float]()
    var map = [Float](repeating: .nan, count: values.count)
    var low = 0, high = 0
    for i in 0..<pooled.count where pooled[i].isFinite {
        let m = lowSideOnly ? max(0, -pooled[i]) : abs(pooled[i])
        magnitudes.append(m)
        map[i] = squash(m, center: 2.2, width: 0.5)
        if map[i] > 0.5 {
            if pooled[i] < 0 { low += 1 } else { high += 1 }
        }
    }
    guard !magnitudes.isEmpty else {
        return .notApplicable(name, "too few textured areas to compare the \(what)")
    }
    let top = magnitudes.sorted(by: >).prefix(max(1, magnitudes.count / 20))
    let value = Double(top.reduce(0, +) / Float(top.count))
    let total = Double(magnitudes.count)
    let reason: String
    if Double(low + high) < 0.02 * total {
        reason = "the \(what) is consistent across the picture"
    } else {
        var parts: [String] = []
        if Double(low) >= 0.01 * total { parts.append("\(percent(Double(low) / total)) markedly lower") }
        if Double(high) >= 0.01 * total { parts.append("\(percent(Double(high) / total)) markedly higher") }
        reason = "the \(what) is uneven: " + parts.joined(separator: " and ") + " than the rest"
    }
    return SignalMeasurement(name: name, value: value, reason: reason, map: LocalMap(cell: cell, columns: grid.columns, rows: grid.rows, values: map))
}
