import Foundation
import SwiftASN1

/// The parts of an X.509 certificate that the C2PA profile and chain checks need, read with SwiftASN1
/// (so that certificates swift-certificates cannot model, such as RSASSA-PSS keyed ones, still work).
///
/// ```
/// Certificate  ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm AlgorithmIdentifier,
///                             signatureValue BIT STRING }
/// TBSCertificate ::= SEQUENCE {
///     version         [0] EXPLICIT INTEGER DEFAULT v1,
///     serialNumber        INTEGER,
///     signature           AlgorithmIdentifier,
///     issuer              Name,
///     validity            SEQUENCE { notBefore Time, notAfter Time },
///     subject             Name,
///     subjectPublicKeyInfo SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING },
///     issuerUniqueID  [1] IMPLICIT BIT STRING OPTIONAL,
///     subjectUniqueID [2] IMPLICIT BIT STRING OPTIONAL,
///     extensions      [3] EXPLICIT SEQUENCE OF Extension OPTIONAL }
/// Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
/// Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
/// ```
public struct ParsedCertificate: Sendable {
    public struct Extension: Sendable {
        public var oid: ASN1ObjectIdentifier
        public var critical: Bool
        public var value: ArraySlice<UInt8>
    }

    public struct BasicConstraints: Sendable {
        public var isCA: Bool
        public var pathLength: Int?
    }

    /// Key usage bits, numbered as in RFC 5280 (0 = digitalSignature ... 8 = decipherOnly).
    public struct KeyUsage: Sendable {
        public var bits: Set<Int>
        public var digitalSignature: Bool { bits.contains(0) }
        public var nonRepudiation: Bool { bits.contains(1) }
        public var keyCertSign: Bool { bits.contains(5) }
    }

    public var der: [UInt8]
    public var tbs: ArraySlice<UInt8>
    /// 0 for v1, 1 for v2, 2 for v3.
    public var version: Int
    public var tbsSignatureAlgorithm: AlgorithmIdentifier
    public var issuer: ArraySlice<UInt8>
    public var subject: ArraySlice<UInt8>
    public var issuerDescription: String
    public var subjectDescription: String
    public var notBefore: Date
    public var notAfter: Date
    public var spkiDER: ArraySlice<UInt8>
    public var publicKeyAlgorithm: AlgorithmIdentifier
    public var publicKeyBits: ArraySlice<UInt8>
    public var hasIssuerUniqueID: Bool
    public var hasSubjectUniqueID: Bool
    public var extensions: [Extension]
    public var signatureAlgorithm: AlgorithmIdentifier
    public var signature: ArraySlice<UInt8>

    /// Parsed basic constraints; `nil` when absent or unreadable.
    public var basicConstraints: BasicConstraints?
    public var keyUsage: KeyUsage?
    /// EKU OIDs; `nil` when the extension is absent.
    public var extendedKeyUsage: [ASN1ObjectIdentifier]?
    /// Set when the EKU extension is present but cannot be read.
    public var extendedKeyUsageUnreadable: Bool

    public var isCA: Bool { basicConstraints?.isCA ?? false }

    public func hasExtension(_ oid: ASN1ObjectIdentifier) -> Bool { extensions.contains { $0.oid == oid } }

    /// The subject's public key, for checking what it signed.
    public var publicKeyInfo: PublicKeyInfo {
        PublicKeyInfo(algorithm: publicKeyAlgorithm, keyBits: publicKeyBits, der: spkiDER)
    }

    public struct ParseError: Error, Sendable {
        public var reason: String
    }

    /// Reads a DER certificate; it is kept as given (``der``), and every signed part is a slice of it.
    public init(der: [UInt8]) throws(ParseError) {
        do {
            try self.init(checkedDER: der)
        } catch let error as ParseError {
            throw error
        } catch let error as DERNodes.Problem {
            throw ParseError(reason: error.reason)
        } catch {
            throw ParseError(reason: "\(error)")
        }
    }

