import Crypto
import Foundation
import SignetCOSE
import SignetPKI
import SwiftASN1
import _CryptoExtras

/// PKCS#8 (RFC 5208 / RFC 5958):
/// ```
/// OneAsymmetricKey ::= SEQUENCE {
///     version                   INTEGER { v1(0), v2(1) },
///     privateKeyAlgorithm       AlgorithmIdentifier,
///     privateKey                OCTET STRING,
///     attributes            [0] IMPLICIT Attributes OPTIONAL,
///     publicKey             [1] IMPLICIT BIT STRING OPTIONAL }
/// ```
struct PrivateKeyInfo {
    var algorithm: AlgorithmIdentifier
    var privateKey: [UInt8]

    init(derEncoded bytes: [UInt8]) throws {
        let root = try DER.parse(bytes)
        self = try DER.sequence(root, identifier: .sequence) { nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 0 || version == 1 else {
                throw ASN1Error.invalidASN1Object(reason: "PKCS#8 version \(version)")
            }
            let algorithm = try AlgorithmIdentifier(derEncoded: &nodes)
            let key = try ASN1OctetString(derEncoded: &nodes)
            // Optional trailing fields: attributes [0], public key [1]; each at most once, in order.
            var lastTag: UInt = 0
            var sawAny = false
            while let node = nodes.next() {
                guard node.identifier.tagClass == .contextSpecific, node.identifier.tagNumber <= 1,
                    !sawAny || node.identifier.tagNumber > lastTag
                else {
                    throw ASN1Error.invalidASN1Object(reason: "unexpected field in PKCS#8")
                }
                sawAny = true
                lastTag = node.identifier.tagNumber
            }
            return PrivateKeyInfo(algorithm: algorithm, privateKey: Array(key.bytes))
        }
    }

    init(algorithm: AlgorithmIdentifier, privateKey: [UInt8]) {
        self.algorithm = algorithm
        self.privateKey = privateKey
    }

    func serialized() throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(0)
            try coder.serialize(algorithm)
            try coder.serialize(ASN1OctetString(contentBytes: privateKey[...]))
        }
        return coder.serializedBytes
    }
}

/// Decoding and encoding of private keys into ``SoftwareKey``.
enum KeyCodec {
    // MARK: Decoding

    /// Decodes an unencrypted PKCS#8 `PrivateKeyInfo`.
    static func decodePKCS8(_ der: [UInt8]) throws(KeyError) -> SoftwareKey {
        let info: PrivateKeyInfo
        do {
            info = try PrivateKeyInfo(derEncoded: der)
        } catch {
            throw KeyError(.corrupt, "the PKCS#8 structure is malformed: \(error)")
        }
        let algorithm = info.algorithm
        switch algorithm.oid {
        case ASN1ObjectIdentifier.PublicKeyAlgorithm.ecPublicKey:
            guard let parameters = algorithm.parameters, let curve = try? ASN1ObjectIdentifier(asn1Any: parameters)
            else {
                throw KeyError(.unsupportedKeyType, "EC key without a named curve (explicit curve parameters are not supported)")
            }
            return try decodeSEC1(info.privateKey, curve: curve)
        case ASN1ObjectIdentifier.PublicKeyAlgorithm.ed25519:
            guard algorithm.parameters == nil else {
                throw KeyError(.corrupt, "Ed25519 key with algorithm parameters (RFC 8410 requires them absent)")
            }
            let scalar: ASN1OctetString
            do {
                scalar = try ASN1OctetString(derEncoded: DER.parse(info.privateKey))
            } catch {
                throw KeyError(.corrupt, "the Ed25519 private key is malformed")
            }
            guard scalar.bytes.count == 32 else {
                throw KeyError(.corrupt, "Ed25519 private key of \(scalar.bytes.count) bytes, expected 32")
            }
            do {
                return .ed25519(try Curve25519.Signing.PrivateKey(rawRepresentation: scalar.bytes))
            } catch {
                throw KeyError(.corrupt, "the Ed25519 private key is invalid")
            }
        case ASN1ObjectIdentifier.PublicKeyAlgorithm.rsaEncryption:
            guard algorithm.parametersAbsentOrNull else {
                throw KeyError(.corrupt, "rsaEncryption key with unexpected parameters")
            }
            return try decodePKCS1(info.privateKey)
        case ASN1ObjectIdentifier.PublicKeyAlgorithm.rsassaPSS:
            // An RSASSA-PSS-typed key (RFC 4055): the key material is an ordinary RSAPrivateKey; the parameters
            // only restrict how the key may be used. The COSE algorithm chosen at signing time still applies.
            return try decodePKCS1(info.privateKey)
        default:
            throw KeyError(.unsupportedKeyType, "private key algorithm \(algorithm.oid) is not supported")
        }
    }

