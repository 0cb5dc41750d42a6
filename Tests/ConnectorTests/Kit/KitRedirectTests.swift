import ApimoConnector
import AsyncHTTPClient
import BostonLogicConnector
import ConnectorKit
import Foundation
import PFExpertConnector
import ResalesOnlineConnector
import Testing

/// No vendor request follows a redirect: live, over loopback, with the shared client
/// configuration. A first server answers 3xx with a `Location` on a second server; the second
/// must receive nothing, and the 3xx must reach the classifier as a `configuration` error
/// naming the status and the `Location`.
@Suite struct KitRedirectTests {
    /// The bare transport over the shared configuration hands the 3xx back as a response
    /// (AsyncHTTPClient's `.disallow` returns it; it throws nothing).
    @Test func theSharedClientReturnsTheRedirectItself() async throws {
        let target = try await KitLoopbackServer.start { _ in KitLoopbackServer.Reply() }
        let location = target.baseURL.absoluteString + "/landing"
        let origin = try await KitLoopbackServer.start { _ in
            KitLoopbackServer.Reply(status: 302, headers: [("Location", location)], body: Data())
        }
        let transport = AsyncHTTPClientTransport(configuration: .standard)
        let response = try await transport.send(
            TransportRequest(
                method: .post, url: origin.baseURL.appendingPathComponent("leads"),
                headers: ["Authorization": "Basic c2VjcmV0OnNlY3JldA==", "Content-Type": "application/json"],
                body: Data(#"{"name":"x"}"#.utf8), timeout: .seconds(5)))
        #expect(response.status == 302)
        #expect(response.headers["Location"] == location)
        #expect(origin.requests.count == 1)
        #expect(target.requests.isEmpty)
        try await transport.shutdown()
        try await origin.shutdown()
        try await target.shutdown()
    }

    /// A POST with a credential header answered 307 (which a following client would resend
    /// with the same method, body and headers): one request to the first server, none to the
    /// second, and a configuration error naming 307 and the Location.
    @Test(arguments: [301, 302, 303, 307, 308])
    func aVendorRedirectIsAConfigurationErrorAndIsNotFollowed(status: Int) async throws {
        let target = try await KitLoopbackServer.start { _ in KitLoopbackServer.Reply() }
        let location = target.baseURL.absoluteString + "/elsewhere/leads"
        let origin = try await KitLoopbackServer.start { _ in
            KitLoopbackServer.Reply(status: status, headers: [("Location", location)], body: Data())
        }
        let profile = VendorProfile(
            vendor: .apimo, defaultBaseURL: nil, auth: .httpBasic,
            paging: .init(style: .none, defaultPageSize: 1, maxPageSize: 1), rateLimits: RateLimits())
        let configuration = ConnectorConfiguration(
            connectionID: "apimo-1", baseURL: origin.baseURL,
            credentials: .apimo(provider: "4242", token: "apimo-token-secret", agencyIDs: []))
        let clock = SystemConnectorClock()
        let transport = AsyncHTTPClientTransport(configuration: .standard)
        let client = try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport,
            auth: try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: KitFixtures.silentLogger),
            clock: clock, logger: KitFixtures.silentLogger)
        let request = TransportRequest(
            method: .post, url: try #require(origin.baseURL.appending(endpoint: "/leads")),
            headers: ["Content-Type": "application/json"], body: Data(#"{"firstname":"Ada"}"#.utf8), isIdempotent: true)
        let error = await #expect(throws: ConnectorError.self) { _ = try await client.send(request) }
        #expect(error?.kind == .configuration)
        #expect(error?.httpStatus == status)
        #expect(error?.message.contains("HTTP \(status)") == true)
        #expect(error?.message.contains(location) == true)
        #expect(error?.message.contains("never follows redirects") == true)
        #expect(error?.message.contains("apimo-token-secret") == false)
        // Sent once with its credentials, never resent, never followed.
        #expect(origin.requests.count == 1)
        #expect(origin.requests.first?.method == "POST")
        #expect(origin.requests.first?.header("Authorization").first?.hasPrefix("Basic ") == true)
        #expect(target.requests.isEmpty)
        try await transport.shutdown()
        try await origin.shutdown()
        try await target.shutdown()
    }

    /// PropQ's documented 3xx ("the Content-Type may be missing") through the real connector:
    /// a POST publish with its bearer token is redirected; the error says what PropQ's document
    /// says it means and names the status and the Location; the second server gets nothing.
    @Test func propqRedirectIsReportedAsAContentTypeProblem() async throws {
        let target = try await KitLoopbackServer.start { _ in KitLoopbackServer.Reply() }
        let location = target.baseURL.absoluteString + "/"
        let origin = try await KitLoopbackServer.start { request in
            if request.uri.hasPrefix("/oauth/token") {
                return KitLoopbackServer.Reply(
                    body: Data(#"{"access_token":"propq-bearer-1","token_type":"Bearer","expires_in":7200}"#.utf8))
            }
            return KitLoopbackServer.Reply(
                status: 302, headers: [("Location", location), ("Content-Type", "text/html")], body: Data("<html></html>".utf8))
        }
        let configuration = ConnectorConfiguration(
            connectionID: "propq-redirect", baseURL: origin.baseURL,
            credentials: .propq(clientID: 7, clientSecret: "propq-secret-value"))
        let transport = AsyncHTTPClientTransport(configuration: .standard)
        let connector = try ResalesOnlineConnector(
            configuration: configuration, transport: transport, logger: KitFixtures.silentLogger)
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.publish(development: "1001") }
        #expect(error?.kind == .configuration)
        #expect(error?.vendor == .propq)
        #expect(error?.httpStatus == 302)
        #expect(error?.message.contains("HTTP 302") == true)
        #expect(error?.message.contains(location) == true)
        #expect(error?.message.contains("missing or wrong Content-Type") == true)
        let api = origin.requests.filter { !$0.uri.hasPrefix("/oauth/token") }
        #expect(api.count == 1)
        #expect(api.first?.method == "POST")
        #expect(api.first?.header("Authorization") == ["Bearer propq-bearer-1"])
        #expect(target.requests.isEmpty)
        try await transport.shutdown()
        try await origin.shutdown()
        try await target.shutdown()
    }

    /// A token endpoint that redirects is a wrong auth URL, reported as such (not as refused
    /// credentials), and the credentials do not travel to the `Location`.
    @Test func aRedirectingTokenEndpointIsAConfigurationError() async throws {
        let target = try await KitLoopbackServer.start { _ in KitLoopbackServer.Reply() }
        let location = target.baseURL.absoluteString + "/auth/oauth/v1/token"
        let origin = try await KitLoopbackServer.start { _ in
            KitLoopbackServer.Reply(status: 308, headers: [("Location", location)], body: Data())
        }
        let profile = KitFixtures.oauthProfile()
        let configuration = ConnectorConfiguration(
            connectionID: "pf-redirect", baseURL: origin.baseURL,
            credentials: .pfExpert(apiKey: "pf-key-123", apiSecret: "pf-secret-456"))
        let clock = SystemConnectorClock()
        let transport = AsyncHTTPClientTransport(configuration: .standard)
        let client = try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport,
            auth: try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: KitFixtures.silentLogger),
            clock: clock, logger: KitFixtures.silentLogger)
        let error = await #expect(throws: ConnectorError.self) { try await client.authenticate() }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("HTTP 308") == true)
        #expect(error?.message.contains(location) == true)
        #expect(origin.requests.count == 1)
        #expect(target.requests.isEmpty)
        try await transport.shutdown()
        try await origin.shutdown()
        try await target.shutdown()
    }

    /// A Location carrying a secret query parameter is redacted in the message.
    @Test func theLocationIsRedacted() {
        let response = TransportResponse(
            status: 302, headers: ["Location": "https://elsewhere.example/cb?access_token=abc123secret&x=1"])
        let error = HTTPErrorClassifier.redirect(response, vendor: .bostonLogic, redactor: Redactor(secrets: []))
        #expect(error.kind == .configuration)
        #expect(!error.message.contains("abc123secret"))
        #expect(error.message.contains("https://elsewhere.example/cb?"))
        let none = HTTPErrorClassifier.redirect(TransportResponse(status: 301), vendor: .apimo, redactor: Redactor(secrets: []))
        #expect(
            none.message
                == "apimo answered HTTP 301 redirecting with no Location; the hub never follows redirects: check the base URL and the auth URL"
        )
    }
}
