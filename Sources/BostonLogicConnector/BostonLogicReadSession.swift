import ConnectorKit
import Foundation
import RealtyModel

extension VendorHTTPClient {
    /// Sends one Boston Logic request (JSON content type on every request, as the document
    /// requires) and reads the envelope of its answer.
    ///
    /// - Returns: the envelope, or nil for an answer without a body (a 204 to a delete).
    func blSend(
        _ method: ConnectorKit.HTTPMethod, _ path: String, body: JSONValue?, query: [URLQueryItem] = [],
        idempotent: Bool? = nil, operation: String
    ) async throws -> BostonLogicEnvelope? {
        var request = try jsonRequest(
            method, try url(path, query: query), body: body, isIdempotent: idempotent, operationName: operation)
        request.headers["Content-Type"] = "application/json"
        let response = try await send(request)
        guard !response.body.isEmpty else { return nil }
        let json = try decode(JSONValue.self, from: response, what: "the answer to \(operation)")
        do {
            return try BostonLogicEnvelope(json: json)
        } catch let error as WirePayloadError {
            throw ConnectorError(
                .invalidResponse, vendor: .bostonLogic, message: error.description, httpStatus: response.status,
                connectionID: connectionID, operation: operation)
        }
    }

    /// One page of a list: page 1 is the plain list request; later pages add `page`.
    ///
    /// - Returns: the items and whether the answer says more pages follow.
    func blListPage(_ path: String, query: [URLQueryItem], page: Int, receivedBefore: Int) async throws -> (
        items: [JSONValue], hasMore: Bool
    ) {
        var items = query
        if page > 1 { items.append(URLQueryItem(name: "page", value: String(page))) }
        let operation = "GET \(BostonLogicListTemplate.template(path))"
        guard let envelope = try await blSend(.get, path, body: nil, query: items, operation: operation) else {
            return ([], false)
        }
        let records: [JSONValue]
        do {
            records = try envelope.list(resource: path)
        } catch let error as WirePayloadError {
            throw ConnectorError(
                .invalidResponse, vendor: .bostonLogic, message: error.description, connectionID: connectionID, operation: operation)
        }
        let more = BostonLogicPaging.hasMore(envelope.raw, page: page, received: receivedBefore + records.count, pageCount: records.count)
        return (records, more)
    }

    /// Every item of a list, following pages when the answer announces them.
    func blListAll(_ path: String, query: [URLQueryItem]) async throws -> [JSONValue] {
        var all: [JSONValue] = []
        var page = 1
        var previous: [String] = []
        while true {
            let (items, more) = try await blListPage(path, query: query, page: page, receivedBefore: all.count)
            let ids = items.compactMap { $0.text("id") }
            // A server that ignores `page` answers the same records again: stop there.
            if page > 1, !ids.isEmpty, ids == previous { break }
            all += items
            previous = ids
            guard more, !items.isEmpty, page < BostonLogicPaging.maxPages else { break }
            page += 1
        }
        return all
    }
}

/// Reading the paging facts an answer may carry (none are documented).
enum BostonLogicPaging {
    /// A bound on pages per list, so a misbehaving server cannot keep a read going forever.
    static let maxPages = 10_000

    /// Whether the answer announces more pages after `page`: `next_page` (non-null, not false),
    /// `total_pages` above `page`, or a `total`/`total_count`/`total_entries` above the records
    /// received so far; read at the top level or under `meta` or `pagination`.
    static func hasMore(_ raw: JSONValue, page: Int, received: Int, pageCount: Int) -> Bool {
        guard pageCount > 0 else { return false }
        for scope in [raw, raw["meta"], raw["pagination"]].compactMap({ $0 }) {
            if let next = scope["next_page"] {
                switch next {
                case .null, .bool(false): return false
                default: return true
                }
            }
            if let totalPages = scope.integer("total_pages") { return page < totalPages }
            if let total = scope.integer("total") ?? scope.integer("total_count") ?? scope.integer("total_entries") {
                return received < total
            }
        }
        return false
    }
}

/// Low-cardinality operation names: ids in paths become `{id}`.
enum BostonLogicListTemplate {
    static func template(_ path: String) -> String {
        path.split(separator: "/").map { segment in
            segment.allSatisfy(\.isNumber) ? "{id}" : String(segment)
        }.reduce("") { $0 + "/" + $1 }
    }
}

