public import Foundation

/// The delivery outbox: accepted writes committed before they are answered, leased to workers,
/// retried, and guarded by client idempotency keys.
public protocol OutboxStore: Sendable {
    /// Commits new deliveries in one transaction. A delivery whose (tenant, idempotency key,
    /// connection) exists already is not added again; the existing one is returned instead.
    func enqueue(_ deliveries: [NewDelivery], now: Date) async throws -> [Delivery]
    /// Commits a request's deliveries under a client idempotency key, race-free: in one
    /// transaction the key is inserted into a table where (tenant, key) is unique, and only the
    /// transaction that inserted it adds `deliveries` (which must all carry `idempotencyKey`).
    /// Every other request under the key, concurrent or later, adds nothing and reads the key's
    /// fingerprint and deliveries as committed by the winner.
    func enqueue(_ deliveries: [NewDelivery], idempotencyKey: String, tenant: String, fingerprint: String, now: Date) async throws
        -> IdempotentEnqueue
    /// The delivery with `id` in `tenant`, or `nil`.
    func delivery(id: String, tenant: String) async throws -> Delivery?
    /// Deliveries, newest first, optionally filtered.
    func listDeliveries(tenant: String?, filter: DeliveryFilter) async throws -> [Delivery]
    /// Leases up to `limit` due deliveries to `owner`, oldest first: pending ones, retry-wait
    /// ones whose next attempt time has come, and in-flight ones whose lease expired (their
    /// worker died). Each moves to in-flight with one more attempt.
    ///
    /// - Parameter connectionLimits: at most this many of one connection's deliveries (by
    ///   connection id) are claimed; a connection not named is limited by `limit` alone. The
    ///   oldest due deliveries of the other connections fill the rest of the batch.
    func claimDeliveries(
        owner: String, now: Date, leaseDuration: TimeInterval, limit: Int, connectionID: String?, connectionLimits: [String: Int]
    ) async throws -> [Delivery]
    /// In-flight → done, recording the vendor's id and applying `effect` to the hub's records
    /// (read your writes: the vendor's record stored, or the record marked deleted, with its
    /// EntityEvent) in one transaction. The delivery's `recordKey` becomes the hub key of the
    /// record the effect wrote (a create learns its key here). The hub event
    /// `delivery.succeeded` is appended in the same transaction. Nothing is written when the
    /// transition is refused.
    /// - Throws: ``StoreError`` `.invalidTransition` when the delivery is not in flight for `owner`.
    func completeDelivery(id: String, owner: String, remoteID: String?, effect: RecordEffect?, now: Date) async throws -> Delivery
    /// In-flight → retry-wait (when `retryAt` is given) or dead (when nil), recording the error
    /// and its stable code (nil: none). Going dead appends the hub event `delivery.dead` in the
    /// same transaction.
    func failDelivery(id: String, owner: String, error: String, errorCode: String?, retryAt: Date?, now: Date) async throws -> Delivery
    /// In-flight → conflict: the update was not sent because the vendor's record changed;
    /// records the error (code `changed_at_vendor`) and both versions.
    func conflictDelivery(id: String, owner: String, error: String, conflict: DeliveryConflict, now: Date) async throws -> Delivery
    /// Extends the leases of every delivery in flight for `owner` to `now + leaseDuration` (the
    /// heartbeat of a worker whose attempts outlast part of their lease), so that no other worker
    /// takes over a delivery whose worker is alive.
    /// - Returns: the ids of the deliveries whose leases were extended: a delivery `owner`
    ///   claimed that is missing here was finished or taken over by another worker.
    func renewDeliveryLeases(owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Set<String>
    /// Records a remote id learned before the final outcome (for example a lookup hit).
    func recordRemoteID(id: String, owner: String, remoteID: String, now: Date) async throws
    /// Dead or conflict → pending, due now (a user asked to retry), with a fresh attempt
    /// budget; `force` makes the next attempt skip the vendor modification check.
    /// - Throws: ``StoreError`` `.invalidTransition` when the delivery is neither dead nor in
    ///   conflict.
    func retryDelivery(id: String, tenant: String, force: Bool, now: Date) async throws -> Delivery
    /// The signal delivery workers wait on when nothing is due: notified after every commit
    /// through this store that makes deliveries due (an enqueue, a retry), and, where the
    /// database can tell, after such commits of other processes (PostgreSQL: `LISTEN`/`NOTIFY`,
    /// listened for from the first call on). The same signal on every call.
    func outboxSignal() -> OutboxSignal
}

extension OutboxStore {
    /// Completes a delivery that changes no hub record.
    public func completeDelivery(id: String, owner: String, remoteID: String?, now: Date) async throws -> Delivery {
        try await completeDelivery(id: id, owner: owner, remoteID: remoteID, effect: nil, now: now)
    }

    /// Fails a delivery with an error that has no stable code.
    public func failDelivery(id: String, owner: String, error: String, retryAt: Date?, now: Date) async throws -> Delivery {
        try await failDelivery(id: id, owner: owner, error: error, errorCode: nil, retryAt: retryAt, now: now)
    }

    /// Retries a dead delivery as it was.
    public func retryDelivery(id: String, tenant: String, now: Date) async throws -> Delivery {
        try await retryDelivery(id: id, tenant: tenant, force: false, now: now)
    }

    /// ``claimDeliveries(owner:now:leaseDuration:limit:connectionID:connectionLimits:)`` with no
    /// limit per connection but `limit`.
    public func claimDeliveries(
        owner: String, now: Date, leaseDuration: TimeInterval, limit: Int, connectionID: String?
    ) async throws -> [Delivery] {
        try await claimDeliveries(
            owner: owner, now: now, leaseDuration: leaseDuration, limit: limit, connectionID: connectionID, connectionLimits: [:])
    }
}
