import SignetImaging

/// How a heatmap is drawn.
public enum HeatmapStyle: String, Sendable, Hashable {
    /// For people: the picture in dimmed grey with suspicion painted from transparent to red, and
    /// cells too flat or clipped to judge hatched in blue.
    case overlay
    /// For tools: grey level round(suspicion * 254) per pixel, 255 where unknown.
    case raw
}

enum HeatmapRenderer {
    static func render(_ map: LocalMap?, picture: Picture, style: HeatmapStyle) -> RGBImage {
        let w = picture.width, h = picture.height
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        picture.rgb.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                for y in 0..<h {
                    for x in 0..<w {
                        var value = Float.nan
                        if let map {
                            let mx = x / map.cell, my = y / map.cell
                            if mx < map.columns, my < map.rows { value = map[mx, my] }
                        }
                        let i = (y * w + x) * 3
                        switch style {
                        case .raw:
                            let level: UInt8 = value.isFinite ? UInt8(min(254, max(0, (value * 254).rounded()))) : 255
                            out[i] = level
                            out[i + 1] = level
                            out[i + 2] = level
                        case .overlay:
                            let grey = (0.299 * Float(source[i]) + 0.587 * Float(source[i + 1]) + 0.114 * Float(source[i + 2])) * 0.6
                            if value.isFinite {
                                let a = min(1, max(0, value))
                                out[i] = UInt8(min(255, grey * (1 - a) + 255 * a))
                                out[i + 1] = UInt8(grey * (1 - a))
                                out[i + 2] = UInt8(grey * (1 - a))
                            } else if (x + y) % 8 < 2 {
                                out[i] = UInt8(grey * 0.5)
                                out[i + 1] = UInt8(grey * 0.5)
                                out[i + 2] = UInt8(min(255, grey * 0.5 + 110))
                            } else {
                                let g = UInt8(grey)
                                out[i] = g
                                out[i + 1] = g
                                out[i + 2] = g
                            }
                        }
                    }
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }
}
