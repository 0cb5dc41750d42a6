public import Foundation
public import HubStore
public import Logging
import NIOCore
import PostgresNIO
public import RealtyModel
import Synchronization

/// The scale-out store: PostgreSQL through PostgresNIO, shared by any number of hub processes.
///
/// It keeps the same data as ``HubStoreSQLite`` in the same shape (one table per resource with
/// RESO columns and `raw` as `jsonb`) and passes the same contract suite. What differs is how
/// processes coordinate: deliveries are claimed with `FOR UPDATE SKIP LOCKED`, pull jobs are
/// leased with a conditional upsert, migrations run under an advisory lock, and change-feed
/// events are numbered under a transaction-scoped advisory lock so that sequence order is
/// commit order (a reader never sees event N+1 before event N).
///
/// Open it with ``open(_:secretBox:logger:)``, which starts the client's background task and
/// migrates; call ``close()`` when done.
public final class PostgresHubStore: HubStorage {
    let client: PostgresClient
    let secretBox: SecretBox
    let logger: Logger
    /// Where the database is, with the password redacted.
    public let configuration: PostgresStoreConfiguration
    private let runTask: Task<Void, Never>
    /// Wakes delivery workers: after this process's commits, and after other processes' once
    /// the listener runs (see ``outboxSignal()``).
    let signal = OutboxSignal()
    /// See ``eventSignal()``.
    let events = OutboxSignal()
    /// The task listening for other processes' outbox commits, once a worker asked for them.
    let listener = Mutex<Task<Void, Never>?>(nil)

    private init(configuration: PostgresStoreConfiguration, secretBox: SecretBox, logger: Logger) {
        self.configuration = configuration
        self.secretBox = secretBox
        self.logger = logger
        let client = PostgresClient(configuration: configuration.clientConfiguration(), backgroundLogger: logger)
        self.client = client
        // The client only leases connections while `run()` is active; it runs for the store's
        // lifetime and is cancelled by `close()` (or, as a safety net, when the store is freed).
        let (started, signal) = AsyncStream<Void>.makeStream()
        self.started = started
        runTask = Task {
            signal.finish()
            await client.run()
        }
    }

    /// Finishes once the client's task has begun running it.
    private let started: AsyncStream<Void>

    deinit {
        runTask.cancel()
        listener.withLock { $0?.cancel() }
    }

