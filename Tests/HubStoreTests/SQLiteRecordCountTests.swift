import Foundation
import GRDB
import HubStore
import HubTestSupport
import RealtyModel
import Testing

@testable import HubStoreSQLite

/// The maintained live counts (`record_counts`) an unfiltered list reads its total from: after
/// every kind of write they equal what `COUNT(*)` finds, and the migration backfills them.
@Suite struct SQLiteRecordCountTests {
    static let box = try? SecretBox(keys: [SecretKey.generate().key])

    static func newStore(_ queue: DatabaseQueue) throws -> SQLiteHubStore {
        try SQLiteHubStore(writer: queue, secretBox: try #require(box))
    }

    /// The counts table and the live rows counted, per tenant, resource and connection
    /// (`tenant/resource/connection`), where either has any.
    static func counts(_ queue: DatabaseQueue) throws -> (kept: [String: Int], counted: [String: Int]) {
        try queue.read { db in
            var kept: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT tenant_id, resource, connection_id, live FROM record_counts") {
                let live: Int = row["live"]
                let key = "\(row["tenant_id"] as String)/\(row["resource"] as String)/\(row["connection_id"] as String)"
                if live != 0 { kept[key] = live }
            }
            var counted: [String: Int] = [:]
            for resource in ResourceName.allCases {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT tenant_id, "ConnectionId" AS connection, COUNT(*) AS n FROM "\(resource.rawValue)"
                        WHERE "DeletedYN" = 0 GROUP BY tenant_id, "ConnectionId"
                        """)
                for row in rows {
                    counted["\(row["tenant_id"] as String)/\(resource.rawValue)/\(row["connection"] as String)"] = row["n"]
                }
            }
            return (kept, counted)
        }
    }

    @Test func everyWriteKeepsTheCountExact() async throws {
        let queue = try DatabaseQueue()
        let store = try Self.newStore(queue)
        _ = try await store.createTenant(id: "t1", name: "One")
        _ = try await store.createTenant(id: "t2", name: "Two")
        var scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
        scope.now = Date().addingTimeInterval(-60) // before the full pass below starts
        let other = SyncScope(tenant: "t2", connectionID: "conn-9", sourceSystemName: "mycrm")

        func expectExact(_ step: String, contacts: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            let (kept, counted) = try Self.counts(queue)
            #expect(kept == counted, "\(step): kept \(kept), counted \(counted)", sourceLocation: sourceLocation)
            let page = try await store.list(Contact.self, tenant: "t1", query: ListQuery(perPage: 1))
            #expect(page.total == contacts, "\(step): the list total", sourceLocation: sourceLocation)
        }

        // Inserts, then the same records unchanged and changed: only the inserts count.
        _ = try await store.upsert((0..<10).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        _ = try await store.upsert((0..<10).map { Fixtures.contact($0) }, scope: scope, cursor: nil)
        _ = try await store.upsert((5..<12).map { Fixtures.contact($0, note: "changed") }, scope: scope, cursor: nil)
        _ = try await store.upsert((0..<4).map { Fixtures.contact($0) }, scope: other, cursor: nil)
        try await expectExact("inserts and updates", contacts: 12)
        #expect(try Self.counts(queue).kept["t2/Contacts/conn-9"] == 4)

        // Deleted by the vendor (twice: the second time changes nothing), then read again.
        #expect(try await store.markDeleted(Contact.self, sourceKeys: ["c-1", "c-2", "c-1", "c-404"], scope: scope) == 2)
        #expect(try await store.markDeleted(Contact.self, sourceKeys: ["c-1"], scope: scope) == 0)
        try await expectExact("vendor deletions", contacts: 10)
        _ = try await store.upsert([Fixtures.contact(1)], scope: scope, cursor: nil)
        try await expectExact("a deleted record read again", contacts: 11)

        // A full pass that sees c-0...c-5 (c-2, deleted, comes back): c-6...c-11 are swept.
        let generation = try await store.beginFullPass(tenant: "t1", connectionID: "conn-1", resource: .contacts)
        var pass = scope
        pass.generation = generation
        pass.now = Date().addingTimeInterval(1)
        _ = try await store.upsert((0..<6).map { Fixtures.contact($0) }, scope: pass, cursor: nil)
        #expect(try await store.completeFullPass(tenant: "t1", connectionID: "conn-1", resource: .contacts, generation: generation) == 6)
        try await expectExact("a full pass's sweep", contacts: 6)

        // Media: written with their listings, dropped from a listing, gone with a deleted listing.
        let apimo = SyncScope(tenant: "t1", connectionID: "conn-2", sourceSystemName: "apimo")
        _ = try await store.upsert(
            [Fixtures.property(1), Fixtures.property(2)],
            media: [Fixtures.photo(1, of: 1), Fixtures.photo(2, of: 1), Fixtures.photo(1, of: 2)], scope: apimo, cursor: nil)
        #expect(try Self.counts(queue).kept["t1/Media/conn-2"] == 3)
        _ = try await store.upsert([Fixtures.property(1)], media: [Fixtures.photo(2, of: 1)], scope: apimo, cursor: nil)
        #expect(try Self.counts(queue).kept["t1/Media/conn-2"] == 2)
        #expect(try await store.markDeleted(Property.self, sourceKeys: ["p-2"], scope: apimo) == 1)
        try await expectExact("media", contacts: 6)
        #expect(try Self.counts(queue).kept["t1/Media/conn-2"] == 1)
        #expect(try Self.counts(queue).kept["t1/Property/conn-2"] == 1)

        // A filtered list and one with deleted records still count what they match.
        let leads = try await store.list(Contact.self, tenant: "t1", query: ListQuery(filters: ["ContactType": "Lead"]))
        #expect(leads.total == 2) // c-0 and c-3 of c-0...c-5
        let all = try await store.list(Contact.self, tenant: "t1", query: ListQuery(includeDeleted: true))
        #expect(all.total == 12)
        #expect(try await store.list(Contact.self, tenant: "t2", query: ListQuery()).total == 4)
        #expect(try await store.list(Contact.self, tenant: "t3", query: ListQuery()).total == 0)
    }

    /// A data folder from before the counts: the migrations count what is there, per connection.
    @Test func migrationBackfillsTheCounts() async throws {
        let queue = try DatabaseQueue()
        do {
            let store = try Self.newStore(queue)
            try await StoreContract.writeCountsFixture(store)
        }
        // Back to the schema before the counts.
        try await queue.write { db in
            try db.execute(
                sql: """
                    DROP TABLE record_counts;
                    DELETE FROM grdb_migrations
                    WHERE identifier IN ('2026-12-05-1-record-counts', '2026-12-05-6-record-counts-by-connection');
                    """)
        }
        let store = try Self.newStore(queue)
        let (kept, counted) = try Self.counts(queue)
        #expect(kept == ["t1/Contacts/conn-1": 6, "t1/Contacts/conn-3": 1, "t1/Property/conn-2": 1, "t1/Media/conn-2": 2])
        #expect(kept == counted)
        #expect(try await store.list(Contact.self, tenant: "t1", query: ListQuery()).total == 7)
        let third = try await store.list(Contact.self, tenant: "t1", query: ListQuery(filters: ["ConnectionId": "conn-3"]))
        #expect(third.total == 1)
    }

    /// A data folder from before the event chain: the migration links every record's events
    /// and points each record at its newest.
    @Test func migrationLinksEveryRecordsEvents() async throws {
        let queue = try DatabaseQueue()
        do {
            let store = try Self.newStore(queue)
            try await StoreContract.writeCountsFixture(store)
            let scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
            _ = try await store.upsert([Fixtures.contact(1, note: "changed")], scope: scope, cursor: nil)
        }
        // Back to the schema before the chain.
        try await queue.write { db in
            for resource in ResourceName.allCases {
                try db.execute(sql: "ALTER TABLE \"\(resource.rawValue)\" DROP COLUMN last_event_sequence")
            }
            try db.execute(
                sql: """
                    ALTER TABLE entity_events DROP COLUMN previous_sequence;
                    DELETE FROM grdb_migrations WHERE identifier = '2026-12-05-7-record-event-chain';
                    """)
        }
        let store = try Self.newStore(queue)
        try await StoreContract.checkBackfilledChangeLists(store)
    }
}
