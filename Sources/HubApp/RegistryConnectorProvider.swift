public import ConnectorKit
import Connectors
public import Foundation
public import HubStore
public import Logging
public import SyncEngine
import Synchronization

/// Builds connectors for stored connections through the vendor registry, and keeps one per
/// connection (rebuilt when the connection or its credentials change), so tokens, sessions,
/// rate limits and quotas are shared by every pull and delivery of a connection.
public final class RegistryConnectorProvider: ConnectorProvider {
    private struct Entry {
        var fingerprint: String
        var connector: any Connector
    }

    private let transport: any HTTPTransport
    private let clock: any ConnectorClock
    private let logger: Logger
    private let sharedSessions: (any SharedSessionStore)?
    private let sharedLimits: (any SharedRequestLimits)?
    private let sharedLimitsForBudgetsOnly: Bool
    private let pageSize: Int?
    private let cache = Mutex<[String: Entry]>([:])

    /// - Parameters:
    ///   - transport: the application's HTTP transport (one `HTTPClient` for the process).
    ///   - clock: the connectors' clock.
    ///   - logger: passed to the connectors.
    ///   - sharedSessions: tokens and sessions shared with other processes (nil: each connector
    ///     logs in on its own).
    ///   - sharedLimits: request limits counted with other processes (nil: each process counts
    ///     on its own).
    ///   - sharedLimitsForBudgetsOnly: whether only connections with a daily budget count
    ///     through `sharedLimits` (an SQLite data folder: processes sharing the file share the
    ///     budget, and unbudgeted connections keep their limits in memory, at no store cost).
    ///   - pageSize: a page size capping every connector's (tests and benchmarks; nil: each
    ///     vendor's largest).
    public init(
        transport: any HTTPTransport, clock: any ConnectorClock = SystemConnectorClock(), logger: Logger,
        sharedSessions: (any SharedSessionStore)? = nil, sharedLimits: (any SharedRequestLimits)? = nil,
        sharedLimitsForBudgetsOnly: Bool = false, pageSize: Int? = nil
    ) {
        self.sharedLimitsForBudgetsOnly = sharedLimitsForBudgetsOnly
        self.pageSize = pageSize
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.sharedSessions = sharedSessions
        self.sharedLimits = sharedLimits
    }

    public var vendors: [VendorID] { ConnectorRegistry.vendors }

    public func credentials(for vendor: VendorID, json: Data) throws -> any VendorCredentials {
        try ConnectorRegistry.credentials(for: vendor, json: json)
    }

    public func credentialKeys(for vendor: VendorID) -> String {
        ConnectorRegistry.credentialKeys(for: vendor)
    }

    public func optionSpecs(for vendor: VendorID) -> [ConnectionOptionSpec] {
        ConnectorRegistry.optionSpecs(for: vendor)
    }

    public func requestLimits(for connection: Connection) -> RateLimits? {
        guard let vendor = ConnectorRegistry.vendor(named: connection.vendor),
            let limits = ConnectorRegistry.profile(for: vendor)?.rateLimits
        else { return nil }
        return limits.applying(Self.overrides(connection))
    }

    /// The limits a connection sets over its vendor's.
    static func overrides(_ connection: Connection) -> ConnectorConfiguration.LimitOverrides {
        ConnectorConfiguration.LimitOverrides(
            maxConcurrency: connection.maxConcurrency, requestsPerSecond: connection.requestsPerSecond,
            dailyRequests: connection.dailyRequests, deliveryReservePercent: connection.deliveryReservePercent)
    }

    /// The options in a stable order, each key and value length-prefixed so no two maps read alike.
    static func optionsFingerprint(_ options: [String: String]) -> String {
        options.keys.sorted().map { key in
            let value = options[key] ?? ""
            return "\(key.utf8.count):\(key)=\(value.utf8.count):\(value)"
        }.joined(separator: ";")
    }

    public func connector(for connection: Connection, credentials: Data?) throws -> any Connector {
        let fingerprint =
            "\(connection.vendor)|\(connection.baseURL)|\(connection.authURL ?? "")|\(connection.updatedAt.timeIntervalSince1970)|\(connection.requestsPerSecond ?? -1)|\(connection.maxConcurrency ?? -1)|\(connection.dailyRequests ?? -1)|\(connection.deliveryReservePercent ?? -1)|\(Self.optionsFingerprint(connection.options))|\(credentials?.hashValue ?? 0)"
        if let entry = cache.withLock({ $0[connection.id] }), entry.fingerprint == fingerprint {
            return entry.connector
        }
        guard let vendor = ConnectorRegistry.vendor(named: connection.vendor) else {
            throw SyncEngineError.unusableConnection(
                "connection \(connection.id) names an unknown vendor \"\(connection.vendor)\"; vendors: \(ConnectorRegistry.vendors.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard let credentials else {
            throw SyncEngineError.unusableConnection("connection \(connection.id) has no credentials")
        }
        guard let baseURL = URL(string: connection.baseURL), baseURL.scheme != nil, baseURL.host != nil else {
            throw SyncEngineError.unusableConnection("connection \(connection.id) has an invalid base URL")
        }
        var authURL: URL?
        if let text = connection.authURL {
            guard let url = URL(string: text), url.scheme != nil, url.host != nil else {
                throw SyncEngineError.unusableConnection("connection \(connection.id) has an invalid auth URL")
            }
            authURL = url
        }
        var configuration = ConnectorConfiguration(
            connectionID: connection.id, baseURL: baseURL, authURL: authURL,
            credentials: try ConnectorRegistry.credentials(for: vendor, json: credentials))
        configuration.sharedSessions = sharedSessions
        configuration.limits = Self.overrides(connection)
        configuration.pageSize = pageSize
        configuration.options = connection.options
        if !sharedLimitsForBudgetsOnly || requestLimits(for: connection)?.budget != nil {
            configuration.sharedLimits = sharedLimits
        }
        let connector = try ConnectorRegistry.make(
            vendor: vendor, configuration: configuration, transport: transport, clock: clock, logger: logger)
        cache.withLock { $0[connection.id] = Entry(fingerprint: fingerprint, connector: connector) }
        return connector
    }
}
