import Foundation
import ODataQuery
import PropertyBased
import RealtyModel
import Testing

/// Property tests of the `$filter` parser and checker: random trees print to text that parses
/// back to the same tree, and random text only ever gives a tree or an ``ODataQueryError``.
@Suite struct FilterPropertyTests {
    /// The property generator's random source, as a plain `RandomNumberGenerator`.
    struct Source: RandomNumberGenerator {
        var base: any SeededRandomNumberGenerator
        mutating func next() -> UInt64 { base.next() }
    }

    /// Random syntax trees, nesting at most 6 levels deep.
    enum Trees {
        static let names = [
            "City", "ListPrice", "Media", "ListAgent", "MemberEmail", "Order", "x", "m", "A_1", "_b", "notes", "order", "anyThing",
        ]
        static let variables = ["m", "x", "item", "v2"]
        static let stringScalars: [Unicode.Scalar] = ["a", "Z", "0", " ", "'", "''", "é", "€", "(", ")", ",", "\t", "/", "😀", "\u{301}"]
            .compactMap { $0.unicodeScalars.first }

        static func pick<T>(_ items: [T], _ source: inout Source) -> T { items[Int.random(in: 0..<items.count, using: &source)] }

        static func path(_ source: inout Source) -> PropertyPath {
            PropertyPath((0..<Int.random(in: 1...3, using: &source)).map { _ in pick(names, &source) })
        }

        static func literal(_ source: inout Source) -> ODataLiteral {
            switch Int.random(in: 0..<7, using: &source) {
            case 0: return .null
            case 1: return .boolean(Bool.random(using: &source))
            case 2:
                var view = String.UnicodeScalarView()
                for _ in 0..<Int.random(in: 0...8, using: &source) { view.append(pick(stringScalars, &source)) }
                return .string(String(view))
            case 3: return .integer(Int64.random(in: .min ... .max, using: &source))
            case 4:
                let sign = Bool.random(using: &source) ? "-" : ""
                let whole = String(UInt32.random(in: 0...UInt32.max, using: &source))
                let fraction = String(UInt16.random(in: 0...UInt16.max, using: &source))
                let exponent = pick(["", "e5", "E-3", "e+12"], &source)
                return .decimal(sign + whole + "." + fraction + exponent)
            case 5:
                let (text, _) = day(&source)
                return .date(text)
            default: return dateTime(&source)
            }
        }

        static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

        static func day(_ source: inout Source) -> (String, DateComponents) {
            let year = Int.random(in: 1970...2100, using: &source)
            let month = Int.random(in: 1...12, using: &source)
            let day = Int.random(in: 1...28, using: &source)
            return ("\(year)-\(twoDigits(month))-\(twoDigits(day))", DateComponents(year: year, month: month, day: day))
        }

        /// A date-time and its instant, computed through Foundation's calendar (not the parser's arithmetic).
        static func dateTime(_ source: inout Source) -> ODataLiteral {
            var (text, components) = day(&source)
            components.hour = Int.random(in: 0...23, using: &source)
            components.minute = Int.random(in: 0...59, using: &source)
            components.second = Int.random(in: 0...59, using: &source)
            text += "T\(twoDigits(components.hour ?? 0)):\(twoDigits(components.minute ?? 0)):\(twoDigits(components.second ?? 0))"
            var fraction = 0.0
            if Bool.random(using: &source) {
                let digits = String(Int.random(in: 0...999, using: &source))
                text += "." + digits
                fraction = Double("0." + digits) ?? 0
            }
            var offset = 0
            switch Int.random(in: 0..<3, using: &source) {
            case 0: text += "Z"
            default:
                let hours = Int.random(in: 0...14, using: &source)
                let minutes = pick([0, 30, 45], &source)
                let negative = Bool.random(using: &source)
                text += (negative ? "-" : "+") + "\(twoDigits(hours)):\(twoDigits(minutes))"
                offset = (negative ? -1 : 1) * (hours * 3600 + minutes * 60)
            }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
            let whole = Int(calendar.date(from: components)?.timeIntervalSince1970 ?? 0) - offset
            return .dateTimeOffset(Date(timeIntervalSince1970: Double(whole) + fraction), text: text)
        }

        static func expression(_ source: inout Source, depth: Int) -> FilterExpression {
            let leaf = depth >= 6 || Int.random(in: 0..<10, using: &source) < 3
            if leaf {
                return Bool.random(using: &source) ? .literal(literal(&source)) : .property(path(&source))
            }
            func list(_ range: ClosedRange<Int>) -> [FilterExpression] {
                (0..<Int.random(in: range, using: &source)).map { _ in expression(&source, depth: depth + 1) }
            }
            switch Int.random(in: 0..<8, using: &source) {
            case 0: return .and(list(2...4))
            case 1: return .or(list(2...4))
            case 2: return .not(expression(&source, depth: depth + 1))
            case 3:
                let op = pick(ComparisonOperator.allCases, &source)
                return .comparison(op, expression(&source, depth: depth + 1), expression(&source, depth: depth + 1))
            case 4: return .membership(expression(&source, depth: depth + 1), list(1...3))
            case 5:
                let function = pick(FilterFunction.allCases, &source)
                return .call(function, list(function.arity...function.arity))
            default:
                let op = pick(LambdaOperator.allCases, &source)
                if op == .any, Int.random(in: 0..<4, using: &source) == 0 { return .lambda(path(&source), .any, nil) }
                let body = expression(&source, depth: depth + 1)
                return .lambda(path(&source), op, LambdaPredicate(pick(variables, &source), body))
            }
        }

