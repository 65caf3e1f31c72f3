import Testing
import SignetCBOR

/// RFC 8949 Appendix A: examples whose encoding is the preferred (shortest, definite) one.
/// Each is checked both ways: encode(value) == bytes and decode(bytes) == value.
private let bothWays: [(CBOR, String)] = [
    (0, "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"),
    (1000, "1903e8"), (1_000_000, "1a000f4240"), (1_000_000_000_000, "1b000000e8d4a51000"),
    (.unsignedInt(18_446_744_073_709_551_615), "1bffffffffffffffff"),
    (.tagged(2, .byteString(hex("010000000000000000"))), "c249010000000000000000"),
    (.negativeInt(18_446_744_073_709_551_615), "3bffffffffffffffff"),
    (.tagged(3, .byteString(hex("010000000000000000"))), "c349010000000000000000"),
    (-1, "20"), (-10, "29"), (-100, "3863"), (-1000, "3903e7"),
    (0.0, "f90000"), (.float(-0.0), "f98000"), (1.0, "f93c00"), (1.1, "fb3ff199999999999a"),
    (1.5, "f93e00"), (65504.0, "f97bff"), (100000.0, "fa47c35000"),
    (3.4028234663852886e+38, "fa7f7fffff"), (1.0e+300, "fb7e37e43c8800759c"),
    (5.960464477539063e-8, "f90001"), (0.00006103515625, "f90400"), (-4.0, "f9c400"),
    (-4.1, "fbc010666666666666"),
    (.float(.infinity), "f97c00"), (.float(-.infinity), "f9fc00"),
    (false, "f4"), (true, "f5"), (.null, "f6"), (.undefined, "f7"),
    (.simple(16), "f0"), (.simple(255), "f8ff"),
    (.tagged(0, "2013-03-21T20:04:00Z"), "c074323031332d30332d32315432303a30343a30305a"),
    (.tagged(1, 1_363_896_240), "c11a514b67b0"),
    (.tagged(1, 1_363_896_240.5), "c1fb41d452d9ec200000"),
    (.tagged(23, .byteString(hex("01020304"))), "d74401020304"),
    (.tagged(24, .byteString(hex("6449455446"))), "d818456449455446"),
    (.tagged(32, "http://www.example.com"), "d82076687474703a2f2f7777772e6578616d706c652e636f6d"),
    (.byteString([]), "40"), (.byteString(hex("01020304")), "4401020304"),
    ("", "60"), ("a", "6161"), ("IETF", "6449455446"), ("\"\\", "62225c"),
    ("\u{00fc}", "62c3bc"), ("\u{6c34}", "63e6b0b4"), ("\u{10151}", "64f0908591"),
    ([], "80"), ([1, 2, 3], "83010203"), ([1, [2, 3], [4, 5]], "8301820203820405"),
    (.array((1...25).map { CBOR.int(Int64($0)) }),
     "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ([:], "a0"), ([1: 2, 3: 4], "a201020304"),
    (["a": 1, "b": [2, 3]], "a26161016162820203"),
    (["a", ["b": "c"]], "826161a161626163"),
    (["a": "A", "b": "B", "c": "C", "d": "D", "e": "E"], "a56161614161626142616361436164614461656145"),
]

/// Appendix A examples that only decode to the value (non-preferred float widths, indefinite lengths).
private let decodeOnly: [(CBOR, String)] = [
    (.float(.infinity), "fa7f800000"), (.float(-.infinity), "faff800000"),
    (.float(.infinity), "fb7ff0000000000000"), (.float(-.infinity), "fbfff0000000000000"),
    (.byteString(hex("0102030405")), "5f42010243030405ff"),
    ("streaming", "7f657374726561646d696e67ff"),
    ([], "9fff"),
    ([1, [2, 3], [4, 5]], "9f018202039f0405ffff"),
    ([1, [2, 3], [4, 5]], "9f01820203820405ff"),
    ([1, [2, 3], [4, 5]], "83018202039f0405ff"),
    ([1, [2, 3], [4, 5]], "83019f0203ff820405"),
    (.array((1...25).map { CBOR.int(Int64($0)) }),
     "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff"),
    (["a": 1, "b": [2, 3]], "bf61610161629f0203ffff"),
    (["a", ["b": "c"]], "826161bf61626163ff"),
    (["Fun": true, "Amt": -2], "bf6346756ef563416d7421ff"),
]

@Test func appendixAExamplesEncodeToTheRFCBytes() {
    let encoder = CBOREncoder()
    for (value, expected) in bothWays {
        #expect(hexString(encoder.encode(value)) == expected, "encoding \(value)")
    }
}

@Test func appendixAExamplesDecodeToTheRFCValues() throws {
    let decoder = CBORDecoder()
    for (value, bytes) in bothWays + decodeOnly {
        let decoded = try decoder.decode(hex(bytes))
        #expect(decoded == value, "decoding \(bytes)")
    }
}

@Test func appendixANaNEncodingsAllDecodeToNaNAndEncodeAsHalfQuietNaN() throws {
    for bytes in ["f97e00", "fa7fc00000", "fb7ff8000000000000"] {
        let decoded = try CBORDecoder().decode(hex(bytes))
        guard case .float(let d) = decoded else {
            Issue.record("not a float: \(decoded)")
            continue
        }
        #expect(d.isNaN)
        #expect(hexString(CBOREncoder().encode(decoded)) == "f97e00")
    }
}

@Test func decodingAnIndefiniteLengthValueThenEncodingGivesTheDefiniteForm() throws {
    let decoded = try CBORDecoder().decode(hex("bf61610161629f0203ffff"))
    #expect(hexString(CBOREncoder().encode(decoded)) == "a26161016162820203")
}
