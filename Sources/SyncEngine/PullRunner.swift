import AsyncAlgorithms
import ConnectorKit
public import Foundation
public import HubStore
public import Logging
public import RealtyModel
import ServiceLifecycle
import Synchronization

/// One pull: read a resource through a connection and write it to the store, page by page.
///
/// - A full pass starts a store generation, stamps every record it sees, and only when its
///   last page is stored marks the rest deleted. An interrupted full pass resumes from its last
///   committed page on the next run.
/// - An incremental pull starts from the connector cursor committed by the last completed read;
///   without one it runs a full pass instead. Vendors without incremental reads always run
///   full passes, and the content hash keeps unchanged records from being written.
/// - Every page's records, events and cursor commit in one transaction, so the cursor never
///   runs ahead of the data; deletions a vendor reports are applied right after their page.
///   The page's media (photos read inside its records' payloads, ``ConnectorKit/ConnectorPage/media``)
///   commit in that transaction too: the store replaces each record's media set and deletes a
///   deleted record's media, so media are synced and swept with their parent.
/// - A pull runs under the store's pull-job lease for its (connection, resource), renewed by a
///   heartbeat, so no two workers of any process pull it at once; a worker that loses its lease
///   (it stalled past the expiry and another took over) stops before its next write.
/// - Every vendor request of a pull is tagged ``ConnectorKit/RequestPurpose/pull`` (a task-local
///   around the run), so it may use the connection's daily budget only down to the share kept
///   for deliveries. The request that would go below it is not sent: the pull stops at that
///   page boundary with the status `budget_exhausted`, and the next run (after the reset)
///   resumes from the cursor committed with the last page.
public struct PullRunner: Sendable {
    let store: any RecordStore & CursorStore & ConnectionStore
    let connectors: any ConnectorProvider
    let now: @Sendable () -> Date
    let lookback: TimeInterval
    let logger: Logger
    /// The lease owner this runner claims pull jobs as.
    public let owner: String
    let leaseDuration: TimeInterval

    /// - Parameters:
    ///   - store: where records, cursors and runs go.
    ///   - connectors: builds the connector of a connection.
    ///   - now: the hub's clock.
    ///   - lookback: how far before a run's start the next incremental read begins at the
    ///     latest (see ``Connector/cursor(_:cappedAt:)``); covers records changed while the run
    ///     read, and vendor clocks behind the hub's.
    ///   - owner: the lease owner (unique per process and runner).
    ///   - leaseDuration: how long a pull's lease lasts without a heartbeat (renewed every third
    ///     of it); after a crash, another process takes the pull over once it expires.
    ///   - logger: for run progress (never records or credentials).
    public init(
        store: any RecordStore & CursorStore & ConnectionStore, connectors: any ConnectorProvider,
        now: @escaping @Sendable () -> Date = { Date() },
        lookback: TimeInterval = PullRunner.defaultLookback, owner: String = PullRunner.defaultOwner(),
        leaseDuration: TimeInterval = PullRunner.defaultLeaseDuration, logger: Logger
    ) {
        self.store = store
        self.connectors = connectors
        self.now = now
        self.lookback = max(0, lookback)
        self.owner = owner
        self.leaseDuration = max(1, leaseDuration)
        self.logger = logger
    }

    /// Ten seconds: a killed process's pulls are taken over within about that.
    public static let defaultLeaseDuration: TimeInterval = 10

    /// The error recorded on a run whose process stopped (it was left `running` and its lease
    /// expired); the scheduler resumes such a pull at once instead of at its next scheduled time.
    public static let abandonedReason = "the process running it stopped"

    /// Five minutes: longer than a page takes to read, and than usual clock skew.
    public static let defaultLookback: TimeInterval = 300

