public import Foundation

/// The storage type of a canonical field.
public enum FieldType: String, Sendable, Hashable {
    case string
    case integer
    case decimal
    case boolean
    case timestamp
    case date
    case stringList
}

/// One canonical field's value, independent of the record type that holds it.
///
/// This is what the store binds into SQL, what the content hash digests and what projections
/// return, so every resource is handled by one code path.
public enum FieldValue: Sendable, Hashable {
    case null
    case string(String)
    case integer(Int64)
    case decimal(Double)
    case boolean(Bool)
    /// An instant (RESO `Timestamp`).
    case timestamp(Date)
    /// A calendar date without time (RESO `Date`), as `YYYY-MM-DD`.
    case date(String)
    case stringList([String])

    /// Whether the value is `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension FieldValue {
    /// The integers a field takes: what every store and a JSON double both hold exactly.
    public static let integerRange: ClosedRange<Int64> = -8_999_999_999_999_999...8_999_999_999_999_999

    /// Converts a JSON value (from an API request or a stored row) into a value of `type`.
    ///
    /// - Returns: `nil` when the JSON value cannot represent `type`.
    public static func from(json: JSONValue, as type: FieldType) -> FieldValue? {
        if json.isNull { return .null }
        switch type {
        case .string:
            if case .string(let text) = json { return .string(text) }
            return nil
        case .integer:
            if case .number(let number) = json, let integer = number.int64Value, integerRange.contains(integer) {
                return .integer(integer)
            }
            return nil
        case .decimal:
            if case .number(let number) = json, number.doubleValue.isFinite { return .decimal(number.doubleValue) }
            return nil
        case .boolean:
            if case .bool(let flag) = json { return .boolean(flag) }
            return nil
        case .timestamp:
            if case .string(let text) = json, let date = Timestamp.parse(text) { return .timestamp(date) }
            return nil
        case .date:
            if case .string(let text) = json, CalendarDate.isValid(text) { return .date(text) }
            return nil
        case .stringList:
            guard case .array(let elements) = json else { return nil }
            var strings: [String] = []
            strings.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let text) = element else { return nil }
                strings.append(text)
            }
            return .stringList(strings)
        }
    }

    /// The JSON form of the value, as the API and JSON coding write it.
    public var json: JSONValue {
        switch self {
        case .null: return .null
        case .string(let text): return .string(text)
        case .integer(let number): return .number(JSONNumber(number))
        case .decimal(let number): return JSONNumber(number).map(JSONValue.number) ?? .null
        case .boolean(let flag): return .bool(flag)
        case .timestamp(let date): return .string(Timestamp.format(date))
        case .date(let text): return .string(text)
        case .stringList(let strings): return .array(strings.map { .string($0) })
        }
    }
}

/// Validation of RESO `Date` values (`YYYY-MM-DD`).
public enum CalendarDate {
    /// Whether `text` is a real calendar date in `YYYY-MM-DD` form.
    public static func isValid(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return false }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = utf8[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return false }
        return isValid(year: year, month: month, day: day)
    }

    /// Whether the year, month and day name a real Gregorian calendar date.
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}
