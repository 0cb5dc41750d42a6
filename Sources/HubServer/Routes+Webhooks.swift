import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

/// `/v1/webhooks`: a tenant's webhook subscriptions, their secrets, replays, tests and dead
/// letters. Each subscription carries at most what the creating token may read.
extension HubAPI {
    func addWebhooks(_ table: RouteTable) {
        let runtime = self.runtime
        let idParameter = RouteSpec.Parameter(
            name: "id", location: .path, required: true, schema: Schema.string, description: "Webhook subscription id (wh_...)")

        table.add(
            RouteSpec(
                method: .get, path: "/v1/webhooks", operationID: "listWebhooks",
                summary: "The tenant's webhook subscriptions, oldest first (secrets are never returned)",
                tag: "Webhooks", scope: ("webhooks", .read),
                replies: [.init(status: 200, description: "Subscriptions", schema: Schema.ref("WebhookList"))] + Self.authReplies)
        ) { _, context in
            let principal = try RequestSupport.principal(context)
            let subscriptions = try await runtime.store.listWebhooks(tenant: principal.tenantID)
            return try JSONResponse.encode(.ok, ["value": subscriptions.map { WebhookJSON($0) }])
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/webhooks", operationID: "createWebhook",
                summary:
                    "Subscribe a URL to events; the answer carries the signing secret (whsec_...) this once. Event types the token may not read are refused",
                tag: "Webhooks", scope: ("webhooks", .write), requestBody: Schema.ref("WebhookInput"),
                replies: [
                    .init(
                        status: 201, description: "Created; Location names it; secret is shown only here",
                        schema: Schema.ref("WebhookCreated"))
                ] + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            let input = try WebhookBody(try await RequestSupport.body(request, context: context), creating: true)
            guard let url = input.url, let events = input.events else {
                throw APIError(.badRequest, .invalidRequest, "url and events are required")
            }
            let (subscription, secret) = try await runtime.createWebhook(
                tenant: principal.tenantID, creator: Self.creator(principal), url: url, events: events,
                description: input.description ?? nil, enabled: input.enabled ?? true,
                allowPrivateTargets: runtime.allowPrivateWebhookTargets)
            var headers = HTTPFields()
            headers[.location] = "/v1/webhooks/\(subscription.id)"
            headers[.cacheControl] = "no-store"
            return try JSONResponse.encode(.created, WebhookJSON(subscription, secret: secret), headers: headers)
        }

        table.add(
            RouteSpec(
                method: .get, path: "/v1/webhooks/{id}", operationID: "getWebhook",
                summary: "One subscription and where its delivery stands", tag: "Webhooks", scope: ("webhooks", .read),
                parameters: [idParameter],
                replies: [.init(status: 200, description: "The subscription", schema: Schema.ref("Webhook")), Self.reply(404)]
                    + Self.authReplies)
        ) { _, context in
            let principal = try RequestSupport.principal(context)
            let id = try RequestSupport.parameter(context, "id")
            return try JSONResponse.encode(.ok, WebhookJSON(try await runtime.webhook(id: id, tenant: principal.tenantID)))
        }

        table.add(
            RouteSpec(
                method: .patch, path: "/v1/webhooks/{id}", operationID: "updateWebhook",
                summary:
                    "Change a subscription's url, events, description or enabled (only the members sent); enabling a disabled one resumes it where it stopped",
                tag: "Webhooks", scope: ("webhooks", .write), parameters: [idParameter], requestBody: Schema.ref("WebhookPatch"),
                replies: [.init(status: 200, description: "The subscription", schema: Schema.ref("Webhook")), Self.reply(404)]
                    + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            let id = try RequestSupport.parameter(context, "id")
            let input = try WebhookBody(try await RequestSupport.body(request, context: context), creating: false)
            let saved = try await runtime.updateWebhook(
                id: id, tenant: principal.tenantID, creator: Self.creator(principal),
                change: WebhookChange(url: input.url, events: input.events, description: input.description, enabled: input.enabled),
                allowPrivateTargets: runtime.allowPrivateWebhookTargets)
            return try JSONResponse.encode(.ok, WebhookJSON(saved))
        }

        table.add(
            RouteSpec(
                method: .delete, path: "/v1/webhooks/{id}", operationID: "deleteWebhook",
                summary: "Remove a subscription and its dead letters; nothing more is sent to it", tag: "Webhooks",
                scope: ("webhooks", .write), parameters: [idParameter],
                replies: [.init(status: 204, description: "Removed", schema: nil), Self.reply(404)] + Self.authReplies)
        ) { _, context in
            let principal = try RequestSupport.principal(context)
            try await runtime.deleteWebhook(id: try RequestSupport.parameter(context, "id"), tenant: principal.tenantID)
            return Response(status: .noContent)
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/webhooks/{id}/rotate-secret", operationID: "rotateWebhookSecret",
                summary:
                    "A new signing secret, shown this once; the old one keeps signing beside it (two signatures per message) for 24 hours",
                tag: "Webhooks", scope: ("webhooks", .write), parameters: [idParameter],
                replies: [.init(status: 200, description: "The new secret", schema: Schema.ref("WebhookSecret")), Self.reply(404)]
                    + Self.authReplies)
        ) { _, context in
            let principal = try RequestSupport.principal(context)
            let id = try RequestSupport.parameter(context, "id")
            let secret = try await runtime.rotateWebhookSecret(id: id, tenant: principal.tenantID)
            let subscription = try await runtime.webhook(id: id, tenant: principal.tenantID)
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            var body: [String: JSONValue] = ["id": .string(id), "secret": .string(secret)]
            if let until = subscription.previousSecretExpiresAt {
                body["previous_secret_expires_at"] = .string(Timestamp.format(until))
            }
            return JSONResponse.make(.ok, .object(body), headers: headers)
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/webhooks/{id}/replay", operationID: "replayWebhook",
                summary:
                    "Send the subscription's events again from an EntityEventSequence on (in order; a disabled subscription stays disabled until enabled)",
                tag: "Webhooks", scope: ("webhooks", .write), parameters: [idParameter], requestBody: Schema.ref("WebhookReplay"),
                replies: [
                    .init(status: 202, description: "Accepted: the subscription, its cursor moved", schema: Schema.ref("Webhook")),
                    Self.reply(404),
                ] + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            let id = try RequestSupport.parameter(context, "id")
            let sequence = try Self.replayStart(try await RequestSupport.body(request, context: context))
            try await runtime.replayWebhook(id: id, tenant: principal.tenantID, fromSequence: sequence)
            return try JSONResponse.encode(.accepted, WebhookJSON(try await runtime.webhook(id: id, tenant: principal.tenantID)))
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/webhooks/{id}/test", operationID: "testWebhook",
                summary:
                    "Send a signed webhook.test message now, outside the subscription's sequence, and tell what the receiver answered",
                tag: "Webhooks", scope: ("webhooks", .write), parameters: [idParameter],
                replies: [
                    .init(status: 200, description: "The receiver answered (ok: a 2xx)", schema: Schema.ref("WebhookTest")),
                    Self.reply(404),
                    .init(
                        status: 502, description: "No answer: the target was refused, unreachable or timed out (10 s)",
                        schema: Schema.ref("Error")),
                ] + Self.authReplies)
        ) { _, context in
            let principal = try RequestSupport.principal(context)
            let status = try await runtime.testWebhook(id: try RequestSupport.parameter(context, "id"), tenant: principal.tenantID)
            return JSONResponse.make(
                .ok, .object(["status": .number(JSONNumber(status)), "ok": .bool((200...299).contains(status))]))
        }

