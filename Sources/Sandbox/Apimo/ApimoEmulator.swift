import Foundation
import HTTPTypes
public import Hummingbird
import RealtyModel

/// The Apimo webservice (`api.apimo.pro`).
///
/// | method | path | notes |
/// | --- | --- | --- |
/// | GET | `/catalogs` | `[{name, path, private}]` |
/// | GET | `/catalogs/{catalog}` | `[{id, culture, name, name_plurial}]`; `culture` (`fr`, `en`, `fr_FR`, ...) |
/// | GET | `/agencies` | agencies that granted the provider access; `{agencies, total_items, timestamp}` |
/// | GET | `/agencies/{agency_id}/users` | `limit` ≤ 10000 (default 10000), `offset` |
/// | GET | `/agencies/{agency_id}/users/{user_id}/actions` | `limit` ≤ 1000 (default 1000), `offset`, `type` |
/// | POST | `/agencies/{agency_id}/actions` | create an action (`user` and `type` required) |
/// | PUT | `/agencies/{agency_id}/actions/{action_id}` | update an action |
/// | PUT | `/agencies/{agency_id}/contacts/{contact_id}` | update a contact |
/// | PUT | `/agencies/{agency_id}/properties/{property_id}` | update a property |
/// | GET / POST | `/agencies/{agency_id}/contacts` | `limit` ≤ 1000 (default 1000), `offset`, `timestamp` / create |
/// | GET / POST | `/agencies/{agency_id}/leads` | `limit` ≤ 10000 (default 10000), `offset`, `timestamp` / create |
/// | GET | `/agencies/{agency_id}/properties` | `limit` ≤ 1000 (default 1000), `offset`, `timestamp` |
///
/// Every list answers `{"<collection>": [...], "total_items": N}` (N is the unpaginated total),
/// plus `"timestamp"` (the latest modification among the matching records, unix seconds) on
/// the lists the vendor documents with a `timestamp` parameter (agencies, contacts, leads,
/// properties). `timestamp=<unix>` returns the records created or modified at or after that
/// second; `users` and `actions` accept it too. Ids and most numbers are JSON strings.
///
/// Errors (the vendor documents neither statuses nor shapes; one client checks a top-level
/// `status`, so every error here is `{"status": <code>, "error": "<message>"}`):
/// 401 for missing or wrong Basic credentials (with `WWW-Authenticate`); 429 with `Retry-After`
/// over the 10 requests/second or 1,000 requests/day quotas (per provider, the day ending at
/// midnight Paris time); 403 for an agency that has not granted the provider access (unknown
/// agencies answer the same, so a provider cannot probe for agencies); 404 for an unknown path,
/// catalog or user; 405 for a known path with another method; 400 for a bad `limit`, `offset`,
/// `timestamp` or create body.
///
/// Readings:
/// - `limit` above the documented maximum is refused (400), not clamped, so a client that
///   overreaches learns it at once; properties use the newer page's maximum (1000) and contacts,
///   undocumented, the same.
/// - Updates (`PUT`) change the fields the body names (`null` or `""` clears one) and keep the
///   others; fields the emulator does not know, and read-only ones (`id`, `agency`,
///   `created_at`, `updated_at`), are ignored, so the whole record read from a list can be sent
///   back. They answer 200 with the updated record; an unknown id is a 404.
/// - Creates answer 201 with the created record. Bodies are read as JSON whatever the
///   `Content-Type`; fields the emulator does not know are ignored.
/// - The API has no lookup by email or reference. A client that must not create a lead twice
///   can list leads with `timestamp` set to just before its first attempt and match on the
///   `reference` it sent (the provider's own reference) or on `email`; the emulator adds no filter.
public final class ApimoEmulator: VendorEmulator {
    public static let vendor = SandboxVendor.apimo

    private let settings: EmulatorSettings
    private let clock: SandboxClock
    let writeLog: WriteLog
    let state: ApimoState

    public init(settings: EmulatorSettings, clock: SandboxClock, writeLog: WriteLog) {
        self.settings = settings
        self.clock = clock
        self.writeLog = writeLog
        self.state = ApimoState(settings: settings, clock: clock)
    }

