public import Foundation
import GRDB
public import HubStore
import RealtyModel

extension SQLiteHubStore {
    static let dashboardSessionColumns = "token_hash, kind, tenant_id, client_id, form_token, created_at, expires_at"

    public func createDashboardSession(_ session: DashboardSession) async throws {
        try await run { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tenants WHERE id = ?", arguments: [session.tenantID]) != nil else {
                throw StoreError.notFound("tenant \(session.tenantID)")
            }
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM dashboard_sessions WHERE token_hash = ?", arguments: [session.tokenHash])
                    == nil
            else { throw StoreError.conflict("a dashboard session with this token exists") }
            try db.execute(
                sql: """
                    INSERT INTO dashboard_sessions (token_hash, kind, tenant_id, client_id, form_token, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.tokenHash, session.kind.rawValue, session.tenantID, session.clientID, session.formToken,
                    Timestamp.format(session.createdAt), Timestamp.format(session.expiresAt),
                ])
        }
    }

    public func dashboardSession(tokenHash: String, now: Date) async throws -> DashboardSession? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(Self.dashboardSessionColumns) FROM dashboard_sessions WHERE token_hash = ? AND expires_at > ?",
                arguments: [tokenHash, Timestamp.format(now)]
            ).map(Self.dashboardSession(from:))
        }
    }

    public func consumeDashboardLink(tokenHash: String, now: Date) async throws -> DashboardSession? {
        try await run { db in
            // Read and removed in one write transaction: of two requests with the same link, only
            // one finds it.
            guard
                let session = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT \(Self.dashboardSessionColumns) FROM dashboard_sessions
                        WHERE token_hash = ? AND kind = ? AND expires_at > ?
                        """,
                    arguments: [tokenHash, DashboardSession.Kind.link.rawValue, Timestamp.format(now)]
                ).map(Self.dashboardSession(from:))
            else { return nil }
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE token_hash = ?", arguments: [tokenHash])
            return session
        }
    }

    @discardableResult
    public func deleteDashboardSession(tokenHash: String) async throws -> Bool {
        try await run { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE token_hash = ?", arguments: [tokenHash])
            return db.changesCount > 0
        }
    }

    @discardableResult
    public func deleteExpiredDashboardSessions(now: Date) async throws -> Int {
        try await run { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE expires_at <= ?", arguments: [Timestamp.format(now)])
            return db.changesCount
        }
    }

    static func dashboardSession(from row: Row) throws -> DashboardSession {
        let kindText: String = row["kind"]
        guard let kind = DashboardSession.Kind(rawValue: kindText) else {
            throw StoreError.storage("a dashboard session of an unknown kind \(kindText)")
        }
        return DashboardSession(
            tokenHash: row["token_hash"], kind: kind, tenantID: row["tenant_id"], clientID: row["client_id"],
            formToken: row["form_token"], createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            expiresAt: date(row["expires_at"]) ?? Date(timeIntervalSince1970: 0))
    }
}
