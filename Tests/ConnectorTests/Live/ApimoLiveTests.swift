import ApimoConnector
import ConnectorKit
import Connectors
import Foundation
import Logging
import RealtyModel
import Sandbox
import Synchronization
import Testing

/// The Apimo connector against the Apimo emulator over loopback: paging per agency, `timestamp`
/// increments, writes, faults, the 10 requests/second limit, the daily quota and agency grants.
@Suite struct ApimoLiveTests {
    /// The agencies the demo provider is granted (`agency_ids` of the demo credentials).
    static let grantedAgencies: Set<String> = ["14", "27"]

    // MARK: - Reading

    @Test func fullPassesOfEveryListHaveExactCounts() async throws {
        let settings = EmulatorSettings(records: 130, apimoRatePerSecond: 10_000, apimoDailyQuota: 100_000)
        try await withLiveSandbox([.apimo], settings: settings) { live in
            let connector = try ApimoLive.connector(live)
            let offices = try await connector.readAll(Office.self)
            #expect(Set(offices.records.compactMap(\.metadata.sourceKey)) == Self.grantedAgencies)

            let members = try await connector.readAll(Member.self)
            #expect(members.records.count == (try await ApimoLive.count(live, "users")))

            let properties = try await connector.readAll(Property.self)
            let expectedProperties = try await ApimoLive.count(live, "properties")
            #expect(expectedProperties == 260)
            #expect(properties.records.count == expectedProperties)
            #expect(Set(properties.records.compactMap(\.metadata.sourceKey)).count == expectedProperties)
            // 130 a agency, pages of up to 1,000: one page per agency.
            #expect(properties.pages == 2)

            let contacts = try await connector.readAll(Contact.self)
            let expectedContacts = try await ApimoLive.count(live, "contacts")
            let expectedLeads = try await ApimoLive.count(live, "leads")
            #expect(contacts.records.count == expectedContacts + expectedLeads)
            let keys = contacts.records.compactMap(\.metadata.sourceKey)
            #expect(Set(keys).count == expectedContacts + expectedLeads)
            #expect(keys.filter { $0.hasPrefix("lead-") }.count == expectedLeads)
            #expect(try live.faults(.apimo).injectedCounts.isEmpty)
        }
    }

    @Test func incrementalReadsReturnTheChangedRecordsSinceTheLastPass() async throws {
        let clock = SandboxClock.manual()
        let settings = EmulatorSettings(records: 40, apimoRatePerSecond: 10_000, apimoDailyQuota: 100_000)
        try await withLiveSandbox([.apimo], settings: settings, clock: clock) { live in
            let connector = try ApimoLive.connector(live)
            let first = try await connector.readAll(Property.self, mode: .incremental)
            #expect(first.records.count == 80)

            clock.advance(by: .seconds(60))
            let changedAt = clock.now
            let emulator = try live.emulator(.apimo)
            let mutated = try await emulator.control(.mutate(resource: "properties", count: 6)).ids
            let inserted = try await emulator.control(.insert(resource: "properties", count: 3)).ids
            let agencyOf = try await ApimoLive.agencies(live, "properties")
            let expected = Set((mutated + inserted).filter { Self.grantedAgencies.contains(agencyOf[$0] ?? "") })

            let second = try await connector.readAll(Property.self, mode: .incremental, after: first.cursor)
            let keys = Set(second.records.compactMap(\.metadata.sourceKey))
            #expect(expected.isSubset(of: keys))
            // `timestamp` is "changed at or after", so the newest record of the previous pass may
            // come again (the boundary second is re-read rather than risk missing a change made
            // in it); nothing older than that comes back.
            let extras = second.records.filter { !expected.contains($0.metadata.sourceKey ?? "") }
            #expect(extras.count <= 2)
            #expect(extras.allSatisfy { ($0.metadata.sourceModificationTimestamp ?? .distantFuture) < changedAt })
        }
    }

    // MARK: - Writing

    @Test func createdLeadAndContactAreWrittenOnce() async throws {
        let settings = EmulatorSettings(records: 10)
        try await withLiveSandbox([.apimo], settings: settings) { live in
            let connector = try ApimoLive.connector(live, agencies: ["14"])
            var lead = Contact()
            lead.firstName = "Camille"
            lead.lastName = "Durand"
            lead.email = "camille.durand@example.fr"
            lead.contactType = "Lead"
            let created = try await connector.create(lead)
            #expect(created.remoteID.hasPrefix("lead-"))
            let leads = live.sandbox.writeLog.entries(vendor: .apimo, resource: "leads", operation: .create)
            #expect(leads.count == 1)
            #expect("lead-" + (leads.first?.id ?? "") == created.remoteID)
            #expect(leads.first?.keys["agency"] == "14")
            #expect(leads.first?.keys["email"] == "camille.durand@example.fr")

            var contact = Contact()
            contact.firstName = "Louis"
            contact.lastName = "Martin"
            contact.mobilePhone = "+33 6 12 34 56 78"
            contact.contactType = "Contact"
            let createdContact = try await connector.create(contact)
            let contacts = live.sandbox.writeLog.entries(vendor: .apimo, resource: "contacts", operation: .create)
            #expect(contacts.count == 1)
            #expect(contacts.first?.id == createdContact.remoteID)

            // The created lead is read back with the others.
            let read = try await connector.readAll(Contact.self)
            #expect(read.records.contains { $0.metadata.sourceKey == created.remoteID && $0.email == lead.email })

            // Both are found again by email or phone among the recently changed records (a lost
            // create answer is not sent twice), and strangers are not.
            #expect(try await connector.lookup(lead) == created.remoteID)
            #expect(try await connector.lookup(contact) == createdContact.remoteID)
            var stranger = Contact()
            stranger.email = "nobody@example.fr"
            #expect(try await connector.lookup(stranger) == nil)
        }
    }

