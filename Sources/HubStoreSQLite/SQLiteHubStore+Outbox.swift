public import Foundation
import GRDB
public import HubStore
import RealtyModel

extension SQLiteHubStore {
    private static let deliveryColumns = StoreColumns.deliveries
    static func delivery(from row: Row) throws -> Delivery {
        let id: String = row["id"]
        guard let state = DeliveryState(rawValue: row["state"]) else {
            throw StoreError.storage("delivery \(id) has an unknown state")
        }
        return Delivery(
            id: id, tenantID: row["tenant_id"], connectionID: row["connection_id"],
            kind: DeliveryKind(rawValue: row["kind"]), payload: row["payload"], idempotencyKey: row["idempotency_key"],
            state: state, attempts: row["attempts"], maxAttempts: row["max_attempts"],
            nextAttemptAt: date(row["next_attempt_at"]), lastError: row["last_error"], remoteID: row["remote_id"],
            leaseOwner: row["lease_owner"], leaseExpiresAt: date(row["lease_expires_at"]),
            createdAt: date(row["created_at"]) ?? Date(timeIntervalSince1970: 0),
            updatedAt: date(row["updated_at"]) ?? Date(timeIntervalSince1970: 0),
            completedAt: date(row["completed_at"]), recordKey: row["record_key"], errorCode: row["error_code"],
            conflict: try DeliveryConflictColumn.decode(row["conflict"], delivery: id), force: row["force"])
    }

    private static func fetchDelivery(_ db: Database, id: String) throws -> Delivery? {
        try Row.fetchOne(db, sql: "SELECT \(deliveryColumns) FROM deliveries WHERE id = ?", arguments: [id])
            .map(delivery(from:))
    }

    public func outboxSignal() -> OutboxSignal { signal }

    public func enqueue(_ deliveries: [NewDelivery], now: Date) async throws -> [Delivery] {
        // Committed durably, in a group with the other accepts waiting, before it is answered.
        defer { signal.notify() }
        return try await runDurably { db in
            let stamp = Timestamp.format(now)
            var result: [Delivery] = []
            for new in deliveries {
                guard try Row.fetchOne(db, sql: "SELECT 1 FROM tenants WHERE id = ?", arguments: [new.tenantID]) != nil else {
                    throw StoreError.notFound("tenant \(new.tenantID)")
                }
                if let key = new.idempotencyKey,
                    let existing = try Row.fetchOne(
                        db,
                        sql:
                            "SELECT \(Self.deliveryColumns) FROM deliveries WHERE tenant_id = ? AND idempotency_key = ? AND connection_id = ?",
                        arguments: [new.tenantID, key, new.connectionID])
                {
                    result.append(try Self.delivery(from: existing))
                    continue
                }
                result.append(try Self.insertDelivery(db, new, idempotencyKey: new.idempotencyKey, stamp: stamp))
            }
            return result
        }
    }

