import Crypto
import SignetCBOR
import SignetCOSE
import Testing
import X509

private func decodeError(_ bytes: [UInt8], limits: CBORDecoder.Limits = .default) -> COSEError.Code? {
    do {
        _ = try COSESign1(decoding: bytes, limits: limits)
        return nil
    } catch {
        return error.code
    }
}

private func encode(_ value: CBOR) -> [UInt8] { CBOREncoder().encode(value) }

private let goodProtected = CBOR.byteString(hex("a10126"))

@Test func taggedAndUntaggedMessagesDecodeAndReencodeIdentically() throws {
    let untagged = encode([goodProtected, [4: .byteString([1])], .byteString([7, 7]), .byteString([9])])
    let message = try COSESign1(decoding: untagged)
    #expect(message.payload == [7, 7])
    #expect(message.protectedHeader == [.init(1, -7)])
    #expect(message.unprotectedHeader == [.init(4, .byteString([1]))])
    #expect(message.signature == [9])
    #expect(message.encoded() == [0xd2] + untagged)
    let again = try COSESign1(decoding: message.encoded())
    #expect(again.encoded() == message.encoded())
    // A nil payload (detached) and an empty protected header.
    let detached = try COSESign1(decoding: encode(.tagged(18, [.byteString([]), [:], .null, .byteString([])])))
    #expect(detached.payload == nil)
    #expect(detached.protectedHeader == [])
}

@Test func everyStrictPrefixAndTrailingBytesAreMalformed() async throws {
    let key = makeKey(for: .es256)
    let signed = try await COSESign1.sign(
        detachedPayload: [1, 2, 3],
        signer: SoftwareSigner(key: key, certificateChain: [try makeCertificate(for: key)]),
        unprotectedHeader: [.init("pad", .byteString([0, 0, 0]))])
    let bytes = signed.encoded()
    #expect(decodeError(bytes) == nil)
    for length in 0..<bytes.count {
        #expect(decodeError(Array(bytes[..<length])) == .malformed, "prefix of length \(length)")
    }
    #expect(decodeError(bytes + [0]) == .malformed)
}

@Test func malformedShapesAreRejected() {
    let sig = CBOR.byteString([1])
    let cases: [(String, CBOR)] = [
        ("wrong tag", .tagged(98, [goodProtected, [:], .null, sig])),
        ("double tag", .tagged(18, .tagged(18, [goodProtected, [:], .null, sig]))),
        ("not an array", [1: 2]),
        ("three elements", [goodProtected, [:], .null]),
        ("five elements", [goodProtected, [:], .null, sig, sig]),
        ("protected is a map, not a bstr", [[1: -7], [:], .null, sig]),
        ("protected holds an array", [.byteString(encode([1])), [:], .null, sig]),
        ("protected has trailing bytes", [.byteString(hex("a10126 00")), [:], .null, sig]),
        ("protected is not CBOR", [.byteString(hex("ff")), [:], .null, sig]),
        ("unprotected is an array", [goodProtected, [], .null, sig]),
        ("payload is text", [goodProtected, [:], "payload", sig]),
        ("signature is nil", [goodProtected, [:], .null, .null]),
        ("duplicate protected label", [.byteString(encode([1: -7, 1: -7])), [:], .null, sig]),
        ("duplicate unprotected label", [goodProtected, ["pad": 1, "pad": 2], .null, sig]),
        ("label in both headers", [.byteString(encode([1: -7, 4: .byteString([])])), [4: .byteString([])], .null, sig]),
        ("alg in unprotected", [.byteString([]), [1: -7], .null, sig]),
        ("alg is bytes", [.byteString(encode([1: .byteString([1])])), [:], .null, sig]),
        ("label is bytes", [goodProtected, [.byteString([1]): 1], .null, sig]),
    ]
    for (name, value) in cases {
        #expect(decodeError(encode(value)) == .malformed, "\(name)")
    }
    #expect(decodeError(hex("d2 84 43a10126 a0 f6")) == .malformed)  // truncated
}

