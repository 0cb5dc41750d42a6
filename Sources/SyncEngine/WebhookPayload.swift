public import Foundation
public import RealtyModel

/// One webhook as it is sent: its `webhook-id` (the same on every retry of the event) and its
/// body, `{"type", "timestamp", "data"}` as the Standard Webhooks specification recommends,
/// written once as compact JSON with sorted keys (the bytes signed are the bytes sent).
public struct WebhookMessage: Sendable, Hashable {
    public let id: String
    public let type: String
    public let body: Data

    /// The message of a record event: `data` carries the event's sequence, resource, record
    /// key, change and connection, and the record as it is when the message is built (RESO
    /// names, `raw` left out; a deleted record's last known state); `record` is null when the
    /// record is gone from the store.
    public static func recordEvent(_ event: EntityEvent, record: (any HubRecord)?) -> WebhookMessage {
        let type = type(of: event)
        var data: [String: JSONValue] = [
            "EntityEventSequence": .number(JSONNumber(event.sequence)),
            "ResourceName": .string(event.resourceName.rawValue),
            "ResourceRecordKey": .string(event.resourceRecordKey),
            "change": .string(event.change.rawValue),
            "record": record.map(RecordWriteHandlers.resoJSON) ?? .null,
        ]
        if let connection = event.connectionID { data["connection_id"] = .string(connection) }
        return message(id: "evt_\(event.sequence)", type: type, timestamp: event.timestamp, data: data)
    }

    /// A message of any type, with `data` as given.
    public static func message(id: String, type: String, timestamp: Date, data: [String: JSONValue]) -> WebhookMessage {
        let body: JSONValue = .object(["type": .string(type), "timestamp": .string(Timestamp.format(timestamp)), "data": .object(data)])
        return WebhookMessage(id: id, type: type, body: Data(body.jsonText.utf8))
    }

    /// The headers of one attempt at `timestamp` (seconds since 1970), signed with `secrets`
    /// (the current one first; a retiring one after it while a rotation lasts).
    public func headers(timestamp: Int64, secrets: [WebhookSecret]) -> [(String, String)] {
        [
            ("content-type", "application/json"),
            ("webhook-id", id),
            ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", WebhookSignature.header(id: id, timestamp: timestamp, body: body, secrets: secrets)),
        ]
    }
}
