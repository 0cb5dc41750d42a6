import ConnectorKit
import Foundation
import RealtyModel

/// Mapping between MyCRM records and the canonical model. Pure: no I/O, no clock.
///
/// Field names are the seed's lists for Leads and Contacts (MyCRM renamed vtiger's custom fields,
/// so `business_name`, `zip4`, `apart`, `utm_*` are MyCRM's own). Users use vtiger's stock field
/// names (`first_name`, `email1`, `phone_mobile`, …), which the seed does not list.
enum MyCRMMapping {
    /// `SourceSystemName` of every record this connector produces.
    static let sourceSystemName = "mycrm"

    /// User fields that carry credentials; they are dropped from `raw` so no secret is stored.
    static let secretUserFields: Set<String> = ["accesskey", "user_password", "confirm_password", "user_hash"]

    // MARK: - Vendor → hub

    /// A Leads or Contacts record as a canonical contact.
    ///
    /// Readings where the seed is silent:
    /// - Leads' `phone` (vtiger label "Phone") becomes `HomePhone`; Contacts' `phone` (vtiger label
    ///   "Office Phone") becomes `OfficePhone` and `homephone` becomes `HomePhone`.
    /// - Leads get `ContactType` `Lead`; Contacts get `Client` when `is_customer` is set, else
    ///   `Contact`.
    /// - A five-digit postal code with a `zip4` becomes `12345-6789` (and is split again on write).
    /// - `company` (stock vtiger) is read when MyCRM's `business_name` is empty; `leadstatus` and
    ///   `country`/`mailingcountry` (stock vtiger, not in the seed) are read when present but never
    ///   written.
    /// - `apart` (the apartment) becomes `HomeAddress2`; Contacts' `pager` and `spouse_name` become
    ///   `Pager` and `SpousePartnerName`.
    /// - Seed fields with no RESO counterpart stay only in `raw`: `pobox`/`mailingpobox`,
    ///   `csg_number`, `service_dt` and `dl_state`. The identity fields `ssn`, `dl_license` and
    ///   `dl_expdate` are never copied to a RESO field: they are the profile's sensitive fields,
    ///   sealed inside `raw` by the store.
    ///
    /// - Throws: ``MyCRMMappingError`` when the record has no `id`.
    static func contact(from record: MyCRMRecord, module: MyCRMModule, connectionID: String?) throws(MyCRMMappingError)
        -> Contact
    {
        guard let id = record.id else { throw MyCRMMappingError("a \(module.rawValue) record without an id") }
        var contact = Contact(metadata: metadata(for: record, id: id, connectionID: connectionID, raw: .object(record.fields)))
        contact.firstName = record.text("firstname")
        contact.lastName = record.text("lastname")
        contact.fullName = fullName(contact.firstName, contact.lastName)
        contact.email = record.text("email")
        contact.mobilePhone = record.text("mobile")
        contact.company = record.text("business_name") ?? record.text("company")
        // Through the picklist table; a value outside it (a deployment's own picklist entry)
        // is kept as the vendor wrote it rather than lost.
        contact.leadSource = record.text("leadsource").map { MyCRMVocabulary.leadSource.hubValue($0) ?? $0 }
        contact.notes = record.text("description")
        contact.ownerMemberSourceKey = record.text("assigned_user_id")
        contact.utmSource = record.text("utm_source")
        contact.utmMedium = record.text("utm_medium")
        contact.utmCampaign = record.text("utm_campaign")
        contact.utmContent = record.text("utm_content")
        contact.utmTerm = record.text("utm_term")
        contact.homeAddress2 = record.text("apart")
        switch module {
        case .leads, .users:
            contact.contactType = "Lead"
            contact.contactStatus = MyCRMVocabulary.leadStatus.hubValue(record.text("leadstatus"))
            contact.homePhone = record.text("phone")
            contact.homeAddress1 = record.text("lane")
            contact.homeCity = record.text("city")
            contact.homeStateOrProvince = record.text("state")
            contact.homePostalCode = postalCode(record.text("code"), zip4: record.text("zip4"))
            contact.homeCountry = record.text("country")
        case .contacts:
            contact.contactType = record.flag("is_customer") == true ? "Client" : "Contact"
            contact.officePhone = record.text("phone")
            contact.homePhone = record.text("homephone")
            contact.homeAddress1 = record.text("mailingstreet")
            contact.homeCity = record.text("mailingcity")
            contact.homeStateOrProvince = record.text("mailingstate")
            contact.homePostalCode = postalCode(record.text("mailingzip"), zip4: record.text("zip4"))
            contact.homeCountry = record.text("mailingcountry")
            contact.pager = record.text("pager")
            contact.spousePartnerName = record.text("spouse_name")
            if let birthday = record.text("birthday"), CalendarDate.isValid(birthday) {
                contact.birthdate = birthday
            }
        }
        return contact
    }

