public import Foundation

/// `page`/`per_page` paging with a total `count` (PF Expert): pages are 1-based.
///
/// The pass ends when a page comes back empty, or the pages so far cover `count`, or a page is
/// shorter than asked (a vendor that serves fewer than `per_page` has nothing more).
public struct PageNumberPaginator: Sendable, Hashable, Codable {
    /// The page to ask for (1-based).
    public var page: Int
    /// The page size to ask for.
    public var perPage: Int

    /// Starts at `page` with `perPage` records per page.
    public init(page: Int = 1, perPage: Int) {
        self.page = max(1, page)
        self.perPage = max(1, perPage)
    }

    /// The query items for the current page.
    ///
    /// - Parameters:
    ///   - pageName: the page parameter (default `page`).
    ///   - perPageName: the size parameter (default `per_page`).
    public func queryItems(pageName: String = "page", perPageName: String = "per_page") -> [URLQueryItem] {
        [URLQueryItem(name: pageName, value: String(page)), URLQueryItem(name: perPageName, value: String(perPage))]
    }

    /// The paginator for the next page, or nil when this page was the last.
    ///
    /// - Parameters:
    ///   - received: records in the page just read.
    ///   - total: the vendor's `count` of all records, when sent.
    public func next(received: Int, total: Int?) -> PageNumberPaginator? {
        guard received > 0, received >= perPage else { return nil }
        if let total, page * perPage >= total { return nil }
        return PageNumberPaginator(page: page + 1, perPage: perPage)
    }
}

/// `limit`/`offset` paging with a total (Apimo `total_items`).
///
/// The next offset advances by the records actually received (a vendor that caps the limit
/// below what was asked still pages correctly); the pass ends on an empty page or when the
/// offset reaches the total.
public struct OffsetPaginator: Sendable, Hashable, Codable {
    /// The offset to ask for.
    public var offset: Int
    /// The page size to ask for.
    public var limit: Int

    /// Starts at `offset`.
    public init(offset: Int = 0, limit: Int) {
        self.offset = max(0, offset)
        self.limit = max(1, limit)
    }

    /// The query items for the current page.
    public func queryItems(limitName: String = "limit", offsetName: String = "offset") -> [URLQueryItem] {
        [URLQueryItem(name: limitName, value: String(limit)), URLQueryItem(name: offsetName, value: String(offset))]
    }

    /// The paginator for the next page, or nil when this page was the last.
    ///
    /// - Parameters:
    ///   - received: records in the page just read.
    ///   - total: the unpaginated total, when sent.
    public func next(received: Int, total: Int?) -> OffsetPaginator? {
        guard received > 0 else { return nil }
        let nextOffset = offset + received
        if let total {
            guard nextOffset < total else { return nil }
        } else if received < limit {
            return nil
        }
        return OffsetPaginator(offset: nextOffset, limit: limit)
    }
}

/// VTQL `query` pages (MyCRM): `SELECT ... FROM Module [WHERE ...] ORDER BY ... LIMIT offset, n;`
/// with at most 100 rows per page.
///
/// The server drops rows the user may not read after applying `LIMIT`, so a short page does
/// not prove the end: the offset advances by the page size asked for, and the pass ends on an
/// empty page, or when the offset reaches a known total (from `SELECT COUNT(*)`).
public struct VTQLPaginator: Sendable, Hashable, Codable {
    /// The largest page the server serves.
    public static let maxPageSize = 100

    /// The module (`Leads`, `Contacts`, `Users`).
    public var module: String
    /// The columns (`*` when empty).
    public var columns: [String]
    /// A `WHERE` condition without the keyword, already quoted with ``quote(_:)``.
    public var condition: String?
    /// The `ORDER BY` column(s), for stable pages (default `id`).
    public var orderBy: String?
    /// The offset of the current page.
    public var offset: Int
    /// The page size (1...100).
    public var pageSize: Int
    /// The total, when counted.
    public var total: Int?

    /// Creates a paginator at `offset`.
    public init(
        module: String, columns: [String] = [], condition: String? = nil, orderBy: String? = "id", offset: Int = 0,
        pageSize: Int = VTQLPaginator.maxPageSize, total: Int? = nil
    ) {
        self.module = module
        self.columns = columns
        self.condition = condition
        self.orderBy = orderBy
        self.offset = max(0, offset)
        self.pageSize = min(max(1, pageSize), Self.maxPageSize)
        self.total = total
    }

