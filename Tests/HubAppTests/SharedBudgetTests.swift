import ConnectorKit
import Foundation
import HubStore
import HubStorePostgres
import HubStoreSQLite
import HubTestSupport
import Logging
import Testing

@testable import HubApp

/// A connection's daily budget counted in the store holds across processes: two store handles
/// (two hub processes) on one SQLite file, and on one PostgreSQL database.
@Suite struct SharedBudgetTests {
    /// 10 a day with 2 kept for deliveries, counted from midnight Paris.
    static let limits = RateLimits(maxConcurrency: 4, dailyQuota: 10, quotaTimeZone: "Europe/Paris", deliveryReservePercent: 20)

    static func limiter(_ store: any HubStorage, owner: String, clock: any ConnectorClock) -> RateLimiter {
        RateLimiter(
            limits: limits, vendor: VendorID(rawValue: "apimo"), clock: clock,
            shared: (connectionID: "conn-1", limits: StoreSharedLimits(store: store, owner: owner, logger: Logger(label: "test"))))
    }

    /// Pulls alternate between the two processes up to the reserve (8 of 10): the ninth is
    /// refused in either, deliveries of either take the last two, then everything waits for
    /// midnight Paris.
    static func budgetHoldsAcrossHandles(_ first: any HubStorage, _ second: any HubStorage) async throws {
        let clock = ManualConnectorClock(start: ISO8601DateFormatter().date(from: "2026-12-04T22:00:00Z") ?? Date(), autoAdvance: true)
        let a = limiter(first, owner: "process-a", clock: clock)
        let b = limiter(second, owner: "process-b", clock: clock)
        for index in 0..<8 { try await (index.isMultiple(of: 2) ? a : b).withPermit(purpose: .pull) {} }
        for process in [a, b] {
            do {
                try await process.withPermit(purpose: .pull) {}
                Issue.record("a ninth pull was sent with 2 of 10 kept for deliveries")
            } catch let error as ConnectorError {
                #expect(error.kind == .budgetExhausted)
                #expect(abs((error.retryAfter?.secondsValue ?? 0) - 3600) < 0.001, "midnight Paris is 23:00 UTC in December")
            }
        }
        #expect(try await first.requestUsage(key: "conn-1") == RequestUsage(day: "2026-12-4", used: 8), "refused pulls are not counted")
        try await a.withPermit(purpose: .delivery) {}
        try await b.withPermit(purpose: .delivery) {}
        #expect(try await second.requestUsage(key: "conn-1") == RequestUsage(day: "2026-12-4", used: 10))
        do {
            try await a.withPermit(purpose: .delivery) {}
            Issue.record("an eleventh request was sent")
        } catch let error as ConnectorError {
            #expect(error.kind == .rateLimited)
        }
        clock.advance(by: .seconds(3600))
        try await b.withPermit(purpose: .pull) {}
        #expect(try await first.requestUsage(key: "conn-1") == RequestUsage(day: "2026-12-5", used: 1), "a new day in Paris")
    }

    @Test func budgetHoldsAcrossProcessesSharingAnSQLiteFile() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rh-budget-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let box = try SecretBox(keys: [SecretKey.generate().key])
        let first = try SQLiteHubStore(directory: folder, secretBox: box)
        let second = try SQLiteHubStore(directory: folder, secretBox: box)
        try await Self.budgetHoldsAcrossHandles(first, second)
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func budgetHoldsAcrossProcessesSharingPostgreSQL() async throws {
        let box = try SecretBox(keys: [SecretKey.generate().key])
        try await PostgresTestDatabase.withSchema { configuration in
            let first = try await PostgresHubStore.open(configuration, secretBox: box)
            let second = try await PostgresHubStore.open(configuration, secretBox: box)
            do {
                try await Self.budgetHoldsAcrossHandles(first, second)
            } catch {
                await first.close()
                await second.close()
                throw error
            }
            await first.close()
            await second.close()
        }
    }
}
