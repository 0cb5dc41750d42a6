import Foundation
public import HubStore
import PostgresNIO
public import RealtyModel

/// The PostgreSQL select lists of one resource's table (its names are ``ResourceColumns``).
enum PGResourceTable<R: HubRecord> {
    /// The select expression of a metadata column (`raw` is read as JSON text).
    static func metadataExpression(_ column: String) -> String {
        column == MetadataFieldNames.raw ? "raw::text" : "\"\(column)\""
    }

    /// The select list for `plan`: its metadata columns, then its fields.
    static func selectList(_ plan: ListPlan<R>) -> String {
        (plan.metadataColumns.map(metadataExpression) + plan.fields.map { PGRead.selectExpression(column: $0.name, type: $0.type) })
            .joined(separator: ", ")
    }
}

extension PostgresHubStore {
    public func upsert<R: HubRecord>(_ records: [R], media: [Media]?, scope: SyncScope, cursor: String?) async throws -> UpsertSummary {
        let batch = try PreparedRecord.batch(records, scope: scope)
        let now = scope.now

        return try await transaction { db in
            var summary = try await self.write(R.self, batch, db, scope: scope)
            if let media {
                let prepared = try PreparedMedia(media, of: R.self, parents: batch, summary: summary, scope: scope)
                let written = try await self.write(Media.self, prepared.records, db, scope: scope, generation: nil)
                summary.mediaInserted = written.inserted
                summary.mediaUpdated = written.updated
                summary.mediaDeleted = try await self.deleteMedia(
                    db, tenant: scope.tenant, connectionID: scope.connectionID, parent: prepared.parent,
                    parentKeys: prepared.parentKeys, keeping: prepared.sourceKeys, now: now)
            }
            if let cursor {
                try await db.query(
                    """
                    INSERT INTO sync_state (tenant_id, connection_id, resource, "cursor", cursor_updated_at)
                    VALUES (\(scope.tenant), \(scope.connectionID), \(R.resource.rawValue), \(cursor), \(PGTimestamp(now)))
                    ON CONFLICT (tenant_id, connection_id, resource) DO UPDATE SET
                        "cursor" = excluded."cursor", cursor_updated_at = excluded.cursor_updated_at
                    """, logger: self.logger)
            }
            return summary
        }
    }

    /// Upserts one prepared batch of parent records `R` and appends their events, stamping the
    /// scope's generation or else that of the full pass running on the connection and resource:
    /// the parent half of ``upsert(_:media:scope:cursor:)``, and what a completed delivery stores.
    func write<R: HubRecord>(_ type: R.Type, _ batch: [PreparedRecord], _ db: PostgresConnection, scope: SyncScope) async throws
        -> UpsertSummary
    {
        // Records inserted or changed outside a full pass while one is running were seen
        // now, so they count as seen by that pass (read by the batch's lookup).
        try await write(R.self, batch, db, scope: scope, generation: scope.generation, readsPassInProgress: scope.generation == nil)
    }

