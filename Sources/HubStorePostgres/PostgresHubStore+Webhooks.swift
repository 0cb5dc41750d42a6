public import Foundation
public import HubStore
import PostgresNIO

extension PostgresHubStore {
    static let webhookColumns = """
        id, tenant_id, client_id, url, events, description, enabled, disabled_reason, scopes, cursor, attempts,
        next_attempt_at, failing_since, last_error, previous_secret_expires_at, created_at, updated_at
        """

    public func createWebhook(_ subscription: WebhookSubscription, secret: String) async throws {
        let sealed = try secretBox.seal(Data(secret.utf8), context: "webhook:\(subscription.id)")
        let events = String(decoding: try JSONEncoder().encode(subscription.events), as: UTF8.self)
        try await transaction { db in
            guard try await !self.rows(db, "SELECT 1 FROM tenants WHERE id = \(subscription.tenantID)").isEmpty else {
                throw StoreError.notFound("tenant \(subscription.tenantID)")
            }
            let inserted = try await self.execute(
                db,
                """
                INSERT INTO webhook_subscriptions (id, tenant_id, client_id, url, events, description, enabled, disabled_reason,
                    scopes, secret_key_id, secret, cursor, attempts, created_at, updated_at)
                VALUES (\(subscription.id), \(subscription.tenantID), \(subscription.clientID), \(subscription.url), \(events),
                    \(subscription.description), \(subscription.enabled), \(subscription.disabledReason),
                    \(subscription.scopes.joined(separator: " ")), \(sealed.keyID), \(sealed.combined), \(subscription.cursor), 0,
                    \(PGTimestamp(subscription.createdAt)), \(PGTimestamp(subscription.updatedAt)))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """)
            if inserted == 0 { throw StoreError.conflict("webhook \(subscription.id) exists") }
        }
    }

    public func webhook(id: String, tenant: String) async throws -> WebhookSubscription? {
        try await read { db in try await self.webhook(db, id: id, tenant: tenant) }
    }

    func webhook(_ db: PostgresConnection, id: String, tenant: String) async throws -> WebhookSubscription? {
        try await rows(
            db, "SELECT \(unescaped: Self.webhookColumns) FROM webhook_subscriptions WHERE id = \(id) AND tenant_id = \(tenant)"
        ).first.map(Self.webhook(from:))
    }

    public func listWebhooks(tenant: String?) async throws -> [WebhookSubscription] {
        try await read { db in
            if let tenant {
                return try await self.rows(
                    db,
                    "SELECT \(unescaped: Self.webhookColumns) FROM webhook_subscriptions WHERE tenant_id = \(tenant) ORDER BY created_at, id"
                ).map(Self.webhook(from:))
            }
            return try await self.rows(db, "SELECT \(unescaped: Self.webhookColumns) FROM webhook_subscriptions ORDER BY created_at, id")
                .map(Self.webhook(from:))
        }
    }

    public func updateWebhook(_ subscription: WebhookSubscription, now: Date) async throws -> WebhookSubscription {
        let events = String(decoding: try JSONEncoder().encode(subscription.events), as: UTF8.self)
        return try await transaction { db in
            guard
                let enabledBefore = try await self.rows(
                    db,
                    "SELECT enabled FROM webhook_subscriptions WHERE id = \(subscription.id) AND tenant_id = \(subscription.tenantID) FOR UPDATE"
                ).first.map({ try $0.decode(Bool.self) })
            else { throw StoreError.notFound("webhook \(subscription.id)") }
            try await db.query(
                """
                UPDATE webhook_subscriptions SET url = \(subscription.url), events = \(events), description = \(subscription.description),
                    enabled = \(subscription.enabled), updated_at = \(PGTimestamp(now)) WHERE id = \(subscription.id)
                """,
                logger: self.logger)
            if subscription.enabled, !enabledBefore {
                try await db.query(
                    """
                    UPDATE webhook_subscriptions SET disabled_reason = NULL, attempts = 0, next_attempt_at = NULL,
                        failing_since = NULL, last_error = NULL WHERE id = \(subscription.id)
                    """,
                    logger: self.logger)
            }
            guard let updated = try await self.webhook(db, id: subscription.id, tenant: subscription.tenantID) else {
                throw StoreError.notFound("webhook \(subscription.id)")
            }
            return updated
        }
    }

    public func deleteWebhook(id: String, tenant: String) async throws -> Bool {
        try await transaction { db in
            guard try await self.execute(db, "DELETE FROM webhook_subscriptions WHERE id = \(id) AND tenant_id = \(tenant) RETURNING 1") > 0
            else { return false }
            try await db.query("DELETE FROM webhook_dead_letters WHERE subscription_id = \(id)", logger: self.logger)
            return true
        }
    }

