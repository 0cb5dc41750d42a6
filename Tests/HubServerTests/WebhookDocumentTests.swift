import Foundation
import HubOperations
import HubStore
import HubTestSupport
import RealtyModel
import SyncEngine
import Testing

@testable import HubServer

/// The OpenAPI document's `webhooks` section describes exactly the messages the hub sends:
/// every message builder's body, for every event type, validates against its entry (closed
/// objects, so a member the document does not name fails too), and every type has an entry.
@Suite struct WebhookDocumentTests {
    static let document = OpenAPIDocument.make([])
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func check(_ message: WebhookMessage, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let schema = try #require(
            document["webhooks"]?[message.type]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"],
            "no webhooks entry for \(message.type)", sourceLocation: sourceLocation)
        let body = try JSONValue(parsing: message.body)
        let errors = SchemaValidator(document: document).validate(body, against: schema, at: "$")
        #expect(errors.isEmpty, "\(message.type): \(errors)", sourceLocation: sourceLocation)
    }

    @Test func everyEventTypeHasAnEntry() {
        guard case .object(let entries)? = Self.document["webhooks"] else {
            Issue.record("the document has no webhooks section")
            return
        }
        #expect(Set(entries.keys) == Set(WebhookEventType.all + ["webhook.test"]))
    }

    @Test func recordEventsMatchTheDocument() throws {
        for resource in ResourceName.allCases {
            for change in WebhookEventType.changes {
                let event = EntityEvent(
                    sequence: 41, resourceName: resource, resourceRecordKey: "key-1", change: change, connectionID: "conn-1",
                    timestamp: Self.at)
                try Self.check(WebhookMessage.recordEvent(event, record: nil))
            }
        }
        let contact = Fixtures.contact(3)
        let event = EntityEvent(
            sequence: 42, resourceName: .contacts, resourceRecordKey: "contact-3", change: .updated, connectionID: nil, timestamp: Self.at)
        try Self.check(WebhookMessage.recordEvent(event, record: contact))
    }

    @Test func hubEventsMatchTheDocument() throws {
        let delivery = Delivery(
            id: "d-1", tenantID: "t", connectionID: "conn-1", kind: .leadCreate, payload: Data("{}".utf8), idempotencyKey: nil,
            state: .dead, attempts: 8, maxAttempts: 8, nextAttemptAt: nil, lastError: "refused", remoteID: "r-1", leaseOwner: nil,
            leaseExpiresAt: nil, createdAt: Self.at, updatedAt: Self.at, completedAt: nil, recordKey: "k-1",
            errorCode: "vendor_validation")
        let run = SyncRun(
            id: "run-1", tenantID: "t", connectionID: "conn-1", resource: .contacts, mode: .full, status: .failed,
            startedAt: Self.at, finishedAt: Self.at.addingTimeInterval(3), error: "the vendor answered 500", skipped: "no permission")
        for kind in [HubEvent.Kind.deliverySucceeded, .deliveryDead] {
            let event = HubEvent(sequence: 7, kind: kind, subjectID: "d-1", connectionID: "conn-1", timestamp: Self.at)
            try Self.check(WebhookMessage.deliveryEvent(event, delivery: delivery))
            try Self.check(WebhookMessage.deliveryEvent(event, delivery: nil))
        }
        let failed = HubEvent(sequence: 8, kind: .syncRunFailed, subjectID: "run-1", connectionID: "conn-1", timestamp: Self.at)
        try Self.check(WebhookMessage.syncRunFailed(failed, run: run))
        try Self.check(WebhookMessage.syncRunFailed(failed, run: nil))
        let unavailable = HubEvent(
            sequence: 9, kind: .connectionUnavailable, subjectID: "run-1", connectionID: "conn-1", timestamp: Self.at)
        try Self.check(WebhookMessage.connectionUnavailable(unavailable, run: run))
        try Self.check(WebhookMessage.connectionUnavailable(unavailable, run: nil))
        try Self.check(
            WebhookMessage.message(id: "test_1", type: "webhook.test", timestamp: Self.at, data: ["webhook_id": .string("wh_1")]))
    }
}
