import AsyncHTTPClient
public import ConnectorKit
import Connectors
public import Foundation
public import HubStore
public import Logging
public import RealtyModel
public import SyncEngine

/// An opened hub: the store, the process's one HTTP client and the connector provider.
/// Every CLI command that talks to vendors opens one and shuts it down when done.
///
/// - warning: call ``shutdown()`` before dropping it: the HTTP client must be shut down.
public final class HubRuntime: Sendable {
    /// SQLite or PostgreSQL, as the configuration chose.
    public let store: any HubStorage
    public let connectors: RegistryConnectorProvider
    public let logger: Logger
    /// The data folder's keys: credentials at rest, and the signatures of hub API tokens.
    public let secretBox: SecretBox
    let http: HTTPClient

    /// Opens the store (migrating it) and creates the HTTP client.
    public static func open(_ configuration: HubConfiguration, logger: Logger) async throws -> HubRuntime {
        let store = try await HubApp.openStore(configuration, createKey: true, logger: logger)
        let secretBox: SecretBox
        do {
            secretBox = try SecretKeyLoader.load(configuration, create: false).0
        } catch {
            await store.close()
            throw error
        }
        // With a shared database, vendor sessions are shared too: one process logs in, the
        // others reuse its session (sealed with the same key as the credentials).
        let shared: (any SharedSessionStore)? = configuration.database != nil ? StoreSharedSessions(store: store, secretBox: secretBox) : nil
        // So are request limits: a connection's concurrency, rate and daily quota are counted
        // over every process, not per process.
        let limits: (any SharedRequestLimits)? = configuration.database != nil
            ? StoreSharedLimits(store: store, owner: PullRunner.defaultOwner(), logger: logger) : nil
        // The one shared configuration (redirects never followed, connect/read timeouts, pool
        // limits); every connector request also carries its own deadline.
        let http = VendorHTTPConfiguration.standard.makeClient()
        return HubRuntime(store: store, secretBox: secretBox, http: http, logger: logger, sharedSessions: shared, sharedLimits: limits)
    }

    init(
        store: any HubStorage, secretBox: SecretBox, http: HTTPClient, logger: Logger,
        sharedSessions: (any SharedSessionStore)? = nil, sharedLimits: (any SharedRequestLimits)? = nil
    ) {
        self.store = store
        self.secretBox = secretBox
        self.http = http
        self.logger = logger
        connectors = RegistryConnectorProvider(
            transport: AsyncHTTPClientTransport(client: http), logger: logger, sharedSessions: sharedSessions,
            sharedLimits: sharedLimits)
    }

    /// Shuts the HTTP client down and closes the store.
    public func shutdown() async {
        try? await http.shutdown()
        await store.close()
    }

    /// The pull runner over this runtime.
    public var pullRunner: PullRunner { PullRunner(store: store, connectors: connectors, logger: logger) }

