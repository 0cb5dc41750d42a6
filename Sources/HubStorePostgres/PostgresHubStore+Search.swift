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
    /// is not a prefix; the change list's index; and Contacts' plain `Email` and `MobilePhone`
    /// indexes replaced by their folded ones (see ``RecordSearchFields/foldedFilters(_:)``).
    static var migration: [String] {
        var statements: [String] = []
        for resource in ResourceName.allCases {
            let table = "\"\(resource.rawValue)\""
            let fields: [(RecordSearchFields.Kind, [String])] = [
                (.email, RecordSearchFields.emails(resource)), (.phone, RecordSearchFields.phones(resource)),
                (.name, RecordSearchFields.names(resource)),
            ]
            for (kind, columns) in fields {
                for column in columns {
                    statements.append(
                        """
                        CREATE INDEX "\(resource.rawValue)_search_\(column)" ON \(table)
                            (tenant_id, \(expression(kind, column: column))) WHERE "\(column)" IS NOT NULL
                        """)
                }
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
        statements.append("CREATE INDEX entity_events_record ON entity_events (tenant_id, resource, record_key, sequence)")
        return statements
    }

    /// The search's `WHERE` clause (binding its values into `statement`): the tenant's records,
    /// live unless asked, whose key one of the per-field subqueries finds through its index.
    static func conditions<R: HubRecord>(_ plan: RecordSearchPlan<R>, tenant: String, into statement: inout SQLStatement) throws -> String {
        let table = ResourceColumns<R>()
        let tenantParameter = try statement.bind(tenant)
        let select = "SELECT \(table.keyColumn) FROM \(table.table) WHERE tenant_id = \(tenantParameter) AND"
        var subqueries: [String] = []
        switch plan.match {
        case .email(let address):
            let value = try statement.bind(address)
            for column in plan.fields {
                subqueries.append("\(select) \(expression(.email, column: column)) = lower(\(value)) AND \"\(column)\" IS NOT NULL")
            }
        case .phone(let candidates):
            let values = try statement.bind(candidates)
            for column in plan.fields {
                subqueries.append(
                    "\(select) \(expression(.phone, column: column)) = ANY(\(values)::text[]) AND \"\(column)\" IS NOT NULL")
            }
        case .namePrefix(let prefix):
            let value = try statement.bind(prefix)
            let end = try statement.bind(String(RecordSearchPlan<R>.rangeEnd))
            for column in plan.fields {
                let folded = expression(.name, column: column)
                subqueries.append(
                    "\(select) \(folded) >= lower(\(value)) AND \(folded) < lower(\(value)) || \(end) AND \"\(column)\" IS NOT NULL")
            }
        case .referencePrefix(let prefix):
            // Hub keys are lowercase: the prefix is lowercased for them.
            let key = prefix.lowercased()
            let keyFrom = try statement.bind(key)
            let keyTo = try statement.bind(RecordSearchPlan<R>.rangeEnd(of: key))
            subqueries.append("\(select) \(reference(table.keyColumn)) >= \(keyFrom) AND \(reference(table.keyColumn)) < \(keyTo)")
            let from = try statement.bind(prefix)
            let to = try statement.bind(RecordSearchPlan<R>.rangeEnd(of: prefix))
            for column in [table.sourceKeyColumn] + plan.fields.map({ "\"\($0)\"" }) {
                subqueries.append("\(select) \(reference(column)) >= \(from) AND \(reference(column)) < \(to)")
            }
        }
        var conditions = "tenant_id = \(tenantParameter)"
        if !plan.includeDeleted { conditions += " AND NOT \"DeletedYN\"" }
        return conditions + " AND \(table.keyColumn) IN (\(subqueries.joined(separator: " UNION ALL ")))"
    }
}

extension PostgresHubStore {
    public func search<R: HubRecord>(_ type: R.Type, tenant: String, query: RecordSearchQuery) async throws -> RecordPage<R> {
        let plan = try RecordSearchPlan<R>(query)
        let statements = try Self.searchStatements(plan, tenant: tenant)
        return try await transaction(readOnlySnapshot: true) { db in
            let total = try await self.rows(db, statements.count.query).first.map { try $0.decode(Int.self) } ?? 0
            let records = try await self.rows(db, statements.page.query).map { try Self.decode($0, plan: plan.read) as R }
            return RecordPage(records: records, total: total, page: query.page, perPage: query.perPage, fields: nil)
        }
    }

    /// A search's count and page statements.
    static func searchStatements<R: HubRecord>(_ plan: RecordSearchPlan<R>, tenant: String) throws -> (
        count: SQLStatement, page: SQLStatement
    ) {
        let table = ResourceColumns<R>()
        var statement = SQLStatement()
        let conditions = try PGSearchSQL.conditions(plan, tenant: tenant, into: &statement)
        var count = statement
        count.append("SELECT COUNT(*) FROM \(table.table) WHERE \(conditions)")
        let limit = try statement.bind(plan.limit)
        let offset = try statement.bind(plan.offset)
        statement.append(
            """
            SELECT \(PGResourceTable<R>.selectList(plan.read)) FROM \(table.table) WHERE \(conditions)
            ORDER BY "ModificationTimestamp" DESC, \(table.keyColumn) COLLATE "C" DESC LIMIT \(limit) OFFSET \(offset)
            """)
        return (count, statement)
    }

    public func recordEvents(tenant: String, resource: ResourceName, key: String, limit: Int) async throws -> [EntityEvent] {
        try Self.checkEventLimit(limit)
        return try await read { db in
            try await self.rows(db, Self.recordEventsQuery(tenant: tenant, resource: resource, key: key, limit: limit))
                .compactMap(Self.recordEvent(from:))
        }
    }

    /// A record's events, newest first, through `entity_events_record`.
    static func recordEventsQuery(tenant: String, resource: ResourceName, key: String, limit: Int) -> PostgresQuery {
        """
        SELECT sequence, resource, record_key, change, connection_id, "timestamp" FROM entity_events
        WHERE tenant_id = \(tenant) AND resource = \(resource.rawValue) AND record_key = \(key)
        ORDER BY sequence DESC LIMIT \(limit)
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
