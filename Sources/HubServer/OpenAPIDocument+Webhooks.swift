import HubOperations
import HubStore
import RealtyModel
import SyncEngine

/// The webhook parts of the OpenAPI document: the subscription schemas of `/v1/webhooks`, and
/// the document's `webhooks` section, one entry per event type with the message the hub POSTs.
extension OpenAPIDocument {
    /// A webhook URL as the server accepts one (it checks this pattern, then that the URL parses
    /// with a host and, unless private targets are allowed, names no refused address): http(s),
    /// a host name or address (IPv6 in brackets), an optional port, path and query.
    static let webhookURLPattern: String = {
        let host = "(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])"
        let port = "(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
        let character = "(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})"
        return "^https?://\(host)\(port)(?:/\(character)*)?(?:\\?(?:\(character)|\\?)*)?\(Schema.end)"
    }()

    /// What a subscription's `events` may hold: each event type, `*`, and `<group>.*`.
    static var webhookEventPatterns: [String] {
        var groups: [String] = []
        for type in WebhookEventType.all {
            guard let dot = type.lastIndex(of: ".") else { continue }
            let group = String(type[..<dot]) + ".*"
            if !groups.contains(group) { groups.append(group) }
        }
        return WebhookEventType.all + ["*"] + groups
    }

    static func webhookSchemas() -> [String: JSONValue] {
        var schemas: [String: JSONValue] = [:]
        let urlSchema: JSONValue = [
            "type": "string", "maxLength": 2048, "pattern": .string(webhookURLPattern),
            "description":
                "Where events are POSTed. Loopback, private, link-local and unique-local targets are refused unless the hub runs with --allow-private-webhook-targets",
        ]
        let events: JSONValue = [
            "type": "array", "minItems": 1,
            "items": ["type": "string", "enum": .array(webhookEventPatterns.map(JSONValue.string))],
            "description":
                "Event types, * (every type the token may read) or <group>.* (contacts.*, delivery.*); a type the token may not read is refused",
        ]
        let description: JSONValue = ["type": "string", "maxLength": 500]
        let serverOwned: [String: JSONValue] = [
            "id": Schema.readOnly(Schema.string), "client_id": Schema.readOnly(Schema.string),
            "disabled_reason": Schema.readOnly(Schema.string), "last_sequence": Schema.readOnly(Schema.integer),
            "attempts": Schema.readOnly(Schema.integer), "next_attempt_at": Schema.readOnly(Schema.dateTime),
            "failing_since": Schema.readOnly(Schema.dateTime), "last_error": Schema.readOnly(Schema.string),
            "previous_secret_expires_at": Schema.readOnly(Schema.dateTime), "created_at": Schema.readOnly(Schema.dateTime),
            "updated_at": Schema.readOnly(Schema.dateTime), "secret": Schema.readOnly(Schema.string),
        ]
        var input: [String: JSONValue] = [
            "url": urlSchema, "events": events, "description": nullable(description),
            "enabled": ["type": "boolean", "description": "false creates it disabled; default true"],
        ]
        schemas["WebhookInput"] = Schema.object(
            input.merging(serverOwned) { own, _ in own }, required: ["url", "events"], closed: false)
        input["description"] = nullable(description, note: "null removes it")
        input["enabled"] = [
            "type": "boolean", "description": "true resumes a disabled subscription at its cursor, its failures forgotten",
        ]
        schemas["WebhookPatch"] = Schema.object(input.merging(serverOwned) { own, _ in own })
        var webhook: [String: JSONValue] = [
            "id": Schema.string, "url": Schema.string, "events": Schema.array(Schema.string), "description": Schema.string,
            "enabled": Schema.boolean,
            "disabled_reason": ["type": "string", "description": "Why the hub disabled it (the receiver answered 410, failures for days)"],
            "client_id": ["type": "string", "description": "The API client that created it; its read scopes bound what is sent"],
            "last_sequence": [
                "type": "integer",
                "description":
                    "The EntityEventSequence acknowledged (or passed over as not matching) last; the next matching event is sent next",
            ],
            "attempts": ["type": "integer", "description": "Failed attempts at the next event"],
            "next_attempt_at": Schema.dateTime, "failing_since": Schema.dateTime, "last_error": Schema.string,
            "previous_secret_expires_at": [
                "type": "string", "format": "date-time", "description": "Until when the secret replaced by a rotation still signs",
            ],
            "created_at": Schema.dateTime, "updated_at": Schema.dateTime,
        ]
        let required = ["id", "url", "events", "enabled", "last_sequence", "attempts", "created_at", "updated_at"]
        schemas["Webhook"] = Schema.object(webhook, required: required)
        webhook["secret"] = [
            "type": "string", "pattern": "^whsec_[A-Za-z0-9+/]+={0,2}$",
            "description": "The signing secret (Standard Webhooks form); shown only in this answer",
        ]
        schemas["WebhookCreated"] = Schema.object(webhook, required: required + ["secret"])
        schemas["WebhookList"] = Schema.object(["value": Schema.array(Schema.ref("Webhook"))], required: ["value"])
        schemas["WebhookSecret"] = Schema.object(
            [
                "id": Schema.string, "secret": ["type": "string", "pattern": "^whsec_[A-Za-z0-9+/]+={0,2}$"],
                "previous_secret_expires_at": Schema.dateTime,
            ], required: ["id", "secret", "previous_secret_expires_at"])
        schemas["WebhookReplay"] = Schema.object(
            [
                "from_sequence": [
                    "type": "integer", "minimum": 1, "maximum": .number(JSONNumber(Schema.maxSafeInteger)),
                    "description": "The first EntityEventSequence to send again",
                ]
            ], required: ["from_sequence"], closed: false)
        schemas["WebhookTest"] = Schema.object(
            ["status": Schema.integer, "ok": Schema.boolean], required: ["status", "ok"])
        schemas["WebhookDeadLetterList"] = Schema.object(
            [
                "value": Schema.array(
                    Schema.object(
                        [
                            "EntityEventSequence": Schema.integer, "type": Schema.string, "error": Schema.string,
                            "attempts": Schema.integer, "created_at": Schema.dateTime,
                        ], required: ["EntityEventSequence", "type", "error", "attempts", "created_at"]))
            ], required: ["value"])
        return schemas
    }

