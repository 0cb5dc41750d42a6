import Foundation
import HubOperations
import HubStore
import HubStoreSQLite
import HubTestSupport
import Logging
import RealtyModel
import SyncEngine
import Testing

/// The hub's own events (delivery.succeeded, delivery.dead, sync_run.failed,
/// connection.unavailable) received over loopback with their exact data, in sequence order
/// with the record events, only by subscriptions whose client may read them; on SQLite and on
/// PostgreSQL.
@Suite struct WebhookHubEventsTests {
    @Test func onSQLite() async throws {
        let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
        try await Self.scenario(store)
    }

    @Test(.enabled(if: PostgresTestDatabase.isConfigured, "REALTYHUB_TEST_DATABASE_URL is not set"))
    func onPostgreSQL() async throws {
        try await PostgresTestDatabase.withStore { store in try await Self.scenario(store) }
    }

    static func scenario(_ store: any HubStorage) async throws {
        let tenant = "t1"
        let scope = SyncScope(tenant: tenant, connectionID: "conn-1", sourceSystemName: "mycrm")
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await store.createTenant(id: tenant, name: "One")
        // Three subscriptions to "*": the data folder's (reads everything), a client that reads
        // contacts only, and one that reads contacts and deliveries.
        let receivers = [
            try await WebhookTestReceiver.start(), try await WebhookTestReceiver.start(), try await WebhookTestReceiver.start(),
        ]
        let transport = SafeWebhookTransport(allowPrivateTargets: true)
        let secret = WebhookSecret.generate()
        for (index, scopes) in [nil, ["contacts:read"], ["contacts:read", "deliveries:read"]].enumerated() {
            if let scopes {
                try await store.createAPIClient(
                    APIClient(
                        id: "client-\(index)", tenantID: tenant, name: "app \(index)", secretHash: "x$y", scopes: scopes, createdAt: t0))
            }
            try await store.createWebhook(
                WebhookSubscription(
                    id: "wh_\(index)", tenantID: tenant, clientID: scopes == nil ? nil : "client-\(index)", url: receivers[index].url,
                    events: ["*"], scopes: scopes ?? ["*:read"], cursor: try await store.latestEventSequence(),
                    createdAt: t0.addingTimeInterval(Double(index))),
                secret: secret.text)
        }

        // A lead delivered: the contact stored with its created event, then delivery.succeeded.
        let payload = Data(#"{"Email":"private.person@example.com"}"#.utf8)
        _ = try await store.enqueue(
            [
                NewDelivery(id: "d-lead", tenantID: tenant, connectionID: "conn-1", kind: .leadCreate, payload: payload),
                NewDelivery(id: "d-dead", tenantID: tenant, connectionID: "conn-1", kind: .leadCreate, payload: payload),
            ], now: t0)
        _ = try await store.claimDeliveries(owner: "w1", now: t0, leaseDuration: 60, limit: 10, connectionID: nil)
        let lead = try await store.completeDelivery(
            id: "d-lead", owner: "w1", remoteID: "c-1", effect: .upsert(Fixtures.contact(1), scope: scope), now: t0.addingTimeInterval(1))
        let leadKey = try #require(lead.recordKey)
        _ = try await store.failDelivery(
            id: "d-dead", owner: "w1", error: "HTTP 422: Email is invalid", errorCode: "vendor_validation", retryAt: nil,
            now: t0.addingTimeInterval(2))
        // A failed run, then a resource found unavailable twice: one connection.unavailable.
        var failed = SyncRun(id: "run-f", tenantID: tenant, connectionID: "conn-1", resource: .contacts, mode: .incremental, startedAt: t0)
        try await store.startSyncRun(failed)
        failed.status = .failed
        failed.error = "HTTP 500 from the vendor"
        failed.finishedAt = t0.addingTimeInterval(3)
        try await store.finishSyncRun(failed)
        for index in 0..<2 {
            var run = SyncRun(
                id: "run-u\(index)", tenantID: tenant, connectionID: "conn-1", resource: .activity, mode: .full,
                startedAt: t0.addingTimeInterval(Double(10 + 300 * index)))
            try await store.startSyncRun(run)
            run.status = .unavailable
            run.skipped = "Activity is not available on this connection: HTTP 403"
            run.finishedAt = run.startedAt.addingTimeInterval(1)
            try await store.finishSyncRun(run)
        }

        let worker = WebhookWorker(
            store: store, transport: transport, audience: HubWebhookAudience(clients: store), owner: "w1", logger: Logger(label: "test"))
        #expect(try await worker.runOnce() == 5 + 1 + 3)
        let hub = try await store.webhookEvents(tenant: tenant, after: 0, limit: 100)
        let sequences = hub.map(\.sequence)
        try #require(sequences.count == 5, "one record event and four hub events: \(hub)")

        let received = try receivers.map { receiver in
            try receiver.received.map { request -> (type: String, data: JSONValue) in
                try WebhookSignature.verify(
                    body: request.body, id: request.headers["webhook-id"], timestamp: request.headers["webhook-timestamp"],
                    signatures: request.headers["webhook-signature"], secret: secret)
                let body = try JSONValue(parsing: request.body)
                #expect(!String(decoding: request.body, as: UTF8.self).contains("private.person"), "never the delivery's payload")
                return (body["type"]?.stringValue ?? "", body["data"] ?? .null)
            }
        }
        #expect(
            received[0].map(\.type) == [
                "contacts.created", "delivery.succeeded", "delivery.dead", "sync_run.failed", "connection.unavailable",
            ])
        #expect(received[1].map(\.type) == ["contacts.created"], "a client reading contacts only gets no hub event")
        #expect(received[2].map(\.type) == ["contacts.created", "delivery.succeeded", "delivery.dead"], "deliveries:read, not connections")
        try #require(received[0].count == 5)
        #expect(received[0][0].data["ResourceRecordKey"] == .string(leadKey), "the lead's contact, before its delivery")
        let number = { (index: Int) in JSONValue.number(JSONNumber(sequences[index])) }
        #expect(
            received[0][1].data
                == .object([
                    "EntityEventSequence": number(1), "delivery_id": "d-lead", "connection_id": "conn-1", "kind": "lead.create",
                    "state": "done", "attempts": 1, "record_key": .string(leadKey), "remote_id": "c-1",
                ]))
        #expect(
            received[0][2].data
                == .object([
                    "EntityEventSequence": number(2), "delivery_id": "d-dead", "connection_id": "conn-1", "kind": "lead.create",
                    "state": "dead", "attempts": 1, "last_error": "HTTP 422: Email is invalid", "error_code": "vendor_validation",
                ]))
        #expect(
            received[0][3].data
                == .object([
                    "EntityEventSequence": number(3), "sync_run_id": "run-f", "connection_id": "conn-1", "resource": "Contacts",
                    "mode": "incremental", "error": "HTTP 500 from the vendor", "started_at": "2027-01-15T08:00:00.000Z",
                    "finished_at": "2027-01-15T08:00:03.000Z",
                ]))
        #expect(
            received[0][4].data
                == .object([
                    "EntityEventSequence": number(4), "connection_id": "conn-1", "resource": "Activity",
                    "reason": "Activity is not available on this connection: HTTP 403",
                ]))
        #expect(received[0].map { $0.data["EntityEventSequence"] } == sequences.map { .number(JSONNumber($0)) }, "in sequence order")
        #expect(try await worker.runOnce() == 0, "nothing more to send")
        // The public feed holds the record event alone.
        #expect(try await store.events(tenant: tenant, after: 0, limit: 100).map(\.sequence) == [sequences[0]])

        // The resource found available, then unavailable again: a new transition, sent.
        var available = SyncRun(
            id: "run-ok", tenantID: tenant, connectionID: "conn-1", resource: .activity, mode: .full, startedAt: t0.addingTimeInterval(900))
        try await store.startSyncRun(available)
        available.status = .succeeded
        available.finishedAt = t0.addingTimeInterval(901)
        try await store.finishSyncRun(available)
        var again = SyncRun(
            id: "run-u2", tenantID: tenant, connectionID: "conn-1", resource: .activity, mode: .full,
            startedAt: t0.addingTimeInterval(1_200))
        try await store.startSyncRun(again)
        again.status = .unavailable
        again.skipped = "Activity is not available on this connection: HTTP 404"
        again.finishedAt = t0.addingTimeInterval(1_201)
        try await store.finishSyncRun(again)
        #expect(try await worker.runOnce() == 1)
        let last = try JSONValue(parsing: try #require(receivers[0].received.last?.body))
        #expect(
            last["type"] == "connection.unavailable" && last["data"]?["reason"] == "Activity is not available on this connection: HTTP 404")

        for receiver in receivers { await receiver.stop() }
        await transport.shutdown()
    }
}
