/// Parses VTQL, the SQL-like language of the webservice `query` operation:
///
/// ```
/// select (* | count(*) | col[, col…]) from Module
///   [where cond [(and|or) cond…]]
///   [order by col [asc|desc][, col [asc|desc]…]]
///   [limit count | limit offset, count] ;
/// ```
///
/// A condition is `col op value` (op one of `= != <> < > <= >=`), `col like 'pattern'` or
/// `col in (v1, v2…)`. Keywords are case-insensitive; the trailing `;` is required, as in the
/// vendor's grammar (`end_stmt ::= SEMICOLON`).
///
/// Reading chosen: the vendor's grammar has no parentheses around conditions; this parser
/// accepts them as well (`where (a = '1' or b = '2') and c = '3'`), since the vendor passes the
/// clause on to SQL where they would mean the same. `and` binds tighter than `or`, as in SQL.
/// `order by` takes a direction per column, which is what SQL makes of `order by a, b desc`.
struct VTQLParser {
    private let tokens: [VTQLToken]
    private var position = 0
    private var depth = 0
    /// Deepest parenthesis nesting accepted, so hostile input cannot exhaust the stack.
    static let maximumNesting = 32
    /// Most comparisons in one `where` clause (each `and`/`or` deepens the tree evaluated).
    static let maximumConditions = 512
    private var conditionCount = 0

    private init(tokens: [VTQLToken]) {
        self.tokens = tokens
    }

    /// Parses one statement.
    /// - Throws: `QUERY_SYNTAX_ERROR` with the offending token and what was expected.
    static func parse(_ text: String) throws(MyCRMError) -> VTQLQuery {
        var parser = VTQLParser(tokens: try VTQLLexer.tokens(text))
        return try parser.statement()
    }

    private var current: VTQLToken { tokens[min(position, tokens.count - 1)] }

    private mutating func advance() { position += 1 }

    private func failure(expected: String) -> MyCRMError {
        let found = current.kind == .end ? "end of query" : "token '\(current.text)'"
        return MyCRMError(
            .querySyntaxError,
            "Syntax Error on line 1: \(found) at character \(current.offset + 1); expected \(expected)")
    }

    private mutating func expectKeyword(_ keyword: String) throws(MyCRMError) {
        guard current.isKeyword(keyword) else { throw failure(expected: keyword.uppercased()) }
        advance()
    }

    private mutating func expectSymbol(_ symbol: String) throws(MyCRMError) {
        guard current.isSymbol(symbol) else { throw failure(expected: "'\(symbol)'") }
        advance()
    }

    private static let reserved: Set<String> = [
        "select", "from", "where", "and", "or", "order", "by", "limit", "like", "in", "asc", "desc", "count",
    ]

    private mutating func identifier(_ what: String) throws(MyCRMError) -> String {
        guard case .word(let word) = current.kind, !Self.reserved.contains(word.lowercased()) else {
            throw failure(expected: what)
        }
        advance()
        return word
    }

    private mutating func statement() throws(MyCRMError) -> VTQLQuery {
        try expectKeyword("select")
        let selection = try selectList()
        try expectKeyword("from")
        let module = try identifier("a module name")
        var condition: VTQLCondition?
        if current.isKeyword("where") {
            advance()
            condition = try orCondition()
        }
        var ordering: [VTQLQuery.Ordering] = []
        if current.isKeyword("order") {
            advance()
            try expectKeyword("by")
            repeat {
                if current.isSymbol(",") { advance() }
                let column = try identifier("a column name")
                var ascending = true
                if current.isKeyword("asc") {
                    advance()
                } else if current.isKeyword("desc") {
                    ascending = false
                    advance()
                }
                ordering.append(.init(column: column, ascending: ascending))
            } while current.isSymbol(",")
        }
        var limit: VTQLQuery.Limit?
        if current.isKeyword("limit") {
            advance()
            let first = try nonNegativeInteger()
            if current.isSymbol(",") {
                advance()
                let count = try nonNegativeInteger()
                limit = .init(offset: first, count: count)
            } else {
                limit = .init(offset: 0, count: first)
            }
        }
        guard current.isSymbol(";") else {
            if current.kind == .end {
                throw MyCRMError(
                    .querySyntaxError,
                    "Syntax Error on line 1: the query must end with ';' (end of query reached without it)")
            }
            throw failure(expected: clauseExpectation(after: condition, ordering: ordering, limit: limit))
        }
        advance()
        guard current.kind == .end else { throw failure(expected: "nothing after ';'") }
        return VTQLQuery(selection: selection, module: module, condition: condition, ordering: ordering, limit: limit)
    }

