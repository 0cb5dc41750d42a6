import Foundation
import HubStore
import HubStoreSQLite
import RealtyModel
import Sandbox
import SyncEngine
import Testing

/// Media through the whole pull path (connector → PullRunner → SQLite store) against the PF
/// Expert emulator: stored with their listings, replaced when a listing loses a photo, swept
/// with a deleted listing, every mapped field equal to the emulator's record.
@Suite struct MediaSyncLiveTests {
    typealias Harness = SyncEngineLiveTests.Harness

    /// The emulator's photos as (media key, listing id, URL, order), and the listings' ids.
    static func emulatorImages(_ harness: Harness) async throws -> (photos: Set<[String]>, listings: Set<String>) {
        let stored = try await harness.sandbox.emulator(.pfExpert)?.control(.list(resource: "properties")).records ?? []
        var photos = Set<[String]>()
        var listings = Set<String>()
        for property in stored {
            let id = property["id"]?.intValue.map(String.init) ?? "?"
            listings.insert(id)
            for item in property["images"]?.arrayValue ?? [] {
                let image = item["image"]
                photos.insert([
                    image?["id"]?.intValue.map(String.init) ?? "?", id, image?["url"]?.stringValue ?? "?",
                    image?["order"]?.intValue.map(String.init) ?? "?",
                ])
            }
        }
        return (photos, listings)
    }

    /// The store's live photos in the same shape, each checked to name its listing's hub key.
    static func storedImages(_ harness: Harness) async throws -> Set<[String]> {
        let listings = try await harness.store.list(Property.self, tenant: harness.tenant, query: ListQuery(perPage: 1000))
        var hubKeys: [String: String] = [:]
        for listing in listings.records { hubKeys[listing.metadata.key ?? ""] = listing.metadata.sourceKey }
        let media = try await harness.store.list(Media.self, tenant: harness.tenant, query: ListQuery(perPage: 1000))
        var photos = Set<[String]>()
        for photo in media.records {
            #expect(photo.resourceName == "Property")
            #expect(photo.mediaCategory == "Photo")
            #expect(photo.metadata.connectionID == harness.connectionID && photo.metadata.sourceSystemName == "pf-expert")
            let parent = hubKeys[photo.resourceRecordKey ?? ""]
            #expect(parent != nil && parent == photo.resourceRecordSourceKey, "ResourceRecordKey is the listing's hub key")
            photos.insert([
                photo.metadata.sourceKey ?? "-", photo.resourceRecordSourceKey ?? "-", photo.mediaURL ?? "-",
                photo.order.map(String.init) ?? "-",
            ])
        }
        return photos
    }

