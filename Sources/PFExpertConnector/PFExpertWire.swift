import ConnectorKit
import Foundation
import RealtyModel

// The records PF Expert's legacy API ("MyCRM API v2") returns, read leniently from the decoded
// payload. Field names follow the documentation pages and the lead object published with it;
// everything a record carries beyond these stays in `raw`.

/// A CRM user: `GET /users` items under `users`, `GET /users/{id}` under `user`.
struct PFUser: Sendable, Hashable {
    var id: String
    var firstName: String?
    var lastName: String?
    var email: String?
    var mobile: String?
    var phone: String?
    /// `active` / `inactive` (also read from a boolean `active` or `is_active`).
    var status: String?
    var active: Bool?
    var position: String?
    var role: String?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .pfExpert, resource: "users")
        firstName = json.text("first_name")
        lastName = json.text("last_name")
        email = json.text("email")
        mobile = json.text("mobile")
        phone = json.text("phone")
        status = json.text("status")
        active = json.flag("active") ?? json.flag("is_active")
        position = json.text("position") ?? json.text("job_title")
        // `role` is a name or an expanded object with a name.
        role = json.text("role") ?? json["role"]?.text("name")
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}

/// A property listing: `GET /properties` items under `properties`.
struct PFProperty: Sendable, Hashable {
    var id: String
    var reference: String?
    /// `draft`, `available`, `rented`, `under offer`, `reserved`, `sold`.
    var status: String?
    /// `residential` or `commercial` (top level, or inside an expanded `type`).
    var category: String?
    /// `sale` or `rent` (inside `price`, or top level).
    var offeringType: String?
    /// The property type's name when `type` is expanded (`Apartment`, `Villa`, ...).
    var typeName: String?
    var price: Double?
    var bedrooms: Int?
    var bathrooms: Int?
    var size: Double?
    var unitNumber: String?
    /// `completed`, `off_plan`, ...
    var projectStatus: String?
    var city: String?
    var community: String?
    var subCommunity: String?
    var tower: String?
    var latitude: Double?
    var longitude: Double?
    var title: String?
    var description: String?
    var userID: String?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .pfExpert, resource: "properties")
        reference = json.text("reference")
        status = json.text("status")
        let type = json["type"]
        category = json.text("category") ?? type?.text("category")
        typeName = type?.text("name")
        let priceObject = json["price"]
        offeringType = priceObject?.text("offering_type") ?? json.text("offering_type")
        // `price.value`, else the first of `price.prices[]`; a bare number is accepted too.
        if case .object = priceObject {
            price =
                priceObject?.number("value")
                ?? priceObject?["prices"]?.arrayValue?.first?.number("value")
        } else {
            price = json.number("price")
        }
        bedrooms = Self.roomCount(json["bedrooms"], zeroWords: ["studio"])
        bathrooms = Self.roomCount(json["bathrooms"], zeroWords: ["none"])
        size = json.number("size") ?? json.number("built_up_area")
        unitNumber = json.text("unit_number")
        projectStatus = json.text("project_status")
        let location = json["location"]
        city = location?.text("city")
        community = location?.text("community")
        subCommunity = location?.text("sub_community")
        tower = location?.text("tower")
        latitude = location?.number("latitude")
        longitude = location?.number("longitude")
        // Texts per language: `languages: {en: {title, description}, ar: {...}}`; English first.
        let languages = json["languages"]
        let english = languages?["en"]
        var anyLanguage: JSONValue?
        if case .object(let byCode) = languages { anyLanguage = byCode.keys.sorted().first.flatMap { byCode[$0] } }
        title = english?.text("title") ?? anyLanguage?.text("title") ?? json.text("title")
        description = english?.text("description") ?? anyLanguage?.text("description") ?? json.text("description")
        userID = json.relatedID("user")
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }

    /// Bedrooms and bathrooms come as numbers, numeric strings, or words for none ("studio").
    private static func roomCount(_ value: JSONValue?, zeroWords: Set<String>) -> Int? {
        guard let value else { return nil }
        if let count = value.intValue { return Int(exactly: count) }
        if let word = value.stringValue?.lowercased(), zeroWords.contains(word) { return 0 }
        return nil
    }
}

