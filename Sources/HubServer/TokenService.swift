import Foundation
import HTTPTypes
import HubOperations
import HubStore

/// Issues and checks the hub's bearer tokens.
///
/// A token is `rh1.<claims>.<signature>`: base64url JSON claims (client, tenant, scopes,
/// expiry) and an HMAC-SHA256 under a key derived from the data folder's secret key. Tokens
/// need no table, so every hub process sharing the key accepts them. A token stops working
/// when it expires, or at the next check after its client was removed or disabled (client
/// lookups are cached for a few seconds). A token's signature and claims are checked once and
/// remembered (they cannot change); its expiry and its client are checked on every request.
actor TokenService {
    struct Claims: Codable {
        /// Client id.
        var c: String
        /// Tenant id.
        var t: String
        /// Scopes, space-separated.
        var s: String
        /// Expiry, unix seconds.
        var e: Int64
    }

    private let secretBox: SecretBox
    private let store: any HubStorage
    let lifetime: TimeInterval
    private let clientCacheSeconds: TimeInterval
    private var clients: [String: (client: APIClient?, fetchedAt: Date)] = [:]
    /// Tokens whose signature verified: their expiry (unix seconds) and who they stand for.
    private var verified: [String: (expiry: Int64, principal: Principal)] = [:]
    private static let purpose = "hub-api-token-v1"

    init(secretBox: SecretBox, store: any HubStorage, lifetime: TimeInterval, clientCacheSeconds: TimeInterval = 5) {
        self.secretBox = secretBox
        self.store = store
        self.lifetime = lifetime
        self.clientCacheSeconds = clientCacheSeconds
    }

    /// Checks a client's id and secret and issues a token with the granted scopes (narrowed to
    /// `requested` when given).
    /// - Throws: ``APIError`` 401 `invalid_client` for an unknown client or a wrong secret
    ///   (the same answer for both), 400 `invalid_scope` when asking for scopes not granted.
    func issue(clientID: String, secret: String, requested: ScopeSet?, now: Date = Date()) async throws -> (token: String, scopes: ScopeSet)
    {
        let client = try await store.apiClient(id: clientID)
        guard let client, client.enabled, APIClientSecret.verify(secret, hash: client.secretHash) else {
            var error = APIError.unauthorized("the client id or secret is wrong")
            error.code = .invalidClient
            error.headers[.wwwAuthenticate] = #"Basic realm="realtyhub""#
            throw error
        }
        let granted = ScopeSet(grants: Set(client.scopes))
        var scopes = granted
        if let requested {
            scopes = granted.narrowed(to: requested)
            guard scopes.grants.count == requested.grants.count else {
                let missing = requested.grants.subtracting(scopes.grants).sorted().joined(separator: " ")
                throw APIError(.badRequest, .invalidScope, "the client is not granted: \(missing)")
            }
        }
        let claims = Claims(
            c: client.id, t: client.tenantID, s: scopes.description, e: Int64(now.addingTimeInterval(lifetime).timeIntervalSince1970))
        let payload = Self.base64url(try JSONEncoder().encode(claims))
        let signature = Self.base64url(secretBox.sign(Data(payload.utf8), purpose: Self.purpose))
        return ("rh1.\(payload).\(signature)", scopes)
    }

    /// The caller a token stands for.
    /// - Throws: ``APIError`` 401 naming what is wrong (malformed, bad signature, expired,
    ///   client removed).
    func authenticate(_ token: String, now: Date = Date()) async throws -> Principal {
        let (expiry, principal) = try verify(token)
        guard Double(expiry) > now.timeIntervalSince1970 else {
            verified[token] = nil
            throw APIError.unauthorized("the bearer token expired; request a new one at /oauth/token")
        }
        guard let client = try await client(principal.clientID, now: now), client.enabled, client.tenantID == principal.tenantID else {
            throw APIError.unauthorized("the API client of this token was removed or disabled")
        }
        return principal
    }

    /// The expiry and principal of a token whose signature verifies (remembered, as they
    /// cannot change).
    private func verify(_ token: String) throws -> (expiry: Int64, principal: Principal) {
        if let known = verified[token] { return known }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "rh1", let signature = Self.data(base64url: parts[2]),
            let claimsData = Self.data(base64url: parts[1])
        else { throw APIError.unauthorized("the bearer token is malformed") }
        guard secretBox.verify(signature, of: Data(parts[1].utf8), purpose: Self.purpose) else {
            throw APIError.unauthorized("the bearer token's signature does not verify")
        }
        guard let claims = try? JSONDecoder().decode(Claims.self, from: claimsData) else {
            throw APIError.unauthorized("the bearer token is malformed")
        }
        let principal = Principal(
            clientID: claims.c, tenantID: claims.t, scopes: ScopeSet(grants: Set(claims.s.split(separator: " ").map(String.init))))
        if verified.count >= 10_000 { verified.removeAll() }
        verified[token] = (claims.e, principal)
        return (claims.e, principal)
    }

    private func client(_ id: String, now: Date) async throws -> APIClient? {
        if let cached = clients[id], now.timeIntervalSince(cached.fetchedAt) < clientCacheSeconds { return cached.client }
        let client = try await store.apiClient(id: id)
        if clients.count > 10_000 { clients.removeAll() }
        clients[id] = (client, now)
        return client
    }

    /// Forgets cached clients (after a client is removed through this process).
    func forget(clientID: String) { clients[clientID] = nil }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func data(base64url text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
