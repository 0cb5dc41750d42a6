import ApimoConnector
import BostonLogicConnector
import ConnectorKit
import Connectors
import Foundation
import MyCRMConnector
import PFExpertConnector
import ResalesOnlineConnector
import Testing

@Suite struct KitRegistryTests {
    static let credentials: [any VendorCredentials] = [
        .pfExpert(apiKey: "pf-key-0001", apiSecret: "pf-secret-0001"),
        .propq(clientID: 7, clientSecret: "propq-secret-01"),
        .mycrm(username: "api-user", accessKey: "mycrm-access-01"),
        .apimo(provider: "99", token: "apimo-token-01", agencyIDs: ["1"]),
        .bostonLogic(apiKey: "bl-key-000001", host: "www.example.com"),
    ]

    @Test(arguments: credentials)
    func theRegistryBuildsEachVendorsConnector(_ credentials: any VendorCredentials) throws {
        let transport = KitScriptedTransport { _, _ in KitFixtures.json("{}") }
        let connector = try ConnectorRegistry.make(
            vendor: credentials.vendor,
            configuration: KitFixtures.configuration(credentials, baseURL: "http://127.0.0.1:9"),
            transport: transport, clock: ManualConnectorClock(), logger: KitFixtures.silentLogger)
        #expect(connector.vendor == credentials.vendor)
        #expect(ConnectorRegistry.profile(for: credentials.vendor)?.vendor == credentials.vendor)
        #expect(transport.requests.isEmpty, "building a connector must not call the vendor")
    }

    @Test func credentialsOfAnotherVendorAreRefused() {
        let error = #expect(throws: ConnectorError.self) {
            try ConnectorRegistry.make(
                vendor: .apimo, configuration: KitFixtures.configuration(Self.credentials[0]),
                transport: KitScriptedTransport { _, _ in KitFixtures.json("{}") }, logger: KitFixtures.silentLogger)
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("pf-expert") == true)
    }

    @Test func vendorsAreKnownByNameOnlyThroughTheRegistry() {
        #expect(ConnectorRegistry.vendors.map(\.rawValue) == ["pf-expert", "propq", "mycrm", "apimo", "boston-logic"])
        #expect(ConnectorRegistry.vendor(named: "boston-logic")?.displayName == "Boston Logic")
        #expect(ConnectorRegistry.vendor(named: "acme") == nil)
        #expect(ConnectorRegistry.profile(for: VendorID(rawValue: "acme")) == nil)
        let error = #expect(throws: ConnectorError.self) {
            try ConnectorRegistry.credentials(for: VendorID(rawValue: "acme"), json: Data("{}".utf8))
        }
        #expect(error?.message.contains("unknown vendor") == true)
        #expect(ConnectorRegistry.credentialKeys(for: .apimo) == "provider, token, agency_ids")
    }

    @Test func profilesCarryTheDocumentedFacts() throws {
        let apimo = try #require(ConnectorRegistry.profile(for: .apimo))
        #expect(apimo.rateLimits.requestsPerSecond == 8) // under the documented 10, one at a time
        #expect(apimo.rateLimits.dailyQuota == 1000)
        #expect(apimo.rateLimits.quotaTimeZone == "Europe/Paris")
        #expect(ConnectorRegistry.profile(for: .pfExpert)?.paging.maxPageSize == 100)
        #expect(ConnectorRegistry.profile(for: .mycrm)?.paging.maxPageSize == 100)
        guard case .oauth2ClientCredentials(_, .formBody, _)? = ConnectorRegistry.profile(for: .propq)?.auth else {
            Issue.record("PropQ sends a form body")
            return
        }
        guard case .apiKeyHeader("X-BL-API-Key", true)? = ConnectorRegistry.profile(for: .bostonLogic)?.auth else {
            Issue.record("Boston Logic binds its key to the host")
            return
        }
    }

    @Test func pfUsesItsSeparateAuthHostOnlyForItsOwnAPIHost() throws {
        let profile = try #require(ConnectorRegistry.profile(for: .pfExpert))
        let real = KitFixtures.configuration(Self.credentials[0], baseURL: "https://api-v2.mycrm.com")
        #expect(real.effectiveAuthBaseURL(profile).absoluteString == "https://auth.propertyfinder.com")
        let sandbox = KitFixtures.configuration(Self.credentials[0], baseURL: "http://127.0.0.1:8080")
        #expect(sandbox.effectiveAuthBaseURL(profile).absoluteString == "http://127.0.0.1:8080")
        let explicit = KitFixtures.configuration(Self.credentials[0], baseURL: "http://127.0.0.1:8080", authURL: "http://127.0.0.1:8081")
        #expect(explicit.effectiveAuthBaseURL(profile).absoluteString == "http://127.0.0.1:8081")
    }
}
