public import Foundation
public import RealtyModel

// Lenient readers over a decoded payload, for vendors whose documents show no field types: ids
// may be numbers or strings, related records may be bare ids or nested objects (an "expand"
// option), numeric fields are sometimes strings and flags may be 0/1 or words. Reading through
// `JSONValue` keeps one parse per page and the untouched payload for `metadata.raw`.

extension JSONValue {
    /// A non-empty string (numbers rendered as text); `nil` for null, a boolean, empty or absent.
    ///
    /// - Parameter key: the member name.
    public func text(_ key: String) -> String? {
        guard let value = self[key]?.stringValue, !value.isEmpty else { return nil }
        if case .bool = self[key] { return nil }
        return value
    }

    /// A number, accepting numeric strings.
    ///
    /// - Parameter key: the member name.
    public func number(_ key: String) -> Double? { self[key]?.doubleValue }

    /// An integral number, accepting numeric strings.
    ///
    /// - Parameter key: the member name.
    public func integer(_ key: String) -> Int? { self[key]?.intValue.flatMap { Int(exactly: $0) } }

    /// A boolean, accepting 0/1 and "true"/"false".
    ///
    /// - Parameter key: the member name.
    public func flag(_ key: String) -> Bool? { self[key]?.boolValue }

    /// An instant: ISO 8601 (`2012-04-04T09:14:57Z`), also with a space or no zone (read as UTC).
    ///
    /// - Parameter key: the member name.
    public func timestamp(_ key: String) -> Date? { self[key]?.stringValue.flatMap(Timestamp.parse) }

    /// The id of a related object sent either as a bare id (`"user": 123`) or as an object
    /// (`"user": {"id": 123, ...}`, the expanded form).
    ///
    /// - Parameter key: the member name.
    public func relatedID(_ key: String) -> String? {
        guard let value = self[key] else { return nil }
        switch value {
        case .object: return value.text("id")
        case .number, .string:
            guard let id = value.stringValue, !id.isEmpty else { return nil }
            return id
        default: return nil
        }
    }

    /// The record id (`id`), required on every record a vendor list returns.
    ///
    /// - Parameters:
    ///   - vendor: the vendor, for the error.
    ///   - resource: the vendor resource being read (`users`, `leads`, ...), for the error.
    /// - Returns: the id as text.
    /// - Throws: ``WirePayloadError`` when the record has no id.
    public func requiredID(vendor: VendorID, resource: String) throws -> String {
        guard let id = text("id") else { throw WirePayloadError(vendor: vendor, resource: resource, reason: "a record has no id") }
        return id
    }

    /// The first present text among `keys` (a field read under each spelling the vendor's
    /// versions have used).
    ///
    /// - Parameter keys: the member names, most current first.
    public func firstText(_ keys: String...) -> String? {
        for key in keys { if let value = text(key) { return value } }
        return nil
    }

    /// The first present related id among `keys`.
    ///
    /// - Parameter keys: the member names, most current first.
    public func firstRelatedID(_ keys: String...) -> String? {
        for key in keys { if let value = relatedID(key) { return value } }
        return nil
    }

    /// The first present timestamp among `keys`.
    ///
    /// - Parameter keys: the member names, most current first.
    public func firstTimestamp(_ keys: String...) -> Date? {
        for key in keys { if let value = timestamp(key) { return value } }
        return nil
    }
}
