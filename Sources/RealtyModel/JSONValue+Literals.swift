/// Literal syntax for building JSON trees in code (documents, responses, tests).
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(floatLiteral value: Double) { self = JSONNumber(value).map(JSONValue.number) ?? .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }

    /// Duplicate keys keep the last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object: [String: JSONValue] = [:]
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

/// Literal syntax for numbers in code (`.number(7)`, `.number(0.5)`).
extension JSONNumber: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
    /// A float literal is always finite, so it always has a JSON form.
    public init(floatLiteral value: Double) { self = JSONNumber(value) ?? JSONNumber(0) }
}

/// Numbers from values computed in code, written the way `JSONEncoder` writes them.
extension JSONValue {
    /// An integer (`.int(5)` is written `5`).
    public static func int(_ value: some BinaryInteger) -> JSONValue {
        .number(JSONNumber(value))
    }

    /// A double, integral ones written without a fraction (`.double(5)` is `5`, `.double(2.5)` is
    /// `2.5`); infinities and NaN have no JSON form and become `null`.
    public static func double(_ value: Double) -> JSONValue {
        JSONNumber(value).map(JSONValue.number) ?? .null
    }
}
