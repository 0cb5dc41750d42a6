import ODataQuery
import RealtyModel
import Testing

/// `$orderby`, `$select`, `$top`, `$skip`, `$count`, `$expand` and the rules over the whole query.
@Suite struct QueryOptionsTests {
    static func parse(_ options: [(String, String)]) throws -> ODataQueryOptions {
        try ODataQueryOptions.parse(options.map { (name: $0.0, value: $0.1) }, for: Property.self, navigation: TestNavigation.table)
    }

    static func expectError(
        _ options: [(String, String)], _ code: ODataQueryError.Code, _ message: String, at position: Int, option: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(throws: ODataQueryError(code, message, at: position, option: option), sourceLocation: sourceLocation) {
            try Self.parse(options)
        }
    }

    @Test func aWholeQuery() throws {
        let options = try Self.parse([
            ("$filter", "City eq 'Paris'"), ("$orderby", "ListPrice desc, ModificationTimestamp,ListAgent/MemberLastName asc"),
            ("$select", "ListPrice,City,ListPrice"), ("$top", "100"), ("$skip", "0"), ("$count", "true"),
            ("$expand", "Media,ListAgent,Media"),
            ("tenant", "ignored"),
        ])
        var expected = ODataQueryOptions(resource: .property)
        expected.filter = .comparison(
            .eq, .property(ResolvedProperty(resource: .property, name: "City", type: .string)), .literal(.string("Paris")))
        expected.orderBy = [
            ODataOrderKey(ResolvedProperty(resource: .property, name: "ListPrice", type: .decimal), descending: true),
            ODataOrderKey(ResolvedProperty(resource: .property, name: "ModificationTimestamp", type: .timestamp)),
            ODataOrderKey(
                ResolvedProperty(navigation: [TestNavigation.listAgent], resource: .member, name: "MemberLastName", type: .string)),
        ]
        expected.select = .properties(["ListPrice", "City"])
        expected.top = 100
        expected.skip = 0
        expected.count = true
        expected.expand = [TestNavigation.media, TestNavigation.listAgent]
        #expect(options == expected)
        #expect(try Self.parse([]) == ODataQueryOptions(resource: .property))
        #expect(try Self.parse([("$select", "*"), ("$count", "false")]).select == .all)
        #expect(try Self.parse([("$top", "10000"), ("$skip", "1000000")]).skip == 1_000_000)
    }

    @Test func optionNamesAndRepeats() {
        Self.expectError([("$foo", "1")], .invalidOption, "unknown query option '$foo'", at: 0, option: "$foo")
        Self.expectError([("$FILTER", "A")], .invalidOption, "unknown query option '$FILTER'", at: 0, option: "$FILTER")
        Self.expectError([("$search", "pool")], .notSupported, "$search is not supported", at: 0, option: "$search")
        Self.expectError([("$top", "1"), ("$top", "2")], .invalidOption, "$top is given more than once", at: 0, option: "$top")
    }

    @Test func numbersAndFlags() {
        Self.expectError([("$top", "-1")], .invalidOption, "$top must be a whole number from 0 to 10000", at: 0, option: "$top")
        Self.expectError([("$top", " 1")], .invalidOption, "$top must be a whole number from 0 to 10000", at: 0, option: "$top")
        Self.expectError([("$top", "")], .invalidOption, "$top must be a whole number from 0 to 10000", at: 0, option: "$top")
        Self.expectError([("$top", "10001")], .limitExceeded, "$top is at most 10000", at: 0, option: "$top")
        Self.expectError([("$skip", "99999999999999999999999")], .limitExceeded, "$skip is at most 1000000", at: 0, option: "$skip")
        Self.expectError([("$count", "TRUE")], .invalidOption, "$count must be true or false", at: 0, option: "$count")
    }

    @Test func orderByErrors() {
        Self.expectError(
            [("$orderby", "ListPrice down")], .syntax, "expected asc or desc after ListPrice, found 'down'", at: 10, option: "$orderby")
        Self.expectError(
            [("$orderby", "ListPrice desc City")], .syntax, "expected ',' after ListPrice desc, found 'City'", at: 15, option: "$orderby")
        Self.expectError(
            [("$orderby", "ListPrice,")], .syntax, "expected a property name, found the end of the text", at: 10, option: "$orderby")
        Self.expectError([("$orderby", "Nope")], .unknownProperty, "Property has no property 'Nope'", at: 0, option: "$orderby")
        Self.expectError(
            [("$orderby", "City, Media/Order")], .typeMismatch, "Media is a collection; filter it with Media/any(...) or Media/all(...)",
            at: 6, option: "$orderby")
        #expect(
            throws: ODataQueryError(.typeMismatch, "MemberLanguages is a list of strings and cannot be sorted", at: 0, option: "$orderby")
        ) {
            try ODataQueryOptions.parse([(name: "$orderby", value: "MemberLanguages")], for: Member.self)
        }
    }

    @Test func selectAndExpandErrors() {
        Self.expectError([("$select", "City,Nope")], .unknownProperty, "Property has no property 'Nope'", at: 5, option: "$select")
        Self.expectError(
            [("$select", "ListAgent")], .notSupported, "ListAgent is a navigation property; use $expand", at: 0, option: "$select")
        Self.expectError(
            [("$select", "ListAgent/MemberEmail")], .notSupported,
            "selecting through a navigation path (ListAgent/MemberEmail) is not supported", at: 0, option: "$select")
        Self.expectError([("$select", "")], .syntax, "expected a property name, found the end of the text", at: 0, option: "$select")
        Self.expectError(
            [("$expand", "Media($top=1)")], .notSupported, "options inside $expand (...) are not supported", at: 5, option: "$expand")
        Self.expectError(
            [("$expand", "*")], .notSupported, "$expand=* is not supported; name the navigation properties", at: 0, option: "$expand")
        Self.expectError([("$expand", "City")], .unknownProperty, "Property has no navigation property 'City'", at: 0, option: "$expand")
        Self.expectError(
            [("$expand", "ListAgent/Office")], .notSupported, "expanding a navigation path (ListAgent/Office) is not supported", at: 0,
            option: "$expand")
    }

    @Test func filterErrorsCarryTheirOption() {
        Self.expectError(
            [("$filter", "City eq")], .syntax, "expected an operand after 'eq', found the end of the text", at: 7, option: "$filter")
        Self.expectError(
            [("$select", String(repeating: "City,", count: 1_601))], .limitExceeded,
            "the text is 8005 characters long; at most 8000 are allowed",
            at: 8_000, option: "$select")
    }
}
