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

    /// The vendor's `Y-m-d H:i:s` timestamp text (UTC) for unix seconds.
    static func timestamp(_ seconds: Int) -> String {
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
