import AsyncHTTPClient
import BostonLogicConnector
import ConnectorKit
import Foundation
import Testing

/// The real transport against a loopback server.
@Suite struct KitAsyncHTTPClientTransportTests {
    @Test func aRequestRoundTripsWithMethodHeadersBodyAndStatus() async throws {
        let server = try await KitLoopbackServer.start { request in
            KitLoopbackServer.Reply(
                status: 201, headers: [("Content-Type", "application/json"), ("Location", "/leads/77")],
                body: Data(#"{"echo":\#(String(decoding: request.body, as: UTF8.self))}"#.utf8))
        }
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        do {
            let url = try #require(
                server.baseURL.appending(endpoint: "/leads", query: [URLQueryItem(name: "email", value: "a+b@example.com")]))
            let response = try await transport.send(
                TransportRequest(
                    method: .post, url: url, headers: ["Content-Type": "application/json", "X-Test": "1"],
                    body: Data(#"{"name":"Ada"}"#.utf8), timeout: .seconds(5)))
            #expect(response.status == 201)
            #expect(response.headers["location"] == "/leads/77")
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"echo":{"name":"Ada"}}"#)
            let seen = try #require(server.requests.first)
            #expect(seen.method == "POST")
            #expect(seen.uri == "/leads?email=a%2Bb@example.com")
            #expect(seen.header("X-Test") == ["1"])
            #expect(String(decoding: seen.body, as: UTF8.self) == #"{"name":"Ada"}"#)
        }
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test func anExplicitHostHeaderIsSentInsteadOfTheURLHost() async throws {
        let server = try await KitLoopbackServer.start { _ in KitLoopbackServer.Reply() }
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        _ = try await transport.send(
            TransportRequest(
                method: .get, url: try #require(server.baseURL.appending(endpoint: "/api/v2/offices")),
                headers: ["Host": "www.agency.example"], timeout: .seconds(5)))
        #expect(server.requests.first?.header("Host") == ["www.agency.example"])
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test func aSilentServerTimesOutWithinTheDeadline() async throws {
        let server = try await KitLoopbackServer.start { _ in KitLoopbackServer.Reply(respond: false) }
        // The request's 150 ms deadline must end it, not the 60 s read timeout; the bound is
        // loose so a loaded machine cannot fail it.
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(2), readTimeout: .seconds(60))
        let started = ContinuousClock.now
        let error = await #expect(throws: TransportError.self) {
            try await transport.send(TransportRequest(method: .get, url: server.baseURL, timeout: .milliseconds(150)))
        }
        #expect(error?.code == .timeout)
        #expect(ContinuousClock.now - started < .seconds(20))
        try await transport.shutdown()
        try await server.shutdown()
    }

    @Test func aClosedPortIsAConnectFailure() async throws {
        // Port 1 on loopback: nothing listens there. (A port freed by a stopped server can be
        // taken at once by another test's server running in parallel.)
        let url = try #require(URL(string: "http://127.0.0.1:1/"))
        let transport = AsyncHTTPClientTransport(connectTimeout: .milliseconds(500), readTimeout: .seconds(1))
        let error = await #expect(throws: TransportError.self) {
            try await transport.send(TransportRequest(method: .get, url: url, timeout: .seconds(2)))
        }
        #expect(error?.code == .connectFailed)
        #expect(error?.requestNeverSent == true)
        try await transport.shutdown()
    }

    @Test func anOversizedBodyIsRefused() async throws {
        let server = try await KitLoopbackServer.start { _ in
            KitLoopbackServer.Reply(body: Data(repeating: UInt8(ascii: "x"), count: 4096))
        }
        let client = VendorHTTPConfiguration.standard.makeClient()
        let transport = AsyncHTTPClientTransport(client: client, maxBodyBytes: 1024)
        let error = await #expect(throws: TransportError.self) {
            try await transport.send(TransportRequest(method: .get, url: server.baseURL, timeout: .seconds(5)))
        }
        #expect(error?.code == .bodyTooLarge)
        // A borrowed client is left to its owner.
        try await transport.shutdown()
        try await client.shutdown()
        try await server.shutdown()
    }

    @Test func theExecutorOverTheRealTransportRetriesAndAuthenticates() async throws {
        let calls = KitCallCounter()
        let server = try await KitLoopbackServer.start { request in
            let number = calls.increment()
            guard request.header("X-BL-API-Key") == ["bl-key-1234"], request.header("Host") == ["tenant.example"] else {
                return KitLoopbackServer.Reply(status: 401, body: Data(#"{"status":"unauthorized"}"#.utf8))
            }
            return number == 1
                ? KitLoopbackServer.Reply(status: 503, headers: [("Retry-After", "0")], body: Data())
                : KitLoopbackServer.Reply(body: Data(#"{"status":"success","data":[]}"#.utf8))
        }
        let profile = VendorProfile(
            vendor: .bostonLogic, defaultBaseURL: nil, auth: .apiKeyHeader(name: "X-BL-API-Key", bindsHost: true),
            paging: .init(style: .none, defaultPageSize: 1, maxPageSize: 1), rateLimits: RateLimits())
        let configuration = ConnectorConfiguration(
            connectionID: "bl-1", baseURL: server.baseURL, credentials: .bostonLogic(apiKey: "bl-key-1234", host: "tenant.example"))
        let clock = SystemConnectorClock()
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        let client = try VendorHTTPClient(
            configuration: configuration, profile: profile, transport: transport,
            auth: try StandardAuth.strategy(profile: profile, configuration: configuration, clock: clock, logger: KitFixtures.silentLogger),
            clock: clock, logger: KitFixtures.silentLogger)
        let (value, _) = try await client.sendJSON(
            try client.jsonRequest(.get, try client.url("/api/v2/offices")), as: [String: JSONValueProbe].self)
        #expect(value["status"] == .string("success"))
        #expect(calls.count == 2)
        try await transport.shutdown()
        try await server.shutdown()
    }
}

/// A minimal JSON value for the executor round trip.
enum JSONValueProbe: Decodable, Equatable {
    case string(String)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .string(text) } else { self = .other }
    }
}
