import Foundation

/// Copy-move: a part of the picture pasted elsewhere in the same picture.
///
/// Every 16x16 block (stride 1, or 2 on large pictures, on a copy scaled to about a megapixel)
/// is described by the low frequencies of its 4x4 grid of 4x4 means, which survive JPEG
/// recompression. Blocks are sorted by a coarse key and each is compared with its neighbours in
/// that order; every close pair votes for its shift vector. Natural pictures spread their
/// chance matches over many shifts; a moved region piles hundreds of votes on one.
enum CopyMove {
    static let name = "copy_move"
    static let block = 16
    static let features = 8

    static func measure(_ picture: Picture) -> SignalMeasurement {
        let factor = max(1, Int(ceil(sqrt(picture.megapixels / 1.2))))
        let plane = picture.luma.shrunk(by: factor)
        let w = plane.width, h = plane.height
        guard w >= 4 * block, h >= 4 * block else {
            return .notApplicable(name, "too small to search for copied regions (\(picture.width)x\(picture.height))")
        }
        let stride = w * h > 700_000 ? 2 : 1
        let table = plane.integral()
        let squares = plane.integral(squared: true)
        let w1 = w + 1
        @inline(__always) func sum(_ t: [Double], _ x: Int, _ y: Int, _ size: Int) -> Double {
            t[(y + size) * w1 + x + size] - t[y * w1 + x + size] - t[(y + size) * w1 + x] + t[y * w1 + x]
        }
        // 4-point DCT-II basis.
        var basis = [[Double]](repeating: [Double](repeating: 0, count: 4), count: 4)
        for u in 0..<4 {
            let norm: Double = u == 0 ? 0.5 : 0.5.squareRoot()
            for x in 0..<4 {
                let angle = Double.pi * (2 * Double(x) + 1) * Double(u) / 8
                basis[u][x] = cos(angle) * norm
            }
        }
        let frequencies = [(0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (2, 0), (1, 2), (2, 1)]
        var positions: [Int32] = []
        var vectors: [Float] = []
        var means = [Double](repeating: 0, count: 16)
        for y in Swift.stride(from: 0, through: h - block, by: stride) {
            for x in Swift.stride(from: 0, through: w - block, by: stride) {
                let n = Double(block * block)
                let mean = sum(table, x, y, block) / n
                let variance = sum(squares, x, y, block) / n - mean * mean
                guard variance > 9 else { continue }  // flat blocks match anything
                for j in 0..<4 {
                    for i in 0..<4 { means[j * 4 + i] = sum(table, x + 4 * i, y + 4 * j, 4) / 16 }
                }
                for (u, v) in frequencies {
                    var c = 0.0
                    for j in 0..<4 {
                        for i in 0..<4 { c += basis[v][j] * basis[u][i] * means[j * 4 + i] }
                    }
                    vectors.append(Float(c))
                }
                positions.append(Int32(y * w + x))
            }
        }
        let count = positions.count
        guard count >= 100 else {
            return .notApplicable(name, "too few textured blocks to search for copied regions")
        }
        // Sort by a coarse key (the first three frequencies, quantised), then compare neighbours.
        var keys = [Int64](repeating: 0, count: count)
        for i in 0..<count {
            let a = Int64((vectors[i * features] / 8).rounded()) & 0xFFFF
            let b = Int64((vectors[i * features + 1] / 4).rounded()) & 0xFFFF
            let c = Int64((vectors[i * features + 2] / 4).rounded()) & 0xFFFF
            keys[i] = (a << 32) | (b << 16) | c
        }
        let order = (0..<count).sorted { keys[$0] < keys[$1] }
        let minimumShift = max(24, block + 8)
        var votes: [Int64: Int] = [:]
        var pairs: [(Int32, Int32, Int64)] = []
        let window = 6
        for a in 0..<count {
            let i = order[a]
            for b in (a + 1)..<min(count, a + 1 + window) {
                let j = order[b]
                guard keys[j] == keys[i] else { break }
                var distance: Float = 0
                for f in 0..<features {
                    let d = vectors[i * features + f] - vectors[j * features + f]
                    distance += d * d
                }
                guard distance < 9 else { continue }
                let pi = Int(positions[i]), pj = Int(positions[j])
                var dx = pj % w - pi % w, dy = pj / w - pi / w
                if dx < 0 || (dx == 0 && dy < 0) {
                    dx = -dx
                    dy = -dy
                }
                guard dx * dx + dy * dy >= minimumShift * minimumShift else { continue }
                let key = Int64(dx) << 32 | Int64(dy + 1_000_000)
                votes[key, default: 0] += 1
                pairs.append((positions[i], positions[j], key))
            }
        }
        // The best shift with its immediate neighbours (recompression jitters by a pixel).
        func neighbours(_ key: Int64) -> [Int64] {
            let dx = key >> 32, dy = key & 0xFFFF_FFFF
            var out: [Int64] = []
            for ex in -1...1 {
                for ey in -1...1 { out.append((dx + Int64(ex)) << 32 | (dy + Int64(ey))) }
            }
            return out
        }
        var best: (key: Int64, votes: Int) = (0, 0)
        for (key, _) in votes {
            let total = neighbours(key).reduce(0) { $0 + (votes[$1] ?? 0) }
            if total > best.votes { best = (key, total) }
        }
        let accepted = Set(neighbours(best.key))
        let expected = Double(count) * Double(stride * stride) / 1000
        let value = log10(1 + Double(best.votes) / max(expected, 1))
        // Claimed (and drawn) only when one shift gathers far more votes than chance spreads around.
        let claimed = Double(best.votes) >= max(40, 2 * expected)
        // Map: cells covered by both ends of the winning pairs.
        let cell = 8
        let columns = picture.width / cell, rows = picture.height / cell
        var hits = [Float](repeating: 0, count: columns * rows)
        if claimed {
            for (p, q, key) in pairs where accepted.contains(key) {
                for position in [Int(p), Int(q)] {
                    let x0 = (position % w) * factor, y0 = (position / w) * factor
                    let x1 = x0 + block * factor, y1 = y0 + block * factor
                    for cy in (y0 + cell / 2) / cell..<min(rows, (y1 + cell / 2) / cell) {
                        for cx in (x0 + cell / 2) / cell..<min(columns, (x1 + cell / 2) / cell) {
                            hits[cy * columns + cx] += 1
                        }
                    }
                }
            }
        }
        let needed = Float(max(2, 4 / (stride * stride)))
        let map = hits.map { $0 >= needed ? Float(1) : 0 }
        let dx = Int(best.key >> 32) * factor, dy = (Int(best.key & 0xFFFF_FFFF) - 1_000_000) * factor
        let reason =
            claimed
            ? "\(best.votes) block pairs agree on one shift of (\(dx), \(dy)) pixels: a region appears twice"
            : "no copied region found (the best shift gathered \(best.votes) matching blocks)"
        return SignalMeasurement(
            name: name, value: value, reason: reason,
            map: LocalMap(cell: cell, columns: columns, rows: rows, values: map))
    }
}
