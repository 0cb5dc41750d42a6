import Foundation
public import Logging

/// The token or session of one connection, renewed before it expires, with one renewal in
/// flight at a time.
///
/// - Single flight: when the session is missing or due, the first caller starts a renewal and
///   every concurrent caller awaits that same renewal.
/// - Renewal before expiry: a session is due `renewalMargin` before its absolute expiry, and
///   (for sessions with an idle timeout) `renewalMargin` before it would go idle.
/// - ``invalidate(_:)`` drops a session the vendor refused (a 401, MyCRM `SESSION_EXPIRED`), but
///   only if it is still the current one, so a refusal of an old session never discards a
///   fresh one obtained meanwhile.
/// - Across processes: given a ``SharedSessionStore``, a renewal runs under its cross-process
///   lock, first re-reads the stored session (another process may just have renewed) and uses
///   it when it is fresh and not refused here, else logs in and stores the new session.
public actor TokenCache {
    /// The renewal: logs in and returns a new session.
    public typealias Renewal = @Sendable () async throws -> AuthSession

    private let connectionID: String
    private let renewalMargin: Duration
    private let clock: any ConnectorClock
    private let logger: Logger
    private var current: AuthSession?
    private var lastUsed: Date?
    private var inFlight: Task<AuthSession, any Error>?
    private var generation = 0
    private let shared: (any SharedSessionStore)?
    /// Secrets the vendor refused, never taken from the shared store again (the last few).
    private var refused: [String] = []

    /// Renewals started so far (successful or not).
    public private(set) var renewalCount = 0

    /// Creates an empty cache.
    ///
    /// - Parameters:
    ///   - connectionID: the connection (for logs).
    ///   - renewalMargin: how long before expiry (or idling out) a session is renewed.
    ///   - clock: the time source.
    ///   - logger: where renewals are logged.
    ///   - shared: sessions shared with other processes, with their renewal lock (none: this
    ///     process renews on its own).
    public init(
        connectionID: String, renewalMargin: Duration, clock: any ConnectorClock, logger: Logger,
        shared: (any SharedSessionStore)? = nil
    ) {
        self.connectionID = connectionID
        self.renewalMargin = renewalMargin
        self.clock = clock
        self.logger = logger
        self.shared = shared
    }

    /// The current session, renewing it first when missing or due.
    ///
    /// - Parameter renew: performs the login; used only when this call starts a renewal.
    /// - Returns: a session valid for at least the renewal margin (when its expiry is known).
    /// - Throws: what the renewal throws (every caller waiting on it gets the same error).
    public func session(renew: @escaping Renewal) async throws -> AuthSession {
        if let current, isUsable(current, at: clock.now()) {
            lastUsed = clock.now()
            return current
        }
        if let inFlight { return try await inFlight.value }
        renewalCount += 1
        let reason = current == nil ? "none cached" : "due for renewal"
        logger.debug("renewing auth session", metadata: ["hub.connection.id": "\(connectionID)", "hub.auth.reason": "\(reason)"])
        // An unstructured task so the renewal survives the cancellation of the caller that
        // happened to start it: other callers are waiting on it too.
        // The generation is stamped inside the task so every caller sharing this renewal gets
        // the same, stamped session (and can later invalidate exactly it).
        generation += 1
        let stamp = generation
        let renewal = sharedRenewal(renew)
        let task = Task<AuthSession, any Error> {
            var fresh = try await renewal()
            fresh.generation = stamp
            return fresh
        }
        inFlight = task
        do {
            let fresh = try await task.value
            if inFlight == task {
                inFlight = nil
                current = fresh
                lastUsed = clock.now()
            }
            return fresh
        } catch {
            if inFlight == task { inFlight = nil }
            throw error
        }
    }

    /// `renew`, wrapped in the shared store's cross-process lock and re-read when there is one.
    private func sharedRenewal(_ renew: @escaping Renewal) -> Renewal {
        guard let shared else { return renew }
        let connectionID = connectionID
        let clock = clock
        let margin = renewalMargin
        let refused = Set(refused)
        let logger = logger
        return {
            do {
                return try await shared.withRenewalLock(connectionID: connectionID) {
                    if let stored = try? await shared.load(connectionID: connectionID), !refused.contains(stored.secret),
                        TokenCache.isUsable(stored, at: clock.now(), margin: margin, lastUsed: stored.obtainedAt)
                    {
                        return stored
                    }
                    let fresh: AuthSession
                    do {
                        fresh = try await renew()
                    } catch {
                        throw VendorRenewalFailure(error: error)
                    }
                    do {
                        try await shared.save(fresh, connectionID: connectionID)
                    } catch {
                        logger.warning(
                            "could not share the new auth session",
                            metadata: [
                                "hub.connection.id": "\(connectionID)", "hub.error": "\(type(of: error))",
                            ])
                    }
                    return fresh
                }
            } catch let failure as VendorRenewalFailure {
                throw failure.error
            } catch {
                // The shared store is unavailable: renew alone rather than not at all.
                logger.warning(
                    "shared auth session store unavailable; renewing without it",
                    metadata: [
                        "hub.connection.id": "\(connectionID)", "hub.error": "\(type(of: error))",
                    ])
                return try await renew()
            }
        }
    }

    /// Forgets `session` if it is still the current one; the next call renews.
    ///
    /// - Parameter session: the session the vendor refused, or nil to forget whatever is cached.
    public func invalidate(_ session: AuthSession? = nil) {
        guard let cached = current else { return }
        if let session, session.generation != cached.generation { return }
        logger.debug("auth session invalidated", metadata: ["hub.connection.id": "\(connectionID)"])
        refused.append(cached.secret)
        if refused.count > 8 { refused.removeFirst(refused.count - 8) }
        current = nil
    }

    /// Marks the current session used now (resets its idle timer, as the vendor does).
    public func touch() {
        if current != nil { lastUsed = clock.now() }
    }

    /// The cached session, without renewing (nil when none or when it is due).
    public var cachedSession: AuthSession? {
        guard let current, isUsable(current, at: clock.now()) else { return nil }
        return current
    }

    private func isUsable(_ session: AuthSession, at now: Date) -> Bool {
        Self.isUsable(session, at: now, margin: renewalMargin, lastUsed: lastUsed)
    }

    /// Whether `session` is valid for at least the margin at `now`, given when it was last used.
    static func isUsable(_ session: AuthSession, at now: Date, margin renewalMargin: Duration, lastUsed: Date?) -> Bool {
        let margin = renewalMargin.secondsValue
        if let expiresAt = session.expiresAt {
            // A lifetime shorter than twice the margin would renew on every call; use half of
            // the lifetime as the margin then.
            let lifetime = expiresAt.timeIntervalSince(session.obtainedAt)
            let effective = lifetime > 0 ? min(margin, lifetime / 2) : margin
            if now.addingTimeInterval(effective) >= expiresAt { return false }
        }
        if let idle = session.idleTimeout?.secondsValue, let lastUsed {
            let effective = min(margin, idle / 2)
            if now.timeIntervalSince(lastUsed) + effective >= idle { return false }
        }
        return true
    }
}

/// A vendor login failure inside the shared renewal lock, told apart from the lock's own failures.
private struct VendorRenewalFailure: Error {
    let error: any Error
}
