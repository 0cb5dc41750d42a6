public import Foundation

/// OAuth2 client credentials: a bearer token from a token endpoint, cached for its
/// `expires_in` and renewed before it expires (there is no refresh token; renewing means asking
/// again).
///
/// Two body styles (``OAuth2BodyStyle``): PF Expert sends HTTP Basic `api_key:api_secret` with a
/// JSON body; PropQ sends a form body with `client_id` and `client_secret` and must not send a
/// JSON content type.
public struct OAuth2ClientCredentialsAuth: AuthStrategy {
    /// The connection's token cache.
    public let cache: TokenCache
    private let tokenURL: URL
    private let clientID: String
    private let clientSecret: String
    private let style: OAuth2BodyStyle
    private let defaultLifetime: Duration?

    /// Creates client-credentials auth.
    ///
    /// - Parameters:
    ///   - tokenURL: the token endpoint.
    ///   - clientID: the client id (PF: the API key; PropQ: the integer client id as text).
    ///   - clientSecret: the secret.
    ///   - style: how the credentials are sent.
    ///   - defaultLifetime: the token lifetime assumed when the answer has no `expires_in`.
    ///   - cache: the connection's cache.
    public init(
        tokenURL: URL, clientID: String, clientSecret: String, style: OAuth2BodyStyle, defaultLifetime: Duration?,
        cache: TokenCache
    ) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.style = style
        self.defaultLifetime = defaultLifetime
        self.cache = cache
    }

    public var canRenew: Bool { true }

    public func authorize(_ request: inout TransportRequest, context: AuthContext) async throws -> AuthSession? {
        let session = try await authenticate(context: context)
        if let session { request.headers["Authorization"] = "Bearer " + session.secret }
        return session
    }

    public func invalidate(_ session: AuthSession?) async { await cache.invalidate(session) }

    public func authenticate(context: AuthContext) async throws -> AuthSession? {
        let request = tokenRequest(timeout: context.timeout)
        let lifetime = defaultLifetime
        let tokenURL = tokenURL
        return try await cache.session {
            let response = try await context.send(request)
            return try Self.session(
                from: response, tokenURL: tokenURL, requestedAt: context.clock.now(), defaultLifetime: lifetime,
                context: context)
        }
    }

    /// The token request for this style.
    func tokenRequest(timeout: Duration) -> TransportRequest {
        var headers: TransportHeaders = ["Accept": "application/json"]
        let body: Data
        switch style {
        case .basicWithJSONBody(let scope):
            headers["Authorization"] = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
            headers["Content-Type"] = "application/json"
            var object = ["grant_type": "client_credentials"]
            if let scope { object["scope"] = scope }
            body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        case .formBody:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = FormEncoding.encode([
                ("grant_type", "client_credentials"), ("client_id", clientID), ("client_secret", clientSecret),
            ])
        }
        // Asking for a token twice is harmless, so transient failures may be retried.
        return TransportRequest(
            method: .post, url: tokenURL, headers: headers, body: body, timeout: timeout, isIdempotent: true,
            operationName: "POST token")
    }

    /// Reads a token answer: `access_token`, optional `token_type` (must be Bearer when given)
    /// and `expires_in` (a number or a numeric string).
    ///
    /// A failure blames what failed: 404 and 405 mean nothing answers token requests at
    /// `tokenURL` (a wrong auth URL: `.configuration` "no token endpoint at URL"), 400, 401 and
    /// 403 mean the endpoint is there and refused the credentials (`.auth`), 429 and 5xx are
    /// transient.
    static func session(
        from response: TransportResponse, tokenURL: URL, requestedAt: Date, defaultLifetime: Duration?, context: AuthContext
    ) throws -> AuthSession {
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard response.isSuccess else {
            // OAuth2 errors are {"error": "invalid_client", "error_description": "..."}; vendors
            // also use {"message": "..."}.
            let code = object?["error"] as? String
            let detail = (object?["error_description"] as? String) ?? (object?["message"] as? String)
            let what = "the token endpoint refused the client credentials of connection \(context.connectionID)"
            let message = detail.map { "\(what): \($0)" } ?? what
            switch response.status {
            case 404, 405:
                throw ConnectorError(
                    .configuration, vendor: context.vendor,
                    message:
                        "no token endpoint at \(context.redactor.redact(url: tokenURL)) (HTTP \(response.status)); check the auth URL of connection \(context.connectionID)",
                    httpStatus: response.status, vendorCode: code, connectionID: context.connectionID)
            case 400, 401, 403:
                throw context.authError(message, status: response.status, vendorCode: code)
            case 429:
                throw ConnectorError(
                    .rateLimited, vendor: context.vendor, message: "the token endpoint is rate limiting requests",
                    httpStatus: 429, connectionID: context.connectionID)
            case 500...:
                throw ConnectorError(
                    .retryable, vendor: context.vendor, message: "the token endpoint failed",
                    httpStatus: response.status, vendorCode: code, connectionID: context.connectionID)
            default:
                throw context.authError(
                    "the token endpoint answered HTTP \(response.status) to connection \(context.connectionID)"
                        + (detail.map { ": \($0)" } ?? ""),
                    status: response.status, vendorCode: code)
            }
        }
        guard let object, let token = object["access_token"] as? String, !token.isEmpty else {
            throw ConnectorError(
                .invalidResponse, vendor: context.vendor,
                message: "the token answer has no access_token (\(response.bodyExcerpt(redactor: context.redactor)))",
                httpStatus: response.status, connectionID: context.connectionID)
        }
        if let type = object["token_type"] as? String, type.lowercased() != "bearer" {
            throw ConnectorError(
                .invalidResponse, vendor: context.vendor, message: "the token type is \"\(type)\", expected Bearer",
                httpStatus: response.status, connectionID: context.connectionID)
        }
        var lifetime = defaultLifetime
        if let seconds = object["expires_in"] as? NSNumber, seconds.doubleValue > 0 {
            lifetime = .seconds(clamping: seconds.doubleValue)
        } else if let text = object["expires_in"] as? String, let seconds = Double(text), seconds > 0 {
            lifetime = .seconds(clamping: seconds)
        }
        var attributes: [String: String] = [:]
        if let scope = object["scope"] as? String { attributes["scope"] = scope }
        return AuthSession(
            secret: token, obtainedAt: requestedAt,
            expiresAt: lifetime.map { requestedAt.addingTimeInterval($0.secondsValue) }, attributes: attributes)
    }
}
