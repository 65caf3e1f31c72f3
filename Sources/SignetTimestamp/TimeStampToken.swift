import Foundation
import SignetPKI
import SwiftASN1

/// An RFC 3161 time-stamp token, parsed (not validated).
///
/// Accepted input (C2PA `sigTst` carries a `TimeStampResp`, `sigTst2` a bare `TimeStampToken`; c2pa-rs accepts
/// either in both headers, and so does this type):
///
/// ```
/// TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
/// PKIStatusInfo ::= SEQUENCE { status INTEGER, statusString SEQUENCE OF UTF8String OPTIONAL,
///                              failInfo BIT STRING OPTIONAL }         -- status 0 or 1 required
/// TimeStampToken ::= ContentInfo
/// ContentInfo ::= SEQUENCE { contentType OBJECT IDENTIFIER (id-signedData), content [0] EXPLICIT SignedData }
/// SignedData ::= SEQUENCE { version INTEGER, digestAlgorithms SET OF AlgorithmIdentifier,
///                           encapContentInfo EncapsulatedContentInfo,
///                           certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL,
///                           crls [1] IMPLICIT ANY OPTIONAL, signerInfos SET OF SignerInfo }
/// EncapsulatedContentInfo ::= SEQUENCE { eContentType OBJECT IDENTIFIER (id-ct-TSTInfo),
///                                        eContent [0] EXPLICIT OCTET STRING }   -- holds DER TSTInfo
/// SignerInfo ::= SEQUENCE { version INTEGER,
///                           sid CHOICE { issuerAndSerialNumber SEQUENCE { issuer Name, serialNumber INTEGER },
///                                        subjectKeyIdentifier [0] IMPLICIT OCTET STRING },
///                           digestAlgorithm AlgorithmIdentifier, signedAttrs [0] IMPLICIT SET OF Attribute OPTIONAL,
///                           signatureAlgorithm AlgorithmIdentifier, signature OCTET STRING,
///                           unsignedAttrs [1] IMPLICIT SET OF Attribute OPTIONAL }
/// Attribute ::= SEQUENCE { attrType OBJECT IDENTIFIER, attrValues SET OF ANY }
/// TSTInfo ::= SEQUENCE { version INTEGER, policy OBJECT IDENTIFIER, messageImprint MessageImprint,
///                        serialNumber INTEGER, genTime GeneralizedTime, ... }    -- the rest is not read
/// MessageImprint ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
/// ```
///
/// Input is DER only (SwiftASN1 limits nesting depth); a constructed (BER) OCTET STRING is rejected.
public struct TimeStampToken: Sendable, Hashable {
    /// One CMS attribute: its type OID (dotted) and the DER of each value.
    public struct Attribute: Sendable, Hashable {
        /// The attribute type OID, dotted.
        public var type: String
        /// The DER encoding of each value in the `SET OF`.
        public var values: [[UInt8]]
    }

    /// One CMS signer.
    public struct Signer: Sendable, Hashable {
        /// How the signer names its certificate.
        public enum Identifier: Sendable, Hashable {
            /// The DER of the issuer `Name` and the content octets of the serial number INTEGER.
            case issuerAndSerialNumber(issuerDER: [UInt8], serial: [UInt8])
            /// The subject key identifier octets.
            case subjectKeyIdentifier([UInt8])
        }

        /// The signer's certificate reference.
        public var identifier: Identifier
        /// The digest algorithm OID (dotted).
        public var digestAlgorithm: String
        /// The signed attributes re-tagged as `SET OF` (0x31): the bytes the signature covers. Nil when absent.
        public var signedAttributesDER: [UInt8]?
        /// The signed attributes, in order.
        public var signedAttributes: [Attribute]
        /// The signature algorithm OID (dotted) and the DER of its parameters, if any.
        public var signatureAlgorithm: String
        /// The DER of the signature algorithm parameters (e.g. RSASSA-PSS-params), if present.
        public var signatureAlgorithmParameters: [UInt8]?
        /// The signature octets.
        public var signature: [UInt8]

