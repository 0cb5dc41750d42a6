import Foundation
import GRDB
public import HubStore
public import RealtyModel

/// The SQLite expressions the search indexes are built on (migration `2026-12-05-5-record-search`)
/// and its queries compare with: the same text in both, or SQLite would not use the index.
enum SQLiteSearchSQL {
    /// The case-folded form of an email or name: SQLite's `lower`, which folds ASCII letters only
    /// (without ICU); the searched text goes through the same function, so both sides agree.
    static func folded(_ operand: String) -> String { "lower(\(operand))" }

    /// A phone stripped of ``RecordSearchPlan/phoneSeparators``: nested `replace`, as SQLite has
    /// no regular expressions and an index may only use built-in deterministic functions.
    static func digits(_ operand: String) -> String {
        RecordSearchPlan<Contact>.phoneSeparators.reduce(operand) { inner, separator in "replace(\(inner), '\(separator)', '')" }
    }

    /// The indexed expression of `column` for `kind`.
    static func expression(_ kind: RecordSearchFields.Kind, column: String) -> String {
        switch kind {
        case .email, .name: return folded("\"\(column)\"")
        case .phone: return digits("\"\(column)\"")
        }
    }

    /// The migration's statements: one partial index per searched field (rows without the
    /// field cost no index write), and Contacts' plain `Email` and
    /// `MobilePhone` indexes replaced by their folded ones (see ``RecordSearchFields/foldedFilters(_:)``).
    static var migration: [String] {
        var statements: [String] = []
        for resource in ResourceName.allCases {
            let table = "\"\(resource.rawValue)\""
            for (kind, column) in RecordSearchFields.searchedColumns(resource) {
                statements.append(
                    """
                    CREATE INDEX "\(resource.rawValue)_search_\(column)" ON \(table)
                        (tenant_id, \(expression(kind, column: column))) WHERE "\(column)" IS NOT NULL
                    """)
            }
            for column in RecordSearchFields.foldedFilters(resource).keys.sorted() {
                statements.append("DROP INDEX \"\(resource.rawValue)_\(column)\"")
            }
        }
        return statements
    }
}

/// The statements of one search, with their arguments: its exact count and page (each match
/// found through its field's index, then sorted), and for a broad search the probes that find
/// it broad and the page that walks the newest records instead (see
/// ``RecordSearchQuery/exactTotalLimit``).
struct SearchSQL {
    let countSQL: String
    let countArguments: [DatabaseValue]
    let pageSQL: String
    let pageArguments: [DatabaseValue]
    /// The index entries the fields' subqueries find, each counted up to the limit + 1 (index only).
    let probeSQL: String
    let probeArguments: [DatabaseValue]
    /// The distinct records among the first limit + 1 entries of each field's subquery that
    /// the search keeps (live unless deleted ones are asked for).
    let cappedCountSQL: String
    let cappedCountArguments: [DatabaseValue]
    /// A page of the resource's records newest first that match, tested row by row: through
    /// the list index for live records, so matches found early end the walk.
    let walkSQL: String
    let walkArguments: [DatabaseValue]