    private init(checkedDER der: [UInt8]) throws {
        self.der = der
        let root = try DER.parse(der)
        let top = try Self.children(of: root, "Certificate")
        guard top.count == 3 else { throw ParseError(reason: "Certificate must have 3 elements") }
        self.tbs = top[0].encodedBytes
        self.signatureAlgorithm = try Self.algorithm(top[1])
        let sigBits = try ASN1BitString(derEncoded: top[2])
        guard sigBits.paddingBits == 0 else { throw ParseError(reason: "signature has padding bits") }
        self.signature = sigBits.bytes

        var fields = try Self.children(of: top[0], "TBSCertificate")[...]
        var version = 0
        if let first = fields.first, first.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            let inner = try Self.children(of: first, "version")
            guard inner.count == 1 else { throw ParseError(reason: "bad version") }
            version = try Int(derEncoded: inner[0])
            fields = fields.dropFirst()
        }
        self.version = version
        guard fields.count >= 6 else { throw ParseError(reason: "TBSCertificate too short") }
        let serial = fields.removeFirst()
        guard serial.identifier == .integer else { throw ParseError(reason: "serial number is not an INTEGER") }
        self.tbsSignatureAlgorithm = try Self.algorithm(fields.removeFirst())
        let issuerNode = fields.removeFirst()
        self.issuer = issuerNode.encodedBytes
        self.issuerDescription = try Self.describeName(issuerNode)
        let validity = try Self.children(of: fields.removeFirst(), "Validity")
        guard validity.count == 2 else { throw ParseError(reason: "Validity must have 2 elements") }
        self.notBefore = try Self.time(validity[0])
        self.notAfter = try Self.time(validity[1])
        let subjectNode = fields.removeFirst()
        self.subject = subjectNode.encodedBytes
        self.subjectDescription = try Self.describeName(subjectNode)
        let spkiNode = fields.removeFirst()
        self.spkiDER = spkiNode.encodedBytes
        let spki = try Self.children(of: spkiNode, "SubjectPublicKeyInfo")
        guard spki.count == 2 else { throw ParseError(reason: "SubjectPublicKeyInfo must have 2 elements") }
        self.publicKeyAlgorithm = try Self.algorithm(spki[0])
        let keyBits = try ASN1BitString(derEncoded: spki[1])
        self.publicKeyBits = keyBits.bytes

        var hasIssuerUID = false
        var hasSubjectUID = false
        var extensions: [Extension] = []
        var lastTag = 0
        for node in fields {
            guard node.identifier.tagClass == .contextSpecific else { throw ParseError(reason: "unexpected TBSCertificate element") }
            let tag = Int(node.identifier.tagNumber)
            guard tag > lastTag, tag <= 3 else { throw ParseError(reason: "TBSCertificate elements out of order") }
            lastTag = tag
            switch tag {
            case 1: hasIssuerUID = true
            case 2: hasSubjectUID = true
            default:
                let wrapper = try Self.children(of: node, "extensions")
                guard wrapper.count == 1 else { throw ParseError(reason: "bad extensions wrapper") }
                for extNode in try Self.children(of: wrapper[0], "Extensions") {
                    var parts = try Self.children(of: extNode, "Extension")[...]
                    guard parts.count == 2 || parts.count == 3 else { throw ParseError(reason: "bad Extension") }
                    let oid = try ASN1ObjectIdentifier(derEncoded: parts.removeFirst())
                    var critical = false
                    if parts.count == 2 { critical = try Bool(derEncoded: parts.removeFirst()) }
                    let value = try ASN1OctetString(derEncoded: parts.removeFirst())
                    guard !extensions.contains(where: { $0.oid == oid }) else {
                        throw ParseError(reason: "duplicate extension \(oid)")
                    }
                    extensions.append(Extension(oid: oid, critical: critical, value: value.bytes))
                }
            }
        }
        self.hasIssuerUniqueID = hasIssuerUID
        self.hasSubjectUniqueID = hasSubjectUID
        self.extensions = extensions

