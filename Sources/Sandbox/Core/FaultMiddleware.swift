import Foundation
import HTTPTypes
public import Hummingbird
import ServiceLifecycle

/// Applies latency and injected faults to vendor routes. Control API paths (`/_sandbox/...`)
/// are never touched.
///
/// Injected answers carry `X-Sandbox-Fault: <kind>` so a test can tell an injected fault from
/// a vendor error; their bodies are plain text, as a gateway in front of a real API would send.
public struct FaultMiddleware: RouterMiddleware {
    public typealias Context = SandboxRequestContext

    /// The path prefix of the control API.
    public static let controlPrefix = "/_sandbox"
    /// The response header naming an injected fault.
    public static let faultHeader = HTTPField.Name("X-Sandbox-Fault") ?? .server

    let injector: FaultInjector
    let revoker: (any TokenRevoking)?

    /// Creates the middleware.
    /// - Parameters:
    ///   - injector: the emulator's fault state.
    ///   - revoker: the emulator's tokens and sessions, for `revoke` faults (`nil`: static
    ///     credentials, nothing to revoke).
    public init(injector: FaultInjector, revoker: (any TokenRevoking)? = nil) {
        self.injector = injector
        self.revoker = revoker
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if path == Self.controlPrefix || path.hasPrefix(Self.controlPrefix + "/") {
            return try await next(request, context)
        }
        let decision = injector.decide(method: request.method.rawValue, path: path)
        if decision.delay > .zero {
            try await Self.hold(decision.delay)
        }
        guard let fault = decision.fault else {
            return try await next(request, context)
        }
        switch fault {
        case .serverError(let code), .clientError(let code):
            return Self.textResponse(status: .init(code: code), fault: fault)
        case .rateLimited:
            var response = Self.textResponse(status: .tooManyRequests, fault: fault)
            response.headers[.retryAfter] = Self.retryAfter(seconds: decision.retryAfterSeconds, format: decision.retryAfterFormat)
            return response
        case .timeout:
            try await Self.hold(decision.timeoutHold)
            return Self.textResponse(status: .gatewayTimeout, fault: fault)
        case .reset:
            await context.closeConnectionNow()
            throw ConnectionClosedByFault()
        case .garbage:
            var response = Response(
                status: .ok,
                headers: [.contentType: "application/json", Self.faultHeader: fault.name],
                body: .init(byteBuffer: ByteBuffer(string: "{\"data\": [{\"id\": 1, \"na"))
            )
            response.headers[.cacheControl] = "no-store"
            return response
        case .slow:
            try await Self.hold(decision.slowDelay)
            return try await next(request, context)
        case .lost:
            let response = try await next(request, context)
            guard response.status.kind == .successful else { return response }
            return Self.textResponse(status: .internalServerError, fault: fault)
        case .revoke:
            _ = await revoker?.revokeAllTokens()
            var response = try await next(request, context)
            response.headers[Self.faultHeader] = fault.name
            return response
        case .lostReset:
            let response = try await next(request, context)
            guard response.status.kind == .successful else { return response }
            await context.closeConnectionNow()
            throw ConnectionClosedByFault()
        }
    }

    /// Sleeps, but ends early when the sandbox shuts down so a held request never delays
    /// shutdown.
    static func hold(_ duration: Duration) async throws {
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
        try Task.checkCancellation()
    }

    /// The `Retry-After` value: delay-seconds, or an HTTP-date that many seconds from now
    /// (wall clock, rounded up to the next whole second so the wait is never shorter).
    static func retryAfter(seconds: Int, format: RetryAfterFormat, now: Date = Date()) -> String {
        switch format {
        case .seconds:
            return String(seconds)
        case .httpDate:
            let at = (now.timeIntervalSince1970 + Double(seconds)).rounded(.up)
            return FaultRoute.httpDate(Date(timeIntervalSince1970: at))
        }
    }

    static func textResponse(status: HTTPResponse.Status, fault: FaultKind) -> Response {
        let text = "\(status.code) \(status.reasonPhrase) (injected by the RealtyHub sandbox: \(fault.name))\n"
        return Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8", faultHeader: fault.name],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}

/// Thrown after a `reset` fault closed the connection; nothing more can be written.
struct ConnectionClosedByFault: Error {}
