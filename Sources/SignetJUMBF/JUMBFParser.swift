/// Parses JUMBF (ISO 19566-5) boxes out of a byte buffer, strictly and within limits.
///
/// Grammar (see ``JUMBFBox`` for the box header and ``JUMBFDescription`` for the `jumd` payload):
///
/// ```
/// box       = header payload
/// superbox  = header("jumb") jumd-box *box      ; the jumd box must come first, and only there
/// jumd-box  = header("jumd") description
/// other box = header(type) opaque-bytes         ; cbor, json, bfdb, bidb, uuid, c2sh, jp2c, free, brob, ...
/// ```
///
/// Every length is checked against its container before use: a box running past its parent (or the input) is
/// ``JUMBFError/Code/truncated``; a length smaller than its header is ``JUMBFError/Code/badLength``; an LBox of
/// 0 runs to the end of the enclosing container. Nesting and the number of boxes are bounded by ``Limits``.
/// Description boxes are decoded strictly: reserved toggle bits, missing NUL terminators, short fields and
/// leftover bytes are ``JUMBFError/Code/badDescription``; labels that C2PA forbids are
/// ``JUMBFError/Code/badLabel``.
public struct JUMBFParser: Sendable {
    /// Resource bounds for one parse.
    public struct Limits: Sendable {
        /// How many superboxes (and description private boxes) may be nested inside each other. C2PA stores use
        /// four levels (store > manifest > assertion store > assertion). The parser recurses once per level.
        public var maxDepth = 32
        /// How many boxes (of any kind, description boxes included) one parse may produce.
        public var maxBoxes = 100_000
        /// Whether LBox 0 ("the box runs to the end of its container") is accepted. ISO 19566-5 allows it;
        /// C2PA manifest stores never need it, and c2pa-rs refuses it.
        public var allowsLengthToEnd = true

        /// The default limits.
        public init() {}

        /// The default limits: depth 32, 100 000 boxes.
        public static let `default` = Limits()
    }

    /// The limits applied by this parser.
    public var limits: Limits

    /// Creates a parser.
    public init(limits: Limits = .default) {
        self.limits = limits
    }

    /// Parses exactly one box that spans all of `bytes`.
    ///
    /// - Parameters:
    ///   - bytes: the box bytes.
    ///   - baseOffset: added to every reported offset (e.g. where `bytes` starts in a file).
    /// - Throws: ``JUMBFError``; ``JUMBFError/Code/trailingBytes`` when bytes follow the box.
    public func parseBox(_ bytes: [UInt8], baseOffset: Int = 0) throws(JUMBFError) -> JUMBFBox {
        var state = try State(bytes: bytes, baseOffset: baseOffset, limits: limits)
        let box = try state.parseBox(at: 0, end: bytes.count, depth: 0)
        let consumed = box.range.upperBound - baseOffset
        guard consumed == bytes.count else {
            throw JUMBFError(
                .trailingBytes, "\(bytes.count - consumed) bytes follow the \(box.type) box",
                offset: box.range.upperBound)
        }
        return box
    }

    /// Parses a sequence of boxes that fills all of `bytes` (an empty input gives no boxes).
    ///
    /// - Parameters:
    ///   - bytes: the concatenated boxes.
    ///   - baseOffset: added to every reported offset.
    public func parseBoxes(_ bytes: [UInt8], baseOffset: Int = 0) throws(JUMBFError) -> [JUMBFBox] {
        var state = try State(bytes: bytes, baseOffset: baseOffset, limits: limits)
        return try state.parseSequence(from: 0, to: bytes.count, depth: 0)
    }
}

