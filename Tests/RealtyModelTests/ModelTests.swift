import Foundation
import Testing

@testable import RealtyModel

@Suite struct JSONCodingTests {
    func sampleContact() -> Contact {
        var contact = Contact(
            metadata: RecordMetadata(
                key: "k-1", sourceSystemName: "mycrm", sourceKey: "10x5", connectionID: "conn",
                modificationTimestamp: Date(timeIntervalSince1970: 1_700_000_000.25),
                originalEntryTimestamp: Date(timeIntervalSince1970: 1_690_000_000),
                raw: .object(["lastname": .string("Doe"), "id": .string("10x5"), "n": .number(3)])))
        contact.firstName = "Jane"
        contact.lastName = "Doe"
        contact.email = "jane@example.com"
        contact.contactType = "Lead"
        contact.birthdate = "1990-02-28"
        contact.utmSource = "google"
        return contact
    }

    @Test func contactRoundTripsUnderRESONames() throws {
        let contact = sampleContact()
        let data = try JSONEncoder().encode(contact)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["ContactKey"] as? String == "k-1")
        #expect(object["SourceSystemContactKey"] as? String == "10x5")
        #expect(object["SourceSystemName"] as? String == "mycrm")
        #expect(object["FirstName"] as? String == "Jane")
        #expect(object["Email"] as? String == "jane@example.com")
        #expect(object["ModificationTimestamp"] as? String == "2023-11-14T22:13:20.250Z")
        #expect(object["UtmSource"] as? String == "google")
        #expect(object["MobilePhone"] == nil, "empty fields are omitted")
        #expect(object["firstName"] == nil, "Swift names never leak into JSON")
        let decoded = try JSONDecoder().decode(Contact.self, from: data)
        #expect(decoded == contact)
    }

    @Test func everyResourceRoundTrips() throws {
        var member = Member(metadata: RecordMetadata(sourceKey: "u1"))
        member.fullName = "A B"
        member.languages = ["en", "fr"]
        var property = Property(metadata: RecordMetadata(sourceKey: "p1"))
        property.listPrice = 350_000.5
        property.bedroomsTotal = 3
        property.newConstructionYN = true
        property.latitude = 36.5
        var activity = Activity(metadata: RecordMetadata(sourceKey: "a1"))
        activity.activityType = "call"
        activity.startTimestamp = Date(timeIntervalSince1970: 1_700_000_000)
        func roundTrip<R: HubRecord>(_ record: R) throws {
            let decoded = try JSONDecoder().decode(R.self, from: JSONEncoder().encode(record))
            #expect(decoded == record)
        }
        try roundTrip(member)
        try roundTrip(property)
        try roundTrip(activity)
        var office = Office()
        office.name = "Marbella"
        try roundTrip(office)
        var team = Team()
        team.name = "Sales"
        try roundTrip(team)
        var teamMember = TeamMember()
        teamMember.teamKey = "t"
        teamMember.memberKey = "m"
        try roundTrip(teamMember)
        var development = Development()
        development.name = "Sea View"
        development.unitsTotal = 12
        try roundTrip(development)
        let json = String(decoding: try JSONEncoder().encode(property), as: UTF8.self)
        #expect(json.contains("\"SourceSystemListingKey\":\"p1\""))
        #expect(json.contains("\"NewConstructionYN\":true"))
    }

    @Test func wrongTypesFailNamingTheField() throws {
        let bad = Data(#"{"BedroomsTotal":"three"}"#.utf8)
        #expect {
            _ = try JSONDecoder().decode(Property.self, from: bad)
        } throws: { error in
            String(describing: error).contains("BedroomsTotal must be an integer")
        }
        let badDate = Data(#"{"Birthdate":"1990-02-30"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Contact.self, from: badDate) }
        let badTimestamp = Data(#"{"ModificationTimestamp":"yesterday"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Contact.self, from: badTimestamp) }
        let unknown = try JSONDecoder().decode(Contact.self, from: Data(#"{"Email":"a@b.co","Whatever":1}"#.utf8))
        #expect(unknown.email == "a@b.co")
    }

    @Test func projectionKeepsOnlyAskedFieldsAndTheKey() throws {
        struct Projected: Encodable {
            let contact: Contact
            func encode(to encoder: any Encoder) throws { try contact.encodeRESO(to: encoder, only: ["Email"]) }
        }
        let data = try JSONEncoder().encode(Projected(contact: sampleContact()))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["ContactKey", "Email"])
    }

    @Test func entityEventUsesRESONames() throws {
        let event = EntityEvent(
            sequence: 42, resourceName: .property, resourceRecordKey: "k", change: .updated, connectionID: "c",
            timestamp: Date(timeIntervalSince1970: 0))
        let data = try JSONEncoder().encode(event)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"EntityEventSequence\":42"))
        #expect(text.contains("\"ResourceName\":\"Property\""))
        #expect(try JSONDecoder().decode(EntityEvent.self, from: data) == event)
    }
}

