import Foundation
import SignetPKI
import SwiftASN1
import X509

/// The status of an OCSPResponse as a whole (RFC 6960 section 4.2.1).
///
/// ```
/// OCSPResponseStatus ::= ENUMERATED {
///     successful          (0),  -- Response has valid confirmations
///     malformedRequest    (1),  -- Illegal confirmation request
///     internalError       (2),  -- Internal error in issuer
///     tryLater            (3),  -- Try again later
///                               -- (4) is not used
///     sigRequired         (5),  -- Must sign the request
///     unauthorized        (6)   -- Request unauthorized }
/// ```
///
/// Open-ended: a value read from input that is not listed keeps its number.
public struct OCSPResponseStatus: Hashable, Sendable, CustomStringConvertible {
    /// The ENUMERATED value.
    public let rawValue: Int

    /// A status from its ENUMERATED value.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// successful (0): the response carries responseBytes.
    public static let successful = OCSPResponseStatus(rawValue: 0)
    /// malformedRequest (1).
    public static let malformedRequest = OCSPResponseStatus(rawValue: 1)
    /// internalError (2).
    public static let internalError = OCSPResponseStatus(rawValue: 2)
    /// tryLater (3).
    public static let tryLater = OCSPResponseStatus(rawValue: 3)
    /// sigRequired (5).
    public static let sigRequired = OCSPResponseStatus(rawValue: 5)
    /// unauthorized (6).
    public static let unauthorized = OCSPResponseStatus(rawValue: 6)

    /// The RFC 6960 name, or `status(N)`.
    public var description: String {
        switch rawValue {
        case 0: return "successful"
        case 1: return "malformedRequest"
        case 2: return "internalError"
        case 3: return "tryLater"
        case 5: return "sigRequired"
        case 6: return "unauthorized"
        default: return "status(\(rawValue))"
        }
    }
}

/// When and why a certificate was revoked (RFC 6960 section 4.2.1).
///
/// ```
/// RevokedInfo ::= SEQUENCE {
///     revocationTime              GeneralizedTime,
///     revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
/// ```
public struct OCSPRevokedInfo: Hashable, Sendable {
    /// When the certificate was revoked (whole seconds).
    public var revocationTime: Date
    /// Why, when the responder says.
    public var reason: CRLReason?

    /// Creates revocation information.
    public init(revocationTime: Date, reason: CRLReason? = nil) {
        self.revocationTime = revocationTime
        self.reason = reason
    }
}

/// The status of one certificate (RFC 6960 section 4.2.1). The CHOICE has exactly these three alternatives.
///
/// ```
/// CertStatus ::= CHOICE {
///     good        [0]     IMPLICIT NULL,
///     revoked     [1]     IMPLICIT RevokedInfo,
///     unknown     [2]     IMPLICIT UnknownInfo }
/// UnknownInfo ::= NULL
/// ```
public enum OCSPCertStatus: Hashable, Sendable, CustomStringConvertible {
    /// Not revoked (as far as the responder knows).
    case good
    /// Revoked, with the time and perhaps the reason.
    case revoked(OCSPRevokedInfo)
    /// The responder does not know the certificate (typically: not its issuer).
    case unknown

    /// `good`, `revoked (keyCompromise)`, `unknown`.
    public var description: String {
        switch self {
        case .good: return "good"
        case .unknown: return "unknown"
        case .revoked(let info): return info.reason.map { "revoked (\($0))" } ?? "revoked"
        }
    }

    init(asn1 node: ASN1Node) throws {
        switch node.identifier {
        case ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific):
            _ = try ASN1Null(derEncoded: node, withIdentifier: node.identifier)
            self = .good
        case ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific):
            _ = try ASN1Null(derEncoded: node, withIdentifier: node.identifier)
            self = .unknown
        case ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific):
            self = .revoked(
                try DER.sequence(node, identifier: node.identifier) { nodes in
                    guard let timeNode = nodes.next() else {
                        throw ASN1Error.invalidASN1Object(reason: "RevokedInfo without revocationTime")
                    }
                    let time = try DERCoding.generalizedTime(timeNode)
                    let reason = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                        CRLReason(rawValue: try Int(derEncoded: $0, withIdentifier: .enumerated))
                    }
                    return OCSPRevokedInfo(revocationTime: time, reason: reason)
                })
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .good:
            coder.appendPrimitiveNode(identifier: .init(tagWithNumber: 0, tagClass: .contextSpecific)) { _ in }
        case .unknown:
            coder.appendPrimitiveNode(identifier: .init(tagWithNumber: 2, tagClass: .contextSpecific)) { _ in }
        case .revoked(let info):
            try coder.appendConstructedNode(identifier: .init(tagWithNumber: 1, tagClass: .contextSpecific)) { coder in
                try DERCoding.serializeGeneralizedTime(info.revocationTime, into: &coder)
                if let reason = info.reason {
                    try coder.appendConstructedNode(identifier: .init(tagWithNumber: 0, tagClass: .contextSpecific)) {
                        try reason.rawValue.serialize(into: &$0, withIdentifier: .enumerated)
                    }
                }
            }
        }
    }
}

