import ConnectorKit
import HTTPTypes
import HubOperations
import HubStore
import RealtyModel

/// JSON Schema building blocks (OpenAPI 3.1 uses JSON Schema 2020-12).
enum Schema {
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let number: JSONValue = ["type": "number"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    static let any: JSONValue = .object([:])

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    /// An integer within `range` (the bounds the server checks).
    static func integer(_ range: ClosedRange<Int64>) -> JSONValue {
        [
            "type": "integer", "format": "int64", "minimum": .number(JSONNumber(range.lowerBound)),
            "maximum": .number(JSONNumber(range.upperBound)),
        ]
    }

    /// The largest integer a request may carry where the server sets no smaller bound: 2^53 - 1,
    /// the largest a JSON number holds exactly (the server checks it too).
    static let maxSafeInteger: Int64 = 9_007_199_254_740_991

    /// A string holding at least one character that is not whitespace (what the server's
    /// "is required" checks accept). The class lists Unicode's White_Space characters, the set
    /// Swift's `Character.isWhitespace` and Foundation's `.whitespacesAndNewlines` use.
    /// The end of the text. Not `$`: Python's `re` (what schemathesis and jsonschema use) lets
    /// `$` match before a final newline; a negative lookahead means the end in every dialect.
    static let end = "(?![\\s\\S])"

    static let whitespaceClass = "\\t\\n\\u000B\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000"
    static let nonBlankPattern = "[^\(whitespaceClass)]"
    static let nonBlank: JSONValue = ["type": "string", "pattern": .string(nonBlankPattern)]

    /// A string field of a request with the hub's own value: documented, ignored when sent.
    static func readOnly(_ schema: JSONValue) -> JSONValue {
        guard case .object(var object) = schema else { return schema }
        object["readOnly"] = true
        return .object(object)
    }

    /// A comma-separated query list (`fields=A,B`) of values from `choices`.
    static func commaList(_ choices: [String], minItems: Int) -> JSONValue {
        var schema: [String: JSONValue] = [
            "type": "array", "items": ["type": "string", "enum": .array(choices.sorted().map(JSONValue.string))],
        ]
        if minItems > 0 { schema["minItems"] = .number(JSONNumber(minItems)) }
        return .object(schema)
    }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func nullable(_ type: String) -> JSONValue { ["type": .array([.string(type), "null"])] }

    /// An object schema; request bodies are open (members the server does not know are
    /// ignored), answers closed.
    static func object(_ properties: [String: JSONValue], required: [String] = [], closed: Bool = true) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.sorted().map(JSONValue.string)) }
        if closed { schema["additionalProperties"] = false }
        return .object(schema)
    }

    static func field(_ type: FieldType) -> JSONValue {
        switch type {
        case .string: return string
        // The bounds the server checks, so a client (or a fuzzer) knows them.
        case .integer: return integer(FieldValue.integerRange)
        case .decimal: return number
        case .boolean: return boolean
        case .timestamp: return dateTime
        case .date: return ["type": "string", "format": "date"]
        case .stringList: return array(string)
        }
    }
}

