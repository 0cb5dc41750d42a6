/// Everything the hub keeps: tenants, connections with encrypted credentials, the records of
/// every resource, sync cursors and full-pass generations, the delivery outbox and the change
/// feed.
///
/// It is the composition of the role protocols (``TenantStore``, ``ConnectionStore``,
/// ``ClientStore``, ``RecordStore``, ``CursorStore``, ``OutboxStore``, ``EventStore``,
/// ``LimitStore``, ``WebhookStore``, ``DashboardSessionStore``, ``RecordSearchStore``): code that holds the whole
/// store uses it, and each part of the engine asks
/// only for the roles it uses.
///
/// Implementations (SQLite, PostgreSQL) must honour the semantics documented on each method;
/// the contract suite in `HubTestSupport` checks them. Nothing here depends on one engine:
/// timestamps are `Date`s, keys are strings, and every multi-step change is one transaction.
public protocol HubStorage:
    TenantStore, ConnectionStore, ClientStore, RecordStore, CursorStore, OutboxStore, EventStore, LimitStore, WebhookStore,
    DashboardSessionStore, RecordSearchStore
{
    // MARK: Schema

    /// The migrations applied and the ones this binary knows.
    func schemaStatus() async throws -> SchemaStatus

    // MARK: Lifetime

    /// Releases the store's resources (connections, background tasks). The store must not be
    /// used afterwards. Stores with nothing to release need not implement it.
    func close() async
}

extension HubStorage {
    /// Nothing to release.
    public func close() async {}
}
