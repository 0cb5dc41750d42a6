import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import RealtyModel
import Testing

@testable import Sandbox

/// One Boston Logic emulator on a manual clock, driven in-process through Hummingbird's router tests.
struct BostonLogicHarness {
    let clock: SandboxClock
    let writeLog: WriteLog
    let emulator: BostonLogicEmulator
    let seed: UInt64

    init(records: Int = 8, seed: UInt64 = 9) {
        self.seed = seed
        clock = .manual()
        writeLog = WriteLog(clock: clock)
        emulator = BostonLogicEmulator(settings: EmulatorSettings(records: records, seed: seed), clock: clock, writeLog: writeLog)
    }

    var demoKey: String { emulator.demoCredentials["api_key"] ?? "" }
    var demoHost: String { emulator.demoCredentials["host"] ?? "" }
    var readOnlyKey: String { BostonLogicState.readOnlyKey(seed: seed) }
    var secondKey: String { BostonLogicState.secondKey(seed: seed) }

    func run(_ body: @Sendable @escaping (BostonLogicClient) async throws -> Void) async throws {
        let router = Router(context: SandboxRequestContext.self)
        emulator.addRoutes(to: router)
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await body(BostonLogicClient(client: client, key: demoKey, host: "\(demoHost):8080"))
        }
    }
}

struct BostonLogicReply: Sendable {
    var status: HTTPResponse.Status
    var json: JSONValue

    subscript(key: String) -> JSONValue? { json[key] }
    var data: JSONValue? { json["data"] }
    var errors: [String] { json["errors"]?.arrayValue?.compactMap(\.strictString) ?? [] }
}

struct BostonLogicClient: Sendable {
    let client: any TestClientProtocol
    let key: String
    let host: String

    func send(
        _ method: HTTPRequest.Method, _ path: String, key: String? = nil, host: String? = nil, body: JSONValue? = nil,
        rawBody: String? = nil, contentType: String? = "application/json"
    ) async throws -> BostonLogicReply {
        var headers: HTTPFields = [:]
        if let name = HTTPField.Name("X-BL-API-Key") { headers[name] = key ?? self.key }
        if let name = HTTPField.Name("Host") { headers[name] = host ?? self.host }
        if let contentType { headers[.contentType] = contentType }
        let payload = rawBody ?? body?.jsonText
        let response = try await client.executeRequest(
            uri: path, method: method, headers: headers, body: payload.map { ByteBuffer(string: $0) })
        let json = (try? JSONValue(parsing: Data(String(buffer: response.body).utf8))) ?? .null
        return BostonLogicReply(status: response.status, json: json)
    }
}

@Suite struct BostonLogicAuthTests {
    @Test func keyIsBoundToTheHostItWasIssuedFor() async throws {
        let harness = BostonLogicHarness()
        try await harness.run { client in
            let ok = try await client.send(.get, "/api/v2/offices")
            #expect(ok.status == .ok)
            #expect(ok["status"] == "success")
            #expect(ok["message"] == "Offices retrieved")
            #expect(ok.data?.arrayValue?.count == 8)
            #expect(ok["errors"] == nil)

            let otherHost = try await client.send(.get, "/api/v2/offices", host: BostonLogicState.secondHost)
            #expect(otherHost.status == .unauthorized)
            #expect(otherHost["status"] == "unauthorized")
            #expect(otherHost["data"] == nil)
            #expect(otherHost.errors == ["API Key is not valid for this domain"])

            let secondOnDemo = try await client.send(.get, "/api/v2/offices", key: harness.secondKey)
            #expect(secondOnDemo.status == .unauthorized)
            let secondOnItsHost = try await client.send(
                .get, "/api/v2/offices", key: harness.secondKey, host: BostonLogicState.secondHost)
            #expect(secondOnItsHost.status == .ok)

            let missing = try await client.send(.get, "/api/v2/offices", key: "")
            #expect(missing.status == .unauthorized)
            #expect(missing.errors == ["X-BL-API-Key header is missing"])
            #expect(try await client.send(.get, "/api/v2/offices", key: "wrong").status == .unauthorized)
        }
    }

    @Test func hostsAreComparedWithoutPortAndCase() {
        #expect(BostonLogicState.normalizedHost("LOCALHOST:8080") == "localhost")
        #expect(BostonLogicState.normalizedHost("[::1]:9000") == "[::1]")
        #expect(BostonLogicState.normalizedHost("::1") == "[::1]")
        #expect(BostonLogicState.normalizedHost("www.second-brokerage.test.") == "www.second-brokerage.test")
    }

