import HTTPTypes
import HubOperations
import Hummingbird
import RealtyModel

/// One API route as documented: registering a route through ``RouteTable`` is the only way to
/// add one, so the OpenAPI document (built from the same specs) lists every route.
struct RouteSpec: Sendable {
    struct Parameter: Sendable {
        enum Location: String, Sendable { case path, query, header }
        var name: String
        var location: Location
        var required: Bool
        var schema: JSONValue
        var description: String
    }

    struct Reply: Sendable {
        var status: Int
        var description: String
        /// A JSON schema (usually a `$ref`), or nil for an empty body.
        var schema: JSONValue?
        var contentType = "application/json"
    }

    var method: HTTPRequest.Method
    /// OpenAPI form: `/v1/contacts/{key}`.
    var path: String
    var operationID: String
    var summary: String
    var tag: String
    /// The scope needed; nil for the public routes.
    var scope: (resource: String, action: ScopeSet.Action)?
    var parameters: [Parameter] = []
    var requestBody: JSONValue? = nil
    /// Whether a request must carry the body (false: it may be left out).
    var requestBodyRequired = true
    var requestContentType = "application/json"
    var replies: [Reply]

    /// Hummingbird's form: `/v1/contacts/:key`.
    var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
        }.joined(separator: "/")
    }

    /// Whether `path` (a concrete request path) matches this route's template.
    func matches(_ requestPath: String) -> Bool {
        let template = path.split(separator: "/")
        let actual = requestPath.split(separator: "/")
        guard template.count == actual.count else { return false }
        return zip(template, actual).allSatisfy { pattern, value in pattern.hasPrefix("{") || pattern == value }
    }
}

typealias RouteHandler = @Sendable (Request, HubRequestContext) async throws -> Response

/// Registers routes on the router and keeps their specs.
final class RouteTable {
    let router: Router<HubRequestContext>
    private(set) var specs: [RouteSpec] = []
    private let auth: Authenticator

    init(router: Router<HubRequestContext>, auth: Authenticator) {
        self.router = router
        self.auth = auth
    }

    func add(_ spec: RouteSpec, _ handler: @escaping RouteHandler) {
        specs.append(spec)
        let auth = self.auth
        let scope = spec.scope
        router.on(RouterPath(spec.routerPath), method: spec.method) { request, context -> Response in
            var context = context
            if let scope {
                let principal = try await auth.authenticate(request)
                guard principal.scopes.allows(scope.resource, scope.action) else {
                    throw APIError(
                        .forbidden, .insufficientScope,
                        "this token lacks the scope \(scope.resource):\(scope.action.rawValue)")
                }
                context.principal = principal
            }
            return try await handler(request, context)
        }
    }
}
