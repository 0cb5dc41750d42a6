import ApimoConnector
import ConnectorKit
import Foundation
import Logging
import MyCRMConnector
import PFExpertConnector
import ResalesOnlineConnector
import Testing

@Suite struct KitVendorHTTPClientTests {
    let pfCredentials = PFExpertCredentials(apiKey: "pf-api-key-1", apiSecret: "pf-api-secret-1")

    private func pfClient(
        transport: KitScriptedTransport, clock: ManualConnectorClock, logger: Logger = KitFixtures.silentLogger,
        retry: RetryPolicy? = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(5))
    ) throws -> VendorHTTPClient {
        let profile = KitFixtures.oauthProfile()
        let configuration = KitFixtures.configuration(pfCredentials, retry: retry)
        let auth = try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: logger)
        return try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport, auth: auth, clock: clock, logger: logger,
            random: { 0.5 })
    }

    private static func isTokenRequest(_ request: TransportRequest) -> Bool {
        request.url.path.hasSuffix("/auth/oauth/v1/token")
    }

    private static func token(_ value: String, expiresIn: Int = 1800) -> TransportResponse {
        KitFixtures.json(#"{"access_token":"\#(value)","token_type":"Bearer","expires_in":\#(expiresIn)}"#)
    }

    @Test func pfTokenRequestUsesBasicAndAJSONBodyOnTheAuthURL() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { request, _ in
            Self.isTokenRequest(request) ? Self.token("tok-A") : KitFixtures.json(#"{"count":0,"users":[]}"#)
        }
        let client = try pfClient(transport: transport, clock: clock)
        let url = try client.url("/users", query: [URLQueryItem(name: "page", value: "1")])
        _ = try await client.send(TransportRequest(method: .get, url: url))
        let requests = transport.requests
        #expect(requests.count == 2)
        let token = requests[0]
        // Without an auth URL, a non-default base URL serves the token path itself (an emulator).
        #expect(token.url.absoluteString == "http://127.0.0.1:9/api/auth/oauth/v1/token")
        #expect(token.method == .post)
        #expect(token.headers["Authorization"] == "Basic " + Data("pf-api-key-1:pf-api-secret-1".utf8).base64EncodedString())
        #expect(token.headers["Content-Type"] == "application/json")
        let body = try #require(token.body.flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: String] })
        #expect(body == ["grant_type": "client_credentials", "scope": "openid"])
        #expect(requests[1].headers["Authorization"] == "Bearer tok-A")
        #expect(requests[1].url.absoluteString == "http://127.0.0.1:9/api/users?page=1")
        #expect(requests[1].timeout == .seconds(60))
    }

    @Test func formEncodingEscapesReservedCharacters() {
        #expect(
            String(decoding: FormEncoding.encode([("client_id", "42"), ("client_secret", "a b&c=d+e/é")]), as: UTF8.self)
                == "client_id=42&client_secret=a+b%26c%3Dd%2Be%2F%C3%A9")
    }

    @Test func propqTokenExchangeSendsNoJSONContentType() async throws {
        let profile = VendorProfile(
            vendor: .propq, defaultBaseURL: "https://api.propq.com",
            auth: .oauth2ClientCredentials(tokenPath: "/oauth/token", body: .formBody, defaultLifetime: nil),
            paging: .init(style: .none, defaultPageSize: 1, maxPageSize: 1), rateLimits: RateLimits())
        let configuration = KitFixtures.configuration(.propq(clientID: 42, clientSecret: "propq-secret"), baseURL: "http://127.0.0.1:9")
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { request, _ in
            request.url.path == "/oauth/token"
                ? KitFixtures.json(#"{"token_type":"Bearer","expires_in":"7200","access_token":"jwt-1"}"#)
                : KitFixtures.json(#"{"DevStatus":"PUBLISHING"}"#)
        }
        let auth = try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: KitFixtures.silentLogger)
        let client = try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport, auth: auth, clock: clock,
            logger: KitFixtures.silentLogger)
        let session = try #require(try await client.authenticate())
        #expect(session.expiresAt == clock.now().addingTimeInterval(7200))
        let token = try #require(transport.requests.first)
        #expect(token.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(token.headers["Authorization"] == nil)
        #expect(
            String(decoding: token.body ?? Data(), as: UTF8.self) == "grant_type=client_credentials&client_id=42&client_secret=propq-secret"
        )
    }

    @Test func concurrentRequestsShareOneTokenRequest() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let tokens = KitCallCounter()
        let transport = KitScriptedTransport { request, _ in
            if Self.isTokenRequest(request) {
                let number = tokens.increment()
                for _ in 0..<50 { await Task.yield() }
                return Self.token("tok-\(number)")
            }
            return KitFixtures.json("{}")
        }
        let client = try pfClient(transport: transport, clock: clock)
        let url = try client.url("/users")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<25 {
                group.addTask { _ = try await client.send(TransportRequest(method: .get, url: url)) }
            }
            try await group.waitForAll()
        }
        #expect(tokens.count == 1)
        #expect(transport.requests.filter { !Self.isTokenRequest($0) }.allSatisfy { $0.headers["Authorization"] == "Bearer tok-1" })
    }

    @Test func aTokenThatExpiresMidwayIsRenewedBeforeTheNextRequest() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let tokens = KitCallCounter()
        let transport = KitScriptedTransport { request, _ in
            if Self.isTokenRequest(request) { return Self.token("tok-\(tokens.increment())", expiresIn: 300) }
            return KitFixtures.json("{}")
        }
        let client = try pfClient(transport: transport, clock: clock)
        let url = try client.url("/properties")
        _ = try await client.send(TransportRequest(method: .get, url: url))
        clock.advance(by: .seconds(250)) // Within the 60 s margin of the 300 s token.
        _ = try await client.send(TransportRequest(method: .get, url: url))
        #expect(tokens.count == 2)
        #expect(transport.requests.last?.headers["Authorization"] == "Bearer tok-2")
    }

    @Test func a401ReauthenticatesOnceThenSucceeds() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let tokens = KitCallCounter()
        let transport = KitScriptedTransport { request, _ in
            if Self.isTokenRequest(request) { return Self.token("tok-\(tokens.increment())") }
            // The vendor revoked the first token early.
            return request.headers["Authorization"] == "Bearer tok-1"
                ? KitFixtures.json(#"{"user":"AuthenticationError","messages":["expired"]}"#, status: 401)
                : KitFixtures.json(#"{"ok":true}"#)
        }
        let client = try pfClient(transport: transport, clock: clock)
        let response = try await client.send(TransportRequest(method: .get, url: try client.url("/users")))
        #expect(response.status == 200)
        #expect(tokens.count == 2)
        #expect(clock.sleeps.isEmpty)
    }

    @Test func a401AfterReauthenticatingFailsWithAnAuthErrorNamingTheConnection() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let tokens = KitCallCounter()
        let transport = KitScriptedTransport { request, _ in
            if Self.isTokenRequest(request) { return Self.token("tok-\(tokens.increment())") }
            return KitFixtures.json(#"{"user":"AuthenticationError"}"#, status: 401)
        }
        let client = try pfClient(transport: transport, clock: clock)
        let error = await #expect(throws: ConnectorError.self) {
            try await client.send(TransportRequest(method: .get, url: try client.url("/users")))
        }
        #expect(error?.kind == .auth)
        #expect(error?.connectionID == "conn-1")
        #expect(error?.description.contains("conn-1") == true)
        #expect(error?.httpStatus == 401)
        #expect(tokens.count == 2)
        #expect(transport.requests.count == 4)
    }

    @Test func refusedClientCredentialsFailAsAuthWithoutLeakingThem() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { _, _ in
            KitFixtures.json(#"{"error":"invalid_client","error_description":"unknown key pf-api-key-1"}"#, status: 401)
        }
        let client = try pfClient(transport: transport, clock: clock)
        let error = await #expect(throws: ConnectorError.self) { try await client.authenticate() }
        #expect(error?.kind == .auth)
        #expect(error?.vendorCode == "invalid_client")
        #expect(error?.description.contains("pf-api-key-1") == false)
        #expect(error?.description.contains("conn-1") == true)
        #expect(transport.requests.count == 1)
    }

    @Test func serverErrorsAreRetriedWithBackoffThenSucceed() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { request, index in
            if Self.isTokenRequest(request) { return Self.token("tok") }
            return index < 3 ? KitFixtures.json("oops", status: 503) : KitFixtures.json("{}")
        }
        let client = try pfClient(transport: transport, clock: clock)
        _ = try await client.send(TransportRequest(method: .get, url: try client.url("/users")))
        // Full jitter with random 0.5: half of 100 ms, then half of 200 ms.
        #expect(clock.sleeps == [.milliseconds(50), .milliseconds(100)])
    }

    @Test func retryAfterIsHonouredInSecondsAndAsADateAndClamped() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { request, index in
            if Self.isTokenRequest(request) { return Self.token("tok") }
            switch index {
            case 1: return TransportResponse(status: 429, headers: ["Retry-After": "3"])
            case 2:
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.timeZone = TimeZone(identifier: "GMT")
                formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
                // The clock has moved 3 s; this date is 4 s after that.
                return TransportResponse(status: 503, headers: ["Retry-After": formatter.string(from: clock.now().addingTimeInterval(4))])
            default: return KitFixtures.json("{}")
            }
        }
        let client = try pfClient(
            transport: transport, clock: clock,
            retry: RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(5)))
        _ = try await client.send(TransportRequest(method: .get, url: try client.url("/users")))
        #expect(clock.sleeps == [.seconds(3), .seconds(4)])

        let clamped = KitScriptedTransport { request, index in
            if Self.isTokenRequest(request) { return Self.token("tok") }
            return TransportResponse(status: 429, headers: ["Retry-After": "3600"])
        }
        let clampClock = ManualConnectorClock(autoAdvance: true)
        let limited = try pfClient(transport: clamped, clock: clampClock)
        let error = await #expect(throws: ConnectorError.self) {
            try await limited.send(TransportRequest(method: .get, url: try limited.url("/users")))
        }
        // A wait beyond the 5 s clamp is not slept within the call: the error comes back at once
        // with the vendor's full wait, for the caller to reschedule.
        #expect(clampClock.sleeps.isEmpty)
        #expect(clamped.requests.count == 2)
        #expect(error?.kind == .rateLimited)
        #expect(error?.retryAfter == .seconds(3600))
    }

    @Test func concurrentRequestsRefusedWithTheSameTokenRenewItOnce() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let tokens = KitCallCounter()
        let transport = KitScriptedTransport { request, _ in
            if Self.isTokenRequest(request) {
                let number = tokens.increment()
                for _ in 0..<20 { await Task.yield() }
                return Self.token("tok-\(number)")
            }
            for _ in 0..<20 { await Task.yield() }
            return request.headers["Authorization"] == "Bearer tok-1"
                ? KitFixtures.json(#"{"user":"AuthenticationError"}"#, status: 401)
                : KitFixtures.json("{}")
        }
        let client = try pfClient(transport: transport, clock: clock)
        let url = try client.url("/users")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask { _ = try await client.send(TransportRequest(method: .get, url: url)) }
            }
            try await group.waitForAll()
        }
        // Every request saw tok-1 refused, yet the stale refusals did not discard tok-2.
        #expect(tokens.count == 2)
    }

    @Test func anExhaustedDailyQuotaFailsAtOnceWithTheWaitUntilReset() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { _, _ in KitFixtures.json("{}") }
        let profile = VendorProfile(
            vendor: .apimo, defaultBaseURL: "https://api.apimo.pro", auth: .httpBasic,
            paging: .init(style: .limitOffset, defaultPageSize: 100, maxPageSize: 1000),
            rateLimits: RateLimits(requestsPerSecond: 10, burst: 10, dailyQuota: 1000, quotaTimeZone: "Europe/Paris"))
        let configuration = KitFixtures.configuration(
            .apimo(provider: "1", token: "apimo-token-1", agencyIDs: []), limits: .init(dailyQuota: 2))
        let client = try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport,
            auth: try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: KitFixtures.silentLogger),
            clock: clock, logger: KitFixtures.silentLogger)
        let url = try client.url("/agencies")
        _ = try await client.send(TransportRequest(method: .get, url: url))
        _ = try await client.send(TransportRequest(method: .get, url: url))
        let error = await #expect(throws: ConnectorError.self) { try await client.send(TransportRequest(method: .get, url: url)) }
        #expect(error?.kind == .rateLimited)
        // 2025-01-01 00:00 UTC is 01:00 in Paris: 23 hours to the reset.
        #expect(error?.retryAfter == .seconds(23 * 3600))
        #expect(transport.requests.count == 2)
        #expect(clock.sleeps.isEmpty)
        #expect(transport.requests.first?.headers["Authorization"] == "Basic " + Data("1:apimo-token-1".utf8).base64EncodedString())
    }

    @Test func aCreateIsNotResentAfterAServerErrorButIsAfterARefusedConnection() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { request, _ in
            Self.isTokenRequest(request) ? Self.token("tok") : KitFixtures.json("{}", status: 500)
        }
        let client = try pfClient(transport: transport, clock: clock)
        let error = await #expect(throws: ConnectorError.self) {
            try await client.send(TransportRequest(method: .post, url: try client.url("/leads"), body: Data("{}".utf8)))
        }
        #expect(error?.kind == .retryable)
        #expect(transport.requests.count == 2)

        let refused = KitScriptedTransport { request, index in
            if Self.isTokenRequest(request) { return Self.token("tok") }
            if index == 1 { throw TransportError(.connectFailed, "refused") }
            return KitFixtures.json("{}", status: 201)
        }
        let second = try pfClient(transport: refused, clock: ManualConnectorClock(autoAdvance: true))
        let response = try await second.send(TransportRequest(method: .post, url: try second.url("/leads"), body: Data("{}".utf8)))
        #expect(response.status == 201)
    }

    @Test func networkErrorsAndTimeoutsBecomeRetryableErrors() async throws {
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { request, _ in
            if Self.isTokenRequest(request) { return Self.token("tok") }
            throw TransportError(.timeout, "deadline")
        }
        let client = try pfClient(transport: transport, clock: clock)
        let error = await #expect(throws: ConnectorError.self) {
            try await client.send(TransportRequest(method: .get, url: try client.url("/users"), timeout: .seconds(2)))
        }
        #expect(error?.kind == .retryable)
        #expect(error?.message.contains("no answer within 2 s") == true)
        #expect(error?.operation == "GET /api/users")
        #expect(transport.requests.count == 4)
    }

    @Test func vendorErrorDecodersSeeSuccessfulAnswersToo() async throws {
        // MyCRM-style: HTTP 200 with success:false and a session error, then success.
        let clock = ManualConnectorClock(autoAdvance: true)
        let logins = KitCallCounter()
        let cache = TokenCache(connectionID: "conn-1", renewalMargin: .seconds(60), clock: clock, logger: KitFixtures.silentLogger)
        let auth = SessionAuth(
            cache: cache,
            login: { context in
                AuthSession(secret: "session-\(logins.increment())", obtainedAt: context.clock.now(), idleTimeout: .seconds(1800))
            },
            apply: { request, session in
                request.url =
                    request.url.appending(endpoint: "", query: [URLQueryItem(name: "sessionName", value: session.secret)]) ?? request.url
            })
        let transport = KitScriptedTransport { request, _ in
            request.url.query?.contains("sessionName=session-1") == true
                ? KitFixtures.json(#"{"success":false,"error":{"code":"SESSION_EXPIRED","message":"Session expired"}}"#)
                : KitFixtures.json(#"{"success":true,"result":[]}"#)
        }
        let profile = VendorProfile(
            vendor: .mycrm, defaultBaseURL: nil, auth: .challengeSession(idleTimeout: .seconds(1800), absoluteLifetime: .seconds(86_400)),
            paging: .init(style: .vtql, defaultPageSize: 100, maxPageSize: 100), rateLimits: RateLimits())
        let decoder: VendorHTTPClient.ErrorDecoder = { response, _ in
            guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                object["success"] as? Bool == false,
                let error = object["error"] as? [String: Any], let code = error["code"] as? String
            else { return nil }
            return ConnectorError(
                code == "SESSION_EXPIRED" ? .auth : .rejected, vendor: .mycrm, message: "\(error["message"] ?? "")", vendorCode: code)
        }
        let client = try VendorHTTPClient(
            configuration: KitFixtures.configuration(.mycrm(username: "api", accessKey: "mycrm-key-1")), profile: profile,
            transport: transport, auth: auth, clock: clock, logger: KitFixtures.silentLogger, errorDecoder: decoder)
        let response = try await client.send(
            TransportRequest(method: .get, url: try client.url("/webservice.php", query: [URLQueryItem(name: "operation", value: "query")]))
        )
        #expect(response.status == 200)
        #expect(logins.count == 2)
    }

    @Test func decodingFailuresAreInvalidResponsesWithThePath() throws {
        struct Page: Decodable { var count: Int }
        let client = try pfClient(transport: KitScriptedTransport { _, _ in KitFixtures.json("{}") }, clock: ManualConnectorClock())
        let error = #expect(throws: ConnectorError.self) {
            try client.decode(Page.self, from: KitFixtures.json(#"{"count":"many"}"#), what: "the users page")
        }
        #expect(error?.kind == .invalidResponse)
        #expect(error?.message.contains("count") == true)
        #expect(error?.connectionID == "conn-1")
    }

    @Test func logsCarryConnectionMetadataAndNoSecrets() async throws {
        let handler = KitRecordingLogHandler()
        let logger = Logger(label: "test", factory: { _ in handler })
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { request, index in
            if Self.isTokenRequest(request) { return Self.token("tok-secret-123") }
            return index == 1 ? KitFixtures.json("{}", status: 502) : KitFixtures.json("{}")
        }
        let client = try pfClient(transport: transport, clock: clock, logger: logger)
        _ = try await client.send(
            TransportRequest(method: .get, url: try client.url("/users", query: [URLQueryItem(name: "token", value: "query-secret-9")])))
        let text = handler.all
        #expect(text.contains("hub.vendor=pf-expert"))
        #expect(text.contains("hub.connection.id=conn-1"))
        #expect(text.contains("retrying vendor request"))
        for secret in ["tok-secret-123", "query-secret-9", "pf-api-key-1", "pf-api-secret-1"] {
            #expect(!text.contains(secret), "log leaks \(secret)")
        }
    }
}
