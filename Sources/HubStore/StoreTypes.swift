public import Foundation
public import RealtyModel

/// Applied and known schema migrations.
public struct SchemaStatus: Sendable, Hashable {
    /// Migrations applied to the database, in order.
    public var applied: [String]
    /// Migrations this binary knows, in order.
    public var known: [String]
    /// Whether the database is exactly at the binary's latest migration.
    public var isCurrent: Bool { applied == known }

    public init(applied: [String], known: [String]) {
        self.applied = applied
        self.known = known
    }
}

/// A customer of the hub; every record, connection and delivery belongs to one.
public struct Tenant: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date

    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A configured link to one vendor account. Credentials are stored apart, encrypted, and are
/// never part of this value.
public struct Connection: Sendable, Hashable, Codable {
    public var id: String
    public var tenantID: String
    /// `pf-expert`, `propq`, `mycrm`, `apimo` or `boston-logic`.
    public var vendor: String
    public var name: String
    public var baseURL: String
    /// The separate authentication host, for vendors that have one.
    public var authURL: String?
    /// Seconds between scheduled pulls; nil for manual only.
    public var syncIntervalSeconds: Int?
    public var enabled: Bool
    /// Whether credentials are stored (they are never returned with the connection).
    public var hasCredentials: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// Overrides the vendor profile's request rate (requests/s); 0 means unpaced, nil the
    /// profile's default.
    public var requestsPerSecond: Double?
    /// Overrides the vendor profile's requests in flight; nil for the profile's default.
    public var maxConcurrency: Int?
    /// The connection's own daily request budget; the effective budget is the smaller of it and
    /// the vendor's documented quota. nil: the vendor's quota alone (if any).
    public var dailyRequests: Int?
    /// The share of the daily budget kept for deliveries, in percent (0-90); nil for 20.
    public var deliveryReservePercent: Int?
    /// Vendor-specific, non-secret settings by name (PropQ's `development_ids`), as checked
    /// against the vendor's option specs when the connection was added or changed.
    public var options: [String: String] = [:]
    /// Seconds between scheduled re-reads of the resources that have no change signal (read
    /// whole each time); nil for the scheduler's default (six hours).
    public var rereadIntervalSeconds: Int?

    public init(
        id: String, tenantID: String, vendor: String, name: String, baseURL: String, authURL: String? = nil,
        syncIntervalSeconds: Int? = nil, enabled: Bool = true, hasCredentials: Bool = false,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.vendor = vendor
        self.name = name
        self.baseURL = baseURL
        self.authURL = authURL
        self.syncIntervalSeconds = syncIntervalSeconds
        self.enabled = enabled
        self.hasCredentials = hasCredentials
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Where a batch of records comes from.
public struct SyncScope: Sendable, Hashable {
    public var tenant: String
    public var connectionID: String
    /// The vendor name written as `SourceSystemName`.
    public var sourceSystemName: String
    /// The full pass the batch belongs to, if any (see ``RecordStore/beginFullPass(tenant:connectionID:resource:)``).
    public var generation: Int64?
    /// The hub's clock for this batch (ModificationTimestamp of changed records).
    public var now: Date
    /// The vendor payload fields sealed inside `raw` before it is written (the connector's
    /// list; ``RealtyModel/SensitiveFields/standard`` at least).
    public var sensitiveFields: SensitiveFields

    public init(
        tenant: String, connectionID: String, sourceSystemName: String, generation: Int64? = nil, now: Date = Date(),
        sensitiveFields: SensitiveFields = .standard
    ) {
        self.tenant = tenant
        self.connectionID = connectionID
        self.sourceSystemName = sourceSystemName
        self.generation = generation
        self.now = now
        self.sensitiveFields = sensitiveFields
    }
}

/// What an upsert did to one record.
public enum UpsertOutcome: String, Sendable, Hashable, Codable {
    case inserted
    case updated
    case unchanged
}

/// What an upsert did to one record, with the record's hub key.
public struct UpsertItem: Sendable, Hashable {
    public var outcome: UpsertOutcome
    public var key: String

    public init(outcome: UpsertOutcome, key: String) {
        self.outcome = outcome
        self.key = key
    }
}

/// What an upsert did to a batch.
public struct UpsertSummary: Sendable, Hashable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// One outcome per input record, in input order.
    public var items: [UpsertItem] = []
    /// The parents' media written with them: inserted, updated and marked deleted (gone from
    /// their parent).
    public var mediaInserted = 0
    public var mediaUpdated = 0
    public var mediaDeleted = 0

    public init() {}

    /// Counts one outcome.
    public mutating func record(_ outcome: UpsertOutcome, key: String) {
        switch outcome {
        case .inserted: inserted += 1
        case .updated: updated += 1
        case .unchanged: unchanged += 1
        }
        items.append(UpsertItem(outcome: outcome, key: key))
    }
}

/// Sort direction.
public enum SortOrder: String, Sendable, Hashable, Codable {
    case ascending = "asc"
    case descending = "desc"
}

/// A list request against one resource, in RESO names.
public struct ListQuery: Sendable, Hashable {
    /// Equality filters: RESO field name → value as text (converted to the field's type).
    /// Allowed on indexed fields and on `SourceSystemName`, `ConnectionId` and the source key.
    public var filters: [String: String]
    /// Only records whose ModificationTimestamp is at or after this instant.
    public var modifiedSince: Date?
    /// A field to sort on; ModificationTimestamp when nil. Ties break on the hub key.
    public var sort: String?
    public var sortOrder: SortOrder
    /// 1-based page number.
    public var page: Int
    /// Records per page, 1...``ListQuery/maximumPerPage``.
    public var perPage: Int
    /// Projection: only these fields (plus the hub key) are read and returned.
    public var fields: [String]?
    /// Whether records marked deleted are included.
    public var includeDeleted: Bool

