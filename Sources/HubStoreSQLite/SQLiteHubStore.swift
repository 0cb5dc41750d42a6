public import Foundation
import GRDB
public import HubStore
public import RealtyModel
import Synchronization

/// The embedded store: one SQLite database in WAL mode inside a data folder, through GRDB.
///
/// Opening runs the migrations (refusing a database written by a newer binary) and records which
/// secret key the folder's credentials are sealed with, so a wrong key is reported at once.
public final class SQLiteHubStore: HubStorage {
    /// The database file's name inside the data folder.
    public static let databaseFileName = "realtyhub.sqlite"

    let writer: any DatabaseWriter
    let secretBox: SecretBox
    /// Counts of list queries, reused while nothing was written (see ``cachedCount(_:compute:)``).
    let counts = ListCountCache()
    /// Outbox writes committed together, durably (see ``GroupCommit``).
    let groupCommit: GroupCommit
    /// Wakes this process's delivery workers after a delivery is committed.
    let signal = OutboxSignal()
    /// See ``eventSignal()``.
    let events = OutboxSignal()

    /// Opens (creating if needed) the store in `directory`.
    /// - Throws: ``StoreError/schemaTooNew(_:)`` when the database has migrations this binary
    ///   does not know; ``StoreError/storage(_:underlying:)`` when the folder or file cannot be used.
    public convenience init(directory: URL, secretBox: SecretBox) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.storage("cannot create the data folder \(directory.path): \(error.localizedDescription)", underlying: error)
        }
        let path = directory.appendingPathComponent(Self.databaseFileName).path
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: Self.configuration())
        } catch {
            throw StoreError.storage("cannot open \(path): \(Self.describe(error))", underlying: error)
        }
        try self.init(writer: pool, secretBox: secretBox)
    }

    /// A private in-memory store, migrated like a file one (for tests and throwaway use).
    public static func inMemory(secretBox: SecretBox) throws -> SQLiteHubStore {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration())
        } catch {
            throw StoreError.storage("cannot open an in-memory database: \(describe(error))", underlying: error)
        }
        return try SQLiteHubStore(writer: queue, secretBox: secretBox)
    }

    init(writer: any DatabaseWriter, secretBox: SecretBox) throws {
        self.writer = writer
        self.secretBox = secretBox
        groupCommit = GroupCommit(writer: writer, mapError: Self.storeError)
        try migrate()
    }

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "realtyhub"
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL never corrupts and survives a killed process; only
            // an OS crash can lose the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A 16 MiB page cache per connection. 64 MiB was tried: it made a sync's memory grow
            // with the database (75 MiB at 10,000 records, 128 MiB at 1,000,000) and was no
            // faster (a 1,000,000-lead sync took 89.9 s with it, 87.1 s with 16 MiB), since the
            // random-keyed indexes outgrow either and the kernel's page cache holds the file.
            try db.execute(sql: "PRAGMA cache_size = -16384")
            // Checkpoint every 8,192 WAL pages (32 MiB) instead of SQLite's 1,000: an index page
            // rewritten by many commits is copied into the database once per checkpoint, and
            // each checkpoint's fsync is paid an eighth as often. Commits are as durable as before.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8192")
        }
        return configuration
    }

    /// The migration identifiers this binary knows, in order.
    public static var knownMigrations: [String] { SQLiteMigrations.migrator.migrations }

    private func migrate() throws {
        let migrator = SQLiteMigrations.migrator
        do {
            let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
            let unknown = applied.subtracting(migrator.migrations)
            if !unknown.isEmpty {
                throw StoreError.schemaTooNew(
                    "it has migrations \(unknown.sorted().joined(separator: ", ")) that this version of realtyhub does not know; upgrade realtyhub"
                )
            }
            try migrator.migrate(writer)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.storage("migration failed: \(Self.describe(error))", underlying: error)
        }
    }

    public func schemaStatus() async throws -> SchemaStatus {
        let migrator = SQLiteMigrations.migrator
        let applied = try await run { db in try migrator.appliedMigrations(db) }
        return SchemaStatus(applied: applied, known: migrator.migrations)
    }

    /// Checks that the configured secret key is the one this store's secrets are sealed with,
    /// registering it when the store has none yet.
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` when the store was set up with another key.
    public func checkSecretKey() async throws {
        let box = secretBox
        try await run { db in
            let rows = try Row.fetchAll(db, sql: "SELECT key_id, sealed FROM secret_key_check")
            let now = Timestamp.format(Date())
            if rows.isEmpty {
                let sealed = try box.seal(Data("realtyhub-key-check".utf8), context: "key-check")
                try db.execute(
                    sql: "INSERT INTO secret_key_check (key_id, sealed, created_at) VALUES (?, ?, ?)",
                    arguments: [sealed.keyID, sealed.combined, now])
                return
            }
            var known: [String] = []
            for row in rows {
                let keyID: String = row["key_id"]
                known.append(keyID)
                guard box.keys.contains(where: { $0.id == keyID }) else { continue }
                _ = try box.open(SecretBox.Sealed(keyID: keyID, combined: row["sealed"]), context: "key-check")
                if keyID != box.currentKeyID, !known.contains(box.currentKeyID) {
                    let sealed = try box.seal(Data("realtyhub-key-check".utf8), context: "key-check")
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO secret_key_check (key_id, sealed, created_at) VALUES (?, ?, ?)",
                        arguments: [sealed.keyID, sealed.combined, now])
                }
                return
            }
            throw StoreError.secretKey(
                "this data folder's secrets were sealed with key id \(known.sorted().joined(separator: ", ")), but the configured key id is \(box.currentKeyID): this is the wrong key"
            )
        }
    }

    // MARK: - Running work

    /// Runs `work` in one write transaction, mapping database errors to ``StoreError``.
    func run<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        defer { counts.invalidate() }
        do {
            let result = try await writer.write(work)
            events.notify()
            return result
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Runs `work` in the next durable group commit (see ``GroupCommit``): for writes that are
    /// answered as accepted, which must survive a power loss.
    func runDurably<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        defer { counts.invalidate() }
        let result = try await groupCommit.write(work)
        events.notify()
        return result
    }

    /// A ``StoreError`` for an error of a write.
    static func storeError(_ error: any Error) -> any Error {
        switch error {
        case let error as StoreError: return error
        case let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT:
            return StoreError.conflict(error.message ?? "constraint violated", underlying: error)
        default: return StoreError.storage(describe(error), underlying: error)
        }
    }

    /// Runs `work` as a read.
    func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await writer.read(work)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.storage(Self.describe(error), underlying: error)
        }
    }

    /// The row of `table` with `id` in `tenant`, made into a `T` by `make`, or nil.
    /// - Parameters:
    ///   - columns: the select list (static names, never input).
    ///   - table: the table (a static name, never input).
    func fetchOwned<T: Sendable>(
        _ columns: String, from table: String, id: String, tenant: String, _ make: @escaping @Sendable (Row) throws -> T
    ) async throws -> T? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(columns) FROM \(table) WHERE id = ? AND tenant_id = ?", arguments: [id, tenant])
                .map(make)
        }
    }

    /// A description of a database error without its statement arguments (which may hold
    /// personal data or secrets).
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "SQLite error \(error.resultCode.rawValue): \(error.message ?? "unknown")"
        }
        return String(describing: type(of: error))
    }

    // MARK: - Tenants

    public func createTenant(id: String, name: String) async throws -> Tenant {
        let tenant = Tenant(id: id, name: name, createdAt: Date())
        try await run { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM tenants WHERE id = ?", arguments: [id]) != nil {
                throw StoreError.conflict("tenant \(id) exists")
            }
            try db.execute(
                sql: "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)",
                arguments: [id, name, Timestamp.format(tenant.createdAt)])
        }
        return tenant
    }

    public func tenant(id: String) async throws -> Tenant? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT id, name, created_at FROM tenants WHERE id = ?", arguments: [id])
                .map(Self.tenant(from:))
        }
    }

    public func listTenants() async throws -> [Tenant] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, created_at FROM tenants ORDER BY id").map(Self.tenant(from:))
        }
    }

    private static func tenant(from row: Row) -> Tenant {
        Tenant(id: row["id"], name: row["name"], createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
    }

    static func date(_ text: String?) -> Date? { text.flatMap(Timestamp.parse) }

    // MARK: - Connections

    public func saveConnection(_ connection: Connection, credentials: Data?) async throws -> Connection {
        let sealed = try credentials.map { try secretBox.seal($0, context: "connection:\(connection.id)") }
        return try await run { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM tenants WHERE id = ?", arguments: [connection.tenantID]) != nil else {
                throw StoreError.notFound("tenant \(connection.tenantID)")
            }
            let existing = try Row.fetchOne(
                db, sql: "SELECT tenant_id, credentials_key_id FROM connections WHERE id = ?", arguments: [connection.id])
            if let existing, (existing["tenant_id"] as String) != connection.tenantID {
                throw StoreError.conflict("connection \(connection.id) belongs to another tenant")
            }
            if let other = try Row.fetchOne(
                db, sql: "SELECT id FROM connections WHERE tenant_id = ? AND name = ? AND id != ?",
                arguments: [connection.tenantID, connection.name, connection.id])
            {
                throw StoreError.conflict(
                    "tenant \(connection.tenantID) already has a connection named \"\(connection.name)\" (\(other["id"] as String))")
            }
            let hasCredentials = sealed != nil || (existing?["credentials_key_id"] as String?) != nil
            var saved = connection
            saved.hasCredentials = hasCredentials
            let arguments: StatementArguments = [
                connection.id, connection.tenantID, connection.vendor, connection.name, connection.baseURL,
                connection.authURL, connection.syncIntervalSeconds, connection.enabled,
                Timestamp.format(connection.createdAt), Timestamp.format(connection.updatedAt),
            ]
            if existing == nil {
                try db.execute(
                    sql: """
                        INSERT INTO connections (id, tenant_id, vendor, name, base_url, auth_url, sync_interval_seconds,
                            enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: arguments)
            } else {
                try db.execute(
                    sql: """
                        UPDATE connections SET tenant_id = ?, vendor = ?, name = ?, base_url = ?, auth_url = ?,
                            sync_interval_seconds = ?, enabled = ?, updated_at = ? WHERE id = ?
                        """,
                    arguments: [
                        connection.tenantID, connection.vendor, connection.name, connection.baseURL, connection.authURL,
                        connection.syncIntervalSeconds, connection.enabled, Timestamp.format(connection.updatedAt),
                        connection.id,
                    ])
            }
            try db.execute(
                sql: """
                    UPDATE connections SET requests_per_second = ?, max_concurrency = ?, daily_requests = ?,
                        delivery_reserve_percent = ?, options = ?, reread_interval_seconds = ? WHERE id = ?
                    """,
                arguments: [
                    connection.requestsPerSecond, connection.maxConcurrency, connection.dailyRequests,
                    connection.deliveryReservePercent, try ConnectionOptionsColumn.encode(connection.options),
                    connection.rereadIntervalSeconds, connection.id,
                ])
            if let sealed {
                try db.execute(
                    sql: "UPDATE connections SET credentials_key_id = ?, credentials = ? WHERE id = ?",
                    arguments: [sealed.keyID, sealed.combined, connection.id])
            }
            return saved
        }
    }

    private static let connectionColumns = """
        id, tenant_id, vendor, name, base_url, auth_url, sync_interval_seconds, enabled, credentials_key_id,
        created_at, updated_at, requests_per_second, max_concurrency, daily_requests, delivery_reserve_percent, options,
        reread_interval_seconds
        """

    public func connection(id: String, tenant: String) async throws -> Connection? {
        try await fetchOwned(Self.connectionColumns, from: "connections", id: id, tenant: tenant, Self.connection(from:))
    }

    public func listConnections(tenant: String?) async throws -> [Connection] {
        try await read { db in
            if let tenant {
                return try Row.fetchAll(
                    db, sql: "SELECT \(Self.connectionColumns) FROM connections WHERE tenant_id = ? ORDER BY name",
                    arguments: [tenant]
                ).map(Self.connection(from:))
            }
            return try Row.fetchAll(db, sql: "SELECT \(Self.connectionColumns) FROM connections ORDER BY tenant_id, name")
                .map(Self.connection(from:))
        }
    }

    public func deleteConnection(id: String, tenant: String) async throws -> Bool {
        try await run { db in
            try db.execute(sql: "DELETE FROM connections WHERE id = ? AND tenant_id = ?", arguments: [id, tenant])
            let removed = db.changesCount > 0
            if removed {
                try db.execute(
                    sql: "DELETE FROM sync_state WHERE tenant_id = ? AND connection_id = ?", arguments: [tenant, id])
                try db.execute(
                    sql: "DELETE FROM pull_jobs WHERE tenant_id = ? AND connection_id = ?", arguments: [tenant, id])
            }
            return removed
        }
    }

    public func credentials(connectionID: String, tenant: String) async throws -> Data? {
        let stored: (found: Bool, keyID: String?, combined: Data?) = try await read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT credentials_key_id, credentials FROM connections WHERE id = ? AND tenant_id = ?",
                    arguments: [connectionID, tenant])
            else { return (false, nil, nil) }
            return (true, row["credentials_key_id"], row["credentials"])
        }
        guard stored.found else { throw StoreError.notFound("connection \(connectionID)") }
        guard let keyID = stored.keyID, let combined = stored.combined else { return nil }
        return try secretBox.open(SecretBox.Sealed(keyID: keyID, combined: combined), context: "connection:\(connectionID)")
    }

    private static func connection(from row: Row) -> Connection {
        var connection = Connection(
            id: row["id"], tenantID: row["tenant_id"], vendor: row["vendor"], name: row["name"],
            baseURL: row["base_url"], authURL: row["auth_url"], syncIntervalSeconds: row["sync_interval_seconds"],
            enabled: row["enabled"], hasCredentials: (row["credentials_key_id"] as String?) != nil,
            createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            updatedAt: date(row["updated_at"]) ?? Date(timeIntervalSince1970: 0))
        connection.requestsPerSecond = row["requests_per_second"]
        connection.maxConcurrency = row["max_concurrency"]
        connection.dailyRequests = row["daily_requests"]
        connection.deliveryReservePercent = row["delivery_reserve_percent"]
        connection.options = ConnectionOptionsColumn.decode(row["options"])
        connection.rereadIntervalSeconds = row["reread_interval_seconds"]
        return connection
    }

    // MARK: - API clients

    public func createAPIClient(_ client: APIClient) async throws {
        try await run { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM tenants WHERE id = ?", arguments: [client.tenantID]) != nil
            else { throw StoreError.notFound("tenant \(client.tenantID)") }
            if try Row.fetchOne(db, sql: "SELECT 1 FROM api_clients WHERE id = ?", arguments: [client.id]) != nil {
                throw StoreError.conflict("API client \(client.id) exists")
            }
            try db.execute(
                sql: """
                    INSERT INTO api_clients (id, tenant_id, name, secret_hash, scopes, enabled, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    client.id, client.tenantID, client.name, client.secretHash, client.scopes.joined(separator: " "),
                    client.enabled, Timestamp.format(client.createdAt),
                ])
        }
    }

    public func apiClient(id: String) async throws -> APIClient? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_clients WHERE id = ?", arguments: [id]).map(Self.apiClient(from:))
        }
    }

    public func listAPIClients(tenant: String?) async throws -> [APIClient] {
        try await read { db in
            if let tenant {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM api_clients WHERE tenant_id = ? ORDER BY name, id", arguments: [tenant]
                ).map(Self.apiClient(from:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM api_clients ORDER BY tenant_id, name, id")
                .map(Self.apiClient(from:))
        }
    }

    public func deleteAPIClient(id: String, tenant: String) async throws -> Bool {
        try await run { db in
            try db.execute(sql: "DELETE FROM api_clients WHERE id = ? AND tenant_id = ?", arguments: [id, tenant])
            return db.changesCount > 0
        }
    }

    private static func apiClient(from row: Row) -> APIClient {
        let scopes: String = row["scopes"]
        return APIClient(
            id: row["id"], tenantID: row["tenant_id"], name: row["name"], secretHash: row["secret_hash"],
            scopes: scopes.split(separator: " ").map(String.init), enabled: row["enabled"],
            createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
    }

    // MARK: - Change feed

    /// The record resources as an SQL list (`'Member', 'Office', ...`): constants, never input.
    static let recordResourceList = HubEvent.recordResources.map { "'\($0)'" }.joined(separator: ", ")

    public func events(tenant: String, after: Int64, limit: Int) async throws -> [EntityEvent] {
        try await read { db in
            // The hub's own events are left out here, before the limit, so a page is full.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sequence, resource, record_key, change, connection_id, timestamp FROM entity_events
                    WHERE tenant_id = ? AND sequence > ? AND resource IN (\(Self.recordResourceList)) ORDER BY sequence LIMIT ?
                    """,
                arguments: [tenant, after, max(0, limit)]
            ).compactMap(Self.recordEvent(from:))
        }
    }

    public func webhookEvents(tenant: String, after: Int64, limit: Int) async throws -> [WebhookFeedEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT sequence, resource, record_key, change, connection_id, timestamp FROM entity_events
                    WHERE tenant_id = ? AND sequence > ? ORDER BY sequence LIMIT ?
                    """,
                arguments: [tenant, after, max(0, limit)]
            ).compactMap { row -> WebhookFeedEvent? in
                if let kind = HubEvent.Kind(resource: row["resource"], change: row["change"]) {
                    return .hub(
                        HubEvent(
                            sequence: row["sequence"], kind: kind, subjectID: row["record_key"], connectionID: row["connection_id"],
                            timestamp: Self.date(row["timestamp"]) ?? Date(timeIntervalSince1970: 0)))
                }
                return Self.recordEvent(from: row).map(WebhookFeedEvent.record)
            }
        }
    }

    static func recordEvent(from row: Row) -> EntityEvent? {
        guard let resource = ResourceName(rawValue: row["resource"]), let change = EntityEvent.Change(rawValue: row["change"]) else {
            return nil
        }
        return EntityEvent(
            sequence: row["sequence"], resourceName: resource, resourceRecordKey: row["record_key"], change: change,
            connectionID: row["connection_id"], timestamp: Self.date(row["timestamp"]) ?? Date(timeIntervalSince1970: 0))
    }

    /// Appends one hub event of `kind` per subject (a delivery or a run: its tenant, id and
    /// connection), inside the transaction of the state change that causes it.
    static func appendHubEvents(
        _ db: Database, _ kind: HubEvent.Kind, subjects: [(tenant: String, id: String, connectionID: String?)], now: String
    ) throws {
        guard !subjects.isEmpty else { return }
        // Prepared once per connection: a delivery's completion runs it every time.
        let statement = try db.cachedStatement(
            sql: "INSERT INTO entity_events (tenant_id, resource, record_key, change, connection_id, timestamp) VALUES (?, ?, ?, ?, ?, ?)")
        for subject in subjects {
            try statement.execute(arguments: [subject.tenant, kind.resource, subject.id, kind.change, subject.connectionID, now])
        }
    }

    /// Appends the events of one batch, in order, each linked to its record's previous event,
    /// and points each record's row at its newest (`last_event_sequence`): a record's change
    /// list walks that chain (see ``recordEvents(tenant:resource:key:limit:)``), so no index of
    /// the change feed by record is written with every change. For writes whose rows are
    /// already written; an upsert links its rows in the same write instead (see `write`).
    static func appendEvents(
        _ db: Database, tenant: String, resource: ResourceName, _ events: [(key: String, change: EntityEvent.Change)],
        connectionID: String?, now: String
    ) throws {
        guard !events.isEmpty else { return }
        let table = "\"\(resource.rawValue)\""
        let keyColumn = "\"\(resource.keyField)\""
        // Each record's newest event before these, then each event's predecessor in order (a
        // record may change twice in one batch).
        var latest: [String: Int64] = [:]
        let read = try db.cachedStatement(sql: "SELECT last_event_sequence FROM \(table) WHERE \(keyColumn) = ?")
        for key in Set(events.map(\.key)) {
            if let sequence = try Int64.fetchOne(read, arguments: [key]) { latest[key] = sequence }
        }
        let linked = events.map { event in (event.key, event.change, latest[event.key]) }
        let sequences = try appendLinkedEvents(db, tenant: tenant, resource: resource, linked, connectionID: connectionID, now: now)
        for (event, sequence) in zip(events, sequences) { latest[event.key] = sequence }
        let link = try db.cachedStatement(sql: "UPDATE \(table) SET last_event_sequence = ? WHERE \(keyColumn) = ?")
        for (key, sequence) in latest.sorted(by: { $0.key < $1.key }) {
            try DirectBinding.execute(db, link, [sequence.databaseValue, key.databaseValue])
        }
    }

    /// Inserts events up to a hundred per statement, in order, each with its given previous
    /// event, or the one before it in `events` when the same record changes again there.
    /// - Returns: each event's sequence.
    static func appendLinkedEvents(
        _ db: Database, tenant: String, resource: ResourceName, _ events: [(key: String, change: EntityEvent.Change, previous: Int64?)],
        connectionID: String?, now: String
    ) throws -> [Int64] {
        var sequences: [Int64] = []
        sequences.reserveCapacity(events.count)
        var appended: [String: Int64] = [:]
        var start = 0
        while start < events.count {
            // A record's second event in a chunk needs the first's sequence: the chunk ends before it.
            var end = start
            var keys = Set<String>()
            while end < events.count, end - start < rowsPerStatement, keys.insert(events[end].key).inserted { end += 1 }
            let chunk = events[start..<end]
            start = end
            let statement = try db.cachedStatement(
                sql:
                    "INSERT INTO entity_events (tenant_id, resource, record_key, change, connection_id, timestamp, previous_sequence) VALUES "
                    + Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", "))
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(chunk.count * 7)
            for event in chunk {
                arguments += [
                    tenant.databaseValue, resource.rawValue.databaseValue, event.key.databaseValue, event.change.rawValue.databaseValue,
                    connectionID.databaseValue, now.databaseValue, (appended[event.key] ?? event.previous).databaseValue,
                ]
            }
            try DirectBinding.execute(db, statement, arguments)
            // The rows of one INSERT take consecutive sequence numbers in the order of its
            // VALUES (AUTOINCREMENT: each row one more than the largest ever; one writer).
            var sequence = db.lastInsertedRowID - Int64(chunk.count) + 1
            for event in chunk {
                appended[event.key] = sequence
                sequences.append(sequence)
                sequence += 1
            }
        }
        return sequences
    }

    /// Adds `delta` to the number of live `resource` records the tenant holds through
    /// `connectionID`, and `inserted` to the number of its rows, deleted or not (the
    /// `record_counts` table list totals and the dashboard's counts read). Every write that
    /// makes records live or deleted, or inserts them, calls it once per connection, in its
    /// transaction, with the net change.
    static func adjustLiveCount(
        _ db: Database, tenant: String, resource: ResourceName, connectionID: String, by delta: Int, inserted: Int = 0
    ) throws {
        guard delta != 0 || inserted != 0 else { return }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO record_counts (tenant_id, resource, connection_id, live, stored) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (tenant_id, resource, connection_id) DO UPDATE
                SET live = live + excluded.live, stored = stored + excluded.stored
                """)
        try statement.execute(arguments: [tenant, resource.rawValue, connectionID, delta, inserted])
    }

    static func appendEvent(
        _ db: Database, tenant: String, resource: ResourceName, key: String, change: EntityEvent.Change,
        connectionID: String?, now: String
    ) throws {
        try appendEvents(db, tenant: tenant, resource: resource, [(key, change)], connectionID: connectionID, now: now)
    }
}
