import Foundation
import HTTPTypes
public import Hummingbird
import RealtyModel
import Synchronization

/// Emulator of PF Expert's legacy REST API ("MyCRM API v2", `api-v2.mycrm.com`) and of its
/// token endpoint (`auth.propertyfinder.com`), served on one port.
///
/// - Token: `POST /auth/oauth/v1/token` with `Authorization: Basic base64(api_key:api_secret)`
///   and `{"scope":"openid","grant_type":"client_credentials"}` (a form-encoded body is accepted
///   too) → `{"access_token","token_type":"Bearer","expires_in":1800}` (or `tokenTTL`). No
///   refresh. Errors are OAuth-style (`invalid_client`, `invalid_request`,
///   `unsupported_grant_type`).
/// - API calls: `Authorization: Bearer <token>`; the seed's `Token: <token>` header example is
///   accepted as well. Missing, unknown or expired tokens → 401 `AuthenticationError`.
/// - Resources: `users`, `properties`, `leads` (read and write), `locations`, `whatsapp-leads`,
///   `calltrackings` (read only), each as a list (`GET /<resource>`) and an item
///   (`GET /<resource>/<id>`), plus `GET /clients/settings`.
/// - Lists: `{"count","page","per_page","<list key>":[...]}` with `page`, `per_page` (≤ 100,
///   clamped), `fields`, `sort`, `sort_order`, `filters[...]` (see ``PFListQuery``).
/// - `X-MyCRM-Expand-Data: true` (or a comma list of relation names) expands related objects
///   (otherwise `{"id": n}`) and adds related collections; `X-MyCRM-API-Warning` reports what
///   was ignored or adjusted.
/// - Writes: `POST` → 201 + `Location` + `{"<key>": {...}}`; `PUT` (replace), `PATCH` (merge,
///   or `{"operations":[{"op","path","value"}]}`) → 200 + `Location`; `DELETE` → 204.
///   Bodies are wrapped in the singular key (an unwrapped body is accepted with a warning).
/// - Errors: `{"<key>": "<Code>", "messages": [...]}` with the seed's codes and statuses.
///
/// Control API extras (`POST /_sandbox/control`): `{"op":"deny","resource":"leads","access":"write"}`
/// (403 `AccessDenied` from then on), `{"op":"allow",...}` (undo), `{"op":"expire_tokens"}`.
public final class PFExpertEmulator: VendorEmulator {
    public static let vendor: SandboxVendor = .pfExpert
    /// The real token endpoint's path (on `auth.propertyfinder.com`).
    public static let tokenPath: String? = "/auth/oauth/v1/token"
    /// The request header asking for related objects.
    static let expandHeader = HTTPField.Name("X-MyCRM-Expand-Data") ?? .accept
    /// The response header carrying warnings.
    static let warningHeader = HTTPField.Name("X-MyCRM-API-Warning") ?? .via
    static let tokenHeader = HTTPField.Name("Token") ?? .authorization

    public let demoCredentials: [String: String]
    private let apiKey: String
    private let apiSecret: String
    private let settings: EmulatorSettings
    private let clock: SandboxClock
    private let writeLog: WriteLog
    let state: Mutex<PFExpertState>

    /// Creates the emulator with `settings.records` records per resource.
    public init(settings: EmulatorSettings, clock: SandboxClock, writeLog: WriteLog) {
        self.settings = settings
        self.clock = clock
        self.writeLog = writeLog
        var rng = SeededGenerator(seed: settings.seed, stream: "pf-expert/credentials")
        func token(_ length: Int) -> String {
            let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
        }
        // Shaped like the reissued 2024 credentials: key "xxxxx.<34>", secret of 32 characters.
        self.apiKey = "\(token(5)).\(token(34))"
        self.apiSecret = token(32)
        self.demoCredentials = ["api_key": apiKey, "api_secret": apiSecret]
        self.state = Mutex(PFExpertState(records: settings.records, seed: settings.seed))
    }

    private var tokenTTL: Duration { settings.tokenTTL ?? .seconds(1800) }

    // MARK: Routes

