public import ConnectorKit
public import Foundation
public import HubStore
public import RealtyModel
public import SyncEngine

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
    /// The connection's own daily budget; `.some(nil)` removes it (the vendor's quota alone).
    public var dailyRequests: Int??
    /// The share of the daily budget kept for deliveries; `.some(nil)` for the default (20%).
    public var deliveryReservePercent: Int??
    /// Options to set (a value) or remove (nil), by key; the others are kept.
    public var options: [String: String?]
    /// Whether every option not set by ``options`` is removed first.
    public var replacesOptions: Bool
    /// The re-read cadence of resources without a change signal; `.some(nil)` for the default.
    public var rereadIntervalSeconds: Int??

    public init(
        name: String? = nil, baseURL: String? = nil, authURL: String?? = nil, credentials: Data? = nil,
        syncIntervalSeconds: Int?? = nil, enabled: Bool? = nil, requestsPerSecond: Double?? = nil, maxConcurrency: Int?? = nil,
        dailyRequests: Int?? = nil, deliveryReservePercent: Int?? = nil, options: [String: String?] = [:],
        replacesOptions: Bool = false, rereadIntervalSeconds: Int?? = nil
    ) {
        self.options = options
        self.replacesOptions = replacesOptions
        self.rereadIntervalSeconds = rereadIntervalSeconds
        self.dailyRequests = dailyRequests
        self.deliveryReservePercent = deliveryReservePercent
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

/// Connections, sync runs and deliveries as the CLI manages them.
extension HubRuntime {
    /// The tenant commands use when none is named.
    public static let defaultTenant = "default"

    /// Makes sure `tenant` exists (the default tenant is created on first use).
    public func ensureTenant(_ tenant: String) async throws {
        if try await store.tenant(id: tenant) == nil {
            _ = try await store.createTenant(id: tenant, name: tenant)
        }
    }

    /// Adds a connection after checking its vendor, URLs and credentials.
    /// - Throws: ``HubError`` `.invalidRequest`/`.validationFailed` naming the problem.
    public func addConnection(
        tenant: String, vendor: String, name: String, baseURL: String, authURL: String?, credentials: Data,
        syncIntervalSeconds: Int?, requestsPerSecond: Double? = nil, maxConcurrency: Int? = nil, dailyRequests: Int? = nil,
        deliveryReservePercent: Int? = nil, options: [String: String] = [:], rereadIntervalSeconds: Int? = nil
    ) async throws -> Connection {
        guard let vendorID = connectors.vendor(named: vendor) else {
            throw HubError(.invalidRequest, "unknown vendor \"\(vendor)\"; vendors: \(connectors.vendorList)")
        }
        guard FieldRules.isPresent(name) else { throw HubError(.invalidRequest, "the connection needs a name") }
        for (label, url) in [("base URL", Optional(baseURL)), ("auth URL", authURL)] {
            guard let url else { continue }
            guard let parsed = URL(string: url), let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
                throw HubError(.invalidRequest, "the \(label) must be an http(s) URL")
            }
        }
        if let interval = syncIntervalSeconds, interval < 10 {
            throw HubError(.invalidRequest, "the sync interval must be at least 10 seconds")
        }
        try checkCredentials(credentials, vendor: vendorID)
        try Self.checkLimits(requestsPerSecond: requestsPerSecond, maxConcurrency: maxConcurrency)
        try RequestBudgetSetting.check(dailyRequests: dailyRequests, reservePercent: deliveryReservePercent)
        try RereadIntervalSetting.check(rereadIntervalSeconds)
        let checkedOptions = try checkOptions(options, vendor: vendorID)
        try await ensureTenant(tenant)
        let now = Date()
        var connection = Connection(
            id: HubKey.make(at: now), tenantID: tenant, vendor: vendor, name: name, baseURL: baseURL, authURL: authURL,
            syncIntervalSeconds: syncIntervalSeconds, createdAt: now, updatedAt: now)
        connection.requestsPerSecond = requestsPerSecond
        connection.maxConcurrency = maxConcurrency
        connection.dailyRequests = dailyRequests
        connection.deliveryReservePercent = deliveryReservePercent
        connection.options = checkedOptions
        connection.rereadIntervalSeconds = rereadIntervalSeconds
        return try await store.saveConnection(connection, credentials: credentials)
    }

    /// Finds a connection by id or by name.
    public func findConnection(_ idOrName: String, tenant: String) async throws -> Connection {
        if let byID = try await store.connection(id: idOrName, tenant: tenant) { return byID }
        if let byName = try await store.listConnections(tenant: tenant).first(where: { $0.name == idOrName }) { return byName }
        throw HubError(.notFound, "no connection \"\(idOrName)\" in tenant \(tenant)")
    }

    /// Authenticates against the connection's vendor.
    public func testConnection(_ connection: Connection) async throws -> ConnectorCapabilities {
        let credentials = try await store.credentials(connectionID: connection.id, tenant: connection.tenantID)
        let connector = try connectors.connector(for: connection, credentials: credentials)
        try await connector.verify()
        return connector.capabilities
    }

    /// How each resource the connection reads stands, from its latest sync runs: whether it is
    /// available, when it was last read in full and in part (its freshness), why not, and when
    /// the scheduler reads it next.
    ///
    /// - Throws: ``SyncEngineError`` when the connection cannot be built (unknown vendor, no
    ///   credentials, invalid base URL).
    public func resourceStates(of connection: Connection, now: Date = Date()) async throws -> [ResourceState] {
        let credentials = try await store.credentials(connectionID: connection.id, tenant: connection.tenantID)
        let capabilities = try connectors.connector(for: connection, credentials: credentials).capabilities
        let runs = try await store.listSyncRuns(tenant: connection.tenantID, connectionID: connection.id, limit: 500)
        let budget = connectors.requestLimits(for: connection)?.budget
        return capabilities.readable.map { capability in
            let mine = runs.filter { $0.resource == capability.resource }
            var state = ResourceState(capability: capability, runs: mine)
            if connection.enabled, let interval = connection.syncIntervalSeconds, interval > 0 {
                let at = SyncScheduler.nextDue(
                    runs: mine, resource: capability.resource, interval: interval, fullPassInterval: SyncScheduler.defaultFullPassInterval,
                    budget: budget, reread: SyncScheduler.rereadInterval(capability, connection))
                // Due at once (never read, or resumed after a crash): now.
                state.nextDueAt = max(at, now)
            }
            return state
        }
    }

    /// Pulls the readable resources of the connections named (all of the tenant's when empty).
    public func sync(
        tenant: String, connections: [Connection], resource: ResourceName?, full: Bool,
        progress: (@Sendable (SyncRun) -> Void)? = nil
    ) async throws -> [SyncRun] {
        if resource == .media {
            throw HubError(.invalidRequest, "Media are synced with their parent records: sync Property or Member")
        }
        var runs: [SyncRun] = []
        for connection in connections where connection.enabled {
            let credentials = try await store.credentials(connectionID: connection.id, tenant: connection.tenantID)
            let capabilities: ConnectorCapabilities
            do {
                capabilities = try connectors.connector(for: connection, credentials: credentials).capabilities
            } catch {
                var failed = SyncRun(
                    tenantID: tenant, connectionID: connection.id, resource: resource ?? .contacts, mode: full ? .full : .incremental,
                    status: .failed, startedAt: Date(), finishedAt: Date())
                failed.error = String(describing: error)
                runs.append(failed)
                continue
            }
            let resources = capabilities.readable.map(\.resource).filter { resource == nil || $0 == resource }
            if let resource, resources.isEmpty {
                throw HubError(.invalidRequest, "connection \(connection.name) cannot read \(resource.rawValue)")
            }
            for name in resources {
                runs.append(
                    try await pullRunner.run(
                        tenant: tenant, connectionID: connection.id, resource: name, mode: full ? .full : .incremental, progress: progress))
            }
        }
        return runs
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
        if let budget = changes.dailyRequests { connection.dailyRequests = budget }
        if let percent = changes.deliveryReservePercent { connection.deliveryReservePercent = percent }
        try RequestBudgetSetting.check(dailyRequests: connection.dailyRequests, reservePercent: connection.deliveryReservePercent)
        if let interval = changes.rereadIntervalSeconds {
            try RereadIntervalSetting.check(interval)
            connection.rereadIntervalSeconds = interval
        }
        if let credentials = changes.credentials {
            guard let vendor = connectors.vendor(named: connection.vendor) else {
                throw HubError(.invalidRequest, "unknown vendor \(connection.vendor)")
            }
            try checkCredentials(credentials, vendor: vendor, otherVendorsConflict: true)
        }
        if changes.replacesOptions || !changes.options.isEmpty {
            guard let vendor = connectors.vendor(named: connection.vendor) else {
                throw HubError(.invalidRequest, "unknown vendor \(connection.vendor)")
            }
            var options = changes.replacesOptions ? [:] : connection.options
            for (key, value) in changes.options { options[key] = value }
            // Only the keys this change names are checked: the stored ones were checked when set.
            let named = options.filter { changes.options[$0.key] != nil }
            let checked = try checkOptions(named, vendor: vendor, otherVendorsConflict: true)
            connection.options = options.merging(checked) { _, new in new }
        }
        connection.updatedAt = Date()
        let saved = try await store.saveConnection(connection, credentials: changes.credentials)
        return saved
    }

    /// Checks `json` as `vendor`'s credentials.
    /// - Parameter otherVendorsConflict: whether well-formed credentials of another vendor are
    ///   a conflict with the connection (a change to an existing one) rather than invalid input.
    /// - Throws: ``HubError`` `.invalidRequest` naming the missing or malformed key (never a
    ///   value), or `.credentialsVendorMismatch`.
    func checkCredentials(_ json: Data, vendor: VendorID, otherVendorsConflict: Bool = false) throws {
        do {
            _ = try connectors.credentials(for: vendor, json: json)
        } catch let error as ConnectorError {
            if otherVendorsConflict, connectors.vendors.contains(where: { (try? connectors.credentials(for: $0, json: json)) != nil }) {
                throw HubError(
                    .credentialsVendorMismatch,
                    "these are not \(vendor.rawValue) credentials (\(connectors.credentialKeys(for: vendor)))",
                    details: [FieldError(field: "credentials", message: "not \(vendor.rawValue) credentials")])
            }
            throw HubError(.invalidRequest, "credentials: \(error.message)")
        }
    }

    /// Every vendor's connection options, by vendor name (for the API document).
    public var connectionOptionSpecs: [String: [ConnectionOptionSpec]] {
        Dictionary(connectors.vendors.map { ($0.rawValue, connectors.optionSpecs(for: $0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks `options` against `vendor`'s option specs.
    ///
    /// - Parameter otherVendorsConflict: whether a key another vendor knows is a conflict with
    ///   the connection (a change to an existing one, whose vendor the request does not name)
    ///   rather than invalid input.
    /// - Returns: the options in their stored form.
    /// - Throws: ``HubError`` `.validationFailed` (or `.conflict`) naming `options.<key>`.
    func checkOptions(_ options: [String: String], vendor: VendorID, otherVendorsConflict: Bool = false) throws -> [String: String] {
        do {
            return try ConnectionOptionSpec.check(options, against: connectors.optionSpecs(for: vendor))
        } catch {
            let field = "options.\(error.key)"
            if error.isUnknownKey, otherVendorsConflict,
                let other = connectors.vendors.first(where: { other in
                    other != vendor && connectors.optionSpecs(for: other).contains { $0.key == error.key }
                })
            {
                throw HubError(
                    .conflict, "\(field) is a \(other.rawValue) option; this is a \(vendor.rawValue) connection",
                    details: [FieldError(field: field, message: "not a \(vendor.rawValue) option")])
            }
            throw HubError(
                .validationFailed, "\(field): \(error.message)", details: [FieldError(field: field, message: error.message)])
        }
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