    public var demoCredentials: [String: String] {
        [
            "provider": String(ApimoState.demoProviderID),
            "token": ApimoState.token(providerID: ApimoState.demoProviderID, seed: settings.seed),
            "agency_ids": ApimoState.demoAgencyIDs.sorted().map(String.init).joined(separator: ","),
        ]
    }

    public func control(_ request: ControlRequest) async throws -> ControlResponse {
        try await state.control(request)
    }

    // MARK: - Routes

    public func addRoutes(to router: Router<SandboxRequestContext>) {
        router.add(middleware: VendorNotFoundMiddleware { _ in ApimoResponse.error(.notFound, "Not Found") })
        route(router, "catalogs", [.get: { [self] request, _, _ in catalogs(request) }])
        route(router, "catalogs/:catalog", [.get: { [self] request, context, _ in catalog(request, context: context) }])
        route(router, "agencies", [.get: { [self] request, _, provider in await agencies(request, provider: provider) }])
        route(
            router, "agencies/:agency_id/users",
            [
                .get: { [self] request, context, provider in
                    await granted(context, provider) { agency in
                        await list(request, .users, agency: agency, maxLimit: 10_000, timestampInAnswer: false)
                    }
                }
            ])
        route(
            router, "agencies/:agency_id/users/:user_id/actions",
            [.get: { [self] request, context, provider in await userActions(request, context: context, provider: provider) }])
        route(
            router, "agencies/:agency_id/actions",
            [
                .post: { [self] request, context, provider in
                    await granted(context, provider) { agency in await create(request, .actions, agency: agency, provider: provider) }
                }
            ])
        for resource in [ApimoState.Resource.contacts, .leads] {
            route(
                router, "agencies/:agency_id/\(resource.rawValue)",
                [
                    .get: { [self] request, context, provider in
                        await granted(context, provider) { agency in
                            await list(
                                request, resource, agency: agency, maxLimit: resource == .leads ? 10_000 : 1_000,
                                timestampInAnswer: true)
                        }
                    },
                    .post: { [self] request, context, provider in
                        await granted(context, provider) { agency in await create(request, resource, agency: agency, provider: provider) }
                    },
                ])
        }
        route(
            router, "agencies/:agency_id/properties",
            [
                .get: { [self] request, context, provider in
                    await granted(context, provider) { agency in
                        await list(request, .properties, agency: agency, maxLimit: 1_000, timestampInAnswer: true)
                    }
                }
            ])
        // Updates (`PUT`), as the vendor's method table lists them; it lists no DELETE of these
        // records, so a DELETE is a 405 like any other unregistered method.
        let updatable: [(ApimoState.Resource, String)] = [(.contacts, "contact_id"), (.actions, "action_id"), (.properties, "property_id")]
        for (resource, parameter) in updatable {
            route(
                router, "agencies/:agency_id/\(resource.rawValue)/:\(parameter)",
                [
                    .put: { [self] request, context, provider in
                        await granted(context, provider) { agency in
                            await update(request, resource, agency: agency, id: context.parameters.get(parameter) ?? "")
                        }
                    }
                ])
        }
        // A property's pictures: POST and DELETE, as the method table lists them (`medias` and
        // `documents` are not emulated).
        route(
            router, "agencies/:agency_id/properties/:property_id/pictures",
            [
                .post: { [self] request, context, provider in
                    await granted(context, provider) { agency in
                        await addPicture(request, agency: agency, property: context.parameters.get("property_id") ?? "")
                    }
                }
            ])
        route(
            router, "agencies/:agency_id/properties/:property_id/pictures/:picture_id",
            [
                .delete: { [self] _, context, provider in
                    await granted(context, provider) { agency in
                        await removePicture(
                            agency: agency, property: context.parameters.get("property_id") ?? "",
                            picture: context.parameters.get("picture_id") ?? "")
                    }
                }
            ])
    }

    typealias Handler = @Sendable (Request, SandboxRequestContext, ApimoState.Provider) async -> Response

    /// Registers the handlers of one path behind authentication and the quotas, and 405 for the
    /// other methods.
    private func route(_ router: Router<SandboxRequestContext>, _ path: String, _ handlers: [HTTPRequest.Method: Handler]) {
        let allowed = handlers.keys.map(\.rawValue).sorted().joined(separator: ", ")
        router.on(
            path,
            serving: handlers.mapValues { handler in
                { [self] request, context in
                    await authorized(request) { provider in await handler(request, context, provider) }
                }
            },
            otherwise: { _ in ApimoResponse.error(.methodNotAllowed, "Method Not Allowed", headers: [.allow: allowed]) })
    }