    /// A lease owner naming this process: `realtyhub-<pid>-<random>`.
    public static func defaultOwner() -> String {
        "realtyhub-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Runs one pull and records it as a ``SyncRun``.
    ///
    /// - Parameters:
    ///   - progress: called after each stored page with the run so far.
    /// - Returns: the finished run (status `succeeded`, `failed` with its error, or
    ///   `budget_exhausted` with the reason and the reset in `error`).
    /// - Throws: only when the run cannot even be recorded (store failure).
    ///   When another worker holds the pull's lease, the returned run is failed with that reason
    ///   and is not recorded.
    @discardableResult
    public func run(
        tenant: String, connectionID: String, resource: ResourceName, mode: SyncRun.Mode,
        progress: (@Sendable (SyncRun) -> Void)? = nil
    ) async throws -> SyncRun {
        if let run = try await runIfFree(tenant: tenant, connectionID: connectionID, resource: resource, mode: mode, progress: progress) {
            return run
        }
        return SyncRun(
            tenantID: tenant, connectionID: connectionID, resource: resource, mode: mode, status: .failed, startedAt: now(),
            finishedAt: now(),
            error: "another worker is pulling \(resource.rawValue) through connection \(connectionID); try again when it finishes")
    }

    /// Runs one pull if its lease is free, like ``run(tenant:connectionID:resource:mode:progress:)``.
    ///
    /// - Parameters:
    ///   - recheck: asked once the lease is held, before anything starts; returning `false`
    ///     gives the lease back without running (the scheduler uses it to see whether another
    ///     process ran the pull between its check and its claim).
    /// - Returns: the finished run, or `nil` when another worker holds the lease or `recheck`
    ///   declined.
    public func runIfFree(
        tenant: String, connectionID: String, resource: ResourceName, mode: SyncRun.Mode,
        recheck: (@Sendable () async throws -> Bool)? = nil, progress: (@Sendable (SyncRun) -> Void)? = nil
    ) async throws -> SyncRun? {
        // Runs left `running` by a worker that died (its lease expired or was released) are
        // closed first; runs of live workers, whose leases are current, are left alone.
        _ = try await store.abandonSyncRuns(startedBefore: now(), reason: Self.abandonedReason)
        guard
            try await store.claimPullJob(
                tenant: tenant, connectionID: connectionID, resource: resource, owner: owner, now: now(), leaseDuration: leaseDuration)
        else { return nil }
        let lease = PullLease()
        do {
            if let recheck, try await !recheck() {
                try? await store.releasePullJob(tenant: tenant, connectionID: connectionID, resource: resource, owner: owner)
                return nil
            }
            let run = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.heartbeat(tenant: tenant, connectionID: connectionID, resource: resource, lease: lease) }
                defer { group.cancelAll() }
                return try await RequestPurpose.$current.withValue(.pull) {
                    try await self.perform(
                        tenant: tenant, connectionID: connectionID, resource: resource, mode: mode, lease: lease, progress: progress)
                }
            }
            try? await store.releasePullJob(tenant: tenant, connectionID: connectionID, resource: resource, owner: owner)
            return run
        } catch {
            try? await store.releasePullJob(tenant: tenant, connectionID: connectionID, resource: resource, owner: owner)
            throw error
        }
    }

    /// Renews the lease every third of its duration until cancelled or lost. A renewal that
    /// fails or hangs is retried at the next beat; when the lease as last renewed would expire
    /// before then, the lease counts as lost (the pull stops before its next write).
    private func heartbeat(tenant: String, connectionID: String, resource: ResourceName, lease: PullLease) async {
        let interval = Heartbeat.interval(forLease: leaseDuration)
        var confirmedAt = now()
        let job: Logger.Metadata = ["hub.connection.id": "\(connectionID)", "hub.resource": "\(resource.rawValue)"]
        await Heartbeat.every(interval) {
            let stamp = now()
            do {
                let held = try await Heartbeat.renew(every: interval) {
                    try await store.renewPullJob(
                        tenant: tenant, connectionID: connectionID, resource: resource, owner: owner, now: stamp,
                        leaseDuration: leaseDuration)
                }
                guard held else {
                    lease.markLost()
                    logger.warning("pull lease lost", metadata: job)
                    return false
                }
                confirmedAt = stamp
            } catch {
                logger.warning("renewing the pull lease failed", metadata: ["hub.error": "\(error)"])
                if now().addingTimeInterval(leaseDuration / 3) >= confirmedAt.addingTimeInterval(leaseDuration) {
                    lease.markLost()
                    logger.warning("pull lease expires before the next renewal; the pull stops", metadata: job)
                    return false
                }
            }
            return true
        }
    }

    private func perform(
        tenant: String, connectionID: String, resource: ResourceName, mode: SyncRun.Mode, lease: PullLease,
        progress: (@Sendable (SyncRun) -> Void)?
    ) async throws -> SyncRun {
        var run = SyncRun(tenantID: tenant, connectionID: connectionID, resource: resource, mode: mode, startedAt: now())
        try await store.startSyncRun(run)
        var auxiliary: (any Connector)?
        do {
            let (connection, connector) = try await connectors.connector(store: store, tenant: tenant, connectionID: connectionID)
            guard connection.enabled else { throw SyncEngineError.connectionDisabled(connectionID) }
            guard let capability = connector.capabilities.read(resource) else {
                throw SyncEngineError.notReadable(connection: connection.name, resource: resource.rawValue)
            }
            if !capability.core { auxiliary = connector }
            switch resource {
            case .member: try await pull(Member.self, connection, connector, capability, lease, &run, progress)
            case .office: try await pull(Office.self, connection, connector, capability, lease, &run, progress)
            case .teams: try await pull(Team.self, connection, connector, capability, lease, &run, progress)
            case .teamMembers: try await pull(TeamMember.self, connection, connector, capability, lease, &run, progress)
            case .contacts: try await pull(Contact.self, connection, connector, capability, lease, &run, progress)
            case .property: try await pull(Property.self, connection, connector, capability, lease, &run, progress)
            case .development: try await pull(Development.self, connection, connector, capability, lease, &run, progress)
            case .activity: try await pull(Activity.self, connection, connector, capability, lease, &run, progress)
            // Media are read with their parents (see `storePages`), never pulled on their own.
            case .media: throw SyncEngineError.notReadable(connection: connection.name, resource: resource.rawValue)
            }
            run.status = .succeeded
        } catch let error as ConnectorError where error.kind == .budgetExhausted {
            run.status = .budgetExhausted
            run.error = "stopped at a page boundary: \(error.message); the pull resumes from its cursor after the reset"
            logger.notice(
                "sync run stopped for the daily request budget",
                metadata: [
                    "hub.connection.id": "\(connectionID)", "hub.resource": "\(resource.rawValue)", "hub.run.pages": "\(run.pages)",
                ])
        } catch let error as ConnectorError where auxiliary != nil && error.kind != .retryable && error.kind != .rateLimited {
            await record(error, unavailableIn: auxiliary, resource: resource, connectionID: connectionID, run: &run)
        } catch {
            record(failure: error, resource: resource, connectionID: connectionID, run: &run)
        }
        run.finishedAt = now()
        try await store.finishSyncRun(run)
        return run
    }

    private func record(
        _ error: ConnectorError, unavailableIn connector: (any Connector)?, resource: ResourceName, connectionID: String,
        run: inout SyncRun
    ) async {
        guard await Self.meansUnavailable(error, connector: connector) else {
            return record(failure: error, resource: resource, connectionID: connectionID, run: &run)
        }
        run.status = .unavailable
        run.skipped = ([run.skipped].compactMap { $0 } + ["\(resource.rawValue) is not available on this connection: \(error)"])
            .joined(separator: "\n")
        logger.notice(
            "resource not available on this connection",
            metadata: [
                "hub.connection.id": "\(connectionID)", "hub.resource": "\(resource.rawValue)", "hub.error": "\(error)",
            ])
    }

    private func record(failure error: any Error, resource: ResourceName, connectionID: String, run: inout SyncRun) {
        run.status = .failed
        run.error = String(describing: error)
        logger.warning(
            "sync run failed",
            metadata: [
                "hub.connection.id": "\(connectionID)", "hub.resource": "\(resource.rawValue)", "hub.error": "\(run.error ?? "")",
            ])
    }

    private func pull<R: HubRecord>(
        _ type: R.Type, _ connection: Connection, _ connector: any Connector, _ capability: ReadCapability,
        _ lease: PullLease, _ run: inout SyncRun, _ progress: (@Sendable (SyncRun) -> Void)?
    ) async throws {
        let state = try await store.syncState(tenant: connection.tenantID, connectionID: connection.id, resource: R.resource)
        var cursor = EngineCursor.decode(state?.cursor)
        let resumable = cursor.full.flatMap { pass in state?.passGeneration == pass.generation ? pass : nil }
        let full = run.mode == .full || !capability.incremental || cursor.synced != true || resumable != nil
        run.mode = full ? .full : .incremental

        var scope = SyncScope(
            tenant: connection.tenantID, connectionID: connection.id, sourceSystemName: connector.vendor.rawValue,
            sensitiveFields: connector.sensitiveFields)
        let after: String?
        if full {
            if let resumable {
                scope.generation = resumable.generation
                after = resumable.after
                logger.info(
                    "resuming full pass", metadata: ["hub.connection.id": "\(connection.id)", "hub.resource": "\(R.resource.rawValue)"])
            } else {
                let generation = try await store.beginFullPass(
                    tenant: connection.tenantID, connectionID: connection.id, resource: R.resource)
                scope.generation = generation
                cursor.full = EngineCursor.FullPass(generation: generation, after: nil)
                after = nil
            }
        } else {
            after = cursor.incremental
        }

        // When the pass began (a resumed pass began in an earlier run): the first incremental
        // read after it asks for the changes since then, minus the lookback.
        let passStarted = (resumable != nil ? state?.passStartedAt : nil) ?? run.startedAt
        let lastCursor = try await storePages(
            R.self, connector, mode: full ? .full : .incremental, after: after, connection, &scope, &cursor, lease, &run, progress)

        if full, let generation = scope.generation {
            try lease.check(connection: connection.id, resource: R.resource)
            if run.skipped == nil {
                run.deleted += try await store.completeFullPass(
                    tenant: connection.tenantID, connectionID: connection.id, resource: R.resource, generation: generation)
            } else {
                // An endpoint was skipped: its records were not seen, so nothing can be told
                // deleted. The pass ends without sweeping; the next full pass tries again.
                logger.info(
                    "full pass skipped an unavailable endpoint; deletions are not detected this pass",
                    metadata: ["hub.connection.id": "\(connection.id)", "hub.resource": "\(R.resource.rawValue)"])
            }
            cursor.full = nil
            cursor.synced = true
            cursor.incremental = connector.incrementalCursor(afterFullPass: lastCursor, since: passStarted.addingTimeInterval(-lookback))
            scope.generation = nil
            _ = try await store.upsert([R](), scope: scope, cursor: cursor.encoded)

            // A resumed pass did not re-read what an earlier run read before it stopped: what
            // was created or changed there since the pass began comes from an incremental read
            // in this same run where the vendor allows one. A resource with no change signal is
            // not read again at once: a fresh pass right after a pass that needed several runs
            // (one stopped by the daily budget, say) would spend the next day's budget on it
            // again, stop again, and never let the run (or the connection's other resources)
            // finish; its next full read comes at its re-read cadence (see `SyncScheduler`).
            if resumable != nil, capability.incremental, let start = cursor.incremental {
                _ = try await storePages(
                    R.self, connector, mode: .incremental, after: start, connection, &scope, &cursor, lease, &run, progress)
            } else if resumable != nil {
                logger.info(
                    "resumed full pass completed; the next full read comes at the resource's re-read cadence",
                    metadata: [
                        "hub.connection.id": "\(connection.id)", "hub.resource": "\(R.resource.rawValue)",
                    ])
            }
        }
    }
}