    /// Decodes SEC1 (RFC 5915):
    /// ```
    /// ECPrivateKey ::= SEQUENCE {
    ///     version        INTEGER { ecPrivkeyVer1(1) },
    ///     privateKey     OCTET STRING,
    ///     parameters [0] EXPLICIT ECParameters OPTIONAL,   -- namedCurve OBJECT IDENTIFIER
    ///     publicKey  [1] EXPLICIT BIT STRING OPTIONAL }
    /// ```
    /// `curve` is the curve named outside (PKCS#8); nil for a bare "EC PRIVATE KEY".
    static func decodeSEC1(_ der: [UInt8], curve outerCurve: ASN1ObjectIdentifier?) throws(KeyError) -> SoftwareKey {
        let parsed: (scalar: [UInt8], curve: ASN1ObjectIdentifier?, publicKey: [UInt8]?)
        do {
            let root = try DER.parse(der)
            parsed = try DER.sequence(root, identifier: .sequence) { nodes in
                let version = try Int(derEncoded: &nodes)
                guard version == 1 else { throw ASN1Error.invalidASN1Object(reason: "ECPrivateKey version \(version)") }
                let scalar = try ASN1OctetString(derEncoded: &nodes)
                let curve = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try ASN1ObjectIdentifier(derEncoded: $0)
                }
                let publicKey = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                    try ASN1BitString(derEncoded: $0)
                }
                return (Array(scalar.bytes), curve, publicKey.map { Array($0.bytes) })
            }
        } catch {
            throw KeyError(.corrupt, "the EC private key is malformed: \(error)")
        }
        if let outerCurve, let innerCurve = parsed.curve, outerCurve != innerCurve {
            throw KeyError(.corrupt, "the EC private key names two different curves")
        }
        guard let curve = outerCurve ?? parsed.curve else {
            throw KeyError(.unsupportedKeyType, "EC private key without a named curve")
        }
        func scalar(size: Int) throws(KeyError) -> [UInt8] {
            var bytes = parsed.scalar
            guard !bytes.isEmpty, bytes.count <= size else {
                throw KeyError(.corrupt, "EC private scalar of \(bytes.count) bytes, expected \(size)")
            }
            bytes.insert(contentsOf: repeatElement(0, count: size - bytes.count), at: 0)
            return bytes
        }
        let key: SoftwareKey
        let publicX963: [UInt8]
        do {
            switch curve {
            case ASN1ObjectIdentifier.Curve.prime256v1:
                let k = try P256.Signing.PrivateKey(rawRepresentation: scalar(size: 32))
                (key, publicX963) = (.p256(k), Array(k.publicKey.x963Representation))
            case ASN1ObjectIdentifier.Curve.secp384r1:
                let k = try P384.Signing.PrivateKey(rawRepresentation: scalar(size: 48))
                (key, publicX963) = (.p384(k), Array(k.publicKey.x963Representation))
            case ASN1ObjectIdentifier.Curve.secp521r1:
                let k = try P521.Signing.PrivateKey(rawRepresentation: scalar(size: 66))
                (key, publicX963) = (.p521(k), Array(k.publicKey.x963Representation))
            default:
                throw KeyError(.unsupportedKeyType, "EC curve \(curve) is not supported (P-256, P-384 and P-521 are)")
            }
        } catch let error as KeyError {
            throw error
        } catch {
            throw KeyError(.corrupt, "the EC private scalar is not valid for its curve")
        }
        // Compare the stored public key when it is uncompressed (0x04 || X || Y), the form OpenSSL writes.
        if let stored = parsed.publicKey, stored.first == 0x04, stored != publicX963 {
            throw KeyError(.corrupt, "the EC key's stored public key does not belong to its private scalar")
        }
        return key
    }

    /// Decodes PKCS#1 (RFC 8017 A.1.2):
    /// ```
    /// RSAPrivateKey ::= SEQUENCE {
    ///     version INTEGER { two-prime(0) }, modulus INTEGER, publicExponent INTEGER, privateExponent INTEGER,
    ///     prime1 INTEGER, prime2 INTEGER, exponent1 INTEGER, exponent2 INTEGER, coefficient INTEGER }
    /// ```
    /// Multi-prime keys (version 1) are not supported.
    static func decodePKCS1(_ der: [UInt8]) throws(KeyError) -> SoftwareKey {
        let fields: [ArraySlice<UInt8>]
        do {
            let root = try DER.parse(der)
            fields = try DER.sequence(root, identifier: .sequence) { nodes in
                let version = try Int(derEncoded: &nodes)
                guard version == 0 else {
                    throw ASN1Error.invalidASN1Object(reason: "RSAPrivateKey version \(version) (multi-prime)")
                }
                var fields: [ArraySlice<UInt8>] = []
                for _ in 0..<8 { fields.append(try ArraySlice<UInt8>(derEncoded: &nodes)) }
                return fields
            }
        } catch {
            throw KeyError(.corrupt, "the RSA private key is malformed: \(error)")
        }
        let modulusBits = fields[0].drop(while: { $0 == 0 }).count * 8
        guard modulusBits >= 2048 else {
            throw KeyError(.unsupportedKeyType, "RSA keys must be at least 2048 bits (C2PA certificate profile)")
        }
        guard modulusBits <= 16384 else {
            throw KeyError(.unsupportedKeyType, "RSA keys larger than 16384 bits are not supported")
        }
        do {
            return .rsa(try _RSA.Signing.PrivateKey(n: fields[0], e: fields[1], d: fields[2], p: fields[3], q: fields[4]))
        } catch {
            throw KeyError(.corrupt, "the RSA private key is not consistent")
        }
    }

    // MARK: Encoding

    /// The unencrypted PKCS#8 DER of `key`.
    static func encodePKCS8(_ key: SoftwareKey) throws(KeyError) -> [UInt8] {
        switch key {
        case .p256(let k): return Array(k.derRepresentation)
        case .p384(let k): return Array(k.derRepresentation)
        case .p521(let k): return Array(k.derRepresentation)
        case .rsa(let k): return Array(k.pkcs8DERRepresentation)
        case .ed25519(let k):
            do {
                var inner = DER.Serializer()
                try inner.serialize(ASN1OctetString(contentBytes: ArraySlice(k.rawRepresentation)))
                let info = PrivateKeyInfo(
                    algorithm: AlgorithmIdentifier(oid: ASN1ObjectIdentifier.PublicKeyAlgorithm.ed25519),
                    privateKey: inner.serializedBytes
                )
                return try info.serialized()
            } catch {
                throw KeyError(.internalFailure, "could not encode the Ed25519 key: \(error)")
            }
        }
    }
}
