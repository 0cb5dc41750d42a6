public import ConnectorKit
public import Foundation
public import HubStore

/// Builds the connector for a stored connection. The composition root implements it with the
/// vendor registry and the application's one HTTP client, so the engine never knows a vendor.
public protocol ConnectorProvider: Sendable {
    /// The connector for `connection`, configured with its decrypted `credentials`.
    /// - Throws: `ConnectorError` `.configuration` when the connection cannot be used (unknown
    ///   vendor, missing or malformed credentials).
    func connector(for connection: Connection, credentials: Data?) throws -> any Connector
    /// The request limits `connection` runs under (its vendor's defaults with its overrides),
    /// or nil when unknown; the delivery worker claims no more of a connection's deliveries
    /// than its rate lets it start within one lease.
    func requestLimits(for connection: Connection) -> RateLimits?
    /// Every vendor this provider builds connectors for.
    var vendors: [VendorID] { get }
    /// Reads `json` as `vendor`'s credentials.
    /// - Throws: `ConnectorError` `.configuration` naming the missing or malformed key (never a
    ///   secret value), or the unknown vendor.
    func credentials(for vendor: VendorID, json: Data) throws -> any VendorCredentials
    /// The keys of `vendor`'s credentials, comma-separated, for messages; empty when unknown.
    func credentialKeys(for vendor: VendorID) -> String
    /// The options `vendor`'s connections may carry (``Connection/options``), as the vendor
    /// declares them; none when unknown.
    func optionSpecs(for vendor: VendorID) -> [ConnectionOptionSpec]
}

extension ConnectorProvider {
    /// Default: unknown.
    public func requestLimits(for connection: Connection) -> RateLimits? { nil }

    /// Default: none.
    public func optionSpecs(for vendor: VendorID) -> [ConnectionOptionSpec] { [] }

    /// The vendor called `name` (case-insensitively), or nil when the provider has none.
    public func vendor(named name: String) -> VendorID? {
        let wanted = name.lowercased()
        return vendors.first { $0.rawValue == wanted }
    }

    /// The vendors' names, comma-separated, for messages.
    public var vendorList: String { vendors.map(\.rawValue).joined(separator: ", ") }
}

extension ConnectorProvider {
    /// Loads a connection and its credentials from `store` and builds its connector.
    func connector(
        store: any ConnectionStore, tenant: String, connectionID: String
    ) async throws -> (Connection, any Connector) {
        guard let connection = try await store.connection(id: connectionID, tenant: tenant) else {
            throw SyncEngineError.unknownConnection(connectionID)
        }
        let credentials = try await store.credentials(connectionID: connectionID, tenant: tenant)
        return (connection, try connector(for: connection, credentials: credentials))
    }
}
