import Foundation
import HTTPTypes
public import Hummingbird
import RealtyModel

/// The Boston Logic Platform API (`{domain}/api/v2/...`).
///
/// | method | path | notes |
/// | --- | --- | --- |
/// | GET | `/api/v2/{offices,agents,employees,teams,leads,property_views,property_notes}` | index |
/// | GET | `/api/v2/{resource}/{id}` | show |
/// | POST | `/api/v2/{offices,agents,employees,teams,leads}` | create (201) |
/// | PATCH, PUT | `/api/v2/{offices,agents,employees,teams,leads}/{id}` | update (PATCH preferred, PUT accepted) |
/// | DELETE | `/api/v2/{offices,agents,employees,teams,leads}/{id}` | delete; answers the deleted record |
/// | GET | `/api/v2/leads/{id}/property_views`, `/api/v2/leads/{id}/property_notes` | a lead's activity |
///
/// Every answer is the document's envelope: `{"status":"success","message":…,"data":…}` or
/// `{"status":"failure","message":…,"errors":[…]}`; the HTTP status is only in the status line.
///
/// Errors: a missing key, or a key used on another tenant's domain, 401 with status
/// `unauthorized`; a key without the Read / Write / Delete permission the request needs, 401 with
/// status `unauthorized` and `"API Key does not have permissions to create offices"`, exactly as
/// the document says (not 403); a non-JSON `Content-Type`, or a body without one, 406 (Rails'
/// answer to a format it does not serve); malformed JSON 400; an unknown id 404; validation 422
/// (`"Office name must be unique"`, as in the document's example); an unknown path or a method a
/// path does not serve 404, as Rails routing answers.
///
/// Readings where the document is silent:
/// - Paging: neither the document nor its change log names paging parameters, so every index
///   returns all matching records, in id order.
/// - Filters: `active_status` (`active`, `inactive`, `all`) on offices, agents, employees and
///   teams; `email` on agents and employees (documented) and on leads (by analogy; the lead filter
///   names of 2021 are not public); `includes=office_mls_ids` / `agent_mls_ids` reveal MLS ids.
/// - A body may be wrapped in its resource name (`{"office": {...}}`), as Rails clients often send.
/// - Exact paths of property views and notes are not public: they are served both nested under a
///   lead and at the top level with a `lead_id` filter. Deactivate/Reactivate sub-actions and the
///   Lead Enumerations endpoint are not served, their paths being unknown.
public final class BostonLogicEmulator: VendorEmulator {
    public static let vendor = SandboxVendor.bostonLogic

    private let settings: EmulatorSettings
    private let writeLog: WriteLog
    let state: BostonLogicState

    public init(settings: EmulatorSettings, clock: SandboxClock, writeLog: WriteLog) {
        self.settings = settings
        self.writeLog = writeLog
        self.state = BostonLogicState(settings: settings, clock: clock)
    }

    /// The demo tenant's key that has the Read permission only, on every resource (for
    /// permission tests).
    public static func readOnlyKey(seed: UInt64) -> String { BostonLogicState.readOnlyKey(seed: seed) }

    public var demoCredentials: [String: String] {
        ["api_key": BostonLogicState.demoKey(seed: settings.seed), "host": "127.0.0.1"]
    }

    public func control(_ request: ControlRequest) async throws -> ControlResponse {
        try await state.control(request)
    }

    // MARK: - Routes

    /// What a request does, for permissions and messages.
    enum Action: Sendable {
        case index, show, create, update, delete

        var permission: BostonLogicState.Permission {
            switch self {
            case .index, .show: .read
            case .create, .update: .write
            case .delete: .delete
            }
        }

        var verb: String {
            switch self {
            case .index, .show: "read"
            case .create: "create"
            case .update: "update"
            case .delete: "delete"
            }
        }

        var pastTense: String {
            switch self {
            case .index, .show: "retrieved"
            case .create: "created"
            case .update: "updated"
            case .delete: "deleted"
            }
        }
    }

    typealias Handler = @Sendable (Request, SandboxRequestContext, BostonLogicState.APIKey, JSONValue?) async -> Response

    public func addRoutes(to router: Router<SandboxRequestContext>) {
        router.add(middleware: VendorNotFoundMiddleware { BostonLogicResponse.noRoute($0) })
        for resource in BostonLogicResource.all {
            var collection: [HTTPRequest.Method: (Action, Handler)] = [
                .get: (.index, { [self] request, _, key, _ in await index(resource, request: request, key: key, lead: nil) })
            ]
            var member: [HTTPRequest.Method: (Action, Handler)] = [
                .get: (.show, { [self] request, context, key, _ in await show(resource, request: request, context: context, key: key) })
            ]
            if resource.writable {
                let create: Handler = { [self] _, _, key, body in await write(resource, id: nil, key: key, body: body) }
                collection[.post] = (.create, create)
                let update: Handler = { [self] _, context, key, body in
                    await write(resource, id: context.parameters.get("id"), key: key, body: body)
                }
                member[.patch] = (.update, update)
                member[.put] = (.update, update)
                let remove: Handler = { [self] _, context, key, _ in
                    await delete(resource, id: context.parameters.get("id"), key: key)
                }
                member[.delete] = (.delete, remove)
            }
            route(router, "api/v2/\(resource.name)", resource, collection)
            route(router, "api/v2/\(resource.name)/:id", resource, member)
        }
        for nested in [BostonLogicResource.propertyViews, .propertyNotes] {
            route(
                router, "api/v2/leads/:id/\(nested.name)", nested,
                [
                    .get: (
                        .index,
                        { [self] request, context, key, _ in
                            await index(nested, request: request, key: key, lead: context.parameters.get("id") ?? "")
                        }
                    )
                ])
        }
    }