/// A lead: `GET /leads` items under `leads`.
struct PFLead: Sendable, Hashable {
    var id: String
    var title: String?
    var firstName: String?
    var middleName: String?
    var lastName: String?
    var email: String?
    var mobile: String?
    var phone: String?
    var address: String?
    var pobox: String?
    var city: String?
    var country: String?
    var status: String?
    var source: String?
    var sourceChannel: String?
    var userID: String?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .pfExpert, resource: "leads")
        title = json.text("title")
        firstName = json.text("first_name")
        middleName = json.text("middle_name")
        lastName = json.text("last_name")
        email = json.text("email")
        mobile = json.text("mobile")
        phone = json.text("phone")
        address = json.text("address")
        pobox = json.text("pobox")
        city = json.text("city")
        country = json.text("country")
        status = json.text("status")
        source = json.text("source")
        sourceChannel = json.text("source_channel")
        userID = json.relatedID("user")
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}

/// A WhatsApp lead: `GET /whatsapp-leads` items under `whatsapp`.
struct PFWhatsAppLead: Sendable, Hashable {
    var id: String
    var phone: String?
    var status: String?
    var userID: String?
    var propertyReference: String?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .pfExpert, resource: "whatsapp-leads")
        phone = json.text("phone")
        status = json.text("status")
        userID = json.relatedID("user")
        propertyReference = json.text("property_reference")
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}

/// A tracked call: `GET /calltrackings` items under `call_trackings`.
struct PFCallTracking: Sendable, Hashable {
    var id: String
    var phone: String?
    var callTime: Date?
    /// Seconds, when the record carries a duration.
    var duration: Double?
    var leadID: String?
    var userID: String?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .pfExpert, resource: "calltrackings")
        phone = json.text("phone")
        callTime = json.timestamp("call_time")
        duration = json.number("duration")
        leadID = json.relatedID("lead")
        userID = json.relatedID("user")
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}

/// A location: `GET /locations` items under the (singular) key `location`.
public struct PFLocation: Sendable, Hashable {
    /// The location id (`are.3.12` style ids are strings; numbers are rendered as text).
    public var id: String
    public var city: String?
    public var community: String?
    public var subCommunity: String?
    public var tower: String?
    public var latitude: Double?
    public var longitude: Double?

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .pfExpert, resource: "locations")
        city = json.text("city")
        community = json.text("community")
        subCommunity = json.text("sub_community")
        tower = json.text("tower")
        latitude = json.number("latitude")
        longitude = json.number("longitude")
    }
}

/// A list answer: `{"count": N, "page": P, "per_page": PP, "<key>": [...]}`.
struct PFListPage: Sendable, Hashable {
    var count: Int?
    var page: Int?
    var perPage: Int?
    var items: [JSONValue]
    /// Each item's text as the vendor sent it, when known (in item order).
    var itemTexts: [String]?

    /// Reads the list under `key`.
    /// - Throws: ``WirePayloadError`` when the answer is not an object or `key` is not a list.
    init(json: JSONValue, key: String, resource: String) throws {
        guard case .object = json else {
            throw WirePayloadError(vendor: .pfExpert, resource: resource, reason: "the list answer is not a JSON object")
        }
        count = json.integer("count")
        page = json.integer("page")
        perPage = json.integer("per_page")
        switch json[key] {
        case .array(let elements): items = elements
        case .null, nil:
            // An empty list may be sent as `null` or left out; `count` then says 0.
            guard (count ?? 0) == 0 else {
                throw WirePayloadError(vendor: .pfExpert, resource: resource, reason: "the answer has no \"\(key)\" list")
            }
            items = []
        default:
            throw WirePayloadError(vendor: .pfExpert, resource: resource, reason: "\"\(key)\" is not a list")
        }
    }
}
