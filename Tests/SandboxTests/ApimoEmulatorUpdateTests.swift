import Foundation
import HTTPTypes
import RealtyModel
import Testing

@testable import Sandbox

/// `PUT` of contacts, actions and properties: the named fields change, the rest stay, the
/// record's `updated_at` moves, and the write is logged; bad values are 400, unknown ids 404,
/// and no DELETE exists.
@Suite struct ApimoEmulatorUpdateTests {
    @Test func aContactPutChangesTheNamedFieldsKeepsTheRestAndIsLogged() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            let list = try await client.get("/agencies/14/contacts")
            let before = try #require(list["contacts"]?.arrayValue?.first)
            let id = try #require(before["id"]?.strictString)
            harness.clock.advance(by: .seconds(90))
            var body = try #require(before.objectValue)
            body["email"] = "new.address@example.org"
            body["comment"] = ""
            body["updated_at"] = "1999-01-01 00:00:00"
            let reply = try await client.send(.put, "/agencies/14/contacts/\(id)", body: .object(body))
            #expect(reply.status == .ok)
            #expect(reply["email"] == "new.address@example.org")
            #expect(reply["comment"] == .null)
            #expect(reply["title"] == before["title"] && reply["city"] == before["city"] && reply["created_at"] == before["created_at"])
            #expect(reply["updated_at"] != before["updated_at"] && reply["updated_at"] != "1999-01-01 00:00:00")

            // Only the named fields: a partial body changes one field.
            let partial = try await client.send(.put, "/agencies/14/contacts/\(id)", body: ["mobile": "+33 6 11 22 33 44"])
            #expect(partial["mobile"] == "+33 6 11 22 33 44" && partial["email"] == "new.address@example.org")
        }
        let updates = harness.writeLog.entries(vendor: .apimo, resource: "contacts", operation: .update)
        #expect(updates.count == 2)
        #expect(updates.last?.body == ["mobile": "+33 6 11 22 33 44"])
    }

    @Test func invalidUpdatesAre400UnknownIDs404AndNothingIsLogged() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            let contacts = try await client.get("/agencies/14/contacts")
            let contactID = try #require(contacts["contacts"]?.arrayValue?.first?["id"]?.strictString)
            let cleared = try await client.send(.put, "/agencies/14/contacts/\(contactID)", body: ["firstname": .null, "lastname": ""])
            #expect(cleared.status == .badRequest)
            #expect(cleared["error"] == "Bad Request: one of firstname, lastname is required")
            let email = try await client.send(.put, "/agencies/14/contacts/\(contactID)", body: ["email": "not-an-email"])
            #expect(email.status == .badRequest)

            let properties = try await client.get("/agencies/14/properties")
            let propertyID = try #require(properties["properties"]?.arrayValue?.first?["id"]?.strictString)
            let status = try await client.send(.put, "/agencies/14/properties/\(propertyID)", body: ["status": 99])
            #expect(status.status == .badRequest)
            #expect(status["error"] == "Bad Request: status 99 is not a value of the property_status catalog")
            let user = try await client.send(.put, "/agencies/14/properties/\(propertyID)", body: ["user": ["id": "999999"]])
            #expect(user["error"] == "Bad Request: user 999999 does not exist in agency 14")

            let missing = try await client.send(.put, "/agencies/14/contacts/999999", body: ["email": "a@example.org"])
            #expect(missing.status == .notFound)
            let delete = try await client.send(.delete, "/agencies/14/contacts/\(contactID)")
            #expect(delete.status == .methodNotAllowed && delete.headers[.allow] == "PUT")
            let otherAgency = try await client.send(.put, "/agencies/38/contacts/\(contactID)", body: ["email": "a@example.org"])
            #expect(otherAgency.status == .forbidden)
        }
        #expect(harness.writeLog.entries(vendor: .apimo, operation: .update).isEmpty)
    }

    @Test func aPropertyPutKeepsNestedObjectsAndTheNegotiator() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            let list = try await client.get("/agencies/14/properties")
            let before = try #require(list["properties"]?.arrayValue?.first)
            let id = try #require(before["id"]?.strictString)
            var body = try #require(before.objectValue)
            var price = try #require(before["price"]?.objectValue)
            price["value"] = "123456"
            body["price"] = .object(price)
            body["status"] = "3"
            let reply = try await client.send(.put, "/agencies/14/properties/\(id)", body: .object(body))
            #expect(reply.status == .ok)
            #expect(reply["price"]?["value"] == "123456" && reply["price"]?["currency"] == before["price"]?["currency"])
            #expect(reply["status"] == "3")
            #expect(reply["user"] == before["user"], "the negotiator sent back as an object stays the same user")
            #expect(reply["comments"] == before["comments"] && reply["latitude"] == before["latitude"])
        }
    }

    @Test func anActionPutCanChangeItsTypeAndKeepsItsUser() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            let users = try await client.get("/agencies/14/users")
            let userID = try #require(users["users"]?.arrayValue?.first?["id"]?.strictString)
            let created = try await client.send(
                .post, "/agencies/14/actions", body: ["user": .string(userID), "type": 1, "subject": "Appel"])
            let id = try #require(created["id"]?.strictString)
            let reply = try await client.send(.put, "/agencies/14/actions/\(id)", body: ["type": "3", "subject": "Visite"])
            #expect(reply.status == .ok)
            #expect(reply["type"] == "3" && reply["subject"] == "Visite" && reply["user"] == .string(userID))
            let noUser = try await client.send(.put, "/agencies/14/actions/\(id)", body: ["user": .null])
            #expect(noUser.status == .badRequest)
            let listed = try await client.get("/agencies/14/users/\(userID)/actions?type=3")
            #expect(listed["actions"]?.arrayValue?.contains { $0["id"] == created["id"] } == true)
        }
    }
}
