import Foundation
import RealtyModel

/// The resources of the Boston Logic Platform API as the emulator serves them, with their
/// fields and write rules.
///
/// The public document names the resources, their permissions and a few fields from its change
/// log (`agent_id`, `team_id`, `owner_id`, `owner_type` on leads; agent `accreditations`;
/// `mls_id`/`mls_name` on property views and notes; `user_id`, `propertybase_user_id`,
/// `active_status`, `includes=office_mls_ids|agent_mls_ids`, `referral_source_domain`, UTM
/// attributes, `agent_email` as a fallback for `agent_id`). Field tables were not published;
/// the remaining field names here are this emulator's reading in the same snake_case style.
struct BostonLogicResource: Sendable, Hashable {
    /// The kind of a writable field.
    enum FieldKind: Sendable, Hashable {
        case text
        case email
        case bool
        /// The id of a record of another resource.
        case reference(String)
        case textList
        /// Text from a fixed list (the lead enumerations), compared case-insensitively and
        /// stored as listed.
        case choice([String])
    }

    /// Path segment and permission name: `offices`.
    var name: String
    /// Singular noun in messages: `Office`.
    var title: String
    /// The key a Rails client may wrap the body in: `office`.
    var wrapper: String
    /// Whether POST / PATCH / PUT / DELETE are served (leads, agents, employees, offices, teams).
    var writable: Bool
    /// Writable fields and their kinds.
    var fields: [String: FieldKind]
    /// Groups of fields of which at least one must be present on create.
    var required: [[String]]
    /// Fields whose value must be unique among the tenant's records (case-insensitive).
    var unique: [String]
    /// The `includes=` values the index accepts, and the stored field each one reveals.
    var includes: [String: String]
    /// Query parameters that filter the index by equality on a field (case-insensitive).
    var filters: [String: String]
    /// Whether the index accepts `active_status`.
    var hasActiveStatus: Bool

    var plural: String { title.hasSuffix("s") ? title : title + "s" }

    static let offices = BostonLogicResource(
        name: "offices", title: "Office", wrapper: "office", writable: true,
        fields: [
            "name": .text, "email": .email, "phone": .text, "fax": .text, "address": .text, "city": .text,
            "state": .text, "zip": .text, "country": .text, "active": .bool, "office_mls_ids": .textList,
        ],
        required: [["name"]], unique: ["name"], includes: ["office_mls_ids": "office_mls_ids"], filters: [:],
        hasActiveStatus: true)

    static let agents = BostonLogicResource(
        name: "agents", title: "Agent", wrapper: "agent", writable: true,
        fields: [
            "first_name": .text, "last_name": .text, "email": .email, "phone": .text, "mobile_phone": .text,
            "title": .text, "office_id": .reference("offices"), "active": .bool, "accreditations": .textList,
            "user_id": .text, "propertybase_user_id": .text, "agent_mls_ids": .textList, "bio": .text,
        ],
        required: [["first_name"], ["last_name"], ["email"]], unique: ["email"],
        includes: ["agent_mls_ids": "agent_mls_ids"],
        filters: ["email": "email", "office_id": "office_id", "user_id": "user_id", "propertybase_user_id": "propertybase_user_id"],
        hasActiveStatus: true)

    /// Employees: written like agents (the 2016 release note names Offices, Agents, Employees
    /// and Teams together), without the agent-only MLS ids, accreditations and mobile number.
    static let employees = BostonLogicResource(
        name: "employees", title: "Employee", wrapper: "employee", writable: true,
        fields: [
            "first_name": .text, "last_name": .text, "email": .email, "phone": .text, "title": .text,
            "office_id": .reference("offices"), "active": .bool, "user_id": .text, "propertybase_user_id": .text,
        ],
        required: [["first_name"], ["last_name"], ["email"]], unique: ["email"], includes: [:],
        filters: ["email": "email", "office_id": "office_id", "user_id": "user_id", "propertybase_user_id": "propertybase_user_id"],
        hasActiveStatus: true)

    /// Teams: a name is required; the leader is an agent (`leader_id`) and the office is
    /// `team_office_id` (the change log's name). Membership (`agent_ids`) is not written here.
    static let teams = BostonLogicResource(
        name: "teams", title: "Team", wrapper: "team", writable: true,
        fields: [
            "name": .text, "email": .email, "phone": .text, "team_office_id": .reference("offices"),
            "leader_id": .reference("agents"), "active": .bool, "user_id": .text, "propertybase_user_id": .text,
        ],
        required: [["name"]], unique: [], includes: [:],
        filters: ["team_office_id": "team_office_id", "user_id": "user_id", "propertybase_user_id": "propertybase_user_id"],
        hasActiveStatus: true)

