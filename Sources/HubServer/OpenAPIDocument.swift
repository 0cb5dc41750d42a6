import HTTPTypes
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
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func nullable(_ type: String) -> JSONValue { ["type": .array([.string(type), "null"])] }

    static func object(_ properties: [String: JSONValue], required: [String] = [], closed: Bool = true) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.sorted().map(JSONValue.string)) }
        if closed { schema["additionalProperties"] = false }
        return .object(schema)
    }

    static func field(_ type: FieldType) -> JSONValue {
        switch type {
        case .string: return string
        case .integer: return integer
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
    static func make(_ specs: [RouteSpec]) -> JSONValue {
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
                operation["parameters"] = .array(spec.parameters.map { parameter in
                    [
                        "name": .string(parameter.name), "in": .string(parameter.location.rawValue),
                        "required": .bool(parameter.required), "schema": parameter.schema,
                        "description": .string(parameter.description),
                    ]
                })
            }
            if let body = spec.requestBody {
                operation["requestBody"] = ["required": true, "content": .object([spec.requestContentType: ["schema": body]])]
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
                "description": "One API over every connected real-estate CRM and portal, in RESO Data Dictionary names. Authenticate with OAuth 2.0 client credentials at /oauth/token and send the bearer token; every list pages with page/per_page (at most 100) and returns count.",
            ],
            "paths": .object(paths),
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "description": "A token from POST /oauth/token"],
                    "basic": ["type": "http", "scheme": "basic", "description": "client_id:client_secret, at /oauth/token only"],
                ],
                "schemas": .object(schemas()),
            ],
        ]
    }

    static func schemas() -> [String: JSONValue] {
        var schemas: [String: JSONValue] = [:]
        schemas["Error"] = Schema.object([
            "error": Schema.object([
                "code": Schema.string, "message": Schema.string,
                "details": Schema.array(Schema.object(["field": Schema.string, "message": Schema.string], required: ["field", "message"])),
            ], required: ["code", "message"]),
        ], required: ["error"])
        schemas["Health"] = Schema.object(["status": Schema.string, "schema": Schema.string], required: ["status"])
        schemas["TokenRequest"] = Schema.object([
            "grant_type": ["type": "string", "enum": ["client_credentials"]],
            "scope": ["type": "string", "description": "Space-separated scopes, a subset of the client's; all of them when absent"],
        ], required: ["grant_type"])
        schemas["Token"] = Schema.object([
            "access_token": Schema.string, "token_type": ["type": "string", "enum": ["Bearer"]], "expires_in": Schema.integer,
            "scope": Schema.string,
        ], required: ["access_token", "token_type", "expires_in", "scope"])
        schemas["Event"] = Schema.object([
            "EntityEventSequence": Schema.integer, "ResourceName": Schema.string, "ResourceRecordKey": Schema.string,
            "EventType": ["type": "string", "enum": ["created", "updated", "deleted"]], "ConnectionId": Schema.string,
            "ModificationTimestamp": Schema.dateTime,
        ], required: ["EntityEventSequence", "ResourceName", "ResourceRecordKey", "EventType", "ModificationTimestamp"])
        schemas["EventList"] = Schema.object(["events": Schema.array(Schema.ref("Event")), "next_after": Schema.integer], required: ["events", "next_after"])

        for resource in ResourceName.apiResources {
            schemas[resource.rawValue] = recordSchema(resource)
            schemas["\(resource.rawValue)List"] = Schema.object([
                "count": Schema.integer, "page": Schema.integer, "per_page": Schema.integer, "value": Schema.array(Schema.ref(resource.rawValue)),
            ], required: ["count", "page", "per_page", "value"])
        }

        schemas["Connection"] = Schema.object([
            "id": Schema.string, "vendor": vendorSchema, "name": Schema.string, "base_url": Schema.string, "auth_url": Schema.string,
            "sync_interval_seconds": Schema.integer, "enabled": Schema.boolean, "has_credentials": Schema.boolean,
            "created_at": Schema.dateTime, "updated_at": Schema.dateTime,
            "requests_per_second": rateSchema, "max_concurrency": concurrencySchema,
        ], required: ["id", "vendor", "name", "base_url", "enabled", "has_credentials", "created_at", "updated_at"])
        schemas["ConnectionList"] = Schema.object(["value": Schema.array(Schema.ref("Connection"))], required: ["value"])
        schemas["ConnectionInput"] = Schema.object([
            "vendor": vendorSchema, "name": Schema.string, "base_url": Schema.string, "auth_url": Schema.string,
            "credentials": ["type": "object", "description": "The vendor's credentials (see the README's connection section); write-only"],
            "sync_interval_seconds": Schema.integer,
            "requests_per_second": rateSchema, "max_concurrency": concurrencySchema,
        ], required: ["vendor", "name", "base_url", "credentials"])
        schemas["ConnectionPatch"] = Schema.object([
            "name": Schema.string, "base_url": Schema.string, "auth_url": Schema.nullable("string"), "credentials": ["type": "object"],
            "sync_interval_seconds": Schema.nullable("integer"), "enabled": Schema.boolean,
            "requests_per_second": ["type": ["number", "null"], "description": "null restores the vendor's default"],
            "max_concurrency": ["type": ["integer", "null"], "description": "null restores the vendor's default"],
        ])
        schemas["ConnectionTest"] = Schema.object([
            "ok": Schema.boolean, "readable": Schema.array(Schema.string),
            "error": Schema.object(["code": Schema.string, "message": Schema.string], required: ["code", "message"]),
        ], required: ["ok"])
        schemas["SyncRequest"] = Schema.object([
            "resource": ["type": "string", "description": "A resource name (Contacts) or path name (contacts); every readable resource when absent"],
            "full": ["type": "boolean", "description": "A full pass (detects deletions); incremental where the vendor allows it when false"],
        ])
        schemas["SyncStarted"] = Schema.object(
            ["connection_id": Schema.string, "resource": Schema.nullable("string"), "full": Schema.boolean], required: ["connection_id", "full"])
        schemas["SyncRun"] = Schema.object([
            "id": Schema.string, "connection_id": Schema.string, "resource": Schema.string,
            "mode": ["type": "string", "enum": ["full", "incremental"]], "status": ["type": "string", "enum": ["running", "succeeded", "failed"]],
            "started_at": Schema.dateTime, "finished_at": Schema.dateTime, "inserted": Schema.integer, "updated": Schema.integer,
            "unchanged": Schema.integer, "deleted": Schema.integer, "pages": Schema.integer, "error": Schema.string,
        ], required: ["id", "connection_id", "resource", "mode", "status", "started_at", "inserted", "updated", "unchanged", "deleted", "pages"])
        schemas["SyncRunList"] = Schema.object(["value": Schema.array(Schema.ref("SyncRun"))], required: ["value"])
        schemas["LeadSubmission"] = Schema.object([
            "lead": Schema.ref(ResourceName.contacts.rawValue),
            "connections": ["type": "array", "items": Schema.string, "description": "Connection ids or names; every connection that takes leads when absent"],
        ], required: ["lead"])
        schemas["Delivery"] = Schema.object([
            "id": Schema.string, "connection_id": Schema.string, "kind": Schema.string,
            "state": ["type": "string", "enum": .array(DeliveryState.allCases.map { .string($0.rawValue) })],
            "attempts": Schema.integer, "max_attempts": Schema.integer, "idempotency_key": Schema.string, "next_attempt_at": Schema.dateTime,
            "last_error": Schema.string, "remote_id": Schema.string, "completed_at": Schema.dateTime, "created_at": Schema.dateTime,
            "updated_at": Schema.dateTime, "payload": Schema.any,
        ], required: ["id", "connection_id", "kind", "state", "attempts", "max_attempts", "created_at", "updated_at"])
        schemas["DeliveryList"] = Schema.object(["value": Schema.array(Schema.ref("Delivery"))], required: ["value"])
        schemas["LeadAccepted"] = Schema.object(["deliveries": Schema.array(Schema.ref("Delivery"))], required: ["deliveries"])
        schemas["UnitUpdate"] = Schema.object([
            "status": Schema.string, "price": Schema.number, "directions": Schema.array(Schema.string),
        ], required: ["status", "price", "directions"])
        schemas["PublishStatus"] = Schema.object(["development": Schema.string, "status": Schema.string], required: ["development", "status"])
        schemas["AddressCheck"] = Schema.object(["address": Schema.string], required: ["address"])
        schemas["AddressAnswer"] = Schema.object(["cached": Schema.boolean, "answer": Schema.any], required: ["cached", "answer"])
        return schemas
    }

    static let rateSchema: JSONValue = [
        "type": "number", "minimum": 0, "description": "Overrides the vendor's default request rate; 0 is unpaced",
    ]
    static let concurrencySchema: JSONValue = [
        "type": "integer", "minimum": 1, "maximum": 64, "description": "Overrides the vendor's default requests in flight",
    ]

    static let vendorSchema: JSONValue = ["type": "string", "enum": ["pf-expert", "propq", "mycrm", "apimo", "boston-logic"]]

    static func recordSchema(_ resource: ResourceName) -> JSONValue {
        let names = MetadataFieldNames(resource)
        var properties: [String: JSONValue] = [
            names.key: Schema.string, MetadataFieldNames.sourceSystemName: Schema.string, names.sourceKey: Schema.string,
            MetadataFieldNames.connectionID: Schema.string, MetadataFieldNames.modificationTimestamp: Schema.dateTime,
            MetadataFieldNames.originalEntryTimestamp: Schema.dateTime, MetadataFieldNames.sourceModificationTimestamp: Schema.dateTime,
            MetadataFieldNames.sourceEntryTimestamp: Schema.dateTime, MetadataFieldNames.contentHash: Schema.string,
            MetadataFieldNames.deleted: Schema.boolean, MetadataFieldNames.raw: Schema.any,
        ]
        for (name, type) in fieldTypes(resource) { properties[name] = Schema.field(type) }
        for relation in resource.relations {
            properties[relation.name] = ["$ref": .string("#/components/schemas/\(relation.target.rawValue)"), "description": .string("Embedded with expand=\(relation.name)")]
        }
        return Schema.object(properties)
    }

    static func fieldTypes(_ resource: ResourceName) -> [(String, FieldType)] {
        switch resource {
        case .member: return Member.fields.map { ($0.name, $0.type) }
        case .office: return Office.fields.map { ($0.name, $0.type) }
        case .teams: return Team.fields.map { ($0.name, $0.type) }
        case .teamMembers: return TeamMember.fields.map { ($0.name, $0.type) }
        case .contacts: return Contact.fields.map { ($0.name, $0.type) }
        case .property: return Property.fields.map { ($0.name, $0.type) }
        case .development: return Development.fields.map { ($0.name, $0.type) }
        case .activity: return Activity.fields.map { ($0.name, $0.type) }
        }
    }
}
