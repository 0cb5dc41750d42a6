import ConnectorKit
import Foundation
import HTTPTypes
import HubOperations
import HubStore
import RealtyModel

/// The JSON shapes of the API beyond records (snake_case, like the rest of the hub's own API).

struct ConnectionJSON: Encodable {
    var id, vendor, name: String
    var baseURL: String
    var authURL: String?
    var syncIntervalSeconds: Int?
    var enabled: Bool
    /// Credentials are write-only: only whether they are stored is ever returned.
    var hasCredentials: Bool
    var createdAt, updatedAt: String
    var requestsPerSecond: Double?
    var maxConcurrency: Int?
    var dailyRequests: Int?
    var deliveryReservePercent: Int?
    /// Today's spending of the daily budget (absent without one).
    var requestBudget: RequestBudgetJSON?
    /// The vendor options (not secret), `{}` when none.
    var options: [String: String]
    var rereadIntervalSeconds: Int?
    /// What the connection's vendor lets the hub read, write and do (absent when no connector
    /// can be built for it, e.g. without credentials).
    var capabilities: CapabilitiesJSON?

    init(_ connection: Connection, budget: RequestBudget.Usage? = nil, capabilities: ConnectorCapabilities? = nil) {
        self.capabilities = capabilities.map(CapabilitiesJSON.init)
        options = connection.options
        rereadIntervalSeconds = connection.rereadIntervalSeconds
        requestsPerSecond = connection.requestsPerSecond
        maxConcurrency = connection.maxConcurrency
        dailyRequests = connection.dailyRequests
        deliveryReservePercent = connection.deliveryReservePercent
        requestBudget = budget.map(RequestBudgetJSON.init)
        id = connection.id
        vendor = connection.vendor
        name = connection.name
        baseURL = connection.baseURL
        authURL = connection.authURL
        syncIntervalSeconds = connection.syncIntervalSeconds
        enabled = connection.enabled
        hasCredentials = connection.hasCredentials
        createdAt = Timestamp.format(connection.createdAt)
        updatedAt = Timestamp.format(connection.updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case id, vendor, name, enabled
        case baseURL = "base_url"
        case authURL = "auth_url"
        case syncIntervalSeconds = "sync_interval_seconds"
        case hasCredentials = "has_credentials"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case requestsPerSecond = "requests_per_second"
        case maxConcurrency = "max_concurrency"
        case dailyRequests = "daily_requests"
        case deliveryReservePercent = "delivery_reserve_percent"
        case requestBudget = "request_budget"
        case options, capabilities
        case rereadIntervalSeconds = "reread_interval_seconds"
    }
}

/// A connection's capabilities: the resources it reads, each writable resource with its
/// operations and the fields the vendor takes, and the vendor's own operations.
struct CapabilitiesJSON: Encodable {
    struct Writable: Encodable {
        var resource: String
        var operations: [String]
        var fields: [String]?
    }

    var readable: [String]
    var writable: [Writable]
    var operations: [String]

    init(_ capabilities: ConnectorCapabilities) {
        readable = capabilities.readable.map(\.resource.rawValue)
        writable = capabilities.writable.map {
            Writable(resource: $0.resource.rawValue, operations: $0.operations.map(\.rawValue), fields: $0.fields)
        }
        operations = capabilities.operations
    }
}

/// A connection's daily request budget today (see `RequestBudget.Usage`).
struct RequestBudgetJSON: Encodable {
    var dailyLimit, reserved, used, remaining, pullRemaining: Int
    var resetsAt, timeZone: String

    init(_ usage: RequestBudget.Usage) {
        dailyLimit = usage.dailyLimit
        reserved = usage.reserved
        used = usage.used
        remaining = usage.remaining
        pullRemaining = usage.pullRemaining
        resetsAt = Timestamp.format(usage.resetsAt)
        timeZone = usage.timeZone
    }

