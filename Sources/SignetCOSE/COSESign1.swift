import Crypto
import SignetCBOR

/// A COSE single-signer signed message (RFC 9052 section 4.2), as C2PA uses it for claim signatures.
///
/// ```
/// COSE_Sign1_Tagged = #6.18(COSE_Sign1)          ; the tag is optional on input
/// COSE_Sign1 = [
///     protected   : bstr .cbor header_map / bstr .size 0,
///     unprotected : header_map,
///     payload     : bstr / nil,                  ; nil = detached (C2PA: the claim)
///     signature   : bstr
/// ]
/// header_map = { * label => values }             ; label = int / tstr, unique across both maps
/// Sig_structure = [ "Signature1", body_protected : bstr, external_aad : bstr, payload : bstr ]
/// ```
///
/// Header labels used here: 1 = alg (int or tstr, protected), 33 = x5chain (one DER certificate as a
/// bstr, or an array of bstr, leaf first). The unprotected header may also carry C2PA's `"pad"` (and
/// `"pad2"`) zero-filled byte strings, which reserve space so a signature can be replaced in place.
///
/// ``protectedHeaderBytes`` is authoritative: verification uses the bytes exactly as received, and
/// ``protectedHeader`` is their decoded form. If you change one, keep the other in step.
public struct COSESign1: Sendable {
    /// The serialized protected header, exactly as received or as signed (empty for an empty header).
    public var protectedHeaderBytes: [UInt8]
    /// The decoded protected header, in encoded order.
    public var protectedHeader: [CBOR.MapEntry]
    /// The unprotected header, in encoded order.
    public var unprotectedHeader: [CBOR.MapEntry]
    /// The payload, or `nil` when detached (C2PA uses detached payloads: the claim is the payload).
    public var payload: [UInt8]?
    /// The signature in COSE form (see ``COSESigner/sign(_:)``).
    public var signature: [UInt8]

    /// Header label of the algorithm.
    public static let algorithmLabel: Int64 = 1
    /// Header label of x5chain (RFC 9360).
    public static let x5chainLabel: Int64 = 33

    /// Creates a message, serializing `protectedHeader` (an empty header becomes an empty bstr).
    public init(
        protectedHeader: [CBOR.MapEntry], unprotectedHeader: [CBOR.MapEntry] = [],
        payload: [UInt8]?, signature: [UInt8]
    ) {
        self.protectedHeader = protectedHeader
        self.protectedHeaderBytes = protectedHeader.isEmpty ? [] : CBOREncoder().encode(.map(protectedHeader))
        self.unprotectedHeader = unprotectedHeader
        self.payload = payload
        self.signature = signature
    }

    /// Decodes a COSE_Sign1, tagged (18) or untagged.
    ///
    /// Checks the shape strictly: a four-element array; a protected bstr that is empty or holds exactly
    /// one map; an unprotected map; a bstr or nil payload; a bstr signature; labels that are integers or
    /// text strings, unique within and across the two headers; alg, if present, an integer or text
    /// string; x5chain, if present, a bstr or a non-empty array of bstr. The algorithm is not required
    /// here (see ``requireAlgorithm()``).
    ///
    /// - Throws: ``COSEError/Code/malformed`` (including CBOR errors, whose text is in the reason),
    ///   ``COSEError/Code/badX5Chain``.
    public init(decoding bytes: [UInt8], limits: CBORDecoder.Limits = .default) throws(COSEError) {
        let decoder = CBORDecoder(limits: limits)
        let item: CBOR
        do {
            item = try decoder.decode(bytes)
        } catch {
            throw COSEError(.malformed, "COSE_Sign1 is not valid CBOR: \(error)")
        }
        var body = item
        if case .tagged(let tag, let inner) = item {
            guard tag == 18 else {
                throw COSEError(.malformed, "COSE_Sign1 has tag \(tag), expected 18")
            }
            body = inner
        }
        guard case .array(let parts) = body, parts.count == 4 else {
            throw COSEError(.malformed, "COSE_Sign1 must be an array of 4 elements")
        }
        guard case .byteString(let protectedBytes) = parts[0] else {
            throw COSEError(.malformed, "protected header must be a byte string")
        }
        var protectedEntries: [CBOR.MapEntry] = []
        if !protectedBytes.isEmpty {
            let decodedHeader: CBOR
            do {
                decodedHeader = try decoder.decode(protectedBytes)
            } catch {
                throw COSEError(.malformed, "protected header is not valid CBOR: \(error)")
            }
            guard case .map(let entries) = decodedHeader else {
                throw COSEError(.malformed, "protected header must encode a map")
            }
            protectedEntries = entries
        }
        guard case .map(let unprotectedEntries) = parts[1] else {
            throw COSEError(.malformed, "unprotected header must be a map")
        }
        let payload: [UInt8]?
        switch parts[2] {
        case .byteString(let b): payload = b
        case .null: payload = nil
        default: throw COSEError(.malformed, "payload must be a byte string or nil")
        }
        guard case .byteString(let signature) = parts[3] else {
            throw COSEError(.malformed, "signature must be a byte string")
        }
        try COSESign1.checkHeaders(protected: protectedEntries, unprotected: unprotectedEntries)
        self.protectedHeaderBytes = protectedBytes
        self.protectedHeader = protectedEntries
        self.unprotectedHeader = unprotectedEntries
        self.payload = payload
        self.signature = signature
    }

