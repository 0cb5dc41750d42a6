import Foundation

/// One token of a `$filter` (or of `$orderby`, `$select`, `$expand`, which share the lexer).
struct FilterToken: Sendable {
    enum Kind: Equatable, Sendable {
        case identifier(String)
        case literal(ODataLiteral)
        case openParen, closeParen, comma, slash, colon, star
        case end
    }

    var kind: Kind
    /// Offset of the first scalar.
    var position: Int
    /// The text as written.
    var text: String
    /// Whether whitespace comes right before it.
    var spaceBefore: Bool

    /// The token as error messages show it: a string literal as written, anything else quoted.
    var shown: String {
        switch kind {
        case .end: return "the end of the text"
        case .literal(.string): return text
        default: return "'\(text)'"
        }
    }

    func isIdentifier(_ name: String) -> Bool { kind == .identifier(name) }
}

/// Splits text (already percent-decoded) into tokens. Whitespace is SP and HTAB, as OData's
/// RWS/BWS after decoding; identifiers are ASCII (`[A-Za-z_][A-Za-z0-9_]*`).
struct FilterLexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private let option: String

    init(_ text: String, option: String) {
        scalars = Array(text.unicodeScalars)
        self.option = option
    }

    static func tokens(of text: String, option: String) throws(ODataQueryError) -> [FilterToken] {
        var lexer = FilterLexer(text, option: option)
        var tokens: [FilterToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func error(_ message: String, at position: Int) -> ODataQueryError {
        ODataQueryError(.syntax, message, at: position, option: option)
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let at = index + offset
        return at < scalars.count ? scalars[at] : nil
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("0"..."9").contains(scalar)
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar?) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar)
    }

    private func text(from start: Int) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[start..<index])
        return String(result)
    }

    private static let punctuation: [Unicode.Scalar: FilterToken.Kind] = [
        "(": .openParen, ")": .closeParen, ",": .comma, "/": .slash, ":": .colon, "*": .star,
    ]

    mutating func next() throws(ODataQueryError) -> FilterToken {
        var spaceBefore = false
        while let scalar = peek(), scalar == " " || scalar == "\t" {
            spaceBefore = true
            index += 1
        }
        let start = index
        func token(_ kind: FilterToken.Kind) -> FilterToken {
            FilterToken(kind: kind, position: start, text: text(from: start), spaceBefore: spaceBefore)
        }
        guard let scalar = peek() else { return token(.end) }
        if let kind = Self.punctuation[scalar] {
            index += 1
            return token(kind)
        }
        if scalar == "'" {
            return token(.literal(.string(try readString())))
        }
        if Self.isIdentifierStart(scalar) {
            while Self.isIdentifierPart(peek()) { index += 1 }
            let name = text(from: start)
            switch name {
            case "null": return token(.literal(.null))
            case "true": return token(.literal(.boolean(true)))
            case "false": return token(.literal(.boolean(false)))
            default: return token(.identifier(name))
            }
        }
        if Self.isDigit(scalar) || (scalar == "-" && Self.isDigit(peek(1))) {
            let literal = try readNumberOrDate()
            if Self.isIdentifierPart(peek()) {
                while Self.isIdentifierPart(peek()) { index += 1 }
                throw error("unknown token '\(text(from: start))'", at: start)
            }
            return token(.literal(literal))
        }
        throw error("unknown token '\(Character(scalar))'", at: start)
    }

    /// A quoted string; `''` is one quote.
    private mutating func readString() throws(ODataQueryError) -> String {
        let start = index
        index += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw error("unterminated string literal", at: start) }
            index += 1
            if scalar == "'" {
                guard peek() == "'" else { return String(value) }
                index += 1
            }
            value.append(scalar)
        }
    }

    /// Reads `digits` exactly `count` long, as a number.
    private mutating func fixedDigits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard let scalar = peek(), Self.isDigit(scalar) else { return nil }
            value = value * 10 + Int(scalar.value - 48)
            index += 1
        }
        return value
    }

    private mutating func expect(_ scalar: Unicode.Scalar) -> Bool {
        guard peek() == scalar else { return false }
        index += 1
        return true
    }

    private mutating func readNumberOrDate() throws(ODataQueryError) -> ODataLiteral {
        let start = index
        if Self.isDigit(peek()), Self.isDigit(peek(1)), Self.isDigit(peek(2)), Self.isDigit(peek(3)), peek(4) == "-" {
            return try readDate()
        }
        _ = expect("-")
        while Self.isDigit(peek()) { index += 1 }
        var isWhole = true
        if peek() == "." {
            index += 1
            guard Self.isDigit(peek()) else { throw error("a decimal needs digits after '.'", at: start) }
            while Self.isDigit(peek()) { index += 1 }
            isWhole = false
        }
        if peek() == "e" || peek() == "E" {
            let exponentSign = peek(1) == "-" || peek(1) == "+" ? 1 : 0
            if Self.isDigit(peek(1 + exponentSign)) {
                index += 1 + exponentSign
                while Self.isDigit(peek()) { index += 1 }
                isWhole = false
            }
        }
        let text = text(from: start)
        if isWhole, let value = Int64(text) { return .integer(value) }
        return .decimal(text)
    }

    /// `YYYY-MM-DD`, then `THH:MM[:SS[.fraction]]` and `Z` or `±HH:MM` for a date-time.
    private mutating func readDate() throws(ODataQueryError) -> ODataLiteral {
        let start = index
        func invalid() -> ODataQueryError {
            while Self.isIdentifierPart(peek()) || [":", "-", "+", "."].contains(peek()) { index += 1 }
            return error("invalid date or date-time '\(text(from: start))'", at: start)
        }
        guard let year = fixedDigits(4), expect("-"), let month = fixedDigits(2), expect("-"), let day = fixedDigits(2),
            ODataDates.isValidDay(year: year, month: month, day: day)
        else { throw invalid() }
        guard expect("T") else { return .date(text(from: start)) }
        guard let hour = fixedDigits(2), hour < 24, expect(":"), let minute = fixedDigits(2), minute < 60 else { throw invalid() }
        var second = 0
        var fraction = 0.0
        if expect(":") {
            guard let value = fixedDigits(2), value < 60 else { throw invalid() }
            second = value
            if expect(".") {
                let fractionStart = index
                while Self.isDigit(peek()) { index += 1 }
                let digits = index - fractionStart
                guard (1...12).contains(digits), let value = Double("0." + text(from: fractionStart)) else { throw invalid() }
                fraction = value
            }
        }
        var offsetSeconds = 0
        if !expect("Z") {
            let sign: Int
            if expect("+") {
                sign = 1
            } else if expect("-") {
                sign = -1
            } else {
                throw invalid()
            }
            guard let offsetHour = fixedDigits(2), offsetHour <= 14, expect(":"), let offsetMinute = fixedDigits(2), offsetMinute < 60
            else { throw invalid() }
            offsetSeconds = sign * (offsetHour * 3600 + offsetMinute * 60)
        }
        let days = ODataDates.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let date = Date(timeIntervalSince1970: Double(seconds) + fraction)
        return .dateTimeOffset(date, text: text(from: start))
    }
}
