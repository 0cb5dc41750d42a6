import ApimoConnector
import ConnectorKit
import Foundation
import Synchronization
import Testing

/// The daily request budget: the reserve kept for deliveries, the day boundary in the vendor's
/// zone, and deliveries going ahead of pulls.
@Suite struct KitRequestBudgetTests {
    static let paris = TimeZone(identifier: "Europe/Paris") ?? .current

    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
    }

    @Test func reserveArithmeticAtTheBoundary() {
        let budget = RequestBudget(dailyLimit: 1000, reservePercent: 20, timeZone: Self.paris)
        #expect(budget.reserved == 200)
        #expect(budget.ceiling(for: .pull) == 800)
        #expect(budget.allows(.pull, used: 799))
        #expect(!budget.allows(.pull, used: 800), "a pull is refused when exactly the reserve is left")
        #expect(budget.allows(.delivery, used: 800), "a delivery may use the reserve")
        #expect(budget.allows(.delivery, used: 999))
        #expect(!budget.allows(.delivery, used: 1000))
        #expect(budget.allows(.interactive, used: 999))
        // Rounded up: the reserve is never less than the share asked for.
        #expect(RequestBudget(dailyLimit: 1001, reservePercent: 20, timeZone: Self.paris).reserved == 201)
        #expect(RequestBudget(dailyLimit: 10, reservePercent: 0, timeZone: Self.paris).ceiling(for: .pull) == 10)
        #expect(RequestBudget(dailyLimit: 10, reservePercent: 95, timeZone: Self.paris).reservePercent == 90, "clamped to 90")
        let usage = budget.usage(used: 812, day: budget.day(of: Self.date("2026-12-04T10:00:00Z")), now: Self.date("2026-12-04T10:00:00Z"))
        #expect(
            usage
                == RequestBudget.Usage(
                    dailyLimit: 1000, reserved: 200, used: 812, remaining: 188, pullRemaining: 0,
                    resetsAt: Self.date("2026-12-04T23:00:00Z"),
                    timeZone: "Europe/Paris"))
        let yesterday = budget.usage(used: 812, day: "2026-12-3", now: Self.date("2026-12-04T10:00:00Z"))
        #expect(yesterday.used == 0 && yesterday.pullRemaining == 800, "a count of another day is today's zero")
    }

    /// Apimo's quota resets at midnight Paris time, which is 23:00 UTC in winter and 22:00 UTC
    /// in summer; the days of the changes last 23 and 25 hours.
    @Test func resetIsMidnightParisAcrossSummerTime() {
        let budget = RequestBudget(dailyLimit: 1000, timeZone: Self.paris)
        // The evening before the spring change (CET, UTC+1).
        #expect(budget.nextReset(after: Self.date("2026-03-28T22:30:00Z")) == Self.date("2026-03-28T23:00:00Z"))
        // 29 March 2026 lasts 23 hours: it ends at midnight CEST, 22:00 UTC.
        #expect(budget.nextReset(after: Self.date("2026-03-28T23:00:00Z")) == Self.date("2026-03-29T22:00:00Z"))
        #expect(budget.nextReset(after: Self.date("2026-03-29T10:00:00Z")) == Self.date("2026-03-29T22:00:00Z"))
        #expect(budget.day(of: Self.date("2026-03-28T22:59:59Z")) == "2026-3-28")
        #expect(budget.day(of: Self.date("2026-03-28T23:00:00Z")) == "2026-3-29")
        // 25 October 2026 lasts 25 hours: from 22:00 UTC the day before to 23:00 UTC.
        #expect(budget.nextReset(after: Self.date("2026-10-24T22:00:00Z")) == Self.date("2026-10-25T23:00:00Z"))
        #expect(budget.day(of: Self.date("2026-10-25T22:59:59Z")) == "2026-10-25")
        #expect(budget.day(of: Self.date("2026-10-25T23:00:00Z")) == "2026-10-26")
    }

    /// The limiter refuses the pull that would eat into the reserve (without sending), lets
    /// deliveries use it, and counts again from zero after midnight Paris (here the short
    /// night of the spring change).
    @Test func limiterKeepsTheReserveAndResetsAtMidnightParis() async throws {
        let clock = ManualConnectorClock(start: Self.date("2026-03-28T22:59:00Z"), autoAdvance: true)
        let limits = RateLimits(maxConcurrency: 4, dailyQuota: 10, quotaTimeZone: "Europe/Paris", deliveryReservePercent: 20)
        let limiter = RateLimiter(limits: limits, vendor: .apimo, clock: clock)
        var sent = 0
        for _ in 0..<8 { try await limiter.withPermit(purpose: .pull) { sent += 1 } }
        do {
            try await limiter.withPermit(purpose: .pull) { sent += 1 }
            Issue.record("the ninth pull of 10 with 2 reserved was sent")
        } catch let error as ConnectorError {
            #expect(error.kind == .budgetExhausted)
            #expect(abs((error.retryAfter?.secondsValue ?? 0) - 60) < 0.001, "one minute to midnight Paris")
        }
        #expect(sent == 8 && limiter.usedToday == 8)
        try await limiter.withPermit(purpose: .delivery) { sent += 1 }
        try await RequestPurpose.$current.withValue(.delivery) { try await limiter.withPermit { sent += 1 } }
        #expect(sent == 10)
        do {
            try await limiter.withPermit(purpose: .delivery) {}
            Issue.record("the eleventh request of 10 was sent")
        } catch let error as ConnectorError {
            #expect(error.kind == .rateLimited, "the whole quota is used: deliveries wait for the reset too")
        }
        clock.advance(by: .seconds(60))
        try await limiter.withPermit(purpose: .pull) { sent += 1 }
        #expect(sent == 11 && limiter.usedToday == 1, "a new day in Paris")
    }

    /// With a rate and no budget: a delivery that arrives while pulls wait for their rate
    /// slots is sent in the first slot that comes free.
    @Test func aWaitingDeliveryGoesAheadOfQueuedPulls() async throws {
        let clock = ManualConnectorClock()
        let limiter = RateLimiter(limits: RateLimits(maxConcurrency: 8, requestsPerSecond: 1, burst: 1), vendor: .apimo, clock: clock)
        let order = KitOrderLog()
        try await limiter.withPermit(purpose: .pull) { order.add("pull 0") }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 1...3 {
                group.addTask { try await limiter.withPermit(purpose: .pull) { order.add("pull \(index)") } }
            }
            await clock.waitForSleepers(3)
            group.addTask { try await limiter.withPermit(purpose: .delivery) { order.add("delivery") } }
            await clock.waitForSleepers(4)
            clock.advance(by: .seconds(1))
            // One pull a second after it; the others ask again and sleep until the next slot.
            for waiting in stride(from: 3, to: 0, by: -1) {
                await clock.waitForSleepers(waiting)
                clock.advance(by: .seconds(1))
            }
            try await group.waitForAll()
        }
        let sent = order.entries
        #expect(sent.count == 5)
        #expect(Array(sent.prefix(2)) == ["pull 0", "delivery"], "the delivery takes the first free slot: \(sent)")
    }

    /// A freed concurrency slot goes to a waiting delivery before pulls that waited longer.
    @Test func aFreedSlotGoesToTheDeliveryFirst() async throws {
        let clock = ManualConnectorClock()
        let limiter = RateLimiter(limits: RateLimits(maxConcurrency: 1), vendor: .apimo, clock: clock)
        let order = KitOrderLog()
        let (held, holding) = AsyncStream.makeStream(of: Void.self)
        let (release, releasing) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await limiter.withPermit(purpose: .pull) {
                    holding.yield()
                    for await _ in release { break }
                }
            }
            for await _ in held { break }
            group.addTask { try await limiter.withPermit(purpose: .pull) { order.add("pull") } }
            for _ in 0..<100 { await Task.yield() }
            group.addTask { try await limiter.withPermit(purpose: .delivery) { order.add("delivery") } }
            for _ in 0..<100 { await Task.yield() }
            releasing.yield()
            try await group.waitForAll()
        }
        #expect(order.entries == ["delivery", "pull"])
    }

    /// Every vendor declares its quota's time zone; Apimo's is documented (1,000 a day from
    /// midnight Paris time) and keeps 200 for deliveries by default. A connection's own budget
    /// only ever lowers the vendor's quota.
    @Test func profilesDeclareTheirQuotaZoneAndBudgetsOnlyLower() {
        let apimo = VendorProfile.apimo.rateLimits
        #expect(apimo.dailyQuota == 1000 && apimo.quotaTimeZone == "Europe/Paris")
        #expect(apimo.budget?.reserved == 200 && apimo.budget?.ceiling(for: .pull) == 800)
        #expect(apimo.applying(.init(dailyRequests: 500)).dailyQuota == 500)
        #expect(apimo.applying(.init(dailyRequests: 5000)).dailyQuota == 1000, "the vendor's quota stays the ceiling")
        #expect(apimo.applying(.init(deliveryReservePercent: 50)).budget?.reserved == 500)
        #expect(RateLimits(requestsPerSecond: 5, quotaTimeZone: "UTC").applying(.init(dailyRequests: 300)).budget?.dailyLimit == 300)
        #expect(RateLimits(requestsPerSecond: 5).budget == nil, "no quota, no budget")
    }
}

/// The order in which requests were let through, shared across tasks.
final class KitOrderLog: Sendable {
    private let log = Mutex<[String]>([])
    var entries: [String] { log.withLock { $0 } }
    func add(_ entry: String) { log.withLock { $0.append(entry) } }
}