    /// Checks Basic credentials, then counts the request against the provider's quotas.
    private func authorized(_ request: Request, _ body: (ApimoState.Provider) async -> Response) async -> Response {
        guard let header = request.headers[.authorization], let (user, password) = ApimoResponse.basicCredentials(header),
            let providerID = Int(user), let provider = await state.authenticate(providerID: providerID, token: password)
        else {
            return ApimoResponse.error(
                .unauthorized, "Unauthorized: invalid provider or token",
                headers: [.wwwAuthenticate: "Basic realm=\"api.apimo.pro\""])
        }
        switch await state.admit(providerID: provider.id) {
        case .allowed:
            return await body(provider)
        case .perSecondExceeded(let seconds):
            return ApimoResponse.error(
                .tooManyRequests, "Too Many Requests: at most \(settings.apimoRatePerSecond) requests per second",
                headers: [.retryAfter: String(seconds)])
        case .dailyExceeded(let seconds):
            return ApimoResponse.error(
                .tooManyRequests, "Too Many Requests: daily quota of \(settings.apimoDailyQuota) requests reached",
                headers: [.retryAfter: String(seconds)])
        }
    }

    /// Runs `body` with the agency of the path when it granted the provider access.
    private func granted(
        _ context: SandboxRequestContext, _ provider: ApimoState.Provider, _ body: (Int) async -> Response
    ) async -> Response {
        let raw = context.parameters.get("agency_id") ?? ""
        guard let agency = Int(raw), provider.agencies.contains(agency) else {
            return ApimoResponse.error(.forbidden, "Forbidden: agency \(raw) has not granted access to provider \(provider.id)")
        }
        return await body(agency)
    }

    // MARK: - Catalogs and agencies

    private func catalogs(_ request: Request) -> Response {
        let host = ApimoResponse.requestHost(request) ?? "api.apimo.pro"
        let entries: [JSONValue] = ApimoCatalogs.all.keys.sorted().map { name in
            [
                "name": .string(name), "path": .string("http://\(host)/catalogs/\(name)"),
                "private": .bool(ApimoCatalogs.privateCatalogs.contains(name)),
            ]
        }
        return ApimoResponse.json(.array(entries))
    }

    private func catalog(_ request: Request, context: SandboxRequestContext) -> Response {
        let name = context.parameters.get("catalog") ?? ""
        guard let entries = ApimoCatalogs.render(name, culture: QueryItems(request)["culture"]) else {
            return ApimoResponse.error(.notFound, "Not Found: unknown catalog \(name)")
        }
        return ApimoResponse.json(entries)
    }

    private func agencies(_ request: Request, provider: ApimoState.Provider) async -> Response {
        switch ApimoListParameters.parse(QueryItems(request), maxLimit: 10_000) {
        case .failure(let error):
            return ApimoResponse.error(.badRequest, error.message)
        case .success(let query):
            let page = await state.agencies(visibleTo: provider, query: query)
            return ApimoResponse.list("agencies", page: page, timestamp: true, requested: query.since)
        }
    }

    // MARK: - Lists

    private func list(
        _ request: Request, _ resource: ApimoState.Resource, agency: Int, maxLimit: Int, timestampInAnswer: Bool
    ) async -> Response {
        switch ApimoListParameters.parse(QueryItems(request), maxLimit: maxLimit) {
        case .failure(let error):
            return ApimoResponse.error(.badRequest, error.message)
        case .success(let query):
            let page = await state.list(resource, agency: agency, query: query)
            return ApimoResponse.list(resource.rawValue, page: page, timestamp: timestampInAnswer, requested: query.since)
        }
    }