    /// Upserts one prepared batch of `R` and appends its events: the body of
    /// ``upsert(_:media:scope:cursor:)``, for parents and for their media.
    ///
    /// - Parameters:
    ///   - generation: stamped on written rows (nil: none).
    ///   - scope: its `generation`, when set, is also stamped on unchanged rows of a parent
    ///     batch (a full pass saw them); media carry none.
    ///   - readsPassInProgress: stamp instead the generation of the full pass running on the
    ///     connection and resource, if any (read by the statement that looks up the batch's
    ///     stored rows, one round trip fewer).
    func write<R: HubRecord>(
        _ type: R.Type, _ batch: [PreparedRecord], _ db: PostgresConnection, scope: SyncScope, generation: Int64?,
        readsPassInProgress: Bool = false
    ) async throws -> UpsertSummary {
        let sql = ResourceColumns<R>()
        let fieldColumns = sql.fieldColumns
        let insertColumns = sql.insertColumns
        let box = secretBox
        let now = scope.now
        let pass = R.resource == .media ? nil : scope.generation
        var summary = UpsertSummary()
        var existing: [String: (key: String, hash: String, deleted: Bool, seen: Int64?, lastEvent: Int64?)] = [:]
        var generation = generation
        if !batch.isEmpty {
            var select = SQLStatement()
            let tenant = try select.bind(scope.tenant)
            let connection = try select.bind(scope.connectionID)
            // One unique-index probe per key, locked in sorted key order (so two writers of
            // overlapping batches lock them in the same order). Not `= ANY(keys)`: on a table
            // not yet analyzed (a first sync) the planner takes 500 keys to match every row,
            // scans all of the connection's rows for each batch, and a first sync of 100,000
            // records slows down quadratically.
            let keys = try select.bind(batch.map(\.sourceKey).sorted())
            let lookup = """
                SELECT r.* FROM unnest(\(keys)::text[]) AS k(source) CROSS JOIN LATERAL (
                    SELECT \(sql.keyColumn), "ContentHash", "DeletedYN", seen_generation, \(sql.sourceKeyColumn), last_event_sequence
                    FROM \(sql.table)
                    WHERE tenant_id = \(tenant) AND "ConnectionId" = \(connection) AND \(sql.sourceKeyColumn) = k.source
                    FOR UPDATE
                ) AS r
                """
            if readsPassInProgress {
                // One row at least (the pass's generation, or NULL), each stored row beside it.
                let resource = try select.bind(R.resource.rawValue)
                select.append(
                    """
                    SELECT p.generation, r.* FROM (SELECT (
                        SELECT pass_generation FROM sync_state
                        WHERE tenant_id = \(tenant) AND connection_id = \(connection) AND resource = \(resource)
                    ) AS generation) AS p
                    LEFT JOIN (\(lookup)) AS r ON true
                    """)
                for row in try await self.rows(db, select.query) {
                    let (pass, key, hash, deleted, seen, sourceKey, lastEvent) = try row.decode(
                        (Int64?, String?, String?, Bool?, Int64?, String?, Int64?).self)
                    generation = pass
                    if let key, let hash, let deleted, let sourceKey { existing[sourceKey] = (key, hash, deleted, seen, lastEvent) }
                }
            } else {
                select.append(lookup)
                for row in try await self.rows(db, select.query) {
                    let (key, hash, deleted, seen, sourceKey, lastEvent) = try row.decode(
                        (String, String, Bool, Int64?, String, Int64?).self)
                    existing[sourceKey] = (key, hash, deleted, seen, lastEvent)
                }
            }
        }
        var events: [(key: String, change: EntityEvent.Change, previous: Int64?)] = []
        var touched: [String] = []
        // Records that were deleted and are live again.
        var revived = 0
        var written: [(record: PreparedRecord, key: String, inserted: Bool)] = []
        for record in batch {
            if let stored = existing[record.sourceKey] {
                if stored.hash == record.hash, !stored.deleted {
                    if let pass, stored.seen != pass { touched.append(stored.key) }
                    summary.record(.unchanged, key: stored.key)
                    continue
                }
                written.append((record, stored.key, false))
                if stored.deleted { revived += 1 }
                events.append((stored.key, .updated, stored.lastEvent))
                summary.record(.updated, key: stored.key)
            } else {
                let key = HubKey.make(at: now)
                written.append((record, key, true))
                events.append((key, .created, nil))
                summary.record(.inserted, key: key)
            }
        }
        // The batch's events first, each linked to its record's previous one; then each new or
        // changed row is written pointing at its event (no second write of the row).
        let sequences = try await appendLinkedEvents(
            db, tenant: scope.tenant, resource: R.resource, events: events, connectionID: scope.connectionID, now: now)
        // New and changed rows are each written by one statement a batch: every column is bound
        // as one array and `unnest` turns the arrays back into rows (one parameter per column,
        // one short statement text, whatever the number of rows).
        let types = R.fields.map { PGColumn.Kind($0.type) }
        var inserts = PGRows(fields: types, capacity: batch.count)
        var updates = PGRows(fields: types, capacity: batch.count)
        for (record, key, inserted) in written {
            let raw = try record.sealedRaw(box, fields: scope.sensitiveFields)
            if inserted {
                try inserts.append(record, key: key, raw: raw, event: sequences[key])
            } else {
                try updates.append(record, key: key, raw: raw, event: sequences[key])
            }
        }
        if inserts.count > 0 {
            var insert = SQLStatement()
            let arrays = try inserts.bind(into: &insert)
            let tenant = try insert.bind(scope.tenant)
            let connection = try insert.bind(scope.connectionID)
            let timestamp = insert.bind(date: now)
            let generationParameter = try insert.bind(generation)
            let values =
                [
                    "v.k", tenant, connection, "v.system", "v.source", timestamp, timestamp, "v.modified", "v.entry", "v.hash",
                    "false", "\(generationParameter)::bigint", "v.raw::jsonb",
                ] + PGRows.fieldExpressions(R.fields.map(\.type)) + ["v.event"]
            insert.append(
                """
                INSERT INTO \(sql.table) (\((insertColumns + ["last_event_sequence"]).joined(separator: ", ")))
                SELECT \(values.joined(separator: ", ")) FROM \(arrays)
                """)
            try await db.query(insert.query, logger: self.logger)
        }
        if updates.count > 0 {
            var update = SQLStatement()
            let arrays = try updates.bind(into: &update)
            let timestamp = update.bind(date: now)
            let generationParameter = try update.bind(generation)
            var assignments = [
                "\"SourceSystemName\" = v.system", "\"ModificationTimestamp\" = \(timestamp)",
                "\"SourceModificationTimestamp\" = v.modified", "\"SourceEntryTimestamp\" = v.entry", "\"ContentHash\" = v.hash",
                "\"DeletedYN\" = false", "seen_generation = COALESCE(\(generationParameter)::bigint, seen_generation)",
                "raw = v.raw::jsonb", "last_event_sequence = v.event",
            ]
            for (column, expression) in zip(fieldColumns, PGRows.fieldExpressions(R.fields.map(\.type))) {
                assignments.append("\(column) = \(expression)")
            }
            update.append(
                "UPDATE \(sql.table) SET \(assignments.joined(separator: ", ")) FROM \(arrays) WHERE \(sql.table).\(sql.keyColumn) = v.k")
            try await db.query(update.query, logger: self.logger)
        }
        if !touched.isEmpty, let pass {
            var touch = SQLStatement()
            let passParameter = try touch.bind(pass)
            let keys = try touch.bind(touched)
            touch.append("UPDATE \(sql.table) SET seen_generation = \(passParameter) WHERE \(sql.keyColumn) = ANY(\(keys)::text[])")
            try await db.query(touch.query, logger: self.logger)
        }
        try await adjustLiveCount(
            db, tenant: scope.tenant, resource: R.resource, connectionID: scope.connectionID, by: inserts.count + revived,
            inserted: inserts.count)
        return summary
    }