    private func clauseExpectation(
        after condition: VTQLCondition?, ordering: [VTQLQuery.Ordering],
        limit: VTQLQuery.Limit?
    ) -> String {
        if limit != nil { return "';'" }
        if !ordering.isEmpty { return "LIMIT or ';'" }
        if condition != nil { return "AND, OR, ORDER BY, LIMIT or ';'" }
        return "WHERE, ORDER BY, LIMIT or ';'"
    }

    private mutating func selectList() throws(MyCRMError) -> VTQLQuery.Selection {
        if current.isSymbol("*") {
            advance()
            return .all
        }
        if current.isKeyword("count") {
            advance()
            try expectSymbol("(")
            guard current.isSymbol("*") else { throw failure(expected: "'*' (only count(*) is supported)") }
            advance()
            try expectSymbol(")")
            return .count
        }
        var columns: [String] = []
        repeat {
            if current.isSymbol(",") { advance() }
            columns.append(try identifier("'*', count(*) or a column name"))
        } while current.isSymbol(",")
        return .columns(columns)
    }

    private mutating func nonNegativeInteger() throws(MyCRMError) -> Int {
        guard case .number(let text) = current.kind, let value = Int(text), value >= 0 else {
            throw failure(expected: "a non-negative whole number")
        }
        advance()
        return value
    }

    private mutating func orCondition() throws(MyCRMError) -> VTQLCondition {
        var condition = try andCondition()
        while current.isKeyword("or") {
            advance()
            condition = .or(condition, try andCondition())
        }
        return condition
    }

    private mutating func andCondition() throws(MyCRMError) -> VTQLCondition {
        var condition = try primaryCondition()
        while current.isKeyword("and") {
            advance()
            condition = .and(condition, try primaryCondition())
        }
        return condition
    }

    private mutating func primaryCondition() throws(MyCRMError) -> VTQLCondition {
        if current.isSymbol("(") {
            guard depth < Self.maximumNesting else {
                throw MyCRMError(
                    .querySyntaxError,
                    "Syntax Error on line 1: conditions nested deeper than \(Self.maximumNesting) parentheses")
            }
            advance()
            depth += 1
            let inner = try orCondition()
            depth -= 1
            try expectSymbol(")")
            return inner
        }
        conditionCount += 1
        guard conditionCount <= Self.maximumConditions else {
            throw MyCRMError(
                .querySyntaxError,
                "Syntax Error on line 1: more than \(Self.maximumConditions) conditions in one where clause")
        }
        let column = try identifier("a column name or '('")
        if current.isKeyword("like") {
            advance()
            guard case .string(let pattern) = current.kind else { throw failure(expected: "a quoted LIKE pattern") }
            advance()
            return .like(column: column, pattern: pattern)
        }
        if current.isKeyword("in") {
            advance()
            try expectSymbol("(")
            var values: [VTQLValue] = []
            repeat {
                if current.isSymbol(",") { advance() }
                values.append(try value())
            } while current.isSymbol(",")
            try expectSymbol(")")
            return .in(column: column, values)
        }
        guard case .symbol(let symbol) = current.kind, let op = VTQLOperator(rawValue: symbol) else {
            throw failure(expected: "an operator (=, !=, <, >, <=, >=, LIKE or IN)")
        }
        advance()
        return .compare(column: column, op, try value())
    }

    private mutating func value() throws(MyCRMError) -> VTQLValue {
        switch current.kind {
        case .string(let text):
            advance()
            return .string(text)
        case .number(let text):
            advance()
            return .number(text)
        default:
            throw failure(expected: "a quoted string or a number")
        }
    }
}