    /// A Users record as a canonical member.
    ///
    /// `phone_work` (vtiger label "Office Phone") becomes `MemberOfficePhone`; `status` keeps
    /// vtiger's `Active`/`Inactive`. Credential fields are removed from `raw`.
    ///
    /// - Throws: ``MyCRMMappingError`` when the record has no `id`.
    static func member(from record: MyCRMRecord, connectionID: String?) throws(MyCRMMappingError) -> Member {
        guard let id = record.id else { throw MyCRMMappingError("a Users record without an id") }
        let raw = record.fields.filter { !secretUserFields.contains($0.key) }
        var member = Member(metadata: metadata(for: record, id: id, connectionID: connectionID, raw: .object(raw)))
        member.firstName = record.text("first_name")
        member.lastName = record.text("last_name")
        member.fullName = fullName(member.firstName, member.lastName)
        member.email = record.text("email1") ?? record.text("email2")
        member.mobilePhone = record.text("phone_mobile")
        member.officePhone = record.text("phone_work")
        member.jobTitle = record.text("title")
        if let status = record.text("status") {
            switch status.lowercased() {
            case "active": member.status = "Active"
            case "inactive": member.status = "Inactive"
            default: member.status = nil
            }
        }
        if let language = record.text("language") { member.languages = [language] }
        return member
    }

    private static func metadata(for record: MyCRMRecord, id: String, connectionID: String?, raw: JSONValue)
        -> RecordMetadata
    {
        RecordMetadata(
            sourceSystemName: sourceSystemName, sourceKey: id, connectionID: connectionID,
            sourceModificationTimestamp: record.timestamp("modifiedtime"),
            sourceEntryTimestamp: record.timestamp("createdtime"),
            raw: raw)
    }

    // MARK: - Hub → vendor

    /// The module a canonical contact is written to: `Leads` when its `ContactType` is `Lead`,
    /// `Contacts` otherwise (a contact with no type is a contact; the hub's lead intake sets
    /// `Lead` on what it accepts).
    static func module(for contact: Contact) -> MyCRMModule {
        guard let type = contact.contactType?.trimmingCharacters(in: .whitespaces), !type.isEmpty else { return .contacts }
        return type.lowercased() == "lead" ? .leads : .contacts
    }

    /// The `element` fields for a contact, with the seed's field names for `module`; only fields
    /// the contact has are included (so it serves `create`, `revise` and the merge of `update`).
    ///
    /// When `FirstName`/`LastName` are missing, `FullName` is split at its last space.
    static func element(from contact: Contact, module: MyCRMModule) -> [String: JSONValue] {
        var element: [String: JSONValue] = [:]
        func put(_ name: String, _ value: String?) {
            guard let value, FieldRules.isPresent(value) else { return }
            element[name] = .string(value)
        }
        let names = splitName(contact)
        put("firstname", names.first)
        put("lastname", names.last)
        put("email", contact.email)
        put("mobile", contact.mobilePhone)
        put("leadsource", contact.leadSource.flatMap(MyCRMVocabulary.leadSource.vendorValue))
        put("business_name", contact.company)
        put("description", contact.notes)
        put("assigned_user_id", contact.ownerMemberSourceKey)
        put("utm_source", contact.utmSource)
        put("utm_medium", contact.utmMedium)
        put("utm_campaign", contact.utmCampaign)
        put("utm_content", contact.utmContent)
        put("utm_term", contact.utmTerm)
        let postal = splitPostalCode(contact.homePostalCode)
        put("zip4", postal.zip4)
        put("apart", contact.homeAddress2)
        switch module {
        case .leads, .users:
            // Leads have one landline, `phone`, read as `HomePhone` and written from it only
            // (an `OfficePhone` on a lead is refused by the write check, not moved).
            put("phone", contact.homePhone)
            put("lane", contact.homeAddress1)
            put("city", contact.homeCity)
            put("state", contact.homeStateOrProvince)
            put("code", postal.code)
        case .contacts:
            put("phone", contact.officePhone)
            put("homephone", contact.homePhone)
            put("mailingstreet", contact.homeAddress1)
            put("mailingcity", contact.homeCity)
            put("mailingstate", contact.homeStateOrProvince)
            put("mailingzip", postal.code)
            put("birthday", contact.birthdate)
            put("pager", contact.pager)
            put("spouse_name", contact.spousePartnerName)
            switch contact.contactType?.trimmingCharacters(in: .whitespaces).lowercased() {
            case "client": put("is_customer", "1")
            case "contact": put("is_customer", "0")
            default: break
            }
        }
        return element
    }