    /// The largest page the store serves.
    public static let maximumPerPage = 1000

    public init(
        filters: [String: String] = [:], modifiedSince: Date? = nil, sort: String? = nil,
        sortOrder: SortOrder = .ascending, page: Int = 1, perPage: Int = 100, fields: [String]? = nil,
        includeDeleted: Bool = false
    ) {
        self.filters = filters
        self.modifiedSince = modifiedSince
        self.sort = sort
        self.sortOrder = sortOrder
        self.page = page
        self.perPage = perPage
        self.fields = fields
        self.includeDeleted = includeDeleted
    }
}

/// One page of a list.
public struct RecordPage<R: HubRecord>: Sendable {
    public var records: [R]
    /// How many records match the query, over all pages.
    public var total: Int
    public var page: Int
    public var perPage: Int
    /// The projection applied, if any.
    public var fields: [String]?
    /// Whether ``total`` is only a lower bound: more records match than were counted (a broad
    /// record search, see ``RecordSearchQuery/exactTotalLimit``). Lists always count exactly.
    public var totalIsLowerBound: Bool

    public init(records: [R], total: Int, page: Int, perPage: Int, fields: [String]?, totalIsLowerBound: Bool = false) {
        self.records = records
        self.total = total
        self.page = page
        self.perPage = perPage
        self.fields = fields
        self.totalIsLowerBound = totalIsLowerBound
    }
}

/// The sync state of one (connection, resource).
public struct SyncState: Sendable, Hashable {
    /// The opaque cursor committed with the last page.
    public var cursor: String?
    public var cursorUpdatedAt: Date?
    /// The full pass in progress, if any.
    public var passGeneration: Int64?
    public var passStartedAt: Date?
    /// The last full pass that completed.
    public var lastCompletedGeneration: Int64?
    public var lastCompletedAt: Date?

