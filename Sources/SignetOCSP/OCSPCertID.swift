import Crypto
import Foundation
import SignetPKI
import SwiftASN1
import X509

/// The hash algorithm of a ``OCSPCertID``: its OID and the parameters exactly as written.
///
/// ```
/// AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
/// ```
///
/// OpenSSL writes SHA-1 (its default) and SHA-2 with NULL parameters; some clients omit them. Two CertIDs match
/// when their OIDs do, whatever the parameters; a response echoes the request's parameters byte for byte.
public struct OCSPHashAlgorithm: Hashable, Sendable, CustomStringConvertible {
    /// The algorithm OID.
    public var oid: ASN1ObjectIdentifier
    /// The parameters, when present (normally NULL).
    public var parameters: ASN1Any?

    /// Creates an algorithm identifier.
    public init(oid: ASN1ObjectIdentifier, parameters: ASN1Any?) {
        self.oid = oid
        self.parameters = parameters
    }

    /// SHA-1 with NULL parameters: what `openssl ocsp` sends by default.
    public static let sha1 = OCSPHashAlgorithm(oid: ASN1ObjectIdentifier.HashAlgorithm.sha1, parameters: AlgorithmIdentifier.nullParameters)
    /// SHA-256 with NULL parameters.
    public static let sha256 = OCSPHashAlgorithm(oid: ASN1ObjectIdentifier.HashAlgorithm.sha256, parameters: AlgorithmIdentifier.nullParameters)
    /// SHA-384 with NULL parameters.
    public static let sha384 = OCSPHashAlgorithm(oid: ASN1ObjectIdentifier.HashAlgorithm.sha384, parameters: AlgorithmIdentifier.nullParameters)
    /// SHA-512 with NULL parameters.
    public static let sha512 = OCSPHashAlgorithm(oid: ASN1ObjectIdentifier.HashAlgorithm.sha512, parameters: AlgorithmIdentifier.nullParameters)

    /// Whether this module can compute the hash (SHA-1, SHA-256, SHA-384, SHA-512).
    public var isSupported: Bool { (try? hash([])) != nil }

    /// The hash of `bytes`, or `unsupportedAlgorithm`.
    func hash(_ bytes: [UInt8]) throws(RevocationError) -> [UInt8] {
        switch oid {
        case ASN1ObjectIdentifier.HashAlgorithm.sha1: return Array(Insecure.SHA1.hash(data: bytes))
        case ASN1ObjectIdentifier.HashAlgorithm.sha256: return Array(SHA256.hash(data: bytes))
        case ASN1ObjectIdentifier.HashAlgorithm.sha384: return Array(SHA384.hash(data: bytes))
        case ASN1ObjectIdentifier.HashAlgorithm.sha512: return Array(SHA512.hash(data: bytes))
        default: throw RevocationError(.unsupportedAlgorithm, "hash algorithm \(oid) is not supported")
        }
    }

    /// The algorithm's name (`sha1`, `sha256`, ...) or its dotted OID.
    public var description: String {
        switch oid {
        case ASN1ObjectIdentifier.HashAlgorithm.sha1: return "sha1"
        case ASN1ObjectIdentifier.HashAlgorithm.sha256: return "sha256"
        case ASN1ObjectIdentifier.HashAlgorithm.sha384: return "sha384"
        case ASN1ObjectIdentifier.HashAlgorithm.sha512: return "sha512"
        default: return oid.description
        }
    }
}

/// The identity of one certificate in OCSP (RFC 6960 section 4.1.1).
///
/// ```
/// CertID ::= SEQUENCE {
///     hashAlgorithm       AlgorithmIdentifier,
///     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
///     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
///     serialNumber        CertificateSerialNumber }
/// CertificateSerialNumber ::= INTEGER
/// ```
///
/// `issuerNameHash` is the hash of the DER of the issuer field of the certificate being checked;
/// `issuerKeyHash` the hash of the issuer's subjectPublicKey BIT STRING value (without tag, length and the
/// unused-bits octet).
public struct OCSPCertID: Hashable, Sendable, CustomStringConvertible {
    /// The hash algorithm of both hashes.
    public var hashAlgorithm: OCSPHashAlgorithm
    /// The hash of the issuer's distinguished name (DER).
    public var issuerNameHash: [UInt8]
    /// The hash of the issuer's public key bits.
    public var issuerKeyHash: [UInt8]
    /// The certificate's serial number.
    public var serialNumber: Certificate.SerialNumber

