import Testing
import SignetCBOR

/// A value using every kind of item, nested, for the prefix and round-trip tests.
private let complexValue: CBOR = [
    "int": 1_000_000,
    "neg": -500,
    "big": .unsignedInt(.max),
    "bytes": .byteString(Array(0..<40)),
    "text": "h\u{e9}llo w\u{f6}rld, a longer text string over 23 bytes",
    "array": [1, [2, [3, [4]]], [:]],
    .int(-7): .tagged(18, [.byteString([1, 2]), [:], .null, .byteString([])]),
    "floats": [1.5, 100000.0, 1.1, .float(-.infinity)],
    "simple": [true, false, .null, .undefined, .simple(16), .simple(255)],
]

@Test func everyStrictPrefixOfAComplexValueIsTruncated() throws {
    let bytes = CBOREncoder().encode(complexValue)
    #expect(try CBORDecoder().decode(bytes) == complexValue)
    for length in 0..<bytes.count {
        #expect(decodeErrorCode(Array(bytes[..<length])) == .truncated, "prefix of length \(length)")
    }
}

@Test func everyStrictPrefixOfAnIndefiniteLengthValueIsTruncated() throws {
    let bytes = hex("bf 6346756ef5 63416d7421 61619f0102ff 5f42010243030405ff 7f657374726561646d696e67ff 00 bfff ff")
    _ = try CBORDecoder().decode(bytes)
    for length in 0..<bytes.count {
        #expect(decodeErrorCode(Array(bytes[..<length])) == .truncated, "prefix of length \(length)")
    }
}

@Test func bytesAfterTheItemAreTrailingBytes() throws {
    var error: CBORError?
    do { _ = try CBORDecoder().decode(hex("83010203 00")) } catch let e { error = e }
    #expect(error?.code == .trailingBytes)
    #expect(error?.offset == 4)
}

@Test func decodePrefixReportsTheConsumedLength() throws {
    let (value, consumed) = try CBORDecoder().decodePrefix(hex("820102 ffff"))
    #expect(value == [1, 2])
    #expect(consumed == 3)
}

@Test func sliceDecodingUsesOffsetsRelativeToTheSlice() throws {
    let bytes = hex("0000 8201 02 ff")
    #expect(try CBORDecoder().decode(bytes[2..<5]) == [1, 2])
    var error: CBORError?
    do { _ = try CBORDecoder().decode(bytes[2...]) } catch let e { error = e }
    #expect(error?.code == .trailingBytes)
    #expect(error?.offset == 3)
}

@Test func hugeDeclaredLengthsFailWithoutAllocating() {
    // Lengths over the limits are tooLarge.
    #expect(decodeErrorCode(hex("5bffffffffffffffff")) == .tooLarge)
    #expect(decodeErrorCode(hex("7bffffffffffffffff")) == .tooLarge)
    #expect(decodeErrorCode(hex("9bffffffffffffffff")) == .tooLarge)
    #expect(decodeErrorCode(hex("bbffffffffffffffff")) == .tooLarge)
    #expect(decodeErrorCode(hex("5b7fffffffffffffff 00")) == .tooLarge)
    // Within the limits but longer than the remaining input: truncated, still without allocating.
    #expect(decodeErrorCode(hex("5a00ffffff 00")) == .truncated)
    #expect(decodeErrorCode(hex("9a000f4240 00")) == .truncated)
    #expect(decodeErrorCode(hex("ba00080000 0000")) == .truncated)
    // Indefinite-length string whose chunks together exceed the limit.
    var limits = CBORDecoder.Limits()
    limits.maxStringLength = 4
    #expect(decodeErrorCode(hex("5f 43010203 43040506 ff"), limits: limits) == .tooLarge)
    #expect(decodeErrorCode(hex("44 01020304"), limits: limits) == nil)
    #expect(decodeErrorCode(hex("45 0102030405"), limits: limits) == .tooLarge)
}

@Test func containerCountAndTotalItemLimitsAreEnforced() {
    var limits = CBORDecoder.Limits()
    limits.maxContainerCount = 2
    #expect(decodeErrorCode(hex("82 01 02"), limits: limits) == nil)
    #expect(decodeErrorCode(hex("83 01 02 03"), limits: limits) == .tooLarge)
    #expect(decodeErrorCode(hex("9f 01 02 03 ff"), limits: limits) == .tooLarge)
    #expect(decodeErrorCode(hex("bf 01 02 03 04 05 06 ff"), limits: limits) == .tooLarge)
    limits = CBORDecoder.Limits()
    limits.maxTotalItems = 3
    #expect(decodeErrorCode(hex("82 01 02"), limits: limits) == nil)
    #expect(decodeErrorCode(hex("82 01 81 02"), limits: limits) == .tooLarge)
}

@Test func tenThousandNestedArraysAreTooDeepWithoutStackOverflow() {
    let deep = [UInt8](repeating: 0x81, count: 10_000) + [0x00]
    #expect(decodeErrorCode(deep) == .tooDeep)
    let deepIndefinite = [UInt8](repeating: 0x9f, count: 10_000)
    #expect(decodeErrorCode(deepIndefinite) == .tooDeep)
    let deepTags = [UInt8](repeating: 0xc1, count: 10_000) + [0x00]
    #expect(decodeErrorCode(deepTags) == .tooDeep)
    let deepMaps = Array([[UInt8]](repeating: [0xa1, 0x00], count: 10_000).joined()) + [0x00]
    #expect(decodeErrorCode(deepMaps) == .tooDeep)
}

