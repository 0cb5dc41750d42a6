public import RealtyModel

/// A vendor record kept as the JSON object it arrived as, read through the vendor's own
/// lenient readers (each vendor decides how blank, numeric and boolean values read).
public protocol WireObject: Sendable {
    /// The fields exactly as received.
    var fields: [String: JSONValue] { get }

    /// Wraps the fields of a record.
    ///
    /// - Parameter fields: the record's members.
    init(fields: [String: JSONValue])
}

extension WireObject {
    /// Wraps a JSON object.
    ///
    /// - Parameter json: the record as received.
    /// - Returns: `nil` when `json` is not an object.
    public init?(json: JSONValue) {
        guard case .object(let fields) = json else { return nil }
        self.init(fields: fields)
    }
}
