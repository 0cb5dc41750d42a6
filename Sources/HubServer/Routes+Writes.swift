import ConnectorKit
import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import RealtyModel

extension HubAPI {
    func addWrites(_ table: RouteTable) {
        let runtime = self.runtime

        table.add(
            RouteSpec(
                method: .post, path: "/v1/leads", operationID: "submitLead",
                summary:
                    "Accept a lead for delivery to CRMs: committed to the outbox before the answer, delivered exactly once per connection",
                tag: "Leads", scope: ("leads", .write),
                parameters: [
                    .init(
                        name: "Idempotency-Key", location: .header, required: false,
                        schema: ["type": "string", "pattern": .string(Self.idempotencyKeyPattern)],
                        description:
                            "1 to 200 visible ASCII characters (inner spaces allowed). Same key and request (lead and connections): the first answer again, also when sent at once; same key, another request: 409 idempotency_key_reused"
                    )
                ],
                requestBody: Schema.ref("LeadSubmission"),
                replies: [
                    .init(
                        status: 202, description: "Accepted; Location names the delivery (or the deliveries of this submission)",
                        schema: Schema.ref("LeadAccepted")),
                    .init(status: 404, description: "A named connection does not exist (unknown_connection)", schema: Schema.ref("Error")),
                    .init(
                        status: 409,
                        description:
                            "Idempotency-Key used for another request (idempotency_key_reused), a named connection takes no leads, or none of the tenant's does",
                        schema: Schema.ref("Error")),
                ] + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            let submission = try await RequestSupport.decode(LeadSubmission.self, from: request, context: context)
            let key = try Self.idempotencyKey(request)
            let deliveries = try await runtime.acceptLead(
                submission.lead, connections: submission.connections, tenant: principal.tenantID, idempotencyKey: key)
            return try Self.accepted(deliveries, key: key)
        }

        let stateParameter = RouteSpec.Parameter(
            name: "state", location: .query, required: false,
            schema: .object(["type": "string", "enum": .array(DeliveryState.allCases.map { .string($0.rawValue) })]),
            description: "Only deliveries in this state")
        table.add(
            RouteSpec(
                method: .get, path: "/v1/deliveries", operationID: "listDeliveries", summary: "Outbox deliveries, newest first",
                tag: "Deliveries",
                scope: ("deliveries", .read),
                parameters: [
                    stateParameter,
                    .init(
                        name: "connection", location: .query, required: false, schema: Schema.string, description: "Only this connection's"),
                    .init(
                        name: "idempotency_key", location: .query, required: false, schema: Schema.string,
                        description: "Only those accepted under this key"),
                    .init(
                        name: "limit", location: .query, required: false, schema: Schema.integer(1...500),
                        description: "1-500 (default 100)"),
                ],
                replies: [.init(status: 200, description: "Deliveries", schema: Schema.ref("DeliveryList")), Self.reply(400)]
                    + Self.authReplies)
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            var filter = DeliveryFilter(limit: try RequestSupport.intQuery(request, "limit", default: 100, range: 1...500))
            if let state = try RequestSupport.query(request, "state") {
                guard let parsed = DeliveryState(rawValue: state) else {
                    throw APIError.badRequest(
                        "state must be one of \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
                }
                filter.state = parsed
            }
            filter.connectionID = try RequestSupport.query(request, "connection")
            filter.idempotencyKey = try RequestSupport.query(request, "idempotency_key")
            let deliveries = try await runtime.store.listDeliveries(tenant: principal.tenantID, filter: filter)
            return try JSONResponse.encode(.ok, ["value": deliveries.map(DeliveryJSON.init)])
        }

        let deliveryID = RouteSpec.Parameter(name: "id", location: .path, required: true, schema: Schema.string, description: "Delivery id")
        table.add(
            RouteSpec(
                method: .get, path: "/v1/deliveries/{id}", operationID: "getDelivery", summary: "One delivery", tag: "Deliveries",
                scope: ("deliveries", .read), parameters: [deliveryID],
                replies: [.init(status: 200, description: "The delivery", schema: Schema.ref("Delivery")), Self.reply(404)]
                    + Self.authReplies)
        ) { _, context in
            let principal = try RequestSupport.principal(context)
            let id = try RequestSupport.parameter(context, "id")
            guard let delivery = try await runtime.store.delivery(id: id, tenant: principal.tenantID) else {
                throw APIError.notFound("no delivery \(id)")
            }
            return try JSONResponse.encode(.ok, DeliveryJSON(delivery))
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/deliveries/{id}/retry", operationID: "retryDelivery",
                summary:
                    "Retry a dead or conflicting delivery now; with force, an update held as a conflict overwrites the vendor's newer record",
                tag: "Deliveries",
                scope: ("deliveries", .write), parameters: [deliveryID], requestBody: Schema.ref("RetryRequest"),
                requestBodyRequired: false,
                replies: [
                    .init(status: 200, description: "The delivery, pending again", schema: Schema.ref("Delivery")), Self.reply(404),
                    Self.reply(409),
                ] + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            let id = try RequestSupport.parameter(context, "id")
            var force = false
            if request.headers[.contentLength].map({ $0 != "0" }) ?? (request.headers[.contentType] != nil) {
                force = try await RequestSupport.decode(RetryInput.self, from: request, context: context).force ?? false
            }
            guard try await runtime.store.delivery(id: id, tenant: principal.tenantID) != nil else {
                throw APIError.notFound("no delivery \(id)")
            }
            let delivery = try await runtime.store.retryDelivery(id: id, tenant: principal.tenantID, force: force, now: Date())
            return try JSONResponse.encode(.ok, DeliveryJSON(delivery))
        }

        addInventory(table)
    }

    func addInventory(_ table: RouteTable) {
        let runtime = self.runtime
        let connectionID = RouteSpec.Parameter(
            name: "id", location: .path, required: true, schema: Schema.string,
            description: "A propq connection id (another vendor's answers 404)")
        let development = RouteSpec.Parameter(
            name: "development", location: .path, required: true, schema: Schema.nonBlank, description: "The PropQ development id")

        table.add(
            RouteSpec(
                method: .put, path: "/v1/connections/{id}/developments/{development}/units/{unit}", operationID: "updateUnit",
                summary: "Change a development unit's status, price and directions (PropQ), through the outbox", tag: "Inventory",
                scope: ("inventory", .write),
                parameters: [
                    connectionID, development,
                    .init(name: "unit", location: .path, required: true, schema: Schema.nonBlank, description: "The unit's name"),
                ],
                requestBody: Schema.ref("UnitUpdate"),
                replies: [
                    .init(status: 202, description: "Accepted; Location names the delivery", schema: Schema.ref("Delivery")),
                    Self.reply(404),
                ] + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let connection = try await Self.connection(runtime, context, vendor: "propq")
            let input = try await RequestSupport.decode(UnitUpdateInput.self, from: request, context: context)
            let update = UnitUpdate(
                development: try RequestSupport.parameter(context, "development"), unit: try RequestSupport.parameter(context, "unit"),
                status: input.status, price: input.price, directions: input.directions)
            let delivery = try await runtime.enqueueUnitUpdate(update, tenant: connection.tenantID, connection: connection)
            return try Self.acceptedDelivery(delivery)
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/connections/{id}/developments/{development}/publish", operationID: "publishDevelopment",
                summary: "Publish a development (PropQ), through the outbox; the delivery completes when PropQ reports it settled",
                tag: "Inventory",
                scope: ("inventory", .write), parameters: [connectionID, development],
                replies: [
                    .init(status: 202, description: "Accepted; Location names the delivery", schema: Schema.ref("Delivery")),
                    Self.reply(400), Self.reply(404), Self.reply(422),
                ] + Self.authReplies)
        ) { _, context in
            let connection = try await Self.connection(runtime, context, vendor: "propq")
            let delivery = try await runtime.enqueuePublish(
                development: try RequestSupport.parameter(context, "development"), tenant: connection.tenantID, connection: connection)
            return try Self.acceptedDelivery(delivery)
        }

        table.add(
            RouteSpec(
                method: .get, path: "/v1/connections/{id}/developments/{development}/publish-status", operationID: "publishStatus",
                summary: "PropQ's publication status of a development, asked now", tag: "Inventory",
                scope: ("inventory", .read), parameters: [connectionID, development],
                replies: [
                    .init(status: 200, description: "The status", schema: Schema.ref("PublishStatus")), Self.reply(400), Self.reply(404),
                    Self.reply(422), Self.reply(502), Self.reply(503),
                ] + Self.authReplies)
        ) { _, context in
            let connection = try await Self.connection(runtime, context, vendor: "propq")
            let development = try RequestSupport.parameter(context, "development")
            let status = try await runtime.publishStatus(development: development, tenant: connection.tenantID, connection: connection)
            return JSONResponse.make(.ok, .object(["development": .string(development), "status": .string(status)]))
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/connections/{id}/address-check", operationID: "checkAddress",
                summary: "Address availability through the MyCRM service (answers cached for a day)", tag: "Inventory",
                scope: ("address", .read),
                parameters: [
                    .init(
                        name: "id", location: .path, required: true, schema: Schema.string,
                        description: "A mycrm connection id (another vendor's answers 404)")
                ],
                requestBody: Schema.ref("AddressCheck"),
                replies: [
                    .init(status: 200, description: "The service's answer", schema: Schema.ref("AddressAnswer")), Self.reply(404),
                    Self.reply(502), Self.reply(503),
                ] + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let connection = try await Self.connection(runtime, context, vendor: "mycrm")
            let input = try await RequestSupport.decode(AddressCheckInput.self, from: request, context: context)
            let (answer, cached) = try await runtime.checkAddress(input.address, tenant: connection.tenantID, connection: connection)
            return JSONResponse.make(.ok, .object(["cached": .bool(cached), "answer": answer]))
        }
    }

    /// What the server takes as an Idempotency-Key, as a pattern for the document.
    static let idempotencyKeyPattern = "^[!-~](?:[ -~]{0,198}[!-~])?\(Schema.end)"

    static func isIdempotencyKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard (1...200).contains(bytes.count), bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { return false }
        return bytes.first != 0x20 && bytes.last != 0x20
    }

    static func accepted(_ deliveries: [Delivery], key: String?) throws -> Response {
        var headers = HTTPFields()
        if deliveries.count == 1, let only = deliveries.first {
            headers[.location] = "/v1/deliveries/\(only.id)"
        } else if let key,
            let encoded = key.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+")))
        {
            headers[.location] = "/v1/deliveries?idempotency_key=\(encoded)"
        } else if let first = deliveries.first {
            headers[.location] = "/v1/deliveries/\(first.id)"
        }
        return try JSONResponse.encode(.accepted, ["deliveries": deliveries.map(DeliveryJSON.init)], headers: headers)
    }

    static func acceptedDelivery(_ delivery: Delivery) throws -> Response {
        var headers = HTTPFields()
        headers[.location] = "/v1/deliveries/\(delivery.id)"
        return try JSONResponse.encode(.accepted, DeliveryJSON(delivery), headers: headers)
    }
}
