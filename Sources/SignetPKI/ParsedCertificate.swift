import Foundation
import SwiftASN1

/// Object identifiers used by the profile and chain checks.
enum OID {
    static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    static let rsassaPSS: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 10]
    static let sha256WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
    static let sha384WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 12]
    static let sha512WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 13]
    static let mgf1: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 8]
    static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
    static let ecdsaSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    static let ecdsaSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
    static let ecdsaSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
    static let ed25519: ASN1ObjectIdentifier = [1, 3, 101, 112]
    static let prime256v1: ASN1ObjectIdentifier = [1, 2, 840, 10045, 3, 1, 7]
    static let secp384r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 34]
    static let secp521r1: ASN1ObjectIdentifier = [1, 3, 132, 0, 35]
    static let sha1: ASN1ObjectIdentifier = [1, 3, 14, 3, 2, 26]
    static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
    static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]

    static let subjectKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 14]
    static let keyUsage: ASN1ObjectIdentifier = [2, 5, 29, 15]
    static let subjectAltName: ASN1ObjectIdentifier = [2, 5, 29, 17]
    static let basicConstraints: ASN1ObjectIdentifier = [2, 5, 29, 19]
    static let crlNumber: ASN1ObjectIdentifier = [2, 5, 29, 20]
    static let reasonCode: ASN1ObjectIdentifier = [2, 5, 29, 21]
    static let invalidityDate: ASN1ObjectIdentifier = [2, 5, 29, 24]
    static let nameConstraints: ASN1ObjectIdentifier = [2, 5, 29, 30]
    static let crlDistributionPoints: ASN1ObjectIdentifier = [2, 5, 29, 31]
    static let certificatePolicies: ASN1ObjectIdentifier = [2, 5, 29, 32]
    static let policyMappings: ASN1ObjectIdentifier = [2, 5, 29, 33]
    static let authorityKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 35]
    static let policyConstraints: ASN1ObjectIdentifier = [2, 5, 29, 36]
    static let extendedKeyUsage: ASN1ObjectIdentifier = [2, 5, 29, 37]
    static let inhibitAnyPolicy: ASN1ObjectIdentifier = [2, 5, 29, 54]
    static let authorityInfoAccess: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 1, 1]
    static let netscapeCertType: ASN1ObjectIdentifier = [2, 16, 840, 1, 113730, 1, 1]

    static let anyExtendedKeyUsage: ASN1ObjectIdentifier = [2, 5, 29, 37, 0]
    static let serverAuth: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 1]
    static let clientAuth: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 2]
    static let codeSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 3]
    static let emailProtection: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 4]
    static let timeStamping: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 8]
    static let ocspSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 9]
    static let documentSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 36]

    static let commonName: ASN1ObjectIdentifier = [2, 5, 4, 3]
    static let organizationName: ASN1ObjectIdentifier = [2, 5, 4, 10]
}

/// An AlgorithmIdentifier: `SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
struct AlgorithmID: Sendable {
    var oid: ASN1ObjectIdentifier
    /// The parameters element if present (including an explicit NULL).
    var parameters: ASN1Node?
}

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
struct ParsedCertificate: Sendable {
    struct Extension: Sendable {
        var oid: ASN1ObjectIdentifier
        var critical: Bool
        var value: ArraySlice<UInt8>
    }

    struct BasicConstraints: Sendable {
        var isCA: Bool
        var pathLength: Int?
    }

    /// Key usage bits, numbered as in RFC 5280 (0 = digitalSignature ... 8 = decipherOnly).
    struct KeyUsage: Sendable {
        var bits: Set<Int>
        var digitalSignature: Bool { bits.contains(0) }
        var nonRepudiation: Bool { bits.contains(1) }
        var keyCertSign: Bool { bits.contains(5) }
    }

    var der: [UInt8]
    var tbs: ArraySlice<UInt8>
    /// 0 for v1, 1 for v2, 2 for v3.
    var version: Int
    var tbsSignatureAlgorithm: AlgorithmID
    var issuer: ArraySlice<UInt8>
    var subject: ArraySlice<UInt8>
    var issuerDescription: String
    var subjectDescription: String
    var notBefore: Date
    var notAfter: Date
    var spkiDER: ArraySlice<UInt8>
    var publicKeyAlgorithm: AlgorithmID
    var publicKeyBits: ArraySlice<UInt8>
    var hasIssuerUniqueID: Bool
    var hasSubjectUniqueID: Bool
    var extensions: [Extension]
    var signatureAlgorithm: AlgorithmID
    var signature: ArraySlice<UInt8>

    /// Parsed basic constraints; `nil` when absent or unreadable.
    var basicConstraints: BasicConstraints?
    var keyUsage: KeyUsage?
    /// EKU OIDs; `nil` when the extension is absent.
    var extendedKeyUsage: [ASN1ObjectIdentifier]?
    /// Set when the EKU extension is present but cannot be read.
    var extendedKeyUsageUnreadable: Bool

    var isCA: Bool { basicConstraints?.isCA ?? false }

    func hasExtension(_ oid: ASN1ObjectIdentifier) -> Bool { extensions.contains { $0.oid == oid } }

    struct ParseError: Error { var reason: String }

    init(der: [UInt8]) throws(ParseError) {
        do {
            try self.init(checkedDER: der)
        } catch let error as ParseError {
            throw error
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
            case OID.basicConstraints: basicConstraints = try? Self.basicConstraints(ext.value)
            case OID.keyUsage: keyUsage = try? Self.keyUsage(ext.value)
            case OID.extendedKeyUsage:
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
        guard case .constructed(let collection) = node.content else {
            throw ParseError(reason: "\(what) is not constructed")
        }
        return Array(collection)
    }

    static func algorithm(_ node: ASN1Node) throws -> AlgorithmID {
        guard node.identifier == .sequence else { throw ParseError(reason: "AlgorithmIdentifier is not a SEQUENCE") }
        let parts = try children(of: node, "AlgorithmIdentifier")
        guard parts.count == 1 || parts.count == 2 else { throw ParseError(reason: "bad AlgorithmIdentifier") }
        return AlgorithmID(oid: try ASN1ObjectIdentifier(derEncoded: parts[0]), parameters: parts.count == 2 ? parts[1] : nil)
    }

    static func time(_ node: ASN1Node) throws -> Date {
        let (year, month, day, hours, minutes, seconds): (Int, Int, Int, Int, Int, Int)
        switch node.identifier {
        case .utcTime:
            let t = try UTCTime(derEncoded: node)
            (year, month, day, hours, minutes, seconds) = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        case .generalizedTime:
            let t = try GeneralizedTime(derEncoded: node)
            (year, month, day, hours, minutes, seconds) = (t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        default:
            throw ParseError(reason: "Time is neither UTCTime nor GeneralizedTime")
        }
        // Days from the civil date (proleptic Gregorian), after H. Hinnant's algorithm.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let secondsSinceEpoch = Double(days) * 86_400 + Double(hours * 3600 + minutes * 60 + seconds)
        return Date(timeIntervalSince1970: secondsSinceEpoch)
    }

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
                case OID.commonName: label = "CN"
                case OID.organizationName: label = "O"
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