@Test func badX5ChainShapesAreRejected() {
    let sig = CBOR.byteString([1])
    let cases: [CBOR] = [
        [.byteString(encode([1: -7, 33: []])), [:], .null, sig],
        [.byteString(encode([1: -7, 33: "cert"])), [:], .null, sig],
        [.byteString(encode([1: -7, 33: [.byteString([1]), 2]])), [:], .null, sig],
        [goodProtected, [33: 5], .null, sig],
    ]
    for value in cases {
        #expect(decodeError(encode(value)) == .badX5Chain, "\(value)")
    }
}

@Test func deeplyNestedHeadersAreMalformedNotACrash() {
    var nested: [UInt8] = []
    for _ in 0..<10_000 { nested.append(0x81) }
    nested.append(0x00)
    let bytes = hex("d2 84 43a10126 a1 04") + nested + hex("f6 41 01")
    #expect(decodeError(bytes) == .malformed)
    let hugeLength = hex("d2 84 5b ffffffffffffffff")
    #expect(decodeError(hugeLength) == .malformed)
}

@Test func paddingGivesExactSizesAcrossBstrHeadBoundaries() async throws {
    let key = makeKey(for: .es256)
    let publicKey = try key.certificatePublicKey
    let detached: [UInt8] = [5, 4, 3]
    let signed = try await COSESign1.sign(detachedPayload: detached, signer: SoftwareSigner(key: key))
    // The smallest padded size: the encoding with an empty "pad" (5 bytes: 63 706164 40 ... plus map head).
    let unpadded = signed.encoded().count
    var smallest = unpadded
    while (try? signed.encoded(paddedTo: smallest)) == nil { smallest += 1 }
    #expect(smallest == unpadded + 5)  // 0x63 'p' 'a' 'd' + 0x40
    do {
        _ = try signed.encoded(paddedTo: smallest - 1)
        Issue.record("expected cannotPad")
    } catch {
        #expect(error.code == .cannotPad)
    }
    #expect(throws: COSEError.self) { try signed.encoded(paddedTo: -1) }

    // Every size from the smallest through past the 23/24 and 255/256 bstr-length boundaries,
    // and around 65535/65536.
    let sizes = Array(smallest...(smallest + 300)) + Array((smallest + 65_520)...(smallest + 65_550))
    for size in sizes {
        let padded = try signed.encoded(paddedTo: size)
        #expect(padded.count == size, "size \(size)")
        let decoded = try COSESign1(decoding: padded)
        let pads = decoded.unprotectedHeader.filter { $0.key == "pad" || $0.key == "pad2" }
        #expect(!pads.isEmpty)
        #expect(pads.allSatisfy { $0.value.bytesValue?.allSatisfy { $0 == 0 } == true })
        #expect(decoded.verify(detachedPayload: detached, publicKey: publicKey) == .valid)
    }
}

@Test func repaddingReplacesTheExistingPad() async throws {
    let signed = try await COSESign1.sign(detachedPayload: [1], signer: SoftwareSigner(key: makeKey(for: .ed25519)))
    let first = try COSESign1(decoding: signed.encoded(paddedTo: 500))
    let second = try first.encoded(paddedTo: 300)
    #expect(second.count == 300)
    let decoded = try COSESign1(decoding: second)
    #expect(decoded.unprotectedHeader.filter { $0.key == "pad" }.count == 1)
    #expect(try first.encoded(paddedTo: 500) == signed.encoded(paddedTo: 500))
}

@Test func decodingLimitsApplyToTheMessage() {
    var limits = CBORDecoder.Limits()
    limits.maxStringLength = 8
    let bytes = encode(.tagged(18, [goodProtected, [:], .byteString([UInt8](repeating: 1, count: 9)), .byteString([1])]))
    #expect(decodeError(bytes) == nil)
    #expect(decodeError(bytes, limits: limits) == .malformed)
}
