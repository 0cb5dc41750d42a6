import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import RealtyModel
import Testing

@testable import Sandbox

/// One Apimo emulator on a manual clock, driven in-process through Hummingbird's router tests.
struct ApimoHarness {
    let clock: SandboxClock
    let writeLog: WriteLog
    let emulator: ApimoEmulator

    init(records: Int = 12, seed: UInt64 = 5, ratePerSecond: Int = 1_000, dailyQuota: Int = 100_000) {
        clock = .manual()
        writeLog = WriteLog(clock: clock)
        emulator = ApimoEmulator(
            settings: EmulatorSettings(records: records, seed: seed, apimoRatePerSecond: ratePerSecond, apimoDailyQuota: dailyQuota),
            clock: clock, writeLog: writeLog)
    }

    var provider: String { emulator.demoCredentials["provider"] ?? "" }
    var token: String { emulator.demoCredentials["token"] ?? "" }
    var otherProvider: (String, String) {
        (String(ApimoState.otherProviderID), ApimoState.token(providerID: ApimoState.otherProviderID, seed: 5))
    }

    func run(_ body: @Sendable @escaping (ApimoClient) async throws -> Void) async throws {
        let router = Router(context: SandboxRequestContext.self)
        emulator.addRoutes(to: router)
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await body(ApimoClient(client: client, provider: provider, token: token))
        }
    }
}

struct ApimoReply: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var json: JSONValue

    subscript(key: String) -> JSONValue? { json[key] }
}

struct ApimoClient: Sendable {
    let client: any TestClientProtocol
    let provider: String
    let token: String

    func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, authorization: String?? = .none, body: JSONValue? = nil
    ) async throws -> ApimoReply {
        var headers: HTTPFields = [:]
        switch authorization {
        case .none: headers[.authorization] = basic(provider, token)
        case .some(.some(let value)): headers[.authorization] = value
        case .some(.none): break
        }
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await client.executeRequest(
            uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0.jsonText) })
        let json = (try? JSONValue(parsing: Data(String(buffer: response.body).utf8))) ?? .null
        return ApimoReply(status: response.status, headers: response.headers, json: json)
    }

    func get(_ path: String) async throws -> ApimoReply { try await send(.get, path) }
}

@Suite struct ApimoAuthAndGrantTests {
    @Test func missingOrWrongBasicCredentialsAre401() async throws {
        let harness = ApimoHarness()
        try await harness.run { client in
            let none = try await client.send(.get, "/agencies", authorization: .some(nil))
            #expect(none.status == .unauthorized)
            #expect(none["status"] == 401)
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            #expect(try await client.send(.get, "/agencies", authorization: client.basic(client.provider, "nope")).status == .unauthorized)
            #expect(try await client.send(.get, "/agencies", authorization: client.basic("abc", client.token)).status == .unauthorized)
            #expect(try await client.send(.get, "/agencies", authorization: "Bearer x").status == .unauthorized)
        }
    }

    @Test func agenciesListsOnlyGrantedAgenciesWithStringIDs() async throws {
        let harness = ApimoHarness()
        #expect(harness.emulator.demoCredentials["agency_ids"] == "14,27")
        try await harness.run { client in
            let reply = try await client.get("/agencies")
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType] == "application/json; charset=utf-8")
            #expect(reply["total_items"] == 2)
            #expect(reply["agencies"]?.arrayValue?.map { $0["id"] } == ["14", "27"])
            #expect(reply["timestamp"]?.strictInt != nil)
        }
    }

    @Test func agencyNotGrantedToTheProviderIsForbidden() async throws {
        let harness = ApimoHarness()
        let (otherProvider, otherToken) = harness.otherProvider
        try await harness.run { client in
            for path in ["/agencies/38/users", "/agencies/38/leads", "/agencies/999/properties", "/agencies/x/contacts"] {
                let reply = try await client.get(path)
                #expect(reply.status == .forbidden, "\(path)")
                #expect(reply["status"] == 403)
                #expect(reply["error"]?.strictString != nil)
            }
            let other = try await client.send(.get, "/agencies/38/users", authorization: client.basic(otherProvider, otherToken))
            #expect(other.status == .ok)
            let otherOnDemo = try await client.send(.get, "/agencies/14/users", authorization: client.basic(otherProvider, otherToken))
            #expect(otherOnDemo.status == .forbidden)
        }
    }
}

