public import ConnectorKit
public import Foundation
import Logging
public import RealtyModel
import Synchronization

/// Where a MyCRM read stands; the opaque cursor is this, encoded by ``CursorCoding``.
///
/// - `query` (full passes): the module being read and its VTQL page.
/// - `sync` (incremental): the module being read and, per module, the `modifiedTime` to read
///   changes after. The cursor of a pass's last page keeps every module's time, so the next
///   incremental read continues from there.
struct MyCRMReadPosition: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable { case query, sync }

    var kind: Kind
    /// Index into the modules feeding the resource.
    var moduleIndex: Int
    /// The current VTQL page (`query`).
    var page: VTQLPaginator?
    /// Module name → the modified time to read changes after (`sync`).
    var since: [String: Int64]
}

extension MyCRMConnector {
    /// Caps every module's `modifiedTime` mark at `limit` (unix seconds, as `sync` takes it).
    public func cursor(_ cursor: String, cappedAt limit: Date) -> String {
        let ceiling = Int64(limit.timeIntervalSince1970.rounded(.down))
        return CursorCoding.rewrite(cursor, as: MyCRMReadPosition.self, vendor: vendor) { position in
            position.since = position.since.mapValues { min($0, ceiling) }
        }
    }

    /// A `sync` read of every module from `since` (a full pass's `query` cursor carries no
    /// modification times, so the start is the pass's own start time).
    public func incrementalCursor(afterFullPass cursor: String?, since: Date) -> String? {
        let time = max(0, Int64(since.timeIntervalSince1970.rounded(.down)))
        let modules = [MyCRMModule.leads, .contacts, .users].map(\.rawValue)
        return CursorCoding.encode(
            MyCRMReadPosition(
                kind: .sync, moduleIndex: 0, page: nil, since: Dictionary(uniqueKeysWithValues: modules.map { ($0, time) })))
    }

    /// The modules feeding a resource, in reading order.
    static func modules(for resource: ResourceName) -> [MyCRMModule]? {
        switch resource {
        case .contacts: return [.leads, .contacts]
        case .member: return [.users]
        default: return nil
        }
    }

