/// The example quantisation tables of ITU-T T.81 Annex K and libjpeg's quality scaling, which
/// most editors and libraries (libjpeg, libjpeg-turbo, Pillow, GIMP, ImageMagick) use.
enum StandardTables {
    /// Annex K.1 luminance table, natural order.
    static let baseLuminance: [Int] = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]
    /// Annex K.1 chrominance table, natural order.
    static let baseChrominance: [Int] = [
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    ]

    /// libjpeg's jpeg_quality_scaling and jpeg_add_quant_table (baseline: steps clamped to 1...255).
    static func scaled(_ base: [Int], quality: Int) -> [UInt16] {
        let q = min(100, max(1, quality))
        let scale = q < 50 ? 5000 / q : 200 - 2 * q
        return base.map { UInt16(min(255, max(1, ($0 * scale + 50) / 100))) }
    }

    static func luminance(quality: Int) -> [UInt16] { scaled(baseLuminance, quality: quality) }
    static func chrominance(quality: Int) -> [UInt16] { scaled(baseChrominance, quality: quality) }

    /// The quality whose standard luminance table equals `table` exactly, if any.
    static func matchingQuality(luminance table: [UInt16]) -> Int? {
        guard table.count == 64 else { return nil }
        return (1...100).first { luminance(quality: $0) == table }
    }
}
