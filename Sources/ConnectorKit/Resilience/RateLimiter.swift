import Foundation
import RealtyModel
import Synchronization

/// Per-connection request limits: requests in flight, requests per second, requests per day,
/// with deliveries ahead of pulls (each request's ``RequestPurpose``, by default the task's).
///
/// - Concurrency: at most `maxConcurrency` permits are out at once; further callers wait in
///   arrival order, except that a freed permit goes to a waiting delivery (or interactive
///   request) before any waiting pull.
/// - Rate: a generic cell rate algorithm (the virtual-time form of a token bucket): a delivery
///   or interactive request reserves the next departure slot `1/rate` after the previous one,
///   with `burst` requests allowed back to back, and sleeps on the injected clock until its
///   slot. A pull never reserves a slot in the future: it takes one only when one is due now,
///   and otherwise sleeps until then and asks again. So queued pulls hold no place in line, and
///   a delivery that arrives while pulls wait is sent in the first slot that comes free.
/// - Daily quota (the connection's budget, ``RateLimits/budget``): counted per calendar day in
///   the quota's time zone. A pull is refused once only the share reserved for deliveries is
///   left, with a `.budgetExhausted` ``ConnectorError``; any request is refused once the whole
///   quota is used, with `.rateLimited`. Both carry the time to the next midnight as
///   `retryAfter` (callers are not parked for hours).
///
/// Always release a permit: prefer ``withPermit(_:)``.
public final class RateLimiter: Sendable {
    private struct Waiter {
        let id: Int
        /// Whether a delivery or interactive request waits (served before pulls).
        let priority: Bool
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inFlight = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        /// The theoretical arrival time of the next request (GCRA), in seconds since 1970.
        var theoreticalArrival: Double = 0
        var quotaDay: String?
        var usedToday = 0
    }

    /// The limits enforced.
    public let limits: RateLimits
    private let vendor: VendorID
    private let clock: any ConnectorClock
    private let calendar: Calendar
    private let budget: RequestBudget?
    private let state = Mutex(State())
    private let shared: (connectionID: String, limits: any SharedRequestLimits)?

    /// Creates a limiter.
    ///
    /// - Parameters:
    ///   - limits: the limits.
    ///   - vendor: the vendor (for quota errors).
    ///   - clock: the time source.
    ///   - shared: limits kept with other processes; when set, the rate and the quota are counted
    ///     there (over all processes) and the concurrency limit holds both here and there.
    public init(
        limits: RateLimits, vendor: VendorID, clock: any ConnectorClock,
        shared: (connectionID: String, limits: any SharedRequestLimits)? = nil
    ) {
        self.limits = limits
        self.shared = shared
        self.vendor = vendor
        self.clock = clock
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = limits.quotaZone
        self.calendar = calendar
        self.budget = limits.budget
    }

    /// Requests counted against today's quota so far by this limiter (with shared limits, the
    /// store counts them: see ``SharedRequestLimits``).
    public var usedToday: Int { state.withLock { $0.usedToday } }

    /// Requests holding a permit right now.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Runs `body` holding a permit, releasing it afterwards whatever happens.
    ///
    /// - Parameter purpose: what the request is for (default: the task's ``RequestPurpose/current``).
    /// - Throws: `.budgetExhausted` when a pull would use the share kept for deliveries,
    ///   `.rateLimited` when the daily quota is used up, `CancellationError`, or what `body` throws.
    public func withPermit<T: Sendable>(purpose: RequestPurpose = RequestPurpose.current, _ body: () async throws -> T) async throws -> T {
        if let shared { return try await withSharedPermit(shared.connectionID, shared.limits, purpose, body) }
        try await acquire(purpose: purpose)
        do {
            let value = try await body()
            release()
            return value
        } catch {
            release()
            throw error
        }
    }

    /// Holds a local concurrency slot (this process's share) and a shared reservation (slot,
    /// rate and quota over every process) around `body`.
    private func withSharedPermit<T: Sendable>(
        _ connectionID: String, _ shared: any SharedRequestLimits, _ purpose: RequestPurpose, _ body: () async throws -> T
    ) async throws -> T {
        try await acquireConcurrencySlot(priority: purpose.hasPriority)
        let permit: SharedRequestPermit
        do {
            permit = try await reserveShared(connectionID, shared, purpose)
        } catch {
            release()
            throw error
        }
        do {
            // The slot is renewed (real time, like its lease in the store) from the moment it
            // is granted until the request ends.
            let value = try await withThrowingTaskGroup(of: Void.self) { group in
                if let interval = shared.renewalInterval {
                    group.addTask {
                        while true {
                            try await Task.sleep(for: interval)
                            await shared.renew(permit)
                        }
                    }
                }
                defer { group.cancelAll() }
                if permit.wait > .zero { try await clock.sleep(for: permit.wait) }
                return try await body()
            }
            release()
            await shared.release(permit)
            return value
        } catch {
            release()
            await shared.release(permit)
            throw error
        }
    }

