import Foundation
import GRDB
import GRDBSQLite
public import HubStore
public import RealtyModel
import Synchronization

/// The SQL of one list page, built from a checked ``ListPlan`` (column names are static, every
/// value is bound).
struct PageSQL {
    let countSQL: String
    /// The maintained count a page's total is read from (see
    /// ``SQLiteHubStore/adjustLiveCount(_:tenant:resource:connectionID:by:inserted:)``) when it
    /// lists every record of the tenant, or of one connection (its one filter), live or with
    /// deleted ones too: `live` or `stored`, summed over the connections or of the one.
    let maintainedCount: (column: String, connection: String?)?
    let resource: ResourceName
    let tenant: String
    let pageSQL: String
    /// The filter values, for the count.
    let filterArguments: [DatabaseValue]
    /// The filter values then the limit and offset, for the page.
    let pageArguments: [DatabaseValue]

    init<R: HubRecord>(_ plan: ListPlan<R>, tenant: String) {
        let table = ResourceColumns<R>()
        var conditions = ["tenant_id = ?"]
        var arguments: [DatabaseValue] = [tenant.databaseValue]
        if !plan.includeDeleted { conditions.append("\"DeletedYN\" = 0") }
        let folded = RecordSearchFields.foldedFilters(R.resource)
        for filter in plan.filters {
            if let kind = folded[filter.column] {
                // Served by the folded index that replaced the plain one, then compared exactly.
                let expression = SQLiteSearchSQL.expression(kind, column: filter.column)
                let parameter = kind == .phone ? SQLiteSearchSQL.digits("?") : SQLiteSearchSQL.folded("?")
                conditions.append("\(expression) = \(parameter) AND \"\(filter.column)\" IS NOT NULL")
                arguments.append(filter.value.databaseValue)
            }
            conditions.append("\"\(filter.column)\" = ?")
            arguments.append(filter.value.databaseValue)
        }
        if let since = plan.modifiedSince {
            conditions.append("\"ModificationTimestamp\" >= ?")
            arguments.append(Timestamp.format(since).databaseValue)
        }
        let whereClause = conditions.joined(separator: " AND ")
        let counted = plan.includeDeleted ? "stored" : "live"
        if plan.modifiedSince != nil {
            maintainedCount = nil
        } else if plan.filters.isEmpty {
            maintainedCount = (counted, nil)
        } else if plan.filters.count == 1, plan.filters[0].column == MetadataFieldNames.connectionID,
            case .string(let connection) = plan.filters[0].value
        {
            maintainedCount = (counted, connection)
        } else {
            maintainedCount = nil
        }
        resource = R.resource
        self.tenant = tenant
        countSQL = "SELECT COUNT(*) FROM \(table.table) WHERE \(whereClause)"
        let direction = plan.sortOrder == .ascending ? "ASC" : "DESC"
        let sort = "\"\(plan.sortColumn)\""
        let order =
            plan.sortsOnNeverNullColumn
            ? "\(sort) \(direction), \(table.keyColumn) \(direction)"
            : "(\(sort) IS NULL), \(sort) \(direction), \(table.keyColumn) ASC"
        pageSQL = """
            SELECT \(Self.selectList(plan)) FROM \(table.table) WHERE \(whereClause)
            ORDER BY \(order) LIMIT ? OFFSET ?
            """
        filterArguments = arguments
        pageArguments = arguments + [plan.limit.databaseValue, plan.offset.databaseValue]
    }

    /// The plan's metadata columns then its fields, quoted.
    static func selectList<R: HubRecord>(_ plan: ListPlan<R>) -> String {
        (plan.metadataColumns.map { "\"\($0)\"" } + plan.fields.map { "\"\($0.name)\"" }).joined(separator: ", ")
    }

    /// The statement reading one record by key with the plan's columns.
    static func recordSQL<R: HubRecord>(_ plan: ListPlan<R>) -> String {
        let table = ResourceColumns<R>()
        return "SELECT \(selectList(plan)) FROM \(table.table) WHERE tenant_id = ? AND \(table.keyColumn) = ?"
    }
}

/// The rows of a prepared statement, stepped through the SQLite C API; reset when done, so a
/// cached statement stays GRDB's.
final class StatementRows: StoredRows {
    private let statement: Statement
    private let db: Database
    private var handle: OpaquePointer { statement.sqliteStatement }

    init(_ statement: Statement, arguments: [DatabaseValue], _ db: Database) throws {
        self.statement = statement
        self.db = db
        try statement.setArguments(StatementArguments(arguments))
    }

