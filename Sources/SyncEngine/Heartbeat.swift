import Foundation

/// The beat of a lease heartbeat, shared by the pull runner (pull-job leases) and the delivery
/// worker (delivery leases): renew every third of the lease, so one missed renewal still
/// leaves the lease standing.
enum Heartbeat {
    /// A third of `leaseDuration` (at least 10 ms).
    static func interval(forLease leaseDuration: TimeInterval) -> Duration {
        .milliseconds(max(10, Int(leaseDuration * 1000 / 3)))
    }

    /// Calls `beat` every `interval` until the task is cancelled or `beat` returns `false`.
    static func every(_ interval: Duration, _ beat: () async -> Bool) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            guard await beat() else { return }
        }
    }

    /// Runs one renewal of a heartbeat beating every `interval`. A slow answer is still good
    /// while the lease stands (half a beat more than the beat); one slower than that fails
    /// with ``RenewalTimedOut`` and counts as a failed renewal.
    static func renew<T: Sendable>(every interval: Duration, _ renewal: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withTimeout(interval * 3 / 2, renewal)
    }
}
