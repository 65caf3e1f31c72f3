/// JPEG header forensics: which encoder's quantisation tables the file carries.
///
/// Editors and libraries built on libjpeg write the Annex K tables scaled to a quality setting;
/// cameras and some tools write tables of their own. A file whose tables are exactly libjpeg's
/// at some quality was (re)saved by software; that alone proves no manipulation, and the signal's
/// weight is fitted accordingly.
enum JPEGQuantization {
    static let name = "jpeg_quantization"

    static func measure(_ picture: Picture) -> SignalMeasurement {
        guard let dct = picture.dct, let luma = dct.components.first else {
            return .notApplicable(name, "not a JPEG: no quantisation tables")
        }
        let layout: String
        if dct.componentCount == 1 {
            layout = "grayscale"
        } else if dct.maxHorizontalSampling == 2 && dct.maxVerticalSampling == 2 {
            layout = "4:2:0"
        } else if dct.maxHorizontalSampling == 2 && dct.maxVerticalSampling == 1 {
            layout = "4:2:2"
        } else if dct.maxHorizontalSampling == 1 && dct.maxVerticalSampling == 1 {
            layout = "4:4:4"
        } else {
            layout = "\(dct.maxHorizontalSampling)x\(dct.maxVerticalSampling) sampling"
        }
        let coding = dct.progressive ? "progressive" : "baseline"
        if let quality = StandardTables.matchingQuality(luminance: luma.quant) {
            return SignalMeasurement(
                name: name, value: 1,
                reason: "libjpeg's standard tables at quality \(quality) (\(layout), \(coding)): saved by an editor or library, not straight from a camera")
        }
        let nearest = (1...100).min { distance(StandardTables.luminance(quality: $0), luma.quant) < distance(StandardTables.luminance(quality: $1), luma.quant) } ?? 0
        return SignalMeasurement(
            name: name, value: 0,
            reason: "quantisation tables of its own, nearest to libjpeg quality \(nearest) (\(layout), \(coding)): typical of a camera or a tool with custom tables")
    }

    static func distance(_ a: [UInt16], _ b: [UInt16]) -> Int {
        zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
    }
}