    public func enqueue(
        _ deliveries: [NewDelivery], idempotencyKey key: String, tenant: String, fingerprint: String, now: Date
    ) async throws -> IdempotentEnqueue {
        try NewDelivery.checkRequest(deliveries, idempotencyKey: key, tenant: tenant)
        // One write transaction (SQLite has one writer at a time, across processes too): the
        // key's primary key decides which request commits deliveries; the others read them.
        // Committed durably, in a group with the other accepts waiting (each in a savepoint).
        defer { signal.notify() }
        return try await runDurably { db in
            let stamp = Timestamp.format(now)
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM tenants WHERE id = ?", arguments: [tenant]) != nil else {
                throw StoreError.notFound("tenant \(tenant)")
            }
            try db.execute(
                sql:
                    "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO NOTHING",
                arguments: [tenant, key, fingerprint, stamp])
            guard db.changesCount == 1 else {
                let stored = try Row.fetchOne(
                    db, sql: "SELECT fingerprint FROM idempotency_keys WHERE tenant_id = ? AND key = ?", arguments: [tenant, key])
                let existing = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT \(Self.deliveryColumns) FROM deliveries WHERE tenant_id = ? AND idempotency_key = ? ORDER BY created_at, rowid",
                    arguments: [tenant, key]
                ).map(Self.delivery(from:))
                return .existing(fingerprint: stored?["fingerprint"], deliveries: existing)
            }
            var created: [Delivery] = []
            for new in deliveries {
                let stored = try Self.insertDelivery(db, new, idempotencyKey: key, stamp: stamp)
                created.append(stored)
            }
            return .created(created)
        }
    }

    public func delivery(id: String, tenant: String) async throws -> Delivery? {
        try await fetchOwned(Self.deliveryColumns, from: "deliveries", id: id, tenant: tenant, Self.delivery(from:))
    }

    public func listDeliveries(tenant: String?, filter: DeliveryFilter) async throws -> [Delivery] {
        try await read { db in
            var conditions: [String] = []
            var arguments: [DatabaseValue] = []
            if let tenant {
                conditions.append("tenant_id = ?")
                arguments.append(tenant.databaseValue)
            }
            if let state = filter.state {
                conditions.append("state = ?")
                arguments.append(state.rawValue.databaseValue)
            }
            if let connectionID = filter.connectionID {
                conditions.append("connection_id = ?")
                arguments.append(connectionID.databaseValue)
            }
            if let key = filter.idempotencyKey {
                conditions.append("idempotency_key = ?")
                arguments.append(key.databaseValue)
            }
            if let recordKey = filter.recordKey {
                conditions.append("record_key = ?")
                arguments.append(recordKey.databaseValue)
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments.append(max(0, filter.limit).databaseValue)
            return try Row.fetchAll(
                db,
                sql: "SELECT \(Self.deliveryColumns) FROM deliveries \(whereClause) ORDER BY created_at DESC, id LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Self.delivery(from:))
        }
    }

    public func claimDeliveries(
        owner: String, now: Date, leaseDuration: TimeInterval, limit: Int, connectionID: String?, connectionLimits: [String: Int]
    ) async throws -> [Delivery] {
        guard limit > 0 else { return [] }
        return try await run { db in
            let stamp = Timestamp.format(now)
            var sql = """
                SELECT id, connection_id FROM deliveries WHERE (state = 'pending' OR (state = 'retry-wait' AND next_attempt_at <= ?)
                OR (state = 'in-flight' AND lease_expires_at <= ?))
                """
            var arguments: [DatabaseValue] = [stamp.databaseValue, stamp.databaseValue]
            if let connectionID {
                sql += " AND connection_id = ?"
                arguments.append(connectionID.databaseValue)
            }
            sql += " ORDER BY created_at, id"
            // Oldest first, skipping a connection's deliveries once it has its share; the scan
            // stops as soon as the batch is full.
            var ids: [String] = []
            do {
                var perConnection: [String: Int] = [:]
                let rows = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
                while ids.count < limit, let row = try rows.next() {
                    let connection: String = row["connection_id"]
                    let taken = perConnection[connection, default: 0]
                    guard taken < connectionLimits[connection, default: limit] else { continue }
                    perConnection[connection] = taken + 1
                    ids.append(row["id"])
                }
            }
            let lease = Timestamp.format(now.addingTimeInterval(leaseDuration))
            var claimed: [Delivery] = []
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE deliveries SET state = 'in-flight', attempts = attempts + 1, lease_owner = ?,
                        lease_expires_at = ?, updated_at = ? WHERE id = ?
                        """,
                    arguments: [owner, lease, stamp, id])
                if let delivery = try Self.fetchDelivery(db, id: id) { claimed.append(delivery) }
            }
            return claimed
        }
    }

    /// Loads a delivery that must be in flight for `owner`, and the state `transition` leads to.
    private static func inFlight(
        _ db: Database, id: String, owner: String, transition: DeliveryTransition
    ) throws -> (Delivery, DeliveryState) {
        guard let delivery = try fetchDelivery(db, id: id) else { throw StoreError.notFound("delivery \(id)") }
        return (delivery, try DeliveryTransition.next(forInFlight: delivery, owner: owner, on: transition))
    }

    public func completeDelivery(id: String, owner: String, remoteID: String?, effect: RecordEffect?, now: Date) async throws -> Delivery {
        let box = secretBox
        // Grouped with the accepts, durably (see `GroupCommit`).
        return try await runDurably { db in
            let (delivery, next) = try Self.inFlight(db, id: id, owner: owner, transition: .succeed)
            // Only a delivery still held by `owner` writes its effect, in this transaction.
            var recordKey = delivery.recordKey
            if let effect {
                try effect.check(for: delivery)
                recordKey = try Self.apply(effect, db, box: box) ?? recordKey
            }
            let stamp = Timestamp.format(now)
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = ?, remote_id = ?, record_key = ?, lease_owner = NULL, lease_expires_at = NULL,
                    next_attempt_at = NULL, last_error = NULL, error_code = NULL, updated_at = ?, completed_at = ? WHERE id = ?
                    """,
                arguments: [next.rawValue, remoteID ?? delivery.remoteID, recordKey, stamp, stamp, id])
            try Self.appendHubEvents(
                db, .deliverySucceeded, subjects: [(delivery.tenantID, id, delivery.connectionID)], now: stamp)
            guard let updated = try Self.fetchDelivery(db, id: id) else { throw StoreError.notFound("delivery \(id)") }
            return updated
        }
    }

    public func failDelivery(id: String, owner: String, error: String, errorCode: String?, retryAt: Date?, now: Date) async throws
        -> Delivery
    {
        try await run { db in
            let (delivery, next) = try Self.inFlight(
                db, id: id, owner: owner, transition: retryAt == nil ? .failPermanently : .failRetryable)
            let stamp = Timestamp.format(now)
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = ?, last_error = ?, error_code = ?, next_attempt_at = ?, lease_owner = NULL,
                    lease_expires_at = NULL, updated_at = ?, completed_at = ? WHERE id = ?
                    """,
                arguments: [
                    next.rawValue, error, errorCode, retryAt.map(Timestamp.format), stamp, next == .dead ? stamp : nil, id,
                ])
            if next == .dead {
                try Self.appendHubEvents(db, .deliveryDead, subjects: [(delivery.tenantID, id, delivery.connectionID)], now: stamp)
            }
            guard let updated = try Self.fetchDelivery(db, id: id) else { throw StoreError.notFound("delivery \(id)") }
            return updated
        }
    }

    public func renewDeliveryLeases(owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Set<String> {
        try await run { db in
            try db.execute(
                sql: "UPDATE deliveries SET lease_expires_at = ? WHERE lease_owner = ? AND state = 'in-flight'",
                arguments: [Timestamp.format(now.addingTimeInterval(leaseDuration)), owner])
            return try String.fetchSet(
                db, sql: "SELECT id FROM deliveries WHERE lease_owner = ? AND state = 'in-flight'", arguments: [owner])
        }
    }

    public func recordRemoteID(id: String, owner: String, remoteID: String, now: Date) async throws {
        try await run { db in
            _ = try Self.inFlight(db, id: id, owner: owner, transition: .succeed)
            try db.execute(
                sql: "UPDATE deliveries SET remote_id = ?, updated_at = ? WHERE id = ?",
                arguments: [remoteID, Timestamp.format(now), id])
        }
    }

    public func conflictDelivery(id: String, owner: String, error: String, conflict: DeliveryConflict, now: Date) async throws -> Delivery {
        let conflictText = DeliveryConflictColumn.encode(conflict)
        return try await run { db in
            let (_, next) = try Self.inFlight(db, id: id, owner: owner, transition: .conflict)
            let stamp = Timestamp.format(now)
            // Terminal until a person retries it: no lease, no next attempt.
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = ?, last_error = ?, error_code = ?, conflict = ?, next_attempt_at = NULL,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = ?, completed_at = ? WHERE id = ?
                    """,
                arguments: [next.rawValue, error, DeliveryConflict.errorCode, conflictText, stamp, stamp, id])
            guard let updated = try Self.fetchDelivery(db, id: id) else { throw StoreError.notFound("delivery \(id)") }
            return updated
        }
    }

    public func retryDelivery(id: String, tenant: String, force: Bool, now: Date) async throws -> Delivery {
        defer { signal.notify() }
        return try await run { db in
            guard
                let delivery = try Row.fetchOne(
                    db, sql: "SELECT \(Self.deliveryColumns) FROM deliveries WHERE id = ? AND tenant_id = ?",
                    arguments: [id, tenant]
                ).map(Self.delivery(from:))
            else { throw StoreError.notFound("delivery \(id)") }
            let next = try DeliveryTransition.next(forRetry: delivery)
            let stamp = Timestamp.format(now)
            // A retried delivery starts a fresh budget; its last error stays visible until the
            // next attempt replaces it, a conflict's two versions until a new conflict does.
            try db.execute(
                sql: """
                    UPDATE deliveries SET state = ?, attempts = 0, next_attempt_at = ?, completed_at = NULL, force = ?,
                    updated_at = ? WHERE id = ?
                    """,
                arguments: [next.rawValue, stamp, force, stamp, id])
            guard let updated = try Self.fetchDelivery(db, id: id) else { throw StoreError.notFound("delivery \(id)") }
            return updated
        }
    }
}

