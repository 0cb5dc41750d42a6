import ConnectorKit
import Foundation
import RealtyModel

// The records of the Boston Logic Platform API (`/api/v2/...`). The document lists the resources
// and a few fields from its change log (agent_id, team_id, owner_id and owner_type on leads;
// mls_id and mls_name on property views and notes; user_id on agents, employees and teams;
// team_office_id on teams; UTM parameters and referral_source_domain on leads). Field tables are
// not public, so the other names are the Rails-style snake_case names the API uses elsewhere,
// read under each plausible spelling; everything a record carries stays in `raw`.

/// The envelope of every answer: `{"status", "message", "data" | "errors"}`.
struct BostonLogicEnvelope: Sendable, Hashable {
    /// `success`, `failure` or `unauthorized`.
    var status: String?
    var message: String?
    /// An object or a list on success; absent on failure.
    var data: JSONValue?
    var errors: [String]
    var raw: JSONValue

    init(json: JSONValue) throws {
        guard case .object(let members) = json else {
            throw WirePayloadError(vendor: .bostonLogic, resource: "response", reason: "the answer is not a JSON object")
        }
        status = json.text("status")
        message = json.text("message")
        data = members["data"]
        switch members["errors"] {
        case .array(let elements): errors = elements.compactMap(\.stringValue)
        case .string(let error): errors = [error]
        case .object(let byField):
            // Accept Rails' `{"name": ["must be unique"]}` form too.
            errors = byField.keys.sorted().flatMap { field in
                (byField[field]?.arrayValue ?? byField[field].map { [$0] } ?? [])
                    .compactMap(\.stringValue).map { "\(field) \($0)" }
            }
        default: errors = []
        }
        raw = json
    }

    /// Whether the envelope reports success.
    var isSuccess: Bool { status?.lowercased() == "success" }

    /// The list under `data` (an empty list when `data` is null).
    func list(resource: String) throws -> [JSONValue] {
        switch data {
        case .array(let elements): return elements
        case .null, nil: return []
        case .object(let members):
            // A list nested one level down (`{"data": {"offices": [...]}}`) is accepted.
            if members.count == 1, let only = members.values.first, case .array(let elements) = only { return elements }
            throw WirePayloadError(vendor: .bostonLogic, resource: resource, reason: "\"data\" is an object where a list was expected")
        default:
            throw WirePayloadError(vendor: .bostonLogic, resource: resource, reason: "\"data\" is not a list")
        }
    }

    /// The single record under `data`.
    func object(resource: String) throws -> JSONValue {
        switch data {
        case .object(let members):
            // Accept a record wrapped in its singular key (`{"data": {"lead": {...}}}`).
            if members.count == 1, let only = members.values.first, case .object = only, members["id"] == nil { return only }
            return .object(members)
        default:
            throw WirePayloadError(vendor: .bostonLogic, resource: resource, reason: "\"data\" is not a record")
        }
    }
}

/// An office: `GET /api/v2/offices`.
struct BLOffice: Sendable, Hashable {
    var id: String
    var name: String?
    var email: String?
    var phone: String?
    var address: String?
    var city: String?
    var state: String?
    var postalCode: String?
    var country: String?
    var active: Bool?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .bostonLogic, resource: "offices")
        name = json.firstText("name", "office_name")
        email = json.text("email")
        phone = json.firstText("phone", "phone_number", "office_phone")
        let address = json["address"]
        if case .object = address {
            self.address = address?.firstText("address1", "address_1", "street", "street_address", "line1")
            city = address?.text("city") ?? json.text("city")
            state = address?.firstText("state", "state_code", "province") ?? json.firstText("state", "state_code")
            postalCode = address?.firstText("zip", "zip_code", "postal_code") ?? json.firstText("zip", "zip_code", "postal_code")
            country = address?.text("country") ?? json.text("country")
        } else {
            self.address = json.firstText("address", "address1", "address_1", "street_address")
            city = json.text("city")
            state = json.firstText("state", "state_code", "province")
            postalCode = json.firstText("zip", "zip_code", "postal_code")
            country = json.text("country")
        }
        active = json.activeFlag
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}

