import ConnectorKit
import Foundation
import Logging
import RealtyModel
import Testing

@testable import PFExpertConnector

/// Scripted PF Expert answers: a token endpoint issuing `tok-1`, `tok-2`, ... and API routes.
final class PFScript: Sendable {
    let tokens = KitCallCounter()
    let transport: KitScriptedTransport

    /// - Parameter api: answers an API request (not the token request); the second argument is
    ///   the 0-based index of API requests so far.
    init(api: @escaping @Sendable (TransportRequest, Int) async throws -> TransportResponse) {
        let tokens = self.tokens
        let apiCalls = KitCallCounter()
        transport = KitScriptedTransport { request, _ in
            if request.url.path.hasSuffix("/auth/oauth/v1/token") {
                let number = tokens.increment()
                return KitFixtures.json(#"{"access_token": "tok-\#(number)", "token_type": "Bearer", "expires_in": 1800}"#)
            }
            return try await api(request, apiCalls.increment() - 1)
        }
    }

    var apiRequests: [TransportRequest] { transport.requests.filter { !$0.url.path.hasSuffix("/token") } }
    var tokenRequests: [TransportRequest] { transport.requests.filter { $0.url.path.hasSuffix("/token") } }
}

func pfConnector(
    _ script: PFScript, clock: ManualConnectorClock = ManualConnectorClock(autoAdvance: true), logger: Logger = KitFixtures.silentLogger,
    pageSize: Int? = nil
) throws -> PFExpertConnector {
    var configuration = ConnectorConfiguration(
        connectionID: "pf-1", baseURL: URL(string: "http://127.0.0.1:9001")!, authURL: URL(string: "http://127.0.0.1:9002")!,
        credentials: .pfExpert(apiKey: "key.abcdefgh", apiSecret: "secret-0123456789"),
        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(5)))
    configuration.pageSize = pageSize
    return try PFExpertConnector(configuration: configuration, transport: script.transport, clock: clock, logger: logger)
}

private func query(_ request: TransportRequest) -> [String: String] {
    let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
    return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
}

private func collect<R: HubRecord>(_ stream: AsyncThrowingStream<ConnectorPage<R>, any Error>) async throws -> [ConnectorPage<R>] {
    var pages: [ConnectorPage<R>] = []
    for try await page in stream { pages.append(page) }
    return pages
}

