import HubServer
import PropertyBased
import RealtyModel
import Testing

/// Property tests of the hub's list parameters and filters (`GET /v1/<resource>?…`), through the
/// same parsing and planning the route runs (`ListRequestCheck`): whatever the query string,
/// the answer is a valid plan or a 4xx error, never a crash or a 5xx. The libFuzzer harness
/// `fuzz-hub-list-query` (scripts/fuzz.sh) checks the same with coverage guidance.
@Suite struct ListQueryPropertyTests {
    /// Parameter names: every reserved one, filterable and non-filterable fields of the
    /// resources, metadata columns, unknown and odd names (empty, escaped, repeated separators).
    static let names = Gen<String?>.element(
        of: [
            "page", "per_page", "sort", "sort_order", "fields", "expand", "modified_since", "include_deleted",
            "City", "Email", "FirstName", "LastName", "ListPrice", "BedroomsTotal", "StandardStatus", "MemberKey",
            "ContactKey", "ListingKey", "OfficeKey", "SourceSystemName", "HubConnectionID", "ModificationTimestamp",
            "OriginalEntryTimestamp", "raw", "Raw", "unknown", "", "%70age", "page%00", "a+b", "ü", "[]", "=",
        ] as [String]
    ).map { $0 ?? "" }

    /// Values: numbers at and past every bound, signs, decimals, booleans, timestamps and dates
    /// (valid and not), field lists, relations, escapes, empty and control characters.
    static let values = Gen<String?>.element(
        of: [
            "", "0", "1", "2", "-1", "20", "100", "101", "1000000", "1000001", "2147483647", "9223372036854775807",
            "9223372036854775808", "-9223372036854775809", "1e3", "1.5", "NaN", "inf", "-0", "+7", " 1", "0x10",
            "true", "false", "yes", "no", "TRUE", "maybe", "asc", "desc", "DESC", "up",
            "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.123+05:30", "2026-02-30T00:00:00Z", "2026-13-01", "2026-11-22",
            "99999-01-01T00:00:00Z", "ContactKey,FirstName", ",,,", " , ", "raw", "office,agent", "owner", "lead,team,member",
            "ListPrice", "ModificationTimestamp", "%", "%zz", "%E2%82%AC", "%00", "a&b", "a=b", "\u{7F}", "ä",
            String(repeating: "9", count: 400), String(repeating: "x,", count: 200),
        ] as [String]
    ).map { $0 ?? "" }

    /// Random text from printable ASCII and the separators, for what the lists above miss.
    static let noise = Gen<Character?>
        .element(of: Array("abcXYZ019_-.,:+%&=?#[]é ") as [Character])
        .compactMap { $0 }
        .string(of: 0...40)

    @Test func structuredQueriesGiveAPlanOrAClientError() async {
        await propertyCheck(
            count: 3_000,
            input: Gen<ResourceName>.case, Self.names.array(of: 0...6), Self.values.array(of: 6)
        ) { resource, names, values in
            let query = zip(names, values).map { "\($0)=\($1)" }.joined(separator: "&")
            Self.expectPlanOrClientError(resource, query)
        }
    }

    @Test func arbitraryTextGivesAPlanOrAClientError() async {
        await propertyCheck(count: 3_000, input: Gen<ResourceName>.case, Self.noise) { resource, query in
            Self.expectPlanOrClientError(resource, query)
        }
    }

    /// Whether every name the generators use is either accepted or refused with 400, and a
    /// valid plan stays within the documented page limits.
    static func expectPlanOrClientError(_ resource: ResourceName, _ query: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch ListRequestCheck.check(resource, target: "/v1/\(resource.pathName)?\(query)") {
        case .plan(_, _, let limit, let offset):
            #expect((1...100).contains(limit), "per_page outside 1...100 for \(query)", sourceLocation: sourceLocation)
            #expect(offset >= 0 && offset < Int(Int32.max), "offset \(offset) for \(query)", sourceLocation: sourceLocation)
        case .rejected(let status, let code, let message):
            #expect(status == 400, "\(status) \(code): \(message) for \(query)", sourceLocation: sourceLocation)
            #expect(!message.isEmpty, sourceLocation: sourceLocation)
        }
    }

    /// The property above must be able to fail: known answers for a few fixed queries.
    @Test func knownQueriesGiveTheirAnswers() {
        #expect(
            ListRequestCheck.check(.contacts, target: "/v1/contacts?page=3&per_page=50&sort=LastName")
                == .plan(filters: 0, sort: "LastName", limit: 50, offset: 100))
        #expect(
            ListRequestCheck.check(.contacts, target: "/v1/contacts?page=0")
                == .rejected(status: 400, code: "invalid_request", message: "page must be a whole number from 1 to 1000000"))
        guard case .rejected(400, "invalid_query", _) = ListRequestCheck.check(.office, target: "/v1/offices?NoSuchField=1") else {
            Issue.record("an unknown filter must be refused with invalid_query")
            return
        }
    }
}