    /// Marks deleted, with events, the live media of the `parent` records `parentKeys` whose
    /// vendor key is not in `keeping` (every one when `keeping` is nil: the parents are gone).
    /// - Returns: how many were marked.
    func deleteMedia(
        _ db: PostgresConnection, tenant: String, connectionID: String, parent: ResourceName, parentKeys: [String],
        keeping: Set<String>?, now: Date
    ) async throws -> Int {
        guard Media.parentResources.contains(parent), !parentKeys.isEmpty else { return 0 }
        var update = SQLStatement()
        let nowParameter = update.bind(date: now)
        let tenantParameter = try update.bind(tenant)
        let connectionParameter = try update.bind(connectionID)
        let parentParameter = try update.bind(parent.rawValue)
        let keysParameter = try update.bind(parentKeys)
        let keptParameter = try update.bind((keeping ?? []).sorted())
        update.append(
            """
            UPDATE "Media" SET "DeletedYN" = true, "ModificationTimestamp" = \(nowParameter)
            WHERE tenant_id = \(tenantParameter) AND "ConnectionId" = \(connectionParameter) AND NOT "DeletedYN"
            AND "ResourceName" = \(parentParameter) AND "ResourceRecordKey" = ANY(\(keysParameter)::text[])
            AND NOT ("SourceSystemMediaKey" = ANY(\(keptParameter)::text[]))
            RETURNING "MediaKey"
            """)
        let keys = try await self.rows(db, update.query).map { try $0.decode(String.self) }.sorted()
        try await self.appendEvents(
            db, tenant: tenant, resource: .media, events: keys.map { ($0, .deleted) }, connectionID: connectionID, now: now)
        try await adjustLiveCount(db, tenant: tenant, resource: .media, connectionID: connectionID, by: -keys.count)
        return keys.count
    }

