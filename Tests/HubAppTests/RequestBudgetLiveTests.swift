import ConnectorKit
import Foundation
import HubOperations
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel
import Sandbox
import Testing

@testable import HubApp
@testable import SyncEngine

/// The daily request budget against the Apimo emulator, which enforces its own quota of 10
/// requests a day (reset at midnight Paris time): a connection with a budget of 10 keeps 2 for
/// deliveries, so its pulls stop at a page boundary after 8 requests and a lead still gets
/// through; the pull resumes after the reset from its cursor, day after day, until every record
/// is stored exactly once, and the emulator never has to refuse a request.
@Suite struct RequestBudgetLiveTests {
    /// Noon in Paris the day before summer time starts.
    static let start = ISO8601DateFormatter().date(from: "2026-03-28T11:00:00Z") ?? Date()

    /// An Apimo connection to agency 14 with a daily budget of 10 requests (the emulator's own
    /// quota too), both clocks manual from ``start``.
    static func budgetedApimo(records: Int) async throws -> (SyncEngineLiveTests.Harness, SandboxClock, ManualConnectorClock) {
        let sandboxClock = SandboxClock.manual(start: Self.start)
        let hubClock = ManualConnectorClock(start: Self.start, autoAdvance: true)
        let harness = try await SyncEngineLiveTests.Harness.start(
            // One agency: Apimo writes go to exactly one.
            .apimo, records: records, apimoDailyQuota: 10, clock: sandboxClock, credentials: ["agency_ids": "14"],
            configure: { $0.dailyRequests = 10 },
            makeProvider: { transport, store in
                // Pages of 5, so the pull needs many requests; the budget is counted in the store.
                RegistryConnectorProvider(
                    transport: transport, clock: hubClock, logger: Logger(label: "test"),
                    sharedLimits: StoreSharedLimits(store: store, owner: "hub-1", logger: Logger(label: "test")),
                    sharedLimitsForBudgetsOnly: true, pageSize: 5)
            })
        return (harness, sandboxClock, hubClock)
    }

    @Test func aPullStopsAtTheReserveAndResumesAfterTheResetWithNothingLostOrDuplicated() async throws {
        let (harness, sandboxClock, hubClock) = try await Self.budgetedApimo(records: 30)
        defer { Task { try? await harness.shutdown() } }
        let connection = try #require(try await harness.store.connection(id: harness.connectionID, tenant: harness.tenant))
        let budget = try #require(harness.provider.requestLimits(for: connection)?.budget)
        #expect(budget.dailyLimit == 10 && budget.reserved == 2 && budget.timeZone.identifier == "Europe/Paris")

        // Day 1: the pull stops where only the reserve is left.
        let first = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .full)
        #expect(first.status == .budgetExhausted, "\(first.error ?? "")")
        #expect(first.pages > 0 && first.inserted > 0, "pages before the reserve are stored: \(first)")
        #expect(first.error?.contains("midnight Europe/Paris (2026-03-28T23:00:00.000Z)") == true, "\(first.error ?? "")")
        #expect(try await harness.store.requestUsage(key: harness.connectionID) == RequestUsage(day: "2026-3-28", used: 8))
        var stored = try await harness.store.list(Contact.self, tenant: harness.tenant, query: ListQuery(perPage: 1)).total
        #expect(stored == first.inserted, "every stored page is committed with its records")

