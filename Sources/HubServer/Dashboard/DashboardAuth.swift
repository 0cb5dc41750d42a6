import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

/// Who is signed in to the dashboard: an API client of one tenant, with its scopes as they are
/// now (read on every request, so a client removed, disabled or narrowed is felt at once).
struct DashboardUser: Sendable {
    var clientID: String
    var clientName: String
    var tenantID: String
    var scopes: ScopeSet
    var session: DashboardSession

    /// The session's form token (CSRF): every form carries it.
    var formToken: String { session.formToken }

    func may(_ resource: String, _ action: ScopeSet.Action) -> Bool { scopes.allows(resource, action) }
}

/// Dashboard sign-in: an API client's id and secret, or a one-time link, exchanged for a session
/// kept in the store (so every hub process sharing it knows the session) and named by an
/// HttpOnly, SameSite=Strict cookie. Forms carry the session's form token; the sign-in form,
/// which has no session yet, a token of its own cookie (double submit).
struct DashboardAuth: Sendable {
    let store: any HubStorage
    /// Secure cookies (the hub's public URL is https).
    let secureCookies: Bool
    let sessionLifetime: TimeInterval
    let linkLifetime: TimeInterval

    static let sessionCookie = "realtyhub_session"
    static let signInCookie = "realtyhub_signin"
    static let cookiePath = "/dashboard"

    init(store: any HubStorage, secureCookies: Bool, sessionLifetime: TimeInterval = 8 * 3_600, linkLifetime: TimeInterval = 15 * 60) {
        self.store = store
        self.secureCookies = secureCookies
        self.sessionLifetime = sessionLifetime
        self.linkLifetime = linkLifetime
    }

    /// A session for the client whose id and secret these are, or nil when they do not match an
    /// enabled client (which of the two is wrong is not told).
    func signIn(clientID: String, secret: String, now: Date = Date()) async throws -> (token: String, user: DashboardUser)? {
        guard let client = try await store.apiClient(id: clientID), client.enabled,
            APIClientSecret.verify(secret, hash: client.secretHash)
        else { return nil }
        return try await startSession(client, now: now)
    }

    /// A one-time sign-in link's token for `client` (what `realtyhub demo` prints), valid for
    /// ``linkLifetime``.
    func createLink(for client: APIClient, now: Date = Date()) async throws -> String {
        let token = DashboardToken.generate()
        try await store.createDashboardSession(
            DashboardSession(
                tokenHash: DashboardToken.hash(token), kind: .link, tenantID: client.tenantID, clientID: client.id,
                formToken: DashboardToken.generate(), createdAt: now, expiresAt: now.addingTimeInterval(linkLifetime)))
        return token
    }

    /// Exchanges a link's token for a session; nil when the link is unknown, used or expired, or
    /// its client is gone or disabled.
    func exchange(linkToken: String, now: Date = Date()) async throws -> (token: String, user: DashboardUser)? {
        guard DashboardToken.isWellFormed(linkToken),
            let link = try await store.consumeDashboardLink(tokenHash: DashboardToken.hash(linkToken), now: now),
            let client = try await store.apiClient(id: link.clientID), client.enabled, client.tenantID == link.tenantID
        else { return nil }
        return try await startSession(client, now: now)
    }

    private func startSession(_ client: APIClient, now: Date) async throws -> (token: String, user: DashboardUser) {
        let token = DashboardToken.generate()
        let session = DashboardSession(
            tokenHash: DashboardToken.hash(token), kind: .session, tenantID: client.tenantID, clientID: client.id,
            formToken: DashboardToken.generate(), createdAt: now, expiresAt: now.addingTimeInterval(sessionLifetime))
        try await store.createDashboardSession(session)
        return (token, DashboardUser(client, session: session))
    }

    /// The signed-in user of `request`, or nil (no cookie, an unknown or expired session, its
    /// client removed or disabled).
    func user(of request: Request, now: Date = Date()) async throws -> DashboardUser? {
        guard let token = request.cookies[Self.sessionCookie]?.value, DashboardToken.isWellFormed(token),
            let session = try await store.dashboardSession(tokenHash: DashboardToken.hash(token), now: now), session.kind == .session,
            let client = try await store.apiClient(id: session.clientID), client.enabled, client.tenantID == session.tenantID
        else { return nil }
        return DashboardUser(client, session: session)
    }

    /// Ends the session `request` names (if any).
    func signOut(_ request: Request) async throws {
        guard let token = request.cookies[Self.sessionCookie]?.value, DashboardToken.isWellFormed(token) else { return }
        try await store.deleteDashboardSession(tokenHash: DashboardToken.hash(token))
    }

    /// The session cookie for `token` (nil: the cookie that removes it).
    func sessionCookie(_ token: String?) -> Cookie {
        cookie(Self.sessionCookie, value: token ?? "", maxAge: token == nil ? 0 : Int(sessionLifetime))
    }

    /// The sign-in form's cookie (its double-submitted token), kept ten minutes.
    func signInCookie(_ token: String?) -> Cookie {
        cookie(Self.signInCookie, value: token ?? "", maxAge: token == nil ? 0 : 600)
    }

    private func cookie(_ name: String, value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: name, value: value, maxAge: maxAge, path: Self.cookiePath, secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// Whether a submitted form token matches the expected one (constant time).
    static func formTokenMatches(_ submitted: String?, _ expected: String) -> Bool {
        guard let submitted, !expected.isEmpty else { return false }
        let a = Array(submitted.utf8)
        let b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension DashboardUser {
    init(_ client: APIClient, session: DashboardSession) {
        self.init(
            clientID: client.id, clientName: client.name, tenantID: client.tenantID, scopes: ScopeSet(grants: Set(client.scopes)),
            session: session)
    }
}

extension DashboardToken {
    /// Whether `token` has the form generated tokens have (43 URL-safe base64 characters), so
    /// nothing else is hashed and looked up.
    static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D
                    || byte == 0x5F
            }
    }
}
