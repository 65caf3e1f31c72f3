/// Decodes CBOR (RFC 8949) into ``CBOR`` values.
///
/// Grammar accepted (RFC 8949 section 3):
///
/// ```
/// item     = head [content]
/// head     = initial-byte [argument]          ; initial-byte = major-type (3 bits) || additional-info (5 bits)
/// argument = 0, 1, 2, 4 or 8 bytes big-endian  ; additional-info < 24, 24, 25, 26, 27
///          ; additional-info 28...30 are reserved and rejected
///          ; additional-info 31 = indefinite length (major types 2...5 only) or "break" (0xff)
/// major 0  unsigned integer           major 1  negative integer -1-n
/// major 2  byte string (n bytes)      major 3  UTF-8 text string (n bytes)
///          indefinite: chunks of the same major type with definite length, then 0xff
/// major 4  array of n items           major 5  map of n key/value pairs
///          indefinite: items until 0xff
/// major 6  tag n, followed by one item
/// major 7  simple 0...23, simple in next byte (32...255), half/single/double float, break
/// ```
///
/// The decoder is lenient where it is safe to be: non-shortest heads, indefinite lengths and
/// duplicate map keys (all kept, in order) are accepted. It is strict where it matters for safety:
/// every length is checked against the remaining input before anything is allocated, nesting is
/// bounded by ``Limits/maxDepth`` (the parser is iterative, so deep input cannot exhaust the stack),
/// and text strings must be valid UTF-8.
public struct CBORDecoder: Sendable {
    /// Resource limits applied while decoding.
    public struct Limits: Sendable {
        /// Maximum nesting of arrays, maps and tags.
        ///
        /// The parser is iterative, but ``CBOR`` values are recursive: encoding, comparing and
        /// destroying a value recurse once per level. Keep this in the hundreds at most.
        public var maxDepth = 64
        /// Maximum number of elements of one array, or entries of one map.
        public var maxContainerCount = 1_000_000
        /// Maximum length in bytes of one byte or text string (all chunks together).
        public var maxStringLength = 64 << 20
        /// Maximum number of data items in the whole input.
        public var maxTotalItems = 4_000_000

        /// Creates the default limits.
        public init() {}

        /// The default limits.
        public static let `default` = Limits()
    }

    /// The limits this decoder enforces.
    public var limits: Limits

    /// Creates a decoder.
    public init(limits: Limits = .default) {
        self.limits = limits
    }

    /// Decodes exactly one data item; any byte after it is an error (``CBORError/Code/trailingBytes``).
    public func decode(_ bytes: [UInt8]) throws(CBORError) -> CBOR {
        try decode(bytes[...])
    }

    /// Decodes exactly one data item; error offsets are relative to `bytes.startIndex`.
    public func decode(_ bytes: ArraySlice<UInt8>) throws(CBORError) -> CBOR {
        let (value, consumed) = try decodePrefix(bytes)
        guard consumed == bytes.count else {
            throw CBORError(
                .trailingBytes, offset: consumed,
                reason: "\(bytes.count - consumed) byte(s) follow the data item")
        }
        return value
    }

    /// Decodes the first data item of `bytes` and returns it with the number of bytes it occupies.
    public func decodePrefix(_ bytes: [UInt8]) throws(CBORError) -> (value: CBOR, consumed: Int) {
        try decodePrefix(bytes[...])
    }

    /// Decodes the first data item of `bytes` and returns it with the number of bytes it occupies.
    public func decodePrefix(_ bytes: ArraySlice<UInt8>) throws(CBORError) -> (value: CBOR, consumed: Int) {
        var parser = Parser(bytes: bytes, limits: limits)
        let value = try parser.parseItem()
        return (value, parser.pos - bytes.startIndex)
    }
}

private struct Parser {
    let bytes: ArraySlice<UInt8>
    let limits: CBORDecoder.Limits
    var pos: Int
    var totalItems = 0

    init(bytes: ArraySlice<UInt8>, limits: CBORDecoder.Limits) {
        self.bytes = bytes
        self.limits = limits
        self.pos = bytes.startIndex
    }

    private struct Head {
        var major: UInt8
        var additional: UInt8
        /// `nil` for additional information 31 (indefinite length / break).
        var argument: UInt64?
    }

    private enum Kind { case array, map, tag }

    /// An open container or tag on the explicit parse stack.
    private struct Frame {
        var kind: Kind
        /// Items (array) or entries (map) still expected; `nil` for indefinite length.
        var remaining: Int?
        var items: [CBOR] = []
        var entries: [CBOR.MapEntry] = []
        var pendingKey: CBOR? = nil
        var tag: UInt64 = 0
    }

    private func offset(_ index: Int) -> Int { index - bytes.startIndex }
    private var remaining: Int { bytes.endIndex - pos }

