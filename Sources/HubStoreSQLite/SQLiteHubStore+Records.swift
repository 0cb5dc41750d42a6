import Foundation
import GRDB
public import HubStore
public import RealtyModel

/// The SQL for one resource's table: the shared column names and the statements SQLite caches,
/// built from the field list (static names, never input).
struct ResourceTable<R: HubRecord> {
    let columns = ResourceColumns<R>()
    let fieldColumns: String
    let insertSQL: String
    /// The positions in ``RealtyModel/HubRecord/fields`` of the fields the store indexes: the
    /// indexed fields and those the record search indexes (``RecordSearchFields/indexed(_:)``).
    let indexedFields: [Int]

    var table: String { columns.table }
    var keyColumn: String { columns.keyColumn }
    var sourceKeyColumn: String { columns.sourceKeyColumn }

    init() {
        fieldColumns = columns.fieldColumns.joined(separator: ", ")
        // The row points at its first event (appended just before it, see `write`).
        insertSQL =
            "INSERT INTO \(columns.table) (\(columns.insertColumns.joined(separator: ", ")), last_event_sequence) VALUES ("
            + Array(repeating: "?", count: columns.insertColumns.count + 1).joined(separator: ", ") + ")"
        let searched = RecordSearchFields.indexed(R.resource)
        indexedFields = R.fields.indices.filter { R.fields[$0].isIndexed || searched.contains(R.fields[$0].name) }
    }

    /// The UPDATE of a changed row: the metadata, every field that is not indexed, and of the
    /// indexed fields only those whose bit is set in `changedIndexed` (bit n: `indexedFields[n]`).
    /// SQLite rewrites the entry of every index whose column an UPDATE sets, changed or not, so
    /// leaving out unchanged indexed columns saves those index writes.
    func updateSQL(changedIndexed: UInt64) -> String {
        var assignments = [
            "\"SourceSystemName\" = ?", "\"ModificationTimestamp\" = ?", "\"SourceModificationTimestamp\" = ?",
            "\"SourceEntryTimestamp\" = ?", "\"ContentHash\" = ?", "\"DeletedYN\" = 0",
            "seen_generation = COALESCE(?, seen_generation)", "raw = ?",
        ]
        for (index, column) in columns.fieldColumns.enumerated() where updates(field: index, changedIndexed: changedIndexed) {
            assignments.append("\(column) = ?")
        }
        // The row points at the event of this change (appended just before it, see `write`).
        assignments.append("last_event_sequence = ?")
        return "UPDATE \(columns.table) SET \(assignments.joined(separator: ", ")) WHERE \(columns.keyColumn) = ?"
    }

    /// Whether the UPDATE for `changedIndexed` sets field `index`.
    func updates(field index: Int, changedIndexed: UInt64) -> Bool {
        guard let position = indexedFields.firstIndex(of: index) else { return true }
        // More indexed fields than bits: the ones past the mask are always set.
        return position >= 64 || changedIndexed & (1 << UInt64(position)) != 0
    }
}

extension FieldValue {
    /// The SQLite value: text for timestamps (fixed-width ISO 8601, so they sort), 0/1 for
    /// booleans, JSON text for lists.
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .string(let text): return text.databaseValue
        case .integer(let number): return number.databaseValue
        case .decimal(let number): return number.databaseValue
        case .boolean(let flag): return (flag ? 1 : 0 as Int64).databaseValue
        case .timestamp(let date): return Timestamp.format(date).databaseValue
        case .date(let text): return text.databaseValue
        case .stringList(let strings): return JSONValue.array(strings.map(JSONValue.string)).jsonText.databaseValue
        }
    }

    /// Reads a column value as a field of `type`; `nil` when the stored value does not fit.
    init?(database value: DatabaseValue, as type: FieldType) {
        switch (value.storage, type) {
        case (.null, _): self = .null
        case (.string(let text), .string): self = .string(text)
        case (.string(let text), .date): self = .date(text)
        case (.string(let text), .timestamp):
            guard let date = Timestamp.parse(text) else { return nil }
            self = .timestamp(date)
        case (.int64(let number), .integer): self = .integer(number)
        case (.int64(let number), .decimal): self = .decimal(Double(number))
        case (.double(let number), .decimal): self = .decimal(number)
        case (.int64(let number), .boolean): self = .boolean(number != 0)
        case (.string(let text), .stringList):
            guard let data = text.data(using: .utf8),
                let strings = try? JSONDecoder().decode([String].self, from: data)
            else { return nil }
            self = .stringList(strings)
        default: return nil
        }
    }
}

