public import Foundation

/// What the processes sharing one store coordinate through: vendor request limits (concurrency
/// slots, rate slots, daily quotas), a small expiring cache (vendor sessions, lookups) and named
/// cross-process locks.
public protocol LimitStore: Sendable {
    // MARK: Shared request limits

    /// Reserves one vendor request under limits shared by every process using the store: a
    /// concurrency slot (leased to `owner` until `now + leaseDuration`, so a killed process's
    /// slots come back), the next rate slot (GCRA: `interval` apart, `burst` back to back) and
    /// one request of today's quota, atomically.
    ///
    /// - Returns: `.busy` when every slot is taken (nothing reserved), `.quotaExhausted` when
    ///   today's quota is used up (nothing reserved), `.paced` when the request is
    ///   ``SharedLimitSpec/immediateOnly`` and its rate slot is not due yet (nothing reserved),
    ///   else the slot and how long to wait.
    func reserveRequest(key: String, limits: SharedLimitSpec, owner: String, now: Date, leaseDuration: TimeInterval) async throws
        -> RequestReservation
    /// Gives a concurrency slot back.
    func releaseRequest(key: String, slot: Int, owner: String) async throws
    /// Extends `owner`'s concurrency slot to `now + leaseDuration` (the heartbeat of a request
    /// outlasting part of the slot's lease).
    /// - Returns: `false` when `owner` no longer holds the slot (its lease ran out and another
    ///   process took it).
    func renewRequest(key: String, slot: Int, owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Bool
    /// The requests reserved under `key` on the last day one was (nil: none ever), for showing
    /// how much of a daily budget is spent.
    func requestUsage(key: String) async throws -> RequestUsage?

    // MARK: Expiring cache

    /// The cached value for `key` in `namespace`, if present and not expired at `now`.
    func cachedValue(namespace: String, key: String, now: Date) async throws -> Data?
    /// Stores a value until `expiresAt`, replacing any previous one.
    func storeCachedValue(_ value: Data, namespace: String, key: String, expiresAt: Date) async throws

    // MARK: Cross-process lock

    /// Runs `body` while holding the lock `name`, which no other process sharing the store
    /// holds at the same time (PostgreSQL: an advisory lock). Stores used by one process need
    /// not implement it: by default `body` just runs.
    func withCrossProcessLock<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T
}

extension LimitStore {
    /// Runs `body` at once: a store used by one process needs no lock.
    public func withCrossProcessLock<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await body()
    }
}
