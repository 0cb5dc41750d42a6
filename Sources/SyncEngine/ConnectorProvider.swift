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
}

extension ConnectorProvider {
    /// Default: unknown.
    public func requestLimits(for connection: Connection) -> RateLimits? { nil }
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

/// Errors of the sync engine itself (vendor failures stay `ConnectorError`s).
public enum SyncEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownConnection(String)
    case connectionDisabled(String)
    case notReadable(connection: String, resource: String)
    case invalidPayload(String)
    case unusableConnection(String)
    /// The worker's pull lease expired and another worker took the pull over.
    case leaseLost(connection: String, resource: String)
    /// The process is shutting down; the pull stopped at a page boundary and resumes next time.
    case stoppedForShutdown

    public var description: String {
        switch self {
        case .unknownConnection(let id): return "no connection \(id)"
        case .connectionDisabled(let id): return "connection \(id) is disabled"
        case .notReadable(let connection, let resource): return "connection \(connection) cannot read \(resource)"
        case .invalidPayload(let message): return "invalid delivery payload: \(message)"
        case .unusableConnection(let message): return message
        case .leaseLost(let connection, let resource):
            return "the lease on pulling \(resource) through connection \(connection) expired and another worker took it over"
        case .stoppedForShutdown: return "stopped at a page boundary because the process is shutting down; the next run resumes"
        }
    }
}