extension SQLiteHubStore {
    public func upsert<R: HubRecord>(_ records: [R], media: [Media]?, scope: SyncScope, cursor: String?) async throws -> UpsertSummary {
        let batch = try PreparedRecord.batch(records, scope: scope)
        let box = secretBox
        return try await run { db in
            let now = Timestamp.format(scope.now)
            var summary = try Self.write(R.self, batch, db, scope: scope, box: box, now: now)
            if let media {
                let prepared = try PreparedMedia(media, of: R.self, parents: batch, summary: summary, scope: scope)
                let written = try Self.write(Media.self, prepared.records, db, scope: scope, generation: nil, box: box, now: now)
                summary.mediaInserted = written.inserted
                summary.mediaUpdated = written.updated
                summary.mediaDeleted = try Self.deleteMedia(
                    db, tenant: scope.tenant, parent: prepared.parent, parentKeys: prepared.parentKeys, keeping: prepared.sourceKeys,
                    now: now)
            }
            if let cursor {
                try Self.writeCursor(
                    db, tenant: scope.tenant, connectionID: scope.connectionID,
                    resource: R.resource, cursor: cursor, now: now)
            }
            return summary
        }
    }

    /// Upserts one prepared batch of parent records `R` and appends their events, stamping the
    /// scope's generation or else that of the full pass running on the connection and resource:
    /// the parent half of ``upsert(_:media:scope:cursor:)``, and what a completed delivery stores.
    static func write<R: HubRecord>(
        _ type: R.Type, _ batch: [PreparedRecord], _ db: Database, scope: SyncScope, box: SecretBox, now: String
    ) throws -> UpsertSummary {
        // Records inserted or changed outside a full pass while one is running were seen
        // now, so they count as seen by that pass.
        let generation: Int64?
        if let given = scope.generation {
            generation = given
        } else {
            generation = try Int64.fetchOne(
                db,
                sql: "SELECT pass_generation FROM sync_state WHERE tenant_id = ? AND connection_id = ? AND resource = ?",
                arguments: [scope.tenant, scope.connectionID, R.resource.rawValue])
        }
        return try write(R.self, batch, db, scope: scope, generation: generation, box: box, now: now)
    }

