import Testing
import SignetCBOR

@Test func headsUseTheShortestFormAtEveryBoundary() {
    let cases: [(UInt64, String)] = [
        (23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"), (65535, "19ffff"),
        (65536, "1a00010000"), (4_294_967_295, "1affffffff"), (4_294_967_296, "1b0000000100000000"),
    ]
    for (v, expected) in cases {
        #expect(hexString(CBOREncoder().encode(.unsignedInt(v))) == expected)
    }
    #expect(hexString(CBOREncoder().encode(.byteString([UInt8](repeating: 0, count: 24)))).hasPrefix("5818"))
    #expect(hexString(CBOREncoder().encode(.byteString([UInt8](repeating: 0, count: 256)))).hasPrefix("590100"))
}

@Test func floatsUseTheShortestExactWidth() {
    #expect(hexString(CBOREncoder().encode(.float(0.5))) == "f93800")
    #expect(hexString(CBOREncoder().encode(.float(65505))) == "fa477fe100")  // not a half
    #expect(hexString(CBOREncoder().encode(.float(Double(Float(0.1))))) == "fa3dcccccd")
    #expect(hexString(CBOREncoder().encode(.float(0.1))) == "fb3fb999999999999a")
    #expect(hexString(CBOREncoder().encode(.float(0x1p-24))) == "f90001")  // smallest half subnormal
    #expect(hexString(CBOREncoder().encode(.float(0x1p-25))) == "fa33000000")  // below half range
    #expect(hexString(CBOREncoder().encode(.float(-.nan))) == "f97e00")
}

@Test func sortMapKeysOrdersByEncodedKeyBytes() {
    // RFC 8949 4.2.1 example order: 10, 100, -1, "z", "aa", [100], [-1], false.
    let map: CBOR = [
        false: 8, [-1]: 7, [100]: 6, "aa": 5, "z": 4, -1: 3, 100: 2, 10: 1,
    ]
    let sorted = CBOREncoder(sortMapKeys: true).encode(map)
    #expect(hexString(sorted) == "a8" + "0a01" + "186402" + "2003" + "617a04" + "62616105"
        + "81186406" + "812007" + "f408")
    // Without sorting, the given order is kept.
    let unsorted = CBOREncoder().encode(map)
    #expect(unsorted.starts(with: hex("a8 f408")))
}

@Test func sortMapKeysAppliesToNestedMaps() {
    let value: CBOR = ["b": ["y": 1, "x": 2], "a": [["d": 1, "c": 2]]]
    let expected: CBOR = ["a": [["c": 2, "d": 1]], "b": ["x": 2, "y": 1]]
    #expect(CBOREncoder(sortMapKeys: true).encode(value) == CBOREncoder().encode(expected))
}

@Test func encodeThenDecodeRoundTripsAVarietyOfValues() throws {
    let values: [CBOR] = [
        .negativeInt(.max), .unsignedInt(.max), .int(.min), .int(.max),
        .byteString(Array(repeating: 0xab, count: 70_000)),
        .textString(String(repeating: "\u{1F600}", count: 100)),
        .tagged(55799, [.tagged(1, 0.25)]),
        .map([.init(1, 1), .init(1, 2)]),
        .float(0x1p-1030), .float(-0.0), .simple(0), .simple(19), .simple(32),
    ]
    for value in values {
        #expect(try CBORDecoder().decode(CBOREncoder().encode(value)) == value)
    }
}

@Test func literalsAndAccessorsBehaveAsDocumented() {
    #expect(CBOR.int(-1) == .negativeInt(0))
    #expect(CBOR.int(Int64.min) == .negativeInt(UInt64(Int64.max)))
    #expect(CBOR.negativeInt(UInt64(Int64.max)).int64Value == Int64.min)
    #expect(CBOR.negativeInt(UInt64(Int64.max) + 1).int64Value == nil)
    #expect(CBOR.unsignedInt(UInt64.max).int64Value == nil)
    #expect(CBOR.unsignedInt(UInt64.max).uint64Value == UInt64.max)
    #expect(CBOR.int(-3).uint64Value == nil)
    #expect(CBOR.int(-3).doubleValue == -3)
    #expect(CBOR.float(2.5).doubleValue == 2.5)
    #expect(CBOR("x").stringValue == "x")
    #expect(CBOR.byteString([1]).bytesValue == [1])
    #expect(CBOR.array([1, 2]).arrayValue == [1, 2])
    #expect(CBOR(true).boolValue == true)
    #expect(CBOR.null.boolValue == nil)
    let map: CBOR = ["z": 1, "a": 2, 7: "seven", -2: "minus two"]
    #expect(map.mapEntries?.map(\.key) == ["z", "a", 7, -2])
    #expect(map["a"] == 2)
    #expect(map["missing"] == nil)
    #expect(map[intKey: 7] == "seven")
    #expect(map[intKey: -2] == "minus two")
    #expect(CBOR.array([1])["a"] == nil)
}

@Test func diagnosticNotationDescribesValues() {
    let value: CBOR = [1: .byteString([0, 255]), "k": [-1, .tagged(18, .null), 1.5]]
    #expect(value.description == "{1: h'00ff', \"k\": [-1, 18(null), 1.5]}")
}
