import Crypto
public import Foundation
import RealtyModel

/// Where a delivery is in its life.
///
/// ```
/// pending ──claim──▶ in-flight ──success──▶ done
///    ▲                 │  ▲  │
///    │          failure│  │  └─failure, budget spent──▶ dead ──retry──▶ pending
///    │                 ▼  │claim when due
///    │             retry-wait
///    └─ (an in-flight delivery whose lease expired is claimed again)
/// ```
public enum DeliveryState: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case inFlight = "in-flight"
    case done
    case retryWait = "retry-wait"
    case dead
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
    /// A user asks to try a dead delivery again.
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
        case (.dead, .retry): return .pending
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

    public init(
        id: String = UUID().uuidString.lowercased(), tenantID: String, connectionID: String, kind: DeliveryKind,
        payload: Data, idempotencyKey: String? = nil, maxAttempts: Int = 10
    ) {
        self.id = id
        self.tenantID = tenantID
        self.connectionID = connectionID
        self.kind = kind
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.maxAttempts = maxAttempts
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

    public init(
        id: String, tenantID: String, connectionID: String, kind: DeliveryKind, payload: Data,
        idempotencyKey: String?, state: DeliveryState, attempts: Int, maxAttempts: Int, nextAttemptAt: Date?,
        lastError: String?, remoteID: String?, leaseOwner: String?, leaseExpiresAt: Date?, createdAt: Date,
        updatedAt: Date, completedAt: Date?
    ) {
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
    public var limit: Int

    public init(state: DeliveryState? = nil, connectionID: String? = nil, idempotencyKey: String? = nil, limit: Int = 100) {
        self.state = state
        self.connectionID = connectionID
        self.idempotencyKey = idempotencyKey
        self.limit = limit
    }
}
