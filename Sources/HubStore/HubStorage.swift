public import Foundation
public import RealtyModel

/// Everything the hub keeps: tenants, connections with encrypted credentials, the records of
/// every resource, sync cursors and full-pass generations, the delivery outbox and the change
/// feed.
///
/// Implementations (SQLite, PostgreSQL) must honour the semantics documented on each method;
/// the contract suite in `HubTestSupport` checks them. Nothing here depends on one engine:
/// timestamps are `Date`s, keys are strings, and every multi-step change is one transaction.
public protocol HubStorage: SyncRunStorage {
    // MARK: Schema

    /// The migrations applied and the ones this binary knows.
    func schemaStatus() async throws -> SchemaStatus

    // MARK: Tenants

    /// Creates a tenant.
    /// - Throws: ``StoreError/conflict(_:)`` when the id exists.
    func createTenant(id: String, name: String) async throws -> Tenant
    /// The tenant with `id`, or `nil`.
    func tenant(id: String) async throws -> Tenant?
    /// Every tenant, by id.
    func listTenants() async throws -> [Tenant]

    // MARK: Connections

    /// Inserts or replaces a connection. When `credentials` is non-nil they are encrypted and
    /// stored with it; when nil, the stored credentials are kept.
    /// - Throws: ``StoreError/notFound(_:)`` when the tenant does not exist.
    func saveConnection(_ connection: Connection, credentials: Data?) async throws -> Connection
    /// The connection with `id` in `tenant`, or `nil`.
    func connection(id: String, tenant: String) async throws -> Connection?
    /// The connections of `tenant` (or of every tenant when nil), by name.
    func listConnections(tenant: String?) async throws -> [Connection]
    /// Removes a connection and its cursors. Records it synced are kept.
    /// - Returns: whether it existed.
    func deleteConnection(id: String, tenant: String) async throws -> Bool
    /// The decrypted credentials of a connection, or `nil` when none were stored.
    /// - Throws: ``StoreError/secretKey(_:)`` when they cannot be decrypted with the configured keys.
    func credentials(connectionID: String, tenant: String) async throws -> Data?

    // MARK: API clients

    /// Stores a new API client.
    /// - Throws: ``StoreError/conflict(_:)`` when the id exists, ``StoreError/notFound(_:)``
    ///   when the tenant does not.
    func createAPIClient(_ client: APIClient) async throws
    /// The API client with `id` (of any tenant: a token request names only the client), or `nil`.
    func apiClient(id: String) async throws -> APIClient?
    /// The API clients of `tenant` (or of every tenant when nil), by name.
    func listAPIClients(tenant: String?) async throws -> [APIClient]
    /// Removes an API client; its tokens stop working at their next check.
    /// - Returns: whether it existed.
    func deleteAPIClient(id: String, tenant: String) async throws -> Bool

    // MARK: Records

    /// Inserts or updates records read through one connection, and in the same transaction
    /// writes the cursor (when given) and appends one ``EntityEvent`` per real change.
    ///
    /// A record whose content hash is unchanged is not written (its ModificationTimestamp stays,
    /// and no event is appended); during a full pass only its generation stamp is updated.
    /// If anything fails, nothing of the batch (records, events, cursor) is written.
    /// - Returns: counts and the outcome per record, in input order.
    func upsert<R: HubRecord>(_ records: [R], scope: SyncScope, cursor: String?) async throws -> UpsertSummary
    /// Marks the named records deleted (a vendor reported them deleted), with one event each.
    /// - Returns: how many were newly marked.
    func markDeleted<R: HubRecord>(_ type: R.Type, sourceKeys: [String], scope: SyncScope) async throws -> Int
    /// The record with hub key `key` in `tenant`, deleted or not, or `nil`.
    func record<R: HubRecord>(_ type: R.Type, tenant: String, key: String) async throws -> R?
    /// A page of records. Field names in the query are validated against the resource.
    /// - Throws: ``StoreError/invalidQuery(_:)`` naming the offending parameter.
    func list<R: HubRecord>(_ type: R.Type, tenant: String, query: ListQuery) async throws -> RecordPage<R>

    // MARK: Sync state

    /// The cursor and full-pass state of one (connection, resource).
    func syncState(tenant: String, connectionID: String, resource: ResourceName) async throws -> SyncState?
    /// Starts a full pass and returns its generation; upserts carrying it stamp what they see.
    func beginFullPass(tenant: String, connectionID: String, resource: ResourceName) async throws -> Int64
    /// Completes the full pass `generation`: records of the connection and resource not seen in
    /// it are marked deleted (with events), in one transaction.
    /// - Returns: how many were marked deleted.
    /// - Throws: ``StoreError/conflict(_:)`` when `generation` is not the pass in progress (a
    ///   newer pass started, or it already completed), so a partial pass never deletes.
    func completeFullPass(tenant: String, connectionID: String, resource: ResourceName, generation: Int64) async throws -> Int

    // MARK: Outbox

