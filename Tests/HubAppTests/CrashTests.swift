import Foundation
import HubApp
import HubOperations
import HubStore
import HubStoreSQLite
import HubTestSupport
import Logging
import RealtyModel
import Sandbox
import Testing

/// `realtyhub run` child processes syncing and delivering are killed with SIGKILL at random
/// moments and restarted, while leads keep arriving and delivered leads are updated and deleted
/// through the hub; every accepted lead must reach the CRM exactly once, every update and
/// delete must take effect there (repeats of an update whose answer was lost are harmless, but
/// never end as a conflict), and the store must stay consistent.
///
/// 20 trials by default; `REALTYHUB_CRASH_TRIALS=N` runs more (`scripts/soak-crash.sh` runs 100).
/// By default one worker on SQLite (the next process takes over what the killed one held);
/// `REALTYHUB_CRASH_DATABASE=postgres` runs three workers on the PostgreSQL database of
/// `REALTYHUB_TEST_DATABASE_URL`, killing one of them each trial while the other two keep
/// working (they take over what it held).
@Suite struct CrashTests {
    static var trials: Int {
        max(20, ProcessInfo.processInfo.environment["REALTYHUB_CRASH_TRIALS"].flatMap { Int($0) } ?? 20)
    }

    static var onPostgres: Bool { ProcessInfo.processInfo.environment["REALTYHUB_CRASH_DATABASE"]?.lowercased() == "postgres" }

    @Test func killedWorkerDeliversEveryWriteExactlyOnce() async throws {
        if Self.onPostgres {
            guard PostgresTestDatabase.isConfigured else {
                Issue.record("REALTYHUB_CRASH_DATABASE=postgres needs REALTYHUB_TEST_DATABASE_URL (a PostgreSQL database; see .ci/run)")
                return
            }
            try await PostgresTestDatabase.withSchemaURL { _, url in try await Self.soak(databaseURL: url, workers: 3) }
        } else {
            try await Self.soak(databaseURL: nil, workers: 1)
        }
    }

