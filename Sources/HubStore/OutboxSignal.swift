import Synchronization

/// Wakes delivery workers when deliveries become due, so a committed lead is claimed at once
/// instead of at the worker's next poll.
///
/// A store signals after every commit that adds due deliveries (an enqueue, a retry asked for
/// by a user); a store shared by several processes also signals when another process commits
/// one (PostgreSQL: `LISTEN`/`NOTIFY`). The signal is a counter, so no wake is lost: a worker
/// reads ``generation`` *before* it looks for due deliveries, and ``wait(after:timeout:)``
/// returns at once when anything was signalled since, also between that look and the wait.
public final class OutboxSignal: Sendable {
    /// One waiting worker: created, then waiting on its continuation, or cancelled before it
    /// began to wait.
    private enum Waiter {
        case created
        case waiting(CheckedContinuation<Void, Never>)
        case cancelled
    }

    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
        var reachesOtherProcesses = false
    }

    private let state = Mutex(State())

    public init() {}

    /// How many times deliveries were signalled; read it before looking for due deliveries.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Whether commits of other processes are signalled too (a PostgreSQL store listening on
    /// its channel); when false, a worker still polls for them at its usual interval.
    public var reachesOtherProcesses: Bool { state.withLock { $0.reachesOtherProcesses } }

    /// Records whether commits of other processes are signalled (the listener is up or down).
    public func setReachesOtherProcesses(_ value: Bool) { state.withLock { $0.reachesOtherProcesses = value } }

    /// Deliveries may have become due: wakes every waiting worker.
    public func notify() {
        let woken = state.withLock { state in
            state.generation &+= 1
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters {
                guard case .waiting(let continuation) = waiter else { continue }
                woken.append(continuation)
                state.waiters[id] = nil
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until something is signalled after `seen` (a value of ``generation``), or until
    /// `timeout` has passed, or the task is cancelled; returns at once when the generation has
    /// already moved on.
    public func wait(after seen: UInt64, timeout: Duration) async {
        guard generation == seen else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForNotify(after: seen) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForNotify(after seen: UInt64) async {
        let id = state.withLock { state in
            state.nextWaiter &+= 1
            state.waiters[state.nextWaiter] = .created
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    // Signalled since `seen`, or cancelled before waiting: no wait.
                    guard state.generation == seen, case .created? = state.waiters[id] else {
                        state.waiters[id] = nil
                        return true
                    }
                    state.waiters[id] = .waiting(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                switch state.waiters[id] {
                case .created?:
                    state.waiters[id] = .cancelled
                    return nil
                case .waiting(let continuation)?:
                    state.waiters[id] = nil
                    return continuation
                case .cancelled?, nil:
                    return nil
                }
            }
            continuation?.resume()
        }
    }
}
