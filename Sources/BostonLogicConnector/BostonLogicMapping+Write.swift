import ConnectorKit
import Foundation
import RealtyModel

/// The attributes one Boston Logic write sends (top-level snake_case attributes, as the
/// document's JSON bodies are written; `null` clears on update), and what cannot be written.
struct BLWrite: Sendable {
    var attributes: [String: JSONValue] = [:]
    var problems: [FieldError] = []

    mutating func set(_ name: String, text: String?) {
        attributes[name] = text.flatMap { FieldRules.isPresent($0) ? .string($0) : nil } ?? .null
    }

    mutating func refuse(_ field: String, _ message: String) {
        problems.append(FieldError(field: field, message: message))
    }

    /// Sets `name` to a vocabulary's vendor value (nil clears), or refuses an unmapped value.
    mutating func set(_ name: String, _ table: Vocabulary, _ value: String?) {
        guard let value, FieldRules.isPresent(value) else {
            attributes[name] = .null
            return
        }
        if let vendorValue = table.vendorValue(value) {
            attributes[name] = .string(vendorValue)
        } else if let problem = table.problem(value, vendor: .bostonLogic) {
            problems.append(problem)
        }
    }

    /// Sets the `active` flag from a RESO status (`Active`/`Inactive`).
    mutating func setActive(_ value: String?, field: String) {
        guard let value, FieldRules.isPresent(value) else {
            attributes["active"] = .null
            return
        }
        if let flag = BostonLogicMapping.activeStatuses.vendorValue(value) {
            attributes["active"] = .bool(flag == "true")
        } else {
            refuse(field, "Boston Logic has no \(field) \"\(value)\"; it accepts Active, Inactive")
        }
    }

    /// The body: on create, without the cleared attributes.
    func body(creating: Bool) -> JSONValue {
        .object(creating ? attributes.filter { !$0.value.isNull } : attributes)
    }
}

extension BostonLogicMapping {
    // MARK: - Vocabularies (docs/vendors/boston-logic.md)

    /// Lead statuses. Reading: the Lead Enumerations endpoint's values were not published; these
    /// are the ones our sandbox serves, each with a hub value from ``HubVocabulary``.
    static let leadStatuses = Vocabulary(
        field: "ContactStatus",
        [("new", "New"), ("contacted", "Contacted"), ("qualified", "Qualified"), ("nurturing", "Nurturing"), ("closed", "Closed")])

    /// Lead sources (same reading as the statuses).
    static let leadSources = Vocabulary(
        field: "LeadSource",
        [
            ("website", "Website"), ("zillow", "Zillow"), ("realtor.com", "Realtor.com"), ("open house", "OpenHouse"),
            ("referral", "Referral"),
        ])

    /// The `active` flag of offices, agents, employees and teams as RESO statuses.
    static let activeStatuses = Vocabulary(field: "Status", [("true", "Active"), ("false", "Inactive")])

    /// Which list a member is created in.
    static let memberTypes = Vocabulary(field: "MemberType", [("agents", "Agent"), ("employees", "Employee")])

    // MARK: - Writable fields

    /// The RESO fields a lead write takes.
    static let leadFields = [
        "FirstName", "LastName", "FullName", "Email", "MobilePhone", "HomePhone", "OfficePhone", "HomeAddress1", "HomeCity",
        "HomeStateOrProvince", "HomePostalCode", "ContactType", "ContactStatus", "LeadSource", "Notes", "UtmSource", "UtmMedium",
        "UtmCampaign", "UtmContent", "UtmTerm", "SourceSystemOwnerMemberKey",
    ]

    /// The RESO fields an agent or employee write takes (MemberType chooses the list on create).
    static let memberFields = [
        "MemberFirstName", "MemberLastName", "MemberEmail", "MemberMobilePhone", "MemberStatus", "MemberType", "JobTitle",
        "SourceSystemOfficeKey",
    ]

    /// The RESO fields an office write takes.
    static let officeFields = [
        "OfficeName", "OfficeEmail", "OfficePhone", "OfficeAddress1", "OfficeCity", "OfficeStateOrProvince", "OfficePostalCode",
        "OfficeCountry", "OfficeStatus",
    ]