@Test func nestingUpToMaxDepthIsAcceptedAndOneMoreIsNot() throws {
    var limits = CBORDecoder.Limits()
    limits.maxDepth = 10
    let ok = [UInt8](repeating: 0x81, count: 10) + [0x00]
    #expect(decodeErrorCode(ok, limits: limits) == nil)
    let tooDeep = [UInt8](repeating: 0x81, count: 11) + [0x00]
    #expect(decodeErrorCode(tooDeep, limits: limits) == .tooDeep)
    // The parser itself is iterative; a raised limit is honoured.
    limits.maxDepth = 1_000
    let veryDeep = [UInt8](repeating: 0x81, count: 1_000) + [0x00]
    let value = try CBORDecoder(limits: limits).decode(veryDeep)
    var depth = 0
    var current = value
    while case .array(let items) = current, let first = items.first {
        depth += 1
        current = first
    }
    #expect(depth == 1_000)
}

@Test func invalidUTF8InTextStringsIsRejected() {
    #expect(decodeErrorCode(hex("62 c328")) == .invalidUTF8)
    #expect(decodeErrorCode(hex("61 ff")) == .invalidUTF8)
    #expect(decodeErrorCode(hex("63 eda080")) == .invalidUTF8)  // UTF-16 surrogate
    #expect(decodeErrorCode(hex("62 c080")) == .invalidUTF8)  // overlong
    // A code point split across indefinite-length chunks is invalid (each chunk must be valid).
    #expect(decodeErrorCode(hex("7f 61c3 61bc ff")) == .invalidUTF8)
}

@Test func reservedAdditionalInformationIsRejected() {
    for major: UInt8 in 0...7 {
        for ai: UInt8 in 28...30 {
            #expect(decodeErrorCode([major << 5 | ai]) == .reservedAdditionalInformation)
        }
    }
}

@Test func misplacedBreaksAreRejected() {
    #expect(decodeErrorCode(hex("ff")) == .unexpectedBreak)
    #expect(decodeErrorCode(hex("82 01 ff")) == .unexpectedBreak)
    #expect(decodeErrorCode(hex("c1 ff")) == .unexpectedBreak)
    #expect(decodeErrorCode(hex("bf 01 ff")) == .unexpectedBreak)
}

@Test func invalidIndefiniteLengthsAreRejected() {
    #expect(decodeErrorCode(hex("1f")) == .invalidIndefiniteLength)
    #expect(decodeErrorCode(hex("3f")) == .invalidIndefiniteLength)
    #expect(decodeErrorCode(hex("df 00")) == .invalidIndefiniteLength)
    #expect(decodeErrorCode(hex("5f 6161 ff")) == .invalidIndefiniteLength)  // text chunk in byte string
    #expect(decodeErrorCode(hex("7f 4161 ff")) == .invalidIndefiniteLength)  // byte chunk in text string
    #expect(decodeErrorCode(hex("5f 5f ff ff")) == .invalidIndefiniteLength)  // nested indefinite chunk
    #expect(decodeErrorCode(hex("5f 01 ff")) == .invalidIndefiniteLength)
}

@Test func twoByteSimpleValuesBelow32AreRejected() {
    for v: UInt8 in 0..<32 {
        #expect(decodeErrorCode([0xf8, v]) == .invalidSimpleValue)
    }
    #expect(decodeErrorCode([0xf8, 32]) == nil)
}

@Test func nonShortestHeadsAreAcceptedLeniently() throws {
    #expect(try CBORDecoder().decode(hex("1800")) == 0)
    #expect(try CBORDecoder().decode(hex("1b0000000000000001")) == 1)
    #expect(try CBORDecoder().decode(hex("5800")) == .byteString([]))
    #expect(try CBORDecoder().decode(hex("990001 01")) == [1])
}

@Test func duplicateMapKeysAreKeptInOrder() throws {
    let value = try CBORDecoder().decode(hex("a3 01 02 01 03 61 61 04"))
    #expect(value.mapEntries == [.init(1, 2), .init(1, 3), .init("a", 4)])
    #expect(value[intKey: 1] == 2)
    #expect(value["a"] == 4)
}

@Test func everyHalfPrecisionValueDecodesAndReencodesToTheSameBits() throws {
    for bits in 0...UInt16.max {
        let bytes: [UInt8] = [0xf9, UInt8(bits >> 8), UInt8(bits & 0xff)]
        let value = try CBORDecoder().decode(bytes)
        guard case .float(let d) = value else {
            Issue.record("not a float")
            return
        }
        if d.isNaN { continue }
        let reencoded = CBOREncoder().encode(value)
        if reencoded != bytes {
            Issue.record("half 0x\(String(bits, radix: 16)) re-encoded as \(hexString(reencoded))")
            return
        }
    }
}

@Test func singleAndDoubleFloatsDecodeExactly() throws {
    #expect(try CBORDecoder().decode(hex("fa3fc00000")) == 1.5)
    #expect(try CBORDecoder().decode(hex("fb3ff8000000000000")) == 1.5)
    #expect(try CBORDecoder().decode(hex("f93555")) == .float(0.333251953125))
}
