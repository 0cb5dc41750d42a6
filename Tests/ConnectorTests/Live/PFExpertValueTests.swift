import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// PF Expert's connector compared field by field with the PF Expert emulator's own records:
/// users, properties (with their location), leads, WhatsApp leads and call trackings; every RESO
/// field of a sample (first, last and three between), the empty ones included.
///
/// Expectations follow `seeds/000` and `vendors/pf-expert.md` (the legacy lead object, the
/// property and location fields) and the readings the connector documents for statuses and
/// property types; timestamps are ISO 8601 UTC.
@Suite struct PFExpertValueTests {
    static let settings = EmulatorSettings(records: 23)

    @Test func usersCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.pfExpert], settings: Self.settings) { live in
            let members = try await live.connector(.pfExpert).readAll(Member.self).records
            let byKey = keyedBySourceKey(members)
            let users = try await emulatorRecords(live, .pfExpert, "users")
            #expect(members.count == users.count)
            for user in valueSample(users) {
                func text(_ key: String) -> String? { VendorJSON.text(user, key) }
                let id = try #require(text("id"))
                let member = try #require(byKey[id])
                var expected = ExpectedValues()
                expected.names(first: text("first_name"), last: text("last_name"), prefix: "Member")
                expected.text("MemberEmail", text("email"))
                expected.text("MemberMobilePhone", text("mobile"))
                expected.text("MemberDirectPhone", text("phone"))
                expected.text("MemberStatus", ["active": "Active", "inactive": "Inactive"][text("status") ?? ""])
                expected.text("MemberType", text("role"))
                expected.text("JobTitle", text("position"))
                expectValues(member, expected, source: ("pf-expert", id))
                expectISOTimes(member.metadata, user)
            }
        }
    }

    @Test func propertiesCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.pfExpert], settings: Self.settings) { live in
            let properties = try await live.connector(.pfExpert).readAll(Property.self).records
            let byKey = keyedBySourceKey(properties)
            let stored = try await emulatorRecords(live, .pfExpert, "properties")
            let locations = byID(try await emulatorRecords(live, .pfExpert, "locations"))
            #expect(properties.count == stored.count)
            let statuses = [
                "available": "Active", "under offer": "Active Under Contract", "reserved": "Pending", "sold": "Closed",
                "rented": "Closed", "draft": "Incomplete",
            ]
            // Every listing, so off-plan and completed ones are both met.
            for record in stored {
                func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                let id = try #require(text("id"))
                let property = try #require(byKey[id])
                let location = try #require(VendorJSON.id(record["location"]).flatMap { locations[$0] })
                func place(_ key: String) -> String? { VendorJSON.text(location, key) }
                let offering = record["price"].flatMap { VendorJSON.text($0, "offering_type") }
                let lease = offering == "rent"
                let price = VendorJSON.number(record["price"]?["value"])
                var expected = ExpectedValues()
                expected.text("ListingId", text("reference"))
                expected.text("StandardStatus", statuses[text("status") ?? ""])
                expected.text(
                    "PropertyType",
                    text("category") == "commercial"
                        ? (lease ? "Commercial Lease" : "Commercial Sale") : (lease ? "Residential Lease" : "Residential"))
                expected.text("PropertySubType", record["type"].flatMap { VendorJSON.text($0, "name") })
                expected.decimal("ListPrice", price)
                expected.decimal("CurrentPrice", price)
                expected.text(
                    "UnparsedAddress",
                    [place("tower"), place("sub_community"), place("community"), place("city")].compactMap { $0 }.joined(separator: ", "))
                expected.text("City", place("city"))
                expected.decimal("Latitude", VendorJSON.number(location["latitude"]))
                expected.decimal("Longitude", VendorJSON.number(location["longitude"]))
                expected.integer("BedroomsTotal", VendorJSON.number(record["bedrooms"]).map { Int($0) })
                expected.integer("BathroomsTotalInteger", VendorJSON.number(record["bathrooms"]).map { Int($0) })
                expected.decimal("LivingArea", VendorJSON.number(record["size"]))
                expected.text("PublicRemarks", record["languages"]?["en"].flatMap { VendorJSON.text($0, "description") })
                expected.text("SourceSystemListAgentKey", VendorJSON.id(record["user"]))
                expected.text("BuildingName", place("tower"))
                expected.text("UnitNumber", text("unit_number"))
                expected.boolean("NewConstructionYN", text("project_status").map { $0.hasPrefix("off") })
                expectValues(property, expected, source: ("pf-expert", id))
                expectISOTimes(property.metadata, record)
            }
            #expect(Set(properties.compactMap(\.newConstructionYN)) == [true, false])
        }
    }

    @Test func leadsCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.pfExpert], settings: Self.settings) { live in
            let contacts = try await live.connector(.pfExpert).readAll(Contact.self).records
            let byKey = keyedBySourceKey(contacts)
            let leads = try await emulatorRecords(live, .pfExpert, "leads")
            #expect(contacts.count == leads.count)
            for lead in valueSample(leads) {
                func text(_ key: String) -> String? { VendorJSON.text(lead, key) }
                let id = try #require(text("id"))
                let contact = try #require(byKey[id])
                var expected = ExpectedValues()
                expected.text("FirstName", text("first_name"))
                expected.text("LastName", text("last_name"))
                expected.text("FullName", joinedParts([text("first_name"), text("middle_name"), text("last_name")]))
                expected.text("Email", text("email"))
                expected.text("MobilePhone", text("mobile"))
                expected.text("HomePhone", text("phone"))
                expected.text("HomeAddress1", text("address"))
                expected.text("HomeCity", text("city"))
                expected.text("HomeCountry", text("country"))
                expected.text("ContactType", "Lead")
                // The documented table (docs/vendors/pf-expert.md).
                let statuses = [
                    "new": "New", "contacted": "Contacted", "qualified": "Qualified", "viewing": "Viewing", "negotiation": "Negotiation",
                    "won": "Won", "lost": "Lost",
                ]
                expected.text("ContactStatus", text("status").map { statuses[$0] ?? $0 })
                let sources = [
                    "website": "Website", "referral": "Referral", "walk-in": "WalkIn", "propertyfinder": "PropertyFinder", "bayut": "Bayut",
                ]
                expected.text("LeadSource", (text("source") ?? text("source_channel")).map { sources[$0] ?? $0 })
                expected.text("SourceSystemOwnerMemberKey", VendorJSON.id(lead["user"]))
                expectValues(contact, expected, source: ("pf-expert", id))
                expectISOTimes(contact.metadata, lead)
            }
            // Every lead: the passport fields the lead object carries never reach a RESO field.
            for lead in leads {
                let contact = try #require(byKey[VendorJSON.text(lead, "id") ?? ""])
                expectNoSensitiveValues(contact, vendorRecord: lead, sensitive: ["passport_number", "passport_expiry_date"])
            }
            #expect(leads.contains { VendorJSON.text($0, "passport_number") != nil }, "no seeded lead has a passport")
        }
    }

    @Test func whatsAppLeadsAndCallsCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.pfExpert], settings: Self.settings) { live in
            let activities = try await live.connector(.pfExpert).readAll(Activity.self).records
            let byKey = keyedBySourceKey(activities)
            let whatsApp = try await emulatorRecords(live, .pfExpert, "whatsapp-leads")
            let calls = try await emulatorRecords(live, .pfExpert, "calltrackings")
            #expect(activities.count == whatsApp.count + calls.count)
            for lead in valueSample(whatsApp) {
                func text(_ key: String) -> String? { VendorJSON.text(lead, key) }
                let key = "whatsapp-" + (try #require(text("id")))
                let activity = try #require(byKey[key])
                var expected = ExpectedValues()
                expected.text("ActivityType", "whatsapp")
                expected.text("ActivityDirection", "inbound")
                expected.text("ActivitySubject", text("phone").map { "WhatsApp lead from \($0)" } ?? "WhatsApp lead")
                let lines = [text("property_reference").map { "Property reference: \($0)" }, text("status").map { "Status: \($0)" }]
                expected.text("ActivityBody", lines.compactMap { $0 }.joined(separator: "\n"))
                expected.timestamp("ActivityStartTimestamp", VendorJSON.iso8601(text("created_at")))
                expected.text("SourceSystemOwnerMemberKey", VendorJSON.id(lead["user"]))
                expectValues(activity, expected, source: ("pf-expert", key))
                expectISOTimes(activity.metadata, lead)
            }
            for call in valueSample(calls) {
                func text(_ key: String) -> String? { VendorJSON.text(call, key) }
                let key = "call-" + (try #require(text("id")))
                let activity = try #require(byKey[key])
                let start = VendorJSON.iso8601(text("call_time"))
                let duration = VendorJSON.number(call["duration"])
                var expected = ExpectedValues()
                expected.text("ActivityType", "call")
                expected.text("ActivityDirection", "inbound")
                expected.text("ActivitySubject", text("phone").map { "Call from \($0)" } ?? "Tracked call")
                expected.timestamp("ActivityStartTimestamp", start)
                expected.timestamp("ActivityEndTimestamp", start.flatMap { start in duration.map { start.addingTimeInterval($0) } })
                expected.text("SourceSystemContactKey", VendorJSON.id(call["lead"]))
                expected.text("SourceSystemOwnerMemberKey", VendorJSON.id(call["user"]))
                expectValues(activity, expected, source: ("pf-expert", key))
                expectISOTimes(activity.metadata, call)
            }
        }
    }
}
