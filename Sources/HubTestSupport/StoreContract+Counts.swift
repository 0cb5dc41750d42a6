public import HubStore
import RealtyModel

extension StoreContract {
    /// The live records per connection and resource (`liveRecordCounts`) follow every write that
    /// makes records live or deleted: inserts, vendor-reported deletions (with their media), a
    /// full pass's sweep, a deleted record coming back; and a list's total, unfiltered or of one
    /// connection, agrees with them. Other tenants are not counted.
    public static func liveRecordCountsPerConnection(_ store: any HubStorage) async throws {
        let scope = try await setUp(store)
        var other = scope
        other.connectionID = "conn-2"
        let elsewhere = try await setUp(store, tenant: "t2")
        _ = try await store.upsert((0..<5).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        _ = try await store.upsert((5..<7).map { Fixtures.contact($0) }, scope: other, cursor: nil)
        _ = try await store.upsert([Fixtures.contact(0)], scope: elsewhere, cursor: nil)
        _ = try await store.upsert(
            (1...2).map { Fixtures.property($0) }, media: [Fixtures.photo(1, of: 1), Fixtures.photo(1, of: 2), Fixtures.photo(2, of: 2)],
            scope: scope, cursor: nil)

        func counts() async throws -> Set<String> {
            Set(try await store.liveRecordCounts(tenant: scope.tenant).map { "\($0.connectionID) \($0.resource.rawValue) \($0.live)" })
        }
        var counted: Set<String>
        var expected: Set<String> = ["conn-1 Contacts 5", "conn-2 Contacts 2", "conn-1 Property 2", "conn-1 Media 3"]
        counted = try await counts()
        try check(counted == expected, "after the inserts: \(counted)")
        try check(
            try await store.liveRecordCounts(tenant: "t2").map(\.live) == [1], "the other tenant's one contact, counted apart")

        // A vendor-reported deletion of a listing takes its two photos.
        _ = try await store.markDeleted(Property.self, sourceKeys: ["p-2"], scope: scope)
        _ = try await store.markDeleted(Contact.self, sourceKeys: ["c-1", "c-2"], scope: scope)
        expected = ["conn-1 Contacts 3", "conn-2 Contacts 2", "conn-1 Property 1", "conn-1 Media 1"]
        counted = try await counts()
        try check(counted == expected, "after the deletions: \(counted)")

        // A full pass of conn-2 that sees nothing sweeps both its contacts: the pair is left out.
        let generation = try await store.beginFullPass(tenant: scope.tenant, connectionID: "conn-2", resource: .contacts)
        _ = try await store.completeFullPass(tenant: scope.tenant, connectionID: "conn-2", resource: .contacts, generation: generation)
        expected = ["conn-1 Contacts 3", "conn-1 Property 1", "conn-1 Media 1"]
        counted = try await counts()
        try check(counted == expected, "after conn-2's sweep: \(counted)")

        // A deleted contact read again is live again, once.
        _ = try await store.upsert([Fixtures.contact(1, note: "back")], scope: scope, cursor: nil)
        _ = try await store.upsert([Fixtures.contact(1, note: "back")], scope: scope, cursor: nil)
        expected = ["conn-1 Contacts 4", "conn-1 Property 1", "conn-1 Media 1"]
        counted = try await counts()
        try check(counted == expected, "after c-1 came back: \(counted)")

        let all = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery(perPage: 1))
        let first = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(filters: ["ConnectionId": "conn-1"], perPage: 1))
        let second = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(filters: ["ConnectionId": "conn-2"], perPage: 1))
        let withDeleted = try await store.list(
            Contact.self, tenant: scope.tenant, query: ListQuery(filters: ["ConnectionId": "conn-2"], perPage: 1, includeDeleted: true))
        try check(
            all.total == 4 && first.total == 4 && second.total == 0 && withDeleted.total == 2,
            "list totals: all \(all.total), conn-1 \(first.total), conn-2 \(second.total), conn-2 with deleted \(withDeleted.total)")
        let everything = try await store.list(Contact.self, tenant: scope.tenant, query: ListQuery(perPage: 1, includeDeleted: true))
        try check(everything.total == 7, "every contact row, deleted or not: \(everything.total)")
        try check(try await store.liveRecordCounts(tenant: "nobody").isEmpty, "a tenant without records has no counts")
    }

    /// What the counts migrations' backfill tests write before going back to the schema
    /// without counts: in tenant `t1`, 6 live contacts on `conn-1` (7 written, `c-3` deleted),
    /// 1 contact on `conn-3`, 1 listing with 2 photos on `conn-2`.
    public static func writeCountsFixture(_ store: any HubStorage) async throws {
        _ = try await store.createTenant(id: "t1", name: "One")
        let scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
        _ = try await store.upsert((0..<7).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        _ = try await store.markDeleted(Contact.self, sourceKeys: ["c-3"], scope: scope)
        _ = try await store.upsert(
            [Fixtures.contact(20)], scope: SyncScope(tenant: "t1", connectionID: "conn-3", sourceSystemName: "mycrm"), cursor: nil)
        _ = try await store.upsert(
            [Fixtures.property(1)], media: [Fixtures.photo(1, of: 1), Fixtures.photo(2, of: 1)],
            scope: SyncScope(tenant: "t1", connectionID: "conn-2", sourceSystemName: "apimo"), cursor: nil)
    }

    /// After a migration backfilled the event chain over ``writeCountsFixture(_:)`` and an
    /// update of `c-1`: the change lists of `c-1` and `c-3` are whole, newest first.
    public static func checkBackfilledChangeLists(_ store: any HubStorage) async throws {
        let contacts = try await store.list(
            Contact.self, tenant: "t1", query: ListQuery(filters: ["ConnectionId": "conn-1"], includeDeleted: true))
        func changes(_ sourceKey: String) async throws -> [EntityEvent.Change] {
            guard let key = contacts.records.first(where: { $0.metadata.sourceKey == sourceKey })?.metadata.key else {
                throw ContractFailure(description: "no \(sourceKey)")
            }
            return try await store.recordEvents(tenant: "t1", resource: .contacts, key: key, limit: 10).map(\.change)
        }
        try check(try await changes("c-1") == [.updated, .created], "c-1's backfilled change list")
        try check(try await changes("c-3") == [.deleted, .created], "c-3's backfilled change list")
        try check(try await changes("c-0") == [.created], "c-0's backfilled change list")
    }
}
