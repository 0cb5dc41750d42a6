public import Foundation
public import HubStore
import GRDB
import RealtyModel

extension SQLiteHubStore {
    private static let runColumns = """
        id, tenant_id, connection_id, resource, mode, status, started_at, finished_at, inserted, updated, unchanged,
        deleted, pages, error
        """

    public func startSyncRun(_ run: SyncRun) async throws {
        try await self.run { db in
            try db.execute(
                sql: "INSERT INTO sync_runs (\(Self.runColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    run.id, run.tenantID, run.connectionID, run.resource.rawValue, run.mode.rawValue, run.status.rawValue,
                    Timestamp.format(run.startedAt), run.finishedAt.map(Timestamp.format), run.inserted, run.updated,
                    run.unchanged, run.deleted, run.pages, run.error,
                ])
        }
    }

    public func finishSyncRun(_ run: SyncRun) async throws {
        try await self.run { db in
            try db.execute(
                sql: """
                    UPDATE sync_runs SET status = ?, finished_at = ?, inserted = ?, updated = ?, unchanged = ?,
                    deleted = ?, pages = ?, error = ? WHERE id = ?
                    """,
                arguments: [
                    run.status.rawValue, run.finishedAt.map(Timestamp.format), run.inserted, run.updated, run.unchanged,
                    run.deleted, run.pages, run.error, run.id,
                ])
            if db.changesCount == 0 { throw StoreError.notFound("sync run \(run.id)") }
        }
    }

    public func listSyncRuns(tenant: String, connectionID: String?, limit: Int) async throws -> [SyncRun] {
        try await read { db in
            var sql = "SELECT \(Self.runColumns) FROM sync_runs WHERE tenant_id = ?"
            var arguments: StatementArguments = [tenant]
            if let connectionID {
                sql += " AND connection_id = ?"
                arguments += [connectionID]
            }
            sql += " ORDER BY started_at DESC, id LIMIT ?"
            arguments += [max(0, limit)]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
                guard let resource = ResourceName(rawValue: row["resource"]),
                      let mode = SyncRun.Mode(rawValue: row["mode"]),
                      let status = SyncRun.Status(rawValue: row["status"]),
                      let startedAt = Self.date(row["started_at"])
                else { return nil }
                return SyncRun(
                    id: row["id"], tenantID: row["tenant_id"], connectionID: row["connection_id"], resource: resource,
                    mode: mode, status: status, startedAt: startedAt, finishedAt: Self.date(row["finished_at"]),
                    inserted: row["inserted"], updated: row["updated"], unchanged: row["unchanged"],
                    deleted: row["deleted"], pages: row["pages"], error: row["error"])
            }
        }
    }

    public func abandonSyncRuns(startedBefore before: Date, reason: String) async throws -> Int {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE sync_runs SET status = 'failed', error = ?, finished_at = ?
                    WHERE status = 'running' AND started_at < ?
                    """,
                arguments: [reason, Timestamp.format(Date()), Timestamp.format(before)])
            return db.changesCount
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
}
