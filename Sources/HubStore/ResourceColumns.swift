public import RealtyModel

/// The quoted SQL names of one resource's table, the same in every store (one table per
/// resource, RESO column names): static names from the model, never input.
public struct ResourceColumns<R: HubRecord>: Sendable {
    /// The table, e.g. `"Contacts"`.
    public let table: String
    /// The hub key column, e.g. `"ContactKey"`.
    public let keyColumn: String
    /// The vendor key column, e.g. `"SourceSystemContactKey"`.
    public let sourceKeyColumn: String
    /// The canonical field columns, in ``RealtyModel/HubRecord/fields`` order.
    public let fieldColumns: [String]
    /// Every column an insert writes: the metadata columns (key, tenant, connection, source
    /// system, source key, the four timestamps, content hash, deleted flag, seen generation,
    /// raw), then ``fieldColumns``.
    public let insertColumns: [String]

    /// The names of `R`'s table.
    public init() {
        let names = MetadataFieldNames(R.resource)
        table = "\"\(R.resource.rawValue)\""
        keyColumn = "\"\(names.key)\""
        sourceKeyColumn = "\"\(names.sourceKey)\""
        fieldColumns = R.fields.map { "\"\($0.name)\"" }
        insertColumns =
            [
                keyColumn, "tenant_id", "\"ConnectionId\"", "\"SourceSystemName\"", sourceKeyColumn,
                "\"ModificationTimestamp\"", "\"OriginalEntryTimestamp\"", "\"SourceModificationTimestamp\"",
                "\"SourceEntryTimestamp\"", "\"ContentHash\"", "\"DeletedYN\"", "seen_generation", "raw",
            ] + fieldColumns
    }
}
