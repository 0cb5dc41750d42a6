public import ODataQuery
public import RealtyModel

/// A record query of the OData surface (`/odata`), parsed and checked by ``ODataQuery``: every
/// property it names is a known column of the resource (or, through navigation, of another),
/// every literal is typed. A store compiles it to one parameterised statement; nothing of it is
/// spliced into SQL but the model's own column names.
///
/// Records marked deleted are never matched, listed, counted or followed through navigation:
/// OData shows what is live (deletions reach a replica through `EntityEvent`).
public struct ODataRecordQuery: Hashable, Sendable {
    /// The `$filter`, when given.
    public var filter: CheckedFilter?
    /// The sort keys, in order. The store always breaks ties by the hub key, ascending, so pages
    /// are stable; without keys the order is the hub key alone.
    public var orderBy: [ODataOrderKey]
    /// The field and metadata names to read (the key is always read); `nil` reads every column
    /// but the vendor payload (`raw`, never read).
    public var fields: [String]?
    /// How many records to return, 0...``ODataQueryLimits/maximumLimit``.
    public var limit: Int
    /// How many matching records to pass over first, 0...``ODataQueryOptions/maximumSkip``.
    public var offset: Int
    /// Whether to count every match (ignoring `limit` and `offset`): ``ODataRecordPage/total``.
    public var countTotal: Bool

    /// Creates a query.
    public init(
        filter: CheckedFilter? = nil, orderBy: [ODataOrderKey] = [], fields: [String]? = nil, limit: Int, offset: Int = 0,
        countTotal: Bool = false
    ) {
        self.filter = filter
        self.orderBy = orderBy
        self.fields = fields
        self.limit = limit
        self.offset = offset
        self.countTotal = countTotal
    }
}

/// The records an ``ODataRecordQuery`` selects.
public struct ODataRecordPage<R: HubRecord>: Sendable {
    /// The records, in the query's order; fields not read are `nil`.
    public var records: [R]
    /// Every match, when the query asked for the count.
    public var total: Int?

    /// Creates a page.
    public init(records: [R], total: Int?) {
        self.records = records
        self.total = total
    }
}

/// The bounds the stores hold OData queries to.
public enum ODataQueryLimits {
    /// The most records one query returns (a page of `/odata`, or one expansion's batch).
    public static let maximumLimit = 1_000

    /// The most records of a resource (live or deleted, of the tenant) a query may scan when no
    /// index serves its filter and order. A query over more is refused with
    /// ``StoreError/Code/queryTooLarge``: its filter must then name an indexed field (see
    /// ``ODataIndexedColumns``) in a way an index serves (`eq`, `in` or a range; not `ne` and
    /// not a string function).
    public static let unindexedRowLimit = 20_000
}

/// A store that answers ``ODataRecordQuery``s.
public protocol ODataRecordStore: Sendable {
    /// The live records of `tenant` that `query` selects, with the total when asked.
    ///
    /// - Throws: ``StoreError`` `.invalidQuery` for a limit or offset out of range or a property
    ///   the resource lacks; `.queryTooLarge` when neither the filter nor the order is served by
    ///   an index and the tenant holds more than ``ODataQueryLimits/unindexedRowLimit`` records
    ///   of the resource.
    func odataRecords<R: HubRecord>(_ type: R.Type, tenant: String, query: ODataRecordQuery) async throws -> ODataRecordPage<R>
}

extension ODataRecordQuery {
    /// The columns to read for `R`, as a ``ListPlan`` (its metadata columns then its fields),
    /// after checking the limit and offset.
    /// - Throws: ``StoreError`` `.invalidQuery` for a limit or offset out of range, or a name
    ///   that is not a column of `R` (or is `raw`).
    public func readPlan<R: HubRecord>(_ type: R.Type) throws -> ListPlan<R> {
        guard (0...ODataQueryLimits.maximumLimit).contains(limit) else {
            throw StoreError.invalidQuery("limit must be between 0 and \(ODataQueryLimits.maximumLimit), got \(limit)")
        }
        guard (0...ODataQueryOptions.maximumSkip).contains(offset) else {
            throw StoreError.invalidQuery("offset must be between 0 and \(ODataQueryOptions.maximumSkip), got \(offset)")
        }
        guard let fields else { return try ListPlan<R>.unsealedColumns(R.self) }
        if fields.contains(MetadataFieldNames.raw) { throw StoreError.invalidQuery("the vendor payload (raw) is not an OData property") }
        return try ListPlan<R>(ListQuery(perPage: 1, fields: fields.isEmpty ? [MetadataFieldNames(R.resource).key] : fields))
    }

    /// Whether the store must check the resource's size first: neither the filter nor (without
    /// a filter) the order is served by an index (see ``ODataIndexedColumns``).
    public func needsRowLimit(_ resource: ResourceName) -> Bool {
        if let filter { return !ODataIndexedColumns.serves(filter, resource: resource) }
        return !ODataIndexedColumns.serves(order: orderBy, resource: resource)
    }

    /// The refusal of a query over `stored` records that no index serves.
    public static func tooLarge(_ resource: ResourceName, stored: Int) -> StoreError {
        let indexed = ODataIndexedColumns.columns(of: resource).sorted().joined(separator: ", ")
        return StoreError.queryTooLarge(
            "no index serves this query and \(resource.rawValue) holds \(stored) records (more than \(ODataQueryLimits.unindexedRowLimit) are not scanned): filter with eq, in or a range on one of \(indexed)"
        )
    }
}
