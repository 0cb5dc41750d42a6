import Foundation
import HTTPTypes
import HubApp
import HubOperations
import HubStore
import HummingbirdTesting
import Metrics
import Prometheus
import RealtyModel
import Testing

@testable import HubServer

/// The API over a real store, through the router (no sockets).
@Suite struct RouterTests {
    // MARK: Public routes and auth

    @Test func healthAndOpenAPIArePublic() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        try await harness.test { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok && health.json["status"]?.string == "ok")
            let document = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(document.status == .ok && document.json["openapi"]?.string == "3.1.0")
        }
    }

    @Test func tokenEndpoint() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        @Sendable func basic(_ id: String, _ secret: String) -> HTTPFields {
            var fields = HTTPFields()
            fields[.authorization] = "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
            fields[.contentType] = "application/x-www-form-urlencoded"
            return fields
        }
        try await harness.test { client in
            let good = try await client.execute(
                uri: "/oauth/token", method: .post, headers: basic(harness.full.id, harness.full.secret),
                body: buffer("grant_type=client_credentials"))
            #expect(good.status == .ok)
            #expect(good.json["token_type"]?.string == "Bearer" && good.json["expires_in"]?.number == 1800)
            #expect(good.headers[.cacheControl] == "no-store")
            let token = try #require(good.json["access_token"]?.string)
            let list = try await client.execute(uri: "/v1/contacts", method: .get, headers: bearer(token))
            #expect(list.status == .ok)

            let wrong = try await client.execute(
                uri: "/oauth/token", method: .post, headers: basic(harness.full.id, "not-the-secret"),
                body: buffer("grant_type=client_credentials"))
            #expect(wrong.status == .unauthorized && wrong.errorCode == "invalid_client")
            let unknown = try await client.execute(
                uri: "/oauth/token", method: .post, headers: basic("rhc_nobody", "x"), body: buffer("grant_type=client_credentials"))
            #expect(unknown.status == .unauthorized && unknown.errorCode == "invalid_client", "same answer for an unknown client")
            let noAuth = try await client.execute(uri: "/oauth/token", method: .post, body: buffer("grant_type=client_credentials"))
            #expect(noAuth.status == .unauthorized)
            let grant = try await client.execute(
                uri: "/oauth/token", method: .post, headers: basic(harness.full.id, harness.full.secret),
                body: buffer("grant_type=password"))
            #expect(grant.status == .badRequest && grant.errorCode == "unsupported_grant_type")
            var textType = basic(harness.full.id, harness.full.secret)
            textType[.contentType] = "text/plain"
            let unsupported = try await client.execute(
                uri: "/oauth/token", method: .post, headers: textType, body: buffer("grant_type=client_credentials"))
            #expect(unsupported.status == .unsupportedMediaType)

            // A token may ask for fewer scopes, never more.
            let narrowed = try await client.execute(
                uri: "/oauth/token", method: .post, headers: basic(harness.full.id, harness.full.secret),
                body: buffer("grant_type=client_credentials&scope=contacts%3Aread"))
            #expect(narrowed.json["scope"]?.string == "contacts:read")
            // `+` is a space in a form: two scopes.
            let two = try await client.execute(
                uri: "/oauth/token", method: .post, headers: basic(harness.full.id, harness.full.secret),
                body: buffer("scope=contacts%3Aread+members%3Aread&grant_type=client_credentials"))
            #expect(two.status == .ok && two.json["scope"]?.string == "contacts:read members:read")
            // A repeated or bracketed parameter is refused (RFC 6749 3.2), not silently resolved.
            for body in ["grant_type=client_credentials&grant_type=password", "grant_type[x]=client_credentials"] {
                let malformed = try await client.execute(
                    uri: "/oauth/token", method: .post, headers: basic(harness.full.id, harness.full.secret), body: buffer(body))
                #expect(malformed.status == .badRequest && malformed.errorCode == "invalid_request", "\(body)")
            }
            let narrowToken = try #require(narrowed.json["access_token"]?.string)
            let forbidden = try await client.execute(uri: "/v1/members", method: .get, headers: bearer(narrowToken))
            #expect(forbidden.status == .forbidden && forbidden.errorCode == "insufficient_scope")
            let more = try await client.execute(
                uri: "/oauth/token", method: .post, headers: basic(harness.reader.id, harness.reader.secret),
                body: buffer("grant_type=client_credentials&scope=leads:write"))
            #expect(more.status == .badRequest && more.errorCode == "invalid_scope")
        }
    }

    @Test func everyProtectedRouteNeedsAValidToken() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let specs = harness.api.build().1.filter { $0.scope != nil }
        #expect(specs.count > 20)
        let token = try await harness.token(harness.full)
        let tampered = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
        try await harness.test { client in
            for spec in specs {
                let path = spec.path.replacingOccurrences(of: "{", with: "x").replacingOccurrences(of: "}", with: "")
                let none = try await client.execute(uri: path, method: spec.method)
                #expect(none.status == .unauthorized, "\(spec.method) \(spec.path) without a token")
                #expect(none.headers[HTTPField.Name("WWW-Authenticate")!] != nil)
                let bad = try await client.execute(uri: path, method: spec.method, headers: bearer(tampered))
                #expect(bad.status == .unauthorized, "\(spec.method) \(spec.path) with a tampered token")
            }
            let malformed = try await client.execute(uri: "/v1/contacts", method: .get, headers: bearer("not-a-token"))
            #expect(malformed.status == .unauthorized && malformed.json["error"]?["message"]?.string?.contains("malformed") == true)
        }
    }

    @Test func expiredTokensAndRemovedClientsAreRefused() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let tokens = TokenService(secretBox: harness.runtime.secretBox, store: harness.runtime.store, lifetime: 60, clientCacheSeconds: 0)
        let old = try await tokens.issue(
            clientID: harness.full.id, secret: harness.full.secret, requested: nil, now: Date().addingTimeInterval(-3600)
        ).token
        await #expect(throws: APIError.self) { try await tokens.authenticate(old) }
        let fresh = try await tokens.issue(clientID: harness.reader.id, secret: harness.reader.secret, requested: nil).token
        _ = try await tokens.authenticate(fresh)
        #expect(try await harness.runtime.store.deleteAPIClient(id: harness.reader.id, tenant: "tenant-a"))
        await #expect(throws: APIError.self) { try await tokens.authenticate(fresh) }
    }

    @Test func tenantIsolation() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let tokenA = try await harness.token(harness.full)
        let tokenB = try await harness.token(harness.other)
        try await harness.test { client in
            let own = try await client.execute(uri: "/v1/contacts/\(harness.contactKeys[0])", method: .get, headers: bearer(tokenA))
            #expect(own.status == .ok)
            let foreign = try await client.execute(uri: "/v1/contacts/\(harness.contactKeys[0])", method: .get, headers: bearer(tokenB))
            #expect(foreign.status == .notFound && foreign.errorCode == "not_found")
            let listB = try await client.execute(uri: "/v1/contacts", method: .get, headers: bearer(tokenB))
            #expect(listB.json["count"]?.number == 1)
            let otherFromA = try await client.execute(uri: "/v1/contacts/\(harness.otherContactKey)", method: .get, headers: bearer(tokenA))
            #expect(otherFromA.status == .notFound)
            let connection = try await client.execute(uri: "/v1/connections/\(harness.connectionID)", method: .get, headers: bearer(tokenB))
            #expect(connection.status == .notFound)
            let connections = try await client.execute(uri: "/v1/connections", method: .get, headers: bearer(tokenB))
            #expect(connections.json["value"]?.array?.isEmpty == true)
        }
    }

    // MARK: Records

    @Test func listsPageSortProjectExpandAndFilter() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let first = try await client.execute(
                uri: "/v1/contacts?per_page=10&sort=Email&sort_order=desc", method: .get, headers: bearer(token))
            #expect(first.status == .ok)
            #expect(first.json["count"]?.number == 25 && first.json["per_page"]?.number == 10)
            let emails = first.json["value"]?.array?.compactMap { $0["Email"]?.string } ?? []
            #expect(emails.count == 10 && emails == emails.sorted(by: >))
            #expect(first.json["value"]?.array?.first?["raw"] == nil, "the vendor payload only when asked for")
            let last = try await client.execute(uri: "/v1/contacts?per_page=10&page=3", method: .get, headers: bearer(token))
            #expect(last.json["value"]?.array?.count == 5)

            let projected = try await client.execute(uri: "/v1/contacts?fields=Email,raw&per_page=1", method: .get, headers: bearer(token))
            let record = try #require(projected.json["value"]?.array?.first)
            guard case .object(let members) = record else {
                Issue.record("not an object")
                return
            }
            #expect(Set(members.keys) == ["ContactKey", "Email", "raw"])

            let expanded = try await client.execute(
                uri: "/v1/contacts?expand=owner&per_page=3&fields=Email", method: .get, headers: bearer(token))
            let owners = expanded.json["value"]?.array?.compactMap { $0["owner"]?["MemberKey"]?.string } ?? []
            #expect(owners.count == 3)
            #expect(expanded.json["value"]?.array?.first?["SourceSystemOwnerMemberKey"] == nil, "projection still applies")

            let filtered = try await client.execute(uri: "/v1/contacts?Email=person7%40example.com", method: .get, headers: bearer(token))
            #expect(filtered.json["count"]?.number == 1 && filtered.json["value"]?.array?.first?["Email"]?.string == "person7@example.com")
            let since = try await client.execute(
                uri: "/v1/contacts?modified_since=2999-01-01T00:00:00Z", method: .get, headers: bearer(token))
            #expect(since.json["count"]?.number == 0)

            for (uri, code) in [
                ("/v1/contacts?per_page=101", "invalid_request"), ("/v1/contacts?page=0", "invalid_request"),
                ("/v1/contacts?sort_order=up", "invalid_request"), ("/v1/contacts?modified_since=yesterday", "invalid_request"),
                ("/v1/contacts?fields=Nope", "invalid_query"), ("/v1/contacts?expand=agency", "invalid_query"),
                ("/v1/contacts?Nope=1", "invalid_query"), ("/v1/contacts?sort=Nope", "invalid_query"),
                ("/v1/contacts?Email=a&Email=b", "invalid_request"),
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: bearer(token))
                #expect(response.status == .badRequest && response.errorCode == code, "\(uri): \(response.status) \(response.text)")
            }
            let one = try await client.execute(
                uri: "/v1/contacts/\(harness.contactKeys[3])?expand=owner", method: .get, headers: bearer(token))
            #expect(one.status == .ok && one.json["ContactKey"]?.string == harness.contactKeys[3] && one.json["owner"] != nil)
            let missing = try await client.execute(uri: "/v1/contacts/no-such-key", method: .get, headers: bearer(token))
            #expect(missing.status == .notFound)
            let memberList = try await client.execute(uri: "/v1/members", method: .get, headers: bearer(token))
            #expect(memberList.json["count"]?.number == 3)
            for path in ["offices", "teams", "team_members", "properties", "developments", "activities"] {
                let empty = try await client.execute(uri: "/v1/\(path)", method: .get, headers: bearer(token))
                #expect(empty.status == .ok && empty.json["count"]?.number == 0, "\(path)")
            }
        }
    }

    @Test func errorsUseTheEnvelopeAndTheRightStatus() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let method = try await client.execute(uri: "/v1/contacts", method: .delete, headers: bearer(token))
            #expect(method.status == .methodNotAllowed && method.headers[.allow] == "GET, POST" && method.errorCode == "method_not_allowed")
            let route = try await client.execute(uri: "/v1/nothing-here", method: .get, headers: bearer(token))
            #expect(route.status == .notFound && route.errorCode == "not_found")
            let big = String(repeating: "x", count: HubServerLimits.maximumBodyBytes + 10)
            let tooLarge = try await client.execute(
                uri: "/v1/leads", method: .post, headers: jsonHeaders(token), body: buffer(#"{"lead":{"Notes":"\#(big)"}}"#))
            #expect(tooLarge.status == .contentTooLarge && tooLarge.errorCode == "body_too_large")
            var plain = bearer(token)
            plain[.contentType] = "text/plain"
            let mediaType = try await client.execute(uri: "/v1/leads", method: .post, headers: plain, body: buffer("hello"))
            #expect(mediaType.status == .unsupportedMediaType)
            let malformed = try await client.execute(
                uri: "/v1/leads", method: .post, headers: jsonHeaders(token), body: buffer("{not json"))
            #expect(malformed.status == .badRequest && malformed.errorCode == "invalid_json")
            let invalid = try await client.execute(
                uri: "/v1/leads", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"lead":{"FirstName":"Ada","Email":"not-an-email"},"connections":["crm"]}"#))
            #expect(invalid.status == .unprocessableContent && invalid.errorCode == "validation_failed")
            #expect(invalid.json["error"]?["details"]?.array?.contains { $0["field"]?.string == "Email" } == true)
            let wrongType = try await client.execute(
                uri: "/v1/leads", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"lead":{"FirstName":42},"connections":["crm"]}"#))
            #expect(wrongType.status == .badRequest, "\(wrongType.text)")
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        // One request per 1,000 s: the first passes, the next are refused however slow the machine.
        let harness = try await APIHarness.make(requestsPerSecond: 0.001)
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<4 {
                let response = try await client.execute(uri: "/v1/contacts?per_page=1", method: .get, headers: bearer(token))
                statuses.append(response.status)
                if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
            }
            #expect(statuses.first == .ok)
            #expect(statuses.dropFirst().allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
            #expect(retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
        }
    }

    // MARK: Connections, leads, deliveries

    @Test func connectionsCRUDNeverReturnsCredentials() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let secret = "very-secret-access-key-9876"
        try await harness.test { client in
            let body =
                #"{"vendor":"mycrm","name":"second","base_url":"http://127.0.0.1:2","credentials":{"username":"u","access_key":"\#(secret)"}}"#
            let created = try await client.execute(uri: "/v1/connections", method: .post, headers: jsonHeaders(token), body: buffer(body))
            #expect(created.status == .created, "\(created.text)")
            #expect(!created.text.contains(secret) && created.json["has_credentials"] == .bool(true))
            let id = try #require(created.json["id"]?.string)
            #expect(created.headers[.location] == "/v1/connections/\(id)")
            let duplicate = try await client.execute(uri: "/v1/connections", method: .post, headers: jsonHeaders(token), body: buffer(body))
            #expect(duplicate.status == .conflict)
            let badVendor = try await client.execute(
                uri: "/v1/connections", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"vendor":"zillow","name":"z","base_url":"http://x","credentials":{}}"#))
            #expect(badVendor.status == .badRequest)
            let badCredentials = try await client.execute(
                uri: "/v1/connections", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"vendor":"mycrm","name":"c3","base_url":"http://127.0.0.1:2","credentials":{"username":"u"}}"#))
            #expect(badCredentials.status == .badRequest && badCredentials.text.contains("access_key"))

            let list = try await client.execute(uri: "/v1/connections", method: .get, headers: bearer(token))
            #expect(list.json["value"]?.array?.count == 2 && !list.text.contains(secret))
            let patched = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"name":"renamed","sync_interval_seconds":600,"enabled":false,"requests_per_second":0,"max_concurrency":8}"#)
            )
            #expect(patched.status == .ok && patched.json["name"]?.string == "renamed" && patched.json["enabled"] == .bool(false))
            #expect(patched.json["requests_per_second"]?.number == 0 && patched.json["max_concurrency"]?.number == 8)
            let badRate = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"max_concurrency":0}"#))
            #expect(badRate.status == .badRequest, "\(badRate.text)")
            let reset = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"requests_per_second":null}"#))
            #expect(reset.status == .ok && reset.json["requests_per_second"] == nil && reset.json["max_concurrency"]?.number == 8)
            let unknownMember = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"colour":"red"}"#))
            #expect(unknownMember.status == .badRequest)
            // The vendor is the server's (read-only): sent back, it is ignored.
            let vendorSent = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"vendor":"apimo"}"#))
            #expect(vendorSent.status == .ok && vendorSent.json["vendor"]?.string == "mycrm", "\(vendorSent.text)")
            let disabledSync = try await client.execute(uri: "/v1/connections/\(id)/sync", method: .post, headers: bearer(token))
            #expect(disabledSync.status == .conflict)
            let deleted = try await client.execute(uri: "/v1/connections/\(id)", method: .delete, headers: bearer(token))
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(uri: "/v1/connections/\(id)", method: .get, headers: bearer(token))
            #expect(gone.status == .notFound)
        }
    }

    @Test func leadsAreAcceptedOnceWithIdempotencyKeys() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let lead = #"{"lead":{"FirstName":"Ada","LastName":"Lovelace","Email":"ada@example.com"},"connections":["crm"]}"#
        try await harness.test { client in
            let headers = jsonHeaders(token, extra: [(.idempotencyKey, "lead-1")])
            let first = try await client.execute(uri: "/v1/leads", method: .post, headers: headers, body: buffer(lead))
            #expect(first.status == .accepted, "\(first.text)")
            let delivery = try #require(first.json["deliveries"]?.array?.first)
            let id = try #require(delivery["id"]?.string)
            #expect(first.headers[.location] == "/v1/deliveries/\(id)")
            #expect(delivery["state"]?.string == "pending" && delivery["payload"]?["ContactType"]?.string == "Lead")

            let again = try await client.execute(uri: "/v1/leads", method: .post, headers: headers, body: buffer(lead))
            #expect(
                again.status == .accepted && again.json["deliveries"]?.array?.first?["id"]?.string == id, "same key and body: same answer")
            let other = try await client.execute(
                uri: "/v1/leads", method: .post, headers: headers, body: buffer(lead.replacingOccurrences(of: "Ada", with: "Bob")))
            #expect(other.status == .conflict && other.errorCode == "idempotency_key_reused")
            let unknown = try await client.execute(
                uri: "/v1/leads", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"lead":{"FirstName":"A","Email":"a@example.com"},"connections":["nope"]}"#))
            #expect(unknown.status == .notFound && unknown.errorCode == "unknown_connection")

            let list = try await client.execute(uri: "/v1/deliveries?idempotency_key=lead-1", method: .get, headers: bearer(token))
            #expect(list.json["value"]?.array?.count == 1)
            let got = try await client.execute(uri: "/v1/deliveries/\(id)", method: .get, headers: bearer(token))
            #expect(got.status == .ok && got.json["id"]?.string == id)
            let retry = try await client.execute(uri: "/v1/deliveries/\(id)/retry", method: .post, headers: bearer(token))
            #expect(retry.status == .conflict, "only a dead delivery can be retried")
            let badState = try await client.execute(uri: "/v1/deliveries?state=lost", method: .get, headers: bearer(token))
            #expect(badState.status == .badRequest)
            let readerToken = try await harness.token(harness.reader)
            let forbidden = try await client.execute(uri: "/v1/leads", method: .post, headers: jsonHeaders(readerToken), body: buffer(lead))
            #expect(forbidden.status == .forbidden)
        }
        let stored = try await harness.runtime.store.listDeliveries(tenant: "tenant-a", filter: DeliveryFilter())
        #expect(stored.count == 1, "one delivery for the repeated submission")
    }

    @Test func eventsFeedAndMetrics() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let registry = harness.api.metrics
        try await withMetricsFactory(PrometheusMetricsFactory(registry: registry)) {
            try await harness.test { client in
                let events = try await client.execute(uri: "/v1/events?after=0&limit=10", method: .get, headers: bearer(token))
                #expect(events.status == .ok && events.json["events"]?.array?.count == 10)
                let next = try #require(events.json["next_after"]?.number)
                let rest = try await client.execute(uri: "/v1/events?after=\(Int(next))&limit=1000", method: .get, headers: bearer(token))
                #expect(rest.json["events"]?.array?.count == 28 - 10, "3 members + 25 contacts of tenant A, in order")
                let bad = try await client.execute(uri: "/v1/events?after=-1", method: .get, headers: bearer(token))
                #expect(bad.status == .badRequest)
                let metrics = try await client.execute(uri: "/metrics", method: .get, headers: bearer(token))
                #expect(metrics.status == .ok && metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(metrics.text.contains("http_route=\"/v1/events\""), "\(metrics.text.prefix(300))")
                #expect(metrics.text.contains("http_response_status_code=\"400\""))
            }
        }
    }
}
