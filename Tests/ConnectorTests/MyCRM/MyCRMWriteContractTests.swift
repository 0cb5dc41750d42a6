import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import MyCRMConnector

/// The write contract on MyCRM: partial `revise` bodies, picklists both ways, the write check,
/// the `modifiedtime` conflict check and `delete`.
@Suite struct MyCRMWriteContractTests {
    /// A server that knows the stock prefixes, answers `retrieve` with `retrieved` and echoes
    /// `revise`/`create` elements back as the record (with `modified` as its time).
    static func server(
        retrieved: String = MyCRMTestSupport.lead(42), modified: String = "2024-05-01 10:00:00",
        failing: (operation: String, code: String)? = nil
    ) -> MyCRMFakeServer {
        MyCRMFakeServer { call, _ in
            if let failing, failing.operation == call.operation {
                return MyCRMFakeServer.failureBody(failing.code, "refused")
            }
            switch call.operation {
            case "describe":
                return MyCRMFakeServer.okBody(call.parameters["elementType"] == "Leads" ? #"{"idPrefix":"10"}"# : #"{"idPrefix":"12"}"#)
            case "retrieve":
                return MyCRMFakeServer.okBody(retrieved)
            case "delete":
                return MyCRMFakeServer.okBody(#"{"status":"successful"}"#)
            default:
                guard case .object(var element)? = try? JSONValue(parsing: call.parameters["element"] ?? "") else {
                    return MyCRMFakeServer.failureBody("INTERNAL_SERVER_ERROR", "no element")
                }
                element["id"] = element["id"] ?? .string("10x77")
                element["modifiedtime"] = .string(modified)
                return MyCRMFakeServer.okBody(JSONValue.object(element).jsonText)
            }
        }
    }

    static func element(_ call: MyCRMFakeServer.Call?) throws -> JSONValue {
        try JSONValue(parsing: call?.parameters["element"] ?? "")
    }

    // MARK: - Partial updates

    @Test func updateSendsOnlyTheNamedFieldsWithPicklistsMappedAndClearsAsEmpty() async throws {
        let server = Self.server()
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.firstName = "Unchanged"
        contact.leadSource = "Website"
        contact.homePostalCode = "02139"
        contact.notes = nil
        let change = RecordChange(record: contact, fields: ["LeadSource", "HomePostalCode", "Notes"], remoteID: "10x42")
        let result = try await connector.update(change)
        let revise = try #require(server.calls.last)
        #expect(revise.operation == "revise")
        #expect(
            try Self.element(revise)
                == .object([
                    "id": "10x42", "leadsource": "Web Site", "code": "02139", "zip4": "", "description": "",
                ]))
        #expect(!server.calls.contains { $0.operation == "retrieve" }, "no check without an expected time")
        let record = try #require(result.record as? Contact)
        #expect(record.metadata.sourceKey == "10x42")
        #expect(record.leadSource == "Website", "the answer is mapped like a read")
        #expect(record.metadata.raw?["leadsource"] == "Web Site")
    }

    @Test func contactsFieldsGoToTheirOwnColumns() async throws {
        let server = Self.server()
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.contactType = "Client"
        contact.officePhone = "+1 617 555 0100"
        contact.homePhone = "+1 617 555 0101"
        contact.homeAddress1 = "1 Main St"
        contact.birthdate = "1980-02-29"
        let fields = ["ContactType", "OfficePhone", "HomePhone", "HomeAddress1", "Birthdate"]
        _ = try await connector.update(RecordChange(record: contact, fields: fields, remoteID: "12x7"))
        #expect(
            try Self.element(server.calls.last)
                == .object([
                    "id": "12x7", "is_customer": "1", "phone": "+1 617 555 0100", "homephone": "+1 617 555 0101",
                    "mailingstreet": "1 Main St", "birthday": "1980-02-29",
                ]))
    }

    @Test func fullNameAloneIsSplitOnItsOwn() async throws {
        let server = Self.server()
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.firstName = "Old"
        contact.lastName = "Name"
        contact.fullName = "Ada Lovelace King"
        _ = try await connector.update(RecordChange(record: contact, fields: ["FullName"], remoteID: "10x42"))
        #expect(try Self.element(server.calls.last) == .object(["id": "10x42", "firstname": "Ada Lovelace", "lastname": "King"]))
    }

