import ConnectorKit
import Foundation
import Logging
import RealtyModel
import Testing

@testable import ResalesOnlineConnector

/// Scripted PropQ answers: a token endpoint issuing `tok-1`, `tok-2`, ... and API routes.
private final class PropQScript: Sendable {
    let transport: KitScriptedTransport

    init(expiresIn: Int = 7200, api: @escaping @Sendable (TransportRequest, Int) async throws -> TransportResponse) {
        let tokens = KitCallCounter()
        let apiCalls = KitCallCounter()
        transport = KitScriptedTransport { request, _ in
            if request.url.path == "/oauth/token" {
                let number = tokens.increment()
                return KitFixtures.json(#"{"token_type": "Bearer", "expires_in": \#(expiresIn), "access_token": "tok-\#(number)"}"#)
            }
            return try await api(request, apiCalls.increment() - 1)
        }
    }

    var apiRequests: [TransportRequest] { transport.requests.filter { $0.url.path != "/oauth/token" } }
    var tokenRequests: [TransportRequest] { transport.requests.filter { $0.url.path == "/oauth/token" } }
}

private func propqConnector(
    _ script: PropQScript, clock: ManualConnectorClock = ManualConnectorClock(autoAdvance: true), developments: [String] = []
) throws -> ResalesOnlineConnector {
    let configuration = ConnectorConfiguration(
        connectionID: "propq-1", baseURL: URL(string: "http://127.0.0.1:9003")!,
        credentials: .propq(clientID: 5, clientSecret: "s3cr3t-value"),
        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(5)))
    return try ResalesOnlineConnector(
        configuration: configuration, transport: script.transport, clock: clock, logger: KitFixtures.silentLogger,
        developmentIDs: developments)
}

private func collect<R: HubRecord>(_ stream: AsyncThrowingStream<ConnectorPage<R>, any Error>) async throws -> [ConnectorPage<R>] {
    var pages: [ConnectorPage<R>] = []
    for try await page in stream { pages.append(page) }
    return pages
}

