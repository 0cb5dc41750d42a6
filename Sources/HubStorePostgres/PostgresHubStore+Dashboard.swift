public import Foundation
public import HubStore
import PostgresNIO

extension PostgresHubStore {
    static let dashboardSessionColumns = "token_hash, kind, tenant_id, client_id, form_token, created_at, expires_at"

    public func createDashboardSession(_ session: DashboardSession) async throws {
        try await transaction { db in
            guard try await !self.rows(db, "SELECT 1 FROM tenants WHERE id = \(session.tenantID)").isEmpty else {
                throw StoreError.notFound("tenant \(session.tenantID)")
            }
            let inserted = try await self.execute(
                db,
                """
                INSERT INTO dashboard_sessions (token_hash, kind, tenant_id, client_id, form_token, created_at, expires_at)
                VALUES (\(session.tokenHash), \(session.kind.rawValue), \(session.tenantID), \(session.clientID), \(session.formToken),
                    \(PGTimestamp(session.createdAt)), \(PGTimestamp(session.expiresAt)))
                ON CONFLICT (token_hash) DO NOTHING RETURNING 1
                """)
            if inserted == 0 { throw StoreError.conflict("a dashboard session with this token exists") }
        }
    }

    public func dashboardSession(tokenHash: String, now: Date) async throws -> DashboardSession? {
        try await read { db in
            try await self.rows(
                db,
                """
                SELECT \(unescaped: Self.dashboardSessionColumns) FROM dashboard_sessions
                WHERE token_hash = \(tokenHash) AND expires_at > \(PGTimestamp(now))
                """
            ).first.map(Self.dashboardSession(from:))
        }
    }

    public func consumeDashboardLink(tokenHash: String, now: Date) async throws -> DashboardSession? {
        try await transaction { db in
            // One statement: of two requests with the same link, only one gets the row back.
            try await self.rows(
                db,
                """
                DELETE FROM dashboard_sessions
                WHERE token_hash = \(tokenHash) AND kind = \(DashboardSession.Kind.link.rawValue) AND expires_at > \(PGTimestamp(now))
                RETURNING \(unescaped: Self.dashboardSessionColumns)
                """
            ).first.map(Self.dashboardSession(from:))
        }
    }

    @discardableResult
    public func deleteDashboardSession(tokenHash: String) async throws -> Bool {
        try await transaction { db in
            try await self.execute(db, "DELETE FROM dashboard_sessions WHERE token_hash = \(tokenHash) RETURNING 1") > 0
        }
    }

    @discardableResult
    public func deleteExpiredDashboardSessions(now: Date) async throws -> Int {
        try await transaction { db in
            try await self.execute(db, "DELETE FROM dashboard_sessions WHERE expires_at <= \(PGTimestamp(now)) RETURNING 1")
        }
    }

    static func dashboardSession(from row: PostgresRow) throws -> DashboardSession {
        let columns = row.makeRandomAccess()
        let kindText = try columns[1].decode(String.self)
        guard let kind = DashboardSession.Kind(rawValue: kindText) else {
            throw StoreError.storage("a dashboard session of an unknown kind \(kindText)")
        }
        return DashboardSession(
            tokenHash: try columns[0].decode(String.self), kind: kind, tenantID: try columns[2].decode(String.self),
            clientID: try columns[3].decode(String.self), formToken: try columns[4].decode(String.self),
            createdAt: try PGRead.requiredDate(columns[5]), expiresAt: try PGRead.requiredDate(columns[6]))
    }
}
