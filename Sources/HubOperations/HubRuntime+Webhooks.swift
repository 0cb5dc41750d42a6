public import Foundation
public import HubStore
public import RealtyModel
public import SyncEngine
import Synchronization

/// Who creates or changes a subscription: an API client (its id and scopes) or the data folder's
/// owner through the CLI (every scope).
public struct WebhookCreator: Sendable, Hashable {
    public var clientID: String?
    public var scopes: ScopeSet

    public init(clientID: String?, scopes: ScopeSet) {
        self.clientID = clientID
        self.scopes = scopes
    }

    /// The CLI, working on the data folder: reads everything.
    public static let dataFolder = WebhookCreator(clientID: nil, scopes: ScopeSet(grants: ["*:read"]))
}

/// What a subscription change asks for; nil leaves a field as it is.
public struct WebhookChange: Sendable, Hashable {
    public var url: String?
    public var events: [String]?
    public var description: String??
    public var enabled: Bool?

    public init(url: String? = nil, events: [String]? = nil, description: String?? = nil, enabled: Bool? = nil) {
        self.url = url
        self.events = events
        self.description = description
        self.enabled = enabled
    }
}

extension HubRuntime {
    /// How long the secret replaced by a rotation keeps signing (both signatures are sent).
    public static let webhookSecretGrace: TimeInterval = 24 * 3_600

    /// Subscribes `tenant` to events at `url`. The subscription starts at the end of the change
    /// feed (events from now on; older ones through a replay).
    ///
    /// - Parameter allowPrivateTargets: whether loopback and private addresses may be targets.
    /// - Returns: the subscription and its signing secret (`whsec_...`), shown this once.
    /// - Throws: ``HubError`` `.validationFailed` with a detail per problem: a URL that is not
    ///   http(s), carries credentials or names a refused address; unknown event types, or types
    ///   the creator may not read; a description longer than 500 characters.
    public func createWebhook(
        tenant: String, creator: WebhookCreator, url: String, events: [String], description: String?, enabled: Bool = true,
        allowPrivateTargets: Bool, now: Date = Date()
    ) async throws -> (subscription: WebhookSubscription, secret: String) {
        let (checkedURL, filter) = try Self.checkWebhook(
            url: url, events: events, description: description, creator: creator, allowPrivateTargets: allowPrivateTargets)
        try await ensureTenant(tenant)
        let secret = WebhookSecret.generate()
        let subscription = WebhookSubscription(
            id: Self.prefixedID("wh_", at: now), tenantID: tenant, clientID: creator.clientID,
            url: checkedURL, events: filter.patterns, description: description, enabled: enabled,
            scopes: creator.scopes.grants.sorted(), cursor: try await store.latestEventSequence(), createdAt: now)
        try await store.createWebhook(subscription, secret: secret.text)
        return (subscription, secret.text)
    }

    /// The subscription `id` of `tenant`.
    /// - Throws: ``HubError`` `.notFound`.
    public func webhook(id: String, tenant: String) async throws -> WebhookSubscription {
        guard let subscription = try await store.webhook(id: id, tenant: tenant) else {
            throw HubError(.notFound, "no webhook \(id)")
        }
        return subscription
    }

    /// Changes a subscription's URL, events, description or enabled state (checked as at
    /// creation, against the creator's scopes now). Enabling a disabled one resumes it where it
    /// stopped.
    public func updateWebhook(
        id: String, tenant: String, creator: WebhookCreator, change: WebhookChange, allowPrivateTargets: Bool, now: Date = Date()
    ) async throws -> WebhookSubscription {
        var subscription = try await webhook(id: id, tenant: tenant)
        let description = change.description ?? subscription.description
        let (url, filter) = try Self.checkWebhook(
            url: change.url ?? subscription.url, events: change.events ?? subscription.events, description: description,
            creator: creator, allowPrivateTargets: allowPrivateTargets)
        subscription.url = url
        subscription.events = filter.patterns
        subscription.description = description
        if let enabled = change.enabled { subscription.enabled = enabled }
        do {
            return try await store.updateWebhook(subscription, now: now)
        } catch let error as StoreError where error.code == .notFound {
            throw HubError(.notFound, "no webhook \(id)")
        }
    }

    /// Removes a subscription; nothing more is sent to it.
    /// - Throws: ``HubError`` `.notFound`.
    public func deleteWebhook(id: String, tenant: String) async throws {
        guard try await store.deleteWebhook(id: id, tenant: tenant) else { throw HubError(.notFound, "no webhook \(id)") }
    }

    /// Gives a subscription a new signing secret; the old one keeps signing (beside the new)
    /// for ``webhookSecretGrace``.
    /// - Returns: the new secret, shown this once.
    public func rotateWebhookSecret(id: String, tenant: String, now: Date = Date()) async throws -> String {
        _ = try await webhook(id: id, tenant: tenant)
        let secret = WebhookSecret.generate()
        try await store.rotateWebhookSecret(
            id: id, tenant: tenant, secret: secret.text, previousValidUntil: now.addingTimeInterval(Self.webhookSecretGrace), now: now)
        return secret.text
    }

