/// Parses `$filter` text into a ``FilterExpression``.
///
/// Precedence, tightest first: primary (literals, paths, calls, lambdas, parentheses), `in`,
/// `not`, comparisons (which do not chain), `and`, `or`. Binary word operators need
/// whitespace on both sides and `not` needs whitespace or `(` after it, as OData's RWS rule asks.
/// Recursion is bounded by ``maximumDepth``; text by ``maximumLength``.
public struct FilterParser: Sendable {
    /// The deepest nesting accepted (parentheses, `not`, calls, lambdas and `in` lists each add a level).
    public static let maximumDepth = 50
    /// The longest text accepted, in Unicode scalars.
    public static let maximumLength = 8_000

    /// OData's standard functions the hub does not serve: refused as "not supported" rather
    /// than as unknown.
    static let unsupportedFunctions: Set<String> = [
        "length", "indexof", "substring", "matchesPattern", "concat", "trim", "year", "month", "day", "hour", "minute",
        "second", "fractionalseconds", "totalseconds", "date", "time", "totaloffsetminutes", "now", "mindatetime",
        "maxdatetime", "round", "floor", "ceiling", "cast", "isof", "geo", "hassubset", "hassubsequence",
    ]
    static let reservedWords: Set<String> = ["and", "or", "not", "in", "eq", "ne", "gt", "ge", "lt", "le", "has"]

    private let tokens: [FilterToken]
    private var index = 0
    private let option: String

    private init(tokens: [FilterToken], option: String) {
        self.tokens = tokens
        self.option = option
    }

    /// Parses a `$filter` value.
    ///
    /// - Parameters:
    ///   - text: the option's value, percent-decoded.
    ///   - option: the option name errors carry.
    /// - Returns: the syntax tree.
    /// - Throws: ``ODataQueryError`` with the position of the first problem.
    public static func parse(_ text: String, option: String = "$filter") throws(ODataQueryError) -> FilterExpression {
        try checkLength(text, option: option)
        var parser = FilterParser(tokens: try FilterLexer.tokens(of: text, option: option), option: option)
        let expression = try parser.parseOr(depth: 1)
        let next = parser.current
        guard next.kind == .end else {
            throw ODataQueryError(.syntax, "unexpected \(next.shown) after the end of the expression", at: next.position, option: option)
        }
        return expression
    }

    static func checkLength(_ text: String, option: String) throws(ODataQueryError) {
        let length = text.unicodeScalars.count
        guard length <= maximumLength else {
            throw ODataQueryError(
                .limitExceeded, "the text is \(length) characters long; at most \(maximumLength) are allowed", at: maximumLength,
                option: option)
        }
    }

    // MARK: - Tokens

    private var current: FilterToken { tokens[min(index, tokens.count - 1)] }
    private var previous: FilterToken? { index > 0 ? tokens[min(index - 1, tokens.count - 1)] : nil }
    private var following: FilterToken { tokens[min(index + 1, tokens.count - 1)] }

