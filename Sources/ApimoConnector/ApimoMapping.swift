import ConnectorKit
import Foundation
import RealtyModel

/// Mapping between Apimo records and the canonical model. Pure: no I/O, no clock.
///
/// Field names follow the Apimo documentation (users, actions: the seed; agencies, properties,
/// leads: Apimo's other documentation pages as summarised in `vendors/apimo.md`). Apimo does not
/// publish the fields of contacts or the bodies of its create calls; the names used for those are
/// the ones its lead documentation uses for the same facts (`firstname`, `lastname`, `email`,
/// `phone`, `mobile`, `language`, `user`), and are marked as readings below.
enum ApimoMapping {
    /// `SourceSystemName` of every record this connector produces.
    static let sourceSystemName = "apimo"

    /// Source keys of leads carry this prefix: Apimo numbers contacts and leads separately and
    /// both become canonical `Contacts`, so a lead `12` and a contact `12` must not share a key.
    static let leadKeyPrefix = "lead-"

    // MARK: - Vendor → hub

    /// An agency as an office.
    static func office(from record: ApimoRecord, connectionID: String?) throws(ApimoMappingError) -> Office {
        let id = try requireID(record, "an agency")
        var office = Office(metadata: metadata(record, key: id, connectionID: connectionID))
        office.name = record.text("name")
        office.email = record.text("email")
        office.phone = record.text("phone")
        office.address1 = joined(record.text("address"), record.text("address_more"))
        office.city = record.name("city")
        office.postalCode = cityPostalCode(record)
        office.stateOrProvince = record.name("region")
        office.country = record.name("country")
        if let active = record.flag("active") { office.status = active ? "Active" : "Inactive" }
        return office
    }

    /// A user as a member. `phone` is the user's direct line; `agency` links the office;
    /// `spoken_languages` (or `language`) become `MemberLanguages`; `group` (catalog
    /// `user_group`) is left in `raw`.
    static func member(from record: ApimoRecord, connectionID: String?) throws(ApimoMappingError) -> Member {
        let id = try requireID(record, "a user")
        let zone = record.text("timezone").flatMap(TimeZone.init(identifier:)) ?? ApimoTime.defaultZone
        var member = Member(metadata: metadata(record, key: id, connectionID: connectionID, zone: zone))
        member.firstName = record.text("firstname")
        member.lastName = record.text("lastname")
        member.fullName = joined(member.firstName, member.lastName, separator: " ")
        member.email = record.text("email")
        member.mobilePhone = record.text("mobile")
        member.directPhone = record.text("phone")
        member.officeSourceKey = record.reference("agency")
        if let active = record.flag("active") { member.status = active ? "Active" : "Inactive" }
        var languages: [String] = []
        for value in record.fields["spoken_languages"]?.arrayValue ?? [] {
            if let code = ApimoRecord.text(value) ?? ApimoRecord.text(value["code"]) ?? ApimoRecord.text(value["id"]) {
                languages.append(code)
            }
        }
        if languages.isEmpty, let language = record.text("language") { languages = [language] }
        member.languages = languages.isEmpty ? nil : languages
        return member
    }

    /// A user's action as an activity.
    ///
    /// `type` is resolved through the `action_type` catalog and reduced to the hub's activity
    /// types by its English label (``activityType(forLabel:)``); `other` when unknown. The start
    /// and end are `date` with `time_start`/`time_end` in the agency's time zone. The listing is
    /// the first of `properties` (documented as a list, sent as one object in the sample).
    static func activity(from record: ApimoRecord, catalogs: ApimoCatalogs, connectionID: String?)
        throws(ApimoMappingError) -> Activity
    {
        let id = try requireID(record, "an action")
        var activity = Activity(metadata: metadata(record, key: id, connectionID: connectionID))
        activity.activityType = activityType(forLabel: catalogs.label(.actionType, record.text("type")))
        activity.subject = record.text("subject")
        activity.body = record.text("content")
        let date = record.text("date").map { String($0.prefix(10)) }
        activity.startTimestamp = ApimoTime.instant(date: date, time: record.text("time_start"))
        activity.endTimestamp = ApimoTime.instant(date: date, time: record.text("time_end"))
        if let start = activity.startTimestamp, let end = activity.endTimestamp, end < start {
            // An action that ends after midnight: the end belongs to the next day.
            activity.endTimestamp = end.addingTimeInterval(86_400)
        }
        activity.contactSourceKey = record.reference("contact")
        activity.ownerMemberSourceKey = record.reference("user")
        activity.listingSourceKey = firstPropertyID(record.fields["properties"])
        return activity
    }

