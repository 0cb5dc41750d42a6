public import ConnectorKit
public import Foundation
public import HubStore
public import RealtyModel
import SyncEngine

/// A connection's daily request budget as people set it: `daily_requests` (API) or
/// `--daily-requests` (CLI), and the share kept for deliveries, `delivery_reserve_percent` or
/// `--delivery-reserve-percent`. Read and checked here once for both; a refusal is a
/// ``HubError`` `.validationFailed` naming the field (the API answers 422).
public enum RequestBudgetSetting {
    /// The largest daily budget accepted: ten million requests a day (over 115 a second all
    /// day long) is far beyond any vendor's quota; more is a typing mistake.
    public static let maxDailyRequests = 10_000_000
    /// The accepted daily budgets.
    public static let dailyRequestsRange = 1...maxDailyRequests
    /// The accepted reserve shares, in percent.
    public static let reservePercentRange = RequestBudget.reservePercentRange

    /// The daily budget in a JSON member: a whole number in ``dailyRequestsRange``, or null.
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming `field`.
    public static func dailyRequests(_ value: JSONValue, field: String = "daily_requests") throws -> Int? {
        try whole(value, field: field, range: dailyRequestsRange, unit: "requests a day")
    }

    /// The reserve share in a JSON member: a whole number in ``reservePercentRange``, or null.
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming `field`.
    public static func reservePercent(_ value: JSONValue, field: String = "delivery_reserve_percent") throws -> Int? {
        try whole(value, field: field, range: reservePercentRange, unit: "percent")
    }

    /// The daily budget given as text (a CLI argument): a whole number, or `none` to remove it.
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming `field`.
    public static func dailyRequests(text: String, field: String = "--daily-requests") throws -> Int? {
        try whole(text: text, field: field, range: dailyRequestsRange, unit: "requests a day")
    }

    /// The reserve share given as text (a CLI argument): a whole number, or `none` for the default.
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming `field`.
    public static func reservePercent(text: String, field: String = "--delivery-reserve-percent") throws -> Int? {
        try whole(text: text, field: field, range: reservePercentRange, unit: "percent")
    }

    /// Checks typed settings (callers of the Swift API), as the parsers above do.
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming the API field.
    public static func check(dailyRequests: Int?, reservePercent: Int?) throws {
        if let value = dailyRequests, !dailyRequestsRange.contains(value) {
            throw refusal("daily_requests", range: dailyRequestsRange, unit: "requests a day", got: String(value))
        }
        if let value = reservePercent, !reservePercentRange.contains(value) {
            throw refusal("delivery_reserve_percent", range: reservePercentRange, unit: "percent", got: String(value))
        }
    }

    private static func whole(_ value: JSONValue, field: String, range: ClosedRange<Int>, unit: String) throws -> Int? {
        if case .null = value { return nil }
        guard case .number(let number) = value else {
            throw refusal(field, range: range, unit: unit, got: value.jsonText)
        }
        guard let integral = number.int64Value, integral >= Int64(range.lowerBound), integral <= Int64(range.upperBound) else {
            throw refusal(field, range: range, unit: unit, got: value.jsonText)
        }
        return Int(integral)
    }

    private static func whole(text: String, field: String, range: ClosedRange<Int>, unit: String) throws -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "none" { return nil }
        guard let value = Int(trimmed), range.contains(value) else {
            throw refusal(field, range: range, unit: unit, got: "\"\(text)\"", orNone: true)
        }
        return value
    }

    private static func refusal(_ field: String, range: ClosedRange<Int>, unit: String, got: String, orNone: Bool = false) -> HubError {
        let rule = "a whole number from \(range.lowerBound) to \(range.upperBound) (\(unit))\(orNone ? ", or none" : "")"
        let shown = got.count > 40 ? String(got.prefix(40)) + "…" : got
        return HubError(
            .validationFailed, "\(field) must be \(rule); got \(shown)", details: [FieldError(field: field, message: "must be \(rule)")])
    }
}

extension HubRuntime {
    /// How much of `connection`'s daily request budget is spent today (every process sharing
    /// the store counted), or nil when it has none (no vendor quota, no `daily_requests`).
    ///
    /// - Parameter now: the time to report at (default: now).
    public func requestBudget(for connection: Connection, now: Date = Date()) async throws -> RequestBudget.Usage? {
        guard let budget = connectors.requestLimits(for: connection)?.budget else { return nil }
        let usage = try await store.requestUsage(key: connection.id)
        return budget.usage(used: usage?.used ?? 0, day: usage?.day, now: now)
    }
}