@Suite struct ResalesOnlineConnectorTests {
    /// The token request (form body, integer client id, no JSON content type) and the unit
    /// update (JSON content type, bearer, the seed's body) as the document describes them.
    @Test func updateUnitRequestShapes() async throws {
        let script = PropQScript { _, _ in KitFixtures.json(#"{"success": true}"#) }
        let connector = try propqConnector(script)
        let answer = try await connector.updateUnit(
            development: "DEV-42", unitName: "Test", changes: UnitChanges(status: .available, price: 123456, directions: []))
        #expect(answer == .object(["success": .bool(true)]))

        let token = try #require(script.tokenRequests.first)
        #expect(token.method == .post)
        #expect(token.url.absoluteString == "http://127.0.0.1:9003/oauth/token")
        #expect(token.headers["Content-Type"] == "application/x-www-form-urlencoded")
        #expect(token.headers["Authorization"] == nil)
        #expect(
            String(decoding: try #require(token.body), as: UTF8.self)
                == "grant_type=client_credentials&client_id=5&client_secret=s3cr3t-value")

        let update = try #require(script.apiRequests.first)
        #expect(update.method == .post)
        #expect(update.url.path == "/v1/developments/DEV-42/units/update-by-name")
        #expect(update.headers["Content-Type"] == "application/json")
        #expect(update.headers["Authorization"] == "Bearer tok-1")
        #expect(update.isIdempotent)
        let body = try JSONDecoder().decode(JSONValue.self, from: try #require(update.body))
        #expect(
            body
                == .object([
                    "UntName": .string("Test"), "UntStatus": .number(1), "UntPrice": .number(123456), "UntDirections": .array([]),
                ]))
    }

    /// Publish and publish status carry the JSON content type although they have no body.
    @Test func publishAndStatus() async throws {
        let script = PropQScript { request, _ in
            request.url.path.hasSuffix("/publish-status")
                ? KitFixtures.json(#"{"DevStatus": "PUBLISHING"}"#) : TransportResponse(status: 200)
        }
        let connector = try propqConnector(script)
        #expect(try await connector.publish(development: "DEV-42") == nil)
        #expect(try await connector.publishStatus(development: "DEV-42") == .publishing)
        let requests = script.apiRequests
        #expect(requests.map(\.method) == [.post, .get])
        #expect(requests.map(\.url.path) == ["/v1/developments/DEV-42/publish", "/v1/developments/DEV-42/publish-status"])
        #expect(requests.allSatisfy { $0.headers["Content-Type"] == "application/json" && $0.body == nil })
        // The token is cached across calls.
        #expect(script.tokenRequests.count == 1)
    }

    /// The token is cached for its `expires_in` and renewed when it runs out.
    @Test func tokenLifetimeFollowsExpiresIn() async throws {
        let script = PropQScript(expiresIn: 600) { _, _ in KitFixtures.json(#"{"DevStatus": "PUBLISHED"}"#) }
        let clock = ManualConnectorClock(autoAdvance: true)
        let connector = try propqConnector(script, clock: clock)
        _ = try await connector.publishStatus(development: "D")
        clock.advance(by: .seconds(500))
        _ = try await connector.publishStatus(development: "D")
        #expect(script.tokenRequests.count == 1)
        clock.advance(by: .seconds(60))
        _ = try await connector.publishStatus(development: "D")
        #expect(script.tokenRequests.count == 2)
    }

    /// A 401 renews the token once.
    @Test func reauthenticatesOnceOn401() async throws {
        let script = PropQScript { _, index in
            index == 0
                ? KitFixtures.json(#"{"message": "Unauthenticated."}"#, status: 401) : KitFixtures.json(#"{"DevStatus": "PUBLISHED"}"#)
        }
        let connector = try propqConnector(script)
        #expect(try await connector.publishStatus(development: "D") == .published)
        #expect(script.tokenRequests.count == 2)
        #expect(script.apiRequests.map { $0.headers["Authorization"] } == ["Bearer tok-1", "Bearer tok-2"])
    }

    /// The documented response codes, each with its classification.
    @Test(arguments: [
        (400, #"{"message": "Bad request"}"#, ConnectorError.Kind.validation),
        (401, #"{"message": "Unauthenticated."}"#, .auth),
        (403, #"{"message": "This action is unauthorized."}"#, .permission),
        (404, #"{"message": "Development not found"}"#, .notFound),
        (419, #"{"message": "Method not allowed"}"#, .configuration),
        (302, "", .configuration),
        (503, "", .retryable),
    ])
    func documentedStatuses(status: Int, body: String, kind: ConnectorError.Kind) async throws {
        let script = PropQScript { _, _ in KitFixtures.json(body, status: status) }
        let connector = try propqConnector(script)
        await #expect {
            _ = try await connector.publishStatus(development: "D")
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == kind && error.httpStatus == status && error.vendor == .propq
        }
    }

    /// A 422 becomes `.validation` with the vendor's per-field errors.
    @Test func validationErrors() async throws {
        let script = PropQScript { _, _ in
            KitFixtures.json(
                #"""
                {"message": "The given data was invalid.", "errors": {"UntName": ["The selected unt name is invalid."]}}
                """#, status: 422)
        }
        let connector = try propqConnector(script)
        await #expect {
            try await connector.updateUnit(
                development: "D", unitName: "X-9", changes: UnitChanges(status: .sold, price: 1, directions: ["South"]))
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .validation
                && error.fieldErrors == [FieldError(field: "UntName", message: "The selected unt name is invalid.")]
        }
        // Invalid input is refused before any request.
        await #expect(throws: ConnectorError.self) {
            try await connector.updateUnit(
                development: "D/../x", unitName: "A", changes: UnitChanges(status: .sold, price: 1, directions: []))
        }
        await #expect(throws: ConnectorError.self) {
            try await connector.updateUnit(development: "D", unitName: "", changes: UnitChanges(status: .sold, price: 1, directions: []))
        }
        #expect(script.apiRequests.count == 1)
    }

    /// A 429 is retried after its `Retry-After`.
    @Test func rateLimitedIsRetriedAfterTheWait() async throws {
        let script = PropQScript { _, index in
            index == 0
                ? TransportResponse(status: 429, headers: ["Retry-After": "2"])
                : KitFixtures.json(#"{"DevStatus": "PUBLISHED"}"#)
        }
        let clock = ManualConnectorClock(autoAdvance: true)
        let connector = try propqConnector(script, clock: clock)
        #expect(try await connector.publishStatus(development: "D") == .published)
        #expect(clock.sleeps.contains(.seconds(2)))
    }

    /// Development records for the tracked developments; an unknown one (404) is left out.
    @Test func readDevelopments() async throws {
        let script = PropQScript { request, _ in
            request.url.path.contains("/GONE/")
                ? KitFixtures.json(#"{"message": "Not found"}"#, status: 404)
                : KitFixtures.json(#"{"DevStatus": "PUBLISHED"}"#)
        }
        let connector = try propqConnector(script, developments: ["D1", "GONE", "D2"])
        let pages = try await collect(connector.read(Development.self, mode: .full, after: nil))
        #expect(pages.count == 1)
        #expect(pages[0].isLast)
        let records = pages[0].records
        #expect(records.map(\.metadata.sourceKey) == ["D1", "D2"])
        #expect(
            records.allSatisfy {
                $0.developmentStatus == "PUBLISHED" && $0.metadata.sourceSystemName == "propq" && $0.metadata.connectionID == "propq-1"
                    && $0.metadata.raw == .object(["DevStatus": .string("PUBLISHED")]) && $0.validate().isEmpty
            })

        let untracked = try propqConnector(script)
        await #expect(throws: ConnectorError.self) { _ = try await collect(untracked.read(Development.self, mode: .full, after: nil)) }
        await #expect(throws: ConnectorError.self) { _ = try await collect(connector.read(Property.self, mode: .full, after: nil)) }
        await #expect(throws: ConnectorError.self) { _ = try await connector.create(Property()) }
        #expect(connector.capabilities.operations == ["update-unit", "publish-development", "publish-status"])
        #expect(connector.capabilities.read(.development) != nil)
        #expect(untracked.capabilities.readable.isEmpty)
    }

    @Test func refusedClientCredentials() async throws {
        let transport = KitScriptedTransport { _, _ in
            KitFixtures.json(#"{"error": "invalid_client", "message": "Client authentication failed"}"#, status: 401)
        }
        let configuration = ConnectorConfiguration(
            connectionID: "propq-1", baseURL: URL(string: "http://127.0.0.1:9003")!,
            credentials: .propq(clientID: 5, clientSecret: "s3cr3t-value"))
        let connector = try ResalesOnlineConnector(
            configuration: configuration, transport: transport, clock: ManualConnectorClock(autoAdvance: true),
            logger: KitFixtures.silentLogger)
        await #expect {
            try await connector.verify()
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .auth && error.description.contains("propq-1") && !error.description.contains("s3cr3t-value")
        }
    }
}
