import RealtyModel
import Testing

@testable import Sandbox

@Suite struct MyCRMVTQLParserTests {
    @Test func selectStar() throws {
        let query = try VTQLParser.parse("select * from Leads;")
        #expect(query == VTQLQuery(selection: .all, module: "Leads", condition: nil, ordering: [], limit: nil))
    }

    @Test func keywordsAreCaseInsensitive() throws {
        let query = try VTQLParser.parse(
            "SELECT firstname, lastname FROM Contacts WHERE city = 'Boston' ORDER BY lastname DESC LIMIT 5, 10 ;")
        #expect(query.selection == .columns(["firstname", "lastname"]))
        #expect(query.module == "Contacts")
        #expect(query.condition == .compare(column: "city", .equal, .string("Boston")))
        #expect(query.ordering == [.init(column: "lastname", ascending: false)])
        #expect(query.limit == .init(offset: 5, count: 10))
    }

    @Test func countStar() throws {
        #expect(try VTQLParser.parse("select count(*) from Leads;").selection == .count)
        #expect(try VTQLParser.parse("select COUNT( * ) from Leads ;").selection == .count)
    }

    @Test(arguments: VTQLOperator.allCases)
    func everyComparisonOperator(op: VTQLOperator) throws {
        let query = try VTQLParser.parse("select * from Leads where code \(op.rawValue) 2116;")
        #expect(query.condition == .compare(column: "code", op, .number("2116")))
    }

    @Test func angleBracketNotEqualIsAccepted() throws {
        #expect(
            try VTQLParser.parse("select * from Leads where city <> 'x';").condition
                == .compare(column: "city", .notEqual, .string("x")))
    }

    @Test func likeAndIn() throws {
        let query = try VTQLParser.parse("select * from Leads where email like '%@example.com' and state in ('MA', 'FL', 3);")
        #expect(
            query.condition
                == .and(
                    .like(column: "email", pattern: "%@example.com"),
                    .in(column: "state", [.string("MA"), .string("FL"), .number("3")])
                ))
    }

    @Test func andBindsTighterThanOr() throws {
        let query = try VTQLParser.parse("select * from Leads where a = '1' or b = '2' and c = '3';")
        #expect(
            query.condition
                == .or(
                    .compare(column: "a", .equal, .string("1")),
                    .and(.compare(column: "b", .equal, .string("2")), .compare(column: "c", .equal, .string("3")))
                ))
    }

    @Test func parenthesesGroupConditions() throws {
        let query = try VTQLParser.parse("select * from Leads where (a = '1' or b = '2') and c = '3';")
        #expect(
            query.condition
                == .and(
                    .or(.compare(column: "a", .equal, .string("1")), .compare(column: "b", .equal, .string("2"))),
                    .compare(column: "c", .equal, .string("3"))
                ))
    }

    @Test func nestingIsBounded() throws {
        let nested = String(repeating: "(", count: 32) + "a = '1'" + String(repeating: ")", count: 32)
        #expect(
            try VTQLParser.parse("select * from Leads where \(nested);").condition
                == .compare(column: "a", .equal, .string("1")))
        let tooDeep = String(repeating: "(", count: 10_000) + "a = '1'" + String(repeating: ")", count: 10_000)
        #expect(throws: MyCRMError.self) { try VTQLParser.parse("select * from Leads where \(tooDeep);") }
        let many = Array(repeating: "a = '1'", count: 512).joined(separator: " or ")
        #expect(try VTQLParser.parse("select * from Leads where \(many);").condition != nil)
        let tooMany = Array(repeating: "a = '1'", count: 20_000).joined(separator: " or ")
        #expect(throws: MyCRMError.self) { try VTQLParser.parse("select * from Leads where \(tooMany);") }
    }

    @Test func quoteEscapes() throws {
        let doubled = try VTQLParser.parse("select * from Leads where lastname = 'O''Brien';")
        #expect(doubled.condition == .compare(column: "lastname", .equal, .string("O'Brien")))
        let backslash = try VTQLParser.parse(#"select * from Leads where lastname = 'O\'Brien';"#)
        #expect(backslash.condition == .compare(column: "lastname", .equal, .string("O'Brien")))
    }

    @Test func negativeAndDecimalNumbers() throws {
        let query = try VTQLParser.parse("select * from Leads where a > -1.5 and b < 2.25;")
        #expect(
            query.condition
                == .and(
                    .compare(column: "a", .greater, .number("-1.5")),
                    .compare(column: "b", .less, .number("2.25"))))
    }

    @Test func orderByDirectionPerColumn() throws {
        let query = try VTQLParser.parse("select * from Leads order by city, lastname desc, firstname asc;")
        #expect(
            query.ordering == [
                .init(column: "city", ascending: true),
                .init(column: "lastname", ascending: false),
                .init(column: "firstname", ascending: true),
            ])
    }

    @Test func missingSemicolonIsASyntaxError() {
        #expect(throws: MyCRMError.self) { try VTQLParser.parse("select * from Leads") }
        do {
            _ = try VTQLParser.parse("select * from Leads limit 5")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .querySyntaxError)
            #expect(error.message.contains("';'"))
        }
    }

    @Test(arguments: [
        "",
        "select from Leads;",
        "select * Leads;",
        "select * from ;",
        "select * from Leads where;",
        "select * from Leads where city;",
        "select * from Leads where city = ;",
        "select * from Leads where city = 'x' and;",
        "select * from Leads where (city = 'x';",
        "select * from Leads where city = 'unterminated;",
        "select * from Leads where city in ();",
        "select * from Leads where city like 5;",
        "select * from Leads order city;",
        "select * from Leads limit;",
        "select * from Leads limit -1;",
        "select * from Leads limit 1, ;",
        "select * from Leads; select * from Contacts;",
        "select count(firstname) from Leads;",
        "select * from Leads where city = 'x' # comment;",
        "delete from Leads;",
        "select *, firstname from Leads;",
    ])
    func malformedQueriesFailWithQuerySyntaxError(text: String) {
        do {
            _ = try VTQLParser.parse(text)
            Issue.record("expected a syntax error for \(text)")
        } catch {
            #expect(error.code == .querySyntaxError, "\(text)")
            #expect(error.message.hasPrefix("Syntax Error on line 1"), "\(text)")
        }
    }

    @Test func errorNamesTheOffendingToken() {
        do {
            _ = try VTQLParser.parse("select * form Leads;")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("token 'form'"))
            #expect(error.message.contains("expected FROM"))
        }
    }
}