    /// Label rules of RFC 9052 section 3 plus the value shapes of alg and x5chain.
    static func checkHeaders(protected: [CBOR.MapEntry], unprotected: [CBOR.MapEntry]) throws(COSEError) {
        var seen = Set<CBOR>()
        for entry in protected + unprotected {
            switch entry.key {
            case .unsignedInt, .negativeInt, .textString: break
            default: throw COSEError(.malformed, "header label \(entry.key) is not an integer or text string")
            }
            guard seen.insert(entry.key).inserted else {
                throw COSEError(.malformed, "header label \(entry.key) appears more than once")
            }
        }
        if let alg = protected.first(where: { $0.key == .int(algorithmLabel) })?.value {
            switch alg {
            case .unsignedInt, .negativeInt, .textString: break
            default: throw COSEError(.malformed, "alg must be an integer or text string")
            }
        }
        if unprotected.contains(where: { $0.key == .int(algorithmLabel) }) {
            throw COSEError(.malformed, "alg must be in the protected header")
        }
        for entry in protected + unprotected where entry.key == .int(x5chainLabel) {
            guard certificates(inX5Chain: entry.value) != nil else {
                throw COSEError(.badX5Chain, "x5chain must be a byte string or a non-empty array of byte strings")
            }
        }
    }

    private static func certificates(inX5Chain value: CBOR) -> [[UInt8]]? {
        switch value {
        case .byteString(let der):
            return [der]
        case .array(let items) where !items.isEmpty:
            var certificates: [[UInt8]] = []
            for item in items {
                guard case .byteString(let der) = item else { return nil }
                certificates.append(der)
            }
            return certificates
        default:
            return nil
        }
    }

    /// The algorithm (label 1 in the protected header) if it is an integer; `nil` if absent or a text string.
    public var algorithm: COSEAlgorithm? {
        guard let value = protectedHeader.first(where: { $0.key == .int(COSESign1.algorithmLabel) })?.value,
              let id = value.int64Value
        else { return nil }
        return COSEAlgorithm(id: id)
    }

    /// The algorithm, if present and supported.
    ///
    /// - Throws: ``COSEError/Code/missingAlgorithm`` if label 1 is absent from the protected header,
    ///   ``COSEError/Code/unsupportedAlgorithm`` if it is not one of ``COSEAlgorithm/all``.
    public func requireAlgorithm() throws(COSEError) -> COSEAlgorithm {
        guard let value = protectedHeader.first(where: { $0.key == .int(COSESign1.algorithmLabel) })?.value else {
            throw COSEError(.missingAlgorithm, "the protected header has no algorithm (label 1)")
        }
        guard let id = value.int64Value, COSEAlgorithm(id: id).isSupported else {
            throw COSEError(.unsupportedAlgorithm, "unsupported algorithm \(value)")
        }
        return COSEAlgorithm(id: id)
    }

    /// The DER certificates of x5chain (label 33), leaf first, and whether they came from the protected
    /// header (searched first) or the unprotected one. `nil` if absent or not a bstr / array of bstr.
    public var x5chain: (certificates: [[UInt8]], inProtectedHeader: Bool)? {
        let label = CBOR.int(COSESign1.x5chainLabel)
        if let value = protectedHeader.first(where: { $0.key == label })?.value {
            return COSESign1.certificates(inX5Chain: value).map { ($0, true) }
        }
        if let value = unprotectedHeader.first(where: { $0.key == label })?.value {
            return COSESign1.certificates(inX5Chain: value).map { ($0, false) }
        }
        return nil
    }

    private func item(unprotected: [CBOR.MapEntry]) -> CBOR {
        .tagged(18, .array([
            .byteString(protectedHeaderBytes),
            .map(unprotected),
            payload.map { .byteString($0) } ?? .null,
            .byteString(signature),
        ]))
    }

    /// The tagged (18) encoding. Map entries keep their order; the protected bytes are written as they are.
    public func encoded() -> [UInt8] {
        CBOREncoder().encode(item(unprotected: unprotectedHeader))
    }

