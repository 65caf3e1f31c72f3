import Crypto
import Foundation
import SignetPKI
import SwiftASN1

/// A hash algorithm that may appear in a message imprint, named by its OID.
///
/// An open set: any OID can be carried (and parsed from a request), but only the static members below have a
/// known digest length and can be computed here. A ``TimeStampAuthority`` accepts the ones in its
/// ``TimeStampAuthority/acceptedHashAlgorithms`` and answers `badAlg` for the rest.
public struct TimeStampHashAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// The algorithm's OBJECT IDENTIFIER.
    public let oid: ASN1ObjectIdentifier

    /// An algorithm named by `oid`.
    public init(oid: ASN1ObjectIdentifier) { self.oid = oid }

    /// SHA-1 (1.3.14.3.2.26). Parsed and computed, but not accepted by a ``TimeStampAuthority`` by default.
    public static let sha1 = TimeStampHashAlgorithm(oid: ASN1ObjectIdentifier.HashAlgorithm.sha1)
    /// SHA-256 (2.16.840.1.101.3.4.2.1).
    public static let sha256 = TimeStampHashAlgorithm(oid: ASN1ObjectIdentifier.HashAlgorithm.sha256)
    /// SHA-384 (2.16.840.1.101.3.4.2.2).
    public static let sha384 = TimeStampHashAlgorithm(oid: ASN1ObjectIdentifier.HashAlgorithm.sha384)
    /// SHA-512 (2.16.840.1.101.3.4.2.3).
    public static let sha512 = TimeStampHashAlgorithm(oid: ASN1ObjectIdentifier.HashAlgorithm.sha512)

    /// The digest length in octets, nil for an algorithm this module does not know.
    public var digestLength: Int? {
        switch self {
        case .sha1: return 20
        case .sha256: return 32
        case .sha384: return 48
        case .sha512: return 64
        default: return nil
        }
    }

    /// The digest of `data`, nil for an algorithm this module does not know.
    public func digest(_ data: some DataProtocol) -> [UInt8]? {
        switch self {
        case .sha1: return Array(Insecure.SHA1.hash(data: data))
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha384: return Array(SHA384.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        default: return nil
        }
    }

    /// `sha256`, `sha384`, ... or the dotted OID.
    public var description: String {
        switch self {
        case .sha1: return "sha1"
        case .sha256: return "sha256"
        case .sha384: return "sha384"
        case .sha512: return "sha512"
        default: return oid.description
        }
    }
}

/// The hash of the data to be time-stamped, with the algorithm that made it (RFC 3161 section 2.4.1).
///
/// ```
/// MessageImprint ::= SEQUENCE {
///      hashAlgorithm                AlgorithmIdentifier,
///      hashedMessage                OCTET STRING  }
/// AlgorithmIdentifier ::= SEQUENCE {
///      algorithm                    OBJECT IDENTIFIER,
///      parameters                   ANY DEFINED BY algorithm OPTIONAL }  -- absent or NULL for a hash
/// ```
///
/// RFC 5754 has SHA-2 parameters absent, but implementations (OpenSSL among them) write an explicit NULL; both
/// are parsed, and which one was present is kept so that a TSA copies the imprint exactly as it was requested.
public struct TimeStampMessageImprint: Sendable, Hashable {
    /// The hash algorithm.
    public var hashAlgorithm: TimeStampHashAlgorithm
    /// The hash value.
    public var hashedMessage: [UInt8]
    /// True when the AlgorithmIdentifier carries an explicit NULL `parameters`, false when they are absent.
    public var hasNullParameters: Bool

    /// The largest `hashedMessage` accepted when parsing, in octets.
    public static let maximumHashLength = 128

    /// An imprint from a hash already computed.
    public init(hashAlgorithm: TimeStampHashAlgorithm, hashedMessage: [UInt8], hasNullParameters: Bool = false) {
        self.hashAlgorithm = hashAlgorithm
        self.hashedMessage = hashedMessage
        self.hasNullParameters = hasNullParameters
    }

    /// The imprint of `data` under `algorithm`.
    ///
    /// - Throws: ``TimestampError/Code/unsupportedAlgorithm`` when this module cannot compute `algorithm`.
    public init(hashing data: some DataProtocol, with algorithm: TimeStampHashAlgorithm = .sha256)
        throws(TimestampError)
    {
        guard let digest = algorithm.digest(data) else {
            throw TimestampError(.unsupportedAlgorithm, "cannot compute hash algorithm \(algorithm)")
        }
        self.init(hashAlgorithm: algorithm, hashedMessage: digest)
    }

    /// The DER `MessageImprint`.
    public var derEncoded: [UInt8] {
        DERWriter.sequence([
            DERWriter.algorithm(hashAlgorithm.oid, nullParameters: hasNullParameters),
            DERWriter.octetString(hashedMessage),
        ])
    }

    /// Parses a `MessageImprint` node, strictly (DER; parameters absent or NULL; bounded hash length).
    init(node: ASN1Node) throws(TimestampError) {
        let fields = try DERReader.children(node, .sequence, "MessageImprint")
        guard fields.count == 2 else {
            throw TimestampError(.unexpectedStructure, "MessageImprint needs 2 fields, has \(fields.count)")
        }
        let algorithm = try DERReader.children(fields[0], .sequence, "hashAlgorithm")
        guard let oidNode = algorithm.first, algorithm.count <= 2 else {
            throw TimestampError(.unexpectedStructure, "hashAlgorithm has \(algorithm.count) fields")
        }
        hashAlgorithm = TimeStampHashAlgorithm(oid: try DERReader.objectIdentifier(oidNode, "hashAlgorithm"))
        if algorithm.count == 2 {
            guard algorithm[1].identifier == .null, case .primitive(let content) = algorithm[1].content,
                content.isEmpty
            else {
                throw TimestampError(.unexpectedStructure, "hashAlgorithm parameters must be absent or NULL")
            }
            hasNullParameters = true
        } else {
            hasNullParameters = false
        }
        hashedMessage = try DERReader.octets(fields[1], .octetString, "hashedMessage")
        guard hashedMessage.count <= Self.maximumHashLength else {
            throw TimestampError(
                .limitExceeded, "hashedMessage of \(hashedMessage.count) octets (at most \(Self.maximumHashLength))")
        }
    }
}
