import ConnectorKit
import Foundation
import RealtyModel

/// Hub → Apimo for updates: which RESO fields each write takes, the vocabularies they map
/// through, and how a change is applied to the vendor's own JSON (a read-modify-write, so
/// fields the hub does not map are sent back as Apimo gave them). `docs/vendors/apimo.md`
/// prints the same tables.
extension ApimoMapping {
    /// RESO fields a lead create takes.
    static let leadFields = [
        "FirstName", "LastName", "FullName", "Email", "HomePhone", "MobilePhone", "Language", "SourceSystemOwnerMemberKey",
        "Notes", "ReferredBy", "ContactType",
    ]

    /// RESO fields a contact create or update takes.
    static let contactFields = [
        "FirstName", "LastName", "FullName", "Email", "HomePhone", "MobilePhone", "Language", "SourceSystemOwnerMemberKey",
        "Company", "HomeAddress1", "HomeCity", "HomePostalCode", "HomeCountry", "Birthdate", "Notes", "ContactType",
    ]

    /// RESO fields an action create or update takes.
    static let actionFields = [
        "ActivityType", "ActivitySubject", "ActivityBody", "ActivityStartTimestamp", "ActivityEndTimestamp",
        "SourceSystemContactKey", "SourceSystemOwnerMemberKey", "SourceSystemListingKey",
    ]

    /// RESO fields a property update takes.
    static let propertyFields = [
        "ListingId", "StandardStatus", "PropertyType", "PropertySubType", "ListPrice", "Country", "Latitude", "Longitude",
        "BedroomsTotal", "LivingArea", "LivingAreaUnits", "BuildingName", "UnitNumber",
    ]

    /// The hub activity types (``activityType(forLabel:)``); an action is written with the
    /// `action_type` entry whose label reduces to the same type.
    static let activityTypes = ["call", "email", "meeting", "visit", "note", "task", "sms", "whatsapp", "other"]

    /// The `StandardStatus` values a `property_status` label can reduce to.
    static let standardStatuses = ["Active", "Pending", "Closed", "Withdrawn", "Coming Soon"]

    /// The `LivingAreaUnits` values a `unit_area` label can reduce to.
    static let areaUnitValues = ["Square Meters", "Square Feet"]

    /// The `ContactType` values: `Lead` is an Apimo lead, `Contact` an Apimo contact (Apimo
    /// contacts carry no type, so no other RESO type survives a round trip).
    static let contactTypes = ["Lead", "Contact"]

    /// What Apimo cannot take in a write, checked without requests: fields the target (lead,
    /// contact, action, property) does not have, values outside the fixed vocabularies, and
    /// writes Apimo does not document (a lead update). Catalog values that depend on the
    /// agency's catalogs (`PropertyType`, `PropertySubType`) are checked when sent.
    ///
    /// With `valuesOnly` (a create being sent), fields are not checked: they were checked when
    /// the write was accepted, and a lead queued before that check existed still goes out.
    static func writeProblems<R: HubRecord>(
        _ record: R, fields: [String], operation: WriteOperation, valuesOnly: Bool = false
    ) -> [FieldError] {
        var errors: [FieldError] = []
        func refuse(_ field: String, _ accepted: [String], _ value: String?) {
            guard let value, FieldRules.isPresent(value), !accepted.contains(value) else { return }
            errors.append(
                FieldError(
                    field: field, message: "Apimo has no value for \(field) \"\(value)\"; it accepts \(accepted.joined(separator: ", "))"))
        }
        switch record {
        case let contact as Contact:
            let isLead = isLeadKey(contact.metadata) || (operation == .create && ApimoConnector.isLead(contact))
            if isLead, operation == .update {
                return [FieldError(field: ResourceName.contacts.rawValue, message: "Apimo documents no update of leads (POST only)")]
            }
            let accepted = isLead ? leadFields : contactFields
            for name in fields where !valuesOnly && !accepted.contains(name) && (leadFields + contactFields).contains(name) {
                errors.append(
                    FieldError(
                        field: name,
                        message: "Apimo \(isLead ? "leads" : "contacts") have no \(name); they take \(accepted.joined(separator: ", "))"))
            }
            if fields.contains("ContactType") {
                refuse("ContactType", operation == .update ? ["Contact"] : contactTypes, contact.contactType)
            }
        case let activity as Activity:
            if fields.contains("ActivityType") { refuse("ActivityType", activityTypes, activity.activityType) }
        case let property as Property:
            if fields.contains("StandardStatus") { refuse("StandardStatus", standardStatuses, property.standardStatus) }
            if fields.contains("LivingAreaUnits") { refuse("LivingAreaUnits", areaUnitValues, property.livingAreaUnits) }
        case let media as Media:
            errors += mediaProblems(media, operation: operation)
        default:
            break
        }
        return errors
    }

