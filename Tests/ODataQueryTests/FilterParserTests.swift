import Foundation
import ODataQuery
import Testing

/// Exact syntax trees and exact errors (message and position) of the `$filter` parser.
@Suite struct FilterParserTests {
    static func parse(_ text: String) throws -> FilterExpression { try FilterParser.parse(text) }

    static func expectError(
        _ text: String, _ code: ODataQueryError.Code, _ message: String, at position: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(throws: ODataQueryError(code, message, at: position, option: "$filter"), sourceLocation: sourceLocation) {
            try FilterParser.parse(text)
        }
    }

    @Test func comparisonsOfEveryOperator() throws {
        for op in ComparisonOperator.allCases {
            #expect(try Self.parse("ListPrice \(op.rawValue) 100") == .comparison(op, .property("ListPrice"), .literal(.integer(100))))
        }
    }

    @Test func precedenceNotOverComparisonOverAndOverOr() throws {
        let a = FilterExpression.comparison(.eq, .property("A"), .literal(.integer(1)))
        let b = FilterExpression.comparison(.eq, .property("B"), .literal(.integer(2)))
        let c = FilterExpression.comparison(.eq, .property("C"), .literal(.integer(3)))
        #expect(try Self.parse("A eq 1 or B eq 2 and C eq 3") == .or([a, .and([b, c])]))
        #expect(try Self.parse("A eq 1 and B eq 2 or C eq 3") == .or([.and([a, b]), c]))
        #expect(try Self.parse("(A eq 1 or B eq 2) and C eq 3") == .and([.or([a, b]), c]))
        #expect(try Self.parse("A eq 1 and B eq 2 and C eq 3") == .and([a, b, c]))
        #expect(try Self.parse("A eq 1 and (B eq 2 and C eq 3)") == .and([a, .and([b, c])]))
        #expect(try Self.parse("not A eq 1") == .comparison(.eq, .not(.property("A")), .literal(.integer(1))))
        #expect(try Self.parse("not (A eq 1)") == .not(a))
        #expect(try Self.parse("not(A eq 1) or B eq 2") == .or([.not(a), b]))
        #expect(try Self.parse("not not NewConstructionYN") == .not(.not(.property("NewConstructionYN"))))
        #expect(try Self.parse("((A eq 1))") == a)
        let inList = FilterExpression.membership(.property("City"), [.literal(.string("Paris"))])
        #expect(try Self.parse("not City in ('Paris')") == .not(inList))
        #expect(try Self.parse("City in ('Paris') eq false") == .comparison(.eq, inList, .literal(.boolean(false))))
        #expect(try Self.parse("A eq City in ('Paris')") == .comparison(.eq, .property("A"), inList))
        #expect(try Self.parse("(not City) in ('Paris')") == .membership(.not(.property("City")), [.literal(.string("Paris"))]))
    }

    @Test func whitespaceIsSpacesAndTabsAroundWordOperators() throws {
        let expected = FilterExpression.and([
            .comparison(.eq, .property("City"), .literal(.string("Paris"))), .property("NewConstructionYN"),
        ])
        #expect(try Self.parse("\t City  eq\t'Paris'   and NewConstructionYN ") == expected)
        Self.expectError("(City eq 'Paris')and(NewConstructionYN)", .syntax, "'and' needs a space before it", at: 17)
    }

