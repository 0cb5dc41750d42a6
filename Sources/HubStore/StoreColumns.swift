/// The column lists of the hub's own tables, the same in every store (both migrations create
/// these columns), in the order each store's row readers expect. Static names, never input.
public enum StoreColumns {
    /// `sync_runs`, as ``SyncRun`` holds them.
    public static let syncRuns = """
        id, tenant_id, connection_id, resource, mode, status, started_at, finished_at, inserted, updated, unchanged,
        deleted, pages, error, skipped
        """

    /// `deliveries`, as ``Delivery`` holds them.
    public static let deliveries = """
        id, tenant_id, connection_id, kind, payload, idempotency_key, state, attempts, max_attempts, next_attempt_at,
        last_error, remote_id, lease_owner, lease_expires_at, created_at, updated_at, completed_at
        """
}
