import Foundation
import SignetPKI
import SwiftASN1

/// Builds DER encodings (X.690 section 10) for the structures this module issues.
///
/// Every function is total: the values it takes are valid by construction (an ``TimeStampInteger`` is already
/// minimal two's complement, an `ASN1ObjectIdentifier` already has at least two arcs), so issuing never needs a
/// `try!`. Only single-octet tags are written: universal tags and context-specific tags [0] to [30].
enum DERWriter {
    /// Tag octets used here.
    enum Tag {
        static let boolean: UInt8 = 0x01
        static let integer: UInt8 = 0x02
        static let bitString: UInt8 = 0x03
        static let octetString: UInt8 = 0x04
        static let null: UInt8 = 0x05
        static let oid: UInt8 = 0x06
        static let utf8String: UInt8 = 0x0C
        static let utcTime: UInt8 = 0x17
        static let generalizedTime: UInt8 = 0x18
        static let sequence: UInt8 = 0x30
        static let set: UInt8 = 0x31
        /// A context-specific primitive tag `[n]` (IMPLICIT over a primitive type).
        static func contextPrimitive(_ n: UInt8) -> UInt8 { 0x80 | (n & 0x1F) }
        /// A context-specific constructed tag `[n]` (EXPLICIT, or IMPLICIT over a constructed type).
        static func contextConstructed(_ n: UInt8) -> UInt8 { 0xA0 | (n & 0x1F) }
    }