    public func markDeleted<R: HubRecord>(_ type: R.Type, sourceKeys: [String], scope: SyncScope) async throws -> Int {
        guard !sourceKeys.isEmpty else { return 0 }
        return try await transaction { db in try await self.markDeleted(R.self, sourceKeys: sourceKeys, db, scope: scope).count }
    }

    /// Marks the connection's live records with these source keys deleted, each with its event
    /// and its media: the body of ``markDeleted(_:sourceKeys:scope:)``, and what a completed
    /// delete delivery does.
    /// - Returns: the hub keys newly marked, in `sourceKeys` order.
    func markDeleted<R: HubRecord>(_ type: R.Type, sourceKeys: [String], _ db: PostgresConnection, scope: SyncScope) async throws
        -> [String]
    {
        let sql = ResourceColumns<R>()
        var update = SQLStatement()
        let now = update.bind(date: scope.now)
        let tenant = try update.bind(scope.tenant)
        let connection = try update.bind(scope.connectionID)
        let keys = try update.bind(sourceKeys)
        update.append(
            """
            UPDATE \(sql.table) SET "DeletedYN" = true, "ModificationTimestamp" = \(now)
            WHERE tenant_id = \(tenant) AND "ConnectionId" = \(connection) AND \(sql.sourceKeyColumn) = ANY(\(keys)::text[])
            AND NOT "DeletedYN"
            RETURNING \(sql.keyColumn), \(sql.sourceKeyColumn)
            """)
        var marked: [String: String] = [:]
        for row in try await self.rows(db, update.query) {
            let (key, sourceKey) = try row.decode((String, String).self)
            marked[sourceKey] = key
        }
        var seen = Set<String>()
        let ordered = sourceKeys.compactMap { sourceKey in seen.insert(sourceKey).inserted ? marked[sourceKey] : nil }
        try await self.appendEvents(
            db, tenant: scope.tenant, resource: R.resource, events: ordered.map { ($0, .deleted) },
            connectionID: scope.connectionID, now: scope.now)
        try await adjustLiveCount(db, tenant: scope.tenant, resource: R.resource, connectionID: scope.connectionID, by: -ordered.count)
        _ = try await self.deleteMedia(
            db, tenant: scope.tenant, connectionID: scope.connectionID, parent: R.resource, parentKeys: ordered, keeping: nil,
            now: scope.now)
        return ordered
    }

    /// The hub key of the connection's record with `sourceKey`, deleted or not, or nil.
    func recordKey<R: HubRecord>(_ type: R.Type, sourceKey: String, _ db: PostgresConnection, scope: SyncScope) async throws -> String? {
        let sql = ResourceColumns<R>()
        var select = SQLStatement()
        let tenant = try select.bind(scope.tenant)
        let connection = try select.bind(scope.connectionID)
        let key = try select.bind(sourceKey)
        select.append(
            """
            SELECT \(sql.keyColumn) FROM \(sql.table)
            WHERE tenant_id = \(tenant) AND "ConnectionId" = \(connection) AND \(sql.sourceKeyColumn) = \(key)
            """)
        return try await self.rows(db, select.query).first.map { try $0.decode(String.self) }
    }

