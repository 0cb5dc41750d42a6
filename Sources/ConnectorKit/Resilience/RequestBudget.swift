public import Foundation

/// Why a vendor request is sent, which decides its place under the connection's limits.
///
/// The purpose travels as a task-local value, set by the code that knows it and read by
/// ``VendorHTTPClient`` for every request it sends (logins and retries included):
/// - `PullRunner` (SyncEngine) reads a resource's pages inside `RequestPurpose.$current.withValue(.pull)`;
/// - `DeliveryWorker` runs each delivery attempt (lead creates, updates, lookups) inside
///   `RequestPurpose.$current.withValue(.delivery)`;
/// - anything else (a connection test, `probe`, an address check answered while a user waits)
///   is ``interactive``.
///
/// A task-local rather than a parameter because the requests are made deep inside vendor code
/// (read sessions, paginators, auth strategies) that should not have to pass a tag through
/// every call: the engine says what a task is for once, and every request the task (or a child
/// task) makes carries it. A `Task.detached` does not inherit it and counts as interactive.
///
/// What it changes (see ``RateLimiter``): pulls may use the daily budget only down to the share
/// reserved for deliveries (``RequestBudget/reserved``) and yield rate slots to any other
/// request waiting; deliveries and interactive requests may use the whole budget.
public enum RequestPurpose: String, Sendable, Hashable, CaseIterable {
    /// Reading a resource into the hub (background work that can wait for the next day).
    case pull
    /// Writing to the vendor on behalf of the outbox (a lead create, an update, its lookup).
    case delivery
    /// A request a person is waiting for (tests, probes, address checks); the default.
    case interactive

    /// The purpose of the requests the current task makes (``interactive`` unless set).
    @TaskLocal public static var current: RequestPurpose = .interactive

    /// Whether this request may use the share of the daily budget reserved for deliveries,
    /// and goes ahead of waiting pulls for rate and concurrency slots.
    public var hasPriority: Bool { self != .pull }
}

/// A connection's daily request budget and the share of it kept for deliveries: pure
/// arithmetic over a day in the budget's time zone.
///
/// - `dailyLimit`: the requests allowed per day, the smaller of the vendor's documented quota
///   and the connection's own `daily_requests`.
/// - `reserved`: `reservePercent` of it, rounded up, kept for deliveries (and interactive
///   requests): a pull is allowed while `used < dailyLimit - reserved`, so a pull is refused
///   when exactly `reserved` requests remain, and a delivery is allowed while `used < dailyLimit`.
/// - The day starts at midnight in `timeZone` (an IANA zone, e.g. Europe/Paris for Apimo), so
///   a day is 23 or 25 hours long when the zone changes to or from summer time.
public struct RequestBudget: Sendable, Hashable {
    /// Requests per day.
    public var dailyLimit: Int
    /// The share of ``dailyLimit`` kept for deliveries, in percent (0...90).
    public var reservePercent: Int
    /// The zone whose midnight resets the count.
    public var timeZone: TimeZone
    /// The zone's name as the vendor profile gives it (`UTC` stays `UTC`, where Foundation may
    /// say `GMT`).
    public var timeZoneName: String

    /// The share kept for deliveries when a connection does not set one.
    public static let defaultReservePercent = 20
    /// The reserve shares a connection may set.
    public static let reservePercentRange = 0...90

    /// Creates a budget (`reservePercent` is clamped to ``reservePercentRange``).
    public init(
        dailyLimit: Int, reservePercent: Int = RequestBudget.defaultReservePercent, timeZone: TimeZone, timeZoneName: String? = nil
    ) {
        self.dailyLimit = max(0, dailyLimit)
        self.reservePercent = min(max(reservePercent, Self.reservePercentRange.lowerBound), Self.reservePercentRange.upperBound)
        self.timeZone = timeZone
        self.timeZoneName = timeZoneName ?? timeZone.identifier
    }

    /// Requests kept for deliveries: `reservePercent` of the limit, rounded up.
    public var reserved: Int {
        let (product, overflow) = dailyLimit.multipliedReportingOverflow(by: reservePercent)
        return overflow ? dailyLimit / 100 * reservePercent : (product + 99) / 100
    }

    /// The count of today's requests up to which a request of `purpose` is allowed (exclusive).
    public func ceiling(for purpose: RequestPurpose) -> Int {
        purpose.hasPriority ? dailyLimit : dailyLimit - reserved
    }

    /// Whether one more request of `purpose` fits when `used` requests were made today.
    public func allows(_ purpose: RequestPurpose, used: Int) -> Bool { used < ceiling(for: purpose) }

    /// The budget's calendar (Gregorian, in ``timeZone``).
    public var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The day `date` falls on in the budget's zone, as the store keys the count (`2026-12-4`).
    public func day(of date: Date) -> String { Self.dayKey(date, calendar: calendar) }

    /// The next midnight in the budget's zone after `date`.
    public func nextReset(after date: Date) -> Date { Self.nextMidnight(after: date, calendar: calendar) }

    /// The day key of `date` in `calendar`.
    static func dayKey(_ date: Date, calendar: Calendar) -> String {
        let day = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(day.year ?? 0)-\(day.month ?? 0)-\(day.day ?? 0)"
    }

    /// The first midnight in `calendar`'s zone after `date`.
    static func nextMidnight(after date: Date, calendar: Calendar) -> Date {
        let start = calendar.startOfDay(for: date)
        return calendar.date(byAdding: .day, value: 1, to: start) ?? date.addingTimeInterval(86_400)
    }

    /// How much of the budget is spent: what the API, the CLI and the metrics show.
    ///
    /// - Parameters:
    ///   - used: requests counted on `day`.
    ///   - day: the day the count belongs to (``day(of:)``); a count of another day is today's 0.
    ///   - now: the current time.
    public func usage(used: Int, day: String?, now: Date) -> Usage {
        let today = day == self.day(of: now) ? max(0, used) : 0
        return Usage(
            dailyLimit: dailyLimit, reserved: reserved, used: today, remaining: max(0, dailyLimit - today),
            pullRemaining: max(0, dailyLimit - reserved - today), resetsAt: nextReset(after: now), timeZone: timeZoneName)
    }

    /// A budget's state at one moment.
    public struct Usage: Sendable, Hashable, Codable {
        /// Requests allowed per day.
        public var dailyLimit: Int
        /// Requests kept for deliveries.
        public var reserved: Int
        /// Requests made today (every process).
        public var used: Int
        /// Requests left today (for deliveries).
        public var remaining: Int
        /// Requests left today for pulls (down to the reserve).
        public var pullRemaining: Int
        /// When the count starts again.
        public var resetsAt: Date
        /// The zone of the day boundary (IANA name).
        public var timeZone: String

        public init(
            dailyLimit: Int, reserved: Int, used: Int, remaining: Int, pullRemaining: Int, resetsAt: Date, timeZone: String
        ) {
            self.dailyLimit = dailyLimit
            self.reserved = reserved
            self.used = used
            self.remaining = remaining
            self.pullRemaining = pullRemaining
            self.resetsAt = resetsAt
            self.timeZone = timeZone
        }
    }
}
