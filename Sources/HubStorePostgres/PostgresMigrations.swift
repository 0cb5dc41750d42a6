import HubStore
import RealtyModel

/// The PostgreSQL schema as named, append-only migrations, each a list of statements run in
/// one transaction. Never edit a registered migration: add a new one. The names match the
/// SQLite migrations that create the same tables.
enum PostgresMigrations {
    static let all: [(name: String, statements: [String])] = [
        ("2026-11-22-1-core", core),
        ("2026-11-22-2-resources", resources),
        ("2026-11-22-3-sync-runs-and-cache", syncRunsAndCache),
        ("2026-11-22-4-api-clients", apiClients),
        ("2026-11-22-5-pull-jobs", pullJobs),
        ("2026-11-22-6-list-order-indexes", listOrderIndexes),
        ("2026-11-22-7-connection-limits", connectionLimits),
        ("2026-11-22-8-shared-request-limits", sharedRequestLimits),
        ("2026-11-22-9-idempotency-keys", idempotencyKeys),
        ("2026-12-04-sync-runs-skipped", syncRunsSkipped),
        ("2026-12-04-1-contact-address2-pager-spouse", contactFields),
        ("2026-12-04-1-connection-request-budget", connectionRequestBudget),
        ("2026-12-04-1-media", media),
        ("2026-12-04-2-connection-options", connectionOptions),
        ("2026-12-05-delivery-writes", deliveryWrites),
        ("2026-12-05-2-webhooks", webhooks),
        ("2026-12-05-4-dashboard-sessions", dashboardSessions),
        ("2026-12-05-5-record-search", PGSearchSQL.migration),
        ("2026-12-05-6-record-counts-by-connection", recordCounts),
        ("2026-12-05-7-record-event-chain", recordEventChain),
        ("2026-12-05-8-key-ordered-field-indexes", keyOrderedFieldIndexes),
    ]

    /// Each field index extended with the hub key, byte-wise as OData orders it (see
    /// ``ODataIndexedColumns/keyOrderedIndexes``).
    private static let keyOrderedFieldIndexes: [String] = ODataIndexedColumns.keyOrderedIndexes.flatMap { table, column in
        let key = ResourceName(rawValue: table)?.keyField ?? ""
        return [
            "DROP INDEX \"\(table)_\(column)\"",
            "CREATE INDEX \"\(table)_\(column)\" ON \"\(table)\" (tenant_id, \"\(column)\", \"\(key)\" COLLATE \"C\")",
        ]
    }

    /// Each record's events linked newest to oldest: the event's `previous_sequence` and the
    /// record's `last_event_sequence`, kept by the write path (`PostgresHubStore.appendEvents`),
    /// so a record's change list reads its events by primary key instead of an index of the
    /// change feed by record written with every change. Backfilled.
    private static let recordEventChain =
        ["ALTER TABLE entity_events ADD COLUMN previous_sequence bigint"]
        + chainedResources.map { table, _ in "ALTER TABLE \"\(table)\" ADD COLUMN last_event_sequence bigint" }
        + [
            """
            UPDATE entity_events SET previous_sequence = linked.previous FROM (
                SELECT sequence, lag(sequence) OVER (PARTITION BY tenant_id, resource, record_key ORDER BY sequence) AS previous
                FROM entity_events
                WHERE resource IN (\(chainedResources.map { table, _ in "'\(table)'" }.joined(separator: ", ")))
            ) AS linked
            WHERE entity_events.sequence = linked.sequence AND linked.previous IS NOT NULL
            """
        ]
        + chainedResources.map { table, key in
            """
            UPDATE "\(table)" SET last_event_sequence = latest.sequence FROM (
                SELECT tenant_id, record_key, max(sequence) AS sequence FROM entity_events WHERE resource = '\(table)'
                GROUP BY tenant_id, record_key
            ) AS latest
            WHERE "\(table)".tenant_id = latest.tenant_id AND "\(table)"."\(key)" = latest.record_key
            """
        }

    /// The record tables and their key columns as the event chain's migration ships them.
    private static let chainedResources = [
        ("Member", "MemberKey"), ("Office", "OfficeKey"), ("Teams", "TeamKey"), ("TeamMembers", "TeamMemberKey"),
        ("Contacts", "ContactKey"), ("Property", "ListingKey"), ("Development", "DevelopmentKey"), ("Activity", "ActivityKey"),
        ("Media", "MediaKey"),
    ]

