public import Foundation
public import HubStore
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

    /// The message of `delivery.succeeded` or `delivery.dead`, from the delivery as it is when
    /// the message is built (so a dead delivery retried since shows its new state): `data`
    /// carries `EntityEventSequence`, `delivery_id`, `connection_id`, `kind`, `state`,
    /// `attempts`, and `record_key`, `remote_id`, `last_error`, `error_code` when set; never the
    /// delivery's payload (personal data, secrets). With `delivery` nil (gone from the store):
    /// what the event row holds, its sequence and the ids.
    public static func deliveryEvent(_ event: HubEvent, delivery: Delivery?) -> WebhookMessage {
        var data = hubData(event, subjectKey: "delivery_id")
        if let delivery {
            data["connection_id"] = .string(delivery.connectionID)
            data["kind"] = .string(delivery.kind.rawValue)
            data["state"] = .string(delivery.state.rawValue)
            data["attempts"] = .number(JSONNumber(delivery.attempts))
            if let key = delivery.recordKey { data["record_key"] = .string(key) }
            if let remote = delivery.remoteID { data["remote_id"] = .string(remote) }
            if let error = delivery.lastError { data["last_error"] = .string(error) }
            if let code = delivery.errorCode { data["error_code"] = .string(code) }
        }
        return message(id: "evt_\(event.sequence)", type: event.kind.rawValue, timestamp: event.timestamp, data: data)
    }

    /// The message of `sync_run.failed`, from the run: `data` carries `EntityEventSequence`,
    /// `sync_run_id`, `connection_id`, `resource` (its RESO name), `mode`, `error`,
    /// `started_at` and `finished_at`. With `run` nil (gone): the sequence and the ids.
    public static func syncRunFailed(_ event: HubEvent, run: SyncRun?) -> WebhookMessage {
        var data = hubData(event, subjectKey: "sync_run_id")
        if let run {
            data["connection_id"] = .string(run.connectionID)
            data["resource"] = .string(run.resource.rawValue)
            data["mode"] = .string(run.mode.rawValue)
            if let error = run.error { data["error"] = .string(error) }
            data["started_at"] = .string(Timestamp.format(run.startedAt))
            if let finished = run.finishedAt { data["finished_at"] = .string(Timestamp.format(finished)) }
        }
        return message(id: "evt_\(event.sequence)", type: event.kind.rawValue, timestamp: event.timestamp, data: data)
    }

    /// The message of `connection.unavailable`, from the run that found the resource
    /// unavailable: `data` carries `EntityEventSequence`, `connection_id`, `resource` (its RESO
    /// name) and `reason` (what the run could not read, and why). With `run` nil (gone): the
    /// sequence and the connection.
    public static func connectionUnavailable(_ event: HubEvent, run: SyncRun?) -> WebhookMessage {
        var data: [String: JSONValue] = ["EntityEventSequence": .number(JSONNumber(event.sequence))]
        if let connection = run?.connectionID ?? event.connectionID { data["connection_id"] = .string(connection) }
        if let run {
            data["resource"] = .string(run.resource.rawValue)
            if let reason = run.skipped ?? run.error { data["reason"] = .string(reason) }
        }
        return message(id: "evt_\(event.sequence)", type: event.kind.rawValue, timestamp: event.timestamp, data: data)
    }

    /// What every delivery and run message carries, from the event row alone.
    private static func hubData(_ event: HubEvent, subjectKey: String) -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            "EntityEventSequence": .number(JSONNumber(event.sequence)), subjectKey: .string(event.subjectID),
        ]
        if let connection = event.connectionID { data["connection_id"] = .string(connection) }
        return data
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
