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

/// One column of a batch bound as a single PostgreSQL array parameter, whose elements may be
/// NULL (PostgresNIO's own arrays take none): what `unnest` turns back into rows, so a batch is
/// written by one statement with one parameter per column, whatever its number of rows.
struct PGColumn: PostgresDynamicTypeEncodable, Sendable {
    /// The element type.
    enum Kind: Sendable {
        case text, int8, float8, bool, timestamptz

        var element: PostgresDataType {
            switch self {
            case .text: return .text
            case .int8: return .int8
            case .float8: return .float8
            case .bool: return .bool
            case .timestamptz: return .timestamptz
            }
        }

        var array: PostgresDataType {
            switch self {
            case .text: return .textArray
            case .int8: return .int8Array
            case .float8: return .float8Array
            case .bool: return .boolArray
            case .timestamptz: return .timestamptzArray
            }
        }

        /// The SQL array type the parameter is cast to.
        var sqlArray: String {
            switch self {
            case .text: return "text[]"
            case .int8: return "int8[]"
            case .float8: return "float8[]"
            case .bool: return "bool[]"
            case .timestamptz: return "timestamptz[]"
            }
        }

        /// The element kind a field of `type` is bound as (dates and lists go as text and are
        /// cast by the statement, as ``SQLStatement/bind(_:)-(FieldValue)`` does).
        init(_ type: FieldType) {
            switch type {
            case .string, .date, .stringList: self = .text
            case .integer: self = .int8
            case .decimal: self = .float8
            case .boolean: self = .bool
            case .timestamp: self = .timestamptz
            }
        }
    }

    let kind: Kind
    /// The elements as the array's binary form writes them: a length (-1: NULL), then the bytes.
    private var elements = ByteBuffer()
    private var count: Int32 = 0
    private var hasNulls = false

    init(_ kind: Kind, capacity: Int = 0) {
        self.kind = kind
        elements.reserveCapacity(capacity * 16)
    }

    var psqlType: PostgresDataType { kind.array }
    var psqlFormat: PostgresFormat { .binary }

    mutating func appendNull() {
        elements.writeInteger(-1, as: Int32.self)
        hasNulls = true
        count += 1
    }

    /// Appends text (the column must be `.text`).
    mutating func append(_ text: String?) {
        guard let text else { return appendNull() }
        elements.writeInteger(Int32(text.utf8.count))
        elements.writeString(text)
        count += 1
    }

    mutating func append(_ number: Int64?) {
        guard let number else { return appendNull() }
        elements.writeInteger(8, as: Int32.self)
        elements.writeInteger(number)
        count += 1
    }

    /// Appends an instant as a millisecond `timestamptz` (see ``PGTimestamp``).
    mutating func append(date: Date?) {
        guard let date else { return appendNull() }
        append(PGTimestamp(date).microseconds)
    }

    /// Appends a canonical value of the column's field type.
    /// - Throws: ``StoreError`` `.invalidQuery` when the value is not of that type.
    mutating func append(_ value: FieldValue) throws {
        switch (value, kind) {
        case (.null, _): appendNull()
        case (.string(let text), .text), (.date(let text), .text): append(text)
        case (.stringList(let strings), .text): append(JSONValue.array(strings.map(JSONValue.string)).jsonText)
        case (.integer(let number), .int8): append(number)
        case (.decimal(let number), .float8):
            elements.writeInteger(8, as: Int32.self)
            elements.writeInteger(number.bitPattern)
            count += 1
        case (.boolean(let flag), .bool):
            elements.writeInteger(1, as: Int32.self)
            elements.writeInteger(flag ? 1 : 0, as: UInt8.self)
            count += 1
        case (.timestamp(let date), .timestamptz): append(date: date)
        default: throw StoreError.invalidQuery("a value does not match its column's type")
        }
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // The binary array format: dimensions, a has-NULLs flag, the element type, then per
        // dimension its length and lower bound, then the elements.
        guard count > 0 else {
            byteBuffer.writeInteger(0, as: Int32.self)
            byteBuffer.writeInteger(0, as: Int32.self)
            byteBuffer.writeInteger(kind.element.rawValue)
            return
        }
        byteBuffer.writeInteger(1, as: Int32.self)
        byteBuffer.writeInteger(hasNulls ? 1 : 0, as: Int32.self)
        byteBuffer.writeInteger(kind.element.rawValue)
        byteBuffer.writeInteger(count)
        byteBuffer.writeInteger(1, as: Int32.self)
        var copy = elements
        byteBuffer.writeBuffer(&copy)
    }
}

/// The rows a batch writes, column by column (see ``PGColumn``): the hub key, source system,
/// source key, source timestamps, content hash and sealed `raw` of each, then its fields.
struct PGRows {
    private var key = PGColumn(.text)
    private var system = PGColumn(.text)
    private var source = PGColumn(.text)
    private var modified = PGColumn(.timestamptz)
    private var entry = PGColumn(.timestamptz)
    private var hash = PGColumn(.text)
    private var raw = PGColumn(.text)
    private var event = PGColumn(.int8)
    private var fields: [PGColumn]
    private(set) var count = 0

    init(fields kinds: [PGColumn.Kind], capacity: Int) {
        fields = kinds.map { PGColumn($0, capacity: capacity) }
    }

    mutating func append(_ record: PreparedRecord, key hubKey: String, raw sealed: String?, event sequence: Int64?) throws {
        guard record.values.count == fields.count else {
            throw StoreError.invalidQuery("a record has \(record.values.count) values for \(fields.count) columns")
        }
        key.append(hubKey)
        system.append(record.sourceSystem)
        source.append(record.sourceKey)
        modified.append(date: record.sourceModified)
        entry.append(date: record.sourceEntry)
        hash.append(record.hash)
        raw.append(sealed)
        event.append(sequence)
        for index in 0..<fields.count { try fields[index].append(record.values[index]) }
        count += 1
    }

    /// Binds every column and returns the `FROM` item naming them `v.k`, `v.system`,
    /// `v.source`, `v.modified`, `v.entry`, `v.hash`, `v.raw`, `v.event` (the sequence of the
    /// row's event) and `v.f0`, `v.f1`, ...
    func bind(into statement: inout SQLStatement) throws -> String {
        var arrays: [String] = []
        for column in [key, system, source, modified, entry, hash, raw, event] + fields {
            arrays.append("\(try statement.bind(column))::\(column.kind.sqlArray)")
        }
        let names = ["k", "system", "source", "modified", "entry", "hash", "raw", "event"] + fields.indices.map { "f\($0)" }
        return "unnest(\(arrays.joined(separator: ", "))) AS v(\(names.joined(separator: ", ")))"
    }

    /// The select expression of each field column `v.fN`, cast where the array holds text.
    static func fieldExpressions(_ types: [FieldType]) -> [String] {
        types.enumerated().map { index, type in
            switch type {
            case .date: return "v.f\(index)::date"
            case .stringList: return "v.f\(index)::jsonb"
            default: return "v.f\(index)"
            }
        }
    }
}
