/// Fixed vocabularies: IPTC digital source types, known generators and editors, JPEG tables.
enum MetaVocabulary {
    // MARK: - IPTC digital source types

    /// How suspicious a declared IPTC digital source type is.
    struct SourceRating {
        var value: Double
        var floor: Double?
        /// A short phrase: "declares trained algorithmic media (AI-generated)".
        var meaning: String
    }

    /// Rates a code of the IPTC NewsCodes digitalsourcetype vocabulary (case-insensitive); nil for codes that
    /// declare nothing (`empty`, `unknown`).
    static func rateSource(_ code: String) -> SourceRating? {
        switch code.lowercased() {
        case "trainedalgorithmicmedia":
            return SourceRating(value: 1, floor: 0.97, meaning: "created by a trained AI model")
        case "compositewithtrainedalgorithmicmedia":
            return SourceRating(value: 1, floor: 0.9, meaning: "a composite including AI-generated elements")
        case "algorithmicmedia":
            return SourceRating(value: 1, floor: 0.9, meaning: "created purely by an algorithm")
        case "compositesynthetic":
            return SourceRating(value: 0.8, floor: nil, meaning: "a composite including synthetic elements")
        case "algorithmicallyenhanced":
            return SourceRating(value: 0.6, floor: nil, meaning: "algorithmically enhanced")
        case "digitalcreation", "digitalart", "softwareimage":
            return SourceRating(value: 0.6, floor: nil, meaning: "created with software, not captured")
        case "datadrivenmedia":
            return SourceRating(value: 0.6, floor: nil, meaning: "data-driven media")
        case "composite", "compositecapture":
            return SourceRating(value: 0.6, floor: nil, meaning: "a composite")
        case "humanedits":
            return SourceRating(value: 0.6, floor: nil, meaning: "edited by a person")
        case "minorhumanedits":
            return SourceRating(value: 0.3, floor: nil, meaning: "a capture with minor human edits")
        case "digitalcapture", "computationalcapture", "multiframecomputationalcapture", "negativefilm", "positivefilm",
            "print", "screencapture", "virtualrecording":
            return SourceRating(value: 0, floor: nil, meaning: "a capture")
        case "empty", "unknown", "":
            return nil
        default:
            return SourceRating(value: 0.5, floor: nil, meaning: "an unrecognised source type")
        }
    }

    // MARK: - Generators and editors

    /// Known AI image generators and the spellings that name them (matched case-insensitively, on word
    /// boundaries so that "Imagen" does not match "Imagenomic").
    static let generators: [(name: String, patterns: [String])] = [
        ("Midjourney", ["midjourney"]),
        ("DALL·E", ["dall·e", "dall-e", "dalle", "dall e"]),
        ("OpenAI", ["openai", "chatgpt", "gpt-4o", "gpt-image"]),
        ("Stable Diffusion", ["stable diffusion", "stablediffusion", "stable-diffusion", "sdxl", "stability.ai", "stability ai"]),
        ("Adobe Firefly", ["firefly"]),
        ("Google Imagen", ["imagen"]),
        ("Google AI", ["google ai", "made with google ai", "synthid"]),
        ("NovelAI", ["novelai"]),
        ("ComfyUI", ["comfyui"]),
        ("AUTOMATIC1111", ["automatic1111", "sd-webui", "stable-diffusion-webui"]),
        ("InvokeAI", ["invokeai"]),
        ("Fooocus", ["fooocus"]),
        ("Leonardo.Ai", ["leonardo.ai", "leonardo ai"]),
        ("Ideogram", ["ideogram"]),
        ("FLUX", ["flux.1", "black forest labs", "black-forest-labs"]),
        ("Bing Image Creator", ["bing image creator"]),
        ("Microsoft Designer", ["microsoft designer"]),
        ("Meta AI", ["meta ai", "imagined with ai"]),
        ("Craiyon", ["craiyon"]),
        ("DreamStudio", ["dreamstudio"]),
        ("NightCafe", ["nightcafe"]),
        ("Playground AI", ["playground ai", "playgroundai"]),
        ("Runway", ["runwayml"]),
        ("Krea", ["krea.ai"]),
        ("SeaArt", ["seaart"]),
        ("Tensor.Art", ["tensor.art"]),
        ("Diffusers", ["diffusers"]),
    ]

