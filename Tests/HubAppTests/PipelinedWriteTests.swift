import Foundation
import HubStore
import HubStoreSQLite
import RealtyModel
import Sandbox
import SyncEngine
import Synchronization
import Testing

/// The pull writes one group of pages while it reads the next. These tests hold it to what
/// that must not change: writes never overlap and commit in order, and a write that fails
/// stops the pull with only the groups before it committed, so the next run resumes after them.
@Suite struct PipelinedWriteTests {
    /// The SQLite store, with every upsert of records watched: how many run at once (at most),
    /// how many contacts are stored after each, and the upsert of records that fails (1-based;
    /// 0: none).
    final class WatchedStore: RecordStore, CursorStore, ConnectionStore {
        let base: SQLiteHubStore
        let failingUpsert: Int
        private struct State {
            var running = 0
            var mostAtOnce = 0
            var upserts = 0
            var storedAfter: [Int] = []
        }
        private let state = Mutex(State())

        init(_ base: SQLiteHubStore, failingUpsert: Int) {
            self.base = base
            self.failingUpsert = failingUpsert
        }

        var mostAtOnce: Int { state.withLock(\.mostAtOnce) }
        var storedAfterEachWrite: [Int] { state.withLock(\.storedAfter) }

        struct InjectedFailure: Error {}

        func upsert<R: HubRecord>(_ records: [R], media: [Media]?, scope: SyncScope, cursor: String?) async throws -> UpsertSummary {
            guard !records.isEmpty else { return try await base.upsert(records, media: media, scope: scope, cursor: cursor) }
            let number = state.withLock { state in
                state.running += 1
                state.mostAtOnce = max(state.mostAtOnce, state.running)
                state.upserts += 1
                return state.upserts
            }
            defer { state.withLock { $0.running -= 1 } }
            // Long enough that an overlapping write would be seen.
            try await Task.sleep(for: .milliseconds(20))
            if number == failingUpsert { throw InjectedFailure() }
            let summary = try await base.upsert(records, media: media, scope: scope, cursor: cursor)
            let stored = try await base.list(Contact.self, tenant: scope.tenant, query: ListQuery(perPage: 1)).total
            state.withLock { $0.storedAfter.append(stored) }
            return summary
        }

        func markDeleted<R: HubRecord>(_ type: R.Type, sourceKeys: [String], scope: SyncScope) async throws -> Int {
            try await base.markDeleted(R.self, sourceKeys: sourceKeys, scope: scope)
        }
        func record<R: HubRecord>(_ type: R.Type, tenant: String, key: String) async throws -> R? {
            try await base.record(R.self, tenant: tenant, key: key)
        }
        func list<R: HubRecord>(_ type: R.Type, tenant: String, query: ListQuery) async throws -> RecordPage<R> {
            try await base.list(R.self, tenant: tenant, query: query)
        }
        func liveRecordCounts(tenant: String) async throws -> [LiveRecordCount] {
            try await base.liveRecordCounts(tenant: tenant)
        }
        func beginFullPass(tenant: String, connectionID: String, resource: ResourceName) async throws -> Int64 {
            try await base.beginFullPass(tenant: tenant, connectionID: connectionID, resource: resource)
        }
        func completeFullPass(tenant: String, connectionID: String, resource: ResourceName, generation: Int64) async throws -> Int {
            try await base.completeFullPass(tenant: tenant, connectionID: connectionID, resource: resource, generation: generation)
        }
        func syncState(tenant: String, connectionID: String, resource: ResourceName) async throws -> SyncState? {
            try await base.syncState(tenant: tenant, connectionID: connectionID, resource: resource)
        }
        func startSyncRun(_ run: SyncRun) async throws { try await base.startSyncRun(run) }
        func finishSyncRun(_ run: SyncRun) async throws { try await base.finishSyncRun(run) }
        func syncRun(id: String, tenant: String) async throws -> SyncRun? { try await base.syncRun(id: id, tenant: tenant) }
        func listSyncRuns(tenant: String, connectionID: String?, limit: Int) async throws -> [SyncRun] {
            try await base.listSyncRuns(tenant: tenant, connectionID: connectionID, limit: limit)
        }
        func abandonSyncRuns(startedBefore before: Date, reason: String) async throws -> Int {
            try await base.abandonSyncRuns(startedBefore: before, reason: reason)
        }
        func claimPullJob(
            tenant: String, connectionID: String, resource: ResourceName, owner: String, now: Date, leaseDuration: TimeInterval
        ) async throws -> Bool {
            try await base.claimPullJob(
                tenant: tenant, connectionID: connectionID, resource: resource, owner: owner, now: now, leaseDuration: leaseDuration)
        }
        func renewPullJob(
            tenant: String, connectionID: String, resource: ResourceName, owner: String, now: Date, leaseDuration: TimeInterval
        ) async throws -> Bool {
            try await base.renewPullJob(
                tenant: tenant, connectionID: connectionID, resource: resource, owner: owner, now: now, leaseDuration: leaseDuration)
        }
        func releasePullJob(tenant: String, connectionID: String, resource: ResourceName, owner: String) async throws {
            try await base.releasePullJob(tenant: tenant, connectionID: connectionID, resource: resource, owner: owner)
        }
        func saveConnection(_ connection: Connection, credentials: Data?) async throws -> Connection {
            try await base.saveConnection(connection, credentials: credentials)
        }
        func connection(id: String, tenant: String) async throws -> Connection? { try await base.connection(id: id, tenant: tenant) }
        func listConnections(tenant: String?) async throws -> [Connection] { try await base.listConnections(tenant: tenant) }
        func deleteConnection(id: String, tenant: String) async throws -> Bool { try await base.deleteConnection(id: id, tenant: tenant) }
        func credentials(connectionID: String, tenant: String) async throws -> Data? {
            try await base.credentials(connectionID: connectionID, tenant: tenant)
        }
    }

