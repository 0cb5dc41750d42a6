import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import ApimoConnector

/// The write contract on Apimo: updates as a read-modify-write of the vendor's own JSON,
/// catalogs both ways, the `updated_at` conflict check, and the refusals.
@Suite struct ApimoWriteContractTests {
    static let contactJSON =
        #"{"id":"55","agency":"14","user":"9","title":"2","firstname":"Léa","lastname":"Martin","email":"lea@example.fr","phone":null,"mobile":"+33 6 12 34 56 78","fax":"01 02 03 04 05","address":"3 rue Neuve","address_more":null,"zipcode":"69001","city":{"id":"2","name":"Lyon"},"country":"FR","language":"fr","birthday_at":null,"comment":"Rappeler","active":true,"created_at":"2024-06-01 09:00:00","updated_at":"2024-07-01 10:00:00"}"#

    static let propertyJSON =
        #"{"id":"700","agency":"14","reference":"REF000700","user":{"id":"9","agency":"14","firstname":"Marc"},"step":"2","status":"1","category":"1","type":"1","subtype":null,"address":"3 rue Neuve","address_more":null,"country":"FR","city":{"id":"2","name":"Lyon","zipcode":"69001"},"latitude":45.76,"longitude":4.83,"area":{"unit":"1","value":"82","total":"82","weighted":null},"rooms":"4","bedrooms":"3","price":{"value":"250000","currency":"EUR","hide":false},"block_name":null,"lot_reference":null,"comments":[{"language":"fr","comment":"Bel appartement."}],"pictures":[{"id":"7001","rank":1}],"created_at":"2024-06-01 09:00:00","updated_at":"2024-07-01 10:00:00"}"#

    static let actionJSON =
        #"{"id":"19344999","type":"2","user":"9","contact":"55","date":"2024-07-01","time_start":"10:30:00","time_end":"11:00:00","subject":"Relance","content":"Bonjour","properties":{"id":"700","report":null,"price":"250000","currency":"EUR"},"referral":null,"subreferral":null,"created_at":"2024-07-01 10:30:00","updated_at":"2024-07-01 10:30:00"}"#

    /// 2024-07-01 10:00:00 in Paris (CEST).
    static let updatedAt = Date(timeIntervalSince1970: 1_719_820_800)

    static func catalog(_ path: String) -> String {
        switch path {
        case "/catalogs/property_status": return #"[{"id":1,"name":"Available"},{"id":2,"name":"Reserved"},{"id":3,"name":"Withdrawn"}]"#
        case "/catalogs/property_type": return #"[{"id":1,"name":"Apartment"},{"id":2,"name":"House"}]"#
        case "/catalogs/unit_area": return #"[{"id":1,"name":"m²"},{"id":2,"name":"sq ft"}]"#
        case "/catalogs/action_type": return #"[{"id":1,"name":"Call"},{"id":2,"name":"E-mail"},{"id":3,"name":"Visit"}]"#
        default: return "[]"
        }
    }

