public import Foundation
import Synchronization

/// The time source of backoff, rate limits and token expiry, injected so tests never sleep.
public protocol ConnectorClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Suspends for `duration`.
    ///
    /// - Throws: `CancellationError` when the task is cancelled while sleeping.
    func sleep(for duration: Duration) async throws
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemConnectorClock: ConnectorClock {
    /// Creates the system clock.
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return try Task.checkCancellation() }
        try await Task.sleep(for: duration)
    }
}

/// A clock that moves only when told to, for tests.
///
/// `sleep(for:)` suspends until ``advance(by:)`` moves the time past the sleeper's deadline.
/// With `autoAdvance`, a sleep instead moves the time forward by its duration and returns at
/// once, so code that backs off runs instantly while the total waited time stays observable.
public final class ManualConnectorClock: ConnectorClock {
    private struct Sleeper {
        let id: Int
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var nextID = 0
        var sleepers: [Sleeper] = []
        var sleeps: [Duration] = []
    }

    private let state: Mutex<State>
    private let autoAdvance: Bool

    /// Creates a manual clock.
    ///
    /// - Parameters:
    ///   - start: the initial time (default 2025-01-01T00:00:00Z).
    ///   - autoAdvance: whether a sleep advances the time itself and returns at once.
    public init(start: Date = Date(timeIntervalSince1970: 1_735_689_600), autoAdvance: Bool = false) {
        self.state = Mutex(State(now: start))
        self.autoAdvance = autoAdvance
    }

    public func now() -> Date { state.withLock { $0.now } }

    /// Every duration slept so far, in order (zero-length sleeps included).
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }

    /// The number of tasks suspended in `sleep(for:)` right now.
    public var pendingSleepers: Int { state.withLock { $0.sleepers.count } }

    public func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        if autoAdvance || duration <= .zero {
            let due = state.withLock { state -> [Sleeper] in
                state.sleeps.append(duration)
                if duration > .zero { state.now = state.now.addingTimeInterval(duration.secondsValue) }
                return Self.takeDue(&state)
            }
            for sleeper in due { sleeper.continuation.resume() }
            return
        }
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    state.sleeps.append(duration)
                    state.sleepers.append(
                        Sleeper(
                            id: id, deadline: state.now.addingTimeInterval(duration.secondsValue), continuation: continuation))
                }
                // A cancellation that arrived before the sleeper was registered found nothing
                // to cancel; catch it here.
                if Task.isCancelled { cancel(id) }
            }
        } onCancel: {
            cancel(id)
        }
    }

    /// Moves the time forward and wakes every sleeper whose deadline has passed.
    ///
    /// - Parameter duration: how far to move.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.addingTimeInterval(duration.secondsValue)
            return Self.takeDue(&state)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits (yielding, without sleeping) until at least `count` tasks are suspended in
    /// `sleep(for:)`, so a test can advance the time exactly when the code under test waits.
    ///
    /// - Parameter count: the number of sleepers to wait for.
    public func waitForSleepers(_ count: Int) async {
        while pendingSleepers < count { await Task.yield() }
    }

    private func cancel(_ id: Int) {
        let sleeper = state.withLock { state -> Sleeper? in
            guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
            return state.sleepers.remove(at: index)
        }
        sleeper?.continuation.resume(throwing: CancellationError())
    }

    private static func takeDue(_ state: inout State) -> [Sleeper] {
        let now = state.now
        let due = state.sleepers.filter { $0.deadline <= now }
        state.sleepers.removeAll { $0.deadline <= now }
        return due
    }
}
