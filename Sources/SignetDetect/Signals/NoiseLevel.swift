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

/// Local sharpness inconsistency (blurring and sharpening).
///
/// Per 32x32 cell: the ratio of gradient energy before and after a 3x3 box blur. Sharp detail
/// loses much of its gradient to the blur, already-blurred detail little; an edited region sits
/// far from the rest of the picture, in either direction.
enum BlurLevel {
    static let name = "blur_inconsistency"
    static let cell = 32

    static func measure(_ picture: Picture) -> SignalMeasurement {
        let luma = picture.luma
        let grid = CellGrid(width: luma.width, height: luma.height, cell: cell)
        guard grid.columns >= 3, grid.rows >= 3 else {
            return .notApplicable(name, "too small to compare sharpness (\(luma.width)x\(luma.height))")
        }
        let w = luma.width, h = luma.height
        var level = [Float](repeating: .nan, count: grid.count)
        luma.samples.withUnsafeBufferPointer { s in
            // 3x3 mean at (x, y), 1 <= x < w-1, 1 <= y < h-1 (summed directly: no full-size table).
            func box(_ x: Int, _ y: Int) -> Float {
                let i = y * w + x
                let top = s[i - w - 1] + s[i - w] + s[i - w + 1]
                let middle = s[i - 1] + s[i] + s[i + 1]
                let bottom = s[i + w - 1] + s[i + w] + s[i + w + 1]
                return (top + middle + bottom) / 9
            }
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    if picture.isUnjudgeable(column: column, row: row, cell: cell) { continue }
                    var sharp: Float = 0, soft: Float = 0
                    let y0 = max(2, row * cell), y1 = min(h - 3, (row + 1) * cell)
                    let x0 = max(2, column * cell), x1 = min(w - 3, (column + 1) * cell)
                    guard y1 > y0, x1 > x0 else { continue }
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let i = y * w + x
                            sharp += abs(s[i + 1] - s[i]) + abs(s[i + w] - s[i])
                            let b0 = box(x, y)
                            soft += abs(box(x + 1, y) - b0) + abs(box(x, y + 1) - b0)
                        }
                    }
                    let n = Float((y1 - y0) * (x1 - x0))
                    guard soft / n > 0.4 else { continue }  // too little detail to judge
                    level[row * grid.columns + column] = logf(sharp / soft)
                }
            }
        }
        return inconsistency(name: name, values: level, grid: grid, cell: cell, what: "sharpness")
    }
}

/// Cells of 16 pixels on pictures under a megapixel, 32 above: enough cells to outline a region either way.
func levelCell(_ picture: Picture) -> Int {
    picture.width * picture.height < 1_000_000 ? 16 : 32
}

/// Shared by the per-cell level signals: robust z-scores against the picture's own typical level,
/// pooled over 3x3 cells; the value is the mean |z| of the most deviant 5% of cells.
func inconsistency(name: String, values: [Float], grid: CellGrid, cell: Int, what: String) -> SignalMeasurement {
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
        let m = abs(pooled[i])
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
