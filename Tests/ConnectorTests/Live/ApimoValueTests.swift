import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import Sandbox

/// Apimo's connector compared field by field with the Apimo emulator's own records, in the
/// agencies the demo provider is granted: agencies, users, properties, contacts, leads and
/// actions; every RESO field of a sample, the empty ones included.
///
/// Coded values are resolved through the emulator's own catalogs (English labels, as the
/// connector asks for them); local date-times are Europe/Paris.
@Suite struct ApimoValueTests {
    static let settings = EmulatorSettings(records: 12, apimoRatePerSecond: 10_000, apimoDailyQuota: 100_000)
    static let zone = "Europe/Paris"

    /// The English label of catalog entry `id`, from the emulator's catalogs.
    static func label(_ catalog: String, _ id: String?) -> String? {
        guard let id = id.flatMap({ Int($0) }) else { return nil }
        return ApimoCatalogs.all[catalog]?.first { $0.id == id }?.names["en"]?.singular
    }

    static func local(_ text: String?) -> Date? {
        VendorJSON.date(text, format: "yyyy-MM-dd HH:mm:ss", zone: zone)
    }

    static func expectTimes(_ metadata: RecordMetadata, _ record: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(metadata.sourceEntryTimestamp == local(VendorJSON.text(record, "created_at")), sourceLocation: sourceLocation)
        #expect(metadata.sourceModificationTimestamp == local(VendorJSON.text(record, "updated_at")), sourceLocation: sourceLocation)
    }

    /// The emulator's records of `resource` in the granted agencies.
    static func granted(_ live: LiveSandbox, _ resource: String) async throws -> [JSONValue] {
        try await emulatorRecords(live, .apimo, resource).filter {
            ApimoLiveTests.grantedAgencies.contains(VendorJSON.text($0, "agency") ?? "")
        }
    }