extension PullRunner {
    /// How many records a pull gathers, from consecutive pages, into one write. Each commit
    /// rewrites the index pages it touched, so fewer, larger commits cost less per record; a
    /// pull that stops (a crash, a lost lease) reads again at most this many records.
    static let recordsPerWrite = 1_000

    /// Reads the connector's pages and stores them with the cursor that follows the last of
    /// them (in the same transaction), counting into `run`.
    ///
    /// Reading overlaps storing. Consecutive pages are written together up to
    /// ``recordsPerWrite`` records (see ``PageGroup``); while one group is written (in a task of
    /// its own), the next is read and gathered, and one page beyond it is requested and held.
    /// Writes stay in order: a group's write starts once the one before it has committed. So at
    /// most two groups and a page are held, whatever the resource's size. A pull that stops
    /// early (its lease lost, a shutdown, a failed write) may have read up to a group and a page
    /// in vain; what it committed is what the next run resumes after.
    ///
    /// - Returns: the connector cursor of the last page read.
    fileprivate func storePages<R: HubRecord>(
        _ type: R.Type, _ connector: any Connector, mode: ReadMode, after: String?, _ connection: Connection,
        _ scope: inout SyncScope, _ cursor: inout EngineCursor, _ lease: PullLease, _ run: inout SyncRun,
        _ progress: (@Sendable (SyncRun) -> Void)?
    ) async throws -> String? {
        var lastCursor: String?
        var group = PageGroup<R>()
        // The group being written, if any.
        var writing: Task<GroupWritten, any Error>?
        var pages = connector.read(R.self, mode: mode, after: after).buffer(policy: .bounded(1)).makeAsyncIterator()
        while true {
            let next: ConnectorPage<R>?
            do {
                next = try await pages.next()
            } catch {
                // The read stopped (the daily budget, a vendor error): the pages read before it
                // commit, as each would have on its own, so the next run resumes after them.
                try await Self.settle(&writing, &run, progress)
                writing = try startWrite(&group, connection, scope: &scope, lease)
                try await Self.settle(&writing, &run, progress)
                throw error
            }
            guard let page = next else { break }
            lastCursor = page.cursor
            if mode == .full, let generation = scope.generation {
                cursor.full = EngineCursor.FullPass(generation: generation, after: page.cursor)
            } else if let next = page.cursor {
                // The bookmark of a completed read never runs past the run's start minus the
                // lookback; positions inside the read are kept as they are, to resume from.
                cursor.incremental = page.isLast ? connector.cursor(next, cappedAt: run.startedAt.addingTimeInterval(-lookback)) : next
            }
            if !group.accepts(page) {
                // Media that replace a parent's set and media left untouched cannot share a write.
                try await Self.settle(&writing, &run, progress)
                writing = try startWrite(&group, connection, scope: &scope, lease)
            }
            group.add(page, cursor: cursor.encoded)
            if !page.unavailable.isEmpty {
                run.skipped = page.unavailable.map(\.description).joined(separator: "\n")
            }
            // Deletions apply in order after the records read before them, so a page carrying
            // them ends its group; so do the last page and a shutdown (a process asked to stop,
            // SIGTERM, ends its pull at a page boundary with everything read so far committed,
            // and the next run resumes from there).
            let stopping = Task.isShuttingDownGracefully
            if page.isLast || !page.deletedSourceKeys.isEmpty || group.records.count >= Self.recordsPerWrite || stopping {
                try await Self.settle(&writing, &run, progress)
                writing = try startWrite(&group, connection, scope: &scope, lease)
            }
            if page.isLast || stopping {
                // Everything read is committed before the read ends.
                try await Self.settle(&writing, &run, progress)
            }
            if page.isLast { break }
            if stopping { throw SyncEngineError.stoppedForShutdown }
        }
        return lastCursor
    }