    /// Whether a record's source key is an Apimo lead's (`lead-<id>`).
    static func isLeadKey(_ metadata: RecordMetadata) -> Bool {
        metadata.sourceSystemName == sourceSystemName && (metadata.sourceKey?.hasPrefix(leadKeyPrefix) ?? false)
    }

    // MARK: - Read-modify-write

    /// Applies the fields `fields` names from `record` to `body`, the vendor's JSON of the record
    /// `current` was mapped from. A field whose value equals the current one is left as the
    /// vendor has it (so a record written back unchanged sends Apimo's body unchanged); an
    /// empty value clears the vendor field (`null`).
    ///
    /// - Throws: ``ApimoWriteError`` for a value with no vendor counterpart.
    static func apply<R: HubRecord>(
        _ fields: [String], of record: R, current: R, to body: inout [String: JSONValue], catalogs: ApimoCatalogs
    ) throws(ApimoWriteError) {
        var names = fields
        // FullName only writes the names when they are not named themselves.
        if names.contains("FirstName") || names.contains("LastName") { names.removeAll { $0 == "FullName" } }
        for name in names {
            guard let field = R.fields.first(where: { $0.name == name }) else { continue }
            guard field.value(in: record) != field.value(in: current) else { continue }
            switch record {
            case let contact as Contact: try applyContact(name, contact, to: &body)
            case let activity as Activity: try applyAction(name, activity, to: &body, catalogs: catalogs)
            case let property as Property: try applyProperty(name, property, to: &body, catalogs: catalogs)
            default: throw ApimoWriteError(field: name, message: "Apimo cannot write \(R.resource.rawValue) records")
            }
        }
    }

    private static func applyContact(_ name: String, _ contact: Contact, to body: inout [String: JSONValue]) throws(ApimoWriteError) {
        switch name {
        case "FirstName": body.setText("firstname", contact.firstName)
        case "LastName": body.setText("lastname", contact.lastName)
        case "FullName":
            let names = splitFullName(contact.fullName)
            body.setText("firstname", names.first)
            body.setText("lastname", names.last)
        case "Email": body.setText("email", contact.email)
        case "HomePhone": body.setText("phone", contact.homePhone)
        case "MobilePhone": body.setText("mobile", contact.mobilePhone)
        case "Language": body.setText("language", contact.language)
        case "SourceSystemOwnerMemberKey": body.setText("user", contact.ownerMemberSourceKey)
        case "Company": body.setText("company", contact.company)
        case "HomeAddress1":
            // Read as `address, address_more`; a new address replaces both.
            body.setText("address", contact.homeAddress1)
            body["address_more"] = .null
        case "HomeCity": body.setText("city", contact.homeCity)
        case "HomePostalCode": body.setText("zipcode", contact.homePostalCode)
        case "HomeCountry": body.setText("country", contact.homeCountry)
        case "Birthdate": body.setText("birthday_at", contact.birthdate)
        case "Notes": body.setText("comment", contact.notes)
        case "ContactType":
            guard contact.contactType.map({ !FieldRules.isPresent($0) || $0 == "Contact" }) ?? true else {
                throw ApimoWriteError(
                    field: name, message: "an Apimo contact cannot become \(contact.contactType ?? ""); it accepts Contact")
            }
        default: throw ApimoWriteError(field: name, message: "Apimo contacts have no \(name)")
        }
    }

    private static func applyAction(
        _ name: String, _ activity: Activity, to body: inout [String: JSONValue], catalogs: ApimoCatalogs
    ) throws(ApimoWriteError) {
        switch name {
        case "ActivityType":
            let wanted = activity.activityType ?? "other"
            guard
                let id = catalogID(
                    .actionType, catalogs: catalogs, current: ApimoRecord.text(body["type"]),
                    matches: { activityType(forLabel: $0) == wanted })
            else {
                let offered = Set((catalogs.labels[.actionType] ?? [:]).values.map { activityType(forLabel: $0) }).sorted()
                throw ApimoWriteError(
                    field: name,
                    message: "no Apimo action type matches \"\(wanted)\"; this agency's catalog offers \(offered.joined(separator: ", "))")
            }
            body["type"] = .string(id)
        case "ActivitySubject": body.setText("subject", activity.subject)
        case "ActivityBody": body.setText("content", activity.body)
        case "ActivityStartTimestamp":
            let parts = activity.startTimestamp.map { localParts($0) }
            body.setText("date", parts?.date)
            body.setText("time_start", parts?.time)
        case "ActivityEndTimestamp": body.setText("time_end", activity.endTimestamp.map { localParts($0).time })
        case "SourceSystemContactKey": body.setText("contact", activity.contactSourceKey)
        case "SourceSystemOwnerMemberKey": body.setText("user", activity.ownerMemberSourceKey)
        case "SourceSystemListingKey":
            body["properties"] = activity.listingSourceKey.map { .array([.string($0)]) } ?? .null
        default: throw ApimoWriteError(field: name, message: "Apimo actions have no \(name)")
        }
    }

