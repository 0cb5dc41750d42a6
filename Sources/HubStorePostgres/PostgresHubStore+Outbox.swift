public import Foundation
public import HubStore
import PostgresNIO
import RealtyModel

extension PostgresHubStore {
    static let deliveryColumns = StoreColumns.deliveries
    static func delivery(from row: PostgresRow) throws -> Delivery {
        let columns = row.makeRandomAccess()
        let id = try columns[0].decode(String.self)
        guard let state = DeliveryState(rawValue: try columns[6].decode(String.self)) else {
            throw StoreError.storage("delivery \(id) has an unknown state")
        }
        return Delivery(
            id: id, tenantID: try columns[1].decode(String.self), connectionID: try columns[2].decode(String.self),
            kind: DeliveryKind(rawValue: try columns[3].decode(String.self)), payload: try columns[4].decode(Data.self),
            idempotencyKey: try PGRead.string(columns[5]), state: state, attempts: try columns[7].decode(Int.self),
            maxAttempts: try columns[8].decode(Int.self), nextAttemptAt: try PGRead.date(columns[9]),
            lastError: try PGRead.string(columns[10]), remoteID: try PGRead.string(columns[11]),
            leaseOwner: try PGRead.string(columns[12]), leaseExpiresAt: try PGRead.date(columns[13]),
            createdAt: try PGRead.requiredDate(columns[14]), updatedAt: try PGRead.requiredDate(columns[15]),
            completedAt: try PGRead.date(columns[16]), recordKey: try PGRead.string(columns[17]),
            errorCode: try PGRead.string(columns[18]),
            conflict: try DeliveryConflictColumn.decode(try PGRead.string(columns[19]), delivery: id),
            force: try columns[20].decode(Bool.self))
    }

    private func fetchDelivery(_ db: PostgresConnection, id: String, forUpdate: Bool = false) async throws -> Delivery? {
        try await rows(
            db, "SELECT \(unescaped: Self.deliveryColumns) FROM deliveries WHERE id = \(id) \(unescaped: forUpdate ? "FOR UPDATE" : "")"
        ).first.map(Self.delivery(from:))
    }

    public func enqueue(_ deliveries: [NewDelivery], now: Date) async throws -> [Delivery] {
        try NewDelivery.checkAttempts(deliveries)
        defer { signal.notify() }
        return try await transaction { db in
            let stamp = PGTimestamp(now)
            try await self.announceDeliveries(db)
            var result: [Delivery] = []
            for new in deliveries {
                guard try await !self.rows(db, "SELECT 1 FROM tenants WHERE id = \(new.tenantID)").isEmpty else {
                    throw StoreError.notFound("tenant \(new.tenantID)")
                }
                // A concurrent enqueue of the same key waits on the unique index and then
                // sees the row, so both callers get the one delivery.
                let inserted = try await self.rows(
                    db,
                    """
                    INSERT INTO deliveries (id, tenant_id, connection_id, kind, payload, idempotency_key, state, attempts,
                        max_attempts, next_attempt_at, created_at, updated_at, record_key)
                    VALUES (\(new.id), \(new.tenantID), \(new.connectionID), \(new.kind.rawValue), \(new.payload),
                        \(new.idempotencyKey), \(DeliveryState.pending.rawValue), 0, \(new.maxAttempts), \(stamp), \(stamp), \(stamp),
                        \(new.recordKey))
                    ON CONFLICT (tenant_id, idempotency_key, connection_id) DO NOTHING
                    RETURNING \(unescaped: Self.deliveryColumns)
                    """)
                if let row = inserted.first {
                    result.append(try Self.delivery(from: row))
                    continue
                }
                guard let key = new.idempotencyKey,
                    let existing = try await self.rows(
                        db,
                        """
                        SELECT \(unescaped: Self.deliveryColumns) FROM deliveries
                        WHERE tenant_id = \(new.tenantID) AND idempotency_key = \(key) AND connection_id = \(new.connectionID)
                        """
                    ).first
                else { throw StoreError.storage("delivery \(new.id) was neither added nor found") }
                result.append(try Self.delivery(from: existing))
            }
            return result
        }
    }