    /// Reads `Contacts` (Leads, then Contacts) or `Member` (Users).
    ///
    /// - Full: `query` pages `select * from <Module> order by id limit <offset>, 100;` until a page
    ///   comes back empty (the server drops rows the user may not read, so a short page does not
    ///   end a module).
    /// - Incremental (`Contacts` only; `Member` falls back to full): `sync` with `modifiedTime`,
    ///   `elementType` and `syncType=application` (every record, not only the user's own), 100
    ///   changes per call, following `more` and `lastModifiedTime`; `deleted` ids become
    ///   ``ConnectorPage/deletedSourceKeys``. When the server refuses `application` (vtiger 8
    ///   allows it to administrators only), the read asks again with `userandgroup` and the
    ///   connection keeps that scope; records shared with the user from outside it then change
    ///   in the hub at the next full pass.
    public func read<R: HubRecord>(_ type: R.Type, mode: ReadMode, after cursor: String?)
        -> AsyncThrowingStream<ConnectorPage<R>, any Error>
    {
        guard let modules = Self.modules(for: R.resource) else {
            let error = ConnectorError.unsupported(.mycrm, "read \(R.resource.rawValue) records", connectionID: client.connectionID)
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let kind: MyCRMReadPosition.Kind = mode == .incremental && R.resource == .contacts ? .sync : .query
        let start: MyCRMReadPosition
        do {
            start = try startPosition(kind: kind, modules: modules, cursor: cursor)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let connector = self
        return pageStream(start: start) { position in
            switch position.kind {
            case .query: return try await connector.queryPage(position, modules: modules, as: R.self)
            case .sync: return try await connector.syncPage(position, modules: modules, as: R.self)
            }
        }
    }

    private func startPosition(kind: MyCRMReadPosition.Kind, modules: [MyCRMModule], cursor: String?) throws
        -> MyCRMReadPosition
    {
        guard let cursor else {
            return MyCRMReadPosition(
                kind: kind, moduleIndex: 0, page: kind == .query ? firstPage(modules[0]) : nil, since: [:])
        }
        var position = try CursorCoding.decode(MyCRMReadPosition.self, from: cursor, vendor: .mycrm)
        guard position.kind == kind, modules.indices.contains(position.moduleIndex),
            kind == .sync || position.page?.module == modules[position.moduleIndex].rawValue
        else {
            throw ConnectorError(
                .configuration, vendor: .mycrm,
                message: "the cursor belongs to another kind of read; start the read again without a cursor",
                connectionID: client.connectionID)
        }
        if kind == .query, position.page == nil { position.page = firstPage(modules[position.moduleIndex]) }
        return position
    }

    private func firstPage(_ module: MyCRMModule) -> VTQLPaginator {
        VTQLPaginator(module: module.rawValue, orderBy: "id", pageSize: min(client.pageSize, VTQLPaginator.maxPageSize))
    }

    /// One VTQL page of a full pass.
    private func queryPage<R: HubRecord>(_ position: MyCRMReadPosition, modules: [MyCRMModule], as: R.Type) async throws
        -> (ConnectorPage<R>, MyCRMReadPosition?)
    {
        let module = modules[position.moduleIndex]
        let page = position.page ?? firstPage(module)
        let (rows, texts) = try await queryRows(page.query)
        var records: [R] = try map(rows, module: module)
        // A lead or contact keeps its row itself as `raw` (a user's drops its credential
        // fields), so the row's text is its raw text.
        if module != .users { records = MappedRecord.keepingRawTexts(records, texts) }
        var next = position
        if let following = page.next(received: rows.count) {
            next.page = following
        } else if position.moduleIndex + 1 < modules.count {
            next.moduleIndex += 1
            next.page = firstPage(modules[next.moduleIndex])
        } else {
            return (ConnectorPage(records: records, cursor: nil, isLast: true), nil)
        }
        return (ConnectorPage(records: records, cursor: CursorCoding.encode(next), isLast: false), next)
    }

    /// One `sync` answer of an incremental pass.
    private func syncPage<R: HubRecord>(_ position: MyCRMReadPosition, modules: [MyCRMModule], as: R.Type) async throws
        -> (ConnectorPage<R>, MyCRMReadPosition?)
    {
        let module = modules[position.moduleIndex]
        let paginator = SyncPaginator(module: module.rawValue, modifiedTime: position.since[module.rawValue] ?? 0)
        let scope = syncScope.current
        func sync(_ scope: MyCRMSyncScope.Scope) async throws -> JSONValue {
            try await call(
                .sync,
                [("modifiedTime", String(paginator.modifiedTime)), ("elementType", module.rawValue), ("syncType", scope.rawValue)])
        }
        let result: JSONValue
        do {
            result = try await sync(scope)
        } catch let error as ConnectorError where error.kind == .permission && scope == .application {
            // vtiger 8 refuses `application` to users who are not administrators; their own
            // records and their groups' are what they may sync.
            syncScope.fallBack()
            client.logger.notice(
                "MyCRM refused syncType=application; incremental reads use syncType=userandgroup for this connection",
                metadata: ["hub.vendor.code": "\(error.vendorCode ?? "")"])
            result = try await sync(.userAndGroup)
        }
        guard let answer = MyCRMSyncResult(result: result) else {
            throw ConnectorError(
                .invalidResponse, vendor: .mycrm, message: "sync of \(module.rawValue) answered an unreadable result",
                connectionID: client.connectionID, operation: MyCRMOperation.sync.operationName)
        }
        let records: [R] = try map(answer.updated, module: module)
        var next = position
        switch try paginator.next(
            more: answer.more, lastModifiedTime: answer.lastModifiedTime ?? paginator.modifiedTime, vendor: .mycrm)
        {
        case .more(let following):
            next.since[module.rawValue] = following.modifiedTime
        case .done(let resume):
            next.since[module.rawValue] = resume.modifiedTime
            if position.moduleIndex + 1 < modules.count {
                next.moduleIndex += 1
            } else {
                // Caught up on every module: the cursor starts the next incremental read.
                next.moduleIndex = 0
                let page = ConnectorPage(
                    records: records, deletedSourceKeys: answer.deleted, cursor: CursorCoding.encode(next), isLast: true)
                return (page, nil)
            }
        }
        let page = ConnectorPage(
            records: records, deletedSourceKeys: answer.deleted, cursor: CursorCoding.encode(next), isLast: false)
        return (page, next)
    }

    /// Maps vendor rows to records of type `R`.
    private func map<R: HubRecord>(_ rows: [MyCRMRecord], module: MyCRMModule) throws -> [R] {
        let connectionID = client.connectionID
        return try MappedRecord.map(rows, to: R.self, source: module.rawValue, vendor: .mycrm, connectionID: connectionID) { row in
            switch module {
            case .users: return try MyCRMMapping.member(from: row, connectionID: connectionID)
            case .leads, .contacts: return try MyCRMMapping.contact(from: row, module: module, connectionID: connectionID)
            }
        }
    }
}

/// The `syncType` a connection's incremental reads ask for: `application` until the server
/// refuses it once, then `userandgroup` (vtiger 8; servers before 8 ignore the parameter and
/// sync the user's records).
final class MyCRMSyncScope: Sendable {
    enum Scope: String, Sendable {
        case application
        case userAndGroup = "userandgroup"
    }

    private let scope = Mutex(Scope.application)

    var current: Scope { scope.withLock { $0 } }

    func fallBack() { scope.withLock { $0 = .userAndGroup } }
}
