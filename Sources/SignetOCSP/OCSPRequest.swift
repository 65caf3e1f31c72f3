import Foundation
import SignetPKI
import SwiftASN1
import X509

/// The OCSP nonce extension (id-pkix-ocsp-nonce, RFC 6960 section 4.4.1 and RFC 8954).
///
/// ```
/// id-pkix-ocsp-nonce OBJECT IDENTIFIER ::= { id-pkix-ocsp 2 }     -- 1.3.6.1.5.5.7.48.1.2
/// Nonce ::= OCTET STRING(SIZE(1..32))                             -- the extnValue holds its DER
/// ```
///
/// Some older clients put the nonce octets straight into the extnValue; ``extensionValue`` keeps the octets as
/// received, so a responder echoes them unchanged and a verifier compares them exactly.
public struct OCSPNonce: Hashable, Sendable, CustomStringConvertible {
    /// The extnValue octets: normally the DER of an OCTET STRING holding ``value``.
    public let extensionValue: [UInt8]

    /// A nonce whose value is `value`, 1 to 32 octets (RFC 8954), written as a DER OCTET STRING.
    public init(_ value: [UInt8]) throws(RevocationError) {
        guard (1...32).contains(value.count) else {
            throw RevocationError(.invalidArgument, "a nonce has 1 to 32 octets, not \(value.count)")
        }
        extensionValue = (try? DERCoding.der(ASN1OctetString(contentBytes: value[...]))) ?? []
    }

    /// A nonce from extnValue octets exactly as found in an extension.
    public init(extensionValue: [UInt8]) {
        self.extensionValue = extensionValue
    }

    /// A fresh nonce of 32 random octets.
    public static func random() -> OCSPNonce {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return try! OCSPNonce(bytes)  // 32 octets: always accepted
    }

    /// The nonce octets: the contents of the OCTET STRING, or the raw extnValue when it is not one.
    public var value: [UInt8] {
        if let node = try? DER.parse(extensionValue), let octets = try? ASN1OctetString(derEncoded: node) {
            return Array(octets.bytes)
        }
        return extensionValue
    }

    /// The non-critical extension carrying this nonce.
    public var certificateExtension: Certificate.Extension {
        Certificate.Extension(oid: ASN1ObjectIdentifier.OCSP.nonce, critical: false, value: extensionValue[...])
    }

    /// The nonce in `extensions`, if any.
    static func find(in extensions: Certificate.Extensions?) -> OCSPNonce? {
        guard let ext = extensions?[oid: ASN1ObjectIdentifier.OCSP.nonce] else { return nil }
        return OCSPNonce(extensionValue: Array(ext.value))
    }

    /// The nonce value in hex.
    public var description: String { "OCSPNonce(\(value.map { String(format: "%02x", $0) }.joined()))" }
}

/// One entry of an OCSP request's requestList.
///
/// ```
/// Request ::= SEQUENCE {
///     reqCert                     CertID,
///     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
/// ```
public struct OCSPSingleRequest: Hashable, Sendable {
    /// The certificate asked about.
    public var certID: OCSPCertID
    /// The singleRequestExtensions, if any.
    public var extensions: Certificate.Extensions?

    /// Creates an entry.
    public init(certID: OCSPCertID, extensions: Certificate.Extensions? = nil) {
        self.certID = certID
        self.extensions = extensions
    }

    init(asn1 node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            guard let certIDNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "Request without reqCert")
            }
            let certID = try OCSPCertID(asn1: certIDNode)
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try DERCoding.extensions($0)
            }
            return OCSPSingleRequest(certID: certID, extensions: extensions)
        }
    }

    func serialize(into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try certID.serialize(into: &coder)
            if let extensions {
                try coder.appendConstructedNode(identifier: .init(tagWithNumber: 0, tagClass: .contextSpecific)) {
                    try DERCoding.serializeExtensions(extensions, into: &$0)
                }
            }
        }
    }
}

/// An OCSP request (RFC 6960 section 4.1), parsed or built.
///
/// ```
/// OCSPRequest ::= SEQUENCE {
///     tbsRequest                  TBSRequest,
///     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
/// TBSRequest ::= SEQUENCE {
///     version             [0]     EXPLICIT Version DEFAULT v1,
///     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
///     requestList                 SEQUENCE OF Request,
///     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
/// Signature ::= SEQUENCE {
///     signatureAlgorithm      AlgorithmIdentifier,
///     signature               BIT STRING,
///     certs               [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
/// Version ::= INTEGER { v1(0) }
/// ```
///
/// A request signature is parsed but not verified (this module's responder does not require signed requests).
/// Parsing refuses more than 64 KiB, more than 1000 Requests, and an empty requestList.
public struct OCSPRequest: Hashable, Sendable {
    /// The optional signature of a signed request, as read.
    public struct Signature: Hashable, Sendable {
        /// The signature algorithm OID.
        public var algorithm: ASN1ObjectIdentifier
        /// The signature algorithm parameters, if any.
        public var parameters: ASN1Any?
        /// The signature octets.
        public var signature: [UInt8]
        /// The certificates that came with it.
        public var certificates: [Certificate]
    }

    /// The requestorName, if any.
    public let requestorName: GeneralName?
    /// The requestList, in order (never empty).
    public let requests: [OCSPSingleRequest]
    /// The requestExtensions, if any.
    public let extensions: Certificate.Extensions?
    /// The optionalSignature, if the request was signed.
    public let signature: Signature?
    /// The DER of the whole OCSPRequest: the bytes parsed, or the bytes built.
    public let derEncoded: [UInt8]

