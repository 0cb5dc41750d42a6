import ConnectorKit
import Foundation
import Logging
import RealtyModel
import Synchronization
import Testing

@testable import ApimoConnector

/// A scripted Apimo: records every request and answers from the test's closure.
final class ApimoFakeServer: HTTPTransport {
    struct Call: Sendable {
        var method: String
        var path: String
        var query: [String: String]
        var authorization: String?
        var contentType: String?
        var body: JSONValue?
    }

    typealias Handler = @Sendable (Call) -> TransportResponse

    private let recorded = Mutex<[Call]>([])
    private let handler: Handler

    init(_ handler: @escaping Handler) { self.handler = handler }

    var calls: [Call] { recorded.withLock { $0 } }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        var query: [String: String] = [:]
        for item in URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? [] {
            query[item.name] = item.value ?? ""
        }
        let body = request.body.flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
        let call = Call(
            method: request.method.rawValue, path: request.url.path, query: query,
            authorization: request.headers["Authorization"], contentType: request.headers["Content-Type"], body: body)
        recorded.withLock { $0.append(call) }
        return handler(call)
    }

    static func json(_ text: String, status: Int = 200, headers: TransportHeaders = [:]) -> TransportResponse {
        var all = headers
        all["Content-Type"] = "application/json; charset=utf-8"
        return TransportResponse(status: status, headers: all, body: Data(text.utf8))
    }

    /// A list answer with records `first...last` of `make`, as Apimo pages it.
    static func list(
        _ collection: String, total: Int, query: [String: String], timestamp: Int? = nil, make: (Int) -> String
    ) -> TransportResponse {
        let offset = Int(query["offset"] ?? "0") ?? 0
        let limit = Int(query["limit"] ?? "1000") ?? 1000
        let ids = offset < total ? Array(offset..<min(total, offset + limit)) : []
        var text = #"{"\#(collection)":[\#(ids.map(make).joined(separator: ","))],"total_items":\#(total)"#
        if let timestamp { text += #","timestamp":\#(timestamp)"# }
        return json(text + "}")
    }
}

enum ApimoTestSupport {
    static let token = "t0k3n-S3cret-value"

