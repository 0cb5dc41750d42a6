import ConnectorKit
import Foundation
import RealtyModel

/// The MyCRM picklists the connector writes, each a two-way table between the vendor's value
/// and the hub's, and the RESO fields each module takes. Pure data; `docs/vendors/mycrm.md`
/// prints the same tables.
enum MyCRMVocabulary {
    /// One picklist: vendor value ↔ hub value, one row each way (a bijection, so a value read
    /// and written back is the value the vendor had).
    struct Table: Sendable {
        /// The RESO field.
        var field: String
        /// The vendor's field.
        var vendorField: String
        /// (vendor value, hub value) rows.
        var rows: [(vendor: String, hub: String)]

        /// The hub value of a vendor value (exact, as vtiger stores picklists), or nil when the
        /// table has no row for it.
        func hubValue(_ vendor: String) -> String? {
            rows.first { $0.vendor == vendor }?.hub
        }

        /// The vendor value of a hub value (case-insensitive), or nil when unmapped.
        func vendorValue(_ hub: String) -> String? {
            let wanted = hub.trimmingCharacters(in: .whitespaces).lowercased()
            return rows.first { $0.hub.lowercased() == wanted }?.vendor
        }

        /// The hub values accepted, in table order.
        var accepted: [String] { rows.map { $0.hub } }

        /// A field error when `value` is set and has no row.
        func problem(_ value: String?) -> FieldError? {
            guard let value, FieldRules.isPresent(value), vendorValue(value) == nil else { return nil }
            return FieldError(
                field: field,
                message: "MyCRM has no \(vendorField) value for \"\(value)\"; it accepts \(accepted.joined(separator: ", "))")
        }
    }

    /// `leadsource` (vtiger's stock picklist, `include/ComboStrings.php`) ↔ `LeadSource`. RESO
    /// publishes no lead-source list; the hub values are the vendor's words in RESO's
    /// enumeration style (no spaces, each word capitalised).
    static let leadSource = Table(
        field: "LeadSource", vendorField: "leadsource",
        rows: [
            ("Cold Call", "ColdCall"), ("Existing Customer", "ExistingCustomer"), ("Self Generated", "SelfGenerated"),
            ("Employee", "Employee"), ("Partner", "Partner"), ("Public Relations", "PublicRelations"),
            ("Direct Mail", "DirectMail"), ("Conference", "Conference"), ("Trade Show", "TradeShow"),
            ("Web Site", "Website"), ("Word of mouth", "WordOfMouth"), ("Other", "Other"),
        ])

    /// `leadstatus` (vtiger's stock picklist) → `ContactStatus`, read only (the seed's field lists
    /// have no `leadstatus`, so the hub never writes it). Several vtiger values share one hub
    /// stage (the exact word stays in `raw`); a value outside the table is kept as read.
    static let leadStatus = Vocabulary(
        field: "ContactStatus",
        [
            ("Not Contacted", "New"), ("Attempted to Contact", "Contacted"), ("Contacted", "Contacted"),
            ("Contact in Future", "Nurturing"), ("Cold", "Nurturing"), ("Warm", "Nurturing"), ("Hot", "Qualified"),
            ("Pre Qualified", "Qualified"), ("Qualified", "Qualified"), ("Lost Lead", "Lost"), ("Junk Lead", "Lost"),
        ])

    /// `ContactType` ↔ module and `is_customer`: `Lead` is a Leads record; `Client` a Contacts
    /// record with `is_customer` `1`, `Contact` one with `0`. A contact with no type is written
    /// to Contacts (the hub's lead intake sets `Lead` on what it accepts). Other RESO types have
    /// no place in MyCRM and are refused.
    static let contactTypes = ["Lead", "Client", "Contact"]

    /// The RESO fields every Leads and Contacts write takes.
    static let commonFields = [
        "FirstName", "LastName", "FullName", "Email", "MobilePhone", "HomePhone", "HomeAddress1", "HomeAddress2",
        "HomeCity", "HomeStateOrProvince", "HomePostalCode", "Company", "ContactType", "LeadSource", "Notes",
        "SourceSystemOwnerMemberKey", "UtmSource", "UtmMedium", "UtmCampaign", "UtmContent", "UtmTerm",
    ]

