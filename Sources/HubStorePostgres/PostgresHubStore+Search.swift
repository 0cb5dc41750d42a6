import Foundation
public import HubStore
import PostgresNIO
public import RealtyModel

/// The PostgreSQL expressions the search indexes are built on (migration
/// `2026-12-05-5-record-search`) and its queries compare with: the same text in both, or the
/// planner would not use the index.
enum PGSearchSQL {
    /// The case-folded form of an email: PostgreSQL's `lower` (Unicode-aware, so it may fold
    /// more than SQLite's ASCII-only `lower`; the searched text goes through the same function).
    static func folded(_ operand: String) -> String { "lower(\(operand))" }

    /// The case-folded form of a name, compared byte-wise (`COLLATE "C"`) whatever the
    /// database's locale, so that `prefix ..< prefix + U+10FFFF` is exactly the prefix's range.
    static func foldedName(_ operand: String) -> String { "(lower(\(operand)) COLLATE \"C\")" }

    /// A phone stripped of ``RecordSearchPlan/phoneSeparators`` (the characters SQLite's
    /// nested `replace` removes).
    static func digits(_ operand: String) -> String {
        "translate(\(operand), '\(RecordSearchPlan<Contact>.phoneSeparators.joined())', '')"
    }

    /// The indexed expression of `column` for `kind`.
    static func expression(_ kind: RecordSearchFields.Kind, column: String) -> String {
        switch kind {
        case .email: return folded("\"\(column)\"")
        case .phone: return digits("\"\(column)\"")
        case .name: return foldedName("\"\(column)\"")
        }
    }

    /// A reference column compared byte-wise.
    static func reference(_ column: String) -> String { "(\(column) COLLATE \"C\")" }

    /// The migration's statements: one partial index per searched field (rows without the
    /// field cost no index write); byte-wise indexes of the hub and vendor keys (and
    /// `ListingId`), as the existing ones follow the database's collation, under which a range
    /// is not a prefix; and Contacts' plain `Email` and `MobilePhone` indexes replaced by their
    /// folded ones (see ``RecordSearchFields/foldedFilters(_:)``).
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
            let references = [resource.keyField, resource.sourceKeyField] + RecordSearchFields.references(resource)
            for column in references {
                statements.append(
                    "CREATE INDEX \"\(resource.rawValue)_search_\(column)\" ON \(table) (tenant_id, \(reference("\"\(column)\"")))")
            }
            for column in RecordSearchFields.foldedFilters(resource).keys.sorted() {
                statements.append("DROP INDEX \"\(resource.rawValue)_\(column)\"")
            }
        }
        return statements
    }

    /// A search's parts (its values bound into `statement`): one subquery per field finding
    /// keys through that field's index, and the same matches as conditions on a row.
    struct Parts {
        var tenant: String
        var subqueries: [String] = []
        var rowConditions: [String] = []
    }

    static func parts<R: HubRecord>(_ plan: RecordSearchPlan<R>, tenant: String, into statement: inout SQLStatement) throws -> Parts {
        let table = ResourceColumns<R>()
        var parts = Parts(tenant: try statement.bind(tenant))
        let select = "SELECT \(table.keyColumn) FROM \(table.table) WHERE tenant_id = \(parts.tenant) AND"
        func add(_ condition: String, column: String) {
            parts.subqueries.append("\(select) \(condition) AND \(column) IS NOT NULL")
            parts.rowConditions.append("(\(condition))")
        }
        switch plan.match {
        case .email(let address):
            let value = try statement.bind(address)
            for column in plan.fields {
                add("\(expression(.email, column: column)) = lower(\(value))", column: "\"\(column)\"")
            }
        case .phone(let candidates):
            let values = try statement.bind(candidates)
            for column in plan.fields {
                add("\(expression(.phone, column: column)) = ANY(\(values)::text[])", column: "\"\(column)\"")
            }
        case .namePrefix(let prefix):
            let value = try statement.bind(prefix)
            let end = try statement.bind(String(RecordSearchPlan<R>.rangeEnd))
            for column in plan.fields {
                let folded = expression(.name, column: column)
                add("\(folded) >= lower(\(value)) AND \(folded) < lower(\(value)) || \(end)", column: "\"\(column)\"")
            }
        case .referencePrefix(let prefix):
            // Hub keys are lowercase: the prefix is lowercased for them.
            let key = prefix.lowercased()
            let keyFrom = try statement.bind(key)
            let keyTo = try statement.bind(RecordSearchPlan<R>.rangeEnd(of: key))
            add("\(reference(table.keyColumn)) >= \(keyFrom) AND \(reference(table.keyColumn)) < \(keyTo)", column: table.keyColumn)
            let from = try statement.bind(prefix)
            let to = try statement.bind(RecordSearchPlan<R>.rangeEnd(of: prefix))
            for column in [table.sourceKeyColumn] + plan.fields.map({ "\"\($0)\"" }) {
                add("\(reference(column)) >= \(from) AND \(reference(column)) < \(to)", column: column)
            }
        }
        return parts
    }

    /// The search's `WHERE` clause: the tenant's records, live unless asked, whose key one of
    /// the per-field subqueries finds through its index (`capped`: among the first limit + 1
    /// keys of each).
    static func conditions<R: HubRecord>(_ plan: RecordSearchPlan<R>, _ parts: Parts, capped: Bool = false) -> String {
        let table = ResourceColumns<R>()
        var conditions = "tenant_id = \(parts.tenant)"
        if !plan.includeDeleted { conditions += " AND NOT \"DeletedYN\"" }
        let limit = RecordSearchQuery.exactTotalLimit + 1
        let subqueries = capped ? parts.subqueries.map { "(\($0) LIMIT \(limit))" } : parts.subqueries
        return conditions + " AND \(table.keyColumn) IN (\(subqueries.joined(separator: " UNION ALL ")))"
    }
}

