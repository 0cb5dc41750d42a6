import Foundation
public import Logging

/// How a connection proves who it is on each request.
///
/// A strategy adds credentials to a request (a header, a bearer token, a session parameter),
/// obtaining or renewing them first when needed. Strategies with a renewable credential keep it
/// in a ``TokenCache``; the request executor calls ``invalidate(_:)`` and retries once when the
/// vendor refuses a session.
public protocol AuthStrategy: Sendable {
    /// Whether a refused credential can be replaced by logging in again (tokens and sessions);
    /// false for static credentials (HTTP Basic, API keys), where a refusal is final.
    var canRenew: Bool { get }

    /// Adds credentials to `request`.
    ///
    /// - Parameters:
    ///   - request: the request to authorize.
    ///   - context: what a login needs (an unauthenticated sender, the clock, the logger).
    /// - Returns: the session used, when the credential is a renewable session.
    /// - Throws: ``ConnectorError`` `.auth` when no credential can be obtained.
    func authorize(_ request: inout TransportRequest, context: AuthContext) async throws -> AuthSession?

    /// Drops `session` (refused by the vendor) so the next request logs in again.
    func invalidate(_ session: AuthSession?) async

    /// Obtains a credential now, proving the configured credentials work when the strategy has
    /// a login exchange.
    ///
    /// - Returns: the session, or nil for static credentials (which only a real request proves).
    func authenticate(context: AuthContext) async throws -> AuthSession?
}

/// What a strategy may use while logging in.
public struct AuthContext: Sendable {
    /// The vendor.
    public let vendor: VendorID
    /// The connection.
    public let connectionID: String
    /// The time source.
    public let clock: any ConnectorClock
    /// The connection's logger.
    public let logger: Logger
    /// Hides the connection's secrets.
    public let redactor: Redactor
    /// The deadline for one auth request.
    public let timeout: Duration
    private let sender: @Sendable (TransportRequest) async throws -> TransportResponse

    /// Creates a context.
    ///
    /// - Parameters:
    ///   - vendor: the vendor.
    ///   - connectionID: the connection.
    ///   - clock: the time source.
    ///   - logger: the logger.
    ///   - redactor: the connection's redactor.
    ///   - timeout: the deadline of an auth request.
    ///   - send: sends an unauthenticated request through the connection's limits and
    ///     transient-failure retries, answering every status.
    public init(
        vendor: VendorID, connectionID: String, clock: any ConnectorClock, logger: Logger, redactor: Redactor,
        timeout: Duration, send: @escaping @Sendable (TransportRequest) async throws -> TransportResponse
    ) {
        self.vendor = vendor
        self.connectionID = connectionID
        self.clock = clock
        self.logger = logger
        self.redactor = redactor
        self.timeout = timeout
        self.sender = send
    }

    /// Sends an unauthenticated request (a token request, a challenge, a login) through the
    /// connection's limits, retrying transient failures.
    ///
    /// - Returns: the response, whatever its status.
    /// - Throws: ``ConnectorError`` when no response could be had.
    public func send(_ request: TransportRequest) async throws -> TransportResponse {
        try await sender(request)
    }

    /// An `.auth` error naming the connection.
    ///
    /// - Parameters:
    ///   - message: what was refused (redacted before use).
    ///   - status: the HTTP status.
    ///   - vendorCode: the vendor's code.
    public func authError(_ message: String, status: Int? = nil, vendorCode: String? = nil) -> ConnectorError {
        ConnectorError(
            .auth, vendor: vendor, message: redactor.redact(message), httpStatus: status, vendorCode: vendorCode,
            connectionID: connectionID)
    }
}

/// Static HTTP Basic credentials on every request (Apimo: provider id and token).
public struct HTTPBasicAuth: AuthStrategy {
    private let header: String

    /// Creates Basic auth.
    ///
    /// - Parameters:
    ///   - username: the user (Apimo: the provider id).
    ///   - password: the password (Apimo: the token).
    public init(username: String, password: String) {
        header = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    public var canRenew: Bool { false }

    public func authorize(_ request: inout TransportRequest, context: AuthContext) async throws -> AuthSession? {
        request.headers["Authorization"] = header
        return nil
    }

    public func invalidate(_ session: AuthSession?) async {}

    public func authenticate(context: AuthContext) async throws -> AuthSession? { nil }
}

/// A static API key in a header, optionally with the `Host` header the key is bound to
/// (Boston Logic: `X-BL-API-Key`, valid only for the tenant's own domain).
public struct APIKeyHeaderAuth: AuthStrategy {
    private let headerName: String
    private let key: String
    private let host: String?

    /// Creates API-key auth.
    ///
    /// - Parameters:
    ///   - headerName: the header carrying the key.
    ///   - key: the key.
    ///   - host: the host the key is bound to, sent as the `Host` header whatever the base URL
    ///     (so the same connection works against an emulator on 127.0.0.1); nil to leave `Host`
    ///     to the URL.
    public init(headerName: String, key: String, host: String? = nil) {
        self.headerName = headerName
        self.key = key
        self.host = host
    }

    public var canRenew: Bool { false }

    public func authorize(_ request: inout TransportRequest, context: AuthContext) async throws -> AuthSession? {
        request.headers[headerName] = key
        if let host { request.headers["Host"] = host }
        return nil
    }

    public func invalidate(_ session: AuthSession?) async {}

    public func authenticate(context: AuthContext) async throws -> AuthSession? { nil }
}

/// A session obtained by a vendor-specific login and applied by a vendor-specific rule (MyCRM:
/// challenge, md5 login, `sessionName` parameter), cached with its idle and absolute expiry.
public struct SessionAuth: AuthStrategy {
    /// Performs the login and returns the new session.
    public typealias Login = @Sendable (AuthContext) async throws -> AuthSession
    /// Puts the session into a request (a header, a query or form parameter).
    public typealias Apply = @Sendable (inout TransportRequest, AuthSession) throws -> Void

    /// The connection's session cache.
    public let cache: TokenCache
    private let login: Login
    private let apply: Apply

    /// Creates session auth.
    ///
    /// - Parameters:
    ///   - cache: the connection's cache.
    ///   - login: the vendor's login exchange.
    ///   - apply: how a session goes into a request.
    public init(cache: TokenCache, login: @escaping Login, apply: @escaping Apply) {
        self.cache = cache
        self.login = login
        self.apply = apply
    }

    public var canRenew: Bool { true }

    public func authorize(_ request: inout TransportRequest, context: AuthContext) async throws -> AuthSession? {
        let login = self.login
        let session = try await cache.session { try await login(context) }
        try apply(&request, session)
        return session
    }

    public func invalidate(_ session: AuthSession?) async { await cache.invalidate(session) }

    public func authenticate(context: AuthContext) async throws -> AuthSession? {
        let login = self.login
        return try await cache.session { try await login(context) }
    }
}
