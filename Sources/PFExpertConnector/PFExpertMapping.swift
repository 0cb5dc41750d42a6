import ConnectorKit
import Foundation
import RealtyModel

/// Maps PF Expert records to the canonical model (the other way, canonical records to PF Expert
/// bodies, is in `PFExpertConnector+Write.swift`, beside the writes that send them).
///
/// Pure functions: no I/O, no clock. The vendor payload is kept in `metadata.raw`,
/// `SourceSystemName` is `pf-expert` and the vendor's `created_at`/`updated_at` become the
/// source entry and modification timestamps.
enum PFExpertMapping {
    static let sourceSystemName = "pf-expert"

    /// Activities merge two vendor lists (WhatsApp leads and tracked calls) whose ids are
    /// independent sequences, so their source keys carry the list's name: `whatsapp-12`, `call-12`.
    static let whatsAppKeyPrefix = "whatsapp-"
    static let callKeyPrefix = "call-"

    // MARK: - Vendor → canonical

    /// A user as a `Member`.
    static func member(_ user: PFUser) -> Member {
        var member = Member(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: user.id, created: user.createdAt, updated: user.updatedAt, raw: user.raw))
        member.firstName = user.firstName
        member.lastName = user.lastName
        member.fullName = WireValues.joined(user.firstName, user.lastName)
        member.email = user.email
        member.mobilePhone = user.mobile
        member.directPhone = user.phone
        member.status = memberStatus(status: user.status, active: user.active)
        member.jobTitle = user.position
        member.type = user.role
        return member
    }

    /// `active`/`inactive` (and the usual synonyms) or a boolean flag as `Active`/`Inactive`;
    /// anything else is left empty (the payload keeps it).
    static func memberStatus(status: String?, active: Bool?) -> String? {
        if let status {
            switch status.lowercased() {
            case "active", "enabled", "1": return "Active"
            case "inactive", "disabled", "archived", "blocked", "0": return "Inactive"
            default: break
            }
        }
        return active.map { $0 ? "Active" : "Inactive" }
    }

    /// A property as a `Property`.
    static func property(_ source: PFProperty) -> Property {
        var property = Property(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: source.id, created: source.createdAt, updated: source.updatedAt, raw: source.raw))
        property.listingID = source.reference
        property.standardStatus = standardStatus(source.status)
        property.propertyType = propertyType(category: source.category, offering: source.offeringType)
        property.propertySubType = source.typeName
        property.listPrice = source.price
        property.currentPrice = source.price
        property.unparsedAddress = [source.tower, source.subCommunity, source.community, source.city]
            .compactMap { $0 }.filter { FieldRules.isPresent($0) }.joined(separator: ", ")
        if property.unparsedAddress?.isEmpty == true { property.unparsedAddress = nil }
        property.city = source.city
        property.latitude = source.latitude
        property.longitude = source.longitude
        property.bedroomsTotal = source.bedrooms
        property.bathroomsTotalInteger = source.bathrooms
        property.livingArea = source.size
        property.publicRemarks = source.description
        property.listAgentSourceKey = source.userID
        property.buildingName = source.tower
        property.unitNumber = source.unitNumber
        if let projectStatus = source.projectStatus?.lowercased() {
            // `off_plan` / `off_plan_primary` are new builds; `completed*` are not.
            property.newConstructionYN = projectStatus.hasPrefix("off")
        }
        return property
    }

    /// PF's listing status as a RESO StandardStatus.
    static func standardStatus(_ status: String?) -> String? {
        switch status?.lowercased() {
        case "available": return "Active"
        case "under offer", "under_offer": return "Active Under Contract"
        case "reserved": return "Pending"
        case "sold", "rented": return "Closed"
        case "draft": return "Incomplete"
        default: return nil
        }
    }

    /// RESO PropertyType from PF's category and offering type.
    static func propertyType(category: String?, offering: String?) -> String? {
        let lease = offering?.lowercased() == "rent"
        switch category?.lowercased() {
        case "residential": return lease ? "Residential Lease" : "Residential"
        case "commercial": return lease ? "Commercial Lease" : "Commercial Sale"
        default: return nil
        }
    }

    /// A lead as a `Contact` with `ContactType` `Lead`.
    static func contact(_ lead: PFLead) -> Contact {
        var contact = Contact(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: lead.id, created: lead.createdAt, updated: lead.updatedAt, raw: lead.raw))
        contact.firstName = lead.firstName
        contact.lastName = lead.lastName
        contact.fullName = WireValues.joined(lead.firstName, lead.middleName, lead.lastName)
        contact.email = lead.email
        contact.mobilePhone = lead.mobile
        contact.homePhone = lead.phone
        contact.homeAddress1 = lead.address
        contact.homeCity = lead.city
        contact.homeCountry = lead.country
        contact.contactType = "Lead"
        contact.contactStatus = leadStatuses.hubValue(lead.status)
        contact.leadSource = leadSources.hubValue(lead.source ?? lead.sourceChannel)
        contact.ownerMemberSourceKey = lead.userID
        return contact
    }

    /// A WhatsApp lead as an inbound `whatsapp` `Activity`.
    static func activity(_ lead: PFWhatsAppLead) -> Activity {
        var activity = Activity(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: whatsAppKeyPrefix + lead.id, created: lead.createdAt, updated: lead.updatedAt,
                raw: lead.raw))
        activity.activityType = "whatsapp"
        activity.direction = "inbound"
        activity.subject = lead.phone.map { "WhatsApp lead from \($0)" } ?? "WhatsApp lead"
        var lines: [String] = []
        if let reference = lead.propertyReference { lines.append("Property reference: \(reference)") }
        if let status = lead.status { lines.append("Status: \(status)") }
        activity.body = lines.isEmpty ? nil : lines.joined(separator: "\n")
        activity.startTimestamp = lead.createdAt
        activity.ownerMemberSourceKey = lead.userID
        return activity
    }

    /// A tracked call as an inbound `call` `Activity`.
    static func activity(_ call: PFCallTracking) -> Activity {
        var activity = Activity(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: callKeyPrefix + call.id, created: call.createdAt ?? call.callTime,
                updated: call.updatedAt, raw: call.raw))
        activity.activityType = "call"
        activity.direction = "inbound"
        activity.subject = call.phone.map { "Call from \($0)" } ?? "Tracked call"
        activity.startTimestamp = call.callTime
        if let start = call.callTime, let duration = call.duration, duration >= 0 {
            activity.endTimestamp = start.addingTimeInterval(duration)
        }
        activity.contactSourceKey = call.leadID
        activity.ownerMemberSourceKey = call.userID
        return activity
    }
}