    private func error(_ code: CBORError.Code, at index: Int, _ reason: String) -> CBORError {
        CBORError(code, offset: offset(index), reason: reason)
    }

    private mutating func readHead() throws(CBORError) -> Head {
        let start = pos
        guard pos < bytes.endIndex else {
            throw error(.truncated, at: pos, "input ends where a data item was expected")
        }
        let initial = bytes[pos]
        pos += 1
        let major = initial >> 5
        let additional = initial & 0x1f
        let argumentLength: Int
        switch additional {
        case 0..<24:
            return Head(major: major, additional: additional, argument: UInt64(additional))
        case 24: argumentLength = 1
        case 25: argumentLength = 2
        case 26: argumentLength = 4
        case 27: argumentLength = 8
        case 31:
            return Head(major: major, additional: additional, argument: nil)
        default:
            throw error(
                .reservedAdditionalInformation, at: start,
                "additional information \(additional) is reserved (initial byte 0x\(String(initial, radix: 16)))")
        }
        guard remaining >= argumentLength else {
            throw error(.truncated, at: start, "input ends inside the argument of a data item")
        }
        var argument: UInt64 = 0
        for _ in 0..<argumentLength {
            argument = argument << 8 | UInt64(bytes[pos])
            pos += 1
        }
        return Head(major: major, additional: additional, argument: argument)
    }

    private mutating func countItem(at start: Int) throws(CBORError) {
        totalItems += 1
        guard totalItems <= limits.maxTotalItems else {
            throw error(.tooLarge, at: start, "more than \(limits.maxTotalItems) data items")
        }
    }

    /// Reads `length` bytes of string content after checking the limits and the remaining input.
    private mutating func readContent(length argument: UInt64, soFar: Int, itemStart: Int) throws(CBORError) -> ArraySlice<UInt8> {
        guard let length = Int(exactly: argument),
              length <= limits.maxStringLength,
              soFar <= limits.maxStringLength - length
        else {
            throw error(
                .tooLarge, at: itemStart,
                "string length \(argument) exceeds the limit of \(limits.maxStringLength) bytes")
        }
        guard length <= remaining else {
            throw error(
                .truncated, at: itemStart,
                "string declares \(length) bytes but only \(remaining) remain")
        }
        let content = bytes[pos..<(pos + length)]
        pos += length
        return content
    }