private func usersPage(ids: ClosedRange<Int>, count: Int, page: Int) -> TransportResponse {
    let users = ids.map { #"{"id": \#($0), "first_name": "User \#($0)", "updated_at": "2024-03-0\#(page)T10:00:00Z"}"# }
    return KitFixtures.json(#"{"count": \#(count), "page": \#(page), "per_page": 100, "users": [\#(users.joined(separator: ","))]}"#)
}

@Suite struct PFExpertConnectorTests {
    /// The token request and the first API request, exactly as the document describes them.
    @Test func tokenAndListRequestShapes() async throws {
        let script = PFScript { _, _ in usersPage(ids: 1...2, count: 2, page: 1) }
        let connector = try pfConnector(script)
        let pages = try await collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(pages.count == 1)
        #expect(pages[0].isLast)
        #expect(pages[0].records.map(\.metadata.sourceKey) == ["1", "2"])
        #expect(pages[0].records.allSatisfy { $0.metadata.connectionID == "pf-1" && $0.metadata.sourceSystemName == "pf-expert" })

        let token = try #require(script.tokenRequests.first)
        #expect(token.method == .post)
        #expect(token.url.absoluteString == "http://127.0.0.1:9002/auth/oauth/v1/token")
        let basic = "Basic " + Data("key.abcdefgh:secret-0123456789".utf8).base64EncodedString()
        #expect(token.headers["Authorization"] == basic)
        #expect(token.headers["Content-Type"] == "application/json")
        let body = try JSONDecoder().decode([String: String].self, from: try #require(token.body))
        #expect(body == ["scope": "openid", "grant_type": "client_credentials"])

        let list = try #require(script.apiRequests.first)
        #expect(list.method == .get)
        #expect(list.url.host == "127.0.0.1" && list.url.port == 9001 && list.url.path == "/users")
        #expect(list.headers["Authorization"] == "Bearer tok-1")
        #expect(query(list) == ["page": "1", "per_page": "100", "sort": "id", "sort_order": "asc"])
    }

    /// Pages until `count` is covered; a cursor resumes after the page it came with.
    @Test func pagingAndResuming() async throws {
        let script = PFScript { request, _ in
            query(request)["page"] == "1" ? usersPage(ids: 1...100, count: 150, page: 1) : usersPage(ids: 101...150, count: 150, page: 2)
        }
        let connector = try pfConnector(script)
        let pages = try await collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(pages.map(\.records.count) == [100, 50])
        #expect(pages.map(\.isLast) == [false, true])
        #expect(script.apiRequests.map { query($0)["page"] } == ["1", "2"])

        let resumed = try await collect(connector.read(Member.self, mode: .full, after: pages[0].cursor))
        #expect(resumed.count == 1)
        #expect(resumed[0].records.first?.metadata.sourceKey == "101")
        #expect(query(try #require(script.apiRequests.last))["page"] == "2")
        #expect(script.tokenRequests.count == 1)
    }

    /// After a pass, an incremental read asks for properties newest change first and stops at
    /// the first one changed before the pass's newest change, on the page it arrives.
    @Test func incrementalReadGoesNewestFirstUntilTheMark() async throws {
        @Sendable func item(_ id: Int, _ updated: String) -> String {
            #"{"id": \#(id), "reference": "R\#(id)", "updated_at": "\#(updated)"}"#
        }
        let script = PFScript { request, _ in
            let page = query(request)["page"] ?? "1"
            let items: [String]
            switch (query(request)["sort"], page) {
            case ("id", _):
                items = [item(4, "2024-03-01T10:00:00Z"), item(5, "2024-03-05T10:00:00Z")]
            case (_, "1"):
                items = [item(9, "2024-04-02T00:00:00Z"), item(8, "2024-04-01T00:00:00Z")]
            default:
                items = [item(5, "2024-03-05T10:00:00Z"), item(4, "2024-03-01T10:00:00Z")]
            }
            let count = query(request)["sort"] == "id" ? 2 : 4
            return KitFixtures.json(
                #"{"count": \#(count), "page": \#(page), "per_page": 2, "properties": [\#(items.joined(separator: ","))]}"#)
        }
        let clock = ManualConnectorClock(start: Timestamp.parse("2024-06-01T00:00:00Z")!, autoAdvance: true)
        let connector = try pfConnector(script, clock: clock, pageSize: 2)
        let first = try await collect(connector.read(Property.self, mode: .full, after: nil))
        #expect(query(script.apiRequests[0])["sort"] == "id")
        #expect(query(script.apiRequests[0])["sort_order"] == "asc")
        let cursor = try #require(first.last?.cursor)

        let changes = try await collect(connector.read(Property.self, mode: .incremental, after: cursor))
        #expect(script.apiRequests.count == 3)
        let asked = script.apiRequests.dropFirst().map { query($0) }
        #expect(asked.map { $0["sort"] } == ["updated_at", "updated_at"])
        #expect(asked.map { $0["sort_order"] } == ["desc", "desc"])
        #expect(asked.map { $0["page"] } == ["1", "2"])
        #expect(asked.allSatisfy { $0.keys.allSatisfy { !$0.hasPrefix("filters") } })
        // 9 and 8 are new changes, 5 is the mark itself (kept: a change at that very second may
        // not have been seen), 4 is older and ends the read.
        #expect(changes.flatMap(\.records).map(\.metadata.sourceKey) == ["9", "8", "5"])
        #expect(changes.map(\.isLast) == [false, true])

        // The next incremental read starts from the newest change it saw.
        let next = try #require(changes.last?.cursor)
        _ = try await collect(connector.read(Property.self, mode: .incremental, after: next))
        #expect(script.apiRequests.count == 4)
        // A full read with the same cursor reads everything again, in id order.
        _ = try await collect(connector.read(Property.self, mode: .full, after: cursor))
        #expect(query(script.apiRequests[4])["sort"] == "id")
        let capability = try #require(connector.capabilities.read(.property))
        #expect(capability.incremental)
        #expect(capability.vendorEndpoints == ["GET /properties (sort=updated_at&sort_order=desc)"])
        #expect(connector.capabilities.read(.member)?.incremental == false)
    }

    /// Lead edits reach an incremental read: leads are read newest change first, not by
    /// creation date.
    @Test func incrementalLeadReadSeesEditsToOldLeads() async throws {
        let script = PFScript { request, _ in
            let sorted = query(request)["sort"] == "updated_at"
            let leads =
                sorted
                ? #"[{"id": 1, "created_at": "2020-01-01T00:00:00Z", "updated_at": "2024-05-01T00:00:00Z"}, {"id": 2, "created_at": "2024-02-01T00:00:00Z", "updated_at": "2024-02-01T00:00:00Z"}]"#
                : #"[{"id": 1, "created_at": "2020-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}, {"id": 2, "created_at": "2024-02-01T00:00:00Z", "updated_at": "2024-02-01T00:00:00Z"}]"#
            return KitFixtures.json(#"{"count": 2, "page": 1, "per_page": 100, "leads": \#(leads)}"#)
        }
        let clock = ManualConnectorClock(start: Timestamp.parse("2024-06-01T00:00:00Z")!, autoAdvance: true)
        let connector = try pfConnector(script, clock: clock)
        let full = try await collect(connector.read(Contact.self, mode: .full, after: nil))
        let changes = try await collect(connector.read(Contact.self, mode: .incremental, after: try #require(full.last?.cursor)))
        #expect(query(script.apiRequests[1])["filters[created][from]"] == nil)
        #expect(changes.flatMap(\.records).map(\.metadata.sourceKey) == ["1", "2"])
        // Each item's own text is kept for the store, byte for byte.
        #expect(
            full.flatMap(\.records).map(\.metadata.rawText) == [
                #"{"id": 1, "created_at": "2020-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}"#,
                #"{"id": 2, "created_at": "2024-02-01T00:00:00Z", "updated_at": "2024-02-01T00:00:00Z"}"#,
            ])
    }

    /// Tracked calls never change once made: an incremental read filters them by date, less a
    /// day.
    @Test func incrementalCallReadUsesTheDateFilter() async throws {
        let script = PFScript { request, _ in
            request.url.path == "/whatsapp-leads"
                ? KitFixtures.json(#"{"count": 0, "page": 1, "per_page": 100, "whatsapp": []}"#)
                : KitFixtures.json(
                    #"{"count": 1, "page": 1, "per_page": 100, "call_trackings": [{"id": 3, "phone": "+9714", "call_time": "2024-03-05T10:00:00Z"}]}"#
                )
        }
        let clock = ManualConnectorClock(start: Timestamp.parse("2024-06-01T00:00:00Z")!, autoAdvance: true)
        let connector = try pfConnector(script, clock: clock)
        let first = try await collect(connector.read(Activity.self, mode: .full, after: nil))
        #expect(query(script.apiRequests[1])["filters[date][from]"] == nil)
        _ = try await collect(connector.read(Activity.self, mode: .incremental, after: try #require(first.last?.cursor)))
        #expect(script.apiRequests[2].url.path == "/whatsapp-leads")
        #expect(query(script.apiRequests[3])["filters[date][from]"] == "2024-03-04")
    }

    /// Activities come from WhatsApp leads then tracked calls, with prefixed keys.
    @Test func activitiesReadBothLists() async throws {
        let script = PFScript { request, _ in
            switch request.url.path {
            case "/whatsapp-leads":
                return KitFixtures.json(
                    #"{"count": 1, "page": 1, "per_page": 100, "whatsapp": [{"id": 3, "phone": "+9715", "user": {"id": 7}}]}"#)
            default:
                return KitFixtures.json(
                    #"{"count": 1, "page": 1, "per_page": 100, "call_trackings": [{"id": 3, "phone": "+9714", "call_time": "2024-01-01T10:00:00Z", "lead": {"id": 9}, "user": {"id": 7}}]}"#
                )
            }
        }
        let connector = try pfConnector(script)
        let pages = try await collect(connector.read(Activity.self, mode: .full, after: nil))
        #expect(pages.map(\.isLast) == [false, true])
        #expect(pages.flatMap(\.records).map(\.metadata.sourceKey) == ["whatsapp-3", "call-3"])
        #expect(script.apiRequests.map(\.url.path) == ["/whatsapp-leads", "/calltrackings"])
    }

    /// A 401 drops the token and asks for a new one once; a second 401 fails with `.auth`
    /// naming the connection.
    @Test func reauthenticatesOnceOn401() async throws {
        let script = PFScript { request, index in
            if index == 0 { return KitFixtures.json(#"{"user": "AuthenticationError", "messages": ["Token expired"]}"#, status: 401) }
            return usersPage(ids: 1...1, count: 1, page: 1)
        }
        let connector = try pfConnector(script)
        let pages = try await collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(pages.first?.records.count == 1)
        #expect(script.tokenRequests.count == 2)
        #expect(script.apiRequests.map { $0.headers["Authorization"] } == ["Bearer tok-1", "Bearer tok-2"])

        let refusing = PFScript { _, _ in KitFixtures.json(#"{"user": "AuthenticationError", "messages": ["Invalid token"]}"#, status: 401)
        }
        let failing = try pfConnector(refusing)
        await #expect {
            _ = try await collect(failing.read(Member.self, mode: .full, after: nil))
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .auth && error.vendorCode == "AuthenticationError" && error.description.contains("pf-1")
        }
        #expect(refusing.tokenRequests.count == 2)
        #expect(refusing.apiRequests.count == 2)
    }

    /// Concurrent requests on one connection share one token request.
    @Test func concurrentRequestsShareOneToken() async throws {
        let script = PFScript { _, _ in
            KitFixtures.json(#"{"count": 1, "page": 1, "per_page": 100, "properties": [{"id": 5, "reference": "AP-1"}]}"#)
        }
        let connector = try pfConnector(script)
        var listing = Property()
        listing.listingID = "AP-1"
        let target = listing
        let found = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try await connector.lookup(target) } }
            var results: [String?] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(found == Array(repeating: "5", count: 8))
        #expect(script.tokenRequests.count == 1)
        #expect(script.apiRequests.count == 8)
    }

    /// The 30-minute token is renewed before it expires.
    @Test func renewsTheTokenBeforeExpiry() async throws {
        let script = PFScript { _, _ in usersPage(ids: 1...1, count: 1, page: 1) }
        let clock = ManualConnectorClock(autoAdvance: true)
        let connector = try pfConnector(script, clock: clock)
        _ = try await collect(connector.read(Member.self, mode: .full, after: nil))
        clock.advance(by: .seconds(1000))
        _ = try await collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(script.tokenRequests.count == 1)
        clock.advance(by: .seconds(760)) // 1760 s: within the 60 s renewal margin
        _ = try await collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(script.tokenRequests.count == 2)
        #expect(script.apiRequests.last?.headers["Authorization"] == "Bearer tok-2")
    }

    /// The documented error codes, each with its classification.
    @Test(arguments: [
        (404, #"{"user": "ResourceNotFound", "messages": ["No route found for \"GET /users/foo/bar\""]}"#, ConnectorError.Kind.notFound),
        (403, #"{"user": "AccessDenied", "messages": ["You need the right user.read"]}"#, .permission),
        (405, #"{"user": "MethodNotAllowed", "messages": ["No route found: Method Not Allowed"]}"#, .configuration),
        (400, #"{"user": "InvalidAction", "messages": ["Unknown action"]}"#, .configuration),
        (500, #"{"user": "InternalError", "messages": ["Unexpected"]}"#, .retryable),
        (400, #"{"user": "InvalidRequest", "messages": ["page: must be positive"]}"#, .validation),
        (502, "<html>Bad gateway</html>", .retryable),
    ])
    func documentedErrors(status: Int, body: String, kind: ConnectorError.Kind) async throws {
        let script = PFScript { _, _ in KitFixtures.json(body, status: status) }
        let connector = try pfConnector(script)
        await #expect {
            _ = try await collect(connector.read(Member.self, mode: .full, after: nil))
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == kind && error.httpStatus == status && error.vendor == .pfExpert
        }
        // Server failures are retried (3 attempts); the others are not.
        #expect(script.apiRequests.count == (kind == .retryable ? 3 : 1))
    }

    @Test func validationErrorsNameFields() throws {
        let response = KitFixtures.json(
            #"{"lead": "InvalidRequest", "messages": ["email: This value is not a valid email address.", "Lead already exists"]}"#,
            status: 400)
        let error = try #require(
            PFExpertErrors.classify(
                response, redactor: Redactor(), fieldNames: PFExpertErrors.leadFieldNames, resource: .contacts))
        #expect(error.kind == .validation)
        #expect(error.vendorCode == "InvalidRequest")
        #expect(
            error.fieldErrors == [
                FieldError(field: "Email", message: "This value is not a valid email address."),
                FieldError(field: "Contacts", message: "Lead already exists"),
            ])
        #expect(PFExpertErrors.classify(KitFixtures.json("{}", status: 204), redactor: Redactor()) == nil)
    }

    /// Creating a lead: `POST /leads` with `{"lead": {...}}`; the id comes from the body, or
    /// from `Location` when the body has none (the record is then read back).
    @Test func createLead() async throws {
        let script = PFScript { request, index in
            if index == 0 {
                return KitFixtures.json(
                    #"{"lead": {"id": 321, "first_name": "Jane"}}"#, status: 201,
                    headers: ["Location": "https://api-v2.mycrm.com/leads/321", "Content-Type": "application/json"])
            }
            if request.method == .get { return KitFixtures.json(#"{"lead": {"id": 322, "first_name": "Jane", "status": "new"}}"#) }
            return TransportResponse(status: 201, headers: ["Location": "https://api-v2.mycrm.com/leads/322"])
        }
        let connector = try pfConnector(script)
        var contact = Contact()
        contact.firstName = "Jane"
        contact.lastName = "Doe"
        contact.email = "jane@example.com"
        let result = try await connector.create(contact)
        #expect(result.remoteID == "321")
        #expect(result.location?.absoluteString == "https://api-v2.mycrm.com/leads/321")
        #expect(result.record?.metadata.sourceKey == "321")
        #expect(result.raw == .object(["id": .number(321), "first_name": .string("Jane")]))
        let request = try #require(script.apiRequests.first)
        #expect(request.method == .post)
        #expect(request.url.path == "/leads")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(!request.isIdempotent)
        let body = try JSONDecoder().decode(JSONValue.self, from: try #require(request.body))
        #expect(
            body
                == .object([
                    "lead": .object([
                        "first_name": .string("Jane"), "last_name": .string("Doe"), "email": .string("jane@example.com"),
                    ])
                ]))
        let second = try await connector.create(contact)
        #expect(second.remoteID == "322")
        #expect((second.record as? Contact)?.contactStatus == "New")
        #expect(script.apiRequests.map(\.url.path) == ["/leads", "/leads", "/leads/322"])
    }

    /// Updating: `PATCH /leads/{id}` with replace operations; a 204 keeps the id and the record
    /// is read back.
    @Test func updateLeadAndProperty() async throws {
        let script = PFScript { request, _ in
            switch (request.method, request.url.path) {
            case (.get, "/leads/77"): return KitFixtures.json(#"{"lead": {"id": 77, "email": "new@example.com"}}"#)
            case (.get, _): return KitFixtures.json(#"{"property": {"id": 5, "price": {"value": 10, "offering_type": "sale"}}}"#)
            default: return TransportResponse(status: 204)
            }
        }
        let connector = try pfConnector(script)
        var contact = Contact()
        contact.email = "new@example.com"
        let result = try await connector.update(contact, remoteID: "77")
        #expect(result.remoteID == "77")
        #expect((result.record as? Contact)?.email == "new@example.com")
        let request = try #require(script.apiRequests.first)
        #expect(request.method == .patch)
        #expect(request.url.path == "/leads/77")
        let body = try JSONDecoder().decode(JSONValue.self, from: try #require(request.body))
        #expect(
            body
                == .object([
                    "operations": .array([
                        .object(["op": .string("replace"), "path": .string("/email"), "value": .string("new@example.com")])
                    ])
                ]))
        var listing = Property()
        listing.listPrice = 10
        let property = try await connector.update(listing, remoteID: "5")
        #expect(script.apiRequests.suffix(2).map(\.url.path) == ["/properties/5", "/properties/5"])
        #expect(script.apiRequests.last?.headers["X-MyCRM-Expand-Data"] == "true")
        #expect((property.record as? Property)?.listPrice == 10)
        await #expect(throws: ConnectorError.self) { try await connector.update(contact, remoteID: "../users/1") }
        await #expect(throws: ConnectorError.self) { try await connector.create(Office()) }
    }

    /// A PATCH of replace operations is resent after a server failure; a POST is not (the
    /// delivery worker looks the lead up before creating it again).
    @Test func retriesFollowIdempotency() async throws {
        let patch = PFScript { request, index in
            if request.method == .get { return KitFixtures.json(#"{"lead": {"id": 9, "email": "a@example.com"}}"#) }
            return index == 0
                ? KitFixtures.json(#"{"lead": "InternalError", "messages": ["db"]}"#, status: 500) : TransportResponse(status: 204)
        }
        var contact = Contact()
        contact.email = "a@example.com"
        #expect(try await pfConnector(patch).update(contact, remoteID: "9").remoteID == "9")
        #expect(patch.apiRequests.filter { $0.method == .patch }.count == 2)

        contact.firstName = "A"
        let post = PFScript { _, _ in KitFixtures.json(#"{"lead": "InternalError", "messages": ["db"]}"#, status: 500) }
        await #expect {
            _ = try await pfConnector(post).create(contact)
        } throws: { ($0 as? ConnectorError)?.kind == .retryable }
        #expect(post.apiRequests.count == 1)
    }

    /// A lead is found among recent leads by email, or by mobile digits.
    @Test func lookupLead() async throws {
        let script = PFScript { _, _ in
            KitFixtures.json(
                #"""
                {"count": 2, "page": 1, "per_page": 100, "leads": [
                  {"id": 12, "email": "other@example.com", "mobile": "+971 50 000 0000"},
                  {"id": 11, "email": "JANE@example.com", "mobile": "+971501234567"}]}
                """#)
        }
        let clock = ManualConnectorClock(start: Timestamp.parse("2024-06-10T12:00:00Z")!, autoAdvance: true)
        let connector = try pfConnector(script, clock: clock)
        var contact = Contact()
        contact.email = "jane@example.com"
        #expect(try await connector.lookup(contact) == "11")
        let request = try #require(script.apiRequests.first)
        #expect(request.url.path == "/leads")
        #expect(query(request)["filters[created][from]"] == "2024-06-08")
        #expect(query(request)["sort_order"] == "desc")
        var byPhone = Contact()
        byPhone.mobilePhone = "+971 (50) 123-4567"
        #expect(try await connector.lookup(byPhone) == "11")
        var unknown = Contact()
        unknown.email = "nobody@example.com"
        #expect(try await connector.lookup(unknown) == nil)
        #expect(try await connector.lookup(Contact()) == nil)
    }

    @Test func lookupPropertyByReference() async throws {
        let script = PFScript { _, _ in
            KitFixtures.json(#"{"count": 1, "page": 1, "per_page": 100, "properties": [{"id": 5, "reference": "AP-1"}]}"#)
        }
        let connector = try pfConnector(script)
        var listing = Property()
        listing.listingID = "AP-1"
        #expect(try await connector.lookup(listing) == "5")
        #expect(query(try #require(script.apiRequests.first))["filters[reference]"] == "AP-1")
    }

    /// `X-MyCRM-API-Warning` is logged; secrets never are.
    @Test func warningHeaderIsLogged() async throws {
        let script = PFScript { _, _ in
            var response = usersPage(ids: 1...1, count: 1, page: 1)
            response.headers["X-MyCRM-API-Warning"] = "Field foo is deprecated"
            return response
        }
        let handler = KitRecordingLogHandler()
        let logger = Logger(label: "test", factory: { _ in handler })
        let connector = try pfConnector(script, logger: logger)
        _ = try await collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(handler.all.contains("Field foo is deprecated"))
        #expect(!handler.all.contains("secret-0123456789"))
        #expect(!handler.all.contains("tok-1"))
    }

    /// A malformed list fails the page with `.invalidResponse`, never a bare decoding error.
    @Test func malformedAnswers() async throws {
        for body in [#"{"count": 1, "users": {"id": 1}}"#, "not json", #"{"count": 1, "users": [{"first_name": "no id"}]}"#] {
            let script = PFScript { _, _ in KitFixtures.json(body) }
            let connector = try pfConnector(script)
            await #expect {
                _ = try await collect(connector.read(Member.self, mode: .full, after: nil))
            } throws: { error in
                (error as? ConnectorError)?.kind == .invalidResponse
            }
        }
        let script = PFScript { _, _ in usersPage(ids: 1...1, count: 1, page: 1) }
        let connector = try pfConnector(script)
        await #expect(throws: ConnectorError.self) { _ = try await collect(connector.read(Office.self, mode: .full, after: nil)) }
        await #expect(throws: ConnectorError.self) { _ = try await collect(connector.read(Member.self, mode: .full, after: "garbage")) }
    }
}
