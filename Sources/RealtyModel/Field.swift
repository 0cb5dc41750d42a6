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
        _ name: String, _ path: any WritableKeyPath<Record, String?> & Sendable, indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .string, isIndexed: indexed) { record in
            record[keyPath: path].map(FieldValue.string) ?? .null
        } writer: { record, value in
            switch value {
            case .null: record[keyPath: path] = nil
            case .string(let text): record[keyPath: path] = text
            default: return false
            }
            return true
        }
    }

    /// A whole-number field.
    public static func integer(
        _ name: String, _ path: any WritableKeyPath<Record, Int?> & Sendable, indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .integer, isIndexed: indexed) { record in
            record[keyPath: path].map { .integer(Int64($0)) } ?? .null
        } writer: { record, value in
            switch value {
            case .null: record[keyPath: path] = nil
            case .integer(let number):
                guard let narrowed = Int(exactly: number) else { return false }
                record[keyPath: path] = narrowed
            default: return false
            }
            return true
        }
    }

    /// A decimal field (prices, areas, coordinates).
    public static func decimal(
        _ name: String, _ path: any WritableKeyPath<Record, Double?> & Sendable, indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .decimal, isIndexed: indexed) { record in
            record[keyPath: path].map(FieldValue.decimal) ?? .null
        } writer: { record, value in
            switch value {
            case .null: record[keyPath: path] = nil
            case .decimal(let number): record[keyPath: path] = number
            case .integer(let number): record[keyPath: path] = Double(number)
            default: return false
            }
            return true
        }
    }

    /// A yes/no field (RESO `...YN`).
    public static func boolean(
        _ name: String, _ path: any WritableKeyPath<Record, Bool?> & Sendable, indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .boolean, isIndexed: indexed) { record in
            record[keyPath: path].map(FieldValue.boolean) ?? .null
        } writer: { record, value in
            switch value {
            case .null: record[keyPath: path] = nil
            case .boolean(let flag): record[keyPath: path] = flag
            default: return false
            }
            return true
        }
    }

    /// An instant.
    public static func timestamp(
        _ name: String, _ path: any WritableKeyPath<Record, Date?> & Sendable, indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .timestamp, isIndexed: indexed) { record in
            record[keyPath: path].map(FieldValue.timestamp) ?? .null
        } writer: { record, value in
            switch value {
            case .null: record[keyPath: path] = nil
            case .timestamp(let date): record[keyPath: path] = date
            default: return false
            }
            return true
        }
    }

    /// A calendar date (`YYYY-MM-DD`).
    public static func date(
        _ name: String, _ path: any WritableKeyPath<Record, String?> & Sendable, indexed: Bool = false
    ) -> Field {
        Field(name: name, type: .date, isIndexed: indexed) { record in
            record[keyPath: path].map(FieldValue.date) ?? .null
        } writer: { record, value in
            switch value {
            case .null: record[keyPath: path] = nil
            case .date(let text), .string(let text):
                guard CalendarDate.isValid(text) else { return false }
                record[keyPath: path] = text
            default: return false
            }
            return true
        }
    }

    /// A list of strings (languages, for example).
    public static func stringList(
        _ name: String, _ path: any WritableKeyPath<Record, [String]?> & Sendable
    ) -> Field {
        Field(name: name, type: .stringList, isIndexed: false) { record in
            record[keyPath: path].map(FieldValue.stringList) ?? .null
        } writer: { record, value in
            switch value {
            case .null: record[keyPath: path] = nil
            case .stringList(let strings): record[keyPath: path] = strings
            default: return false
            }
            return true
        }
    }
}

public import Foundation
