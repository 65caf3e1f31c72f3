import Foundation

/// 8x8 grid misalignment: blocking artefacts of an earlier JPEG compression that do not sit on the
/// final grid.
///
/// Every JPEG save leaves slightly stronger pixel differences across the boundaries of its 8x8
/// blocks. A region pasted from another JPEG, or moved by a shift that is not a multiple of 8,
/// carries its old boundaries at another phase. Per 32x32 cell (pooled over 3x3 cells) this
/// signal measures how much one phase other than the picture's dominant one stands out, in both
/// directions at once.
enum GridAlignment {
    static let name = "grid_alignment"
    static let cell = 32

    static func measure(_ picture: Picture) -> SignalMeasurement {
        let luma = picture.luma
        let grid = CellGrid(width: luma.width, height: luma.height, cell: cell)
        guard grid.columns >= 3, grid.rows >= 3 else {
            return .notApplicable(name, "too small to compare 8x8 grids (\(luma.width)x\(luma.height))")
        }
        // Per cell, mean absolute difference across each boundary phase, both directions.
        var horizontal = [Float](repeating: 0, count: grid.count * 8)
        var vertical = [Float](repeating: 0, count: grid.count * 8)
        let w = luma.width
        luma.samples.withUnsafeBufferPointer { s in
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    let c = row * grid.columns + column
                    // The step across the boundary between x and x+1 with the local slope removed:
                    // |L(x-1) - L(x) - L(x+1) + L(x+2)|, so smooth gradients do not look like block edges.
                    for y in row * cell..<(row + 1) * cell {
                        let base = y * w
                        let x0 = column * cell
                        for x in max(1, x0)..<min(x0 + cell, w - 2) {
                            let i = base + x
                            horizontal[c * 8 + (x & 7)] += abs(s[i - 1] - s[i] - s[i + 1] + s[i + 2])
                        }
                        if y >= 1 && y + 2 < luma.height {
                            for x in x0..<x0 + cell {
                                let i = base + x
                                vertical[c * 8 + (y & 7)] += abs(s[i - w] - s[i] - s[i + w] + s[i + 2 * w])
                            }
                        }
                    }
                }
            }
        }
        // The picture's dominant phase (7 for a JPEG: the boundary between pixels 7 and 8).
        func dominant(_ profile: [Float]) -> Int {
            var total = [Float](repeating: 0, count: 8)
            for i in 0..<profile.count { total[i & 7] += profile[i] }
            return total.indices.max { total[$0] < total[$1] } ?? 7
        }
        let globalH = picture.dct != nil ? 7 : dominant(horizontal)
        let globalV = picture.dct != nil ? 7 : dominant(vertical)
        let history = picture.dct != nil || hasGlobalGrid(horizontal, globalH) || hasGlobalGrid(vertical, globalV)
        guard history else {
            return .notApplicable(name, "no JPEG history: the picture shows no 8x8 block grid")
        }
        var strength = [Float](repeating: .nan, count: grid.count)
        var phases = [Int](repeating: -1, count: grid.count)
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                var h = [Float](repeating: 0, count: 8), v = [Float](repeating: 0, count: 8)
                for yy in max(0, row - 1)...min(grid.rows - 1, row + 1) {
                    for xx in max(0, column - 1)...min(grid.columns - 1, column + 1) {
                        let c = yy * grid.columns + xx
                        for p in 0..<8 {
                            h[p] += horizontal[c * 8 + p]
                            v[p] += vertical[c * 8 + p]
                        }
                    }
                }
                let (sh, ph) = secondaryPeak(h, excluding: globalH)
                let (sv, pv) = secondaryPeak(v, excluding: globalV)
                // Both directions must agree that some other grid is there.
                strength[row * grid.columns + column] = min(sh, sv)
                phases[row * grid.columns + column] = ph * 8 + pv
                if picture.isUnjudgeable(column: column, row: row, cell: cell) {
                    strength[row * grid.columns + column] = .nan
                }
            }
        }
        guard let stats = robustStats(strength) else {
            return .notApplicable(name, "too few textured areas to compare 8x8 grids")
        }
        var map = [Float](repeating: .nan, count: grid.count)
        var z = [Float]()
        for i in 0..<grid.count where strength[i].isFinite {
            let score = (strength[i] - stats.median) / stats.scale
            z.append(score)
            map[i] = squash(score, center: 3, width: 0.7)
        }
        let top = z.sorted(by: >).prefix(max(1, z.count / 20))
        let value = Double(top.reduce(0, +) / Float(top.count))
        let flagged = map.filter { $0.isFinite && $0 > 0.5 }.count
        let share = Double(flagged) / Double(max(1, z.count))
        let reason =
            share >= 0.06
            ? "\(percent(share)) of the picture carries 8x8 blocking off the final grid (pasted or shifted JPEG content)"
            : "blocking artefacts sit on one grid throughout"
        return SignalMeasurement(
            name: name, value: value, reason: reason,
            map: LocalMap(cell: cell, columns: grid.columns, rows: grid.rows, values: map))
    }

    /// (peak - median) / mean of the phases other than `excluding`, and the peak phase.
    static func secondaryPeak(_ profile: [Float], excluding: Int) -> (Float, Int) {
        let mean = profile.reduce(0, +) / 8
        guard mean > 0 else { return (0, -1) }
        var others: [(Float, Int)] = []
        for p in 0..<8 where p != excluding { others.append((profile[p], p)) }
        let sorted = others.map(\.0).sorted()
        let median = sorted[sorted.count / 2]
        let peak = others.max { $0.0 < $1.0 } ?? (0, -1)
        return ((peak.0 - median) / mean, peak.1)
    }

    /// Whether one phase stands out over the whole picture (a PNG that was once a JPEG).
    static func hasGlobalGrid(_ profile: [Float], _ phase: Int) -> Bool {
        var total = [Float](repeating: 0, count: 8)
        for i in 0..<profile.count { total[i & 7] += profile[i] }
        let others = (0..<8).filter { $0 != phase }.map { total[$0] }.sorted()
        let median = others[others.count / 2]
        return median > 0 && total[phase] > median * 1.04
    }
}