        table.add(
            RouteSpec(
                method: .get, path: "/v1/webhooks/{id}/dead-letters", operationID: "listWebhookDeadLetters",
                summary: "The events a subscription gave up on (after about three days of failures), oldest first",
                tag: "Webhooks", scope: ("webhooks", .read), parameters: [idParameter],
                replies: [
                    .init(status: 200, description: "Dead letters", schema: Schema.ref("WebhookDeadLetterList")), Self.reply(404),
                ] + Self.authReplies)
        ) { _, context in
            let principal = try RequestSupport.principal(context)
            let id = try RequestSupport.parameter(context, "id")
            _ = try await runtime.webhook(id: id, tenant: principal.tenantID)
            let letters = try await runtime.store.webhookDeadLetters(id: id, tenant: principal.tenantID)
            return JSONResponse.make(
                .ok,
                .object([
                    "value": .array(
                        letters.map { letter in
                            .object([
                                "EntityEventSequence": .number(JSONNumber(letter.sequence)), "type": .string(letter.type),
                                "error": .string(letter.error), "attempts": .number(JSONNumber(letter.attempts)),
                                "created_at": .string(Timestamp.format(letter.createdAt)),
                            ])
                        })
                ]))
        }
    }

    /// The token's client and scopes: a subscription never carries more than the token reads.
    static func creator(_ principal: Principal) -> WebhookCreator {
        WebhookCreator(clientID: principal.clientID, scopes: principal.scopes)
    }

    /// The replay body's `from_sequence`.
    static func replayStart(_ data: Data) throws -> Int64 {
        guard case .object(let object)? = try? JSONValue(parsing: data) else {
            throw APIError(.badRequest, .invalidJSON, "the body must be a JSON object")
        }
        guard let value = object["from_sequence"] else {
            throw APIError.badRequest("from_sequence is required: an EntityEventSequence, 1 or more", field: "from_sequence")
        }
        guard case .number(let number) = value, let sequence = number.int64Value, (1...Schema.maxSafeInteger).contains(sequence) else {
            throw APIError.badRequest("from_sequence must be a whole number from 1 to \(Schema.maxSafeInteger)", field: "from_sequence")
        }
        return sequence
    }

    /// A webhook URL of the documented form: http(s), a host name or address (IPv6 in
    /// brackets), an optional port, path and query; no credentials or fragment.
    static let webhookURLExpression = try? NSRegularExpression(pattern: OpenAPIDocument.webhookURLPattern)
}

