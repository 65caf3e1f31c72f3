import CSignetImaging

/// One component of a JPEG as stored: quantised DCT coefficients and the table they were
/// quantised with. Coefficients are not dequantised: multiply by `quant[k]` for the DCT value.
public struct DCTComponent: Sendable {
    public var horizontalSampling: Int
    public var verticalSampling: Int
    /// Index of the DQT table the component uses (0...3).
    public var quantTableIndex: Int
    public var widthInBlocks: Int
    public var heightInBlocks: Int
    /// The quantisation table, 64 steps in natural (row-major) order.
    public var quant: [UInt16]
    /// widthInBlocks * heightInBlocks blocks of 64 coefficients, natural order, blocks row-major.
    public var coefficients: [Int16]

    /// The 64 coefficients of the block at (column, row).
    public func block(column: Int, row: Int) -> ArraySlice<Int16> {
        let start = (row * widthInBlocks + column) * 64
        return coefficients[start..<start + 64]
    }
}

/// The DCT-domain content of a JPEG, read without decoding pixels.
public struct DCTImage: Sendable {
    public var width: Int
    public var height: Int
    public var progressive: Bool
    /// The entropy-coded data ended early; missing blocks read as zeros.
    public var truncated: Bool
    public var maxHorizontalSampling: Int
    public var maxVerticalSampling: Int
    /// Components in the file (the array below may hold fewer when asked to).
    public var componentCount: Int
    public var components: [DCTComponent]
}

extension ImageCodec {
    /// Reads the quantised DCT coefficients of a JPEG with libjpeg's coefficient API.
    ///
    /// - Parameters:
    ///   - maxBlocks: files with more 8x8 blocks than this (over all components) throw
    ///     `.tooLarge` before the coefficient arrays are allocated.
    ///   - components: how many components to return (1 = luminance only; 0 = all).
    public static func readCoefficients(path: String, maxBlocks: Int = 8_000_000, components: Int = 1)
        throws(ImagingError) -> DCTImage
    {
        var image = csi_dct_image()
        var status = csi_status()
        let code = csi_jpeg_read_coefficients(path, UInt64(max(0, maxBlocks)), Int32(clamping: components), &image, &status)
        guard code == Int32(CSI_OK) else { throw ImagingError(status: status) }
        defer { csi_dct_image_free(&image) }
        var result: [DCTComponent] = []
        let count = Int(image.component_count)
        withUnsafePointer(to: &image.components) { tuple in
            tuple.withMemoryRebound(to: csi_dct_component.self, capacity: Int(CSI_MAX_DCT_COMPONENTS)) { list in
                for index in 0..<count {
                    let c = list[index]
                    let blocks = Int(c.width_in_blocks) * Int(c.height_in_blocks)
                    let quant = withUnsafeBytes(of: c.quant) { Array($0.bindMemory(to: UInt16.self)) }
                    var coefficients = [Int16]()
                    if let source = c.coefficients {
                        coefficients = Array(UnsafeBufferPointer(start: source, count: blocks * 64))
                    }
                    result.append(
                        DCTComponent(
                            horizontalSampling: Int(c.h_samp), verticalSampling: Int(c.v_samp),
                            quantTableIndex: Int(c.quant_index), widthInBlocks: Int(c.width_in_blocks),
                            heightInBlocks: Int(c.height_in_blocks), quant: quant, coefficients: coefficients))
                }
            }
        }
        return DCTImage(
            width: Int(image.width), height: Int(image.height), progressive: image.progressive != 0,
            truncated: image.truncated != 0, maxHorizontalSampling: Int(image.max_h_samp),
            maxVerticalSampling: Int(image.max_v_samp), componentCount: Int(image.total_components), components: result)
    }
}
