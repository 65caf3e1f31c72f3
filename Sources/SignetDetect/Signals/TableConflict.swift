import Foundation
import SignetImaging

/// Two different earlier saves on the same grid: a region whose coefficients prefer another first-save
/// table than the rest of the picture.
///
/// `double_compression` finds one first-save table for the whole picture and flags regions that lack its
/// trace. A region that was compressed on its own between the saves (pasted from another save of the same
/// picture, or recompressed locally, on the aligned grid) carries a comb of *another* table. When that table
/// is coarser its comb is a sub-lattice of the global one, so the global model explains it too and the region
/// does not stand out there; when the global trace is faint (a coarse final save), no global table is found
/// at all. Here every libjpeg table from quality 30 to 100 is a candidate: each 8x8 block gets, per
/// candidate, the log-likelihood ratio "double with that table" against "single" (the same per-frequency
/// models as `double_compression`), minus the same ratio for the picture's own best table (or 0 when it has
/// none). Summed over windows of blocks, a large positive sum means a region that another first save
/// explains clearly better than the one the rest of the picture shows.
enum TableConflict {
    static let name = "table_conflict"
    static let qualities = 30...100
    /// Windows of 11x11 blocks (5x5, 9x9, 13x13 and 17x17 scored lower on the benchmark's train split).
    static let radius = 5
    /// Larger pictures are judged on every k-th block of every k-th row.
    static let maxSampledBlocks = 12_000

    struct Candidate {
        var quality: Int
        var gain: Double
        var models: [DoubleCompression.FrequencyModel]
    }

    static func measure(_ picture: Picture) -> SignalMeasurement {
        guard let dct = picture.dct, let luma = dct.components.first else {
            return .notApplicable(name, "not a JPEG: there are no DCT coefficients to read")
        }
        let w = luma.widthInBlocks, h = luma.heightInBlocks
        let blocks = w * h
        guard blocks >= 64, luma.coefficients.count == blocks * 64 else {
            return .notApplicable(name, "too few 8x8 blocks to judge (\(blocks))")
        }
        let acs = DoubleCompression.zigzagRange.compactMap {
            DoubleCompression.ACHistogram(luma, natural: zigzagToNatural[$0])
        }
        let dc = DoubleCompression.DCHistogram(luma)
        guard acs.count >= 2 else {
            return .notApplicable(name, "too few textured frequencies to compare first-save tables")
        }
        var samples = 0.0
        for a in acs { samples += a.nonzero }
        // Every candidate table with every frequency it has a model for (whatever its global gain: a table
        // that explains only a region may lose on the whole picture). Tables with the same first steps are one.
        var candidates: [Candidate] = []
        var seen = Set<[Int]>()
        for quality in qualities {
            let table = StandardTables.luminance(quality: quality)
            var gain = 0.0
            var models: [DoubleCompression.FrequencyModel] = []
            for a in acs {
                guard let fit = a.fit(primaries: [Int(table[a.natural])]) else { continue }
                gain += fit.gain
                models.append(fit.model)
            }
            if let dc, let fit = dc.fit(primaries: [Int(table[0])]) {
                gain += fit.gain
                models.append(fit.model)
            }
            let key = models.map { $0.natural * 1000 + $0.primaryStep }
            guard models.count >= 2, seen.insert(key).inserted else { continue }
            candidates.append(Candidate(quality: quality, gain: gain, models: models))
        }
        guard !candidates.isEmpty else {
            return .notApplicable(name, "no first-save table differs from the final one")
        }
        // The picture's own first save: the best table, when it explains the histograms clearly (the rule
        // `double_compression` uses); else none, and the reference evidence is "saved once" (0).
        let best = candidates.max { $0.gain < $1.gain }!
        let global: Candidate? = best.gain > max(25, 0.01 * samples) ? best : nil
        // Blocks judged: every block, or on a picture over about 12,000 blocks every k-th block of every k-th
        // row (the windows then count sampled blocks, so the statistic keeps its scale and covers more pixels).
        let stride = max(1, Int((Double(blocks) / Double(maxSampledBlocks)).squareRoot().rounded(.up)))
        let columns = (w + stride - 1) / stride, rows = (h + stride - 1) / stride
        var judged = [Bool](repeating: true, count: columns * rows)
        var sampled = [Int](repeating: 0, count: columns * rows)
        for y in 0..<rows {
            for x in 0..<columns {
                let bx = x * stride, by = y * stride
                sampled[y * columns + x] = by * w + bx
                if by < picture.flatnessGrid.rows, bx < picture.flatnessGrid.columns,
                    picture.unjudgeable[by * picture.flatnessGrid.columns + bx]
                {
                    judged[y * columns + x] = false
                }
            }
        }
        let coefficients = gather(luma, sampled)
        let reference = global.map { evidence(coefficients, $0.models, judged) } ?? [Float](repeating: 0, count: judged.count)
        var top: (value: Float, quality: Int) = (-.infinity, 0)
        for candidate in candidates where candidate.quality != global?.quality {
            var d = evidence(coefficients, candidate.models, judged)
            for i in 0..<d.count { d[i] -= reference[i] }
            let m = maxWindow(d, judged, columns: columns, rows: rows, radius: radius)
            if m > top.value { top = (m, candidate.quality) }
        }
        guard top.value.isFinite else {
            return .notApplicable(name, "too few textured blocks to compare")
        }
        let value = Double(top.value)
        let own = global.map { "quality \($0.quality)" } ?? "none found, as if saved once"
        let reason: String
        if value > 10 {
            reason = "a region's coefficients prefer an earlier save at about quality \(top.quality) to the rest of the picture's (\(own)), by \(Int(value.rounded())) nats: compressed on its own before the last save"
        } else if value > 0 {
            reason = "no region clearly prefers another earlier save than the rest of the picture's (\(own))"
        } else {
            reason = "every region fits the picture's own earlier save (\(own)) at least as well as any other, by \(Int((-value).rounded())) nats"
        }
        return SignalMeasurement(name: name, value: value, reason: reason)
    }

