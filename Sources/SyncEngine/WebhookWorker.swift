public import ConnectorKit
public import Foundation
public import HubStore
public import Logging
public import RealtyModel

/// What a webhook receiver answered.
public struct WebhookResponse: Sendable, Hashable {
    public var status: Int
    public init(status: Int) { self.status = status }
}

/// Sends one webhook request. The hub's transport (``SafeWebhookTransport``) checks the target's
/// address before connecting, follows no redirect and reads little of the answer.
public protocol WebhookTransport: Sendable {
    /// POSTs `body` with `headers` to `url`, waiting at most `timeout` for the answer.
    /// - Throws: when no answer came (refused target, connection failure, timeout).
    func post(url: URL, headers: [(String, String)], body: Data, timeout: TimeInterval) async throws -> WebhookResponse
}

/// Whether a subscription receives events of a type, decided by the application layer (its
/// patterns, and its creating client's read scopes as they are now).
public enum WebhookAudienceDecision: Sendable, Hashable {
    case send
    case skip
    /// The subscription can receive nothing any more (its client was removed): disable it.
    case stop(reason: String)
}

public protocol WebhookAudience: Sendable {
    /// - Throws: when it cannot tell now (a store failure): nothing is sent or passed over.
    func decide(_ subscription: WebhookSubscription, type: String) async throws -> WebhookAudienceDecision
}

/// How webhooks are retried and leased.
public struct WebhookPolicy: Sendable, Hashable {
    /// Waits between attempts at one event: full jitter under `min(maxDelay, base × 2^n)`.
    public var backoff: RetryPolicy
    /// After failing this long, the subscription is disabled and the event kept as a dead letter.
    public var giveUpAfter: TimeInterval
    /// How long a subscription stays leased to a worker; a worker keeps one at most a third of
    /// it before claiming again (which renews it).
    public var leaseDuration: TimeInterval
    /// Subscriptions driven at once.
    public var claimLimit: Int
    /// Events read from the feed at a time.
    public var eventsPerRead: Int
    /// How long a receiver has to answer.
    public var timeout: TimeInterval

    /// About 3 days of retries, waits growing from 5 seconds to at most an hour.
    public init(
        backoff: RetryPolicy = RetryPolicy(baseDelay: .seconds(5), maxDelay: .seconds(3_600), maxRetryAfter: .seconds(3_600)),
        giveUpAfter: TimeInterval = 3 * 86_400, leaseDuration: TimeInterval = 60, claimLimit: Int = 32, eventsPerRead: Int = 200,
        timeout: TimeInterval = 10
    ) {
        self.backoff = backoff
        self.giveUpAfter = giveUpAfter
        self.leaseDuration = max(0.03, leaseDuration)
        self.claimLimit = max(1, claimLimit)
        self.eventsPerRead = max(1, eventsPerRead)
        self.timeout = max(0.001, timeout)
    }
}

/// Sends each subscription its events from the change feed (record events and the hub's own,
/// ``HubEvent``), one at a time and in sequence order: the event after the subscription's cursor is sent until the receiver acknowledges it
/// (2xx), then the cursor moves past it. A 410 disables the subscription; anything else (or no
/// answer within the timeout) is retried with backoff under the same `webhook-id`, and after
/// ``WebhookPolicy/giveUpAfter`` the subscription is disabled with the event kept as a dead
/// letter. Subscriptions are leased, so across processes each is driven by one worker at a time;
/// a worker that dies mid-send leaves the cursor where it was, and the event is sent again
/// (same id) once the lease expires: at least once, never out of order.
public struct WebhookWorker: Sendable {
    public let store: any WebhookStore & RecordStore & OutboxStore & CursorStore
    let transport: any WebhookTransport
    let audience: any WebhookAudience
    let policy: WebhookPolicy
    let owner: String
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    let logger: Logger

    public init(
        store: any WebhookStore & RecordStore & OutboxStore & CursorStore, transport: any WebhookTransport, audience: any WebhookAudience,
        policy: WebhookPolicy = WebhookPolicy(), owner: String = "webhooks-\(UUID().uuidString)",
        now: @escaping @Sendable () -> Date = { Date() }, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger
    ) {
        self.store = store
        self.transport = transport
        self.audience = audience
        self.policy = policy
        self.owner = owner
        self.now = now
        self.random = random
        self.logger = logger
    }

