import ConnectorKit
import Connectors
public import Foundation
public import HubStore
import RealtyModel

/// A change to a connection: only the members set are changed.
public struct ConnectionChanges: Sendable {
    public var name: String?
    public var baseURL: String?
    /// Set to `.some(nil)` to remove the separate auth URL.
    public var authURL: String??
    public var credentials: Data?
    /// Set to `.some(nil)` for manual syncs only.
    public var syncIntervalSeconds: Int??
    public var enabled: Bool?
    /// Set to `.some(nil)` for the vendor profile's default; 0 means unpaced.
    public var requestsPerSecond: Double??
    /// Set to `.some(nil)` for the vendor profile's default.
    public var maxConcurrency: Int??

    public init(
        name: String? = nil, baseURL: String? = nil, authURL: String?? = nil, credentials: Data? = nil,
        syncIntervalSeconds: Int?? = nil, enabled: Bool? = nil, requestsPerSecond: Double?? = nil, maxConcurrency: Int?? = nil
    ) {
        self.requestsPerSecond = requestsPerSecond
        self.maxConcurrency = maxConcurrency
        self.name = name
        self.baseURL = baseURL
        self.authURL = authURL
        self.credentials = credentials
        self.syncIntervalSeconds = syncIntervalSeconds
        self.enabled = enabled
    }
}

extension HubRuntime {
    /// Applies `changes` to a connection after checking them as ``addConnection(tenant:vendor:name:baseURL:authURL:credentials:syncIntervalSeconds:)``
    /// does; the cached connector of the connection is dropped so the next use sees them.
    /// - Throws: ``HubError`` `.invalidRequest` naming the problem, `.notFound`.
    public func updateConnection(_ id: String, tenant: String, changes: ConnectionChanges) async throws -> Connection {
        guard var connection = try await store.connection(id: id, tenant: tenant) else {
            throw HubError(.notFound, "no connection \(id)")
        }
        if let name = changes.name {
            guard FieldRules.isPresent(name) else { throw HubError(.invalidRequest, "the connection needs a name") }
            connection.name = name
        }
        if let baseURL = changes.baseURL {
            try Self.checkURL(baseURL, label: "base URL")
            connection.baseURL = baseURL
        }
        if let authURL = changes.authURL {
            if let authURL { try Self.checkURL(authURL, label: "auth URL") }
            connection.authURL = authURL
        }
        if let interval = changes.syncIntervalSeconds {
            if let interval, interval < 10 { throw HubError(.invalidRequest, "the sync interval must be at least 10 seconds") }
            connection.syncIntervalSeconds = interval
        }
        if let enabled = changes.enabled { connection.enabled = enabled }
        if let rate = changes.requestsPerSecond { connection.requestsPerSecond = rate }
        if let concurrency = changes.maxConcurrency { connection.maxConcurrency = concurrency }
        try Self.checkLimits(requestsPerSecond: connection.requestsPerSecond, maxConcurrency: connection.maxConcurrency)
        if let credentials = changes.credentials {
            guard let vendor = ConnectorRegistry.vendor(named: connection.vendor) else { throw HubError(.invalidRequest, "unknown vendor \(connection.vendor)") }
            do {
                _ = try ConnectorRegistry.credentials(for: vendor, json: credentials)
            } catch let error as ConnectorError {
                throw HubError(.invalidRequest, "credentials: \(error.message)")
            }
        }
        connection.updatedAt = Date()
        let saved = try await store.saveConnection(connection, credentials: changes.credentials)
        return saved
    }

    /// Rate overrides: a request rate of 0 (unpaced) or more, and 1 to 64 requests in flight.
    static func checkLimits(requestsPerSecond: Double?, maxConcurrency: Int?) throws {
        if let rate = requestsPerSecond, !(rate >= 0 && rate.isFinite) {
            throw HubError(.invalidRequest, "requests per second must be 0 (unpaced) or more")
        }
        if let concurrency = maxConcurrency, !(1...64).contains(concurrency) {
            throw HubError(.invalidRequest, "max concurrency must be 1 to 64")
        }
    }

    static func checkURL(_ url: String, label: String) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
            throw HubError(.invalidRequest, "the \(label) must be an http(s) URL")
        }
    }
}
