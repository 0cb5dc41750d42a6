import Foundation
import HubStore
import HubStoreSQLite
import HubTestSupport
import Hummingbird
import Logging
import RealtyModel
import ServiceLifecycle
import SyncEngine
import Synchronization
import Testing

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Sends to everything (patterns and scopes are the application layer's, tested on their own).
struct EveryoneHears: WebhookAudience {
    func decide(_ subscription: WebhookSubscription, type: String) async throws -> WebhookAudienceDecision {
        subscription.events.contains("*") || subscription.events.contains(type) ? .send : .skip
    }
}

/// The worker against a real receiver over loopback and a real store.
@Suite struct WebhookWorkerTests {
    struct Harness {
        let store: SQLiteHubStore
        let transport = SafeWebhookTransport(allowPrivateTargets: true)
        let clock = TestClock()
        let scope = SyncScope(tenant: "t1", connectionID: "conn-1", sourceSystemName: "mycrm")

        init() async throws {
            store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
            _ = try await store.createTenant(id: "t1", name: "One")
        }

        func worker(policy: WebhookPolicy = WebhookPolicy()) -> WebhookWorker {
            let clock = self.clock
            return WebhookWorker(
                store: store, transport: transport, audience: EveryoneHears(), policy: policy, owner: "w1",
                now: { clock.now }, random: { 0.5 }, logger: Logger(label: "test"))
        }

        func subscribe(_ url: String, events: [String] = ["*"], secret: WebhookSecret, from cursor: Int64 = 0) async throws {
            try await store.createWebhook(
                WebhookSubscription(
                    id: "wh_1", tenantID: "t1", clientID: nil, url: url, events: events, scopes: ["*:read"], cursor: cursor,
                    createdAt: clock.now),
                secret: secret.text)
        }

        func advance(_ seconds: TimeInterval) { clock.advance(seconds) }
    }

    @Test func sendsEachEventInOrderSignedAndMovesOn() async throws {
        let harness = try await Harness()
        let receiver = try await WebhookTestReceiver.start()
        defer {
            Task {
                await receiver.stop()
                await harness.transport.shutdown()
            }
        }
        let secret = WebhookSecret.generate()
        _ = try await harness.store.upsert([Fixtures.contact(1)], scope: harness.scope, cursor: nil)
        // Subscribed after the first event: only what follows is sent.
        try await harness.subscribe(
            receiver.url, events: ["contacts.created", "contacts.updated"], secret: secret,
            from: try await harness.store.latestEventSequence())
        _ = try await harness.store.upsert([Fixtures.contact(2), Fixtures.contact(3)], scope: harness.scope, cursor: nil)
        _ = try await harness.store.upsert([Fixtures.contact(2, note: "changed")], scope: harness.scope, cursor: nil)
        _ = try await harness.store.markDeleted(Contact.self, sourceKeys: ["c-3"], scope: harness.scope)

        #expect(try await harness.worker().runOnce() == 3)
        let received = receiver.received
        let events = try received.map { try JSONDecoder().decode(Envelope.self, from: $0.body) }
        #expect(events.map(\.type) == ["contacts.created", "contacts.created", "contacts.updated"])
        #expect(
            events.map(\.data.key) == [
                events[0].data.key, events[1].data.key, events[0].data.key,
            ])
        #expect(received.map { $0.headers["webhook-id"] } == events.map { "evt_\($0.data.sequence)" })
        for request in received {
            try WebhookSignature.verify(
                body: request.body, id: request.headers["webhook-id"], timestamp: request.headers["webhook-timestamp"],
                signatures: request.headers["webhook-signature"], secret: secret, now: harness.clock.now)
        }
        // The deletion did not match: passed over, the cursor at the end of the feed.
        let subscription = try #require(try await harness.store.webhook(id: "wh_1", tenant: "t1"))
        #expect(subscription.cursor == (try await harness.store.latestEventSequence()))
        #expect(try await harness.worker().runOnce() == 0, "nothing more to send")

        // A replay from the first event sends the same messages again, in order, under the same
        // ids (receivers deduplicate on them).
        try await harness.store.replayWebhook(id: "wh_1", tenant: "t1", fromSequence: events[0].data.sequence, now: harness.clock.now)
        #expect(try await harness.worker().runOnce() == 3)
        let again = Array(receiver.received.dropFirst(3))
        #expect(again.map { $0.headers["webhook-id"] } == received.map { $0.headers["webhook-id"] })
        #expect(again.map(\.body) == received.map(\.body), "the records have not changed since")
        #expect(try await harness.worker().runOnce() == 0, "caught up again")
    }

    @Test func retriesWithTheSameIdThenGivesUpAfterDays() async throws {
        let harness = try await Harness()
        let receiver = try await WebhookTestReceiver.start(script: [500, 503])
        defer {
            Task {
                await receiver.stop()
                await harness.transport.shutdown()
            }
        }
        try await harness.subscribe(receiver.url, secret: WebhookSecret.generate())
        _ = try await harness.store.upsert([Fixtures.contact(1), Fixtures.contact(2)], scope: harness.scope, cursor: nil)

        let worker = harness.worker()
        #expect(try await worker.runOnce() == 1)
        var subscription = try #require(try await harness.store.webhook(id: "wh_1", tenant: "t1"))
        #expect(subscription.attempts == 1 && subscription.lastError == "HTTP 500" && subscription.cursor == 0)
        // Full jitter at 0.5 of 5 s: due again in 2.5 s, not before.
        #expect(subscription.nextAttemptAt == harness.clock.now.addingTimeInterval(2.5))
        #expect(try await worker.runOnce() == 0)
        harness.advance(3)
        #expect(try await worker.runOnce() == 1)
        subscription = try #require(try await harness.store.webhook(id: "wh_1", tenant: "t1"))
        #expect(subscription.attempts == 2 && subscription.lastError == "HTTP 503")
        harness.advance(10)
        #expect(try await worker.runOnce() == 2, "the first event is acknowledged at last, then the second")
        let ids = receiver.received.map { $0.headers["webhook-id"] ?? "" }
        #expect(ids.count == 4 && ids[0] == ids[1] && ids[1] == ids[2] && ids[3] != ids[0], "\(ids)")

        // A receiver that never answers 2xx again: after three days the subscription stops.
        _ = try await harness.store.upsert([Fixtures.contact(3)], scope: harness.scope, cursor: nil)
        let failing = try await WebhookTestReceiver.start(script: Array(repeating: 500, count: 1_000))
        defer { Task { await failing.stop() } }
        subscription = try #require(try await harness.store.webhook(id: "wh_1", tenant: "t1"))
        subscription.url = failing.url
        _ = try await harness.store.updateWebhook(subscription, now: harness.clock.now)
        var rounds = 0
        while try await harness.store.webhook(id: "wh_1", tenant: "t1")?.enabled == true, rounds < 200 {
            _ = try await worker.runOnce()
            harness.advance(3_600)
            rounds += 1
        }
        subscription = try #require(try await harness.store.webhook(id: "wh_1", tenant: "t1"))
        #expect(!subscription.enabled && subscription.disabledReason?.hasPrefix("every attempt failed for 72 hours") == true)
        let letters = try await harness.store.webhookDeadLetters(id: "wh_1", tenant: "t1")
        #expect(letters.count == 1 && letters.first?.type == "contacts.created" && letters.first?.error == "HTTP 500")
        #expect(rounds > 60 && rounds < 80, "about 72 hourly rounds: \(rounds)")
    }

    @Test func goneDisablesAndRedirectsAreNotFollowed() async throws {
        let harness = try await Harness()
        let receiver = try await WebhookTestReceiver.start(script: [302, 410])
        defer {
            Task {
                await receiver.stop()
                await harness.transport.shutdown()
            }
        }
        try await harness.subscribe(receiver.url, secret: WebhookSecret.generate())
        _ = try await harness.store.upsert([Fixtures.contact(1)], scope: harness.scope, cursor: nil)
        let worker = harness.worker()
        #expect(try await worker.runOnce() == 1)
        #expect(try await harness.store.webhook(id: "wh_1", tenant: "t1")?.lastError == "HTTP 302")
        harness.advance(60)
        #expect(try await worker.runOnce() == 1)
        let subscription = try #require(try await harness.store.webhook(id: "wh_1", tenant: "t1"))
        #expect(!subscription.enabled && subscription.disabledReason == "the receiver answered 410 Gone")
        #expect(receiver.received.count == 2)
    }

    @Test func refusesPrivateTargetsUnlessAllowed() async throws {
        let harness = try await Harness()
        let receiver = try await WebhookTestReceiver.start()
        let strict = SafeWebhookTransport(allowPrivateTargets: false)
        defer {
            Task {
                await receiver.stop()
                await strict.shutdown()
                await harness.transport.shutdown()
            }
        }
        let url = try #require(URL(string: receiver.url))
        await #expect(throws: WebhookTargetPolicy.Refusal.self) {
            _ = try await strict.post(url: url, headers: [], body: Data("{}".utf8), timeout: 2)
        }
        let localhost = try #require(URL(string: receiver.url.replacingOccurrences(of: "127.0.0.1", with: "localhost")))
        await #expect(throws: WebhookTargetPolicy.Refusal.self) {
            _ = try await strict.post(url: localhost, headers: [], body: Data("{}".utf8), timeout: 2)
        }
        #expect(receiver.received.isEmpty, "nothing reached the receiver")
        #expect(try await harness.transport.post(url: localhost, headers: [], body: Data("{}".utf8), timeout: 2).status == 204)
    }

    /// A committed change wakes the service at once: with a poll interval of a minute, only the
    /// store's signal can have sent these within the wait.
    @Test func theServiceWakesOnACommit() async throws {
        let harness = try await Harness()
        let receiver = try await WebhookTestReceiver.start()
        defer {
            Task {
                await receiver.stop()
                await harness.transport.shutdown()
            }
        }
        try await harness.subscribe(receiver.url, secret: WebhookSecret.generate())
        let worker = WebhookWorker(
            store: harness.store, transport: harness.transport, audience: EveryoneHears(), owner: "w1", logger: Logger(label: "test"))
        let service = WebhookService(worker: worker, idleInterval: .seconds(60), logger: Logger(label: "test"))
        let task = Task { try await service.run() }
        defer { task.cancel() }
        // The first look happens at once; wait until the service sleeps, then commit.
        try await Task.sleep(for: .milliseconds(200))
        for index in 1...3 {
            _ = try await harness.store.upsert([Fixtures.contact(index)], scope: harness.scope, cursor: nil)
            var waited = 0
            while receiver.received.count < index, waited < 100 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            #expect(receiver.received.count == index, "event \(index) sent on the commit's signal")
        }
    }

    struct Envelope: Decodable {
        struct Payload: Decodable {
            var sequence: Int64
            var key: String

            enum CodingKeys: String, CodingKey {
                case sequence = "EntityEventSequence"
                case key = "ResourceRecordKey"
            }
        }
        var type: String
        var data: Payload
    }
}
