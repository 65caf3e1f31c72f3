/// Calibrated fusion of measurements into one score, and of local maps into one heatmap.
enum Fusion {
    struct Fused {
        var score: Double
        var signals: [SignalResult]
    }

    static func fuse(_ measurements: [SignalMeasurement], calibration: Calibration) -> Fused {
        var logit = calibration.intercept
        var floor = 0.0
        var results: [SignalResult] = []
        for m in measurements {
            var result = SignalResult(
                name: m.name, applicable: m.applicable, value: m.value, score: nil, contribution: 0, reason: m.reason)
            if m.applicable, let value = m.value, let weights = calibration.signals[m.name] {
                let own = weights.a * value + weights.b
                result.score = sigmoid(own)
                result.contribution = weights.weight * (own - weights.prior)
                logit += result.contribution
            }
            if m.applicable, let f = m.floor { floor = max(floor, f) }
            results.append(result)
        }
        return Fused(score: max(sigmoid(logit), floor), signals: results)
    }

    /// The local maps on 8-pixel cells, each weighted by how strongly its signal fired on the
    /// whole picture; cells no signal could judge, or too flat or clipped, are NaN.
    static func heatmap(_ measurements: [SignalMeasurement], fused: Fused, picture: Picture, calibration: Calibration)
        -> LocalMap?
    {
        let cell = Picture.flatnessCell
        let columns = picture.width / cell, rows = picture.height / cell
        guard columns > 0, rows > 0 else { return nil }
        // Each firing signal's local map, scaled by how strongly that signal fired relative to the
        // strongest one (so a weak signal alone cannot paint a cell red); a cell takes the largest
        // scaled value: signals see different edits, and one that is blind to a region (a level
        // signal on a double-compressed paste) must not dilute one that sees it.
        var firing: [(map: LocalMap, strength: Float)] = []
        for m in measurements {
            guard m.applicable, let map = m.map, let value = m.value, let w = calibration.signals[m.name],
                w.weight > 0
            else { continue }
            let strength = Float(w.weight * sigmoid(w.a * value + w.b))
            if strength > 0 { firing.append((map, strength)) }
        }
        guard let strongest = firing.map(\.strength).max() else { return nil }
        var values = [Float](repeating: .nan, count: columns * rows)
        for (map, strength) in firing {
            let scale = min(1, strength / (strongest * 0.5))
            for y in 0..<rows {
                let my = (y * cell + cell / 2) / map.cell
                guard my < map.rows else { continue }
                for x in 0..<columns {
                    let mx = (x * cell + cell / 2) / map.cell
                    guard mx < map.columns else { continue }
                    let v = map[mx, my]
                    guard v.isFinite else { continue }
                    let i = y * columns + x
                    let scaled = min(1, v * scale)
                    values[i] = values[i].isFinite ? max(values[i], scaled) : scaled
                }
            }
        }
        for y in 0..<min(rows, picture.flatnessGrid.rows) {
            for x in 0..<min(columns, picture.flatnessGrid.columns)
            where picture.unjudgeable[y * picture.flatnessGrid.columns + x] {
                values[y * columns + x] = .nan
            }
        }
        return LocalMap(cell: cell, columns: columns, rows: rows, values: values)
    }
}