@Suite struct ValidationTests {
    @Test func leadWithoutNameOrChannelIsRejected() {
        var lead = Contact()
        lead.contactType = "Lead"
        let errors = lead.validate()
        #expect(errors.count == 1)
        #expect(errors.first?.field == "FullName")
        lead.mobilePhone = "+33 6 12 34 56 78"
        #expect(lead.validate().isEmpty, "a phone alone is enough")
        var named = Contact()
        named.lastName = "Doe"
        #expect(named.validate().isEmpty, "a name alone is enough")
    }

    @Test func malformedEmailAndPhoneAreFieldErrors() throws {
        var contact = Contact()
        contact.firstName = "Jo"
        contact.email = "not-an-email"
        contact.mobilePhone = "call me"
        let fields = contact.validate().map(\.field)
        #expect(fields == ["Email", "MobilePhone"])
        #expect(throws: ValidationError.self) { try contact.validated() }
        for good in ["a@b.co", "first.last+tag@sub.example.org"] { #expect(FieldRules.isEmail(good), "\(good)") }
        for bad in ["a@b", "@b.co", "a@@b.co", "a b@c.co", "a@b..co", "a@-b.co"] { #expect(!FieldRules.isEmail(bad), "\(bad)") }
    }

    @Test func resourceRules() {
        var property = Property()
        property.listPrice = -1
        property.latitude = 91
        #expect(Set(property.validate().map(\.field)) == ["ListPrice", "Latitude"])
        var member = Member()
        member.status = "Retired"
        #expect(Set(member.validate().map(\.field)) == ["MemberStatus", "MemberFullName"])
        var activity = Activity()
        activity.activityType = "call"
        activity.startTimestamp = Date(timeIntervalSince1970: 100)
        activity.endTimestamp = Date(timeIntervalSince1970: 50)
        #expect(activity.validate().map(\.field) == ["ActivityEndTimestamp"])
        #expect(Office().validate().map(\.field) == ["OfficeName"])
    }
}

@Suite struct TimestampTests {
    @Test func formatsAndParses() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123)
        #expect(Timestamp.format(date) == "2023-11-14T22:13:20.123Z")
        #expect(Timestamp.parse("2023-11-14T22:13:20.123Z") == date)
        #expect(Timestamp.parse("2023-11-14T22:13:20Z") == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(Timestamp.parse("2023-11-14 23:13:20+01:00") == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(Timestamp.parse("2023-11-14T22:13:20") == Date(timeIntervalSince1970: 1_700_000_000))
        for bad in ["", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "yesterday"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }
}

@Suite struct JSONValueTests {
    @Test func decodesEveryKindAndKeepsTypes() throws {
        let text = #"{"s":"1","n":1,"d":2.5,"t":true,"f":false,"z":null,"a":[1,"x",{"k":[]}],"o":{"nested":"yes"}}"#
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(value["s"] == .string("1"))
        #expect(value["n"] == .number(1))
        #expect(value["d"] == .number(2.5))
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["z"] == .null)
        #expect(value["a"] == .array([.number(1), .string("x"), .object(["k": .array([])])]))
        #expect(value["o"]?["nested"] == .string("yes"))
        #expect(value.jsonText == #"{"a":[1,"x",{"k":[]}],"d":2.5,"f":false,"n":1,"o":{"nested":"yes"},"s":"1","t":true,"z":null}"#)
        let again = try JSONDecoder().decode(JSONValue.self, from: Data(value.jsonText.utf8))
        #expect(again == value)
        #expect(JSONValue.string("a\"b\\c\n\u{01}").jsonText == #""a\"b\\c\n\u0001""#)
    }
}
