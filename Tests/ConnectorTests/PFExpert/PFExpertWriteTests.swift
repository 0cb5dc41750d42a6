import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import PFExpertConnector

private func body(_ request: TransportRequest?) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: try #require(request?.body))
}

private func replace(_ path: String, _ value: JSONValue) -> JSONValue {
    .object(["op": "replace", "path": .string(path), "value": value])
}

/// PF Expert writes: exact bodies, vocabularies both ways, refusals and the conflict check.
@Suite struct PFExpertWriteTests {
    static let lead = #"""
        {"lead": {"id": 41, "user": {"id": 7}, "first_name": "Lina", "last_name": "Farah", "email": "lina@example.com",
         "mobile": "+971500000001", "phone": "+97140000001", "address": "Tower 2", "city": "Dubai", "country": "AE",
         "status": "viewing", "quality": "hot", "source": "website", "source_channel": "email", "notes": "keep me",
         "created_at": "2024-05-01T08:00:00Z", "updated_at": "2024-05-02T09:30:15Z"}}
        """#

    /// A status change sends one replace operation, with PF's word for the hub's value; the
    /// answer is the record, mapped like a read.
    @Test func updateSendsOnlyTheChangedFields() async throws {
        let script = PFScript { request, _ in
            request.method == .patch
                ? KitFixtures.json(Self.lead.replacingOccurrences(of: "viewing", with: "won")) : KitFixtures.json(Self.lead)
        }
        let connector = try pfConnector(script)
        var contact = PFExpertMapping.contact(try PFLead(json: try JSONValue(parsing: Data(Self.lead.utf8))["lead"] ?? .null))
        contact.contactStatus = "Won"
        contact.mobilePhone = nil
        let result = try await connector.update(RecordChange(record: contact, fields: ["ContactStatus", "MobilePhone"], remoteID: "41"))
        #expect(script.apiRequests.map(\.method) == [.patch])
        #expect(
            try body(script.apiRequests.first)
                == .object(["operations": .array([replace("/mobile", .null), replace("/status", "won")])]))
        let record = try #require(result.record as? Contact)
        #expect(record.contactStatus == "Won")
        #expect(record.metadata.sourceKey == "41")
        #expect(record.metadata.connectionID == "pf-1")
        #expect(record.metadata.raw?["notes"] == .string("keep me"))
    }

    /// With the hub copy's stamp, the record is read first: a later `updated_at` refuses the
    /// update with the vendor's record and sends nothing; the same stamp goes ahead.
    @Test func conflictIsRefusedWithTheVendorRecord() async throws {
        let script = PFScript { _, _ in KitFixtures.json(Self.lead) }
        let connector = try pfConnector(script)
        var contact = Contact()
        contact.email = "other@example.com"
        let stale = RecordChange(
            record: contact, fields: ["Email"], remoteID: "41", expectedSourceModification: Timestamp.parse("2024-05-02T09:30:14Z"))
        await #expect {
            _ = try await connector.update(stale)
        } throws: { error in
            guard let error = error as? ConnectorError, let vendor = error.vendorRecord as? Contact else { return false }
            return error.kind == .changedAtVendor && vendor.metadata.sourceKey == "41" && vendor.contactStatus == "Viewing"
                && vendor.metadata.sourceModificationTimestamp == Timestamp.parse("2024-05-02T09:30:15Z")
        }
        #expect(script.apiRequests.map(\.method) == [.get])
        #expect(script.apiRequests.first?.url.path == "/leads/41")

        // The same second (the hub's copy may carry milliseconds PF does not) is no change.
        let fresh = RecordChange(
            record: contact, fields: ["Email"], remoteID: "41", expectedSourceModification: Timestamp.parse("2024-05-02T09:30:15.400Z"))
        _ = try await connector.update(fresh)
        #expect(script.apiRequests.map(\.method) == [.get, .get, .patch])
    }

    /// Refusals found without a request: an unmapped status names the accepted values, a field
    /// PF cannot take is named, a lead needs a first name and a way to reach it.
    @Test func writeProblems() throws {
        let connector = try pfConnector(PFScript { _, _ in TransportResponse(status: 500) })
        var contact = Contact()
        contact.lastName = "Only"
        contact.contactStatus = "Active"
        contact.notes = "n"
        let problems = connector.writeProblems(contact, fields: ["LastName", "ContactStatus", "Notes"], operation: .create)
        let statuses = "New, Contacted, Qualified, Viewing, Negotiation, Won, Lost"
        #expect(
            problems == [
                FieldError(
                    field: "Notes",
                    message: "PF Expert cannot write Notes on Contacts; it takes \(PFExpertMapping.leadFields.joined(separator: ", "))"),
                FieldError(field: "ContactStatus", message: "PF Expert has no value for ContactStatus \"Active\"; it accepts \(statuses)"),
                FieldError(field: "FirstName", message: "PF Expert requires a lead's first name: set FirstName (or FullName)"),
                FieldError(
                    field: "Email",
                    message: "PF Expert requires an email, a mobile or a phone number on a lead: set Email, MobilePhone or HomePhone"),
            ])
        // A full name is split; an update need not repeat what PF already has.
        contact.fullName = "Jane van Dijk"
        contact.lastName = nil
        contact.contactStatus = "won"
        contact.email = "jane@example.com"
        #expect(connector.writeProblems(contact, fields: ["FullName", "ContactStatus", "Email"], operation: .create).isEmpty)
        #expect(connector.writeProblems(contact, fields: ["ContactStatus"], operation: .update).isEmpty)
        #expect(
            connector.writeProblems(contact, fields: [], operation: .delete)
                == [FieldError(field: "Contacts", message: "PF Expert cannot delete Contacts records")])

        // A property needs its type, offering, price and location.
        var listing = Property()
        listing.propertySubType = "castle"
        let listingProblems = connector.writeProblems(listing, fields: ["PropertySubType"], operation: .create)
        #expect(listingProblems.map(\.field) == ["PropertySubType", "PropertyType", "ListPrice", "City"])
        #expect(listingProblems.first?.message.hasPrefix("PF Expert has no property type \"castle\"; it accepts apartment, villa") == true)
        #expect(connector.writeProblems(Member(), fields: ["MemberEmail"], operation: .update).map(\.field) == ["Member"])
    }

    /// A property create: the location is found by tower and city, then `POST /properties` with
    /// type, price, category and location, then one expanded read of the new record.
    @Test func createPropertyResolvesItsLocation() async throws {
        let script = PFScript { request, _ in
            switch (request.method, request.url.path) {
            case (.get, "/locations"):
                return KitFixtures.json(
                    #"""
                    {"count": 2, "page": 1, "per_page": 100, "location": [
                      {"id": 3, "city": "Dubai", "community": "Marina", "tower": "Tower 9"},
                      {"id": 4, "city": "Dubai", "community": "Marina", "tower": "Tower 12"}]}
                    """#)
            case (.post, _): return TransportResponse(status: 201, headers: ["Location": "https://api-v2.mycrm.com/properties/88"])
            default:
                return KitFixtures.json(
                    #"""
                    {"property": {"id": 88, "reference": "RH-88", "status": "available", "category": "residential",
                     "type": {"id": 1, "name": "apartment"}, "price": {"offering_type": "rent", "value": 95000},
                     "location": {"id": 4, "city": "Dubai", "community": "Marina", "tower": "Tower 12"},
                     "updated_at": "2024-06-01T10:00:00Z"}}
                    """#)
            }
        }
        let connector = try pfConnector(script)
        var listing = Property()
        listing.listingID = "RH-88"
        listing.standardStatus = "Active"
        listing.propertyType = "Residential Lease"
        listing.propertySubType = "Apartment"
        listing.listPrice = 95_000
        listing.buildingName = "tower 12"
        listing.city = "Dubai"
        #expect(connector.writeProblems(listing, fields: listing.presentFieldNames, operation: .create).isEmpty)
        let result = try await connector.create(listing)
        #expect(result.remoteID == "88")
        let requests = script.apiRequests
        #expect(requests.map(\.url.path) == ["/locations", "/properties", "/properties/88"])
        #expect(requests[0].url.query?.contains("filters%5Bstring%5D=tower%2012") == true)
        #expect(
            try body(requests[1])
                == .object([
                    "property": .object([
                        "reference": "RH-88", "status": "available", "category": "residential", "type": .object(["name": "apartment"]),
                        "price": .object(["offering_type": "rent", "value": .number(95_000)]), "location": .object(["id": .number(4)]),
                    ])
                ]))
        #expect(requests[2].headers["X-MyCRM-Expand-Data"] == "true")
        let record = try #require(result.record as? Property)
        #expect(record.buildingName == "Tower 12")
        #expect(record.propertyType == "Residential Lease")
        #expect(record.metadata.sourceKey == "88")

        // No location of that name: a field error, nothing created.
        listing.buildingName = "Tower 99"
        await #expect {
            _ = try await connector.create(listing)
        } throws: { error in
            (error as? ConnectorError)?.kind == .validation && (error as? ConnectorError)?.fieldErrors.first?.field == "BuildingName"
        }
        #expect(script.apiRequests.filter { $0.method == .post }.count == 1)
    }

    /// The seed's own example: `POST /users` answers 201 with the user.
    @Test func createUser() async throws {
        let script = PFScript { _, _ in
            KitFixtures.json(
                #"{"user": {"id": 123, "first_name": "James", "last_name": "Bond", "email": "james@example.com", "role": "agent", "status": "active", "created_at": "2012-04-04T09:14:57Z"}}"#,
                status: 201, headers: ["Location": "https://api-v2.mycrm.com/users/123", "Content-Type": "application/json"])
        }
        let connector = try pfConnector(script)
        var member = Member()
        member.firstName = "James"
        member.lastName = "Bond"
        member.email = "james@example.com"
        member.type = "Agent"
        member.status = "Active"
        let result = try await connector.create(member)
        #expect(result.remoteID == "123")
        #expect(
            try body(script.apiRequests.first)
                == .object([
                    "user": .object([
                        "first_name": "James", "last_name": "Bond", "email": "james@example.com", "role": "agent", "status": "active",
                    ])
                ]))
        #expect((result.record as? Member)?.type == "agent")
        #expect(script.apiRequests.count == 1)
    }

    /// Deleting a property; a 404 is already deleted; other resources are not deletable.
    @Test func deleteProperty() async throws {
        let script = PFScript { request, _ in
            request.url.path == "/properties/5"
                ? TransportResponse(status: 204)
                : KitFixtures.json(#"{"property": "ResourceNotFound", "messages": ["Property 6 not found"]}"#, status: 404)
        }
        let connector = try pfConnector(script)
        try await connector.delete(Property.self, remoteID: "5")
        try await connector.delete(Property.self, remoteID: "6")
        #expect(script.apiRequests.map(\.method) == [.delete, .delete])
        #expect(script.apiRequests.map(\.url.path) == ["/properties/5", "/properties/6"])
        await #expect(throws: ConnectorError.self) { try await connector.delete(Contact.self, remoteID: "5") }
        let denied = PFScript { _, _ in KitFixtures.json(#"{"property": "AccessDenied", "messages": ["no right"]}"#, status: 403) }
        await #expect {
            try await pfConnector(denied).delete(Property.self, remoteID: "5")
        } throws: { ($0 as? ConnectorError)?.kind == .permission }
    }

    /// A lead read and written back unchanged sends PF's own values for every field it maps.
    @Test func readThenWrittenBackSendsTheSameValues() throws {
        let raw = try #require(try JSONValue(parsing: Data(Self.lead.utf8))["lead"])
        let contact = PFExpertMapping.contact(try PFLead(json: raw))
        let fields = Set(contact.presentFieldNames).intersection(PFExpertMapping.leadFields)
        let writes = PFExpertMapping.leadWrites(contact, fields: fields, creating: false)
        #expect(writes.problems.isEmpty)
        #expect(writes.values.count == 11)
        for value in writes.values {
            #expect(value.value == raw[value.path[0]], "\(value.path)")
        }

        let property = try #require(
            try JSONValue(
                parsing: Data(
                    #"""
                    {"id": 9, "reference": "RH-9", "status": "rented", "category": "commercial", "type": {"id": 6, "name": "office-space"},
                     "price": {"offering_type": "rent", "value": 120000}, "bedrooms": 0, "bathrooms": 1, "size": 900,
                     "unit_number": "12", "project_status": "completed", "languages": {"en": {"title": "T", "description": "Office"}},
                     "user": {"id": 3}}
                    """#.utf8)))
        let listing = PFExpertMapping.property(try PFProperty(json: property))
        let listingFields = Set(listing.presentFieldNames).intersection(PFExpertMapping.propertyFields).subtracting([
            "City", "BuildingName",
        ])
        let listingWrites = PFExpertMapping.propertyWrites(listing, fields: listingFields, creating: false)
        #expect(listingWrites.problems.isEmpty)
        for value in listingWrites.values {
            let sent = value.path == ["type"] ? value.value["name"] : value.value
            let read = value.path.reduce(property as JSONValue?) { $0?[$1] }
            #expect(sent == (value.path == ["type"] ? read?["name"] : read), "\(value.path)")
        }
    }
}
