import ConnectorKit
import Foundation
import MetricsTestKit
import PFExpertConnector
import Testing

@Suite struct KitMetricsTests {
    @Test func requestsRetriesAndErrorsAreMeasuredWithLowCardinalityDimensions() async throws {
        let metrics = TestMetrics()
        let clock = ManualConnectorClock(autoAdvance: true)
        let transport = KitScriptedTransport { request, index in
            if request.url.path.hasSuffix("/token") {
                return KitFixtures.json(#"{"access_token":"t","token_type":"Bearer","expires_in":1800}"#)
            }
            return index == 1 ? KitFixtures.json("{}", status: 503) : KitFixtures.json("{}", status: 404)
        }
        let profile = KitFixtures.oauthProfile()
        let configuration = KitFixtures.configuration(.pfExpert(apiKey: "key-1234", apiSecret: "secret-1234"))
        let client = try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport,
            auth: try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: KitFixtures.silentLogger),
            clock: clock, logger: KitFixtures.silentLogger, metricsFactory: metrics, random: { 0 })
        await #expect(throws: ConnectorError.self) {
            try await client.send(TransportRequest(method: .get, url: try client.url("/users/42")))
        }
        let timers = metrics.timers(label: "http.client.request.duration")
        #expect(timers.count == 3) // token 200, users 503, users 404
        #expect(Set(timers.flatMap { $0.dimensions.filter { $0.0 == "http.response.status_code" }.map(\.1) }) == ["200", "503", "404"])
        #expect(timers.allSatisfy { $0.dimensions.contains { $0 == ("hub.vendor", "pf-expert") } })
        #expect(metrics.counterTotal(label: "realtyhub.connector.retries") == 1)
        let errors = metrics.counters(label: "realtyhub.connector.errors")
        #expect(errors.count == 1)
        #expect(errors.first?.dimensions.contains { $0 == ("error.type", "not_found") } == true)
    }
}