    public func enqueue(
        _ deliveries: [NewDelivery], idempotencyKey key: String, tenant: String, fingerprint: String, now: Date
    ) async throws -> IdempotentEnqueue {
        try NewDelivery.checkRequest(deliveries, idempotencyKey: key, tenant: tenant)
        try NewDelivery.checkAttempts(deliveries)
        defer { signal.notify() }
        return try await transaction { db in
            let stamp = PGTimestamp(now)
            try await self.announceDeliveries(db)
            guard try await !self.rows(db, "SELECT 1 FROM tenants WHERE id = \(tenant)").isEmpty else {
                throw StoreError.notFound("tenant \(tenant)")
            }
            // A concurrent request under the same key waits here on the primary key until the
            // first one commits (or rolls back), then inserts nothing; read committed lets its
            // next statements see what the winner committed.
            let won = try await self.rows(
                db,
                """
                INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at)
                VALUES (\(tenant), \(key), \(fingerprint), \(stamp))
                ON CONFLICT (tenant_id, key) DO NOTHING
                RETURNING 1
                """)
            guard !won.isEmpty else {
                let stored = try await self.rows(
                    db, "SELECT fingerprint FROM idempotency_keys WHERE tenant_id = \(tenant) AND key = \(key)")
                let fingerprint = try stored.first.flatMap { try PGRead.string($0.makeRandomAccess()[0]) }
                let existing = try await self.rows(
                    db,
                    """
                    SELECT \(unescaped: Self.deliveryColumns) FROM deliveries
                    WHERE tenant_id = \(tenant) AND idempotency_key = \(key) ORDER BY created_at, id COLLATE "C"
                    """
                ).map(Self.delivery(from:))
                return .existing(fingerprint: fingerprint, deliveries: existing)
            }
            var created: [Delivery] = []
            for new in deliveries {
                let inserted = try await self.rows(
                    db,
                    """
                    INSERT INTO deliveries (id, tenant_id, connection_id, kind, payload, idempotency_key, state, attempts,
                        max_attempts, next_attempt_at, created_at, updated_at, record_key)
                    VALUES (\(new.id), \(new.tenantID), \(new.connectionID), \(new.kind.rawValue), \(new.payload),
                        \(key), \(DeliveryState.pending.rawValue), 0, \(new.maxAttempts), \(stamp), \(stamp), \(stamp), \(new.recordKey))
                    RETURNING \(unescaped: Self.deliveryColumns)
                    """)
                guard let row = inserted.first else { throw StoreError.storage("delivery \(new.id) was not added") }
                created.append(try Self.delivery(from: row))
            }
            return .created(created)
        }
    }

    public func delivery(id: String, tenant: String) async throws -> Delivery? {
        try await read { db in
            try await self.rows(
                db, "SELECT \(unescaped: Self.deliveryColumns) FROM deliveries WHERE id = \(id) AND tenant_id = \(tenant)"
            ).first.map(Self.delivery(from:))
        }
    }

    public func listDeliveries(tenant: String?, filter: DeliveryFilter) async throws -> [Delivery] {
        try await read { db in
            var statement = SQLStatement()
            var conditions: [String] = []
            if let tenant { conditions.append("tenant_id = \(try statement.bind(tenant))") }
            if let state = filter.state { conditions.append("state = \(try statement.bind(state.rawValue))") }
            if let connectionID = filter.connectionID { conditions.append("connection_id = \(try statement.bind(connectionID))") }
            if let key = filter.idempotencyKey { conditions.append("idempotency_key = \(try statement.bind(key))") }
            if let recordKey = filter.recordKey { conditions.append("record_key = \(try statement.bind(recordKey))") }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let limit = try statement.bind(max(0, filter.limit))
            statement.append(
                "SELECT \(Self.deliveryColumns) FROM deliveries \(whereClause) ORDER BY created_at DESC, id COLLATE \"C\" LIMIT \(limit)")
            return try await self.rows(db, statement.query).map(Self.delivery(from:))
        }
    }