/// An agent (`/api/v2/agents`) or employee (`/api/v2/employees`); both are people of the brokerage.
struct BLPerson: Sendable, Hashable {
    var id: String
    var firstName: String?
    var lastName: String?
    var fullName: String?
    var email: String?
    var mobilePhone: String?
    var directPhone: String?
    var officePhone: String?
    var title: String?
    var officeID: String?
    var languages: [String]?
    var active: Bool?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue, resource: String) throws {
        id = try json.requiredID(vendor: .bostonLogic, resource: resource)
        firstName = json.text("first_name")
        lastName = json.text("last_name")
        fullName = json.firstText("full_name", "name", "display_name")
        email = json.text("email")
        mobilePhone = json.firstText("cell_phone", "mobile_phone", "mobile", "phone")
        directPhone = json.firstText("direct_phone", "direct_line")
        officePhone = json.firstText("office_phone", "work_phone")
        title = json.firstText("title", "job_title", "position")
        officeID = json.firstRelatedID("office_id", "office")
        switch json["languages"] {
        case .array(let values): languages = values.compactMap { $0.stringValue ?? $0.text("name") }
        case .string(let list): languages = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        default: languages = nil
        }
        if languages?.isEmpty == true { languages = nil }
        active = json.activeFlag
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}

/// A team: `GET /api/v2/teams`.
struct BLTeam: Sendable, Hashable {
    var id: String
    var name: String?
    var email: String?
    var officeID: String?
    var leadID: String?
    /// Member agents, when the team lists them (`agent_ids`, or `agents`/`members` as ids or objects).
    var memberIDs: [String]
    var active: Bool?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .bostonLogic, resource: "teams")
        name = json.firstText("name", "team_name")
        email = json.text("email")
        officeID = json.firstRelatedID("team_office_id", "office_id", "office")
        leadID = json.firstRelatedID("team_lead_id", "leader_id", "lead_agent_id", "team_leader_id", "leader")
        var members: [String] = []
        for key in ["agent_ids", "member_ids", "agents", "members"] {
            guard let values = json[key]?.arrayValue else { continue }
            for value in values {
                if case .object = value {
                    if let id = value.firstText("agent_id", "id") { members.append(id) }
                } else if let id = value.stringValue, !id.isEmpty {
                    members.append(id)
                }
            }
            break
        }
        memberIDs = members
        active = json.activeFlag
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}

