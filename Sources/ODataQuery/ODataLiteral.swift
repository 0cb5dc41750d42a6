public import Foundation

/// A primitive literal of the OData URL conventions, as written in a `$filter`.
///
/// Decimals and date-times keep the text they were written with, so printing a literal gives
/// back exactly what was parsed (and no precision is lost before the SQL step).
public enum ODataLiteral: Hashable, Sendable {
    case null
    case boolean(Bool)
    /// A string; `''` inside the quotes is one `'`.
    case string(String)
    /// A whole number that fits 64 bits.
    case integer(Int64)
    /// A number with a fraction or an exponent (or a whole number past 64 bits), as written.
    case decimal(String)
    /// A calendar date, `YYYY-MM-DD`, as written.
    case date(String)
    /// An instant with an offset (`2024-05-01T10:00:00Z`, `...+02:00`) and the text it was written as.
    case dateTimeOffset(Date, text: String)

    /// The literal as OData text (strings quoted with `'` doubled).
    public var text: String {
        switch self {
        case .null: return "null"
        case .boolean(let flag): return flag ? "true" : "false"
        case .string(let value):
            // Scalar by scalar: a quote followed by a combining mark is still a quote to the lexer.
            var quoted = String.UnicodeScalarView()
            quoted.append("'")
            for scalar in value.unicodeScalars {
                quoted.append(scalar)
                if scalar == "'" { quoted.append("'") }
            }
            quoted.append("'")
            return String(quoted)
        case .integer(let value): return String(value)
        case .decimal(let text), .date(let text), .dateTimeOffset(_, let text): return text
        }
    }

    /// The decimal's value, for `.decimal` and `.integer`.
    public var decimalValue: Decimal? {
        switch self {
        case .integer(let value): return Decimal(value)
        case .decimal(let text): return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        default: return nil
        }
    }
}

/// Dates and date-times of the OData ABNF (`dateValue`, `dateTimeOffsetValue`), read without
/// Foundation's formatters so every rule (leap days, offsets, fractions) is checked here.
enum ODataDates {
    /// Whether `year-month-day` is a real calendar day (years 0001...9999).
    static func isValidDay(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian calendar).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