    /// A property as a listing.
    ///
    /// Readings: `reference` is the `ListingId`; `status` (catalog `property_status`) becomes
    /// `StandardStatus` by its English label; `type`/`subtype` become their labels; `price.value`
    /// is the list price; `area.value` the living area with `area.unit` (catalog `unit_area`);
    /// `block_name` and `lot_reference` the building and unit; the English comment (else the first)
    /// the public remarks; `user.id` the listing agent.
    static func property(from record: ApimoRecord, catalogs: ApimoCatalogs, connectionID: String?)
        throws(ApimoMappingError) -> Property
    {
        let id = try requireID(record, "a property")
        var property = Property(metadata: metadata(record, key: id, connectionID: connectionID))
        property.listingID = record.text("reference")
        property.standardStatus = standardStatus(forLabel: catalogs.label(.propertyStatus, record.reference("status")))
        property.propertyType = catalogs.label(.propertyType, record.reference("type"))
        property.propertySubType = catalogs.label(.propertySubtype, record.reference("subtype"))
        if let price = record.fields["price"] {
            property.listPrice = price["value"]?.doubleValue ?? price.doubleValue
            // Apimo gives one price, the current asking price (as PF Expert's `price.value`).
            property.currentPrice = property.listPrice
        }
        property.unparsedAddress = joined(record.text("address"), record.text("address_more"))
        property.city = record.name("city")
        property.postalCode = cityPostalCode(record)
        property.stateOrProvince = record.name("region")
        property.country = record.name("country")
        property.latitude = record.number("latitude").flatMap { (-90...90).contains($0) && $0 != 0 ? $0 : nil }
        property.longitude = record.number("longitude").flatMap { (-180...180).contains($0) && $0 != 0 ? $0 : nil }
        property.bedroomsTotal = record.fields["bedrooms"]?.intValue.map { Int($0) }
        if let area = record.fields["area"] {
            property.livingArea = area["value"]?.doubleValue
            property.livingAreaUnits = areaUnits(forLabel: catalogs.label(.unitArea, ApimoRecord.text(area["unit"])))
        }
        property.buildingName = record.text("block_name")
        property.unitNumber = record.text("lot_reference")
        property.publicRemarks = remarks(record.fields["comments"])
        property.listAgentSourceKey = record.reference("user")
        return property
    }

    /// A contact as a canonical contact (`ContactType` `Contact`).
    ///
    /// Reading: Apimo does not document the contact's fields; the names read are those of its
    /// leads and users (`firstname`, `lastname`, `email`, `phone`, `mobile`, `language`, `user`)
    /// plus `company`, `address`, `city` (object or text), `zipcode`, `country`, `birthday_at`
    /// and `comment`, the names Apimo uses for the same facts on agencies and users.
    static func contact(from record: ApimoRecord, connectionID: String?) throws(ApimoMappingError) -> Contact {
        let id = try requireID(record, "a contact")
        var contact = Contact(metadata: metadata(record, key: id, connectionID: connectionID))
        fillPerson(&contact, from: record)
        contact.contactType = "Contact"
        contact.company = record.text("company")
        contact.homeAddress1 = joined(record.text("address"), record.text("address_more"))
        contact.homeCity = record.name("city")
        contact.homePostalCode = record.text("zipcode") ?? cityPostalCode(record)
        contact.homeCountry = record.name("country")
        if let birthday = (record.text("birthday_at") ?? record.text("birthday")).map({ String($0.prefix(10)) }),
            CalendarDate.isValid(birthday)
        {
            contact.birthdate = birthday
        }
        contact.notes = record.text("comment")
        return contact
    }

    /// A lead as a canonical contact with `ContactType` `Lead`; its source key is
    /// ``leadKeyPrefix`` + the lead id. `message` becomes the notes, `reference` (the lead
    /// provider's own reference) the referrer.
    static func lead(from record: ApimoRecord, connectionID: String?) throws(ApimoMappingError) -> Contact {
        let id = try requireID(record, "a lead")
        var contact = Contact(metadata: metadata(record, key: leadKeyPrefix + id, connectionID: connectionID))
        fillPerson(&contact, from: record)
        contact.contactType = "Lead"
        contact.notes = record.text("message")
        contact.referredBy = record.text("reference")
        return contact
    }

