public import ConnectorKit
public import Foundation
public import HubStore
public import Logging
public import RealtyModel

/// What a delivery handler gets: the delivery, its connection and a connector for it.
public struct DeliveryContext: Sendable {
    public let delivery: Delivery
    public let connection: Connection
    public let connector: any Connector

    /// Whether an earlier attempt may already have reached the vendor (it was claimed before),
    /// so the handler must look for its own earlier success before writing again.
    public var mayHaveReachedVendor: Bool { delivery.attempts > 1 || delivery.remoteID != nil }
}

/// Performs one kind of delivery at the vendor and returns the vendor's id of what it wrote.
public typealias DeliveryHandler = @Sendable (DeliveryContext) async throws -> String?

/// How deliveries are retried.
public struct DeliveryPolicy: Sendable, Hashable {
    /// Backoff between attempts (its `maxAttempts` is unused: each delivery carries its budget).
    public var backoff: RetryPolicy
    /// How long a claimed delivery stays leased to a worker; after that another worker may
    /// take it over (its worker is presumed dead).
    public var leaseDuration: TimeInterval
    /// Deliveries claimed at once.
    public var batchSize: Int

    public init(
        backoff: RetryPolicy = RetryPolicy(baseDelay: .seconds(2), maxDelay: .seconds(600), maxRetryAfter: .seconds(3600)),
        leaseDuration: TimeInterval = 300, batchSize: Int = 16
    ) {
        self.backoff = backoff
        self.leaseDuration = leaseDuration
        self.batchSize = max(1, batchSize)
    }
}

/// Takes due deliveries from the outbox and performs them: at least once, with the remote id
/// and "done" committed in one transaction, and a lookup before writing again whenever an
/// earlier attempt may have succeeded at the vendor, so nothing is created twice where the
/// vendor allows a lookup.
public struct DeliveryWorker: Sendable {
    let store: any HubStorage
    let connectors: any ConnectorProvider
    let handlers: [DeliveryKind: DeliveryHandler]
    let policy: DeliveryPolicy
    let owner: String
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let logger: Logger

    /// - Parameters:
    ///   - owner: this worker's lease name (unique per process).
    ///   - handlers: what to do per delivery kind; ``standardHandlers`` covers leads.
    public init(
        store: any HubStorage, connectors: any ConnectorProvider, handlers: [DeliveryKind: DeliveryHandler] = DeliveryWorker.standardHandlers,
        policy: DeliveryPolicy = DeliveryPolicy(), owner: String = "worker-\(UUID().uuidString.prefix(8))",
        now: @escaping @Sendable () -> Date = { Date() }, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger
    ) {
        self.store = store
        self.connectors = connectors
        self.handlers = handlers
        self.policy = policy
        self.owner = owner
        self.now = now
        self.random = random
        self.logger = logger
    }

    /// Lead creation: look the lead up first when an earlier attempt may have created it, and
    /// create it otherwise.
    public static let standardHandlers: [DeliveryKind: DeliveryHandler] = [
        .leadCreate: { context in
            let lead: Contact
            do {
                lead = try JSONDecoder().decode(Contact.self, from: context.delivery.payload)
            } catch {
                throw SyncEngineError.invalidPayload("the lead is not a Contacts record: \(error)")
            }
            if let remoteID = context.delivery.remoteID { return remoteID }
            if context.mayHaveReachedVendor,
               let capability = context.connector.capabilities.write(.contacts), !capability.lookupKeys.isEmpty,
               let existing = try await context.connector.lookup(lead)
            {
                return existing
            }
            return try await context.connector.create(lead).remoteID
        },
    ]