    /// A delivery worker over this runtime.
    public func deliveryWorker(owner: String = "realtyhub-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))") -> DeliveryWorker {
        DeliveryWorker(store: store, connectors: connectors, handlers: Self.deliveryHandlers(), owner: owner, logger: logger)
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
        syncIntervalSeconds: Int?, requestsPerSecond: Double? = nil, maxConcurrency: Int? = nil
    ) async throws -> Connection {
        guard let vendorID = ConnectorRegistry.vendor(named: vendor) else {
            throw HubError(.invalidRequest, "unknown vendor \"\(vendor)\"; vendors: \(ConnectorRegistry.vendors.map(\.rawValue).joined(separator: ", "))")
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
        do {
            _ = try ConnectorRegistry.credentials(for: vendorID, json: credentials)
        } catch let error as ConnectorError {
            throw HubError(.invalidRequest, "credentials: \(error.message)")
        }
        try Self.checkLimits(requestsPerSecond: requestsPerSecond, maxConcurrency: maxConcurrency)
        try await ensureTenant(tenant)
        let now = Date()
        var connection = Connection(
            id: HubKey.make(at: now), tenantID: tenant, vendor: vendor, name: name, baseURL: baseURL, authURL: authURL,
            syncIntervalSeconds: syncIntervalSeconds, createdAt: now, updatedAt: now)
        connection.requestsPerSecond = requestsPerSecond
        connection.maxConcurrency = maxConcurrency
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

    /// Pulls the readable resources of the connections named (all of the tenant's when empty).
    public func sync(
        tenant: String, connections: [Connection], resource: ResourceName?, full: Bool,
        progress: (@Sendable (SyncRun) -> Void)? = nil
    ) async throws -> [SyncRun] {
        var runs: [SyncRun] = []
        for connection in connections where connection.enabled {
            let credentials = try await store.credentials(connectionID: connection.id, tenant: connection.tenantID)
            let capabilities: ConnectorCapabilities
            do {
                capabilities = try connectors.connector(for: connection, credentials: credentials).capabilities
            } catch {
                var failed = SyncRun(tenantID: tenant, connectionID: connection.id, resource: resource ?? .contacts, mode: full ? .full : .incremental, status: .failed, startedAt: Date(), finishedAt: Date())
                failed.error = String(describing: error)
                runs.append(failed)
                continue
            }
            let resources = capabilities.readable.map(\.resource).filter { resource == nil || $0 == resource }
            if let resource, resources.isEmpty {
                throw HubError(.invalidRequest, "connection \(connection.name) cannot read \(resource.rawValue)")
            }
            for name in resources {
                runs.append(try await pullRunner.run(
                    tenant: tenant, connectionID: connection.id, resource: name, mode: full ? .full : .incremental, progress: progress))
            }
        }
        return runs
    }

    /// Validates a lead and commits one delivery per target connection to the outbox; returns
    /// only once they are committed.
    /// Under an idempotency key the same request (the same lead to the same connections) gets
    /// the deliveries the first one committed, also when both run at once.
    /// - Throws: ``HubError`` `.validationFailed` with the field errors, `.invalidRequest` when a
    ///   target cannot receive leads, `.idempotencyKeyReused` when the key was used for another
    ///   request.
    public func pushLead(_ json: Data, tenant: String, to targets: [Connection], idempotencyKey: String? = nil) async throws -> [Delivery] {
        var lead: Contact
        do {
            // The hub's own fields (key, provenance, timestamps, content hash, raw) are the
            // hub's to set: a record read from the API can be sent back as it is, and they are
            // ignored, whatever they hold.
            var clientFields = json
            if case .object(var object)? = try? JSONDecoder().decode(JSONValue.self, from: json) {
                for name in MetadataFieldNames(.contacts).all { object[name] = nil }
                clientFields = Data(JSONValue.object(object).jsonText.utf8)
            }
            lead = try JSONDecoder().decode(Contact.self, from: clientFields)
        } catch let error as DecodingError {
            throw HubError(.invalidRequest, "the lead is not a Contacts record in RESO names: \(Self.describe(error))")
        }
        if lead.contactType == nil { lead.contactType = "Lead" }
        let errors = lead.validate()
        guard errors.isEmpty else { throw HubError(.validationFailed, "the lead is not valid", details: errors) }
        guard !targets.isEmpty else { throw HubError(.invalidRequest, "name at least one connection to deliver to") }
        for target in targets {
            let credentials = try await store.credentials(connectionID: target.id, tenant: tenant)
            let capabilities = try connectors.connector(for: target, credentials: credentials).capabilities
            guard capabilities.write(.contacts)?.canCreate == true else {
                throw HubError(.invalidRequest, "connection \(target.name) (\(target.vendor)) cannot create leads")
            }
        }
        let payload = try JSONEncoder().encode(lead)
        let deliveries = targets.map {
            NewDelivery(tenantID: tenant, connectionID: $0.id, kind: .leadCreate, payload: payload, idempotencyKey: idempotencyKey)
        }
        guard let idempotencyKey else { return try await store.enqueue(deliveries, now: Date()) }
        // The request is the lead as it will be delivered and the set of target connections.
        let sortedKeys = JSONEncoder()
        sortedKeys.outputFormatting = [.sortedKeys]
        let fingerprint = RequestFingerprint.of([try sortedKeys.encode(lead)] + targets.map { Data($0.id.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
        let order = Dictionary(targets.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        func inTargetOrder(_ found: [Delivery]) -> [Delivery] {
            found.sorted { (order[$0.connectionID] ?? Int.max, $0.id) < (order[$1.connectionID] ?? Int.max, $1.id) }
        }
        switch try await store.enqueue(deliveries, idempotencyKey: idempotencyKey, tenant: tenant, fingerprint: fingerprint, now: Date()) {
        case .created(let created):
            return inTargetOrder(created)
        case .existing(let stored, let existing):
            let same: Bool
            if let stored {
                same = stored == fingerprint
            } else {
                // A key from before fingerprints were stored: the same request when it went to
                // the same connections with the same lead.
                same = Set(existing.map(\.connectionID)) == Set(targets.map(\.id))
                    && existing.allSatisfy { $0.kind == .leadCreate && (try? JSONDecoder().decode(Contact.self, from: $0.payload)) == lead }
            }
            guard same else {
                throw HubError(.idempotencyKeyReused, "Idempotency-Key \(idempotencyKey) was used for another request")
            }
            return inTargetOrder(existing)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "malformed JSON"
        }
    }
}

public import ServiceLifecycle
import UnixSignals

extension HubRuntime {
    /// Runs the scheduler (pulls on each connection's schedule) and the delivery worker until
    /// SIGTERM or SIGINT, then lets the attempts in progress finish.
    ///
    /// - Parameters:
    ///   - fullPassInterval: how often each resource gets a full pass (deletion detection).
    ///   - pollInterval: how long the delivery worker sleeps when nothing is due.
    ///   - leaseDuration: how long a delivery attempt or a pull stays leased to this process
    ///     without a heartbeat (renewed every third of it while it runs); after a crash, its
    ///     deliveries and pulls are taken over when the lease expires (default 10 s).
    public func runWorkers(
        fullPassInterval: TimeInterval = 86_400, pollInterval: Duration = .milliseconds(250), leaseDuration: TimeInterval = DeliveryPolicy.defaultLeaseDuration
    ) async throws {
        let services = try await workerServices(fullPassInterval: fullPassInterval, pollInterval: pollInterval, leaseDuration: leaseDuration)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// The scheduler and the delivery service, to run in a service group (`realtyhub run`
    /// runs them alone; the API server runs them beside the HTTP server). Runs left `running`
    /// by a process that died are marked failed first.
    public func workerServices(
        fullPassInterval: TimeInterval = 86_400, pollInterval: Duration = .milliseconds(250), leaseDuration: TimeInterval = DeliveryPolicy.defaultLeaseDuration
    ) async throws -> [any Service] {
        _ = try await store.abandonSyncRuns(startedBefore: Date(), reason: PullRunner.abandonedReason)
        // Pull leases last as long as delivery leases: a killed process's pulls are taken over
        // by another process after the same delay.
        let runner = PullRunner(store: store, connectors: connectors, leaseDuration: leaseDuration, logger: logger)
        let scheduler = SyncScheduler(
            store: store, runner: runner, connectors: connectors, fullPassInterval: fullPassInterval, logger: logger)
        let worker = DeliveryWorker(
            store: store, connectors: connectors, handlers: Self.deliveryHandlers(), policy: DeliveryPolicy(leaseDuration: leaseDuration),
            owner: "realtyhub-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))", logger: logger)
        let deliveries = DeliveryService(worker: worker, idleInterval: pollInterval, logger: logger)
        return [scheduler, deliveries]
    }
}