    /// Registers a path: authentication, the JSON-only rule and permissions, then the handler;
    /// methods the path does not serve answer Rails' routing 404.
    private func route(
        _ router: Router<SandboxRequestContext>, _ path: String, _ resource: BostonLogicResource,
        _ handlers: [HTTPRequest.Method: (Action, Handler)]
    ) {
        router.on(
            path,
            serving: handlers.mapValues { action, handler in
                { [self] request, context in
                    await guarded(request, resource: resource, action: action) { key, body in
                        await handler(request, context, key, body)
                    }
                }
            },
            otherwise: { BostonLogicResponse.noRoute($0) })
    }

    private func guarded(
        _ request: Request, resource: BostonLogicResource, action: Action,
        _ body: (BostonLogicState.APIKey, JSONValue?) async -> Response
    ) async -> Response {
        let subject = action == .index ? "\(resource.plural) not \(action.pastTense)" : "\(resource.title) not \(action.pastTense)"
        let keyName = HTTPField.Name("X-BL-API-Key")
        let key: BostonLogicState.APIKey
        switch await state.authenticate(key: keyName.flatMap { request.headers[$0] }, host: BostonLogicResponse.requestHost(request)) {
        case .failure(.missingKey):
            return BostonLogicResponse.failure(
                .unauthorized, status: "unauthorized", message: subject, errors: ["X-BL-API-Key header is missing"])
        case .failure(.invalidKey):
            return BostonLogicResponse.failure(
                .unauthorized, status: "unauthorized", message: subject, errors: ["API Key is not valid for this domain"])
        case .success(let found):
            key = found
        }
        let data: Data
        do {
            data = try await SandboxJSON.body(of: request)
        } catch {
            return BostonLogicResponse.failure(
                .badRequest, message: subject, errors: ["The request body could not be read or is too large"])
        }
        let isEmpty = data.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if let contentType = request.headers[.contentType] {
            guard BostonLogicResponse.isJSON(contentType) else {
                return BostonLogicResponse.failure(
                    .notAcceptable, message: subject, errors: ["API requests must be JSON: send Content-Type: application/json"])
            }
        } else if !isEmpty {
            return BostonLogicResponse.failure(
                .notAcceptable, message: subject, errors: ["API requests must be JSON: send Content-Type: application/json"])
        }
        guard key.allows(action.permission, on: resource.name) else {
            return BostonLogicResponse.failure(
                .unauthorized, status: "unauthorized", message: subject,
                errors: ["API Key does not have permissions to \(action.verb) \(resource.name.replacingOccurrences(of: "_", with: " "))"])
        }
        var json: JSONValue?
        if !isEmpty {
            do {
                json = try JSONValue(parsing: data)
            } catch {
                return BostonLogicResponse.failure(.badRequest, message: subject, errors: ["The request body is not valid JSON"])
            }
        }
        return await body(key, json)
    }

    // MARK: - Handlers

