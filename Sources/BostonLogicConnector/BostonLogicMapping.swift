import ConnectorKit
import Foundation
import RealtyModel

/// Maps Boston Logic records to the canonical model (the other way is in
/// `BostonLogicMapping+Write.swift`).
///
/// Pure functions: no I/O, no clock. The vendor payload is kept in `metadata.raw`,
/// `SourceSystemName` is `boston-logic`, and `created_at`/`updated_at` become the source entry
/// and modification timestamps.
///
/// Source keys are the vendor's ids, except where two vendor lists feed one canonical resource
/// and their ids are independent sequences: agents keep their plain id (leads, teams and events
/// refer to agents by that id), employees become `employee-<id>`; property views and notes
/// become `view-<id>` and `note-<id>`; a team membership is `<team id>-<agent id>`.
enum BostonLogicMapping {
    static let sourceSystemName = "boston-logic"
    static let employeeKeyPrefix = "employee-"
    static let viewKeyPrefix = "view-"
    static let noteKeyPrefix = "note-"

    private static func status(_ active: Bool?) -> String? { active.map { $0 ? "Active" : "Inactive" } }

    // MARK: - Vendor → canonical

    /// An office as an `Office`.
    static func office(_ source: BLOffice) -> Office {
        var office = Office(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: source.id, created: source.createdAt, updated: source.updatedAt, raw: source.raw))
        office.name = source.name
        office.email = source.email
        office.phone = source.phone
        office.address1 = source.address
        office.city = source.city
        office.stateOrProvince = source.state
        office.postalCode = source.postalCode
        office.country = source.country
        office.status = status(source.active)
        return office
    }

    /// Which list a person came from.
    enum PersonKind: Sendable {
        case agent
        case employee
    }

    /// An agent or employee as a `Member` (`MemberType` `Agent` or `Employee`).
    static func member(_ person: BLPerson, kind: PersonKind) -> Member {
        let key = kind == .agent ? person.id : employeeKeyPrefix + person.id
        var member = Member(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: key, created: person.createdAt, updated: person.updatedAt, raw: person.raw))
        member.firstName = person.firstName
        member.lastName = person.lastName
        member.fullName = person.fullName ?? WireValues.joined(person.firstName, person.lastName)
        member.email = person.email
        member.mobilePhone = person.mobilePhone
        member.directPhone = person.directPhone
        member.officePhone = person.officePhone
        member.status = status(person.active)
        member.type = kind == .agent ? "Agent" : "Employee"
        member.languages = person.languages
        member.jobTitle = person.title
        member.officeSourceKey = person.officeID
        return member
    }

    /// A team as a `Team`.
    static func team(_ source: BLTeam) -> Team {
        var team = Team(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: source.id, created: source.createdAt, updated: source.updatedAt, raw: source.raw))
        team.name = source.name
        team.email = source.email
        team.status = status(source.active)
        team.leadSourceKey = source.leadID
        return team
    }

    /// The memberships a team lists, as `TeamMember` records (the lead is typed `Lead`).
    static func teamMembers(_ source: BLTeam) -> [TeamMember] {
        var seen: Set<String> = []
        var members: [TeamMember] = []
        var ids = source.memberIDs
        if let lead = source.leadID, !ids.contains(lead) { ids.insert(lead, at: 0) }
        for agentID in ids where seen.insert(agentID).inserted {
            var member = TeamMember(
                metadata: WireValues.metadata(
                    sourceSystemName: sourceSystemName, id: "\(source.id)-\(agentID)", created: source.createdAt, updated: source.updatedAt,
                    raw: source.raw))
            member.teamSourceKey = source.id
            member.memberSourceKey = agentID
            member.teamMemberType = agentID == source.leadID ? "Lead" : "Member"
            members.append(member)
        }
        return members
    }

    /// A lead as a `Contact` with `ContactType` `Lead`.
    static func contact(_ lead: BLLead) -> Contact {
        var contact = Contact(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: lead.id, created: lead.createdAt, updated: lead.updatedAt, raw: lead.raw))
        contact.firstName = lead.firstName
        contact.lastName = lead.lastName
        contact.fullName = lead.fullName ?? WireValues.joined(lead.firstName, lead.lastName)
        contact.email = lead.email
        contact.mobilePhone = lead.mobilePhone
        contact.homePhone = lead.homePhone
        contact.officePhone = lead.workPhone
        contact.homeAddress1 = lead.address
        contact.homeCity = lead.city
        contact.homeStateOrProvince = lead.state
        contact.homePostalCode = lead.postalCode
        contact.homeCountry = lead.country
        contact.contactType = "Lead"
        contact.contactStatus = leadStatuses.hubValue(lead.status)
        // A lead without a source keeps its referring domain as the source (not a vocabulary
        // value: written back, it is refused; see docs/vendors/boston-logic.md).
        contact.leadSource = leadSources.hubValue(lead.source) ?? lead.referralSourceDomain
        contact.notes = lead.notes
        // The owner is the assigned agent; a lead owned by an agent without `agent_id` set
        // names it through owner_type/owner_id.
        if let agent = lead.agentID {
            contact.ownerMemberSourceKey = agent
        } else if lead.ownerType?.lowercased() == "agent", let owner = lead.ownerID {
            contact.ownerMemberSourceKey = owner
        }
        contact.utmSource = lead.utmSource
        contact.utmMedium = lead.utmMedium
        contact.utmCampaign = lead.utmCampaign
        contact.utmContent = lead.utmContent
        contact.utmTerm = lead.utmTerm
        return contact
    }

    /// A property view (`view`, inbound: the lead looked at a listing) or property note (`note`)
    /// as an `Activity` on the lead's contact.
    static func activity(_ event: BLLeadPropertyEvent) -> Activity {
        let prefix = event.kind == .view ? viewKeyPrefix : noteKeyPrefix
        var activity = Activity(
            metadata: WireValues.metadata(
                sourceSystemName: sourceSystemName, id: prefix + event.id, created: event.createdAt, updated: event.updatedAt,
                raw: event.raw))
        let property = event.address ?? event.mlsID.map { "MLS# \($0)" }
        switch event.kind {
        case .view:
            activity.activityType = "view"
            activity.direction = "inbound"
            activity.subject = property.map { "Viewed \($0)" } ?? "Viewed a property"
            activity.body = event.text
        case .note:
            activity.activityType = "note"
            activity.subject = property.map { "Note on \($0)" } ?? "Property note"
            activity.body = event.text
        }
        if let mls = event.mlsID {
            let line = "MLS: \(event.mlsName.map { "\($0) " } ?? "")\(mls)"
            activity.body = activity.body.map { "\($0)\n\(line)" } ?? line
        }
        activity.startTimestamp = event.occurredAt
        activity.contactSourceKey = event.leadID
        activity.ownerMemberSourceKey = event.agentID
        return activity
    }
}
