import Foundation
import SignetImaging

/// Aligned double JPEG compression, read in the DCT domain.
///
/// A JPEG that was decoded and saved again carries, in each low-frequency coefficient, the trace of
/// the first quantisation: the histogram of the second quantisation's values is combed (empty or
/// crowded bins) in a pattern fixed by the two steps. Regions pasted, blurred or resampled between
/// the two saves lack that pattern. Per frequency this signal fits a Laplacian model of the
/// coefficients with and without an earlier step q1 (maximum likelihood over q1 and the Laplacian
/// scale), keeps the frequencies where the earlier step explains the histogram clearly better, and
/// scores every 8x8 block by the log-likelihood ratio "single" versus "double" of its coefficients.
/// A picture that was re-saved as a whole is double-compressed everywhere and scores low; a
/// region without the trace scores high.
enum DoubleCompression {
    static let name = "double_compression"
    /// Zigzag positions examined (the low AC frequencies, where the comb is clearest).
    static let zigzagRange = 1...27
    /// Quantised values beyond ±maxBin are ignored (rare and uninformative).
    static let maxBin = 40
    /// Share of coefficients that stray from the comb (rounding and clipping between the saves).
    static let strayShare: Double = 0.05

    struct FrequencyModel {
        var natural: Int
        var step: Int
        var primaryStep: Int
        /// log(P_single / P_double) for v in -maxBin...maxBin, 0 for v == 0.
        var logRatio: [Float]
    }

    static func measure(_ picture: Picture) -> SignalMeasurement {
        guard let dct = picture.dct, let luma = dct.components.first else {
            return .notApplicable(name, "not a JPEG: there are no DCT coefficients to read")
        }
        let blocks = luma.widthInBlocks * luma.heightInBlocks
        guard blocks >= 64, luma.coefficients.count == blocks * 64 else {
            return .notApplicable(name, "too few 8x8 blocks to judge (\(blocks))")
        }
        let models = zigzagRange.compactMap { fitFrequency(luma, natural: zigzagToNatural[$0]) }
        guard models.count >= 2 else {
            return SignalMeasurement(
                name: name, value: 0,
                reason: "no trace of an earlier JPEG compression on the same grid: saved once, or re-saved at the same quality")
        }
        let llr = blockEvidence(luma, models)
        let w = luma.widthInBlocks, h = luma.heightInBlocks
        // Sum evidence over 3x3 blocks, then a prior that a given spot was edited of about 1 in 10.
        var posterior = [Float](repeating: .nan, count: blocks)
        for by in 0..<h {
            for bx in 0..<w {
                var sum: Float = 0
                var known = 0
                for yy in max(0, by - 1)...min(h - 1, by + 1) {
                    for xx in max(0, bx - 1)...min(w - 1, bx + 1) {
                        let v = llr[yy * w + xx]
                        if v.isFinite {
                            sum += v
                            known += 1
                        }
                    }
                }
                if known >= 3 { posterior[by * w + bx] = 1 / (1 + expf(-(sum - 2.2))) }
            }
        }
        // Blocks that are flat or clipped stay unknown.
        for by in 0..<min(h, picture.flatnessGrid.rows) {
            for bx in 0..<min(w, picture.flatnessGrid.columns)
            where picture.unjudgeable[by * picture.flatnessGrid.columns + bx] {
                posterior[by * w + bx] = .nan
            }
        }
        let area = smoothMap(posterior, columns: w, rows: h, radius: 2, minKnown: 6)
        let known = area.filter { $0.isFinite }
        guard known.count >= 16 else {
            return .notApplicable(name, "too few textured blocks to compare")
        }
        let top = known.sorted(by: >).prefix(max(1, known.count / 10))
        let value = Double(top.reduce(0, +) / Float(top.count))
        let missing = Double(known.filter { $0 > 0.6 }.count) / Double(known.count)
        let quality = primaryQuality(models)
        let trace = "\(models.count) of \(zigzagRange.count) frequencies"
        let earlier = quality.map { "an earlier JPEG compression (about quality \($0); \(trace))" } ?? "an earlier JPEG compression (\(trace))"
        let reason: String
        if missing >= 0.03 {
            reason = "\(earlier) shows in most of the picture but is missing from \(percent(missing)) of it"
        } else {
            reason = "\(earlier) shows evenly across the picture: re-saved as a whole, no region stands out"
        }
        let map = LocalMap(cell: 8, columns: w, rows: h, values: area)
        return SignalMeasurement(name: name, value: value, reason: reason, map: cropMap(map, picture))
    }