    /// Upserts one prepared batch of `R` and appends its events: the body of
    /// ``upsert(_:media:scope:cursor:)``, for parents and for their media.
    ///
    /// - Parameters:
    ///   - generation: stamped on written rows (nil: none).
    ///   - scope: its `generation`, when set, is also stamped on unchanged rows (a full pass saw them).
    static func write<R: HubRecord>(
        _ type: R.Type, _ batch: [PreparedRecord], _ db: Database, scope: SyncScope, generation: Int64?, box: SecretBox, now: String
    ) throws -> UpsertSummary {
        let sql = ResourceTable<R>()
        var summary = UpsertSummary()
        guard !batch.isEmpty else { return summary }
        let pass = R.resource == .media ? nil : scope.generation
        let stored = try storedRows(sql, sourceKeys: batch.map(\.sourceKey), db, scope: scope)
        let insert = try db.cachedStatement(sql: sql.insertSQL)
        let touch = try db.cachedStatement(sql: "UPDATE \(sql.table) SET seen_generation = ? WHERE \(sql.keyColumn) = ?")
        // Stored rows are looked up for the whole batch at once. The batch's events are
        // appended first, in its order, each linked to the record's previous event; then new
        // rows are written one by one (multi-row INSERTs measured no faster: SQLite's time goes
        // to the indexes) and changed ones, each pointing at its event in the same write.
        var events: [(key: String, change: EntityEvent.Change, previous: Int64?)] = []
        var inserted: [(record: PreparedRecord, key: String)] = []
        var changed: [(record: PreparedRecord, key: String)] = []
        // Rows that become live: new ones, and deleted ones written again.
        var revived = 0
        for record in batch {
            if let row = stored[record.sourceKey] {
                if row.hash == record.hash, !row.deleted {
                    if let pass, row.seen != pass {
                        try DirectBinding.execute(db, touch, [pass.databaseValue, row.key.databaseValue])
                    }
                    summary.record(.unchanged, key: row.key)
                    continue
                }
                changed.append((record, row.key))
                if row.deleted { revived += 1 }
                events.append((row.key, .updated, row.lastEvent))
                summary.record(.updated, key: row.key)
            } else {
                let key = HubKey.make(at: scope.now)
                inserted.append((record, key))
                events.append((key, .created, nil))
                revived += 1
                summary.record(.inserted, key: key)
            }
        }
        let sequences = try appendLinkedEvents(
            db, tenant: scope.tenant, resource: R.resource, events, connectionID: scope.connectionID, now: now)
        let sequence = Dictionary(zip(events.map(\.key), sequences), uniquingKeysWith: { _, last in last })
        for (record, key) in inserted {
            var arguments: [DatabaseValue] = [
                key.databaseValue, scope.tenant.databaseValue, scope.connectionID.databaseValue,
                record.sourceSystem.databaseValue, record.sourceKey.databaseValue, now.databaseValue, now.databaseValue,
                record.sourceModified.map(Timestamp.format).databaseValue, record.sourceEntry.map(Timestamp.format).databaseValue,
                record.hash.databaseValue, (0 as Int64).databaseValue, generation.databaseValue,
                try record.sealedRaw(box, fields: scope.sensitiveFields)?.databaseValue ?? .null,
            ]
            arguments.reserveCapacity(arguments.count + record.values.count + 1)
            for value in record.values { arguments.append(value.databaseValue) }
            arguments.append(sequence[key].databaseValue)
            try DirectBinding.execute(db, insert, arguments)
        }
        if !changed.isEmpty {
            let storedIndexed = try indexedValues(sql, keys: changed.map(\.key), db)
            // One statement per set of changed indexed fields, its SQL built once a batch.
            var updates: [UInt64: Statement] = [:]
            for (record, key) in changed {
                // Which indexed fields differ from the stored row (all of them when it is not found).
                var mask: UInt64 = 0
                let previous = storedIndexed[key]
                for (position, field) in sql.indexedFields.enumerated() where position < 64 {
                    let value = record.values[field].databaseValue
                    if let previous, position < previous.count, Self.sameStoredValue(previous[position], value) { continue }
                    mask |= 1 << UInt64(position)
                }
                let update: Statement
                if let known = updates[mask] {
                    update = known
                } else {
                    update = try db.cachedStatement(sql: sql.updateSQL(changedIndexed: mask))
                    updates[mask] = update
                }
                var arguments: [DatabaseValue] = [
                    record.sourceSystem.databaseValue, now.databaseValue, record.sourceModified.map(Timestamp.format).databaseValue,
                    record.sourceEntry.map(Timestamp.format).databaseValue, record.hash.databaseValue, generation.databaseValue,
                    try record.sealedRaw(box, fields: scope.sensitiveFields)?.databaseValue ?? .null,
                ]
                arguments.reserveCapacity(arguments.count + record.values.count + 2)
                for index in 0..<record.values.count where sql.updates(field: index, changedIndexed: mask) {
                    arguments.append(record.values[index].databaseValue)
                }
                arguments.append(sequence[key].databaseValue)
                arguments.append(key.databaseValue)
                try DirectBinding.execute(db, update, arguments)
            }
        }
        try adjustLiveCount(
            db, tenant: scope.tenant, resource: R.resource, connectionID: scope.connectionID, by: revived, inserted: inserted.count)
        return summary
    }

    /// A stored row's state, as an upsert compares it.
    struct StoredRow {
        var key: String
        var hash: String
        var deleted: Bool
        var seen: Int64?
        /// The sequence of the record's newest event.
        var lastEvent: Int64?
    }

    /// How many rows one multi-row statement (a lookup, an event append) takes at most.
    static let rowsPerStatement = 100

