public import RealtyModel

extension HubRecord {
    /// A stable SHA-256 over the canonical fields (see ``ContentHash``): same content, same
    /// hash; any change to a canonical field, a new hash. Metadata (keys, timestamps, the raw
    /// payload) is excluded, so a vendor re-sending the same record does not count as a change.
    public var contentHash: String {
        Self.contentHash(of: Self.fields.map { $0.value(in: self) })
    }

    /// The content hash of a record whose canonical values (in ``RealtyModel/HubRecord/fields``
    /// order) are `values`; lets a caller that already read the values avoid reading them twice.
    public static func contentHash(of values: [FieldValue]) -> String {
        ContentHash.compute(resource: resource, names: fields.map { $0.name }, values: values)
    }
}