    /// Claims due deliveries and performs them concurrently.
    /// - Returns: how many were attempted.
    @discardableResult
    public func runOnce(connectionID: String? = nil) async throws -> Int {
        let claimed = try await store.claimDeliveries(
            owner: owner, now: now(), leaseDuration: policy.leaseDuration, limit: policy.batchSize, connectionID: connectionID)
        guard !claimed.isEmpty else { return 0 }
        // While the attempts run, a heartbeat extends their leases every third of the lease, so
        // a slow attempt (retries, a slow vendor) is never taken over by another worker while
        // this one is alive; if this process dies, the leases expire and others take over.
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask { await heartbeat() }
            await withTaskGroup(of: Void.self) { group in
                for delivery in claimed {
                    group.addTask { await attempt(delivery) }
                }
            }
            outer.cancelAll()
        }
        return claimed.count
    }

    /// Performs one claimed delivery and records its outcome. Never throws: a store failure
    /// leaves the delivery leased, and it is taken over when the lease expires.
    /// Renews this worker's delivery leases every third of the lease duration until cancelled.
    func heartbeat() async {
        let interval = Duration.milliseconds(max(10, Int(policy.leaseDuration * 1000 / 3)))
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            do {
                _ = try await store.renewDeliveryLeases(owner: owner, now: now(), leaseDuration: policy.leaseDuration)
            } catch {
                logger.warning("renewing delivery leases failed", metadata: ["hub.error": "\(error)"])
            }
        }
    }

    func attempt(_ delivery: Delivery) async {
        let metadata: Logger.Metadata = [
            "hub.delivery.id": "\(delivery.id)", "hub.connection.id": "\(delivery.connectionID)",
            "hub.delivery.kind": "\(delivery.kind)", "hub.delivery.attempt": "\(delivery.attempts)",
        ]
        do {
            let remoteID: String?
            do {
                guard let handler = handlers[delivery.kind] else {
                    throw SyncEngineError.invalidPayload("no handler for deliveries of kind \(delivery.kind)")
                }
                let (connection, connector) = try await connectors.connector(
                    store: store, tenant: delivery.tenantID, connectionID: delivery.connectionID)
                remoteID = try await handler(DeliveryContext(delivery: delivery, connection: connection, connector: connector))
            } catch {
                let (retryAt, message) = decide(error, delivery: delivery)
                let updated = try await store.failDelivery(id: delivery.id, owner: owner, error: message, retryAt: retryAt, now: now())
                logger.notice("delivery attempt failed", metadata: metadata.merging([
                    "hub.delivery.state": "\(updated.state.rawValue)", "hub.error": "\(message)",
                ]) { $1 })
                return
            }
            _ = try await store.completeDelivery(id: delivery.id, owner: owner, remoteID: remoteID, now: now())
            logger.info("delivered", metadata: metadata)
        } catch {
            logger.error("could not record a delivery outcome; the lease will expire and it will be retried",
                         metadata: metadata.merging(["hub.error": "\(error)"]) { $1 })
        }
    }

    /// Whether and when to try again after `error`.
    /// - Returns: the next attempt time (nil: dead) and the reason to record.
    func decide(_ error: any Error, delivery: Delivery) -> (Date?, String) {
        let message = String(describing: error)
        let retryable: Bool
        var retryAfter: Duration?
        switch error {
        case let error as ConnectorError:
            retryAfter = error.retryAfter
            switch error.kind {
            // An auth failure after the connector's own re-login can be passing (a session
            // revoked, another process's login racing this one's challenge, credentials being
            // rotated); it is retried within the budget and dead-lettered if it persists.
            case .retryable, .rateLimited, .invalidResponse, .auth: retryable = true
            default: retryable = false
            }
        case is SyncEngineError:
            retryable = false
        case is StoreError:
            retryable = true
        default:
            // Transport failures (connection refused, reset, timeout) are worth retrying.
            retryable = true
        }
        guard retryable else { return (nil, message) }
        guard delivery.attempts < delivery.maxAttempts else {
            return (nil, "retry budget of \(delivery.maxAttempts) attempts spent; last error: \(message)")
        }
        let wait = policy.backoff.delay(retry: delivery.attempts, retryAfter: retryAfter, random: random())
        let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
        return (now().addingTimeInterval(seconds), message)
    }
}