    /// Leads. Reading: the 2021 change log adds lead "filter params" without naming them; `email`
    /// is served by analogy with the documented `email` filter of agents and employees, so a
    /// client can look a lead up before creating it again.
    static let leads = BostonLogicResource(
        name: "leads", title: "Lead", wrapper: "lead", writable: true,
        fields: [
            "first_name": .text, "last_name": .text, "email": .email, "phone": .text, "phone_type": .choice(phoneTypes),
            "lead_type": .choice(leadTypes), "status": .choice(leadStatuses), "source": .text, "referral_source_domain": .text,
            "agent_id": .reference("agents"), "team_id": .reference("teams"), "message": .text,
            "utm_source": .text, "utm_medium": .text, "utm_campaign": .text, "utm_content": .text, "utm_term": .text,
            "address": .text, "city": .text, "state": .text, "zip": .text,
        ],
        required: [["email", "phone"]], unique: [], includes: [:],
        filters: ["email": "email", "agent_id": "agent_id", "team_id": "team_id", "status": "status"],
        hasActiveStatus: false)

    static let propertyViews = BostonLogicResource(
        name: "property_views", title: "Property view", wrapper: "property_view", writable: false,
        fields: [:], required: [], unique: [], includes: [:], filters: ["lead_id": "lead_id", "mls_id": "mls_id"],
        hasActiveStatus: false)

    static let propertyNotes = BostonLogicResource(
        name: "property_notes", title: "Property note", wrapper: "property_note", writable: false,
        fields: [:], required: [], unique: [], includes: [:], filters: ["lead_id": "lead_id", "mls_id": "mls_id"],
        hasActiveStatus: false)

    static let all: [BostonLogicResource] = [offices, agents, employees, teams, leads, propertyViews, propertyNotes]

    static func named(_ name: String) -> BostonLogicResource? {
        all.first { $0.name == name }
    }

    /// Lead statuses, types, sources and phone types the emulator seeds and accepts
    /// (the vendor's Lead Enumerations endpoint was not published; reading).
    static let leadStatuses = ["new", "contacted", "qualified", "nurturing", "closed"]
    static let leadTypes = ["buyer", "seller", "renter", "landlord"]
    static let leadSources = ["website", "zillow", "realtor.com", "open house", "referral"]
    static let phoneTypes = ["mobile", "home", "work"]

    // MARK: - Validation

    /// The outcome of validating a create or update body.
    struct Invalid: Error, Equatable {
        var errors: [String]
    }

    /// Normalises `body` against the writable fields: unknown keys are ignored (as Rails' strong
    /// parameters do), numbers given for text become text, `null` clears a field on update.
    /// - Parameters:
    ///   - body: the JSON object sent.
    ///   - creating: whether required fields apply.
    ///   - existing: the record being updated (for required-field checks after merging).
    func validate(_ body: [String: JSONValue], creating: Bool, existing: [String: JSONValue]? = nil)
        -> Result<[String: JSONValue], Invalid>
    {
        var changes: [String: JSONValue] = [:]
        var errors: [String] = []
        for (key, kind) in fields.sorted(by: { $0.key < $1.key }) {
            guard let value = body[key] else { continue }
            if value.isNull {
                changes[key] = .null
                continue
            }
            let label = Self.sentenceCase(key.replacingOccurrences(of: "_", with: " "))
            switch kind {
            case .text, .email:
                guard let text = value.scalarText, value.strictBool == nil else {
                    errors.append("\(label) must be a string")
                    continue
                }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if case .email = kind, !trimmed.isEmpty, !Self.looksLikeEmail(trimmed) {
                    errors.append("\(label) is invalid")
                    continue
                }
                changes[key] = trimmed.isEmpty ? .null : .string(trimmed)
            case .bool:
                switch value {
                case .bool(let flag): changes[key] = .bool(flag)
                case .string("true"), .string("1"), .int(1): changes[key] = true
                case .string("false"), .string("0"), .int(0): changes[key] = false
                default: errors.append("\(label) must be true or false")
                }
            case .reference:
                guard let text = value.scalarText, value.strictBool == nil, let id = Int(text), id > 0 else {
                    errors.append("\(label) must be an integer id")
                    continue
                }
                changes[key] = .int(id)
            case .choice(let values):
                guard let text = value.scalarText?.trimmingCharacters(in: .whitespaces), value.strictBool == nil,
                    let chosen = values.first(where: { $0.lowercased() == text.lowercased() })
                else {
                    errors.append("\(label) must be one of \(values.joined(separator: ", "))")
                    continue
                }
                changes[key] = .string(chosen)
            case .textList:
                guard let items = value.arrayValue, items.allSatisfy({ $0.scalarText != nil && $0.strictBool == nil }) else {
                    errors.append("\(label) must be an array of strings")
                    continue
                }
                changes[key] = .array(items.compactMap { $0.scalarText.map(JSONValue.string) })
            }
        }
        let merged = (existing ?? [:]).merging(changes) { _, new in new }
        if creating || existing != nil {
            for group in required where !group.contains(where: { !(merged[$0]?.isNull ?? true) }) {
                let names = group.map { $0.replacingOccurrences(of: "_", with: " ") }
                errors.append(
                    group.count == 1
                        ? "\(Self.sentenceCase(names[0])) can't be blank"
                        : "\(Self.sentenceCase(names.joined(separator: " or "))) must be present")
            }
        }
        return errors.isEmpty ? .success(changes) : .failure(Invalid(errors: errors))
    }

    /// The text with its first character upper-cased (`office id` → `Office id`).
    static func sentenceCase(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !text.contains(" ")
    }
}
