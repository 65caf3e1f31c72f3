import SwiftASN1
import X509

/// The few fields of a certificate reports show (subject, issuer, serial), read straight from the DER with
/// SwiftASN1 so that certificates swift-certificates cannot fully parse (RSASSA-PSS keys) still have a name.
///
///     Certificate ::= SEQUENCE { tbsCertificate TBSCertificate, signatureAlgorithm, signature }
///     TBSCertificate ::= SEQUENCE { [0] EXPLICIT version OPTIONAL, serialNumber INTEGER, signature AlgorithmIdentifier,
///                                   issuer Name, validity Validity, subject Name, subjectPublicKeyInfo, ... }
struct CertificateSummary {
    var serialNumber: [UInt8]
    var issuer: DistinguishedName
    var subject: DistinguishedName

    init?(der: [UInt8]) {
        guard let root = try? DER.parse(der), case .constructed(let certificate) = root.content else { return nil }
        var outer = certificate.makeIterator()
        guard let tbs = outer.next(), case .constructed(let fields) = tbs.content else { return nil }
        var it = fields.makeIterator()
        var node = it.next()
        if node?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) { node = it.next() }
        guard let serial = node, serial.identifier == .integer, case .primitive(let serialBytes) = serial.content else { return nil }
        // RFC 5280 caps serials at 20 octets; a longer one is shown cut, never processed whole.
        var bytes = Array(serialBytes.drop(while: { $0 == 0 }).prefix(32))
        if bytes.isEmpty { bytes = [0] }
        serialNumber = bytes
        _ = it.next()  // signature algorithm
        guard let issuerNode = it.next(), let issuer = try? DistinguishedName(derEncoded: issuerNode) else { return nil }
        _ = it.next()  // validity
        guard let subjectNode = it.next(), let subject = try? DistinguishedName(derEncoded: subjectNode) else { return nil }
        self.issuer = issuer
        self.subject = subject
    }

    static func attribute(_ name: DistinguishedName, _ type: ASN1ObjectIdentifier) -> String? {
        for rdn in name {
            for attribute in rdn where attribute.type == type {
                return String(describing: attribute.value)
            }
        }
        return nil
    }
}