@Suite struct ApimoListTests {
    @Test func usersPageWithLimitOffsetAndTotal() async throws {
        let harness = ApimoHarness(records: 12)
        try await harness.run { client in
            let all = try await client.get("/agencies/14/users")
            #expect(all["total_items"] == 12)
            #expect(all["users"]?.arrayValue?.count == 12)
            #expect(all["timestamp"] == nil)
            let page = try await client.get("/agencies/14/users?limit=5&offset=10")
            #expect(page["total_items"] == 12)
            let users = try #require(page["users"]?.arrayValue)
            #expect(users.count == 2)
            let user = try #require(users.first)
            #expect(user["id"]?.strictString != nil)
            #expect(user["agency"] == "14")
            #expect(user["active"]?.strictBool != nil)
            #expect(user["password"] == "*********")
            #expect(user["created_at"]?.strictString?.count == 19)
            // Pages do not overlap and follow id order.
            let first = try await client.get("/agencies/14/users?limit=6")
            let second = try await client.get("/agencies/14/users?limit=6&offset=6")
            let ids = (first["users"]?.arrayValue ?? []) + (second["users"]?.arrayValue ?? [])
            #expect(ids.compactMap { $0["id"] } == (all["users"]?.arrayValue ?? []).compactMap { $0["id"] })
        }
    }

    @Test func limitsAboveTheDocumentedMaximumOrMalformedAreRefused() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            #expect(try await client.get("/agencies/14/users?limit=10000").status == .ok)
            #expect(try await client.get("/agencies/14/users?limit=10001").status == .badRequest)
            #expect(try await client.get("/agencies/14/leads?limit=10000").status == .ok)
            #expect(try await client.get("/agencies/14/properties?limit=1001").status == .badRequest)
            #expect(try await client.get("/agencies/14/users?limit=-1").status == .badRequest)
            #expect(try await client.get("/agencies/14/users?offset=two").status == .badRequest)
            #expect(try await client.get("/agencies/14/leads?timestamp=yesterday").status == .badRequest)
            let users = try await client.get("/agencies/14/users")
            let userID = try #require(users["users"]?.arrayValue?.first?["id"]?.strictString)
            #expect(try await client.get("/agencies/14/users/\(userID)/actions?limit=1000").status == .ok)
            let over = try await client.get("/agencies/14/users/\(userID)/actions?limit=1001")
            #expect(over.status == .badRequest)
            #expect(over["status"] == 400)
        }
    }

    @Test func userActionsFilterByTypeAndBelongToTheUser() async throws {
        let harness = ApimoHarness(records: 30)
        let actions = try await harness.emulator.control(.list(resource: "actions"))
        let sample = try #require(actions.records?.first)
        let userID = try #require(sample["user"]?.strictString)
        let type = try #require(sample["type"]?.strictString)
        try await harness.run { client in
            let agencies = try await client.get("/agencies")
            var found = false
            for agency in agencies["agencies"]?.arrayValue?.compactMap({ $0["id"]?.strictString }) ?? [] {
                let all = try await client.get("/agencies/\(agency)/users/\(userID)/actions")
                guard all.status == .ok else { continue }
                found = true
                let items = try #require(all["actions"]?.arrayValue)
                #expect(items.allSatisfy { $0["user"]?.strictString == userID })
                let filtered = try await client.get("/agencies/\(agency)/users/\(userID)/actions?type=\(type)")
                let typed = try #require(filtered["actions"]?.arrayValue)
                #expect(!typed.isEmpty)
                #expect(typed.allSatisfy { $0["type"]?.strictString == type })
                #expect(filtered["total_items"]?.strictInt == typed.count)
            }
            #expect(found)
            #expect(try await client.get("/agencies/14/users/424242/actions").status == .notFound)
        }
    }

    @Test func timestampReturnsOnlyRecordsModifiedSince() async throws {
        let harness = ApimoHarness(records: 10)
        harness.clock.advance(by: .seconds(3600))
        let since = Int(harness.clock.now.timeIntervalSince1970)
        let mutated = try await harness.emulator.control(.mutate(resource: "leads", count: 4))
        try await harness.run { client in
            var seen: [String] = []
            for agency in ["14", "27"] {
                let reply = try await client.get("/agencies/\(agency)/leads?timestamp=\(since)")
                #expect(reply.status == .ok)
                let leads = reply["leads"]?.arrayValue ?? []
                #expect(reply["total_items"]?.strictInt == leads.count)
                seen += leads.compactMap { $0["id"]?.strictString }
                if !leads.isEmpty { #expect(reply["timestamp"] == .int(since)) }
            }
            let granted = mutated.ids.filter { id in seen.contains(id) }
            #expect(granted == seen.sorted())
            #expect(!seen.isEmpty)
        }
    }

    @Test func catalogsListAndEntriesByCulture() async throws {
        let harness = ApimoHarness(records: 1)
        try await harness.run { client in
            let list = try await client.get("/catalogs")
            let names = list.json.arrayValue?.compactMap { $0["name"]?.strictString } ?? []
            #expect(names.contains("property_type"))
            #expect(list.json.arrayValue?.first?["private"]?.strictBool == false)
            let french = try await client.get("/catalogs/property_type")
            #expect(french.json.arrayValue?.first?["name"] == "Appartement")
            let english = try await client.get("/catalogs/property_type?culture=en_GB")
            #expect(english.json.arrayValue?.first?["name"] == "Apartment")
            #expect(english.json.arrayValue?.first?["id"] == 1)
            #expect(try await client.get("/catalogs/nothing").status == .notFound)
        }
    }

    @Test func wrongMethodIs405AndUnknownPathIs404InTheVendorShape() async throws {
        let harness = ApimoHarness(records: 1)
        try await harness.run { client in
            let wrong = try await client.send(.delete, "/agencies/14/leads")
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET, POST")
            #expect(wrong["status"] == 405)
            let unknown = try await client.get("/agencies/14/nothing")
            #expect(unknown.status == .notFound)
            #expect(unknown["status"] == 404)
        }
    }
}

