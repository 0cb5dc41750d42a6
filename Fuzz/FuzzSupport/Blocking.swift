import Dispatch

/// Carries one async result back to the blocked fuzzing thread.
private final class Outcome: @unchecked Sendable {
    // Written by the task before `signal()`, read by the waiter after `wait()`: the semaphore
    // orders the two.
    var finished = false
}

/// Runs `work` on the concurrency runtime and waits for it: libFuzzer calls the harness
/// synchronously, the connectors are async.
public func runBlocking(_ work: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    let outcome = Outcome()
    Task {
        await work()
        outcome.finished = true
        done.signal()
    }
    done.wait()
}
