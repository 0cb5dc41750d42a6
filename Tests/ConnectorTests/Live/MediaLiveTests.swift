import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// Media read against the emulators: every mapped Media field of every photo compared with the
/// emulator's own record (its `pictures[]`, `picture` or `images[]`), and the photos arrive
/// inside their parents' pages, at no extra request.
@Suite struct MediaLiveTests {
    /// Every page's records and media.
    static func readWithMedia<R: HubRecord>(_ connector: any Connector, _ type: R.Type) async throws -> (records: [R], media: [Media]) {
        var records: [R] = []
        var media: [Media] = []
        for try await page in connector.read(type, mode: .full, after: nil) {
            records += page.records
            media += try #require(page.media, "a \(R.resource.rawValue) page carries its media set")
        }
        return (records, media)
    }

    /// The media fields the connectors map, as text, for comparing with what the emulator holds.
    struct Fields: Hashable, CustomStringConvertible {
        var key, parent, resource, url, category: String?
        var order, width, height: Int?
        var caption: String?
        var modified: Date?

        init(_ media: Media) {
            key = media.metadata.sourceKey
            parent = media.resourceRecordSourceKey
            resource = media.resourceName
            url = media.mediaURL
            category = media.mediaCategory
            order = media.order
            width = media.imageWidth
            height = media.imageHeight
            caption = media.shortDescription
            modified = media.mediaModificationTimestamp
        }

        init(
            key: String?, parent: String?, resource: String, url: String?, order: Int?, width: Int? = nil, height: Int? = nil,
            caption: String? = nil
        ) {
            self.key = key
            self.parent = parent
            self.resource = resource
            self.url = url
            category = "Photo"
            self.order = order
            self.width = width
            self.height = height
            self.caption = caption
            modified = nil
        }

        var description: String {
            "\(key ?? "-") of \(resource ?? "-") \(parent ?? "-"): \(url ?? "-") #\(order.map(String.init) ?? "-") \(width.map(String.init) ?? "-")x\(height.map(String.init) ?? "-") \(caption ?? "-")"
        }
    }

    static func int(_ value: JSONValue?) -> Int? { value?.intValue.flatMap { Int(exactly: $0) } }

    @Test func apimoPicturesMatchTheEmulator() async throws {
        let settings = EmulatorSettings(records: 25, apimoRatePerSecond: 10_000, apimoDailyQuota: 100_000)
        try await withLiveSandbox([.apimo], settings: settings) { live in
            let connector = try ApimoLive.connector(live)
            let emulator = try live.emulator(.apimo)

            let properties = try await Self.readWithMedia(connector, Property.self)
            let stored = try #require(try await emulator.control(.list(resource: "properties")).records)
                .filter { ApimoLiveTests.grantedAgencies.contains($0["agency"]?.stringValue ?? "") }
            var expected: [Fields] = []
            for property in stored {
                let id = property["id"]?.stringValue
                for picture in property["pictures"]?.arrayValue ?? [] {
                    expected.append(
                        Fields(
                            key: picture["id"]?.stringValue, parent: id, resource: "Property", url: picture["url"]?.stringValue,
                            order: Self.int(picture["rank"]), width: Self.int(picture["width_max"]),
                            height: Self.int(picture["height_max"]),
                            caption: picture["comments"]?.arrayValue?.first?["comment"]?.stringValue))
                }
            }
            #expect(expected.count > 10, "the seed gives properties pictures")
            #expect(
                properties.media.map(Fields.init).sorted { $0.description < $1.description }
                    == expected.sorted { $0.description < $1.description })
            #expect(properties.media.allSatisfy { $0.metadata.connectionID == "apimo-live" && $0.metadata.sourceSystemName == "apimo" })
            #expect(properties.media.allSatisfy { $0.validate().isEmpty })

            let members = try await Self.readWithMedia(connector, Member.self)
            let users = try #require(try await emulator.control(.list(resource: "users")).records)
                .filter { ApimoLiveTests.grantedAgencies.contains($0["agency"]?.stringValue ?? "") }
            let expectedPictures = users.compactMap { user -> Fields? in
                guard let id = user["id"]?.stringValue, let url = user["picture"]?.stringValue else { return nil }
                return Fields(key: "user-\(id)-picture", parent: id, resource: "Member", url: url, order: nil)
            }
            #expect(expectedPictures.count == members.records.count)
            #expect(Set(members.media.map(Fields.init)) == Set(expectedPictures))
        }
    }

    @Test func pfExpertImagesMatchTheEmulator() async throws {
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 14)) { live in
            let connector = try live.connector(.pfExpert)
            let read = try await Self.readWithMedia(connector, Property.self)
            let stored = try #require(try await live.emulator(.pfExpert).control(.list(resource: "properties")).records)
            var expected: [Fields] = []
            for property in stored {
                let id = property["id"]?.intValue.map(String.init)
                for item in property["images"]?.arrayValue ?? [] {
                    let image = item["image"]
                    expected.append(
                        Fields(
                            key: image?["id"]?.intValue.map(String.init), parent: id, resource: "Property",
                            url: image?["url"]?.stringValue, order: Self.int(image?["order"])))
                }
            }
            #expect(read.records.count == stored.count)
            #expect(expected.count > 10, "the seed gives properties images")
            #expect(
                read.media.map(Fields.init).sorted { $0.description < $1.description }
                    == expected.sorted { $0.description < $1.description })
            #expect(read.media.allSatisfy { $0.metadata.sourceSystemName == "pf-expert" && $0.validate().isEmpty })

            // Members and the other PF lists carry no media (the legacy users have no picture).
            for try await page in connector.read(Member.self, mode: .full, after: nil) { #expect(page.media == nil) }
        }
    }
}