    @Test func membershipLists() throws {
        #expect(
            try Self.parse("City in ('Paris','Marbella')")
                == .membership(.property("City"), [.literal(.string("Paris")), .literal(.string("Marbella"))]))
        #expect(
            try Self.parse("BedroomsTotal in ( 1 , 2 )")
                == .membership(.property("BedroomsTotal"), [.literal(.integer(1)), .literal(.integer(2))]))
    }

    @Test func functions() throws {
        #expect(
            try Self.parse("contains(tolower(City),'mar')")
                == .call(.contains, [.call(.tolower, [.property("City")]), .literal(.string("mar"))]))
        #expect(try Self.parse("startswith(City, 'Ma')") == .call(.startswith, [.property("City"), .literal(.string("Ma"))]))
        #expect(try Self.parse("endswith(City,'la')") == .call(.endswith, [.property("City"), .literal(.string("la"))]))
        #expect(
            try Self.parse("toupper(City) eq 'PARIS'")
                == .comparison(.eq, .call(.toupper, [.property("City")]), .literal(.string("PARIS"))))
    }

    @Test func everyLiteralKind() throws {
        func literal(_ text: String) throws -> ODataLiteral? {
            guard case .comparison(_, _, .literal(let value, _), _) = try Self.parse("X eq \(text)") else { return nil }
            return value
        }
        #expect(try literal("null") == .null)
        #expect(try literal("true") == .boolean(true))
        #expect(try literal("false") == .boolean(false))
        #expect(try literal("'it''s'") == .string("it's"))
        #expect(try literal("''") == .string(""))
        #expect(try literal("''''") == .string("'"))
        #expect(try literal("'Málaga €'") == .string("Málaga €"))
        #expect(try literal("42") == .integer(42))
        #expect(try literal("-7") == .integer(-7))
        #expect(try literal("9223372036854775807") == .integer(Int64.max))
        #expect(try literal("9223372036854775808") == .decimal("9223372036854775808"))
        #expect(try literal("1250000.50") == .decimal("1250000.50"))
        #expect(try literal("-0.5") == .decimal("-0.5"))
        #expect(try literal("1.5e3") == .decimal("1.5e3"))
        #expect(try literal("2E-2") == .decimal("2E-2"))
        #expect(try literal("2024-05-01") == .date("2024-05-01"))
        #expect(try literal("2024-02-29") == .date("2024-02-29"))
        #expect(
            try literal("2024-05-01T10:00:00Z")
                == .dateTimeOffset(Date(timeIntervalSince1970: 1_714_557_600), text: "2024-05-01T10:00:00Z"))
        #expect(
            try literal("2024-05-01T10:00:00.250+02:00")
                == .dateTimeOffset(Date(timeIntervalSince1970: 1_714_550_400.25), text: "2024-05-01T10:00:00.250+02:00"))
        #expect(
            try literal("2024-02-29T23:59:59-05:30")
                == .dateTimeOffset(Date(timeIntervalSince1970: 1_709_270_999), text: "2024-02-29T23:59:59-05:30"))
        #expect(
            try literal("2000-03-01T00:00Z") == .dateTimeOffset(Date(timeIntervalSince1970: 951_868_800), text: "2000-03-01T00:00Z"))
        #expect(try literal("1970-01-01T00:00:00Z") == .dateTimeOffset(Date(timeIntervalSince1970: 0), text: "1970-01-01T00:00:00Z"))
        #expect(ODataLiteral.decimal("1250000.50").decimalValue == Decimal(string: "1250000.50"))
    }

    @Test func pathsAndLambdas() throws {
        #expect(
            try Self.parse("ListAgent/MemberEmail eq 'a@b.es'")
                == .comparison(.eq, .property(PropertyPath(["ListAgent", "MemberEmail"])), .literal(.string("a@b.es"))))
        #expect(
            try Self.parse("Media/any(m: m/MediaCategory eq 'Photo')")
                == .lambda(
                    "Media", .any,
                    LambdaPredicate("m", .comparison(.eq, .property(PropertyPath(["m", "MediaCategory"])), .literal(.string("Photo"))))))
        #expect(
            try Self.parse("Media/all(m:m/Order lt 10)")
                == .lambda("Media", .all, LambdaPredicate("m", .comparison(.lt, .property("m/Order"), .literal(.integer(10))))))
        #expect(try Self.parse("Media/any()") == .lambda("Media", .any, nil))
        #expect(try Self.parse("not ListAgent/Media/any()") == .not(.lambda("ListAgent/Media", .any, nil)))
    }

    @Test func positionsAreRecordedButNotCompared() throws {
        let parsed = try Self.parse("A eq 1 and  B in (2)")
        guard case .and(let operands) = parsed, case .comparison(_, let left, let right, let at) = operands[0],
            case .membership(let subject, let items, let inAt) = operands[1]
        else {
            Issue.record("unexpected shape \(parsed)")
            return
        }
        #expect([left.position.offset, at.offset, right.position.offset] == [0, 2, 5] as [Int])
        #expect([subject.position.offset, inAt.offset, items[0].position.offset] == [12, 14, 18] as [Int])
    }

    @Test func canonicalText() throws {
        let text = "A eq 1 and (B eq 2 or not (C eq 'it''s')) or Media/any(m:m/Order in (1,2)) and contains(tolower(D),'x')"
        #expect(try Self.parse(text).description == text)
        #expect(try Self.parse(" ( A  eq 1 ) ").description == "A eq 1")
        #expect(try Self.parse("(A eq 1 and B eq 2) and C").description == "(A eq 1 and B eq 2) and C")
        #expect(try Self.parse("(not A) eq (B)").description == "not A eq B")
        #expect(try Self.parse("not (City in ('a'))").description == "not City in ('a')")
        #expect(try Self.parse("((not City) in ('a')) in (true)").description == "((not City) in ('a')) in (true)")
    }

    // MARK: - Errors

    @Test func unknownTokens() {
        Self.expectError("City eq #", .syntax, "unknown token '#'", at: 8)
        Self.expectError("City eq 5x", .syntax, "unknown token '5x'", at: 8)
        Self.expectError("City\neq 'a'", .syntax, "unknown token '\n'", at: 4)
        Self.expectError("City eq 1.", .syntax, "a decimal needs digits after '.'", at: 8)
        Self.expectError("D eq 2024-02-30", .syntax, "invalid date or date-time '2024-02-30'", at: 5)
        Self.expectError("D eq 2023-02-29T10:00Z", .syntax, "invalid date or date-time '2023-02-29T10:00Z'", at: 5)
        Self.expectError("D eq 2024-05-01T24:00:00Z", .syntax, "invalid date or date-time '2024-05-01T24:00:00Z'", at: 5)
        Self.expectError("D eq 2024-05-01T10:00:00", .syntax, "invalid date or date-time '2024-05-01T10:00:00'", at: 5)
        Self.expectError("D eq 2024-05-01T10:00:00.Z", .syntax, "invalid date or date-time '2024-05-01T10:00:00.Z'", at: 5)
        Self.expectError("D eq 2024-05-01T10:00:00+15:00", .syntax, "invalid date or date-time '2024-05-01T10:00:00+15:00'", at: 5)
        Self.expectError("EQ eq 1 AND B eq 2", .syntax, "unexpected 'AND' after the end of the expression", at: 8)
    }

    @Test func unterminatedStrings() {
        Self.expectError("City eq 'Paris", .syntax, "unterminated string literal", at: 8)
        Self.expectError("City eq 'it''", .syntax, "unterminated string literal", at: 8)
    }

    @Test func missingParentheses() {
        Self.expectError("(City eq 'a'", .syntax, "missing ')' for the '(' at 0; found the end of the text", at: 12)
        Self.expectError("City in ('a','b'", .syntax, "missing ')' for the '(' at 8; found the end of the text", at: 16)
        Self.expectError("contains(City,'a' or", .syntax, "expected an operand after 'or', found the end of the text", at: 20)
        Self.expectError("contains(City 'a')", .syntax, "missing ')' for the '(' at 8; found 'a'", at: 14)
        Self.expectError("City in 'a'", .syntax, "expected '(', found 'a'", at: 8)
        Self.expectError("A eq 1)", .syntax, "unexpected ')' after the end of the expression", at: 6)
    }

    @Test func operatorsWithoutOperands() {
        Self.expectError("", .syntax, "expected an operand, found the end of the text", at: 0)
        Self.expectError("City eq", .syntax, "expected an operand after 'eq', found the end of the text", at: 7)
        Self.expectError("eq 'a'", .syntax, "expected an operand, found 'eq'", at: 0)
        Self.expectError("A eq 1 and or B", .syntax, "expected an operand after 'and', found 'or'", at: 11)
        Self.expectError("A eq 1 and", .syntax, "expected an operand after 'and', found the end of the text", at: 10)
        Self.expectError("not", .syntax, "expected an operand, found 'not'", at: 0)
        Self.expectError("A eq ,", .syntax, "expected an operand after 'eq', found ','", at: 5)
    }

    @Test func wordOperatorsNeedSpaces() {
        Self.expectError("A eq 'a'and B", .syntax, "'and' needs a space before it", at: 8)
        Self.expectError("A eq 'a' and(B)", .syntax, "'and' needs a space after it", at: 9)
        Self.expectError("A eq(1)", .syntax, "'eq' needs a space after it", at: 2)
    }

    @Test func comparisonsDoNotChain() {
        Self.expectError("A eq B eq C", .syntax, "comparisons do not chain: put the left comparison in parentheses before 'eq'", at: 7)
        Self.expectError("A in (1) in (2)", .syntax, "'in' does not chain: put the left 'in' in parentheses", at: 9)
    }

    @Test func functionsAndLambdasMisused() {
        Self.expectError("year(D) eq 2024", .notSupported, "the function 'year' is not supported", at: 0)
        Self.expectError("frobnicate(D)", .syntax, "unknown function 'frobnicate'", at: 0)
        Self.expectError("contains(City)", .syntax, "contains takes 2 arguments, got 1", at: 0)
        Self.expectError("tolower(City, 'a') eq 'a'", .syntax, "tolower takes 1 argument, got 2", at: 0)
        Self.expectError("Media/all()", .syntax, "all() needs a predicate, as in all(x: ...)", at: 10)
        Self.expectError("Media/any(m m/Order eq 1)", .syntax, "expected ':', found 'm'", at: 12)
        Self.expectError("Media/any(eq: 1)", .syntax, "expected a lambda variable name, found 'eq'", at: 10)
        Self.expectError("Media/ eq 1", .syntax, "expected a property name after '/', found 'eq'", at: 7)
    }

    @Test func limits() throws {
        let deep = String(repeating: "(", count: 50) + "A" + String(repeating: ")", count: 50)
        Self.expectError(deep, .limitExceeded, "the expression nests deeper than 50 levels", at: 49)
        let fine = String(repeating: "(", count: 49) + "A" + String(repeating: ")", count: 49)
        #expect(try Self.parse(fine) == .property("A"))
        let nots = String(repeating: "not ", count: 60) + "A"
        Self.expectError(nots, .limitExceeded, "the expression nests deeper than 50 levels", at: 196)
        let long = "A eq '" + String(repeating: "x", count: 7_994) + "'"
        #expect(long.count == 8_001)
        Self.expectError(long, .limitExceeded, "the text is 8001 characters long; at most 8000 are allowed", at: 8_000)
        let chain = (0..<1_000).map { "A eq \($0)" }.joined(separator: " or ")
        Self.expectError(
            chain, .limitExceeded, "the text is \(chain.unicodeScalars.count) characters long; at most 8000 are allowed", at: 8_000)
        let longChain = (0..<700).map { _ in "A eq 1" }.joined(separator: " or ")
        guard case .or(let operands) = try Self.parse(longChain) else {
            Issue.record("expected an or")
            return
        }
        #expect(operands.count == 700)
    }
}
