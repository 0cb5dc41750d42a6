/// The tenants: each hub client, connection and record belongs to one.
public protocol TenantStore: Sendable {
    /// Creates a tenant.
    /// - Throws: ``StoreError`` `.conflict` when the id exists.
    func createTenant(id: String, name: String) async throws -> Tenant
    /// The tenant with `id`, or `nil`.
    func tenant(id: String) async throws -> Tenant?
    /// Every tenant, by id.
    func listTenants() async throws -> [Tenant]
}