        /// The values of the first signed attribute of type `oid` (dotted), nil when there is none.
        public func attributeValues(_ oid: String) -> [[UInt8]]? {
            signedAttributes.first { $0.type == oid }?.values
        }
    }

    /// The PKIStatus when the input was a `TimeStampResp`, nil for a bare token.
    public var responseStatus: Int?
    /// Each entry of `certificates`: the DER of a `Certificate`, or nil for another CertificateChoices
    /// alternative (attribute certificates etc.). Nil when the field is absent.
    public var certificates: [[UInt8]?]?
    /// The signers, in order.
    public var signers: [Signer]
    /// The eContent octets (the DER `TSTInfo`).
    public var encapsulatedContent: [UInt8]
    /// The message imprint hash algorithm OID (dotted).
    public var imprintAlgorithm: String
    /// The message imprint hash value.
    public var imprintDigest: [UInt8]
    /// The TSTInfo `genTime`.
    public var genTime: Date
    /// The TSTInfo serial number (content octets of the INTEGER).
    public var serialNumber: [UInt8]

    /// Parses a DER `TimeStampResp` or `TimeStampToken`.
    public init(derEncoded bytes: [UInt8]) throws(TimestampError) {
        let root = try DERReader.parse(bytes[...])
        let top = try DERReader.children(root, .sequence, "TimeStampResp or ContentInfo")
        guard let first = top.first else { throw TimestampError(.unexpectedStructure, "empty top-level SEQUENCE") }
        let contentInfo: ASN1Node
        if first.identifier == .sequence {
            // TimeStampResp
            let statusInfo = try DERReader.children(first, .sequence, "PKIStatusInfo")
            guard let statusNode = statusInfo.first else {
                throw TimestampError(.unexpectedStructure, "PKIStatusInfo without status")
            }
            let status = try DERReader.smallInt(statusNode, "PKIStatus")
            guard status == 0 || status == 1 else {
                throw TimestampError(.statusNotGranted, "time-stamp response status \(status) (not granted)")
            }
            guard top.count >= 2 else { throw TimestampError(.missingToken, "time-stamp response without a token") }
            guard top.count == 2 else { throw TimestampError(.unexpectedStructure, "extra fields in TimeStampResp") }
            responseStatus = status
            contentInfo = top[1]
        } else {
            responseStatus = nil
            contentInfo = root
        }
        let ci = try DERReader.children(contentInfo, .sequence, "ContentInfo")
        guard ci.count == 2 else {
            throw TimestampError(.unexpectedStructure, "ContentInfo needs 2 fields, has \(ci.count)")
        }
        guard try DERReader.oid(ci[0], "contentType") == ASN1ObjectIdentifier.CMS.signedData.description else {
            throw TimestampError(.notSignedData, "ContentInfo content type is not id-signedData")
        }
        let explicit = try DERReader.children(
            ci[1], ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), "content [0]")
        guard explicit.count == 1 else {
            throw TimestampError(.unexpectedStructure, "content [0] must hold one element")
        }
        let sd = try DERReader.children(explicit[0], .sequence, "SignedData")
        guard sd.count >= 4 else { throw TimestampError(.unexpectedStructure, "SignedData has \(sd.count) fields") }
        _ = try DERReader.smallInt(sd[0], "SignedData version")
        _ = try DERReader.children(sd[1], .set, "digestAlgorithms")
        // encapContentInfo
        let eci = try DERReader.children(sd[2], .sequence, "EncapsulatedContentInfo")
        guard eci.count == 2, try DERReader.oid(eci[0], "eContentType") == ASN1ObjectIdentifier.CMS.tstInfo.description else {
            throw TimestampError(.missingTSTInfo, "encapsulated content is not a TSTInfo")
        }
        let eContentWrap = try DERReader.children(
            eci[1], ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), "eContent [0]")
        guard eContentWrap.count == 1 else {
            throw TimestampError(.unexpectedStructure, "eContent [0] must hold one element")
        }
        encapsulatedContent = try DERReader.octets(eContentWrap[0], .octetString, "eContent")

        var index = 3
        var certs: [[UInt8]?]? = nil
        let certsTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        if index < sd.count, sd[index].identifier == certsTag {
            certs = try DERReader.children(sd[index], certsTag, "certificates").map { node in
                node.identifier == .sequence ? Array(node.encodedBytes) : nil
            }
            index += 1
        }
        if index < sd.count, sd[index].identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific) {
            index += 1  // crls: not used
        }
        guard index == sd.count - 1 else {
            throw TimestampError(.unexpectedStructure, "unexpected fields in SignedData")
        }
        certificates = certs
        signers = try DERReader.children(sd[index], .set, "signerInfos").map { node throws(TimestampError) in
            try Self.parseSigner(node)
        }

        // TSTInfo
        let tstRoot = try DERReader.parse(encapsulatedContent[...])
        let tst = try DERReader.children(tstRoot, .sequence, "TSTInfo")
        guard tst.count >= 5 else { throw TimestampError(.unexpectedStructure, "TSTInfo has \(tst.count) fields") }
        _ = try DERReader.smallInt(tst[0], "TSTInfo version")
        _ = try DERReader.oid(tst[1], "policy")
        let mi = try DERReader.children(tst[2], .sequence, "MessageImprint")
        guard mi.count == 2 else { throw TimestampError(.unexpectedStructure, "MessageImprint needs 2 fields") }
        imprintAlgorithm = try DERReader.algorithm(mi[0], "hashAlgorithm").oid
        imprintDigest = try DERReader.octets(mi[1], .octetString, "hashedMessage")
        serialNumber = try DERReader.octets(tst[3], .integer, "serialNumber")
        genTime = try DERReader.generalizedTime(tst[4], "genTime")
    }

    private static func parseSigner(_ node: ASN1Node) throws(TimestampError) -> Signer {
        let f = try DERReader.children(node, .sequence, "SignerInfo")
        guard f.count >= 5 else { throw TimestampError(.unexpectedStructure, "SignerInfo has \(f.count) fields") }
        _ = try DERReader.smallInt(f[0], "SignerInfo version")
        let identifier: Signer.Identifier
        if f[1].identifier == .sequence {
            let ias = try DERReader.children(f[1], .sequence, "IssuerAndSerialNumber")
            guard ias.count == 2, ias[0].identifier == .sequence else {
                throw TimestampError(.unexpectedStructure, "IssuerAndSerialNumber malformed")
            }
            identifier = .issuerAndSerialNumber(
                issuerDER: Array(ias[0].encodedBytes), serial: try DERReader.octets(ias[1], .integer, "serialNumber"))
        } else {
            identifier = .subjectKeyIdentifier(
                try DERReader.octets(
                    f[1], ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific), "subjectKeyIdentifier"))
        }
        let digestAlgorithm = try DERReader.algorithm(f[2], "digestAlgorithm").oid
        var i = 3
        var attrsDER: [UInt8]? = nil
        var attrs: [Attribute] = []
        let attrsTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        if f[i].identifier == attrsTag {
            for a in try DERReader.children(f[i], attrsTag, "signedAttrs") {
                let parts = try DERReader.children(a, .sequence, "Attribute")
                guard parts.count == 2 else { throw TimestampError(.unexpectedStructure, "Attribute needs 2 fields") }
                let type = try DERReader.oid(parts[0], "attrType")
                let values = try DERReader.children(parts[1], .set, "attrValues").map { Array($0.encodedBytes) }
                attrs.append(Attribute(type: type, values: values))
            }
            var bytes = Array(f[i].encodedBytes)
            bytes[0] = 0x31  // [0] IMPLICIT -> SET OF: the DER the signature covers (RFC 5652 section 5.4)
            attrsDER = bytes
            i += 1
        }
        guard i + 1 < f.count else { throw TimestampError(.unexpectedStructure, "SignerInfo lacks signature") }
        let sigAlg = try DERReader.algorithm(f[i], "signatureAlgorithm")
        let signature = try DERReader.octets(f[i + 1], .octetString, "signature")
        i += 2
        if i < f.count, f[i].identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific) { i += 1 }
        guard i == f.count else { throw TimestampError(.unexpectedStructure, "extra fields in SignerInfo") }
        return Signer(
            identifier: identifier, digestAlgorithm: digestAlgorithm, signedAttributesDER: attrsDER,
            signedAttributes: attrs, signatureAlgorithm: sigAlg.oid, signatureAlgorithmParameters: sigAlg.parameters,
            signature: signature)
    }

}