@Suite struct ApimoQuotaTests {
    @Test func perSecondQuotaAnswers429WithRetryAfterUntilTheWindowMoves() async throws {
        let harness = ApimoHarness(records: 1, ratePerSecond: 3)
        try await harness.run { client in
            #expect(try await client.get("/agencies").status == .ok)
            #expect(try await client.get("/agencies/38/users").status == .forbidden) // still counted
            #expect(try await client.get("/catalogs").status == .ok)
            let limited = try await client.get("/agencies")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "1")
            #expect(limited["status"] == 429)
            // The other provider has its own quota.
            let (otherProvider, otherToken) = harness.otherProvider
            #expect(try await client.send(.get, "/agencies", authorization: client.basic(otherProvider, otherToken)).status == .ok)
            harness.clock.advance(by: .milliseconds(1001))
            #expect(try await client.get("/agencies").status == .ok)
        }
    }

    @Test func dailyQuotaResetsAtParisMidnight() async throws {
        let harness = ApimoHarness(records: 1, dailyQuota: 4)
        try await harness.run { client in
            for _ in 0..<4 {
                #expect(try await client.get("/agencies").status == .ok)
                harness.clock.advance(by: .seconds(10))
            }
            let limited = try await client.get("/agencies")
            #expect(limited.status == .tooManyRequests)
            // The manual clock starts at 2025-01-01T00:00:00Z, 01:00 in Paris; 40 s have passed.
            #expect(limited.headers[.retryAfter] == String(23 * 3600 - 40))
            harness.clock.advance(by: .seconds(23 * 3600 - 40))
            #expect(try await client.get("/agencies").status == .ok)
        }
    }

    @Test func quotaArithmeticAcrossDaylightSavingTime() {
        // 2025-03-30 is 23 hours long in Paris; at 00:30 local (23:30Z the day before) the day ends in 22.5 h.
        let now = Date(timeIntervalSince1970: 1_743_291_000)
        #expect(ApimoQuota.secondsUntilNextParisMidnight(from: now) == 81_000)
        var quota = ApimoQuota(perSecond: 2, perDay: 100)
        #expect(quota.admit(at: now) == .allowed)
        #expect(quota.admit(at: now.addingTimeInterval(0.5)) == .allowed)
        #expect(quota.admit(at: now.addingTimeInterval(0.6)) == .perSecondExceeded(retryAfterSeconds: 1))
        #expect(quota.admit(at: now.addingTimeInterval(1.01)) == .allowed)
        #expect(quota.usedInCurrentDay == 3)
    }
}

