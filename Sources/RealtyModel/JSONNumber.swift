public import Foundation

/// A JSON number kept exactly as it was written.
///
/// Vendors send integers beyond 2^53 (external references, long ids) and decimals with more
/// digits than a `Double` holds (prices, coordinates); the hub keeps their payloads as sent, so a
/// number is its literal text, checked against the JSON grammar, and converted only when read as
/// a `Double`, an integer or a `Decimal`.
///
/// Two numbers are equal when their text is: `1` and `1.0` are the same value written
/// differently, and the hub keeps the vendor's spelling.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal, as in the JSON text (for example `12345678901234567890123` or `-0.5e-3`).
    public let text: String

    /// A number from its JSON literal; `nil` when `text` is not a JSON number
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    public init?(text: String) {
        guard Self.isLiteral(text.utf8) else { return nil }
        self.text = text
    }

    /// An integer.
    public init<I: BinaryInteger>(_ value: I) {
        text = String(value)
    }

    /// A finite `Double`, written as an integer when it is integral and exactly representable,
    /// otherwise in Swift's shortest round-tripping form; `nil` for infinities and NaN.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if value.rounded() == value, abs(value) < 9.0e15 {
            text = String(Int64(value))
        } else {
            // Swift prints the shortest text that reads back as the same Double; it is valid
            // JSON for every finite value ("1e-07", "1.5e+300", "0.1").
            text = String(value)
        }
    }

    /// An exact decimal, written in `Decimal`'s plain notation; `nil` for NaN.
    public init?(_ value: Decimal) {
        guard !value.isNaN else { return nil }
        self.init(text: value.description)
    }

    /// Text the JSON parser already checked; not validated again.
    init(validatedText: String) {
        text = validatedText
    }

    public var description: String { text }

    /// The nearest `Double` (infinite when the literal is beyond `Double`'s range).
    public var doubleValue: Double {
        Double(text) ?? .nan
    }

    /// The value as a 64-bit integer when it is integral and in range (`12`, `-3`, `1.0`,
    /// `2e3`); `nil` otherwise. Plain integer literals convert exactly at any size Int64 holds.
    public var int64Value: Int64? {
        if let exact = Int64(text) { return exact }
        // An integer literal Int64 cannot hold is out of range; an integral value written with a
        // fraction or exponent (1.0, 2e3) converts when a Double holds it exactly.
        guard !isIntegerLiteral else { return nil }
        let double = doubleValue
        guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return Int64(double)
    }

    /// The exact value as a `Decimal` when it has at most 38 significant digits and an exponent
    /// `Decimal` can hold; `nil` otherwise.
    public var decimalValue: Decimal? {
        guard significantDigits <= 38, let value = Decimal(string: text, locale: nil), !value.isNaN else { return nil }
        // Decimal's range is about 1e-128...1e127; beyond it the parse is not the value.
        if value.isZero, !isZeroLiteral { return nil }
        return value
    }

    /// Whether the literal has no fraction and no exponent.
    public var isIntegerLiteral: Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    /// Digits of the mantissa without leading zeros.
    var significantDigits: Int {
        var count = 0
        var leading = true
        for byte in text.utf8 {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { continue }
            if leading, byte == UInt8(ascii: "0") { continue }
            leading = false
            count += 1
        }
        return count
    }

    private var isZeroLiteral: Bool {
        for byte in text.utf8 {
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
            if byte >= UInt8(ascii: "1"), byte <= UInt8(ascii: "9") { return false }
        }
        return true
    }

    /// Whether `bytes` is exactly one JSON number literal.
    static func isLiteral(_ bytes: some Collection<UInt8>) -> Bool {
        var index = bytes.startIndex
        let end = bytes.endIndex
        guard let after = scanLiteral(bytes, from: &index, end: end) else { return false }
        return after && index == end
    }

    /// Advances `index` over a JSON number literal starting there; `nil` when the bytes there
    /// are not one, `true` when one was read.
    static func scanLiteral<C: Collection<UInt8>>(_ bytes: C, from index: inout C.Index, end: C.Index) -> Bool? {
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func digits(_ index: inout C.Index) -> Int {
            var count = 0
            while index != end, isDigit(bytes[index]) {
                bytes.formIndex(after: &index)
                count += 1
            }
            return count
        }
        if index != end, bytes[index] == UInt8(ascii: "-") { bytes.formIndex(after: &index) }
        guard index != end, isDigit(bytes[index]) else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            bytes.formIndex(after: &index)
        } else {
            _ = digits(&index)
        }
        if index != end, bytes[index] == UInt8(ascii: ".") {
            bytes.formIndex(after: &index)
            guard digits(&index) > 0 else { return nil }
        }
        if index != end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            bytes.formIndex(after: &index)
            if index != end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                bytes.formIndex(after: &index)
            }
            guard digits(&index) > 0 else { return nil }
        }
        return true
    }
}

extension JSONNumber: Codable {
    /// Decodes a number through any `Decoder`. With `JSONDecoder` the value is read as a
    /// `Decimal` first (exact to 38 significant digits), then as a `Double`; the hub's own
    /// parser (``JSONValue/init(parsing:)``) keeps the literal exactly at any length.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int64.self) {
            self.init(integer)
        } else if let decimal = try? container.decode(Decimal.self), let number = JSONNumber(decimal),
            let double = try? container.decode(Double.self), number.isConsistent(with: double)
        {
            self = number
        } else if let double = try? container.decode(Double.self), let number = JSONNumber(double) {
            self = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a finite JSON number")
        }
    }

    /// Encodes the number: an integer as an integer, a decimal exactly (as `Decimal`, which
    /// `JSONEncoder` writes digit for digit) when it fits one, else the nearest `Double`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let integer = Int64(text) {
            try container.encode(integer)
        } else if let decimal = decimalValue {
            try container.encode(decimal)
        } else {
            try container.encode(doubleValue)
        }
    }

    /// Whether a `Decimal` reading agrees with the `Double` reading of the same number (a
    /// decoder that cannot read decimals exactly may return a rounded or zero value).
    private func isConsistent(with double: Double) -> Bool {
        let mine = doubleValue
        if mine == double { return true }
        return abs(mine - double) <= abs(double) * 1e-12
    }
}