/// The answer about one certificate (RFC 6960 section 4.2.1).
///
/// ```
/// SingleResponse ::= SEQUENCE {
///     certID                       CertID,
///     certStatus                   CertStatus,
///     thisUpdate                   GeneralizedTime,
///     nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
///     singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
/// ```
public struct OCSPSingleResponse: Hashable, Sendable {
    /// The certificate this answer is about.
    public var certID: OCSPCertID
    /// Its status.
    public var status: OCSPCertStatus
    /// When the status was known to be correct.
    public var thisUpdate: Date
    /// When newer information will be available, if the responder says.
    public var nextUpdate: Date?
    /// The singleExtensions, if any.
    public var extensions: Certificate.Extensions?

    /// Creates an answer.
    public init(
        certID: OCSPCertID, status: OCSPCertStatus, thisUpdate: Date, nextUpdate: Date? = nil,
        extensions: Certificate.Extensions? = nil
    ) {
        self.certID = certID
        self.status = status
        self.thisUpdate = thisUpdate
        self.nextUpdate = nextUpdate
        self.extensions = extensions
    }

    init(asn1 node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let certIDNode = nodes.next(), let statusNode = nodes.next(), let thisUpdateNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "SingleResponse lacks fields")
            }
            let certID = try OCSPCertID(asn1: certIDNode)
            let status = try OCSPCertStatus(asn1: statusNode)
            let thisUpdate = try DERCoding.generalizedTime(thisUpdateNode)
            let nextUpdate = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try DERCoding.generalizedTime($0)
            }
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                try DERCoding.extensions($0)
            }
            return OCSPSingleResponse(
                certID: certID, status: status, thisUpdate: thisUpdate, nextUpdate: nextUpdate, extensions: extensions)
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try certID.serialize(into: &coder)
            try status.serialize(into: &coder)
            try DERCoding.serializeGeneralizedTime(thisUpdate, into: &coder)
            if let nextUpdate {
                try coder.appendConstructedNode(identifier: .init(tagWithNumber: 0, tagClass: .contextSpecific)) {
                    try DERCoding.serializeGeneralizedTime(nextUpdate, into: &$0)
                }
            }
            if let extensions {
                try coder.appendConstructedNode(identifier: .init(tagWithNumber: 1, tagClass: .contextSpecific)) {
                    try DERCoding.serializeExtensions(extensions, into: &$0)
                }
            }
        }
    }
}

/// How a response names its signer (RFC 6960 section 4.2.1). The CHOICE has exactly these two alternatives.
///
/// ```
/// ResponderID ::= CHOICE {
///     byName   [1] Name,        -- EXPLICIT (the module's default tagging)
///     byKey    [2] KeyHash }
/// KeyHash ::= OCTET STRING -- SHA-1 hash of responder's public key (excluding the tag and length fields)
/// ```
public enum OCSPResponderID: Hashable, Sendable {
    /// The responder certificate's subject.
    case byName(DistinguishedName)
    /// SHA-1 of the responder's subjectPublicKey bits.
    case byKey([UInt8])

    /// The ResponderID of `certificate`: byKey (SHA-1 of its key bits) or byName (its subject).
    public static func of(_ certificate: Certificate, byKey: Bool) -> OCSPResponderID {
        byKey ? .byKey(CertificateFacts.keyHash(certificate.publicKey)) : .byName(certificate.subject)
    }

    /// Whether `certificate` is the one this ID names.
    public func names(_ certificate: Certificate) -> Bool {
        switch self {
        case .byName(let name): return certificate.subject == name
        case .byKey(let hash): return CertificateFacts.keyHash(certificate.publicKey) == hash
        }
    }

