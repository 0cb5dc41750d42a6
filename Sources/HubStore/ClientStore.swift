/// The hub's own API clients (OAuth2 client credentials with scopes).
public protocol ClientStore: Sendable {
    /// Stores a new API client.
    /// - Throws: ``StoreError`` `.conflict` when the id exists, `.notFound` when the tenant
    ///   does not.
    func createAPIClient(_ client: APIClient) async throws
    /// The API client with `id` (of any tenant: a token request names only the client), or `nil`.
    func apiClient(id: String) async throws -> APIClient?
    /// The API clients of `tenant` (or of every tenant when nil), by name.
    func listAPIClients(tenant: String?) async throws -> [APIClient]
    /// Removes an API client; its tokens stop working at their next check.
    /// - Returns: whether it existed.
    func deleteAPIClient(id: String, tenant: String) async throws -> Bool
}
