import Foundation

/// Apimo's documented request quotas for one provider: at most `perSecond` requests in any
/// one-second window and `perDay` requests per calendar day, the daily counter resetting at
/// midnight Paris time (Europe/Paris, so it follows CET/CEST).
///
/// Readings where the documentation is silent:
/// - Only requests that pass authentication are counted (an anonymous request cannot be charged to
///   a provider). Requests refused for a missing agency grant still count: the provider made them.
/// - A request refused for exceeding a quota is not counted, so a client that backs off as told by
///   `Retry-After` gets through when the window has moved on.
/// - The per-second limit is a sliding one-second window over the times of accepted requests.
///
/// The limiter holds no clock of its own: every decision takes the current time, so tests drive it
/// with the sandbox's injected clock.
struct ApimoQuota: Sendable {
    /// What the limiter decided for one request.
    enum Decision: Sendable, Equatable {
        case allowed
        /// Over the per-second limit; retry after this many whole seconds (at least 1).
        case perSecondExceeded(retryAfterSeconds: Int)
        /// Over the daily quota; retry after this many whole seconds (until Paris midnight).
        case dailyExceeded(retryAfterSeconds: Int)
    }

    let perSecond: Int
    let perDay: Int
    private var recent: [Date] = []
    private var dayStart: Date?
    private var usedToday = 0

    /// The calendar that decides where a quota day starts and ends.
    static let parisCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 3_600) ?? .current
        return calendar
    }()

    init(perSecond: Int, perDay: Int) {
        self.perSecond = max(perSecond, 1)
        self.perDay = max(perDay, 1)
    }

    /// Requests accepted so far in the current Paris day, as of the last decision.
    var usedInCurrentDay: Int { usedToday }

    /// Decides whether a request arriving at `now` may proceed, and counts it when it may.
    mutating func admit(at now: Date) -> Decision {
        let today = Self.parisCalendar.startOfDay(for: now)
        if dayStart != today {
            dayStart = today
            usedToday = 0
        }
        if usedToday >= perDay {
            return .dailyExceeded(retryAfterSeconds: Self.secondsUntilNextParisMidnight(from: now))
        }
        let windowStart = now.addingTimeInterval(-1)
        recent.removeAll { $0 <= windowStart }
        if recent.count >= perSecond, let oldest = recent.first {
            let wait = oldest.addingTimeInterval(1).timeIntervalSince(now)
            return .perSecondExceeded(retryAfterSeconds: max(1, Int(wait.rounded(.up))))
        }
        recent.append(now)
        usedToday += 1
        return .allowed
    }

    /// Whole seconds from `now` to the next midnight in Paris, at least 1.
    static func secondsUntilNextParisMidnight(from now: Date) -> Int {
        let startOfToday = parisCalendar.startOfDay(for: now)
        guard let next = parisCalendar.date(byAdding: .day, value: 1, to: startOfToday) else {
            return 86_400
        }
        return max(1, Int(next.timeIntervalSince(now).rounded(.up)))
    }
}