    /// Fits one frequency; nil when an earlier step does not explain its histogram clearly better.
    static func fitFrequency(_ component: DCTComponent, natural k: Int) -> FrequencyModel? {
        let step = Int(component.quant[k])
        guard step >= 1 else { return nil }
        var histogram = [Double](repeating: 0, count: 2 * maxBin + 1)
        var nonzero = 0.0
        component.coefficients.withUnsafeBufferPointer { c in
            var index = k
            while index < c.count {
                let v = Int(c[index])
                if v != 0, abs(v) <= maxBin {
                    histogram[v + maxBin] += 1
                    nonzero += 1
                }
                index += 64
            }
        }
        guard nonzero >= 200 else { return nil }
        // Laplacian scales to try, around the moment estimate.
        var meanAbs = 0.0
        for v in -maxBin...maxBin where v != 0 { meanAbs += histogram[v + maxBin] * Double(abs(v) * step) }
        meanAbs /= nonzero
        let scales = (0..<9).map { meanAbs * pow(1.35, Double($0 - 4)) }

        func logLikelihood(_ probabilities: [Double]) -> Double {
            var ll = 0.0
            for v in -maxBin...maxBin where v != 0 {
                let h = histogram[v + maxBin]
                if h > 0 { ll += h * log(max(probabilities[v + maxBin], 1e-12)) }
            }
            return ll
        }
        var bestSingle = -Double.infinity
        var singleAt: [Double] = []
        for s in scales {
            let p = singleProbabilities(step: step, scale: s)
            let ll = logLikelihood(p)
            if ll > bestSingle {
                bestSingle = ll
                singleAt = p
            }
        }
        var bestDouble = -Double.infinity
        var bestPrimary = 0
        var doubleAt: [Double] = []
        for primary in 1...max(2, min(64, 3 * step + 8)) where primary != step {
            for s in scales {
                let pd = doubleProbabilities(step: step, primary: primary, scale: s)
                let ps = singleProbabilities(step: step, scale: s)
                let mixed = zip(pd, ps).map { (1 - strayShare) * $0 + strayShare * $1 }
                let ll = logLikelihood(mixed)
                if ll > bestDouble {
                    bestDouble = ll
                    bestPrimary = primary
                    doubleAt = mixed
                }
            }
        }
        let gain = bestDouble - bestSingle
        guard gain > max(8, 0.01 * nonzero) else { return nil }
        var ratio = [Float](repeating: 0, count: 2 * maxBin + 1)
        for v in -maxBin...maxBin where v != 0 {
            let r = log(max(singleAt[v + maxBin], 1e-12) / max(doubleAt[v + maxBin], 1e-12))
            ratio[v + maxBin] = Float(min(3, max(-2, r)))
        }
        return FrequencyModel(natural: k, step: step, primaryStep: bestPrimary, logRatio: ratio)
    }

    /// Laplacian with mean absolute value `scale`: P(X <= x).
    @inline(__always)
    static func laplaceCDF(_ x: Double, scale: Double) -> Double {
        let b = max(scale, 1e-3)
        return x < 0 ? 0.5 * exp(x / b) : 1 - 0.5 * exp(-x / b)
    }

    /// Probabilities of the values -maxBin...maxBin quantised once with `step`, renormalised over v != 0.
    static func singleProbabilities(step: Int, scale: Double) -> [Double] {
        var p = [Double](repeating: 0, count: 2 * maxBin + 1)
        var total = 0.0
        let q = Double(step)
        for v in -maxBin...maxBin where v != 0 {
            let x = Double(v)
            let value = laplaceCDF((x + 0.5) * q, scale: scale) - laplaceCDF((x - 0.5) * q, scale: scale)
            p[v + maxBin] = value
            total += value
        }
        return p.map { $0 / max(total, 1e-300) }
    }

    /// Probabilities after quantising with `primary`, dequantising and quantising again with `step`.
    static func doubleProbabilities(step: Int, primary: Int, scale: Double) -> [Double] {
        var p = [Double](repeating: 0, count: 2 * maxBin + 1)
        var total = 0.0
        let q1 = Double(primary), q2 = Double(step)
        let reach = Int((Double(maxBin) + 1) * q2 / q1) + 1
        for m in -reach...reach {
            let v = Int((Double(m) * q1 / q2).rounded(.toNearestOrAwayFromZero))
            guard v != 0, abs(v) <= maxBin else { continue }
            let x = Double(m)
            let value = laplaceCDF((x + 0.5) * q1, scale: scale) - laplaceCDF((x - 0.5) * q1, scale: scale)
            p[v + maxBin] += value
            total += value
        }
        return p.map { $0 / max(total, 1e-300) }
    }

    /// Per block: the summed log-likelihood ratio of its non-zero coefficients (NaN when none).
    static func blockEvidence(_ component: DCTComponent, _ models: [FrequencyModel]) -> [Float] {
        let blocks = component.widthInBlocks * component.heightInBlocks
        var out = [Float](repeating: .nan, count: blocks)
        component.coefficients.withUnsafeBufferPointer { c in
            for b in 0..<blocks {
                var sum: Float = 0
                var used = 0
                for model in models {
                    let v = Int(c[b * 64 + model.natural])
                    if v != 0, abs(v) <= maxBin {
                        sum += model.logRatio[v + maxBin]
                        used += 1
                    }
                }
                if used > 0 { out[b] = sum }
            }
        }
        return out
    }

    /// The libjpeg quality whose standard luminance table best explains the estimated first steps.
    static func primaryQuality(_ models: [FrequencyModel]) -> Int? {
        var best: (quality: Int, misses: Int)?
        for quality in 1...100 {
            let table = StandardTables.luminance(quality: quality)
            let misses = models.filter { Int(table[$0.natural]) != $0.primaryStep }.count
            if best == nil || misses < best!.misses { best = (quality, misses) }
        }
        guard let best, best.misses * 2 <= models.count else { return nil }
        return best.quality
    }
}

func percent(_ fraction: Double) -> String {
    "\(Int((fraction * 100).rounded()))%"
}

/// A block-grid map cut to the picture's whole 8-pixel cells (JPEG pads to whole MCUs).
func cropMap(_ map: LocalMap, _ picture: Picture) -> LocalMap {
    let columns = min(map.columns, picture.width / map.cell)
    let rows = min(map.rows, picture.height / map.cell)
    guard columns != map.columns || rows != map.rows else { return map }
    var values = [Float]()
    values.reserveCapacity(columns * rows)
    for y in 0..<rows {
        for x in 0..<columns { values.append(map[x, y]) }
    }
    return LocalMap(cell: map.cell, columns: columns, rows: rows, values: values)
}
