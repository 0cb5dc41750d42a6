import Hummingbird

/// Answers a request that matches no route in the vendor's own 404 shape instead of
/// Hummingbird's, so a client sees what the real vendor would send. The control API's paths
/// (`/_sandbox` and below) keep Hummingbird's answer.
struct VendorNotFoundMiddleware: RouterMiddleware {
    typealias Context = SandboxRequestContext

    /// The vendor's answer to a path it does not serve.
    let answer: @Sendable (Request) -> Response

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let path = request.uri.path
            if path == FaultMiddleware.controlPrefix || path.hasPrefix(FaultMiddleware.controlPrefix + "/") { throw error }
            return answer(request)
        }
    }
}