    /// Claims the subscriptions that are due and drives each (concurrently) through what the
    /// feed holds for it, for at most a third of the lease.
    /// - Returns: how many messages were attempted.
    @discardableResult
    public func runOnce() async throws -> Int {
        let claimed = try await store.claimWebhooks(
            owner: owner, now: now(), leaseDuration: policy.leaseDuration, limit: policy.claimLimit)
        guard !claimed.isEmpty else { return 0 }
        return await withTaskGroup(of: Int.self) { group in
            for subscription in claimed {
                group.addTask { await drive(subscription) }
            }
            return await group.reduce(0, +)
        }
    }

    /// Sends `subscription` its pending events until it is caught up, an attempt fails, or the
    /// time slice ends. Never throws: a store failure leaves the lease to expire.
    /// - Returns: how many messages were attempted.
    func drive(_ subscription: WebhookSubscription) async -> Int {
        let metadata: Logger.Metadata = ["hub.webhook.id": "\(subscription.id)", "hub.tenant": "\(subscription.tenantID)"]
        var attempted = 0
        do {
            try await sendPending(subscription, attempted: &attempted, metadata: metadata)
            // Free at once, so another process may take it up when it is next due.
            try await store.releaseWebhook(id: subscription.id, owner: owner)
        } catch {
            logger.error(
                "driving a webhook failed; its lease will expire and it will be taken up again",
                metadata: metadata.merging(["hub.error": "\(error)"]) { $1 })
        }
        return attempted
    }

    /// The body of ``drive(_:)``: returns when caught up, after a failed attempt, when the
    /// subscription was disabled, or when the time slice ends.
    func sendPending(_ subscription: WebhookSubscription, attempted: inout Int, metadata: Logger.Metadata) async throws {
        let deadline = now().addingTimeInterval(policy.leaseDuration / 3)
        var cursor = subscription.cursor
        var secrets: [WebhookSecret]?
        while now() < deadline, !Task.isCancelled {
            let events = try await store.webhookEvents(tenant: subscription.tenantID, after: cursor, limit: policy.eventsPerRead)
            guard let last = events.last else { break }
            // The last event passed over without sending; persisted before any send, and at the end.
            var passed = cursor
            for event in events {
                let type = WebhookMessage.type(of: event)
                switch try await audience.decide(subscription, type: type) {
                case .skip:
                    passed = event.sequence
                    continue
                case .stop(let reason):
                    try await store.disableWebhook(id: subscription.id, owner: owner, reason: reason, deadLetter: nil, now: now())
                    logger.notice("webhook disabled", metadata: metadata.merging(["hub.reason": "\(reason)"]) { $1 })
                    return
                case .send:
                    break
                }
                if passed > cursor {
                    try await store.advanceWebhook(id: subscription.id, owner: owner, to: passed, now: now())
                    cursor = passed
                }
                let keys = try await signingSecrets(subscription, cached: &secrets)
                let message = try await message(for: event, tenant: subscription.tenantID)
                attempted += 1
                let outcome = await send(message, to: subscription, secrets: keys)
                switch outcome {
                case .acknowledged:
                    try await store.advanceWebhook(id: subscription.id, owner: owner, to: event.sequence, now: now())
                    cursor = event.sequence
                    passed = event.sequence
                case .gone:
                    try await store.disableWebhook(
                        id: subscription.id, owner: owner, reason: "the receiver answered 410 Gone",
                        deadLetter: nil, now: now())
                    logger.notice("webhook disabled: the receiver answered 410 Gone", metadata: metadata)
                    return
                case .failed(let error):
                    // Attempts and the failing period go on while the same event fails.
                    let continuing = cursor == subscription.cursor
                    try await failed(
                        subscription, continuing: continuing, sequence: event.sequence, type: type, error: error, metadata: metadata)
                    return
                }
            }
            if passed > cursor {
                try await store.advanceWebhook(id: subscription.id, owner: owner, to: passed, now: now())
                cursor = passed
            }
            if last.sequence <= cursor, events.count < policy.eventsPerRead { break }
        }
    }

