import Foundation
import SwiftASN1
import X509

/// An RFC 3161 time-stamp request (section 2.4.1), as a client sends it to a TSA.
///
/// ```
/// TimeStampReq ::= SEQUENCE  {
///    version                  INTEGER  { v1(1) },
///    messageImprint           MessageImprint,
///    reqPolicy                TSAPolicyId              OPTIONAL,
///    nonce                    INTEGER                  OPTIONAL,
///    certReq                  BOOLEAN                  DEFAULT FALSE,
///    extensions               [0] IMPLICIT Extensions  OPTIONAL  }
/// MessageImprint ::= SEQUENCE  {
///    hashAlgorithm            AlgorithmIdentifier,
///    hashedMessage            OCTET STRING  }
/// TSAPolicyId ::= OBJECT IDENTIFIER
/// Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension
/// Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
/// ```
///
/// Parsing is DER only and decodes in this order: trailing bytes, indefinite lengths, non-minimal integers, an
/// explicit `certReq FALSE` (a DEFAULT value, which DER omits), an empty `extensions`, fields out of order and
/// input over the bounds below are all rejected with a ``TimestampError``. The `version` is read as any INTEGER,
/// so that a TSA can answer an unsupported version with a rejection rather than with silence
/// (``TimeStampAuthority/issue(request:at:)`` refuses every version but 1).
public struct TimeStampRequest: Sendable, Hashable {
    /// The request syntax version; 1 is the only one RFC 3161 defines.
    public var version: Int
    /// The hash of the data to time-stamp.
    public var messageImprint: TimeStampMessageImprint
    /// The TSA policy the client asks for (`reqPolicy`), nil for "the TSA's choice".
    public var policy: ASN1ObjectIdentifier?
    /// A nonce the TSA must echo in its TSTInfo, nil for none.
    public var nonce: TimeStampInteger?
    /// `certReq`: true asks the TSA to put its certificate(s) in the token.
    public var certificateRequested: Bool
    /// The request extensions, in order; empty when the field is absent.
    public var extensions: [Certificate.Extension]

    /// The largest encoded request accepted when parsing, in octets.
    public static let maximumEncodedLength = 65_536
    /// The largest nonce accepted when parsing, in content octets (RFC 3161 suggests a 64-bit nonce).
    public static let maximumNonceLength = 64

    /// A request for `messageImprint`.
    public init(
        messageImprint: TimeStampMessageImprint, policy: ASN1ObjectIdentifier? = nil, nonce: TimeStampInteger? = nil,
        certificateRequested: Bool = false, extensions: [Certificate.Extension] = [], version: Int = 1
    ) {
        self.version = version
        self.messageImprint = messageImprint
        self.policy = policy
        self.nonce = nonce
        self.certificateRequested = certificateRequested
        self.extensions = extensions
    }

    /// Parses a DER `TimeStampReq`.
    ///
    /// - Throws: ``TimestampError`` with ``TimestampError/Code/malformedDER`` (not DER, truncated, trailing bytes,
    ///   non-minimal integer, explicit default), ``TimestampError/Code/unexpectedStructure`` (wrong fields, order or
    ///   types) or ``TimestampError/Code/limitExceeded`` (over ``maximumEncodedLength``, ``maximumNonceLength`` or
    ///   ``TimeStampMessageImprint/maximumHashLength``).
    public init(derEncoded bytes: [UInt8]) throws(TimestampError) {
        let root = try DERReader.parse(bytes, limit: Self.maximumEncodedLength, "TimeStampReq")
        let fields = try DERReader.children(root, .sequence, "TimeStampReq")
        guard fields.count >= 2 else {
            throw TimestampError(.unexpectedStructure, "TimeStampReq has \(fields.count) fields, needs at least 2")
        }
        version = try DERReader.strictInt(fields[0], "version")
        messageImprint = try TimeStampMessageImprint(node: fields[1])

        var rest = fields[2...]
        policy = nil
        nonce = nil
        certificateRequested = false
        extensions = []
        if let node = rest.first, node.identifier == .objectIdentifier {
            policy = try DERReader.objectIdentifier(node, "reqPolicy")
            rest = rest.dropFirst()
        }
        if let node = rest.first, node.identifier == .integer {
            nonce = try DERReader.integer(node, "nonce", maxOctets: Self.maximumNonceLength)
            rest = rest.dropFirst()
        }
        if let node = rest.first, node.identifier == .boolean {
            guard try DERReader.boolean(node, "certReq") else {
                throw TimestampError(.malformedDER, "certReq FALSE is the DEFAULT and must be omitted in DER")
            }
            certificateRequested = true
            rest = rest.dropFirst()
        }
        let extensionsTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        if let node = rest.first, node.identifier == extensionsTag {
            extensions = try DERReader.extensions(node, tag: extensionsTag, "extensions")
            rest = rest.dropFirst()
        }
        if let node = rest.first {
            throw TimestampError(.unexpectedStructure, "unexpected \(node.identifier) in TimeStampReq")
        }
    }

    /// The DER `TimeStampReq`: optional fields left out when nil or empty, `certReq` only when true.
    public var derEncoded: [UInt8] {
        var parts = [DERWriter.integer(version), messageImprint.derEncoded]
        if let policy { parts.append(DERWriter.oid(policy)) }
        if let nonce { parts.append(DERWriter.integer(nonce)) }
        if certificateRequested { parts.append(DERWriter.boolean(true)) }
        if !extensions.isEmpty {
            parts.append(DERReader.encodeExtensions(extensions, tag: DERWriter.Tag.contextConstructed(0)))
        }
        return DERWriter.sequence(parts)
    }
}
