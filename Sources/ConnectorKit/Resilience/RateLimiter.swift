import Foundation
import Synchronization

/// Per-connection request limits: requests in flight, requests per second, requests per day.
///
/// - Concurrency: at most `maxConcurrency` permits are out at once; further callers wait in
///   arrival order.
/// - Rate: a generic cell rate algorithm (the virtual-time form of a token bucket): each
///   request reserves the next departure slot `1/rate` after the previous one, with `burst`
///   requests allowed back to back; a caller sleeps on the injected clock until its slot.
/// - Daily quota: counted per calendar day in the quota's time zone; once used up, callers get
///   a `.rateLimited` ``ConnectorError`` whose `retryAfter` is the time to the next midnight
///   (they are not parked for hours).
///
/// Always release a permit: prefer ``withPermit(_:)``.
public final class RateLimiter: Sendable {
    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inFlight = 0
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        /// The theoretical arrival time of the next request (GCRA), in seconds since 1970.
        var theoreticalArrival: Double = 0
        var quotaDay: DateComponents?
        var usedToday = 0
    }

    /// The limits enforced.
    public let limits: RateLimits
    private let vendor: VendorID
    private let clock: any ConnectorClock
    private let calendar: Calendar
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
        calendar.timeZone = TimeZone(identifier: limits.quotaTimeZone) ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        self.calendar = calendar
    }

    /// Requests counted against today's quota so far.
    public var usedToday: Int { state.withLock { $0.usedToday } }

    /// Requests holding a permit right now.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Runs `body` holding a permit, releasing it afterwards whatever happens.
    ///
    /// - Throws: `.rateLimited` when the daily quota is used up, `CancellationError`, or what
    ///   `body` throws.
    public func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if let shared { return try await withSharedPermit(shared.connectionID, shared.limits, body) }
        try await acquire()
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
        _ connectionID: String, _ shared: any SharedRequestLimits, _ body: () async throws -> T
    ) async throws -> T {
        try await acquireConcurrencySlot()
        let permit: SharedRequestPermit
        do {
            permit = try await reserveShared(connectionID, shared)
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
    /// request), or fails when the quota is used up.
    private func reserveShared(_ connectionID: String, _ shared: any SharedRequestLimits) async throws -> SharedRequestPermit {
        while true {
            try Task.checkCancellation()
            let now = clock.now()
            switch try await shared.reserve(connectionID: connectionID, limits: limits, now: now) {
            case .granted(let permit):
                return permit
            case .busy:
                try await clock.sleep(for: .milliseconds(20))
            case .quotaExhausted:
                throw ConnectorError(
                    .rateLimited, vendor: vendor,
                    message:
                        "the daily quota of \(limits.dailyQuota ?? 0) requests is used up (counted over every hub process); it resets at midnight \(calendar.timeZone.identifier)",
                    retryAfter: timeToNextDay(from: now))
            }
        }
    }

    /// Waits for a concurrency slot and a rate slot, and counts the request against the quota.
    ///
    /// - Throws: `.rateLimited` ``ConnectorError`` when the daily quota is used up;
    ///   `CancellationError` when cancelled while waiting (no permit is then held).
    public func acquire() async throws {
        try await acquireConcurrencySlot()
        do {
            let wait = try reserveRateSlotAndQuota()
            if wait > .zero { try await clock.sleep(for: wait) }
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
            // Hand the slot straight to the next waiter: inFlight stays the same.
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }

    private func acquireConcurrencySlot() async throws {
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
                state.withLock { $0.waiters.append(Waiter(id: id, continuation: continuation)) }
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

    /// Counts the request against the daily quota and reserves its rate slot.
    ///
    /// - Returns: how long to wait for the slot.
    private func reserveRateSlotAndQuota() throws -> Duration {
        let now = clock.now()
        return try state.withLock { state -> Duration in
            if let quota = limits.dailyQuota {
                let day = calendar.dateComponents([.year, .month, .day], from: now)
                if state.quotaDay != day {
                    state.quotaDay = day
                    state.usedToday = 0
                }
                guard state.usedToday < quota else {
                    throw ConnectorError(
                        .rateLimited, vendor: vendor,
                        message: "the daily quota of \(quota) requests is used up; it resets at midnight \(calendar.timeZone.identifier)",
                        retryAfter: timeToNextDay(from: now))
                }
                state.usedToday += 1
            }
            guard let rate = limits.requestsPerSecond, rate > 0 else { return .zero }
            let interval = 1 / rate
            let tolerance = Double(limits.burst - 1) * interval
            let nowSeconds = now.timeIntervalSince1970
            let arrival = max(state.theoreticalArrival, nowSeconds)
            let departure = max(nowSeconds, arrival - tolerance)
            state.theoreticalArrival = arrival + interval
            return .seconds(clamping: departure - nowSeconds)
        }
    }

    private func timeToNextDay(from now: Date) -> Duration {
        let start = calendar.startOfDay(for: now)
        guard let next = calendar.date(byAdding: .day, value: 1, to: start) else { return .seconds(86_400) }
        return .seconds(clamping: next.timeIntervalSince(now))
    }
}
