import ApimoConnector
import ConnectorKit
import Foundation
import MyCRMConnector
import Synchronization
import Testing

@Suite struct KitRateLimiterTests {
    @Test func requestsAreSpacedAtTheRateAfterTheBurst() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let limiter = RateLimiter(limits: RateLimits(maxConcurrency: 1, requestsPerSecond: 10, burst: 10), vendor: .apimo, clock: clock)
        let start = clock.now()
        var departures: [Double] = []
        for _ in 0..<30 {
            try await limiter.withPermit { departures.append(clock.now().timeIntervalSince(start)) }
        }
        // The first 10 go at once, then one every 100 ms.
        #expect(departures.prefix(10).allSatisfy { $0 == 0 })
        for index in 10..<30 {
            #expect(abs(departures[index] - Double(index - 9) * 0.1) < 0.0001, "request \(index) at \(departures[index])")
        }
        // 30 requests at 10/s with a burst of 10 take 2 s: never faster than the rate.
        #expect(abs(clock.now().timeIntervalSince(start) - 2.0) < 0.0001)
    }

    @Test func idleTimeRefillsTheBurst() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let limiter = RateLimiter(limits: RateLimits(requestsPerSecond: 2, burst: 2), vendor: .apimo, clock: clock)
        for _ in 0..<4 { try await limiter.withPermit {} }
        let slept = clock.sleeps.reduce(Duration.zero, +)
        #expect(slept == .seconds(1))
        clock.advance(by: .seconds(10))
        let before = clock.sleeps.count
        try await limiter.withPermit {}
        try await limiter.withPermit {}
        #expect(clock.sleeps.count == before)
    }

    @Test func concurrencyIsCappedAndWaitersProceedInTurn() async throws {
        let clock = ManualConnectorClock()
        let limiter = RateLimiter(limits: RateLimits(maxConcurrency: 3), vendor: .mycrm, clock: clock)
        let peak = KitPeakTracker()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await limiter.withPermit {
                        peak.enter()
                        for _ in 0..<5 { await Task.yield() }
                        peak.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.peak == 3)
        #expect(limiter.inFlight == 0)
    }

    @Test func aCancelledWaiterLeavesWithoutAPermit() async throws {
        let clock = ManualConnectorClock()
        let limiter = RateLimiter(limits: RateLimits(maxConcurrency: 1), vendor: .mycrm, clock: clock)
        try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        for _ in 0..<20 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        limiter.release()
        #expect(limiter.inFlight == 0)
        try await limiter.acquire()
        #expect(limiter.inFlight == 1)
        limiter.release()
    }

    @Test func theDailyQuotaStopsRequestsUntilMidnightInItsTimeZone() async throws {
        // 2025-01-01 22:30 UTC is 23:30 in Paris (CET): the quota resets 30 minutes later.
        let clock = ManualConnectorClock(start: Date(timeIntervalSince1970: 1_735_770_600), autoAdvance: true)
        let limiter = RateLimiter(
            limits: RateLimits(requestsPerSecond: nil, dailyQuota: 3, quotaTimeZone: "Europe/Paris"), vendor: .apimo, clock: clock)
        for _ in 0..<3 { try await limiter.withPermit {} }
        #expect(limiter.usedToday == 3)
        let error = await #expect(throws: ConnectorError.self) { try await limiter.withPermit {} }
        #expect(error?.kind == .rateLimited)
        #expect(error?.retryAfter == .seconds(1800))
        #expect(limiter.inFlight == 0)
        clock.advance(by: .seconds(1800))
        try await limiter.withPermit {}
        #expect(limiter.usedToday == 1)
    }
}

/// Tracks how many tasks are inside a section at once.
final class KitPeakTracker: Sendable {
    private let state = Mutex((current: 0, peak: 0))
    func enter() {
        state.withLock {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
    }
    func leave() { state.withLock { $0.current -= 1 } }
    var peak: Int { state.withLock { $0.peak } }
}
