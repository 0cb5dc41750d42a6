import ConnectorKit
import HubTestSupport
import RealtyModel
import Testing

@testable import SyncEngine

/// Consecutive pages gathered into one write: a record or photo read twice is written once, as
/// last read, and media that replace sets never share a write with media left untouched.
@Suite struct PageGroupTests {
    static func photo(_ key: String, of parent: String, url: String) -> Media {
        var media = Media(metadata: RecordMetadata(sourceSystemName: "apimo", sourceKey: key))
        media.resourceRecordSourceKey = parent
        media.mediaURL = url
        return media
    }

    static func listing(_ index: Int, price: Double) -> Property {
        var property = Fixtures.property(index)
        property.listPrice = price
        return property
    }

    @Test func aRecordReadTwiceIsWrittenOnceAsLastReadWithThatReadsPhotos() {
        var group = PageGroup<Property>()
        group.add(
            ConnectorPage(
                records: [Self.listing(1, price: 100), Self.listing(2, price: 200)], cursor: "p1", isLast: false,
                media: [
                    Self.photo("m1", of: "p-1", url: "a"), Self.photo("m2", of: "p-1", url: "b"), Self.photo("m3", of: "p-2", url: "c"),
                ]),
            cursor: "engine-1")
        // The vendor's list shifted: listing 1 comes again, changed, with one photo left.
        group.add(
            ConnectorPage(
                records: [Self.listing(3, price: 300), Self.listing(1, price: 150)], cursor: "p2", isLast: false,
                media: [Self.photo("m1", of: "p-1", url: "a2")]),
            cursor: "engine-2")
        #expect(group.pages == 2 && group.cursor == "engine-2")
        #expect(group.records.map(\.metadata.sourceKey) == ["p-1", "p-2", "p-3"])
        #expect(group.records.map(\.listPrice) == [150, 200, 300])
        #expect(group.media?.map(\.metadata.sourceKey) == ["m3", "m1"])
        #expect(group.media?.map(\.mediaURL) == ["c", "a2"])
    }

    @Test func pagesWithAndWithoutMediaAreNotWrittenTogether() {
        var group = PageGroup<Property>()
        let withMedia = ConnectorPage(records: [Self.listing(1, price: 1)], cursor: nil, isLast: false, media: [])
        let without = ConnectorPage(records: [Self.listing(2, price: 2)], cursor: nil, isLast: false, media: nil)
        #expect(group.accepts(without) && group.accepts(withMedia))
        group.add(withMedia, cursor: nil)
        #expect(group.accepts(withMedia) && !group.accepts(without))
        var other = PageGroup<Property>()
        other.add(without, cursor: nil)
        #expect(other.media == nil && !other.accepts(withMedia))
    }

    @Test func deletionsAreKeptInOrder() {
        var group = PageGroup<Contact>()
        group.add(ConnectorPage(records: [Fixtures.contact(1)], deletedSourceKeys: ["c-9"], cursor: nil, isLast: false), cursor: "a")
        group.add(ConnectorPage(records: [], deletedSourceKeys: ["c-8", "c-7"], cursor: nil, isLast: true), cursor: "b")
        #expect(group.deletedSourceKeys == ["c-9", "c-8", "c-7"] && group.records.count == 1 && group.cursor == "b")
    }
}