    public func record<R: HubRecord>(_ type: R.Type, tenant: String, key: String) async throws -> R? {
        let plan = try ListPlan<R>(ListQuery(perPage: 1, includeDeleted: true))
        let sql = ResourceColumns<R>()
        return try await read { db in
            var select = SQLStatement()
            let tenantParameter = try select.bind(tenant)
            let keyParameter = try select.bind(key)
            select.append(
                """
                SELECT \(PGResourceTable<R>.selectList(plan)) FROM \(sql.table)
                WHERE tenant_id = \(tenantParameter) AND \(sql.keyColumn) = \(keyParameter)
                """)
            return try await self.rows(db, select.query).first.map { try Self.decode($0, plan: plan) }
        }
    }

    public func liveRecordCounts(tenant: String) async throws -> [LiveRecordCount] {
        try await read { db in
            try await self.rows(
                db,
                """
                SELECT connection_id, resource, live FROM record_counts WHERE tenant_id = \(tenant) AND live > 0
                ORDER BY connection_id, resource
                """
            ).compactMap { row in
                let (connection, resource, live) = try row.decode((String, String, Int64).self)
                // A resource this build does not know (a newer build's) is left out.
                return ResourceName(rawValue: resource).map { LiveRecordCount(connectionID: connection, resource: $0, live: Int(live)) }
            }
        }
    }

    /// A list's total read from `record_counts` when the list is every record of the tenant,
    /// or of one connection (its one filter), live or with deleted ones too (`stored`); nil
    /// for any other list (it is counted).
    func maintainedTotal<R: HubRecord>(_ plan: ListPlan<R>, tenant: String, _ db: PostgresConnection) async throws -> Int? {
        guard plan.modifiedSince == nil else { return nil }
        let resource = R.resource.rawValue
        let column = plan.includeDeleted ? "stored" : "live"
        let query: PostgresQuery
        if plan.filters.isEmpty {
            query = """
                SELECT COALESCE(sum(\(unescaped: column)), 0)::bigint FROM record_counts
                WHERE tenant_id = \(tenant) AND resource = \(resource)
                """
        } else if plan.filters.count == 1, plan.filters[0].column == MetadataFieldNames.connectionID,
            case .string(let connection) = plan.filters[0].value
        {
            query = """
                SELECT COALESCE(sum(\(unescaped: column)), 0)::bigint FROM record_counts
                WHERE tenant_id = \(tenant) AND resource = \(resource) AND connection_id = \(connection)
                """
        } else {
            return nil
        }
        return try await self.rows(db, query).first.map { Int(try $0.decode(Int64.self)) } ?? 0
    }

    public func list<R: HubRecord>(_ type: R.Type, tenant: String, query: ListQuery) async throws -> RecordPage<R> {
        let plan = try ListPlan<R>(query)
        let sql = ResourceColumns<R>()
        return try await transaction(readOnlySnapshot: true) { db in
            var statement = SQLStatement()
            var conditions = ["tenant_id = \(try statement.bind(tenant))"]
            if !plan.includeDeleted { conditions.append("NOT \"DeletedYN\"") }
            let folded = RecordSearchFields.foldedFilters(R.resource)
            for filter in plan.filters {
                let value = try statement.bind(filter.value)
                if let kind = folded[filter.column] {
                    // Served by the folded index that replaced the plain one, then compared exactly.
                    let parameter = kind == .phone ? PGSearchSQL.digits(value) : PGSearchSQL.folded(value)
                    conditions.append(
                        "\(PGSearchSQL.expression(kind, column: filter.column)) = \(parameter) AND \"\(filter.column)\" IS NOT NULL")
                }
                conditions.append("\"\(filter.column)\" = \(value)")
            }
            if let since = plan.modifiedSince {
                conditions.append("\"ModificationTimestamp\" >= \(statement.bind(date: since))")
            }
            let whereClause = conditions.joined(separator: " AND ")
            let total: Int
            if let counted = try await self.maintainedTotal(plan, tenant: tenant, db) {
                total = counted
            } else {
                var count = statement
                count.append("SELECT COUNT(*) FROM \(sql.table) WHERE \(whereClause)")
                total = try await self.rows(db, count.query).first.map { try $0.decode(Int.self) } ?? 0
            }

            let direction = plan.sortOrder == .ascending ? "ASC" : "DESC"
            let sort = "\"\(plan.sortColumn)\""
            // Text sorts byte-wise (as SQLite does), whatever the database's locale.
            let sortsAsText =
                R.field(named: plan.sortColumn).map { $0.type == .string }
                ?? ![
                    MetadataFieldNames.modificationTimestamp, MetadataFieldNames.originalEntryTimestamp,
                    MetadataFieldNames.sourceModificationTimestamp,
                ].contains(plan.sortColumn)
            let collation = sortsAsText ? " COLLATE \"C\"" : ""
            let order =
                plan.sortsOnNeverNullColumn
                ? "\(sort)\(collation) \(direction), \(sql.keyColumn) COLLATE \"C\" \(direction)"
                : "(\(sort) IS NULL), \(sort)\(collation) \(direction), \(sql.keyColumn) COLLATE \"C\" ASC"
            let limit = try statement.bind(plan.limit)
            let offset = try statement.bind(plan.offset)
            statement.append(
                """
                SELECT \(PGResourceTable<R>.selectList(plan)) FROM \(sql.table) WHERE \(whereClause)
                ORDER BY \(order)
                LIMIT \(limit) OFFSET \(offset)
                """)
            let records = try await self.rows(db, statement.query).map { try Self.decode($0, plan: plan) as R }
            return RecordPage(records: records, total: total, page: query.page, perPage: query.perPage, fields: plan.projection)
        }
    }

