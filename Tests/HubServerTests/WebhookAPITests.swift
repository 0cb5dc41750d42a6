import Foundation
import HTTPTypes
import HubOperations
import HubStore
import HubTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore
import RealtyModel
import SyncEngine
import Testing

@testable import HubServer

/// `/v1/webhooks`: subscriptions created, read, changed, rotated, replayed, tested and removed
/// through the API, with the scope and tenant limits and the target checks.
@Suite struct WebhookAPITests {
    static let publicURL = "https://hooks.example.com/realtyhub?source=test"

    @Test func aSubscriptionRoundTripsAndItsSecretIsShownOnce() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let latest = try await harness.runtime.store.latestEventSequence()
        #expect(latest > 0, "the harness's upserts wrote events")
        try await harness.test { client in
            let created = try await client.execute(
                uri: "/v1/webhooks", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"url":"\#(Self.publicURL)","events":["contacts.*","delivery.dead"],"description":"CRM sync"}"#))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"]?.string)
            #expect(id.hasPrefix("wh_"))
            #expect(created.headers[.location] == "/v1/webhooks/\(id)")
            #expect(created.headers[.cacheControl] == "no-store")
            let secret = try #require(created.json["secret"]?.string)
            #expect(secret.hasPrefix("whsec_"))
            #expect(created.json["url"]?.string == Self.publicURL)
            #expect(created.json["events"] == ["contacts.*", "delivery.dead"])
            #expect(created.json["description"]?.string == "CRM sync")
            #expect(created.json["enabled"] == true)
            #expect(created.json["last_sequence"]?.number == Double(latest), "a new subscription starts at the end of the feed")
            #expect(created.json["client_id"]?.string == harness.full.id)

            // Never again: not in a read, a list or a change.
            let read = try await client.execute(uri: "/v1/webhooks/\(id)", method: .get, headers: bearer(token))
            #expect(read.status == .ok)
            #expect(read.json["secret"] == nil)
            #expect(!read.text.contains(secret))
            let listed = try await client.execute(uri: "/v1/webhooks", method: .get, headers: bearer(token))
            #expect(listed.json["value"]?.array?.compactMap { $0["id"]?.string } == [id])
            #expect(!listed.text.contains(secret))

            let changed = try await client.execute(
                uri: "/v1/webhooks/\(id)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"description":null,"enabled":false,"events":["*"],"id":"ignored","created_at":"2020-01-01T00:00:00Z"}"#))
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.json["description"] == nil)
            #expect(changed.json["enabled"] == false)
            #expect(changed.json["events"] == ["*"])
            #expect(changed.json["id"]?.string == id)
            #expect(changed.json["url"]?.string == Self.publicURL, "what is not sent stays")

            let rotated = try await client.execute(uri: "/v1/webhooks/\(id)/rotate-secret", method: .post, headers: bearer(token))
            #expect(rotated.status == .ok, "\(rotated.text)")
            let newSecret = try #require(rotated.json["secret"]?.string)
            #expect(newSecret.hasPrefix("whsec_") && newSecret != secret)
            let until = try #require(rotated.json["previous_secret_expires_at"]?.string.flatMap(Timestamp.parse))
            #expect(abs(until.timeIntervalSinceNow - 86_400) < 120, "the old secret signs for 24 hours")
            let secrets = try await harness.runtime.store.webhookSecrets(id: id, tenant: "tenant-a", now: Date())
            #expect(secrets == [newSecret, secret], "both sign while the rotation lasts, the new one first")

            let replayed = try await client.execute(
                uri: "/v1/webhooks/\(id)/replay", method: .post, headers: jsonHeaders(token), body: buffer(#"{"from_sequence":3}"#))
            #expect(replayed.status == .accepted, "\(replayed.text)")
            #expect(replayed.json["last_sequence"]?.number == 2)
            for body in [#"{"from_sequence":0}"#, #"{"from_sequence":"3"}"#, #"{}"#, #"{"from_sequence":1.5}"#] {
                let refused = try await client.execute(
                    uri: "/v1/webhooks/\(id)/replay", method: .post, headers: jsonHeaders(token), body: buffer(body))
                #expect(refused.status == .badRequest, "\(body): \(refused.text)")
                #expect(refused.json["error"]?["details"]?.array?.first?["field"]?.string == "from_sequence")
            }

            let letters = try await client.execute(uri: "/v1/webhooks/\(id)/dead-letters", method: .get, headers: bearer(token))
            #expect(letters.status == .ok)
            #expect(letters.json["value"] == [])

            let removed = try await client.execute(uri: "/v1/webhooks/\(id)", method: .delete, headers: bearer(token))
            #expect(removed.status == .noContent)
            for (uri, method) in [
                ("/v1/webhooks/\(id)", HTTPRequest.Method.get), ("/v1/webhooks/\(id)", .delete),
                ("/v1/webhooks/\(id)/rotate-secret", .post), ("/v1/webhooks/\(id)/dead-letters", .get),
                ("/v1/webhooks/\(id)/test", .post),
            ] {
                let gone = try await client.execute(uri: uri, method: method, headers: bearer(token))
                #expect(gone.status == .notFound, "\(method) \(uri): \(gone.text)")
                #expect(gone.errorCode == "not_found")
            }
        }
    }

    @Test func badSubscriptionsAreRefusedNamingTheField() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let cases: [(body: String, status: HTTPResponse.Status, field: String, message: String?)] = [
                (
                    #"{"url":"http://127.0.0.1:9/hook","events":["*"]}"#, .unprocessableContent, "url",
                    "127.0.0.1 is a loopback (127.0.0.0/8) address; such targets need the hub started with --allow-private-webhook-targets"
                ),
                (
                    #"{"url":"http://[::1]/hook","events":["*"]}"#, .unprocessableContent, "url", nil
                ),
                (
                    #"{"url":"http://localhost:8080/","events":["*"]}"#, .unprocessableContent, "url",
                    "localhost is this machine; such targets need the hub started with --allow-private-webhook-targets"
                ),
                (#"{"url":"ftp://hooks.example.com/","events":["*"]}"#, .badRequest, "url", nil),
                (#"{"url":"https://user:pw@hooks.example.com/","events":["*"]}"#, .badRequest, "url", nil),
                (#"{"url":"https://hooks.example.com/#part","events":["*"]}"#, .badRequest, "url", nil),
                (#"{"url":42,"events":["*"]}"#, .badRequest, "url", "must be a string"),
                (#"{"events":["*"]}"#, .badRequest, "url", "is required"),
                (#"{"url":"https://hooks.example.com/"}"#, .badRequest, "events", "is required"),
                (#"{"url":"https://hooks.example.com/","events":[]}"#, .unprocessableContent, "events", nil),
                (#"{"url":"https://hooks.example.com/","events":"*"}"#, .badRequest, "events", nil),
                (#"{"url":"https://hooks.example.com/","events":["contacts.moved"]}"#, .unprocessableContent, "events[0]", nil),
                (#"{"url":"https://hooks.example.com/","events":["*"],"enabled":null}"#, .badRequest, "enabled", nil),
                (#"{"url":"https://hooks.example.com/","events":["*"],"description":7}"#, .badRequest, "description", nil),
                (
                    #"{"url":"https://hooks.example.com/","events":["*"],"description":"\#(String(repeating: "é", count: 501))"}"#,
                    .unprocessableContent, "description", "at most 500 characters"
                ),
            ]
            for (body, status, field, message) in cases {
                let refused = try await client.execute(uri: "/v1/webhooks", method: .post, headers: jsonHeaders(token), body: buffer(body))
                #expect(refused.status == status, "\(body): \(refused.text)")
                let detail = refused.json["error"]?["details"]?.array?.first
                #expect(detail?["field"]?.string == field, "\(body): \(refused.text)")
                if let message { #expect(detail?["message"]?.string == message, "\(body): \(refused.text)") }
            }
            let none = try await client.execute(uri: "/v1/webhooks", method: .get, headers: bearer(token))
            #expect(none.json["value"] == [], "nothing was created: \(none.text)")

            // A change is checked the same way, and members that cannot change are refused.
            let created = try await client.execute(
                uri: "/v1/webhooks", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"url":"https://hooks.example.com/","events":["*"]}"#))
            let id = try #require(created.json["id"]?.string)
            for (body, status, field) in [
                (#"{"url":"http://10.1.2.3/"}"#, HTTPResponse.Status.unprocessableContent, "url"),
                (#"{"colour":"red"}"#, .badRequest, "colour"), (#"{"url":null}"#, .badRequest, "url"),
                (#"{"events":["teams.*","nope"]}"#, .unprocessableContent, "events[1]"),
            ] {
                let refused = try await client.execute(
                    uri: "/v1/webhooks/\(id)", method: .patch, headers: jsonHeaders(token), body: buffer(body))
                #expect(refused.status == status, "\(body): \(refused.text)")
                #expect(refused.json["error"]?["details"]?.array?.first?["field"]?.string == field, "\(body): \(refused.text)")
            }
            let kept = try await client.execute(uri: "/v1/webhooks/\(id)", method: .get, headers: bearer(token))
            #expect(kept.json["url"]?.string == "https://hooks.example.com/")
            #expect(kept.json["events"] == ["*"])
        }
    }

    @Test func scopesBoundWhatASubscriptionMayCarry() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let narrow = try await harness.runtime.createAPIClient(
            tenant: "tenant-a", name: "narrow", scopes: "webhooks:read webhooks:write contacts:read")
        let narrowToken = try await harness.token((narrow.client.id, narrow.secret))
        let readerToken = try await harness.token(harness.reader)
        let otherToken = try await harness.token(harness.other)
        let fullToken = try await harness.token(harness.full)
        try await harness.test { client in
            let refused = try await client.execute(
                uri: "/v1/webhooks", method: .post, headers: jsonHeaders(narrowToken),
                body: buffer(#"{"url":"https://hooks.example.com/","events":["contacts.created","delivery.dead","properties.*"]}"#))
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            let details = refused.json["error"]?["details"]?.array ?? []
            #expect(details.compactMap { $0["field"]?.string } == ["events[1]", "events[2]"])
            #expect(details.first?["message"]?.string == "\"delivery.dead\" needs the deliveries:read scope, which this client lacks")

            // `*` stands for what the client may read; the subscription keeps the client's scopes.
            let created = try await client.execute(
                uri: "/v1/webhooks", method: .post, headers: jsonHeaders(narrowToken),
                body: buffer(#"{"url":"https://hooks.example.com/","events":["*"]}"#))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"]?.string)
            let stored = try await harness.runtime.webhook(id: id, tenant: "tenant-a")
            #expect(stored.clientID == narrow.client.id)
            #expect(Set(stored.scopes) == ["webhooks:read", "webhooks:write", "contacts:read"])

            // No webhooks scope: 403; another tenant: not found, and its list is its own.
            let forbidden = try await client.execute(uri: "/v1/webhooks", method: .get, headers: bearer(readerToken))
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.errorCode == "insufficient_scope")
            for (uri, method) in [
                ("/v1/webhooks/\(id)", HTTPRequest.Method.get), ("/v1/webhooks/\(id)", .delete),
                ("/v1/webhooks/\(id)/rotate-secret", .post),
            ] {
                let hidden = try await client.execute(uri: uri, method: method, headers: bearer(otherToken))
                #expect(hidden.status == .notFound, "\(method) \(uri): \(hidden.text)")
            }
            let otherList = try await client.execute(uri: "/v1/webhooks", method: .get, headers: bearer(otherToken))
            #expect(otherList.json["value"] == [])
            let mine = try await client.execute(uri: "/v1/webhooks", method: .get, headers: bearer(fullToken))
            #expect(mine.json["value"]?.array?.count == 1, "the tenant's clients share its subscriptions")

            // A narrowed token cannot widen what it subscribes to either.
            let tokens = TokenService(secretBox: harness.runtime.secretBox, store: harness.runtime.store, lifetime: 600)
            let (narrowed, _) = try await tokens.issue(
                clientID: harness.full.id, secret: harness.full.secret, requested: try ScopeSet(parsing: "webhooks:write contacts:read"))
            let wide = try await client.execute(
                uri: "/v1/webhooks", method: .post, headers: jsonHeaders(narrowed),
                body: buffer(#"{"url":"https://hooks.example.com/","events":["members.created"]}"#))
            #expect(wide.status == .unprocessableContent, "\(wide.text)")
        }
    }

    @Test func aTestMessageIsSignedWithTheSubscriptionsSecret() async throws {
        let harness = try await APIHarness.make(allowPrivateWebhookTargets: true)
        defer { Task { await harness.shutdown() } }
        let receiver = try await WebhookTestReceiver.start(script: [202])
        defer { Task { await receiver.stop() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let created = try await client.execute(
                uri: "/v1/webhooks", method: .post, headers: jsonHeaders(token),
                body: buffer(#"{"url":"\#(receiver.url)","events":["*"]}"#))
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"]?.string)
            let secret = try WebhookSecret(parsing: try #require(created.json["secret"]?.string))

            let tested = try await client.execute(uri: "/v1/webhooks/\(id)/test", method: .post, headers: bearer(token))
            #expect(tested.status == .ok, "\(tested.text)")
            #expect(tested.json["status"]?.number == 202)
            #expect(tested.json["ok"] == true)
            let message = try #require(receiver.received.first)
            try WebhookSignature.verify(
                body: message.body, id: message.headers["webhook-id"], timestamp: message.headers["webhook-timestamp"],
                signatures: message.headers["webhook-signature"], secret: secret)
            let body = try JSONValue(parsing: message.body)
            #expect(body["type"]?.string == "webhook.test")
            #expect(body["data"] == ["webhook_id": .string(id)])
            #expect(message.headers["webhook-id"]?.hasPrefix("test_") == true)

            // The cursor did not move: a test is outside the sequence.
            let read = try await client.execute(uri: "/v1/webhooks/\(id)", method: .get, headers: bearer(token))
            #expect(read.json["last_sequence"] == created.json["last_sequence"])

            // No answer (nothing listens on the port): 502, naming the target.
            let closed = try await client.execute(
                uri: "/v1/webhooks/\(id)", method: .patch, headers: jsonHeaders(token), body: buffer(#"{"url":"http://127.0.0.1:1/"}"#))
            #expect(closed.status == .ok, "\(closed.text)")
            let failed = try await client.execute(uri: "/v1/webhooks/\(id)/test", method: .post, headers: bearer(token))
            #expect(failed.status == .badGateway, "\(failed.text)")
            #expect(failed.json["error"]?["message"]?.string?.contains("http://127.0.0.1:1/") == true, "\(failed.text)")
        }
    }
}
