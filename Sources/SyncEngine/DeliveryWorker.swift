public import ConnectorKit
public import Foundation
public import HubStore
public import Logging
public import RealtyModel
import Synchronization

/// What a delivery handler gets: the delivery, its connection and a connector for it.
public struct DeliveryContext: Sendable {
    public let delivery: Delivery
    public let connection: Connection
    public let connector: any Connector

    /// Whether an earlier attempt may already have reached the vendor (it was claimed before),
    /// so the handler must look for its own earlier success before writing again.
    public var mayHaveReachedVendor: Bool { delivery.attempts > 1 || delivery.remoteID != nil }
}

/// What a delivery did at the vendor: the vendor's id of what it wrote, and what changes in the
/// hub's copy when the delivery is marked done (committed in the same transaction).
public struct DeliveryOutcome: Sendable {
    public var remoteID: String?
    public var effect: RecordEffect?

    public init(remoteID: String?, effect: RecordEffect? = nil) {
        self.remoteID = remoteID
        self.effect = effect
    }
}

/// Performs one kind of delivery at the vendor.
public typealias DeliveryHandler = @Sendable (DeliveryContext) async throws -> DeliveryOutcome

extension DeliveryContext {
    /// The scope the hub's copy of a record written through this delivery's connection is
    /// stored under (as a pull of the connection would store it).
    public func scope(now: Date = Date()) -> SyncScope {
        SyncScope(
            tenant: delivery.tenantID, connectionID: connection.id, sourceSystemName: connector.vendor.rawValue, now: now,
            sensitiveFields: connector.sensitiveFields)
    }

    /// The effect of a create or update whose vendor record is `record` (nil: nothing to store).
    func storing(_ record: (any HubRecord)?) -> RecordEffect? {
        record.map { .upsert($0, scope: scope()) }
    }
}

/// How deliveries are retried and leased.
public struct DeliveryPolicy: Sendable, Hashable {
    /// Backoff between attempts (its `maxAttempts` is unused: each delivery carries its budget).
    public var backoff: RetryPolicy
    /// How long a claimed delivery stays leased to a worker without a heartbeat; the worker
    /// renews it every third of this while the attempt runs, and after a crash another worker
    /// takes the delivery over once it expires. Short, so a lead reaches its CRM within
    /// seconds after a crash.
    public var leaseDuration: TimeInterval
    /// Deliveries claimed at once (over every connection).
    public var batchSize: Int

    /// Ten seconds: a killed process's deliveries are taken over within about that.
    public static let defaultLeaseDuration: TimeInterval = 10

    public init(
        backoff: RetryPolicy = RetryPolicy(baseDelay: .seconds(2), maxDelay: .seconds(600), maxRetryAfter: .seconds(3600)),
        leaseDuration: TimeInterval = DeliveryPolicy.defaultLeaseDuration, batchSize: Int = 16
    ) {
        self.backoff = backoff
        self.leaseDuration = max(0.03, leaseDuration)
        self.batchSize = max(1, batchSize)
    }

    /// How often the leases of running attempts are renewed: every third of the lease, so
    /// one missed renewal still leaves the lease standing.
    public var heartbeatInterval: Duration { Heartbeat.interval(forLease: leaseDuration) }

    /// How many of one connection's deliveries a worker claims at once: as many as the
    /// connection's rate lets it start within one lease (one request per delivery), at least
    /// one and at most the batch; an unpaced connection gets the batch.
    ///
    /// More would sit claimed behind the rate limiter, and a crash would hold all of them
    /// until their leases expire instead of those the worker could really have started.
    public func claimLimit(for limits: RateLimits?) -> Int {
        guard let rate = limits?.requestsPerSecond, rate > 0, rate.isFinite else { return batchSize }
        let startable = min(Double(batchSize), (rate * leaseDuration).rounded(.down))
        return max(1, Int(startable))
    }
}

