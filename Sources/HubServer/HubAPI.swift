import ConnectorKit
public import Foundation
import HTTPTypes
public import HubOperations
import HubStore
public import Hummingbird
import Logging
import NIOCore
public import Prometheus
public import RealtyModel

/// Builds the hub API's router: every route, with its spec for the OpenAPI document.
public struct HubAPI: Sendable {
    let runtime: HubRuntime
    let tokens: TokenService
    let auth: Authenticator
    let metrics: PrometheusCollectorRegistry
    let syncs = BackgroundSyncs()
    let tokenLimiter: RateLimiter
    /// Whether the dashboard's cookies are `Secure` (the hub is reached over https).
    let secureDashboardCookies: Bool

    /// - Parameters:
    ///   - runtime: the opened hub (store, connectors, keys).
    ///   - tokenLifetime: how long issued bearer tokens stay valid.
    ///   - requestsPerSecond: each API client's sustained request rate (bursts of twice that).
    ///   - metrics: the registry `/metrics` renders.
    ///   - secureDashboardCookies: whether the dashboard's cookies are `Secure` (set when the
    ///     hub's public URL is https).
    public init(
        runtime: HubRuntime, tokenLifetime: TimeInterval = 1800, requestsPerSecond: Double = 200,
        metrics: PrometheusCollectorRegistry, secureDashboardCookies: Bool = false
    ) {
        self.runtime = runtime
        self.secureDashboardCookies = secureDashboardCookies
        tokens = TokenService(secretBox: runtime.secretBox, store: runtime.store, lifetime: tokenLifetime)
        auth = Authenticator(tokens: tokens, limiter: RateLimiter(rate: requestsPerSecond, burst: requestsPerSecond * 2))
        tokenLimiter = RateLimiter(rate: 5, burst: 20)
        self.metrics = metrics
    }

    /// Waits for API-started sync runs (graceful shutdown).
    public func drain() async { await syncs.drain() }

    /// The router and the specs of its routes.
    func build() -> (Router<HubRequestContext>, [RouteSpec]) {
        let router = Router(context: HubRequestContext.self)
        let catalog = RouteCatalog()
        // Outermost first: metrics and the request log see the status the error middleware
        // answered with.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: APIErrorMiddleware(catalog: catalog))
        let table = RouteTable(router: router, auth: auth)
        addOperations(table, catalog: catalog)
        addRecords(table)
        addRecordWrites(table)
        addConnections(table)
        addWrites(table)
        addWebhooks(table)
        // HTML pages, outside the API's document.
        Dashboard(runtime: runtime, secureCookies: secureDashboardCookies, syncs: syncs).addRoutes(to: router)
        // The RESO Web API (OData), outside the API's document too.
        ODataRoutes(runtime: runtime, auth: auth).addRoutes(to: router)
        catalog.set(table.specs, vendorOptions: vendorOptions)
        return (router, table.specs)
    }

    /// Each vendor's connection options, as the runtime's connector provider declares them.
    var vendorOptions: [String: [ConnectionOptionSpec]] { runtime.connectionOptionSpecs }

    /// The router alone (for `Application` and tests).
    public func router() -> Router<HubRequestContext> { build().0 }

    /// The OpenAPI document of this API.
    public func openAPIDocument() -> JSONValue { OpenAPIDocument.make(build().1, vendorOptions: vendorOptions) }
}

// MARK: - Public and operational routes

extension HubAPI {
    func addOperations(_ table: RouteTable, catalog: RouteCatalog) {
        let runtime = self.runtime
        table.add(
            RouteSpec(
                method: .get, path: "/health", operationID: "health", summary: "Whether the hub and its store answer", tag: "Operations",
                replies: [
                    .init(status: 200, description: "Healthy", schema: Schema.ref("Health")),
                    .init(status: 503, description: "The store does not answer", schema: Schema.ref("Error")),
                ])
        ) { _, _ in
            do {
                let status = try await runtime.store.schemaStatus()
                return JSONResponse.make(.ok, .object(["status": "ok", "schema": .string(status.applied.last ?? "")]))
            } catch {
                runtime.logger.error("health check failed", metadata: ["hub.error": "\(error)"])
                return APIError(.serviceUnavailable, .unhealthy, "the store does not answer").response()
            }
        }

        table.add(
            RouteSpec(
                method: .get, path: "/openapi.json", operationID: "openapi", summary: "This API's OpenAPI 3.1 document", tag: "Operations",
                replies: [.init(status: 200, description: "The document", schema: .object(["type": "object"]))])
        ) { _, _ in
            JSONResponse.make(.ok, bytes: catalog.documentBytes)
        }

        let metrics = self.metrics
        table.add(
            RouteSpec(
                method: .get, path: "/metrics", operationID: "metrics", summary: "Prometheus metrics", tag: "Operations",
                scope: ("metrics", .read),
                replies: [.init(status: 200, description: "Prometheus text format", schema: Schema.string, contentType: "text/plain")]
                    + Self.authReplies)
        ) { _, _ in
            try await RequestBudgetMetrics.refresh(metrics, runtime: runtime)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }

        let tokens = self.tokens
        let tokenLimiter = self.tokenLimiter
        table.add(
            RouteSpec(
                method: .post, path: "/oauth/token", operationID: "issueToken",
                summary: "Client credentials grant: Basic client_id:secret, body grant_type=client_credentials", tag: "Auth",
                requestBody: Schema.ref("TokenRequest"), requestContentType: "application/x-www-form-urlencoded",
                replies: [
                    .init(status: 200, description: "A bearer token", schema: Schema.ref("Token")),
                    .init(status: 400, description: "Unsupported grant or scope", schema: Schema.ref("Error")),
                    .init(status: 401, description: "Unknown client or wrong secret", schema: Schema.ref("Error")),
                    .init(status: 415, description: "Not a form or JSON body", schema: Schema.ref("Error")),
                    .init(status: 429, description: "Too many attempts", schema: Schema.ref("Error")),
                ])
        ) { request, context in
            guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
                let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":")
            else {
                var error = APIError.unauthorized("authenticate with HTTP Basic: the client id and secret")
                error.code = .invalidClient
                error.headers[.wwwAuthenticate] = #"Basic realm="realtyhub""#
                throw error
            }
            let clientID = String(pair[..<colon])
            let secret = String(pair[pair.index(after: colon)...])
            if let wait = await tokenLimiter.take("token:" + clientID) {
                var headers = HTTPFields()
                headers[.retryAfter] = String(Int(wait.rounded(.up)))
                throw APIError(.tooManyRequests, .rateLimited, "too many token requests for this client", headers: headers)
            }
            let form = try await Self.tokenForm(request, context: context)
            guard form["grant_type"] == "client_credentials" else {
                throw APIError(.badRequest, .unsupportedGrantType, "grant_type must be client_credentials")
            }
            let requested = try form["scope"].flatMap { $0.isEmpty ? nil : try ScopeSet(parsing: $0) }
            let (token, scopes) = try await tokens.issue(clientID: clientID, secret: secret, requested: requested)
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            return JSONResponse.make(
                .ok,
                .object([
                    "access_token": .string(token), "token_type": "Bearer",
                    "expires_in": .number(JSONNumber(tokens.lifetime.rounded()) ?? JSONNumber(0)),
                    "scope": .string(scopes.description),
                ]), headers: headers)
        }