    @Test func readOnlyKeyReadsButCannotWriteOrDeleteAnswering401AsDocumented() async throws {
        let harness = BostonLogicHarness()
        try await harness.run { client in
            #expect(try await client.send(.get, "/api/v2/agents", key: harness.readOnlyKey).status == .ok)
            #expect(try await client.send(.get, "/api/v2/offices/1", key: harness.readOnlyKey).status == .ok)
            let create = try await client.send(.post, "/api/v2/offices", key: harness.readOnlyKey, body: ["name": "New Office"])
            #expect(create.status == .unauthorized)
            #expect(create["status"] == "unauthorized")
            #expect(create["message"] == "Office not created")
            #expect(create.errors == ["API Key does not have permissions to create offices"])
            let update = try await client.send(.patch, "/api/v2/leads/1", key: harness.readOnlyKey, body: ["status": "closed"])
            #expect(update.errors == ["API Key does not have permissions to update leads"])
            let delete = try await client.send(.delete, "/api/v2/agents/1", key: harness.readOnlyKey)
            #expect(delete.status == .unauthorized)
            #expect(delete.errors == ["API Key does not have permissions to delete agents"])
        }
        #expect(harness.writeLog.entries(vendor: .bostonLogic).isEmpty)
    }

    @Test func onlyJSONRequestsAreServed() async throws {
        let harness = BostonLogicHarness()
        try await harness.run { client in
            let text = try await client.send(
                .post, "/api/v2/leads", rawBody: "email=a@b.com", contentType: "application/x-www-form-urlencoded")
            #expect(text.status == .notAcceptable)
            #expect(text["status"] == "failure")
            let noType = try await client.send(.post, "/api/v2/leads", rawBody: #"{"email":"a@b.com"}"#, contentType: nil)
            #expect(noType.status == .notAcceptable)
            #expect(try await client.send(.get, "/api/v2/leads", contentType: nil).status == .ok)
            let broken = try await client.send(.post, "/api/v2/leads", rawBody: #"{"email": "#)
            #expect(broken.status == .badRequest)
            #expect(broken["message"] == "Lead not created")
            #expect(try await client.send(.post, "/api/v2/leads", body: ["a", "b"]).status == .badRequest)
        }
    }

    @Test func unknownPathsAndUnservedMethodsAreRoutingNotFound() async throws {
        let harness = BostonLogicHarness()
        try await harness.run { client in
            let unknown = try await client.send(.get, "/api/v2/nothing")
            #expect(unknown.status == .notFound)
            #expect(unknown["status"] == "failure")
            let readOnlyResource = try await client.send(.post, "/api/v2/property_views", body: ["mls_id": "A"])
            #expect(readOnlyResource.status == .notFound)
            #expect(readOnlyResource.errors == ["No route matches [POST] /api/v2/property_views"])
            let missing = try await client.send(.get, "/api/v2/agents/424242")
            #expect(missing.status == .notFound)
            #expect(missing["message"] == "Agent not retrieved")
        }
    }
}

@Suite struct BostonLogicWriteTests {
    @Test func officeCreateAndTheDocumentedUniqueNameError() async throws {
        let harness = BostonLogicHarness()
        try await harness.run { client in
            let created = try await client.send(.post, "/api/v2/offices", body: ["office": ["name": "Back Bay HQ", "city": "Boston"]])
            #expect(created.status == .created)
            #expect(created["message"] == "Office created")
            #expect(created.data?["name"] == "Back Bay HQ")
            #expect(created.data?["active"] == true)
            let id = try #require(created.data?["id"]?.strictInt)
            #expect(created.data?["path"] == .string("/api/v2/offices/\(id)"))
            let duplicate = try await client.send(.post, "/api/v2/offices", body: ["name": "back bay hq"])
            #expect(duplicate.status == .unprocessableContent)
            #expect(duplicate["message"] == "Office not created")
            #expect(duplicate.errors == ["Office name must be unique"])
            #expect(duplicate["data"] == nil)
            let shown = try await client.send(.get, "/api/v2/offices/\(id)")
            #expect(shown.data?["name"] == "Back Bay HQ")
        }
        #expect(harness.writeLog.entries(vendor: .bostonLogic, resource: "offices").map(\.operation) == [.create])
    }

    @Test func leadCreatePatchDeleteRoundTripInTheWriteLog() async throws {
        let harness = BostonLogicHarness()
        let agents = try await harness.emulator.control(.list(resource: "agents"))
        let agent = try #require(agents.records?.first)
        let agentEmail = try #require(agent["email"]?.strictString)
        try await harness.run { client in
            let created = try await client.send(
                .post, "/api/v2/leads",
                body: [
                    "first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com",
                    "phone": "+16175550100", "agent_email": .string(agentEmail), "utm_source": "google",
                ])
            #expect(created.status == .created)
            let id = try #require(created.data?["id"]?.strictInt)
            #expect(created.data?["agent_id"] == agent["id"])
            #expect(created.data?["owner_type"] == "Agent")
            #expect(created.data?["status"] == "new")

            let found = try await client.send(.get, "/api/v2/leads?email=GRACE.HOPPER@example.com")
            #expect(found.data?.arrayValue?.map { $0["id"] } == [.int(id)])

            harness.clock.advance(by: .seconds(60))
            let patched = try await client.send(.patch, "/api/v2/leads/\(id)", body: ["status": "contacted", "agent_id": nil])
            #expect(patched.status == .ok)
            #expect(patched["message"] == "Lead updated")
            #expect(patched.data?["status"] == "contacted")
            #expect(patched.data?["owner_type"] == .null)
            #expect(patched.data?["updated_at"] != created.data?["updated_at"])
            let put = try await client.send(.put, "/api/v2/leads/\(id)", body: ["lead": ["last_name": "Hopper-Murray"]])
            #expect(put.data?["last_name"] == "Hopper-Murray")
            #expect(put.data?["first_name"] == "Grace")

            let deleted = try await client.send(.delete, "/api/v2/leads/\(id)")
            #expect(deleted.status == .ok)
            #expect(deleted["message"] == "Lead deleted")
            #expect(deleted.data?["id"] == .int(id))
            #expect(try await client.send(.get, "/api/v2/leads/\(id)").status == .notFound)
            #expect(try await client.send(.patch, "/api/v2/leads/\(id)", body: ["status": "new"]).status == .notFound)
        }
        let writes = harness.writeLog.entries(vendor: .bostonLogic, resource: "leads")
        #expect(writes.map(\.operation) == [.create, .update, .update, .delete])
        #expect(writes.first?.keys["email"] == "grace.hopper@example.com")
        #expect(writes.first?.keys["phone"] == "+16175550100")
        #expect(writes.first?.body["utm_source"] == "google")
    }

    /// Employees and teams are written like agents and offices (the 2016 release names all four).
    @Test func employeeAndTeamCreatePatchDelete() async throws {
        let harness = BostonLogicHarness()
        try await harness.run { client in
            let employee = try await client.send(
                .post, "/api/v2/employees",
                body: ["first_name": "Front", "last_name": "Desk", "email": "front.desk@example.com", "title": "Office Manager"])
            #expect(employee.status == .created)
            #expect(employee["message"] == "Employee created")
            #expect(employee.data?["active"] == true)
            let employeeID = try #require(employee.data?["id"]?.strictInt)
            let duplicate = try await client.send(
                .post, "/api/v2/employees", body: ["first_name": "A", "last_name": "B", "email": "FRONT.DESK@example.com"])
            #expect(duplicate.errors == ["Employee email must be unique"])
            let patched = try await client.send(.patch, "/api/v2/employees/\(employeeID)", body: ["phone": "+16175550123"])
            #expect(patched.data?["phone"] == "+16175550123")
            #expect(patched.data?["title"] == "Office Manager")

            let team = try await client.send(.post, "/api/v2/teams", body: ["name": "The Hopper Team", "leader_id": 1])
            #expect(team.status == .created)
            let teamID = try #require(team.data?["id"]?.strictInt)
            #expect(try await client.send(.post, "/api/v2/teams", body: ["email": "t@example.com"]).errors == ["Name can't be blank"])
            #expect(
                try await client.send(.patch, "/api/v2/teams/\(teamID)", body: ["leader_id": 424_242]).errors == [
                    "Leader id does not exist"
                ])
            #expect(try await client.send(.patch, "/api/v2/teams/\(teamID)", body: ["active": false]).data?["active"] == false)
            #expect(try await client.send(.delete, "/api/v2/teams/\(teamID)").status == .ok)
            #expect(try await client.send(.delete, "/api/v2/employees/\(employeeID)").status == .ok)
            #expect(try await client.send(.get, "/api/v2/employees/\(employeeID)").status == .notFound)

            // Lead statuses and phone types come from the lead enumerations (any case).
            let lead = try await client.send(.post, "/api/v2/leads", body: ["email": "e@example.com", "status": "Qualified"])
            #expect(lead.data?["status"] == "qualified")
            let badStatus = try await client.send(.post, "/api/v2/leads", body: ["email": "f@example.com", "status": "won"])
            #expect(badStatus.errors == ["Status must be one of new, contacted, qualified, nurturing, closed"])
        }
        let writes = harness.writeLog.entries(vendor: .bostonLogic)
        #expect(writes.map(\.resource) == ["employees", "employees", "teams", "teams", "teams", "employees", "leads"])
        #expect(writes.map(\.operation) == [.create, .update, .create, .update, .delete, .delete, .create])
    }

    @Test func validationErrorsAre422WithMessages() async throws {
        let harness = BostonLogicHarness()
        try await harness.run { client in
            let agent = try await client.send(.post, "/api/v2/agents", body: ["first_name": "Ada", "office_id": 424_242])
            #expect(agent.status == .unprocessableContent)
            #expect(agent["message"] == "Agent not created")
            #expect(Set(agent.errors) == ["Last name can't be blank", "Email can't be blank"])
            let badReference = try await client.send(
                .post, "/api/v2/agents",
                body: ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "office_id": 424_242])
            #expect(badReference.errors == ["Office id does not exist"])
            let lead = try await client.send(.post, "/api/v2/leads", body: ["first_name": "No", "email": "not-an-email"])
            #expect(Set(lead.errors) == ["Email is invalid", "Email or phone must be present"])
            let unknownAgent = try await client.send(
                .post, "/api/v2/leads", body: ["email": "x@example.com", "agent_email": "nobody@example.com"])
            #expect(unknownAgent.errors == ["Agent email does not match an agent"])
            let blankName = try await client.send(.patch, "/api/v2/offices/1", body: ["name": ""])
            #expect(blankName.errors == ["Name can't be blank"])
        }
        #expect(harness.writeLog.entries(vendor: .bostonLogic).isEmpty)
    }

