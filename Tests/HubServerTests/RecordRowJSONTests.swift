import Foundation
import HTTPTypes
import HubOperations
import HubStore
import HubStoreSQLite
import HubTestSupport
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// The row writer (the list and get fast path) writes exactly what the typed path writes:
/// records decoded from the store, then `RecordJSON` through `JSONEncoder`.
@Suite struct RecordRowJSONTests {
    /// Text that exercises every escape: quotes, backslashes, slashes, every control
    /// character, DEL, non-ASCII and astral characters, separators JSON allows raw.
    static let awkward: [String] = [
        #"say "hi" \ back\slash / slash"#,
        String((1..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{7F}",
        "é ñ ß 東京 😀 \u{2028}\u{2029} \u{FEFF}",
        "",
        "tab\tnew\nline\rreturn\u{8}back\u{C}feed",
    ]

    static func contacts() -> [Contact] {
        (0..<12).map { index in
            var contact = Fixtures.contact(index)
            let text = awkward[index % awkward.count]
            contact.firstName = text
            contact.notes = index % 2 == 0 ? text + "\(index)" : nil
            contact.company = index % 3 == 0 ? nil : "Co \(text)"
            contact.birthdate = index % 4 == 0 ? nil : "19\(50 + index)-0\(1 + index % 9)-2\(index % 9)"
            contact.metadata.sourceEntryTimestamp = index % 2 == 0 ? nil : Date(timeIntervalSince1970: -86_400 * Double(index) + 0.5)
            contact.metadata.raw = .object(["id": .string("c-\(index)"), "ssn": .string("078-05-1120"), "n": .number(JSONNumber(index))])
            return contact
        }
    }

    static func properties() -> [Property] {
        (0..<8).map { index in
            var property = Fixtures.property(index)
            property.bedroomsTotal = [0, -3, 8_999_999_999_999_999, -8_999_999_999_999_999, 42, nil, 7, 1][index]
            property.bathroomsTotalInteger = index % 2 == 0 ? nil : index
            property.newConstructionYN = [true, false, nil][index % 3]
            property.listPrice = [0.1, 1e20, 123456.789, -0.0, 1, nil, 2.5e-7, 9_007_199_254_740_993][index]
            property.latitude = index % 2 == 0 ? 36.5101 : nil
            property.publicRemarks = awkward[index % awkward.count]
            return property
        }
    }

    static func activities() -> [Activity] {
        (0..<6).map { index in
            var activity = Activity(metadata: RecordMetadata(sourceSystemName: "mycrm", sourceKey: "a-\(index)"))
            activity.activityType = "Call"
            activity.subject = awkward[index % awkward.count]
            activity.startTimestamp = index == 3 ? nil : Date(timeIntervalSince1970: 1_700_000_000.123 + Double(index) * 1.001)
            activity.endTimestamp = index % 2 == 0 ? Date(timeIntervalSince1970: -2_208_988_800 + Double(index)) : nil
            return activity
        }
    }

    /// A store holding every kind of value, with sensitive raw fields sealed.
    static func store() async throws -> (SQLiteHubStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-rows-\(UUID().uuidString)")
        let store = try SQLiteHubStore(
            directory: directory, secretBox: try SecretBox(keys: [try SecretKey(material: Data(repeating: 7, count: 32))]))
        _ = try await store.createTenant(id: "t1", name: "Tenant 1")
        var scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
        scope.sensitiveFields = SensitiveFields(["ssn"])
        _ = try await store.upsert(contacts(), scope: scope, cursor: nil)
        _ = try await store.upsert(properties(), scope: scope, cursor: nil)
        _ = try await store.upsert(activities(), scope: scope, cursor: nil)
        // One deleted contact, so DeletedYN is true somewhere.
        _ = try await store.markDeleted(Contact.self, sourceKeys: ["c-5"], scope: scope)
        return (store, directory)
    }

    /// The typed path's page.
    static func typedPage<R: HubRecord>(_ store: SQLiteHubStore, _ type: R.Type, query: ListQuery, only: Set<String>) async throws
        -> [UInt8]
    {
        let page = try await store.list(R.self, tenant: "t1", query: query)
        let body = RecordListJSON(
            count: page.total, page: page.page, perPage: page.perPage,
            value: page.records.map { RecordJSON(record: $0, only: only, expanded: []) })
        return Array(try apiEncoder().encode(body))
    }

    /// The row writer's page (throws ``RecordRowWriter/Declined`` when it does not apply).
    static func rowPage<R: HubRecord>(_ store: SQLiteHubStore, _ type: R.Type, query: ListQuery, only: Set<String>) async throws -> [UInt8]
    {
        var plain = query
        plain.fields = only.sorted()
        return try await store.listRows(R.self, tenant: "t1", query: plain) { plan, total, rows in
            try RecordRowWriter(plan, only: only).page(total: total, page: query.page, perPage: query.perPage, rows: rows)
        }
    }

    static func plainNames<R: HubRecord>(_ type: R.Type) -> Set<String> {
        RecordRoutes.defaultProjection(R.self).filter { RecordRowWriter<R>.supports([$0]) }
    }

    static func check<R: HubRecord>(_ store: SQLiteHubStore, _ type: R.Type, only: Set<String>) async throws {
        for includeDeleted in [false, true] {
            for sort in [nil, "SourceSystemContactKey", R.resource.keyField] as [String?] {
                var query = ListQuery(perPage: 5, includeDeleted: includeDeleted)
                query.sort = sort == "SourceSystemContactKey" ? R.resource.sourceKeyField : sort
                for page in 1...3 {
                    query.page = page
                    let typed = try await typedPage(store, R.self, query: query, only: only)
                    let rows = try await rowPage(store, R.self, query: query, only: only)
                    #expect(String(decoding: rows, as: UTF8.self) == String(decoding: typed, as: UTF8.self))
                    #expect(rows == typed)
                }
            }
        }
    }

    @Test func listPagesMatchTheTypedPathForEveryPlainFieldType() async throws {
        let (store, directory) = try await Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Every plain field at once, then one at a time (the key always comes along).
        for only in [Self.plainNames(Contact.self)] + Self.plainNames(Contact.self).sorted().map({ Set([$0]) }) {
            try await Self.check(store, Contact.self, only: only)
        }
        try await Self.check(store, Property.self, only: Self.plainNames(Property.self))
        try await Self.check(store, Property.self, only: ["BedroomsTotal", "NewConstructionYN", "BathroomsTotalInteger"])
        try await Self.check(store, Activity.self, only: Self.plainNames(Activity.self))
        try await Self.check(store, Activity.self, only: ["ActivityStartTimestamp", "DeletedYN", "OriginalEntryTimestamp"])
    }

    @Test func nonPlainProjectionsAreLeftToTheTypedPath() {
        #expect(!RecordRowWriter<Contact>.supports(["raw"]))
        #expect(!RecordRowWriter<Property>.supports(["ListPrice"]))
        #expect(!RecordRowWriter<Member>.supports(["MemberLanguages"]))
        #expect(RecordRowWriter<Contact>.supports(RecordRoutes.defaultProjection(Contact.self)))
    }

    /// A NUL inside a stored string: the typed path's text ends there, so the writer declines.
    @Test func textTheTypedPathReadsDifferentlyIsDeclined() async throws {
        let (store, directory) = try await Self.store()
        defer { try? FileManager.default.removeItem(at: directory) }
        var contact = Fixtures.contact(900)
        contact.firstName = "before\u{0}after"
        _ = try await store.upsert(
            [contact], scope: SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm"), cursor: nil)
        let query = ListQuery(filters: ["SourceSystemContactKey": "c-900"])
        await #expect(throws: RowJSON.Declined.self) {
            _ = try await Self.rowPage(store, Contact.self, query: query, only: ["FirstName"])
        }
    }

    @Test func canonicalTimestampsAreThoseTheTypedPathGivesBack() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let seconds = Double(Int64.random(in: -2_208_988_800...253_402_300_799, using: &generator))
            let date = Date(timeIntervalSince1970: seconds + Double(Int.random(in: 0...999, using: &generator)) / 1000)
            let text = Timestamp.format(date)
            let accepted = Array(text.utf8).withUnsafeBytes { RowJSON.isCanonicalTimestamp($0) }
            #expect(accepted, "\(text)")
            #expect(Timestamp.parse(text).map(Timestamp.format) == text)
        }
        for text in [
            "2024-05-01T09:14:57Z", "2024-02-30T09:14:57.000Z", "2024-05-01 09:14:57.000Z", "2024-05-01T09:14:60.000Z",
            "1899-12-31T23:59:59.999Z",
        ] {
            #expect(!Array(text.utf8).withUnsafeBytes { RowJSON.isCanonicalTimestamp($0) }, "\(text)")
        }
    }