    static func soak(databaseURL: String?, workers: Int) async throws {
        let sandbox = try await SandboxRunner.start(
            SandboxOptions(
                vendors: [.mycrm],
                settings: EmulatorSettings(records: 10, faults: try FaultPlan(spec: "latency=30ms"))))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("realtyhub-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = HubConfiguration(dataDirectory: directory.path, environment: [:], databaseURL: databaseURL)
        let runtime = try await HubRuntime.open(configuration, logger: Logger(label: "crash-test"))
        // Whatever fails, the runtime and the sandbox are shut down (a runtime dropped without it
        // traps in its HTTP client) and the failure is recorded.
        do {
            try await soak(runtime: runtime, sandbox: sandbox, directory: directory, databaseURL: databaseURL, workers: workers)
        } catch {
            Issue.record(error, "the crash test stopped")
        }
        await runtime.shutdown()
        try await sandbox.shutdown()
    }

    static func soak(
        runtime: HubRuntime, sandbox: RunningSandbox, directory: URL, databaseURL: String?, workers: Int
    ) async throws {
        let info = try #require(sandbox.info(.mycrm))
        let connection = try await runtime.addConnection(
            tenant: HubRuntime.defaultTenant, vendor: "mycrm", name: "crm", baseURL: info.baseURL, authURL: nil,
            credentials: try JSONSerialization.data(withJSONObject: info.credentials), syncIntervalSeconds: 10)

        var emails: [String] = []
        var emailByKey: [String: String] = [:]
        /// The last name each updated lead must end with at the CRM, by email.
        var updated: [String: String] = [:]
        /// The emails of deleted leads.
        var deleted: Set<String> = []
        func push(_ count: Int) async throws {
            for _ in 0..<count {
                let email = "crash\(emails.count)@example.com"
                emails.append(email)
                let lead = #"{"FirstName":"Crash","LastName":"Test \#(emails.count)","Email":"\#(email)"}"#
                _ = try await runtime.acceptLead(
                    try JSONValue(parsing: lead), connections: [connection.id], tenant: HubRuntime.defaultTenant)
            }
        }
        /// Updates or deletes a delivered lead that no write has touched yet (one write per lead,
        /// so the expected end state at the CRM is exact).
        func write(delete: Bool) async throws {
            let delivered = try await runtime.store.listDeliveries(
                tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(state: .done, limit: 10_000))
            for delivery in delivered where delivery.kind == .leadCreate {
                guard let key = delivery.recordKey, emailByKey[key] == nil,
                    let lead = try await runtime.store.record(Contact.self, tenant: HubRuntime.defaultTenant, key: key),
                    let email = lead.email
                else { continue }
                emailByKey[key] = email
                if delete {
                    deleted.insert(email)
                    _ = try await runtime.acceptDelete(.contacts, key: key, tenant: HubRuntime.defaultTenant)
                } else {
                    let name = "Updated \(updated.count)"
                    updated[email] = name
                    _ = try await runtime.acceptUpdate(
                        .contacts, key: key, patch: ["LastName": .string(name)], tenant: HubRuntime.defaultTenant)
                }
                return
            }
        }

        // SQLite: a 1 s lease, so the next process takes over at once. PostgreSQL: the default
        // lease (10 s), as in production; the other workers keep going meanwhile.
        let arguments =
            ["run", "--data-dir", directory.path]
            + (databaseURL.map { ["--database", $0] } ?? ["--lease-seconds", "1"])
        var generator = SystemRandomNumberGenerator()
        let trials = Self.trials
        let started = ContinuousClock.now
        try await push(5)
        var pool = try (0..<workers).map { _ in try CLITests.start(arguments) }
        defer { for worker in pool where worker.isRunning { worker.terminate() } }
        for _ in 0..<trials {
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...700, using: &generator)))
            try await push(Int.random(in: 0...2, using: &generator))
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: try await write(delete: false)
            case 1: try await write(delete: true)
            default: break
            }
            let victim = Int.random(in: 0..<pool.count, using: &generator)
            kill(pool[victim].processIdentifier, SIGKILL)
            pool[victim].waitUntilExit()
            #expect(pool[victim].terminationReason == .uncaughtSignal)
            pool[victim] = try CLITests.start(arguments)
        }
        try await push(3)

        // The last workers finish everything, including deliveries leased by killed processes.
        let drainStarted = ContinuousClock.now
        let deadline = Date().addingTimeInterval(90)
        var open: [Delivery] = []
        repeat {
            try await Task.sleep(for: .milliseconds(300))
            open = try await runtime.store.listDeliveries(tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(limit: 10_000))
                .filter { $0.state != .done }
        } while !open.isEmpty && Date() < deadline
        for worker in pool { worker.terminate() }
        for worker in pool {
            worker.waitUntilExit()
            #expect(worker.terminationStatus == 0, "SIGTERM stops the worker cleanly")
        }
        #expect(open.isEmpty, "undelivered: \(open.map { "\($0.state.rawValue): \($0.lastError ?? "")" })")
        let drained = ContinuousClock.now - drainStarted

        let creates = sandbox.writeLog.entries(vendor: .mycrm, operation: .create)
        var lost = 0
        var duplicated = 0
        for email in emails {
            let count = creates.filter { $0.keys["email"] == email }.count
            if count == 0 { lost += 1 }
            if count > 1 { duplicated += 1 }
            #expect(count == 1, "\(email) was created \(count) times")
        }
        let deliveries = try await runtime.store.listDeliveries(tenant: HubRuntime.defaultTenant, filter: DeliveryFilter(limit: 10_000))
        let leadDeliveries = deliveries.filter { $0.kind == .leadCreate }
        #expect(leadDeliveries.count == emails.count)
        #expect(Set(leadDeliveries.compactMap(\.remoteID)).count == emails.count, "each lead delivery records its own remote id")
        #expect(deliveries.count == emails.count + updated.count + deleted.count)
        let updates = sandbox.writeLog.entries(vendor: .mycrm, operation: "revise")
        let deletes = sandbox.writeLog.entries(vendor: .mycrm, operation: .delete)

        // The store is consistent: a full pass afterwards matches the CRM exactly.
        let runs = try await runtime.sync(tenant: HubRuntime.defaultTenant, connections: [connection], resource: .contacts, full: true)
        #expect(runs.allSatisfy { $0.status == .succeeded }, "\(runs.map { $0.error ?? "" })")
        let expected =
            try await (sandbox.emulator(.mycrm)?.control(.list(resource: "Leads")).ids.count ?? 0)
            + (sandbox.emulator(.mycrm)?.control(.list(resource: "Contacts")).ids.count ?? 0)
        let stored = try await runtime.store.list(Contact.self, tenant: HubRuntime.defaultTenant, query: ListQuery(perPage: 1))
        #expect(stored.total == expected)
        // Every update and delete took effect at the CRM: the full pass reads the CRM's records.
        var byEmail: [String: Contact] = [:]
        for contact in try await runtime.store.list(Contact.self, tenant: HubRuntime.defaultTenant, query: ListQuery(perPage: 1000)).records
        {
            if let email = contact.email { byEmail[email] = contact }
        }
        for email in emails {
            if deleted.contains(email) {
                #expect(byEmail[email] == nil, "\(email) was deleted through the hub but the CRM still has it")
            } else {
                #expect(byEmail[email]?.lastName == (updated[email] ?? "Test \((emails.firstIndex(of: email) ?? 0) + 1)"))
            }
        }
        let running = try await runtime.store.listSyncRuns(tenant: HubRuntime.defaultTenant, connectionID: nil, limit: 1000)
            .filter { $0.status == .running }
        #expect(running.isEmpty, "no run is left marked running")
        let database = databaseURL == nil ? "SQLite" : "PostgreSQL"
        print(
            "crash test: \(trials) kills, \(workers) worker(s) on \(database), \(emails.count) leads, \(creates.count) creates, \(lost) lost, \(duplicated) duplicated; \(updated.count) updates (\(updates.count) sent), \(deleted.count) deletes (\(deletes.count) sent), 0 conflicts; drained in \(drained), total \(ContinuousClock.now - started)"
        )
    }
}

#if canImport(Glibc)
    import Glibc
#endif
