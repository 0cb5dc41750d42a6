import AsyncHTTPClient
import Foundation
import HTTPTypes
import HubApp
import HubOperations
import HubStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import RealtyModel
import Testing

@testable import HubServer

/// `POST /v1/leads` under one Idempotency-Key, 20 requests at once over 20 HTTP connections to
/// a served hub: the key's unique row in the store decides which request commits.
@Suite struct IdempotencyRaceTests {
    static let lead = #"{"lead":{"FirstName":"Ada","LastName":"Lovelace","Email":"ada@example.com"},"connections":["crm","crm-2"]}"#

    /// Sends `bodies` at once (one request each) with the key, and returns (status, body) in order.
    static func fire(port: Int, token: String, key: String, bodies: [String]) async throws -> [(Int, JSONValue)] {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let answers = try await withThrowingTaskGroup(of: (Int, Int, JSONValue).self) { group in
                for (index, body) in bodies.enumerated() {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/leads")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.headers.add(name: "Idempotency-Key", value: key)
                        request.body = .bytes(ByteBuffer(string: body))
                        let response = try await http.execute(request, timeout: .seconds(60))
                        let bytes = try await response.body.collect(upTo: 1 << 20)
                        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))) ?? .null
                        return (index, Int(response.status.code), json)
                    }
                }
                var answers: [(Int, Int, JSONValue)] = []
                for try await answer in group { answers.append(answer) }
                return answers.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
            }
            try await http.shutdown()
            return answers
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    static func deliveryIDs(_ json: JSONValue) -> [String] {
        json["deliveries"]?.array?.compactMap { $0["id"]?.string } ?? []
    }

    @Test func twentyConcurrentSameRequestsMakeOneSubmission() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        _ = try await harness.runtime.addConnection(
            tenant: "tenant-a", vendor: "mycrm", name: "crm-2", baseURL: "http://127.0.0.1:1", authURL: nil,
            credentials: Data(#"{"username":"admin","access_key":"sandbox-access-key-1234"}"#.utf8), syncIntervalSeconds: nil)
        let token = try await harness.token(harness.full)
        try await harness.application.test(.live) { client in
            let port = try #require(client.port)
            let answers = try await Self.fire(port: port, token: token, key: "race-same", bodies: Array(repeating: Self.lead, count: 20))
            #expect(answers.allSatisfy { $0.0 == 202 }, "every same request is accepted: \(answers.map(\.0))")
            let first = Self.deliveryIDs(answers[0].1)
            #expect(first.count == 2, "one delivery per named connection")
            #expect(answers.allSatisfy { Self.deliveryIDs($0.1) == first }, "every answer names the same deliveries in the same order")
        }
        let stored = try await harness.runtime.store.listDeliveries(tenant: "tenant-a", filter: DeliveryFilter(idempotencyKey: "race-same"))
        #expect(stored.count == 2, "one submission: two deliveries stored, got \(stored.count)")
    }

    @Test func twentyConcurrentDifferentRequestsAcceptExactlyOne() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let bodies = (0..<20).map { #"{"lead":{"FirstName":"Ada \#($0)","Email":"ada\#($0)@example.com"},"connections":["crm"]}"# }
        try await harness.application.test(.live) { client in
            let port = try #require(client.port)
            let answers = try await Self.fire(port: port, token: token, key: "race-different", bodies: bodies)
            let accepted = answers.enumerated().filter { $0.element.0 == 202 }
            #expect(accepted.count == 1, "exactly one 202: \(answers.map(\.0))")
            let conflicts = answers.filter { $0.0 == 409 }
            #expect(conflicts.count == 19, "the other 19 are 409: \(answers.map(\.0))")
            #expect(conflicts.allSatisfy { $0.1["error"]?["code"]?.string == "idempotency_key_reused" })
            // The accepted body is the one stored, and sending it again replays it.
            let winner = try #require(accepted.first)
            let stored = try await harness.runtime.store.listDeliveries(
                tenant: "tenant-a", filter: DeliveryFilter(idempotencyKey: "race-different"))
            #expect(stored.map(\.id) == Self.deliveryIDs(winner.element.1))
            let payload = try JSONDecoder().decode(Contact.self, from: try #require(stored.first).payload)
            #expect(payload.firstName == "Ada \(winner.offset)")
            let replay = try await Self.fire(
                port: port, token: token, key: "race-different", bodies: [bodies[winner.offset], bodies[(winner.offset + 1) % 20]])
            #expect(replay[0].0 == 202 && Self.deliveryIDs(replay[0].1) == Self.deliveryIDs(winner.element.1))
            #expect(replay[1].0 == 409)
        }
    }
}