    @Test func integersAreWrittenAsJSONEncoderWritesThem() throws {
        for number in [0, -1, 7, Int64.max, Int64.min, 8_999_999_999_999_999, -8_999_999_999_999_999] as [Int64] {
            var out: [UInt8] = []
            RowJSON.append(number, into: &out)
            #expect(out == Array(try apiEncoder().encode(number)))
        }
    }

    /// Through the API: list and get answer what the typed path answers, ETag included.
    @Test func routesAnswerTheTypedPathsBytes() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        var scope = SyncScope(tenant: "tenant-a", connectionID: harness.connectionID, sourceSystemName: "mycrm")
        scope.sensitiveFields = SensitiveFields(["ssn"])
        var contacts = Self.contacts()
        // A NUL the typed path reads differently: the route declines its fast path for it.
        var declined = Fixtures.contact(901)
        declined.firstName = "before\u{0}after"
        contacts.append(declined)
        let keys = try await harness.runtime.store.upsert(contacts, scope: scope, cursor: nil).items.map(\.key).reversed()
        let store = harness.runtime.store
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            for fields in [nil, "ContactKey,FirstName,Notes,Birthdate,ModificationTimestamp", "FirstName,raw", "DeletedYN"] as [String?] {
                let only = try fields.map { Set(RecordRoutes.commaList($0)) } ?? RecordRoutes.defaultProjection(Contact.self)
                let suffix = fields.map { "&fields=\($0)" } ?? ""
                let answer = try await client.execute(uri: "/v1/contacts?per_page=50\(suffix)", method: .get, headers: bearer(token))
                #expect(answer.status == .ok)
                var query = ListQuery(perPage: 50)
                query.fields = only == RecordRoutes.defaultProjection(Contact.self) ? nil : Array(only).sorted()
                let page = try await store.list(Contact.self, tenant: "tenant-a", query: query)
                let typed = try apiEncoder().encode(
                    RecordListJSON(
                        count: page.total, page: page.page, perPage: page.perPage,
                        value: page.records.map { RecordJSON(record: $0, only: only, expanded: []) }))
                #expect(answer.text == String(decoding: typed, as: UTF8.self))
                for key in keys.prefix(6) {
                    let one = try await client.execute(
                        uri: "/v1/contacts/\(key)\(fields.map { "?fields=\($0)" } ?? "")", method: .get, headers: bearer(token))
                    let record = try #require(try await store.record(Contact.self, tenant: "tenant-a", key: key))
                    #expect(
                        one.text
                            == String(
                                decoding: try apiEncoder().encode(RecordJSON(record: record, only: only, expanded: [])), as: UTF8.self))
                    #expect(one.headers[.eTag] == record.metadata.contentHash.map(HubRuntime.etag))
                }
            }
            let missing = try await client.execute(uri: "/v1/contacts/no-such-key", method: .get, headers: bearer(token))
            #expect(missing.status == .notFound)
        }
    }

    /// A count is reused until a write, from this process or from another one (a second store
    /// on the same data folder stands for a `realtyhub sync` beside the server).
    @Test func countsFollowWritesFromAnotherConnectionAtOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-counts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let box = try SecretBox(keys: [try SecretKey(material: Data(repeating: 7, count: 32))])
        let server = try SQLiteHubStore(directory: directory, secretBox: box)
        let sync = try SQLiteHubStore(directory: directory, secretBox: box)
        _ = try await sync.createTenant(id: "t1", name: "Tenant 1")
        let scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
        _ = try await sync.upsert((0..<10).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        for _ in 0..<3 { #expect(try await server.list(Contact.self, tenant: "t1", query: ListQuery(perPage: 1)).total == 10) }
        _ = try await sync.upsert((10..<15).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        for _ in 0..<3 { #expect(try await server.list(Contact.self, tenant: "t1", query: ListQuery(perPage: 1)).total == 15) }
        _ = try await sync.markDeleted(Contact.self, sourceKeys: ["c-1", "c-2"], scope: scope)
        let total = try await server.listRows(Contact.self, tenant: "t1", query: ListQuery(perPage: 1)) { _, total, _ in total }
        #expect(total == 13)
        _ = try await server.upsert([Fixtures.contact(99)], scope: scope, cursor: nil)
        #expect(try await server.list(Contact.self, tenant: "t1", query: ListQuery(perPage: 1)).total == 14)
    }
}
