public import Foundation

/// Describes one canonical field of a record type: its RESO name, its type, whether the store
/// indexes it (and so allows equality filters on it), and how to read and write it.
///
/// Every resource lists its fields once (``HubRecord/fields``); JSON coding, the content hash,
/// the store's columns, filters, sorting and projection are all driven by that list.
public struct Field<Record>: Sendable {
    /// The RESO Data Dictionary name (also the JSON key and the store's column name).
    public let name: String
    /// The value type.
    public let type: FieldType
    /// Whether the store keeps an index on it; equality filters are allowed on indexed fields.
    public let isIndexed: Bool
    private let reader: @Sendable (Record) -> FieldValue
    private let writer: @Sendable (inout Record, FieldValue) -> Bool

    private init(
        name: String, type: FieldType, isIndexed: Bool,
        reader: @escaping @Sendable (Record) -> FieldValue,
        writer: @escaping @Sendable (inout Record, FieldValue) -> Bool
    ) {
        self.name = name
        self.type = type
        self.isIndexed = isIndexed
        self.reader = reader
        self.writer = writer
    }

    /// The field's value in `record`.
    public func value(in record: Record) -> FieldValue { reader(record) }

    /// Sets the field in `record`.
    ///
    /// - Returns: `false` when `value` does not match the field's type (the record is unchanged).
    @discardableResult
    public func set(_ value: FieldValue, in record: inout Record) -> Bool { writer(&record, value) }
}

extension Field {
    /// A text field.
    public static func string(
        _ name: String, _ get: @escaping @Sendable (Record) -> String?, _ put: @escaping @Sendable (inout Record, String?) -> Void,
        indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .string, isIndexed: indexed) { record in
            get(record).map(FieldValue.string) ?? .null
        } writer: { record, value in
            switch value {
            case .null: put(&record, nil)
            case .string(let text): put(&record, text)
            default: return false
            }
            return true
        }
    }

    /// A whole-number field.
    public static func integer(
        _ name: String, _ get: @escaping @Sendable (Record) -> Int?, _ put: @escaping @Sendable (inout Record, Int?) -> Void,
        indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .integer, isIndexed: indexed) { record in
            get(record).map { .integer(Int64($0)) } ?? .null
        } writer: { record, value in
            switch value {
            case .null: put(&record, nil)
            case .integer(let number):
                guard let narrowed = Int(exactly: number) else { return false }
                put(&record, narrowed)
            default: return false
            }
            return true
        }
    }

    /// A decimal field (prices, areas, coordinates).
    public static func decimal(
        _ name: String, _ get: @escaping @Sendable (Record) -> Double?, _ put: @escaping @Sendable (inout Record, Double?) -> Void,
        indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .decimal, isIndexed: indexed) { record in
            get(record).map(FieldValue.decimal) ?? .null
        } writer: { record, value in
            switch value {
            case .null: put(&record, nil)
            case .decimal(let number): put(&record, number)
            case .integer(let number): put(&record, Double(number))
            default: return false
            }
            return true
        }
    }

    /// A yes/no field (RESO `...YN`).
    public static func boolean(
        _ name: String, _ get: @escaping @Sendable (Record) -> Bool?, _ put: @escaping @Sendable (inout Record, Bool?) -> Void,
        indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .boolean, isIndexed: indexed) { record in
            get(record).map(FieldValue.boolean) ?? .null
        } writer: { record, value in
            switch value {
            case .null: put(&record, nil)
            case .boolean(let flag): put(&record, flag)
            default: return false
            }
            return true
        }
    }

    /// An instant.
    public static func timestamp(
        _ name: String, _ get: @escaping @Sendable (Record) -> Date?, _ put: @escaping @Sendable (inout Record, Date?) -> Void,
        indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .timestamp, isIndexed: indexed) { record in
            get(record).map(FieldValue.timestamp) ?? .null
        } writer: { record, value in
            switch value {
            case .null: put(&record, nil)
            case .timestamp(let date): put(&record, date)
            default: return false
            }
            return true
        }
    }

    /// A calendar date (`YYYY-MM-DD`).
    public static func date(
        _ name: String, _ get: @escaping @Sendable (Record) -> String?, _ put: @escaping @Sendable (inout Record, String?) -> Void,
        indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .date, isIndexed: indexed) { record in
            get(record).map(FieldValue.date) ?? .null
        } writer: { record, value in
            switch value {
            case .null: put(&record, nil)
            case .date(let text), .string(let text):
                guard CalendarDate.isValid(text) else { return false }
                put(&record, text)
            default: return false
            }
            return true
        }
    }

    /// A list of strings (languages, for example).
    public static func stringList(
        _ name: String, _ get: @escaping @Sendable (Record) -> [String]?, _ put: @escaping @Sendable (inout Record, [String]?) -> Void
    ) -> Field {
        Field(name: name, type: .stringList, isIndexed: false) { record in
            get(record).map(FieldValue.stringList) ?? .null
        } writer: { record, value in
            switch value {
            case .null: put(&record, nil)
            case .stringList(let strings): put(&record, strings)
            default: return false
            }
            return true
        }
    }
}