    // MARK: - Faults

    @Test(arguments: ["500", "502", "503", "429"])
    func retryableFaultsOnReadsAreRecovered(kind: String) async throws {
        try await withLiveSandbox([.apimo], settings: EmulatorSettings(records: 20)) { live in
            let connector = try ApimoLive.connector(live)
            let fault = try #require(FaultKind(name: kind))
            try live.faults(.apimo).enqueue([FaultInjection(kind: fault, count: 2, method: "GET", retryAfter: 0)])
            let members = try await connector.readAll(Member.self)
            #expect(members.records.count == 40)
            #expect(try live.faults(.apimo).injectedCounts[kind] == 2)
        }
    }

    @Test func timeoutResetAndGarbageFailWithClassifiedErrors() async throws {
        try await withLiveSandbox([.apimo], settings: EmulatorSettings(records: 5), readTimeout: .seconds(5)) { live in
            let connector = try ApimoLive.connector(live) { configuration in
                // Long enough for an unfaulted request on a loaded machine, well short of the hold.
                configuration.timeouts = .init(request: .milliseconds(1500))
                configuration.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
            }
            let injector = try live.faults(.apimo)
            injector.setPlan(try FaultPlan(spec: "timeout=4s"))

            injector.enqueue([FaultInjection(kind: .timeout, count: 2, method: "GET")])
            let timeout = await connectorError { _ = try await connector.readAll(Office.self) }
            #expect(timeout?.kind == .retryable)
            #expect(timeout?.vendor == .apimo)
            #expect(timeout?.operation == "GET /agencies")

            injector.enqueue([FaultInjection(kind: .reset, count: 2, method: "GET")])
            let reset = await connectorError { _ = try await connector.readAll(Office.self) }
            #expect(reset?.kind == .retryable)

            injector.enqueue([FaultInjection(kind: .garbage, count: 1, method: "GET")])
            let garbage = await connectorError { _ = try await connector.readAll(Office.self) }
            #expect(garbage?.kind == .invalidResponse)

            // A single timeout is recovered by the resend.
            injector.enqueue([FaultInjection(kind: .timeout, count: 1, method: "GET")])
            #expect(try await connector.readAll(Office.self).records.count == 2)
        }
    }

    @Test func lostCreateIsNotResentBlindly() async throws {
        try await withLiveSandbox([.apimo], settings: EmulatorSettings(records: 5)) { live in
            let connector = try ApimoLive.connector(live, agencies: ["27"])
            try live.faults(.apimo).enqueue([FaultInjection(kind: .lost, count: 1, method: "POST")])
            var lead = Contact()
            lead.contactType = "Lead"
            lead.lastName = "Bernard"
            lead.email = "bernard@example.fr"
            let error = await connectorError { _ = try await connector.create(lead) }
            #expect(error?.kind == .retryable)
            #expect(error?.httpStatus == 500)
            #expect(live.traffic.count(path: "/agencies/27/leads", method: .post) == 1)
            #expect(live.sandbox.writeLog.entries(vendor: .apimo, resource: "leads", operation: .create).count == 1)
        }
    }

    // MARK: - Limits and grants

