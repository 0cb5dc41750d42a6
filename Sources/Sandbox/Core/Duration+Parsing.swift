/// An error for a duration written in an unsupported form.
public struct DurationParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The text that could not be read.
    public var text: String
    public var description: String {
        "invalid duration \"\(text)\": expected a number followed by a unit, one of ms, s, m, h (e.g. 250ms, 30s, 5m, 1.5h)"
    }
}

extension Duration {
    /// Reads a duration written as a number and a unit: `250ms`, `30s`, `1.5s`, `5m`, `2h`.
    ///
    /// A bare number means seconds (`30` = 30 s). Negative values are rejected.
    /// - Parameter text: the duration text.
    /// - Throws: ``DurationParseError`` naming the text when it cannot be read.
    public init(parsing text: String) throws(DurationParseError) {
        let trimmed = text.trimmingSpaces()
        let units: [(suffix: String, factor: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(trimmed)
        var factor = 1.0
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            factor = unit.factor
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number), value.isFinite
        else {
            throw DurationParseError(text: text)
        }
        let milliseconds = (value * factor * 1000).rounded()
        guard milliseconds < 1e15 else { throw DurationParseError(text: text) }
        self = .milliseconds(Int64(milliseconds))
    }

    /// A compact rendering in the same syntax `init(parsing:)` reads (`250ms`, `30s`, `5m`).
    public var sandboxDescription: String {
        let ms = Int64((timeInterval * 1000).rounded())
        if ms == 0 { return "0s" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