    private func text(_ content: ArraySlice<UInt8>, itemStart: Int) throws(CBORError) -> String {
        var iterator = content.makeIterator()
        var utf8 = UTF8()
        loop: while true {
            switch utf8.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break loop
            case .error:
                throw error(.invalidUTF8, at: itemStart, "text string is not valid UTF-8")
            }
        }
        return String(decoding: content, as: UTF8.self)
    }

    /// Reads the content of a byte (major 2) or text (major 3) string whose head was just read.
    private mutating func readString(_ head: Head, itemStart: Int) throws(CBORError) -> CBOR {
        if let argument = head.argument {
            let content = try readContent(length: argument, soFar: 0, itemStart: itemStart)
            if head.major == 2 { return .byteString(Array(content)) }
            return .textString(try text(content, itemStart: itemStart))
        }
        // Indefinite length: definite-length chunks of the same major type, then a break.
        var joined: [UInt8] = []
        var string = ""
        while true {
            let chunkStart = pos
            guard pos < bytes.endIndex else {
                throw error(.truncated, at: pos, "input ends inside an indefinite-length string")
            }
            if bytes[pos] == 0xff {
                pos += 1
                break
            }
            try countItem(at: chunkStart)
            let chunk = try readHead()
            guard chunk.major == head.major, let length = chunk.argument else {
                throw error(
                    .invalidIndefiniteLength, at: chunkStart,
                    "a chunk of an indefinite-length string must be a definite-length string of the same type")
            }
            let content = try readContent(length: length, soFar: joined.count + string.utf8.count, itemStart: chunkStart)
            if head.major == 2 {
                joined.append(contentsOf: content)
            } else {
                string += try text(content, itemStart: chunkStart)
            }
        }
        return head.major == 2 ? .byteString(joined) : .textString(string)
    }

    private func simpleOrFloat(_ head: Head, itemStart: Int) throws(CBORError) -> CBOR {
        // head.argument is non-nil here: 0xff (break) is handled by the caller.
        let argument = head.argument ?? 0
        switch head.additional {
        case 0..<20: return .simple(head.additional)
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 23: return .undefined
        case 24:
            guard argument >= 32 else {
                throw error(
                    .invalidSimpleValue, at: itemStart,
                    "simple value \(argument) must use the one-byte form")
            }
            return .simple(UInt8(truncatingIfNeeded: argument))
        case 25: return .float(HalfFloat.value(UInt16(truncatingIfNeeded: argument)))
        case 26: return .float(Double(Float(bitPattern: UInt32(truncatingIfNeeded: argument))))
        default: return .float(Double(bitPattern: argument))
        }
    }

    mutating func parseItem() throws(CBORError) -> CBOR {
        var stack: [Frame] = []
        parsing: while true {
            let itemStart = pos
            var value: CBOR
            if pos < bytes.endIndex, bytes[pos] == 0xff {
                // "break": closes the innermost indefinite-length array or map.
                guard let top = stack.last, top.kind != .tag, top.remaining == nil else {
                    throw error(.unexpectedBreak, at: itemStart, "break outside an indefinite-length array or map")
                }
                guard top.pendingKey == nil else {
                    throw error(.unexpectedBreak, at: itemStart, "indefinite-length map ends after a key without a value")
                }
                pos += 1
                let frame = stack.removeLast()
                value = frame.kind == .array ? .array(frame.items) : .map(frame.entries)
            } else {
                try countItem(at: itemStart)
                let head = try readHead()
                switch head.major {
                case 0, 1:
                    guard let argument = head.argument else {
                        throw error(.invalidIndefiniteLength, at: itemStart, "an integer cannot have an indefinite length")
                    }
                    value = head.major == 0 ? .unsignedInt(argument) : .negativeInt(argument)
                case 2, 3:
                    value = try readString(head, itemStart: itemStart)
                case 4, 5:
                    guard stack.count < limits.maxDepth else {
                        throw error(.tooDeep, at: itemStart, "nesting deeper than \(limits.maxDepth)")
                    }
                    let kind: Kind = head.major == 4 ? .array : .map
                    if let argument = head.argument {
                        guard let count = Int(exactly: argument), count <= limits.maxContainerCount else {
                            throw error(
                                .tooLarge, at: itemStart,
                                "container declares \(argument) elements, over the limit of \(limits.maxContainerCount)")
                        }
                        // Every element takes at least one byte; a map entry at least two.
                        let minimumBytes = kind == .array ? count : count.multipliedReportingOverflow(by: 2).partialValue
                        guard minimumBytes <= remaining else {
                            throw error(
                                .truncated, at: itemStart,
                                "container declares \(count) elements but only \(remaining) bytes remain")
                        }
                        if count == 0 {
                            value = kind == .array ? .array([]) : .map([])
                        } else {
                            var frame = Frame(kind: kind, remaining: count)
                            if kind == .array {
                                frame.items.reserveCapacity(count)
                            } else {
                                frame.entries.reserveCapacity(count)
                            }
                            stack.append(frame)
                            continue parsing
                        }
                    } else {
                        stack.append(Frame(kind: kind, remaining: nil))
                        continue parsing
                    }
                case 6:
                    guard let tag = head.argument else {
                        throw error(.invalidIndefiniteLength, at: itemStart, "a tag cannot have an indefinite length")
                    }
                    guard stack.count < limits.maxDepth else {
                        throw error(.tooDeep, at: itemStart, "nesting deeper than \(limits.maxDepth)")
                    }
                    stack.append(Frame(kind: .tag, remaining: 1, tag: tag))
                    continue parsing
                default:
                    value = try simpleOrFloat(head, itemStart: itemStart)
                }
            }

            // Hand the completed value to the enclosing frames, closing those that are now full.
            while !stack.isEmpty {
                let i = stack.count - 1
                switch stack[i].kind {
                case .tag:
                    let tag = stack.removeLast().tag
                    value = .tagged(tag, value)
                case .array:
                    if stack[i].remaining == nil, stack[i].items.count >= limits.maxContainerCount {
                        throw error(.tooLarge, at: itemStart, "array has more than \(limits.maxContainerCount) elements")
                    }
                    stack[i].items.append(value)
                    if let left = stack[i].remaining {
                        stack[i].remaining = left - 1
                        if left == 1 {
                            value = .array(stack.removeLast().items)
                            continue
                        }
                    }
                    continue parsing
                case .map:
                    guard let key = stack[i].pendingKey else {
                        if stack[i].remaining == nil, stack[i].entries.count >= limits.maxContainerCount {
                            throw error(.tooLarge, at: itemStart, "map has more than \(limits.maxContainerCount) entries")
                        }
                        stack[i].pendingKey = value
                        continue parsing
                    }
                    stack[i].pendingKey = nil
                    stack[i].entries.append(CBOR.MapEntry(key, value))
                    if let left = stack[i].remaining {
                        stack[i].remaining = left - 1
                        if left == 1 {
                            value = .map(stack.removeLast().entries)
                            continue
                        }
                    }
                    continue parsing
                }
            }
            return value
        }
    }
}
