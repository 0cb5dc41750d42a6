import Foundation
import HTTPTypes
import HubOperations
import HubStore
import Hummingbird
import Logging
import NIOCore
import RealtyModel

/// The RESO Web API (OData 4, read-only) at `/odata` (issue 18, docs/reso-web-api.md).
///
/// One catch-all route parses the path itself: segments hold `$`, quotes and parentheses
/// (`Property('k')/ListAgent`), which the router's path patterns do not describe. It sits
/// beside the `/v1` routes rather than in their ``RouteTable``, so it stays out of the OpenAPI
/// document; it authenticates with the same bearer tokens and rate limit, and answers every
/// failure in OData's error format itself (nothing reaches `/v1`'s error middleware).
struct ODataRoutes: Sendable {
    let runtime: HubRuntime
    let auth: Authenticator

    /// Registers `/odata` and everything under it, for every method (all but GET answer 405).
    func addRoutes(to router: Router<HubRequestContext>) {
        let routes = self
        for path in ["/odata", "/odata/**"] {
            for method in [HTTPRequest.Method.get, .head, .options, .post, .put, .patch, .delete] {
                router.on(RouterPath(path), method: method) { request, context in await routes.respond(request, context) }
            }
        }
    }

    /// Answers one request; never throws.
    func respond(_ request: Request, _ context: HubRequestContext) async -> Response {
        var version = ODataVersion.v401
        do {
            version = try ODataVersion.negotiate(request.headers)
            guard request.method == .get else {
                var error = ODataError(.methodNotAllowed, "method_not_allowed", "the OData service is read-only: only GET is allowed")
                error.headers[.allow] = "GET"
                throw error
            }
            let principal = try await auth.authenticate(request)
            let path = try ODataPath(parsing: request.uri.path)
            let query = try ODataQueryString(request.uri.query)
            let payload = try await answer(path, request: request, principal: principal, query: query)
            return Self.response(payload, version: version)
        } catch {
            let answer = ODataError(from: error)
            if answer.status == .internalServerError {
                context.logger.error(
                    "odata request failed", metadata: ["hub.error": "\(String(reflecting: error))", "hub.path": "\(request.uri.path)"])
            }
            return answer.response(version: version)
        }
    }

    private func answer(_ path: ODataPath, request: Request, principal: Principal, query: ODataQueryString) async throws -> ODataPayload {
        switch path {
        case .serviceDocument:
            try ODataFormat.requireJSON(query, request.headers)
            return ODataPayload(body: ODataMetadata.serviceDocument(root: Self.origin(request) + "/odata/"))
        case .metadata:
            return try Self.metadata(query, request.headers)
        default:
            break
        }
        guard let set = path.entitySet else { throw ODataError.notFound("no such OData resource") }
        let call = try ODataCall(
            store: odataStore(), events: runtime.store, tenant: principal.tenantID, scopes: principal.scopes, origin: Self.origin(request),
            rawPath: request.uri.path, query: query, preferences: ODataPreferences(request.headers))
        if case .count = path {
            // A bare number: `$format` may still say json (py's count() reads either).
            if let format = query.value("$format"), !ODataFormat.isJSON(format) {
                throw ODataError(.notAcceptable, "not_acceptable", "$format=\(format) is not served", target: "$format")
            }
        } else {
            try ODataFormat.requireJSON(query, request.headers)
        }
        if set == ODataEntityEvents.setName {
            guard principal.scopes.allows("events", .read) else { throw ODataError.forbidden(scope: "events:read") }
            let feed = ODataEntityEvents(call: call)
            switch path {
            case .collection: return try await feed.read()
            case .entity(_, let key): return try await feed.readOne(key)
            case .count: throw ODataError.notSupported("EntityEvent/$count is not served: read the feed in sequence order")
            default: throw ODataError.notFound("EntityEvent has no navigation properties")
            }
        }
        guard let resource = ResourceName(rawValue: set) else {
            if ODataMetadata.entitySets.contains(set) { throw ODataError.notSupported("the entity set \(set) is not served yet") }
            throw ODataError.notFound("no entity set '\(set)'; the sets are listed at \(call.root)")
        }
        try ODataScopes.check(principal.scopes, resource)
        switch path {
        case .collection: return try await resource.visit(ODataCollectionRead(call: call, contextSet: set))
        case .count: return try await resource.visit(ODataCountRead(call: call))
        case .entity(_, let key): return try await resource.visit(ODataEntityRead(call: call, key: key))
        case .navigation(_, let key, let property):
            return try await resource.visit(ODataNavigationRead(call: call, key: key, property: property))
        case .serviceDocument, .metadata: throw ODataError.notFound("no such OData resource")
        }
    }

    private func odataStore() throws -> any ODataRecordStore {
        guard let store = runtime.store as? any ODataRecordStore else {
            // The server's own shortcoming, not the query's: 501.
            throw ODataError(.notImplemented, "not_implemented", "this hub's store does not serve OData queries")
        }
        return store
    }

    /// `$metadata`: CSDL XML unless `$format` or `Accept` ask for JSON (C15–C17). python-odata
    /// fetches it with `Accept: */*`, so XML is the default.
    static func metadata(_ query: ODataQueryString, _ headers: HTTPFields) throws -> ODataPayload {
        let json: Bool
        if let format = query.value("$format") {
            if ODataFormat.isJSON(format) {
                json = true
            } else if ODataFormat.isXML(format) {
                json = false
            } else {
                throw ODataError(
                    .notAcceptable, "not_acceptable", "$metadata is served as $format=xml or $format=json, not \(format)", target: "$format"
                )
            }
        } else {
            let ranges = ODataFormat.accepted(headers)
            json = ranges.contains("application/json") && !ranges.contains { $0.contains("xml") }
        }
        return json
            ? ODataPayload(contentType: "application/json", body: ODataMetadata.json)
            : ODataPayload(contentType: "application/xml", body: ODataMetadata.xml)
    }

    /// `http://<host>` from the request's `Host` (absolute links, Q10), `https://` when the TLS
    /// proxy in front of the hub says so (`X-Forwarded-Proto: https`, C1). A host that is not a
    /// plain name, address and port is replaced, so it cannot shape the links another way.
    static func origin(_ request: Request) -> String {
        let host = request.head.authority ?? ""
        let plain =
            !host.isEmpty && host.utf8.count <= 255
            && host.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]_".unicodeScalars.contains($0))
            }
        let forwarded = HTTPField.Name("X-Forwarded-Proto").flatMap { request.headers[$0] }
        let scheme = forwarded?.lowercased() == "https" ? "https://" : "http://"
        return scheme + (plain ? host : "localhost")
    }

    static func response(_ payload: ODataPayload, version: ODataVersion) -> Response {
        var fields = HTTPFields()
        if payload.status != .noContent { fields[.contentType] = payload.contentType }
        fields[.odataVersion] = version.rawValue
        if !payload.preferenceApplied.isEmpty { fields[.preferenceApplied] = payload.preferenceApplied.joined(separator: ", ") }
        return Response(status: payload.status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: payload.body)))
    }
}
