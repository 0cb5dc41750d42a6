public import Foundation
import HTTPTypes
public import HubApp
public import HubStore

/// Creating API clients (the CLI's `clients create` and `demo`).
public enum APIClients {
    /// Creates an API client of `tenant` (created if missing) with `scopes`.
    ///
    /// - Returns: the client and its secret, which is stored only hashed: show it once.
    /// - Throws: ``APIError`` naming an unknown scope; `HubError` for an empty name.
    public static func create(runtime: HubRuntime, tenant: String, name: String, scopes: String) async throws -> (client: APIClient, secret: String) {
        let parsed = try ScopeSet(parsing: scopes)
        guard !parsed.grants.isEmpty else {
            throw APIError(.badRequest, "invalid_scope", "give at least one scope, such as contacts:read or *:read")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError(.badRequest, "invalid_request", "the client needs a name")
        }
        try await runtime.ensureTenant(tenant)
        let secret = APIClientSecret.generate()
        let client = APIClient(
            id: "rhc_" + HubKey.make(at: Date()).replacingOccurrences(of: "-", with: ""), tenantID: tenant, name: name,
            secretHash: APIClientSecret.hash(secret), scopes: parsed.grants.sorted(), createdAt: Date())
        try await runtime.store.createAPIClient(client)
        return (client, secret)
    }

    /// A bearer token for a client, as `POST /oauth/token` would issue it.
    public static func issueToken(runtime: HubRuntime, clientID: String, secret: String, lifetime: TimeInterval = 1800) async throws -> String {
        let tokens = TokenService(secretBox: runtime.secretBox, store: runtime.store, lifetime: lifetime)
        return try await tokens.issue(clientID: clientID, secret: secret, requested: nil).token
    }
}

extension APIError: CustomStringConvertible {
    public var description: String { message }
}
