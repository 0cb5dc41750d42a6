public import Foundation
import Synchronization

/// The time source every emulator reads (token and session expiry, timestamps on records).
///
/// A wall clock by default; tests use a manual clock and `advance(by:)` it instead of sleeping.
/// Both kinds can be moved forward (the wall clock keeps an offset), which the control API
/// exposes as `POST /_sandbox/clock` so out-of-process tests can expire tokens too.
/// One clock is shared by all emulators of a sandbox run.
public final class SandboxClock: Sendable {
    private enum Base {
        case wall
        case manual(Date)
    }

    private struct State {
        var base: Base
        var offset: TimeInterval
    }

    private let state: Mutex<State>

    private init(base: Base) {
        self.state = Mutex(State(base: base, offset: 0))
    }

    /// A clock that follows the system time (plus any `advance(by:)`).
    public static func wall() -> SandboxClock {
        SandboxClock(base: .wall)
    }

    /// A clock that stands still at `start` until advanced.
    /// - Parameter start: the initial time (default 2025-01-01T00:00:00Z).
    public static func manual(start: Date = Date(timeIntervalSince1970: 1_735_689_600)) -> SandboxClock {
        SandboxClock(base: .manual(start))
    }

    /// The current time of this clock.
    public var now: Date {
        state.withLock { state in
            switch state.base {
            case .wall: Date().addingTimeInterval(state.offset)
            case .manual(let date): date.addingTimeInterval(state.offset)
            }
        }
    }

    /// Whether this clock only moves when advanced.
    public var isManual: Bool {
        state.withLock { if case .manual = $0.base { true } else { false } }
    }

    /// Moves the clock forward.
    /// - Parameter duration: how far; negative durations are ignored (time never goes back).
    public func advance(by duration: Duration) {
        let seconds = duration.timeInterval
        guard seconds > 0 else { return }
        state.withLock { $0.offset += seconds }
    }
}

extension Duration {
    /// This duration in seconds, as a `TimeInterval`.
    public var timeInterval: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
