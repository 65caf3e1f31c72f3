import Foundation
import SwiftASN1
import X509

/// The TSA's statement of how accurate `genTime` is (RFC 3161 section 2.4.2).
///
/// ```
/// Accuracy ::= SEQUENCE {
///       seconds        INTEGER              OPTIONAL,
///       millis     [0] INTEGER  (1..999)    OPTIONAL,
///       micros     [1] INTEGER  (1..999)    OPTIONAL  }
/// ```
///
/// A missing component counts as zero.
public struct TimeStampAccuracy: Sendable, Hashable {
    /// Whole seconds, nil when absent.
    public let seconds: Int?
    /// Milliseconds, 1 to 999, nil when absent.
    public let millis: Int?
    /// Microseconds, 1 to 999, nil when absent.
    public let micros: Int?

    /// An accuracy; `millis` and `micros` must be 1 to 999 and `seconds` non-negative when given.
    ///
    /// - Throws: ``TimestampError/Code/invalidArgument`` for a value out of range.
    public init(seconds: Int? = nil, millis: Int? = nil, micros: Int? = nil) throws(TimestampError) {
        if let seconds, seconds < 0 {
            throw TimestampError(.invalidArgument, "accuracy seconds must not be negative")
        }
        for (name, value) in [("millis", millis), ("micros", micros)] {
            if let value, !(1...999).contains(value) {
                throw TimestampError(.invalidArgument, "accuracy \(name) must be 1 to 999")
            }
        }
        self.seconds = seconds
        self.millis = millis
        self.micros = micros
    }

    /// The accuracy as a time interval (missing components count as zero).
    public var interval: TimeInterval {
        Double(seconds ?? 0) + Double(millis ?? 0) / 1000 + Double(micros ?? 0) / 1_000_000
    }

    var derEncoded: [UInt8] {
        var parts: [[UInt8]] = []
        if let seconds { parts.append(DERWriter.integer(seconds)) }
        if let millis { parts.append(Self.tagged(DERWriter.integer(millis), 0)) }
        if let micros { parts.append(Self.tagged(DERWriter.integer(micros), 1)) }
        return DERWriter.sequence(parts)
    }

    /// An INTEGER re-tagged `[n] IMPLICIT`.
    private static func tagged(_ integer: [UInt8], _ n: UInt8) -> [UInt8] {
        var bytes = integer
        bytes[0] = DERWriter.Tag.contextPrimitive(n)
        return bytes
    }

    init(node: ASN1Node) throws(TimestampError) {
        let fields = try DERReader.children(node, .sequence, "Accuracy")
        var rest = fields[...]
        var seconds: Int?
        var millis: Int?
        var micros: Int?
        if let node = rest.first, node.identifier == .integer {
            seconds = try DERReader.strictInt(node, "accuracy seconds")
            rest = rest.dropFirst()
        }
        let millisTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        if let node = rest.first, node.identifier == millisTag {
            do { millis = try Int(derEncoded: node, withIdentifier: millisTag) } catch {
                throw TimestampError(.unexpectedStructure, "accuracy millis: \(error)")
            }
            rest = rest.dropFirst()
        }
        let microsTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
        if let node = rest.first, node.identifier == microsTag {
            do { micros = try Int(derEncoded: node, withIdentifier: microsTag) } catch {
                throw TimestampError(.unexpectedStructure, "accuracy micros: \(error)")
            }
            rest = rest.dropFirst()
        }
        guard rest.isEmpty else { throw TimestampError(.unexpectedStructure, "unexpected field in Accuracy") }
        do { try self.init(seconds: seconds, millis: millis, micros: micros) } catch {
            throw TimestampError(.unexpectedStructure, error.reason)
        }
    }
}

