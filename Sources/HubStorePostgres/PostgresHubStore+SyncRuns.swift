public import Foundation
public import HubStore
import PostgresNIO
public import RealtyModel

extension PostgresHubStore {
    public func startSyncRun(_ run: SyncRun) async throws {
        try await transaction { db in
            _ = try await db.query(
                """
                INSERT INTO sync_runs (\(unescaped: StoreColumns.syncRuns)) VALUES (\(run.id), \(run.tenantID), \(run.connectionID),
                    \(run.resource.rawValue), \(run.mode.rawValue), \(run.status.rawValue), \(PGTimestamp(run.startedAt)),
                    \(run.finishedAt.map(PGTimestamp.init)), \(run.inserted), \(run.updated), \(run.unchanged), \(run.deleted),
                    \(run.pages), \(run.error), \(run.skipped))
                """, logger: self.logger)
        }
    }

    public func finishSyncRun(_ run: SyncRun) async throws {
        try await transaction { db in
            guard
                let stored = try await self.rows(
                    db, "SELECT status, tenant_id, connection_id, resource FROM sync_runs WHERE id = \(run.id) FOR UPDATE"
                ).first
            else { throw StoreError.notFound("sync run \(run.id)") }
            let (before, tenant, connection, resource) = try stored.decode((String, String, String, String).self)
            try await db.query(
                """
                UPDATE sync_runs SET status = \(run.status.rawValue), finished_at = \(run.finishedAt.map(PGTimestamp.init)),
                    inserted = \(run.inserted), updated = \(run.updated), unchanged = \(run.unchanged), deleted = \(run.deleted),
                    pages = \(run.pages), error = \(run.error), skipped = \(run.skipped)
                WHERE id = \(run.id)
                """, logger: self.logger)
            guard let kind = HubEvent.ending(run.status, from: before) else { return }
            if kind == .connectionUnavailable {
                // The previous finished run of this connection and resource (runs of one pair
                // never overlap: the pull-job lease) decides whether this is a transition.
                let previous = try await self.rows(
                    db,
                    """
                    SELECT status FROM sync_runs WHERE tenant_id = \(tenant) AND connection_id = \(connection)
                        AND resource = \(resource) AND id <> \(run.id) AND status <> 'running'
                        AND started_at <= (SELECT started_at FROM sync_runs WHERE id = \(run.id))
                    ORDER BY started_at DESC, id COLLATE "C" DESC LIMIT 1
                    """
                ).first?.decode(String.self)
                if previous == SyncRun.Status.unavailable.rawValue { return }
            }
            try await self.appendHubEvents(db, kind, subjects: [(tenant, run.id, connection)], now: run.finishedAt ?? Date())
        }
    }

    public func syncRun(id: String, tenant: String) async throws -> SyncRun? {
        try await read { db in
            try await self.rows(
                db, "SELECT \(unescaped: StoreColumns.syncRuns) FROM sync_runs WHERE id = \(id) AND tenant_id = \(tenant)"
            ).first.flatMap(Self.syncRun(from:))
        }
    }

    public func listSyncRuns(tenant: String, connectionID: String?, limit: Int) async throws -> [SyncRun] {
        try await read { db in
            var statement = SQLStatement()
            var sql = "SELECT \(StoreColumns.syncRuns) FROM sync_runs WHERE tenant_id = \(try statement.bind(tenant))"
            if let connectionID { sql += " AND connection_id = \(try statement.bind(connectionID))" }
            sql += " ORDER BY started_at DESC, id COLLATE \"C\" LIMIT \(try statement.bind(max(0, limit)))"
            statement.append(sql)
            return try await self.rows(db, statement.query).compactMap(Self.syncRun(from:))
        }
    }

    private static func syncRun(from row: PostgresRow) throws -> SyncRun? {
        let columns = row.makeRandomAccess()
        guard let resource = ResourceName(rawValue: try columns[3].decode(String.self)),
            let mode = SyncRun.Mode(rawValue: try columns[4].decode(String.self)),
            let status = SyncRun.Status(rawValue: try columns[5].decode(String.self)),
            let startedAt = try PGRead.date(columns[6])
        else { return nil }
        return SyncRun(
            id: try columns[0].decode(String.self), tenantID: try columns[1].decode(String.self),
            connectionID: try columns[2].decode(String.self), resource: resource, mode: mode, status: status,
            startedAt: startedAt, finishedAt: try PGRead.date(columns[7]), inserted: try columns[8].decode(Int.self),
            updated: try columns[9].decode(Int.self), unchanged: try columns[10].decode(Int.self),
            deleted: try columns[11].decode(Int.self), pages: try columns[12].decode(Int.self),
            error: try PGRead.string(columns[13]), skipped: try PGRead.string(columns[14]))
    }

