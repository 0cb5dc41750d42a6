import Crypto
public import Foundation
public import RealtyModel

/// Where a delivery is in its life.
///
/// ```
/// pending ──claim──▶ in-flight ──success──▶ done
///    ▲                 │  ▲  │ │
///    │          failure│  │  │ └─failure, budget spent──▶ dead ──retry──▶ pending
///    │                 ▼  │  └─changed at the vendor──▶ conflict ──retry (force)──▶ pending
///    │             retry-wait
///    │                  (claim when due)
///    └─ (an in-flight delivery whose lease expired is claimed again)
/// ```
public enum DeliveryState: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case inFlight = "in-flight"
    case done
    case retryWait = "retry-wait"
    case dead
    /// An update was not sent because the vendor's record changed after the hub's copy; both
    /// versions are in ``Delivery/conflict``. Retried only when asked (usually with `force`).
    case conflict
}

/// An event that moves a delivery between states.
public enum DeliveryTransition: String, Sendable, Hashable {
    /// A worker leases it (pending, due retry-wait, or in-flight with an expired lease).
    case claim
    case succeed
    /// A failure that will be retried later.
    case failRetryable
    /// A failure that will not be retried (budget spent or a permanent error).
    case failPermanently
    /// The vendor's record changed after the hub's copy: the update is held for a person.
    case conflict
    /// A user asks to try a dead or conflicting delivery again.
    case retry

    /// The state `transition` leads to from `state`, or `nil` when it is not allowed.
    ///
    /// This is the whole delivery state machine; stores apply it, never their own rules.
    public static func next(from state: DeliveryState, on transition: DeliveryTransition) -> DeliveryState? {
        switch (state, transition) {
        case (.pending, .claim), (.retryWait, .claim), (.inFlight, .claim): return .inFlight
        case (.inFlight, .succeed): return .done
        case (.inFlight, .failRetryable): return .retryWait
        case (.inFlight, .failPermanently): return .dead
        case (.inFlight, .conflict): return .conflict
        case (.dead, .retry), (.conflict, .retry): return .pending
        default: return nil
        }
    }
}

/// What a delivery does at the vendor.
public struct DeliveryKind: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Create a lead (a `Contacts` record with ContactType Lead).
    public static let leadCreate = DeliveryKind(rawValue: "lead.create")
    /// Update a development unit's status, price or directions (PropQ).
    public static let unitUpdate = DeliveryKind(rawValue: "unit.update")
    /// Publish a development (PropQ).
    public static let developmentPublish = DeliveryKind(rawValue: "development.publish")
    /// Create a record of any writable resource (payload: ``RecordWrite``).
    public static let recordCreate = DeliveryKind(rawValue: "record.create")
    /// Change fields of a vendor record (payload: ``RecordWrite``).
    public static let recordUpdate = DeliveryKind(rawValue: "record.update")
    /// Delete a vendor record (payload: ``RecordWrite``).
    public static let recordDelete = DeliveryKind(rawValue: "record.delete")
}

/// The payload of a `record.create`, `record.update` or `record.delete` delivery: the write
/// as the client asked it, in RESO names, checked when it was accepted.
public struct RecordWrite: Sendable, Hashable, Codable {
    /// The resource.
    public var resource: ResourceName
    /// The record in RESO names: for a create the whole record, for an update the hub's copy
    /// with the change applied (when accepted), for a delete absent, except for media: the
    /// hub's copy, which names the parent the vendor addresses the media through.
    public var record: JSONValue?
    /// The RESO names the client set (updates; a name whose value is null clears the field).
    public var fields: [String]?
    /// The hub key of the record written (updates and deletes).
    public var recordKey: String?
    /// The vendor's id of the record (updates and deletes).
    public var sourceKey: String?
    /// The vendor's modification time of the hub's copy when the update was accepted; the
    /// connector refuses to overwrite a vendor record changed after it. Nil: no check.
    public var expectedSourceModification: Date?

    public init(
        resource: ResourceName, record: JSONValue? = nil, fields: [String]? = nil, recordKey: String? = nil,
        sourceKey: String? = nil, expectedSourceModification: Date? = nil
    ) {
        self.resource = resource
        self.record = record
        self.fields = fields
        self.recordKey = recordKey
        self.sourceKey = sourceKey
        self.expectedSourceModification = expectedSourceModification
    }

    enum CodingKeys: String, CodingKey {
        case resource, record, fields
        case recordKey = "record_key"
        case sourceKey = "source_key"
        case expectedSourceModification = "expected_source_modification"
    }

    /// The payload as stored (keys sorted, dates ISO 8601, so equal writes are equal bytes).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// Reads a stored payload.
    public static func decode(_ data: Data) throws -> RecordWrite {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(RecordWrite.self, from: data)
    }
}

/// What a successful delivery changes in the hub's copy, committed in the transaction that
/// marks the delivery done (read your writes).
public enum RecordEffect: Sendable {
    /// Stores the vendor's record as a read would (inserted, linked to its source key, or
    /// updated), with an EntityEvent when it changed.
    case upsert(any HubRecord, scope: SyncScope)
    /// Marks the connection's record with this source key deleted (with its media), with an
    /// EntityEvent.
    case delete(ResourceName, sourceKey: String, scope: SyncScope)
}