    /// The stored rows of `sourceKeys` on the scope's connection, by source key: one query per
    /// hundred keys rather than one per record.
    static func storedRows<R: HubRecord>(
        _ sql: ResourceTable<R>, sourceKeys: [String], _ db: Database, scope: SyncScope
    ) throws -> [String: StoredRow] {
        var rows: [String: StoredRow] = [:]
        rows.reserveCapacity(sourceKeys.count)
        var start = 0
        while start < sourceKeys.count {
            let chunk = sourceKeys[start..<min(start + rowsPerStatement, sourceKeys.count)]
            start += chunk.count
            let statement = try db.cachedStatement(
                sql: """
                    SELECT \(sql.sourceKeyColumn), \(sql.keyColumn), "ContentHash", "DeletedYN", seen_generation, last_event_sequence
                    FROM \(sql.table)
                    WHERE tenant_id = ? AND "ConnectionId" = ? AND \(sql.sourceKeyColumn) IN (\(placeholders(chunk.count)))
                    """)
            var arguments: [DatabaseValue] = [scope.tenant.databaseValue, scope.connectionID.databaseValue]
            arguments.reserveCapacity(2 + chunk.count)
            for key in chunk { arguments.append(key.databaseValue) }
            try DirectBinding.forEachRow(db, statement, arguments) { row in
                guard row.count == 6, let sourceKey = String.fromDatabaseValue(row[0]), let key = String.fromDatabaseValue(row[1]),
                    let hash = String.fromDatabaseValue(row[2])
                else { throw StoreError.storage("a \(R.resource.rawValue) row is malformed") }
                rows[sourceKey] = StoredRow(
                    key: key, hash: hash, deleted: (Int64.fromDatabaseValue(row[3]) ?? 0) != 0, seen: Int64.fromDatabaseValue(row[4]),
                    lastEvent: Int64.fromDatabaseValue(row[5]))
            }
        }
        return rows
    }

    /// `count` comma-separated `?`.
    static func placeholders(_ count: Int) -> String {
        var text = "?"
        text.reserveCapacity(count * 3)
        for _ in 1..<max(1, count) { text += ", ?" }
        return text
    }