    /// Tag, definite length in the fewest octets, contents.
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [tag]
        out.reserveCapacity(content.count + 6)
        let n = content.count
        if n < 0x80 {
            out.append(UInt8(n))
        } else {
            var length: [UInt8] = []
            var v = n
            while v > 0 {
                length.insert(UInt8(truncatingIfNeeded: v), at: 0)
                v >>= 8
            }
            out.append(0x80 | UInt8(length.count))
            out += length
        }
        out += content
        return out
    }

    static func sequence(_ parts: [[UInt8]]) -> [UInt8] { tlv(Tag.sequence, parts.flatMap { $0 }) }

    /// A DER `SET OF`: the element encodings in ascending order, compared as octet strings with the shorter
    /// padded by trailing zero octets (X.690 section 11.6).
    static func setOf(_ elements: [[UInt8]], tag: UInt8 = Tag.set) -> [UInt8] {
        tlv(tag, sortedForSetOf(elements).flatMap { $0 })
    }

    static func sortedForSetOf(_ elements: [[UInt8]]) -> [[UInt8]] {
        elements.sorted { a, b in
            for i in 0..<max(a.count, b.count) {
                let x = i < a.count ? a[i] : 0
                let y = i < b.count ? b[i] : 0
                if x != y { return x < y }
            }
            return false
        }
    }

    static func integer(_ value: TimeStampInteger) -> [UInt8] { tlv(Tag.integer, value.contentOctets) }

    /// An INTEGER from a machine integer, minimal two's complement.
    static func integer(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var v = value
        repeat {
            bytes.insert(UInt8(truncatingIfNeeded: v), at: 0)
            v >>= 8
        } while v != 0 && v != -1
        // Keep the sign: a positive value whose top bit is set needs 0x00, a negative one whose top bit is
        // clear needs 0xFF.
        if value >= 0, bytes[0] & 0x80 != 0 { bytes.insert(0x00, at: 0) }
        if value < 0, bytes[0] & 0x80 == 0 { bytes.insert(0xFF, at: 0) }
        return tlv(Tag.integer, bytes)
    }

    static func boolean(_ value: Bool) -> [UInt8] { tlv(Tag.boolean, [value ? 0xFF : 0x00]) }

    static func null() -> [UInt8] { [Tag.null, 0x00] }

    static func octetString(_ bytes: [UInt8]) -> [UInt8] { tlv(Tag.octetString, bytes) }

    static func utf8String(_ string: String) -> [UInt8] { tlv(Tag.utf8String, Array(string.utf8)) }

    /// An OBJECT IDENTIFIER: the first two arcs as `40 * a + b`, every sub-identifier base 128, high bit set on
    /// all but its last octet (X.690 section 8.19).
    static func oid(_ oid: ASN1ObjectIdentifier) -> [UInt8] {
        let arcs = oid.oidComponents
        var subidentifiers: [UInt] = []
        if arcs.count >= 2 {
            subidentifiers.append(arcs[0] * 40 + arcs[1])
            subidentifiers += arcs.dropFirst(2)
        } else {
            subidentifiers = arcs
        }
        var content: [UInt8] = []
        for value in subidentifiers {
            var chunk: [UInt8] = [UInt8(value & 0x7F)]
            var v = value >> 7
            while v > 0 {
                chunk.insert(UInt8(v & 0x7F) | 0x80, at: 0)
                v >>= 7
            }
            content += chunk
        }
        return tlv(Tag.oid, content)
    }

    /// An AlgorithmIdentifier with absent parameters, or with an explicit NULL.
    static func algorithm(_ oid: ASN1ObjectIdentifier, nullParameters: Bool = false) -> [UInt8] {
        sequence(nullParameters ? [Self.oid(oid), null()] : [Self.oid(oid)])
    }

    /// A BIT STRING holding a named-bit list: bit 0 is the first (most significant) bit, and trailing zero bits
    /// are removed as DER requires for named bits (X.690 section 11.2.2).
    static func namedBits(_ bits: UInt32) -> [UInt8] {
        guard bits != 0 else { return tlv(Tag.bitString, [0x00]) }
        var highest = 0
        for bit in 0..<32 where bits & (1 << UInt32(bit)) != 0 { highest = bit }
        let bitCount = highest + 1
        let byteCount = (bitCount + 7) / 8
        var content = [UInt8](repeating: 0, count: byteCount + 1)
        content[0] = UInt8(byteCount * 8 - bitCount)
        for bit in 0...highest where bits & (1 << UInt32(bit)) != 0 {
            content[1 + bit / 8] |= 0x80 >> UInt8(bit % 8)
        }
        return tlv(Tag.bitString, content)
    }

    /// `GeneralizedTime` in UTC: `YYYYMMDDHHMMSS[.f*]Z`, the fraction without trailing zeros and left out when
    /// zero (X.690 section 11.7).
    static func generalizedTime(_ time: UTCInstant, fractionalDigits: Int) -> [UInt8] {
        var text = pad(time.year, 4) + pad(time.month, 2) + pad(time.day, 2)
        text += pad(time.hour, 2) + pad(time.minute, 2) + pad(time.second, 2)
        let digits = min(max(fractionalDigits, 0), 6)
        if digits > 0 {
            var divisor = 1
            for _ in 0..<(6 - digits) { divisor *= 10 }
            var fraction = pad(time.microsecond / divisor, digits)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            if !fraction.isEmpty { text += "." + fraction }
        }
        return tlv(Tag.generalizedTime, Array((text + "Z").utf8))
    }

    /// The CMS `Time` of RFC 5652 section 11.3: UTCTime for 1950 through 2049, GeneralizedTime (whole seconds)
    /// otherwise.
    static func cmsTime(_ time: UTCInstant) -> [UInt8] {
        guard (1950...2049).contains(time.year) else { return generalizedTime(time, fractionalDigits: 0) }
        var text = pad(time.year % 100, 2) + pad(time.month, 2) + pad(time.day, 2)
        text += pad(time.hour, 2) + pad(time.minute, 2) + pad(time.second, 2) + "Z"
        return tlv(Tag.utcTime, Array(text.utf8))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A UTC calendar instant to the microsecond, years 1 through 9999 (proleptic Gregorian, no time zone or locale).
struct UTCInstant: Hashable, Sendable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var microsecond: Int

    /// The instant `date` falls in, rounded to the nearest microsecond; nil outside years 1 through 9999.
    init?(_ date: Date) {
        let t = date.timeIntervalSince1970
        // Year 1 starts at -62135596800, year 10000 at 253402300800.
        guard t.isFinite, t >= -62_135_596_800, t < 253_402_300_800 else { return nil }
        guard let micros = Int64(exactly: (t * 1_000_000).rounded()) else { return nil }
        var seconds = micros / 1_000_000
        var micro = micros % 1_000_000
        if micro < 0 {
            micro += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (y, m, d) = UTCCalendar.civilFromDays(Int(days))
        guard (1...9999).contains(y) else { return nil }
        year = y
        month = m
        day = d
        hour = Int(secondOfDay / 3600)
        minute = Int(secondOfDay % 3600 / 60)
        second = Int(secondOfDay % 60)
        microsecond = Int(micro)
    }

    /// The instant with the fraction cut to `digits` decimal places (0 to 6).
    func truncated(toFractionalDigits digits: Int) -> UTCInstant {
        var divisor = 1
        for _ in 0..<(6 - min(max(digits, 0), 6)) { divisor *= 10 }
        var copy = self
        copy.microsecond = microsecond / divisor * divisor
        return copy
    }

    /// The `Date` of this instant.
    var date: Date {
        let whole = UTCCalendar.date(year, month, day, hour, minute, second) ?? Date(timeIntervalSince1970: 0)
        return Date(timeIntervalSince1970: whole.timeIntervalSince1970 + Double(microsecond) / 1_000_000)
    }
}