    enum CodingKeys: String, CodingKey {
        case reserved, used, remaining
        case dailyLimit = "daily_limit"
        case pullRemaining = "pull_remaining"
        case resetsAt = "resets_at"
        case timeZone = "time_zone"
    }
}

struct ConnectionInput: Decodable {
    var vendor: String
    var name: String
    var baseURL: String
    var authURL: String?
    var credentials: JSONValue
    var syncIntervalSeconds: Int?
    var requestsPerSecond: Double?
    var maxConcurrency: Int?
    /// Read as JSON and checked by `RequestBudgetSetting` (a 422 naming the field when wrong).
    var dailyRequests: JSONValue?
    var deliveryReservePercent: JSONValue?
    /// Read as JSON and checked by `ConnectionOptionValues` and the vendor's option specs.
    var options: JSONValue?
    var rereadIntervalSeconds: JSONValue?

    enum CodingKeys: String, CodingKey {
        case vendor, name, credentials, options
        case rereadIntervalSeconds = "reread_interval_seconds"
        case baseURL = "base_url"
        case authURL = "auth_url"
        case syncIntervalSeconds = "sync_interval_seconds"
        case requestsPerSecond = "requests_per_second"
        case maxConcurrency = "max_concurrency"
        case dailyRequests = "daily_requests"
        case deliveryReservePercent = "delivery_reserve_percent"
    }
}

struct ConnectionPatch: Decodable {
    var name: String?
    var baseURL: String?
    var authURL: String?
    var credentials: JSONValue?
    var syncIntervalSeconds: Int?
    var enabled: Bool?
    var requestsPerSecond: Double?
    var maxConcurrency: Int?
    var dailyRequests: JSONValue?
    var deliveryReservePercent: JSONValue?
    var options: JSONValue?
    var rereadIntervalSeconds: JSONValue?

    enum CodingKeys: String, CodingKey {
        case name, credentials, enabled, options
        case rereadIntervalSeconds = "reread_interval_seconds"
        case baseURL = "base_url"
        case authURL = "auth_url"
        case syncIntervalSeconds = "sync_interval_seconds"
        case requestsPerSecond = "requests_per_second"
        case maxConcurrency = "max_concurrency"
        case dailyRequests = "daily_requests"
        case deliveryReservePercent = "delivery_reserve_percent"
    }
}

struct SyncRunJSON: Encodable {
    var id, connectionID, resource, mode, status, startedAt: String
    var finishedAt: String?
    var inserted, updated, unchanged, deleted, pages: Int
    var error: String?
    var skipped: String?

    init(_ run: SyncRun) {
        id = run.id
        connectionID = run.connectionID
        resource = run.resource.rawValue
        mode = run.mode.rawValue
        status = run.status.rawValue
        startedAt = Timestamp.format(run.startedAt)
        finishedAt = run.finishedAt.map(Timestamp.format)
        inserted = run.inserted
        updated = run.updated
        unchanged = run.unchanged
        deleted = run.deleted
        pages = run.pages
        error = run.error
        skipped = run.skipped
    }

    enum CodingKeys: String, CodingKey {
        case id, resource, mode, status, inserted, updated, unchanged, deleted, pages, error, skipped
        case connectionID = "connection_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

struct ConnectionResourceJSON: Encodable {
    var resource: String
    var core, incremental, running: Bool
    var availability: String
    var reason, lastSyncedAt, lastFullPassAt, nextDueAt: String?

    init(_ state: ResourceState) {
        nextDueAt = state.nextDueAt.map(Timestamp.format)
        resource = state.resource.rawValue
        core = state.core
        incremental = state.incremental
        running = state.running
        availability = state.availability.rawValue
        reason = state.reason
        lastSyncedAt = state.lastSyncedAt.map(Timestamp.format)
        lastFullPassAt = state.lastFullPassAt.map(Timestamp.format)
    }