    /// The number of live records per tenant, resource and connection, and of its rows deleted
    /// or not (`stored`, for lists with deleted records), kept by the write path
    /// (see `PostgresHubStore.adjustLiveCount`): list totals and the dashboard's overview read
    /// it instead of counting (about 35 ms for 100,000 records, and growing with them).
    /// Backfilled from the tables as this migration ships them.
    private static let recordCounts =
        [
            """
            CREATE TABLE record_counts (
                tenant_id text NOT NULL,
                resource text NOT NULL,
                connection_id text NOT NULL,
                live bigint NOT NULL,
                stored bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, resource, connection_id)
            )
            """
        ]
        + ["Member", "Office", "Teams", "TeamMembers", "Contacts", "Property", "Development", "Activity", "Media"].map { table in
            """
            INSERT INTO record_counts (tenant_id, resource, connection_id, live, stored)
            SELECT tenant_id, '\(table)', "ConnectionId", COUNT(*) FILTER (WHERE NOT "DeletedYN"), COUNT(*) FROM "\(table)"
            GROUP BY tenant_id, "ConnectionId"
            """
        }

    /// Dashboard sessions and one-time sign-in links, by the SHA-256 of their token.
    private static let dashboardSessions = [
        """
        CREATE TABLE dashboard_sessions (
            token_hash text PRIMARY KEY,
            kind text NOT NULL,
            tenant_id text NOT NULL REFERENCES tenants(id),
            client_id text NOT NULL,
            form_token text NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions (expires_at)",
    ]

    /// Webhook subscriptions (their secrets sealed like credentials; their delivery position in
    /// the change feed and lease) and the events they gave up on.
    private static let webhooks = [
        """
        CREATE TABLE webhook_subscriptions (
            id text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            client_id text,
            url text NOT NULL,
            events text NOT NULL,
            description text,
            enabled boolean NOT NULL DEFAULT true,
            disabled_reason text,
            scopes text NOT NULL,
            secret_key_id text NOT NULL,
            secret bytea NOT NULL,
            previous_secret_key_id text,
            previous_secret bytea,
            previous_secret_expires_at timestamptz,
            cursor bigint NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            next_attempt_at timestamptz,
            failing_since timestamptz,
            last_error text,
            lease_owner text,
            lease_expires_at timestamptz,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL
        )
        """,
        "CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id, created_at)",
        """
        CREATE TABLE webhook_dead_letters (
            subscription_id text NOT NULL,
            sequence bigint NOT NULL,
            type text NOT NULL,
            error text NOT NULL,
            attempts integer NOT NULL,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (subscription_id, sequence)
        )
        """,
    ]

    /// What record writes keep on a delivery: the hub key of the record written, a stable code
    /// for the last error, both versions of a conflict (JSON text) and whether the next attempt
    /// is forced; a record's deliveries are listed by its key.
    private static let deliveryWrites = [
        "ALTER TABLE deliveries ADD COLUMN record_key text",
        "ALTER TABLE deliveries ADD COLUMN error_code text",
        "ALTER TABLE deliveries ADD COLUMN conflict text",
        "ALTER TABLE deliveries ADD COLUMN force boolean NOT NULL DEFAULT false",
        "CREATE INDEX deliveries_record ON deliveries (tenant_id, record_key, created_at)",
    ]

    /// A connection's vendor options (a JSON object of strings) and its re-read cadence for
    /// resources without a change signal.
    private static let connectionOptions = [
        "ALTER TABLE connections ADD COLUMN options text",
        "ALTER TABLE connections ADD COLUMN reread_interval_seconds integer",
    ]

    /// RESO `HomeAddress2`, `Pager` and `SpousePartnerName` on contacts (MyCRM's `apart`,
    /// `pager` and `spouse_name`).
    private static let contactFields = [
        #"ALTER TABLE "Contacts" ADD COLUMN "Pager" text"#,
        #"ALTER TABLE "Contacts" ADD COLUMN "HomeAddress2" text"#,
        #"ALTER TABLE "Contacts" ADD COLUMN "SpousePartnerName" text"#,
    ]

    /// A connection's daily request budget and the share of it kept for deliveries.
    private static let connectionRequestBudget = [
        "ALTER TABLE connections ADD COLUMN daily_requests integer",
        "ALTER TABLE connections ADD COLUMN delivery_reserve_percent integer",
    ]

    /// RESO Media: listing and member photos, children of their parent record (found by
    /// `ResourceName` and `ResourceRecordKey`).
    private static let media = [
        """
        CREATE TABLE "Media" (
            "MediaKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemMediaKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "ResourceName" text,
            "ResourceRecordKey" text,
            "SourceSystemResourceRecordKey" text,
            "MediaURL" text,
            "MediaCategory" text,
            "Order" bigint,
            "ShortDescription" text,
            "ImageWidth" bigint,
            "ImageHeight" bigint,
            "MediaModificationTimestamp" timestamptz,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemMediaKey")
        )
        """,
        """
        CREATE INDEX "Media_modified" ON "Media" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "Media_list" ON "Media" (tenant_id, "DeletedYN", "ModificationTimestamp", "MediaKey" COLLATE "C")
        """,
        """
        CREATE INDEX "Media_ResourceName" ON "Media" (tenant_id, "ResourceName")
        """,
        """
        CREATE INDEX "Media_ResourceRecordKey" ON "Media" (tenant_id, "ResourceRecordKey", "ResourceName")
        """,
        """
        CREATE INDEX "Media_MediaCategory" ON "Media" (tenant_id, "MediaCategory")
        """,
    ]

    /// One row per (tenant, client idempotency key): the unique key that makes concurrent
    /// requests under one key race-free, and the fingerprint of the request that first used it.
    /// Keys already on deliveries are carried over without a fingerprint.
    private static let idempotencyKeys = [
        """
        CREATE TABLE idempotency_keys (
            tenant_id text NOT NULL REFERENCES tenants(id),
            key text NOT NULL,
            fingerprint text,
            created_at timestamptz NOT NULL,
            PRIMARY KEY (tenant_id, key)
        )
        """,
        """
        INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at)
            SELECT tenant_id, idempotency_key, NULL, MIN(created_at) FROM deliveries
            WHERE idempotency_key IS NOT NULL GROUP BY tenant_id, idempotency_key
        """,
    ]

    private static let sharedRequestLimits = [
        """
        CREATE TABLE request_slots (
            key text NOT NULL,
            slot integer NOT NULL,
            owner text,
            expires_at timestamptz,
            PRIMARY KEY (key, slot)
        )
        """,
        """
        CREATE TABLE request_pacing (
            key text PRIMARY KEY,
            tat double precision NOT NULL,
            quota_day text NOT NULL,
            used_today integer NOT NULL
        )
        """,
    ]

    /// What a sync run could not read: auxiliary endpoints not available on the connection.
    private static let syncRunsSkipped = ["ALTER TABLE sync_runs ADD COLUMN skipped text"]

    private static let connectionLimits = [
        "ALTER TABLE connections ADD COLUMN requests_per_second double precision",
        "ALTER TABLE connections ADD COLUMN max_concurrency integer",
    ]

    /// One index per resource serving the default list order (live records by modification
    /// time, ties by key) and its count.
    /// (The resources as this migration shipped; it once read `ResourceName.allCases`, which
    /// grows: later resources create their own index.)
    private static let listOrderIndexes: [String] = [
        ResourceName.member, .office, .teams, .teamMembers, .contacts, .property, .development, .activity,
    ].map { resource in
        """
        CREATE INDEX "\(resource.rawValue)_list" ON "\(resource.rawValue)"
            (tenant_id, "DeletedYN", "ModificationTimestamp", "\(resource.keyField)" COLLATE "C")
        """
    }

    /// The names, in order.
    static var names: [String] { all.map(\.name) }

    /// Created before any migration runs; records what was applied.
    static let bookkeeping = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            name text PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    private static let core = [
        """
        CREATE TABLE tenants (
            id text PRIMARY KEY,
            name text NOT NULL,
            created_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE secret_key_check (
            key_id text PRIMARY KEY,
            sealed bytea NOT NULL,
            created_at timestamptz NOT NULL
        )
        """,
        """
        CREATE TABLE connections (
            id text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            vendor text NOT NULL,
            name text NOT NULL,
            base_url text NOT NULL,
            auth_url text,
            sync_interval_seconds bigint,
            enabled boolean NOT NULL DEFAULT true,
            credentials_key_id text,
            credentials bytea,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            UNIQUE (tenant_id, name)
        )
        """,
        """
        CREATE TABLE sync_state (
            tenant_id text NOT NULL,
            connection_id text NOT NULL,
            resource text NOT NULL,
            "cursor" text,
            cursor_updated_at timestamptz,
            pass_generation bigint,
            pass_started_at timestamptz,
            last_completed_generation bigint,
            last_completed_at timestamptz,
            PRIMARY KEY (tenant_id, connection_id, resource)
        )
        """,
        """
        CREATE TABLE deliveries (
            id text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            connection_id text NOT NULL,
            kind text NOT NULL,
            payload bytea NOT NULL,
            idempotency_key text,
            state text NOT NULL,
            attempts bigint NOT NULL DEFAULT 0,
            max_attempts bigint NOT NULL,
            next_attempt_at timestamptz,
            last_error text,
            remote_id text,
            lease_owner text,
            lease_expires_at timestamptz,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            completed_at timestamptz,
            UNIQUE (tenant_id, idempotency_key, connection_id)
        )
        """,
        """
        CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at)
        """,
        """
        CREATE INDEX deliveries_tenant ON deliveries (tenant_id, created_at)
        """,
        """
        CREATE TABLE entity_events (
            sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant_id text NOT NULL,
            resource text NOT NULL,
            record_key text NOT NULL,
            change text NOT NULL,
            connection_id text,
            "timestamp" timestamptz NOT NULL
        )
        """,
        """
        CREATE INDEX entity_events_tenant ON entity_events (tenant_id, sequence)
        """,
    ]

    private static let syncRunsAndCache = [
        """
        CREATE TABLE sync_runs (
            id text PRIMARY KEY,
            tenant_id text NOT NULL,
            connection_id text NOT NULL,
            resource text NOT NULL,
            mode text NOT NULL,
            status text NOT NULL,
            started_at timestamptz NOT NULL,
            finished_at timestamptz,
            inserted bigint NOT NULL DEFAULT 0,
            updated bigint NOT NULL DEFAULT 0,
            unchanged bigint NOT NULL DEFAULT 0,
            deleted bigint NOT NULL DEFAULT 0,
            pages bigint NOT NULL DEFAULT 0,
            error text
        )
        """,
        """
        CREATE INDEX sync_runs_tenant ON sync_runs (tenant_id, started_at)
        """,
        """
        CREATE TABLE cache_entries (
            namespace text NOT NULL,
            key text NOT NULL,
            value bytea NOT NULL,
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (namespace, key)
        )
        """,
    ]

    private static let apiClients = [
        """
        CREATE TABLE api_clients (
            id text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            name text NOT NULL,
            secret_hash text NOT NULL,
            scopes text NOT NULL,
            enabled boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL
        )
        """,
        """
        CREATE INDEX api_clients_tenant ON api_clients (tenant_id, name)
        """,
    ]

    private static let pullJobs = [
        """
        CREATE TABLE pull_jobs (
            tenant_id text NOT NULL,
            connection_id text NOT NULL,
            resource text NOT NULL,
            lease_owner text,
            lease_expires_at timestamptz,
            PRIMARY KEY (tenant_id, connection_id, resource)
        )
        """
    ]

    private static let resources = [
        """
        CREATE TABLE "Activity" (
            "ActivityKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemActivityKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "ActivityType" text,
            "ActivityDirection" text,
            "ActivitySubject" text,
            "ActivityBody" text,
            "ActivityStartTimestamp" timestamptz,
            "ActivityEndTimestamp" timestamptz,
            "ContactKey" text,
            "SourceSystemContactKey" text,
            "OwnerMemberKey" text,
            "SourceSystemOwnerMemberKey" text,
            "ListingKey" text,
            "SourceSystemListingKey" text,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemActivityKey")
        )
        """,
        """
        CREATE INDEX "Activity_modified" ON "Activity" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "Activity_ActivityType" ON "Activity" (tenant_id, "ActivityType")
        """,
        """
        CREATE INDEX "Activity_ActivityStartTimestamp" ON "Activity" (tenant_id, "ActivityStartTimestamp")
        """,
        """
        CREATE INDEX "Activity_ContactKey" ON "Activity" (tenant_id, "ContactKey")
        """,
        """
        CREATE INDEX "Activity_OwnerMemberKey" ON "Activity" (tenant_id, "OwnerMemberKey")
        """,
        """
        CREATE INDEX "Activity_ListingKey" ON "Activity" (tenant_id, "ListingKey")
        """,
        """
        CREATE TABLE "Contacts" (
            "ContactKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemContactKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "FirstName" text,
            "LastName" text,
            "FullName" text,
            "Email" text,
            "MobilePhone" text,
            "HomePhone" text,
            "OfficePhone" text,
            "HomeAddress1" text,
            "HomeCity" text,
            "HomeStateOrProvince" text,
            "HomePostalCode" text,
            "HomeCountry" text,
            "Company" text,
            "ContactType" text,
            "ContactStatus" text,
            "LeadSource" text,
            "ReferredBy" text,
            "Language" text,
            "Notes" text,
            "Birthdate" date,
            "OwnerMemberKey" text,
            "SourceSystemOwnerMemberKey" text,
            "UtmSource" text,
            "UtmMedium" text,
            "UtmCampaign" text,
            "UtmContent" text,
            "UtmTerm" text,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemContactKey")
        )
        """,
        """
        CREATE INDEX "Contacts_modified" ON "Contacts" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "Contacts_Email" ON "Contacts" (tenant_id, "Email")
        """,
        """
        CREATE INDEX "Contacts_MobilePhone" ON "Contacts" (tenant_id, "MobilePhone")
        """,
        """
        CREATE INDEX "Contacts_ContactType" ON "Contacts" (tenant_id, "ContactType")
        """,
        """
        CREATE INDEX "Contacts_OwnerMemberKey" ON "Contacts" (tenant_id, "OwnerMemberKey")
        """,
        """
        CREATE TABLE "Development" (
            "DevelopmentKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemDevelopmentKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "DevelopmentName" text,
            "City" text,
            "Country" text,
            "DevelopmentStatus" text,
            "UnitsTotal" bigint,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemDevelopmentKey")
        )
        """,
        """
        CREATE INDEX "Development_modified" ON "Development" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "Development_DevelopmentName" ON "Development" (tenant_id, "DevelopmentName")
        """,
        """
        CREATE INDEX "Development_City" ON "Development" (tenant_id, "City")
        """,
        """
        CREATE INDEX "Development_DevelopmentStatus" ON "Development" (tenant_id, "DevelopmentStatus")
        """,
        """
        CREATE TABLE "Member" (
            "MemberKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemMemberKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "MemberFirstName" text,
            "MemberLastName" text,
            "MemberFullName" text,
            "MemberEmail" text,
            "MemberMobilePhone" text,
            "MemberDirectPhone" text,
            "MemberOfficePhone" text,
            "MemberStatus" text,
            "MemberType" text,
            "MemberLanguages" jsonb,
            "JobTitle" text,
            "OfficeKey" text,
            "SourceSystemOfficeKey" text,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemMemberKey")
        )
        """,
        """
        CREATE INDEX "Member_modified" ON "Member" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "Member_MemberEmail" ON "Member" (tenant_id, "MemberEmail")
        """,
        """
        CREATE INDEX "Member_MemberMobilePhone" ON "Member" (tenant_id, "MemberMobilePhone")
        """,
        """
        CREATE INDEX "Member_MemberStatus" ON "Member" (tenant_id, "MemberStatus")
        """,
        """
        CREATE INDEX "Member_MemberType" ON "Member" (tenant_id, "MemberType")
        """,
        """
        CREATE INDEX "Member_OfficeKey" ON "Member" (tenant_id, "OfficeKey")
        """,
        """
        CREATE TABLE "Office" (
            "OfficeKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemOfficeKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "OfficeName" text,
            "OfficeEmail" text,
            "OfficePhone" text,
            "OfficeAddress1" text,
            "OfficeCity" text,
            "OfficeStateOrProvince" text,
            "OfficePostalCode" text,
            "OfficeCountry" text,
            "OfficeStatus" text,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemOfficeKey")
        )
        """,
        """
        CREATE INDEX "Office_modified" ON "Office" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "Office_OfficeName" ON "Office" (tenant_id, "OfficeName")
        """,
        """
        CREATE INDEX "Office_OfficeEmail" ON "Office" (tenant_id, "OfficeEmail")
        """,
        """
        CREATE INDEX "Office_OfficeCity" ON "Office" (tenant_id, "OfficeCity")
        """,
        """
        CREATE INDEX "Office_OfficeCountry" ON "Office" (tenant_id, "OfficeCountry")
        """,
        """
        CREATE INDEX "Office_OfficeStatus" ON "Office" (tenant_id, "OfficeStatus")
        """,
        """
        CREATE TABLE "Property" (
            "ListingKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemListingKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "ListingId" text,
            "StandardStatus" text,
            "PropertyType" text,
            "PropertySubType" text,
            "ListPrice" double precision,
            "CurrentPrice" double precision,
            "UnparsedAddress" text,
            "City" text,
            "StateOrProvince" text,
            "PostalCode" text,
            "Country" text,
            "Latitude" double precision,
            "Longitude" double precision,
            "BedroomsTotal" bigint,
            "BathroomsTotalInteger" bigint,
            "LivingArea" double precision,
            "LivingAreaUnits" text,
            "PublicRemarks" text,
            "ListAgentKey" text,
            "SourceSystemListAgentKey" text,
            "ListOfficeKey" text,
            "NewConstructionYN" boolean,
            "BuildingName" text,
            "UnitNumber" text,
            "DevelopmentStatus" text,
            "DevelopmentKey" text,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemListingKey")
        )
        """,
        """
        CREATE INDEX "Property_modified" ON "Property" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "Property_ListingId" ON "Property" (tenant_id, "ListingId")
        """,
        """
        CREATE INDEX "Property_StandardStatus" ON "Property" (tenant_id, "StandardStatus")
        """,
        """
        CREATE INDEX "Property_PropertyType" ON "Property" (tenant_id, "PropertyType")
        """,
        """
        CREATE INDEX "Property_City" ON "Property" (tenant_id, "City")
        """,
        """
        CREATE INDEX "Property_PostalCode" ON "Property" (tenant_id, "PostalCode")
        """,
        """
        CREATE INDEX "Property_Country" ON "Property" (tenant_id, "Country")
        """,
        """
        CREATE INDEX "Property_ListAgentKey" ON "Property" (tenant_id, "ListAgentKey")
        """,
        """
        CREATE INDEX "Property_ListOfficeKey" ON "Property" (tenant_id, "ListOfficeKey")
        """,
        """
        CREATE INDEX "Property_BuildingName" ON "Property" (tenant_id, "BuildingName")
        """,
        """
        CREATE INDEX "Property_DevelopmentKey" ON "Property" (tenant_id, "DevelopmentKey")
        """,
        """
        CREATE TABLE "Teams" (
            "TeamKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemTeamKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "TeamName" text,
            "TeamEmail" text,
            "TeamStatus" text,
            "TeamLeadKey" text,
            "SourceSystemTeamLeadKey" text,
            "OfficeKey" text,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemTeamKey")
        )
        """,
        """
        CREATE INDEX "Teams_modified" ON "Teams" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "Teams_TeamName" ON "Teams" (tenant_id, "TeamName")
        """,
        """
        CREATE INDEX "Teams_TeamStatus" ON "Teams" (tenant_id, "TeamStatus")
        """,
        """
        CREATE INDEX "Teams_TeamLeadKey" ON "Teams" (tenant_id, "TeamLeadKey")
        """,
        """
        CREATE INDEX "Teams_OfficeKey" ON "Teams" (tenant_id, "OfficeKey")
        """,
        """
        CREATE TABLE "TeamMembers" (
            "TeamMemberKey" text PRIMARY KEY,
            tenant_id text NOT NULL REFERENCES tenants(id),
            "ConnectionId" text NOT NULL,
            "SourceSystemName" text NOT NULL,
            "SourceSystemTeamMemberKey" text NOT NULL,
            "ModificationTimestamp" timestamptz NOT NULL,
            "OriginalEntryTimestamp" timestamptz NOT NULL,
            "SourceModificationTimestamp" timestamptz,
            "SourceEntryTimestamp" timestamptz,
            "ContentHash" text NOT NULL,
            "DeletedYN" boolean NOT NULL DEFAULT false,
            seen_generation bigint,
            raw jsonb,
            "TeamKey" text,
            "MemberKey" text,
            "SourceSystemTeamKey" text,
            "SourceSystemMemberKey" text,
            "TeamMemberType" text,
            UNIQUE (tenant_id, "ConnectionId", "SourceSystemTeamMemberKey")
        )
        """,
        """
        CREATE INDEX "TeamMembers_modified" ON "TeamMembers" (tenant_id, "ModificationTimestamp")
        """,
        """
        CREATE INDEX "TeamMembers_TeamKey" ON "TeamMembers" (tenant_id, "TeamKey")
        """,
        """
        CREATE INDEX "TeamMembers_MemberKey" ON "TeamMembers" (tenant_id, "MemberKey")
        """,
        """
        CREATE INDEX "TeamMembers_TeamMemberType" ON "TeamMembers" (tenant_id, "TeamMemberType")
        """,
    ]
}
