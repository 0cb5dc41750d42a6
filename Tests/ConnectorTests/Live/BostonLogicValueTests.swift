import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// Boston Logic's connector compared field by field with the Boston Logic emulator's own
/// records: offices, agents and employees, teams and their memberships, leads, property views
/// and notes; every RESO field of a sample, the empty ones included.
///
/// The public document gives few field names (`vendors/boston-logic.md`); the expectations are
/// those names and the readings the connector documents (a lead's `phone` is the number its
/// `phone_type` names; an agent's `mobile_phone` is its mobile; `active` is the status).
@Suite struct BostonLogicValueTests {
    static let settings = EmulatorSettings(records: 17)

    static func status(_ record: JSONValue) -> String? {
        record["active"]?.boolValue.map { $0 ? "Active" : "Inactive" }
    }

    @Test func officesCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.bostonLogic], settings: Self.settings) { live in
            let offices = keyedBySourceKey(try await live.connector(.bostonLogic).readAll(Office.self).records)
            let stored = try await emulatorRecords(live, .bostonLogic, "offices")
            #expect(offices.count == stored.count)
            for record in valueSample(stored) {
                func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                let id = try #require(text("id"))
                let office = try #require(offices[id])
                var expected = ExpectedValues()
                expected.text("OfficeName", text("name"))
                expected.text("OfficeEmail", text("email"))
                expected.text("OfficePhone", text("phone"))
                expected.text("OfficeAddress1", text("address"))
                expected.text("OfficeCity", text("city"))
                expected.text("OfficeStateOrProvince", text("state"))
                expected.text("OfficePostalCode", text("zip"))
                expected.text("OfficeCountry", text("country"))
                expected.text("OfficeStatus", Self.status(record))
                expectValues(office, expected, source: ("boston-logic", id))
                expectISOTimes(office.metadata, record)
            }
        }
    }

    @Test func agentsAndEmployeesCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.bostonLogic], settings: Self.settings) { live in
            let members = keyedBySourceKey(try await live.connector(.bostonLogic).readAll(Member.self).records)
            let agents = try await emulatorRecords(live, .bostonLogic, "agents")
            let employees = try await emulatorRecords(live, .bostonLogic, "employees")
            #expect(members.count == agents.count + employees.count)
            for (records, type, prefix) in [(agents, "Agent", ""), (employees, "Employee", "employee-")] {
                for record in valueSample(records) {
                    func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                    let key = prefix + (try #require(text("id")))
                    let member = try #require(members[key])
                    var expected = ExpectedValues()
                    expected.names(first: text("first_name"), last: text("last_name"), prefix: "Member")
                    expected.text("MemberEmail", text("email"))
                    expected.text("MemberMobilePhone", text("mobile_phone") ?? text("phone"))
                    expected.text("MemberStatus", Self.status(record))
                    expected.text("MemberType", type)
                    expected.text("JobTitle", text("title"))
                    expected.text("SourceSystemOfficeKey", text("office_id"))
                    expectValues(member, expected, source: ("boston-logic", key))
                    expectISOTimes(member.metadata, record)
                }
            }
        }
    }

    @Test func teamsAndMembershipsCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.bostonLogic], settings: Self.settings) { live in
            let connector = try live.connector(.bostonLogic)
            let teams = keyedBySourceKey(try await connector.readAll(Team.self).records)
            let memberships = keyedBySourceKey(try await connector.readAll(TeamMember.self).records)
            let stored = try await emulatorRecords(live, .bostonLogic, "teams")
            #expect(teams.count == stored.count)
            var expectedMemberships = 0
            for record in stored {
                func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                let id = try #require(text("id"))
                let team = try #require(teams[id])
                var expected = ExpectedValues()
                expected.text("TeamName", text("name"))
                expected.text("TeamEmail", text("email"))
                expected.text("TeamStatus", Self.status(record))
                expected.text("SourceSystemTeamLeadKey", text("leader_id"))
                expectValues(team, expected, source: ("boston-logic", id))
                expectISOTimes(team.metadata, record)

                let leader = text("leader_id")
                var agentIDs = (record["agent_ids"]?.arrayValue ?? []).compactMap(VendorJSON.text)
                if let leader, !agentIDs.contains(leader) { agentIDs.insert(leader, at: 0) }
                expectedMemberships += agentIDs.count
                for agentID in agentIDs {
                    let key = "\(id)-\(agentID)"
                    let membership = try #require(memberships[key])
                    var expected = ExpectedValues()
                    expected.text("SourceSystemTeamKey", id)
                    expected.text("SourceSystemMemberKey", agentID)
                    expected.text("TeamMemberType", agentID == leader ? "Lead" : "Member")
                    expectValues(membership, expected, source: ("boston-logic", key))
                }
            }
            #expect(memberships.count == expectedMemberships)
        }
    }

    @Test func leadsCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.bostonLogic], settings: Self.settings) { live in
            let contacts = keyedBySourceKey(try await live.connector(.bostonLogic).readAll(Contact.self).records)
            let leads = try await emulatorRecords(live, .bostonLogic, "leads")
            #expect(contacts.count == leads.count)
            // Every lead, so each phone type is met.
            for lead in leads {
                func text(_ key: String) -> String? { VendorJSON.text(lead, key) }
                let id = try #require(text("id"))
                let contact = try #require(contacts[id])
                let phoneField = ["home": "HomePhone", "work": "OfficePhone"][text("phone_type") ?? ""] ?? "MobilePhone"
                var expected = ExpectedValues()
                expected.names(first: text("first_name"), last: text("last_name"))
                expected.text("Email", text("email"))
                expected.text(phoneField, text("phone"))
                expected.text("HomeAddress1", text("address"))
                expected.text("HomeCity", text("city"))
                expected.text("HomeStateOrProvince", text("state"))
                expected.text("HomePostalCode", text("zip"))
                expected.text("HomeCountry", text("country"))
                expected.text("ContactType", "Lead")
                // The documented tables (docs/vendors/boston-logic.md).
                let statuses = [
                    "new": "New", "contacted": "Contacted", "qualified": "Qualified", "nurturing": "Nurturing", "closed": "Closed",
                ]
                let sources = [
                    "website": "Website", "zillow": "Zillow", "realtor.com": "Realtor.com", "open house": "OpenHouse",
                    "referral": "Referral",
                ]
                expected.text("ContactStatus", text("status").map { statuses[$0] ?? $0 })
                expected.text("LeadSource", text("source").map { sources[$0] ?? $0 } ?? text("referral_source_domain"))
                expected.text("Notes", text("message"))
                expected.text(
                    "SourceSystemOwnerMemberKey", text("agent_id") ?? (text("owner_type") == "agent" ? text("owner_id") : nil))
                for name in ["source", "medium", "campaign", "content", "term"] {
                    expected.text("Utm" + name.prefix(1).uppercased() + name.dropFirst(), text("utm_" + name))
                }
                expectValues(contact, expected, source: ("boston-logic", id))
                expectISOTimes(contact.metadata, lead)
            }
            for type in ["mobile", "home", "work"] {
                #expect(leads.contains { VendorJSON.text($0, "phone_type") == type }, "no seeded lead has a \(type) phone")
            }
        }
    }

    @Test func propertyViewsAndNotesCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.bostonLogic], settings: Self.settings) { live in
            let activities = keyedBySourceKey(try await live.connector(.bostonLogic).readAll(Activity.self).records)
            let views = try await emulatorRecords(live, .bostonLogic, "property_views")
            let notes = try await emulatorRecords(live, .bostonLogic, "property_notes")
            #expect(activities.count == views.count + notes.count)
            for (records, isView) in [(views, true), (notes, false)] {
                for record in valueSample(records) {
                    func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                    let key = (isView ? "view-" : "note-") + (try #require(text("id")))
                    let activity = try #require(activities[key])
                    let address = text("address")
                    let mls = text("mls_id").map { id in "MLS: " + (text("mls_name").map { "\($0) " } ?? "") + id }
                    var expected = ExpectedValues()
                    if isView {
                        expected.text("ActivityType", "view")
                        expected.text("ActivityDirection", "inbound")
                        expected.text("ActivitySubject", address.map { "Viewed \($0)" } ?? "Viewed a property")
                    } else {
                        expected.text("ActivityType", "note")
                        expected.text("ActivitySubject", address.map { "Note on \($0)" } ?? "Property note")
                    }
                    expected.text("ActivityBody", [text("note"), mls].compactMap { $0 }.joined(separator: "\n"))
                    expected.timestamp("ActivityStartTimestamp", VendorJSON.iso8601(text("viewed_at") ?? text("created_at")))
                    expected.text("SourceSystemContactKey", text("lead_id"))
                    expected.text("SourceSystemOwnerMemberKey", text("agent_id"))
                    expectValues(activity, expected, source: ("boston-logic", key))
                    expectISOTimes(activity.metadata, record)
                }
            }
        }
    }
}