        var basicConstraints: BasicConstraints?
        var keyUsage: KeyUsage?
        var eku: [ASN1ObjectIdentifier]?
        var ekuUnreadable = false
        for ext in extensions {
            switch ext.oid {
            case ASN1ObjectIdentifier.CertificateExtension.basicConstraints: basicConstraints = try? Self.basicConstraints(ext.value)
            case ASN1ObjectIdentifier.CertificateExtension.keyUsage: keyUsage = try? Self.keyUsage(ext.value)
            case ASN1ObjectIdentifier.CertificateExtension.extendedKeyUsage:
                if let value = try? Self.extendedKeyUsage(ext.value) { eku = value } else { ekuUnreadable = true }
            default: break
            }
        }
        self.basicConstraints = basicConstraints
        self.keyUsage = keyUsage
        self.extendedKeyUsage = eku
        self.extendedKeyUsageUnreadable = ekuUnreadable
    }

    // MARK: - helpers

    static func children(of node: ASN1Node, _ what: String) throws -> [ASN1Node] {
        try DERNodes.children(of: node, what)
    }

    static func algorithm(_ node: ASN1Node) throws -> AlgorithmIdentifier {
        guard node.identifier == .sequence else { throw ParseError(reason: "AlgorithmIdentifier is not a SEQUENCE") }
        return try AlgorithmIdentifier(derEncoded: node)
    }

    static func time(_ node: ASN1Node) throws -> Date { try DERNodes.time(node) }

    /// A short "CN=..., O=..." rendering of a Name for explanations (never used for comparisons).
    static func describeName(_ node: ASN1Node) throws -> String {
        guard node.identifier == .sequence else { throw ParseError(reason: "Name is not a SEQUENCE") }
        var parts: [String] = []
        for rdn in try children(of: node, "Name") {
            for attribute in try children(of: rdn, "RelativeDistinguishedName") {
                let pair = try children(of: attribute, "AttributeTypeAndValue")
                guard pair.count == 2 else { throw ParseError(reason: "bad AttributeTypeAndValue") }
                let type = try ASN1ObjectIdentifier(derEncoded: pair[0])
                let label: String
                switch type {
                case ASN1ObjectIdentifier.NameAttributes.commonName: label = "CN"
                case ASN1ObjectIdentifier.NameAttributes.organizationName: label = "O"
                default: continue
                }
                if case .primitive(let bytes) = pair[1].content, let text = String(bytes: bytes, encoding: .utf8) {
                    parts.append("\(label)=\(text)")
                }
            }
        }
        return parts.isEmpty ? "(unnamed)" : parts.joined(separator: ", ")
    }

    static func basicConstraints(_ value: ArraySlice<UInt8>) throws -> BasicConstraints {
        let node = try DER.parse(value)
        guard node.identifier == .sequence else { throw ParseError(reason: "BasicConstraints is not a SEQUENCE") }
        var items = try children(of: node, "BasicConstraints")[...]
        var isCA = false
        var pathLength: Int?
        if let first = items.first, first.identifier == .boolean {
            isCA = try Bool(derEncoded: first)
            items = items.dropFirst()
        }
        if let next = items.first {
            pathLength = try Int(derEncoded: next)
            items = items.dropFirst()
        }
        guard items.isEmpty else { throw ParseError(reason: "trailing BasicConstraints elements") }
        return BasicConstraints(isCA: isCA, pathLength: pathLength)
    }

    static func keyUsage(_ value: ArraySlice<UInt8>) throws -> KeyUsage {
        let bits = try ASN1BitString(derEncoded: try DER.parse(value))
        var set = Set<Int>()
        for (byteIndex, byte) in bits.bytes.enumerated() {
            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                set.insert(byteIndex * 8 + bit)
            }
        }
        return KeyUsage(bits: set)
    }

    static func extendedKeyUsage(_ value: ArraySlice<UInt8>) throws -> [ASN1ObjectIdentifier] {
        let node = try DER.parse(value)
        guard node.identifier == .sequence else { throw ParseError(reason: "ExtendedKeyUsage is not a SEQUENCE") }
        return try children(of: node, "ExtendedKeyUsage").map { try ASN1ObjectIdentifier(derEncoded: $0) }
    }
}
