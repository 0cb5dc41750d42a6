import Foundation
import ODataQuery
import RealtyModel
import Testing

/// The hub's navigation, as the tests assume it (the server will supply its own).
enum TestNavigation {
    static let listAgent = ODataNavigation("ListAgent", to: .member, via: "ListAgentKey")
    static let listOffice = ODataNavigation("ListOffice", to: .office, via: "ListOfficeKey")
    static let media = ODataNavigation(children: "Media", of: .media)
    static let memberOffice = ODataNavigation("Office", to: .office, via: "OfficeKey")
    static let table = ODataNavigationTable([
        .property: [listAgent, listOffice, media],
        .member: [memberOffice, media],
    ])
}

/// Resolution and typing of `$filter` against a resource: exact checked trees and exact errors.
@Suite struct FilterCheckerTests {
    static func check<R: HubRecord>(_ text: String, _: R.Type) throws -> CheckedFilter {
        try FilterChecker<R>(navigation: TestNavigation.table).check(text)
    }

    static func check(_ text: String) throws -> CheckedFilter { try check(text, Property.self) }

    static func expectError(
        _ text: String, _ code: ODataQueryError.Code, _ message: String, at position: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectError(text, Property.self, code, message, at: position, sourceLocation: sourceLocation)
    }

    static func expectError<R: HubRecord>(
        _ text: String, _: R.Type, _ code: ODataQueryError.Code, _ message: String, at position: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(throws: ODataQueryError(code, message, at: position, option: "$filter"), sourceLocation: sourceLocation) {
            try FilterChecker<R>(navigation: TestNavigation.table).check(text)
        }
    }

    static func field(_ name: String, _ type: FieldType, _ resource: ResourceName = .property) -> CheckedOperand {
        .property(ResolvedProperty(resource: resource, name: name, type: type))
    }

