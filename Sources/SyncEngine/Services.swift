public import ConnectorKit
public import Foundation
public import HubStore
public import Logging
public import RealtyModel
public import ServiceLifecycle

/// Runs the delivery worker continuously: claims due deliveries, performs them, and, when the
/// outbox has nothing due, waits for the store's ``HubStore/OutboxSignal``: a delivery committed
/// through this process's store (or, on PostgreSQL, any process's) wakes it at once. Polling
/// stays as the fallback, for what no commit announces (a retry whose time has come, a lease
/// that expired, a commit of another process on the same SQLite file): every `idleInterval`,
/// or every `listeningInterval` while the store also hears other processes' commits. Stops on
/// graceful shutdown after the attempts in progress have finished.
public struct DeliveryService: Service {
    let worker: DeliveryWorker
    let idleInterval: Duration
    let listeningInterval: Duration
    let logger: Logger

    /// - Parameters:
    ///   - idleInterval: the longest wait when nothing is due.
    ///   - listeningInterval: the longest wait when nothing is due while the store's signal
    ///     also reaches other processes' commits (never shorter than `idleInterval`).
    public init(
        worker: DeliveryWorker, idleInterval: Duration = .milliseconds(250), listeningInterval: Duration = .seconds(1), logger: Logger
    ) {
        self.worker = worker
        self.idleInterval = idleInterval
        self.listeningInterval = max(idleInterval, listeningInterval)
        self.logger = logger
    }

    public func run() async throws {
        let signal = worker.store.outboxSignal()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // Read before the claim: a commit between the claim and the wait still wakes it.
            let seen = signal.generation
            var attempted = 0
            do {
                attempted = try await worker.runOnce()
            } catch {
                logger.error("claiming deliveries failed", metadata: ["hub.error": "\(error)"])
            }
            if attempted == 0 {
                let timeout = signal.reachesOtherProcesses ? listeningInterval : idleInterval
                await cancelWhenGracefulShutdown { await signal.wait(after: seen, timeout: timeout) }
            }
        }
    }
}

/// Runs the webhook worker continuously: whenever the change feed has grown (this process's
/// store signals its commits, see ``HubStore/WebhookStore/eventSignal()``) and at least every
/// `idleInterval` (retries whose time has come, other processes' events), it claims the due
/// subscriptions and sends what each has pending. Stops on graceful shutdown after the sends in
/// progress.
public struct WebhookService: Service {
    let worker: WebhookWorker
    let idleInterval: Duration
    let logger: Logger

    public init(worker: WebhookWorker, idleInterval: Duration = .seconds(1), logger: Logger) {
        self.worker = worker
        self.idleInterval = idleInterval
        self.logger = logger
    }

    public func run() async throws {
        let signal = worker.store.eventSignal()
        let clock = ContinuousClock()
        var known: Int64 = -1
        var lastClaim = clock.now.advanced(by: .seconds(-86_400))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            // Read before looking: a commit between the look and the wait still wakes it.
            let seen = signal.generation
            var attempted = 0
            do {
                let latest = try await worker.store.latestEventSequence()
                if latest != known || clock.now - lastClaim >= idleInterval {
                    known = latest
                    lastClaim = clock.now
                    attempted = try await worker.runOnce()
                }
            } catch {
                logger.error("sending webhooks failed", metadata: ["hub.error": "\(error)"])
            }
            if attempted == 0 {
                await cancelWhenGracefulShutdown { await signal.wait(after: seen, timeout: idleInterval) }
            }
        }
    }
}

/// Pulls each enabled connection's readable resources on its schedule: incremental pulls every
/// `syncIntervalSeconds`, and a full pass (deletion detection) every `fullPassInterval`.
///
/// A pull that stopped with `budget_exhausted` is not an error to retry: it is next due after
/// its connection's daily budget resets (the first midnight, in the budget's time zone, after
/// the run stopped), when it resumes from its cursor.
///
/// A resource with no change signal (``ConnectorKit/ReadCapability/incremental`` false: every
/// pull reads it whole) is re-read on its own cadence, the connection's
/// `rereadIntervalSeconds` (default ``defaultRereadInterval``, six hours), counted from the
/// start of its latest successful run, instead of on every pull; a failed, abandoned or
/// budget-stopped read of it is still retried on the usual schedule.
public struct SyncScheduler: Service {
    /// Six hours: how often resources without a change signal are re-read when the connection
    /// sets no cadence of its own.
    public static let defaultRereadInterval: TimeInterval = 6 * 3600
    /// A day: how often each resource gets a full pass (deletion detection) unless the process
    /// is told otherwise (`realtyhub run --full-pass-hours`).
    public static let defaultFullPassInterval: TimeInterval = 86_400

