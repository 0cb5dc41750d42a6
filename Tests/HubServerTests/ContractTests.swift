import Foundation
import HTTPTypes
import HubApp
import HubStore
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// The API contract: the document states the server's checks, and the server does what the
/// document says (read-only fields ignored, optional bodies optional, constraints enforced).
@Suite struct ContractTests {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return false }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The document's patterns say exactly what the server's own checks say.
    @Test func patternsAgreeWithTheServerChecks() {
        let phones = [
            "+1 (555) 010-2030", "12345", "1234", "+44 20 7946 0958", "555-0100 x12", "1+2345678", "123456789012345678901",
            "(0)12.34/56", "12345\n", "\u{00A0}12345", "١٢٣٤٥", "12 34 5", "",
        ]
        for phone in phones {
            #expect(Self.matches(OpenAPIDocument.phonePattern, phone) == FieldRules.isPhone(phone), "phone \(phone.debugDescription)")
        }
        let texts = ["a", " ", "\t\n", " x ", "\u{00A0}\u{2003}", "\u{200B}", "\u{1C}", "", "\u{3000}y", "\u{85}"]
        for text in texts {
            #expect(Self.matches(Schema.nonBlankPattern, text) == FieldRules.isPresent(text), "text \(text.debugDescription)")
        }
        let keys = [
            "k", "lead-1", " k", "k ", "a b", String(repeating: "x", count: 200), String(repeating: "x", count: 201), "", "é", "k\n",
        ]
        for key in keys {
            #expect(Self.matches(HubAPI.idempotencyKeyPattern, key) == HubAPI.isIdempotencyKey(key), "key \(key.debugDescription)")
        }
        for url in [
            "http://127.0.0.1:8080", "https://api.example.com/v1/", "ftp://x", "http://", "http://a b", "http://x?q=1", "http://x\n",
            "http://a:65536",
        ] {
            let accepted = (try? HubAPI.checkConnectionMembers(baseURL: url, authURL: nil, interval: nil, rate: nil)) != nil
            #expect(accepted == Self.matches(OpenAPIDocument.urlPattern, url), "url \(url.debugDescription)")
        }
    }

    @Test func documentStatesTheConstraints() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let document = harness.api.openAPIDocument()
        func parameter(_ path: String, _ method: String, _ name: String) -> JSONValue? {
            document["paths"]?[path]?[method]?["parameters"]?.array?.first { $0["name"]?.string == name }?["schema"]
        }
        #expect(parameter("/v1/contacts", "get", "per_page")?["minimum"] == .number(1))
        #expect(parameter("/v1/contacts", "get", "per_page")?["maximum"] == .number(100))
        #expect(parameter("/v1/contacts", "get", "page")?["minimum"] == .number(1))
        #expect(parameter("/v1/deliveries", "get", "limit")?["maximum"] == .number(500))
        #expect(parameter("/v1/events", "get", "limit")?["maximum"] == .number(1000))
        #expect(parameter("/v1/events", "get", "after")?["minimum"] == .number(0))
        #expect(parameter("/v1/contacts", "get", "sort")?["enum"]?.array?.contains(.string("Email")) == true)
        #expect(parameter("/v1/contacts", "get", "fields")?["items"]?["enum"]?.array?.contains(.string("raw")) == true)
        #expect(parameter("/v1/offices", "get", "expand") == nil, "offices have no relations")
        #expect(document["paths"]?["/v1/connections/{id}/sync"]?["post"]?["requestBody"]?["required"] == .bool(false))
        #expect(document["paths"]?["/v1/leads"]?["post"]?["responses"]?["404"] != nil)
        let schemas = document["components"]?["schemas"]
        #expect(schemas?["Contacts"]?["properties"]?["ContactKey"]?["readOnly"] == .bool(true))
        #expect(schemas?["Contacts"]?["properties"]?["ModificationTimestamp"]?["readOnly"] == .bool(true))
        #expect(schemas?["Contacts"]?["properties"]?["raw"]?["readOnly"] == .bool(true))
        #expect(schemas?["LeadInput"]?["properties"]?["ContentHash"]?["readOnly"] == .bool(true))
        #expect(schemas?["Connection"]?["properties"]?["created_at"]?["readOnly"] == .bool(true))
        #expect(schemas?["UnitUpdate"]?["properties"]?["status"]?["enum"] == ["AVAILABLE", "HOLD", "SOLD", "RESERVED"])
        #expect(schemas?["AddressCheck"]?["properties"]?["address"]?["maxLength"] == .number(500))
        #expect(schemas?["ConnectionInput"]?["oneOf"]?.array?.count == 5, "one credentials shape per vendor")
    }

    @Test func readOnlyFieldsAreIgnoredWhenSentBack() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let key = harness.contactKeys[0]
        let connection = harness.connectionID
        try await harness.test { client in
            // A contact read from the API (with raw) sent back as a lead.
            let read = try await client.execute(
                uri:
                    "/v1/contacts/\(key)?fields=ContactKey,FirstName,LastName,Email,ModificationTimestamp,OriginalEntryTimestamp,ContentHash,raw,ConnectionId,SourceSystemName,SourceSystemContactKey,DeletedYN",
                method: .get, headers: bearer(token))
            #expect(read.status == .ok && read.json["ContactKey"]?.string == key && read.json["raw"] != nil)
            let lead = #"{"lead":\#(read.text),"connections":["crm"]}"#
            let accepted = try await client.execute(uri: "/v1/leads", method: .post, headers: jsonHeaders(token), body: buffer(lead))
            #expect(accepted.status == .accepted, "\(accepted.text)")
            let payload = accepted.json["deliveries"]?.array?.first?["payload"]
            #expect(
                payload?["ContactKey"] == nil && payload?["raw"] == nil && payload?["ContentHash"] == nil,
                "the hub's fields are not delivered")
            #expect(payload?["Email"] == read.json["Email"])
            // Server-owned values that would not even parse are ignored too.
            let odd =
                #"{"lead":{"FirstName":"Ada","ModificationTimestamp":"yesterday","DeletedYN":"no","ContactKey":7},"connections":["crm"]}"#
            let oddAccepted = try await client.execute(uri: "/v1/leads", method: .post, headers: jsonHeaders(token), body: buffer(odd))
            #expect(oddAccepted.status == .accepted, "\(oddAccepted.text)")

            // A connection read from the API patched back as it is.
            let current = try await client.execute(uri: "/v1/connections/\(connection)", method: .get, headers: bearer(token))
            let patched = try await client.execute(
                uri: "/v1/connections/\(connection)", method: .patch, headers: jsonHeaders(token), body: buffer(current.text))
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["id"] == current.json["id"] && patched.json["created_at"] == current.json["created_at"])
        }
    }

    @Test func serverEnforcesWhatTheDocumentStates() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        let connection = harness.connectionID
        try await harness.test { client in
            func status(_ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields? = nil) async throws
                -> HTTPResponse.Status
            {
                let sent = headers ?? (body == nil ? bearer(token) : jsonHeaders(token))
                return try await client.execute(uri: uri, method: method, headers: sent, body: body.map(buffer)).status
            }
            // The sync body is optional: none, an empty one with a content type, or an object.
            #expect(try await status(.post, "/v1/connections/\(connection)/sync") == .accepted)
            try await Task.sleep(for: .milliseconds(300))
            var typed = jsonHeaders(token)
            typed[.contentLength] = "0"
            #expect(try await status(.post, "/v1/connections/\(connection)/sync", headers: typed) != .badRequest)
            #expect(try await status(.post, "/v1/connections/\(connection)/sync", body: #"{"resource":"Nope"}"#) == .badRequest)
            // Comma lists: every item known, none empty.
            #expect(try await status(.get, "/v1/contacts?fields=Email,FirstName") == .ok)
            #expect(try await status(.get, "/v1/contacts?fields=Email,") == .badRequest)
            #expect(try await status(.get, "/v1/contacts?expand=owner,") == .badRequest)
            #expect(try await status(.get, "/v1/contacts?expand=") == .ok)
            #expect(try await status(.get, "/v1/contacts?sort_order=DESC") == .badRequest)
            #expect(try await status(.get, "/v1/contacts?include_deleted=yes") == .badRequest)
            #expect(try await status(.get, "/v1/events?after=9007199254740992") == .badRequest)
            #expect(try await status(.get, "/v1/events?after=9007199254740991") == .ok)
            // Inventory routes of another vendor's connection do not exist.
            #expect(try await status(.post, "/v1/connections/\(connection)/developments/d1/publish") == .notFound)
            #expect(
                try await status(
                    .put, "/v1/connections/\(connection)/developments/d1/units/A1",
                    body: #"{"status":"AVAILABLE","price":1,"directions":[]}"#) == .notFound)
            // Idempotency keys: 1 to 200 visible ASCII characters.
            let longKey = String(repeating: "k", count: 201)
            #expect(
                try await status(
                    .post, "/v1/leads", body: #"{"lead":{"FirstName":"A"}}"#,
                    headers: jsonHeaders(token, extra: [(.idempotencyKey, longKey)])) == .badRequest)
            #expect(
                try await status(
                    .post, "/v1/leads", body: #"{"lead":{"FirstName":"A"}}"#, headers: jsonHeaders(token, extra: [(.idempotencyKey, "é")]))
                    == .badRequest)
            // A connection URL of the documented form only; other vendors' credentials conflict.
            #expect(try await status(.patch, "/v1/connections/\(connection)", body: #"{"base_url":"http://x?q=1"}"#) == .badRequest)
            #expect(
                try await status(.patch, "/v1/connections/\(connection)", body: #"{"credentials":{"api_key":"k","api_secret":"s"}}"#)
                    == .conflict)
            #expect(try await status(.patch, "/v1/connections/\(connection)", body: #"{"name":null}"#) == .badRequest)
        }
    }
}