    func next() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return false }
        guard code == SQLITE_ROW else {
            throw StoreError.storage("SQLite error \(code): \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
        }
        return true
    }

    func cell(_ index: Int) -> StoredCell {
        let column = CInt(index)
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            // The text pointer first, then its length (the order SQLite documents).
            let text = sqlite3_column_text(handle, column)
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(UnsafeRawBufferPointer(start: text, count: text == nil ? 0 : count))
        default: return .blob
        }
    }

    func reset() { sqlite3_reset(handle) }
}

/// The plan and statement of ``SQLiteHubStore/recordRows(_:tenant:key:_:)`` per record type,
/// made once.
enum RecordReadPlans {
    private static let plans = Mutex<[ObjectIdentifier: any Sendable]>([:])

    static func plan<R: HubRecord>(_ type: R.Type) throws -> (ListPlan<R>, String) {
        if let known = plans.withLock({ $0[ObjectIdentifier(R.self)] }) as? (ListPlan<R>, String) { return known }
        let plan = try ListPlan<R>.unsealedColumns(R.self)
        let made = (plan, PageSQL.recordSQL(plan))
        plans.withLock { $0[ObjectIdentifier(R.self)] = made }
        return made
    }
}

// The visitor's errors come back as they were thrown (a `read` would report them as storage
// errors): the API's writer declines a row by throwing.
extension SQLiteHubStore: RowStreamingStore {
    public func listRows<R: HubRecord, Output: Sendable>(
        _ type: R.Type, tenant: String, query: ListQuery,
        _ visit: @escaping @Sendable (ListPlan<R>, Int, any StoredRows) throws -> Output
    ) async throws -> Output {
        let plan = try ListPlan<R>(query)
        let sql = PageSQL(plan, tenant: tenant)
        let counts = self.counts
        let epoch = counts.current
        return try await read { db in
            let total = try Self.total(sql, db, counts: counts, epoch: epoch)
            let rows = try StatementRows(try db.makeStatement(sql: sql.pageSQL), arguments: sql.pageArguments, db)
            defer { rows.reset() }
            return Result { try visit(plan, total, rows) }
        }.get()
    }

    public func recordRows<R: HubRecord, Output: Sendable>(
        _ type: R.Type, tenant: String, key: String,
        _ visit: @escaping @Sendable (ListPlan<R>, any StoredRows) throws -> Output
    ) async throws -> Output {
        let (plan, sql) = try RecordReadPlans.plan(R.self)
        return try await read { db in
            // One statement per resource: kept prepared (preparing costs about as much as the read).
            let rows = try StatementRows(try db.cachedStatement(sql: sql), arguments: [tenant.databaseValue, key.databaseValue], db)
            defer { rows.reset() }
            return Result { try visit(plan, rows) }
        }.get()
    }

    // Page and count statements are prepared per request, not cached: their select lists and
    // conditions follow the query, and a connection's statement cache would grow with every
    // combination asked.

    /// The number of records a page's query matches: the maintained counts when the page
    /// lists every record, or those of one connection (see ``PageSQL/maintainedCount``); else
    /// from the count cache when nothing was written since it was counted (see
    /// ``ListCountCache``), else counted and remembered.
    static func total(_ sql: PageSQL, _ db: Database, counts: ListCountCache, epoch: UInt64) throws -> Int {
        if let (column, connection) = sql.maintainedCount {
            if let connection {
                let statement = try db.cachedStatement(
                    sql: "SELECT \(column) FROM record_counts WHERE tenant_id = ? AND resource = ? AND connection_id = ?")
                return try Int.fetchOne(statement, arguments: [sql.tenant, sql.resource.rawValue, connection]) ?? 0
            }
            let statement = try db.cachedStatement(sql: "SELECT sum(\(column)) FROM record_counts WHERE tenant_id = ? AND resource = ?")
            return try Int.fetchOne(statement, arguments: [sql.tenant, sql.resource.rawValue]) ?? 0
        }
        // Length-prefixed values, so no two argument lists share a key.
        var key = sql.countSQL
        for value in sql.filterArguments {
            let text = "\(value)"
            key += "|\(text.utf8.count):\(text)"
        }
        let version = try ListCountCache.Version(db, epoch: epoch)
        if let cached = counts.count(key, version: version) { return cached }
        let total = try Int.fetchOne(db.makeStatement(sql: sql.countSQL), arguments: StatementArguments(sql.filterArguments)) ?? 0
        counts.store(key, count: total, version: version)
        return total
    }
}