    let store: any CursorStore & ConnectionStore
    let runner: PullRunner
    let connectors: any ConnectorProvider
    let fullPassInterval: TimeInterval
    let tick: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        store: any CursorStore & ConnectionStore, runner: PullRunner, connectors: any ConnectorProvider,
        fullPassInterval: TimeInterval = 86_400,
        tick: Duration = .seconds(1), now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.store = store
        self.runner = runner
        self.connectors = connectors
        self.fullPassInterval = fullPassInterval
        self.tick = tick
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await runDuePulls()
            } catch {
                logger.error("scheduling pulls failed", metadata: ["hub.error": "\(error)"])
            }
            try? await Task.sleep(for: tick)
        }
    }

    /// Runs every pull that is due now, one connection after another. A pull another worker
    /// (of this or another process) holds the lease of is skipped; a pull that became not due
    /// between the check and the claim (another process just ran it) is not run again.
    public func runDuePulls() async throws {
        // Runs left `running` by a process that died (their leases expired) are closed at once,
        // so their pulls are due again now (see ``due(runs:resource:interval:fullPassInterval:now:)``)
        // and another process takes them over within seconds.
        _ = try await store.abandonSyncRuns(startedBefore: now(), reason: PullRunner.abandonedReason)
        for connection in try await store.listConnections(tenant: nil) where connection.enabled {
            guard let interval = connection.syncIntervalSeconds, interval > 0 else { continue }
            let credentials = try? await store.credentials(connectionID: connection.id, tenant: connection.tenantID)
            guard let connector = try? connectors.connector(for: connection, credentials: credentials) else { continue }
            let runs = try await store.listSyncRuns(tenant: connection.tenantID, connectionID: connection.id, limit: 200)
            let budget = connectors.requestLimits(for: connection)?.budget
            for capability in connector.capabilities.readable {
                if Task.isShuttingDownGracefully { return }
                let resource = capability.resource
                let reread = Self.rereadInterval(capability, connection)
                guard
                    let due = Self.due(
                        runs: runs, resource: resource, interval: interval, fullPassInterval: fullPassInterval, now: now(), budget: budget,
                        reread: reread)
                else { continue }
                let store = store
                let fullPassInterval = fullPassInterval
                let now = now
                _ = try await runner.runIfFree(
                    tenant: connection.tenantID, connectionID: connection.id, resource: resource, mode: due,
                    recheck: {
                        let fresh = try await store.listSyncRuns(tenant: connection.tenantID, connectionID: connection.id, limit: 200)
                        return Self.due(
                            runs: fresh, resource: resource, interval: interval, fullPassInterval: fullPassInterval, now: now(),
                            budget: budget, reread: reread) != nil
                    })
            }
        }
    }

    /// The re-read cadence of `capability`'s resource on `connection`: nil for a resource read
    /// incrementally (pulled on every interval), else the connection's own or the default.
    public static func rereadInterval(_ capability: ReadCapability, _ connection: Connection) -> TimeInterval? {
        guard !capability.incremental else { return nil }
        return connection.rereadIntervalSeconds.map(TimeInterval.init) ?? defaultRereadInterval
    }

    /// The mode of the pull of `resource` due now, or `nil` when none is due (see
    /// ``nextDue(runs:resource:interval:fullPassInterval:budget:reread:)`` for when).
    static func due(
        runs: [SyncRun], resource: ResourceName, interval: Int, fullPassInterval: TimeInterval, now: Date, budget: RequestBudget? = nil,
        reread: TimeInterval? = nil
    ) -> SyncRun.Mode? {
        let at = nextDue(
            runs: runs, resource: resource, interval: interval, fullPassInterval: fullPassInterval, budget: budget, reread: reread)
        guard at <= now else { return nil }
        let mine = runs.filter { $0.resource == resource }
        if reread != nil || mine.first?.status == .unavailable { return .full }
        let lastFull = mine.first { $0.mode == .full && $0.status == .succeeded }?.startedAt
        let fullDue = lastFull.map { now.timeIntervalSince($0) >= fullPassInterval } ?? true
        return fullDue ? .full : .incremental
    }

    /// When the pull of `resource` is next due on a connection pulled every `interval`
    /// seconds, from its runs (newest first); `Date.distantPast` when it is due at once (never
    /// read, or its process died while reading it).
    ///
    /// - Parameters:
    ///   - budget: the connection's daily budget: a last run stopped by it is not due before
    ///     the budget's next reset after it stopped (without a budget any more, it is due on
    ///     the usual schedule).
    ///   - reread: for a resource without a change signal, its re-read cadence: it is not due
    ///     before that long after the start of its latest successful run (a full read), and
    ///     every pull of it is a full pass; nil for an incremental resource.
    /// - Returns: the earliest time the scheduler starts the pull.
    public static func nextDue(
        runs: [SyncRun], resource: ResourceName, interval: Int, fullPassInterval: TimeInterval, budget: RequestBudget? = nil,
        reread: TimeInterval? = nil
    ) -> Date {
        let mine = runs.filter { $0.resource == resource }
        guard let last = mine.first else { return .distantPast }
        // A resource not available on the connection is asked again at the full-pass cadence.
        if last.status == .unavailable {
            return last.startedAt.addingTimeInterval(max(Double(interval), fullPassInterval))
        }
        // A pull whose process died is resumed now, not at its next scheduled time.
        let abandoned = last.status == .failed && last.error == PullRunner.abandonedReason
        var at = abandoned ? Date.distantPast : last.startedAt.addingTimeInterval(Double(interval))
        if last.status == .budgetExhausted, let budget {
            at = max(at, budget.nextReset(after: last.finishedAt ?? last.startedAt))
        }
        // Read whole every time: due once the cadence has passed since the last read that
        // completed (a pull that died is resumed at once, one that failed retried as usual).
        if let reread, !abandoned, let lastRead = mine.first(where: { $0.status == .succeeded }) {
            at = max(at, lastRead.startedAt.addingTimeInterval(reread))
        }
        return at
    }
}