    @Test func burstOfReadsStaysWithinTenRequestsPerSecond() async throws {
        // The emulator enforces 10 requests in any one-second window; the connector's limiter
        // must keep a burst of page reads (four at a time) under it without a single 429.
        try await withLiveSandbox([.apimo], settings: EmulatorSettings(records: 70)) { live in
            let statuses = ApimoStatusLog(base: live.transport)
            let connector = try ApimoLive.connector(live, transport: statuses) { configuration in
                configuration.pageSize = 10
            }
            let started = ContinuousClock.now
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await connector.readAll(Member.self).records.count }
                group.addTask { try await connector.readAll(Property.self).records.count }
                var counts: [Int] = []
                for try await count in group { counts.append(count) }
                return counts.sorted()
            }
            #expect(counts == [140, 140])
            #expect(statuses.count >= 32)
            #expect(statuses.count(status: 429) == 0)
            // 32 requests one at a time, 8 a second.
            #expect(ContinuousClock.now - started >= .seconds(2))
        }
    }

    @Test func exhaustedDailyQuotaFailsRateLimitedWithTheWaitUntilMidnight() async throws {
        try await withLiveSandbox([.apimo], settings: EmulatorSettings(records: 5, apimoDailyQuota: 3)) { live in
            let connector = try ApimoLive.connector(live)
            let error = await connectorError { _ = try await connector.readAll(Property.self) }
            #expect(error?.kind == .rateLimited)
            #expect(error?.httpStatus == 429)
            let wait = try #require(error?.retryAfter)
            #expect(wait > .seconds(60), "the whole wait until Paris midnight, not a clamped retry")
            #expect(wait <= .seconds(25 * 3600))
            // Failed at once: three requests, one refused, no retries on a quota that is used up.
            #expect(live.traffic.total == 4)
        }
    }

    @Test func agencyNotGrantedFailsWithPermission() async throws {
        try await withLiveSandbox([.apimo], settings: EmulatorSettings(records: 5)) { live in
            let connector = try ApimoLive.connector(live, agencies: ["14", "38"])
            let verify = await connectorError { try await connector.verify() }
            #expect(verify?.kind == .permission)
            #expect(verify?.httpStatus == 403)
            #expect(verify?.message.contains("38") == true)

            let read = await connectorError { _ = try await connector.readAll(Member.self) }
            #expect(read?.kind == .permission)
        }
    }

    @Test func retryAfterIsHonoured() async throws {
        try await withLiveSandbox([.apimo], settings: EmulatorSettings(records: 5)) { live in
            let connector = try ApimoLive.connector(live)
            try live.faults(.apimo).enqueue([FaultInjection(kind: .rateLimited, count: 1, method: "GET", retryAfter: 2)])
            let started = ContinuousClock.now
            let offices = try await connector.readAll(Office.self)
            let elapsed = ContinuousClock.now - started
            #expect(offices.records.count == 2)
            #expect(elapsed >= .milliseconds(1900), "waited as long as Retry-After said")
            #expect(elapsed < .seconds(8))
            #expect(live.traffic.count(path: "/agencies", method: .get) == 2)
        }
    }
}

/// Helpers of the Apimo live tests.
enum ApimoLive {
    /// The Apimo connector of `live` with the emulator's demo credentials, quick retries, and
    /// the agencies `agencies` (default: the demo grant).
    ///
    /// The sandbox publishes `agency_ids` as comma-separated text (its credentials are a flat
    /// map of strings), while the credentials file takes a JSON array; the ids are split here.
    static func connector(
        _ live: LiveSandbox, agencies: [String]? = nil, transport: (any HTTPTransport)? = nil,
        adjust: (inout ConnectorConfiguration) -> Void = { _ in }
    ) throws -> any Connector {
        let info = try live.info(.apimo)
        guard let baseURL = URL(string: info.baseURL) else { throw LiveHarnessError("bad base URL \(info.baseURL)") }
        let published = (info.credentials["agency_ids"] ?? "").split(separator: ",").map(String.init)
        let object: [String: Any] = [
            "provider": info.credentials["provider"] ?? "", "token": info.credentials["token"] ?? "",
            "agency_ids": agencies ?? published,
        ]
        let credentials = try ApimoCredentials.decode(
            json: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        var configuration = ConnectorConfiguration(
            connectionID: "apimo-live", baseURL: baseURL, credentials: credentials,
            retry: RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(100), maxRetryAfter: .seconds(5)))
        adjust(&configuration)
        var logger = Logger(label: "realtyhub.live-test.apimo")
        logger.logLevel = .critical
        return try ConnectorRegistry.make(
            vendor: .apimo, configuration: configuration, transport: transport ?? live.transport, logger: logger)
    }

    /// The emulator's records of `resource` in the demo provider's agencies.
    static func count(_ live: LiveSandbox, _ resource: String) async throws -> Int {
        try await agencies(live, resource).values.filter { ApimoLiveTests.grantedAgencies.contains($0) }.count
    }

    /// Record id → agency id of the emulator's records of `resource`.
    static func agencies(_ live: LiveSandbox, _ resource: String) async throws -> [String: String] {
        let listed = try await live.emulator(.apimo).control(.list(resource: resource))
        var map: [String: String] = [:]
        for record in listed.records ?? [] {
            guard let id = record["id"]?.stringValue, let agency = record["agency"]?.stringValue else { continue }
            map[id] = agency
        }
        return map
    }
}

/// A transport remembering the status of every answer it forwards.
final class ApimoStatusLog: HTTPTransport {
    private let base: any HTTPTransport
    private let statuses = Mutex<[Int]>([])

    init(base: any HTTPTransport) { self.base = base }

    func send(_ request: TransportRequest) async throws -> TransportResponse {
        let response = try await base.send(request)
        statuses.withLock { $0.append(response.status) }
        return response
    }

    /// Answers received.
    var count: Int { statuses.withLock { $0.count } }

    /// Answers received with `status`.
    func count(status: Int) -> Int { statuses.withLock { $0.filter { $0 == status }.count } }
}
