public import ConnectorKit
public import Foundation
public import HubStore
public import Logging
public import RealtyModel
public import SyncEngine
import Synchronization

/// The hub's application layer: one use-case function per operation (add a connection, sync,
/// accept a lead, update a unit, ...), called by the API server's routes and by the CLI alike.
/// Each parses and validates its input once and speaks in ``HubError``s.
///
/// The composition root (HubApp) opens the store and the connector provider and hands them in;
/// nothing here knows a database engine, an HTTP client or a vendor.
///
/// - warning: call ``shutdown()`` before dropping it: what the composition root opened for it
///   (the HTTP client) is closed there.
public final class HubRuntime: Sendable {
    /// SQLite or PostgreSQL, as the configuration chose.
    public let store: any HubStorage
    /// Builds each connection's connector (the vendor registry over the process's HTTP client).
    public let connectors: any ConnectorProvider
    public let logger: Logger
    /// The data folder's keys: credentials at rest, and the signatures of hub API tokens.
    public let secretBox: SecretBox
    private let closeResources: @Sendable () async -> Void
    /// Whether webhooks may go to loopback, private and link-local addresses.
    public let allowPrivateWebhookTargets: Bool
    /// Sends this process's webhooks (checking each target's address).
    public let webhookTransport: SafeWebhookTransport
    /// How long a webhook receiver has to answer.
    public let webhookTimeout: TimeInterval
    /// Whether each connection, as last read (its every field, `updatedAt` included, so an edit
    /// or new credentials ask again), takes leads: answering means reading and decrypting its
    /// credentials and building its connector, which every accepted lead would otherwise repeat.
    let leadCapabilities = Mutex<[Connection: Bool]>([:])

    /// - Parameters:
    ///   - store: the opened store.
    ///   - secretBox: the data folder's keys.
    ///   - connectors: the connector provider.
    ///   - logger: the operations' logger.
    ///   - allowPrivateWebhookTargets: whether webhooks may go to private addresses.
    ///   - webhookTimeout: how long a webhook receiver has to answer (seconds).
    ///   - closeResources: closes what the caller opened for this runtime (run by ``shutdown()``
    ///     before the store is closed).
    public init(
        store: any HubStorage, secretBox: SecretBox, connectors: any ConnectorProvider, logger: Logger,
        allowPrivateWebhookTargets: Bool = false, webhookTimeout: TimeInterval = 10,
        closeResources: @escaping @Sendable () async -> Void = {}
    ) {
        self.store = store
        self.secretBox = secretBox
        self.connectors = connectors
        self.logger = logger
        self.allowPrivateWebhookTargets = allowPrivateWebhookTargets
        self.webhookTransport = SafeWebhookTransport(allowPrivateTargets: allowPrivateWebhookTargets)
        self.webhookTimeout = webhookTimeout
        self.closeResources = closeResources
    }

    /// Closes what the composition root opened for this runtime, then the store.
    public func shutdown() async {
        await webhookTransport.shutdown()
        await closeResources()
        await store.close()
    }

    /// The pull runner over this runtime.
    public var pullRunner: PullRunner { PullRunner(store: store, connectors: connectors, logger: logger) }

    /// A delivery worker over this runtime.
    public func deliveryWorker(owner: String = HubRuntime.workerOwner()) -> DeliveryWorker {
        DeliveryWorker(store: store, connectors: connectors, handlers: Self.deliveryHandlers(), owner: owner, logger: logger)
    }

    /// A worker name unique to this process and call.
    public static func workerOwner() -> String {
        "realtyhub-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))"
    }
}
