import Foundation
import HubTestSupport
import RealtyModel
import SyncEngine
import Testing

/// What a webhook carries, byte for byte, and that its headers verify as Standard Webhooks.
@Suite struct WebhookPayloadTests {
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
