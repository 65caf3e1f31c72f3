import Foundation
import SwiftASN1
import X509

/// Strict readers for the structures a TSA receives (requests) and a client receives (responses, TSTInfo).
extension DERReader {
    /// Parses one DER element after checking the input size against `limit`.
    static func parse(_ bytes: [UInt8], limit: Int, _ what: String) throws(TimestampError) -> ASN1Node {
        guard bytes.count <= limit else {
            throw TimestampError(.limitExceeded, "\(what) of \(bytes.count) octets (at most \(limit))")
        }
        return try parse(bytes[...])
    }

    static func objectIdentifier(_ node: ASN1Node, _ what: String) throws(TimestampError) -> ASN1ObjectIdentifier {
        do { return try ASN1ObjectIdentifier(derEncoded: node) } catch {
            throw TimestampError(.unexpectedStructure, "\(what): \(error)")
        }
    }

    /// An INTEGER of any size, minimal encoding required.
    static func integer(_ node: ASN1Node, _ what: String, maxOctets: Int) throws(TimestampError) -> TimeStampInteger {
        let content = try octets(node, .integer, what)
        guard content.count <= maxOctets else {
            throw TimestampError(.limitExceeded, "\(what) of \(content.count) octets (at most \(maxOctets))")
        }
        do { return try TimeStampInteger(contentOctets: content) } catch {
            throw TimestampError(error.code, "\(what): \(error.reason)")
        }
    }

    /// An INTEGER that fits in `Int`, minimal encoding required (``TimestampError/Code/malformedDER`` otherwise).
    static func strictInt(_ node: ASN1Node, _ what: String) throws(TimestampError) -> Int {
        let value = try integer(node, what, maxOctets: 8)
        var result = value.isNegative ? -1 : 0
        for byte in value.contentOctets { result = result << 8 | Int(byte) }
        return result
    }

    /// A BOOLEAN, DER only (0x00 or 0xFF).
    static func boolean(_ node: ASN1Node, _ what: String) throws(TimestampError) -> Bool {
        let content = try octets(node, .boolean, what)
        guard content.count == 1, content[0] == 0x00 || content[0] == 0xFF else {
            throw TimestampError(.malformedDER, "\(what): BOOLEAN must be one octet, 0x00 or 0xFF")
        }
        return content[0] == 0xFF
    }

    /// `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension` (RFC 5280), strictly:
    /// `Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }`
    /// with `critical` omitted when FALSE, as DER requires.
    static func extensions(_ node: ASN1Node, tag: ASN1Identifier, _ what: String) throws(TimestampError)
        -> [Certificate.Extension]
    {
        let items = try children(node, tag, what)
        guard !items.isEmpty else { throw TimestampError(.unexpectedStructure, "\(what): empty Extensions") }
        var result: [Certificate.Extension] = []
        for item in items {
            let fields = try children(item, .sequence, "Extension")
            guard fields.count == 2 || fields.count == 3 else {
                throw TimestampError(.unexpectedStructure, "Extension has \(fields.count) fields")
            }
            let oid = try objectIdentifier(fields[0], "extnID")
            var critical = false
            if fields.count == 3 {
                critical = try boolean(fields[1], "critical")
                guard critical else {
                    throw TimestampError(.malformedDER, "Extension critical FALSE must be omitted in DER")
                }
            }
            let value = try octets(fields[fields.count - 1], .octetString, "extnValue")
            result.append(Certificate.Extension(oid: oid, critical: critical, value: value[...]))
        }
        return result
    }

    /// `Extensions` as DER under `tag` (0x30 for a plain SEQUENCE, 0xA0/0xA1 for IMPLICIT context tags).
    static func encodeExtensions(_ extensions: [Certificate.Extension], tag: UInt8) -> [UInt8] {
        DERWriter.tlv(
            tag,
            extensions.flatMap { ext in
                DERWriter.sequence(
                    [DERWriter.oid(ext.oid)] + (ext.critical ? [DERWriter.boolean(true)] : [])
                        + [DERWriter.octetString(Array(ext.value))])
            })
    }
}
