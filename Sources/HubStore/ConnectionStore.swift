public import Foundation

/// Connections to vendors and their credentials, encrypted at rest.
public protocol ConnectionStore: Sendable {
    /// Inserts or replaces a connection. When `credentials` is non-nil they are encrypted and
    /// stored with it; when nil, the stored credentials are kept.
    /// - Throws: ``StoreError`` `.notFound` when the tenant does not exist.
    func saveConnection(_ connection: Connection, credentials: Data?) async throws -> Connection
    /// The connection with `id` in `tenant`, or `nil`.
    func connection(id: String, tenant: String) async throws -> Connection?
    /// The connections of `tenant` (or of every tenant when nil), by name.
    func listConnections(tenant: String?) async throws -> [Connection]
    /// Removes a connection and its cursors. Records it synced are kept.
    /// - Returns: whether it existed.
    func deleteConnection(id: String, tenant: String) async throws -> Bool
    /// The decrypted credentials of a connection, or `nil` when none were stored.
    /// - Throws: ``StoreError`` `.secretKey` when they cannot be decrypted with the configured keys.
    func credentials(connectionID: String, tenant: String) async throws -> Data?
}