    /// The CertID of every Request, in order.
    public var certIDs: [OCSPCertID] { requests.map(\.certID) }

    /// The nonce in the requestExtensions, if any.
    public var nonce: OCSPNonce? { OCSPNonce.find(in: extensions) }

    /// Builds an unsigned request for `certIDs`, with a nonce extension when `nonce` is given.
    ///
    /// - Throws: `invalidArgument` for an empty or over-long list.
    public init(
        certIDs: [OCSPCertID], nonce: OCSPNonce? = nil, requestorName: GeneralName? = nil
    ) throws(RevocationError) {
        guard !certIDs.isEmpty, certIDs.count <= Limits.certIDs else {
            throw RevocationError(.invalidArgument, "a request asks about 1 to \(Limits.certIDs) certificates")
        }
        let extensions = try nonce.map { nonce throws(RevocationError) in
            try DERInput.decode("nonce") { try Certificate.Extensions([nonce.certificateExtension]) }
        }
        try self.init(
            requestorName: requestorName, requests: certIDs.map { OCSPSingleRequest(certID: $0) },
            extensions: extensions)
    }

    /// Builds an unsigned request about one certificate: what a signer asks for when it wants a fresh OCSP
    /// response to staple. SHA-1 CertID and a random nonce by default, as `openssl ocsp` sends.
    public init(
        certificate: Certificate, issuer: Certificate, hashAlgorithm: OCSPHashAlgorithm = .sha1,
        nonce: OCSPNonce? = .random()
    ) throws(RevocationError) {
        let certID = try OCSPCertID(certificate: certificate, issuer: issuer, hashAlgorithm: hashAlgorithm)
        try self.init(certIDs: [certID], nonce: nonce)
    }

    /// Builds an unsigned request from its parts.
    public init(
        requestorName: GeneralName?, requests: [OCSPSingleRequest], extensions: Certificate.Extensions?
    ) throws(RevocationError) {
        guard !requests.isEmpty, requests.count <= Limits.certIDs else {
            throw RevocationError(.invalidArgument, "a request asks about 1 to \(Limits.certIDs) certificates")
        }
        self.requestorName = requestorName
        self.requests = requests
        self.extensions = extensions
        self.signature = nil
        self.derEncoded = try DERInput.encode("OCSPRequest") { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    if let requestorName {
                        try coder.serialize(requestorName, explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
                    }
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        for request in requests { try request.serialize(into: &coder) }
                    }
                    if let extensions {
                        try coder.appendConstructedNode(identifier: .init(tagWithNumber: 2, tagClass: .contextSpecific))
                        {
                            try DERCoding.serializeExtensions(extensions, into: &$0)
                        }
                    }
                }
            }
        }
    }

    /// Parses a DER OCSPRequest.
    ///
    /// - Throws: `malformedDER` for bytes that are not one DER element, `unexpectedStructure` for other ASN.1,
    ///   `unsupportedVersion` for a version other than v1, `inputTooLarge` past the limits.
    public init(derEncoded bytes: [UInt8]) throws(RevocationError) {
        let root = try DERInput.root(bytes[...], limit: Limits.requestBytes, "OCSPRequest")
        let parsed = try DERInput.decode("OCSPRequest") { try Self.parse(root) }
        requestorName = parsed.requestorName
        requests = parsed.requests
        extensions = parsed.extensions
        signature = parsed.signature
        derEncoded = bytes
    }

    private static func parse(_ root: ASN1Node) throws -> (
        requestorName: GeneralName?, requests: [OCSPSingleRequest], extensions: Certificate.Extensions?,
        signature: Signature?
    ) {
        try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbsNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no tbsRequest") }
            let tbs = try DER.sequence(tbsNode, identifier: .sequence) { nodes in
                let version = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try Int(derEncoded: $0)
                }
                if let version, version != 0 {
                    throw RevocationError(.unsupportedVersion, "OCSP request version \(version)")
                }
                let name = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) {
                    try GeneralName(derEncoded: $0)
                }
                guard let listNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "no requestList") }
                let requests = try DER.sequence(listNode, identifier: .sequence) { nodes in
                    var list: [OCSPSingleRequest] = []
                    while let node = nodes.next() {
                        guard list.count < Limits.certIDs else {
                            throw RevocationError(.inputTooLarge, "more than \(Limits.certIDs) Requests")
                        }
                        list.append(try OCSPSingleRequest(asn1: node))
                    }
                    return list
                }
                guard !requests.isEmpty else { throw RevocationError(.unexpectedStructure, "empty requestList") }
                let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific) {
                    try DERCoding.extensions($0)
                }
                return (name, requests, extensions)
            }
            let signature = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                try parseSignature($0)
            }
            return (tbs.0, tbs.1, tbs.2, signature)
        }
    }

    private static func parseSignature(_ node: ASN1Node) throws -> Signature {
        try DER.sequence(node, identifier: .sequence) { nodes in
            guard let algorithmNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "Signature without algorithm")
            }
            let algorithm = try AlgorithmIdentifier(derEncoded: algorithmNode)
            let bits = try ASN1BitString(derEncoded: &nodes)
            let certificates =
                try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) {
                    try BasicOCSPResponse.parseCertificates($0)
                } ?? []
            return Signature(
                algorithm: algorithm.oid, parameters: algorithm.parameters, signature: Array(bits.bytes),
                certificates: certificates)
        }
    }
}