    private func userActions(_ request: Request, context: SandboxRequestContext, provider: ApimoState.Provider) async -> Response {
        await granted(context, provider) { agency in
            let raw = context.parameters.get("user_id") ?? ""
            guard let user = Int(raw), await state.userExists(user, agency: agency) else {
                return ApimoResponse.error(.notFound, "Not Found: no user \(raw) in agency \(agency)")
            }
            let items = QueryItems(request)
            switch ApimoListParameters.parse(items, maxLimit: 1_000) {
            case .failure(let error):
                return ApimoResponse.error(.badRequest, error.message)
            case .success(var query):
                query.type = items["type"].flatMap { $0.isEmpty ? nil : $0 }
                let page = await state.list(.actions, agency: agency, user: user, query: query)
                return ApimoResponse.list("actions", page: page, timestamp: false, requested: query.since)
            }
        }
    }

    // MARK: - Creates

    private func create(
        _ request: Request, _ resource: ApimoState.Resource, agency: Int, provider: ApimoState.Provider
    ) async -> Response {
        let object: [String: JSONValue]
        switch await objectBody(of: request) {
        case .failure(let problem): return problem.response
        case .success(let value): object = value
        }
        let schema = ApimoWriteSchema.schema(for: resource)
        var fields: [String: JSONValue]
        switch schema.validate(object) {
        case .failure(let error):
            return ApimoResponse.error(.badRequest, "Bad Request: \(error.message)")
        case .success(let valid):
            fields = valid
        }
        if let problem = await missingReference(in: fields, schema: schema, agency: agency) { return problem.response }
        var actingUser: Int?
        let now = clock.now
        switch resource {
        case .leads:
            fields["provider"] = .string(String(provider.id))
            fields["date"] = fields["date"] ?? .string(ApimoFormat.dateTime(now))
            fields["type"] = fields["type"] ?? "1"
            fields["step"] = fields["step"] ?? "1"
            for key in ["parent", "opened", "assigned", "closed", "request"] where fields[key] == nil { fields[key] = .null }
        case .actions:
            actingUser = fields["user"]?.scalarText.flatMap(Int.init)
            fields["user"] = nil
            fields["date"] = fields["date"] ?? .string(ApimoFormat.date(now))
            fields["time_start"] = fields["time_start"] ?? .string(ApimoFormat.time(now))
        case .contacts:
            fields["active"] = fields["active"] ?? true
        case .agencies, .users, .properties:
            break
        }
        for key in schema.allKeys where fields[key] == nil && !(resource == .actions && key == "user") {
            fields[key] = .null
        }
        let created = await state.create(resource, agency: agency, user: actingUser, fields: fields)
        logWrite(.create, resource, id: created["id"]?.strictString ?? "", record: created, agency: agency, body: object)
        return ApimoResponse.json(created, status: .created)
    }
}

/// `limit`, `offset` and `timestamp` of a list request.
enum ApimoListParameters {
    struct Failure: Error {
        var message: String
    }

    static func parse(_ items: QueryItems, maxLimit: Int) -> Result<ApimoState.ListQuery, Failure> {
        var query = ApimoState.ListQuery(limit: maxLimit, offset: 0)
        if let raw = items["limit"], !raw.isEmpty {
            guard let limit = Int(raw), limit >= 0 else {
                return .failure(Failure(message: "Bad Request: limit must be a non-negative integer"))
            }
            guard limit <= maxLimit else {
                return .failure(Failure(message: "Bad Request: limit must not exceed \(maxLimit)"))
            }
            query.limit = limit
        }
        if let raw = items["offset"], !raw.isEmpty {
            guard let offset = Int(raw), offset >= 0 else {
                return .failure(Failure(message: "Bad Request: offset must be a non-negative integer"))
            }
            query.offset = offset
        }
        if let raw = items["timestamp"], !raw.isEmpty {
            guard let timestamp = Int(raw), timestamp >= 0 else {
                return .failure(Failure(message: "Bad Request: timestamp must be a UNIX time in seconds"))
            }
            query.since = Date(timeIntervalSince1970: TimeInterval(timestamp))
        }
        return .success(query)
    }
}

/// The fields a create accepts, their kinds, and what is required.
struct ApimoWriteSchema: Sendable {
    enum Kind: Sendable {
        /// Text; numbers are accepted and kept as strings.
        case text
        /// An email address.
        case email
        /// A numeric id, kept as a string; when a catalog is named, the value must belong to it.
        case id(catalog: String?)
        /// Any JSON (objects such as `criteria` or `properties`).
        case any
        /// A number, or a string holding one; kept as sent (Apimo sends both).
        case number
        /// A record id, or an object carrying one as `id` (a property's `user` reads back as the
        /// user object); kept as the id string.
        case reference
    }