        // A lead is still delivered on day 1, from the reserve.
        var lead = Contact()
        lead.firstName = "Rita"
        lead.lastName = "Reserve"
        lead.email = "rita.reserve@example.com"
        lead.contactType = "Lead"
        let delivery = try #require(
            try await harness.store.enqueue(
                [
                    NewDelivery(
                        tenantID: harness.tenant, connectionID: harness.connectionID, kind: .leadCreate,
                        payload: try JSONEncoder().encode(lead), maxAttempts: 3)
                ], now: Date()
            ).first)
        let worker = DeliveryWorker(store: harness.store, connectors: harness.provider, owner: "w1", logger: harness.logger)
        #expect(try await worker.runOnce() == 1)
        let delivered = try #require(try await harness.store.delivery(id: delivery.id, tenant: harness.tenant))
        #expect(delivered.state == .done, "\(delivered.lastError ?? "")")
        #expect(try await harness.store.requestUsage(key: harness.connectionID)?.used == 9, "the delivery used the reserve")
        // As `GET /v1/connections/{id}`, `connections list` and the metrics report it.
        let runtime = HubRuntime(
            store: harness.store, secretBox: try SecretBox(keys: [SecretKey.generate().key]), connectors: harness.provider,
            logger: harness.logger)
        let usage = try #require(try await runtime.requestBudget(for: connection, now: hubClock.now()))
        #expect(usage.used == 9 && usage.remaining == 1 && usage.pullRemaining == 0 && usage.reserved == 2)
        #expect(usage.resetsAt == ISO8601DateFormatter().date(from: "2026-03-28T23:00:00Z"))

        // Still day 1: the next pull sends nothing and stops at once.
        let again = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .incremental)
        #expect(again.status == .budgetExhausted && again.pages == 0 && again.inserted == 0, "\(again)")
        #expect(try await harness.store.requestUsage(key: harness.connectionID)?.used == 9)

        // After each midnight in Paris, the pull goes on from its cursor until it completes.
        var last = again
        var days = 1
        while last.status == .budgetExhausted, days < 20 {
            hubClock.advance(by: .seconds(86_400))
            sandboxClock.advance(by: .seconds(86_400))
            days += 1
            last = try await harness.runner().run(
                tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .incremental)
            #expect(last.status != .failed, "\(last.error ?? "")")
            #expect(last.deleted == 0)
        }
        #expect(last.status == .succeeded, "\(last.error ?? "")")
        #expect(days >= 2, "the pass took more than a day of budget")

        // Exactly the contacts and leads of the agency granted, once each (the delivered lead too).
        let granted: Set<String> = ["14"]
        var expected: Set<String> = []
        for (list, prefix) in [("contacts", ""), ("leads", "lead-")] {
            let records = try #require(await harness.sandbox.emulator(.apimo)?.control(.list(resource: list)).records)
            for record in records where granted.contains(record["agency"]?.stringValue ?? "") {
                expected.insert(prefix + (record["id"]?.stringValue ?? ""))
            }
        }
        let page = try await harness.store.list(Contact.self, tenant: harness.tenant, query: ListQuery(perPage: 1000))
        let keys = page.records.compactMap(\.metadata.sourceKey)
        #expect(keys.count == Set(keys).count, "no record stored twice")
        #expect(Set(keys) == expected, "missing \(expected.subtracting(keys)), extra \(Set(keys).subtracting(expected))")
        stored = page.total
        #expect(stored == expected.count)
    }

    /// The scheduler does not retry a pull stopped by the budget before the reset, and does
    /// right after it.
    @Test func theSchedulerWaitsForTheResetAfterBudgetExhausted() {
        let budget = RequestBudget(dailyLimit: 1000, timeZone: TimeZone(identifier: "Europe/Paris") ?? .current)
        let stopped = ISO8601DateFormatter().date(from: "2026-03-28T20:00:00Z") ?? Date()
        let run = SyncRun(
            tenantID: "t", connectionID: "c", resource: .contacts, mode: .incremental, status: .budgetExhausted,
            startedAt: stopped.addingTimeInterval(-60), finishedAt: stopped)
        let due = { (now: Date, budget: RequestBudget?) in
            SyncScheduler.due(runs: [run], resource: .contacts, interval: 300, fullPassInterval: 86_400 * 7, now: now, budget: budget)
        }
        let beforeReset = ISO8601DateFormatter().date(from: "2026-03-28T22:59:59Z") ?? Date()
        let afterReset = ISO8601DateFormatter().date(from: "2026-03-28T23:00:00Z") ?? Date()
        #expect(due(beforeReset, budget) == nil, "not retried before midnight Paris")
        #expect(due(afterReset, budget) == .full, "due at the reset (no completed full pass yet)")
        #expect(due(beforeReset, nil) == .full, "a connection without a budget any more is due on its schedule")
    }
}
