import ConnectorKit
import Foundation
import PFExpertConnector
import Testing

/// Token endpoint errors blame the right thing, and the auth URL may be the host or the full
/// token URL.
@Suite struct KitTokenEndpointTests {
    private func client(_ transport: KitScriptedTransport, authURL: String? = nil) throws -> VendorHTTPClient {
        let profile = KitFixtures.oauthProfile()
        let configuration = KitFixtures.configuration(
            .pfExpert(apiKey: "pf-api-key-1", apiSecret: "pf-api-secret-1"), authURL: authURL,
            retry: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1), maxRetryAfter: .milliseconds(1)))
        let clock = ManualConnectorClock(autoAdvance: true)
        let auth = try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: KitFixtures.silentLogger)
        return try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport, auth: auth, clock: clock,
            logger: KitFixtures.silentLogger)
    }

    /// 404 and 405: nothing answers token requests there; a wrong auth URL, not bad credentials.
    @Test(arguments: [404, 405])
    func missingTokenEndpointIsAConfigurationError(status: Int) async throws {
        let transport = KitScriptedTransport { _, _ in KitFixtures.json(#"{"message":"Not Found"}"#, status: status) }
        let client = try client(transport, authURL: "http://127.0.0.1:9/wrong")
        let error = await #expect(throws: ConnectorError.self) { try await client.authenticate() }
        #expect(error?.kind == .configuration)
        #expect(error?.httpStatus == status)
        #expect(
            error?.message
                == "no token endpoint at http://127.0.0.1:9/wrong/auth/oauth/v1/token (HTTP \(status)); check the auth URL of connection conn-1"
        )
        #expect(error?.message.contains("refused") == false)
        #expect(transport.requests.count == 1)
    }

    /// 400 and 401: the endpoint is there and refused the credentials.
    @Test(arguments: [400, 401])
    func refusedCredentialsAreAnAuthError(status: Int) async throws {
        let transport = KitScriptedTransport { _, _ in
            KitFixtures.json(#"{"error":"invalid_client","error_description":"bad secret"}"#, status: status)
        }
        let client = try client(transport)
        let error = await #expect(throws: ConnectorError.self) { try await client.authenticate() }
        #expect(error?.kind == .auth)
        #expect(error?.httpStatus == status)
        #expect(error?.vendorCode == "invalid_client")
        #expect(error?.message.contains("the token endpoint refused the client credentials of connection conn-1: bad secret") == true)
        #expect(error?.message.contains("no token endpoint") == false)
    }

    /// The auth URL as a host, a host with a trailing slash, the full token URL (what the PF
    /// document and `realtyhub sandbox --json` print), with a trailing slash, or under a prefix:
    /// each names the same token endpoint.
    @Test(arguments: [
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/auth/oauth/v1/token"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/auth/oauth/v1/token"),
        ("http://127.0.0.1:8081/auth/oauth/v1/token", "http://127.0.0.1:8081/auth/oauth/v1/token"),
        ("http://127.0.0.1:8081/auth/oauth/v1/token/", "http://127.0.0.1:8081/auth/oauth/v1/token"),
        ("https://auth.propertyfinder.com/auth/oauth/v1/token", "https://auth.propertyfinder.com/auth/oauth/v1/token"),
        ("https://gateway.example/pf", "https://gateway.example/pf/auth/oauth/v1/token"),
        ("https://gateway.example/pf/auth/oauth/v1/token", "https://gateway.example/pf/auth/oauth/v1/token"),
    ])
    func theAuthURLMayBeTheHostOrTheTokenURL(authURL: String, tokenURL: String) throws {
        let configuration = KitFixtures.configuration(
            .pfExpert(apiKey: "k", apiSecret: "s"), authURL: authURL)
        let built = try #require(configuration.tokenURL(KitFixtures.oauthProfile(), tokenPath: "/auth/oauth/v1/token"))
        #expect(built.absoluteString == tokenURL)
    }

    /// The token request itself goes to the normalised URL (the full token URL is not doubled).
    @Test func theTokenRequestUsesTheNormalisedURL() async throws {
        let transport = KitScriptedTransport { _, _ in
            KitFixtures.json(#"{"access_token":"tok","token_type":"Bearer","expires_in":1800}"#)
        }
        let client = try client(transport, authURL: "http://127.0.0.1:8081/auth/oauth/v1/token")
        try await client.authenticate()
        #expect(transport.requests.map(\.url.absoluteString) == ["http://127.0.0.1:8081/auth/oauth/v1/token"])
    }
}
