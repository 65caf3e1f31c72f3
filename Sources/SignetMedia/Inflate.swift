/// A small, bounded zlib/DEFLATE decoder (RFC 1950/1951): compressed PNG text chunks (the detector's metadata
/// reader) and PDF `FlateDecode` streams (cross-reference and object streams, an embedded manifest store).
///
/// Why here: Foundation on Linux exposes no zlib API, and generator text (ComfyUI workflows, XMP in
/// compressed iTXt) is often compressed. Output is capped (`limit`), so a decompression bomb costs at most
/// `limit` bytes and proportional time; input is only read within the array. Decoding is the canonical
/// Huffman method: per code length, count codes and compare the code being built against the range of
/// that length.
public enum Inflate {
    public enum Result: Equatable, Sendable {
        /// The whole stream inflated.
        case complete([UInt8])
        /// The output reached the limit, or the input ended early: what was produced so far.
        case truncated([UInt8])
        /// The stream is not valid zlib/DEFLATE.
        case failed(String)
    }

    /// Inflates a zlib stream (2-byte header, DEFLATE data; the Adler-32 trailer is not checked).
    public static func zlib(_ data: [UInt8], limit: Int) -> Result {
        guard data.count >= 2 else { return .failed("too short") }
        let cmf = Int(data[0])
        let flg = Int(data[1])
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (cmf << 8 | flg) % 31 == 0 else { return .failed("bad zlib header") }
        guard flg & 0x20 == 0 else { return .failed("preset dictionary") }
        return raw(data, start: 2, limit: limit)
    }

    /// Inflates raw DEFLATE data starting at byte `start`.
    public static func raw(_ data: [UInt8], start: Int, limit: Int) -> Result {
        var state = State(data: data, position: start, limit: limit)
        do throws(Failure) {
            try state.run()
            return .complete(state.output)
        } catch {
            switch error {
            case .limit, .endOfInput: return .truncated(state.output)
            case .invalid(let why): return .failed(why)
            }
        }
    }

    enum Failure: Error {
        case limit, endOfInput, invalid(String)
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in code order.
    struct Code {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        /// A code that decodes nothing.
        init() {}

        /// Builds the code from per-symbol lengths; fails on an over-subscribed set of lengths.
        init(lengths: [Int]) throws(Failure) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var left = 1
            for len in 1..<16 {
                left <<= 1
                left -= counts[len]
                if left < 0 { throw .invalid("over-subscribed code") }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for len in 1..<15 { offsets[len + 1] = offsets[len] + counts[len] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
        8193, 12289, 16385, 24577,
    ]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    struct State {
        let data: [UInt8]
        var position: Int
        let limit: Int
        var output: [UInt8] = []
        var bitBuffer = 0
        var bitCount = 0

        init(data: [UInt8], position: Int, limit: Int) {
            self.data = data
            self.position = position
            self.limit = limit
        }

        mutating func bits(_ n: Int) throws(Failure) -> Int {
            while bitCount < n {
                guard position < data.count else { throw .endOfInput }
                bitBuffer |= Int(data[position]) << bitCount
                position += 1
                bitCount += 8
            }
            let v = bitBuffer & ((1 << n) - 1)
            bitBuffer >>= n
            bitCount -= n
            return v
        }

        mutating func decode(_ code: Code) throws(Failure) -> Int {
            var value = 0
            var first = 0
            var index = 0
            for len in 1..<16 {
                value |= try bits(1)
                let count = code.counts[len]
                if value - count < first { return code.symbols[index + (value - first)] }
                index += count
                first += count
                first <<= 1
                value <<= 1
            }
            throw .invalid("bad code")
        }

        mutating func emit(_ byte: UInt8) throws(Failure) {
            guard output.count < limit else { throw .limit }
            output.append(byte)
        }

        mutating func run() throws(Failure) {
            var last = false
            while !last {
                last = try bits(1) == 1
                switch try bits(2) {
                case 0: try stored()
                case 1: try codes(Inflate.fixedLiteral, Inflate.fixedDistance)
                case 2:
                    let (literal, distance) = try dynamicCodes()
                    try codes(literal, distance)
                default: throw .invalid("reserved block type")
                }
            }
        }

        mutating func stored() throws(Failure) {
            bitBuffer = 0
            bitCount = 0
            guard position + 4 <= data.count else { throw .endOfInput }
            let len = Int(data[position]) | Int(data[position + 1]) << 8
            let nlen = Int(data[position + 2]) | Int(data[position + 3]) << 8
            guard len == ~nlen & 0xFFFF else { throw .invalid("stored block length check") }
            position += 4
            for _ in 0..<len {
                guard position < data.count else { throw .endOfInput }
                try emit(data[position])
                position += 1
            }
        }

        mutating func codes(_ literal: Code, _ distance: Code) throws(Failure) {
            while true {
                let symbol = try decode(literal)
                if symbol < 256 {
                    try emit(UInt8(symbol))
                } else if symbol == 256 {
                    return
                } else {
                    let li = symbol - 257
                    guard li < Inflate.lengthBase.count else { throw .invalid("bad length symbol") }
                    let length = Inflate.lengthBase[li] + (try bits(Inflate.lengthExtra[li]))
                    let di = try decode(distance)
                    guard di < Inflate.distanceBase.count else { throw .invalid("bad distance symbol") }
                    let dist = Inflate.distanceBase[di] + (try bits(Inflate.distanceExtra[di]))
                    guard dist <= output.count else { throw .invalid("distance too far back") }
                    for _ in 0..<length { try emit(output[output.count - dist]) }
                }
            }
        }

        mutating func dynamicCodes() throws(Failure) -> (Code, Code) {
            let nlen = try bits(5) + 257
            let ndist = try bits(5) + 1
            let ncode = try bits(4) + 4
            guard nlen <= 286, ndist <= 30 else { throw .invalid("bad code counts") }
            var lengths = [Int](repeating: 0, count: 19)
            for k in 0..<ncode { lengths[Inflate.codeLengthOrder[k]] = try bits(3) }
            let lengthCode = try Code(lengths: lengths)
            var all: [Int] = []
            all.reserveCapacity(nlen + ndist)
            while all.count < nlen + ndist {
                let symbol = try decode(lengthCode)
                switch symbol {
                case 0..<16: all.append(symbol)
                case 16:
                    guard let previous = all.last else { throw .invalid("repeat with no previous length") }
                    all += [Int](repeating: previous, count: 3 + (try bits(2)))
                case 17: all += [Int](repeating: 0, count: 3 + (try bits(3)))
                default: all += [Int](repeating: 0, count: 11 + (try bits(7)))
                }
            }
            guard all.count == nlen + ndist else { throw .invalid("too many lengths") }
            guard all[256] != 0 else { throw .invalid("no end-of-block code") }
            return (try Code(lengths: Array(all[0..<nlen])), try Code(lengths: Array(all[nlen...])))
        }
    }

    static let fixedLiteral: Code = {
        var lengths = [Int](repeating: 8, count: 288)
        for k in 144..<256 { lengths[k] = 9 }
        for k in 256..<280 { lengths[k] = 7 }
        // Valid by construction: the fixed code is complete.
        return (try? Code(lengths: lengths)) ?? Code()
    }()

    static let fixedDistance: Code = {
        (try? Code(lengths: [Int](repeating: 5, count: 30))) ?? Code()
    }()
}