    /// The `element` of a partial update (`revise`): for each RESO field in `fields`, the vendor
    /// fields it is written to (``MyCRMVocabulary/vendorFields(of:module:)``), with `""` where the
    /// contact has no value (the client cleared it). Nothing else is sent, so vendor fields the
    /// hub does not map (`ssn`, `dl_license`, `csg_number`, ...) are never touched.
    ///
    /// `FullName` named without `FirstName`/`LastName` is split on its own (the hub copy's old
    /// first and last names do not win over it).
    static func changedElement(from contact: Contact, fields: [String], module: MyCRMModule) -> [String: JSONValue] {
        var source = contact
        if fields.contains("FullName"), !fields.contains("FirstName"), !fields.contains("LastName") {
            source.firstName = nil
            source.lastName = nil
        }
        let full = element(from: source, module: module)
        var changed: [String: JSONValue] = [:]
        for field in fields {
            for name in MyCRMVocabulary.vendorFields(of: field, module: module) {
                changed[name] = full[name] ?? .string("")
            }
        }
        return changed
    }

    /// The fields the seed marks mandatory for Leads and Contacts.
    static let mandatoryFields = ["firstname", "lastname", "assigned_user_id"]

    /// Checks a `create` element against the seed's mandatory fields.
    ///
    /// - Returns: one error per missing field, named by its canonical field.
    static func missingMandatoryFields(in element: [String: JSONValue]) -> [FieldError] {
        var errors: [FieldError] = []
        if element["firstname"] == nil {
            errors.append(FieldError(field: "FirstName", message: "MyCRM requires a first name (firstname)"))
        }
        if element["lastname"] == nil {
            errors.append(FieldError(field: "LastName", message: "MyCRM requires a last name (lastname)"))
        }
        if element["assigned_user_id"] == nil {
            errors.append(
                FieldError(
                    field: "SourceSystemOwnerMemberKey", message: "MyCRM requires an assigned user (assigned_user_id)"))
        }
        return errors
    }

    // MARK: - Helpers

    static func fullName(_ first: String?, _ last: String?) -> String? {
        let parts = [first, last].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// First and last name, from the fields or else from `FullName` split at its last space.
    static func splitName(_ contact: Contact) -> (first: String?, last: String?) {
        var first = contact.firstName.flatMap { FieldRules.isPresent($0) ? $0 : nil }
        var last = contact.lastName.flatMap { FieldRules.isPresent($0) ? $0 : nil }
        if first == nil || last == nil, let full = contact.fullName?.trimmingCharacters(in: .whitespaces), !full.isEmpty {
            if let space = full.lastIndex(of: " ") {
                let head = full[..<space].trimmingCharacters(in: .whitespaces)
                let tail = full[full.index(after: space)...].trimmingCharacters(in: .whitespaces)
                if first == nil, !head.isEmpty { first = head }
                if last == nil, !tail.isEmpty { last = tail }
            } else if last == nil {
                last = full
            }
        }
        return (first, last)
    }

    /// `12345` + `6789` → `12345-6789`; anything else keeps the code as is.
    static func postalCode(_ code: String?, zip4: String?) -> String? {
        guard let code else { return nil }
        if let zip4, isDigits(code, count: 5), isDigits(zip4, count: 4) { return code + "-" + zip4 }
        return code
    }

    /// `12345-6789` → (`12345`, `6789`); anything else is the code alone.
    static func splitPostalCode(_ text: String?) -> (code: String?, zip4: String?) {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return (nil, nil) }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 2, isDigits(String(parts[0]), count: 5), isDigits(String(parts[1]), count: 4) {
            return (String(parts[0]), String(parts[1]))
        }
        return (text, nil)
    }

    private static func isDigits(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }
}

/// A vendor record could not be mapped (for example, it has no id).
struct MyCRMMappingError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