    // MARK: - Symmetry

    @Test func aRecordReadAndWrittenBackUnchangedSendsTheVendorsOwnValues() throws {
        let vendor: [String: JSONValue] = [
            "firstname": "Ana", "lastname": "Ruiz", "email": "ana@example.com", "mobile": "+34 600 000 001",
            "phone": "+1 617 555 0100", "homephone": "+1 617 555 0101", "leadsource": "Word of mouth",
            "business_name": "Ruiz SL", "assigned_user_id": "19x3", "is_customer": "1", "mailingstreet": "1 Main St",
            "mailingcity": "Boston", "mailingstate": "MA", "mailingzip": "02139", "zip4": "1234", "apart": "Apt 4",
            "birthday": "1980-02-29", "description": "VIP", "pager": "555", "spouse_name": "Luis", "utm_source": "google",
            "utm_medium": "cpc", "utm_campaign": "spring", "utm_content": "ad1", "utm_term": "flat",
        ]
        var stored = vendor
        stored["id"] = "12x7"
        stored["modifiedtime"] = "2024-05-02 10:00:00"
        stored["ssn"] = "123-45-6789"
        let contact = try MyCRMMapping.contact(from: MyCRMRecord(fields: stored), module: .contacts, connectionID: nil)
        #expect(contact.leadSource == "WordOfMouth" && contact.contactType == "Client")
        #expect(MyCRMVocabulary.problems(contact, fields: contact.presentFieldNames, module: .contacts, operation: .update).isEmpty)
        let element = MyCRMMapping.changedElement(from: contact, fields: contact.presentFieldNames, module: .contacts)
        #expect(element == vendor, "every mapped field goes back as the vendor holds it; ssn and the times are never sent")
    }

    @Test func leadSourcesMapBothWaysAndUnknownVendorValuesAreKept() throws {
        for row in MyCRMVocabulary.leadSource.rows {
            #expect(MyCRMVocabulary.leadSource.hubValue(row.vendor) == row.hub)
            #expect(MyCRMVocabulary.leadSource.vendorValue(row.hub) == row.vendor)
        }
        #expect(Set(MyCRMVocabulary.leadSource.rows.map { $0.hub }).count == MyCRMVocabulary.leadSource.rows.count)
        var record = try #require(MyCRMRecord(json: try JSONValue(parsing: MyCRMTestSupport.lead(1))))
        record.fields["leadsource"] = "Billboard"
        #expect(try MyCRMMapping.contact(from: record, module: .leads, connectionID: nil).leadSource == "Billboard")
    }

    // MARK: - Refusals