/// Takes due deliveries from the outbox and performs them: at least once, with the remote id
/// and "done" committed in one transaction, and a lookup before writing again whenever an
/// earlier attempt may have succeeded at the vendor, so nothing is created twice where the
/// vendor allows a lookup.
public struct DeliveryWorker: Sendable {
    let store: any OutboxStore & ConnectionStore
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
        store: any OutboxStore & ConnectionStore, connectors: any ConnectorProvider,
        handlers: [DeliveryKind: DeliveryHandler] = DeliveryWorker.standardHandlers,
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

    /// Lead creation and record writes (create, update, delete of any writable resource).
    public static let standardHandlers: [DeliveryKind: DeliveryHandler] = [
        .leadCreate: { context in
            let lead: Contact
            do {
                lead = try JSONDecoder().decode(Contact.self, from: context.delivery.payload)
            } catch {
                throw SyncEngineError.invalidPayload("the lead is not a Contacts record: \(error)", underlying: error)
            }
            return try await RecordWriteHandlers.create(lead, context)
        },
        .recordCreate: { context in try await RecordWriteHandlers.perform(context) },
        .recordUpdate: { context in try await RecordWriteHandlers.perform(context) },
        .recordDelete: { context in try await RecordWriteHandlers.perform(context) },
    ]