    enum CodingKeys: String, CodingKey {
        case resource, core, incremental, running, availability, reason
        case lastSyncedAt = "last_synced_at"
        case lastFullPassAt = "last_full_pass_at"
        case nextDueAt = "next_due_at"
    }
}

struct SyncRequest: Decodable {
    var resource: String?
    var full: Bool?
}

struct DeliveryJSON: Encodable {
    var id, connectionID, kind, state: String
    var attempts, maxAttempts: Int
    var idempotencyKey, nextAttemptAt, lastError, remoteID, completedAt: String?
    var createdAt, updatedAt: String
    var payload: JSONValue?
    /// The hub key of the record written (a create's once done).
    var recordKey: String?
    var errorCode: String?
    var conflict: DeliveryConflict?
    var force: Bool

    init(_ delivery: Delivery) {
        id = delivery.id
        connectionID = delivery.connectionID
        kind = delivery.kind.rawValue
        state = delivery.state.rawValue
        attempts = delivery.attempts
        maxAttempts = delivery.maxAttempts
        idempotencyKey = delivery.idempotencyKey
        nextAttemptAt = delivery.nextAttemptAt.map(Timestamp.format)
        lastError = delivery.lastError
        remoteID = delivery.remoteID
        completedAt = delivery.completedAt.map(Timestamp.format)
        createdAt = Timestamp.format(delivery.createdAt)
        updatedAt = Timestamp.format(delivery.updatedAt)
        payload = try? JSONValue(parsing: delivery.payload)
        recordKey = delivery.recordKey
        errorCode = delivery.errorCode
        conflict = delivery.conflict
        force = delivery.force
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, state, attempts, payload, conflict, force
        case recordKey = "record_key"
        case errorCode = "error_code"
        case connectionID = "connection_id"
        case maxAttempts = "max_attempts"
        case idempotencyKey = "idempotency_key"
        case nextAttemptAt = "next_attempt_at"
        case lastError = "last_error"
        case remoteID = "remote_id"
        case completedAt = "completed_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `POST /v1/deliveries/{id}/retry`'s optional body.
struct RetryInput: Decodable {
    /// Send an update held as a conflict without the vendor modification check.
    var force: Bool?
}

struct LeadSubmission: Decodable {
    /// The lead, a Contacts record in RESO names (ContactType defaults to Lead).
    var lead: JSONValue
    /// Connection ids or names; every connection that can take leads when absent.
    var connections: [String]?
}

struct UnitUpdateInput: Decodable {
    var status: String
    var price: Double
    var directions: [String]
}

struct AddressCheckInput: Decodable {
    var address: String
}

/// The `options` member of a connection request, read once: a JSON object whose values are
/// strings (and, in a change, null to remove the option). The vendor's rules are checked after,
/// by the runtime.
enum ConnectionOptionValues {
    /// The options of a new connection: absent or null for none.
    static func create(_ value: JSONValue?) throws -> [String: String] {
        guard let value, value != .null else { return [:] }
        var options: [String: String] = [:]
        for (key, item) in try members(value) {
            guard case .string(let text) = item else { throw notString(key) }
            options[key] = text
        }
        return options
    }

    /// The options of a change: each a string to set or null to remove; `replace` when the
    /// member itself is null (every option removed).
    static func change(_ value: JSONValue) throws -> (options: [String: String?], replace: Bool) {
        if value == .null { return ([:], true) }
        var options: [String: String?] = [:]
        for (key, item) in try members(value) {
            switch item {
            case .string(let text): options[key] = .some(text)
            case .null: options[key] = .some(nil)
            default: throw notString(key, orNull: true)
            }
        }
        return (options, false)
    }

    private static func members(_ value: JSONValue) throws -> [(String, JSONValue)] {
        guard case .object(let object) = value else {
            throw APIError(
                .unprocessableContent, .validationFailed, "options must be an object of strings",
                details: [FieldError(field: "options", message: "must be an object")])
        }
        return object.map { ($0.key, $0.value) }
    }

    private static func notString(_ key: String, orNull: Bool = false) -> APIError {
        let shown = key.count > 40 ? String(key.prefix(40)) + "…" : key
        let rule = orNull ? "a string, or null to remove it" : "a string"
        return APIError(
            .unprocessableContent, .validationFailed, "options.\(shown) must be \(rule)",
            details: [FieldError(field: "options.\(shown)", message: "must be \(rule)")])
    }
}