    private static func fillPerson(_ contact: inout Contact, from record: ApimoRecord) {
        contact.firstName = record.text("firstname")
        contact.lastName = record.text("lastname")
        contact.fullName = joined(contact.firstName, contact.lastName, separator: " ")
        contact.email = record.text("email")
        contact.mobilePhone = record.text("mobile")
        contact.homePhone = record.text("phone")
        contact.language = record.text("language")
        contact.ownerMemberSourceKey = record.reference("user")
    }

    private static func metadata(
        _ record: ApimoRecord, key: String, connectionID: String?, zone: TimeZone = ApimoTime.defaultZone
    ) -> RecordMetadata {
        RecordMetadata(
            sourceSystemName: sourceSystemName, sourceKey: key, connectionID: connectionID,
            sourceModificationTimestamp: ApimoTime.instant(record.text("updated_at"), zone: zone),
            sourceEntryTimestamp: ApimoTime.instant(record.text("created_at"), zone: zone),
            raw: .object(record.fields))
    }

    private static func requireID(_ record: ApimoRecord, _ what: String) throws(ApimoMappingError) -> String {
        guard let id = record.id else { throw ApimoMappingError("\(what) without an id") }
        return id
    }

    // MARK: - Hub → vendor

    /// The JSON body to create a lead: ids as strings, only the fields the contact has.
    static func leadBody(from contact: Contact) -> [String: JSONValue] {
        var body = personBody(from: contact)
        body.putText("message", contact.notes)
        body.putText("reference", contact.referredBy)
        return body
    }

    /// The JSON body to create or update a contact.
    static func contactBody(from contact: Contact) -> [String: JSONValue] {
        var body = personBody(from: contact)
        body.putText("company", contact.company)
        body.putText("address", contact.homeAddress1)
        body.putText("zipcode", contact.homePostalCode)
        body.putText("city", contact.homeCity)
        body.putText("country", contact.homeCountry)
        body.putText("birthday_at", contact.birthdate)
        body.putText("comment", contact.notes)
        return body
    }

