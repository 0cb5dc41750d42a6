import ConnectorKit
import Foundation
import RealtyModel

/// The values one PF Expert write sets: each a path below the record (`["price", "value"]`) and
/// its value (`null` clears), in the order the RESO fields are mapped, plus what cannot be
/// written (field errors, found without any request).
struct PFWrites: Sendable {
    struct Value: Sendable, Hashable {
        var path: [String]
        var value: JSONValue
    }

    var values: [Value] = []
    var problems: [FieldError] = []

    mutating func set(_ path: String..., to value: JSONValue) {
        values.append(Value(path: path, value: value))
    }

    mutating func set(_ path: String..., text: String?) {
        values.append(Value(path: path, value: text.flatMap { FieldRules.isPresent($0) ? .string($0) : nil } ?? .null))
    }

    mutating func refuse(_ field: String, _ message: String) {
        problems.append(FieldError(field: field, message: message))
    }

    /// A create body: the values wrapped in the resource's singular key (`{"lead": {...}}`),
    /// nested paths merged into objects; cleared values are left out.
    func createBody(key: String) -> JSONValue {
        var object = JSONValue.object([:])
        for value in values where !value.value.isNull {
            object = object.pfSetting(value.value, at: value.path)
        }
        return .object([key: object])
    }

    /// The update body PF's PATCH takes (the form its properties page documents): one `replace`
    /// operation per value, its path a JSON pointer (`/price/value`).
    var patchBody: JSONValue {
        .object([
            "operations": .array(
                values.map { value in
                    .object([
                        "op": "replace", "path": .string("/" + value.path.joined(separator: "/")), "value": value.value,
                    ])
                })
        ])
    }
}

extension JSONValue {
    /// A copy with `value` at a path of object keys (missing objects are created).
    func pfSetting(_ value: JSONValue, at path: [String]) -> JSONValue {
        guard let first = path.first else { return value }
        var members = objectValue ?? [:]
        members[first] = (members[first] ?? .object([:])).pfSetting(value, at: Array(path.dropFirst()))
        return .object(members)
    }
}

extension PFExpertMapping {
    // MARK: - Vocabularies (docs/vendors/pf-expert.md)

    /// Lead statuses. Reading: PF's lead object carries `status` but the documents list no
    /// values; these are the pipeline stages our sandbox serves, each with a hub value from
    /// ``HubVocabulary``.
    static let leadStatuses = Vocabulary(
        field: "ContactStatus",
        [
            ("new", "New"), ("contacted", "Contacted"), ("qualified", "Qualified"), ("viewing", "Viewing"),
            ("negotiation", "Negotiation"), ("won", "Won"), ("lost", "Lost"),
        ])

    /// Lead sources (`source`, else `source_channel`, on read). Reading: the documents list no
    /// values; these are the ones our sandbox serves (Gulf portals among them), each with a hub
    /// value from ``HubVocabulary``. A value outside the table is kept as read.
    static let leadSources = Vocabulary(
        field: "LeadSource",
        [
            ("website", "Website"), ("referral", "Referral"), ("walk-in", "WalkIn"), ("propertyfinder", "PropertyFinder"),
            ("bayut", "Bayut"),
        ])

    /// Listing statuses (the properties page's `status` filter values) as RESO StandardStatus;
    /// `sold` and `rented` are both Closed, told apart on write by the PropertyType's lease.
    static let listingStatuses = Vocabulary(
        field: "StandardStatus",
        [
            ("available", "Active"), ("under offer", "Active Under Contract"), ("reserved", "Pending"), ("sold", "Closed"),
            ("draft", "Incomplete"),
        ])

    /// RESO PropertyType as PF's category and offering type.
    static let propertyTypes: [(reso: String, category: String, offering: String)] = [
        ("Residential", "residential", "sale"), ("Residential Lease", "residential", "rent"),
        ("Commercial Sale", "commercial", "sale"), ("Commercial Lease", "commercial", "rent"),
    ]

