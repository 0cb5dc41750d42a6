import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import PFExpertConnector

/// Decodes a JSON literal written in a test.
func pfJSON(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

@Suite struct PFExpertMappingTests {
    /// The create answer printed in the PF Expert introduction (`user` with id 123).
    @Test func userFromTheDocumentExample() throws {
        let body = try pfJSON(#"{"user": {"id": 123, "first_name": "James", "created_at": "2012-04-04T09:14:57Z"}}"#)
        let user = try PFUser(json: try #require(body["user"]))
        let member = PFExpertMapping.member(user)
        #expect(member.metadata.sourceKey == "123")
        #expect(member.metadata.sourceSystemName == "pf-expert")
        #expect(member.firstName == "James")
        #expect(member.fullName == "James")
        #expect(member.metadata.sourceEntryTimestamp == Timestamp.parse("2012-04-04T09:14:57Z"))
        #expect(member.metadata.sourceModificationTimestamp == Timestamp.parse("2012-04-04T09:14:57Z"))
        #expect(member.metadata.raw == body["user"])
        #expect(member.validate().isEmpty)
    }

    @Test func userWithEveryField() throws {
        let json = try pfJSON(
            #"""
            {"id": "7", "first_name": "Sara", "last_name": "Haddad", "email": "sara@agency.ae",
             "mobile": "+971 50 123 4567", "phone": "+971 4 123 4567", "status": "inactive",
             "position": "Senior agent", "role": {"id": 2, "name": "Agent"},
             "created_at": "2023-01-02T03:04:05Z", "updated_at": "2024-02-03T04:05:06+04:00"}
            """#)
        let member = PFExpertMapping.member(try PFUser(json: json))
        #expect(member.metadata.sourceKey == "7")
        #expect(member.fullName == "Sara Haddad")
        #expect(member.email == "sara@agency.ae")
        #expect(member.mobilePhone == "+971 50 123 4567")
        #expect(member.directPhone == "+971 4 123 4567")
        #expect(member.status == "Inactive")
        #expect(member.jobTitle == "Senior agent")
        #expect(member.type == "Agent")
        #expect(member.metadata.sourceModificationTimestamp == Timestamp.parse("2024-02-03T00:05:06Z"))
        #expect(member.validate().isEmpty)
    }

    @Test func memberStatusReadings() {
        #expect(PFExpertMapping.memberStatus(status: "Active", active: nil) == "Active")
        #expect(PFExpertMapping.memberStatus(status: nil, active: false) == "Inactive")
        #expect(PFExpertMapping.memberStatus(status: "on_leave", active: nil) == nil)
        #expect(PFExpertMapping.memberStatus(status: nil, active: nil) == nil)
    }

    @Test func recordWithoutIDIsAnError() throws {
        let json = try pfJSON(#"{"first_name": "James"}"#)
        #expect(throws: WirePayloadError.self) { try PFUser(json: json) }
    }

    /// A list answer as the Pagination section prints it.
    @Test func listPageFromTheDocumentExample() throws {
        let json = try pfJSON(#"{"count": 1234, "page": 1, "per_page": 100, "users": [{"id": 1}, {"id": 2}]}"#)
        let page = try PFListPage(json: json, key: "users", resource: "users")
        #expect(page.count == 1234)
        #expect(page.page == 1)
        #expect(page.perPage == 100)
        #expect(page.items.count == 2)
    }

    @Test func listPageShapes() throws {
        let empty = try PFListPage(json: try pfJSON(#"{"count": 0, "page": 1, "per_page": 100}"#), key: "leads", resource: "leads")
        #expect(empty.items.isEmpty)
        #expect(throws: WirePayloadError.self) {
            try PFListPage(json: try pfJSON(#"{"count": 3, "page": 1}"#), key: "leads", resource: "leads")
        }
        #expect(throws: WirePayloadError.self) {
            try PFListPage(json: try pfJSON(#"{"count": 1, "leads": {"id": 1}}"#), key: "leads", resource: "leads")
        }
        #expect(throws: WirePayloadError.self) {
            try PFListPage(json: try pfJSON(#"[1, 2]"#), key: "leads", resource: "leads")
        }
    }

    /// A property with the fields of the properties page (price object, location, languages).
    @Test func propertyMapping() throws {
        let json = try pfJSON(
            #"""
            {"id": 501, "reference": "AP-0501", "status": "available", "category": "residential",
             "type": {"id": 1, "name": "Apartment"},
             "price": {"offering_type": "sale", "value": 1850000, "prices": [{"period": "sale", "value": 1850000}]},
             "bedrooms": "studio", "bathrooms": 1, "size": "742.5", "unit_number": "1204",
             "project_status": "off_plan",
             "location": {"id": 12, "city": "Dubai", "community": "Dubai Marina", "sub_community": "Marina Promenade",
                          "tower": "Delphine Tower", "latitude": 25.0764, "longitude": 55.1367},
             "languages": {"en": {"title": "Marina view studio", "description": "Bright studio with a marina view."}},
             "user": {"id": 7}, "created_at": "2024-01-10T08:00:00Z", "updated_at": "2024-03-01T12:30:00Z"}
            """#)
        let property = PFExpertMapping.property(try PFProperty(json: json))
        #expect(property.metadata.sourceKey == "501")
        #expect(property.listingID == "AP-0501")
        #expect(property.standardStatus == "Active")
        #expect(property.propertyType == "Residential")
        #expect(property.propertySubType == "Apartment")
        #expect(property.listPrice == 1_850_000)
        #expect(property.bedroomsTotal == 0)
        #expect(property.bathroomsTotalInteger == 1)
        #expect(property.livingArea == 742.5)
        #expect(property.unitNumber == "1204")
        #expect(property.newConstructionYN == true)
        #expect(property.city == "Dubai")
        #expect(property.buildingName == "Delphine Tower")
        #expect(property.unparsedAddress == "Delphine Tower, Marina Promenade, Dubai Marina, Dubai")
        #expect(property.latitude == 25.0764)
        #expect(property.publicRemarks == "Bright studio with a marina view.")
        #expect(property.listAgentSourceKey == "7")
        #expect(property.metadata.sourceEntryTimestamp == Timestamp.parse("2024-01-10T08:00:00Z"))
        #expect(property.metadata.sourceModificationTimestamp == Timestamp.parse("2024-03-01T12:30:00Z"))
        #expect(property.metadata.raw == json)
        #expect(property.validate().isEmpty)
    }

    @Test func propertyStatusesAndTypes() {
        #expect(PFExpertMapping.standardStatus("under offer") == "Active Under Contract")
        #expect(PFExpertMapping.standardStatus("reserved") == "Pending")
        #expect(PFExpertMapping.standardStatus("sold") == "Closed")
        #expect(PFExpertMapping.standardStatus("rented") == "Closed")
        #expect(PFExpertMapping.standardStatus("draft") == "Incomplete")
        #expect(PFExpertMapping.standardStatus("archived") == nil)
        #expect(PFExpertMapping.propertyType(category: "commercial", offering: "rent") == "Commercial Lease")
        #expect(PFExpertMapping.propertyType(category: "residential", offering: "rent") == "Residential Lease")
        #expect(PFExpertMapping.propertyType(category: nil, offering: "sale") == nil)
        func status(_ type: String) -> JSONValue? {
            var listing = Property()
            listing.standardStatus = "Closed"
            listing.propertyType = type
            return PFExpertMapping.propertyWrites(listing, fields: ["StandardStatus"], creating: false).values.first?.value
        }
        #expect(status("Residential Lease") == .string("rented"))
        #expect(status("Residential") == .string("sold"))
    }

    /// The lead object's fields as published with the documentation.
    @Test func leadMapping() throws {
        let json = try pfJSON(
            #"""
            {"id": 9001, "user": {"id": 7}, "title": "Mr", "first_name": "Omar", "middle_name": "K.",
             "last_name": "Saleh", "email": "omar@example.com", "mobile": "+971501112233", "phone": "+97143334455",
             "address": "Villa 12, Street 4", "pobox": "12345", "city": "Dubai", "country": "AE",
             "status": "new", "quality": "hot", "source": "website", "source_channel": "email",
             "created_at": "2024-05-01T09:00:00Z", "updated_at": "2024-05-02T10:00:00Z",
             "preferences": [{"id": 1, "offering_type": "sale", "from_price": 1000000}], "marked_as_seen": true}
            """#)
        let contact = PFExpertMapping.contact(try PFLead(json: json))
        #expect(contact.metadata.sourceKey == "9001")
        #expect(contact.contactType == "Lead")
        #expect(contact.firstName == "Omar")
        #expect(contact.lastName == "Saleh")
        #expect(contact.fullName == "Omar K. Saleh")
        #expect(contact.email == "omar@example.com")
        #expect(contact.mobilePhone == "+971501112233")
        #expect(contact.homePhone == "+97143334455")
        #expect(contact.homeAddress1 == "Villa 12, Street 4")
        #expect(contact.homeCity == "Dubai")
        #expect(contact.homeCountry == "AE")
        #expect(contact.contactStatus == "New")
        #expect(contact.leadSource == "Website")
        #expect(contact.ownerMemberSourceKey == "7")
        #expect(contact.metadata.raw == json)
        #expect(contact.validate().isEmpty)
    }

    /// Passport data stays in raw (for the store to seal) and never reaches a RESO field.
    @Test func passportDataIsSensitiveAndNeverMapped() throws {
        let json = try pfJSON(
            #"""
            {"id": 9002, "first_name": "Lena", "last_name": "Voss", "email": "lena@example.com",
             "passport_number": "X1234567Q", "passport_expiry_date": "2031-07-09", "notes": null}
            """#)
        let contact = PFExpertMapping.contact(try PFLead(json: json))
        var fields = contact
        fields.metadata.raw = nil
        let mapped = String(decoding: try JSONEncoder().encode(fields), as: UTF8.self)
        #expect(!mapped.contains("X1234567Q") && !mapped.contains("2031-07-09"))
        #expect(contact.metadata.raw?["passport_number"] == .string("X1234567Q"))
        let sensitive = VendorProfile.pfExpert.sensitiveFields
        #expect(sensitive.contains("passport_number") && sensitive.contains("passport_expiry_date"))
        #expect(!sensitive.contains("email"))
    }

    @Test func whatsAppLeadAndCallTracking() throws {
        let whatsapp = try pfJSON(
            #"""
            {"id": 44, "phone": "+971509998877", "status": "new", "user": {"id": 7},
             "property_reference": "AP-0501", "created_at": "2024-06-01T07:00:00Z"}
            """#)
        let chat = PFExpertMapping.activity(try PFWhatsAppLead(json: whatsapp))
        #expect(chat.metadata.sourceKey == "whatsapp-44")
        #expect(chat.activityType == "whatsapp")
        #expect(chat.direction == "inbound")
        #expect(chat.subject == "WhatsApp lead from +971509998877")
        #expect(chat.body == "Property reference: AP-0501\nStatus: new")
        #expect(chat.startTimestamp == Timestamp.parse("2024-06-01T07:00:00Z"))
        #expect(chat.ownerMemberSourceKey == "7")
        #expect(chat.validate().isEmpty)

        let call = try pfJSON(
            #"""
            {"id": 44, "phone": "+97145556677", "call_time": "2024-06-02 11:15:00", "duration": 95,
             "lead": {"id": 9001}, "user": 7}
            """#)
        let activity = PFExpertMapping.activity(try PFCallTracking(json: call))
        #expect(activity.metadata.sourceKey == "call-44")
        #expect(activity.activityType == "call")
        #expect(activity.startTimestamp == Timestamp.parse("2024-06-02T11:15:00Z"))
        #expect(activity.endTimestamp == Timestamp.parse("2024-06-02T11:16:35Z"))
        #expect(activity.contactSourceKey == "9001")
        #expect(activity.ownerMemberSourceKey == "7")
        #expect(activity.metadata.sourceEntryTimestamp == Timestamp.parse("2024-06-02T11:15:00Z"))
        #expect(activity.metadata.raw == call)
        #expect(activity.validate().isEmpty)
    }

    @Test func leadBodies() throws {
        var contact = Contact()
        contact.fullName = "Jane van Dijk"
        contact.email = "jane@example.com"
        contact.mobilePhone = "+31 6 1234 5678"
        contact.leadSource = "WalkIn"
        contact.ownerMemberSourceKey = "7"
        let writes = PFExpertMapping.leadWrites(contact, fields: Set(contact.presentFieldNames), creating: true)
        #expect(writes.problems.isEmpty)
        let create = writes.createBody(key: "lead")
        #expect(
            create
                == .object([
                    "lead": .object([
                        "first_name": .string("Jane"), "last_name": .string("van Dijk"), "email": .string("jane@example.com"),
                        "mobile": .string("+31 6 1234 5678"), "source": .string("walk-in"), "user": .object(["id": .number(7)]),
                    ])
                ]))
        contact.firstName = "Jane"
        let patch = PFExpertMapping.leadWrites(contact, fields: ["FirstName"], creating: false).patchBody
        #expect(
            patch
                == .object([
                    "operations": .array([
                        .object(["op": .string("replace"), "path": .string("/first_name"), "value": .string("Jane")])
                    ])
                ]))
    }

    /// A listing mapped to a property body and read back gives the same canonical fields.
    @Test func propertyRoundTrip() throws {
        var listing = Property()
        listing.listingID = "AP-0777"
        listing.standardStatus = "Active Under Contract"
        listing.propertyType = "Residential Lease"
        listing.listPrice = 120_000
        listing.bedroomsTotal = 2
        listing.bathroomsTotalInteger = 3
        listing.livingArea = 1_250
        listing.unitNumber = "7A"
        listing.newConstructionYN = false
        listing.publicRemarks = "Two bedrooms near the metro."
        listing.listAgentSourceKey = "7"
        listing.propertySubType = "apartment"
        let writes = PFExpertMapping.propertyWrites(listing, fields: Set(listing.presentFieldNames), creating: false)
        #expect(writes.problems.isEmpty)
        var object = writes.createBody(key: "property")["property"] ?? .null
        object["id"] = .number(777)
        let back = PFExpertMapping.property(try PFProperty(json: object))
        #expect(back.propertySubType == "apartment")
        #expect(back.listingID == listing.listingID)
        #expect(back.standardStatus == listing.standardStatus)
        #expect(back.propertyType == listing.propertyType)
        #expect(back.listPrice == listing.listPrice)
        #expect(back.bedroomsTotal == 2)
        #expect(back.bathroomsTotalInteger == 3)
        #expect(back.livingArea == 1_250)
        #expect(back.unitNumber == "7A")
        #expect(back.newConstructionYN == false)
        #expect(back.publicRemarks == listing.publicRemarks)
        #expect(back.listAgentSourceKey == "7")
    }

    /// A contact mapped to a lead body and read back gives the same canonical fields.
    @Test func leadRoundTrip() throws {
        var contact = Contact()
        contact.firstName = "Lina"
        contact.lastName = "Farah"
        contact.email = "lina@example.com"
        contact.mobilePhone = "+971500000001"
        contact.homePhone = "+97140000001"
        contact.homeAddress1 = "Tower 2"
        contact.homeCity = "Abu Dhabi"
        contact.homeCountry = "AE"
        contact.contactStatus = "Qualified"
        contact.leadSource = "PropertyFinder"
        contact.ownerMemberSourceKey = "12"
        var object =
            PFExpertMapping.leadWrites(contact, fields: Set(contact.presentFieldNames), creating: true)
            .createBody(key: "lead")["lead"] ?? .null
        #expect(object["status"] == .string("qualified"))
        object["id"] = .number(1)
        let back = PFExpertMapping.contact(try PFLead(json: object))
        for field in Contact.fields where field.name != "FullName" && field.name != "ContactType" {
            #expect(field.value(in: back) == field.value(in: contact), "\(field.name)")
        }
        #expect(back.fullName == "Lina Farah")
    }

    /// The error body printed in the documentation.
    @Test func errorBodyFromTheDocument() throws {
        let body = try #require(
            PFExpertErrorBody(
                data: Data(
                    #"""
                    {
                      "user": "ResourceNotFound",
                      "messages" : [
                        "No route found for \"GET \/users\/foo\/bar\""
                      ]
                    }
                    """#.utf8)))
        #expect(body.code == "ResourceNotFound")
        #expect(body.resourceKey == "user")
        #expect(body.messages == [#"No route found for "GET /users/foo/bar""#])
        #expect(PFExpertErrorBody(data: Data("not json".utf8)) == nil)
        #expect(PFExpertErrorBody(data: Data("{}".utf8)) == nil)
        let other = try #require(PFExpertErrorBody(data: Data(#"{"lead": "InvalidRequest", "messages": "email is not valid"}"#.utf8)))
        #expect(other.code == "InvalidRequest")
        #expect(other.messages == ["email is not valid"])
    }
}
