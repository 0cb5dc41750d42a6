import Foundation
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// `GET /v1/media`, `GET /v1/media/{key}` and `expand=media` on listings and members.
@Suite struct MediaRouteTests {
    /// Two listings (p-1 with three photos, one then taken down; p-2 with none) and a member
    /// with a photo, in tenant A.
    static func seed(_ harness: APIHarness) async throws -> (listing: String, bare: String, member: String) {
        let scope = SyncScope(tenant: "tenant-a", connectionID: harness.connectionID, sourceSystemName: "apimo")
        let listings = try await harness.runtime.store.upsert(
            [Fixtures.property(1), Fixtures.property(2)],
            media: [Fixtures.photo(2, of: 1), Fixtures.photo(1, of: 1), Fixtures.photo(3, of: 1)], scope: scope, cursor: nil)
        _ = try await harness.runtime.store.upsert(
            [Fixtures.property(1)], media: [Fixtures.photo(2, of: 1), Fixtures.photo(1, of: 1)], scope: scope, cursor: nil)
        let member = try await harness.runtime.store.upsert(
            [Fixtures.member(40, source: "apimo")], media: [Fixtures.photo(1, of: 40, parent: "m-40")], scope: scope, cursor: nil)
        return (listings.items[0].key, listings.items[1].key, member.items[0].key)
    }

    @Test func mediaListGetAndExpand() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let keys = try await Self.seed(harness)
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let all = try await client.execute(uri: "/v1/media?sort=MediaURL", method: .get, headers: bearer(token))
            #expect(all.status == .ok)
            #expect(all.json["count"]?.number == 3)
            #expect(
                all.json["value"]?.array?.compactMap { $0["MediaURL"]?.string } == [
                    "https://images.example/1/1.jpg", "https://images.example/1/2.jpg", "https://images.example/40/1.jpg",
                ])

            let ofListing = try await client.execute(
                uri: "/v1/media?ResourceRecordKey=\(keys.listing)&sort=Order", method: .get, headers: bearer(token))
            let photos = try #require(ofListing.json["value"]?.array)
            #expect(photos.count == 2)
            let first = try #require(photos.first)
            #expect(first["ResourceName"]?.string == "Property")
            #expect(first["ResourceRecordKey"]?.string == keys.listing)
            #expect(first["SourceSystemResourceRecordKey"]?.string == "p-1")
            #expect(first["SourceSystemMediaKey"]?.string == "pic-1-1")
            #expect(first["SourceSystemName"]?.string == "apimo")
            #expect(first["ConnectionId"]?.string == harness.connectionID)
            #expect(first["MediaURL"]?.string == "https://images.example/1/1.jpg")
            #expect(first["MediaCategory"]?.string == "Photo")
            #expect(first["Order"]?.number == 1)
            #expect(first["ShortDescription"]?.string == "Photo 1")
            #expect(first["ImageWidth"]?.number == 1600)
            #expect(first["ImageHeight"]?.number == 1200)
            #expect(first["raw"] == nil)
            #expect(photos[1]["Order"]?.number == 2)

            let deleted = try await client.execute(
                uri: "/v1/media?ResourceRecordKey=\(keys.listing)&include_deleted=true&SourceSystemMediaKey=pic-1-3", method: .get,
                headers: bearer(token))
            #expect(deleted.json["value"]?.array?.first?["DeletedYN"] == .bool(true), "the photo taken down is kept, deleted")

            let mediaKey = try #require(first["MediaKey"]?.string)
            let one = try await client.execute(uri: "/v1/media/\(mediaKey)", method: .get, headers: bearer(token))
            #expect(one.status == .ok)
            #expect(one.json == first)
            let missing = try await client.execute(uri: "/v1/media/no-such-key", method: .get, headers: bearer(token))
            #expect(missing.status == .notFound)

            // expand=media embeds the live photos in Order.
            let listing = try await client.execute(
                uri: "/v1/properties/\(keys.listing)?expand=media", method: .get, headers: bearer(token))
            #expect(listing.status == .ok)
            let embedded = try #require(listing.json["media"]?.array)
            #expect(embedded.compactMap { $0["SourceSystemMediaKey"]?.string } == ["pic-1-1", "pic-1-2"])
            #expect(embedded.first == first)
            let bare = try await client.execute(uri: "/v1/properties/\(keys.bare)?expand=media", method: .get, headers: bearer(token))
            #expect(bare.json["media"] == .array([]))
            let list = try await client.execute(
                uri: "/v1/properties?expand=media,agent&sort=ListingId&fields=ListingId", method: .get, headers: bearer(token))
            let values = try #require(list.json["value"]?.array)
            #expect(values.compactMap { $0["ListingId"]?.string } == ["L1", "L2"])
            #expect(values.map { $0["media"]?.array?.count } == [2, 0])
            let member = try await client.execute(uri: "/v1/members/\(keys.member)?expand=media", method: .get, headers: bearer(token))
            #expect(member.json["media"]?.array?.compactMap { $0["MediaURL"]?.string } == ["https://images.example/40/1.jpg"])
            #expect(member.json["media"]?.array?.first?["ResourceName"]?.string == "Member")

            for (uri, code) in [
                ("/v1/media?expand=media", "invalid_query"), ("/v1/contacts?expand=media", "invalid_query"),
                ("/v1/media?Nope=1", "invalid_query"), ("/v1/media?per_page=101", "invalid_request"),
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: bearer(token))
                #expect(response.status == .badRequest && response.errorCode == code, "\(uri): \(response.status) \(response.text)")
            }
        }
    }

    /// Media are synced with their parents: asking to sync Media alone is refused, through the
    /// API and through the runtime (the CLI's path).
    @Test func mediaAreNotSyncedOnTheirOwn() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            for name in ["Media", "media"] {
                let response = try await client.execute(
                    uri: "/v1/connections/\(harness.connectionID)/sync", method: .post, headers: jsonHeaders(token),
                    body: buffer(#"{"resource":"\#(name)"}"#))
                #expect(response.status == .badRequest && response.errorCode == "invalid_request", "\(response.text)")
                #expect(response.text.contains("Media are synced with their parent records"))
            }
        }
        let connection = try #require(try await harness.runtime.store.connection(id: harness.connectionID, tenant: "tenant-a"))
        await #expect(throws: HubError.self) {
            _ = try await harness.runtime.sync(tenant: "tenant-a", connections: [connection], resource: .media, full: false)
        }
    }

    @Test func mediaNeedMediaReadScope() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        _ = try await Self.seed(harness)
        let photos = try await harness.runtime.createAPIClient(tenant: "tenant-a", name: "photos", scopes: "media:read")
        let photosToken = try await harness.token((photos.client.id, photos.secret))
        let readerToken = try await harness.token(harness.reader)
        let otherToken = try await harness.token(harness.other)
        try await harness.test { client in
            let allowed = try await client.execute(uri: "/v1/media", method: .get, headers: bearer(photosToken))
            #expect(allowed.status == .ok && allowed.json["count"]?.number == 3)
            let refused = try await client.execute(uri: "/v1/media", method: .get, headers: bearer(readerToken))
            #expect(refused.status == .forbidden)
            let otherTenant = try await client.execute(uri: "/v1/media", method: .get, headers: bearer(otherToken))
            #expect(otherTenant.status == .ok && otherTenant.json["count"]?.number == 0, "tenant B sees none of A's media")
        }
    }
}
