import Foundation
import HTTPTypes
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// `POST`, `PATCH` and `DELETE /v1/{resource}`: what is checked before anything is queued, what
/// is queued, ETag and If-Match, idempotency and scopes. (The deliveries' work at the vendors is
/// covered by the live write tests.)
@Suite struct RecordWriteAPITests {
    static func deliveries(_ harness: APIHarness) async throws -> [Delivery] {
        try await harness.runtime.store.listDeliveries(tenant: "tenant-a", filter: DeliveryFilter())
    }

    @Test func createQueuesOneDeliveryPerConnectionWithTheRecord() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let body =
                #"{"record": {"FirstName": "Ana", "LastName": "Ruiz", "Email": "ana@example.com", "ContactKey": "ignored"}, "connections": ["crm"]}"#
            let response = try await client.execute(
                uri: "/v1/contacts", method: .post, headers: jsonHeaders(token, extra: [(.idempotencyKey, "create-1")]), body: buffer(body))
            #expect(response.status == .accepted)
            let delivery = try #require(response.json["deliveries"]?.array?.first)
            #expect(response.json["deliveries"]?.array?.count == 1)
            #expect(delivery["kind"]?.string == "record.create")
            #expect(delivery["state"]?.string == "pending")
            #expect(delivery["connection_id"]?.string == harness.connectionID)
            #expect(delivery["record_key"] == nil)
            #expect(
                delivery["payload"]
                    == .object([
                        "resource": "Contacts",
                        "record": ["FirstName": "Ana", "LastName": "Ruiz", "Email": "ana@example.com"],
                        "fields": ["FirstName", "LastName", "Email"],
                    ]))
            let id = try #require(delivery["id"]?.string)
            #expect(response.headers[.location] == "/v1/deliveries/\(id)")

            // The same request under the same key: the same delivery, nothing added.
            let again = try await client.execute(
                uri: "/v1/contacts", method: .post, headers: jsonHeaders(token, extra: [(.idempotencyKey, "create-1")]), body: buffer(body))
            #expect(again.status == .accepted)
            #expect(again.json["deliveries"]?.array?.first?["id"]?.string == id)
            // Another request under it: refused.
            let other = try await client.execute(
                uri: "/v1/contacts", method: .post, headers: jsonHeaders(token, extra: [(.idempotencyKey, "create-1")]),
                body: buffer(#"{"record": {"FirstName": "Bea"}, "connections": ["crm"]}"#))
            #expect(other.status == .conflict)
            #expect(other.errorCode == "idempotency_key_reused")
        }
        #expect(try await Self.deliveries(harness).count == 1)
    }

    @Test func createsAVendorCannotTakeAreRefusedBeforeAnythingIsQueued() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            // MyCRM keeps no offices.
            let office = try await client.execute(
                uri: "/v1/offices", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"record": {"OfficeName": "Centro"}, "connections": ["crm"]}"#))
            #expect(office.status == .unprocessableContent)
            #expect(office.errorCode == "not_supported_by_vendor")
            #expect(office.text.contains("cannot create Office records"))

            let unknown = try await client.execute(
                uri: "/v1/contacts", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"record": {"FirstName": "Ana"}, "connections": ["crm", "nowhere"]}"#))
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "unknown_connection")

            let none = try await client.execute(
                uri: "/v1/contacts", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"record": {"FirstName": "Ana"}, "connections": []}"#))
            #expect(none.status == .badRequest)

            let invalid = try await client.execute(
                uri: "/v1/contacts", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"record": {"FirstName": "Ana", "Email": "not-an-address"}, "connections": ["crm"]}"#))
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.errorCode == "validation_failed")

            let wrongType = try await client.execute(
                uri: "/v1/contacts", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"record": {"FirstName": 7}, "connections": ["crm"]}"#))
            #expect(wrongType.status == .badRequest)

            // Developments are written through PropQ's own operations.
            let development = try await client.execute(
                uri: "/v1/developments", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"record": {}, "connections": ["crm"]}"#))
            #expect(development.status == .methodNotAllowed || development.status == .notFound)
        }
        #expect(try await Self.deliveries(harness).isEmpty)
    }

    @Test func patchSendsOnlyChangedFieldsAndHonoursIfMatch() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let key = harness.contactKeys[4]
        let stored = try #require(try await harness.runtime.store.record(Contact.self, tenant: "tenant-a", key: key))
        let hash = try #require(stored.metadata.contentHash)
        try await harness.test { client in
            let read = try await client.execute(uri: "/v1/contacts/\(key)", method: .get, headers: bearer(token))
            #expect(read.headers[.eTag] == "\"\(hash)\"")

            let stale = try await client.execute(
                uri: "/v1/contacts/\(key)", method: .patch, headers: jsonHeaders(token, extra: [(.ifMatch, "\"0000\"")]),
                body: buffer(#"{"FirstName": "Renamed"}"#))
            #expect(stale.status == .preconditionFailed)
            #expect(stale.errorCode == "precondition_failed")

            // FirstName changes, LastName is sent with its current value (not a change), HomeCity
            // is cleared; the hub's own fields are ignored.
            let patch =
                #"{"FirstName": "Renamed", "LastName": "Last4", "HomeCity": null, "ContactKey": "x", "ModificationTimestamp": "2020-01-01T00:00:00Z"}"#
            let response = try await client.execute(
                uri: "/v1/contacts/\(key)", method: .patch, headers: jsonHeaders(token, extra: [(.ifMatch, "\"\(hash)\"")]),
                body: buffer(patch))
            #expect(response.status == .accepted)
            let delivery = try #require(response.json["deliveries"]?.array?.first)
            #expect(delivery["kind"]?.string == "record.update")
            #expect(delivery["record_key"]?.string == key)
            let payload = try #require(delivery["payload"])
            #expect(payload["fields"] == ["FirstName", "HomeCity"])
            #expect(payload["record_key"]?.string == key)
            #expect(payload["source_key"]?.string == "c-4")
            #expect(payload["expected_source_modification"]?.string == "2023-11-14T22:13:24Z")
            #expect(payload["record"]?["FirstName"]?.string == "Renamed")
            #expect(payload["record"]?["LastName"]?.string == "Last4")
            #expect(payload["record"]?["HomeCity"] == nil)

            // Sent back as read: a delivery that changes nothing.
            let unchanged = try await client.execute(
                uri: "/v1/contacts/\(key)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"FirstName": "First4"}"#))
            #expect(unchanged.status == .accepted)
            #expect(unchanged.json["deliveries"]?.array?.first?["payload"]?["fields"] == [])

            let unknownField = try await client.execute(
                uri: "/v1/contacts/\(key)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"Nickname": "x"}"#))
            #expect(unknownField.status == .unprocessableContent)
            #expect(unknownField.text.contains("Nickname"))
            let wrongType = try await client.execute(
                uri: "/v1/contacts/\(key)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"FirstName": 3}"#))
            #expect(wrongType.status == .badRequest)
            let invalid = try await client.execute(
                uri: "/v1/contacts/\(key)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"Email": "nope"}"#))
            #expect(invalid.status == .unprocessableContent)

            // Not an entity tag: refused; empty: no precondition.
            let malformed = try await client.execute(
                uri: "/v1/contacts/\(key)", method: .patch, headers: jsonHeaders(token, extra: [(.ifMatch, "abc")]),
                body: buffer(#"{"FirstName": "First4"}"#))
            #expect(malformed.status == .badRequest)
            #expect(malformed.text.contains("If-Match"))
            let empty = try await client.execute(
                uri: "/v1/contacts/\(key)", method: .patch, headers: jsonHeaders(token, extra: [(.ifMatch, "")]),
                body: buffer(#"{"FirstName": "First4"}"#))
            #expect(empty.status == .accepted)

            let missing = try await client.execute(
                uri: "/v1/contacts/no-such-key", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"FirstName": "A"}"#))
            #expect(missing.status == .notFound)
            // Another tenant's record is not found.
            let foreign = try await client.execute(
                uri: "/v1/contacts/\(harness.otherContactKey)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"FirstName": "A"}"#))
            #expect(foreign.status == .notFound)
        }
        #expect(try await Self.deliveries(harness).count == 3)
    }

    @Test func ifMatchListsAreScannedNotSplit() throws {
        #expect(HubRuntime.entityTags(#"W/",x" , "abc",W/"""#) == [",x", "abc", ""])
        #expect(HubRuntime.entityTags(" *\t") == ["*"])
        #expect(HubRuntime.entityTags(#""a", *"#) == nil)
        #expect(HubRuntime.entityTags(#""a" "b""#) == nil)
        #expect(HubRuntime.entityTags(#""a"#) == nil)
        #expect(HubRuntime.entityTags("abc") == nil)
        #expect(HubRuntime.entityTags(#""a","#) == nil)
        #expect(try HubRuntime.etagMatches(#"W/"zz", "h1""#, "h1"))
        #expect(try !HubRuntime.etagMatches(#""h2""#, "h1"))
    }

    @Test func deletesAndScopes() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let readerToken = try await harness.token(harness.reader)
        let members = try await harness.runtime.store.list(Member.self, tenant: "tenant-a", query: ListQuery())
        let member = try #require(members.records.first?.metadata.key)
        try await harness.test { client in
            // MyCRM keeps no members: the delete is refused, naming vendor, resource, operation.
            let refused = try await client.execute(uri: "/v1/members/\(member)", method: .delete, headers: bearer(token))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errorCode == "not_supported_by_vendor")
            #expect(refused.text.contains("cannot delete Member records"))

            let stale = try await client.execute(
                uri: "/v1/members/\(member)", method: .delete, headers: jsonHeaders(token, extra: [(.ifMatch, "\"abc\"")]))
            #expect(stale.status == .preconditionFailed)

            // contacts:read may not write or delete.
            let forbidden = try await client.execute(
                uri: "/v1/contacts/\(harness.contactKeys[0])", method: .patch, headers: jsonHeaders(readerToken),
                body: buffer(#"{"FirstName": "A"}"#))
            #expect(forbidden.status == .forbidden)
            let forbiddenDelete = try await client.execute(
                uri: "/v1/contacts/\(harness.contactKeys[0])", method: .delete, headers: bearer(readerToken))
            #expect(forbiddenDelete.status == .forbidden)
        }
        #expect(try await Self.deliveries(harness).isEmpty)
    }

    @Test func connectionListsWhatItsVendorCanWrite() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let response = try await client.execute(uri: "/v1/connections/\(harness.connectionID)", method: .get, headers: bearer(token))
            #expect(response.status == .ok)
            let writable = try #require(response.json["capabilities"]?["writable"]?.array)
            let contacts = try #require(writable.first { $0["resource"]?.string == "Contacts" })
            #expect(contacts["operations"]?.array?.compactMap(\.string).starts(with: ["create", "update"]) == true)
            #expect(response.json["capabilities"]?["readable"]?.array?.compactMap(\.string).contains("Contacts") == true)
        }
    }
}
