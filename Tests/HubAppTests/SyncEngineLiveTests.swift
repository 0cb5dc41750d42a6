import AsyncHTTPClient
import ConnectorKit
import Foundation
import HubApp
import HubStore
import HubStoreSQLite
import Logging
import RealtyModel
import Sandbox
import SyncEngine
import Synchronization
import Testing

/// The sync engine against the sandbox emulators over loopback, with a real store.
@Suite struct SyncEngineLiveTests {
    /// A sandbox, an in-memory store with one tenant, and a connection to one emulator.
    struct Harness {
        let sandbox: RunningSandbox
        let store: SQLiteHubStore
        let http: HTTPClient
        let provider: RegistryConnectorProvider
        let connectionID = "conn-1"
        let tenant = "t1"
        let logger = Logger(label: "test")

        /// - Parameters:
        ///   - apimoDailyQuota: the Apimo emulator's quota (a million: out of the way).
        ///   - clock: the emulators' clock.
        ///   - credentials: credentials replacing the emulator's, by key (Apimo `agency_ids`: a
        ///     comma-separated list).
        ///   - configure: changes to the connection before it is saved.
        ///   - makeProvider: builds the provider over the transport and the store (default: the
        ///     registry's, sharing nothing).
        static func start(
            _ vendor: SandboxVendor, records: Int = 20, apimoDailyQuota: Int = 1_000_000, clock: SandboxClock = .wall(),
            credentials replaced: [String: String] = [:], configure: (inout Connection) -> Void = { _ in },
            makeProvider: ((any HTTPTransport, SQLiteHubStore) -> RegistryConnectorProvider)? = nil
        ) async throws -> Harness {
            let sandbox = try await SandboxRunner.start(
                SandboxOptions(
                    vendors: [vendor],
                    settings: EmulatorSettings(records: records, apimoRatePerSecond: 1000, apimoDailyQuota: apimoDailyQuota),
                    clock: clock))
            let store = try SQLiteHubStore.inMemory(secretBox: SecretBox(keys: [SecretKey.generate().key]))
            let http = VendorHTTPConfiguration.standard.makeClient()
            let logger = Logger(label: "test")
            let transport = AsyncHTTPClientTransport(client: http)
            let provider = makeProvider?(transport, store) ?? RegistryConnectorProvider(transport: transport, logger: logger)
            let harness = Harness(sandbox: sandbox, store: store, http: http, provider: provider)
            _ = try await store.createTenant(id: harness.tenant, name: "Test")
            guard let info = sandbox.info(vendor) else { throw ContractError("no emulator for \(vendor)") }
            let now = Date()
            let given = info.credentials.merging(replaced) { $1 }
            let credentials = try JSONSerialization.data(
                withJSONObject: Dictionary(
                    uniqueKeysWithValues: given.map { key, value -> (String, Any) in
                        if vendor == .propq, let number = Int(value) { return (key, number) }
                        if vendor == .apimo, key == "agency_ids" { return (key, value.split(separator: ",").map(String.init)) }
                        return (key, value)
                    }))
            var connection = Connection(
                id: harness.connectionID, tenantID: harness.tenant, vendor: vendor.rawValue, name: vendor.rawValue,
                baseURL: info.baseURL, authURL: info.authURL.map { _ in info.baseURL }, createdAt: now, updatedAt: now)
            configure(&connection)
            _ = try await store.saveConnection(connection, credentials: credentials)
            return harness
        }

        func runner(now: @escaping @Sendable () -> Date = { Date() }, lookback: TimeInterval = PullRunner.defaultLookback) -> PullRunner {
            PullRunner(store: store, connectors: provider, now: now, lookback: lookback, logger: logger)
        }

        func shutdown() async throws {
            try await http.shutdown()
            try await sandbox.shutdown()
        }

        func count(_ resource: String, _ vendor: SandboxVendor) async throws -> Int {
            try await sandbox.emulator(vendor)?.control(.list(resource: resource)).ids.count ?? -1
        }
    }

    struct ContractError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func fullPassThenIncrementalPicksUpExactlyTheMutations() async throws {
        let harness = try await Harness.start(.mycrm, records: 30)
        defer { Task { try? await harness.shutdown() } }
        let expected = try await harness.count("Leads", .mycrm) + harness.count("Contacts", .mycrm)

