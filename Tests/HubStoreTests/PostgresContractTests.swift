import Foundation
import HubStore
import HubStorePostgres
import HubTestSupport
import RealtyModel
import Testing

/// The store contract, schema refusal and concurrent claims against a real PostgreSQL server.
///
/// These run only when REALTYHUB_TEST_DATABASE_URL names a server (`.ci/run` starts one);
/// without it they are reported as skipped, and `postgresTestsSkipped` prints why.
@Suite(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
struct PostgresContractTests {
    @Test(arguments: StoreContract.checks.map(\.name))
    func contract(_ name: String) async throws {
        let check = try #require(StoreContract.checks.first { $0.name == name })
        try await PostgresTestDatabase.withStore { store in try await check.run(store) }
    }

    @Test func refusesADatabaseWithUnknownMigrations() async throws {
        try await PostgresTestDatabase.withSchema { configuration in
            let box = try SecretBox(keys: [SecretKey.generate().key])
            let store = try await PostgresHubStore.open(configuration, secretBox: box)
            let status = try await store.schemaStatus()
            #expect(status.applied == PostgresHubStore.knownMigrations && status.isCurrent)
            await store.close()
            // Opening again is a no-op.
            let again = try await PostgresHubStore.open(configuration, secretBox: box)
            #expect(try await again.schemaStatus().applied == PostgresHubStore.knownMigrations)
            await again.close()

            try await PostgresTestDatabase.admin(
                configuration,
                "INSERT INTO \(configuration.searchPath ?? "public").schema_migrations (name) VALUES ('2099-01-01-1-from-the-future')")
            do {
                let newer = try await PostgresHubStore.open(configuration, secretBox: box)
                await newer.close()
                Issue.record("a database with an unknown migration must be refused")
            } catch let error as StoreError where error.code == .schemaTooNew {
                #expect(error.message.contains("2099-01-01-1-from-the-future"))
            }
        }
    }

    /// A database from before the maintained counts: the migration counts the live records
    /// there per tenant, resource and connection, and list totals read them.
    @Test func theCountsMigrationBackfillsLiveRecords() async throws {
        try await PostgresTestDatabase.withSchema { configuration in
            let box = try SecretBox(keys: [SecretKey.generate().key])
            let store = try await PostgresHubStore.open(configuration, secretBox: box)
            try await StoreContract.writeCountsFixture(store)
            await store.close()
            // Back to the schema before the counts.
            let schema = configuration.searchPath ?? "public"
            try await PostgresTestDatabase.admin(configuration, "DROP TABLE \(schema).record_counts")
            try await PostgresTestDatabase.admin(
                configuration, "DELETE FROM \(schema).schema_migrations WHERE name = '2026-12-05-6-record-counts-by-connection'")

            let migrated = try await PostgresHubStore.open(configuration, secretBox: box)
            let counts = try await migrated.liveRecordCounts(tenant: "t1").map { "\($0.connectionID) \($0.resource.rawValue) \($0.live)" }
            #expect(Set(counts) == ["conn-1 Contacts 6", "conn-3 Contacts 1", "conn-2 Property 1", "conn-2 Media 2"])
            #expect(try await migrated.list(Contact.self, tenant: "t1", query: ListQuery()).total == 7)
            let third = try await migrated.list(Contact.self, tenant: "t1", query: ListQuery(filters: ["ConnectionId": "conn-3"]))
            #expect(third.total == 1)
            await migrated.close()
        }
    }

    /// A database from before the event chain: the migration links every record's events and
    /// points each record at its newest.
    @Test func theEventChainMigrationLinksEveryRecordsEvents() async throws {
        try await PostgresTestDatabase.withSchema { configuration in
            let box = try SecretBox(keys: [SecretKey.generate().key])
            let store = try await PostgresHubStore.open(configuration, secretBox: box)
            try await StoreContract.writeCountsFixture(store)
            let scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")
            _ = try await store.upsert([Fixtures.contact(1, note: "changed")], scope: scope, cursor: nil)
            await store.close()
            let schema = configuration.searchPath ?? "public"
            for resource in ResourceName.allCases {
                try await PostgresTestDatabase.admin(
                    configuration, "ALTER TABLE \(schema).\"\(resource.rawValue)\" DROP COLUMN last_event_sequence")
            }
            try await PostgresTestDatabase.admin(configuration, "ALTER TABLE \(schema).entity_events DROP COLUMN previous_sequence")
            try await PostgresTestDatabase.admin(
                configuration, "DELETE FROM \(schema).schema_migrations WHERE name = '2026-12-05-7-record-event-chain'")
            let migrated = try await PostgresHubStore.open(configuration, secretBox: box)
            try await StoreContract.checkBackfilledChangeLists(migrated)
            await migrated.close()
        }
    }

    @Test func migrationsRaceSafelyAcrossStores() async throws {
        try await PostgresTestDatabase.withSchema { configuration in
            let box = try SecretBox(keys: [SecretKey.generate().key])
            // Several processes starting at once: the advisory lock lets one migrate, the
            // others then find the schema current.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let store = try await PostgresHubStore.open(configuration, secretBox: box)
                        try await store.checkSecretKey()
                        await store.close()
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Also with per-connection claim limits (the ranked claim), which must hold per batch.
    @Test(arguments: [false, true]) func concurrentClaimsNeverShareADelivery(limited: Bool) async throws {
        let limits = limited ? ["conn-0": 2, "conn-1": 3] : [:]
        try await PostgresTestDatabase.withSchema { configuration in
            let box = try SecretBox(keys: [SecretKey.generate().key])
            let first = try await PostgresHubStore.open(configuration, secretBox: box)
            let second = try await PostgresHubStore.open(configuration, secretBox: box)
            _ = try await first.createTenant(id: "t1", name: "T1")
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let total = 120
            let enqueued = try await first.enqueue(
                (0..<total).map {
                    NewDelivery(tenantID: "t1", connectionID: "conn-\($0 % 3)", kind: .leadCreate, payload: Data("{}".utf8))
                },
                now: now)
            #expect(enqueued.count == total)

            // Four workers over two stores (two pools, as two processes would have) claim until
            // nothing is left.
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<4 {
                    let store = worker % 2 == 0 ? first : second
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let batch = try await store.claimDeliveries(
                                owner: "w\(worker)", now: now, leaseDuration: 60, limit: 7, connectionID: nil, connectionLimits: limits)
                            if batch.isEmpty {
                                // A ranked claim racing another one can come back empty while
                                // work is left (both ranked the same rows); stop only when
                                // nothing is pending.
                                let pending = try await store.listDeliveries(
                                    tenant: "t1", filter: DeliveryFilter(state: .pending, limit: 1))
                                if pending.isEmpty { return mine }
                                try await Task.sleep(for: .milliseconds(5))
                                continue
                            }
                            for (connection, limit) in limits {
                                #expect(batch.filter { $0.connectionID == connection }.count <= limit, "\(connection) over its share")
                            }
                            #expect(batch.allSatisfy { $0.leaseOwner == "w\(worker)" && $0.attempts == 1 })
                            mine += batch.map(\.id)
                        }
                    }
                }
                var all: [[String]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            let flat = claims.flatMap { $0 }
            #expect(flat.count == total, "every delivery claimed exactly once, got \(flat.count) claims")
            #expect(Set(flat).count == flat.count, "no delivery was claimed twice")
            #expect(claims.filter { !$0.isEmpty }.count >= 2, "the work was shared")
            await first.close()
            await second.close()
        }
    }

    @Test func concurrentPullClaimsHaveOneWinner() async throws {
        try await PostgresTestDatabase.withStore { store in
            let now = Date()
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        try await store.claimPullJob(
                            tenant: "t1", connectionID: "c1", resource: .contacts, owner: "w\(worker)", now: now, leaseDuration: 60)
                    }
                }
                var count = 0
                for try await won in group where won { count += 1 }
                return count
            }
            #expect(winners == 1)
        }
    }

    @Test func eventsAreNumberedInCommitOrder() async throws {
        try await PostgresTestDatabase.withStore { store in
            _ = try await store.createTenant(id: "t1", name: "T1")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        let scope = SyncScope(tenant: "t1", connectionID: "conn-\(worker)", sourceSystemName: "mycrm")
                        for page in 0..<5 {
                            _ = try await store.upsert((0..<10).map { Fixtures.contact(page * 10 + $0) }, scope: scope, cursor: "p\(page)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let events = try await store.events(tenant: "t1", after: 0, limit: 1000)
            #expect(events.count == 200)
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.sequence < $1.sequence })
        }
    }

    /// Two processes (two stores, two pools) storing the same new records at once: each
    /// record is stored once, with one `created` event; a writer that loses the race either
    /// fails with a conflict (the unique source key) or, when it looked after the winner
    /// committed, finds the records stored.
    @Test func writersRacingOnTheSameNewRecordsStoreEachOnce() async throws {
        try await PostgresTestDatabase.withSchema { configuration in
            let box = try SecretBox(keys: [SecretKey.generate().key])
            let first = try await PostgresHubStore.open(configuration, secretBox: box)
            let second = try await PostgresHubStore.open(configuration, secretBox: box)
            _ = try await first.createTenant(id: "t1", name: "T1")
            let scope = SyncScope(tenant: "t1", connectionID: "conn", sourceSystemName: "mycrm")
            var inserted = 0
            for round in 0..<10 {
                let records = (0..<50).map { Fixtures.contact(round * 50 + $0) }
                let outcomes = try await withThrowingTaskGroup(of: UpsertSummary?.self) { group in
                    for store in [first, second] {
                        group.addTask {
                            do {
                                return try await store.upsert(records, scope: scope, cursor: "r\(round)")
                            } catch let error as StoreError where error.code == .conflict {
                                return nil
                            }
                        }
                    }
                    var outcomes: [UpsertSummary?] = []
                    for try await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
                let stored = outcomes.compactMap { $0 }
                #expect(!stored.isEmpty, "round \(round): one writer stores the records")
                #expect(stored.map(\.inserted).reduce(0, +) == 50, "round \(round): each record inserted once")
                inserted += stored.map(\.inserted).reduce(0, +)
            }
            let page = try await first.list(Contact.self, tenant: "t1", query: ListQuery(perPage: 1))
            #expect(page.total == 500 && inserted == 500)
            let events = try await first.events(tenant: "t1", after: 0, limit: 1000)
            #expect(events.filter { $0.change == .created }.count == 500)
            #expect(Set(events.map(\.resourceRecordKey)).count == 500)
            await first.close()
            await second.close()
        }
    }

    /// Two processes changing the same stored records at once, in opposite orders: the batch's
    /// stored rows are locked in one order whatever the batch's, so neither deadlocks.
    @Test func writersOfTheSameStoredRecordsInOppositeOrdersDoNotDeadlock() async throws {
        try await PostgresTestDatabase.withSchema { configuration in
            let box = try SecretBox(keys: [SecretKey.generate().key])
            let first = try await PostgresHubStore.open(configuration, secretBox: box)
            let second = try await PostgresHubStore.open(configuration, secretBox: box)
            _ = try await first.createTenant(id: "t1", name: "T1")
            let scope = SyncScope(tenant: "t1", connectionID: "conn", sourceSystemName: "mycrm")
            #expect(try await first.upsert((0..<200).map { Fixtures.contact($0) }, scope: scope, cursor: nil).inserted == 200)
            let updated = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, store) in [first, second].enumerated() {
                    group.addTask {
                        var updated = 0
                        for round in 0..<5 {
                            var records = (0..<200).map { Fixtures.contact($0, note: "writer \(index) round \(round)") }
                            if index == 1 { records.reverse() }
                            updated += try await store.upsert(records, scope: scope, cursor: nil).updated
                        }
                        return updated
                    }
                }
                var total = 0
                for try await count in group { total += count }
                return total
            }
            #expect(updated == 2000)
            let page = try await first.list(Contact.self, tenant: "t1", query: ListQuery(perPage: 1))
            #expect(page.total == 200)
            await first.close()
            await second.close()
        }
    }

    @Test func wrongPasswordIsReportedWithoutThePassword() async throws {
        var configuration = try PostgresTestDatabase.configuration()
        let secret = "not-the-password-\(UUID().uuidString)"
        configuration = PostgresStoreConfiguration(
            host: configuration.host, port: configuration.port, username: configuration.username, password: secret,
            database: configuration.database, tlsMode: configuration.tlsMode)
        configuration.connectTimeout = .seconds(3)
        do {
            let store = try await PostgresHubStore.open(configuration, secretBox: SecretBox(keys: [SecretKey.generate().key]))
            await store.close()
            // A server that trusts every login accepts it; nothing more to check then.
        } catch {
            let text = String(describing: error) + String(reflecting: error)
            #expect(!text.contains(secret), "the password leaked: \(text)")
            #expect(text.contains(configuration.host))
        }
        #expect(!configuration.description.contains(secret))
    }
}

