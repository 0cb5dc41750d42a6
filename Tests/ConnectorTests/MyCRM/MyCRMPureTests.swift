import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import MyCRMConnector

@Suite struct MyCRMVTQLTests {
    @Test func fullPageStatementEndsWithSemicolon() throws {
        let query = VTQLSelect(module: "Leads", orderBy: ["id"], offset: 200, limit: 100)
        #expect(try query.text() == "select * from Leads order by id limit 200, 100;")
    }

    @Test func stringValuesAreQuotedAndQuotesDoubled() throws {
        let query = VTQLSelect(
            module: "Contacts", conditions: [.equal("email", "o'brien@example.com")], limit: 1)
        #expect(try query.text() == "select * from Contacts where email = 'o''brien@example.com' limit 1;")
    }

    @Test func injectionAttemptStaysInsideTheLiteral() throws {
        let hostile = "x' or '1'='1"
        let text = try VTQLSelect(module: "Leads", conditions: [.equal("email", hostile)]).text()
        #expect(text == "select * from Leads where email = 'x'' or ''1''=''1';")
        // Every quote inside the value is doubled: the literal spans to the final quote.
        let literal = text.dropFirst("select * from Leads where email = ".count).dropLast()
        #expect(literal.first == "'" && literal.last == "'")
        #expect(literal.dropFirst().dropLast().replacingOccurrences(of: "''", with: "").contains("'") == false)
    }

    @Test func orConditionsAndColumns() throws {
        let query = VTQLSelect(
            module: "Leads", columns: ["id", "email"],
            conditions: [.equal("phone", "+1 555"), .equal("mobile", "+1 555")], conjunction: .or, limit: 1)
        #expect(try query.text() == "select id, email from Leads where phone = '+1 555' or mobile = '+1 555' limit 1;")
    }

    @Test func integerValuesAreDigits() throws {
        let query = VTQLSelect(
            module: "Leads", conditions: [VTQLSelect.Condition(column: "id", op: .greater, value: .integer(42))])
        #expect(try query.text() == "select * from Leads where id > 42;")
    }

    @Test func refusesUnsafeNamesAndValues() {
        #expect(throws: VTQLError.self) { try VTQLSelect(module: "Leads; drop").text() }
        #expect(throws: VTQLError.self) { try VTQLSelect(module: "").text() }
        #expect(throws: VTQLError.self) { try VTQLSelect(module: "Leads", orderBy: ["id desc"]).text() }
        #expect(throws: VTQLError.self) { try VTQLSelect(module: "Leads", columns: ["1id"]).text() }
        #expect(throws: VTQLError.self) {
            try VTQLSelect(module: "Leads", conditions: [.equal("email", "a\\b")]).text()
        }
        #expect(throws: VTQLError.self) {
            try VTQLSelect(module: "Leads", conditions: [.equal("email", "a\nb")]).text()
        }
        #expect(throws: VTQLError.self) { try VTQLSelect(module: "Leads", limit: 101).text() }
        #expect(throws: VTQLError.self) { try VTQLSelect(module: "Leads", offset: -1, limit: 10).text() }
        #expect(throws: VTQLError.self) { try VTQLSelect(module: "Leads", offset: 10).text() }
    }

    @Test func unicodeValuesPassThrough() throws {
        let text = try VTQLSelect(module: "Contacts", conditions: [.equal("lastname", "Müller-Łódź")]).text()
        #expect(text == "select * from Contacts where lastname = 'Müller-Łódź';")
    }
}

@Suite struct MyCRMLoginKeyTests {
    @Test func md5OfTokenAndAccessKeyInLowercaseHex() {
        // md5("abc") is the RFC 1321 test vector.
        #expect(MyCRMLoginKey.compute(token: "a", accessKey: "bc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(MyCRMLoginKey.compute(token: "", accessKey: "") == "d41d8cd98f00b204e9800998ecf8427e")
        // md5("message digest"), RFC 1321.
        #expect(
            MyCRMLoginKey.compute(token: "message ", accessKey: "digest") == "f96b697d7cb7938d525a2f31aaf161d0")
    }

    @Test func orderIsTokenThenKey() {
        #expect(
            MyCRMLoginKey.compute(token: "5f3a1c2b9d4e7", accessKey: "KEY")
                != MyCRMLoginKey.compute(token: "KEY", accessKey: "5f3a1c2b9d4e7"))
    }
}

@Suite struct MyCRMWireTests {
    func decode(_ text: String) throws -> MyCRMEnvelope {
        try JSONDecoder().decode(MyCRMEnvelope.self, from: Data(text.utf8))
    }

    static func result(_ envelope: MyCRMEnvelope) throws -> JSONValue {
        try #require(envelope.result)
    }