    /// Claims with `FOR UPDATE SKIP LOCKED`: concurrent claimers (in this process or others)
    /// each lock different due rows and never wait on one another, so no delivery is leased to
    /// two workers at once.
    ///
    /// With `connectionLimits`, the due deliveries are first numbered per connection (oldest
    /// first) and only those within their connection's share are candidates; the candidates
    /// are then locked the same way (a row another claimer locked meanwhile is skipped, and one
    /// it claimed and committed no longer matches the due condition when re-checked).
    public func claimDeliveries(
        owner: String, now: Date, leaseDuration: TimeInterval, limit: Int, connectionID: String?, connectionLimits: [String: Int]
    ) async throws -> [Delivery] {
        guard limit > 0 else { return [] }
        return try await transaction { db in
            var statement = SQLStatement()
            let stamp = statement.bind(date: now)
            var connectionFilter = ""
            if let connectionID { connectionFilter = " AND connection_id = \(try statement.bind(connectionID))" }
            let limitParameter = try statement.bind(limit)
            let ownerParameter = try statement.bind(owner)
            let lease = statement.bind(date: now.addingTimeInterval(leaseDuration))
            let columns = Self.deliveryColumns.split(separator: ",").map { "d." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            let dueCondition = """
                (state = 'pending' OR (state = 'retry-wait' AND next_attempt_at <= \(stamp))
                    OR (state = 'in-flight' AND lease_expires_at <= \(stamp)))\(connectionFilter)
                """
            let candidates: String
            if connectionLimits.isEmpty {
                candidates = """
                    SELECT id FROM deliveries WHERE \(dueCondition)
                    ORDER BY created_at, id COLLATE "C"
                    LIMIT \(limitParameter)
                    FOR UPDATE SKIP LOCKED
                    """
            } else {
                let limited = connectionLimits.sorted { $0.key < $1.key }
                let ids = try statement.bind(limited.map(\.key))
                let shares = try statement.bind(limited.map { max(0, $0.value) })
                candidates = """
                    SELECT id FROM deliveries WHERE id IN (
                        SELECT ranked.id FROM (
                            SELECT d.id, d.created_at, COALESCE(shares.share, \(limitParameter)) AS share,
                                ROW_NUMBER() OVER (PARTITION BY d.connection_id ORDER BY d.created_at, d.id COLLATE "C") AS position
                            FROM deliveries d
                            LEFT JOIN unnest(\(ids)::text[], \(shares)::bigint[]) AS shares(connection_id, share)
                                ON shares.connection_id = d.connection_id
                            WHERE \(dueCondition.replacingOccurrences(of: "connection_id =", with: "d.connection_id ="))
                        ) ranked
                        WHERE ranked.position <= ranked.share
                        ORDER BY ranked.created_at, ranked.id COLLATE "C"
                        LIMIT \(limitParameter)
                    ) AND \(dueCondition)
                    ORDER BY created_at, id COLLATE "C"
                    FOR UPDATE SKIP LOCKED
                    """
            }
            statement.append(
                """
                WITH due AS (
                    \(candidates)
                )
                UPDATE deliveries d SET state = 'in-flight', attempts = d.attempts + 1, lease_owner = \(ownerParameter),
                    lease_expires_at = \(lease), updated_at = \(stamp)
                FROM due WHERE d.id = due.id
                RETURNING \(columns.joined(separator: ", "))
                """)
            let claimed = try await self.rows(db, statement.query).map(Self.delivery(from:))
            return claimed.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    /// Loads a delivery that must be in flight for `owner` (locking its row), and the state
    /// `transition` leads to.
    private func inFlight(
        _ db: PostgresConnection, id: String, owner: String, transition: DeliveryTransition
    ) async throws -> (Delivery, DeliveryState) {
        guard let delivery = try await fetchDelivery(db, id: id, forUpdate: true) else { throw StoreError.notFound("delivery \(id)") }
        return (delivery, try DeliveryTransition.next(forInFlight: delivery, owner: owner, on: transition))
    }

    public func completeDelivery(id: String, owner: String, remoteID: String?, effect: RecordEffect?, now: Date) async throws -> Delivery {
        try await transaction { db in
            let (delivery, next) = try await self.inFlight(db, id: id, owner: owner, transition: .succeed)
            // Only a delivery still held by `owner` (its row locked) writes its effect, in this
            // transaction.
            var recordKey = delivery.recordKey
            if let effect {
                try effect.check(for: delivery)
                recordKey = try await self.apply(effect, db) ?? recordKey
            }
            let stamp = PGTimestamp(now)
            let rows = try await self.rows(
                db,
                """
                UPDATE deliveries SET state = \(next.rawValue), remote_id = \(remoteID ?? delivery.remoteID), record_key = \(recordKey),
                    lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = NULL, last_error = NULL, error_code = NULL,
                    updated_at = \(stamp), completed_at = \(stamp)
                WHERE id = \(id) RETURNING \(unescaped: Self.deliveryColumns)
                """)
            guard let row = rows.first else { throw StoreError.notFound("delivery \(id)") }
            try await self.appendHubEvents(db, .deliverySucceeded, subjects: [(delivery.tenantID, id, delivery.connectionID)], now: now)
            return try Self.delivery(from: row)
        }
    }

    public func failDelivery(id: String, owner: String, error: String, errorCode: String?, retryAt: Date?, now: Date) async throws
        -> Delivery
    {
        try await transaction { db in
            let (delivery, next) = try await self.inFlight(
                db, id: id, owner: owner, transition: retryAt == nil ? .failPermanently : .failRetryable)
            let stamp = PGTimestamp(now)
            let completed = next == .dead ? stamp : nil
            let rows = try await self.rows(
                db,
                """
                UPDATE deliveries SET state = \(next.rawValue), last_error = \(error), error_code = \(errorCode),
                    next_attempt_at = \(retryAt.map(PGTimestamp.init)), lease_owner = NULL, lease_expires_at = NULL, updated_at = \(stamp),
                    completed_at = \(completed)
                WHERE id = \(id) RETURNING \(unescaped: Self.deliveryColumns)
                """)
            guard let row = rows.first else { throw StoreError.notFound("delivery \(id)") }
            if next == .dead {
                try await self.appendHubEvents(db, .deliveryDead, subjects: [(delivery.tenantID, id, delivery.connectionID)], now: now)
            }
            return try Self.delivery(from: row)
        }
    }

    public func renewDeliveryLeases(owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Set<String> {
        try await transaction { db in
            Set(
                try await self.rows(
                    db,
                    """
                    UPDATE deliveries SET lease_expires_at = \(PGTimestamp(now.addingTimeInterval(leaseDuration)))
                    WHERE lease_owner = \(owner) AND state = 'in-flight' RETURNING id
                    """
                ).map { try $0.decode(String.self) })
        }
    }

    public func recordRemoteID(id: String, owner: String, remoteID: String, now: Date) async throws {
        try await transaction { db in
            _ = try await self.inFlight(db, id: id, owner: owner, transition: .succeed)
            try await db.query(
                "UPDATE deliveries SET remote_id = \(remoteID), updated_at = \(PGTimestamp(now)) WHERE id = \(id)", logger: self.logger)
        }
    }

    public func conflictDelivery(id: String, owner: String, error: String, conflict: DeliveryConflict, now: Date) async throws -> Delivery {
        let conflictText = DeliveryConflictColumn.encode(conflict)
        return try await transaction { db in
            let (_, next) = try await self.inFlight(db, id: id, owner: owner, transition: .conflict)
            let stamp = PGTimestamp(now)
            // Terminal until a person retries it: no lease, no next attempt.
            let rows = try await self.rows(
                db,
                """
                UPDATE deliveries SET state = \(next.rawValue), last_error = \(error), error_code = \(DeliveryConflict.errorCode),
                    conflict = \(conflictText), next_attempt_at = NULL, lease_owner = NULL, lease_expires_at = NULL,
                    updated_at = \(stamp), completed_at = \(stamp)
                WHERE id = \(id) RETURNING \(unescaped: Self.deliveryColumns)
                """)
            guard let row = rows.first else { throw StoreError.notFound("delivery \(id)") }
            return try Self.delivery(from: row)
        }
    }

    public func retryDelivery(id: String, tenant: String, force: Bool, now: Date) async throws -> Delivery {
        defer { signal.notify() }
        return try await transaction { db in
            try await self.announceDeliveries(db)
            guard
                let delivery = try await self.rows(
                    db,
                    """
                    SELECT \(unescaped: Self.deliveryColumns) FROM deliveries WHERE id = \(id) AND tenant_id = \(tenant) FOR UPDATE
                    """
                ).first.map(Self.delivery(from:))
            else { throw StoreError.notFound("delivery \(id)") }
            let next = try DeliveryTransition.next(forRetry: delivery)
            let stamp = PGTimestamp(now)
            // A retried delivery starts a fresh budget; its last error stays visible until the
            // next attempt replaces it, a conflict's two versions until a new conflict does.
            let rows = try await self.rows(
                db,
                """
                UPDATE deliveries SET state = \(next.rawValue), attempts = 0, next_attempt_at = \(stamp), completed_at = NULL,
                    force = \(force), updated_at = \(stamp)
                WHERE id = \(id) RETURNING \(unescaped: Self.deliveryColumns)
                """)
            guard let row = rows.first else { throw StoreError.notFound("delivery \(id)") }
            return try Self.delivery(from: row)
        }
    }
}

extension PostgresHubStore {
    /// Writes a completed delivery's effect into the hub's records, inside the delivery's
    /// transaction.
    /// - Returns: the hub key of the record written or found (nil: a delete of a record the
    ///   hub never had).
    func apply(_ effect: RecordEffect, _ db: PostgresConnection) async throws -> String? {
        switch effect {
        case .upsert(let record, let scope):
            return try await applyUpsert(record, db, scope: scope)
        case .delete(let resource, let sourceKey, let scope):
            return try await applyDelete(resource.recordType, sourceKey: sourceKey, db, scope: scope)
        }
    }

    /// Stores one record exactly as a sync upsert of it would.
    private func applyUpsert<R: HubRecord>(_ record: R, _ db: PostgresConnection, scope: SyncScope) async throws -> String? {
        let batch = try PreparedRecord.batch([record], scope: scope)
        return try await write(R.self, batch, db, scope: scope).items.first?.key
    }

    /// Marks the record deleted as a vendor-reported deletion would; one already deleted is left
    /// as it is (its key is still returned).
    private func applyDelete<R: HubRecord>(_ type: R.Type, sourceKey: String, _ db: PostgresConnection, scope: SyncScope) async throws
        -> String?
    {
        if let marked = try await markDeleted(R.self, sourceKeys: [sourceKey], db, scope: scope).first { return marked }
        return try await recordKey(R.self, sourceKey: sourceKey, db, scope: scope)
    }
}
