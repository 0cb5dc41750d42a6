import Foundation
public import HubStore
import ODataQuery
import PostgresNIO
public import RealtyModel

/// PostgreSQL's side of ``ODataSQL``: `$n` placeholders (dates cast from text), text ordered
/// and range-compared under `"C"` (byte-wise, as SQLite), string lists from `jsonb`.
struct PGODataDialect: ODataSQLDialect {
    func placeholder(_ number: Int, for value: ODataSQLValue) -> String {
        if case .date = value { return "$\(number)::date" }
        return "$\(number)"
    }
    var falseLiteral: String { "false" }
    func isDistinct(_ a: String, _ b: String) -> String { "\(a) IS DISTINCT FROM \(b)" }
    func isNotDistinct(_ a: String, _ b: String) -> String { "\(a) IS NOT DISTINCT FROM \(b)" }
    func lower(_ a: String) -> String { "lower(\(a))" }
    func upper(_ a: String) -> String { "upper(\(a))" }
    func contains(_ a: String, _ b: String) -> String { "strpos(\(a), \(b)) > 0" }
    func startsWith(_ a: String, _ b: String) -> String { "starts_with(\(a), \(b))" }
    func endsWith(_ a: String, _ b: String) -> String { "right(\(a), length(\(b))) = \(b)" }
    func listElements(_ list: String, alias: String) -> (from: String, element: String) {
        ("jsonb_array_elements_text(\(list)) AS \(alias)(value)", "\(alias).value")
    }
    func isLive(_ alias: String) -> String { "NOT \(alias).\"DeletedYN\"" }
    func textOrdering(_ a: String) -> String { "\(a) COLLATE \"C\"" }
    func searchExpression(_ kind: RecordSearchFields.Kind, _ operand: String) -> String {
        switch kind {
        case .email: return PGSearchSQL.folded(operand)
        case .phone: return PGSearchSQL.digits(operand)
        case .name: return PGSearchSQL.foldedName(operand)
        }
    }

    static func bind(_ value: ODataSQLValue, into bindings: inout PostgresBindings) {
        switch value {
        case .text(let text): bindings.append(text)
        case .integer(let number): bindings.append(number)
        case .real(let number): bindings.append(number)
        case .boolean(let flag): bindings.append(flag)
        case .timestamp(let date): bindings.append(PGTimestamp(date))
        case .date(let text): bindings.append(text)
        }
    }
}

/// The statements of one OData query: its page and its count.
struct PGODataStatements<R: HubRecord> {
    let plan: ListPlan<R>
    let page: SQLStatement
    let count: SQLStatement

    init(_ query: ODataRecordQuery, tenant: String) throws {
        plan = try query.readPlan(R.self)
        let statements = try ODataSQL.statements(
            R.self, query, tenant: tenant, dialect: PGODataDialect(), selectList: PGResourceTable<R>.selectList(plan))
        var count = SQLStatement(statements.count)
        for value in statements.countValues { PGODataDialect.bind(value, into: &count.bindings) }
        var page = SQLStatement(statements.page)
        for value in statements.pageValues { PGODataDialect.bind(value, into: &page.bindings) }
        self.count = count
        self.page = page
    }
}

extension PostgresHubStore: ODataRecordStore {
    public func odataRecords<R: HubRecord>(_ type: R.Type, tenant: String, query: ODataRecordQuery) async throws -> ODataRecordPage<R> {
        let statements = try PGODataStatements<R>(query, tenant: tenant)
        let needsRowLimit = query.needsRowLimit(R.resource)
        let resource = R.resource.rawValue
        return try await transaction(readOnlySnapshot: true) { db in
            if needsRowLimit {
                let stored =
                    try await self.rows(
                        db,
                        "SELECT COALESCE(sum(stored), 0)::bigint FROM record_counts WHERE tenant_id = \(tenant) AND resource = \(resource)"
                    ).first.map { Int(try $0.decode(Int64.self)) } ?? 0
                if stored > ODataQueryLimits.unindexedRowLimit { throw ODataRecordQuery.tooLarge(R.resource, stored: stored) }
            }
            var total: Int?
            if query.countTotal {
                if query.filter == nil {
                    total =
                        try await self.rows(
                            db,
                            "SELECT COALESCE(sum(live), 0)::bigint FROM record_counts WHERE tenant_id = \(tenant) AND resource = \(resource)"
                        ).first.map { Int(try $0.decode(Int64.self)) } ?? 0
                } else {
                    total = try await self.rows(db, statements.count.query).first.map { Int(try $0.decode(Int64.self)) } ?? 0
                }
            }
            var records: [R] = []
            if query.limit > 0 {
                records = try await self.rows(db, statements.page.query).map { try Self.decode($0, plan: statements.plan) as R }
            }
            return ODataRecordPage(records: records, total: total)
        }
    }

    /// The plan PostgreSQL chooses for an OData query's page, after `ANALYZE` (for tests).
    func explainOData<R: HubRecord>(_ type: R.Type, tenant: String, query: ODataRecordQuery) async throws -> [String] {
        let statements = try PGODataStatements<R>(query, tenant: tenant)
        return try await transaction { db in
            try await db.query("ANALYZE \(unescaped: ResourceColumns<R>().table)", logger: self.logger)
            var explain = SQLStatement("EXPLAIN " + statements.page.text)
            explain.bindings = statements.page.bindings
            return try await self.rows(db, explain.query).map { try $0.decode(String.self) }
        }
    }
}
