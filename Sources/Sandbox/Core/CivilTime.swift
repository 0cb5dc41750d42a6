import Foundation

/// A UTC date and time of day, computed from unix seconds directly (days since 1970 to a
/// proleptic Gregorian year, month and day, in eras of 400 years, after Howard Hinnant's
/// `civil_from_days`), so that formatting timestamps in bulk stays cheap.
struct CivilTime: Sendable, Equatable {
    var year: Int
    /// 1...12.
    var month: Int
    /// 1...31.
    var day: Int
    var hour: Int, minute: Int, second: Int
    /// Days since 1970-01-01 (a Thursday), negative before it.
    var daysSinceEpoch: Int

    /// The UTC date and time of `date`; fractions of a second are dropped.
    init(_ date: Date) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        daysSinceEpoch = days
    }

    /// `value` with at least two digits (`7` → `07`).
    static func two(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
