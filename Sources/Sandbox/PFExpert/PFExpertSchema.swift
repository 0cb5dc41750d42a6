/// The type of a PF Expert record field, used to validate writes, read filters and sort.
enum PFFieldType: Sendable, Hashable {
    case string
    /// A string that must look like an email address.
    case email
    case integer
    case number
    case boolean
    /// A string from a fixed set of values.
    case oneOf([String])
    /// A date-time string (ISO-8601, `2012-04-04T09:14:57Z`).
    case dateTime
    /// A related record of another resource, written as `{"id": n}` (or a bare id on input).
    case relation(PFResource)
    /// A free-form JSON object (e.g. `price`, `languages`).
    case object
    /// A free-form JSON array (e.g. `preferences`).
    case array
}

/// One field of a resource.
struct PFField: Sendable, Hashable {
    var name: String
    var type: PFFieldType
    /// Clients may write it (id and timestamps are server-managed).
    var writable = true
    /// Must be present and not blank on create and on full replace (PUT).
    var required = false
}

/// The resources the PF Expert emulator serves, with their paths and JSON keys.
///
/// Keys follow the seed and the public notes: single records are wrapped in a singular key
/// (`user`, `property`, `lead`), lists in a plural key (`users`, `properties`, `leads`), with
/// the documented exceptions `location` (locations list key is singular), `whatsapp` and
/// `call_trackings`.
enum PFResource: String, CaseIterable, Sendable, Hashable {
    case users
    case properties
    case leads
    case locations
    case whatsappLeads = "whatsapp-leads"
    case calltrackings

    /// The path segment (`/users`).
    var path: String { rawValue }

    /// Key wrapping one record, and the key of error bodies on this resource's routes.
    var singularKey: String {
        switch self {
        case .users: "user"
        case .properties: "property"
        case .leads: "lead"
        case .locations: "location"
        case .whatsappLeads: "whatsapp"
        case .calltrackings: "call_tracking"
        }
    }

    /// Key wrapping the records of a list.
    var listKey: String {
        switch self {
        case .users: "users"
        case .properties: "properties"
        case .leads: "leads"
        case .locations: "location"
        case .whatsappLeads: "whatsapp"
        case .calltrackings: "call_trackings"
        }
    }

    /// Human name for messages (`User 12 not found`).
    var displayName: String {
        switch self {
        case .users: "User"
        case .properties: "Property"
        case .leads: "Lead"
        case .locations: "Location"
        case .whatsappLeads: "WhatsApp lead"
        case .calltrackings: "Call tracking"
        }
    }

    /// Whether clients may create, update and delete records. The hub writes properties and
    /// leads; the seed's own create example is a user. Locations, WhatsApp leads and call
    /// trackings are read-only (they come from Property Finder itself).
    var isWritable: Bool {
        switch self {
        case .users, .properties, .leads: true
        case .locations, .whatsappLeads, .calltrackings: false
        }
    }

    /// Related collections returned only when asked with `X-MyCRM-Expand-Data`, as
    /// `(name, resource, field of that resource pointing back here)`.
    var collections: [(name: String, resource: PFResource, backReference: String)] {
        switch self {
        case .users: [("properties", .properties, "user"), ("leads", .leads, "user")]
        case .leads: [("call_trackings", .calltrackings, "lead")]
        case .properties, .locations, .whatsappLeads, .calltrackings: []
        }
    }

    /// Lookup keys written to the sandbox write log.
    var logKeys: [(logName: String, path: [String])] {
        switch self {
        case .users, .leads: [("email", ["email"]), ("phone", ["mobile"]), ("reference", ["reference"])]
        case .properties: [("reference", ["reference"])]
        case .locations, .whatsappLeads, .calltrackings: []
        }
    }

    static let propertyStatuses = ["draft", "available", "rented", "under offer", "reserved", "sold"]
    static let propertyStates = ["draft", "pending", "approved", "refused", "archived"]
    static let offeringTypes = ["rent", "sale"]
    static let furnishings = ["furnished", "unfurnished", "semi-furnished"]
    static let categories = ["commercial", "residential"]
    static let leadStatuses = ["new", "contacted", "qualified", "viewing", "negotiation", "won", "lost"]
    static let leadQualities = ["hot", "warm", "cold"]

