import Foundation
import SwiftASN1

/// An RFC 3161 time-stamp response (section 2.4.2): a status and, when granted, the token.
///
/// ```
/// TimeStampResp ::= SEQUENCE  {
///    status                  PKIStatusInfo,
///    timeStampToken          TimeStampToken     OPTIONAL  }
/// PKIStatusInfo ::= SEQUENCE {
///    status        PKIStatus,
///    statusString  PKIFreeText     OPTIONAL,
///    failInfo      PKIFailureInfo  OPTIONAL  }
/// PKIStatus ::= INTEGER { granted (0), grantedWithMods (1), rejection (2), waiting (3),
///                         revocationWarning (4), revocationNotification (5) }
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
/// PKIFailureInfo ::= BIT STRING { badAlg (0), badRequest (2), badDataFormat (5), timeNotAvailable (14),
///                                 unacceptedPolicy (15), unacceptedExtension (16), addInfoNotAvailable (17),
///                                 systemFailure (25) }
/// TimeStampToken ::= ContentInfo   -- see TimeStampToken
/// ```
///
/// "When the status contains the value zero or one, a TimeStampToken MUST be present. When status contains a
/// value other than zero or one, a TimeStampToken MUST NOT be present." Parsing enforces this.
public struct TimeStampResponse: Sendable, Hashable {
    /// `PKIStatus`: an open set of values, compared by ``rawValue``.
    public struct Status: Sendable, Hashable, CustomStringConvertible {
        /// The INTEGER value.
        public let rawValue: Int

        /// A status with this value.
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// 0: the token is present as requested.
        public static let granted = Status(rawValue: 0)
        /// 1: the token is present, with modifications.
        public static let grantedWithMods = Status(rawValue: 1)
        /// 2: no token; ``TimeStampResponse/failureInfo`` says why.
        public static let rejection = Status(rawValue: 2)
        /// 3: the request is not yet processed.
        public static let waiting = Status(rawValue: 3)
        /// 4: a revocation is imminent.
        public static let revocationWarning = Status(rawValue: 4)
        /// 5: a revocation has occurred.
        public static let revocationNotification = Status(rawValue: 5)

        /// The RFC name, or the number.
        public var description: String {
            switch rawValue {
            case 0: return "granted"
            case 1: return "grantedWithMods"
            case 2: return "rejection"
            case 3: return "waiting"
            case 4: return "revocationWarning"
            case 5: return "revocationNotification"
            default: return "status(\(rawValue))"
            }
        }
    }

    /// `PKIFailureInfo`: a set of named bits; bit `n` of the BIT STRING is `1 << n` here.
    public struct FailureInfo: OptionSet, Sendable, Hashable, CustomStringConvertible {
        /// Bit `n` of the BIT STRING as `1 << n`.
        public let rawValue: UInt32

        /// The set with these bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Bit 0: unrecognized or unsupported algorithm identifier.
        public static let badAlg = FailureInfo(rawValue: 1 << 0)
        /// Bit 2: transaction not permitted or supported.
        public static let badRequest = FailureInfo(rawValue: 1 << 2)
        /// Bit 5: the data submitted has the wrong format.
        public static let badDataFormat = FailureInfo(rawValue: 1 << 5)
        /// Bit 14: the TSA's time source is not available.
        public static let timeNotAvailable = FailureInfo(rawValue: 1 << 14)
        /// Bit 15: the requested TSA policy is not supported by the TSA.
        public static let unacceptedPolicy = FailureInfo(rawValue: 1 << 15)
        /// Bit 16: the requested extension is not supported by the TSA.
        public static let unacceptedExtension = FailureInfo(rawValue: 1 << 16)
        /// Bit 17: the additional information requested could not be understood or is not available.
        public static let addInfoNotAvailable = FailureInfo(rawValue: 1 << 17)
        /// Bit 25: the request cannot be handled due to system failure.
        public static let systemFailure = FailureInfo(rawValue: 1 << 25)

        /// The RFC names of the bits set, comma separated (`bit(n)` for unnamed ones).
        public var description: String {
            let names: [Int: String] = [
                0: "badAlg", 2: "badRequest", 5: "badDataFormat", 14: "timeNotAvailable", 15: "unacceptedPolicy",
                16: "unacceptedExtension", 17: "addInfoNotAvailable", 25: "systemFailure",
            ]
            return (0..<32).filter { rawValue & (1 << UInt32($0)) != 0 }.map { names[$0] ?? "bit(\($0))" }
                .joined(separator: ", ")
        }
    }

    /// The PKIStatus.
    public var status: Status
    /// The `statusString` texts, in order; empty when the field is absent.
    public var statusStrings: [String]
    /// The `failInfo` bits; empty when the field is absent.
    public var failureInfo: FailureInfo
    /// The DER `TimeStampToken` (a CMS ContentInfo), present when the status is granted or grantedWithMods.
    public var timeStampToken: [UInt8]?

    /// The largest encoded response accepted when parsing, in octets.
    public static let maximumEncodedLength = 1_048_576

    /// A response with these fields.
    public init(status: Status, statusStrings: [String] = [], failureInfo: FailureInfo = [], timeStampToken: [UInt8]?) {
        self.status = status
        self.statusStrings = statusStrings
        self.failureInfo = failureInfo
        self.timeStampToken = timeStampToken
    }

