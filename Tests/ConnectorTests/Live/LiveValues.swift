import Foundation
import RealtyModel
import Sandbox
import Testing

// Value comparisons for the live tests: a record read through a connector against the emulator's
// own record, field by field.
//
// The expected values are written in each test from the emulator's record (`control(.list)`, the
// sandbox's own view of its data) and the vendor document, never through connector code: the
// sandbox and the connectors are two independent readings of the documents, and a test that
// borrowed the connector's mapping would pass whatever the mapping did.

/// The canonical values a record must hold, by RESO field name. Every field of the resource the
/// expectation does not name must be empty, so a value the connector invents fails as surely as
/// one it drops.
struct ExpectedValues {
    private(set) var values: [String: FieldValue] = [:]

    /// Text; `nil` and blank text mean "empty" (vendors send `""` or `null` for nothing).
    mutating func text(_ name: String, _ value: String?) {
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines)
        values[name] = trimmed.flatMap { $0.isEmpty ? nil : FieldValue.string($0) } ?? .null
    }

    /// Text from a JSON string or number (`null`, absent or blank: empty).
    mutating func text(_ name: String, json value: JSONValue?) {
        text(name, value.flatMap(VendorJSON.text))
    }

    /// `FirstName`, `LastName` and `FullName` (the two joined by a space), or with a prefix
    /// (`Member`) the member's.
    mutating func names(first: String?, last: String?, prefix: String = "") {
        text(prefix + "FirstName", first)
        text(prefix + "LastName", last)
        text(prefix + "FullName", joinedParts([first, last]))
    }

    mutating func integer(_ name: String, _ value: Int?) {
        values[name] = value.map { .integer(Int64($0)) } ?? .null
    }

    mutating func decimal(_ name: String, _ value: Double?) {
        values[name] = value.map(FieldValue.decimal) ?? .null
    }

    mutating func boolean(_ name: String, _ value: Bool?) {
        values[name] = value.map(FieldValue.boolean) ?? .null
    }

    /// A calendar date, `YYYY-MM-DD`.
    mutating func date(_ name: String, _ value: String?) {
        values[name] = value.flatMap { $0.isEmpty ? nil : FieldValue.date($0) } ?? .null
    }

    mutating func timestamp(_ name: String, _ value: Date?) {
        values[name] = value.map(FieldValue.timestamp) ?? .null
    }

    mutating func list(_ name: String, _ value: [String]?) {
        values[name] = value.flatMap { $0.isEmpty ? nil : FieldValue.stringList($0) } ?? .null
    }
}

/// Compares every canonical field of `record` with `expected` (unnamed fields must be empty), and
/// the record's source identity.
func expectValues<R: HubRecord>(
    _ record: R, _ expected: ExpectedValues, source: (system: String, key: String),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let label = "\(R.resource.rawValue) \(source.key)"
    let names = Set(R.fields.map(\.name))
    for name in expected.values.keys.sorted() where !names.contains(name) {
        Issue.record("\(R.resource.rawValue) has no field \(name)", sourceLocation: sourceLocation)
    }
    for field in R.fields {
        let actual = field.value(in: record)
        let wanted = expected.values[field.name] ?? .null
        #expect(actual == wanted, "\(label): \(field.name)", sourceLocation: sourceLocation)
    }
    #expect(record.metadata.sourceSystemName == source.system, "\(label): SourceSystemName", sourceLocation: sourceLocation)
    #expect(record.metadata.sourceKey == source.key, "\(label): source key", sourceLocation: sourceLocation)
    #expect(record.metadata.raw != nil, "\(label): raw payload kept", sourceLocation: sourceLocation)
}

/// Checks that no canonical field of `record` carries the value of one of the vendor record's
/// sensitive fields (identity numbers, passwords), while the payload still holds them (the
/// store seals them there).
func expectNoSensitiveValues<R: HubRecord>(
    _ record: R, vendorRecord: JSONValue, sensitive: [String], sourceLocation: SourceLocation = #_sourceLocation
) {
    for name in sensitive {
        guard let secret = vendorRecord[name].flatMap(VendorJSON.text) else { continue }
        for field in R.fields {
            let leaked: Bool
            switch field.value(in: record) {
            case .string(let text), .date(let text): leaked = text.contains(secret)
            case .stringList(let texts): leaked = texts.contains { $0.contains(secret) }
            default: leaked = false
            }
            #expect(!leaked, "\(R.resource.rawValue): \(name) copied into \(field.name)", sourceLocation: sourceLocation)
        }
        #expect(
            record.metadata.raw?[name].flatMap(VendorJSON.text) == secret, "\(name) kept in raw (to be sealed by the store)",
            sourceLocation: sourceLocation)
    }
}

/// A sample of `items`: all of them when there are at most `all`, else the first, the last and
/// three spread between them.
func valueSample<T>(_ items: [T], all: Int = 6) -> [T] {
    guard items.count > all else { return items }
    let last = items.count - 1
    let positions = Set([0, last / 4, last / 2, (3 * last) / 4, last])
    return positions.sorted().map { items[$0] }
}

/// The emulator's records of `resource` (`control(.list)`).
func emulatorRecords(_ live: LiveSandbox, _ vendor: SandboxVendor, _ resource: String) async throws -> [JSONValue] {
    try await live.emulator(vendor).control(.list(resource: resource)).records ?? []
}

/// Reading vendor JSON the way the documents write it, for expectations.
enum VendorJSON {
    /// A string or number as text; `nil` for null, absent, blank or anything else.
    static func text(_ value: JSONValue) -> String? {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = number.text
        default: return nil
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The text of `record[key]`.
    static func text(_ record: JSONValue, _ key: String) -> String? {
        record[key].flatMap(text)
    }

    /// The id of a relation written `{"id": n}` or as the bare id.
    static func id(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        if case .object = value { return value["id"].flatMap(text) }
        return text(value)
    }

    /// A number, or a string holding one.
    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let number): number.doubleValue
        case .string(let text): Double(text)
        default: nil
        }
    }

    /// A date-time in `format` (`yyyy-MM-dd HH:mm:ss`) in `zone`.
    static func date(_ text: String?, format: String, zone: String) -> Date? {
        guard let text else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = format
        return formatter.date(from: text)
    }

    /// An ISO 8601 instant, with or without fractional seconds.
    static func iso8601(_ text: String?) -> Date? {
        guard let text else { return nil }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}

/// Records read through a connector, by source key.
func keyedBySourceKey<R: HubRecord>(_ records: [R]) -> [String: R] {
    Dictionary(records.map { ($0.metadata.sourceKey ?? "", $0) }) { first, _ in first }
}

/// The present parts joined (`nil` when none is present).
func joinedParts(_ parts: [String?], separator: String = " ") -> String? {
    let present = parts.compactMap { $0 }
    return present.isEmpty ? nil : present.joined(separator: separator)
}

/// The source timestamps of a record whose vendor writes ISO 8601 `created_at` and `updated_at`.
func expectISOTimes(_ metadata: RecordMetadata, _ record: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(metadata.sourceEntryTimestamp == VendorJSON.iso8601(VendorJSON.text(record, "created_at")), sourceLocation: sourceLocation)
    #expect(
        metadata.sourceModificationTimestamp == VendorJSON.iso8601(VendorJSON.text(record, "updated_at")), sourceLocation: sourceLocation)
}

/// The records of `records` keyed by their `id` (rendered as text).
func byID(_ records: [JSONValue], key: String = "id") -> [String: JSONValue] {
    Dictionary(records.compactMap { record in record[key].flatMap(VendorJSON.text).map { ($0, record) } }) { first, _ in first }
}
