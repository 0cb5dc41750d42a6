import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import BostonLogicConnector

private func body(_ request: TransportRequest?) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: try #require(request?.body))
}

private func permissionDenied(_ verb: String, _ list: String) -> TransportResponse {
    KitFixtures.json(
        #"{"status": "unauthorized", "message": "not done", "errors": ["API Key does not have permissions to \#(verb) \#(list)"]}"#,
        status: 401)
}

/// Boston Logic writes: exact bodies, vocabularies both ways, permissions, refusals, conflicts.
@Suite struct BostonLogicWriteTests {
    static let lead = #"""
        {"id": 301, "first_name": "Tom", "last_name": "Reed", "email": "tom@example.com", "phone": "617-555-0150",
         "phone_type": "home", "lead_type": "buyer", "status": "qualified", "source": "open house", "agent_id": 12,
         "team_id": null, "message": "Wants a condo", "address": "9 Park Dr", "city": "Boston", "state": "MA", "zip": "02215",
         "utm_source": "google", "utm_medium": "cpc", "utm_campaign": null, "utm_content": null, "utm_term": null,
         "created_at": "2024-01-02T10:00:00Z", "updated_at": "2024-03-04T05:06:07Z"}
        """#

    /// A status change sends only `status`, in Boston Logic's word; the answer's data is the
    /// record, mapped like a read.
    @Test func patchSendsOnlyTheChangedAttributes() async throws {
        let transport = KitScriptedTransport { _, _ in blSuccess(Self.lead.replacingOccurrences(of: "qualified", with: "closed")) }
        let connector = try blConnector(transport)
        var contact = BostonLogicMapping.contact(try BLLead(json: try JSONValue(parsing: Self.lead)))
        contact.contactStatus = "Closed"
        contact.homeCity = nil
        let result = try await connector.update(RecordChange(record: contact, fields: ["ContactStatus", "HomeCity"], remoteID: "301"))
        #expect(transport.requests.map(\.method) == [.patch])
        #expect(transport.requests.first?.url.path == "/api/v2/leads/301")
        #expect(try body(transport.requests.first) == .object(["status": "closed", "city": .null]))
        let record = try #require(result.record as? Contact)
        #expect(record.contactStatus == "Closed")
        #expect(record.leadSource == "OpenHouse")
        #expect(record.metadata.connectionID == "bl-1")
        #expect(result.raw?["lead_type"] == .string("buyer"))
    }

    /// A record changed at the vendor after the hub's copy: nothing is sent, the error carries
    /// the vendor's record.
    @Test func staleUpdateIsRefused() async throws {
        let transport = KitScriptedTransport { _, _ in blSuccess(Self.lead) }
        let connector = try blConnector(transport)
        var contact = Contact()
        contact.firstName = "Tommy"
        let change = RecordChange(
            record: contact, fields: ["FirstName"], remoteID: "301", expectedSourceModification: Timestamp.parse("2024-03-04T05:06:06Z"))
        await #expect {
            _ = try await connector.update(change)
        } throws: { error in
            guard let error = error as? ConnectorError, let vendor = error.vendorRecord as? Contact else { return false }
            return error.kind == .changedAtVendor && vendor.firstName == "Tom" && vendor.metadata.sourceKey == "301"
        }
        #expect(transport.requests.map(\.method) == [.get])
        let current = RecordChange(
            record: contact, fields: ["FirstName"], remoteID: "301", expectedSourceModification: Timestamp.parse("2024-03-04T05:06:07Z"))
        _ = try await connector.update(current)
        #expect(transport.requests.map(\.method) == [.get, .get, .patch])
        #expect(try body(transport.requests.last) == .object(["first_name": "Tommy"]))
    }

    /// A key without the Write or Delete right: `.permission` (the hub's vendor_permission_denied).
    @Test func permissionRefusals() async throws {
        let transport = KitScriptedTransport { request, _ in
            request.method == .delete ? permissionDenied("delete", "teams") : permissionDenied("update", "agents")
        }
        let connector = try blConnector(transport)
        var member = Member()
        member.jobTitle = "Broker"
        await #expect {
            _ = try await connector.update(RecordChange(record: member, fields: ["JobTitle"], remoteID: "12"))
        } throws: { ($0 as? ConnectorError)?.kind == .permission }
        await #expect {
            try await connector.delete(Team.self, remoteID: "8")
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .permission && error.hubError.code == .vendorPermissionDenied
        }
        #expect(transport.requests.map(\.url.path) == ["/api/v2/agents/12", "/api/v2/teams/8"])
    }

    /// Deleting: employees by their prefixed key; a 404 is already deleted.
    @Test func deletes() async throws {
        let transport = KitScriptedTransport { request, _ in
            request.url.path.hasSuffix("/9")
                ? KitFixtures.json(#"{"status": "failure", "message": "Lead not deleted", "errors": ["not found"]}"#, status: 404)
                : blSuccess(#"{"id": 40}"#)
        }
        let connector = try blConnector(transport)
        try await connector.delete(Member.self, remoteID: "employee-40")
        try await connector.delete(Contact.self, remoteID: "9")
        try await connector.delete(Office.self, remoteID: "3")
        #expect(transport.requests.map(\.url.path) == ["/api/v2/employees/40", "/api/v2/leads/9", "/api/v2/offices/3"])
        #expect(transport.requests.allSatisfy { $0.method == .delete })
    }

    /// Creates: an employee goes to the employees list, a team and an office with their bodies.
    @Test func creates() async throws {
        let transport = KitScriptedTransport { request, _ in
            let id = request.url.path.hasSuffix("employees") ? 40 : request.url.path.hasSuffix("teams") ? 8 : 3
            return KitFixtures.json(
                #"{"status": "success", "message": "created", "data": {"id": \#(id), "name": "X", "first_name": "Front", "active": true}}"#,
                status: 201)
        }
        let connector = try blConnector(transport)
        var employee = Member()
        employee.firstName = "Front"
        employee.lastName = "Desk"
        employee.email = "front@brokerage.com"
        employee.mobilePhone = "617-555-0100"
        employee.type = "Employee"
        employee.status = "Active"
        let created = try await connector.create(employee)
        #expect(created.remoteID == "employee-40")
        #expect(created.record?.metadata.sourceKey == "employee-40")
        #expect(
            try body(transport.requests[0])
                == .object([
                    "first_name": "Front", "last_name": "Desk", "email": "front@brokerage.com", "phone": "617-555-0100", "active": true,
                ]))
        var team = Team()
        team.name = "The Reed Team"
        team.leadSourceKey = "12"
        team.status = "Inactive"
        #expect(try await connector.create(team).remoteID == "8")
        #expect(try body(transport.requests[1]) == .object(["name": "The Reed Team", "leader_id": 12, "active": false]))
        var office = Office()
        office.name = "Seaport"
        office.city = "Boston"
        #expect(try await connector.create(office).remoteID == "3")
        #expect(try body(transport.requests[2]) == .object(["name": "Seaport", "city": "Boston"]))
        #expect(transport.requests.map(\.url.path) == ["/api/v2/employees", "/api/v2/teams", "/api/v2/offices"])
    }

    /// Refusals before anything is sent: unmapped vocabulary values name what is accepted,
    /// unsupported fields are named, required fields are asked for.
    @Test func writeProblems() throws {
        let connector = try blConnector(KitScriptedTransport { _, _ in TransportResponse(status: 500) })
        var contact = Contact()
        contact.email = "a@b.co"
        contact.leadSource = "Facebook"
        contact.contactStatus = "Active"
        contact.pager = "1"
        #expect(
            connector.writeProblems(contact, fields: ["Email", "LeadSource", "ContactStatus", "Pager"], operation: .create) == [
                FieldError(
                    field: "Pager",
                    message:
                        "Boston Logic cannot write Pager on Contacts; it takes \(BostonLogicMapping.leadFields.joined(separator: ", "))"),
                FieldError(
                    field: "ContactStatus",
                    message:
                        "Boston Logic has no value for ContactStatus \"Active\"; it accepts New, Contacted, Qualified, Nurturing, Closed"),
                FieldError(
                    field: "LeadSource",
                    message:
                        "Boston Logic has no value for LeadSource \"Facebook\"; it accepts Website, Zillow, Realtor.com, OpenHouse, Referral"
                ),
            ])
        var member = Member()
        member.type = "Broker"
        #expect(
            connector.writeProblems(member, fields: ["MemberType"], operation: .create).map(\.field)
                == ["MemberType", "MemberFirstName", "MemberLastName", "MemberEmail"])
        var team = Team()
        team.status = "Dormant"
        #expect(
            connector.writeProblems(team, fields: ["TeamStatus"], operation: .update)
                == [FieldError(field: "TeamStatus", message: "Boston Logic has no TeamStatus \"Dormant\"; it accepts Active, Inactive")])
        #expect(connector.writeProblems(Team(), fields: [], operation: .delete).isEmpty)
    }

    /// A lead read and written back unchanged sends the vendor's own values.
    @Test func readThenWrittenBackSendsTheSameValues() throws {
        let raw = try JSONValue(parsing: Self.lead)
        let contact = BostonLogicMapping.contact(try BLLead(json: raw))
        let fields = Set(contact.presentFieldNames).intersection(BostonLogicMapping.leadFields)
        let write = BostonLogicMapping.leadWrite(contact, fields: fields, creating: false)
        #expect(write.problems.isEmpty)
        #expect(write.attributes.count == 15)
        for (name, value) in write.attributes {
            #expect(value == raw[name], "\(name)")
        }
    }
}