    /// Apimo users' pictures stored as Member media, naming each member's hub key.
    @Test func apimoMemberPicturesAreStoredWithTheirMember() async throws {
        let harness = try await Harness.start(.apimo, records: 6)
        defer { Task { try? await harness.shutdown() } }
        let run = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .member, mode: .full)
        #expect(run.status == .succeeded, "\(run.error ?? "")")
        let members = try await harness.store.list(Member.self, tenant: harness.tenant, query: ListQuery(perPage: 1000)).records
        let media = try await harness.store.list(Media.self, tenant: harness.tenant, query: ListQuery(perPage: 1000)).records
        let users = try await harness.sandbox.emulator(.apimo)?.control(.list(resource: "users")).records ?? []
        var pictureOfUser: [String: String] = [:]
        for user in users {
            if let id = user["id"]?.stringValue, let url = user["picture"]?.stringValue { pictureOfUser[id] = url }
        }
        #expect(!members.isEmpty && media.count == members.count)
        for member in members {
            let id = try #require(member.metadata.sourceKey)
            let photo = try #require(media.first { $0.resourceRecordKey == member.metadata.key })
            #expect(photo.resourceName == "Member")
            #expect(photo.resourceRecordSourceKey == id)
            #expect(photo.metadata.sourceKey == "user-\(id)-picture")
            #expect(photo.mediaURL == pictureOfUser[id])
            #expect(photo.mediaCategory == "Photo")
        }
    }

    @Test func photosAreSyncedReplacedAndSweptWithTheirListing() async throws {
        let harness = try await Harness.start(.pfExpert, records: 15)
        defer { Task { try? await harness.shutdown() } }
        let runner = harness.runner()

        let first = try await runner.run(tenant: harness.tenant, connectionID: harness.connectionID, resource: .property, mode: .full)
        #expect(first.status == .succeeded, "\(first.error ?? "")")
        var expected = try await Self.emulatorImages(harness)
        #expect(expected.photos.count > 10)
        #expect(try await Self.storedImages(harness) == expected.photos)
        let events = try await harness.store.events(tenant: harness.tenant, after: 0, limit: 10_000)
        #expect(events.filter { $0.resourceName == .media && $0.change == .created }.count == expected.photos.count)
        var mark = events.last?.sequence ?? 0

        // Listings whose agent took the last photo down arrive with the next incremental pull,
        // their photo sets replaced.
        let emulator = try #require(harness.sandbox.emulator(.pfExpert))
        let mutated = try await emulator.control(.mutate(resource: "properties", count: 5)).ids
        let original = try await Self.storedImages(harness)
        expected = try await Self.emulatorImages(harness)
        let takenDown = original.subtracting(expected.photos)
        #expect(!takenDown.isEmpty && takenDown.allSatisfy { mutated.contains($0[1]) })
        let incremental = try await runner.run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .property, mode: .incremental)
        #expect(incremental.status == .succeeded && incremental.mode == .incremental, "\(incremental.error ?? "")")
        #expect(try await Self.storedImages(harness) == expected.photos)
        var mediaEvents = try await harness.store.events(tenant: harness.tenant, after: mark, limit: 10_000)
            .filter { $0.resourceName == .media }
        #expect(mediaEvents.count == takenDown.count && mediaEvents.allSatisfy { $0.change == .deleted })
        mark = try await harness.store.events(tenant: harness.tenant, after: 0, limit: 100_000).last?.sequence ?? 0

        // Two listings deleted at the vendor: the next full pass sweeps them and their photos.
        let deleted = try await emulator.control(.delete(resource: "properties", count: 2)).ids
        let before = try await Self.storedImages(harness)
        let goneWithListings = before.filter { deleted.contains($0[1]) }
        expected = try await Self.emulatorImages(harness)
        let second = try await runner.run(tenant: harness.tenant, connectionID: harness.connectionID, resource: .property, mode: .full)
        #expect(second.status == .succeeded, "\(second.error ?? "")")
        #expect(second.deleted == 2)
        #expect(try await Self.storedImages(harness) == expected.photos)
        #expect(before.subtracting(expected.photos) == goneWithListings)
        mediaEvents = try await harness.store.events(tenant: harness.tenant, after: mark, limit: 10_000)
            .filter { $0.resourceName == .media }
        #expect(mediaEvents.count == goneWithListings.count && mediaEvents.allSatisfy { $0.change == .deleted })
        let swept = try await harness.store.list(
            Media.self, tenant: harness.tenant, query: ListQuery(perPage: 1000, includeDeleted: true))
        #expect(
            Set(swept.records.filter(\.metadata.deleted).compactMap(\.metadata.sourceKey))
                == Set(original.subtracting(expected.photos).map { $0[0] }))

        // Nothing changed: nothing written.
        mark = try await harness.store.events(tenant: harness.tenant, after: 0, limit: 100_000).last?.sequence ?? 0
        let third = try await runner.run(tenant: harness.tenant, connectionID: harness.connectionID, resource: .property, mode: .full)
        #expect(third.status == .succeeded && third.inserted == 0 && third.updated == 0 && third.deleted == 0)
        #expect(try await harness.store.events(tenant: harness.tenant, after: mark, limit: 100).isEmpty)
    }
}