    /// The RESO fields a team write takes.
    static let teamFields = ["TeamName", "TeamEmail", "TeamStatus", "SourceSystemTeamLeadKey"]

    // MARK: - Canonical → vendor

    /// What writing `fields` of a contact sets on a lead.
    static func leadWrite(_ contact: Contact, fields: Set<String>, creating: Bool) -> BLWrite {
        var write = BLWrite()
        var first = contact.firstName
        var last = contact.lastName
        if !FieldRules.isPresent(first), !FieldRules.isPresent(last), let full = contact.fullName?.trimmingCharacters(in: .whitespaces),
            !full.isEmpty
        {
            if let space = full.firstIndex(of: " ") {
                first = String(full[..<space])
                last = String(full[full.index(after: space)...]).trimmingCharacters(in: .whitespaces)
            } else {
                first = full
            }
        }
        if fields.contains("FirstName") || fields.contains("FullName") { write.set("first_name", text: first) }
        if fields.contains("LastName") || fields.contains("FullName") { write.set("last_name", text: last) }
        if fields.contains("Email") { write.set("email", text: contact.email) }
        if !fields.isDisjoint(with: ["MobilePhone", "HomePhone", "OfficePhone"]) {
            // One main number and its type (the lead enumerations' phone types), so it reads back
            // as the same number; the others go to `home_phone` / `work_phone`.
            let present = { (value: String?) in FieldRules.isPresent(value) ? value : nil }
            let mobile = present(contact.mobilePhone)
            let home = present(contact.homePhone)
            let work = present(contact.officePhone)
            write.set("phone", text: mobile ?? home ?? work)
            write.set("phone_type", text: mobile != nil ? "mobile" : home != nil ? "home" : work != nil ? "work" : nil)
            if mobile != nil, fields.contains("HomePhone") { write.set("home_phone", text: home) }
            if mobile != nil || home != nil, fields.contains("OfficePhone") { write.set("work_phone", text: work) }
        }
        if fields.contains("HomeAddress1") { write.set("address", text: contact.homeAddress1) }
        if fields.contains("HomeCity") { write.set("city", text: contact.homeCity) }
        if fields.contains("HomeStateOrProvince") { write.set("state", text: contact.homeStateOrProvince) }
        if fields.contains("HomePostalCode") { write.set("zip", text: contact.homePostalCode) }
        if fields.contains("ContactStatus") { write.set("status", leadStatuses, contact.contactStatus) }
        if fields.contains("LeadSource") { write.set("source", leadSources, contact.leadSource) }
        // Read from `notes`, `comments` or `message`; written as `message`, the lead attribute
        // the 2019 change log's lead forms carry (our reading).
        if fields.contains("Notes") { write.set("message", text: contact.notes) }
        let utm: [(String, String, String?)] = [
            ("UtmSource", "utm_source", contact.utmSource), ("UtmMedium", "utm_medium", contact.utmMedium),
            ("UtmCampaign", "utm_campaign", contact.utmCampaign), ("UtmContent", "utm_content", contact.utmContent),
            ("UtmTerm", "utm_term", contact.utmTerm),
        ]
        for (field, name, value) in utm where fields.contains(field) { write.set(name, text: value) }
        if fields.contains("SourceSystemOwnerMemberKey") {
            if let owner = contact.ownerMemberSourceKey, owner.hasPrefix(employeeKeyPrefix) {
                write.refuse("SourceSystemOwnerMemberKey", "a Boston Logic lead is assigned to an agent, not an employee (\(owner))")
            } else {
                write.attributes["agent_id"] = contact.ownerMemberSourceKey.map(WireValues.numericID) ?? .null
            }
        }
        if fields.contains("ContactType"), let type = contact.contactType, FieldRules.isPresent(type), type.lowercased() != "lead" {
            write.refuse("ContactType", "Boston Logic keeps leads only; ContactType must be Lead")
        }
        if creating, !FieldRules.isPresent(contact.email), write.attributes["phone"]?.isNull ?? true {
            write.refuse("Email", "Boston Logic requires an email or a phone number on a lead: set Email or MobilePhone")
        }
        return write
    }

