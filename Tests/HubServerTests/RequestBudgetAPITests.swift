import Foundation
import HTTPTypes
import HubStore
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// `daily_requests` and `delivery_reserve_percent` on connections: refused with a 422 naming
/// the field when wrong, stored, and shown with today's budget (`request_budget`) on reads and
/// in `/metrics`.
@Suite struct RequestBudgetAPITests {
    static let apimo = #"{"vendor":"apimo","name":"apimo","base_url":"http://127.0.0.1:1","credentials":{"provider":"7","token":"t"}"#

    @Test func invalidBudgetsAreRefusedWithTheField() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let cases: [(String, String)] = [
                ("daily_requests", "0"), ("daily_requests", "-5"), ("daily_requests", "1.5"), ("daily_requests", #""100""#),
                ("daily_requests", "10000001"), ("daily_requests", "1e20"), ("daily_requests", "true"),
                ("delivery_reserve_percent", "91"), ("delivery_reserve_percent", "-1"), ("delivery_reserve_percent", "20.5"),
            ]
            for (field, value) in cases {
                let created = try await client.execute(
                    uri: "/v1/connections", method: .post, headers: jsonHeaders(token),
                    body: buffer(Self.apimo + #","\#(field)":\#(value)}"#))
                #expect(created.status == .unprocessableContent, "\(field) \(value): \(created.text)")
                #expect(created.errorCode == "validation_failed")
                #expect(created.json["error"]?["details"]?.array?.first?["field"]?.string == field, "\(created.text)")
                #expect(created.json["error"]?["message"]?.string?.contains("must be a whole number from") == true, "\(created.text)")
                let patched = try await client.execute(
                    uri: "/v1/connections/\(harness.connectionID)", method: .patch, headers: jsonHeaders(token),
                    body: buffer(#"{"\#(field)":\#(value)}"#))
                #expect(patched.status == .unprocessableContent, "PATCH \(field) \(value): \(patched.text)")
                #expect(patched.json["error"]?["details"]?.array?.first?["field"]?.string == field)
            }
        }
    }

    @Test func budgetIsStoredAndShownWithTodaysUse() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let created = try await client.execute(
                uri: "/v1/connections", method: .post, headers: jsonHeaders(token),
                body: buffer(Self.apimo + #","daily_requests":500,"delivery_reserve_percent":10}"#))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["daily_requests"]?.number == 500 && created.json["delivery_reserve_percent"]?.number == 10)
            let id = try #require(created.json["id"]?.string)
            let budget = try #require(created.json["request_budget"])
            #expect(budget["daily_limit"]?.number == 500, "the smaller of 500 and Apimo's 1000")
            #expect(budget["reserved"]?.number == 50 && budget["used"]?.number == 0)
            #expect(budget["remaining"]?.number == 500 && budget["pull_remaining"]?.number == 450)
            #expect(budget["time_zone"]?.string == "Europe/Paris")
            #expect(budget["resets_at"]?.string.flatMap(Timestamp.parse) != nil)

            // Above the vendor's quota, the quota stays; null restores the defaults.
            let raised = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"daily_requests":5000,"delivery_reserve_percent":null}"#))
            #expect(raised.status == .ok, "\(raised.text)")
            #expect(raised.json["request_budget"]?["daily_limit"]?.number == 1000)
            #expect(raised.json["request_budget"]?["reserved"]?.number == 200)
            #expect(raised.json["delivery_reserve_percent"] == nil)
            let fetched = try await client.execute(uri: "/v1/connections/\(id)", method: .get, headers: bearer(token))
            #expect(fetched.json["daily_requests"]?.number == 5000)
            #expect(fetched.json["request_budget"]?["pull_remaining"]?.number == 800)

            // A connection read from the API can be sent back as a patch (request_budget is ignored).
            let echoed = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"daily_requests":null,"request_budget":{"used":3}}"#))
            #expect(echoed.status == .ok, "\(echoed.text)")
            #expect(echoed.json["daily_requests"] == nil && echoed.json["request_budget"]?["daily_limit"]?.number == 1000)

            // MyCRM documents no quota: no budget until the connection is given one.
            let crm = try await client.execute(uri: "/v1/connections/\(harness.connectionID)", method: .get, headers: bearer(token))
            #expect(crm.json["request_budget"] == nil)
            let budgeted = try await client.execute(
                uri: "/v1/connections/\(harness.connectionID)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"daily_requests":300}"#))
            #expect(budgeted.json["request_budget"]?["daily_limit"]?.number == 300)
            #expect(budgeted.json["request_budget"]?["time_zone"]?.string == "UTC")

            let list = try await client.execute(uri: "/v1/connections", method: .get, headers: bearer(token))
            #expect(list.json["value"]?.array?.compactMap { $0["request_budget"]?["daily_limit"]?.number }.sorted() == [300, 1000])

            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: bearer(token))
            #expect(metrics.status == .ok)
            #expect(
                metrics.text.contains(#"realtyhub_request_budget_limit_requests{hub_connection_id="\#(id)",hub_vendor="apimo"} 1000.0"#),
                "\(metrics.text)")
            #expect(metrics.text.contains(#"realtyhub_request_budget_used_requests{hub_connection_id="\#(id)",hub_vendor="apimo"} 0.0"#))
            #expect(
                metrics.text.contains(#"realtyhub_request_budget_reserved_requests{hub_connection_id="\#(id)",hub_vendor="apimo"} 200.0"#))
            #expect(metrics.text.contains("realtyhub_request_budget_reset_timestamp_seconds{"))
        }
    }
}
