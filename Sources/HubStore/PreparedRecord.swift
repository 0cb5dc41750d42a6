public import Foundation
public import RealtyModel

/// One record of an upsert batch, checked and hashed before anything is written: what every
/// store writes for it (each binds the values its own way).
public struct PreparedRecord: Sendable {
    /// The vendor's id of the record (unique in the batch).
    public var sourceKey: String
    /// The ``ContentHash`` of ``values``.
    public var hash: String
    /// The canonical values, in ``RealtyModel/HubRecord/fields`` order.
    public var values: [FieldValue]
    /// The vendor payload as the connector gave it (see ``sealedRaw(_:fields:)``).
    public var payload: JSONValue?
    /// The vendor's own text of ``payload``, when the connector kept it.
    public var payloadText: String?
    /// The record's SourceSystemName (the scope's when the record names none).
    public var sourceSystem: String
    /// The vendor's own modification timestamp.
    public var sourceModified: Date?
    /// The vendor's own entry timestamp.
    public var sourceEntry: Date?

    /// Checks and hashes `records`, in order.
    ///
    /// - Throws: ``StoreError`` `.invalidQuery` when a record has no source key or one appears
    ///   twice in the batch.
    public static func batch<R: HubRecord>(_ records: [R], scope: SyncScope) throws -> [PreparedRecord] {
        let fields = R.fields
        let names = fields.map(\.name)
        var prepared: [PreparedRecord] = []
        prepared.reserveCapacity(records.count)
        var seenInBatch = Set<String>()
        // Index loops, not `for in` and `map`: this generic function is not specialized for the
        // caller's record type, and an iterator or a closure over `R` costs a metadata lookup
        // per call (measured: about a fifth of an unchanged re-upsert).
        let fieldCount = fields.count
        for recordIndex in 0..<records.count {
            let record = records[recordIndex]
            let metadata = record.metadata
            guard let sourceKey = metadata.sourceKey, !sourceKey.isEmpty else {
                throw StoreError.invalidQuery("a \(R.resource.rawValue) record has no \(R.resource.sourceKeyField)")
            }
            guard seenInBatch.insert(sourceKey).inserted else {
                throw StoreError.invalidQuery("\(R.resource.sourceKeyField) \(sourceKey) appears twice in one batch")
            }
            var values: [FieldValue] = []
            values.reserveCapacity(fieldCount)
            for index in 0..<fieldCount { values.append(fields[index].value(in: record)) }
            prepared.append(
                PreparedRecord(
                    sourceKey: sourceKey, hash: ContentHash.compute(resource: R.resource, names: names, values: values),
                    values: values,
                    payload: metadata.raw, payloadText: metadata.rawText,
                    sourceSystem: metadata.sourceSystemName ?? scope.sourceSystemName,
                    sourceModified: metadata.sourceModificationTimestamp, sourceEntry: metadata.sourceEntryTimestamp))
        }
        return prepared
    }

    /// The vendor payload as JSON text with its sensitive fields sealed, or nil when none.
    ///
    /// Computed only for a record that is written: sealing and serializing the payload is most of
    /// the cost of a record, and an unchanged record (its hash matches) never needs it.
    /// - Throws: ``StoreError`` `.secretKey` when sealing fails.
    /// - Parameters:
    ///   - secretBox: the store's box.
    ///   - fields: the payload members to seal (the sync scope's).
    public func sealedRaw(_ secretBox: SecretBox, fields: SensitiveFields) throws -> String? {
        // Sensitive vendor fields are sealed before `raw` reaches the database. The vendor's own
        // text, when kept, is sealed in place: serialising the parsed payload again was the
        // largest single cost of storing a record.
        if let payloadText { return try secretBox.sealingSensitiveFields(ofText: payloadText, fields: fields) }
        return try payload.map { try secretBox.sealingSensitiveFields(of: $0, fields: fields).jsonText }
    }
}