    private mutating func advance() -> FilterToken {
        let token = current
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func error(_ message: String, at position: Int, _ code: ODataQueryError.Code = .syntax) -> ODataQueryError {
        ODataQueryError(code, message, at: position, option: option)
    }

    private func checkDepth(_ depth: Int, at position: Int) throws(ODataQueryError) {
        guard depth <= Self.maximumDepth else {
            throw error("the expression nests deeper than \(Self.maximumDepth) levels", at: position, .limitExceeded)
        }
    }

    /// Whether the current token is the word operator `word`; throws when it is not surrounded by whitespace.
    private func atWordOperator(_ word: String) throws(ODataQueryError) -> Bool {
        guard current.isIdentifier(word) else { return false }
        guard current.spaceBefore else { throw error("'\(word)' needs a space before it", at: current.position) }
        // At the end of the text the missing operand is the problem, reported by the operand's parser.
        guard following.spaceBefore || following.kind == .end else { throw error("'\(word)' needs a space after it", at: current.position) }
        return true
    }

    private mutating func expect(_ kind: FilterToken.Kind, _ what: String, closing opener: FilterToken? = nil) throws(ODataQueryError) {
        guard current.kind == kind else {
            if let opener {
                let found = current.kind == .end ? "found the end of the text" : "found \(current.shown)"
                throw error("missing '\(what)' for the '\(opener.text)' at \(opener.position); \(found)", at: current.position)
            }
            throw error("expected '\(what)', found \(current.shown)", at: current.position)
        }
        _ = advance()
    }

    // MARK: - Grammar

    private mutating func parseOr(depth: Int) throws(ODataQueryError) -> FilterExpression {
        var operands = [try parseAnd(depth: depth)]
        while try atWordOperator("or") {
            _ = advance()
            operands.append(try parseAnd(depth: depth))
        }
        return operands.count == 1 ? operands[0] : .or(operands)
    }

    private mutating func parseAnd(depth: Int) throws(ODataQueryError) -> FilterExpression {
        var operands = [try parseComparison(depth: depth)]
        while try atWordOperator("and") {
            _ = advance()
            operands.append(try parseComparison(depth: depth))
        }
        return operands.count == 1 ? operands[0] : .and(operands)
    }

    private mutating func comparisonOperator() throws(ODataQueryError) -> ComparisonOperator? {
        guard case .identifier(let name) = current.kind, let op = ComparisonOperator(rawValue: name) else { return nil }
        return try atWordOperator(name) ? op : nil
    }

    private mutating func parseComparison(depth: Int) throws(ODataQueryError) -> FilterExpression {
        let left = try parseUnary(depth: depth)
        guard let op = try comparisonOperator() else { return left }
        let at = advance().position
        let result = FilterExpression.comparison(op, left, try parseUnary(depth: depth), at: ODataPosition(at))
        if let next = try comparisonOperator() {
            throw error("comparisons do not chain: put the left comparison in parentheses before '\(next.rawValue)'", at: current.position)
        }
        return result
    }

    private mutating func parseUnary(depth: Int) throws(ODataQueryError) -> FilterExpression {
        if current.isIdentifier("not"), following.spaceBefore || following.kind == .openParen {
            let notToken = advance()
            try checkDepth(depth + 1, at: notToken.position)
            return .not(try parseUnary(depth: depth + 1), at: ODataPosition(notToken.position))
        }
        return try parseMembership(depth: depth)
    }

    /// `operand in (items)`: binds tighter than `not`, as OData 4.01 ranks `in` with the primary operators.
    private mutating func parseMembership(depth: Int) throws(ODataQueryError) -> FilterExpression {
        let operand = try parsePrimary(depth: depth)
        guard try atWordOperator("in") else { return operand }
        let inToken = advance()
        try checkDepth(depth + 1, at: current.position)
        let open = current
        try expect(.openParen, "(")
        var items = [try parseOr(depth: depth + 1)]
        while current.kind == .comma {
            _ = advance()
            items.append(try parseOr(depth: depth + 1))
        }
        try expect(.closeParen, ")", closing: open)
        if try atWordOperator("in") {
            throw error("'in' does not chain: put the left 'in' in parentheses", at: current.position)
        }
        return .membership(operand, items, at: ODataPosition(inToken.position))
    }

    private mutating func parsePrimary(depth: Int) throws(ODataQueryError) -> FilterExpression {
        let token = current
        switch token.kind {
        case .literal(let literal):
            _ = advance()
            return .literal(literal, at: ODataPosition(token.position))
        case .openParen:
            try checkDepth(depth + 1, at: token.position)
            _ = advance()
            let inner = try parseOr(depth: depth + 1)
            try expect(.closeParen, ")", closing: token)
            return inner
        case .identifier(let name) where !Self.reservedWords.contains(name):
            if following.kind == .openParen { return try parseCall(name, depth: depth) }
            return try parsePath(depth: depth)
        default:
            let found = token.kind == .end ? "found the end of the text" : "found \(token.shown)"
            if let previous {
                throw error("expected an operand after '\(previous.text)', \(found)", at: token.position)
            }
            throw error("expected an operand, \(found)", at: token.position)
        }
    }

    private mutating func parseCall(_ name: String, depth: Int) throws(ODataQueryError) -> FilterExpression {
        let nameToken = advance()
        guard let function = FilterFunction(rawValue: name) else {
            if Self.unsupportedFunctions.contains(name) {
                throw error("the function '\(name)' is not supported", at: nameToken.position, .notSupported)
            }
            throw error("unknown function '\(name)'", at: nameToken.position)
        }
        try checkDepth(depth + 1, at: nameToken.position)
        let open = current
        try expect(.openParen, "(")
        var arguments: [FilterExpression] = []
        if current.kind != .closeParen {
            arguments.append(try parseOr(depth: depth + 1))
            while current.kind == .comma {
                _ = advance()
                arguments.append(try parseOr(depth: depth + 1))
            }
        }
        try expect(.closeParen, ")", closing: open)
        guard arguments.count == function.arity else {
            let wanted = function.arity == 1 ? "1 argument" : "\(function.arity) arguments"
            throw error("\(name) takes \(wanted), got \(arguments.count)", at: nameToken.position)
        }
        return .call(function, arguments, at: ODataPosition(nameToken.position))
    }

    private mutating func parsePath(depth: Int) throws(ODataQueryError) -> FilterExpression {
        let start = current.position
        var segments: [String] = []
        guard case .identifier(let first) = advance().kind else { throw error("expected a property name", at: start) }
        segments.append(first)
        while current.kind == .slash {
            _ = advance()
            let segment = current
            guard case .identifier(let name) = segment.kind, !Self.reservedWords.contains(name) else {
                throw error("expected a property name after '/', found \(segment.shown)", at: segment.position)
            }
            _ = advance()
            if let op = LambdaOperator(rawValue: name), current.kind == .openParen {
                return try parseLambda(PropertyPath(segments), op, at: start, depth: depth)
            }
            segments.append(name)
        }
        return .property(PropertyPath(segments), at: ODataPosition(start))
    }

    private mutating func parseLambda(_ path: PropertyPath, _ op: LambdaOperator, at start: Int, depth: Int) throws(ODataQueryError)
        -> FilterExpression
    {
        let open = advance()
        try checkDepth(depth + 1, at: open.position)
        if current.kind == .closeParen {
            guard op == .any else { throw error("all() needs a predicate, as in all(x: ...)", at: current.position) }
            _ = advance()
            return .lambda(path, op, nil, at: ODataPosition(start))
        }
        let variableToken = current
        guard case .identifier(let variable) = variableToken.kind, !Self.reservedWords.contains(variable) else {
            throw error("expected a lambda variable name, found \(variableToken.shown)", at: variableToken.position)
        }
        _ = advance()
        try expect(.colon, ":")
        let body = try parseOr(depth: depth + 1)
        try expect(.closeParen, ")", closing: open)
        return .lambda(path, op, LambdaPredicate(variable, body), at: ODataPosition(start))
    }
}
