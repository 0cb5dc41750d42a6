public import ConnectorKit
public import Foundation
public import HubStore
public import Logging
public import RealtyModel

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
public struct PullRunner: Sendable {
    let store: any HubStorage
    let connectors: any ConnectorProvider
    let now: @Sendable () -> Date
    let lookback: TimeInterval
    let logger: Logger

    /// - Parameters:
    ///   - store: where records, cursors and runs go.
    ///   - connectors: builds the connector of a connection.
    ///   - now: the hub's clock.
    ///   - lookback: how far before a run's start the next incremental read begins at the
    ///     latest (see ``Connector/cursor(_:cappedAt:)``); covers records changed while the run
    ///     read, and vendor clocks behind the hub's.
    ///   - logger: for run progress (never records or credentials).
    public init(
        store: any HubStorage, connectors: any ConnectorProvider, now: @escaping @Sendable () -> Date = { Date() },
        lookback: TimeInterval = PullRunner.defaultLookback, logger: Logger
    ) {
        self.store = store
        self.connectors = connectors
        self.now = now
        self.lookback = max(0, lookback)
        self.logger = logger
    }

    /// Five minutes: longer than a page takes to read, and than usual clock skew.
    public static let defaultLookback: TimeInterval = 300

    /// Runs one pull and records it as a ``SyncRun``.
    ///
    /// - Parameters:
    ///   - progress: called after each stored page with the run so far.
    /// - Returns: the finished run (status `succeeded` or `failed`, with its error).
    /// - Throws: only when the run cannot even be recorded (store failure).
    @discardableResult
    public func run(
        tenant: String, connectionID: String, resource: ResourceName, mode: SyncRun.Mode,
        progress: (@Sendable (SyncRun) -> Void)? = nil
    ) async throws -> SyncRun {
        var run = SyncRun(tenantID: tenant, connectionID: connectionID, resource: resource, mode: mode, startedAt: now())
        try await store.startSyncRun(run)
        do {
            let (connection, connector) = try await connectors.connector(store: store, tenant: tenant, connectionID: connectionID)
            guard connection.enabled else { throw SyncEngineError.connectionDisabled(connectionID) }
            guard let capability = connector.capabilities.read(resource) else {
                throw SyncEngineError.notReadable(connection: connection.name, resource: resource.rawValue)
            }
            switch resource {
            case .member: try await pull(Member.self, connection, connector, capability, &run, progress)
            case .office: try await pull(Office.self, connection, connector, capability, &run, progress)
            case .teams: try await pull(Team.self, connection, connector, capability, &run, progress)
            case .teamMembers: try await pull(TeamMember.self, connection, connector, capability, &run, progress)
            case .contacts: try await pull(Contact.self, connection, connector, capability, &run, progress)
            case .property: try await pull(Property.self, connection, connector, capability, &run, progress)
            case .development: try await pull(Development.self, connection, connector, capability, &run, progress)
            case .activity: try await pull(Activity.self, connection, connector, capability, &run, progress)
            }
            run.status = .succeeded
        } catch {
            run.status = .failed
            run.error = String(describing: error)
            logger.warning("sync run failed", metadata: [
                "hub.connection.id": "\(connectionID)", "hub.resource": "\(resource.rawValue)", "hub.error": "\(run.error ?? "")",
            ])
        }
        run.finishedAt = now()
        try await store.finishSyncRun(run)
        return run
    }

    private func pull<R: HubRecord>(
        _ type: R.Type, _ connection: Connection, _ connector: any Connector, _ capability: ReadCapability,
        _ run: inout SyncRun, _ progress: (@Sendable (SyncRun) -> Void)?
    ) async throws {
        let state = try await store.syncState(tenant: connection.tenantID, connectionID: connection.id, resource: R.resource)
        var cursor = EngineCursor.decode(state?.cursor)
        let resumable = cursor.full.flatMap { pass in state?.passGeneration == pass.generation ? pass : nil }
        let full = run.mode == .full || !capability.incremental || cursor.synced != true || resumable != nil
        run.mode = full ? .full : .incremental

        var scope = SyncScope(tenant: connection.tenantID, connectionID: connection.id, sourceSystemName: connector.vendor.rawValue)
        let after: String?
        if full {
            if let resumable {
                scope.generation = resumable.generation
                after = resumable.after
                logger.info("resuming full pass", metadata: ["hub.connection.id": "\(connection.id)", "hub.resource": "\(R.resource.rawValue)"])
            } else {
                let generation = try await store.beginFullPass(tenant: connection.tenantID, connectionID: connection.id, resource: R.resource)
                scope.generation = generation
                cursor.full = EngineCursor.FullPass(generation: generation, after: nil)
                after = nil
            }
        } else {
            after = cursor.incremental
        }

        for try await page in connector.read(R.self, mode: full ? .full : .incremental, after: after) {
            scope.now = now()
            if full, let generation = scope.generation {
                cursor.full = EngineCursor.FullPass(generation: generation, after: page.cursor)
            } else if let next = page.cursor {
                // The bookmark of a completed read never runs past the run's start minus the
                // lookback; positions inside the read are kept as they are, to resume from.
                cursor.incremental = page.isLast ? connector.cursor(next, cappedAt: run.startedAt.addingTimeInterval(-lookback)) : next
            }
            let summary = try await store.upsert(page.records, scope: scope, cursor: cursor.encoded)
            run.inserted += summary.inserted
            run.updated += summary.updated
            run.unchanged += summary.unchanged
            if !page.deletedSourceKeys.isEmpty {
                run.deleted += try await store.markDeleted(R.self, sourceKeys: page.deletedSourceKeys, scope: scope)
            }
            run.pages += 1
            progress?(run)
            if page.isLast { break }
        }

        if full, let generation = scope.generation {
            run.deleted += try await store.completeFullPass(
                tenant: connection.tenantID, connectionID: connection.id, resource: R.resource, generation: generation)
            cursor.full = nil
            cursor.synced = true
            cursor.incremental = nil
            scope.generation = nil
            _ = try await store.upsert([R](), scope: scope, cursor: cursor.encoded)
        }
    }
}
