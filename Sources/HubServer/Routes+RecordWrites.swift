import ConnectorKit
import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

/// `POST /v1/{resource}` as it arrives: the record and where it goes.
struct RecordCreateInput: Decodable {
    /// The record in RESO names.
    var record: JSONValue
    /// Connection ids or names, at least one.
    var connections: [String]
}

extension HubAPI {
    /// Create, update and delete of every writable resource, through the outbox.
    func addRecordWrites(_ table: RouteTable) {
        let runtime = self.runtime
        let idempotencyKey = RouteSpec.Parameter(
            name: "Idempotency-Key", location: .header, required: false,
            schema: ["type": "string", "pattern": .string(Self.idempotencyKeyPattern)],
            description:
                "1 to 200 visible ASCII characters (inner spaces allowed). Same key and request: the first answer again, also when sent at once; same key, another request: 409 idempotency_key_reused"
        )
        let ifMatch = RouteSpec.Parameter(
            name: "If-Match", location: .header, required: false,
            schema: ["type": "string", "pattern": .string(Self.ifMatchPattern)],
            description:
                "The ETag a GET of the record returned (its content hash): refused with 412 if the hub's copy changed since; * matches any; an empty value sets no precondition"
        )
        let writeReplies: [RouteSpec.Reply] = [
            .init(status: 202, description: "Accepted; Location names the delivery", schema: Schema.ref("WriteAccepted")),
            Self.reply(404), Self.reply(409),
        ]
        for resource in ResourceName.writable {
            let name = resource.pathName
            let schema = resource.rawValue
            let key = RouteSpec.Parameter(
                name: "key", location: .path, required: true, schema: Schema.string, description: resource.keyField)
            table.add(
                RouteSpec(
                    method: .post, path: "/v1/\(name)", operationID: "create_\(name)",
                    summary:
                        "Create \(schema) records at the named connections' vendors: committed to the outbox before the answer, created once per connection; the hub's copy appears when the vendor confirms",
                    tag: "Writes", scope: (name, .write), parameters: [idempotencyKey],
                    requestBody: Schema.ref("\(schema)Create"),
                    replies: writeReplies + Self.bodyReplies + Self.authReplies)
            ) { request, context in
                let principal = try RequestSupport.principal(context)
                let input = try await RequestSupport.decode(RecordCreateInput.self, from: request, context: context)
                let key = try Self.idempotencyKey(request)
                let deliveries = try await runtime.acceptCreate(
                    resource, record: input.record, connections: input.connections, tenant: principal.tenantID, idempotencyKey: key)
                return try Self.accepted(deliveries, key: key)
            }
            table.add(
                RouteSpec(
                    method: .patch, path: "/v1/\(name)/{key}", operationID: "update_\(name)",
                    summary:
                        "Change fields of a \(schema) record at the vendor it came from (only fields that differ from the hub's copy are sent; null clears); held as a conflict if the vendor's record changed since the hub's copy",
                    tag: "Writes", scope: (name, .write), parameters: [key, ifMatch, idempotencyKey],
                    requestBody: Schema.ref("\(schema)Patch"),
                    replies: writeReplies + [Self.reply(412)] + Self.bodyReplies + Self.authReplies)
            ) { request, context in
                let principal = try RequestSupport.principal(context)
                let recordKey = try RequestSupport.parameter(context, "key")
                let patch = try await RequestSupport.decode(JSONValue.self, from: request, context: context)
                let key = try Self.idempotencyKey(request)
                let delivery = try await runtime.acceptUpdate(
                    resource, key: recordKey, patch: patch, tenant: principal.tenantID, ifMatch: Self.ifMatch(request),
                    idempotencyKey: key)
                return try Self.accepted([delivery], key: key)
            }
            table.add(
                RouteSpec(
                    method: .delete, path: "/v1/\(name)/{key}", operationID: "delete_\(name)",
                    summary:
                        "Delete a \(schema) record at the vendor it came from; the hub's copy is marked deleted when the vendor confirms",
                    tag: "Writes", scope: (name, .delete), parameters: [key, ifMatch, idempotencyKey],
                    replies: writeReplies + [Self.reply(400), Self.reply(412), Self.reply(422)] + Self.authReplies)
            ) { request, context in
                let principal = try RequestSupport.principal(context)
                let recordKey = try RequestSupport.parameter(context, "key")
                let key = try Self.idempotencyKey(request)
                let delivery = try await runtime.acceptDelete(
                    resource, key: recordKey, tenant: principal.tenantID, ifMatch: Self.ifMatch(request), idempotencyKey: key)
                return try Self.accepted([delivery], key: key)
            }
        }
    }

    /// What the server takes as an If-Match: `*`, or entity tags (`"tag"` or `W/"tag"`, the tag
    /// any visible ASCII but `"`) separated by commas; or nothing (no precondition).
    static let ifMatchPattern =
        #"^(?:[ \t]*|\*|[ \t]*(?:W/)?"[!#-~]*"[ \t]*(?:,[ \t]*(?:W/)?"[!#-~]*"[ \t]*)*)"# + Schema.end

    /// The request's If-Match; an empty value counts as none (no precondition).
    static func ifMatch(_ request: Request) -> String? {
        guard let value = request.headers[.ifMatch], !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }

    /// The request's Idempotency-Key, checked.
    static func idempotencyKey(_ request: Request) throws -> String? {
        let key = request.headers[.idempotencyKey]
        if let key, !isIdempotencyKey(key) {
            throw APIError.badRequest(
                "Idempotency-Key must be 1 to 200 visible ASCII characters (spaces only inside)", field: "Idempotency-Key")
        }
        return key
    }
}
