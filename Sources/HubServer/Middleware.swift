import ConnectorKit
import HTTPTypes
import Hummingbird
import Logging
import RealtyModel
import Synchronization

/// The specs of the registered routes, filled once the router is built (the middleware and
/// the `/openapi.json` route are created before the routes they describe).
final class RouteCatalog: Sendable {
    private let state = Mutex<(specs: [RouteSpec], document: [UInt8])>(([], []))

    func set(_ specs: [RouteSpec], vendorOptions: [String: [ConnectionOptionSpec]]) {
        let document = Array(OpenAPIDocument.make(specs, vendorOptions: vendorOptions).jsonText.utf8)
        state.withLock { $0 = (specs, document) }
    }

    var specs: [RouteSpec] { state.withLock { $0.specs } }
    var documentBytes: [UInt8] { state.withLock { $0.document } }
}

/// Turns every error into the hub's envelope with the right status; a path that exists with
/// other methods answers 405 with `Allow`. Server-side failures are logged, never shown.
struct APIErrorMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let catalog: RouteCatalog

    func handle(_ request: Request, context: HubRequestContext, next: (Request, HubRequestContext) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            var apiError = APIError(from: error)
            if apiError.status == .notFound, let http = error as? any HTTPResponseError, http.status == .notFound {
                let methods = catalog.specs.filter { $0.matches(request.uri.path) }.map(\.method.rawValue)
                if !methods.isEmpty {
                    apiError = APIError(
                        .methodNotAllowed, .methodNotAllowed,
                        "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(methods.joined(separator: ", "))")
                    apiError.headers[.allow] = methods.joined(separator: ", ")
                }
            }
            if apiError.status.code >= 500 {
                context.logger.error(
                    "request failed", metadata: ["hub.error": "\(String(describing: error))", "hub.path": "\(request.uri.path)"])
            }
            return apiError.response()
        }
    }
}