@Suite struct ApimoWriteTests {
    @Test func leadCreateRoundTripsAndIsLoggedWithItsLookupKeys() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            let created = try await client.send(
                .post, "/agencies/27/leads",
                body: [
                    "firstname": "Jeanne", "lastname": "Martin", "email": "jeanne.martin@example.com",
                    "phone": 33_600_000_000, "message": "Bonjour", "reference": "rh-delivery-1", "type": 2,
                ])
            #expect(created.status == .created)
            let id = try #require(created["id"]?.strictString)
            #expect(created["agency"] == "27")
            #expect(created["provider"] == .string(harness.provider))
            #expect(created["phone"] == "33600000000")
            #expect(created["type"] == "2")
            #expect(created["step"] == "1")
            let list = try await client.get("/agencies/27/leads?limit=10000")
            let lead = try #require(list["leads"]?.arrayValue?.first { $0["id"]?.strictString == id })
            #expect(lead["email"] == "jeanne.martin@example.com")
            #expect(list["total_items"] == 4)
        }
        let writes = harness.writeLog.entries(vendor: .apimo, resource: "leads", operation: .create)
        #expect(writes.count == 1)
        #expect(writes.first?.keys["email"] == "jeanne.martin@example.com")
        #expect(writes.first?.keys["reference"] == "rh-delivery-1")
        #expect(writes.first?.keys["agency"] == "27")
    }

    @Test func invalidCreatesAre400AndNotLogged() async throws {
        let harness = ApimoHarness(records: 2)
        try await harness.run { client in
            let noContact = try await client.send(.post, "/agencies/14/leads", body: ["firstname": "Nobody"])
            #expect(noContact.status == .badRequest)
            #expect(noContact["error"]?.strictString?.contains("email, phone, mobile") == true)
            #expect(try await client.send(.post, "/agencies/14/leads", body: ["email": "not-an-email"]).status == .badRequest)
            #expect(try await client.send(.post, "/agencies/14/leads", body: ["email": "a@b.fr", "type": 99]).status == .badRequest)
            #expect(try await client.send(.post, "/agencies/14/leads", body: ["email": "a@b.fr", "user": 424_242]).status == .badRequest)
            #expect(try await client.send(.post, "/agencies/14/leads", body: ["a", "b"]).status == .badRequest)
            #expect(try await client.send(.post, "/agencies/14/contacts", body: ["email": "a@b.fr"]).status == .badRequest)
            #expect(try await client.send(.post, "/agencies/14/actions", body: ["type": 1]).status == .badRequest)
            #expect(try await client.send(.post, "/agencies/38/leads", body: ["email": "a@b.fr"]).status == .forbidden)
        }
        #expect(harness.writeLog.entries(vendor: .apimo).isEmpty)
    }

    @Test func contactAndActionCreatesAppearInTheirLists() async throws {
        let harness = ApimoHarness(records: 3)
        try await harness.run { client in
            let users = try await client.get("/agencies/14/users")
            let userID = try #require(users["users"]?.arrayValue?.first?["id"]?.strictString)
            let contact = try await client.send(
                .post, "/agencies/14/contacts",
                body: ["firstname": "Paul", "lastname": "Durand", "email": "paul.durand@example.org", "user": .string(userID)])
            #expect(contact.status == .created)
            let contactID = try #require(contact["id"]?.strictString)
            let action = try await client.send(
                .post, "/agencies/14/actions",
                body: ["user": .string(userID), "type": 1, "contact": .string(contactID), "subject": "Premier appel"])
            #expect(action.status == .created)
            #expect(action["user"] == .string(userID))
            let actions = try await client.get("/agencies/14/users/\(userID)/actions?type=1")
            #expect(actions["actions"]?.arrayValue?.contains { $0["id"] == action["id"] } == true)
            let contacts = try await client.get("/agencies/14/contacts")
            #expect(contacts["contacts"]?.arrayValue?.contains { $0["id"]?.strictString == contactID } == true)
        }
        #expect(harness.writeLog.entries(vendor: .apimo).map(\.resource) == ["contacts", "actions"])
    }
}