    @Test func comparisonsOfEachFieldType() throws {
        #expect(try Self.check("City eq 'Paris'") == .comparison(.eq, Self.field("City", .string), .literal(.string("Paris"))))
        #expect(try Self.check("City ne null") == .comparison(.ne, Self.field("City", .string), .literal(.null)))
        #expect(try Self.check("ListPrice ge 250000") == .comparison(.ge, Self.field("ListPrice", .decimal), .literal(.integer(250_000))))
        #expect(
            try Self.check("BedroomsTotal lt 2.5") == .comparison(.lt, Self.field("BedroomsTotal", .integer), .literal(.decimal("2.5"))))
        #expect(
            try Self.check("NewConstructionYN eq true")
                == .comparison(.eq, Self.field("NewConstructionYN", .boolean), .literal(.boolean(true))))
        let instant = ODataLiteral.dateTimeOffset(Date(timeIntervalSince1970: 1_714_557_600), text: "2024-05-01T10:00:00Z")
        #expect(
            try Self.check("ModificationTimestamp gt 2024-05-01T10:00:00Z")
                == .comparison(.gt, Self.field("ModificationTimestamp", .timestamp), .literal(instant)))
        #expect(
            try Self.check("Birthdate le 1990-12-31", Contact.self)
                == .comparison(.le, Self.field("Birthdate", .date, .contacts), .literal(.date("1990-12-31"))))
        #expect(try Self.check("1 eq ListPrice") == .comparison(.eq, .literal(.integer(1)), Self.field("ListPrice", .decimal)))
        #expect(
            try Self.check("ListPrice gt CurrentPrice")
                == .comparison(.gt, Self.field("ListPrice", .decimal), Self.field("CurrentPrice", .decimal)))
        #expect(try Self.check("ListingKey eq 'k1'") == .comparison(.eq, Self.field("ListingKey", .string), .literal(.string("k1"))))
    }

    @Test func logicAndConditions() throws {
        let paris = CheckedFilter.comparison(.eq, Self.field("City", .string), .literal(.string("Paris")))
        #expect(
            try Self.check("City eq 'Paris' and (NewConstructionYN or not DeletedYN) or true")
                == .or([
                    .and([
                        paris,
                        .or([
                            .property(ResolvedProperty(resource: .property, name: "NewConstructionYN", type: .boolean)),
                            .not(.property(ResolvedProperty(resource: .property, name: "DeletedYN", type: .boolean))),
                        ]),
                    ]),
                    .constant(true),
                ]))
    }

    @Test func membershipAndFunctions() throws {
        #expect(
            try Self.check("City in ('Paris','Marbella', null)")
                == .membership(Self.field("City", .string), [.string("Paris"), .string("Marbella"), .null]))
        #expect(
            try Self.check("not City in ('Paris')") == .not(.membership(Self.field("City", .string), [.string("Paris")])))
        #expect(
            try Self.check("contains(tolower(City),'mar')")
                == .stringTest(.contains, .tolower(Self.field("City", .string)), .literal(.string("mar"))))
        #expect(
            try Self.check("toupper(City) eq 'PARIS'")
                == .comparison(.eq, .toupper(Self.field("City", .string)), .literal(.string("PARIS"))))
    }

    @Test func navigationAndLambdas() throws {
        let email = ResolvedProperty(navigation: [TestNavigation.listAgent], resource: .member, name: "MemberEmail", type: .string)
        #expect(try Self.check("ListAgent/MemberEmail eq 'a@b.es'") == .comparison(.eq, .property(email), .literal(.string("a@b.es"))))
        let category = ResolvedProperty(base: .variable("m"), resource: .media, name: "MediaCategory", type: .string)
        #expect(
            try Self.check("Media/any(m: m/MediaCategory eq 'Photo')")
                == .lambda(
                    .any, over: .navigation(base: .root, path: [TestNavigation.media]), variable: "m",
                    predicate: .comparison(.eq, .property(category), .literal(.string("Photo")))))
        #expect(
            try Self.check("Media/any()")
                == .lambda(.any, over: .navigation(base: .root, path: [TestNavigation.media]), variable: nil, predicate: nil))
        let agentMedia = LambdaSource.navigation(base: .root, path: [TestNavigation.listAgent, TestNavigation.media])
        let order = ResolvedProperty(base: .variable("x"), resource: .media, name: "Order", type: .integer)
        let outer = ResolvedProperty(resource: .property, name: "ListPrice", type: .decimal)
        #expect(
            try Self.check("ListAgent/Media/all(x: x/Order lt 10 and ListPrice gt 0)")
                == .lambda(
                    .all, over: agentMedia, variable: "x",
                    predicate: .and([
                        .comparison(.lt, .property(order), .literal(.integer(10))),
                        .comparison(.gt, .property(outer), .literal(.integer(0))),
                    ])))
    }

    /// The reading for string lists (RESO multi-select lookups): `any`/`all` over the elements,
    /// never `contains` or a comparison of the whole list.
    @Test func stringListsAreCollectionsOfStrings() throws {
        let languages = ResolvedProperty(resource: .member, name: "MemberLanguages", type: .stringList)
        let element = ResolvedProperty(base: .variable("x"), resource: .member, name: nil, type: .string)
        #expect(
            try Self.check("MemberLanguages/any(x: x eq 'Spanish')", Member.self)
                == .lambda(
                    .any, over: .stringList(languages), variable: "x",
                    predicate: .comparison(.eq, .property(element), .literal(.string("Spanish")))))
        #expect(
            try Self.check("MemberLanguages/all(x: startswith(x, 'E'))", Member.self)
                == .lambda(
                    .all, over: .stringList(languages), variable: "x",
                    predicate: .stringTest(.startswith, .property(element), .literal(.string("E")))))
        Self.expectError(
            "contains(MemberLanguages, 'Spanish')", Member.self, .typeMismatch,
            "MemberLanguages is a list of strings; contains() takes strings (use MemberLanguages/any(x: x eq '...'))", at: 9)
        Self.expectError(
            "MemberLanguages eq 'Spanish'", Member.self, .typeMismatch,
            "MemberLanguages is a list of strings; use MemberLanguages/any(x: x eq '...')", at: 16)
        Self.expectError("MemberLanguages/any(x: x/Foo eq 'a')", Member.self, .typeMismatch, "x is a string; it has no properties", at: 23)
    }

    @Test func typeMismatches() {
        Self.expectError("ListPrice eq 'abc'", .typeMismatch, "ListPrice is a decimal; 'abc' is a string", at: 10)
        Self.expectError("City eq 5", .typeMismatch, "City is a string; 5 is an integer", at: 5)
        Self.expectError(
            "ModificationTimestamp gt 2024-05-01", .typeMismatch, "ModificationTimestamp is a date-time; 2024-05-01 is a date", at: 22)
        Self.expectError(
            "Birthdate eq 2024-05-01T00:00:00Z", Contact.self, .typeMismatch, "Birthdate is a date; 2024-05-01T00:00:00Z is a date-time",
            at: 10)
        Self.expectError("NewConstructionYN gt false", .typeMismatch, "booleans can only be compared with eq or ne", at: 18)
        Self.expectError("ListPrice gt null", .typeMismatch, "null can only be compared with eq or ne", at: 10)
        Self.expectError("City in ('a', 1)", .typeMismatch, "City is a string; 1 is an integer", at: 5)
        Self.expectError("City in ('a', City)", .notSupported, "an 'in' list holds literals only; City is not one", at: 14)
        Self.expectError("contains(ListPrice, '1')", .typeMismatch, "contains() takes strings; ListPrice is a decimal", at: 9)
        Self.expectError("tolower(BedroomsTotal) eq 'a'", .typeMismatch, "tolower() takes strings; BedroomsTotal is an integer", at: 8)
        Self.expectError("City", .typeMismatch, "City is a string; a condition must be true or false", at: 0)
        Self.expectError("'yes'", .typeMismatch, "'yes' is a string; a condition must be true or false", at: 0)
        Self.expectError("null", .typeMismatch, "null is null; a condition must be true or false", at: 0)
        Self.expectError("tolower(City)", .typeMismatch, "tolower(City) is a string; a condition must be true or false", at: 0)
        Self.expectError("not ListPrice eq 5", .typeMismatch, "not ListPrice is a condition, not a value", at: 0)
        Self.expectError("(A eq 1) eq true", .typeMismatch, "A eq 1 is a condition, not a value", at: 3)
    }

    @Test func unknownAndMisusedProperties() {
        Self.expectError("Price eq 1", .unknownProperty, "Property has no property 'Price'", at: 0)
        Self.expectError("raw eq 'x'", .unknownProperty, "Property has no property 'raw'", at: 0)
        Self.expectError("ListAgent/Price eq 1", .unknownProperty, "Member has no property 'Price'", at: 0)
        Self.expectError("Agent/MemberEmail eq 'a'", .unknownProperty, "Property has no navigation property 'Agent'", at: 0)
        Self.expectError("City/Name eq 'a'", .typeMismatch, "City is a string; it has no properties", at: 0)
        Self.expectError("Media/Order eq 1", .typeMismatch, "Media is a collection; filter it with Media/any(...) or Media/all(...)", at: 0)
        Self.expectError(
            "ListAgent eq 'a'", .typeMismatch, "ListAgent is a navigation property; name one of its properties, as in ListAgent/<property>",
            at: 0)
        Self.expectError(
            "ListAgent/any()", .typeMismatch, "ListAgent is a single Member, not a collection; any() needs a collection", at: 0)
        Self.expectError("City/any()", .typeMismatch, "City is a string, not a collection; any() needs a collection", at: 0)
        Self.expectError("Photos/any()", .unknownProperty, "Property has no property 'Photos'", at: 0)
        Self.expectError("Media/any(m: m eq 1)", .typeMismatch, "m is a range variable over records; name one of its properties", at: 13)
        Self.expectError("Media/any(m: m/Nope eq 1)", .unknownProperty, "Media has no property 'Nope'", at: 13)
        Self.expectError(
            "Media/any(m: ListAgent/Media/any(m: m/Order eq 1))", .syntax, "the lambda variable 'm' is already in use", at: 13)
        Self.expectError("ListPrice eq 1", Media.self, .unknownProperty, "Media has no property 'ListPrice'", at: 0)
    }

    @Test func withoutNavigationNothingIsNavigable() {
        #expect(throws: ODataQueryError(.unknownProperty, "Property has no navigation property 'ListAgent'", at: 0, option: "$filter")) {
            try FilterChecker<Property>().check("ListAgent/MemberEmail eq 'a'")
        }
    }

    @Test func handBuiltTreesDeeperThanTheLimitAreRefused() {
        var tree = FilterExpression.literal(.boolean(true))
        for _ in 0..<300 { tree = .not(tree) }
        #expect(throws: ODataQueryError(.limitExceeded, "the expression nests deeper than 208 levels", at: 0, option: "$filter")) {
            try FilterChecker<Property>().check(tree)
        }
    }
}