    /// A granted response carrying `token`.
    public static func granted(token: [UInt8]) -> TimeStampResponse {
        TimeStampResponse(status: .granted, timeStampToken: token)
    }

    /// A rejection: no token, `failure` as failInfo and `reason` as the one statusString.
    public static func rejection(_ failure: FailureInfo, reason: String) -> TimeStampResponse {
        TimeStampResponse(status: .rejection, statusStrings: [reason], failureInfo: failure, timeStampToken: nil)
    }

    /// True when the status is granted or grantedWithMods (and so a token is present).
    public var isGranted: Bool { status == .granted || status == .grantedWithMods }

    /// Parses a DER `TimeStampResp`, any status (a rejection too). The token, when present, is checked to parse
    /// as a ``TimeStampToken``.
    ///
    /// - Throws: ``TimestampError`` (``TimestampError/Code/malformedDER``,
    ///   ``TimestampError/Code/unexpectedStructure``, ``TimestampError/Code/missingToken`` for a granted status
    ///   without a token, ``TimestampError/Code/limitExceeded`` over ``maximumEncodedLength``), or the error of
    ///   ``TimeStampToken/init(derEncoded:)`` for a token that does not parse.
    public init(derEncoded bytes: [UInt8]) throws(TimestampError) {
        let root = try DERReader.parse(bytes, limit: Self.maximumEncodedLength, "TimeStampResp")
        let fields = try DERReader.children(root, .sequence, "TimeStampResp")
        guard fields.count == 1 || fields.count == 2 else {
            throw TimestampError(.unexpectedStructure, "TimeStampResp has \(fields.count) fields")
        }
        let info = try DERReader.children(fields[0], .sequence, "PKIStatusInfo")
        guard let statusNode = info.first, info.count <= 3 else {
            throw TimestampError(.unexpectedStructure, "PKIStatusInfo has \(info.count) fields")
        }
        status = Status(rawValue: try DERReader.strictInt(statusNode, "PKIStatus"))
        var rest = info.dropFirst()
        statusStrings = []
        failureInfo = []
        if let node = rest.first, node.identifier == .sequence {
            let texts = try DERReader.children(node, .sequence, "statusString")
            guard !texts.isEmpty else { throw TimestampError(.unexpectedStructure, "empty statusString") }
            for text in texts {
                let octets = try DERReader.octets(text, .utf8String, "statusString")
                guard let string = String(bytes: octets, encoding: .utf8) else {
                    throw TimestampError(.malformedDER, "statusString is not UTF-8")
                }
                statusStrings.append(string)
            }
            rest = rest.dropFirst()
        }
        if let node = rest.first, node.identifier == .bitString {
            failureInfo = FailureInfo(rawValue: try Self.namedBits(node))
            rest = rest.dropFirst()
        }
        if let node = rest.first {
            throw TimestampError(.unexpectedStructure, "unexpected \(node.identifier) in PKIStatusInfo")
        }
        if fields.count == 2 {
            guard status == .granted || status == .grantedWithMods else {
                throw TimestampError(.unexpectedStructure, "a token with status \(status)")
            }
            let token = Array(fields[1].encodedBytes)
            _ = try TimeStampToken(derEncoded: token)
            timeStampToken = token
        } else {
            guard status != .granted && status != .grantedWithMods else {
                throw TimestampError(.missingToken, "status \(status) without a token")
            }
            timeStampToken = nil
        }
    }

    /// The DER `TimeStampResp`.
    public var derEncoded: [UInt8] {
        var info = [DERWriter.integer(status.rawValue)]
        if !statusStrings.isEmpty { info.append(DERWriter.sequence(statusStrings.map(DERWriter.utf8String))) }
        if !failureInfo.isEmpty { info.append(DERWriter.namedBits(failureInfo.rawValue)) }
        var fields = [DERWriter.sequence(info)]
        if let timeStampToken { fields.append(timeStampToken) }
        return DERWriter.sequence(fields)
    }

    /// A named-bit BIT STRING in DER: unused-bit count 0 to 7 and zero, no trailing zero bits, at most 32 bits.
    private static func namedBits(_ node: ASN1Node) throws(TimestampError) -> UInt32 {
        let content = try DERReader.octets(node, .bitString, "failInfo")
        guard let unused = content.first, unused <= 7 else {
            throw TimestampError(.malformedDER, "failInfo: bad unused-bit count")
        }
        let bits = content.dropFirst()
        guard let last = bits.last else {
            guard unused == 0 else { throw TimestampError(.malformedDER, "failInfo: empty with unused bits") }
            return 0
        }
        guard last & ((1 << unused) - 1) == 0, last & (1 << unused) != 0 else {
            throw TimestampError(.malformedDER, "failInfo: padding bits set or trailing zero bits")
        }
        guard bits.count * 8 - Int(unused) <= 32 else {
            throw TimestampError(.unexpectedStructure, "failInfo has bits past 31")
        }
        var value: UInt32 = 0
        for (index, byte) in bits.enumerated() {
            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                value |= 1 << UInt32(index * 8 + bit)
            }
        }
        return value
    }
}
