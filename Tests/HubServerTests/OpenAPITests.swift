import Foundation
import HTTPTypes
import HubApp
import HubStore
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// The OpenAPI document: kept in the repository, covering every route, and describing what
/// the routes really answer.
@Suite struct OpenAPITests {
    static let repositoryCopy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.json")

    /// `docs/openapi.json` is the served document. To refresh it after changing a route:
    /// `REALTYHUB_UPDATE_OPENAPI=1 swift test --filter OpenAPITests`.
    @Test func repositoryCopyMatchesTheServedDocument() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let document = harness.api.openAPIDocument()
        if ProcessInfo.processInfo.environment["REALTYHUB_UPDATE_OPENAPI"] == "1" {
            let object = try JSONSerialization.jsonObject(with: Data(document.jsonText.utf8))
            let pretty = try JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try (pretty + Data("\n".utf8)).write(to: Self.repositoryCopy)
        }
        let stored = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: Self.repositoryCopy))
        #expect(stored == document, "docs/openapi.json is stale: REALTYHUB_UPDATE_OPENAPI=1 swift test --filter OpenAPITests")
        try await harness.test { client in
            let served = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(served.json == document)
        }
    }

    @Test func everyRouteIsDocumented() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let (_, specs) = harness.api.build()
        let document = harness.api.openAPIDocument()
        var operations = Set<String>()
        for spec in specs {
            let operation = try #require(document["paths"]?[spec.path]?[spec.method.rawValue.lowercased()], "\(spec.method) \(spec.path)")
            #expect(operations.insert(spec.operationID).inserted, "operation ids are unique: \(spec.operationID)")
            #expect(operation["responses"]?[String(spec.replies.first?.status ?? 0)] != nil)
            let declared = Set(spec.parameters.filter { $0.location == .path }.map(\.name))
            let inTemplate = Set(spec.path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
            #expect(declared == inTemplate, "\(spec.path) declares its path parameters")
            if spec.scope != nil {
                #expect(
                    operation["responses"]?["401"] != nil && operation["responses"]?["403"] != nil, "\(spec.path) documents auth failures")
            }
        }
        // Every $ref resolves.
        let text = document.jsonText
        var searchRange = text.startIndex..<text.endIndex
        while let range = text.range(of: "#/components/schemas/", range: searchRange) {
            let nameEnd = text[range.upperBound...].firstIndex(of: "\"") ?? text.endIndex
            let name = String(text[range.upperBound..<nameEnd])
            #expect(document["components"]?["schemas"]?[name] != nil, "schema \(name) exists")
            searchRange = nameEnd..<text.endIndex
        }
    }

    /// Drives most routes, success and failure, and validates every response body against the
    /// schema the document gives for its route and status.
    @Test func responsesValidateAgainstTheDocument() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let (_, specs) = harness.api.build()
        let document = harness.api.openAPIDocument()
        let token = try await harness.token(harness.full)
        let readerToken = try await harness.token(harness.reader)
        let key = harness.contactKeys[0]
        let connection = harness.connectionID

        try await harness.test { client in
            var checked = 0
            func check(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil) async throws
                -> TestResponse
            {
                let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map(buffer))
                let path = String(uri.split(separator: "?", maxSplits: 1)[0])
                guard let spec = specs.first(where: { $0.method == method && $0.matches(path) }) else {
                    Issue.record("no documented route for \(method) \(path)")
                    return response
                }
                let operation = document["paths"]?[spec.path]?[method.rawValue.lowercased()]
                guard let reply = operation?["responses"]?[String(response.status.code)] else {
                    Issue.record("\(method) \(uri) answered \(response.status.code), which is not documented: \(response.text)")
                    return response
                }
                if let schema = reply["content"]?["application/json"]?["schema"] {
                    let errors = SchemaValidator(document: document).validate(response.json, against: schema, at: "$")
                    #expect(errors.isEmpty, "\(method) \(uri) \(response.status.code): \(errors.joined(separator: "; "))")
                    checked += 1
                }
                return response
            }
            let auth = bearer(token)
            _ = try await check(.get, "/health")
            _ = try await check(.get, "/v1/contacts?per_page=5&expand=owner", headers: auth)
            _ = try await check(.get, "/v1/contacts?fields=Email,raw", headers: auth)
            _ = try await check(.get, "/v1/contacts/\(key)", headers: auth)
            _ = try await check(.get, "/v1/contacts/nope", headers: auth)
            _ = try await check(.get, "/v1/contacts?per_page=1000", headers: auth)
            _ = try await check(.get, "/v1/members", headers: auth)
            _ = try await check(.get, "/v1/members", headers: bearer(readerToken))
            _ = try await check(.get, "/v1/members")
            _ = try await check(.get, "/v1/properties", headers: auth)
            _ = try await check(.get, "/v1/events?after=0", headers: auth)
            _ = try await check(.get, "/v1/connections", headers: auth)
            _ = try await check(.get, "/v1/connections/\(connection)", headers: auth)
            _ = try await check(
                .patch, "/v1/connections/\(connection)", headers: jsonHeaders(token), body: #"{"sync_interval_seconds":120}"#)
            _ = try await check(
                .post, "/v1/connections", headers: jsonHeaders(token),
                body: #"{"vendor":"mycrm","name":"crm","base_url":"http://127.0.0.1:1","credentials":{"username":"a","access_key":"b"}}"#)
            // A daily budget: the answer carries request_budget; a wrong value is a 422.
            _ = try await check(
                .post, "/v1/connections", headers: jsonHeaders(token),
                body:
                    #"{"vendor":"apimo","name":"apimo","base_url":"http://127.0.0.1:1","credentials":{"provider":"7","token":"t"},"daily_requests":500,"delivery_reserve_percent":10}"#
            )
            _ = try await check(
                .patch, "/v1/connections/\(connection)", headers: jsonHeaders(token), body: #"{"daily_requests":0}"#)
            _ = try await check(.get, "/v1/sync-runs", headers: auth)
            let lead = #"{"lead":{"FirstName":"Ada","Email":"ada@example.com"},"connections":["crm"]}"#
            let accepted = try await check(.post, "/v1/leads", headers: jsonHeaders(token, extra: [(.idempotencyKey, "k")]), body: lead)
            _ = try await check(
                .post, "/v1/leads", headers: jsonHeaders(token, extra: [(.idempotencyKey, "k")]),
                body: lead.replacingOccurrences(of: "Ada", with: "Eve"))
            _ = try await check(.post, "/v1/leads", headers: jsonHeaders(token), body: #"{"lead":{"Email":"nope"},"connections":["crm"]}"#)
            _ = try await check(.post, "/v1/leads", headers: jsonHeaders(token), body: "[")
            let id = accepted.json["deliveries"]?.array?.first?["id"]?.string ?? "x"
            _ = try await check(.get, "/v1/deliveries", headers: auth)
            _ = try await check(.get, "/v1/deliveries/\(id)", headers: auth)
            _ = try await check(.post, "/v1/deliveries/\(id)/retry", headers: auth)
            _ = try await check(
                .put, "/v1/connections/\(connection)/developments/d1/units/A1", headers: jsonHeaders(token),
                body: #"{"status":"AVAILABLE","price":100,"directions":["N"]}"#)
            _ = try await check(.post, "/v1/connections/\(connection)/developments/d1/publish", headers: auth)
            _ = try await check(.post, "/v1/connections/\(connection)/address-check", headers: jsonHeaders(token), body: #"{"address":""}"#)
            _ = try await check(.delete, "/v1/connections/nope", headers: auth)
            #expect(checked >= 25)
        }
    }
}

/// A JSON Schema checker for the subset the hub's document uses: `$ref`, `type` (one or a
/// list), `properties`, `required`, `additionalProperties: false`, `items`, `enum`, `const`,
/// `anyOf`, and the `date-time` format.
struct SchemaValidator {
    let document: JSONValue

    func validate(_ value: JSONValue, against schema: JSONValue, at path: String) -> [String] {
        if let reference = schema["$ref"]?.string {
            let name = reference.replacingOccurrences(of: "#/components/schemas/", with: "")
            guard let target = document["components"]?["schemas"]?[name] else { return ["\(path): unresolved \(reference)"] }
            return validate(value, against: target, at: path)
        }
        var errors: [String] = []
        if let type = schema["type"] {
            let allowed = type.array?.compactMap(\.string) ?? [type.string].compactMap { $0 }
            guard allowed.contains(where: { Self.matches(value, type: $0) }) else {
                return ["\(path): expected \(allowed.joined(separator: " or ")), got \(value.jsonText.prefix(60))"]
            }
        }
        if let alternatives = schema["anyOf"]?.array {
            let failures = alternatives.map { validate(value, against: $0, at: path) }
            if !failures.contains(where: \.isEmpty) { errors.append("\(path): matches none of anyOf: \(failures.flatMap { $0 })") }
        }
        if let constant = schema["const"], constant != value {
            errors.append("\(path): \(value.jsonText) is not \(constant.jsonText)")
        }
        if let choices = schema["enum"]?.array, !choices.contains(value) {
            errors.append("\(path): \(value.jsonText) is not one of \(JSONValue.array(choices).jsonText)")
        }
        if schema["format"]?.string == "date-time", let text = value.string, Timestamp.parse(text) == nil {
            errors.append("\(path): \(text) is not a date-time")
        }
        if case .object(let members) = value {
            let properties: [String: JSONValue]
            if case .object(let declared)? = schema["properties"] { properties = declared } else { properties = [:] }
            for name in schema["required"]?.array?.compactMap(\.string) ?? [] where members[name] == nil {
                errors.append("\(path): missing required \(name)")
            }
            for (name, member) in members {
                if let property = properties[name] {
                    errors += validate(member, against: property, at: "\(path).\(name)")
                } else if schema["additionalProperties"] == .bool(false) {
                    errors.append("\(path): undocumented member \(name)")
                }
            }
        }
        if case .array(let items) = value, let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() { errors += validate(item, against: itemSchema, at: "\(path)[\(index)]") }
        }
        return errors
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number):
            return true
        case ("integer", .number(let number)): return number.int64Value != nil
        default: return false
        }
    }
}
