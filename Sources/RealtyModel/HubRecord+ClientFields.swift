extension HubRecord {
    /// A record from a client's JSON object in RESO names, read field by field from the value
    /// already parsed (no second parse). The hub's own fields (key, provenance, timestamps,
    /// content hash, deletion mark, raw) are the hub's to set: a record read from the API can be
    /// sent back as it is, and they are ignored, whatever they hold. Unknown names and nulls are
    /// ignored too.
    ///
    /// - Throws: a ``FieldError`` naming the first field whose value has the wrong type.
    public init(clientFields object: [String: JSONValue]) throws(FieldError) {
        var record = Self(metadata: RecordMetadata())
        for field in Self.fields {
            guard let json = object[field.name], !json.isNull else { continue }
            guard let value = FieldValue.from(json: json, as: field.type), field.set(value, in: &record) else {
                throw FieldError(field: field.name, message: "\(field.name) must be \(field.type.article)")
            }
        }
        self = record
    }
}

extension FieldError: Error {}