    /// Connects, runs the migrations (under an advisory lock, so processes starting together
    /// do not race) and returns the store.
    /// - Throws: ``StoreError/schemaTooNew(_:)`` when the database has migrations this binary
    ///   does not know; ``StoreError/storage(_:underlying:)`` when the server cannot be used.
    public static func open(
        _ configuration: PostgresStoreConfiguration, secretBox: SecretBox, logger: Logger = Logger(label: "realtyhub.postgres")
    ) async throws -> PostgresHubStore {
        // One direct connection first: a wrong address, password or TLS setting then fails
        // at once with its real cause, instead of after the pool's retries.
        do {
            let probe = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 0, logger: logger)
            try? await probe.close()
        } catch {
            throw describe(error, configuration: configuration)
        }
        let store = PostgresHubStore(configuration: configuration, secretBox: secretBox, logger: logger)
        for await _ in store.started {}
        do {
            try await store.migrate()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Stops the client: open connections are closed and later calls fail.
    public func close() async {
        if let task = listener.withLock({ $0 }) {
            task.cancel()
            await task.value
        }
        runTask.cancel()
        await runTask.value
    }

    /// The migration names this binary knows, in order.
    public static var knownMigrations: [String] { PostgresMigrations.names }

    // MARK: - Migrations

    private func migrate() async throws {
        try await transaction { connection in
            // One migrator per schema at a time; released with the transaction.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.realtyhub.migrations'))", logger: self.logger)
            try await connection.query(PostgresQuery(unsafeSQL: PostgresMigrations.bookkeeping), logger: self.logger)
            var applied: [String] = []
            for try await row in try await connection.query("SELECT name FROM schema_migrations ORDER BY name", logger: self.logger) {
                applied.append(try row.decode(String.self))
            }
            let known = Set(PostgresMigrations.names)
            let unknown = applied.filter { !known.contains($0) }
            if !unknown.isEmpty {
                throw StoreError.schemaTooNew(
                    "it has migrations \(unknown.sorted().joined(separator: ", ")) that this version of realtyhub does not know; upgrade realtyhub"
                )
            }
            for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: self.logger)
                self.logger.info("applied migration", metadata: ["hub.migration": "\(migration.name)"])
            }
        }
    }

    public func schemaStatus() async throws -> SchemaStatus {
        let applied = try await read { connection in
            var names: [String] = []
            for try await row in try await connection.query("SELECT name FROM schema_migrations", logger: self.logger) {
                names.append(try row.decode(String.self))
            }
            return names
        }
        // Known migrations in their registered order, then any unknown ones.
        let known = PostgresMigrations.names
        let ordered = known.filter(applied.contains) + applied.filter { !known.contains($0) }.sorted()
        return SchemaStatus(applied: ordered, known: known)
    }

    /// Checks that the configured secret key is the one this database's secrets are sealed
    /// with, registering it when the database has none yet.
    /// - Throws: ``StoreError/secretKey(_:underlying:)`` when the database was set up with another key.
    public func checkSecretKey() async throws {
        let box = secretBox
        try await transaction { connection in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.realtyhub.key-check'))", logger: self.logger)
            var rows: [(String, Data)] = []
            for try await row in try await connection.query(
                "SELECT key_id, sealed FROM secret_key_check ORDER BY created_at", logger: self.logger)
            {
                rows.append(try row.decode((String, Data).self))
            }
            let now = PGTimestamp(Date())
            if rows.isEmpty {
                let sealed = try box.seal(Data("realtyhub-key-check".utf8), context: "key-check")
                try await connection.query(
                    "INSERT INTO secret_key_check (key_id, sealed, created_at) VALUES (\(sealed.keyID), \(sealed.combined), \(now))",
                    logger: self.logger)
                return
            }
            let known = rows.map(\.0)
            for (keyID, combined) in rows where box.keys.contains(where: { $0.id == keyID }) {
                _ = try box.open(SecretBox.Sealed(keyID: keyID, combined: combined), context: "key-check")
                if keyID != box.currentKeyID, !known.contains(box.currentKeyID) {
                    let sealed = try box.seal(Data("realtyhub-key-check".utf8), context: "key-check")
                    try await connection.query(
                        """
                        INSERT INTO secret_key_check (key_id, sealed, created_at) VALUES (\(sealed.keyID), \(sealed.combined), \(now))
                        ON CONFLICT (key_id) DO NOTHING
                        """,
                        logger: self.logger)
                }
                return
            }
            throw StoreError.secretKey(
                "this database's secrets were sealed with key id \(known.sorted().joined(separator: ", ")), but the configured key id is \(box.currentKeyID): this is the wrong key (give every process the same REALTYHUB_SECRET_KEY)"
            )
        }
    }

    // MARK: - Running work

    /// Runs `work` in one transaction on one pooled connection, mapping errors to ``StoreError``.
    /// The transaction commits when `work` returns and rolls back when it throws; with
    /// `readOnlySnapshot` it is a read-only, repeatable-read transaction.
    @discardableResult
    func transaction<T: Sendable>(
        readOnlySnapshot: Bool = false, _ work: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await client.withConnection { connection in
                // A read of several statements (a count and its page) sees one snapshot.
                try await connection.query(
                    readOnlySnapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN", logger: self.logger)
                do {
                    let result = try await work(connection)
                    try await connection.query("COMMIT", logger: self.logger)
                    if !readOnlySnapshot { self.events.notify() }
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: self.logger)
                    throw error
                }
            }
        } catch {
            throw describe(error)
        }
    }

    /// Runs `work` outside an explicit transaction (each statement commits on its own).
    func read<T: Sendable>(_ work: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in try await work(connection) }
        } catch {
            throw describe(error)
        }
    }

    /// The rows of one query, collected.
    func rows(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// The number of rows a statement changed.
    func execute(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> Int {
        var count = 0
        // Statements that change rows return them (RETURNING 1) so the count is exact.
        for try await _ in try await connection.query(query, logger: logger) { count += 1 }
        return count
    }

    /// A ``StoreError`` for a database error, naming the server's SQLSTATE and message but
    /// never the statement's arguments or the connection password.
    func describe(_ error: any Error) -> StoreError {
        Self.describe(error, configuration: configuration)
    }

    static func describe(_ error: any Error, configuration: PostgresStoreConfiguration) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PSQLError {
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? "?"
                let message = error.serverInfo?[.message] ?? "server error"
                if state.hasPrefix("23") { return .conflict(message, underlying: error) }
                if state == "28P01" || state == "28000" {
                    return .storage("PostgreSQL at \(configuration.endpoint) refused the login: \(message)", underlying: error)
                }
                return .storage("PostgreSQL error \(state): \(message)", underlying: error)
            }
            if error.code == .sslUnsupported {
                return .storage(
                    "PostgreSQL at \(configuration.endpoint) does not offer TLS, which sslmode=\(configuration.tlsMode.rawValue) requires",
                    underlying: error)
            }
            let underlying = error.underlying.map { ": \(safeDescription($0))" } ?? ""
            return .storage("PostgreSQL at \(configuration.endpoint): \(error.code)\(underlying)", underlying: error)
        }
        if let error = error as? PostgresDecodingError {
            return .storage("unexpected value in column \(error.columnName) (\(error.code))", underlying: error)
        }
        return .storage("PostgreSQL at \(configuration.endpoint): \(safeDescription(error))", underlying: error)
    }

    /// Describes an error that is not a server message, without its arguments.
    private static func safeDescription(_ error: any Error) -> String {
        if error is PSQLError { return "\((error as? PSQLError)?.code.description ?? "error")" }
        let text = String(describing: error)
        // Network errors name the address and the OS error; anything long is cut.
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }

    /// The start of a statement appending change-feed rows: the lock that orders them (see
    /// ``appendEvents(_:tenant:resource:events:connectionID:now:)``), as a one-row `lock` to join,
    /// and the notification on ``eventsChannel`` that wakes other processes' webhook workers
    /// when the transaction commits (one per transaction, however many statements send it).
    static let eventOrderLock =
        "WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.realtyhub.events')), pg_notify('\(eventsChannel)', coalesce(current_schema(), '')))"

    /// Appends one hub event of `kind` per subject (a delivery or a run: its tenant, id and
    /// connection), in order, inside the transaction of the state change that causes it; under
    /// the lock that orders the change feed, like record events.
    func appendHubEvents(
        _ connection: PostgresConnection, _ kind: HubEvent.Kind, subjects: [(tenant: String, id: String, connectionID: String)],
        now: Date
    ) async throws {
        guard !subjects.isEmpty else { return }
        try await connection.query(
            """
            \(unescaped: Self.eventOrderLock)
            INSERT INTO entity_events (tenant_id, resource, record_key, change, connection_id, "timestamp")
            SELECT e.tenant, \(kind.resource), e.id, \(kind.change), e.connection, \(PGTimestamp(now))
            FROM lock, unnest(\(subjects.map(\.tenant))::text[], \(subjects.map(\.id))::text[], \(subjects.map(\.connectionID))::text[])
                WITH ORDINALITY AS e(tenant, id, connection, n)
            ORDER BY e.n
            """,
            logger: logger)
    }

    /// Adds `delta` to the number of live `resource` records `tenant` holds through
    /// `connectionID`, and `inserted` to the number of its rows deleted or not
    /// (`record_counts`). Every write that makes records live or deleted, or inserts them,
    /// calls it, in its transaction, after the rows it changed (so the count row is the last
    /// lock a write of one resource takes, and writers of one connection queue on it without
    /// deadlock).
    func adjustLiveCount(
        _ connection: PostgresConnection, tenant: String, resource: ResourceName, connectionID: String, by delta: Int,
        inserted: Int = 0
    ) async throws {
        guard delta != 0 || inserted != 0 else { return }
        try await connection.query(
            """
            INSERT INTO record_counts (tenant_id, resource, connection_id, live, stored)
            VALUES (\(tenant), \(resource.rawValue), \(connectionID), \(Int64(delta)), \(Int64(inserted)))
            ON CONFLICT (tenant_id, resource, connection_id) DO UPDATE
            SET live = record_counts.live + excluded.live, stored = record_counts.stored + excluded.stored
            """, logger: logger)
    }

    /// Appends events for `keys` (in order), all of one resource and connection, each linked
    /// to its record's previous event, and points each record's row at its newest
    /// (`last_event_sequence`): a record's change list walks that chain (see
    /// ``recordEvents(tenant:resource:key:limit:)``). For writes whose rows are already
    /// written; an upsert links its rows in the same write instead (see `write`).
    func appendEvents(
        _ connection: PostgresConnection, tenant: String, resource: ResourceName, events: [(key: String, change: EntityEvent.Change)],
        connectionID: String?, now: Date
    ) async throws {
        guard !events.isEmpty else { return }
        let table = "\"\(resource.rawValue)\""
        let keyColumn = "\"\(resource.keyField)\""
        // Each record's newest event before these: one key probe per record (not `= ANY`,
        // which an unanalyzed table's planner answers with a scan).
        let keys = Array(Set(events.map(\.key))).sorted()
        var read = SQLStatement()
        let keysParameter = try read.bind(keys)
        read.append(
            """
            SELECT r.\(keyColumn), r.last_event_sequence FROM unnest(\(keysParameter)::text[]) AS k(key)
            CROSS JOIN LATERAL (SELECT \(keyColumn), last_event_sequence FROM \(table) WHERE \(keyColumn) = k.key) AS r
            """)
        var latest: [String: Int64] = [:]
        for row in try await self.rows(connection, read.query) {
            let (key, sequence) = try row.decode((String, Int64?).self)
            if let sequence { latest[key] = sequence }
        }
        let sequences = try await appendLinkedEvents(
            connection, tenant: tenant, resource: resource, events: events.map { ($0.key, $0.change, latest[$0.key]) },
            connectionID: connectionID, now: now)
        var link = SQLStatement()
        let linkKeys = try link.bind(keys)
        let linkSequences = try link.bind(keys.map { sequences[$0] ?? 0 })
        link.append(
            """
            UPDATE \(table) SET last_event_sequence = u.sequence
            FROM unnest(\(linkKeys)::text[], \(linkSequences)::bigint[]) AS u(key, sequence) WHERE \(table).\(keyColumn) = u.key
            """)
        try await connection.query(link.query, logger: logger)
    }

    /// Inserts events in order, each with its given previous event, or the one before it in
    /// `events` when the same record changes again there.
    /// - Returns: the sequence of each record's newest event among these, by hub key.
    func appendLinkedEvents(
        _ connection: PostgresConnection, tenant: String, resource: ResourceName,
        events: [(key: String, change: EntityEvent.Change, previous: Int64?)], connectionID: String?, now: Date
    ) async throws -> [String: Int64] {
        var appended: [String: Int64] = [:]
        var start = 0
        while start < events.count {
            // A record's second event needs the first's sequence: a statement ends before it.
            var end = start
            var keys = Set<String>()
            while end < events.count, keys.insert(events[end].key).inserted { end += 1 }
            let group = events[start..<end]
            start = end
            var statement = SQLStatement()
            let tenantParameter = try statement.bind(tenant)
            let resourceParameter = try statement.bind(resource.rawValue)
            let connectionParameter = try statement.bind(connectionID)
            let timeParameter = statement.bind(date: now)
            let keysParameter = try statement.bind(group.map(\.key))
            let changesParameter = try statement.bind(group.map(\.change.rawValue))
            var previous = PGColumn(.int8)
            for event in group { previous.append(appended[event.key] ?? event.previous) }
            let previousParameter = try statement.bind(previous)
            // The statement takes the lock that orders change-feed events, held until the
            // transaction ends so events are numbered in commit order across every process (one
            // round trip, not two): no row reaches the insert, and so no sequence number is
            // drawn, before the one-row `lock` each row is joined to has been read.
            statement.append(
                """
                \(Self.eventOrderLock)
                INSERT INTO entity_events (tenant_id, resource, record_key, change, connection_id, "timestamp", previous_sequence)
                SELECT \(tenantParameter), \(resourceParameter), e.key, e.change, \(connectionParameter), \(timeParameter), e.previous
                FROM lock, unnest(\(keysParameter)::text[], \(changesParameter)::text[], \(previousParameter)::bigint[])
                    WITH ORDINALITY AS e(key, change, previous, n)
                ORDER BY e.n
                RETURNING sequence, record_key
                """)
            for row in try await self.rows(connection, statement.query) {
                let (sequence, key) = try row.decode((Int64, String).self)
                appended[key] = sequence
            }
        }
        return appended
    }

    // MARK: - Cross-process lock

    /// Holds a session advisory lock on a connection of its own (outside the pool, so waiting
    /// for the lock never takes a pooled connection `body` may need) while `body` runs. A
    /// process that dies drops its connection and with it the lock.
    public func withCrossProcessLock<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 1, logger: logger)
        } catch {
            throw describe(error)
        }
        let key = "realtyhub.lock." + name
        do {
            // A holder that hangs does not block the others for ever.
            try await connection.query("SET lock_timeout = '60s'", logger: logger)
            try await connection.query("SELECT pg_advisory_lock(hashtext(current_schema() || '.' || \(key)))", logger: logger)
        } catch {
            try? await connection.close()
            throw describe(error)
        }
        do {
            let result = try await body()
            _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(current_schema() || '.' || \(key)))", logger: logger)
            try? await connection.close()
            return result
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(current_schema() || '.' || \(key)))", logger: logger)
            try? await connection.close()
            throw error
        }
    }

    // MARK: - Tenants

    public func createTenant(id: String, name: String) async throws -> Tenant {
        let tenant = Tenant(id: id, name: name, createdAt: PGRead.millis(Date()))
        let inserted = try await transaction { connection in
            try await self.execute(
                connection,
                """
                INSERT INTO tenants (id, name, created_at) VALUES (\(id), \(name), \(PGTimestamp(tenant.createdAt)))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """)
        }
        if inserted == 0 { throw StoreError.conflict("tenant \(id) exists") }
        return tenant
    }

    public func tenant(id: String) async throws -> Tenant? {
        try await read { connection in
            try await self.rows(connection, "SELECT id, name, created_at FROM tenants WHERE id = \(id)")
                .first.map(Self.tenant(from:))
        }
    }

    public func listTenants() async throws -> [Tenant] {
        try await read { connection in
            try await self.rows(connection, "SELECT id, name, created_at FROM tenants ORDER BY id").map(Self.tenant(from:))
        }
    }

    private static func tenant(from row: PostgresRow) throws -> Tenant {
        let columns = row.makeRandomAccess()
        return Tenant(
            id: try columns[0].decode(String.self), name: try columns[1].decode(String.self),
            createdAt: try PGRead.requiredDate(columns[2]))
    }

    // MARK: - Connections

    public func saveConnection(_ connection: Connection, credentials: Data?) async throws -> Connection {
        let sealed = try credentials.map { try secretBox.seal($0, context: "connection:\(connection.id)") }
        return try await transaction { db in
            guard try await !self.rows(db, "SELECT 1 FROM tenants WHERE id = \(connection.tenantID)").isEmpty else {
                throw StoreError.notFound("tenant \(connection.tenantID)")
            }
            let existing = try await self.rows(
                db, "SELECT tenant_id, credentials_key_id FROM connections WHERE id = \(connection.id) FOR UPDATE"
            ).first.map { try $0.decode((String, String?).self) }
            if let existing, existing.0 != connection.tenantID {
                throw StoreError.conflict("connection \(connection.id) belongs to another tenant")
            }
            if let other = try await self.rows(
                db,
                "SELECT id FROM connections WHERE tenant_id = \(connection.tenantID) AND name = \(connection.name) AND id <> \(connection.id)"
            ).first {
                throw StoreError.conflict(
                    "tenant \(connection.tenantID) already has a connection named \"\(connection.name)\" (\(try other.decode(String.self)))"
                )
            }
            var saved = connection
            saved.hasCredentials = sealed != nil || existing?.1 != nil
            let interval = connection.syncIntervalSeconds
            if existing == nil {
                try await db.query(
                    """
                    INSERT INTO connections (id, tenant_id, vendor, name, base_url, auth_url, sync_interval_seconds, enabled,
                        created_at, updated_at)
                    VALUES (\(connection.id), \(connection.tenantID), \(connection.vendor), \(connection.name),
                        \(connection.baseURL), \(connection.authURL), \(interval), \(connection.enabled),
                        \(PGTimestamp(connection.createdAt)), \(PGTimestamp(connection.updatedAt)))
                    """,
                    logger: self.logger)
            } else {
                try await db.query(
                    """
                    UPDATE connections SET vendor = \(connection.vendor), name = \(connection.name),
                        base_url = \(connection.baseURL), auth_url = \(connection.authURL),
                        sync_interval_seconds = \(interval), enabled = \(connection.enabled),
                        updated_at = \(PGTimestamp(connection.updatedAt))
                    WHERE id = \(connection.id)
                    """,
                    logger: self.logger)
            }
            try await db.query(
                """
                UPDATE connections SET requests_per_second = \(connection.requestsPerSecond), max_concurrency = \(connection.maxConcurrency),
                    daily_requests = \(connection.dailyRequests), delivery_reserve_percent = \(connection.deliveryReservePercent),
                    options = \(try ConnectionOptionsColumn.encode(connection.options)),
                    reread_interval_seconds = \(connection.rereadIntervalSeconds)
                WHERE id = \(connection.id)
                """,
                logger: self.logger)
            if let sealed {
                try await db.query(
                    "UPDATE connections SET credentials_key_id = \(sealed.keyID), credentials = \(sealed.combined) WHERE id = \(connection.id)",
                    logger: self.logger)
            }
            return saved
        }
    }

    private static let connectionColumns = """
        id, tenant_id, vendor, name, base_url, auth_url, sync_interval_seconds, enabled, credentials_key_id, created_at, updated_at,
        requests_per_second, max_concurrency, daily_requests, delivery_reserve_percent, options, reread_interval_seconds
        """

    public func connection(id: String, tenant: String) async throws -> Connection? {
        try await read { db in
            try await self.rows(
                db, "SELECT \(unescaped: Self.connectionColumns) FROM connections WHERE id = \(id) AND tenant_id = \(tenant)"
            ).first.map(Self.connection(from:))
        }
    }

    public func listConnections(tenant: String?) async throws -> [Connection] {
        try await read { db in
            if let tenant {
                return try await self.rows(
                    db, "SELECT \(unescaped: Self.connectionColumns) FROM connections WHERE tenant_id = \(tenant) ORDER BY name"
                ).map(Self.connection(from:))
            }
            return try await self.rows(db, "SELECT \(unescaped: Self.connectionColumns) FROM connections ORDER BY tenant_id, name")
                .map(Self.connection(from:))
        }
    }

    public func deleteConnection(id: String, tenant: String) async throws -> Bool {
        try await transaction { db in
            let removed =
                try await self.execute(
                    db, "DELETE FROM connections WHERE id = \(id) AND tenant_id = \(tenant) RETURNING 1") > 0
            if removed {
                try await db.query(
                    "DELETE FROM sync_state WHERE tenant_id = \(tenant) AND connection_id = \(id)", logger: self.logger)
                try await db.query(
                    "DELETE FROM pull_jobs WHERE tenant_id = \(tenant) AND connection_id = \(id)", logger: self.logger)
            }
            return removed
        }
    }

    public func credentials(connectionID: String, tenant: String) async throws -> Data? {
        let stored: (found: Bool, keyID: String?, combined: Data?) = try await read { db in
            guard
                let row = try await self.rows(
                    db, "SELECT credentials_key_id, credentials FROM connections WHERE id = \(connectionID) AND tenant_id = \(tenant)"
                ).first
            else { return (false, nil, nil) }
            let (keyID, combined) = try row.decode((String?, Data?).self)
            return (true, keyID, combined)
        }
        guard stored.found else { throw StoreError.notFound("connection \(connectionID)") }
        guard let keyID = stored.keyID, let combined = stored.combined else { return nil }
        return try secretBox.open(SecretBox.Sealed(keyID: keyID, combined: combined), context: "connection:\(connectionID)")
    }

    private static func connection(from row: PostgresRow) throws -> Connection {
        let columns = row.makeRandomAccess()
        var connection = Connection(
            id: try columns[0].decode(String.self), tenantID: try columns[1].decode(String.self),
            vendor: try columns[2].decode(String.self), name: try columns[3].decode(String.self),
            baseURL: try columns[4].decode(String.self), authURL: try columns[5].decode(String?.self),
            syncIntervalSeconds: try columns[6].decode(Int?.self), enabled: try columns[7].decode(Bool.self),
            hasCredentials: try columns[8].decode(String?.self) != nil,
            createdAt: try PGRead.requiredDate(columns[9]), updatedAt: try PGRead.requiredDate(columns[10]))
        connection.requestsPerSecond = try columns[11].decode(Double?.self)
        connection.maxConcurrency = try columns[12].decode(Int?.self)
        connection.dailyRequests = try columns[13].decode(Int?.self)
        connection.deliveryReservePercent = try columns[14].decode(Int?.self)
        connection.options = ConnectionOptionsColumn.decode(try columns[15].decode(String?.self))
        connection.rereadIntervalSeconds = try columns[16].decode(Int?.self)
        return connection
    }

    // MARK: - API clients

    public func createAPIClient(_ client: APIClient) async throws {
        try await transaction { db in
            guard try await !self.rows(db, "SELECT 1 FROM tenants WHERE id = \(client.tenantID)").isEmpty else {
                throw StoreError.notFound("tenant \(client.tenantID)")
            }
            let inserted = try await self.execute(
                db,
                """
                INSERT INTO api_clients (id, tenant_id, name, secret_hash, scopes, enabled, created_at)
                VALUES (\(client.id), \(client.tenantID), \(client.name), \(client.secretHash),
                    \(client.scopes.joined(separator: " ")), \(client.enabled), \(PGTimestamp(client.createdAt)))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """)
            if inserted == 0 { throw StoreError.conflict("API client \(client.id) exists") }
        }
    }

    private static let apiClientColumns = "id, tenant_id, name, secret_hash, scopes, enabled, created_at"

    public func apiClient(id: String) async throws -> APIClient? {
        try await read { db in
            try await self.rows(db, "SELECT \(unescaped: Self.apiClientColumns) FROM api_clients WHERE id = \(id)")
                .first.map(Self.apiClient(from:))
        }
    }

    public func listAPIClients(tenant: String?) async throws -> [APIClient] {
        try await read { db in
            if let tenant {
                return try await self.rows(
                    db, "SELECT \(unescaped: Self.apiClientColumns) FROM api_clients WHERE tenant_id = \(tenant) ORDER BY name, id"
                ).map(Self.apiClient(from:))
            }
            return try await self.rows(
                db, "SELECT \(unescaped: Self.apiClientColumns) FROM api_clients ORDER BY tenant_id, name, id"
            ).map(Self.apiClient(from:))
        }
    }

    public func deleteAPIClient(id: String, tenant: String) async throws -> Bool {
        try await transaction { db in
            try await self.execute(db, "DELETE FROM api_clients WHERE id = \(id) AND tenant_id = \(tenant) RETURNING 1") > 0
        }
    }

    private static func apiClient(from row: PostgresRow) throws -> APIClient {
        let columns = row.makeRandomAccess()
        let scopes = try columns[4].decode(String.self)
        return APIClient(
            id: try columns[0].decode(String.self), tenantID: try columns[1].decode(String.self),
            name: try columns[2].decode(String.self), secretHash: try columns[3].decode(String.self),
            scopes: scopes.split(separator: " ").map(String.init), enabled: try columns[5].decode(Bool.self),
            createdAt: try PGRead.requiredDate(columns[6]))
    }

    // MARK: - Change feed

    public func events(tenant: String, after: Int64, limit: Int) async throws -> [EntityEvent] {
        try await read { db in
            // The hub's own events are left out here, before the limit, so a page is full.
            try await self.rows(
                db,
                """
                SELECT sequence, resource, record_key, change, connection_id, "timestamp" FROM entity_events
                WHERE tenant_id = \(tenant) AND sequence > \(after) AND resource = ANY(\(HubEvent.recordResources)::text[])
                ORDER BY sequence LIMIT \(max(0, limit))
                """
            ).compactMap(Self.recordEvent(from:))
        }
    }

    public func webhookEvents(tenant: String, after: Int64, limit: Int) async throws -> [WebhookFeedEvent] {
        try await read { db in
            try await self.rows(
                db,
                """
                SELECT sequence, resource, record_key, change, connection_id, "timestamp" FROM entity_events
                WHERE tenant_id = \(tenant) AND sequence > \(after) ORDER BY sequence LIMIT \(max(0, limit))
                """
            ).compactMap { row -> WebhookFeedEvent? in
                let columns = row.makeRandomAccess()
                if let kind = HubEvent.Kind(resource: try columns[1].decode(String.self), change: try columns[3].decode(String.self)) {
                    return .hub(
                        HubEvent(
                            sequence: try columns[0].decode(Int64.self), kind: kind, subjectID: try columns[2].decode(String.self),
                            connectionID: try columns[4].decode(String?.self), timestamp: try PGRead.requiredDate(columns[5])))
                }
                return try Self.recordEvent(from: row).map(WebhookFeedEvent.record)
            }
        }
    }

    static func recordEvent(from row: PostgresRow) throws -> EntityEvent? {
        let columns = row.makeRandomAccess()
        guard let resource = ResourceName(rawValue: try columns[1].decode(String.self)),
            let change = EntityEvent.Change(rawValue: try columns[3].decode(String.self))
        else { return nil }
        return EntityEvent(
            sequence: try columns[0].decode(Int64.self), resourceName: resource, resourceRecordKey: try columns[2].decode(String.self),
            change: change, connectionID: try columns[4].decode(String?.self), timestamp: try PGRead.requiredDate(columns[5]))
    }
}
