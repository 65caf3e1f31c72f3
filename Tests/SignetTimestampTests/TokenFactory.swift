import Crypto
import Foundation
import SignetCBOR
import SwiftASN1
import X509

/// Minimal DER building for test tokens.
enum TDER {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        let n = content.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var len: [UInt8] = []
            var v = n
            while v > 0 {
                len.insert(UInt8(v & 0xFF), at: 0)
                v >>= 8
            }
            out.append(0x80 | UInt8(len.count))
            out += len
        }
        return out + content
    }
    static func seq(_ parts: [UInt8]...) -> [UInt8] { tlv(0x30, parts.flatMap { $0 }) }
    static func set(_ parts: [UInt8]...) -> [UInt8] { tlv(0x31, parts.flatMap { $0 }) }
    static func int(_ v: UInt8) -> [UInt8] { tlv(0x02, [v]) }
    static func octets(_ b: [UInt8]) -> [UInt8] { tlv(0x04, b) }
    static func oid(_ dotted: String) -> [UInt8] {
        var s = DER.Serializer()
        try! s.serialize(try! ASN1ObjectIdentifier(dotRepresentation: dotted))
        return s.serializedBytes
    }
    static func algorithm(_ dotted: String) -> [UInt8] { seq(oid(dotted)) }
    static func generalizedTime(_ date: Date) -> [UInt8] {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        let t = try! GeneralizedTime(
            year: c.year!, month: c.month!, day: c.day!, hours: c.hour!, minutes: c.minute!, seconds: c.second!,
            fractionalSeconds: 0)
        var s = DER.Serializer()
        try! s.serialize(t)
        return s.serializedBytes
    }
    static func encode<T: DERSerializable>(_ value: T) -> [UInt8] {
        var s = DER.Serializer()
        try! s.serialize(value)
        return s.serializedBytes
    }
}

/// A throw-away TSA: a P-256 root and a P-256 TSA leaf.
struct TestTSA {
    let rootKey = P256.Signing.PrivateKey()
    let tsaKey = P256.Signing.PrivateKey()
    let root: Certificate
    let tsa: Certificate
    var rootDER: [UInt8] { TDER.encode(root) }
    var tsaDER: [UInt8] { TDER.encode(tsa) }

    init(
        validFrom: Date = Date(timeIntervalSince1970: 1_700_000_000),
        validTo: Date = Date(timeIntervalSince1970: 1_900_000_000), timeStampingEKU: Bool = true
    ) {
        let rootName = try! DistinguishedName { CommonName("Test TSA Root") }
        root = try! Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey),
            notValidBefore: Date(timeIntervalSince1970: 1_600_000_000),
            notValidAfter: Date(timeIntervalSince1970: 2_000_000_000), issuer: rootName, subject: rootName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try! Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            }, issuerPrivateKey: .init(rootKey))
        let tsaKeyPublic = tsaKey.publicKey
        tsa = try! Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(tsaKeyPublic), notValidBefore: validFrom,
            notValidAfter: validTo, issuer: rootName, subject: try! DistinguishedName { CommonName("Test TSA") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try! Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                if timeStampingEKU {
                    Critical(try! ExtendedKeyUsage([.timeStamping]))
                } else {
                    Critical(try! ExtendedKeyUsage([.codeSigning]))
                }
            }, issuerPrivateKey: .init(rootKey))
    }

    struct Options {
        var hashOID = "2.16.840.1.101.3.4.2.1"
        var genTime = Date(timeIntervalSince1970: 1_750_000_000)
        var includeCertificates = true
        var corruptSignature = false
        var corruptMessageDigest = false
        var responseStatus: UInt8? = nil
    }

    /// A DER TimeStampToken (or TimeStampResp when `responseStatus` is set) over `imprintedBytes`.
    func token(over imprintedBytes: [UInt8], _ o: Options = Options()) -> [UInt8] {
        let imprint: [UInt8]
        switch o.hashOID {
        case "2.16.840.1.101.3.4.2.2": imprint = Array(SHA384.hash(data: imprintedBytes))
        default: imprint = Array(SHA256.hash(data: imprintedBytes))
        }
        let tstInfo = TDER.seq(
            TDER.int(1), TDER.oid("1.2.3.4.1"), TDER.seq(TDER.algorithm(o.hashOID), TDER.octets(imprint)), TDER.int(7),
            TDER.generalizedTime(o.genTime))
        var contentDigest = Array(SHA256.hash(data: tstInfo))
        if o.corruptMessageDigest { contentDigest[0] ^= 1 }
        let attrs =
            TDER.seq(TDER.oid("1.2.840.113549.1.9.3"), TDER.set(TDER.oid("1.2.840.113549.1.9.16.1.4")))
            + TDER.seq(TDER.oid("1.2.840.113549.1.9.4"), TDER.set(TDER.octets(contentDigest)))
        var signature = Array(try! tsaKey.signature(for: TDER.set(attrs)).derRepresentation)
        if o.corruptSignature { signature[signature.count - 1] ^= 1 }
        let signerInfo = TDER.seq(
            TDER.int(1), TDER.seq(TDER.encode(tsa.issuer), TDER.tlv(0x02, Array(tsa.serialNumber.bytes))),
            TDER.algorithm("2.16.840.1.101.3.4.2.1"), TDER.tlv(0xA0, attrs), TDER.algorithm("1.2.840.10045.4.3.2"),
            TDER.octets(signature))
        let certs = o.includeCertificates ? TDER.tlv(0xA0, tsaDER + rootDER) : []
        let signedData = TDER.seq(
            TDER.int(3), TDER.set(TDER.algorithm("2.16.840.1.101.3.4.2.1")),
            TDER.seq(TDER.oid("1.2.840.113549.1.9.16.1.4"), TDER.tlv(0xA0, TDER.octets(tstInfo))), certs,
            TDER.set(signerInfo))
        let contentInfo = TDER.seq(TDER.oid("1.2.840.113549.1.7.2"), TDER.tlv(0xA0, signedData))
        if let status = o.responseStatus {
            return TDER.seq(TDER.seq(TDER.int(status)), contentInfo)
        }
        return contentInfo
    }
}

/// A COSE unprotected header holding `tokens` under `label`.
func header(_ label: String, _ tokens: [[UInt8]], pad: Bool = true) -> [CBOR.MapEntry] {
    var entries: [CBOR.MapEntry] = [
        .init(
            .textString(label),
            .map([
                .init(
                    .textString("tstTokens"), .array(tokens.map { .map([.init(.textString("val"), .byteString($0))]) }))
            ]))
    ]
    if pad { entries.append(.init(.textString("pad"), .byteString([0, 0, 0]))) }
    return entries
}
