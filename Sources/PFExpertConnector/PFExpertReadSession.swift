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
}

/// One read of a resource: the pages of each of its endpoints in turn. Pages are fetched only
/// when the consumer asks for the next one.
actor PFExpertReadSession<R: HubRecord> {
    private let client: VendorHTTPClient
    private let clock: any ConnectorClock
    private let endpoints: [PFExpertEndpoint]
    private var pass: PFExpertCursor.Pass
    private var marks: [String: Date]
    private var finished = false

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
        var state = PFExpertCursor(pass: nil, marks: [:])
        if let cursor { state = try CursorCoding.decode(PFExpertCursor.self, from: cursor, vendor: .pfExpert) }
        marks = state.marks
        if let resumed = state.pass, resumed.endpoint < endpoints.count, resumed.page >= 1,
            !(mode == .full && resumed.incremental)
        {
            pass = resumed
        } else {
            pass = PFExpertCursor.Pass(endpoint: 0, page: 1, incremental: mode == .incremental, newest: [:])
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
        let list = try await client.pfList(try client.url(endpoint.path, query: query), endpoint: endpoint)

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
        } else if pass.endpoint + 1 < endpoints.count {
            pass.endpoint += 1
            pass.page = 1
        } else {
            for (name, date) in pass.newest { marks[name] = max(marks[name] ?? date, date) }
            finished = true
            let cursor = CursorCoding.encode(PFExpertCursor(pass: nil, marks: marks))
            return ConnectorPage(records: records, cursor: cursor, isLast: true, media: media)
        }
        let cursor = CursorCoding.encode(PFExpertCursor(pass: pass, marks: marks))
        return ConnectorPage(records: records, cursor: cursor, isLast: false, media: media)
    }
}