/// Where a Boston Logic read stands: the list being read and its next page, or, for
/// activities, the last lead whose views and notes were delivered.
struct BostonLogicCursor: Codable, Sendable, Hashable {
    var list: Int
    var page: Int
    var afterLead: String?
    /// Activity lists (`property_views`, `property_notes`) found unavailable in this pass,
    /// with the reason, so a resumed pass does not ask again.
    var unavailable: [String: String]? = nil
    /// Activities, incremental pass: only leads changed after this time have their views and
    /// notes read (leads without `updated_at` always do).
    var changedSince: Date? = nil
    /// Activities: the newest lead `updated_at` seen in this pass; on the last page's cursor,
    /// the mark the next incremental pass reads from.
    var newest: Date? = nil
    /// Whether this is the cursor of a pass's last page (activities only).
    var finished: Bool? = nil
}

/// One read of a resource. Pages are fetched only when the consumer asks for the next one.
actor BostonLogicReadSession<R: HubRecord> {
    /// Activities per page (a page closes at the end of the lead that reaches it).
    static var activityPageSize: Int { 100 }

    private let client: VendorHTTPClient
    private let lists: [BostonLogicEndpoints.List]
    private let activities: Bool
    private var position: BostonLogicCursor
    private var previousIDs: [String] = []
    private var receivedInList = 0
    private var leadIDs: [String]?
    private var finished = false

    /// Starts or resumes a read. The cursor of an activity pass's last page starts a new pass:
    /// an incremental one reads the views and notes of the leads changed after its mark only.
    /// A full read never resumes an incremental pass (it must see every lead).
    init(client: VendorHTTPClient, lists: [BostonLogicEndpoints.List], activities: Bool, mode: ReadMode, cursor: String?) throws {
        self.client = client
        self.lists = lists
        self.activities = activities
        var position = BostonLogicCursor(list: 0, page: 1, afterLead: nil)
        if let cursor {
            let decoded = try CursorCoding.decode(BostonLogicCursor.self, from: cursor, vendor: .bostonLogic)
            position = decoded
            if decoded.finished == true {
                position = BostonLogicCursor(list: 0, page: 1, afterLead: nil)
                if activities, mode == .incremental { position.changedSince = decoded.newest }
            } else if position.list < 0 || (!activities && position.list >= lists.count) || position.page < 1
                || (mode == .full && position.changedSince != nil)
            {
                position = BostonLogicCursor(list: 0, page: 1, afterLead: nil)
            }
        }
        self.position = position
    }

    func next() async throws -> ConnectorPage<R>? {
        guard !finished else { return nil }
        return activities ? try await nextActivities() : try await nextListPage()
    }

    private func cast(_ records: [any HubRecord]) throws -> [R] {
        try records.map { mapped in
            var record = try MappedRecord.cast(
                mapped, to: R.self, source: "the list's", vendor: .bostonLogic, connectionID: client.connectionID)
            record.metadata.connectionID = client.connectionID
            return record
        }
    }

    private func nextListPage() async throws -> ConnectorPage<R> {
        let list = lists[position.list]
        let (items, more) = try await client.blListPage(
            list.path, query: list.query, page: position.page, receivedBefore: receivedInList)
        let ids = items.compactMap { $0.text("id") }
        let repeated = position.page > 1 && !ids.isEmpty && ids == previousIDs
        var records: [R] = []
        if !repeated {
            var mapped: [any HubRecord] = []
            for (index, item) in items.enumerated() {
                do {
                    mapped += try list.map(item)
                } catch let error as WirePayloadError {
                    throw ConnectorError(
                        .invalidResponse, vendor: .bostonLogic, message: "\(error.description) (item \(index))",
                        connectionID: client.connectionID, operation: "GET \(list.path)")
                }
            }
            records = try cast(mapped)
            receivedInList += items.count
        }
        previousIDs = ids
        if more, !repeated, !items.isEmpty, position.page < BostonLogicPaging.maxPages {
            position.page += 1
        } else if position.list + 1 < lists.count {
            position = BostonLogicCursor(list: position.list + 1, page: 1, afterLead: nil)
            previousIDs = []
            receivedInList = 0
        } else {
            finished = true
            return ConnectorPage(records: records, cursor: nil, isLast: true)
        }
        return ConnectorPage(records: records, cursor: CursorCoding.encode(position), isLast: false)
    }

    /// Property views and notes, lead by lead.
    private func nextActivities() async throws -> ConnectorPage<R> {
        if leadIDs == nil {
            let leads = try await client.blListAll(BostonLogicEndpoints.leads, query: [])
            // Where the server stamps leads with `updated_at` (the document lists no fields; our
            // emulator does), an incremental pass reads the views and notes of the leads changed
            // since the previous pass only; the others arrive with the next full pass.
            let changed = { (lead: JSONValue) in Timestamp.parse(lead.text("updated_at") ?? "") }
            for stamp in leads.compactMap(changed) { position.newest = max(position.newest ?? stamp, stamp) }
            let since = position.changedSince
            var ids = leads.filter { lead in since.map { mark in changed(lead).map { $0 > mark } ?? true } ?? true }
                .compactMap { $0.text("id") }
            if let after = position.afterLead, let index = ids.firstIndex(of: after) {
                ids.removeFirst(index + 1)
            }
            leadIDs = ids
        }
        var mapped: [any HubRecord] = []
        var lastLead = position.afterLead
        while var remaining = leadIDs, !remaining.isEmpty, mapped.count < Self.activityPageSize {
            let lead = remaining.removeFirst()
            for kind in [BLLeadPropertyEvent.Kind.view, .note] where position.unavailable?[kind.listName] == nil {
                mapped += try await availableEvents(of: lead, kind: kind)
            }
            leadIDs = remaining
            lastLead = lead
        }
        let records = try cast(mapped)
        let unavailable = [BLLeadPropertyEvent.Kind.view, .note].compactMap { kind in
            position.unavailable?[kind.listName].map {
                UnavailableRead(endpoint: "GET \(BostonLogicEndpoints.leads)/{id}/\(kind.listName)", reason: $0)
            }
        }
        if leadIDs?.isEmpty ?? true {
            finished = true
            var last = BostonLogicCursor(list: 0, page: 1, afterLead: nil)
            last.newest = position.newest
            last.finished = true
            return ConnectorPage(records: records, cursor: CursorCoding.encode(last), isLast: true, unavailable: unavailable)
        }
        position.afterLead = lastLead
        return ConnectorPage(records: records, cursor: CursorCoding.encode(position), isLast: false, unavailable: unavailable)
    }

    /// A lead's views or notes; when the list is not available on this connection (the route
    /// does not exist on the server, which the document only guesses, or the key lacks the
    /// right), the list is marked unavailable for the rest of the pass and nothing is returned.
    /// When both lists are unavailable the read fails, and the hub marks activities unavailable.
    private func availableEvents(of lead: String, kind: BLLeadPropertyEvent.Kind) async throws -> [any HubRecord] {
        do {
            return try await events(of: lead, kind: kind)
        } catch let error as ConnectorError where error.meansUnavailable || error.kind == .auth {
            // A 401 without a permission message is a bad key, unless the key still reads the
            // core lists (offices): then it is this list the key may not read.
            if error.kind == .auth {
                _ = try await client.blSend(
                    .get, BostonLogicEndpoints.offices, body: nil, operation: "GET \(BostonLogicEndpoints.offices)")
            }
            var unavailable = position.unavailable ?? [:]
            unavailable[kind.listName] = UnavailableRead(endpoint: "", error: error).reason
            position.unavailable = unavailable
            if unavailable.count == 2 { throw error }
            return []
        }
    }

    /// One lead's property views or notes. A 404 means the lead was deleted since the lead
    /// list was read (it then has none) only if the lead itself is gone; otherwise the list
    /// itself is missing and the read fails with that error rather than look empty.
    private func events(of lead: String, kind: BLLeadPropertyEvent.Kind) async throws -> [any HubRecord] {
        let path = kind == .view ? BostonLogicEndpoints.propertyViews(lead: lead) : BostonLogicEndpoints.propertyNotes(lead: lead)
        let items: [JSONValue]
        do {
            items = try await client.blListAll(path, query: [])
        } catch let error as ConnectorError where error.kind == .notFound {
            do {
                _ = try await client.blSend(
                    .get, "\(BostonLogicEndpoints.leads)/\(lead)", body: nil, operation: "GET \(BostonLogicEndpoints.leads)/{id}")
            } catch let leadError as ConnectorError where leadError.kind == .notFound {
                return []
            }
            throw error
        }
        var records: [any HubRecord] = []
        for (index, item) in items.enumerated() {
            do {
                records.append(BostonLogicMapping.activity(try BLLeadPropertyEvent(json: item, kind: kind, leadID: lead)))
            } catch let error as WirePayloadError {
                throw ConnectorError(
                    .invalidResponse, vendor: .bostonLogic, message: "\(error.description) (item \(index))",
                    connectionID: client.connectionID, operation: "GET \(BostonLogicListTemplate.template(path))")
            }
        }
        return records
    }
}
