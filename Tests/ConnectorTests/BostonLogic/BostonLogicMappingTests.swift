import ConnectorKit
import Foundation
import RealtyModel
import Testing

@testable import BostonLogicConnector

/// Decodes a JSON literal written in a test.
func blJSON(_ text: String) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
}

@Suite struct BostonLogicMappingTests {
    /// The failure body printed in "Requests and Responses".
    @Test func failureEnvelopeFromTheDocument() throws {
        let envelope = try BostonLogicEnvelope(
            json: try blJSON(
                #"""
                {
                  "status" : "failure",
                  "message" : "Office not created",
                  "errors" : [
                    "Office name must be unique"
                  ]
                }
                """#))
        #expect(!envelope.isSuccess)
        #expect(envelope.status == "failure")
        #expect(envelope.message == "Office not created")
        #expect(envelope.errors == ["Office name must be unique"])
        #expect(envelope.data == nil)
    }

    /// The permission body printed in "Permissions".
    @Test func unauthorizedEnvelopeFromTheDocument() throws {
        let envelope = try BostonLogicEnvelope(
            json: try blJSON(
                #"""
                {
                  "status" : "unauthorized",
                  "message" : "Office not created",
                  "errors" : [
                    "API Key does not have permissions to create offices"
                  ]
                }
                """#))
        #expect(envelope.status == "unauthorized")
        #expect(envelope.errors == ["API Key does not have permissions to create offices"])
    }

    @Test func successEnvelopeShapes() throws {
        let list = try BostonLogicEnvelope(json: try blJSON(#"{"status": "success", "message": "", "data": [{"id": 1}, {"id": 2}]}"#))
        #expect(list.isSuccess)
        #expect(try list.list(resource: "offices").count == 2)
        let one = try BostonLogicEnvelope(
            json: try blJSON(#"{"status": "success", "message": "Lead created", "data": {"id": 5, "first_name": "A"}}"#))
        #expect(try one.object(resource: "leads").text("id") == "5")
        let wrapped = try BostonLogicEnvelope(json: try blJSON(#"{"status": "success", "data": {"lead": {"id": 6}}}"#))
        #expect(try wrapped.object(resource: "leads").text("id") == "6")
        let empty = try BostonLogicEnvelope(json: try blJSON(#"{"status": "success", "data": null}"#))
        #expect(try empty.list(resource: "leads").isEmpty)
        #expect(throws: WirePayloadError.self) { try one.list(resource: "leads") }
        #expect(throws: WirePayloadError.self) { try BostonLogicEnvelope(json: .array([])) }
        let railsErrors = try BostonLogicEnvelope(json: try blJSON(#"{"status": "failure", "errors": {"email": ["is invalid"]}}"#))
        #expect(railsErrors.errors == ["email is invalid"])
    }

    @Test func officeMapping() throws {
        let json = try blJSON(
            #"""
            {"id": 3, "name": "Back Bay", "email": "backbay@brokerage.com", "phone": "617-555-0100",
             "address": "500 Boylston St", "city": "Boston", "state": "MA", "zip": "02116", "country": "US",
             "active_status": "active", "office_mls_ids": ["MLSPIN-1"],
             "created_at": "2016-02-04T10:00:00Z", "updated_at": "2019-09-25T12:00:00-04:00"}
            """#)
        let office = BostonLogicMapping.office(try BLOffice(json: json))
        #expect(office.metadata.sourceKey == "3")
        #expect(office.metadata.sourceSystemName == "boston-logic")
        #expect(office.name == "Back Bay")
        #expect(office.email == "backbay@brokerage.com")
        #expect(office.phone == "617-555-0100")
        #expect(office.address1 == "500 Boylston St")
        #expect(office.city == "Boston")
        #expect(office.stateOrProvince == "MA")
        #expect(office.postalCode == "02116")
        #expect(office.country == "US")
        #expect(office.status == "Active")
        #expect(office.metadata.sourceModificationTimestamp == Timestamp.parse("2019-09-25T16:00:00Z"))
        #expect(office.metadata.raw == json)
        #expect(office.validate().isEmpty)

        let nested = try BLOffice(
            json: try blJSON(
                #"{"id": "4", "name": "Cambridge", "active": false, "address": {"address1": "1 Main St", "city": "Cambridge", "zip_code": "02139"}}"#
            ))
        #expect(nested.address == "1 Main St")
        #expect(nested.postalCode == "02139")
        #expect(BostonLogicMapping.office(nested).status == "Inactive")
    }

    @Test func agentAndEmployeeMapping() throws {
        let agentJSON = try blJSON(
            #"""
            {"id": 12, "first_name": "Maria", "last_name": "Lopez", "email": "maria@brokerage.com",
             "cell_phone": "617-555-0112", "office_phone": "617-555-0100", "title": "Broker", "office_id": 3,
             "languages": ["English", "Spanish"], "active_status": "inactive", "user_id": 88,
             "accreditations": ["ABR"], "created_at": "2017-11-14T00:00:00Z"}
            """#)
        let agent = BostonLogicMapping.member(try BLPerson(json: agentJSON, resource: "agents"), kind: .agent)
        #expect(agent.metadata.sourceKey == "12")
        #expect(agent.type == "Agent")
        #expect(agent.fullName == "Maria Lopez")
        #expect(agent.mobilePhone == "617-555-0112")
        #expect(agent.officePhone == "617-555-0100")
        #expect(agent.jobTitle == "Broker")
        #expect(agent.officeSourceKey == "3")
        #expect(agent.languages == ["English", "Spanish"])
        #expect(agent.status == "Inactive")
        #expect(agent.metadata.sourceEntryTimestamp == Timestamp.parse("2017-11-14T00:00:00Z"))
        #expect(agent.validate().isEmpty)

        let employee = BostonLogicMapping.member(
            try BLPerson(json: try blJSON(#"{"id": 12, "name": "Front Desk", "email": "desk@brokerage.com"}"#), resource: "employees"),
            kind: .employee)
        #expect(employee.metadata.sourceKey == "employee-12")
        #expect(employee.type == "Employee")
        #expect(employee.fullName == "Front Desk")
    }

    @Test func teamAndMemberships() throws {
        let json = try blJSON(
            #"""
            {"id": 8, "name": "Harbor Team", "email": "harbor@brokerage.com", "team_office_id": 3,
             "team_lead_id": 12, "agent_ids": [12, 13, "14"], "active": true}
            """#)
        let source = try BLTeam(json: json)
        let team = BostonLogicMapping.team(source)
        #expect(team.metadata.sourceKey == "8")
        #expect(team.name == "Harbor Team")
        #expect(team.status == "Active")
        #expect(team.leadSourceKey == "12")
        #expect(team.validate().isEmpty)
        let members = BostonLogicMapping.teamMembers(source)
        #expect(members.map(\.metadata.sourceKey) == ["8-12", "8-13", "8-14"])
        #expect(members.map(\.teamMemberType) == ["Lead", "Member", "Member"])
        #expect(members.allSatisfy { $0.teamSourceKey == "8" && $0.validate().isEmpty })

        let objects = try BLTeam(json: try blJSON(#"{"id": 9, "name": "B", "agents": [{"id": 20}, {"agent_id": 21}]}"#))
        #expect(objects.memberIDs == ["20", "21"])
    }

    /// A lead with the fields the change log names (agent_id, team_id, owner_id, owner_type,
    /// referral_source_domain, UTM parameters).
    @Test func leadMapping() throws {
        let json = try blJSON(
            #"""
            {"id": 301, "first_name": "Tom", "last_name": "Reed", "email": "tom@example.com",
             "phones": [{"number": "617-555-0199", "phone_type": "Mobile"}, {"number": "617-555-0150", "phone_type": "Home"}],
             "agent_id": 12, "team_id": 8, "owner_id": 12, "owner_type": "Agent", "status": "New",
             "source": "Zillow", "referral_source_domain": "zillow.com", "utm_source": "google",
             "utm_medium": "cpc", "utm_campaign": "spring", "notes": "Wants a condo",
             "signup_fields": {"price_range": "500k-700k", "timeline": "3 months"},
             "created_at": "2018-12-18T15:00:00Z", "updated_at": "2019-03-22T15:00:00Z"}
            """#)
        let contact = BostonLogicMapping.contact(try BLLead(json: json))
        #expect(contact.metadata.sourceKey == "301")
        #expect(contact.contactType == "Lead")
        #expect(contact.fullName == "Tom Reed")
        #expect(contact.mobilePhone == "617-555-0199")
        #expect(contact.homePhone == "617-555-0150")
        #expect(contact.ownerMemberSourceKey == "12")
        #expect(contact.contactStatus == "New")
        #expect(contact.leadSource == "Zillow")
        #expect(contact.utmSource == "google")
        #expect(contact.utmMedium == "cpc")
        #expect(contact.utmCampaign == "spring")
        #expect(contact.notes == "Wants a condo")
        #expect(contact.metadata.raw == json)
        #expect(contact.validate().isEmpty)

        let owned = try BLLead(
            json: try blJSON(
                #"{"id": 302, "email": "a@b.co", "owner_id": 40, "owner_type": "Agent", "referral_source_domain": "site.com"}"#))
        #expect(BostonLogicMapping.contact(owned).ownerMemberSourceKey == "40")
        #expect(BostonLogicMapping.contact(owned).leadSource == "site.com")
        let teamOwned = try BLLead(json: try blJSON(#"{"id": 303, "email": "a@b.co", "owner_id": 8, "owner_type": "Team"}"#))
        #expect(BostonLogicMapping.contact(teamOwned).ownerMemberSourceKey == nil)
    }

    @Test func propertyViewsAndNotes() throws {
        let view = try blJSON(
            #"""
            {"id": 71, "lead_id": 301, "mls_id": "72400001", "address": "12 Beacon St, Boston, MA",
             "viewed_at": "2019-09-13T14:00:00Z", "property": {"price": 650000, "status": "Active"}}
            """#)
        let viewActivity = BostonLogicMapping.activity(try BLLeadPropertyEvent(json: view, kind: .view, leadID: nil))
        #expect(viewActivity.metadata.sourceKey == "view-71")
        #expect(viewActivity.activityType == "view")
        #expect(viewActivity.direction == "inbound")
        #expect(viewActivity.subject == "Viewed 12 Beacon St, Boston, MA")
        #expect(viewActivity.body == "MLS: 72400001")
        #expect(viewActivity.startTimestamp == Timestamp.parse("2019-09-13T14:00:00Z"))
        #expect(viewActivity.contactSourceKey == "301")
        #expect(viewActivity.validate().isEmpty)

        let note = try blJSON(
            #"""
            {"id": 71, "mls_id": "72400002", "mls_name": "MLSPIN", "note": "Love the kitchen",
             "property": {"street_address": "3 Elm St", "city": "Newton", "state": "MA"}, "created_at": "2019-09-14T09:00:00Z"}
            """#)
        let noteActivity = BostonLogicMapping.activity(try BLLeadPropertyEvent(json: note, kind: .note, leadID: "301"))
        #expect(noteActivity.metadata.sourceKey == "note-71")
        #expect(noteActivity.activityType == "note")
        #expect(noteActivity.subject == "Note on 3 Elm St, Newton, MA")
        #expect(noteActivity.body == "Love the kitchen\nMLS: MLSPIN 72400002")
        #expect(noteActivity.contactSourceKey == "301")
        #expect(noteActivity.metadata.raw == note)
        #expect(noteActivity.validate().isEmpty)
    }

    /// A contact written as a lead body and read back gives the same canonical fields.
    @Test func leadRoundTrip() throws {
        var contact = Contact()
        contact.firstName = "Ana"
        contact.lastName = "Silva"
        contact.email = "ana@example.com"
        contact.mobilePhone = "617-555-0101"
        contact.homePhone = "617-555-0102"
        contact.officePhone = "617-555-0103"
        contact.homeAddress1 = "9 Park Dr"
        contact.homeCity = "Boston"
        contact.homeStateOrProvince = "MA"
        contact.homePostalCode = "02215"
        contact.contactStatus = "New"
        contact.leadSource = "Website"
        contact.notes = "Call after 5"
        contact.ownerMemberSourceKey = "12"
        contact.utmSource = "newsletter"
        contact.utmMedium = "email"
        contact.utmCampaign = "june"
        contact.utmContent = "button"
        contact.utmTerm = "condo"
        guard case .object(var object) = BostonLogicMapping.leadBody(contact) else {
            Issue.record("the lead body is not an object")
            return
        }
        #expect(object["agent_id"] == .number(12))
        object["id"] = .number(1)
        let back = BostonLogicMapping.contact(try BLLead(json: .object(object)))
        for field in Contact.fields where !["FullName", "ContactType"].contains(field.name) {
            #expect(field.value(in: back) == field.value(in: contact), "\(field.name)")
        }
    }

    @Test func memberAndOfficeRoundTrips() throws {
        var member = Member()
        member.firstName = "Kim"
        member.lastName = "Park"
        member.email = "kim@brokerage.com"
        member.mobilePhone = "617-555-0111"
        member.jobTitle = "Agent"
        member.officeSourceKey = "3"
        member.status = "Inactive"
        let memberWrite = BostonLogicMapping.personWrite(
            member, fields: Set(member.presentFieldNames), creating: true, employee: false)
        guard case .object(var person) = memberWrite.body(creating: true) else {
            Issue.record("the agent body is not an object")
            return
        }
        person["id"] = .number(1)
        let memberBack = BostonLogicMapping.member(try BLPerson(json: .object(person), resource: "agents"), kind: .agent)
        #expect(person["active"] == .bool(false))
        for field in Member.fields where !["MemberFullName", "MemberType"].contains(field.name) {
            #expect(field.value(in: memberBack) == field.value(in: member), "\(field.name)")
        }

        var office = Office()
        office.name = "Seaport"
        office.email = "seaport@brokerage.com"
        office.phone = "617-555-0200"
        office.address1 = "1 Seaport Blvd"
        office.city = "Boston"
        office.stateOrProvince = "MA"
        office.postalCode = "02210"
        office.country = "US"
        office.status = "Active"
        let officeWrite = BostonLogicMapping.officeWrite(office, fields: Set(office.presentFieldNames), creating: true)
        guard case .object(var officeObject) = officeWrite.body(creating: true) else {
            Issue.record("the office body is not an object")
            return
        }
        officeObject["id"] = .number(2)
        let officeBack = BostonLogicMapping.office(try BLOffice(json: .object(officeObject)))
        for field in Office.fields {
            #expect(field.value(in: officeBack) == field.value(in: office), "\(field.name)")
        }
    }
}
