import ConnectorKit
import Foundation
import RealtyModel

/// Where a PF Expert read stands, as the opaque cursor carries it.
///
/// `pass` is the position inside an unfinished pass (the endpoint and the page to read next);
/// `marks` holds, per endpoint, the newest change time the last completed pass saw, from which
/// the next incremental pass filters. The last page of a pass carries `pass == nil`.
struct PFExpertCursor: Codable, Sendable, Hashable {
    struct Pass: Codable, Sendable, Hashable {
        /// The index of the endpoint being read.
        var endpoint: Int
        /// The page to read next (1-based).
        var page: Int
        /// Whether the pass filters by the marks (an incremental pass).
        var incremental: Bool
        /// The newest change time seen so far in this pass, per endpoint.
        var newest: [String: Date]
    }

    var pass: Pass?
    var marks: [String: Date]
    /// Auxiliary endpoints found unavailable, by name, with the reason: those of the pass in
    /// progress, and on a pass's last cursor those of that pass. Incremental passes skip them
    /// without asking; full passes ask again.
    var unavailable: [String: String]? = nil
}

/// One read of a resource: the pages of each of its endpoints in turn. Pages are fetched only
/// when the consumer asks for the next one.
actor PFExpertReadSession<R: HubRecord> {
    private let client: VendorHTTPClient
    private let clock: any ConnectorClock
    private let endpoints: [PFExpertEndpoint]
    private var pass: PFExpertCursor.Pass
    private var marks: [String: Date]
    private var unavailable: [String: String]
    private var finished = false

    private let auxiliary: Bool

    /// Starts or resumes a read.
    ///
    /// A cursor inside an incremental pass does not resume a full read: a full pass must see
    /// every record, so it starts over (keeping the marks).
    ///
    /// - Throws: ``ConnectorError`` `.configuration` for a cursor this connector did not write.
    init(client: VendorHTTPClient, clock: any ConnectorClock, endpoints: [PFExpertEndpoint], mode: ReadMode, cursor: String?) throws {
        self.client = client
        self.clock = clock
        self.endpoints = endpoints
        auxiliary = !PFExpertEndpoint.readCapability(R.resource).core
        var state = PFExpertCursor(pass: nil, marks: [:])
        if let cursor { state = try CursorCoding.decode(PFExpertCursor.self, from: cursor, vendor: .pfExpert) }
        marks = state.marks
        if let resumed = state.pass, resumed.endpoint < endpoints.count, resumed.page >= 1,
            !(mode == .full && resumed.incremental)
        {
            pass = resumed
            unavailable = state.unavailable ?? [:]
        } else {
            pass = PFExpertCursor.Pass(endpoint: 0, page: 1, incremental: mode == .incremental, newest: [:])
            unavailable = mode == .incremental ? state.unavailable ?? [:] : [:]
        }
    }

    /// The date a `filters[...][from]` takes, in UTC.
    static func day(_ date: Date) -> String {
        String(Timestamp.format(date).prefix(10))
    }

    /// The next page, or nil after the last.
    func next() async throws -> ConnectorPage<R>? {
        guard !finished else { return nil }
        let endpoint = endpoints[pass.endpoint]
        if pass.incremental, let reason = unavailable[endpoint.name] {
            return try skip(endpoint, reason: reason)
        }
        let paginator = PageNumberPaginator(page: pass.page, perPage: client.pageSize)
        let mark = pass.incremental ? marks[endpoint.name] : nil
        var query = paginator.queryItems()
        switch (endpoint.changes, mark) {
        case (.newestFirst, .some):
            query += [URLQueryItem(name: "sort", value: "updated_at"), URLQueryItem(name: "sort_order", value: "desc")]
        case (.dateFilter(let filter), .some(let mark)):
            query += [URLQueryItem(name: "sort", value: "id"), URLQueryItem(name: "sort_order", value: "asc")]
            // A day of overlap: the filter takes a date and the vendor's time zone is unknown.
            query.append(URLQueryItem(name: filter, value: Self.day(mark.addingTimeInterval(-86_400))))
        default:
            query += [URLQueryItem(name: "sort", value: "id"), URLQueryItem(name: "sort_order", value: "asc")]
        }
        let list: PFListPage
        do {
            list = try await client.pfList(try client.url(endpoint.path, query: query), endpoint: endpoint)
        } catch let error as ConnectorError where auxiliary && error.meansUnavailable && pass.page == 1 {
            return try skip(endpoint, reason: UnavailableRead(endpoint: "GET \(endpoint.path)", error: error).reason, error: error)
        }

        var records: [R] = []
        records.reserveCapacity(list.items.count)
        var media: [Media]? = endpoint.media == nil ? nil : []
        var newest = pass.newest[endpoint.name]
        // Newest-first reads end at the first record changed before the mark: everything after
        // it is older still. A record without a change time cannot be placed, so it is kept and
        // the read goes on.
        var reachedMark = false
        for (index, item) in list.items.enumerated() {
            let mapped: any HubRecord
            do {
                mapped = try endpoint.map(item)
            } catch let error as WirePayloadError {
                throw ConnectorError(
                    .invalidResponse, vendor: .pfExpert, message: "\(error.reason) (item \(index) of page \(pass.page))",
                    connectionID: client.connectionID, operation: "GET \(endpoint.path)")
            }
            var record = try MappedRecord.cast(
                mapped, to: R.self, source: endpoint.name, vendor: .pfExpert, connectionID: client.connectionID)
            record.metadata.connectionID = client.connectionID
            if let texts = list.itemTexts { record.metadata.keepRawText(texts[index]) }
            let changed = record.metadata.sourceModificationTimestamp ?? record.metadata.sourceEntryTimestamp
            if endpoint.changes == .newestFirst, let mark, let changed, changed < mark {
                reachedMark = true
                break
            }
            if let changed { newest = max(newest ?? changed, changed) }
            records.append(record)
            if let read = endpoint.media { media? += read(item, client.connectionID) }
        }
        // A vendor clock far ahead must not push the next incremental pass past today.
        if let value = newest { pass.newest[endpoint.name] = min(value, clock.now()) }

        if !reachedMark, let nextPage = paginator.next(received: list.items.count, total: list.count) {
            pass.page = nextPage.page
            return page(records, media: media, last: false)
        }
        return advance(records, media: media)
    }

    /// Moves to the next endpoint, or ends the pass, after a page holding `records` (and their
    /// `media`).
    private func advance(_ records: [R], media: [Media]? = nil) -> ConnectorPage<R> {
        if pass.endpoint + 1 < endpoints.count {
            pass.endpoint += 1
            pass.page = 1
            return page(records, media: media, last: false)
        }
        for (name, date) in pass.newest { marks[name] = max(marks[name] ?? date, date) }
        finished = true
        return page(records, media: media, last: true)
    }

    private func page(_ records: [R], media: [Media]?, last: Bool) -> ConnectorPage<R> {
        let cursor = CursorCoding.encode(
            PFExpertCursor(pass: last ? nil : pass, marks: marks, unavailable: unavailable.isEmpty ? nil : unavailable))
        let skipped = endpoints.compactMap { endpoint in
            unavailable[endpoint.name].map { UnavailableRead(endpoint: "GET \(endpoint.path)", reason: $0) }
        }
        return ConnectorPage(records: records, cursor: cursor, isLast: last, media: media, unavailable: skipped)
    }

    /// Skips an auxiliary endpoint the connection cannot read (an account without WhatsApp or
    /// call tracking answers 403 or 404 on its list). When every endpoint of the resource is
    /// unavailable the read fails with a permission error naming them, and the hub marks the
    /// resource unavailable.
    private func skip(_ endpoint: PFExpertEndpoint, reason: String, error: ConnectorError? = nil) throws -> ConnectorPage<R> {
        unavailable[endpoint.name] = reason
        if endpoints.allSatisfy({ unavailable[$0.name] != nil }) {
            throw error
                ?? ConnectorError(
                    .permission, vendor: .pfExpert,
                    message: endpoints.map { "GET \($0.path): \(unavailable[$0.name] ?? "")" }.joined(separator: "; "),
                    connectionID: client.connectionID, operation: "GET \(endpoint.path)")
        }
        return advance([])
    }
}