    /// Fields only Contacts records have (Leads have one landline, `phone`, written from
    /// `HomePhone`, and no birthday, pager or spouse).
    static let contactsOnlyFields = ["OfficePhone", "Pager", "SpousePartnerName", "Birthdate"]

    /// Every RESO field a MyCRM contact write takes (the capability's list).
    static let writableFields = commonFields + contactsOnlyFields

    /// The RESO fields `module` takes.
    static func fields(of module: MyCRMModule) -> [String] {
        module == .contacts ? writableFields : commonFields
    }

    /// RESO fields whose vendor field the seed marks mandatory: an update may change them but
    /// not empty them.
    static let mandatoryFields = ["FirstName", "LastName", "SourceSystemOwnerMemberKey"]

    /// The vendor fields a RESO field is written to, in `module`.
    static func vendorFields(of field: String, module: MyCRMModule) -> [String] {
        let leads = module != .contacts
        switch field {
        case "FirstName": return ["firstname"]
        case "LastName": return ["lastname"]
        case "FullName": return ["firstname", "lastname"]
        case "Email": return ["email"]
        case "MobilePhone": return ["mobile"]
        case "HomePhone": return [leads ? "phone" : "homephone"]
        case "OfficePhone": return leads ? [] : ["phone"]
        case "HomeAddress1": return [leads ? "lane" : "mailingstreet"]
        case "HomeAddress2": return ["apart"]
        case "HomeCity": return [leads ? "city" : "mailingcity"]
        case "HomeStateOrProvince": return [leads ? "state" : "mailingstate"]
        case "HomePostalCode": return [leads ? "code" : "mailingzip", "zip4"]
        case "Company": return ["business_name"]
        case "ContactType": return leads ? [] : ["is_customer"]
        case "LeadSource": return ["leadsource"]
        case "Notes": return ["description"]
        case "SourceSystemOwnerMemberKey": return ["assigned_user_id"]
        case "UtmSource": return ["utm_source"]
        case "UtmMedium": return ["utm_medium"]
        case "UtmCampaign": return ["utm_campaign"]
        case "UtmContent": return ["utm_content"]
        case "UtmTerm": return ["utm_term"]
        case "Pager": return leads ? [] : ["pager"]
        case "SpousePartnerName": return leads ? [] : ["spouse_name"]
        case "Birthdate": return leads ? [] : ["birthday"]
        default: return []
        }
    }

    /// What in `contact` MyCRM cannot take: fields `module` does not have (unless `valuesOnly`),
    /// values no table maps, and mandatory fields an update would empty. No requests.
    ///
    /// A create checks values only: fields are checked when the write is accepted (before it is
    /// queued), and a lead queued before that check existed still goes out, without them.
    static func problems(
        _ contact: Contact, fields: [String], module: MyCRMModule, operation: WriteOperation, valuesOnly: Bool = false
    ) -> [FieldError] {
        var errors: [FieldError] = []
        let accepted = Set(Self.fields(of: module))
        for name in fields where !valuesOnly && !accepted.contains(name) && Set(writableFields).contains(name) {
            errors.append(
                FieldError(
                    field: name, message: "MyCRM Leads have no \(name); only Contacts records take it (ContactType Client or Contact)"))
        }
        if fields.contains("LeadSource"), let error = leadSource.problem(contact.leadSource) { errors.append(error) }
        if fields.contains("ContactType"), let type = contact.contactType, FieldRules.isPresent(type),
            !contactTypes.contains(where: { $0.lowercased() == type.trimmingCharacters(in: .whitespaces).lowercased() })
        {
            errors.append(
                FieldError(
                    field: "ContactType",
                    message: "MyCRM has no module for ContactType \"\(type)\"; it accepts \(contactTypes.joined(separator: ", "))"))
        }
        if operation == .update {
            for name in mandatoryFields where fields.contains(name) {
                guard case .string(let text)? = Contact.fields.first(where: { $0.name == name })?.value(in: contact),
                    FieldRules.isPresent(text)
                else {
                    errors.append(FieldError(field: name, message: "MyCRM requires \(name); it can be changed but not emptied"))
                    continue
                }
            }
        }
        return errors
    }
}