    init(asn1 node: ASN1Node) throws {
        switch node.identifier {
        case ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific):
            self = .byName(
                try DER.explicitlyTagged(node, tagNumber: 1, tagClass: .contextSpecific) {
                    try DistinguishedName(derEncoded: $0)
                })
        case ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific):
            self = .byKey(
                try DER.explicitlyTagged(node, tagNumber: 2, tagClass: .contextSpecific) {
                    Array(try ASN1OctetString(derEncoded: $0).bytes)
                })
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        switch self {
        case .byName(let name):
            try coder.serialize(name, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
        case .byKey(let hash):
            try coder.serialize(
                ASN1OctetString(contentBytes: hash[...]), explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific)
        }
    }
}

/// The signed part of a basic OCSP response (RFC 6960 section 4.2.1).
///
/// ```
/// ResponseData ::= SEQUENCE {
///     version              [0] EXPLICIT Version DEFAULT v1,
///     responderID              ResponderID,
///     producedAt               GeneralizedTime,
///     responses                SEQUENCE OF SingleResponse,
///     responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
/// ```
public struct OCSPResponseData: Hashable, Sendable {
    /// Who signs.
    public var responderID: OCSPResponderID
    /// When the response was signed.
    public var producedAt: Date
    /// One answer per certificate asked about.
    public var responses: [OCSPSingleResponse]
    /// The responseExtensions (the nonce lives here), if any.
    public var extensions: Certificate.Extensions?

    /// Creates response data.
    public init(
        responderID: OCSPResponderID, producedAt: Date, responses: [OCSPSingleResponse],
        extensions: Certificate.Extensions? = nil
    ) {
        self.responderID = responderID
        self.producedAt = producedAt
        self.responses = responses
        self.extensions = extensions
    }

    /// The nonce in the responseExtensions, if any.
    public var nonce: OCSPNonce? { OCSPNonce.find(in: extensions) }

    init(asn1 node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let version = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try Int(derEncoded: $0)
            }
            if let version, version != 0 {
                throw RevocationError(.unsupportedVersion, "OCSP response version \(version)")
            }
            guard let idNode = nodes.next(), let producedNode = nodes.next(), let listNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "ResponseData lacks fields")
            }
            let responderID = try OCSPResponderID(asn1: idNode)
            let producedAt = try DERCoding.generalizedTime(producedNode)
            let responses = try DER.sequence(listNode, identifier: .sequence) { nodes in
                var list: [OCSPSingleResponse] = []
                while let node = nodes.next() {
                    guard list.count < Limits.certIDs else {
                        throw RevocationError(.inputTooLarge, "more than \(Limits.certIDs) SingleResponses")
                    }
                    list.append(try OCSPSingleResponse(asn1: node))
                }
                return list
            }
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                try DERCoding.extensions($0)
            }
            return OCSPResponseData(
                responderID: responderID, producedAt: producedAt, responses: responses, extensions: extensions)
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try responderID.serialize(into: &coder)
            try DERCoding.serializeGeneralizedTime(producedAt, into: &coder)
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                for response in responses { try response.serialize(into: &coder) }
            }
            if let extensions {
                try coder.appendConstructedNode(identifier: .init(tagWithNumber: 1, tagClass: .contextSpecific)) {
                    try DERCoding.serializeExtensions(extensions, into: &$0)
                }
            }
        }
    }
}

/// A signed basic OCSP response (RFC 6960 section 4.2.1), parsed or built.
///
/// ```
/// BasicOCSPResponse ::= SEQUENCE {
///     tbsResponseData      ResponseData,
///     signatureAlgorithm   AlgorithmIdentifier,
///     signature            BIT STRING,
///     certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// ```
///
/// The signature covers ``tbsResponseDataDER``, the bytes exactly as received; ``responseData`` is their
/// parsed form, for reading only.
public struct BasicOCSPResponse: Hashable, Sendable {
    /// The parsed tbsResponseData.
    public let responseData: OCSPResponseData
    /// The DER of tbsResponseData, as signed.
    public let tbsResponseDataDER: [UInt8]
    /// The signature algorithm OID.
    public let signatureAlgorithmOID: ASN1ObjectIdentifier
    /// The signature algorithm parameters, if any.
    public let signatureAlgorithmParameters: ASN1Any?
    /// The signature octets (a DER `Ecdsa-Sig-Value` for ECDSA).
    public let signature: [UInt8]
    /// The certs field: normally the responder's certificate (and perhaps its chain). Empty when absent.
    public let certificates: [Certificate]
    /// The DER of the whole BasicOCSPResponse.
    public let derEncoded: [UInt8]

    /// The signature algorithm, nil when this module does not support it.
    public var signatureAlgorithm: Certificate.SignatureAlgorithm? {
        Signatures.algorithm(oid: signatureAlgorithmOID, parameters: signatureAlgorithmParameters)
    }

