import Foundation
import GRDB
public import HubStore
import ODataQuery
public import RealtyModel

/// SQLite's side of ``ODataSQL``: numbered `?NNN` placeholders (a value used twice is bound
/// once), booleans as 0/1, date-times as the hub's text form, which sorts as it compares.
struct SQLiteODataDialect: ODataSQLDialect {
    func placeholder(_ number: Int, for value: ODataSQLValue) -> String { "?\(number)" }
    var falseLiteral: String { "0" }
    func isDistinct(_ a: String, _ b: String) -> String { "\(a) IS NOT \(b)" }
    func isNotDistinct(_ a: String, _ b: String) -> String { "\(a) IS \(b)" }
    func lower(_ a: String) -> String { "lower(\(a))" }
    func upper(_ a: String) -> String { "upper(\(a))" }
    func contains(_ a: String, _ b: String) -> String { "instr(\(a), \(b)) > 0" }
    func startsWith(_ a: String, _ b: String) -> String { "substr(\(a), 1, length(\(b))) = \(b)" }
    // substr(a, -0) would be all of `a`: an empty suffix ends every string (but not null).
    func endsWith(_ a: String, _ b: String) -> String {
        "CASE WHEN length(\(b)) = 0 THEN \(a) IS NOT NULL ELSE substr(\(a), -length(\(b))) = \(b) END"
    }
    func listElements(_ list: String, alias: String) -> (from: String, element: String) {
        ("json_each(\(list)) AS \(alias)", "\(alias).value")
    }
    // `+` keeps DeletedYN out of index choice: without statistics SQLite would take the list
    // index (tenant, DeletedYN, …) over a filtered field's (tenant, field) as just as narrow.
    func isLive(_ alias: String) -> String { "+\(alias).\"DeletedYN\" = 0" }
    // Columns are BINARY: byte order already.
    func textOrdering(_ a: String) -> String { a }
    func searchExpression(_ kind: RecordSearchFields.Kind, _ operand: String) -> String {
        kind == .phone ? SQLiteSearchSQL.digits(operand) : SQLiteSearchSQL.folded(operand)
    }

    static func databaseValue(_ value: ODataSQLValue) -> DatabaseValue {
        switch value {
        case .text(let text): return text.databaseValue
        case .integer(let number): return number.databaseValue
        case .real(let number): return number.databaseValue
        case .boolean(let flag): return (flag ? 1 : 0 as Int64).databaseValue
        case .timestamp(let date): return Timestamp.format(date).databaseValue
        case .date(let text): return text.databaseValue
        }
    }
}

/// The statements of one OData query: its page and, when asked, its count.
struct ODataStatements<R: HubRecord> {
    let plan: ListPlan<R>
    let pageSQL: String
    let pageArguments: [DatabaseValue]
    let countSQL: String
    let countArguments: [DatabaseValue]

    init(_ query: ODataRecordQuery, tenant: String) throws {
        plan = try query.readPlan(R.self)
        let statements = try ODataSQL.statements(
            R.self, query, tenant: tenant, dialect: SQLiteODataDialect(), selectList: PageSQL.selectList(plan))
        countSQL = statements.count
        countArguments = statements.countValues.map(SQLiteODataDialect.databaseValue)
        pageSQL = statements.page
        pageArguments = statements.pageValues.map(SQLiteODataDialect.databaseValue)
    }
}

extension SQLiteHubStore: ODataRecordStore {
    public func odataRecords<R: HubRecord>(_ type: R.Type, tenant: String, query: ODataRecordQuery) async throws -> ODataRecordPage<R> {
        let statements = try ODataStatements<R>(query, tenant: tenant)
        let needsRowLimit = query.needsRowLimit(R.resource)
        return try await read { db in
            if needsRowLimit {
                let stored = try Self.storedCount(R.resource, tenant: tenant, db)
                if stored > ODataQueryLimits.unindexedRowLimit { throw ODataRecordQuery.tooLarge(R.resource, stored: stored) }
            }
            var total: Int?
            if query.countTotal {
                if query.filter == nil {
                    total =
                        try Int.fetchOne(
                            db.cachedStatement(sql: "SELECT sum(live) FROM record_counts WHERE tenant_id = ? AND resource = ?"),
                            arguments: [tenant, R.resource.rawValue]) ?? 0
                } else {
                    total =
                        try Int.fetchOne(
                            db.makeStatement(sql: statements.countSQL), arguments: StatementArguments(statements.countArguments)) ?? 0
                }
            }
            var records: [R] = []
            if query.limit > 0 {
                let rows = try Row.fetchAll(
                    db.makeStatement(sql: statements.pageSQL), arguments: StatementArguments(statements.pageArguments))
                records = try rows.map { try Self.decode($0, plan: statements.plan) as R }
            }
            return ODataRecordPage(records: records, total: total)
        }
    }

    /// Every record of `resource` the tenant holds, deleted or not (the maintained count).
    static func storedCount(_ resource: ResourceName, tenant: String, _ db: Database) throws -> Int {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT sum(stored) FROM record_counts WHERE tenant_id = ? AND resource = ?"),
            arguments: [tenant, resource.rawValue]) ?? 0
    }

    /// The query plan SQLite chooses for an OData query's page (for tests).
    func explainOData<R: HubRecord>(_ type: R.Type, tenant: String, query: ODataRecordQuery) async throws -> [String] {
        let statements = try ODataStatements<R>(query, tenant: tenant)
        return try await read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statements.pageSQL, arguments: StatementArguments(statements.pageArguments))
                .map { $0["detail"] as String? ?? "" }
        }
    }
}
