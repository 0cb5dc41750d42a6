import Foundation
import RealtyModel

// Lenient readers over a decoded payload. PF Expert sends ids as JSON numbers, but related
// objects arrive either as a bare id or, with `X-MyCRM-Expand-Data`, as the whole object, and
// numeric fields are sometimes strings ("studio" bedrooms, "1500" sizes). Reading through
// `JSONValue` keeps one parse per page and the untouched payload for `metadata.raw`.

/// A payload did not have the shape the documents describe.
struct PFExpertWireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The vendor resource being read (`users`, `leads`, ...).
    var resource: String
    /// What was wrong, naming the field.
    var reason: String

    var description: String { "PF Expert \(resource): \(reason)" }
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
        guard let id = text("id") else { throw PFExpertWireError(resource: resource, reason: "a record has no id") }
        return id
    }
}