@Suite struct MyCRMVTQLEvaluatorTests {
    static let table = VTQLTable(
        module: "Leads",
        fields: ["firstname", "lastname", "city", "code", "assigned_user_id", "id"],
        idFields: ["assigned_user_id", "id"],
        rows: [
            ["firstname": "Ann", "lastname": "Zed", "city": "Boston", "code": "9", "assigned_user_id": "19x1", "id": "10x3"],
            ["firstname": "bob", "lastname": "Young", "city": "Miami", "code": "10", "assigned_user_id": "19x2", "id": "10x1"],
            ["firstname": "Cid", "lastname": "O'Hara", "city": "boston", "code": "100", "assigned_user_id": "19x1", "id": "10x2"],
            ["firstname": "Dee", "lastname": "Adams", "city": "Austin", "code": "", "assigned_user_id": "19x3", "id": "10x10"],
        ]
    )

    private func ids(_ text: String, table: VTQLTable = table) throws(MyCRMError) -> [String] {
        let result = try VTQLEvaluator.run(try VTQLParser.parse(text), on: table)
        guard case .array(let rows) = result else { return [] }
        return rows.compactMap { row in
            if case .string(let id)? = row["id"] { return id }
            return nil
        }
    }

    @Test func defaultOrderIsRecordNumber() throws {
        #expect(try ids("select * from Leads;") == ["10x1", "10x2", "10x3", "10x10"])
    }

    @Test func equalityIsCaseInsensitive() throws {
        #expect(try ids("select * from Leads where city = 'BOSTON';") == ["10x2", "10x3"])
        #expect(try ids("select * from Leads where city != 'boston';") == ["10x1", "10x10"])
    }

    @Test func numericComparisonWhenBothSidesAreNumbers() throws {
        #expect(try ids("select * from Leads where code > 9;") == ["10x1", "10x2"])
        #expect(try ids("select * from Leads where code >= 9;") == ["10x1", "10x2", "10x3"])
        #expect(try ids("select * from Leads where code < 10;") == ["10x3", "10x10"])
        #expect(try ids("select * from Leads where code <= '10';") == ["10x1", "10x3", "10x10"])
    }