    /// The DC and the judged AC coefficients (zigzag 1...27) of the sampled blocks, block after block.
    static let positions = [0] + DoubleCompression.zigzagRange.map { zigzagToNatural[$0] }

    static func gather(_ component: DCTComponent, _ sampled: [Int]) -> [Int16] {
        let n = positions.count
        var out = [Int16](repeating: 0, count: sampled.count * n)
        component.coefficients.withUnsafeBufferPointer { c in
            for (i, b) in sampled.enumerated() {
                for (j, k) in positions.enumerated() { out[i * n + j] = c[b * 64 + k] }
            }
        }
        return out
    }

    /// Per sampled block: the log-likelihood ratio "double with these first steps" against "single" (0 for blocks not judged).
    static func evidence(_ coefficients: [Int16], _ models: [DoubleCompression.FrequencyModel], _ judged: [Bool]) -> [Float] {
        let n = positions.count
        var out = [Float](repeating: 0, count: judged.count)
        coefficients.withUnsafeBufferPointer { c in
            for model in models {
                guard let j = positions.firstIndex(of: model.natural) else { continue }
                let bins = model.bins, zero = model.judgesZero
                model.logRatio.withUnsafeBufferPointer { ratio in
                    for b in 0..<judged.count where judged[b] {
                        let v = Int(c[b * n + j])
                        if (v != 0 || zero) && abs(v) <= bins { out[b] -= ratio[v + bins] }
                    }
                }
            }
        }
        return out
    }

    /// The largest sum of `values` over square windows of (2 radius + 1) blocks a side with at least half their blocks judged.
    static func maxWindow(_ values: [Float], _ judged: [Bool], columns: Int, rows: Int, radius: Int) -> Float {
        let side = 2 * radius + 1
        guard columns >= side, rows >= side else { return -.infinity }
        // Summed-area tables of the values and of the judged count.
        let stride = columns + 1
        var sum = [Float](repeating: 0, count: stride * (rows + 1))
        var count = [Int32](repeating: 0, count: stride * (rows + 1))
        for y in 0..<rows {
            var rowSum: Float = 0
            var rowCount: Int32 = 0
            for x in 0..<columns {
                rowSum += values[y * columns + x]
                rowCount += judged[y * columns + x] ? 1 : 0
                sum[(y + 1) * stride + x + 1] = sum[y * stride + x + 1] + rowSum
                count[(y + 1) * stride + x + 1] = count[y * stride + x + 1] + rowCount
            }
        }
        var best: Float = -.infinity
        let minimum = Int32(side * side / 2)
        for y in 0...(rows - side) {
            for x in 0...(columns - side) {
                let a = y * stride + x, b = y * stride + x + side, c = (y + side) * stride + x, d = (y + side) * stride + x + side
                guard count[d] - count[b] - count[c] + count[a] >= minimum else { continue }
                best = max(best, sum[d] - sum[b] - sum[c] + sum[a])
            }
        }
        return best
    }
}