    init<R: HubRecord>(_ plan: RecordSearchPlan<R>, tenant: String) {
        let table = ResourceColumns<R>()
        var with = ""
        var withArguments: [DatabaseValue] = []
        // One subquery per field, each served by its index; their row ids are looked up in the
        // table (the outer terms carry `+` so SQLite cannot pick the list index and filter).
        var subqueries: [String] = []
        var arguments: [DatabaseValue] = []
        // The same matches as conditions on a row, for the walk.
        var rowConditions: [String] = []
        var rowArguments: [DatabaseValue] = []
        let select = "SELECT rowid FROM \(table.table) WHERE"
        // `INDEXED BY` the field's search index: without statistics SQLite would rather read a
        // plain `(tenant_id, field)` index whole (it covers `lower(field)` too).
        func searchIndex(_ column: String) -> String {
            "SELECT rowid FROM \(table.table) INDEXED BY \"\(R.resource.rawValue)_search_\(column)\" WHERE"
        }
        switch plan.match {
        case .email(let address):
            for column in plan.fields {
                let folded = SQLiteSearchSQL.expression(.email, column: column)
                subqueries.append("\(searchIndex(column)) tenant_id = ? AND \(folded) = lower(?) AND \"\(column)\" IS NOT NULL")
                arguments += [tenant.databaseValue, address.databaseValue]
                rowConditions.append("\(folded) = lower(?)")
                rowArguments.append(address.databaseValue)
            }
        case .phone(let candidates):
            for column in plan.fields {
                let digits = SQLiteSearchSQL.expression(.phone, column: column)
                let list = Array(repeating: "?", count: candidates.count).joined(separator: ", ")
                subqueries.append("\(searchIndex(column)) tenant_id = ? AND \(digits) IN (\(list)) AND \"\(column)\" IS NOT NULL")
                arguments += [tenant.databaseValue] + candidates.map(\.databaseValue)
                rowConditions.append("\(digits) IN (\(list))")
                rowArguments += candidates.map(\.databaseValue)
            }
        case .namePrefix(let prefix):
            for column in plan.fields {
                let folded = SQLiteSearchSQL.expression(.name, column: column)
                subqueries.append(
                    "\(searchIndex(column)) tenant_id = ? AND \(folded) >= lower(?) AND \(folded) < lower(?) || ? AND \"\(column)\" IS NOT NULL"
                )
                arguments += [
                    tenant.databaseValue, prefix.databaseValue, prefix.databaseValue, String(RecordSearchPlan<R>.rangeEnd).databaseValue,
                ]
                rowConditions.append("(\(folded) >= lower(?) AND \(folded) < lower(?) || ?)")
                rowArguments += [prefix.databaseValue, prefix.databaseValue, String(RecordSearchPlan<R>.rangeEnd).databaseValue]
            }
        case .referencePrefix(let prefix):
            // Hub keys are lowercase: the prefix is lowercased for them. The primary key index
            // is over every tenant; the outer query keeps the tenant's.
            let key = prefix.lowercased()
            subqueries.append("\(select) \(table.keyColumn) >= ? AND \(table.keyColumn) < ?")
            arguments += [key.databaseValue, RecordSearchPlan<R>.rangeEnd(of: key).databaseValue]
            rowConditions.append("(\(table.keyColumn) >= ? AND \(table.keyColumn) < ?)")
            rowArguments += [key.databaseValue, RecordSearchPlan<R>.rangeEnd(of: key).databaseValue]
            for column in [table.sourceKeyColumn] + plan.fields.map({ "\"\($0)\"" }) {
                rowConditions.append("(\(column) >= ? AND \(column) < ?)")
                rowArguments += [prefix.databaseValue, RecordSearchPlan<R>.rangeEnd(of: prefix).databaseValue]
            }
            // Vendor keys through the unique (tenant_id, ConnectionId, source key) index, one
            // range per connection; the tenant's connections read from that index too, one
            // step per connection (connections since removed keep their records).
            with = """
                WITH RECURSIVE conns(id) AS (
                    SELECT (SELECT min("ConnectionId") FROM \(table.table) WHERE tenant_id = ?)
                    UNION ALL
                    SELECT (SELECT min("ConnectionId") FROM \(table.table) WHERE tenant_id = ? AND "ConnectionId" > conns.id)
                    FROM conns WHERE conns.id IS NOT NULL
                )

                """
            withArguments = [tenant.databaseValue, tenant.databaseValue]
            subqueries.append(
                """
                \(select) tenant_id = ? AND "ConnectionId" IN (SELECT id FROM conns WHERE id IS NOT NULL)
                AND \(table.sourceKeyColumn) >= ? AND \(table.sourceKeyColumn) < ?
                """)
            arguments += [tenant.databaseValue, prefix.databaseValue, RecordSearchPlan<R>.rangeEnd(of: prefix).databaseValue]
            for column in plan.fields {
                subqueries.append("\(select) tenant_id = ? AND \"\(column)\" >= ? AND \"\(column)\" < ?")
                arguments += [tenant.databaseValue, prefix.databaseValue, RecordSearchPlan<R>.rangeEnd(of: prefix).databaseValue]
            }
        }
        var conditions = "+tenant_id = ?"
        if !plan.includeDeleted { conditions += " AND +\"DeletedYN\" = 0" }
        conditions += " AND rowid IN (\(subqueries.joined(separator: " UNION ALL ")))"
        let filterArguments = withArguments + [tenant.databaseValue] + arguments
        countSQL = "\(with)SELECT COUNT(*) FROM \(table.table) WHERE \(conditions)"
        countArguments = filterArguments
        pageSQL = """
            \(with)SELECT \(PageSQL.selectList(plan.read)) FROM \(table.table) WHERE \(conditions)
            ORDER BY "ModificationTimestamp" DESC, \(table.keyColumn) DESC LIMIT ? OFFSET ?
            """
        pageArguments = filterArguments + [plan.limit.databaseValue, plan.offset.databaseValue]

        let cap = RecordSearchQuery.exactTotalLimit + 1
        probeSQL =
            "\(with)SELECT sum(n) FROM ("
            + subqueries.map { "SELECT COUNT(*) AS n FROM (\($0) LIMIT \(cap))" }.joined(separator: " UNION ALL ") + ")"
        probeArguments = withArguments + arguments
        var capped = "+tenant_id = ?"
        if !plan.includeDeleted { capped += " AND +\"DeletedYN\" = 0" }
        cappedCountSQL = """
            \(with)SELECT COUNT(*) FROM \(table.table) WHERE \(capped) AND rowid IN (
            \(subqueries.map { "SELECT * FROM (\($0) LIMIT \(cap))" }.joined(separator: " UNION ALL ")))
            """
        cappedCountArguments = withArguments + [tenant.databaseValue] + arguments
        // Live records newest first are the list index's order; with deleted ones too, the
        // modification index's (ties sorted within one timestamp).
        let source =
            plan.includeDeleted
            ? "\(table.table) WHERE tenant_id = ?"
            : "\(table.table) INDEXED BY \"\(R.resource.rawValue)_list\" WHERE tenant_id = ? AND \"DeletedYN\" = 0"
        walkSQL = """
            SELECT \(PageSQL.selectList(plan.read)) FROM \(source) AND (\(rowConditions.joined(separator: " OR ")))
            ORDER BY "ModificationTimestamp" DESC, \(table.keyColumn) DESC LIMIT ? OFFSET ?
            """
        walkArguments = [tenant.databaseValue] + rowArguments + [plan.limit.databaseValue, plan.offset.databaseValue]
    }
}

