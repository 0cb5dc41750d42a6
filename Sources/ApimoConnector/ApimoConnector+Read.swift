public import ConnectorKit
public import Foundation
public import RealtyModel

/// Where an Apimo read stands; the opaque cursor is this, encoded by ``CursorCoding``.
///
/// A pass walks the agencies, for each the resource's lists (contacts then leads for
/// `Contacts`), and for actions each user of the agency. Lists that take `timestamp` track the
/// newest change time they report, per agency and list, in ``since``; the cursor of a pass's last
/// page is ``finished`` and keeps ``since``, so an incremental read given it asks only for what
/// changed after (a full pass records the times too, so it can be followed incrementally).
struct ApimoReadPosition: Codable, Sendable, Hashable {
    /// Whether lists that take `timestamp` are read from ``since`` (an incremental pass).
    var incremental: Bool
    /// Whether the pass is over (the cursor of the last page).
    var finished = false
    /// The agencies of this pass, resolved on its first page.
    var agencies: [String]?
    var agencyIndex = 0
    var listIndex = 0
    /// The users of the current agency, when reading actions.
    var users: [String]?
    var userIndex = 0
    /// The current page of a list without `timestamp`.
    var page: OffsetPaginator?
    /// The current page of a list with `timestamp`.
    var pass: TimestampIncrementalPaginator?
    /// `"<agency>/<list>"` → the newest change time seen (unix seconds).
    var since: [String: Int64] = [:]

    /// A new pass keeping the change times.
    func restarted(incremental: Bool) -> ApimoReadPosition {
        ApimoReadPosition(incremental: incremental, since: since)
    }

    static func key(agency: String?, list: ApimoList) -> String { "\(agency ?? "-")/\(list.rawValue)" }
}

extension ApimoConnector {
    /// A full pass records the lists' change times too: its last cursor, capped at `since`,
    /// starts the incremental reads.
    public func incrementalCursor(afterFullPass cursor: String?, since: Date) -> String? {
        cursor.map { self.cursor($0, cappedAt: since) }
    }

    /// Caps every list's `timestamp` mark at `limit` (unix seconds).
    public func cursor(_ cursor: String, cappedAt limit: Date) -> String {
        let ceiling = Int64(limit.timeIntervalSince1970.rounded(.down))
        return CursorCoding.rewrite(cursor, as: ApimoReadPosition.self, vendor: vendor) { position in
            position.since = position.since.mapValues { min($0, ceiling) }
        }
    }
}

/// What a resource is read from.
struct ApimoReadPlan: Sendable {
    /// The lists, read in order for each agency.
    var lists: [ApimoList]
    /// Whether the lists are per agency (all but `/agencies`).
    var perAgency: Bool
    /// Whether any list takes `timestamp`.
    var incremental: Bool
    /// The catalogs the mapping needs.
    var catalogs: [ApimoCatalogs.Name]

    static func plan(for resource: ResourceName) -> ApimoReadPlan? {
        switch resource {
        case .office: return ApimoReadPlan(lists: [.agencies], perAgency: false, incremental: false, catalogs: [])
        case .member: return ApimoReadPlan(lists: [.users], perAgency: true, incremental: false, catalogs: [])
        case .activity: return ApimoReadPlan(lists: [.actions], perAgency: true, incremental: true, catalogs: [.actionType])
        case .property:
            return ApimoReadPlan(
                lists: [.properties], perAgency: true, incremental: true,
                catalogs: [.propertyType, .propertySubtype, .propertyStatus, .unitArea])
        case .contacts: return ApimoReadPlan(lists: [.contacts, .leads], perAgency: true, incremental: true, catalogs: [])
        default: return nil
        }
    }
}