    public func addRoutes(to router: Router<SandboxRequestContext>) {
        // The Symfony router's `No route found for "GET /users/foo/bar"`, keyed by the first path
        // segment's resource.
        router.add(
            middleware: VendorNotFoundMiddleware { request in
                let first = request.uri.path.split(separator: "/").first.map(String.init) ?? ""
                return Self.noRoute(request, resource: PFResource(rawValue: first)).response()
            })
        let allMethods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        let tokenPath = Self.tokenPath ?? "/auth/oauth/v1/token"
        router.post(RouterPath(tokenPath)) { request, _ in
            await self.issueToken(request)
        }
        for method in allMethods where method != .post {
            router.on(RouterPath(tokenPath), method: method) { _, _ in
                var response = PFExpertTokenError(
                    status: .methodNotAllowed, error: "invalid_request", description: "The token endpoint only accepts POST"
                ).response()
                response.headers[.allow] = "POST"
                return response
            }
        }
        for method in allMethods {
            router.on("/clients/settings", method: method) { request, _ in
                await self.respond(resource: nil) {
                    guard method == .get else { throw Self.methodNotAllowed(request, resource: nil, allow: "GET") }
                    try self.authenticate(request, resource: nil)
                    return SandboxJSON.response(["client": self.clientSettings()] as JSONValue)
                }
            }
            for resource in PFResource.allCases {
                router.on(RouterPath("/\(resource.path)"), method: method) { request, _ in
                    await self.respond(resource: resource) {
                        try await self.collection(request, resource: resource)
                    }
                }
                router.on(RouterPath("/\(resource.path)/:id"), method: method) { request, context in
                    await self.respond(resource: resource) {
                        guard let id = context.parameters.get("id").flatMap({ Int($0) }), id > 0 else {
                            throw Self.noRoute(request, resource: resource)
                        }
                        return try await self.item(request, resource: resource, id: id)
                    }
                }
            }
        }
    }

    /// Runs a handler, turning every error into PF Expert's error shape.
    private func respond(resource: PFResource?, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as PFExpertError {
            return error.response()
        } catch let error as HTTPError {
            let code: PFExpertError.Code = error.status.code >= 500 ? .internalError : .invalidRequest
            return PFExpertError(code, resource: resource, error.body ?? error.status.reasonPhrase).response()
        } catch {
            return PFExpertError(.internalError, resource: resource, "An internal error has occurred").response()
        }
    }

    static func noRoute(_ request: Request, resource: PFResource?) -> PFExpertError {
        PFExpertError(.resourceNotFound, resource: resource, "No route found for \"\(request.method) \(request.uri.path)\"")
    }

    static func methodNotAllowed(_ request: Request, resource: PFResource?, allow: String) -> PFExpertError {
        PFExpertError(
            .methodNotAllowed, resource: resource,
            "No route found for \"\(request.method) \(request.uri.path)\": Method Not Allowed (Allow: \(allow))",
            headers: [.allow: allow])
    }

    private func collection(_ request: Request, resource: PFResource) async throws -> Response {
        switch request.method {
        case .get:
            try authenticate(request, resource: resource, write: false)
            return try list(request, resource: resource)
        case .post where resource.isWritable:
            try authenticate(request, resource: resource, write: true)
            return try await create(request, resource: resource)
        default:
            throw Self.methodNotAllowed(request, resource: resource, allow: resource.isWritable ? "GET, POST" : "GET")
        }
    }

    private func item(_ request: Request, resource: PFResource, id: Int) async throws -> Response {
        switch request.method {
        case .get:
            try authenticate(request, resource: resource, write: false)
            return try show(request, resource: resource, id: id)
        case .put where resource.isWritable, .patch where resource.isWritable:
            try authenticate(request, resource: resource, write: true)
            return try await update(request, resource: resource, id: id)
        case .delete where resource.isWritable:
            try authenticate(request, resource: resource, write: true)
            return try delete(request, resource: resource, id: id)
        default:
            throw Self.methodNotAllowed(
                request, resource: resource, allow: resource.isWritable ? "GET, PUT, PATCH, DELETE" : "GET")
        }
    }

    // MARK: Authentication

