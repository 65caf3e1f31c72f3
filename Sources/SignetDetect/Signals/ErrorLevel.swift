import Foundation
import SignetImaging

/// Error level analysis, the classical baseline: save the picture again at quality 90 and look at
/// where it changes most. Regions that were compressed fewer times than the rest change more.
/// Kept as a signal so the benchmark can report it beside the others in the same run.
enum ErrorLevel {
    static let name = "error_level"
    static let cell = 16
    static let quality = 90

    static func measure(_ picture: Picture) -> SignalMeasurement {
        let grid = CellGrid(width: picture.width, height: picture.height, cell: cell)
        guard grid.columns >= 3, grid.rows >= 3 else {
            return .notApplicable(name, "too small for error level analysis (\(picture.width)x\(picture.height))")
        }
        let resaved: RGBImage
        do {
            resaved = try ImageCodec.roundTripJPEG(picture.rgb, quality: quality)
        } catch {
            return .notApplicable(name, "could not re-encode the picture: \(error.reason)")
        }
        let w = picture.width
        var level = [Float](repeating: .nan, count: grid.count)
        picture.rgb.pixels.withUnsafeBufferPointer { a in
            resaved.pixels.withUnsafeBufferPointer { b in
                for row in 0..<grid.rows {
                    for column in 0..<grid.columns {
                        if picture.isUnjudgeable(column: column, row: row, cell: cell) { continue }
                        var total: Float = 0
                        for y in row * cell..<(row + 1) * cell {
                            let base = (y * w + column * cell) * 3
                            for i in base..<base + cell * 3 { total += abs(Float(a[i]) - Float(b[i])) }
                        }
                        level[row * grid.columns + column] = total / Float(cell * cell * 3)
                    }
                }
            }
        }
        let known = level.filter { $0.isFinite }
        guard known.count >= 9 else {
            return .notApplicable(name, "too few textured areas for error level analysis")
        }
        let median = max(quantile(known, 0.5), 0.05)
        let map = level.map { $0.isFinite ? squash($0 / median, center: 2, width: 0.3) : Float.nan }
        let top = known.sorted(by: >).prefix(max(1, known.count / 20))
        let value = Double(top.reduce(0, +) / Float(top.count) / median)
        let reason = "re-saving at quality \(quality) changes the most-changed 5% of the picture \(String(format: "%.1f", value))x more than the median"
        return SignalMeasurement(
            name: name, value: value, reason: reason,
            map: LocalMap(cell: cell, columns: grid.columns, rows: grid.rows, values: map))
    }
}
