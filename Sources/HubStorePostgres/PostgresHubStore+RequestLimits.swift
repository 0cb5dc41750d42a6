public import Foundation
public import HubStore
import PostgresNIO

extension PostgresHubStore {
    /// Serialised per key by locking the key's pacing row: every process reserving for the
    /// same connection waits for the one ahead of it, for the length of one short transaction.
    public func reserveRequest(
        key: String, limits: SharedLimitSpec, owner: String, now: Date, leaseDuration: TimeInterval
    ) async throws -> RequestReservation {
        try await transaction { db in
            try await db.query(
                """
                INSERT INTO request_pacing (key, tat, quota_day, used_today) VALUES (\(key), 0, '', 0)
                ON CONFLICT (key) DO NOTHING
                """, logger: self.logger)
            let pacing = try await self.rows(
                db,
                """
                SELECT tat, quota_day, used_today FROM request_pacing WHERE key = \(key) FOR UPDATE
                """
            ).first.map { try $0.decode((Double, String, Int).self) }
            let taken = Set(
                try await self.rows(
                    db,
                    """
                    SELECT slot FROM request_slots WHERE key = \(key) AND owner IS NOT NULL AND expires_at > \(PGTimestamp(now))
                    """
                ).map { try $0.decode(Int.self) })
            guard let slot = (0..<limits.maxConcurrency).first(where: { !taken.contains($0) }) else { return .busy }
            var used = pacing?.2 ?? 0
            if pacing?.1 != limits.day { used = 0 }
            if let quota = limits.dailyQuota, used >= quota { return .quotaExhausted }
            let (wait, tat) = limits.pace(tat: pacing?.0 ?? 0, now: now.timeIntervalSince1970)
            if limits.mustWait(wait) { return .paced(wait: wait) }
            try await db.query(
                """
                UPDATE request_pacing SET tat = \(tat), quota_day = \(limits.day), used_today = \(used + 1) WHERE key = \(key)
                """, logger: self.logger)
            try await db.query(
                """
                INSERT INTO request_slots (key, slot, owner, expires_at)
                VALUES (\(key), \(slot), \(owner), \(PGTimestamp(now.addingTimeInterval(leaseDuration))))
                ON CONFLICT (key, slot) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                """, logger: self.logger)
            return .granted(slot: slot, wait: wait)
        }
    }

    public func requestUsage(key: String) async throws -> RequestUsage? {
        try await read { db in
            try await self.rows(db, "SELECT quota_day, used_today FROM request_pacing WHERE key = \(key)").first.map {
                let (day, used) = try $0.decode((String, Int).self)
                return RequestUsage(day: day, used: used)
            }
        }
    }

    public func renewRequest(key: String, slot: Int, owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Bool {
        try await transaction { db in
            try await self.execute(
                db,
                """
                UPDATE request_slots SET expires_at = \(PGTimestamp(now.addingTimeInterval(leaseDuration)))
                WHERE key = \(key) AND slot = \(slot) AND owner = \(owner) RETURNING 1
                """) > 0
        }
    }

    public func releaseRequest(key: String, slot: Int, owner: String) async throws {
        try await transaction { db in
            try await db.query(
                """
                UPDATE request_slots SET owner = NULL, expires_at = NULL WHERE key = \(key) AND slot = \(slot) AND owner = \(owner)
                """, logger: self.logger)
        }
    }
}