    /// 2,500 PF Expert leads, 100 a page: groups of 1,000, 1,000 and 500 records.
    static let leads = 2_500

    @Test func writesNeverOverlapAndCommitInOrder() async throws {
        let harness = try await SyncEngineLiveTests.Harness.start(.pfExpert, records: Self.leads)
        defer { Task { try? await harness.shutdown() } }
        let store = WatchedStore(harness.store, failingUpsert: 0)
        let runner = PullRunner(store: store, connectors: harness.provider, logger: harness.logger)
        let run = try await runner.run(tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .full)
        #expect(run.status == .succeeded, "\(run.error ?? "")")
        let stored = try await harness.store.list(Contact.self, tenant: harness.tenant, query: ListQuery(perPage: 1)).total
        let leads = try await harness.count("leads", .pfExpert)
        #expect(leads == Self.leads)
        #expect(run.inserted == leads && stored == leads && run.pages == 25, "\(run)")
        #expect(store.mostAtOnce == 1, "one write at a time")
        // Three groups, committed in the order they were read.
        #expect(store.storedAfterEachWrite == [1_000, 2_000, 2_500])
    }

    @Test func aFailedWriteStopsThePullWithTheGroupsBeforeItCommitted() async throws {
        let harness = try await SyncEngineLiveTests.Harness.start(.pfExpert, records: Self.leads)
        defer { Task { try? await harness.shutdown() } }
        let failing = WatchedStore(harness.store, failingUpsert: 2)
        let broken = try await PullRunner(store: failing, connectors: harness.provider, logger: harness.logger)
            .run(tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .full)
        #expect(broken.status == .failed)
        #expect(broken.inserted == 1_000 && broken.pages == 10, "only the first group counts: \(broken)")
        var stored = try await harness.store.list(Contact.self, tenant: harness.tenant, query: ListQuery(perPage: 1)).total
        #expect(stored == 1_000)

        // The next run resumes after the first group: it reads the other 1,500 (and at most the
        // boundary record the connector reads again to resume, not the group).
        let resumed = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .full)
        #expect(resumed.status == .succeeded, "\(resumed.error ?? "")")
        #expect(resumed.inserted == 1_500 && resumed.unchanged <= 1 && resumed.pages <= 16, "\(resumed)")
        stored = try await harness.store.list(Contact.self, tenant: harness.tenant, query: ListQuery(perPage: 1)).total
        #expect(stored == Self.leads)
    }
}
