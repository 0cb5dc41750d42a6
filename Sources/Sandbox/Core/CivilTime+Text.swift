import Foundation

extension CivilTime {
    /// Days from 1970-01-01 to a date of a year from 0 on (H. Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `YYYY-MM-DD HH:MM:SS` (for years 0-9999).
    var dateTimeText: String {
        var out = ""
        out.reserveCapacity(19)
        appendDate(to: &out)
        out += " "
        appendTime(to: &out)
        return out
    }

    /// Appends `YYYY-MM-DD` (for years 0-9999).
    func appendDate(to out: inout String) {
        Self.appendTwoDigits(year / 100, to: &out)
        Self.appendTwoDigits(year % 100, to: &out)
        out += "-"
        Self.appendTwoDigits(month, to: &out)
        out += "-"
        Self.appendTwoDigits(day, to: &out)
    }

    /// Appends `HH:MM:SS`.
    func appendTime(to out: inout String) {
        Self.appendTwoDigits(hour, to: &out)
        out += ":"
        Self.appendTwoDigits(minute, to: &out)
        out += ":"
        Self.appendTwoDigits(second, to: &out)
    }

    /// Appends `value` (0...99) as two decimal digits.
    private static func appendTwoDigits(_ value: Int, to out: inout String) {
        out.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: 48 + value / 10 % 10)))
        out.unicodeScalars.append(Unicode.Scalar(UInt8(truncatingIfNeeded: 48 + value % 10)))
    }
}
