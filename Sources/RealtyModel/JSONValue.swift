import Foundation

/// An arbitrary JSON value, used to keep a vendor's payload exactly as it was received.
///
/// Objects keep their keys in a dictionary: key order is not significant in JSON, and encoding
/// sorts keys so a payload always serialises the same way. Numbers keep their literal text
/// (``JSONNumber``), so nothing a vendor sent is rounded: parse vendor bytes with
/// ``init(parsing:)-(Data)`` and write them with ``jsonText``.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings and objects dominate vendor payloads, so they are tried first; JSONDecoder
        // never converts between JSON types, so the order does not change the result.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(JSONNumber.self) {
            self = .number(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// The member named `key` when this is an object.
    /// Setting a member of an object adds, replaces or (with `nil`) removes it; setting on any
    /// other value does nothing.
    public subscript(key: String) -> JSONValue? {
        get {
            if case .object(let members) = self { return members[key] }
            return nil
        }
        set {
            guard case .object(var members) = self else { return }
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The members when this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The string value, or a number rendered as text (vendors disagree on id types).
    public var stringValue: String? {
        switch self {
        case .string(let value): return value
        case .number(let value): return value.text
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }

    /// The numeric value, or a string that parses as a number.
    public var doubleValue: Double? {
        switch self {
        case .number(let value): return value.doubleValue
        case .string(let value): return Double(value.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// The integer value, when the number (or numeric string) is integral.
    public var intValue: Int64? {
        if case .number(let value) = self { return value.int64Value }
        guard let double = doubleValue, double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return Int64(double)
    }

    /// The exact number when this is a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The boolean value, accepting the usual vendor spellings ("1", "true", "yes").
    public var boolValue: Bool? {
        switch self {
        case .bool(let value): return value
        case .number(let value): return value.doubleValue != 0
        case .string(let value):
            switch value.lowercased() {
            case "1", "true", "yes", "y": return true
            case "0", "false", "no", "n", "": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// The elements when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this value is JSON `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
