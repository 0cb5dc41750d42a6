import ApimoConnector
import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// Apimo property pictures against its emulator over loopback: a picture created, found by the
/// next incremental pull under the key the create returned (the same record, so no duplicate),
/// found again by lookup, deleted (twice: already gone is deleted) and gone from the next pull;
/// and what the connector refuses before sending anything.
@Suite struct ApimoPictureWriteLiveTests {
    /// Every property read (full or after `cursor`) with its media.
    static func read(_ connector: any Connector, mode: ReadMode, after cursor: String?) async throws
        -> (properties: [Property], media: [Media], cursor: String?)
    {
        var properties: [Property] = []
        var media: [Media] = []
        var last = cursor
        for try await page in connector.read(Property.self, mode: mode, after: cursor) {
            properties += page.records
            media += page.media ?? []
            if let next = page.cursor { last = next }
        }
        return (properties, media, last)
    }

    @Test func pictureRoundTrip() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.apimo], settings: ApimoWriteLiveTests.settings, clock: clock) { live in
            let connector = try ApimoWriteLiveTests.connector(live)
            let log = live.sandbox.writeLog
            let first = try await Self.read(connector, mode: .full, after: nil)
            let property = try #require(first.properties.first?.metadata.sourceKey)
            let before = first.media.filter { $0.resourceRecordSourceKey == property }

            clock.advance(by: .seconds(5))
            var picture = Media()
            picture.resourceName = "Property"
            picture.resourceRecordSourceKey = property
            picture.mediaURL = "https://cdn.example.com/apimo/terrasse.jpg"
            picture.mediaCategory = "Photo"
            picture.order = 1
            picture.shortDescription = "Terrasse"
            #expect(connector.writeProblems(picture, fields: picture.presentFieldNames, operation: .create).isEmpty)
            let created = try await connector.create(picture)
            let record = try #require(created.record as? Media)
            #expect(record.metadata.sourceKey == created.remoteID)
            #expect(record.mediaURL == picture.mediaURL && record.order == 1 && record.shortDescription == "Terrasse")
            let posted = try #require(log.entries(vendor: .apimo, resource: "pictures", operation: .create).first)
            #expect(posted.id == created.remoteID)
            #expect(
                posted.body
                    == [
                        "url": "https://cdn.example.com/apimo/terrasse.jpg", "rank": "1",
                        "comments": [["language": "en", "comment": "Terrasse"]],
                    ])

            // The next incremental pull reads it from its property as the create answered it.
            let second = try await Self.read(connector, mode: .incremental, after: first.cursor)
            let pulled = second.media.filter { $0.resourceRecordSourceKey == property }
            #expect(pulled.first { $0.metadata.sourceKey == created.remoteID } == record)
            #expect(pulled.count == before.count + 1)
            // The seeded pictures moved down one rank to make room.
            #expect(pulled.filter { $0.metadata.sourceKey != created.remoteID }.map(\.order) == before.map { $0.order.map { $0 + 1 } })

            // A create whose answer was lost is found by URL.
            #expect(try await connector.lookup(picture) == created.remoteID)

            // A property update sends the pictures back as read: the new one stays.
            var listing = try #require(second.properties.first { $0.metadata.sourceKey == property })
            listing.listPrice = 415_000
            _ = try await connector.update(RecordChange(record: listing, fields: ["ListPrice"], remoteID: property))
            let put = try #require(log.entries(vendor: .apimo, resource: "properties", operation: .update).last?.body)
            #expect(put["pictures"]?.arrayValue?.contains { $0["id"] == .string(created.remoteID) } == true)

            clock.advance(by: .seconds(5))
            try await connector.delete(picture, remoteID: created.remoteID)
            try await connector.delete(picture, remoteID: created.remoteID)
            #expect(log.entries(vendor: .apimo, resource: "pictures", operation: .delete).map(\.id) == [created.remoteID])
            let third = try await Self.read(connector, mode: .incremental, after: second.cursor)
            let left = third.media.filter { $0.resourceRecordSourceKey == property }
            #expect(!left.contains { $0.metadata.sourceKey == created.remoteID })
            #expect(left.count == before.count)
            // Without the hub's copy the picture cannot be addressed.
            let bare = await connectorError { try await connector.delete(Media.self, remoteID: created.remoteID) }
            #expect(bare?.kind == .configuration)
        }
    }

    @Test func whatApimoCannotTakeIsRefusedBeforeSending() async throws {
        try await withLiveSandbox([.apimo], settings: ApimoWriteLiveTests.settings) { live in
            let connector = try ApimoWriteLiveTests.connector(live)
            let capability = try #require(connector.capabilities.write(.media))
            #expect(capability.operations == [.create, .delete])
            var picture = Media()
            picture.resourceName = "Property"
            picture.resourceRecordSourceKey = "233000"
            picture.mediaURL = "https://cdn.example.com/apimo/plan.jpg"
            func problems(_ media: Media, _ fields: [String], _ operation: ConnectorKit.WriteOperation = .create) -> [String] {
                connector.writeProblems(media, fields: fields, operation: operation).map(\.field)
            }
            var video = picture
            video.mediaCategory = "Video"
            #expect(problems(video, ["MediaURL", "MediaCategory"]) == ["MediaCategory"])
            var member = picture
            member.resourceName = "Member"
            #expect(problems(member, ["MediaURL", "ResourceName"]) == ["ResourceName"])
            var first = picture
            first.order = 0
            #expect(problems(first, ["MediaURL", "Order"]) == ["Order"])
            #expect(problems(picture, ["MediaURL", "ImageWidth"]) == ["ImageWidth"])
            #expect(problems(picture, ["ShortDescription"], .update) == ["Media"])
            var unkeyed = picture
            unkeyed.metadata.sourceKey = "property-233000-picture-2"
            #expect(problems(unkeyed, [], .delete) == ["MediaKey"])

            // Sent anyway, a video is refused without a request.
            let refused = await connectorError { _ = try await connector.create(video) }
            #expect(refused?.kind == .validation)
            #expect(live.sandbox.writeLog.entries(vendor: .apimo, resource: "pictures").isEmpty)
        }
    }
}
