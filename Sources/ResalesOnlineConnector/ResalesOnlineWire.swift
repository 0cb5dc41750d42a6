import Foundation
public import RealtyModel

// The shapes of Resales Online's PropQ API 1.7.0 ("New Development updates"). Field names are
// the vendor's prefixed PascalCase (`UntName`, `DevStatus`).

/// A unit's sale status as PropQ numbers it (`UntStatus`): 1 AVAILABLE, 2 HOLD, 4 SOLD, 8 RESERVED.
public enum UnitStatus: Int, Sendable, Hashable, CaseIterable, Codable {
    case available = 1
    case hold = 2
    case sold = 4
    case reserved = 8

    /// The vendor's name for the status (`AVAILABLE`, `HOLD`, `SOLD`, `RESERVED`).
    public var name: String {
        switch self {
        case .available: return "AVAILABLE"
        case .hold: return "HOLD"
        case .sold: return "SOLD"
        case .reserved: return "RESERVED"
        }
    }

    /// The RESO StandardStatus closest to the unit status.
    public var standardStatus: String {
        switch self {
        case .available: return "Active"
        case .hold: return "Hold"
        case .sold: return "Closed"
        case .reserved: return "Pending"
        }
    }

    /// The unit status for a RESO StandardStatus, when one corresponds.
    public init?(standardStatus: String) {
        switch standardStatus {
        case "Active": self = .available
        case "Hold": self = .hold
        case "Closed": self = .sold
        case "Pending", "Active Under Contract": self = .reserved
        default: return nil
        }
    }
}

/// The new state of one development unit, sent to `update-by-name`.
///
/// The document marks every field required (`UntStatus`, `UntPrice`, `UntDirections`), so a
/// change always carries all three; the unit's name travels separately (`UntName`).
public struct UnitChanges: Sendable, Hashable {
    /// The new status (`UntStatus`).
    public var status: UnitStatus
    /// The new price (`UntPrice`), in the development's currency.
    public var price: Double
    /// The new list of directions (`UntDirections`), such as `["South", "West"]`. The document
    /// types it only as "array"; this reading sends strings.
    public var directions: [String]

    /// Creates a change.
    /// - Parameters:
    ///   - status: the unit's new status.
    ///   - price: the unit's new price; must be zero or more and finite.
    ///   - directions: the unit's new orientation list (may be empty).
    public init(status: UnitStatus, price: Double, directions: [String]) {
        self.status = status
        self.price = price
        self.directions = directions
    }

    /// Field errors for values PropQ would refuse, named with the vendor's field names.
    public func validate(unitName: String) -> [FieldError] {
        var errors: [FieldError] = []
        if !FieldRules.isPresent(unitName) { errors.append(FieldError(field: "UntName", message: "is required")) }
        if !price.isFinite || price < 0 { errors.append(FieldError(field: "UntPrice", message: "must be zero or more")) }
        return errors
    }
}

/// The JSON body of `POST /v1/developments/{id}/units/update-by-name`.
struct UnitUpdateBody: Encodable, Sendable, Hashable {
    var name: String
    var status: Int
    var price: Double
    var directions: [String]

    enum CodingKeys: String, CodingKey {
        case name = "UntName"
        case status = "UntStatus"
        case price = "UntPrice"
        case directions = "UntDirections"
    }

    init(unitName: String, changes: UnitChanges) {
        name = unitName
        status = changes.status.rawValue
        price = changes.price
        directions = changes.directions
    }
}

/// A development's publication state (`DevStatus`), as PropQ reports it.
///
/// Only `PUBLISHING` appears in the document; the other names are the states a publication
/// evidently passes through. Any other value the vendor sends is kept as is.
public struct PublishStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Publication is under way.
    public static let publishing = PublishStatus(rawValue: "PUBLISHING")
    /// Publication finished.
    public static let published = PublishStatus(rawValue: "PUBLISHED")
    /// Never published, or withdrawn.
    public static let unpublished = PublishStatus(rawValue: "UNPUBLISHED")
    /// Publication failed.
    public static let failed = PublishStatus(rawValue: "FAILED")

    /// Whether publishing is still running (callers poll until it is not).
    public var isInProgress: Bool { rawValue.uppercased() == Self.publishing.rawValue }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The answer of `GET /v1/developments/{id}/publish-status`: `{"DevStatus": "PUBLISHING"}`.
struct PublishStatusBody: Sendable, Hashable {
    var status: PublishStatus
    var raw: JSONValue

    /// - Throws: ``ResalesOnlineWireError`` when `DevStatus` is missing.
    init(json: JSONValue) throws {
        guard let status = json["DevStatus"]?.stringValue, !status.isEmpty else {
            throw ResalesOnlineWireError(reason: "the publish status answer has no DevStatus")
        }
        self.status = PublishStatus(rawValue: status)
        raw = json
    }
}

/// A PropQ answer did not have the documented shape.
struct ResalesOnlineWireError: Error, Sendable, Hashable, CustomStringConvertible {
    var reason: String
    var description: String { "Resales Online: \(reason)" }
}

/// PropQ's error body. The document shows none; this reads the forms a Laravel application
/// (which the 419 status suggests) sends: `{"message": "...", "errors": {"UntName": ["..."]}}`,
/// and also `errors` as a list of strings or of `{field, message}` objects, or a lone `error`.
struct ResalesOnlineErrorBody: Sendable, Hashable {
    var message: String?
    var fieldErrors: [FieldError]

    /// Reads an error body; `nil` when the body is not a JSON object.
    init?(data: Data) {
        guard !data.isEmpty, let json = try? JSONValue(parsing: data),
            case .object(let members) = json
        else { return nil }
        message =
            members["message"]?.stringValue ?? members["error"]?.stringValue
            ?? members["error_description"]?.stringValue
        var errors: [FieldError] = []
        switch members["errors"] {
        case .object(let byField):
            for field in byField.keys.sorted() {
                switch byField[field] {
                case .array(let messages):
                    for message in messages.compactMap(\.stringValue) { errors.append(FieldError(field: field, message: message)) }
                case .some(let value):
                    if let message = value.stringValue { errors.append(FieldError(field: field, message: message)) }
                case nil: break
                }
            }
        case .array(let elements):
            for element in elements {
                if let message = element.stringValue {
                    errors.append(FieldError(field: "", message: message))
                } else if let message = element["message"]?.stringValue {
                    errors.append(FieldError(field: element["field"]?.stringValue ?? "", message: message))
                }
            }
        default: break
        }
        fieldErrors = errors
    }
}
