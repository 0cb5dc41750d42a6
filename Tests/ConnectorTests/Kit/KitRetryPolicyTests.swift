import ApimoConnector
import ConnectorKit
import Foundation
import Testing

@Suite struct KitRetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(500), maxDelay: .seconds(4), maxRetryAfter: .seconds(30))

    @Test func backoffCeilingDoublesUpToTheMaximum() {
        #expect(policy.backoffCeiling(retry: 1) == .milliseconds(500))
        #expect(policy.backoffCeiling(retry: 2) == .seconds(1))
        #expect(policy.backoffCeiling(retry: 3) == .seconds(2))
        #expect(policy.backoffCeiling(retry: 4) == .seconds(4))
        #expect(policy.backoffCeiling(retry: 5) == .seconds(4))
        #expect(policy.backoffCeiling(retry: 500) == .seconds(4))
    }

    @Test func fullJitterScalesTheCeilingByTheRandomNumber() {
        #expect(policy.delay(retry: 3, retryAfter: nil, random: 0) == .zero)
        #expect(policy.delay(retry: 3, retryAfter: nil, random: 0.25) == .milliseconds(500))
        #expect(policy.delay(retry: 3, retryAfter: nil, random: 0.5) == .seconds(1))
        // Out-of-range randoms are clamped, never producing a wait beyond the ceiling.
        #expect(policy.delay(retry: 3, retryAfter: nil, random: 7) == .seconds(2))
        #expect(policy.delay(retry: 3, retryAfter: nil, random: -1) == .zero)
        #expect(policy.delay(retry: 3, retryAfter: nil, random: .nan) == .zero)
    }

    @Test func retryAfterReplacesTheBackoffAndIsClamped() {
        #expect(policy.delay(retry: 1, retryAfter: .seconds(7), random: 0.9) == .seconds(7))
        #expect(policy.delay(retry: 1, retryAfter: .seconds(3600), random: 0.9) == .seconds(30))
        #expect(policy.delay(retry: 1, retryAfter: .zero, random: 0.9) == .zero)
    }

    @Test func retryAfterParsesSeconds() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
        #expect(RetryAfter.parse("1.5", now: now) == .milliseconds(1500))
        #expect(RetryAfter.parse("", now: now) == nil)
        #expect(RetryAfter.parse("-5", now: now) == nil)
        #expect(RetryAfter.parse("soon", now: now) == nil)
    }

    @Test func retryAfterParsesTheThreeHTTPDateForms() throws {
        // Sun, 06 Nov 1994 08:49:37 GMT
        let date = Date(timeIntervalSince1970: 784_111_777)
        let now = date.addingTimeInterval(-90)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(90))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: now) == .seconds(90))
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: now) == .seconds(90))
        // A date in the past means "now".
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: date.addingTimeInterval(10)) == .zero)
    }

    @Test func onlyRetryableKindsAreRetriedAndOnlyWithinTheAttempts() {
        let transient = ConnectorError(.retryable, vendor: .apimo, message: "x")
        let limited = ConnectorError(.rateLimited, vendor: .apimo, message: "x")
        let refused = ConnectorError(.validation, vendor: .apimo, message: "x")
        #expect(policy.shouldRetry(attempt: 1, error: transient, idempotent: true, requestNeverSent: false))
        #expect(!policy.shouldRetry(attempt: 5, error: transient, idempotent: true, requestNeverSent: false))
        #expect(!policy.shouldRetry(attempt: 1, error: refused, idempotent: true, requestNeverSent: false))
        // A create that may have reached the vendor is not resent blindly...
        #expect(!policy.shouldRetry(attempt: 1, error: transient, idempotent: false, requestNeverSent: false))
        // ...but one that never left, or that was refused with 429, is.
        #expect(policy.shouldRetry(attempt: 1, error: transient, idempotent: false, requestNeverSent: true))
        #expect(policy.shouldRetry(attempt: 1, error: limited, idempotent: false, requestNeverSent: false))
        // A Retry-After beyond the clamp is handed back to the caller instead of slept.
        let longWait = ConnectorError(.rateLimited, vendor: .apimo, message: "x", retryAfter: .seconds(31))
        #expect(!policy.shouldRetry(attempt: 1, error: longWait, idempotent: true, requestNeverSent: true))
        let shortWait = ConnectorError(.rateLimited, vendor: .apimo, message: "x", retryAfter: .seconds(30))
        #expect(policy.shouldRetry(attempt: 1, error: shortWait, idempotent: true, requestNeverSent: true))
        #expect(!RetryPolicy.none.shouldRetry(attempt: 1, error: transient, idempotent: true, requestNeverSent: true))
    }
}