    /// The fields of a record, in the order they are described.
    var fields: [PFField] {
        let common = [
            PFField(name: "id", type: .integer, writable: false),
            PFField(name: "created_at", type: .dateTime, writable: false),
            PFField(name: "updated_at", type: .dateTime, writable: false),
        ]
        switch self {
        case .users:
            return common + [
                PFField(name: "first_name", type: .string, required: true),
                PFField(name: "last_name", type: .string, required: true),
                PFField(name: "email", type: .email, required: true),
                PFField(name: "mobile", type: .string),
                PFField(name: "phone", type: .string),
                PFField(name: "status", type: .oneOf(["active", "inactive"])),
                PFField(name: "role", type: .oneOf(["agent", "manager", "admin"])),
                PFField(name: "position", type: .string),
                PFField(name: "languages", type: .array),
            ]
        case .properties:
            return common + [
                PFField(name: "reference", type: .string),
                PFField(name: "draft", type: .boolean),
                PFField(name: "status", type: .oneOf(Self.propertyStatuses)),
                PFField(name: "state", type: .oneOf(Self.propertyStates)),
                PFField(name: "category", type: .oneOf(Self.categories)),
                PFField(name: "type", type: .object, required: true),
                PFField(name: "price", type: .object, required: true),
                PFField(name: "bedrooms", type: .integer),
                PFField(name: "bathrooms", type: .integer),
                PFField(name: "size", type: .number),
                PFField(name: "furnished", type: .oneOf(Self.furnishings)),
                PFField(name: "unit_number", type: .string),
                PFField(name: "languages", type: .object),
                PFField(name: "listing_level", type: .object),
                PFField(name: "images", type: .array),
                PFField(name: "user", type: .relation(.users)),
                PFField(name: "location", type: .relation(.locations), required: true),
            ]
        case .leads:
            return common + [
                PFField(name: "title", type: .string),
                PFField(name: "first_name", type: .string, required: true),
                PFField(name: "middle_name", type: .string),
                PFField(name: "last_name", type: .string),
                PFField(name: "email", type: .email),
                PFField(name: "mobile", type: .string),
                PFField(name: "phone", type: .string),
                PFField(name: "address", type: .string),
                PFField(name: "city", type: .string),
                PFField(name: "country", type: .string),
                PFField(name: "status", type: .oneOf(Self.leadStatuses)),
                PFField(name: "quality", type: .oneOf(Self.leadQualities)),
                PFField(name: "source", type: .string),
                PFField(name: "source_channel", type: .string),
                PFField(name: "reference", type: .string),
                PFField(name: "notes", type: .string),
                PFField(name: "created_by", type: .integer, writable: false),
                PFField(name: "preferences", type: .array),
                PFField(name: "user", type: .relation(.users)),
            ]
        case .locations:
            return common + [
                PFField(name: "city", type: .string),
                PFField(name: "community", type: .string),
                PFField(name: "sub_community", type: .string),
                PFField(name: "tower", type: .string),
                PFField(name: "latitude", type: .number),
                PFField(name: "longitude", type: .number),
            ]
        case .whatsappLeads:
            return common + [
                PFField(name: "phone", type: .string),
                PFField(name: "status", type: .oneOf(["new", "read", "replied"])),
                PFField(name: "message", type: .string),
                PFField(name: "property_reference", type: .string),
                PFField(name: "user", type: .relation(.users)),
            ]
        case .calltrackings:
            return common + [
                PFField(name: "phone", type: .string),
                PFField(name: "call_time", type: .dateTime),
                PFField(name: "duration", type: .integer),
                PFField(name: "status", type: .oneOf(["answered", "missed"])),
                PFField(name: "lead", type: .relation(.leads)),
                PFField(name: "user", type: .relation(.users)),
            ]
        }
    }

    /// The field named `name`, or `nil`.
    func field(_ name: String) -> PFField? {
        fields.first { $0.name == name }
    }

    /// The relations of a record (expandable with `X-MyCRM-Expand-Data`).
    var relations: [(name: String, resource: PFResource)] {
        fields.compactMap { field in
            if case .relation(let target) = field.type { (field.name, target) } else { nil }
        }
    }
}
