import Foundation
import HubStore
import HubTestSupport
import RealtyModel
import SyncEngine
import Testing

/// What a webhook carries, byte for byte, and that its headers verify as Standard Webhooks.
@Suite struct WebhookPayloadTests {
    /// A hub event whose delivery or run is gone when it is sent: what the event row holds.
    @Test func aHubEventWhoseSubjectIsGoneCarriesItsIds() throws {
        let stamp = Date(timeIntervalSince1970: 1_764_900_000)
        let delivery = HubEvent(sequence: 9, kind: .deliveryDead, subjectID: "d-1", connectionID: "conn-1", timestamp: stamp)
        let dead = WebhookMessage.deliveryEvent(delivery, delivery: nil)
        #expect(dead.id == "evt_9" && dead.type == "delivery.dead")
        #expect(
            String(decoding: dead.body, as: UTF8.self)
                == #"{"data":{"EntityEventSequence":9,"connection_id":"conn-1","delivery_id":"d-1"},"#
                + #""timestamp":"2025-12-05T02:00:00.000Z","type":"delivery.dead"}"#)
        let run = HubEvent(sequence: 10, kind: .syncRunFailed, subjectID: "run-1", connectionID: "conn-2", timestamp: stamp)
        #expect(
            String(decoding: WebhookMessage.syncRunFailed(run, run: nil).body, as: UTF8.self)
                == #"{"data":{"EntityEventSequence":10,"connection_id":"conn-2","sync_run_id":"run-1"},"#
                + #""timestamp":"2025-12-05T02:00:00.000Z","type":"sync_run.failed"}"#)
        let unavailable = HubEvent(sequence: 11, kind: .connectionUnavailable, subjectID: "run-2", connectionID: "conn-2", timestamp: stamp)
        #expect(
            String(decoding: WebhookMessage.connectionUnavailable(unavailable, run: nil).body, as: UTF8.self)
                == #"{"data":{"EntityEventSequence":11,"connection_id":"conn-2"},"#
                + #""timestamp":"2025-12-05T02:00:00.000Z","type":"connection.unavailable"}"#)
    }

    /// The change feed's names of each hub event type, both ways.
    @Test func hubEventKindsRoundTripThroughTheirRows() {
        for kind in HubEvent.Kind.allCases {
            #expect(HubEvent.Kind(resource: kind.resource, change: kind.change) == kind)
            #expect(!HubEvent.recordResources.contains(kind.resource))
        }
        #expect(HubEvent.Kind.syncRunFailed.resource == "sync_run" && HubEvent.Kind.syncRunFailed.change == "failed")
        #expect(HubEvent.Kind(resource: "Contacts", change: "created") == nil)
    }

    @Test func aRecordEventCarriesTheRecordWithoutRaw() throws {
        var contact = Fixtures.contact(7)
        contact.metadata.key = "CT-1"
        contact.metadata.connectionID = "conn-1"
        contact.metadata.deleted = true
        let event = EntityEvent(
            sequence: 42, resourceName: .contacts, resourceRecordKey: "CT-1", change: .deleted, connectionID: "conn-1",
            timestamp: Date(timeIntervalSince1970: 1_764_900_000))
        let message = WebhookMessage.recordEvent(event, record: contact)
        #expect(message.id == "evt_42" && message.type == "contacts.deleted")
        let text = String(decoding: message.body, as: UTF8.self)
        #expect(
            text == #"{"data":{"EntityEventSequence":42,"ResourceName":"Contacts","ResourceRecordKey":"CT-1","change":"deleted","#
                + #""connection_id":"conn-1","record":{"ConnectionId":"conn-1","ContactKey":"CT-1","ContactType":"Client","#
                + #""DeletedYN":true,"Email":"person7@example.com","FirstName":"First7","HomeCity":"Boston","LastName":"Last7","#
                + #""LeadSource":"web","MobilePhone":"+34 600 000007","SourceModificationTimestamp":"2023-11-14T22:13:27.000Z","#
                + #""SourceSystemContactKey":"c-7","SourceSystemName":"mycrm"}},"timestamp":"2025-12-05T02:00:00.000Z","#
                + #""type":"contacts.deleted"}"#)
        #expect(!text.contains("raw"))
        // A record gone from the store: the event still goes, with a null record.
        let gone = WebhookMessage.recordEvent(event, record: nil)
        #expect(String(decoding: gone.body, as: UTF8.self).contains(#""record":null"#))
    }

    @Test func headersVerifyWithEitherSecretDuringARotation() throws {
        let old = WebhookSecret.generate()
        let new = WebhookSecret.generate()
        let message = WebhookMessage.message(id: "evt_1", type: "delivery.dead", timestamp: Date(), data: ["id": .string("d-1")])
        let now = Date()
        let headers = Dictionary(uniqueKeysWithValues: message.headers(timestamp: Int64(now.timeIntervalSince1970), secrets: [new, old]))
        #expect(headers["content-type"] == "application/json" && headers["webhook-id"] == "evt_1")
        for secret in [old, new] {
            try WebhookSignature.verify(
                body: message.body, id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
                signatures: headers["webhook-signature"], secret: secret, now: now)
        }
        #expect(throws: WebhookSignatureError.noMatchingSignature) {
            try WebhookSignature.verify(
                body: message.body, id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
                signatures: headers["webhook-signature"], secret: WebhookSecret.generate(), now: now)
        }
    }
}
