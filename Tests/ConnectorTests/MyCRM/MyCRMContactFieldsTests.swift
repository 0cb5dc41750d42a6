import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import MyCRMConnector

/// Every field of the seed's Contacts list (`seeds/002`, "Entities": firstname … utm_term), filled,
/// mapped to RESO `Contacts` with exact values, and written back under the seed's names; the
/// identity fields (`ssn`, `dl_license`, `dl_expdate`) stay only in `raw`.
@Suite struct MyCRMContactFieldsTests {
    static let contactJSON = #"""
        {"id":"12x9","firstname":"Maria","lastname":"Lopez","phone":"(617) 555-0101","mobile":"(617) 555-0102",
         "homephone":"(617) 555-0103","leadsource":"Trade Show","birthday":"1975-11-30","email":"maria@example.com",
         "business_name":"Lopez Consulting LLC","assigned_user_id":"19x3","is_customer":"0","mailingstreet":"12 Beacon Street",
         "mailingpobox":"4411","mailingstate":"MA","mailingcity":"Boston","mailingzip":"02116","apart":"Apt 7","zip4":"0042",
         "description":"Met at an open house.","pager":"(617) 555-0104","csg_number":"CSG-100123","spouse_name":"Luis",
         "ssn":"912-34-5678","service_dt":"2022-06-01","dl_license":"D7654321","dl_state":"MA","dl_expdate":"2029-03-15",
         "utm_source":"zillow","utm_medium":"referral","utm_campaign":"relocation-2025","utm_content":"banner",
         "utm_term":"boston condo","createdtime":"2024-01-02 03:04:05","modifiedtime":"2024-02-03 04:05:06","modifiedby":"19x3"}
        """#

    static func record() throws -> MyCRMRecord {
        try #require(MyCRMRecord(json: try JSONValue(parsing: Data(contactJSON.utf8))))
    }

    @Test func everySeedContactsFieldIsMappedOrKeptInRaw() throws {
        let record = try Self.record()
        let contact = try MyCRMMapping.contact(from: record, module: .contacts, connectionID: "c1")
        var expected = ExpectedValues()
        expected.text("FirstName", "Maria")
        expected.text("LastName", "Lopez")
        expected.text("FullName", "Maria Lopez")
        expected.text("Email", "maria@example.com")
        expected.text("MobilePhone", "(617) 555-0102")
        expected.text("HomePhone", "(617) 555-0103")
        expected.text("OfficePhone", "(617) 555-0101")
        expected.text("Pager", "(617) 555-0104")
        expected.text("HomeAddress1", "12 Beacon Street")
        expected.text("HomeAddress2", "Apt 7")
        expected.text("HomeCity", "Boston")
        expected.text("HomeStateOrProvince", "MA")
        expected.text("HomePostalCode", "02116-0042")
        expected.text("Company", "Lopez Consulting LLC")
        expected.text("ContactType", "Contact")
        expected.text("LeadSource", "TradeShow")
        expected.text("Notes", "Met at an open house.")
        expected.text("SpousePartnerName", "Luis")
        expected.date("Birthdate", "1975-11-30")
        expected.text("SourceSystemOwnerMemberKey", "19x3")
        expected.text("UtmSource", "zillow")
        expected.text("UtmMedium", "referral")
        expected.text("UtmCampaign", "relocation-2025")
        expected.text("UtmContent", "banner")
        expected.text("UtmTerm", "boston condo")
        expectValues(contact, expected, source: ("mycrm", "12x9"))
        #expect(contact.metadata.sourceModificationTimestamp == Timestamp.parse("2024-02-03T04:05:06Z"))
        #expect(contact.metadata.sourceEntryTimestamp == Timestamp.parse("2024-01-02T03:04:05Z"))
        // Nothing is dropped: the whole record, sensitive fields included, is the payload the
        // store seals.
        #expect(contact.metadata.raw == .object(record.fields))
        expectNoSensitiveValues(
            contact, vendorRecord: .object(record.fields), sensitive: ["ssn", "dl_license", "dl_expdate"])
        #expect(contact.validate().isEmpty)
    }

    @Test func theIdentityFieldsAreTheProfilesSensitiveFields() {
        let sensitive = VendorProfile.mycrm.sensitiveFields
        for name in ["ssn", "dl_license", "dl_expdate", "accesskey", "password"] {
            #expect(sensitive.contains(name), "\(name)")
        }
        for name in ["pager", "spouse_name", "apart", "mailingpobox", "csg_number", "dl_state"] {
            #expect(!sensitive.contains(name), "\(name)")
        }
    }

    @Test func contactFieldsAreWrittenUnderTheSeedNames() throws {
        let contact = try MyCRMMapping.contact(from: try Self.record(), module: .contacts, connectionID: nil)
        let element = MyCRMMapping.element(from: contact, module: .contacts)
        let expected: [String: JSONValue] = [
            "firstname": "Maria", "lastname": "Lopez", "phone": "(617) 555-0101", "mobile": "(617) 555-0102",
            "homephone": "(617) 555-0103", "leadsource": "Trade Show", "birthday": "1975-11-30", "email": "maria@example.com",
            "business_name": "Lopez Consulting LLC", "assigned_user_id": "19x3", "is_customer": "0",
            "mailingstreet": "12 Beacon Street", "mailingstate": "MA", "mailingcity": "Boston", "mailingzip": "02116",
            "apart": "Apt 7", "zip4": "0042", "description": "Met at an open house.", "pager": "(617) 555-0104",
            "spouse_name": "Luis", "utm_source": "zillow", "utm_medium": "referral", "utm_campaign": "relocation-2025",
            "utm_content": "banner", "utm_term": "boston condo",
        ]
        #expect(element == expected)
        // Never sent back: the identity fields, and the fields with no RESO counterpart (the
        // revise is partial, so the vendor keeps its values).
        for name in ["ssn", "dl_license", "dl_expdate", "dl_state", "csg_number", "service_dt", "mailingpobox"] {
            #expect(element[name] == nil, "\(name)")
        }
    }

    @Test func leadApartmentIsTheSecondAddressLine() throws {
        let json = #"{"id":"10x5","firstname":"A","lastname":"B","assigned_user_id":"19x1","lane":"1 Elm Street","apart":"Unit 3"}"#
        let record = try #require(MyCRMRecord(json: try JSONValue(parsing: Data(json.utf8))))
        let contact = try MyCRMMapping.contact(from: record, module: .leads, connectionID: nil)
        #expect(contact.homeAddress1 == "1 Elm Street")
        #expect(contact.homeAddress2 == "Unit 3")
        #expect(contact.pager == nil && contact.spousePartnerName == nil)
        let element = MyCRMMapping.element(from: contact, module: .leads)
        #expect(element["apart"] == .string("Unit 3"))
        #expect(element["pager"] == nil && element["spouse_name"] == nil, "Leads have no pager or spouse")
    }
}
