public import Foundation
public import RealtyModel

/// A ``ListQuery`` checked against a resource's fields: every name it uses is a known column,
/// every value is typed, so an implementation only binds values and never splices input.
public struct ListPlan<R: HubRecord>: Sendable {
    /// Equality filters, column name → typed value.
    public let filters: [(column: String, value: FieldValue)]
    public let modifiedSince: Date?
    public let sortColumn: String
    /// Whether the sort column is never null (the timestamps the hub stamps, the hub key): the
    /// order then needs no "nulls last" term and can tie-break in the same direction, so an
    /// index on (tenant, DeletedYN, column, key) serves the page without sorting.
    public var sortsOnNeverNullColumn: Bool {
        [MetadataFieldNames.modificationTimestamp, MetadataFieldNames.originalEntryTimestamp, MetadataFieldNames(R.resource).key]
            .contains(sortColumn)
    }
    public let sortOrder: SortOrder
    public let limit: Int
    public let offset: Int
    /// The canonical fields to read; all of them when the query has no projection.
    public let fields: [Field<R>]
    /// The metadata columns to read.
    public let metadataColumns: [String]
    /// The projection as asked, for echoing back.
    public let projection: [String]?
    public let includeDeleted: Bool

    /// Validates `query` for `R`.
    /// - Throws: ``StoreError/invalidQuery(_:)`` naming the parameter and the allowed values.
    public init(_ query: ListQuery) throws {
        let names = MetadataFieldNames(R.resource)
        let metadataFilterable: [String: FieldType] = [
            names.key: .string, names.sourceKey: .string,
            MetadataFieldNames.sourceSystemName: .string, MetadataFieldNames.connectionID: .string,
        ]
        var filters: [(column: String, value: FieldValue)] = []
        for (name, text) in query.filters.sorted(by: { $0.key < $1.key }) {
            let type: FieldType
            if let metadataType = metadataFilterable[name] {
                type = metadataType
            } else if let field = R.field(named: name), field.isIndexed {
                type = field.type
            } else {
                let allowed = (Array(metadataFilterable.keys) + R.fields.filter(\.isIndexed).map(\.name)).sorted()
                throw StoreError.invalidQuery(
                    "cannot filter \(R.resource.rawValue) on \"\(name)\"; filterable fields: \(allowed.joined(separator: ", "))")
            }
            guard let value = Self.parse(text, as: type) else {
                throw StoreError.invalidQuery("filter \(name) must be \(type.article), got \"\(text)\"")
            }
            filters.append((name, value))
        }
        self.filters = filters
        modifiedSince = query.modifiedSince

        let sortable = Set([
            names.key, MetadataFieldNames.modificationTimestamp, MetadataFieldNames.originalEntryTimestamp,
            MetadataFieldNames.sourceModificationTimestamp, names.sourceKey,
        ])
        .union(R.fields.filter { $0.type != .stringList }.map(\.name))
        let sort = query.sort ?? MetadataFieldNames.modificationTimestamp
        guard sortable.contains(sort) else {
            throw StoreError.invalidQuery(
                "cannot sort \(R.resource.rawValue) on \"\(sort)\"; sortable fields: \(sortable.sorted().joined(separator: ", "))")
        }
        sortColumn = sort
        sortOrder = query.sortOrder

        guard query.page >= 1 else { throw StoreError.invalidQuery("page must be 1 or more, got \(query.page)") }
        guard (1...ListQuery.maximumPerPage).contains(query.perPage) else {
            throw StoreError.invalidQuery("per_page must be between 1 and \(ListQuery.maximumPerPage), got \(query.perPage)")
        }
        limit = query.perPage
        let (product, overflow) = (query.page - 1).multipliedReportingOverflow(by: query.perPage)
        guard !overflow, product < Int(Int32.max) else { throw StoreError.invalidQuery("page \(query.page) is out of range") }
        offset = product
        includeDeleted = query.includeDeleted

        let allMetadata = names.all
        if let projection = query.fields, !projection.isEmpty {
            let projectable = R.projectableNames
            if let unknown = projection.first(where: { !projectable.contains($0) }) {
                throw StoreError.invalidQuery(
                    "unknown field \"\(unknown)\" for \(R.resource.rawValue); fields: \(projectable.sorted().joined(separator: ", "))")
            }
            let wanted = Set(projection)
            fields = R.fields.filter { wanted.contains($0.name) }
            metadataColumns = allMetadata.filter { $0 == names.key || wanted.contains($0) }
            self.projection = projection
        } else {
            fields = R.fields
            metadataColumns = allMetadata
            self.projection = nil
        }
    }

    /// Converts filter text to a typed value.
    static func parse(_ text: String, as type: FieldType) -> FieldValue? {
        switch type {
        case .string: return .string(text)
        case .integer: return Int64(text).map(FieldValue.integer)
        case .decimal: return Double(text).flatMap { $0.isFinite ? FieldValue.decimal($0) : nil }
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes", "y": return .boolean(true)
            case "false", "0", "no", "n": return .boolean(false)
            default: return nil
            }
        case .timestamp: return Timestamp.parse(text).map(FieldValue.timestamp)
        case .date: return CalendarDate.isValid(text) ? .date(text) : nil
        case .stringList: return nil
        }
    }
}

extension ListPlan {
    /// The plan reading one record, deleted or not, with every column but the vendor's `raw`
    /// payload: one select list per resource, so its statement can be kept prepared.
    public static func unsealedColumns(_ type: R.Type) throws -> ListPlan<R> {
        let names = MetadataFieldNames(R.resource).all.filter { $0 != MetadataFieldNames.raw } + R.fields.map(\.name)
        return try ListPlan(ListQuery(perPage: 1, fields: names, includeDeleted: true))
    }
}

/// One column of a stored row as the database holds it, borrowed while the row is visited.
public enum StoredCell {
    case null
    case integer(Int64)
    case real(Double)
    /// The stored bytes (meant to be UTF-8, not checked); valid only until the cursor moves.
    case text(UnsafeRawBufferPointer)
    case blob
}

/// The rows of a query, read cell by cell without building values or records.
public protocol StoredRows: AnyObject {
    /// Moves to the next row; false after the last one.
    func next() throws -> Bool
    /// Column `index` of the current row.
    func cell(_ index: Int) -> StoredCell
}

/// A store that hands the rows behind ``HubStorage/list(_:tenant:query:)`` and
/// ``HubStorage/record(_:tenant:key:)`` straight to a reader, so the API can write JSON from
/// the stored values without decoding records. The columns are those of the query's
/// ``ListPlan``: its metadata columns, then its fields.
public protocol RowStreamingStore: HubStorage {
    /// Runs `visit` once over the page `query` selects, with the plan, the total of matching
    /// records (what ``RecordPage/total`` holds) and the page's rows, in order.
    func listRows<R: HubRecord, Output: Sendable>(
        _ type: R.Type, tenant: String, query: ListQuery,
        _ visit: @escaping @Sendable (ListPlan<R>, Int, any StoredRows) throws -> Output
    ) async throws -> Output

    /// Runs `visit` over the record `key` (deleted or not), read with every column but `raw`
    /// (the columns of ``ListPlan/unsealedColumns(_:)``): no row when there is no such record.
    func recordRows<R: HubRecord, Output: Sendable>(
        _ type: R.Type, tenant: String, key: String,
        _ visit: @escaping @Sendable (ListPlan<R>, any StoredRows) throws -> Output
    ) async throws -> Output
}