    @Test func likePatterns() throws {
        #expect(try ids("select * from Leads where city like 'bos%';") == ["10x2", "10x3"])
        #expect(try ids("select * from Leads where firstname like '_o_';") == ["10x1"])
        #expect(try ids("select * from Leads where lastname like '%''%';") == ["10x2"])
        #expect(try ids("select * from Leads where lastname like '%';").count == 4)
        #expect(try ids(#"select * from Leads where lastname like 'O\\_%';"#) == [])
    }

    @Test func inList() throws {
        #expect(try ids("select * from Leads where city in ('miami', 'Austin');") == ["10x1", "10x10"])
        #expect(try ids("select * from Leads where assigned_user_id in ('19x2', '19x3');") == ["10x1", "10x10"])
    }

    @Test func andOrAndParentheses() throws {
        #expect(
            try ids("select * from Leads where city = 'boston' and assigned_user_id = '19x1' or firstname = 'Dee';")
                == ["10x2", "10x3", "10x10"])
        #expect(
            try ids("select * from Leads where city = 'boston' and (assigned_user_id = '19x2' or firstname = 'Cid');")
                == ["10x2"])
    }

    @Test func idFieldsCompareByRecordNumber() throws {
        #expect(try ids("select * from Leads where id > '10x2';") == ["10x3", "10x10"])
        #expect(try ids("select * from Leads where id = '10x10';") == ["10x10"])
    }

    @Test func idLiteralMustBeAWebserviceID() {
        do {
            _ = try ids("select * from Leads where assigned_user_id = '1';")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidIDAttribute)
        }
    }

    @Test func orderByWithTiesFallsBackToRecordNumber() throws {
        #expect(try ids("select * from Leads order by city;") == ["10x10", "10x2", "10x3", "10x1"])
        #expect(try ids("select * from Leads order by city desc, firstname desc;") == ["10x1", "10x2", "10x3", "10x10"])
        #expect(try ids("select * from Leads order by code desc;") == ["10x2", "10x1", "10x3", "10x10"])
    }

    @Test func limitAndOffset() throws {
        #expect(try ids("select * from Leads limit 2;") == ["10x1", "10x2"])
        #expect(try ids("select * from Leads limit 1, 2;") == ["10x2", "10x3"])
        #expect(try ids("select * from Leads limit 10, 2;") == [])
        #expect(try ids("select * from Leads limit 0;") == [])
    }

    @Test func selectedColumnsAlwaysCarryID() throws {
        let result = try VTQLEvaluator.run(try VTQLParser.parse("select lastname from Leads limit 1;"), on: Self.table)
        #expect(result == .array([MyCRMWire.object([("lastname", .string("Young")), ("id", .string("10x1"))])]))
    }

    @Test func countIgnoresLimitAndIsAString() throws {
        let result = try VTQLEvaluator.run(
            try VTQLParser.parse("select count(*) from Leads where city like 'b%' limit 1;"),
            on: Self.table)
        #expect(result == .array([MyCRMWire.object([("count", .string("2"))])]))
    }

    @Test func unknownColumnIsRefused() {
        for text in ["select nope from Leads;", "select * from Leads where nope = 1;", "select * from Leads order by nope;"] {
            do {
                _ = try VTQLEvaluator.run(try VTQLParser.parse(text), on: Self.table)
                Issue.record("expected an error for \(text)")
            } catch {
                #expect(error.code == .accessDenied)
                #expect(error.message.contains("nope"))
            }
        }
    }

    @Test func oneHundredRowCap() throws {
        let rows = (1...250).map {
            [
                "firstname": "F\($0)", "lastname": "L", "city": "", "code": "", "assigned_user_id": "19x1",
                "id": "10x\($0)",
            ]
        }
        let big = VTQLTable(module: "Leads", fields: Self.table.fields, idFields: Self.table.idFields, rows: rows)
        #expect(try ids("select * from Leads;", table: big).count == 100)
        #expect(try ids("select * from Leads limit 500;", table: big).count == 100)
        let page = try ids("select * from Leads limit 200, 500;", table: big)
        #expect(page.count == 50)
        #expect(page.first == "10x201")
        let count = try VTQLEvaluator.run(try VTQLParser.parse("select count(*) from Leads;"), on: big)
        #expect(count == .array([MyCRMWire.object([("count", .string("250"))])]))
    }
}
