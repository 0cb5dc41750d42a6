import ConnectorKit
import Foundation
import PFExpertConnector
import RealtyModel
import Sandbox
import Testing

/// PF Expert's connector against the PF Expert emulator over loopback.
@Suite struct PFExpertLiveTests {
    static let tokenPath = "/auth/oauth/v1/token"
    /// Quick retries so fault tests stay short.
    static let quickRetry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))

    static func contact(_ tag: String) -> Contact {
        var contact = Contact()
        contact.firstName = "Live"
        contact.lastName = "Test \(tag)"
        contact.email = "live.\(tag)@example.com"
        return contact
    }

    /// The auth URL exactly as `realtyhub sandbox --json` prints it (`auth_url`, the full token
    /// URL the vendor document prints too) works: the token is asked for once, at the token path,
    /// and every resource reads whole.
    @Test func theSandboxsPrintedAuthURLWorks() async throws {
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 12)) { live in
            let printed = try #require(try live.info(.pfExpert).authURL)
            #expect(printed.hasSuffix(Self.tokenPath))
            let connector = try live.connector(.pfExpert) { $0.authURL = URL(string: printed) }
            let users = try await connector.readAll(Member.self)
            let leads = try await connector.readAll(Contact.self)
            #expect(users.records.count == (try await emulatorCount(live, .pfExpert, "users")))
            #expect(leads.records.count == (try await emulatorCount(live, .pfExpert, "leads")))
            #expect(live.traffic.count(path: Self.tokenPath) == 1)
            #expect(live.traffic.count(path: Self.tokenPath + Self.tokenPath) == 0)
        }
    }

    /// An auth URL under which the emulator serves no token endpoint (it answers 404): the
    /// error names the missing endpoint (configuration), not refused credentials.
    @Test func aWrongAuthURLIsNoTokenEndpoint() async throws {
        try await withLiveSandbox([.pfExpert]) { live in
            let base = try live.info(.pfExpert).baseURL
            let connector = try live.connector(.pfExpert) { $0.authURL = URL(string: base + "/nowhere") }
            let error = await connectorError { _ = try await connector.readAll(Member.self) }
            #expect(error?.kind == .configuration)
            #expect(error?.httpStatus == 404)
            #expect(error?.message.contains("no token endpoint at \(base)/nowhere\(Self.tokenPath)") == true)
        }
    }

    /// Properties are read with their related objects expanded: City, the address, the building
    /// and the coordinates are the emulator's location record's, for every listing.
    @Test func propertiesCarryTheirLocation() async throws {
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 12)) { live in
            let connector = try live.connector(.pfExpert)
            let properties = try await connector.readAll(Property.self).records
            let emulator = try live.emulator(.pfExpert)
            let stored = try #require(try await emulator.control(.list(resource: "properties")).records)
            let locations = try #require(try await emulator.control(.list(resource: "locations")).records)
            // A relation is stored as `{"id": n}` or as the bare id.
            func id(_ value: JSONValue?) -> String? { value?.text("id") ?? value?.numberValue?.text ?? value?.stringValue }
            let locationByID = Dictionary(
                locations.compactMap { record in id(record).map { ($0, record) } }, uniquingKeysWith: { first, _ in first })
            let locationOfProperty = Dictionary(
                stored.compactMap { record in id(record).flatMap { key in id(record["location"]).map { (key, $0) } } },
                uniquingKeysWith: { first, _ in first })
            #expect(properties.count == stored.count)
            for property in properties {
                let key = try #require(property.metadata.sourceKey)
                let location = try #require(locationOfProperty[key].flatMap { locationByID[$0] })
                #expect(property.city == location["city"]?.stringValue)
                #expect(FieldRules.isPresent(property.city))
                #expect(property.buildingName == location["tower"]?.stringValue)
                #expect(property.latitude == location["latitude"]?.doubleValue)
                #expect(property.longitude == location["longitude"]?.doubleValue)
                #expect(property.unparsedAddress?.hasSuffix(location["city"]?.stringValue ?? "-") == true)
            }
        }
    }

    /// Every resource is read whole in pages of 7: the counts and ids are exactly the emulator's.
    @Test func fullPagingReturnsEveryRecordOnce() async throws {
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 23)) { live in
            let connector = try live.connector(.pfExpert) { $0.pageSize = 7 }
            let users = try await connector.readAll(Member.self)
            let properties = try await connector.readAll(Property.self)
            let leads = try await connector.readAll(Contact.self)
            let activity = try await connector.readAll(Activity.self)

            let userCount = try await emulatorCount(live, .pfExpert, "users")
            let propertyCount = try await emulatorCount(live, .pfExpert, "properties")
            let leadCount = try await emulatorCount(live, .pfExpert, "leads")
            let whatsAppCount = try await emulatorCount(live, .pfExpert, "whatsapp-leads")
            let callCount = try await emulatorCount(live, .pfExpert, "calltrackings")
            #expect(users.records.count == userCount)
            #expect(properties.records.count == propertyCount)
            #expect(leads.records.count == leadCount)
            #expect(activity.records.count == whatsAppCount + callCount)
            #expect(leads.pages >= 4)
            let leadIDs = Set(try await live.emulator(.pfExpert).control(.list(resource: "leads")).ids)
            #expect(Set(leads.records.compactMap(\.metadata.sourceKey)) == leadIDs)
            #expect(leads.records.allSatisfy { $0.metadata.raw != nil && $0.metadata.connectionID == "live-test" })
        }
    }

    /// After a full pass, mutated properties and leads come back in an incremental pass. The
    /// connector reads them newest change first (`sort=updated_at&sort_order=desc`) and stops at
    /// the first record older than its mark, so a second incremental pass returns exactly the
    /// records changed at or after the first pass's newest change: both batches, nothing older.
    @Test(arguments: ["properties", "leads"])
    func incrementalReturnsTheChangedRecords(resource: String) async throws {
        let start = Date(timeIntervalSince1970: 1_780_272_000) // 2026-06-01, after every seeded stamp
        let clock = SandboxClock.manual(start: start)
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 30), clock: clock) { live in
            let connector = try live.connector(.pfExpert) { $0.pageSize = 10 }
            func read(_ mode: ReadMode, after cursor: String?) async throws -> (keys: Set<String>, pages: Int, cursor: String?) {
                if resource == "leads" {
                    let pass = try await connector.readAll(Contact.self, mode: mode, after: cursor)
                    return (Set(pass.records.compactMap(\.metadata.sourceKey)), pass.pages, pass.cursor)
                }
                let pass = try await connector.readAll(Property.self, mode: mode, after: cursor)
                return (Set(pass.records.compactMap(\.metadata.sourceKey)), pass.pages, pass.cursor)
            }
            let full = try await read(.full, after: nil)
            let count = try await emulatorCount(live, .pfExpert, resource)
            #expect(full.keys.count == count)

            let first = try await live.emulator(.pfExpert).control(.mutate(resource: resource, count: 3)).ids
            let pass1 = try await read(.incremental, after: full.cursor)
            #expect(pass1.keys.isSuperset(of: first))
            #expect(pass1.keys.count < full.keys.count)

            clock.advance(by: .seconds(3 * 86_400))
            let second = try await live.emulator(.pfExpert).control(.mutate(resource: resource, count: 2)).ids
            let pass2 = try await read(.incremental, after: pass1.cursor)
            #expect(pass2.keys == Set(first + second))
            // Five changed records fit one page of ten: the read ended on its first page.
            #expect(pass2.pages == 1)
        }
    }

    /// A created lead is written once at the vendor and found again by its email.
    @Test func createLeadRoundTrip() async throws {
        try await withLiveSandbox([.pfExpert]) { live in
            let connector = try live.connector(.pfExpert)
            let contact = Self.contact("roundtrip")
            let created = try await connector.create(contact)
            let writes = live.sandbox.writeLog.entries(vendor: .pfExpert, resource: "leads", operation: .create)
            #expect(writes.count == 1)
            #expect(writes.first?.id == created.remoteID)
            #expect(try await connector.lookup(contact) == created.remoteID)

            var changed = contact
            changed.lastName = "Changed"
            #expect(try await connector.update(changed, remoteID: created.remoteID).remoteID == created.remoteID)
            #expect(live.sandbox.writeLog.entries(vendor: .pfExpert, resource: "leads", operation: .update).count == 1)
        }
    }

    /// 500, 502, 503 and 429 on a page read are retried and the read completes.
    @Test(arguments: [FaultKind.serverError(500), .serverError(502), .serverError(503), .rateLimited, .reset])
    func retryableFaultsAreRecoveredOnReads(kind: FaultKind) async throws {
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 12)) { live in
            let connector = try live.connector(.pfExpert) {
                $0.pageSize = 5
                $0.retry = Self.quickRetry
            }
            try await connector.verify()
            try live.faults(.pfExpert).enqueue([FaultInjection(kind: kind, count: 2, method: "GET", path: "/leads", retryAfter: 0)])
            let leads = try await connector.readAll(Contact.self)
            #expect(leads.records.count == 12)
            #expect(try live.faults(.pfExpert).injectedCounts[kind.name] == 2)
        }
    }

    /// A vendor that never answers, a connection reset on every attempt and a truncated body
    /// each end in a classified error, not a bare decoding or transport error.
    @Test func unrecoverableFaultsAreClassified() async throws {
        let settings = EmulatorSettings(faults: FaultPlan(timeoutHold: .seconds(5)))
        try await withLiveSandbox([.pfExpert], settings: settings) { live in
            let connector = try live.connector(.pfExpert) {
                $0.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
                $0.timeouts = .init(request: .seconds(1))
            }
            try await connector.verify()
            let faults = try live.faults(.pfExpert)

            faults.enqueue([FaultInjection(kind: .timeout, count: 2, path: "/users")])
            let timeout = await connectorError { _ = try await connector.readAll(Member.self) }
            #expect(timeout?.kind == .retryable)
            #expect(timeout?.vendor == .pfExpert)
            #expect(timeout?.message.contains("no answer") == true)

            faults.enqueue([FaultInjection(kind: .reset, count: 2, path: "/users")])
            let reset = await connectorError { _ = try await connector.readAll(Member.self) }
            #expect(reset?.kind == .retryable)

            faults.enqueue([FaultInjection(kind: .garbage, count: 1, path: "/users")])
            let garbage = await connectorError { _ = try await connector.readAll(Member.self) }
            #expect(garbage?.kind == .invalidResponse)
            #expect(garbage?.httpStatus == 200)
        }
    }

    /// The lead is created but the answer is lost: the POST is not resent (a second one would
    /// duplicate the lead), the error is retryable for the caller, and the vendor holds one lead.
    @Test func lostCreateIsNotResent() async throws {
        try await withLiveSandbox([.pfExpert]) { live in
            let connector = try live.connector(.pfExpert) { $0.retry = Self.quickRetry }
            try live.faults(.pfExpert).enqueue([FaultInjection(kind: .lost, method: "POST", path: "/leads")])
            let error = await connectorError { _ = try await connector.create(Self.contact("lost")) }
            #expect(error?.kind == .retryable)
            #expect(error?.httpStatus == 500)
            #expect(live.sandbox.writeLog.entries(vendor: .pfExpert, resource: "leads", operation: .create).count == 1)
            #expect(live.traffic.count(path: "/leads", method: .post) == 1)
            // The delivery worker's next step finds the lead that was created.
            #expect(try await connector.lookup(Self.contact("lost")) != nil)
        }
    }

    /// The token expires between two pages (the sandbox clock moves past its 30 minutes): the
    /// 401 triggers one renewal and the read completes with every record.
    @Test func tokenExpiringMidPaginationIsRenewed() async throws {
        let clock = SandboxClock.manual()
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 20), clock: clock) { live in
            let connector = try live.connector(.pfExpert) { $0.pageSize = 5 }
            var count = 0
            var pages = 0
            for try await page in connector.read(Contact.self, mode: .full, after: nil) {
                count += page.records.count
                pages += 1
                if pages == 2 { clock.advance(by: .seconds(31 * 60)) }
            }
            #expect(count == 20)
            #expect(live.traffic.count(path: Self.tokenPath) == 2)
        }
    }

    /// A short token lifetime (4 s) with slowed pages (1 s each, six pages): the token runs
    /// out during the read, whether the renewal comes before expiry or after a 401, and the
    /// read completes. (A fresh token must outlive one request even while the whole suite
    /// loads the machine, hence not 1 or 2 s.)
    @Test func shortTokenLifetimeDuringPagination() async throws {
        let settings = EmulatorSettings(records: 24, tokenTTL: .seconds(4), latency: .seconds(1))
        try await withLiveSandbox([.pfExpert], settings: settings) { live in
            let connector = try live.connector(.pfExpert) {
                $0.pageSize = 4
                $0.tokenRenewalMargin = .zero
            }
            let leads = try await connector.readAll(Contact.self)
            #expect(leads.records.count == 24)
            #expect(live.traffic.count(path: Self.tokenPath) >= 2)
        }
    }

    /// Eight concurrent reads on a new connection share one token request; after the tokens are
    /// revoked at the vendor, eight concurrent reads share one renewal.
    @Test func concurrentRequestsShareOneRenewal() async throws {
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 10)) { live in
            let connector = try live.connector(.pfExpert)
            let counts = try await Self.concurrentReads(connector, times: 8)
            #expect(counts == Array(repeating: 10, count: 8))
            #expect(live.traffic.count(path: Self.tokenPath) == 1)

            _ = try await live.emulator(.pfExpert).control(.custom(op: "expire_tokens", arguments: ["op": "expire_tokens"]))
            let again = try await Self.concurrentReads(connector, times: 8)
            #expect(again == Array(repeating: 10, count: 8))
            #expect(live.traffic.count(path: Self.tokenPath) == 2)
        }
    }

    static func concurrentReads(_ connector: any Connector, times: Int) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<times {
                group.addTask { try await connector.readAll(Member.self).records.count }
            }
            var counts: [Int] = []
            for try await count in group { counts.append(count) }
            return counts
        }
    }

    /// A 429 with `Retry-After: 1` makes the read wait about a second, then it succeeds.
    @Test func retryAfterIsHonoured() async throws {
        try await withLiveSandbox([.pfExpert], settings: EmulatorSettings(records: 5)) { live in
            let connector = try live.connector(.pfExpert)
            try await connector.verify()
            try live.faults(.pfExpert).enqueue([FaultInjection(kind: .rateLimited, path: "/users", retryAfter: 1)])
            let started = ContinuousClock.now
            let users = try await connector.readAll(Member.self)
            let elapsed = ContinuousClock.now - started
            #expect(users.records.count == 5)
            #expect(elapsed >= .milliseconds(950))
            #expect(elapsed < .seconds(8))
        }
    }
}