    /// Signs `responseData` with `key`.
    ///
    /// - Parameters:
    ///   - responseData: What to sign.
    ///   - key: The responder's key (a delegated responder's, or the CA's own).
    ///   - signatureAlgorithm: Defaults to the key's usual algorithm: ecdsa-with-SHA256/384/512 for P-256/384/521,
    ///     sha256WithRSAEncryption (PKCS#1 v1.5) for RSA, Ed25519.
    ///   - certificates: What to put in `certs` (normally the responder certificate); nothing when empty.
    public init(
        signing responseData: OCSPResponseData, with key: Certificate.PrivateKey,
        signatureAlgorithm: Certificate.SignatureAlgorithm? = nil, certificates: [Certificate] = []
    ) throws(RevocationError) {
        guard let algorithm = signatureAlgorithm ?? Signatures.defaultAlgorithm(for: key.publicKey) else {
            throw RevocationError(.unsupportedAlgorithm, "no signature algorithm for this key")
        }
        guard certificates.count <= Limits.certificates else {
            throw RevocationError(.invalidArgument, "at most \(Limits.certificates) certificates in certs")
        }
        let identifier = try Signatures.identifier(algorithm)
        let tbs = try DERInput.encode("ResponseData") { try responseData.serialize(into: &$0) }
        let signature = try Signatures.sign(tbs, key: key, algorithm: algorithm)
        self.responseData = responseData
        self.tbsResponseDataDER = tbs
        self.signatureAlgorithmOID = identifier.oid
        self.signatureAlgorithmParameters = identifier.parameters
        self.signature = signature
        self.certificates = certificates
        self.derEncoded = try DERInput.encode("BasicOCSPResponse") { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                coder.serializeRawBytes(tbs)
                try coder.serialize(identifier)
                try coder.serialize(ASN1BitString(bytes: signature[...]))
                if !certificates.isEmpty {
                    try coder.appendConstructedNode(identifier: .init(tagWithNumber: 0, tagClass: .contextSpecific)) {
                        try $0.serializeSequenceOf(certificates)
                    }
                }
            }
        }
    }

    /// Parses a DER BasicOCSPResponse (the content of an id-pkix-ocsp-basic responseBytes).
    public init(derEncoded bytes: [UInt8]) throws(RevocationError) {
        let root = try DERInput.root(bytes[...], limit: Limits.responseBytes, "BasicOCSPResponse")
        self = try DERInput.decode("BasicOCSPResponse") { try Self(asn1: root, bytes: bytes) }
    }

    private init(asn1 root: ASN1Node, bytes: [UInt8]) throws {
        let fields = try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbsNode = nodes.next(), let algorithmNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "BasicOCSPResponse lacks fields")
            }
            let data = try OCSPResponseData(asn1: tbsNode)
            let algorithm = try AlgorithmIdentifier(derEncoded: algorithmNode)
            let bits = try ASN1BitString(derEncoded: &nodes)
            guard bits.paddingBits == 0 else {
                throw RevocationError(.unexpectedStructure, "signature BIT STRING with unused bits")
            }
            let certificates =
                try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try Self.parseCertificates($0)
                } ?? []
            return (data, Array(tbsNode.encodedBytes), algorithm, Array(bits.bytes), certificates)
        }
        responseData = fields.0
        tbsResponseDataDER = fields.1
        signatureAlgorithmOID = fields.2.oid
        signatureAlgorithmParameters = fields.2.parameters
        signature = fields.3
        certificates = fields.4
        derEncoded = bytes
    }

    /// `SEQUENCE OF Certificate`, at most 32.
    static func parseCertificates(_ node: ASN1Node) throws -> [Certificate] {
        try DER.sequence(node, identifier: .sequence) { nodes in
            var list: [Certificate] = []
            while let next = nodes.next() {
                guard list.count < Limits.certificates else {
                    throw RevocationError(.inputTooLarge, "more than \(Limits.certificates) certificates")
                }
                list.append(try Certificate(derEncoded: next))
            }
            return list
        }
    }

    /// Whether the signature verifies with `certificate`'s key over ``tbsResponseDataDER``.
    public func isSignatureValid(signer certificate: Certificate) -> Bool {
        guard let algorithm = signatureAlgorithm else { return false }
        return Signatures.verify(signature, over: tbsResponseDataDER, key: certificate.publicKey, algorithm: algorithm)
    }
}