/// The OpenAPI 3.1 document of the hub API, built from the registered route specs and the
/// resources' field lists, so it cannot drift from what the server serves. The copy kept in
/// the repository (`docs/openapi.json`) is checked against it by a test.
enum OpenAPIDocument {
    /// - Parameters:
    ///   - specs: the routes.
    ///   - vendorOptions: each vendor's connection options, by vendor name.
    static func make(_ specs: [RouteSpec], vendorOptions: [String: [ConnectionOptionSpec]] = [:]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for spec in specs {
            var operation: [String: JSONValue] = [
                "operationId": .string(spec.operationID), "summary": .string(spec.summary), "tags": [.string(spec.tag)],
            ]
            if let scope = spec.scope {
                operation["security"] = [["bearer": [.string("\(scope.resource):\(scope.action.rawValue)")]]]
            } else {
                operation["security"] = .array([])
            }
            if !spec.parameters.isEmpty {
                operation["parameters"] = .array(
                    spec.parameters.map { parameter -> JSONValue in
                        var object: [String: JSONValue] = [
                            "name": .string(parameter.name), "in": .string(parameter.location.rawValue),
                            "required": .bool(parameter.required), "schema": parameter.schema,
                            "description": .string(parameter.description),
                        ]
                        // Lists in the query are comma-separated: fields=A,B.
                        if parameter.schema["type"] == .string("array") {
                            object["style"] = "form"
                            object["explode"] = false
                        }
                        return .object(object)
                    })
            }
            if let body = spec.requestBody {
                operation["requestBody"] = [
                    "required": .bool(spec.requestBodyRequired), "content": .object([spec.requestContentType: ["schema": body]]),
                ]
            }
            var responses: [String: JSONValue] = [:]
            for reply in spec.replies {
                var response: [String: JSONValue] = ["description": .string(reply.description)]
                if let schema = reply.schema { response["content"] = .object([reply.contentType: ["schema": schema]]) }
                responses[String(reply.status)] = .object(response)
            }
            operation["responses"] = .object(responses)
            var item: [String: JSONValue] = [:]
            if case .object(let existing)? = paths[spec.path] { item = existing }
            item[spec.method.rawValue.lowercased()] = .object(operation)
            paths[spec.path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "RealtyHub API",
                "version": "1.0.0",
                "description":
                    "One API over every connected real-estate CRM and portal, in RESO Data Dictionary names. Authenticate with OAuth 2.0 client credentials at /oauth/token and send the bearer token; every list pages with page/per_page (at most 100) and returns count.",
            ],
            "paths": .object(paths),
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "A token from POST /oauth/token"],
                    "basic": ["type": "http", "scheme": "basic", "description": "client_id:client_secret, at /oauth/token only"],
                ],
                "schemas": .object(schemas(vendorOptions: vendorOptions)),
            ],
            "webhooks": .object(webhookMessages()),
        ]
    }

    static func schemas(vendorOptions: [String: [ConnectionOptionSpec]] = [:]) -> [String: JSONValue] {
        var schemas: [String: JSONValue] = [:]
        schemas["Error"] = Schema.object(
            [
                "error": Schema.object(
                    [
                        "code": ["type": "string", "enum": .array(APIError.Code.all.map { .string($0.rawValue) })],
                        "message": Schema.string,
                        "details": Schema.array(
                            Schema.object(["field": Schema.string, "message": Schema.string], required: ["field", "message"])),
                    ], required: ["code", "message"])
            ], required: ["error"])
        schemas["Health"] = Schema.object(["status": Schema.string, "schema": Schema.string], required: ["status"])
        schemas["TokenRequest"] = Schema.object(
            [
                "grant_type": ["type": "string", "enum": ["client_credentials"]],
                "scope": ["type": "string", "description": "Space-separated scopes, a subset of the client's; all of them when absent"],
            ], required: ["grant_type"])
        schemas["Token"] = Schema.object(
            [
                "access_token": Schema.string, "token_type": ["type": "string", "enum": ["Bearer"]], "expires_in": Schema.integer,
                "scope": Schema.string,
            ], required: ["access_token", "token_type", "expires_in", "scope"])
        schemas["Event"] = Schema.object(
            [
                "EntityEventSequence": Schema.integer, "ResourceName": Schema.string, "ResourceRecordKey": Schema.string,
                "EventType": ["type": "string", "enum": ["created", "updated", "deleted"]], "ConnectionId": Schema.string,
                "ModificationTimestamp": Schema.dateTime,
            ], required: ["EntityEventSequence", "ResourceName", "ResourceRecordKey", "EventType", "ModificationTimestamp"])
        schemas["EventList"] = Schema.object(
            ["events": Schema.array(Schema.ref("Event")), "next_after": Schema.integer], required: ["events", "next_after"])

        for resource in ResourceName.apiResources {
            schemas[resource.rawValue] = recordSchema(resource)
            schemas["\(resource.rawValue)List"] = Schema.object(
                [
                    "count": Schema.integer, "page": Schema.integer, "per_page": Schema.integer,
                    "value": Schema.array(Schema.ref(resource.rawValue)),
                ], required: ["count", "page", "per_page", "value"])
        }

        schemas["Connection"] = Schema.object(
            [
                "id": Schema.readOnly(Schema.string), "vendor": vendorSchema, "name": Schema.string, "base_url": Schema.string,
                "auth_url": Schema.string,
                "sync_interval_seconds": Schema.integer, "enabled": Schema.boolean, "has_credentials": Schema.readOnly(Schema.boolean),
                "created_at": Schema.readOnly(Schema.dateTime), "updated_at": Schema.readOnly(Schema.dateTime),
                "requests_per_second": rateSchema, "max_concurrency": concurrencySchema,
                "daily_requests": dailyRequestsSchema, "delivery_reserve_percent": reservePercentSchema,
                "request_budget": Schema.readOnly(Schema.ref("RequestBudget")),
                "options": [
                    "type": "object", "additionalProperties": Schema.string,
                    "description": "The vendor's options (not secret); {} when none",
                ],
                "reread_interval_seconds": rereadIntervalSchema,
                "capabilities": Schema.readOnly(Schema.ref("Capabilities")),
            ], required: ["id", "vendor", "name", "base_url", "enabled", "has_credentials", "created_at", "updated_at", "options"])
        schemas["Capabilities"] = Schema.object(
            [
                "readable": Schema.array(Schema.string),
                "writable": Schema.array(
                    Schema.object(
                        [
                            "resource": Schema.string,
                            "operations": Schema.array([
                                "type": "string", "enum": .array(WriteOperation.allCases.map { .string($0.rawValue) }),
                            ]),
                            "fields": ["type": "array", "items": Schema.string, "description": "The RESO fields the vendor takes"],
                        ], required: ["resource", "operations"])),
                "operations": Schema.array(Schema.string),
            ], required: ["readable", "writable", "operations"])
        schemas["RequestBudget"] = Schema.object(
            [
                "daily_limit": [
                    "type": "integer",
                    "description": "Requests allowed today: the smaller of the vendor's documented quota and daily_requests",
                ],
                "reserved": ["type": "integer", "description": "Requests kept for deliveries (delivery_reserve_percent, rounded up)"],
                "used": ["type": "integer", "description": "Requests made today, over every hub process sharing the store"],
                "remaining": ["type": "integer", "description": "Requests left today for deliveries"],
                "pull_remaining": ["type": "integer", "description": "Requests left today for pulls (down to the reserve)"],
                "resets_at": Schema.dateTime,
                "time_zone": ["type": "string", "description": "The IANA zone whose midnight resets the count"],
            ], required: ["daily_limit", "reserved", "used", "remaining", "pull_remaining", "resets_at", "time_zone"])
        schemas["ConnectionList"] = Schema.object(["value": Schema.array(Schema.ref("Connection"))], required: ["value"])
        // Request bodies are open: members the server does not know, and the server-owned ones
        // a connection read from the API carries (id, has_credentials, created_at, updated_at),
        // are ignored.
        var connectionInput = Schema.object(
            [
                "vendor": vendorSchema, "name": Schema.nonBlank, "base_url": urlSchema, "auth_url": nullable(urlSchema),
                "credentials": [
                    "type": "object", "description": "The vendor's credentials (see the README's connection section); write-only",
                ],
                "sync_interval_seconds": nullable(intervalSchema),
                "requests_per_second": nullable(rateSchema), "max_concurrency": nullable(concurrencySchema),
                "daily_requests": nullable(dailyRequestsSchema), "delivery_reserve_percent": nullable(reservePercentSchema),
                "request_budget": Schema.readOnly(Schema.any),
                "id": Schema.readOnly(Schema.string), "has_credentials": Schema.readOnly(Schema.boolean),
                "created_at": Schema.readOnly(Schema.dateTime), "updated_at": Schema.readOnly(Schema.dateTime),
                "options": nullable(
                    ["type": "object", "additionalProperties": Schema.string],
                    note:
                        "The vendor's options by name, each a string; which keys a vendor takes and their forms are in the vendor's branch of oneOf; null or absent: none"
                ),
                "reread_interval_seconds": nullable(rereadIntervalSchema, note: "null or absent: the default, 21600 (six hours)"),
            ], required: ["vendor", "name", "base_url", "credentials"], closed: false)
        if case .object(var object) = connectionInput {
            object["oneOf"] = .array(
                vendorCredentials.map { vendor, credentials in
                    [
                        "properties": [
                            "vendor": ["const": .string(vendor)], "credentials": credentials,
                            "options": nullable(optionsSchema(vendorOptions[vendor] ?? [], removable: false)),
                        ]
                    ]
                })
            connectionInput = .object(object)
        }
        schemas["ConnectionInput"] = connectionInput
        // A patch names only what changes; other members are refused, except the server-owned
        // ones of a connection read from the API, which are ignored.
        schemas["ConnectionPatch"] = Schema.object([
            "name": Schema.nonBlank, "base_url": urlSchema, "auth_url": nullable(urlSchema),
            "credentials": [
                "anyOf": .array(vendorCredentials.map(\.1)),
                "description": "The connection's vendor's credentials; another vendor's answer 409",
            ],
            "sync_interval_seconds": nullable(intervalSchema), "enabled": Schema.boolean,
            "requests_per_second": nullable(rateSchema, note: "null restores the vendor's default"),
            "max_concurrency": nullable(concurrencySchema, note: "null restores the vendor's default"),
            "daily_requests": nullable(dailyRequestsSchema, note: "null removes the connection's own budget (the vendor's quota stays)"),
            "delivery_reserve_percent": nullable(reservePercentSchema, note: "null restores the default share, 20"),
            "options": nullable(
                optionsSchema(
                    vendorOptions.keys.sorted().flatMap { vendorOptions[$0] ?? [] }.reduce(into: [ConnectionOptionSpec]()) { specs, spec in
                        if !specs.contains(where: { $0.key == spec.key }) { specs.append(spec) }
                    }, removable: true),
                note:
                    "Options to set (a string) or remove (null); the others are kept. null removes every option. A key of another vendor than the connection's answers 409"
            ),
            "reread_interval_seconds": nullable(rereadIntervalSchema, note: "null restores the default, 21600 (six hours)"),
            "request_budget": Schema.readOnly(Schema.any),
            "id": Schema.readOnly(Schema.string), "vendor": Schema.readOnly(vendorSchema),
            "has_credentials": Schema.readOnly(Schema.boolean),
            "created_at": Schema.readOnly(Schema.dateTime), "updated_at": Schema.readOnly(Schema.dateTime),
        ])
        schemas["ConnectionTest"] = Schema.object(
            [
                "ok": Schema.boolean, "readable": Schema.array(Schema.string),
                "error": Schema.object(["code": Schema.string, "message": Schema.string], required: ["code", "message"]),
            ], required: ["ok"])
        schemas["SyncRequest"] = Schema.object(
            [
                "resource": [
                    "type": ["string", "null"], "enum": .array(syncResourceNames.map(JSONValue.string) + [.null]),
                    "description": "A resource name (Contacts) or path name (contacts); every readable resource when absent or null",
                ],
                "full": [
                    "type": ["boolean", "null"],
                    "description": "A full pass (detects deletions); incremental where the vendor allows it when false or absent",
                ],
            ], closed: false)
        schemas["SyncStarted"] = Schema.object(
            ["connection_id": Schema.string, "resource": Schema.nullable("string"), "full": Schema.boolean],
            required: ["connection_id", "full"])
        schemas["SyncRun"] = Schema.object(
            [
                "id": Schema.string, "connection_id": Schema.string, "resource": Schema.string,
                "mode": ["type": "string", "enum": ["full", "incremental"]],
                "status": [
                    "type": "string", "enum": ["running", "succeeded", "failed", "unavailable", "budget_exhausted"],
                    "description":
                        "unavailable: nothing of the resource is available on this connection (skipped says why); budget_exhausted: stopped at a page boundary at the share of the daily budget kept for deliveries; resumes from its cursor after the reset (error says when)",
                ],
                "started_at": Schema.dateTime, "finished_at": Schema.dateTime, "inserted": Schema.integer, "updated": Schema.integer,
                "unchanged": Schema.integer, "deleted": Schema.integer, "pages": Schema.integer, "error": Schema.string,
                "skipped": Schema.string,
            ],
            required: [
                "id", "connection_id", "resource", "mode", "status", "started_at", "inserted", "updated", "unchanged", "deleted", "pages",
            ])
        schemas["SyncRunList"] = Schema.object(["value": Schema.array(Schema.ref("SyncRun"))], required: ["value"])
        schemas["ConnectionResource"] = Schema.object(
            [
                "resource": Schema.string, "core": Schema.boolean, "incremental": Schema.boolean,
                "availability": [
                    "type": "string", "enum": ["not_synced", "available", "partial", "unavailable", "failing", "budget_exhausted"],
                ],
                "reason": Schema.string, "last_synced_at": Schema.dateTime, "last_full_pass_at": Schema.dateTime,
                "running": Schema.boolean,
                "next_due_at": [
                    "type": "string", "format": "date-time",
                    "description":
                        "When the scheduler next pulls the resource (with the default daily full pass): after the sync interval, after the re-read cadence for a resource with no change signal, after the reset for one stopped by the daily budget; now when due. Absent for a disabled connection or one synced by hand only",
                ],
            ], required: ["resource", "core", "incremental", "availability", "running"])
        schemas["ConnectionResourceList"] = Schema.object(
            ["value": Schema.array(Schema.ref("ConnectionResource"))], required: ["value"])
        schemas["LeadSubmission"] = Schema.object(
            [
                "lead": Schema.ref("LeadInput"),
                "connections": [
                    "type": ["array", "null"], "items": Schema.string, "minItems": 1,
                    "description": "Connection ids or names; every connection that takes leads when absent or null",
                ],
            ], required: ["lead"], closed: false)
        schemas["LeadInput"] = leadInputSchema()
        schemas["Delivery"] = Schema.object(
            [
                "id": Schema.string, "connection_id": Schema.string, "kind": Schema.string,
                "state": ["type": "string", "enum": .array(DeliveryState.allCases.map { .string($0.rawValue) })],
                "attempts": Schema.integer, "max_attempts": Schema.integer, "idempotency_key": Schema.string,
                "next_attempt_at": Schema.dateTime,
                "last_error": Schema.string, "remote_id": Schema.string, "completed_at": Schema.dateTime, "created_at": Schema.dateTime,
                "updated_at": Schema.dateTime, "payload": Schema.any,
                "record_key": ["type": "string", "description": "The hub key of the record written (a create's once it is done)"],
                "error_code": [
                    "type": "string",
                    "description":
                        "A stable code for last_error: vendor_permission_denied, vendor_validation, not_found, changed_at_vendor, vendor_auth, rate_limited, ...",
                ],
                "conflict": Schema.object(
                    [
                        "hub": ["description": "What the update would have written: record, fields and the vendor time the hub's copy had"],
                        "vendor": ["description": "The vendor's record as found (RESO names)"],
                    ], required: ["hub", "vendor"]),
                "force": ["type": "boolean", "description": "The next attempt skips the vendor modification check"],
            ], required: ["id", "connection_id", "kind", "state", "attempts", "max_attempts", "created_at", "updated_at", "force"])
        schemas["RetryRequest"] = Schema.object(
            [
                "force": [
                    "type": ["boolean", "null"],
                    "description": "Send an update held as a conflict anyway (overwrites the vendor's change); null or absent: false",
                ]
            ], closed: false)
        schemas["WriteAccepted"] = Schema.object(["deliveries": Schema.array(Schema.ref("Delivery"))], required: ["deliveries"])
        for resource in ResourceName.writable {
            schemas["\(resource.rawValue)Create"] = Schema.object(
                [
                    "record": Schema.ref("\(resource.rawValue)Input"),
                    "connections": [
                        "type": "array", "items": Schema.string, "minItems": 1,
                        "description": "Connection ids or names to create the record at",
                    ],
                ], required: ["record", "connections"], closed: false)
            schemas["\(resource.rawValue)Input"] = recordInputSchema(resource, nullable: false)
            schemas["\(resource.rawValue)Patch"] = recordInputSchema(resource, nullable: true)
        }
        schemas["DeliveryList"] = Schema.object(["value": Schema.array(Schema.ref("Delivery"))], required: ["value"])
        schemas["LeadAccepted"] = Schema.object(["deliveries": Schema.array(Schema.ref("Delivery"))], required: ["deliveries"])
        schemas["UnitUpdate"] = Schema.object(
            [
                "status": ["type": "string", "enum": ["AVAILABLE", "HOLD", "SOLD", "RESERVED"]],
                "price": ["type": "number", "minimum": 0, "maximum": 1e300], "directions": Schema.array(Schema.string),
            ], required: ["status", "price", "directions"], closed: false)
        schemas["PublishStatus"] = Schema.object(
            ["development": Schema.string, "status": Schema.string], required: ["development", "status"])
        schemas["AddressCheck"] = Schema.object(
            [
                "address": [
                    "type": "string", "maxLength": 500, "pattern": .string(Schema.nonBlankPattern),
                    "description": "At most 500 characters, not only whitespace",
                ]
            ], required: ["address"], closed: false)
        schemas["AddressAnswer"] = Schema.object(["cached": Schema.boolean, "answer": Schema.any], required: ["cached", "answer"])
        schemas.merge(webhookSchemas()) { _, new in new }
        return schemas
    }

    static let rateSchema: JSONValue = [
        "type": "number", "minimum": 0, "maximum": 1e300, "description": "Overrides the vendor's default request rate; 0 is unpaced",
    ]
    static let dailyRequestsSchema: JSONValue = [
        "type": "integer", "minimum": 1, "maximum": .number(JSONNumber(RequestBudgetSetting.maxDailyRequests)),
        "description": "The connection's own daily request budget; the smaller of it and the vendor's documented quota applies",
    ]
    static let reservePercentSchema: JSONValue = [
        "type": "integer", "minimum": .number(JSONNumber(RequestBudgetSetting.reservePercentRange.lowerBound)),
        "maximum": .number(JSONNumber(RequestBudgetSetting.reservePercentRange.upperBound)),
        "description": "The share of the daily budget (percent) kept for deliveries: pulls stop at it; default 20",
    ]
    static let rereadIntervalSchema: JSONValue = [
        "type": "integer", "minimum": .number(JSONNumber(RereadIntervalSetting.range.lowerBound)),
        "maximum": .number(JSONNumber(RereadIntervalSetting.range.upperBound)),
        "description":
            "Seconds between scheduled re-reads of the resources with no change signal (read whole each time); absent: the default, 21600 (six hours)",
    ]

    /// A connection's `options` object for a vendor taking `specs`: only their keys, each a
    /// string of the form the vendor's rule accepts (or null, in a change, to remove it).
    static func optionsSchema(_ specs: [ConnectionOptionSpec], removable: Bool) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for spec in specs {
            let value: JSONValue = [
                "type": "string", "pattern": .string(spec.pattern), "description": .string("\(spec.summary): \(spec.ruleDescription)"),
            ]
            properties[spec.key] = removable ? nullable(value) : value
        }
        return Schema.object(properties)
    }

    static let intervalSchema: JSONValue = [
        "type": "integer", "minimum": 10, "maximum": .number(JSONNumber(Schema.maxSafeInteger)),
        "description": "Seconds between scheduled syncs; null: manual syncs only",
    ]

    /// An http(s) URL with a host, as the server accepts one for a connection (it checks this
    /// pattern, then that Foundation parses it with a host).
    static let urlPattern =
        "^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?\(Schema.end)"
    static let urlSchema: JSONValue = ["type": "string", "pattern": .string(urlPattern)]

    /// `schema` or null.
    static func nullable(_ schema: JSONValue, note: String? = nil) -> JSONValue {
        var result: [String: JSONValue] = ["anyOf": [schema, ["type": "null"]]]
        if let note { result["description"] = .string(note) }
        return .object(result)
    }

    /// The names `POST /v1/connections/{id}/sync` takes as `resource`.
    static var syncResourceNames: [String] {
        ResourceName.allCases.filter { $0 != .media }.flatMap { [$0.rawValue, $0.pathName] }.reduce(into: [String]()) { names, name in
            if !names.contains(name) { names.append(name) }
        }
    }

    /// A string that, with surrounding whitespace trimmed, is not empty and holds none of
    /// `excluded` (a character class body).
    static func trimmedExcluding(_ excluded: String) -> String {
        let white = Schema.whitespaceClass
        let edge = "[^\(white)\(excluded)]"
        return "^[\(white)]*(?:\(edge)|\(edge)[^\(excluded)]*\(edge))[\(white)]*\(Schema.end)"
    }

    /// Each vendor's credentials object, as each vendor module's credentials type reads it:
    /// values are strings holding something besides whitespace (trimmed), ids strings or whole
    /// numbers, unknown keys ignored.
    static let vendorCredentials: [(String, JSONValue)] = {
        let text = Schema.nonBlank
        let identifier: JSONValue = ["anyOf": [text, ["type": "integer"]]]
        // PropQ's client id: a whole number 0 or more (below 9e15), or such digits as a string.
        let whitespace = "\\t \\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000"
        let clientID: JSONValue = [
            "anyOf": [
                ["type": "integer", "minimum": 0, "maximum": 8_999_999_999_999_999],
                ["type": "string", "pattern": .string("^[\(whitespace)]*(?:\\+?[0-9]{1,18}|-0{1,18})[\(whitespace)]*\(Schema.end)")],
            ]
        ]
        let agencyList: JSONValue = [
            "anyOf": [
                ["type": "null"],
                ["type": "array", "items": identifier],
                [
                    "type": "string",
                    "pattern": .string(
                        "^[^,]*[^,\(Schema.whitespaceClass)][^,]*(?:,[^,]*[^,\(Schema.whitespaceClass)][^,]*)*\(Schema.end)"),
                ],
            ]
        ]
        // Trimmed, then checked: no scheme or path (none of / ? # @ and no inner space).
        let host: JSONValue = ["type": "string", "pattern": .string(trimmedExcluding("/?#@ "))]
        func credentials(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
            Schema.object(properties, required: required, closed: false)
        }
        return [
            ("pf-expert", credentials(["api_key": text, "api_secret": text], required: ["api_key", "api_secret"])),
            ("propq", credentials(["client_id": clientID, "client_secret": text], required: ["client_id", "client_secret"])),
            ("mycrm", credentials(["username": text, "access_key": text], required: ["username", "access_key"])),
            ("apimo", credentials(["provider": identifier, "token": text, "agency_ids": agencyList], required: ["provider", "token"])),
            ("boston-logic", credentials(["api_key": text, "host": host], required: ["api_key", "host"])),
        ]
    }()

    /// A lead as `POST /v1/leads` takes it: a Contacts record in RESO names with the checks the
    /// server makes (email and phone forms, a name or a way to reach the contact); the hub's own
    /// fields are read-only and ignored, unknown members too.
    static func leadInputSchema() -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for (name, type) in fieldTypes(.contacts) { properties[name] = Schema.field(type) }
        properties["Email"] = ["type": "string", "format": "email", "maxLength": 254]
        for phone in ["MobilePhone", "HomePhone", "OfficePhone"] {
            properties[phone] = ["type": "string", "pattern": .string(phonePattern)]
        }
        let names = MetadataFieldNames(.contacts)
        for name in names.all {
            properties[name] = Schema.readOnly(["description": "The hub's own field: ignored in a request"])
        }
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        // A name or a way to reach the contact.
        schema["anyOf"] = .array(
            ["FirstName", "LastName", "FullName", "Email", "MobilePhone", "HomePhone", "OfficePhone"].map { name in
                [
                    "required": [.string(name)],
                    "properties": .object([name: ["type": "string", "pattern": .string(Schema.nonBlankPattern)]]),
                ]
            })
        return .object(schema)
    }

    /// A record as a write takes it: its canonical fields (nullable in a patch, where null clears
    /// a field); the hub's own fields are read-only and ignored, so a record read from the API
    /// can be sent back. Other names are refused.
    static func recordInputSchema(_ resource: ResourceName, nullable: Bool) -> JSONValue {
        var properties: [String: JSONValue] = [:]
        for (name, type) in fieldTypes(resource) {
            properties[name] = nullable ? Self.nullable(Schema.field(type)) : Schema.field(type)
        }
        for name in MetadataFieldNames(resource).all {
            properties[name] = Schema.readOnly(["description": "The hub's own field: ignored in a request"])
        }
        return .object(["type": "object", "properties": .object(properties), "additionalProperties": false])
    }

    /// A phone number as the server's `FieldRules.isPhone` accepts it: an optional leading `+`,
    /// then 5 to 20 ASCII digits among spaces, `-`, `(`, `)`, `.`, `/` and no-break spaces.
    static let phonePattern = "^\\+?(?:[ ().\\u00A0/-]*[0-9]){5,20}[ ().\\u00A0/-]*\(Schema.end)"
    static let concurrencySchema: JSONValue = [
        "type": "integer", "minimum": 1, "maximum": 64, "description": "Overrides the vendor's default requests in flight",
    ]

    static let vendorSchema: JSONValue = ["type": "string", "enum": ["pf-expert", "propq", "mycrm", "apimo", "boston-logic"]]

    static func recordSchema(_ resource: ResourceName) -> JSONValue {
        let names = MetadataFieldNames(resource)
        // The hub's own fields (key, provenance, timestamps, content hash, raw) are read-only.
        var properties: [String: JSONValue] = [
            names.key: Schema.string, MetadataFieldNames.sourceSystemName: Schema.string, names.sourceKey: Schema.string,
            MetadataFieldNames.connectionID: Schema.string, MetadataFieldNames.modificationTimestamp: Schema.dateTime,
            MetadataFieldNames.originalEntryTimestamp: Schema.dateTime, MetadataFieldNames.sourceModificationTimestamp: Schema.dateTime,
            MetadataFieldNames.sourceEntryTimestamp: Schema.dateTime, MetadataFieldNames.contentHash: Schema.string,
            MetadataFieldNames.deleted: Schema.boolean, MetadataFieldNames.raw: Schema.any,
        ].mapValues(Schema.readOnly)
        for (name, type) in fieldTypes(resource) { properties[name] = Schema.field(type) }
        for relation in resource.relations where relation.isChildren {
            properties[relation.name] = [
                "type": "array", "items": Schema.ref(relation.target.rawValue),
                "description": .string("Embedded with expand=\(relation.name), in Order"),
            ]
        }
        for relation in resource.relations where !relation.isChildren {
            properties[relation.name] = [
                "$ref": .string("#/components/schemas/\(relation.target.rawValue)"),
                "description": .string("Embedded with expand=\(relation.name)"),
            ]
        }
        return Schema.object(properties)
    }

    static func fieldTypes(_ resource: ResourceName, indexedOnly: Bool = false) -> [(String, FieldType)] {
        func pick<R: HubRecord>(_ type: R.Type) -> [(String, FieldType)] {
            R.fields.filter { !indexedOnly || $0.isIndexed }.map { ($0.name, $0.type) }
        }
        switch resource {
        case .member: return pick(Member.self)
        case .office: return pick(Office.self)
        case .teams: return pick(Team.self)
        case .teamMembers: return pick(TeamMember.self)
        case .contacts: return pick(Contact.self)
        case .property: return pick(Property.self)
        case .development: return pick(Development.self)
        case .activity: return pick(Activity.self)
        case .media: return pick(Media.self)
        }
    }
}
