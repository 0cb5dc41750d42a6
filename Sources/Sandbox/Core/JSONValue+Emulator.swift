import RealtyModel

/// How the emulators read the shared ``JSONValue``: a vendor checks JSON types strictly (a
/// number is not a string, `"1"` is not a boolean), unlike RealtyModel's lenient readers
/// (`stringValue`, `intValue`, ...), which accept what vendors mix up.
extension JSONValue {
    /// The string when this is a JSON string; `nil` for every other type.
    var strictString: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The integer when this is an integral number (`5`, `5.0`, `5e2`) within ±9e15 or exactly
    /// held by `Int`; `nil` for strings and every other type.
    var strictInt: Int? {
        guard case .number(let number) = self, let value = number.int64Value else { return nil }
        return Int(exactly: value)
    }

    /// The number as a double; `nil` for strings and every other type.
    var strictDouble: Double? {
        if case .number(let number) = self { number.doubleValue } else { nil }
    }

    /// The boolean when this is `true` or `false`; `nil` for `"1"`, `1` and every other type.
    var strictBool: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// A scalar rendered as text (strings as is, integers in decimal, other numbers in Swift's
    /// shortest `Double` form, booleans as `true`/`false`); `nil` for null, arrays and objects.
    /// Handy for comparing with query-string values.
    var scalarText: String? {
        switch self {
        case .string(let value): value
        case .number(let number):
            if number.isIntegerLiteral, let integer = Int(number.text) {
                String(integer)
            } else if let integer = strictInt {
                String(integer)
            } else {
                String(number.doubleValue)
            }
        case .bool(let value): value ? "true" : "false"
        case .null, .array, .object: nil
        }
    }
}