    /// PF's property types, kept as PropertySubType in PF's own words (the type list the
    /// Enterprise API documents; the legacy API names a type the same way in `type.name`).
    static let propertySubTypes = [
        "apartment", "villa", "townhouse", "penthouse", "duplex", "compound", "whole-building", "full-floor", "half-floor",
        "bulk-sale-unit", "bulk-rent-unit", "hotel-apartment", "bungalow", "chalet", "land", "farm", "office-space", "shop",
        "show-room", "warehouse", "factory", "retail", "restaurant", "co-working-space", "business-center", "staff-accommodation",
        "labor-camp", "medical-facility", "clinic", "cafeteria", "rest-house", "palace", "roof", "twin-house", "ivilla", "cabin",
    ]

    /// User statuses.
    static let userStatuses = Vocabulary(field: "MemberStatus", [("active", "Active"), ("inactive", "Inactive")])

    /// User roles, kept in PF's own words as MemberType.
    static let userRoles = Vocabulary(field: "MemberType", [("agent", "agent"), ("manager", "manager"), ("admin", "admin")])

    // MARK: - Writable fields

    /// The RESO fields a lead write takes.
    static let leadFields = [
        "FirstName", "LastName", "FullName", "Email", "MobilePhone", "HomePhone", "OfficePhone", "HomeAddress1", "HomeCity",
        "HomeCountry", "ContactType", "ContactStatus", "LeadSource", "SourceSystemOwnerMemberKey",
    ]

    /// The RESO fields a property write takes. City and BuildingName name the PF location
    /// (resolved through the location search, see `PFExpertConnector.resolveLocation`).
    static let propertyFields = [
        "ListingId", "StandardStatus", "PropertyType", "PropertySubType", "ListPrice", "CurrentPrice", "City", "BuildingName",
        "BedroomsTotal", "BathroomsTotalInteger", "LivingArea", "UnitNumber", "NewConstructionYN", "PublicRemarks",
        "SourceSystemListAgentKey",
    ]

    /// The RESO fields a user create takes.
    static let userFields = [
        "MemberFirstName", "MemberLastName", "MemberEmail", "MemberMobilePhone", "MemberDirectPhone", "MemberStatus", "MemberType",
        "JobTitle",
    ]

    /// The fields to write for a create: the writable fields the record has.
    static func createFields<R: HubRecord>(_ record: R, writable: [String]) -> Set<String> {
        Set(record.presentFieldNames).intersection(writable)
    }

    // MARK: - Canonical → vendor

    /// A related record as PF writes it: `{"id": n}` (what a read without expansion returns).
    static func relation(_ id: String?) -> JSONValue {
        guard let id, FieldRules.isPresent(id) else { return .null }
        return .object(["id": WireValues.numericID(id)])
    }

    /// A lead's first and last name: FirstName and LastName, or FullName split at its first
    /// space when neither is set (PF leads have no full-name field).
    static func leadName(_ contact: Contact) -> (first: String?, last: String?) {
        if FieldRules.isPresent(contact.firstName) || FieldRules.isPresent(contact.lastName) {
            return (contact.firstName, contact.lastName)
        }
        guard let full = contact.fullName?.trimmingCharacters(in: .whitespaces), !full.isEmpty else { return (nil, nil) }
        guard let space = full.firstIndex(of: " ") else { return (full, nil) }
        return (String(full[..<space]), String(full[full.index(after: space)...]).trimmingCharacters(in: .whitespaces))
    }