    @Test func agenciesAndUsersCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.apimo], settings: Self.settings) { live in
            let connector = try ApimoLive.connector(live)
            let offices = keyedBySourceKey(try await connector.readAll(Office.self).records)
            let agencies = try await emulatorRecords(live, .apimo, "agencies").filter {
                ApimoLiveTests.grantedAgencies.contains(VendorJSON.text($0, "id") ?? "")
            }
            #expect(offices.count == agencies.count)
            for agency in agencies {
                func text(_ key: String) -> String? { VendorJSON.text(agency, key) }
                let id = try #require(text("id"))
                let office = try #require(offices[id])
                var expected = ExpectedValues()
                expected.text("OfficeName", text("name"))
                expected.text("OfficeEmail", text("email"))
                expected.text("OfficePhone", text("phone"))
                expected.text("OfficeAddress1", joinedParts([text("address"), text("address_more")], separator: ", "))
                expected.text("OfficeCity", agency["city"].flatMap { VendorJSON.text($0, "name") })
                expected.text("OfficePostalCode", agency["city"].flatMap { VendorJSON.text($0, "zipcode") })
                expected.text("OfficeCountry", text("country"))
                expected.text("OfficeStatus", agency["active"]?.boolValue.map { $0 ? "Active" : "Inactive" })
                expectValues(office, expected, source: ("apimo", id))
                Self.expectTimes(office.metadata, agency)
            }

            let members = keyedBySourceKey(try await connector.readAll(Member.self).records)
            let users = try await Self.granted(live, "users")
            #expect(members.count == users.count)
            for user in valueSample(users) {
                func text(_ key: String) -> String? { VendorJSON.text(user, key) }
                let id = try #require(text("id"))
                let member = try #require(members[id])
                var expected = ExpectedValues()
                expected.names(first: text("firstname"), last: text("lastname"), prefix: "Member")
                expected.text("MemberEmail", text("email"))
                expected.text("MemberMobilePhone", text("mobile"))
                expected.text("MemberDirectPhone", text("phone"))
                expected.text("MemberStatus", user["active"]?.boolValue.map { $0 ? "Active" : "Inactive" })
                expected.list("MemberLanguages", (user["spoken_languages"]?.arrayValue ?? []).compactMap(VendorJSON.text))
                expected.text("SourceSystemOfficeKey", text("agency"))
                expectValues(member, expected, source: ("apimo", id))
                Self.expectTimes(member.metadata, user)
                expectNoSensitiveValues(member, vendorRecord: user, sensitive: ["password"])
            }
        }
    }

    @Test func propertiesCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.apimo], settings: Self.settings) { live in
            let properties = keyedBySourceKey(try await ApimoLive.connector(live).readAll(Property.self).records)
            let stored = try await Self.granted(live, "properties")
            #expect(properties.count == stored.count)
            // The hub's reading of the emulator's status and unit labels (RESO StandardStatus and
            // LivingAreaUnits).
            let statuses = ["Available": "Active", "Reserved": "Pending", "Withdrawn": "Withdrawn"]
            let units = ["m²": "Square Meters", "sq ft": "Square Feet"]
            for record in valueSample(stored) {
                func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                let id = try #require(text("id"))
                let property = try #require(properties[id])
                let city = record["city"]
                let comments = record["comments"]?.arrayValue ?? []
                let remark = comments.first { VendorJSON.text($0, "language") == "en" } ?? comments.first
                let latitude = VendorJSON.number(record["latitude"])
                let longitude = VendorJSON.number(record["longitude"])
                var expected = ExpectedValues()
                expected.text("ListingId", text("reference"))
                expected.text("StandardStatus", Self.label("property_status", text("status")).flatMap { statuses[$0] })
                expected.text("PropertyType", Self.label("property_type", text("type")))
                expected.text("PropertySubType", Self.label("property_subtype", text("subtype")))
                expected.decimal("ListPrice", VendorJSON.number(record["price"]?["value"]))
                expected.decimal("CurrentPrice", VendorJSON.number(record["price"]?["value"]))
                expected.text("UnparsedAddress", joinedParts([text("address"), text("address_more")], separator: ", "))
                expected.text("City", city.flatMap { VendorJSON.text($0, "name") })
                expected.text("PostalCode", city.flatMap { VendorJSON.text($0, "zipcode") })
                expected.text("Country", text("country"))
                expected.decimal("Latitude", latitude == 0 ? nil : latitude)
                expected.decimal("Longitude", longitude == 0 ? nil : longitude)
                expected.integer("BedroomsTotal", VendorJSON.number(record["bedrooms"]).map { Int($0) })
                expected.decimal("LivingArea", VendorJSON.number(record["area"]?["value"]))
                expected.text(
                    "LivingAreaUnits", Self.label("unit_area", record["area"].flatMap { VendorJSON.text($0, "unit") }).flatMap { units[$0] }
                )
                expected.text("BuildingName", text("block_name"))
                expected.text("UnitNumber", text("lot_reference"))
                expected.text("PublicRemarks", remark.flatMap { VendorJSON.text($0, "comment") })
                expected.text("SourceSystemListAgentKey", VendorJSON.id(record["user"]))
                expectValues(property, expected, source: ("apimo", id))
                Self.expectTimes(property.metadata, record)
            }
        }
    }

    @Test func contactsAndLeadsCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.apimo], settings: Self.settings) { live in
            let contacts = keyedBySourceKey(try await ApimoLive.connector(live).readAll(Contact.self).records)
            let stored = try await Self.granted(live, "contacts")
            let leads = try await Self.granted(live, "leads")
            #expect(contacts.count == stored.count + leads.count)
            func person(_ record: JSONValue) -> ExpectedValues {
                func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                var expected = ExpectedValues()
                expected.names(first: text("firstname"), last: text("lastname"))
                expected.text("Email", text("email"))
                expected.text("MobilePhone", text("mobile"))
                expected.text("HomePhone", text("phone"))
                expected.text("Language", text("language"))
                expected.text("SourceSystemOwnerMemberKey", VendorJSON.id(record["user"]))
                return expected
            }
            for record in valueSample(stored) {
                func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                let id = try #require(text("id"))
                let contact = try #require(contacts[id])
                var expected = person(record)
                expected.text("ContactType", "Contact")
                expected.text("Company", text("company"))
                expected.text("HomeAddress1", joinedParts([text("address"), text("address_more")], separator: ", "))
                expected.text("HomeCity", record["city"].flatMap { VendorJSON.text($0, "name") })
                expected.text("HomePostalCode", text("zipcode"))
                expected.text("HomeCountry", text("country"))
                expected.date("Birthdate", text("birthday_at").map { String($0.prefix(10)) })
                expected.text("Notes", text("comment"))
                expectValues(contact, expected, source: ("apimo", id))
                Self.expectTimes(contact.metadata, record)
            }
            for record in valueSample(leads) {
                func text(_ key: String) -> String? { VendorJSON.text(record, key) }
                let key = "lead-" + (try #require(text("id")))
                let contact = try #require(contacts[key])
                var expected = person(record)
                expected.text("ContactType", "Lead")
                expected.text("Notes", text("message"))
                expected.text("ReferredBy", text("reference"))
                expectValues(contact, expected, source: ("apimo", key))
                Self.expectTimes(contact.metadata, record)
            }
        }
    }

    @Test func actionsCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.apimo], settings: Self.settings) { live in
            let activities = keyedBySourceKey(try await ApimoLive.connector(live).readAll(Activity.self).records)
            let grantedUsers = Set(try await Self.granted(live, "users").compactMap { VendorJSON.text($0, "id") })
            let actions = try await emulatorRecords(live, .apimo, "actions").filter {
                grantedUsers.contains(VendorJSON.text($0, "user") ?? "")
            }
            #expect(activities.count == actions.count)
            // The hub's activity type for each label of the emulator's `action_type` catalog.
            let types = [
                "Call": "call", "E-mail": "email", "Visit": "visit", "Meeting": "meeting", "Text message": "sms", "Letter": "other",
            ]
            for action in valueSample(actions) {
                func text(_ key: String) -> String? { VendorJSON.text(action, key) }
                let id = try #require(text("id"))
                let activity = try #require(activities[id])
                let day = text("date").map { String($0.prefix(10)) }
                let start = Self.local(day.flatMap { day in text("time_start").map { "\(day) \($0)" } })
                var end = Self.local(day.flatMap { day in text("time_end").map { "\(day) \($0)" } })
                if let start, let ending = end, ending < start { end = ending.addingTimeInterval(86_400) }
                let label = try #require(Self.label("action_type", text("type")))
                var expected = ExpectedValues()
                expected.text("ActivityType", try #require(types[label], "no expectation for the action type \(label)"))
                expected.text("ActivitySubject", text("subject"))
                expected.text("ActivityBody", text("content"))
                expected.timestamp("ActivityStartTimestamp", start)
                expected.timestamp("ActivityEndTimestamp", end)
                expected.text("SourceSystemContactKey", text("contact"))
                expected.text("SourceSystemOwnerMemberKey", text("user"))
                expected.text("SourceSystemListingKey", VendorJSON.id(action["properties"]))
                expectValues(activity, expected, source: ("apimo", id))
            }
        }
    }
}