    public func webhookSecrets(id: String, tenant: String, now: Date) async throws -> [String] {
        let stored = try await read { db in
            try await self.rows(
                db,
                """
                SELECT secret_key_id, secret, previous_secret_key_id, previous_secret, previous_secret_expires_at
                FROM webhook_subscriptions WHERE id = \(id) AND tenant_id = \(tenant)
                """
            ).first.map { row in
                let columns = row.makeRandomAccess()
                return (
                    try columns[0].decode(String.self), try columns[1].decode(Data.self), try columns[2].decode(String?.self),
                    try columns[3].decode(Data?.self), try PGRead.date(columns[4])
                )
            }
        }
        guard let (keyID, combined, previousKeyID, previous, until) = stored else { throw StoreError.notFound("webhook \(id)") }
        let context = "webhook:\(id)"
        var secrets = [
            String(decoding: try secretBox.open(SecretBox.Sealed(keyID: keyID, combined: combined), context: context), as: UTF8.self)
        ]
        if let previousKeyID, let previous, let until, now < until {
            secrets.append(
                String(
                    decoding: try secretBox.open(SecretBox.Sealed(keyID: previousKeyID, combined: previous), context: context),
                    as: UTF8.self))
        }
        return secrets
    }

    public func rotateWebhookSecret(id: String, tenant: String, secret: String, previousValidUntil: Date, now: Date) async throws {
        let sealed = try secretBox.seal(Data(secret.utf8), context: "webhook:\(id)")
        try await transaction { db in
            let changed = try await self.execute(
                db,
                """
                UPDATE webhook_subscriptions SET previous_secret_key_id = secret_key_id, previous_secret = secret,
                    previous_secret_expires_at = \(PGTimestamp(previousValidUntil)), secret_key_id = \(sealed.keyID),
                    secret = \(sealed.combined), updated_at = \(PGTimestamp(now))
                WHERE id = \(id) AND tenant_id = \(tenant) RETURNING 1
                """)
            if changed == 0 { throw StoreError.notFound("webhook \(id)") }
        }
    }

    public func latestEventSequence() async throws -> Int64 {
        try await read { db in
            try await self.rows(db, "SELECT COALESCE(MAX(sequence), 0)::bigint FROM entity_events").first?.decode(Int64.self) ?? 0
        }
    }

    // MARK: - Delivery state

