import ConnectorKit
import Foundation
import HubStore
import HubStoreSQLite
import Logging
import Testing

@testable import HubApp

/// A connection's limits counted in the store hold across processes: two limiters, as two
/// hub processes would have, sharing one store.
@Suite struct SharedLimitsTests {
    actor Log {
        var entries: [String] = []
        func add(_ entry: String) { entries.append(entry) }
    }

    static func limiter(_ store: any HubStorage, owner: String, limits: RateLimits) -> RateLimiter {
        RateLimiter(
            limits: limits, vendor: VendorID(rawValue: "apimo"), clock: SystemConnectorClock(),
            shared: (connectionID: "conn-1", limits: StoreSharedLimits(store: store, owner: owner, logger: Logger(label: "test"))))
    }

    /// A rate as small as the API accepts (any positive number) paces, it does not crash: the
    /// interval and the wait are bounded before they become durations. The schemathesis job
    /// once stopped the demo with requests_per_second 5e-324 on a connection with a budget.
    @Test(arguments: [5e-324, 1e-300, 1e-9])
    func aTinyRateIsPacedNotACrash(rate: Double) async throws {
        let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
        let shared = StoreSharedLimits(store: store, owner: "process-a", logger: Logger(label: "test"))
        let limits = RateLimits(maxConcurrency: 1, requestsPerSecond: rate, dailyQuota: 10)
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        guard case .granted(let first) = try await shared.reserve(connectionID: "c", limits: limits, purpose: .delivery, now: now) else {
            Issue.record("the first request of the day is granted")
            return
        }
        #expect(first.wait == .zero)
        await shared.release(first)
        // The next slot is 10⁹ s away at most: a delivery is told to wait that long, a pull to ask later.
        let delivery = try await shared.reserve(connectionID: "c", limits: limits, purpose: .delivery, now: now)
        guard case .granted(let second) = delivery else {
            Issue.record("a delivery reserves the next slot: \(delivery)")
            return
        }
        #expect(second.wait > .seconds(1_000_000) && second.wait <= .seconds(1_000_000_000))
        await shared.release(second)
        let pull = try await shared.reserve(connectionID: "c", limits: limits, purpose: .pull, now: now)
        guard case .paced(let wait) = pull else {
            Issue.record("a pull is paced: \(pull)")
            return
        }
        #expect(wait <= .seconds(2_000_000_000))
    }

    @Test func concurrencyHoldsAcrossProcesses() async throws {
        let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
        let limits = RateLimits(maxConcurrency: 1)
        let first = Self.limiter(store, owner: "process-a", limits: limits)
        let second = Self.limiter(store, owner: "process-b", limits: limits)
        let log = Log()
        let (entered, enteredSignal) = AsyncStream.makeStream(of: Void.self)
        let (release, releaseSignal) = AsyncStream.makeStream(of: Void.self)
        let a = Task {
            try await first.withPermit {
                await log.add("a in")
                enteredSignal.yield()
                var iterator = release.makeAsyncIterator()
                _ = await iterator.next()
                await log.add("a out")
            }
        }
        var iterator = entered.makeAsyncIterator()
        _ = await iterator.next()
        let b = Task { try await second.withPermit { await log.add("b in") } }
        try await Task.sleep(for: .milliseconds(300))
        #expect(await log.entries == ["a in"], "the other process waits while the one slot is held")
        releaseSignal.yield()
        try await a.value
        try await b.value
        #expect(await log.entries == ["a in", "a out", "b in"])
    }

    @Test func dailyQuotaAndRateHoldAcrossProcesses() async throws {
        let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
        let limits = RateLimits(maxConcurrency: 4, requestsPerSecond: 1000, dailyQuota: 3)
        let first = Self.limiter(store, owner: "process-a", limits: limits)
        let second = Self.limiter(store, owner: "process-b", limits: limits)
        try await first.withPermit {}
        try await first.withPermit {}
        try await second.withPermit {}
        do {
            try await second.withPermit {}
            Issue.record("the fourth request of the day passed a quota of 3 over two processes")
        } catch let error as ConnectorError {
            #expect(error.kind == .rateLimited && error.retryAfter != nil)
        }
        await #expect(throws: ConnectorError.self) { try await first.withPermit {} }
    }
}
