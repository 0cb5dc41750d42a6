import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

@testable import MyCRMConnector

/// The MyCRM connector's records compared field by field with the MyCRM emulator's own records
/// (Leads, Contacts, Users), every RESO field, the empty ones included.
///
/// Expectations follow the seed's field lists (`seeds/002`, "Entities") and the readings the
/// connector documents where the seed is silent (Leads' `phone` is the home phone, Contacts'
/// `phone` the office phone; a five-digit code with a `zip4` is `12345-6789`); values are vtiger
/// strings, datetimes UTC `yyyy-MM-dd HH:mm:ss`.
@Suite struct MyCRMValueTests {
    static let records = 40
    /// The Contacts fields the profile declares sensitive: never in a RESO field.
    static let sensitive = ["ssn", "dl_license", "dl_expdate"]

    static func vtigerTime(_ text: String?) -> Date? {
        VendorJSON.date(text, format: "yyyy-MM-dd HH:mm:ss", zone: "UTC")
    }

    /// The fields Leads and Contacts share.
    static func commonFields(_ record: JSONValue) -> ExpectedValues {
        func text(_ key: String) -> String? { VendorJSON.text(record, key) }
        var expected = ExpectedValues()
        expected.names(first: text("firstname"), last: text("lastname"))
        expected.text("Email", text("email"))
        expected.text("MobilePhone", text("mobile"))
        expected.text("Company", text("business_name"))
        // Through the documented picklist table (docs/vendors/mycrm.md).
        expected.text("LeadSource", text("leadsource").map { MyCRMVocabulary.leadSource.hubValue($0) ?? $0 })
        expected.text("Notes", text("description"))
        expected.text("SourceSystemOwnerMemberKey", text("assigned_user_id"))
        expected.text("HomeAddress2", text("apart"))
        for (field, key) in [
            ("UtmSource", "utm_source"), ("UtmMedium", "utm_medium"), ("UtmCampaign", "utm_campaign"),
            ("UtmContent", "utm_content"), ("UtmTerm", "utm_term"),
        ] {
            expected.text(field, text(key))
        }
        return expected
    }

    /// `12345` and `6789` → `12345-6789`; a code alone stays as it is.
    static func postalCode(_ code: String?, zip4: String?) -> String? {
        guard let code else { return nil }
        guard let zip4, code.count == 5, zip4.count == 4, (code + zip4).allSatisfy(\.isASCII), (code + zip4).allSatisfy(\.isNumber)
        else { return code }
        return "\(code)-\(zip4)"
    }

    static func expectedLead(_ record: JSONValue) -> ExpectedValues {
        func text(_ key: String) -> String? { VendorJSON.text(record, key) }
        var expected = commonFields(record)
        expected.text("ContactType", "Lead")
        expected.text("HomePhone", text("phone"))
        expected.text("HomeAddress1", text("lane"))
        expected.text("HomeCity", text("city"))
        expected.text("HomeStateOrProvince", text("state"))
        expected.text("HomePostalCode", postalCode(text("code"), zip4: text("zip4")))
        return expected
    }

    static func expectedContact(_ record: JSONValue) -> ExpectedValues {
        func text(_ key: String) -> String? { VendorJSON.text(record, key) }
        var expected = commonFields(record)
        expected.text("ContactType", text("is_customer") == "1" ? "Client" : "Contact")
        expected.text("OfficePhone", text("phone"))
        expected.text("HomePhone", text("homephone"))
        expected.text("Pager", text("pager"))
        expected.text("HomeAddress1", text("mailingstreet"))
        expected.text("HomeCity", text("mailingcity"))
        expected.text("HomeStateOrProvince", text("mailingstate"))
        expected.text("HomePostalCode", postalCode(text("mailingzip"), zip4: text("zip4")))
        expected.text("SpousePartnerName", text("spouse_name"))
        expected.date("Birthdate", text("birthday"))
        return expected
    }

    @Test func leadsAndContactsCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: Self.records)) { live in
            let (connector, _) = try MyCRMLive.connector(live)
            let read = try await connector.readAll(Contact.self).records
            let byKey = keyedBySourceKey(read)
            let leads = try await emulatorRecords(live, .mycrm, "leads")
            let contacts = try await emulatorRecords(live, .mycrm, "contacts")
            #expect(leads.count == Self.records && contacts.count == Self.records)
            #expect(read.count == leads.count + contacts.count)

            for (records, expectation) in [(leads, Self.expectedLead), (contacts, Self.expectedContact)] {
                for record in records {
                    let id = try #require(VendorJSON.text(record, "id"))
                    let contact = try #require(byKey[id], "\(id) was not read")
                    expectValues(contact, expectation(record), source: ("mycrm", id))
                    #expect(contact.metadata.connectionID == "live-test")
                    #expect(contact.metadata.sourceModificationTimestamp == Self.vtigerTime(VendorJSON.text(record, "modifiedtime")))
                    #expect(contact.metadata.sourceEntryTimestamp == Self.vtigerTime(VendorJSON.text(record, "createdtime")))
                    expectNoSensitiveValues(contact, vendorRecord: record, sensitive: Self.sensitive)
                }
            }
            // The comparison covered every seed field the emulator fills: some contacts have an
            // apartment, a pager, a spouse, a business and a PO box; every one has an SSN.
            for key in ["apart", "pager", "spouse_name", "business_name", "mailingpobox", "ssn", "dl_license", "homephone"] {
                #expect(contacts.contains { VendorJSON.text($0, key) != nil }, "no seeded contact has \(key)")
            }
            for key in ["apart", "business_name", "utm_source", "phone"] {
                #expect(leads.contains { VendorJSON.text($0, key) != nil }, "no seeded lead has \(key)")
            }
        }
    }

    @Test func usersCarryTheEmulatorsValues() async throws {
        try await withLiveSandbox([.mycrm], settings: EmulatorSettings(records: 3)) { live in
            let (connector, _) = try MyCRMLive.connector(live)
            let members = try await connector.readAll(Member.self).records
            let users = try await emulatorRecords(live, .mycrm, "users")
            #expect(!users.isEmpty && members.count == users.count)
            let byKey = keyedBySourceKey(members)
            for user in users {
                func text(_ key: String) -> String? { VendorJSON.text(user, key) }
                let id = try #require(text("id"))
                let member = try #require(byKey[id])
                var expected = ExpectedValues()
                expected.names(first: text("first_name"), last: text("last_name"), prefix: "Member")
                expected.text("MemberEmail", text("email1"))
                expected.text("MemberMobilePhone", text("phone_mobile"))
                expected.text("MemberOfficePhone", text("phone_work"))
                expected.text("JobTitle", text("title"))
                expected.text("MemberStatus", text("status"))
                expected.list("MemberLanguages", text("language").map { [$0] })
                expectValues(member, expected, source: ("mycrm", id))
                #expect(member.metadata.sourceModificationTimestamp == Self.vtigerTime(text("modifiedtime")))
                #expect(["Active", "Inactive"].contains(text("status") ?? ""))
            }
        }
    }
}