    /// The `webhooks` section: for each event type, the POST the hub makes to a subscriber.
    static func webhookMessages() -> [String: JSONValue] {
        var messages: [String: JSONValue] = [:]
        for resource in ResourceName.allCases {
            for change in WebhookEventType.changes {
                let type = WebhookEventType.type(of: resource, change)
                let record: JSONValue =
                    ResourceName.apiResources.contains(resource) ? Schema.ref(resource.rawValue) : ["type": "object"]
                let data = Schema.object(
                    [
                        "EntityEventSequence": Schema.integer, "ResourceName": ["const": .string(resource.rawValue)],
                        "ResourceRecordKey": Schema.string, "change": ["const": .string(change.rawValue)],
                        "connection_id": ["type": "string", "description": "The connection the change came through"],
                        "record": [
                            "anyOf": [record, ["type": "null"]],
                            "description":
                                "The record as it is when the message is sent (RESO names, raw left out; a deleted record's last known state); null when it is gone from the store",
                        ],
                    ], required: ["EntityEventSequence", "ResourceName", "ResourceRecordKey", "change", "record"])
                messages[type] = webhookMessage(
                    type: type, summary: "A \(resource.rawValue) record was \(change.rawValue)", data: data,
                    scope: "\(resource.pathName):read")
            }
        }
        let delivery = Schema.object(
            [
                "EntityEventSequence": Schema.integer, "delivery_id": Schema.string, "connection_id": Schema.string,
                "kind": Schema.string,
                "state": ["type": "string", "enum": .array(DeliveryState.allCases.map { .string($0.rawValue) })],
                "attempts": Schema.integer, "record_key": Schema.string, "remote_id": Schema.string, "last_error": Schema.string,
                "error_code": Schema.string,
            ], required: ["EntityEventSequence", "delivery_id"])
        messages["delivery.succeeded"] = webhookMessage(
            type: "delivery.succeeded",
            summary: "A delivery (a lead or a record write to a vendor) succeeded; the delivery as it is when sent, never its payload",
            data: delivery, scope: "deliveries:read")
        messages["delivery.dead"] = webhookMessage(
            type: "delivery.dead",
            summary: "A delivery gave up (attempts exhausted or a permanent refusal); retry it with POST /v1/deliveries/{id}/retry",
            data: delivery, scope: "deliveries:read")
        messages["sync_run.failed"] = webhookMessage(
            type: "sync_run.failed", summary: "A sync run failed",
            data: Schema.object(
                [
                    "EntityEventSequence": Schema.integer, "sync_run_id": Schema.string, "connection_id": Schema.string,
                    "resource": Schema.string, "mode": ["type": "string", "enum": ["full", "incremental"]], "error": Schema.string,
                    "started_at": Schema.dateTime, "finished_at": Schema.dateTime,
                ], required: ["EntityEventSequence", "sync_run_id"]),
            scope: "connections:read")
        messages["connection.unavailable"] = webhookMessage(
            type: "connection.unavailable",
            summary: "A resource of a connection became unavailable (sent when it turns so, not while it stays so)",
            data: Schema.object(
                [
                    "EntityEventSequence": Schema.integer, "connection_id": Schema.string, "resource": Schema.string,
                    "reason": Schema.string,
                ], required: ["EntityEventSequence", "connection_id"]),
            scope: "connections:read")
        messages["webhook.test"] = webhookMessage(
            type: "webhook.test", summary: "Sent by POST /v1/webhooks/{id}/test, outside the subscription's sequence",
            data: Schema.object(["webhook_id": Schema.string], required: ["webhook_id"]), scope: nil)
        return messages
    }

