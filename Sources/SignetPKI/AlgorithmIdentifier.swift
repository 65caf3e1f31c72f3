import SwiftASN1

/// An algorithm and its parameters, as every PKI structure names them (RFC 5280 section 4.1.1.2):
///
/// ```
/// AlgorithmIdentifier ::= SEQUENCE {
///     algorithm   OBJECT IDENTIFIER,
///     parameters  ANY DEFINED BY algorithm OPTIONAL }
/// ```
///
/// The parameters are kept as received (`nil` when absent, an explicit NULL stays a NULL), so that comparing two
/// identifiers compares what was signed.
public struct AlgorithmIdentifier: DERImplicitlyTaggable, Hashable, Sendable {
    public static var defaultIdentifier: ASN1Identifier { .sequence }

    /// The algorithm.
    public var oid: ASN1ObjectIdentifier
    /// The parameters element, when present (including an explicit NULL).
    public var parameters: ASN1Any?

    /// An identifier from its parts.
    public init(oid: ASN1ObjectIdentifier, parameters: ASN1Any? = nil) {
        self.oid = oid
        self.parameters = parameters
    }

    public init(derEncoded node: ASN1Node, withIdentifier identifier: ASN1Identifier) throws {
        self = try DER.sequence(node, identifier: identifier) { nodes in
            let oid = try ASN1ObjectIdentifier(derEncoded: &nodes)
            let parameters = nodes.next().map { ASN1Any(derEncoded: $0) }
            return AlgorithmIdentifier(oid: oid, parameters: parameters)
        }
    }

    public func serialize(into coder: inout DER.Serializer, withIdentifier identifier: ASN1Identifier) throws {
        try coder.appendConstructedNode(identifier: identifier) { coder in
            try coder.serialize(oid)
            if let parameters { try coder.serialize(parameters) }
        }
    }

    /// ASN.1 `NULL`, the parameters RSA algorithms and (in OpenSSL's habit) hashes carry.
    // Serializing a NULL cannot fail.
    public static let nullParameters: ASN1Any = try! ASN1Any(erasing: ASN1Null())

    /// True when the parameters are absent or an ASN.1 NULL.
    public var parametersAbsentOrNull: Bool {
        guard let parameters else { return true }
        return (try? ASN1Null(asn1Any: parameters)) != nil
    }

    /// The parameters as a parsed DER node, for algorithms whose parameters have structure (RSASSA-PSS, EC keys).
    public var parametersNode: ASN1Node? {
        guard let parameters else { return nil }
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(parameters)) != nil else { return nil }
        return try? DER.parse(serializer.serializedBytes)
    }

    /// The named curve of an `id-ecPublicKey` key, when the parameters are a named curve.
    public var namedCurve: ASN1ObjectIdentifier? {
        guard let parameters else { return nil }
        return try? ASN1ObjectIdentifier(asn1Any: parameters)
    }

    /// True for the signature algorithms built on SHA-1, which Signet never accepts (C2PA 2.2, 13.1): a SHA-1
    /// collision would let one signature cover other bytes.
    public var isSHA1Based: Bool {
        switch oid {
        case ASN1ObjectIdentifier.SignatureAlgorithm.sha1WithRSA, ASN1ObjectIdentifier.SignatureAlgorithm.ecdsaWithSHA1,
            ASN1ObjectIdentifier.HashAlgorithm.sha1:
            return true
        default:
            return false
        }
    }
}

/// RSASSA-PSS-params (RFC 4055):
///
/// ```
/// RSASSA-PSS-params ::= SEQUENCE {
///     hashAlgorithm     [0] EXPLICIT HashAlgorithm    DEFAULT sha1,
///     maskGenAlgorithm  [1] EXPLICIT MaskGenAlgorithm DEFAULT mgf1SHA1,
///     saltLength        [2] EXPLICIT INTEGER          DEFAULT 20,
///     trailerField      [3] EXPLICIT INTEGER          DEFAULT 1 }
/// ```
///
/// As c2pa-rs requires: the first two are present, MGF1's hash equals the hash, and the hash is SHA-256/384/512
/// (so the SHA-1 defaults never apply); the explanations are c2pa-rs's.
public struct PSSParameters: Sendable, Hashable {
    public var hash: ASN1ObjectIdentifier
    public var hashLength: Int
    public var saltLength: Int

    public struct Problem: Error, Sendable, Hashable {
        public var explanation: String
    }

    public static func read(_ algorithm: AlgorithmIdentifier) -> Result<PSSParameters, Problem> {
        let unreadable = Problem(explanation: "certificate algorithm parameters could not be parsed")
        guard algorithm.parameters != nil else {
            return .failure(Problem(explanation: "certificate missing algorithm parameters"))
        }
        guard let parameters = algorithm.parametersNode else { return .failure(unreadable) }
        do {
            let items = try DERNodes.children(of: parameters, "RSASSA-PSS-params")
            guard items.count >= 2,
                items[0].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                items[1].identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
            else { return .failure(unreadable) }
            let hashWrapper = try DERNodes.children(of: items[0], "hashAlgorithm")
            let mgfWrapper = try DERNodes.children(of: items[1], "maskGenAlgorithm")
            guard hashWrapper.count == 1, mgfWrapper.count == 1 else { return .failure(unreadable) }
            let hash = try AlgorithmIdentifier(derEncoded: hashWrapper[0]).oid
            let mgf = try AlgorithmIdentifier(derEncoded: mgfWrapper[0])
            guard let mgfParameters = mgf.parametersNode else { return .failure(unreadable) }
            let mgfHash = try AlgorithmIdentifier(derEncoded: mgfParameters).oid
            guard mgfHash == hash else { return .failure(Problem(explanation: "certificate algorithm error")) }
            let hashLength: Int
            switch hash {
            case ASN1ObjectIdentifier.HashAlgorithm.sha256: hashLength = 32
            case ASN1ObjectIdentifier.HashAlgorithm.sha384: hashLength = 48
            case ASN1ObjectIdentifier.HashAlgorithm.sha512: hashLength = 64
            default: return .failure(Problem(explanation: "certificate hash algorithm not supported"))
            }
            var saltLength = 20
            for item in items.dropFirst(2) where item.identifier == ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific) {
                let inner = try DERNodes.children(of: item, "saltLength")
                guard inner.count == 1 else { return .failure(unreadable) }
                saltLength = try Int(derEncoded: inner[0])
            }
            return .success(PSSParameters(hash: hash, hashLength: hashLength, saltLength: saltLength))
        } catch {
            return .failure(unreadable)
        }
    }
}
