import Foundation
import SwiftASN1

/// Small readers over SwiftASN1 nodes shared by the PKI parsers.
package enum DERNodes {
    /// Why a structure could not be read.
    package struct Problem: Error, Sendable, CustomStringConvertible {
        package var reason: String
        package init(_ reason: String) { self.reason = reason }
        package var description: String { reason }
    }

    /// The children of a constructed node.
    package static func children(of node: ASN1Node, _ what: String) throws(Problem) -> [ASN1Node] {
        guard case .constructed(let collection) = node.content else { throw Problem("\(what) is not constructed") }
        return Array(collection)
    }

    /// RFC 5280 `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }` (fractions of a second kept).
    package static func time(_ node: ASN1Node) throws -> Date {
        switch node.identifier {
        case .utcTime:
            let t = try UTCTime(derEncoded: node)
            return try UTCCalendar.checkedDate(t.year, t.month, t.day, t.hours, t.minutes, t.seconds)
        case .generalizedTime:
            let t = try GeneralizedTime(derEncoded: node)
            return try UTCCalendar.checkedDate(t.year, t.month, t.day, t.hours, t.minutes, t.seconds, t.fractionalSeconds)
        default:
            throw Problem("Time is neither UTCTime nor GeneralizedTime")
        }
    }
}

/// UTC calendar arithmetic (proleptic Gregorian, no `Calendar`, so no locale or time-zone dependence), after
/// H. Hinnant's days-from-civil and civil-from-days algorithms.
public enum UTCCalendar {
    /// The calendar fields of an instant, whole seconds.
    public struct Components: Sendable, Hashable {
        public var year: Int
        public var month: Int
        public var day: Int
        public var hour: Int
        public var minute: Int
        public var second: Int
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date (year, month, day) `days` after 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The instant of a UTC date and time; nil when a field is out of range (years 1 to 9999, a leap second
    /// allowed, a fraction in 0 ..< 1).
    public static func date(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ fraction: Double = 0
    ) -> Date? {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
            (0...59).contains(minute), (0...60).contains(second), fraction >= 0, fraction < 1
        else { return nil }
        let seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    static func checkedDate(
        _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, _ fraction: Double = 0
    ) throws(DERNodes.Problem) -> Date {
        guard let date = date(year, month, day, hour, minute, second, fraction) else {
            throw DERNodes.Problem("time field out of range")
        }
        return date
    }

    /// The calendar fields of `date` (rounded down to the second); nil outside years 1 to 9999.
    public static func components(_ date: Date) -> Components? {
        let t = date.timeIntervalSince1970.rounded(.down)
        guard t.isFinite, abs(t) < 300_000_000_000, let seconds = Int(exactly: t) else { return nil }
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (y, m, d) = civilFromDays(days)
        guard (1...9999).contains(y) else { return nil }
        return Components(year: y, month: m, day: d, hour: rest / 3600, minute: rest % 3600 / 60, second: rest % 60)
    }
}