    public init(
        cursor: String? = nil, cursorUpdatedAt: Date? = nil, passGeneration: Int64? = nil, passStartedAt: Date? = nil,
        lastCompletedGeneration: Int64? = nil, lastCompletedAt: Date? = nil
    ) {
        self.cursor = cursor
        self.cursorUpdatedAt = cursorUpdatedAt
        self.passGeneration = passGeneration
        self.passStartedAt = passStartedAt
        self.lastCompletedGeneration = lastCompletedGeneration
        self.lastCompletedAt = lastCompletedAt
    }
}

/// A program allowed to call the hub API on behalf of one tenant. The secret is kept only as
/// a salted hash (``APIClientSecret``); it is shown once, when the client is created.
public struct APIClient: Sendable, Hashable, Codable {
    /// The public client id (`client_id` in OAuth terms).
    public var id: String
    public var tenantID: String
    public var name: String
    /// `"<salt hex>$<SHA-256 hex>"`, from ``APIClientSecret/hash(_:salt:)``.
    public var secretHash: String
    /// Granted scopes, `resource:action` with action `read`, `write` or `delete`
    /// (for example `contacts:read`), or `*:read` for every resource.
    public var scopes: [String]
    public var enabled: Bool
    public var createdAt: Date

    public init(
        id: String, tenantID: String, name: String, secretHash: String, scopes: [String], enabled: Bool = true,
        createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.secretHash = secretHash
        self.scopes = scopes
        self.enabled = enabled
        self.createdAt = createdAt
    }
}

/// The limits one ``LimitStore/reserveRequest(key:limits:owner:now:leaseDuration:)`` applies.
public struct SharedLimitSpec: Sendable, Hashable {
    /// Requests in flight at once, over all processes.
    public var maxConcurrency: Int
    /// Seconds between requests (1 / rate); nil for no rate limit.
    public var interval: TimeInterval?
    /// Requests allowed back to back.
    public var burst: Int
    /// Requests per day; nil for no quota.
    public var dailyQuota: Int?
    /// Today in the quota's time zone (`2026-11-22`), which resets the count when it changes.
    public var day: String
    /// Whether the request takes a rate slot only when one is due at once (a pull, which must
    /// not hold a place ahead of deliveries): otherwise nothing is reserved and the answer is
    /// ``RequestReservation/paced(wait:)``.
    public var immediateOnly: Bool

    public init(maxConcurrency: Int, interval: TimeInterval?, burst: Int, dailyQuota: Int?, day: String, immediateOnly: Bool = false) {
        self.maxConcurrency = max(1, maxConcurrency)
        self.interval = interval
        self.burst = max(1, burst)
        self.dailyQuota = dailyQuota
        self.day = day
        self.immediateOnly = immediateOnly
    }

    /// Whether a rate slot `wait` seconds away is too far for this request (see ``immediateOnly``);
    /// a microsecond of slack, as a stored time cannot tell finer apart.
    public func mustWait(_ wait: TimeInterval) -> Bool { immediateOnly && wait > 1e-6 }

    /// The GCRA step: from the stored theoretical arrival time `tat` (seconds since 1970),
    /// the wait before sending and the new `tat`.
    public func pace(tat: Double, now: Double) -> (wait: TimeInterval, tat: Double) {
        guard let interval, interval > 0 else { return (0, tat) }
        let arrival = max(tat, now)
        let departure = max(now, arrival - Double(burst - 1) * interval)
        return (departure - now, arrival + interval)
    }
}

/// What reserving a request under shared limits gave.
public enum RequestReservation: Sendable, Hashable {
    /// A concurrency slot is held (give it back with ``LimitStore/releaseRequest(key:slot:owner:)``);
    /// send after `wait` seconds.
    case granted(slot: Int, wait: TimeInterval)
    /// Every concurrency slot is taken; nothing was reserved.
    case busy
    /// The rate slot of an ``SharedLimitSpec/immediateOnly`` request is `wait` seconds away;
    /// nothing was reserved.
    case paced(wait: TimeInterval)
    /// Today's quota is used up; nothing was reserved.
    case quotaExhausted
}

/// Requests counted on one day under a shared request key (see
/// ``LimitStore/requestUsage(key:)``).
public struct RequestUsage: Sendable, Hashable {
    /// The day the count belongs to, as ``SharedLimitSpec/day`` named it.
    public var day: String
    /// Requests reserved on that day, over every process.
    public var used: Int

    public init(day: String, used: Int) {
        self.day = day
        self.used = used
    }
}