    /// The stored values of `sql`'s indexed fields for the rows with hub keys `keys`, by key,
    /// in ``ResourceTable/indexedFields`` order: one query per hundred keys.
    static func indexedValues<R: HubRecord>(_ sql: ResourceTable<R>, keys: [String], _ db: Database) throws -> [String: [DatabaseValue]] {
        var values: [String: [DatabaseValue]] = [:]
        guard !sql.indexedFields.isEmpty else { return values }
        values.reserveCapacity(keys.count)
        let columns = sql.indexedFields.map { sql.columns.fieldColumns[$0] }.joined(separator: ", ")
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + rowsPerStatement, keys.count)]
            start += chunk.count
            let statement = try db.cachedStatement(
                sql: "SELECT \(sql.keyColumn), \(columns) FROM \(sql.table) WHERE \(sql.keyColumn) IN (\(placeholders(chunk.count)))")
            try DirectBinding.forEachRow(db, statement, chunk.map(\.databaseValue)) { row in
                guard let key = String.fromDatabaseValue(row[0]) else { return }
                values[key] = Array(row.dropFirst())
            }
        }
        return values
    }

    /// Whether a stored column value is exactly `value` (text compared byte for byte, not by
    /// Unicode equivalence), so an UPDATE may leave the column out.
    static func sameStoredValue(_ stored: DatabaseValue, _ value: DatabaseValue) -> Bool {
        switch (stored.storage, value.storage) {
        case (.null, .null): return true
        case (.int64(let a), .int64(let b)): return a == b
        case (.double(let a), .double(let b)): return a.bitPattern == b.bitPattern
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.blob(let a), .blob(let b)): return a == b
        default: return false
        }
    }

    /// Marks deleted, with events, the live media of the `parent` records `parentKeys` whose
    /// vendor key is not in `keeping` (every one when `keeping` is nil: the parents are gone).
    /// - Returns: how many were marked.
    static func deleteMedia(
        _ db: Database, tenant: String, parent: ResourceName, parentKeys: [String], keeping: Set<String>?, now: String
    ) throws -> Int {
        guard Media.parentResources.contains(parent), !parentKeys.isEmpty else { return 0 }
        let select = try db.cachedStatement(
            sql: """
                SELECT "MediaKey", "SourceSystemMediaKey", "ConnectionId" FROM "Media"
                WHERE tenant_id = ? AND "ResourceName" = ? AND "ResourceRecordKey" = ? AND "DeletedYN" = 0
                ORDER BY "MediaKey"
                """)
        let update = try db.cachedStatement(
            sql: "UPDATE \"Media\" SET \"DeletedYN\" = 1, \"ModificationTimestamp\" = ? WHERE \"MediaKey\" = ?")
        var count = 0
        var perConnection: [String: Int] = [:]
        for parentKey in parentKeys {
            let rows = try Row.fetchAll(select, arguments: [tenant, parent.rawValue, parentKey])
            for row in rows {
                let key: String = row[0]
                let sourceKey: String = row[1]
                let connectionID: String = row[2]
                if let keeping, keeping.contains(sourceKey) { continue }
                try update.execute(arguments: [now, key])
                try Self.appendEvent(db, tenant: tenant, resource: .media, key: key, change: .deleted, connectionID: connectionID, now: now)
                count += 1
                perConnection[connectionID, default: 0] += 1
            }
        }
        for (connectionID, deleted) in perConnection {
            try adjustLiveCount(db, tenant: tenant, resource: .media, connectionID: connectionID, by: -deleted)
        }
        return count
    }

    static func writeCursor(
        _ db: Database, tenant: String, connectionID: String, resource: ResourceName, cursor: String, now: String
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO sync_state (tenant_id, connection_id, resource, cursor, cursor_updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, connection_id, resource) DO UPDATE SET
                    cursor = excluded.cursor, cursor_updated_at = excluded.cursor_updated_at
                """,
            arguments: [tenant, connectionID, resource.rawValue, cursor, now])
    }

    public func markDeleted<R: HubRecord>(_ type: R.Type, sourceKeys: [String], scope: SyncScope) async throws -> Int {
        try await run { db in try Self.markDeleted(R.self, sourceKeys: sourceKeys, db, scope: scope).count }
    }

    /// Marks the connection's live records with these source keys deleted, each with its event
    /// and its media: the body of ``markDeleted(_:sourceKeys:scope:)``, and what a completed
    /// delete delivery does.
    /// - Returns: the hub keys newly marked, in `sourceKeys` order.
    static func markDeleted<R: HubRecord>(_ type: R.Type, sourceKeys: [String], _ db: Database, scope: SyncScope) throws -> [String] {
        let sql = ResourceTable<R>()
        let now = Timestamp.format(scope.now)
        var marked: [String] = []
        for sourceKey in sourceKeys {
            guard
                let key = try String.fetchOne(
                    db,
                    sql: """
                        SELECT \(sql.keyColumn) FROM \(sql.table) WHERE tenant_id = ? AND "ConnectionId" = ?
                        AND \(sql.sourceKeyColumn) = ? AND "DeletedYN" = 0
                        """,
                    arguments: [scope.tenant, scope.connectionID, sourceKey])
            else { continue }
            try db.execute(
                sql: "UPDATE \(sql.table) SET \"DeletedYN\" = 1, \"ModificationTimestamp\" = ? WHERE \(sql.keyColumn) = ?",
                arguments: [now, key])
            try Self.appendEvent(
                db, tenant: scope.tenant, resource: R.resource, key: key, change: .deleted,
                connectionID: scope.connectionID, now: now)
            _ = try Self.deleteMedia(db, tenant: scope.tenant, parent: R.resource, parentKeys: [key], keeping: nil, now: now)
            marked.append(key)
        }
        try adjustLiveCount(db, tenant: scope.tenant, resource: R.resource, connectionID: scope.connectionID, by: -marked.count)
        return marked
    }

    /// The hub key of the connection's record with `sourceKey`, deleted or not, or nil.
    static func recordKey<R: HubRecord>(_ type: R.Type, sourceKey: String, _ db: Database, scope: SyncScope) throws -> String? {
        let sql = ResourceTable<R>()
        return try String.fetchOne(
            db,
            sql: "SELECT \(sql.keyColumn) FROM \(sql.table) WHERE tenant_id = ? AND \"ConnectionId\" = ? AND \(sql.sourceKeyColumn) = ?",
            arguments: [scope.tenant, scope.connectionID, sourceKey])
    }

    public func record<R: HubRecord>(_ type: R.Type, tenant: String, key: String) async throws -> R? {
        let plan = try ListPlan<R>(ListQuery(perPage: 1, includeDeleted: true))
        let sql = PageSQL.recordSQL(plan)
        return try await read { db in
            // One statement per resource: kept prepared.
            guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [tenant, key]) else { return nil }
            return try Self.decode(row, plan: plan)
        }
    }

    public func list<R: HubRecord>(_ type: R.Type, tenant: String, query: ListQuery) async throws -> RecordPage<R> {
        let plan = try ListPlan<R>(query)
        let sql = PageSQL(plan, tenant: tenant)
        let counts = self.counts
        let epoch = counts.current
        return try await read { db in
            let total = try Self.total(sql, db, counts: counts, epoch: epoch)
            let rows = try Row.fetchAll(db.makeStatement(sql: sql.pageSQL), arguments: StatementArguments(sql.pageArguments))
            let records = try rows.map { try Self.decode($0, plan: plan) as R }
            return RecordPage(
                records: records, total: total, page: query.page, perPage: query.perPage,
                fields: plan.projection)
        }
    }

    public func liveRecordCounts(tenant: String) async throws -> [LiveRecordCount] {
        try await read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT connection_id, resource, live FROM record_counts WHERE tenant_id = ? AND live > 0 ORDER BY connection_id, resource"
                ), arguments: [tenant])
            return rows.compactMap { row in
                // A resource this build does not know (a newer build's) is left out.
                ResourceName(rawValue: row[1]).map { LiveRecordCount(connectionID: row[0], resource: $0, live: row[2]) }
            }
        }
    }

    /// Builds a record from a row holding `plan`'s metadata columns then its fields.
    static func decode<R: HubRecord>(_ row: Row, plan: ListPlan<R>) throws -> R {
        let names = MetadataFieldNames(R.resource)
        var metadata = RecordMetadata()
        for (index, column) in plan.metadataColumns.enumerated() {
            let value: DatabaseValue = row[index]
            switch column {
            case names.key: metadata.key = String.fromDatabaseValue(value)
            case names.sourceKey: metadata.sourceKey = String.fromDatabaseValue(value)
            case MetadataFieldNames.sourceSystemName: metadata.sourceSystemName = String.fromDatabaseValue(value)
            case MetadataFieldNames.connectionID: metadata.connectionID = String.fromDatabaseValue(value)
            case MetadataFieldNames.modificationTimestamp: metadata.modificationTimestamp = date(String.fromDatabaseValue(value))
            case MetadataFieldNames.originalEntryTimestamp: metadata.originalEntryTimestamp = date(String.fromDatabaseValue(value))
            case MetadataFieldNames.sourceModificationTimestamp:
                metadata.sourceModificationTimestamp = date(String.fromDatabaseValue(value))
            case MetadataFieldNames.sourceEntryTimestamp: metadata.sourceEntryTimestamp = date(String.fromDatabaseValue(value))
            case MetadataFieldNames.contentHash: metadata.contentHash = String.fromDatabaseValue(value)
            case MetadataFieldNames.deleted: metadata.deleted = (Int64.fromDatabaseValue(value) ?? 0) != 0
            case MetadataFieldNames.raw:
                if let text = String.fromDatabaseValue(value), let data = text.data(using: .utf8) {
                    metadata.raw = try? JSONValue(parsing: data)
                }
            default: break
            }
        }
        var record = R(metadata: metadata)
        let offset = plan.metadataColumns.count
        for (index, field) in plan.fields.enumerated() {
            let stored: DatabaseValue = row[offset + index]
            guard let value = FieldValue(database: stored, as: field.type), field.set(value, in: &record) else {
                throw StoreError.storage("column \(field.name) of \(R.resource.rawValue) holds a value that is not \(field.type.article)")
            }
        }
        return record
    }

    // MARK: - Sync state and full passes

    public func syncState(tenant: String, connectionID: String, resource: ResourceName) async throws -> SyncState? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT cursor, cursor_updated_at, pass_generation, pass_started_at, last_completed_generation,
                    last_completed_at FROM sync_state WHERE tenant_id = ? AND connection_id = ? AND resource = ?
                    """,
                arguments: [tenant, connectionID, resource.rawValue]
            ).map { row in
                SyncState(
                    cursor: row["cursor"], cursorUpdatedAt: Self.date(row["cursor_updated_at"]),
                    passGeneration: row["pass_generation"], passStartedAt: Self.date(row["pass_started_at"]),
                    lastCompletedGeneration: row["last_completed_generation"],
                    lastCompletedAt: Self.date(row["last_completed_at"]))
            }
        }
    }

    public func beginFullPass(tenant: String, connectionID: String, resource: ResourceName) async throws -> Int64 {
        try await run { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT pass_generation, last_completed_generation FROM sync_state
                    WHERE tenant_id = ? AND connection_id = ? AND resource = ?
                    """,
                arguments: [tenant, connectionID, resource.rawValue])
            let previous = max((row?["pass_generation"] as Int64?) ?? 0, (row?["last_completed_generation"] as Int64?) ?? 0)
            let generation = previous + 1
            try db.execute(
                sql: """
                    INSERT INTO sync_state (tenant_id, connection_id, resource, pass_generation, pass_started_at)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (tenant_id, connection_id, resource) DO UPDATE SET
                        pass_generation = excluded.pass_generation, pass_started_at = excluded.pass_started_at
                    """,
                arguments: [tenant, connectionID, resource.rawValue, generation, Timestamp.format(Date())])
            return generation
        }
    }

    public func completeFullPass(
        tenant: String, connectionID: String, resource: ResourceName, generation: Int64
    ) async throws -> Int {
        let table = "\"\(resource.rawValue)\""
        return try await run { db in
            let state = try Row.fetchOne(
                db,
                sql: "SELECT pass_generation, pass_started_at FROM sync_state WHERE tenant_id = ? AND connection_id = ? AND resource = ?",
                arguments: [tenant, connectionID, resource.rawValue])
            let current: Int64? = state?["pass_generation"]
            let started: String = state?["pass_started_at"] ?? ""
            guard current == generation else {
                throw StoreError.conflict(
                    "full pass \(generation) of \(resource.rawValue) on connection \(connectionID) is not the pass in progress")
            }
            let now = Timestamp.format(Date())
            let keyColumn = "\"\(resource.keyField)\""
            let keys = try String.fetchAll(
                db,
                sql: """
                    SELECT \(keyColumn) FROM \(table) WHERE tenant_id = ? AND "ConnectionId" = ? AND "DeletedYN" = 0
                    AND (seen_generation IS NULL OR seen_generation < ?) AND "ModificationTimestamp" < ?
                    """,
                arguments: [tenant, connectionID, generation, started])
            let update = try db.cachedStatement(
                sql: "UPDATE \(table) SET \"DeletedYN\" = 1, \"ModificationTimestamp\" = ? WHERE \(keyColumn) = ?")
            for key in keys {
                try update.execute(arguments: [now, key])
                try Self.appendEvent(
                    db, tenant: tenant, resource: resource, key: key, change: .deleted, connectionID: connectionID, now: now)
            }
            try Self.adjustLiveCount(db, tenant: tenant, resource: resource, connectionID: connectionID, by: -keys.count)
            _ = try Self.deleteMedia(db, tenant: tenant, parent: resource, parentKeys: keys, keeping: nil, now: now)
            try db.execute(
                sql: """
                    UPDATE sync_state SET pass_generation = NULL, pass_started_at = NULL,
                    last_completed_generation = ?, last_completed_at = ?
                    WHERE tenant_id = ? AND connection_id = ? AND resource = ?
                    """,
                arguments: [generation, now, tenant, connectionID, resource.rawValue])
            return keys.count
        }
    }
}