/// An OCSP response (RFC 6960 section 4.2.1), parsed or built.
///
/// ```
/// OCSPResponse ::= SEQUENCE {
///     responseStatus         OCSPResponseStatus,
///     responseBytes          [0] EXPLICIT ResponseBytes OPTIONAL }
/// ResponseBytes ::= SEQUENCE {
///     responseType   OBJECT IDENTIFIER,
///     response       OCTET STRING }     -- for id-pkix-ocsp-basic, the DER of a BasicOCSPResponse
/// ```
///
/// responseBytes are present exactly when the status is `successful`. Parsing refuses more than 1 MiB, more than
/// 1000 SingleResponses and more than 32 certificates.
public struct OCSPResponse: Hashable, Sendable {
    /// The response status.
    public let status: OCSPResponseStatus
    /// The responseType OID; nil for an error response.
    public let responseType: ASN1ObjectIdentifier?
    /// The basic response, when the type is id-pkix-ocsp-basic.
    public let basicResponse: BasicOCSPResponse?
    /// The DER of the whole OCSPResponse: what a C2PA manifest staples.
    public let derEncoded: [UInt8]

    /// An error response (no responseBytes): `malformedRequest`, `internalError`, `tryLater`, `sigRequired`,
    /// `unauthorized`.
    ///
    /// - Throws: `invalidArgument` for `successful`, which needs a basic response.
    public init(status: OCSPResponseStatus) throws(RevocationError) {
        guard status != .successful else {
            throw RevocationError(.invalidArgument, "a successful response needs a basic response")
        }
        self.status = status
        self.responseType = nil
        self.basicResponse = nil
        self.derEncoded = try DERInput.encode("OCSPResponse") { coder in
            try coder.appendConstructedNode(identifier: .sequence) {
                try status.rawValue.serialize(into: &$0, withIdentifier: .enumerated)
            }
        }
    }

    /// A successful response carrying `basicResponse`.
    public init(basicResponse: BasicOCSPResponse) {
        self.status = .successful
        self.responseType = ASN1ObjectIdentifier.OCSP.basic
        self.basicResponse = basicResponse
        var coder = DER.Serializer()
        // Fixed structure over bytes already encoded: cannot fail.
        try! coder.appendConstructedNode(identifier: .sequence) { coder in
            try OCSPResponseStatus.successful.rawValue.serialize(into: &coder, withIdentifier: .enumerated)
            try coder.appendConstructedNode(identifier: .init(tagWithNumber: 0, tagClass: .contextSpecific)) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    try coder.serialize(ASN1ObjectIdentifier.OCSP.basic)
                    try coder.serialize(ASN1OctetString(contentBytes: basicResponse.derEncoded[...]))
                }
            }
        }
        self.derEncoded = coder.serializedBytes
    }

    /// Parses a DER OCSPResponse.
    ///
    /// - Throws: `malformedDER` for bytes that are not DER (at either level: the OCSPResponse or the
    ///   BasicOCSPResponse inside it), `unexpectedStructure` for other ASN.1, `unsupportedVersion`,
    ///   `invalidTime`, `inputTooLarge`.
    public init(derEncoded bytes: [UInt8]) throws(RevocationError) {
        let root = try DERInput.root(bytes[...], limit: Limits.responseBytes, "OCSPResponse")
        let (status, type, inner) = try DERInput.decode("OCSPResponse") {
            try DER.sequence(root, identifier: .sequence) { nodes in
                guard let statusNode = nodes.next() else {
                    throw ASN1Error.invalidASN1Object(reason: "OCSPResponse without responseStatus")
                }
                let status = OCSPResponseStatus(rawValue: try Int(derEncoded: statusNode, withIdentifier: .enumerated))
                let responseBytes = try DER.optionalExplicitlyTagged(
                    &nodes, tagNumber: 0, tagClass: .contextSpecific
                ) { node in
                    try DER.sequence(node, identifier: .sequence) { nodes in
                        (try ASN1ObjectIdentifier(derEncoded: &nodes), try ASN1OctetString(derEncoded: &nodes))
                    }
                }
                guard (status == .successful) == (responseBytes != nil) else {
                    throw RevocationError(
                        .unexpectedStructure, "responseBytes must be present exactly when the status is successful")
                }
                return (status, responseBytes?.0, responseBytes.map { Array($0.1.bytes) })
            }
        }
        self.status = status
        self.responseType = type
        if type == ASN1ObjectIdentifier.OCSP.basic, let inner {
            self.basicResponse = try BasicOCSPResponse(derEncoded: inner)
        } else {
            self.basicResponse = nil
        }
        self.derEncoded = bytes
    }
}