/// Small DER helpers turning SwiftASN1's untyped errors into ``TimestampError``.
enum DERReader {
    static func parse(_ bytes: ArraySlice<UInt8>) throws(TimestampError) -> ASN1Node {
        do { return try DER.parse(bytes) } catch { throw TimestampError(.malformedDER, "\(error)") }
    }

    static func children(_ node: ASN1Node, _ id: ASN1Identifier, _ what: String) throws(TimestampError) -> [ASN1Node] {
        guard node.identifier == id, case .constructed(let nodes) = node.content else {
            throw TimestampError(.unexpectedStructure, "\(what): expected constructed \(id), found \(node.identifier)")
        }
        return Array(nodes)
    }

    static func octets(_ node: ASN1Node, _ id: ASN1Identifier, _ what: String) throws(TimestampError) -> [UInt8] {
        guard node.identifier == id, case .primitive(let bytes) = node.content else {
            throw TimestampError(.unexpectedStructure, "\(what): expected primitive \(id), found \(node.identifier)")
        }
        return Array(bytes)
    }

    static func oid(_ node: ASN1Node, _ what: String) throws(TimestampError) -> String {
        do { return try ASN1ObjectIdentifier(derEncoded: node).description } catch {
            throw TimestampError(.unexpectedStructure, "\(what): \(error)")
        }
    }