    static func connector(
        _ server: ApimoFakeServer, agencies: [String] = ["14"], pageSize: Int? = nil,
        retry: RetryPolicy = RetryPolicy(
            maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20), maxRetryAfter: .seconds(30))
    ) throws -> ApimoConnector {
        let configuration = ConnectorConfiguration(
            connectionID: "apimo-test", baseURL: URL(string: "http://127.0.0.1:9")!,
            credentials: .apimo(provider: "4242", token: token, agencyIDs: agencies),
            limits: .init(requestsPerSecond: 0, dailyQuota: 0), retry: retry, pageSize: pageSize)
        return try ApimoConnector(
            configuration: configuration, transport: server, clock: ManualConnectorClock(autoAdvance: true),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func collect<R: HubRecord>(_ stream: AsyncThrowingStream<ConnectorPage<R>, any Error>) async throws -> [ConnectorPage<R>] {
        var pages: [ConnectorPage<R>] = []
        for try await page in stream { pages.append(page) }
        return pages
    }

    static func user(_ id: Int) -> String {
        #"{"id":"\#(id)","agency":"14","active":true,"firstname":"U\#(id)","lastname":"L\#(id)","email":"u\#(id)@example.fr","created_at":"2020-01-01 10:00:00","updated_at":"2020-06-01 10:00:00"}"#
    }
}

@Suite struct ApimoConnectorReadTests {
    @Test func everyRequestCarriesBasicProviderToken() async throws {
        let server = ApimoFakeServer { call in
            ApimoFakeServer.list("users", total: 1, query: call.query, make: ApimoTestSupport.user)
        }
        let connector = try ApimoTestSupport.connector(server)
        try await connector.verify()
        _ = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        let expected = "Basic " + Data("4242:\(ApimoTestSupport.token)".utf8).base64EncodedString()
        #expect(!server.calls.isEmpty)
        #expect(server.calls.allSatisfy { $0.authorization == expected })
    }

    @Test func usersPageByLimitAndOffsetUntilTotalItems() async throws {
        let server = ApimoFakeServer { call in
            ApimoFakeServer.list("users", total: 250, query: call.query, make: ApimoTestSupport.user)
        }
        // A configured page size caps every list.
        let connector = try ApimoTestSupport.connector(server, pageSize: 100)
        let pages = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(server.calls.map { $0.path } == Array(repeating: "/agencies/14/users", count: 3))
        #expect(server.calls.map { $0.query["offset"] } == ["0", "100", "200"])
        #expect(server.calls.allSatisfy { $0.query["limit"] == "100" })
        let members = pages.flatMap(\.records)
        #expect(members.count == 250)
        #expect(Set(members.compactMap(\.metadata.sourceKey)).count == 250)
        #expect(members.first?.metadata.sourceSystemName == "apimo")
        // Each item's own text is kept for the store, byte for byte.
        #expect(members.map(\.metadata.rawText) == (0..<250).map { ApimoTestSupport.user($0) })
        #expect(pages.last?.isLast == true)
    }

    @Test func everyListAsksForItsLargestDocumentedPage() async throws {
        let server = ApimoFakeServer { call in
            if call.path.hasSuffix("/users") {
                return ApimoFakeServer.list("users", total: 2500, query: call.query, make: ApimoTestSupport.user)
            }
            if call.path.hasSuffix("/properties") { return ApimoFakeServer.list("properties", total: 0, query: call.query) { _ in "" } }
            if call.path.hasSuffix("/contacts") || call.path.hasSuffix("/leads") {
                return ApimoFakeServer.list(String(call.path.split(separator: "/").last ?? ""), total: 0, query: call.query) { _ in "" }
            }
            return ApimoFakeServer.json("[]")
        }
        let connector = try ApimoTestSupport.connector(server)
        let members = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil)).flatMap(\.records)
        #expect(members.count == 2500)
        _ = try await ApimoTestSupport.collect(connector.read(Property.self, mode: .full, after: nil))
        _ = try await ApimoTestSupport.collect(connector.read(Contact.self, mode: .full, after: nil))
        let limits = server.calls.filter { !$0.path.hasPrefix("/catalogs") }.map { "\($0.path) \($0.query["limit"] ?? "-")" }
        // 2,500 users in one request; contacts (undocumented) ask for the largest documented size.
        #expect(
            limits == [
                "/agencies/14/users 10000", "/agencies/14/properties 1000", "/agencies/14/contacts 10000", "/agencies/14/leads 10000",
            ])
    }

    @Test func aRefusedPageSizeIsAskedOnceSmallerAndKeptForTheConnection() async throws {
        let server = ApimoFakeServer { call in
            if let limit = Int(call.query["limit"] ?? ""), limit > 1000 {
                return ApimoFakeServer.json(#"{"code":400,"message":"Bad Request: limit must not exceed 1000"}"#, status: 400)
            }
            return ApimoFakeServer.list("users", total: 2500, query: call.query, make: ApimoTestSupport.user)
        }
        let connector = try ApimoTestSupport.connector(server)
        let first = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil)).flatMap(\.records)
        #expect(first.compactMap(\.metadata.sourceKey) == (0..<2500).map(String.init))
        #expect(server.calls.map { $0.query["limit"] } == ["10000", "1000", "1000", "1000"])
        #expect(server.calls.map { $0.query["offset"] } == ["0", "0", "1000", "2000"])
        // The next pass asks for the smaller size straight away.
        _ = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(server.calls.dropFirst(4).map { $0.query["limit"] } == ["1000", "1000", "1000"])
    }

    @Test func aServerThatClampsThePageIsPagedWithWhatItReturned() async throws {
        // Answers at most 400 records whatever the limit, with the true total.
        let server = ApimoFakeServer { call in
            var query = call.query
            query["limit"] = String(min(400, Int(query["limit"] ?? "") ?? 400))
            return ApimoFakeServer.list("users", total: 1000, query: query, make: ApimoTestSupport.user)
        }
        let connector = try ApimoTestSupport.connector(server)
        let members = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil)).flatMap(\.records)
        #expect(members.compactMap(\.metadata.sourceKey) == (0..<1000).map(String.init))
        #expect(server.calls.map { $0.query["offset"] } == ["0", "400", "800"])
        #expect(server.calls.allSatisfy { $0.query["limit"] == "10000" })
    }

    @Test func limitsAreCappedPerList() async throws {
        let server = ApimoFakeServer { call in
            if call.path.hasSuffix("/actions") { return ApimoFakeServer.list("actions", total: 0, query: call.query) { _ in "" } }
            if call.path.hasSuffix("/users") {
                return ApimoFakeServer.list("users", total: 1, query: call.query, make: ApimoTestSupport.user)
            }
            if call.path.hasSuffix("/properties") { return ApimoFakeServer.list("properties", total: 0, query: call.query) { _ in "" } }
            return ApimoFakeServer.json("[]")
        }
        // Asking for 5000 per page: each list asks for the smaller of that and its own maximum.
        let connector = try ApimoTestSupport.connector(server, pageSize: 5000)
        _ = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        _ = try await ApimoTestSupport.collect(connector.read(Property.self, mode: .full, after: nil))
        _ = try await ApimoTestSupport.collect(connector.read(Activity.self, mode: .full, after: nil))
        let limits = server.calls.filter { !$0.path.hasPrefix("/catalogs") }.map { "\($0.path) \($0.query["limit"] ?? "-")" }
        #expect(
            limits == [
                "/agencies/14/users 5000", "/agencies/14/properties 1000",
                // Actions: the agency's users are listed at the users maximum, then each user's actions.
                "/agencies/14/users 10000", "/agencies/14/users/0/actions 1000",
            ])
    }

    @Test func timestampIncrementsFollowTheNewestChange() async throws {
        let server = ApimoFakeServer { call in
            if call.path.hasPrefix("/catalogs") { return ApimoFakeServer.json(#"[{"id":1,"name":"Apartment"}]"#) }
            if call.query["timestamp"] == "1714550000" {
                return ApimoFakeServer.list("properties", total: 1, query: call.query, timestamp: 1_714_560_000) {
                    #"{"id":"\#($0 + 500)","reference":"NEW","type":"1"}"#
                }
            }
            return ApimoFakeServer.list("properties", total: 3, query: call.query, timestamp: 1_714_550_000) {
                #"{"id":"\#($0 + 1)","reference":"R\#($0)","type":1,"updated_at":"2024-05-01 09:00:00"}"#
            }
        }
        let connector = try ApimoTestSupport.connector(server, pageSize: 2)
        let full = try await ApimoTestSupport.collect(connector.read(Property.self, mode: .full, after: nil))
        #expect(full.flatMap(\.records).count == 3)
        #expect(full.flatMap(\.records).first?.propertyType == "Apartment")
        let listCalls = server.calls.filter { $0.path == "/agencies/14/properties" }
        #expect(listCalls.allSatisfy { $0.query["timestamp"] == nil }, "a full pass asks for everything")
        // The full pass's last cursor starts the incremental pass from the newest change it saw.
        let incremental = try await ApimoTestSupport.collect(
            connector.read(Property.self, mode: .incremental, after: full.last?.cursor))
        #expect(server.calls.last?.query["timestamp"] == "1714550000")
        #expect(incremental.flatMap(\.records).map(\.metadata.sourceKey) == ["500"])
        let next = try await ApimoTestSupport.collect(
            connector.read(Property.self, mode: .incremental, after: incremental.last?.cursor))
        #expect(server.calls.last?.query["timestamp"] == "1714560000")
        #expect(next.last?.isLast == true)
        #expect(server.calls.filter { $0.path.hasPrefix("/catalogs") }.count == 4, "each catalog is read once")
    }

    @Test func contactsReadContactsThenLeadsPerAgency() async throws {
        let server = ApimoFakeServer { call in
            switch call.path {
            case "/agencies/14/contacts":
                return ApimoFakeServer.list("contacts", total: 1, query: call.query) { _ in #"{"id":12,"lastname":"Contact"}"# }
            case "/agencies/14/leads":
                return ApimoFakeServer.list("leads", total: 1, query: call.query) { _ in #"{"id":"12","lastname":"Lead"}"# }
            case "/agencies/15/contacts", "/agencies/15/leads":
                return ApimoFakeServer.list(String(call.path.split(separator: "/").last ?? ""), total: 0, query: call.query) { _ in "" }
            default:
                return ApimoFakeServer.json(#"{"error":"no"}"#, status: 404)
            }
        }
        let connector = try ApimoTestSupport.connector(server, agencies: ["14", "15"])
        let pages = try await ApimoTestSupport.collect(connector.read(Contact.self, mode: .full, after: nil))
        #expect(
            server.calls.map(\.path) == [
                "/agencies/14/contacts", "/agencies/14/leads", "/agencies/15/contacts", "/agencies/15/leads",
            ])
        let records = pages.flatMap(\.records)
        #expect(records.map(\.metadata.sourceKey) == ["12", "lead-12"], "ids read from numbers and strings alike")
        #expect(records.map(\.contactType) == ["Contact", "Lead"])
        #expect(pages.map(\.isLast) == [false, false, false, true])
    }

    @Test func actionsAreReadForEveryUserOfTheAgency() async throws {
        let server = ApimoFakeServer { call in
            if call.path.hasPrefix("/catalogs") { return ApimoFakeServer.json(#"[{"id":"2","name":"E-mail"}]"#) }
            if call.path == "/agencies/14/users" {
                return ApimoFakeServer.list("users", total: 2, query: call.query, make: ApimoTestSupport.user)
            }
            if call.path == "/agencies/14/users/0/actions" {
                return ApimoFakeServer.list("actions", total: 1, query: call.query) { _ in
                    #"{"id":"19344999","type":"2","user":"0","contact":"8520201","date":"2018-09-11","time_start":"14:43:20"}"#
                }
            }
            return ApimoFakeServer.list("actions", total: 0, query: call.query) { _ in "" }
        }
        let connector = try ApimoTestSupport.connector(server)
        let pages = try await ApimoTestSupport.collect(connector.read(Activity.self, mode: .full, after: nil))
        let activities = pages.flatMap(\.records)
        #expect(activities.map(\.activityType) == ["email"])
        #expect(activities.first?.ownerMemberSourceKey == "0")
        #expect(
            server.calls.map(\.path).filter { $0.hasSuffix("/actions") } == [
                "/agencies/14/users/0/actions", "/agencies/14/users/1/actions",
            ])
        #expect(pages.last?.isLast == true)
        // The typed call filters by type.
        _ = try await connector.actions(agencyID: "14", userID: "0", type: "2")
        #expect(server.calls.last?.query["type"] == "2")
    }

    /// An incremental read of actions asks only for the actions of users changed since the
    /// previous pass (the user list has no `timestamp` filter, so it is read whole once).
    @Test func incrementalActionsAreReadForChangedUsersOnly() async throws {
        let updated = Mutex(["2024-01-01 10:00:00", "2024-01-01 10:00:00", "2024-01-01 10:00:00"])
        let server = ApimoFakeServer { call in
            if call.path.hasPrefix("/catalogs") { return ApimoFakeServer.json(#"[{"id":"2","name":"E-mail"}]"#) }
            if call.path == "/agencies/14/users" {
                let stamps = updated.withLock { $0 }
                return ApimoFakeServer.list("users", total: 3, query: call.query) { index in
                    #"{"id":"\#(index)","agency":"14","firstname":"U\#(index)","created_at":"2020-01-01 00:00:00","updated_at":"\#(stamps[index])"}"#
                }
            }
            return ApimoFakeServer.list("actions", total: 0, query: call.query) { _ in "" }
        }
        let connector = try ApimoTestSupport.connector(server)
        #expect(ApimoConnector.declaredCapabilities.read(.activity)?.incremental == true)
        let full = try await ApimoTestSupport.collect(connector.read(Activity.self, mode: .full, after: nil))
        func actionPaths() -> [String] { server.calls.map(\.path).filter { $0.hasSuffix("/actions") } }
        #expect(actionPaths().count == 3)

        updated.withLock { $0[2] = "2024-02-01 09:00:00" }
        let changes = try await ApimoTestSupport.collect(
            connector.read(Activity.self, mode: .incremental, after: try #require(full.last?.cursor)))
        #expect(Array(actionPaths().dropFirst(3)) == ["/agencies/14/users/2/actions"])
        // Nothing changed since: the users are read, no user's actions are.
        _ = try await ApimoTestSupport.collect(connector.read(Activity.self, mode: .incremental, after: try #require(changes.last?.cursor)))
        #expect(actionPaths().count == 4)
        #expect(server.calls.filter { $0.path == "/agencies/14/users" }.count == 3)
        // A full pass reads every user's actions again.
        _ = try await ApimoTestSupport.collect(connector.read(Activity.self, mode: .full, after: try #require(changes.last?.cursor)))
        #expect(actionPaths().count == 7)
    }

    @Test func officesComeFromAgenciesFilteredToTheGrantedOnes() async throws {
        let server = ApimoFakeServer { call in
            ApimoFakeServer.list("agencies", total: 2, query: call.query) { index in
                #"{"id":"\#(14 + index)","name":"Agency \#(14 + index)","active":true}"#
            }
        }
        let connector = try ApimoTestSupport.connector(server)
        let offices = try await ApimoTestSupport.collect(connector.read(Office.self, mode: .full, after: nil)).flatMap(\.records)
        #expect(offices.map(\.name) == ["Agency 14"])
        let all = try ApimoTestSupport.connector(server, agencies: [])
        #expect(try await ApimoTestSupport.collect(all.read(Office.self, mode: .full, after: nil)).flatMap(\.records).count == 2)
    }

    @Test func withoutConfiguredAgenciesEveryVisibleAgencyIsRead() async throws {
        let server = ApimoFakeServer { call in
            if call.path == "/agencies" {
                return ApimoFakeServer.list("agencies", total: 2, query: call.query) { #"{"id":\#(20 + $0),"name":"A"}"# }
            }
            return ApimoFakeServer.list("users", total: 1, query: call.query, make: ApimoTestSupport.user)
        }
        let connector = try ApimoTestSupport.connector(server, agencies: [])
        let members = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil)).flatMap(\.records)
        #expect(members.count == 2)
        #expect(server.calls.map(\.path) == ["/agencies", "/agencies/20/users", "/agencies/21/users"])
    }
}

@Suite struct ApimoConnectorErrorTests {
    @Test func aRefusedAgencyIsAPermissionErrorNamingIt() async throws {
        let server = ApimoFakeServer { call in
            call.path.hasPrefix("/agencies/15")
                ? ApimoFakeServer.json(#"{"status":403,"error":"Forbidden"}"#, status: 403)
                : ApimoFakeServer.list("users", total: 1, query: call.query, make: ApimoTestSupport.user)
        }
        let connector = try ApimoTestSupport.connector(server, agencies: ["14", "15"])
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        }
        #expect(error?.kind == .permission)
        #expect(error?.httpStatus == 403)
        #expect(error?.message.contains("agency 15") == true)
        #expect(server.calls.filter { $0.path.hasPrefix("/agencies/15") }.count == 1, "a refusal is not retried")
        let verify = await #expect(throws: ConnectorError.self) { try await connector.verify() }
        #expect(verify?.kind == .permission)
    }

    @Test func badCredentialsAreAuth() async throws {
        let server = ApimoFakeServer { _ in ApimoFakeServer.json(#"{"status":401,"error":"Unauthorized"}"#, status: 401) }
        let connector = try ApimoTestSupport.connector(server)
        let error = await #expect(throws: ConnectorError.self) { try await connector.verify() }
        #expect(error?.kind == .auth)
        #expect(error?.connectionID == "apimo-test")
        #expect(error.map { !String(reflecting: $0).contains(ApimoTestSupport.token) } == true)
        #expect(server.calls.count == 1, "static credentials: no re-authentication")
    }

    @Test func tooManyRequestsIsRateLimitedWithRetryAfter() async throws {
        let server = ApimoFakeServer { _ in
            ApimoFakeServer.json(#"{"status":429,"error":"Too Many Requests"}"#, status: 429, headers: ["Retry-After": "7"])
        }
        let connector = try ApimoTestSupport.connector(server)
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        }
        #expect(error?.kind == .rateLimited)
        #expect(error?.retryAfter == .seconds(7))
        #expect(server.calls.count == 2, "retried once after the wait, then reported")
    }

    @Test func embeddedErrorInA200IsAFailure() {
        let request = TransportRequest(method: .get, url: URL(string: "http://x/agencies/9/leads")!)
        let response = TransportResponse(status: 200, body: Data(#"{"status":403,"error":"Agency not granted"}"#.utf8))
        let error = ApimoErrors.decode(response, request: request, provider: "4242", redactor: Redactor())
        #expect(error?.kind == .permission)
        #expect(error?.message.contains("agency 9") == true)
        let fine = TransportResponse(status: 200, body: Data(#"{"leads":[],"total_items":0}"#.utf8))
        #expect(ApimoErrors.decode(fine, request: request, provider: "4242", redactor: Redactor()) == nil)
    }

    @Test func anAnswerWithoutTheListIsInvalid() async throws {
        let server = ApimoFakeServer { _ in ApimoFakeServer.json(#"{"something":"else"}"#) }
        let connector = try ApimoTestSupport.connector(server)
        let error = await #expect(throws: ConnectorError.self) {
            _ = try await ApimoTestSupport.collect(connector.read(Member.self, mode: .full, after: nil))
        }
        #expect(error?.kind == .invalidResponse)
    }

    @Test func theProfileCarriesTheDocumentedQuota() {
        let limits = VendorProfile.apimo.rateLimits
        // 10 documented; 8 one at a time keeps every one-second window at 10 or fewer, with slack.
        #expect(limits.requestsPerSecond == 8)
        #expect(limits.burst == 1)
        #expect(limits.dailyQuota == 1000)
        #expect(limits.quotaTimeZone == "Europe/Paris")
    }
}

@Suite struct ApimoConnectorWriteTests {
    @Test func createLeadPostsJSONWithStringIDs() async throws {
        let server = ApimoFakeServer { _ in ApimoFakeServer.json(#"{"id":987}"#, status: 201) }
        let connector = try ApimoTestSupport.connector(server)
        var contact = Contact()
        contact.firstName = "Léa"
        contact.lastName = "Martin"
        contact.email = "lea@example.fr"
        contact.ownerMemberSourceKey = "9"
        contact.contactType = "Lead"
        let result = try await connector.create(contact)
        #expect(result.remoteID == "lead-987")
        let call = try #require(server.calls.last)
        #expect(call.method == "POST")
        #expect(call.path == "/agencies/14/leads")
        #expect(call.contentType == "application/json")
        #expect(call.body?["user"] == .string("9"))
        #expect(call.body?["firstname"] == .string("Léa"))
    }

    @Test func createContactAndActionAndUpdateContact() async throws {
        let server = ApimoFakeServer { call in
            if call.path.hasPrefix("/catalogs") { return ApimoFakeServer.json(#"[{"id":1,"name":"Phone call"},{"id":2,"name":"E-mail"}]"#) }
            if call.method == "PUT" { return ApimoFakeServer.json(#"{"id":"55"}"#) }
            if call.method == "GET" {
                return ApimoFakeServer.json(
                    #"{"contacts":[{"id":"55","lastname":"Durand","city":"Lyon","updated_at":"2024-07-01 10:00:00"}],"total_items":1}"#)
            }
            return ApimoFakeServer.json(#"{"contact":{"id":"55"}}"#, status: 201)
        }
        let connector = try ApimoTestSupport.connector(server)
        var contact = Contact()
        contact.lastName = "Durand"
        contact.contactType = "Contact"
        contact.homeCity = "Lyon"
        #expect(try await connector.create(contact).remoteID == "55")
        #expect(server.calls.last?.path == "/agencies/14/contacts")
        #expect(server.calls.last?.body?["city"] == .string("Lyon"))
        contact.homeCity = "Lille"
        _ = try await connector.update(contact, remoteID: "55")
        #expect(server.calls.last?.method == "PUT")
        #expect(server.calls.last?.path == "/agencies/14/contacts/55")
        #expect(server.calls.last?.body == ["id": "55", "lastname": "Durand", "city": "Lille", "updated_at": "2024-07-01 10:00:00"])

        var activity = Activity()
        activity.activityType = "call"
        activity.ownerMemberSourceKey = "9"
        activity.contactSourceKey = "55"
        activity.startTimestamp = Timestamp.parse("2024-07-01T08:30:00Z")
        _ = try await connector.create(activity)
        let action = try #require(server.calls.last)
        #expect(action.path == "/agencies/14/actions")
        #expect(action.body?["type"] == .string("1"))
        #expect(action.body?["date"] == .string("2024-07-01"))
        #expect(action.body?["time_start"] == .string("10:30:00"), "Paris summer time")
        #expect(action.body?["contact"] == .string("55"))
    }

    @Test func leadsCannotBeUpdatedAndOnlyContactsCanBeLookedUp() async throws {
        let server = ApimoFakeServer { _ in ApimoFakeServer.json("{}") }
        let connector = try ApimoTestSupport.connector(server)
        let update = await #expect(throws: ConnectorError.self) { _ = try await connector.update(Contact(), remoteID: "lead-5") }
        #expect(update?.kind == .configuration)
        let lookup = await #expect(throws: ConnectorError.self) { _ = try await connector.lookup(Property()) }
        #expect(lookup?.kind == .configuration)
        // Nothing to look by: no request.
        #expect(try await connector.lookup(Contact()) == nil)
        #expect(ApimoConnector.declaredCapabilities.write(.contacts)?.lookupKeys == [.email, .phone])
        #expect(server.calls.isEmpty)
    }

    /// A lead is looked up among the leads changed in the last week (`timestamp`), by email or
    /// phone digits; a contact among the contacts. One request answers.
    @Test func lookupsReadOnlyRecentRecords() async throws {
        let server = ApimoFakeServer { call in
            if call.path == "/agencies/14/leads" {
                return ApimoFakeServer.json(
                    #"{"leads":[{"id":"7","email":"other@example.com","mobile":"+33 6 00 00 00 00"},{"id":"8","email":"Jane@Example.com","phone":"+33 1 23 45 67 89"}],"total_items":2}"#
                )
            }
            return ApimoFakeServer.json(#"{"contacts":[{"id":"31","email":"c@example.com","mobile":"0612345678"}],"total_items":1}"#)
        }
        let clock = ManualConnectorClock(start: Timestamp.parse("2026-06-10T12:00:00Z")!, autoAdvance: true)
        let connector = try ApimoConnector(
            configuration: ConnectorConfiguration(
                connectionID: "apimo-test", baseURL: URL(string: "http://127.0.0.1:9")!,
                credentials: .apimo(provider: "4242", token: ApimoTestSupport.token, agencyIDs: ["14"]),
                limits: .init(requestsPerSecond: 0, dailyQuota: 0)),
            transport: server, clock: clock, logger: KitFixtures.silentLogger)
        var lead = Contact()
        lead.contactType = "Lead"
        lead.email = "jane@example.com"
        #expect(try await connector.lookup(lead) == "lead-8")
        let asked = try #require(server.calls.first)
        #expect(asked.path == "/agencies/14/leads")
        // 2026-06-03T12:00:00Z, a week before the clock's now.
        #expect(asked.query["timestamp"] == "1780488000")
        #expect(asked.query["limit"] == "10000")
        #expect(server.calls.count == 1)

        lead.email = nil
        lead.homePhone = "01 23 45 67 89"
        #expect(try await connector.lookup(lead) == nil, "different digits: +33 is part of the stored number")
        lead.homePhone = "+33 (1) 23-45-67-89"
        #expect(try await connector.lookup(lead) == "lead-8")

        var client = Contact()
        client.contactType = "Client"
        client.mobilePhone = "06 12 34 56 78"
        #expect(try await connector.lookup(client) == "31")
        #expect(server.calls.last?.path == "/agencies/14/contacts")
        client.mobilePhone = "06 99 99 99 99"
        #expect(try await connector.lookup(client) == nil)
    }

    @Test func severalAgenciesNeedTheRecordsOwnAgency() async throws {
        let server = ApimoFakeServer { _ in ApimoFakeServer.json(#"{"id":"1"}"#) }
        let connector = try ApimoTestSupport.connector(server, agencies: ["14", "15"])
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.create(Contact()) }
        #expect(error?.kind == .configuration)
        var fromApimo = Contact(metadata: RecordMetadata(sourceSystemName: "apimo", raw: .object(["agency": .string("15")])))
        fromApimo.lastName = "X"
        fromApimo.contactType = "Lead"
        _ = try await connector.create(fromApimo)
        #expect(server.calls.last?.path == "/agencies/15/leads")
        // With no ContactType it is a contact.
        fromApimo.contactType = nil
        _ = try await connector.create(fromApimo)
        #expect(server.calls.last?.path == "/agencies/15/contacts")
    }
}