        let first = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .incremental)
        #expect(first.status == .succeeded, "\(first.error ?? "")")
        #expect(first.mode == .full, "the first pull is a full pass")
        #expect(first.inserted == expected && first.updated == 0 && first.deleted == 0)
        let stored = try await harness.store.list(Contact.self, tenant: harness.tenant, query: ListQuery(perPage: 1))
        #expect(stored.total == expected)

        let quiet = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .incremental)
        #expect(quiet.status == .succeeded, "\(quiet.error ?? "")")
        #expect(quiet.mode == .incremental)
        #expect(quiet.inserted == 0 && quiet.updated == 0 && quiet.deleted == 0, "nothing changed: \(quiet)")
        #expect(quiet.unchanged == 0, "the first incremental read after a full pass asks only for changes since the pass: \(quiet)")

        let mutated = try #require(await harness.sandbox.emulator(.mycrm)?.control(.mutate(resource: "Leads", count: 3)).ids)
        let removed = try #require(await harness.sandbox.emulator(.mycrm)?.control(.delete(resource: "Contacts", count: 2)).ids)
        let changes = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .contacts, mode: .incremental)
        #expect(changes.status == .succeeded, "\(changes.error ?? "")")
        #expect(changes.inserted == 0 && changes.updated == mutated.count && changes.deleted == removed.count, "\(changes)")
        let live = try await harness.store.list(Contact.self, tenant: harness.tenant, query: ListQuery(perPage: 1))
        #expect(live.total == expected - removed.count)
        let runs = try await harness.store.listSyncRuns(tenant: harness.tenant, connectionID: harness.connectionID, limit: 10)
        #expect(runs.count == 3 && runs.allSatisfy { $0.status == .succeeded })
    }

    /// The bookmark of an incremental read is capped at the run's start minus the lookback.
    /// Here the hub's clock runs an hour behind the vendor's: changes the vendor stamped after
    /// the run started (by the hub's clock) are read again by the next run, never skipped; with
    /// the hub's clock in step and no lookback, the next run reads nothing.
    @Test func incrementalBookmarkIsCappedAtRunStartMinusLookback() async throws {
        let harness = try await Harness.start(.mycrm, records: 20)
        defer { Task { try? await harness.shutdown() } }
        let behind: @Sendable () -> Date = { Date().addingTimeInterval(-3600) }
        let t = harness.tenant
        let c = harness.connectionID
        _ = try await harness.runner().run(tenant: t, connectionID: c, resource: .contacts, mode: .full)
        _ = try await harness.runner().run(tenant: t, connectionID: c, resource: .contacts, mode: .incremental)

        let mutated = try #require(await harness.sandbox.emulator(.mycrm)?.control(.mutate(resource: "Leads", count: 3)).ids)
        let changes = try await harness.runner(now: behind).run(tenant: t, connectionID: c, resource: .contacts, mode: .incremental)
        #expect(changes.status == .succeeded && changes.updated == mutated.count, "\(changes)")
        let again = try await harness.runner(now: behind).run(tenant: t, connectionID: c, resource: .contacts, mode: .incremental)
        #expect(again.status == .succeeded, "\(again.error ?? "")")
        #expect(again.updated == 0 && again.unchanged >= mutated.count, "re-read from the capped bookmark: \(again)")

        let inStep = try await harness.runner(lookback: 0).run(tenant: t, connectionID: c, resource: .contacts, mode: .incremental)
        #expect(inStep.status == .succeeded && inStep.updated == 0, "\(inStep)")
        let quiet = try await harness.runner(lookback: 0).run(tenant: t, connectionID: c, resource: .contacts, mode: .incremental)
        #expect(quiet.status == .succeeded && quiet.unchanged + quiet.updated + quiet.inserted == 0, "nothing re-read: \(quiet)")
    }

    @Test func deletionsOnlyAfterACompletedFullPassAndAFailedPassResumes() async throws {
        let harness = try await Harness.start(.pfExpert, records: 250)
        defer { Task { try? await harness.shutdown() } }
        let first = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .member, mode: .full)
        #expect(first.status == .succeeded, "\(first.error ?? "")")
        let users = try await harness.count("users", .pfExpert)
        #expect(first.inserted == users && first.pages >= 3)

        _ = try await harness.sandbox.emulator(.pfExpert)?.control(.delete(resource: "users", count: 2))
        // Page two fails for longer than the connector retries: the pass stops part-way.
        harness.sandbox.faults(.pfExpert)?.enqueue([FaultInjection(kind: .serverError(503), count: 20, method: "GET", path: "/users")])
        let broken = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .member, mode: .full)
        #expect(broken.status == .failed)
        #expect(broken.deleted == 0, "an incomplete pass deletes nothing")
        var live = try await harness.store.list(Member.self, tenant: harness.tenant, query: ListQuery(perPage: 1))
        #expect(live.total == users)

        harness.sandbox.faults(.pfExpert)?.clear()
        let resumed = try await harness.runner().run(
            tenant: harness.tenant, connectionID: harness.connectionID, resource: .member, mode: .full)
        #expect(resumed.status == .succeeded, "\(resumed.error ?? "")")
        #expect(resumed.deleted == 2, "the completed pass finds the two deletions: \(resumed)")
        live = try await harness.store.list(Member.self, tenant: harness.tenant, query: ListQuery(perPage: 1))
        #expect(live.total == users - 2)
    }

    @Test func aLostResponseIsDeliveredExactlyOnce() async throws {
        let harness = try await Harness.start(.mycrm)
        defer { Task { try? await harness.shutdown() } }
        var lead = Contact()
        lead.firstName = "Ada"
        lead.lastName = "Exactly-Once"
        lead.email = "ada.once@example.com"
        lead.contactType = "Lead"
        let payload = try JSONEncoder().encode(lead)
        let delivery = try #require(
            try await harness.store.enqueue(
                [
                    NewDelivery(
                        tenantID: harness.tenant, connectionID: harness.connectionID, kind: .leadCreate, payload: payload, maxAttempts: 5)
                ],
                now: Date()
            ).first)

        // Log in first, so the fault below hits the create and not the login.
        let connection = try #require(try await harness.store.connection(id: harness.connectionID, tenant: harness.tenant))
        let credentials = try await harness.store.credentials(connectionID: harness.connectionID, tenant: harness.tenant)
        try await harness.provider.connector(for: connection, credentials: credentials).verify()
        // The vendor performs the create, then the answer is lost.
        harness.sandbox.faults(.mycrm)?.enqueue([FaultInjection(kind: .lost, count: 1, method: "POST", path: "/webservice.php")])
        let clock = TestNow()
        let worker = DeliveryWorker(
            store: harness.store, connectors: harness.provider, owner: "w1", now: { clock.now }, random: { 0 }, logger: harness.logger)
        #expect(try await worker.runOnce() == 1)
        var state = try #require(try await harness.store.delivery(id: delivery.id, tenant: harness.tenant))
        #expect(state.state == .retryWait, "\(state.lastError ?? "")")

        clock.advance(600)
        #expect(try await worker.runOnce() == 1)
        state = try #require(try await harness.store.delivery(id: delivery.id, tenant: harness.tenant))
        #expect(state.state == .done, "\(state.lastError ?? "")")
        #expect(state.remoteID != nil)
        let creates = harness.sandbox.writeLog.entries(vendor: .mycrm, operation: .create)
            .filter { $0.keys.values.contains("ada.once@example.com") }
        #expect(creates.count == 1, "created exactly once, found \(creates.count)")
        #expect(creates.first?.id == state.remoteID)
    }

    @Test func deadLetterAfterTheBudgetAndRetryFromIt() async throws {
        let harness = try await Harness.start(.mycrm)
        defer { Task { try? await harness.shutdown() } }
        var lead = Contact()
        lead.firstName = "Bea"
        lead.lastName = "Budget"
        lead.email = "budget@example.com"
        lead.contactType = "Lead"
        let delivery = try #require(
            try await harness.store.enqueue(
                [
                    NewDelivery(
                        tenantID: harness.tenant, connectionID: harness.connectionID, kind: .leadCreate,
                        payload: try JSONEncoder().encode(lead), maxAttempts: 2)
                ],
                now: Date()
            ).first)
        harness.sandbox.faults(.mycrm)?.enqueue([FaultInjection(kind: .serverError(503), count: 50, method: "POST")])
        let clock = TestNow()
        let worker = DeliveryWorker(
            store: harness.store, connectors: harness.provider, owner: "w1", now: { clock.now }, random: { 0 }, logger: harness.logger)
        _ = try await worker.runOnce()
        clock.advance(3600)
        _ = try await worker.runOnce()
        var state = try #require(try await harness.store.delivery(id: delivery.id, tenant: harness.tenant))
        #expect(state.state == .dead && state.attempts == 2, "\(state.state) after \(state.attempts)")
        #expect(state.lastError?.contains("budget") == true)

        harness.sandbox.faults(.mycrm)?.clear()
        _ = try await harness.store.retryDelivery(id: delivery.id, tenant: harness.tenant, now: clock.now)
        #expect(try await worker.runOnce() == 1)
        state = try #require(try await harness.store.delivery(id: delivery.id, tenant: harness.tenant))
        #expect(state.state == .done, "\(state.state): \(state.lastError ?? "")")
        let creates = harness.sandbox.writeLog.entries(vendor: .mycrm, operation: .create)
            .filter { $0.keys.values.contains("budget@example.com") }
        #expect(creates.count == 1)
    }
}