extension PostgresHubStore {
    public func search<R: HubRecord>(_ type: R.Type, tenant: String, query: RecordSearchQuery) async throws -> RecordPage<R> {
        let plan = try RecordSearchPlan<R>(query)
        let statements = try Self.searchStatements(plan, tenant: tenant)
        return try await transaction(readOnlySnapshot: true) { db in
            func count(_ statement: SQLStatement) async throws -> Int {
                try await self.rows(db, statement.query).first.map { try $0.decode(Int?.self) ?? 0 } ?? 0
            }
            func records(_ statement: SQLStatement) async throws -> [R] {
                try await self.rows(db, statement.query).map { try Self.decode($0, plan: plan.read) as R }
            }
            // The fields' indexes holding more entries than the limit may make the search broad;
            // it is when more records than the limit are kept among those first entries.
            let limit = RecordSearchQuery.exactTotalLimit
            if try await count(statements.probe) > limit, try await count(statements.cappedCount) > limit {
                // The matches are many, so the list index's newest-first walk finds a page
                // early; without statistics on the search expressions the planner would rather
                // gather every match through the search indexes and sort them. Only this read
                // transaction's plan is steered.
                try await db.query("SET LOCAL enable_sort = off", logger: self.logger)
                return RecordPage(
                    records: try await records(statements.walk), total: limit + 1, page: query.page, perPage: query.perPage,
                    fields: nil, totalIsLowerBound: true)
            }
            return RecordPage(
                records: try await records(statements.page), total: try await count(statements.count), page: query.page,
                perPage: query.perPage, fields: nil)
        }
    }

    /// A search's statements: its exact count and page (each match found through its field's
    /// index, then sorted); the probe (the keys the fields' indexes find, each up to the limit
    /// + 1) and capped count that find it broad (see ``RecordSearchQuery/exactTotalLimit``);
    /// and the broad search's page, the resource's records newest first that match.
    static func searchStatements<R: HubRecord>(_ plan: RecordSearchPlan<R>, tenant: String) throws -> (
        count: SQLStatement, page: SQLStatement, probe: SQLStatement, cappedCount: SQLStatement, walk: SQLStatement
    ) {
        let table = ResourceColumns<R>()
        var statement = SQLStatement()
        let parts = try PGSearchSQL.parts(plan, tenant: tenant, into: &statement)
        var count = statement
        count.append("SELECT COUNT(*) FROM \(table.table) WHERE \(PGSearchSQL.conditions(plan, parts))")
        let cap = RecordSearchQuery.exactTotalLimit + 1
        var probe = statement
        probe.append(
            "SELECT sum(n)::bigint FROM ("
                + parts.subqueries.map { "SELECT COUNT(*) AS n FROM (\($0) LIMIT \(cap)) AS found" }.joined(separator: " UNION ALL ")
                + ") AS counts")
        var cappedCount = statement
        cappedCount.append("SELECT COUNT(*) FROM \(table.table) WHERE \(PGSearchSQL.conditions(plan, parts, capped: true))")
        // The pages bind their limit and offset (the counts have no use for them).
        let limit = try statement.bind(plan.limit)
        let offset = try statement.bind(plan.offset)
        let order = "ORDER BY \"ModificationTimestamp\" DESC, \(table.keyColumn) COLLATE \"C\" DESC LIMIT \(limit) OFFSET \(offset)"
        var page = statement
        page.append(
            "SELECT \(PGResourceTable<R>.selectList(plan.read)) FROM \(table.table) WHERE \(PGSearchSQL.conditions(plan, parts)) \(order)")
        var walk = statement
        var live = "tenant_id = \(parts.tenant)"
        if !plan.includeDeleted { live += " AND NOT \"DeletedYN\"" }
        walk.append(
            """
            SELECT \(PGResourceTable<R>.selectList(plan.read)) FROM \(table.table)
            WHERE \(live) AND (\(parts.rowConditions.joined(separator: " OR "))) \(order)
            """)
        return (count, page, probe, cappedCount, walk)
    }