    /// Commits new deliveries in one transaction. A delivery whose (tenant, idempotency key,
    /// connection) exists already is not added again; the existing one is returned instead.
    func enqueue(_ deliveries: [NewDelivery], now: Date) async throws -> [Delivery]
    /// Commits a request's deliveries under a client idempotency key, race-free: in one
    /// transaction the key is inserted into a table where (tenant, key) is unique, and only the
    /// transaction that inserted it adds `deliveries` (which must all carry `idempotencyKey`).
    /// Every other request under the key, concurrent or later, adds nothing and reads the key's
    /// fingerprint and deliveries as committed by the winner.
    func enqueue(_ deliveries: [NewDelivery], idempotencyKey: String, tenant: String, fingerprint: String, now: Date) async throws -> IdempotentEnqueue
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
    /// In-flight → done, recording the vendor's id, in one transaction.
    /// - Throws: ``StoreError/invalidTransition(_:)`` when the delivery is not in flight for `owner`.
    func completeDelivery(id: String, owner: String, remoteID: String?, now: Date) async throws -> Delivery
    /// In-flight → retry-wait (when `retryAt` is given) or dead (when nil), recording the error.
    func failDelivery(id: String, owner: String, error: String, retryAt: Date?, now: Date) async throws -> Delivery
    /// Extends the leases of every delivery in flight for `owner` to `now + leaseDuration` (the
    /// heartbeat of a worker whose attempts outlast part of their lease), so that no other worker
    /// takes over a delivery whose worker is alive.
    /// - Returns: the ids of the deliveries whose leases were extended: a delivery `owner`
    ///   claimed that is missing here was finished or taken over by another worker.
    func renewDeliveryLeases(owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Set<String>
    /// Records a remote id learned before the final outcome (for example a lookup hit).
    func recordRemoteID(id: String, owner: String, remoteID: String, now: Date) async throws
    /// Dead → pending, due now (a user asked to retry).
    func retryDelivery(id: String, tenant: String, now: Date) async throws -> Delivery

    // MARK: Change feed

    /// Events of `tenant` with a sequence greater than `after`, in order.
    func events(tenant: String, after: Int64, limit: Int) async throws -> [EntityEvent]

    // MARK: Pull-job leases

    /// Leases the pull of one (connection, resource) to `owner` until `now + leaseDuration`, so
    /// that no two workers (in this process or any other sharing the store) pull it at once.
    /// - Returns: whether `owner` holds the lease now: it was free, expired, or already its own
    ///   (claiming again extends it).
    func claimPullJob(
        tenant: String, connectionID: String, resource: ResourceName, owner: String, now: Date, leaseDuration: TimeInterval
    ) async throws -> Bool
    /// Extends `owner`'s lease to `now + leaseDuration` (the heartbeat of a long pull).
    /// - Returns: `false` when `owner` no longer holds it (it expired and another worker took it);
    ///   the pull should then stop.
    func renewPullJob(
        tenant: String, connectionID: String, resource: ResourceName, owner: String, now: Date, leaseDuration: TimeInterval
    ) async throws -> Bool
    /// Gives `owner`'s lease up; does nothing when another worker holds it.
    func releasePullJob(tenant: String, connectionID: String, resource: ResourceName, owner: String) async throws

    // MARK: Shared request limits

    /// Reserves one vendor request under limits shared by every process using the store: a
    /// concurrency slot (leased to `owner` until `now + leaseDuration`, so a killed process's
    /// slots come back), the next rate slot (GCRA: `interval` apart, `burst` back to back) and
    /// one request of today's quota, atomically.
    ///
    /// - Returns: `.busy` when every slot is taken (nothing reserved), `.quotaExhausted` when
    ///   today's quota is used up (nothing reserved), else the slot and how long to wait.
    func reserveRequest(key: String, limits: SharedLimitSpec, owner: String, now: Date, leaseDuration: TimeInterval) async throws -> RequestReservation
    /// Gives a concurrency slot back.
    func releaseRequest(key: String, slot: Int, owner: String) async throws
    /// Extends `owner`'s concurrency slot to `now + leaseDuration` (the heartbeat of a request
    /// outlasting part of the slot's lease).
    /// - Returns: `false` when `owner` no longer holds the slot (its lease ran out and another
    ///   process took it).
    func renewRequest(key: String, slot: Int, owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Bool

    // MARK: Cross-process lock

    /// Runs `body` while holding the lock `name`, which no other process sharing the store
    /// holds at the same time (PostgreSQL: an advisory lock). Stores used by one process need
    /// not implement it: by default `body` just runs.
    func withCrossProcessLock<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T

    // MARK: Lifetime

    /// Releases the store's resources (connections, background tasks). The store must not be
    /// used afterwards. Stores with nothing to release need not implement it.
    func close() async
}

extension HubStorage {
    public func close() async {}

    /// ``claimDeliveries(owner:now:leaseDuration:limit:connectionID:connectionLimits:)`` with no
    /// limit per connection but `limit`.
    public func claimDeliveries(
        owner: String, now: Date, leaseDuration: TimeInterval, limit: Int, connectionID: String?
    ) async throws -> [Delivery] {
        try await claimDeliveries(
            owner: owner, now: now, leaseDuration: leaseDuration, limit: limit, connectionID: connectionID, connectionLimits: [:])
    }

    public func withCrossProcessLock<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T {
        try await body()
    }
}

/// Sync run history and a small expiring cache, used by the sync engine.
public protocol SyncRunStorage: Sendable {
    /// Records the start of a run.
    func startSyncRun(_ run: SyncRun) async throws
    /// Records the end of a run: its counts, its status and its error if it failed.
    /// - Throws: ``StoreError/notFound(_:)`` when the run was never started.
    func finishSyncRun(_ run: SyncRun) async throws
    /// Runs, newest first.
    func listSyncRuns(tenant: String, connectionID: String?, limit: Int) async throws -> [SyncRun]
    /// Marks runs still `running` that started before `before` as failed (their process died),
    /// except runs whose (connection, resource) pull is leased to a worker at `before` (a live
    /// worker, possibly in another process, is still running them).
    /// - Returns: how many were marked.
    func abandonSyncRuns(startedBefore before: Date, reason: String) async throws -> Int

    /// The cached value for `key` in `namespace`, if present and not expired at `now`.
    func cachedValue(namespace: String, key: String, now: Date) async throws -> Data?
    /// Stores a value until `expiresAt`, replacing any previous one.
    func storeCachedValue(_ value: Data, namespace: String, key: String, expiresAt: Date) async throws
}