/// Both sides of an update held as a conflict: what the hub's copy was when the update was
/// accepted and what the vendor holds now, in RESO names (`raw` excluded).
public struct DeliveryConflict: Sendable, Hashable, Codable {
    /// The hub's copy the update was based on, with its vendor modification time.
    public var hub: JSONValue
    /// The vendor's record as it was found, with its vendor modification time.
    public var vendor: JSONValue

    public init(hub: JSONValue, vendor: JSONValue) {
        self.hub = hub
        self.vendor = vendor
    }

    /// The ``Delivery/errorCode`` of a delivery held as a conflict.
    public static let errorCode = "changed_at_vendor"
}

/// A write to commit to the outbox.
public struct NewDelivery: Sendable, Hashable {
    public var id: String
    public var tenantID: String
    public var connectionID: String
    public var kind: DeliveryKind
    /// The canonical payload (JSON), mapped for the vendor at delivery time.
    public var payload: Data
    /// The client's idempotency key, when it sent one.
    public var idempotencyKey: String?
    /// Attempts allowed before the delivery goes dead.
    public var maxAttempts: Int
    /// The hub key of the record the delivery writes, when known at accept time (updates and
    /// deletes); a create learns it when it completes.
    public var recordKey: String?

    public init(
        id: String = UUID().uuidString.lowercased(), tenantID: String, connectionID: String, kind: DeliveryKind,
        payload: Data, idempotencyKey: String? = nil, maxAttempts: Int = 10, recordKey: String? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.connectionID = connectionID
        self.kind = kind
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.maxAttempts = maxAttempts
        self.recordKey = recordKey
    }
}

/// What ``OutboxStore/enqueue(_:idempotencyKey:tenant:fingerprint:now:)`` did with a request
/// sent under an idempotency key.
public enum IdempotentEnqueue: Sendable, Hashable {
    /// The key was new: the request's deliveries were committed together with the key.
    case created([Delivery])
    /// The key was committed before (by an earlier or a concurrent request): nothing was added.
    /// `fingerprint` is the one stored with the key (nil for a key from before fingerprints
    /// were stored), `deliveries` those committed under it, oldest first.
    case existing(fingerprint: String?, deliveries: [Delivery])
}

/// A request's fingerprint: what tells a repeated request (same fingerprint) from another
/// request under the same idempotency key.
public enum RequestFingerprint {
    /// The SHA-256 of `parts`, each length-prefixed so that no two lists give the same bytes,
    /// as lowercase hex.
    public static func of(_ parts: [Data]) -> String {
        var hasher = SHA256()
        for part in parts {
            hasher.update(data: Data("\(part.count):".utf8))
            hasher.update(data: part)
        }
        return ByteEncoding.hex(hasher.finalize())
    }
}

/// A write in the outbox and everything known about its delivery.
public struct Delivery: Sendable, Hashable {
    public var id: String
    public var tenantID: String
    public var connectionID: String
    public var kind: DeliveryKind
    public var payload: Data
    public var idempotencyKey: String?
    public var state: DeliveryState
    /// Attempts started so far.
    public var attempts: Int
    public var maxAttempts: Int
    /// When a retry-wait delivery becomes due.
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// The vendor's id for what was created.
    public var remoteID: String?
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var completedAt: Date?
    /// The hub key of the record written: known at accept time for updates and deletes, set
    /// when a create completes.
    public var recordKey: String?
    /// A stable code for ``lastError`` (`vendor_permission_denied`, `vendor_validation`,
    /// `not_found`, `changed_at_vendor`, ...), nil when there was none or it had no class.
    public var errorCode: String?
    /// Both versions, when the delivery ended in ``DeliveryState/conflict``.
    public var conflict: DeliveryConflict?
    /// Whether the next attempt skips the vendor modification check (a retry with `force`).
    public var force: Bool

    public init(
        id: String, tenantID: String, connectionID: String, kind: DeliveryKind, payload: Data,
        idempotencyKey: String?, state: DeliveryState, attempts: Int, maxAttempts: Int, nextAttemptAt: Date?,
        lastError: String?, remoteID: String?, leaseOwner: String?, leaseExpiresAt: Date?, createdAt: Date,
        updatedAt: Date, completedAt: Date?, recordKey: String? = nil, errorCode: String? = nil, conflict: DeliveryConflict? = nil,
        force: Bool = false
    ) {
        self.recordKey = recordKey
        self.errorCode = errorCode
        self.conflict = conflict
        self.force = force
        self.id = id
        self.tenantID = tenantID
        self.connectionID = connectionID
        self.kind = kind
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.remoteID = remoteID
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.completedAt = completedAt
    }
}

/// Which deliveries to list.
public struct DeliveryFilter: Sendable, Hashable {
    public var state: DeliveryState?
    public var connectionID: String?
    /// Only the deliveries committed under this client idempotency key.
    public var idempotencyKey: String?
    /// Only the deliveries that write the record with this hub key (a record's write history).
    public var recordKey: String?
    public var limit: Int

    public init(
        state: DeliveryState? = nil, connectionID: String? = nil, idempotencyKey: String? = nil, recordKey: String? = nil,
        limit: Int = 100
    ) {
        self.state = state
        self.connectionID = connectionID
        self.idempotencyKey = idempotencyKey
        self.recordKey = recordKey
        self.limit = limit
    }
}
