import ConnectorKit
import Foundation
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel
import Sandbox
import Testing

@testable import HubApp
@testable import SyncEngine

/// Resources with no change signal are re-read on their own cadence (default six hours,
/// configurable per connection) instead of on every scheduled pull.
@Suite struct RereadCadenceTests {
    static let start = ISO8601DateFormatter().date(from: "2026-12-04T00:00:00Z") ?? Date()

    static func run(
        _ resource: ResourceName, _ mode: SyncRun.Mode, _ status: SyncRun.Status, at offset: TimeInterval, error: String? = nil
    ) -> SyncRun {
        SyncRun(
            tenantID: "t", connectionID: "c", resource: resource, mode: mode, status: status, startedAt: start.addingTimeInterval(offset),
            finishedAt: start.addingTimeInterval(offset + 30), error: error)
    }

    /// The scheduler's decision `offset` seconds after the start, with a five-minute sync
    /// interval and a daily full pass.
    static func due(_ runs: [SyncRun], _ resource: ResourceName, at offset: TimeInterval, reread: TimeInterval?) -> SyncRun.Mode? {
        SyncScheduler.due(
            runs: runs, resource: resource, interval: 300, fullPassInterval: 86_400, now: start.addingTimeInterval(offset), reread: reread)
    }

    @Test func theCadenceComesFromTheConnectionOrTheDefault() {
        var connection = Connection(
            id: "c", tenantID: "t", vendor: "boston-logic", name: "bl", baseURL: "http://127.0.0.1:1", createdAt: Self.start,
            updatedAt: Self.start)
        let whole = ReadCapability(resource: .office, vendorEndpoints: ["GET /offices"], incremental: false)
        let changes = ReadCapability(resource: .contacts, vendorEndpoints: ["GET /leads"], incremental: true)
        #expect(SyncScheduler.defaultRereadInterval == 21_600)
        #expect(SyncScheduler.rereadInterval(whole, connection) == 21_600)
        #expect(SyncScheduler.rereadInterval(changes, connection) == nil)
        connection.rereadIntervalSeconds = 3_600
        #expect(SyncScheduler.rereadInterval(whole, connection) == 3_600)
        #expect(SyncScheduler.rereadInterval(changes, connection) == nil)
    }

    @Test func anIncrementalResourceIsPulledEveryInterval() {
        let runs = [Self.run(.contacts, .full, .succeeded, at: 0)]
        #expect(Self.due([], .contacts, at: 0, reread: nil) == .full)
        #expect(Self.due(runs, .contacts, at: 299, reread: nil) == nil)
        #expect(Self.due(runs, .contacts, at: 300, reread: nil) == .incremental)
        #expect(Self.due(runs, .contacts, at: 86_400, reread: nil) == .full)
    }

    @Test func aResourceWithoutAChangeSignalWaitsForItsDefaultCadence() {
        let reread = SyncScheduler.defaultRereadInterval
        let runs = [Self.run(.office, .full, .succeeded, at: 0)]
        #expect(Self.due([], .office, at: 0, reread: reread) == .full, "never read: at once")
        #expect(Self.due(runs, .office, at: 300, reread: reread) == nil, "not at the next interval")
        #expect(Self.due(runs, .office, at: 21_599, reread: reread) == nil)
        #expect(Self.due(runs, .office, at: 21_600, reread: reread) == .full, "six hours after the last read began")
        // Later incremental pulls of the connection's other resources do not move it.
        let others = [Self.run(.contacts, .incremental, .succeeded, at: 21_000)] + runs
        #expect(Self.due(others, .office, at: 21_599, reread: reread) == nil)
        #expect(Self.due(others, .office, at: 21_600, reread: reread) == .full)
    }

    @Test func aConfiguredCadenceReplacesTheDefault() {
        let runs = [Self.run(.member, .full, .succeeded, at: 0)]
        #expect(Self.due(runs, .member, at: 3_599, reread: 3_600) == nil)
        #expect(Self.due(runs, .member, at: 3_600, reread: 3_600) == .full)
        // A cadence shorter than the sync interval: the interval still spaces the pulls.
        #expect(Self.due(runs, .member, at: 299, reread: 60) == nil)
        #expect(Self.due(runs, .member, at: 300, reread: 60) == .full)
    }

