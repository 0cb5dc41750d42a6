import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import HummingbirdTesting
import RealtyModel
import Sandbox
import Testing

@testable import HubServer

/// Media written through the API: an Apimo property picture created (the parent named by its
/// hub key), read back, kept under the same key by the next pulls, refused an update, deleted
/// and gone; and the refusals before anything is queued.
@Suite struct MediaWriteLiveTests {
    typealias Hub = RecordWriteLiveTests.Hub

    /// The hub key of a property the hub read from the connection.
    static func propertyKey(_ hub: Hub, _ client: some TestClientProtocol) async throws -> String {
        let runs = try await hub.runtime.sync(tenant: "demo", connections: [hub.connection], resource: .property, full: true)
        #expect(runs.allSatisfy { $0.status == .succeeded }, "\(runs.compactMap(\.error))")
        let listed = try await client.execute(uri: "/v1/properties", method: .get, headers: bearer(hub.token))
        return try #require(listed.json["value"]?.array?.first?["ListingKey"]?.string)
    }

    /// The media of property `key` (deleted ones too), by `MediaURL`.
    static func media(_ hub: Hub, _ client: some TestClientProtocol, property key: String, url: String) async throws
        -> [RealtyModel.JSONValue]
    {
        let listed = try await client.execute(
            uri: "/v1/media?ResourceRecordKey=\(key)&include_deleted=true", method: .get, headers: bearer(hub.token))
        return (listed.json["value"]?.array ?? []).filter { $0["MediaURL"]?.string == url }
    }