/// Prints, visibly, that the PostgreSQL tests were skipped and how to run them.
@Test(.enabled(if: !PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is set: the PostgreSQL tests run"))
func postgresTestsSkipped() {
    print("note: \(PostgresTestDatabase.skipNote)")
}

@Suite struct PostgresConfigurationTests {
    @Test func parsesAURL() throws {
        let configuration = try PostgresStoreConfiguration(
            url: "postgres://hub%40ops:p%40ss%3Aword@db.example.com:6543/realty?sslmode=require&search_path=hub&max_connections=4")
        #expect(configuration.host == "db.example.com" && configuration.port == 6543)
        #expect(configuration.username == "hub@ops" && configuration.database == "realty")
        #expect(configuration.tlsMode == .require && configuration.searchPath == "hub" && configuration.maximumConnections == 4)
        #expect(!configuration.redactedURL.contains("p@ss") && !configuration.redactedURL.contains("word"))
        #expect(configuration.redactedURL.contains("***"))
        #expect(String(describing: configuration) == configuration.redactedURL)
        let defaults = try PostgresStoreConfiguration(url: "postgresql://u@localhost/db")
        #expect(defaults.port == 5432 && defaults.tlsMode == .prefer && !defaults.redactedURL.contains("***"))
    }

    @Test(arguments: [
        "mysql://u:p@h/db", "postgres://u:secret-pw@/db", "postgres://:secret-pw@h/db", "postgres://u:secret-pw@h",
        "postgres://u:secret-pw@h/db?sslmode=sometimes", "postgres://u:secret-pw@h/db?bogus=1",
        "postgres://u:secret-pw@h/db?max_connections=0", "not a url at all",
    ])
    func refusesBadURLs(_ url: String) {
        do {
            _ = try PostgresStoreConfiguration(url: url)
            Issue.record("\(url) must be refused")
        } catch {
            #expect(!String(describing: error).contains("secret-pw"), "the password must not be echoed: \(error)")
        }
    }
}

@Suite(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
struct PostgresLockTests {
    /// Two stores (two processes' pools) running bodies under one lock name never overlap.
    @Test func crossProcessLockExcludes() async throws {
        try await PostgresTestDatabase.withSchema { configuration in
            let box = try SecretBox(keys: [SecretKey.generate().key])
            let stores = [
                try await PostgresHubStore.open(configuration, secretBox: box),
                try await PostgresHubStore.open(configuration, secretBox: box),
            ]
            let log = LockLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<6 {
                    let store = stores[index % 2]
                    group.addTask {
                        try await store.withCrossProcessLock("renewal:conn-1") {
                            log.enter()
                            try await Task.sleep(for: .milliseconds(30))
                            log.exit()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(log.maximum == 1, "at most one holder at a time, saw \(log.maximum)")
            #expect(log.entries == 6)
            for store in stores { await store.close() }
        }
    }
}

private final class LockLog: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private(set) var maximum = 0
    private(set) var entries = 0

    func enter() {
        lock.lock()
        current += 1
        entries += 1
        maximum = max(maximum, current)
        lock.unlock()
    }

    func exit() {
        lock.lock()
        current -= 1
        lock.unlock()
    }
}
