import ConnectorKit
import Foundation
import RealtyModel

// The shapes Apimo's webservice sends (https://api.apimo.pro).
//
// Lists are `{"<collection>": […], "total_items": N}`, plus `"timestamp": <unix>` (the most
// recent item) on lists that take a `timestamp` filter. Ids and most numbers are JSON strings
// (`"id":"9"`) while booleans are real; both strings and numbers are accepted for ids and
// numbers, and ids are always sent back as strings. Dates are `YYYY-MM-DD HH:MM:SS` in the
// agency's local time, dates alone `YYYY-MM-DD`, times `HH:MM:SS`.

/// One page of an Apimo list.
struct ApimoListPage: Sendable, Hashable {
    /// The records, as received.
    var items: [ApimoRecord]
    /// `total_items`: the unpaginated total, when sent.
    var totalItems: Int?
    /// `timestamp`: the unix time of the most recent item, on timestamped lists.
    var timestamp: Int64?
    /// Each item's own text as the server sent it, when known (in item order).
    var itemTexts: [String]?

    /// `records`, mapped one for one from this page's items, each keeping its item's text as
    /// its raw text: every Apimo mapping keeps the item's fields themselves as `raw`.
    func keepingTexts<R: HubRecord>(_ records: [R]) -> [R] {
        itemTexts.map { MappedRecord.keepingRawTexts(records, $0) } ?? records
    }

    /// Reads a list answer whose records sit under `collection` (`users`, `actions`, ...).
    ///
    /// - Returns: `nil` when the answer is not an object, the collection is missing or not a
    ///   list, or an element is not an object.
    init?(json: JSONValue, collection: String) {
        guard case .object(let members) = json else { return nil }
        guard let list = members[collection] else { return nil }
        if list.isNull {
            items = []
        } else {
            guard let elements = list.arrayValue else { return nil }
            var records: [ApimoRecord] = []
            records.reserveCapacity(elements.count)
            for element in elements {
                guard let record = ApimoRecord(json: element) else { return nil }
                records.append(record)
            }
            items = records
        }
        totalItems = members["total_items"]?.intValue.map { Int($0) }
        timestamp = members["timestamp"]?.intValue
    }
}

/// One Apimo record: a JSON object kept exactly as received, with lenient readers.
struct ApimoRecord: WireObject, Hashable {
    var fields: [String: JSONValue]

    init(fields: [String: JSONValue]) { self.fields = fields }

    /// The id as a string (sent as a string, accepted as a number too).
    var id: String? { text("id") }

    /// The value of `name` as trimmed text (numbers rendered without a fraction), or `nil`
    /// when absent, null or blank.
    func text(_ name: String) -> String? { ApimoRecord.text(fields[name]) }

    /// The `id` member of an object-valued field (`city`, `user`), or the field itself when it
    /// is a bare id.
    func reference(_ name: String) -> String? {
        guard let value = fields[name] else { return nil }
        if case .object = value { return ApimoRecord.text(value["id"]) }
        return ApimoRecord.text(value)
    }

    /// The `name` member of an object-valued field (`city`, `region`), or the field itself when
    /// it is text.
    func name(_ field: String) -> String? {
        guard let value = fields[field] else { return nil }
        if case .object = value { return ApimoRecord.text(value["name"]) }
        return ApimoRecord.text(value)
    }

    func number(_ name: String) -> Double? { fields[name]?.doubleValue }

    func flag(_ name: String) -> Bool? { fields[name]?.boolValue }

    static func text(_ value: JSONValue?) -> String? {
        guard let value, let text = value.stringValue else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// Apimo's local date-times: `YYYY-MM-DD HH:MM:SS` without a zone.
///
/// Reading: the values are the agency's local time. Apimo is a French service whose daily quota
/// resets at midnight Paris time and whose sample answers carry `+0100` dates, so times are read
/// in `Europe/Paris` unless a record names its own `timezone` (users do).
enum ApimoTime {
    static let defaultZone = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 3600) ?? .gmt

    /// The instant of a local `YYYY-MM-DD HH:MM:SS` (or ISO 8601 with a zone, taken as is).
    ///
    /// - Parameters:
    ///   - text: the vendor's value.
    ///   - zone: the local time zone of the value.
    static func instant(_ text: String?, zone: TimeZone = defaultZone) -> Date? {
        guard let text, !text.isEmpty, text.hasPrefix("0000") == false else { return nil }
        guard let asUTC = Timestamp.parse(text) else { return nil }
        // A value with an explicit zone needs no local-time correction.
        if hasExplicitZone(text) { return asUTC }
        // Local wall-clock time → instant: subtract the zone's offset at that moment (computed
        // twice so that the offset is the one in force at the result, not at the UTC guess).
        let first = asUTC.addingTimeInterval(-Double(zone.secondsFromGMT(for: asUTC)))
        return asUTC.addingTimeInterval(-Double(zone.secondsFromGMT(for: first)))
    }

    /// The instant of a date (`YYYY-MM-DD`) and an optional time (`HH:MM:SS`), in `zone`.
    static func instant(date: String?, time: String?, zone: TimeZone = defaultZone) -> Date? {
        guard let date, CalendarDate.isValid(date) else { return nil }
        let clock = time.flatMap { $0.count >= 5 ? $0 : nil } ?? "00:00:00"
        let padded = clock.count == 5 ? clock + ":00" : clock
        return instant(date + " " + padded, zone: zone)
    }

    private static func hasExplicitZone(_ text: String) -> Bool {
        guard text.utf8.count > 19 else { return false }
        let tail = text.utf8.dropFirst(19)
        return tail.contains(UInt8(ascii: "Z")) || tail.contains(UInt8(ascii: "z")) || tail.contains(UInt8(ascii: "+"))
            || tail.contains(UInt8(ascii: "-"))
    }
}