    /// Encodes with a `"pad"` byte string of zeros in the unprotected header, sized so that the result
    /// is exactly `size` bytes. Any existing `"pad"` and `"pad2"` entries are replaced.
    ///
    /// A single bstr cannot produce every size (its head grows from 1 to 2 bytes at length 24, to 3 at 256,
    /// to 5 at 65536); for those sizes a second, `"pad2"`, entry is added as well.
    ///
    /// - Throws: ``COSEError/Code/cannotPad`` if `size` is smaller than the smallest padded encoding.
    public func encoded(paddedTo size: Int) throws(COSEError) -> [UInt8] {
        let base = unprotectedHeader.filter { $0.key != "pad" && $0.key != "pad2" }
        for extraPads in [[], ["pad2"]] as [[CBOR]] {
            var entries = base + [CBOR.MapEntry("pad", .byteString([]))]
            entries += extraPads.map { CBOR.MapEntry($0, .byteString([])) }
            // Size with an empty pad, minus the 1-byte head of the empty bstr.
            let fixed = CBOREncoder().encode(item(unprotected: entries)).count - 1
            for headLength in [1, 2, 3, 5, 9] {
                let (available, overflow) = size.subtractingReportingOverflow(fixed + headLength)
                guard !overflow, available >= 0, COSESign1.bstrHeadLength(available) == headLength else { continue }
                entries[base.count] = CBOR.MapEntry("pad", .byteString([UInt8](repeating: 0, count: available)))
                let result = CBOREncoder().encode(item(unprotected: entries))
                if result.count == size { return result }
            }
        }
        let minimum = CBOREncoder().encode(item(unprotected: base + [CBOR.MapEntry("pad", .byteString([]))])).count
        throw COSEError(.cannotPad, "cannot pad COSE_Sign1 to \(size) bytes; the smallest padded encoding is \(minimum) bytes")
    }

    private static func bstrHeadLength(_ length: Int) -> Int {
        switch length {
        case ..<24: return 1
        case ..<0x100: return 2
        case ..<0x1_0000: return 3
        case ..<0x1_0000_0000: return 5
        default: return 9
        }
    }

    /// The Sig_structure for COSE_Sign1: `["Signature1", protected, external_aad, payload]`, encoded.
    public static func sigStructure(protectedHeaderBytes: [UInt8], externalAAD: [UInt8] = [], payload: [UInt8]) -> [UInt8] {
        CBOREncoder().encode(.array([
            "Signature1",
            .byteString(protectedHeaderBytes),
            .byteString(externalAAD),
            .byteString(payload),
        ]))
    }

    /// Builds the protected header `{1: alg, 33: x5chain}` (x5chain is a bstr for one certificate, an
    /// array for more, and absent for an empty chain) and signs `detachedPayload`. The result has a nil
    /// payload.
    ///
    /// An ECDSA signer that returns a DER `ECDSA-Sig-Value` instead of raw r‖s is tolerated: the
    /// signature is converted.
    ///
    /// - Throws: whatever the signer throws; ``COSEError/Code/signingFailed`` if the signature has the
    ///   wrong form for the algorithm; ``COSEError/Code/malformed`` if `unprotectedHeader` repeats a label
    ///   or puts alg (label 1) in it; ``COSEError/Code/unsupportedAlgorithm`` for an algorithm outside ``COSEAlgorithm/all``.
    public static func sign(
        detachedPayload: [UInt8], signer: some COSESigner, unprotectedHeader: [CBOR.MapEntry] = []
    ) async throws -> COSESign1 {
        let algorithm = signer.algorithm
        guard algorithm.isSupported else {
            throw COSEError(.unsupportedAlgorithm, "unsupported algorithm \(algorithm.id)")
        }
        var protected: [CBOR.MapEntry] = [CBOR.MapEntry(.int(algorithmLabel), .int(algorithm.id))]
        let chain = signer.certificateChain
        if chain.count == 1 {
            protected.append(CBOR.MapEntry(.int(x5chainLabel), .byteString(chain[0])))
        } else if chain.count > 1 {
            protected.append(CBOR.MapEntry(.int(x5chainLabel), .array(chain.map { .byteString($0) })))
        }
        try checkHeaders(protected: protected, unprotected: unprotectedHeader)
        var message = COSESign1(
            protectedHeader: protected, unprotectedHeader: unprotectedHeader, payload: nil, signature: [])
        let toBeSigned = sigStructure(protectedHeaderBytes: message.protectedHeaderBytes, payload: detachedPayload)
        let signature = try await signer.sign(toBeSigned)
        message.signature = try normalizedSignature(signature, algorithm: algorithm)
        return message
    }

    /// Checks the signature's length for fixed-size algorithms, converting DER ECDSA signatures to raw r‖s.
    static func normalizedSignature(_ signature: [UInt8], algorithm: COSEAlgorithm) throws(COSEError) -> [UInt8] {
        guard let expected = algorithm.fixedSignatureLength, signature.count != expected else {
            if signature.isEmpty { throw COSEError(.signingFailed, "the signer returned an empty signature") }
            return signature
        }
        var raw: [UInt8]?
        switch algorithm {
        case .es256: raw = (try? P256.Signing.ECDSASignature(derRepresentation: signature)).map { Array($0.rawRepresentation) }
        case .es384: raw = (try? P384.Signing.ECDSASignature(derRepresentation: signature)).map { Array($0.rawRepresentation) }
        case .es512: raw = (try? P521.Signing.ECDSASignature(derRepresentation: signature)).map { Array($0.rawRepresentation) }
        default: raw = nil
        }
        guard let raw, raw.count == expected else {
            throw COSEError(
                .signingFailed,
                "\(algorithm.name) signature must be \(expected) bytes, the signer returned \(signature.count)")
        }
        return raw
    }
}