    /// Polls the shared limits until a slot is free (every 20 ms; slots are held for one
    /// request) or, for a pull, until its rate slot is due; fails when the budget is used up.
    ///
    /// Across processes, the guarantee is the store's: a pull is granted only a rate slot due
    /// at once (``SharedRequestDecision/paced(_:)`` otherwise, nothing reserved), so no pull of
    /// any process holds a future slot, and a delivery of any process waits at most for the
    /// deliveries ahead of it and the pulls already sent. Concurrency slots across processes go
    /// to whichever process asks first when one frees (the delivery-first hand-over holds
    /// within a process only), and the reserve holds across processes exactly.
    private func reserveShared(
        _ connectionID: String, _ shared: any SharedRequestLimits, _ purpose: RequestPurpose
    ) async throws -> SharedRequestPermit {
        while true {
            try Task.checkCancellation()
            let now = clock.now()
            switch try await shared.reserve(connectionID: connectionID, limits: limits, purpose: purpose, now: now) {
            case .granted(let permit):
                return permit
            case .busy:
                try await clock.sleep(for: .milliseconds(20))
            case .paced(let wait):
                try await clock.sleep(for: max(wait, .microseconds(1)))
            case .quotaExhausted:
                throw refusal(purpose, now: now, everyProcess: true)
            }
        }
    }

    /// Waits for a concurrency slot and a rate slot, and counts the request against the quota.
    ///
    /// - Parameter purpose: what the request is for (default: the task's ``RequestPurpose/current``).
    /// - Throws: `.budgetExhausted` or `.rateLimited` ``ConnectorError`` when the daily budget
    ///   refuses the request (see the type's notes); `CancellationError` when cancelled while
    ///   waiting (no permit is then held).
    public func acquire(purpose: RequestPurpose = RequestPurpose.current) async throws {
        try await acquireConcurrencySlot(priority: purpose.hasPriority)
        do {
            try countAgainstBudget(purpose)
            try await waitForRateSlot(purpose)
        } catch {
            release()
            throw error
        }
    }

    /// Returns a permit taken with ``acquire()``.
    public func release() {
        let next = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.inFlight = max(0, state.inFlight - 1)
                return nil
            }
            // Hand the slot straight to the next waiter, deliveries before pulls: inFlight
            // stays the same.
            return state.waiters.remove(at: state.waiters.firstIndex(where: \.priority) ?? 0)
        }
        next?.continuation.resume()
    }

    private func acquireConcurrencySlot(priority: Bool) async throws {
        try Task.checkCancellation()
        let id: Int? = state.withLock { state in
            if state.inFlight < limits.maxConcurrency {
                state.inFlight += 1
                return nil
            }
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { $0.waiters.append(Waiter(id: id, priority: priority, continuation: continuation)) }
                if Task.isCancelled { cancelWaiter(id) }
            }
        } onCancel: {
            cancelWaiter(id)
        }
    }

    private func cancelWaiter(_ id: Int) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: CancellationError())
    }

    /// Counts the request against today's budget.
    ///
    /// - Throws: the refusal when the budget has no room left for `purpose`.
    private func countAgainstBudget(_ purpose: RequestPurpose) throws {
        guard let budget else { return }
        let now = clock.now()
        let day = budget.day(of: now)
        try state.withLock { state in
            if state.quotaDay != day {
                state.quotaDay = day
                state.usedToday = 0
            }
            guard budget.allows(purpose, used: state.usedToday) else {
                throw refusal(purpose, now: now, everyProcess: false)
            }
            state.usedToday += 1
        }
    }

    /// Waits for the request's rate slot: a delivery or interactive request reserves the next
    /// one and sleeps until it; a pull takes a slot only when one is due now, and otherwise
    /// sleeps until the next is due and asks again (so it never holds a place ahead of a
    /// delivery that comes while it waits).
    private func waitForRateSlot(_ purpose: RequestPurpose) async throws {
        guard let rate = limits.requestsPerSecond, rate > 0 else { return }
        let interval = 1 / rate
        let tolerance = Double(limits.burst - 1) * interval
        while true {
            let nowSeconds = clock.now().timeIntervalSince1970
            let (wait, reserved) = state.withLock { state -> (Double, Bool) in
                let arrival = max(state.theoreticalArrival, nowSeconds)
                let departure = max(nowSeconds, arrival - tolerance)
                // A microsecond of slack: a Date cannot tell finer times apart.
                guard purpose.hasPriority || departure - nowSeconds <= 1e-6 else { return (departure - nowSeconds, false) }
                state.theoreticalArrival = arrival + interval
                return (departure - nowSeconds, true)
            }
            if wait > 0 { try await clock.sleep(for: .seconds(clamping: wait)) }
            if reserved { return }
        }
    }

    /// The error refusing a request of `purpose` for the budget: `.budgetExhausted` for a pull
    /// (it stops at a page boundary and resumes after the reset), `.rateLimited` otherwise.
    private func refusal(_ purpose: RequestPurpose, now: Date, everyProcess: Bool) -> ConnectorError {
        let limit = budget?.dailyLimit ?? limits.dailyQuota ?? 0
        let reserved = budget?.reserved ?? 0
        let counted = everyProcess ? " (counted over every hub process)" : ""
        let reset =
            "it resets at midnight \(budget?.timeZoneName ?? calendar.timeZone.identifier) (\(Timestamp.format(RequestBudget.nextMidnight(after: now, calendar: calendar))))"
        if purpose == .pull {
            return ConnectorError(
                .budgetExhausted, vendor: vendor,
                message:
                    "pulls may use \(limit - reserved) of the daily budget of \(limit) requests\(counted), the rest is kept for deliveries; \(reset)",
                retryAfter: timeToNextDay(from: now))
        }
        return ConnectorError(
            .rateLimited, vendor: vendor,
            message: "the daily quota of \(limit) requests is used up\(counted); \(reset)",
            retryAfter: timeToNextDay(from: now))
    }

    private func timeToNextDay(from now: Date) -> Duration {
        .seconds(clamping: RequestBudget.nextMidnight(after: now, calendar: calendar).timeIntervalSince(now))
    }
}
