import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RealtyModel
import Testing

import enum ConnectorKit.FormEncoding
import struct ConnectorKit.VendorHTTPConfiguration

@testable import Sandbox

/// The MyCRM emulator served on loopback by the sandbox runner, driven over real HTTP the way a
/// connector would drive it.
@Suite struct MyCRMLiveTests {
    private struct Live {
        let http: HTTPClient
        let baseURL: String

        func call(
            _ method: HTTPMethod, path: String = "/webservice.php", query: [(String, String)] = [],
            form: [(String, String)]? = nil, json: String? = nil
        ) async throws -> JSONValue {
            var request = HTTPClientRequest(
                url: baseURL + path + (query.isEmpty ? "" : "?" + String(decoding: FormEncoding.encode(query), as: UTF8.self)))
            request.method = method
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: String(decoding: FormEncoding.encode(form), as: UTF8.self)))
            } else if let json {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: json))
            }
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 4 << 20)
            let text = String(buffer: body)
            return try #require((try? JSONValue(parsing: text)), "not JSON: \(text)")
        }
    }

    @Test func connectorStyleSession() async throws {
        let clock = SandboxClock.manual()
        let options = SandboxOptions(
            vendors: [.mycrm], settings: EmulatorSettings(records: 20), clock: clock,
            emulatorTypes: [.mycrm: MyCRMEmulator.self]
        )
        let http = VendorHTTPConfiguration.standard.makeClient()
        do {
            try await SandboxRunner.withSandbox(options) { sandbox in
                let info = try #require(sandbox.info(.mycrm))
                let live = Live(http: http, baseURL: info.baseURL)
                let userName = try #require(info.credentials["username"])
                let accessKey = try #require(info.credentials["access_key"])

                let challenge = try await live.call(.GET, query: [("operation", "getchallenge"), ("username", userName)])
                let token = try #require(challenge.result?["token"]?.strictString)
                let login = try await live.call(
                    .POST,
                    form: [
                        ("operation", "login"), ("username", userName), ("accessKey", MyCRMAuthState.md5Hex(token + accessKey)),
                    ])
                let session = try #require(login.result?["sessionName"]?.strictString)

                let count = try await live.call(
                    .GET,
                    query: [
                        ("operation", "query"), ("sessionName", session), ("query", "select count(*) from Contacts;"),
                    ])
                #expect(count.result == .array([MyCRMWire.object([("count", .string("20"))])]))

                let element = #"{"firstname":"Web","lastname":"Lead","email":"web.lead@example.com","assigned_user_id":"19x1"}"#
                let created = try await live.call(
                    .POST,
                    form: [
                        ("operation", "create"), ("sessionName", session), ("elementType", "Leads"), ("element", element),
                    ])
                let id = try #require(created.result?["id"]?.strictString)
                let writes = sandbox.writeLog.entries(vendor: .mycrm, operation: .create)
                #expect(writes.map(\.id) == [id])
                #expect(writes.first?.keys["email"] == "web.lead@example.com")

                // Control API: advance the shared clock and change two contacts inside the CRM.
                let since = Int(clock.now.timeIntervalSince1970)
                _ = try await live.call(.POST, path: "/_sandbox/clock", json: #"{"advance":"2m"}"#)
                let mutated = try await live.call(
                    .POST, path: "/_sandbox/control",
                    json: #"{"op":"mutate","resource":"contacts","count":2}"#)
                let mutatedIDs = Set(try #require(mutated["ids"]?.arrayValue).compactMap(\.strictString))
                #expect(mutatedIDs.count == 2)

                let sync = try await live.call(
                    .GET,
                    query: [
                        ("operation", "sync"), ("sessionName", session), ("modifiedTime", String(since)),
                        ("elementType", "Contacts"), ("syncType", "application"),
                    ])
                let updated = Set(try #require(sync.result?["updated"]?.arrayValue).compactMap { $0["id"]?.strictString })
                #expect(updated == mutatedIDs)

                // The session idles out on the shared clock.
                _ = try await live.call(.POST, path: "/_sandbox/clock", json: #"{"advance":"31m"}"#)
                let idle = try await live.call(.GET, query: [("operation", "listtypes"), ("sessionName", session)])
                #expect(idle.errorCode == "SESSION_LEFT_IDLE")

                let address = try await live.call(.GET, path: "/fcc", query: [("address", "1 Main Street Miami, FL")])
                #expect(address["result_count"] == .int(1))
            }
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