extension JUMBFParser {
    /// One parse's cursor-free state: the buffer, the base offset and the running box count.
    /// All positions are indices into `bytes`; `absolute(_:)` adds the base offset.
    fileprivate struct State {
        let bytes: [UInt8]
        let baseOffset: Int
        let limits: Limits
        var boxCount = 0

        init(bytes: [UInt8], baseOffset: Int, limits: Limits) throws(JUMBFError) {
            guard !baseOffset.addingReportingOverflow(bytes.count).overflow else {
                throw JUMBFError(.badLength, "base offset \(baseOffset) plus \(bytes.count) bytes overflows")
            }
            self.bytes = bytes
            self.baseOffset = baseOffset
            self.limits = limits
        }

        func absolute(_ index: Int) -> Int { baseOffset + index }

        func readUInt32(at index: Int) -> UInt32 {
            var value: UInt32 = 0
            for i in index..<(index + 4) { value = value << 8 | UInt32(bytes[i]) }
            return value
        }

        func readUInt64(at index: Int) -> UInt64 {
            var value: UInt64 = 0
            for i in index..<(index + 8) { value = value << 8 | UInt64(bytes[i]) }
            return value
        }

        /// Reads the header of the box at `start`, which must end by `end`.
        /// Returns the type, the index where the payload starts and the index where the box ends.
        mutating func readHeader(at start: Int, end: Int) throws(JUMBFError) -> (
            type: FourCC, payloadStart: Int, boxEnd: Int
        ) {
            boxCount += 1
            guard boxCount <= limits.maxBoxes else {
                throw JUMBFError(
                    .tooManyBoxes, "more than \(limits.maxBoxes) boxes", offset: absolute(start))
            }
            let available = end - start
            guard available >= 8 else {
                throw JUMBFError(
                    .truncated, "box header needs 8 bytes, \(available) left", offset: absolute(start))
            }
            let lbox = readUInt32(at: start)
            let type = FourCC(rawValue: readUInt32(at: start + 4))
            let headerSize: Int
            let total: Int
            switch lbox {
            case 0:
                guard limits.allowsLengthToEnd else {
                    throw JUMBFError(.badLength, "\(type) box has LBox 0 (to the end of its container), which is not accepted here", offset: absolute(start))
                }
                headerSize = 8
                total = available
            case 1:
                headerSize = 16
                guard available >= 16 else {
                    throw JUMBFError(
                        .truncated, "\(type) box header with XLBox needs 16 bytes, \(available) left",
                        offset: absolute(start))
                }
                let xlbox = readUInt64(at: start + 8)
                guard let length = Int(exactly: xlbox) else {
                    throw JUMBFError(
                        .truncated, "\(type) box XLBox \(xlbox) exceeds the input", offset: absolute(start))
                }
                total = length
            default:
                headerSize = 8
                total = Int(lbox)
            }
            guard total >= headerSize else {
                throw JUMBFError(
                    .badLength, "\(type) box length \(total) is shorter than its \(headerSize)-byte header",
                    offset: absolute(start))
            }
            guard total <= available else {
                throw JUMBFError(
                    .truncated, "\(type) box length \(total) runs past its container (\(available) bytes left)",
                    offset: absolute(start))
            }
            return (type, start + headerSize, start + total)
        }

        /// Parses the box at `start`, which must end by `end` (the end of its container).
        mutating func parseBox(at start: Int, end: Int, depth: Int) throws(JUMBFError) -> JUMBFBox {
            let (type, payloadStart, boxEnd) = try readHeader(at: start, end: end)
            let range = absolute(start)..<absolute(boxEnd)
            let payloadRange = absolute(payloadStart)..<absolute(boxEnd)
            switch type {
            case .jumb:
                guard depth < limits.maxDepth else {
                    throw JUMBFError(
                        .tooDeep, "superboxes nested deeper than \(limits.maxDepth)", offset: absolute(start))
                }
                let (description, childrenStart) = try parseDescriptionBox(
                    at: payloadStart, end: boxEnd, depth: depth)
                let children = try parseSequence(from: childrenStart, to: boxEnd, depth: depth + 1)
                return JUMBFBox(
                    type: type, range: range, payloadRange: payloadRange,
                    content: .superbox(description, children: children))
            case .jumd:
                throw JUMBFError(
                    .badDescription, "a jumd box may only be the first box of a superbox", offset: absolute(start))
            default:
                // Padding boxes in a manifest store hold zeros only (C2PA 2.2, 15.12.1: the bytes a data hash
                // excludes are the store and zeroed padding), so they carry nothing an attacker wrote.
                if type == .free || type == .skip, bytes[payloadStart..<boxEnd].contains(where: { $0 != 0 }) {
                    throw JUMBFError(.badContent, "a \(type) (padding) box holds bytes other than zero", offset: absolute(start))
                }
                return JUMBFBox(
                    type: type, range: range, payloadRange: payloadRange,
                    content: .data(Array(bytes[payloadStart..<boxEnd])))
            }
        }

        /// Parses boxes filling `start..<end`.
        mutating func parseSequence(from start: Int, to end: Int, depth: Int) throws(JUMBFError) -> [JUMBFBox] {
            var boxes: [JUMBFBox] = []
            var position = start
            while position < end {
                let box = try parseBox(at: position, end: end, depth: depth)
                boxes.append(box)
                position = box.range.upperBound - baseOffset
            }
            return boxes
        }

        /// Parses the `jumd` box that must open the superbox payload at `start..<end`.
        /// Returns the description and the index just past the `jumd` box.
        mutating func parseDescriptionBox(at start: Int, end: Int, depth: Int) throws(JUMBFError) -> (
            JUMBFDescription, Int
        ) {
            guard start < end else {
                throw JUMBFError(.missingDescription, "superbox is empty, no jumd box", offset: absolute(start))
            }
            let (type, payloadStart, boxEnd) = try readHeader(at: start, end: end)
            guard type == .jumd else {
                throw JUMBFError(
                    .missingDescription, "superbox starts with a \(type) box instead of jumd",
                    offset: absolute(start))
            }
            let description = try parseDescription(from: payloadStart, to: boxEnd, depth: depth)
            return (description, boxEnd)
        }

        /// Decodes a `jumd` payload at `start..<end` (grammar in ``JUMBFDescription``).
        mutating func parseDescription(from start: Int, to end: Int, depth: Int) throws(JUMBFError)
            -> JUMBFDescription
        {
            guard end - start >= 17 else {
                throw JUMBFError(
                    .badDescription, "jumd payload needs 17 bytes (type UUID and toggles), has \(end - start)",
                    offset: absolute(start))
            }
            let type = JUMBFType(uuid: Array(bytes[start..<(start + 16)]))
            let toggles = bytes[start + 16]
            guard toggles & JUMBFDescription.Toggle.reserved == 0 else {
                throw JUMBFError(
                    .badDescription, "jumd toggles \(toggles) set reserved bits", offset: absolute(start + 16))
            }
            var cursor = start + 17
            var description = JUMBFDescription(type: type, requestable: toggles & JUMBFDescription.Toggle.requestable != 0)

            if toggles & JUMBFDescription.Toggle.label != 0 {
                guard let terminator = bytes[cursor..<end].firstIndex(of: 0) else {
                    throw JUMBFError(.badDescription, "jumd label has no NUL terminator", offset: absolute(cursor))
                }
                description.label = try decodeLabel(bytes[cursor..<terminator], at: cursor)
                cursor = terminator + 1
            }
            if toggles & JUMBFDescription.Toggle.id != 0 {
                guard end - cursor >= 4 else {
                    throw JUMBFError(.badDescription, "jumd ID needs 4 bytes", offset: absolute(cursor))
                }
                description.id = readUInt32(at: cursor)
                cursor += 4
            }
            if toggles & JUMBFDescription.Toggle.signature != 0 {
                guard end - cursor >= 32 else {
                    throw JUMBFError(.badDescription, "jumd signature needs 32 bytes", offset: absolute(cursor))
                }
                description.signature = Array(bytes[cursor..<(cursor + 32)])
                cursor += 32
            }
            if toggles & JUMBFDescription.Toggle.privateBox != 0 {
                guard cursor < end else {
                    throw JUMBFError(.badDescription, "jumd private box is missing", offset: absolute(cursor))
                }
                let privateBox = try parseBox(at: cursor, end: end, depth: depth + 1)
                description.privateBox = privateBox
                cursor = privateBox.range.upperBound - baseOffset
            }
            guard cursor == end else {
                throw JUMBFError(
                    .badDescription, "\(end - cursor) unexpected bytes at the end of the jumd box",
                    offset: absolute(cursor))
            }
            return description
        }

        func decodeLabel(_ raw: ArraySlice<UInt8>, at index: Int) throws(JUMBFError) -> String {
            let label = String(decoding: raw, as: UTF8.self)
            // Invalid UTF-8 is repaired with U+FFFD by `String(decoding:)`, which changes the bytes.
            guard label.utf8.elementsEqual(raw) else {
                throw JUMBFError(.badLabel, "label is not valid UTF-8", offset: absolute(index))
            }
            guard JUMBFDescription.isValidLabel(label) else {
                throw JUMBFError(
                    .badLabel, "label \(label.debugDescription) is empty or has a character C2PA forbids",
                    offset: absolute(index))
            }
            return label
        }
    }
}
