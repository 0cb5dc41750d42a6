public import ConnectorKit
import Foundation
public import HubStore
public import RealtyModel

/// How record writes are performed at the vendor: creates (a lookup first whenever an earlier
/// attempt may have reached the vendor), partial updates guarded by the vendor's modification
/// time, and deletes, each returning what the hub stores when the delivery is marked done.
public enum RecordWriteHandlers {
    /// Performs a `record.create`, `record.update` or `record.delete` delivery.
    public static func perform(_ context: DeliveryContext) async throws -> DeliveryOutcome {
        let write: RecordWrite
        do {
            write = try RecordWrite.decode(context.delivery.payload)
        } catch {
            throw SyncEngineError.invalidPayload("not a record write: \(error)", underlying: error)
        }
        return try await perform(write, write.resource.recordType, context)
    }

    private static func perform<R: HubRecord>(_ write: RecordWrite, _ type: R.Type, _ context: DeliveryContext) async throws
        -> DeliveryOutcome
    {
        switch context.delivery.kind {
        case .recordCreate:
            return try await create(try record(R.self, write), context)
        case .recordUpdate:
            guard let sourceKey = write.sourceKey else { throw SyncEngineError.invalidPayload("the update names no vendor record") }
            // Nothing differed from the hub's copy: nothing to send.
            guard let fields = write.fields, !fields.isEmpty else { return DeliveryOutcome(remoteID: sourceKey) }
            let change = RecordChange(
                record: try record(R.self, write), fields: fields, remoteID: sourceKey,
                expectedSourceModification: context.delivery.force ? nil : write.expectedSourceModification)
            let result: WriteResult
            do {
                result = try await context.connector.update(change)
            } catch let error as ConnectorError where error.kind == .changedAtVendor {
                // The vendor's record changed after the hub's copy. When an earlier attempt may
                // have written it (its answer lost) and the vendor's record now holds exactly
                // the values this update writes, that change was this update: it is done.
                guard context.mayHaveReachedVendor, let current = error.vendorRecord,
                    holds(current, fields, of: change.record)
                else { throw error }
                return DeliveryOutcome(remoteID: sourceKey, effect: context.storing(current))
            }
            return DeliveryOutcome(remoteID: result.remoteID, effect: context.storing(result.record))
        case .recordDelete:
            guard let sourceKey = write.sourceKey else { throw SyncEngineError.invalidPayload("the delete names no vendor record") }
            // Deleting again after a lost answer is harmless: connectors treat a record already
            // gone as deleted. A write carrying the hub's copy (media: it names the parent) gives
            // it to the connector.
            if write.record != nil {
                try await context.connector.delete(try record(R.self, write), remoteID: sourceKey)
            } else {
                try await context.connector.delete(R.self, remoteID: sourceKey)
            }
            return DeliveryOutcome(remoteID: sourceKey, effect: .delete(R.resource, sourceKey: sourceKey, scope: context.scope()))
        default:
            throw SyncEngineError.invalidPayload("deliveries of kind \(context.delivery.kind) are not record writes")
        }
    }

    /// Creates `record` at the vendor once: when an earlier attempt may have created it (its
    /// answer lost), the vendor is asked for it first by the lookup keys it allows.
    public static func create<R: HubRecord>(_ record: R, _ context: DeliveryContext) async throws -> DeliveryOutcome {
        if let remoteID = context.delivery.remoteID { return DeliveryOutcome(remoteID: remoteID) }
        if context.mayHaveReachedVendor,
            let capability = context.connector.capabilities.write(R.resource), !capability.lookupKeys.isEmpty,
            let existing = try await context.connector.lookup(record)
        {
            // Found: the earlier attempt created it. The hub's copy arrives with the next pull.
            return DeliveryOutcome(remoteID: existing)
        }
        let result = try await context.connector.create(record)
        return DeliveryOutcome(remoteID: result.remoteID, effect: context.storing(linkingParent(result.record, from: record)))
    }

    /// A created media as the vendor answered it, tied to the parent the client named: the
    /// vendor knows the parent by its own key only, the hub stores media under the parent's hub
    /// key (`ResourceName`, `ResourceRecordKey`), as a pull of the parent would.
    static func linkingParent(_ created: (any HubRecord)?, from written: any HubRecord) -> (any HubRecord)? {
        guard var media = created as? Media, let asked = written as? Media else { return created }
        if media.resourceRecordKey == nil {
            media.resourceName = media.resourceName ?? asked.resourceName
            media.resourceRecordKey = asked.resourceRecordKey
        }
        return media
    }

    /// Whether `current` (a vendor's record) has the same value as `wanted` for every one of
    /// `fields`, compared in RESO JSON (a field absent on one side and null on the other match).
    static func holds(_ current: any HubRecord, _ fields: [String], of wanted: any HubRecord) -> Bool {
        guard case .object(let have) = resoJSON(current), case .object(let want) = resoJSON(wanted) else { return false }
        return fields.allSatisfy { (have[$0] ?? .null) == (want[$0] ?? .null) }
    }

    /// The record of a write's payload.
    static func record<R: HubRecord>(_ type: R.Type, _ write: RecordWrite) throws -> R {
        guard case .object(let object)? = write.record else {
            throw SyncEngineError.invalidPayload("the write carries no \(R.resource.rawValue) record")
        }
        do {
            return try R(clientFields: object)
        } catch {
            throw SyncEngineError.invalidPayload("the write's record is not a \(R.resource.rawValue) record: \(error)", underlying: error)
        }
    }

    /// Both sides of an update refused because the vendor's record changed: the hub's side is
    /// the record the update would have written, the fields it changes and the vendor time it
    /// was based on; the vendor's side is its record as found (RESO names, `raw` left out).
    static func conflict(_ delivery: Delivery, _ error: ConnectorError) -> DeliveryConflict {
        var hub: [String: JSONValue] = [:]
        if let write = try? RecordWrite.decode(delivery.payload) {
            hub["record"] = write.record ?? .null
            hub["fields"] = .array((write.fields ?? []).map(JSONValue.string))
            hub["source_modification_timestamp"] = write.expectedSourceModification.map { .string(Timestamp.format($0)) } ?? .null
        }
        var vendor: JSONValue = .null
        if let record = error.vendorRecord {
            vendor = resoJSON(record)
        }
        return DeliveryConflict(hub: .object(hub), vendor: vendor)
    }

    /// A record in RESO names without the vendor's raw payload.
    static func resoJSON(_ record: any HubRecord) -> JSONValue {
        var copy = record
        copy.metadata.raw = nil
        guard let data = try? JSONEncoder().encode(copy), let value = try? JSONValue(parsing: data) else { return .null }
        return value
    }
}