    /// Creates a CertID from its fields.
    public init(
        hashAlgorithm: OCSPHashAlgorithm, issuerNameHash: [UInt8], issuerKeyHash: [UInt8],
        serialNumber: Certificate.SerialNumber
    ) {
        self.hashAlgorithm = hashAlgorithm
        self.issuerNameHash = issuerNameHash
        self.issuerKeyHash = issuerKeyHash
        self.serialNumber = serialNumber
    }

    /// The CertID of `certificate`, issued by `issuer`, with `hashAlgorithm` (SHA-1 by default, as OpenSSL).
    ///
    /// - Throws: `issuerMismatch` when `certificate` does not name `issuer`'s subject as its issuer,
    ///   `unsupportedAlgorithm` for a hash this module cannot compute.
    public init(
        certificate: Certificate, issuer: Certificate, hashAlgorithm: OCSPHashAlgorithm = .sha1
    ) throws(RevocationError) {
        guard certificate.issuer == issuer.subject else {
            throw RevocationError(.issuerMismatch, "the certificate's issuer is not the given issuer's subject")
        }
        try self.init(serialNumber: certificate.serialNumber, issuer: issuer, hashAlgorithm: hashAlgorithm)
    }

    /// The CertID of the certificate with `serialNumber` issued by `issuer` (what a registry that stores serials
    /// rather than certificates can build).
    public init(
        serialNumber: Certificate.SerialNumber, issuer: Certificate, hashAlgorithm: OCSPHashAlgorithm = .sha1
    ) throws(RevocationError) {
        let hashes = try Self.issuerHashes(issuer, hashAlgorithm)
        self.init(
            hashAlgorithm: hashAlgorithm, issuerNameHash: hashes.name, issuerKeyHash: hashes.key,
            serialNumber: serialNumber)
    }

    /// Whether this CertID names a certificate issued by `issuer` (same hash algorithm recomputed), whatever
    /// its serial number. False for a hash algorithm this module cannot compute.
    public func isIssued(by issuer: Certificate) -> Bool {
        guard let hashes = try? Self.issuerHashes(issuer, hashAlgorithm) else { return false }
        return hashes.name == issuerNameHash && hashes.key == issuerKeyHash
    }

    /// Whether this CertID identifies `certificate` issued by `issuer`.
    public func identifies(_ certificate: Certificate, issuedBy issuer: Certificate) -> Bool {
        certificate.serialNumber == serialNumber && certificate.issuer == issuer.subject && isIssued(by: issuer)
    }

    /// Whether two CertIDs name the same certificate: same hash OID, hashes and serial (parameters ignored).
    public func matches(_ other: OCSPCertID) -> Bool {
        hashAlgorithm.oid == other.hashAlgorithm.oid && issuerNameHash == other.issuerNameHash
            && issuerKeyHash == other.issuerKeyHash && serialNumber == other.serialNumber
    }

    /// `CertID(sha1, serial 0x...)`.
    public var description: String {
        "CertID(\(hashAlgorithm), serial \(serialNumber.bytes.map { String(format: "%02x", $0) }.joined()))"
    }

    static func issuerHashes(_ issuer: Certificate, _ algorithm: OCSPHashAlgorithm) throws(RevocationError) -> (
        name: [UInt8], key: [UInt8]
    ) {
        let nameDER = try DERInput.decode("issuer name") { try DERCoding.der(issuer.subject) }
        let keyBits = DERCoding.subjectPublicKeyBits(issuer.publicKey)
        return (try algorithm.hash(nameDER), try algorithm.hash(keyBits))
    }

    init(asn1 node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let algorithmNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "CertID without hashAlgorithm")
            }
            let algorithm = try AlgorithmIdentifier(derEncoded: algorithmNode)
            let nameHash = try ASN1OctetString(derEncoded: &nodes)
            let keyHash = try ASN1OctetString(derEncoded: &nodes)
            guard let serialNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "CertID without serialNumber")
            }
            let serial = try DERCoding.integerBytes(serialNode)
            return OCSPCertID(
                hashAlgorithm: OCSPHashAlgorithm(oid: algorithm.oid, parameters: algorithm.parameters),
                issuerNameHash: Array(nameHash.bytes), issuerKeyHash: Array(keyHash.bytes),
                serialNumber: Certificate.SerialNumber(bytes: serial))
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(AlgorithmIdentifier(oid: hashAlgorithm.oid, parameters: hashAlgorithm.parameters))
            try coder.serialize(ASN1OctetString(contentBytes: issuerNameHash[...]))
            try coder.serialize(ASN1OctetString(contentBytes: issuerKeyHash[...]))
            try coder.serialize(serialNumber.bytes)
        }
    }
}
