public import Foundation
import HubStore
public import ServiceLifecycle
public import SyncEngine

extension HubRuntime {
    /// The scheduler and the delivery service, to run in the composition root's service group
    /// (`realtyhub run` runs them alone; `serve` beside the HTTP server). Runs left `running`
    /// by a process that died are marked failed first.
    ///
    /// - Parameters:
    ///   - fullPassInterval: how often each resource gets a full pass (deletion detection).
    ///   - pollInterval: how long the delivery worker sleeps when nothing is due.
    ///   - leaseDuration: how long a delivery attempt or a pull stays leased to this process
    ///     without a heartbeat (renewed every third of it while it runs); after a crash, its
    ///     deliveries and pulls are taken over when the lease expires (default 10 s).
    public func workerServices(
        fullPassInterval: TimeInterval = 86_400, pollInterval: Duration = .milliseconds(250),
        leaseDuration: TimeInterval = DeliveryPolicy.defaultLeaseDuration
    ) async throws -> [any Service] {
        _ = try await store.abandonSyncRuns(startedBefore: Date(), reason: PullRunner.abandonedReason)
        // Pull leases last as long as delivery leases: a killed process's pulls are taken over
        // by another process after the same delay.
        let runner = PullRunner(store: store, connectors: connectors, leaseDuration: leaseDuration, logger: logger)
        let scheduler = SyncScheduler(
            store: store, runner: runner, connectors: connectors, fullPassInterval: fullPassInterval, logger: logger)
        let worker = DeliveryWorker(
            store: store, connectors: connectors, handlers: Self.deliveryHandlers(), policy: DeliveryPolicy(leaseDuration: leaseDuration),
            owner: Self.workerOwner(), logger: logger)
        let deliveries = DeliveryService(worker: worker, idleInterval: pollInterval, logger: logger)
        // Webhook leases outlast a receiver's timeout three times over (a send in flight is not
        // taken over by another process), and are at least the delivery lease. A process killed
        // mid-send holds its subscriptions that long; then another sends the event again.
        let webhooks = WebhookService(
            worker: WebhookWorker(
                store: store, transport: webhookTransport, audience: HubWebhookAudience(clients: store),
                policy: WebhookPolicy(leaseDuration: max(3 * webhookTimeout, leaseDuration), timeout: webhookTimeout),
                owner: Self.workerOwner(), logger: logger),
            logger: logger)
        return [scheduler, deliveries, webhooks]
    }
}