/// A hand-advanced wall clock for the worker's schedule (backoff times), shared across tasks.
final class TestNow: Sendable {
    private let state = Mutex(Date())
    var now: Date { state.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { state.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A lead delivered through each kind of fault the sandbox injects is created exactly once.
@Suite struct DeliveryUnderFaultsTests {
    static let kinds: [String] = ["500", "502", "503", "429", "timeout", "reset", "garbage", "slow", "lost", "lost-reset"]

    @Test(arguments: kinds)
    func deliveredExactlyOnce(_ kind: String) async throws {
        let harness = try await SyncEngineLiveTests.Harness.start(.mycrm)
        defer { Task { try? await harness.shutdown() } }
        // Short holds so the timeout and slow faults cost seconds, not the defaults.
        harness.sandbox.faults(.mycrm)?.setPlan(try FaultPlan(spec: "timeout=1s,slow=300ms,retry-after=1"))
        let connection = try #require(try await harness.store.connection(id: harness.connectionID, tenant: harness.tenant))
        let credentials = try await harness.store.credentials(connectionID: harness.connectionID, tenant: harness.tenant)
        try await harness.provider.connector(for: connection, credentials: credentials).verify()

        let email = "fault-\(kind)@example.com"
        var lead = Contact()
        lead.firstName = "Fault"
        lead.lastName = kind
        lead.email = email
        lead.contactType = "Lead"
        let delivery = try #require(
            try await harness.store.enqueue(
                [
                    NewDelivery(
                        tenantID: harness.tenant, connectionID: harness.connectionID, kind: .leadCreate,
                        payload: try JSONEncoder().encode(lead), maxAttempts: 6)
                ],
                now: Date()
            ).first)
        let fault: FaultKind
        switch kind {
        case "429": fault = .rateLimited
        case "timeout": fault = .timeout
        case "reset": fault = .reset
        case "garbage": fault = .garbage
        case "slow": fault = .slow
        case "lost": fault = .lost
        case "lost-reset": fault = .lostReset
        default: fault = .serverError(Int(kind) ?? 500)
        }
        harness.sandbox.faults(.mycrm)?.enqueue([FaultInjection(kind: fault, count: 2, method: "POST", path: "/webservice.php")])

        let clock = TestNow()
        let worker = DeliveryWorker(
            store: harness.store, connectors: harness.provider, owner: "w1", now: { clock.now }, random: { 0 }, logger: harness.logger)
        var state = delivery
        for _ in 0..<6 where state.state != .done && state.state != .dead {
            _ = try await worker.runOnce()
            clock.advance(3600)
            state = try #require(try await harness.store.delivery(id: delivery.id, tenant: harness.tenant))
        }
        #expect(state.state == .done, "\(kind): \(state.state) after \(state.attempts) attempts: \(state.lastError ?? "")")
        let creates = harness.sandbox.writeLog.entries(vendor: .mycrm, operation: .create).filter { $0.keys["email"] == email }
        #expect(creates.count == 1, "\(kind): created \(creates.count) times")
        #expect(creates.first?.id == state.remoteID)
    }
}
