import ConnectorKit
import Foundation
import Logging
import RealtyModel
import Synchronization
import Testing

@testable import BostonLogicConnector

func blConnector(_ transport: KitScriptedTransport, baseURL: String = "http://127.0.0.1:9004") throws -> BostonLogicConnector {
    let configuration = ConnectorConfiguration(
        connectionID: "bl-1", baseURL: URL(string: baseURL)!,
        credentials: .bostonLogic(apiKey: "bl-key-0123456789", host: "www.brokerage.example"),
        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(5)))
    return try BostonLogicConnector(
        configuration: configuration, transport: transport, clock: ManualConnectorClock(autoAdvance: true),
        logger: KitFixtures.silentLogger)
}

private func collect<R: HubRecord>(_ stream: AsyncThrowingStream<ConnectorPage<R>, any Error>) async throws -> [ConnectorPage<R>] {
    var pages: [ConnectorPage<R>] = []
    for try await page in stream { pages.append(page) }
    return pages
}

private func query(_ request: TransportRequest) -> [String: String] {
    let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
    return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
}

func blSuccess(_ data: String) -> TransportResponse {
    KitFixtures.json(#"{"status": "success", "message": "", "data": \#(data)}"#)
}

@Suite struct BostonLogicConnectorTests {
    /// The key header, the bound host and the JSON content type on every request.
    @Test func requestShapes() async throws {
        let transport = KitScriptedTransport { _, _ in
            blSuccess(#"[{"id": 3, "name": "Back Bay", "active_status": "active"}]"#)
        }
        let connector = try blConnector(transport)
        let pages = try await collect(connector.read(Office.self, mode: .full, after: nil))
        #expect(pages.count == 1)
        #expect(pages[0].isLast)
        #expect(pages[0].records.map(\.name) == ["Back Bay"])
        #expect(pages[0].records.first?.metadata.connectionID == "bl-1")
        let request = try #require(transport.requests.first)
        #expect(request.method == .get)
        #expect(request.url.absoluteString == "http://127.0.0.1:9004/api/v2/offices?active_status=all")
        #expect(request.headers["X-BL-API-Key"] == "bl-key-0123456789")
        #expect(request.headers["Host"] == "www.brokerage.example")
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(transport.requests.count == 1)
    }

    /// Roster lists ask for active and inactive records alike (an inactive agent must not be
    /// swept as deleted); leads take no status filter.
    @Test func rosterListsAskForEveryActiveStatus() async throws {
        let transport = KitScriptedTransport { request, _ in
            request.url.path.hasSuffix("/teams")
                ? blSuccess(#"[{"id": 7, "name": "North", "active_status": "inactive"}]"#)
                : blSuccess(#"[{"id": 3, "name": "Old office", "first_name": "Ex", "last_name": "Agent", "active_status": "inactive"}]"#)
        }
        let connector = try blConnector(transport)
        let offices = try await collect(connector.read(Office.self, mode: .full, after: nil)).flatMap(\.records)
        _ = try await collect(connector.read(Member.self, mode: .full, after: nil))
        _ = try await collect(connector.read(Team.self, mode: .full, after: nil))
        _ = try await collect(connector.read(TeamMember.self, mode: .full, after: nil))
        _ = try await collect(connector.read(Contact.self, mode: .full, after: nil))
        #expect(offices.map(\.metadata.sourceKey) == ["3"])
        #expect(
            transport.requests.map { "\($0.url.path) \(query($0)["active_status"] ?? "-")" } == [
                "/api/v2/offices all", "/api/v2/agents all", "/api/v2/employees all", "/api/v2/teams all", "/api/v2/teams all",
                "/api/v2/leads -",
            ])
    }

    /// A lead's raw payload keeps numbers a Double cannot hold, digit for digit.
    @Test func rawKeepsBigIntegersAndLongDecimalsExactly() async throws {
        let transport = KitScriptedTransport { _, _ in
            blSuccess(
                #"[{"id": 41, "first_name": "Ana", "last_name": "Reyes", "email": "ana@example.com", "external_ref": 12345678901234567890123, "budget": 1234567.1234567890123456789}]"#
            )
        }
        let connector = try blConnector(transport)
        let pages = try await collect(connector.read(Contact.self, mode: .full, after: nil))
        let raw = try #require(pages.flatMap(\.records).first?.metadata.raw)
        #expect(raw["external_ref"]?.numberValue?.text == "12345678901234567890123")
        #expect(raw["budget"]?.numberValue?.text == "1234567.1234567890123456789")
        #expect(raw.jsonText.contains(#""external_ref":12345678901234567890123"#))
    }

    /// Agents then employees make the Member pass; employee keys are prefixed.
    @Test func membersFromAgentsAndEmployees() async throws {
        let transport = KitScriptedTransport { request, _ in
            request.url.path.hasSuffix("/agents")
                ? blSuccess(#"[{"id": 12, "first_name": "Maria", "last_name": "Lopez"}]"#)
                : blSuccess(#"[{"id": 12, "first_name": "Front", "last_name": "Desk"}]"#)
        }
        let connector = try blConnector(transport)
        let pages = try await collect(connector.read(Member.self, mode: .full, after: nil))
        #expect(pages.map(\.isLast) == [false, true])
        #expect(pages.flatMap(\.records).map(\.metadata.sourceKey) == ["12", "employee-12"])
        #expect(pages.flatMap(\.records).map(\.type) == ["Agent", "Employee"])
        // Resuming after the agents page reads the employees only.
        let resumed = try await collect(connector.read(Member.self, mode: .full, after: pages[0].cursor))
        #expect(resumed.flatMap(\.records).map(\.metadata.sourceKey) == ["employee-12"])
    }

    /// Pages are followed only when the answer announces them; a server that ignores `page`
    /// is caught by the repeated records.
    @Test func pagingWhenAnnounced() async throws {
        let announced = KitScriptedTransport { request, _ in
            let page = query(request)["page"] ?? "1"
            return KitFixtures.json(
                #"""
                {"status": "success", "data": [{"id": \#(page)}], "meta": {"page": \#(page), "total_pages": 2}}
                """#)
        }
        let pages = try await collect(try blConnector(announced).read(Contact.self, mode: .full, after: nil))
        #expect(pages.flatMap(\.records).map(\.metadata.sourceKey) == ["1", "2"])
        #expect(announced.requests.map { query($0)["page"] } == [nil, "2"])

        let ignoring = KitScriptedTransport { _, _ in
            KitFixtures.json(#"{"status": "success", "data": [{"id": 1}, {"id": 2}], "total": 5}"#)
        }
        let repeated = try await collect(try blConnector(ignoring).read(Contact.self, mode: .full, after: nil))
        #expect(repeated.flatMap(\.records).map(\.metadata.sourceKey) == ["1", "2"])
        #expect(ignoring.requests.count == 2)
    }

    @Test func teamsAndMemberships() async throws {
        let transport = KitScriptedTransport { _, _ in
            blSuccess(#"[{"id": 8, "name": "Harbor", "team_lead_id": 12, "agent_ids": [12, 13]}]"#)
        }
        let connector = try blConnector(transport)
        let teams = try await collect(connector.read(Team.self, mode: .full, after: nil))
        #expect(teams.flatMap(\.records).map(\.leadSourceKey) == ["12"])
        let members = try await collect(connector.read(TeamMember.self, mode: .full, after: nil))
        #expect(members.flatMap(\.records).map(\.metadata.sourceKey) == ["8-12", "8-13"])
    }

    /// Activities: the lead list, then each lead's property views and notes.
    @Test func activitiesPerLead() async throws {
        let transport = KitScriptedTransport { request, _ in
            switch request.url.path {
            case "/api/v2/leads": return blSuccess(#"[{"id": 301}, {"id": 302}]"#)
            case "/api/v2/leads/301/property_views":
                return blSuccess(#"[{"id": 71, "mls_id": "724", "viewed_at": "2019-09-13T14:00:00Z"}]"#)
            case "/api/v2/leads/301/property_notes": return blSuccess(#"[{"id": 5, "note": "Nice"}]"#)
            case "/api/v2/leads/302/property_views": return blSuccess("[]")
            case "/api/v2/leads/302/property_notes":
                return KitFixtures.json(#"{"status": "failure", "message": "Not found", "errors": ["Lead not found"]}"#, status: 404)
            case "/api/v2/leads/302": return KitFixtures.json(#"{"status": "failure", "errors": ["Lead not found"]}"#, status: 404)
            default: return KitFixtures.json(#"{"status": "failure"}"#, status: 500)
            }
        }
        let connector = try blConnector(transport)
        let pages = try await collect(connector.read(Activity.self, mode: .full, after: nil))
        let records = pages.flatMap(\.records)
        #expect(records.map(\.metadata.sourceKey) == ["view-71", "note-5"])
        #expect(records.map(\.contactSourceKey) == ["301", "301"])
        #expect(pages.last?.isLast == true)
    }

    /// A 404 on the views of a lead that still exists is a real failure, not an empty list.
    @Test func missingActivityListFails() async throws {
        let transport = KitScriptedTransport { request, _ in
            switch request.url.path {
            case "/api/v2/leads": return blSuccess(#"[{"id": 301}]"#)
            case "/api/v2/leads/301": return blSuccess(#"{"id": 301}"#)
            default: return KitFixtures.json(#"{"status": "failure", "errors": ["No route"]}"#, status: 404)
            }
        }
        let connector = try blConnector(transport)
        await #expect {
            _ = try await collect(connector.read(Activity.self, mode: .full, after: nil))
        } throws: { ($0 as? ConnectorError)?.kind == .notFound }
    }

    /// The documented permission refusal is `.permission`; a refused key is `.auth`; neither
    /// is retried or re-authenticated (an API key cannot be renewed).
    @Test func permissionAndAuthErrors() async throws {
        let permission = KitScriptedTransport { _, _ in
            KitFixtures.json(
                #"""
                {"status": "unauthorized", "message": "Office not created", "errors": ["API Key does not have permissions to create offices"]}
                """#, status: 401)
        }
        var office = Office()
        office.name = "Seaport"
        await #expect {
            _ = try await blConnector(permission).create(office)
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .permission && error.httpStatus == 401 && error.vendorCode == "unauthorized"
                && error.message.contains("API Key does not have permissions to create offices")
        }
        #expect(permission.requests.count == 1)

        let badKey = KitScriptedTransport { _, _ in
            KitFixtures.json(#"{"status": "unauthorized", "message": "Unauthorized", "errors": ["Invalid API Key"]}"#, status: 401)
        }
        await #expect {
            try await blConnector(badKey).verify()
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .auth && error.description.contains("bl-1") && !error.description.contains("bl-key-0123456789")
        }
        #expect(badKey.requests.count == 1)

        // A key that may not read offices is still a valid key.
        try await blConnector(permission).verify()
    }

    /// The documented failure body: `.validation` with the vendor's errors.
    @Test func failureIsValidation() async throws {
        let transport = KitScriptedTransport { _, _ in
            KitFixtures.json(
                #"{"status": "failure", "message": "Office not created", "errors": ["Office name must be unique"]}"#, status: 422)
        }
        var office = Office()
        office.name = "Back Bay"
        await #expect {
            _ = try await blConnector(transport).create(office)
        } throws: { error in
            guard let error = error as? ConnectorError else { return false }
            return error.kind == .validation
                && error.fieldErrors == [FieldError(field: "Office", message: "Office name must be unique")]
        }
        // A failure envelope in a 200 answer is a failure too.
        let hidden = KitScriptedTransport { _, _ in
            KitFixtures.json(#"{"status": "failure", "message": "Lead not created", "errors": ["Email is invalid"]}"#)
        }
        await #expect {
            _ = try await blConnector(hidden).create(Contact())
        } throws: { ($0 as? ConnectorError)?.kind == .validation }
        let serverError = KitScriptedTransport { _, _ in KitFixtures.json(#"{"status": "failure"}"#, status: 500) }
        await #expect {
            _ = try await collect(blConnector(serverError).read(Office.self, mode: .full, after: nil))
        } throws: { ($0 as? ConnectorError)?.kind == .retryable }
        #expect(serverError.requests.count == 3)
    }

    /// Create, patch and delete a lead; create an employee.
    @Test func writes() async throws {
        let transport = KitScriptedTransport { request, _ in
            switch request.method {
            case .post where request.url.path.hasSuffix("/employees"):
                return KitFixtures.json(#"{"status": "success", "message": "Employee created", "data": {"id": 40}}"#, status: 201)
            case .post:
                return KitFixtures.json(
                    #"{"status": "success", "message": "Lead created", "data": {"id": 301, "first_name": "Ana"}}"#, status: 201)
            case .patch: return blSuccess(#"{"id": 301}"#)
            default: return TransportResponse(status: 204)
            }
        }
        let connector = try blConnector(transport)
        var contact = Contact()
        contact.firstName = "Ana"
        contact.email = "ana@example.com"
        contact.ownerMemberSourceKey = "12"
        let created = try await connector.create(contact)
        #expect(created.remoteID == "301")
        #expect(created.raw?["first_name"] == .string("Ana"))
        let post = transport.requests[0]
        #expect(post.method == .post && post.url.path == "/api/v2/leads")
        #expect(
            try JSONDecoder().decode(JSONValue.self, from: try #require(post.body))
                == .object(["first_name": .string("Ana"), "email": .string("ana@example.com"), "agent_id": .number(12)]))

        contact.lastName = "Silva"
        #expect(try await connector.update(contact, remoteID: "301").remoteID == "301")
        #expect(transport.requests[1].method == .patch && transport.requests[1].url.path == "/api/v2/leads/301")

        try await connector.delete(Contact.self, remoteID: "301")
        #expect(transport.requests[2].method == .delete && transport.requests[2].url.path == "/api/v2/leads/301")
        #expect(transport.requests.allSatisfy { $0.headers["Content-Type"] == "application/json" })

        var employee = Member()
        employee.firstName = "Front"
        employee.lastName = "Desk"
        employee.email = "front@brokerage.com"
        employee.type = "Employee"
        #expect(try await connector.create(employee).remoteID == "employee-40")
        _ = try await connector.update(employee, remoteID: "employee-40")
        #expect(transport.requests.last?.url.path == "/api/v2/employees/40")
        await #expect(throws: ConnectorError.self) { try await connector.delete(Activity.self, remoteID: "1") }
        await #expect(throws: ConnectorError.self) { try await connector.update(contact, remoteID: "1/../2") }
    }

    /// Agents by email (the documented filter, checked again here), offices by unique name,
    /// leads by email or phone.
    @Test func lookups() async throws {
        let transport = KitScriptedTransport { request, _ in
            switch request.url.path {
            case "/api/v2/agents": return blSuccess(#"[{"id": 12, "email": "Maria@Brokerage.com"}, {"id": 13, "email": "x@y.co"}]"#)
            case "/api/v2/employees": return blSuccess("[]")
            case "/api/v2/offices": return blSuccess(#"[{"id": 3, "name": "Back Bay "}]"#)
            default: return blSuccess(#"[{"id": 301, "email": "tom@example.com", "phone": "617-555-0199"}]"#)
            }
        }
        let connector = try blConnector(transport)
        var member = Member()
        member.email = "maria@brokerage.com"
        #expect(try await connector.lookup(member) == "12")
        #expect(query(transport.requests[0])["email"] == "maria@brokerage.com")
        var office = Office()
        office.name = "back bay"
        #expect(try await connector.lookup(office) == "3")
        var contact = Contact()
        contact.mobilePhone = "(617) 555-0199"
        #expect(try await connector.lookup(contact) == "301")
        contact = Contact()
        contact.email = "nobody@example.com"
        #expect(try await connector.lookup(contact) == nil)
        #expect(try await connector.lookup(Team()) == nil)
        await #expect(throws: ConnectorError.self) { _ = try await connector.lookup(Activity()) }
    }
    /// A lead is looked up with `email=`: one request when the server honours the filter; a
    /// server that ignores it (answers every lead) is searched as answered, without asking again;
    /// a filtered empty answer leaves phone numbers to a full read.
    @Test(arguments: [true, false])
    func leadLookupAsksByEmailFirst(serverFilters: Bool) async throws {
        let leads = [
            #"{"id": 301, "email": "tom@example.com", "phone": "617-555-0199"}"#,
            #"{"id": 302, "email": "Ann@Example.com", "phone": "617-555-0100"}"#,
        ]
        let transport = KitScriptedTransport { request, _ in
            guard serverFilters, let email = query(request)["email"] else { return blSuccess("[\(leads.joined(separator: ","))]") }
            return blSuccess("[\(leads.filter { $0.lowercased().contains("\"\(email)\"") }.joined(separator: ","))]")
        }
        let connector = try blConnector(transport)
        var contact = Contact()
        contact.email = "ann@example.com"
        #expect(try await connector.lookup(contact) == "302")
        #expect(transport.requests.count == 1)
        #expect(query(transport.requests[0])["email"] == "ann@example.com")

        // No lead has this email; the phone matches lead 301.
        contact.email = "new@example.com"
        contact.mobilePhone = "(617) 555-0199"
        #expect(try await connector.lookup(contact) == "301")
        let asked = transport.requests.dropFirst().map { query($0)["email"] }
        // A filtering server answered nothing for the email, so the phones needed a full read;
        // an ignoring one already answered every lead.
        #expect(asked == (serverFilters ? ["new@example.com", nil] : ["new@example.com"]))

        // Only exact email matches count: a server answering a near match is not believed.
        contact.mobilePhone = nil
        contact.email = "om@example.com"
        #expect(try await connector.lookup(contact) == nil)
    }
    /// Incremental activity reads ask for the views and notes of the leads changed since the
    /// previous pass only (by their `updated_at`; a lead without one is always read); a full
    /// read asks for every lead's.
    @Test func incrementalActivitiesReadOnlyChangedLeads() async throws {
        let stamps = Mutex(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"])
        let transport = KitScriptedTransport { request, _ in
            if request.url.path == "/api/v2/leads" {
                let (first, second) = stamps.withLock { ($0[0], $0[1]) }
                return blSuccess(
                    #"[{"id": 301, "email": "a@x.co", "updated_at": "\#(first)"}, {"id": 302, "email": "b@x.co", "updated_at": "\#(second)"}, {"id": 303, "email": "c@x.co"}]"#
                )
            }
            return blSuccess("[]")
        }
        let connector = try blConnector(transport)
        #expect(connector.capabilities.read(.activity)?.incremental == true)
        func leadsAsked(since index: Int) -> [String] {
            transport.requests.dropFirst(index).map(\.url.path).filter { $0.hasSuffix("/property_views") }
        }
        var pages: [ConnectorPage<Activity>] = []
        for try await page in connector.read(Activity.self, mode: .full, after: nil) { pages.append(page) }
        #expect(leadsAsked(since: 0).count == 3)
        let mark = try #require(pages.last?.cursor)

        stamps.withLock { $0[1] = "2024-02-01T00:00:00Z" }
        var before = transport.requests.count
        var next: String?
        for try await page in connector.read(
            Activity.self, mode: .incremental, after: connector.incrementalCursor(afterFullPass: mark, since: Date()))
        {
            next = page.cursor ?? next
        }
        #expect(leadsAsked(since: before) == ["/api/v2/leads/302/property_views", "/api/v2/leads/303/property_views"])

        before = transport.requests.count
        for try await _ in connector.read(Activity.self, mode: .incremental, after: next) {}
        #expect(leadsAsked(since: before) == ["/api/v2/leads/303/property_views"])

        before = transport.requests.count
        for try await _ in connector.read(Activity.self, mode: .full, after: next) {}
        #expect(leadsAsked(since: before).count == 3)
    }
}
