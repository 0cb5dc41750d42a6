public import Foundation
public import HubStore
import RealtyModel

extension HubRuntime {
    /// A new id of the hub's own objects: `prefix` and a hub key without its dashes
    /// (`rhc_...` clients, `wh_...` webhooks).
    static func prefixedID(_ prefix: String, at date: Date) -> String {
        prefix + HubKey.make(at: date).replacingOccurrences(of: "-", with: "")
    }

    /// Creates an API client of `tenant` (created if missing) with `scopes`
    /// (`realtyhub clients create`, `demo`).
    ///
    /// - Returns: the client and its secret, which is stored only hashed: show it once.
    /// - Throws: ``HubError`` `.invalidScope` naming an unknown scope or when none is given,
    ///   `.invalidRequest` for an empty name.
    public func createAPIClient(tenant: String, name: String, scopes: String) async throws -> (client: APIClient, secret: String) {
        let parsed = try ScopeSet(parsing: scopes)
        guard !parsed.grants.isEmpty else {
            throw HubError(.invalidScope, "give at least one scope, such as contacts:read or *:read")
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw HubError(.invalidRequest, "the client needs a name")
        }
        try await ensureTenant(tenant)
        let secret = APIClientSecret.generate()
        let client = APIClient(
            id: Self.prefixedID("rhc_", at: Date()), tenantID: tenant, name: name,
            secretHash: APIClientSecret.hash(secret), scopes: parsed.grants.sorted(), createdAt: Date())
        try await store.createAPIClient(client)
        return (client, secret)
    }
}