    private static func applyProperty(
        _ name: String, _ property: Property, to body: inout [String: JSONValue], catalogs: ApimoCatalogs
    ) throws(ApimoWriteError) {
        func labelled(_ catalog: ApimoCatalogs.Name, _ key: String, _ value: String?, _ matches: @escaping (String) -> Bool)
            throws(ApimoWriteError)
        {
            guard let value, FieldRules.isPresent(value) else {
                body[key] = .null
                return
            }
            guard let id = catalogID(catalog, catalogs: catalogs, current: ApimoRecord.text(body[key]), matches: matches) else {
                let labels = Set((catalogs.labels[catalog] ?? [:]).values).sorted()
                throw ApimoWriteError(
                    field: name,
                    message:
                        "the agency's \(catalog.rawValue) catalog has no entry for \"\(value)\"; it has \(labels.joined(separator: ", "))")
            }
            body[key] = .string(id)
        }
        switch name {
        case "ListingId": body.setText("reference", property.listingID)
        case "StandardStatus":
            try labelled(.propertyStatus, "status", property.standardStatus) { standardStatus(forLabel: $0) == property.standardStatus }
        case "PropertyType":
            try labelled(.propertyType, "type", property.propertyType) { $0.lowercased() == property.propertyType?.lowercased() }
        case "PropertySubType":
            try labelled(.propertySubtype, "subtype", property.propertySubType) {
                $0.lowercased() == property.propertySubType?.lowercased()
            }
        case "ListPrice": body.setMember("price", "value", property.listPrice.map(decimalText))
        case "Country": body.setText("country", property.country)
        case "Latitude": body["latitude"] = property.latitude.map(JSONValue.double) ?? .null
        case "Longitude": body["longitude"] = property.longitude.map(JSONValue.double) ?? .null
        case "BedroomsTotal": body.setText("bedrooms", property.bedroomsTotal.map(String.init))
        case "LivingArea": body.setMember("area", "value", property.livingArea.map(decimalText))
        case "LivingAreaUnits":
            guard let wanted = property.livingAreaUnits, FieldRules.isPresent(wanted) else {
                body.setMember("area", "unit", nil)
                return
            }
            guard
                let id = catalogID(
                    .unitArea, catalogs: catalogs, current: ApimoRecord.text(body["area"]?["unit"]),
                    matches: { areaUnits(forLabel: $0) == wanted })
            else {
                throw ApimoWriteError(field: name, message: "the agency's unit_area catalog has no entry for \(wanted)")
            }
            body.setMember("area", "unit", id)
        case "BuildingName": body.setText("block_name", property.buildingName)
        case "UnitNumber": body.setText("lot_reference", property.unitNumber)
        default: throw ApimoWriteError(field: name, message: "Apimo property updates take no \(name)")
        }
    }

    /// The catalog id to write: the current one when its label already matches (so an
    /// unchanged value keeps the vendor's own code), else the smallest id whose label matches.
    static func catalogID(
        _ catalog: ApimoCatalogs.Name, catalogs: ApimoCatalogs, current: String?, matches: (String) -> Bool
    ) -> String? {
        let labels = catalogs.labels[catalog] ?? [:]
        if let current, let label = labels[current], matches(label) { return current }
        return labels.filter { matches($0.value) }.map(\.key).sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }.first
    }

    /// A number as Apimo writes amounts: `250000`, `87.5`.
    static func decimalText(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// `FullName` split at its last space: (first, last); one word is the last name.
    static func splitFullName(_ full: String?) -> (first: String?, last: String?) {
        guard let full = full?.trimmingCharacters(in: .whitespaces), !full.isEmpty else { return (nil, nil) }
        guard let space = full.lastIndex(of: " ") else { return (nil, full) }
        return (
            String(full[..<space]).trimmingCharacters(in: .whitespaces),
            String(full[full.index(after: space)...]).trimmingCharacters(in: .whitespaces)
        )
    }
}

/// A hub value with no Apimo counterpart, naming the RESO field.
struct ApimoWriteError: Error, Sendable, Hashable {
    var field: String
    var message: String
}

extension [String: JSONValue] {
    /// Sets `key` to the trimmed text, or `null` when the value is empty (a cleared field).
    mutating func setText(_ key: String, _ value: String?) {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            self[key] = .null
            return
        }
        self[key] = .string(text)
    }

    /// Sets `member` inside the object `key` (created when missing), `null` when empty.
    mutating func setMember(_ key: String, _ member: String, _ value: String?) {
        var object = self[key]?.objectValue ?? [:]
        object.setText(member, value)
        self[key] = .object(object)
    }
}
