import Foundation
import RealtyModel

// Lenient readers over a decoded payload. The Boston Logic document shows no field types: ids
// may be numbers or strings, related records may be bare ids or nested objects, and flags may be
// booleans or "active"/"inactive" words. Reading through `JSONValue` keeps one parse per page and
// the untouched payload for `metadata.raw`.

/// A payload did not have the shape the documents describe.
struct BostonLogicWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The vendor resource being read (`offices`, `leads`, ...).
    var resource: String
    /// What was wrong, naming the field.
    var reason: String

    var description: String { "Boston Logic \(resource): \(reason)" }
}

extension JSONValue {
    /// A non-empty string (numbers rendered as text); `nil` for null, empty or absent.
    func text(_ key: String) -> String? {
        guard let value = self[key]?.stringValue, !value.isEmpty else { return nil }
        if case .bool = self[key] { return nil }
        return value
    }

    /// A number, accepting numeric strings.
    func number(_ key: String) -> Double? { self[key]?.doubleValue }

    /// An integral number, accepting numeric strings.
    func integer(_ key: String) -> Int? { self[key]?.intValue.flatMap { Int(exactly: $0) } }

    /// A boolean, accepting 0/1 and "true"/"false".
    func flag(_ key: String) -> Bool? { self[key]?.boolValue }

    /// An instant: ISO 8601 (`2012-04-04T09:14:57Z`), also with a space or no zone (read as UTC).
    func timestamp(_ key: String) -> Date? { self[key]?.stringValue.flatMap(Timestamp.parse) }

    /// The id of a related object sent either as a bare id (`"user": 123`) or as an object
    /// (`"user": {"id": 123, ...}`, the expanded form).
    func relatedID(_ key: String) -> String? {
        guard let value = self[key] else { return nil }
        switch value {
        case .object: return value.text("id")
        case .number, .string:
            guard let id = value.stringValue, !id.isEmpty else { return nil }
            return id
        default: return nil
        }
    }

    /// The record id, required on every record the API returns.
    func requiredID(resource: String) throws -> String {
        guard let id = text("id") else { throw BostonLogicWireError(resource: resource, reason: "a record has no id") }
        return id
    }
}

extension JSONValue {
    /// The first present text among `keys` (the document names few fields, so a field is read
    /// under each spelling the vendor's versions have used).
    func firstText(_ keys: String...) -> String? {
        for key in keys { if let value = text(key) { return value } }
        return nil
    }

    /// The first present related id among `keys`.
    func firstRelatedID(_ keys: String...) -> String? {
        for key in keys { if let value = relatedID(key) { return value } }
        return nil
    }

    /// The first present timestamp among `keys`.
    func firstTimestamp(_ keys: String...) -> Date? {
        for key in keys { if let value = timestamp(key) { return value } }
        return nil
    }

    /// Whether a record is active: a boolean `active`, or an `active_status`/`status` word.
    var activeFlag: Bool? {
        if let flag = self["active"], case .bool(let active) = flag { return active }
        for key in ["active_status", "status"] {
            switch text(key)?.lowercased() {
            case "active", "activated", "enabled": return true
            case "inactive", "deactivated", "disabled": return false
            default: continue
            }
        }
        return flag("active")
    }
}