    /// One entry of the `webhooks` section: the Standard Webhooks headers, the body, and what
    /// the receiver's answers mean.
    static func webhookMessage(type: String, summary: String, data: JSONValue, scope: String?) -> JSONValue {
        let header = { (name: String, description: String) -> JSONValue in
            ["name": .string(name), "in": "header", "required": true, "schema": Schema.string, "description": .string(description)]
        }
        var description =
            "Signed per the Standard Webhooks specification: verify webhook-signature (v1,<base64 HMAC-SHA256 of webhook-id.webhook-timestamp.body> with the subscription's secret) before trusting the body."
        if let scope { description += " Sent only while the subscription's client holds \(scope)." }
        return [
            "post": [
                "summary": .string(summary), "description": .string(description),
                "parameters": [
                    header(
                        "webhook-id",
                        "evt_<EntityEventSequence> (test_... for webhook.test); the same on every retry of the event (deduplicate on it)"),
                    header("webhook-timestamp", "Seconds since 1970 when this attempt was signed"),
                    header("webhook-signature", "Space-separated v1,<signature>; two while a rotated secret is still valid"),
                ],
                "requestBody": [
                    "required": true,
                    "content": [
                        "application/json": [
                            "schema": Schema.object(
                                ["type": ["const": .string(type)], "timestamp": Schema.dateTime, "data": data],
                                required: ["type", "timestamp", "data"])
                        ]
                    ],
                ],
                "responses": [
                    "2XX": ["description": "Acknowledged: the next event is sent"],
                    "410": ["description": "The receiver is gone: the subscription is disabled"],
                    "default": [
                        "description":
                            "Any other answer, or none within 10 s: retried with exponential backoff and jitter for about three days, then the subscription is disabled and the event kept as a dead letter"
                    ],
                ],
            ]
        ]
    }
}
