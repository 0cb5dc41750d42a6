public import Foundation
public import RealtyModel

/// The sync state of each (connection, resource): its cursor and full-pass progress, the
/// history of sync runs, and the pull-job leases that keep two workers from pulling it at once.
/// (Cursors are written by ``RecordStore/upsert(_:scope:cursor:)``, with the page they follow.)
public protocol CursorStore: Sendable {
    /// The cursor and full-pass state of one (connection, resource).
    func syncState(tenant: String, connectionID: String, resource: ResourceName) async throws -> SyncState?

    // MARK: Sync runs

    /// Records the start of a run.
    func startSyncRun(_ run: SyncRun) async throws
    /// Records the end of a run: its counts, its status and its error if it failed; in the
    /// same transaction, `sync_run.failed` when it ends failed and `connection.unavailable`
    /// when it ends unavailable after a run that was not (see ``HubEvent/Kind``).
    /// - Throws: ``StoreError`` `.notFound` when the run was never started.
    func finishSyncRun(_ run: SyncRun) async throws
    /// The run `id` of `tenant`, or nil.
    func syncRun(id: String, tenant: String) async throws -> SyncRun?
    /// Runs, newest first.
    func listSyncRuns(tenant: String, connectionID: String?, limit: Int) async throws -> [SyncRun]
    /// Marks runs still `running` that started before `before` as failed (their process died),
    /// except runs whose (connection, resource) pull is leased to a worker at `before` (a live
    /// worker, possibly in another process, is still running them).
    /// Each one marked emits `sync_run.failed`, in the same transaction.
    /// - Returns: how many were marked.
    func abandonSyncRuns(startedBefore before: Date, reason: String) async throws -> Int

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
}