        static let generator = Generator<FilterExpression, Shrink.None<FilterExpression>>(run: { base in
            var source = Source(base: base)
            return expression(&source, depth: 0)
        })
    }

    @Test func printedTreesParseBackToTheSameTree() async {
        await propertyCheck(count: 3_000, input: Trees.generator) { tree in
            let text = tree.description
            do {
                let parsed = try FilterParser.parse(text)
                #expect(parsed == tree, "\(text)")
                #expect(parsed.description == text)
            } catch {
                Issue.record("\(text) did not parse: \(error)")
            }
        }
    }

    /// Random trees (over real and made-up names) through the checker: a checked filter or a
    /// query error with a message, never a crash.
    @Test func generatedTreesCheckOrGiveAQueryError() async {
        await propertyCheck(count: 3_000, input: Trees.generator) { tree in
            Self.expectCheckedOrQueryError(tree)
        }
    }

    static func expectCheckedOrQueryError(_ tree: FilterExpression, sourceLocation: SourceLocation = #_sourceLocation) {
        func checkError(_ error: ODataQueryError) {
            #expect(!error.message.isEmpty && error.position >= 0, "\(error) for \(tree)", sourceLocation: sourceLocation)
        }
        do { _ = try FilterChecker<Property>(navigation: TestNavigation.table).check(tree) } catch { checkError(error) }
        do { _ = try FilterChecker<Member>(navigation: TestNavigation.table).check(tree) } catch { checkError(error) }
    }

    /// Fragments of filters: every operator and function, literals good and bad, and broken pieces.
    static let fragments = Gen<String?>.element(
        of: [
            "City", "ListPrice", "BedroomsTotal", "NewConstructionYN", "ModificationTimestamp", "MemberLanguages", "ListAgent", "Media",
            "ListAgent/MemberEmail", "Media/any(m:", "Media/all(", "m/Order", "x", "/", "any", "all", "(", ")", ",", ":", "*", "$", "@",
            " eq ", " ne ", " gt ", " ge ", " lt ", " le ", " and ", " or ", "not ", " in ", "eq", "and", " ", "\t", "\n",
            "contains(", "startswith(", "endswith(", "tolower(", "toupper(", "year(", "foo(", "'Paris'", "'it''s'", "'", "''", "'open",
            "null", "true", "false", "0", "-1", "1.5", "1.", "1e", "9223372036854775808", "2024-05-01", "2024-02-30",
            "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123+02:00", "2024-05-01T", "é", "😀", "\u{301}", "%20",
        ] as [String]
    ).map { $0 ?? "" }

    /// Any Unicode scalar, weighted towards ASCII.
    static let scalar = Gen<Character?>.element(of: Array("abzAZ09_ '(),/:$-.+eqandorinot\t\n\u{0}é€😀\u{301}") as [Character])
        .compactMap { $0 }

    static func expectOnlyQueryErrors(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let length = text.unicodeScalars.count
        func checkError(_ error: ODataQueryError) {
            #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
            #expect(error.position >= 0 && error.position <= length, "\(error) for \(text)", sourceLocation: sourceLocation)
        }
        // Typed throws: these calls can throw nothing but ODataQueryError.
        do { _ = try FilterParser.parse(text) } catch { checkError(error) }
        do { _ = try FilterChecker<Property>(navigation: TestNavigation.table).check(text) } catch { checkError(error) }
        do { _ = try FilterChecker<Member>(navigation: TestNavigation.table).check(text) } catch { checkError(error) }
        for option in ["$orderby", "$select", "$expand", "$top"] {
            do {
                _ = try ODataQueryOptions.parse([(name: option, value: text)], for: Property.self, navigation: TestNavigation.table)
            } catch {
                checkError(error)
            }
        }
    }

    @Test func gluedTokensGiveATreeOrAQueryError() async {
        await propertyCheck(count: 5_000, input: Self.fragments.array(of: 0...14)) { pieces in
            Self.expectOnlyQueryErrors(pieces.joined())
        }
    }

    @Test func randomCharactersGiveATreeOrAQueryError() async {
        await propertyCheck(count: 5_000, input: Self.scalar.string(of: 0...60)) { text in
            Self.expectOnlyQueryErrors(text)
        }
    }

    /// The properties above must be able to fail: a few known answers.
    @Test func knownAnswers() throws {
        #expect(try FilterParser.parse("Media/any(m:m/Order lt 10)").description == "Media/any(m:m/Order lt 10)")
        #expect(throws: ODataQueryError(.syntax, "unknown token '$'", at: 0, option: "$filter")) { try FilterParser.parse("$") }
        #expect(ODataQueryError(.syntax, "unknown token '$'", at: 0, option: "$filter").description == "$filter: unknown token '$' (at 0)")
        let checked = try FilterChecker<Property>(navigation: TestNavigation.table).check(
            try FilterParser.parse("Media/any(m:m/Order lt 10)"))
        #expect(
            checked
                == .lambda(
                    .any, over: .navigation(base: .root, path: [TestNavigation.media]), variable: "m",
                    predicate: .comparison(
                        .lt, .property(ResolvedProperty(base: .variable("m"), resource: .media, name: "Order", type: .integer)),
                        .literal(.integer(10)))))
    }
}