    @Test func aFailedOrAbandonedReadIsRetriedOnTheUsualSchedule() {
        let reread = SyncScheduler.defaultRereadInterval
        let failed = [Self.run(.office, .full, .failed, at: 21_600), Self.run(.office, .full, .succeeded, at: 0)]
        #expect(Self.due(failed, .office, at: 21_899, reread: reread) == nil)
        #expect(Self.due(failed, .office, at: 21_900, reread: reread) == .full, "retried at the sync interval")
        let abandoned = [
            Self.run(.office, .full, .failed, at: 21_600, error: PullRunner.abandonedReason), Self.run(.office, .full, .succeeded, at: 0),
        ]
        #expect(Self.due(abandoned, .office, at: 21_610, reread: reread) == .full, "resumed at once")
        // The unavailable branch keeps the full-pass cadence.
        let unavailable = [Self.run(.activity, .full, .unavailable, at: 0)]
        #expect(Self.due(unavailable, .activity, at: 21_600, reread: reread) == nil)
        #expect(Self.due(unavailable, .activity, at: 86_400, reread: reread) == .full)
    }

    @Test func theNextDueTimeFollowsTheSameRules() {
        let next = { (runs: [SyncRun], resource: ResourceName, reread: TimeInterval?) in
            SyncScheduler.nextDue(runs: runs, resource: resource, interval: 300, fullPassInterval: 86_400, reread: reread)
        }
        #expect(next([], .office, 21_600) == .distantPast, "never read: due at once")
        let read = [Self.run(.office, .full, .succeeded, at: 0), Self.run(.contacts, .incremental, .succeeded, at: 100)]
        #expect(next(read, .office, 21_600) == Self.start.addingTimeInterval(21_600))
        #expect(next(read, .office, 3_600) == Self.start.addingTimeInterval(3_600))
        #expect(next(read, .contacts, nil) == Self.start.addingTimeInterval(400))
        let failed = [Self.run(.office, .full, .failed, at: 21_600)] + read
        #expect(next(failed, .office, 21_600) == Self.start.addingTimeInterval(21_900))
        let unavailable = [Self.run(.activity, .full, .unavailable, at: 0)]
        #expect(next(unavailable, .activity, 21_600) == Self.start.addingTimeInterval(86_400))
    }

    @Test func aReadStoppedByTheBudgetResumesAfterTheReset() {
        let budget = RequestBudget(dailyLimit: 1000, timeZone: TimeZone(identifier: "UTC") ?? .current)
        let runs = [Self.run(.member, .full, .budgetExhausted, at: 3_600), Self.run(.member, .full, .succeeded, at: -86_400)]
        let due = { (offset: TimeInterval) in
            SyncScheduler.due(
                runs: runs, resource: .member, interval: 300, fullPassInterval: 86_400, now: Self.start.addingTimeInterval(offset),
                budget: budget, reread: SyncScheduler.defaultRereadInterval)
        }
        #expect(due(86_399) == nil, "not before midnight UTC")
        #expect(due(86_400) == .full, "resumed at the reset")
    }

    /// A resource with no change signal whose pass needs more than a day of budget completes:
    /// the resumed pass ends the run (no fresh pass chained after it, which would spend the next
    /// day's budget again and never let the run finish).
    @Test func aWholeReadLongerThanADaysBudgetCompletes() async throws {
        let (harness, sandboxClock, hubClock) = try await RequestBudgetLiveTests.budgetedApimo(records: 60)
        defer { Task { try? await harness.shutdown() } }
        let connection = try #require(try await harness.store.connection(id: harness.connectionID, tenant: harness.tenant))
        let connector = try harness.provider.connector(
            for: connection,
            credentials: try await harness.store.credentials(
                connectionID: harness.connectionID, tenant: harness.tenant))
        #expect(connector.capabilities.read(.member)?.incremental == false)

        var last = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .member, mode: .full)
        #expect(last.status == .budgetExhausted, "\(last.error ?? "")")
        var days = 1
        var statuses = [last.status]
        while last.status == .budgetExhausted, days < 6 {
            hubClock.advance(by: .seconds(86_400))
            sandboxClock.advance(by: .seconds(86_400))
            days += 1
            last = try await harness.runner().run(
                tenant: harness.tenant, connectionID: harness.connectionID, resource: .member, mode: .full)
            statuses.append(last.status)
        }
        #expect(statuses == [.budgetExhausted, .succeeded], "\(statuses) \(last.error ?? "")")
        let members = try await harness.store.list(Member.self, tenant: harness.tenant, query: ListQuery(perPage: 1000))
        let expected = try #require(await harness.sandbox.emulator(.apimo)?.control(.list(resource: "users")).records)
            .filter { $0["agency"]?.stringValue == "14" }.compactMap { $0["id"]?.stringValue }
        #expect(Set(members.records.compactMap(\.metadata.sourceKey)) == Set(expected))
        #expect(members.total == 60)
    }
}
