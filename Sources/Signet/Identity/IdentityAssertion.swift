import SignetCBOR

/// A CAWG identity assertion (`cawg.identity`, `cawg.identity__N`): who vouches for which assertions of a manifest.
///
///     identity-assertion = {
///       "signer_payload": signer-payload-map,
///       "signature": bstr,            ; for cawg.x509.cose: a COSE_Sign1 over the signer payload (detached)
///       "pad1": bstr,                 ; zero bytes that keep the assertion's size fixed while it is signed
///       ? "pad2": bstr,
///     }
///     signer-payload-map = {
///       "referenced_assertions": [1* hashed-uri-map],   ; must include the hard binding
///       "sig_type": tstr,                               ; "cawg.x509.cose" or "cawg.identity_claims_aggregation"
///       ? "role": [* tstr],
///       ? "expected_partial_claim": hashed-uri-map, ? "expected_claim_generator": hashed-uri-map,
///       ? "expected_countersigners": [* ...],
///     }
public struct IdentityAssertion: Sendable, Hashable {
    public static let baseLabel = "cawg.identity"
    /// X.509 certificates and COSE signatures.
    public static let x509SigType = "cawg.x509.cose"
    /// Identity claims aggregation (a W3C verifiable credential issued by an identity aggregator).
    public static let claimsAggregationSigType = "cawg.identity_claims_aggregation"

    public struct SignerPayload: Sendable, Hashable {
        public var referencedAssertions: [HashedURI]
        public var sigType: String
        public var roles: [String]
        /// Optional fields kept as found, in the order of the canonical form.
        public var expectedPartialClaim: CBOR?
        public var expectedClaimGenerator: CBOR?
        public var expectedCountersigners: CBOR?
        /// Fields Signet does not know; they are not part of the canonical form, so a signature over them fails.
        public var unknownFields: [String]

        public init(referencedAssertions: [HashedURI], sigType: String, roles: [String] = []) {
            self.referencedAssertions = referencedAssertions
            self.sigType = sigType
            self.roles = roles
            self.unknownFields = []
        }

        /// The bytes the signature covers. Validators decode the payload and encode it again in this form (field
        /// order as listed above, `role` left out when empty, a hashed URI as url, alg, hash), so a signer must
        /// sign exactly these bytes.
        public var canonicalBytes: [UInt8] { CBOREncoder().encode(cbor) }

        public var cbor: CBOR {
            var entries: [CBOR.MapEntry] = [
                .init("referenced_assertions", .array(referencedAssertions.map(\.cbor))),
                .init("sig_type", .textString(sigType)),
            ]
            if !roles.isEmpty { entries.append(.init("role", .array(roles.map { .textString($0) }))) }
            if let expectedPartialClaim { entries.append(.init("expected_partial_claim", expectedPartialClaim)) }
            if let expectedClaimGenerator { entries.append(.init("expected_claim_generator", expectedClaimGenerator)) }
            if let expectedCountersigners { entries.append(.init("expected_countersigners", expectedCountersigners)) }
            return .map(entries)
        }

        static let knownKeys: Set<String> = [
            "referenced_assertions", "sig_type", "role", "expected_partial_claim", "expected_claim_generator",
            "expected_countersigners",
        ]

        init(cbor: CBOR) throws(IdentityAssertionError) {
            guard let entries = cbor.mapEntries else { throw .init("signer_payload is not a map") }
            guard let refs = cbor["referenced_assertions"]?.arrayValue else {
                throw .init("signer_payload has no referenced_assertions array")
            }
            var uris: [HashedURI] = []
            for r in refs {
                guard let uri = HashedURI(cbor: r) else { throw .init("referenced_assertions holds an entry that is not a hashed URI") }
                uris.append(uri)
            }
            guard let sigType = cbor["sig_type"]?.stringValue else { throw .init("signer_payload has no sig_type") }
            self.referencedAssertions = uris
            self.sigType = sigType
            switch cbor["role"] {
            case nil: self.roles = []
            case .array(let items)?:
                var roles: [String] = []
                for item in items {
                    guard let s = item.stringValue else { throw .init("role holds a value that is not text") }
                    roles.append(s)
                }
                self.roles = roles
            default: throw .init("role is not an array")
            }
            self.expectedPartialClaim = cbor["expected_partial_claim"]
            self.expectedClaimGenerator = cbor["expected_claim_generator"]
            self.expectedCountersigners = cbor["expected_countersigners"]
            self.unknownFields = entries.compactMap { $0.key.stringValue }.filter { !Self.knownKeys.contains($0) }
            // The expected_* hashed URIs must have that shape to have a canonical form at all.
            for (key, value) in [("expected_partial_claim", expectedPartialClaim), ("expected_claim_generator", expectedClaimGenerator)] {
                if let value, HashedURI(cbor: value) == nil { self.unknownFields.append(key) }
            }
            if let c = expectedCountersigners, c.arrayValue == nil { self.unknownFields.append("expected_countersigners") }
            if entries.contains(where: { $0.key.stringValue == nil }) { self.unknownFields.append("(non-text key)") }
            // A repeated key would be read differently by different parsers: no canonical form, no valid signature.
            let keys = entries.compactMap { $0.key.stringValue }
            if Set(keys).count != keys.count { self.unknownFields.append("(duplicate key)") }
        }
    }