    /// Builds a record from a row holding `plan`'s metadata columns then its fields.
    static func decode<R: HubRecord>(_ row: PostgresRow, plan: ListPlan<R>) throws -> R {
        let names = MetadataFieldNames(R.resource)
        let columns = row.makeRandomAccess()
        var metadata = RecordMetadata()
        for (index, column) in plan.metadataColumns.enumerated() {
            let cell = columns[index]
            switch column {
            case names.key: metadata.key = try PGRead.string(cell)
            case names.sourceKey: metadata.sourceKey = try PGRead.string(cell)
            case MetadataFieldNames.sourceSystemName: metadata.sourceSystemName = try PGRead.string(cell)
            case MetadataFieldNames.connectionID: metadata.connectionID = try PGRead.string(cell)
            case MetadataFieldNames.modificationTimestamp: metadata.modificationTimestamp = try PGRead.date(cell)
            case MetadataFieldNames.originalEntryTimestamp: metadata.originalEntryTimestamp = try PGRead.date(cell)
            case MetadataFieldNames.sourceModificationTimestamp: metadata.sourceModificationTimestamp = try PGRead.date(cell)
            case MetadataFieldNames.sourceEntryTimestamp: metadata.sourceEntryTimestamp = try PGRead.date(cell)
            case MetadataFieldNames.contentHash: metadata.contentHash = try PGRead.string(cell)
            case MetadataFieldNames.deleted: metadata.deleted = try cell.decode(Bool?.self) ?? false
            case MetadataFieldNames.raw:
                if let text = try PGRead.string(cell) {
                    metadata.raw = try? JSONValue(parsing: Data(text.utf8))
                }
            default: break
            }
        }
        var record = R(metadata: metadata)
        let offset = plan.metadataColumns.count
        for (index, field) in plan.fields.enumerated() {
            guard let value = try PGRead.fieldValue(columns[offset + index], as: field.type), field.set(value, in: &record) else {
                throw StoreError.storage("column \(field.name) of \(R.resource.rawValue) holds a value that is not \(field.type.article)")
            }
        }
        return record
    }

    // MARK: - Sync state and full passes

