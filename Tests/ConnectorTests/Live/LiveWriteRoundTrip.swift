import ConnectorKit
import Foundation
import RealtyModel
import Sandbox
import Testing

/// What a live write round trip did, for the vendor-specific checks that follow.
struct LiveWriteTrip<R: HubRecord> {
    var remoteID: String
    var created: R
    var updated: R
}

/// The same canonical values in two records (metadata aside).
func sameFields<R: HubRecord>(_ lhs: R, _ rhs: R) -> Bool {
    R.fields.allSatisfy { $0.value(in: lhs) == $0.value(in: rhs) }
}

/// Drives one writable resource through the write contract against a live emulator:
/// create → read back (the created record is what a read returns) → update of `change`'s fields
/// with the created record's stamp → read back → a second update after the vendor changed the
/// record (a write made `advance` later) is refused as changed at the vendor, with the vendor's
/// record → delete (when `deletes`) → gone, and deleting again is still a success.
///
/// - Parameters:
///   - connector: the connector under test.
///   - clock: the sandbox's manual clock (moved so vendor stamps differ by whole seconds).
///   - record: what to create.
///   - deletes: whether the vendor deletes this resource.
///   - change: changes the record and returns the RESO fields it changed.
func liveWriteRoundTrip<R: HubRecord>(
    _ connector: any Connector, clock: SandboxClock, record: R, deletes: Bool, sourceLocation: SourceLocation = #_sourceLocation,
    change: (inout R) -> [String]
) async throws -> LiveWriteTrip<R> {
    #expect(connector.writeProblems(record, fields: record.presentFieldNames, operation: .create) == [], sourceLocation: sourceLocation)
    let created = try await connector.create(record)
    let createdRecord = try #require(created.record as? R, sourceLocation: sourceLocation)
    #expect(createdRecord.metadata.sourceKey == created.remoteID, sourceLocation: sourceLocation)
    let readBack = try await connector.readAll(R.self).records.first { $0.metadata.sourceKey == created.remoteID }
    #expect(readBack.map { sameFields($0, createdRecord) } == true, "created record read back", sourceLocation: sourceLocation)

    clock.advance(by: .seconds(2))
    var wanted = createdRecord
    let fields = change(&wanted)
    #expect(connector.writeProblems(wanted, fields: fields, operation: .update) == [], sourceLocation: sourceLocation)
    let updated = try await connector.update(
        RecordChange(
            record: wanted, fields: fields, remoteID: created.remoteID,
            expectedSourceModification: createdRecord.metadata.sourceModificationTimestamp))
    let updatedRecord = try #require(updated.record as? R, sourceLocation: sourceLocation)
    let changed = R.fields.filter { fields.contains($0.name) }
    for field in changed {
        #expect(field.value(in: updatedRecord) == field.value(in: wanted), "\(field.name) updated", sourceLocation: sourceLocation)
    }
    let readAgain = try await connector.readAll(R.self).records.first { $0.metadata.sourceKey == created.remoteID }
    #expect(readAgain.map { sameFields($0, updatedRecord) } == true, "updated record read back", sourceLocation: sourceLocation)

    // Someone changes the record at the vendor; an update from the older copy is refused.
    clock.advance(by: .seconds(2))
    _ = try await connector.update(RecordChange(record: wanted, fields: fields, remoteID: created.remoteID))
    let stale = await connectorError {
        _ = try await connector.update(
            RecordChange(
                record: wanted, fields: fields, remoteID: created.remoteID,
                expectedSourceModification: updatedRecord.metadata.sourceModificationTimestamp))
    }
    #expect(stale?.kind == .changedAtVendor, sourceLocation: sourceLocation)
    #expect(stale?.vendorRecord?.metadata.sourceKey == created.remoteID, sourceLocation: sourceLocation)

    if deletes {
        try await connector.delete(R.self, remoteID: created.remoteID)
        let after = try await connector.readAll(R.self).records
        #expect(!after.contains { $0.metadata.sourceKey == created.remoteID }, "deleted", sourceLocation: sourceLocation)
        try await connector.delete(R.self, remoteID: created.remoteID)
    }
    return LiveWriteTrip(remoteID: created.remoteID, created: createdRecord, updated: updatedRecord)
}
