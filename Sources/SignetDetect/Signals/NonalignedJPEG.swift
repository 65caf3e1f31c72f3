import Foundation

/// An earlier JPEG save on a shifted 8x8 grid: pasted or moved JPEG content.
///
/// Content once saved as a JPEG on another grid (a region spliced in from another JPEG, a region recompressed off
/// the grid, a copy moved by a shift that is not a multiple of 8) keeps that save's DC quantisation: taken on the
/// *shifted* grid, its blocks' DC values sit on a lattice of the old step, and a coarser final save does not erase
/// it. The final grid's own DC says nothing here (every JPEG has that lattice); the other 63 shifts are looked at.
///
/// For every step s from 3 to 20 (libjpeg's DC steps for qualities 40 to 91): each 8x8 window's DC (exactly, from
/// box sums of the decoder's own luminance, or of the RGB's luma for CMYK) gives c = cos(2 pi DC / s) when the
/// window has texture (variance >= 4), else 0. The mean
/// of c over all 64 shifts of a block is taken out (flat or gradient content lines up at every shift). Over
/// windows of 11x11 blocks of one shift, z = sum / sqrt(count / 2) is about N(0, 1) without an earlier shifted
/// save. The value is the largest z over steps, shifts and windows, gated off when the lattice covers most of the
/// picture (more than 30% of windows over 3): that is a cropped and re-saved JPEG, not a paste.
///
/// Big pictures are judged on every k-th block of each shift (k chosen for at most about 12,000 blocks), with the
/// same 11x11 windows of those blocks: the statistic keeps its distribution; the windows cover more pixels.
/// Calibrated on the benchmark's train split (Benchmarks/detect); a prototype found controls at 4 to 5.5 and
/// pasted content saved at quality 85 or lower at 6 to 20.
enum NonalignedJPEG {
    static let name = "nonaligned_jpeg"
    static let window = 11
    static let steps = Array(3...20)
    static let minimumVariance: Double = 4
    static let blockBudget = 12_000

    static func measure(_ picture: Picture) -> SignalMeasurement {
        guard picture.dct != nil else {
            return .notApplicable(name, "not a JPEG: there is no grid of its own to set shifted grids against")
        }
        let width = picture.width, height = picture.height
        let allX = (width - 7) / 8, allY = (height - 7) / 8
        guard allX >= window, allY >= window else {
            return .notApplicable(name, "too small to look for shifted 8x8 grids (\(width)x\(height))")
        }
        let stride = max(1, Int((Double(allX * allY) / Double(blockBudget)).squareRoot().rounded(.up)))
        let bx = (width - 8 - 7) / (8 * stride) + 1, by = (height - 8 - 7) / (8 * stride) + 1
        guard bx >= window, by >= window else {
            return .notApplicable(name, "too small to look for shifted 8x8 grids (\(width)x\(height))")
        }
        let blocks = bx * by
        // Per shift and block: the window's DC x 8 + 8192 (an index into a table, 0..16383) and whether it has texture.
        var index = [UInt16](repeating: 0, count: 64 * blocks)
        var textured = [Float](repeating: 0, count: 64 * blocks)
        if let own = picture.decoderLuma {
            own.samples.withUnsafeBufferPointer {
                windowSums($0, width: width, stride: stride, bx: bx, by: by, index: &index, textured: &textured)
            }
        } else {
            picture.luma.samples.withUnsafeBufferPointer {
                windowSums($0, width: width, stride: stride, bx: bx, by: by, index: &index, textured: &textured)
            }
        }
        var okSum = [Float](repeating: 0, count: blocks)
        for shift in 0..<64 {
            for b in 0..<blocks { okSum[b] += textured[shift * blocks + b] }
        }
        // Per shift: 1 / sqrt(count / 2) for windows with enough texture, else 0; and how many such windows.
        let minimumCount = Float(window * window) / 4
        var scale = [Float](repeating: 0, count: 64 * blocks)
        var validWindows = [Int](repeating: 0, count: 64)
        var buffer = [Float](repeating: 0, count: blocks)
        for shift in 1..<64 {
            for b in 0..<blocks { buffer[b] = textured[shift * blocks + b] }
            boxSum(&buffer, columns: bx, rows: by, radius: window / 2)
            var valid = 0
            for b in 0..<blocks where buffer[b] >= minimumCount - 1e-4 {
                scale[shift * blocks + b] = 1 / (0.5 * max(buffer[b], minimumCount)).squareRoot()
                valid += 1
            }
            validWindows[shift] = valid
        }

        let (codes, marks, marked, scales, windows) = (index, textured, okSum, scale, validWindows)
        struct Best: Sendable { var value: Float = -.infinity; var z: Float = 0; var step = 0; var shift = 0; var coverage: Float = 0 }
        let results = ResultList<Best>(count: steps.count)
        DispatchQueue.concurrentPerform(iterations: steps.count) { k in
            let s = steps[k]
            var table = [Float](repeating: 0, count: 16384)
            for i in 0..<16384 { table[i] = Float(cos(2 * Double.pi * Double(i - 8192) / Double(8 * s))) }
            var best = Best()
            var meanRatio = [Float](repeating: 0, count: blocks)
            var e = [Float](repeating: 0, count: blocks)
            codes.withUnsafeBufferPointer { idx in
                marks.withUnsafeBufferPointer { ok in
                    for shift in 0..<64 {
                        let base = shift * blocks
                        for b in 0..<blocks { meanRatio[b] += ok[base + b] * table[Int(idx[base + b])] }
                    }
                    for b in 0..<blocks { meanRatio[b] = marked[b] > 0 ? meanRatio[b] / marked[b] : 0 }
                    for shift in 1..<64 where windows[shift] > 0 {
                        let base = shift * blocks
                        for b in 0..<blocks { e[b] = ok[base + b] * (table[Int(idx[base + b])] - meanRatio[b]) }
                        boxSum(&e, columns: bx, rows: by, radius: window / 2)
                        var zMax: Float = -.infinity
                        var over = 0
                        scales.withUnsafeBufferPointer { sc in
                            for b in 0..<blocks where sc[base + b] > 0 {
                                let z = e[b] * sc[base + b]
                                if z > zMax { zMax = z }
                                if z > 3 { over += 1 }
                            }
                        }
                        let coverage = Float(over) / Float(windows[shift])
                        let gated = zMax * min(1, max(0, (0.6 - coverage) / 0.3))
                        if gated > best.value { best = Best(value: gated, z: zMax, step: s, shift: shift, coverage: coverage) }
                    }
                }
            }
            results.set(k, best)
        }
        guard let best = results.values.compactMap({ $0 }).max(by: { $0.value < $1.value }), best.value.isFinite else {
            return .notApplicable(name, "too little texture to look for shifted 8x8 grids")
        }
        let (dx, dy) = (best.shift % 8, best.shift / 8)
        let reason: String
        if best.value >= 6 {
            reason = String(
                format: "an earlier JPEG save on an 8x8 grid shifted by (%d, %d) shows in part of the picture (DC step %d, z = %.1f): pasted or moved JPEG content",
                dx, dy, best.step, best.z)
        } else if best.coverage >= 0.3 && best.z >= 6 {
            reason = String(
                format: "the whole picture shows an earlier JPEG save on a shifted grid (%.0f%% of it): a cropped re-save, not a paste", best.coverage * 100)
        } else {
            reason = String(format: "no region shows an earlier JPEG save on a shifted 8x8 grid (strongest z = %.1f)", best.value)
        }
        return SignalMeasurement(name: name, value: Double(best.value), reason: reason)
    }

