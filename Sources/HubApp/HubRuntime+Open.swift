import AsyncHTTPClient
public import ConnectorKit
public import HubOperations
import HubStore
public import Logging
import SyncEngine

extension HubRuntime {
    /// Opens the hub a configuration describes: the store (migrated), the data folder's keys,
    /// the process's one HTTP client, and the vendor registry over it (sharing vendor sessions
    /// and request limits through the store when the database is shared).
    ///
    /// - Parameters:
    ///   - configuration: the data folder or database.
    ///   - logger: the operations' logger.
    ///   - clock: the connectors' clock.
    public static func open(
        _ configuration: HubConfiguration, logger: Logger, clock: any ConnectorClock = SystemConnectorClock()
    ) async throws -> HubRuntime {
        let store = try await HubApp.openStore(configuration, createKey: true, logger: logger)
        let secretBox: SecretBox
        do {
            secretBox = try SecretKeyLoader.load(configuration, create: false).0
        } catch {
            await store.close()
            throw error
        }
        let shared = configuration.database != nil
        // With a shared database, vendor sessions are shared too: one process logs in, the
        // others reuse its session (sealed with the same key as the credentials). So are
        // request limits: a connection's concurrency, rate and daily quota are counted over
        // every process, not per process. In an SQLite data folder, a connection with a daily
        // budget counts it in the file too, so processes sharing the folder share the budget.
        let sessions: (any SharedSessionStore)? = shared ? StoreSharedSessions(store: store, secretBox: secretBox) : nil
        let limits = StoreSharedLimits(store: store, owner: PullRunner.defaultOwner(), logger: logger)
        // The one shared configuration (redirects never followed, connect/read timeouts, pool
        // limits); every connector request also carries its own deadline.
        let http = VendorHTTPConfiguration.standard.makeClient()
        let connectors = RegistryConnectorProvider(
            transport: AsyncHTTPClientTransport(client: http), clock: clock, logger: logger, sharedSessions: sessions,
            sharedLimits: limits, sharedLimitsForBudgetsOnly: !shared)
        return HubRuntime(
            store: store, secretBox: secretBox, connectors: connectors, logger: logger,
            allowPrivateWebhookTargets: configuration.allowPrivateWebhookTargets, webhookTimeout: configuration.webhookTimeout,
            closeResources: { try? await http.shutdown() })
    }
}
