import Testing

@testable import SignetDetect
@testable import SignetImaging

@Suite("Heatmap fusion")
struct HeatmapFusionTests {
    /// A 64x64 textured picture, four 16-pixel cells a side; no cell is too flat to judge.
    static let picture = Picture(format: .png, rgb: DetectFixture.texturedPicture(width: 64, height: 64), dct: nil)

    static func map(_ value: (Int, Int) -> Float) -> LocalMap {
        var values: [Float] = []
        for row in 0..<4 { for column in 0..<4 { values.append(value(column, row)) } }
        return LocalMap(cell: 16, columns: 4, rows: 4, values: values)
    }

    static func heatmap(_ measurements: [SignalMeasurement], _ signals: [String: Calibration.Signal]) -> LocalMap? {
        let calibration = Calibration(intercept: 0, signals: signals, inconclusive: 0.3, moderate: 0.5, strong: 0.9)
        let fused = Fusion.fuse(measurements, calibration: calibration)
        return Fusion.heatmap(measurements, fused: fused, picture: picture, calibration: calibration)
    }

    @Test("A region one signal sees stays flagged when another strongly firing signal sees nothing there")
    func oneSignalIsNotDilutedByAnother() throws {
        let sees = SignalMeasurement(name: "a", value: 3, reason: "", map: Self.map { column, _ in column < 2 ? 1 : 0 })
        let blind = SignalMeasurement(name: "b", value: 3, reason: "", map: Self.map { _, _ in 0 })
        let weights = Calibration.Signal(a: 1, b: 0, prior: 0, weight: 1)
        let map = try #require(Self.heatmap([sees, blind], ["a": weights, "b": weights]))
        // 8-pixel cells: columns 0..3 lie in the flagged half, 4..7 outside it.
        for y in 0..<map.rows {
            for x in 0..<map.columns {
                if x < 4 { #expect(map[x, y] > 0.9) } else { #expect(map[x, y] < 0.1) }
            }
        }
    }

    @Test("A signal that barely fired on the whole picture cannot paint a cell red on its own")
    func aWeakSignalIsScaledDown() throws {
        let strong = SignalMeasurement(name: "a", value: 4, reason: "", map: Self.map { _, _ in 0 })
        let weak = SignalMeasurement(name: "b", value: -3, reason: "", map: Self.map { _, _ in 1 })
        let weights = Calibration.Signal(a: 1, b: 0, prior: 0, weight: 1)
        let map = try #require(Self.heatmap([strong, weak], ["a": weights, "b": weights]))
        for value in map.values { #expect(value < 0.2) }
    }

    @Test("No firing signal with a map gives no heatmap")
    func nothingFiringGivesNoMap() {
        let unweighted = SignalMeasurement(name: "a", value: 4, reason: "", map: Self.map { _, _ in 1 })
        let weights = Calibration.Signal(a: 1, b: 0, prior: 0, weight: 0)
        #expect(Self.heatmap([unweighted], ["a": weights]) == nil)
    }
}