    /// What writing `fields` of a member sets on an agent or employee (`employee`: the list).
    static func personWrite(_ member: Member, fields: Set<String>, creating: Bool, employee: Bool) -> BLWrite {
        var write = BLWrite()
        if fields.contains("MemberFirstName") { write.set("first_name", text: member.firstName) }
        if fields.contains("MemberLastName") { write.set("last_name", text: member.lastName) }
        if fields.contains("MemberEmail") { write.set("email", text: member.email) }
        // Read: an agent's mobile is `mobile_phone` (its `phone` being the office line), an
        // employee, who has no `mobile_phone`, has only `phone`.
        if fields.contains("MemberMobilePhone") { write.set(employee ? "phone" : "mobile_phone", text: member.mobilePhone) }
        if fields.contains("JobTitle") { write.set("title", text: member.jobTitle) }
        if fields.contains("MemberStatus") { write.setActive(member.status, field: "MemberStatus") }
        if fields.contains("SourceSystemOfficeKey") {
            write.attributes["office_id"] = member.officeSourceKey.map(WireValues.numericID) ?? .null
        }
        if fields.contains("MemberType"), let type = member.type, FieldRules.isPresent(type), memberTypes.vendorValue(type) == nil {
            write.refuse("MemberType", "Boston Logic keeps agents and employees: MemberType must be Agent or Employee")
        }
        if creating {
            for (field, value) in [
                ("MemberFirstName", member.firstName), ("MemberLastName", member.lastName), ("MemberEmail", member.email),
            ]
            where !FieldRules.isPresent(value) {
                write.refuse(field, "Boston Logic requires \(field) on an \(employee ? "employee" : "agent")")
            }
        }
        return write
    }

    /// What writing `fields` of an office sets.
    static func officeWrite(_ office: Office, fields: Set<String>, creating: Bool) -> BLWrite {
        var write = BLWrite()
        let texts: [(String, String, String?)] = [
            ("OfficeName", "name", office.name), ("OfficeEmail", "email", office.email), ("OfficePhone", "phone", office.phone),
            ("OfficeAddress1", "address", office.address1), ("OfficeCity", "city", office.city),
            ("OfficeStateOrProvince", "state", office.stateOrProvince), ("OfficePostalCode", "zip", office.postalCode),
            ("OfficeCountry", "country", office.country),
        ]
        for (field, name, value) in texts where fields.contains(field) { write.set(name, text: value) }
        if fields.contains("OfficeStatus") { write.setActive(office.status, field: "OfficeStatus") }
        if creating, !FieldRules.isPresent(office.name) { write.refuse("OfficeName", "Boston Logic requires an office name") }
        return write
    }

    /// What writing `fields` of a team sets.
    static func teamWrite(_ team: Team, fields: Set<String>, creating: Bool) -> BLWrite {
        var write = BLWrite()
        if fields.contains("TeamName") { write.set("name", text: team.name) }
        if fields.contains("TeamEmail") { write.set("email", text: team.email) }
        if fields.contains("TeamStatus") { write.setActive(team.status, field: "TeamStatus") }
        if fields.contains("SourceSystemTeamLeadKey") {
            if let lead = team.leadSourceKey, lead.hasPrefix(employeeKeyPrefix) {
                write.refuse("SourceSystemTeamLeadKey", "a Boston Logic team is led by an agent, not an employee (\(lead))")
            } else {
                write.attributes["leader_id"] = team.leadSourceKey.map(WireValues.numericID) ?? .null
            }
        }
        if creating, !FieldRules.isPresent(team.name) { write.refuse("TeamName", "Boston Logic requires a team name") }
        return write
    }

    /// The create body of a lead with every field it has (kept for callers that build one body).
    static func leadBody(_ contact: Contact) -> JSONValue {
        leadWrite(contact, fields: Set(contact.presentFieldNames), creating: true).body(creating: true)
    }
}
