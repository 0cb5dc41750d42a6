import ConnectorKit
import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import Logging
import RealtyModel

extension HubAPI {
    func addConnections(_ table: RouteTable) {
        let runtime = self.runtime
        let idParameter = RouteSpec.Parameter(
            name: "id", location: .path, required: true, schema: Schema.string, description: "Connection id")

        table.add(
            RouteSpec(
                method: .get, path: "/v1/connections", operationID: "listConnections",
                summary: "The tenant's connections (credentials are never returned)",
                tag: "Connections", scope: ("connections", .read),
                replies: [.init(status: 200, description: "Connections", schema: Schema.ref("ConnectionList"))] + Self.authReplies)
        ) { _, context in
            let principal = try RequestSupport.principal(context)
            var value: [ConnectionJSON] = []
            for connection in try await runtime.store.listConnections(tenant: principal.tenantID) {
                value.append(ConnectionJSON(connection, budget: try await runtime.requestBudget(for: connection)))
            }
            return try JSONResponse.encode(.ok, ["value": value])
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/connections", operationID: "createConnection",
                summary: "Connect a vendor account; credentials are encrypted at rest and write-only",
                tag: "Connections", scope: ("connections", .write), requestBody: Schema.ref("ConnectionInput"),
                replies: [.init(status: 201, description: "Created; Location names it", schema: Schema.ref("Connection")), Self.reply(409)]
                    + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            let input = try await RequestSupport.decode(ConnectionInput.self, from: request, context: context)
            try Self.checkConnectionMembers(
                baseURL: input.baseURL, authURL: input.authURL, interval: input.syncIntervalSeconds, rate: input.requestsPerSecond)
            let connection = try await runtime.addConnection(
                tenant: principal.tenantID, vendor: input.vendor, name: input.name, baseURL: input.baseURL, authURL: input.authURL,
                credentials: Data(input.credentials.jsonText.utf8), syncIntervalSeconds: input.syncIntervalSeconds,
                requestsPerSecond: input.requestsPerSecond, maxConcurrency: input.maxConcurrency,
                dailyRequests: try RequestBudgetSetting.dailyRequests(input.dailyRequests ?? .null),
                deliveryReservePercent: try RequestBudgetSetting.reservePercent(input.deliveryReservePercent ?? .null),
                options: try ConnectionOptionValues.create(input.options),
                rereadIntervalSeconds: try RereadIntervalSetting.seconds(input.rereadIntervalSeconds ?? .null))
            var headers = HTTPFields()
            headers[.location] = "/v1/connections/\(connection.id)"
            return try JSONResponse.encode(
                .created, ConnectionJSON(connection, budget: try await runtime.requestBudget(for: connection)), headers: headers)
        }

        table.add(
            RouteSpec(
                method: .get, path: "/v1/connections/{id}", operationID: "getConnection", summary: "One connection", tag: "Connections",
                scope: ("connections", .read), parameters: [idParameter],
                replies: [.init(status: 200, description: "The connection", schema: Schema.ref("Connection")), Self.reply(404)]
                    + Self.authReplies)
        ) { _, context in
            let connection = try await Self.connection(runtime, context)
            return try JSONResponse.encode(
                .ok,
                ConnectionJSON(
                    connection, budget: try await runtime.requestBudget(for: connection),
                    capabilities: await runtime.capabilities(of: connection)))
        }

        table.add(
            RouteSpec(
                method: .patch, path: "/v1/connections/{id}", operationID: "updateConnection",
                summary: "Change a connection (only the members sent)",
                tag: "Connections", scope: ("connections", .write), parameters: [idParameter], requestBody: Schema.ref("ConnectionPatch"),
                replies: [
                    .init(status: 200, description: "The connection", schema: Schema.ref("Connection")), Self.reply(404), Self.reply(409),
                ] + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let existing = try await Self.connection(runtime, context)
            let data = try await RequestSupport.body(request, context: context)
            let patch: ConnectionPatch
            let present: Set<String>
            do {
                patch = try JSONDecoder().decode(ConnectionPatch.self, from: data)
                guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else {
                    throw APIError(.badRequest, .invalidJSON, "the body must be a JSON object")
                }
                present = Set(object.keys)
                // null resets only the members that have a default; the others cannot be null.
                if let member = ["name", "base_url", "credentials", "enabled"].first(where: { object[$0] == .null }) {
                    throw APIError(
                        .badRequest, .invalidRequest, "\(member) cannot be null",
                        details: [FieldError(field: member, message: "cannot be null")])
                }
            } catch let error as DecodingError {
                throw APIError(.badRequest, .invalidJSON, "the body is not valid: \(APIError.describe(error))")
            }
            let known: Set<String> = [
                "name", "base_url", "auth_url", "credentials", "sync_interval_seconds", "enabled", "requests_per_second", "max_concurrency",
                "daily_requests", "delivery_reserve_percent", "options", "reread_interval_seconds",
            ]
            // What the server owns, as a connection read from the API carries it: ignored.
            let serverOwned: Set<String> = [
                "id", "vendor", "has_credentials", "created_at", "updated_at", "request_budget", "capabilities",
            ]
            if let unknown = present.subtracting(known).subtracting(serverOwned).sorted().first {
                throw APIError(
                    .badRequest, .invalidRequest, "a connection has no member \(unknown) that can change",
                    details: [FieldError(field: unknown, message: "cannot be changed")])
            }
            try Self.checkConnectionMembers(
                baseURL: patch.baseURL, authURL: patch.authURL, interval: patch.syncIntervalSeconds, rate: patch.requestsPerSecond)
            var changes = ConnectionChanges(name: patch.name, baseURL: patch.baseURL, enabled: patch.enabled)
            if present.contains("auth_url") { changes.authURL = .some(patch.authURL) }
            if present.contains("sync_interval_seconds") { changes.syncIntervalSeconds = .some(patch.syncIntervalSeconds) }
            if present.contains("requests_per_second") { changes.requestsPerSecond = .some(patch.requestsPerSecond) }
            if present.contains("max_concurrency") { changes.maxConcurrency = .some(patch.maxConcurrency) }
            if present.contains("daily_requests") {
                changes.dailyRequests = .some(try RequestBudgetSetting.dailyRequests(patch.dailyRequests ?? .null))
            }
            if present.contains("delivery_reserve_percent") {
                changes.deliveryReservePercent = .some(try RequestBudgetSetting.reservePercent(patch.deliveryReservePercent ?? .null))
            }
            if present.contains("options") {
                (changes.options, changes.replacesOptions) = try ConnectionOptionValues.change(patch.options ?? .null)
            }
            if present.contains("reread_interval_seconds") {
                changes.rereadIntervalSeconds = .some(try RereadIntervalSetting.seconds(patch.rereadIntervalSeconds ?? .null))
            }
            if let credentials = patch.credentials { changes.credentials = Data(credentials.jsonText.utf8) }
            let saved = try await runtime.updateConnection(existing.id, tenant: existing.tenantID, changes: changes)
            return try JSONResponse.encode(.ok, ConnectionJSON(saved, budget: try await runtime.requestBudget(for: saved)))
        }

        table.add(
            RouteSpec(
                method: .delete, path: "/v1/connections/{id}", operationID: "deleteConnection",
                summary: "Remove a connection (records it synced stay)",
                tag: "Connections", scope: ("connections", .delete), parameters: [idParameter],
                replies: [.init(status: 204, description: "Removed", schema: nil), Self.reply(404)] + Self.authReplies)
        ) { _, context in
            let connection = try await Self.connection(runtime, context)
            guard try await runtime.store.deleteConnection(id: connection.id, tenant: connection.tenantID) else {
                throw APIError.notFound("no connection \(connection.id)")
            }
            return Response(status: .noContent)
        }

        table.add(
            RouteSpec(
                method: .post, path: "/v1/connections/{id}/test", operationID: "testConnection",
                summary: "Log in to the vendor with the stored credentials",
                tag: "Connections", scope: ("connections", .write), parameters: [idParameter],
                replies: [
                    .init(
                        status: 200, description: "The outcome (ok false with the vendor's error when refused)",
                        schema: Schema.ref("ConnectionTest")), Self.reply(404),
                ] + Self.authReplies)
        ) { _, context in
            let connection = try await Self.connection(runtime, context)
            do {
                let capabilities = try await runtime.testConnection(connection)
                let readable = capabilities.readable.map { JSONValue.string($0.resource.rawValue) }
                return JSONResponse.make(.ok, .object(["ok": true, "readable": .array(readable)]))
            } catch let error as ConnectorError {
                let api = APIError(from: error)
                return JSONResponse.make(
                    .ok, .object(["ok": false, "error": .object(["code": .string(api.code.rawValue), "message": .string(api.message)])]))
            }
        }

        let syncs = self.syncs
        table.add(
            RouteSpec(
                method: .post, path: "/v1/connections/{id}/sync", operationID: "syncConnection",
                summary: "Start a pull of the connection's resources (or one resource); runs in the background",
                tag: "Sync", scope: ("connections", .write), parameters: [idParameter], requestBody: Schema.ref("SyncRequest"),
                requestBodyRequired: false,
                replies: [
                    .init(status: 202, description: "Started; Location lists the connection's runs", schema: Schema.ref("SyncStarted")),
                    Self.reply(404), Self.reply(409),
                ] + Self.bodyReplies + Self.authReplies)
        ) { request, context in
            let connection = try await Self.connection(runtime, context)
            // The body is optional: none (or an empty one) starts every readable resource.
            var input = SyncRequest()
            if request.headers[.contentType] != nil || (request.headers[.contentLength].flatMap(Int.init) ?? 0) > 0 {
                let data = try await RequestSupport.body(request, context: context)
                if !data.isEmpty { input = try RequestSupport.decode(SyncRequest.self, from: data) }
            }
            var resource: ResourceName?
            if let name = input.resource {
                guard let parsed = ResourceName(rawValue: name) ?? ResourceName.allCases.first(where: { $0.pathName == name }) else {
                    throw APIError(
                        .badRequest, .invalidRequest, "unknown resource \(name)",
                        details: [FieldError(field: "resource", message: "unknown resource")])
                }
                // Media are read with their parents: syncing those brings them.
                guard parsed != .media else {
                    throw APIError(
                        .badRequest, .invalidRequest, "Media are synced with their parent records: sync Property or Member",
                        details: [FieldError(field: "resource", message: "not synced on its own")])
                }
                resource = parsed
            }
            guard connection.enabled else { throw APIError(.conflict, .connectionDisabled, "connection \(connection.name) is disabled") }
            let full = input.full ?? false
            let selected = resource
            let logger = runtime.logger
            let started = await syncs.start(connectionID: connection.id) {
                do {
                    _ = try await runtime.sync(tenant: connection.tenantID, connections: [connection], resource: selected, full: full)
                } catch {
                    logger.warning("API-started sync failed", metadata: ["hub.connection.id": "\(connection.id)", "hub.error": "\(error)"])
                }
            }
            guard started else {
                throw APIError(.conflict, .syncRunning, "a sync of connection \(connection.name) started through the API is still running")
            }
            var headers = HTTPFields()
            headers[.location] = "/v1/sync-runs?connection=\(connection.id)"
            return JSONResponse.make(
                .accepted,
                .object([
                    "connection_id": .string(connection.id), "resource": selected.map { .string($0.rawValue) } ?? .null,
                    "full": .bool(full),
                ]), headers: headers)
        }

        table.add(
            RouteSpec(
                method: .get, path: "/v1/connections/{id}/resources", operationID: "listConnectionResources",
                summary: "Each resource the connection reads: available or not (and why), and how fresh the hub's copy is",
                tag: "Sync", scope: ("connections", .read), parameters: [idParameter],
                replies: [
                    .init(status: 200, description: "The resources", schema: Schema.ref("ConnectionResourceList")), Self.reply(400),
                    Self.reply(404),
                ] + Self.authReplies)
        ) { _, context in
            let connection = try await Self.connection(runtime, context)
            let states = try await runtime.resourceStates(of: connection)
            return try JSONResponse.encode(.ok, ["value": states.map(ConnectionResourceJSON.init)])
        }

        table.add(
            RouteSpec(
                method: .get, path: "/v1/sync-runs", operationID: "listSyncRuns", summary: "Sync runs, newest first", tag: "Sync",
                scope: ("connections", .read),
                parameters: [
                    .init(
                        name: "connection", location: .query, required: false, schema: Schema.string,
                        description: "Only this connection's runs"),
                    .init(
                        name: "limit", location: .query, required: false, schema: Schema.integer(1...500), description: "1-500 (default 50)"
                    ),
                ],
                replies: [.init(status: 200, description: "Runs", schema: Schema.ref("SyncRunList")), Self.reply(400)] + Self.authReplies)
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            let limit = try RequestSupport.intQuery(request, "limit", default: 50, range: 1...500)
            let connection = try RequestSupport.query(request, "connection")
            let runs = try await runtime.store.listSyncRuns(tenant: principal.tenantID, connectionID: connection, limit: limit)
            return try JSONResponse.encode(.ok, ["value": runs.map(SyncRunJSON.init)])
        }
    }

    /// The connection named by the `id` path parameter, in the caller's tenant.
    static let urlExpression = try? NSRegularExpression(pattern: OpenAPIDocument.urlPattern)

    /// The checks of a connection's members the document states beyond the runtime's own: URLs
    /// of the documented form, bounded numbers.
    static func checkConnectionMembers(baseURL: String?, authURL: String?, interval: Int?, rate: Double?) throws {
        for (field, url) in [("base_url", baseURL), ("auth_url", authURL)] {
            guard let url else { continue }
            let range = NSRange(url.startIndex..., in: url)
            guard let expression = urlExpression, expression.firstMatch(in: url, range: range) != nil else {
                throw APIError(
                    .badRequest, .invalidRequest,
                    "\(field) must be an http(s) URL with a host, an optional port and path (no query or fragment)",
                    details: [FieldError(field: field, message: "not an http(s) URL")])
            }
        }
        if let interval, Int64(interval) > Schema.maxSafeInteger {
            throw APIError(
                .badRequest, .invalidRequest, "sync_interval_seconds must be at most \(Schema.maxSafeInteger)",
                details: [FieldError(field: "sync_interval_seconds", message: "too large")])
        }
        if let rate, rate > 1e300 {
            throw APIError(
                .badRequest, .invalidRequest, "requests_per_second must be at most 1e300",
                details: [FieldError(field: "requests_per_second", message: "too large")])
        }
    }

    /// With `vendor`, a connection of another vendor is not found either: the route's resource
    /// (a PropQ development, the MyCRM address service) does not exist under it.
    static func connection(_ runtime: HubRuntime, _ context: HubRequestContext, parameter: String = "id", vendor: String? = nil)
        async throws -> Connection
    {
        let principal = try RequestSupport.principal(context)
        let id = try RequestSupport.parameter(context, parameter)
        guard let connection = try await runtime.store.connection(id: id, tenant: principal.tenantID) else {
            throw APIError.notFound("no connection \(id)")
        }
        if let vendor, connection.vendor != vendor {
            throw APIError(
                .notFound, .notFound,
                "connection \(connection.name) is a \(connection.vendor) connection; this route is for \(vendor) connections")
        }
        return connection
    }
}