    @Test func officeWithAgentsIsNotDeletedAndTenantsAreIsolated() async throws {
        let harness = BostonLogicHarness()
        let agents = try await harness.emulator.control(.list(resource: "agents"))
        let officeID = try #require(agents.records?.compactMap { $0["office_id"]?.strictInt }.first)
        try await harness.run { client in
            let refused = try await client.send(.delete, "/api/v2/offices/\(officeID)")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.errors == ["Cannot delete record because dependent agents exist"])

            let elsewhere = try await client.send(
                .post, "/api/v2/offices", key: harness.secondKey, host: BostonLogicState.secondHost, body: ["name": "Second Only"])
            #expect(elsewhere.status == .created)
            let demoOffices = try await client.send(.get, "/api/v2/offices")
            #expect(demoOffices.data?.arrayValue?.contains { $0["name"] == "Second Only" } == false)
        }
    }
}

@Suite struct BostonLogicReadTests {
    @Test func filtersIncludesAndNestedActivity() async throws {
        let harness = BostonLogicHarness(records: 20)
        try await harness.run { client in
            let all = try await client.send(.get, "/api/v2/agents")
            let active = try await client.send(.get, "/api/v2/agents?active_status=active")
            let inactive = try await client.send(.get, "/api/v2/agents?active_status=inactive")
            #expect((active.data?.arrayValue?.count ?? 0) + (inactive.data?.arrayValue?.count ?? 0) == all.data?.arrayValue?.count)
            #expect(active.data?.arrayValue?.allSatisfy { $0["active"] == true } == true)
            #expect(try await client.send(.get, "/api/v2/agents?active_status=maybe").status == .unprocessableContent)

            #expect(all.data?.arrayValue?.first?["agent_mls_ids"] == nil)
            let withMLS = try await client.send(.get, "/api/v2/agents?includes=agent_mls_ids")
            #expect(withMLS.data?.arrayValue?.first?["agent_mls_ids"]?.arrayValue != nil)

            let email = try #require(all.data?.arrayValue?.last?["email"]?.strictString)
            let byEmail = try await client.send(.get, "/api/v2/agents?email=\(email)")
            #expect(byEmail.data?.arrayValue?.count == 1)

            let views = try await client.send(.get, "/api/v2/property_views")
            let leadID = try #require(views.data?.arrayValue?.compactMap { $0["lead_id"]?.strictInt }.first)
            let nested = try await client.send(.get, "/api/v2/leads/\(leadID)/property_views")
            #expect(nested["message"] == "Property views retrieved")
            let nestedItems = try #require(nested.data?.arrayValue)
            #expect(!nestedItems.isEmpty)
            #expect(nestedItems.allSatisfy { $0["lead_id"] == .int(leadID) && $0["mls_id"]?.strictString != nil })
            let filtered = try await client.send(.get, "/api/v2/property_views?lead_id=\(leadID)")
            #expect(filtered.data == nested.data)
            let notes = try await client.send(.get, "/api/v2/leads/\(leadID)/property_notes")
            #expect(notes.status == .ok)
            #expect(try await client.send(.get, "/api/v2/leads/424242/property_notes").status == .notFound)
            #expect(try await client.send(.get, "/api/v2/teams").data?.arrayValue?.count == 20)
            #expect(try await client.send(.get, "/api/v2/employees/3").data?["id"] == 3)
        }
    }
}