    /// What writing `fields` of a contact sets on a PF lead.
    static func leadWrites(_ contact: Contact, fields: Set<String>, creating: Bool) -> PFWrites {
        var writes = PFWrites()
        let name = leadName(contact)
        if fields.contains("FirstName") || fields.contains("FullName") { writes.set("first_name", text: name.first) }
        if fields.contains("LastName") || fields.contains("FullName") { writes.set("last_name", text: name.last) }
        if fields.contains("Email") { writes.set("email", text: contact.email) }
        if fields.contains("MobilePhone") { writes.set("mobile", text: contact.mobilePhone) }
        // PF has one other number, `phone`, read as HomePhone; OfficePhone fills it when there
        // is no home number.
        if fields.contains("HomePhone") || fields.contains("OfficePhone") {
            writes.set("phone", text: FieldRules.isPresent(contact.homePhone) ? contact.homePhone : contact.officePhone)
        }
        if fields.contains("HomeAddress1") { writes.set("address", text: contact.homeAddress1) }
        if fields.contains("HomeCity") { writes.set("city", text: contact.homeCity) }
        if fields.contains("HomeCountry") { writes.set("country", text: contact.homeCountry) }
        if fields.contains("ContactStatus") {
            vocabulary(leadStatuses, contact.contactStatus, path: "status", into: &writes)
        }
        if fields.contains("LeadSource") {
            vocabulary(leadSources, contact.leadSource, path: "source", into: &writes)
        }
        if fields.contains("SourceSystemOwnerMemberKey") { writes.set("user", to: relation(contact.ownerMemberSourceKey)) }
        if fields.contains("ContactType"), let type = contact.contactType, FieldRules.isPresent(type), type.lowercased() != "lead" {
            writes.refuse("ContactType", "PF Expert keeps leads only; ContactType must be Lead")
        }
        if creating || fields.contains("FirstName") || fields.contains("FullName"), !FieldRules.isPresent(name.first) {
            writes.refuse("FirstName", "PF Expert requires a lead's first name: set FirstName (or FullName)")
        }
        let channels = [contact.email, contact.mobilePhone, contact.homePhone, contact.officePhone]
        if creating, !channels.contains(where: { FieldRules.isPresent($0) }) {
            writes.refuse("Email", "PF Expert requires an email, a mobile or a phone number on a lead: set Email, MobilePhone or HomePhone")
        }
        return writes
    }

    /// What writing `fields` of a listing sets on a PF property (the location excepted: the
    /// connector resolves it).
    static func propertyWrites(_ property: Property, fields: Set<String>, creating: Bool) -> PFWrites {
        var writes = PFWrites()
        let lease = isLease(property.propertyType)
        if fields.contains("ListingId") { writes.set("reference", text: property.listingID) }
        if fields.contains("StandardStatus") {
            if property.standardStatus == "Closed", lease {
                writes.set("status", to: "rented")
            } else {
                vocabulary(listingStatuses, property.standardStatus, path: "status", into: &writes)
            }
        }
        if fields.contains("PropertyType"), let type = property.propertyType, FieldRules.isPresent(type) {
            if let row = propertyTypes.first(where: { $0.reso.lowercased() == type.lowercased() }) {
                writes.set("category", to: .string(row.category))
                writes.set("price", "offering_type", to: .string(row.offering))
            } else {
                writes.refuse(
                    "PropertyType",
                    "PF Expert has no PropertyType \"\(type)\"; it accepts \(propertyTypes.map(\.reso).joined(separator: ", "))")
            }
        }
        if fields.contains("PropertySubType") {
            if let subType = property.propertySubType, FieldRules.isPresent(subType) {
                if let slug = propertySubTypes.first(where: { $0 == subType.lowercased() }) {
                    writes.set("type", to: .object(["name": .string(slug)]))
                } else {
                    writes.refuse(
                        "PropertySubType",
                        "PF Expert has no property type \"\(subType)\"; it accepts \(propertySubTypes.joined(separator: ", "))")
                }
            } else {
                writes.set("type", to: .null)
            }
        }
        if fields.contains("ListPrice") || fields.contains("CurrentPrice") {
            let price = fields.contains("ListPrice") ? property.listPrice : property.currentPrice
            writes.set("price", "value", to: price.flatMap(JSONNumber.init).map(JSONValue.number) ?? .null)
        }
        if fields.contains("BedroomsTotal") {
            writes.set("bedrooms", to: property.bedroomsTotal.map { JSONValue.number(JSONNumber($0)) } ?? .null)
        }
        if fields.contains("BathroomsTotalInteger") {
            writes.set("bathrooms", to: property.bathroomsTotalInteger.map { JSONValue.number(JSONNumber($0)) } ?? .null)
        }
        if fields.contains("LivingArea") {
            writes.set("size", to: property.livingArea.flatMap(JSONNumber.init).map(JSONValue.number) ?? .null)
        }
        if fields.contains("UnitNumber") { writes.set("unit_number", text: property.unitNumber) }
        if fields.contains("NewConstructionYN") {
            // Read: `off_plan*` is new construction, `completed*` is not; written as the plain forms.
            writes.set("project_status", to: property.newConstructionYN.map { .string($0 ? "off_plan" : "completed") } ?? .null)
        }
        if fields.contains("PublicRemarks") { writes.set("languages", "en", "description", text: property.publicRemarks) }
        if fields.contains("SourceSystemListAgentKey") { writes.set("user", to: relation(property.listAgentSourceKey)) }
        if creating {
            // What PF requires of a new property: its type, its price (value and offering type)
            // and its location.
            if !FieldRules.isPresent(property.propertySubType) {
                writes.refuse(
                    "PropertySubType",
                    "PF Expert requires a property type: set PropertySubType to one of \(propertySubTypes.joined(separator: ", "))")
            }
            if !FieldRules.isPresent(property.propertyType) {
                writes.refuse(
                    "PropertyType",
                    "PF Expert requires the offering (sale or rent): set PropertyType to one of \(propertyTypes.map(\.reso).joined(separator: ", "))"
                )
            }
            if (property.listPrice ?? property.currentPrice).map({ $0 <= 0 }) ?? true {
                writes.refuse("ListPrice", "PF Expert requires a price above 0: set ListPrice")
            }
            if !FieldRules.isPresent(property.city), !FieldRules.isPresent(property.buildingName) {
                writes.refuse(
                    "City", "PF Expert requires a location: set City and/or BuildingName (a tower), found through PF's location search")
            }
        }
        return writes
    }