    public func recordEvents(tenant: String, resource: ResourceName, key: String, limit: Int) async throws -> [EntityEvent] {
        try Self.checkEventLimit(limit)
        return try await read { db in
            try await self.rows(db, Self.recordEventsQuery(tenant: tenant, resource: resource, key: key, limit: limit))
                .compactMap(Self.recordEvent(from:))
        }
    }

    /// A record's events, newest first: the chain from the record's `last_event_sequence`
    /// through each event's `previous_sequence`, one primary-key read per event.
    static func recordEventsQuery(tenant: String, resource: ResourceName, key: String, limit: Int) -> PostgresQuery {
        let table = "\"\(resource.rawValue)\""
        let keyColumn = "\"\(resource.keyField)\""
        return """
            WITH RECURSIVE chain(sequence, depth) AS (
                SELECT last_event_sequence, 1 FROM \(unescaped: table)
                WHERE \(unescaped: keyColumn) = \(key) AND tenant_id = \(tenant) AND last_event_sequence IS NOT NULL
                UNION ALL
                SELECT e.previous_sequence, chain.depth + 1 FROM chain JOIN entity_events AS e ON e.sequence = chain.sequence
                WHERE e.previous_sequence IS NOT NULL AND chain.depth < \(limit)
            )
            SELECT e.sequence, e.resource, e.record_key, e.change, e.connection_id, e."timestamp"
            FROM chain JOIN entity_events AS e ON e.sequence = chain.sequence ORDER BY e.sequence DESC
            """
    }

    /// PostgreSQL's plans (`EXPLAIN` lines) of a search's count and page, and of a change list,
    /// after `ANALYZE` of the tables, with sequential scans discouraged when `noSeqScan`: for
    /// tests that check every search is served by an index.
    func explainSearch<R: HubRecord>(_ type: R.Type, tenant: String, query: RecordSearchQuery, noSeqScan: Bool) async throws -> [String] {
        let statements = try Self.searchStatements(try RecordSearchPlan<R>(query), tenant: tenant)
        return try await transaction { db in
            try await db.query("ANALYZE \(unescaped: ResourceColumns<R>().table)", logger: self.logger)
            if noSeqScan { try await db.query("SET LOCAL enable_seqscan = off", logger: self.logger) }
            var lines: [String] = []
            for statement in [statements.count, statements.page] {
                var explain = SQLStatement()
                explain.text = "EXPLAIN " + statement.text
                explain.bindings = statement.bindings
                lines += try await self.rows(db, explain.query).map { try $0.decode(String.self) }
            }
            return lines
        }
    }

    /// PostgreSQL's plan of ``recordEvents(tenant:resource:key:limit:)`` (after `ANALYZE`).
    func explainRecordEvents(tenant: String, noSeqScan: Bool) async throws -> [String] {
        try await transaction { db in
            try await db.query("ANALYZE entity_events", logger: self.logger)
            if noSeqScan { try await db.query("SET LOCAL enable_seqscan = off", logger: self.logger) }
            var query = Self.recordEventsQuery(tenant: tenant, resource: .contacts, key: "k", limit: 10)
            query.sql = "EXPLAIN " + query.sql
            return try await self.rows(db, query).map { try $0.decode(String.self) }
        }
    }
}
