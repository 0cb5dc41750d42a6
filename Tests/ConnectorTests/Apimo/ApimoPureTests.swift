import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import ApimoConnector

/// The seed's sample answers, verbatim.
enum ApimoSamples {
    static let users = #"""
        {"users":[{"id":"9","agency":"14","active":true,"created_at":"2008-02-05 17:53:03","updated_at":"2016-04-15 23:07:33","firstname":"Marc","lastname":"WYLER","username":"mylogin","password":"*********","group":"2","email":"NO-SPAM@swissmedimmo.com","phone":null,"mobile":"+33620000000","fax":null,"birthday_at":"1965-01-01","timezone":"Europe\/Paris","picture":"https:\/\/api.apimo.pro\/uploads\/user\/9\/picture_200.jpg"}],"total_items":1}
        """#

    static let actions = #"""
        {"actions":[{"id":"19344999","type":"2","user":"1234","contact":"8520201","date":"2018-09-11","time_start":"14:43:20","time_end":"15:43:00","subject":"More details on a new property","content":"Hello, \u2026","properties":{"id":"233030","report":null,"price":"2600000","currency":"EUR","rating":null,"assessment":null},"referral":null,"subreferral":null,"created_at":"2018-09-11 14:43:20","updated_at":"2018-09-11 14:43:20"}],"total_items":1}
        """#

    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}

@Suite struct ApimoWireTests {
    @Test func listPageReadsCollectionAndTotal() throws {
        let page = try #require(ApimoListPage(json: try ApimoSamples.json(ApimoSamples.users), collection: "users"))
        #expect(page.items.count == 1)
        #expect(page.totalItems == 1)
        #expect(page.items[0].id == "9")
        #expect(ApimoListPage(json: try ApimoSamples.json(ApimoSamples.users), collection: "actions") == nil)
    }

    @Test func idsAreReadFromNumbersToo() throws {
        let page = try #require(
            ApimoListPage(
                json: try ApimoSamples.json(#"{"leads":[{"id":12,"user":{"id":7}}],"total_items":"1","timestamp":1714550000}"#),
                collection: "leads"))
        #expect(page.items[0].id == "12")
        #expect(page.items[0].reference("user") == "7")
        #expect(page.totalItems == 1)
        #expect(page.timestamp == 1_714_550_000)
    }

    @Test func localTimesAreParisTime() {
        // 2018-09-11 is summer time in Paris (UTC+2).
        #expect(ApimoTime.instant("2018-09-11 14:43:20") == Timestamp.parse("2018-09-11T12:43:20Z"))
        // 2008-02-05 is winter time (UTC+1).
        #expect(ApimoTime.instant("2008-02-05 17:53:03") == Timestamp.parse("2008-02-05T16:53:03Z"))
        #expect(ApimoTime.instant("2008-02-05T17:53:03Z") == Timestamp.parse("2008-02-05T17:53:03Z"))
        #expect(ApimoTime.instant("0000-00-00 00:00:00") == nil)
        #expect(ApimoTime.instant(date: "2018-09-11", time: "14:43") == Timestamp.parse("2018-09-11T12:43:00Z"))
    }
}

@Suite struct ApimoMappingTests {
    @Test func seedUserMapsToMember() throws {
        let page = try #require(ApimoListPage(json: try ApimoSamples.json(ApimoSamples.users), collection: "users"))
        let member = try ApimoMapping.member(from: page.items[0], connectionID: "c2")
        #expect(member.metadata.sourceSystemName == "apimo")
        #expect(member.metadata.sourceKey == "9")
        #expect(member.metadata.connectionID == "c2")
        #expect(member.firstName == "Marc")
        #expect(member.lastName == "WYLER")
        #expect(member.fullName == "Marc WYLER")
        #expect(member.email == "NO-SPAM@swissmedimmo.com")
        #expect(member.mobilePhone == "+33620000000")
        #expect(member.directPhone == nil)
        #expect(member.status == "Active")
        #expect(member.officeSourceKey == "14")
        #expect(member.metadata.sourceEntryTimestamp == Timestamp.parse("2008-02-05T16:53:03Z"))
        #expect(member.metadata.sourceModificationTimestamp == Timestamp.parse("2016-04-15T21:07:33Z"))
        let raw = try #require(member.metadata.raw)
        // Nothing the vendor sent is dropped: the password stays in raw, and the connector
        // declares it sensitive so the store seals it before writing.
        #expect(raw["password"] == .string("*********"))
        #expect(VendorProfile.apimo.sensitiveFields.contains("password"))
        #expect(raw["username"] == .string("mylogin"))
        #expect(raw["birthday_at"] == .string("1965-01-01"))
        #expect(member.validate().isEmpty)
    }

    @Test func seedActionMapsToActivity() throws {
        let page = try #require(ApimoListPage(json: try ApimoSamples.json(ApimoSamples.actions), collection: "actions"))
        let catalogs = ApimoCatalogs(labels: [.actionType: ["1": "Phone call", "2": "E-mail", "3": "Visit"]])
        let activity = try ApimoMapping.activity(from: page.items[0], catalogs: catalogs, connectionID: nil)
        #expect(activity.metadata.sourceKey == "19344999")
        #expect(activity.activityType == "email")
        #expect(activity.subject == "More details on a new property")
        #expect(activity.body == "Hello, \u{2026}")
        #expect(activity.startTimestamp == Timestamp.parse("2018-09-11T12:43:20Z"))
        #expect(activity.endTimestamp == Timestamp.parse("2018-09-11T13:43:00Z"))
        #expect(activity.contactSourceKey == "8520201")
        #expect(activity.ownerMemberSourceKey == "1234")
        #expect(activity.listingSourceKey == "233030")
        #expect(activity.metadata.raw == .object(page.items[0].fields))
        #expect(activity.validate().isEmpty)
        // Without the catalog the type is unknown, still a valid activity.
        let plain = try ApimoMapping.activity(from: page.items[0], catalogs: ApimoCatalogs(), connectionID: nil)
        #expect(plain.activityType == "other")
    }

    @Test func actionBodyRoundTrip() throws {
        let page = try #require(ApimoListPage(json: try ApimoSamples.json(ApimoSamples.actions), collection: "actions"))
        let catalogs = ApimoCatalogs(labels: [.actionType: ["1": "Phone call", "2": "E-mail", "3": "Visit"]])
        let activity = try ApimoMapping.activity(from: page.items[0], catalogs: catalogs, connectionID: nil)
        let body = try ApimoMapping.actionBody(from: activity, catalogs: catalogs)
        #expect(body["type"] == .string("2"))
        #expect(body["user"] == .string("1234"))
        #expect(body["contact"] == .string("8520201"))
        #expect(body["date"] == .string("2018-09-11"))
        #expect(body["time_start"] == .string("14:43:20"))
        #expect(body["time_end"] == .string("15:43:00"))
        #expect(body["subject"] == .string("More details on a new property"))
        #expect(body["properties"] == .array([.string("233030")]))
        var unknown = Activity()
        unknown.activityType = "whatsapp"
        #expect(throws: ApimoMappingError.self) { try ApimoMapping.actionBody(from: unknown, catalogs: catalogs) }
    }

    @Test func leadKeysArePrefixedAndBodiesUseStrings() throws {
        let record = try #require(
            ApimoRecord(
                json: try ApimoSamples.json(
                    #"""
                    {"id":"77","type":"1","step":"1","date":"2024-05-01","reference":"WEB-1","lastname":"Martin","firstname":"Léa",
                     "email":"lea@example.fr","phone":"0102030405","mobile":"0601020304","language":"fr","user":"9",
                     "message":"Je souhaite visiter","created_at":"2024-05-01 10:00:00","updated_at":"2024-05-02 11:00:00"}
                    """#)))
        let contact = try ApimoMapping.lead(from: record, connectionID: nil)
        #expect(contact.metadata.sourceKey == "lead-77")
        #expect(contact.contactType == "Lead")
        #expect(contact.firstName == "Léa")
        #expect(contact.homePhone == "0102030405")
        #expect(contact.mobilePhone == "0601020304")
        #expect(contact.language == "fr")
        #expect(contact.ownerMemberSourceKey == "9")
        #expect(contact.notes == "Je souhaite visiter")
        #expect(contact.referredBy == "WEB-1")
        let body = ApimoMapping.leadBody(from: contact)
        for key in ["firstname", "lastname", "email", "phone", "mobile", "language", "user", "message", "reference"] {
            #expect(body[key] == record.fields[key], "\(key)")
        }
    }

    @Test func agencyMapsToOffice() throws {
        let record = try #require(
            ApimoRecord(
                json: try ApimoSamples.json(
                    #"""
                    {"id":14,"reference":"A14","active":true,"name":"Swiss Med Immo","address":"1 rue de la Paix","address_more":null,
                     "city":{"id":"12345","name":"Paris","zipcode":"75002"},"country":"FR","region":{"id":"1","name":"Île-de-France"},
                     "email":"contact@example.fr","phone":"+33100000000","created_at":"2008-01-01 00:00:00","updated_at":"2020-01-01 00:00:00"}
                    """#)))
        let office = try ApimoMapping.office(from: record, connectionID: nil)
        #expect(office.metadata.sourceKey == "14")
        #expect(office.name == "Swiss Med Immo")
        #expect(office.address1 == "1 rue de la Paix")
        #expect(office.city == "Paris")
        #expect(office.postalCode == "75002")
        #expect(office.stateOrProvince == "Île-de-France")
        #expect(office.country == "FR")
        #expect(office.status == "Active")
        #expect(office.validate().isEmpty)
    }

    @Test func propertyMapsWithCatalogLabels() throws {
        let record = try #require(
            ApimoRecord(
                json: try ApimoSamples.json(
                    #"""
                    {"id":"233030","reference":"REF-1","agency":"14","user":{"id":"9","firstname":"Marc"},"step":"1","status":"1",
                     "category":"1","type":"1","subtype":"3","address":"10 avenue Foch","city":{"id":"1","name":"Paris","zipcode":"75016"},
                     "country":"FR","latitude":"48.87","longitude":"2.28","bedrooms":"3","rooms":"5",
                     "area":{"unit":"1","value":"120.5","total":"130"},"price":{"value":"2600000","currency":"EUR"},
                     "comments":[{"language":"fr","comment":"Bel appartement"},{"language":"en","comment":"Lovely flat"}],
                     "block_name":"Résidence Foch","lot_reference":"12","created_at":"2018-01-01 08:00:00","updated_at":"2018-09-11 14:43:20"}
                    """#)))
        let catalogs = ApimoCatalogs(labels: [
            .propertyStatus: ["1": "Available", "2": "Under offer", "3": "Sold"],
            .propertyType: ["1": "Apartment", "2": "House"],
            .propertySubtype: ["3": "Penthouse"],
            .unitArea: ["1": "m²", "2": "sq ft"],
        ])
        let property = try ApimoMapping.property(from: record, catalogs: catalogs, connectionID: nil)
        #expect(property.metadata.sourceKey == "233030")
        #expect(property.listingID == "REF-1")
        #expect(property.standardStatus == "Active")
        #expect(property.propertyType == "Apartment")
        #expect(property.propertySubType == "Penthouse")
        #expect(property.listPrice == 2_600_000)
        #expect(property.unparsedAddress == "10 avenue Foch")
        #expect(property.city == "Paris")
        #expect(property.postalCode == "75016")
        #expect(property.latitude == 48.87)
        #expect(property.bedroomsTotal == 3)
        #expect(property.livingArea == 120.5)
        #expect(property.livingAreaUnits == "Square Meters")
        #expect(property.publicRemarks == "Lovely flat")
        #expect(property.buildingName == "Résidence Foch")
        #expect(property.unitNumber == "12")
        #expect(property.listAgentSourceKey == "9")
        #expect(property.validate().isEmpty)
    }

    @Test func contactMapsAndBuildsBody() throws {
        let record = try #require(
            ApimoRecord(
                json: try ApimoSamples.json(
                    #"""
                    {"id":"8520201","firstname":"Paul","lastname":"Durand","email":"paul@example.fr","mobile":"0611111111",
                     "phone":null,"company":"Durand SA","address":"2 rue Haute","city":{"id":"1","name":"Lyon","zipcode":"69001"},
                     "country":"FR","birthday_at":"1970-05-06","comment":"VIP","user":"9","language":"fr"}
                    """#)))
        let contact = try ApimoMapping.contact(from: record, connectionID: nil)
        #expect(contact.metadata.sourceKey == "8520201")
        #expect(contact.contactType == "Contact")
        #expect(contact.homeCity == "Lyon")
        #expect(contact.homePostalCode == "69001")
        #expect(contact.birthdate == "1970-05-06")
        #expect(contact.notes == "VIP")
        let body = ApimoMapping.contactBody(from: contact)
        #expect(body["firstname"] == .string("Paul"))
        #expect(body["city"] == .string("Lyon"))
        #expect(body["zipcode"] == .string("69001"))
        #expect(body["user"] == .string("9"))
        #expect(body["phone"] == nil)
    }

    @Test func labelsReduceToHubVocabularies() {
        #expect(ApimoMapping.activityType(forLabel: "Appel téléphonique") == "call")
        #expect(ApimoMapping.activityType(forLabel: "Rendez-vous") == "meeting")
        #expect(ApimoMapping.activityType(forLabel: "Something else") == "other")
        #expect(ApimoMapping.standardStatus(forLabel: "Sold") == "Closed")
        #expect(ApimoMapping.standardStatus(forLabel: "Under offer") == "Pending")
        #expect(ApimoMapping.standardStatus(forLabel: "Mystery") == nil)
        #expect(ApimoMapping.areaUnits(forLabel: "sq ft") == "Square Feet")
    }

    @Test func catalogEntries() throws {
        let labels = ApimoCatalogs.entries(
            from: try ApimoSamples.json(#"[{"id":1,"culture":"en","name":"Apartment"},{"id":"2","name":"House"}]"#))
        #expect(labels == ["1": "Apartment", "2": "House"])
    }
}
