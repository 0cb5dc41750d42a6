import Foundation
import HTTPTypes
import HubStore
import HummingbirdTesting
import RealtyModel
import Testing

@testable import HubServer

/// `options` and `reread_interval_seconds` on connections: checked per vendor (a 422 naming
/// `options.<key>`), stored, returned by reads, changed key by key.
@Suite struct ConnectionOptionsAPITests {
    static let propq =
        #"{"vendor":"propq","name":"propq","base_url":"http://127.0.0.1:1","credentials":{"client_id":5,"client_secret":"s"}"#
    static let rule =
        "development_ids must be 1 to 200 distinct ids separated by commas (spaces around them allowed), each 1 to 64 ASCII letters, digits, '.', '_' or '-' beginning with a letter or digit: "

    @Test func invalidOptionsAreRefusedNamingTheKey() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let cases: [(String, String, String, String)] = [
                (
                    Self.propq, #"{"agency":"1"}"#, "options.agency",
                    "options.agency: unknown option agency; this vendor's options: development_ids"
                ),
                (
                    Self.propq, #"{"development_ids":"1001,,1002"}"#, "options.development_ids",
                    "options.development_ids: " + Self.rule + "an empty id (a comma at an end, or two in a row)"
                ),
                (
                    Self.propq, #"{"development_ids":"1001,1001"}"#, "options.development_ids",
                    "options.development_ids: " + Self.rule + "\"1001\" is given twice"
                ),
                (
                    Self.propq, #"{"development_ids":"10/01"}"#, "options.development_ids",
                    "options.development_ids: " + Self.rule
                        + "\"10/01\" is not an id (1 to 64 ASCII letters, digits, '.', '_' or '-', beginning with a letter or digit)"
                ),
                (Self.propq, #"{"development_ids":1001}"#, "options.development_ids", "options.development_ids must be a string"),
                (Self.propq, #"["development_ids"]"#, "options", "options must be an object of strings"),
                (
                    RequestBudgetAPITests.apimo, #"{"development_ids":"1001"}"#, "options.development_ids",
                    "options.development_ids: unknown option development_ids: this vendor's connections take no options"
                ),
            ]
            for (base, options, field, message) in cases {
                let created = try await client.execute(
                    uri: "/v1/connections", method: .post, headers: jsonHeaders(token), body: buffer(base + #","options":\#(options)}"#))
                #expect(created.status == .unprocessableContent, "\(options): \(created.text)")
                #expect(created.errorCode == "validation_failed")
                #expect(created.json["error"]?["details"]?.array?.first?["field"]?.string == field, "\(created.text)")
                #expect(created.json["error"]?["message"]?.string == message, "\(created.text)")
            }
            let none = try await client.execute(uri: "/v1/connections", method: .get, headers: bearer(token))
            #expect(none.json["value"]?.array?.count == 1, "nothing was created: \(none.text)")

            // A change naming an option of another vendor than the connection's conflicts with it.
            let other = try await client.execute(
                uri: "/v1/connections/\(harness.connectionID)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"options":{"development_ids":"1001"}}"#))
            #expect(other.status == .conflict, "\(other.text)")
            #expect(other.json["error"]?["details"]?.array?.first?["field"]?.string == "options.development_ids")
            #expect(
                other.json["error"]?["message"]?.string
                    == "options.development_ids is a propq option; this is a mycrm connection", "\(other.text)")
            let unknown = try await client.execute(
                uri: "/v1/connections/\(harness.connectionID)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"options":{"colour":"blue"}}"#))
            #expect(unknown.status == .unprocessableContent, "\(unknown.text)")
            #expect(unknown.json["error"]?["details"]?.array?.first?["field"]?.string == "options.colour")
        }
    }

    @Test func optionsAreStoredReturnedAndChangedKeyByKey() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            let created = try await client.execute(
                uri: "/v1/connections", method: .post, headers: jsonHeaders(token),
                body: buffer(Self.propq + #","options":{"development_ids":" 1001 , 1002,R-7 "},"reread_interval_seconds":3600}"#))
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["options"] == ["development_ids": "1001,1002,R-7"], "stored in its normal form: \(created.text)")
            #expect(created.json["reread_interval_seconds"]?.number == 3600)
            let id = try #require(created.json["id"]?.string)
            let fetched = try await client.execute(uri: "/v1/connections/\(id)", method: .get, headers: bearer(token))
            #expect(fetched.json["options"] == ["development_ids": "1001,1002,R-7"])
            let listed = try await client.execute(uri: "/v1/connections", method: .get, headers: bearer(token))
            let mine = listed.json["value"]?.array?.first { $0["id"]?.string == id }
            #expect(mine?["options"] == ["development_ids": "1001,1002,R-7"])
            let other = listed.json["value"]?.array?.first { $0["id"]?.string == harness.connectionID }
            #expect(other?["options"] == [:], "a connection without options shows {}")
            #expect(other?["reread_interval_seconds"] == nil, "the default cadence is not stored")

            let changed = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"options":{"development_ids":"2001"},"reread_interval_seconds":null}"#))
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.json["options"] == ["development_ids": "2001"])
            #expect(changed.json["reread_interval_seconds"] == nil)
            let removed = try await client.execute(
                uri: "/v1/connections/\(id)", method: .patch, headers: jsonHeaders(token),
                body: buffer(#"{"options":{"development_ids":null}}"#))
            #expect(removed.status == .ok, "\(removed.text)")
            #expect(removed.json["options"] == [:])
        }
    }

    @Test func invalidRereadIntervalsAreRefusedWithTheField() async throws {
        let harness = try await APIHarness.make()
        defer { Task { await harness.shutdown() } }
        let token = try await harness.token(harness.full)
        try await harness.test { client in
            for value in ["0", "9", "-60", "1.5", #""3600""#, "2592001", "true"] {
                let created = try await client.execute(
                    uri: "/v1/connections", method: .post, headers: jsonHeaders(token),
                    body: buffer(Self.propq + #","reread_interval_seconds":\#(value)}"#))
                #expect(created.status == .unprocessableContent, "\(value): \(created.text)")
                #expect(created.json["error"]?["details"]?.array?.first?["field"]?.string == "reread_interval_seconds")
                #expect(
                    created.json["error"]?["message"]?.string?.hasPrefix(
                        "reread_interval_seconds must be a whole number of seconds from 10 to 2592000; got ") == true, "\(created.text)")
                let patched = try await client.execute(
                    uri: "/v1/connections/\(harness.connectionID)", method: .patch, headers: jsonHeaders(token),
                    body: buffer(#"{"reread_interval_seconds":\#(value)}"#))
                #expect(patched.status == .unprocessableContent, "PATCH \(value): \(patched.text)")
            }
        }
    }
}
