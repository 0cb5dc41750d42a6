import Foundation
import HubStore
import RealtyModel
import Testing

/// Records whose content hashes are pinned: every field type, nulls between values, unicode,
/// edge numbers, and a raw payload (arrays, nested JSON) that must not count as content.
enum ContentHashFixture {
    static var property: Property {
        var property = Property(
            metadata: RecordMetadata(
                key: "p-1", sourceSystemName: "pf-expert", sourceKey: "1001", connectionID: "conn-1",
                modificationTimestamp: Date(timeIntervalSince1970: 1_700_000_000.5),
                raw: .object([
                    "id": .number(1001), "tags": .array([.string("sea"), .number(2.5), .bool(true), .null]),
                    "nested": .object(["k": .array([])]),
                ])))
        property.listingID = "R-1001"
        property.standardStatus = "Active"
        property.propertyType = "Residential"
        // PropertySubType and most others stay null.
        property.listPrice = 349_999.99
        property.currentPrice = 0.1
        property.unparsedAddress = "Calle Mayor 1, 3ºB — Ático"
        property.latitude = -36.51
        property.longitude = 1e-7
        property.bedroomsTotal = 3
        property.bathroomsTotalInteger = 0
        property.livingArea = 120
        property.newConstructionYN = true
        property.publicRemarks = "Vistas al mar\nñ 🏖️ \"quoted\"\t"
        return property
    }

    static var member: Member {
        var member = Member(metadata: RecordMetadata(sourceKey: "u-7"))
        member.firstName = "José"
        member.email = "jose@example.com"
        member.status = "Active"
        member.languages = ["es", "en", ""]
        return member
    }

    static var activity: Activity {
        var activity = Activity(metadata: RecordMetadata(sourceKey: "a-9"))
        activity.activityType = "call"
        activity.startTimestamp = Date(timeIntervalSince1970: 1_700_000_000.123)
        activity.endTimestamp = Date(timeIntervalSince1970: 0)
        activity.contactKey = ""
        return activity
    }

    /// Every ``FieldValue`` case in one list, nulls and extremes included.
    static let names = ["S", "N", "I", "D", "B", "F", "T", "DT", "L", "E", "Z"]
    static let values: [FieldValue] = [
        .string("text"), .null, .integer(Int64.min), .decimal(-0.0), .boolean(true), .boolean(false),
        .timestamp(Date(timeIntervalSince1970: -1.5)), .date("2024-02-29"), .stringList(["a", "b\u{1d}c"]),
        .stringList([]), .integer(9_007_199_254_740_993),
    ]
}

/// The content hash is part of the stored data (`ContentHash` columns): a different encoding
/// would mark every stored record as changed on the next sync. These values were printed by the
/// hand-written SHA-256 before the hash moved to swift-crypto, and must never change.
@Suite struct ContentHashPinTests {
    @Test func recordHashesArePinned() {
        #expect(ContentHashFixture.property.contentHash == "de3bd2230f60f3e7a5ea1e762f021dde0b8ba2aa7441ee349e19122e3c1277ef")
        #expect(ContentHashFixture.member.contentHash == "f988bf5c7da799d1ef01169d0d7ca7752fec0333b9d2b8c2333ac3c458979713")
        #expect(ContentHashFixture.activity.contentHash == "9298a09ba385436e3cef35cd3d109c28c415321163a2313815d953f9a972bb87")
    }

    @Test func everyValueKindIsPinned() {
        let hash = ContentHash.compute(resource: .contacts, names: ContentHashFixture.names, values: ContentHashFixture.values)
        #expect(hash == "bde0a02dce7726bde9459a108a5d15219689e7a9e2582f695bd85c0e29d243f7")
    }

    @Test func aRecordWithNoValuesHashesItsResourceName() {
        // SHA-256("Office")
        #expect(Office().contentHash == "9e380d9991e6b74209424e3476f284b459effef9b0ccf6d9f3f8acdbde004c9d")
    }
}