    /// What creating a member sets on a PF user.
    static func userWrites(_ member: Member, fields: Set<String>, creating: Bool) -> PFWrites {
        var writes = PFWrites()
        if fields.contains("MemberFirstName") { writes.set("first_name", text: member.firstName) }
        if fields.contains("MemberLastName") { writes.set("last_name", text: member.lastName) }
        if fields.contains("MemberEmail") { writes.set("email", text: member.email) }
        if fields.contains("MemberMobilePhone") { writes.set("mobile", text: member.mobilePhone) }
        if fields.contains("MemberDirectPhone") { writes.set("phone", text: member.directPhone) }
        if fields.contains("MemberStatus") { vocabulary(userStatuses, member.status, path: "status", into: &writes) }
        if fields.contains("MemberType") { vocabulary(userRoles, member.type, path: "role", into: &writes) }
        if fields.contains("JobTitle") { writes.set("position", text: member.jobTitle) }
        if creating {
            for (field, value) in [
                ("MemberFirstName", member.firstName), ("MemberLastName", member.lastName), ("MemberEmail", member.email),
            ]
            where !FieldRules.isPresent(value) {
                writes.refuse(field, "PF Expert requires \(field) on a user")
            }
        }
        return writes
    }

    /// Writes a vocabulary value (nil clears), or refuses one the table cannot map.
    private static func vocabulary(_ table: Vocabulary, _ value: String?, path: String, into writes: inout PFWrites) {
        guard let value, FieldRules.isPresent(value) else {
            writes.set(path, to: .null)
            return
        }
        if let vendorValue = table.vendorValue(value) {
            writes.set(path, to: .string(vendorValue))
        } else if let problem = table.problem(value, vendor: .pfExpert) {
            writes.problems.append(problem)
        }
    }

    static func isLease(_ propertyType: String?) -> Bool {
        propertyType?.lowercased().hasSuffix("lease") == true
    }
}
