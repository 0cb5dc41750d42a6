public import Foundation

/// A connection's request limits kept where every hub process sharing a database sees them,
/// so N processes together stay within the vendor's concurrency, rate and daily quota rather
/// than N times them. The hub implements it over its store; ``RateLimiter`` consults it for
/// every request when a connection's configuration carries one.
public protocol SharedRequestLimits: Sendable {
    /// Tries to reserve one request of `connectionID` under `limits` at `now`.
    ///
    /// A request of `purpose` ``RequestPurpose/pull`` counts against the budget only down to
    /// the share reserved for deliveries, and is granted only a rate slot due at once (else
    /// ``SharedRequestDecision/paced(_:)``, with nothing reserved).
    func reserve(connectionID: String, limits: RateLimits, purpose: RequestPurpose, now: Date) async throws -> SharedRequestDecision
    /// Gives back the concurrency slot of a granted reservation.
    func release(_ permit: SharedRequestPermit) async
    /// How often a held slot is renewed while its request runs (nil: slots are not leased, or
    /// their lease outlasts any request).
    var renewalInterval: Duration? { get }
    /// Extends the lease of a held slot (the heartbeat of a request running longer than part
    /// of the lease), so that short leases free a killed process's slots quickly while a live
    /// process keeps its own.
    func renew(_ permit: SharedRequestPermit) async
}

extension SharedRequestLimits {
    /// Default: slots are never renewed.
    public var renewalInterval: Duration? { nil }
    /// Default: nothing to renew.
    public func renew(_ permit: SharedRequestPermit) async {}
}

/// The answer of ``SharedRequestLimits/reserve(connectionID:limits:now:)``.
public enum SharedRequestDecision: Sendable, Hashable {
    /// Send after `permit.wait`; release the permit when the request is over.
    case granted(SharedRequestPermit)
    /// Every concurrency slot is taken by some process; try again shortly.
    case busy
    /// A pull's rate slot is not due yet (nothing reserved); ask again after the wait.
    case paced(Duration)
    /// Today's quota is used up across the processes (for a pull: down to the reserve).
    case quotaExhausted
}

/// A reserved request: which concurrency slot it holds and how long to wait for its rate slot.
public struct SharedRequestPermit: Sendable, Hashable {
    public var connectionID: String
    public var slot: Int
    public var wait: Duration

    public init(connectionID: String, slot: Int, wait: Duration) {
        self.connectionID = connectionID
        self.slot = slot
        self.wait = wait
    }
}