@Suite struct ApimoControlTests {
    @Test func listMutateInsertDeleteAndReset() async throws {
        let harness = ApimoHarness(records: 4)
        let users = try await harness.emulator.control(.list(resource: "users"))
        #expect(users.ids.count == 12)
        harness.clock.advance(by: .seconds(5))
        let mutated = try await harness.emulator.control(.mutate(resource: "properties", count: 3))
        #expect(mutated.ids.count == 3)
        let properties = try await harness.emulator.control(.list(resource: "properties"))
        let stamp = ApimoFormat.dateTime(harness.clock.now)
        #expect(properties.records?.filter { $0["updated_at"]?.strictString == stamp }.count == 3)

        let inserted = try await harness.emulator.control(.insert(resource: "contacts", count: 2))
        #expect(inserted.ids.count == 2)
        let deleted = try await harness.emulator.control(.delete(resource: "users", count: 5))
        #expect(deleted.ids.count == 5)
        #expect(try await harness.emulator.control(.list(resource: "users")).ids.count == 7)
        await #expect(throws: ControlError.self) { try await harness.emulator.control(.insert(resource: "agencies", count: 1)) }
        await #expect(throws: ControlError.self) { try await harness.emulator.control(.list(resource: "offices")) }
        _ = try await harness.emulator.control(.reset)
        #expect(try await harness.emulator.control(.list(resource: "users")).ids == users.ids)
    }
}

/// Apimo served on loopback by the sandbox runner, driven over real HTTP as a connector would.
@Suite struct ApimoLiveTests {
    @Test func basicAuthPagingCreateAndQuotaOverHTTP() async throws {
        let options = SandboxOptions(
            vendors: [.apimo], settings: EmulatorSettings(records: 5, apimoRatePerSecond: 4), clock: .manual(),
            emulatorTypes: [.apimo: ApimoEmulator.self])
        try await withLiveSandbox(options) { sandbox, client in
            let info = try #require(sandbox.info(.apimo))
            let provider = try #require(info.credentials["provider"])
            let token = try #require(info.credentials["token"])
            let agency = try #require(info.credentials["agency_ids"]?.split(separator: ",").first.map(String.init))
            let auth = [("Authorization", "Basic " + Data("\(provider):\(token)".utf8).base64EncodedString())]
            let users = try await client.get(info.baseURL + "/agencies/\(agency)/users?limit=2&offset=1", headers: auth)
            #expect(users.status == 200)
            #expect(users.json?["total_items"] == 5)
            #expect(users.json?["users"]?.arrayValue?.count == 2)
            let lead = try await client.postJSON(
                info.baseURL + "/agencies/\(agency)/leads", #"{"email":"live@example.com","reference":"live-1"}"#, headers: auth)
            #expect(lead.status == 201)
            _ = try await client.get(info.baseURL + "/catalogs", headers: auth)
            _ = try await client.get(info.baseURL + "/agencies", headers: auth)
            let limited = try await client.get(info.baseURL + "/agencies", headers: auth)
            #expect(limited.status == 429)
            #expect(limited.header("Retry-After") == "1")
            let writes = try await client.get(info.controlURL + "/writes?resource=leads")
            #expect(writes.json?["writes"]?.arrayValue?.first?["keys"]?["reference"] == "live-1")
        }
    }
}
