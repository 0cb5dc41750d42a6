public import Foundation
import GRDB
public import HubStore
public import RealtyModel

extension SQLiteHubStore {
    public func startSyncRun(_ run: SyncRun) async throws {
        try await self.run { db in
            try db.execute(
                sql: "INSERT INTO sync_runs (\(StoreColumns.syncRuns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    run.id, run.tenantID, run.connectionID, run.resource.rawValue, run.mode.rawValue, run.status.rawValue,
                    Timestamp.format(run.startedAt), run.finishedAt.map(Timestamp.format), run.inserted, run.updated,
                    run.unchanged, run.deleted, run.pages, run.error, run.skipped,
                ])
        }
    }

    public func finishSyncRun(_ run: SyncRun) async throws {
        try await self.run { db in
            guard
                let stored = try Row.fetchOne(
                    db, sql: "SELECT status, tenant_id, connection_id, resource, started_at FROM sync_runs WHERE id = ?",
                    arguments: [run.id])
            else { throw StoreError.notFound("sync run \(run.id)") }
            try db.execute(
                sql: """
                    UPDATE sync_runs SET status = ?, finished_at = ?, inserted = ?, updated = ?, unchanged = ?,
                    deleted = ?, pages = ?, error = ?, skipped = ? WHERE id = ?
                    """,
                arguments: [
                    run.status.rawValue, run.finishedAt.map(Timestamp.format), run.inserted, run.updated, run.unchanged,
                    run.deleted, run.pages, run.error, run.skipped, run.id,
                ])
            let before: String = stored["status"]
            guard let kind = HubEvent.ending(run.status, from: before) else { return }
            if kind == .connectionUnavailable {
                // The previous finished run of this connection and resource (runs of one pair
                // never overlap: the pull-job lease) decides whether this is a transition.
                let previous = try String.fetchOne(
                    db,
                    sql: """
                        SELECT status FROM sync_runs WHERE tenant_id = ? AND connection_id = ? AND resource = ? AND id <> ?
                        AND status <> 'running' AND started_at <= ? ORDER BY started_at DESC, id DESC LIMIT 1
                        """,
                    arguments: [stored["tenant_id"], stored["connection_id"], stored["resource"], run.id, stored["started_at"]])
                if previous == SyncRun.Status.unavailable.rawValue { return }
            }
            try Self.appendHubEvents(
                db, kind, subjects: [(stored["tenant_id"], run.id, stored["connection_id"])],
                now: Timestamp.format(run.finishedAt ?? Date()))
        }
    }

    public func syncRun(id: String, tenant: String) async throws -> SyncRun? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(StoreColumns.syncRuns) FROM sync_runs WHERE id = ? AND tenant_id = ?", arguments: [id, tenant]
            ).flatMap(Self.syncRun(from:))
        }
    }

    public func listSyncRuns(tenant: String, connectionID: String?, limit: Int) async throws -> [SyncRun] {
        try await read { db in
            var sql = "SELECT \(StoreColumns.syncRuns) FROM sync_runs WHERE tenant_id = ?"
            var arguments: StatementArguments = [tenant]
            if let connectionID {
                sql += " AND connection_id = ?"
                arguments += [connectionID]
            }
            sql += " ORDER BY started_at DESC, id LIMIT ?"
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.syncRun(from:))
        }
    }

    private static func syncRun(from row: Row) -> SyncRun? {
        guard let resource = ResourceName(rawValue: row["resource"]),
            let mode = SyncRun.Mode(rawValue: row["mode"]),
            let status = SyncRun.Status(rawValue: row["status"]),
            let startedAt = date(row["started_at"])
        else { return nil }
        return SyncRun(
            id: row["id"], tenantID: row["tenant_id"], connectionID: row["connection_id"], resource: resource,
            mode: mode, status: status, startedAt: startedAt, finishedAt: date(row["finished_at"]),
            inserted: row["inserted"], updated: row["updated"], unchanged: row["unchanged"],
            deleted: row["deleted"], pages: row["pages"], error: row["error"], skipped: row["skipped"])
    }

    public func abandonSyncRuns(startedBefore before: Date, reason: String) async throws -> Int {
        try await run { db in
            let stamp = Timestamp.format(Date())
            let stale = """
                status = 'running' AND started_at < ?
                AND NOT EXISTS (
                    SELECT 1 FROM pull_jobs j WHERE j.tenant_id = sync_runs.tenant_id
                    AND j.connection_id = sync_runs.connection_id AND j.resource = sync_runs.resource
                    AND j.lease_owner IS NOT NULL AND j.lease_expires_at > ?)
                """
            let arguments: StatementArguments = [Timestamp.format(before), Timestamp.format(before)]
            // Read, then changed, in one write transaction: the same rows.
            let runs = try Row.fetchAll(
                db, sql: "SELECT id, tenant_id, connection_id FROM sync_runs WHERE \(stale) ORDER BY started_at, id",
                arguments: arguments)
            guard !runs.isEmpty else { return 0 }
            try db.execute(
                sql: "UPDATE sync_runs SET status = 'failed', error = ?, finished_at = ? WHERE \(stale)",
                arguments: [reason, stamp] + arguments)
            try Self.appendHubEvents(
                db, .syncRunFailed, subjects: runs.map { ($0["tenant_id"], $0["id"], $0["connection_id"]) }, now: stamp)
            return runs.count
        }
    }

    public func cachedValue(namespace: String, key: String, now: Date) async throws -> Data? {
        try await read { db in
            try Data.fetchOne(
                db, sql: "SELECT value FROM cache_entries WHERE namespace = ? AND key = ? AND expires_at > ?",
                arguments: [namespace, key, Timestamp.format(now)])
        }
    }

    public func storeCachedValue(_ value: Data, namespace: String, key: String, expiresAt: Date) async throws {
        try await run { db in
            try db.execute(
                sql: """
                    INSERT INTO cache_entries (namespace, key, value, expires_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
                    """,
                arguments: [namespace, key, value, Timestamp.format(expiresAt)])
        }
    }

    // MARK: - Pull-job leases

    public func claimPullJob(
        tenant: String, connectionID: String, resource: ResourceName, owner: String, now: Date, leaseDuration: TimeInterval
    ) async throws -> Bool {
        try await run { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT lease_owner, lease_expires_at FROM pull_jobs WHERE tenant_id = ? AND connection_id = ? AND resource = ?",
                arguments: [tenant, connectionID, resource.rawValue])
            if let row, let holder = row["lease_owner"] as String?, holder != owner,
                let expires = Self.date(row["lease_expires_at"]), expires > now
            {
                return false
            }
            try db.execute(
                sql: """
                    INSERT INTO pull_jobs (tenant_id, connection_id, resource, lease_owner, lease_expires_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (tenant_id, connection_id, resource) DO UPDATE SET
                        lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at
                    """,
                arguments: [tenant, connectionID, resource.rawValue, owner, Timestamp.format(now.addingTimeInterval(leaseDuration))])
            return true
        }
    }

    public func renewPullJob(
        tenant: String, connectionID: String, resource: ResourceName, owner: String, now: Date, leaseDuration: TimeInterval
    ) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE pull_jobs SET lease_expires_at = ?
                    WHERE tenant_id = ? AND connection_id = ? AND resource = ? AND lease_owner = ?
                    """,
                arguments: [Timestamp.format(now.addingTimeInterval(leaseDuration)), tenant, connectionID, resource.rawValue, owner])
            return db.changesCount > 0
        }
    }

    public func releasePullJob(tenant: String, connectionID: String, resource: ResourceName, owner: String) async throws {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE pull_jobs SET lease_owner = NULL, lease_expires_at = NULL
                    WHERE tenant_id = ? AND connection_id = ? AND resource = ? AND lease_owner = ?
                    """,
                arguments: [tenant, connectionID, resource.rawValue, owner])
        }
    }
}