    /// The message of `event`, built from what the store holds now (the record, the delivery,
    /// the run).
    func message(for event: WebhookFeedEvent, tenant: String) async throws -> WebhookMessage {
        switch event {
        case .record(let event):
            let record = try await store.record(event.resourceName.recordType, tenant: tenant, key: event.resourceRecordKey)
            return WebhookMessage.recordEvent(event, record: record)
        case .hub(let event):
            switch event.kind {
            case .deliverySucceeded, .deliveryDead:
                return WebhookMessage.deliveryEvent(event, delivery: try await store.delivery(id: event.subjectID, tenant: tenant))
            case .syncRunFailed:
                return WebhookMessage.syncRunFailed(event, run: try await store.syncRun(id: event.subjectID, tenant: tenant))
            case .connectionUnavailable:
                return WebhookMessage.connectionUnavailable(event, run: try await store.syncRun(id: event.subjectID, tenant: tenant))
            }
        }
    }

    enum Outcome: Sendable {
        case acknowledged
        case gone
        case failed(String)
    }

    /// One attempt.
    func send(_ message: WebhookMessage, to subscription: WebhookSubscription, secrets: [WebhookSecret]) async -> Outcome {
        guard let url = URL(string: subscription.url) else { return .failed("the subscription's URL does not parse") }
        let headers = message.headers(timestamp: Int64(now().timeIntervalSince1970), secrets: secrets)
        do {
            let response = try await transport.post(url: url, headers: headers, body: message.body, timeout: policy.timeout)
            switch response.status {
            case 200..<300: return .acknowledged
            case 410: return .gone
            default: return .failed("HTTP \(response.status)")
            }
        } catch {
            return .failed("\(error)")
        }
    }

    /// Records a failed attempt, or gives up when the failures have lasted long enough.
    func failed(
        _ subscription: WebhookSubscription, continuing: Bool, sequence: Int64, type: String, error: String,
        metadata: Logger.Metadata
    ) async throws {
        let stamp = now()
        let attempts = (continuing ? subscription.attempts : 0) + 1
        let since = (continuing ? subscription.failingSince : nil) ?? stamp
        if stamp.timeIntervalSince(since) >= policy.giveUpAfter {
            let letter = WebhookDeadLetter(
                subscriptionID: subscription.id, sequence: sequence, type: type, error: error, attempts: attempts, createdAt: stamp)
            try await store.disableWebhook(
                id: subscription.id, owner: owner,
                reason: "every attempt failed for \(Int(policy.giveUpAfter / 3_600)) hours (last: \(error))", deadLetter: letter,
                now: stamp)
            logger.warning("webhook disabled after failing too long", metadata: metadata.merging(["hub.error": "\(error)"]) { $1 })
            return
        }
        let wait = policy.backoff.delay(retry: attempts, retryAfter: nil, random: random())
        try await store.failWebhookAttempt(
            id: subscription.id, owner: owner, error: error, retryAt: stamp.addingTimeInterval(wait.secondsValue), now: stamp)
        logger.notice(
            "webhook attempt failed", metadata: metadata.merging(["hub.error": "\(error)", "hub.attempt": "\(attempts)"]) { $1 })
    }

    func signingSecrets(_ subscription: WebhookSubscription, cached: inout [WebhookSecret]?) async throws -> [WebhookSecret] {
        if let cached { return cached }
        let texts = try await store.webhookSecrets(id: subscription.id, tenant: subscription.tenantID, now: now())
        let secrets = try texts.map { try WebhookSecret(parsing: $0) }
        cached = secrets
        return secrets
    }
}

extension WebhookMessage {
    /// The event type of a change to a record of `resource` (`contacts.created`).
    public static func type(of resource: ResourceName, _ change: EntityEvent.Change) -> String {
        "\(resource.pathName).\(change.rawValue)"
    }

    /// The event type of a record event.
    public static func type(of event: EntityEvent) -> String { type(of: event.resourceName, event.change) }

    /// The event type of an entry of the change feed.
    public static func type(of event: WebhookFeedEvent) -> String {
        switch event {
        case .record(let event): return type(of: event)
        case .hub(let event): return event.kind.rawValue
        }
    }
}
