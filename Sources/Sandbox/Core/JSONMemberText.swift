import RealtyModel

extension String {
    /// Appends `prefix` (JSON punctuation and a member name, already written) and `value` as a
    /// JSON string: one member of an object written without a tree.
    mutating func appendJSONMember(_ prefix: StaticString, _ value: String) {
        self += prefix.description
        JSONValue.writeString(value, into: &self)
    }
}
