import Foundation
public import Logging
public import Metrics

/// The request executor every connector uses: one per connection.
///
/// A request goes through, in order: the auth strategy (adding a token, key or session,
/// logging in first when needed; outside the rate limiter so a login can take its own slot),
/// the rate limiter (under the task's ``RequestPurpose``: pulls keep out of the share of the
/// daily budget reserved for deliveries and queue behind them), the transport, then the
/// vendor's error decoder. Failures are classified
/// into ``ConnectorError``s, and:
/// - a 3xx answer is never followed: it fails at once as `.configuration`, naming the status,
///   the `Location` and the vendor's documented meaning of a redirect (``VendorProfile/redirectMeaning``);
/// - an `.auth` refusal of a renewable credential (401, a vendor "session expired") invalidates
///   the session and resends once; a second refusal fails with `.auth` naming the connection;
/// - retryable failures (network errors, timeouts, 5xx, 429) are resent with exponential backoff
///   and full jitter, or after the vendor's `Retry-After` (clamped), up to the policy's attempts.
///   A non-idempotent request is resent only when the vendor surely did not act on it (a
///   connect failure or a 429).
///
/// Logs carry `hub.vendor` and `hub.connection.id` and never a header, body or secret. Metrics:
/// `http.client.request.duration` (timer; vendor, method, status), `realtyhub.connector.retries`
/// and `realtyhub.connector.errors` (counters; vendor, error kind).
public struct VendorHTTPClient: Sendable {
    /// Reads a vendor answer: nil when it is a success, else the classified error. Called for
    /// every response, 2xx included (MyCRM reports errors in 200 answers).
    public typealias ErrorDecoder = @Sendable (TransportResponse, TransportRequest) -> ConnectorError?

    /// The vendor.
    public let vendor: VendorID
    /// The vendor's profile.
    public let profile: VendorProfile
    /// The connection's configuration.
    public let configuration: ConnectorConfiguration
    /// The connection's logger (with `hub.vendor` and `hub.connection.id` metadata).
    public let logger: Logger
    /// The time source.
    public let clock: any ConnectorClock
    /// Hides the connection's secrets.
    public let redactor: Redactor
    /// The connection's limiter.
    public let limiter: RateLimiter
    /// The retry policy in force.
    public let retry: RetryPolicy
    /// The deadline of one request.
    public let requestTimeout: Duration

    private let transport: any HTTPTransport
    private let auth: any AuthStrategy
    private let errorDecoder: ErrorDecoder
    private let metricsFactory: (any MetricsFactory)?
    private let random: @Sendable () -> Double

    /// Creates the executor of one connection.
    ///
    /// - Parameters:
    ///   - configuration: the connection (credentials, URLs, overrides).
    ///   - profile: the vendor's facts (defaults for limits, retries, timeouts).
    ///   - transport: the HTTP transport.
    ///   - auth: the auth strategy.
    ///   - clock: the time source.
    ///   - logger: the base logger; connection metadata is added.
    ///   - errorDecoder: the vendor's reading of answers (default: by HTTP status).
    ///   - metricsFactory: where metrics go (default: the global `MetricsSystem`).
    ///   - random: a source of numbers in `[0, 1)` for jitter (default: the system generator).
    /// - Throws: ``ConnectorError`` `.configuration` when the configuration does not fit the profile.
    public init(
        configuration: ConnectorConfiguration, profile: VendorProfile, transport: any HTTPTransport,
        auth: any AuthStrategy, clock: any ConnectorClock, logger: Logger, errorDecoder: ErrorDecoder? = nil,
        metricsFactory: (any MetricsFactory)? = nil, random: (@Sendable () -> Double)? = nil
    ) throws {
        try configuration.validate(for: profile)
        let vendor = profile.vendor
        let redactor = configuration.redactor
        var logger = logger
        logger[metadataKey: "hub.vendor"] = "\(vendor.rawValue)"
        logger[metadataKey: "hub.connection.id"] = "\(configuration.connectionID)"
        self.vendor = vendor
        self.profile = profile
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.redactor = redactor
        self.limiter = RateLimiter(
            limits: configuration.effectiveLimits(profile), vendor: vendor, clock: clock,
            shared: configuration.sharedLimits.map { (connectionID: configuration.connectionID, limits: $0) })
        self.retry = configuration.effectiveRetry(profile)
        self.requestTimeout = configuration.effectiveTimeouts(profile).request
        self.transport = transport
        self.auth = auth
        self.errorDecoder =
            errorDecoder ?? { response, _ in
                HTTPErrorClassifier.classify(response, vendor: vendor, redactor: redactor)
            }
        self.metricsFactory = metricsFactory
        self.random = random ?? { Double.random(in: 0..<1) }
    }