/// A subscription's request body, member by member: what is absent stays as it is (in a
/// patch), `description` may be null (none), the others may not. Members the server owns, as a
/// subscription read from the API carries them, are ignored; in a patch any other is refused.
struct WebhookBody {
    var url: String?
    var events: [String]?
    /// nil: absent; `.some(nil)`: null (no description).
    var description: String??
    var enabled: Bool?

    static let members: Set<String> = ["url", "events", "description", "enabled"]
    static let serverOwned: Set<String> = [
        "id", "client_id", "disabled_reason", "last_sequence", "attempts", "next_attempt_at", "failing_since", "last_error",
        "previous_secret_expires_at", "created_at", "updated_at", "secret",
    ]

    init(_ data: Data, creating: Bool) throws {
        guard case .object(let object)? = try? JSONValue(parsing: data) else {
            throw APIError(.badRequest, .invalidJSON, "the body must be a JSON object")
        }
        if !creating, let unknown = Set(object.keys).subtracting(Self.members).subtracting(Self.serverOwned).sorted().first {
            throw APIError(
                .badRequest, .invalidRequest, "a webhook has no member \(unknown) that can change",
                details: [FieldError(field: unknown, message: "cannot be changed")])
        }
        func invalid(_ field: String, _ message: String) -> APIError {
            APIError(.badRequest, .invalidRequest, "\(field) \(message)", details: [FieldError(field: field, message: message)])
        }
        switch object["url"] {
        case nil: if creating { throw invalid("url", "is required") }
        case .string(let text)?:
            let range = NSRange(text.startIndex..., in: text)
            guard let expression = HubAPI.webhookURLExpression, expression.firstMatch(in: text, range: range) != nil else {
                throw invalid("url", "must be an http(s) URL with a host, an optional port, path and query (no user, password or fragment)")
            }
            url = text
        default: throw invalid("url", "must be a string")
        }
        switch object["events"] {
        case nil: if creating { throw invalid("events", "is required") }
        case .array(let items)?:
            var names: [String] = []
            for item in items {
                guard case .string(let name) = item else { throw invalid("events", "must be a list of event type strings") }
                names.append(name)
            }
            events = names
        default: throw invalid("events", "must be a list of event type strings")
        }
        switch object["description"] {
        case nil: break
        case .null?: description = .some(nil)
        case .string(let text)?: description = .some(text)
        default: throw invalid("description", "must be a string or null")
        }
        switch object["enabled"] {
        case nil: break
        case .bool(let flag)?: enabled = flag
        default: throw invalid("enabled", "must be true or false")
        }
    }
}

/// A subscription as the API shows it: never its secret, except `secret` in the answer that
/// created it.
struct WebhookJSON: Encodable {
    var id, url: String
    var events: [String]
    var description: String?
    var enabled: Bool
    var disabledReason: String?
    var clientID: String?
    var lastSequence: Int64
    var attempts: Int
    var nextAttemptAt, failingSince, lastError, previousSecretExpiresAt: String?
    var createdAt, updatedAt: String
    var secret: String?

    init(_ subscription: WebhookSubscription, secret: String? = nil) {
        id = subscription.id
        url = subscription.url
        events = subscription.events
        description = subscription.description
        enabled = subscription.enabled
        disabledReason = subscription.disabledReason
        clientID = subscription.clientID
        lastSequence = subscription.cursor
        attempts = subscription.attempts
        nextAttemptAt = subscription.nextAttemptAt.map(Timestamp.format)
        failingSince = subscription.failingSince.map(Timestamp.format)
        lastError = subscription.lastError
        previousSecretExpiresAt = subscription.previousSecretExpiresAt.map(Timestamp.format)
        createdAt = Timestamp.format(subscription.createdAt)
        updatedAt = Timestamp.format(subscription.updatedAt)
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case id, url, events, description, enabled, attempts, secret
        case disabledReason = "disabled_reason"
        case clientID = "client_id"
        case lastSequence = "last_sequence"
        case nextAttemptAt = "next_attempt_at"
        case failingSince = "failing_since"
        case lastError = "last_error"
        case previousSecretExpiresAt = "previous_secret_expires_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