    private static func personBody(from contact: Contact) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        var first = contact.firstName
        var last = contact.lastName
        if first == nil, last == nil, let full = contact.fullName?.trimmingCharacters(in: .whitespaces), !full.isEmpty {
            if let space = full.lastIndex(of: " ") {
                first = String(full[..<space]).trimmingCharacters(in: .whitespaces)
                last = String(full[full.index(after: space)...])
            } else {
                last = full
            }
        }
        body.putText("firstname", first)
        body.putText("lastname", last)
        body.putText("email", contact.email)
        // `phone` reads as `HomePhone` and is written from it only (an `OfficePhone` is refused
        // by the write check rather than moved to another field).
        body.putText("phone", contact.homePhone)
        body.putText("mobile", contact.mobilePhone)
        body.putText("language", contact.language)
        body.putText("user", contact.ownerMemberSourceKey)
        return body
    }

    /// The JSON body to create or update an action.
    ///
    /// - Throws: ``ApimoMappingError`` when no `action_type` catalog entry matches the activity
    ///   type (Apimo needs its own type id).
    static func actionBody(from activity: Activity, catalogs: ApimoCatalogs) throws(ApimoMappingError)
        -> [String: JSONValue]
    {
        var body: [String: JSONValue] = [:]
        let wanted = activity.activityType ?? "other"
        // The record's own Apimo type, when it was read from Apimo and the catalog has no match.
        let rawType =
            activity.metadata.sourceSystemName == sourceSystemName
            ? activity.metadata.raw.flatMap { ApimoRecord.text($0["type"]) } : nil
        let typeID = catalogs.labels[.actionType]?
            .filter { activityType(forLabel: $0.value) == wanted }
            .map(\.key)
            .sorted { (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1) }
            .first
        guard let type = typeID ?? rawType else {
            throw ApimoMappingError("no Apimo action type matches the activity type \"\(wanted)\"")
        }
        body["type"] = .string(type)
        body.putText("user", activity.ownerMemberSourceKey)
        body.putText("contact", activity.contactSourceKey)
        body.putText("subject", activity.subject)
        body.putText("content", activity.body)
        if let start = activity.startTimestamp {
            let parts = localParts(start)
            body["date"] = .string(parts.date)
            body["time_start"] = .string(parts.time)
        }
        if let end = activity.endTimestamp {
            body["time_end"] = .string(localParts(end).time)
        }
        if let listing = activity.listingSourceKey {
            body["properties"] = .array([.string(listing)])
        }
        return body
    }

    /// `date` (`YYYY-MM-DD`) and `time` (`HH:MM:SS`) of an instant in the agency's time zone.
    static func localParts(_ date: Date, zone: TimeZone = ApimoTime.defaultZone) -> (date: String, time: String) {
        let shifted = date.addingTimeInterval(Double(zone.secondsFromGMT(for: date)))
        let text = Timestamp.format(shifted) // YYYY-MM-DDTHH:MM:SS.mmmZ
        return (String(text.prefix(10)), String(text.dropFirst(11).prefix(8)))
    }

    // MARK: - Labels

    /// The hub activity type for an `action_type` label (English or French).
    static func activityType(forLabel label: String?) -> String {
        guard let label = label?.lowercased() else { return "other" }
        let table: [(String, [String])] = [
            ("whatsapp", ["whatsapp"]),
            ("sms", ["sms", "text message"]),
            ("email", ["mail", "courriel"]),
            ("call", ["call", "phone", "appel", "téléphone", "telephone"]),
            ("visit", ["visit", "visite"]),
            ("meeting", ["meeting", "appointment", "rendez-vous", "rdv", "réunion"]),
            ("note", ["note", "comment"]),
            ("task", ["task", "tâche", "todo", "to do", "reminder", "rappel"]),
        ]
        for (type, words) in table where words.contains(where: label.contains) { return type }
        return "other"
    }

    /// RESO `StandardStatus` for a `property_status` label; `nil` when the label says nothing
    /// the RESO list can express.
    static func standardStatus(forLabel label: String?) -> String? {
        guard let label = label?.lowercased() else { return nil }
        if ["sold", "rented", "leased", "vendu", "loué", "closed"].contains(where: label.contains) { return "Closed" }
        if ["offer", "compromis", "option", "reserved", "réservé", "pending", "under contract"].contains(where: label.contains) {
            return "Pending"
        }
        if ["withdrawn", "retiré", "cancel", "annul", "archiv", "expired"].contains(where: label.contains) {
            return "Withdrawn"
        }
        if ["coming soon", "prochainement"].contains(where: label.contains) { return "Coming Soon" }
        if ["available", "disponible", "active", "for sale", "for rent", "en vente", "à vendre", "a vendre"]
            .contains(where: label.contains)
        {
            return "Active"
        }
        return nil
    }

    /// RESO `LivingAreaUnits` for a `unit_area` label.
    static func areaUnits(forLabel label: String?) -> String? {
        guard let label = label?.lowercased() else { return nil }
        if label.contains("ft") || label.contains("feet") || label.contains("pied") { return "Square Feet" }
        if label.contains("m²") || label.contains("m2") || label.contains("meter") || label.contains("mètre")
            || label.contains("metre") || label == "m"
        {
            return "Square Meters"
        }
        return nil
    }

    // MARK: - Helpers

    private static func joined(_ first: String?, _ second: String?, separator: String = ", ") -> String? {
        let parts = [first, second].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: separator)
    }

    private static func cityPostalCode(_ record: ApimoRecord) -> String? {
        guard let city = record.fields["city"], case .object = city else { return nil }
        return ApimoRecord.text(city["zipcode"])
    }

    private static func firstPropertyID(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        switch value {
        case .array(let elements):
            for element in elements {
                if let id = firstPropertyID(element) { return id }
            }
            return nil
        case .object:
            return ApimoRecord.text(value["id"])
        default:
            return ApimoRecord.text(value)
        }
    }

    private static func remarks(_ value: JSONValue?) -> String? {
        guard let comments = value?.arrayValue, !comments.isEmpty else { return nil }
        let english = comments.first { ApimoRecord.text($0["language"])?.lowercased().hasPrefix("en") == true }
        let chosen = english ?? comments[0]
        return ApimoRecord.text(chosen["comment"]) ?? ApimoRecord.text(chosen["comment_full"])
    }
}

/// A vendor record could not be mapped (for example, it has no id).
struct ApimoMappingError: Error, Sendable, Hashable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