    /// The connection id.
    public var connectionID: String { configuration.connectionID }

    /// The page size to ask for.
    public var pageSize: Int { configuration.effectivePageSize(profile) }

    /// What an auth strategy needs to log in through this connection.
    public var authContext: AuthContext {
        let executor = self
        return AuthContext(
            vendor: vendor, connectionID: connectionID, clock: clock, logger: logger, redactor: redactor,
            timeout: requestTimeout, send: { request in try await executor.execute(request, mode: .raw) })
    }

    // MARK: - Sending

    /// Sends a request with auth, limits, retries and error classification.
    ///
    /// - Parameters:
    ///   - request: the request; a default `timeout` is replaced by the connection's.
    ///   - authenticated: whether to add the connection's credentials (false for calls the
    ///     vendor serves without auth).
    /// - Returns: the successful response (as judged by the vendor's error decoder).
    /// - Throws: ``ConnectorError`` (never a transport or decoding error); `CancellationError`.
    public func send(_ request: TransportRequest, authenticated: Bool = true) async throws -> TransportResponse {
        try await execute(request, mode: authenticated ? .authenticated : .unauthenticated)
    }

    /// Logs in (when the strategy has a login) to prove the credentials work.
    ///
    /// - Returns: the session, or nil for static credentials.
    /// - Throws: ``ConnectorError`` `.auth` naming the connection when refused.
    @discardableResult
    public func authenticate() async throws -> AuthSession? {
        do {
            return try await auth.authenticate(context: authContext)
        } catch let error as ConnectorError {
            throw error.attributed(connectionID: connectionID, operation: "authenticate")
        }
    }

    private enum Mode {
        /// Vendor errors thrown; auth added and renewed once on refusal.
        case authenticated
        /// Vendor errors thrown; no auth.
        case unauthenticated
        /// Auth exchanges: no auth, transient statuses retried, every final answer returned.
        case raw
    }

    private func execute(_ original: TransportRequest, mode: Mode) async throws -> TransportResponse {
        var request = original
        if request.hasDefaultTimeout { request.timeout = requestTimeout }
        var attempt = 0
        var reauthenticated = false
        while true {
            attempt += 1
            try Task.checkCancellation()
            var outgoing = request
            var session: AuthSession?
            if case .authenticated = mode {
                do {
                    session = try await auth.authorize(&outgoing, context: authContext)
                } catch let error as ConnectorError {
                    throw record(error.attributed(connectionID: connectionID, operation: request.operationName))
                }
            }

            let outcome = await perform(outgoing)
            var failure: ConnectorError
            var neverSent = false
            switch outcome {
            case .response(let response):
                if (300..<400).contains(response.status) {
                    // Redirects are never followed (see VendorHTTPConfiguration), in every mode,
                    // auth exchanges included: the 3xx is the vendor's answer and a
                    // misconfiguration to report, never resent.
                    throw record(
                        HTTPErrorClassifier.redirect(
                            response, vendor: vendor, redactor: redactor, meaning: profile.redirectMeaning
                        ).attributed(connectionID: connectionID, operation: request.operationName))
                }
                if case .raw = mode {
                    let transient = response.status == 429 || response.status >= 500
                    guard transient, attempt < retry.maxAttempts else { return response }
                    failure =
                        HTTPErrorClassifier.classify(response, vendor: vendor, redactor: redactor)
                        ?? ConnectorError(.retryable, vendor: vendor, message: "transient failure", httpStatus: response.status)
                } else {
                    guard let error = errorDecoder(response, outgoing) else { return response }
                    failure = error
                }
                if failure.httpStatus == nil { failure.httpStatus = response.status }
                if failure.retryAfter == nil, let header = response.headers[profile.headers.retryAfter] {
                    failure.retryAfter = RetryAfter.parse(header, now: clock.now())
                }
                neverSent = response.status == 429
            case .failed(let error, let requestNeverSent):
                failure = error
                neverSent = requestNeverSent
            case .cancelled:
                throw CancellationError()
            }
            failure = failure.attributed(connectionID: connectionID, operation: request.operationName)

            if failure.kind == .auth, case .authenticated = mode, auth.canRenew {
                if !reauthenticated {
                    reauthenticated = true
                    attempt -= 1
                    logger.info(
                        "vendor refused the session; authenticating again",
                        metadata: [
                            "http.request.method": "\(request.method)", "hub.operation": "\(request.operationName)",
                        ])
                    await auth.invalidate(session)
                    counter("realtyhub.connector.reauthentications", [("hub.vendor", vendor.rawValue)])
                    continue
                }
                failure.message = "connection \(connectionID): the vendor refused a fresh session too (\(failure.message))"
            } else if failure.kind == .auth, case .authenticated = mode {
                failure.message = "connection \(connectionID): \(failure.message)"
            }

            if retry.shouldRetry(attempt: attempt, error: failure, idempotent: request.isIdempotent, requestNeverSent: neverSent) {
                let wait = retry.delay(retry: attempt, retryAfter: failure.retryAfter, random: random())
                logger.warning(
                    "retrying vendor request",
                    metadata: [
                        "http.request.method": "\(request.method)", "hub.operation": "\(request.operationName)",
                        "hub.attempt": "\(attempt)", "error.type": "\(failure.kind)",
                        "http.response.status_code": "\(failure.httpStatus.map(String.init) ?? "none")",
                        "hub.retry.delay_ms": "\(Int(wait.secondsValue * 1000))",
                    ])
                counter("realtyhub.connector.retries", [("hub.vendor", vendor.rawValue), ("error.type", failure.kind.rawValue)])
                try await clock.sleep(for: wait)
                continue
            }
            throw record(failure)
        }
    }

