import Foundation
import RealtyModel

/// Labels of Apimo's coded values (`type`, `status`, `group`, ...), read from
/// `GET /catalogs/{catalog}?culture=en`: `[{"id": 1, "name": "Apartment", ...}]`.
///
/// Only the catalogs the mapping needs are read, once per connector, because every request
/// counts against the daily quota.
struct ApimoCatalogs: Sendable, Hashable {
    /// The catalogs the mapping reads.
    enum Name: String, Sendable, Hashable, CaseIterable {
        case propertyType = "property_type"
        case propertySubtype = "property_subtype"
        case propertyStatus = "property_status"
        case unitArea = "unit_area"
        case actionType = "action_type"
    }

    /// Catalog name → (id as string → English label).
    var labels: [Name: [String: String]] = [:]

    /// The label of `id` in `catalog`, when known.
    func label(_ catalog: Name, _ id: String?) -> String? {
        guard let id else { return nil }
        return labels[catalog]?[id]
    }

    /// Reads a catalog answer: a list of `{id, name}` entries (a `{"<name>": [...]}` wrapper is
    /// accepted too).
    ///
    /// - Returns: `nil` when the answer holds no list of entries.
    static func entries(from json: JSONValue) -> [String: String]? {
        var list = json.arrayValue
        if list == nil, case .object(let members) = json {
            list = members.values.first { $0.arrayValue != nil }?.arrayValue
        }
        guard let list else { return nil }
        var labels: [String: String] = [:]
        for entry in list {
            guard let id = ApimoRecord.text(entry["id"]), let name = ApimoRecord.text(entry["name"]) else { continue }
            labels[id] = name
        }
        return labels
    }
}
