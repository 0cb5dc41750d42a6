import Crypto
public import Foundation

/// A dashboard sign-in: a browser session (its cookie holds the token) or a one-time sign-in
/// link (its URL holds the token), of one API client. Only the token's SHA-256 is stored, so a
/// copy of the store signs nobody in.
public struct DashboardSession: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A signed-in browser.
        case session
        /// A one-time link: exchanged for a session on first use, then gone.
        case link
    }

    /// The token's SHA-256, hex.
    public var tokenHash: String
    public var kind: Kind
    public var tenantID: String
    public var clientID: String
    /// The session's form token (CSRF): every form of the session carries it.
    public var formToken: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(
        tokenHash: String, kind: Kind, tenantID: String, clientID: String, formToken: String, createdAt: Date, expiresAt: Date
    ) {
        self.tokenHash = tokenHash
        self.kind = kind
        self.tenantID = tenantID
        self.clientID = clientID
        self.formToken = formToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// Dashboard sessions and sign-in links, shared by every hub process on the store (a browser
/// signed in through one process is signed in on all).
public protocol DashboardSessionStore: Sendable {
    /// Stores a session or link.
    /// - Throws: ``StoreError`` `.conflict` when the token hash exists.
    func createDashboardSession(_ session: DashboardSession) async throws
    /// The unexpired session or link whose token hashes to `tokenHash` (nil when unknown or
    /// expired).
    func dashboardSession(tokenHash: String, now: Date) async throws -> DashboardSession?
    /// Takes a one-time link: returns it and removes it in one step, so two requests with one
    /// link never both sign in (nil when unknown, expired, already used, or not a link).
    func consumeDashboardLink(tokenHash: String, now: Date) async throws -> DashboardSession?
    /// Removes a session (sign-out); whether it existed.
    @discardableResult
    func deleteDashboardSession(tokenHash: String) async throws -> Bool
    /// Removes every expired session and link; how many.
    @discardableResult
    func deleteExpiredDashboardSessions(now: Date) async throws -> Int
}

/// The tokens of dashboard sessions and sign-in links: 32 random bytes (URL-safe base64, no
/// padding), kept in the store only as their SHA-256.
public enum DashboardToken {
    public static func generate() -> String { APIClientSecret.generate() }

    /// The SHA-256 of `token`, hex: what the store keeps and looks up.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