    struct Failure: Error {
        var message: String
    }

    var fields: [String: Kind]
    /// Each inner list is satisfied when at least one of its fields is given.
    var required: [[String]]
    /// Id fields that must name an existing record of the same agency.
    var references: [String: ApimoState.Resource]

    var allKeys: [String] { fields.keys.sorted() }

    /// Reading (the create bodies are not public): a lead needs a way to reach the person (email,
    /// phone or mobile); a contact needs a name; an action needs its user and its type.
    static func schema(for resource: ApimoState.Resource) -> ApimoWriteSchema {
        switch resource {
        case .leads:
            ApimoWriteSchema(
                fields: [
                    "type": .id(catalog: "lead_type"), "step": .id(catalog: "lead_step"), "date": .text, "reference": .text,
                    "firstname": .text, "lastname": .text, "email": .email, "phone": .text, "fax": .text, "mobile": .text,
                    "language": .text, "property": .id(catalog: nil), "contact": .id(catalog: nil), "user": .id(catalog: nil),
                    "message": .text, "criteria": .any,
                ],
                required: [["email", "phone", "mobile"]],
                references: ["property": .properties, "contact": .contacts, "user": .users])
        case .contacts:
            ApimoWriteSchema(
                fields: [
                    "user": .id(catalog: nil), "title": .id(catalog: "contact_title"), "firstname": .text, "lastname": .text,
                    "company": .text, "email": .email, "phone": .text, "mobile": .text, "fax": .text, "address": .text,
                    "zipcode": .text, "city": .any, "country": .text, "language": .text, "birthday_at": .text,
                    "comment": .text, "active": .any,
                ],
                required: [["firstname", "lastname"]],
                references: ["user": .users])
        case .actions:
            ApimoWriteSchema(
                fields: [
                    "user": .id(catalog: nil), "type": .id(catalog: "action_type"), "contact": .id(catalog: nil),
                    "date": .text, "time_start": .text, "time_end": .text, "subject": .text, "content": .text,
                    "properties": .any, "referral": .text, "subreferral": .text,
                ],
                required: [["user"], ["type"]],
                references: ["user": .users, "contact": .contacts])
        case .properties:
            // Updates only (the hub creates no property). Reading: the fields of the property
            // document (`vendors/apimo.md`); coded values must be in their catalogs, nested
            // objects are kept as sent.
            ApimoWriteSchema(
                fields: [
                    "reference": .text, "step": .id(catalog: "property_step"), "status": .id(catalog: "property_status"),
                    "category": .id(catalog: "property_category"), "type": .id(catalog: "property_type"),
                    "subtype": .id(catalog: nil), "name": .text, "user": .reference, "brand": .any, "sector": .any,
                    "parent": .any, "ranking": .any, "agreement": .any, "address": .text, "address_more": .text,
                    "publish_address": .any, "country": .text, "region": .any, "city": .any, "district": .any,
                    "latitude": .number, "longitude": .number, "area": .any, "rooms": .number, "bedrooms": .number,
                    "price": .any, "block_name": .text, "lot_reference": .text, "comments": .any, "pictures": .any,
                    "medias": .any, "documents": .any, "areas": .any, "tags": .any,
                ],
                required: [], references: ["user": .users])
        case .agencies, .users:
            ApimoWriteSchema(fields: [:], required: [], references: [:])
        }
    }