    private enum Outcome {
        case response(TransportResponse)
        case failed(ConnectorError, requestNeverSent: Bool)
        case cancelled
    }

    /// One attempt: a permit, the transport, the timing.
    private func perform(_ request: TransportRequest) async -> Outcome {
        let started = ContinuousClock.now
        do {
            // The purpose (pull, delivery, interactive) is the task's: see `RequestPurpose`.
            let response = try await limiter.withPermit(purpose: RequestPurpose.current) { try await transport.send(request) }
            let elapsed = ContinuousClock.now - started
            timer(elapsed, method: request.method, status: String(response.status))
            logger.debug(
                "vendor request",
                metadata: [
                    "http.request.method": "\(request.method)", "url.full": "\(redactor.redact(url: request.url))",
                    "http.response.status_code": "\(response.status)",
                    "hub.duration_ms": "\(Int(elapsed.secondsValue * 1000))",
                ])
            if let name = profile.headers.warning, let warning = response.headers[name] {
                logger.notice("vendor warning", metadata: ["hub.vendor.warning": "\(redactor.redact(warning))"])
            }
            return .response(response)
        } catch let error as ConnectorError {
            // The limiter's daily budget (nothing was sent).
            return .failed(error, requestNeverSent: true)
        } catch is CancellationError {
            return .cancelled
        } catch let error as TransportError {
            timer(ContinuousClock.now - started, method: request.method, status: "error")
            let message: String
            switch error.code {
            case .timeout: message = "no answer within \(ConnectorError.format(request.timeout))"
            case .connectFailed: message = "could not connect to \(request.url.host ?? "the vendor")"
            case .connectionClosed: message = "the connection closed before the answer was complete"
            case .bodyTooLarge: message = "the answer was too large"
            default: message = "the request failed"
            }
            let kind: ConnectorError.Kind =
                error.code == .invalidRequest ? .configuration : error.code == .bodyTooLarge ? .invalidResponse : .retryable
            return .failed(
                ConnectorError(kind, vendor: vendor, message: "\(message) (\(error.code))", underlying: error),
                requestNeverSent: error.requestNeverSent)
        } catch {
            timer(ContinuousClock.now - started, method: request.method, status: "error")
            return .failed(
                ConnectorError(.retryable, vendor: vendor, message: "the request failed", underlying: error),
                requestNeverSent: false)
        }
    }

    private func record(_ error: ConnectorError) -> ConnectorError {
        counter("realtyhub.connector.errors", [("hub.vendor", vendor.rawValue), ("error.type", error.kind.rawValue)])
        logger.debug("vendor request failed", metadata: ["error.type": "\(error.kind)", "hub.error": "\(error.description)"])
        return error
    }

    private func timer(_ elapsed: Duration, method: HTTPMethod, status: String) {
        let dimensions = [
            ("hub.vendor", vendor.rawValue), ("http.request.method", method.rawValue), ("http.response.status_code", status),
        ]
        let nanoseconds = Int64(elapsed.secondsValue * 1e9)
        if let metricsFactory {
            Metrics.Timer(label: "http.client.request.duration", dimensions: dimensions, factory: metricsFactory)
                .recordNanoseconds(nanoseconds)
        } else {
            Metrics.Timer(label: "http.client.request.duration", dimensions: dimensions).recordNanoseconds(nanoseconds)
        }
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) {
        if let metricsFactory {
            Counter(label: label, dimensions: dimensions, factory: metricsFactory).increment()
        } else {
            Counter(label: label, dimensions: dimensions).increment()
        }
    }
}