extension SQLiteHubStore {
    public func search<R: HubRecord>(_ type: R.Type, tenant: String, query: RecordSearchQuery) async throws -> RecordPage<R> {
        let plan = try RecordSearchPlan<R>(query)
        let sql = SearchSQL(plan, tenant: tenant)
        return try await read { db in
            func fetchCount(_ sql: String, _ arguments: [DatabaseValue]) throws -> Int {
                try Int.fetchOne(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)) ?? 0
            }
            func fetchRecords(_ sql: String, _ arguments: [DatabaseValue]) throws -> [R] {
                try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)).map {
                    try Self.decode($0, plan: plan.read) as R
                }
            }
            // The fields' indexes holding more entries than the limit may make the search broad;
            // it is when more records than the limit are kept among those first entries.
            let limit = RecordSearchQuery.exactTotalLimit
            if try fetchCount(sql.probeSQL, sql.probeArguments) > limit,
                try fetchCount(sql.cappedCountSQL, sql.cappedCountArguments) > limit
            {
                return RecordPage(
                    records: try fetchRecords(sql.walkSQL, sql.walkArguments), total: limit + 1, page: query.page,
                    perPage: query.perPage, fields: nil, totalIsLowerBound: true)
            }
            let total = try fetchCount(sql.countSQL, sql.countArguments)
            return RecordPage(
                records: try fetchRecords(sql.pageSQL, sql.pageArguments), total: total, page: query.page, perPage: query.perPage,
                fields: nil)
        }
    }

    public func recordEvents(tenant: String, resource: ResourceName, key: String, limit: Int) async throws -> [EntityEvent] {
        try Self.checkEventLimit(limit)
        return try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: Self.recordEventsSQL(resource)), arguments: [key, tenant, limit]
            ).compactMap(Self.recordEvent(from:))
        }
    }

    /// A record's events, newest first: the chain from the record's `last_event_sequence`
    /// through each event's `previous_sequence`, one primary-key read per event.
    static let recordEventsSQL = """
        WITH RECURSIVE chain(sequence, depth) AS (
            SELECT last_event_sequence, 1 FROM "%TABLE%" WHERE "%KEY%" = ? AND tenant_id = ? AND last_event_sequence IS NOT NULL
            UNION ALL
            SELECT e.previous_sequence, chain.depth + 1 FROM chain JOIN entity_events AS e ON e.sequence = chain.sequence
            WHERE e.previous_sequence IS NOT NULL AND chain.depth < ?
        )
        SELECT e.sequence, e.resource, e.record_key, e.change, e.connection_id, e.timestamp
        FROM chain JOIN entity_events AS e ON e.sequence = chain.sequence ORDER BY e.sequence DESC
        """

    /// ``recordEventsSQL`` for `resource`'s table.
    static func recordEventsSQL(_ resource: ResourceName) -> String {
        recordEventsSQL.replacingOccurrences(of: "%TABLE%", with: resource.rawValue).replacingOccurrences(
            of: "%KEY%", with: resource.keyField)
    }

    /// SQLite's plan (`EXPLAIN QUERY PLAN` details) of a search's count and page, for tests
    /// that check every search is served by an index.
    func explainSearch<R: HubRecord>(_ type: R.Type, tenant: String, query: RecordSearchQuery) async throws -> [String] {
        let sql = SearchSQL(try RecordSearchPlan<R>(query), tenant: tenant)
        return try await read { db in
            try [(sql.countSQL, sql.countArguments), (sql.pageSQL, sql.pageArguments)].flatMap { statement, arguments in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement, arguments: StatementArguments(arguments)).map {
                    $0["detail"] as String
                }
            }
        }
    }

    /// SQLite's plan of ``recordEvents(tenant:resource:key:limit:)``.
    func explainRecordEvents() async throws -> [String] {
        try await read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Self.recordEventsSQL(.contacts), arguments: ["k", "t", 10]).map {
                $0["detail"] as String
            }
        }
    }
}