extension SQLiteHubStore {
    /// Inserts one pending delivery and reads it back (both enqueue paths).
    static func insertDelivery(_ db: Database, _ new: NewDelivery, idempotencyKey: String?, stamp: String) throws -> Delivery {
        guard new.maxAttempts >= 1 else { throw StoreError.invalidQuery("maxAttempts must be at least 1") }
        try db.execute(
            sql: """
                INSERT INTO deliveries (id, tenant_id, connection_id, kind, payload, idempotency_key, state,
                    attempts, max_attempts, next_attempt_at, created_at, updated_at, record_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)
                """,
            arguments: [
                new.id, new.tenantID, new.connectionID, new.kind.rawValue, new.payload, idempotencyKey,
                DeliveryState.pending.rawValue, new.maxAttempts, stamp, stamp, stamp, new.recordKey,
            ])
        guard let stored = try fetchDelivery(db, id: new.id) else {
            throw StoreError.storage("delivery \(new.id) vanished after insert")
        }
        return stored
    }
}

extension SQLiteHubStore {
    /// Writes a completed delivery's effect into the hub's records, inside the delivery's
    /// transaction.
    /// - Returns: the hub key of the record written or found (nil: a delete of a record the
    ///   hub never had).
    static func apply(_ effect: RecordEffect, _ db: Database, box: SecretBox) throws -> String? {
        switch effect {
        case .upsert(let record, let scope):
            return try applyUpsert(record, db, scope: scope, box: box)
        case .delete(let resource, let sourceKey, let scope):
            return try applyDelete(resource.recordType, sourceKey: sourceKey, db, scope: scope)
        }
    }

    /// Stores one record exactly as a sync upsert of it would.
    private static func applyUpsert<R: HubRecord>(_ record: R, _ db: Database, scope: SyncScope, box: SecretBox) throws -> String? {
        let batch = try PreparedRecord.batch([record], scope: scope)
        return try write(R.self, batch, db, scope: scope, box: box, now: Timestamp.format(scope.now)).items.first?.key
    }

    /// Marks the record deleted as a vendor-reported deletion would; one already deleted is left
    /// as it is (its key is still returned).
    private static func applyDelete<R: HubRecord>(_ type: R.Type, sourceKey: String, _ db: Database, scope: SyncScope) throws -> String? {
        try markDeleted(R.self, sourceKeys: [sourceKey], db, scope: scope).first
            ?? recordKey(R.self, sourceKey: sourceKey, db, scope: scope)
    }
}
