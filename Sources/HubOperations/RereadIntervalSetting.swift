public import Foundation
public import RealtyModel
import SyncEngine

/// How often a connection re-reads the resources that have no change signal (read whole each
/// time: Boston Logic lists, Apimo users, agencies and actions, PF users, MyCRM users, PropQ
/// developments), as people set it: `reread_interval_seconds` (API) or `--reread-interval`
/// (CLI). Read and checked here once for both; a refusal is a ``HubError`` `.validationFailed`
/// naming the field (the API answers 422). Unset, the scheduler's default applies
/// (``SyncEngine/SyncScheduler/defaultRereadInterval``, six hours).
public enum RereadIntervalSetting {
    /// The accepted cadences: from 10 seconds (the shortest sync interval) to 30 days.
    public static let range = 10...2_592_000

    /// The default cadence, in seconds.
    public static var defaultSeconds: Int { Int(SyncScheduler.defaultRereadInterval) }

    /// The cadence in a JSON member: a whole number in ``range``, or null (the default).
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming `field`.
    public static func seconds(_ value: JSONValue, field: String = "reread_interval_seconds") throws -> Int? {
        if case .null = value { return nil }
        guard case .number(let number) = value, let whole = number.int64Value, whole >= Int64(range.lowerBound),
            whole <= Int64(range.upperBound)
        else { throw refusal(field, got: value.jsonText) }
        return Int(whole)
    }

    /// The cadence given as text (a CLI argument): a whole number of seconds, or `none` for the
    /// default.
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming `field`.
    public static func seconds(text: String, field: String = "--reread-interval") throws -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "none" { return nil }
        guard let value = Int(trimmed), range.contains(value) else { throw refusal(field, got: "\"\(text)\"", orNone: true) }
        return value
    }

    /// Checks a typed setting (callers of the Swift API), as the parsers above do.
    ///
    /// - Throws: ``HubError`` `.validationFailed` naming the API field.
    public static func check(_ seconds: Int?) throws {
        if let seconds, !range.contains(seconds) { throw refusal("reread_interval_seconds", got: String(seconds)) }
    }

    private static func refusal(_ field: String, got: String, orNone: Bool = false) -> HubError {
        let rule =
            "a whole number of seconds from \(range.lowerBound) to \(range.upperBound)\(orNone ? ", or none for the default (\(defaultSeconds))" : "")"
        let shown = got.count > 40 ? String(got.prefix(40)) + "…" : got
        return HubError(
            .validationFailed, "\(field) must be \(rule); got \(shown)", details: [FieldError(field: field, message: "must be \(rule)")])
    }
}