/// A lead: `GET /api/v2/leads`.
struct BLLead: Sendable, Hashable {
    var id: String
    var firstName: String?
    var lastName: String?
    var fullName: String?
    var email: String?
    var mobilePhone: String?
    var homePhone: String?
    var workPhone: String?
    var address: String?
    var city: String?
    var state: String?
    var postalCode: String?
    var country: String?
    var status: String?
    var leadType: String?
    var source: String?
    var referralSourceDomain: String?
    var notes: String?
    var agentID: String?
    var teamID: String?
    var ownerID: String?
    var ownerType: String?
    var utmSource: String?
    var utmMedium: String?
    var utmCampaign: String?
    var utmContent: String?
    var utmTerm: String?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue) throws {
        id = try json.requiredID(vendor: .bostonLogic, resource: "leads")
        firstName = json.text("first_name")
        lastName = json.text("last_name")
        fullName = json.firstText("full_name", "name")
        email = json.firstText("email", "email_address")
        // Phones come as fields or as a typed list (`phones: [{number, phone_type}]`, phone
        // types being one of the lead enumerations).
        mobilePhone = json.firstText("cell_phone", "mobile_phone", "mobile")
        homePhone = json.firstText("home_phone")
        workPhone = json.firstText("work_phone", "office_phone")
        if let phones = json["phones"]?.arrayValue {
            for phone in phones {
                guard let number = phone.firstText("number", "phone", "value") else { continue }
                switch phone.firstText("phone_type", "type", "kind")?.lowercased() {
                case "mobile", "cell", "cell_phone", "mobile_phone":
                    if mobilePhone == nil { mobilePhone = number }
                case "work", "office", "business":
                    if workPhone == nil { workPhone = number }
                default:
                    if homePhone == nil { homePhone = number }
                }
            }
        }
        // A single `phone` is the lead's main number; its `phone_type` (one of the lead
        // enumerations' phone types, seed changelog 2017-11-14) says which it is: `home` and
        // `work` go to those numbers, anything else (or none) is read as the mobile one.
        if let phone = json.text("phone"), phone != mobilePhone, phone != homePhone, phone != workPhone {
            switch json.text("phone_type")?.lowercased() {
            case "home":
                if homePhone == nil { homePhone = phone }
            case "work", "office", "business":
                if workPhone == nil { workPhone = phone }
            default:
                if mobilePhone == nil { mobilePhone = phone }
            }
        }
        let addressObject = json["address"]
        if case .object = addressObject {
            address = addressObject?.firstText("address1", "address_1", "street", "street_address")
            city = addressObject?.text("city")
            state = addressObject?.firstText("state", "state_code")
            postalCode = addressObject?.firstText("zip", "zip_code", "postal_code")
            country = addressObject?.text("country")
        } else {
            address = json.firstText("address", "address1", "street_address")
            city = json.text("city")
            state = json.firstText("state", "state_code")
            postalCode = json.firstText("zip", "zip_code", "postal_code")
            country = json.text("country")
        }
        status = json.firstText("status", "lead_status")
        leadType = json.firstText("lead_type", "type")
        source = json.firstText("source", "lead_source")
        referralSourceDomain = json.text("referral_source_domain")
        notes = json.firstText("notes", "comments", "message")
        agentID = json.firstRelatedID("agent_id", "agent")
        teamID = json.firstRelatedID("team_id", "team")
        ownerID = json.relatedID("owner_id")
        ownerType = json.text("owner_type")
        let utm = json["utm"] ?? json["utm_params"]
        utmSource = json.text("utm_source") ?? utm?.firstText("utm_source", "source")
        utmMedium = json.text("utm_medium") ?? utm?.firstText("utm_medium", "medium")
        utmCampaign = json.text("utm_campaign") ?? utm?.firstText("utm_campaign", "campaign")
        utmContent = json.text("utm_content") ?? utm?.firstText("utm_content", "content")
        utmTerm = json.text("utm_term") ?? utm?.firstText("utm_term", "term")
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}

/// A property a lead viewed (`PropertyView`) or a note a lead left on one (`PropertyNote`).
struct BLLeadPropertyEvent: Sendable, Hashable {
    enum Kind: String, Sendable, Hashable {
        case view
        case note

        /// The lead's nested list of this kind (`property_views`, `property_notes`).
        var listName: String { self == .view ? "property_views" : "property_notes" }
    }

    var kind: Kind
    var id: String
    var leadID: String?
    var mlsID: String?
    var mlsName: String?
    /// The property's address: the raw string, or assembled from the `property` details.
    var address: String?
    var text: String?
    var agentID: String?
    var occurredAt: Date?
    var createdAt: Date?
    var updatedAt: Date?
    var raw: JSONValue

    init(json: JSONValue, kind: Kind, leadID fallbackLeadID: String?) throws {
        self.kind = kind
        id = try json.requiredID(vendor: .bostonLogic, resource: kind == .view ? "property_views" : "property_notes")
        leadID = json.firstRelatedID("lead_id", "lead") ?? fallbackLeadID
        let property = json["property"]
        mlsID = json.text("mls_id") ?? property?.text("mls_id")
        mlsName = json.text("mls_name") ?? property?.text("mls_name")
        if let address = json.text("address") ?? property?.text("address") {
            self.address = address
        } else if let property {
            let parts = [
                property.firstText("street_address", "street", "address1"), property.text("city"),
                property.firstText("state", "state_code"), property.firstText("zip", "zip_code", "postal_code"),
            ]
            let joined = parts.compactMap { $0 }.joined(separator: ", ")
            self.address = joined.isEmpty ? nil : joined
        }
        text = json.firstText("note", "body", "content", "text", "comment")
        agentID = json.firstRelatedID("agent_id", "agent")
        occurredAt = json.firstTimestamp("viewed_at", "view_date", "noted_at", "created_at")
        createdAt = json.timestamp("created_at")
        updatedAt = json.timestamp("updated_at")
        raw = json
    }
}
