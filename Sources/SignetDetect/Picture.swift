import SignetImaging
import SignetMedia

/// Everything the pixel and DCT signals look at, decoded once per file.
struct Picture: Sendable {
    var format: AssetFormat
    var rgb: RGBImage
    var luma: Plane
    /// The luminance component's DCT coefficients (JPEG only).
    var dct: DCTImage?
    /// A YCbCr or grayscale JPEG's luminance as its decoder made it, before colour conversion: the RGB's luma
    /// differs from it by rounding and clipping, which blurs the lattice of an earlier save's DC values.
    var decoderLuma: LumaImage?
    /// Cells of `flatnessCell` pixels too flat or too saturated to judge (true = unknown).
    var unjudgeable: [Bool]
    var flatnessGrid: CellGrid

    static let flatnessCell = 8

    init(format: AssetFormat, rgb: RGBImage, dct: DCTImage?, decoderLuma: LumaImage? = nil) {
        self.format = format
        self.rgb = rgb
        self.dct = dct
        self.decoderLuma = decoderLuma.flatMap { $0.width == rgb.width && $0.height == rgb.height ? $0 : nil }
        let luma = Plane(luminanceOf: rgb)
        self.luma = luma
        let grid = CellGrid(width: rgb.width, height: rgb.height, cell: Picture.flatnessCell)
        self.flatnessGrid = grid
        self.unjudgeable = Picture.unjudgeableCells(luma, grid)
    }

    var width: Int { rgb.width }
    var height: Int { rgb.height }
    var megapixels: Double { Double(width * height) / 1_000_000 }

    /// A cell is unjudgeable when it is nearly constant (standard deviation under 1 level) or
    /// when more than half its pixels are clipped at black or white.
    private static func unjudgeableCells(_ luma: Plane, _ grid: CellGrid) -> [Bool] {
        var out = [Bool](repeating: false, count: grid.count)
        let c = grid.cell
        luma.samples.withUnsafeBufferPointer { s in
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    var sum: Float = 0, sum2: Float = 0
                    var clipped = 0
                    for y in row * c..<(row + 1) * c {
                        let base = y * luma.width
                        for x in column * c..<(column + 1) * c {
                            let v = s[base + x]
                            sum += v
                            sum2 += v * v
                            if v <= 2 || v >= 253 { clipped += 1 }
                        }
                    }
                    let n = Float(c * c)
                    let mean = sum / n
                    let variance = max(0, sum2 / n - mean * mean)
                    out[row * grid.columns + column] = variance < 1 || clipped * 2 > c * c
                }
            }
        }
        return out
    }

    /// Whether the cell of `cell` pixels at (column, row) is mostly unjudgeable.
    func isUnjudgeable(column: Int, row: Int, cell: Int) -> Bool {
        let k = cell / Picture.flatnessCell
        guard k >= 1 else { return false }
        var bad = 0, total = 0
        for y in row * k..<min((row + 1) * k, flatnessGrid.rows) {
            for x in column * k..<min((column + 1) * k, flatnessGrid.columns) {
                total += 1
                if unjudgeable[y * flatnessGrid.columns + x] { bad += 1 }
            }
        }
        return total == 0 || bad * 2 > total
    }
}

/// Zigzag position -> natural (row-major) index in an 8x8 block.
let zigzagToNatural: [Int] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
    12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
    35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
    58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]