    /// What one group's write stored.
    struct GroupWritten: Sendable {
        var summary: UpsertSummary
        var deleted: Int
        var pages: Int
    }

    /// Starts writing `group` (records, media, deletions) in one upsert with the cursor of its
    /// last page, in a task of its own, and empties it; nil when it holds no page. Call it only
    /// once the previous group's write is settled.
    private func startWrite<R: HubRecord>(
        _ group: inout PageGroup<R>, _ connection: Connection, scope: inout SyncScope, _ lease: PullLease
    ) throws -> Task<GroupWritten, any Error>? {
        guard group.pages > 0 else { return nil }
        try lease.check(connection: connection.id, resource: R.resource)
        scope.now = now()
        let written = group
        let scope = scope
        let store = self.store
        group = PageGroup()
        return Task {
            // A page's media (read from the same payloads) commit with it; see `RecordStore.upsert`.
            let summary = try await store.upsert(written.records, media: written.media, scope: scope, cursor: written.cursor)
            var deleted = 0
            if !written.deletedSourceKeys.isEmpty {
                deleted = try await store.markDeleted(R.self, sourceKeys: written.deletedSourceKeys, scope: scope)
            }
            return GroupWritten(summary: summary, deleted: deleted, pages: written.pages)
        }
    }

    /// Waits for the write in flight, if any, and counts it into `run`; its error, if it failed.
    private static func settle(
        _ writing: inout Task<GroupWritten, any Error>?, _ run: inout SyncRun, _ progress: (@Sendable (SyncRun) -> Void)?
    ) async throws {
        guard let task = writing else { return }
        writing = nil
        let written = try await task.value
        run.inserted += written.summary.inserted
        run.updated += written.summary.updated
        run.unchanged += written.summary.unchanged
        run.deleted += written.deleted
        run.pages += written.pages
        progress?(run)
    }
}