    private func issueToken(_ request: Request) async -> Response {
        guard let authorization = request.headers[.authorization],
            let credentials = Self.basicCredentials(authorization)
        else {
            return PFExpertTokenError(
                status: .unauthorized, error: "invalid_client",
                description: "Client authentication failed: send Authorization: Basic base64(api_key:api_secret)"
            ).response()
        }
        guard credentials.key == apiKey, credentials.secret == apiSecret else {
            return PFExpertTokenError(
                status: .unauthorized, error: "invalid_client", description: "Client authentication failed: unknown API key or wrong secret"
            ).response()
        }
        let data: Data
        do {
            data = try await SandboxJSON.body(of: request, limit: 64 * 1024)
        } catch {
            return PFExpertTokenError(status: .badRequest, error: "invalid_request", description: "The request body could not be read")
                .response()
        }
        // The documented body is JSON; a form-encoded body is read too, whatever the
        // Content-Type says (curl -d sends JSON text labelled as a form).
        let grantType: String?
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        if let object = (try? JSONValue(parsing: data))?.objectValue {
            grantType = object["grant_type"]?.strictString
        } else if contentType.hasPrefix("application/x-www-form-urlencoded") {
            grantType = QueryItems(query: String(decoding: data, as: UTF8.self))["grant_type"]
        } else {
            return PFExpertTokenError(
                status: .badRequest, error: "invalid_request",
                description: "The request body must be JSON: {\"scope\":\"openid\",\"grant_type\":\"client_credentials\"}"
            ).response()
        }
        guard let grantType else {
            return PFExpertTokenError(status: .badRequest, error: "invalid_request", description: "Missing grant_type").response()
        }
        guard grantType == "client_credentials" else {
            return PFExpertTokenError(
                status: .badRequest, error: "unsupported_grant_type",
                description: "Unsupported grant_type \"\(grantType)\"; only client_credentials is supported"
            ).response()
        }
        let now = clock.now
        let ttl = tokenTTL
        let token = state.withLock { state in
            state.issueToken(apiKey: apiKey, now: now, expiry: now.addingTimeInterval(min(ttl.timeInterval, 1e12)))
        }
        let body: JSONValue = [
            "access_token": .string(token), "token_type": "Bearer",
            "expires_in": .int(Int(min(ttl.timeInterval, 1e12).rounded())),
        ]
        return SandboxJSON.response(body, headers: [.cacheControl: "no-store"])
    }