    /// A server answering catalogs, the lists with the one record, and PUTs with the body sent
    /// (modified a minute later), or with `putStatus` when set.
    static func server(putStatus: Int? = nil) -> ApimoFakeServer {
        ApimoFakeServer { call in
            if call.path.hasPrefix("/catalogs/") { return ApimoFakeServer.json(catalog(call.path)) }
            if call.method == "PUT" {
                if let putStatus { return ApimoFakeServer.json(#"{"status":\#(putStatus),"error":"Forbidden"}"#, status: putStatus) }
                var answer = call.body?.objectValue ?? [:]
                answer["updated_at"] = "2024-07-01 10:01:00"
                return ApimoFakeServer.json(JSONValue.object(answer).jsonText)
            }
            if call.path.hasSuffix("/contacts") { return ApimoFakeServer.json(#"{"contacts":[\#(contactJSON)],"total_items":1}"#) }
            if call.path.hasSuffix("/properties") { return ApimoFakeServer.json(#"{"properties":[\#(propertyJSON)],"total_items":1}"#) }
            if call.path.hasSuffix("/actions") { return ApimoFakeServer.json(#"{"actions":[\#(actionJSON)],"total_items":1}"#) }
            return ApimoFakeServer.json("{}", status: 404)
        }
    }

    static func read<R: HubRecord>(_ json: String, as type: R.Type, catalogs: ApimoCatalogs = ApimoCatalogs()) throws -> R {
        let record = try #require(ApimoRecord(json: try JSONValue(parsing: json)))
        switch R.resource {
        case .contacts: return try #require(try ApimoMapping.contact(from: record, connectionID: "apimo-test") as? R)
        case .property: return try #require(try ApimoMapping.property(from: record, catalogs: catalogs, connectionID: "apimo-test") as? R)
        default: return try #require(try ApimoMapping.activity(from: record, catalogs: catalogs, connectionID: "apimo-test") as? R)
        }
    }

    // MARK: - Read-modify-write

    @Test func aContactUpdateSendsTheVendorsRecordBackChangedOnlyInTheNamedFields() async throws {
        let server = Self.server()
        let connector = try ApimoTestSupport.connector(server)
        var contact = try Self.read(Self.contactJSON, as: Contact.self)
        contact.email = "lea.martin@example.fr"
        contact.notes = nil
        let change = RecordChange(
            record: contact, fields: ["Email", "Notes"], remoteID: "55", expectedSourceModification: Self.updatedAt)
        let result = try await connector.update(change)

        let get = try #require(server.calls.first)
        #expect(get.method == "GET" && get.path == "/agencies/14/contacts")
        #expect(get.query["timestamp"] == "1719820799", "one page: the records changed since just before the hub's copy")
        let put = try #require(server.calls.last)
        #expect(put.method == "PUT" && put.path == "/agencies/14/contacts/55" && put.contentType == "application/json")
        var expected = try #require(try JSONValue(parsing: Self.contactJSON).objectValue)
        expected["email"] = "lea.martin@example.fr"
        expected["comment"] = .null
        #expect(put.body == .object(expected), "title, fax and the rest go back as Apimo gave them")
        #expect(server.calls.count == 2)

        let record = try #require(result.record as? Contact)
        #expect(record.metadata.sourceKey == "55" && record.email == "lea.martin@example.fr" && record.notes == nil)
        #expect(record.metadata.sourceModificationTimestamp == Self.updatedAt.addingTimeInterval(60))
        #expect(result.raw?["title"] == "2")
    }

    @Test func aRecordWrittenBackUnchangedSendsTheIdenticalVendorBody() async throws {
        let server = Self.server()
        let connector = try ApimoTestSupport.connector(server)
        let contact = try Self.read(Self.contactJSON, as: Contact.self)
        _ = try await connector.update(RecordChange(record: contact, fields: contact.presentFieldNames, remoteID: "55"))
        #expect(server.calls.last?.body == (try JSONValue(parsing: Self.contactJSON)))

        let labels = try await connector.catalogLabels([.propertyStatus, .propertyType, .unitArea])
        let property = try Self.read(Self.propertyJSON, as: Property.self, catalogs: labels)
        #expect(property.standardStatus == "Active" && property.propertyType == "Apartment")
        #expect(property.livingAreaUnits == "Square Meters")
        _ = try await connector.update(RecordChange(record: property, fields: property.presentFieldNames, remoteID: "700"))
        #expect(server.calls.last?.method == "PUT")
        #expect(server.calls.last?.body == (try JSONValue(parsing: Self.propertyJSON)))
    }

    @Test func aPropertyUpdateMapsStatusTypeAndUnitsThroughTheCatalogs() async throws {
        let server = Self.server()
        let connector = try ApimoTestSupport.connector(server)
        var property = Property()
        property.standardStatus = "Pending"
        property.propertyType = "house"
        property.listPrice = 265_000
        property.livingAreaUnits = "Square Feet"
        property.bedroomsTotal = 2
        let fields = ["StandardStatus", "PropertyType", "ListPrice", "LivingAreaUnits", "BedroomsTotal"]
        let result = try await connector.update(RecordChange(record: property, fields: fields, remoteID: "700"))
        let put = try #require(server.calls.last)
        #expect(put.path == "/agencies/14/properties/700")
        var expected = try #require(try JSONValue(parsing: Self.propertyJSON).objectValue)
        expected["status"] = "2"
        expected["type"] = "2"
        expected["price"] = ["value": "265000", "currency": "EUR", "hide": false]
        expected["area"] = ["unit": "2", "value": "82", "total": "82", "weighted": .null]
        expected["bedrooms"] = "2"
        #expect(put.body == .object(expected))
        let record = try #require(result.record as? Property)
        #expect(record.standardStatus == "Pending" && record.propertyType == "House" && record.listPrice == 265_000)
        #expect(
            Set(server.calls.filter { $0.path.hasPrefix("/catalogs/") }.map(\.path)) == [
                "/catalogs/property_status", "/catalogs/property_type", "/catalogs/unit_area",
            ])
    }

    @Test func anActionUpdateReadsTheOwnersListAndKeepsAMatchingType() async throws {
        let server = Self.server()
        let connector = try ApimoTestSupport.connector(server)
        let labels = try await connector.catalogLabels([.actionType])
        var activity = try Self.read(Self.actionJSON, as: Activity.self, catalogs: labels)
        #expect(activity.activityType == "email")
        activity.subject = "Relance 2"
        activity.activityType = "visit"
        _ = try await connector.update(RecordChange(record: activity, fields: ["ActivitySubject", "ActivityType"], remoteID: "19344999"))
        let get = try #require(server.calls.first { $0.path.hasSuffix("/actions") })
        #expect(get.path == "/agencies/14/users/9/actions" && get.query["timestamp"] == nil, "the actions list takes no timestamp")
        let put = try #require(server.calls.last)
        #expect(put.path == "/agencies/14/actions/19344999")
        var expected = try #require(try JSONValue(parsing: Self.actionJSON).objectValue)
        expected["subject"] = "Relance 2"
        expected["type"] = "3"
        #expect(put.body == .object(expected))
    }

    @Test func aMissedFilteredReadIsReadOnceUnfilteredAndAGoneRecordIsNotFound() async throws {
        let server = ApimoFakeServer { call in
            if call.method == "PUT" { return ApimoFakeServer.json(#"{"id":"55"}"#) }
            let items = call.query["timestamp"] == nil ? Self.contactJSON : ""
            return ApimoFakeServer.json(#"{"contacts":[\#(items)],"total_items":\#(items.isEmpty ? 0 : 1)}"#)
        }
        let connector = try ApimoTestSupport.connector(server)
        var contact = Contact()
        contact.email = "x@example.fr"
        // A hub time ahead of Apimo's clock: the filtered page misses the record.
        let ahead = Self.updatedAt.addingTimeInterval(30)
        _ = try await connector.update(RecordChange(record: contact, fields: ["Email"], remoteID: "55", expectedSourceModification: ahead))
        #expect(server.calls.map(\.method) == ["GET", "GET", "PUT"])
        #expect(server.calls.map { $0.query["timestamp"] } == ["1719820829", nil, nil])

        let gone = await #expect(throws: ConnectorError.self) {
            _ = try await connector.update(RecordChange(record: contact, fields: ["Email"], remoteID: "56"))
        }
        #expect(gone?.kind == .notFound)
        #expect(server.calls.filter { $0.method == "PUT" }.count == 1)
    }

    // MARK: - Refusals

    @Test func aRecordChangedAtApimoAfterTheHubsCopyIsNotOverwritten() async throws {
        let server = Self.server()
        let connector = try ApimoTestSupport.connector(server)
        var contact = Contact()
        contact.email = "x@example.fr"
        let change = RecordChange(
            record: contact, fields: ["Email"], remoteID: "55", expectedSourceModification: Self.updatedAt.addingTimeInterval(-1))
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.update(change) }
        #expect(error?.kind == .changedAtVendor)
        #expect(error?.hubError.code == .conflict)
        let current = try #require(error?.vendorRecord as? Contact)
        #expect(current.metadata.sourceKey == "55" && current.email == "lea@example.fr")
        #expect(current.metadata.raw?["title"] == "2")
        #expect(!server.calls.contains { $0.method == "PUT" })

        // The same second is not a change (updated_at has whole seconds).
        let same = RecordChange(
            record: contact, fields: ["Email"], remoteID: "55", expectedSourceModification: Self.updatedAt.addingTimeInterval(0.4))
        _ = try await connector.update(same)
        #expect(server.calls.last?.method == "PUT")
    }

    @Test func unmappedValuesAreFieldErrorsNamingTheAcceptedValues() async throws {
        let server = Self.server()
        let connector = try ApimoTestSupport.connector(server)
        var property = Property()
        property.standardStatus = "Sold"
        #expect(
            connector.writeProblems(property, fields: ["StandardStatus"], operation: .update).map(\.message) == [
                "Apimo has no value for StandardStatus \"Sold\"; it accepts Active, Pending, Closed, Withdrawn, Coming Soon"
            ])
        property.standardStatus = nil
        property.propertyType = "Castle"
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await connector.update(RecordChange(record: property, fields: ["PropertyType"], remoteID: "700"))
        }
        #expect(error?.kind == .validation)
        #expect(
            error?.fieldErrors == [
                FieldError(
                    field: "PropertyType",
                    message: "the agency's property_type catalog has no entry for \"Castle\"; it has Apartment, House")
            ])
        #expect(!server.calls.contains { $0.method == "PUT" })

        var activity = Activity()
        activity.activityType = "fax"
        #expect(connector.writeProblems(activity, fields: ["ActivityType"], operation: .create).map(\.field) == ["ActivityType"])
        var client = Contact()
        client.contactType = "Client"
        #expect(
            connector.writeProblems(client, fields: ["ContactType"], operation: .create).first?.message
                == "Apimo has no value for ContactType \"Client\"; it accepts Lead, Contact")
    }

    @Test func unsupportedFieldsOperationsAndLeadUpdatesAreRefused() async throws {
        let server = Self.server()
        let connector = try ApimoTestSupport.connector(server)
        var lead = Contact()
        lead.contactType = "Lead"
        lead.company = "ACME"
        #expect(connector.writeProblems(lead, fields: ["Company", "ContactType"], operation: .create).map(\.field) == ["Company"])
        #expect(connector.writeProblems(Contact(), fields: ["ContactStatus"], operation: .update).map(\.field) == ["ContactStatus"])
        #expect(connector.writeProblems(Contact(), fields: [], operation: .delete).map(\.field) == ["Contacts"])
        #expect(connector.writeProblems(Property(), fields: ["ListPrice"], operation: .create).map(\.field) == ["Property"])
        var readLead = Contact(metadata: RecordMetadata(sourceSystemName: "apimo", sourceKey: "lead-5"))
        readLead.email = "a@example.fr"
        #expect(connector.writeProblems(readLead, fields: ["Email"], operation: .update).first?.field == "Contacts")
        let delete = await #expect(throws: ConnectorError.self) { try await connector.delete(Contact.self, remoteID: "55") }
        #expect(delete?.kind == .configuration)
        #expect(server.calls.isEmpty)

        for capability in ApimoConnector.declaredCapabilities.writable where capability.resource != .media {
            #expect(!capability.canDelete, "Apimo documents no DELETE of \(capability.resource.rawValue)")
        }
        // Only a property's pictures (and medias, documents) have a documented DELETE.
        #expect(ApimoConnector.declaredCapabilities.write(.media)?.operations == [.create, .delete])
        #expect(ApimoConnector.declaredCapabilities.write(.property)?.operations == [.update])
        #expect(ApimoConnector.declaredCapabilities.write(.property)?.fields == ApimoMapping.propertyFields)
    }

    @Test func aRefusedPutIsAPermissionError() async throws {
        let connector = try ApimoTestSupport.connector(Self.server(putStatus: 403))
        var contact = Contact()
        contact.email = "x@example.fr"
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await connector.update(RecordChange(record: contact, fields: ["Email"], remoteID: "55"))
        }
        #expect(error?.kind == .permission)
        #expect(error?.hubError.code == .vendorPermissionDenied)
    }
}
