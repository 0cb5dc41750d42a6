public import Foundation

/// When and how long to wait before resending a failed request.
///
/// Exponential backoff with full jitter: the wait before retry *n* (n = 1 for the first retry)
/// is uniform in `[0, min(maxDelay, baseDelay × 2^(n-1))]`. A vendor's `Retry-After` replaces
/// the computed wait, clamped to `maxRetryAfter`, so one vendor cannot park a worker for hours.
/// A `Retry-After` longer than that clamp is not waited out within the call at all: retrying
/// earlier than the vendor asked would only be refused again, so the error is returned at once
/// with the full wait, and the caller (a delivery, a sync job) reschedules itself for it. Pure:
/// the random number is passed in.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (1 means never retry).
    public var maxAttempts: Int
    /// The backoff ceiling of the first retry.
    public var baseDelay: Duration
    /// The largest computed backoff.
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured within a call.
    public var maxRetryAfter: Duration

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - maxAttempts: attempts in all (default 4; at least 1).
    ///   - baseDelay: first backoff ceiling (default 0.5 s).
    ///   - maxDelay: largest backoff (default 30 s).
    ///   - maxRetryAfter: longest honoured `Retry-After` (default 60 s).
    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.maxDelay = max(.zero, maxDelay)
        self.maxRetryAfter = max(.zero, maxRetryAfter)
    }

    /// A policy that never retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The ceiling of the jittered wait before retry number `retry` (1-based):
    /// `min(maxDelay, baseDelay × 2^(retry-1))`.
    public func backoffCeiling(retry: Int) -> Duration {
        let exponent = min(max(0, retry - 1), 62)
        let ceiling = baseDelay.secondsValue * pow(2, Double(exponent))
        return min(maxDelay, .seconds(clamping: ceiling))
    }

    /// The wait before retry number `retry`.
    ///
    /// - Parameters:
    ///   - retry: 1 for the first retry (after the first attempt failed), 2 for the second...
    ///   - retryAfter: the vendor's `Retry-After`, when it sent one.
    ///   - random: a number in `[0, 1)` (full jitter); tests pass fixed values.
    /// - Returns: the clamped `Retry-After` when given, else the jittered backoff.
    public func delay(retry: Int, retryAfter: Duration?, random: Double) -> Duration {
        if let retryAfter { return min(max(.zero, retryAfter), maxRetryAfter) }
        let unit = random.isFinite ? min(max(random, 0), 1) : 0
        return .seconds(clamping: backoffCeiling(retry: retry).secondsValue * unit)
    }

    /// Whether a failure on attempt `attempt` (1-based) should be retried.
    ///
    /// - Parameters:
    ///   - attempt: the attempt that failed.
    ///   - error: its classified error.
    ///   - idempotent: whether resending the request is safe.
    ///   - requestNeverSent: whether the failure proves the vendor never saw the request
    ///     (connect failure) or refused it before acting (429).
    public func shouldRetry(attempt: Int, error: ConnectorError, idempotent: Bool, requestNeverSent: Bool) -> Bool {
        guard attempt < maxAttempts, error.kind.isRetryable else { return false }
        if let retryAfter = error.retryAfter, retryAfter > maxRetryAfter { return false }
        // A 429 is a refusal before any work is done, so even a create may be resent.
        return idempotent || requestNeverSent || error.kind == .rateLimited
    }
}

/// Parses the `Retry-After` header (RFC 9110 §10.2.3): a number of seconds or an HTTP date.
public enum RetryAfter {
    /// The wait a `Retry-After` value asks for.
    ///
    /// - Parameters:
    ///   - value: the header value: `120`, `1.5` (lenient), or an HTTP date in IMF-fixdate
    ///     (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 or asctime form.
    ///   - now: the current time, to turn a date into a wait.
    /// - Returns: the wait (zero for a date in the past), or nil when the value is unreadable.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 else { return nil }
            return .seconds(clamping: seconds)
        }
        guard let date = httpDate(trimmed) else { return nil }
        return .seconds(clamping: date.timeIntervalSince(now))
    }

    /// Parses an HTTP date in any of the three forms RFC 9110 requires recipients to accept.
    public static func httpDate(_ text: String) -> Date? {
        // asctime pads single-digit days with a second space.
        let text = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
