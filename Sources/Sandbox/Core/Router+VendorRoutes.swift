import Hummingbird

/// Every method a client might send to a vendor path.
let everyRequestMethod: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options]

extension Router where Context == SandboxRequestContext {
    /// Registers the handlers of one vendor path and the vendor's refusal for every other method
    /// a client might send (``everyRequestMethod``), so a known path never falls through to the
    /// not-found answer for a wrong method.
    /// - Parameters:
    ///   - path: the route.
    ///   - handlers: the handler of each method the path serves.
    ///   - refusal: the vendor's answer to any other method (405, 419, 404, ...).
    func on(
        _ path: String,
        serving handlers: [HTTPRequest.Method: @Sendable (Request, Context) async -> Response],
        otherwise refusal: @escaping @Sendable (Request) -> Response
    ) {
        for method in everyRequestMethod {
            if let handler = handlers[method] {
                on(RouterPath(path), method: method) { request, context in await handler(request, context) }
            } else {
                on(RouterPath(path), method: method) { request, _ in refusal(request) }
            }
        }
    }
}