    private func index(_ resource: BostonLogicResource, request: Request, key: BostonLogicState.APIKey, lead: String?) async -> Response {
        let items = QueryItems(request)
        var query = BostonLogicState.ListQuery()
        if resource.hasActiveStatus, let status = items["active_status"], !status.isEmpty {
            switch status.lowercased() {
            case "active": query.active = true
            case "inactive": query.active = false
            case "all": query.active = nil
            default:
                return BostonLogicResponse.failure(
                    .unprocessableContent, message: "\(resource.plural) not retrieved",
                    errors: ["Active status must be one of active, inactive, all"])
            }
        }
        for (parameter, field) in resource.filters {
            if let value = items[parameter], !value.isEmpty { query.filters[field] = value }
        }
        if let lead {
            guard let id = Int(lead), await state.get(.leads, tenant: key.tenant, id: id) != nil else {
                return BostonLogicResponse.failure(
                    .notFound, message: "\(resource.plural) not retrieved", errors: ["Lead with id \(lead) could not be found"])
            }
            query.filters["lead_id"] = String(id)
        }
        query.includes = Set(
            items.values("includes").flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) })
        if let texts = await state.listTexts(resource, tenant: key.tenant, query: query) {
            let envelope: [String: JSONValue] = ["status": "success", "message": .string("\(resource.plural) retrieved")]
            return SandboxJSON.response(bytes: SandboxJSON.listText(envelope, listKey: "data", items: texts))
        }
        let records = await state.list(resource, tenant: key.tenant, query: query)
        return BostonLogicResponse.success("\(resource.plural) retrieved", data: .array(records))
    }

    private func show(_ resource: BostonLogicResource, request: Request, context: SandboxRequestContext, key: BostonLogicState.APIKey) async
        -> Response
    {
        let raw = context.parameters.get("id") ?? ""
        let includes = Set(QueryItems(request).values("includes").flatMap { $0.split(separator: ",") }.map(String.init))
        guard let id = Int(raw), let record = await state.get(resource, tenant: key.tenant, id: id, includes: includes) else {
            return notFound(resource, raw, message: "\(resource.title) not retrieved")
        }
        return BostonLogicResponse.success("\(resource.title) retrieved", data: record)
    }

    private func notFound(_ resource: BostonLogicResource, _ id: String, message: String) -> Response {
        BostonLogicResponse.failure(.notFound, message: message, errors: ["\(resource.title) with id \(id) could not be found"])
    }

    private func write(_ resource: BostonLogicResource, id rawID: String?, key: BostonLogicState.APIKey, body: JSONValue?) async -> Response
    {
        let action: Action = rawID == nil ? .create : .update
        let subject = "\(resource.title) not \(action.pastTense)"
        var id: Int?
        if let rawID {
            guard let parsed = Int(rawID) else { return notFound(resource, rawID, message: subject) }
            id = parsed
        }
        guard var object = body?.objectValue else {
            return BostonLogicResponse.failure(.badRequest, message: subject, errors: ["The request body must be a JSON object"])
        }
        if object.count == 1, let wrapped = object[resource.wrapper]?.objectValue {
            object = wrapped
        }
        do {
            let record = try await state.write(resource, tenant: key.tenant, id: id, body: object)
            let recordID = record["id"]?.scalarText ?? ""
            writeLog.record(
                vendor: .bostonLogic, resource: resource.name, operation: action == .create ? .create : .update,
                id: recordID, keys: Self.lookupKeys(record, tenant: key.tenant), body: .object(object))
            return BostonLogicResponse.success(
                "\(resource.title) \(action.pastTense)", data: record, status: action == .create ? .created : .ok)
        } catch {
            switch error {
            case .notFound: return notFound(resource, rawID ?? "", message: subject)
            case .invalid(let errors): return BostonLogicResponse.failure(.unprocessableContent, message: subject, errors: errors)
            }
        }
    }

    private func delete(_ resource: BostonLogicResource, id rawID: String?, key: BostonLogicState.APIKey) async -> Response {
        let raw = rawID ?? ""
        let subject = "\(resource.title) not deleted"
        guard let id = Int(raw) else { return notFound(resource, raw, message: subject) }
        do {
            let record = try await state.delete(resource, tenant: key.tenant, id: id)
            writeLog.record(
                vendor: .bostonLogic, resource: resource.name, operation: .delete, id: raw,
                keys: Self.lookupKeys(record, tenant: key.tenant))
            return BostonLogicResponse.success("\(resource.title) deleted", data: record)
        } catch {
            switch error {
            case .notFound: return notFound(resource, raw, message: subject)
            case .invalid(let errors): return BostonLogicResponse.failure(.unprocessableContent, message: subject, errors: errors)
            }
        }
    }

    /// The keys a client can look a record up by (email, phone, name), and the tenant.
    private static func lookupKeys(_ record: JSONValue, tenant: String) -> [String: String] {
        var keys = ["tenant": tenant]
        for field in ["email", "phone", "name"] {
            if let value = record[field]?.strictString { keys[field] = value }
        }
        return keys
    }
}

/// The envelope of the Boston Logic API.
enum BostonLogicResponse {
    static func success(_ message: String, data: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        SandboxJSON.response(["status": "success", "message": .string(message), "data": data] as JSONValue, status: status)
    }

    static func failure(
        _ code: HTTPResponse.Status, status: String = "failure", message: String, errors: [String]
    ) -> Response {
        SandboxJSON.response(
            ["status": .string(status), "message": .string(message), "errors": .array(errors.map(JSONValue.string))] as JSONValue,
            status: code)
    }

    static func noRoute(_ request: Request) -> Response {
        failure(.notFound, message: "Not found", errors: ["No route matches [\(request.method.rawValue)] \(request.uri.path)"])
    }

    /// `application/json` or any `+json` media type.
    static func isJSON(_ contentType: String) -> Bool {
        let type = (contentType.split(separator: ";").first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    /// The host the request was sent to.
    static func requestHost(_ request: Request) -> String? {
        if let name = HTTPField.Name("Host"), let host = request.headers[name] { return host }
        return request.head.authority
    }
}
