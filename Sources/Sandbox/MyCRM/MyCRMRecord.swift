import Foundation
import RealtyModel

/// One stored record of a MyCRM module, live or deleted.
///
/// Deleting keeps a tombstone with the deletion time as `modifiedAt`, the way the vendor marks
/// `deleted=1` and stamps `modifiedtime`, so `sync` can report the id as deleted.
struct MyCRMRecord: Sendable, Equatable {
    var module: String
    /// The record number (the part after `x` in the webservice id).
    var number: Int
    /// Every field of the module by name, values as strings ("" when empty), `id` included.
    var fields: [String: String]
    /// `modifiedtime` in unix seconds.
    var modifiedAt: Int
    var deleted: Bool = false

    var id: String { fields["id"] ?? "" }

    /// The record as the webservice returns it: fields in `describe` order.
    func json(in module: MyCRMModule) -> JSONValue {
        MyCRMWire.object(module.fieldNames.map { ($0, .string(fields[$0] ?? "")) })
    }

    /// The vendor's `Y-m-d H:i:s` timestamp text (UTC) for unix seconds: by arithmetic
    /// (``CivilTime``) for years 1970-9999 (every time the emulator makes), else by
    /// ``calendarTimestamp(_:)``, which it equals over that range.
    static func timestamp(_ seconds: Int) -> String {
        guard seconds >= 0, seconds < 253_402_300_800 else { return calendarTimestamp(seconds) }
        return CivilTime(Date(timeIntervalSince1970: TimeInterval(seconds))).dateTimeText
    }

    /// ``timestamp(_:)`` by Foundation's Gregorian calendar (any time).
    static func calendarTimestamp(_ seconds: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second],
            from: Date(timeIntervalSince1970: TimeInterval(seconds))
        )
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : String(value)
        }
        return "\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day)) "
            + "\(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
    }
}

/// The field values of one record in its module's `describe` order, one slot per field (every
/// field present, "" when empty): what a seeded record is drawn into, so that a query row is
/// written from it without a dictionary or a JSON tree (``rowText``), or it becomes a
/// ``MyCRMRecord`` (``record(number:)``).
struct MyCRMFieldValues {
    let module: MyCRMModule
    private let layout: MyCRMFieldLayout
    /// Values by field position (``MyCRMModule/fields`` order).
    private(set) var values: [String]
    /// `modifiedtime` in unix seconds.
    var modifiedAt = 0

    /// Values of `module`'s fields: those of `pairs` (in order; a field named twice keeps its
    /// last value, names not in the module are ignored), "" for the others.
    init(_ module: MyCRMModule, _ pairs: [(String, String)] = []) {
        self.module = module
        layout = MyCRMFieldLayout.of(module)
        values = Array(repeating: "", count: layout.keys.count)
        for (name, value) in pairs { self[name] = value }
    }

    /// The value of field `name`; `nil` for a name not in the module (setting one is ignored).
    subscript(name: String) -> String? {
        get { layout.slots[name].map { values[$0] } }
        set {
            guard let slot = layout.slots[name] else { return }
            values[slot] = newValue ?? ""
        }
    }

    /// The record with these values.
    func record(number: Int) -> MyCRMRecord {
        var fields: [String: String] = [:]
        fields.reserveCapacity(values.count)
        for (slot, name) in layout.names.enumerated() { fields[name] = values[slot] }
        return MyCRMRecord(module: module.name, number: number, fields: fields, modifiedAt: modifiedAt)
    }

    /// The record as a `select *` row: the same text as
    /// `MyCRMWire.text(record(number:).json(in: module), columns: module.fieldNames)`.
    func rowText() -> String {
        var out = "{"
        out.reserveCapacity(layout.keyBytes + values.count * 24)
        for (slot, key) in layout.keys.enumerated() {
            if slot > 0 { out += "," }
            out += key
            JSONValue.writeString(values[slot], into: &out)
        }
        out += "}"
        return out
    }
}

/// A module's fields by name and their member keys as written (`"name":`), computed once.
private struct MyCRMFieldLayout: Sendable {
    let names: [String]
    let slots: [String: Int]
    let keys: [String]
    let keyBytes: Int

    init(_ module: MyCRMModule) {
        names = module.fieldNames
        var slots: [String: Int] = [:]
        for (slot, name) in names.enumerated() where slots[name] == nil { slots[name] = slot }
        self.slots = slots
        keys = names.map { name in
            var key = ""
            JSONValue.writeString(name, into: &key)
            return key + ":"
        }
        keyBytes = keys.reduce(2) { $0 + $1.utf8.count + 3 }
    }

    private static let known: [String: MyCRMFieldLayout] = Dictionary(
        MyCRMModule.all.map { ($0.name, MyCRMFieldLayout($0)) }, uniquingKeysWith: { first, _ in first })

    static func of(_ module: MyCRMModule) -> MyCRMFieldLayout {
        if let layout = known[module.name], layout.names.count == module.fields.count { return layout }
        return MyCRMFieldLayout(module)
    }
}