    public func abandonSyncRuns(startedBefore before: Date, reason: String) async throws -> Int {
        try await transaction { db in
            let now = Date()
            let runs = try await self.rows(
                db,
                """
                UPDATE sync_runs SET status = 'failed', error = \(reason), finished_at = \(PGTimestamp(now))
                WHERE status = 'running' AND started_at < \(PGTimestamp(before))
                AND NOT EXISTS (
                    SELECT 1 FROM pull_jobs j WHERE j.tenant_id = sync_runs.tenant_id
                    AND j.connection_id = sync_runs.connection_id AND j.resource = sync_runs.resource
                    AND j.lease_owner IS NOT NULL AND j.lease_expires_at > \(PGTimestamp(before)))
                RETURNING tenant_id, id, connection_id
                """
            ).map { try $0.decode((String, String, String).self) }
            try await self.appendHubEvents(
                db, .syncRunFailed, subjects: runs.sorted { $0.1 < $1.1 }.map { (tenant: $0.0, id: $0.1, connectionID: $0.2) }, now: now)
            return runs.count
        }
    }

    public func cachedValue(namespace: String, key: String, now: Date) async throws -> Data? {
        try await read { db in
            try await self.rows(
                db,
                """
                SELECT value FROM cache_entries WHERE namespace = \(namespace) AND key = \(key) AND expires_at > \(PGTimestamp(now))
                """
            ).first.map { try $0.decode(Data.self) }
        }
    }

    public func storeCachedValue(_ value: Data, namespace: String, key: String, expiresAt: Date) async throws {
        try await transaction { db in
            _ = try await db.query(
                """
                INSERT INTO cache_entries (namespace, key, value, expires_at) VALUES (\(namespace), \(key), \(value), \(PGTimestamp(expiresAt)))
                ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
                """, logger: self.logger)
        }
    }

    // MARK: - Pull-job leases

    /// One conditional upsert: the row is taken when it is new, free, expired or already
    /// `owner`'s, and left alone otherwise; concurrent claimers serialize on the row, so
    /// exactly one wins.
    public func claimPullJob(
        tenant: String, connectionID: String, resource: ResourceName, owner: String, now: Date, leaseDuration: TimeInterval
    ) async throws -> Bool {
        try await transaction { db in
            try await self.execute(
                db,
                """
                INSERT INTO pull_jobs (tenant_id, connection_id, resource, lease_owner, lease_expires_at)
                VALUES (\(tenant), \(connectionID), \(resource.rawValue), \(owner), \(PGTimestamp(now.addingTimeInterval(leaseDuration))))
                ON CONFLICT (tenant_id, connection_id, resource) DO UPDATE SET
                    lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at
                WHERE pull_jobs.lease_owner IS NULL OR pull_jobs.lease_owner = excluded.lease_owner
                    OR pull_jobs.lease_expires_at <= \(PGTimestamp(now))
                RETURNING 1
                """) > 0
        }
    }

    public func renewPullJob(
        tenant: String, connectionID: String, resource: ResourceName, owner: String, now: Date, leaseDuration: TimeInterval
    ) async throws -> Bool {
        try await transaction { db in
            try await self.execute(
                db,
                """
                UPDATE pull_jobs SET lease_expires_at = \(PGTimestamp(now.addingTimeInterval(leaseDuration)))
                WHERE tenant_id = \(tenant) AND connection_id = \(connectionID) AND resource = \(resource.rawValue)
                    AND lease_owner = \(owner)
                RETURNING 1
                """) > 0
        }
    }

    public func releasePullJob(tenant: String, connectionID: String, resource: ResourceName, owner: String) async throws {
        try await transaction { db in
            _ = try await db.query(
                """
                UPDATE pull_jobs SET lease_owner = NULL, lease_expires_at = NULL
                WHERE tenant_id = \(tenant) AND connection_id = \(connectionID) AND resource = \(resource.rawValue)
                    AND lease_owner = \(owner)
                """, logger: self.logger)
        }
    }
}