    static func basicCredentials(_ header: String) -> (key: String, secret: String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: String(parts[1]).trimmingSpaces()),
            let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// Checks the bearer token and, for a resource, the caller's right to read or write it.
    private func authenticate(_ request: Request, resource: PFResource?, write: Bool = false) throws(PFExpertError) {
        let challenge: HTTPFields = [.wwwAuthenticate: "Bearer"]
        var token: String?
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { token = String(parts[1]).trimmingSpaces() }
        } else if let legacy = request.headers[Self.tokenHeader] {
            token = legacy.trimmingSpaces()
        }
        guard let token, !token.isEmpty else {
            throw PFExpertError(
                .authenticationError, resource: resource, "Authentication is required: send Authorization: Bearer <access_token>",
                headers: challenge)
        }
        let now = clock.now
        let outcome: (expiry: Date?, denied: Bool) = state.withLock { state in
            let right = resource.map { "\($0.path):\(write ? "write" : "read")" }
            return (state.tokens[token], right.map { state.denied.contains($0) } ?? false)
        }
        guard let expiry = outcome.expiry else {
            throw PFExpertError(.authenticationError, resource: resource, "The access token is invalid", headers: challenge)
        }
        guard now < expiry else {
            throw PFExpertError(.authenticationError, resource: resource, "The access token has expired", headers: challenge)
        }
        if outcome.denied, let resource {
            throw PFExpertError(
                .accessDenied, resource: resource,
                "Access denied: this client lacks the right \(resource.singularKey).\(write ? "write" : "read")")
        }
    }

    // MARK: Reads

    private func list(_ request: Request, resource: PFResource) throws -> Response {
        let now = clock.now
        let query = try PFListQuery(QueryItems(request), resource: resource, now: now)
        var warnings = query.warnings
        let expand = readExpand(request, resource: resource, warnings: &warnings)
        let plain: Bool
        if case .none = expand { plain = query.fields == nil } else { plain = false }
        let (count, items): (Int, [String]) = state.withLock { state in
            guard let table = state.tables[resource] else { return (0, []) }
            let keyed: (count: Int, keys: [Int])?
            if query.filters.isEmpty, query.sortPath == ["id"] {
                keyed = (table.count, Self.positionKeys(table, query: query))
            } else {
                keyed =
                    query.indexedKeys(in: table, resource: resource) { field in state.timeIndex(resource, field) }
                    ?? query.referenceKeys(in: table, resource: resource)
                    ?? state.lookupKeys(query, resource: resource)
            }
            guard let keyed else {
                // Not answerable from the indexes: scan, as before.
                let (count, page) = query.apply(to: table)
                return (count, page.map { render($0, resource: resource, expand: expand, fields: query.fields, state: state).jsonText })
            }
            let cache = state.renderings[resource]
            var items: [String] = []
            items.reserveCapacity(keyed.keys.count)
            for key in keyed.keys {
                if plain, let cache, table.isPristine(key) {
                    items.append(
                        cache.text(key) { state.seededText(resource, id: key) ?? table.record(key)?.jsonText ?? "null" })
                } else if let record = table.record(key) {
                    items.append(render(record, resource: resource, expand: expand, fields: query.fields, state: state).jsonText)
                }
            }
            return (keyed.count, items)
        }
        let envelope: [String: JSONValue] = ["count": .int(count), "page": .int(query.page), "per_page": .int(query.perPage)]
        return SandboxJSON.response(
            bytes: SandboxJSON.listText(envelope, listKey: resource.listKey, items: items), headers: Self.warningFields(warnings))
    }

    /// The keys of a plain page (id order, no filter), read by position.
    private static func positionKeys(_ table: DerivedCollection<JSONValue>, query: PFListQuery) -> [Int] {
        let start = (query.page - 1).multipliedReportingOverflow(by: query.perPage)
        guard !start.overflow, start.partialValue < table.count else { return [] }
        let end = min(table.count, start.partialValue + query.perPage)
        return (start.partialValue..<end).compactMap { position in
            table.key(at: query.descending ? table.count - 1 - position : position)
        }
    }

    private func show(_ request: Request, resource: PFResource, id: Int) throws -> Response {
        var warnings: [String] = []
        let fields = PFListQuery.readFields(QueryItems(request), resource: resource, warnings: &warnings)
        let expand = readExpand(request, resource: resource, warnings: &warnings)
        let rendered: JSONValue? = state.withLock { state in
            state.record(resource, id: id).map { render($0, resource: resource, expand: expand, fields: fields, state: state) }
        }
        guard let rendered else { throw Self.notFound(resource, id: id) }
        return SandboxJSON.response([resource.singularKey: rendered] as JSONValue, headers: Self.warningFields(warnings))
    }

    static func notFound(_ resource: PFResource, id: Int) -> PFExpertError {
        PFExpertError(.resourceNotFound, resource: resource, "\(resource.displayName) \(id) not found")
    }

    /// What `X-MyCRM-Expand-Data` asks for: nothing, everything (`true`, `1`, `all`), or named
    /// relations and collections (`user,location`).
    enum Expand {
        case none
        case all
        case names(Set<String>)

        func includes(_ name: String) -> Bool {
            switch self {
            case .none: false
            case .all: true
            case .names(let names): names.contains(name)
            }
        }
    }

    private func readExpand(_ request: Request, resource: PFResource, warnings: inout [String]) -> Expand {
        guard let header = request.headers[Self.expandHeader]?.trimmingSpaces(), !header.isEmpty else { return .none }
        let lowered = header.lowercased()
        if ["false", "0", "no", "none"].contains(lowered) { return .none }
        let available = resource.relations.map(\.name) + resource.collections.map(\.name)
        if available.isEmpty {
            warnings.append("X-MyCRM-Expand-Data is not available on this request")
            return .none
        }
        if ["true", "1", "yes", "all"].contains(lowered) { return .all }
        let names = Set(lowered.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty })
        let unknown = names.subtracting(available).sorted()
        if !unknown.isEmpty {
            warnings.append("Unknown expand value(s) ignored: \(unknown.joined(separator: ", "))")
        }
        return .names(names.intersection(available))
    }

    /// A record as answered: relations as `{"id": n}` or expanded, collections when asked,
    /// then projected to `fields`.
    private func render(
        _ record: JSONValue, resource: PFResource, expand: Expand, fields: [String]?, state: PFExpertState
    ) -> JSONValue {
        var output = record
        for (name, target) in resource.relations where expand.includes(name) {
            if let id = record[name]?["id"]?.strictInt, let related = state.record(target, id: id) {
                output[name] = related
            }
        }
        if let id = record["id"]?.strictInt {
            for collection in resource.collections where expand.includes(collection.name) {
                var related: [JSONValue] = []
                state.forEach(collection.resource) { candidate in
                    if candidate[collection.backReference]?["id"]?.strictInt == id { related.append(candidate) }
                    return true
                }
                output[collection.name] = .array(related)
            }
        }
        guard let fields else { return output }
        var projected: JSONValue = [:]
        for field in fields {
            let path = field.split(separator: ".").map(String.init)
            guard let value = output.value(at: path) else { continue }
            projected = projected.setting(value, at: path)
        }
        return projected
    }

    private func clientSettings() -> JSONValue {
        [
            "id": 1, "name": "RealtyHub Demo Brokerage", "description": "Sandbox client of the PF Expert emulator",
            "email": "office@example.com", "phone": "+97140000000", "city": "Dubai", "country": "AE",
            "group": "fulladmin", "created_at": .string(PFExpertTime.format(PFExpertTime.seedEpoch)),
            "updated_at": .string(PFExpertTime.format(PFExpertTime.seedEpoch)),
        ]
    }

    static func warningFields(_ warnings: [String]) -> HTTPFields {
        guard !warnings.isEmpty else { return [:] }
        // Header values must stay on one line of visible ASCII.
        let text = warnings.joined(separator: "; ").map { $0.isASCII && $0 != "\r" && $0 != "\n" ? $0 : "?" }
        return [warningHeader: String(text)]
    }

    // MARK: Writes

    /// Reads a write body: a JSON object, unwrapped from the resource's singular key.
    /// (A request body can be read only once, so callers collect it and pass the bytes.)
    private func parseBody(_ data: Data, resource: PFResource, warnings: inout [String]) throws -> [String: JSONValue] {
        guard !data.isEmpty else {
            throw PFExpertError(
                .invalidRequest, resource: resource, "The request body is empty; expected {\"\(resource.singularKey)\": {...}}")
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: data)
        } catch {
            throw PFExpertError(.invalidRequest, resource: resource, "Invalid JSON body")
        }
        guard let object = json.objectValue else {
            throw PFExpertError(.invalidRequest, resource: resource, "The request body must be a JSON object")
        }
        if let inner = object[resource.singularKey]?.objectValue {
            return inner
        }
        warnings.append("The request body should be wrapped in \"\(resource.singularKey)\"")
        return object
    }

    private func create(_ request: Request, resource: PFResource) async throws -> Response {
        var warnings: [String] = []
        let raw = try await SandboxJSON.body(of: request)
        let input = try parseBody(raw, resource: resource, warnings: &warnings)
        let now = clock.now
        let stamp = PFExpertTime.format(now)
        let stored = try state.withLock { state throws(PFExpertError) -> JSONValue in
            let outcome = PFExpertValidator(resource: resource, state: state, recordID: nil).apply(input, to: [:], mode: .create)
            warnings += outcome.warnings
            guard outcome.messages.isEmpty else {
                throw PFExpertError(.invalidRequest, key: resource.singularKey, outcome.messages)
            }
            let id = state.takeID(resource)
            var record = outcome.record
            record["id"] = .int(id)
            if resource == .properties, record["reference"]?.strictString == nil {
                record["reference"] = .string(PFExpertSeed.reference(id))
            }
            if resource == .leads { record["created_by"] = .null }
            for field in resource.fields where record[field.name] == nil { record[field.name] = .null }
            record["created_at"] = .string(stamp)
            record["updated_at"] = .string(stamp)
            return keep(record, resource: resource, id: id, in: &state, operation: .create, rawBody: raw)
        }
        return try written(request, resource: resource, record: stored, status: .created, warnings: warnings)
    }

    /// Stores a written record and logs the write; returns the stored value.
    private func keep(
        _ record: [String: JSONValue], resource: PFResource, id: Int, in state: inout PFExpertState,
        operation: WriteLogOperation, rawBody: Data
    ) -> JSONValue {
        let value = JSONValue.object(record)
        state.store(resource, id: id, value)
        writeLog.record(
            vendor: Self.vendor, resource: resource.path, operation: operation, id: String(id),
            keys: Self.logKeys(value, resource: resource), rawBody: rawBody)
        return value
    }

    private func update(_ request: Request, resource: PFResource, id: Int) async throws -> Response {
        var warnings: [String] = []
        let data = try await SandboxJSON.body(of: request)
        var input: [String: JSONValue]
        let patch: [JSONValue]?
        if request.method == .patch, let operations = (try? JSONValue(parsing: data))?["operations"] {
            guard let list = operations.arrayValue else {
                throw PFExpertError(.invalidRequest, resource: resource, "operations: This value should be an array.")
            }
            patch = list
            input = [:]
        } else {
            patch = nil
            input = try parseBody(data, resource: resource, warnings: &warnings)
        }
        let mode: PFWriteMode = request.method == .put ? .replace : .merge
        let now = clock.now
        let stored = try state.withLock { state throws(PFExpertError) -> JSONValue in
            guard let existing = state.record(resource, id: id)?.objectValue else { throw Self.notFound(resource, id: id) }
            if let patch {
                input = try Self.applyPatch(patch, to: existing, resource: resource)
            }
            let outcome = PFExpertValidator(resource: resource, state: state, recordID: id).apply(input, to: existing, mode: mode)
            warnings += outcome.warnings
            guard outcome.messages.isEmpty else {
                throw PFExpertError(.invalidRequest, key: resource.singularKey, outcome.messages)
            }
            var record = outcome.record
            record["updated_at"] = .string(PFExpertTime.format(now))
            return keep(record, resource: resource, id: id, in: &state, operation: .update, rawBody: data)
        }
        return try written(request, resource: resource, record: stored, status: .ok, warnings: warnings)
    }

    /// Turns `{"operations":[{"op":"replace","path":"/status","value":"sold"}]}` into the new
    /// values of the top-level fields it touches.
    static func applyPatch(
        _ operations: [JSONValue], to existing: [String: JSONValue], resource: PFResource
    ) throws(PFExpertError) -> [String: JSONValue] {
        var record = JSONValue.object(existing)
        var touched: Set<String> = []
        for (index, operation) in operations.enumerated() {
            guard let op = operation["op"]?.strictString, let path = operation["path"]?.strictString else {
                throw PFExpertError(
                    .invalidRequest, resource: resource, "operations[\(index)]: op and path are required.")
            }
            guard ["add", "replace", "remove"].contains(op) else {
                throw PFExpertError(
                    .invalidAction, resource: resource,
                    "operations[\(index)]: Unsupported operation \"\(op)\"; expected add, replace or remove.")
            }
            let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            guard path.hasPrefix("/"), let first = segments.first, let field = resource.field(first) else {
                throw PFExpertError(.invalidRequest, resource: resource, "operations[\(index)]: Unknown path \"\(path)\".")
            }
            guard field.writable else {
                throw PFExpertError(.invalidAction, resource: resource, "operations[\(index)]: Field \"\(first)\" cannot be modified.")
            }
            let value: JSONValue
            if op == "remove" {
                value = .null
            } else {
                guard let given = operation["value"] else {
                    throw PFExpertError(.invalidRequest, resource: resource, "operations[\(index)]: value is required.")
                }
                value = given
            }
            if segments.count > 1, record[first]?.objectValue == nil {
                record[first] = [:]
            }
            record = record.setting(value, at: Array(segments))
            touched.insert(first)
        }
        var input: [String: JSONValue] = [:]
        for name in touched { input[name] = record[name] ?? .null }
        return input
    }

    private func delete(_ request: Request, resource: PFResource, id: Int) throws -> Response {
        try state.withLock { state throws(PFExpertError) in
            guard let existing = state.remove(resource, id: id) else { throw Self.notFound(resource, id: id) }
            writeLog.record(
                vendor: Self.vendor, resource: resource.path, operation: .delete, id: String(id),
                keys: Self.logKeys(existing, resource: resource))
        }
        return Response(status: .noContent)
    }

    /// 201/200 with `Location` and the wrapped record.
    private func written(
        _ request: Request, resource: PFResource, record: JSONValue, status: HTTPResponse.Status, warnings: [String]
    ) throws -> Response {
        let rendered = state.withLock { state in render(record, resource: resource, expand: .none, fields: nil, state: state) }
        var headers = Self.warningFields(warnings)
        let host = request.head.authority ?? "localhost"
        headers[.location] = "http://\(host)/\(resource.path)/\(record["id"]?.strictInt ?? 0)"
        return SandboxJSON.response([resource.singularKey: rendered] as JSONValue, status: status, headers: headers)
    }

    static func logKeys(_ record: JSONValue, resource: PFResource) -> [String: String] {
        var keys: [String: String] = [:]
        for (name, path) in resource.logKeys {
            if let text = record.value(at: path)?.scalarText { keys[name] = text }
        }
        return keys
    }

    // MARK: Control

    public func control(_ request: ControlRequest) async throws -> ControlResponse {
        let now = clock.now
        switch request {
        case .reset:
            state.withLock { $0 = PFExpertState(records: settings.records, seed: settings.seed) }
            return ControlResponse()
        case .list(let name):
            let resource = try Self.resource(named: name)
            return state.withLock { state in
                let records = state.records(resource)
                return ControlResponse(ids: records.compactMap { $0["id"]?.scalarText }, records: records)
            }
        case .mutate(let name, let count):
            let resource = try Self.resource(named: name)
            let ids = state.withLock { state in
                let ids = state.pickIDs(resource, count: count)
                for id in ids { state.mutate(resource, id: id, now: now) }
                return ids
            }
            return ControlResponse(ids: ids.map(String.init))
        case .insert(let name, let count):
            let resource = try Self.resource(named: name)
            let ids = state.withLock { state in
                (0..<count).map { _ in
                    let id = state.takeID(resource)
                    state.store(resource, id: id, state.generate(resource, id: id, now: now))
                    return id
                }
            }
            return ControlResponse(ids: ids.map(String.init))
        case .delete(let name, let count):
            let resource = try Self.resource(named: name)
            let ids = state.withLock { state in
                let ids = state.pickIDs(resource, count: count)
                for id in ids { _ = state.remove(resource, id: id) }
                return ids
            }
            return ControlResponse(ids: ids.map(String.init))
        case .custom(let op, let arguments):
            switch op {
            case "deny", "allow":
                let resource = try Self.resource(named: arguments["resource"]?.strictString ?? "")
                let accesses = arguments["access"]?.strictString.map { [$0] } ?? ["read", "write"]
                guard accesses.allSatisfy({ ["read", "write"].contains($0) }) else {
                    throw ControlError(.invalidRequest, "access must be \"read\" or \"write\"")
                }
                let denied = state.withLock { state in
                    for access in accesses {
                        if op == "deny" {
                            state.denied.insert("\(resource.path):\(access)")
                        } else {
                            state.denied.remove("\(resource.path):\(access)")
                        }
                    }
                    return state.denied.sorted()
                }
                return ControlResponse(info: ["denied": .array(denied.map { .string($0) })])
            case "expire_tokens":
                let count = state.withLock { state in
                    for token in state.tokens.keys { state.tokens[token] = now.addingTimeInterval(-1) }
                    return state.tokens.count
                }
                return ControlResponse(info: ["expired": .int(count)])
            default:
                throw ControlError.unsupported(request)
            }
        }
    }

    /// A resource by its path (`whatsapp-leads`) or one of its JSON keys (`whatsapp`).
    static func resource(named name: String) throws(ControlError) -> PFResource {
        if let resource = PFResource.allCases.first(where: { [$0.path, $0.listKey, $0.singularKey].contains(name) }) {
            return resource
        }
        throw ControlError.unknownResource(name, known: PFResource.allCases.map(\.path))
    }
}

extension JSONValue {
    /// A copy with `value` stored at a path of object keys (missing objects are created).
    func setting(_ value: JSONValue, at path: [String]) -> JSONValue {
        guard let first = path.first else { return value }
        var object = objectValue ?? [:]
        object[first] = (object[first] ?? .object([:])).setting(value, at: Array(path.dropFirst()))
        return .object(object)
    }
}