/// Consecutive pages of one read gathered into one write.
///
/// A record read twice (a vendor's list shifting between page requests) is written once, as
/// last read, with the media of that read: each page's media are the complete sets of its own
/// records, so a parent's set from an earlier page gives way with the parent.
struct PageGroup<R: HubRecord> {
    private(set) var records: [R] = []
    private(set) var media: [Media]?
    private(set) var deletedSourceKeys: [String] = []
    /// The engine cursor after the last page added.
    private(set) var cursor: String?
    private(set) var pages = 0
    /// Where each record's source key sits in `records`.
    private var positions: [String: Int] = [:]

    /// Whether `page` can join: pages with media (replacing their parents' sets) and pages
    /// without (leaving stored media untouched) are written apart.
    func accepts(_ page: ConnectorPage<R>) -> Bool {
        pages == 0 || (media == nil) == (page.media == nil)
    }

    mutating func add(_ page: ConnectorPage<R>, cursor: String?) {
        if pages == 0 { media = page.media }
        pages += 1
        self.cursor = cursor
        deletedSourceKeys += page.deletedSourceKeys
        var replaced = Set<String>()
        for record in page.records {
            guard let key = record.metadata.sourceKey else {
                // The store refuses a record without a source key, naming it; keep it for that.
                records.append(record)
                continue
            }
            if let position = positions[key] {
                records[position] = record
                replaced.insert(key)
            } else {
                positions[key] = records.count
                records.append(record)
            }
        }
        guard let pageMedia = page.media else { return }
        // A media row read again (with its parent, or under another parent) is kept as last read.
        let reread = Set(pageMedia.compactMap(\.metadata.sourceKey))
        if !replaced.isEmpty || !reread.isEmpty {
            media?.removeAll { item in
                item.resourceRecordSourceKey.map(replaced.contains) == true || item.metadata.sourceKey.map(reread.contains) == true
            }
        }
        media? += pageMedia
    }
}

extension PullRunner {
    /// Whether `error`, met reading an auxiliary resource through `connector`, says the resource
    /// is not available on the connection. A refusal that looks like bad credentials counts
    /// only when the credentials still pass the connector's own check (the core resources
    /// work); otherwise it stays the connection's error.
    static func meansUnavailable(_ error: ConnectorError, connector: (any Connector)?) async -> Bool {
        if error.meansUnavailable { return true }
        guard error.kind == .auth, let connector else { return false }
        do {
            try await connector.verify()
            return true
        } catch {
            return false
        }
    }
}

/// Whether a pull still holds its lease, set by the heartbeat and read before each write.
final class PullLease: Sendable {
    private let lost = Mutex(false)

    func markLost() { lost.withLock { $0 = true } }

    /// - Throws: ``SyncEngineError/leaseLost(connection:resource:)`` once the lease is lost.
    func check(connection: String, resource: ResourceName) throws {
        if lost.withLock({ $0 }) { throw SyncEngineError.leaseLost(connection: connection, resource: resource.rawValue) }
    }
}
