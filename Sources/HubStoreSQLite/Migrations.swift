import GRDB
import HubStore
import RealtyModel

/// The SQLite schema, as named, append-only migrations. Never edit a registered migration:
/// add a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-22-1-core", migrate: createCore)
        migrator.registerMigration("2026-11-22-2-resources", migrate: createResources)
        migrator.registerMigration("2026-11-22-3-sync-runs-and-cache", migrate: createSyncRunsAndCache)
        migrator.registerMigration("2026-11-22-4-api-clients", migrate: createAPIClients)
        migrator.registerMigration("2026-11-22-5-pull-jobs", migrate: createPullJobs)
        migrator.registerMigration("2026-11-22-6-list-order-indexes", migrate: createListOrderIndexes)
        migrator.registerMigration("2026-11-22-7-connection-limits", migrate: addConnectionLimits)
        migrator.registerMigration("2026-11-22-8-shared-request-limits", migrate: createSharedRequestLimits)
        migrator.registerMigration("2026-11-22-9-idempotency-keys", migrate: createIdempotencyKeys)
        migrator.registerMigration("2026-12-04-sync-runs-skipped", migrate: addSyncRunsSkipped)
        migrator.registerMigration("2026-12-04-1-contact-address2-pager-spouse", migrate: addContactFields)
        migrator.registerMigration("2026-12-04-1-connection-request-budget", migrate: addConnectionRequestBudget)
        migrator.registerMigration("2026-12-04-1-media", migrate: createMedia)
        migrator.registerMigration("2026-12-04-2-connection-options", migrate: addConnectionOptions)
        migrator.registerMigration("2026-12-05-delivery-writes", migrate: addDeliveryWrites)
        migrator.registerMigration("2026-12-05-1-record-counts", migrate: createRecordCounts)
        migrator.registerMigration("2026-12-05-2-webhooks", migrate: createWebhooks)
        migrator.registerMigration("2026-12-05-4-dashboard-sessions", migrate: createDashboardSessions)
        migrator.registerMigration("2026-12-05-5-record-search", migrate: createRecordSearch)
        migrator.registerMigration("2026-12-05-6-record-counts-by-connection", migrate: countRecordsByConnection)
        migrator.registerMigration("2026-12-05-7-record-event-chain", migrate: chainRecordEvents)
        migrator.registerMigration("2026-12-05-8-key-ordered-field-indexes", migrate: orderFieldIndexesByKey)
        return migrator
    }

    private static func createCore(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE secret_key_check (
                    key_id TEXT PRIMARY KEY NOT NULL,
                    sealed BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE connections (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    vendor TEXT NOT NULL,
                    name TEXT NOT NULL,
                    base_url TEXT NOT NULL,
                    auth_url TEXT,
                    sync_interval_seconds INTEGER,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    credentials_key_id TEXT,
                    credentials BLOB,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    UNIQUE (tenant_id, name)
                );
                CREATE TABLE sync_state (
                    tenant_id TEXT NOT NULL,
                    connection_id TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    cursor TEXT,
                    cursor_updated_at TEXT,
                    pass_generation INTEGER,
                    pass_started_at TEXT,
                    last_completed_generation INTEGER,
                    last_completed_at TEXT,
                    PRIMARY KEY (tenant_id, connection_id, resource)
                );
                CREATE TABLE deliveries (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    connection_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    idempotency_key TEXT,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    max_attempts INTEGER NOT NULL,
                    next_attempt_at TEXT,
                    last_error TEXT,
                    remote_id TEXT,
                    lease_owner TEXT,
                    lease_expires_at TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    completed_at TEXT,
                    UNIQUE (tenant_id, idempotency_key, connection_id)
                );
                CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
                CREATE INDEX deliveries_tenant ON deliveries (tenant_id, created_at);
                CREATE TABLE entity_events (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    record_key TEXT NOT NULL,
                    change TEXT NOT NULL,
                    connection_id TEXT,
                    timestamp TEXT NOT NULL
                );
                CREATE INDEX entity_events_tenant ON entity_events (tenant_id, sequence);
                """)
    }

    private static func createSyncRunsAndCache(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE sync_runs (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL,
                    connection_id TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    mode TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    inserted INTEGER NOT NULL DEFAULT 0,
                    updated INTEGER NOT NULL DEFAULT 0,
                    unchanged INTEGER NOT NULL DEFAULT 0,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    pages INTEGER NOT NULL DEFAULT 0,
                    error TEXT
                );
                CREATE INDEX sync_runs_tenant ON sync_runs (tenant_id, started_at);
                CREATE TABLE cache_entries (
                    namespace TEXT NOT NULL,
                    key TEXT NOT NULL,
                    value BLOB NOT NULL,
                    expires_at TEXT NOT NULL,
                    PRIMARY KEY (namespace, key)
                );
                """)
    }

    private static func createAPIClients(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE api_clients (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    name TEXT NOT NULL,
                    secret_hash TEXT NOT NULL,
                    scopes TEXT NOT NULL,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    created_at TEXT NOT NULL
                );
                CREATE INDEX api_clients_tenant ON api_clients (tenant_id, name);
                """)
    }

    /// One row per (tenant, client idempotency key): the unique key that makes concurrent
    /// requests under one key race-free, and the fingerprint of the request that first used it.
    /// Keys already on deliveries are carried over without a fingerprint.
    private static func createIdempotencyKeys(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE idempotency_keys (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    key TEXT NOT NULL,
                    fingerprint TEXT,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, key)
                );
                INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at)
                    SELECT tenant_id, idempotency_key, NULL, MIN(created_at) FROM deliveries
                    WHERE idempotency_key IS NOT NULL GROUP BY tenant_id, idempotency_key;
                """)
    }

    private static func createSharedRequestLimits(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE request_slots (
                    key TEXT NOT NULL,
                    slot INTEGER NOT NULL,
                    owner TEXT,
                    expires_at TEXT,
                    PRIMARY KEY (key, slot)
                );
                CREATE TABLE request_pacing (
                    key TEXT PRIMARY KEY NOT NULL,
                    tat REAL NOT NULL,
                    quota_day TEXT NOT NULL,
                    used_today INTEGER NOT NULL
                );
                """)
    }

    /// RESO `HomeAddress2`, `Pager` and `SpousePartnerName` on contacts (MyCRM's `apart`,
    /// `pager` and `spouse_name`).
    private static func addContactFields(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE "Contacts" ADD COLUMN "Pager" TEXT;
                ALTER TABLE "Contacts" ADD COLUMN "HomeAddress2" TEXT;
                ALTER TABLE "Contacts" ADD COLUMN "SpousePartnerName" TEXT;
                """)
    }

    /// A connection's daily request budget and the share of it kept for deliveries.
    private static func addConnectionRequestBudget(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE connections ADD COLUMN daily_requests INTEGER;
                ALTER TABLE connections ADD COLUMN delivery_reserve_percent INTEGER;
                """)
    }

    /// A connection's vendor options (a JSON object of strings) and its re-read cadence for
    /// resources without a change signal.
    private static func addConnectionOptions(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE connections ADD COLUMN options TEXT;
                ALTER TABLE connections ADD COLUMN reread_interval_seconds INTEGER;
                """)
    }

    /// What record writes keep on a delivery: the hub key of the record written, a stable code
    /// for the last error, both versions of a conflict (JSON text) and whether the next attempt
    /// is forced; a record's deliveries are listed by its key.
    private static func addDeliveryWrites(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE deliveries ADD COLUMN record_key TEXT;
                ALTER TABLE deliveries ADD COLUMN error_code TEXT;
                ALTER TABLE deliveries ADD COLUMN conflict TEXT;
                ALTER TABLE deliveries ADD COLUMN force INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX deliveries_record ON deliveries (tenant_id, record_key, created_at);
                """)
    }

    /// The number of live (not deleted) records per tenant and resource, so an unfiltered
    /// list's total is read instead of counted. Kept by the store's write path, one adjustment
    /// per resource a transaction (see `SQLiteHubStore.adjustLiveCount`), not by triggers: an
    /// `AFTER INSERT` trigger made every insert open a statement journal in a temporary file,
    /// and inserts fell from about 25,000/s to 14,000-18,000/s. Backfilled from the tables.
    private static func createRecordCounts(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE record_counts (
                    tenant_id TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    live INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, resource)
                ) WITHOUT ROWID
                """)
        for resource in resourcesOfRecordCounts {
            try db.execute(
                sql: """
                    INSERT INTO record_counts (tenant_id, resource, live)
                    SELECT tenant_id, ?, COUNT(*) FROM "\(resource.rawValue)" WHERE "DeletedYN" = 0 GROUP BY tenant_id
                    """,
                arguments: [resource.rawValue])
        }
    }

    /// The live counts kept per connection too (`record_counts` gains `connection_id`, and
    /// `stored`, every row deleted or not, for lists that include deleted records): the
    /// dashboard's overview shows each connection's records per resource, and counting them
    /// from the tables read every record of a connection (about 150 ms for 100,000 records).
    /// An unfiltered list's total is the sum of the tenant's rows of the resource. Backfilled.
    private static func countRecordsByConnection(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP TABLE record_counts;
                CREATE TABLE record_counts (
                    tenant_id TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    connection_id TEXT NOT NULL,
                    live INTEGER NOT NULL,
                    stored INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (tenant_id, resource, connection_id)
                ) WITHOUT ROWID;
                """)
        for resource in resourcesOfRecordCounts {
            try db.execute(
                sql: """
                    INSERT INTO record_counts (tenant_id, resource, connection_id, live, stored)
                    SELECT tenant_id, ?, "ConnectionId", SUM("DeletedYN" = 0), COUNT(*) FROM "\(resource.rawValue)"
                    GROUP BY tenant_id, "ConnectionId"
                    """,
                arguments: [resource.rawValue])
        }
    }

    /// Each record's events linked newest to oldest: the event's `previous_sequence` (the same
    /// record's event before it) and the record's `last_event_sequence`, kept by the write path
    /// (`SQLiteHubStore.appendEvents`), so a record's change list reads its events by primary
    /// key. An index of the change feed by record served it first and cost every write an
    /// entry at a random place: 100,000 one-field updates ran 40% slower. Backfilled through a
    /// temporary index.
    private static func chainRecordEvents(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE entity_events ADD COLUMN previous_sequence INTEGER")
        for resource in resourcesOfRecordCounts {
            try db.execute(sql: "ALTER TABLE \"\(resource.rawValue)\" ADD COLUMN last_event_sequence INTEGER")
        }
        try db.execute(sql: "CREATE INDEX entity_events_chain_backfill ON entity_events (tenant_id, resource, record_key, sequence)")
        for resource in resourcesOfRecordCounts {
            try db.execute(
                sql: """
                    UPDATE entity_events SET previous_sequence = (
                        SELECT max(p.sequence) FROM entity_events AS p
                        WHERE p.tenant_id = entity_events.tenant_id AND p.resource = entity_events.resource
                        AND p.record_key = entity_events.record_key AND p.sequence < entity_events.sequence
                    ) WHERE resource = ?
                    """, arguments: [resource.rawValue])
            try db.execute(
                sql: """
                    UPDATE "\(resource.rawValue)" SET last_event_sequence = (
                        SELECT max(e.sequence) FROM entity_events AS e
                        WHERE e.tenant_id = "\(resource.rawValue)".tenant_id AND e.resource = ?
                        AND e.record_key = "\(resource.rawValue)"."\(resource.keyField)"
                    )
                    """, arguments: [resource.rawValue])
        }
        try db.execute(sql: "DROP INDEX entity_events_chain_backfill")
    }

    /// The record search's indexes (see `SQLiteSearchSQL.migration`).
    private static func createRecordSearch(_ db: Database) throws {
        for statement in SQLiteSearchSQL.migration { try db.execute(sql: statement) }
    }

    /// Webhook subscriptions (their secrets sealed like credentials; their delivery position in
    /// the change feed and lease) and the events they gave up on.
    private static func createWebhooks(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE webhook_subscriptions (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    client_id TEXT,
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    description TEXT,
                    enabled INTEGER NOT NULL DEFAULT 1,
                    disabled_reason TEXT,
                    scopes TEXT NOT NULL,
                    secret_key_id TEXT NOT NULL,
                    secret BLOB NOT NULL,
                    previous_secret_key_id TEXT,
                    previous_secret BLOB,
                    previous_secret_expires_at TEXT,
                    cursor INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at TEXT,
                    failing_since TEXT,
                    last_error TEXT,
                    lease_owner TEXT,
                    lease_expires_at TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id, created_at);
                CREATE TABLE webhook_dead_letters (
                    subscription_id TEXT NOT NULL,
                    sequence INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    error TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (subscription_id, sequence)
                );
                """)
    }

    /// Dashboard sessions and one-time sign-in links, by the SHA-256 of their token.
    private static func createDashboardSessions(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE dashboard_sessions (
                    token_hash TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    client_id TEXT NOT NULL,
                    form_token TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    expires_at TEXT NOT NULL
                );
                CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at);
                """)
    }

    /// The resources whose tables existed when the record counts shipped (a later resource's
    /// table starts empty, so its count starts at nothing).
    static let resourcesOfRecordCounts: [ResourceName] = resourcesOfListOrderIndexes + [.media]

    private static func addConnectionLimits(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE connections ADD COLUMN requests_per_second REAL;
                ALTER TABLE connections ADD COLUMN max_concurrency INTEGER;
                """)
    }

    /// What a sync run could not read: auxiliary endpoints not available on the connection.
    private static func addSyncRunsSkipped(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE sync_runs ADD COLUMN skipped TEXT")
    }

    /// Each field index extended with the hub key (see ``ODataIndexedColumns/keyOrderedIndexes``).
    private static func orderFieldIndexesByKey(_ db: Database) throws {
        for (table, column) in ODataIndexedColumns.keyOrderedIndexes {
            guard let resource = ResourceName(rawValue: table) else { continue }
            try db.execute(sql: "DROP INDEX \"\(table)_\(column)\"")
            try db.execute(
                sql: "CREATE INDEX \"\(table)_\(column)\" ON \"\(table)\" (tenant_id, \"\(column)\", \"\(resource.keyField)\")")
        }
    }

    /// One index per resource serving the default list order (live records by modification
    /// time, ties by key) and its count.
    private static func createListOrderIndexes(_ db: Database) throws {
        // The resources as this migration shipped: later resources create their own index.
        for resource in SQLiteMigrations.resourcesOfListOrderIndexes {
            try db.execute(
                sql: """
                    CREATE INDEX "\(resource.rawValue)_list" ON "\(resource.rawValue)"
                        (tenant_id, "DeletedYN", "ModificationTimestamp", "\(resource.keyField)")
                    """)
        }
    }

    /// The resources the list-order migration indexes: those that existed when it shipped
    /// (it once read `ResourceName.allCases`, which grows).
    static let resourcesOfListOrderIndexes: [ResourceName] = [
        .member, .office, .teams, .teamMembers, .contacts, .property, .development, .activity,
    ]

    /// RESO Media: listing and member photos, children of their parent record (found by
    /// `ResourceName` and `ResourceRecordKey`).
    private static func createMedia(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE "Media" (
                    "MediaKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemMediaKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "ResourceName" TEXT,
                    "ResourceRecordKey" TEXT,
                    "SourceSystemResourceRecordKey" TEXT,
                    "MediaURL" TEXT,
                    "MediaCategory" TEXT,
                    "Order" INTEGER,
                    "ShortDescription" TEXT,
                    "ImageWidth" INTEGER,
                    "ImageHeight" INTEGER,
                    "MediaModificationTimestamp" TEXT,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemMediaKey")
                );
                CREATE INDEX "Media_modified" ON "Media" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "Media_list" ON "Media" (tenant_id, "DeletedYN", "ModificationTimestamp", "MediaKey");
                CREATE INDEX "Media_ResourceName" ON "Media" (tenant_id, "ResourceName");
                CREATE INDEX "Media_ResourceRecordKey" ON "Media" (tenant_id, "ResourceRecordKey", "ResourceName");
                CREATE INDEX "Media_MediaCategory" ON "Media" (tenant_id, "MediaCategory");
                """)
    }

    private static func createPullJobs(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE pull_jobs (
                    tenant_id TEXT NOT NULL,
                    connection_id TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    lease_owner TEXT,
                    lease_expires_at TEXT,
                    PRIMARY KEY (tenant_id, connection_id, resource)
                );
                """)
    }

    private static func createResources(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE "Activity" (
                    "ActivityKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemActivityKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "ActivityType" TEXT,
                    "ActivityDirection" TEXT,
                    "ActivitySubject" TEXT,
                    "ActivityBody" TEXT,
                    "ActivityStartTimestamp" TEXT,
                    "ActivityEndTimestamp" TEXT,
                    "ContactKey" TEXT,
                    "SourceSystemContactKey" TEXT,
                    "OwnerMemberKey" TEXT,
                    "SourceSystemOwnerMemberKey" TEXT,
                    "ListingKey" TEXT,
                    "SourceSystemListingKey" TEXT,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemActivityKey")
                );
                CREATE INDEX "Activity_modified" ON "Activity" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "Activity_ActivityType" ON "Activity" (tenant_id, "ActivityType");
                CREATE INDEX "Activity_ActivityStartTimestamp" ON "Activity" (tenant_id, "ActivityStartTimestamp");
                CREATE INDEX "Activity_ContactKey" ON "Activity" (tenant_id, "ContactKey");
                CREATE INDEX "Activity_OwnerMemberKey" ON "Activity" (tenant_id, "OwnerMemberKey");
                CREATE INDEX "Activity_ListingKey" ON "Activity" (tenant_id, "ListingKey");
                """)
        try db.execute(
            sql: """
                CREATE TABLE "Contacts" (
                    "ContactKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemContactKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "FirstName" TEXT,
                    "LastName" TEXT,
                    "FullName" TEXT,
                    "Email" TEXT,
                    "MobilePhone" TEXT,
                    "HomePhone" TEXT,
                    "OfficePhone" TEXT,
                    "HomeAddress1" TEXT,
                    "HomeCity" TEXT,
                    "HomeStateOrProvince" TEXT,
                    "HomePostalCode" TEXT,
                    "HomeCountry" TEXT,
                    "Company" TEXT,
                    "ContactType" TEXT,
                    "ContactStatus" TEXT,
                    "LeadSource" TEXT,
                    "ReferredBy" TEXT,
                    "Language" TEXT,
                    "Notes" TEXT,
                    "Birthdate" TEXT,
                    "OwnerMemberKey" TEXT,
                    "SourceSystemOwnerMemberKey" TEXT,
                    "UtmSource" TEXT,
                    "UtmMedium" TEXT,
                    "UtmCampaign" TEXT,
                    "UtmContent" TEXT,
                    "UtmTerm" TEXT,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemContactKey")
                );
                CREATE INDEX "Contacts_modified" ON "Contacts" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "Contacts_Email" ON "Contacts" (tenant_id, "Email");
                CREATE INDEX "Contacts_MobilePhone" ON "Contacts" (tenant_id, "MobilePhone");
                CREATE INDEX "Contacts_ContactType" ON "Contacts" (tenant_id, "ContactType");
                CREATE INDEX "Contacts_OwnerMemberKey" ON "Contacts" (tenant_id, "OwnerMemberKey");
                """)
        try db.execute(
            sql: """
                CREATE TABLE "Development" (
                    "DevelopmentKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemDevelopmentKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "DevelopmentName" TEXT,
                    "City" TEXT,
                    "Country" TEXT,
                    "DevelopmentStatus" TEXT,
                    "UnitsTotal" INTEGER,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemDevelopmentKey")
                );
                CREATE INDEX "Development_modified" ON "Development" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "Development_DevelopmentName" ON "Development" (tenant_id, "DevelopmentName");
                CREATE INDEX "Development_City" ON "Development" (tenant_id, "City");
                CREATE INDEX "Development_DevelopmentStatus" ON "Development" (tenant_id, "DevelopmentStatus");
                """)
        try db.execute(
            sql: """
                CREATE TABLE "Member" (
                    "MemberKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemMemberKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "MemberFirstName" TEXT,
                    "MemberLastName" TEXT,
                    "MemberFullName" TEXT,
                    "MemberEmail" TEXT,
                    "MemberMobilePhone" TEXT,
                    "MemberDirectPhone" TEXT,
                    "MemberOfficePhone" TEXT,
                    "MemberStatus" TEXT,
                    "MemberType" TEXT,
                    "MemberLanguages" TEXT,
                    "JobTitle" TEXT,
                    "OfficeKey" TEXT,
                    "SourceSystemOfficeKey" TEXT,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemMemberKey")
                );
                CREATE INDEX "Member_modified" ON "Member" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "Member_MemberEmail" ON "Member" (tenant_id, "MemberEmail");
                CREATE INDEX "Member_MemberMobilePhone" ON "Member" (tenant_id, "MemberMobilePhone");
                CREATE INDEX "Member_MemberStatus" ON "Member" (tenant_id, "MemberStatus");
                CREATE INDEX "Member_MemberType" ON "Member" (tenant_id, "MemberType");
                CREATE INDEX "Member_OfficeKey" ON "Member" (tenant_id, "OfficeKey");
                """)
        try db.execute(
            sql: """
                CREATE TABLE "Office" (
                    "OfficeKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemOfficeKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "OfficeName" TEXT,
                    "OfficeEmail" TEXT,
                    "OfficePhone" TEXT,
                    "OfficeAddress1" TEXT,
                    "OfficeCity" TEXT,
                    "OfficeStateOrProvince" TEXT,
                    "OfficePostalCode" TEXT,
                    "OfficeCountry" TEXT,
                    "OfficeStatus" TEXT,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemOfficeKey")
                );
                CREATE INDEX "Office_modified" ON "Office" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "Office_OfficeName" ON "Office" (tenant_id, "OfficeName");
                CREATE INDEX "Office_OfficeEmail" ON "Office" (tenant_id, "OfficeEmail");
                CREATE INDEX "Office_OfficeCity" ON "Office" (tenant_id, "OfficeCity");
                CREATE INDEX "Office_OfficeCountry" ON "Office" (tenant_id, "OfficeCountry");
                CREATE INDEX "Office_OfficeStatus" ON "Office" (tenant_id, "OfficeStatus");
                """)
        try db.execute(
            sql: """
                CREATE TABLE "Property" (
                    "ListingKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemListingKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "ListingId" TEXT,
                    "StandardStatus" TEXT,
                    "PropertyType" TEXT,
                    "PropertySubType" TEXT,
                    "ListPrice" REAL,
                    "CurrentPrice" REAL,
                    "UnparsedAddress" TEXT,
                    "City" TEXT,
                    "StateOrProvince" TEXT,
                    "PostalCode" TEXT,
                    "Country" TEXT,
                    "Latitude" REAL,
                    "Longitude" REAL,
                    "BedroomsTotal" INTEGER,
                    "BathroomsTotalInteger" INTEGER,
                    "LivingArea" REAL,
                    "LivingAreaUnits" TEXT,
                    "PublicRemarks" TEXT,
                    "ListAgentKey" TEXT,
                    "SourceSystemListAgentKey" TEXT,
                    "ListOfficeKey" TEXT,
                    "NewConstructionYN" INTEGER,
                    "BuildingName" TEXT,
                    "UnitNumber" TEXT,
                    "DevelopmentStatus" TEXT,
                    "DevelopmentKey" TEXT,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemListingKey")
                );
                CREATE INDEX "Property_modified" ON "Property" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "Property_ListingId" ON "Property" (tenant_id, "ListingId");
                CREATE INDEX "Property_StandardStatus" ON "Property" (tenant_id, "StandardStatus");
                CREATE INDEX "Property_PropertyType" ON "Property" (tenant_id, "PropertyType");
                CREATE INDEX "Property_City" ON "Property" (tenant_id, "City");
                CREATE INDEX "Property_PostalCode" ON "Property" (tenant_id, "PostalCode");
                CREATE INDEX "Property_Country" ON "Property" (tenant_id, "Country");
                CREATE INDEX "Property_ListAgentKey" ON "Property" (tenant_id, "ListAgentKey");
                CREATE INDEX "Property_ListOfficeKey" ON "Property" (tenant_id, "ListOfficeKey");
                CREATE INDEX "Property_BuildingName" ON "Property" (tenant_id, "BuildingName");
                CREATE INDEX "Property_DevelopmentKey" ON "Property" (tenant_id, "DevelopmentKey");
                """)
        try db.execute(
            sql: """
                CREATE TABLE "Teams" (
                    "TeamKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemTeamKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "TeamName" TEXT,
                    "TeamEmail" TEXT,
                    "TeamStatus" TEXT,
                    "TeamLeadKey" TEXT,
                    "SourceSystemTeamLeadKey" TEXT,
                    "OfficeKey" TEXT,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemTeamKey")
                );
                CREATE INDEX "Teams_modified" ON "Teams" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "Teams_TeamName" ON "Teams" (tenant_id, "TeamName");
                CREATE INDEX "Teams_TeamStatus" ON "Teams" (tenant_id, "TeamStatus");
                CREATE INDEX "Teams_TeamLeadKey" ON "Teams" (tenant_id, "TeamLeadKey");
                CREATE INDEX "Teams_OfficeKey" ON "Teams" (tenant_id, "OfficeKey");
                """)
        try db.execute(
            sql: """
                CREATE TABLE "TeamMembers" (
                    "TeamMemberKey" TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    "ConnectionId" TEXT NOT NULL,
                    "SourceSystemName" TEXT NOT NULL,
                    "SourceSystemTeamMemberKey" TEXT NOT NULL,
                    "ModificationTimestamp" TEXT NOT NULL,
                    "OriginalEntryTimestamp" TEXT NOT NULL,
                    "SourceModificationTimestamp" TEXT,
                    "SourceEntryTimestamp" TEXT,
                    "ContentHash" TEXT NOT NULL,
                    "DeletedYN" INTEGER NOT NULL DEFAULT 0,
                    seen_generation INTEGER,
                    raw TEXT,
                    "TeamKey" TEXT,
                    "MemberKey" TEXT,
                    "SourceSystemTeamKey" TEXT,
                    "SourceSystemMemberKey" TEXT,
                    "TeamMemberType" TEXT,
                    UNIQUE (tenant_id, "ConnectionId", "SourceSystemTeamMemberKey")
                );
                CREATE INDEX "TeamMembers_modified" ON "TeamMembers" (tenant_id, "ModificationTimestamp");
                CREATE INDEX "TeamMembers_TeamKey" ON "TeamMembers" (tenant_id, "TeamKey");
                CREATE INDEX "TeamMembers_MemberKey" ON "TeamMembers" (tenant_id, "MemberKey");
                CREATE INDEX "TeamMembers_TeamMemberType" ON "TeamMembers" (tenant_id, "TeamMemberType");
                """)
    }
}
