public import Foundation
import GRDB
public import HubStore
import RealtyModel

extension SQLiteHubStore {
    static let webhookColumns = """
        id, tenant_id, client_id, url, events, description, enabled, disabled_reason, scopes, cursor, attempts,
        next_attempt_at, failing_since, last_error, previous_secret_expires_at, created_at, updated_at
        """

    public func createWebhook(_ subscription: WebhookSubscription, secret: String) async throws {
        let sealed = try secretBox.seal(Data(secret.utf8), context: "webhook:\(subscription.id)")
        let events = try Self.encodeEvents(subscription.events)
        try await run { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tenants WHERE id = ?", arguments: [subscription.tenantID]) != nil else {
                throw StoreError.notFound("tenant \(subscription.tenantID)")
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM webhook_subscriptions WHERE id = ?", arguments: [subscription.id]) == nil
            else { throw StoreError.conflict("webhook \(subscription.id) exists") }
            try db.execute(
                sql: """
                    INSERT INTO webhook_subscriptions (id, tenant_id, client_id, url, events, description, enabled, disabled_reason,
                        scopes, secret_key_id, secret, cursor, attempts, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
                    """,
                arguments: [
                    subscription.id, subscription.tenantID, subscription.clientID, subscription.url, events, subscription.description,
                    subscription.enabled, subscription.disabledReason, subscription.scopes.joined(separator: " "), sealed.keyID,
                    sealed.combined, subscription.cursor, Timestamp.format(subscription.createdAt),
                    Timestamp.format(subscription.updatedAt),
                ])
        }
    }

    public func webhook(id: String, tenant: String) async throws -> WebhookSubscription? {
        try await read { db in try Self.webhook(db, id: id, tenant: tenant) }
    }

    static func webhook(_ db: Database, id: String, tenant: String) throws -> WebhookSubscription? {
        try Row.fetchOne(
            db, sql: "SELECT \(webhookColumns) FROM webhook_subscriptions WHERE id = ? AND tenant_id = ?", arguments: [id, tenant]
        ).map(webhook(from:))
    }

    public func listWebhooks(tenant: String?) async throws -> [WebhookSubscription] {
        try await read { db in
            if let tenant {
                return try Row.fetchAll(
                    db, sql: "SELECT \(Self.webhookColumns) FROM webhook_subscriptions WHERE tenant_id = ? ORDER BY created_at, id",
                    arguments: [tenant]
                ).map(Self.webhook(from:))
            }
            return try Row.fetchAll(db, sql: "SELECT \(Self.webhookColumns) FROM webhook_subscriptions ORDER BY created_at, id")
                .map(Self.webhook(from:))
        }
    }

    public func updateWebhook(_ subscription: WebhookSubscription, now: Date) async throws -> WebhookSubscription {
        let events = try Self.encodeEvents(subscription.events)
        return try await run { db in
            guard let stored = try Self.webhook(db, id: subscription.id, tenant: subscription.tenantID) else {
                throw StoreError.notFound("webhook \(subscription.id)")
            }
            let stamp = Timestamp.format(now)
            try db.execute(
                sql: "UPDATE webhook_subscriptions SET url = ?, events = ?, description = ?, enabled = ?, updated_at = ? WHERE id = ?",
                arguments: [subscription.url, events, subscription.description, subscription.enabled, stamp, subscription.id])
            if subscription.enabled, !stored.enabled {
                try db.execute(
                    sql: """
                        UPDATE webhook_subscriptions SET disabled_reason = NULL, attempts = 0, next_attempt_at = NULL,
                            failing_since = NULL, last_error = NULL WHERE id = ?
                        """,
                    arguments: [subscription.id])
            }
            guard let updated = try Self.webhook(db, id: subscription.id, tenant: subscription.tenantID) else {
                throw StoreError.notFound("webhook \(subscription.id)")
            }
            return updated
        }
    }

    public func deleteWebhook(id: String, tenant: String) async throws -> Bool {
        try await run { db in
            try db.execute(sql: "DELETE FROM webhook_subscriptions WHERE id = ? AND tenant_id = ?", arguments: [id, tenant])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM webhook_dead_letters WHERE subscription_id = ?", arguments: [id])
            return true
        }
    }