/// The content a time-stamp token signs: RFC 3161's TSTInfo (section 2.4.2), parsed strictly.
///
/// ```
/// TSTInfo ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    policy                       TSAPolicyId,
///    messageImprint               MessageImprint,
///    serialNumber                 INTEGER,
///    genTime                      GeneralizedTime,
///    accuracy                     Accuracy                 OPTIONAL,
///    ordering                     BOOLEAN             DEFAULT FALSE,
///    nonce                        INTEGER                  OPTIONAL,
///    tsa                          [0] GeneralName          OPTIONAL,
///    extensions                   [1] IMPLICIT Extensions  OPTIONAL  }
/// ```
///
/// ``TimeStampToken`` reads only what C2PA validation needs; this type reads the whole TSTInfo, for a client
/// that checks the policy and the nonce it sent, and for tests of what a ``TimeStampAuthority`` issues. Parse the
/// ``TimeStampToken/encapsulatedContent`` of a token with ``init(derEncoded:)``.
public struct TimeStampTokenInfo: Sendable, Hashable {
    /// The TSTInfo version (1).
    public var version: Int
    /// The TSA policy under which the token was issued.
    public var policy: ASN1ObjectIdentifier
    /// The imprint, as the request gave it.
    public var messageImprint: TimeStampMessageImprint
    /// The serial number.
    public var serialNumber: TimeStampInteger
    /// `genTime`.
    public var genTime: Date
    /// `accuracy`, nil when absent.
    public var accuracy: TimeStampAccuracy?
    /// `ordering` (false when absent).
    public var ordering: Bool
    /// The nonce echoed from the request, nil when absent.
    public var nonce: TimeStampInteger?
    /// The `tsa` name, nil when absent.
    public var tsaName: GeneralName?
    /// The extensions, in order; empty when absent.
    public var extensions: [Certificate.Extension]

    /// Parses a DER TSTInfo.
    ///
    /// - Throws: ``TimestampError`` (``TimestampError/Code/malformedDER``, ``TimestampError/Code/unexpectedStructure``,
    ///   ``TimestampError/Code/invalidTime``, ``TimestampError/Code/limitExceeded``).
    public init(derEncoded bytes: [UInt8]) throws(TimestampError) {
        let root = try DERReader.parse(bytes, limit: TimeStampRequest.maximumEncodedLength, "TSTInfo")
        let fields = try DERReader.children(root, .sequence, "TSTInfo")
        guard fields.count >= 5 else {
            throw TimestampError(.unexpectedStructure, "TSTInfo has \(fields.count) fields, needs at least 5")
        }
        version = try DERReader.strictInt(fields[0], "version")
        policy = try DERReader.objectIdentifier(fields[1], "policy")
        messageImprint = try TimeStampMessageImprint(node: fields[2])
        serialNumber = try DERReader.integer(fields[3], "serialNumber", maxOctets: 64)
        genTime = try DERReader.generalizedTime(fields[4], "genTime")
        var rest = fields[5...]
        accuracy = nil
        ordering = false
        nonce = nil
        tsaName = nil
        extensions = []
        if let node = rest.first, node.identifier == .sequence {
            accuracy = try TimeStampAccuracy(node: node)
            rest = rest.dropFirst()
        }
        if let node = rest.first, node.identifier == .boolean {
            guard try DERReader.boolean(node, "ordering") else {
                throw TimestampError(.malformedDER, "ordering FALSE is the DEFAULT and must be omitted in DER")
            }
            ordering = true
            rest = rest.dropFirst()
        }
        if let node = rest.first, node.identifier == .integer {
            nonce = try DERReader.integer(node, "nonce", maxOctets: TimeStampRequest.maximumNonceLength)
            rest = rest.dropFirst()
        }
        let tsaTag = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
        if let node = rest.first, node.identifier == tsaTag {
            let inner = try DERReader.children(node, tsaTag, "tsa")
            guard inner.count == 1 else { throw TimestampError(.unexpectedStructure, "tsa [0] must hold one name") }
            do { tsaName = try GeneralName(derEncoded: inner[0]) } catch {
                throw TimestampError(.unexpectedStructure, "tsa: \(error)")
            }
            rest = rest.dropFirst()
        }
        let extensionsTag = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)
        if let node = rest.first, node.identifier == extensionsTag {
            extensions = try DERReader.extensions(node, tag: extensionsTag, "extensions")
            rest = rest.dropFirst()
        }
        if let node = rest.first {
            throw TimestampError(.unexpectedStructure, "unexpected \(node.identifier) in TSTInfo")
        }
    }
}