    /// Claims due deliveries and performs them concurrently.
    /// - Returns: how many were attempted.
    @discardableResult
    public func runOnce(connectionID: String? = nil) async throws -> Int {
        let limits = try await claimLimits(connectionID: connectionID)
        let claimedAt = now()
        let claimed = try await store.claimDeliveries(
            owner: owner, now: claimedAt, leaseDuration: policy.leaseDuration, limit: policy.batchSize, connectionID: connectionID,
            connectionLimits: limits)
        guard !claimed.isEmpty else { return 0 }
        // While the attempts run, a heartbeat extends their leases every third of the lease, so
        // a slow attempt (retries, a slow vendor, waiting for the rate limiter) is never taken
        // over by another worker while this one is alive; if this process dies, the leases
        // expire and others take over. An attempt whose lease is lost is stopped.
        let leases = DeliveryLeases(ids: claimed.map(\.id), confirmedAt: claimedAt)
        // Each connection of the batch is read, its credentials opened and its connector built
        // once, not once per delivery.
        var connections: [String: Result<(Connection, any Connector), any Error>] = [:]
        for delivery in claimed where connections[delivery.connectionID] == nil {
            do {
                connections[delivery.connectionID] = .success(
                    try await connectors.connector(store: store, tenant: delivery.tenantID, connectionID: delivery.connectionID))
            } catch {
                connections[delivery.connectionID] = .failure(error)
            }
        }
        let resolved = connections
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask { await heartbeat(leases) }
            await withTaskGroup(of: Void.self) { group in
                for delivery in claimed {
                    let connection = resolved[delivery.connectionID] ?? .failure(SyncEngineError.unknownConnection(delivery.connectionID))
                    group.addTask { await attempt(delivery, connection: connection, leases: leases) }
                }
            }
            outer.cancelAll()
        }
        return claimed.count
    }

    /// The claim limit of each connection whose pacing allows fewer deliveries per lease than
    /// the batch (see ``DeliveryPolicy/claimLimit(for:)``).
    func claimLimits(connectionID: String?) async throws -> [String: Int] {
        var limits: [String: Int] = [:]
        for connection in try await store.listConnections(tenant: nil) where connectionID == nil || connection.id == connectionID {
            let limit = policy.claimLimit(for: connectors.requestLimits(for: connection))
            if limit < policy.batchSize { limits[connection.id] = limit }
        }
        return limits
    }

    /// Renews this worker's delivery leases every third of the lease duration until cancelled.
    ///
    /// A renewal that does not name a delivery whose attempt is still running means another
    /// worker took it over (this one stalled past the expiry): that attempt is stopped. A
    /// renewal that fails or hangs is retried at the next beat; when the lease as last renewed
    /// would expire before then, every running attempt is stopped, so two workers never run
    /// the same delivery at once.
    func heartbeat(_ leases: DeliveryLeases) async {
        let interval = policy.heartbeatInterval
        let leaseDuration = policy.leaseDuration
        await Heartbeat.every(interval) {
            let stamp = now()
            let lost: [String]
            do {
                let held = try await Heartbeat.renew(every: interval) {
                    try await store.renewDeliveryLeases(owner: owner, now: stamp, leaseDuration: leaseDuration)
                }
                lost = leases.renewed(held: held, at: stamp)
            } catch {
                lost = leases.renewalFailed(at: now(), leaseDuration: leaseDuration, margin: leaseDuration / 3)
                logger.warning("renewing delivery leases failed", metadata: ["hub.error": "\(error)"])
            }
            if !lost.isEmpty {
                logger.warning(
                    "delivery leases lost; their attempts are stopped and another worker takes them over",
                    metadata: [
                        "hub.delivery.ids": "\(lost.sorted().joined(separator: ","))"
                    ])
            }
            return true
        }
    }

    /// Performs one claimed delivery (with its connection and connector as the batch resolved
    /// them) and records its outcome. Never throws: a store failure
    /// leaves the delivery leased, and it is taken over when the lease expires.
    func attempt(_ delivery: Delivery, connection resolved: Result<(Connection, any Connector), any Error>, leases: DeliveryLeases) async {
        let metadata: Logger.Metadata = [
            "hub.delivery.id": "\(delivery.id)", "hub.connection.id": "\(delivery.connectionID)",
            "hub.delivery.kind": "\(delivery.kind)", "hub.delivery.attempt": "\(delivery.attempts)",
        ]
        do {
            let outcome: DeliveryOutcome
            do {
                guard let handler = handlers[delivery.kind] else {
                    throw SyncEngineError.invalidPayload("no handler for deliveries of kind \(delivery.kind)")
                }
                let (connection, connector) = try resolved.get()
                let context = DeliveryContext(delivery: delivery, connection: connection, connector: connector)
                // Every vendor request of the attempt (lookups, creates, updates, logins) is a
                // delivery's: it may use the share of the daily budget kept from pulls, and
                // goes ahead of waiting pulls (see `RequestPurpose`).
                outcome = try await leases.whileHeld(delivery.id) {
                    try await RequestPurpose.$current.withValue(.delivery) { try await handler(context) }
                }
                leases.finish(delivery.id)
            } catch {
                leases.finish(delivery.id)
                if leases.isLost(delivery.id) {
                    // Recording would be refused (the lease is another worker's now), and the
                    // other worker's attempt looks for this one's success before writing.
                    logger.warning("delivery attempt stopped: its lease was lost", metadata: metadata)
                    return
                }
                if let error = error as? ConnectorError, error.kind == .changedAtVendor {
                    let conflict = RecordWriteHandlers.conflict(delivery, error)
                    _ = try await store.conflictDelivery(
                        id: delivery.id, owner: owner, error: String(describing: error), conflict: conflict, now: now())
                    logger.notice("delivery held: the vendor's record changed after the hub's copy", metadata: metadata)
                    return
                }
                let (retryAt, message) = decide(error, delivery: delivery)
                let updated = try await store.failDelivery(
                    id: delivery.id, owner: owner, error: message, errorCode: Self.errorCode(error), retryAt: retryAt, now: now())
                logger.notice(
                    "delivery attempt failed",
                    metadata: metadata.merging([
                        "hub.delivery.state": "\(updated.state.rawValue)", "hub.error": "\(message)",
                    ]) { $1 })
                return
            }
            _ = try await store.completeDelivery(
                id: delivery.id, owner: owner, remoteID: outcome.remoteID, effect: outcome.effect, now: now())
            logger.info("delivered", metadata: metadata)
        } catch {
            logger.error(
                "could not record a delivery outcome; the lease will expire and it will be retried",
                metadata: metadata.merging(["hub.error": "\(error)"]) { $1 })
        }
    }

    /// The stable code recorded with a failed attempt's error (see ``Delivery/errorCode``).
    static func errorCode(_ error: any Error) -> String? {
        switch error {
        case let error as ConnectorError:
            switch error.kind {
            case .permission: return "vendor_permission_denied"
            case .validation: return "vendor_validation"
            case .notFound: return "not_found"
            case .conflict: return "vendor_conflict"
            case .changedAtVendor: return "changed_at_vendor"
            case .auth: return "vendor_auth"
            case .rateLimited: return "rate_limited"
            case .budgetExhausted: return "budget_exhausted"
            case .configuration: return "configuration"
            case .invalidResponse: return "invalid_response"
            case .rejected: return "vendor_rejected"
            default: return "vendor_unavailable"
            }
        case let error as SyncEngineError: return error.code.rawValue
        case is StoreError: return "storage"
        case is DeliveryLeaseLost: return nil
        default: return "transport"
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

/// The leases of one claimed batch, as the heartbeat last saw them: which attempts are still
/// running, which lost their lease, and when the store last confirmed the leases.
final class DeliveryLeases: Sendable {
    private struct State {
        var running: Set<String>
        var lost: Set<String> = []
        var confirmedAt: Date
    }

    private let state: Mutex<State>

    init(ids: [String], confirmedAt: Date) {
        state = Mutex(State(running: Set(ids), confirmedAt: confirmedAt))
    }

    /// The attempt of `id` no longer needs its lease (its vendor call ended).
    func finish(_ id: String) { state.withLock { _ = $0.running.remove(id) } }

    func isLost(_ id: String) -> Bool { state.withLock { $0.lost.contains(id) } }

    /// Records a renewal at `at` that extended the leases `held`.
    /// - Returns: the running attempts whose leases were not among them (newly lost).
    func renewed(held: Set<String>, at: Date) -> [String] {
        state.withLock { state in
            state.confirmedAt = at
            let lost = state.running.subtracting(held).subtracting(state.lost)
            state.lost.formUnion(lost)
            return Array(lost)
        }
    }

    /// Records a renewal that failed (or timed out) at `at`: when the lease as last confirmed
    /// expires within `margin` of `at` (before the next beat could renew it), every running
    /// attempt counts as lost.
    /// - Returns: the attempts newly lost.
    func renewalFailed(at: Date, leaseDuration: TimeInterval, margin: TimeInterval) -> [String] {
        state.withLock { state in
            guard at.addingTimeInterval(margin) >= state.confirmedAt.addingTimeInterval(leaseDuration) else { return [] }
            let lost = state.running.subtracting(state.lost)
            state.lost.formUnion(lost)
            return Array(lost)
        }
    }

    /// Runs `body` until it ends or the lease of `id` is lost, whichever comes first (then
    /// `body` is cancelled and ``DeliveryLeaseLost`` thrown).
    func whileHeld<T: Sendable>(_ id: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: LeaseOutcome<T>.self) { group in
            group.addTask { .done(try await body()) }
            group.addTask {
                while !self.isLost(id) { try await Task.sleep(for: .milliseconds(50)) }
                return .lost
            }
            defer { group.cancelAll() }
            guard case .done(let value)? = try await group.next() else { throw DeliveryLeaseLost(deliveryID: id) }
            return value
        }
    }
}

/// How an attempt raced against its lease: it ended with a value, or the lease was lost first.
enum LeaseOutcome<T: Sendable>: Sendable {
    case done(T)
    case lost
}

/// A delivery attempt was stopped because its lease was lost.
struct DeliveryLeaseLost: Error, CustomStringConvertible {
    let deliveryID: String
    var description: String { "the lease on delivery \(deliveryID) was lost" }
}

/// Runs `body`, failing with ``RenewalTimedOut`` when it takes longer than `limit` (`body` is
/// then cancelled).
func withTimeout<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw RenewalTimedOut(limit: limit) }
        return value
    }
}

/// A lease renewal did not answer in time.
struct RenewalTimedOut: Error, CustomStringConvertible {
    let limit: Duration
    var description: String { "the lease renewal did not answer within \(limit)" }
}