    /// The statement for the current page, ending with the `;` the grammar requires.
    public var query: String {
        var text = "SELECT \(columns.isEmpty ? "*" : columns.joined(separator: ", ")) FROM \(module)"
        if let condition, !condition.isEmpty { text += " WHERE \(condition)" }
        if let orderBy, !orderBy.isEmpty { text += " ORDER BY \(orderBy)" }
        text += " LIMIT \(offset), \(pageSize);"
        return text
    }

    /// The statement counting the rows the pages will cover.
    public var countQuery: String {
        var text = "SELECT COUNT(*) FROM \(module)"
        if let condition, !condition.isEmpty { text += " WHERE \(condition)" }
        return text + ";"
    }

    /// The paginator for the next page, or nil when this page was the last.
    ///
    /// - Parameter received: rows in the page just read.
    public func next(received: Int) -> VTQLPaginator? {
        guard received > 0 else { return nil }
        var next = self
        next.offset = offset + pageSize
        if let total, next.offset >= total { return nil }
        return next
    }

    /// A VTQL string literal: single-quoted, with `'` doubled and `\` escaped.
    public static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}

/// The `sync` operation (MyCRM): changes since `modifiedTime` (unix seconds), at most 100 per
/// call, with `more` and `lastModifiedTime` to continue.
public struct SyncPaginator: Sendable, Hashable, Codable {
    /// The module (`Leads`, `Contacts`).
    public var module: String
    /// The time to read changes after (unix seconds; 0 for everything).
    public var modifiedTime: Int64

    /// Starts at `modifiedTime`.
    public init(module: String, modifiedTime: Int64 = 0) {
        self.module = module
        self.modifiedTime = max(0, modifiedTime)
    }

    /// The outcome of one sync answer.
    public enum Step: Sendable, Hashable {
        /// Ask again from the returned paginator.
        case more(SyncPaginator)
        /// Caught up; resume the next incremental read from the returned paginator.
        case done(resumeFrom: SyncPaginator)
    }

    /// Where to continue after an answer.
    ///
    /// - Parameters:
    ///   - more: the answer's `more` flag.
    ///   - lastModifiedTime: the answer's `lastModifiedTime`.
    /// - Throws: ``ConnectorError`` `.invalidResponse` when the vendor says there is more but
    ///   the time did not advance (following it would loop forever).
    public func next(more: Bool, lastModifiedTime: Int64, vendor: VendorID) throws -> Step {
        let advanced = SyncPaginator(module: module, modifiedTime: max(modifiedTime, lastModifiedTime))
        guard more else { return .done(resumeFrom: advanced) }
        guard lastModifiedTime > modifiedTime else {
            throw ConnectorError(
                .invalidResponse, vendor: vendor,
                message: "sync of \(module) reported more changes but lastModifiedTime did not advance past \(modifiedTime)")
        }
        return .more(advanced)
    }
}

/// Timestamp-based incremental reads with offset pages (Apimo `timestamp`): a pass reads the
/// records changed since `since` page by page, tracking the newest change time the vendor
/// reports; when the pass ends, the next pass starts from that time.
public struct TimestampIncrementalPaginator: Sendable, Hashable, Codable {
    /// Changes since this unix time (nil: everything).
    public var since: Int64?
    /// The page within this pass.
    public var page: OffsetPaginator
    /// The newest change time seen in this pass so far.
    public var newest: Int64?

    /// Starts a pass.
    public init(since: Int64?, limit: Int) {
        self.since = since
        self.page = OffsetPaginator(limit: limit)
        self.newest = nil
    }

    /// The query items for the current page (`timestamp` only when `since` is set).
    public func queryItems(timestampName: String = "timestamp") -> [URLQueryItem] {
        var items = page.queryItems()
        if let since { items.append(URLQueryItem(name: timestampName, value: String(since))) }
        return items
    }

    /// The outcome of one page.
    public enum Step: Sendable, Hashable {
        /// Read the next page of this pass.
        case more(TimestampIncrementalPaginator)
        /// The pass is complete; the next incremental pass starts from the returned paginator.
        case done(nextPass: TimestampIncrementalPaginator)
    }

    /// Where to continue after a page.
    ///
    /// - Parameters:
    ///   - received: records in the page.
    ///   - total: the unpaginated total, when sent.
    ///   - timestamp: the newest change time the vendor reports for the page (its `timestamp`
    ///     field, or the newest `updated_at` among the records).
    public func next(received: Int, total: Int?, timestamp: Int64?) -> Step {
        var state = self
        if let timestamp { state.newest = max(newest ?? timestamp, timestamp) }
        if let nextPage = page.next(received: received, total: total) {
            state.page = nextPage
            return .more(state)
        }
        let resume = state.newest ?? since
        return .done(nextPass: TimestampIncrementalPaginator(since: resume, limit: page.limit))
    }
}