    public func claimWebhooks(owner: String, now: Date, leaseDuration: TimeInterval, limit: Int) async throws -> [WebhookSubscription] {
        try await transaction { db in
            try await self.rows(
                db,
                """
                UPDATE webhook_subscriptions SET lease_owner = \(owner), lease_expires_at = \(PGTimestamp(now.addingTimeInterval(leaseDuration)))
                WHERE id IN (
                    SELECT id FROM webhook_subscriptions
                    WHERE enabled AND (next_attempt_at IS NULL OR next_attempt_at <= \(PGTimestamp(now)))
                        AND (lease_owner IS NULL OR lease_owner = \(owner) OR lease_expires_at <= \(PGTimestamp(now)))
                    ORDER BY created_at, id LIMIT \(max(0, limit))
                    FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: Self.webhookColumns)
                """
            ).map(Self.webhook(from:)).sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    public func renewWebhookLeases(owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Set<String> {
        try await transaction { db in
            Set(
                try await self.rows(
                    db,
                    """
                    UPDATE webhook_subscriptions SET lease_expires_at = \(PGTimestamp(now.addingTimeInterval(leaseDuration)))
                    WHERE lease_owner = \(owner) RETURNING id
                    """
                ).map { try $0.decode(String.self) })
        }
    }

    public func releaseWebhook(id: String, owner: String) async throws {
        try await transaction { db in
            try await db.query(
                "UPDATE webhook_subscriptions SET lease_owner = NULL, lease_expires_at = NULL WHERE id = \(id) AND lease_owner = \(owner)",
                logger: self.logger)
        }
    }

    public func advanceWebhook(id: String, owner: String, to sequence: Int64, now: Date) async throws {
        try await transaction { db in
            let changed = try await self.execute(
                db,
                """
                UPDATE webhook_subscriptions SET cursor = GREATEST(cursor, \(sequence)), attempts = 0, next_attempt_at = NULL,
                    failing_since = NULL, last_error = NULL
                WHERE id = \(id) AND lease_owner = \(owner) RETURNING 1
                """)
            if changed == 0 { throw StoreError.conflict("webhook \(id) is not leased to \(owner)") }
        }
    }

    public func failWebhookAttempt(id: String, owner: String, error: String, retryAt: Date, now: Date) async throws {
        try await transaction { db in
            let changed = try await self.execute(
                db,
                """
                UPDATE webhook_subscriptions SET attempts = attempts + 1, next_attempt_at = \(PGTimestamp(retryAt)),
                    last_error = \(error), failing_since = COALESCE(failing_since, \(PGTimestamp(now)))
                WHERE id = \(id) AND lease_owner = \(owner) RETURNING 1
                """)
            if changed == 0 { throw StoreError.conflict("webhook \(id) is not leased to \(owner)") }
        }
    }

    public func disableWebhook(id: String, owner: String?, reason: String, deadLetter: WebhookDeadLetter?, now: Date) async throws {
        try await transaction { db in
            let changed = try await self.execute(
                db,
                """
                UPDATE webhook_subscriptions SET enabled = false, disabled_reason = \(reason), lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = \(PGTimestamp(now))
                WHERE id = \(id) AND (\(owner)::text IS NULL OR lease_owner = \(owner)) RETURNING 1
                """)
            if changed == 0 { throw StoreError.conflict("webhook \(id) does not exist or is not leased to \(owner ?? "anyone")") }
            if let letter = deadLetter {
                try await db.query(
                    """
                    INSERT INTO webhook_dead_letters (subscription_id, sequence, type, error, attempts, created_at)
                    VALUES (\(id), \(letter.sequence), \(letter.type), \(letter.error), \(letter.attempts), \(PGTimestamp(letter.createdAt)))
                    ON CONFLICT (subscription_id, sequence) DO UPDATE SET error = excluded.error, attempts = excluded.attempts,
                        created_at = excluded.created_at
                    """,
                    logger: self.logger)
            }
        }
    }

    public func replayWebhook(id: String, tenant: String, fromSequence sequence: Int64, now: Date) async throws {
        try await transaction { db in
            let changed = try await self.execute(
                db,
                """
                UPDATE webhook_subscriptions SET cursor = \(max(0, sequence - 1)), attempts = 0, next_attempt_at = NULL,
                    failing_since = NULL, last_error = NULL, updated_at = \(PGTimestamp(now))
                WHERE id = \(id) AND tenant_id = \(tenant) RETURNING 1
                """)
            if changed == 0 { throw StoreError.notFound("webhook \(id)") }
        }
    }

    public func webhookDeadLetters(id: String, tenant: String) async throws -> [WebhookDeadLetter] {
        try await read { db in
            guard try await self.webhook(db, id: id, tenant: tenant) != nil else { throw StoreError.notFound("webhook \(id)") }
            return try await self.rows(
                db,
                """
                SELECT subscription_id, sequence, type, error, attempts, created_at FROM webhook_dead_letters
                WHERE subscription_id = \(id) ORDER BY sequence
                """
            ).map { row in
                let columns = row.makeRandomAccess()
                return WebhookDeadLetter(
                    subscriptionID: try columns[0].decode(String.self), sequence: try columns[1].decode(Int64.self),
                    type: try columns[2].decode(String.self), error: try columns[3].decode(String.self),
                    attempts: try columns[4].decode(Int.self), createdAt: try PGRead.requiredDate(columns[5]))
            }
        }
    }

    static func webhook(from row: PostgresRow) throws -> WebhookSubscription {
        let columns = row.makeRandomAccess()
        let eventsText = try columns[4].decode(String.self)
        let events = (try? JSONDecoder().decode([String].self, from: Data(eventsText.utf8))) ?? []
        let scopes = try columns[8].decode(String.self)
        var subscription = WebhookSubscription(
            id: try columns[0].decode(String.self), tenantID: try columns[1].decode(String.self),
            clientID: try columns[2].decode(String?.self), url: try columns[3].decode(String.self), events: events,
            description: try columns[5].decode(String?.self), enabled: try columns[6].decode(Bool.self),
            scopes: scopes.split(separator: " ").map(String.init), cursor: try columns[9].decode(Int64.self),
            createdAt: try PGRead.requiredDate(columns[15]))
        subscription.disabledReason = try columns[7].decode(String?.self)
        subscription.attempts = try columns[10].decode(Int.self)
        subscription.nextAttemptAt = try PGRead.date(columns[11])
        subscription.failingSince = try PGRead.date(columns[12])
        subscription.lastError = try columns[13].decode(String?.self)
        subscription.previousSecretExpiresAt = try PGRead.date(columns[14])
        subscription.updatedAt = try PGRead.requiredDate(columns[16])
        return subscription
    }
}