    static func smallInt(_ node: ASN1Node, _ what: String) throws(TimestampError) -> Int {
        do { return try Int(derEncoded: node) } catch {
            throw TimestampError(.unexpectedStructure, "\(what): \(error)")
        }
    }

    static func algorithm(_ node: ASN1Node, _ what: String) throws(TimestampError) -> (
        oid: String, parameters: [UInt8]?
    ) {
        let parts = try children(node, .sequence, what)
        guard let first = parts.first, parts.count <= 2 else {
            throw TimestampError(.unexpectedStructure, "\(what): AlgorithmIdentifier has \(parts.count) fields")
        }
        let params = parts.count == 2 ? Array(parts[1].encodedBytes) : nil
        return (try oid(first, what), params)
    }

    static func generalizedTime(_ node: ASN1Node, _ what: String) throws(TimestampError) -> Date {
        do {
            let t = try GeneralizedTime(derEncoded: node)
            return try date(t.year, t.month, t.day, t.hours, t.minutes, t.seconds, t.fractionalSeconds)
        } catch let e as TimestampError {
            throw e
        } catch {
            throw TimestampError(.unexpectedStructure, "\(what): \(error)")
        }
    }

    /// A `Time` (UTCTime or GeneralizedTime), as in the signingTime attribute.
    static func time(_ node: ASN1Node, _ what: String) throws(TimestampError) -> Date {
        if node.identifier == .utcTime {
            do {
                let t = try UTCTime(derEncoded: node)
                return try date(t.year, t.month, t.day, t.hours, t.minutes, t.seconds, 0)
            } catch let e as TimestampError {
                throw e
            } catch {
                throw TimestampError(.unexpectedStructure, "\(what): \(error)")
            }
        }
        return try generalizedTime(node, what)
    }

    /// A UTC date and time as a `Date` (``UTCCalendar``: no Calendar, so no locale or time zone dependence).
    static func date(
        _ year: Int, _ month: Int, _ day: Int, _ h: Int, _ m: Int, _ s: Int, _ fraction: Double
    ) throws(TimestampError) -> Date {
        guard let date = UTCCalendar.date(year, month, day, h, m, s, fraction) else {
            throw TimestampError(.invalidTime, "time field out of range")
        }
        return date
    }
}
