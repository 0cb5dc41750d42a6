public import Foundation
import GRDB
public import HubStore
import RealtyModel

extension SQLiteHubStore {
    public func reserveRequest(
        key: String, limits: SharedLimitSpec, owner: String, now: Date, leaseDuration: TimeInterval
    ) async throws -> RequestReservation {
        let stamp = Timestamp.format(now)
        let expires = Timestamp.format(now.addingTimeInterval(leaseDuration))
        return try await run { db in
            let taken = try Int.fetchSet(
                db, sql: "SELECT slot FROM request_slots WHERE key = ? AND owner IS NOT NULL AND expires_at > ?",
                arguments: [key, stamp])
            guard let slot = (0..<limits.maxConcurrency).first(where: { !taken.contains($0) }) else { return .busy }
            let row = try Row.fetchOne(
                db, sql: "SELECT tat, quota_day, used_today FROM request_pacing WHERE key = ?", arguments: [key])
            var used: Int = row?["used_today"] ?? 0
            if (row?["quota_day"] as String?) != limits.day { used = 0 }
            if let quota = limits.dailyQuota, used >= quota { return .quotaExhausted }
            let (wait, tat) = limits.pace(tat: row?["tat"] ?? 0, now: now.timeIntervalSince1970)
            if limits.mustWait(wait) { return .paced(wait: wait) }
            try db.execute(
                sql: """
                    INSERT INTO request_pacing (key, tat, quota_day, used_today) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET tat = excluded.tat, quota_day = excluded.quota_day,
                        used_today = excluded.used_today
                    """,
                arguments: [key, tat, limits.day, used + 1])
            try db.execute(
                sql: """
                    INSERT INTO request_slots (key, slot, owner, expires_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key, slot) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                    """,
                arguments: [key, slot, owner, expires])
            return .granted(slot: slot, wait: wait)
        }
    }

    public func requestUsage(key: String) async throws -> RequestUsage? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT quota_day, used_today FROM request_pacing WHERE key = ?", arguments: [key])
                .map { RequestUsage(day: $0["quota_day"], used: $0["used_today"]) }
        }
    }

    public func renewRequest(key: String, slot: Int, owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Bool {
        try await run { db in
            try db.execute(
                sql: "UPDATE request_slots SET expires_at = ? WHERE key = ? AND slot = ? AND owner = ?",
                arguments: [Timestamp.format(now.addingTimeInterval(leaseDuration)), key, slot, owner])
            return db.changesCount > 0
        }
    }

    public func releaseRequest(key: String, slot: Int, owner: String) async throws {
        try await run { db in
            try db.execute(
                sql: "UPDATE request_slots SET owner = NULL, expires_at = NULL WHERE key = ? AND slot = ? AND owner = ?",
                arguments: [key, slot, owner])
        }
    }
}