@Suite struct BostonLogicControlTests {
    @Test func listMutateInsertDeleteAndReset() async throws {
        let harness = BostonLogicHarness(records: 5)
        let leads = try await harness.emulator.control(.list(resource: "leads"))
        #expect(leads.ids == ["1", "2", "3", "4", "5"])
        harness.clock.advance(by: .seconds(120))
        let mutated = try await harness.emulator.control(.mutate(resource: "leads", count: 2))
        let after = try await harness.emulator.control(.list(resource: "leads"))
        let stamp = harness.clock.now.formatted(.iso8601)
        #expect(after.records?.filter { $0["updated_at"]?.strictString == stamp }.compactMap { $0["id"]?.scalarText } == mutated.ids)
        for id in mutated.ids {
            let before = leads.records?.first { $0["id"]?.scalarText == id }
            let now = after.records?.first { $0["id"]?.scalarText == id }
            #expect(before?["status"] != now?["status"])
        }
        let inserted = try await harness.emulator.control(.insert(resource: "offices", count: 2))
        #expect(inserted.ids == ["6", "7"])
        let deleted = try await harness.emulator.control(.delete(resource: "property_notes", count: 3))
        #expect(deleted.ids.count == 3)
        #expect(try await harness.emulator.control(.list(resource: "property_notes")).ids.count == 2)
        await #expect(throws: ControlError.self) { try await harness.emulator.control(.list(resource: "users")) }
        _ = try await harness.emulator.control(.reset)
        #expect(try await harness.emulator.control(.list(resource: "leads")).records == leads.records)
    }
}