    /// For every shift (dx, dy) and strided block (i, j), the 8x8 window at (8 k j + dx, 8 k i + dy): its DC x 8
    /// shifted to 0..16383, and 1 when its variance is at least ``minimumVariance``.
    static func windowSums<Sample: LumaSample>(
        _ s: UnsafeBufferPointer<Sample>, width: Int, stride: Int, bx: Int, by: Int, index: inout [UInt16], textured: inout [Float]
    ) {
        let blocks = bx * by
        do {
            var rowSum = [Double](repeating: 0, count: width)
            var rowSquares = [Double](repeating: 0, count: width)
            for j in 0..<by {
                for dy in 0..<8 {
                    let top = 8 * stride * j + dy
                    // Column sums of 8 rows, then 8-wide sums along the row.
                    for x in 0..<width {
                        var a = 0.0, q = 0.0
                        for r in 0..<8 {
                            let v = s[(top + r) * width + x].level
                            a += v
                            q += v * v
                        }
                        rowSum[x] = a
                        rowSquares[x] = q
                    }
                    for i in 0..<bx {
                        for dx in 0..<8 {
                            let left = 8 * stride * i + dx
                            var a = 0.0, q = 0.0
                            for c in 0..<8 {
                                a += rowSum[left + c]
                                q += rowSquares[left + c]
                            }
                            let dc = (a - 8192).rounded()
                            let variance = q / 64 - (a / 64) * (a / 64)
                            let slot = (dy * 8 + dx) * blocks + j * bx + i
                            index[slot] = UInt16(clamping: Int(max(-8192, min(8191, dc))) + 8192)
                            textured[slot] = variance >= minimumVariance ? 1 : 0
                        }
                    }
                }
            }
        }
    }

    /// Sums over (2 radius + 1)^2 neighbourhoods, zero outside the grid, in place.
    static func boxSum(_ values: inout [Float], columns: Int, rows: Int, radius: Int) {
        var line = [Float](repeating: 0, count: max(columns, rows))
        values.withUnsafeMutableBufferPointer { v in
            for r in 0..<rows {
                let base = r * columns
                for c in 0..<columns { line[c] = v[base + c] }
                var sum: Float = 0
                for c in 0..<min(radius, columns) { sum += line[c] }
                for c in 0..<columns {
                    if c + radius < columns { sum += line[c + radius] }
                    if c - radius - 1 >= 0 { sum -= line[c - radius - 1] }
                    v[base + c] = sum
                }
            }
            for c in 0..<columns {
                for r in 0..<rows { line[r] = v[r * columns + c] }
                var sum: Float = 0
                for r in 0..<min(radius, rows) { sum += line[r] }
                for r in 0..<rows {
                    if r + radius < rows { sum += line[r + radius] }
                    if r - radius - 1 >= 0 { sum -= line[r - radius - 1] }
                    v[r * columns + c] = sum
                }
            }
        }
    }
}

/// A luminance sample: the decoder's own byte or a luma computed from RGB.
protocol LumaSample { var level: Double { get } }
extension UInt8: LumaSample { var level: Double { Double(self) } }
extension Float: LumaSample { var level: Double { Double(self) } }

/// Results written by concurrent jobs, read once all are done.
final class ResultList<Value: Sendable>: @unchecked Sendable {
    private var items: [Value?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Value) { lock.withLock { items[i] = value } }
    var values: [Value?] { lock.withLock { items } }
}