    @Test func challengeWithNumericOrStringTimes() throws {
        let envelope = try decode(#"{"success":true,"result":{"token":"5f3a1c2b9d4e7","serverTime":1714550000,"expireTime":1714550300}}"#)
        let challenge = try #require(MyCRMChallenge(result: try Self.result(envelope)))
        #expect(challenge.token == "5f3a1c2b9d4e7")
        #expect(challenge.serverTime == 1_714_550_000)
        #expect(challenge.expireTime == 1_714_550_300)
        let stringy = try decode(#"{"success":true,"result":{"token":"t","serverTime":"1714550000","expireTime":"1714550300"}}"#)
        #expect(MyCRMChallenge(result: try Self.result(stringy))?.expireTime == 1_714_550_300)
    }

    @Test func loginAcceptsSessionNameOrSessionId() throws {
        let vtiger = try decode(
            #"{"success":true,"result":{"sessionName":"abc123","userId":"19x1","version":"0.22","vtigerVersion":"5.4.0"}}"#)
        let session = try #require(MyCRMSession(result: try Self.result(vtiger)))
        #expect(session.sessionName == "abc123")
        #expect(session.userID == "19x1")
        #expect(session.version == "0.22")
        let documented = try decode(#"{"success":true,"result":{"sessionId":"def456","userId":"19x1","version":"0.22"}}"#)
        #expect(MyCRMSession(result: try Self.result(documented))?.sessionName == "def456")
        let neither = try decode(#"{"success":true,"result":{"userId":"19x1"}}"#)
        #expect(MyCRMSession(result: try Self.result(neither)) == nil)
    }

    @Test func failureEnvelope() throws {
        let envelope = try decode(
            #"{"success":false,"error":{"code":"INVALID_SESSIONID","message":"Session Identifier provided is Invalid"}}"#)
        #expect(envelope.success == false)
        #expect(envelope.error == MyCRMErrorBody(code: "INVALID_SESSIONID", message: "Session Identifier provided is Invalid"))
    }

    @Test func syncResult() throws {
        let envelope = try decode(
            #"""
            {"success":true,"result":{"updated":[{"id":"10x5","lastname":"Doe","modifiedtime":"2024-05-01 09:14:57"}],
             "deleted":["10x3","10x4"],"lastModifiedTime":1714554897,"more":true}}
            """#)
        let sync = try #require(MyCRMSyncResult(result: try Self.result(envelope)))
        #expect(sync.updated.map(\.id) == ["10x5"])
        #expect(sync.deleted == ["10x3", "10x4"])
        #expect(sync.lastModifiedTime == 1_714_554_897)
        #expect(sync.more)
    }
}

@Suite struct MyCRMMappingTests {
    /// A Leads record with the seed's field names, as webservice.php sends it (all strings).
    static let leadJSON = #"""
        {"id":"10x42","firstname":"Jane","lastname":"Doe","phone":"+1 305 555 0100","mobile":"+1 305 555 0199",
         "leadsource":"Web Site","email":"jane@example.com","business_name":"Doe Realty","assigned_user_id":"19x1",
         "lane":"100 Ocean Dr","code":"33139","pobox":"","state":"FL","city":"Miami Beach","zip4":"1234","apart":"4B",
         "description":"Wants a sea view","utm_source":"google","utm_medium":"cpc","utm_campaign":"spring",
         "utm_content":"ad-1","utm_term":"condo miami","lead_no":"LEA42","createdtime":"2024-04-30 10:00:00",
         "modifiedtime":"2024-05-01 09:14:57"}
        """#

    static let contactJSON = #"""
        {"id":"12x7","firstname":"John","lastname":"Smith","phone":"+1 212 555 0101","mobile":"+1 212 555 0102",
         "homephone":"+1 212 555 0103","leadsource":"Partner","birthday":"1980-02-29","email":"john@example.com",
         "business_name":"","assigned_user_id":"19x2","is_customer":"1","mailingstreet":"5 Park Ave",
         "mailingpobox":"","mailingstate":"NY","mailingcity":"New York","mailingzip":"10016","apart":"","zip4":"",
         "description":"","pager":"","csg_number":"","spouse_name":"","ssn":"","service_dt":"","dl_license":"",
         "dl_state":"","dl_expdate":"","utm_source":"","utm_medium":"","utm_campaign":"","utm_content":"","utm_term":"",
         "createdtime":"2023-01-02 03:04:05","modifiedtime":"2024-02-03 04:05:06"}
        """#

    static func record(_ text: String) throws -> MyCRMRecord {
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        return try #require(MyCRMRecord(json: json))
    }

    @Test func leadMapsToContactWithTypeLead() throws {
        let record = try Self.record(Self.leadJSON)
        let contact = try MyCRMMapping.contact(from: record, module: .leads, connectionID: "c1")
        #expect(contact.metadata.sourceSystemName == "mycrm")
        #expect(contact.metadata.sourceKey == "10x42")
        #expect(contact.metadata.connectionID == "c1")
        #expect(contact.metadata.sourceModificationTimestamp == Timestamp.parse("2024-05-01T09:14:57Z"))
        #expect(contact.metadata.sourceEntryTimestamp == Timestamp.parse("2024-04-30T10:00:00Z"))
        #expect(contact.metadata.raw == .object(record.fields))
        #expect(contact.contactType == "Lead")
        #expect(contact.firstName == "Jane")
        #expect(contact.lastName == "Doe")
        #expect(contact.fullName == "Jane Doe")
        #expect(contact.email == "jane@example.com")
        #expect(contact.homePhone == "+1 305 555 0100")
        #expect(contact.mobilePhone == "+1 305 555 0199")
        #expect(contact.company == "Doe Realty")
        #expect(contact.leadSource == "Website", "through the picklist table")
        #expect(contact.homeAddress1 == "100 Ocean Dr")
        #expect(contact.homeCity == "Miami Beach")
        #expect(contact.homeStateOrProvince == "FL")
        #expect(contact.homePostalCode == "33139-1234")
        #expect(contact.notes == "Wants a sea view")
        #expect(contact.ownerMemberSourceKey == "19x1")
        #expect(contact.utmSource == "google")
        #expect(contact.utmMedium == "cpc")
        #expect(contact.utmCampaign == "spring")
        #expect(contact.utmContent == "ad-1")
        #expect(contact.utmTerm == "condo miami")
        #expect(contact.validate().isEmpty)
    }

    @Test func leadRoundTripsToTheSeedFieldNames() throws {
        let record = try Self.record(Self.leadJSON)
        let contact = try MyCRMMapping.contact(from: record, module: .leads, connectionID: nil)
        #expect(MyCRMMapping.module(for: contact) == .leads)
        let element = MyCRMMapping.element(from: contact, module: .leads)
        for name in [
            "firstname", "lastname", "phone", "mobile", "leadsource", "email", "business_name", "assigned_user_id",
            "lane", "code", "state", "city", "zip4", "description", "utm_source", "utm_medium", "utm_campaign",
            "utm_content", "utm_term",
        ] {
            #expect(element[name] == record.fields[name], "\(name)")
        }
        #expect(element["id"] == nil)
        #expect(MyCRMMapping.missingMandatoryFields(in: element).isEmpty)
    }

    @Test func contactMapsAndRoundTrips() throws {
        let record = try Self.record(Self.contactJSON)
        let contact = try MyCRMMapping.contact(from: record, module: .contacts, connectionID: nil)
        #expect(contact.contactType == "Client")
        #expect(contact.officePhone == "+1 212 555 0101")
        #expect(contact.homePhone == "+1 212 555 0103")
        #expect(contact.birthdate == "1980-02-29")
        #expect(contact.homeAddress1 == "5 Park Ave")
        #expect(contact.homePostalCode == "10016")
        #expect(contact.company == nil, "empty strings are empty fields")
        #expect(contact.utmSource == nil)
        #expect(contact.metadata.sourceKey == "12x7")
        #expect(MyCRMMapping.module(for: contact) == .contacts)
        let element = MyCRMMapping.element(from: contact, module: .contacts)
        for name in [
            "firstname", "lastname", "phone", "mobile", "homephone", "leadsource", "birthday", "email",
            "assigned_user_id", "is_customer", "mailingstreet", "mailingstate", "mailingcity", "mailingzip",
        ] {
            #expect(element[name] == record.fields[name], "\(name)")
        }
        #expect(element["business_name"] == nil)
    }

    @Test func fullNameIsSplitForMandatoryNames() {
        var contact = Contact()
        contact.fullName = "Mary Ann Lee"
        contact.email = "m@example.com"
        let element = MyCRMMapping.element(from: contact, module: .leads)
        #expect(element["firstname"] == .string("Mary Ann"))
        #expect(element["lastname"] == .string("Lee"))
        #expect(MyCRMMapping.missingMandatoryFields(in: element).map(\.field) == ["SourceSystemOwnerMemberKey"])
        var single = Contact()
        single.fullName = "Cher"
        let singleElement = MyCRMMapping.element(from: single, module: .leads)
        #expect(singleElement["lastname"] == .string("Cher"))
        #expect(MyCRMMapping.missingMandatoryFields(in: singleElement).map(\.field).contains("FirstName"))
    }

    @Test func zipPlusFourSplitsOnWrite() {
        let zip = MyCRMMapping.splitPostalCode("33139-1234")
        #expect(zip.code == "33139" && zip.zip4 == "1234")
        let british = MyCRMMapping.splitPostalCode("SW1A 1AA")
        #expect(british.code == "SW1A 1AA" && british.zip4 == nil)
        #expect(MyCRMMapping.postalCode("33139", zip4: "12") == "33139")
    }

    @Test func userMapsToMemberWithoutSecrets() throws {
        let record = try Self.record(
            #"""
            {"id":"19x5","user_name":"jdoe","first_name":"Jane","last_name":"Doe","email1":"jane@agency.example",
             "phone_mobile":"+34 600 000 000","phone_work":"+34 910 000 000","status":"Active","title":"Agent",
             "language":"en_us","accesskey":"SECRETACCESSKEY","user_password":"$1$abc","confirm_password":"$1$abc",
             "is_admin":"off"}
            """#)
        let member = try MyCRMMapping.member(from: record, connectionID: nil)
        #expect(member.metadata.sourceKey == "19x5")
        #expect(member.fullName == "Jane Doe")
        #expect(member.email == "jane@agency.example")
        #expect(member.mobilePhone == "+34 600 000 000")
        #expect(member.officePhone == "+34 910 000 000")
        #expect(member.status == "Active")
        #expect(member.jobTitle == "Agent")
        #expect(member.languages == ["en_us"])
        let raw = try #require(member.metadata.raw)
        #expect(raw["accesskey"] == nil)
        #expect(raw["user_password"] == nil)
        #expect(raw["confirm_password"] == nil)
        #expect(raw["user_name"] == .string("jdoe"))
        #expect(!raw.jsonText.contains("SECRETACCESSKEY"))
    }

    @Test func recordWithoutIDIsRefused() throws {
        let record = try Self.record(#"{"lastname":"Doe"}"#)
        #expect(throws: MyCRMMappingError.self) { try MyCRMMapping.contact(from: record, module: .leads, connectionID: nil) }
    }
}

@Suite struct MyCRMAddressAvailabilityTests {
    /// The seed's sample answer, with its placeholders filled in and its trailing comma kept out
    /// (stray whitespace inside strings kept, as printed).
    static let sample = #"""
        {"data":[{"coordinates":[25.7617,-80.1918],"unitCount":99,"buildingTypeCode":"B","bsl_flag":true,
          "license":"Fabric location data provided by CostQuest Associates, Inc., all rights reserved.",
          "detail":[
           {"location_id":999999999,"provider_name":"\nBellSouth Telecommunications, LLC ","brand_name":"\nAT&T Inc ",
            "technology_code":"10","bizrescode":"X","maxdown":10,"maxup":1,"lowlatency":1,"frn":"999999999",
            "provider_id":"999999999","holding_company_name":"\nAT&T Inc. ","technology_code_type":"\nCopper ",
            "prov_tech_flag":false},
           {"location_id":999999999,"provider_name":"Crown Castle Fiber LLC","brand_name":"\nCrown Castle Fiber LLC ",
            "technology_code":"40","bizrescode":"X","maxdown":1200,"maxup":35,"lowlatency":1,"frn":"0003768165",
            "provider_id":"130317","holding_company_name":"Crown Castle Inc","technology_code_type":"Fiber to the Premises",
            "prov_tech_flag":false}]}],
         "result_count":1,"status_code":200,"message":null,"status":"\n successful ","request_date":"2024-05-01T16:42:21.481Z"}
        """#

    @Test func readsTheSeedShape() throws {
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(Self.sample.utf8))
        let answer = try #require(AddressAvailability(json: json))
        #expect(answer.resultCount == 1)
        #expect(answer.statusCode == 200)
        #expect(answer.status == "successful")
        #expect(answer.message == nil)
        #expect(answer.requestDate == "2024-05-01T16:42:21.481Z")
        #expect(answer.isServiceAvailable)
        let location = try #require(answer.locations.first)
        #expect(location.latitude == 25.7617)
        #expect(location.longitude == -80.1918)
        #expect(location.unitCount == 99)
        #expect(location.isBroadbandServiceable == true)
        #expect(location.providers.count == 2)
        let first = location.providers[0]
        #expect(first.providerName == "BellSouth Telecommunications, LLC")
        #expect(first.brandName == "AT&T Inc")
        #expect(first.locationID == "999999999")
        #expect(first.technology == "Copper")
        #expect(first.maxDownload == 10)
        #expect(first.isLowLatency == true)
        #expect(location.providers[1].frn == "0003768165", "leading zeros of quoted numbers are kept")
        #expect(answer.raw == json)
    }

    @Test func queryValueIsAddressCityCommaState() {
        #expect(
            AddressAvailability.queryValue(street: "100 Ocean Dr", city: "Miami Beach", state: "FL")
                == "100 Ocean Dr Miami Beach, FL")
        #expect(AddressAvailability.queryValue(street: " 1 Main St ", city: "", state: "") == "1 Main St")
    }
}