    /// Sends the subscription's events again from `sequence` (an `EntityEventSequence`) on.
    /// - Throws: ``HubError`` `.validationFailed` for a sequence below 1, `.notFound`.
    public func replayWebhook(id: String, tenant: String, fromSequence sequence: Int64, now: Date = Date()) async throws {
        guard sequence >= 1 else {
            throw HubError(
                .validationFailed, "the replay's start is not valid",
                details: [FieldError(field: "from_sequence", message: "an EntityEventSequence, 1 or more")])
        }
        _ = try await webhook(id: id, tenant: tenant)
        try await store.replayWebhook(id: id, tenant: tenant, fromSequence: sequence, now: now)
    }

    /// Sends the subscription a `webhook.test` message now, signed as its events are, outside
    /// its sequence (its cursor does not move), and tells what the receiver answered.
    /// - Returns: the receiver's HTTP status.
    /// - Throws: ``HubError`` `.notFound`; `.vendor` when no answer came (a refused target, a
    ///   connection failure, a timeout), naming why.
    public func testWebhook(id: String, tenant: String, now: Date = Date()) async throws -> Int {
        let subscription = try await webhook(id: id, tenant: tenant)
        guard let url = URL(string: subscription.url) else { throw HubError(.invalidRequest, "the webhook's URL does not parse") }
        let secrets = try await store.webhookSecrets(id: id, tenant: tenant, now: now).map { try WebhookSecret(parsing: $0) }
        let message = WebhookMessage.message(
            id: Self.prefixedID("test_", at: now), type: "webhook.test", timestamp: now,
            data: ["webhook_id": .string(id)])
        do {
            let response = try await webhookTransport.post(
                url: url, headers: message.headers(timestamp: Int64(now.timeIntervalSince1970), secrets: secrets), body: message.body,
                timeout: webhookTimeout)
            return response.status
        } catch {
            throw HubError(.vendor, "the test webhook got no answer from \(subscription.url): \(error)")
        }
    }

    /// Checks what a subscription is given: the URL's form and target, the event patterns
    /// against the creator's read scopes, the description's length.
    static func checkWebhook(
        url: String, events: [String], description: String?, creator: WebhookCreator, allowPrivateTargets: Bool
    ) throws -> (url: String, filter: WebhookEventFilter) {
        var problems: [FieldError] = []
        var checkedURL = url
        do {
            checkedURL = try WebhookTargetPolicy.checkURL(url, allowPrivate: allowPrivateTargets).absoluteString
        } catch let refusal as WebhookTargetPolicy.Refusal {
            problems.append(FieldError(field: "url", message: refusal.description))
        }
        var filter: WebhookEventFilter?
        do {
            filter = try WebhookEventFilter(events, scopes: creator.scopes)
        } catch let error as HubError {
            problems += error.details
        }
        // Counted in Unicode scalars, as the API document's maxLength (JSON Schema counts code points).
        if let description, description.unicodeScalars.count > 500 {
            problems.append(FieldError(field: "description", message: "at most 500 characters"))
        }
        guard problems.isEmpty, let filter else { throw HubError(.validationFailed, "the webhook is not valid", details: problems) }
        return (checkedURL, filter)
    }
}

/// The hub's answer to "does this subscription get events of this type": its patterns, and the
/// read scopes of the client that created it as they are now (a client removed or disabled
/// stops its subscriptions; a scope taken away stops those events). Clients are read at most
/// every few seconds.
public final class HubWebhookAudience: WebhookAudience {
    let clients: any ClientStore
    private let cache = Mutex<[String: (client: APIClient?, read: Date)]>([:])
    private let freshness: TimeInterval = 5

    public init(clients: any ClientStore) {
        self.clients = clients
    }

    public func decide(_ subscription: WebhookSubscription, type: String) async throws -> WebhookAudienceDecision {
        var scopes = ScopeSet(grants: Set(subscription.scopes))
        if let clientID = subscription.clientID {
            guard let client = try await client(clientID) else {
                return .stop(reason: "its API client \(clientID) was removed")
            }
            guard client.enabled, client.tenantID == subscription.tenantID else {
                return .stop(reason: "its API client \(clientID) is disabled")
            }
            // What the client may read now, and never more than it could when subscribing.
            scopes = ScopeSet(grants: Set(client.scopes)).narrowed(to: scopes)
        }
        let patterns = WebhookEventFilter(trusted: subscription.events)
        return patterns.matches(type, scopes: scopes) ? .send : .skip
    }

    /// The client `id` (nil when removed); a store failure is thrown, never taken for a removal.
    private func client(_ id: String) async throws -> APIClient? {
        let now = Date()
        if let cached = cache.withLock({ $0[id] }), now.timeIntervalSince(cached.read) < freshness { return cached.client }
        let client = try await clients.apiClient(id: id)
        cache.withLock { $0[id] = (client, now) }
        return client
    }
}
