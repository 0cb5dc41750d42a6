public import Foundation
public import RealtyModel

/// One record of an upsert batch, checked, hashed and sealed before anything is written: what
/// every store writes for it (each binds the values its own way).
public struct PreparedRecord: Sendable {
    /// The vendor's id of the record (unique in the batch).
    public var sourceKey: String
    /// The ``ContentHash`` of ``values``.
    public var hash: String
    /// The canonical values, in ``RealtyModel/HubRecord/fields`` order.
    public var values: [FieldValue]
    /// The vendor payload as JSON text with its sensitive fields sealed, or nil when none.
    public var raw: String?
    /// The record's SourceSystemName (the scope's when the record names none).
    public var sourceSystem: String
    /// The vendor's own modification timestamp.
    public var sourceModified: Date?
    /// The vendor's own entry timestamp.
    public var sourceEntry: Date?

    /// Checks, hashes and seals `records`, in order.
    ///
    /// - Throws: ``StoreError`` `.invalidQuery` when a record has no source key or one appears
    ///   twice in the batch; `.secretKey` when sealing fails.
    public static func batch<R: HubRecord>(_ records: [R], scope: SyncScope, secretBox: SecretBox) throws -> [PreparedRecord] {
        let fields = R.fields
        let names = fields.map(\.name)
        var prepared: [PreparedRecord] = []
        prepared.reserveCapacity(records.count)
        var seenInBatch = Set<String>()
        for record in records {
            let metadata = record.metadata
            guard let sourceKey = metadata.sourceKey, !sourceKey.isEmpty else {
                throw StoreError.invalidQuery("a \(R.resource.rawValue) record has no \(R.resource.sourceKeyField)")
            }
            guard seenInBatch.insert(sourceKey).inserted else {
                throw StoreError.invalidQuery("\(R.resource.sourceKeyField) \(sourceKey) appears twice in one batch")
            }
            let values = fields.map { $0.value(in: record) }
            prepared.append(
                PreparedRecord(
                    sourceKey: sourceKey, hash: ContentHash.compute(resource: R.resource, names: names, values: values),
                    values: values,
                    // Sensitive vendor fields are sealed before `raw` reaches the database.
                    raw: try metadata.raw.map { try secretBox.sealingSensitiveFields(of: $0, fields: scope.sensitiveFields).jsonText },
                    sourceSystem: metadata.sourceSystemName ?? scope.sourceSystemName,
                    sourceModified: metadata.sourceModificationTimestamp, sourceEntry: metadata.sourceEntryTimestamp))
        }
        return prepared
    }
}
