import Foundation
import HubStore
import NIOCore
import PostgresNIO
import RealtyModel

/// A `Date` bound as `timestamptz`, rounded to the millisecond first: the hub's timestamps have
/// millisecond precision (``Timestamp``), so both stores return the same instants.
struct PGTimestamp: PostgresNonThrowingEncodable, Sendable {
    let microseconds: Int64

    init(_ date: Date) {
        let millis = (date.timeIntervalSince1970 * 1000).rounded()
        // timestamptz counts microseconds from 2000-01-01.
        microseconds = Int64(millis - 946_684_800_000) * 1000
    }

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(microseconds)
    }
}

/// SQL text with `$n` placeholders and the values bound to them, built together so the
/// numbering cannot drift. Only identifiers from static tables or a validated ``ListPlan``
/// are ever written into the text; every value goes through ``bind(_:)``.
struct SQLStatement {
    var text = ""
    var bindings = PostgresBindings()

    init(_ text: String = "") { self.text = text }

    /// Appends SQL text.
    mutating func append(_ sql: String) { text += sql }

    /// Binds a value and returns its placeholder.
    mutating func bind<Value: PostgresThrowingDynamicTypeEncodable>(_ value: Value?) throws -> String {
        try bindings.append(value)
        return "$\(bindings.count)"
    }

    /// Binds a date (as a millisecond `timestamptz`) and returns its placeholder.
    mutating func bind(date: Date?) -> String {
        bindings.append(date.map(PGTimestamp.init))
        return "$\(bindings.count)"
    }

    /// Binds a canonical field value and returns its placeholder, cast to the column's type
    /// where PostgreSQL cannot infer it from a text parameter.
    mutating func bind(_ value: FieldValue) throws -> String {
        switch value {
        case .null: bindings.appendNull()
        case .string(let text): bindings.append(text)
        case .integer(let number): bindings.append(number)
        case .decimal(let number): bindings.append(number)
        case .boolean(let flag): bindings.append(flag)
        case .timestamp(let date): bindings.append(PGTimestamp(date))
        case .date(let text):
            bindings.append(text)
            return "$\(bindings.count)::date"
        case .stringList(let strings):
            bindings.append(JSONValue.array(strings.map(JSONValue.string)).jsonText)
            return "$\(bindings.count)::jsonb"
        }
        return "$\(bindings.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: bindings) }
}

/// Reading columns into the hub's types.
enum PGRead {
    /// Rounds a decoded instant to the hub's millisecond precision.
    static func millis(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func date(_ cell: PostgresCell) throws -> Date? {
        try cell.decode(Date?.self).map(millis)
    }

    static func requiredDate(_ cell: PostgresCell) throws -> Date {
        try date(cell) ?? Date(timeIntervalSince1970: 0)
    }

    static func string(_ cell: PostgresCell) throws -> String? { try cell.decode(String?.self) }

    static func int(_ cell: PostgresCell) throws -> Int? { try cell.decode(Int?.self) }

    static func int64(_ cell: PostgresCell) throws -> Int64? { try cell.decode(Int64?.self) }

    /// The SQL expression that reads a field column in a form ``fieldValue(_:as:)`` decodes:
    /// dates as `YYYY-MM-DD` text and lists as JSON text.
    static func selectExpression(column: String, type: FieldType) -> String {
        switch type {
        case .date: return "to_char(\"\(column)\", 'YYYY-MM-DD')"
        case .stringList: return "\"\(column)\"::text"
        default: return "\"\(column)\""
        }
    }

    /// Decodes a field column selected with ``selectExpression(column:type:)``.
    static func fieldValue(_ cell: PostgresCell, as type: FieldType) throws -> FieldValue? {
        guard cell.bytes != nil else { return .null }
        switch type {
        case .string: return .string(try cell.decode(String.self))
        case .integer: return .integer(try cell.decode(Int64.self))
        case .decimal: return .decimal(try cell.decode(Double.self))
        case .boolean: return .boolean(try cell.decode(Bool.self))
        case .timestamp: return .timestamp(millis(try cell.decode(Date.self)))
        case .date: return .date(try cell.decode(String.self))
        case .stringList:
            let text = try cell.decode(String.self)
            guard let strings = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { return nil }
            return .stringList(strings)
        }
    }
}
