import Foundation
import NIOHTTP1
import RealtyModel
import Testing

import enum ConnectorKit.FormEncoding

@testable import Sandbox

/// A sandbox seeded with a million records per resource: records are derived on demand, so the
/// first and the last page answer at once with exact counts, and a change is kept.
@Suite struct MillionRecordsTests {
    static let records = 1_000_000

    @Test func pagesAndChangesAMillionRecords() async throws {
        let options = SandboxOptions(
            vendors: [.pfExpert, .mycrm], settings: EmulatorSettings(records: Self.records, seed: 42), clock: .manual())
        try await withLiveSandbox(options) { sandbox, client in
            try await Self.pfExpert(sandbox, client)
            try await Self.myCRM(sandbox, client)
            if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS") })
            {
                print("MillionRecordsTests: \(line) with \(Self.records) records per resource")
            }
        }
    }

    static func pfExpert(_ sandbox: RunningSandbox, _ client: LiveClient) async throws {
        let info = try #require(sandbox.info(.pfExpert))
        let reply = try await PFSession.requestToken(client, info)
        let token = try #require(reply.json?["access_token"]?.strictString)
        let pf = PFSession(sandbox: sandbox, client: client, info: info, token: token)

        let first = try #require(try await pf.get("/leads?page=1&per_page=100").json)
        #expect(first["count"]?.strictInt == records)
        let firstIDs = (first["leads"]?.arrayValue ?? []).compactMap { $0["id"]?.strictInt }
        #expect(firstIDs == Array(1...100))

        let lastPage = records / 100
        let last = try #require(try await pf.get("/leads?page=\(lastPage)&per_page=100").json)
        #expect(last["count"]?.strictInt == records)
        let lastIDs = (last["leads"]?.arrayValue ?? []).compactMap { $0["id"]?.strictInt }
        #expect(lastIDs == Array((records - 99)...records))
        #expect(try await pf.get("/leads?page=\(lastPage + 1)&per_page=100").json?["leads"]?.arrayValue?.isEmpty == true)

        // The same record read twice is the same record (derived, deterministic).
        let again = try await pf.get("/leads/\(records)").json?["lead"]
        #expect(again == last["leads"]?.arrayValue?.last)

        let patched = try await pf.send(.PATCH, "/leads/500000", #"{"lead":{"status":"won"}}"#)
        #expect(patched.status == 200)
        #expect(try await pf.get("/leads/500000").json?["lead"]?["status"]?.strictString == "won")
        #expect(try await pf.send(.DELETE, "/leads/3").status == 204)
        let afterDelete = try #require(try await pf.get("/leads?page=1&per_page=3").json)
        #expect(afterDelete["count"]?.strictInt == records - 1)
        #expect((afterDelete["leads"]?.arrayValue ?? []).compactMap { $0["id"]?.strictInt } == [1, 2, 4])
    }

    static func myCRM(_ sandbox: RunningSandbox, _ client: LiveClient) async throws {
        let info = try #require(sandbox.info(.mycrm))
        func call(_ method: HTTPMethod, _ parameters: [(String, String)]) async throws -> JSONValue {
            let encoded = String(decoding: FormEncoding.encode(parameters), as: UTF8.self)
            let reply =
                method == .GET
                ? try await client.get(info.baseURL + "/webservice.php?" + encoded)
                : try await client.send(
                    .POST, info.baseURL + "/webservice.php",
                    headers: [("Content-Type", "application/x-www-form-urlencoded")], body: encoded)
            return try #require((try? JSONValue(parsing: reply.text)), "not JSON: \(reply.text)")
        }
        let userName = try #require(info.credentials["username"])
        let accessKey = try #require(info.credentials["access_key"])
        let challenge = try await call(.GET, [("operation", "getchallenge"), ("username", userName)])
        let token = try #require(challenge.result?["token"]?.strictString)
        let login = try await call(
            .POST, [("operation", "login"), ("username", userName), ("accessKey", MyCRMAuthState.md5Hex(token + accessKey))])
        let session = try #require(login.result?["sessionName"]?.strictString)
        func query(_ text: String) async throws -> [JSONValue] {
            try #require(try await call(.GET, [("operation", "query"), ("sessionName", session), ("query", text)]).result?.arrayValue)
        }

        #expect(try await query("select count(*) from Leads;") == [MyCRMWire.object([("count", .string(String(records)))])])
        #expect(try await query("select count(*) from Contacts;") == [MyCRMWire.object([("count", .string(String(records)))])])
        let first = try await query("select id, lastname from Leads limit 0, 100;")
        #expect(first.count == 100)
        #expect(first.first?["id"]?.strictString == "10x1")
        let last = try await query("select id, lastname from Leads limit \(records - 100), 100;")
        #expect(last.count == 100)
        #expect(last.last?["id"]?.strictString == "10x\(records)")
        #expect(try await query("select id from Leads limit \(records), 100;").isEmpty)

        let element = #"{"id":"10x500000","description":"Called back."}"#
        let revised = try await call(
            .POST, [("operation", "revise"), ("sessionName", session), ("element", element)])
        #expect(revised.result?["description"]?.strictString == "Called back.")
        let retrieved = try await call(.GET, [("operation", "retrieve"), ("sessionName", session), ("id", "10x500000")])
        #expect(retrieved.result?["description"]?.strictString == "Called back.")
        #expect(try await query("select count(*) from Leads;") == [MyCRMWire.object([("count", .string(String(records)))])])
    }
}

@Suite struct PFExpertTimeFormatTests {
    @Test func formatsLikeISO8601() {
        for seconds in [0, 951_782_400, 1_704_067_200, 1_709_251_199, 1_735_689_599, 4_102_444_800, 1_234_567_890] {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(PFExpertTime.format(date) == date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)))
        }
    }
}