    /// Image editors and converters that re-save files (EXIF Software naming one means the file was edited).
    static let editors: [(name: String, patterns: [String])] = [
        ("Adobe Photoshop", ["photoshop"]),
        ("Adobe Lightroom", ["lightroom"]),
        ("Adobe Camera Raw", ["camera raw"]),
        ("GIMP", ["gimp"]),
        ("Snapseed", ["snapseed"]),
        ("Pixelmator", ["pixelmator"]),
        ("Affinity Photo", ["affinity"]),
        ("Paint.NET", ["paint.net"]),
        ("ImageMagick", ["imagemagick"]),
        ("GraphicsMagick", ["graphicsmagick"]),
        ("Capture One", ["capture one"]),
        ("darktable", ["darktable"]),
        ("RawTherapee", ["rawtherapee"]),
        ("Luminar", ["luminar"]),
        ("Photopea", ["photopea"]),
        ("Canva", ["canva"]),
        ("PicsArt", ["picsart"]),
        ("Fotor", ["fotor"]),
        ("PaintShop Pro", ["paintshop", "paint shop pro"]),
        ("Corel", ["corel"]),
        ("Facetune", ["facetune"]),
        ("VSCO", ["vsco"]),
        ("Picasa", ["picasa"]),
        ("PhotoScape", ["photoscape"]),
        ("Krita", ["krita"]),
        ("DxO", ["dxo"]),
        ("ON1", ["on1 photo"]),
        ("ACDSee", ["acdsee"]),
        ("Polarr", ["polarr"]),
        ("Skylum", ["skylum"]),
        ("XnView", ["xnview"]),
        ("IrfanView", ["irfanview"]),
        ("digiKam", ["digikam"]),
        ("Microsoft Photos", ["microsoft photos", "windows photo editor"]),
        ("libvips", ["libvips", "vips"]),
    ]

    /// The generator named in `text`, if any.
    static func generatorNamed(in text: String) -> String? {
        named(in: text, generators)
    }

    /// The editor named in `text`, if any.
    static func editorNamed(in text: String) -> String? {
        named(in: text, editors)
    }

    private static func named(in text: String, _ list: [(name: String, patterns: [String])]) -> String? {
        let haystack = Array(text.prefix(4096).lowercased().utf8)
        for entry in list {
            for pattern in entry.patterns where containsWord(Array(pattern.utf8), in: haystack) {
                return entry.name
            }
        }
        return nil
    }

    /// Whether `needle` occurs in `haystack` with no ASCII letter or digit immediately before or after it.
    static func containsWord(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        func isAlnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) }
        var from = 0
        while let i = MetaBytes.find(needle, in: haystack, from: from) {
            let end = i + needle.count
            let beforeOK = i == 0 || !isAlnum(haystack[i - 1])
            let afterOK = end >= haystack.count || !isAlnum(haystack[end])
            if beforeOK && afterOK { return true }
            from = i + 1
        }
        return false
    }

    // MARK: - JPEG

    /// Zigzag position k -> natural (row-major) index in an 8x8 block.
    static let zigzag: [Int] = {
        var order: [Int] = []
        for s in 0..<15 {
            if s % 2 == 0 {
                // Up and to the right: row decreasing.
                for row in stride(from: min(s, 7), through: max(0, s - 7), by: -1) { order.append(row * 8 + (s - row)) }
            } else {
                for row in max(0, s - 7)...min(s, 7) { order.append(row * 8 + (s - row)) }
            }
        }
        return order
    }()

    /// The T.81 Annex K (K.3) example Huffman tables: (class, counts of lengths 1...16, symbols).
    static let standardHuffman: [(tableClass: Int, counts: [Int], symbols: [UInt8])] = {
        let dcCounts0 = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
        let dcCounts1 = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
        let dcSymbols: [UInt8] = Array(0...11)
        let acCounts0 = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
        let acCounts1 = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77]
        // The symbol lists begin with the hand-ordered short codes, then run through each run/size row.
        func rows(_ spans: [(UInt8, UInt8)]) -> [UInt8] { spans.flatMap { Array($0.0...$0.1) } }
        let acSymbols0: [UInt8] =
            [
                0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
                0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
                0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A,
            ]
            + rows([
                (0x25, 0x2A), (0x34, 0x3A), (0x43, 0x4A), (0x53, 0x5A), (0x63, 0x6A), (0x73, 0x7A), (0x83, 0x8A),
                (0x92, 0x9A), (0xA2, 0xAA), (0xB2, 0xBA), (0xC2, 0xCA), (0xD2, 0xDA), (0xE1, 0xEA), (0xF1, 0xFA),
            ])
        let acSymbols1: [UInt8] =
            [
                0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
                0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
                0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
                0x27, 0x28, 0x29, 0x2A,
            ]
            + rows([
                (0x35, 0x3A), (0x43, 0x4A), (0x53, 0x5A), (0x63, 0x6A), (0x73, 0x7A), (0x82, 0x8A), (0x92, 0x9A),
                (0xA2, 0xAA), (0xB2, 0xBA), (0xC2, 0xCA), (0xD2, 0xDA), (0xE2, 0xEA), (0xF2, 0xFA),
            ])
        return [
            (0, dcCounts0, dcSymbols), (0, dcCounts1, dcSymbols), (1, acCounts0, acSymbols0), (1, acCounts1, acSymbols1),
        ]
    }()

    /// Whether a Huffman table equals one of the Annex K example tables of its class.
    static func isStandardHuffman(tableClass: Int, counts: [Int], symbols: [UInt8]) -> Bool {
        standardHuffman.contains { $0.tableClass == tableClass && $0.counts == counts && $0.symbols == symbols }
    }
}
