import Foundation
import HTTPTypes
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// Generated `$filter` texts (and some other options) through the real `/odata` route over the
/// SQLite store: whatever the text, the answer is a 2xx or a 4xx in OData's error format,
/// never a 5xx (valid OData the hub does not serve is a 400 with code `not_supported`).
@Suite struct ODataFilterFuzzTests {
    /// SplitMix64: a small seeded generator, so a failure can be replayed from its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let properties = [
        "City", "ListPrice", "BedroomsTotal", "ListingKey", "ListingId", "NewConstructionYN", "ModificationTimestamp", "PublicRemarks",
        "ListAgentKey", "DeletedYN", "ContentHash", "ListAgent/MemberFirstName", "ListAgent/MemberLanguages", "ListOffice/OfficeName",
        "Media", "ListAgent", "m/Order", "m/MediaCategory", "m", "x", "city", "Unknown", "raw", "Latitude", "Development/UnitsTotal",
    ]
    static let operators = ["eq", "ne", "gt", "ge", "lt", "le", "has", "in", "and", "or", "not", "add", "sub", "EQ"]
    static let literals = [
        "'Paris'", "'O''Neill'", "''", "'", "'unterminated", "0", "-1", "3", "250000.5", "1E+5", "1e400", "9223372036854775808", "-0",
        "true", "false", "null", "2024-01-01", "2024-02-30", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123456789012+01:00",
        "2024-01-01T00:00:00", "now()", "('a','b')", "()", "(1,2,3)", "duration'P1D'", "X'00'", "NaN", "INF", "12:00:00",
    ]
    static let functions = [
        "contains", "startswith", "endswith", "tolower", "toupper", "length", "trim", "substring", "year", "round", "geo.distance", "cast",
        "isof",
    ]
    static let punctuation = ["(", ")", ",", "/", ":", "'", " ", "  ", "\t", "$", "@", "%", "*", "-", ".", "+", "é", "😀", "\u{0}"]

    static func pick<T>(_ items: [T], _ generator: inout SeededGenerator) -> T {
        items[Int.random(in: 0..<items.count, using: &generator)]
    }

    /// Properties with literals of their type, so that about half the leaves check.
    static let typed: [(properties: [String], literals: [String])] = [
        (
            ["City", "ListingId", "PublicRemarks", "ListAgent/MemberFirstName", "ListOffice/OfficeName", "m/MediaCategory"],
            ["'Paris'", "'O''Neill'", "''", "'é😀'"]
        ),
        (["ListPrice", "BedroomsTotal", "Latitude", "m/Order"], ["0", "-1", "3", "250000.5", "1E+5", "-0.0"]),
        (["NewConstructionYN", "DeletedYN"], ["true", "false", "null"]),
        (
            ["ModificationTimestamp", "ListAgent/ModificationTimestamp"],
            ["2024-01-01T00:00:00Z", "2030-12-31T23:59:59.999-09:00", "now()"]
        ),
    ]

    /// A comparison that type-checks (unless it names a range variable outside its lambda).
    static func typedComparison(_ generator: inout SeededGenerator) -> String {
        let (names, values) = pick(typed, &generator)
        let op = pick(["eq", "ne", "gt", "ge", "lt", "le"], &generator)
        return "\(pick(names, &generator)) \(op) \(pick(values, &generator))"
    }

    /// A mostly well-formed expression, nested up to `depth`.
    static func expression(_ depth: Int, _ generator: inout SeededGenerator) -> String {
        if Bool.random(using: &generator) {
            return depth > 0 && Bool.random(using: &generator)
                ? "\(typedComparison(&generator)) \(pick(["and", "or"], &generator)) \(expression(depth - 1, &generator))"
                : typedComparison(&generator)
        }
        let choice = Int.random(in: 0..<(depth > 0 ? 9 : 5), using: &generator)
        switch choice {
        case 0, 1: return "\(pick(properties, &generator)) \(pick(operators, &generator)) \(pick(literals, &generator))"
        case 2: return "\(pick(functions, &generator))(\(pick(properties, &generator)),\(pick(literals, &generator)))"
        case 3: return "\(pick(properties, &generator)) in (\(pick(literals, &generator)),\(pick(literals, &generator)))"
        case 4: return pick(properties, &generator)
        case 5: return "not (\(expression(depth - 1, &generator)))"
        case 6:
            return "\(expression(depth - 1, &generator)) \(pick(["and", "or"], &generator)) \(expression(depth - 1, &generator))"
        case 7:
            let collection = pick(["Media", "ListAgent/MemberLanguages", "City", "Media/any(y:y/Order gt 1)"], &generator)
            return "\(collection)/\(pick(["any", "all"], &generator))(m: \(expression(depth - 1, &generator)))"
        default: return "(\(expression(depth - 1, &generator)))"
        }
    }

    /// Random tokens glued together, well formed or not.
    static func noise(_ generator: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: text += pick(properties, &generator)
            case 1: text += pick(operators, &generator)
            case 2: text += pick(literals, &generator)
            case 3: text += pick(functions, &generator)
            default: text += pick(punctuation, &generator)
            }
            if Bool.random(using: &generator) { text += " " }
        }
        return text
    }

    /// A query string: a `$filter` (expression or noise) and sometimes other options.
    static func query(_ generator: inout SeededGenerator) -> String {
        let filter = Int.random(in: 0..<3, using: &generator) == 0 ? noise(&generator) : expression(3, &generator)
        var parts = ["$filter=" + ODataQueryString.percentEncode(filter)]
        if Int.random(in: 0..<4, using: &generator) == 0 {
            let extra = pick(
                [
                    "$orderby=City desc,ListPrice", "$orderby=ListAgent/MemberFirstName", "$select=City,ListPrice", "$select=Media",
                    "$top=2", "$skip=1", "$count=true", "$expand=ListAgent,Media", "$expand=Nope",
                    "$orderby=" + pick(properties, &generator),
                    "$top=-1", "$filter=City eq 'x'", "$format=xml", "%", "$apply=groupby((City))",
                ], &generator)
            parts.append(extra.replacingOccurrences(of: " ", with: "%20"))
        }
        if Int.random(in: 0..<20, using: &generator) == 0 { parts.append("%" + pick(["", "z", "4", "C3"], &generator)) }
        return parts.joined(separator: "&")
    }

    @Test func generatedFiltersNeverFailTheServer() async throws {
        let fixture = try await ODataFixture.make()
        defer { Task { await fixture.harness.shutdown() } }
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SeededGenerator(state: seed)
        let uris = (0..<5_000).map { _ in
            "/odata/\(Bool.random(using: &generator) ? "Property" : "Property/$count")?\(Self.query(&generator))"
        }
        try await fixture.harness.test { client in
            var statuses: [Int: Int] = [:]
            for uri in uris {
                let answer = try await OData.get(client, uri, token: fixture.token)
                statuses[answer.status.code, default: 0] += 1
                let code = answer.status.code
                #expect(code < 500, "seed \(seed): \(uri) answered \(code): \(answer.text)")
                if code >= 400 {
                    #expect(OData.error(answer).code != nil, "seed \(seed): \(uri): \(answer.text)")
                    #expect(answer.headers[.odataVersion] != nil)
                }
            }
            #expect((statuses[200] ?? 0) > 100, "some generated filters are valid: \(statuses)")
            #expect((statuses[400] ?? 0) > 100, "and many are not: \(statuses)")
        }
    }
}