    @Test func anApimoPictureIsCreatedReadPulledAndDeletedThroughTheAPI() async throws {
        let hub = try await Hub.start(.apimo)
        let token = hub.token
        let url = "https://cdn.example.com/listing/\(UUID().uuidString.prefix(8)).jpg"
        try await hub.application.test(.router) { client in
            let property = try await Self.propertyKey(hub, client)
            let record: RealtyModel.JSONValue = [
                "ResourceRecordKey": .string(property), "MediaURL": .string(url), "MediaCategory": "Photo", "Order": 1,
                "ShortDescription": "Terrasse plein sud",
            ]
            let body = RealtyModel.JSONValue.object(["record": record, "connections": [.string(hub.connection.name)]]).jsonText
            let created = try await client.execute(uri: "/v1/media", method: .post, headers: jsonHeaders(token), body: buffer(body))
            #expect(created.status == .accepted, "\(created.text)")
            let queued = try #require(created.json["deliveries"]?.array?.first)
            // The parent's vendor key travels with the write.
            let sourceParent = queued["payload"]?["record"]?["SourceSystemResourceRecordKey"]?.string
            #expect(sourceParent?.isEmpty == false)
            let done = try await hub.deliver(try #require(queued["id"]?.string))
            #expect(done.state == .done, "\(done.lastError ?? "")")
            let key = try #require(done.recordKey, "the delivery names the created media")

            // Read your write: the media, tied to its property.
            let read = try await client.execute(uri: "/v1/media/\(key)", method: .get, headers: bearer(token))
            #expect(read.status == .ok)
            #expect(read.json["MediaURL"]?.string == url)
            #expect(read.json["ResourceName"]?.string == "Property")
            #expect(read.json["ResourceRecordKey"]?.string == property)
            #expect(read.json["SourceSystemResourceRecordKey"]?.string == sourceParent)
            #expect(read.json["ShortDescription"]?.string == "Terrasse plein sud")
            #expect(read.json["Order"]?.number == 1)
            let sourceKey = try #require(read.json["SourceSystemMediaKey"]?.string)
            #expect(hub.sandbox.writeLog.entries(vendor: .apimo, resource: "pictures", operation: .create).map(\.id) == [sourceKey])

            // The next pulls read the picture from its property under the same key: no duplicate.
            for full in [false, true] {
                let runs = try await hub.runtime.sync(tenant: "demo", connections: [hub.connection], resource: .property, full: full)
                #expect(runs.allSatisfy { $0.status == .succeeded }, "\(runs.compactMap(\.error))")
                let found = try await Self.media(hub, client, property: property, url: url)
                #expect(found.compactMap { $0["MediaKey"]?.string } == [key], "full: \(full)")
                #expect(found.first?["DeletedYN"] == false)
            }

            // Apimo documents no update of a picture.
            let patch = try await client.execute(
                uri: "/v1/media/\(key)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"ShortDescription": "Autre"}"#))
            #expect(patch.status == .unprocessableContent, "\(patch.text)")
            #expect(patch.errorCode == "not_supported_by_vendor")

            let deleted = try await client.execute(uri: "/v1/media/\(key)", method: .delete, headers: bearer(token))
            #expect(deleted.status == .accepted, "\(deleted.text)")
            let deleteDone = try await hub.deliver(try #require(deleted.json["deliveries"]?.array?.first?["id"]?.string))
            #expect(deleteDone.state == .done, "\(deleteDone.lastError ?? "")")
            let gone = try await client.execute(uri: "/v1/media/\(key)", method: .get, headers: bearer(token))
            #expect(gone.json["DeletedYN"] == true)
            #expect(hub.sandbox.writeLog.entries(vendor: .apimo, resource: "pictures", operation: .delete).map(\.id) == [sourceKey])

            // Gone at the vendor too: a full pass does not bring it back.
            _ = try await hub.runtime.sync(tenant: "demo", connections: [hub.connection], resource: .property, full: true)
            let after = try await Self.media(hub, client, property: property, url: url)
            #expect(after.map { $0["DeletedYN"] } == [true])
        }
        try await hub.stop()
    }

    @Test func aMediaWithAnUnknownOrForeignParentOrAnotherCategoryIsRefused() async throws {
        let hub = try await Hub.start(.apimo)
        let token = hub.token
        try await hub.application.test(.router) { client in
            let property = try await Self.propertyKey(hub, client)
            func post(_ record: RealtyModel.JSONValue) async throws -> TestResponse {
                let body = RealtyModel.JSONValue.object(["record": record, "connections": [.string(hub.connection.name)]]).jsonText
                return try await client.execute(uri: "/v1/media", method: .post, headers: jsonHeaders(token), body: buffer(body))
            }
            func fields(_ response: TestResponse) -> [String] {
                (response.json["error"]?["details"]?.array ?? []).compactMap { $0["field"]?.string }
            }
            let url: RealtyModel.JSONValue = "https://cdn.example.com/a.jpg"

            let unknown = try await post(["ResourceRecordKey": "no-such-listing", "MediaURL": url])
            #expect(unknown.status == .unprocessableContent, "\(unknown.text)")
            #expect(unknown.errorCode == "validation_failed")
            #expect(fields(unknown) == ["ResourceRecordKey"])

            let missing = try await post(["MediaURL": url])
            #expect(missing.status == .unprocessableContent)
            #expect(fields(missing) == ["ResourceRecordKey"])

            let mismatched = try await post(
                ["ResourceRecordKey": .string(property), "SourceSystemResourceRecordKey": "999999", "MediaURL": url])
            #expect(mismatched.status == .unprocessableContent)
            #expect(fields(mismatched) == ["SourceSystemResourceRecordKey"])

            let video = try await post(["ResourceRecordKey": .string(property), "MediaURL": url, "MediaCategory": "Video"])
            #expect(video.status == .unprocessableContent)
            #expect(fields(video) == ["MediaCategory"])

            let sized = try await post(["ResourceRecordKey": .string(property), "MediaURL": url, "ImageWidth": 800])
            #expect(sized.status == .unprocessableContent)
            #expect(fields(sized) == ["ImageWidth"])

            // A property of another connection of the tenant.
            let other = try await hub.runtime.addConnection(
                tenant: "demo", vendor: "apimo", name: "apimo-2", baseURL: hub.connection.baseURL, authURL: nil,
                credentials: try #require(try await hub.runtime.store.credentials(connectionID: hub.connection.id, tenant: "demo")),
                syncIntervalSeconds: nil)
            let body = RealtyModel.JSONValue.object([
                "record": ["ResourceRecordKey": .string(property), "MediaURL": url], "connections": [.string(other.name)],
            ]).jsonText
            let foreign = try await client.execute(uri: "/v1/media", method: .post, headers: jsonHeaders(token), body: buffer(body))
            #expect(foreign.status == .unprocessableContent, "\(foreign.text)")
            #expect(fields(foreign) == ["ResourceRecordKey"])
            #expect(foreign.text.contains("apimo-2"))
        }
        #expect(try await hub.runtime.store.listDeliveries(tenant: "demo", filter: DeliveryFilter()).isEmpty)
        try await hub.stop()
    }

    @Test(arguments: [SandboxVendor.pfExpert, .bostonLogic])
    func vendorsThatTakeNoMediaRefuseIt(_ vendor: SandboxVendor) async throws {
        let hub = try await Hub.start(vendor)
        let token = hub.token
        try await hub.application.test(.router) { client in
            let body = RealtyModel.JSONValue.object([
                "record": ["ResourceRecordKey": "any-listing", "MediaURL": "https://cdn.example.com/b.jpg"],
                "connections": [.string(hub.connection.name)],
            ]).jsonText
            let response = try await client.execute(uri: "/v1/media", method: .post, headers: jsonHeaders(token), body: buffer(body))
            #expect(response.status == .unprocessableContent, "\(vendor): \(response.text)")
            #expect(response.errorCode == "not_supported_by_vendor")
        }
        #expect(try await hub.runtime.store.listDeliveries(tenant: "demo", filter: DeliveryFilter()).isEmpty)
        try await hub.stop()
    }
}