extension ApimoConnector {
    /// Reads a resource page by page (`limit`/`offset`, the page size clamped to each list's
    /// maximum, until `total_items` is reached or a page comes back empty).
    ///
    /// Incremental reads of `Property` and `Contacts` pass `timestamp` = the newest change time
    /// of the previous pass, per agency and list; incremental reads of `Activity` read the
    /// actions of the users changed since the previous pass only; the other resources have no
    /// change signal and fall back to full passes.
    public func read<R: HubRecord>(_ type: R.Type, mode: ReadMode, after cursor: String?)
        -> AsyncThrowingStream<ConnectorPage<R>, any Error>
    {
        guard let plan = ApimoReadPlan.plan(for: R.resource) else {
            let error = ConnectorError.unsupported(.apimo, "read \(R.resource.rawValue) records", connectionID: client.connectionID)
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let incremental = mode == .incremental && plan.incremental
        var start = ApimoReadPosition(incremental: incremental)
        if let cursor {
            do {
                let position = try CursorCoding.decode(ApimoReadPosition.self, from: cursor, vendor: .apimo)
                if position.finished {
                    start = position.restarted(incremental: incremental)
                } else if position.incremental == incremental, position.listIndex < plan.lists.count {
                    start = position
                } else {
                    throw ConnectorError(
                        .configuration, vendor: .apimo,
                        message:
                            "the cursor belongs to an unfinished \(position.incremental ? "incremental" : "full") pass; resume it in that mode or start again without a cursor",
                        connectionID: client.connectionID)
                }
            } catch {
                return AsyncThrowingStream { $0.finish(throwing: error) }
            }
        }
        let connector = self
        return pageStream(start: start) { position in try await connector.readPage(position, plan: plan, as: R.self) }
    }

    /// One page, carrying the media of its records (properties' pictures, users' pictures)
    /// read from the same items.
    private func readPage<R: HubRecord>(_ start: ApimoReadPosition, plan: ApimoReadPlan, as: R.Type) async throws
        -> (ConnectorPage<R>, ApimoReadPosition?)
    {
        let (read, next, items) = try await readItems(start, plan: plan, as: R.self)
        var page = read
        let list = plan.lists[start.listIndex]
        if list == .properties || list == .users {
            let connectionID = client.connectionID
            page.media = items.flatMap { ApimoMapping.media(from: $0, list: list, connectionID: connectionID) ?? [] }
        }
        return (page, next)
    }

    /// One page of records, its next position and the vendor items behind the records.
    private func readItems<R: HubRecord>(_ start: ApimoReadPosition, plan: ApimoReadPlan, as: R.Type) async throws
        -> (ConnectorPage<R>, ApimoReadPosition?, [ApimoRecord])
    {
        var position = start
        if plan.perAgency, position.agencies == nil { position.agencies = try await agencyIDs() }
        let agencies = position.agencies ?? []
        if plan.perAgency, agencies.isEmpty {
            return withItems(finish(position, records: [R]()), [])
        }
        let agency = plan.perAgency ? agencies[position.agencyIndex] : nil
        let list = plan.lists[position.listIndex]
        var user: String?
        if list == .actions, let agency {
            if position.users == nil {
                // Actions are read per user, one request each. An incremental pass asks only for
                // the actions of users changed (or created) since the previous pass's newest
                // user change: the user list has no `timestamp` filter, so it is read whole (one
                // request of up to 10,000) and filtered here. The hub moves the mark back by its
                // lookback before the next pass, so a user changed during this one is not missed.
                // Actions of unchanged users arrive with the next full pass.
                let users = try await fetchAll(.users, agency: agency, user: nil)
                let key = ApimoReadPosition.key(agency: agency, list: .users)
                let since = position.incremental ? position.since[key] : nil
                position.users = users.filter { user in
                    guard let since else { return true }
                    return Self.newestChange([user]).map { $0 > since } ?? true
                }.compactMap(\.id).filter(Self.isPlainID)
                if let newest = Self.newestChange(users) { position.since[key] = max(newest, position.since[key] ?? newest) }
                position.userIndex = 0
            }
            let users = position.users ?? []
            guard position.userIndex < users.count else {
                // An agency without users has no actions.
                return withItems(try advance(position, plan: plan, records: [] as [R]), [])
            }
            user = users[position.userIndex]
        }

        let limit = min(client.pageSize, list.pageLimit)
        let key = ApimoReadPosition.key(agency: agency, list: list)
        var query: [URLQueryItem]
        if list.takesTimestamp {
            let pass =
                position.pass
                ?? TimestampIncrementalPaginator(
                    since: position.incremental ? position.since[key] : nil, limit: limit)
            position.pass = pass
            query = pass.queryItems()
        } else {
            let page = position.page ?? OffsetPaginator(limit: limit)
            position.page = page
            query = page.queryItems()
        }
        let page = try await fetch(list, agency: agency, user: user, query: query)
        let labels = plan.catalogs.isEmpty ? ApimoCatalogs() : try await catalogLabels(plan.catalogs)
        var records: [R] = page.keepingTexts(try map(page.items, list: list, catalogs: labels))
        if list == .agencies, !grantedAgencies.isEmpty {
            // Offices of the configured agencies only.
            records = records.filter { grantedAgencies.contains($0.metadata.sourceKey ?? "") }
        }

        var listDone: Bool
        if let pass = position.pass, list.takesTimestamp {
            let newest = page.timestamp ?? Self.newestChange(page.items)
            switch pass.next(received: page.items.count, total: page.totalItems, timestamp: newest) {
            case .more(let next):
                position.pass = next
                listDone = false
            case .done(let nextPass):
                if let since = nextPass.since { position.since[key] = since }
                position.pass = nil
                listDone = true
            }
        } else if let current = position.page, let next = current.next(received: page.items.count, total: page.totalItems) {
            position.page = next
            listDone = false
        } else {
            position.page = nil
            listDone = true
        }
        // Records dropped above (offices of agencies not granted) carry no media.
        if listDone { return withItems(try advance(position, plan: plan, records: records), page.items) }
        return (ConnectorPage(records: records, cursor: CursorCoding.encode(position), isLast: false), position, page.items)
    }

    /// A page with the vendor items it was mapped from (``readPage(_:plan:as:)`` reads their media).
    private func withItems<R: HubRecord>(_ result: (ConnectorPage<R>, ApimoReadPosition?), _ items: [ApimoRecord])
        -> (ConnectorPage<R>, ApimoReadPosition?, [ApimoRecord])
    {
        (result.0, result.1, items)
    }

    /// Moves past the list just finished: the next user, list or agency, or the end of the pass.
    private func advance<R: HubRecord>(_ current: ApimoReadPosition, plan: ApimoReadPlan, records: [R]) throws
        -> (ConnectorPage<R>, ApimoReadPosition?)
    {
        var position = current
        position.page = nil
        position.pass = nil
        if plan.lists[position.listIndex] == .actions, let users = position.users, position.userIndex + 1 < users.count {
            position.userIndex += 1
            return (ConnectorPage(records: records, cursor: CursorCoding.encode(position), isLast: false), position)
        }
        position.users = nil
        position.userIndex = 0
        if position.listIndex + 1 < plan.lists.count {
            position.listIndex += 1
            return (ConnectorPage(records: records, cursor: CursorCoding.encode(position), isLast: false), position)
        }
        position.listIndex = 0
        if plan.perAgency, let agencies = position.agencies, position.agencyIndex + 1 < agencies.count {
            position.agencyIndex += 1
            return (ConnectorPage(records: records, cursor: CursorCoding.encode(position), isLast: false), position)
        }
        return finish(position, records: records)
    }

    private func finish<R: HubRecord>(_ position: ApimoReadPosition, records: [R]) -> (ConnectorPage<R>, ApimoReadPosition?) {
        var done = position.restarted(incremental: position.incremental)
        done.finished = true
        return (ConnectorPage(records: records, cursor: CursorCoding.encode(done), isLast: true), nil)
    }

    /// The newest `updated_at` (else `created_at`) of a page, in unix seconds, for lists whose
    /// answer carries no `timestamp`.
    static func newestChange(_ items: [ApimoRecord]) -> Int64? {
        var newest: Int64?
        for item in items {
            guard let date = ApimoTime.instant(item.text("updated_at") ?? item.text("created_at")) else { continue }
            let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
            newest = max(newest ?? seconds, seconds)
        }
        return newest
    }

    /// Maps a page of `list` to records of type `R`.
    private func map<R: HubRecord>(_ items: [ApimoRecord], list: ApimoList, catalogs: ApimoCatalogs) throws -> [R] {
        let connectionID = client.connectionID
        return try MappedRecord.map(
            items, to: R.self, source: list.rawValue, vendor: .apimo, connectionID: connectionID, operation: list.operationName
        ) { item in
            switch list {
            case .agencies: return try ApimoMapping.office(from: item, connectionID: connectionID)
            case .users: return try ApimoMapping.member(from: item, connectionID: connectionID)
            case .actions: return try ApimoMapping.activity(from: item, catalogs: catalogs, connectionID: connectionID)
            case .properties: return try ApimoMapping.property(from: item, catalogs: catalogs, connectionID: connectionID)
            case .contacts: return try ApimoMapping.contact(from: item, connectionID: connectionID)
            case .leads: return try ApimoMapping.lead(from: item, connectionID: connectionID)
            }
        }
    }

    /// Every action of one user, optionally of one `type` (an `action_type` catalog id):
    /// `GET /agencies/{agency}/users/{user}/actions?type=…`, paged up to 1,000 per request.
    ///
    /// - Parameters:
    ///   - agencyID: the agency.
    ///   - userID: the user.
    ///   - type: the `action_type` id to keep, or nil for all.
    /// - Returns: the actions as activities.
    /// - Throws: ``ConnectorError``.
    public func actions(agencyID: String, userID: String, type: String? = nil) async throws -> [Activity] {
        guard Self.isPlainID(agencyID), Self.isPlainID(userID), type.map(Self.isPlainID) ?? true else {
            throw ConnectorError(
                .validation, vendor: .apimo, message: "agency, user and type must be plain ids", connectionID: client.connectionID)
        }
        let labels = try await catalogLabels([.actionType])
        var paginator: OffsetPaginator? = OffsetPaginator(limit: min(client.pageSize, ApimoList.actions.pageLimit))
        var activities: [Activity] = []
        while let current = paginator {
            var query = current.queryItems()
            if let type { query.append(URLQueryItem(name: "type", value: type)) }
            let page = try await fetch(.actions, agency: agencyID, user: userID, query: query)
            activities += page.keepingTexts(try map(page.items, list: .actions, catalogs: labels) as [Activity])
            paginator = current.next(received: page.items.count, total: page.totalItems)
        }
        return activities
    }
}
