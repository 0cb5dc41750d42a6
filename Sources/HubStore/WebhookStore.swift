public import Foundation

/// A tenant's subscription to the hub's events, and where its delivery stands.
///
/// Delivery follows the change feed: `cursor` is the last event sequence acknowledged (or
/// passed over as not matching); the next matching event after it is the one being sent, with
/// `attempts` made so far and the next at `nextAttemptAt`. Events are sent one at a time per
/// subscription, so they arrive in sequence order.
public struct WebhookSubscription: Sendable, Hashable {
    public var id: String
    public var tenantID: String
    /// The API client that created it (nil: created with the data folder, by the CLI); its read
    /// scopes bound what is sent.
    public var clientID: String?
    public var url: String
    /// Event type patterns (`contacts.created`, `contacts.*`, `*`).
    public var events: [String]
    public var description: String?
    public var enabled: Bool
    /// Why the hub disabled it (the receiver answered 410, failures for days), when it did.
    public var disabledReason: String?
    /// The creating client's scopes when it was created (`resource:action`).
    public var scopes: [String]
    public var cursor: Int64
    public var attempts: Int
    public var nextAttemptAt: Date?
    /// When the current run of failed attempts began.
    public var failingSince: Date?
    public var lastError: String?
    /// Until when the secret replaced by the last rotation is still used to sign.
    public var previousSecretExpiresAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, tenantID: String, clientID: String?, url: String, events: [String], description: String? = nil,
        enabled: Bool = true, scopes: [String], cursor: Int64, createdAt: Date
    ) {
        self.id = id
        self.tenantID = tenantID
        self.clientID = clientID
        self.url = url
        self.events = events
        self.description = description
        self.enabled = enabled
        self.scopes = scopes
        self.cursor = cursor
        self.attempts = 0
        self.createdAt = createdAt
        self.updatedAt = createdAt
    }
}

/// An event a subscription gave up on: kept with why, when its subscription was disabled.
public struct WebhookDeadLetter: Sendable, Hashable {
    public var subscriptionID: String
    public var sequence: Int64
    public var type: String
    public var error: String
    public var attempts: Int
    public var createdAt: Date

    public init(subscriptionID: String, sequence: Int64, type: String, error: String, attempts: Int, createdAt: Date) {
        self.subscriptionID = subscriptionID
        self.sequence = sequence
        self.type = type
        self.error = error
        self.attempts = attempts
        self.createdAt = createdAt
    }
}

/// Webhook subscriptions, their signing secrets (sealed at rest like credentials) and their
/// delivery state, leased to one worker at a time across processes.
public protocol WebhookStore: Sendable {
    /// Stores a new subscription with its signing secret (the `whsec_...` text).
    /// - Throws: ``StoreError`` `.conflict` when the id exists, `.notFound` when the tenant does not.
    func createWebhook(_ subscription: WebhookSubscription, secret: String) async throws
    /// The subscription `id` of `tenant`, or nil.
    func webhook(id: String, tenant: String) async throws -> WebhookSubscription?
    /// The subscriptions of `tenant` (every tenant's when nil), oldest first.
    func listWebhooks(tenant: String?) async throws -> [WebhookSubscription]
    /// Saves a subscription's `url`, `events`, `description` and `enabled`. Enabling one that
    /// was disabled clears its failure state (attempts, next attempt, reason): it resumes at
    /// its cursor.
    /// - Throws: ``StoreError`` `.notFound`.
    func updateWebhook(_ subscription: WebhookSubscription, now: Date) async throws -> WebhookSubscription
    /// Removes a subscription and its dead letters.
    /// - Returns: whether it existed.
    func deleteWebhook(id: String, tenant: String) async throws -> Bool
    /// The secrets that sign its messages now: the current one, then the previous one while
    /// its rotation's grace lasts (`now` before ``WebhookSubscription/previousSecretExpiresAt``).
    /// - Throws: ``StoreError`` `.notFound`, `.secretKey` when the data folder's key cannot open them.
    func webhookSecrets(id: String, tenant: String, now: Date) async throws -> [String]
    /// Replaces the secret; the old one keeps signing until `previousValidUntil`.
    /// - Throws: ``StoreError`` `.notFound`.
    func rotateWebhookSecret(id: String, tenant: String, secret: String, previousValidUntil: Date, now: Date) async throws
    /// The highest event sequence written so far, record events and the hub's own (0 when
    /// none): where a new subscription starts.
    func latestEventSequence() async throws -> Int64
    /// The change feed of `tenant` after `after` as webhooks send it: record events and the
    /// hub's own events (``HubEvent``), in sequence order, at most `limit`.
    func webhookEvents(tenant: String, after: Int64, limit: Int) async throws -> [WebhookFeedEvent]
    /// Signalled after this store's write transactions (which may have appended events), so a
    /// webhook worker in this process wakes at once; other processes' writes are found by polling.
    func eventSignal() -> OutboxSignal

    /// Leases up to `limit` enabled subscriptions that are due (no attempt waiting, or its time
    /// has come) and free (no lease, an expired one, or already `owner`'s) to `owner` until
    /// `now + leaseDuration`, oldest first.
    func claimWebhooks(owner: String, now: Date, leaseDuration: TimeInterval, limit: Int) async throws -> [WebhookSubscription]
    /// Extends `owner`'s leases; returns the ids it still holds.
    func renewWebhookLeases(owner: String, now: Date, leaseDuration: TimeInterval) async throws -> Set<String>
    /// Gives up `owner`'s lease of `id`.
    func releaseWebhook(id: String, owner: String) async throws
    /// Moves the cursor to `sequence` (acknowledged, or passed over) and clears the failure
    /// state, while `owner` holds the lease.
    /// - Throws: ``StoreError`` `.conflict` when the lease is not `owner`'s (nothing changes).
    func advanceWebhook(id: String, owner: String, to sequence: Int64, now: Date) async throws
    /// Records a failed attempt at the event after the cursor, to be tried again at `retryAt`.
    /// - Throws: ``StoreError`` `.conflict` when the lease is not `owner`'s.
    func failWebhookAttempt(id: String, owner: String, error: String, retryAt: Date, now: Date) async throws
    /// Disables a subscription with `reason`, keeping `deadLetter` (the event it gave up on),
    /// and releases its lease. With `owner` nil it is disabled whoever holds it.
    func disableWebhook(id: String, owner: String?, reason: String, deadLetter: WebhookDeadLetter?, now: Date) async throws
    /// Sends events again from `sequence` on: the cursor goes to `sequence - 1` and the
    /// failure state is cleared.
    /// - Throws: ``StoreError`` `.notFound`.
    func replayWebhook(id: String, tenant: String, fromSequence sequence: Int64, now: Date) async throws
    /// The dead letters of a subscription, oldest first.
    func webhookDeadLetters(id: String, tenant: String) async throws -> [WebhookDeadLetter]
}