    public var signerPayload: SignerPayload
    public var signature: [UInt8]
    public var pad1: [UInt8]
    public var pad2: [UInt8]?

    public init(signerPayload: SignerPayload, signature: [UInt8], pad1: [UInt8] = [], pad2: [UInt8]? = nil) {
        self.signerPayload = signerPayload
        self.signature = signature
        self.pad1 = pad1
        self.pad2 = pad2
    }

    /// Decodes the assertion's CBOR content.
    public init(cbor: CBOR) throws(IdentityAssertionError) {
        guard cbor.mapEntries != nil else { throw .init("identity assertion is not a CBOR map") }
        guard let payload = cbor["signer_payload"] else { throw .init("identity assertion has no signer_payload") }
        self.signerPayload = try SignerPayload(cbor: payload)
        guard let signature = cbor["signature"]?.bytesValue else { throw .init("identity assertion has no signature byte string") }
        self.signature = signature
        switch cbor["pad1"] {
        case nil: self.pad1 = []
        case .byteString(let b)?: self.pad1 = b
        default: throw .init("pad1 is not a byte string")
        }
        switch cbor["pad2"] {
        case nil: self.pad2 = nil
        case .byteString(let b)?: self.pad2 = b
        default: throw .init("pad2 is not a byte string")
        }
    }

    public var cbor: CBOR {
        var entries: [CBOR.MapEntry] = [
            .init("signer_payload", signerPayload.cbor),
            .init("signature", .byteString(signature)),
            .init("pad1", .byteString(pad1)),
        ]
        if let pad2 { entries.append(.init("pad2", .byteString(pad2))) }
        return .map(entries)
    }

    /// Whether the padding is all zero bytes, as the CAWG identity specification requires.
    public var paddingIsZero: Bool { pad1.allSatisfy { $0 == 0 } && (pad2 ?? []).allSatisfy { $0 == 0 } }

    /// Encodes the assertion at exactly `size` bytes by choosing the length of the zero padding (`pad1`, and a
    /// small `pad2` when a CBOR length header's growth makes `pad1` alone miss the size). Returns nil when the
    /// content without padding is already larger than `size`.
    public func encoded(size: Int) -> [UInt8]? {
        var a = self
        a.pad1 = []
        a.pad2 = nil
        let bare = CBOREncoder().encode(a.cbor).count
        guard bare <= size else { return nil }
        // pad2 absent, then present with 0...63 bytes; pad1 takes the rest.
        for pad2Length in [nil] + (0..<64).map(Optional.some) {
            a.pad2 = pad2Length.map { [UInt8](repeating: 0, count: $0) }
            a.pad1 = []
            let base = CBOREncoder().encode(a.cbor).count
            guard base <= size else { break }
            let extra = size - base  // bytes that pad1's content and its header growth must add
            for header in [0, 1, 2, 4] {
                let n = extra - header
                guard n >= 0 else { continue }
                if Self.byteStringHeaderGrowth(n) == header {
                    a.pad1 = [UInt8](repeating: 0, count: n)
                    let bytes = CBOREncoder().encode(a.cbor)
                    if bytes.count == size { return bytes }
                }
            }
        }
        return nil
    }

    /// How many bytes longer a byte string's header is for `n` bytes than for none.
    static func byteStringHeaderGrowth(_ n: Int) -> Int {
        switch n {
        case ..<24: return 0
        case ..<0x100: return 1
        case ..<0x1_0000: return 2
        default: return 4
        }
    }
}

public struct IdentityAssertionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