    /// One value checked against its kind: `.success(nil)` for a null or blank value (left out
    /// of a create, cleared by an update), else the normalised value or why it is refused.
    func check(_ key: String, _ kind: Kind, _ value: JSONValue) -> Result<JSONValue?, Failure> {
        if value.isNull { return .success(nil) }
        switch kind {
        case .any:
            return .success(value)
        case .text, .email:
            guard let text = value.scalarText, value.strictBool == nil else { return .failure(Failure(message: "\(key) must be a string")) }
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return .success(nil) }
            if case .email = kind, !Self.looksLikeEmail(trimmed) {
                return .failure(Failure(message: "\(key) is not a valid e-mail address"))
            }
            return .success(.string(trimmed))
        case .number:
            guard let text = value.scalarText, value.strictBool == nil, Double(text) != nil else {
                return .failure(Failure(message: "\(key) must be a number"))
            }
            return .success(value)
        case .id(let catalog):
            guard let text = value.scalarText, value.strictBool == nil, let id = Int(text), id > 0 else {
                return .failure(Failure(message: "\(key) must be a positive integer id"))
            }
            if let catalog, !ApimoCatalogs.contains(catalog, id: id) {
                return .failure(Failure(message: "\(key) \(id) is not a value of the \(catalog) catalog"))
            }
            return .success(.string(String(id)))
        case .reference:
            let inner = value.objectValue.map { $0["id"] ?? .null } ?? value
            return check(key, .id(catalog: nil), inner)
        }
    }

    /// The fields a PUT changes, normalised: each known key it carries, `null` for a cleared
    /// one. Keys the schema does not know (`id`, `agency`, `created_at`, ...) are ignored, so a
    /// client may send back the whole record it read.
    func validateChange(_ object: [String: JSONValue]) -> Result<[String: JSONValue], Failure> {
        var output: [String: JSONValue] = [:]
        var problems: [String] = []
        for (key, kind) in fields.sorted(by: { $0.key < $1.key }) {
            guard let value = object[key] else { continue }
            if value.isNull || value.strictString?.trimmingCharacters(in: .whitespaces).isEmpty == true {
                output[key] = .null
                continue
            }
            switch check(key, kind, value) {
            case .success(let normalised): output[key] = normalised ?? .null
            case .failure(let failure): problems.append(failure.message)
            }
        }
        return problems.isEmpty ? .success(output) : .failure(Failure(message: problems.joined(separator: "; ")))
    }

    /// The required groups `record` (the merged fields) leaves unsatisfied, as one message.
    func missingRequired(in record: [String: JSONValue]) -> String? {
        let problems = required.filter { group in !group.contains { record[$0].map { !$0.isNull } ?? false } }.map { group in
            group.count == 1 ? "\(group[0]) is required" : "one of \(group.joined(separator: ", ")) is required"
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// The accepted fields, normalised (ids and numbers as strings), or why the body is refused.
    func validate(_ object: [String: JSONValue]) -> Result<[String: JSONValue], Failure> {
        var output: [String: JSONValue] = [:]
        var problems: [String] = []
        for (key, kind) in fields.sorted(by: { $0.key < $1.key }) {
            guard let value = object[key] else { continue }
            switch check(key, kind, value) {
            case .success(let normalised): output[key] = normalised
            case .failure(let failure): problems.append(failure.message)
            }
        }
        if let missing = missingRequired(in: output) { problems.append(missing) }
        return problems.isEmpty ? .success(output) : .failure(Failure(message: problems.joined(separator: "; ")))
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !text.contains(" ")
    }
}

/// Response builders in the Apimo shapes.
enum ApimoResponse {
    static func json(_ body: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        SandboxJSON.response(body, status: status, headers: headers, contentType: "application/json; charset=utf-8")
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        json(["status": .int(status.code), "error": .string(message)], status: status, headers: headers)
    }

    /// `{"<collection>": [...], "total_items": N}` and, where documented, `"timestamp"`: the latest
    /// modification among the matching records, or the requested timestamp when none matched.
    static func list(_ collection: String, page: ApimoState.Page, timestamp: Bool, requested: Date?) -> Response {
        var body: [String: JSONValue] = [collection: .array(page.items), "total_items": .int(page.total)]
        if timestamp {
            let latest = page.latest ?? requested
            body["timestamp"] = .int(Int(latest?.timeIntervalSince1970 ?? 0))
        }
        if let texts = page.texts {
            body[collection] = nil
            return SandboxJSON.response(bytes: SandboxJSON.listText(body, listKey: collection, items: texts))
        }
        return json(.object(body))
    }

    /// The user and password of an `Authorization: Basic` header.
    static func basicCredentials(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
            let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return (String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]))
    }

    /// The host the request was sent to.
    static func requestHost(_ request: Request) -> String? {
        if let name = HTTPField.Name("Host"), let host = request.headers[name] { return host }
        return request.head.authority
    }
}