        table.add(
            RouteSpec(
                method: .get, path: "/v1/events", operationID: "listEvents",
                summary: "The change feed: record changes after a sequence number",
                tag: "Events", scope: ("events", .read),
                parameters: [
                    .init(
                        name: "after", location: .query, required: false, schema: Schema.integer(0...Schema.maxSafeInteger),
                        description: "Return events with a greater sequence (default 0)"),
                    .init(
                        name: "limit", location: .query, required: false, schema: Schema.integer(1...1000),
                        description: "At most this many (1-1000, default 100)"),
                ],
                replies: [.init(status: 200, description: "Events in order", schema: Schema.ref("EventList"))] + Self.authReplies + [
                    Self.reply(400)
                ])
        ) { request, context in
            let principal = try RequestSupport.principal(context)
            let afterText = try RequestSupport.query(request, "after") ?? "0"
            guard let after = Int64(afterText), (0...Schema.maxSafeInteger).contains(after) else {
                throw APIError.badRequest("after must be a whole number from 0 to \(Schema.maxSafeInteger)", field: "after")
            }
            let limit = try RequestSupport.intQuery(request, "limit", default: 100, range: 1...1000)
            let events = try await runtime.store.events(tenant: principal.tenantID, after: after, limit: limit)
            struct Body: Encodable {
                var events: [EntityEvent]
                var nextAfter: Int64
                enum CodingKeys: String, CodingKey {
                    case events
                    case nextAfter = "next_after"
                }
            }
            return try JSONResponse.encode(.ok, Body(events: events, nextAfter: events.last?.sequence ?? after))
        }
    }

    /// The token request's form: `application/x-www-form-urlencoded` (as OAuth 2.0 says) or JSON.
    static func tokenForm(_ request: Request, context: HubRequestContext) async throws -> [String: String] {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        if type.hasPrefix("application/json") {
            let data = try await RequestSupport.body(request, context: context)
            guard case .object(let object)? = try? JSONValue(parsing: data) else {
                throw APIError(.badRequest, .invalidJSON, "the body must be a JSON object")
            }
            return object.compactMapValues { value in
                if case .string(let text) = value { return text }
                return nil
            }
        }
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw APIError(
                .unsupportedMediaType, .unsupportedMediaType, "send grant_type=client_credentials as application/x-www-form-urlencoded")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        do {
            // Hummingbird's form decoder: `+` and percent escapes decoded; a repeated or
            // bracketed parameter is not a plain string and is refused (RFC 6749 3.2: parameters
            // must not be repeated).
            return try URLEncodedFormDecoder().decode([String: String].self, from: text)
        } catch {
            throw APIError(
                .badRequest, .invalidRequest, "the token request is not a form of single-valued parameters (name=value&...)")
        }
    }

    static let authReplies: [RouteSpec.Reply] = [reply(401), reply(403), reply(429)]

    static func reply(_ status: Int) -> RouteSpec.Reply {
        let description: String
        switch status {
        case 400: description = "Invalid request"
        case 401: description = "Missing, malformed or expired bearer token"
        case 403: description = "The token lacks the scope"
        case 404: description = "Not found (or not the caller's tenant)"
        case 409: description = "Conflict"
        case 412: description = "If-Match no longer names the record's content (it changed since it was read)"
        case 413: description = "Body too large"
        case 415: description = "The body is not JSON"
        case 422: description = "Validation failed; details name the fields"
        case 429: description = "Too many requests; see Retry-After"
        case 502: description = "The vendor failed or refused the hub"
        case 503: description = "The vendor asks to slow down; see Retry-After"
        default: description = "Error"
        }
        return .init(status: status, description: description, schema: Schema.ref("Error"))
    }

    static let bodyReplies: [RouteSpec.Reply] = [reply(400), reply(413), reply(415), reply(422)]
}
