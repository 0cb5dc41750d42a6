import RealtyModel

/// A JSON value whose objects keep their members in the order written: OData payloads put
/// `@odata.context` first and properties in the order `$select` or the metadata names them,
/// which ``JSONValue`` (sorted keys) cannot express.
indirect enum ODataJSON: Sendable {
    case value(JSONValue)
    case object([(String, ODataJSON)])
    case array([ODataJSON])

    static func string(_ text: String) -> ODataJSON { .value(.string(text)) }
    static func integer(_ number: Int64) -> ODataJSON { .value(.number(JSONNumber(number))) }
    static let null = ODataJSON.value(.null)

    /// The value as compact JSON text.
    var text: String {
        var out = ""
        out.reserveCapacity(512)
        write(into: &out)
        return out
    }

    /// The value as UTF-8 bytes of compact JSON text.
    var bytes: [UInt8] { Array(text.utf8) }

    private func write(into out: inout String) {
        switch self {
        case .value(let value): out += value.jsonText
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, (name, value)) in members.enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeString(name, into: &out)
                out += ":"
                value.write(into: &out)
            }
            out += "}"
        }
    }
}