    @Test func anUnmappedValueIsAFieldErrorNamingTheAcceptedValuesAndNothingIsSent() async throws {
        let server = Self.server()
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.leadSource = "Billboard"
        let problems = connector.writeProblems(contact, fields: ["LeadSource"], operation: .update)
        #expect(problems.map(\.field) == ["LeadSource"])
        #expect(
            problems.first?.message
                == "MyCRM has no leadsource value for \"Billboard\"; it accepts ColdCall, ExistingCustomer, SelfGenerated, Employee, Partner, PublicRelations, DirectMail, Conference, TradeShow, Website, WordOfMouth, Other"
        )
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await connector.update(RecordChange(record: contact, fields: ["LeadSource"], remoteID: "10x42"))
        }
        #expect(error?.kind == .validation && error?.fieldErrors.map(\.field) == ["LeadSource"])
        #expect(!server.calls.contains { $0.operation == "revise" })

        var prospect = Contact()
        prospect.contactType = "Prospect"
        #expect(connector.writeProblems(prospect, fields: ["ContactType"], operation: .create).map(\.field) == ["ContactType"])
    }

    @Test func fieldsAModuleLacksAndEmptiedMandatoryFieldsAreRefused() throws {
        let connector = try MyCRMTestSupport.connector(Self.server())
        var lead = Contact()
        lead.contactType = "Lead"
        lead.pager = "555"
        let problems = connector.writeProblems(lead, fields: ["Pager", "ContactStatus", "FirstName"], operation: .update)
        #expect(problems.map(\.field) == ["ContactStatus", "Pager", "FirstName"])
        #expect(problems.first?.message.hasPrefix("MyCRM cannot write ContactStatus on Contacts; it takes FirstName") == true)
        #expect(problems.last?.message == "MyCRM requires FirstName; it can be changed but not emptied")
        #expect(connector.writeProblems(lead, fields: [], operation: .delete).isEmpty)
    }

    @Test func aTypeThatWouldMoveTheRecordToTheOtherModuleIsRefused() async throws {
        let server = Self.server()
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.contactType = "Client"
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await connector.update(RecordChange(record: contact, fields: ["ContactType"], remoteID: "10x42"))
        }
        #expect(error?.kind == .validation && error?.fieldErrors.first?.field == "ContactType")
        #expect(!server.calls.contains { $0.operation == "revise" })
    }

    @Test func accessDeniedIsAPermissionError() async throws {
        let connector = try MyCRMTestSupport.connector(Self.server(failing: ("revise", "ACCESS_DENIED")))
        var contact = Contact()
        contact.email = "x@example.com"
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await connector.update(RecordChange(record: contact, fields: ["Email"], remoteID: "10x42"))
        }
        #expect(error?.kind == .permission)
        #expect(error?.hubError.code == .vendorPermissionDenied)
    }

    // MARK: - Conflicts

    @Test func aRecordChangedAtTheVendorAfterTheHubsCopyIsNotOverwritten() async throws {
        let server = Self.server(retrieved: MyCRMTestSupport.lead(42, modified: "2024-05-01 09:14:58"))
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.email = "new@example.com"
        let expected = try #require(Timestamp.parse("2024-05-01T09:14:57Z"))
        let change = RecordChange(record: contact, fields: ["Email"], remoteID: "10x42", expectedSourceModification: expected)
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.update(change) }
        #expect(error?.kind == .changedAtVendor)
        let current = try #require(error?.vendorRecord as? Contact)
        #expect(current.metadata.sourceKey == "10x42" && current.email == "lead42@example.com")
        #expect(current.metadata.sourceModificationTimestamp == Timestamp.parse("2024-05-01T09:14:58Z"))
        #expect(server.calls.filter { $0.operation == "retrieve" }.map { $0.parameters["id"] } == ["10x42"])
        #expect(!server.calls.contains { $0.operation == "revise" })
    }

    @Test func theSameSecondIsNotAConflict() async throws {
        let server = Self.server(retrieved: MyCRMTestSupport.lead(42, modified: "2024-05-01 09:14:57"))
        let connector = try MyCRMTestSupport.connector(server)
        var contact = Contact()
        contact.email = "new@example.com"
        let expected = try #require(Timestamp.parse("2024-05-01T09:14:57Z")).addingTimeInterval(0.6)
        let change = RecordChange(record: contact, fields: ["Email"], remoteID: "10x42", expectedSourceModification: expected)
        _ = try await connector.update(change)
        #expect(server.calls.last?.operation == "revise")
    }

    // MARK: - Delete

    @Test func deleteSendsTheIdAndAMissingRecordCountsAsDeleted() async throws {
        let server = Self.server()
        let connector = try MyCRMTestSupport.connector(server)
        try await connector.delete(Contact.self, remoteID: "12x7")
        let delete = try #require(server.calls.last)
        #expect(delete.operation == "delete" && delete.method == "POST" && delete.parameters["id"] == "12x7")

        try await MyCRMTestSupport.connector(Self.server(failing: ("delete", "RECORD_NOT_FOUND"))).delete(Contact.self, remoteID: "12x7")

        let denied = await #expect(throws: ConnectorError.self) {
            try await MyCRMTestSupport.connector(Self.server(failing: ("delete", "ACCESS_DENIED"))).delete(Contact.self, remoteID: "12x7")
        }
        #expect(denied?.kind == .permission)
    }

    @Test func capabilitiesDeclareDeleteAndTheWritableFields() throws {
        let capability = try #require(MyCRMConnector.declaredCapabilities.write(.contacts))
        #expect(capability.operations == [.create, .update, .delete])
        #expect(capability.lookupKeys == [.email, .phone])
        #expect(capability.fields == MyCRMVocabulary.writableFields)
        #expect(!(capability.fields ?? []).contains("ContactStatus"), "leadstatus is not in the seed: read, never written")
    }
}