    public func webhookSecrets(id: String, tenant: String, now: Date) async throws -> [String] {
        let box = secretBox
        return try await read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT secret_key_id, secret, previous_secret_key_id, previous_secret, previous_secret_expires_at
                        FROM webhook_subscriptions WHERE id = ? AND tenant_id = ?
                        """,
                    arguments: [id, tenant])
            else { throw StoreError.notFound("webhook \(id)") }
            let context = "webhook:\(id)"
            var secrets = [
                String(
                    decoding: try box.open(SecretBox.Sealed(keyID: row["secret_key_id"], combined: row["secret"]), context: context),
                    as: UTF8.self)
            ]
            if let keyID: String = row["previous_secret_key_id"], let sealed: Data = row["previous_secret"],
                let until = Self.date(row["previous_secret_expires_at"]), now < until
            {
                secrets.append(
                    String(decoding: try box.open(SecretBox.Sealed(keyID: keyID, combined: sealed), context: context), as: UTF8.self))
            }
            return secrets
        }
    }

    public func rotateWebhookSecret(id: String, tenant: String, secret: String, previousValidUntil: Date, now: Date) async throws {
        let sealed = try secretBox.seal(Data(secret.utf8), context: "webhook:\(id)")
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE webhook_subscriptions SET previous_secret_key_id = secret_key_id, previous_secret = secret,
                        previous_secret_expires_at = ?, secret_key_id = ?, secret = ?, updated_at = ?
                    WHERE id = ? AND tenant_id = ?
                    """,
                arguments: [Timestamp.format(previousValidUntil), sealed.keyID, sealed.combined, Timestamp.format(now), id, tenant])
            guard db.changesCount > 0 else { throw StoreError.notFound("webhook \(id)") }
        }
    }

    public func eventSignal() -> OutboxSignal { events }

    public func latestEventSequence() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM entity_events") ?? 0 }
    }

    // MARK: - Delivery state

    public func claimWebhooks(owner: String, now: Date, leaseDuration: TimeInterval, limit: Int) async throws -> [WebhookSubscription] {
        let stamp = Timestamp.format(now)
        let until = Timestamp.format(now.addingTimeInterval(leaseDuration))
        let due = """
            SELECT id FROM webhook_subscriptions
            WHERE enabled = 1 AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
                AND (lease_owner IS NULL OR lease_owner = ? OR lease_expires_at <= ?)
            ORDER BY created_at, id LIMIT ?
            """
        let arguments: StatementArguments = [stamp, owner, stamp, max(0, limit)]
        // Looked for first with a read: a hub without due subscriptions takes no write lock.
        guard try await read({ db in try Bool.fetchOne(db, sql: due, arguments: arguments) != nil }) else { return [] }
        return try await run { db in
            let ids = try String.fetchAll(db, sql: due, arguments: arguments)
            var claimed: [WebhookSubscription] = []
            for id in ids {
                try db.execute(
                    sql: "UPDATE webhook_subscriptions SET lease_owner = ?, lease_expires_at = ? WHERE id = ?",
                    arguments: [owner, until, id])
                if let row = try Row.fetchOne(
                    db, sql: "SELECT \(Self.webhookColumns) FROM webhook_subscriptions WHERE id = ?", arguments: [id])
                {
                    claimed.append(Self.webhook(from: row))
                }
            }
            return claimed
        }
    }

    public func renewWebhookLeases(owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Set<String> {
        try await run { db in
            try db.execute(
                sql: "UPDATE webhook_subscriptions SET lease_expires_at = ? WHERE lease_owner = ?",
                arguments: [Timestamp.format(now.addingTimeInterval(leaseDuration)), owner])
            return try String.fetchSet(db, sql: "SELECT id FROM webhook_subscriptions WHERE lease_owner = ?", arguments: [owner])
        }
    }

    public func releaseWebhook(id: String, owner: String) async throws {
        try await run { db in
            try db.execute(
                sql: "UPDATE webhook_subscriptions SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?",
                arguments: [id, owner])
        }
    }

    public func advanceWebhook(id: String, owner: String, to sequence: Int64, now: Date) async throws {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE webhook_subscriptions SET cursor = MAX(cursor, ?), attempts = 0, next_attempt_at = NULL, failing_since = NULL,
                        last_error = NULL WHERE id = ? AND lease_owner = ?
                    """,
                arguments: [sequence, id, owner])
            guard db.changesCount > 0 else { throw StoreError.conflict("webhook \(id) is not leased to \(owner)") }
        }
    }

    public func failWebhookAttempt(id: String, owner: String, error: String, retryAt: Date, now: Date) async throws {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE webhook_subscriptions SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                        failing_since = COALESCE(failing_since, ?) WHERE id = ? AND lease_owner = ?
                    """,
                arguments: [Timestamp.format(retryAt), error, Timestamp.format(now), id, owner])
            guard db.changesCount > 0 else { throw StoreError.conflict("webhook \(id) is not leased to \(owner)") }
        }
    }

    public func disableWebhook(id: String, owner: String?, reason: String, deadLetter: WebhookDeadLetter?, now: Date) async throws {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE webhook_subscriptions SET enabled = 0, disabled_reason = ?, lease_owner = NULL, lease_expires_at = NULL,
                        updated_at = ? WHERE id = ? AND (? IS NULL OR lease_owner = ?)
                    """,
                arguments: [reason, Timestamp.format(now), id, owner, owner])
            guard db.changesCount > 0 else {
                throw StoreError.conflict("webhook \(id) does not exist or is not leased to \(owner ?? "anyone")")
            }
            if let letter = deadLetter {
                try db.execute(
                    sql: """
                        INSERT INTO webhook_dead_letters (subscription_id, sequence, type, error, attempts, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (subscription_id, sequence) DO UPDATE SET error = excluded.error, attempts = excluded.attempts,
                            created_at = excluded.created_at
                        """,
                    arguments: [id, letter.sequence, letter.type, letter.error, letter.attempts, Timestamp.format(letter.createdAt)])
            }
        }
    }

    public func replayWebhook(id: String, tenant: String, fromSequence sequence: Int64, now: Date) async throws {
        try await run { db in
            try db.execute(
                sql: """
                    UPDATE webhook_subscriptions SET cursor = ?, attempts = 0, next_attempt_at = NULL, failing_since = NULL,
                        last_error = NULL, updated_at = ? WHERE id = ? AND tenant_id = ?
                    """,
                arguments: [max(0, sequence - 1), Timestamp.format(now), id, tenant])
            guard db.changesCount > 0 else { throw StoreError.notFound("webhook \(id)") }
        }
    }

    public func webhookDeadLetters(id: String, tenant: String) async throws -> [WebhookDeadLetter] {
        try await read { db in
            guard try Self.webhook(db, id: id, tenant: tenant) != nil else { throw StoreError.notFound("webhook \(id)") }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT subscription_id, sequence, type, error, attempts, created_at FROM webhook_dead_letters
                    WHERE subscription_id = ? ORDER BY sequence
                    """,
                arguments: [id]
            ).map { row in
                WebhookDeadLetter(
                    subscriptionID: row["subscription_id"], sequence: row["sequence"], type: row["type"], error: row["error"],
                    attempts: row["attempts"], createdAt: Self.date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    // MARK: - Rows

    static func encodeEvents(_ events: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(events), as: UTF8.self)
    }

    static func webhook(from row: Row) -> WebhookSubscription {
        let eventsText: String = row["events"]
        let events = (try? JSONDecoder().decode([String].self, from: Data(eventsText.utf8))) ?? []
        let scopes: String = row["scopes"]
        var subscription = WebhookSubscription(
            id: row["id"], tenantID: row["tenant_id"], clientID: row["client_id"], url: row["url"], events: events,
            description: row["description"], enabled: row["enabled"], scopes: scopes.split(separator: " ").map(String.init),
            cursor: row["cursor"], createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0))
        subscription.disabledReason = row["disabled_reason"]
        subscription.attempts = row["attempts"]
        subscription.nextAttemptAt = date(row["next_attempt_at"])
        subscription.failingSince = date(row["failing_since"])
        subscription.lastError = row["last_error"]
        subscription.previousSecretExpiresAt = date(row["previous_secret_expires_at"])
        subscription.updatedAt = date(row["updated_at"]) ?? subscription.createdAt
        return subscription
    }
}