/// Boston Logic served on loopback by the sandbox runner: the Host header a real client sends
/// decides the tenant.
@Suite struct BostonLogicLiveTests {
    @Test func hostHeaderSelectsTheTenantOverHTTP() async throws {
        let options = SandboxOptions(
            vendors: [.bostonLogic], settings: EmulatorSettings(records: 3, seed: 21), clock: .manual(),
            emulatorTypes: [.bostonLogic: BostonLogicEmulator.self])
        try await withLiveSandbox(options) { sandbox, client in
            let info = try #require(sandbox.info(.bostonLogic))
            let key = try #require(info.credentials["api_key"])
            let json = ("Content-Type", "application/json")
            let offices = try await client.get(info.baseURL + "/api/v2/offices", headers: [("X-BL-API-Key", key), json])
            #expect(offices.status == 200)
            #expect(offices.json?["data"]?.arrayValue?.count == 3)
            let secondHost = ("Host", BostonLogicState.secondHost)
            let wrongDomain = try await client.get(info.baseURL + "/api/v2/offices", headers: [("X-BL-API-Key", key), json, secondHost])
            #expect(wrongDomain.status == 401)
            let second = try await client.get(
                info.baseURL + "/api/v2/offices", headers: [("X-BL-API-Key", BostonLogicState.secondKey(seed: 21)), json, secondHost])
            #expect(second.status == 200)
            let created = try await client.postJSON(
                info.baseURL + "/api/v2/leads", #"{"email":"live@example.com"}"#, headers: [("X-BL-API-Key", key)])
            #expect(created.status == 201)
            #expect(created.json?["status"] == "success")
        }
    }
}