    public func syncState(tenant: String, connectionID: String, resource: ResourceName) async throws -> SyncState? {
        try await read { db in
            try await self.rows(
                db,
                """
                SELECT "cursor", cursor_updated_at, pass_generation, pass_started_at, last_completed_generation, last_completed_at
                FROM sync_state WHERE tenant_id = \(tenant) AND connection_id = \(connectionID) AND resource = \(resource.rawValue)
                """
            ).first.map { row in
                let columns = row.makeRandomAccess()
                return SyncState(
                    cursor: try PGRead.string(columns[0]), cursorUpdatedAt: try PGRead.date(columns[1]),
                    passGeneration: try PGRead.int64(columns[2]), passStartedAt: try PGRead.date(columns[3]),
                    lastCompletedGeneration: try PGRead.int64(columns[4]), lastCompletedAt: try PGRead.date(columns[5]))
            }
        }
    }

    public func beginFullPass(tenant: String, connectionID: String, resource: ResourceName) async throws -> Int64 {
        try await transaction { db in
            // One statement: concurrent starts get distinct, increasing generations.
            let rows = try await self.rows(
                db,
                """
                INSERT INTO sync_state (tenant_id, connection_id, resource, pass_generation, pass_started_at)
                VALUES (\(tenant), \(connectionID), \(resource.rawValue), 1, \(PGTimestamp(Date())))
                ON CONFLICT (tenant_id, connection_id, resource) DO UPDATE SET
                    pass_generation = GREATEST(COALESCE(sync_state.pass_generation, 0),
                        COALESCE(sync_state.last_completed_generation, 0)) + 1,
                    pass_started_at = excluded.pass_started_at
                RETURNING pass_generation
                """)
            guard let generation = try rows.first?.decode(Int64.self) else {
                throw StoreError.storage("starting a full pass returned no generation")
            }
            return generation
        }
    }

    public func completeFullPass(
        tenant: String, connectionID: String, resource: ResourceName, generation: Int64
    ) async throws -> Int {
        let table = "\"\(resource.rawValue)\""
        let keyColumn = "\"\(resource.keyField)\""
        return try await transaction { db in
            let state = try await self.rows(
                db,
                """
                SELECT pass_generation, pass_started_at FROM sync_state
                WHERE tenant_id = \(tenant) AND connection_id = \(connectionID) AND resource = \(resource.rawValue)
                FOR UPDATE
                """
            ).first.map { try $0.decode((Int64?, Date?).self) }
            let current = state?.0 ?? nil
            let started = state?.1 ?? nil
            guard current == generation, let started else {
                throw StoreError.conflict(
                    "full pass \(generation) of \(resource.rawValue) on connection \(connectionID) is not the pass in progress")
            }
            let now = Date()
            var sweep = SQLStatement()
            let nowParameter = sweep.bind(date: now)
            let tenantParameter = try sweep.bind(tenant)
            let connectionParameter = try sweep.bind(connectionID)
            let generationParameter = try sweep.bind(generation)
            let startedParameter = sweep.bind(date: started)
            sweep.append(
                """
                UPDATE \(table) SET "DeletedYN" = true, "ModificationTimestamp" = \(nowParameter)
                WHERE tenant_id = \(tenantParameter) AND "ConnectionId" = \(connectionParameter) AND NOT "DeletedYN"
                AND (seen_generation IS NULL OR seen_generation < \(generationParameter))
                AND "ModificationTimestamp" < \(startedParameter)
                RETURNING \(keyColumn)
                """)
            let keys = try await self.rows(db, sweep.query).map { try $0.decode(String.self) }.sorted()
            try await self.appendEvents(
                db, tenant: tenant, resource: resource, events: keys.map { ($0, .deleted) }, connectionID: connectionID, now: now)
            try await adjustLiveCount(db, tenant: tenant, resource: resource, connectionID: connectionID, by: -keys.count)
            _ = try await self.deleteMedia(
                db, tenant: tenant, connectionID: connectionID, parent: resource, parentKeys: keys, keeping: nil, now: now)
            try await db.query(
                """
                UPDATE sync_state SET pass_generation = NULL, pass_started_at = NULL,
                    last_completed_generation = \(generation), last_completed_at = \(PGTimestamp(now))
                WHERE tenant_id = \(tenant) AND connection_id = \(connectionID) AND resource = \(resource.rawValue)
                """, logger: self.logger)
            return keys.count
        }
    }
}
